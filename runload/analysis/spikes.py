"""Single-session spikes: each run against the longest run of the previous 30 days.

This is runload's primary flag (science.md A1, F-SPIKE): in the
Garmin-RUNSAFE cohort (Frandsen 2025), runs more than 10 % longer than the
longest run of the previous 30 days were linked with more overuse injuries.
The same rule on duration is offered where distance is unreliable
(treadmill, manual and summary-only entries); that extension is expert
opinion.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from runload.analysis.checks import require_int
from runload.analysis.daily import runs as running_sessions
from runload.analysis.references import REFERENCES
from runload.analysis.words import day, distance, duration, pct
from runload.config import SpikeRule
from runload.schema import UTC_DTYPE

#: sub_sport values whose distance is an estimate (no GPS; wrist or belt speed model).
UNRELIABLE_DISTANCE_SUB_SPORTS = ("treadmill", "indoor_running", "virtual_activity")

#: Bin labels, in order of the lower edges of ``bins_frac``.
SPIKE_BINS = (">10-30%", ">30-100%", ">100%")

# d / ref - 1 carries rounding error (1.1 * 10 000 / 10 000 - 1 = 0.10000000000000009), so a
# value within this of a bin edge counts as on the edge: a run exactly 10 % longer is no spike.
# 1e-9 of a 10 km reference is 10 micrometres, far below any recorded precision.
_EDGE_TOL = 1e-9

_SPIKE_COLUMNS = {
    "activity_id": "string", "local_date": "datetime64[us]", "start_utc": UTC_DTYPE,
    "distance_m": "float64", "duration_s": "float64", "ref_distance_m": "float64",
    "ref_activity_id": "string", "ref_local_date": "datetime64[us]", "spike_frac": "float64",
    "spike_bin": "string", "distance_reliable": "bool", "distance_unreliable_reason": "string",
    "ref_duration_s": "float64", "ref_duration_activity_id": "string",
    "ref_duration_local_date": "datetime64[us]", "duration_spike_frac": "float64",
    "duration_spike_bin": "string",
}

_REASON_WORDS = {
    "treadmill": "treadmill distance is an estimate",
    "indoor_running": "indoor running distance is an estimate",
    "virtual_activity": "virtual-run distance is an estimate",
    "manual": "this run has no recorded samples, so its distance may be an estimate",
    "summary_only": "this run is known only from a summary, so its distance may be an estimate",
    "no_distance": "this run has no recorded distance",
}


def _require(df: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"The {what} table must have columns {list(columns)}; "
                         f"missing {missing}.")


def utc_microseconds(start_utc: pd.Series) -> np.ndarray:
    """Start times as int64 microseconds since the Unix epoch (NaT as the int64 minimum)."""
    return pd.DatetimeIndex(start_utc).as_unit("us").asi8


def prior_window_argmax(times_us: np.ndarray, values: np.ndarray, *,
                        lookback_days: int) -> np.ndarray:
    """Position of the largest value among the items started in ``[t - lookback, t)``.

    Parameters
    ----------
    times_us : numpy.ndarray of int64
        Start times [us since the epoch], sorted ascending; unknown starts (NaT,
        the int64 minimum) may be anywhere and neither have nor are a reference.
    values : numpy.ndarray of float
        One value per item; NaN (or -inf) marks an item that cannot be a
        reference.
    lookback_days : int
        Window length [d].

    Returns
    -------
    numpy.ndarray of int64
        For each item, the position of the window's largest value, -1 when the
        window holds no usable value.  Ties go to the latest item.

    Notes
    -----
    The window is closed on the left, open on the right: an item started
    exactly ``lookback_days`` before counts, the item itself and any item
    started at the same instant do not.  Window edges come from
    ``searchsorted``; range maxima from a sparse table (O(n log n) build,
    O(1) per query), so 5,000 runs take about a millisecond.

    Examples
    --------
    >>> day_us = 86_400 * 10**6
    >>> prior_window_argmax(np.array([0, day_us, 2 * day_us]), np.array([5.0, 3.0, 1.0]),
    ...                     lookback_days=1).tolist()
    [-1, 0, 1]
    """
    dated = times_us != np.iinfo("int64").min
    if not dated.all():
        out = np.full(len(times_us), -1, dtype="int64")
        where = np.flatnonzero(dated)
        sub = prior_window_argmax(times_us[dated], np.asarray(values)[dated],
                                  lookback_days=lookback_days)
        out[dated] = np.where(sub >= 0, where[np.maximum(sub, 0)], -1)
        return out
    n = len(times_us)
    v = np.where(np.isnan(values), -np.inf, values).astype("float64")
    left = np.searchsorted(times_us, times_us - lookback_days * 86_400 * 10**6, side="left")
    right = np.searchsorted(times_us, times_us, side="left")
    out = np.full(n, -1, dtype="int64")
    if n == 0:
        return out
    # table[k][i]: position of the max of v[i : i + 2**k], ties to the later position.
    table = [np.arange(n, dtype="int64")]
    k = 1
    while (1 << k) <= n:
        prev = table[-1]
        half = 1 << (k - 1)
        a, b = prev[: n - (1 << k) + 1], prev[half: half + n - (1 << k) + 1]
        table.append(np.where(v[b] >= v[a], b, a))
        k += 1
    length = right - left
    has = length > 0
    level = np.zeros(n, dtype="int64")
    level[has] = np.floor(np.log2(length[has])).astype("int64")
    for k in np.unique(level[has]):
        idx = np.flatnonzero(has & (level == k))
        a = table[k][left[idx]]
        b = table[k][right[idx] - (1 << int(k))]
        out[idx] = np.where(v[b] >= v[a], b, a)
    usable = out >= 0
    out[usable & ~np.isfinite(v[np.where(usable, out, 0)])] = -1
    return out


def _bin(frac: np.ndarray, has_ref: np.ndarray, edges: tuple[float, ...]) -> np.ndarray:
    labels = np.full(len(frac), "none", dtype=object)
    for edge, label in zip(edges, SPIKE_BINS, strict=True):
        labels[frac > edge + _EDGE_TOL] = label
    labels[~has_ref] = "no_reference"
    return labels


def _reference(runs: pd.DataFrame, times_us: np.ndarray, own: np.ndarray,
               lookback_days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    usable = np.where(own > 0, own, np.nan)
    pos = prior_window_argmax(times_us, usable, lookback_days=lookback_days)
    has = pos >= 0
    safe = np.where(has, pos, 0)
    ref = np.where(has, usable[safe], np.nan)
    ids = np.where(has, runs["activity_id"].to_numpy(dtype=object)[safe], "")
    dates = runs["local_date"].to_numpy(dtype="datetime64[us]")[safe]
    ref_dates = np.where(has, dates, np.datetime64("NaT", "us"))
    return ref, ids, ref_dates, has


def _unreliable_reason(runs: pd.DataFrame) -> np.ndarray:
    sub = runs["sub_sport"].astype("object").fillna("").to_numpy()
    reason = np.full(len(runs), "", dtype=object)
    dist = runs["distance_m"].to_numpy(dtype="float64")
    checks = [
        (~(dist > 0), "no_distance"),
        (runs["is_summary_only"].fillna(False).to_numpy(dtype=bool), "summary_only"),
        (runs["is_manual"].fillna(False).to_numpy(dtype=bool), "manual"),
    ] + [(sub == s, s) for s in reversed(UNRELIABLE_DISTANCE_SUB_SPORTS)]
    # Later checks overwrite earlier ones: the sub-sport is the most telling reason.
    for mask, label in checks:
        reason[mask] = label
    return reason


def session_spikes(sessions: pd.DataFrame, *, lookback_days: int = 30,
                   bins_frac: tuple[float, float, float] = (0.10, 0.30, 1.00)) -> pd.DataFrame:
    """Each run against the single longest run of the previous ``lookback_days`` days.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table (:data:`runload.schema.SESSION_COLUMNS`); needs
        ``activity_id``, ``sport``, ``sub_sport``, ``start_utc`` [UTC],
        ``local_date``, ``distance_m`` [m], ``timer_s`` [s], ``elapsed_s`` [s],
        ``is_manual``, ``is_summary_only``, ``duplicate_of``.  Only the runs
        that count are used (running, not a duplicate, with a local date).
    lookback_days : int, default 30
        Length of the reference window before each run [d] (Frandsen 2025).
    bins_frac : tuple of 3 floats, default (0.10, 0.30, 1.00)
        Lower edges of the study's bins >10-30 %, >30-100 %, >100 % [fraction];
        each must be strictly exceeded.

    Returns
    -------
    pandas.DataFrame
        One row per run, in start order, on the runs' index labels:

        - ``activity_id``, ``local_date``, ``start_utc``: the run.
        - ``distance_m`` [m]; ``duration_s`` [s]: timer (moving) time, elapsed
          time where the timer is missing (as in ``daily_table``).
        - ``ref_distance_m`` [m], ``ref_activity_id``, ``ref_local_date``: the
          longest run in the window ('' / NaN / NaT when none).
        - ``spike_frac`` [fraction]: ``distance_m / ref_distance_m - 1``.
        - ``spike_bin``: 'none', '>10-30%', '>30-100%', '>100%' or
          'no_reference'.
        - ``distance_reliable`` (bool) and ``distance_unreliable_reason``
          ('' when reliable, else 'treadmill', 'indoor_running',
          'virtual_activity', 'manual', 'summary_only' or 'no_distance').
        - ``ref_duration_s`` [s], ``ref_duration_activity_id``,
          ``ref_duration_local_date``, ``duration_spike_frac`` [fraction],
          ``duration_spike_bin``: the same rule on duration.

        ``attrs`` records ``lookback_days`` and ``bins_frac``.

    Raises
    ------
    ValueError
        If a column is missing, ``lookback_days`` is not an int >= 1, or
        ``bins_frac`` is not three increasing fractions >= 0.

    Notes
    -----
    For run :math:`s` started at :math:`t_s`,

    .. math:: ref_s = \\max\\{d_j : t_j \\in [t_s - L, t_s)\\}, \\quad
              spike_s = d_s / ref_s - 1

    with :math:`L` = ``lookback_days`` days, to the microsecond.  The window
    is closed on the left (a run started exactly 30 days before counts; one
    started a second earlier does not) and open on the right: an earlier run
    the same day counts, the run itself and any run started at the same
    instant never do.  References with a missing or zero value are ignored;
    treadmill and other estimated distances do count as references.  Ties go
    to the most recent run.  A run with an unknown start (NaT) has no
    reference and is no one's reference.

    Bins are strict: ``spike_frac`` must exceed an edge by more than 1e-9 (so
    a run exactly 10 % longer is 'none', exactly 30 % is '>10-30%', exactly
    100 % is '>30-100%').  'none' covers any increase up to 10 % and any
    decrease; it is the study's reference group, not a safe zone.  A run with
    no usable reference in the window is 'no_reference' and gets no spike:
    after 30 days without running, the layoff rule (science.md A3) applies
    instead of a division by zero.  A run with a missing own distance has a
    NaN ``spike_frac`` and bin 'none'; its ``distance_reliable`` is False, so
    F-SPIKE uses the duration columns for it.

    Distance is unreliable for treadmill, indoor and virtual runs, manual and
    summary-only entries and missing or zero distances; F-SPIKE then uses the
    duration variant.

    Evidence grade (distance): moderate (5,205 runners, 588,071 sessions;
    HRR 1.64, 1.52 and 2.28 for the three bins) [1]_.  Duration variant:
    expert opinion (science.md A1).

    References
    ----------
    .. [1] J. S. B. Frandsen et al., "How much running is too much? Identifying
       high-risk running sessions in a 5200-person cohort study," Br. J. Sports
       Med., vol. 59, no. 17, pp. 1203-1210, 2025. doi:10.1136/bjsports-2024-109380

    Examples
    --------
    >>> from runload.schema import sessions_frame
    >>> s = sessions_frame([
    ...     {"activity_id": "a", "sport": "running", "start_utc": "2024-03-01 07:00Z",
    ...      "local_date": "2024-03-01", "distance_m": 10000.0, "timer_s": 3000.0},
    ...     {"activity_id": "b", "sport": "running", "start_utc": "2024-03-05 07:00Z",
    ...      "local_date": "2024-03-05", "distance_m": 13000.0, "timer_s": 3900.0}])
    >>> session_spikes(s)[["activity_id", "ref_activity_id", "spike_bin"]].to_numpy().tolist()
    [['a', '', 'no_reference'], ['b', 'a', '>10-30%']]
    """
    require_int(lookback_days, param="lookback_days", func="session_spikes")
    edges = tuple(bins_frac)
    if (len(edges) != 3 or any(not isinstance(e, int | float) or e < 0 for e in edges)
            or list(edges) != sorted(edges)):
        raise ValueError("The 'bins_frac' parameter of session_spikes must be three increasing "
                         f"fractions >= 0 (e.g. (0.10, 0.30, 1.00)). Got {bins_frac!r} instead.")
    _require(sessions, ("activity_id", "sport", "sub_sport", "start_utc", "local_date",
                        "distance_m", "timer_s", "elapsed_s", "is_manual", "is_summary_only",
                        "duplicate_of"), "sessions")
    runs = running_sessions(sessions)
    times = utc_microseconds(runs["start_utc"])
    dist = runs["distance_m"].to_numpy(dtype="float64")
    timer = runs["timer_s"].to_numpy(dtype="float64")
    dur = np.where(np.isnan(timer), runs["elapsed_s"].to_numpy(dtype="float64"), timer)

    ref_d, ref_d_id, ref_d_date, has_d = _reference(runs, times, dist, lookback_days)
    ref_t, ref_t_id, ref_t_date, has_t = _reference(runs, times, dur, lookback_days)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac_d = dist / ref_d - 1.0
        frac_t = dur / ref_t - 1.0
    reason = _unreliable_reason(runs)

    out = pd.DataFrame({
        "activity_id": runs["activity_id"], "local_date": runs["local_date"],
        "start_utc": runs["start_utc"], "distance_m": dist, "duration_s": dur,
        "ref_distance_m": ref_d, "ref_activity_id": ref_d_id, "ref_local_date": ref_d_date,
        "spike_frac": frac_d, "spike_bin": _bin(frac_d, has_d, edges),
        "distance_reliable": reason == "", "distance_unreliable_reason": reason,
        "ref_duration_s": ref_t, "ref_duration_activity_id": ref_t_id,
        "ref_duration_local_date": ref_t_date, "duration_spike_frac": frac_t,
        "duration_spike_bin": _bin(frac_t, has_t, edges),
    }, index=runs.index)
    out = out.astype(_SPIKE_COLUMNS)
    out.attrs = {"lookback_days": int(lookback_days), "bins_frac": edges}
    return out


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def spike_flags(spikes: pd.DataFrame, rule: SpikeRule, *,
                units: str = "km") -> list[dict[str, Any]]:
    """F-SPIKE: one flag per run in a spike bin (Frandsen 2025).

    Parameters
    ----------
    spikes : pandas.DataFrame
        The table of :func:`session_spikes`.
    rule : SpikeRule
        Bin edges (re-applied here to ``spike_frac``), severities, citation and
        evidence grade; ``rule.enabled`` False gives no flags.

    Returns
    -------
    list of dict
        One dict per flag with keys exactly :data:`runload.schema.FLAG_COLUMNS`:
        scope 'session', ``value`` the spike [frac], ``threshold`` the lower
        edge of its bin [frac], severity ``rule.severities`` of the bin.

    Raises
    ------
    ValueError
        If ``spikes`` was computed with another ``lookback_days`` than the
        rule's (its ``attrs`` say which).

    Notes
    -----
    A run with a reliable distance is judged on distance (grade
    ``rule.grade``).  Otherwise it is judged on duration, the message says
    why, and the grade is 'expert opinion' (the study measured distance).
    'none' and 'no_reference' give no flag; 'none' is not called safe.

    References
    ----------
    .. [1] J. S. B. Frandsen et al., Br. J. Sports Med., vol. 59, no. 17,
       pp. 1203-1210, 2025. doi:10.1136/bjsports-2024-109380
    """
    if not rule.enabled:
        return []
    lookback = spikes.attrs.get("lookback_days", rule.lookback_days)
    if lookback != rule.lookback_days:
        raise ValueError(f"The spikes table was computed with lookback_days={lookback} but the "
                         f"rule says {rule.lookback_days}; call session_spikes with "
                         f"lookback_days={rule.lookback_days}.")
    edges = tuple(rule.bins_frac)
    study = REFERENCES[rule.citation].study_type if rule.citation in REFERENCES else "a study"
    finding = (f"In {study}, runs more than {pct(edges[0])} longer than the month's longest "
               "were linked with more overuse injuries")
    rows: list[dict[str, Any]] = []
    for r in spikes.itertuples(index=False):
        by_distance = bool(r.distance_reliable)
        if by_distance:
            frac, has_ref = r.spike_frac, r.spike_bin != "no_reference"
        else:
            frac, has_ref = r.duration_spike_frac, r.duration_spike_bin != "no_reference"
        level = [i for i, e in enumerate(edges) if frac > e + _EDGE_TOL]
        if not has_ref or not np.isfinite(frac) or not level:
            continue
        k = level[-1]
        if by_distance:
            ref_date = r.ref_local_date
            amount, ref_amount = distance(r.distance_m, units), distance(r.ref_distance_m, units)
        else:
            ref_date = r.ref_duration_local_date
            amount, ref_amount = duration(r.duration_s), duration(r.ref_duration_s)
        longest = "your longest run" if by_distance else "your longest run by time"
        comparison = (f"{amount} is {pct(frac)} longer than {longest} in the previous "
                      f"{lookback} days, {ref_amount} on {day(ref_date)}.")
        if by_distance:
            message = f"{comparison} {finding}; this is an association, not a prediction."
            grade = rule.grade
        else:
            why = _REASON_WORDS.get(r.distance_unreliable_reason, "this run's distance is "
                                    "unreliable")
            message = (f"{_cap(why)}, so this compares duration: {comparison} {finding} "
                       "(measured by distance; applying it to duration is expert opinion); "
                       "this is an association, not a prediction.")
            grade = "expert opinion"
        rows.append({
            "flag_id": "F-SPIKE", "scope": "session", "activity_id": str(r.activity_id),
            "local_date": pd.Timestamp(r.local_date), "severity": rule.severities[k],
            "value": float(frac), "threshold": float(edges[k]), "unit": "frac",
            "message": message, "evidence_grade": grade, "citation_key": rule.citation,
        })
    return rows
