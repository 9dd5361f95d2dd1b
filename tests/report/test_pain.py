"""The runner report with a pain journal: "Before your pain", the summary line, the charts' marks.

The analysis is the tiny hand-made history of conftest.py with hand-made pain
tables (runload.schema's pain_*_frame builders), one note of them hostile.
"""

from __future__ import annotations

import dataclasses
import io
import re

import pandas as pd
import pytest

from runload.analysis import pain as analysis_pain
from runload.report import build_report
from runload.report.content import all_text
from runload.report.pain import open_episodes
from runload.schema import pain_entries_frame, pain_episodes_frame, pain_exposures_frame
from tests.report.conftest import AS_OF
from tests.report.htmltree import parse

HOSTILE_NOTE = "<img src=x onerror=alert(1)>"
BOLD_NOTE = 'worse & <b>"bold"</b>'
BACK, KNEE = "lower_back-2024-03-04", "knee-2024-03-16"

ENTRIES = pain_entries_frame([
    {"line": 2, "local_date": "2024-02-20", "region": "lower_back", "severity": 2,
     "timing": "", "note": "stiff"},
    {"line": 3, "local_date": "2024-03-04", "region": "lower_back", "severity": 4,
     "timing": "after", "note": HOSTILE_NOTE},
    {"line": 4, "local_date": "2024-03-06", "region": "lower_back", "severity": 5,
     "timing": "next_morning", "note": BOLD_NOTE},
    {"line": 5, "local_date": "2024-03-09", "region": "lower_back", "severity": 1,
     "timing": "", "note": "better"},
    {"line": 6, "local_date": "2024-03-16", "region": "knee", "severity": 4,
     "timing": "during", "note": "knee on the long run"},
])
EPISODES = pain_episodes_frame([
    {"episode_id": BACK, "region": "lower_back", "onset_date": "2024-03-04",
     "end_date": "2024-03-06", "last_entry_date": "2024-03-06", "peak_severity": 5,
     "n_entries": 2, "is_open": False},
    {"episode_id": KNEE, "region": "knee", "onset_date": "2024-03-16", "end_date": None,
     "last_entry_date": "2024-03-16", "peak_severity": 4, "n_entries": 1, "is_open": True,
     "days_since_previous": None},
])


def _exposure(episode_id, quantity, unit, value, usual, percentile, stands_out, window=14):
    region, onset = episode_id.split("-", 1)
    return {"episode_id": episode_id, "region": region, "onset_date": onset,
            "window_days": window, "quantity": quantity, "unit": unit, "value": value,
            "usual_median": usual, "ratio_to_usual": value / usual if usual else None,
            "percentile": percentile, "n_windows": 20, "stands_out": stands_out}


EXPOSURES = pain_exposures_frame([
    _exposure(BACK, "distance_m", "m", 40_000.0, 25_000.0, 95.0, True),
    _exposure(BACK, "max_spike_frac", "frac", 0.11, 0.0, 80.0, False),
    _exposure(BACK, "rest_days", "days", 8.0, 9.0, 40.0, False),
    _exposure(BACK, "descent_m", "m", 80.0, 60.0, 70.0, False),
    _exposure(BACK, "distance_m", "m", 20_000.0, 12_000.0, 96.0, True, window=7),
    _exposure(KNEE, "distance_m", "m", 30_000.0, 25_000.0, 60.0, False),
    _exposure(KNEE, "weekly_change_frac", "frac", 1.81, 0.05, 97.0, True),
])


def with_pain(analysis, entries=ENTRIES, episodes=EPISODES, exposures=EXPOSURES):
    return dataclasses.replace(analysis, pain_entries=entries, pain_episodes=episodes,
                               pain_exposures=exposures)


@pytest.fixture(scope="module")
def pain_km(analysis_km):
    return with_pain(analysis_km)


@pytest.fixture(scope="module")
def report(pain_km, files, duplicates):
    return build_report(pain_km, files=files, duplicates=duplicates, weeks=4, as_of=AS_OF)


