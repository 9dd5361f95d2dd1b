"""Summary-only activities from export summaries: Strava's CSV and Garmin's JSON.

A Strava bulk export lists every activity in ``activities.csv``; a Garmin
"Export Your Data" archive lists them in
``DI_CONNECT/DI-Connect-Fitness/<user>_<n>_summarizedActivities.json``.  Each
row or entry becomes one :class:`SummaryActivity`: a sessions row (keys of
:data:`runload.schema.SESSION_COLUMNS`) with ``is_summary_only`` and
``is_manual`` True and no records, plus the Strava ``Filename`` and the
source's own activity id, so a caller can link names and offsets to activity
files and keep the rows that have no file (manual entries).

Rules common to both
--------------------
Missing values
    A value the summary does not give is NaN (None for ``utc_offset_s``),
    never 0.  A heart rate or cadence of 0 or less is no measurement and is
    NaN too; a distance of 0 is kept (a strength session really has none).
Times
    ``elapsed_s`` is wall-clock time with pauses, ``timer_s`` the time without
    them.  When only one of the two is given, the other is taken equal to it
    and ``notes`` says so.
Speed
    ``avg_speed_mps`` is ``distance_m / timer_s`` when both are known and
    ``timer_s > 0`` (the stored averages are rounded, Garmin's is in an odd
    unit), else the summary's own average.  A run whose average lies outside
    :data:`RUN_SPEED_CHECK_MPS` keeps its values but gets a note: a wrong
    unit is likelier than such a run.
Start
    A row or entry without a start time this module can read cannot be
    placed in the history: it is dropped with a :class:`RunloadWarning`
    naming the file and the row.  So is a start outside 1990-2099 (a broken
    clock or a misread date, as for GPX).
Sport
    The label goes through :func:`runload.readers.sports.text_sport`;
    ``sport_label`` keeps it as written.
Fixed columns
    ``member_path``, ``content_sha256``, ``tz_name``, ``device_product``,
    ``device_file_id`` and ``duplicate_of`` are ''; ``session_index`` and
    ``n_records`` are 0; ``is_partial`` is False.

Strava ``activities.csv``
-------------------------
Text
    UTF-8, with or without a byte-order mark; anything else is a
    :class:`CorruptFileError`.  Cells are read by the :mod:`csv` module in
    strict mode, so quoted cells may hold commas and line breaks.  When the
    quoting breaks (a truncated file), the rows before the break are kept and
    a warning says where it broke; a file that breaks inside its header is
    corrupt.
Header
    The header language is found from its content: every layout in
    :data:`STRAVA_LAYOUTS` maps header names (compared without case, after
    Unicode NFC) to the canonical English names, and the layout naming the
    most columns wins.  It must name ``Activity ID`` and ``Activity Date``,
    or the file is not a Strava activities table (:class:`CorruptFileError`).  Add a language by
    adding a layout.  Columns are addressed by name *and occurrence*: the
    current header repeats ``Elapsed Time``, ``Distance``, ``Max Heart Rate``,
    ``Relative Effort`` and ``Commute``.
Distance
    With two ``Distance`` columns the second (metres, full precision) is
    used; the first is the rounded display value in kilometres.  With one,
    it is metres in the 2019 lower-case layout
    (``id,date,name,type,...,distance,...``) and kilometres otherwise (the
    short mid-2019 English layout), and ``notes`` says it was read from the
    display column.  Whether an imperial account's display column is in
    miles is not known, which is why the metre column is preferred.
Other columns
    ``Elapsed Time``: second occurrence, else the first [s].  ``Moving Time``
    [s] is ``timer_s``.  ``Max Heart Rate``: second occurrence, else the
    first.  ``Max Speed``/``Average Speed`` [m/s], ``Elevation Gain``/``Loss``
    [m], ``Average Heart Rate`` [1/min], ``Average Watts`` [W], ``Calories``
    [kcal].  ``has_hr`` and ``has_power`` are True when the row gives an
    average; ``has_gps`` is False (the CSV does not say).
Cadence
    ``Average Cadence`` is used for runs only (for rides it is pedal rpm, for
    walks Strava's convention is unknown).  A run's value below
    :data:`PER_LEG_BELOW_SPM` is one leg's strides per minute and is
    doubled to steps per minute (the rule runload applies to any source of
    unknown convention); ``notes`` says so.
Numbers
    The layout names its decimal separator ('.' English, ',' German).  A
    value holding both '.' and ',' takes the last one as the decimal mark and
    drops the other as digit grouping.  A value holding only the layout's
    grouping mark is grouping when it is written in groups of three
    (``1,234`` English, ``1.234.567`` German); a German value with a single
    '.' is a plain machine-written decimal (Strava writes its full-precision
    columns that way).  An unreadable value is NaN and ``notes`` names it.
Dates
    ``Activity Date`` is UTC (Strava writes no offset, so ``utc_offset_s``
    is unknown and ``tz_source`` is '').  Exactly three forms are read,
    whatever the layout, as they cannot be mistaken for one another:
    English ``Oct 7, 2020, 2:43:11 PM`` (month names in English, 12- or
    24-hour clock), German ``07.10.2020, 14:43:11`` (day first), and ISO
    ``2018-09-12 15:02:23`` (optionally with ``T``, fraction and offset; an
    offset is converted to UTC).  Other forms (``10/07/2020``...) are not
    guessed: the row is dropped with a warning.
Ids
    ``activity_id`` is ``'strava-<Activity ID>'``; ``external_id`` the id
    exactly as written.  A row without an id gets ``'strava-'`` and the first
    16 hex digits of the SHA-256 of its cells, and a note.
Blank lines
    Rows whose cells are all empty are skipped silently.

Garmin ``*_summarizedActivities.json``
--------------------------------------
Shape
    The export writes ``[{"summarizedActivitiesExport": [entry, ...]}]``.
    Also read: several such objects, a bare object with that key, a list of
    lists of entries, and a bare list of entries (objects with
    ``activityId``).  Anything else, text that is not UTF-8 JSON, or a key
    whose value is not a list is a :class:`CorruptFileError`.  An entry that
    is not an object is dropped with a warning.
Units
    ``distance``, ``elevationGain``, ``elevationLoss`` are centimetres (/100
    -> m); ``duration``, ``elapsedDuration``, ``movingDuration`` milliseconds
    (/1000 -> s); ``avgSpeed``, ``maxSpeed`` cm/ms (x10 -> m/s);
    ``startLatitude``/``startLongitude`` degrees; ``avgHr``, ``maxHr``
    [1/min]; ``avgPower`` [W]; ``calories`` kcal (as most importers read it;
    one reads kJ, which a real export should settle).
Durations
    ``timer_s`` is ``duration`` (Garmin's timer time, the FIT session's
    ``total_timer_time``, so a summary and its file agree), else
    ``movingDuration`` with a note; ``elapsed_s`` is ``elapsedDuration``.
Cadence
    Foot sports only (:data:`runload.readers.sports.FOOT_SPORTS`):
    ``avgDoubleCadence`` is already steps per minute; else ``avgRunCadence``
    (one leg) is doubled.
Start and offset
    ``start_utc`` is ``startTimeGmt`` (else ``startTimeGMT``, else
    ``beginTimestamp``), epoch milliseconds (a digit string or an ISO text
    without offset is read too).  ``startTimeLocal`` holds the local wall
    clock on the same scale, so ``startTimeLocal - startTimeGmt`` is the UTC
    offset; it is kept (``tz_source='garmin_json'``) when within
    :data:`MAX_UTC_OFFSET_S` of UTC and within :data:`OFFSET_SLACK_S` of a
    whole quarter hour, rounded to it (the rule the FIT reader applies);
    otherwise the offset is unknown and ``notes`` says why.
Ids
    ``activityId`` can exceed 2**53: JSON integers are read exactly and the
    id is kept as text (``activity_id`` ``'garmin-<id>'``).  An entry without
    one gets ``'garmin-'`` and a hash of its content, and a note.
Multisport
    A parent entry (``"parent": true``) whose legs (``parentId``) are in the
    same file is dropped, so the legs are not counted twice; a parent without
    its legs in the file is kept with a note.
Other fields
    ``activityType`` is a typeKey string or a ``{"typeKey": ...}`` object
    (else ``sportType``); ``device_manufacturer`` is ``manufacturer`` in
    lower case; ``has_gps`` when a start position is given, ``has_hr`` when
    ``avgHr`` is, ``has_power`` when ``avgPower`` is.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import unicodedata
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from runload.errors import CorruptFileError, RunloadWarning
from runload.readers.sports import FOOT_SPORTS, text_sport

#: A UTC offset further from UTC than this is not a real time zone [s].
MAX_UTC_OFFSET_S = 14 * 3600
#: Time zones are whole quarter hours; a difference this close to one is
#: rounded to it (the two Garmin fields are stamped apart) [s].
OFFSET_SLACK_S = 120
_QUARTER_HOUR_S = 900
#: A run's average speed outside this range gets a note [m/s] (inputs.md §9.3).
RUN_SPEED_CHECK_MPS = (0.5, 8.0)
#: A run's cadence below this is one leg's and is doubled [1/min] (inputs.md
#: §9.3): one leg of a run turns at most 105/min
#: (:data:`runload.readers.sports.RUN_CADENCE_PER_LEG`), so both legs give 140 or more.
PER_LEG_BELOW_SPM = 120.0
#: Starts outside these years are a broken clock or a misread date.
YEAR_RANGE = (1990, 2099)


@dataclass(frozen=True)
class SummaryActivity:
    """One activity known from an export summary.

    Attributes
    ----------
    session : dict
        A sessions row: keys of :data:`runload.schema.SESSION_COLUMNS`, ready
        for :func:`runload.schema.sessions_frame`.
    filename : str
        Strava's ``Filename`` cell as written (e.g. ``'activities/4567.fit.gz'``);
        '' when the row has none (a manual entry) and for Garmin entries.
    external_id : str
        Strava's ``Activity ID`` or Garmin's ``activityId``, exactly, as text;
        '' when the source gives none.
    """

    session: dict[str, Any]
    filename: str
    external_id: str


@dataclass(frozen=True)
class StravaLayout:
    """One header vocabulary of Strava's ``activities.csv``.

    Attributes
    ----------
    name : str
        Short name used in messages ('en', 'de', 'en_2019').
    columns : Mapping[str, str]
        Header text (compared without case) -> canonical English name.
    decimal_separator : str
        '.' or ','.
    lone_distance_m : float
        Metres per unit of the ``Distance`` column when the header has only
        one [m]: 1 in the 2019 layout, 1000 (kilometres) otherwise.
    """

    name: str
    columns: Mapping[str, str]
    decimal_separator: str
    lone_distance_m: float


_CANONICAL = (
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Max Heart Rate", "Filename", "Moving Time", "Max Speed",
    "Average Speed", "Elevation Gain", "Elevation Loss", "Average Cadence",
    "Average Heart Rate", "Average Watts", "Calories",
)

#: Header layouts, tried together; the one naming the most columns wins.
#: German names from real exports (geo-activity-playground#191, #393).
STRAVA_LAYOUTS: tuple[StravaLayout, ...] = (
    StravaLayout("en", {name: name for name in _CANONICAL}, ".", 1000.0),
    StravaLayout("de", {
        "Aktivitäts-ID": "Activity ID", "Aktivitätsdatum": "Activity Date",
        "Name der Aktivität": "Activity Name", "Aktivitätsart": "Activity Type",
        "Aktivitätsbeschreibung": "Activity Description", "Verstrichene Zeit": "Elapsed Time",
        "Distanz": "Distance", "Max. Herzfrequenz": "Max Heart Rate", "Dateiname": "Filename",
        "Bewegungszeit": "Moving Time", "Höchstgeschw.": "Max Speed",
        "Durchschnittliche Geschwindigkeit": "Average Speed", "Höhenzunahme": "Elevation Gain",
        "Höhenunterschied": "Elevation Loss",
        "Durchschnittliche Trittfrequenz": "Average Cadence",
        "Durchschnittliche Herzfrequenz": "Average Heart Rate",
        "Durchschnittliche Watt": "Average Watts", "Kalorien": "Calories",
    }, ",", 1000.0),
    # Exports up to June 2019 (hugovk/strava-tools#1): distance in metres.
    StravaLayout("en_2019", {
        "id": "Activity ID", "date": "Activity Date", "name": "Activity Name",
        "type": "Activity Type", "description": "Activity Description",
        "elapsed_time": "Elapsed Time", "distance": "Distance", "filename": "Filename",
    }, ".", 1.0),
)

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december")
# English month names, in full, in three letters, and Strava's "Sept".
_MONTHS = {**{m: i for i, m in enumerate(_MONTH_NAMES, 1)},
           **{m[:3]: i for i, m in enumerate(_MONTH_NAMES, 1)}, "sept": 9}
_DATE_EN = re.compile(
    r"(?P<mon>[A-Za-z]{3,9})\.? (?P<d>\d{1,2}), ?(?P<y>\d{4}),? (?P<H>\d{1,2}):(?P<M>\d{2})"
    r"(?::(?P<S>\d{2}))? ?(?P<ampm>[AaPp]\.?[Mm]\.?)?")
_DATE_DE = re.compile(
    r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}),? (?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?")
_DATE_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_NAIVE_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?")
# Digit grouping in threes: ',' in English; '.' in German only with two or
# more groups, as a single '.' there is a machine-written decimal point.
_GROUPED = {",": re.compile(r"[+-]?\d{1,3}(?:,\d{3})+"),
            ".": re.compile(r"[+-]?\d{1,3}(?:\.\d{3}){2,}")}
_NAN = float("nan")


def read_strava_csv(data: bytes, path: str) -> list[SummaryActivity]:
    """Read Strava's ``activities.csv`` into summary-only activities.

    Parameters
    ----------
    data : bytes
        The file content.
    path : str
        Where it came from; used in ``source_path`` and in messages.

    Returns
    -------
    list of SummaryActivity
        One per row that has a readable start, in file order.

    Raises
    ------
    CorruptFileError
        If the content is not UTF-8 text, has no header, or the header is not
        a Strava activities header (see the module docstring).

    Warns
    -----
    RunloadWarning
        For each row dropped for want of a readable start, and when the CSV
        quoting breaks (the rows after the break are lost).
    """
    text = _decode(data, path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        if not records:
            raise CorruptFileError(path, f"header is not readable as CSV: {exc}") from exc
        warnings.warn(f"{path}: the CSV breaks at line {line} ({exc}); rows from there on are "
                      f"not read.", RunloadWarning, stacklevel=2)
    records = [(n, cells) for n, cells in records if any(c.strip() for c in cells)]
    if not records:
        raise CorruptFileError(path, "empty: no header row")
    header = [unicodedata.normalize("NFC", c).strip().casefold() for c in records[0][1]]
    layout, positions = _strava_layout(header, path)
    out = []
    for row_number, (line_number, cells) in enumerate(records[1:], 1):
        where = f"row {row_number} (line {line_number})"
        activity = _strava_row(cells, positions, layout, path, where)
        if activity is not None:
            out.append(activity)
    return out


def read_garmin_summaries(data: bytes, path: str) -> list[SummaryActivity]:
    """Read one Garmin ``*_summarizedActivities.json`` chunk into summary-only activities.

    Parameters
    ----------
    data : bytes
        The file content.
    path : str
        Where it came from; used in ``source_path`` and in messages.

    Returns
    -------
    list of SummaryActivity
        One per entry that has a readable start, in file order, without the
        parents of multisport legs found in the same file.

    Raises
    ------
    CorruptFileError
        If the content is not UTF-8 JSON or not of a known shape (see the
        module docstring).

    Warns
    -----
    RunloadWarning
        For each entry dropped (not an object, or no readable start).
    """
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise CorruptFileError(path, f"not UTF-8 text: {exc}") from exc
    except (json.JSONDecodeError, RecursionError) as exc:
        raise CorruptFileError(path, f"not valid JSON: {exc}") from exc
    entries = list(_garmin_entries(doc, path))
    parents_with_legs = {_id_text(e.get("parentId")) for _, e in entries
                         if isinstance(e, dict) and e.get("parentId") is not None}
    out = []
    for index, entry in entries:
        where = f"entry {index}"
        if not isinstance(entry, dict):
            warnings.warn(f"{path}: {where} is not a JSON object; dropped.",
                          RunloadWarning, stacklevel=2)
            continue
        external_id = _id_text(entry.get("activityId"))
        if entry.get("parent") is True and external_id and external_id in parents_with_legs:
            continue
        activity = _garmin_entry(entry, external_id, path, where)
        if activity is not None:
            out.append(activity)
    return out


# --- Strava -------------------------------------------------------------------------------


def _decode(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorruptFileError(path, f"not UTF-8 text: {exc}") from exc


def _strava_layout(header: list[str],
                   path: str) -> tuple[StravaLayout, dict[str, list[int]]]:
    """The best-matching layout and, per canonical name, its column positions in order."""
    best: tuple[StravaLayout, dict[str, list[int]]] | None = None
    for layout in STRAVA_LAYOUTS:
        names = {unicodedata.normalize("NFC", k).casefold(): v for k, v in layout.columns.items()}
        positions: dict[str, list[int]] = {}
        for i, cell in enumerate(header):
            if cell in names:
                positions.setdefault(names[cell], []).append(i)
        if best is None or len(positions) > len(best[1]):
            best = (layout, positions)
    if best is None or not {"Activity ID", "Activity Date"} <= best[1].keys():
        shown = ", ".join(repr(c) for c in header[:5])
        raise CorruptFileError(
            path, f"not a Strava activities.csv: the header ({shown}, ...) lacks the activity "
            f"id or date column of every known layout "
            f"({', '.join(s.name for s in STRAVA_LAYOUTS)})")
    return best


def _strava_row(cells: list[str], positions: dict[str, list[int]], layout: StravaLayout,
                path: str, where: str) -> SummaryActivity | None:
    notes: list[str] = []

    def cell(name: str, occurrence: int = 0) -> str:
        columns = positions.get(name, [])
        if occurrence >= len(columns) or columns[occurrence] >= len(cells):
            return ""
        return cells[columns[occurrence]].strip()

    def number(name: str, occurrence: int = 0) -> float:
        raw = cell(name, occurrence)
        try:
            value = _parse_number(raw, layout.decimal_separator)
        except ValueError:
            notes.append(f"unreadable {name} value {raw!r}")
            return _NAN
        return _NAN if value is None else value

    def later_first(name: str) -> float:
        # The detailed block repeats some columns; its copy has full precision.
        value = number(name, 1)
        return number(name, 0) if math.isnan(value) else value

    raw_id = cell("Activity ID")
    raw_date = cell("Activity Date")
    type_label = cell("Activity Type")
    start = _parse_date(raw_date)
    if start is None:
        ident = f", Activity ID {raw_id}" if raw_id else ""
        warnings.warn(f"{path}: {where}{ident}: start {raw_date!r} is not a date this reader "
                      f"knows (English, German or ISO form) or lies outside "
                      f"{YEAR_RANGE[0]}-{YEAR_RANGE[1]}; dropped.", RunloadWarning, stacklevel=3)
        return None
    sport, sub_sport = text_sport(type_label)

    if len(positions.get("Distance", [])) >= 2:
        distance_m = number("Distance", 1)
    else:
        distance_m = number("Distance") * layout.lone_distance_m
        if layout.lone_distance_m != 1.0 and not math.isnan(distance_m):
            notes.append("distance read from the rounded display column, taken as km")
    elapsed_s, timer_s = _durations(later_first("Elapsed Time"), number("Moving Time"), notes)
    avg_hr = _positive(number("Average Heart Rate"))
    avg_power = number("Average Watts")
    cadence = _NAN
    if sport == "running":
        cadence = _positive(number("Average Cadence"))
        if cadence < PER_LEG_BELOW_SPM:
            notes.append(f"Average Cadence {cadence:g}/min read as one leg's and doubled")
            cadence *= 2
    values = dict(
        name=cell("Activity Name"), description=cell("Activity Description"),
        sport=sport, sub_sport=sub_sport, sport_label=type_label, start_utc=start,
        elapsed_s=elapsed_s, timer_s=timer_s, distance_m=distance_m,
        ascent_m=number("Elevation Gain"), descent_m=number("Elevation Loss"),
        avg_hr_bpm=avg_hr, max_hr_bpm=_positive(later_first("Max Heart Rate")),
        avg_cadence_spm=cadence,
        avg_speed_mps=_avg_speed(distance_m, timer_s, number("Average Speed")),
        max_speed_mps=number("Max Speed"), avg_power_w=avg_power,
        calories_kcal=number("Calories"),
        has_hr=not math.isnan(avg_hr), has_power=not math.isnan(avg_power),
    )
    activity_id = raw_id or _digest("\x1f".join(cells))
    if not raw_id:
        notes.append("no Activity ID: id made from the row's content")
    session = _session("strava_csv", f"strava-{activity_id}", path, values, notes)
    return SummaryActivity(session=session, filename=cell("Filename"), external_id=raw_id)


def _parse_number(raw: str, decimal: str) -> float | None:
    """A localized number (module docstring, "Numbers"); None when empty."""
    text = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not text:
        return None
    group = "," if decimal == "." else "."
    if decimal in text and group in text:
        mark = "," if text.rfind(",") > text.rfind(".") else "."
        other = "." if mark == "," else ","
        text = text.replace(other, "").replace(mark, ".")
    elif group in text:
        if _GROUPED[group].fullmatch(text):
            text = text.replace(group, "")
        elif group != "." or text.count(".") != 1:
            raise ValueError(raw)
    elif decimal in text:
        text = text.replace(decimal, ".")
    value = float(text)
    return value if math.isfinite(value) else None


def _parse_date(raw: str) -> pd.Timestamp | None:
    """Strava's ``Activity Date`` [UTC] in one of the three known forms, else None."""
    text = " ".join(raw.replace("\u202f", " ").replace("\u00a0", " ").split())
    try:
        match = _DATE_EN.fullmatch(text)
        if match:
            month = _MONTHS.get(match["mon"].lower())
            hour = int(match["H"])
            if month is None:
                return None
            if match["ampm"]:
                if not 1 <= hour <= 12:
                    return None
                hour = hour % 12 + (12 if match["ampm"][0] in "Pp" else 0)
            stamp = pd.Timestamp(int(match["y"]), month, int(match["d"]), hour,
                                 int(match["M"]), int(match["S"] or 0), tz="UTC")
        elif match := _DATE_DE.fullmatch(text):
            stamp = pd.Timestamp(int(match["y"]), int(match["m"]), int(match["d"]),
                                 int(match["H"]), int(match["M"]), int(match["S"] or 0), tz="UTC")
        elif _DATE_ISO.fullmatch(text):
            stamp = pd.Timestamp(text)
            stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        else:
            return None
    except ValueError:
        # Out-of-range fields (month 13, 31 February, hour 25) match the pattern only.
        return None
    return stamp if YEAR_RANGE[0] <= stamp.year <= YEAR_RANGE[1] else None


