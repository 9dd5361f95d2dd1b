"""The glossary: every table runload produces, its columns, units and dtypes.

A column name carries its unit (``distance_m``, ``hr_bpm``, ``_frac`` for
fractions).  Times are stored as tz-aware UTC plus the local offset in
seconds, never as per-row local zones: a tz-aware column must hold one zone.

Tables
------
sessions
    One row per activity session.  A multisport FIT file gives one row per
    leg (transitions are dropped); GPX and TCX files give one row per track
    or activity.  See :data:`SESSION_COLUMNS`.
streams
    Per-record samples of one session, on demand.  See :data:`STREAM_COLUMNS`.
files
    One row per input file a scan looked at, with what became of it.  See
    :data:`FILE_COLUMNS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

UTC_DTYPE = "datetime64[us, UTC]"


@dataclass(frozen=True)
class Column:
    """One column of a runload table.

    Parameters
    ----------
    name : str
        Column name; ends with its unit where it has one.
    dtype : str
        pandas dtype the column is stored in.
    description : str
        Meaning, with the unit in brackets.
    """

    name: str
    dtype: str
    description: str


def _columns(*cols: Column) -> dict[str, Column]:
    return {c.name: c for c in cols}


SESSION_COLUMNS: dict[str, Column] = _columns(
    Column("activity_id", "string",
           "Stable id: first 16 hex digits of the SHA-256 of the decompressed file "
           "content, '-', the session's index in the file."),
    Column("source_path", "string", "Path of the file as given (or the archive holding it)."),
    Column("member_path", "string",
           "Path inside an archive ('!'-joined through nested archives, e.g. "
           "'DI_CONNECT/.../UploadedFiles_0-_Part1.zip!user_123.fit'), '' for a plain file."),
    Column("source_format", "string",
           "Content format: 'fit', 'gpx', 'tcx', or for summary-only activities "
           "'strava_csv' (a row of Strava's activities.csv) or 'garmin_json' (an entry of "
           "Garmin's summarizedActivities.json)."),
    Column("content_sha256", "string", "SHA-256 of the decompressed file content (hex)."),
    Column("decoder", "string",
           "What decoded the file: 'runload-fit' (runload's fast FIT decoder), "
           "'fitparse' (fallback), 'gpx' or 'tcx'."),
    Column("session_index", "int16", "Index of the session within its file (0-based)."),
    Column("sport", "string",
           "Normalised sport, in FIT's vocabulary: 'running', 'cycling', 'walking', "
           "'hiking', 'swimming', 'generic' (unspecified), 'unknown_<n>' for FIT numbers "
           "newer than the profile. See runload.readers.sports."),
    Column("sub_sport", "string",
           "Normalised sub-sport in FIT's vocabulary ('generic', 'treadmill', 'street', "
           "'trail', 'track', 'indoor_running', 'virtual_activity', ...)."),
    Column("sport_label", "string",
           "The sport label exactly as the file gave it (FIT 'running/treadmill' or "
           "numbers such as '54/60', GPX <type> text, TCX Sport attribute)."),
    Column("name", "string", "Activity name, '' when none."),
    Column("description", "string", "Free-text description (Strava), '' when none."),
    Column("start_utc", UTC_DTYPE, "Session start [UTC]; NaT when the file has no real date."),
    Column("utc_offset_s", "Int32",
           "Local time minus UTC at the start [s], when known; <NA> otherwise."),
    Column("tz_source", "string",
           "Where utc_offset_s came from, in order of trust: 'fit_local_timestamp', "
           "'file_offset' (ISO-8601 offset written in a GPX/TCX time), 'garmin_json' "
           "(startTimeLocal - startTimeGmt), 'gps_lookup' (time zone of the first GPS fix, "
           "with that date's DST), 'user_default' (--tz), 'assumed_utc'; '' before "
           "resolution."),
    Column("tz_name", "string",
           "IANA time zone used when the offset came from a zone (gps_lookup, "
           "user_default), else ''."),
    Column("start_local", "datetime64[us]",
           "Local wall-clock start: start_utc + utc_offset_s (naive); NaT when unknown."),
    Column("local_date", "datetime64[us]",
           "Local calendar day the session counts for (midnight of start_local); NaT "
           "when unknown."),
    Column("start_lat_deg", "float64", "Latitude of the first GPS fix [deg]; NaN without GPS."),
    Column("start_lon_deg", "float64", "Longitude of the first GPS fix [deg]; NaN without GPS."),
    Column("elapsed_s", "float64", "Wall-clock duration from start to end, pauses included [s]."),
    Column("timer_s", "float64", "Timer (recording) time, pauses excluded [s]."),
    Column("distance_m", "float64", "Distance [m]."),
    Column("ascent_m", "float64", "Total ascent [m]."),
    Column("descent_m", "float64", "Total descent [m]."),
    Column("avg_hr_bpm", "float64", "Average heart rate [1/min]."),
    Column("max_hr_bpm", "float64", "Maximum heart rate [1/min]."),
    Column("avg_cadence_spm", "float64",
           "Average cadence in steps per minute (both legs) [1/min]; FIT and TCX running "
           "cadence is per leg and is doubled. NaN for non-foot sports."),
    Column("avg_temperature_c", "float64",
           "Average temperature the device measured [degC]: the air next to the body (a watch "
           "on the wrist reads warmer than the shade: skin, sun), not the weather report. FIT "
           "session avg_temperature, else the mean of the records; NaN without them (GPX, TCX "
           "and summary-only sessions)."),
    Column("max_temperature_c", "float64",
           "Highest temperature the device measured [degC] (see avg_temperature_c). FIT session "
           "max_temperature, else the records' maximum; NaN without them."),
    Column("avg_speed_mps", "float64", "Average speed [m/s]."),
    Column("max_speed_mps", "float64", "Maximum speed [m/s]."),
    Column("avg_power_w", "float64", "Average power [W] (native, or Stryd developer field)."),
    Column("calories_kcal", "float64", "Energy [kcal] as the device reported it."),
    # Track features (runload.readers.track_features): summaries of the stream computed at
    # import for foot sports and unspecified ones, read by the surface inference; NaN
    # without records, for other sports, or where not computable.
    Column("gps_fix_frac", "float64", "Records with a GPS position / records [0-1]."),
    Column("track_bbox_diag_m", "float64",
           "Diagonal of the bounding box of the GPS fixes, 1st-99th percentile of latitude and "
           "longitude [m] (a 400 m track: ~175 m)."),
    Column("track_turns_per_km", "float64",
           "Net heading rotation per 1 km block, sign dropped, in full turns per km of GPS "
           "path [1/km] (laps of a 400 m track: 2.5)."),
    Column("track_lap_m", "float64",
           "Dominant lap length along the GPS path, 150-1000 m, by closest returns [m]; NaN "
           "when under 20 % of the path comes back."),
    Column("track_return_frac", "float64",
           "Share of the GPS path back within 20 m one lap later [0-1]; with no lap, the best "
           "share found (under 0.2)."),
    Column("sinuosity", "float64",
           "Median over 200 m windows of path length / straight-line distance [ratio, >= 1]."),
    Column("turn_density_per_km", "float64",
           "Heading changes above 45 deg between consecutive 20 m segments, per km of GPS "
           "path [1/km]."),
    Column("grade_std_frac", "float64",
           "Standard deviation of the grade over 500 m of distance, from altitude averaged "
           "in 50 m bins [fraction, 0.05 = 5 %]."),
    Column("elev_roughness_m_per_km", "float64",
           "Ascent plus descent of the 50 m-binned altitude with a 3 m hysteresis, per km "
           "[m/km]."),
    Column("speed_cv", "float64",
           "Coefficient of variation (std / mean) of the 30 s moving speed [ratio]."),
    Column("speed_cv_same_hr", "float64",
           "Coefficient of variation of the 30 s moving speed within 5/min heart-rate bands, "
           "pooled [ratio]; NaN without heart rate."),
    Column("device_manufacturer", "string", "Device maker ('garmin', 'suunto', ...), '' unknown."),
    Column("device_product", "string", "Device product name or number, '' unknown."),
    Column("has_gps", "bool", "At least one record has a position."),
    Column("has_hr", "bool", "At least one record (or the summary) has heart rate."),
    Column("has_power", "bool", "At least one record has power."),
    Column("is_manual", "bool", "A session with no records (manual entry, summary only)."),
    Column("is_partial", "bool",
           "Recovered from a damaged file (truncated, bad CRC, undefined message); the "
           "values cover what was intact."),
    Column("n_records", "int64", "Number of per-record samples in the session."),
    Column("surface", "string",
           "Running surface: 'road', 'trail', 'track', 'treadmill', 'indoor' or 'unknown'; '' "
           "before classification (runload.analysis.surface)."),
    Column("surface_source", "string",
           "Where ``surface`` came from: 'device_label' (FIT sub_sport), 'file_type' (GPX/TCX "
           "type text), 'inferred' (from the track), 'user_override'; '' before classification."),
    Column("surface_confidence", "float64",
           "How sure the surface is [0-1]: 1 for device labels and overrides."),
    Column("is_summary_only", "bool",
           "Known only from a summary (Strava CSV row or Garmin JSON entry without a file)."),
    Column("device_file_id", "string",
           "FIT identity 'manufacturer:serial_number:time_created' from file_id (the same "
           "recording re-encoded keeps it), '' when unknown."),
    Column("duplicate_of", "string",
           "activity_id of the copy kept when this session is a duplicate, '' otherwise."),
    Column("notes", "string", "Problems met while reading, '; '-separated, '' when none."),
)

STREAM_COLUMNS: dict[str, Column] = _columns(
    Column("time_utc", UTC_DTYPE, "Sample time [UTC]; NaT when the file has no times."),
    Column("elapsed_s", "float64", "Time since the session start [s]."),
    Column("lat_deg", "float64", "Latitude [deg, WGS84]."),
    Column("lon_deg", "float64", "Longitude [deg, WGS84]."),
    Column("distance_m", "float64", "Cumulative distance [m]."),
    Column("speed_mps", "float64", "Speed [m/s]."),
    Column("altitude_m", "float64", "Altitude [m]."),
    Column("hr_bpm", "float64", "Heart rate [1/min]."),
    Column("cadence_spm", "float64",
           "Cadence in steps per minute, both legs [1/min]; NaN for non-foot sports."),
    Column("temperature_c", "float64",
           "Temperature the device measured [degC]: near the body, not the weather."),
    Column("power_w", "float64", "Power [W]."),
)

FILE_COLUMNS: dict[str, Column] = _columns(
    Column("source_path", "string", "Path of the file as given (or the archive holding it)."),
    Column("member_path", "string", "Path inside an archive or '' for a plain file."),
    Column("source_format", "string", "Content format ('fit', 'gpx', 'tcx') or '' if unknown."),
    Column("status", "string",
           "'read', 'partial' (damaged, data kept), 'not_activity' (valid file with no "
           "activity: monitoring, settings, route, course) or 'failed'."),
    Column("reason", "string", "Why a file is partial, not an activity, or failed."),
    Column("n_sessions", "int64", "Sessions taken from the file."),
    Column("decoder", "string", "What decoded the file (see sessions.decoder)."),
)

FLAG_COLUMNS: dict[str, Column] = _columns(
    Column("flag_id", "string", "Rule id: 'F-SPIKE', 'F-LAYOFF', 'F-WEEK30', 'F-ONEVAR', 'F-SURFACE', "
           "'F-NOREST', 'F-MONOTONY', 'F-RAMP', 'F-TSB', 'F-DOWNHILL'."),
    Column("scope", "string", "What the flag concerns: 'session', 'day' or 'week'."),
    Column("activity_id", "string", "The session flagged ('' for day and week flags)."),
    Column("local_date", "datetime64[us]", "Local day of the session or day flagged; for a "
           "week, its first day."),
    Column("severity", "string", "'info', 'caution', 'warning' or 'high'."),
    Column("value", "float64", "The measured value, in ``unit``."),
    Column("threshold", "float64", "The threshold it crossed, in ``unit``."),
    Column("unit", "string", "Unit of value and threshold: 'frac' (0.10 = 10 %), 'm', 's', "
           "'days', 'ratio', 'count', 'load/week', 'load'."),
    Column("message", "string", "The flag in plain words, with the numbers and dates."),
    Column("evidence_grade", "string", "'moderate', 'weak' or 'expert opinion' (science.md)."),
    Column("citation_key", "string", "Key into runload.analysis.references.REFERENCES."),
)

#: Body regions a pain journal may name.
PAIN_REGIONS = ("lower_back", "hip", "knee", "shin", "foot", "other")
#: When the pain was felt, if the runner says.
PAIN_TIMINGS = ("", "during", "after", "next_morning")

PAIN_ENTRY_COLUMNS: dict[str, Column] = _columns(
    Column("line", "int64", "Line of the journal file the entry is on (1 = the header)."),
    Column("local_date", "datetime64[us]", "Local calendar day the pain was felt."),
    Column("region", "string", "Body region, one of PAIN_REGIONS."),
    Column("severity", "int64", "Pain 0-10 as the runner rated it (0 = none)."),
    Column("timing", "string", "'during', 'after', 'next_morning' or '' (not said)."),
    Column("note", "string", "The runner's note, as written."),
)

PAIN_EPISODE_COLUMNS: dict[str, Column] = _columns(
    Column("episode_id", "string", "'<region>-<onset YYYY-MM-DD>', unique per journal."),
    Column("region", "string", "Body region of the episode."),
    Column("onset_date", "datetime64[us]",
           "First day at or above the severity threshold after at least the pain-free days."),
    Column("end_date", "datetime64[us]",
           "Last day at or above the threshold before an entry below it; NaT while open."),
    Column("last_entry_date", "datetime64[us]", "Last journal entry of the episode."),
    Column("peak_severity", "int64", "Highest severity in the episode."),
    Column("n_entries", "int64", "Journal entries in the episode (from onset to its end)."),
    Column("is_open", "bool", "No entry below the threshold since the onset."),
    Column("days_since_previous", "float64",
           "Days from the previous episode's end in the same region to this onset; NaN "
           "for the first (or when the previous is open)."),
)

PAIN_EXPOSURE_COLUMNS: dict[str, Column] = _columns(
    Column("episode_id", "string", "The episode (PAIN_EPISODE_COLUMNS)."),
    Column("region", "string", "Its body region."),
    Column("onset_date", "datetime64[us]", "Its onset day."),
    Column("window_days", "int64",
           "Length of the window before the onset [days]: the window is the days "
           "onset - window_days to onset - 1."),
    Column("quantity", "string",
           "What was measured: 'distance_m', 'weekly_change_frac', 'max_spike_frac', "
           "'rest_days', 'longest_streak_days', 'trail_share_frac', "
           "'surface_change_frac', 'ascent_m', 'descent_m', 'monotony', "
           "'runs_after_layoff'."),
    Column("unit", "string", "Unit of value and usual_median: 'm', 'frac', 'days', 'ratio', "
           "'count'."),
    Column("value", "float64", "The quantity in the window before this onset."),
    Column("usual_median", "float64",
           "Median of the same quantity over every other window of the same length in the "
           "history (windows overlapping this one excluded)."),
    Column("ratio_to_usual", "float64", "value / usual_median; NaN when the median is 0."),
    Column("percentile", "float64",
           "Percentile rank [0-100] of value among those other windows (ties count half)."),
    Column("n_windows", "int64", "How many other windows the comparison used."),
    Column("stands_out", "bool",
           "percentile >= the rule's stands_out_percentile or <= 100 minus it."),
)

FILE_STATUSES = ("read", "partial", "not_activity", "failed")
_STREAM_FLOAT_COLUMNS = pd.Index(list(STREAM_COLUMNS)[1:])

_MISSING: dict[str, Any] = {"string": "", "bool": False, "int16": 0, "int64": 0}


def _frame(rows: list[dict[str, Any]], columns: dict[str, Column], table: str) -> pd.DataFrame:
    unknown = {k for row in rows for k in row} - set(columns)
    if unknown:
        raise ValueError(f"Unknown {table} column(s) {sorted(unknown)}; see runload.schema.")
    data: dict[str, Any] = {}
    for name, col in columns.items():
        values = [row.get(name) for row in rows]
        if col.dtype in _MISSING:
            fill = _MISSING[col.dtype]
            values = [fill if v is None else v for v in values]
        if col.dtype == UTC_DTYPE:
            data[name] = pd.to_datetime(pd.Series(values, dtype="object"), utc=True).astype(UTC_DTYPE)
        elif col.dtype == "datetime64[us]":
            data[name] = pd.to_datetime(pd.Series(values, dtype="object")).astype(col.dtype)
        elif col.dtype == "float64":
            data[name] = pd.Series(
                [np.nan if v is None else v for v in values], dtype="float64")
        else:
            data[name] = pd.Series(values, dtype=col.dtype)
    return pd.DataFrame(data)


def sessions_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Build a sessions table from row dicts, in glossary order and dtypes.

    Parameters
    ----------
    rows : list of dict
        One dict per session; keys are :data:`SESSION_COLUMNS` names.  Missing
        keys become the column's missing value (NaN, <NA>, NaT, '' or False).

    Returns
    -------
    pandas.DataFrame
        Columns exactly :data:`SESSION_COLUMNS`.

    Raises
    ------
    ValueError
        If a row has a key that is not a sessions column.
    """
    return _frame(rows, SESSION_COLUMNS, "sessions")


