"""Tests of runload.analysis.summary: one week's numbers, hand-computed on tiny histories."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from runload import read_history
from runload.analysis import analyze
from runload.analysis.summary import (
    WeekSummary,
    latest_week_start,
    week_start_of,
    week_summary,
)
from runload.config import SEVERITIES, Thresholds, WeekSettings
from runload.schema import sessions_frame


def run(local_date: str, km: float, /, **values: Any) -> dict:
    """A street run at 07:00 UTC on ``local_date``, ``km`` long, 5 min/km."""
    row: dict[str, Any] = {
        "activity_id": f"r-{local_date}", "sport": "running", "sub_sport": "street",
        "local_date": local_date, "start_utc": pd.Timestamp(f"{local_date} 07:00", tz="UTC"),
        "timer_s": 300.0 * km, "distance_m": km * 1000, "ascent_m": 0.0, "descent_m": 0.0,
    }
    row.update(values)
    return row


def analysis_of(*rows: dict, as_of: str | None = None, thresholds: Thresholds | None = None):
    return analyze(sessions_frame(list(rows)), thresholds=thresholds,
                   as_of=None if as_of is None else pd.Timestamp(as_of))


# Mon 4 Mar 2024: 5 km; Wed 6 Mar: 6 km  -> week 1: 11 km, 2 runs
# Tue 12 Mar: 7 km; Thu 14 Mar: 3 km treadmill; Fri 15 Mar: 21 km -> week 2: 31 km, 3 runs
TWO_WEEKS = (run("2024-03-04", 5), run("2024-03-06", 6), run("2024-03-12", 7),
             run("2024-03-14", 3, sub_sport="treadmill"),
             run("2024-03-15", 21, name="Long <b>run</b>"))


@pytest.fixture(scope="module")
def two_weeks():
    return analysis_of(*TWO_WEEKS, as_of="2024-03-17")


def test_week_of_a_hand_computed_history(two_weeks):
    w = week_summary(two_weeks, pd.Timestamp("2024-03-11"))
    assert isinstance(w, WeekSummary)
    assert (w.week_start, w.week_end, w.days) == (pd.Timestamp("2024-03-11"),
                                                  pd.Timestamp("2024-03-17"), 7)
    assert (w.runs, w.distance_m, w.prev_distance_m) == (3, 31000.0, 11000.0)
    assert w.change_frac == pytest.approx(20 / 11)
    assert w.change_bin == ">30%"
    # 7 days, runs on 3 of them
    assert w.rest_days == 4
    # the longest run: 21 km on Fri 15 Mar, 200 % longer than 7 km on Tue 12 Mar
    assert (w.longest_run_m, w.longest_run_s) == (21000.0, 6300.0)
    assert w.longest_run_date == pd.Timestamp("2024-03-15")
    assert (w.longest_run_activity_id, w.longest_run_name) == ("r-2024-03-15", "Long <b>run</b>")
    assert w.longest_run_spike_basis == "distance"
    assert w.longest_run_spike_frac == pytest.approx(2.0)
    assert w.longest_run_spike_bin == ">100%"
    assert (w.longest_run_ref_m, w.longest_run_ref_date) == (7000.0, pd.Timestamp("2024-03-12"))
    assert math.isnan(w.longest_run_ref_s)
    assert (w.max_spike_frac, w.max_spike_bin, w.max_spike_activity_id) == (
        pytest.approx(2.0), ">100%", "r-2024-03-15")
    assert w.surface_m == {"road": 28000.0, "treadmill": 3000.0}
    assert w.surface_share_frac == pytest.approx({"road": 28 / 31, "treadmill": 3 / 31})
    assert list(w.surface_m) == ["road", "treadmill"]  # SURFACES order
    # the week's two spikes, most severe first
    assert w.flags[["flag_id", "severity"]].to_numpy().tolist() == [["F-SPIKE", "high"],
                                                                    ["F-SPIKE", "caution"]]
    assert w.flags["local_date"].tolist() == [pd.Timestamp("2024-03-15"),
                                              pd.Timestamp("2024-03-12")]
    assert w.flag_counts == {"info": 0, "caution": 1, "warning": 0, "high": 1}
    assert list(w.flag_counts) == list(SEVERITIES)
    assert w.attention_key == (-1, 0, -1, pytest.approx(-2.0))


def test_first_week_has_no_previous_week_and_no_change(two_weeks):
    w = week_summary(two_weeks, "2024-03-06")  # any day of the week
    assert w.week_start == pd.Timestamp("2024-03-04")
    assert (w.distance_m, w.runs, w.rest_days) == (11000.0, 2, 5)
    assert math.isnan(w.prev_distance_m) and math.isnan(w.change_frac)
    assert w.change_bin == ""
    # 6 km on Wed: 20 % longer than 5 km on Mon
    assert w.longest_run_spike_frac == pytest.approx(0.2)
    assert w.longest_run_spike_bin == ">10-30%"
    assert w.flag_counts["caution"] == 1
    assert w.attention_key == (0, 0, -1, pytest.approx(-0.2))


def test_treadmill_spike_is_judged_on_duration_as_the_flag_is():
    a = analysis_of(run("2024-03-04", 10), run("2024-03-06", 10, sub_sport="treadmill",
                                               timer_s=4500.0))
    w = week_summary(a, "2024-03-04")
    # both runs are 10 km: the longest is the first of equals ...
    assert w.longest_run_activity_id == "r-2024-03-04"
    # ... and the treadmill run's spike is by time: 4500 s / 3000 s - 1
    assert (w.max_spike_frac, w.max_spike_bin, w.max_spike_activity_id) == (
        pytest.approx(0.5), ">30-100%", "r-2024-03-06")
    assert w.flag_counts["warning"] == 1


def test_treadmill_longest_run_carries_its_duration_reference():
    a = analysis_of(run("2024-03-04", 5), run("2024-03-06", 8, sub_sport="treadmill"))
    w = week_summary(a, "2024-03-04")
    assert w.longest_run_spike_basis == "duration"
    assert w.longest_run_spike_frac == pytest.approx(2400 / 1500 - 1)
    assert (w.longest_run_ref_s, w.longest_run_ref_date) == (1500.0, pd.Timestamp("2024-03-04"))
    assert math.isnan(w.longest_run_ref_m)


def test_change_is_nan_when_the_previous_week_is_below_the_base():
    # week 1: one 4 km run (under 5 km and under 2 runs); week 2: 8 km
    a = analysis_of(run("2024-03-04", 4), run("2024-03-12", 8))
    w = week_summary(a, "2024-03-11")
    assert w.prev_distance_m == 4000.0
    assert math.isnan(w.change_frac) and w.change_bin == ""
    # the week ends on the last day of the analysis: Tue 12 Mar
    assert (w.week_end, w.days, w.rest_days) == (pd.Timestamp("2024-03-12"), 2, 1)


def test_a_week_without_runs():
    a = analysis_of(run("2024-03-04", 5), run("2024-03-05", 5), run("2024-03-20", 5))
    w = week_summary(a, "2024-03-11")
    assert (w.runs, w.distance_m, w.rest_days, w.prev_distance_m) == (0, 0.0, 7, 10000.0)
    assert w.change_frac == pytest.approx(-1.0)
    assert math.isnan(w.longest_run_m) and w.longest_run_date is pd.NaT
    assert (w.longest_run_activity_id, w.longest_run_spike_bin, w.max_spike_bin) == ("", "", "")
    assert w.surface_m == {} and w.flags.empty
    assert w.attention_key == (0, 0, 0, math.inf)


def test_no_reference_run_gives_no_spike():
    a = analysis_of(run("2024-01-02", 5), run("2024-03-05", 12))
    w = week_summary(a, "2024-03-04")
    assert w.longest_run_spike_bin == "no_reference"
    assert math.isnan(w.longest_run_spike_frac) and math.isnan(w.max_spike_frac)
    assert w.longest_run_ref_date is pd.NaT


def test_flags_sorted_by_severity_then_date():
    # Mon 5 km, Tue 5 km, Wed 6 km (caution), Sat 20 km (high)
    a = analysis_of(run("2024-02-26", 5), run("2024-02-27", 5), run("2024-02-28", 6),
                    run("2024-03-02", 20))
    w = week_summary(a, "2024-02-26")
    assert w.flags["severity"].tolist()[:2] == ["high", "caution"]
    assert w.flags["severity"].map(list(reversed(SEVERITIES)).index).is_monotonic_increasing


def test_acwr_ratio_is_the_ratio_on_the_week_end(two_weeks):
    w = week_summary(two_weeks, "2024-03-11")
    expected = two_weeks.acwr["ratio"].get(pd.Timestamp("2024-03-17"))
    assert (math.isnan(w.acwr_ratio) and pd.isna(expected)) or w.acwr_ratio == expected


def test_attention_key_sorts_runners_needing_attention_first():
    high = week_summary(analysis_of(*TWO_WEEKS), "2024-03-11")
    caution = week_summary(analysis_of(*TWO_WEEKS), "2024-03-04")
    quiet = week_summary(analysis_of(run("2024-03-04", 5), run("2024-03-06", 4)), "2024-03-04")
    idle = week_summary(analysis_of(run("2024-03-04", 5), run("2024-03-20", 5)), "2024-03-11")
    people = [("dan", idle), ("cat", quiet), ("bea", caution), ("al", high)]
    ordered = sorted(people, key=lambda p: (*p[1].attention_key, p[0]))
    assert [name for name, _ in ordered] == ["al", "bea", "cat", "dan"]


def test_week_start_of_and_sunday_weeks():
    assert week_start_of("2024-03-17") == pd.Timestamp("2024-03-11")  # a Sunday
    assert week_start_of("2024-03-17", "sunday") == pd.Timestamp("2024-03-17")
    assert week_start_of(pd.Timestamp("2024-03-13 23:30", tz="Asia/Shanghai")) == \
        pd.Timestamp("2024-03-11")
    with pytest.raises(ValueError, match="'week_start' parameter of week_start_of"):
        week_start_of("2024-03-17", "Sunday")
    sunday = Thresholds(weeks=WeekSettings(week_start="sunday"))
    a = analysis_of(*TWO_WEEKS, as_of="2024-03-17", thresholds=sunday)
    assert latest_week_start(a) == pd.Timestamp("2024-03-17")
    w = week_summary(a, "2024-03-17")
    assert (w.days, w.runs, w.distance_m, w.rest_days) == (1, 0, 0.0, 1)


def test_latest_week_start():
    a = analysis_of(*TWO_WEEKS)
    assert latest_week_start(a) == pd.Timestamp("2024-03-11")  # last run Fri 15 Mar
    assert latest_week_start(a, as_of="2024-03-06") == pd.Timestamp("2024-03-04")
    empty = analyze(sessions_frame([]))
    with pytest.raises(ValueError, match="no days"):
        latest_week_start(empty)


def test_week_outside_the_analysis_is_an_error(two_weeks):
    with pytest.raises(ValueError, match="week starting 2024-03-18 is not inside the analysis"):
        week_summary(two_weeks, "2024-03-18")
    with pytest.raises(ValueError, match="2024-02-26"):
        week_summary(two_weeks, "2024-03-01")


@pytest.fixture(scope="module")
def history_a(realdata):
    return analyze(read_history(realdata / "history_a", tz="Asia/Shanghai").sessions)


def test_history_a_weeks_equal_the_analysis_tables(history_a):
    a = history_a
    w = week_summary(a, latest_week_start(a))
    last = a.weekly.iloc[-1]
    assert w.week_start == a.weekly.index[-1] == pd.Timestamp("2022-12-19")
    assert w.week_end == pd.Timestamp("2022-12-21")
    assert (w.runs, w.distance_m, w.rest_days) == (last["runs"], last["distance_m"],
                                                   last["rest_days"])
    assert w.prev_distance_m == a.weekly["distance_m"].iloc[-2]
    # 10.2 km on 21 Dec against the 11.0 km of 8 Dec: shorter, no spike
    assert w.longest_run_activity_id == "082115bd2d710ecd-0"
    assert w.longest_run_ref_m == pytest.approx(11006.82)
    assert w.longest_run_spike_bin == "none"
    for start in a.weekly.index[-30:]:
        week = week_summary(a, start)
        row = a.weekly.loc[start]
        in_week = a.flags[a.flags["local_date"].between(start, start + pd.Timedelta(days=6))]
        assert len(week.flags) == len(in_week)
        assert sum(week.flag_counts.values()) == len(in_week)
        assert week.longest_run_m == pytest.approx(row["longest_run_m"]) or (
            row["runs"] == 0 and math.isnan(week.longest_run_m))
        assert sum(week.surface_m.values()) == pytest.approx(row["distance_m"])
