"""The HTML report: its numbers equal the analysis tables, it escapes, and it is self-contained."""

from __future__ import annotations

import dataclasses
import math
import os
import re
import stat

import pandas as pd
import pytest

from runload.analysis import analyze
from runload.analysis.references import DISCLAIMER, REFERENCES
from runload.analysis.summary import latest_week_start, week_summary
from runload.config import SpikeRule, WeeklyJumpRule
from runload.report import RunnerReport, build_report
from runload.report.content import flag_value
from runload.schema import sessions_frame
from runload.units import distance_unit
from tests.report.conftest import AS_OF, BAD_FILE, LONG_NAME, SCRIPT_NAME, run, thresholds
from tests.report.htmltree import parse

SECTIONS = ["summary", "charts", "weeks", "flags", "import", "methods", "references",
            "disclaimer"]


@pytest.fixture(scope="module")
def doc_km(report_km):
    return parse(report_km.html)


@pytest.fixture(scope="module")
def doc_mi(report_mi):
    return parse(report_mi.html)


def floats(text: str) -> float:
    return float("nan") if text == "" else float(text)


def test_sections_in_reading_order(report_km, doc_km):
    assert isinstance(report_km, RunnerReport)
    ids = [s.attrs["id"] for s in doc_km.find_all("section")]
    assert ids == SECTIONS
    assert [s.id for s in report_km.sections] == SECTIONS
    assert doc_km.find_all("h1")[0].text == "Running load report"
    assert doc_km.find_all("html")[0].attrs["lang"] == "en"


def test_summary_numbers_equal_the_week_summary(analysis_km, doc_km):
    w = week_summary(analysis_km, latest_week_start(analysis_km))
    summary = doc_km.by_id("summary")
    assert summary.data("week-start") == "2024-03-11" and summary.data("week-end") == "2024-03-17"
    assert (floats(summary.data("distance-m")), floats(summary.data("prev-distance-m"))) == (
        w.distance_m, w.prev_distance_m) == (31000.0, 11000.0)
    assert floats(summary.data("change-frac")) == pytest.approx(w.change_frac)
    assert int(summary.data("rest-days")) == w.rest_days == 4
    assert floats(summary.data("longest-run-m")) == w.longest_run_m == 21000.0
    assert int(summary.data("flags")) == len(w.flags) == 2
    assert doc_km.by_id("stat-distance").text == "31.0 km this week"
    assert doc_km.by_id("stat-change").text == "+181 % vs the week before (11.0 km)"
    assert doc_km.by_id("stat-longest").text == "21.0 km longest run"
    assert doc_km.by_id("stat-rest").text == "4 rest days"
    assert doc_km.by_id("stat-flags").text == "2 flags"
    assert summary.find_all("h2")[0].text == "This week: Mon 11 – Sun 17 Mar 2024"
    assert doc_km.by_id("summary-distance").text == (
        "This week you ran 31.0 km in 3 runs, 181 % more than the week before (11.0 km).")
    assert doc_km.by_id("summary-longest").text == (
        f"Your longest run was 21.0 km on Fri 15 Mar 2024 (\u201c{LONG_NAME}\u201d), 110 % "
        "longer than your longest run in the 30 days before it (10.0 km on Sat 2 Mar 2024). "
        "That is a spike in the study's >100 % group.")
    assert doc_km.by_id("summary-rest").text == (
        "4 rest days (days without a run). Surfaces: road 90 % (28.0 km), treadmill 10 % "
        "(3.0 km).")


def test_each_flag_of_the_week_in_plain_words_with_grade_and_citation(analysis_km, doc_km):
    items = doc_km.by_id("summary-flag-list").find_all("li")
    assert [(li.data("flag-id"), li.data("severity")) for li in items] == [
        ("F-SPIKE", "high"), ("F-WEEK30", "caution")]
    week = analysis_km.flags[analysis_km.flags["local_date"] >= pd.Timestamp("2024-03-11")]
    for li in items:
        flag = week[week["flag_id"] == li.data("flag-id")].iloc[0]
        assert flag["message"] in li.text
        assert f"Evidence: {flag['evidence_grade']}" in li.text
        ref = REFERENCES[flag["citation_key"]]
        assert ref.study_type in li.text
        links = li.find_all("a")
        if ref.doi:
            assert links[0].attrs["href"] == f"https://doi.org/{ref.doi}"
    assert items[0].text.startswith("High F-SPIKE, Fri 15 Mar 2024")


