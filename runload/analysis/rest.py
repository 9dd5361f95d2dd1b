"""Rest, breaks and unaccustomed downhill: run streaks, layoffs and returns, descent novelty.

- :func:`rest_days`, :func:`rest_flags`: days in a row with a run and weeks
  without a rest day (science.md D1, F-NOREST; consensus advice).
- :func:`layoffs`, :func:`layoff_flags`: breaks of 14 days or more and the
  return after them (science.md A3, F-LAYOFF; clinical convention).
- :func:`downhill_flags`: far more descent than in the previous 30 days
  (science.md E3, F-DOWNHILL; mechanism, not injury data).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from runload.analysis.checks import require_int
from runload.analysis.daily import runs as running_sessions
from runload.analysis.references import REFERENCES
from runload.analysis.spikes import prior_window_argmax, utc_microseconds
from runload.analysis.words import day, distance, pct
from runload.config import DownhillRule, LayoffRule, RestRule

#: Accepted ``week_start`` values, Monday = 0 as in pandas.
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# A value equal to its threshold up to floating-point rounding (0.5 * 9 500 m, 1.3 * 200 m)
# is not above it: thresholds are strict.
_REL_TOL = 1e-9

_LAYOFF_COLUMNS = {
    "last_run_date": "datetime64[us]", "return_date": "datetime64[us]", "gap_days": "int64",
    "return_until": "datetime64[us]", "baseline_median_week_m": "float64",
    "baseline_median_session_m": "float64", "baseline_longest_m": "float64",
}

_RETURN_CONVENTION = "Returning gradually is clinical convention (level IV evidence)."


def _above(value: float, threshold: float) -> bool:
    return bool(value > threshold + _REL_TOL * abs(threshold))


def _study(citation: str) -> str:
    return REFERENCES[citation].study_type if citation in REFERENCES else "a source"


def _share(frac: float) -> str:
    return "half" if frac == 0.5 else f"{pct(frac)} of"


def _flag(flag_id: str, scope: str, activity_id: str, local_date: pd.Timestamp, severity: str,
          value: float, threshold: float, unit: str, message: str, grade: str,
          citation: str) -> dict[str, Any]:
    return {"flag_id": flag_id, "scope": scope, "activity_id": activity_id,
            "local_date": pd.Timestamp(local_date), "severity": severity, "value": float(value),
            "threshold": float(threshold), "unit": unit, "message": message,
            "evidence_grade": grade, "citation_key": citation}


def _run_days(daily: pd.DataFrame, func: str) -> tuple[pd.Series, pd.Series]:
    """Continuous daily ``ran`` and ``rest`` booleans over the daily table's span."""
    if "runs" not in daily.columns or not isinstance(daily.index, pd.DatetimeIndex):
        raise ValueError(f"The 'daily' parameter of {func} must be a daily table "
                         "(runload.analysis.daily.daily_table): a DatetimeIndex of local days "
                         "and a 'runs' column.")
    if daily.empty:
        empty = pd.Series([], dtype="bool", index=pd.DatetimeIndex([], name="local_date"))
        return empty, empty
    days = pd.date_range(daily.index.min(), daily.index.max(), freq="D", name="local_date",
                         unit=np.datetime_data(daily.index.dtype)[0])
    ran = daily["runs"].groupby(level=0).sum().reindex(days, fill_value=0).gt(0)
    if "is_rest_day" in daily.columns:
        rest = (daily["is_rest_day"].groupby(level=0).all()
                .reindex(days, fill_value=True).astype(bool))
    else:
        rest = ~ran
    return ran, rest


