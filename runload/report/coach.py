"""The coach page: a roster's week on one printed page, then a short section per athlete.

:func:`build_coach_report` turns a roster week (what
:func:`runload.history.load_roster` returns) into a :class:`CoachReport`, one
content model rendered as HTML and as an A4 PDF, like the runner report:

1. a header: the roster's title, the week's dates, the units;
2. the roster table, one row per athlete, most in need of attention first
   (athletes whose data could not be read, then those with an open pain
   episode at or above their threshold, then the most severe flags, then the
   largest spike): open pain episodes from the athlete's journal, the week's
   distance and change, runs, the longest run and its spike against the
   longest run of the days before, rest days, surfaces, flags per severity
   and the flags' ids;
3. per athlete, kept together on a printed page: the runner report's week
   sentences about them, the week's flags in plain words with evidence grade
   and source, their open pain episodes with a short caveat, and the last 8
   weeks' distance and spikes (pain episodes marked);
4. how to read the page, the references cited, and the disclaimer.

Nothing here computes a number: every one is read from the athletes'
:class:`~runload.analysis.summary.WeekSummary` and analysis tables.  The page
is made for the week, never for the clock: the same roster week gives the
same page.  This module imports neither the readers nor the history facade; it
takes any object shaped like :class:`RosterWeekLike`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from os import PathLike
from typing import Any, ClassVar, Protocol

import pandas as pd

from runload.analysis.flags import Analysis
from runload.analysis.spikes import SPIKE_BINS
from runload.analysis.summary import SEVERITY_ORDER, WeekSummary
from runload.config import Thresholds
from runload.report.content import (
    SEVERITY_WORDS,
    Voice,
    _Builder,
    _iso,
    _num,
    _text,
    back_pain_para,
    day_range,
    disclaimer_section,
    evidence_grades_para,
    plural,
    reference_list,
    signed_pct,
    source_spans,
    spikes_chart_caption,
    weekly_chart_caption,
)
from runload.report.model import Block, Cell, Data, Document, Para, Row, Section, Span, Table
from runload.report.pain import (
    CLINICIAN,
    OpenEpisode,
    has_journal,
    open_episodes,
    short_caveat_spans,
)
from runload.units import DistanceUnit, distance_unit

#: Calendar weeks each athlete's charts show (the page's week last).
CHART_WEEKS = 8
#: Height of each athlete's charts [in] (full text width, 7 in).
CHART_HEIGHT_IN = 1.9

#: The colour of each spike bin, as the spike chart draws it (runload.plotting.plot_spikes).
SPIKE_BIN_STYLES = dict(zip(SPIKE_BINS, ("sev-caution", "sev-warning", "sev-high"), strict=True))

#: Files of a failed import listed by name on an athlete's section (all are counted).
MAX_FILES_LISTED = 3

ROSTER_COLUMNS = ("Athlete", "Pain", "Distance (change)", "Runs", "Longest run (spike)",
                  "Rest days", "Surfaces", *(SEVERITY_WORDS[s] for s in SEVERITY_ORDER), "Flags")


class AthleteLike(Protocol):
    """One athlete's week, as the page needs it (:class:`runload.history.AthleteWeek`)."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> str | PathLike[str]: ...

    @property
    def overrides(self) -> Mapping[str, Any]: ...

    @property
    def summary(self) -> WeekSummary | None: ...

    @property
    def error(self) -> str | None: ...

    @property
    def warnings(self) -> tuple[str, ...]: ...

    @property
    def analysis(self) -> Analysis | None: ...

    @property
    def files(self) -> pd.DataFrame | None: ...


class RosterWeekLike(Protocol):
    """A roster's week, as the page needs it (:class:`runload.history.RosterWeek`)."""

    @property
    def title(self) -> str: ...

    @property
    def path(self) -> str | PathLike[str]: ...

    @property
    def week_start(self) -> pd.Timestamp: ...

    @property
    def week_end(self) -> pd.Timestamp: ...

    @property
    def units(self) -> str: ...

    @property
    def athletes(self) -> Sequence[AthleteLike]: ...

    @property
    def thresholds(self) -> Thresholds: ...


