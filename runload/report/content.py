"""From an analysis to the report's content model, in plain words.

:func:`build_report` writes every sentence and table of the runner report
once, as a :class:`runload.report.model.RunnerReport`; the HTML and PDF
renderers only lay it out.  Nothing is computed here that the analysis did
not already compute: numbers are read from the analysis tables and
converted to the runner's unit for display.

Wording follows science.md section 9: flags are associations with their
study type, evidence grade and citation; nothing claims to predict or
prevent an injury or back pain; ACWR and fitness are shown as trend lines
with no good or bad zones.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from runload import plotting
from runload.analysis.flags import Analysis
from runload.analysis.references import DISCLAIMER, REFERENCES
from runload.analysis.summary import WeekSummary, is_spike, latest_week_start, week_summary
from runload.analysis.words import duration, pct
from runload.config import SURFACES, Thresholds
from runload.report.model import (
    Cell,
    Chart,
    Data,
    Document,
    Items,
    Para,
    Row,
    RunnerReport,
    Section,
    Span,
    Stat,
    Stats,
    Table,
)
from runload.units import DistanceUnit, distance_unit

#: Load kinds the fitness-fatigue chart is drawn for: heart-rate loads, the kind the
#: Banister model was made for.  Minutes or kilometres would only redraw the volume.
FITNESS_LOAD_KINDS = ("trimp_stream", "trimp_avg_hr", "hrss")

LOAD_WORDS = {"trimp_stream": "Banister TRIMP from heart rate",
              "trimp_avg_hr": "Banister TRIMP from average heart rate",
              "duration_min": "minutes of running", "distance_km": "kilometres",
              "hrss": "heart-rate stress score (HRSS)"}

SEVERITY_WORDS = {"info": "Info", "caution": "Caution", "warning": "Warning", "high": "High"}

TZ_WORDS = {"fit_local_timestamp": "the FIT file's local time",
            "file_offset": "the time offsets written in the file",
            "garmin_json": "Garmin's summary", "gps_lookup": "the GPS position",
            "user_default": "the time zone you gave",
            "assumed_utc": "nothing (UTC assumed)", "": "unknown"}

STATUS_WORDS = {"read": "read", "partial": "read in part (damaged)",
                "not_activity": "not an activity", "failed": "failed"}

DUPLICATE_RULE_WORDS = {
    "same_content": "the same file found twice",
    "same_fit_identity": "the same recording re-encoded by other software",
    "overlap": "the same run in another file or format, or a summary entry of it",
    "overlap_shifted": "a copy whose clock is off by whole hours",
}

UNRELIABLE_WORDS = {
    "treadmill": "a treadmill run", "indoor_running": "an indoor run",
    "virtual_activity": "a virtual run", "manual": "entered by hand",
    "summary_only": "known only from a summary", "no_distance": "no distance was recorded",
}

#: Largest number of duplicate copies listed by name (all are counted).
MAX_DUPLICATES_LISTED = 100

NOT_MEDICAL_ADVICE = (
    "This report is not medical advice. No measure in it predicts or prevents back pain, or "
    "any other injury. See a clinician for pain that persists, radiates (for example down a "
    "leg) or comes with numbness or tingling.")


# --- words -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Voice:
    """Who the week's sentences speak of: the runner ('you') or an athlete, to a coach.

    Attributes
    ----------
    subject, subject_start : str
        'you' / 'You'; a name twice (a name is never re-capitalised).
    possessive, possessive_start : str
        'your' / 'Your'; 'their' / 'Their'.
    """

    subject: str = "you"
    subject_start: str = "You"
    possessive: str = "your"
    possessive_start: str = "Your"

    @classmethod
    def about(cls, name: str) -> Voice:
        """Sentences about ``name``, for a coach ('This week Ana ran ...; their longest ...')."""
        return cls(subject=name, subject_start=name, possessive="their",
                   possessive_start="Their")



def day(date: Any) -> str:
    """'Mon 3 Nov 2026' from a local date ('–' for a missing one)."""
    if date is None or pd.isna(date):
        return "–"
    stamp = pd.Timestamp(date)
    return f"{stamp.strftime('%a')} {stamp.day} {stamp.strftime('%b %Y')}"


def day_range(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """'Mon 19 – Sun 25 Dec 2022', 'Mon 28 Nov – Sun 4 Dec 2022' or full dates."""
    if first.year != last.year:
        return f"{day(first)} – {day(last)}"
    if first.month != last.month:
        return f"{first.strftime('%a')} {first.day} {first.strftime('%b')} – {day(last)}"
    if first == last:
        return day(first)
    return f"{first.strftime('%a')} {first.day} – {day(last)}"


def signed_pct(frac: float) -> str:
    """'+93 %', '−31 %' or '0 %' (rounded towards zero, as in the flags); '–' when NaN."""
    if frac is None or not math.isfinite(frac):
        return "–"
    if abs(frac) < 0.005:
        return "0 %"
    return ("+" if frac > 0 else "\u2212") + pct(abs(frac))


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 run', '3 runs'."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def short_citation(key: str) -> str:
    """'Frandsen et al., 2025' from a citation key."""
    ref = REFERENCES.get(key)
    if ref is None:
        return key
    authors = re.split(r',? "', ref.citation, maxsplit=1)[0]
    first = re.split(r",| and ", authors)[0].strip()
    first = re.sub(r"^(?:[A-Z]\.[ -]?)+", "", first).strip() or first
    many = "et al." in authors or "," in authors or " and " in authors
    if many and "et al." not in first:
        first += " et al."
    year = re.findall(r"\b(?:19|20)\d{2}\b", ref.citation)
    return f"{first}, {year[-1]}" if year else first


def doi_url(key: str) -> str:
    """'https://doi.org/...' for a reference with a verified DOI, else ''."""
    ref = REFERENCES.get(key)
    if ref is None or not ref.doi:
        return ""
    return "https://doi.org/" + quote(ref.doi, safe="/:;()._-")


def source_spans(key: str) -> tuple[Span, ...]:
    """The short citation, linked to its DOI where there is one."""
    return (Span(short_citation(key), href=doi_url(key)),)


def _num(value: Any) -> str:
    """An SI number for a data attribute: repr of the float, '' when missing."""
    if value is None or pd.isna(value):
        return ""
    return repr(float(value))


def _iso(date: Any) -> str:
    return "" if date is None or pd.isna(date) else pd.Timestamp(date).strftime("%Y-%m-%d")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: Any) -> str:
    """Text from a file (a name, a path, a reason): '' when missing, control characters dropped.

    Escaping is the renderers' job; this only removes characters no page can show
    (a NUL in a GPX name would otherwise reach the HTML).
    """
    return "" if value is None or pd.isna(value) else _CONTROL.sub("", str(value))


def flag_value(value: float, unit: str, flag_id: str, units: DistanceUnit) -> str:
    """A flag's value or threshold in words, in the runner's unit."""
    if value is None or not math.isfinite(value):
        return "–"
    if unit == "frac":
        return pct(value)
    if unit == "m":
        if flag_id == "F-DOWNHILL":
            return (f"{value:,.0f} m" if units.name == "km"
                    else f"{value / 0.3048:,.0f} ft")
        return units.format_distance(value)
    if unit == "days":
        return plural(int(round(value)), "day")
    if unit == "count":
        return f"{value:.0f}"
    if unit == "ratio":
        return f"{value:.2f}"
    if unit == "load":
        return f"{value:+.0f}".replace("-", "\u2212")
    if unit == "load/week":
        return f"{value:.1f} a week"
    return f"{value:g} {unit}"


# --- the report --------------------------------------------------------------------------

def build_report(analysis: Analysis, *, files: pd.DataFrame | None = None,
                 duplicates: pd.DataFrame | None = None, weeks: int = 12,
                 as_of: pd.Timestamp | str | None = None,
                 title: str | None = None) -> RunnerReport:
    """The runner report of an analysis: one content model for HTML and PDF.

    Parameters
    ----------
    analysis : Analysis
        From :func:`runload.analyze`; its ``thresholds.display.units`` ('km'
        or 'mi') sets the units shown.
    files : pandas.DataFrame, optional
        The import's files table (``ImportReport.files``: ``source_path``,
        ``member_path``, ``status``, ``reason``) for the import section.
    duplicates : pandas.DataFrame, optional
        The import's duplicates table (``ImportReport.duplicates``:
        ``source_path``, ``member_path``, ``duplicate_of``, ``rule``,
        ``detail``).
    weeks : int, default 12
        How many recent calendar weeks the charts and the weekly table show.
    as_of : pandas.Timestamp or str, optional
        The local date the report is for; it must be the analysis's last day
        (pass the same ``as_of`` to :func:`runload.analyze`, with the runs
        after it left out).  Default: that last day.  The report never reads
        the clock.
    title : str, optional
        Default 'Running load report'.

    Returns
    -------
    RunnerReport
        ``.html``, ``.write_html(path)``, ``.write_pdf(path)``.

    Raises
    ------
    ValueError
        If ``weeks`` is not an int >= 1, or ``as_of`` is not the analysis's
        last day.

    Notes
    -----
    Sections, in order: the latest week in sentences (``summary``, naming
    any pain episode open on ``as_of``), with a pain journal
    (``analysis.pain_episodes`` not empty) what came before each episode
    (``pain``, :func:`runload.report.pain.pain_section`), charts of the last
    ``weeks`` weeks (``charts``; the weekly and spike charts mark the pain
    episodes), the weekly table (``weeks``),
    every flag up to ``as_of`` (``flags``), the import (``import``), the
    rules and their evidence (``methods``), references and the disclaimer.
    """
    if isinstance(weeks, bool) or not isinstance(weeks, int | np.integer) or weeks < 1:
        raise ValueError(f"The 'weeks' parameter of build_report must be an int >= 1. "
                         f"Got {weeks!r} instead.")
    t = analysis.thresholds
    units = distance_unit(t.display.units)
    daily = analysis.daily
    last_day = daily.index[-1] if len(daily) else pd.NaT
    if as_of is None:
        as_of_day = last_day
    else:
        as_of_day = pd.Timestamp(as_of)
        if as_of_day.tzinfo is not None:
            as_of_day = as_of_day.tz_localize(None)
        as_of_day = as_of_day.normalize()
        if len(daily) and as_of_day != last_day:
            raise ValueError(
                f"The 'as_of' parameter of build_report ({as_of_day.date()}) must be the last "
                f"day of the analysis ({last_day.date()}): run runload.analyze on the runs up "
                "to that date with the same as_of, then build the report.")
    builder = _Builder(analysis, units, int(weeks), as_of_day)
    week = builder.week
    n_runs = len(analysis.runs)
    if n_runs:
        first = analysis.runs["local_date"].min()
        total = units.from_metres(float(analysis.runs["distance_m"].sum(skipna=True)))
        subtitle = (f"{plural(n_runs, 'run')}, {total:,.1f} {units.name}, from {day(first)} "
                    f"to {day(analysis.runs['local_date'].max())} · report for "
                    f"{day(as_of_day)} · distances in {units.word}")
    else:
        subtitle = "No runs in this history" + (f" · report for {day(as_of_day)}"
                                                 if not pd.isna(as_of_day) else "")
    from runload.report.pain import pain_section  # it builds on this module's words

    sections = (builder.summary(), pain_section(analysis, units), builder.charts(),
                builder.weekly_table(),
                builder.flag_list(), import_section(analysis, files, duplicates),
                methods_section(analysis), references_section(analysis), disclaimer_section())
    return RunnerReport(title=title or "Running load report", subtitle=subtitle,
                        as_of=as_of_day, units=units.name,
                        sections=tuple(s for s in sections if s is not None), week=week)


class _Builder:
    """The sections that read the analysis period by period."""

    def __init__(self, analysis: Analysis, units: DistanceUnit, weeks: int,
                 as_of: pd.Timestamp, voice: Voice | None = None) -> None:
        self.a = analysis
        self.voice = voice or Voice()
        self.t: Thresholds = analysis.thresholds
        self.u = units
        self.as_of = as_of
        self.week: WeekSummary | None = None
        if len(analysis.daily):
            self.week = week_summary(analysis, latest_week_start(analysis, as_of))
        self.weeks = analysis.weekly.tail(weeks)
        self.start = self.weeks.index[0] if len(self.weeks) else pd.NaT
        names = analysis.runs.set_index(analysis.runs["activity_id"].astype("object"))["name"]
        self.names = {k: _text(v) for k, v in names.astype("object").items()}

    # --- summary -----------------------------------------------------------------------
    def summary(self) -> Section:
        w = self.week
        if w is None:
            return Section("summary", "This week", (
                Para((Span("No runs were found in this history, so there is nothing to "
                           "summarise. The import section below says what was read."),),
                     cls="lead"),))
        u = self.u
        whole = w.days == 7 and w.week_end == w.week_start + pd.Timedelta(days=6)
        calendar_end = w.week_start + pd.Timedelta(days=6)
        title = f"This week: {day_range(w.week_start, calendar_end)}"
        blocks: list[Any] = []
        if not whole:
            blocks.append(Para((Span(f"So far: {w.days} of 7 days, to {day(w.week_end)}."),),
                               cls="week-title"))
        blocks.append(self._stats(w, whole))
        blocks.append(self._distance_sentence(w, whole))
        blocks.append(self._longest_sentence(w))
        rest = (f"{plural(w.rest_days, 'rest day')} (days without a run)"
                + (" so far." if not whole else "."))
        surface = self._surface_words(w)
        blocks.append(Para((Span(rest + (f" {surface}" if surface else "")),), cls="lead",
                           id="summary-rest"))
        blocks.extend(self._week_flags(w))
        from runload.report.pain import summary_pain_para  # it builds on this module

        pain = summary_pain_para(self.a, self.as_of, self.voice)
        if pain is not None:
            blocks.append(pain)
        blocks.append(Para((Span("Not medical advice", strong=True),
                            Span(": see the note at the end of this report.")), cls="note"))
        data: Data = (("week-start", _iso(w.week_start)), ("week-end", _iso(w.week_end)),
                      ("days", str(w.days)), ("runs", str(w.runs)),
                      ("distance-m", _num(w.distance_m)),
                      ("prev-distance-m", _num(w.prev_distance_m)),
                      ("change-frac", _num(w.change_frac)), ("rest-days", str(w.rest_days)),
                      ("longest-run-m", _num(w.longest_run_m)),
                      ("longest-run-spike-frac", _num(w.longest_run_spike_frac)),
                      ("flags", str(len(w.flags))), ("units", u.name))
        return Section("summary", title, tuple(blocks), data=data)

    def week_paragraphs(self, w: WeekSummary, whole: bool = True) -> list[Any]:
        """The week's distance and longest-run sentences, then its flags in plain words.

        What the summary says in sentences, without the big numbers, rest days
        and surfaces (the coach page has those in its table).
        """
        return [self._distance_sentence(w, whole), self._longest_sentence(w),
                *self._week_flags(w)]

    def _stats(self, w: WeekSummary, whole: bool) -> Stats:
        u = self.u
        stats = [Stat(u.format_distance(w.distance_m),
                      "this week" if whole else "this week so far",
                      data=(("distance-m", _num(w.distance_m)),), id="stat-distance")]
        if math.isfinite(w.change_frac):
            stats.append(Stat(signed_pct(w.change_frac),
                              f"vs the week before ({u.format_distance(w.prev_distance_m)})",
                              data=(("change-frac", _num(w.change_frac)),), id="stat-change"))
        else:
            stats.append(Stat("–", "change: the week before is too small to compare with",
                              id="stat-change"))
        if w.runs:
            stats.append(Stat(u.format_distance(w.longest_run_m), "longest run",
                              data=(("longest-run-m", _num(w.longest_run_m)),),
                              id="stat-longest"))
        stats.append(Stat(str(w.rest_days), "rest days" if w.rest_days != 1 else "rest day",
                          data=(("rest-days", str(w.rest_days)),), id="stat-rest"))
        stats.append(Stat(str(len(w.flags)), "flags" if len(w.flags) != 1 else "flag",
                          data=(("flags", str(len(w.flags))),), id="stat-flags"))
        return Stats(tuple(stats))

    def _distance_sentence(self, w: WeekSummary, whole: bool) -> Para:
        u = self.u
        base = self.t.weekly_jump
        you = self.voice.subject
        lead = f"This week {you} ran " if whole else f"So far this week {you} ran "
        spans = [Span(lead), Span(u.format_distance(w.distance_m), strong=True),
                 Span(f" in {plural(w.runs, 'run')}")]
        prev = u.format_distance(w.prev_distance_m)
        if math.isfinite(w.change_frac):
            if abs(w.change_frac) < 0.005:
                spans.append(Span(f", about the same as the week before ({prev})."))
            else:
                more = "more" if w.change_frac > 0 else "less"
                spans += [Span(", "), Span(f"{pct(abs(w.change_frac))} {more}", strong=True),
                          Span(f" than the week before ({prev}).")]
        elif w.prev_distance_m == 0:
            spans.append(Span(f". {self.voice.subject_start} did not run the week before, so "
                              "there is no change to give."))
        elif math.isfinite(w.prev_distance_m):
            spans.append(Span(
                f". The week before ({prev}) is too small to compare with: a change is "
                f"given only after a week of at least {u.format_distance(base.min_base_m)} "
                f"and {plural(base.min_base_runs, 'run')}."))
        else:
            spans.append(Span(". This is the first week of the history."))
        return Para(tuple(spans), cls="lead", id="summary-distance")

    def _longest_sentence(self, w: WeekSummary) -> Para:
        u = self.u
        lookback = self.t.spike.lookback_days
        your, your_start = self.voice.possessive, self.voice.possessive_start
        if w.runs == 0:
            return Para((Span("No runs this week."),), cls="lead", id="summary-longest")
        name = _text(w.longest_run_name).strip()
        named = f" (\u201c{name}\u201d)" if name else ""
        when = day(w.longest_run_date)
        spans: list[Span] = []
        if w.longest_run_spike_basis == "duration":
            reason = self._unreliable_reason(w.longest_run_activity_id)
            amount = (u.format_distance(w.longest_run_m) if math.isfinite(w.longest_run_m)
                      else duration(w.longest_run_s))
            spans.append(Span(f"{your_start} longest run was {amount} on {when}{named}. "
                              f"Its distance is an estimate ({reason}), so it is compared "
                              f"by time: {duration(w.longest_run_s)}"))
            ref = (f"{your} longest run by time in the {lookback} days before it "
                   f"({duration(w.longest_run_ref_s)} on {day(w.longest_run_ref_date)})")
        else:
            spans.append(Span(f"{your_start} longest run was "
                              f"{u.format_distance(w.longest_run_m)} "
                              f"on {when}{named}"))
            ref = (f"{your} longest run in the {lookback} days before it "
                   f"({u.format_distance(w.longest_run_ref_m)} on "
                   f"{day(w.longest_run_ref_date)})")
        frac = w.longest_run_spike_frac
        if w.longest_run_spike_bin == "no_reference" or not math.isfinite(frac):
            spans.append(Span(f": there was no run in the {lookback} days before it to "
                              "compare it with."))
        elif abs(frac) < 0.005:
            spans.append(Span(f", about as long as {ref}."))
        elif frac > 0:
            spans += [Span(", "), Span(f"{pct(frac)} longer", strong=True),
                      Span(f" than {ref}.")]
            if is_spike(w.longest_run_spike_bin):
                spans.append(Span(f" That is a spike in the study's "
                                  f"{w.longest_run_spike_bin.replace('%', ' %')} group."))
        else:
            spans.append(Span(f", {pct(-frac)} shorter than {ref}."))
        return Para(tuple(spans), cls="lead", id="summary-longest",
                    data=(("activity-id", w.longest_run_activity_id),
                          ("spike-bin", w.longest_run_spike_bin)))

    def _unreliable_reason(self, activity_id: str) -> str:
        spikes = self.a.spikes
        match = spikes.loc[spikes["activity_id"] == activity_id, "distance_unreliable_reason"]
        reason = str(match.iloc[0]) if len(match) else ""
        return UNRELIABLE_WORDS.get(reason, "its distance is uncertain")

    def _surface_words(self, w: WeekSummary) -> str:
        if not w.surface_m:
            return ""
        parts = [f"{s} {w.surface_share_frac[s] * 100:.0f} % "
                 f"({self.u.format_distance(m)})" for s, m in w.surface_m.items()]
        if len(parts) == 1:
            return f"Surface: {parts[0]}."
        return f"Surfaces: {', '.join(parts)}."

    def _week_flags(self, w: WeekSummary) -> list[Any]:
        flags = w.flags
        if flags.empty:
            return [Para((Span("No flags this week. ", strong=True),
                          Span("That does not mean the week was safe: these flags catch only "
                               "a few patterns linked with running injuries, and many "
                               "injuries happen without any of them.")),
                         cls="lead", id="summary-flags")]
        intro = Para((Span(f"This week: {plural(len(flags), 'flag')}", strong=True),
                      Span(", most severe first. Each is an association found in studies of "
                           "runners or a coaching convention, never a prediction.")),
                     cls="lead", id="summary-flags")
        items = tuple(self._flag_item(r) for r in flags.itertuples(index=False))
        return [intro, Items(items, cls="flag-items", id="summary-flag-list")]

    def _flag_item(self, r: Any) -> Para:
        ref = REFERENCES.get(r.citation_key)
        study = f", from {ref.study_type}" if ref else ""
        name = self.names.get(str(r.activity_id), "") if r.activity_id else ""
        run = f" (\u201c{name}\u201d)" if name else ""
        spans = (Span(SEVERITY_WORDS.get(r.severity, r.severity), strong=True,
                      cls=f"sev sev-{r.severity}"),
                 Span(f" {r.flag_id}, {day(r.local_date)}{run}: "), Span(r.message),
                 Span(f" Evidence: {r.evidence_grade}{study}. Source: "),
                 *source_spans(r.citation_key), Span("."))
        return Para(spans, cls="flag", data=(("flag-id", r.flag_id),
                                             ("local-date", _iso(r.local_date)),
                                             ("severity", r.severity),
                                             ("activity-id", _text(r.activity_id))))

    # --- charts ------------------------------------------------------------------------
    def charts(self) -> Section | None:
        if self.week is None:
            return None
        a, t, u, start = self.a, self.t, self.u, self.start
        daily = a.daily[a.daily.index >= start]
        load = LOAD_WORDS.get(a.load_kind, a.load_kind)
        s = t.acwr
        if s.method == "uncoupled":
            acwr_words = (f"acute load (the last {s.acute_days} days) and chronic load (the "
                          f"{s.chronic_days - s.acute_days} days before those), as daily "
                          "averages")
        elif s.method == "coupled":
            acwr_words = (f"acute load (the last {s.acute_days} days) and chronic load (the "
                          f"last {s.chronic_days} days), as daily averages")
        else:
            acwr_words = (f"acute and chronic load as exponentially weighted averages over "
                          f"{s.acute_days} and {s.chronic_days} days")
        charts = [
            self.weekly_chart(),
            self.spikes_chart(),
            _chart("chart-rest", "Run days and rest days", (
                "Each day of the period: run days shaded by distance (darker is longer), "
                "rest days in sand. Rest days matter for recovery (consensus advice; expert "
                "opinion)."),
                lambda ax: plotting.plot_rest_calendar(daily, ax=ax,
                                                       week_start=t.weeks.week_start,
                                                       units=u.name)),
            _chart("chart-surface", "Surface mix per week", (
                "Share of each week's distance by surface. No running surface has been "
                "shown to carry a clearly lower injury risk; a sudden change of surface is "
                "flagged as expert opinion."),
                lambda ax: plotting.plot_surface_mix(self.weeks, ax=ax, units=u.name)),
            _chart("chart-acwr", "Acute and chronic load (information only)", (
                f"In {load}: {acwr_words}, and their ratio (ACWR, right axis). For "
                "information only: ACWR is not linked to injury in runners (in a cohort of "
                "435 runners a higher ratio went with fewer injuries, not more), so nothing "
                "here is marked good or bad."),
                lambda ax: plotting.plot_acwr(a.acwr[a.acwr.index >= start], ax=ax,
                                              load_label=load)),
        ]
        blocks: list[Any] = list(charts)
        if a.load_kind in FITNESS_LOAD_KINDS:
            blocks.append(_chart("chart-fitness", "Fitness, fatigue and form", (
                f"In {load}: fitness (CTL, a {self.t.fitness.ctl_days}-day average of daily "
                f"load), fatigue (ATL, {self.t.fitness.atl_days}-day) and form (TSB = fitness "
                "\u2212 fatigue). A performance model from coaching, not an injury "
                "predictor."),
                lambda ax: plotting.plot_fitness(a.fitness[a.fitness.index >= start], ax=ax,
                                                 load_label=load)))
        else:
            blocks.append(Para((Span(
                f"Fitness and fatigue (CTL, ATL) are not drawn: the load here is {a.load_note}, "
                "and the fitness-fatigue model is meant for a heart-rate load. On minutes or "
                "distance it would only redraw the volume above."),), cls="note",
                id="fitness-not-drawn"))
        first_week = self.weeks.index[0]
        return Section("charts", f"The last {plural(len(self.weeks), 'week')}", tuple(blocks),
                       data=(("period-start", _iso(first_week)),))

    def _pain(self) -> pd.DataFrame | None:
        """The episodes the charts mark (None without any)."""
        episodes = self.a.pain_episodes
        return episodes if len(episodes) else None

    def _pain_label(self) -> str:
        if self.voice.possessive == "your":
            return plotting.PAIN_LABEL
        return f"Pain episode ({self.voice.possessive} journal)"

    def weekly_chart(self, chart_id: str = "chart-weekly", *, caption: str | None = None,
                     width_in: float = 7.0, height_in: float = 2.8) -> Chart:
        """Distance per week over the report's weeks (caption: :func:`weekly_chart_caption`)."""
        t, u = self.t, self.u
        pain = self._pain()
        if caption is None:
            caption = weekly_chart_caption(t, u, len(self.weeks)) + pain_chart_caption(pain)
        return _chart(chart_id, "Distance per week", caption,
                      lambda ax: plotting.plot_weekly_volume(self.weeks, ax=ax, units=u.name,
                                                             jump_frac=t.weekly_jump.jump_frac,
                                                             pain=pain,
                                                             pain_label=self._pain_label()),
                      width_in, height_in)

    def spikes_chart(self, chart_id: str = "chart-spikes", *, caption: str | None = None,
                     width_in: float = 7.0, height_in: float = 2.8) -> Chart:
        """The runs of the report's weeks against their reference (:func:`spikes_chart_caption`)."""
        a, t = self.a, self.t
        spikes = a.spikes[(a.spikes["local_date"] >= self.start).fillna(False)
                          .to_numpy(dtype=bool)]
        pain = self._pain()
        if caption is None:
            caption = spikes_chart_caption(t) + pain_chart_caption(pain)
        return _chart(chart_id, "Each run against the longest run before it", caption,
                      lambda ax: plotting.plot_spikes(spikes, ax=ax, units=self.u.name,
                                                      bins_frac=t.spike.bins_frac,
                                                      flags=a.flags, pain=pain,
                                                      pain_label=self._pain_label()),
                      width_in, height_in)

    # --- weekly table ------------------------------------------------------------------
    def weekly_table(self) -> Section | None:
        if self.week is None:
            return None
        u = self.u
        weeks = self.weeks.iloc[::-1]
        used = [s for s in SURFACES if (self.weeks[f"distance_{s}_m"] > 0).any()]
        columns = ("Week of", "Distance", "Change", "Runs", "Rest days", "Longest run",
                   f"Pace (min/{u.name})", *(s.capitalize() for s in used))
        rows = []
        for start, r in weeks.iterrows():
            cells = [
                Cell(day(start), (("week-start", _iso(start)),)),
                Cell(u.format_distance(r["distance_m"]), (("distance-m", _num(r["distance_m"])),)),
                Cell(signed_pct(r["change_frac"]), (("change-frac", _num(r["change_frac"])),)),
                Cell(str(int(r["runs"])), (("runs", str(int(r["runs"]))),)),
                Cell(str(int(r["rest_days"])), (("rest-days", str(int(r["rest_days"]))),)),
                Cell(u.format_distance(r["longest_run_m"]) if r["runs"] else "–",
                     (("longest-run-m", _num(r["longest_run_m"])),)),
                Cell(u.format_pace(r["avg_speed_mps"]).split(" ")[0],
                     (("avg-speed-mps", _num(r["avg_speed_mps"])),)),
            ]
            for s in used:
                share = r[f"share_{s}_frac"]
                cells.append(Cell("–" if pd.isna(share) else f"{share * 100:.0f} %",
                                  ((f"share-{s}-frac", _num(share)),)))
            rows.append(Row(tuple(cells), data=(("week-start", _iso(start)),
                                                ("days", str(int(r["days"]))))))
        base = self.t.weekly_jump
        caption = (f"Newest first. Weeks start on {self.t.weeks.week_start.capitalize()}; a "
                   "week not over yet counts its days so far. Change: from the week before; "
                   f"'–' when that week had under {u.format_distance(base.min_base_m)} or "
                   f"{plural(base.min_base_runs, 'run')}, too little to compare with. Pace: the "
                   "week's distance over its moving time (treadmill distances are estimates).")
        table = Table("week-table", columns, tuple(rows),
                      numeric=(False, *([True] * (len(columns) - 1))),
                      weights=(1.6, 1.0, 0.8, 0.6, 0.7, 1.0, 0.9, *([0.8] * len(used))),
                      caption=caption)
        return Section("weeks", "Week by week", (table,), page_break=True)

    # --- all flags ---------------------------------------------------------------------
    def flag_list(self) -> Section:
        flags = self.a.flags
        if not pd.isna(self.as_of):
            flags = flags[(flags["local_date"] <= self.as_of).fillna(False).to_numpy(dtype=bool)]
        named = [self.names.get(str(i), "") for i in flags["activity_id"].astype("object")]
        with_names = any(named)
        columns = ("Date", "Flag", "Severity", *(("Run",) if with_names else ()),
                   "What was found", "Value", "Threshold", "Evidence", "Source")
        rows = []
        for r, name in zip(flags.itertuples(index=False), named, strict=True):
            cells = [Cell(day(r.local_date), (("local-date", _iso(r.local_date)),),
                          cls="nowrap"),
                     Cell(r.flag_id, cls="nowrap"),
                     Cell(SEVERITY_WORDS.get(r.severity, r.severity))]
            if with_names:
                cells.append(Cell(name))
            cells += [Cell(r.message, cls="msg"),
                      Cell(flag_value(r.value, r.unit, r.flag_id, self.u),
                           (("value", _num(r.value)), ("unit", r.unit))),
                      Cell(flag_value(r.threshold, r.unit, r.flag_id, self.u),
                           (("threshold", _num(r.threshold)),)),
                      Cell(r.evidence_grade),
                      Cell(short_citation(r.citation_key), href=doi_url(r.citation_key))]
            rows.append(Row(tuple(cells), cls=f"sev-{r.severity}",
                            data=(("flag-id", r.flag_id), ("local-date", _iso(r.local_date)),
                                  ("severity", r.severity),
                                  ("activity-id", _text(r.activity_id)))))
        numeric = (False, False, False, *((False,) if with_names else ()), False, True, True,
                   False, False)
        weights = (1.1, 1.1, 0.95, *((1.0,) if with_names else ()), 4.0, 0.85, 0.95, 1.0, 1.1)
        caption = ("Every flag of the whole history, newest first. Each is an association "
                   "from studies of running injuries in general, or a coaching convention, "
                   "with its evidence grade; none predicts an injury.")
        table = Table("flag-table", columns, tuple(rows), numeric=numeric, weights=weights,
                      caption=caption, empty="No flags in this history.", stack=True)
        return Section("flags", f"All flags ({len(rows)})", (table,), page_break=True,
                       data=(("count", str(len(rows))),))


