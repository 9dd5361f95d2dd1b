"""Single-session spikes (science.md A1, F-SPIKE): exact values on hand-built histories."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import runload
from runload.analysis.spikes import prior_window_argmax, session_spikes, spike_flags
from runload.config import SpikeRule
from runload.schema import FLAG_COLUMNS, flags_frame, sessions_frame


def run(activity_id: str, start_utc: str, distance_m: float | None = 10000.0,
        timer_s: float | None = 3000.0, **extra) -> dict:
    """One running session; the local day is the UTC day (the tests' runner lives at UTC)."""
    return {"activity_id": activity_id, "sport": "running", "sub_sport": "generic",
            "start_utc": start_utc, "local_date": pd.Timestamp(start_utc[:10]),
            "distance_m": distance_m, "timer_s": timer_s, **extra}


def spikes_of(*rows: dict, **kwargs) -> pd.DataFrame:
    return session_spikes(sessions_frame(list(rows)), **kwargs).set_index("activity_id")


# --- the window -------------------------------------------------------------------------

def test_reference_exactly_lookback_before_is_inside():
    s = spikes_of(run("a", "2024-03-01 08:00:00", 10000.0),
                  run("b", "2024-03-31 08:00:00", 12000.0))
    assert s.loc["b", "ref_activity_id"] == "a"
    assert s.loc["b", "ref_local_date"] == pd.Timestamp("2024-03-01")
    assert s.loc["b", "ref_distance_m"] == 10000.0
    assert s.loc["b", "spike_frac"] == pytest.approx(0.2)
    assert s.loc["b", "spike_bin"] == ">10-30%"


def test_reference_one_second_too_old_is_outside():
    s = spikes_of(run("a", "2024-03-01 08:00:00", 10000.0),
                  run("b", "2024-03-31 08:00:01", 12000.0))
    assert s.loc["b", "spike_bin"] == "no_reference"
    assert s.loc["b", "ref_activity_id"] == ""
    assert pd.isna(s.loc["b", "ref_local_date"])
    assert np.isnan(s.loc["b", "ref_distance_m"]) and np.isnan(s.loc["b", "spike_frac"])


def test_lookback_days_parameter_moves_the_edge():
    rows = (run("a", "2024-03-01 08:00:00", 10000.0), run("b", "2024-03-08 08:00:00", 15000.0))
    assert spikes_of(*rows, lookback_days=7).loc["b", "spike_bin"] == ">30-100%"
    assert spikes_of(*rows, lookback_days=6).loc["b", "spike_bin"] == "no_reference"


def test_first_run_and_run_after_31_day_gap_have_no_reference():
    s = spikes_of(run("a", "2024-01-01 08:00:00", 10000.0),
                  run("b", "2024-02-01 08:00:00", 3000.0),
                  run("c", "2024-02-02 08:00:00", 4000.0))
    assert s["spike_bin"].tolist() == ["no_reference", "no_reference", ">30-100%"]
    assert s.loc["c", "ref_activity_id"] == "b"


def test_morning_run_is_the_reference_for_the_evening_run_the_same_day():
    s = spikes_of(run("am", "2024-03-05 06:00:00", 5000.0),
                  run("pm", "2024-03-05 18:00:00", 8000.0))
    assert s.loc["am", "spike_bin"] == "no_reference"
    assert s.loc["pm", "ref_activity_id"] == "am"
    assert s.loc["pm", "spike_frac"] == pytest.approx(0.6)
    assert s.loc["pm", "spike_bin"] == ">30-100%"


def test_run_never_its_own_reference_nor_one_started_at_the_same_instant():
    s = spikes_of(run("a", "2024-03-05 06:00:00", 5000.0),
                  run("b", "2024-03-05 06:00:00", 8000.0))
    assert s["spike_bin"].tolist() == ["no_reference", "no_reference"]


def test_longest_run_not_latest_is_the_reference_and_ties_go_to_the_latest():
    s = spikes_of(run("a", "2024-03-01 08:00:00", 9000.0),
                  run("b", "2024-03-03 08:00:00", 12000.0),
                  run("c", "2024-03-05 08:00:00", 5000.0),
                  run("d", "2024-03-07 08:00:00", 12000.0),
                  run("e", "2024-03-09 08:00:00", 13200.0))
    assert s.loc["c", "ref_activity_id"] == "b"
    assert s.loc["c", "spike_frac"] == pytest.approx(5000 / 12000 - 1)
    assert s.loc["c", "spike_bin"] == "none"
    assert s.loc["d", "spike_bin"] == "none"
    assert s.loc["e", "ref_activity_id"] == "d"
    assert s.loc["e", "ref_local_date"] == pd.Timestamp("2024-03-07")


def test_nan_and_zero_distance_references_are_ignored():
    s = spikes_of(run("a", "2024-03-01 08:00:00", 10000.0),
                  run("b", "2024-03-02 08:00:00", None),
                  run("c", "2024-03-03 08:00:00", 0.0),
                  run("d", "2024-03-04 08:00:00", 11500.0))
    assert s.loc["d", "ref_activity_id"] == "a"
    assert s.loc["d", "spike_frac"] == pytest.approx(0.15)


def test_window_holding_only_a_run_without_distance_has_no_distance_reference():
    s = spikes_of(run("a", "2024-03-01 08:00:00", None, timer_s=1800.0),
                  run("b", "2024-03-02 08:00:00", 5000.0, timer_s=2700.0))
    assert s.loc["b", "spike_bin"] == "no_reference"
    assert s.loc["b", "duration_spike_bin"] == ">30-100%"
    assert s.loc["b", "duration_spike_frac"] == pytest.approx(0.5)


# --- the bins ---------------------------------------------------------------------------

@pytest.mark.parametrize(("ref_m", "run_m", "expected"), [
    (10000.0, 11000.0, "none"),          # exactly 10 %: the study's reference group
    (9000.0, 9900.0, "none"),            # 9900 / 9000 - 1 = 0.10000000000000009 in floats
    (7000.0, 7700.0, "none"),
    (3000.0, 3300.0, "none"),
    (10000.0, 11000.01, ">10-30%"),      # 10.0001 %
    (10000.0, 13000.0, ">10-30%"),       # exactly 30 %
    (9000.0, 11700.0, ">10-30%"),
    (10000.0, 13000.01, ">30-100%"),
    (10000.0, 20000.0, ">30-100%"),      # exactly 100 %
    (10000.0, 20000.01, ">100%"),
    (10000.0, 5000.0, "none"),           # a decrease
])
def test_bins_are_strict(ref_m, run_m, expected):
    s = spikes_of(run("a", "2024-03-01 08:00:00", ref_m), run("b", "2024-03-02 08:00:00", run_m))
    assert s.loc["b", "spike_bin"] == expected
    assert s.loc["b", "spike_frac"] == pytest.approx(run_m / ref_m - 1)


def test_custom_bins():
    s = spikes_of(run("a", "2024-03-01 08:00:00", 10000.0),
                  run("b", "2024-03-02 08:00:00", 10600.0), bins_frac=(0.05, 0.5, 2.0))
    assert s.loc["b", "spike_bin"] == ">10-30%"
    assert s.attrs == {"lookback_days": 30, "bins_frac": (0.05, 0.5, 2.0)}


# --- reliability and the duration variant ----------------------------------------------

def test_distance_reliability_and_reason():
    s = spikes_of(run("road", "2024-03-01 08:00:00"),
                  run("mill", "2024-03-02 08:00:00", sub_sport="treadmill"),
                  run("indoor", "2024-03-03 08:00:00", sub_sport="indoor_running"),
                  run("zwift", "2024-03-04 08:00:00", sub_sport="virtual_activity"),
                  run("manual", "2024-03-05 08:00:00", is_manual=True),
                  run("summary", "2024-03-06 08:00:00", is_summary_only=True),
                  run("nan", "2024-03-07 08:00:00", None),
                  run("zero", "2024-03-08 08:00:00", 0.0))
    assert s["distance_reliable"].tolist() == [True] + [False] * 7
    assert s["distance_unreliable_reason"].tolist() == [
        "", "treadmill", "indoor_running", "virtual_activity", "manual", "summary_only",
        "no_distance", "no_distance"]


def test_duration_falls_back_to_elapsed_time():
    s = spikes_of(run("a", "2024-03-01 08:00:00", timer_s=None, elapsed_s=2000.0),
                  run("b", "2024-03-02 08:00:00", timer_s=2500.0, elapsed_s=2600.0))
    assert s["duration_s"].tolist() == [2000.0, 2500.0]
    assert s.loc["b", "ref_duration_s"] == 2000.0
    assert s.loc["b", "ref_duration_activity_id"] == "a"
    assert s.loc["b", "duration_spike_frac"] == pytest.approx(0.25)
    assert s.loc["b", "duration_spike_bin"] == ">10-30%"


def test_treadmill_run_is_flagged_on_duration():
    sessions = sessions_frame([
        run("road", "2024-03-02 07:00:00", 10000.0, timer_s=3000.0),
        run("mill", "2024-03-09 07:00:00", 10000.0, timer_s=3900.0, sub_sport="treadmill")])
    s = session_spikes(sessions).set_index("activity_id")
    assert s.loc["mill", "spike_bin"] == "none"          # the estimate would say no spike
    assert s.loc["mill", "duration_spike_bin"] == ">10-30%"
    flags = spike_flags(session_spikes(sessions), SpikeRule())
    assert len(flags) == 1
    f = flags[0]
    assert (f["activity_id"], f["severity"], f["unit"]) == ("mill", "caution", "frac")
    assert f["value"] == pytest.approx(0.3) and f["threshold"] == 0.10
    assert f["evidence_grade"] == "expert opinion"
    assert f["message"].startswith(
        "Treadmill distance is an estimate, so this compares duration: 1 h 05 min is 30 % "
        "longer than your longest run by time in the previous 30 days, 50 min on 2 Mar 2024.")
    assert "applying it to duration is expert opinion" in f["message"]


def test_reliable_run_is_not_flagged_on_duration():
    sessions = sessions_frame([run("a", "2024-03-02 07:00:00", 10000.0, timer_s=3000.0),
                               run("b", "2024-03-03 07:00:00", 10000.0, timer_s=6000.0)])
    assert spike_flags(session_spikes(sessions), SpikeRule()) == []


# --- flags ------------------------------------------------------------------------------

def test_spike_flag_message_and_fields():
    sessions = sessions_frame([run("ref", "2024-03-02 07:00:00", 9000.0),
                               run("big", "2024-03-20 07:00:00", 11800.0)])
    flags = spike_flags(session_spikes(sessions), SpikeRule())
    assert flags == [{
        "flag_id": "F-SPIKE", "scope": "session", "activity_id": "big",
        "local_date": pd.Timestamp("2024-03-20"), "severity": "warning",
        "value": pytest.approx(11800 / 9000 - 1), "threshold": 0.30, "unit": "frac",
        "message": "11.8 km is 31 % longer than your longest run in the previous 30 days, "
                   "9.0 km on 2 Mar 2024. In a cohort study of 5,205 runners, runs more than "
                   "10 % longer than the month's longest were linked with more overuse "
                   "injuries; this is an association, not a prediction.",
        "evidence_grade": "moderate", "citation_key": "frandsen2025"}]
    assert list(flags[0]) == list(FLAG_COLUMNS)
    assert len(flags_frame(flags)) == 1


@pytest.mark.parametrize(("run_m", "severity", "threshold"), [
    (11000.0, None, None), (11001.0, "caution", 0.10), (13000.0, "caution", 0.10),
    (13001.0, "warning", 0.30), (20000.0, "warning", 0.30), (20001.0, "high", 1.00)])
def test_flag_severity_per_bin(run_m, severity, threshold):
    sessions = sessions_frame([run("a", "2024-03-01 08:00:00", 10000.0),
                               run("b", "2024-03-02 08:00:00", run_m)])
    flags = spike_flags(session_spikes(sessions), SpikeRule())
    assert [(f["severity"], f["threshold"]) for f in flags] == (
        [] if severity is None else [(severity, threshold)])


def test_no_flag_without_reference_and_when_disabled():
    sessions = sessions_frame([run("a", "2024-01-01 08:00:00", 5000.0),
                               run("b", "2024-03-01 08:00:00", 30000.0),
                               run("c", "2024-03-02 08:00:00", 40000.0)])
    spikes = session_spikes(sessions)
    assert [f["activity_id"] for f in spike_flags(spikes, SpikeRule())] == ["c"]
    assert spike_flags(spikes, SpikeRule(enabled=False)) == []


def test_rule_lookback_must_match_the_table():
    spikes = session_spikes(sessions_frame([run("a", "2024-03-01 08:00:00")]), lookback_days=14)
    with pytest.raises(ValueError, match="lookback_days=14 but the rule says 30"):
        spike_flags(spikes, SpikeRule())
    assert spike_flags(spikes, dataclasses.replace(SpikeRule(), lookback_days=14)) == []


def test_rule_bins_and_severities_are_used():
    sessions = sessions_frame([run("a", "2024-03-01 08:00:00", 10000.0),
                               run("b", "2024-03-02 08:00:00", 10600.0)])
    rule = dataclasses.replace(SpikeRule(), bins_frac=(0.05, 0.5, 2.0),
                               severities=("info", "caution", "warning"))
    flags = spike_flags(session_spikes(sessions, bins_frac=rule.bins_frac), rule)
    assert [(f["severity"], f["threshold"]) for f in flags] == [("info", 0.05)]
    assert "more than 5 % longer" in flags[0]["message"]


def test_messages_never_say_safe_or_prevent():
    rows = [run("a", "2024-03-01 08:00:00", 5000.0, timer_s=1500.0)]
    rows += [run(f"r{i}", f"2024-03-{2 + i:02d} 08:00:00", 5000.0 * 1.5 ** (i + 1),
                 timer_s=1500.0 * 1.5 ** (i + 1), sub_sport="treadmill" if i % 2 else "street")
             for i in range(6)]
    flags = spike_flags(session_spikes(sessions_frame(rows)), SpikeRule())
    assert len(flags) == 6
    for f in flags:
        assert "safe" not in f["message"].lower() and "prevent" not in f["message"].lower()


# --- shape, validation, speed -----------------------------------------------------------

def test_only_counting_runs_in_start_order_and_input_untouched():
    sessions = sessions_frame([
        run("late", "2024-03-03 08:00:00", 12000.0),
        run("early", "2024-03-01 08:00:00", 10000.0),
        {**run("bike", "2024-03-02 08:00:00", 90000.0), "sport": "cycling"},
        {**run("dup", "2024-03-02 09:00:00", 50000.0), "duplicate_of": "early"},
        {**run("undated", "2024-03-02 10:00:00", 50000.0), "local_date": None}])
    before = sessions.copy()
    s = session_spikes(sessions)
    pd.testing.assert_frame_equal(sessions, before)
    assert s["activity_id"].tolist() == ["early", "late"]
    assert s.index.tolist() == [1, 0]
    assert s.loc[0, "spike_bin"] == ">10-30%"


def test_empty_input_gives_empty_table_with_columns():
    s = session_spikes(sessions_frame([]))
    assert s.empty
    assert list(s.columns) == [
        "activity_id", "local_date", "start_utc", "distance_m", "duration_s", "ref_distance_m",
        "ref_activity_id", "ref_local_date", "spike_frac", "spike_bin", "distance_reliable",
        "distance_unreliable_reason", "ref_duration_s", "ref_duration_activity_id",
        "ref_duration_local_date", "duration_spike_frac", "duration_spike_bin"]
    assert spike_flags(s, SpikeRule()) == []


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"lookback_days": 0}, "'lookback_days' parameter of session_spikes must be an int >= 1"),
    ({"lookback_days": 7.5}, "Got 7.5 instead"),
    ({"bins_frac": (0.3, 0.1, 1.0)}, "'bins_frac' parameter of session_spikes"),
    ({"bins_frac": (0.1, 0.3)}, "three increasing fractions"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        session_spikes(sessions_frame([]), **kwargs)


def test_window_argmax_matches_brute_force_on_random_history():
    rng = np.random.default_rng(7)
    n = 600
    times = np.sort(rng.integers(0, 400 * 86_400 * 10**6, n))
    times[10:14] = times[10]                       # simultaneous starts
    values = rng.uniform(1000, 20000, n).round(-3)  # many ties
    values[rng.random(n) < 0.1] = np.nan
    got = prior_window_argmax(times, values, lookback_days=30)
    for i in range(n):
        inside = np.flatnonzero((times >= times[i] - 30 * 86_400 * 10**6) & (times < times[i])
                                & ~np.isnan(values))
        if len(inside) == 0:
            assert got[i] == -1
        else:
            best = values[inside].max()
            assert got[i] == inside[values[inside] == best].max()


# --- real data --------------------------------------------------------------------------

def test_real_history(realdata):
    sessions = runload.read_history(realdata / "history_a", tz="Asia/Shanghai",
                                    use_cache=False).sessions
    s = session_spikes(sessions)
    assert len(s) == 188
    no_ref = s.loc[s["spike_bin"] == "no_reference", "local_date"]
    assert pd.Timestamp("2022-09-23") in set(no_ref)      # after the 2021-12 -> 2022-09 break
    assert s["spike_bin"].isin(["none", ">10-30%", ">30-100%", ">100%", "no_reference"]).all()
    flags = spike_flags(s, SpikeRule())
    assert len(flags) > 0
    assert len(flags_frame(flags)) == len(flags)
    assert not any("safe" in f["message"].lower() or "prevent" in f["message"].lower()
                   for f in flags)
