"""Tests of runload.readers.dedupe: copies of one run are counted once."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import runload
from runload.readers.dedupe import DUPLICATE_COLUMNS, find_duplicates
from runload.schema import sessions_frame, validate_columns

T0 = pd.Timestamp("2024-05-04 06:00", tz="UTC")
FORMAT_SUFFIX = {"fit": "fit", "tcx": "tcx", "gpx": "gpx", "garmin_json": "json",
                 "strava_csv": "csv"}


def session(stem: str, fmt: str = "fit", /, **values: Any) -> dict[str, Any]:
    """A one-hour 10 km run starting at T0, read from file ``stem``; ``values`` override."""
    summary = fmt in ("garmin_json", "strava_csv")
    row: dict[str, Any] = {
        "activity_id": f"{stem}-0", "source_path": f"/h/{stem}.{FORMAT_SUFFIX[fmt]}",
        "source_format": fmt,
        "content_sha256": "" if summary else hashlib.sha256(stem.encode()).hexdigest(),
        "sport": "running", "sub_sport": "generic", "start_utc": T0, "elapsed_s": 3600.0,
        "timer_s": 3600.0, "distance_m": 10_000.0, "has_gps": not summary,
        "n_records": 0 if summary else 3600, "is_summary_only": summary,
    }
    row.update(values)
    return row


def minutes(n: float) -> pd.Timestamp:
    return T0 + pd.Timedelta(minutes=n)


def dedupe(*rows: dict[str, Any], **kwargs: Any):
    result = find_duplicates(sessions_frame(list(rows)), **kwargs)
    validate_columns(result.sessions, "sessions")
    assert tuple(result.duplicates.columns) == DUPLICATE_COLUMNS
    return result


def duplicate_of(result) -> dict[str, str]:
    """source_path -> duplicate_of, for every input row."""
    s = result.sessions
    return dict(zip(s["source_path"], s["duplicate_of"], strict=True))


# --- exact copies ----------------------------------------------------------------------------

def test_same_content_at_two_places_is_kept_once():
    a = session("run", source_path="/usb/run.fit")
    b = session("run", source_path="/export.zip", member_path="x/run.fit")
    result = dedupe(a, b)                             # kept: first by path
    assert duplicate_of(result) == {"/export.zip": "", "/usb/run.fit": "run-0"}
    (dup,) = result.duplicates.itertuples()
    assert (dup.activity_id, dup.source_path, dup.member_path) == ("run-0", "/usb/run.fit", "")
    assert (dup.duplicate_of, dup.rule, dup.shift_h) == ("run-0", "same_content", 0)
    assert "same file content" in dup.detail


def test_same_fit_identity_is_a_reencoded_copy():
    original = session("orig", device_file_id="1:3927089597:919227951",
                       utc_offset_s=7200, tz_source="fit_local_timestamp")
    reencoded = session("resaved", device_file_id="1:3927089597:919227951",
                        start_utc=minutes(50), elapsed_s=600.0, timer_s=600.0)
    result = dedupe(reencoded, original)
    assert duplicate_of(result) == {"/h/resaved.fit": "orig-0", "/h/orig.fit": ""}
    assert result.duplicates["rule"].tolist() == ["same_fit_identity"]


def test_one_device_files_overlapping_are_copies_but_never_shifted_ones():
    first = session("first", device_file_id="1:3927089597:919227951", utc_offset_s=7200,
                    tz_source="file_offset")
    resaved = session("second", device_file_id="1:3927089597:919230000", start_utc=minutes(1))
    assert dedupe(first, resaved).duplicates["rule"].tolist() == ["overlap"]
    two_hours_later = session("second", device_file_id="1:3927089597:919230000",
                              start_utc=minutes(120))
    assert dedupe(first, two_hours_later).duplicates.empty
    other_device = session("second", start_utc=minutes(120))
    assert dedupe(first, other_device).duplicates["rule"].tolist() == ["overlap_shifted"]


# --- cross-format overlap ----------------------------------------------------------------------

def test_fit_and_gpx_overlapping_90_percent_with_distance_3_percent_off():
    fit = session("watch")
    gpx = session("phone", "gpx", start_utc=minutes(6), distance_m=10_300.0)
    result = dedupe(gpx, fit)
    assert duplicate_of(result) == {"/h/phone.gpx": "watch-0", "/h/watch.fit": ""}
    (dup,) = result.duplicates.itertuples()
    assert (dup.rule, dup.shift_h) == ("overlap", 0)
    assert dup.overlap_frac == pytest.approx(0.9)
    assert "richer source format (fit over gpx)" in dup.detail


@pytest.mark.parametrize("changes", [
    pytest.param({"start_utc": minutes(18)}, id="overlap-70-percent"),
    pytest.param({"distance_m": 11_500.0}, id="distance-15-percent-off"),
    pytest.param({"elapsed_s": 4300.0, "timer_s": 4300.0}, id="duration-19-percent-off"),
    pytest.param({"sport": "cycling"}, id="run-vs-ride"),
    pytest.param({"start_utc": minutes(90)}, id="shifted-1.5-h"),
])
def test_not_a_copy(changes):
    fit = session("watch", utc_offset_s=7200, tz_source="fit_local_timestamp")
    other = session("phone", "gpx", **changes)
    result = dedupe(fit, other)
    assert result.duplicates.empty
    assert (result.sessions["duplicate_of"] == "").all()


def test_missing_distance_is_not_compared_but_duration_is():
    fit = session("treadmill", sub_sport="treadmill", distance_m=np.nan, has_gps=False)
    strava = session("strava", "strava_csv", distance_m=0.0, sub_sport="treadmill")
    assert duplicate_of(dedupe(fit, strava))["/h/strava.csv"] == "treadmill-0"
    longer = session("strava", "strava_csv", distance_m=0.0, elapsed_s=4500.0, timer_s=4500.0)
    assert dedupe(fit, longer).duplicates.empty


def test_paused_copy_matches_on_elapsed_time():
    fit = session("watch", elapsed_s=3600.0, timer_s=3000.0)
    gpx = session("phone", "gpx", elapsed_s=3590.0, timer_s=3590.0)
    assert duplicate_of(dedupe(fit, gpx))["/h/phone.gpx"] == "watch-0"


def test_generic_copy_matches_a_run_but_never_joins_a_run_and_a_ride():
    run = session("run")
    gpx = session("untyped", "gpx", sport="generic", start_utc=minutes(1))
    result = dedupe(run, gpx)
    assert duplicate_of(result)["/h/untyped.gpx"] == "run-0"
    ride = session("ride", sport="cycling", start_utc=minutes(2))
    result = dedupe(run, gpx, ride)
    assert result.duplicates["activity_id"].tolist() == ["untyped-0"]
    assert duplicate_of(result)["/h/ride.fit"] == ""


def test_each_generic_copy_joins_one_family():
    run, ride = session("run"), session("ride", sport="cycling", start_utc=minutes(2))
    gpx1 = session("gpx1", "gpx", sport="generic", start_utc=minutes(1))
    gpx2 = session("gpx2", "gpx", sport="generic", start_utc=minutes(3))
    result = dedupe(run, gpx1, ride, gpx2)
    assert duplicate_of(result) == {"/h/run.fit": "", "/h/gpx1.gpx": "run-0",
                                    "/h/ride.fit": "", "/h/gpx2.gpx": "ride-0"}


def test_two_sessions_of_one_file_are_never_copies():
    leg0 = session("multi")
    leg1 = session("multi", activity_id="multi-1", session_index=1, start_utc=minutes(1))
    assert dedupe(leg0, leg1).duplicates.empty


# --- wrong time zone -------------------------------------------------------------------------

def test_copy_shifted_by_the_zone_offset():
    fit = session("watch", utc_offset_s=7200, tz_source="fit_local_timestamp")
    local_as_utc = session("export", "tcx", start_utc=minutes(120))
    result = dedupe(fit, local_as_utc)
    (dup,) = result.duplicates.itertuples()
    assert (dup.activity_id, dup.duplicate_of) == ("export-0", "watch-0")
    assert (dup.rule, dup.shift_h, dup.overlap_frac) == ("overlap_shifted", 2, 1.0)
    assert "2 h earlier" in dup.detail


def test_shift_the_other_way_is_negative():
    fit = session("watch", start_utc=minutes(180), utc_offset_s=-10800, tz_source="file_offset")
    early = session("phone", "gpx")
    (dup,) = dedupe(fit, early).duplicates.itertuples()
    assert (dup.activity_id, dup.rule, dup.shift_h) == ("phone-0", "overlap_shifted", -3)


@pytest.mark.parametrize(("fit_zone", "other_zone", "shift_min"), [
    pytest.param((7200, "fit_local_timestamp"), (7200, "fit_local_timestamp"), 120,
                 id="both-clocks-trusted-a-double"),
    pytest.param((7200, "fit_local_timestamp"), (None, ""), 240, id="shift-not-the-offset"),
    pytest.param((None, ""), (None, ""), 120, id="no-offset-known"),
])
def test_shift_must_be_explained_by_the_clocks(fit_zone, other_zone, shift_min):
    fit = session("watch", utc_offset_s=fit_zone[0], tz_source=fit_zone[1])
    other = session("other", "gpx", start_utc=minutes(shift_min),
                    utc_offset_s=other_zone[0], tz_source=other_zone[1])
    assert dedupe(fit, other).duplicates.empty


def test_daylight_saving_slip_of_one_hour():
    fit = session("watch", utc_offset_s=7200, tz_source="fit_local_timestamp")
    gpx = session("phone", "gpx", start_utc=minutes(60))
    (dup,) = dedupe(fit, gpx).duplicates.itertuples()
    assert (dup.rule, dup.shift_h) == ("overlap_shifted", 1)


def test_max_shift_h_limits_the_search():
    fit = session("watch", utc_offset_s=7200, tz_source="fit_local_timestamp")
    gpx = session("phone", "gpx", start_utc=minutes(120))
    assert dedupe(fit, gpx, max_shift_h=1).duplicates.empty


# --- which copy is kept, what it takes -------------------------------------------------------

def test_summary_only_row_is_a_duplicate_and_donates_name_and_description():
    fit = session("watch")
    strava = session("strava", "strava_csv", start_utc=minutes(1), name="Morning 10k",
                     description="legs heavy")
    result = dedupe(strava, fit)
    kept = result.sessions.iloc[1]
    assert (kept["name"], kept["description"], kept["duplicate_of"]) == (
        "Morning 10k", "legs heavy", "")
    assert "name, description merged from duplicate strava-0" in kept["notes"]
    assert result.sessions.iloc[0]["duplicate_of"] == "watch-0"
    assert result.sessions.iloc[0]["name"] == "Morning 10k"


def test_kept_name_is_not_overwritten_and_offset_is_taken_with_local_times():
    gpx = session("phone", "gpx", name="Run with Ana")
    garmin = session("garmin", "garmin_json", name="Paris Running", utc_offset_s=7200,
                     tz_source="garmin_json")
    result = dedupe(gpx, garmin)
    kept = result.sessions.iloc[0]
    assert kept["name"] == "Run with Ana"
    assert (kept["utc_offset_s"], kept["tz_source"]) == (7200, "garmin_json")
    assert kept["start_local"] == pd.Timestamp("2024-05-04 08:00")
    assert kept["local_date"] == pd.Timestamp("2024-05-04")
    assert kept["notes"] == "utc_offset_s merged from duplicate garmin-0 (garmin_json, /h/garmin.json)"


def test_offset_of_a_shifted_copy_is_not_taken():
    gpx = session("phone", "gpx")
    strava = session("strava", "strava_csv", start_utc=minutes(-120), utc_offset_s=7200,
                     tz_source="file_offset")
    result = dedupe(gpx, strava)
    assert result.duplicates["rule"].tolist() == ["overlap_shifted"]
    assert pd.isna(result.sessions.iloc[0]["utc_offset_s"])


def test_source_format_priority():
    rows = [session(fmt, fmt, start_utc=minutes(i)) for i, fmt in
            enumerate(["strava_csv", "garmin_json", "gpx", "tcx", "fit"])]
    for n in range(len(rows), 0, -1):
        result = dedupe(*rows[:n])
        kept = result.sessions[result.sessions["duplicate_of"] == ""]
        assert kept["source_format"].tolist() == [rows[n - 1]["source_format"]]
        assert set(result.duplicates["duplicate_of"]) == ({kept["activity_id"].iloc[0]}
                                                          if n > 1 else set())


@pytest.mark.parametrize(("richer", "poorer", "why"), [
    ({}, {"is_partial": True}, "not damaged"),
    ({"has_hr": True}, {}, "has heart rate"),
    ({"has_hr": True, "has_gps": False}, {"has_gps": True}, "has heart rate"),
    ({}, {"has_gps": False}, "has GPS"),
    ({"has_power": True}, {}, "has power"),
    ({"device_file_id": "1:5:6"}, {"n_records": 9999}, "has a FIT device identity"),
    ({"tz_source": "fit_local_timestamp", "utc_offset_s": 0}, {"n_records": 9999},
     "more trusted time zone"),
    ({"n_records": 3601}, {}, "more records"),
    ({}, {}, "first by path"),
])
def test_richness_order(richer, poorer, why):
    a = session("a", **richer)
    b = session("b", start_utc=minutes(1), **poorer)
    for rows in ((a, b), (b, a)):
        result = dedupe(*rows)
        (dup,) = result.duplicates.itertuples()
        assert (dup.activity_id, dup.duplicate_of) == ("b-0", "a-0")
        assert dup.detail.endswith(why)


def test_transitive_group_collapses_to_one_kept_row():
    a = session("a")                                  # A~B 85 %, B~C 85 %, A~C 70 %
    b = session("b", "tcx", start_utc=minutes(9))
    c = session("c", "gpx", start_utc=minutes(18))
    result = dedupe(c, b, a)
    assert duplicate_of(result) == {"/h/a.fit": "", "/h/b.tcx": "a-0", "/h/c.gpx": "a-0"}
    dups = result.duplicates.set_index("activity_id")
    assert dups.loc["b-0", "overlap_frac"] == pytest.approx(0.85)
    assert dups.loc["c-0", "overlap_frac"] == pytest.approx(0.85)
    assert "overlapping b-0 (tcx, /h/b.tcx)" in dups.loc["c-0", "detail"]
    assert "itself a duplicate" in dups.loc["c-0", "detail"]


def test_inputs_not_mutated_and_result_is_stable():
    frame = sessions_frame([
        session("watch", device_file_id="1:2:3"),
        session("strava", "strava_csv", name="Easy", start_utc=minutes(2)),
        session("watch", source_path="/usb/watch.fit", device_file_id="1:2:3"),
        session("other", start_utc=minutes(24 * 60)),
    ]).set_axis([10, 11, 12, 13])
    before = frame.copy()
    result = find_duplicates(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert result.sessions.index.tolist() == [10, 11, 12, 13]
    assert result.sessions["duplicate_of"].tolist() == ["", "watch-0", "watch-0", ""]
    again = find_duplicates(result.sessions)
    pd.testing.assert_frame_equal(again.sessions, result.sessions)
    pd.testing.assert_frame_equal(again.duplicates, result.duplicates)


def test_rows_without_start_or_duration_match_only_exactly():
    a = session("a", start_utc=None)
    b = session("b", elapsed_s=np.nan, timer_s=np.nan)
    c = session("a", source_path="/elsewhere/a.fit", start_utc=None)
    result = dedupe(a, b, c)
    assert result.duplicates[["source_path", "rule"]].values.tolist() == [
        ["/h/a.fit", "same_content"]]
    assert np.isnan(result.duplicates["overlap_frac"].iloc[0])


def test_empty_table():
    result = dedupe()
    assert result.sessions.empty
    assert result.duplicates.empty


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"needs the sessions columns \['notes'\]"):
        find_duplicates(sessions_frame([session("a")]).drop(columns="notes"))
    with pytest.raises(ValueError, match="min_overlap_frac"):
        find_duplicates(sessions_frame([]), min_overlap_frac=80)
    with pytest.raises(ValueError, match="max_shift_h"):
        find_duplicates(sessions_frame([]), max_shift_h=1.5)


# --- real files ------------------------------------------------------------------------------

def read_sessions(realdata: Path, *relpaths: str) -> pd.DataFrame:
    return pd.concat([runload.read_activity(realdata / p).sessions for p in relpaths],
                     ignore_index=True)


def test_real_fit_and_tcx_of_one_race(realdata):
    s = read_sessions(realdata, "tcx/gc__10kUNLP2014-Garmin15.tcx",
                      "fit/gc__10kUNLP2014-Garmin15.fit")
    result = find_duplicates(s)
    assert result.sessions["source_format"][result.sessions["duplicate_of"] == ""].tolist() == [
        "fit"]
    (dup,) = result.duplicates.itertuples()
    assert (dup.rule, dup.shift_h, dup.duplicate_of) == ("overlap", 0, s["activity_id"][1])
    assert dup.overlap_frac > 0.99


def test_real_reencoded_copy_two_hours_off(realdata):
    s = read_sessions(realdata, "fit/gc__3386684871-saved.fit", "fit/gc__3386684871.fit")
    result = find_duplicates(s)
    kept = result.sessions[result.sessions["duplicate_of"] == ""]
    assert kept["source_path"].str.endswith("gc__3386684871.fit").tolist() == [True]
    (dup,) = result.duplicates.itertuples()
    assert dup.source_path.endswith("-saved.fit")
    assert (dup.rule, dup.shift_h) == ("overlap_shifted", 2)


def test_real_different_sessions_never_match(realdata):
    # Two different runs; one athlete's busiest day (a bike, a run, a walk, three
    # rides and a 10 km run within 8 h, one watch); and two days with two
    # treadmill entries 4 and 22 minutes apart.
    names = (83505477, 83506658, 83509695, 83512995, 83515735, 83533379, 83539417,
             83037864, 83037896, 83039583, 83039629)
    s = read_sessions(realdata, "fit/gc__10kUNLP2014-Garmin15.fit", "fit/gc__3386684871.fit",
                      *(f"history_a/{n}.fit" for n in names))
    result = find_duplicates(s)
    assert result.duplicates.empty
    assert (result.sessions["duplicate_of"] == "").all()
