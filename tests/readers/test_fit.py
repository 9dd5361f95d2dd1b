"""FIT files -> sessions and streams: every real FIT file's expected outcome, and history_a."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runload import read_activity, read_history
from runload.errors import CorruptFileError, NotAnActivityError
from runload.readers.fit import parse_fit
from runload.schema import validate_columns

# relpath -> (outcome, [(sport, sub_sport), ...], start_utc, total distance [m], utc_offset_s)
# Distances were checked against MANIFEST.tsv (fitdecode's session totals); where
# runload differs on purpose the comment says why.
READ, PARTIAL = "read", "partial"
FIT_OUTCOMES: dict[str, tuple] = {
    "fit/fitparse__2013-02-06-12-11-14.fit":
        (READ, [("running", "generic")], "2013-02-06T12:11:14Z", 4835.38, None),
    # Strava's app writes a data message with an undefined local type 11 at byte
    # 7471; the 473 records and the session before it are kept.
    "fit/fitparse__strava-android-app-201.10-b1218918.fit":
        (PARTIAL, [("running", "generic")], "2021-09-27T14:13:10Z", 11274.04, None),
    "fit/fitparse__developer-types-sample.fit":
        (READ, [("running", "generic")], "2017-01-17T17:06:47Z", 6753.99, None),
    # Only device-relative times: no calendar date (start NaT), durations known.
    "fit/fitparse__compressed-speed-distance.fit":
        (READ, [("running", "generic")], None, 10248.67, None),
    "fit/runalyze__FR920xt-with-runscribe-plus.fit":
        (READ, [("running", "treadmill")], "2018-01-28T01:39:07Z", 5006.48, -18000),
    # The session has no total_distance: the last cumulative record distance is used.
    "fit/runalyze__Suunto-Ambit-3-Peak-without-final-lap.fit":
        (READ, [("running", "generic")], "2016-06-29T15:43:25Z", 15220.0, 7200),
    "fit/runalyze__invalid-altitude-and-empty-record-at-end.fit":
        (READ, [("running", "generic")], "2017-10-31T16:03:27Z", 14527.73, 0),
    "fit/runalyze__time-jump.fit":
        (READ, [("running", "generic")], "2017-02-22T09:04:45Z", 10496.97, 3600),
    "fit/runalyze__Fenix-2-pauses.fit":
        (READ, [("running", "generic")], "2014-10-02T14:46:48Z", 10546.90, 7200),
    "fit/runalyze__Multisession.fit":
        (READ, [("running", "generic"), ("running", "generic")], "2015-05-23T10:52:35Z",
         7856.45, 7200),
    "fit/sportslib__6909950168.fit":
        (READ, [("running", "trail")], "2020-03-04T16:14:31Z", 6458.0, None),
    "fit/sportslib__6916663933.fit":
        (READ, [("running", "generic")], "2020-03-14T13:52:29Z", 10743.64, 0),
    "fit/sportslib__6860622783.fit":
        (READ, [("running", "treadmill")], "2020-02-02T11:19:33Z", 10630.37, -18000),
    "fit/gc__10kUNLP2014-Garmin15.fit":
        (READ, [("running", "generic")], "2014-10-11T18:08:45Z", 10010.82, -10800),
    "fit/gc__3386684871.fit":
        (READ, [("running", "generic")], "2019-02-16T05:05:52Z", 4922.73, 7200),
    # Re-saved by GoldenCheetah: no local_timestamp, start shifted by 2 h (dedupe: issue 3).
    "fit/gc__3386684871-saved.fit":
        (READ, [("running", "generic")], "2019-02-16T07:05:51Z", 4921.06, None),
    "fit/rpdata__Garmin_Fenix_6S_Pro-Running.fit":
        (READ, [("running", "generic")], "2021-02-06T11:03:55Z", 588.21, 3600),
    # The session says sport 'generic'; cadence 80/min per leg at 2.55 m/s is a run.
    "fit/rpdata__Garmin_Fenix2_running_with_hrm.fit":
        (READ, [("running", "generic")], "2015-07-21T17:08:50Z", 6234.99, 7200),
    "fit/fsy__470140731.fit":
        (READ, [("running", "track")], "2025-04-20T10:26:11Z", 5220.0, 28800),
    "fit/fsy__240020532.fit":
        (READ, [("running", "virtual_activity")], "2023-04-18T13:38:42Z", 3020.0, 28800),
    "fit/fitparse__garmin-edge-820-bike.fit":
        (READ, [("cycling", "commuting")], "2017-06-12T16:10:15Z", 457.12, -25200),
    "fit/fitparse__garmin-fenix-5-walk.fit":
        (READ, [("walking", "generic")], "2017-06-11T14:32:51Z", 67.85, -25200),
    # local_timestamp is 1989-12-31 (0): no offset.
    "fit/fitparse__null_compressed_speed_dist.fit":
        (READ, [("cycling", "virtual_activity")], "2017-10-05T00:04:06Z", 13400.14, None),
    "fit/fitparse__event_timestamp.fit":
        (READ, [("swimming", "lap_swimming")], "2017-06-13T13:42:30Z", 2606.04, -14400),
    "fit/fitparse__20170518-191602-1740899583.fit":
        (READ, [("fitness_equipment", "indoor_rowing")], "2017-05-18T16:37:30Z", 0.0, 3600),
    # Triathlon in 4 chained FIT files: swim, bike, run legs; 2 transitions (174 m) dropped.
    "fit/fitparse__sample_mulitple_header.fit":
        (READ, [("swimming", "open_water"), ("cycling", "generic"), ("running", "generic")],
         "2018-05-27T07:33:01Z", 52360.05, 7200),
    # Field sizes not a multiple of their type: fitparse refuses; those fields are skipped.
    "fit/fitparse__coros-pace-2-cycling-misaligned-fields.fit":
        (READ, [("cycling", "generic")], "2020-10-25T11:10:19Z", 32145.76, 0),
    "fit/gc__14582164182.fit.gz":
        (READ, [("cycling", "virtual_activity")], "2025-02-19T00:10:45Z", 14921.2, None),
    "fit/gc__RowingCIQspeed.FIT":
        (READ, [("rowing", "indoor_rowing")], "2024-07-08T17:31:29Z", 0.0, 7200),
    "fit/sportslib__27-days-activity.fit":
        (READ, [("cycling", "generic")], "2021-06-20T04:08:36Z", 56911.91, None),
    "fit/sportslib__inverted-times.fit":
        (READ, [("generic", "generic")], "2016-08-08T13:10:26Z", 7861.02, None),
    "fit/fitdecode__activity-unexpected-eof.fit":
        (PARTIAL, [("running", "generic")], "2012-04-09T21:22:26Z", 5.73, None),
    "fit/fitdecode__activity-settings-corruptheader.fit":
        (PARTIAL, [("running", "generic")], "2012-04-09T21:22:26Z", 5.73, -14400),
    "fit/fitdecode__activity-filecrc.fit":
        (PARTIAL, [("running", "generic")], "2012-04-09T21:22:26Z", 5.73, -14400),
    "fit/fitdecode__elemnt-bolt-no-application-id-inside-developer-data-id.fit":
        (READ, [("cycling", "generic")], "2017-08-21T08:18:00Z", 963.65, 7200),
    # Truncated 4 h ride with no session message: summarised from its 14,391 records.
    "fit/fitparse__nick.fit":
        (PARTIAL, [("cycling", "generic")], "2020-09-12T12:23:38Z", 113550.87, None),
    # Header says 0 data bytes, 86 KB follow, CRC wrong: the 2,319 intact records
    # (a Zwift ride, no session message) are recovered.
    "fit/sportslib__empty-activities.fit":
        (PARTIAL, [("generic", "generic")], "2016-01-16T14:33:51Z", 18294.4, None),
    "fit/tormoder__unterminated-strings.fit":
        (READ, [("cycling", "indoor_cycling")], "2023-11-08T10:19:38Z", 69.0, -14400),
}
FIT_ERRORS: dict[str, tuple[type, str]] = {
    "fit/fitparse__MonitoringFile.fit": (NotAnActivityError, "type 'monitoring_b'"),
    "fit/sportslib__empty-sessions.fit": (CorruptFileError, "empty file"),
}


def test_every_manifest_fit_file_has_an_expected_outcome(manifest):
    fit_files = {k for k in manifest if k.startswith("fit/")}
    assert fit_files == set(FIT_OUTCOMES) | set(FIT_ERRORS)


@pytest.mark.parametrize("relpath", sorted(FIT_OUTCOMES))
def test_real_fit_outcome(relpath, realdata: Path):
    outcome, sports, start, distance_m, offset_s = FIT_OUTCOMES[relpath]
    act = read_activity(realdata / relpath)
    s = act.sessions
    validate_columns(s, "sessions")
    assert list(zip(s["sport"], s["sub_sport"], strict=True)) == sports
    assert bool(s["is_partial"].any()) is (outcome == PARTIAL)
    if start is None:
        assert pd.isna(s["start_utc"].iloc[0])
    else:
        assert s["start_utc"].iloc[0] == pd.Timestamp(start)
    assert s["distance_m"].sum() == pytest.approx(distance_m, rel=0.01)
    expected_offsets = [offset_s] * len(s)
    assert [None if pd.isna(v) else int(v) for v in s["utc_offset_s"]] == expected_offsets
    assert set(s["tz_source"]) == {"fit_local_timestamp" if offset_s is not None else ""}
    assert (s["source_format"] == "fit").all()
    assert len(act.streams) == len(s)
    for stream, n in zip(act.streams, s["n_records"], strict=True):
        validate_columns(stream, "streams")
        assert len(stream) == n


@pytest.mark.parametrize("relpath", sorted(FIT_ERRORS))
def test_real_fit_errors(relpath, realdata: Path):
    error, message = FIT_ERRORS[relpath]
    with pytest.raises(error, match=message) as info:
        read_activity(realdata / relpath)
    assert info.value.path.endswith(Path(relpath).name)


def test_multisport_records_split_by_leg(realdata):
    act = read_activity(realdata / "fit/fitparse__sample_mulitple_header.fit")
    s = act.sessions
    # Each leg's stream starts at its own start and holds only its records.
    for i, stream in enumerate(act.streams):
        assert stream["time_utc"].min() >= s["start_utc"].iloc[i]
        assert stream["elapsed_s"].iloc[0] >= 0
    assert sum(len(st) for st in act.streams) == s["n_records"].sum() > 1700
    run = s[s["sport"] == "running"].iloc[0]
    assert run["avg_cadence_spm"] == pytest.approx(2 * 83.515625, abs=0.01)


def test_stream_units_on_a_known_run(realdata):
    act = read_activity(realdata / "fit/gc__3386684871.fit")
    stream = act.streams[0]
    assert stream["lat_deg"].between(-90, 90).all()
    assert stream["lon_deg"].between(-180, 180).all()
    assert stream["distance_m"].iloc[-1] == pytest.approx(act.sessions["distance_m"].iloc[0],
                                                          rel=0.01)
    # running cadence is stored per leg in FIT: steps per minute are ~2x
    assert 140 < stream["cadence_spm"].median() < 200
    assert stream["time_utc"].iloc[0] == act.sessions["start_utc"].iloc[0]
    assert stream["power_w"].notna().any()  # Stryd-style developer "Power" field


def test_stryd_developer_power(realdata):
    act = read_activity(realdata / "fit/fitparse__developer-types-sample.fit")
    assert act.sessions["has_power"].iloc[0]
    assert act.sessions["device_manufacturer"].iloc[0] == "stryd"


def test_unknown_sport_numbers_keep_their_label(realdata):
    act = read_activity(realdata / "history_a/83139186.fit")
    row = act.sessions.iloc[0]
    assert (row["sport"], row["sub_sport"]) == ("unknown_54", "unknown_60")
    assert row["sport_label"] == "54/60 (Safety)"


def test_parse_fit_rejects_non_fit():
    with pytest.raises(CorruptFileError, match="not a FIT file"):
        parse_fit(b"hello world, not fit", "x.fit")


# --- history_a: one athlete, 314 files ----------------------------------------

# Garmin Connect manual entries that carry no activity.local_timestamp.
HISTORY_A_NO_OFFSET = {"83789603.fit", "83970794.fit", "84033945.fit", "84166894.fit"}


@pytest.fixture(scope="module")
def history_a(realdata):
    # The athlete runs in China: the default zone for entries the files do not date.
    return read_history(realdata / "history_a", tz="Asia/Shanghai", use_cache=False)


def test_history_a_reads_completely(history_a, manifest):
    files, s = history_a.report.files, history_a.sessions
    assert history_a.report.duplicates.empty
    assert len(files) == 314
    assert (files["status"] == "read").all(), files[files["status"] != "read"]
    assert (s["decoder"] == "runload-fit").all()
    runs = s[s["sport"] == "running"]
    assert len(runs) == 188
    assert runs["distance_m"].sum() / 1000 == pytest.approx(1371, abs=1)
    assert (runs["sub_sport"] == "treadmill").sum() == 108
    rows = {k.split("/", 1)[1]: v for k, v in manifest.items() if k.startswith("history_a/")}
    manual = {Path(p).name for p in s.loc[s["is_manual"], "source_path"]}
    expected_manual = {name for name, row in rows.items() if row["n_points"] == "0"}
    assert manual == expected_manual and len(manual) == 46
    assert (s.loc[s["is_manual"], "n_records"] == 0).all()


def test_history_a_offsets_are_plus_8h(history_a):
    s = history_a.sessions
    names = s["source_path"].map(lambda p: Path(p).name)
    with_offset = s[~names.isin(HISTORY_A_NO_OFFSET)]
    assert (with_offset["utc_offset_s"] == 8 * 3600).all()
    assert (with_offset["tz_source"] == "fit_local_timestamp").all()
    no_offset = s[names.isin(HISTORY_A_NO_OFFSET)]
    assert len(no_offset) == 4
    assert (no_offset["tz_source"] == "user_default").all()
    assert (no_offset["utc_offset_s"] == 8 * 3600).all()


def test_history_a_matches_manifest_per_file(history_a, manifest):
    s = history_a.sessions.copy()
    s["relpath"] = "history_a/" + s["source_path"].map(lambda p: Path(p).name)
    for row in s.itertuples():
        m = manifest[row.relpath]
        assert row.start_utc == pd.Timestamp(m["start_utc"]), row.relpath
        if m["distance_m"]:
            assert row.distance_m == pytest.approx(float(m["distance_m"]), rel=0.01, abs=1)
        assert row.n_records == int(m["n_points"]), row.relpath
        assert bool(row.has_gps) is (m["gps"] == "y"), row.relpath


def test_history_a_streams_have_utc_times(realdata):
    act = read_activity(realdata / "history_a/83039445.fit")  # a manual treadmill entry
    assert act.sessions["is_manual"].iloc[0]
    assert len(act.streams[0]) == 0
    run = read_activity(realdata / "history_a/83210261.fit")
    stream = run.streams[0]
    assert len(stream) == 3983
    assert str(stream["time_utc"].dtype) == "datetime64[us, UTC]"
    assert stream["time_utc"].iloc[0] == run.sessions["start_utc"].iloc[0]
    assert np.all(np.diff(stream["elapsed_s"].to_numpy()) >= 0)


# ---------------------------------------------------------------- temperature


def _written_run(temperature: np.ndarray) -> bytes:
    from datetime import UTC, datetime

    from runload.readers.fit_writer import SyntheticActivity, write_fit

    n = len(temperature)
    return write_fit(SyntheticActivity(
        start_utc=datetime(2026, 7, 1, 17, 0, tzinfo=UTC), utc_offset_s=7200,
        records={"elapsed_s": 5.0 * np.arange(n), "distance_m": 14.0 * np.arange(n),
                 "hr_bpm": np.full(n, 150.0), "temperature_c": temperature}))


def test_temperature_from_the_session_message():
    temperature = np.array([29.0, 31.0, 33.0, 34.0, np.nan, 32.0])
    act = read_activity(_written_run(temperature), name="hot.fit")
    row = act.sessions.iloc[0]
    # The writer puts round(mean) and max in session avg_temperature/max_temperature.
    assert row["avg_temperature_c"] == 32.0  # mean 31.8, whole degrees in FIT
    assert row["max_temperature_c"] == 34.0
    assert act.sessions["avg_temperature_c"].dtype == "float64"
    np.testing.assert_array_equal(act.streams[0]["temperature_c"].to_numpy(), temperature)


def test_temperature_falls_back_to_the_records():
    # Cut the file before its session message: the session is summarised from the records.
    data = _written_run(np.array([20.0, 21.0, 23.0, 22.0]))
    cut = data.rfind(b"\x44\x00\x00\x12\x00")  # definition of the session (local 4, mesg 18)
    assert cut > 0
    act = read_activity(data[:cut], name="cut.fit")
    row = act.sessions.iloc[0]
    assert row["is_partial"]
    assert row["avg_temperature_c"] == 21.5
    assert row["max_temperature_c"] == 23.0


def test_no_temperature_is_nan():
    from datetime import UTC, datetime

    from runload.readers.fit_writer import SyntheticActivity, write_fit

    data = write_fit(SyntheticActivity(start_utc=datetime(2026, 7, 1, tzinfo=UTC),
                                       records={"elapsed_s": np.arange(3.0)}))
    row = read_activity(data, name="cool.fit").sessions.iloc[0]
    assert np.isnan(row["avg_temperature_c"]) and np.isnan(row["max_temperature_c"])


def _fitparse_temperatures(path: Path) -> tuple[list, list]:
    import warnings

    import fitparse

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fitparse.FitFile(str(path))
        sessions = [(m.get_value("avg_temperature"), m.get_value("max_temperature"))
                    for m in fit.get_messages("session")]
        records = [m.get_value("temperature") for m in fit.get_messages("record")]
    return sessions, [t for t in records if t is not None]


@pytest.mark.parametrize("relpath", [
    "fit/sportslib__6860622783.fit",        # session 24 / 28 degC (treadmill)
    "fit/fsy__470140731.fit",               # session 30 / 31 degC (track, a hot day)
    "history_a/100087245.fit",              # session 31 / 31 degC
])
def test_real_session_temperature_equals_fitparse(relpath, realdata: Path):
    (expected,), records = _fitparse_temperatures(realdata / relpath)
    assert None not in expected and records
    row = read_activity(realdata / relpath).sessions.iloc[0]
    assert (row["avg_temperature_c"], row["max_temperature_c"]) == expected


def test_real_record_temperature_fallback_equals_fitparse(realdata: Path):
    # A Fenix 2 with temperature in every record but none in its session message.
    path = realdata / "fit/rpdata__Garmin_Fenix2_running_with_hrm.fit"
    (session,), records = _fitparse_temperatures(path)
    assert session == (None, None) and len(records) > 2000
    row = read_activity(path).sessions.iloc[0]
    assert row["avg_temperature_c"] == pytest.approx(np.mean(records), abs=1e-9)
    assert row["max_temperature_c"] == max(records)


def test_real_gpx_and_tcx_have_no_session_temperature(realdata: Path):
    for folder in ("gpx", "tcx"):
        path = sorted((realdata / folder).iterdir())[0]
        sessions = read_activity(path).sessions
        assert sessions["avg_temperature_c"].isna().all(), path.name
        assert sessions["max_temperature_c"].isna().all(), path.name