def weekly_chart_caption(t: Thresholds, u: DistanceUnit, n: int) -> str:
    """How to read the distance-per-week chart of ``n`` weeks."""
    base = t.weekly_jump
    return (f"Distance per calendar week (weeks start on {t.weeks.week_start.capitalize()}), "
            f"last {plural(n, 'week')}. The label on a bar is the change from the week "
            f"before; weeks more than {pct(base.jump_frac)} up (after a week of at least "
            f"{u.format_distance(base.min_base_m)} and {plural(base.min_base_runs, 'run')}) "
            "are hatched. The evidence that weekly jumps matter is weak, and the popular "
            "10 % rule was not protective in a randomised trial.")


def pain_chart_caption(pain: pd.DataFrame | None) -> str:
    """What the pain marks on a chart are ('' without a journal's episodes)."""
    if pain is None or not len(pain):
        return ""
    return (" Wine lines and shading: the pain episodes of your journal (onset, and until "
            "the pain dropped below the threshold; to the edge while still open), labelled "
            "with the region and the worst rating. They mark when, not why.")


def spikes_chart_caption(t: Thresholds) -> str:
    """How to read the chart of each run against the longest run before it."""
    edges = t.spike.bins_frac
    return (f"Each run's distance, and the longest run of the {t.spike.lookback_days} days "
            f"before it. Runs more than {pct(edges[0])}, {pct(edges[1])} and "
            f"{pct(edges[2])} longer are coloured caution, warning and high: the groups "
            "of a cohort study of 5,205 runners, where such runs were linked with more "
            "overuse injuries (moderate evidence). Squares are runs compared by time, "
            "because their distance is an estimate (treadmill, entered by hand).")


