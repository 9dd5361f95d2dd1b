"""The coach page: its numbers are each athlete's WeekSummary, in attention order, escaped.

The roster: the three sample athletes, one whose export is missing, and one with
a hostile name whose spike run (written here as GPX) has a hostile title.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import math
import re
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pytest

from runload.analysis.references import DISCLAIMER, REFERENCES
from runload.history import RosterWeek, load_roster
from runload.readers.roster import Roster, RosterAthlete, read_roster
from runload.report import CoachReport, build_coach_report
from runload.report.coach import ROSTER_COLUMNS
from runload.report.content import NOT_MEDICAL_ADVICE, all_text
from runload.units import distance_unit
from tests.report.htmltree import parse

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_data" / "roster" / "roster.toml"
SCRIPT = "<script>alert(1)</script>"
HOSTILE = 'Zoë & <b>"Co"</b>'
TITLE = "Tuesday <i>group</i> & co"
MISSING = "Dan Missing"
SEVERITIES = ("high", "warning", "caution", "info")


def gpx_run(day: str, km: float, name: str) -> bytes:
    """A run north through Berlin at 07:00 UTC, ``km`` long at 6 min/km, titled ``name``."""
    n = int(km * 1000 / 10) + 1                      # a fix every 10 m, every 3.6 s
    start = datetime.datetime.fromisoformat(f"{day}T07:00:00+00:00")
    lat = 52.45 + np.arange(n) * 10 / 111_200
    points = "".join(
        f'<trkpt lat="{la:.7f}" lon="13.4000000"><ele>40</ele>'
        f"<time>{(start + datetime.timedelta(seconds=3.6 * i)):%Y-%m-%dT%H:%M:%SZ}</time>"
        "</trkpt>\n" for i, la in enumerate(lat))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
            'xmlns="http://www.topografix.com/GPX/1/1">\n<trk><name>'
            f"{escape(name)}</name><type>running</type><trkseg>\n{points}</trkseg></trk>"
            "</gpx>\n").encode()


@pytest.fixture(scope="module")
def roster_week(tmp_path_factory) -> RosterWeek:
    root = tmp_path_factory.mktemp("roster")
    zoe = root / "zoe"
    zoe.mkdir()
    for day, km, name in (("2026-10-13", 5.0, "Easy"), ("2026-10-16", 5.0, "Easy"),
                          ("2026-10-22", 7.0, SCRIPT)):          # +40 %: a warning spike
        (zoe / f"{day}.gpx").write_bytes(gpx_run(day, km, name))
    sample = read_roster(SAMPLE)
    roster = Roster(path=root / "roster.toml", title=TITLE, athletes=(
        *sample.athletes, RosterAthlete(HOSTILE, zoe),
        RosterAthlete(MISSING, root / "dan_export.zip")))
    return load_roster(roster, week="2026-W43")


@pytest.fixture(scope="module")
def report(roster_week) -> CoachReport:
    return roster_week.report()


@pytest.fixture(scope="module")
def doc(report):
    return parse(report.html)


def floats(text: str) -> float:
    return float("nan") if text == "" else float(text)


def rows(doc):
    return doc.by_id("roster-table").find_all("tbody")[0].find_all("tr")


def test_sections_and_header(report, doc, roster_week):
    n = len(roster_week.athletes)
    ids = [s.attrs["id"] for s in doc.find_all("section")]
    assert ids == ["roster", *(f"athlete-{k}" for k in range(1, n + 1)), "methods",
                   "references", "disclaimer"]
    assert [s.id for s in report.sections] == ids
    assert doc.find_all("h1")[0].text == TITLE
    assert doc.find_all("p", class_="subtitle")[0].text == (
        "Week 2026-W43: Mon 19 – Sun 25 Oct 2026 · 5 athletes · distances in kilometres")
    wrapper = doc.find_all("div", class_="runload-report")[0]
    assert (wrapper.data("as-of"), wrapper.data("units")) == ("2026-10-25", "km")
    assert (report.week_start, report.week_end) == (pd.Timestamp("2026-10-19"),
                                                    pd.Timestamp("2026-10-25"))


def test_rows_in_attention_order_failed_data_first(doc, roster_week):
    names = [a.name for a in roster_week.athletes]
    assert names == [MISSING, "Ben Carter", HOSTILE, "Chloé Martin", "Ana Ruiz"]
    assert [tr.data("name") for tr in rows(doc)] == names
    assert [tr.data("position") for tr in rows(doc)] == ["1", "2", "3", "4", "5"]
    assert [s.data("name") for s in doc.find_all("section", class_="keep athlete")] == names
    assert [h.text for h in doc.find_all("h2")][1:6] == names
    glance = doc.by_id("roster-glance").text
    assert glance == (f"Data could not be read: {MISSING}. Open pain episodes: Ben Carter "
                      "(knee 4/10 since 22 Oct). Flags this week: Ben Carter "
                      f"(1 warning, 1 caution, 1 info); {HOSTILE} (1 warning); Chloé Martin "
                      "(2 caution, 1 info). No flags: Ana Ruiz.")
    assert doc.by_id("roster").data("failed") == "1"


def test_each_row_is_the_athletes_week_summary(doc, roster_week):
    unit = distance_unit("km")
    header = [th.text for th in doc.by_id("roster-table").find_all("th")]
    assert header == list(ROSTER_COLUMNS) == [
        "Athlete", "Pain", "Distance (change)", "Runs", "Longest run (spike)", "Rest days",
        "Surfaces", "High", "Warning", "Caution", "Info", "Flags"]
    checked = 0
    for tr, athlete in zip(rows(doc), roster_week.athletes, strict=True):
        w = athlete.summary
        if w is None:
            continue
        cells = tr.find_all("td")
        assert len(cells) == len(ROSTER_COLUMNS) and tr.data("status") == "ok"
        pain = cells.pop(1)                        # the other columns as before the journal
        assert pain.data("pain") in ("no-journal", "none", "open")
        assert cells[0].text == athlete.name and cells[0].data("files-failed") == "0"
        assert floats(cells[1].data("distance-m")) == w.distance_m
        assert floats(cells[1].data("prev-distance-m")) == w.prev_distance_m
        change = floats(cells[1].data("change-frac"))
        assert (math.isnan(change) and math.isnan(w.change_frac)) or change == w.change_frac
        assert cells[1].text.startswith(f"{w.distance_m / 1000:.1f} km (")
        assert int(cells[2].text) == int(cells[2].data("runs")) == w.runs
        assert floats(cells[3].data("longest-run-m")) == w.longest_run_m
        spike = floats(cells[3].data("spike-frac"))
        assert (math.isnan(spike) and math.isnan(w.longest_run_spike_frac)) or \
            spike == w.longest_run_spike_frac
        assert cells[3].data("spike-bin") == w.longest_run_spike_bin
        assert cells[3].text.startswith(unit.format_distance(w.longest_run_m))
        assert int(cells[4].text) == int(cells[4].data("rest-days")) == w.rest_days
        shares = {k.removeprefix("data-share-").removesuffix("-frac"): float(v)
                  for k, v in cells[5].attrs.items() if k.startswith("data-share-")}
        assert shares == w.surface_share_frac
        for cell, severity in zip(cells[6:10], SEVERITIES, strict=True):
            assert cell.data("severity") == severity
            assert int(cell.text) == int(cell.data("count")) == w.flag_counts[severity]
            expected = f"num sev-{severity}" if w.flag_counts[severity] else "num zero"
            assert cell.attrs["class"] == expected
        ids = list(dict.fromkeys(w.flags["flag_id"]))
        assert cells[10].data("flag-ids") == " ".join(ids)
        assert cells[10].text == (" ".join(ids) or "none")
        assert int(tr.data("flags")) == len(w.flags)
        checked += 1
    assert checked == 4


def cells_without_pain(tr):
    cells = tr.find_all("td")
    del cells[1]
    return cells


def test_known_numbers_of_the_spike_week(doc, report):
    ben = cells_without_pain(rows(doc)[1])
    assert ben[1].text == "49.8 km (+87 %)"          # (the tree reads no-break spaces as spaces)
    assert ben[3].text == "17.7 km (+37 %)"
    # the spike bin's colour, as the spike chart draws it
    assert ben[3].data("spike-bin") == ">30-100%" and ben[3].attrs["class"] == "num sev-warning"
    assert [c.text for c in ben[6:10]] == ["0", "1", "1", "1"]
    assert ben[10].text == "F-SPIKE F-WEEK30 F-ONEVAR"
    zoe = cells_without_pain(rows(doc)[2])
    assert zoe[3].text == "7.0 km (+40 %)" and "sev-warning" in zoe[3].attrs["class"]
    chloe = cells_without_pain(rows(doc)[3])
    assert chloe[1].text == "31.8 km (–)"             # back from three weeks off
    assert chloe[5].text == "road 82 %, treadmill 18 %"
    ana = cells_without_pain(rows(doc)[4])
    assert ana[3].text == "12.0 km (0 %)" and "sev-" not in ana[3].attrs["class"]
    assert ana[10].text == "none"
    # a number and its unit, a surface and its share never part at a line end
    assert ">17.7\u00a0km (+37\u00a0%)<" in report.html
    assert ">road\u00a082\u00a0%, treadmill\u00a018\u00a0%<" in report.html


def test_the_error_row_and_section(doc, roster_week):
    dan = roster_week.athletes[0]
    assert dan.error.endswith("dan_export.zip: no such file or folder")
    tr = rows(doc)[0]
    assert tr.attrs["class"] == "error" and tr.data("status") == "error"
    assert tr.data("error") == dan.error
    cells = tr.find_all("td")
    assert len(cells) == 2 and cells[1].attrs["colspan"] == str(len(ROSTER_COLUMNS) - 1)
    assert cells[1].text == f"Data could not be read: {dan.error}"
    section = doc.by_id("athlete-1")
    assert section.data("status") == "error"
    assert doc.by_id("athlete-1-error").text == f"Data could not be read: {dan.error}"
    assert "Check the athlete's path in the roster" in section.text
    assert not section.find_all("figure")


def test_athlete_sections_reuse_the_runner_reports_sentences(doc, roster_week):
    ben = doc.by_id("athlete-2")
    assert ben.data("name") == "Ben Carter" and ben.data("status") == "ok"
    assert doc.by_id("athlete-2-distance").text == (
        "This week Ben Carter ran 49.8 km in 5 runs, 87 % more than the week before (26.5 km).")
    assert doc.by_id("athlete-2-longest").text == (
        "Their longest run was 17.7 km on Sun 25 Oct 2026 (\u201cMorning Run\u201d), 37 % longer "
        "than their longest run in the 30 days before it (12.9 km on Sun 4 Oct 2026). That is "
        "a spike in the study's >30-100 % group.")
    assert doc.by_id("athlete-5-flags").text.startswith("No flags this week.")
    assert "Ben Carter: display.units = 'mi'" in doc.by_id("methods-settings").text
    assert "layoff.first_session_frac = 0.4" in doc.by_id("athlete-4-settings").text


def test_the_weeks_flags_in_plain_words_with_grade_and_source(doc, roster_week):
    for k, athlete in enumerate(roster_week.athletes, start=1):
        if athlete.summary is None:
            continue
        flags = athlete.summary.flags
        if flags.empty:
            assert not doc.has_id(f"athlete-{k}-flag-list")
            continue
        items = doc.by_id(f"athlete-{k}-flag-list").find_all("li")
        assert [(li.data("flag-id"), li.data("severity"), li.data("local-date")) for li in items] \
            == [(f.flag_id, f.severity, f"{f.local_date:%Y-%m-%d}")
                for f in flags.itertuples()]
        for li, flag in zip(items, flags.itertuples(), strict=True):
            assert flag.message in li.text
            assert f"Evidence: {flag.evidence_grade}" in li.text
            doi = REFERENCES[flag.citation_key].doi
            assert [a.attrs["href"] for a in li.find_all("a")] == (
                [f"https://doi.org/{doi}"] if doi else [])


def test_charts_of_the_last_8_weeks(doc, report, roster_week):
    for k, athlete in enumerate(roster_week.athletes, start=1):
        figures = doc.by_id(f"athlete-{k}").find_all("figure")
        if athlete.summary is None:
            assert figures == []
            continue
        assert [f.attrs["id"] for f in figures] == [f"athlete-{k}-weekly",
                                                   f"athlete-{k}-spikes"]
        assert all(len(f.find_all("svg")) == 1 for f in figures)
    # the charts' tables are sliced to the last 8 weeks (Chloé has 9 up to W43, Ben 7)
    bars = {}
    for k, athlete in enumerate(roster_week.athletes, start=1):
        if athlete.summary is None:
            continue
        charts = {b.id: b for b in report.section(f"athlete-{k}").blocks if b.kind == "chart"}
        weekly = athlete.history.weekly
        bars[athlete.name] = len([p for p in charts[f"athlete-{k}-weekly"].figure.axes[0].patches
                                  if p.get_gid() != "pain-span"])        # Ben's pain: a span
        assert bars[athlete.name] == min(8, len(weekly))
        first = weekly.index[-bars[athlete.name]]
        drawn = charts[f"athlete-{k}-spikes"].figure.axes[0].collections
        assert sum(len(c.get_offsets()) for c in drawn) == int(
            (athlete.history.spikes["local_date"] >= first).sum())
    assert (bars["Chloé Martin"], bars["Ben Carter"]) == (8, 7)
    assert "last 8 weeks" in doc.by_id("methods-charts").text


def test_names_titles_errors_and_paths_are_escaped(report, doc):
    html = report.html
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html          # Zoë's run title
    assert "Zoë &amp; &lt;b&gt;&#34;Co&#34;&lt;/b&gt;" in html
    assert '<b>"Co"' not in html and "<i>group" not in html
    zoe = doc.by_id("athlete-3")
    assert zoe.data("name") == HOSTILE and zoe.find_all("h2")[0].text == HOSTILE
    assert f"(\u201c{SCRIPT}\u201d)" in doc.by_id("athlete-3-longest").text
    assert f"(\u201c{SCRIPT}\u201d)" in doc.by_id("athlete-3-flag-list").text
    assert rows(doc)[2].find_all("td")[0].text == HOSTILE


def test_self_contained_unique_ids_only_doi_links(report, doc):
    lower = report.html.lower()
    for bad in ("<script", "javascript:", "<link", "@import", "<img", "<iframe", "src=",
                "url(http"):
        assert bad not in lower, bad
    urls = re.findall(r"(?:https?:)?//[^\s\"'<>)]+", report.html)
    assert urls and all(u.startswith("https://doi.org/10.") for u in urls), \
        [u for u in urls if not u.startswith("https://doi.org/")]
    ids = [n.attrs["id"] for n in doc.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids))
    assert len(doc.find_all("svg")) == 8


def test_methods_references_and_disclaimer(doc, roster_week):
    methods = doc.by_id("methods").text
    assert "not who will get injured" in methods and "no flag predicts an injury" in methods
    assert "Evidence grades: moderate" in methods
    assert "no training-load measure" in methods.lower()
    keys = [li.data("key") for li in doc.by_id("references").find_all("li")]
    cited = {k for a in roster_week.athletes if a.summary is not None
             for k in a.summary.flags["citation_key"]}
    assert cited <= set(keys)
    assert {"frandsen2025", "nielsen2014", "buist2008", "maselli2020"} <= set(keys)
    assert len(keys) == len(set(keys))
    text = doc.by_id("disclaimer").text
    assert NOT_MEDICAL_ADVICE in text and DISCLAIMER in text
    assert "No measure in it predicts or prevents back pain, or any other injury" in text


def test_pdf_has_every_athlete_and_the_disclaimer(report, roster_week):
    pypdf = pytest.importorskip("pypdf")
    data = report.pdf_bytes()
    assert data.startswith(b"%PDF-") and data == report.pdf_bytes()
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))
    for athlete in roster_week.athletes:
        assert athlete.name in text, athlete.name
    assert "This report is not medical advice." in text
    assert "predicts or prevents back pain, or any other injury" in text
    assert "no such file or folder" in text
    assert f"\u201c{SCRIPT}\u201d" in text and TITLE in text
    # every place the model prints a hostile text (the table's cells too) prints it literally
    squeeze = re.compile(r"\s+")
    flat = squeeze.sub("", text)
    for hostile in (HOSTILE, SCRIPT):
        needle = squeeze.sub("", hostile)
        places = sum(squeeze.sub("", t).count(needle) for t in all_text(report))
        assert places >= 2 and flat.count(needle) == places, hostile
    assert "This week Ben Carter ran 49.8 km in 5 runs" in text
    first = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert all(a.name in first for a in roster_week.athletes)   # the roster table: page 1
    assert f"Page {len(reader.pages)}" in text


def test_the_page_is_for_the_week_never_the_clock(roster_week, report):
    again = build_coach_report(roster_week)
    assert again.html == report.html
    today = datetime.date.today()
    assert today.isoformat() not in report.html
    assert f"{today:%a} {today.day} {today:%b %Y}" not in report.html


def test_miles_and_sunday_weeks(tmp_path):
    week = load_roster(SAMPLE, week="2026-10-21", units="mi",
                       thresholds=_sunday_config(tmp_path))
    doc = parse(week.report().html)
    assert doc.find_all("p", class_="subtitle")[0].text == (
        "Week of Sun 18 – Sat 24 Oct 2026 · 3 athletes · distances in miles")
    by_name = {a.name: a for a in week.athletes}
    assert len(rows(doc)) == len(by_name)
    for tr in rows(doc):
        athlete = by_name[tr.data("name")]
        cells = cells_without_pain(tr)
        assert floats(cells[1].data("distance-m")) == athlete.summary.distance_m
        assert cells[1].text.startswith(f"{athlete.summary.distance_m / 1609.344:.1f} mi")


def _sunday_config(tmp_path: Path) -> Path:
    path = tmp_path / "coach.toml"
    path.write_text('[weeks]\nweek_start = "sunday"\n', encoding="utf-8")
    return path


def test_write_both_files_or_leave_the_old_ones(report, tmp_path):
    # the atomic writes are the runner report's (Document), tested in test_html.py
    html, pdf = tmp_path / "team.html", tmp_path / "team.pdf"
    assert report.write(html, pdf=pdf) is report
    assert html.read_text(encoding="utf-8") == report.html
    assert pdf.read_bytes() == report.pdf_bytes()
    with pytest.raises(OSError):
        report.write(pdf=tmp_path / "missing" / "team.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.html", "team.pdf"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.title = "x"  # type: ignore[misc]


def test_repr_html_is_a_scoped_fragment(report):
    fragment = report._repr_html_()
    assert "<html" not in fragment and fragment.lstrip().startswith("<style>")
    doc = parse(fragment)
    css = "".join(doc.find_all("style")[0].children)
    assert ".runload-report table.t-roster-table" in css        # the coach's own rules
    # no rule reaches outside the page's wrapper (a notebook's own styles stay as they are)
    outside = [sel for rule in re.findall(r"(?:^|[{};])\s*([^{};@]+?)\s*\{", css)
               for sel in rule.split(",") if not sel.strip().startswith(".runload-report")]
    assert outside == []
    assert doc.by_id("roster-table") and doc.by_id("athlete-1")


def test_print_css_keeps_each_athlete_together(report, doc):
    html = report.html
    assert "@page { size: A4" in html and "section.keep { break-inside: avoid" in html
    assert not doc.find_all("section", class_="break")       # the table leads page 1
    assert all("keep" in s.attrs["class"] for s in doc.find_all("section")
               if s.attrs["id"].startswith("athlete-"))


def test_wording_makes_no_risk_zones_or_promises(report):
    forbidden = re.compile(r"safe zone|sweet spot|danger zone|low risk|high risk|you are safe|"
                           r"will get injured|prevents? (an )?injur|risk score|predicts? (an )?"
                           r"injur", re.I)
    texts = [t for t in all_text(report) if t]
    bad = [t for t in texts if forbidden.search(t) and "No measure in it predicts or "
           "prevents" not in t and "None of them predicts or prevents" not in t
           and "no flag predicts an injury" not in t and "not who will get injured" not in t]
    assert bad == []


# --- pain journals ------------------------------------------------------------------------

def test_pain_column_open_episodes_in_the_week(doc, roster_week):
    by_name = {tr.data("name"): tr for tr in rows(doc)}
    ben = by_name["Ben Carter"].find_all("td")[1]
    assert ben.text == "knee 4/10 (open since 22 Oct)"
    assert (ben.data("pain"), ben.data("open-episodes"), ben.data("latest-severity")) == (
        "open", "knee-2026-10-22", "4")
    assert "pain-open" in ben.attrs["class"]
    for name in ("Ana Ruiz", "Chloé Martin", HOSTILE):       # no journal
        cell = by_name[name].find_all("td")[1]
        assert (cell.text, cell.data("pain")) == ("–", "no-journal")
    assert len(by_name[MISSING].find_all("td")) == 2          # the error row spans it


def test_athlete_section_lists_the_open_episode_with_the_short_caveat(doc, roster_week):
    k = [a.name for a in roster_week.athletes].index("Ben Carter") + 1
    note = doc.by_id(f"athlete-{k}-pain")
    assert note.data("open-episodes") == "knee-2026-10-22"
    assert note.text == (
        "Pain journal: 1 open episode: knee 4/10 (open since 22 Oct), worst 4/10. "
        "Associations in the athlete's own history, not causes; no load measure is known to "
        "predict back pain. See a clinician if pain persists, gets worse, radiates into a "
        "leg, or comes with numbness or weakness.")
    others = [n for n in doc.iter() if re.fullmatch(r"athlete-\d+-pain", n.attrs.get("id", ""))]
    assert [n.attrs["id"] for n in others] == [f"athlete-{k}-pain"]
    charts = {b.id: b for b in build_coach_report(roster_week).section(f"athlete-{k}").blocks
              if b.kind == "chart"}
    ax = charts[f"athlete-{k}-weekly"].figure.axes[0]
    assert [t.get_text() for t in ax.texts if t.get_gid() == "pain-label"] == ["knee 4/10"]
    assert "Pain episode (their journal)" in [t.get_text()
                                              for t in ax.get_legend().get_texts()]


def test_how_to_read_says_the_order_and_the_pain_column(doc):
    order = doc.by_id("methods-order").text
    assert "Then athletes with a pain episode still open in their journal" in order
    assert order.index("could not be read") < order.index("pain episode") < order.index(
        "high flags")
    pain = doc.by_id("methods-pain").text
    assert "'–': no journal" in pain and "not causes" in pain
    assert "no load measure is known to predict back pain" in pain


@dataclasses.dataclass(frozen=True)
class _Athlete:
    """An athlete of the page (AthleteLike), for a hand-made roster week."""

    name: str
    path: str
    overrides: dict
    summary: object
    error: str | None
    warnings: tuple
    analysis: object
    files: object


def _with_open_episode(athlete, region, onset, severity):
    """The athlete, with a journal holding one episode open since ``onset``."""
    from runload.schema import pain_entries_frame, pain_episodes_frame

    entries = pain_entries_frame([{"line": 2, "local_date": onset, "region": region,
                                   "severity": severity, "timing": "after", "note": ""}])
    episodes = pain_episodes_frame([{
        "episode_id": f"{region}-{onset}", "region": region, "onset_date": onset,
        "end_date": None, "last_entry_date": onset, "peak_severity": severity,
        "n_entries": 1, "is_open": True}])
    analysis = dataclasses.replace(athlete.analysis, pain_entries=entries,
                                   pain_episodes=episodes)
    return _Athlete(athlete.name, athlete.path, athlete.overrides, athlete.summary,
                    athlete.error, athlete.warnings, analysis, athlete.files)


def _plain(athlete):
    return _Athlete(athlete.name, athlete.path, athlete.overrides, athlete.summary,
                    athlete.error, athlete.warnings, athlete.analysis, athlete.files)


def test_attention_order_failed_then_open_pain_then_flags(roster_week):
    athletes = [_plain(a) for a in roster_week.athletes]
    names = [a.name for a in athletes]
    ana = names.index("Ana Ruiz")
    athletes[ana] = _with_open_episode(athletes[ana], "lower_back", "2026-10-23", 3)
    week = dataclasses.replace(roster_week, athletes=tuple(athletes))
    doc = parse(build_coach_report(week).html)
    # Dan (no data), then Ben and Ana (open pain, in the roster's order), then the flags
    assert [tr.data("name") for tr in rows(doc)] == [
        MISSING, "Ben Carter", "Ana Ruiz", HOSTILE, "Chloé Martin"]
    assert [s.data("name") for s in doc.find_all("section", class_="keep athlete")] == [
        MISSING, "Ben Carter", "Ana Ruiz", HOSTILE, "Chloé Martin"]
    assert rows(doc)[2].find_all("td")[1].text == "lower back 3/10 (open since 23 Oct)"
    # an episode that begins after the week is not open in it, and moves no one
    athletes[ana] = _with_open_episode(athletes[ana], "lower_back", "2026-10-27", 6)
    later = parse(build_coach_report(dataclasses.replace(
        roster_week, athletes=tuple(athletes))).html)
    assert [tr.data("name") for tr in rows(later)][2:] == [HOSTILE, "Chloé Martin",
                                                           "Ana Ruiz"]
    assert rows(later)[4].find_all("td")[1].text == "none"


def test_pain_note_of_an_athlete_with_a_hostile_name_is_escaped(roster_week):
    athletes = [_plain(a) for a in roster_week.athletes]
    names = [a.name for a in athletes]
    zoe = names.index(HOSTILE)
    athletes[zoe] = _with_open_episode(athletes[zoe], "knee", "2026-10-24", 5)
    report = build_coach_report(dataclasses.replace(roster_week, athletes=tuple(athletes)))
    html = report.html
    assert "<script" not in html.lower() and "<img" not in html.lower()
    doc = parse(html)
    k = [tr.data("name") for tr in rows(doc)].index(HOSTILE) + 1
    assert doc.by_id(f"athlete-{k}-pain").text.startswith(
        "Pain journal: 1 open episode: knee 5/10 (open since 24 Oct), worst 5/10.")
