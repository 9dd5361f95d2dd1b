"""Tests for runload.readers.track: XML clean-up, times, distance, climbing, cadence."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from xml.etree import ElementTree as ET

import numpy as np
import pytest

from runload.readers import track
from runload.readers.sports import FOOT_SPORTS

# One degree of arc on the sphere of the WGS84 mean radius [m].
DEGREE_M = 2 * math.pi * track.EARTH_RADIUS_M / 360


# ---------------------------------------------------------------------- XML

@pytest.mark.parametrize("raw", [
    b'<?xml version="1.0"?><a/>',
    b'          <?xml version="1.0"?><a/>',
    b'\xef\xbb\xbf<?xml version="1.0"?><a/>',
    b'\n\t \xef\xbb\xbf \r\n<?xml version="1.0"?><a/>',
])
def test_clean_xml_prolog_strips_bom_and_whitespace(raw):
    assert track.clean_xml_prolog(raw) == b'<?xml version="1.0"?><a/>'


def test_clean_xml_prolog_leaves_utf16_alone():
    raw = '<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16")
    assert track.clean_xml_prolog(raw) == raw


def test_undeclared_prefixes_and_binding():
    data = (b'<gpx xmlns:gpxx="urn:x"><a xml:lang="en"><gpxdata:cadence>4</gpxdata:cadence>'
            b'<gpxx:T>1</gpxx:T><weird:v k="1"/></a></gpx>')
    assert track.undeclared_prefixes(data) == ["gpxdata", "weird"]
    root = ET.fromstring(track.bind_prefixes(data, ["gpxdata", "weird"]))
    tags = [e.tag for e in root.iter()]
    assert f"{{{track.KNOWN_PREFIXES['gpxdata']}}}cadence" in tags
    assert "{urn:runload:undeclared:weird}v" in tags


def test_parse_xml_tolerant_clean_file():
    tree = track.parse_xml_tolerant(b"<a><b>1</b></a>")
    assert ET.tostring(tree.root) == b"<a><b>1</b></a>"
    assert tree.problems == ()
    assert not tree.is_truncated
    assert tree.error is None


def test_parse_xml_tolerant_drops_the_record_cut_in_half():
    tree = track.parse_xml_tolerant(b"<a><p><v>1</v></p><p><v>2</v></p><p><v>3",
                                    record_tags=["p"])
    assert tree.is_truncated
    assert [v.text for v in tree.root.iter("v")] == ["1", "2"]
    assert "damaged at line 1" in tree.problems[0]
    assert isinstance(tree.error, ET.ParseError)


def test_parse_xml_tolerant_stops_at_a_broken_tag():
    tree = track.parse_xml_tolerant(b"<a><p><v>1</v></p><p><v>2</x></p></a>", record_tags=["p"])
    assert tree.is_truncated
    assert [v.text for v in tree.root.iter("v")] == ["1"]
    assert "mismatched tag" in tree.problems[0]


def test_parse_xml_tolerant_binds_undeclared_prefix():
    tree = track.parse_xml_tolerant(b"<a><gpxdata:hr>150</gpxdata:hr></a>")
    assert not tree.is_truncated
    assert tree.root[0].tag == f"{{{track.KNOWN_PREFIXES['gpxdata']}}}hr"
    assert "never declares (gpxdata)" in tree.problems[0]


@pytest.mark.parametrize("data", [b"", b"not xml at all", b"\x00\x01\x02"])
def test_parse_xml_tolerant_nothing_readable(data):
    tree = track.parse_xml_tolerant(data)
    assert tree.root is None
    assert tree.is_truncated
    assert isinstance(tree.error, ET.ParseError)


# -------------------------------------------------------------------- times

def test_parse_iso_times_variants():
    times = track.parse_iso_times([
        "2010-04-02T10:26:48.524+02:00",  # offset, 3 fraction digits
        "2010-04-02T10:27:53.51+02:00",   # 2 fraction digits
        "2021-07-04T11:23:19.418000Z",
        "2016-04-10T18:40:59.000-03:30",
        "2014-01-16T18:48:44z",           # lower-case zone
        "2020-01-01T00:00:00+00:00",      # explicit zero offset: UTC notation
        "2020-01-01T00:00:00",            # no zone: read as UTC
        None, "", "yesterday",
    ])
    assert times.utc.astype(str).tolist() == [
        "2010-04-02T08:26:48.524000", "2010-04-02T08:27:53.510000",
        "2021-07-04T11:23:19.418000", "2016-04-10T22:10:59.000000",
        "2014-01-16T18:48:44.000000", "2020-01-01T00:00:00.000000",
        "2020-01-01T00:00:00.000000", "NaT", "NaT", "NaT"]
    np.testing.assert_array_equal(
        times.offset_s, [7200, 7200, np.nan, -12600, np.nan, np.nan, np.nan, np.nan, np.nan,
                         np.nan])
    assert times.n_without_zone == 1
    assert times.n_unreadable == 1


def test_datetimes_to_utc_keeps_offsets():
    plus2 = timezone(timedelta(hours=2))
    times = track.datetimes_to_utc([datetime(2020, 5, 1, 12, 0, tzinfo=plus2),
                                    datetime(2020, 5, 1, 12, 0), None,
                                    datetime(7502, 8, 26, 23, 0, 33, 799988, tzinfo=UTC)])
    assert times.utc.astype(str).tolist() == ["2020-05-01T10:00:00.000000",
                                              "2020-05-01T12:00:00.000000", "NaT",
                                              "7502-08-26T23:00:33.799988"]
    np.testing.assert_array_equal(times.offset_s, [7200, np.nan, np.nan, np.nan])
    assert times.n_without_zone == 1


def test_implausible_times():
    utc = np.array(["1970-01-01T00:00:01", "1989-12-31T23:59:59", "1990-01-01", "2024-08-06",
                    "2099-12-31T23:59:59", "2100-01-01", "7502-08-26", "NaT"],
                   dtype="datetime64[us]")
    assert track.implausible_times(utc).tolist() == [True, True, False, False, False, True,
                                                     True, False]


def test_seconds_between():
    utc = np.array(["2020-01-01T00:00:00", "2020-01-01T00:01:30.5", "NaT"],
                   dtype="datetime64[us]")
    np.testing.assert_array_equal(track.seconds_between(utc, utc[0]), [0.0, 90.5, np.nan])


# ----------------------------------------------------------------- distance

def test_haversine_one_degree_and_quarter_meridian():
    assert track.haversine_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(DEGREE_M, rel=1e-12)
    assert track.haversine_m(0.0, 0.0, 90.0, 0.0) == pytest.approx(90 * DEGREE_M, rel=1e-12)
    # Across the antimeridian the short way round.
    assert track.haversine_m(0.0, 179.5, 0.0, -179.5) == pytest.approx(DEGREE_M, rel=1e-9)


def test_track_distance_three_points():
    lat = np.zeros(3)
    lon = np.array([0.0, 0.001, 0.003])
    result = track.track_distance(lat, lon)
    np.testing.assert_allclose(result.cumulative_m, [0, 0.001 * DEGREE_M, 0.003 * DEGREE_M],
                               rtol=1e-9)
    assert result.n_jumps == 0


def test_track_distance_not_across_pieces():
    lat = np.zeros(4)
    lon = np.array([0.0, 0.001, 0.010, 0.011])
    result = track.track_distance(lat, lon, piece=np.array([0, 0, 1, 1]))
    np.testing.assert_allclose(result.cumulative_m,
                               [0, 0.001 * DEGREE_M, 0.001 * DEGREE_M, 0.002 * DEGREE_M],
                               rtol=1e-9)


def test_track_distance_drops_gps_jump():
    # 0.001 deg (111 m) per 30 s, then a spike 0.1 deg (11 km) away for one second.
    lat = np.zeros(4)
    lon = np.array([0.0, 0.001, 0.101, 0.002])
    elapsed = np.array([0.0, 30.0, 31.0, 60.0])
    result = track.track_distance(lat, lon, elapsed_s=elapsed)
    assert result.n_jumps == 1
    # The spike is skipped: 0.001 deg, then on from 0.001 to 0.002.
    np.testing.assert_allclose(result.cumulative_m, [0, 0.001 * DEGREE_M, 0.001 * DEGREE_M,
                                                     0.002 * DEGREE_M], rtol=1e-9)


def test_track_distance_drops_a_lasting_jump():
    # The fix moves 0.1 deg in 1 s and stays there: the jump step adds nothing.
    lat = np.zeros(4)
    lon = np.array([0.0, 0.001, 0.101, 0.102])
    elapsed = np.array([0.0, 30.0, 31.0, 61.0])
    result = track.track_distance(lat, lon, elapsed_s=elapsed)
    assert result.n_jumps == 1
    np.testing.assert_allclose(result.cumulative_m[-1], 0.002 * DEGREE_M, rtol=1e-9)


def test_track_distance_repeated_timestamp_is_not_a_jump():
    # 10 m in zero seconds: time is floored at 1 s, so 10 m/s, kept.
    lat = np.zeros(2)
    lon = np.array([0.0, 10 / DEGREE_M])
    result = track.track_distance(lat, lon, elapsed_s=np.array([5.0, 5.0]))
    assert result.n_jumps == 0
    assert result.cumulative_m[-1] == pytest.approx(10.0)


def test_track_distance_skips_points_without_position():
    lat = np.array([np.nan, 0.0, np.nan, 0.0])
    lon = np.array([np.nan, 0.0, np.nan, 0.001])
    result = track.track_distance(lat, lon)
    np.testing.assert_allclose(result.cumulative_m, [0, 0, 0, 0.001 * DEGREE_M], rtol=1e-9)


def test_track_distance_without_positions():
    result = track.track_distance(np.full(3, np.nan), np.full(3, np.nan))
    assert result.cumulative_m.tolist() == [0.0, 0.0, 0.0]


# ----------------------------------------------------------------- climbing

def test_ascent_descent_hysteresis():
    altitude = np.array([100.0, 101, 100, 105, 104, 110, np.nan, 102])
    # 100 -> 105 (+5), -> 110 (+5), -> 102 (-8); the 1 m wiggles do not count.
    assert track.ascent_descent_m(altitude) == (10.0, 8.0)


def test_ascent_descent_noise_below_threshold():
    altitude = 200 + np.tile([0.0, 2.0, 0.5, 2.5], 50)
    assert track.ascent_descent_m(altitude) == (0.0, 0.0)


def test_ascent_descent_needs_two_altitudes():
    ascent, descent = track.ascent_descent_m(np.array([np.nan, 5.0]))
    assert math.isnan(ascent) and math.isnan(descent)


# ------------------------------------------------------------------ cadence

def test_steps_per_min_doubles_per_leg_running_cadence():
    spm, note = track.steps_per_min(np.array([0.0, 85.0, 90.0, np.nan]), "running", FOOT_SPORTS)
    np.testing.assert_array_equal(spm, [0.0, 170.0, 180.0, np.nan])
    assert note == ""


def test_steps_per_min_keeps_values_already_in_steps():
    spm, note = track.steps_per_min(np.array([86.0, 118.0, 176.0, 178.0]), "running", FOOT_SPORTS)
    np.testing.assert_array_equal(spm, [86.0, 118.0, 176.0, 178.0])
    assert "not doubled" in note


def test_steps_per_min_is_nan_for_other_sports():
    spm, note = track.steps_per_min(np.array([90.0, 91.0]), "cycling", FOOT_SPORTS)
    assert np.isnan(spm).all()
    spm, note = track.steps_per_min(np.array([90.0]), "generic", FOOT_SPORTS)
    assert np.isnan(spm).all()


def test_record_summary_ignores_zero_hr_and_cadence():
    stats = track.record_summary(hr_bpm=np.array([0.0, 120.0, 140.0, np.nan]),
                                 cadence_spm=np.array([0.0, 170.0, 180.0, np.nan]),
                                 power_w=np.array([0.0, 200.0, np.nan, np.nan]),
                                 speed_mps=np.array([np.nan, 3.0, 3.5, np.nan]),
                                 temperature_c=np.array([np.nan, 20.0, 23.0, 24.5]))
    assert stats == {"avg_hr_bpm": 130.0, "max_hr_bpm": 140.0, "avg_cadence_spm": 175.0,
                     "avg_power_w": 100.0, "max_speed_mps": 3.5, "avg_temperature_c": 22.5,
                     "max_temperature_c": 24.5, "has_hr": True, "has_power": True}


def test_record_summary_empty():
    empty = np.full(2, np.nan)
    stats = track.record_summary(hr_bpm=empty, cadence_spm=empty, power_w=empty, speed_mps=empty)
    assert not stats["has_hr"] and not stats["has_power"]
    assert all(math.isnan(stats[k]) for k in ("avg_hr_bpm", "max_hr_bpm", "avg_cadence_spm",
                                              "avg_power_w", "max_speed_mps",
                                              "avg_temperature_c", "max_temperature_c"))
