"""The runner's pain journal in the reports: what came before each episode, in plain words.

A runner who keeps a pain journal (``runload.load(..., pain=PATH)``) gets a
section "Before your pain" in the runner report, right after the latest
week, and a "Pain" column and note on the coach page.  Everything here is
read from the analysis's pain tables (``Analysis.pain_entries``,
``.pain_episodes`` and ``.pain_exposures``, runload.schema); the sentences
about an episode are :func:`runload.analysis.pain.describe_episode`'s and
:func:`runload.analysis.pain.pain_summary`'s, written once there.

The wording keeps science.md section 8: these are associations in one
runner's own history, never causes; no load measure is known to predict
low-back pain; with a few episodes they say little; and pain that persists,
gets worse, radiates into a leg or comes with numbness or weakness is for a
clinician.  Without a journal, nothing here shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from runload.analysis.flags import Analysis
from runload.analysis.pain import QUANTITY_WORDS, describe_episode, format_quantity, pain_summary
from runload.analysis.pain import open_episodes as open_episodes_on
from runload.config import PainSettings
from runload.report.content import (
    Voice,
    _iso,
    _num,
    _text,
    day,
    plural,
    source_spans,
)
from runload.report.model import Block, Cell, Data, Items, Para, Row, Section, Span, Table
from runload.schema import PAIN_REGIONS
from runload.units import DistanceUnit

#: The window whose quantities the report tabulates (the settings' nearest, if not set).
TABLE_WINDOW_DAYS = 14

#: When the pain was felt, in words (PAIN_TIMINGS of runload.schema).
TIMING_WORDS = {"during": "during a run", "after": "after a run",
                "next_morning": "the next morning", "": ""}

#: What a clinician should see, said wherever pain is.
CLINICIAN = ("See a clinician if pain persists, gets worse, radiates into a leg, or comes with "
             "numbness or weakness.")


def region_words(region: Any) -> str:
    """'lower back' from 'lower_back'."""
    return _text(region).replace("_", " ")


def _severity(value: Any) -> str:
    return "–" if value is None or pd.isna(value) else f"{int(value)}/10"


def pain_tables(analysis: Analysis) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The analysis's pain entries, episodes and exposures."""
    return analysis.pain_entries, analysis.pain_episodes, analysis.pain_exposures


def has_journal(analysis: Analysis) -> bool:
    """Whether the analysis was given a pain journal with at least one entry."""
    return len(analysis.pain_entries) > 0


# --- open episodes --------------------------------------------------------------------

@dataclass(frozen=True)
class OpenEpisode:
    """An episode still open on a day, with the latest rating up to that day.

    Attributes
    ----------
    episode_id, region : str
    onset : pandas.Timestamp
    peak_severity : int
    latest_severity : int
        The severity of the last journal entry of the region up to the day.
    latest_date : pandas.Timestamp
    """

    episode_id: str
    region: str
    onset: pd.Timestamp
    peak_severity: int
    latest_severity: int
    latest_date: pd.Timestamp

    def rating(self) -> str:
        """'lower back 4/10': the region and the latest rating."""
        return f"{region_words(self.region)} {self.latest_severity}/10"

    def opened(self) -> str:
        """'(open since 3 Nov)'."""
        return f"(open since {self.onset.day} {self.onset:%b})"

    def words(self) -> str:
        """'lower back 4/10 (open since 3 Nov)'."""
        return f"{self.rating()} {self.opened()}"

    def since(self) -> str:
        """'lower back 4/10 since 3 Nov'."""
        return f"{self.rating()} since {self.onset.day} {self.onset:%b}"


def open_episodes(analysis: Analysis, on: Any = None) -> list[OpenEpisode]:
    """The episodes open on the local day ``on`` (default: the analysis's last day), newest first.

    Open means begun by then and not ended before it: the journal had no entry
    below the threshold between the onset and that day (an episode that ended
    later in the journal was still open then).
    """
    entries, episodes, _ = pain_tables(analysis)
    if not len(episodes):
        return []
    if on is None or pd.isna(on):
        on = analysis.daily.index[-1] if len(analysis.daily) else episodes["onset_date"].max()
    table = open_episodes_on(entries, episodes, on)
    return [OpenEpisode(str(r.episode_id), str(r.region), pd.Timestamp(r.onset_date),
                        int(r.peak_severity), int(r.latest_severity), pd.Timestamp(r.latest_date))
            for r in table.itertuples(index=False)]


# --- words ------------------------------------------------------------------------------

def caveat_spans(n_episodes: int, voice: Voice | None = None) -> tuple[Span, ...]:
    """Associations, not causes; nothing predicts back pain; N episodes say little; a clinician."""
    voice = voice or Voice()
    few = ("one episode" if n_episodes == 1 else f"{n_episodes} episodes")
    return (Span("What this is, and is not: ", strong=True),
            Span(f"what came before {voice.possessive} pain in {voice.possessive} own history. "
                 "These are associations, not causes: a load that stood out before an episode "
                 "need not have caused it, and many episodes come without any. No training-load "
                 "measure is known to predict back pain ("),
            *source_spans("maselli2020"),
            Span(f"). With {few} in {voice.possessive} journal, this says little. "
                 f"{CLINICIAN}"))


