"""Pain episodes and the windows before them: exact, hand-computed values.

The sessions are tiny tables built with ``schema.sessions_frame`` (one run a day
at 07:00 UTC, the local day is the UTC day), so every window sum, median and
percentile below can be checked by hand; the comment above each assertion says how.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from runload.analysis.flags import analyze
from runload.analysis.pain import (
    BACK_PAIN_SENTENCE,
    FORBIDDEN_WORDS,
    QUANTITIES,
    caveat_sentence,
    describe_episode,
    format_quantity,
    pain_episodes,
    pain_exposures,
    pain_summary,
)
from runload.config import PainSettings, Thresholds
from runload.schema import (
    pain_entries_frame,
    pain_exposures_frame,
    sessions_frame,
    validate_columns,
)

D = pd.Timestamp


def journal(*entries: tuple[str, str, int]) -> pd.DataFrame:
    """A journal table; each entry is (date, region, severity), lines 2, 3, ... in order."""
    return pain_entries_frame([{"line": k, "local_date": day, "region": region,
                                "severity": severity}
                               for k, (day, region, severity) in enumerate(entries, start=2)])


def run(day: str, distance_m: float = 5000.0, *, sub_sport: str = "street",
        timer_s: float | None = None, **extra) -> dict:
    return {"activity_id": f"r-{day}-{distance_m:.0f}", "sport": "running",
            "sub_sport": sub_sport, "start_utc": f"{day} 07:00Z", "local_date": day,
            "distance_m": distance_m, "timer_s": distance_m * 0.3 if timer_s is None else timer_s,
            "ascent_m": 0.0, "descent_m": 0.0, "has_gps": sub_sport != "treadmill",
            **extra}


def thresholds(*windows: int, percentile: float = 90.0) -> Thresholds:
    return dataclasses.replace(Thresholds(), pain=PainSettings(
        windows_days=windows, stands_out_percentile=percentile))


def exposure(analysis, quantity: str, window: int | None = None, episode: int = 0) -> pd.Series:
    """The exposure row of one quantity (of the first window unless given) of an episode."""
    table = analysis.pain_exposures
    eid = analysis.pain_episodes["episode_id"].iloc[episode]
    rows = table[(table["episode_id"] == eid) & (table["quantity"] == quantity)]
    if window is not None:
        rows = rows[rows["window_days"] == window]
    return rows.iloc[0]


# --- episodes -------------------------------------------------------------------------------

def test_the_first_entry_at_the_threshold_is_an_onset_and_one_below_closes_it():
    e = pain_episodes(journal(("2026-05-01", "knee", 3), ("2026-05-03", "knee", 2)))
    validate_columns(e, "pain_episodes")
    assert e.to_dict("records") == [{
        "episode_id": "knee-2026-05-01", "region": "knee", "onset_date": D("2026-05-01"),
        "end_date": D("2026-05-01"), "last_entry_date": D("2026-05-01"), "peak_severity": 3,
        "n_entries": 1, "is_open": False, "days_since_previous": pytest.approx(np.nan,
                                                                               nan_ok=True)}]


def test_severity_exactly_at_the_threshold_counts_one_below_does_not():
    e = pain_episodes(journal(("2026-05-01", "knee", 2), ("2026-05-02", "knee", 3)))
    # 2/10 is below the default threshold 3: the onset is the next day, and nothing follows
    assert e["onset_date"].tolist() == [D("2026-05-02")]
    assert e["is_open"].tolist() == [True] and e["end_date"].isna().all()
    assert e["n_entries"].tolist() == [1]
    assert pain_episodes(journal(("2026-05-01", "knee", 2))).empty
    # with a threshold of 2 the first entry is the onset and both belong to it
    e2 = pain_episodes(journal(("2026-05-01", "knee", 2), ("2026-05-02", "knee", 3)),
                       PainSettings(severity_threshold=2))
    assert e2[["onset_date", "n_entries", "peak_severity"]].values.tolist() == [
        [D("2026-05-01"), 2, 3]]


def test_fourteen_pain_free_days_make_a_new_episode_thirteen_do_not():
    # 1 May at 4/10, 2 May 0/10; pain back on 16 May: 2..15 May are 14 days without
    fourteen = pain_episodes(journal(("2026-05-01", "knee", 4), ("2026-05-02", "knee", 0),
                                     ("2026-05-16", "knee", 5)))
    assert fourteen["onset_date"].tolist() == [D("2026-05-01"), D("2026-05-16")]
    assert fourteen["end_date"].tolist()[0] == D("2026-05-01")
    assert fourteen["is_open"].tolist() == [False, True]
    assert fourteen["days_since_previous"].tolist()[1] == 15.0
    assert fourteen["n_entries"].tolist() == [1, 1]
    # back on 15 May: only 2..14 May (13 days) without: the same episode coming back
    thirteen = pain_episodes(journal(("2026-05-01", "knee", 4), ("2026-05-02", "knee", 0),
                                     ("2026-05-15", "knee", 5)))
    assert thirteen[["episode_id", "last_entry_date", "peak_severity", "n_entries",
                     "is_open"]].values.tolist() == [
        ["knee-2026-05-01", D("2026-05-15"), 5, 3, True]]
    assert thirteen["end_date"].isna().all()
    # pain_free_days is a setting
    short = pain_episodes(journal(("2026-05-01", "knee", 4), ("2026-05-05", "knee", 4)),
                          PainSettings(pain_free_days=3))
    assert short["onset_date"].tolist() == [D("2026-05-01"), D("2026-05-05")]


def test_a_later_onset_closes_the_episode_before_it_without_an_entry_below():
    e = pain_episodes(journal(("2026-05-01", "knee", 4), ("2026-06-01", "knee", 4)))
    assert e["is_open"].tolist() == [False, True]
    assert e["end_date"].tolist()[0] == D("2026-05-01")
    assert e["days_since_previous"].tolist()[1] == 31.0


def test_same_day_entries_take_the_highest_severity():
    e = pain_episodes(journal(("2026-05-01", "shin", 2), ("2026-05-01", "shin", 4),
                              ("2026-05-02", "shin", 1)))
    assert e[["onset_date", "peak_severity", "n_entries", "end_date"]].values.tolist() == [
        [D("2026-05-01"), 4, 2, D("2026-05-01")]]
    # a day rated 2 and 1 stays below the threshold
    assert pain_episodes(journal(("2026-05-01", "shin", 2), ("2026-05-01", "shin", 1))).empty


def test_overlapping_episodes_in_two_regions_are_separate():
    e = pain_episodes(journal(("2026-05-03", "knee", 3), ("2026-05-01", "lower_back", 5),
                              ("2026-05-05", "lower_back", 4), ("2026-05-06", "lower_back", 1)))
    assert e[["episode_id", "onset_date", "end_date", "is_open"]].values.tolist() == [
        ["lower_back-2026-05-01", D("2026-05-01"), D("2026-05-05"), False],
        ["knee-2026-05-03", D("2026-05-03"), pd.NaT, True]]
    assert e["n_entries"].tolist() == [2, 1]


def test_a_journal_of_zeros_has_no_episodes():
    e = pain_episodes(journal(("2026-05-01", "hip", 0), ("2026-05-02", "hip", 0)))
    assert e.empty
    validate_columns(e, "pain_episodes")
    validate_columns(pain_episodes(pain_entries_frame([])), "pain_episodes")


@pytest.mark.parametrize(("entries", "message"), [
    (pain_entries_frame([{"local_date": "2026-05-01", "region": "back", "severity": 3}]),
     r"'region' must hold one of .* Got 'back'"),
    (pain_entries_frame([{"local_date": "2026-05-01", "region": "hip", "severity": 11}]),
     r"'severity' must hold whole numbers from 0 to 10. Got 11"),
    (pd.DataFrame({"local_date": [D("2026-05-01")], "region": ["hip"]}),
     r"missing columns \['severity'\]"),
])
def test_bad_journal_tables_are_refused(entries, message):
    with pytest.raises(ValueError, match=message):
        pain_episodes(entries)


@pytest.mark.parametrize(("settings", "message"), [
    (PainSettings(severity_threshold=0), r"'severity_threshold' .* from 1 to 10. Got 0"),
    (PainSettings(pain_free_days=0), r"'pain_free_days' .* >= 1. Got 0"),
    (PainSettings(windows_days=(7, 7)), r"'windows_days' .* distinct ints >= 1"),
    (PainSettings(stands_out_percentile=40.0), r"'stands_out_percentile' .* above 50"),
])
def test_bad_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        pain_episodes(journal(("2026-05-01", "hip", 3)), settings)


# --- exposures: window edges, median, percentile, overlap ------------------------------------

def test_window_edges_median_percentile_and_overlap():
    # 1..10 Apr, a run a day of (day number) km; onset 8 Apr; window 3 days: 5, 6, 7 Apr
    sessions = sessions_frame([run(f"2026-04-{d:02d}", d * 1000.0) for d in range(1, 11)])
    a = analyze(sessions, thresholds=thresholds(3),
                pain=journal(("2026-04-08", "knee", 4)))
    row = exposure(a, "distance_m")
    # the onset day (8 km) is left out, onset - 3 (5 Apr) is in: 5 + 6 + 7 km
    assert row["value"] == 18000.0
    # other 3-day windows end on 3, 4 or 10 Apr (1-3, 2-4, 8-10 Apr): those ending
    # 5..9 Apr overlap 5-7 Apr.  6, 9, 27 km: median 9 km; 18 km is above two of three
    assert row["n_windows"] == 3
    assert row["usual_median"] == 9000.0
    assert row["ratio_to_usual"] == 2.0
    assert row["percentile"] == pytest.approx(200 / 3)
    assert not row["stands_out"]
    assert row[["episode_id", "region", "onset_date", "window_days", "unit"]].tolist() == [
        "knee-2026-04-08", "knee", D("2026-04-08"), 3, "m"]
    # every quantity, in order, once per window
    assert a.pain_exposures["quantity"].tolist() == list(QUANTITIES)
    validate_columns(a.pain_exposures, "pain_exposures")
    assert exposure(a, "rest_days")["value"] == 0.0
    assert exposure(a, "longest_streak_days")["value"] == 7.0


def test_percentile_counts_ties_half_and_the_median_of_a_hand_made_distribution():
    km = {1: 5, 3: 5, 4: 8, 6: 5, 7: 10, 8: 5, 9: 3, 10: 2}  # 2 and 5 Apr: rest days
    sessions = sessions_frame([run(f"2026-04-{d:02d}", k * 1000.0) for d, k in km.items()])
    a = analyze(sessions, thresholds=thresholds(1, percentile=60.0),
                pain=journal(("2026-04-09", "foot", 3)))
    row = exposure(a, "distance_m")
    # the window is 8 Apr (5 km); the other days: 5 0 5 8 0 5 10 3 2 km
    # sorted 0 0 2 3 5 5 5 8 10: median 5 km; 4 below, 3 equal: (4 + 1.5) / 9
    assert row["value"] == 5000.0
    assert row["n_windows"] == 9
    assert row["usual_median"] == 5000.0
    assert row["ratio_to_usual"] == 1.0
    assert row["percentile"] == pytest.approx(100 * 5.5 / 9)
    assert row["stands_out"]                                # 61.1 >= 60
    rest = exposure(a, "rest_days")
    # the window had no rest day; the others: two of nine; 0 below, 7 equal
    assert (rest["value"], rest["usual_median"]) == (0.0, 0.0)
    assert rest["percentile"] == pytest.approx(100 * 3.5 / 9)
    assert np.isnan(rest["ratio_to_usual"])                 # median 0: no ratio


def test_weekly_change_is_nan_on_an_empty_base_week():
    # a run on 1 Apr, nothing until 15 Apr, then a run a day; onset 22 Apr
    days = ["2026-04-01", *[f"2026-04-{d:02d}" for d in range(15, 25)]]
    sessions = sessions_frame([run(day) for day in days])
    a = analyze(sessions, thresholds=thresholds(7), pain=journal(("2026-04-22", "shin", 5)))
    change = exposure(a, "weekly_change_frac")
    # last 7 days 15-21 Apr (35 km) over 8-14 Apr (0 km): no base, no value
    assert np.isnan(change["value"]) and np.isnan(change["percentile"])
    assert not change["stands_out"]
    # 7-day windows whose base week is known end 14..24 Apr; 15..27 Apr overlap 15-21 Apr.
    # 14 Apr: 8-14 Apr (0 km) over 1-7 Apr (5 km) is -100 %
    assert change["n_windows"] == 1
    assert change["usual_median"] == -1.0
    assert exposure(a, "distance_m")["value"] == 35000.0


def test_weekly_change_values_and_the_windows_that_have_a_base():
    # 5 km every day 1..28 Apr, 10 km on 21..27 Apr; onset 28 Apr, window 7 days
    sessions = sessions_frame([run(f"2026-04-{d:02d}", 10000.0 if 21 <= d <= 27 else 5000.0)
                               for d in range(1, 29)])
    a = analyze(sessions, thresholds=thresholds(7), pain=journal(("2026-04-28", "knee", 3)))
    change = exposure(a, "weekly_change_frac")
    # 21-27 Apr 70 km over 14-20 Apr 35 km
    assert change["value"] == 1.0
    # the change reads 14 days: known from an end on 14 Apr; 21..28 Apr overlap 21-27 Apr.
    # 14..20 Apr: 35 km over 35 km, no change
    assert change["n_windows"] == 7
    assert change["usual_median"] == 0.0                   # steady weeks
    assert change["percentile"] == 100.0 and change["stands_out"]


def test_spikes_use_duration_for_treadmill_runs():
    sessions = sessions_frame([
        run("2026-04-01", 10000.0, timer_s=3000.0),
        run("2026-04-03", 5000.0, timer_s=1500.0),
        # treadmill distance is an estimate: 10 km again, but 50 % longer in time
        run("2026-04-05", 10000.0, sub_sport="treadmill", timer_s=4500.0),
    ])
    a = analyze(sessions, thresholds=thresholds(3), pain=journal(("2026-04-06", "hip", 6)))
    spike = exposure(a, "max_spike_frac")
    # 3-5 Apr: 3 Apr is -50 % by distance; 5 Apr +50 % by duration (0 % by distance)
    assert spike["value"] == 0.5
    assert a.spikes.set_index("local_date").loc[D("2026-04-05"), "spike_frac"] == 0.0


def test_episodes_before_the_first_run_have_no_values_partial_windows_do():
    sessions = sessions_frame([run(f"2026-04-{d:02d}") for d in range(1, 11)])
    a = analyze(sessions, thresholds=thresholds(7), pain=journal(
        ("2026-03-20", "knee", 5), ("2026-04-01", "hip", 4), ("2026-04-03", "foot", 4)))
    assert a.pain_episodes["episode_id"].tolist() == [
        "knee-2026-03-20", "hip-2026-04-01", "foot-2026-04-03"]
    for k in (0, 1):  # windows wholly before the first run (1 Apr), the onset day included
        rows = a.pain_exposures[a.pain_exposures["episode_id"]
                                == a.pain_episodes["episode_id"].iloc[k]]
        assert rows["value"].isna().all() and not rows["stands_out"].any()
        assert rows["percentile"].isna().all()
        # the comparison is still there: 7-day windows ending 7..10 Apr
        assert rows.loc[rows["quantity"] == "distance_m", "n_windows"].tolist() == [4]
    # 27 Mar - 2 Apr: only 1 and 2 Apr are known: 10 km, and no rest day counted
    assert exposure(a, "distance_m", episode=2)["value"] == 10000.0
    assert exposure(a, "rest_days", episode=2)["value"] == 0.0


def test_days_after_the_last_run_count_as_rest_and_an_onset_on_a_rest_day():
    sessions = sessions_frame([run(f"2026-04-{d:02d}") for d in (1, 2, 4, 5, 6, 8, 9, 10)])
    a = analyze(sessions, thresholds=thresholds(3), pain=journal(
        ("2026-04-07", "knee", 4), ("2026-04-13", "lower_back", 4)))
    # onset on 7 Apr, a rest day: 4-6 Apr, three runs
    assert exposure(a, "distance_m", episode=0)["value"] == 15000.0
    assert exposure(a, "rest_days", episode=0)["value"] == 0.0
    # onset 13 Apr, three days after the last run: 10-12 Apr, one run, two rest days
    assert exposure(a, "distance_m", episode=1)["value"] == 5000.0
    assert exposure(a, "rest_days", episode=1)["value"] == 2.0
    # the daily table itself is unchanged: it ends on the last run
    assert a.daily.index[-1] == D("2026-04-10")


def test_longest_streak_counts_a_streak_begun_before_the_window():
    sessions = sessions_frame([run(f"2026-04-{d:02d}") for d in (1, 2, 3, 4, 6, 7)])
    a = analyze(sessions, thresholds=thresholds(3, 5), pain=journal(("2026-04-08", "hip", 3)))
    # 5-7 Apr: rest, then a 2-day streak; 3-7 Apr: the 1-4 Apr streak reaches in, 4 days
    assert exposure(a, "longest_streak_days", 3)["value"] == 2.0
    assert exposure(a, "longest_streak_days", 5)["value"] == 4.0
    assert exposure(a, "rest_days", 5)["value"] == 1.0


def test_runs_in_a_return_after_a_break():
    days = ["2026-03-01", "2026-03-02", "2026-03-20", "2026-03-21", "2026-03-22"]
    sessions = sessions_frame([run(day) for day in days])
    a = analyze(sessions, thresholds=thresholds(3), pain=journal(("2026-03-23", "shin", 4)))
    assert a.layoffs["return_date"].tolist() == [D("2026-03-20")]
    # 20-22 Mar: three runs, all in the return mode that starts on 20 Mar
    assert exposure(a, "runs_after_layoff")["value"] == 3.0


def test_trail_share_and_surface_change():
    sessions = sessions_frame([
        run("2026-04-01", 6000.0), run("2026-04-02", 4000.0),                 # road
        run("2026-04-03", 3000.0, sub_sport="trail"), run("2026-04-04", 1000.0),
    ])
    a = analyze(sessions, thresholds=thresholds(2), pain=journal(("2026-04-05", "knee", 3)))
    # 3-4 Apr: 3 of 4 km on trail; 1-2 Apr all road
    assert exposure(a, "trail_share_frac")["value"] == 0.75
    # road share 1 -> 0.25, trail 0 -> 0.75: the largest change is 0.75
    assert exposure(a, "surface_change_frac")["value"] == 0.75
    # the only other 2-day window with a window before it would end on 4 Apr (overlap)
    assert exposure(a, "surface_change_frac")["n_windows"] == 0


def test_monotony_is_the_highest_in_the_window():
    loads = [30, 60, 30, 0, 45, 30, 60, 30, 30, 30, 30]
    sessions = sessions_frame([run(f"2026-04-{d:02d}", 5000.0, timer_s=minutes * 60.0)
                               for d, minutes in enumerate(loads, start=1) if minutes])
    a = analyze(sessions, thresholds=thresholds(3), pain=journal(("2026-04-12", "hip", 3)))
    expected = a.monotony["monotony"].loc["2026-04-09":"2026-04-11"].max()
    assert np.isfinite(expected)
    assert exposure(a, "monotony")["value"] == expected


def test_no_journal_or_pain_off_gives_empty_tables_and_other_tables_do_not_change():
    sessions = sessions_frame([run(f"2026-04-{d:02d}", d * 1000.0) for d in range(1, 11)])
    pain = journal(("2026-04-08", "knee", 4))
    plain = analyze(sessions)
    with_pain = analyze(sessions, pain=pain)
    off = analyze(sessions, pain=pain, thresholds=Thresholds.from_mapping(
        {"pain": {"enabled": False}}))
    for a in (plain, off):
        assert a.pain_entries.empty and a.pain_episodes.empty and a.pain_exposures.empty
        validate_columns(a.pain_entries, "pain_entries")
        validate_columns(a.pain_episodes, "pain_episodes")
        validate_columns(a.pain_exposures, "pain_exposures")
    for name in ("runs", "daily", "weekly", "spikes", "rest", "layoffs", "monotony", "flags"):
        pd.testing.assert_frame_equal(getattr(with_pain, name), getattr(plain, name))
    assert len(with_pain.pain_entries) == 1 and len(with_pain.pain_episodes) == 1


def test_entries_after_as_of_are_left_out():
    sessions = sessions_frame([run(f"2026-04-{d:02d}") for d in range(1, 11)])
    a = analyze(sessions, as_of=D("2026-04-09"), pain=journal(
        ("2026-04-05", "knee", 4), ("2026-04-09", "knee", 1), ("2026-04-10", "hip", 5)))
    assert a.pain_entries["local_date"].max() == D("2026-04-09")
    assert a.pain_episodes["episode_id"].tolist() == ["knee-2026-04-05"]


def test_no_runs_at_all_gives_nan_values():
    cycling = sessions_frame([{**run("2026-04-01"), "sport": "cycling"}])
    a = analyze(cycling, thresholds=thresholds(7), pain=journal(("2026-04-05", "knee", 4)))
    assert len(a.pain_exposures) == len(QUANTITIES)
    assert a.pain_exposures["value"].isna().all()
    assert (a.pain_exposures["n_windows"] == 0).all()


def test_pain_exposures_with_no_episodes_and_settings_from_the_analysis():
    sessions = sessions_frame([run("2026-04-01")])
    a = analyze(sessions)
    empty = pain_exposures(a, pain_episodes(pain_entries_frame([])))
    validate_columns(empty, "pain_exposures")
    assert empty.empty


# --- sentences --------------------------------------------------------------------------------

def exposures_rows(eid: str, region: str, onset: str, rows: list[tuple]) -> pd.DataFrame:
    """(window, quantity, value, usual, percentile, stands_out) rows of one episode."""
    out = []
    for window, quantity, value, usual, percentile, stands in rows:
        ratio = value / usual if usual else np.nan
        out.append({"episode_id": eid, "region": region, "onset_date": onset,
                    "window_days": window, "quantity": quantity, "unit": QUANTITIES[quantity],
                    "value": value, "usual_median": usual, "ratio_to_usual": ratio,
                    "percentile": percentile, "n_windows": 200, "stands_out": stands})
    return pain_exposures_frame(out)


def episode(region: str, onset: str) -> pd.Series:
    return pd.Series({"episode_id": f"{region}-{onset}", "region": region,
                      "onset_date": D(onset), "is_open": False})


def test_describe_episode_says_what_stood_out_and_the_caveat():
    rows = exposures_rows("knee-2026-06-06", "knee", "2026-06-06", [
        (7, "descent_m", 400.0, 300.0, 80.0, False),
        (14, "descent_m", 640.0, 305.0, 92.3, True),
        (14, "distance_m", 30000.0, 31000.0, 48.0, False),
        (7, "weekly_change_frac", 0.45, 0.03, 95.4, True),
        (14, "weekly_change_frac", 0.45, 0.03, 96.0, True),
        (7, "rest_days", 0.0, 3.0, 4.0, True),
    ])
    said = describe_episode(episode("knee", "2026-06-06"), rows, n_episodes=3)
    assert said == [
        "In the 7 days before, distance changed by +45 % on the 7 days before them, against a "
        "usual +3 % (95th percentile of your 7-day windows).",
        "In the 7 days before, the number of rest days was 0 days against a usual 3 days "
        "(4th percentile of your 7-day windows).",
        "In the 14 days before, descent was 2.1 × your usual: 640 m against 305 m "
        "(92nd percentile of your 14-day windows).",
        "These are patterns in your own history, not the reason for the pain; with 3 episodes "
        "this says little. See a clinician if pain persists, gets worse or radiates (e.g. into "
        "a leg).",
    ]
    miles = describe_episode(episode("knee", "2026-06-06"), rows, "mi")
    assert "2,100 ft against 1,001 ft" in miles[2]
    assert miles[-1] == caveat_sentence() and "with few episodes" in miles[-1]


def test_describe_episode_nothing_stood_out_lower_back_and_no_history():
    rows = exposures_rows("lower_back-2026-06-06", "lower_back", "2026-06-06", [
        (7, "distance_m", 30000.0, 31000.0, 48.0, False),
        (14, "distance_m", 60000.0, 61000.0, 47.0, False),
    ])
    said = describe_episode(episode("lower_back", "2026-06-06"), rows, n_episodes=1)
    assert said == [
        "Nothing in the 7 and 14 days before stood out against your other windows of the "
        "same length.",
        BACK_PAIN_SENTENCE,
        caveat_sentence(1),
    ]
    assert "with 1 episode this" in said[-1]
    before = rows.assign(value=np.nan, percentile=np.nan)
    assert describe_episode(episode("knee", "2026-06-06"), before)[0].startswith(
        "Your activity history starts on or after this onset")


def test_pain_summary_across_a_regions_episodes():
    onsets = ("2026-05-01", "2026-07-01", "2026-09-01")
    rows = pd.concat([exposures_rows(f"lower_back-{o}", "lower_back", o, [
        (14, "descent_m", value, 300.0, pct, stands),
        (14, "distance_m", 30000.0, 30000.0, 50.0, False),
    ]) for o, value, pct, stands in zip(onsets, (660.0, 600.0, 310.0), (92.0, 95.0, 55.0),
                                        (True, True, False), strict=True)])
    episodes = pd.DataFrame({"episode_id": [f"lower_back-{o}" for o in onsets],
                             "region": "lower_back"})
    said = pain_summary(episodes, rows)
    # descent stood out (high) before 2 of 3; over the three, the median ratio is 2.0
    # (2.2, 2.0, 1.03) and the median percentile 92 (92, 95, 55)
    assert said == [
        "The 14 days before your 3 lower-back episodes had 2.0 × your usual descent (median "
        "percentile 92; it stood out before 2 of them).",
        BACK_PAIN_SENTENCE,
        caveat_sentence(3),
    ]
    assert pain_summary(episodes.iloc[:0], rows) == []
    calm = rows.assign(stands_out=False)
    assert pain_summary(episodes, calm)[0] == ("Nothing stood out against your usual windows "
                                               "before most of your 3 lower-back episodes.")
    one = pain_summary(episodes.iloc[:1], rows)
    assert one[0] == ("The 14 days before your one lower-back episode had 2.2 × your usual "
                      "descent (92nd percentile).")
    knee = pain_summary(episodes.assign(region="knee", episode_id=["k1", "k2", "k3"]),
                        rows.assign(episode_id=rows["episode_id"].map(
                            dict(zip(episodes["episode_id"], ["k1", "k2", "k3"], strict=True)))),
                        region="knee")
    assert knee[0] == ("The 14 days before your 3 knee episodes had 2.0 × your usual descent "
                       "(median percentile 92; it stood out before 2 of them).")
    # one of two is not most of them; rest days read as a noun after "your usual"
    two = rows[rows["episode_id"] != "lower_back-2026-05-01"]
    assert pain_summary(episodes.iloc[1:], two)[0].startswith("Nothing stood out")
    rest = exposures_rows("lower_back-2026-05-01", "lower_back", "2026-05-01",
                          [(7, "rest_days", 1.0, 3.0, 4.0, True)])
    assert pain_summary(episodes.iloc[:1], rest)[0] == (
        "The 7 days before your one lower-back episode had 0.3 × your usual number of rest "
        "days (4th percentile).")


def test_format_quantity():
    assert format_quantity("distance_m", 42195.0) == "42.2 km"
    assert format_quantity("distance_m", 16093.44, "mi") == "10.0 mi"
    assert format_quantity("max_spike_frac", -0.48) == "\u221248 %"
    assert format_quantity("surface_change_frac", 0.3) == "30 percentage points"
    assert format_quantity("trail_share_frac", 0.75) == "75 %"
    assert format_quantity("longest_streak_days", 16.0) == "16 days"
    assert format_quantity("monotony", 2.345) == "2.3"
    assert format_quantity("runs_after_layoff", 3.0) == "3"
    assert format_quantity("ascent_m", np.nan) == "\u2013"


def test_no_sentence_uses_forbidden_words():
    # a season with a bit of everything, and three episodes in two regions
    sessions = sessions_frame(
        [run(f"2026-04-{d:02d}", 5000.0 + 1000.0 * (d % 4), descent_m=50.0 * (d % 3))
         for d in range(1, 31)]
        + [run(f"2026-05-{d:02d}", 12000.0, sub_sport="trail", descent_m=400.0)
           for d in range(1, 8)]
        + [run(f"2026-05-{d:02d}", 5000.0, sub_sport="treadmill") for d in range(20, 31)])
    pain = journal(("2026-05-08", "lower_back", 5), ("2026-05-09", "lower_back", 1),
                   ("2026-05-31", "lower_back", 6), ("2026-05-10", "knee", 3))
    a = analyze(sessions, thresholds=thresholds(7, 14, percentile=75.0), pain=pain)
    said = pain_summary(a.pain_episodes, a.pain_exposures)
    for units in ("km", "mi"):
        for _, row in a.pain_episodes.iterrows():
            mine = a.pain_exposures[a.pain_exposures["episode_id"] == row["episode_id"]]
            said += describe_episode(row, mine, units, n_episodes=len(a.pain_episodes))
    assert len(said) > 8
    assert any("stands out" in s or "percentile" in s for s in said)
    text = " ".join(said).lower()
    for word in FORBIDDEN_WORDS:
        assert word not in text, word
    assert not re.search(r"\bsafe\b", text)
