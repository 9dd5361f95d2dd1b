"""``TrainingHistory``: one runner's history, its tables, plots and report.

The facade a notebook (and the CLI) uses: it imports once, analyses on first
use, and hands out the tables, plots and the report.  It holds no formulas:
every number comes from :mod:`runload.analysis`, every picture from
:mod:`runload.plotting`, the report from :mod:`runload.report`.

Examples
--------
::

    import runload
    h = runload.load("export.zip", tz="Europe/Berlin")
    h.weekly.tail()
    h.plot_weekly_volume()
    h.with_thresholds(spike={"lookback_days": 28}).flags
    h.report("report.html")
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from functools import cached_property
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from runload.analysis.flags import Analysis, analyze
from runload.analysis.summary import WeekSummary, latest_week_start, week_summary
from runload.config import Thresholds
from runload.readers.importer import History, ImportReport, read_history
from runload.readers.overrides import read_surface_overrides
from runload.readers.settings import read_thresholds
from runload.units import distance_unit

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from runload.report import RunnerReport

#: Columns of :attr:`TrainingHistory.surfaces`.
SURFACE_COLUMNS = ("activity_id", "local_date", "distance_m", "sport_label", "surface",
                   "surface_source", "surface_confidence")


class TrainingHistory:
    """A runner's imported history with its analysis, plots and report.

    Make one with :func:`runload.load`.  Tables are computed on first use and
    kept; :meth:`with_thresholds` gives a new history with other rules over
    the same imported sessions (no re-import).

    Parameters
    ----------
    history : runload.History
        The import (sessions and import report).
    thresholds : Thresholds, optional
        Rules and display settings (default: runload's cited defaults).
    surface_overrides : pandas.DataFrame, optional
        The runner's surface rules (:func:`runload.read_surface_overrides`).
    as_of : date-like, optional
        Local date the history is looked at on: later runs are left out, and
        days up to it without runs count as rest days.  Default: the last
        run's day.
    """

    def __init__(self, history: History, *, thresholds: Thresholds | None = None,
                 surface_overrides: pd.DataFrame | None = None,
                 as_of: Any = None) -> None:
        self._history = history
        self.thresholds = thresholds or Thresholds()
        self._surface_overrides = surface_overrides
        self.as_of = None if as_of is None else pd.Timestamp(as_of).normalize()

    # --- what was imported -------------------------------------------------------------
    @property
    def import_report(self) -> ImportReport:
        """What the import read, skipped, failed and de-duplicated."""
        return self._history.report

    @property
    def files(self) -> pd.DataFrame:
        """One row per file looked at, with its status and reason."""
        return self._history.report.files

    @cached_property
    def sessions(self) -> pd.DataFrame:
        """Every imported session, all sports, duplicates removed (up to ``as_of``)."""
        sessions = self._history.sessions
        if self.as_of is None:
            return sessions
        # Undated sessions stay: the analysis reports them, and they are not "later".
        dates = sessions["local_date"]
        return sessions.loc[(dates.isna() | (dates <= self.as_of)).to_numpy(dtype=bool)]

    # --- the analysis -----------------------------------------------------------------
    @cached_property
    def analysis(self) -> Analysis:
        """Every table and flag (:class:`runload.Analysis`), computed once."""
        return analyze(self.sessions, thresholds=self.thresholds, as_of=self.as_of,
                       surface_overrides=self._surface_overrides)

    @property
    def runs(self) -> pd.DataFrame:
        """The runs analysed, with their running surface."""
        return self.analysis.runs

    @property
    def daily(self) -> pd.DataFrame:
        """One row per local day: distance, time, load, per-surface distance, rest."""
        return self.analysis.daily

    @property
    def weekly(self) -> pd.DataFrame:
        """One row per calendar week: distance, change, rest days, surface shares."""
        return self.analysis.weekly

    @property
    def spikes(self) -> pd.DataFrame:
        """Each run against the longest run of the 30 days before it."""
        return self.analysis.spikes

    @property
    def flags(self) -> pd.DataFrame:
        """Every flag with its rule, value, threshold, evidence grade and citation."""
        return self.analysis.flags

    @property
    def references(self) -> pd.DataFrame:
        """The studies the flags cite, with DOIs."""
        return self.analysis.references

    @property
    def acwr(self) -> pd.DataFrame:
        """Acute and chronic load and their ratio (shown for information only)."""
        return self.analysis.acwr

    @property
    def fitness(self) -> pd.DataFrame:
        """Fitness, fatigue and form (CTL, ATL, TSB) of the history's load."""
        return self.analysis.fitness

    @property
    def layoffs(self) -> pd.DataFrame:
        """Breaks from running and the return that followed."""
        return self.analysis.layoffs

    @property
    def surfaces(self) -> pd.DataFrame:
        """Each run's running surface, where it came from and how sure it is."""
        return self.analysis.runs.loc[:, list(SURFACE_COLUMNS)]

    def week(self, week_start: Any = None) -> WeekSummary:
        """The summary of one calendar week (default: the latest)."""
        start = (latest_week_start(self.analysis, self.as_of) if week_start is None
                 else pd.Timestamp(week_start))
        return week_summary(self.analysis, start)

    # --- other rules ------------------------------------------------------------------
    def with_thresholds(self, thresholds: Thresholds | str | PathLike[str] | None = None,
                        **sections: Mapping[str, Any]) -> TrainingHistory:
        """The same sessions under other rules, for what-if comparisons.

        Parameters
        ----------
        thresholds : Thresholds or path-like, optional
            New settings, or a TOML file of them; default: the current ones.
        **sections : mapping
            Changes on top, by section, e.g. ``spike={"lookback_days": 28}``
            or ``display={"units": "mi"}``.

        Raises
        ------
        ValueError
            For an unknown section or key.
        ConfigError
            For a TOML file that cannot be read.
        """
        base = _thresholds(thresholds) if thresholds is not None else self.thresholds
        return TrainingHistory(self._history, thresholds=base.with_overrides(sections),
                               surface_overrides=self._surface_overrides, as_of=self.as_of)

    # --- pictures ---------------------------------------------------------------------
    def plot_weekly_volume(self, ax: Axes | None = None) -> Axes:
        """Weekly distance with the week-over-week change (:func:`runload.plotting.plot_weekly_volume`)."""
        from runload import plotting
        return plotting.plot_weekly_volume(self.weekly, ax=ax, units=self.thresholds.display.units,
                                           jump_frac=self.thresholds.weekly_jump.jump_frac)

    def plot_spikes(self, ax: Axes | None = None) -> Axes:
        """Each run against its 30-day reference (:func:`runload.plotting.plot_spikes`)."""
        from runload import plotting
        return plotting.plot_spikes(self.spikes, ax=ax, units=self.thresholds.display.units,
                                    bins_frac=self.thresholds.spike.bins_frac, flags=self.flags)

    def plot_rest_calendar(self, ax: Axes | None = None) -> Axes:
        """Run and rest days as a calendar (:func:`runload.plotting.plot_rest_calendar`)."""
        from runload import plotting
        return plotting.plot_rest_calendar(self.daily, ax=ax,
                                           week_start=self.thresholds.weeks.week_start,
                                           units=self.thresholds.display.units)

    def plot_surface_mix(self, ax: Axes | None = None) -> Axes:
        """Weekly distance by surface (:func:`runload.plotting.plot_surface_mix`)."""
        from runload import plotting
        return plotting.plot_surface_mix(self.weekly, ax=ax, units=self.thresholds.display.units)

    def plot_acwr(self, ax: Axes | None = None) -> Axes:
        """Acute and chronic load with their ratio (:func:`runload.plotting.plot_acwr`)."""
        from runload import plotting
        return plotting.plot_acwr(self.acwr, ax=ax, load_label=self.analysis.load_kind)

    def plot_fitness(self, ax: Axes | None = None) -> Axes:
        """Fitness, fatigue and form (:func:`runload.plotting.plot_fitness`)."""
        from runload import plotting
        return plotting.plot_fitness(self.fitness, ax=ax, load_label=self.analysis.load_kind)

    # --- the report -------------------------------------------------------------------
    def report(self, path: str | PathLike[str] | None = None, *,
               pdf: str | PathLike[str] | None = None, weeks: int = 12) -> RunnerReport:
        """The runner report; written as HTML to ``path`` (and PDF to ``pdf``) if given."""
        from runload.report import build_report
        analysis = self.analysis
        # With no runs up to as_of there are no days to end on; the report says so.
        report = build_report(analysis, files=self.files,
                              duplicates=self.import_report.duplicates, weeks=weeks,
                              as_of=self.as_of if len(analysis.daily) else None)
        if path is not None:
            report.write_html(path)
        if pdf is not None:
            report.write_pdf(pdf)
        return report

    # --- notebooks --------------------------------------------------------------------
    def __repr__(self) -> str:
        runs = self.analysis.runs
        if runs.empty:
            return "<TrainingHistory: no runs>"
        first, last = runs["local_date"].min(), runs["local_date"].max()
        return (f"<TrainingHistory: {len(runs)} runs, {first:%Y-%m-%d} to {last:%Y-%m-%d}, "
                f"{len(self.flags)} flags>")

    def _repr_html_(self) -> str:
        """A compact card: date range, runs, the latest week, open flags."""
        e = html.escape
        runs = self.analysis.runs
        unit = distance_unit(self.thresholds.display.units)
        files = self.files["status"].value_counts()
        skipped = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in files.items()
                            if status != "read")
        rows = [("Files", f"{len(self.files)} looked at" + (f" ({skipped})" if skipped else ""))]
        if runs.empty:
            rows.append(("Runs", "none"))
        else:
            first, last = runs["local_date"].min(), runs["local_date"].max()
            rows += [("Runs", f"{len(runs)} from {first:%d %b %Y} to {last:%d %b %Y}, "
                              f"{unit.format_distance(runs['distance_m'].sum(), 0)}")]
            w = self.week()
            change = ("" if pd.isna(w.change_frac)
                      else f", {w.change_frac:+.0%} on the week before")
            rows += [(f"Week of {w.week_start:%d %b %Y}",
                      f"{w.runs} runs, {unit.format_distance(w.distance_m)}{change}, "
                      f"longest {unit.format_distance(w.longest_run_m)}, {w.rest_days} rest days"),
                     ("Flags that week", _counts(w.flag_counts) or "none"),
                     ("Flags in the history", _counts(self.flags["severity"].value_counts())
                      or "none")]
        body = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{e(k)}</th>"
                       f"<td style='text-align:left'>{e(v)}</td></tr>" for k, v in rows)
        return ("<div class='runload-card'><strong>runload · TrainingHistory</strong>"
                f"<table>{body}</table><small>Flags show training patterns with their "
                "evidence grade; none predicts or prevents injury or back pain.</small></div>")


