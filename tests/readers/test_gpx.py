"""Tests for runload.readers.gpx: tiny hand-built files, then every real GPX file."""

from __future__ import annotations

import math
from pathlib import Path

import gpxpy
import gpxpy.gpx
import numpy as np
import pandas as pd
import pytest

from runload import schema
from runload.errors import CorruptFileError, NotAnActivityError
from runload.readers import gpx, track
from runload.readers.gpx import parse_gpx

DEGREE_M = 2 * math.pi * track.EARTH_RADIUS_M / 360
TPX_V1 = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
TPX_V2 = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2"


def make_gpx(body: str, *, namespaces: str = "", root_extra: str = "") -> bytes:
    """A GPX 1.1 document around ``body``."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<gpx version="1.1" creator="Test Watch" xmlns="http://www.topografix.com/GPX/1/1"'
            f' {namespaces}>{root_extra}{body}</gpx>').encode()


def point(lon: float, time: str | None = None, *, lat: float = 0.0, ele: float | None = None,
          ext: str = "") -> str:
    parts = [f'<trkpt lat="{lat}" lon="{lon}">']
    if ele is not None:
        parts.append(f"<ele>{ele}</ele>")
    if time is not None:
        parts.append(f"<time>{time}</time>")
    if ext:
        parts.append(f"<extensions>{ext}</extensions>")
    parts.append("</trkpt>")
    return "".join(parts)


def trk(*segments: str, type_label: str | None = "running", name: str = "Morning Run") -> str:
    kind = f"<type>{type_label}</type>" if type_label is not None else ""
    segs = "".join(f"<trkseg>{s}</trkseg>" for s in segments)
    return f"<trk><name>{name}</name>{kind}{segs}</trk>"


THREE_POINTS = (point(0.0, "2024-05-01T06:00:00Z", ele=10.0)
                + point(0.001, "2024-05-01T06:00:30Z", ele=14.0)
                + point(0.002, "2024-05-01T06:01:00Z", ele=18.0))


@pytest.fixture(params=["gpxpy", "etree"])
def read(request, monkeypatch):
    """parse_gpx through gpxpy, or forced through the tolerant reader.

    Both readers must give the same sessions; every hand-built case runs twice.
    """
    if request.param == "etree":
        def refuse(text):
            raise gpxpy.gpx.GPXException("forced by the test")
        monkeypatch.setattr(gpx, "_read_with_gpxpy", refuse)
    return lambda data, path="test.gpx": parse_gpx(data, path)


def only(parsed):
    assert len(parsed.sessions) == 1
    return parsed.sessions[0], parsed.streams[0]


# -------------------------------------------------------------- basic values

def test_three_points(read):
    parsed = read(make_gpx(trk(THREE_POINTS)))
    session, stream = only(parsed)
    assert parsed.decoder == "gpx"
    assert session["sport"] == "running" and session["sport_label"] == "running"
    assert session["name"] == "Morning Run"
    assert session["device_product"] == "Test Watch"
    assert session["start_utc"] == pd.Timestamp("2024-05-01T06:00:00Z")
    assert session["utc_offset_s"] is None and session["tz_source"] == ""
    assert session["elapsed_s"] == 60.0 and session["timer_s"] == 60.0
    assert session["distance_m"] == pytest.approx(0.002 * DEGREE_M, rel=1e-9)
    assert session["avg_speed_mps"] == pytest.approx(0.002 * DEGREE_M / 60, rel=1e-9)
    assert session["ascent_m"] == 8.0 and session["descent_m"] == 0.0
    assert session["has_gps"] and not session["has_hr"] and not session["has_power"]
    assert session["n_records"] == 3 and not session["is_manual"] and not session["is_partial"]
    assert session["notes"] == ""
    schema.validate_columns(stream, "streams")
    np.testing.assert_allclose(stream["distance_m"], [0, 0.001 * DEGREE_M, 0.002 * DEGREE_M])
    assert stream["elapsed_s"].tolist() == [0.0, 30.0, 60.0]
    assert stream["altitude_m"].tolist() == [10.0, 14.0, 18.0]
    # Every key is a sessions column.
    schema.sessions_frame(list(parsed.sessions))


def test_segment_gap_is_a_pause(read):
    first = point(0.0, "2024-05-01T06:00:00Z") + point(0.001, "2024-05-01T06:01:00Z")
    second = point(0.005, "2024-05-01T06:11:00Z") + point(0.006, "2024-05-01T06:13:00Z")
    session, stream = only(read(make_gpx(trk(first, second))))
    assert session["elapsed_s"] == 13 * 60.0
    assert session["timer_s"] == 3 * 60.0
    # The 0.004 deg between the segments was not recorded: it is not counted.
    assert session["distance_m"] == pytest.approx(0.002 * DEGREE_M, rel=1e-9)
    assert session["avg_speed_mps"] == pytest.approx(0.002 * DEGREE_M / 180, rel=1e-9)


def test_long_gap_inside_a_segment_is_a_pause(read):
    points = (point(0.0, "2024-05-01T06:00:00Z") + point(0.001, "2024-05-01T06:10:00Z")
              + point(0.002, "2024-05-01T09:00:00Z") + point(0.003, "2024-05-01T09:10:00Z"))
    session, _ = only(read(make_gpx(trk(points))))
    assert session["elapsed_s"] == 3 * 3600 + 600.0
    assert session["timer_s"] == 1200.0
    assert session["distance_m"] == pytest.approx(0.002 * DEGREE_M, rel=1e-9)
    assert "longer than 3600 s" in session["notes"]


# -------------------------------------------------------------- extensions

@pytest.mark.parametrize("prefix,uri", [("gpxtpx", TPX_V1), ("ns3", TPX_V1), ("tpx2", TPX_V2)])
def test_trackpointextension_under_any_prefix(read, prefix, uri):
    def ext(hr, cad):
        return (f"<{prefix}:TrackPointExtension><{prefix}:atemp>21.5</{prefix}:atemp>"
                f"<{prefix}:hr>{hr}</{prefix}:hr><{prefix}:cad>{cad}</{prefix}:cad>"
                f"</{prefix}:TrackPointExtension>")
    points = (point(0.0, "2024-05-01T06:00:00Z", ext=ext(120, 0))
              + point(0.001, "2024-05-01T06:00:30Z", ext=ext(140, 85))
              + point(0.002, "2024-05-01T06:01:00Z", ext=ext(160, 90)))
    session, stream = only(read(make_gpx(trk(points), namespaces=f'xmlns:{prefix}="{uri}"')))
    assert session["avg_hr_bpm"] == 140.0 and session["max_hr_bpm"] == 160.0
    assert session["has_hr"]
    # Per-leg 85 and 90 -> 170 and 180 steps/min; the standing 0 is not averaged.
    assert session["avg_cadence_spm"] == 175.0
    assert stream["hr_bpm"].tolist() == [120.0, 140.0, 160.0]
    assert stream["cadence_spm"].tolist() == [0.0, 170.0, 180.0]
    assert stream["temperature_c"].tolist() == [21.5] * 3
    assert session["avg_temperature_c"] == 21.5 and session["max_temperature_c"] == 21.5


def test_plain_extensions_apple_style(read):
    def ext(speed, hr, cad, power):
        return (f"<speed>{speed}</speed><course>12.5</course><hAcc>3.1</hAcc>"
                f"<hr>{hr}</hr><cad>{cad}</cad><power>{power}</power>")
    points = (point(0.0, "2024-05-01T06:00:00Z", ext=ext(2.5, 130, 80, 200))
              + point(0.001, "2024-05-01T06:00:30Z", ext=ext(3.5, 150, 90, 300)))
    session, stream = only(read(make_gpx(trk(points))))
    assert stream["speed_mps"].tolist() == [2.5, 3.5]
    assert stream["power_w"].tolist() == [200.0, 300.0]
    assert session["max_speed_mps"] == 3.5
    assert session["avg_hr_bpm"] == 140.0
    assert session["avg_cadence_spm"] == 170.0
    assert session["avg_power_w"] == 250.0 and session["has_power"]


def test_hr_on_some_points_only(read):
    ext = '<gpxtpx:TrackPointExtension><gpxtpx:hr>150</gpxtpx:hr></gpxtpx:TrackPointExtension>'
    points = (point(0.0, "2024-05-01T06:00:00Z") + point(0.001, "2024-05-01T06:00:30Z", ext=ext)
              + point(0.002, "2024-05-01T06:01:00Z"))
    session, stream = only(read(make_gpx(trk(points), namespaces=f'xmlns:gpxtpx="{TPX_V1}"')))
    assert session["avg_hr_bpm"] == 150.0
    np.testing.assert_array_equal(stream["hr_bpm"], [np.nan, 150.0, np.nan])


def test_cadence_is_nan_without_a_foot_sport(read):
    ext = "<cad>85</cad>"
    # 0.01 deg in 60 s is ~18.5 m/s: no run, whatever the cadence
    points = point(0.0, "2024-05-01T06:00:00Z", ext=ext) + point(0.01, "2024-05-01T06:01:00Z",
                                                                 ext=ext)
    for label in (None, "cycling"):
        session, stream = only(read(make_gpx(trk(points, type_label=label))))
        assert session["sport"] == (label or "generic")
        assert math.isnan(session["avg_cadence_spm"])
        assert stream["cadence_spm"].isna().all()


def test_untyped_track_with_running_cadence_and_speed_is_a_run(read):
    ext = "<cad>85</cad>"
    # 0.001 deg (~111 m) in 30 s is ~3.7 m/s at 85 strides/min per leg
    points = point(0.0, "2024-05-01T06:00:00Z", ext=ext) + point(0.001, "2024-05-01T06:00:30Z",
                                                                 ext=ext)
    session, stream = only(read(make_gpx(trk(points, type_label=None))))
    assert (session["sport"], session["sport_label"]) == ("running", "")
    assert "sport inferred as running" in session["notes"]
    assert session["avg_cadence_spm"] == 170
    assert stream["cadence_spm"].tolist() == [170, 170]


# --------------------------------------------------------------------- time

def test_leading_whitespace_and_bom(read):
    data = b"\xef\xbb\xbf   \n  " + make_gpx(trk(THREE_POINTS))
    session, _ = only(read(data))
    assert session["distance_m"] == pytest.approx(0.002 * DEGREE_M, rel=1e-9)


def test_offset_times_give_utc_and_offset(read):
    points = (point(0.0, "2010-04-02T10:26:48.524+02:00")
              + point(0.001, "2010-04-02T10:27:53.51+02:00"))
    session, stream = only(read(make_gpx(trk(points))))
    assert session["start_utc"] == pd.Timestamp("2010-04-02T08:26:48.524Z")
    assert session["utc_offset_s"] == 7200
    assert session["tz_source"] == "file_offset"
    assert session["elapsed_s"] == pytest.approx(64.986)
    assert str(stream["time_utc"].dtype) == schema.UTC_DTYPE
    assert stream["time_utc"].iloc[1] == pd.Timestamp("2010-04-02T08:27:53.51Z")


def test_times_without_zone_are_read_as_utc(read):
    points = point(0.0, "2024-05-01T06:00:00") + point(0.001, "2024-05-01T06:00:30")
    session, _ = only(read(make_gpx(trk(points))))
    assert session["start_utc"] == pd.Timestamp("2024-05-01T06:00:00Z")
    assert session["utc_offset_s"] is None
    assert "no time zone" in session["notes"]


def test_points_without_times(read):
    points = point(0.0) + point(0.001) + point(0.002)
    session, stream = only(read(make_gpx(trk(points))))
    assert session["start_utc"] is None
    assert math.isnan(session["elapsed_s"]) and math.isnan(session["timer_s"])
    assert session["distance_m"] == pytest.approx(0.002 * DEGREE_M, rel=1e-9)
    assert "no times" in session["notes"]
    assert stream["time_utc"].isna().all()
    schema.sessions_frame(list(read(make_gpx(trk(points))).sessions))


def test_broken_clock_times_are_not_used(read):
    # A Keep export: first time in year 7502, then times since the Unix epoch.
    points = (point(0.0, "7502-08-26T23:00:33.799988Z") + point(0.001, "1970-01-01T00:00:00.9Z")
              + point(0.002, "1970-01-01T00:00:01.9Z"))
    session, stream = only(read(make_gpx(trk(points, type_label="Run"))))
    assert session["start_utc"] is None
    assert math.isnan(session["elapsed_s"])
    assert session["distance_m"] == pytest.approx(0.002 * DEGREE_M, rel=1e-9)
    assert "3 of 3 point times are outside 1990-2099" in session["notes"]
    assert stream["time_utc"].isna().all()


def test_backward_time_step(read):
    points = (point(0.0, "2017-10-02T08:49:25Z") + point(0.001, "2017-10-02T08:49:24Z")
              + point(0.002, "2017-10-02T08:50:24Z"))
    session, _ = only(read(make_gpx(trk(points))))
    assert session["start_utc"] == pd.Timestamp("2017-10-02T08:49:24Z")
    assert session["elapsed_s"] == 60.0
    assert "backwards 1 time" in session["notes"]


def test_few_missing_times_keep_durations(read):
    times = [f"2024-05-01T06:{m:02d}:00Z" for m in range(20)]
    times[7] = None
    points = "".join(point(0.001 * i, t) for i, t in enumerate(times))
    session, _ = only(read(make_gpx(trk(points))))
    assert session["elapsed_s"] == 19 * 60.0
    assert "1 of 20 points have no usable time" in session["notes"]


def test_many_missing_times_make_durations_unknown(read):
    points = (point(0.0) + point(0.001) + point(0.002, "2024-05-01T06:00:00Z")
              + point(0.003, "2024-05-01T06:00:10Z"))
    session, _ = only(read(make_gpx(trk(points))))
    assert session["start_utc"] == pd.Timestamp("2024-05-01T06:00:00Z")
    assert math.isnan(session["elapsed_s"]) and math.isnan(session["timer_s"])
    assert "duration unknown" in session["notes"]


# ---------------------------------------------------------------- distance

def test_gps_jump_left_out(read):
    points = (point(0.0, "2024-05-01T06:00:00Z") + point(0.001, "2024-05-01T06:00:30Z")
              + point(0.5, "2024-05-01T06:00:35Z") + point(0.002, "2024-05-01T06:01:00Z"))
    session, _ = only(read(make_gpx(trk(points))))
    assert session["distance_m"] == pytest.approx(0.002 * DEGREE_M, rel=1e-9)
    assert "1 GPS jump(s)" in session["notes"]


def test_root_summary_disagreeing_with_track_is_noted(read):
    summary = "<extensions><distance>5800.0</distance><elapsed_time>60</elapsed_time></extensions>"
    session, _ = only(read(make_gpx(trk(THREE_POINTS), root_extra=summary)))
    assert session["distance_m"] == pytest.approx(0.002 * DEGREE_M, rel=1e-9)
    assert "summary says 5800 m but its track measures 222 m" in session["notes"]


def test_root_summary_agreeing_is_silent(read):
    summary = "<extensions><distance>222.5</distance></extensions>"
    session, _ = only(read(make_gpx(trk(THREE_POINTS), root_extra=summary)))
    assert session["notes"] == ""


# ------------------------------------------------------------- many tracks

def test_consecutive_tracks_of_one_type_are_one_session(read):
    first = trk(point(0.0, "2010-10-03T09:36:30Z") + point(0.001, "2010-10-03T09:40:00Z"))
    second = trk(point(0.002, "2010-10-03T09:45:00Z") + point(0.003, "2010-10-03T09:50:00Z"),
                 name="ACTIVE LOG #2")
    session, stream = only(read(make_gpx(first + second)))
    assert session["name"] == "Morning Run"
    assert session["elapsed_s"] == 13.5 * 60
    assert session["timer_s"] == 3.5 * 60 + 5 * 60
    assert session["distance_m"] == pytest.approx(0.002 * DEGREE_M, rel=1e-9)
    assert len(stream) == 4


def test_tracks_far_apart_or_of_other_types_are_separate(read):
    morning = trk(point(0.0, "2024-05-01T06:00:00Z") + point(0.001, "2024-05-01T06:10:00Z"))
    evening = trk(point(0.0, "2024-05-01T18:00:00Z") + point(0.001, "2024-05-01T18:10:00Z"))
    ride = trk(point(0.0, "2024-05-01T18:15:00Z") + point(0.01, "2024-05-01T18:30:00Z"),
               type_label="cycling")
    parsed = read(make_gpx(morning + evening + ride))
    assert [s["start_utc"].hour for s in parsed.sessions] == [6, 18, 18]
    assert [s["sport"] for s in parsed.sessions] == ["running", "running", "cycling"]


def test_untimed_track_never_joins_a_timed_one(read):
    saved = trk(point(0.0) + point(0.001), type_label=None)
    active = trk(point(0.5, "2024-05-01T06:00:00Z") + point(0.501, "2024-05-01T06:10:00Z"),
                 type_label=None)
    parsed = read(make_gpx(saved + active))
    assert [s["start_utc"] for s in parsed.sessions] == [None,
                                                         pd.Timestamp("2024-05-01T06:00:00Z")]


def test_empty_tracks_are_skipped(read):
    session, _ = only(read(make_gpx(trk(type_label="jkljkl") + trk(THREE_POINTS))))
    assert session["n_records"] == 3


# -------------------------------------------------------- point-less files

def test_type_and_time_without_points_is_a_manual_session(read):
    data = make_gpx("<metadata><name>Yoga</name><time>2023-07-07T16:10:57+02:00</time>"
                    "</metadata>" + trk(type_label="Run"))
    parsed = read(data)
    session, stream = only(parsed)
    assert session["is_manual"] and session["n_records"] == 0
    assert session["sport"] == "running"
    assert session["start_utc"] == pd.Timestamp("2023-07-07T14:10:57Z")
    assert session["utc_offset_s"] == 7200
    assert "distance and duration unknown" in session["notes"]
    assert len(stream) == 0
    schema.validate_columns(stream, "streams")
    schema.sessions_frame(list(parsed.sessions))


@pytest.mark.parametrize("body,reason", [
    ("<metadata><time>2023-07-07T16:10:57Z</time></metadata>", "metadata only"),
    (trk(type_label="Run"), "no points and no time"),
    ('<rte><rtept lat="45.27" lon="13.72"/><rtept lat="45.28" lon="13.73"/></rte>',
     r"planned route \(<rte> with 2 points\)"),
    ('<wpt lat="45.27" lon="13.72"><name>001</name></wpt>', "only 1 waypoint"),
])
def test_not_an_activity(read, body, reason):
    with pytest.raises(NotAnActivityError, match=reason) as info:
        read(make_gpx(body), "plan.gpx")
    assert info.value.path == "plan.gpx"


def test_gpsies_route_with_generated_times(read):
    data = make_gpx(trk(point(7.75, "2010-01-01T00:00:00Z", lat=49.4)
                        + point(7.76, "2010-01-01T00:00:37Z", lat=49.4), type_label=None))
    data = data.replace(b'creator="Test Watch"', b'creator="GPSies http://www.gpsies.com - x"')
    with pytest.raises(NotAnActivityError, match="GPSies route export"):
        read(data)


# --------------------------------------------------------- damaged files

def test_point_without_latitude_is_kept():
    data = make_gpx(trk('<trkpt><ele>270.3</ele><time>2013-02-04T20:38:00Z</time></trkpt>'
                        + THREE_POINTS.replace("2024-05-01T06:00:00Z", "2024-05-01T06:00:10Z")))
    with pytest.raises(gpxpy.gpx.GPXException):
        gpxpy.parse(data.decode())
    parsed = parse_gpx(data, "etrex.gpx")
    session, stream = only(parsed)
    assert not parsed.is_partial
    assert "gpxpy rejected the file" in parsed.problems[0]
    assert "1 track point(s) have no valid position" in parsed.problems[1]
    assert session["n_records"] == 4
    assert session["distance_m"] == pytest.approx(0.002 * DEGREE_M, rel=1e-9)
    assert np.isnan(stream["lat_deg"].iloc[0]) and stream["altitude_m"].iloc[0] == 270.3


def test_undeclared_prefix_is_bound_and_read():
    ext = "<gpxdata:hr>150</gpxdata:hr><gpxdata:cadence>80</gpxdata:cadence>"
    points = point(0.0, "2024-05-01T06:00:00Z", ext=ext) + point(0.001, "2024-05-01T06:00:30Z",
                                                                 ext=ext)
    parsed = parse_gpx(make_gpx(trk(points, type_label="9")), "strava.gpx")
    session, _ = only(parsed)
    assert not parsed.is_partial
    assert "never declares (gpxdata)" in parsed.problems[1]
    assert session["sport"] == "running" and session["sport_label"] == "9"
    assert session["avg_hr_bpm"] == 150.0 and session["avg_cadence_spm"] == 160.0


def test_truncated_file_keeps_intact_points():
    data = make_gpx(trk(THREE_POINTS + point(0.003, "2024-05-01T06:01:30Z")))
    cut = data[:data.rindex(b"<time>2024-05-01T06:01:30") + 12]
    parsed = parse_gpx(cut, "cut.gpx")
    session, _ = only(parsed)
    assert parsed.is_partial and session["is_partial"]
    assert session["n_records"] == 3
    assert session["elapsed_s"] == 60.0
    assert any("damaged at line" in p for p in parsed.problems)


@pytest.mark.parametrize("data", [b"", b"garbage, not XML", b"<?xml version='1.0'?><gpx"])
def test_unreadable_file_is_corrupt(data):
    with pytest.raises(CorruptFileError, match="not a readable GPX document") as info:
        parse_gpx(data, "bad.gpx")
    assert info.value.__cause__ is not None


def test_other_xml_is_corrupt():
    with pytest.raises(CorruptFileError, match="root element is <kml>"):
        parse_gpx(b"<kml><Document/></kml>", "map.kml")


# ------------------------------------------------------------- real files

#: Expected outcome of every gpx/ file in MANIFEST.tsv.  Each read session is
#: (sport, start_utc or None, distance_m).  Distances are justified
#: independently of runload: gpxpy's length_2d of the same points (its own
#: distance formula; segments summed, gaps between them not counted) unless
#: said otherwise.  MANIFEST values are quick summaries; where they differ the
#: comment says why.
REAL_GPX = {
    "gpx/asplitline__469527533.gpx": (
        "read", [("running", "2025-04-18T12:39:39Z", 2250.4)], False,
        # The root <extensions> says 5800 m, but its own elapsed_time (708 s)
        # matches the 12-minute track; the note must report the disagreement.
        "summary says 5800 m"),
    "gpx/dylan632__10km_2024-11-29_10.09pm.gpx": (
        "read", [("generic", "2024-11-29T13:08:37Z", 11254.3)], False, ""),
    "gpx/dylan632__9223370290923601807.gpx": (
        # Times are year 7502 then 1970: no date, distance only.
        "read", [("running", None, 1251.6)], False, "broken clock"),
    "gpx/dylan632__9223370313901118707.gpx": (
        "read", [("running", "2024-08-06T12:08:45Z", 10642.6)], False, ""),
    "gpx/fankangsong__户外 跑步-Route-2026-07-05 20_27_07.gpx": (
        "read", [("generic", "2026-07-05T12:27:09Z", 6860.8)], False, ""),
    "gpx/gc__MetadataOnly.gpx": ("not_activity", "metadata only"),
    "gpx/gc__Move_2014_01_16_19_48_44.gpx": (
        # Also the watch's own gpxdata:distance: 8548 m at the last point.
        "read", [("generic", "2014-01-16T18:48:44.34Z", 8550.8)], False, ""),
    "gpx/gpxpy__cerknicko-without-times.gpx": (
        # Tracks #2-#7 have no times (one undated session, 1914.5 + 874.2 +
        # 30.2 + 1353.6 + 32.0 + 28.6 m); #8 has 5 times in 21 points.  The
        # MANIFEST sums all tracks (4580 m) and dates them by #8.
        "read", [("generic", None, 4233.1), ("generic", "2010-08-05T16:22:52Z", 347.0)],
        False, ""),
    "gpx/gpxpy__korita-zbevnica.gpx": (
        # "03-OCT-10 #2" is an untimed saved track 12 km from the timed
        # ACTIVE LOGs (another outing); the ACTIVE LOGs, 5 min apart, are one
        # hike of 2284.6 + 3984.0 m.  The MANIFEST sums all three (14914 m).
        "read", [("generic", None, 8645.2), ("generic", "2010-10-03T09:36:30Z", 6268.6)],
        False, ""),
    "gpx/gpxpy__route.gpx": ("not_activity", "planned route"),
    "gpx/runalyze__Route-only.gpx": ("not_activity", "GPSies route export"),
    "gpx/runalyze__break-between-trkseg.gpx": (
        "read", [("generic", "2010-04-02T08:26:48.524Z", 24059.4 + 12440.4)], False, ""),
    "gpx/runalyze__garmin-ns3-extension.gpx": (
        "read", [("running", "2016-09-20T04:16:00Z", 118.1)], False, ""),
    "gpx/runalyze__hr-not-always-there.gpx": (
        "read", [("generic", "2016-09-16T16:31:53.243Z", 821.8)], False, ""),
    "gpx/runalyze__runkeeper-negative-time-step-at-start.gpx": (
        # The second point is 1 s before the first: the start is the earlier.
        "read", [("generic", "2017-10-02T08:49:24Z", 22208.3)], False, "backwards"),
    "gpx/runalyze__standard.gpx": (
        # gpxpy rejects it; Runalyze's own test expects 5.993 km.
        "read", [("generic", "2013-02-04T20:38:00Z", 5993.0)], False, ""),
    "gpx/runalyze__strava-export.gpx": (
        # No <type>, but cadence ~85/min per leg at ~3.2 m/s: a run.
        "read", [("running", "2015-12-01T20:11:32Z", 3695.3)], False, "inferred as running"),
    "gpx/runpandas__nike_run.gpx": (
        "read", [("generic", "2021-07-04T11:23:19.418Z", 8257.3)], False, ""),
    "gpx/sportslib__6037744996.gpx": (
        # gpxpy rejects it; 5108.7 m is gpxpy's length after declaring gpxdata.
        "read", [("running", "2020-12-25T20:40:26Z", 5108.7)], False, ""),
    "gpx/sportslib__amazfit.gpx": (
        "read", [("running", "2018-05-14T09:54:12Z", 8732.4)], False, ""),
}


def test_every_manifest_gpx_file_has_an_expectation(manifest):
    assert sorted(k for k in manifest if k.startswith("gpx/")) == sorted(REAL_GPX)


@pytest.mark.parametrize("relpath", sorted(REAL_GPX))
def test_real_gpx(realdata: Path, relpath):
    expected = REAL_GPX[relpath]
    data = (realdata / relpath).read_bytes()
    if expected[0] == "not_activity":
        with pytest.raises(NotAnActivityError, match=expected[1]):
            parse_gpx(data, relpath)
        return
    _, sessions, is_partial, note = expected
    parsed = parse_gpx(data, relpath)
    assert parsed.decoder == "gpx"
    assert parsed.is_partial == is_partial
    assert len(parsed.sessions) == len(sessions)
    for session, stream, (sport, start, distance_m) in zip(parsed.sessions, parsed.streams,
                                                           sessions, strict=True):
        assert session["sport"] == sport
        if start is None:
            assert session["start_utc"] is None
        else:
            assert session["start_utc"] == pd.Timestamp(start)
        assert session["distance_m"] == pytest.approx(distance_m, rel=0.01)
        assert session["n_records"] == len(stream)
        schema.validate_columns(stream, "streams")
    schema.sessions_frame(list(parsed.sessions))
    if note:
        assert any(note in s["notes"] for s in parsed.sessions)


def test_real_gpx_details(realdata: Path):
    def read(name):
        return parse_gpx((realdata / "gpx" / name).read_bytes(), name)

    session = read("runalyze__break-between-trkseg.gpx").sessions[0]
    assert session["utc_offset_s"] == 7200 and session["tz_source"] == "file_offset"
    # Runalyze's test: 5:17:21 without the 3780 s pause (we also drop the 5 s
    # gap before the one-point middle segment).
    assert session["timer_s"] == pytest.approx(5 * 3600 + 17 * 60 + 21, abs=10)
    assert session["elapsed_s"] == pytest.approx(22820.676)

    session = read("runalyze__runkeeper-negative-time-step-at-start.gpx").sessions[0]
    assert session["elapsed_s"] == pytest.approx(3329, abs=10)
    assert session["avg_hr_bpm"] == pytest.approx(151, abs=0.5)

    session = read("runalyze__garmin-ns3-extension.gpx").sessions[0]
    assert session["has_hr"] and session["avg_cadence_spm"] > 150

    parsed = read("runalyze__standard.gpx")
    assert not parsed.is_partial and "gpxpy rejected" in parsed.problems[0]
    assert parsed.sessions[0]["elapsed_s"] == 2306.0  # Runalyze: ElapsedTime 2306

    parsed = read("sportslib__6037744996.gpx")
    assert not parsed.is_partial
    assert parsed.sessions[0]["avg_cadence_spm"] > 0  # read through the bound gpxdata prefix

    stream = read("fankangsong__户外 跑步-Route-2026-07-05 20_27_07.gpx").streams[0]
    assert stream["speed_mps"].notna().all()

    session = read("runalyze__hr-not-always-there.gpx").sessions[0]
    assert session["has_hr"]  # version="1.0" in a GPX 1.1 document: extensions kept


#: Real files gpxpy rejects; the tolerant reader alone reads them.
GPXPY_REJECTS = {"gpx/runalyze__standard.gpx": "latitude is mandatory",
                 "gpx/sportslib__6037744996.gpx": "unbound prefix"}


@pytest.mark.parametrize("relpath", sorted(GPXPY_REJECTS))
def test_gpxpy_rejects(realdata: Path, relpath):
    data = track.clean_xml_prolog((realdata / relpath).read_bytes())
    with pytest.raises(gpxpy.gpx.GPXException, match=GPXPY_REJECTS[relpath]):
        gpxpy.parse(data.decode("utf-8"))


@pytest.mark.parametrize("relpath", sorted(k for k, v in REAL_GPX.items()
                                           if v[0] == "read" and k not in GPXPY_REJECTS))
def test_gpxpy_and_tolerant_reader_agree(realdata: Path, relpath):
    data = track.clean_xml_prolog((realdata / relpath).read_bytes())
    by_gpxpy = gpx._read_with_gpxpy(data.decode("utf-8"))
    by_etree, _ = gpx._read_with_etree(track.parse_xml_tolerant(data).root)
    assert len(by_gpxpy.tracks) == len(by_etree.tracks)
    for a, b in zip(by_gpxpy.tracks, by_etree.tracks, strict=True):
        for name in ("lat", "lon", "ele", "segment"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
        np.testing.assert_array_equal(a.times.utc.view("i8"), b.times.utc.view("i8"))
        np.testing.assert_array_equal(a.times.offset_s, b.times.offset_s)
        for column in a.extensions:
            np.testing.assert_array_equal(a.extensions[column], b.extensions[column])