def rest_days(daily: pd.DataFrame) -> pd.DataFrame:
    """Days in a row with a run, and rest days in the last 7 days, per day.

    Parameters
    ----------
    daily : pandas.DataFrame
        A daily table (:func:`runload.analysis.daily.daily_table`): index of
        local days, column ``runs`` [count] and, if present, ``is_rest_day``.

    Returns
    -------
    pandas.DataFrame
        On ``daily``'s index:

        - ``consecutive_run_days`` (int64) [d]: length of the streak of days
          with at least one run that includes this day; 0 on a rest day.
        - ``rest_days_7d`` (float64) [d]: rest days in ``(t - 7 d, t]``
          (this day and the 6 before); NaN for the table's first 6 days.

    Raises
    ------
    ValueError
        If ``daily`` has no DatetimeIndex or no ``runs`` column.

    Notes
    -----
    A run day has ``runs > 0``; a rest day is ``is_rest_day`` where the table
    has it, else ``runs == 0``.  Days missing between the table's first and
    last day count as rest days.  The 7-day window is
    ``rolling('7D', closed='right', min_periods=7)``: it needs 7 known days, and
    the daily table starts at the first run, so earlier days are unknown
    rather than rest (history guard, science.md section 1).

    Evidence grade for flags built on these: expert opinion (Meeusen 2013
    consensus; science.md D1).

    References
    ----------
    .. [1] R. Meeusen et al., "Prevention, diagnosis and treatment of the
       overtraining syndrome," Med. Sci. Sports Exerc., vol. 45, no. 1,
       pp. 186-205, 2013. doi:10.1249/MSS.0b013e318279a10a

    Examples
    --------
    >>> idx = pd.date_range("2024-03-01", periods=8, freq="D", name="local_date")
    >>> d = pd.DataFrame({"runs": [1, 1, 0, 1, 1, 1, 1, 1]}, index=idx)
    >>> r = rest_days(d)
    >>> r["consecutive_run_days"].tolist()
    [1, 2, 0, 1, 2, 3, 4, 5]
    >>> r["rest_days_7d"].tolist()[-2:]
    [1.0, 1.0]
    """
    ran, rest = _run_days(daily, "rest_days")
    streak_id = (~ran).cumsum()
    consecutive = ran.astype("int64").groupby(streak_id).cumsum()
    rest_7d = rest.astype("float64").rolling("7D", closed="right", min_periods=7).sum()
    out = pd.DataFrame({"consecutive_run_days": consecutive.astype("int64"),
                        "rest_days_7d": rest_7d.astype("float64")})
    return out.reindex(daily.index)


def _streaks(ran: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """(first day, last day, length) of each maximal run of True days."""
    if ran.empty:
        return []
    values = ran.to_numpy(dtype=bool)
    edges = np.diff(np.concatenate([[False], values, [False]]).astype("int8"))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(ran.index[a], ran.index[b - 1], int(b - a)) for a, b in zip(starts, ends,
                                                                          strict=True)]


