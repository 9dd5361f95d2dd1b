"""Scanning folders: content sniffing, gzip, bad files reported, never dropped."""

from __future__ import annotations

import gzip
import shutil

import pytest

from runload.errors import CorruptFileError, UnsupportedFormatError
from runload.readers.scan import read_activity, scan, sniff
from runload.schema import validate_columns


@pytest.mark.parametrize(("head", "fmt"), [
    (b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT\x00\x00", "fit"),
    (b"\x1f\x8b\x08", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b'\xef\xbb\xbf   \n<?xml version="1.0"?>\n<gpx version="1.1">', "gpx"),
    (b'<?xml version="1.0"?><!-- c --><ns0:gpx xmlns:ns0="x">', "gpx"),
    (b'<TrainingCenterDatabase xmlns="x">', "tcx"),
    (b"<?xml version='1.0'?>\n  <Activities>\n    <Activity Sport=\"Running\">", "tcx"),
    (b"<html><body>", ""),
    (b"id,name\n", ""),
])
def test_sniff(head, fmt):
    assert sniff(head) == fmt


def test_content_beats_the_file_name(realdata, tmp_path):
    # a GPX named .fit and a gzipped FIT without .gz are read by content
    shutil.copy(realdata / "gpx/runalyze__strava-export.gpx", tmp_path / "a.fit")
    (tmp_path / "b.bin").write_bytes(gzip.compress((realdata / "fit/gc__3386684871.fit")
                                                   .read_bytes()))
    result = scan([tmp_path])
    assert sorted(result.sessions["source_format"]) == ["fit", "gpx"]
    assert (result.files["status"] == "read").all()


def test_bad_files_are_reported_not_dropped(realdata, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "broken.fit").write_bytes(b"garbage that is not fit")
    (tmp_path / "empty.gpx").write_bytes(b"")
    shutil.copy(realdata / "fit/gc__3386684871.fit", tmp_path / "run.fit")
    result = scan([tmp_path])
    validate_columns(result.files, "files")
    validate_columns(result.sessions, "sessions")
    status = dict(zip(result.files["source_path"].str.rsplit("/", n=1).str[1],
                      zip(result.files["status"], result.files["reason"], strict=True),
                      strict=True))
    assert status["run.fit"] == ("read", "")
    assert status["notes.txt"] == ("not_activity", "not a FIT, GPX or TCX file")
    assert status["broken.fit"] == ("failed", "named .fit but its content is not FIT")
    assert status["empty.gpx"] == ("failed", "empty file (0 bytes)")
    assert len(result.sessions) == 1


def test_damaged_tcx_without_root_is_read_in_part(realdata):
    result = scan([realdata / "tcx/runpandas__malformed.tcx"])
    assert result.files["status"].tolist() == ["partial"]
    assert result.sessions["sport"].tolist() == ["running"]


def test_activity_ids_are_content_derived(realdata, tmp_path):
    src = realdata / "fit/runalyze__Multisession.fit"
    shutil.copy(src, tmp_path / "copy.fit")
    a = read_activity(src)
    b = read_activity(tmp_path / "copy.fit")
    assert list(a.sessions["activity_id"]) == list(b.sessions["activity_id"])
    assert a.sessions["activity_id"].str.endswith(("-0", "-1")).all()
    assert a.sessions["activity_id"].nunique() == 2


def test_read_activity_errors_name_the_file(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n")
    with pytest.raises(UnsupportedFormatError, match=r"x\.csv: not a FIT, GPX or TCX file"):
        read_activity(bad)
    gz = tmp_path / "y.fit.gz"
    gz.write_bytes(b"\x1f\x8b\x08\x00broken")
    with pytest.raises(CorruptFileError, match="damaged gzip data"):
        read_activity(gz)


def test_read_activity_from_bytes(realdata):
    data = (realdata / "fit/gc__3386684871.fit").read_bytes()
    act = read_activity(data, name="upload.fit")
    assert act.sessions["source_path"].iloc[0] == "upload.fit"
    assert act.sessions["sport"].iloc[0] == "running"


# Every MANIFEST file through the scanner: the status a user sees for each.
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


def test_scan_status_of_every_manifest_file(realdata, manifest):
    result = scan([realdata / "fit", realdata / "gpx", realdata / "tcx"])
    files = result.files
    rel = files["source_path"].map(lambda p: str(p).split("realdata/", 1)[1])
    got = dict(zip(rel, files["status"], strict=True))
    expected = {k: NOT_READ_WHOLE.get(k, "read") for k in manifest
                if not k.startswith("history_a/")}
    assert got == expected
    assert (files.loc[files["status"] != "read", "reason"] != "").all()
    assert len(result.sessions) == files["n_sessions"].sum()