@dataclass(frozen=True, eq=False)
class CoachReport(Document):
    """A roster's week for a coach: one content model, rendered as HTML or PDF.

    Make one with :func:`build_coach_report` (or ``RosterWeek.report()``).

    Attributes
    ----------
    title : str
        The roster's title.
    subtitle : str
        The week, the number of athletes and the units.
    week_start, week_end : pandas.Timestamp
        First and last local day of the week.
    units : str
        'km' or 'mi'.
    sections : tuple of Section
        'roster', then 'athlete-1', 'athlete-2' ... in the roster table's
        order, then 'methods', 'references', 'disclaimer'.
    """

    title: str
    subtitle: str
    week_start: pd.Timestamp
    week_end: pd.Timestamp
    units: str
    sections: tuple[Section, ...]
    stylesheets: ClassVar[tuple[str, ...]] = ("report.css", "coach.css")

    @property
    def as_of(self) -> pd.Timestamp:
        """The week's last day: the day the page is for."""
        return self.week_end

    @property
    def as_of_iso(self) -> str:
        """``week_end`` as 'YYYY-MM-DD'."""
        return _iso(self.week_end)

    @property
    def pdf_footer(self) -> str:  # type: ignore[override]
        """The PDF's page footer: the roster's title and the week."""
        return f"{self.title} \u00b7 week of {day_range(self.week_start, self.week_end)}"


def _nb(text: str) -> str:
    """Text whose spaces never break a line ('12.0 km', '+37 %')."""
    return text.replace(" ", "\u00a0")


def _count_words(counts: Mapping[str, int]) -> str:
    """'1 warning, 2 caution' (most severe first; '' without flags)."""
    return ", ".join(f"{counts[s]} {s}" for s in SEVERITY_ORDER if counts.get(s, 0))


def _iso_week(start: pd.Timestamp) -> str:
    """'2026-W46' for a Monday."""
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def _files_failed(athlete: AthleteLike) -> pd.DataFrame:
    files = athlete.files
    if files is None:
        return pd.DataFrame(columns=["source_path", "member_path", "reason"])
    return files[files["status"].eq("failed").to_numpy(dtype=bool)]


# --- the roster table ------------------------------------------------------------------

