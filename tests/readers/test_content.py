"""One file's content: sniffing, gzip, errors naming the file."""

from __future__ import annotations

import shutil

import pytest

from runload.errors import CorruptFileError, UnsupportedFormatError
from runload.readers.content import read_activity, sniff


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
