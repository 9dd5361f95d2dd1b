"""Importing whole exports: Garmin- and Strava-shaped archives built at test time from real files."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from runload import read_history
from runload.errors import RunloadWarning
from runload.schema import validate_columns
from tests.readers.test_summaries import (
    HEADER_DE,
    HEADER_EN,
    garmin_entry,
    garmin_json,
    strava_csv,
)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _runs(history) -> pd.DataFrame:
    return history.sessions[history.sessions["sport"] == "running"]


def _import(*paths, **kwargs):
    kwargs.setdefault("use_cache", False)
    return read_history(list(paths), **kwargs)


# --- every real file, through the importer -----------------------------------

# The status a user sees for each MANIFEST file (all others: 'read').
NOT_READ_WHOLE = {
    "fit/fitdecode__activity-filecrc.fit": "partial",
    "fit/fitdecode__activity-settings-corruptheader.fit": "partial",
    "fit/fitdecode__activity-unexpected-eof.fit": "partial",
    "fit/fitparse__nick.fit": "partial",
    "fit/fitparse__strava-android-app-201.10-b1218918.fit": "partial",
    "fit/sportslib__empty-activities.fit": "partial",
    "tcx/runpandas__malformed.tcx": "partial",
    "fit/fitparse__MonitoringFile.fit": "not_activity",
    "gpx/gc__MetadataOnly.gpx": "not_activity",
    "gpx/gpxpy__route.gpx": "not_activity",
    "gpx/runalyze__Route-only.gpx": "not_activity",
    "tcx/runalyze__Route-only.tcx": "not_activity",
    "fit/sportslib__empty-sessions.fit": "failed",
}


def test_status_of_every_manifest_file(realdata, manifest):
    with pytest.warns(RunloadWarning, match="dated in UTC"):
        history = _import(realdata / "fit", realdata / "gpx", realdata / "tcx")
    files = history.report.files
    validate_columns(files, "files")
    validate_columns(history.sessions, "sessions")
    rel = files["source_path"].map(lambda p: str(p).split("realdata/", 1)[1])
    got = dict(zip(rel, files["status"], strict=True))
    expected = {k: NOT_READ_WHOLE.get(k, "read") for k in manifest
                if not k.startswith("history_a/")}
    assert got == expected
    assert (files.loc[files["status"] != "read", "reason"] != "").all()
    # the .fit/.tcx twin and the re-saved FIT are counted once
    dropped = set(history.report.duplicates["activity_id"])
    assert len(history.sessions) + len(history.report.duplicates) == files["n_sessions"].sum()
    assert not dropped & set(history.sessions["activity_id"])


def test_content_beats_the_file_name(realdata, tmp_path):
    # a GPX named .fit and a gzipped FIT without .gz are read by content
    shutil.copy(realdata / "gpx/runalyze__strava-export.gpx", tmp_path / "a.fit")
    (tmp_path / "b.bin").write_bytes(gzip.compress(
        (realdata / "fit/gc__3386684871.fit").read_bytes()))
    history = _import(tmp_path)
    assert sorted(history.sessions["source_format"]) == ["fit", "gpx"]
    assert (history.report.files["status"] == "read").all()


def test_bad_files_are_reported_not_dropped(realdata, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "broken.fit").write_bytes(b"garbage that is not fit")
    (tmp_path / "empty.gpx").write_bytes(b"")
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really a zip")
    shutil.copy(realdata / "fit/gc__3386684871.fit", tmp_path / "run.fit")
    files = _import(tmp_path).report.files
    status = {Path(p).name: (s, r) for p, s, r in
              zip(files["source_path"], files["status"], files["reason"], strict=True)}
    assert status["run.fit"] == ("read", "")
    assert status["notes.txt"] == ("not_activity", "not a FIT, GPX or TCX file")
    assert status["broken.fit"] == ("failed", "named .fit but its content is not FIT")
    assert status["empty.gpx"] == ("failed", "empty file (0 bytes)")
    assert status["bad.zip"][0] == "failed" and "damaged zip" in status["bad.zip"][1]


def test_missing_path_raises(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        _import(tmp_path / "nope")


# --- a Garmin "Export Your Data" archive ----------------------------------------

def _garmin_export(realdata: Path, tmp_path: Path) -> Path:
    saved = realdata / "fit/gc__3386684871-saved.fit"  # no local_timestamp
    part1 = _zip({
        "runner@example.com_1.fit": saved.read_bytes(),
        "runner@example.com_2.fit": (realdata / "fit/fitparse__MonitoringFile.fit").read_bytes(),
        "runner@example.com_3.fit": (realdata / "history_a/83210261.fit").read_bytes(),
    })
    older = _zip({"99_ACTIVITY.fit": (realdata / "fit/gc__10kUNLP2014-Garmin15.fit").read_bytes()})
    summary = garmin_json(
        # the re-saved run: Garmin knows its local time (+2 h) and its name
        garmin_entry(activityId=3386684871, name="Pretoria parkrun",
                     startTimeGmt=1550300751000, startTimeLocal=1550300751000 + 7_200_000,
                     activityType="running", distance=492106.0, duration=1441000.0,
                     elapsedDuration=1441000.0),
        # a manual treadmill entry with no file
        garmin_entry(activityId=12345678901234567891, name="Hotel treadmill",
                     startTimeGmt=1600000000000, startTimeLocal=1600000000000 + 3_600_000,
                     activityType="treadmill_running", distance=500000.0, duration=1800000.0,
                     elapsedDuration=1800000.0),
    )
    export = tmp_path / "garmin_export.zip"
    export.write_bytes(_zip({
        "DI_CONNECT/DI-Connect-Fitness/runner@example.com_0_summarizedActivities.json": summary,
        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": part1,
        "DI_CONNECT/DI-Connect-Fitness-Uploaded-Files/99_ACTIVITY.zip": older,
        "DI_CONNECT/DI-Connect-Wellness/runner_sleepData.json": b"[]",
        "customer_data/customer.json": b"{}",
    }))
    return export


def test_garmin_export(realdata, tmp_path):
    history = _import(_garmin_export(realdata, tmp_path))
    runs = _runs(history).set_index("name", drop=False)
    assert len(runs) == 4
    saved = runs.loc["Pretoria parkrun"]
    assert saved["source_format"] == "fit"  # the FIT is kept, the JSON entry folded in
    assert (saved["tz_source"], saved["utc_offset_s"]) == ("garmin_json", 7200)
    assert saved["local_date"] == pd.Timestamp("2019-02-16")
    assert "UploadedFiles_0-_Part1.zip!runner@example.com_1.fit" in saved["member_path"]
    manual = runs.loc["Hotel treadmill"]
    assert manual["is_summary_only"] and manual["source_format"] == "garmin_json"
    assert manual["sub_sport"] == "treadmill" and manual["distance_m"] == 5000.0
    assert manual["tz_source"] == "garmin_json"
    others = runs[runs["source_format"] == "fit"].set_index("utc_offset_s")
    assert others.loc[28800, "tz_source"] == "fit_local_timestamp"  # history_a: +8 h
    assert others.loc[-10800, "member_path"].endswith("99_ACTIVITY.zip!99_ACTIVITY.fit")
    files = history.report.files.set_index("member_path")
    monitoring = files.loc[files.index.str.endswith("runner@example.com_2.fit")].iloc[0]
    assert monitoring["status"] == "not_activity" and "monitoring_b" in monitoring["reason"]
    assert files.loc["DI_CONNECT/DI-Connect-Wellness/runner_sleepData.json",
                     "status"] == "not_activity"
    assert len(history.report.duplicates) == 1  # the JSON entry of the FIT


def test_archive_limits_are_reported(tmp_path, realdata):
    inner = _zip({"run.fit": (realdata / "fit/gc__3386684871.fit").read_bytes()})
    for level in range(5):
        inner = _zip({f"level{level}.zip": inner})
    (tmp_path / "deep.zip").write_bytes(inner)
    files = _import(tmp_path / "deep.zip").report.files
    assert files["status"].tolist() == ["failed"]
    assert "nested deeper than 4" in files["reason"].iloc[0]


# --- a Strava bulk export -------------------------------------------------------

def _strava_export(realdata: Path, root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "activities").mkdir()
    (root / "routes").mkdir()
    (root / "activities/111.fit.gz").write_bytes(
        gzip.compress((realdata / "fit/gc__10kUNLP2014-Garmin15.fit").read_bytes()))
    shutil.copy(realdata / "gpx/runalyze__strava-export.gpx", root / "activities/222.gpx")
    (root / "activities/333.tcx.gz").write_bytes(
        gzip.compress((realdata / "tcx/runalyze__Treadmill-doubled-cadence.tcx").read_bytes()))
    shutil.copy(realdata / "gpx/runalyze__garmin-ns3-extension.gpx", root / "routes/1.gpx")
    rows = [
        {"Activity ID": "111", "Activity Date": "Oct 11, 2014, 6:08:45 PM",
         "Activity Name": "10k UNLP race", "Activity Type": "Run",
         "Activity Description": "Windy,\nbut a PB", "Filename": "activities/111.fit.gz"},
        {"Activity ID": "222", "Activity Date": "Dec 1, 2015, 8:11:32 PM",
         "Activity Name": "Evening run", "Activity Type": "Run", "Filename": "activities/222.gpx"},
        {"Activity ID": "333", "Activity Date": "Jan 7, 2016, 5:39:11 PM",
         "Activity Name": "Treadmill", "Activity Type": "Run",
         "Filename": "activities/333.tcx.gz"},
        {"Activity ID": "444", "Activity Date": "Mar 3, 2016, 7:00:00 AM",
         "Activity Name": "Forgot my watch", "Activity Type": "Run",
         ("Elapsed Time", 1): "1800", ("Distance", 1): "5.0", ("Distance", 2): "5000.0",
         "Moving Time": "1800", "Filename": ""},
    ]
    (root / "activities.csv").write_bytes(strava_csv(HEADER_EN, rows))
    return root


def test_strava_export_folder(realdata, tmp_path):
    root = _strava_export(realdata, tmp_path / "export_123")
    with pytest.warns(RunloadWarning, match="dated in UTC"):
        history = _import(root)
    runs = _runs(history).set_index("name", drop=False)
    assert sorted(runs["name"]) == ["10k UNLP race", "Evening run", "Forgot my watch",
                                    "Treadmill"]
    race = runs.loc["10k UNLP race"]
    assert race["description"] == "Windy,\nbut a PB"
    assert (race["source_format"], race["tz_source"]) == ("fit", "fit_local_timestamp")
    evening = runs.loc["Evening run"]
    # no <type> and no offset in the GPX: a run by its cadence, dated by its GPS fix
    assert (evening["source_format"], evening["tz_source"]) == ("gpx", "gps_lookup")
    treadmill = runs.loc["Treadmill"]  # no GPS, no offset: UTC with a warning
    assert treadmill["tz_source"] == "assumed_utc"
    manual = runs.loc["Forgot my watch"]
    assert manual["is_summary_only"] and manual["distance_m"] == 5000.0
    files = history.report.files.set_index(history.report.files["source_path"].map(
        lambda p: Path(p).name))
    assert files.loc["1.gpx", "status"] == "not_activity"
    assert "routes/" in files.loc["1.gpx", "reason"]
    assert files.loc["activities.csv", "status"] == "read"


def test_strava_export_zip_with_user_time_zone(realdata, tmp_path):
    root = _strava_export(realdata, tmp_path / "export_123")
    archive = tmp_path / "export_123.zip"
    shutil.make_archive(str(archive.with_suffix("")), "zip", root.parent, root.name)
    history = _import(archive, tz="Europe/Berlin")
    runs = _runs(history).set_index("name")
    assert len(runs) == 4
    assert runs.loc["Treadmill", "tz_source"] == "user_default"
    assert runs.loc["Treadmill", "utc_offset_s"] == 3600
    assert runs.loc["Treadmill", "local_date"] == pd.Timestamp("2016-01-07")
    assert runs.loc["10k UNLP race", "description"] == "Windy,\nbut a PB"


def test_strava_export_with_a_german_header(realdata, tmp_path):
    root = tmp_path / "export_de"
    (root / "activities").mkdir(parents=True)
    (root / "activities/77.fit.gz").write_bytes(
        gzip.compress((realdata / "fit/gc__3386684871.fit").read_bytes()))
    rows = [
        {"Aktivitäts-ID": "77", "Aktivitätsdatum": "16.02.2019, 05:05:52",
         "Name der Aktivität": "Samstagslauf", "Aktivitätsart": "Lauf",
         "Aktivitätsbeschreibung": "Parkrun,\nmit Freunden", "Dateiname": "activities/77.fit.gz"},
        {"Aktivitäts-ID": "78", "Aktivitätsdatum": "17.02.2019, 06:00:00",
         "Name der Aktivität": "Laufband im Hotel", "Aktivitätsart": "Lauf",
         ("Distanz", 1): "8,00", ("Distanz", 2): "8000,0", "Bewegungszeit": "2400,0",
         ("Verstrichene Zeit", 1): "2400", "Dateiname": ""},
    ]
    (root / "activities.csv").write_bytes(strava_csv(HEADER_DE, rows, bom=True))
    with pytest.warns(RunloadWarning, match="1 session dated in UTC"):
        history = _import(root)
    runs = _runs(history).set_index("name")
    assert list(runs.index) == ["Samstagslauf", "Laufband im Hotel"]
    assert runs.loc["Samstagslauf", "description"] == "Parkrun,\nmit Freunden"
    assert runs.loc["Samstagslauf", "tz_source"] == "fit_local_timestamp"
    assert runs.loc["Laufband im Hotel", "distance_m"] == 8000.0
    assert runs.loc["Laufband im Hotel", "is_summary_only"]


# --- one run from the watch, the Garmin export and Strava: counted once ------------

def test_same_run_from_three_places_counts_once(realdata, tmp_path):
    garmin = _garmin_export(realdata, tmp_path)
    strava = _strava_export(realdata, tmp_path / "strava")
    usb = tmp_path / "GARMIN" / "ACTIVITY"
    usb.mkdir(parents=True)
    shutil.copy(realdata / "fit/gc__10kUNLP2014-Garmin15.fit", usb / "4AB12345.FIT")
    monitor = tmp_path / "GARMIN" / "Monitor"
    monitor.mkdir()
    shutil.copy(realdata / "fit/fitparse__MonitoringFile.fit", monitor / "M1.FIT")
    with pytest.warns(RunloadWarning):
        history = _import(garmin, strava, tmp_path / "GARMIN")
    race = history.sessions[history.sessions["start_utc"] == pd.Timestamp("2014-10-11T18:08:45Z")]
    assert len(race) == 1
    assert race["name"].iloc[0] == "10k UNLP race"  # Strava's name merged into the kept copy
    assert race["local_date"].iloc[0] == pd.Timestamp("2014-10-11")
    dups = history.report.duplicates
    assert (dups["duplicate_of"] == race["activity_id"].iloc[0]).sum() == 2
    assert len(_runs(history)) == 7  # 4 from Garmin + 3 more from Strava


# --- cache and executors ---------------------------------------------------------

def test_second_run_reads_from_the_cache(realdata, tmp_path):
    folder = tmp_path / "runs"
    folder.mkdir()
    for name in ("gc__3386684871.fit", "runalyze__Multisession.fit"):
        shutil.copy(realdata / "fit" / name, folder / name)
    cache = tmp_path / "cache"
    first = read_history(folder, cache_dir=cache)
    assert (first.report.n_from_cache, first.report.n_decoded) == (0, 2)
    second = read_history(folder, cache_dir=cache)
    assert (second.report.n_from_cache, second.report.n_decoded) == (2, 0)
    pd.testing.assert_frame_equal(first.sessions, second.sessions)
    shutil.copy(realdata / "fit/fsy__470140731.fit", folder / "new.fit")
    third = read_history(folder, cache_dir=cache)
    assert (third.report.n_from_cache, third.report.n_decoded) == (2, 1)
    # the same content at a new path is found by its hash, not decoded again
    shutil.copy(folder / "new.fit", folder / "copy.fit")
    fourth = read_history(folder, cache_dir=cache)
    assert (fourth.report.n_from_cache, fourth.report.n_decoded) == (4, 0)


def test_any_executor_gives_the_same_result(realdata):
    paths = [realdata / "gpx", realdata / "tcx"]
    with pytest.warns(RunloadWarning):
        serial = _import(*paths)
    with ThreadPoolExecutor(max_workers=2) as pool, pytest.warns(RunloadWarning):
        threaded = _import(*paths, executor=pool)
    pd.testing.assert_frame_equal(serial.sessions, threaded.sessions)
    pd.testing.assert_frame_equal(serial.report.files, threaded.report.files)


def test_history_a_with_a_default_time_zone(realdata):
    history = _import(realdata / "history_a", tz="Asia/Shanghai")
    s = history.sessions
    assert len(_runs(history)) == 188
    assert set(s["tz_source"]) == {"fit_local_timestamp", "user_default"}
    assert (s.loc[s["tz_source"] == "user_default", "utc_offset_s"] == 28800).all()
    assert (s["utc_offset_s"] == 28800).all()
    assert s["local_date"].notna().all()


def test_garmin_summary_json_alone(tmp_path):
    path = tmp_path / "x_0_summarizedActivities.json"
    path.write_bytes(json.dumps([{"summarizedActivitiesExport": [garmin_entry()]}]).encode())
    history = _import(path)
    assert history.sessions["is_summary_only"].all()


def test_default_pool_starts_past_the_byte_threshold(realdata, monkeypatch):
    from runload.readers import importer

    paths = [realdata / "fit" / "gc__3386684871.fit", realdata / "fit" / "fsy__470140731.fit",
             realdata / "gpx" / "runalyze__strava-export.gpx"]
    monkeypatch.setattr(importer, "POOL_MIN_BYTES", {"fit": 10**12, "gpx": 10**12, "tcx": 10**12})
    inline = _import(*paths)
    started = []
    real_pool = importer.ProcessPoolExecutor

    def spy(*args, **kwargs):
        started.append(kwargs)
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(importer, "ProcessPoolExecutor", spy)
    monkeypatch.setattr(importer, "POOL_MIN_BYTES", {"fit": 1, "gpx": 1, "tcx": 1})
    monkeypatch.setattr(importer.os, "cpu_count", lambda: 2)
    pooled = _import(*paths)
    assert len(started) == 1
    pd.testing.assert_frame_equal(inline.sessions, pooled.sessions)
