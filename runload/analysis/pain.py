"""Pain episodes from a runner's journal, and what their own training looked like before each.

Pure pandas: a pain journal table (:data:`runload.schema.PAIN_ENTRY_COLUMNS`,
from :func:`runload.readers.pain.read_pain_journal`) and an analysis in,
tables and plain sentences out.  No I/O, no clock.

What this is, and is not
------------------------
No training-load measure has been shown to predict low-back pain in runners
(science.md section 8 and row G: the large load studies used composite
outcomes; none tested a load measure against back pain alone).  So nothing
here is a rule, a score or a flag.  It only *describes* one runner's own
history around their own pain entries: for each episode, the days before its
onset next to every other window of the same length in that history.  A
quantity that "stands out" was unusual *for this runner*; it is an
association in a handful of episodes, never shown to be why the pain came.
No p-values are computed: a few episodes of one person cannot carry them.

Episodes (:func:`pain_episodes`)
--------------------------------
Per body region, with ``T`` = ``PainSettings.severity_threshold`` and
``F`` = ``PainSettings.pain_free_days``:

- A day's severity is the highest of that day's entries for the region
  (several entries a day are allowed).
- Days without an entry are unknown, not pain-free.  What separates two
  episodes is time since the last day rated ``>= T``: a day rated ``>= T``
  is an **onset** when at least ``F`` whole days lie between it and the
  region's previous day rated ``>= T`` (with ``F = 14``: previous on 1 May,
  onset possible on 16 May, not on 15 May).  The region's very first day
  rated ``>= T`` is an onset: the journal says nothing earlier.
- Otherwise the day continues the current episode, even after an entry
  below ``T``: pain back within ``F`` days is the same episode coming back,
  not a new one.
- An episode's last day rated ``>= T`` is ``last_entry_date``.  It is
  **closed** when the journal has any later entry for the region (an entry
  below ``T`` after it, or a later onset; with no entry below ``T`` between
  two episodes the later onset implies the earlier one ended), and then
  ``end_date`` is that last day; otherwise it is **open** (``end_date``
  NaT).  ``n_entries`` counts the journal entries from the onset to that
  last day (entries below ``T`` in between included); ``peak_severity`` is
  their highest.  ``days_since_previous`` is onset minus the previous
  episode's ``end_date`` in days (so ``F + 1`` at the least).
- A journal of only entries below ``T`` (all zeros) has no episodes.

The windows before an onset (:func:`pain_exposures`)
----------------------------------------------------
For each episode and each ``N`` in ``PainSettings.windows_days`` the window
is the ``N`` days ``onset - N`` to ``onset - 1``: the onset day itself is
left out (its run may have come after the pain).  Quantities, from the
analysis's daily table (runs, distances, climb, surfaces, rest days), its
spikes, run streaks, monotony and layoffs:

``distance_m``, ``ascent_m``, ``descent_m`` [m]
    Sums over the window.
``weekly_change_frac`` [frac]
    Distance of the window's last 7 days over the 7 days before them, minus
    1 (the last 7 days before the onset against the week before: the same
    for every ``N``); NaN when that earlier week has no distance.
``max_spike_frac`` [frac]
    The largest single-session spike of a run in the window (each run
    against the longest run of the 30 days before it,
    :func:`runload.analysis.spikes.session_spikes`); by duration for runs
    whose distance is an estimate (treadmill, indoor, manual...), as
    F-SPIKE does.  NaN without a run that has a reference.
``rest_days`` [days]
    Days of the window without a run (the daily table's ``is_rest_day``).
``longest_streak_days`` [days]
    The longest streak of consecutive run days reaching into the window
    (the rest table's ``consecutive_run_days``, its highest in the window:
    a streak begun before the window counts its earlier days too).
``trail_share_frac`` [frac]
    Trail distance over distance; NaN without distance.
``surface_change_frac`` [frac]
    The largest absolute change of any surface's share of distance (road,
    trail, track, treadmill, indoor, unknown) between the window and the
    ``N`` days before it; NaN when either has no distance.
``monotony`` [ratio]
    The highest Foster monotony (rolling ``MonotonyRule.window_days``,
    rest days as 0) on any day of the window: the most monotonous stretch.
``runs_after_layoff`` [count]
    Runs in the window inside a return after a break, ``[return_date,
    return_until)`` of the layoffs table.

**Your usual.**  Each quantity is compared with the same quantity over
every other window of the same length ending on a day of the history (up to
the daily table's last day), computed for every day at once (sliding windows
over the daily table): windows reading any day before the first run are left
out (those days are unknown; the week-on-week change reads 14 days, the
surface change ``2 N``), and so are windows overlapping this episode's
window (ending from ``onset - N`` to ``onset + N - 2``) and windows where
the quantity is NaN.
``n_windows`` says how many remain; ``usual_median`` is their median;
``ratio_to_usual`` is ``value / usual_median`` (NaN when the median is 0);
``percentile`` is the share of them below the value plus half the share
equal to it (ties half; equal to within 1e-9 relative), times 100; a
quantity ``stands_out`` at or above ``stands_out_percentile`` or at or below
100 minus it.  With no window to compare, percentile and median are NaN and
nothing stands out.

**Edges of the history.**  Days of an episode's window before the first
run are unknown: they add no distance and are not counted as rest days, so
the window's values are partial (the comparison never uses such windows).
An episode whose window ends before the first run has NaN values.  Days
after the last run up to the window's end count as rest days (the history
is taken as complete up to the journal, as ``as_of`` does).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from runload.analysis.checks import require_frame
from runload.analysis.fitness import monotony as monotony_table
from runload.config import SURFACES, MonotonyRule, PainSettings
from runload.schema import (
    PAIN_ENTRY_COLUMNS,
    PAIN_REGIONS,
    PAIN_TIMINGS,
    pain_entries_frame,
    pain_episodes_frame,
    pain_exposures_frame,
)
from runload.units import distance_unit

if TYPE_CHECKING:
    from runload.analysis.flags import Analysis

#: The quantities of :func:`pain_exposures`, in row order, with their units.
QUANTITIES: dict[str, str] = {
    "distance_m": "m",
    "weekly_change_frac": "frac",
    "max_spike_frac": "frac",
    "rest_days": "days",
    "longest_streak_days": "days",
    "trail_share_frac": "frac",
    "surface_change_frac": "frac",
    "ascent_m": "m",
    "descent_m": "m",
    "monotony": "ratio",
    "runs_after_layoff": "count",
}

#: The quantities in words, as a sentence names them.
QUANTITY_WORDS: dict[str, str] = {
    "distance_m": "distance",
    "weekly_change_frac": "the change in distance from the week before",
    "max_spike_frac": "the largest spike (a run against the longest run of the weeks before it)",
    "rest_days": "the number of rest days",
    "longest_streak_days": "the longest streak of run days",
    "trail_share_frac": "the share of distance on trails",
    "surface_change_frac": "the largest change in a surface's share of distance",
    "ascent_m": "climb",
    "descent_m": "descent",
    "monotony": "the highest 7-day monotony",
    "runs_after_layoff": "the number of runs in a return after a break",
}

#: Words a pain sentence never uses (science.md section 9, wording rules).
FORBIDDEN_WORDS = ("risk", "predict", "cause", "prevent")

#: Region names in sentences: (noun, adjective).
_REGION_WORDS = {"lower_back": ("lower back", "lower-back"), "hip": ("hip", "hip"),
                 "knee": ("knee", "knee"), "shin": ("shin", "shin"), "foot": ("foot", "foot"),
                 "other": ("other region", "other-region")}

_CLINICIAN = "See a clinician if pain persists, gets worse or radiates (e.g. into a leg)."
#: Said with every lower-back description (science.md section 8).
BACK_PAIN_SENTENCE = ("Studies have not linked any training-load measure to low-back pain in "
                      "runners.")
_TIE_TOL = 1e-9


# --- checks ---------------------------------------------------------------------------------

def _require_settings(settings: Any, func: str) -> PainSettings:
    if settings is None:
        return PainSettings()
    if not isinstance(settings, PainSettings):
        raise TypeError(f"The 'settings' parameter of {func} must be a "
                        f"runload.config.PainSettings. Got {type(settings).__name__} instead.")
    checks = (
        ("severity_threshold", settings.severity_threshold, 1, 10),
        ("pain_free_days", settings.pain_free_days, 1, None),
    )
    for name, value, low, high in checks:
        if (isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low
                or (high is not None and value > high)):
            limit = f"from {low} to {high}" if high is not None else f">= {low}"
            raise ValueError(f"The '{name}' setting of PainSettings must be an int {limit}. "
                             f"Got {value!r} instead.")
    windows = tuple(settings.windows_days)
    if not windows or any(isinstance(w, bool) or not isinstance(w, int | np.integer) or w < 1
                          for w in windows) or len(set(windows)) != len(windows):
        raise ValueError("The 'windows_days' setting of PainSettings must be distinct ints >= 1, "
                         f"e.g. (7, 14, 28). Got {settings.windows_days!r} instead.")
    p = settings.stands_out_percentile
    if isinstance(p, bool) or not isinstance(p, int | float) or not 50 < p <= 100:
        raise ValueError("The 'stands_out_percentile' setting of PainSettings must be a number "
                         f"above 50 and at most 100. Got {p!r} instead.")
    return settings


def entries_table(entries: pd.DataFrame) -> pd.DataFrame:
    """A pain journal table in the schema's columns and dtypes, checked, by date then line.

    Parameters
    ----------
    entries : pandas.DataFrame
        Needs ``local_date``, ``region`` and ``severity``; ``line``, ``timing``
        and ``note`` are filled (0, '') when absent.

    Returns
    -------
    pandas.DataFrame
        :data:`runload.schema.PAIN_ENTRY_COLUMNS`.

    Raises
    ------
    TypeError
        If ``entries`` is not a DataFrame.
    ValueError
        Naming the first missing date, unknown region or timing, or severity
        that is not a whole number 0-10.
    """
    require_frame(entries, param="entries", func="pain_episodes",
                  columns=("local_date", "region", "severity"),
                  kind="a pain journal table (runload.schema.PAIN_ENTRY_COLUMNS)")
    dates = pd.to_datetime(entries["local_date"])
    if dates.isna().any():
        raise ValueError("The pain journal column 'local_date' must hold dates; row "
                         f"{int(np.flatnonzero(dates.isna().to_numpy())[0])} has none.")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    region = entries["region"].astype("string").fillna("")
    bad = ~region.isin(PAIN_REGIONS).to_numpy(dtype=bool)
    if bad.any():
        raise ValueError(f"The pain journal column 'region' must hold one of "
                         f"{list(PAIN_REGIONS)}. Got {region[bad].iloc[0]!r} instead.")
    severity = pd.to_numeric(entries["severity"], errors="coerce")
    bad = ~(severity.between(0, 10) & (severity == severity.round())).to_numpy(dtype=bool)
    if bad.any():
        raise ValueError("The pain journal column 'severity' must hold whole numbers from 0 "
                         f"to 10. Got {entries['severity'][bad].tolist()[0]!r} instead.")
    n = len(entries)
    timing = (entries["timing"].astype("string").fillna("") if "timing" in entries.columns
              else pd.Series([""] * n, dtype="string", index=entries.index))
    bad = ~timing.isin(PAIN_TIMINGS).to_numpy(dtype=bool)
    if bad.any():
        raise ValueError(f"The pain journal column 'timing' must hold one of "
                         f"{list(PAIN_TIMINGS)}. Got {timing[bad].iloc[0]!r} instead.")
    table = pd.DataFrame({
        "line": (entries["line"].to_numpy(dtype="int64") if "line" in entries.columns
                 else np.zeros(n, dtype="int64")),
        "local_date": dates.dt.normalize().to_numpy(dtype="datetime64[us]"),
        "region": region.to_numpy(dtype=object),
        "severity": severity.to_numpy(dtype="int64"),
        "timing": timing.to_numpy(dtype=object),
        "note": (entries["note"].astype("string").fillna("").to_numpy(dtype=object)
                 if "note" in entries.columns else np.full(n, "", dtype=object)),
    })
    table = table.astype({c.name: c.dtype for c in PAIN_ENTRY_COLUMNS.values()})
    return table.sort_values(["local_date", "line"], kind="stable").reset_index(drop=True)


# --- episodes -------------------------------------------------------------------------------

def pain_episodes(entries: pd.DataFrame, settings: PainSettings | None = None) -> pd.DataFrame:
    """The pain episodes of a journal, per body region (rules in the module docstring).

    Parameters
    ----------
    entries : pandas.DataFrame
        A pain journal table (:data:`runload.schema.PAIN_ENTRY_COLUMNS`).
    settings : PainSettings, optional
        ``severity_threshold`` and ``pain_free_days`` (default: runload's).

    Returns
    -------
    pandas.DataFrame
        :data:`runload.schema.PAIN_EPISODE_COLUMNS`, one row per episode,
        by onset then region (in :data:`runload.schema.PAIN_REGIONS` order).

    Raises
    ------
    TypeError, ValueError
        For a table that is not a journal, or settings out of range.

    Examples
    --------
    >>> from runload.schema import pain_entries_frame
    >>> journal = pain_entries_frame([
    ...     {"local_date": "2026-05-01", "region": "knee", "severity": 4},
    ...     {"local_date": "2026-05-03", "region": "knee", "severity": 1},
    ...     {"local_date": "2026-05-20", "region": "knee", "severity": 3}])
    >>> e = pain_episodes(journal)
    >>> e[["episode_id", "is_open", "days_since_previous"]].to_numpy().tolist()
    [['knee-2026-05-01', False, nan], ['knee-2026-05-20', True, 19.0]]
    >>> e["end_date"].tolist()
    [Timestamp('2026-05-01 00:00:00'), NaT]
    """
    settings = _require_settings(settings, "pain_episodes")
    table = entries_table(entries)
    threshold, free = settings.severity_threshold, settings.pain_free_days
    rows: list[dict[str, Any]] = []
    for region in PAIN_REGIONS:
        mine = table[(table["region"] == region).to_numpy(dtype=bool)]
        if mine.empty:
            continue
        per_day = mine.groupby("local_date", sort=True)["severity"].max()
        high = per_day.index[(per_day >= threshold).to_numpy(dtype=bool)]
        if not len(high):
            continue
        gaps = np.asarray((high[1:] - high[:-1]).days)
        starts = [0, *(np.flatnonzero(gaps > free) + 1).tolist()]
        dates = mine["local_date"]
        previous_end: pd.Timestamp | None = None
        for k, first in enumerate(starts):
            last = (starts[k + 1] if k + 1 < len(starts) else len(high)) - 1
            onset, last_high = high[first], high[last]
            closed = bool((per_day.index > last_high).any())
            inside = mine[((dates >= onset) & (dates <= last_high)).to_numpy(dtype=bool)]
            rows.append({
                "episode_id": f"{region}-{onset:%Y-%m-%d}",
                "region": region,
                "onset_date": onset,
                "end_date": last_high if closed else None,
                "last_entry_date": last_high,
                "peak_severity": int(inside["severity"].max()),
                "n_entries": len(inside),
                "is_open": not closed,
                "days_since_previous": (np.nan if previous_end is None
                                        else float((onset - previous_end).days)),
            })
            previous_end = last_high
    episodes = pain_episodes_frame(rows)
    order = episodes["region"].map({r: i for i, r in enumerate(PAIN_REGIONS)})
    return (episodes.assign(_order=order)
            .sort_values(["onset_date", "_order"], kind="stable")
            .drop(columns="_order").reset_index(drop=True))


# --- the windows before each onset ----------------------------------------------------------

def open_episodes(entries: pd.DataFrame, episodes: pd.DataFrame,
                  on: pd.Timestamp) -> pd.DataFrame:
    """The episodes open on the local day ``on``, newest first, with their latest rating.

    Open on a day means begun by then and not ended before it (an episode that
    ended later in the journal was still open on that day).

    Parameters
    ----------
    entries : pandas.DataFrame
        The journal (:data:`runload.schema.PAIN_ENTRY_COLUMNS`).
    episodes : pandas.DataFrame
        Its episodes (:func:`pain_episodes`).
    on : pandas.Timestamp
        The local day.

    Returns
    -------
    pandas.DataFrame
        ``episode_id``, ``region``, ``onset_date``, ``peak_severity``,
        ``latest_severity`` (the region's last entry from the onset up to
        ``on``; the peak if there is none) and ``latest_date``.
    """
    on = pd.Timestamp(on).normalize()
    columns = ["episode_id", "region", "onset_date", "peak_severity", "latest_severity",
               "latest_date"]
    if not len(episodes):
        return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in zip(
            columns, ["string", "string", "datetime64[us]", "int64", "int64", "datetime64[us]"],
            strict=True)})
    open_then = episodes["is_open"].to_numpy(dtype=bool) | (
        episodes["end_date"] >= on).fillna(False).to_numpy(dtype=bool)
    chosen = episodes[(episodes["onset_date"] <= on).to_numpy(dtype=bool) & open_then]
    chosen = chosen.sort_values("onset_date", ascending=False, kind="stable")
    rows = []
    for r in chosen.itertuples(index=False):
        mine = entries[(entries["region"] == r.region).to_numpy(dtype=bool)
                       & (entries["local_date"] >= r.onset_date).to_numpy(dtype=bool)
                       & (entries["local_date"] <= on).to_numpy(dtype=bool)]
        if len(mine):
            last = mine.sort_values(["local_date", "line"], kind="stable").iloc[-1]
            latest, when = int(last["severity"]), pd.Timestamp(last["local_date"])
        else:
            latest, when = int(r.peak_severity), pd.Timestamp(r.onset_date)
        rows.append((r.episode_id, r.region, r.onset_date, int(r.peak_severity), latest, when))
    out = pd.DataFrame(rows, columns=columns)
    return out.astype({"episode_id": "string", "region": "string", "onset_date": "datetime64[us]",
                       "peak_severity": "int64", "latest_severity": "int64",
                       "latest_date": "datetime64[us]"})


def _rolling(values: np.ndarray, n: int, how: str) -> np.ndarray:
    """Per position i, the sum or max of ``values[i-n+1 .. i]`` (NaN for i < n-1).

    Each window is reduced on its own (no running subtraction), so sums of
    whole metres stay exact.  The max ignores NaN and is NaN for all-NaN windows.
    """
    out = np.full(len(values), np.nan)
    if len(values) < n:
        return out
    windows = sliding_window_view(values, n)
    out[n - 1:] = windows.sum(axis=1) if how == "sum" else np.fmax.reduce(windows, axis=1)
    return out


def _shift(values: np.ndarray, n: int) -> np.ndarray:
    out = np.full(len(values), np.nan)
    out[n:] = values[:len(values) - n]
    return out


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _day_series(analysis: Analysis, days: pd.DatetimeIndex, first: pd.Timestamp,
                last: pd.Timestamp) -> dict[str, np.ndarray]:
    """The per-day inputs on ``days``: unknown before ``first``, rest days after ``last``."""
    daily = analysis.daily
    known = days >= first
    after = days > last
    frame = daily.reindex(days)

    def column(name: str) -> np.ndarray:
        return frame[name].astype("float64").fillna(0.0).to_numpy() if name in frame.columns \
            else np.zeros(len(days))

    out = {name: column(name) for name in ("distance_m", "ascent_m", "descent_m", "runs",
                                            "load")}
    for surface in SURFACES:
        out[surface] = column(f"distance_{surface}_m")
    rest = frame["is_rest_day"].astype("boolean").fillna(False).to_numpy(dtype=bool) \
        if "is_rest_day" in frame.columns else np.zeros(len(days), dtype=bool)
    out["rest"] = (rest | after).astype("float64")

    spikes = analysis.spikes
    if len(spikes):
        frac = spikes["spike_frac"].where(spikes["distance_reliable"].to_numpy(dtype=bool),
                                          spikes["duration_spike_frac"]).astype("float64")
        frac = frac.where(np.isfinite(frac.to_numpy()))
        per_day = frac.groupby(pd.DatetimeIndex(spikes["local_date"]).normalize()).max()
        out["spike"] = per_day.reindex(days).to_numpy(dtype="float64")
    else:
        out["spike"] = np.full(len(days), np.nan)

    streak = analysis.rest["consecutive_run_days"] if "consecutive_run_days" in \
        analysis.rest.columns else pd.Series(dtype="float64")
    out["streak"] = streak.reindex(days).astype("float64").fillna(0.0).to_numpy()

    rule = getattr(analysis.thresholds, "monotony", MonotonyRule())
    span = days[known]
    load = pd.Series(out["load"][known], index=span)
    mono = (monotony_table(load, window_days=rule.window_days, cap=rule.cap)["monotony"]
            if len(span) else pd.Series(dtype="float64"))
    out["monotony"] = mono.reindex(days).to_numpy(dtype="float64")

    in_return = np.zeros(len(days), dtype=bool)
    for r in analysis.layoffs.itertuples(index=False):
        in_return |= (days >= r.return_date) & (days < r.return_until)
    out["layoff_runs"] = out["runs"] * in_return
    return out


def _window_quantities(series: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Every quantity for the window of ``n`` days ending on each day."""
    distance = _rolling(series["distance_m"], n, "sum")
    last7 = _rolling(series["distance_m"], 7, "sum")
    before7 = _shift(last7, 7)
    shares = {s: _divide(_rolling(series[s], n, "sum"), distance) for s in SURFACES}
    previous_distance = _shift(distance, n)
    change = np.full(len(distance), np.nan)
    both = (distance > 0) & (previous_distance > 0)
    if both.any():
        stacked = np.vstack([np.abs(shares[s] - _shift(shares[s], n)) for s in SURFACES])
        change[both] = stacked[:, both].max(axis=0)
    return {
        "distance_m": distance,
        "weekly_change_frac": _divide(last7, before7) - 1.0,
        "max_spike_frac": _rolling(series["spike"], n, "max"),
        "rest_days": _rolling(series["rest"], n, "sum"),
        "longest_streak_days": _rolling(series["streak"], n, "max"),
        "trail_share_frac": shares["trail"],
        "surface_change_frac": change,
        "ascent_m": _rolling(series["ascent_m"], n, "sum"),
        "descent_m": _rolling(series["descent_m"], n, "sum"),
        "monotony": _rolling(series["monotony"], n, "max"),
        "runs_after_layoff": _rolling(series["layoff_runs"], n, "sum"),
    }


def _span(quantity: str, n: int) -> int:
    """Days a quantity of an ``n``-day window reads, the window's last day back."""
    if quantity == "weekly_change_frac":
        return max(n, 14)
    if quantity == "surface_change_frac":
        return 2 * n
    return n


def _compare(value: float, others: np.ndarray, stands_out_percentile: float) -> dict[str, Any]:
    n = len(others)
    if n == 0:
        median = percentile = np.nan
    else:
        median = float(np.median(others))
        if math.isfinite(value):
            tol = _TIE_TOL * max(1.0, abs(value))
            below = int((others < value - tol).sum())
            equal = int((np.abs(others - value) <= tol).sum())
            percentile = 100.0 * (below + 0.5 * equal) / n
        else:
            percentile = np.nan
    ratio = value / median if math.isfinite(value) and median and math.isfinite(median) \
        else np.nan
    stands = bool(math.isfinite(percentile) and (percentile >= stands_out_percentile
                                                 or percentile <= 100 - stands_out_percentile))
    return {"usual_median": median, "ratio_to_usual": ratio, "percentile": percentile,
            "n_windows": n, "stands_out": stands}


def pain_exposures(analysis: Analysis, episodes: pd.DataFrame,
                   settings: PainSettings | None = None) -> pd.DataFrame:
    """What each episode's days before the onset held, against the runner's usual.

    Parameters
    ----------
    analysis : runload.Analysis
        The load analysis (:func:`runload.analyze`): its ``daily``,
        ``spikes``, ``rest``, ``layoffs`` tables and monotony rule are read.
    episodes : pandas.DataFrame
        :func:`pain_episodes`'s table.
    settings : PainSettings, optional
        ``windows_days`` and ``stands_out_percentile`` (default: the
        analysis's ``thresholds.pain``).

    Returns
    -------
    pandas.DataFrame
        :data:`runload.schema.PAIN_EXPOSURE_COLUMNS`, long format: per
        episode (in table order), per window (in ``windows_days`` order), one
        row per quantity of :data:`QUANTITIES` (definitions, the comparison
        and the history's edges: the module docstring).

    Raises
    ------
    TypeError, ValueError
        For an ``episodes`` table without the episode columns, or settings
        out of range.

    Examples
    --------
    >>> import runload
    >>> from runload.schema import pain_entries_frame, sessions_frame
    >>> runs = sessions_frame([
    ...     {"activity_id": f"r{d}", "sport": "running", "local_date": f"2026-05-{d:02d}",
    ...      "start_utc": f"2026-05-{d:02d} 07:00Z", "timer_s": 1800.0,
    ...      "distance_m": 5000.0 if d < 20 else 8000.0} for d in range(1, 29, 2)])
    >>> journal = pain_entries_frame([{"local_date": "2026-05-28", "region": "knee",
    ...                               "severity": 4}])
    >>> a = runload.analyze(runs, pain=journal)
    >>> row = a.pain_exposures.query("window_days == 7 and quantity == 'distance_m'").iloc[0]
    >>> row["value"], row["usual_median"], row["percentile"], row["n_windows"]
    (np.float64(32000.0), np.float64(17500.0), np.float64(100.0), np.int64(14))
    """
    if settings is None:
        settings = getattr(getattr(analysis, "thresholds", None), "pain", None)
    settings = _require_settings(settings, "pain_exposures")
    require_frame(episodes, param="episodes", func="pain_exposures",
                  columns=("episode_id", "region", "onset_date"),
                  kind="a pain episodes table (runload.schema.PAIN_EPISODE_COLUMNS)")
    windows = [int(w) for w in settings.windows_days]
    if episodes.empty:
        return pain_exposures_frame([])
    onsets = pd.DatetimeIndex(episodes["onset_date"]).normalize()
    daily = analysis.daily
    rows: list[dict[str, Any]] = []

    def row(ep: Any, onset: pd.Timestamp, n: int, quantity: str, value: float,
            compared: Mapping[str, Any]) -> dict[str, Any]:
        return {"episode_id": str(ep.episode_id), "region": str(ep.region),
                "onset_date": onset, "window_days": n, "quantity": quantity,
                "unit": QUANTITIES[quantity], "value": value, **compared}

    if daily.empty:
        empty = _compare(np.nan, np.array([]), settings.stands_out_percentile)
        for ep, onset in zip(episodes.itertuples(index=False), onsets, strict=True):
            rows += [row(ep, onset, n, q, np.nan, empty) for n in windows for q in QUANTITIES]
        return pain_exposures_frame(rows)

    first, last = daily.index[0], daily.index[-1]
    pad = max(2 * max(windows), 14)
    end = max(last, onsets.max() - pd.Timedelta(days=1))
    days = pd.date_range(first - pd.Timedelta(days=pad), end, freq="D",
                         unit=np.datetime_data(daily.index.dtype)[0])
    series = _day_series(analysis, days, first, last)
    day_values = days.to_numpy()
    for n in windows:
        quantities = _window_quantities(series, n)
        for ep, onset in zip(episodes.itertuples(index=False), onsets, strict=True):
            window_end = onset - pd.Timedelta(days=1)
            position = days.get_loc(window_end) if window_end >= first else None
            overlap = ((day_values >= (onset - pd.Timedelta(days=n)).to_datetime64())
                       & (day_values <= (onset + pd.Timedelta(days=n - 2)).to_datetime64()))
            for quantity, values in quantities.items():
                # Windows of the history: all the days the quantity reads on or after the
                # first run's day, ending by the last day.
                usable = ((days >= first + pd.Timedelta(days=_span(quantity, n) - 1))
                          & (days <= last))
                value = float(values[position]) if position is not None else np.nan
                others = values[usable & ~overlap]
                others = others[np.isfinite(others)]
                rows.append(row(ep, onset, n, quantity, value,
                                _compare(value, others, settings.stands_out_percentile)))
    order = {eid: i for i, eid in enumerate(episodes["episode_id"])}
    table = pain_exposures_frame(rows)
    table["_e"] = table["episode_id"].map(order)
    table["_w"] = table["window_days"].map({w: i for i, w in enumerate(windows)})
    return (table.sort_values(["_e", "_w"], kind="stable").drop(columns=["_e", "_w"])
            .reset_index(drop=True))


# --- sentences ------------------------------------------------------------------------------

def _get(row: Any, name: str) -> Any:
    if isinstance(row, Mapping | pd.Series):
        return row[name]
    return getattr(row, name)


def _ordinal(value: float) -> str:
    n = min(99, max(1, int(math.floor(value + 0.5))))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _where(percentile: float, n: int) -> str:
    """'92nd percentile of your 14-day windows', or above / below all of them."""
    if percentile >= 100:
        return f"higher than all your other {n}-day windows"
    if percentile <= 0:
        return f"lower than all your other {n}-day windows"
    return f"{_ordinal(percentile)} percentile of your {n}-day windows"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _signed(frac: float) -> str:
    value = round(frac * 100)
    return f"+{value} %" if value > 0 else f"{value} %".replace("-", "\u2212")


def format_quantity(quantity: str, value: float, units: str = "km") -> str:
    """A window quantity in words: '42.0 km', '640 m', '+45 %', '3 days', '2.4'.

    Climb and descent are in metres (feet with ``units='mi'``); shares in %.

    Examples
    --------
    >>> format_quantity("distance_m", 42000.0), format_quantity("weekly_change_frac", 0.45)
    ('42.0 km', '+45 %')
    >>> format_quantity("descent_m", 640.0, "mi"), format_quantity("rest_days", 1.0)
    ('2,100 ft', '1 day')
    """
    if value is None or not math.isfinite(value):
        return "\u2013"
    if quantity == "distance_m":
        return distance_unit(units).format_distance(value)
    if quantity in ("ascent_m", "descent_m"):
        return f"{value:,.0f} m" if distance_unit(units).name == "km" \
            else f"{value / 0.3048:,.0f} ft"
    if quantity in ("weekly_change_frac", "max_spike_frac"):
        return _signed(value)
    if quantity == "surface_change_frac":
        return f"{round(value * 100)} percentage points"
    if quantity == "trail_share_frac":
        return f"{round(value * 100)} %"
    if quantity in ("rest_days", "longest_streak_days"):
        return _plural(int(round(value)), "day")
    if quantity == "monotony":
        return f"{value:.1f}"
    if quantity == "runs_after_layoff":
        return f"{value:.0f}"
    return f"{value:g}"


def _times(ratio: float) -> str:
    return f"{ratio:.1f} \u00d7"


def _pick(rows: pd.DataFrame) -> pd.DataFrame:
    """Per quantity, the window whose percentile is furthest from 50 (the shortest on ties).

    The week-on-week change is the same value in every window (the last 7 days
    against the 7 before): its shortest window is taken.
    """
    if rows.empty:
        return rows
    far = (rows["percentile"] - 50).abs().where(rows["quantity"] != "weekly_change_frac", 0.0)
    chosen = (rows.assign(_far=far)
              .sort_values(["_far", "window_days"], ascending=[False, True], kind="stable")
              .drop_duplicates("quantity"))
    order = {q: i for i, q in enumerate(QUANTITIES)}
    return (chosen.assign(_q=chosen["quantity"].map(order)).sort_values("_q", kind="stable")
            .drop(columns=["_far", "_q"]))


def caveat_sentence(n_episodes: int | None = None) -> str:
    """The caveat every pain description ends with ('with 3 episodes this says little')."""
    few = "few episodes" if n_episodes is None else _plural(int(n_episodes), "episode")
    return (f"These are patterns in your own history, not the reason for the pain; with {few} "
            f"this says little. {_CLINICIAN}")


def describe_episode(episode_row: Any, exposures_of_episode: pd.DataFrame,
                     units: str = "km", *, n_episodes: int | None = None) -> list[str]:
    """The days before one episode in short plain sentences, then the caveat.

    Parameters
    ----------
    episode_row : pandas.Series, mapping or named tuple
        One row of :func:`pain_episodes`'s table.
    exposures_of_episode : pandas.DataFrame
        The rows of :func:`pain_exposures`'s table for this episode.
    units : {'km', 'mi'}, default 'km'
        Distance unit of the sentences.
    n_episodes : int, optional
        How many episodes the journal has, for the caveat ('with 3 episodes
        this says little'); without it the caveat says 'few episodes'.

    Returns
    -------
    list of str
        One sentence per quantity that stands out (its most unusual window),
        e.g. "In the 14 days before, descent was 2.1 × your usual: 640 m
        against 305 m (92nd percentile of your 14-day windows).", or one
        saying nothing stood out, or that there was no history before the
        onset; for a lower-back episode, that studies have linked no load
        measure to low-back pain; always last, the caveat (patterns in your
        own history, not the reason for the pain; see a clinician if pain
        persists, gets worse or radiates).  No sentence uses the words of
        :data:`FORBIDDEN_WORDS`.
    """
    region = str(_get(episode_row, "region"))
    rows = exposures_of_episode
    lines: list[str] = []
    if rows.empty or not np.isfinite(rows["value"].to_numpy(dtype="float64")).any():
        lines.append("Your activity history starts on or after this onset, so there is no "
                     "training before it to look at.")
    else:
        standing = _pick(rows[rows["stands_out"].to_numpy(dtype=bool)])
        for r in standing.itertuples(index=False):
            n = int(r.window_days)
            label = QUANTITY_WORDS.get(r.quantity, r.quantity)
            where = _where(r.percentile, n)
            value = format_quantity(r.quantity, r.value, units)
            usual = format_quantity(r.quantity, r.usual_median, units)
            if r.quantity == "weekly_change_frac":
                lines.append(f"In the 7 days before, distance changed by {value} on the 7 days "
                             f"before them, against a usual {usual} ({where}).")
            elif r.unit != "frac" and math.isfinite(r.ratio_to_usual) and r.value > 0:
                lines.append(f"In the {n} days before, {label} was {_times(r.ratio_to_usual)} "
                             f"your usual: {value} against {usual} ({where}).")
            else:
                lines.append(f"In the {n} days before, {label} was {value} against a usual "
                             f"{usual} ({where}).")
        if standing.empty:
            windows = sorted({int(w) for w in rows["window_days"]})
            said = (", ".join(str(w) for w in windows[:-1]) + f" and {windows[-1]}"
                    if len(windows) > 1 else str(windows[0]))
            lines.append(f"Nothing in the {said} days before stood out against your other "
                         "windows of the same length.")
    if region == "lower_back":
        lines.append(BACK_PAIN_SENTENCE)
    lines.append(caveat_sentence(n_episodes))
    return lines


def pain_summary(episodes: pd.DataFrame, exposures: pd.DataFrame, units: str = "km", *,
                 region: str | None = None) -> list[str]:
    """Across the episodes of each region: what stood out before most of them, then the caveat.

    Parameters
    ----------
    episodes, exposures : pandas.DataFrame
        :func:`pain_episodes`'s and :func:`pain_exposures`'s tables.
    units : {'km', 'mi'}, default 'km'
    region : str, optional
        Only this region (default: every region with episodes, in
        :data:`runload.schema.PAIN_REGIONS` order).

    Returns
    -------
    list of str
        Per region, one sentence per quantity that stood out, on the same
        side, before more than half of the region's episodes with a value (its
        window with the most such episodes), with the medians over all those
        episodes, e.g. "The 14 days before your 3 lower-back episodes had 2.1 ×
        your usual descent (median percentile 92; it stood out before 2 of
        them)."; or a sentence saying nothing stood out before most of them.  Then, with a lower-back episode, that
        studies have linked no load measure to low-back pain; and the caveat.
        [] without episodes.
    """
    if episodes.empty:
        return []
    regions = [r for r in PAIN_REGIONS if (episodes["region"] == r).any()
               and (region is None or r == region)]
    lines: list[str] = []
    for reg in regions:
        ids = episodes.loc[(episodes["region"] == reg).to_numpy(dtype=bool), "episode_id"]
        n_ep = len(ids)
        _, adjective = _REGION_WORDS[reg]
        yours = (f"your one {adjective} episode" if n_ep == 1
                 else f"your {n_ep} {adjective} episodes")
        mine = exposures[exposures["episode_id"].isin(ids).to_numpy(dtype=bool)]
        mine = mine[np.isfinite(mine["percentile"].to_numpy(dtype="float64"))]
        found = []
        for (n, quantity), group in mine.groupby(["window_days", "quantity"], sort=False):
            high = group["stands_out"].to_numpy(dtype=bool) & (group["percentile"] >= 50)
            low = group["stands_out"].to_numpy(dtype=bool) & (group["percentile"] < 50)
            count = int(max(high.sum(), low.sum()))
            if 2 * count <= len(group):
                continue
            found.append({"window_days": int(n), "quantity": quantity, "count": count,
                          "of": len(group), "percentile": float(group["percentile"].median()),
                          "ratio": float(group["ratio_to_usual"].median()),
                          "value": float(group["value"].median()),
                          "usual": float(group["usual_median"].median()),
                          "unit": QUANTITIES[quantity]})
        if not found:
            lines.append(f"Nothing stood out against your usual windows before most of "
                         f"{yours}.")
            continue
        table = pd.DataFrame(found)
        table["_far"] = (table["percentile"] - 50).abs()
        table = (table.sort_values(["count", "_far", "window_days"],
                                   ascending=[False, False, True], kind="stable")
                 .drop_duplicates("quantity"))
        table["_q"] = table["quantity"].map({q: i for i, q in enumerate(QUANTITIES)})
        for r in table.sort_values("_q", kind="stable").itertuples(index=False):
            label = QUANTITY_WORDS.get(r.quantity, r.quantity)
            them = "it" if n_ep == 1 else f"{r.count} of them"
            noun = label.removeprefix("the ")
            tail = (f"(median percentile {r.percentile:.0f}; it stood out before {them})"
                    if n_ep > 1 else f"({_ordinal(r.percentile)} percentile)")
            if r.unit != "frac" and math.isfinite(r.ratio) and r.ratio > 0:
                lines.append(f"The {r.window_days} days before {yours} had {_times(r.ratio)} "
                             f"your usual {noun} {tail}.")
            else:
                lines.append(f"The {r.window_days} days before {yours} had {label} at "
                             f"{format_quantity(r.quantity, r.value, units)} against a usual "
                             f"{format_quantity(r.quantity, r.usual, units)} {tail}.")
    if "lower_back" in regions:
        lines.append(BACK_PAIN_SENTENCE)
    lines.append(caveat_sentence(len(episodes[episodes["region"].isin(regions)])))
    return lines


def empty_pain_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Empty entries, episodes and exposures tables, in the schema's dtypes."""
    return pain_entries_frame([]), pain_episodes_frame([]), pain_exposures_frame([])
