"""Tests for runload.analysis.fitness: TRIMP/HRSS loads, CTL/ATL/TSB, monotony and flags.

Function tests use tiny hand-built inputs with values worked out from the
formulas in science.md (C1, C3, B4-B6); the last test runs the real history.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import runload
from runload import schema
from runload.analysis.acwr import acwr
from runload.analysis.fitness import (
    BANISTER_CONSTANTS,
    banister_trimp,
    estimate_hr_bounds,
    fitness_fatigue,
    fitness_flags,
    history_load_kind,
    monotony,
    monotony_flags,
    session_load,
)
from runload.config import FitnessRule, MonotonyRule
from runload.errors import RunloadWarning

REST, MAX = 60.0, 190.0


def daily(values: list[float], start: str = "2024-03-01") -> pd.Series:
    index = pd.date_range(start, periods=len(values), freq="D", name="local_date")
    return pd.Series(values, index=index, name="load", dtype="float64")


def trimp_term(hr: float, seconds: float, a: float, b: float) -> float:
    """One sample of science.md C1, written out independently of the module."""
    reserve = min(max((hr - REST) / (MAX - REST), 0.0), 1.0)
    return seconds / 60 * reserve * a * math.exp(b * reserve)


def sessions(*rows: dict) -> pd.DataFrame:
    return schema.sessions_frame([{"sport": "running", **row} for row in rows])


# ---------------------------------------------------------------- TRIMP

@pytest.mark.parametrize(("sex", "a", "b"), [("male", 0.64, 1.92), ("female", 0.86, 1.67)])
def test_banister_trimp_three_samples(sex, a, b):
    hr = np.array([100.0, 150.0, 180.0])
    dt = np.array([60.0, 120.0, 30.0])
    expected = sum(trimp_term(h, s, a, b) for h, s in zip(hr, dt, strict=True))
    got = banister_trimp(hr, dt, hr_rest_bpm=REST, hr_max_bpm=MAX, sex=sex)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-12)
    assert BANISTER_CONSTANTS[sex] == (a, b)
    # by hand, men: 1 min at HRr 40/130, 2 min at 90/130, 0.5 min at 120/130
    if sex == "male":
        by_hand = (1 * (4 / 13) * 0.64 * math.exp(1.92 * 4 / 13)
                   + 2 * (9 / 13) * 0.64 * math.exp(1.92 * 9 / 13)
                   + 0.5 * (12 / 13) * 0.64 * math.exp(1.92 * 12 / 13))
        assert got == pytest.approx(by_hand, rel=1e-12)


def test_heart_rate_reserve_is_clamped():
    def one(hr):
        return banister_trimp(np.array([hr]), np.array([60.0]), hr_rest_bpm=REST,
                              hr_max_bpm=MAX)
    assert one(50.0) == 0.0 and one(REST) == 0.0
    assert one(210.0) == one(MAX) == pytest.approx(0.64 * math.exp(1.92))
    # a missing sample counts 0
    assert banister_trimp(np.array([np.nan, 150.0]), np.array([60.0, 60.0]),
                          hr_rest_bpm=REST, hr_max_bpm=MAX) == pytest.approx(one(150.0))


def test_banister_trimp_errors():
    ok = {"hr_rest_bpm": REST, "hr_max_bpm": MAX}
    with pytest.raises(ValueError, match=re.escape(
            "The 'sex' parameter of banister_trimp must be one of 'male', 'female'; "
            "got 'x' instead.")):
        banister_trimp(np.array([150.0]), np.array([1.0]), sex="x", **ok)
    with pytest.raises(ValueError, match="'hr_max_bpm'"):
        banister_trimp(np.array([150.0]), np.array([1.0]), hr_rest_bpm=60, hr_max_bpm=60)
    with pytest.raises(ValueError, match="length"):
        banister_trimp(np.array([150.0]), np.array([1.0, 1.0]), **ok)
    with pytest.raises(ValueError, match=">= 0"):
        banister_trimp(np.array([150.0]), np.array([-1.0]), **ok)


# ---------------------------------------------------------------- session loads

def test_auto_uses_avg_hr_then_minutes():
    table = sessions(
        {"activity_id": "hr", "timer_s": 1800.0, "elapsed_s": 1900.0, "avg_hr_bpm": 150.0,
         "max_hr_bpm": 170.0},
        {"activity_id": "manual", "timer_s": 1200.0, "elapsed_s": 1200.0},
        {"activity_id": "no_timer", "timer_s": 0.0, "elapsed_s": 900.0},
        {"activity_id": "nothing", "timer_s": 0.0, "elapsed_s": 0.0, "distance_m": 3000.0},
    )
    before = table.copy()
    out = session_load(table, hr_rest_bpm=REST, hr_max_bpm=MAX)
    pd.testing.assert_frame_equal(table, before)
    assert out.index.name == "activity_id"
    assert list(out.index) == ["hr", "manual", "no_timer", "nothing"]
    assert list(out.columns) == ["load", "load_kind"]
    assert list(out["load_kind"]) == ["trimp_avg_hr", "duration_min", "duration_min", "none"]
    # the average-HR fallback is the one-sample formula over the moving time
    one_sample = banister_trimp(np.array([150.0]), np.array([1800.0]), hr_rest_bpm=REST,
                                hr_max_bpm=MAX)
    assert out.loc["hr", "load"] == pytest.approx(one_sample, rel=1e-12)
    assert out.loc["manual", "load"] == 20.0
    assert out.loc["no_timer", "load"] == 15.0  # elapsed time when the timer is 0
    assert math.isnan(out.loc["nothing", "load"])
    assert out.attrs["hr_max_bpm"] == MAX and out.attrs["hr_bounds"].startswith("given")
    assert history_load_kind(out) == "duration_min+trimp_avg_hr"


def test_female_constants_in_session_load():
    table = sessions({"activity_id": "a", "timer_s": 600.0, "avg_hr_bpm": 160.0})
    out = session_load(table, sex="female", hr_rest_bpm=REST, hr_max_bpm=MAX)
    assert out.loc["a", "load"] == pytest.approx(trimp_term(160.0, 600.0, 0.86, 1.67))


def test_streams_give_per_sample_trimp():
    stream = schema.stream_frame(elapsed_s=[0.0, 1.0, 3.0, 4.0],
                                 hr_bpm=[100.0, 150.0, 180.0, 120.0])
    gappy = schema.stream_frame(elapsed_s=[0.0, 10.0, 100.0, 110.0],
                                hr_bpm=[150.0, 150.0, 150.0, 150.0])
    no_hr = schema.stream_frame(elapsed_s=[0.0, 1.0])
    table = sessions(
        {"activity_id": "s", "timer_s": 4.0, "avg_hr_bpm": 140.0},
        {"activity_id": "g", "timer_s": 110.0, "avg_hr_bpm": 150.0},
        {"activity_id": "n", "timer_s": 600.0, "avg_hr_bpm": 150.0},
        {"activity_id": "m", "timer_s": 600.0},
    )
    out = session_load(table, hr_rest_bpm=REST, hr_max_bpm=MAX,
                       streams={"s": stream, "g": gappy, "n": no_hr, "m": no_hr})
    assert list(out["load_kind"]) == ["trimp_stream", "trimp_stream", "trimp_avg_hr",
                                      "duration_min"]
    # sample-and-hold: 1 s at 100, 2 s at 150, 1 s at 180, the last sample 0 s
    assert out.loc["s", "load"] == pytest.approx(
        banister_trimp(np.array([100.0, 150.0, 180.0]), np.array([1.0, 2.0, 1.0]),
                       hr_rest_bpm=REST, hr_max_bpm=MAX), rel=1e-12)
    # the 90 s gap (> 30 s) is a pause: 10 s + 10 s count
    assert out.loc["g", "load"] == pytest.approx(trimp_term(150.0, 20.0, 0.64, 1.92))
    longer_gaps = session_load(table, hr_rest_bpm=REST, hr_max_bpm=MAX, streams={"g": gappy},
                               max_sample_gap_s=120.0)
    assert longer_gaps.loc["g", "load"] == pytest.approx(trimp_term(150.0, 110.0, 0.64, 1.92))


def test_hrss_one_hour_at_threshold_is_100():
    lthr = REST + 0.85 * (MAX - REST)  # default LTHR: 170.5 bpm
    table = sessions(
        {"activity_id": "threshold", "timer_s": 3600.0, "avg_hr_bpm": lthr},
        {"activity_id": "easy_half_hour", "timer_s": 1800.0, "avg_hr_bpm": 130.0},
        {"activity_id": "manual", "timer_s": 1800.0},
    )
    out = session_load(table, kind="hrss", hr_rest_bpm=REST, hr_max_bpm=MAX)
    assert out.loc["threshold", "load"] == pytest.approx(100.0, rel=1e-12)
    easy = trimp_term(130.0, 1800.0, 0.64, 1.92) / trimp_term(lthr, 3600.0, 0.64, 1.92) * 100
    assert out.loc["easy_half_hour", "load"] == pytest.approx(easy, rel=1e-12)
    assert list(out["load_kind"]) == ["hrss", "hrss", "none"]
    assert math.isnan(out.loc["manual", "load"])
    assert out.attrs["lthr_bpm"] == pytest.approx(170.5)
    assert "estimated" in out.attrs["hr_bounds"]
    assert history_load_kind(out) == "hrss"
    given = session_load(table, kind="hrss", hr_rest_bpm=REST, hr_max_bpm=MAX, lthr_bpm=130.0)
    assert given.loc["easy_half_hour", "load"] == pytest.approx(50.0, rel=1e-12)


def test_duration_distance_and_trimp_kinds():
    table = sessions(
        {"activity_id": "a", "timer_s": 1500.0, "distance_m": 5000.0, "avg_hr_bpm": 150.0},
        {"activity_id": "b", "timer_s": 600.0},
    )
    duration = session_load(table, kind="duration")
    assert list(duration["load"]) == [25.0, 10.0]
    assert set(duration["load_kind"]) == {"duration_min"}
    distance = session_load(table, kind="distance")
    assert distance.loc["a", "load"] == 5.0 and distance.loc["a", "load_kind"] == "distance_km"
    assert distance.loc["b", "load_kind"] == "none"
    trimp = session_load(table, kind="trimp", hr_rest_bpm=REST, hr_max_bpm=MAX)
    assert list(trimp["load_kind"]) == ["trimp_avg_hr", "none"]


def test_session_load_errors():
    table = sessions({"activity_id": "a", "timer_s": 600.0, "avg_hr_bpm": 150.0})
    with pytest.raises(ValueError, match=re.escape(
            "The 'kind' parameter of session_load must be one of 'auto', 'trimp', 'hrss', "
            "'duration', 'distance'; got 'tss' instead.")):
        session_load(table, kind="tss")
    with pytest.raises(ValueError, match="'sex' parameter of session_load"):
        session_load(table, sex="unknown")
    with pytest.raises(ValueError, match="missing"):
        session_load(table.drop(columns="timer_s"))
    with pytest.raises(ValueError, match="hr_max_bpm"):
        session_load(table, kind="trimp")  # no max_hr_bpm anywhere to estimate from


def test_auto_without_any_max_hr_falls_back_to_minutes_with_a_warning():
    table = sessions({"activity_id": "a", "timer_s": 600.0, "avg_hr_bpm": 150.0})
    with pytest.warns(RunloadWarning, match="minutes"):
        out = session_load(table)
    assert out.loc["a", "load_kind"] == "duration_min" and out.loc["a", "load"] == 10.0


def test_estimate_hr_bounds_rule():
    few = sessions(*[{"activity_id": str(i), "max_hr_bpm": v}
                     for i, v in enumerate([150.0, 185.0, 240.0, 55.0, None])])
    rest, hr_max, how = estimate_hr_bounds(few)
    assert (rest, hr_max) == (60.0, 185.0)  # 240 implausible, 55 <= HRrest; n < 100
    assert how.startswith("estimated") and "default" in how
    many = sessions(*([{"activity_id": str(i), "max_hr_bpm": 170.0} for i in range(148)]
                      + [{"activity_id": "spike", "max_hr_bpm": 205.0},
                         {"activity_id": "error", "max_hr_bpm": 250.0}]))
    assert estimate_hr_bounds(many)[1] == 170.0  # 149 kept, top 1 % (1 value) dropped
    assert estimate_hr_bounds(many, outlier_frac=0.0)[1] == 205.0
    assert estimate_hr_bounds(many, hr_rest_bpm=50.0)[0] == 50.0
    assert math.isnan(estimate_hr_bounds(sessions({"activity_id": "x"}))[1])


def test_session_load_estimates_missing_bounds():
    table = sessions({"activity_id": "a", "timer_s": 600.0, "avg_hr_bpm": 150.0,
                      "max_hr_bpm": 180.0})
    out = session_load(table)
    assert out.attrs["hr_rest_bpm"] == 60.0 and out.attrs["hr_max_bpm"] == 180.0
    assert out.attrs["hr_bounds"].startswith("estimated")
    assert out.loc["a", "load"] == pytest.approx(
        banister_trimp(np.array([150.0]), np.array([600.0]), hr_rest_bpm=60, hr_max_bpm=180))


# ---------------------------------------------------------------- CTL / ATL / TSB

def test_fitness_fatigue_three_days_exact():
    k_ctl, k_atl = 1 - math.exp(-1 / 42), 1 - math.exp(-1 / 7)
    out = fitness_fatigue(daily([100.0, 50.0, 0.0]))
    assert list(out.columns) == ["ctl", "atl", "tsb", "ramp_7d"]
    ctl = [100 * k_ctl]
    ctl.append(ctl[0] + (50 - ctl[0]) * k_ctl)
    ctl.append(ctl[1] + (0 - ctl[1]) * k_ctl)
    atl = [100 * k_atl]
    atl.append(atl[0] + (50 - atl[0]) * k_atl)
    atl.append(atl[1] + (0 - atl[1]) * k_atl)
    np.testing.assert_allclose(out["ctl"], ctl, rtol=1e-12)
    np.testing.assert_allclose(out["atl"], atl, rtol=1e-12)
    # TSB uses yesterday's values; the seed (0, 0) makes day 1's TSB 0
    np.testing.assert_allclose(out["tsb"], [0.0, ctl[0] - atl[0], ctl[1] - atl[1]], rtol=1e-12)
    assert out["ramp_7d"].isna().all()


def test_ramp_is_the_7_day_ctl_difference():
    out = fitness_fatigue(daily([50.0, 0.0, 70.0, 30.0, 0.0, 60.0, 45.0, 80.0, 0.0, 55.0]))
    assert out["ramp_7d"].iloc[:7].isna().all()
    for t in (7, 8, 9):
        assert out["ramp_7d"].iloc[t] == pytest.approx(out["ctl"].iloc[t] - out["ctl"].iloc[t - 7])


def test_fitness_fatigue_zero_seed_and_options():
    assert (fitness_fatigue(daily([0.0] * 5)).fillna(0.0) == 0.0).all().all()
    out = fitness_fatigue(daily([10.0, 10.0]), ctl_days=1, atl_days=2)
    assert out["ctl"].iloc[0] == pytest.approx(10 * (1 - math.exp(-1)))
    with pytest.raises(ValueError, match="'ctl_days' parameter of fitness_fatigue"):
        fitness_fatigue(daily([1.0]), ctl_days=0)


# ---------------------------------------------------------------- monotony

def test_monotony_with_rest_days():
    out = monotony(daily([10.0, 0.0, 10.0, 0.0, 10.0, 0.0, 10.0]))
    mean = 40 / 7
    sd = math.sqrt((4 * 10**2) / 7 - mean**2)  # population SD (ddof=0), rest days as 0
    assert sd == pytest.approx(math.sqrt(1200) / 7)
    assert out["monotony"].iloc[-1] == pytest.approx(mean / sd, rel=1e-12)
    assert out["monotony"].iloc[-1] == pytest.approx(2 / math.sqrt(3), rel=1e-12)
    assert out["strain"].iloc[-1] == pytest.approx(40 * mean / sd, rel=1e-12)
    assert out.iloc[:6].isna().all().all()  # no full window yet


def test_monotony_cap_and_empty_week():
    same = monotony(daily([5.0] * 7))
    assert same["monotony"].iloc[-1] == 10.0  # SD = 0: the cap
    assert same["strain"].iloc[-1] == 350.0
    nearly = monotony(daily([5.0] * 6 + [5.001]))
    assert nearly["monotony"].iloc[-1] == 10.0
    assert monotony(daily([5.0] * 7), cap=4.0)["monotony"].iloc[-1] == 4.0
    rest = monotony(daily([0.0] * 7))
    assert math.isnan(rest["monotony"].iloc[-1]) and rest["strain"].iloc[-1] == 0.0
    with pytest.raises(ValueError, match="'window_days' parameter of monotony"):
        monotony(daily([1.0] * 7), window_days=1)


def monotony_table(values: list[float]) -> pd.DataFrame:
    index = pd.date_range("2024-03-01", periods=len(values), freq="D", name="local_date")
    return pd.DataFrame({"monotony": values, "strain": [0.0] * len(values)}, index=index)


def test_monotony_flags_one_per_episode_strictly_above():
    table = monotony_table([1.0, 2.0, 2.1, 2.5, 1.9, 2.0, 2.4, 10.0, np.nan, 2.2])
    flags = monotony_flags(table, MonotonyRule())
    assert [f["local_date"] for f in flags] == [pd.Timestamp("2024-03-03"),
                                                pd.Timestamp("2024-03-07"),
                                                pd.Timestamp("2024-03-10")]
    first = flags[0]
    assert list(first) == list(schema.FLAG_COLUMNS)
    assert (first["flag_id"], first["scope"], first["activity_id"], first["severity"],
            first["unit"], first["evidence_grade"], first["citation_key"]) == (
        "F-MONOTONY", "day", "", "info", "ratio", "weak", "foster1998")
    assert first["value"] == 2.1 and first["threshold"] == 2.0
    assert first["message"] == (
        "Your daily training load was very similar all week (monotony 2.1 in the 7 days to "
        "3 Mar 2024). Varying easy and hard days is common advice; this measure comes from "
        "a small study of illness, not injury.")
    for flag in flags:
        assert not re.search(r"\bsafe|prevent", flag["message"], re.IGNORECASE)
    assert len(schema.flags_frame(flags)) == 3
    assert monotony_flags(table, MonotonyRule(enabled=False)) == []
    assert len(monotony_flags(table, MonotonyRule(max_monotony=2.45))) == 2


# ---------------------------------------------------------------- fitness flags

def fitness_table(tsb: list[float], ramp: list[float]) -> pd.DataFrame:
    index = pd.date_range("2024-03-01", periods=len(tsb), freq="D", name="local_date")
    return pd.DataFrame({"ctl": 0.0, "atl": 0.0, "tsb": tsb, "ramp_7d": ramp}, index=index)


def test_fitness_flags_only_for_tss_scaled_load():
    table = fitness_table([-50.0] * 20, [20.0] * 20)
    for kind in ("trimp_avg_hr", "duration_min", "distance_km", "trimp_stream",
                 "duration_min+hrss", "none"):
        assert fitness_flags(table, FitnessRule(), load_kind=kind, warmup_days=0) == []
    assert fitness_flags(table, FitnessRule(), load_kind="hrss", warmup_days=0)
    assert fitness_flags(table, FitnessRule(enabled=False), load_kind="hrss",
                         warmup_days=0) == []


def test_ramp_flag_needs_two_full_weeks():
    ramp = [9.0] * 13 + [5.0] + [9.0] * 14 + [8.0] + [9.5] * 3
    flags = fitness_flags(fitness_table([0.0] * len(ramp), ramp), FitnessRule(),
                          load_kind="hrss", warmup_days=0)
    assert [f["flag_id"] for f in flags] == ["F-RAMP"]
    # the second stretch reaches 14 days above 8 on its 14th day (index 27)
    assert flags[0]["local_date"] == pd.Timestamp("2024-03-28")
    assert (flags[0]["value"], flags[0]["threshold"], flags[0]["unit"]) == (9.0, 8.0, "load/week")
    assert "rose by more than 8 points a week for 2 weeks in a row" in flags[0]["message"]


def test_tsb_flag_episodes_and_warm_up():
    tsb = [0.0] * 130 + [-31.0, -40.0, -30.0, -35.0]
    flags = fitness_flags(fitness_table(tsb, [0.0] * len(tsb)), FitnessRule(), load_kind="hrss")
    assert [(f["flag_id"], f["local_date"], f["value"]) for f in flags] == [
        ("F-TSB", pd.Timestamp("2024-07-09"), -31.0),  # -30 itself is not below -30
        ("F-TSB", pd.Timestamp("2024-07-12"), -35.0)]
    assert flags[0]["message"].startswith("Your form score (TSB) fell to -31 on 9 Jul 2024")
    assert flags[0]["evidence_grade"] == "expert opinion"
    assert len(schema.flags_frame(flags)) == 2
    early = [-50.0] * 10 + [0.0] * 130
    # within the first 3 x 42 days the zero seed still weighs: no flag
    assert fitness_flags(fitness_table(early, [0.0] * 140), FitnessRule(), load_kind="hrss") == []


# ---------------------------------------------------------------- real history

def test_real_history_loads(realdata):
    history = runload.read_history(realdata / "history_a", tz="Asia/Shanghai", use_cache=False)
    runs = history.sessions[history.sessions["sport"] == "running"]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RunloadWarning)
        loads = session_load(runs)
    assert len(loads) == 188
    assert set(loads["load_kind"]) == {"trimp_avg_hr", "duration_min"}
    manual = runs["is_manual"].to_numpy()
    assert (loads["load_kind"].to_numpy()[manual] == "duration_min").all()  # no HR recorded
    assert (loads["load"] > 0).all()
    assert 150 <= loads.attrs["hr_max_bpm"] <= 220
    assert history_load_kind(loads) == "duration_min+trimp_avg_hr"

    # a daily series as daily.daily_table builds it: local days, rest days 0
    per_day = loads["load"].groupby(runs["local_date"].to_numpy()).sum()
    days = pd.date_range(per_day.index.min(), per_day.index.max(), freq="D", name="local_date")
    load = per_day.reindex(days, fill_value=0.0)
    for method in ("uncoupled", "coupled", "ewma"):
        ratio = acwr(load, method=method)["ratio"]
        assert ratio.index.equals(days)
        assert ratio.iloc[:27].isna().all() and ratio.notna().any()
    pmc = fitness_fatigue(load)
    assert pmc.notna().all().drop("ramp_7d").all()
    # mixed kinds are not TSS-scaled: no F-RAMP / F-TSB
    assert fitness_flags(pmc, FitnessRule(), load_kind=history_load_kind(loads)) == []
    weekly = monotony(load)
    assert set(f["flag_id"] for f in monotony_flags(weekly, MonotonyRule())) <= {"F-MONOTONY"}
