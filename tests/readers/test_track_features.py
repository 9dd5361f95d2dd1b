"""Tests for runload.readers.track_features: synthetic paths with known geometry, and wiring."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from runload import read_activity
from runload.readers import track_features as tf
from runload.readers.fit_writer import SyntheticActivity, write_fit
from runload.readers.track import EARTH_RADIUS_M
from runload.schema import SESSION_COLUMNS, stream_frame

LAT0 = 45.0
SPEED_MPS = 3.0
# Lane 1 of a standard 400 m track: two 84.39 m straights and two bends of radius r.
STRAIGHT_M = 84.39
RADIUS_M = (400.0 - 2 * STRAIGHT_M) / (2 * math.pi)


def to_lat_lon(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local metres east/north of (LAT0, 0) to degrees."""
    lat = LAT0 + np.degrees(y_m / EARTH_RADIUS_M)
    lon = np.degrees(x_m / (EARTH_RADIUS_M * math.cos(math.radians(LAT0))))
    return lat, lon


def oval_xy(s_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Point at arc length s along the oval, anticlockwise from the start of a straight."""
    s = np.mod(s_m, 400.0)
    half = STRAIGHT_M / 2
    bend = math.pi * RADIUS_M
    x, y = np.empty_like(s), np.empty_like(s)
    a = s < STRAIGHT_M                                  # bottom straight, eastwards
    x[a], y[a] = -half + s[a], -RADIUS_M
    b = (s >= STRAIGHT_M) & (s < STRAIGHT_M + bend)    # east bend
    t = (s[b] - STRAIGHT_M) / RADIUS_M - math.pi / 2
    x[b], y[b] = half + RADIUS_M * np.cos(t), RADIUS_M * np.sin(t)
    c = (s >= STRAIGHT_M + bend) & (s < 2 * STRAIGHT_M + bend)   # top straight, westwards
    x[c], y[c] = half - (s[c] - STRAIGHT_M - bend), RADIUS_M
    d = s >= 2 * STRAIGHT_M + bend                      # west bend
    t = (s[d] - 2 * STRAIGHT_M - bend) / RADIUS_M + math.pi / 2
    x[d], y[d] = -half + RADIUS_M * np.cos(t), RADIUS_M * np.sin(t)
    return x, y


def stream_along(x_m: np.ndarray, y_m: np.ndarray, *, altitude_m=None, hr_bpm=None,
                 step_m: float = SPEED_MPS):
    """A 1 Hz stream along a path sampled every ``step_m`` metres."""
    lat, lon = to_lat_lon(x_m, y_m)
    n = len(x_m)
    arrays = {"lat_deg": lat, "lon_deg": lon, "elapsed_s": np.arange(n, dtype=float),
              "distance_m": np.arange(n) * step_m}
    if altitude_m is not None:
        arrays["altitude_m"] = altitude_m
    if hr_bpm is not None:
        arrays["hr_bpm"] = hr_bpm
    return stream_frame(**arrays)


def oval_stream(laps: float = 5.0):
    s = np.arange(0.0, 400.0 * laps, SPEED_MPS)
    return stream_along(*oval_xy(s), altitude_m=np.full(len(s), 12.0))


def test_oval_track_features():
    f = tf.track_features(oval_stream(5))
    assert f["gps_fix_frac"] == 1.0
    assert f["track_lap_m"] == pytest.approx(400.0, abs=10.0)
    assert f["track_return_frac"] > 0.95
    assert f["track_turns_per_km"] == pytest.approx(2.5, abs=0.05)
    # box: 84.39 + 2 r by 2 r
    assert f["track_bbox_diag_m"] == pytest.approx(math.hypot(STRAIGHT_M + 2 * RADIUS_M,
                                                              2 * RADIUS_M), rel=0.03)
    # bends turn 31 degrees per 20 m: no "turn"
    assert f["turn_density_per_km"] == 0.0
    assert f["sinuosity"] > 1.5
    assert f["grade_std_frac"] == 0.0
    assert f["elev_roughness_m_per_km"] == 0.0


def test_oval_laps_one_way_then_the_other_still_turn():
    forward = np.arange(0.0, 1200.0, SPEED_MPS)
    back = 1200.0 - np.arange(SPEED_MPS, 1200.0, SPEED_MPS)
    x, y = oval_xy(np.concatenate((forward, back)))
    f = tf.track_features(stream_along(x, y))
    # 6 laps in 2.4 km; the block holding the reversal cancels in part
    assert 1.5 < f["track_turns_per_km"] <= 2.5
    assert f["track_lap_m"] == pytest.approx(400.0, abs=10.0)


def test_straight_road():
    x = np.arange(0.0, 3000.0, SPEED_MPS)
    f = tf.track_features(stream_along(x, np.zeros_like(x), altitude_m=np.full(len(x), 50.0)))
    assert f["sinuosity"] == pytest.approx(1.0, abs=1e-6)
    assert f["track_turns_per_km"] == pytest.approx(0.0, abs=1e-6)
    assert f["turn_density_per_km"] == 0.0
    assert np.isnan(f["track_lap_m"]) and f["track_return_frac"] == 0.0
    assert f["track_bbox_diag_m"] == pytest.approx(0.98 * 3000.0, rel=0.01)
    assert f["grade_std_frac"] == 0.0 and f["elev_roughness_m_per_km"] == 0.0
    assert f["speed_cv"] == pytest.approx(0.0, abs=1e-9)


def zigzag_xy(length_m: float, leg_m: float = 50.0) -> tuple[np.ndarray, np.ndarray]:
    """Legs of ``leg_m`` alternately 60 degrees left and right of east (120-degree turns)."""
    s = np.arange(0.0, length_m, SPEED_MPS)
    leg = (s // leg_m).astype(int)
    along = s - leg * leg_m
    heading = np.where(leg % 2 == 0, math.radians(60), math.radians(-60))
    x = leg * leg_m * 0.5 + along * np.cos(heading)
    corner_y = np.where(leg % 2 == 0, 0.0, leg_m * math.sin(math.radians(60)))
    return x, corner_y + along * np.sin(heading)


def test_zigzag_hilly_path_is_rougher_than_the_road():
    length = 4000.0
    x, y = zigzag_xy(length)
    d = np.arange(len(x)) * SPEED_MPS
    altitude = 30.0 * np.sin(2 * math.pi * d / 1000.0)
    f = tf.track_features(stream_along(x, y, altitude_m=altitude))
    # grade over 500 m of a 30 m sine of period 1 km: 60/500 |sin| -> std 0.12/sqrt(2),
    # less 0.4 % for the 50 m bins
    assert f["grade_std_frac"] == pytest.approx(0.12 / math.sqrt(2) * 0.996, rel=0.02)
    # 4 x 30 m of climb and descent per km, less up to the 3 m hysteresis at each of the
    # 4 turning points
    assert 120.0 - 4 * 3.0 <= f["elev_roughness_m_per_km"] <= 120.0
    # a 120-degree turn every 50 m
    assert f["turn_density_per_km"] == pytest.approx(20.0, abs=1.0)
    # 200 m of zig-zag covers 100 m east: sinuosity 2
    assert f["sinuosity"] == pytest.approx(2.0, rel=0.05)
    assert f["track_turns_per_km"] < 0.1


def test_no_gps_gives_nan_geometry_and_keeps_speed():
    n = 1800
    speed = np.where(np.arange(n) // 300 % 2 == 0, 3.0, 4.0)
    stream = stream_frame(elapsed_s=np.arange(n, dtype=float), distance_m=np.cumsum(speed),
                          speed_mps=speed, hr_bpm=np.full(n, 150.0))
    f = tf.track_features(stream)
    assert f["gps_fix_frac"] == 0.0
    for name in ("track_bbox_diag_m", "track_turns_per_km", "track_lap_m", "track_return_frac",
                 "sinuosity", "turn_density_per_km", "grade_std_frac",
                 "elev_roughness_m_per_km"):
        assert np.isnan(f[name]), name
    # 30 s bins alternate 3 and 4 m/s: std 0.5, mean 3.5; all at one heart rate
    assert f["speed_cv"] == pytest.approx(0.5 / 3.5, rel=0.02)
    assert f["speed_cv_same_hr"] == pytest.approx(0.5 / 3.5, rel=0.05)


def test_speed_that_follows_heart_rate_is_not_unexplained():
    n = 1800
    fast = np.arange(n) // 300 % 2 == 1
    speed = np.where(fast, 4.0, 3.0)
    hr = np.where(fast, 170.0, 140.0)
    stream = stream_frame(elapsed_s=np.arange(n, dtype=float), distance_m=np.cumsum(speed),
                          speed_mps=speed, hr_bpm=hr)
    f = tf.track_features(stream)
    assert f["speed_cv"] > 0.1
    assert f["speed_cv_same_hr"] == pytest.approx(0.0, abs=0.01)


def test_speed_without_distance_uses_the_speed_stream():
    n = 600
    stream = stream_frame(elapsed_s=np.arange(n, dtype=float), speed_mps=np.full(n, 2.5))
    f = tf.track_features(stream)
    assert f["speed_cv"] == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(f["speed_cv_same_hr"])


def test_empty_and_tiny_streams():
    assert all(np.isnan(v) for v in tf.track_features(stream_frame()).values())
    assert set(tf.empty_features()) == set(tf.FEATURE_COLUMNS)
    x = np.arange(0.0, 100.0, SPEED_MPS)
    f = tf.track_features(stream_along(x, np.zeros_like(x)))
    assert f["gps_fix_frac"] == 1.0
    assert f["track_bbox_diag_m"] == pytest.approx(0.98 * x[-1], rel=0.02)
    assert np.isnan(f["track_turns_per_km"]) and np.isnan(f["sinuosity"])


def test_a_stray_fix_does_not_grow_the_box():
    rng = np.random.default_rng(1)
    n = 1200
    x, y = rng.normal(0.0, 3.0, n), rng.normal(0.0, 3.0, n)
    x[500] = 5000.0
    f = tf.track_features(stream_along(x, y, step_m=0.0))
    assert f["track_bbox_diag_m"] < 30.0


def test_times_out_of_order_do_not_fail():
    x = np.arange(0.0, 2000.0, SPEED_MPS)
    stream = stream_along(x, np.zeros_like(x), hr_bpm=np.full(len(x), 150.0))
    stream.loc[:5, "elapsed_s"] = [10.0, 3.0, -4.0, 1.0, 2.0, 3.0]
    f = tf.track_features(stream)
    assert np.isfinite(f["speed_cv"]) and np.isfinite(f["sinuosity"])


def test_feature_columns_are_session_columns():
    for name in tf.FEATURE_COLUMNS:
        assert SESSION_COLUMNS[name].dtype == "float64"
    names = list(SESSION_COLUMNS)
    positions = [names.index(n) for n in tf.FEATURE_COLUMNS]
    assert positions == sorted(positions)


def test_read_activity_fills_the_features():
    s = np.arange(0.0, 2000.0, SPEED_MPS)
    x, y = oval_xy(s)
    lat, lon = to_lat_lon(x, y)
    run = SyntheticActivity(
        start_utc=datetime(2024, 5, 1, 6, 30, tzinfo=UTC),
        records={"elapsed_s": np.arange(len(s), dtype=float), "lat_deg": lat, "lon_deg": lon,
                 "distance_m": s, "speed_mps": np.full(len(s), SPEED_MPS)})
    manual = SyntheticActivity(start_utc=datetime(2024, 5, 2, 6, 30, tzinfo=UTC),
                               elapsed_s=1800.0)
    track = read_activity(write_fit(run)).sessions.iloc[0]
    assert track["track_lap_m"] == pytest.approx(400.0, abs=10.0)
    assert track["gps_fix_frac"] == 1.0
    typed_in = read_activity(write_fit(manual)).sessions.iloc[0]
    assert typed_in["is_manual"]
    assert all(np.isnan(typed_in[name]) for name in tf.FEATURE_COLUMNS)


def test_non_foot_sports_get_no_features():
    s = np.arange(0.0, 2000.0, 8.0)
    lat, lon = to_lat_lon(s, np.zeros_like(s))
    ride = SyntheticActivity(
        start_utc=datetime(2024, 5, 1, 6, 30, tzinfo=UTC), sport=2,
        records={"elapsed_s": np.arange(len(s), dtype=float), "lat_deg": lat, "lon_deg": lon,
                 "distance_m": s})
    row = read_activity(write_fit(ride)).sessions.iloc[0]
    assert row["sport"] == "cycling"
    assert np.isnan(row["sinuosity"])


def test_real_track_run(realdata):
    """fsy__470140731.fit: a 300 m track, 16 laps, changing direction after ~10."""
    row = read_activity(realdata / "fit" / "fsy__470140731.fit").sessions.iloc[0]
    assert row["track_lap_m"] == pytest.approx(300.0, abs=20.0)
    assert row["track_return_frac"] > 0.9
    assert row["track_bbox_diag_m"] < 160.0
    assert row["track_turns_per_km"] > 2.5