def test_summary_in_miles(analysis_mi, doc_mi):
    mi = distance_unit("mi")
    assert doc_mi.by_id("stat-distance").text == f"{mi.format_distance(31000.0)} this week"
    assert doc_mi.by_id("summary-distance").text == (
        "This week you ran 19.3 mi in 3 runs, 181 % more than the week before (6.8 mi).")
    assert "13.0 mi on Fri 15 Mar 2024" in doc_mi.by_id("summary-longest").text
    assert "(6.2 mi on Sat 2 Mar 2024)" in doc_mi.by_id("summary-longest").text
    assert doc_mi.find_all("div", class_="runload-report")[0].data("units") == "mi"
    assert "distances in miles" in doc_mi.find_all("p", class_="subtitle")[0].text


@pytest.mark.parametrize("units", ["km", "mi"])
def test_weekly_table_equals_the_last_weeks_of_the_analysis(units, request):
    analysis = request.getfixturevalue(f"analysis_{units}")
    doc = request.getfixturevalue(f"doc_{units}")
    unit = distance_unit(units)
    expected = analysis.weekly.tail(4).iloc[::-1]
    table = doc.by_id("week-table")
    header = [th.text for th in table.find_all("th")]
    assert header == ["Week of", "Distance", "Change", "Runs", "Rest days", "Longest run",
                      f"Pace (min/{units})", "Road", "Treadmill"]
    rows = table.find_all("tbody")[0].find_all("tr")
    assert [r.data("week-start") for r in rows] == [d.strftime("%Y-%m-%d")
                                                     for d in expected.index]
    for tr, (start, week) in zip(rows, expected.iterrows(), strict=True):
        cells = tr.find_all("td")
        assert cells[0].text == f"{start:%a} {start.day} {start:%b %Y}"
        distance = floats(cells[1].data("distance-m"))
        assert distance == week["distance_m"]
        assert cells[1].text == f"{distance / unit.metres:.1f} {units}"
        change = floats(cells[2].data("change-frac"))
        if math.isnan(week["change_frac"]):
            assert math.isnan(change) and cells[2].text == "–"
        else:
            assert change == week["change_frac"]
            assert re.fullmatch(r"[+\u2212]\d+ %|0 %", cells[2].text)
        assert int(cells[3].text) == int(cells[3].data("runs")) == week["runs"]
        assert int(cells[4].text) == week["rest_days"]
        assert floats(cells[5].data("longest-run-m")) == week["longest_run_m"]
        assert cells[5].text == f"{week['longest_run_m'] / unit.metres:.1f} {units}"
        speed = floats(cells[6].data("avg-speed-mps"))
        assert speed == pytest.approx(week["avg_speed_mps"])
        seconds = round(unit.metres / speed)
        assert cells[6].text == f"{seconds // 60}:{seconds % 60:02d}"
        assert floats(cells[7].data("share-road-frac")) == week["share_road_frac"]
        assert cells[7].text == f"{week['share_road_frac'] * 100:.0f} %"
    # 5 min/km; 8:03 /mi
    assert rows[-1].find_all("td")[6].text == ("5:00" if units == "km" else "8:03")


