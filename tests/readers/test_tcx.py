"""Tests for runload.readers.tcx: tiny hand-built files, then every real TCX file."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runload import schema
from runload.errors import CorruptFileError, NotAnActivityError
from runload.readers import track
from runload.readers.tcx import parse_tcx

DEGREE_M = 2 * math.pi * track.EARTH_RADIUS_M / 360
TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
AX_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"


def make_tcx(activities: str, *, namespaces: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase xmlns="{TCX_NS}" '
            f'{namespaces}><Activities>{activities}</Activities></TrainingCenterDatabase>').encode()


def trackpoint(time: str, *, lon: float | None = None, distance: float | None = None,
               hr: int | None = None, alt: float | None = None, cadence: int | None = None,
               ext: str = "") -> str:
    parts = [f"<Trackpoint><Time>{time}</Time>"]
    if lon is not None:
        parts.append(f"<Position><LatitudeDegrees>0.0</LatitudeDegrees>"
                     f"<LongitudeDegrees>{lon}</LongitudeDegrees></Position>")
    if alt is not None:
        parts.append(f"<AltitudeMeters>{alt}</AltitudeMeters>")
    if distance is not None:
        parts.append(f"<DistanceMeters>{distance}</DistanceMeters>")
    if hr is not None:
        parts.append(f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>")
    if cadence is not None:
        parts.append(f"<Cadence>{cadence}</Cadence>")
    if ext:
        parts.append(f"<Extensions>{ext}</Extensions>")
    parts.append("</Trackpoint>")
    return "".join(parts)


def lap(start: str, points: str, *, seconds: float | None = None, meters: float | None = None,
        calories: int | None = None, avg_hr: int | None = None, max_hr: int | None = None,
        max_speed: float | None = None) -> str:
    parts = [f'<Lap StartTime="{start}">']
    for tag, value in (("TotalTimeSeconds", seconds), ("DistanceMeters", meters),
                       ("MaximumSpeed", max_speed), ("Calories", calories)):
        if value is not None:
            parts.append(f"<{tag}>{value}</{tag}>")
    if avg_hr is not None:
        parts.append(f"<AverageHeartRateBpm><Value>{avg_hr}</Value></AverageHeartRateBpm>")
    if max_hr is not None:
        parts.append(f"<MaximumHeartRateBpm><Value>{max_hr}</Value></MaximumHeartRateBpm>")
    parts.append(f"<Track>{points}</Track></Lap>" if points else "</Lap>")
    return "".join(parts)


def activity(laps: str, *, sport: str = "Running", start: str = "2024-05-01T06:00:00Z",
             creator: str = "Forerunner 245") -> str:
    device = f"<Creator><Name>{creator}</Name></Creator>" if creator else ""
    return f'<Activity Sport="{sport}"><Id>{start}</Id>{laps}{device}</Activity>'


TWO_LAPS = activity(
    lap("2024-05-01T06:00:00Z",
        trackpoint("2024-05-01T06:00:00Z", lon=0.0, distance=0.0, hr=120, alt=10.0)
        + trackpoint("2024-05-01T06:05:00Z", lon=0.01, distance=1000.0, hr=140, alt=20.0),
        seconds=300, meters=1000.0, calories=60, avg_hr=130, max_hr=145, max_speed=4.0)
    + lap("2024-05-01T06:05:00Z",
          trackpoint("2024-05-01T06:15:00Z", lon=0.02, distance=2000.0, hr=160, alt=10.0),
          seconds=300, meters=1000.0, calories=70, avg_hr=150, max_hr=170, max_speed=5.0))


def only(parsed):
    assert len(parsed.sessions) == 1
    return parsed.sessions[0], parsed.streams[0]


# -------------------------------------------------------------- basic values

def test_laps_and_trackpoints():
    parsed = parse_tcx(make_tcx(TWO_LAPS), "run.tcx")
    session, stream = only(parsed)
    assert parsed.decoder == "tcx" and not parsed.is_partial and parsed.problems == ()
    assert session["sport"] == "running" and session["sport_label"] == "Running"
    assert session["start_utc"] == pd.Timestamp("2024-05-01T06:00:00Z")
    assert session["utc_offset_s"] is None and session["tz_source"] == ""
    assert session["timer_s"] == 600.0          # lap timers
    assert session["elapsed_s"] == 900.0        # start to the last trackpoint
    assert session["distance_m"] == 2000.0      # lap totals
    assert session["avg_speed_mps"] == pytest.approx(2000 / 600)
    assert session["max_speed_mps"] == 5.0
    assert session["calories_kcal"] == 130.0
    assert session["avg_hr_bpm"] == 140.0       # lap averages, weighted by lap time
    assert session["max_hr_bpm"] == 170.0
    assert session["ascent_m"] == 10.0 and session["descent_m"] == 10.0
    assert session["device_product"] == "Forerunner 245"
    assert session["has_gps"] and session["has_hr"] and not session["has_power"]
    assert session["n_records"] == 3 and not session["is_manual"]
    assert session["notes"] == ""
    assert stream["distance_m"].tolist() == [0.0, 1000.0, 2000.0]
    assert stream["elapsed_s"].tolist() == [0.0, 300.0, 900.0]
    assert stream["hr_bpm"].tolist() == [120.0, 140.0, 160.0]
    schema.validate_columns(stream, "streams")
    schema.sessions_frame(list(parsed.sessions))


def test_trackpoint_distance_disagreeing_with_laps_is_noted():
    laps = lap("2024-05-01T06:00:00Z",
               trackpoint("2024-05-01T06:00:00Z", distance=0.0)
               + trackpoint("2024-05-01T06:05:00Z", distance=1100.0),
               seconds=300, meters=1000.0)
    session, _ = only(parse_tcx(make_tcx(activity(laps)), "x.tcx"))
    assert session["distance_m"] == 1000.0
    assert "trackpoint DistanceMeters give 1100 m but the laps total 1000 m" in session["notes"]


def test_distance_from_positions_without_any_distance():
    laps = lap("2024-05-01T06:00:00Z",
               trackpoint("2024-05-01T06:00:00Z", lon=0.0)
               + trackpoint("2024-05-01T06:01:00Z", lon=0.001)
               + trackpoint("2024-05-01T06:02:00Z", lon=0.002), seconds=120)
    session, stream = only(parse_tcx(make_tcx(activity(laps)), "x.tcx"))
    assert session["distance_m"] == pytest.approx(0.002 * DEGREE_M, rel=1e-9)
    np.testing.assert_allclose(stream["distance_m"], [0, 0.001 * DEGREE_M, 0.002 * DEGREE_M])


def test_hr_from_trackpoints_when_laps_lack_it():
    laps = lap("2024-05-01T06:00:00Z",
               trackpoint("2024-05-01T06:00:00Z", hr=0) + trackpoint("2024-05-01T06:01:00Z", hr=130)
               + trackpoint("2024-05-01T06:02:00Z", hr=150), seconds=120)
    session, stream = only(parse_tcx(make_tcx(activity(laps)), "x.tcx"))
    assert session["avg_hr_bpm"] == 140.0 and session["max_hr_bpm"] == 150.0
    np.testing.assert_array_equal(stream["hr_bpm"], [np.nan, 130.0, 150.0])


# -------------------------------------------------------------- extensions

@pytest.mark.parametrize("tpx", [
    '<ns3:TPX><ns3:Speed>{speed}</ns3:Speed><ns3:RunCadence>{cad}</ns3:RunCadence>'
    '<ns3:Watts>{watts}</ns3:Watts></ns3:TPX>',
    f'<TPX xmlns="{AX_NS}"><Speed>{{speed}}</Speed><RunCadence>{{cad}}</RunCadence>'
    '<Watts>{watts}</Watts></TPX>',
    '<TPX xmlns=""><Speed>{speed}</Speed><RunCadence>{cad}</RunCadence>'
    '<Watts>{watts}</Watts></TPX>',
], ids=["ns3-prefix", "default-namespace", "no-namespace"])
def test_tpx_extension_in_any_namespace(tpx):
    points = "".join(trackpoint(f"2024-05-01T06:00:{s:02d}Z",
                                ext=tpx.format(speed=speed, cad=cad, watts=watts))
                     for s, speed, cad, watts in ((0, 3.0, 85, 250), (10, 3.5, 90, 270)))
    laps = lap("2024-05-01T06:00:00Z", points, seconds=10, meters=32.5)
    session, stream = only(parse_tcx(make_tcx(activity(laps), namespaces=f'xmlns:ns3="{AX_NS}"'),
                                     "x.tcx"))
    assert stream["speed_mps"].tolist() == [3.0, 3.5]
    assert stream["cadence_spm"].tolist() == [170.0, 180.0]  # per leg, doubled
    assert stream["power_w"].tolist() == [250.0, 270.0]
    assert session["avg_cadence_spm"] == 175.0
    assert session["avg_power_w"] == 260.0 and session["has_power"]
    assert session["max_speed_mps"] == 3.5


def test_cadence_already_in_steps_is_not_doubled():
    ext = f'<TPX xmlns="{AX_NS}"><RunCadence>176</RunCadence></TPX>'
    points = "".join(trackpoint(f"2024-05-01T06:00:{s:02d}Z", ext=ext) for s in range(3))
    session, _ = only(parse_tcx(make_tcx(activity(lap("2024-05-01T06:00:00Z", points,
                                                       seconds=2))), "x.tcx"))
    assert session["avg_cadence_spm"] == 176.0
    assert "not doubled" in session["notes"]


def test_trackpoint_cadence_of_a_run_is_per_leg_and_of_a_ride_is_rpm():
    points = (trackpoint("2024-05-01T06:00:00Z", cadence=88)
              + trackpoint("2024-05-01T06:00:01Z", cadence=90))
    run, _ = only(parse_tcx(make_tcx(activity(lap("2024-05-01T06:00:00Z", points, seconds=1))),
                            "x.tcx"))
    assert run["avg_cadence_spm"] == 178.0
    ride, stream = only(parse_tcx(make_tcx(activity(lap("2024-05-01T06:00:00Z", points,
                                                         seconds=1), sport="Biking")), "x.tcx"))
    assert ride["sport"] == "cycling"
    assert math.isnan(ride["avg_cadence_spm"]) and stream["cadence_spm"].isna().all()


# --------------------------------------------------------------------- time

def test_leading_whitespace_offset_and_lower_case_sport():
    laps = lap("2016-04-10T18:40:58.000+01:00",
               trackpoint("2016-04-10T18:40:59.000+01:00") + trackpoint("2016-04-10T18:41:58+01:00"),
               seconds=60, meters=150)
    data = b"\xef\xbb\xbf          " + make_tcx(
        activity(laps, sport="running", start="2016-04-10T18:40:58.000+01:00"))
    session, stream = only(parse_tcx(data, "polar.tcx"))
    assert session["sport"] == "running" and session["sport_label"] == "running"
    assert session["start_utc"] == pd.Timestamp("2016-04-10T17:40:58Z")
    assert session["utc_offset_s"] == 3600 and session["tz_source"] == "file_offset"
    assert session["elapsed_s"] == 60.0
    assert stream["time_utc"].iloc[0] == pd.Timestamp("2016-04-10T17:40:59Z")


def test_treadmill_without_positions_keeps_every_trackpoint():
    points = "".join(trackpoint(f"2016-01-07T17:39:{s:02d}Z", distance=2.5 * s, hr=100 + s)
                     for s in range(10))
    session, stream = only(parse_tcx(make_tcx(activity(lap("2016-01-07T17:39:00Z", points,
                                                           seconds=9, meters=22.5))), "t.tcx"))
    assert not session["has_gps"] and session["has_hr"]
    assert session["n_records"] == 10 and len(stream) == 10
    assert stream["lat_deg"].isna().all()
    assert session["distance_m"] == 22.5
    assert math.isnan(session["ascent_m"])


def test_pause_between_tracks_of_a_lap():
    points_1 = (trackpoint("2024-05-01T06:00:00Z", lon=0.0)
                + trackpoint("2024-05-01T06:01:00Z", lon=0.001))
    points_2 = (trackpoint("2024-05-01T06:11:00Z", lon=0.01)
                + trackpoint("2024-05-01T06:12:00Z", lon=0.011))
    laps = (f'<Lap StartTime="2024-05-01T06:00:00Z"><TotalTimeSeconds>120</TotalTimeSeconds>'
            f"<Track>{points_1}</Track><Track>{points_2}</Track></Lap>")
    session, _ = only(parse_tcx(make_tcx(activity(laps)), "x.tcx"))
    assert session["timer_s"] == 120.0 and session["elapsed_s"] == 720.0
    # Not counted across the stop between the two <Track>s.
    assert session["distance_m"] == pytest.approx(0.002 * DEGREE_M, rel=1e-9)


def test_lap_only_activity_is_manual():
    laps = lap("2024-05-01T06:00:00Z", "", seconds=1800, meters=5000.0, calories=300)
    session, stream = only(parse_tcx(make_tcx(activity(laps)), "manual.tcx"))
    assert session["is_manual"] and session["n_records"] == 0 and len(stream) == 0
    assert session["timer_s"] == 1800.0 and session["elapsed_s"] == 1800.0
    assert session["distance_m"] == 5000.0 and session["calories_kcal"] == 300.0


def test_multisport_gives_one_session_per_activity():
    def leg(sport, start, minute):
        points = (trackpoint(f"2013-04-18T16:{minute:02d}:00Z", distance=0.0)
                  + trackpoint(f"2013-04-18T16:{minute + 5:02d}:00Z", distance=1000.0))
        return activity(lap(f"2013-04-18T16:{minute:02d}:00Z", points, seconds=300,
                            meters=1000.0), sport=sport, start=f"2013-04-18T16:{minute:02d}:00Z")
    body = (f"<MultiSportSession><Id>2013-04-18T16:00:00Z</Id>"
            f"<FirstSport>{leg('Biking', 0, 0)}</FirstSport>"
            f"<NextSport>{leg('Running', 10, 10)}</NextSport>"
            f"<NextSport>{leg('Biking', 20, 20)}</NextSport></MultiSportSession>")
    parsed = parse_tcx(make_tcx(body), "multi.tcx")
    assert [s["sport"] for s in parsed.sessions] == ["cycling", "running", "cycling"]
    assert [s["start_utc"].minute for s in parsed.sessions] == [0, 10, 20]


# --------------------------------------------------------- not activities

def test_course_is_not_an_activity():
    data = (f'<?xml version="1.0"?><TrainingCenterDatabase xmlns="{TCX_NS}"><Courses><Course>'
            f"<Name>route</Name><Lap><TotalTimeSeconds>144</TotalTimeSeconds></Lap><Track>"
            f'{trackpoint("2010-01-01T00:00:00Z", lon=7.75)}</Track></Course></Courses>'
            f"</TrainingCenterDatabase>").encode()
    with pytest.raises(NotAnActivityError, match="TCX course") as info:
        parse_tcx(data, "route.tcx")
    assert info.value.path == "route.tcx"


def test_workouts_only_is_not_an_activity():
    data = (f'<TrainingCenterDatabase xmlns="{TCX_NS}"><Workouts><Workout Sport="Running">'
            f"<Name>Intervals</Name></Workout></Workouts></TrainingCenterDatabase>").encode()
    with pytest.raises(NotAnActivityError, match="workout plans"):
        parse_tcx(data, "plan.tcx")


def test_empty_database_is_not_an_activity():
    with pytest.raises(NotAnActivityError, match="without any activity"):
        parse_tcx(make_tcx(""), "empty.tcx")


# --------------------------------------------------------- damaged files

def test_truncated_file_keeps_the_intact_part():
    data = make_tcx(TWO_LAPS)
    cut = data[:data.index(b"<Time>2024-05-01T06:15:00Z") + 10]
    parsed = parse_tcx(cut, "cut.tcx")
    session, stream = only(parsed)
    assert parsed.is_partial and session["is_partial"]
    assert any("damaged at line" in p for p in parsed.problems)
    assert len(stream) == 2                      # the half-written trackpoint is dropped
    assert session["distance_m"] == 2000.0       # both laps' totals were written
    assert session["device_product"] == ""       # the Creator came after the cut


def test_missing_root_element_and_undeclared_xsi():
    body = TWO_LAPS.replace("<Creator>", '<Creator xsi:type="Device_t">')
    data = f"<?xml version='1.0' encoding='UTF-8'?>\n  <Activities>{body}</Activities>".encode()
    parsed = parse_tcx(data, "malformed.tcx")
    session, _ = only(parsed)
    assert parsed.is_partial and session["is_partial"]
    assert "never declares (xsi)" in parsed.problems[0]
    assert "TrainingCenterDatabase root element is missing" in parsed.problems[1]
    assert session["distance_m"] == 2000.0 and session["device_product"] == "Forerunner 245"


@pytest.mark.parametrize("data,match", [
    (b"", "not readable as XML"),
    (b"garbage", "not readable as XML"),
    (b"<gpx><trk/></gpx>", r"root element is <gpx>"),
    (f'<TrainingCenterDatabase xmlns="{TCX_NS}"><Activities><Acti'.encode(),
     "damaged before its first activity"),
])
def test_unreadable_file_is_corrupt(data, match):
    with pytest.raises(CorruptFileError, match=match):
        parse_tcx(data, "bad.tcx")


def test_corrupt_error_keeps_the_parser_error():
    with pytest.raises(CorruptFileError) as info:
        parse_tcx(b"garbage", "bad.tcx")
    assert info.value.__cause__ is not None


# ------------------------------------------------------------- real files

#: Expected outcome of every tcx/ file in MANIFEST.tsv.  Each read session is
#: (sport, start_utc, distance_m).  Distances are the device's lap totals,
#: cross-checked against the last trackpoint DistanceMeters (they agree to
#: 0.1 % unless a comment says otherwise).  MANIFEST's start is the first
#: trackpoint; runload's start is the activity Id or first lap start when
#: earlier.
REAL_TCX = {
    "tcx/gc__10kUNLP2014-Garmin15.tcx": (
        # Same run as fit/gc__10kUNLP2014-Garmin15.fit (session 10011 m).
        "read", [("running", "2014-10-11T18:08:45Z", 10010.8)], False),
    "tcx/runalyze__Multisport.tcx": (
        "read", [("cycling", "2013-04-18T16:14:21Z", 2355.4),
                 ("running", "2013-04-18T16:24:12Z", 11458.0),
                 ("cycling", "2013-04-18T17:35:46Z", 2350.6)], False),
    "tcx/runalyze__Polar-one-lap-indoor-with-distance.tcx": (
        # No trackpoint distances: the lap's 94 m is all there is.
        "read", [("cycling", "2018-02-05T12:16:02.661Z", 94.0)], False),
    "tcx/runalyze__Route-only.tcx": ("not_activity", "TCX course"),
    "tcx/runalyze__Runtastic.tcx": (
        "read", [("running", "2015-05-10T14:13:32Z", 113.0)], False),
    "tcx/runalyze__Treadmill-doubled-cadence.tcx": (
        "read", [("running", "2016-01-07T17:39:11Z", 498.0)], False),
    "tcx/runalyze__Wrong-time-zone-by-polar.tcx": (
        # 18:40:58+01:00 is 17:40:58 UTC (Runalyze's test: local 18:40, +60 min).
        "read", [("running", "2016-04-10T17:40:58Z", 3642.6)], False),
    "tcx/runalyze__missing-distances.tcx": (
        # MANIFEST's 42293 m is the last trackpoint DistanceMeters, an odometer
        # that starts at 42014 m; the lap says 299 m in 131 s and the positions
        # measure 296 m.
        "read", [("running", "2010-12-27T14:46:29Z", 299.0)], False),
    "tcx/runpandas__2020-12-02T06_08_29-300_Running.tcx": (
        # Id 09:08:29Z; the first trackpoint (MANIFEST) is 09:08:34Z.  The file
        # name's 06:08 is local time (UTC-3), not UTC.
        "read", [("running", "2020-12-02T09:08:29Z", 7008.6)], False),
    "tcx/runpandas__malformed.tcx": (
        # Root element cut away: partial.  Laps total 4689.2 m, the last
        # trackpoint says 4686.3 m (MANIFEST 4686).
        "read", [("running", "2012-12-26T21:29:53Z", 4686.3)], True),
    "tcx/runpandas__run_garmin.tcx": (
        "read", [("running", "2018-11-25T07:20:49Z", 2153.7)], False),
    "tcx/sportslib__unknown_example.tcx": (
        # MANIFEST's 871 m is not supported by the file: its 32 laps total
        # 5729 m over 1916 s (2.99 m/s at 169 steps/min, a run), and the
        # positions, which start only at the fourth lap, measure 4858 m.
        "read", [("running", "2017-05-09T18:11:26Z", 5729.0)], False),
}


def test_every_manifest_tcx_file_has_an_expectation(manifest):
    assert sorted(k for k in manifest if k.startswith("tcx/")) == sorted(REAL_TCX)


@pytest.mark.parametrize("relpath", sorted(REAL_TCX))
def test_real_tcx(realdata: Path, relpath):
    expected = REAL_TCX[relpath]
    data = (realdata / relpath).read_bytes()
    if expected[0] == "not_activity":
        with pytest.raises(NotAnActivityError, match=expected[1]):
            parse_tcx(data, relpath)
        return
    _, sessions, is_partial = expected
    parsed = parse_tcx(data, relpath)
    assert parsed.decoder == "tcx"
    assert parsed.is_partial == is_partial
    assert len(parsed.sessions) == len(sessions)
    for session, stream, (sport, start, distance_m) in zip(parsed.sessions, parsed.streams,
                                                           sessions, strict=True):
        assert session["sport"] == sport
        assert session["start_utc"] == pd.Timestamp(start)
        assert session["distance_m"] == pytest.approx(distance_m, rel=0.01)
        assert session["is_partial"] == is_partial
        assert session["n_records"] == len(stream)
        schema.validate_columns(stream, "streams")
    schema.sessions_frame(list(parsed.sessions))


def test_real_tcx_details(realdata: Path):
    def read(name):
        return parse_tcx((realdata / "tcx" / name).read_bytes(), name)

    session = read("runalyze__Wrong-time-zone-by-polar.tcx").sessions[0]
    assert session["utc_offset_s"] == 3600 and session["tz_source"] == "file_offset"
    assert session["device_product"] == "Polar V800"

    session = read("runalyze__Treadmill-doubled-cadence.tcx").sessions[0]
    assert not session["has_gps"] and session["n_records"] == 262
    # Already steps/min (Runalyze's test: 67 per leg).
    assert session["avg_cadence_spm"] == pytest.approx(134, abs=1)

    session = read("runalyze__missing-distances.tcx").sessions[0]
    assert "laps total 299 m" in session["notes"]

    parsed = read("runalyze__Multisport.tcx")
    # Runalyze's test: 494 s, 3571 s (+-30) and 420 s of timer time.
    assert [round(s["timer_s"]) for s in parsed.sessions] == [494, 3585, 420]
    assert parsed.sessions[0]["avg_hr_bpm"] == 90.0

    parsed = read("runpandas__malformed.tcx")
    assert parsed.sessions[0]["device_product"] == "Forerunner 410 Software Version 2.20"
    assert parsed.sessions[0]["n_records"] == 384

    session = read("sportslib__unknown_example.tcx").sessions[0]
    assert math.isnan(session["calories_kcal"])  # every lap says 0
