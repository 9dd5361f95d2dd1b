"""Rest days, layoffs and downhill novelty (science.md D1, A3, E3): exact values."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import runload
from runload.analysis.daily import daily_table
from runload.analysis.rest import (
    downhill_flags,
    layoff_flags,
    layoffs,
    rest_days,
    rest_flags,
)
from runload.config import DownhillRule, LayoffRule, RestRule
from runload.schema import FLAG_COLUMNS, flags_frame, sessions_frame


def run(activity_id: str, start_utc: str, distance_m: float | None = 10000.0, **extra) -> dict:
    """One running session; the local day is the UTC day (the tests' runner lives at UTC)."""
    return {"activity_id": activity_id, "sport": "running", "sub_sport": "generic",
            "start_utc": start_utc, "local_date": pd.Timestamp(start_utc[:10]),
            "distance_m": distance_m, "timer_s": 3000.0, **extra}


def daily(run_days: list[str], first: str, last: str,
          distance_m: dict[str, float] | None = None) -> pd.DataFrame:
    """A hand-built daily table: one row per day from first to last, 1 run on run_days."""
    days = pd.date_range(first, last, freq="D", name="local_date")
    runs = pd.Series(0, index=days, dtype="int64")
    runs[pd.DatetimeIndex(run_days)] = 1
    dist = pd.Series(0.0, index=days)
    for d, m in (distance_m or {}).items():
        dist[pd.Timestamp(d)] = m
    return pd.DataFrame({"runs": runs, "distance_m": dist, "is_rest_day": runs.eq(0)})


def no_forbidden_words(flags: list[dict]) -> bool:
    return not any("safe" in f["message"].lower() or "prevent" in f["message"].lower()
                   for f in flags)


# --- rest_days --------------------------------------------------------------------------

def test_rest_days_streaks_and_seven_day_window():
    d = daily(["2024-03-01", "2024-03-02", "2024-03-04", "2024-03-05", "2024-03-06",
               "2024-03-07", "2024-03-08", "2024-03-09"], "2024-03-01", "2024-03-10")
    r = rest_days(d)
    assert r.index.equals(d.index)
    assert r["consecutive_run_days"].tolist() == [1, 2, 0, 1, 2, 3, 4, 5, 6, 0]
    assert str(r["consecutive_run_days"].dtype) == "int64"
    # (t - 7 d, t]: 7 Mar holds 1-7 Mar (rest on the 3rd); 10 Mar holds 4-10 Mar (rest on the 10th)
    assert r["rest_days_7d"][:6].isna().all()
    assert r["rest_days_7d"].tolist()[6:] == [1.0, 1.0, 1.0, 1.0]


def test_rest_days_uses_runs_when_no_rest_column_and_fills_missing_days():
    idx = pd.DatetimeIndex(["2024-03-01", "2024-03-02", "2024-03-04"], name="local_date")
    d = pd.DataFrame({"runs": [1, 2, 1]}, index=idx)      # 3 Mar absent: a rest day
    r = rest_days(d)
    assert r.index.equals(idx)
    assert r["consecutive_run_days"].tolist() == [1, 2, 1]


def test_rest_days_empty_and_bad_input():
    empty = daily([], "2024-03-01", "2024-03-01").iloc[:0]
    assert rest_days(empty).empty
    with pytest.raises(ValueError, match="'daily' parameter of rest_days"):
        rest_days(pd.DataFrame({"x": [1]}))


# --- rest_flags -------------------------------------------------------------------------

def streak_days(first: str, n: int) -> list[str]:
    return [str(d.date()) for d in pd.date_range(first, periods=n, freq="D")]


def test_streak_of_exactly_14_flags_once_on_the_14th_day():
    d = daily(streak_days("2024-03-01", 14), "2024-02-28", "2024-03-20")
    flags = [f for f in rest_flags(d, RestRule()) if f["scope"] == "day"]
    assert len(flags) == 1
    f = flags[0]
    assert f["local_date"] == pd.Timestamp("2024-03-14")
    assert (f["value"], f["threshold"], f["unit"], f["severity"]) == (14.0, 14.0, "days", "info")
    assert (f["activity_id"], f["evidence_grade"], f["citation_key"]) == (
        "", "expert opinion", "meeusen2013")
    assert f["message"].startswith("14 days in a row with a run, from 1 Mar 2024 to 14 Mar 2024 "
                                   "(14 days reached on 14 Mar 2024).")
    assert list(f) == list(FLAG_COLUMNS)


def test_streak_of_13_is_not_flagged():
    d = daily(streak_days("2024-03-01", 13), "2024-02-28", "2024-03-20")
    assert [f for f in rest_flags(d, RestRule()) if f["scope"] == "day"] == []


def test_long_streak_flags_once_with_its_full_length_and_ongoing_streak_says_so():
    d = daily(streak_days("2024-03-01", 20), "2024-02-28", "2024-03-25")
    [f] = [f for f in rest_flags(d, RestRule()) if f["scope"] == "day"]
    assert (f["local_date"], f["value"]) == (pd.Timestamp("2024-03-14"), 20.0)
    assert "20 days in a row with a run, from 1 Mar 2024 to 20 Mar 2024" in f["message"]
    ongoing = daily(streak_days("2024-03-01", 16), "2024-02-28", "2024-03-16")
    [g] = [f for f in rest_flags(ongoing, RestRule()) if f["scope"] == "day"]
    assert g["message"].startswith("16 days in a row with a run so far, from 1 Mar 2024")


def test_max_consecutive_days_comes_from_the_rule():
    d = daily(streak_days("2024-03-01", 5), "2024-02-28", "2024-03-20")
    rule = dataclasses.replace(RestRule(), max_consecutive_run_days=5,
                               flag_weeks_without_rest=False)
    assert [f["local_date"] for f in rest_flags(d, rule)] == [pd.Timestamp("2024-03-05")]


def test_week_with_seven_run_days_monday_vs_sunday_start():
    # Mon 4 Mar .. Sun 10 Mar 2024, rest days on Sun 3 Mar and Mon 11 Mar.
    d = daily(streak_days("2024-03-04", 7), "2024-02-26", "2024-03-24")
    monday = rest_flags(d, RestRule(), week_start="monday")
    assert [(f["scope"], f["local_date"]) for f in monday] == [
        ("week", pd.Timestamp("2024-03-04"))]
    f = monday[0]
    assert (f["value"], f["threshold"], f["unit"], f["severity"]) == (0.0, 1.0, "days", "info")
    assert f["message"].startswith("No rest day in the week of 4 Mar 2024 to 10 Mar 2024: "
                                   "you ran on all 7 days.")
    assert rest_flags(d, RestRule(), week_start="sunday") == []
    sun = daily(streak_days("2024-03-03", 7), "2024-02-26", "2024-03-24")  # Sun 3 .. Sat 9
    assert [f["local_date"] for f in rest_flags(sun, RestRule(), week_start="sunday")] == [
        pd.Timestamp("2024-03-03")]
    assert rest_flags(sun, RestRule(), week_start="monday") == []


def test_week_partly_outside_the_table_is_not_judged_and_switches_work():
    d = daily(streak_days("2024-03-06", 5), "2024-03-06", "2024-03-10")  # Wed..Sun only
    assert rest_flags(d, RestRule()) == []
    full = daily(streak_days("2024-03-04", 7), "2024-03-04", "2024-03-10")
    assert len(rest_flags(full, RestRule())) == 1
    assert rest_flags(full, dataclasses.replace(RestRule(), flag_weeks_without_rest=False)) == []
    assert rest_flags(full, RestRule(enabled=False)) == []
    with pytest.raises(ValueError, match="'week_start' parameter of rest_flags"):
        rest_flags(full, RestRule(), week_start="Monday")


def test_rest_flag_messages_have_no_forbidden_words():
    d = daily(streak_days("2024-03-01", 31), "2024-03-01", "2024-04-05")
    flags = rest_flags(d, RestRule())
    assert len(flags) == 1 + 4                    # one streak, weeks of 4, 11, 18, 25 Mar
    assert no_forbidden_words(flags)
    assert len(flags_frame(flags)) == 5


# --- layoffs ----------------------------------------------------------------------------

@pytest.mark.parametrize(("return_day", "is_layoff"), [("2024-03-15", True), ("2024-03-14", False)])
def test_gap_of_exactly_14_days_is_a_layoff_13_is_not(return_day, is_layoff):
    s = sessions_frame([run("a", "2024-03-01 08:00:00", 8000.0),
                        run("b", f"{return_day} 08:00:00", 5000.0)])
    gaps = layoffs(s)
    assert len(gaps) == int(is_layoff)
    if is_layoff:
        g = gaps.iloc[0]
        assert (g["last_run_date"], g["return_date"], g["gap_days"], g["return_until"]) == (
            pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-15"), 14, pd.Timestamp("2024-04-12"))


# Before the break (last run Thu 28 Mar 2024): baseline weeks (L - 7(k+1), L - 7k]
#   k=0 (21, 28 Mar]: 10 + 6 = 16 km; k=1 (14, 21 Mar]: 8 km; k=2 (7, 14 Mar]: 4 km;
#   k=3 (29 Feb, 7 Mar]: 12 + 5 = 17 km  ->  median week (8 + 16) / 2 = 12 km.
#   Sessions in (29 Feb, 28 Mar]: 5, 12, 4, 8, 6, 10 km -> median 7 km, longest 12 km.
#   The 20 km run on 29 Feb is outside the weeks but makes them all known history.
BEFORE = [("p0", "2024-02-29", 20000.0), ("p1", "2024-03-01", 5000.0),
          ("p2", "2024-03-05", 12000.0), ("p3", "2024-03-14", 4000.0),
          ("p4", "2024-03-20", 8000.0), ("p5", "2024-03-25", 6000.0),
          ("p6", "2024-03-28", 10000.0)]
# Back on Thu 18 Apr (gap 21 days). Limits: session 0.5 x 7 km = 3.5 km; week 1 0.5 x 12 km
# = 6 km; weeks 2+ 0.75 x 12 km = 9 km.
#   week 1 [18, 25 Apr): 3.5 + 2.5 = 6.0 km, exactly the limit: no flag
#   week 2 [25 Apr, 2 May): 3.6 + 3.4 + 2.00001 = 9.00001 km: flagged; the 3.6 km session
#   is not the first one back (r1: 3.5 km, exactly the limit), so no session flag
#   week 3 [2, 9 May): 3 x 3 km = 9 km exactly: no flag
AFTER = [("r1", "2024-04-18", 3500.0), ("r2", "2024-04-22", 2500.0),
         ("r3", "2024-04-26", 3600.0), ("r4", "2024-04-28", 3400.0),
         ("r5", "2024-04-30", 2000.01), ("r6", "2024-05-03", 3000.0),
         ("r7", "2024-05-05", 3000.0), ("r8", "2024-05-07", 3000.0)]


def history(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return sessions_frame([run(a, f"{d} 07:00:00", m) for a, d, m in rows])


def daily_of(sessions: pd.DataFrame) -> pd.DataFrame:
    dist = sessions.groupby("local_date")["distance_m"].sum()
    days = pd.date_range(dist.index.min(), dist.index.max(), freq="D", name="local_date")
    dist = dist.reindex(days, fill_value=0.0)
    return pd.DataFrame({"runs": dist.gt(0).astype("int64"), "distance_m": dist})


def test_layoff_baselines_are_exact():
    gaps = layoffs(history(BEFORE + AFTER))
    assert len(gaps) == 1
    g = gaps.iloc[0]
    assert g["last_run_date"] == pd.Timestamp("2024-03-28")
    assert g["return_date"] == pd.Timestamp("2024-04-18")
    assert g["gap_days"] == 21
    assert g["return_until"] == pd.Timestamp("2024-05-16")
    assert g["baseline_median_week_m"] == 12000.0
    assert g["baseline_median_session_m"] == 7000.0
    assert g["baseline_longest_m"] == 12000.0
    assert list(gaps.columns) == ["last_run_date", "return_date", "gap_days", "return_until",
                                  "baseline_median_week_m", "baseline_median_session_m",
                                  "baseline_longest_m"]


def test_layoff_flags_session_and_week_thresholds_are_strict():
    s = history(BEFORE + AFTER)
    flags = layoff_flags(s, daily_of(s), LayoffRule())
    assert [(f["scope"], f["activity_id"], f["local_date"]) for f in flags] == [
        ("week", "", pd.Timestamp("2024-04-25"))]
    week = flags[0]
    assert week["value"] == pytest.approx(9000.01) and week["threshold"] == 9000.0
    assert week["message"] == (
        "Back after 21 days without running (last run 28 Mar 2024): 9.0 km in week 2 of the "
        "return (25 Apr 2024 to 1 May 2024) is more than 75 % of your usual week before the "
        "break (12.0 km median). Returning gradually is clinical convention (level IV "
        "evidence).")
    for f in flags:
        assert (f["flag_id"], f["severity"], f["evidence_grade"], f["citation_key"]) == (
            "F-LAYOFF", "caution", "expert opinion", "george2024")


def test_layoff_flags_only_the_first_session_back():
    after = [("r1", "2024-04-18", 3600.0)] + AFTER[1:]
    s = history(BEFORE + after)
    flags = [f for f in layoff_flags(s, daily_of(s), LayoffRule()) if f["scope"] == "session"]
    assert [(f["activity_id"], f["value"], f["threshold"]) for f in flags] == [
        ("r1", 3600.0, 3500.0)]  # r3 (3.6 km) later in return mode is F-SPIKE's business
    assert flags[0]["message"] == (
        "Back after 21 days without running (last run 28 Mar 2024): 3.6 km on 18 Apr 2024 is "
        "more than half your usual run before the break (7.0 km median). Returning gradually "
        "is clinical convention (level IV evidence).")
    for f in flags:
        assert (f["flag_id"], f["severity"], f["evidence_grade"], f["citation_key"]) == (
            "F-LAYOFF", "caution", "expert opinion", "george2024")
        assert list(f) == list(FLAG_COLUMNS)
    assert no_forbidden_words(flags)


def test_week_one_just_above_half_is_flagged():
    after = [("r1", "2024-04-18", 3500.0), ("r2", "2024-04-22", 2500.01)]
    s = history(BEFORE + after)
    flags = layoff_flags(s, daily_of(s), LayoffRule())
    [week] = [f for f in flags if f["scope"] == "week"]
    assert week["local_date"] == pd.Timestamp("2024-04-18")
    assert week["threshold"] == 6000.0
    assert "in week 1 of the return (18 Apr 2024 to 24 Apr 2024) is more than half" in \
        week["message"]


def test_sessions_after_return_mode_are_not_flagged():
    after = [("r1", "2024-04-18", 1000.0), ("r2", "2024-04-30", 1000.0),
             ("r3", "2024-05-10", 1000.0), ("late", "2024-05-16", 12000.0)]
    s = history(BEFORE + after)
    assert layoff_flags(s, daily_of(s), LayoffRule()) == []


def test_first_run_ever_has_no_flag():
    s = history([("first", "2024-03-01", 30000.0)])
    assert layoffs(s).empty
    assert layoff_flags(s, daily_of(s), LayoffRule()) == []


def test_baseline_weeks_before_the_first_run_are_left_out():
    # History starts 20 Mar: weeks (21, 28 Mar] = 6 km and (14, 21 Mar] = 4 km only.
    s = history([("a", "2024-03-20", 4000.0), ("b", "2024-03-28", 6000.0),
                 ("c", "2024-04-15", 2000.0)])
    g = layoffs(s).iloc[0]
    assert g["baseline_median_week_m"] == 5000.0
    assert g["baseline_median_session_m"] == 5000.0
    assert g["baseline_longest_m"] == 6000.0


def test_zero_median_week_gives_session_flags_only():
    # One 5 km run in the 4 weeks before the second break, known history before them:
    # weeks 5, 0, 0, 0 km.  (The first break, 1 Jan -> 28 Mar, is flagged on its own.)
    s = history([("old", "2024-01-01", 5000.0), ("a", "2024-03-28", 5000.0),
                 ("b", "2024-04-18", 20000.0)])
    g = layoffs(s).iloc[1]
    assert g["baseline_median_week_m"] == 0.0
    assert g["baseline_median_session_m"] == 5000.0
    flags = layoff_flags(s, daily_of(s), LayoffRule())
    assert [(f["scope"], f["activity_id"]) for f in flags
            if f["local_date"] >= pd.Timestamp("2024-04-18")] == [("session", "b")]


def test_return_mode_ends_at_the_next_break():
    s = history([("a", "2024-03-01", 8000.0), ("b", "2024-03-20", 1000.0),
                 ("c", "2024-04-05", 1000.0)])
    gaps = layoffs(s)
    assert gaps["return_until"].tolist() == [pd.Timestamp("2024-04-05"),
                                             pd.Timestamp("2024-05-03")]
    assert gaps["gap_days"].tolist() == [19, 16]


def test_layoff_parameters_and_switch():
    s = history(BEFORE + AFTER)
    assert layoffs(s, min_gap_days=22).empty
    assert len(layoffs(s, min_gap_days=21)) == 1
    assert layoffs(s, return_weeks=1).iloc[0]["return_until"] == pd.Timestamp("2024-04-25")
    assert layoff_flags(s, daily_of(s), LayoffRule(enabled=False)) == []
    with pytest.raises(ValueError, match="'min_gap_days' parameter of layoffs must be an int"):
        layoffs(s, min_gap_days=0)


def test_layoffs_on_empty_sessions():
    gaps = layoffs(sessions_frame([]))
    assert gaps.empty and str(gaps["gap_days"].dtype) == "int64"


# --- downhill ---------------------------------------------------------------------------

def hills(*rows: tuple[str, str, float | None], **extra) -> pd.DataFrame:
    return sessions_frame([run(a, t, descent_m=m, **extra) for a, t, m in rows])


def test_exactly_factor_times_is_not_flagged_above_is():
    s = hills(("a", "2024-03-01 08:00:00", 200.0), ("b", "2024-03-05 08:00:00", 260.0),
              ("c", "2024-03-06 08:00:00", 338.01))
    flags = downhill_flags(s, DownhillRule())
    assert [f["activity_id"] for f in flags] == ["c"]       # 338 = 1.3 x 260
    f = flags[0]
    assert (f["value"], f["threshold"], f["unit"], f["severity"], f["scope"]) == (
        338.01, pytest.approx(338.0), "m", "info", "session")
    assert f["message"].startswith("338 m of descent is more than 1.3 times the most in any run "
                                   "of the previous 30 days (260 m on 5 Mar 2024).")
    assert (f["evidence_grade"], f["citation_key"]) == ("expert opinion", "bontemps2020")
    assert list(f) == list(FLAG_COLUMNS)
    assert no_forbidden_words(flags)


def test_less_than_150_m_is_not_flagged_exactly_150_is():
    s = hills(("a", "2024-03-01 08:00:00", 100.0), ("b", "2024-03-02 08:00:00", 149.9))
    assert downhill_flags(s, DownhillRule()) == []
    s = hills(("a", "2024-03-01 08:00:00", 100.0), ("b", "2024-03-02 08:00:00", 150.0))
    assert [f["activity_id"] for f in downhill_flags(s, DownhillRule())] == ["b"]


def test_no_prior_descent_means_no_flag():
    s = hills(("a", "2024-03-01 08:00:00", None), ("b", "2024-03-02 08:00:00", 900.0))
    assert downhill_flags(s, DownhillRule()) == []
    s = hills(("a", "2024-03-01 08:00:00", 100.0), ("b", "2024-03-31 08:00:01", 900.0))
    assert downhill_flags(s, DownhillRule()) == []           # reference one second too old
    s = hills(("a", "2024-03-01 08:00:00", 100.0), ("b", "2024-03-31 08:00:00", 900.0))
    assert len(downhill_flags(s, DownhillRule())) == 1       # exactly 30 days: inside


def test_recorded_zero_counts_but_not_from_a_session_without_samples():
    flat = hills(("a", "2024-03-01 08:00:00", 0.0), ("b", "2024-03-02 08:00:00", 300.0))
    assert len(downhill_flags(flat, DownhillRule())) == 1
    manual = sessions_frame([run("a", "2024-03-01 08:00:00", descent_m=0.0, is_manual=True),
                             run("b", "2024-03-02 08:00:00", descent_m=300.0)])
    assert downhill_flags(manual, DownhillRule()) == []
    assert downhill_flags(flat, DownhillRule(enabled=False)) == []


# --- real data --------------------------------------------------------------------------

def test_real_history_finds_the_long_break(realdata):
    sessions = runload.read_history(realdata / "history_a", tz="Asia/Shanghai",
                                    use_cache=False).sessions
    gaps = layoffs(sessions)
    long_break = gaps[(gaps["last_run_date"] == pd.Timestamp("2021-12-19"))
                      & (gaps["return_date"] == pd.Timestamp("2022-09-23"))]
    assert len(long_break) == 1 and long_break["gap_days"].iloc[0] == 278
    assert (gaps["gap_days"] >= 14).all()
    day_table = daily_table(sessions)
    flags = (layoff_flags(sessions, day_table, LayoffRule())
             + rest_flags(day_table, RestRule()) + downhill_flags(sessions, DownhillRule()))
    assert len(flags_frame(flags)) == len(flags)
    assert no_forbidden_words(flags)