@pytest.fixture(scope="module")
def doc(report):
    return parse(report.html)


@pytest.fixture(scope="module")
def report_mi(analysis_mi):
    return build_report(with_pain(analysis_mi), weeks=4)


def test_the_section_comes_right_after_the_latest_week(report, doc):
    ids = [s.attrs["id"] for s in doc.find_all("section")]
    assert ids == ["summary", "pain", "charts", "weeks", "flags", "import", "methods",
                   "references", "disclaimer"]
    section = doc.by_id("pain")
    assert section.find_all("h2")[0].text == "Before your pain"
    assert (section.data("episodes"), section.data("open")) == ("2", "1")
    assert "Before your pain" in [a.text for a in doc.find_all("nav")[0].find_all("a")]


def test_the_caveat_comes_first_and_says_it_all(report, doc):
    first = report.section("pain").blocks[0]
    assert first.id == "pain-caveat"
    text = doc.by_id("pain-caveat").text
    for said in ("associations, not causes",
                 "No training-load measure is known to predict back pain (Maselli et al., 2020)",
                 "With 2 episodes in your journal, this says little.",
                 "See a clinician if pain persists, gets worse, radiates into a leg, or comes "
                 "with numbness or weakness."):
        assert said in text, said
    links = [a.attrs["href"] for a in doc.by_id("pain-caveat").find_all("a")]
    assert links == ["https://doi.org/10.1186/s12891-020-03357-4"]


def test_episodes_newest_first_with_region_dates_and_peak(doc):
    heads = doc.by_id("pain").find_all("p", class_="episode")
    assert [h.data("episode-id") for h in heads] == [KNEE, BACK]
    assert [h.text for h in heads] == [
        "Knee: since Sat 16 Mar 2024, still open, peak 4/10",
        "Lower back: from Mon 4 Mar 2024 to Wed 6 Mar 2024, peak 5/10"]
    knee, back = heads
    assert (knee.data("onset"), knee.data("end"), knee.data("open")) == ("2024-03-16", "",
                                                                         "true")
    assert (back.data("end"), back.data("peak-severity"), back.data("open")) == (
        "2024-03-06", "5", "false")


def test_sentences_are_the_analysis_own_said_once(doc):
    for episode_id in (KNEE, BACK):
        row = EPISODES.set_index("episode_id", drop=False).loc[episode_id]
        mine = EXPOSURES[EXPOSURES["episode_id"] == episode_id]
        *said, caveat = analysis_pain.describe_episode(row, mine, "km", n_episodes=2)
        # the closing caveat is the section's first paragraph, not repeated per episode
        assert caveat.startswith("These are patterns in your own history")
        items = doc.by_id(f"pain-{episode_id}-sentences").find_all("li")
        assert [li.text for li in items] == said
    knee = [li.text for li in doc.by_id(f"pain-{KNEE}-sentences").find_all("li")]
    assert len(knee) == 1 and "+181 %" in knee[0] and "97th percentile" in knee[0]
    # one episode per region: the summary would say the episode's sentences again
    assert not doc.has_id("pain-summary")
    assert "These are patterns in your own history" not in doc.by_id("pain").text


def test_a_region_with_several_episodes_gets_the_analysis_summary(analysis_km):
    earlier = "lower_back-2024-02-12"
    episodes = pain_episodes_frame([
        {"episode_id": earlier, "region": "lower_back", "onset_date": "2024-02-12",
         "end_date": "2024-02-13", "last_entry_date": "2024-02-13", "peak_severity": 3,
         "n_entries": 1, "is_open": False},
        *EPISODES.to_dict("records")])
    exposures = pain_exposures_frame([
        _exposure(earlier, "distance_m", "m", 38_000.0, 25_000.0, 93.0, True),
        *EXPOSURES.to_dict("records")])
    report = build_report(with_pain(analysis_km, episodes=episodes, exposures=exposures),
                          weeks=4)
    doc = parse(report.html)
    *summary, caveat = analysis_pain.pain_summary(episodes, exposures, "km",
                                                  region="lower_back")
    assert caveat.startswith("These are patterns in your own history")
    items = [li.text for li in doc.by_id("pain-summary").find_all("li")]
    assert items == summary and len(items) >= 2
    assert "your 2 lower-back episodes" in items[0]
    assert not any("knee" in item for item in items)           # one knee episode: no summary
    assert "With 3 episodes in your journal, this says little." in doc.by_id(
        "pain-caveat").text


