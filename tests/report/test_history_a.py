"""The report of a real history: it builds, and its tables are the analysis's tables."""

from __future__ import annotations

import io
import math
import re

import pandas as pd
import pytest

import runload
from runload.analysis.summary import latest_week_start, week_summary
from runload.report import build_report
from tests.report.htmltree import parse


@pytest.fixture(scope="module")
def history(realdata):
    return runload.read_history(realdata / "history_a", tz="Asia/Shanghai")


@pytest.fixture(scope="module")
def analysis(history):
    return runload.analyze(history.sessions)


@pytest.fixture(scope="module")
def report(history, analysis):
    return build_report(analysis, files=history.report.files,
                        duplicates=history.report.duplicates, weeks=12)


@pytest.fixture(scope="module")
def doc(report):
    return parse(report.html)


def test_weekly_table_is_the_last_12_weeks_of_the_analysis(analysis, doc):
    expected = analysis.weekly.tail(12).iloc[::-1]
    rows = doc.by_id("week-table").find_all("tbody")[0].find_all("tr")
    assert [r.data("week-start") for r in rows] == [f"{d:%Y-%m-%d}" for d in expected.index]
    for tr, (_, week) in zip(rows, expected.iterrows(), strict=True):
        by_key = {k[5:]: v for td in tr.find_all("td") for k, v in td.attrs.items()
                  if k.startswith("data-")}
        for column in ("distance_m", "longest_run_m", "avg_speed_mps", "change_frac",
                       "share_road_frac", "share_treadmill_frac"):
            got = by_key[column.replace("_", "-")]
            assert (got == "" and math.isnan(week[column])) or float(got) == week[column]
        assert (int(by_key["runs"]), int(by_key["rest-days"])) == (week["runs"],
                                                                   week["rest_days"])


def test_summary_and_flags_of_history_a(analysis, report, doc):
    week = week_summary(analysis, latest_week_start(analysis))
    assert report.week.week_start == week.week_start == pd.Timestamp("2022-12-19")
    assert doc.by_id("summary").data("week-start") == "2022-12-19"
    assert doc.by_id("summary-longest").text == (
        "Your longest run was 10.2 km on Wed 21 Dec 2022, 7 % shorter than your longest run "
        "in the 30 days before it (11.0 km on Thu 8 Dec 2022).")
    assert doc.by_id("summary-flags").text.startswith("No flags this week.")
    rows = doc.by_id("flag-table").find_all("tbody")[0].find_all("tr")
    assert len(rows) == len(analysis.flags) == 128
    assert [(r.data("flag-id"), r.data("local-date")) for r in rows] == [
        (f.flag_id, f"{f.local_date:%Y-%m-%d}") for f in analysis.flags.itertuples()]
    assert doc.by_id("import-counts").data("files-read") == "314"
    assert doc.by_id("import-tz").data("tz-fit-local-timestamp") == "184"
    assert doc.by_id("import-tz").data("tz-user-default") == "4"
    assert "46 of 188 runs have no heart rate" in doc.by_id("load-note").text
    urls = re.findall(r"https?://[^\s\"'<>]+", report.html)
    assert all(u.startswith("https://doi.org/") for u in urls)
    assert "<script" not in report.html


def test_pdf_of_history_a(report, doc):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(report.pdf_bytes()))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert doc.by_id("summary-longest").text in text
    assert "All flags (128)" in text
    assert len(reader.pages) > 5
