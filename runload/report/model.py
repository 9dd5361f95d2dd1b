"""The report's content model: what it says, independent of HTML or PDF.

A :class:`RunnerReport` is a title plus :class:`Section` objects, each a
sequence of blocks (:class:`Para`, :class:`Items`, :class:`Stats`,
:class:`Table`, :class:`Chart`).  The HTML and the PDF are both rendered from
this one model, block by block, so they say the same thing.

Every string in the model is plain text (never markup): renderers escape it.
``data`` pairs become ``data-*`` attributes in the HTML, carrying the SI
numbers behind a displayed value so that tests (and anyone scraping the
report) can check them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd

if TYPE_CHECKING:
    from runload.analysis.summary import WeekSummary

#: ``data`` attributes: (name without the 'data-' prefix, value) pairs.
Data = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Span:
    """A run of text inside a paragraph.

    Attributes
    ----------
    text : str
        Plain text.
    href : str
        A link target ('' for none); only ``https://doi.org/...`` links are made.
    strong : bool
        Bold.
    cls : str
        A style name ('sev-caution' ...), '' for none.
    """

    text: str
    href: str = ""
    strong: bool = False
    cls: str = ""


@dataclass(frozen=True)
class Para:
    """A paragraph of spans.

    Attributes
    ----------
    spans : tuple of Span
    cls : str
        'lead' (the summary's large sentences), 'note', 'caption',
        'disclaimer', 'caveat' (a boxed warning: the pain journal's),
        'episode' (a pain episode's heading), or '' for body text.
    data : tuple of (str, str)
        ``data-*`` attributes.
    id : str
        An element id ('' for none).
    """

    spans: tuple[Span, ...]
    cls: str = ""
    data: Data = ()
    id: str = ""
    kind = "para"

    @property
    def text(self) -> str:
        """The paragraph as plain text."""
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Items:
    """A bulleted list of paragraphs."""

    items: tuple[Para, ...]
    cls: str = ""
    id: str = ""
    kind = "items"


@dataclass(frozen=True)
class Stat:
    """One large number of the summary ('10.2 km', 'distance this week')."""

    value: str
    label: str
    data: Data = ()
    id: str = ""


@dataclass(frozen=True)
class Stats:
    """A row of large numbers."""

    stats: tuple[Stat, ...]
    kind = "stats"


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, the SI number behind it, a link and a style name.

    ``span`` is the number of columns the cell covers (1 for one); a row's
    spans add up to the table's columns.  A cell ``cls`` of 'sev-caution' (any
    severity) colours the cell as that severity.
    """

    text: str
    data: Data = ()
    href: str = ""
    cls: str = ""
    span: int = 1


@dataclass(frozen=True)
class Row:
    """One table row (``cls``: 'sev-<severity>', 'error', 'stands-out' or '')."""

    cells: tuple[Cell, ...]
    data: Data = ()
    cls: str = ""


@dataclass(frozen=True)
class Table:
    """A table with a header row.

    Attributes
    ----------
    id : str
        Element id ('weekly', 'flags' ...).
    columns : tuple of str
        Header texts.
    rows : tuple of Row
    numeric : tuple of bool
        Per column: right-aligned numbers.
    weights : tuple of float
        Per column: relative width in the PDF (the HTML lays out by content).
    caption : str
        Shown above the table ('' for none).
    empty : str
        Shown instead of an empty table.
    stack : bool
        On a narrow screen, show each row as a block of labelled lines
        instead of a wide table (for tables of long texts).
    cls : str
        Style names of the table ('' for none); 'large' prints it in a
        larger type (a table a page is printed for).
    """

    id: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    numeric: tuple[bool, ...] = ()
    weights: tuple[float, ...] = ()
    caption: str = ""
    empty: str = "None."
    stack: bool = False
    cls: str = ""
    kind = "table"


@dataclass(frozen=True, eq=False)
class Chart:
    """A chart: inline SVG for the HTML, PNG for the PDF, from one matplotlib figure.

    The PNG is drawn on first use (only the PDF needs it).

    Attributes
    ----------
    id : str
    title : str
    caption : str
        What the chart shows and how to read it, in plain words.
    svg : str
        Inline ``<svg>`` markup (ids prefixed with ``id``; no metadata, no URLs).
    width_in, height_in : float
        Size [in].
    """

    id: str
    title: str
    caption: str
    svg: str
    width_in: float
    height_in: float
    figure: Any = field(default=None, repr=False)
    kind = "chart"

    @cached_property
    def png(self) -> bytes:
        """PNG bytes of the chart (200 dpi)."""
        from runload.plotting import figure_png
        return figure_png(self.figure, dpi=200)


Block = Para | Items | Stats | Table | Chart


@dataclass(frozen=True)
class Section:
    """A titled part of the report.

    Attributes
    ----------
    id : str
        Element id ('summary', 'pain', 'charts', 'weeks', 'flags', 'import',
        'methods', 'references', 'disclaimer').
    title : str
    blocks : tuple of Block
    data : tuple of (str, str)
        ``data-*`` attributes of the section.
    page_break : bool
        Start it on a new printed page.
    keep_together : bool
        Print it on one page when it fits (a short section, e.g. one athlete's).
    cls : str
        A style name of the section ('' for none).
    """

    id: str
    title: str
    blocks: tuple[Block, ...]
    data: Data = ()
    page_break: bool = False
    keep_together: bool = False
    cls: str = ""


def _atomic_write(path: str | os.PathLike[str], content: bytes) -> Path:
    """Write ``content`` to ``path`` through a temporary file and ``os.replace``.

    A reader never sees a half-written report, and an interrupted write leaves
    the old file (or none) in place.
    """
    target = Path(path)
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        mode = 0o644  # mkstemp's 0o600 would hide a shared report from its readers
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


class Document:
    """What every report shares: sections rendered as HTML and PDF, written atomically.

    Subclasses are frozen dataclasses with ``title``, ``subtitle``,
    ``sections``, ``units`` and ``as_of_iso`` (what the templates show).
    """

    title: str
    subtitle: str
    sections: tuple[Section, ...]
    #: Templates of the page's style, inlined in this order.
    stylesheets: ClassVar[tuple[str, ...]] = ("report.css",)
    #: The PDF's page footer (None: the title and the day the report is for).
    pdf_footer: str | None = None

    @cached_property
    def html(self) -> str:
        """The report as one self-contained HTML document (inline CSS and SVG, no scripts)."""
        from runload.report.html import render_html
        return render_html(self)

    def _repr_html_(self) -> str:
        from runload.report.html import render_fragment
        return render_fragment(self)

    def pdf_bytes(self) -> bytes:
        """The report as an A4 PDF (the same content as the HTML)."""
        from runload.report.pdf import render_pdf
        return render_pdf(self, footer=self.pdf_footer)

    def write(self, html: str | os.PathLike[str] | None = None, *,
              pdf: str | os.PathLike[str] | None = None) -> Document:
        """Write the HTML to ``html`` and the PDF to ``pdf``, those given; returns self."""
        if html is not None:
            self.write_html(html)
        if pdf is not None:
            self.write_pdf(pdf)
        return self

    def section(self, section_id: str) -> Section:
        """The section with id ``section_id``.

        Raises
        ------
        KeyError
            Naming the id and the ids there are.
        """
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(f"no section {section_id!r}; sections: "
                       f"{', '.join(s.id for s in self.sections)}")

    def write_html(self, path: str | os.PathLike[str]) -> Path:
        """Write the HTML to ``path`` atomically; returns the path.

        Raises
        ------
        OSError
            If the file cannot be written (the old file, if any, is untouched).
        """
        return _atomic_write(path, self.html.encode("utf-8"))

    def write_pdf(self, path: str | os.PathLike[str]) -> Path:
        """Write the PDF to ``path`` atomically; returns the path.

        Raises
        ------
        OSError
            If the file cannot be written (the old file, if any, is untouched).
        """
        return _atomic_write(path, self.pdf_bytes())


@dataclass(frozen=True, eq=False)
class RunnerReport(Document):
    """A runner's report: one content model, rendered as HTML or PDF.

    Make one with :func:`runload.report.build_report`.

    Attributes
    ----------
    title : str
    subtitle : str
        The period covered and the date the report is for.
    as_of : pandas.Timestamp
        The local date the report is for (NaT for a history without runs).
    units : str
        'km' or 'mi'.
    sections : tuple of Section
        In reading order.
    week : WeekSummary or None
        The latest week, as summarised at the top (None without runs).
    """

    title: str
    subtitle: str
    as_of: pd.Timestamp
    units: str
    sections: tuple[Section, ...]
    week: WeekSummary | None = None

    @property
    def as_of_iso(self) -> str:
        """``as_of`` as 'YYYY-MM-DD' ('' for NaT)."""
        return "" if pd.isna(self.as_of) else self.as_of.strftime("%Y-%m-%d")
