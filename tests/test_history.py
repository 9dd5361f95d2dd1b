"""The TrainingHistory facade: same numbers as the functions it composes, nothing of its own."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

import runload
from runload.analysis.flags import analyze
from runload.analysis.summary import latest_week_start, week_summary
from runload.errors import ConfigError

RUNNER = Path(__file__).resolve().parent.parent / "sample_data" / "runner"


def _same_week(a, b) -> bool:
    """WeekSummary equality (its flags are a DataFrame, compared as one)."""
    plain = [f for f in dataclasses.fields(a) if f.name != "flags"]
    a_values = [getattr(a, f.name) for f in plain]
    b_values = [getattr(b, f.name) for f in plain]
    return (pd.Series(a_values, dtype=object).equals(pd.Series(b_values, dtype=object))
            and a.flags.equals(b.flags))


@pytest.fixture(scope="module")
def imported():
    return runload.read_history(RUNNER, use_cache=False)


@pytest.fixture(scope="module")
def history(imported):
    return runload.TrainingHistory(imported)


def test_tables_are_the_analysis_tables(imported, history):
    expected = analyze(imported.sessions)
    pd.testing.assert_frame_equal(history.weekly, expected.weekly)
    pd.testing.assert_frame_equal(history.daily, expected.daily)
    pd.testing.assert_frame_equal(history.spikes, expected.spikes)
    pd.testing.assert_frame_equal(history.flags, expected.flags)
    pd.testing.assert_frame_equal(history.references, expected.references)
    assert list(history.surfaces.columns) == ["activity_id", "local_date", "distance_m",
                                              "sport_label", "surface", "surface_source",
                                              "surface_confidence"]
    assert history.surfaces["surface"].tolist() == expected.runs["surface"].tolist()
    assert history.sessions is imported.sessions
    assert history.files is imported.report.files
    # computed once
    assert history.analysis is history.analysis


def test_tables_are_tz_aware_and_named_with_units(history):
    assert str(history.runs["start_utc"].dt.tz) == "UTC"
    assert {"distance_m", "duration_s", "ascent_m"} <= set(history.weekly.columns)


def test_latest_week_is_the_summary_function(history):
    a = history.analysis
    assert _same_week(history.week(), week_summary(a, latest_week_start(a)))
    assert not _same_week(history.week(), history.week("2026-05-13"))
    assert history.week("2026-05-13").week_start == pd.Timestamp("2026-05-11")


def test_with_thresholds_is_a_what_if_over_the_same_import(history):
    longer = history.with_thresholds(spike={"lookback_days": 60})
    assert longer.sessions is history.sessions
    assert longer.thresholds.spike.lookback_days == 60
    assert history.thresholds.spike.lookback_days == 30
    spikes = longer.flags[longer.flags["flag_id"] == "F-SPIKE"]
    expected = analyze(history.sessions, thresholds=longer.thresholds).flags
    pd.testing.assert_frame_equal(longer.flags, expected)
    assert len(spikes) <= (history.flags["flag_id"] == "F-SPIKE").sum()
    off = history.with_thresholds(spike={"enabled": False}, display={"units": "mi"})
    assert "F-SPIKE" not in set(off.flags["flag_id"])
    assert off.flags["message"].str.contains(r"\d mi\b").any()
    with pytest.raises(ValueError, match=r"Unknown config section \[spkie\]"):
        history.with_thresholds(spkie={"enabled": False})


def test_thresholds_from_a_toml_file(imported, tmp_path):
    path = tmp_path / "runload.toml"
    path.write_text('[display]\nunits = "mi"\n[weekly_jump]\nenabled = false\n')
    h = runload.TrainingHistory(imported).with_thresholds(path)
    assert h.thresholds.display.units == "mi" and not h.thresholds.weekly_jump.enabled
    assert "F-WEEK30" not in set(h.flags["flag_id"])
    with pytest.raises(ConfigError, match="cannot read the config file"):
        h.with_thresholds(tmp_path / "missing.toml")


def test_as_of_leaves_later_runs_out(imported):
    h = runload.TrainingHistory(imported, as_of="2026-06-30")
    assert h.runs["local_date"].max() <= pd.Timestamp("2026-06-30")
    assert h.daily.index[-1] == pd.Timestamp("2026-06-30")
    assert h.week().week_start == pd.Timestamp("2026-06-29")
    later = imported.sessions["local_date"] > pd.Timestamp("2026-06-30")
    assert later.any() and len(h.sessions) == (~later).sum()


def test_load_with_units_and_surfaces(tmp_path):
    rules = tmp_path / "surfaces.csv"
    rules.write_text("activity_id,from,to,surface\n,2026-06-09,2026-06-09,trail\n")
    h = runload.load(RUNNER, units="mi", surfaces=rules, use_cache=False)
    assert h.thresholds.display.units == "mi"
    day = h.surfaces[h.surfaces["local_date"] == pd.Timestamp("2026-06-09")]
    assert len(day) and set(day["surface"]) == {"trail"}
    assert set(day["surface_source"]) == {"user_override"}


def test_plots_delegate_and_return_axes(history, pyplot):
    for name in ("plot_weekly_volume", "plot_spikes", "plot_rest_calendar", "plot_surface_mix",
                 "plot_acwr", "plot_fitness"):
        ax = getattr(history, name)()
        assert ax.figure is not None, name
    fig, ax = pyplot.subplots()
    assert history.plot_weekly_volume(ax=ax) is ax
    assert len(ax.patches) >= len(history.weekly)


def test_report_writes_html_and_pdf(history, tmp_path):
    report = history.report(tmp_path / "r.html", pdf=tmp_path / "r.pdf", weeks=4)
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert text == report.html
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert _same_week(report.week, history.week())


def test_summary_card_escapes_and_counts(history):
    card = history._repr_html_()
    week = history.week()
    assert f"{week.runs} runs" in card
    counts = history.flags["severity"].value_counts()
    assert f"{counts['caution']} caution" in card
    assert "140 looked at (6 not activity, 1 failed)" in card
    assert "<script" not in card
    assert repr(history).startswith(f"<TrainingHistory: {len(history.runs)} runs")


def test_everything_a_notebook_uses_is_public():
    for name in ("load", "TrainingHistory", "Thresholds", "WeekSummary", "read_history",
                 "analyze"):
        assert name in runload.__all__
        assert getattr(runload, name).__doc__


# --- the pain journal ------------------------------------------------------------------------

JOURNAL = ("date,region,severity,timing,note\n"
           "2026-06-06,knee,4,after,\"sore after the Harz hills, downstairs\"\n"
           "2026-06-08,knee,1,,\n"
           "2026-08-12,lower back,5,next morning,\n")


def test_a_pain_journal_gives_the_pain_tables(imported, tmp_path):
    from runload.analysis.pain import pain_episodes
    from runload.readers.pain import read_pain_journal

    path = tmp_path / "pain.csv"
    path.write_text(JOURNAL, encoding="utf-8")
    h = runload.TrainingHistory(imported, pain=path)
    entries = read_pain_journal(path)
    pd.testing.assert_frame_equal(h.pain_entries, entries)
    pd.testing.assert_frame_equal(h.pain_episodes, pain_episodes(entries))
    assert h.pain_episodes["episode_id"].tolist() == ["knee-2026-06-06",
                                                      "lower_back-2026-08-12"]
    expected = analyze(imported.sessions, pain=entries)
    pd.testing.assert_frame_equal(h.pain_exposures, expected.pain_exposures)
    # 2 episodes x 3 windows x 11 quantities; the other tables are those without a journal
    assert len(h.pain_exposures) == 66
    plain = runload.TrainingHistory(imported)
    pd.testing.assert_frame_equal(h.flags, plain.flags)
    assert plain.pain_entries.empty and plain.pain_episodes.empty and plain.pain_exposures.empty
    # a table works as well as a file; what-ifs keep the journal
    same = runload.TrainingHistory(imported, pain=entries)
    pd.testing.assert_frame_equal(same.pain_exposures, h.pain_exposures)
    longer = h.with_thresholds(pain={"windows_days": [7]})
    assert longer.pain_episodes["episode_id"].tolist() == h.pain_episodes["episode_id"].tolist()
    assert set(longer.pain_exposures["window_days"]) == {7}
    off = h.with_thresholds(pain={"enabled": False})
    assert off.pain_episodes.empty
    assert "<th style='text-align:left;padding-right:1em'>Pain journal</th><td " \
        "style='text-align:left'>3 entries, 2 episodes, 1 open</td>" in h._repr_html_()
    assert "Pain journal" not in plain._repr_html_()
    # looked at on 30 June: the August entry is not there yet
    early = runload.TrainingHistory(imported, pain=path, as_of="2026-06-30")
    assert early.pain_episodes["episode_id"].tolist() == ["knee-2026-06-06"]


def test_load_reads_the_pain_journal_first(tmp_path):
    from runload.errors import PainJournalError

    path = tmp_path / "pain.csv"
    path.write_text(JOURNAL, encoding="utf-8")
    h = runload.load(RUNNER, pain=path)
    assert len(h.pain_entries) == 3 and len(h.pain_episodes) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("date,region,severity\n2026-06-06,neck,4\n", encoding="utf-8")
    # the journal fails before any import (the path to import does not even exist)
    with pytest.raises(PainJournalError, match=r"bad\.csv, line 2: column 'region': got 'neck'"):
        runload.load(tmp_path / "no-such-export", pain=bad)
    with pytest.raises(TypeError, match="'pain' parameter must be a path"):
        runload.TrainingHistory(h._history, pain=3)
