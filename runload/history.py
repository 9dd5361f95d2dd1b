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
    h = runload.load("export.zip", pain="pain.csv")   # with the runner's pain journal
    h.pain_episodes, h.pain_exposures
"""

from __future__ import annotations

import datetime
import html
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from runload.analysis.daily import runs as running_sessions
from runload.analysis.flags import Analysis, analyze
from runload.analysis.pain import open_episodes
from runload.analysis.summary import (
    WeekSummary,
    latest_week_start,
    week_start_of,
    week_summary,
)
from runload.config import Thresholds
from runload.errors import RunloadError, RunloadWarning
from runload.readers.importer import History, ImportReport, read_history
from runload.readers.overrides import read_surface_overrides
from runload.readers.pain import read_pain_journal
from runload.readers.roster import Roster, RosterAthlete, read_roster
from runload.readers.settings import read_thresholds
from runload.units import distance_unit

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from runload.report import CoachReport, RunnerReport

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
    pain : path-like or pandas.DataFrame, optional
        The runner's pain journal: a CSV file (read now, so a bad entry fails
        here, naming its line) or :func:`runload.read_pain_journal`'s table.
        Its episodes and the days before them are :attr:`pain_episodes` and
        :attr:`pain_exposures`; entries after ``as_of`` are left out.
    """

    def __init__(self, history: History, *, thresholds: Thresholds | None = None,
                 surface_overrides: pd.DataFrame | None = None,
                 as_of: Any = None,
                 pain: str | PathLike[str] | pd.DataFrame | None = None) -> None:
        self._history = history
        self.thresholds = thresholds or Thresholds()
        self._surface_overrides = surface_overrides
        self.as_of = None if as_of is None else pd.Timestamp(as_of).normalize()
        self._pain = _pain_journal(pain)

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
                       surface_overrides=self._surface_overrides, pain=self._pain)

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
    def pain_entries(self) -> pd.DataFrame:
        """The pain journal's entries (up to ``as_of``); empty without a journal."""
        return self.analysis.pain_entries

    @property
    def pain_episodes(self) -> pd.DataFrame:
        """Pain episodes per body region (:func:`runload.analysis.pain.pain_episodes`)."""
        return self.analysis.pain_episodes

    @property
    def pain_exposures(self) -> pd.DataFrame:
        """The days before each pain onset against your usual (patterns, not causes)."""
        return self.analysis.pain_exposures

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
        """The same sessions and pain journal under other rules, for what-if comparisons.

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
                               surface_overrides=self._surface_overrides, as_of=self.as_of,
                               pain=self._pain)

    # --- pictures ---------------------------------------------------------------------
    def plot_weekly_volume(self, ax: Axes | None = None) -> Axes:
        """Weekly distance with the week-over-week change (:func:`runload.plotting.plot_weekly_volume`)."""
        from runload import plotting
        return plotting.plot_weekly_volume(self.weekly, ax=ax, units=self.thresholds.display.units,
                                           jump_frac=self.thresholds.weekly_jump.jump_frac,
                                           pain=self.pain_episodes)

    def plot_spikes(self, ax: Axes | None = None) -> Axes:
        """Each run against its 30-day reference (:func:`runload.plotting.plot_spikes`)."""
        from runload import plotting
        return plotting.plot_spikes(self.spikes, ax=ax, units=self.thresholds.display.units,
                                    bins_frac=self.thresholds.spike.bins_frac, flags=self.flags,
                                    pain=self.pain_episodes)

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
        if self._pain is not None:
            episodes = self.pain_episodes
            rows.append(("Pain journal",
                         f"{len(self.pain_entries)} entries, {len(episodes)} episodes, "
                         f"{int(episodes['is_open'].sum())} open"))
        body = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{e(k)}</th>"
                       f"<td style='text-align:left'>{e(v)}</td></tr>" for k, v in rows)
        return ("<div class='runload-card'><strong>runload · TrainingHistory</strong>"
                f"<table>{body}</table><small>Flags show training patterns with their "
                "evidence grade; none predicts or prevents injury or back pain.</small></div>")


def _counts(counts: Mapping[str, int] | pd.Series) -> str:
    order = ("high", "warning", "caution", "info")
    return ", ".join(f"{int(counts[s])} {s}" for s in order if s in counts and counts[s])


def _pain_journal(value: str | PathLike[str] | pd.DataFrame | None) -> pd.DataFrame | None:
    if value is None or isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, str | PathLike):
        return read_pain_journal(value)
    raise TypeError("The 'pain' parameter must be a path to a pain journal (CSV), a pain "
                    f"journal table or None. Got {type(value).__name__} instead.")


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
         use_cache: bool = True,
         pain: str | PathLike[str] | pd.DataFrame | None = None) -> TrainingHistory:
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
    pain : path-like or pandas.DataFrame, optional
        The runner's pain journal, a CSV file (format:
        :mod:`runload.readers.pain`) or its table; read before the import, so
        a bad entry fails fast.

    Returns
    -------
    TrainingHistory

    Raises
    ------
    runload.errors.PainJournalError
        For a pain journal that is missing or holds a bad entry (naming its line).
    """
    settings = _thresholds(thresholds)
    if units is not None:
        settings = settings.with_overrides({"display": {"units": units}})
    overrides = (read_surface_overrides(surfaces) if isinstance(surfaces, str | Path | PathLike)
                 else surfaces)
    journal = _pain_journal(pain)
    history = read_history(paths, tz=tz, cache_dir=cache_dir, use_cache=use_cache)
    return TrainingHistory(history, thresholds=settings, surface_overrides=overrides,
                           as_of=as_of, pain=journal)


