"""Per-session summaries of a GPS track, its altitude and speed: the inputs of surface inference.

Streams are not kept after import, so the numbers that
:mod:`runload.analysis.surface` needs to tell a treadmill, a track, a trail
and a road apart are computed here, once, while the stream is in memory.  They
are plain data summaries: no threshold here decides a surface.

Method
------
Plane
    GPS fixes are projected on a local plane (equirectangular around their
    middle latitude: the error is far below GPS noise over a run's extent).
    The path's cumulative length is
    :func:`runload.readers.track.track_distance` (GPS jumps faster than
    50 m/s left out).
Resampling
    The path is resampled every :data:`STEP_M` (10 m) of its length, so that
    the geometry depends neither on the recording rate (1 s or "smart") nor
    on the runner's speed, and standing still adds few points.
Altitude
    Altitude is averaged in bins of :data:`ALTITUDE_BIN_M` (50 m) of distance
    (the device's distance, else the GPS path).
Speed
    Speed is distance over :data:`SPEED_BIN_S` (30 s) bins of elapsed time
    (the speed stream when there is no distance); bins slower than
    :data:`MOVING_MPS` (1 m/s) are stops and left out.

Features (:data:`FEATURE_COLUMNS`)
----------------------------------
gps_fix_frac
    Records with a position / records [0-1].
track_bbox_diag_m
    Diagonal of the bounding box of the fixes [m], the box spanning the 1st to
    99th percentile of latitude and of longitude so that a stray fix does not
    count (a 400 m track: ~175 m; GPS left on indoors: tens of metres).
track_turns_per_km
    Net heading rotation in full turns per 1 km block of path, its sign
    dropped, per km [1/km].  Laps turn once each whichever the direction:
    2.5/km on a 400 m track, 3.3/km on a 300 m one; a road run, an
    out-and-back or a shuttle turns little net.
track_lap_m
    Dominant lap length [m] by "closest returns": for each lag ``k`` of
    150-1000 m along the path, the share of path points (one every 50 m) that
    are back within :data:`RETURN_RADIUS_M` (20 m) ``k`` later.  In the first
    peak of that share (lags within 90 % of the best), the lag whose returns
    come closest (smallest mean squared distance, capped at 20 m).  NaN when
    under :data:`MIN_RETURN_FRAC` (20 %) of points ever return, or the path is
    shorter than two laps.
track_return_frac
    The share of returning points at ``track_lap_m`` [0-1] (below 0.2 when
    there is no lap): how much of the session is laps of one loop.
sinuosity
    Median over 200 m windows of path length / straight-line distance
    [ratio, >= 1]: 1.0 on a straight road, ~1.25 on an 800 m park loop, ~2.5
    on a 300-400 m track (a window is half a lap or more).
turn_density_per_km
    Turns per km of path [1/km]: a turn is a heading change of more than 45
    degrees between consecutive 20 m segments (consecutive such steps count
    once).  A 400 m track's bends (radius 36.8 m: 31 degrees per 20 m) do not
    count; street corners and switchbacks do.
grade_std_frac
    Standard deviation of the grade over :data:`GRADE_BASE_M` (500 m) of
    distance, every 50 m [fraction, 0.05 = 5 %].  500 m rather than 50-100 m
    because GPS altitude without a barometer wanders by 10-30 m over a few
    hundred metres: on flat urban loops it gives 0.07-0.12 over 100 m, under
    0.045 over 500 m, while hill runs keep 0.07-0.19 (see
    :mod:`runload.analysis.surface`).
elev_roughness_m_per_km
    Ascent plus descent of the binned altitude with a 3 m hysteresis
    (:func:`runload.readers.track.ascent_descent_m`), per km [m/km].  GPS
    altitude noise inflates it (60-90 m/km on flat loops without a barometer).
speed_cv
    Coefficient of variation (std / mean) of the 30 s moving speed [ratio].
speed_cv_same_hr
    Coefficient of variation of the 30 s moving speed within heart-rate bands
    of :data:`HR_BAND_BPM` (5/min): the relative deviations from each band's
    mean speed, pooled over bands holding two bins or more [ratio].  Pace
    variation that effort does not explain (terrain, surface); intervals,
    where speed and heart rate rise together, add little.  NaN without heart
    rate.

NaN where not computable: every feature without records; geometry without
:data:`MIN_PATH_M` (500 m) of GPS path (the box needs two fixes); grade and
roughness without :data:`MIN_GRADE_M` (1 km) of distance with altitude; speed
features without three moving 30 s bins.  Geometry, grade and roughness are
also NaN when the path or the distance spans more than :data:`MAX_SPAN_M`
(1000 km): no foot session covers that, a broken stream does (a GPS fix on the
other side of the world, a corrupt distance), and the resampled arrays would
grow with the span instead of with the records.  Likewise the speed bins are
only the occupied ones, so a clock jump of years costs nothing.

Cost: about 0.7 ms per running session on average, 1.3 ms for a 67 min 1 Hz
run (``benchmarks/bench_surface.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from runload.readers.track import EARTH_RADIUS_M, ascent_descent_m, haversine_m, track_distance

#: Feature columns, in :data:`runload.schema.SESSION_COLUMNS` order.
FEATURE_COLUMNS = ("gps_fix_frac", "track_bbox_diag_m", "track_turns_per_km", "track_lap_m",
                   "track_return_frac", "sinuosity", "turn_density_per_km", "grade_std_frac",
                   "elev_roughness_m_per_km", "speed_cv", "speed_cv_same_hr")

#: Quantiles of latitude and longitude that bound the bounding box.
BBOX_QUANTILES = (0.01, 0.99)
#: Resampling step along the GPS path [m].
STEP_M = 10.0
#: Shortest GPS path (or distance with altitude) the features are computed on [m].
MIN_PATH_M = 500.0
#: Longest GPS path (or distance with altitude) the features are computed on [m]:
#: resampled every STEP_M, that is 100,000 points at most.
MAX_SPAN_M = 1_000_000.0
#: Window of the sinuosity ratio [m].
SINUOSITY_WINDOW_M = 200.0
#: Segment length of the turn test [m] and the heading change that makes a turn [deg].
TURN_SEGMENT_M = 20.0
TURN_DEG = 45.0
#: Block over which the net heading rotation is taken [m].
TURN_BLOCK_M = 1000.0
#: Lags searched for a lap [m]: from a short indoor-size loop to a long park loop.
LAP_RANGE_M = (150.0, 1000.0)
#: A point "returns" when the path is back within this distance one lag later [m]
#: (GPS error of a few metres plus lane changes on a track).
RETURN_RADIUS_M = 20.0
#: Spacing of the points tested for a return [m].
LAP_ORIGIN_STEP_M = 50.0
#: Most points tested for a return (250 km of path at LAP_ORIGIN_STEP_M); longer
#: paths space them evenly, so the search stays a few MB.
MAX_LAP_ORIGINS = 5000
#: Share of returning points below which no lap is reported.
MIN_RETURN_FRAC = 0.2
#: Altitude bin [m of distance], grade base [m] and the shortest distance graded [m].
ALTITUDE_BIN_M = 50.0
GRADE_BASE_M = 500.0
MIN_GRADE_M = 2 * GRADE_BASE_M
#: Hysteresis of the roughness climb count [m].
ROUGHNESS_THRESHOLD_M = 3.0
#: Time bin of the speed features [s], speed below which a bin is not moving [m/s],
#: width of a heart-rate band [1/min].
SPEED_BIN_S = 30.0
MOVING_MPS = 1.0
HR_BAND_BPM = 5.0

_NAN = float("nan")


def empty_features() -> dict[str, float]:
    """All features NaN (a session without records)."""
    return dict.fromkeys(FEATURE_COLUMNS, _NAN)


def track_features(stream: pd.DataFrame) -> dict[str, float]:
    """Summaries of one session's stream that tell surfaces apart.

    Parameters
    ----------
    stream : pandas.DataFrame
        A streams table (:data:`runload.schema.STREAM_COLUMNS`); uses
        ``elapsed_s``, ``lat_deg``, ``lon_deg``, ``distance_m``,
        ``speed_mps``, ``altitude_m`` and ``hr_bpm``.

    Returns
    -------
    dict of str to float
        :data:`FEATURE_COLUMNS` (see the module docstring for each one's
        definition and unit); NaN where not computable.

    Examples
    --------
    >>> from runload.schema import stream_frame
    >>> lat = np.zeros(301)
    >>> lon = np.linspace(0.0, 0.027, 301)  # 3 km due east, one fix per 10 m
    >>> f = track_features(stream_frame(lat_deg=lat, lon_deg=lon,
    ...                                 elapsed_s=np.arange(301) * 3.0))
    >>> f["gps_fix_frac"], round(f["sinuosity"], 3), f["turn_density_per_km"]
    (1.0, 1.0, 0.0)
    >>> bool(np.isnan(f["track_lap_m"]))
    True
    """
    out = empty_features()
    n = len(stream)
    if n == 0:
        return out
    lat = stream["lat_deg"].to_numpy(dtype=float)
    lon = stream["lon_deg"].to_numpy(dtype=float)
    elapsed = stream["elapsed_s"].to_numpy(dtype=float)
    fix = ~(np.isnan(lat) | np.isnan(lon))
    n_fix = int(fix.sum())
    out["gps_fix_frac"] = n_fix / n
    path_m = np.full(n, np.nan)
    if n_fix >= 2:
        path_m = track_distance(lat, lon, elapsed_s=elapsed).cumulative_m
        path_m[~fix] = np.nan
        out.update(_geometry(lat[fix], lon[fix], path_m[fix]))
    distance = stream["distance_m"].to_numpy(dtype=float)
    if not np.any(np.isfinite(distance)) or np.nanmax(distance) < MIN_PATH_M:
        distance = path_m
    out.update(_altitude(distance, stream["altitude_m"].to_numpy(dtype=float)))
    out.update(_speed(elapsed, distance, stream["speed_mps"].to_numpy(dtype=float),
                      stream["hr_bpm"].to_numpy(dtype=float)))
    return out


def _geometry(lat: np.ndarray, lon: np.ndarray, path_m: np.ndarray) -> dict[str, float]:
    """Features of the GPS path (fixes only, ``path_m`` its cumulative length)."""
    out: dict[str, float] = {}
    # The box of the central 98 % of fixes in each axis: one stray fix does not count.
    lat_lo, lat_hi = np.quantile(lat, BBOX_QUANTILES)
    lon_lo, lon_hi = np.quantile(lon, BBOX_QUANTILES)
    out["track_bbox_diag_m"] = float(haversine_m(lat_lo, lon_lo, lat_hi, lon_hi))
    total = path_m[-1]
    if not MIN_PATH_M <= total <= MAX_SPAN_M:
        return out
    lat0 = np.radians(0.5 * (lat_lo + lat_hi))
    x = np.radians(lon - lon.mean()) * EARTH_RADIUS_M * np.cos(lat0)
    y = np.radians(lat - lat.mean()) * EARTH_RADIUS_M
    # Keep one point per distinct path position: np.interp needs increasing abscissae.
    keep = np.concatenate(([True], np.diff(path_m) > 0))
    grid = np.arange(0.0, total, STEP_M)
    gx = np.interp(grid, path_m[keep], x[keep])
    gy = np.interp(grid, path_m[keep], y[keep])
    km = (len(grid) - 1) * STEP_M / 1000.0

    heading = np.arctan2(np.diff(gy), np.diff(gx))
    turn = _wrap(np.diff(heading))
    # Net rotation per block of TURN_BLOCK_M, its sign dropped: laps run one way and
    # then the other (as on fsy__470140731.fit) still count, a U-turn cancels.
    block = np.arange(len(turn)) // int(round(TURN_BLOCK_M / STEP_M))
    net = np.abs(np.bincount(block, weights=turn)).sum()
    out["track_turns_per_km"] = float(net / (2 * np.pi) / km)

    w = int(round(SINUOSITY_WINDOW_M / STEP_M))
    if len(grid) > w:
        chord = np.hypot(gx[w:] - gx[:-w], gy[w:] - gy[:-w])
        with np.errstate(divide="ignore"):
            out["sinuosity"] = float(np.median(SINUOSITY_WINDOW_M / chord))

    s = int(round(TURN_SEGMENT_M / STEP_M))
    if len(grid) > 2 * s:
        seg = np.arctan2(gy[s:] - gy[:-s], gx[s:] - gx[:-s])
        is_turn = np.abs(_wrap(seg[s:] - seg[:-s])) > np.radians(TURN_DEG)
        starts = np.count_nonzero(is_turn[1:] & ~is_turn[:-1]) + int(is_turn[:1].sum())
        out["turn_density_per_km"] = float(starts / km)

    lap, frac = _lap(gx, gy)
    out["track_lap_m"], out["track_return_frac"] = lap, frac
    return out


def _wrap(angle: np.ndarray) -> np.ndarray:
    """Angles wrapped to [-pi, pi) [rad]."""
    return (angle + np.pi) % (2 * np.pi) - np.pi


def _lap(gx: np.ndarray, gy: np.ndarray) -> tuple[float, float]:
    """(lap length [m], share of points returning at that lag) by closest returns."""
    n = len(gx)
    k_lo = int(LAP_RANGE_M[0] / STEP_M)
    k_hi = min(int(LAP_RANGE_M[1] / STEP_M), n // 2)
    if k_hi < k_lo:
        return _NAN, 0.0
    # Origins every LAP_ORIGIN_STEP_M: the share is a sample mean, and a fifth of the
    # pairs keeps the search under a millisecond for a marathon.
    origins = np.arange(0, n - k_lo, int(LAP_ORIGIN_STEP_M / STEP_M))
    if len(origins) > MAX_LAP_ORIGINS:
        origins = origins[np.linspace(0, len(origins) - 1, MAX_LAP_ORIGINS).astype(np.int64)]
    lags = np.arange(k_lo, k_hi + 1)
    ahead = origins[:, None] + lags[None, :]
    inside = ahead < n
    ahead = np.minimum(ahead, n - 1)
    dx = gx[ahead] - gx[origins, None]
    dy = gy[ahead] - gy[origins, None]
    d2 = np.minimum(dx * dx + dy * dy, RETURN_RADIUS_M**2)
    near = (d2 < RETURN_RADIUS_M**2) & inside
    n_inside = np.maximum(inside.sum(axis=0), 1)
    frac = near.sum(axis=0) / n_inside
    best = float(frac.max())
    if best < MIN_RETURN_FRAC:
        return _NAN, best
    # The first peak (lags within 90 % of the best share; later peaks are multiples of
    # the lap), and in it the lag whose returns come closest: with a 20 m radius the
    # lags 20 m either side of the lap also return.
    peak = frac >= 0.9 * best
    j0 = int(np.flatnonzero(peak)[0])
    after = np.flatnonzero(~peak[j0:])
    j1 = j0 + int(after[0]) if len(after) else len(lags)
    spread = np.where(inside, d2, 0.0).sum(axis=0) / n_inside
    j = j0 + int(np.argmin(spread[j0:j1]))
    return float(lags[j] * STEP_M), float(frac[j])


def _altitude(distance: np.ndarray, altitude: np.ndarray) -> dict[str, float]:
    """Grade spread and roughness from altitude averaged in distance bins."""
    ok = np.isfinite(distance) & np.isfinite(altitude)
    if ok.sum() < 2:
        return {}
    d, h = distance[ok], altitude[ok]
    d = d - d.min()
    if not MIN_GRADE_M <= d.max() <= MAX_SPAN_M:
        return {}
    b = (d // ALTITUDE_BIN_M).astype(np.int64)
    counts = np.bincount(b)
    sums = np.bincount(b, weights=h)
    filled = counts > 0
    idx = np.arange(len(counts))
    # Empty bins (a fast stretch between sparse records) take the line between neighbours.
    h_bin = np.interp(idx, idx[filled], sums[filled] / counts[filled])
    g = int(round(GRADE_BASE_M / ALTITUDE_BIN_M))
    grade = (h_bin[g:] - h_bin[:-g]) / GRADE_BASE_M
    ascent, descent = ascent_descent_m(h_bin, threshold_m=ROUGHNESS_THRESHOLD_M)
    return {"grade_std_frac": float(np.std(grade)),
            "elev_roughness_m_per_km": (ascent + descent) / (len(h_bin) * ALTITUDE_BIN_M / 1000)}


def _speed(elapsed: np.ndarray, distance: np.ndarray, speed: np.ndarray,
           hr: np.ndarray) -> dict[str, float]:
    """Speed variation over 30 s bins, overall and within heart-rate bands."""
    ok = np.isfinite(elapsed)
    use_distance = bool(np.any(np.isfinite(distance[ok])))
    ok &= np.isfinite(distance) if use_distance else np.isfinite(speed)
    if ok.sum() < 2:
        return {}
    # Files with times out of order exist (a negative step at the start): sort them.
    order = np.argsort(elapsed[ok], kind="stable")
    t = elapsed[ok][order]
    # Number the occupied bins only: empty bins would have no speed (not moving) and no
    # heart rate, and a clock jump of years must not allocate a bin per 30 s.
    _, b = np.unique((t - t[0]) // SPEED_BIN_S, return_inverse=True)
    b = b.reshape(-1)
    n_bins = int(b[-1]) + 1
    if use_distance:
        d = distance[ok][order]
        first = np.flatnonzero(np.concatenate(([True], np.diff(b) > 0)))
        # Each bin's distance runs to the first record of the next bin: no step is lost.
        end = np.concatenate((first[1:], [len(t) - 1]))
        dt = t[end] - t[first]
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.where(dt > 0, (d[end] - d[first]) / dt, np.nan)
        bins = b[first]
    else:
        count = np.bincount(b, minlength=n_bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.bincount(b, weights=speed[ok][order], minlength=n_bins) / count
        bins = np.arange(n_bins)
    with np.errstate(invalid="ignore"):
        moving = v > MOVING_MPS
    if moving.sum() < 3:
        return {}
    vm = v[moving]
    out = {"speed_cv": float(vm.std() / vm.mean())}
    h = hr[ok][order]
    with np.errstate(invalid="ignore"):
        has_hr = h > 0
    if has_hr.sum() < 3:
        return out
    n_hr = np.bincount(b[has_hr], minlength=n_bins)
    hr_bin = np.bincount(b[has_hr], weights=h[has_hr], minlength=n_bins) / np.maximum(n_hr, 1)
    with_hr = n_hr[bins[moving]] > 0
    # Band numbers of the bands present (as for the bins: no band per 5/min up to
    # whatever a broken heart-rate value says).
    _, band = np.unique(np.floor(hr_bin[bins[moving]][with_hr] / HR_BAND_BPM),
                        return_inverse=True)
    band = band.reshape(-1)
    if len(band) < 3:
        return out
    vv = vm[with_hr]
    count = np.bincount(band)
    shared = count[band] >= 2
    n_bands = int(np.count_nonzero(count >= 2))
    if shared.sum() - n_bands >= 2:
        mean = np.bincount(band, weights=vv) / np.maximum(count, 1)
        resid = vv[shared] / mean[band[shared]] - 1.0
        out["speed_cv_same_hr"] = float(np.sqrt(np.sum(resid**2) / (shared.sum() - n_bands)))
    return out