def rest_flags(daily: pd.DataFrame, rule: RestRule, *,
               week_start: str = "monday") -> list[dict[str, Any]]:
    """F-NOREST: long run streaks and calendar weeks without a rest day.

    Parameters
    ----------
    daily : pandas.DataFrame
        A daily table (see :func:`rest_days`).
    rule : RestRule
        ``max_consecutive_run_days`` (default 14), ``flag_weeks_without_rest``,
        citation and grade; ``rule.enabled`` False gives no flags.
    week_start : str, default 'monday'
        First day of a calendar week ('monday' ... 'sunday').

    Returns
    -------
    list of dict
        Keys exactly :data:`runload.schema.FLAG_COLUMNS`, severity 'info':

        - one 'day' flag per streak of at least ``max_consecutive_run_days``
          days with a run, dated the day the streak reaches that length;
          ``value`` is the streak's full length (to its last day, or to the
          table's last day if it is still going) [days], ``threshold`` the rule's
          length [days];
        - if ``rule.flag_weeks_without_rest``, one 'week' flag per calendar
          week whose 7 days all had a run, dated the week's first day;
          ``value`` 0 rest days, ``threshold`` 1 (the consensus' one rest day a
          week) [days].

    Raises
    ------
    ValueError
        If ``week_start`` is not a weekday name, or ``daily`` is not a daily
        table.

    Notes
    -----
    A streak of exactly ``max_consecutive_run_days`` days is flagged, one
    day shorter is not.  A week is judged only when all 7 of its days lie in
    the daily table (which starts at the first run and ends at ``as_of``).
    science.md D1 also suggests 3 rest-free weeks with monotony > 2; the
    monotony part belongs to F-MONOTONY.  Evidence grade: expert opinion;
    no number of rest days has been shown to lower injury risk, and in the
    Garmin-RUNSAFE cohort runners who ran more days a week had fewer injuries
    per 1000 km (Abrahamson 2025, observational).

    References
    ----------
    .. [1] R. Meeusen et al., Med. Sci. Sports Exerc., vol. 45, no. 1,
       pp. 186-205, 2013. doi:10.1249/MSS.0b013e318279a10a
    """
    if week_start not in WEEKDAYS:
        raise ValueError(f"The 'week_start' parameter of rest_flags must be one of "
                         f"{list(WEEKDAYS)}. Got {week_start!r} instead.")
    ran, _ = _run_days(daily, "rest_flags")
    if not rule.enabled or ran.empty:
        return []
    advice = (f"A weekly rest day is standard advice against overtraining "
              f"({_study(rule.citation)}); no particular number of rest days has been shown "
              "to lower the risk of running injuries.")
    limit = rule.max_consecutive_run_days
    rows = []
    for first, last, length in _streaks(ran):
        if length < limit:
            continue
        reached = first + pd.Timedelta(days=limit - 1)
        going = " so far" if last == ran.index[-1] else ""
        message = (f"{length} days in a row with a run{going}, from {day(first)} to "
                   f"{day(last)} ({limit} days reached on {day(reached)}). {advice}")
        rows.append(_flag("F-NOREST", "day", "", reached, "info", length, limit, "days",
                          message, rule.grade, rule.citation))
    if rule.flag_weeks_without_rest:
        offset = (ran.index.day_of_week - WEEKDAYS.index(week_start)) % 7
        week_of = ran.index - pd.to_timedelta(offset, unit="D")
        per_week = ran.groupby(week_of).agg(["size", "sum"])
        for start, row in per_week.iterrows():
            if row["size"] == 7 and row["sum"] == 7:
                end = start + pd.Timedelta(days=6)
                message = (f"No rest day in the week of {day(start)} to {day(end)}: "
                           f"you ran on all 7 days. {advice}")
                rows.append(_flag("F-NOREST", "week", "", start, "info", 0.0, 1.0, "days",
                                  message, rule.grade, rule.citation))
    return rows


