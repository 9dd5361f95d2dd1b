"""Session loads (TRIMP, HRSS, minutes), fitness/fatigue/form, monotony and strain.

Internal-load inputs follow science.md §4 (C1 Banister TRIMP, C3 HRSS, C6
fallbacks); the day-level models follow §3 (B4 CTL/ATL/TSB, B5 CTL ramp,
B6 Foster monotony and strain).  None of these is an injury predictor: the
flags they raise are ``info`` with their evidence grade (science.md §9).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from runload.analysis import words
from runload.analysis.acwr import _validate_daily_load
from runload.config import FitnessRule, MonotonyRule
from runload.errors import RunloadWarning
from runload.schema import FLAG_COLUMNS

__all__ = [
    "BANISTER_CONSTANTS",
    "DEFAULT_HR_REST_BPM",
    "LOAD_KINDS",
    "banister_trimp",
    "estimate_hr_bounds",
    "fitness_fatigue",
    "fitness_flags",
    "history_load_kind",
    "monotony",
    "monotony_flags",
    "session_load",
]

#: Banister TRIMP weighting ``(a, b)`` by sex (Morton, Fitz-Clarke & Banister 1990).
BANISTER_CONSTANTS: dict[str, tuple[float, float]] = {
    "male": (0.64, 1.92),
    "female": (0.86, 1.67),
}

#: Resting heart rate used when none is configured [1/min].  Running files do not
#: record it; 60 is a typical adult value (a design choice, not a measurement).
DEFAULT_HR_REST_BPM = 60.0

#: ``kind`` values of :func:`session_load`.
LOAD_KINDS = ("auto", "trimp", "hrss", "duration", "distance")

#: LTHR as a fraction of heart-rate reserve when none is given (Elevate's default).
_LTHR_RESERVE_FRAC = 0.85

_SESSION_NEEDS = ("activity_id", "timer_s", "elapsed_s", "distance_m", "avg_hr_bpm",
                  "max_hr_bpm")


def _check_sex(sex: str, function: str) -> tuple[float, float]:
    if sex not in BANISTER_CONSTANTS:
        raise ValueError(f"The 'sex' parameter of {function} must be one of 'male', 'female'; "
                         f"got {sex!r} instead.")
    return BANISTER_CONSTANTS[sex]


def _check_bounds(hr_rest_bpm: float, hr_max_bpm: float, function: str) -> None:
    if not (math.isfinite(hr_rest_bpm) and math.isfinite(hr_max_bpm)
            and hr_max_bpm > hr_rest_bpm):
        raise ValueError(f"The 'hr_max_bpm' parameter of {function} must be a number above "
                         f"hr_rest_bpm ({hr_rest_bpm!r}); got {hr_max_bpm!r} instead.")


def _trimp_weight(hr_bpm: np.ndarray, hr_rest_bpm: float, hr_max_bpm: float,
                  a: float, b: float) -> np.ndarray:
    # Per minute: HRr * a * e^(b * HRr), HRr clamped to [0, 1].
    reserve = np.clip((hr_bpm - hr_rest_bpm) / (hr_max_bpm - hr_rest_bpm), 0.0, 1.0)
    return reserve * a * np.exp(b * reserve)


def banister_trimp(hr_bpm: np.ndarray, dt_s: np.ndarray, *, hr_rest_bpm: float,
                   hr_max_bpm: float, sex: str = "male") -> float:
    """Banister's training impulse (TRIMP) of one session, sample by sample.

    Parameters
    ----------
    hr_bpm : numpy.ndarray
        Heart rate of each sample [1/min]; NaN samples count 0.
    dt_s : numpy.ndarray
        Time each sample stands for [s], same length; NaN counts 0.
    hr_rest_bpm : float
        Resting heart rate [1/min].
    hr_max_bpm : float
        Maximum heart rate [1/min], above ``hr_rest_bpm``.
    sex : {'male', 'female'}, default 'male'
        Picks the weighting constants of :data:`BANISTER_CONSTANTS`.  There is
        no average of the two: the formula was fitted per sex.

    Returns
    -------
    float
        TRIMP [min-weighted, arbitrary units].

    Raises
    ------
    ValueError
        For an unknown ``sex``, ``hr_max_bpm <= hr_rest_bpm``, arrays of
        different lengths or a negative ``dt_s``.

    Notes
    -----
    ``TRIMP = sum_i (dt_i / 60) * HRr_i * a * exp(b * HRr_i)`` with
    ``HRr = (HR - HRrest) / (HRmax - HRrest)`` clamped to [0, 1]; men
    ``a = 0.64, b = 1.92``, women ``a = 0.86, b = 1.67`` (science.md C1).
    Because the weighting is convex, a session's average heart rate gives a
    lower TRIMP than its samples (much lower for intervals).  It depends on
    correct resting and maximum heart rates.  A measurement method, not an
    injury metric.

    References
    ----------
    .. [1] E. W. Banister, T. W. Calvert, M. V. Savage, and T. Bach, "A systems
       model of training for athletic performance," Aust. J. Sports Med.,
       vol. 7, pp. 57-61, 1975.
    .. [2] R. H. Morton, J. R. Fitz-Clarke, and E. W. Banister, "Modeling human
       performance in running," J. Appl. Physiol., vol. 69, no. 3,
       pp. 1171-1177, 1990.

    Examples
    --------
    >>> round(banister_trimp(np.array([150.0]), np.array([3600.0]),
    ...                      hr_rest_bpm=60, hr_max_bpm=190), 1)
    100.4
    """
    a, b = _check_sex(sex, "banister_trimp")
    _check_bounds(hr_rest_bpm, hr_max_bpm, "banister_trimp")
    hr = np.asarray(hr_bpm, dtype="float64")
    dt = np.asarray(dt_s, dtype="float64")
    if hr.shape != dt.shape:
        raise ValueError("The 'dt_s' parameter of banister_trimp must have the length of "
                         f"hr_bpm ({hr.shape}); got {dt.shape} instead.")
    if (dt < 0).any():
        raise ValueError("The 'dt_s' parameter of banister_trimp must be >= 0; got a "
                         "negative duration instead.")
    terms = dt / 60.0 * _trimp_weight(hr, hr_rest_bpm, hr_max_bpm, a, b)
    return float(np.nansum(terms))


def estimate_hr_bounds(sessions: pd.DataFrame, *, hr_rest_bpm: float = DEFAULT_HR_REST_BPM,
                       max_plausible_bpm: float = 220.0,
                       outlier_frac: float = 0.01) -> tuple[float, float, str]:
    """Resting and maximum heart rate estimated from a history.

    Parameters
    ----------
    sessions : pandas.DataFrame
        Sessions table; uses ``max_hr_bpm`` [1/min].
    hr_rest_bpm : float, default 60
        Resting heart rate [1/min].  Activity files do not record it, so it is
        passed through (:data:`DEFAULT_HR_REST_BPM` unless configured).
    max_plausible_bpm : float, default 220
        Session maxima above this are sensor errors and are dropped [1/min].
    outlier_frac : float, default 0.01
        Share of the highest remaining maxima dropped as spikes [fraction].

    Returns
    -------
    tuple of (float, float, str)
        ``(hr_rest_bpm, hr_max_bpm, how)``: ``hr_max_bpm`` is NaN when no
        session has a usable maximum; ``how`` says in words how both were
        obtained and that they are estimates.

    Notes
    -----
    ``HRmax`` is the highest session ``max_hr_bpm`` after dropping values
    above ``max_plausible_bpm`` or not above ``hr_rest_bpm``, then the
    ``floor(outlier_frac * n)`` highest of the ``n`` left (none below 100
    sessions).  Training rarely reaches the true maximum, so this tends to
    underestimate it, which overstates heart-rate reserve and TRIMP;
    configure ``hr_max_bpm`` when known.
    """
    if "max_hr_bpm" not in sessions.columns:
        raise ValueError("The 'sessions' parameter of estimate_hr_bounds must have a "
                         "'max_hr_bpm' column; got none instead.")
    rest_note = (f"HRrest {hr_rest_bpm:.0f} bpm is a default (activity files do not record "
                 "resting heart rate)" if hr_rest_bpm == DEFAULT_HR_REST_BPM
                 else f"HRrest {hr_rest_bpm:.0f} bpm as given")
    maxima = sessions["max_hr_bpm"].to_numpy(dtype="float64", na_value=np.nan)
    maxima = maxima[np.isfinite(maxima)]
    implausible = int(((maxima > max_plausible_bpm) | (maxima <= hr_rest_bpm)).sum())
    kept = np.sort(maxima[(maxima <= max_plausible_bpm) & (maxima > hr_rest_bpm)])
    if kept.size == 0:
        return (float(hr_rest_bpm), math.nan,
                f"HRmax unknown: no session has a usable maximum heart rate; {rest_note}.")
    n_outliers = int(math.floor(outlier_frac * kept.size))
    hr_max = float(kept[kept.size - 1 - n_outliers])
    how = (f"estimated: HRmax {hr_max:.0f} bpm is the highest session maximum heart rate of "
           f"{kept.size} sessions, after dropping {implausible} implausible value(s) (above "
           f"{max_plausible_bpm:.0f} bpm or not above HRrest) and the top "
           f"{words.pct(outlier_frac)} ({n_outliers} value(s)); {rest_note}.")
    return float(hr_rest_bpm), hr_max, how


def _duration_s(sessions: pd.DataFrame) -> np.ndarray:
    # Moving (timer) time; elapsed time when the timer is missing or 0 (science.md §1).
    timer = sessions["timer_s"].to_numpy(dtype="float64", na_value=np.nan)
    elapsed = sessions["elapsed_s"].to_numpy(dtype="float64", na_value=np.nan)
    duration = np.where(timer > 0, timer, np.where(elapsed > 0, elapsed, np.nan))
    return duration.astype("float64")


def _stream_trimp(stream: pd.DataFrame, *, hr_rest_bpm: float, hr_max_bpm: float, sex: str,
                  max_sample_gap_s: float) -> float:
    """TRIMP of one stream; NaN when it has no usable heart-rate sample."""
    if "hr_bpm" not in stream.columns or stream.empty:
        return math.nan
    hr = stream["hr_bpm"].to_numpy(dtype="float64", na_value=np.nan)
    seconds = (stream["elapsed_s"].to_numpy(dtype="float64", na_value=np.nan)
               if "elapsed_s" in stream.columns else np.full(len(stream), np.nan))
    if not np.isfinite(seconds).any() and "time_utc" in stream.columns:
        times = pd.to_datetime(stream["time_utc"], utc=True)
        seconds = ((times - times.min()).dt.total_seconds()).to_numpy(dtype="float64",
                                                                        na_value=np.nan)
    # Sample-and-hold: a sample stands for the time to the next one.  Longer gaps are
    # pauses or dropouts and count 0; backwards steps (broken clocks) count 0 too.
    dt = np.append(np.diff(seconds), 0.0)
    dt = np.where(np.isfinite(dt) & (dt > 0) & (dt <= max_sample_gap_s), dt, 0.0)
    usable = np.isfinite(hr) & (hr > 0) & (dt > 0)
    if not usable.any():
        return math.nan
    return banister_trimp(hr[usable], dt[usable], hr_rest_bpm=hr_rest_bpm,
                          hr_max_bpm=hr_max_bpm, sex=sex)


def session_load(sessions: pd.DataFrame, *, kind: str = "auto", sex: str = "male",
                 hr_rest_bpm: float | None = None, hr_max_bpm: float | None = None,
                 lthr_bpm: float | None = None,
                 streams: Mapping[str, pd.DataFrame] | None = None,
                 max_sample_gap_s: float = 30.0) -> pd.DataFrame:
    """Training load of each session, and which kind of load it is.

    Parameters
    ----------
    sessions : pandas.DataFrame
        Sessions table (pass only the runs to get running load); uses
        ``activity_id``, ``timer_s`` [s], ``elapsed_s`` [s], ``distance_m``
        [m], ``avg_hr_bpm`` and ``max_hr_bpm`` [1/min].
    kind : {'auto', 'trimp', 'hrss', 'duration', 'distance'}, default 'auto'
        'auto': TRIMP where the session has heart rate, minutes otherwise.
        'trimp' / 'hrss': heart-rate load only; sessions without heart rate
        get NaN.  'duration': minutes.  'distance': kilometres.
    sex : {'male', 'female'}, default 'male'
        Banister constants (:data:`BANISTER_CONSTANTS`).
    hr_rest_bpm, hr_max_bpm : float, optional
        Heart-rate bounds [1/min]; each one not given is estimated with
        :func:`estimate_hr_bounds` from ``sessions``.
    lthr_bpm : float, optional
        Lactate-threshold heart rate for HRSS [1/min]; default
        ``HRrest + 0.85 * (HRmax - HRrest)``, an estimate.
    streams : mapping of str to pandas.DataFrame, optional
        Streams tables by ``activity_id`` (``elapsed_s`` [s] or
        ``time_utc``, and ``hr_bpm`` [1/min]); a session whose stream has
        heart rate gets per-sample TRIMP.
    max_sample_gap_s : float, default 30
        In a stream, a gap longer than this between samples is a pause or a
        dropout and counts 0 [s].

    Returns
    -------
    pandas.DataFrame
        Indexed by ``activity_id``, in the order of ``sessions``:

        - ``load``: the load in the unit of its kind; NaN when the session
          lacks what its kind needs
        - ``load_kind``: 'trimp_stream' (per-sample TRIMP), 'trimp_avg_hr'
          (TRIMP from the session's average heart rate), 'hrss',
          'duration_min' [min], 'distance_km' [km], or 'none' (no load)

        ``attrs`` records ``hr_rest_bpm``, ``hr_max_bpm``, ``lthr_bpm`` and
        ``hr_bounds`` (how the bounds were obtained).  Kinds are on different
        scales: a history mixing them shows it in ``load_kind`` (see
        :func:`history_load_kind`).

    Raises
    ------
    ValueError
        For an unknown ``kind`` or ``sex``, missing columns, or heart-rate
        loads requested with no way to know the maximum heart rate.

    Warns
    -----
    RunloadWarning
        With ``kind='auto'`` when sessions have heart rate but no maximum
        heart rate is given or can be estimated: they get minutes instead.

    Notes
    -----
    - TRIMP: :func:`banister_trimp` (science.md C1).  From a stream each
      sample stands for the time to the next one (gaps above
      ``max_sample_gap_s`` count 0).  Without a stream it is the one-sample
      formula on the average heart rate over the moving time; the convexity
      of the weighting makes this an underestimate, large for intervals.
    - HRSS: ``TRIMP / TRIMP(60 min at LTHR) * 100``, so one hour at
      threshold is 100 (science.md C3); TSS-like, the scale of the
      fitness-fatigue thresholds.
    - Minutes are moving (timer) time, elapsed time when the timer is 0 or
      missing (science.md §1, C6).

    References
    ----------
    .. [1] R. H. Morton, J. R. Fitz-Clarke, and E. W. Banister, "Modeling human
       performance in running," J. Appl. Physiol., vol. 69, no. 3,
       pp. 1171-1177, 1990.
    """
    if kind not in LOAD_KINDS:
        known = ", ".join(f"'{k}'" for k in LOAD_KINDS)
        raise ValueError(f"The 'kind' parameter of session_load must be one of {known}; "
                         f"got {kind!r} instead.")
    a, b = _check_sex(sex, "session_load")
    missing = [c for c in _SESSION_NEEDS if c not in sessions.columns]
    if missing:
        raise ValueError(f"The 'sessions' parameter of session_load must have columns "
                         f"{list(_SESSION_NEEDS)}; missing {missing}.")

    ids = pd.Index(sessions["activity_id"].astype("string"), name="activity_id")
    n = len(sessions)
    load = np.full(n, np.nan)
    load_kind = np.full(n, "none", dtype=object)
    duration_s = _duration_s(sessions)
    attrs: dict[str, Any] = {"hr_rest_bpm": math.nan, "hr_max_bpm": math.nan,
                             "lthr_bpm": math.nan, "hr_bounds": "not used"}

    if kind == "distance":
        distance_km = sessions["distance_m"].to_numpy(dtype="float64", na_value=np.nan) / 1000
        known = np.isfinite(distance_km)
        load[known] = distance_km[known]
        load_kind[known] = "distance_km"
    else:
        uses_hr = kind in ("auto", "trimp", "hrss")
        avg_hr = sessions["avg_hr_bpm"].to_numpy(dtype="float64", na_value=np.nan)
        has_avg = np.isfinite(avg_hr) & (avg_hr > 0)
        with_stream = np.array([streams is not None and i in streams for i in ids], dtype=bool)
        hr_rows = (has_avg | with_stream) if uses_hr else np.zeros(n, dtype=bool)
        if hr_rows.any():
            rest = DEFAULT_HR_REST_BPM if hr_rest_bpm is None else float(hr_rest_bpm)
            if hr_max_bpm is None:
                rest, hr_max, how = estimate_hr_bounds(sessions, hr_rest_bpm=rest)
            else:
                hr_max = float(hr_max_bpm)
                how = (f"given: HRmax {hr_max:.0f} bpm; HRrest {rest:.0f} bpm"
                       + (" (default)" if hr_rest_bpm is None else ""))
            if math.isnan(hr_max):
                if kind != "auto":
                    raise ValueError(f"kind={kind!r} needs the maximum heart rate: pass "
                                     "hr_max_bpm (no session has a usable max_hr_bpm).")
                warnings.warn("Sessions with heart rate get minutes as load: no maximum heart "
                              "rate was given or found in max_hr_bpm.", RunloadWarning,
                              stacklevel=2)
                hr_rows[:] = False
            else:
                _check_bounds(rest, hr_max, "session_load")
                attrs.update(hr_rest_bpm=rest, hr_max_bpm=hr_max, hr_bounds=how)
                weight = _trimp_weight(avg_hr, rest, hr_max, a, b)
                trimp = np.where(has_avg, duration_s / 60.0 * weight, np.nan)
                trimp_kind = np.where(np.isfinite(trimp), "trimp_avg_hr", "none").astype(object)
                for i in np.flatnonzero(with_stream):
                    value = _stream_trimp(streams[ids[i]], hr_rest_bpm=rest, hr_max_bpm=hr_max,
                                          sex=sex, max_sample_gap_s=max_sample_gap_s)
                    if math.isfinite(value):
                        trimp[i], trimp_kind[i] = value, "trimp_stream"
                if kind == "hrss":
                    lthr = rest + _LTHR_RESERVE_FRAC * (hr_max - rest) if lthr_bpm is None \
                        else float(lthr_bpm)
                    scale = 60.0 * float(_trimp_weight(np.array([lthr]), rest, hr_max, a, b)[0])
                    if scale <= 0:
                        raise ValueError("The 'lthr_bpm' parameter of session_load must be "
                                         f"above hr_rest_bpm ({rest!r}); got {lthr!r} instead.")
                    trimp = trimp / scale * 100.0
                    trimp_kind = np.where(np.isfinite(trimp), "hrss", "none").astype(object)
                    attrs["lthr_bpm"] = lthr
                    attrs["hr_bounds"] = how + ("; LTHR given" if lthr_bpm is not None else
                                                f"; LTHR {lthr:.0f} bpm estimated as HRrest + "
                                                "0.85 x (HRmax - HRrest)")
                hr_rows &= np.isfinite(trimp) | (kind != "auto")
                load[hr_rows] = trimp[hr_rows]
                load_kind[hr_rows] = trimp_kind[hr_rows]
        if kind in ("auto", "duration"):
            # 'auto': sessions whose heart rate gave no TRIMP fall back to minutes too.
            by_time = ~hr_rows & np.isfinite(duration_s)
            load[by_time] = duration_s[by_time] / 60.0
            load_kind[by_time] = "duration_min"

    result = pd.DataFrame({"load": load, "load_kind": pd.array(load_kind, dtype="string")},
                          index=ids)
    result.attrs.update(attrs)
    return result


def history_load_kind(loads: pd.DataFrame) -> str:
    """The one load kind of a history, or the kinds it mixes joined by '+'.

    Parameters
    ----------
    loads : pandas.DataFrame
        Output of :func:`session_load`.

    Returns
    -------
    str
        e.g. 'hrss', or 'duration_min+trimp_avg_hr' for a mixed history;
        'none' when no session has a load.  Sessions without a load are left
        out.  Pass it as ``load_kind`` to :func:`fitness_flags`.
    """
    kinds = sorted(set(loads.loc[loads["load"].notna(), "load_kind"].astype(str)))
    return "+".join(kinds) if kinds else "none"


def fitness_fatigue(daily_load: pd.Series, *, ctl_days: int = 42,
                    atl_days: int = 7) -> pd.DataFrame:
    """Fitness (CTL), fatigue (ATL), form (TSB) and the weekly CTL ramp.

    Parameters
    ----------
    daily_load : pandas.Series
        Load per local day [load/day]: DatetimeIndex of consecutive days, rest
        days 0.  The TSB and ramp thresholds assume a TSS-like load (HRSS).
    ctl_days : int, default 42
        Time constant of fitness [d] (Coggan's nominal 42).
    atl_days : int, default 7
        Time constant of fatigue [d].

    Returns
    -------
    pandas.DataFrame
        On the input's index: ``ctl``, ``atl`` [load/day], ``tsb`` [load/day]
        and ``ramp_7d`` [load/day per week].

    Notes
    -----
    ``CTL_t = CTL_{t-1} + (L_t - CTL_{t-1}) * (1 - exp(-1/ctl_days))``,
    ``ATL_t`` the same with ``atl_days``; ``TSB_t = CTL_{t-1} - ATL_{t-1}``
    (yesterday's values, as TrainingPeaks); ``ramp_7d_t = CTL_t - CTL_{t-7}``
    (science.md B4, B5).

    Seed: ``CTL = ATL = 0`` on the day before the series, so ``TSB`` is 0 on
    the first day.  The seed still weighs ``exp(-t/ctl_days)`` on day ``t``:
    treat the first ~3 x 42 days (5 % left) as warm-up.  ``ramp_7d`` is NaN
    on the first 7 days.  Computed with ``ewm(alpha=1 - exp(-1/N),
    adjust=False)`` on the seeded series.

    Evidence grade: expert opinion for injury (a performance model).

    References
    ----------
    .. [1] E. W. Banister, T. W. Calvert, M. V. Savage, and T. Bach, "A systems
       model of training for athletic performance," Aust. J. Sports Med.,
       vol. 7, pp. 57-61, 1975.
    .. [2] TrainingPeaks Help Center, "Fitness (CTL)" and "Form (TSB)".
    .. [3] J. Friel, "The CTL ramp rate," TrainingPeaks / joefrieltraining.com.

    Examples
    --------
    >>> days = pd.date_range("2024-03-01", periods=2, freq="D", name="local_date")
    >>> fitness_fatigue(pd.Series([100.0, 0.0], index=days))["tsb"].round(2).tolist()
    [0.0, -10.96]
    """
    for name, value in (("ctl_days", ctl_days), ("atl_days", atl_days)):
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"The '{name}' parameter of fitness_fatigue must be a number > 0; "
                             f"got {value!r} instead.")
    _validate_daily_load(daily_load, "fitness_fatigue")
    padded = pd.Series(np.concatenate([[0.0], daily_load.to_numpy(dtype="float64")]))
    ctl_all = padded.ewm(alpha=1.0 - math.exp(-1.0 / ctl_days), adjust=False,
                         min_periods=0).mean().to_numpy()
    atl_all = padded.ewm(alpha=1.0 - math.exp(-1.0 / atl_days), adjust=False,
                         min_periods=0).mean().to_numpy()
    ctl = pd.Series(ctl_all[1:], index=daily_load.index)
    return pd.DataFrame({"ctl": ctl_all[1:], "atl": atl_all[1:],
                         "tsb": ctl_all[:-1] - atl_all[:-1],
                         "ramp_7d": ctl.diff(7).to_numpy()}, index=daily_load.index)


def monotony(daily_load: pd.Series, *, window_days: int = 7, cap: float = 10.0) -> pd.DataFrame:
    """Foster's training monotony and strain over a rolling week.

    Parameters
    ----------
    daily_load : pandas.Series
        Load per local day [load/day]: DatetimeIndex of consecutive days, rest
        days 0 (they count).
    window_days : int, default 7
        Window length [d], ending on (and including) each day.
    cap : float, default 10
        Upper limit of monotony, reached when the SD is ~0 [-].

    Returns
    -------
    pandas.DataFrame
        On the input's index: ``monotony`` [-] and ``strain``
        [load/week x monotony].  NaN on the first ``window_days - 1`` days.

    Notes
    -----
    ``monotony = mean(L) / SD(L)`` over the window's daily loads, rest days
    as 0, with the population SD (ddof = 0, science.md B6); capped at
    ``cap`` (so SD = 0 with some load gives ``cap``, fellrnr convention).  A
    window with no load at all has undefined monotony (NaN) and strain 0.
    ``strain = sum(L) * monotony``.  Windows are full only: ``rolling``
    with ``min_periods=window_days``.

    Evidence grade: weak (n = 25, mostly illness, not running injury).

    References
    ----------
    .. [1] C. Foster, "Monitoring training in athletes with reference to
       overtraining syndrome," Med. Sci. Sports Exerc., vol. 30, no. 7,
       pp. 1164-1168, 1998.

    Examples
    --------
    >>> days = pd.date_range("2024-03-03", periods=7, freq="D", name="local_date")
    >>> monotony(pd.Series([10.0, 0, 10, 0, 10, 0, 10], index=days)).iloc[-1].round(4).tolist()
    [1.1547, 46.188]
    """
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 2:
        raise ValueError("The 'window_days' parameter of monotony must be an int >= 2; "
                         f"got {window_days!r} instead.")
    if not (isinstance(cap, int | float) and cap > 0):
        raise ValueError(f"The 'cap' parameter of monotony must be a number > 0; "
                         f"got {cap!r} instead.")
    _validate_daily_load(daily_load, "monotony")
    rolling = daily_load.astype("float64").rolling(window_days, min_periods=window_days)
    mean = rolling.mean().to_numpy()
    sd = rolling.std(ddof=0).to_numpy()
    total = rolling.sum().to_numpy()
    has_load = mean > 1e-12
    value = np.full(len(mean), np.nan)
    # mean / sd >= cap  <=>  sd <= mean / cap: this also covers sd == 0.
    capped = has_load & (sd * cap <= mean)
    free = has_load & ~capped
    value[capped] = cap
    value[free] = mean[free] / sd[free]
    strain = np.where(has_load, total * value, np.where(np.isfinite(mean), 0.0, np.nan))
    return pd.DataFrame({"monotony": value, "strain": strain}, index=daily_load.index)


def _episode_starts(mask: np.ndarray) -> np.ndarray:
    """Positions where a run of True values begins."""
    before = np.concatenate([[False], mask[:-1]])
    return np.flatnonzero(mask & ~before)


def _flag(**values: Any) -> dict[str, Any]:
    row = {"scope": "day", "activity_id": "", "severity": "info", **values}
    return {name: row[name] for name in FLAG_COLUMNS}


def monotony_flags(table: pd.DataFrame, rule: MonotonyRule) -> list[dict[str, Any]]:
    """F-MONOTONY: days whose rolling-week monotony is above the rule's limit.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`monotony` (a ``monotony`` column on a daily
        DatetimeIndex).
    rule : runload.config.MonotonyRule
        ``max_monotony`` (2.0, strictly exceeded), ``window_days`` (for the
        message), ``citation``, ``grade``, ``enabled``.

    Returns
    -------
    list of dict
        One flag per episode (consecutive days above the limit), dated on its
        first day, keys :data:`runload.schema.FLAG_COLUMNS`; severity 'info',
        unit 'ratio'.  Empty when the rule is disabled.

    Notes
    -----
    Threshold from science.md §9 (F-MONOTONY, "over 2.0 generally considered
    too high", fellrnr).  Evidence grade: weak (Foster 1998: illness, n = 25).
    """
    if not rule.enabled or table.empty:
        return []
    values = table["monotony"].to_numpy(dtype="float64")
    flags = []
    for i in _episode_starts(values > rule.max_monotony):
        date, value = table.index[i], float(values[i])
        shown = f"{value:.1f} or more" if value >= rule.cap else f"{value:.1f}"
        flags.append(_flag(
            flag_id="F-MONOTONY", local_date=date, value=value, threshold=rule.max_monotony,
            unit="ratio", evidence_grade=rule.grade, citation_key=rule.citation,
            message=(f"Your daily training load was very similar all week (monotony {shown} "
                     f"in the {rule.window_days} days to {words.day(date)}). Varying easy and "
                     "hard days is common advice; this measure comes from a small study of "
                     "illness, not injury.")))
    return flags


def fitness_flags(table: pd.DataFrame, rule: FitnessRule, *, load_kind: str,
                  warmup_days: int | None = None) -> list[dict[str, Any]]:
    """F-RAMP and F-TSB, only for a TSS-scaled load (HRSS).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`fitness_fatigue` (``tsb`` and ``ramp_7d`` on a daily
        DatetimeIndex).
    rule : runload.config.FitnessRule
        ``max_ramp_per_week`` (8), ``ramp_weeks`` (2), ``min_tsb`` (-30),
        ``citation``, ``grade``, ``enabled``.
    load_kind : str
        Kind of the whole history's load (:func:`history_load_kind`).  The
        thresholds are on the TSS scale, so anything but 'hrss' returns no
        flags.
    warmup_days : int, optional
        Leading days skipped while the zero seed still weighs; default
        ``3 * rule.ctl_days`` (5 % of the seed left).

    Returns
    -------
    list of dict
        One flag per episode, dated on its first day, keys
        :data:`runload.schema.FLAG_COLUMNS`, severity 'info'.

    Notes
    -----
    - F-RAMP: ``ramp_7d > max_ramp_per_week`` on every day of a
      ``7 * ramp_weeks``-day stretch (rolling minimum, full windows only);
      the flag is on the first day the stretch is complete; unit
      'load/week'.  Friel: 5-8 points a week "about right".
    - F-TSB: ``tsb < min_tsb``; unit 'load'.

    Evidence grade: expert opinion (coaching heuristics, science.md B4, B5,
    §9); not tested against injuries.
    """
    if not rule.enabled or load_kind != "hrss" or table.empty:
        return []
    skip = 3 * rule.ctl_days if warmup_days is None else warmup_days
    after_warmup = np.arange(len(table)) >= skip
    flags = []
    span = 7 * rule.ramp_weeks
    lowest = table["ramp_7d"].rolling(span, min_periods=span).min().to_numpy(dtype="float64")
    ramp = table["ramp_7d"].to_numpy(dtype="float64")
    for i in _episode_starts((lowest > rule.max_ramp_per_week) & after_warmup):
        date, value = table.index[i], float(ramp[i])
        flags.append(_flag(
            flag_id="F-RAMP", local_date=date, value=value, threshold=rule.max_ramp_per_week,
            unit="load/week", evidence_grade=rule.grade, citation_key=rule.citation,
            message=(f"Your fitness score (CTL) rose by more than {rule.max_ramp_per_week:g} "
                     f"points a week for {rule.ramp_weeks} weeks in a row (+{value:.1f} in the "
                     f"7 days to {words.day(date)}). This is a coaching rule of thumb for how "
                     "fast training stress can rise; it has not been tested against "
                     "injuries.")))
    tsb = table["tsb"].to_numpy(dtype="float64")
    for i in _episode_starts((tsb < rule.min_tsb) & after_warmup):
        date, value = table.index[i], float(tsb[i])
        flags.append(_flag(
            flag_id="F-TSB", local_date=date, value=value, threshold=rule.min_tsb,
            unit="load", evidence_grade=rule.grade, citation_key="trainingpeaks_pmc",
            message=(f"Your form score (TSB) fell to {value:.0f} on {words.day(date)}, below "
                     f"{rule.min_tsb:g}: much more recent training than you are used to. "
                     "This is a coaching rule of thumb built to plan performance, not an "
                     "injury predictor.")))
    return sorted(flags, key=lambda f: f["local_date"])