def _chart(chart_id: str, title: str, caption: str, draw: Any, width_in: float = 7.0,
           height_in: float = 2.8) -> Chart:
    fig, ax = plotting.new_figure(width_in, height_in)
    draw(ax)
    svg = inline_svg(plotting.figure_svg(fig), chart_id)
    return Chart(chart_id, title, caption, svg, width_in, height_in, figure=fig)


_SVG_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_SVG_XMLNS = re.compile(r'\sxmlns(?::\w+)?="[^"]*"')
_SVG_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(svg: str, prefix: str) -> str:
    """SVG markup made fit to inline in HTML next to other charts.

    Drops matplotlib's RDF metadata and the ``xmlns`` declarations (an HTML
    parser does not need them, and they are the only URLs in the markup), and
    prefixes every element id with ``prefix`` so two charts never share an id.
    """
    svg = _SVG_METADATA.sub("", svg, count=1)
    head_end = svg.index(">")
    svg = _SVG_XMLNS.sub("", svg[:head_end]) + svg[head_end:]
    ids = set(_SVG_ID.findall(svg))
    if not ids:
        return svg

    def rename(match: re.Match[str]) -> str:
        return f'{match.group(1)}{prefix}-{match.group(2)}' if match.group(2) in ids \
            else match.group(0)

    svg = re.sub(r'(\bid=")([^"]+)(?=")', rename, svg)
    svg = re.sub(r'(url\(#)([^)]+)(?=\))', rename, svg)
    return re.sub(r'(href="#)([^"]+)(?=")', rename, svg)


