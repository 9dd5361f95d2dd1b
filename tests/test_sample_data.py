"""The committed sample data: made by tools/make_sample_data.py, and showing what index.toml says.

``sample_data/index.toml`` states each sample's planned events, the flags they
must raise and the counts an import must find; these tests check runload's
import and analysis of the committed files against it, and that the generator
still writes those files byte for byte.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

import runload
from runload.config import Thresholds
from runload.readers.roster import read_roster

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data"
INDEX = tomllib.loads((SAMPLE / "index.toml").read_text(encoding="utf-8"))
RUNNER = INDEX["runner"]
EVENTS = {event["id"]: event for event in RUNNER["event"]}


def _generator() -> ModuleType:
    path = REPO / "tools" / "make_sample_data.py"
    spec = importlib.util.spec_from_file_location("make_sample_data", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _files(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def _day(value: date) -> pd.Timestamp:
    return pd.Timestamp(value)


def _monday(value: date) -> pd.Timestamp:
    return pd.Timestamp(value - timedelta(days=value.weekday()))


# ---------------------------------------------------------------- reproducibility


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("sample_data")
    return out, _generator().build(out, INDEX["seed"])


def test_generator_reproduces_the_committed_files_byte_for_byte(rebuilt):
    out, written = rebuilt
    committed, fresh = _files(SAMPLE), _files(out)
    assert sorted(fresh) == sorted(committed)
    assert sorted(written) == sorted(fresh.values())
    differ = [name for name, path in committed.items()
              if path.read_bytes() != fresh[name].read_bytes()]
    assert differ == [], f"regenerate with `python tools/make_sample_data.py`: {differ}"


def test_sample_data_stays_small():
    sizes = {name: path.stat().st_size for name, path in _files(SAMPLE).items()}
    assert sum(sizes.values()) < 2.8 * 1024**2, sizes


def test_build_only_replaces_its_own_outputs(tmp_path):
    keep = tmp_path / "README.txt"
    keep.write_text("mine")
    (tmp_path / "runner").mkdir()
    stale = tmp_path / "runner" / "stale.fit"
    stale.write_bytes(b"old")
    generator = _generator()
    generator.runner_sample = lambda seed: generator.Written({"runner/x.txt": b"x"}, {})
    generator.roster_sample = lambda seed: generator.Written({"roster/y.txt": b"y"}, {})
    generator.index_toml = lambda seed, runner, roster: b"seed = 1\n"
    stale_journal = tmp_path / "runner_pain.csv"
    stale_journal.write_text("old")
    written = generator.build(tmp_path, 1)
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        "index.toml", "roster/y.txt", "runner/x.txt"]
    assert keep.read_text() == "mine" and not stale.exists() and not stale_journal.exists()


# ---------------------------------------------------------------- the runner: import


@pytest.fixture(scope="module")
def runner_history() -> runload.History:
    return runload.read_history(SAMPLE / RUNNER["path"], use_cache=False)


@pytest.fixture(scope="module")
def runner_analysis(runner_history) -> runload.Analysis:
    return runload.analyze(runner_history.sessions)


def test_runner_import_report(runner_history):
    files = runner_history.report.files
    counts = files["status"].value_counts().to_dict()
    # Read: the FIT runs, the Strava files, activities.csv and summarizedActivities.json.
    assert counts == {"read": RUNNER["fit_runs"] + RUNNER["strava_files"] + 2,
                      "not_activity": RUNNER["not_activity_files"], "failed": 1}
    summaries = files[files["source_format"].isin(["strava_csv", "garmin_json"])]
    assert sorted(summaries["source_format"]) == ["garmin_json", "strava_csv"]
    (failed,) = files.loc[files["status"] == "failed"].itertuples()
    assert failed.member_path == RUNNER["failed_member"]
    assert failed.reason == "named .fit but its content is not FIT"
    skipped = files.loc[files["status"] == "not_activity", "reason"].tolist()
    assert sorted(skipped) == sorted(
        ["FIT file of type 'monitoring_b', not an activity"] * 3
        + ["FIT file of type 'settings', not an activity"] + ["not a FIT, GPX or TCX file"] * 2)


def test_runner_sessions_count_each_run_once(runner_history):
    kept = runner_history.sessions
    copies = runner_history.report.duplicates
    assert (kept["duplicate_of"] == "").all()
    assert len(kept) == RUNNER["runs"]
    assert (kept["sport"] == "running").all()
    assert kept["local_date"].notna().all()
    assert kept["source_format"].value_counts().to_dict() == {
        "fit": RUNNER["fit_runs"], "gpx": 2, "tcx": 1, "garmin_json": RUNNER["summary_only_runs"]}
    assert len(kept.query("source_format in ['gpx', 'tcx']")) == RUNNER["phone_runs"]
    # Every FIT run has its Garmin summary; four Strava files are copies of watch runs.
    copy_format = copies["detail"].str.split(" ").str[0]
    assert copy_format.value_counts().to_dict() == {
        "garmin_json": RUNNER["fit_runs"], "gpx": 2, "tcx": 2}
    assert copy_format.isin(["gpx", "tcx"]).sum() == RUNNER["strava_copies_of_watch_runs"]
    assert copies["source_path"][copy_format.isin(["gpx", "tcx"])].str.contains(
        "/strava/activities/").all()
    assert RUNNER["garmin_summary_entries"] == RUNNER["fit_runs"] + RUNNER["summary_only_runs"]
    assert set(copies["duplicate_of"]) <= set(kept["activity_id"])
    assert set(copies["rule"]) == {"overlap"}
    phone = kept.loc[kept["source_format"].isin(["gpx", "tcx"]), "local_date"]
    assert sorted(phone.dt.date) == RUNNER["phone_run_days"]
    # The Strava titles reach the kept FIT sessions of their runs.
    assert (kept["name"] == "Spreelauf Halbmarathon \u2013 new PB!").sum() == 1
    assert kept["distance_m"].sum() / 1000 == pytest.approx(RUNNER["distance_km"], rel=2e-3)


def test_runner_local_time_and_daylight_saving(runner_history):
    kept = runner_history.sessions
    assert set(kept["tz_source"]) == {"fit_local_timestamp", "gps_lookup", "garmin_json"}
    assert kept["local_date"].min().date() == RUNNER["first_day"]
    assert kept["local_date"].max().date() == RUNNER["last_day"]
    spring, autumn = (_day(d) for d in RUNNER["dst_changes"])
    offsets = kept["utc_offset_s"].astype("int64")
    summer = (kept["local_date"] >= spring) & (kept["local_date"] < autumn)
    assert (offsets[summer] == 7200).all() and (offsets[~summer] == 3600).all()
    assert summer.any() and (~summer).any()
    assert (kept.loc[kept["local_date"] == spring, "start_local"].dt.hour == 9).all()
    assert (kept.loc[kept["local_date"] == autumn, "start_local"].dt.hour == 8).all()


def test_runner_hot_runs_from_the_device_temperature(runner_history):
    kept = runner_history.sessions
    hot = kept[kept["avg_temperature_c"] >= 30]
    assert sorted(hot["local_date"].dt.date) == RUNNER["hot_run_days"]
    assert (hot["max_temperature_c"] >= hot["avg_temperature_c"]).all()
    fit = kept[kept["source_format"] == "fit"]
    assert fit["avg_temperature_c"].notna().all() and fit["max_temperature_c"].notna().all()
    assert fit["avg_temperature_c"].between(0, 40).all()


# ---------------------------------------------------------------- the runner: analysis


def test_runner_raises_every_planned_flag(runner_analysis):
    flags = runner_analysis.flags
    assert sorted(set(flags["flag_id"])) == RUNNER["flags"]
    for event in RUNNER["event"]:
        window = flags[(flags["local_date"] >= _monday(event["first_day"]))
                       & (flags["local_date"] <= _day(event["last_day"]))]
        missing = set(event["flags"]) - set(window["flag_id"])
        assert not missing, f"{event['id']}: no {sorted(missing)} in {window.to_dict('records')}"


def test_runner_spike_bins(runner_analysis):
    spikes = runner_analysis.spikes
    flagged = runner_analysis.flags.query("flag_id == 'F-SPIKE'")
    assert len(flagged) == 3
    for event in RUNNER["event"]:
        if not event["spike_bin"]:
            continue
        (row,) = spikes[spikes["local_date"] == _day(event["last_day"])].itertuples()
        assert row.spike_bin == event["spike_bin"], event["id"]
        assert row.activity_id in set(flagged["activity_id"])
    assert set(spikes["spike_bin"]) >= set(RUNNER["spike_bins"])


def test_runner_layoff_and_too_fast_return(runner_analysis):
    (gap,) = runner_analysis.layoffs.itertuples()
    layoff = EVENTS["layoff"]
    assert gap.last_run_date == _day(layoff["first_day"]) - pd.Timedelta(days=1)
    assert gap.return_date == _day(layoff["last_day"]) + pd.Timedelta(days=1)
    assert gap.gap_days == 22
    flags = runner_analysis.flags.query("flag_id == 'F-LAYOFF'")
    assert "session" in set(flags["scope"])
    assert flags.query("scope == 'session'")["local_date"].tolist() == [gap.return_date]


def test_runner_surfaces(runner_analysis):
    runs = runner_analysis.runs
    days = runs["local_date"].dt.date
    trail, treadmill = EVENTS["trail-block"], EVENTS["treadmill-winter"]
    on = runs["surface"]
    assert (on == "trail").sum() == RUNNER["trail_runs"]
    assert days[on == "trail"].between(trail["first_day"], trail["last_day"]).all()
    assert set(runs.loc[on == "trail", "surface_source"]) == {"device_label", "inferred"}
    assert (runs.loc[on == "trail", "grade_std_frac"] >= 0.06).all()
    assert (on == "treadmill").sum() == RUNNER["treadmill_runs"]
    assert days[on == "treadmill"].between(treadmill["first_day"], treadmill["last_day"]).all()
    assert (on == "track").sum() == RUNNER["track_runs"]
    assert set(runs.loc[on == "track", "surface_source"]) == {"inferred"}
    weekly = runner_analysis.weekly
    trail_weeks = weekly.index[weekly["distance_trail_m"] > 0]
    assert list(trail_weeks) == [_monday(trail["first_day"]), _monday(trail["last_day"])]
    treadmill_weeks = weekly.index[weekly["distance_treadmill_m"] > 0]
    assert len(treadmill_weeks) == 7
    assert (weekly.loc[treadmill_weeks, "distance_treadmill_m"]
            == weekly.loc[treadmill_weeks, "distance_m"]).all()


def test_runner_streak(runner_analysis):
    streak = EVENTS["run-streak"]
    rest = runner_analysis.rest["consecutive_run_days"]
    length = (streak["last_day"] - streak["first_day"]).days + 1
    assert length >= 16
    assert rest.max() == length
    assert rest.idxmax() == _day(streak["last_day"])


# ---------------------------------------------------------------- the pain journals

PAIN = INDEX["runner_pain"]
BEN = next(a for a in INDEX["roster"]["athlete"] if "pain" in a)


def _planned_episodes(entries: list[dict]) -> list[tuple]:
    return [(e["id"], e["region"], _day(e["onset_date"]),
             _day(e["end_date"]) if "end_date" in e else pd.NaT, e["peak_severity"], e["open"])
            for e in entries]


def _found_episodes(episodes: pd.DataFrame) -> list[tuple]:
    return [(r.episode_id, r.region, r.onset_date, r.end_date, r.peak_severity, r.is_open)
            for r in episodes.sort_values("onset_date").itertuples()]


def test_pain_journals_sit_beside_the_exports_not_in_them():
    assert (SAMPLE / PAIN["path"]).is_file()
    assert not any("pain" in name for name in _files(SAMPLE / RUNNER["path"]))
    assert (SAMPLE / BEN["pain"]).is_file()
    header = "date,region,severity,timing,note\n"
    for path in (SAMPLE / PAIN["path"], SAMPLE / BEN["pain"]):
        text = path.read_text(encoding="utf-8")
        assert text.startswith(header) and text.endswith("\n") and "\r" not in text
        assert "<" not in text and ">" not in text         # realistic notes; hostile ones: tests


def test_runner_journal_parses_into_the_planned_entries():
    from runload.readers.pain import read_pain_journal

    entries = read_pain_journal(SAMPLE / PAIN["path"])
    assert len(entries) == PAIN["entries"]
    assert list(entries["line"]) == list(range(2, PAIN["entries"] + 2))   # written in date order
    assert entries["local_date"].is_monotonic_increasing
    assert set(entries["severity"]) >= {0, 1, 2, 3, 4, 5}
    # every episode's onset is a rating at or above the default threshold
    threshold = Thresholds().pain.severity_threshold
    onsets = {(e["region"], _day(e["onset_date"])) for e in PAIN["episode"]}
    rated = {(r.region, r.local_date): r.severity for r in entries.itertuples()}
    assert all(rated[o] >= threshold for o in onsets)


@pytest.fixture(scope="module")
def runner_with_pain() -> runload.TrainingHistory:
    return runload.load(SAMPLE / RUNNER["path"], pain=SAMPLE / PAIN["path"], use_cache=False)


def test_runner_journal_gives_the_planned_episodes(runner_with_pain):
    analysis = runner_with_pain.analysis
    assert _found_episodes(analysis.pain_episodes) == _planned_episodes(PAIN["episode"])
    assert len(analysis.pain_entries) == PAIN["entries"]
    # each episode but the last follows its planned event by a few days
    for episode in PAIN["episode"]:
        if not episode["after_event"]:
            continue
        event = EVENTS[episode["after_event"]]
        lag = (episode["onset_date"] - event["last_day"]).days
        assert -7 <= lag <= 5, episode["id"]
    open_ = [e for e in PAIN["episode"] if e["open"]]
    assert [e["onset_date"] for e in open_] == [date(2026, 11, 10)]
    assert open_[0]["onset_date"] <= RUNNER["last_day"]


def test_ben_journal_has_an_episode_open_in_the_demo_week():
    week = runload.load_roster(SAMPLE / INDEX["roster"]["path"], week=BEN["pain_week"],
                               use_cache=False)
    ben = next(a for a in week.athletes if a.name == BEN["name"])
    episodes = ben.history.analysis.pain_episodes
    (planned,) = BEN["pain_episode"]
    (found,) = [e for e in _found_episodes(episodes) if e[0] == planned["id"]]
    assert found[:3] == _planned_episodes([planned])[0][:3]
    assert found[4] == planned["peak_severity"]
    # open on the week's last day: not ended before it
    assert found[5] or found[3] >= week.week_end
    # the whole journal: the episode ends on the planned day
    full = runload.load(ben.path, tz=ben.tz, pain=SAMPLE / BEN["pain"], use_cache=False)
    assert _found_episodes(full.analysis.pain_episodes) == _planned_episodes(
        BEN["pain_episode"])


# ---------------------------------------------------------------- the roster


@pytest.fixture(scope="module")
def roster():
    return read_roster(SAMPLE / INDEX["roster"]["path"])


def test_roster_lists_the_indexed_athletes(roster):
    assert roster.title == INDEX["roster"]["title"]
    expected = INDEX["roster"]["athlete"]
    assert [a.name for a in roster.athletes] == [e["name"] for e in expected]
    for athlete, entry in zip(roster.athletes, expected, strict=True):
        assert athlete.path == (SAMPLE / entry["path"]).resolve()
        assert athlete.path.exists()
        assert athlete.tz == entry["time_zone"]
        pain = athlete.pain
        assert (pain is None) == ("pain" not in entry)
        if pain is not None:
            assert pain == (SAMPLE / entry["pain"]).resolve() and pain.is_file()


@pytest.fixture(scope="module")
def athletes(roster) -> dict[str, tuple]:
    out = {}
    for athlete, entry in zip(roster.athletes, INDEX["roster"]["athlete"], strict=True):
        history = runload.read_history(athlete.path, tz=athlete.tz, use_cache=False)
        thresholds = Thresholds().with_overrides(athlete.overrides)
        out[athlete.name] = (entry, history, runload.analyze(history.sessions,
                                                             thresholds=thresholds))
    return out


@pytest.mark.parametrize("name", [a["name"] for a in INDEX["roster"]["athlete"]])
def test_roster_athlete_imports_and_analyzes(athletes, name):
    entry, history, analysis = athletes[name]
    kept = history.sessions
    assert len(kept) == entry["runs"]
    assert history.report.count("failed") == 0
    assert kept["local_date"].min().date() == entry["first_day"]
    assert kept["local_date"].max().date() == entry["last_day"]
    assert sorted(set(analysis.flags["flag_id"])) == sorted(entry["flags"])
    assert kept["avg_hr_bpm"].between(120, 180).all()
    assert kept["avg_cadence_spm"].between(155, 190).all()
    pace = 1000 / kept["avg_speed_mps"] / 60
    assert pace.between(4.0, 6.5).all()


def test_ana_is_a_watch_folder_with_local_time(athletes):
    _, history, _ = athletes["Ana Ruiz"]
    kept = history.sessions
    assert set(kept["tz_source"]) == {"fit_local_timestamp"}
    assert history.report.count("not_activity") == 1


def test_ben_in_miles_with_a_title_to_escape(athletes):
    _, history, analysis = athletes["Ben Carter"]
    assert "<script>alert(1)</script>" in set(history.sessions["name"])
    assert set(history.sessions["tz_name"]) == {"America/New_York"}
    assert analysis.thresholds.display.units == "mi"
    spike = analysis.flags.query("flag_id == 'F-SPIKE'")["message"].iloc[0]
    assert " mi " in spike and " km " not in spike
    # The planned route in routes/ is skipped, not read as a run.
    assert history.report.count("not_activity") == 1


def test_chloe_dated_by_gps_or_by_the_roster_zone(athletes):
    _, history, analysis = athletes["Chlo\u00e9 Martin"]
    s = history.sessions
    assert analysis.thresholds.layoff.first_session_frac == 0.4
    indoor = ~s["has_gps"]
    assert indoor.any() and (s.loc[indoor, "sub_sport"] == "treadmill").all()
    assert set(s.loc[indoor, "tz_source"]) == {"user_default"}
    assert set(s.loc[~indoor, "tz_source"]) == {"gps_lookup"}
    assert set(s["tz_name"]) == {"Europe/Paris"}
    (gap,) = analysis.layoffs.itertuples()
    assert gap.gap_days == 22
    assert np.isclose(gap.baseline_median_session_m, 7000.0)