def _roster_row(k: int, athlete: AthleteLike, u: DistanceUnit) -> Row:
    name, w = _text(athlete.name), athlete.summary
    if athlete.error is not None or w is None:
        error = _text(athlete.error) or "no week summary"
        return Row((Cell(name, (("name", name),)),
                    Cell(f"Data could not be read: {error}", span=len(ROSTER_COLUMNS) - 1,
                         cls="error-text")),
                   data=(("position", str(k)), ("name", name), ("status", "error"),
                         ("error", error)), cls="error")
    failed = len(_files_failed(athlete))
    label = name + (f" ({plural(failed, 'file')} not read)" if failed else "")
    spike_bin = w.longest_run_spike_bin
    distance = f"{_nb(u.format_distance(w.distance_m))} ({_nb(signed_pct(w.change_frac))})"
    longest = "–"
    if w.runs:
        by_time = "\u00a0by\u00a0time" if w.longest_run_spike_basis == "duration" else ""
        longest = (f"{_nb(u.format_distance(w.longest_run_m))} "
                   f"({_nb(signed_pct(w.longest_run_spike_frac))}{by_time})")
    ids = list(dict.fromkeys(w.flags["flag_id"].astype("object")))
    # no-break spaces: a surface and its share never part at the end of a line
    surfaces = ", ".join(_nb(f"{s} {frac * 100:.0f} %")
                         for s, frac in w.surface_share_frac.items())
    cells = [
        Cell(label, (("name", name), ("files-failed", str(failed)))),
        _pain_cell(athlete),
        Cell(distance, (("distance-m", _num(w.distance_m)), ("change-frac", _num(w.change_frac)),
                        ("prev-distance-m", _num(w.prev_distance_m)))),
        Cell(str(w.runs), (("runs", str(w.runs)),)),
        Cell(longest, (("longest-run-m", _num(w.longest_run_m)),
                       ("spike-frac", _num(w.longest_run_spike_frac)), ("spike-bin", spike_bin),
                       ("spike-basis", w.longest_run_spike_basis)),
             cls=SPIKE_BIN_STYLES.get(spike_bin, "")),
        Cell(str(w.rest_days), (("rest-days", str(w.rest_days)),)),
        Cell(surfaces or "–", tuple((f"share-{s}-frac", _num(f))
                                    for s, f in w.surface_share_frac.items())),
        *(Cell(str(w.flag_counts.get(s, 0)), (("severity", s),
                                               ("count", str(w.flag_counts.get(s, 0)))),
               cls=f"sev-{s}" if w.flag_counts.get(s, 0) else "zero")
          for s in SEVERITY_ORDER),
        Cell("\n".join(ids) or "none", (("flag-ids", " ".join(ids)),), cls="ids"),
    ]
    data: Data = (("position", str(k)), ("name", name), ("status", "ok"),
                  ("week-start", _iso(w.week_start)), ("flags", str(len(w.flags))))
    return Row(tuple(cells), data=data)


def _open_pain(athlete: AthleteLike) -> list[OpenEpisode]:
    """The athlete's pain episodes open on the week's last day ([] without a journal)."""
    analysis = athlete.analysis
    if athlete.error is not None or athlete.summary is None or analysis is None:
        return []
    return open_episodes(analysis, athlete.summary.week_end)


def _pain_cell(athlete: AthleteLike) -> Cell:
    """'lower back 4/10 (open since 3 Nov)' per open episode; 'none'; '–' without a journal."""
    analysis = athlete.analysis
    if analysis is None or not has_journal(analysis):
        return Cell("–", (("pain", "no-journal"),), cls="zero")
    opened = _open_pain(athlete)
    if not opened:
        return Cell("none", (("pain", "none"),), cls="zero")
    # a region and its rating never part ('lower back 4/10'); the onset may wrap
    return Cell("; ".join(f"{_nb(e.rating())} {e.opened()}" for e in opened),
                (("pain", "open"), ("open-episodes", " ".join(e.episode_id for e in opened)),
                 ("latest-severity", " ".join(str(e.latest_severity) for e in opened))),
                cls="pain-open")


def pain_attention(athlete: AthleteLike) -> bool:
    """Whether the athlete has an open pain episode rated at or above their threshold."""
    analysis = athlete.analysis
    if analysis is None:
        return False
    threshold = analysis.thresholds.pain.severity_threshold
    return any(e.latest_severity >= threshold for e in _open_pain(athlete))


def attention_order(athletes: Sequence[AthleteLike]) -> list[AthleteLike]:
    """The athletes as the page lists them: data that could not be read, then an open pain
    episode at or above the threshold, then the rest; within each, the roster week's order
    (most severe flags, then the largest spike, then name)."""
    def group(a: AthleteLike) -> int:
        if a.error is not None or a.summary is None:
            return 0
        return 1 if pain_attention(a) else 2
    return sorted(athletes, key=group)