# --- import, methods, references, disclaimer ----------------------------------------------

def _path(source: Any, member: Any) -> str:
    source, member = _text(source), _text(member)
    return f"{source}!{member}" if member else source


def import_section(analysis: Analysis, files: pd.DataFrame | None,
                   duplicates: pd.DataFrame | None) -> Section:
    """What was read, skipped, failed and folded together, and where local times came from."""
    blocks: list[Any] = []
    if files is None:
        blocks.append(Para((Span("The import's file list was not given to this report."),),
                           cls="note"))
    else:
        status = files["status"].astype("object").fillna("")
        counts = {k: int((status == k).sum()) for k in STATUS_WORDS}
        blocks.append(Para((Span(
            f"{plural(len(files), 'file')} looked at: "
            + ", ".join(f"{STATUS_WORDS[k]} {v}" for k, v in counts.items()) + "."),),
            id="import-counts", data=tuple((f"files-{k.replace('_', '-')}", str(v))
                                           for k, v in counts.items())))
        for key, title in (("failed", "Files that could not be read"),
                           ("partial", "Files read in part (damaged)")):
            chosen = files[(status == key).to_numpy(dtype=bool)]
            if len(chosen):
                rows = tuple(Row((Cell(_path(r.source_path, r.member_path)),
                                  Cell(_text(r.reason))), data=(("status", key),))
                             for r in chosen.itertuples(index=False))
                blocks.append(Table(f"import-{key}", ("File", "Reason"), rows,
                                    weights=(3.0, 2.0), caption=f"{title} ({len(rows)})"))
        skipped = files[(status == "not_activity").to_numpy(dtype=bool)]
        if len(skipped):
            reasons = skipped["reason"].astype("object").fillna("").value_counts()
            rows = tuple(Row((Cell(_text(reason)), Cell(str(int(n)), (("count", str(int(n))),))))
                         for reason, n in reasons.items())
            blocks.append(Table("import-not-activity", ("Why it is not an activity", "Files"),
                                rows, numeric=(False, True), weights=(4.0, 1.0),
                                caption=f"Skipped: not an activity ({len(skipped)})"))
    if duplicates is None:
        blocks.append(Para((Span("The import's list of duplicates was not given to this "
                                 "report."),), cls="note"))
    elif len(duplicates) == 0:
        blocks.append(Para((Span("Duplicates removed: none."),), id="import-duplicates",
                           data=(("duplicates", "0"),)))
    else:
        rules = duplicates["rule"].astype("object").fillna("").value_counts()
        blocks.append(Para((Span(
            f"Duplicates removed: {len(duplicates)} (each run is counted once; the richest "
            "copy is kept). By rule: " + "; ".join(
                f"{DUPLICATE_RULE_WORDS.get(rule, rule)} ({rule}): {n}"
                for rule, n in rules.items()) + "."),),
            id="import-duplicates", data=(("duplicates", str(len(duplicates))),)))
        shown = duplicates.head(MAX_DUPLICATES_LISTED)
        rows = tuple(Row((Cell(_path(r.source_path, r.member_path)), Cell(_text(r.rule)),
                          Cell(_text(r.detail))), data=(("rule", _text(r.rule)),))
                     for r in shown.itertuples(index=False))
        more = len(duplicates) - len(shown)
        blocks.append(Table("import-duplicates-list", ("Copy removed", "Rule", "Detail"), rows,
                            weights=(2.6, 1.0, 2.4),
                            caption="Copies removed" + (
                                f" (the first {len(shown)}; {more} more: runload scan --json "
                                "lists all)" if more else "")))
    runs = analysis.runs
    if len(runs):
        sources = runs["tz_source"].astype("object").fillna("").value_counts()
        blocks.append(Para((Span(
            "Local dates decide every weekly number. The local time of the "
            f"{plural(len(runs), 'run')} came from: " + ", ".join(
                f"{TZ_WORDS.get(k, k)} ({n})" for k, n in sources.items()) + "."),),
            id="import-tz", data=tuple((f"tz-{k or 'unknown'}".replace("_", "-"), str(int(n)))
                                       for k, n in sources.items())))
        if "assumed_utc" in sources.index:
            blocks.append(Para((Span(
                f"{plural(int(sources['assumed_utc']), 'run')} had no local time, so "
                f"{'it was' if int(sources['assumed_utc']) == 1 else 'they were'} dated in "
                "UTC: a run near midnight may sit on the wrong day. Give your usual time zone "
                "with --tz."),), cls="note"))
    return Section("import", "What was imported", tuple(blocks))


