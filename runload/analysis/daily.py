"""Sessions to days: the runs that count, and one row per local calendar day.

Every windowed metric in runload starts from :func:`daily_table`: one row per
local calendar day, with days without a run present as rows of zeros
(science.md section 1: "Days with no run have load 0. Zeros matter").
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from runload.analysis.checks import require_frame
from runload.config import SURFACES
from runload.errors import RunloadWarning

#: Columns of the sessions table that :func:`runs` and :func:`daily_table` read.
SESSION_INPUT_COLUMNS = ("activity_id", "sport", "duplicate_of", "local_date", "start_utc",
                         "timer_s", "elapsed_s", "distance_m", "ascent_m", "descent_m")

#: Per-surface distance columns of :func:`daily_table`, in :data:`runload.config.SURFACES` order.
SURFACE_DISTANCE_COLUMNS = tuple(f"distance_{s}_m" for s in SURFACES)

#: Columns of :func:`daily_table`, in order.
DAILY_COLUMNS = ("runs", "distance_m", "duration_s", "ascent_m", "descent_m", "longest_run_m",
                 "longest_run_s", "load", *SURFACE_DISTANCE_COLUMNS, "is_rest_day")

_SUMMED = ("distance_m", "duration_s", "ascent_m", "descent_m", "load")


def _check_sessions(sessions: pd.DataFrame, func: str) -> None:
    require_frame(sessions, param="sessions", func=func, columns=SESSION_INPUT_COLUMNS,
                  kind="a sessions table (runload.schema.SESSION_COLUMNS)")


def runs(sessions: pd.DataFrame) -> pd.DataFrame:
    """The running sessions that count towards load.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table (:data:`runload.schema.SESSION_COLUMNS`); needs ``sport``,
        ``duplicate_of``, ``local_date`` and ``start_utc``.

    Returns
    -------
    pandas.DataFrame
        A copy of the rows with ``sport == 'running'`` (any ``sub_sport``:
        street, trail, track, treadmill, virtual ...), ``duplicate_of == ''``
        (the copy kept by de-duplication) and a known ``local_date``, sorted by
        ``start_utc`` (then ``activity_id``; NaT starts last).  The input's
        index labels are kept.

    Raises
    ------
    TypeError
        If ``sessions`` is not a DataFrame.
    ValueError
        If a needed column is missing.

    Notes
    -----
    science.md section 1: a session counts when its sport is running, whatever
    its sub-sport.  Sessions without a local date cannot be put on a day and
    are left out.  Manual and summary-only runs are kept: their distance may be
    NaN, which :func:`daily_table` counts as 0.

    Examples
    --------
    >>> from runload.schema import sessions_frame
    >>> s = sessions_frame([
    ...     {"activity_id": "b", "sport": "running", "local_date": "2024-03-02",
    ...      "start_utc": "2024-03-02 07:00Z"},
    ...     {"activity_id": "a", "sport": "running", "local_date": "2024-03-01",
    ...      "start_utc": "2024-03-01 07:00Z"},
    ...     {"activity_id": "c", "sport": "cycling", "local_date": "2024-03-01",
    ...      "start_utc": "2024-03-01 09:00Z"}])
    >>> runs(s)["activity_id"].tolist()
    ['a', 'b']
    """
    _check_sessions(sessions, "runs")
    is_running = sessions["sport"].eq("running").fillna(False).to_numpy(dtype=bool)
    is_kept = sessions["duplicate_of"].fillna("").eq("").to_numpy(dtype=bool)
    is_dated = sessions["local_date"].notna().to_numpy(dtype=bool)
    chosen = sessions.loc[is_running & is_kept & is_dated]
    return chosen.sort_values(["start_utc", "activity_id"], kind="stable",
                              na_position="last").copy()


def session_surface(sessions: pd.DataFrame) -> pd.Series:
    """The running surface of each session, with unclassified sessions as 'unknown'.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table; ``surface`` is read when present.

    Returns
    -------
    pandas.Series
        On ``sessions``' index, dtype string, named ``surface``: one of
        :data:`runload.config.SURFACES`.  '' (not classified yet), a missing
        value or a missing ``surface`` column give 'unknown'.

    Raises
    ------
    ValueError
        If a surface is not one of :data:`runload.config.SURFACES`.

    Examples
    --------
    >>> from runload.schema import sessions_frame
    >>> session_surface(sessions_frame([{"surface": "trail"}, {}])).tolist()
    ['trail', 'unknown']
    """
    if "surface" not in sessions.columns:
        return pd.Series("unknown", index=sessions.index, dtype="string", name="surface")
    surface = sessions["surface"].astype("string").fillna("")
    surface = surface.mask(surface.eq(""), "unknown").rename("surface")
    bad = ~surface.isin(SURFACES).to_numpy(dtype=bool)
    if bad.any():
        raise ValueError(f"The sessions column 'surface' must hold one of {list(SURFACES)} "
                         f"or ''. Got {surface[bad].iloc[0]!r} instead.")
    return surface


def _empty_daily(unit: str) -> pd.DataFrame:
    index = pd.DatetimeIndex([], dtype=f"datetime64[{unit}]", name="local_date", freq="D")
    frame = pd.DataFrame({c: pd.Series([], dtype="float64", index=index) for c in DAILY_COLUMNS})
    return frame.astype({"runs": "int64", "is_rest_day": "bool"})


def _as_of_day(as_of: pd.Timestamp | None) -> pd.Timestamp | None:
    if as_of is None:
        return None
    try:
        stamp = pd.Timestamp(as_of)
    except (TypeError, ValueError) as exc:
        raise TypeError("The 'as_of' parameter of daily_table must be a pandas Timestamp, "
                        f"a date or None. Got {as_of!r} instead.") from exc
    if stamp is pd.NaT:
        raise ValueError("The 'as_of' parameter of daily_table must be a date. Got NaT instead.")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def daily_table(sessions: pd.DataFrame, *, load: pd.Series | None = None,
                as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per local calendar day: runs, distance, time, climb and load.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table (:data:`runload.schema.SESSION_COLUMNS`); needs
        ``activity_id``, ``sport``, ``duplicate_of``, ``local_date``,
        ``start_utc``, ``timer_s`` [s], ``elapsed_s`` [s], ``distance_m`` [m],
        ``ascent_m`` [m] and ``descent_m`` [m].  Only :func:`runs` count.
    load : pandas.Series, optional
        Load of each session [any load unit, e.g. TRIMP], indexed by
        ``activity_id``.  Default: each run's duration [s].
    as_of : pandas.Timestamp, optional
        The day the analysis is made for ("today"); the table runs to it, with
        rest days after the last run.  A tz-aware stamp is taken at its own
        wall-clock date.  Default: the last run's day.  Runs after ``as_of``
        are kept (the table then ends at the last run's day).

    Returns
    -------
    pandas.DataFrame
        Index ``local_date`` (DatetimeIndex, freq ``'D'``): every day from the
        first run's day to ``max(last run's day, as_of)``.  Columns:

        - ``runs`` (int64): number of runs that day.
        - ``distance_m`` [m], ``duration_s`` [s], ``ascent_m`` [m],
          ``descent_m`` [m], ``load`` [load unit]: sums over the day's runs.
        - ``longest_run_m`` [m], ``longest_run_s`` [s]: the day's longest run by
          distance and by duration (0 on rest days).
        - ``distance_road_m``, ``distance_trail_m``, ``distance_track_m``,
          ``distance_treadmill_m``, ``distance_indoor_m``,
          ``distance_unknown_m`` [m]: the day's distance on each surface
          (:func:`session_surface`: a session without a surface counts as
          unknown); they add up to ``distance_m``.
        - ``is_rest_day`` (bool): no run that day.

        Rest days are rows of zeros.  No runs: an empty table with these columns.

    Raises
    ------
    TypeError
        If ``sessions`` is not a DataFrame or ``as_of`` is not a date.
    ValueError
        If a sessions column is missing, a ``surface`` is not one of
        :data:`runload.config.SURFACES`, or ``load``'s index repeats an
        ``activity_id``.

    Warns
    -----
    RunloadWarning
        If some runs have no entry in ``load`` (they add 0 to that day's load).

    Notes
    -----
    - Day: the local calendar date at the session start (``local_date``), so a
      day around a DST change is still one row; science.md section 1.
    - Duration is the timer (moving) time ``timer_s``, or ``elapsed_s`` when the
      file has no timer time (science.md section 1: "moving time, not elapsed").
    - Missing values count as 0 in the sums: a summary-only or manual run
      without a distance (or a treadmill run without a foot pod, whose distance
      may be absent) adds its duration but no distance; so do NaN ascents.
      ``runs`` still counts it.  A NaN ``load`` adds 0.
    - The table starts at the first run: days before it are unknown, not rest.

    Examples
    --------
    >>> from runload.schema import sessions_frame
    >>> s = sessions_frame([
    ...     {"activity_id": "a", "sport": "running", "local_date": "2024-03-01",
    ...      "start_utc": "2024-03-01 07:00Z", "timer_s": 1800.0, "distance_m": 5000.0},
    ...     {"activity_id": "b", "sport": "running", "local_date": "2024-03-03",
    ...      "start_utc": "2024-03-03 07:00Z", "timer_s": 3600.0, "distance_m": 10000.0}])
    >>> d = daily_table(s)
    >>> d["distance_m"].tolist(), d["is_rest_day"].tolist()
    ([5000.0, 0.0, 10000.0], [False, True, False])
    >>> str(d.index[1].date()), d.index.freqstr
    ('2024-03-02', 'D')
    """
    _check_sessions(sessions, "daily_table")
    if load is not None and not isinstance(load, pd.Series):
        raise TypeError("The 'load' parameter of daily_table must be a pandas Series indexed "
                        f"by activity_id, or None. Got {type(load).__name__} instead.")
    end_day = _as_of_day(as_of)
    chosen = runs(sessions)
    date_dtype = sessions["local_date"].dtype
    unit = np.datetime_data(date_dtype)[0] if date_dtype.kind == "M" else "us"
    if chosen.empty:
        return _empty_daily(unit)

    duration_s = chosen["timer_s"].where(chosen["timer_s"].notna(), chosen["elapsed_s"])
    if load is None:
        run_load = duration_s
    else:
        if load.index.has_duplicates:
            raise ValueError("The 'load' parameter of daily_table must have one value per "
                             "activity_id; its index repeats "
                             f"{sorted(set(load.index[load.index.duplicated()]))[:5]}.")
        ids = chosen["activity_id"].astype(object)
        absent = ~ids.isin(load.index)
        if absent.any():
            warnings.warn(f"{int(absent.sum())} run(s) have no entry in 'load' "
                          f"(e.g. {ids[absent].iloc[0]!r}); they add 0 to the daily load.",
                          RunloadWarning, stacklevel=2)
        run_load = pd.Series(load.reindex(ids.to_numpy()).to_numpy(dtype="float64"),
                             index=chosen.index)
    distance_m = chosen["distance_m"].astype("float64")
    surface = session_surface(chosen).to_numpy(dtype=object)
    per_run = pd.DataFrame({
        "local_date": chosen["local_date"],
        "distance_m": distance_m,
        "duration_s": duration_s.astype("float64"),
        "ascent_m": chosen["ascent_m"].astype("float64"),
        "descent_m": chosen["descent_m"].astype("float64"),
        "load": run_load.astype("float64"),
        # NaN stays NaN on its own surface and sums as 0, as in distance_m, so the
        # surface columns add up to distance_m exactly.
        **{column: distance_m.where(surface == name, 0.0)
           for name, column in zip(SURFACES, SURFACE_DISTANCE_COLUMNS, strict=True)},
    })
    grouped = per_run.groupby("local_date", sort=True)
    per_day = grouped[[*_SUMMED, *SURFACE_DISTANCE_COLUMNS]].sum(min_count=0)
    per_day["runs"] = grouped.size()
    per_day["longest_run_m"] = grouped["distance_m"].max()
    per_day["longest_run_s"] = grouped["duration_s"].max()

    first, last = per_day.index[0], per_day.index[-1]
    if end_day is not None and end_day > last:
        last = end_day
    days = pd.date_range(first, last, freq="D", name="local_date", unit=unit)
    table = per_day.reindex(days).fillna(0.0)
    table["runs"] = table["runs"].astype("int64")
    table["is_rest_day"] = table["runs"].eq(0)
    return table[list(DAILY_COLUMNS)]