def layoffs(sessions: pd.DataFrame, *, min_gap_days: int = 14, return_weeks: int = 4,
            baseline_weeks: int = 4) -> pd.DataFrame:
    """Breaks from running of at least ``min_gap_days``, with the baseline before each.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table; only :func:`runload.analysis.daily.runs` count.
        Needs ``local_date`` and ``distance_m`` [m].
    min_gap_days : int, default 14
        Days between two consecutive run days that make a break [d]
        (science.md A3: a gap of 14 days or more starts return mode).
    return_weeks : int, default 4
        Length of return mode after the break [weeks] (science.md A3).
    baseline_weeks : int, default 4
        Weeks before the break the baseline is taken from [weeks] (science.md
        A3: median weekly distance over the 4 weeks before the gap).

    Returns
    -------
    pandas.DataFrame
        One row per break, oldest first, RangeIndex:

        - ``last_run_date``, ``return_date``: the run days around the break.
        - ``gap_days`` (int64) [d]: ``(return_date - last_run_date).days``.
        - ``return_until``: end of return mode, exclusive: ``return_date +
          return_weeks`` weeks, or the next break's return date if sooner.
        - ``baseline_median_week_m`` [m]: median distance of the
          ``baseline_weeks`` rolling 7-day weeks ending on ``last_run_date``.
        - ``baseline_median_session_m`` [m], ``baseline_longest_m`` [m]:
          median and longest run distance in those weeks.

    Raises
    ------
    ValueError
        If a parameter is not an int >= 1.

    Notes
    -----
    Weeks are ``(last - 7(k+1) d, last - 7k d]`` for ``k = 0 .. baseline_weeks-1``;
    a run day's distance is the sum of its runs, a missing distance counts 0.
    Weeks that end before the first run ever are left out of the median (that
    time is unknown, not rest).  Session baselines ignore missing and zero
    distances and are NaN when no run in the weeks has a distance.  The first
    run ever follows no break, so it has no row.  Return mode lasts a fixed
    ``return_weeks`` (science.md A3 also ends it once load is back at the
    baseline; that is not modelled).  Evidence grade: expert opinion / level
    IV (George 2024).

    References
    ----------
    .. [1] E. R. M. George, K. R. Sheerin, and D. Reid, "Criteria and guidelines
       for returning to running following a tibial bone stress injury: a scoping
       review," Sports Med., vol. 54, no. 9, pp. 2247-2265, 2024.
       doi:10.1007/s40279-024-02051-y

    Examples
    --------
    >>> from runload.schema import sessions_frame
    >>> s = sessions_frame([
    ...     {"activity_id": "a", "sport": "running", "start_utc": "2024-03-01 07:00Z",
    ...      "local_date": "2024-03-01", "distance_m": 8000.0},
    ...     {"activity_id": "b", "sport": "running", "start_utc": "2024-03-15 07:00Z",
    ...      "local_date": "2024-03-15", "distance_m": 5000.0}])
    >>> layoffs(s)[["gap_days", "baseline_median_week_m"]].to_numpy().tolist()
    [[14.0, 8000.0]]
    """
    for name, value in (("min_gap_days", min_gap_days), ("return_weeks", return_weeks),
                        ("baseline_weeks", baseline_weeks)):
        require_int(value, param=name, func="layoffs")
    runs = running_sessions(sessions)
    per_day = (runs["distance_m"].astype("float64").fillna(0.0)
               .groupby(runs["local_date"]).sum().sort_index())
    dates = per_day.index
    columns: dict[str, list[Any]] = {c: [] for c in _LAYOFF_COLUMNS}
    if len(dates) >= 2:
        gaps = (dates[1:] - dates[:-1]).days
        breaks = np.flatnonzero(gaps >= min_gap_days)
        first_day = dates[0]
        dist = runs["distance_m"].astype("float64")
        for n, i in enumerate(breaks):
            last, back = dates[i], dates[i + 1]
            until = back + pd.Timedelta(weeks=return_weeks)
            if n + 1 < len(breaks):
                until = min(until, dates[breaks[n + 1] + 1])
            week_sums = []
            for k in range(baseline_weeks):
                end = last - pd.Timedelta(days=7 * k)
                if end < first_day:
                    break
                start = end - pd.Timedelta(days=7)
                week_sums.append(per_day[(dates > start) & (dates <= end)].sum())
            window = (runs["local_date"] > last - pd.Timedelta(weeks=baseline_weeks)) \
                & (runs["local_date"] <= last)
            sessions_m = dist[window & (dist > 0)]
            columns["last_run_date"].append(last)
            columns["return_date"].append(back)
            columns["gap_days"].append(int(gaps[i]))
            columns["return_until"].append(until)
            columns["baseline_median_week_m"].append(float(np.median(week_sums)))
            columns["baseline_median_session_m"].append(
                float(sessions_m.median()) if len(sessions_m) else np.nan)
            columns["baseline_longest_m"].append(
                float(sessions_m.max()) if len(sessions_m) else np.nan)
    return pd.DataFrame(columns).astype(_LAYOFF_COLUMNS)