# --- a coach's roster: every athlete's week on one page --------------------------------

_ISO_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)
_WEEK_HELP = "give an ISO week such as '2026-W46' or a date such as '2026-11-12'"

#: ``progress(done, total, what)`` after each file of an import (``what``: its path).
Progress = Callable[[int, int, str], None]


def parse_week(value: Any, week_start: str = "monday") -> pd.Timestamp:
    """The first day of the calendar week that ``value`` names.

    Parameters
    ----------
    value : str, datetime.date or pandas.Timestamp
        An ISO 8601 week, ``'2026-W46'`` (also ``'2026w46'``), or a date: the
        week holding it.
    week_start : {'monday', ..., 'sunday'}, default 'monday'
        The first day of a calendar week (``Thresholds.weeks.week_start``).

    Returns
    -------
    pandas.Timestamp
        Midnight of the week's first day.  An ISO week runs Monday to Sunday;
        with weeks starting on another day it names the calendar week holding
        its Thursday (the day ISO numbering goes by), which shares at least
        four days with it: with Sunday weeks, '2026-W46' is Sun 8 - Sat 14 Nov.

    Raises
    ------
    ValueError
        Naming ``value``, when it is neither an ISO week of its year nor a date.
    TypeError
        If ``value`` is not a string or a date.

    Examples
    --------
    >>> parse_week("2026-W46").date(), parse_week("2026-W46", "sunday").date()
    (datetime.date(2026, 11, 9), datetime.date(2026, 11, 8))
    >>> parse_week("2026-11-15").date()
    datetime.date(2026, 11, 9)
    """
    if isinstance(value, str):
        text = value.strip()
        match = _ISO_WEEK.fullmatch(text)
        if match:
            year, number = int(match[1]), int(match[2])
            try:
                thursday = datetime.date.fromisocalendar(year, number, 4)
            except ValueError:
                last = datetime.date(year, 12, 28).isocalendar().week
                raise ValueError(f"{value!r} is not a week: {year} has ISO weeks 1 to "
                                 f"{last}.") from None
            return week_start_of(pd.Timestamp(thursday), week_start)
        try:
            date: Any = datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a week: {_WEEK_HELP}.") from None
    elif isinstance(value, datetime.date | pd.Timestamp):
        date = value
    else:
        raise TypeError(f"The 'week' must be a string or a date; {_WEEK_HELP}. "
                        f"Got {value!r} instead.")
    return week_start_of(pd.Timestamp(date), week_start)