# --- Garmin -------------------------------------------------------------------------------

_GARMIN_KEY = "summarizedActivitiesExport"
_MIN_START_MS = pd.Timestamp(f"{YEAR_RANGE[0]}-01-01").value / 1e6
_END_START_MS = pd.Timestamp(f"{YEAR_RANGE[1] + 1}-01-01").value / 1e6


def _garmin_entries(doc: Any, path: str) -> Iterator[tuple[int, Any]]:
    """(index, entry) for every entry of a summarizedActivities document."""
    items = [doc] if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise CorruptFileError(path, f"not a Garmin summarizedActivities file: the JSON root is "
                               f"a {type(doc).__name__}, not a list or object")
    index = 0
    for item in items:
        if isinstance(item, dict) and _GARMIN_KEY in item:
            inner = item[_GARMIN_KEY]
            if not isinstance(inner, list):
                raise CorruptFileError(path, f"'{_GARMIN_KEY}' holds a "
                                       f"{type(inner).__name__}, not a list")
        elif isinstance(item, list):
            inner = item
        elif isinstance(item, dict) and "activityId" in item:
            inner = [item]
        else:
            raise CorruptFileError(path, f"not a Garmin summarizedActivities file: found a "
                                   f"{type(item).__name__} without '{_GARMIN_KEY}' or "
                                   f"'activityId'")
        for entry in inner:
            yield index, entry
            index += 1