def _counts(counts: Mapping[str, int] | pd.Series) -> str:
    order = ("high", "warning", "caution", "info")
    return ", ".join(f"{int(counts[s])} {s}" for s in order if s in counts and counts[s])


def _thresholds(value: Thresholds | str | PathLike[str] | None) -> Thresholds:
    if value is None:
        return Thresholds()
    if isinstance(value, Thresholds):
        return value
    return read_thresholds(value)


def load(paths: str | PathLike[str] | list[str | PathLike[str]], *,
         thresholds: Thresholds | str | PathLike[str] | None = None,
         tz: str | None = None,
         surfaces: str | PathLike[str] | pd.DataFrame | None = None,
         as_of: Any = None,
         units: str | None = None,
         cache_dir: str | PathLike[str] | None = None,
         use_cache: bool = True) -> TrainingHistory:
    """Import a runner's history and return it ready for analysis.

    Parameters
    ----------
    paths : path-like or list of path-like
        Export zips, folders, FIT/GPX/TCX files (see :func:`runload.read_history`).
    thresholds : Thresholds or path-like, optional
        Rules and display settings, or a TOML file of them.
    tz : str, optional
        IANA zone for files without a local time and without GPS.
    surfaces : path-like or pandas.DataFrame, optional
        Surface overrides: a TOML/CSV file or :func:`runload.read_surface_overrides`'s table.
    as_of : date-like, optional
        Look at the history on this local date (later runs left out).
    units : {'km', 'mi'}, optional
        Shorthand for ``display={"units": ...}`` on top of ``thresholds``.
    cache_dir : path-like, optional
        Cache folder (default: ``$RUNLOAD_CACHE_DIR`` or the user cache dir).
    use_cache : bool, default True
        False reads every file again and writes no cache.

    Returns
    -------
    TrainingHistory
    """
    settings = _thresholds(thresholds)
    if units is not None:
        settings = settings.with_overrides({"display": {"units": units}})
    overrides = (read_surface_overrides(surfaces) if isinstance(surfaces, str | Path | PathLike)
                 else surfaces)
    history = read_history(paths, tz=tz, cache_dir=cache_dir, use_cache=use_cache)
    return TrainingHistory(history, thresholds=settings, surface_overrides=overrides,
                           as_of=as_of)


__all__ = ["TrainingHistory", "load"]