@dataclass(frozen=True, eq=False)
class AthleteWeek:
    """One athlete of a roster in one calendar week.

    Attributes
    ----------
    name : str
    path : pathlib.Path
        The athlete's export, as the roster gives it (absolute).
    tz : str or None
        The roster's time zone for files that carry none.
    overrides : Mapping
        The athlete's threshold overrides, as the roster writes them.
    pain : pathlib.Path or None
        The athlete's pain journal (the roster's ``pain`` key); its entries
        and episodes are the history's ``pain_*`` tables.
    history : TrainingHistory or None
        The history up to the week's last day (later runs left out), under
        the coach's settings with the athlete's overrides on top; None when
        the data could not be read.
    summary : WeekSummary or None
        The week (:meth:`TrainingHistory.week`); None with an error.
    error : str or None
        Why the athlete's week could not be read (for the page), else None.
        A pain journal that cannot be read is such an error: the page must
        not show "no open pain" for a journal it could not read.
    warnings : tuple of str
        What the import warned about (e.g. runs dated in UTC).
    """

    name: str
    path: Path
    tz: str | None
    overrides: Mapping[str, Any]
    history: TrainingHistory | None = None
    summary: WeekSummary | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    pain: Path | None = None

    @property
    def analysis(self) -> Analysis | None:
        """The history's analysis (None with an error)."""
        return None if self.history is None or self.summary is None else self.history.analysis

    @property
    def files(self) -> pd.DataFrame | None:
        """The import's files table (None when the import failed as a whole)."""
        return None if self.history is None else self.history.files

    @property
    def files_failed(self) -> int:
        """Files of the import that could not be read [count]."""
        files = self.files
        return 0 if files is None else int(files["status"].eq("failed").sum())

    @property
    def attention_key(self) -> tuple[Any, ...]:
        """Sort key: data problems first, then an open pain episode rated at or above the
        threshold at the week's end, then :attr:`WeekSummary.attention_key`, then name."""
        if self.summary is None or self.history is None:
            return (0, self.name.casefold(), self.name)
        h = self.history
        opened = open_episodes(h.pain_entries, h.pain_episodes, self.summary.week_end)
        in_pain = bool((opened["latest_severity"] >= h.thresholds.pain.severity_threshold).any())
        return (1 if in_pain else 2, *self.summary.attention_key, self.name.casefold(), self.name)


@dataclass(frozen=True, eq=False)
class RosterWeek:
    """A roster's athletes in one calendar week, most in need of attention first.

    Make one with :func:`load_roster`; :meth:`report` writes the coach page.

    Attributes
    ----------
    title : str
        The roster's title.
    path : pathlib.Path
        The roster file.
    week_start, week_end : pandas.Timestamp
        First and last local day of the week.
    units : str
        'km' or 'mi': the coach's, for the whole page.
    athletes : tuple of AthleteWeek
        Athletes whose data could not be read first, then those with an open
        pain episode at or above their threshold, then by
        :attr:`WeekSummary.attention_key` (the most severe flags, then the
        largest spike), then by name (:attr:`AthleteWeek.attention_key`).
    thresholds : Thresholds
        The coach's settings (each athlete's own are on its history).
    """

    title: str
    path: Path
    week_start: pd.Timestamp
    week_end: pd.Timestamp
    units: str
    athletes: tuple[AthleteWeek, ...]
    thresholds: Thresholds = field(default_factory=Thresholds)

    @property
    def failed(self) -> tuple[AthleteWeek, ...]:
        """The athletes whose week could not be read."""
        return tuple(a for a in self.athletes if a.error is not None)

    def report(self, path: str | PathLike[str] | None = None, *,
               pdf: str | PathLike[str] | None = None) -> CoachReport:
        """The coach page; written as HTML to ``path`` (and PDF to ``pdf``) if given."""
        from runload.report import build_coach_report
        report = build_coach_report(self)
        report.write(path, pdf=pdf)
        return report

    def __repr__(self) -> str:
        return (f"<RosterWeek {self.title!r}: week of {self.week_start:%Y-%m-%d}, "
                f"{len(self.athletes)} athletes, {len(self.failed)} unreadable>")


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    return str(exc) or type(exc).__name__