def test_window_table_in_the_runners_units(doc, report_mi):
    table = doc.by_id(f"pain-window-{BACK}")
    header = [th.text for th in table.find_all("th")]
    assert header == ["14 days before", "This time", "Your usual", "\u00d7 usual",
                      "Percentile", "Stands out"]
    body = table.find_all("tbody")[0].find_all("tr")
    cells = {tr.data("quantity"): [td.text for td in tr.find_all("td")] for tr in body}
    assert list(cells) == ["distance_m", "max_spike_frac", "rest_days", "descent_m"]  # 14 d
    assert cells["distance_m"] == ["Distance", "40.0 km", "25.0 km", "1.6\u00d7", "95", "yes"]
    assert cells["max_spike_frac"][3] == "–"                    # no ratio of two fractions
    words = analysis_pain.QUANTITY_WORDS["max_spike_frac"].removeprefix("the ")
    assert cells["max_spike_frac"][0] == words[:1].upper() + words[1:]   # the analysis's words
    assert cells["max_spike_frac"][1:3] == ["+11 %", "0 %"]
    assert cells["rest_days"][1:3] == ["8 days", "9 days"]
    assert cells["descent_m"][1:3] == ["80 m", "60 m"]
    assert [tr.attrs.get("class", "") for tr in body] == ["stands-out", "", "", ""]
    assert float(body[0].find_all("td")[1].data("value")) == 40_000.0
    mi = parse(report_mi.html)
    rows = mi.by_id(f"pain-window-{BACK}").find_all("tbody")[0].find_all("tr")
    values = {tr.data("quantity"): [td.text for td in tr.find_all("td")] for tr in rows}
    assert values["distance_m"][1:3] == ["24.9 mi", "15.5 mi"]
    assert values["descent_m"][1:3] == ["262 ft", "197 ft"]
    knee = {tr.data("quantity"): [td.text for td in tr.find_all("td")] for tr in
            doc.by_id(f"pain-window-{KNEE}").find_all("tbody")[0].find_all("tr")}
    assert knee["weekly_change_frac"][1:3] == ["+181 %", "+5 %"]