def short_caveat_spans() -> tuple[Span, ...]:
    """The caveat in one sentence, for the coach page."""
    return (Span("Associations in the athlete's own history, not causes; no load measure is "
                 "known to predict back pain. " + CLINICIAN),)


def episode_heading(r: Any) -> str:
    """'Lower back: from Wed 20 May 2026 to Fri 22 May 2026, peak 5/10'."""
    region = region_words(r.region)
    if bool(r.is_open):
        when = f"since {day(r.onset_date)}, still open"
    elif r.end_date == r.onset_date:
        when = f"on {day(r.onset_date)}"
    else:
        when = f"from {day(r.onset_date)} to {day(r.end_date)}"
    return f"{region[:1].upper()}{region[1:]}: {when}, peak {_severity(r.peak_severity)}"


def quantity_label(quantity: str) -> str:
    """'Largest single-run spike': the analysis's words for a quantity, as a table row."""
    words = QUANTITY_WORDS.get(quantity, quantity).removeprefix("the ")
    return words[:1].upper() + words[1:]


def _window(settings: PainSettings) -> int:
    days = tuple(settings.windows_days)
    if TABLE_WINDOW_DAYS in days or not days:
        return TABLE_WINDOW_DAYS
    return min(days, key=lambda d: (abs(d - TABLE_WINDOW_DAYS), d))


def _exposure_table(episode: Any, exposures: pd.DataFrame, window: int,
                    u: DistanceUnit) -> Table | None:
    rows = []
    chosen = exposures[(exposures["window_days"] == window).to_numpy(dtype=bool)]
    for r in chosen.itertuples(index=False):
        ratio = r.ratio_to_usual
        stands = bool(r.stands_out)
        cells = (
            Cell(quantity_label(r.quantity)),
            Cell(format_quantity(r.quantity, r.value, u.name), (("value", _num(r.value)),)),
            Cell(format_quantity(r.quantity, r.usual_median, u.name),
                 (("usual-median", _num(r.usual_median)),)),
            # a ratio of two fractions (+54 % against +2 %) means nothing: as the sentences
            Cell("–" if r.unit == "frac" or pd.isna(ratio) or not math.isfinite(ratio)
                 else f"{ratio:.1f}\u00d7", (("ratio-to-usual", _num(ratio)),)),
            Cell("–" if pd.isna(r.percentile) else f"{r.percentile:.0f}",
                 (("percentile", _num(r.percentile)), ("n-windows", str(int(r.n_windows))))),
            Cell("yes" if stands else ""),
        )
        rows.append(Row(cells, cls="stands-out" if stands else "",
                        data=(("quantity", _text(r.quantity)), ("unit", _text(r.unit)),
                              ("stands-out", str(stands).lower()))))
    if not rows:
        return None
    n = int(chosen["n_windows"].max()) if len(chosen) else 0
    caption = (f"The {window} days before the onset ({day(episode.onset_date - pd.Timedelta(days=window))} "
               f"to {day(episode.onset_date - pd.Timedelta(days=1))}), against your usual: the "
               f"median of your other {window}-day windows ({n}, those overlapping this one "
               "left out). Percentile: the share of those windows with less.")
    return Table(f"pain-window-{episode.episode_id}",
                 (f"{window} days before", "This time", "Your usual", "\u00d7 usual",
                  "Percentile", "Stands out"), tuple(rows),
                 numeric=(False, True, True, True, True, False),
                 weights=(2.6, 1.1, 1.1, 0.8, 0.9, 0.9), caption=caption, cls="pain-window")


def _entry_table(episode: Any, entries: pd.DataFrame) -> Table | None:
    """The journal entries from the onset to the episode's last day at or above the
    threshold, and, for a closed episode, the next day's entries (which ended it)."""
    region = entries[(entries["region"] == episode.region).to_numpy(dtype=bool)]
    last = episode.last_entry_date
    if not bool(episode.is_open):
        later = region.loc[(region["local_date"] > last).to_numpy(dtype=bool), "local_date"]
        if len(later):
            last = later.min()
    mine = region[(region["local_date"] >= episode.onset_date).to_numpy(dtype=bool)
                  & (region["local_date"] <= last).to_numpy(dtype=bool)]
    if not len(mine):
        return None
    rows = tuple(
        Row((Cell(day(r.local_date), (("local-date", _iso(r.local_date)),), cls="nowrap"),
             Cell(_severity(r.severity), (("severity", str(int(r.severity))),)),
             Cell(TIMING_WORDS.get(_text(r.timing), _text(r.timing))),
             Cell(_text(r.note), cls="msg")),
            data=(("line", str(int(r.line))),))
        for r in mine.sort_values(["local_date", "line"], kind="stable").itertuples(index=False))
    return Table(f"pain-entries-{episode.episode_id}", ("Day", "Pain", "When", "Your note"),
                 rows, numeric=(False, True, False, False), weights=(1.4, 0.6, 1.3, 4.5),
                 caption=("Your journal entries of this episode" if bool(episode.is_open)
                          else "Your journal entries of this episode, and the one that "
                               "ended it"), cls="pain-entries")