def files_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Build a files table (one row per input file) from row dicts."""
    return _frame(rows, FILE_COLUMNS, "files")


def flags_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Build a flags table (one row per flag) from row dicts."""
    return _frame(rows, FLAG_COLUMNS, "flags")


def pain_entries_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Build a pain journal table (one row per entry) from row dicts."""
    return _frame(rows, PAIN_ENTRY_COLUMNS, "pain_entries")


def pain_episodes_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Build a pain episodes table from row dicts."""
    return _frame(rows, PAIN_EPISODE_COLUMNS, "pain_episodes")


def pain_exposures_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Build a pain exposures table (long format) from row dicts."""
    return _frame(rows, PAIN_EXPOSURE_COLUMNS, "pain_exposures")


def empty_stream() -> pd.DataFrame:
    """A streams table with no rows and the glossary's columns."""
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in STREAM_COLUMNS.values()})


def validate_columns(df: pd.DataFrame, table: str) -> None:
    """Check that ``df`` has exactly the columns and dtypes of a runload table.

    Parameters
    ----------
    df : pandas.DataFrame
    table : {'sessions', 'streams', 'files', 'flags', 'pain_entries', 'pain_episodes', \
'pain_exposures'}

    Raises
    ------
    ValueError
        Naming the missing or extra columns, or the first column whose dtype is
        wrong.
    """
    columns = {"sessions": SESSION_COLUMNS, "streams": STREAM_COLUMNS, "files": FILE_COLUMNS,
               "flags": FLAG_COLUMNS, "pain_entries": PAIN_ENTRY_COLUMNS,
               "pain_episodes": PAIN_EPISODE_COLUMNS,
               "pain_exposures": PAIN_EXPOSURE_COLUMNS}[table]
    missing = [c for c in columns if c not in df.columns]
    extra = [c for c in df.columns if c not in columns]
    if missing or extra:
        raise ValueError(f"The {table} table must have columns {list(columns)}; "
                         f"missing {missing}, unexpected {extra}.")
    for name, col in columns.items():
        if str(df[name].dtype) != col.dtype:
            raise ValueError(f"The {table} column {name!r} must have dtype {col.dtype}; "
                             f"got {df[name].dtype}.")