@pytest.mark.parametrize("units", ["km", "mi"])
def test_every_flag_is_listed_newest_first(units, request):
    analysis = request.getfixturevalue(f"analysis_{units}")
    doc = request.getfixturevalue(f"doc_{units}")
    rows = doc.by_id("flag-table").find_all("tbody")[0].find_all("tr")
    flags = analysis.flags
    assert len(rows) == len(flags) == 7
    assert doc.by_id("flag-table").text  # not the empty message
    assert int(doc.find_all("section", id="flags")[0].data("count")) == 7
    for tr, flag in zip(rows, flags.itertuples(index=False), strict=True):
        assert (tr.data("flag-id"), tr.data("local-date"), tr.data("severity"),
                tr.data("activity-id")) == (flag.flag_id, f"{flag.local_date:%Y-%m-%d}",
                                            flag.severity, flag.activity_id)
        texts = [td.text for td in tr.find_all("td")]
        assert flag.message in texts
        assert flag_value(flag.value, flag.unit, flag.flag_id, distance_unit(units)) in texts
        assert flag.evidence_grade in texts
        value_cell = tr.find_all("td", where=lambda td: "data-value" in td.attrs)[0]
        assert floats(value_cell.data("value")) == flag.value
    dates = [tr.data("local-date") for tr in rows]
    assert dates == sorted(dates, reverse=True)
    assert doc.by_id("flag-table").find_all("tr", data_flag_id="F-SPIKE",
                                        data_severity="high")[0].find_all("td")[3].text == \
        LONG_NAME  # the Run column


def test_names_and_file_names_are_escaped(report_km, doc_km):
    html = report_km.html
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Long &lt;b&gt;run&lt;/b&gt; &amp; more" in html
    assert "<b>run</b>" not in html
    failed = doc_km.by_id("import-failed").find_all("td")
    assert [td.text for td in failed] == [f"/data/{BAD_FILE}", "bad <header> & CRC"]
    assert "/data/a&amp;&lt;b&gt;&#34;c.fit" in html
    run_cells = [td.text for td in doc_km.by_id("flag-table").find_all("td")]
    assert LONG_NAME in run_cells and SCRIPT_NAME in run_cells


def test_a_hostile_title_is_escaped(analysis_km):
    html = build_report(analysis_km, title='</title><script>x()</script>').html
    assert "<script" not in html and "&lt;/title&gt;&lt;script&gt;" in html


def test_self_contained_no_scripts_no_urls_but_doi(report_km, report_mi):
    for html in (report_km.html, report_mi.html):
        lower = html.lower()
        assert "<script" not in lower and "javascript:" not in lower
        assert "<link" not in lower and "@import" not in lower and "<img" not in lower
        assert "<iframe" not in lower and "url(http" not in lower
        urls = re.findall(r"(?:https?:)?//[^\s\"'<>)]+", html)
        assert urls, "the DOI links are there"
        assert all(u.startswith("https://doi.org/10.") for u in urls), \
            [u for u in urls if not u.startswith("https://doi.org/")]
        assert "src=" not in lower
        # the charts are inline SVG, each with its own ids
        doc = parse(html)
        ids = [n.attrs["id"] for n in doc.iter() if "id" in n.attrs]
        assert len(ids) == len(set(ids))
        assert len(doc.find_all("svg")) == 5


def test_charts_and_their_honest_captions(doc_km):
    assert [f.attrs["id"] for f in doc_km.find_all("figure")] == [
        "chart-weekly", "chart-spikes", "chart-rest", "chart-surface", "chart-acwr"]
    acwr = doc_km.by_id("chart-acwr").text
    assert "information only" in acwr.lower()
    assert "ACWR is not linked to injury in runners" in acwr
    # minutes of running, not heart rate: no fitness chart, and the report says why
    assert "Fitness and fatigue (CTL, ATL) are not drawn" in doc_km.by_id("fitness-not-drawn").text
    assert doc_km.by_id("charts").data("period-start") == "2024-02-19"


def test_fitness_chart_with_a_heart_rate_load():
    rows = [run(f"2024-0{m}-{d:02d}", 5 + d % 3, avg_hr_bpm=150.0, max_hr_bpm=175.0,
                has_hr=True) for m in (2, 3) for d in range(1, 28, 2)]
    analysis = analyze(sessions_frame(rows))
    assert analysis.load_kind == "trimp_avg_hr"
    doc = parse(build_report(analysis).html)
    assert doc.has_id("chart-fitness") and not doc.has_id("fitness-not-drawn")
    assert "not an injury predictor" in doc.by_id("chart-fitness").text


def test_disclaimer(doc_km):
    text = doc_km.by_id("disclaimer").text
    assert "not medical advice" in text.lower()
    assert "No measure in it predicts or prevents back pain, or any other injury" in text
    assert "persists, radiates" in text and "numbness" in text
    assert DISCLAIMER in text
    assert "Not medical advice" in doc_km.by_id("summary").text


