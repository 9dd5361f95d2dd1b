"""The report as an A4 PDF, laid out by reportlab's platypus from the same content model.

Every string goes into a reportlab ``Paragraph``, which parses a small XML
markup language; each is escaped first (:func:`xml.sax.saxutils.escape`), so
a run named ``<b>`` prints as ``<b>``.  Charts are the PNGs of the same
matplotlib figures the HTML shows as SVG.  The canvas is built with
``invariant=1`` (no creation date, fixed document id): the same report gives
the same bytes.

Fonts: DejaVu Sans, which matplotlib ships (found without importing
matplotlib), covers Latin, Greek and Cyrillic names and the typographic
signs the text uses; without it reportlab's own Bitstream Vera is used.
"""

from __future__ import annotations

import importlib.util
import io
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from runload.report.model import Chart, Document, Items, Para, Row, Span, Stats, Table

_MARGIN = 15 * mm
_WIDTH = A4[0] - 2 * _MARGIN
_INK = colors.HexColor("#1d1d1f")
_MUTED = colors.HexColor("#5a5a60")
_LINE = colors.HexColor("#d9d9de")
_WASH = colors.HexColor("#f2f2f5")
_LINK = "#1f4e79"
#: Rows a coach must act on (an athlete whose data could not be read), as the HTML.
_ERROR_WASH = colors.HexColor("#fbe3e0")
_ERROR_LINE = colors.HexColor("#b3261e")
#: The runner's pain episodes, as the charts mark them (runload.plotting.PAIN_COLOUR).
_PAIN_HEX = "#882255"
_PAIN = colors.HexColor(_PAIN_HEX)
_PAIN_WASH = colors.HexColor("#f6ecf1")
#: Severity colours, as the HTML and the charts (runload.plotting.SEVERITY_COLOURS).
_SEVERITY = {"info": ("#56B4E9", "#000000"), "caution": ("#E69F00", "#000000"),
             "warning": ("#D55E00", "#ffffff"), "high": ("#440154", "#ffffff")}


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    """Register the body and bold fonts once; their names."""
    candidates: list[tuple[str, Path, Path]] = []
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.submodule_search_locations:
        ttf = Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf"
        candidates.append(("DejaVuSans", ttf / "DejaVuSans.ttf", ttf / "DejaVuSans-Bold.ttf"))
    rl_spec = importlib.util.find_spec("reportlab")
    if rl_spec is not None and rl_spec.submodule_search_locations:
        fonts = Path(next(iter(rl_spec.submodule_search_locations))) / "fonts"
        candidates.append(("Vera", fonts / "Vera.ttf", fonts / "VeraBd.ttf"))
    for name, regular, bold in candidates:
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont(f"rl-{name}", str(regular)))
            pdfmetrics.registerFont(TTFont(f"rl-{name}-Bold", str(bold)))
            pdfmetrics.registerFontFamily(f"rl-{name}", normal=f"rl-{name}",
                                          bold=f"rl-{name}-Bold", italic=f"rl-{name}",
                                          boldItalic=f"rl-{name}-Bold")
            return f"rl-{name}", f"rl-{name}-Bold"
    return "Helvetica", "Helvetica-Bold"


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    body, bold = _fonts()
    base = ParagraphStyle("body", fontName=body, fontSize=9.5, leading=12.5, textColor=_INK,
                          alignment=TA_LEFT, spaceAfter=5)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=20, leading=24,
                                spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, textColor=_MUTED, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=14, leading=18,
                             spaceBefore=10, spaceAfter=6),
        "h3": ParagraphStyle("h3", parent=base, fontName=bold, fontSize=10.5, leading=13,
                             spaceBefore=4, spaceAfter=2),
        "week-title": ParagraphStyle("week-title", parent=base, textColor=_MUTED, fontSize=10,
                                     leading=15, spaceAfter=6),
        "lead": ParagraphStyle("lead", parent=base, fontSize=11, leading=14.5, spaceAfter=6),
        "note": ParagraphStyle("note", parent=base, textColor=_MUTED, fontSize=9),
        "caption": ParagraphStyle("caption", parent=base, textColor=_MUTED, fontSize=8.5,
                                  leading=11),
        "disclaimer": ParagraphStyle("disclaimer", parent=base, fontSize=10.5, leading=14),
        # the pain journal: the caveat in a tinted box, an episode's heading
        "caveat": ParagraphStyle("caveat", parent=base, fontSize=10, leading=13.5,
                                 backColor=_PAIN_WASH, borderColor=_PAIN, borderWidth=0,
                                 borderPadding=(5, 6, 5, 6), spaceBefore=4, spaceAfter=10),
        "episode": ParagraphStyle("episode", parent=base, fontName=bold, fontSize=11,
                                  leading=14, spaceBefore=10, spaceAfter=3, textColor=_PAIN),
        "item": ParagraphStyle("item", parent=base, leftIndent=10, bulletIndent=0,
                               spaceAfter=4),
        "flag": ParagraphStyle("flag", parent=base, fontSize=10, leading=13.5, leftIndent=10,
                               bulletIndent=0, spaceAfter=5),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5, spaceAfter=0),
        "cell-num": ParagraphStyle("cell-num", parent=base, fontSize=7.5, leading=9.5,
                                   spaceAfter=0, alignment=2),
        "th": ParagraphStyle("th", parent=base, fontName=bold, fontSize=7.5, leading=9.5,
                             spaceAfter=0),
        "th-num": ParagraphStyle("th-num", parent=base, fontName=bold, fontSize=7.5,
                                 leading=9.5, spaceAfter=0, alignment=2),
        # the same, larger: Table(cls="large"), a table a page is printed for
        "cell-large": ParagraphStyle("cell-large", parent=base, fontSize=8, leading=10,
                                     spaceAfter=0),
        "cell-num-large": ParagraphStyle("cell-num-large", parent=base, fontSize=8,
                                         leading=10, spaceAfter=0, alignment=2),
        "th-large": ParagraphStyle("th-large", parent=base, fontName=bold, fontSize=8,
                                   leading=10, spaceAfter=0),
        "th-num-large": ParagraphStyle("th-num-large", parent=base, fontName=bold,
                                       fontSize=8, leading=10, spaceAfter=0, alignment=2),
        "stat-value": ParagraphStyle("stat-value", parent=base, fontName=bold, fontSize=17,
                                     leading=20, spaceAfter=1),
        "stat-label": ParagraphStyle("stat-label", parent=base, fontSize=8, leading=10,
                                     textColor=_MUTED, spaceAfter=0),
    }


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def span_markup(span: Span) -> str:
    """One span as reportlab paragraph markup, its text escaped."""
    text = escape(span.text)
    if span.cls.startswith("sev "):
        back, fore = _SEVERITY.get(span.cls.split("sev-")[-1], ("#dddddd", "#000000"))
        text = f'<font backColor="{back}" color="{fore}">\u00a0{text}\u00a0</font>'
    if span.strong:
        text = f"<b>{text}</b>"
    if span.href:
        text = f'<a href="{_attr(span.href)}" color="{_LINK}">{text}</a>'
    return text