def _rules(t: Thresholds, u: DistanceUnit) -> list[tuple[str, str, str, str, tuple[str, ...],
                                                          bool]]:
    """(flag, what it measures, threshold, grade, citation keys, enabled) per rule."""
    sp, lo, wj, ov = t.spike, t.layoff, t.weekly_jump, t.one_variable
    re_, mo, fi, dh, su = t.rest, t.monotony, t.fitness, t.downhill, t.surface
    return [
        ("F-SPIKE", "A run longer than the longest run started in the "
         f"{sp.lookback_days} days before it; by time when its distance is an estimate "
         "(treadmill, entered by hand).",
         f"more than {pct(sp.bins_frac[0])} / {pct(sp.bins_frac[1])} / "
         f"{pct(sp.bins_frac[2])} longer: {' / '.join(sp.severities)}",
         f"{sp.grade} (by time: expert opinion)", (sp.citation,), sp.enabled),
        ("F-LAYOFF", f"After at least {plural(lo.min_gap_days, 'day')} without running, "
         f"{plural(lo.return_weeks, 'week')} of gradual return, against the "
         f"{plural(lo.baseline_weeks, 'week')} before the break.",
         f"first run over {pct(lo.first_session_frac)} of the usual run; week 1 over "
         f"{pct(lo.week1_frac)} and later weeks over {pct(lo.later_weeks_frac)} of the usual "
         "week", lo.grade, (lo.citation,), lo.enabled),
        ("F-WEEK30", "Distance of the last 7 days against the 7 days before (never at 10 %: "
         "the 10 % rule was not protective in a randomised trial).",
         f"more than {pct(wj.jump_frac)} up, after at least "
         f"{u.format_distance(wj.min_base_m)} and {plural(wj.min_base_runs, 'run')}",
         wj.grade, (wj.citation, "buist2008"), wj.enabled),
        ("F-ONEVAR", "Change one thing at a time: distance, duration, pace, climb and "
         f"surface mix of a week against the {ov.baseline_weeks} weeks before.",
         f"{ov.min_variables} or more up at once (distance or duration +{pct(ov.distance_frac)}, "
         f"pace {pct(ov.pace_frac)} faster, climb +{pct(ov.climb_frac)}, a surface's share "
         f"+{ov.surface_share * 100:.0f} points)", ov.grade, (ov.citation,), ov.enabled),
        ("F-NOREST", "Runs on many days in a row, or a week without a rest day.",
         f"{re_.max_consecutive_run_days} run days in a row"
         + ("; a calendar week without a rest day" if re_.flag_weeks_without_rest else ""),
         re_.grade, (re_.citation,), re_.enabled),
        ("F-MONOTONY", f"Monotony: the mean of daily load over {mo.window_days} days divided "
         "by its standard deviation (rest days count as 0).",
         f"above {mo.max_monotony:g}", mo.grade, (mo.citation,), mo.enabled),
        ("F-RAMP, F-TSB", "Fitness rising fast, or form far below zero; only with a "
         "heart-rate stress score load (HRSS).",
         f"fitness (CTL) up more than {fi.max_ramp_per_week:g} a week for "
         f"{plural(fi.ramp_weeks, 'week')}; form (TSB) below {fi.min_tsb:g}".replace(
             "-", "\u2212"), fi.grade, (fi.citation, "trainingpeaks_pmc"), fi.enabled),
        ("F-DOWNHILL", "Much more descent than usual (muscle damage, not injury, is what "
         "was studied).",
         f"descent over {dh.factor:g} \u00d7 the largest of the {dh.lookback_days} days "
         f"before, and at least {dh.min_descent_m:.0f} m", dh.grade, (dh.citation,),
         dh.enabled),
        ("F-SURFACE", "A new or suddenly longer surface: "
         f"{', '.join(su.surfaces)}.",
         f"first run on it in {su.novelty_days} days, or more than {pct(su.spike_frac)} "
         f"longer than the longest on it in the {su.novelty_days} days before",
         su.grade, (su.citation, "vanderworp2015"), su.enabled),
    ]


