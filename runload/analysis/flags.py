"""All evidence-graded flags of a history, in one tidy table.

:func:`analyze` computes every table the flags need once, from a sessions
table and a :class:`runload.config.Thresholds`; :func:`flags` returns only
the flags.  Each rule is computed by its own module and can be switched off
in the thresholds.

Honesty rules (science.md section 9): every flag is an *association* from a
named kind of study, with its evidence grade and a citation key; no flag
claims to predict or prevent injury or back pain; ACWR and fitness/fatigue are
shown, never flagged as risk (except the TSS-scaled coaching heuristics
F-RAMP/F-TSB, which need a TSS-like load).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from runload.analysis import acwr as acwr_module
from runload.analysis.daily import daily_table, runs
from runload.analysis.fitness import (
    fitness_fatigue,
    fitness_flags,
    history_load_kind,
    monotony,
    monotony_flags,
    session_load,
)
from runload.analysis.pain import entries_table, pain_episodes, pain_exposures
from runload.analysis.references import references_table
from runload.analysis.rest import (
    downhill_flags,
    layoff_flags,
    layoffs,
    rest_days,
    rest_flags,
)
from runload.analysis.spikes import session_spikes, spike_flags
from runload.analysis.surface import classify_surfaces
from runload.analysis.surface_load import apply_surface_overrides, surface_novelty_flags
from runload.analysis.volume import (
    one_variable_flags,
    rolling_7d,
    weekly_jump_flags,
    weekly_surface_share,
    weekly_table,
)
from runload.config import Thresholds
from runload.schema import (
    flags_frame,
    pain_entries_frame,
    pain_episodes_frame,
    pain_exposures_frame,
)

_SEVERITY_ORDER = {"high": 0, "warning": 1, "caution": 2, "info": 3}


@dataclass(frozen=True)
class Analysis:
    """Every table of a load analysis.

    Attributes
    ----------
    runs : pandas.DataFrame
        The running sessions analysed (sessions columns), with their
        surfaces classified and the user's overrides applied.
    loads : pandas.DataFrame
        Per-session load (index activity_id; ``load``, ``load_kind``).
    daily : pandas.DataFrame
        One row per local day (rest days included).
    weekly : pandas.DataFrame
        Calendar weeks, with distance and share per surface.
    rolling : pandas.DataFrame
        Rolling 7-day windows, per day.
    spikes : pandas.DataFrame
        Every run against the longest run of the previous days.
    rest : pandas.DataFrame
        Run streaks and rest days, per day.
    layoffs : pandas.DataFrame
        Breaks of at least the layoff rule's length, with pre-break baselines.
    acwr : pandas.DataFrame
        Acute and chronic load and their ratio, per day (display only).
    fitness : pandas.DataFrame
        CTL, ATL, TSB and ramp, per day (display only).
    monotony : pandas.DataFrame
        Foster monotony and strain, per day.
    flags : pandas.DataFrame
        Every flag raised (:data:`runload.schema.FLAG_COLUMNS`), newest first,
        then most severe.
    references : pandas.DataFrame
        The references the flags cite.
    load_kind : str
        The load used for fitness, monotony and ACWR ('trimp_avg_hr',
        'duration_min', 'hrss'...): one kind for the whole history.
    load_note : str
        Why that load was used, in plain words.
    thresholds : Thresholds
        The rules used.
    pain_entries : pandas.DataFrame
        The runner's pain journal (:data:`runload.schema.PAIN_ENTRY_COLUMNS`),
        up to ``as_of``; empty without a journal or with the pain settings
        switched off.
    pain_episodes : pandas.DataFrame
        Its episodes (:func:`runload.analysis.pain.pain_episodes`).
    pain_exposures : pandas.DataFrame
        The days before each onset against the runner's usual
        (:func:`runload.analysis.pain.pain_exposures`).  Descriptions of one
        runner's history, not flags: no load measure is known to predict
        back pain.
    """

    runs: pd.DataFrame
    loads: pd.DataFrame
    daily: pd.DataFrame
    weekly: pd.DataFrame
    rolling: pd.DataFrame
    spikes: pd.DataFrame
    rest: pd.DataFrame
    layoffs: pd.DataFrame
    acwr: pd.DataFrame
    fitness: pd.DataFrame
    monotony: pd.DataFrame
    flags: pd.DataFrame
    references: pd.DataFrame
    load_kind: str
    load_note: str
    thresholds: Thresholds
    pain_entries: pd.DataFrame = field(default_factory=lambda: pain_entries_frame([]))
    pain_episodes: pd.DataFrame = field(default_factory=lambda: pain_episodes_frame([]))
    pain_exposures: pd.DataFrame = field(default_factory=lambda: pain_exposures_frame([]))


def analyze(sessions: pd.DataFrame, *, thresholds: Thresholds | None = None,
            as_of: pd.Timestamp | None = None,
            streams: Mapping[str, pd.DataFrame] | None = None,
            surface_overrides: pd.DataFrame | None = None,
            pain: pd.DataFrame | None = None) -> Analysis:
    """Compute every load table and flag of a history.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table (:data:`runload.schema.SESSION_COLUMNS`), e.g.
        ``runload.read_history(path).sessions``.
    thresholds : Thresholds, optional
        Rules and settings (default: science.md's defaults).
    as_of : pandas.Timestamp, optional
        Local date the analysis runs to (default: the last run's day); days
        after the last run up to it are rest days.
    streams : mapping of activity_id to streams table, optional
        Per-record heart rate for per-sample TRIMP; without it TRIMP comes
        from session average heart rate.
    surface_overrides : pandas.DataFrame, optional
        The user's surface rules, from
        :func:`runload.readers.overrides.read_surface_overrides`; applied
        after the surface classification, and shown as 'user_override'.
    pain : pandas.DataFrame, optional
        The runner's pain journal
        (:func:`runload.readers.pain.read_pain_journal`); entries after
        ``as_of`` are left out.  Its episodes and the days before them fill
        the ``pain_*`` tables (unless ``thresholds.pain.enabled`` is False);
        no flag comes from it and no other table changes.

    Returns
    -------
    Analysis

    Notes
    -----
    Surfaces: every run is classified
    (:func:`runload.analysis.surface.classify_surfaces`), then the overrides
    are applied (:func:`runload.analysis.surface_load.apply_surface_overrides`).
    The weekly surface shares feed the one-variable flag, and F-SURFACE flags
    new or suddenly longer surfaces.
    """
    t = thresholds or Thresholds()
    run_sessions = classify_surfaces(runs(sessions))
    if surface_overrides is not None:
        run_sessions = apply_surface_overrides(run_sessions, surface_overrides)
    loads, load_kind, load_note = _consistent_loads(run_sessions, t, streams)
    daily = daily_table(run_sessions, load=loads["load"], as_of=as_of)
    weekly = weekly_table(daily, week_start=t.weeks.week_start,
                          min_base_m=t.weekly_jump.min_base_m,
                          min_base_runs=t.weekly_jump.min_base_runs)
    rolling = rolling_7d(daily, min_base_m=t.weekly_jump.min_base_m,
                         min_base_runs=t.weekly_jump.min_base_runs)
    spikes = session_spikes(run_sessions, lookback_days=t.spike.lookback_days,
                            bins_frac=t.spike.bins_frac)
    rest = rest_days(daily)
    gaps = layoffs(run_sessions, min_gap_days=t.layoff.min_gap_days,
                   return_weeks=t.layoff.return_weeks, baseline_weeks=t.layoff.baseline_weeks)
    ratio = acwr_module.acwr(daily["load"], method=t.acwr.method, acute_days=t.acwr.acute_days,
                             chronic_days=t.acwr.chronic_days,
                             min_chronic_per_day=t.acwr.min_chronic_per_day)
    fit = fitness_fatigue(daily["load"], ctl_days=t.fitness.ctl_days,
                          atl_days=t.fitness.atl_days)
    mono = monotony(daily["load"], window_days=t.monotony.window_days, cap=t.monotony.cap)

    rows: list[dict] = []
    if t.spike.enabled:
        rows += spike_flags(spikes, t.spike, units=t.display.units)
    if t.layoff.enabled:
        rows += layoff_flags(run_sessions, daily, t.layoff, units=t.display.units)
    if t.weekly_jump.enabled:
        rows += weekly_jump_flags(rolling, daily, t.weekly_jump,
                                  units=t.display.units)
    if t.one_variable.enabled:
        rows += one_variable_flags(weekly, t.one_variable,
                                   surface_share=weekly_surface_share(weekly))
    if t.rest.enabled:
        rows += rest_flags(daily, t.rest, week_start=t.weeks.week_start)
    if t.monotony.enabled:
        rows += monotony_flags(mono, t.monotony)
    if t.fitness.enabled:
        rows += fitness_flags(fit, t.fitness, load_kind=load_kind)
    if t.downhill.enabled:
        rows += downhill_flags(run_sessions, t.downhill)
    if t.surface.enabled:
        rows += surface_novelty_flags(run_sessions, t.surface, units=t.display.units)
    flag_table = _sorted(flags_frame(rows))
    cited = list(dict.fromkeys(flag_table["citation_key"]))
    analysis = Analysis(runs=run_sessions, loads=loads, daily=daily, weekly=weekly,
                        rolling=rolling, spikes=spikes, rest=rest, layoffs=gaps, acwr=ratio,
                        fitness=fit, monotony=mono, flags=flag_table,
                        references=references_table(cited), load_kind=load_kind,
                        load_note=load_note, thresholds=t)
    if pain is None or not t.pain.enabled:
        return analysis
    entries = entries_table(pain)
    if as_of is not None:
        last_day = pd.Timestamp(as_of)
        if last_day.tzinfo is not None:
            last_day = last_day.tz_localize(None)
        entries = entries[(entries["local_date"] <= last_day.normalize()).to_numpy(dtype=bool)]
        entries = entries.reset_index(drop=True)
    episodes = pain_episodes(entries, t.pain)
    return replace(analysis, pain_entries=entries, pain_episodes=episodes,
                   pain_exposures=pain_exposures(analysis, episodes, t.pain))


def _consistent_loads(run_sessions: pd.DataFrame, t: Thresholds,
                      streams: Mapping[str, pd.DataFrame] | None
                      ) -> tuple[pd.DataFrame, str, str]:
    """Per-session loads on one scale for the whole history.

    With ``kind='auto'``, heart-rate TRIMP is used only when every run has
    heart rate: TRIMP and minutes are different scales, and a daily series
    mixing them would make fitness, fatigue and monotony meaningless.
    Otherwise every run is measured in minutes, and the note says why.
    """
    settings = t.load
    loads = session_load(run_sessions, kind=settings.kind, sex=settings.sex,
                         hr_rest_bpm=settings.hr_rest_bpm, hr_max_bpm=settings.hr_max_bpm,
                         streams=streams)
    kind = history_load_kind(loads)
    if settings.kind == "auto" and "+" in kind:
        without_hr = int((loads["load_kind"] == "duration_min").sum())
        loads = session_load(run_sessions, kind="duration")
        note = (f"minutes of running for every run: {without_hr} of {len(loads)} runs have no "
                "heart rate, and heart-rate load and minutes cannot be mixed on one scale")
        return loads, history_load_kind(loads), note
    note = {"trimp_stream": "Banister TRIMP from per-second heart rate",
            "trimp_avg_hr": "Banister TRIMP from each run's average heart rate (it "
                            "underestimates interval sessions)",
            "hrss": "heart-rate stress score (HRSS)",
            "duration_min": "minutes of running", "distance_km": "kilometres"}.get(kind, kind)
    hr_note = str(loads.attrs.get("hr_bounds", ""))
    return loads, kind, f"{note}; {hr_note}" if hr_note and "trimp" in kind else note


def flags(sessions: pd.DataFrame, *, thresholds: Thresholds | None = None,
          as_of: pd.Timestamp | None = None,
          surface_overrides: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every flag of a history (see :func:`analyze`), newest first, then most severe."""
    return analyze(sessions, thresholds=thresholds, as_of=as_of,
                   surface_overrides=surface_overrides).flags


def _sorted(table: pd.DataFrame) -> pd.DataFrame:
    order = table["severity"].map(_SEVERITY_ORDER).fillna(9)
    return (table.assign(_order=order)
            .sort_values(["local_date", "_order", "flag_id"], ascending=[False, True, True],
                         kind="stable")
            .drop(columns="_order").reset_index(drop=True))
