"""Volume over weeks: calendar weeks, rolling 7-day windows, and their flags.

Two week conventions (science.md section 1):

- :func:`rolling_7d`: 7-day windows ending on each day, as Nielsen 2014 and
  Frandsen 2025 used.  This is what the F-WEEK30 flag reads
  (:func:`weekly_jump_flags`).
- :func:`weekly_table`: calendar weeks, for display and for the "change one
  thing at a time" flag (:func:`one_variable_flags`).  Calendar weeks make
  artefacts (a Sunday long run and a Monday long run land in different weeks),
  which is why no injury-linked flag is built on them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from runload.analysis.checks import require_frame
from runload.analysis.daily import SURFACE_DISTANCE_COLUMNS, daily_table, runs
from runload.analysis.words import day, distance, pct
from runload.config import SURFACES, OneVariableRule, WeeklyJumpRule

#: Day names accepted by ``week_start``, Monday first (pandas ``day_of_week`` order).
WEEK_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

#: Nielsen 2014's progression categories, as labels of ``change_bin``.
CHANGE_BINS = ("<10% or less", "10-30%", ">30%")

#: Upper edges of the first two categories [fraction]; each bin includes its upper edge
#: (Nielsen 2014: "<10 %", "10-30 %", ">30 %"; Frandsen 2025: "<=10 %" is the reference).
CHANGE_BIN_EDGES_FRAC = (0.10, 0.30)

#: The top progression category of Nielsen 2014 [fraction], quoted in F-WEEK30 messages.
NIELSEN_TOP_FRAC = 0.30

#: F-WEEK30 must never fire at the "10 % rule": it was not protective in an RCT (Buist 2008).
TEN_PERCENT_RULE_FRAC = 0.10

_DAILY_NEEDED = ("runs", "distance_m", "duration_s", "ascent_m", "descent_m", "longest_run_m",
                 "is_rest_day")

#: Per-surface share-of-distance columns of :func:`weekly_table`, in SURFACES order.
SURFACE_SHARE_COLUMNS = tuple(f"share_{s}_frac" for s in SURFACES)

#: Surfaces whose weekly share feeds the one-variable flag: 'unknown' is no surface, and a
#: week going from unknown to known (a new watch) would otherwise read as a change.
KNOWN_SURFACES = tuple(s for s in SURFACES if s != "unknown")

WEEKLY_COLUMNS = ("days", "runs", "rest_days", "distance_m", "duration_s", "ascent_m",
                  "descent_m", "longest_run_m", "avg_speed_mps", "avg_pace_s_per_km",
                  "change_frac", "change_bin", "base_ok", *SURFACE_DISTANCE_COLUMNS,
                  *SURFACE_SHARE_COLUMNS)

ROLLING_COLUMNS = ("distance_7d_m", "prev_distance_7d_m", "runs_7d", "prev_runs_7d",
                   "rest_days_7d", "change_frac", "change_bin", "base_ok")


def _check_daily(daily: pd.DataFrame, func: str, needed: tuple[str, ...] = _DAILY_NEEDED) -> None:
    require_frame(daily, param="daily", func=func, columns=needed,
                  kind="a daily table (from daily_table)")
    index = daily.index
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError(f"The 'daily' parameter of {func} must be indexed by local_date "
                         f"(a DatetimeIndex). Got {type(index).__name__} instead.")
    if not (np.diff(index.to_numpy()) == np.timedelta64(1, "D")).all():
        raise ValueError(f"The 'daily' parameter of {func} must have one row per day, "
                         "without gaps or repeats (as daily_table returns it).")


def _check_base(min_base_m: float, min_base_runs: int, func: str) -> None:
    if not min_base_m >= 0:
        raise ValueError(f"The 'min_base_m' parameter of {func} must be a float >= 0. "
                         f"Got {min_base_m!r} instead.")
    if isinstance(min_base_runs, bool) or not isinstance(min_base_runs, int | np.integer) \
            or min_base_runs < 0:
        raise ValueError(f"The 'min_base_runs' parameter of {func} must be an int >= 0. "
                         f"Got {min_base_runs!r} instead.")


def _change(current_m: pd.Series, previous_m: pd.Series, base_ok: pd.Series) -> pd.Series:
    # (W1 - W0) / W0 rather than W1 / W0 - 1: the subtraction of two distances is exact,
    # so 13 km after 10 km gives the float nearest 0.30 and stays in the 10-30 % bin.
    change = (current_m - previous_m) / previous_m
    return change.where(base_ok)


def _change_bin(change_frac: pd.Series) -> pd.Series:
    low, high = CHANGE_BIN_EDGES_FRAC
    labels = np.select([change_frac <= low, change_frac <= high, change_frac > high],
                       list(CHANGE_BINS), default="")
    return pd.Series(labels, index=change_frac.index, dtype="string", name="change_bin")


def weekly_table(daily: pd.DataFrame, *, week_start: str = "monday", min_base_m: float = 5000.0,
                 min_base_runs: int = 2) -> pd.DataFrame:
    """Calendar-week totals and the change from the week before.

    Parameters
    ----------
    daily : pandas.DataFrame
        From :func:`runload.analysis.daily.daily_table`: one row per day, index
        ``local_date``; needs ``runs``, ``distance_m`` [m], ``duration_s`` [s],
        ``ascent_m`` [m], ``descent_m`` [m], ``longest_run_m`` [m] and
        ``is_rest_day``.  Its per-surface distances (``distance_road_m`` ...
        ``distance_unknown_m`` [m]) are used when all are present; without
        them every metre counts as unknown.
    week_start : {'monday', ..., 'sunday'}, default 'monday'
        The first day of a calendar week.
    min_base_m : float, default 5000.0
        Minimum distance of the previous week for a change to be computed [m]
        (science.md A2 minimum-base guard; a design choice, not a study value).
    min_base_runs : int, default 2
        Minimum number of runs in the previous week for a change to be computed
        (science.md A2 guard).

    Returns
    -------
    pandas.DataFrame
        Index ``week_start`` (DatetimeIndex of the weeks' first days, freq
        ``'W-<day>'``), every week from the one holding the first day of
        ``daily`` to the one holding its last day.  Columns:

        - ``days`` (int64): days of the week inside ``daily`` (fewer than 7 for
          the first week of the history and the week of ``as_of``).
        - ``runs`` (int64), ``rest_days`` (int64): runs, and days of the week
          inside ``daily`` without a run.
        - ``distance_m`` [m], ``duration_s`` [s], ``ascent_m`` [m],
          ``descent_m`` [m]: sums; ``longest_run_m`` [m]: the longest run.
        - ``avg_speed_mps`` [m/s] = distance_m / duration_s, and
          ``avg_pace_s_per_km`` [s/km] = duration_s / (distance_m / 1000); NaN
          when the divisor is 0.
        - ``base_ok`` (bool): the previous week has ``>= min_base_m`` and
          ``>= min_base_runs`` runs.
        - ``change_frac`` [fraction]: ``(W1 - W0) / W0`` with W1 this week's and
          W0 the previous week's distance; NaN unless ``base_ok``.
        - ``change_bin`` (string): ``'<10% or less'`` (change <= 0.10, including
          any decrease), ``'10-30%'`` (0.10 < change <= 0.30), ``'>30%'``
          (change > 0.30), or ``''`` when not evaluated.
        - ``distance_<surface>_m`` [m], one per surface of
          :data:`runload.config.SURFACES` (road, trail, track, treadmill,
          indoor, unknown): the week's distance on it.
        - ``share_<surface>_frac`` [fraction]: that distance over
          ``distance_m``; NaN in a week without distance.

    Raises
    ------
    TypeError
        If ``daily`` is not a DataFrame.
    ValueError
        If ``daily`` is not a gap-free daily table, has only some of the
        per-surface columns, or a parameter is out of range.

    Notes
    -----
    Calendar weeks are for display: a Sunday long run and a Monday long run
    fall in different weeks, so week-over-week changes depend on
    ``week_start``.  The injury-linked F-WEEK30 flag therefore uses
    :func:`rolling_7d` (science.md section 1).  A week is the 7 local calendar
    days from its ``week_start``, so a week with a DST change still has 7 days.

    The bins are Nielsen 2014's categories [1]_, each including its upper edge,
    so exactly +30 % is "10-30%" and the ">30%" bin starts strictly above it.
    The 10 % rule behind the first edge was not protective in a randomised
    trial [2]_; no bin is a safe zone.  Evidence grade for injury: weak
    (science.md A2).

    References
    ----------
    .. [1] R. O. Nielsen et al., "Excessive progression in weekly running
       distance and risk of running-related injuries: an association which
       varies according to type of injury," J. Orthop. Sports Phys. Ther.,
       vol. 44, no. 10, pp. 739-747, 2014.
    .. [2] I. Buist et al., "No effect of a graded training program on the
       number of running-related injuries in novice runners: a randomized
       controlled trial," Am. J. Sports Med., vol. 36, no. 1, pp. 33-39, 2008,
       doi:10.1177/0363546507307505.

    Examples
    --------
    >>> days = pd.date_range("2024-03-04", periods=14, freq="D", name="local_date")
    >>> dist = [5000.0, 0, 5000.0, 0, 0, 0, 0, 6500.0, 0, 6500.0, 0, 0, 0, 0]
    >>> daily = pd.DataFrame({"runs": [int(d > 0) for d in dist], "distance_m": dist,
    ...     "duration_s": [d * 0.3 for d in dist], "ascent_m": 0.0, "descent_m": 0.0,
    ...     "longest_run_m": dist, "is_rest_day": [d == 0 for d in dist]}, index=days)
    >>> w = weekly_table(daily)
    >>> w["distance_m"].tolist(), w["change_frac"].tolist()[1], w["change_bin"].tolist()
    ([10000.0, 13000.0], 0.3, ['', '10-30%'])
    """
    _check_daily(daily, "weekly_table")
    _check_base(min_base_m, min_base_runs, "weekly_table")
    has_surface = [c in daily.columns for c in SURFACE_DISTANCE_COLUMNS]
    if any(has_surface) and not all(has_surface):
        missing = [c for c, has in zip(SURFACE_DISTANCE_COLUMNS, has_surface, strict=True)
                   if not has]
        raise ValueError("The 'daily' parameter of weekly_table must have all or none of the "
                         f"per-surface distance columns; missing {missing}.")
    if week_start not in WEEK_DAYS:
        raise ValueError(f"The 'week_start' parameter of weekly_table must be one of "
                         f"{list(WEEK_DAYS)}. Got {week_start!r} instead.")
    start_dow = WEEK_DAYS.index(week_start)
    freq = f"W-{week_start[:3].upper()}"
    index = daily.index
    offset_days = (index.day_of_week - start_dow) % 7
    week_of_day = index - pd.to_timedelta(np.asarray(offset_days), unit="D").as_unit(index.unit)
    grouped = daily.groupby(week_of_day)
    sums = grouped[["runs", "distance_m", "duration_s", "ascent_m", "descent_m"]].sum()
    table = pd.DataFrame({
        "days": grouped.size().astype("int64"),
        "runs": sums["runs"].astype("int64"),
        "rest_days": grouped["is_rest_day"].sum().astype("int64"),
        "distance_m": sums["distance_m"].astype("float64"),
        "duration_s": sums["duration_s"].astype("float64"),
        "ascent_m": sums["ascent_m"].astype("float64"),
        "descent_m": sums["descent_m"].astype("float64"),
        "longest_run_m": grouped["longest_run_m"].max().astype("float64"),
    })
    weeks = pd.DatetimeIndex(table.index, name="week_start", freq=freq if len(table) else None)
    table.index = weeks
    table["avg_speed_mps"] = table["distance_m"] / table["duration_s"].where(
        table["duration_s"] > 0)
    table["avg_pace_s_per_km"] = table["duration_s"] / (
        table["distance_m"].where(table["distance_m"] > 0) / 1000.0)
    # daily has no gaps, so every week between the first and the last has a row and
    # shift(1) is the calendar week before.
    previous_m = table["distance_m"].shift(1)
    base_ok = (previous_m >= min_base_m) & (table["runs"].shift(1) >= min_base_runs)
    table["change_frac"] = _change(table["distance_m"], previous_m, base_ok)
    table["change_bin"] = _change_bin(table["change_frac"])
    table["base_ok"] = base_ok.astype(bool)
    if all(has_surface):
        by_surface = grouped[list(SURFACE_DISTANCE_COLUMNS)].sum().astype("float64")
        by_surface.index = weeks
    else:
        by_surface = pd.DataFrame(0.0, index=weeks, columns=list(SURFACE_DISTANCE_COLUMNS))
        by_surface["distance_unknown_m"] = table["distance_m"]
    total_m = table["distance_m"].where(table["distance_m"] > 0)
    for distance_column, share_column in zip(SURFACE_DISTANCE_COLUMNS, SURFACE_SHARE_COLUMNS,
                                             strict=True):
        table[distance_column] = by_surface[distance_column]
        table[share_column] = by_surface[distance_column] / total_m
    return table[list(WEEKLY_COLUMNS)]


def weekly_surface_share(weekly: pd.DataFrame, *,
                         surfaces: tuple[str, ...] = KNOWN_SURFACES) -> pd.DataFrame:
    """Each week's surface mix among the known surfaces, as :func:`one_variable_flags` reads it.

    Parameters
    ----------
    weekly : pandas.DataFrame
        From :func:`weekly_table`; needs ``distance_<surface>_m`` [m] for each
        of ``surfaces``.
    surfaces : tuple of str, default all but 'unknown'
        The surfaces compared (:data:`runload.config.SURFACES`).

    Returns
    -------
    pandas.DataFrame
        On ``weekly``'s index, one column per surface named after it
        ('road', 'trail', ...): its share of the week's distance on
        ``surfaces`` [fraction, 0-1], ``distance_<s>_m / sum of distance_<x>_m
        over x in surfaces``.  NaN in a week without distance on them, so such
        a week neither is nor serves as a baseline for a surface change.

    Raises
    ------
    ValueError
        If a surface is unknown or its distance column is missing.

    Notes
    -----
    'unknown' is left out of the shares by default: a week whose runs went
    from unknown to known surfaces (a new watch, a classifier that can now
    tell) did not change surface, and a baseline of unknown weeks gives NaN
    shares (not assessed) rather than 0 % road.  So these shares differ from
    ``weekly_table``'s ``share_<s>_frac`` (share of all distance) when some
    distance is unknown.

    Examples
    --------
    >>> weekly = pd.DataFrame({"distance_road_m": [8000.0, 2000.0, 0.0],
    ...                        "distance_trail_m": [0.0, 6000.0, 0.0]})
    >>> weekly_surface_share(weekly, surfaces=("road", "trail")).to_numpy().tolist()
    [[1.0, 0.0], [0.25, 0.75], [nan, nan]]
    """
    unknown = [s for s in surfaces if s not in SURFACES]
    if unknown:
        raise ValueError(f"The 'surfaces' parameter of weekly_surface_share must name surfaces "
                         f"among {list(SURFACES)}. Got {unknown[0]!r} instead.")
    columns = [f"distance_{s}_m" for s in surfaces]
    missing = [c for c in columns if c not in weekly.columns]
    if missing:
        raise ValueError("The 'weekly' parameter of weekly_surface_share must be a weekly_table; "
                         f"missing columns {missing}.")
    distance = weekly[columns].astype("float64")
    total_m = distance.sum(axis=1)
    share = distance.div(total_m.where(total_m > 0), axis=0)
    share.columns = list(surfaces)
    return share


def rolling_7d(daily: pd.DataFrame, *, min_base_m: float = 5000.0,
               min_base_runs: int = 2) -> pd.DataFrame:
    """Rolling 7-day distance ending on each day, and its change from the 7 days before.

    Parameters
    ----------
    daily : pandas.DataFrame
        From :func:`runload.analysis.daily.daily_table`; needs ``runs``,
        ``distance_m`` [m] and ``is_rest_day``, one row per day.
    min_base_m : float, default 5000.0
        Minimum distance of the previous 7 days for a change to be computed [m]
        (science.md A2 minimum-base guard; a design choice).
    min_base_runs : int, default 2
        Minimum number of runs in the previous 7 days (science.md A2 guard).

    Returns
    -------
    pandas.DataFrame
        On ``daily``'s index.  Columns:

        - ``distance_7d_m`` [m]: W1, the distance in ``(t - 7 d, t]``.
        - ``prev_distance_7d_m`` [m]: W0, the distance in ``(t - 14 d, t - 7 d]``.
        - ``runs_7d``, ``prev_runs_7d``: runs in the same windows.
        - ``rest_days_7d``: days without a run in ``(t - 7 d, t]``.
        - ``base_ok`` (bool): ``W0 >= min_base_m`` and ``prev_runs_7d >= min_base_runs``.
        - ``change_frac`` [fraction]: ``(W1 - W0) / W0``; NaN unless ``base_ok``.
        - ``change_bin`` (string): as in :func:`weekly_table`.

        The window sums and counts are float64 and NaN until the window lies
        wholly inside ``daily`` (the first 6 days for W1, the first 13 for W0).

    Raises
    ------
    TypeError
        If ``daily`` is not a DataFrame.
    ValueError
        If ``daily`` is not a gap-free daily table, or a parameter is out of range.

    Notes
    -----
    Formula (science.md A2, after Nielsen 2014 [1]_):
    ``W1 = sum of distance in (t - 7 d, t]``, ``W0 = sum in (t - 14 d, t - 7 d]``,
    ``change = (W1 - W0) / W0``.  Window edges: the window ending on day t
    holds days t-6 .. t (``rolling('7D', closed='right')`` on local days), so a
    run exactly 7 days before t belongs to W0, not W1.  Days are local
    calendar days, so DST changes do not shorten or lengthen a window.

    History guard (style rule 8): ``min_periods=7`` on a one-row-per-day table
    means a window is computed only when all 7 of its days are in ``daily``;
    days before the first run are unknown rather than rest, so W1 is NaN for the
    first 6 days and W0 (and the change) for the first 13.

    Evidence grade for injury: weak.  Nielsen 2014 found HR 1.59 (95 % CI
    0.96-2.66) for ">30 %" against "<10 %" for some injury types only; Frandsen
    2025 found no association for the week-to-week ratio.

    References
    ----------
    .. [1] R. O. Nielsen et al., "Excessive progression in weekly running
       distance and risk of running-related injuries: an association which
       varies according to type of injury," J. Orthop. Sports Phys. Ther.,
       vol. 44, no. 10, pp. 739-747, 2014.

    Examples
    --------
    >>> days = pd.date_range("2024-03-01", periods=15, freq="D", name="local_date")
    >>> dist = [3000.0, 0, 0, 0, 0, 3000.0, 0, 0, 4000.0, 0, 0, 0, 0, 0, 4000.0]
    >>> daily = pd.DataFrame({"runs": [int(d > 0) for d in dist], "distance_m": dist,
    ...     "is_rest_day": [d == 0 for d in dist]}, index=days)
    >>> r = rolling_7d(daily)
    >>> r[["distance_7d_m", "prev_distance_7d_m", "prev_runs_7d", "change_frac"]].iloc[-1].tolist()
    [8000.0, 3000.0, 1.0, nan]
    >>> bool(r["base_ok"].iloc[-1]), r["change_bin"].iloc[-1]
    (False, '')
    """
    _check_daily(daily, "rolling_7d", ("runs", "distance_m", "is_rest_day"))
    _check_base(min_base_m, min_base_runs, "rolling_7d")
    parts = pd.DataFrame({
        "distance_m": daily["distance_m"].astype("float64"),
        "runs": daily["runs"].astype("float64"),
        "rest_days": daily["is_rest_day"].astype("float64"),
    }, index=daily.index)
    window = parts.rolling("7D", closed="right", min_periods=7).sum()
    # Sums of whole metres are exact; sums of fractional ones leave ~1e-12 m residues
    # where a run leaves the window: rounding to a micrometre keeps empty windows at 0.
    distance_7d = window["distance_m"].round(6)
    previous_7d = distance_7d.shift(7)
    prev_runs = window["runs"].shift(7)
    base_ok = (previous_7d >= min_base_m) & (prev_runs >= min_base_runs)
    table = pd.DataFrame({
        "distance_7d_m": distance_7d,
        "prev_distance_7d_m": previous_7d,
        "runs_7d": window["runs"],
        "prev_runs_7d": prev_runs,
        "rest_days_7d": window["rest_days"],
    }, index=daily.index)
    table["change_frac"] = _change(distance_7d, previous_7d, base_ok)
    table["change_bin"] = _change_bin(table["change_frac"])
    table["base_ok"] = base_ok.astype(bool)
    return table[list(ROLLING_COLUMNS)]


def _check_jump_rule(rule: WeeklyJumpRule) -> None:
    if not isinstance(rule, WeeklyJumpRule):
        raise TypeError("The 'rule' parameter of weekly_jump_flags must be a "
                        f"runload.config.WeeklyJumpRule. Got {type(rule).__name__} instead.")
    if not rule.jump_frac > TEN_PERCENT_RULE_FRAC:
        raise ValueError("The 'jump_frac' setting of WeeklyJumpRule must be > 0.10: the 10 % "
                         "rule was not protective in a randomised trial (Buist 2008), so "
                         f"runload does not flag at it. Got {rule.jump_frac!r} instead.")


def weekly_jump_flags(rolling: pd.DataFrame, daily: pd.DataFrame,
                      rule: WeeklyJumpRule, *, units: str = "km") -> list[dict[str, Any]]:
    """F-WEEK30: rolling 7-day distance well above the 7 days before.

    Parameters
    ----------
    rolling : pandas.DataFrame
        From :func:`rolling_7d`; needs ``distance_7d_m`` [m],
        ``prev_distance_7d_m`` [m] and ``prev_runs_7d``.
    daily : pandas.DataFrame
        The daily table ``rolling`` was computed from (same index); its
        ``runs`` column tells run days.
    rule : runload.config.WeeklyJumpRule
        ``jump_frac`` [fraction] (default 0.30, Nielsen 2014's top category;
        must be > 0.10), the base guard ``min_base_m`` [m] and
        ``min_base_runs``, ``grade``, ``citation`` and ``enabled``.

    Returns
    -------
    list of dict
        One dict per episode, keys exactly :data:`runload.schema.FLAG_COLUMNS`
        (build a table with :func:`runload.schema.flags_frame`): ``flag_id``
        'F-WEEK30', ``scope`` 'day', ``activity_id`` '', ``local_date`` the
        episode's first day, ``severity`` 'caution', ``value`` its change
        [frac], ``threshold`` ``rule.jump_frac`` [frac], ``unit`` 'frac', a
        plain-words ``message``, ``evidence_grade`` and ``citation_key`` from
        ``rule``.  Empty when ``rule.enabled`` is false.

    Raises
    ------
    TypeError
        If ``rule`` is not a WeeklyJumpRule.
    ValueError
        If ``rule.jump_frac <= 0.10``, or ``rolling`` and ``daily`` do not share
        their index, or a column is missing.

    Notes
    -----
    Evaluated on run days only: the windows are anchored on each run, as in
    Nielsen 2014 [1]_ and Frandsen 2025.  A run day is flagged when
    ``(W1 - W0) / W0 > rule.jump_frac`` (strictly: exactly +30 % is not
    flagged) and the base guard holds (``W0 >= rule.min_base_m`` and at least
    ``rule.min_base_runs`` runs in W0; the guard of ``rule`` is applied here,
    whatever ``rolling_7d`` was called with).  Windows as in :func:`rolling_7d`,
    at day resolution: W1 of a run day holds all of that day's runs, so two
    runs on one day are assessed together.

    Episodes: one jump keeps W1 high for several run days in a row.  Flagged run
    days with no unflagged run day between them, each less than 7 days after
    the previous one (so their W1 windows overlap), form one episode and give
    one flag, on the episode's first day, with that day's numbers; the message
    says how many more run days stayed above the threshold.

    Evidence grade: weak (science.md A2).  Nielsen 2014 (874 novice runners)
    found HR 1.59 (95 % CI 0.96-2.66, not significant) for ">30 %" against
    "<10 %", for distance-related injuries only; Frandsen 2025 found no
    association for the week-to-week ratio.  The 10 % rule was not protective
    in a trial (Buist 2008), so nothing is flagged at 10 % and no message calls
    smaller changes safe.

    References
    ----------
    .. [1] R. O. Nielsen et al., "Excessive progression in weekly running
       distance and risk of running-related injuries: an association which
       varies according to type of injury," J. Orthop. Sports Phys. Ther.,
       vol. 44, no. 10, pp. 739-747, 2014.
    .. [2] J. S. B. Frandsen et al., "How much running is too much? Identifying
       high-risk running sessions in a 5200-person cohort study," Br. J. Sports
       Med., vol. 59, no. 17, pp. 1203-1210, 2025, doi:10.1136/bjsports-2024-109380.
    """
    _check_jump_rule(rule)
    if not rule.enabled:
        return []
    for name, frame, needed in (("rolling", rolling, ("distance_7d_m", "prev_distance_7d_m",
                                                      "prev_runs_7d")),
                                ("daily", daily, ("runs",))):
        require_frame(frame, param=name, func="weekly_jump_flags", columns=needed,
                      kind=f"a {name} table")
    if not rolling.index.equals(daily.index):
        raise ValueError("The 'rolling' and 'daily' parameters of weekly_jump_flags must share "
                         "their index: pass rolling_7d(daily) with that daily table.")
    w1 = rolling["distance_7d_m"]
    w0 = rolling["prev_distance_7d_m"]
    base_ok = (w0 >= rule.min_base_m) & (rolling["prev_runs_7d"] >= rule.min_base_runs)
    change = _change(w1, w0, base_ok)
    run_days = daily["runs"].to_numpy() > 0
    evaluated = change[run_days]
    is_flagged = (evaluated > rule.jump_frac).to_numpy()
    if not is_flagged.any():
        return []
    dates = evaluated.index
    gap_days = np.diff(dates.to_numpy()) / np.timedelta64(1, "D")
    continues = np.r_[False, is_flagged[:-1] & (gap_days < 7)] & is_flagged
    starts = np.flatnonzero(is_flagged & ~continues)
    # episode k runs from starts[k] up to the last flagged day before the next start
    episode_of = np.cumsum(is_flagged & ~continues) - 1
    rows = []
    for k, start in enumerate(starts):
        members = np.flatnonzero(is_flagged & (episode_of == k))
        first = dates[start]
        value = float(evaluated.iloc[start])
        message = (f"{distance(w1.loc[first], units)} in the 7 days to {day(first)} is {pct(value)} more than "
                   f"the {distance(w0.loc[first], units)} of the 7 days before.")
        if len(members) > 1:
            more = len(members) - 1
            next_days = "the next run day" if more == 1 else f"the next {more} run days"
            message += (f" It stayed more than {pct(rule.jump_frac)} up on {next_days}, to "
                        f"{day(dates[members[-1]])}.")
        message += (f" Jumps above {pct(NIELSEN_TOP_FRAC)} were linked to some injury types in "
                    "a cohort of novice runners, but the evidence is weak.")
        rows.append({
            "flag_id": "F-WEEK30", "scope": "day", "activity_id": "", "local_date": first,
            "severity": "caution", "value": value, "threshold": float(rule.jump_frac),
            "unit": "frac", "message": message, "evidence_grade": rule.grade,
            "citation_key": rule.citation,
        })
    return rows


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def one_variable_flags(weekly: pd.DataFrame, rule: OneVariableRule, *,
                       surface_share: pd.DataFrame | None = None,
                       min_climb_rise_m: float = 50.0) -> list[dict[str, Any]]:
    """F-ONEVAR: weeks in which several training variables rose at once.

    Parameters
    ----------
    weekly : pandas.DataFrame
        From :func:`weekly_table`; needs ``distance_m`` [m], ``duration_s`` [s]
        and ``ascent_m`` [m] (``days`` is used when present).
    rule : runload.config.OneVariableRule
        ``baseline_weeks`` (default 4), the rises that count: ``distance_frac``
        (0.30), ``duration_frac`` (0.30), ``pace_frac`` (0.05, average speed up
        5 %), ``climb_frac`` (0.30), ``surface_share`` (0.25, i.e. 25 points);
        ``min_base_m`` [m] (5000, baseline mean weekly distance),
        ``min_variables`` (2), ``grade``, ``citation`` and ``enabled``.
    surface_share : pandas.DataFrame, optional
        Indexed like ``weekly``, one column per surface (e.g. 'trail',
        'treadmill') holding that surface's share of the week's distance
        [fraction, 0-1], e.g. :func:`weekly_surface_share` of ``weekly`` (as
        ``analyze`` passes it).  Without it the surface mix is not assessed.
    min_climb_rise_m : float, default 50.0
        Climb also has to rise by at least this much over the baseline mean to
        count [m/week]: a design choice, so that a few metres of GPS altitude
        noise on a flat baseline (0 m) are not a "new variable".

    Returns
    -------
    list of dict
        One dict per flagged week, keys exactly :data:`runload.schema.FLAG_COLUMNS`:
        ``flag_id`` 'F-ONEVAR', ``scope`` 'week', ``activity_id`` '',
        ``local_date`` the week's first day, ``severity`` 'info', ``value`` the
        number of variables that rose, ``threshold`` ``rule.min_variables``,
        ``unit`` 'count', a ``message`` naming them with their changes, and
        ``evidence_grade``/``citation_key`` from ``rule``.  Empty when
        ``rule.enabled`` is false.

    Raises
    ------
    TypeError
        If ``rule`` is not a OneVariableRule or ``surface_share`` not a DataFrame.
    ValueError
        If a column is missing or ``surface_share`` is not indexed like ``weekly``.

    Notes
    -----
    For week t the baseline is the mean of the ``rule.baseline_weeks`` weeks
    before it: ``rolling(f'{7 * N}D', closed='left', min_periods=N)`` on the
    week starts, so the week itself is excluded and all N weeks must be
    present.  A week is assessed only when its baseline weeks are all full
    weeks (``days == 7`` when ``weekly`` has that column, so the first, partial
    week of a history is never a baseline week) and their mean distance is
    ``>= rule.min_base_m``.  The variables, each compared with its baseline
    mean (a rise strictly above the threshold counts):

    - distance: ``(distance_m - base) / base > distance_frac``;
    - duration: ``(duration_s - base) / base > duration_frac``;
    - pace: average speed, ``distance / duration``, against the baseline's
      pooled speed (mean distance / mean duration), ``> pace_frac`` faster;
    - climb: ``(ascent_m - base) / base > climb_frac`` (or a base of 0) and at least
      ``min_climb_rise_m`` more metres;
    - surface mix: any surface's share of distance up by more than
      ``surface_share`` (absolute, 0.25 = 25 points) on its baseline mean.

    Distance and duration both up count as **one** variable, volume: they
    measure the same thing, and counting them twice would flag every big
    week.  So a flag needs a rise in volume plus pace, climb or surface, or
    two of those three.

    Evidence grade: expert opinion.  "Change one thing at a time" is coaching
    advice; Bertelsen 2017's framework [1]_ gives its rationale (load on
    structures that have not adapted) without injury data for this rule.

    References
    ----------
    .. [1] M. L. Bertelsen et al., "A framework for the etiology of
       running-related injuries," Scand. J. Med. Sci. Sports, vol. 27, no. 11,
       pp. 1170-1180, 2017, doi:10.1111/sms.12883.
    """
    if not isinstance(rule, OneVariableRule):
        raise TypeError("The 'rule' parameter of one_variable_flags must be a "
                        f"runload.config.OneVariableRule. Got {type(rule).__name__} instead.")
    if not rule.enabled:
        return []
    if not isinstance(weekly, pd.DataFrame):
        raise TypeError("The 'weekly' parameter of one_variable_flags must be a pandas "
                        f"DataFrame (from weekly_table). Got {type(weekly).__name__} instead.")
    missing = [c for c in ("distance_m", "duration_s", "ascent_m") if c not in weekly.columns]
    if missing:
        raise ValueError(f"The 'weekly' parameter of one_variable_flags lacks columns {missing}.")
    if not isinstance(weekly.index, pd.DatetimeIndex):
        raise ValueError("The 'weekly' parameter of one_variable_flags must be indexed by "
                         "week_start (a DatetimeIndex).")
    if isinstance(rule.baseline_weeks, bool) or rule.baseline_weeks < 1:
        raise ValueError("The 'baseline_weeks' setting of OneVariableRule must be an int >= 1. "
                         f"Got {rule.baseline_weeks!r} instead.")
    if surface_share is not None:
        if not isinstance(surface_share, pd.DataFrame):
            raise TypeError("The 'surface_share' parameter of one_variable_flags must be a "
                            "pandas DataFrame or None. Got "
                            f"{type(surface_share).__name__} instead.")
        if not surface_share.index.equals(weekly.index):
            raise ValueError("The 'surface_share' parameter of one_variable_flags must be "
                             "indexed like 'weekly' (one row per week_start).")
    if weekly.empty:
        return []

    n = int(rule.baseline_weeks)
    window = f"{7 * n}D"
    values = pd.DataFrame({
        "distance_m": weekly["distance_m"].astype("float64"),
        "duration_s": weekly["duration_s"].astype("float64"),
        "ascent_m": weekly["ascent_m"].astype("float64"),
        "is_full": (weekly["days"].eq(7) if "days" in weekly.columns
                    else pd.Series(True, index=weekly.index)).astype("float64"),
    }, index=weekly.index)
    base = values.rolling(window, closed="left", min_periods=n).mean()
    assessed = base["is_full"].eq(1.0) & (base["distance_m"] >= rule.min_base_m)

    def rise(now: pd.Series, before: pd.Series) -> pd.Series:
        # (x - base) / base, as in _change: exactly +30 % stays at 0.30, not 0.30000000000000004
        return (now - before) / before.where(before > 0)

    distance_up = rise(values["distance_m"], base["distance_m"])
    duration_up = rise(values["duration_s"], base["duration_s"])
    speed = values["distance_m"] / values["duration_s"].where(values["duration_s"] > 0)
    base_speed = base["distance_m"] / base["duration_s"].where(base["duration_s"] > 0)
    speed_up = rise(speed, base_speed)
    climb_rise_m = values["ascent_m"] - base["ascent_m"]
    climb_up = rise(values["ascent_m"], base["ascent_m"])
    rose = pd.DataFrame({
        "distance": distance_up > rule.distance_frac,
        "duration": duration_up > rule.duration_frac,
        "pace": speed_up > rule.pace_frac,
        "climb": (climb_rise_m >= min_climb_rise_m)
                 & ((climb_up.isna() & base["ascent_m"].eq(0)) | (climb_up > rule.climb_frac)),
    }, index=weekly.index)
    share_up = None
    if surface_share is not None and surface_share.shape[1]:
        shares = surface_share.astype("float64")
        share_up = shares - shares.rolling(window, closed="left", min_periods=n).mean()
        rose["surface"] = (share_up > rule.surface_share).any(axis=1)
    # Distance and time measure one thing, the amount of running: a week with
    # both up changed one variable (volume), not two.
    counts = (rose.sum(axis=1) - (rose["distance"] & rose["duration"])).where(assessed, 0)
    flagged = counts.index[counts >= rule.min_variables]

    rows = []
    for week in flagged:
        parts = []
        if rose.at[week, "distance"]:
            parts.append(f"distance +{pct(distance_up[week])}")
        if rose.at[week, "duration"]:
            parts.append(f"time +{pct(duration_up[week])}")
        if rose.at[week, "pace"]:
            parts.append(f"pace {pct(speed_up[week])} faster")
        if rose.at[week, "climb"]:
            parts.append(f"climb +{pct(climb_up[week])}" if base["ascent_m"][week] > 0
                         else f"climb from 0 to {values['ascent_m'][week]:.0f} m")
        if share_up is not None and rose.at[week, "surface"]:
            ups = share_up.loc[week]
            parts.extend(f"{name} share +{pct(ups[name])[:-2]} points"
                         for name in ups.index[ups > rule.surface_share])
        message = (f"{_join(parts)} in one week, against the {n} weeks before: changing one "
                   "thing at a time is common coaching advice (expert opinion).")
        rows.append({
            "flag_id": "F-ONEVAR", "scope": "week", "activity_id": "", "local_date": week,
            "severity": "info", "value": float(counts[week]),
            "threshold": float(rule.min_variables), "unit": "count", "message": message,
            "evidence_grade": rule.grade, "citation_key": rule.citation,
        })
    return rows


def weekly_volume(sessions: pd.DataFrame, *, week_start: str = "monday",
                  as_of: pd.Timestamp | None = None, min_base_m: float = 5000.0,
                  min_base_runs: int = 2) -> pd.DataFrame:
    """Calendar-week running volume straight from a sessions table.

    A shortcut for ``weekly_table(daily_table(runs(sessions), as_of=as_of), ...)``;
    see :func:`weekly_table` for the columns and :func:`runload.analysis.daily.runs`
    for which sessions count.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table (:data:`runload.schema.SESSION_COLUMNS`).
    week_start : str, default 'monday'
        First day of a week.
    as_of : pandas.Timestamp, optional
        Last local day to include (rest days after the last run).
    min_base_m : float, default 5000.0
        Minimum previous-week distance for a week-over-week change [m].
    min_base_runs : int, default 2
        Minimum previous-week runs for a week-over-week change.

    Returns
    -------
    pandas.DataFrame
    """
    return weekly_table(daily_table(runs(sessions), as_of=as_of), week_start=week_start,
                        min_base_m=min_base_m, min_base_runs=min_base_runs)