def para_markup(para: Para) -> str:
    """A paragraph's spans as reportlab markup."""
    return "".join(span_markup(s) for s in para.spans)


def _columns(row: Row) -> list[tuple[int, Any]]:
    """(first column, cell) of each cell of a row, with column spans counted."""
    out, col = [], 0
    for cell in row.cells:
        out.append((col, cell))
        col += max(int(cell.span), 1)
    return out


def _table(block: Table, styles: dict[str, ParagraphStyle]) -> list[Any]:
    if "large" in block.cls.split():
        styles = {**styles, **{k: styles[f"{k}-large"] for k in ("cell", "cell-num", "th",
                                                                  "th-num")}}
    out: list[Any] = []
    if block.caption:
        out.append(Paragraph(escape(block.caption), styles["caption"]))
    if not block.rows:
        out.append(Paragraph(escape(block.empty), styles["body"]))
        return out
    n = len(block.columns)
    numeric = block.numeric or (False,) * n
    weights = block.weights if len(block.weights) == n else (1.0,) * n
    widths = _widths(block, weights, styles)
    header = [Paragraph(escape(c), styles["th-num" if numeric[i] else "th"])
              for i, c in enumerate(block.columns)]
    data = [header]
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), _WASH),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, _LINE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for i, row in enumerate(block.rows, start=1):
        cells: list[Any] = [""] * n
        for j, cell in _columns(row):
            text = escape(cell.text)
            severity = _SEVERITY.get(cell.cls[4:]) if cell.cls.startswith("sev-") else None
            if severity is not None:
                text = f'<font color="{severity[1]}">{text}</font>'
                commands.append(("BACKGROUND", (j, i), (j, i), colors.HexColor(severity[0])))
            if cell.cls == "pain-open":
                text = f'<font color="{_PAIN_HEX}">{text}</font>'
            if cell.href:
                text = f'<a href="{_attr(cell.href)}" color="{_LINK}">{text}</a>'
            num = numeric[j] and cell.span == 1
            cells[j] = Paragraph(text, styles["cell-num" if num else "cell"])
            if cell.span > 1:
                commands.append(("SPAN", (j, i), (j + cell.span - 1, i)))
        data.append(cells)
        if row.cls.startswith("sev-"):
            colour = _SEVERITY.get(row.cls[4:], ("#dddddd", ""))[0]
            commands.append(("LINEBEFORE", (0, i), (0, i), 3, colors.HexColor(colour)))
        elif row.cls == "error":
            commands += [("BACKGROUND", (0, i), (-1, i), _ERROR_WASH),
                         ("LINEBEFORE", (0, i), (0, i), 3, _ERROR_LINE)]
        elif row.cls == "stands-out":
            commands += [("BACKGROUND", (0, i), (-1, i), _PAIN_WASH),
                         ("LINEBEFORE", (0, i), (0, i), 3, _PAIN)]
    table = PdfTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    out.append(table)
    out.append(Spacer(1, 6))
    return out


