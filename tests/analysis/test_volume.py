"""Tests of runload.analysis.volume: calendar weeks, rolling 7-day windows, F-WEEK30, F-ONEVAR."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

import runload
from runload.analysis.daily import daily_table, runs
from runload.analysis.volume import (
    ROLLING_COLUMNS,
    WEEKLY_COLUMNS,
    one_variable_flags,
    rolling_7d,
    weekly_jump_flags,
    weekly_surface_share,
    weekly_table,
    weekly_volume,
)
from runload.config import OneVariableRule, WeeklyJumpRule
from runload.schema import FLAG_COLUMNS, flags_frame, sessions_frame, validate_columns

FORBIDDEN_WORDS = ("safe", "prevent")


def run(local_date: str, km: float, /, **values: Any) -> dict:
    """A run at 07:00 on ``local_date``, ``km`` long, 5 min/km."""
    row: dict[str, Any] = {
        "activity_id": f"{local_date}-{km}", "sport": "running", "local_date": local_date,
        "start_utc": pd.Timestamp(f"{local_date} 07:00", tz="UTC"), "timer_s": 300.0 * km,
        "distance_m": km * 1000, "ascent_m": 0.0, "descent_m": 0.0,
    }
    row.update(values)
    return row


def daily_of(*runs_km: tuple[str, float], as_of: str | None = None) -> pd.DataFrame:
    """A daily table from (local_date, km) pairs."""
    sessions = sessions_frame([run(d, km, activity_id=f"r{i}")
                               for i, (d, km) in enumerate(runs_km)])
    return daily_table(sessions, as_of=None if as_of is None else pd.Timestamp(as_of))


# --- weekly_table -----------------------------------------------------------------------

def test_weekly_monday_and_sunday_weeks_split_a_sunday_long_run_differently():
    # Sat 9, Sun 10 (long run), Mon 11 Mar 2024
    daily = daily_of(("2024-03-09", 5.0), ("2024-03-10", 20.0), ("2024-03-11", 5.0))
    monday = weekly_table(daily)
    assert list(monday.columns) == list(WEEKLY_COLUMNS)
    assert monday.index.name == "week_start"
    assert monday.index.freqstr == "W-MON"
    assert monday.index.tolist() == [pd.Timestamp("2024-03-04"), pd.Timestamp("2024-03-11")]
    assert monday["distance_m"].tolist() == [25000.0, 5000.0]
    assert monday["longest_run_m"].tolist() == [20000.0, 5000.0]
    assert monday["days"].tolist() == [2, 1]
    assert monday["runs"].tolist() == [2, 1]
    assert monday["change_frac"].iloc[1] == -0.8
    assert monday["change_bin"].tolist() == ["", "<10% or less"]

    sunday = weekly_table(daily, week_start="sunday")
    assert sunday.index.freqstr == "W-SUN"
    assert sunday.index.tolist() == [pd.Timestamp("2024-03-03"), pd.Timestamp("2024-03-10")]
    assert sunday["distance_m"].tolist() == [5000.0, 25000.0]
    assert sunday["longest_run_m"].tolist() == [5000.0, 20000.0]
    assert sunday["days"].tolist() == [1, 2]
    assert np.isnan(sunday["change_frac"].iloc[1])        # 1 run of 5 km: guard fails
    assert sunday["base_ok"].tolist() == [False, False]


@pytest.mark.parametrize("week_start, first_day", [
    ("monday", "2024-03-04"), ("tuesday", "2024-03-05"), ("wednesday", "2024-03-06"),
    ("thursday", "2024-02-29"), ("friday", "2024-03-01"), ("saturday", "2024-03-02"),
    ("sunday", "2024-03-03")])
def test_weekly_week_start_names_the_first_day_of_each_week(week_start, first_day):
    daily = daily_of(("2024-03-06", 5.0), ("2024-03-20", 5.0))      # Wed .. Wed
    weekly = weekly_table(daily, week_start=week_start)
    assert weekly.index[0] == pd.Timestamp(first_day)
    assert (weekly.index.day_of_week == weekly.index[0].day_of_week).all()
    assert weekly["days"].sum() == len(daily)
    assert weekly["distance_m"].sum() == 10000.0


@pytest.mark.parametrize("second_week_m, change, label", [
    (13000.0, 0.30, "10-30%"),            # exactly +30 %: the >30 % bin is strictly above
    (13000.001, 0.3000001, ">30%"),
    (11000.0, 0.10, "<10% or less"),      # exactly +10 %
    (11000.001, 0.1000001, "10-30%"),
    (9000.0, -0.10, "<10% or less"),
    (10000.0, 0.0, "<10% or less"),
])
def test_weekly_change_frac_and_bin_edges(second_week_m, change, label):
    daily = daily_of(("2024-03-04", 5.0), ("2024-03-06", 5.0), ("2024-03-16", second_week_m / 1000))
    weekly = weekly_table(daily)
    assert weekly["base_ok"].tolist() == [False, True]
    assert weekly["change_frac"].iloc[1] == pytest.approx(change, abs=1e-12)
    assert weekly["change_bin"].tolist() == ["", label]


def test_weekly_ten_to_thirteen_km_is_exactly_thirty_percent():
    daily = daily_of(("2024-03-04", 5.0), ("2024-03-06", 5.0), ("2024-03-16", 13.0))
    assert weekly_table(daily)["change_frac"].iloc[1] == 0.3


@pytest.mark.parametrize("base_runs, min_base_m, min_base_runs, ok", [
    ((("2024-03-04", 2.45), ("2024-03-06", 2.45)), 5000.0, 2, False),   # 4.9 km
    ((("2024-03-04", 2.5), ("2024-03-06", 2.5)), 5000.0, 2, True),      # exactly 5 km
    ((("2024-03-04", 10.0),), 5000.0, 2, False),                         # one run
    ((("2024-03-04", 10.0),), 5000.0, 1, True),
    ((("2024-03-04", 2.45), ("2024-03-06", 2.45)), 4000.0, 2, True),
])
def test_weekly_base_guard(base_runs, min_base_m, min_base_runs, ok):
    daily = daily_of(*base_runs, ("2024-03-16", 20.0))
    weekly = weekly_table(daily, min_base_m=min_base_m, min_base_runs=min_base_runs)
    assert weekly["base_ok"].iloc[1] == ok
    assert np.isnan(weekly["change_frac"].iloc[1]) == (not ok)
    assert (weekly["change_bin"].iloc[1] == ">30%") == ok
    assert (weekly["change_bin"].iloc[1] == "") == (not ok)


def test_weekly_rest_days_speed_and_pace():
    daily = daily_of(("2024-03-04", 5.0), ("2024-03-06", 5.0), ("2024-03-20", 4.0),
                     as_of="2024-03-21")
    weekly = weekly_table(daily)
    assert weekly.index.tolist() == list(pd.date_range("2024-03-04", periods=3, freq="W-MON"))
    assert weekly["days"].tolist() == [7, 7, 4]
    assert weekly["rest_days"].tolist() == [5, 7, 3]
    assert weekly["runs"].tolist() == [2, 0, 1]
    assert weekly["duration_s"].tolist() == [3000.0, 0.0, 1200.0]
    assert weekly["avg_pace_s_per_km"].iloc[0] == 300.0
    assert weekly["avg_speed_mps"].iloc[0] == pytest.approx(10000 / 3000)
    assert np.isnan(weekly["avg_pace_s_per_km"].iloc[1])       # no running: no pace
    assert np.isnan(weekly["avg_speed_mps"].iloc[1])
    assert weekly["change_frac"].iloc[1] == -1.0                 # a week off is a regression
    assert weekly["change_bin"].iloc[1] == "<10% or less"
    assert not weekly["base_ok"].iloc[2]                        # after a week without runs


def test_weekly_sums_climb_and_keeps_dtypes():
    sessions = sessions_frame([run("2024-03-04", 5.0, ascent_m=50.0, descent_m=40.0),
                               run("2024-03-05", 5.0, ascent_m=25.0, descent_m=None)])
    weekly = weekly_table(daily_table(sessions))
    assert weekly["ascent_m"].tolist() == [75.0]
    assert weekly["descent_m"].tolist() == [40.0]
    assert weekly.dtypes[["days", "runs", "rest_days"]].tolist() == [np.dtype("int64")] * 3
    assert weekly["base_ok"].dtype == bool
    assert weekly["change_bin"].dtype == "string"


def test_weekly_dst_week_has_seven_days():
    """Europe/Berlin changed to summer time on Sun 31 Mar 2024: the week still has 7 days."""
    rows = []
    for i, local in enumerate(["2024-03-25 07:00", "2024-03-31 03:30", "2024-03-31 23:30",
                               "2024-04-01 00:30"]):
        start = pd.Timestamp(local, tz="Europe/Berlin")
        rows.append(run(start.strftime("%Y-%m-%d"), 5.0 + i, activity_id=f"b{i}",
                        start_utc=start.tz_convert("UTC")))
    daily = daily_table(sessions_frame(rows))
    weekly = weekly_table(daily)
    assert weekly.index.tolist() == [pd.Timestamp("2024-03-25"), pd.Timestamp("2024-04-01")]
    assert weekly["days"].tolist() == [7, 1]
    assert weekly["runs"].tolist() == [3, 1]
    assert weekly["rest_days"].tolist() == [5, 0]
    assert weekly["distance_m"].tolist() == [5000.0 + 6000.0 + 7000.0, 8000.0]
    rolling = rolling_7d(daily)
    assert rolling.loc["2024-03-31", "runs_7d"] == 3
    assert rolling.loc["2024-03-31", "rest_days_7d"] == 5


def test_weekly_rejects_bad_arguments():
    daily = daily_of(("2024-03-04", 5.0), ("2024-03-08", 5.0))
    with pytest.raises(ValueError, match="'week_start' parameter of weekly_table must be one of"):
        weekly_table(daily, week_start="Mon")
    with pytest.raises(ValueError, match="one row per day"):
        weekly_table(daily.drop(daily.index[2]))
    with pytest.raises(ValueError, match="missing columns"):
        weekly_table(daily.drop(columns="longest_run_m"))
    with pytest.raises(ValueError, match="'min_base_runs' parameter of weekly_table"):
        weekly_table(daily, min_base_runs=-1)
    with pytest.raises(ValueError, match="'min_base_m' parameter of rolling_7d"):
        rolling_7d(daily, min_base_m=float("nan"))
    with pytest.raises(TypeError, match="'daily' parameter of rolling_7d"):
        rolling_7d(daily["distance_m"])


def test_weekly_and_rolling_of_an_empty_daily_table():
    empty = daily_table(sessions_frame([]))
    assert weekly_table(empty).empty
    assert list(weekly_table(empty).columns) == list(WEEKLY_COLUMNS)
    assert rolling_7d(empty).empty
    assert list(rolling_7d(empty).columns) == list(ROLLING_COLUMNS)


def test_weekly_and_rolling_do_not_mutate_daily():
    daily = daily_of(("2024-03-04", 5.0), ("2024-03-20", 5.0))
    before = daily.copy()
    weekly_table(daily, week_start="sunday")
    rolling_7d(daily)
    pd.testing.assert_frame_equal(daily, before)


# --- rolling_7d -------------------------------------------------------------------------

def test_rolling_window_edges():
    daily = daily_of(("2024-03-01", 10.0), ("2024-03-08", 4.0), as_of="2024-03-16")
    r = rolling_7d(daily)
    assert list(r.columns) == list(ROLLING_COLUMNS)
    assert r.index.equals(daily.index)
    assert r["distance_7d_m"].iloc[:6].isna().all()          # window not yet inside the table
    assert r.loc["2024-03-07", "distance_7d_m"] == 10000.0    # (29 Feb, 7 Mar]
    # a run exactly 7 days earlier falls in the previous window, not this one
    assert r.loc["2024-03-08", "distance_7d_m"] == 4000.0     # (1 Mar, 8 Mar]
    assert r.loc["2024-03-08", "runs_7d"] == 1
    assert r["prev_distance_7d_m"].iloc[:13].isna().all()
    assert r.loc["2024-03-14", "prev_distance_7d_m"] == 10000.0   # (29 Feb, 7 Mar]
    assert r.loc["2024-03-15", "prev_distance_7d_m"] == 4000.0    # (1 Mar, 8 Mar]
    assert r.loc["2024-03-15", "prev_runs_7d"] == 1
    assert r.loc["2024-03-15", "distance_7d_m"] == 0.0
    assert r.loc["2024-03-15", "rest_days_7d"] == 7
    assert r.loc["2024-03-08", "rest_days_7d"] == 6
    assert not r["base_ok"].any()                            # never 2 runs in a window
    assert r["change_frac"].isna().all()
    assert (r["change_bin"] == "").all()


def test_rolling_change_and_guard():
    # W0 for 15 Mar is (1 Mar, 8 Mar]: 5 + 5 km in 2 runs; W1 is (8 Mar, 15 Mar]: 13 km
    daily = daily_of(("2024-03-01", 1.0), ("2024-03-06", 5.0), ("2024-03-07", 5.0),
                     ("2024-03-15", 13.0))
    r = rolling_7d(daily)
    last = r.loc["2024-03-15"]
    assert (last["distance_7d_m"], last["prev_distance_7d_m"]) == (13000.0, 10000.0)
    assert (last["runs_7d"], last["prev_runs_7d"]) == (1, 2)
    assert last["change_frac"] == 0.3
    assert last["change_bin"] == "10-30%"
    assert last["base_ok"]
    r = rolling_7d(daily, min_base_m=10000.001)
    assert np.isnan(r.loc["2024-03-15", "change_frac"])
    assert r.loc["2024-03-15", "change_bin"] == ""
    assert not r.loc["2024-03-15", "base_ok"]
    r = rolling_7d(daily, min_base_runs=3)
    assert r["base_ok"][r["base_ok"]].index.tolist() == [pd.Timestamp("2024-03-14")]  # 3 runs


def test_rolling_empty_windows_are_exactly_zero_with_fractional_distances():
    daily = daily_of(*[(d.strftime("%Y-%m-%d"), 5.123456789)
                       for d in pd.date_range("2024-03-01", periods=10, freq="D")],
                     ("2024-03-10", 0.1), as_of="2024-03-31")
    r = rolling_7d(daily)
    assert (r.loc["2024-03-17":, "distance_7d_m"] == 0.0).all()
    assert (r.loc["2024-03-24":, "prev_distance_7d_m"] == 0.0).all()


# --- weekly_jump_flags (F-WEEK30) -------------------------------------------------------

def jump_daily(last_km: float, base=(5.0, 5.0), extra=()) -> pd.DataFrame:
    """W0 of 15 Mar 2024 = ``base`` (runs on 6 and 7 Mar); ``last_km`` on 15 Mar."""
    base_runs = zip(("2024-03-06", "2024-03-07"), base, strict=False)
    return daily_of(("2024-03-01", 1.0), *base_runs, ("2024-03-15", last_km), *extra)


def jump_flags(daily: pd.DataFrame, rule: WeeklyJumpRule | None = None, **kw) -> list[dict]:
    return weekly_jump_flags(rolling_7d(daily, **kw), daily, rule or WeeklyJumpRule())


def test_jump_of_exactly_thirty_percent_is_not_flagged():
    assert jump_flags(jump_daily(13.0)) == []


def test_jump_of_thirty_one_percent_is_flagged():
    rows = jump_flags(jump_daily(13.1))
    assert len(rows) == 1
    flag = rows[0]
    assert set(flag) == set(FLAG_COLUMNS)
    assert flag["flag_id"] == "F-WEEK30"
    assert flag["scope"] == "day"
    assert flag["activity_id"] == ""
    assert flag["local_date"] == pd.Timestamp("2024-03-15")
    assert flag["severity"] == "caution"
    assert flag["value"] == pytest.approx(0.31)
    assert flag["threshold"] == 0.30
    assert flag["unit"] == "frac"
    assert flag["evidence_grade"] == "weak"
    assert flag["citation_key"] == "nielsen2014"
    assert flag["message"] == (
        "13.1 km in the 7 days to 15 Mar 2024 is 31 % more than the 10.0 km of the 7 days "
        "before. Jumps above 30 % were linked to some injury types in a cohort of novice "
        "runners, but the evidence is weak.")
    frame = flags_frame(rows)
    validate_columns(frame, "flags")
    assert frame["local_date"].iloc[0] == pd.Timestamp("2024-03-15")


@pytest.mark.parametrize("base", [(2.45, 2.45), (10.0,)], ids=["4.9 km", "one run"])
def test_jump_on_a_small_base_never_flags(base):
    assert jump_flags(jump_daily(40.0, base=base)) == []


def test_jump_applies_the_rules_guard_not_the_rolling_tables():
    daily = jump_daily(20.0, base=(2.45, 2.45))
    assert jump_flags(daily, min_base_m=0.0, min_base_runs=0) == []
    rule = WeeklyJumpRule(min_base_m=4000.0)
    rows = jump_flags(daily, rule)
    assert [r["local_date"] for r in rows] == [pd.Timestamp("2024-03-15")]
    assert "20.0 km in the 7 days to 15 Mar 2024 is 308 % more than the 4.9 km" in \
        rows[0]["message"]


def test_jump_episode_of_three_run_days_gives_one_flag_on_its_first_day():
    # 15 Mar: 14 vs 10 km (+40 %); 16 Mar: 15 vs 10 (+50 %); 17 Mar: 16 vs 10 (+60 %)
    daily = jump_daily(14.0, extra=(("2024-03-16", 1.0), ("2024-03-17", 1.0)))
    r = rolling_7d(daily)
    assert r.loc["2024-03-15":"2024-03-17", "change_frac"].tolist() == pytest.approx(
        [0.4, 0.5, 0.6])
    rows = weekly_jump_flags(r, daily, WeeklyJumpRule())
    assert len(rows) == 1
    assert rows[0]["local_date"] == pd.Timestamp("2024-03-15")
    assert rows[0]["value"] == pytest.approx(0.4)
    assert rows[0]["message"] == (
        "14.0 km in the 7 days to 15 Mar 2024 is 40 % more than the 10.0 km of the 7 days "
        "before. It stayed more than 30 % up on the next 2 run days, to 17 Mar 2024. Jumps "
        "above 30 % were linked to some injury types in a cohort of novice runners, but the "
        "evidence is weak.")


def hand_rolling(days: dict[str, tuple[float, int]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """rolling/daily frames by hand: {date: (change, runs that day)}, W0 = 10 km in 2 runs."""
    index = pd.date_range(min(days), max(days), freq="D", name="local_date")
    change = pd.Series({pd.Timestamp(k): v[0] for k, v in days.items()}).reindex(index)
    runs_today = pd.Series({pd.Timestamp(k): v[1] for k, v in days.items()}).reindex(
        index, fill_value=0)
    rolling = pd.DataFrame({"distance_7d_m": 10000.0 * (1 + change.fillna(0.0)),
                            "prev_distance_7d_m": 10000.0, "prev_runs_7d": 2.0}, index=index)
    daily = pd.DataFrame({"runs": runs_today.astype("int64")}, index=index)
    return rolling, daily


def test_jump_episodes_break_at_an_unflagged_run_day_and_at_a_7_day_gap():
    rolling, daily = hand_rolling({
        "2024-03-01": (0.5, 1), "2024-03-03": (0.6, 1),     # one episode (rest day between)
        "2024-03-04": (0.2, 1),                              # an unflagged run day ends it
        "2024-03-05": (0.4, 1),                              # second episode
        "2024-03-12": (0.4, 1),                              # 7 days later: a new episode
        "2024-03-13": (0.9, 0),                              # a rest day is never evaluated
    })
    rows = weekly_jump_flags(rolling, daily, WeeklyJumpRule())
    assert [r["local_date"].strftime("%d") for r in rows] == ["01", "05", "12"]
    assert [r["value"] for r in rows] == pytest.approx([0.5, 0.4, 0.4])
    assert "next run day, to 3 Mar 2024" in rows[0]["message"]
    assert "stayed" not in rows[1]["message"]


def test_jump_threshold_and_switch_come_from_the_rule():
    daily = jump_daily(14.0)
    assert jump_flags(daily, WeeklyJumpRule(jump_frac=0.40)) == []
    assert len(jump_flags(daily, WeeklyJumpRule(jump_frac=0.39))) == 1
    assert jump_flags(daily, WeeklyJumpRule(enabled=False)) == []
    rule = WeeklyJumpRule(grade="weak (custom)", citation="buist2008")
    flag = jump_flags(daily, rule)[0]
    assert (flag["evidence_grade"], flag["citation_key"]) == ("weak (custom)", "buist2008")


@pytest.mark.parametrize("jump_frac", [0.10, 0.05])
def test_jump_never_flags_at_the_ten_percent_rule(jump_frac):
    with pytest.raises(ValueError, match=r"'jump_frac' setting of WeeklyJumpRule must be > 0.10"):
        jump_flags(jump_daily(14.0), WeeklyJumpRule(jump_frac=jump_frac))


def test_jump_rejects_mismatched_tables():
    daily = jump_daily(14.0)
    with pytest.raises(ValueError, match="must share their index"):
        weekly_jump_flags(rolling_7d(daily).iloc[1:], daily, WeeklyJumpRule())
    with pytest.raises(TypeError, match="WeeklyJumpRule"):
        weekly_jump_flags(rolling_7d(daily), daily, OneVariableRule())


# --- one_variable_flags (F-ONEVAR) ------------------------------------------------------

BASE_WEEK = {"days": 7, "distance_m": 10000.0, "duration_s": 3000.0, "ascent_m": 100.0}


def weeks(*changed: dict, n_base: int = 4) -> pd.DataFrame:
    """``n_base`` identical baseline weeks, then one week per dict of changed values."""
    rows = [dict(BASE_WEEK) for _ in range(n_base)] + [{**BASE_WEEK, **c} for c in changed]
    index = pd.date_range("2024-01-01", periods=len(rows), freq="W-MON", name="week_start")
    return pd.DataFrame(rows, index=index)


FASTER_7 = 10000 / 3000 * 1.07          # a week 7 % faster than the baseline [m/s]


def test_one_variable_three_variables_up():
    weekly = weeks({"distance_m": 13500.0, "duration_s": 13500.0 / FASTER_7, "ascent_m": 160.0})
    rows = one_variable_flags(weekly, OneVariableRule())
    assert len(rows) == 1
    flag = rows[0]
    assert set(flag) == set(FLAG_COLUMNS)
    assert (flag["flag_id"], flag["scope"], flag["activity_id"]) == ("F-ONEVAR", "week", "")
    assert flag["local_date"] == pd.Timestamp("2024-01-29")
    assert (flag["severity"], flag["unit"]) == ("info", "count")
    assert (flag["value"], flag["threshold"]) == (3.0, 2.0)
    assert (flag["evidence_grade"], flag["citation_key"]) == ("expert opinion", "bertelsen2017")
    assert flag["message"] == (
        "distance +35 %, pace 7 % faster and climb +60 % in one week, against the 4 weeks "
        "before: changing one thing at a time is common coaching advice (expert opinion).")
    validate_columns(flags_frame(rows), "flags")


def test_one_variable_distance_and_time_are_one_variable():
    # more distance at the same pace means more time: one change (volume), no flag
    assert one_variable_flags(weeks({"distance_m": 13500.0, "duration_s": 4050.0}),
                              OneVariableRule()) == []
    rows = one_variable_flags(weeks({"distance_m": 13500.0, "duration_s": 4050.0,
                                     "ascent_m": 160.0}), OneVariableRule())
    assert [r["value"] for r in rows] == [2.0]
    assert rows[0]["message"].startswith("distance +35 %, time +35 % and climb +60 % in one "
                                         "week, against the 4 weeks before")


@pytest.mark.parametrize("changed", [
    {"duration_s": 3000.0 / 1.07},                   # pace only
    {"ascent_m": 160.0},                             # climb only
    {"distance_m": 13000.0, "duration_s": 3900.0},   # +30 % exactly is not "up by > 30 %"
    {"distance_m": 10500.0, "duration_s": 3000.0},   # +5 % faster (not more) and +5 % distance
])
def test_one_variable_fewer_than_two_variables_up_is_not_flagged(changed):
    assert one_variable_flags(weeks(changed), OneVariableRule()) == []


def test_one_variable_needs_a_full_baseline():
    big = {"distance_m": 13500.0, "duration_s": 4050.0, "ascent_m": 160.0}
    assert one_variable_flags(weeks(big, n_base=3), OneVariableRule()) == []
    assert len(one_variable_flags(weeks(big, n_base=3), OneVariableRule(baseline_weeks=3))) == 1
    small = weeks(big)
    small.iloc[:4, small.columns.get_loc("distance_m")] = 4900.0
    small.iloc[:4, small.columns.get_loc("duration_s")] = 1470.0
    assert one_variable_flags(small, OneVariableRule()) == []        # baseline mean < 5 km
    partial = weeks(big)
    partial.iloc[0, partial.columns.get_loc("days")] = 6              # first week of a history
    assert one_variable_flags(partial, OneVariableRule()) == []
    gappy = weeks(big).drop(pd.Timestamp("2024-01-15"))               # a baseline week missing
    assert one_variable_flags(gappy, OneVariableRule()) == []
    assert len(one_variable_flags(weeks(big).drop(columns="days"), OneVariableRule())) == 1


def test_one_variable_min_variables_and_switch_come_from_the_rule():
    # distance +35 %, time +26 % (not up), pace 7 % faster: two variables
    weekly = weeks({"distance_m": 13500.0, "duration_s": 13500.0 / FASTER_7})
    assert len(one_variable_flags(weekly, OneVariableRule())) == 1
    assert one_variable_flags(weekly, OneVariableRule(min_variables=3)) == []
    assert one_variable_flags(weekly, OneVariableRule(enabled=False)) == []
    assert one_variable_flags(weekly, OneVariableRule(distance_frac=0.36)) == []
    assert len(one_variable_flags(weekly, OneVariableRule(distance_frac=0.34))) == 1
    with pytest.raises(TypeError, match="OneVariableRule"):
        one_variable_flags(weekly, WeeklyJumpRule())


def test_one_variable_surface_share():
    weekly = weeks({"duration_s": 3000.0 / 1.07})                    # pace only: no flag
    assert one_variable_flags(weekly, OneVariableRule()) == []
    share = pd.DataFrame({"street": [1.0, 1.0, 1.0, 1.0, 0.6], "trail": [0.0, 0.0, 0.0, 0.0, 0.4]},
                         index=weekly.index)
    rows = one_variable_flags(weekly, OneVariableRule(), surface_share=share)
    assert [r["value"] for r in rows] == [2.0]
    assert rows[0]["message"].startswith(
        "pace 7 % faster and trail share +40 points in one week, against the 4 weeks before")
    share.loc[share.index[-1], ["street", "trail"]] = [0.75, 0.25]   # exactly 25 points
    assert one_variable_flags(weekly, OneVariableRule(), surface_share=share) == []
    with pytest.raises(ValueError, match="indexed like 'weekly'"):
        one_variable_flags(weekly, OneVariableRule(), surface_share=share.iloc[1:])


def test_one_variable_climb_from_a_flat_baseline():
    weekly = weeks({"distance_m": 13500.0, "duration_s": 3000.0, "ascent_m": 200.0})
    weekly.iloc[:4, weekly.columns.get_loc("ascent_m")] = 0.0        # distance, pace, climb up
    rows = one_variable_flags(weekly, OneVariableRule())
    assert rows[0]["value"] == 3.0
    assert "climb from 0 to 200 m" in rows[0]["message"]
    weekly.iloc[4, weekly.columns.get_loc("ascent_m")] = 20.0        # GPS noise, not hills
    rows = one_variable_flags(weekly, OneVariableRule())
    assert rows[0]["value"] == 2.0
    assert "climb" not in rows[0]["message"]
    assert one_variable_flags(weekly, OneVariableRule(), min_climb_rise_m=10.0)[0]["value"] == 3


def test_one_variable_on_a_weekly_table():
    base = [("2024-01-01", 5.0), ("2024-01-03", 5.0), ("2024-01-08", 5.0), ("2024-01-10", 5.0),
            ("2024-01-15", 5.0), ("2024-01-17", 5.0), ("2024-01-22", 5.0), ("2024-01-24", 5.0)]
    sessions = sessions_frame(
        [run(d, km, activity_id=d) for d, km in base]
        + [run("2024-01-29", 7.0, activity_id="a", ascent_m=200.0),
           run("2024-01-31", 7.0, activity_id="b", timer_s=2200.0)])
    weekly = weekly_table(daily_table(sessions, as_of=pd.Timestamp("2024-02-04")))
    rows = one_variable_flags(weekly, OneVariableRule())
    assert [r["local_date"] for r in rows] == [pd.Timestamp("2024-01-29")]
    assert rows[0]["message"].startswith(
        "distance +40 %, time +43 % and climb from 0 to 200 m in one week")


# --- surfaces ------------------------------------------------------------------------------

def test_weekly_distance_and_share_per_surface():
    sessions = sessions_frame([
        run("2024-03-04", 6.0, activity_id="a", surface="road"),
        run("2024-03-06", 3.0, activity_id="b", surface="trail"),
        run("2024-03-09", 1.0, activity_id="c", surface=""),
        run("2024-03-20", 4.0, activity_id="d", surface="treadmill"),
        run("2024-03-21", 1.0, activity_id="e", surface="track"),
        run("2024-03-22", 3.0, activity_id="f", surface="indoor"),
    ])
    weekly = weekly_table(daily_table(sessions))
    assert list(weekly.columns[-12:]) == [
        "distance_road_m", "distance_trail_m", "distance_track_m", "distance_treadmill_m",
        "distance_indoor_m", "distance_unknown_m", "share_road_frac", "share_trail_frac",
        "share_track_frac", "share_treadmill_frac", "share_indoor_frac", "share_unknown_frac"]
    distances = weekly[[c for c in weekly.columns if c.startswith("distance_") and
                        c != "distance_m"]]
    assert distances.to_numpy().tolist() == [[6000.0, 3000.0, 0.0, 0.0, 0.0, 1000.0],
                                             [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
                                             [0.0, 0.0, 1000.0, 4000.0, 3000.0, 0.0]]
    shares = weekly[[c for c in weekly.columns if c.startswith("share_")]]
    assert shares.iloc[0].tolist() == [0.6, 0.3, 0.0, 0.0, 0.0, 0.1]
    assert shares.iloc[1].isna().all()                       # a week without distance
    assert shares.iloc[2].tolist() == [0.0, 0.0, 0.125, 0.5, 0.375, 0.0]
    assert (weekly.dtypes[distances.columns] == "float64").all()
    pd.testing.assert_series_equal(distances.sum(axis=1), weekly["distance_m"],
                                   check_names=False)


def test_weekly_of_a_daily_table_without_surfaces_counts_unknown():
    daily = daily_of(("2024-03-04", 5.0), ("2024-03-12", 7.0))
    weekly = weekly_table(daily.drop(columns=[c for c in daily.columns
                                              if c.startswith("distance_") and c != "distance_m"]))
    assert weekly["distance_unknown_m"].tolist() == [5000.0, 7000.0]
    assert weekly["share_unknown_frac"].tolist() == [1.0, 1.0]
    assert weekly["distance_road_m"].tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match=r"all or none of the per-surface.*distance_trail_m"):
        weekly_table(daily.drop(columns="distance_trail_m"))


def test_weekly_surface_share_for_one_variable_flags():
    weekly = weekly_table(daily_of(("2024-03-04", 5.0)))
    share = weekly_surface_share(weekly)
    assert list(share.columns) == ["road", "trail", "track", "treadmill", "indoor"]
    assert share.index.equals(weekly.index)
    assert list(weekly_surface_share(weekly, surfaces=("trail", "unknown")).columns) == [
        "trail", "unknown"]
    with pytest.raises(ValueError, match="Got 'sand' instead"):
        weekly_surface_share(weekly, surfaces=("sand",))
    with pytest.raises(ValueError, match="missing columns"):
        weekly_surface_share(weekly.drop(columns="distance_road_m"))
    # shares among the known surfaces: unknown distance is left out, not counted as a surface
    mixed = weekly_table(daily_table(sessions_frame([
        run("2024-03-04", 6.0, surface="road"), run("2024-03-05", 2.0, surface="trail",
                                                    activity_id="t"),
        run("2024-03-06", 2.0, surface="", activity_id="u"),
        run("2024-03-11", 2.0, surface="", activity_id="v")])))
    assert weekly_surface_share(mixed)[["road", "trail"]].iloc[0].tolist() == [0.75, 0.25]
    assert weekly_surface_share(mixed).iloc[1].isna().all()
    assert mixed["share_road_frac"].iloc[0] == 0.6


def test_one_variable_counts_a_switch_from_road_to_trail():
    base = [(d, "road", 1500.0) for d in ("2024-01-01", "2024-01-03", "2024-01-08",
                                          "2024-01-10", "2024-01-15", "2024-01-17",
                                          "2024-01-22", "2024-01-24")]
    def week5(surface: str, timer_s: float) -> list:
        return [("2024-01-29", surface, timer_s), ("2024-01-31", surface, timer_s)]

    def flags_of(rows) -> list[dict]:
        sessions = sessions_frame([run(d, 5.0, activity_id=d, surface=s, timer_s=t)
                                   for d, s, t in rows])
        weekly = weekly_table(daily_table(sessions, as_of=pd.Timestamp("2024-02-04")))
        return one_variable_flags(weekly, OneVariableRule(),
                                  surface_share=weekly_surface_share(weekly))

    # trail and 7 % faster: two variables
    rows = flags_of(base + week5("trail", 1500.0 / 1.07))
    assert [(r["local_date"], r["value"]) for r in rows] == [(pd.Timestamp("2024-01-29"), 2.0)]
    assert rows[0]["message"].startswith(
        "pace 7 % faster and trail share +100 points in one week, against the 4 weeks before")
    assert flags_of(base + week5("trail", 1500.0)) == []             # surface only
    assert flags_of(base + week5("road", 1500.0 / 1.07)) == []       # pace only
    # a week going from unknown to a known surface is no surface change
    unknown = [(d, "", t) for d, _, t in base]
    assert flags_of(unknown + week5("road", 1500.0 / 1.07)) == []


# --- wording and real data --------------------------------------------------------------

def test_no_message_makes_a_safety_claim():
    messages = [r["message"] for r in jump_flags(jump_daily(14.0))]
    messages += [r["message"] for r in jump_flags(jump_daily(14.0, extra=(("2024-03-16", 9.0),)))]
    messages += [r["message"] for r in one_variable_flags(
        weeks({"distance_m": 13500.0, "duration_s": 13500.0 / FASTER_7, "ascent_m": 160.0}),
        OneVariableRule())]
    assert len(messages) == 3
    for message in messages:
        assert not any(word in message.lower() for word in FORBIDDEN_WORDS), message
        assert not re.search(r"\b10 %", message), message


@pytest.fixture(scope="module")
def history_a(realdata):
    sessions = runload.read_history(realdata / "history_a", tz="Asia/Shanghai",
                                    use_cache=False).sessions
    return sessions, daily_table(sessions)


def test_real_history_spans_and_totals(history_a):
    sessions, daily = history_a
    counted = runs(sessions)
    total_m = counted["distance_m"].sum()
    assert daily.index[0] == pd.Timestamp("2019-08-31")
    last = counted["local_date"].max()
    assert daily.index[-1] == last

    weekly = weekly_table(daily)
    assert weekly.index[0] == pd.Timestamp("2019-08-26")            # the Monday before
    assert weekly.index[-1] == last - pd.Timedelta(days=last.day_of_week)
    assert len(weekly) == (weekly.index[-1] - weekly.index[0]).days // 7 + 1
    assert weekly["days"].sum() == len(daily)
    assert weekly["runs"].sum() == len(counted)
    assert weekly["distance_m"].sum() == pytest.approx(total_m, abs=1e-6)
    assert daily["distance_m"].sum() == pytest.approx(total_m, abs=1e-6)
    sunday = weekly_table(daily, week_start="sunday")
    assert sunday.index[0] == pd.Timestamp("2019-08-25")
    assert sunday["distance_m"].sum() == pytest.approx(total_m, abs=1e-6)

    rolling = rolling_7d(daily)
    assert rolling.index.equals(daily.index)
    # every day's distance is in exactly 7 windows, except the last 6 days' and the first 6
    full = rolling["distance_7d_m"].iloc[6:]
    assert full.min() >= 0.0
    assert rolling["distance_7d_m"].iloc[-1] == pytest.approx(daily["distance_m"].iloc[-7:].sum())
    assert (rolling["rest_days_7d"].dropna() + rolling["runs_7d"].dropna() >= 7).all()

    jumps = weekly_jump_flags(rolling, daily, WeeklyJumpRule())
    changes = one_variable_flags(weekly, OneVariableRule())
    assert jumps and changes
    frame = flags_frame(jumps + changes)
    validate_columns(frame, "flags")
    assert (frame.loc[frame["flag_id"] == "F-WEEK30", "value"] > 0.30).all()
    assert daily.loc[frame.loc[frame["flag_id"] == "F-WEEK30", "local_date"], "runs"].gt(0).all()
    for message in frame["message"]:
        assert not any(word in message.lower() for word in FORBIDDEN_WORDS), message


def test_rolling_and_weekly_match_a_naive_loop_over_a_random_year():
    rng = np.random.default_rng(7)
    day_numbers = np.sort(rng.integers(0, 365, 400))
    start = pd.Timestamp("2023-01-01")
    km_values = rng.integers(1, 25, len(day_numbers)) + rng.random(len(day_numbers)).round(3)
    daily = daily_of(*[((start + pd.Timedelta(days=int(n))).strftime("%Y-%m-%d"), float(k))
                       for n, k in zip(day_numbers, km_values, strict=True)])
    rolling = rolling_7d(daily)
    per_day = daily["distance_m"]
    for i in range(len(daily)):
        t = daily.index[i]
        w1 = per_day[(per_day.index > t - pd.Timedelta(days=7)) & (per_day.index <= t)]
        w0 = per_day[(per_day.index > t - pd.Timedelta(days=14))
                     & (per_day.index <= t - pd.Timedelta(days=7))]
        if i >= 6:
            assert rolling["distance_7d_m"].iloc[i] == pytest.approx(w1.sum(), abs=1e-6)
        if i >= 13:
            assert rolling["prev_distance_7d_m"].iloc[i] == pytest.approx(w0.sum(), abs=1e-6)
            runs_w0 = daily["runs"][w0.index].sum()
            ok = w0.sum() >= 5000.0 and runs_w0 >= 2
            assert rolling["base_ok"].iloc[i] == ok
            if ok:
                assert rolling["change_frac"].iloc[i] == pytest.approx(w1.sum() / w0.sum() - 1)
    weekly = weekly_table(daily, week_start="thursday")
    for week_start, row in weekly.iterrows():
        days = per_day[week_start:week_start + pd.Timedelta(days=6)]
        assert row["distance_m"] == pytest.approx(days.sum(), abs=1e-6)
        assert row["days"] == len(days)


def test_flag_functions_do_not_mutate_their_inputs():
    daily = jump_daily(14.0)
    rolling = rolling_7d(daily)
    weekly = weeks({"distance_m": 13500.0, "duration_s": 4050.0})
    copies = [daily.copy(), rolling.copy(), weekly.copy()]
    weekly_jump_flags(rolling, daily, WeeklyJumpRule())
    one_variable_flags(weekly, dataclasses.replace(OneVariableRule(), baseline_weeks=2))
    for original, copy in zip([daily, rolling, weekly], copies, strict=True):
        pd.testing.assert_frame_equal(original, copy)


def test_weekly_volume_is_weekly_table_of_the_daily_table():
    sessions = sessions_frame([run("2024-01-01", 5.0), run("2024-01-03", 6.0),
                               run("2024-01-08", 8.0), run("2024-01-09", 1.0)])
    got = weekly_volume(sessions)
    pd.testing.assert_frame_equal(got, weekly_table(daily_table(sessions)))
    assert got["distance_m"].tolist() == [11000.0, 9000.0]
    assert got["change_frac"].iloc[1] == pytest.approx(-2 / 11)