def _glance(athletes: Sequence[AthleteLike]) -> Para:
    """Who needs a look, in the table's order, in one paragraph."""
    failed = [_text(a.name) for a in athletes if a.error is not None or a.summary is None]
    flagged = [(_text(a.name), _count_words(a.summary.flag_counts)) for a in athletes
               if a.error is None and a.summary is not None and len(a.summary.flags)]
    calm = [_text(a.name) for a in athletes
            if a.error is None and a.summary is not None and not len(a.summary.flags)]
    pain = [(_text(a.name), "; ".join(e.since() for e in _open_pain(a))) for a in athletes
            if _open_pain(a)]
    spans: list[Span] = []
    if failed:
        spans += [Span("Data could not be read: ", strong=True),
                  Span(", ".join(failed) + ". ")]
    if pain:
        spans += [Span("Open pain episodes: ", strong=True),
                  Span("; ".join(f"{n} ({w})" for n, w in pain) + ". ")]
    if flagged:
        spans += [Span("Flags this week: ", strong=True),
                  Span("; ".join(f"{n} ({c})" for n, c in flagged) + ". ")]
    if calm:
        spans += [Span("No flags: ", strong=True), Span(", ".join(calm) + ".")]
    return Para(tuple(spans), cls="lead", id="roster-glance")


def _roster_section(rw: RosterWeekLike, athletes: Sequence[AthleteLike],
                    u: DistanceUnit) -> Section:
    t = rw.thresholds
    rows = tuple(_roster_row(k, a, u) for k, a in enumerate(athletes, start=1))
    caption = (
        "Most in need of attention first: athletes whose data could not be read, then those "
        "with an open pain episode in their journal, then the most high, warning and caution "
        "flags, then the largest spike. Pain: episodes still open at the week's end, with the "
        "latest rating ('–' without a journal). Change: from the week "
        f"before ('–' when that week had under {u.format_distance(t.weekly_jump.min_base_m)} or "
        f"{plural(t.weekly_jump.min_base_runs, 'run')}). Spike: how much longer the week's "
        f"longest run was than the longest run of the {t.spike.lookback_days} days before it "
        "('–' without one), coloured as in the spike charts; 'by time' where its distance is "
        "an estimate.")
    table = Table("roster-table", ROSTER_COLUMNS, rows,
                  numeric=(False, False, True, True, True, True, False, True, True, True, True,
                           False),
                  weights=(1.7, 1.5, 1.5, 0.5, 1.5, 0.55, 1.6, 0.45, 0.8, 0.75, 0.45, 1.2),
                  caption=caption, empty="The roster names no athletes.", cls="large")
    return Section("roster", "Athletes, most in need of attention first",
                   (_glance(athletes), table),
                   data=(("athletes", str(len(rows))),
                         ("failed", str(sum(r.cls == "error" for r in rows)))))


# --- one athlete ------------------------------------------------------------------------

def _within(block: Block, prefix: str) -> Block:
    """The block with its element id made the athlete's own ('summary-x' -> 'athlete-1-x')."""
    block_id = getattr(block, "id", "")
    if not block_id:
        return block
    return replace(block, id=f"{prefix}-{block_id.removeprefix('summary-')}")


def _settings_words(overrides: Mapping[str, Any], units: str) -> str:
    """'layoff.first_session_frac = 0.4; display.units = 'mi' (this page: km)'."""
    parts = []
    for section, values in overrides.items():
        for key, value in (values.items() if isinstance(values, Mapping) else ()):
            words = f"{section}.{key} = {value!r}"
            if (section, key) in (("display", "units"), ("weeks", "week_start")):
                words += " (not on this page: one calendar and unit for all)"
            parts.append(words)
    return "; ".join(parts)


def _error_section(athlete: AthleteLike, rw: RosterWeekLike, sid: str,
                   data: Data) -> Section:
    error = _text(athlete.error) or "no week summary"
    blocks = (Para((Span("Data could not be read: ", strong=True), Span(error)),
                   cls="lead", id=f"{sid}-error"),
              Para((Span(f"Export: {_text(athlete.path)}. Check the athlete's path in the "
                         f"roster ({_text(rw.path)}), or ask for a new export. The other "
                         "athletes' weeks are not affected."),), cls="note"))
    return Section(sid, _text(athlete.name), blocks, data=data, keep_together=True,
                   cls="athlete")


