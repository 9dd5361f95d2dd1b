"""The runner's pain journal: a plain CSV file, read and appended to.

The journal is a CSV file the runner keeps by hand (or with ``runload pain
add``), one entry per line::

    date,region,severity,timing,note
    2026-05-03,lower back,4,next morning,"stiff after the long run, eased by noon"
    2026-05-04,lower_back,2,,
    # a comment line
    2026-05-10,knee,3,during,

Columns
-------
``date``
    The local calendar day the pain was felt, written ``YYYY-MM-DD``.
``region``
    One of ``lower_back``, ``hip``, ``knee``, ``shin``, ``foot``, ``other``
    (:data:`runload.schema.PAIN_REGIONS`), in any case; spaces and hyphens
    count as underscores, so ``lower back`` and ``Lower-Back`` are
    ``lower_back``.
``severity``
    How much it hurt, a whole number from 0 (no pain) to 10.  Rate the same
    way every time; entries of 0 (or below the episode threshold) tell runload
    a pain has gone.
``timing`` (optional column)
    When it was felt: ``during`` a run, ``after`` it, ``next_morning`` (also
    ``next morning``), or empty when not said (:data:`runload.schema.PAIN_TIMINGS`).
``note`` (optional column)
    Free text, kept as written.  A note holding a comma, a double quote or a
    line break is written in double quotes, with inner quotes doubled
    (``"felt it on the ""easy"" run, then stairs"``), as every spreadsheet
    does.

Rules
-----
- The first line that is not blank and not a comment is the header; it names
  ``date``, ``region`` and ``severity`` and may name ``timing`` and ``note``,
  in any order, without case.  No other column is accepted.
- UTF-8, with or without a byte-order mark; lines may end in LF or CRLF.
- Blank lines and lines starting with ``#`` are skipped (a ``#`` inside a
  quoted note that spans lines is part of the note).
- Several entries may share a day and region (the analysis takes the
  highest severity of the day).
- Every problem is a :class:`runload.errors.PainJournalError` naming the
  file, the line, the column, the value received and what is accepted.

:func:`append_pain_entry` adds one entry with the same checks, atomically,
and never rewrites the entries already there.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from typing import Any

import pandas as pd

from runload.errors import PainJournalError
from runload.schema import PAIN_REGIONS, PAIN_TIMINGS, pain_entries_frame

#: Columns a journal may have, in the order ``runload pain add`` writes them.
JOURNAL_COLUMNS = ("date", "region", "severity", "timing", "note")
#: Columns every journal must have.
REQUIRED_COLUMNS = ("date", "region", "severity")
#: The header line of a new journal.
HEADER = ",".join(JOURNAL_COLUMNS)

_ACCEPTED = {
    "date": "a date is written YYYY-MM-DD, e.g. 2026-05-03 (the local calendar day)",
    "region": ("a region is one of " + ", ".join(PAIN_REGIONS)
               + " ('lower back' and 'lower-back' also work)"),
    "severity": "a severity is a whole number from 0 (no pain) to 10",
    "timing": ("a timing is " + ", ".join(t for t in PAIN_TIMINGS if t)
               + " ('next morning' also works) or empty"),
    "note": "a note is any text",
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SEVERITY = re.compile(r"[+]?\d{1,2}")


class PainValueError(ValueError):
    """One value of a journal entry is not accepted (the reader adds file and line).

    Attributes
    ----------
    column : str
        The journal column.
    value : object
        The value received.
    """

    def __init__(self, column: str, value: Any) -> None:
        self.column = column
        self.value = value
        shown = "empty" if isinstance(value, str) and not value.strip() else repr(value)
        super().__init__(f"got {shown}; {_ACCEPTED[column]}")


def _words(text: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(text).strip().lower())


def parse_date(value: Any) -> datetime.date:
    """A journal date: 'YYYY-MM-DD' (or a date) as a :class:`datetime.date`.

    Raises
    ------
    PainValueError
        For anything else (the message says what is accepted).

    Examples
    --------
    >>> parse_date(" 2026-05-03 ")
    datetime.date(2026, 5, 3)
    """
    if isinstance(value, datetime.datetime):
        if value.time() != datetime.time(0) or value.tzinfo is not None:
            raise PainValueError("date", value)
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PainValueError("date", value)


def parse_region(value: Any) -> str:
    """A body region of :data:`runload.schema.PAIN_REGIONS`, from how a runner may write it.

    Examples
    --------
    >>> parse_region("Lower back"), parse_region("lower-back"), parse_region("KNEE")
    ('lower_back', 'lower_back', 'knee')
    """
    region = _words(value) if isinstance(value, str) else None
    if region not in PAIN_REGIONS:
        raise PainValueError("region", value)
    return region


def parse_severity(value: Any) -> int:
    """A severity, a whole number 0-10, from an int or its text.

    Examples
    --------
    >>> parse_severity(" 4 "), parse_severity(10)
    (4, 10)
    """
    if isinstance(value, bool):
        raise PainValueError("severity", value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _SEVERITY.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise PainValueError("severity", value)
    if not 0 <= number <= 10:
        raise PainValueError("severity", value)
    return number


def parse_timing(value: Any) -> str:
    """When the pain was felt (:data:`runload.schema.PAIN_TIMINGS`); '' when not said.

    Examples
    --------
    >>> parse_timing("Next morning"), parse_timing(""), parse_timing(None)
    ('next_morning', '', '')
    """
    if value is None:
        return ""
    timing = _words(value) if isinstance(value, str) else None
    if timing not in PAIN_TIMINGS:
        raise PainValueError("timing", value)
    return timing


def check_entry(*, date: Any, region: Any, severity: Any, timing: Any = "",
                note: Any = "") -> dict[str, Any]:
    """One entry's values, checked and normalised as the reader does.

    Returns
    -------
    dict
        ``local_date`` (datetime.date), ``region``, ``severity`` (int),
        ``timing`` and ``note`` (str).

    Raises
    ------
    PainValueError
        For the first value not accepted, in column order.
    """
    if note is None:
        note = ""
    if not isinstance(note, str):
        raise PainValueError("note", note)
    return {"local_date": parse_date(date), "region": parse_region(region),
            "severity": parse_severity(severity), "timing": parse_timing(timing), "note": note}


# --- reading ----------------------------------------------------------------------------

class _Records:
    """CSV records of a journal text with the line each starts on, comments and blanks skipped.

    Blank and ``#`` lines are skipped only where a record starts, so a quoted
    note spanning lines keeps every line it holds.
    """

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self._line = 0
        self._at_start = True
        self.start = 0

    def _feed(self) -> Iterator[str]:
        for line in self._lines:
            self._line += 1
            if self._at_start:
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                self._at_start = False
                self.start = self._line
            yield line

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(self._feed(), strict=True)
        while True:
            self._at_start = True
            try:
                cells = next(reader)
            except StopIteration:
                return
            if not any(c.strip() for c in cells):
                continue
            yield self.start, cells


def _records(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    records = _Records(text)
    try:
        yield from records
    except csv.Error as exc:
        line = records.start or None
        if "end of data" in str(exc) or "EOF" in str(exc):
            reason = ("a double quote opened on this line is never closed; a note in quotes "
                      "must end with a quote (inner quotes doubled: \"\")")
        else:
            reason = f"not valid CSV: {exc}"
        raise PainJournalError(name, reason, line=line) from exc


def _header(cells: list[str], name: str, line: int) -> list[str]:
    header = [c.strip().lower() for c in cells]
    unknown = [c for c in header if c not in JOURNAL_COLUMNS]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    repeated = [c for c in JOURNAL_COLUMNS if header.count(c) > 1]
    if unknown or missing or repeated:
        if unknown:
            why = f"unknown column {unknown[0]!r}"
        elif missing:
            why = f"no {missing[0]!r} column"
        else:
            why = f"the column {repeated[0]!r} appears twice"
        raise PainJournalError(
            name, f"not a pain journal header ({why}): got {','.join(cells)!r}; the header "
            f"is {HEADER} (timing and note optional)", line=line,
            column=None, value=",".join(cells))
    return header


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise PainJournalError(name, f"not UTF-8 text ({exc.reason} at byte {exc.start}); "
                               "save the journal as UTF-8", line=line) from exc


def _parse(text: str, name: str) -> list[dict[str, Any]]:
    header: list[str] | None = None
    rows: list[dict[str, Any]] = []
    for line, cells in _records(text, name):
        if header is None:
            header = _header(cells, name, line)
            continue
        if len(cells) > len(header):
            raise PainJournalError(
                name, f"{len(cells)} cells, but the header has {len(header)} columns "
                f"({','.join(header)}); a note holding a comma must be in double quotes",
                line=line)
        values = dict(zip(header, cells, strict=False))
        try:
            entry = check_entry(date=values.get("date", ""), region=values.get("region", ""),
                                severity=values.get("severity", ""),
                                timing=values.get("timing", ""), note=values.get("note", ""))
        except PainValueError as exc:
            raise PainJournalError(name, f"column '{exc.column}': {exc}", line=line,
                                   column=exc.column, value=str(exc.value)) from exc
        rows.append({"line": line, **entry})
    return rows


def read_pain_journal(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a pain journal (see the module docstring for its format).

    Parameters
    ----------
    path : str or path-like
        The journal CSV file.

    Returns
    -------
    pandas.DataFrame
        :data:`runload.schema.PAIN_ENTRY_COLUMNS`, one row per entry, sorted
        by ``local_date`` then ``line``; ``attrs['path']`` is the file as
        given.  A file with only a header (or nothing) gives no rows.

    Raises
    ------
    runload.errors.PainJournalError
        If the file is missing or unreadable, not UTF-8, its header is not a
        journal's, or an entry has a bad date, region, severity or timing or
        too many cells: the message names the file, the line, the column, the
        value received and what is accepted.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "pain.csv").write_text(
    ...     "date,region,severity,timing,note\\n"
    ...     "2026-05-04,Lower back,4,next morning,\\"stiff, then fine\\"\\n"
    ...     "2026-05-03,knee,2,,\\n")
    >>> table = read_pain_journal(folder / "pain.csv")
    >>> table[["line", "region", "severity", "timing", "note"]].to_numpy().tolist()
    [[3, 'knee', 2, '', ''], [2, 'lower_back', 4, 'next_morning', 'stiff, then fine']]
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except FileNotFoundError as exc:
        raise PainJournalError(name, "no such pain journal; start one with `runload pain add "
                               f"DATE REGION SEVERITY --file {name}` or write a CSV file with "
                               f"the header {HEADER}") from exc
    except OSError as exc:
        raise PainJournalError(name, f"cannot read the pain journal: "
                               f"{exc.strerror or exc}") from exc
    rows = _parse(_decode(data, name), name)
    table = pain_entries_frame(rows)
    table = table.sort_values(["local_date", "line"], kind="stable").reset_index(drop=True)
    table.attrs["path"] = name
    return table


# --- appending --------------------------------------------------------------------------

def _newline_of(text: str) -> str:
    match = re.search(r"\r\n|\n|\r", text)
    return match.group(0) if match else "\n"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_atomically(target: str, data: bytes, mode: int) -> None:
    """``data`` into ``target`` through a temp file in its folder, fsync and os.replace."""
    folder = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    try:  # the rename itself survives a crash once the folder is synced (POSIX)
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def append_pain_entry(path: str | os.PathLike[str], *, date: Any, region: Any, severity: Any,
                      timing: Any = "", note: Any = "") -> int:
    """Add one entry at the end of a pain journal, creating the journal if needed.

    Parameters
    ----------
    path : str or path-like
        The journal CSV file.  A missing file is created with the header
        ``date,region,severity,timing,note``.
    date : str or datetime.date
        The local day, 'YYYY-MM-DD'.
    region : str
        A body region (see the module docstring; 'lower back' works).
    severity : int or str
        0-10.
    timing : str, default ''
        'during', 'after', 'next_morning' (or 'next morning'), or ''.
    note : str, default ''
        Free text; commas, quotes and line breaks are quoted as CSV does.

    Returns
    -------
    int
        The line of the file the new entry starts on.

    Raises
    ------
    runload.errors.PainJournalError
        For a value the reader would refuse (naming the column and value), a
        file whose header is not a pain journal's, a journal ending inside a
        quoted note, a timing or note for a journal without that column, or a
        file that cannot be read or written.

    Notes
    -----
    The write is atomic: the old bytes, unchanged (byte-order mark, line
    endings and all), plus the new row go to a temporary file in the same
    folder, which is flushed to disk and then renamed over the journal, so a
    crash leaves either the old journal or the new one.  The file keeps its
    permission bits; a symbolic link is followed and the file it points to is
    replaced.  A journal not ending with a line break gets one first; the new
    row uses the journal's own line ending (LF for a new file).  Rows already
    there are not checked (``read_pain_journal`` does that), only the header.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> journal = pathlib.Path(tempfile.mkdtemp()) / "pain.csv"
    >>> append_pain_entry(journal, date="2026-05-03", region="lower back", severity=4)
    2
    >>> append_pain_entry(journal, date="2026-05-04", region="knee", severity="2",
    ...                   timing="after", note="stairs, then fine")
    3
    >>> print(journal.read_text(), end="")
    date,region,severity,timing,note
    2026-05-03,lower_back,4,,
    2026-05-04,knee,2,after,"stairs, then fine"
    """
    name = os.fspath(path)
    try:
        entry = check_entry(date=date, region=region, severity=severity, timing=timing,
                            note=note)
    except PainValueError as exc:
        raise PainJournalError(name, f"the new entry's {exc.column}: {exc}", column=exc.column,
                               value=str(exc.value)) from exc
    target = os.path.realpath(name)
    try:
        with open(target, "rb") as fh:
            old: bytes | None = fh.read()
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        old, mode = None, 0o666 & ~_umask()
    except OSError as exc:
        raise PainJournalError(name, f"cannot read the pain journal: "
                               f"{exc.strerror or exc}") from exc
    text = "" if old is None else _decode(old, name)
    header = None
    for line, cells in _records(text, name):  # the whole file: no quote may be left open
        if header is None:
            try:
                header = _header(cells, name, line)
            except PainJournalError as exc:
                raise PainJournalError(name, f"{exc.reason}; not appending to it", line=line,
                                       value=exc.value) from exc
    newline = _newline_of(text)
    addition = ""
    if text and not text.endswith(("\n", "\r")):
        addition += newline
    if header is None:
        header = list(JOURNAL_COLUMNS)
        addition += HEADER + newline
    for column in ("timing", "note"):
        if entry[column] and column not in header:
            raise PainJournalError(name, f"the journal has no '{column}' column (its header "
                                   f"is {','.join(header)}); add it to the header or leave "
                                   f"the {column} out", column=column, value=entry[column])
    values = {"date": entry["local_date"].isoformat(), "region": entry["region"],
              "severity": str(entry["severity"]), "timing": entry["timing"],
              "note": entry["note"]}
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator=newline).writerow([values[c] for c in header])
    line = sum(1 for _ in io.StringIO(text + addition, newline="")) + 1
    row = buffer.getvalue()
    data = (old or b"") + (addition + row).encode("utf-8")
    try:
        _write_atomically(target, data, mode)
    except OSError as exc:
        raise PainJournalError(name, f"cannot write the pain journal: "
                               f"{exc.strerror or exc}") from exc
    return line