def _garmin_entry(entry: dict[str, Any], external_id: str, path: str,
                  where: str) -> SummaryActivity | None:
    notes: list[str] = []
    gmt_ms = _time_ms(entry, "startTimeGmt", "startTimeGMT", "beginTimestamp")
    if gmt_ms is None or not _MIN_START_MS <= gmt_ms < _END_START_MS:
        ident = f" (activityId {external_id})" if external_id else ""
        warnings.warn(f"{path}: {where}{ident} has no readable start time (startTimeGmt or "
                      f"beginTimestamp in {YEAR_RANGE[0]}-{YEAR_RANGE[1]}); dropped.",
                      RunloadWarning, stacklevel=3)
        return None
    start = pd.Timestamp(round(gmt_ms), unit="ms", tz="UTC")
    offset_s = None
    local_ms = _time_ms(entry, "startTimeLocal")
    if local_ms is not None:
        offset_s = _quarter_hour_offset_s((local_ms - gmt_ms) / 1000.0)
        if offset_s is None:
            notes.append(f"startTimeLocal - startTimeGmt = {(local_ms - gmt_ms) / 1000.0:g} s "
                         f"is not a UTC offset; offset unknown")

    type_value = entry.get("activityType")
    if isinstance(type_value, dict):
        type_value = type_value.get("typeKey")
    if not isinstance(type_value, str) or not type_value.strip():
        type_value = entry.get("sportType")
    label = type_value.strip() if isinstance(type_value, str) else ""
    sport, sub_sport = text_sport(label or None)

    def num(key: str, scale: float = 1.0) -> float:
        value = entry.get(key)
        if isinstance(value, bool) or value is None:
            return _NAN
        try:
            result = float(value) * scale
        except (TypeError, ValueError):
            notes.append(f"unreadable {key} value {value!r}")
            return _NAN
        return result if math.isfinite(result) else _NAN

    timer_s = num("duration", 1e-3)
    if math.isnan(timer_s) and not math.isnan(moving := num("movingDuration", 1e-3)):
        timer_s = moving
        notes.append("timer time taken as movingDuration")
    elapsed_s, timer_s = _durations(num("elapsedDuration", 1e-3), timer_s, notes)
    distance_m = num("distance", 1e-2)
    cadence = _NAN
    if sport in FOOT_SPORTS:
        cadence = _positive(num("avgDoubleCadence"))
        if math.isnan(cadence):
            cadence = _positive(num("avgRunCadence")) * 2
    lat, lon = num("startLatitude"), num("startLongitude")
    has_gps = not (math.isnan(lat) or math.isnan(lon))
    avg_hr = _positive(num("avgHr"))
    avg_power = num("avgPower")
    maker = entry.get("manufacturer")
    values = dict(
        name=_text(entry.get("name")), description=_text(entry.get("description")),
        sport=sport, sub_sport=sub_sport, sport_label=label, start_utc=start,
        utc_offset_s=offset_s, tz_source="garmin_json" if offset_s is not None else "",
        start_lat_deg=lat if has_gps else _NAN, start_lon_deg=lon if has_gps else _NAN,
        elapsed_s=elapsed_s, timer_s=timer_s, distance_m=distance_m,
        ascent_m=num("elevationGain", 1e-2), descent_m=num("elevationLoss", 1e-2),
        avg_hr_bpm=avg_hr, max_hr_bpm=_positive(num("maxHr")), avg_cadence_spm=cadence,
        avg_speed_mps=_avg_speed(distance_m, timer_s, num("avgSpeed", 10.0)),
        max_speed_mps=num("maxSpeed", 10.0), avg_power_w=avg_power,
        calories_kcal=num("calories"),
        device_manufacturer=maker.strip().lower() if isinstance(maker, str) else "",
        has_gps=has_gps, has_hr=not math.isnan(avg_hr), has_power=not math.isnan(avg_power),
    )
    if entry.get("parent") is True:
        notes.append("multisport parent whose legs are not in this file")
    activity_id = external_id
    if not external_id:
        activity_id = _digest(json.dumps(entry, sort_keys=True, default=str))
        notes.append("no activityId: id made from the entry's content")
    session = _session("garmin_json", f"garmin-{activity_id}", path, values, notes)
    return SummaryActivity(session=session, filename="", external_id=external_id)