def layoff_flags(sessions: pd.DataFrame, daily: pd.DataFrame,
                 rule: LayoffRule, *, units: str = "km") -> list[dict[str, Any]]:
    """F-LAYOFF: big sessions and big weeks in the weeks after a break.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table (only runs count); needs ``activity_id``,
        ``local_date``, ``distance_m`` [m].
    daily : pandas.DataFrame
        The daily table of the same sessions (column ``distance_m`` [m]); the
        return weeks are summed from it.
    rule : LayoffRule
        Break length, return and baseline weeks, the fractions, citation and
        grade; ``rule.enabled`` False gives no flags.

    Returns
    -------
    list of dict
        Keys exactly :data:`runload.schema.FLAG_COLUMNS`, severity 'caution',
        unit 'm':

        - (a) a 'session' flag for the first run back (the first in
          ``[return_date, return_until)``) when it is longer than
          ``first_session_frac`` x the pre-break median session (``value`` its
          distance, ``threshold`` the limit);
        - (b) a 'week' flag for every return week (7-day blocks from the return
          date, the last one cut at ``return_until``) whose distance is above
          ``week1_frac`` (week 1) or ``later_weeks_frac`` (weeks 2 on) x the
          pre-break median week, dated the block's first day.

    Notes
    -----
    Thresholds are strict (a run of exactly half the median session is not
    flagged).  science.md A3 names "a first session longer than ~50 % of the
    pre-layoff median session or of the pre-layoff longest run"; the median
    session is never above the longest run, so the median test alone covers
    both.  Later sessions in return mode are left to F-SPIKE, which compares
    them with the longest run since the return.  No
    baseline, no flag: a break with no pre-break distance gives no session
    flags, and a median week of 0 gives no week flags.  The first run ever
    follows no break.  These percentages are coaching heuristics; evidence
    grade expert opinion / level IV (George 2024).

    References
    ----------
    .. [1] E. R. M. George, K. R. Sheerin, and D. Reid, Sports Med., vol. 54,
       no. 9, pp. 2247-2265, 2024. doi:10.1007/s40279-024-02051-y
    """
    if not rule.enabled:
        return []
    gaps = layoffs(sessions, min_gap_days=rule.min_gap_days, return_weeks=rule.return_weeks,
                   baseline_weeks=rule.baseline_weeks)
    if gaps.empty:
        return []
    runs = running_sessions(sessions)
    day_m = daily["distance_m"].astype("float64").fillna(0.0) if len(daily) else \
        pd.Series([], dtype="float64", index=pd.DatetimeIndex([]))
    rows = []
    for g in gaps.itertuples(index=False):
        back = (f"Back after {g.gap_days} days without running (last run "
                f"{day(g.last_run_date)})")
        in_return = (runs["local_date"] >= g.return_date) & (runs["local_date"] < g.return_until)
        limit_session = rule.first_session_frac * g.baseline_median_session_m
        if np.isfinite(limit_session) and limit_session > 0:
            # science.md A3 names the *first* session back; later big sessions are
            # F-SPIKE's business (measured against the post-return longest run).
            for r in runs.loc[in_return].head(1).itertuples(index=False):
                d = float(r.distance_m)
                if np.isfinite(d) and _above(d, limit_session):
                    message = (f"{back}: {distance(d, units)} on {day(r.local_date)} is more than "
                               f"{_share(rule.first_session_frac)} your usual run before the "
                               f"break ({distance(g.baseline_median_session_m, units)} median). "
                               f"{_RETURN_CONVENTION}")
                    rows.append(_flag("F-LAYOFF", "session", str(r.activity_id), r.local_date,
                                      "caution", d, limit_session, "m", message, rule.grade,
                                      rule.citation))
        if not g.baseline_median_week_m > 0:
            continue
        for k in range(rule.return_weeks):
            start = g.return_date + pd.Timedelta(weeks=k)
            if start >= g.return_until:
                break
            end = min(start + pd.Timedelta(weeks=1), g.return_until)
            total = float(day_m[(day_m.index >= start) & (day_m.index < end)].sum())
            frac = rule.week1_frac if k == 0 else rule.later_weeks_frac
            limit_week = frac * g.baseline_median_week_m
            if _above(total, limit_week):
                message = (f"{back}: {distance(total, units)} in week {k + 1} of the return ({day(start)} "
                           f"to {day(end - pd.Timedelta(days=1))}) is more than "
                           f"{_share(frac)} your usual week before the break "
                           f"({distance(g.baseline_median_week_m, units)} median). {_RETURN_CONVENTION}")
                rows.append(_flag("F-LAYOFF", "week", "", start, "caution", total, limit_week,
                                  "m", message, rule.grade, rule.citation))
    return rows


