#!/usr/bin/env python
"""Make runload's sample data: a synthetic runner and a coach's roster, byte for byte from a seed.

Run from the repository root::

    python tools/make_sample_data.py                  # writes sample_data/
    python tools/make_sample_data.py --out /tmp/s --seed 7

or from Python: ``build(out_dir, seed)`` returns the files written.

What it writes
--------------
``runner/``
    One runner in Berlin, 2026-02-02 to 2026-11-15 (Europe/Berlin, so both
    daylight-saving changes fall inside), as the runner's own exports hold
    them: ``garmin_export.zip`` (Garmin "Export Your Data": nested
    ``UploadedFiles_0-_Part*.zip`` of ``<user>_<number>.fit`` members, monitoring
    and settings FIT files, a ``summarizedActivities.json``, wellness JSON,
    one FIT file cut short) and ``strava/`` (a Strava bulk export:
    ``activities.csv`` with GPX, ``.gpx.gz`` and ``.tcx.gz`` files, some of them
    copies of watch runs, some runs only the phone recorded).
``runner_pain.csv``
    The same runner's pain journal (``date,region,severity,timing,note``, one
    line per rating), beside the export folder rather than in it (``runner/``
    is what an import reads): low ratings that start nothing, and four
    episodes a few days after planned events (the half marathon, the Harz
    descents, the too-fast return) or after none (one still open at the end).
``roster/``
    ``roster.toml`` and three athletes of 8-11 weeks for the coach page: Ana
    (Madrid, a watch's USB folder, steady), Ben (New York, a Strava export
    zip, shown in miles, a big week and a long-run spike, one run titled
    with an HTML script tag, and a pain journal ``ben_pain.csv`` with a knee
    episode open in the week of the spike) and Chloé (Paris, a zip of FIT
    files without local time, back from a three-week break too fast).
``index.toml``
    What each sample is there to show: its events with their dates, the
    flags they should raise, and the counts an import should find.

How the runs are made
---------------------
Every run is planned (date, local start, kind, distance, place) and then
simulated on a 5 s grid ("smart recording"): a route (a loop or an
out-and-back from home, laps of a 400 m track, winding trail loops) on a
smooth random terrain (a sum of plane waves: a few metres in Berlin, 50 m
in the Harz); a speed from the runner's easy pace (which improves over the
year and drops after the break), the workout's segments, the grade and slow
noise; heart rate from the effort (speed times the energy cost of the
grade, heat, drift, race day) through a 40 s lag; cadence from the speed
(walking on the steepest climbs); the device temperature from the
air temperature of that place, day and hour (a season, a day-night swing, a
random weather anomaly, and a planned heat wave) plus the wrist's warmth;
GPS noise on the positions; auto-laps every kilometre; traffic-light stops
as pauses.  Treadmill runs have no position and a watch distance 3 %
short of the belt's.

Reproducibility
---------------
Each run draws from its own ``numpy.random.Generator`` seeded with
``(seed, stream, index)``: changing one run's plan leaves the records of the
others alone (inserting a run shifts the seeds of the runs after it).
Archives are written with fixed member times (``ZIP_DATE_TIME``), sorted
members, fixed attributes and compression level; gzip with ``mtime=0`` and
no file name; JSON, CSV, XML and TOML by hand in a fixed order; FIT
``time_created`` is the run's start.  Nothing depends on the clock or the
machine (except zlib's output, the same for one zlib build).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import math
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

import numpy as np

from runload.readers.fit_writer import (
    FIT_EPOCH,
    SyntheticActivity,
    write_fit,
    write_other_fit,
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "sample_data"
DEFAULT_SEED = 20260202
#: Seconds between records ("smart recording").
RECORD_S = 5.0
#: Modification time of every archive member.
ZIP_DATE_TIME = (2026, 11, 16, 8, 0, 0)
#: Outputs a build owns inside ``out_dir`` (removed and written again).
OUTPUTS = ("index.toml", "runner", "runner_pain.csv", "roster")
#: FIT numbers.
SUB_GENERIC, SUB_TREADMILL, SUB_TRAIL, SUB_TRACK = 0, 1, 3, 4
GARMIN, SUUNTO = 1, 23
FILE_SETTINGS, FILE_MONITORING_B = 2, 32
#: Strava's CSV header: the first 37 columns of a current English export (two
#: "Elapsed Time", "Distance" and "Max Heart Rate" columns: display, then detail).
STRAVA_HEADER = (
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description",
    "Elapsed Time", "Distance", "Max Heart Rate", "Relative Effort", "Commute",
    "Activity Private Note", "Activity Gear", "Filename", "Athlete Weight", "Bike Weight",
    "Elapsed Time", "Moving Time", "Distance", "Max Speed", "Average Speed", "Elevation Gain",
    "Elevation Loss", "Elevation Low", "Elevation High", "Max Grade", "Average Grade",
    "Average Positive Grade", "Average Negative Grade", "Max Cadence", "Average Cadence",
    "Max Heart Rate", "Average Heart Rate", "Max Watts", "Average Watts", "Calories",
    "Max Temperature", "Average Temperature")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# ---------------------------------------------------------------------------
# places, terrain, weather


@dataclass(frozen=True)
class Place:
    """Where runs start, the terrain around it and its climate.

    ``relief_m`` is the standard deviation of the terrain around ``base_m``,
    made of plane waves with wavelengths in ``wavelength_m``; the air
    temperature is ``mean_c - swing_c * cos(2 pi (doy - 20) / 365.25)`` plus a
    day-night swing of +-4.5 degC peaking at 15:00 and a weather anomaly.
    """

    key: int
    label: str
    zone: str
    lat: float
    lon: float
    base_m: float
    relief_m: float
    wavelength_m: tuple[float, float]
    mean_c: float
    swing_c: float


PLACES: dict[str, Place] = {
    # Volkspark Friedrichshain and around: flat, a few metres of rise and fall.
    "berlin": Place(1, "Berlin", "Europe/Berlin", 52.5277, 13.4330, 45.0, 2.0,
                    (800.0, 4000.0), 10.0, 10.0),
    # Friedrich-Ludwig-Jahn-Sportpark, a 400 m track.
    "track": Place(2, "Berlin", "Europe/Berlin", 52.5431, 13.4049, 42.0, 0.0,
                   (800.0, 4000.0), 10.0, 10.0),
    # Schierke under the Brocken: forest trails, 50 m of relief (30-60 m of climb per km).
    "harz": Place(3, "Schierke", "Europe/Berlin", 51.7656, 10.6636, 720.0, 50.0,
                  (1500.0, 5000.0), 7.5, 8.5),
    # Retiro park.
    "madrid": Place(4, "Madrid", "Europe/Madrid", 40.4153, -3.6845, 660.0, 5.0,
                    (800.0, 4000.0), 15.5, 10.5),
    # Central Park.
    "new_york": Place(5, "New York", "America/New_York", 40.7812, -73.9665, 35.0, 6.0,
                      (800.0, 4000.0), 13.0, 12.0),
    # Jardin du Luxembourg and the Seine.
    "paris": Place(6, "Paris", "Europe/Paris", 48.8462, 2.3372, 45.0, 4.0,
                   (800.0, 4000.0), 12.5, 8.0),
}


class Terrain:
    """A smooth random altitude field around a place: a sum of 24 plane waves.

    Amplitudes grow with the wavelength, so every scale adds about the same
    slope; the sum has standard deviation ``place.relief_m``.
    """

    def __init__(self, place: Place, seed: int) -> None:
        rng = np.random.default_rng([seed, 99, place.key])
        lo, hi = place.wavelength_m
        waves = 24
        wavelength = np.exp(rng.uniform(math.log(lo), math.log(hi), waves))
        angle = rng.uniform(0.0, 2 * math.pi, waves)
        self.kx = 2 * math.pi * np.cos(angle) / wavelength
        self.ky = 2 * math.pi * np.sin(angle) / wavelength
        self.phase = rng.uniform(0.0, 2 * math.pi, waves)
        self.amplitude = place.relief_m * wavelength / math.sqrt(np.sum(wavelength**2) / 2)
        self.base = place.base_m

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Altitude [m] at points ``x`` east, ``y`` north of the place [m]."""
        waves = np.cos(np.outer(x, self.kx) + np.outer(y, self.ky) + self.phase)
        return self.base + waves @ self.amplitude


class Weather:
    """Air temperature of a place: season, day and night, and a daily anomaly.

    The anomaly is a random walk pulled back to 0 (AR(1), 2.5 degC), clipped to
    -6..+2 degC so that only planned heat waves (``heat_days``: the anomaly of
    those days) make a run hot.
    """

    def __init__(self, place: Place, seed: int, heat_days: dict[date, float]) -> None:
        rng = np.random.default_rng([seed, 98, place.key])
        self.first = date(2026, 1, 1)
        days = 400
        shocks = rng.normal(0.0, 2.5 * math.sqrt(1 - 0.7**2), days)
        anomaly = np.empty(days)
        anomaly[0] = shocks[0]
        for i in range(1, days):
            anomaly[i] = 0.7 * anomaly[i - 1] + shocks[i]
        self.anomaly = np.clip(anomaly, -6.0, 2.0)
        self.place = place
        self.heat_days = heat_days

    def air_c(self, local: datetime) -> float:
        """Air temperature at a local wall-clock time [degC]."""
        day = local.date()
        doy = day.timetuple().tm_yday
        hour = local.hour + local.minute / 60
        season = self.place.mean_c - self.place.swing_c * math.cos(
            2 * math.pi * (doy - 20) / 365.25)
        daily = 4.5 * math.cos(2 * math.pi * (hour - 15) / 24)
        anomaly = self.heat_days.get(day, float(self.anomaly[(day - self.first).days]))
        return season + daily + anomaly