def _time_ms(entry: dict[str, Any], *keys: str) -> float | None:
    """The first of ``keys`` readable as epoch milliseconds (or naive ISO text), else None."""
    for key in keys:
        value = entry.get(key)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            if math.isfinite(value):
                return float(value)
            continue
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit():
                return float(text)
            if _NAIVE_ISO.fullmatch(text):
                # The API's text form: a clock reading, put on the same scale as the numbers.
                try:
                    return pd.Timestamp(text).value / 1e6
                except ValueError:
                    continue
    return None


def _quarter_hour_offset_s(offset_s: float) -> int | None:
    rounded = round(offset_s / _QUARTER_HOUR_S) * _QUARTER_HOUR_S
    if abs(rounded) > MAX_UTC_OFFSET_S or abs(offset_s - rounded) > OFFSET_SLACK_S:
        return None
    return int(rounded)


def _id_text(value: Any) -> str:
    """An id as exact text: JSON integers are exact in Python, whatever their size."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


# --- shared -------------------------------------------------------------------------------


def _durations(elapsed_s: float, timer_s: float, notes: list[str]) -> tuple[float, float]:
    if math.isnan(timer_s) and not math.isnan(elapsed_s):
        notes.append("timer time taken as the elapsed time (the summary has no timer time)")
        return elapsed_s, elapsed_s
    if math.isnan(elapsed_s) and not math.isnan(timer_s):
        notes.append("elapsed time taken as the timer time (the summary has no elapsed time)")
        return timer_s, timer_s
    return elapsed_s, timer_s


def _avg_speed(distance_m: float, timer_s: float, stated_mps: float) -> float:
    if not math.isnan(distance_m) and timer_s > 0:
        return distance_m / timer_s
    return stated_mps


def _positive(value: float) -> float:
    return value if value > 0 else _NAN


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _session(source_format: str, activity_id: str, path: str, values: dict[str, Any],
             notes: list[str]) -> dict[str, Any]:
    """A full sessions row for a summary-only activity: the fixed columns plus ``values``."""
    speed = values["avg_speed_mps"]
    if values["sport"] == "running" and not (
            math.isnan(speed) or RUN_SPEED_CHECK_MPS[0] <= speed <= RUN_SPEED_CHECK_MPS[1]):
        notes.append(f"average speed {speed:.2f} m/s is implausible for a run (wrong unit?)")
    row: dict[str, Any] = {
        "activity_id": activity_id, "source_path": str(path), "member_path": "",
        "source_format": source_format, "content_sha256": "", "decoder": source_format,
        "session_index": 0, "utc_offset_s": None, "tz_source": "", "tz_name": "",
        "start_lat_deg": _NAN, "start_lon_deg": _NAN, "device_manufacturer": "",
        "device_product": "", "has_gps": False, "is_manual": True, "is_partial": False,
        "n_records": 0, "is_summary_only": True, "device_file_id": "", "duplicate_of": "",
    }
    row.update(values)
    row["notes"] = "; ".join(notes)
    return row