def stream_frame(time_utc: Any = None, **arrays: Any) -> pd.DataFrame:
    """Build a streams table from per-record arrays.

    Parameters
    ----------
    time_utc : array-like of int64 microseconds since the Unix epoch, or of
        datetimes, optional
        Sample times; NaT where unknown.
    **arrays : array-like of float
        Any other :data:`STREAM_COLUMNS` by name; columns not given are NaN.

    Returns
    -------
    pandas.DataFrame
        Columns exactly :data:`STREAM_COLUMNS`.
    """
    unknown = set(arrays) - set(STREAM_COLUMNS)
    if unknown:
        raise ValueError(f"Unknown streams column(s) {sorted(unknown)}; see runload.schema.")
    lengths = {len(a) for a in arrays.values()}
    if time_utc is not None:
        lengths.add(len(time_utc))
    if len(lengths) > 1:
        raise ValueError(f"Stream arrays must have one length; got lengths {sorted(lengths)}.")
    n = lengths.pop() if lengths else 0
    if time_utc is None:
        times = pd.DatetimeIndex(np.full(n, np.datetime64("NaT"), dtype="datetime64[us]"),
                                 tz="UTC")
    else:
        arr = np.asarray(time_utc)
        if arr.dtype.kind in "iu":
            arr = arr.astype("datetime64[us]")
        if arr.dtype.kind == "M":
            times = pd.DatetimeIndex(arr.astype("datetime64[us]"), tz="UTC")
        else:
            times = pd.DatetimeIndex(pd.to_datetime(arr, utc=True)).as_unit("us")
    # One float block built at once, with a prebuilt column index: a per-column
    # DataFrame costs several times more, and a stream is built for every session read.
    block = np.empty((n, len(_STREAM_FLOAT_COLUMNS)), dtype="float64")
    for j, name in enumerate(_STREAM_FLOAT_COLUMNS):
        values = arrays.get(name)
        block[:, j] = np.nan if values is None else values
    frame = pd.DataFrame(block, columns=_STREAM_FLOAT_COLUMNS, copy=False)
    frame.insert(0, "time_utc", times.array)
    return frame