def to_lat_lon(place: Place, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local plane [m] -> degrees (equirectangular around the place)."""
    lat = place.lat + y / 111_320.0
    lon = place.lon + x / (111_320.0 * math.cos(math.radians(place.lat)))
    return lat, lon


# ---------------------------------------------------------------------------
# routes: (x, y) every metre of path


def _by_length(points: np.ndarray, length: float) -> np.ndarray:
    """A polyline resampled every metre of its length, scaled to ``length`` [m]; (n, 2)."""
    step = np.hypot(*np.diff(points, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(step)])
    points = points * (length / along[-1])
    along *= length / along[-1]
    grid = np.arange(0.0, length + 1.0)
    grid[-1] = min(grid[-1], length)
    return np.column_stack([np.interp(grid, along, points[:, 0]),
                            np.interp(grid, along, points[:, 1])])


def loop_route(rng: np.random.Generator, length: float, *, wiggle: float = 0.12,
               modes: int = 4, start: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """A closed loop of ``length`` metres through ``start``: a wobbly, stretched circle."""
    theta = np.linspace(0.0, 2 * math.pi, 1441)
    radius = np.ones_like(theta)
    for k in range(2, modes + 2):
        radius += rng.uniform(0.0, wiggle) / (k - 1) * np.cos(k * theta
                                                              + rng.uniform(0, 2 * math.pi))
    points = np.column_stack([radius * np.cos(theta),
                              rng.uniform(0.55, 1.0) * radius * np.sin(theta)])
    turn = rng.uniform(0.0, 2 * math.pi)
    rotation = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
    points = points @ rotation.T
    if rng.random() < 0.5:
        points = points[::-1]
    route = _by_length(points, length)
    return route - route[0] + np.asarray(start)


def out_and_back_route(rng: np.random.Generator, length: float, *,
                       start: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Out along a gently bending path and back on its other side (4 m over)."""
    half = length / 2
    s = np.arange(0.0, half + 1.0)
    heading = rng.uniform(0.0, 2 * math.pi) + sum(
        rng.uniform(0.2, 0.6) * np.sin(2 * math.pi * s / rng.uniform(400, 2000)
                                      + rng.uniform(0, 2 * math.pi)) for _ in range(3))
    out = np.column_stack([np.cumsum(np.sin(heading)), np.cumsum(np.cos(heading))])
    normal = np.column_stack([np.cos(heading), -np.sin(heading)])[::-1]
    back = out[::-1] + 4.0 * normal
    route = _by_length(np.vstack([out, back]), length)
    return route - route[0] + np.asarray(start)


def track_route(length: float, *, turn: float = 0.3) -> np.ndarray:
    """Laps of a 400 m track, lane 1, anticlockwise, from the start of the home straight."""
    straight, radius = 84.39, 36.80  # 2 * 84.39 + 2 pi 36.80 = 400.0 m
    s = np.arange(0.0, 400.0, 0.5)
    x, y = np.empty_like(s), np.empty_like(s)
    bend = math.pi * radius
    for i, d in enumerate(s):
        if d < straight:                                  # home straight, eastwards
            x[i], y[i] = d - straight / 2, -radius
        elif d < straight + bend:                         # east bend
            a = (d - straight) / radius - math.pi / 2
            x[i], y[i] = straight / 2 + radius * math.cos(a), radius * math.sin(a)
        elif d < 2 * straight + bend:                     # back straight, westwards
            x[i], y[i] = straight / 2 - (d - straight - bend), radius
        else:                                             # west bend
            a = (d - 2 * straight - bend) / radius + math.pi / 2
            x[i], y[i] = -straight / 2 + radius * math.cos(a), radius * math.sin(a)
    laps = int(length // 400.0) + 2
    points = np.column_stack([np.tile(x, laps), np.tile(y, laps)])
    grid = np.arange(0.0, length + 1.0)
    grid[-1] = min(grid[-1], length)
    along = np.arange(len(points)) * 0.5
    route = np.column_stack([np.interp(grid, along, points[:, 0]),
                             np.interp(grid, along, points[:, 1])])
    rotation = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
    return route @ rotation.T


# ---------------------------------------------------------------------------
# the plan of a run and its simulation


@dataclass
class Plan:
    """One planned run.

    ``kind``: easy, recovery, long, tempo, track (intervals), race, trail,
    streak, treadmill.  ``km``: distance [km].  ``route``: loop, out_back,
    track, trail or none (indoors).  ``record``: 'watch' (a FIT file in the
    Garmin export, and a summary entry) or 'phone' (on Strava only).
    ``copies``: its files in the Strava export ('strava_gpx', 'strava_gpx_gz',
    'strava_tcx_gz'): copies of a watch run, or a phone run's only file.
    ``corrupt``: the watch's FIT file is cut short.  ``name`` and
    ``description``: the Strava title (default: Strava's automatic one) and text.
    """

    local_start: datetime
    kind: str
    km: float
    place: str = "berlin"
    route: str = "loop"
    sub_sport: int = SUB_GENERIC
    record: str = "watch"
    copies: tuple[str, ...] = ()
    corrupt: bool = False
    name: str = ""
    description: str = ""


@dataclass
class Run:
    """A simulated run: the plan, its UTC start and offset, and its records."""

    plan: Plan
    index: int
    start_utc: datetime
    utc_offset_s: int
    records: dict[str, np.ndarray]
    laps: list[tuple[int, int]]
    timer_s: float
    elapsed_s: float
    air_c: float

    @property
    def distance_m(self) -> float:
        return float(self.records["distance_m"][-1])

    @property
    def has_gps(self) -> bool:
        return "lat_deg" in self.records

    def stat(self, key: str, how: Callable[[np.ndarray], Any]) -> float:
        values = self.records.get(key)
        if values is None:
            return math.nan
        values = values[np.isfinite(values)]
        return float(how(values)) if len(values) else math.nan

    def times_utc(self) -> list[datetime]:
        start = self.start_utc.replace(microsecond=0)
        return [start + timedelta(seconds=float(t)) for t in self.records["elapsed_s"]]


@dataclass(frozen=True)
class Athlete:
    """Physiology of one runner: easy pace over the season and heart rate."""

    easy_mps: Callable[[date], float]
    hr_base_bpm: float = 60.0
    hr_per_mps: float = 27.0
    hr_max_bpm: float = 192.0


def _ar1(rng: np.random.Generator, n: int, phi: float, sigma: float) -> np.ndarray:
    """AR(1) noise of stationary standard deviation ``sigma``."""
    shocks = rng.normal(0.0, sigma * math.sqrt(1 - phi**2), n)
    out = np.empty(n)
    level = rng.normal(0.0, sigma)
    for i in range(n):
        level = phi * level + shocks[i]
        out[i] = level
    return out


def _lag(signal: np.ndarray, start: float, tau_s: float, dt: float) -> np.ndarray:
    """First-order lag of ``signal`` (time constant ``tau_s``) starting from ``start``."""
    alpha = 1.0 - math.exp(-dt / tau_s)
    out = np.empty_like(signal)
    level = start
    for i, value in enumerate(signal):
        level += alpha * (value - level)
        out[i] = level
    return out


def _segments(plan: Plan, total_m: float) -> list[tuple[float, float]]:
    """(end [m], pace factor) of the workout's parts, on the easy pace."""
    if plan.kind == "tempo":
        block = min(8000.0, max(3000.0, total_m - 4000.0))
        return [(2000.0, 1.0), (2000.0 + block, 1.22), (total_m, 0.97)]
    if plan.kind == "track":
        out, at = [(2400.0, 0.98)], 2400.0
        while at + 1200.0 <= total_m - 1600.0:
            out += [(at + 800.0, 1.38), (at + 1200.0, 0.75)]
            at += 1200.0
        return [*out, (total_m, 0.95)]
    factor = {"recovery": 0.93, "long": 0.96, "race": 1.17, "trail": 0.95,
              "streak": 0.98}.get(plan.kind, 1.0)
    return [(total_m, factor)]


def simulate(plan: Plan, index: int, athlete: Athlete, weather: Weather, terrain: Terrain,
             rng: np.random.Generator) -> Run:
    """Records of one planned run on the :data:`RECORD_S` grid."""
    place = PLACES[plan.place]
    zone = ZoneInfo(place.zone)
    local = plan.local_start.replace(tzinfo=zone)
    start_utc = local.astimezone(UTC)
    offset = int(local.utcoffset().total_seconds())  # type: ignore[union-attr]
    total_m = plan.km * 1000.0
    indoor = plan.route == "none"

    # The path and its altitude, every metre.
    if plan.route == "loop":
        path = loop_route(rng, total_m)
    elif plan.route == "out_back":
        path = out_and_back_route(rng, total_m)
    elif plan.route == "trail":
        path = loop_route(rng, total_m, wiggle=0.3, modes=7,
                          start=(rng.uniform(-800, 800), rng.uniform(-800, 800)))
    elif plan.route == "track":
        path = track_route(total_m, turn=0.3)
    else:
        path = np.zeros((int(total_m) + 1, 2))
    altitude = (np.full(len(path), 0.0) if indoor else terrain(path[:, 0], path[:, 1]))
    smooth = np.convolve(np.pad(altitude, 10, mode="edge"), np.ones(21) / 21, mode="valid")
    grade_path = np.gradient(smooth)
    if indoor:
        grade_path[:] = 0.01  # the treadmill at 1 %

    # Speed: easy pace of the day x workout part x grade x slow noise x start-up.
    easy = athlete.easy_mps(plan.local_start.date())
    day_form = rng.uniform(0.97, 1.03)
    if not indoor:  # on a treadmill the belt sets the pace
        easy *= day_form
    parts = _segments(plan, total_m)
    ends = np.array([end for end, _ in parts])
    factors = np.array([f for _, f in parts])
    n_max = int(total_m / (0.35 * easy) / RECORD_S) + 20
    t = np.arange(n_max) * RECORD_S
    noise = np.exp(_ar1(rng, n_max, 0.9, 0.035))
    ramp = np.minimum(1.0, 0.75 + 0.25 * t / 90.0)
    uphill_k = 4.5 if plan.kind == "trail" else 3.0
    s = easy * t
    for _ in range(6):
        where = np.clip(s, 0, total_m).astype(int)
        grade = grade_path[where]
        factor = factors[np.minimum(np.searchsorted(ends, s, side="right"), len(ends) - 1)]
        uphill = np.exp(-uphill_k * np.maximum(grade, 0.0))
        downhill = 1.0 + 1.5 * np.minimum(-np.minimum(grade, 0.0), 0.08) \
            - 2.0 * np.maximum(-grade - 0.08, 0.0)
        fade = 1.0 - (0.04 if plan.kind in ("long", "race") else 0.0) * (s / total_m) ** 2
        v = easy * factor * uphill * downhill * noise * ramp * fade
        v = np.maximum(v, 1.15)  # power hiking up the steepest bits
        if indoor:  # a belt: the runner sets a speed and changes it now and then
            v = np.round(easy * factor * 3.6 * 2) / 2 / 3.6 * np.ones(n_max)
            v[t > 600] *= 1.02
            v *= 1.0 + 0.004 * np.sin(t / 40.0)
        s = np.concatenate([[0.0], np.cumsum(v[:-1] * RECORD_S)])
    n = int(np.searchsorted(s, total_m, side="right"))
    s, v, t, grade = s[:n], v[:n], t[:n], grade[:n]
    last_t = t[-1] + math.ceil((total_m - s[-1]) / v[-1])
    s = np.append(s, total_m)
    t = np.append(t, last_t)
    v = np.append(v, v[-1])
    grade = np.append(grade, grade[-1])
    n += 1

    # Heart rate: effort (the flat speed of the same energy cost: +7 % per 1 % up, -2.5 %
    # per 1 % down to -10 %, then dearer again), heat, drift, race day and rough ground;
    # a 40 s lag.
    air = weather.air_c(plan.local_start) if not indoor else 20.0 + rng.uniform(-1, 2)
    cost = np.where(grade > 0, 1.0 + 7.0 * grade,
                    np.maximum(1.0 + 2.5 * np.maximum(grade, -0.1), 0.75)
                    + 2.0 * np.maximum(-grade - 0.1, 0.0))
    effort = v * cost
    heat = 0.9 * max(air - 20.0, 0.0)
    drift = (9.0 if plan.kind == "race" else 5.0) * t / 3600.0
    extra = {"race": 8.0, "trail": 4.0}.get(plan.kind, 0.0)
    target = athlete.hr_base_bpm + athlete.hr_per_mps * effort + heat + drift + extra
    hr = _lag(target, 95.0, 40.0, RECORD_S) + _ar1(rng, n, 0.8, 1.5)
    hr = np.rint(np.clip(hr, 90.0, athlete.hr_max_bpm))
    if rng.random() < 0.04:  # a strap dropout
        at = int(rng.integers(0, max(1, n - 30)))
        hr[at:at + int(rng.integers(6, 24))] = np.nan
    cadence = np.where(v < 1.9, 100.0 + 10.0 * v, 132.0 + 13.0 * v)
    cadence = np.clip(cadence + rng.normal(0.0, 1.2, n), 100.0, 196.0)
    cadence = 2.0 * np.round(cadence / 2.0)  # whole strides per minute of one leg

    # Device temperature: from the room towards the air plus the wrist's warmth.
    skin = 3.0 if not indoor else 5.0
    temperature = np.rint(_lag(np.full(n, air + skin), 23.0, 300.0, RECORD_S))

    # Pauses: traffic lights on some road runs (no records while paused).
    elapsed = t.copy()
    if plan.route in ("loop", "out_back") and plan.kind != "race" and rng.random() < 0.35:
        for at in sorted(rng.integers(n // 5, 4 * n // 5, size=int(rng.integers(1, 3)))):
            elapsed[at:] += float(rng.integers(15, 75))

    records: dict[str, np.ndarray] = {
        "elapsed_s": elapsed, "distance_m": np.round(s, 2), "speed_mps": np.round(v, 3),
        "hr_bpm": hr, "cadence_spm": cadence, "temperature_c": temperature}
    if indoor:  # the wrist's guess of distance and speed, 3 % short of the belt's
        records["distance_m"] = np.round(s * 0.97, 2)
        records["speed_mps"] = np.round(v * 0.97, 3)
    else:
        where = np.clip(s, 0, total_m)
        x = np.interp(where, np.arange(len(path)), path[:, 0]) + _ar1(rng, n, 0.95, 1.5)
        y = np.interp(where, np.arange(len(path)), path[:, 1]) + _ar1(rng, n, 0.95, 1.5)
        lat, lon = to_lat_lon(place, x, y)
        records["lat_deg"], records["lon_deg"] = lat, lon
        records["altitude_m"] = np.round(np.interp(where, np.arange(len(path)), altitude)
                                         + _ar1(rng, n, 0.97, 0.3), 1)
    km = np.floor(records["distance_m"] / 1000.0).astype(int)
    edges = [0, *(np.flatnonzero(np.diff(km)) + 1).tolist(), n]
    laps = [(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]
    return Run(plan=plan, index=index, start_utc=start_utc, utc_offset_s=offset,
               records=records, laps=laps, timer_s=float(t[-1]),
               elapsed_s=float(elapsed[-1]), air_c=air)


# ---------------------------------------------------------------------------
# file formats


def fit_bytes(run: Run, *, serial: int, manufacturer: int = GARMIN, product: int = 3113,
              local_time: bool = True, compressed: bool = False) -> bytes:
    """The run as its watch writes it (FIT, with local_timestamp unless ``local_time`` is off).

    ``compressed`` writes compressed-timestamp record headers, as older watches do.
    """
    return write_fit(SyntheticActivity(
        start_utc=run.start_utc, sport=1, sub_sport=run.plan.sub_sport,
        utc_offset_s=run.utc_offset_s if local_time else None, manufacturer=manufacturer,
        product=product, serial_number=serial, records=run.records, laps=run.laps,
        timer_s=run.timer_s), compressed_timestamps=compressed)


def _iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def strava_title(run: Run) -> str:
    """Strava's automatic title from the local hour."""
    if run.plan.name:
        return run.plan.name
    hour = run.plan.local_start.hour
    part = ("Night" if hour < 5 else "Morning" if hour < 11 else "Lunch" if hour < 14
            else "Afternoon" if hour < 17 else "Evening" if hour < 21 else "Night")
    return f"{part} Run"


def gpx_bytes(run: Run, *, creator: str, name: str, atemp: bool = True) -> bytes:
    """The run as Strava exports GPX 1.1: Garmin TrackPointExtension atemp, hr and cad (one leg).

    ``atemp`` (the device temperature) only from a watch: a phone measures none.
    """
    r = run.records
    times = run.times_utc()
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<gpx creator={quoteattr(creator)} '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 '
        'http://www.topografix.com/GPX/1/1/gpx.xsd '
        'http://www.garmin.com/xmlschemas/GpxExtensions/v3 '
        'http://www.garmin.com/xmlschemas/GpxExtensionsv3.xsd '
        'http://www.garmin.com/xmlschemas/TrackPointExtension/v1 '
        'http://www.garmin.com/xmlschemas/TrackPointExtensionv1.xsd" version="1.1" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" '
        'xmlns:gpxx="http://www.garmin.com/xmlschemas/GpxExtensions/v3">\n'
        f" <metadata>\n  <time>{_iso_z(times[0])}</time>\n </metadata>\n"
        f" <trk>\n  <name>{escape(name)}</name>\n  <type>running</type>\n  <trkseg>\n")
    parts = [head]
    cadence = np.rint(r["cadence_spm"] / 2).astype(int)
    for i, moment in enumerate(times):
        hr = r["hr_bpm"][i]
        ext = f"<gpxtpx:atemp>{int(r['temperature_c'][i])}</gpxtpx:atemp>" if atemp else ""
        if np.isfinite(hr):
            ext += f"<gpxtpx:hr>{int(hr)}</gpxtpx:hr>"
        ext += f"<gpxtpx:cad>{cadence[i]}</gpxtpx:cad>"
        parts.append(
            f'   <trkpt lat="{r["lat_deg"][i]:.7f}" lon="{r["lon_deg"][i]:.7f}">'
            f"<ele>{r['altitude_m'][i]:.1f}</ele><time>{_iso_z(moment)}</time>"
            f"<extensions><gpxtpx:TrackPointExtension>{ext}</gpxtpx:TrackPointExtension>"
            "</extensions></trkpt>\n")
    parts.append("  </trkseg>\n </trk>\n</gpx>\n")
    return "".join(parts).encode("utf-8")


def route_gpx_bytes(place: Place, rng: np.random.Generator, name: str) -> bytes:
    """A planned route (Strava ``routes/``): points without times, not an activity."""
    path = loop_route(rng, 8000.0)[::200]
    lat, lon = to_lat_lon(place, path[:, 0], path[:, 1])
    points = "".join(f'   <rtept lat="{a:.6f}" lon="{b:.6f}"/>\n'
                     for a, b in zip(lat, lon, strict=True))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<gpx creator="StravaGPX" version="1.1" xmlns="http://www.topografix.com/GPX/1/1">\n'
            f" <rte>\n  <name>{escape(name)}</name>\n{points} </rte>\n</gpx>\n").encode()


def tcx_bytes(run: Run, *, creator: str, leading_spaces: int = 0) -> bytes:
    """The run as TCX v2 with one lap per km, TPX speed and run cadence (one leg).

    Strava writes its TCX with spaces before the XML declaration
    (``leading_spaces``), which strict XML parsers refuse.
    """
    r = run.records
    times = run.times_utc()
    parts = [
        " " * leading_spaces + '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xsi:schemaLocation="http://www.garmin.com/xmlschemas/'
        'TrainingCenterDatabase/v2 http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd" '
        'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2" '
        'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        ' <Activities>\n  <Activity Sport="Running">\n'
        f"   <Id>{_iso_z(times[0])}</Id>\n"]
    cadence = np.rint(r["cadence_spm"] / 2).astype(int)
    for lo, hi in run.laps:
        lap_start = times[lo]
        end = min(hi, len(times) - 1)
        seconds = float(r["elapsed_s"][end] - r["elapsed_s"][lo]) if lo else \
            float(r["elapsed_s"][end])
        distance = float(r["distance_m"][end] - (r["distance_m"][lo] if lo else 0.0))
        hr = r["hr_bpm"][lo:hi]
        hr = hr[np.isfinite(hr)]
        parts.append(
            f'   <Lap StartTime="{_iso_z(lap_start)}">\n'
            f"    <TotalTimeSeconds>{seconds:.1f}</TotalTimeSeconds>\n"
            f"    <DistanceMeters>{distance:.1f}</DistanceMeters>\n"
            f"    <MaximumSpeed>{float(np.max(r['speed_mps'][lo:hi])):.3f}</MaximumSpeed>\n"
            f"    <Calories>{round(distance / 1000 * 68)}</Calories>\n")
        if len(hr):
            parts.append(
                f"    <AverageHeartRateBpm><Value>{round(float(np.mean(hr)))}</Value>"
                "</AverageHeartRateBpm>\n"
                f"    <MaximumHeartRateBpm><Value>{int(np.max(hr))}</Value>"
                "</MaximumHeartRateBpm>\n")
        parts.append("    <Intensity>Active</Intensity>\n"
                     "    <TriggerMethod>Distance</TriggerMethod>\n    <Track>\n")
        for i in range(lo, hi):
            hr_text = (f"<HeartRateBpm><Value>{int(r['hr_bpm'][i])}</Value></HeartRateBpm>"
                       if np.isfinite(r["hr_bpm"][i]) else "")
            position = (f"<Position><LatitudeDegrees>{r['lat_deg'][i]:.7f}</LatitudeDegrees>"
                        f"<LongitudeDegrees>{r['lon_deg'][i]:.7f}</LongitudeDegrees></Position>"
                        f"<AltitudeMeters>{r['altitude_m'][i]:.1f}</AltitudeMeters>"
                        if run.has_gps else "")
            parts.append(
                f"     <Trackpoint><Time>{_iso_z(times[i])}</Time>{position}"
                f"<DistanceMeters>{r['distance_m'][i]:.1f}</DistanceMeters>{hr_text}"
                f"<Extensions><ns3:TPX><ns3:Speed>{r['speed_mps'][i]:.3f}</ns3:Speed>"
                f"<ns3:RunCadence>{cadence[i]}</ns3:RunCadence></ns3:TPX></Extensions>"
                "</Trackpoint>\n")
        parts.append("    </Track>\n   </Lap>\n")
    parts.append(f"   <Creator><Name>{escape(creator)}</Name></Creator>\n"
                 "  </Activity>\n </Activities>\n</TrainingCenterDatabase>\n")
    return "".join(parts).encode("utf-8")


def garmin_summary(run: Run, activity_id: int, name: str, device_id: int) -> dict[str, Any]:
    """The run as Garmin's summarizedActivities.json lists it (cm, ms, cm/ms)."""
    gmt_ms = int(run.start_utc.timestamp()) * 1000
    distance_cm = round(run.distance_m * 100, 1)
    type_key = {SUB_TREADMILL: "treadmill_running", SUB_TRAIL: "trail_running",
                SUB_TRACK: "track_running"}.get(run.plan.sub_sport, "running")
    altitude = run.records.get("altitude_m")
    entry: dict[str, Any] = {
        "activityId": activity_id, "uuidMsb": 0, "uuidLsb": 0, "name": name,
        "activityType": type_key, "userProfileId": 81234567, "timeZoneId": 124,
        "beginTimestamp": gmt_ms, "eventTypeId": 9, "rule": "subscribers",
        "sportType": "RUNNING", "startTimeGmt": gmt_ms,
        "startTimeLocal": gmt_ms + 1000 * run.utc_offset_s,
        "duration": round(run.timer_s * 1000, 1),
        "distance": distance_cm,
    }
    if altitude is not None:
        step = np.diff(altitude)
        entry["elevationGain"] = round(float(step[step > 0].sum()) * 100, 1)
        entry["elevationLoss"] = round(float(-step[step < 0].sum()) * 100, 1)
        entry["minElevation"] = round(float(altitude.min()) * 100, 1)
        entry["maxElevation"] = round(float(altitude.max()) * 100, 1)
    entry.update({
        "avgSpeed": round(run.distance_m / run.timer_s / 10, 7),
        "maxSpeed": round(run.stat("speed_mps", np.max) / 10, 7),
        "avgHr": round(run.stat("hr_bpm", np.mean), 1),
        "maxHr": run.stat("hr_bpm", np.max),
        "avgRunCadence": round(run.stat("cadence_spm", np.mean) / 2, 2),
        "avgDoubleCadence": round(run.stat("cadence_spm", np.mean), 2),
        "calories": round(run.distance_m / 1000 * 68, 1),
        "elapsedDuration": round(run.elapsed_s * 1000, 1),
        "movingDuration": round(run.timer_s * 1000, 1),
        "deviceId": device_id, "manufacturer": "GARMIN",
        "lapCount": len(run.laps), "minTemperature": run.stat("temperature_c", np.min),
        "maxTemperature": run.stat("temperature_c", np.max),
    })
    if run.has_gps:
        entry["startLatitude"] = round(float(run.records["lat_deg"][0]), 7)
        entry["startLongitude"] = round(float(run.records["lon_deg"][0]), 7)
    return entry


def _strava_date(moment: datetime) -> str:
    """Strava's ``Activity Date``: UTC, 'Oct 7, 2020, 2:43:11 PM'."""
    m = moment.astimezone(UTC)
    hour = m.hour % 12 or 12
    return (f"{_MONTHS[m.month - 1]} {m.day}, {m.year}, {hour}:{m.minute:02d}:{m.second:02d} "
            f"{'AM' if m.hour < 12 else 'PM'}")


def _num(value: float, digits: int = 1) -> str:
    return "" if not math.isfinite(value) else f"{value:.{digits}f}"


def strava_row(run: Run, activity_id: int, name: str, filename: str,
               description: str = "") -> list[str]:
    """One row of activities.csv for a run (km display column, then metres)."""
    altitude = run.records.get("altitude_m")
    gain = loss = low = high = math.nan
    if altitude is not None:
        step = np.diff(altitude)
        gain, loss = float(step[step > 0].sum()), float(-step[step < 0].sum())
        low, high = float(altitude.min()), float(altitude.max())
    values = {
        "Activity ID": str(activity_id), "Activity Date": _strava_date(run.start_utc),
        "Activity Name": name, "Activity Type": "Run", "Activity Description": description,
        "Elapsed Time": str(round(run.elapsed_s)), "Distance": f"{run.distance_m / 1000:.2f}",
        "Max Heart Rate": _num(run.stat("hr_bpm", np.max)), "Relative Effort": "",
        "Commute": "false", "Activity Private Note": "", "Activity Gear": "", "Filename": filename,
        "Athlete Weight": "", "Bike Weight": "", "Moving Time": _num(run.timer_s),
        "Max Speed": _num(run.stat("speed_mps", np.max), 3),
        "Average Speed": _num(run.distance_m / run.timer_s, 3),
        "Elevation Gain": _num(gain), "Elevation Loss": _num(loss),
        "Elevation Low": _num(low), "Elevation High": _num(high),
        "Max Grade": "", "Average Grade": "", "Average Positive Grade": "",
        "Average Negative Grade": "", "Max Cadence": _num(run.stat("cadence_spm", np.max) / 2),
        "Average Cadence": _num(run.stat("cadence_spm", np.mean) / 2),
        "Average Heart Rate": _num(run.stat("hr_bpm", np.mean)), "Max Watts": "",
        "Average Watts": "", "Calories": _num(run.distance_m / 1000 * 68),
        "Max Temperature": _num(run.stat("temperature_c", np.max)),
        "Average Temperature": _num(run.stat("temperature_c", np.mean)),
    }
    seen: dict[str, int] = {}
    row = []
    for column in STRAVA_HEADER:
        k = seen.get(column, 0)
        seen[column] = k + 1
        if k == 1 and column == "Elapsed Time":
            row.append(f"{run.elapsed_s:.1f}")
        elif k == 1 and column == "Distance":
            row.append(f"{run.distance_m:.1f}")
        else:
            row.append(values[column])
    return row


def strava_csv(rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STRAVA_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def gzip_bytes(data: bytes) -> bytes:
    """gzip with no name and mtime 0: the same bytes on every build."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buffer.getvalue()


def zip_bytes(members: Iterable[tuple[str, bytes]], *, stored: Sequence[str] = ()) -> bytes:
    """A zip of ``members`` (sorted by name) with fixed times, attributes and compression."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in sorted(members):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def monitoring_fit(day: datetime, rng: np.random.Generator, serial: int) -> bytes:
    """A day's monitoring_b file (steps and heart rate every 15 min) as a watch writes it."""
    start = (day - FIT_EPOCH).total_seconds()
    n = 96
    hr = np.rint(np.clip(58 + 25 * np.sin(np.linspace(0, math.pi, n)) ** 2
                         + rng.normal(0, 4, n), 45, 140))
    steps = np.cumsum(rng.integers(0, 600, n))
    return write_other_fit(FILE_MONITORING_B, day, [("monitoring", {
        "timestamp": start + 900.0 * np.arange(n), "heart_rate": hr,
        "cycles": steps / 2.0, "activity_type": np.full(n, 6)})],
        serial_number=serial)


def settings_fit(day: datetime, serial: int) -> bytes:
    """A settings file (user profile), as the export holds many."""
    return write_other_fit(FILE_SETTINGS, day, [("user_profile", {
        "gender": 0, "age": 34, "height": 1.68, "weight": 58.0, "resting_heart_rate": 52,
        "default_max_running_heart_rate": 192})], serial_number=serial)


# ---------------------------------------------------------------------------
# TOML (written by hand: the standard library reads TOML only)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {value!r}")


def _toml_table(header: str, values: dict[str, Any]) -> str:
    lines = [header] + [f"{k} = {_toml(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# the runner's season


RUNNER_USER = "runner@example.com"
RUNNER_SERIAL = 3_912_345_678
HEAT_WAVE = {date(2026, 6, 26): 7.0, date(2026, 6, 27): 8.5, date(2026, 6, 28): 9.0,
             date(2026, 6, 29): 9.5, date(2026, 6, 30): 9.5, date(2026, 7, 1): 9.0,
             date(2026, 7, 2): 9.0, date(2026, 7, 3): 6.0}


def _runner_easy_mps(day: date) -> float:
    """5:55 /km in February to 5:25 /km in November; 4 % slower after the break, for 6 weeks."""
    progress = (day - date(2026, 2, 1)).days / 300
    easy = 1000 / 355 + progress * (1000 / 325 - 1000 / 355)
    since = (day - date(2026, 7, 27)).days
    if 0 <= since < 42:
        easy *= 1 - 0.04 * (1 - since / 42)
    return easy


RUNNER = Athlete(easy_mps=_runner_easy_mps)

#: Runner events: id -> (first day, last day, flags raised from the Monday of the first
#: day's week to the last day, spike bin of the event's run or '', description).
RUNNER_EVENTS: dict[str, tuple[date, date, tuple[str, ...], str, str]] = {
    "treadmill-winter": (date(2026, 2, 3), date(2026, 3, 21), (), "",
                         "Seven weeks of winter running on a gym treadmill (FIT sub_sport "
                         "treadmill, no GPS), the belt at a set speed: distance is the watch's "
                         "estimate, so spikes would compare durations."),
    "first-road-runs": (date(2026, 3, 24), date(2026, 4, 5), ("F-ONEVAR",), "",
                        "Back outdoors: road runs with GPS and a little climb, after weeks on "
                        "the treadmill (surface and climb change together)."),
    "dst-spring": (date(2026, 3, 29), date(2026, 3, 29), (), "",
                   "Clocks go forward in Berlin (+01:00 to +02:00): a Sunday long run at 09:30 "
                   "local."),
    "spike-10-30": (date(2026, 4, 19), date(2026, 4, 19), ("F-SPIKE",), ">10-30%",
                    "A 13 km long run after 11 km at most in the 30 days before (+18 %)."),
    "big-week": (date(2026, 4, 27), date(2026, 5, 3), ("F-WEEK30", "F-MONOTONY"), "",
                 "An easy week (23 km) then a big one (54 km, a run every day but Friday)."),
    "phone-run": (date(2026, 4, 30), date(2026, 4, 30), (), "",
                  "The watch was charging: the run exists only as a Strava GPX from the phone "
                  "(so do a TCX on 9 September and a GPX on 1 October)."),
    "half-marathon": (date(2026, 5, 17), date(2026, 5, 17), ("F-SPIKE",), ">30-100%",
                      "A half marathon race, 21.1 km after 13 km at most in 30 days (+62 %). "
                      "Also in the Strava export as a GPX copy."),
    "trail-block": (date(2026, 5, 30), date(2026, 6, 7),
                    ("F-SURFACE", "F-DOWNHILL", "F-ONEVAR", "F-WEEK30"), "",
                    "A week's holiday in the Harz: six trail runs with 200-450 m of climb "
                    "(two labelled trail by the watch, four inferred from the hills), after "
                    "months on the flat."),
    "track-sessions": (date(2026, 6, 9), date(2026, 6, 30), ("F-SURFACE", "F-ONEVAR"), "",
                       "Tuesday interval sessions on a 400 m track, not labelled by the watch: "
                       "inferred from the laps."),
    "corrupt-file": (date(2026, 6, 18), date(2026, 6, 18), (), "",
                     "The FIT file of this run was cut off after 10 bytes: the import lists "
                     "it as failed, and the run is still known from Garmin's summary."),
    "heat-wave": (date(2026, 6, 27), date(2026, 7, 2), (), "",
                  "Four runs in a heat wave: the watch measured 30 degC and more."),
    "layoff": (date(2026, 7, 6), date(2026, 7, 26), (), "",
               "Three weeks without running (a calf strain): last run 5 July, back 27 July."),
    "too-fast-return": (date(2026, 7, 27), date(2026, 8, 9), ("F-LAYOFF", "F-SPIKE", "F-WEEK30"),
                        ">100%",
                        "The return: a first run of 6 km (more than half the usual run), full "
                        "weeks at once, and a 15 km long run after two weeks of 5-6.5 km runs "
                        "(+131 %)."),
    "run-streak": (date(2026, 8, 31), date(2026, 9, 15),
                   ("F-NOREST", "F-MONOTONY", "F-WEEK30", "F-ONEVAR"), "",
                   "A 16-day run streak of easy 5.5-7.5 km runs: no rest day for two calendar "
                   "weeks, and very even days."),
    "track-again": (date(2026, 10, 6), date(2026, 10, 6), ("F-SURFACE",), "",
                    "Back on the track after three months away."),
    "dst-autumn": (date(2026, 10, 25), date(2026, 10, 25), (), "",
                   "Clocks go back in Berlin (+02:00 to +01:00): a 20.5 km long run at 08:30 "
                   "local. Also in the Strava export as a TCX copy."),
}


#: A pain journal entry: (local date, region, severity 0-10, timing, note).
PainEntry = tuple[date, str, int, str, str]
#: The header of a pain journal (runload.readers.pain).
PAIN_HEADER = ("date", "region", "severity", "timing", "note")

#: The runner's pain journal.  Ratings of 3 or more start an episode (the default
#: [pain] severity_threshold) after 14 days without one in that region; a lower rating
#: ends it.  Lower ratings alone start nothing.
RUNNER_PAIN: tuple[PainEntry, ...] = (
    (date(2026, 3, 12), "foot", 1, "after", "Arch a little tired on the treadmill"),
    (date(2026, 4, 21), "lower_back", 2, "next_morning", "Bit stiff after a long day at the desk"),
    # lower_back-2026-05-20: three days after the half marathon (17 May)
    (date(2026, 5, 19), "lower_back", 2, "next_morning", "Tight, legs still sore from the race"),
    (date(2026, 5, 20), "lower_back", 4, "after", "Lower back ached after the recovery jog"),
    (date(2026, 5, 21), "lower_back", 5, "next_morning", "Hard to bend down to tie my shoes"),
    (date(2026, 5, 23), "lower_back", 3, "", "Better, walked a lot"),
    (date(2026, 5, 24), "lower_back", 2, "after", "Easy 8 km, only a bit stiff"),
    (date(2026, 5, 27), "lower_back", 0, "", "Gone"),
    # knee-2026-06-06: the Harz, on the descents from the Brocken
    (date(2026, 6, 3), "knee", 2, "after", "Outside of the right knee felt the downhills"),
    (date(2026, 6, 6), "knee", 4, "during",
     "Right knee sharp on the way down from the Brocken, walked the steep bits"),
    (date(2026, 6, 7), "knee", 5, "after", "Sore on every descent, kept it slow"),
    (date(2026, 6, 9), "knee", 3, "during", "Fine on the flat track, stairs still hurt"),
    (date(2026, 6, 11), "knee", 1, "after", "Almost nothing on the easy run"),
    # shin-2026-08-10: after the 15 km long run of the too-fast return (9 August)
    (date(2026, 8, 4), "shin", 2, "after", "Left shin a little tender"),
    (date(2026, 8, 10), "shin", 4, "next_morning",
     "Left shin sore to touch on the inside, after yesterday's 15 km"),
    (date(2026, 8, 11), "shin", 4, "after", "Shin hurt in the last 2 km"),
    (date(2026, 8, 13), "shin", 3, "after", "A bit better"),
    (date(2026, 8, 16), "shin", 1, "after", "Long run fine, shin quiet"),
    (date(2026, 8, 23), "shin", 0, "", "Nothing"),
    (date(2026, 9, 10), "foot", 2, "next_morning", "Heel stiff in the morning, day 11 of the streak"),
    (date(2026, 10, 26), "lower_back", 2, "next_morning", "Stiff after the 20.5 km, gone by lunch"),
    # lower_back-2026-11-10: still open on the last day, after no planned load event
    (date(2026, 11, 10), "lower_back", 3, "next_morning",
     "Lower back stiff after a day of carrying furniture"),
    (date(2026, 11, 12), "lower_back", 3, "after", "Still there, the easy run changed nothing"),
    (date(2026, 11, 15), "lower_back", 3, "after", "Same as before the run"),
)

#: The episodes the runner's journal holds: id -> (region, onset, last day at or above the
#: threshold (None while open), peak severity, the event it follows or '', what it shows).
RUNNER_PAIN_EPISODES: dict[str, tuple[str, date, date | None, int, str, str]] = {
    "lower_back-2026-05-20": (
        "lower_back", date(2026, 5, 20), date(2026, 5, 23), 5, "half-marathon",
        "Lower back pain three days after the half marathon (the >30-100 % spike), gone within "
        "a week."),
    "knee-2026-06-06": (
        "knee", date(2026, 6, 6), date(2026, 6, 9), 5, "trail-block",
        "The outside of the right knee on the Harz descents (the F-DOWNHILL days), eased back "
        "on the flat."),
    "shin-2026-08-10": (
        "shin", date(2026, 8, 10), date(2026, 8, 13), 4, "too-fast-return",
        "A sore shin the morning after the 15 km long run of the too-fast return (+131 %)."),
    "lower_back-2026-11-10": (
        "lower_back", date(2026, 11, 10), None, 3, "",
        "Still open on the last day: a stiff back after carrying furniture, after calm weeks "
        "of steady running; the top of the report mentions it."),
}

#: Ben's pain journal (roster/ben_pain.csv): a knee episode open in the week of his spike.
BEN_PAIN: tuple[PainEntry, ...] = (
    (date(2026, 9, 30), "knee", 1, "after", "Right knee, just noticing it"),
    (date(2026, 10, 20), "knee", 2, "after", "Knee niggle after the tempo"),
    (date(2026, 10, 22), "knee", 3, "after", "Knee ache after the easy run, worse on stairs"),
    (date(2026, 10, 25), "knee", 4, "after", "Knee sore in the last miles of the long run"),
    (date(2026, 10, 28), "knee", 3, "next_morning", "Still sore getting up"),
    (date(2026, 11, 3), "knee", 1, "after", "Much better"),
)
BEN_PAIN_EPISODES: dict[str, tuple[str, date, date | None, int, str, str]] = {
    "knee-2026-10-22": (
        "knee", date(2026, 10, 22), date(2026, 10, 28), 4, "",
        "Open at the end of 2026-W43 (the big week and the 11-mile long run): on the coach "
        "page of that week Ben's row says 'knee 4/10 (open since 22 Oct)'; a rating of 1 "
        "on 3 November ends it."),
}


def pain_journal_csv(entries: Iterable[PainEntry]) -> bytes:
    """A pain journal as runload reads it: ``date,region,severity,timing,note``, in date order."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PAIN_HEADER)
    writer.writerows([day.isoformat(), region, str(severity), timing, note]
                     for day, region, severity, timing, note in sorted(entries))
    return buffer.getvalue().encode("utf-8")


def _pain_episode_tables(header: str, episodes: dict[str, tuple]) -> list[str]:
    tables = []
    for episode_id, (region, onset, end, peak, after, text) in episodes.items():
        values: dict[str, Any] = {"id": episode_id, "region": region, "onset_date": onset}
        if end is not None:
            values["end_date"] = end
        values |= {"open": end is None, "peak_severity": peak, "after_event": after,
                   "shows": text}
        tables.append(_toml_table(header, values))
    return tables


def _week(monday: date, *days: tuple[int, str, float] | tuple[int, str, float, dict]
          ) -> list[Plan]:
    """Plans of one week: (weekday 0=Mon, kind, km[, Plan keyword overrides])."""
    out = []
    for item in days:
        weekday, kind, km = item[:3]
        extra: dict[str, Any] = dict(item[3]) if len(item) > 3 else {}  # type: ignore[misc]
        day = monday + timedelta(days=weekday)
        hour, minute = extra.pop("at", (18, 30) if weekday < 5 else (9, 30))
        route = {"treadmill": "none", "track": "track", "trail": "trail"}.get(kind, "loop")
        if kind in ("long", "race") or (kind == "easy" and km >= 9 and weekday % 2):
            route = "out_back"
        settings: dict[str, Any] = {
            "route": route,
            "place": {"track": "track", "trail": "harz"}.get(kind, "berlin"),
            "sub_sport": SUB_TREADMILL if kind == "treadmill" else SUB_GENERIC}
        settings.update(extra)
        out.append(Plan(datetime(day.year, day.month, day.day, hour, minute), kind, km,
                        **settings))
    return out


def runner_plans() -> list[Plan]:
    """The runner's season, week by week (comments name the events of RUNNER_EVENTS)."""
    d = date
    plans: list[Plan] = []
    # treadmill-winter: three gym runs a week (Tue, Thu, Sat) at a set belt speed.
    tm, gym, sat = "treadmill", {"at": (19, 0)}, {"at": (10, 0)}
    for monday, kms in ((d(2026, 2, 2), (7.5, 7.0, 8.0)), (d(2026, 2, 9), (7.0, 7.5, 8.0)),
                        (d(2026, 2, 16), (7.0, 7.5, 8.5)), (d(2026, 2, 23), (7.5, 7.5, 8.5)),
                        (d(2026, 3, 2), (7.5, 8.0, 9.0)), (d(2026, 3, 9), (7.5, 8.0, 9.0)),
                        (d(2026, 3, 16), (8.0, 8.0, 9.5))):
        plans += _week(monday, (1, tm, kms[0], gym), (3, tm, kms[1], gym), (5, tm, kms[2], sat))
    # Spring on the road: Tue, Thu, Sun long (first-road-run, dst-spring on 29 March).
    plans += _week(d(2026, 3, 23), (1, "easy", 7.0), (3, "easy", 8.0), (6, "long", 10.0))
    plans += _week(d(2026, 3, 30), (1, "easy", 8.0), (3, "easy", 8.0), (6, "long", 10.5))
    plans += _week(d(2026, 4, 6), (1, "easy", 8.0), (3, "tempo", 9.0), (6, "long", 11.0))
    plans += _week(d(2026, 4, 13), (1, "easy", 8.0), (3, "easy", 9.0),
                   (6, "long", 13.0))                                   # spike-10-30
    plans += _week(d(2026, 4, 20), (1, "easy", 6.0), (3, "easy", 7.0), (6, "long", 10.0))
    plans += _week(d(2026, 4, 27), (0, "easy", 8.0), (1, "tempo", 9.0), (2, "easy", 8.0),
                   (3, "easy", 10.0, {"record": "phone", "copies": ("strava_gpx_gz",)}),  # phone-run
                   (5, "recovery", 6.0), (6, "long", 13.0))             # big-week
    plans += _week(d(2026, 5, 4), (1, "easy", 8.0), (3, "tempo", 9.0), (6, "long", 13.0))
    plans += _week(d(2026, 5, 11), (1, "easy", 8.0), (3, "easy", 7.0),
                   (6, "race", 21.1, {"at": (9, 0), "copies": ("strava_gpx_gz",),
                                      "name": "Spreelauf Halbmarathon \u2013 new PB!",
                                      "description": "Finally under 1:50 \U0001f389"}))
    plans += _week(d(2026, 5, 18), (2, "recovery", 6.0), (6, "long", 8.0))
    # trail-block: the Harz (two runs labelled trail by the watch, four inferred).
    harz = {"at": (9, 30)}
    plans += _week(d(2026, 5, 25), (1, "easy", 8.0), (3, "easy", 8.0),
                   (5, "trail", 10.0, {**harz, "sub_sport": SUB_TRAIL}))
    plans += _week(d(2026, 6, 1), (0, "trail", 10.0, harz), (2, "trail", 11.0, harz),
                   (3, "trail", 6.0, {"at": (18, 0)}),
                   (5, "trail", 12.0, {**harz, "sub_sport": SUB_TRAIL,
                                       "copies": ("strava_gpx_gz",),
                                       "name": "Brocken loop \u26f0"}),
                   (6, "trail", 8.0, {"at": (8, 30)}))
    # track-sessions on Tuesdays; corrupt-file on 18 June; heat-wave from 27 June.
    plans += _week(d(2026, 6, 8), (1, "track", 9.2), (3, "easy", 8.0), (6, "long", 13.0))
    plans += _week(d(2026, 6, 15), (1, "track", 9.6), (3, "easy", 9.0, {"corrupt": True}),
                   (6, "long", 14.0))
    plans += _week(d(2026, 6, 22), (1, "track", 9.6), (3, "easy", 9.0),
                   (5, "easy", 8.0, {"at": (17, 30)}), (6, "long", 13.0, {"at": (16, 30)}))
    plans += _week(d(2026, 6, 29), (1, "track", 9.2, {"at": (19, 0)}),
                   (3, "easy", 8.0, {"at": (18, 0)}), (6, "long", 12.0, {"at": (8, 0)}))
    # layoff 6-26 July; too-fast-return.
    plans += _week(d(2026, 7, 27), (0, "easy", 6.0), (2, "easy", 5.5), (4, "easy", 6.0),
                   (6, "easy", 6.5))
    plans += _week(d(2026, 8, 3), (1, "easy", 6.0), (3, "easy", 6.5),
                   (6, "long", 15.0, {"copies": ("strava_tcx_gz",)}))
    plans += _week(d(2026, 8, 10), (1, "easy", 7.0), (3, "easy", 8.0), (6, "long", 12.0))
    plans += _week(d(2026, 8, 17), (1, "easy", 8.0), (3, "tempo", 8.0), (6, "long", 13.0))
    plans += _week(d(2026, 8, 24), (1, "easy", 8.0), (3, "easy", 8.0))
    # run-streak: 16 days, 31 August to 15 September.
    streak_km = (6.5, 6.0, 7.0, 6.0, 6.5, 7.5, 7.0, 6.0, 6.5, 6.0, 7.0, 5.5, 6.5, 7.5, 6.0, 6.5)
    for k, km in enumerate(streak_km):
        day = d(2026, 8, 31) + timedelta(days=k)
        extra: dict[str, Any] = {"at": (7, 0) if day.weekday() < 5 else (9, 0)}
        if k == 9:  # the watch left at work: the phone's recording, on Strava only
            extra |= {"record": "phone", "copies": ("strava_tcx_gz",)}
        plans += _week(day - timedelta(days=day.weekday()), (day.weekday(), "streak", km, extra))
    # Autumn: long runs up by under 10 % a week; track-again; dst-autumn on 25 October.
    plans += _week(d(2026, 9, 14), (3, "easy", 8.0), (6, "long", 14.0))
    plans += _week(d(2026, 9, 21), (1, "easy", 8.0), (3, "tempo", 9.0), (6, "long", 15.0))
    plans += _week(d(2026, 9, 28), (1, "easy", 8.0), (3, "easy", 8.0, {"record": "phone", "copies": ("strava_gpx",)}),
                   (6, "long", 16.0))
    plans += _week(d(2026, 10, 5), (1, "track", 9.2), (3, "easy", 9.0), (6, "long", 17.5))
    plans += _week(d(2026, 10, 12), (1, "easy", 8.0), (3, "tempo", 10.0), (6, "long", 19.0))
    plans += _week(d(2026, 10, 19), (1, "easy", 8.0), (3, "easy", 8.0),
                   (6, "long", 20.5, {"at": (8, 30), "copies": ("strava_tcx_gz",)}))
    plans += _week(d(2026, 10, 26), (1, "easy", 7.0), (3, "easy", 8.0), (6, "long", 12.0))
    plans += _week(d(2026, 11, 2), (1, "easy", 8.0), (3, "easy", 9.0), (6, "long", 16.0))
    plans += _week(d(2026, 11, 9), (1, "easy", 8.0), (3, "easy", 8.0), (6, "long", 13.0))
    return sorted(plans, key=lambda p: p.local_start)


def _terrains(seed: int) -> dict[str, Terrain]:
    return {key: Terrain(place, seed) for key, place in PLACES.items()}


def _runs(plans: list[Plan], athlete: Athlete, stream: int, seed: int,
          heat: dict[date, float]) -> list[Run]:
    terrains = _terrains(seed)
    weathers = {key: Weather(place, seed, heat) for key, place in PLACES.items()}
    return [simulate(plan, i, athlete, weathers[plan.place], terrains[plan.place],
                     np.random.default_rng([seed, stream, i]))
            for i, plan in enumerate(plans)]


@dataclass
class Written:
    """Files of one sample, in memory: relative path -> bytes, plus what index.toml says."""

    files: dict[str, bytes] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)


def _garmin_name(run: Run) -> str:
    place = PLACES[run.plan.place].label
    if run.plan.sub_sport == SUB_TREADMILL:
        return "Treadmill Running"
    if run.plan.route == "track":
        return "Track Running"
    if run.plan.kind == "trail":
        return f"{place} Trail Running"
    return f"{place} Running"


def runner_sample(seed: int) -> Written:
    """The runner's exports (garmin_export.zip and strava/) and pain journal."""
    runs = _runs(runner_plans(), RUNNER, 1, seed, HEAT_WAVE)
    rng = np.random.default_rng([seed, 2])
    out = Written()
    uploaded: list[tuple[str, bytes]] = []
    summaries: list[dict[str, Any]] = []
    strava_rows: list[list[str]] = []
    file_number = 104_218_355
    strava_id = 14_812_000_000
    corrupt_member = ""
    for run in runs:
        plan = run.plan
        file_number += int(rng.integers(40, 400))  # monitoring etc. take numbers in between
        if plan.record == "watch":
            data = fit_bytes(run, serial=RUNNER_SERIAL)
            member = f"{RUNNER_USER}_{file_number}.fit"
            if plan.corrupt:
                data = data[:10]
                corrupt_member = member
            uploaded.append((member, data))
            summaries.append(garmin_summary(run, 20_512_000_000 + 7919 * run.index,
                                            _garmin_name(run), 3_446_818_113))
        strava_id += int(rng.integers(1_000_000, 9_000_000))
        for copy in plan.copies:
            title = strava_title(run)
            if copy.startswith("strava_gpx"):
                creator = "StravaGPX iPhone" if plan.record == "phone" else "StravaGPX"
                data = gpx_bytes(run, creator=creator, name=title,
                                 atemp=plan.record == "watch")
                name = f"activities/{strava_id}.gpx"
                if copy.endswith("_gz"):
                    data, name = gzip_bytes(data), name + ".gz"
            else:
                creator = "Forerunner 945" if plan.record == "watch" else "Runkeeper"
                data = gzip_bytes(tcx_bytes(run, creator=creator, leading_spaces=10))
                name = f"activities/{strava_id}.tcx.gz"
            out.files[f"runner/strava/{name}"] = data
            strava_rows.append(strava_row(run, strava_id, title, name, plan.description))
    # Files that are not activities: monitoring days and a settings file.
    for k, day in enumerate((date(2026, 2, 14), date(2026, 5, 20), date(2026, 8, 12))):
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        uploaded.append((f"{RUNNER_USER}_{104_300_000 + 1_000_003 * k}.fit",
                         monitoring_fit(moment, np.random.default_rng([seed, 3, k]),
                                        RUNNER_SERIAL)))
    uploaded.append((f"{RUNNER_USER}_{104_218_300}.fit",
                     settings_fit(datetime(2026, 2, 1, 12, tzinfo=UTC), RUNNER_SERIAL)))
    uploaded.sort()
    half = (len(uploaded) + 1) // 2
    parts = {"DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": uploaded[:half],
             "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part2.zip": uploaded[half:]}
    members = [(name, zip_bytes(chunk)) for name, chunk in parts.items()]
    corrupt_part = next(name for name, chunk in parts.items()
                        if any(member == corrupt_member for member, _ in chunk))
    summary_json = json.dumps([{"summarizedActivitiesExport": summaries}],
                              separators=(",", ":")).encode()
    members += [
        (f"DI_CONNECT/DI-Connect-Fitness/{RUNNER_USER}_0_summarizedActivities.json",
         summary_json),
        (f"DI_CONNECT/DI-Connect-Wellness/{RUNNER_USER}_20260101_20261115_sleepData.json",
         json.dumps([{"calendarDate": "2026-11-14", "deepSleepSeconds": 5460,
                      "lightSleepSeconds": 14220, "remSleepSeconds": 6300}]).encode()),
        ("DI_CONNECT/DI-Connect-User/user_profile.json",
         json.dumps({"userName": RUNNER_USER, "locale": "de_DE",
                     "measurementSystem": "metric"}).encode()),
    ]
    out.files["runner/garmin_export.zip"] = zip_bytes(members, stored=list(parts))
    out.files["runner/strava/activities.csv"] = strava_csv(strava_rows)
    out.files["runner_pain.csv"] = pain_journal_csv(RUNNER_PAIN)

    n_copies = sum(len(r.plan.copies) for r in runs if r.plan.record == "watch")
    n_phone = sum(r.plan.record == "phone" for r in runs)
    out.facts = {
        "runs": runs, "corrupt_member": f"{corrupt_part}!{corrupt_member}", "n_fit_runs": sum(
            r.plan.record == "watch" and not r.plan.corrupt for r in runs),
        "n_not_activity": 6, "n_strava_files": n_copies + n_phone,
        "n_strava_copies": n_copies, "n_phone_runs": n_phone,
        "n_summary_entries": len(summaries),
    }
    return out


# ---------------------------------------------------------------------------
# the roster


def _roster_week(monday: date, place: str, *days: tuple) -> list[Plan]:
    plans = _week(monday, *days)
    for p in plans:
        p.place = place
    return plans


def ana_plans() -> list[Plan]:
    """Ana, Madrid: eight steady weeks, three runs a week, long runs 11-12 km."""
    plans = _roster_week(date(2026, 9, 7), "madrid", (6, "long", 11.0, {"at": (8, 30)}))
    longs = (11.0, 11.5, 11.0, 12.0, 11.5, 12.0, 11.0, 12.0)
    for k, long_km in enumerate(longs):
        monday = date(2026, 9, 14) + timedelta(weeks=k)
        plans += _roster_week(monday, "madrid", (1, "easy", 7.0, {"at": (7, 30)}),
                              (3, "easy", 6.0, {"at": (19, 0)}),
                              (6, "long", long_km, {"at": (8, 30)}))
    return plans


MILE = 1.609344


def ben_plans() -> list[Plan]:
    """Ben, New York, in miles: steady weeks, then a big week with an 11-mile long run."""
    plans = _roster_week(date(2026, 9, 7), "new_york", (6, "long", round(7.0 * MILE, 3),
                                                         {"at": (6, 45)}))
    for k in range(8):
        monday = date(2026, 9, 14) + timedelta(weeks=k)
        if monday == date(2026, 10, 19):  # the big week
            days: tuple = ((0, "easy", 5.0), (1, "tempo", 6.0), (3, "easy", 5.0),
                           (5, "easy", 4.0), (6, "long", 11.0))
        else:
            days = ((1, "easy", 4.0), (3, "tempo", 5.0), (6, "long", 7.0 + 0.5 * (k % 3)))
        plans += _roster_week(monday, "new_york",
                              *((wd, kind, round(mi * MILE, 3),
                                 {"at": (18, 15) if kind == "tempo" else (6, 45)})
                                for wd, kind, mi in days))
    return plans


def chloe_plans() -> list[Plan]:
    """Chloé, Paris: four weeks, three weeks off (a sore shin), then back too fast."""
    plans = _roster_week(date(2026, 8, 24), "paris", (6, "long", 10.0))
    gym = {"route": "none", "sub_sport": SUB_TREADMILL, "at": (12, 30)}
    for k in range(4):
        monday = date(2026, 8, 31) + timedelta(weeks=k)
        plans += _roster_week(monday, "paris", (1, "easy", 7.0), (3, "easy", 6.0, gym),
                              (6, "long", 10.0 + 0.5 * k))
    # 28 September - 18 October: no running.
    plans += _roster_week(date(2026, 10, 19), "paris", (0, "easy", 8.0),
                          (2, "easy", 6.0, gym), (4, "easy", 7.0), (6, "long", 11.0))
    plans += _roster_week(date(2026, 10, 26), "paris", (1, "easy", 8.0), (3, "easy", 6.0, gym),
                          (5, "easy", 6.0), (6, "long", 12.0))
    plans += _roster_week(date(2026, 11, 2), "paris", (1, "easy", 8.0), (3, "easy", 6.0, gym),
                          (6, "long", 13.0))
    return plans


def _steady(easy: float) -> Callable[[date], float]:
    return lambda day: easy


ROSTER = {
    "ana": ("Ana Ruiz", "Europe/Madrid", Athlete(_steady(2.95), hr_base_bpm=58.0), ana_plans),
    "ben": ("Ben Carter", "America/New_York", Athlete(_steady(3.05), hr_base_bpm=63.0),
            ben_plans),
    "chloe": ("Chlo\u00e9 Martin", "Europe/Paris", Athlete(_steady(2.85), hr_base_bpm=61.0),
              chloe_plans),
}
#: Flags each athlete's analysis should raise, with the roster's thresholds.
ROSTER_FLAGS = {"ana": (), "ben": ("F-ONEVAR", "F-SPIKE", "F-WEEK30"),
                "chloe": ("F-LAYOFF", "F-ONEVAR", "F-WEEK30")}
#: The one run of Ben's whose title must be shown escaped (index in Ben's plans).
SCRIPT_TITLE = "<script>alert(1)</script>"
SCRIPT_RUN = 5


def roster_sample(seed: int) -> Written:
    """roster.toml and the three athletes' exports."""
    out = Written()
    facts: dict[str, Any] = {}
    for stream, (key, (_, _, athlete, make)) in enumerate(ROSTER.items(), start=10):
        runs = _runs(make(), athlete, stream, seed, {})
        facts[key] = runs
        if key == "ana":  # a watch's USB folder: files named by their local start
            for run in runs:
                name = run.plan.local_start.strftime("%Y-%m-%d-%H-%M-%S")
                out.files[f"roster/ana/GARMIN/Activity/{name}.fit"] = fit_bytes(
                    run, serial=3_987_650_001, product=2431, compressed=True)
            out.files["roster/ana/GARMIN/Monitor/2026-10-01.fit"] = monitoring_fit(
                datetime(2026, 9, 30, 22, tzinfo=UTC), np.random.default_rng([seed, 20]),
                3_987_650_001)
        elif key == "ben":  # Strava export zip: phone GPX, CSV titles, a planned route
            rows, members = [], []
            for k, run in enumerate(runs):
                activity_id = 15_900_000_000 + 1_234_567 * k
                title = SCRIPT_TITLE if k == SCRIPT_RUN else strava_title(run)
                name = f"activities/{activity_id}.gpx"
                members.append((f"export_48213377/{name}",
                                gpx_bytes(run, creator="StravaGPX iPhone", name=title,
                                          atemp=False)))
                rows.append(strava_row(run, activity_id, title, name))
            members.append(("export_48213377/activities.csv", strava_csv(rows)))
            members.append(("export_48213377/routes/1.gpx", route_gpx_bytes(
                PLACES["new_york"], np.random.default_rng([seed, 21]), "Reservoir + bridle path")))
            out.files["roster/ben_strava.zip"] = zip_bytes(members)
        else:  # a zip of FIT files from a watch that writes no local time
            members = [(run.plan.local_start.strftime("Running_%Y-%m-%dT%H-%M-%S.fit"),
                        fit_bytes(run, serial=1_712_004_417, manufacturer=SUUNTO, product=0,
                                  local_time=False)) for run in runs]
            out.files["roster/chloe_suunto.zip"] = zip_bytes(members)
    roster = ['title = "Tuesday group"', ""]
    thresholds = {"ben": {"display": {"units": "mi"}},
                  "chloe": {"layoff": {"first_session_frac": 0.4}}}
    paths = {"ana": "ana", "ben": "ben_strava.zip", "chloe": "chloe_suunto.zip"}
    pain = {"ben": "ben_pain.csv"}
    out.files["roster/ben_pain.csv"] = pain_journal_csv(BEN_PAIN)
    for key, (name, zone, _, _) in ROSTER.items():
        roster += ["[[athlete]]", f"name = {_toml(name)}", f"path = {_toml(paths[key])}",
                   f"tz = {_toml(zone)}"]
        if key in pain:
            roster.append(f"pain = {_toml(pain[key])}")
        if key in thresholds:
            roster.append("[athlete.thresholds]")
            roster += [f"{section} = {_toml(values)}"
                       for section, values in thresholds[key].items()]
        roster.append("")
    out.files["roster/roster.toml"] = "\n".join(roster).encode("utf-8")
    out.facts = {"runs": facts, "paths": paths, "thresholds": thresholds, "pain": pain}
    return out


# ---------------------------------------------------------------------------
# index.toml


def _dates(runs: Iterable[Run], test: Callable[[Run], bool]) -> list[date]:
    return [r.plan.local_start.date() for r in runs if test(r)]


def index_toml(seed: int, runner: Written, roster: Written) -> bytes:
    """index.toml: each sample, what it shows, and the counts an import should find."""
    runs: list[Run] = runner.facts["runs"]
    first = min(r.plan.local_start for r in runs).date()
    last = max(r.plan.local_start for r in runs).date()
    hot = _dates(runs, lambda r: r.plan.local_start.date() in HEAT_WAVE)
    lines = [
        "# What each sample is there to show.  Written by tools/make_sample_data.py: do not",
        "# edit by hand; run `python tools/make_sample_data.py` and commit what it writes.",
        "# Dates are local calendar days.",
        "",
        f"seed = {seed}",
        'generator = "tools/make_sample_data.py"',
        "",
        _toml_table("[runner]", {
            "path": "runner",
            "description": (
                "One runner in Berlin over a season: a Garmin export (FIT files in nested "
                "zips, monitoring and settings files, summarizedActivities.json, one FIT file "
                "cut short) and a Strava export (copies of some watch runs as GPX and TCX, "
                "and runs only the phone recorded). `runload analyze sample_data/runner --since "
                "2026-02-01` tells the season; without --since it shows the calm last four "
                "weeks."),
            "time_zone": "Europe/Berlin",
            "first_day": first, "last_day": last,
            "runs": len(runs),
            "fit_runs": runner.facts["n_fit_runs"],
            "phone_runs": runner.facts["n_phone_runs"],
            "summary_only_runs": sum(r.plan.corrupt for r in runs),
            "treadmill_runs": sum(r.plan.sub_sport == SUB_TREADMILL for r in runs),
            "trail_runs": sum(r.plan.kind == "trail" for r in runs),
            "track_runs": sum(r.plan.route == "track" for r in runs),
            "distance_km": round(sum(r.distance_m for r in runs) / 1000, 1),
            "not_activity_files": runner.facts["n_not_activity"],
            "failed_member": runner.facts["corrupt_member"],
            "strava_files": runner.facts["n_strava_files"],
            "strava_copies_of_watch_runs": runner.facts["n_strava_copies"],
            "garmin_summary_entries": runner.facts["n_summary_entries"],
            "hot_run_days": hot,
            "phone_run_days": _dates(runs, lambda r: r.plan.record == "phone"),
            "dst_changes": [date(2026, 3, 29), date(2026, 10, 25)],
            "flags": sorted({f for _, _, flags, _, _ in RUNNER_EVENTS.values() for f in flags}),
            "spike_bins": [">10-30%", ">30-100%", ">100%"],
        }),
    ]
    for event_id, (start, end, flags, spike_bin, text) in RUNNER_EVENTS.items():
        lines.append(_toml_table("[[runner.event]]", {
            "id": event_id, "first_day": start, "last_day": end, "flags": list(flags),
            "spike_bin": spike_bin, "description": text}))
    lines.append(_toml_table("[runner_pain]", {
        "path": "runner_pain.csv",
        "description": (
            "The runner's pain journal (date,region,severity,timing,note), beside the export "
            "folder: `runload report sample_data/runner --pain sample_data/runner_pain.csv`. "
            "Ratings of 3/10 or more after 14 days without start an episode (the default "
            "[pain] settings); lower ratings alone start nothing, and a lower rating ends an "
            "episode. Associations in one runner's history, not causes."),
        "entries": len(RUNNER_PAIN),
    }))
    lines += _pain_episode_tables("[[runner_pain.episode]]", RUNNER_PAIN_EPISODES)
    names = {key: name for key, (name, _, _, _) in ROSTER.items()}
    shows = {
        "ana": ("Steady weeks (three runs a week, long runs 11-12 km) from a watch's USB "
                "folder (GARMIN/Activity, and one monitoring file to skip)."),
        "ben": ("A Strava export zip of phone GPX files in miles (thresholds: display units "
                "mi), a big week and an 11-mile long run the week of 19 October; one run is "
                f"titled {SCRIPT_TITLE!r} to prove the page escapes titles."),
        "chloe": ("A zip of FIT files from a watch that writes no local time (outdoor runs "
                  "dated by their GPS position, treadmill runs by the roster's tz), back too "
                  "fast after three weeks off (28 September to 18 October); the coach asks "
                  "for a first run back of at most 40 % of her usual run."),
    }
    lines.append(_toml_table("[roster]", {
        "path": "roster/roster.toml",
        "description": "A coach's roster of three athletes for the coach page.",
        "title": "Tuesday group"}))
    for key, runs_k in roster.facts["runs"].items():
        values: dict[str, Any] = {
            "name": names[key], "path": f"roster/{roster.facts['paths'][key]}",
            "time_zone": ROSTER[key][1], "runs": len(runs_k),
            "first_day": min(r.plan.local_start for r in runs_k).date(),
            "last_day": max(r.plan.local_start for r in runs_k).date(),
            "flags": list(ROSTER_FLAGS[key]), "shows": shows[key]}
        if key in roster.facts["pain"]:
            values |= {"pain": f"roster/{roster.facts['pain'][key]}", "pain_week": "2026-W43"}
        lines.append(_toml_table("[[roster.athlete]]", values))
        if key == "ben":
            lines += _pain_episode_tables("[[roster.athlete.pain_episode]]", BEN_PAIN_EPISODES)
    return "\n".join(lines).encode("utf-8")


# ---------------------------------------------------------------------------
# build


def build(out_dir: Path, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the sample data into ``out_dir``; return the files written, sorted.

    ``out_dir/index.toml``, ``out_dir/runner`` and ``out_dir/roster`` are
    removed first (nothing else in ``out_dir`` is touched).
    """
    out_dir = Path(out_dir)
    runner = runner_sample(seed)
    roster = roster_sample(seed)
    files = {**runner.files, **roster.files, "index.toml": index_toml(seed, runner, roster)}
    for name in OUTPUTS:
        target = out_dir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    written = []
    for relative, data in sorted(files.items()):
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="folder to write into (default: sample_data/ of the repository)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED}, the committed sample)")
    args = parser.parse_args(argv)
    written = build(args.out, args.seed)
    total = 0
    for path in written:
        size = path.stat().st_size
        total += size
        sys.stdout.write(f"{size:>10,}  {path.relative_to(args.out)}\n")
    sys.stdout.write(f"{total:>10,}  total, {len(written)} files in {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