def _athlete_section(k: int, athlete: AthleteLike, rw: RosterWeekLike,
                     u: DistanceUnit) -> Section:
    sid = f"athlete-{k}"
    name = _text(athlete.name)
    analysis, w = athlete.analysis, athlete.summary
    data: Data = (("position", str(k)), ("name", name),
                  ("status", "ok" if athlete.error is None and w is not None else "error"))
    if athlete.error is not None or w is None or analysis is None:
        return _error_section(athlete, rw, sid, data)
    words = _Builder(analysis, u, CHART_WEEKS, rw.week_end, voice=Voice.about(name))
    blocks: list[Block] = [_within(b, sid) for b in words.week_paragraphs(w)]
    notes: list[Block] = []
    failed = _files_failed(athlete)
    if len(failed):
        listed = "; ".join(
            _text(r.source_path) + (f"!{_text(r.member_path)}" if _text(r.member_path) else "")
            + f": {_text(r.reason)}" for r in failed.head(MAX_FILES_LISTED).itertuples())
        more = len(failed) - MAX_FILES_LISTED
        notes.append(Para((Span(f"{plural(len(failed), 'file')} could not be read and "
                                f"{'is' if len(failed) == 1 else 'are'} left out: {listed}"
                                + (f"; and {more} more." if more > 0 else ".")),),
                          cls="note", id=f"{sid}-files-failed",
                          data=(("files-failed", str(len(failed))),)))
    opened = _open_pain(athlete)
    if opened:
        notes.append(Para((
            Span(f"Pain journal: {plural(len(opened), 'open episode')}: ", strong=True),
            Span("; ".join(f"{e.words()}, worst {e.peak_severity}/10" for e in opened) + ". "),
            *short_caveat_spans()), cls="caveat", id=f"{sid}-pain",
            data=(("open-episodes", " ".join(e.episode_id for e in opened)),)))
    notes += [Para((Span(f"Import: {_text(said)}"),), cls="note") for said in athlete.warnings]
    own = _settings_words(athlete.overrides, u.name)
    if own:
        notes.append(Para((Span(f"Own thresholds: {_text(own)}."),), cls="note",
                          id=f"{sid}-settings"))
    charts = [words.weekly_chart(f"{sid}-weekly", caption="", height_in=CHART_HEIGHT_IN),
              words.spikes_chart(f"{sid}-spikes", caption="", height_in=CHART_HEIGHT_IN)]
    return Section(sid, name, tuple(blocks + notes + charts), data=data, keep_together=True,
                   cls="athlete")


# --- how to read it --------------------------------------------------------------------

