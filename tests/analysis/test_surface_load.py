"""Tests of runload.analysis.surface_load: overrides and the F-SURFACE flag."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd
import pytest

import runload
from runload.analysis.references import REFERENCES
from runload.analysis.surface_load import (
    apply_surface_overrides,
    surface_novelty_flags,
    surface_override_matches,
)
from runload.config import SurfaceRule, Thresholds
from runload.schema import FLAG_COLUMNS, flags_frame, sessions_frame, validate_columns

FORBIDDEN_WORDS = ("safe", "prevent")


def run(local_date: str, km: float = 5.0, surface: str = "road", /, *, at: str = "07:00",
        **values: Any) -> dict:
    """A run at ``at`` (UTC = local) on ``local_date``, ``km`` long, on ``surface``."""
    row: dict[str, Any] = {
        "activity_id": f"{local_date}T{at}", "sport": "running", "sub_sport": "generic",
        "local_date": local_date, "start_utc": pd.Timestamp(f"{local_date} {at}", tz="UTC"),
        "timer_s": 300.0 * km, "distance_m": km * 1000, "ascent_m": 0.0, "descent_m": 0.0,
        "surface": surface, "surface_source": "device_label", "surface_confidence": 1.0,
    }
    row.update(values)
    return row


def rules(*items: tuple) -> pd.DataFrame:
    """Override rules as read_surface_overrides returns them: (id, surface) or (from, to, surface)."""
    rows = []
    for k, item in enumerate(items):
        if len(item) == 2:
            rows.append({"activity_id": item[0], "from_date": None, "to_date": None,
                         "surface": item[1], "rule_index": k})
        else:
            rows.append({"activity_id": "", "from_date": item[0], "to_date": item[1],
                         "surface": item[2], "rule_index": k})
    return pd.DataFrame({
        "activity_id": pd.Series([r["activity_id"] for r in rows], dtype="string"),
        "from_date": pd.Series([r["from_date"] for r in rows], dtype="datetime64[us]"),
        "to_date": pd.Series([r["to_date"] for r in rows], dtype="datetime64[us]"),
        "surface": pd.Series([r["surface"] for r in rows], dtype="string"),
        "rule_index": pd.Series([r["rule_index"] for r in rows], dtype="int64"),
    })


# --- apply_surface_overrides ------------------------------------------------------------

def week_of_runs() -> pd.DataFrame:
    return sessions_frame([
        run("2024-02-29", activity_id="before"),
        run("2024-03-01", activity_id="first"),
        run("2024-03-05", activity_id="middle", surface="treadmill",
            surface_source="inferred", surface_confidence=0.6),
        run("2024-03-10", activity_id="last"),
        run("2024-03-11", activity_id="after"),
        run("2024-03-05", activity_id="ride", sport="cycling", surface=""),
        run("2024-03-06", activity_id="undated", local_date=None),
    ])


def surfaces(table: pd.DataFrame) -> dict[str, str]:
    return dict(zip(table["activity_id"], table["surface"], strict=True))


def test_a_date_range_sets_the_runs_of_its_days_both_ends_included():
    s = week_of_runs()
    out = apply_surface_overrides(s, rules(("2024-03-01", "2024-03-10", "trail")))
    assert surfaces(out) == {"before": "road", "first": "trail", "middle": "trail",
                             "last": "trail", "after": "road", "ride": "", "undated": "road"}
    changed = out["activity_id"].isin(["first", "middle", "last"])
    assert (out.loc[changed, "surface_source"] == "user_override").all()
    assert (out.loc[changed, "surface_confidence"] == 1.0).all()
    assert (out.loc[~changed, "surface_source"] == s.loc[~changed, "surface_source"]).all()
    assert out.loc[out["activity_id"] == "middle", "surface_confidence"].item() == 1.0
    validate_columns(out, "sessions")
    assert out.index.equals(s.index)


def test_an_id_rule_wins_over_a_range_written_before_or_after_it():
    s = week_of_runs()
    for order in [(("middle", "road"), ("2024-03-01", "2024-03-10", "trail")),
                  (("2024-03-01", "2024-03-10", "trail"), ("middle", "road"))]:
        out = apply_surface_overrides(s, rules(*order))
        assert surfaces(out)["middle"] == "road"
        assert surfaces(out)["first"] == "trail"
        assert out.loc[out["activity_id"] == "middle", "surface_source"].item() == "user_override"


def test_a_later_rule_wins_over_an_earlier_one_of_its_kind():
    s = week_of_runs()
    out = apply_surface_overrides(s, rules(("2024-03-01", "2024-03-10", "trail"),
                                           ("2024-03-05", "2024-03-05", "treadmill"),
                                           ("last", "track"), ("last", "indoor")))
    assert surfaces(out) == {"before": "road", "first": "trail", "middle": "treadmill",
                             "last": "indoor", "after": "road", "ride": "", "undated": "road"}
    # rule_index, not row order, says which rule is later
    shuffled = rules(("last", "track"), ("last", "indoor")).iloc[::-1]
    assert surfaces(apply_surface_overrides(s, shuffled))["last"] == "indoor"


def test_an_id_rule_may_name_any_sport_a_range_only_runs():
    s = week_of_runs()
    out = apply_surface_overrides(s, rules(("2024-03-05", "2024-03-05", "trail"),
                                           ("ride", "road")))
    assert surfaces(out)["ride"] == "road" and surfaces(out)["middle"] == "trail"


def test_overrides_do_not_mutate_and_no_rules_change_nothing():
    s = week_of_runs()
    before = s.copy()
    apply_surface_overrides(s, rules(("2024-03-01", "2024-03-10", "trail")))
    pd.testing.assert_frame_equal(s, before)
    pd.testing.assert_frame_equal(apply_surface_overrides(s, rules()), s)
    pd.testing.assert_frame_equal(apply_surface_overrides(s, rules(("nope", "trail"))), s)


def test_overrides_are_checked():
    s = week_of_runs()
    with pytest.raises(ValueError, match="surfaces among .* Got 'gravel' instead"):
        apply_surface_overrides(s, rules(("first", "gravel")))
    with pytest.raises(ValueError, match="missing \\['rule_index'\\]"):
        apply_surface_overrides(s, rules(("first", "road")).drop(columns="rule_index"))
    with pytest.raises(TypeError, match="read_surface_overrides"):
        apply_surface_overrides(s, {"first": "road"})
    with pytest.raises(ValueError, match="missing columns \\['surface_confidence'\\]"):
        apply_surface_overrides(s.drop(columns="surface_confidence"), rules())


def test_override_matches_count_sessions_per_rule():
    counts = surface_override_matches(week_of_runs(), rules(
        ("2024-03-01", "2024-03-10", "trail"), ("middle", "road"), ("typo", "road"),
        ("2025-01-01", "2025-01-31", "road")))
    assert counts.to_dict() == {0: 3, 1: 1, 2: 0, 3: 0}
    assert counts.index.name == "rule_index"


# --- surface_novelty_flags: a new surface ---------------------------------------------

def novelty(*rows: dict, rule: SurfaceRule | None = None) -> list[dict]:
    return surface_novelty_flags(sessions_frame(list(rows)), rule or SurfaceRule())


ROAD_BASE = [run("2024-01-01"), run("2024-01-15")]


@pytest.mark.parametrize("gap_days, flagged", [(29, False), (30, True), (31, True)])
def test_first_trail_run_after_a_gap(gap_days, flagged):
    last = pd.Timestamp("2024-01-20")
    again = (last + pd.Timedelta(days=gap_days)).date().isoformat()
    # trail from the 25th day of the history on (too early to be new), every < 30 days
    rows = novelty(run("2023-12-01"), run("2023-12-25", 6.0, "trail"),
                   run("2024-01-10", 6.0, "trail"), run("2024-01-20", 6.0, "trail"),
                   run(again, 6.0, "trail"))
    assert [r["local_date"] for r in rows] == ([pd.Timestamp(again)] if flagged else [])


def test_first_trail_run_message_and_values():
    rows = novelty(run("2023-11-01", 6.0, "trail"), run("2023-12-10", 6.0, "trail"),
                   run("2024-01-20", 8.0, "trail"), run("2024-02-20", 7.5, "trail"),
                   rule=SurfaceRule(surfaces=("trail",)))
    assert [r["local_date"] for r in rows] == [pd.Timestamp("2023-12-10"),
                                               pd.Timestamp("2024-01-20"),
                                               pd.Timestamp("2024-02-20")]
    flag = rows[-1]
    assert set(flag) == set(FLAG_COLUMNS)
    assert (flag["flag_id"], flag["scope"], flag["activity_id"]) == (
        "F-SURFACE", "session", "2024-02-20T07:00")
    assert (flag["severity"], flag["value"], flag["threshold"], flag["unit"]) == (
        "info", 31.0, 30.0, "days")
    assert (flag["evidence_grade"], flag["citation_key"]) == ("expert opinion", "bertelsen2017")
    assert flag["message"] == (
        "First trail run in 31 days: 7.5 km on 20 Feb 2024; the last trail run was on "
        "20 Jan 2024. Changing one thing at a time, the surface included, is common coaching "
        "advice (expert opinion): a new surface loads the body in ways it is not used to. No "
        "running surface has been shown to carry a clearly lower injury risk.")
    validate_columns(flags_frame(rows), "flags")


@pytest.mark.parametrize("history_days, flagged", [(29, False), (30, True)])
def test_a_surface_never_seen_is_new_only_after_30_days_of_history(history_days, flagged):
    first = pd.Timestamp("2024-01-01")
    trail_day = (first + pd.Timedelta(days=history_days)).date().isoformat()
    rows = novelty(run("2024-01-01"), run("2024-01-10"), run(trail_day, 6.0, "trail"))
    assert len(rows) == int(flagged)
    if flagged:
        assert rows[0]["value"] == 30.0
        assert rows[0]["message"].startswith(
            "First trail run in this history, which starts 30 days before it: 6.0 km on "
            "31 Jan 2024.")


def test_only_the_rules_surfaces_are_watched():
    rows = [run("2024-01-01", 5.0, "road"), run("2024-02-15", 5.0, "indoor"),
            run("2024-02-16", 5.0, "unknown"), run("2024-02-17", 5.0, ""),
            run("2024-02-18", 9.0, "road"), run("2024-02-19", 5.0, "track"),
            run("2024-02-20", 5.0, "treadmill"), run("2024-02-21", 5.0, "trail")]
    got = novelty(*rows)
    assert [r["message"].split(" run")[0] for r in got] == [
        "First track", "First treadmill", "First trail"]
    got = novelty(*rows, rule=SurfaceRule(surfaces=("indoor", "road")))
    assert [r["message"].split(" run")[0] for r in got] == ["First indoor", "First road"]
    assert novelty(*rows, rule=SurfaceRule(enabled=False)) == []


def test_novelty_days_come_from_the_rule():
    rows = (run("2024-01-01", 5.0, "trail"), run("2024-01-15", 5.0, "trail"))
    assert novelty(*rows) == []
    assert [r["value"] for r in novelty(*rows, rule=SurfaceRule(novelty_days=14))] == [14.0]


# --- surface_novelty_flags: a longer run on the surface ------------------------------------

def trail_spike(last_km: float, *, at: str = "07:00") -> list[dict]:
    return novelty(run("2023-12-20", 10.0, "trail"), run("2024-01-01", 10.0, "trail"),
                   run("2024-01-20", 4.0, "trail"), run("2024-01-25", last_km, "trail", at=at))


def test_exactly_ten_percent_longer_is_not_flagged():
    assert trail_spike(11.0) == []


def test_ten_point_01_percent_longer_is_flagged():
    rows = trail_spike(11.001)
    assert len(rows) == 1
    flag = rows[0]
    assert (flag["unit"], flag["threshold"]) == ("frac", 0.10)
    assert flag["value"] == pytest.approx(0.1001, abs=1e-12)
    assert flag["message"].startswith(
        "11.0 km on trail on 25 Jan 2024 is 10.01 % longer than your longest trail run in the "
        "previous 30 days, 10.0 km on 1 Jan 2024. Changing one thing at a time")


def test_spike_window_is_closed_left_open_right():
    # the 10 km reference started at 2024-01-01 07:00; 30 days later to the microsecond
    # it still counts, one microsecond more and only the 4 km run is left
    base = [run("2024-01-01", 10.0, "trail"), run("2024-01-20", 4.0, "trail")]
    on_edge = run("2024-01-31", 10.5, "trail")
    assert novelty(*base, on_edge) == []
    past = run("2024-01-31", 10.5, "trail", start_utc=pd.Timestamp("2024-01-31 07:00:00.000001",
                                                                   tz="UTC"))
    rows = novelty(*base, past)
    assert rows[0]["value"] == 1.625
    assert "4.0 km on 20 Jan 2024" in rows[0]["message"]
    # a run earlier the same day is a reference; the run itself is not
    same_day = novelty(run("2024-01-20", 4.0, "trail", at="06:00"),
                       run("2024-01-20", 5.0, "trail", at="18:00"),
                       run("2023-12-01", 4.0, "trail"), run("2023-12-15", 4.0, "trail"))
    assert [r["value"] for r in same_day if r["unit"] == "frac"] == [0.25]


def test_spike_on_the_same_surface_only_and_from_the_rule():
    # a longer road run before does not hide a trail spike
    rows = novelty(run("2024-01-01", 5.0, "trail"), run("2024-01-10", 20.0, "road"),
                   run("2024-01-20", 6.0, "trail"))
    assert [round(r["value"], 6) for r in rows] == [0.2]
    rows = novelty(run("2024-01-01", 5.0, "trail"), run("2024-01-20", 6.0, "trail"),
                   rule=SurfaceRule(spike_frac=0.25))
    assert rows == []


def test_spike_skips_runs_without_distance_and_notes_estimates():
    rows = novelty(run("2024-01-01", 5.0, "treadmill"), run("2024-01-05", 0.0, "treadmill"),
                   run("2024-01-10", 6.0, "treadmill", distance_m=None),
                   run("2024-01-20", 6.0, "treadmill"))
    assert [r["local_date"] for r in rows] == [pd.Timestamp("2024-01-20")]
    assert "(treadmill distances are estimates)" in rows[0]["message"]


def test_messages_say_where_the_surface_came_from():
    rows = novelty(run("2024-01-01"), run("2024-02-10", 6.0, "trail",
                                          surface_source="user_override"),
                   run("2024-02-12", 8.0, "trail", surface_source="inferred",
                       surface_confidence=0.7))
    assert "6.0 km on 10 Feb 2024 (surface from your override file)." in rows[0]["message"]
    assert rows[1]["message"].startswith(
        "8.0 km on trail on 12 Feb 2024 (surface inferred from the recording, 70 % sure) is "
        "33 % longer")


def test_no_message_makes_a_safety_claim():
    messages = [r["message"] for r in trail_spike(14.0)]
    messages += [r["message"] for r in novelty(*ROAD_BASE, run("2024-02-20", 5.0, "track"))]
    assert len(messages) == 2
    for message in messages:
        assert not any(word in message.lower() for word in FORBIDDEN_WORDS), message
        assert "expert opinion" in message and "changing one thing at a time" in message.lower()


def test_only_counted_runs_are_used_and_inputs_are_not_mutated():
    s = sessions_frame([run("2024-01-01"), run("2024-02-10", 6.0, "trail", sport="hiking"),
                        run("2024-02-11", 6.0, "trail", duplicate_of="x"),
                        run("2024-02-12", 6.0, "trail")])
    before = s.copy()
    rows = surface_novelty_flags(s, SurfaceRule())
    assert [r["local_date"] for r in rows] == [pd.Timestamp("2024-02-12")]
    pd.testing.assert_frame_equal(s, before)
    assert surface_novelty_flags(s.iloc[:0], SurfaceRule()) == []


def test_bad_arguments():
    s = sessions_frame([run("2024-01-01")])
    with pytest.raises(TypeError, match="SurfaceRule"):
        surface_novelty_flags(s, Thresholds().spike)
    with pytest.raises(ValueError, match="missing columns \\['surface_source'\\]"):
        surface_novelty_flags(s.drop(columns="surface_source"), SurfaceRule())
    with pytest.raises(ValueError, match="'surface' must hold one of"):
        surface_novelty_flags(sessions_frame([run("2024-01-01", 5.0, "gravel")]), SurfaceRule())


# --- the rule in the configuration --------------------------------------------------------

def test_surface_rule_defaults_and_checks():
    rule = Thresholds().surface
    assert (rule.enabled, rule.novelty_days, rule.spike_frac, rule.surfaces) == (
        True, 30, 0.10, ("trail", "track", "treadmill"))
    assert (rule.grade, rule.citation) == ("expert opinion", "bertelsen2017")
    assert rule.citation in REFERENCES
    from_toml = Thresholds.from_mapping({"surface": {"surfaces": ["trail"], "novelty_days": 21}})
    assert from_toml.surface.surfaces == ("trail",) and from_toml.surface.novelty_days == 21
    with pytest.raises(ValueError, match="Got 'gravel' instead"):
        Thresholds.from_mapping({"surface": {"surfaces": ["gravel"]}})
    with pytest.raises(ValueError, match="novelty_days"):
        SurfaceRule(novelty_days=0)
    with pytest.raises(ValueError, match="spike_frac"):
        SurfaceRule(spike_frac=-0.1)


def test_van_der_worp_is_a_reference():
    ref = REFERENCES["vanderworp2015"]
    assert ref.doi == "10.1371/journal.pone.0114937"
    assert "PLoS One" in ref.citation


# --- wiring in analyze ---------------------------------------------------------------------

def wired_sessions() -> pd.DataFrame:
    """Five weeks of road running (Mondays and Wednesdays), then a trail week."""
    rows = []
    for day in pd.date_range("2024-01-01", "2024-02-07", freq="D"):
        if day.day_of_week in (0, 2):
            rows.append(run(day.date().isoformat(), 6.0, "", sub_sport="street"))
    rows += [run("2024-02-12", 6.0, "", sub_sport="street", timer_s=1500.0),
             run("2024-02-14", 6.0, "", sub_sport="street", timer_s=1500.0)]
    return sessions_frame(rows)


def wired_rules() -> pd.DataFrame:
    # the whole history as road, whatever the classifier makes of it, then the trail week
    return rules(("2023-12-01", "2024-03-31", "road"), ("2024-02-12", "2024-02-18", "trail"))


def test_analyze_applies_overrides_last_and_flags_the_new_surface():
    result = runload.analyze(wired_sessions(), surface_overrides=wired_rules())
    assert set(result.runs["surface_source"]) == {"user_override"}
    assert result.runs.set_index("local_date").loc["2024-02-12", "surface"] == "trail"
    week = result.weekly.loc["2024-02-12"]
    assert (week["distance_trail_m"], week["share_trail_frac"], week["distance_road_m"]) == (
        12000.0, 1.0, 0.0)
    assert result.daily.loc["2024-02-14", "distance_trail_m"] == 6000.0
    surface_flags = result.flags[result.flags["flag_id"] == "F-SURFACE"]
    assert surface_flags["local_date"].tolist() == [pd.Timestamp("2024-02-12")]
    assert "(surface from your override file)" in surface_flags["message"].item()
    assert "bertelsen2017" in set(result.references["key"])
    # the weekly surface shares reach the one-variable flag: surface and pace changed
    onevar = result.flags[result.flags["flag_id"] == "F-ONEVAR"]
    assert onevar["local_date"].tolist() == [pd.Timestamp("2024-02-12")]
    assert onevar["value"].item() == 2.0
    assert "trail share +100 points" in onevar["message"].item()


def test_analyze_without_overrides_or_with_the_rule_off():
    off = dataclasses.replace(Thresholds(), surface=SurfaceRule(enabled=False))
    flags = runload.flags(wired_sessions(), thresholds=off, surface_overrides=wired_rules())
    assert "F-SURFACE" not in set(flags["flag_id"])
    plain = runload.analyze(wired_sessions())
    assert "user_override" not in set(plain.runs["surface_source"])
