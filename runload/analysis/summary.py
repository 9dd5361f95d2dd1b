"""One calendar week of an analysis, in the numbers a runner reads first.

:func:`week_summary` gathers what the runner report's opening paragraph says
about a week: distance and its change from the week before, the longest run
and its spike against the longest run of the previous 30 days, rest days,
the surface mix and the week's flags.  :attr:`WeekSummary.attention_key`
sorts several runners' weeks so that those with the most severe flags come
first (a coach's list).

Everything here is read from the tables of :func:`runload.analysis.analyze`;
nothing is recomputed, so the summary always says what the tables say.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from runload.analysis.flags import Analysis
from runload.analysis.volume import WEEK_DAYS
from runload.config import SEVERITIES, SURFACES

#: Severities, most severe first (the order a week's flags are listed in).
SEVERITY_ORDER = tuple(reversed(SEVERITIES))

_NO_SPIKE_BINS = ("none", "no_reference", "")


def week_start_of(date: pd.Timestamp | str, week_start: str = "monday") -> pd.Timestamp:
    """The first day of the calendar week holding ``date``.

    Parameters
    ----------
    date : pandas.Timestamp or str
        A local date (a time of day is dropped; a time zone is dropped, the
        wall-clock date is kept).
    week_start : {'monday', ..., 'sunday'}, default 'monday'
        The first day of a calendar week.

    Returns
    -------
    pandas.Timestamp
        Midnight of the week's first day, tz-naive.

    Raises
    ------
    ValueError
        If ``week_start`` is not a day name or ``date`` is not a date.

    Examples
    --------
    >>> week_start_of("2022-12-21").date(), week_start_of("2022-12-21", "sunday").date()
    (datetime.date(2022, 12, 19), datetime.date(2022, 12, 18))
    """
    if week_start not in WEEK_DAYS:
        raise ValueError(f"The 'week_start' parameter of week_start_of must be one of "
                         f"{list(WEEK_DAYS)}. Got {week_start!r} instead.")
    stamp = pd.Timestamp(date)
    if stamp is pd.NaT:
        raise ValueError("The 'date' parameter of week_start_of must be a date. Got NaT instead.")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    stamp = stamp.normalize()
    back = (stamp.day_of_week - WEEK_DAYS.index(week_start)) % 7
    return stamp - pd.Timedelta(days=back)


def latest_week_start(analysis: Analysis, as_of: pd.Timestamp | str | None = None
                      ) -> pd.Timestamp:
    """The first day of the week holding ``as_of`` (default: the analysis's last day).

    Parameters
    ----------
    analysis : Analysis
        From :func:`runload.analysis.analyze`.
    as_of : pandas.Timestamp or str, optional
        A local date; default the last day of ``analysis.daily`` (the
        ``as_of`` the analysis ran to, or its last run's day).

    Returns
    -------
    pandas.Timestamp
        Uses ``analysis.thresholds.weeks.week_start``.

    Raises
    ------
    ValueError
        If ``as_of`` is not given and the analysis has no days (no runs).
    """
    if as_of is None:
        if analysis.daily.empty:
            raise ValueError("The analysis has no days (no runs), so it has no latest week; "
                             "pass as_of.")
        as_of = analysis.daily.index[-1]
    return week_start_of(as_of, analysis.thresholds.weeks.week_start)


@dataclass(frozen=True, eq=False)
class WeekSummary:
    """One calendar week, as the report's opening paragraph tells it.

    Attributes
    ----------
    week_start : pandas.Timestamp
        First local day of the week.
    week_end : pandas.Timestamp
        Last local day of the week inside the analysis (inclusive): the
        week's seventh day, or the analysis's last day when the week is not
        over yet.
    days : int
        Days of the week inside the analysis [d] (7 for a whole week; fewer
        for the first week of a history and a week not over yet).
    runs : int
        Runs started in the week.
    distance_m : float
        The week's distance [m].
    prev_distance_m : float
        The previous calendar week's distance [m]; NaN when the analysis
        starts with this week.
    change_frac : float
        ``(distance_m - prev_distance_m) / prev_distance_m`` [fraction], as
        ``analysis.weekly``; NaN when the previous week is below the
        weekly_jump base (under ``min_base_m`` or ``min_base_runs``).
    change_bin : str
        Nielsen 2014's category of ``change_frac`` ('' when not evaluated).
    longest_run_m : float
        Distance of the week's longest run [m]; NaN without runs.
    longest_run_s : float
        Its duration (timer time, elapsed where missing) [s].
    longest_run_date : pandas.Timestamp
        Its local date (NaT without runs).
    longest_run_activity_id : str
        Its ``activity_id`` ('' without runs).
    longest_run_name : str
        Its name as the file gave it ('' when none): text from a file, to be
        escaped by whatever displays it.
    longest_run_spike_basis : str
        What its spike compares, as F-SPIKE does: 'distance' when its
        distance is reliable, 'duration' otherwise (treadmill, manual ...);
        '' without runs.
    longest_run_spike_frac : float
        Its spike against the longest run of the previous
        ``spike.lookback_days`` days, on that basis [fraction]; NaN when there
        is no reference run.
    longest_run_spike_bin : str
        'none', '>10-30%', '>30-100%', '>100%' or 'no_reference' ('' without
        runs).
    longest_run_ref_m : float
        The reference run's distance [m] (distance basis), else NaN.
    longest_run_ref_s : float
        The reference run's duration [s] (duration basis), else NaN.
    longest_run_ref_date : pandas.Timestamp
        The reference run's local date (NaT when none).
    max_spike_frac : float
        The week's largest spike, each run on its own basis [fraction]; NaN
        when no run of the week has a reference.
    max_spike_bin : str
        Its bin ('' when none).
    max_spike_activity_id : str
        Its run ('' when none).
    rest_days : int
        Days of the week (up to ``week_end``) without a run [d].
    surface_m : dict of str to float
        Distance per surface [m], in :data:`runload.config.SURFACES` order,
        surfaces with distance only.
    surface_share_frac : dict of str to float
        Share of the week's distance per surface [fraction], same keys.
    flags : pandas.DataFrame
        The week's rows of ``analysis.flags``, most severe first, then by
        date (oldest first), then ``flag_id``.
    flag_counts : dict of str to int
        Flags per severity, every severity of :data:`runload.config.SEVERITIES`.
    acwr_ratio : float
        ACWR on ``week_end`` (context only, never a risk level); NaN when
        undefined.
    """

    week_start: pd.Timestamp
    week_end: pd.Timestamp
    days: int
    runs: int
    distance_m: float
    prev_distance_m: float
    change_frac: float
    change_bin: str
    longest_run_m: float
    longest_run_s: float
    longest_run_date: pd.Timestamp
    longest_run_activity_id: str
    longest_run_name: str
    longest_run_spike_basis: str
    longest_run_spike_frac: float
    longest_run_spike_bin: str
    longest_run_ref_m: float
    longest_run_ref_s: float
    longest_run_ref_date: pd.Timestamp
    max_spike_frac: float
    max_spike_bin: str
    max_spike_activity_id: str
    rest_days: int
    surface_m: dict[str, float]
    surface_share_frac: dict[str, float]
    flags: pd.DataFrame
    flag_counts: dict[str, int]
    acwr_ratio: float

    @property
    def attention_key(self) -> tuple[int, int, int, float]:
        """A sort key putting the weeks that need attention first.

        ``(-high, -warning, -caution, -max_spike_frac)``: more high flags
        first, then more warning, then more caution flags, then the larger
        spike; a week without any spike sorts after every week with one.
        Callers append a name to break ties, e.g.
        ``sorted(weeks, key=lambda w: (*w.summary.attention_key, w.name))``.
        """
        counts = self.flag_counts
        spike = -self.max_spike_frac if math.isfinite(self.max_spike_frac) else math.inf
        return (-counts.get("high", 0), -counts.get("warning", 0), -counts.get("caution", 0),
                spike)


def _effective_spikes(spikes: pd.DataFrame) -> pd.DataFrame:
    """Each run's spike on the basis F-SPIKE judges it by (distance, or duration)."""
    reliable = spikes["distance_reliable"].to_numpy(dtype=bool)
    frac = np.where(reliable, spikes["spike_frac"].to_numpy(dtype="float64"),
                    spikes["duration_spike_frac"].to_numpy(dtype="float64"))
    bins = np.where(reliable, spikes["spike_bin"].astype("object").fillna("").to_numpy(),
                    spikes["duration_spike_bin"].astype("object").fillna("").to_numpy())
    no_ref = bins == "no_reference"
    frac = np.where(no_ref, np.nan, frac)
    return pd.DataFrame({
        "activity_id": spikes["activity_id"].astype("object").to_numpy(),
        "basis": np.where(reliable, "distance", "duration"),
        "frac": frac, "bin": bins,
        "ref_m": np.where(reliable & ~no_ref, spikes["ref_distance_m"].to_numpy(dtype="float64"),
                          np.nan),
        "ref_s": np.where(~reliable & ~no_ref,
                          spikes["ref_duration_s"].to_numpy(dtype="float64"), np.nan),
        "ref_date": np.where(reliable, spikes["ref_local_date"].to_numpy(dtype="datetime64[us]"),
                             spikes["ref_duration_local_date"].to_numpy(
                                 dtype="datetime64[us]")),
    })


def _sorted_flags(flags: pd.DataFrame) -> pd.DataFrame:
    order = flags["severity"].astype("object").map(
        {s: i for i, s in enumerate(SEVERITY_ORDER)}).fillna(len(SEVERITY_ORDER))
    return (flags.assign(_order=order.to_numpy(dtype="float64"))
            .sort_values(["_order", "local_date", "flag_id"], kind="stable")
            .drop(columns="_order").reset_index(drop=True))


def _float(value: object) -> float:
    return float("nan") if value is None or pd.isna(value) else float(value)


def week_summary(analysis: Analysis, week_start: pd.Timestamp | str) -> WeekSummary:
    """The numbers of one calendar week, read from an analysis's tables.

    Parameters
    ----------
    analysis : Analysis
        From :func:`runload.analysis.analyze`.
    week_start : pandas.Timestamp or str
        Any local date of the week (normally its first day); the week starts
        on ``analysis.thresholds.weeks.week_start``.

    Returns
    -------
    WeekSummary

    Raises
    ------
    ValueError
        If the week is not inside the analysis (before its first day or after
        its last).

    Notes
    -----
    Distance, change, rest days and the surface mix are the week's row of
    ``analysis.weekly``; the longest run is the week's run with the largest
    ``distance_m`` (the first of equals); spikes come from
    ``analysis.spikes``, each run judged on the basis F-SPIKE uses (duration
    where the distance is an estimate).  The change is NaN below the
    weekly_jump base guard (science.md A2), so a week after a tiny week
    shows no percentage rather than a meaningless one.

    Examples
    --------
    >>> from runload.analysis import analyze
    >>> from runload.schema import sessions_frame
    >>> s = sessions_frame([{"activity_id": f"r{i}", "sport": "running",
    ...     "local_date": d, "start_utc": f"{d} 07:00Z", "distance_m": m, "timer_s": m * 0.3}
    ...     for i, (d, m) in enumerate([("2024-03-04", 5000.0), ("2024-03-06", 6000.0),
    ...                                 ("2024-03-12", 7000.0)])])
    >>> w = week_summary(analyze(s), "2024-03-11")
    >>> w.distance_m, w.prev_distance_m, round(w.longest_run_spike_frac, 4), w.rest_days
    (7000.0, 11000.0, 0.1667, 1)
    """
    start = week_start_of(week_start, analysis.thresholds.weeks.week_start)
    weekly = analysis.weekly
    if start not in weekly.index:
        first = weekly.index[0].date() if len(weekly) else None
        last = analysis.daily.index[-1].date() if len(analysis.daily) else None
        raise ValueError(f"The week starting {start.date()} is not inside the analysis "
                         f"(its days run from {first} to {last}).")
    row = weekly.loc[start]
    position = weekly.index.get_loc(start)
    prev_m = float(weekly["distance_m"].iloc[position - 1]) if position > 0 else float("nan")
    last_day = analysis.daily.index[-1]
    end = min(start + pd.Timedelta(days=6), last_day)

    runs = analysis.runs
    in_week = runs["local_date"].between(start, end).fillna(False).to_numpy(dtype=bool)
    week_runs = runs.loc[in_week]
    spikes = _effective_spikes(analysis.spikes)
    week_spikes = spikes[spikes["activity_id"].isin(
        week_runs["activity_id"].astype("object"))]

    longest = dict.fromkeys(("m", "s", "ref_m", "ref_s"), float("nan"))
    longest_date = longest_ref_date = pd.NaT
    longest_id = longest_name = basis = spike_bin = ""
    spike_frac = float("nan")
    if len(week_runs):
        distance = week_runs["distance_m"].astype("float64")
        pick = distance.idxmax() if distance.notna().any() else week_runs.index[0]
        chosen = week_runs.loc[pick]
        longest_id = str(chosen["activity_id"])
        longest_name = "" if pd.isna(chosen["name"]) else str(chosen["name"])
        longest_date = pd.Timestamp(chosen["local_date"])
        longest["m"] = _float(chosen["distance_m"])
        timer = _float(chosen["timer_s"])
        longest["s"] = timer if math.isfinite(timer) else _float(chosen["elapsed_s"])
        match = spikes[spikes["activity_id"] == longest_id]
        if len(match):
            sp = match.iloc[0]
            basis, spike_bin = str(sp["basis"]), str(sp["bin"])
            spike_frac = _float(sp["frac"])
            longest["ref_m"], longest["ref_s"] = _float(sp["ref_m"]), _float(sp["ref_s"])
            longest_ref_date = pd.Timestamp(sp["ref_date"])

    with_ref = week_spikes[np.isfinite(week_spikes["frac"].to_numpy(dtype="float64"))]
    if len(with_ref):
        top = with_ref.loc[with_ref["frac"].idxmax()]
        max_frac, max_bin, max_id = float(top["frac"]), str(top["bin"]), str(top["activity_id"])
    else:
        max_frac, max_bin, max_id = float("nan"), "", ""

    surface_m = {s: float(row[f"distance_{s}_m"]) for s in SURFACES
                 if row[f"distance_{s}_m"] > 0}
    share = {s: float(row[f"share_{s}_frac"]) for s in surface_m}

    flags = analysis.flags
    week_flags = _sorted_flags(flags[flags["local_date"].between(start, end)
                                     .fillna(False).to_numpy(dtype=bool)])
    counts = {s: int(week_flags["severity"].eq(s).sum()) for s in SEVERITIES}
    ratio = (_float(analysis.acwr["ratio"].get(end)) if "ratio" in analysis.acwr.columns
             else float("nan"))

    return WeekSummary(
        week_start=start, week_end=end, days=int(row["days"]),
        runs=int(row["runs"]), distance_m=float(row["distance_m"]), prev_distance_m=prev_m,
        change_frac=_float(row["change_frac"]),
        change_bin="" if pd.isna(row["change_bin"]) else str(row["change_bin"]),
        longest_run_m=longest["m"], longest_run_s=longest["s"], longest_run_date=longest_date,
        longest_run_activity_id=longest_id, longest_run_name=longest_name,
        longest_run_spike_basis=basis, longest_run_spike_frac=spike_frac,
        longest_run_spike_bin=spike_bin, longest_run_ref_m=longest["ref_m"],
        longest_run_ref_s=longest["ref_s"], longest_run_ref_date=longest_ref_date,
        max_spike_frac=max_frac, max_spike_bin=max_bin, max_spike_activity_id=max_id,
        rest_days=int(row["rest_days"]), surface_m=surface_m, surface_share_frac=share,
        flags=week_flags, flag_counts=counts, acwr_ratio=ratio)


def is_spike(bin_label: str) -> bool:
    """Whether a spike bin label is one of the study's spike bins ('>10-30%' ...)."""
    return bin_label not in _NO_SPIKE_BINS