def downhill_flags(sessions: pd.DataFrame, rule: DownhillRule) -> list[dict[str, Any]]:
    """F-DOWNHILL: a run with far more descent than any run of the previous 30 days.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table (only runs count); needs ``activity_id``,
        ``start_utc``, ``local_date``, ``descent_m`` [m], ``is_manual``,
        ``is_summary_only``.
    rule : DownhillRule
        ``factor`` (1.3), ``min_descent_m`` (150 m) and ``lookback_days`` (30 d),
        citation and grade; ``rule.enabled`` False gives no flags.

    Returns
    -------
    list of dict
        One 'session' flag (keys :data:`runload.schema.FLAG_COLUMNS`, severity
        'info', unit 'm') per run with ``descent_m > factor x ref`` and
        ``descent_m >= min_descent_m``, where ``ref`` is the largest descent of
        the runs started in ``[t - lookback_days, t)``; ``value`` is the run's
        descent, ``threshold`` ``factor x ref``.

    Notes
    -----
    The window is the spike window (closed left, open right; an earlier run
    the same day counts).  Runs with an unknown descent are ignored as
    references; a recorded descent of 0 counts, except from a manual or
    summary-only session (no samples), where 0 usually means "not measured".
    No earlier run with a descent in the window: nothing to compare, no flag.
    Exactly ``factor x ref`` is not flagged; exactly ``min_descent_m`` is.  Evidence: unaccustomed
    downhill running causes muscle damage (moderate, as mechanism); the link
    to running injury is expert opinion, and the numbers are a design choice
    (science.md E3).

    References
    ----------
    .. [1] B. Bontemps, F. Vercruyssen, M. Gruet, and J. Louis, "Downhill
       running: what are the effects and how can we adapt? A narrative review,"
       Sports Med., vol. 50, no. 12, pp. 2083-2110, 2020.
       doi:10.1007/s40279-020-01355-z
    """
    if not rule.enabled:
        return []
    runs = running_sessions(sessions)
    descent = runs["descent_m"].to_numpy(dtype="float64")
    # A session without samples (manual or summary-only) often reports 0 for "not measured".
    unsampled = (runs["is_manual"].fillna(False).to_numpy(dtype=bool)
                 | runs["is_summary_only"].fillna(False).to_numpy(dtype=bool))
    descent = np.where(unsampled & (descent == 0), np.nan, descent)
    pos = prior_window_argmax(utc_microseconds(runs["start_utc"]), descent,
                              lookback_days=rule.lookback_days)
    ids = runs["activity_id"].to_numpy(dtype=object)
    dates = runs["local_date"].to_numpy(dtype="datetime64[us]")
    rows = []
    for i in np.flatnonzero(pos >= 0):
        own, ref = descent[i], descent[pos[i]]
        limit = rule.factor * ref
        if not (np.isfinite(own) and own >= rule.min_descent_m and _above(own, limit)):
            continue
        message = (f"{own:.0f} m of descent is more than {rule.factor:g} times the most in any "
                   f"run of the previous {rule.lookback_days} days ({ref:.0f} m on "
                   f"{day(pd.Timestamp(dates[pos[i]]))}). Much more downhill than you are used "
                   "to can cause heavy muscle soreness for several days, according to "
                   f"{_study(rule.citation)}; build downhill running gradually.")
        rows.append(_flag("F-DOWNHILL", "session", str(ids[i]), pd.Timestamp(dates[i]), "info",
                          own, limit, "m", message, rule.grade, rule.citation))
    return rows