def _widths(block: Table, weights: tuple[float, ...],
            styles: dict[str, ParagraphStyle]) -> list[float]:
    """Column widths [pt] by weight, each wide enough for its longest word.

    A column narrower than its header's or its cells' longest word (up to a
    quarter of the page: a long file name may still wrap) takes the width
    from the column with the most room over its own longest word, so
    'F-MONOTONY' and 'Threshold' never break.
    """
    pad = 7.0
    head, cell = styles["th"], styles["cell"]

    def longest(texts: list[str], style: ParagraphStyle) -> float:
        # split where a line may break: not at a no-break space ('18\u00a0%')
        words = [w for t in texts for w in re.split(r"[ \t\n]+", t)] or [""]
        return max(pdfmetrics.stringWidth(w, style.fontName, style.fontSize) for w in words)

    need = []
    for j, column in enumerate(block.columns):
        body = longest([c.text for r in block.rows for k, c in _columns(r)
                        if k == j and c.span == 1], cell)
        need.append(min(max(longest([column], head), body) + pad, _WIDTH / 4))
    widths = [_WIDTH * w / sum(weights) for w in weights]
    for i, (w, n) in enumerate(zip(widths, need, strict=True)):
        if w < n:
            # from the column with the most room over its own need (the widest, mostly)
            roomiest = max(range(len(widths)), key=lambda k: widths[k] - need[k])
            widths[roomiest] -= n - w
            widths[i] = n
    return widths


def _stats(block: Stats, styles: dict[str, ParagraphStyle]) -> PdfTable:
    cells = [[Paragraph(escape(s.value), styles["stat-value"]),
              Paragraph(escape(s.label), styles["stat-label"])] for s in block.stats]
    gap = 4
    width = (_WIDTH - gap * (len(cells) - 1)) / max(len(cells), 1)
    table = PdfTable([cells], colWidths=[width] * len(cells), hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), _WASH), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LINEAFTER", (0, 0), (-2, -1), gap, colors.white),
    ]))
    return table


def _chart(block: Chart, styles: dict[str, ParagraphStyle]) -> list[Any]:
    height = _WIDTH * block.height_in / block.width_in
    image = Image(io.BytesIO(block.png), width=_WIDTH, height=height)
    caption = [Paragraph(escape(block.caption), styles["caption"])] if block.caption else []
    return [Paragraph(escape(block.title), styles["h3"]), image, *caption, Spacer(1, 8)]


def _flowables(report: Document) -> list[Any]:
    styles = _styles()
    story: list[Any] = [Paragraph(escape(report.title), styles["title"]),
                        Paragraph(escape(report.subtitle), styles["subtitle"])]
    for k, section in enumerate(report.sections):
        if section.page_break and k > 0:
            story.append(PageBreak())
        heading = Paragraph(escape(section.title), styles["h2"])
        part: list[Any] = []
        # A section kept together is one KeepTogether, with none inside: reportlab sizes a
        # nested KeepTogether as endless, and the outer one would always start a new page.
        keep = section.keep_together
        first = True
        for block in section.blocks:
            flow: list[Any]
            if isinstance(block, Para):
                style = styles.get(block.cls, styles["body"])
                flow = [Paragraph(para_markup(block), style)]
            elif isinstance(block, Items):
                style = styles["flag" if block.cls == "flag-items" else "item"]
                flow = [Paragraph(para_markup(p), style, bulletText="\u2022")
                        for p in block.items]
            elif isinstance(block, Stats):
                flow = [_stats(block, styles), Spacer(1, 8)]
            elif isinstance(block, Table):
                flow = _table(block, styles)
            elif isinstance(block, Chart):
                flow = _chart(block, styles) if keep else [KeepTogether(_chart(block, styles))]
            else:  # pragma: no cover - the model has no other block
                raise TypeError(f"unknown report block {type(block).__name__}")
            if first and keep:
                part += [heading, *flow]
                first = False
            elif first:
                # A heading never ends a page alone (and a chart keeps its title and caption).
                head = flow[0]._content if isinstance(flow[0], KeepTogether) else flow[:1]
                part.append(KeepTogether([heading, *head]))
                part.extend(flow[1:])
                first = False
            else:
                part.extend(flow)
        if first:
            part.append(heading)
        story.extend([KeepTogether(part)] if section.keep_together else part)
    return story


def render_pdf(report: Document, footer: str | None = None) -> bytes:
    """The report as A4 PDF bytes, ``footer`` and page numbers at the foot of every page.

    The default footer is the runner report's: its title and the day it is for.
    """
    body, _ = _fonts()
    if footer is None:
        footer = report.title
        if getattr(report, "as_of_iso", ""):
            when = report.as_of  # type: ignore[attr-defined]
            footer += f" \u00b7 report for {when:%a} {when.day} {when:%b %Y}"

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(body, 7.5)
        canvas.setFillColor(_MUTED)
        canvas.drawString(_MARGIN, 9 * mm, footer)
        canvas.drawRightString(A4[0] - _MARGIN, 9 * mm, f"Page {doc.page}")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN,
                            topMargin=_MARGIN, bottomMargin=_MARGIN + 4 * mm,
                            title=report.title, author="runload", creator="runload",
                            subject=report.subtitle, invariant=1, pageCompression=1,
                            lang="en")
    doc.build(_flowables(report), onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()