def test_no_flags_week_says_so_without_implying_safety():
    rows = [run("2024-03-04", 5), run("2024-03-06", 5), run("2024-03-12", 5),
            run("2024-03-14", 5)]
    doc = parse(build_report(analyze(sessions_frame(rows))).html)
    text = doc.by_id("summary-flags").text
    assert text.startswith("No flags this week.")
    assert "does not mean the week was safe" in text
    assert doc.by_id("flag-table-empty").text == "No flags in this history."
    body = doc.by_id("summary").text.lower()
    assert "low risk" not in body and "you are safe" not in body


def test_import_section(analysis_km, doc_km):
    counts = doc_km.by_id("import-counts")
    assert counts.text == ("21 files looked at: read 17, read in part (damaged) 1, not an "
                           "activity 2, failed 1.")
    assert (counts.data("files-failed"), counts.data("files-partial")) == ("1", "1")
    partial = [td.text for td in doc_km.by_id("import-partial").find_all("td")]
    assert partial == ["/data/export.zip!part1.zip!damaged.fit", "truncated after 812 records"]
    skipped = [td.text for td in doc_km.by_id("import-not-activity").find_all("td")]
    assert skipped == ["monitoring file (not an activity)", "2"]
    dup = doc_km.by_id("import-duplicates")
    assert dup.data("duplicates") == "2"
    assert "(overlap): 1" in dup.text and "(same_content): 1" in dup.text
    listed = doc_km.by_id("import-duplicates-list").find_all("tbody")[0].find_all("tr")
    assert [tr.find_all("td")[0].text for tr in listed] == ["/data/copy.gpx", "/data/b.fit"]
    tz = doc_km.by_id("import-tz")
    expected = analysis_km.runs["tz_source"].value_counts()
    assert {k: int(v) for k, v in expected.items()} == {
        "fit_local_timestamp": 16, "assumed_utc": 1}
    assert (tz.data("tz-fit-local-timestamp"), tz.data("tz-assumed-utc")) == ("16", "1")
    assert "dated in UTC" in doc_km.by_id("import").text


def test_import_section_without_the_import_tables(analysis_km):
    doc = parse(build_report(analysis_km).html)
    assert "file list was not given" in doc.by_id("import").text
    assert "list of duplicates was not given" in doc.by_id("import").text


def test_methods_show_the_configured_thresholds_and_sources(sessions):
    t = thresholds("mi", spike=SpikeRule(lookback_days=28),
                   weekly_jump=WeeklyJumpRule(enabled=False))
    doc = parse(build_report(analyze(sessions, thresholds=t)).html)
    rules = {tr.data("flag-id"): tr for tr in doc.by_id("rule-table").find_all("tr")[1:]}
    assert set(rules) >= {"F-SPIKE", "F-LAYOFF", "F-WEEK30", "F-ONEVAR", "F-NOREST",
                          "F-MONOTONY", "F-DOWNHILL", "F-SURFACE"}
    assert "28 days" in rules["F-SPIKE"].text
    assert "more than 10 % / 30 % / 100 % longer" in rules["F-SPIKE"].text
    assert rules["F-SPIKE"].find_all("a")[0].attrs["href"] == \
        "https://doi.org/10.1136/bjsports-2024-109380"
    assert rules["F-WEEK30"].data("enabled") == "false"
    assert "switched off" in rules["F-WEEK30"].text
    assert "under 3.1 mi or 2 runs" in doc.by_id("weeks").text
    assert "minutes of running" in doc.by_id("load-note").text
    refs = doc.by_id("references").find_all("li")
    keys = [li.data("key") for li in refs]
    assert "frandsen2025" in keys and "nakaoka2021" in keys and "maselli2020" in keys
    for li in refs:
        doi = REFERENCES[li.data("key")].doi
        assert [a.attrs["href"] for a in li.find_all("a")] == (
            [f"https://doi.org/{doi}"] if doi else [])