def _methods_section(rw: RosterWeekLike, u: DistanceUnit) -> Section:
    t = rw.thresholds
    week_day = t.weeks.week_start.capitalize()
    blocks: list[Block] = [
        Para((Span("Order. ", strong=True), Span(
            "Athletes whose data could not be read come first: someone has to act. Then "
            "athletes with a pain episode still open in their journal at the week's end and "
            f"rated at least {t.pain.severity_threshold}/10 (their own threshold, if set): "
            "they told you something hurts. Then the most high flags, then warning, then "
            "caution flags, then the largest spike against the longest run of the "
            f"{t.spike.lookback_days} days before; equal weeks by name. The order says where "
            "to look first, not who will get injured: no flag predicts an injury.")),
            id="methods-order"),
        Para((Span("Pain. ", strong=True), Span(
            "For athletes who keep a pain journal (the roster's pain = \"file\"): the episodes "
            "still open at the week's end, with the region, the latest rating (0-10) and the "
            "onset. An episode starts on the first day rated "
            f"{t.pain.severity_threshold}/10 or more after {t.pain.pain_free_days} days without, "
            "and ends at a lower rating. '–': no journal. What came before an episode is in "
            "the athlete's own report; it shows associations in their history, not causes, and "
            "no load measure is known to predict back pain ("), *source_spans("maselli2020"),
            Span(f"). {CLINICIAN}")), id="methods-pain"),
        Para((Span("The week. ", strong=True), Span(
            f"Weeks start on {week_day}; dates are each athlete's local calendar dates. Each "
            "athlete is looked at on the week's last day: runs after it are left out, and "
            "days without a run up to it count as rest days, so a week not over yet shows its "
            f"remaining days as rest. Distances in {u.word} for everyone.")),
            id="methods-week"),
        Para((Span("Spike. ", strong=True), Span(
            "A run more than 10 % longer than the longest run of the previous 30 days is the "
            "one load pattern with moderate evidence in runners: in a cohort study of 5,205 "
            "runners such runs were linked with more overuse injuries ("),
            *source_spans(t.spike.citation), Span("). An association, not a prediction.")),
            id="methods-spike"),
        Para((Span("Change. ", strong=True), Span(
            "The week's distance against the week before. The evidence that weekly jumps "
            "matter is weak ("), *source_spans(t.weekly_jump.citation), Span(
            "), and the popular 10 % rule was not protective in a randomised trial ("),
            *source_spans("buist2008"), Span(").")), id="methods-change"),
        Para((Span("Charts. ", strong=True),
              Span(f"{weekly_chart_caption(t, u, CHART_WEEKS)} "
                   f"{spikes_chart_caption(t)}")), id="methods-charts"),
        evidence_grades_para(),
        back_pain_para(),
    ]
    own = [(_text(a.name), _settings_words(a.overrides, u.name)) for a in rw.athletes]
    own = [(n, words) for n, words in own if words]
    if own:
        blocks.append(Para((Span("Athletes' own thresholds. ", strong=True), Span(
            "The coach's settings apply to everyone, with these changes on top: "
            + "; ".join(f"{n}: {words}" for n, words in own) + ".")), id="methods-settings"))
    return Section("methods", "How to read this page", tuple(blocks))


def _references(rw: RosterWeekLike) -> Section:
    t = rw.thresholds
    keys = [t.spike.citation, t.weekly_jump.citation, "buist2008"]
    for a in rw.athletes:
        if a.summary is not None:
            keys += list(a.summary.flags["citation_key"].astype("object"))
    return reference_list([*keys, "maselli2020"])


def build_coach_report(roster_week: RosterWeekLike) -> CoachReport:
    """The coach page of a roster's week: one content model for HTML and PDF.

    Parameters
    ----------
    roster_week : RosterWeekLike
        From :func:`runload.history.load_roster`: the athletes most in need
        of attention first, each with its week summary and analysis, or the
        error that kept it from being read.  The page keeps that order, except
        that athletes with an open pain episode at or above their threshold
        move up, right after those whose data could not be read
        (:func:`attention_order`).

    Returns
    -------
    CoachReport
        ``.html``, ``.write_html(path)``, ``.write_pdf(path)``.
    """
    rw = roster_week
    u = distance_unit(rw.units)
    start, end = pd.Timestamp(rw.week_start), pd.Timestamp(rw.week_end)
    iso = (f"Week {_iso_week(start)}: " if rw.thresholds.weeks.week_start == "monday"
           else "Week of ")
    subtitle = (f"{iso}{day_range(start, end)} \u00b7 {plural(len(rw.athletes), 'athlete')} "
                f"\u00b7 distances in {u.word}")
    athletes = attention_order(rw.athletes)
    sections = [_roster_section(rw, athletes, u)]
    sections += [_athlete_section(k, a, rw, u) for k, a in enumerate(athletes, start=1)]
    sections += [_methods_section(rw, u), _references(rw), disclaimer_section()]
    return CoachReport(title=_text(rw.title) or "Roster", subtitle=subtitle, week_start=start,
                       week_end=end, units=u.name, sections=tuple(sections))