def methods_section(analysis: Analysis) -> Section:
    """Each rule: what it measures, its threshold, evidence grade and source."""
    t = analysis.thresholds
    u = distance_unit(t.display.units)
    rows = []
    for flag, what, threshold, grade, keys, enabled in _rules(t, u):
        sources = "; ".join(short_citation(k) for k in keys)
        rows.append(Row((Cell(flag), Cell(what), Cell(threshold if enabled else "switched off"),
                         Cell(grade), Cell(sources, href=doi_url(keys[0]))),
                        data=(("flag-id", flag), ("enabled", str(enabled).lower()))))
    table = Table("rule-table", ("Flag", "What it looks at", "Threshold", "Evidence", "Source"),
                  tuple(rows), weights=(0.9, 3.0, 2.6, 1.2, 1.4), stack=True,
                  caption="The rules (a threshold set in your configuration file shows here)")
    grades = evidence_grades_para()
    load = Para((Span(
        f"Load for the acute:chronic chart, monotony and fitness: {analysis.load_note}. "
        f"Weeks start on {t.weeks.week_start.capitalize()}; all dates are local calendar "
        "dates."),), id="load-note")
    acwr = Para((
        Span("The acute:chronic workload ratio (ACWR) is shown for information only: it came "
             "from team sports, and in runners a higher ratio was not linked with more "
             "injuries ("), *source_spans("nakaoka2021"), Span(")."),))
    return Section("methods", "How the flags work",
                   (table, grades, load, acwr, back_pain_para()), page_break=True)