def test_the_latest_week_not_over_yet(sessions):
    # as_of Wednesday 13 Mar: 2 of 7 days (Mon and Tue... plus Wed)
    cut = sessions[sessions["local_date"] <= pd.Timestamp("2024-03-13")]
    analysis = analyze(cut, as_of=pd.Timestamp("2024-03-13"))
    doc = parse(build_report(analysis, as_of="2024-03-13").html)
    assert doc.by_id("summary").data("days") == "3"
    assert "So far: 3 of 7 days, to Wed 13 Mar 2024." in doc.by_id("summary").text
    assert doc.by_id("summary-distance").text.startswith("So far this week you ran 7.0 km")
    assert doc.by_id("summary-rest").text.startswith("2 rest days (days without a run) so far.")


def test_as_of_must_be_the_analysis_last_day(analysis_km):
    with pytest.raises(ValueError, match="must be the last day of the analysis"):
        build_report(analysis_km, as_of="2024-03-10")
    with pytest.raises(ValueError, match="'weeks' parameter of build_report"):
        build_report(analysis_km, weeks=0)
    report = build_report(analysis_km, as_of=pd.Timestamp("2024-03-17 08:00", tz="UTC"))
    assert report.as_of == AS_OF


def test_a_history_without_runs():
    report = build_report(analyze(sessions_frame([])))
    doc = parse(report.html)
    assert [s.attrs["id"] for s in doc.find_all("section")] == [
        "summary", "flags", "import", "methods", "references", "disclaimer"]
    assert "No runs were found" in doc.by_id("summary").text
    assert report.week is None and report.as_of_iso == ""
    assert report.pdf_bytes().startswith(b"%PDF")


def test_build_is_deterministic(analysis_km, files, duplicates, report_km):
    again = build_report(analysis_km, files=files, duplicates=duplicates, weeks=4, as_of=AS_OF)
    assert again.html == report_km.html


def test_repr_html_is_a_scoped_fragment(report_km):
    fragment = report_km._repr_html_()
    assert "<html" not in fragment and "<!DOCTYPE" not in fragment
    assert fragment.lstrip().startswith("<style>")
    doc = parse(fragment)
    assert [s.attrs["id"] for s in doc.find_all("section")] == SECTIONS
    css = doc.find_all("style")[0].children[0]
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{", css)
                 for s in block.split(",") if not s.strip().startswith("@")]
    assert all(s.startswith(".runload-report") or s in ("from", "to") for s in selectors), \
        [s for s in selectors if not s.startswith(".runload-report")]


def test_print_css(report_km):
    html = report_km.html
    assert "@media print" in html and "break-before: page" in html
    assert "figure.chart { margin: 0 0 2rem; break-inside: avoid" in html
    doc = parse(html)
    assert [s.attrs["id"] for s in doc.find_all("section", class_="break")] == [
        "weeks", "flags", "methods"]


def test_write_html_is_atomic_and_keeps_the_mode(report_km, tmp_path):
    path = tmp_path / "report.html"
    assert report_km.write_html(path) == path
    assert path.read_text(encoding="utf-8") == report_km.html
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    os.chmod(path, 0o600)
    report_km.write_html(str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    with pytest.raises(OSError):
        report_km.write_html(tmp_path / "missing" / "report.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_the_model_is_frozen(report_km):
    with pytest.raises(dataclasses.FrozenInstanceError):
        report_km.title = "x"  # type: ignore[misc]


def test_control_characters_from_files_are_dropped(sessions):
    rows = sessions.copy()
    rows.loc[rows.index[-1], "name"] = "Tempo\x00 run\x1b[31m"
    doc_html = build_report(analyze(rows, as_of=AS_OF)).html
    assert "\x00" not in doc_html and "\x1b" not in doc_html
    assert "Tempo run[31m" in doc_html


def test_wording_makes_no_risk_zones_or_promises(report_km, report_mi):
    from runload.report.content import all_text

    forbidden = re.compile(r"safe zone|sweet spot|danger zone|low risk|high risk|you are safe|"
                           r"will get injured|prevents? (an )?injur|risk score", re.I)
    for report in (report_km, report_mi):
        texts = [t for t in all_text(report) if t]
        assert len(texts) > 100
        bad = [t for t in texts if forbidden.search(t) and "No measure in it predicts or "
               "prevents" not in t and "None of them predicts or prevents" not in t]
        assert bad == []