def _import_athlete(athlete: RosterAthlete, cache_dir: str | PathLike[str] | None,
                    use_cache: bool, progress: Progress | None
                    ) -> tuple[History | None, str | None, tuple[str, ...]]:
    """The athlete's import, or why it failed, and what it warned about."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RunloadWarning)
        try:
            history = read_history(athlete.path, tz=athlete.tz, cache_dir=cache_dir,
                                   use_cache=use_cache, progress=progress)
        except (RunloadError, OSError, ValueError) as exc:
            return None, _error_text(exc), ()
    said = []
    for w in caught:
        if issubclass(w.category, RunloadWarning):
            said.append(str(w.message))
        else:  # not ours to keep quiet
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if running_sessions(history.sessions).empty:
        files = history.report.files
        failed = files[files["status"].eq("failed").to_numpy(dtype=bool)]
        why = f"no runs found in {athlete.path} ({len(files)} files looked at"
        if len(failed):
            first = failed.iloc[0]
            where = first["source_path"] + (f"!{first['member_path']}"
                                             if first["member_path"] else "")
            why += f"; {len(failed)} could not be read, e.g. {where}: {first['reason']}"
        return None, why + ").", tuple(said)
    return history, None, tuple(said)


def _latest_week(imports: list[History | None], week_start: str) -> pd.Timestamp:
    last = [running_sessions(h.sessions)["local_date"].max() for h in imports if h is not None]
    if not last:
        raise ValueError("No athlete of the roster has a run to choose the week by; name the "
                         "week, e.g. 2026-W46.")
    return week_start_of(max(last), week_start)


def _athlete_week(athlete: RosterAthlete, imported: History | None, error: str | None,
                  said: tuple[str, ...], coach: Thresholds, start: pd.Timestamp,
                  end: pd.Timestamp) -> AthleteWeek:
    base = AthleteWeek(name=athlete.name, path=athlete.path, tz=athlete.tz,
                       overrides=athlete.overrides, error=error, warnings=said,
                       pain=athlete.pain)
    if imported is None:
        return base
    journal = None
    if athlete.pain is not None:
        try:
            journal = read_pain_journal(athlete.pain)
        except RunloadError as exc:
            return replace(base, error=f"pain journal: {_error_text(exc)}")
    # The athlete's rules, on the page's calendar and in the page's units.
    settings = coach.with_overrides(athlete.overrides).with_overrides(
        {"display": {"units": coach.display.units},
         "weeks": {"week_start": coach.weeks.week_start}})
    history = TrainingHistory(imported, thresholds=settings, as_of=end, pain=journal)
    try:
        if history.runs.empty:
            first = running_sessions(imported.sessions)["local_date"].min()
            raise ValueError(f"no runs up to {end:%Y-%m-%d}, the end of this week (the first "
                             f"run is on {first:%Y-%m-%d}).")
        summary = history.week(start)
    except (RunloadError, ValueError) as exc:
        return replace(base, history=history, error=_error_text(exc))
    return replace(base, history=history, summary=summary)


def load_roster(roster: Roster | str | PathLike[str], *, week: Any = None,
                thresholds: Thresholds | str | PathLike[str] | None = None,
                units: str | None = None,
                cache_dir: str | PathLike[str] | None = None,
                use_cache: bool = True,
                progress: Progress | None = None) -> RosterWeek:
    """Import every athlete of a roster and summarise one calendar week of each.

    Parameters
    ----------
    roster : Roster or path-like
        A roster TOML file (:func:`runload.readers.roster.read_roster`) or its content.
    week : str or date-like, optional
        '2026-W46' (an ISO week) or a date (the week holding it); see
        :func:`parse_week`.  Default: the latest week holding an athlete's
        last run.
    thresholds : Thresholds or path-like, optional
        The coach's settings, or a TOML file of them; each athlete's
        overrides go on top.  The page's units and calendar (``display.units``,
        ``weeks.week_start``) are always the coach's.
    units : {'km', 'mi'}, optional
        Shorthand for ``display={"units": ...}`` on top of ``thresholds``.
    cache_dir : path-like, optional
        Cache folder (default: ``$RUNLOAD_CACHE_DIR`` or the user cache dir).
    use_cache : bool, default True
        False reads every file again and writes no cache.
    progress : callable, optional
        ``progress(done, total, what)`` after each file of each import.

    Returns
    -------
    RosterWeek
        Every athlete of the roster, those whose data could not be read
        (a missing path, an unreadable archive, no runs up to the week's end,
        a pain journal that cannot be read) first, with the reason in
        ``error``; runs and pain entries after the week are left out.

    Raises
    ------
    ConfigError
        For a roster or settings file that cannot be read.
    ValueError
        For a ``week`` that names no week, an unknown unit, or, without
        ``week``, a roster where no athlete has a run.
    """
    if not isinstance(roster, Roster):
        roster = read_roster(roster)
    coach = _thresholds(thresholds)
    if units is not None:
        coach = coach.with_overrides({"display": {"units": units}})
    week_day = coach.weeks.week_start
    start = None if week is None else parse_week(week, week_day)
    imports = [_import_athlete(a, cache_dir, use_cache, progress) for a in roster.athletes]
    if start is None:
        start = _latest_week([h for h, _, _ in imports], week_day)
    end = start + pd.Timedelta(days=6)
    athletes = [_athlete_week(a, h, error, said, coach, start, end)
                for a, (h, error, said) in zip(roster.athletes, imports, strict=True)]
    return RosterWeek(title=roster.title, path=roster.path, week_start=start, week_end=end,
                      units=coach.display.units,
                      athletes=tuple(sorted(athletes, key=lambda a: a.attention_key)),
                      thresholds=coach)


__all__ = ["AthleteWeek", "RosterWeek", "TrainingHistory", "load", "load_roster", "parse_week"]
