"""The whole analysis on real data, checked against independent brute-force calculations."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from runload import read_history
from runload.analysis.flags import analyze
from runload.analysis.references import REFERENCES
from runload.config import SpikeRule, Thresholds
from runload.schema import validate_columns


@pytest.fixture(scope="module")
def history_a(realdata):
    return read_history(realdata / "history_a", tz="Asia/Shanghai", use_cache=False).sessions


@pytest.fixture(scope="module")
def analysis(history_a):
    return analyze(history_a)


def _runs(sessions: pd.DataFrame) -> list[dict]:
    runs = sessions[(sessions["sport"] == "running") & (sessions["duplicate_of"] == "")]
    return runs.sort_values("start_utc").to_dict("records")


def test_tables_cover_history_a(analysis):
    validate_columns(analysis.flags, "flags")
    assert len(analysis.runs) == 188
    assert analysis.daily.index[0] == pd.Timestamp("2019-08-31")
    assert analysis.daily["runs"].sum() == 188
    assert analysis.daily["distance_m"].sum() == pytest.approx(analysis.runs["distance_m"].sum())
    # 46 manual entries carry no heart rate: one scale for all, and it says why
    assert analysis.load_kind == "duration_min"
    assert "46 of 188 runs have no heart rate" in analysis.load_note
    assert set(analysis.flags["citation_key"]) <= set(REFERENCES)
    assert set(analysis.references["key"]) == set(analysis.flags["citation_key"])


def test_spike_flags_match_a_brute_force_calculation(history_a, analysis):
    runs = _runs(history_a)
    expected = set()
    for i, run in enumerate(runs):
        t = run["start_utc"]
        prior = [r for r in runs[:i] if t - pd.Timedelta(days=30) <= r["start_utc"] < t]
        reliable = (run["sub_sport"] not in ("treadmill", "indoor_running", "virtual_activity")
                    and not run["is_manual"] and run["distance_m"] > 0)
        key = "distance_m" if reliable else "timer_s"
        refs = [r[key] for r in prior if r[key] == r[key] and r[key] > 0]
        if refs and run[key] / max(refs) - 1 > 0.10 + 1e-9:
            expected.add(run["activity_id"])
    flagged = set(analysis.flags.loc[analysis.flags["flag_id"] == "F-SPIKE", "activity_id"])
    assert flagged == expected
    assert len(expected) > 5


def test_layoffs_match_a_brute_force_calculation(history_a, analysis):
    days = sorted({r["local_date"] for r in _runs(history_a)})
    gaps = [(a, b) for a, b in zip(days, days[1:], strict=False) if (b - a).days >= 14]
    got = list(zip(analysis.layoffs["last_run_date"], analysis.layoffs["return_date"],
                   strict=True))
    assert got == gaps
    assert (pd.Timestamp("2021-12-19"), pd.Timestamp("2022-09-23")) in got


def test_no_streak_of_14_run_days_in_history_a(history_a, analysis):
    days = sorted({r["local_date"] for r in _runs(history_a)})
    longest = streak = 1
    for a, b in zip(days, days[1:], strict=False):
        streak = streak + 1 if (b - a).days == 1 else 1
        longest = max(longest, streak)
    assert longest < 14
    assert "F-NOREST" not in set(analysis.flags["flag_id"]) or longest >= 14
    assert analysis.rest["consecutive_run_days"].max() == longest


def test_messages_never_claim_safety_or_prevention(analysis):
    text = " ".join(analysis.flags["message"]).lower()
    for word in ("safe", "prevents", "will get injured", "back pain"):
        assert word not in text


def test_rules_can_be_switched_off_and_changed(history_a, analysis):
    off = dataclasses.replace(Thresholds(), spike=SpikeRule(enabled=False))
    flags = analyze(history_a, thresholds=off).flags
    assert "F-SPIKE" not in set(flags["flag_id"])
    assert len(flags) == len(analysis.flags) - (analysis.flags["flag_id"] == "F-SPIKE").sum()
    strict = Thresholds.from_mapping({"spike": {"bins_frac": [0.5, 0.8, 1.5]}})
    fewer = analyze(history_a, thresholds=strict).flags
    assert ((fewer["flag_id"] == "F-SPIKE").sum()
            < (analysis.flags["flag_id"] == "F-SPIKE").sum())


def test_as_of_extends_the_daily_table_with_rest_days(history_a):
    result = analyze(history_a, as_of=pd.Timestamp("2023-01-31"))
    assert result.daily.index[-1] == pd.Timestamp("2023-01-31")
    assert (result.daily.loc["2022-12-22":, "runs"] == 0).all()


def test_messages_in_miles_carry_the_same_flags(history_a, analysis):
    in_miles = analyze(history_a, thresholds=Thresholds.from_mapping({"display": {"units": "mi"}}))
    columns = ["flag_id", "activity_id", "local_date", "value", "threshold", "unit"]
    pd.testing.assert_frame_equal(in_miles.flags[columns], analysis.flags[columns])
    spikes = in_miles.flags[in_miles.flags["flag_id"] == "F-SPIKE"]
    first = spikes.iloc[0]
    # the value stays a fraction; only the words change unit
    assert " mi is " in first["message"] and " km" not in first["message"]
    assert not analysis.flags["message"].str.contains(r"\d mi\b").any()