def evidence_grades_para() -> Para:
    """What 'moderate', 'weak' and 'expert opinion' mean here."""
    return Para((Span(
        "Evidence grades: moderate = at least one large prospective study of runners; weak = "
        "small, conflicting or not statistically significant studies, or results from other "
        "sports; expert opinion = consensus statements and coaching conventions without "
        "injury data. Nothing here reaches strong evidence."),))


def back_pain_para() -> Para:
    """No load measure predicts low-back pain, with its source."""
    return Para((Span(
        "Low-back pain: no training-load measure, in this report or elsewhere, has been "
        "shown to predict it ("), *source_spans("maselli2020"), Span(
        "). The flags are general running-injury signals."),))


def references_section(analysis: Analysis) -> Section:
    """Every source the methods and flags cite, with DOI links."""
    keys: list[str] = []
    for *_, cited, _enabled in _rules(analysis.thresholds,
                                      distance_unit(analysis.thresholds.display.units)):
        keys += list(cited)
    keys += list(analysis.flags["citation_key"].astype("object")) + ["nakaoka2021",
                                                                     "maselli2020"]
    return reference_list(keys)


def reference_list(keys: Iterable[str]) -> Section:
    """The 'references' section: each known key once, in first-cited order, with its DOI."""
    items = []
    for key in dict.fromkeys(k for k in keys if k in REFERENCES):
        ref = REFERENCES[key]
        spans = [Span(f"[{short_citation(key)}] ", strong=True), Span(ref.citation)]
        if ref.doi:
            spans += [Span(" doi: "), Span(ref.doi, href=doi_url(key))]
        items.append(Para(tuple(spans), data=(("key", key),)))
    return Section("references", "References", (Items(tuple(items), cls="refs"),))


def disclaimer_section() -> Section:
    """Not medical advice; nothing here predicts or prevents back pain or any injury."""
    return Section("disclaimer", "Please read", (
        Para((Span(NOT_MEDICAL_ADVICE),), cls="disclaimer"),
        Para((Span(DISCLAIMER),), cls="disclaimer"),
    ))


def all_text(report: Document) -> Iterable[str]:
    """Every text of the report's model, in order (for tests and search)."""
    yield report.title
    yield report.subtitle
    for section in report.sections:
        yield section.title
        for block in section.blocks:
            if isinstance(block, Para):
                yield block.text
            elif isinstance(block, Items):
                yield from (p.text for p in block.items)
            elif isinstance(block, Stats):
                for s in block.stats:
                    yield s.value
                    yield s.label
            elif isinstance(block, Table):
                yield block.caption
                yield from block.columns
                for row in block.rows:
                    yield from (c.text for c in row.cells)
            elif isinstance(block, Chart):
                yield block.title
                yield block.caption