def test_the_journal_entries_and_a_hostile_note_as_text(report, doc):
    html = report.html
    assert "<img" not in html.lower() and "onerror=alert" not in html.replace(
        "&lt;img src=x onerror=alert(1)&gt;", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b>" not in html
    table = doc.by_id(f"pain-entries-{BACK}")
    rows = [[td.text for td in tr.find_all("td")]
            for tr in table.find_all("tbody")[0].find_all("tr")]
    # from the onset, with the entry that ended the episode; the rating before it: not
    assert rows == [["Mon 4 Mar 2024", "4/10", "after a run", HOSTILE_NOTE],
                    ["Wed 6 Mar 2024", "5/10", "the next morning", BOLD_NOTE],
                    ["Sat 9 Mar 2024", "1/10", "", "better"]]
    knee = doc.by_id(f"pain-entries-{KNEE}").find_all("tbody")[0].find_all("tr")
    assert [tr.find_all("td")[3].text for tr in knee] == ["knee on the long run"]
    assert not doc.find_all("img") and not doc.find_all("b")


def test_summary_at_the_top_mentions_the_open_episode(doc):
    para = doc.by_id("summary-pain")
    assert para.data("open-episodes") == KNEE
    assert para.text == (
        "Your pain journal has an open pain episode: knee since Sat 16 Mar 2024 (latest 4/10 "
        "on Sat 16 Mar 2024). See \u201cBefore your pain\u201d below. See a clinician if pain "
        "persists, gets worse, radiates into a leg, or comes with numbness or weakness.")


def test_charts_mark_the_episodes_and_say_so(report):
    charts = {b.id: b for b in report.section("charts").blocks if b.kind == "chart"}
    for chart_id in ("chart-weekly", "chart-spikes"):
        ax = charts[chart_id].figure.axes[0]
        labels = [t.get_text() for t in ax.texts if t.get_gid() == "pain-label"]
        assert labels == ["lower back 5/10", "knee 4/10"], chart_id
        assert "pain episodes of your journal" in charts[chart_id].caption
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert "Pain episode (your journal)" in legend
    for chart_id in ("chart-rest", "chart-surface", "chart-acwr"):
        ax = charts[chart_id].figure.axes[0]
        assert not [t for t in ax.texts if t.get_gid() == "pain-label"]


def test_flags_unchanged_and_nothing_about_pain_without_a_journal(report, report_km):
    assert report.section("flags") == report_km.section("flags")
    ids = [s.id for s in report_km.sections]
    assert "pain" not in ids
    doc = parse(report_km.html)
    assert not doc.has_id("summary-pain")
    assert not [n for n in doc.iter() if n.attrs.get("id", "").startswith("pain")]
    words = " ".join(all_text(report_km))
    assert "Before your pain" not in words and "pain journal" not in words.lower()
    assert "pain episode" not in words.lower()
    for block in report_km.section("charts").blocks:
        if block.kind == "chart":
            assert not [t for t in block.figure.axes[0].texts if t.get_gid() == "pain-label"]


def test_an_empty_journal_shows_nothing(analysis_km):
    empty = with_pain(analysis_km, ENTRIES.iloc[:0], EPISODES.iloc[:0], EXPOSURES.iloc[:0])
    report = build_report(empty, weeks=4)
    assert "pain" not in [s.id for s in report.sections]
    assert "summary-pain" not in report.html


def test_a_journal_of_low_ratings_has_no_section(analysis_km):
    low = ENTRIES[ENTRIES["severity"] < 3]
    report = build_report(with_pain(analysis_km, low, EPISODES.iloc[:0], EXPOSURES.iloc[:0]),
                          weeks=4)
    assert "pain" not in [s.id for s in report.sections]


def test_open_on_a_day_counts_an_episode_that_ended_later(analysis_km):
    later = EPISODES.copy()
    later.loc[later["episode_id"] == KNEE, ["is_open", "end_date"]] = [
        False, pd.Timestamp("2024-03-20")]
    analysis = with_pain(analysis_km, episodes=later)
    assert [e.episode_id for e in open_episodes(analysis, "2024-03-17")] == [KNEE]
    assert [e.episode_id for e in open_episodes(analysis, "2024-03-05")] == [BACK]
    assert open_episodes(analysis, "2024-03-21") == []
    (back,) = open_episodes(analysis, "2024-03-05")
    assert (back.latest_severity, back.latest_date) == (4, pd.Timestamp("2024-03-04"))
    assert back.words() == "lower back 4/10 (open since 4 Mar)"


def test_pdf_says_the_same_and_prints_notes_literally(report):
    pypdf = pytest.importorskip("pypdf")
    data = report.pdf_bytes()
    assert data == report.pdf_bytes()
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))
    assert "Before your pain" in text
    assert "With 2 episodes in your journal, this says little." in text
    assert "Knee: since Sat 16 Mar 2024, still open, peak 4/10" in text
    squeeze = re.compile(r"\s+")
    flat = squeeze.sub("", text)
    for note in (HOSTILE_NOTE, BOLD_NOTE):
        assert squeeze.sub("", note) in flat, note