def _without_caveat(sentences: list[str]) -> list[str]:
    """The analysis's sentences without their closing caveat (always last, when any):
    the section says it once, first, in full."""
    return [_text(s) for s in sentences[:-1] if _text(s).strip()]


def pain_section(analysis: Analysis, units: DistanceUnit) -> Section | None:
    """'Before your pain': the caveat, then each episode, newest first; None without episodes."""
    entries, episodes, exposures = pain_tables(analysis)
    if not len(episodes):
        return None
    settings = analysis.thresholds.pain
    window = _window(settings)
    n = len(episodes)
    blocks: list[Block] = [Para(caveat_spans(n), cls="caveat", id="pain-caveat")]
    # across the episodes of a region, where there are several (for one episode the
    # analysis's summary is that episode's sentences again)
    counts = episodes["region"].value_counts()
    summary = [line for region in PAIN_REGIONS if counts.get(region, 0) > 1
               for line in _without_caveat(pain_summary(episodes, exposures, units.name,
                                                        region=region))]
    if summary:
        blocks.append(Items(tuple(Para((Span(line),)) for line in summary),
                            cls="pain-sentences", id="pain-summary"))
    newest = episodes.sort_values(["onset_date", "episode_id"], ascending=[False, True],
                                  kind="stable")
    for (_, row), r in zip(newest.iterrows(), newest.itertuples(index=False), strict=True):
        eid = str(r.episode_id)
        data: Data = (("episode-id", eid), ("region", _text(r.region)),
                      ("onset", _iso(r.onset_date)), ("end", _iso(r.end_date)),
                      ("peak-severity", str(int(r.peak_severity))),
                      ("open", str(bool(r.is_open)).lower()))
        blocks.append(Para((Span(episode_heading(r), strong=True),), cls="episode",
                           id=f"pain-{eid}", data=data))
        mine = exposures[(exposures["episode_id"] == eid).to_numpy(dtype=bool)]
        said = _without_caveat(describe_episode(row, mine, units.name, n_episodes=n))
        if said:
            blocks.append(Items(tuple(Para((Span(s),)) for s in said), cls="pain-sentences",
                                id=f"pain-{eid}-sentences"))
        table = _exposure_table(r, mine, window, units)
        if table is not None:
            blocks.append(table)
        journal = _entry_table(r, entries)
        if journal is not None:
            blocks.append(journal)
    t, free = settings.severity_threshold, plural(settings.pain_free_days, "day")
    windows = ", ".join(str(d) for d in settings.windows_days)
    blocks.append(Para((Span(
        f"How episodes are found: an episode starts on the first day you rated a region {t}/10 "
        f"or more after more than {free} without such a day there; pain back within {free} "
        f"is the same episode. It lasts to its last day rated {t}/10 or more, and stays open "
        "until a later entry for that region. The days before each onset "
        f"({windows} days, the onset day left out) are compared with every other window of "
        "the same length in your history: the percentile is the share of those windows with "
        f"less, and a quantity stands out at the {settings.stands_out_percentile:.0f}th "
        f"percentile or above (or the {100 - settings.stands_out_percentile:.0f}th or "
        "below)."),), cls="note", id="pain-method"))
    n_open = int(episodes["is_open"].sum())
    return Section("pain", "Before your pain", tuple(blocks),
                   data=(("episodes", str(n)), ("open", str(n_open))))


def summary_pain_para(analysis: Analysis, on: Any, voice: Voice | None = None) -> Para | None:
    """One sentence for the top of the report about the episodes open on ``on`` (None: none)."""
    opened = open_episodes(analysis, on)
    if not opened:
        return None
    voice = voice or Voice()
    parts = [f"{region_words(e.region)} since {day(e.onset)} (latest {e.latest_severity}/10 "
             f"on {day(e.latest_date)})" for e in opened]
    what = ("an open pain episode" if len(opened) == 1
            else f"{len(opened)} open pain episodes")
    return Para((Span(f"{voice.possessive_start} pain journal has {what}: ", strong=True),
                 Span("; ".join(parts) + ". See \u201cBefore your pain\u201d below. "
                      + CLINICIAN)),
                cls="lead", id="summary-pain",
                data=(("open-episodes", " ".join(e.episode_id for e in opened)),))
