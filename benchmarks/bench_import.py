"""Import benchmark: cold and warm import times of history_a and of a synthetic 2000-run export.

Three measurements, one report:

1. **history_a** (the real folder of 314 FIT files).  Whole process:
   ``runload scan FOLDER --cache-dir DIR --no-progress`` run by
   :mod:`subprocess`: wall clock, and peak RSS and CPU time of the child
   when GNU time is installed (see :func:`gnu_time`; else CPU only).  *Cold* is a run on a fresh, empty cache folder; *warm* is
   the next run on the same cache; every repeat makes a new cache folder and
   runs cold then warm, so drift of the machine hits both alike.  The same in
   process with :func:`runload.read_history` (cold, warm, and
   ``use_cache=False``), which leaves out interpreter start-up and the imports
   (numpy, pandas).  ``python -c "import runload.cli"`` is timed alone to show
   that start-up, and one ``-X importtime`` run splits it by package.  The issue's target: warm whole-process import of history_a
   under 1 s.
2. **A synthetic Garmin "Export Your Data" archive** made at run time in a
   temporary folder (never in the repository): ``--runs`` runs (2000) of
   20-90 min at 1 Hz with speed, heart rate, cadence, altitude, GPS drift,
   auto-laps every km, some pauses, treadmill runs without GPS, and a local
   offset (Berlin with daylight saving, a tenth in New York), written with
   :func:`runload.readers.fit_writer.write_fit`.  ``export.zip`` holds
   ``DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip`` and
   ``_Part2.zip`` (members ``user@example.com_<id>.fit``, deflated; the parts
   are stored in the outer zip), monitoring FIT files (``file_id.type`` 32,
   built byte by byte here: the writer writes activities only) among them,
   and ``DI_CONNECT/DI-Connect-Fitness/user@example.com_0_summarizedActivities.json``
   listing every run (folded into its file by de-duplication) plus a few
   manual entries without a file.  The same export unzipped into a folder is
   timed for comparison.  Generation time is printed, not measured.
3. **The executor default** (``read_history(executor=None)``: inline, or a
   process pool once a format's uncached content reaches ``POOL_MIN_BYTES``).  Cold
   ``read_history(use_cache=False)`` with the default, with an explicit
   ``ProcessPoolExecutor(2)`` (started inside the timed call) and serial (an
   :class:`InlineExecutor` whose ``submit`` runs the job at once), on
   history_a, on the synthetic FIT files, and on GPX 1.1 copies (Garmin
   Connect style, TrackPointExtension hr/cad) of ``--gpx-runs`` synthetic
   outdoor runs, in sets of 1 file, about 2, 4 and 16 MiB, and all.  Modes run in a rotating order,
   ``--exec-repeat`` rounds on the GPX sets and at least 5 on the FIT sets.
   This runs first, while the benchmark process is small: a pool forks it.

"Cold" means runload's cache is empty; the files themselves are in the OS
page cache (dropping it needs root), as they are on a second import by a user.

Run from the repository root::

    python benchmarks/bench_import.py            # 2000 runs, 200 GPX: 8-10 min on 2 cores
    python benchmarks/bench_import.py --quick    # 200 runs, 40 GPX: about 1.5 min
    python benchmarks/bench_import.py --runs 500 --repeat 3 --json /tmp/import.json
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from startup import import_breakdown, runload_command

import runload
from runload.readers import importer
from runload.readers.fit_writer import FIT_EPOCH, SyntheticActivity, fit_crc, write_fit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = REPO_ROOT / ".." / "shared" / "realdata" / "history_a"
TARGET_WARM_S = 1.0
SEED = 20240601
USER = "user@example.com"
PART_DIR = "DI_CONNECT/DI-Connect-Uploaded-Files"
SUMMARY_MEMBER = f"DI_CONNECT/DI-Connect-Fitness/{USER}_0_summarizedActivities.json"
FIRST_DAY = datetime(2019, 1, 1)
PLACES = {  # name: (zone, lat, lon)
    "Berlin": ("Europe/Berlin", 52.5200, 13.4050),
    "New York": ("America/New_York", 40.7812, -73.9665),
}
MiB = 1024**2


# ---------------------------------------------------------------------------
# synthetic runs


@dataclass
class Run:
    """One synthetic run: what the FIT, the GPX and the summary JSON are made from."""

    activity_id: int
    start_utc: datetime
    utc_offset_s: int
    sub_sport: int  # 0 generic (outdoor), 1 treadmill
    records: dict[str, np.ndarray]
    laps: list[tuple[int, int]]
    timer_s: float
    place: str

    @property
    def has_gps(self) -> bool:
        return "lat_deg" in self.records

    def activity(self) -> SyntheticActivity:
        return SyntheticActivity(start_utc=self.start_utc, sub_sport=self.sub_sport,
                                 utc_offset_s=self.utc_offset_s, records=self.records,
                                 laps=self.laps, timer_s=self.timer_s)


def _ar1(rng: np.random.Generator, n: int, phi: float, sigma: float) -> np.ndarray:
    """AR(1) noise of stationary standard deviation ``sigma`` (vectorised by a filter)."""
    shocks = rng.normal(0.0, sigma * np.sqrt(1 - phi**2), n)
    kernel = phi ** np.arange(min(n, int(np.ceil(np.log(1e-4) / np.log(phi)))))
    return np.convolve(shocks, kernel)[:n]


def _lag(signal: np.ndarray, start: float, tau_s: float) -> np.ndarray:
    """First-order lag (time constant tau_s at 1 Hz) of ``signal`` starting from ``start``."""
    k = np.exp(-np.arange(int(6 * tau_s)) / tau_s)
    k /= k.sum()
    padded = np.concatenate([np.full(len(k) - 1, start), signal])
    return np.convolve(padded, k, mode="valid")


def make_run(index: int, day: int, rng: np.random.Generator) -> Run:
    """A 20-90 min run at 1 Hz with a plausible speed, HR, cadence and GPS trace."""
    place = "New York" if rng.random() < 0.1 else "Berlin"
    zone, lat0, lon0 = PLACES[place]
    hour = rng.uniform(6.0, 8.0) if rng.random() < 0.6 else rng.uniform(17.5, 20.0)
    local = (FIRST_DAY + timedelta(days=int(day), seconds=int(hour * 3600))
             ).replace(tzinfo=ZoneInfo(zone))
    offset = int(local.utcoffset().total_seconds())  # type: ignore[union-attr]
    start = local.astimezone(UTC)
    n = int(rng.uniform(20, 90) * 60)
    treadmill = rng.random() < 0.1

    v0 = rng.uniform(2.5, 3.7)
    speed = np.full(n, v0)
    if rng.random() < 0.2:  # intervals: 3 min hard, 3 min easy after a 10 min warm-up
        t = np.arange(n)
        speed += np.where((t > 600) & ((t - 600) % 360 < 180), 0.9, -0.2)
    speed *= np.minimum(1.0, 0.6 + 0.4 * np.arange(n) / 120)  # first 2 min: getting going
    speed = np.clip(speed + _ar1(rng, n, 0.97, 0.15), 0.8, 6.5)
    distance = np.concatenate([[0.0], np.cumsum(speed[1:])])

    elapsed = np.arange(n, dtype=np.float64)
    if rng.random() < 0.15:  # one pause: a gap in the records
        at = int(rng.integers(n // 5, 4 * n // 5))
        elapsed[at:] += rng.integers(30, 240)

    target = 72 + 22 * speed + 0.08 * elapsed / 60  # steady state plus cardiac drift
    hr = np.rint(np.clip(_lag(target, 95.0, 40.0) + rng.normal(0, 1.5, n), 60, 200))
    if rng.random() < 0.05:  # a strap dropout
        at = int(rng.integers(0, n - 120))
        hr[at:at + int(rng.integers(30, 120))] = np.nan
    cadence = np.round(2 * np.clip(148 + 9 * speed + rng.normal(0, 2, n), 120, 210)) / 2

    records: dict[str, np.ndarray] = {
        "elapsed_s": elapsed, "distance_m": distance, "speed_mps": speed,
        "hr_bpm": hr, "cadence_spm": cadence}
    if treadmill:
        records["altitude_m"] = np.full(n, 38.0)
    else:
        phase = rng.uniform(0, 2 * np.pi)
        records["altitude_m"] = (35 + 8 * np.sin(distance / 700 + phase)
                                 + 3 * np.sin(distance / 230) + _ar1(rng, n, 0.99, 0.4))
        heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.04, n))
        north = np.cumsum(speed * np.cos(heading)) + _ar1(rng, n, 0.995, 3.0)
        east = np.cumsum(speed * np.sin(heading)) + _ar1(rng, n, 0.995, 3.0)
        start_lat = lat0 + rng.normal(0, 0.01)
        start_lon = lon0 + rng.normal(0, 0.015)
        records["lat_deg"] = start_lat + north / 111_320.0
        records["lon_deg"] = start_lon + east / (111_320.0 * np.cos(np.radians(start_lat)))
    km = np.floor(distance / 1000).astype(int)
    edges = [0, *(np.flatnonzero(np.diff(km)) + 1).tolist(), n]
    laps = [(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]
    return Run(activity_id=9_000_000_000 + 7919 * index, start_utc=start,
               utc_offset_s=offset, sub_sport=1 if treadmill else 0, records=records,
               laps=laps, timer_s=float(n - 1), place=place)


def make_runs(n: int, seed: int) -> list[Run]:
    """``n`` runs on distinct days from 2019-01-01, about six runs a week."""
    rng = np.random.default_rng(seed)
    days = np.sort(rng.choice(int(n * 7 / 6) + 7, size=n, replace=False))
    return [make_run(i, int(day), rng) for i, day in enumerate(days)]


def monitoring_fit(time_created: datetime, n_messages: int, rng: np.random.Generator) -> bytes:
    """A minimal FIT monitoring file (``file_id.type`` 32, monitoring_b), built byte by byte.

    ``file_id`` (type, manufacturer, product, serial_number, time_created) and
    ``n_messages`` ``monitoring`` messages (timestamp, cycles, activity_type,
    heart_rate), as a watch writes through the day.  Field numbers and base
    types are the FIT profile's (file_id 0; monitoring 55).
    """
    created = int((time_created - FIT_EPOCH).total_seconds())
    body = bytearray()
    # definition, local 0 -> global 0 (file_id): (field, size, base type)
    body += struct.pack("<BBBHB", 0x40, 0, 0, 0, 5)
    body += bytes([0, 1, 0x00, 1, 2, 0x84, 2, 2, 0x84, 3, 4, 0x8C, 4, 4, 0x86])
    body += struct.pack("<BBHHII", 0x00, 32, 1, 3113, 3_900_000_001, created)
    # definition, local 1 -> global 55 (monitoring)
    body += struct.pack("<BBBHB", 0x41, 0, 0, 55, 4)
    body += bytes([253, 4, 0x86, 3, 4, 0x86, 5, 1, 0x00, 27, 1, 0x02])
    steps = np.cumsum(rng.integers(0, 120, n_messages))
    hr = rng.integers(50, 110, n_messages)
    for i in range(n_messages):
        body += struct.pack("<BIIBB", 0x01, created + 60 * i, int(steps[i]) * 2, 6, int(hr[i]))
    header = struct.pack("<BBHI4s", 14, 0x10, 2100, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    return header + bytes(body) + struct.pack("<H", fit_crc(header + bytes(body)))


def summary_entry(run: Run) -> dict[str, Any]:
    """The run as Garmin's summarizedActivities.json lists it (cm, ms, cm/ms)."""
    r = run.records
    gmt_ms = int(run.start_utc.timestamp() * 1000)
    distance_cm = float(r["distance_m"][-1]) * 100
    entry: dict[str, Any] = {
        "activityId": run.activity_id, "name": f"{run.place} Running",
        "activityType": "treadmill_running" if run.sub_sport == 1 else "running",
        "sportType": "RUNNING", "startTimeGmt": gmt_ms,
        "startTimeLocal": gmt_ms + 1000 * run.utc_offset_s,
        "duration": 1000 * run.timer_s, "elapsedDuration": 1000 * float(r["elapsed_s"][-1]),
        "movingDuration": 1000 * run.timer_s, "distance": distance_cm,
        "avgSpeed": distance_cm / 100 / run.timer_s / 10,  # cm/ms
        "avgHr": float(np.nanmean(r["hr_bpm"])), "maxHr": float(np.nanmax(r["hr_bpm"])),
        "avgDoubleCadence": float(np.mean(r["cadence_spm"])), "manufacturer": "GARMIN",
    }
    if run.has_gps:
        entry["startLatitude"] = float(r["lat_deg"][0])
        entry["startLongitude"] = float(r["lon_deg"][0])
    return entry


def manual_entry(i: int, start: datetime) -> dict[str, Any]:
    """A manual treadmill entry with no file (summary-only in the import)."""
    gmt_ms = int(start.timestamp() * 1000)
    return {"activityId": 8_000_000_000 + i, "name": "Hotel treadmill",
            "activityType": "treadmill_running", "sportType": "RUNNING",
            "startTimeGmt": gmt_ms, "startTimeLocal": gmt_ms + 3_600_000,
            "duration": 1_800_000.0, "elapsedDuration": 1_800_000.0,
            "distance": 500_000.0, "manufacturer": "GARMIN"}


GPX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx creator="Garmin Connect" version="1.1" '
    'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 '
    'http://www.topografix.com/GPX/11.xsd" xmlns:ns3="http://www.garmin.com/xmlschemas/'
    'TrackPointExtension/v1" xmlns="http://www.topografix.com/GPX/1/1" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    '  <metadata>\n    <link href="connect.garmin.com">\n      <text>Garmin Connect</text>\n'
    '    </link>\n    <time>{time}</time>\n  </metadata>\n'
    '  <trk>\n    <name>{name}</name>\n    <type>running</type>\n    <trkseg>\n')
GPX_TAIL = "    </trkseg>\n  </trk>\n</gpx>\n"


def gpx_bytes(run: Run) -> bytes:
    """The run as Garmin Connect exports GPX 1.1 (TrackPointExtension v1 hr and per-leg cad)."""
    r = run.records
    base = np.datetime64(run.start_utc.replace(tzinfo=None), "s")
    times = np.datetime_as_string(base + r["elapsed_s"].astype("timedelta64[s]"), unit="s")
    cad = np.rint(r["cadence_spm"] / 2).astype(int)
    parts = [GPX_HEAD.format(time=f"{times[0]}.000Z", name=f"{run.place} Running")]
    for lat, lon, ele, t, hr, c in zip(r["lat_deg"], r["lon_deg"], r["altitude_m"], times,
                                       r["hr_bpm"], cad, strict=True):
        hr_text = "" if np.isnan(hr) else f"<ns3:hr>{int(hr)}</ns3:hr>"
        parts.append(
            f'      <trkpt lat="{lat:.15f}" lon="{lon:.15f}">\n'
            f"        <ele>{ele:.1f}</ele>\n        <time>{t}.000Z</time>\n"
            f"        <extensions>\n          <ns3:TrackPointExtension>\n"
            f"            {hr_text}<ns3:cad>{c}</ns3:cad>\n"
            f"          </ns3:TrackPointExtension>\n        </extensions>\n      </trkpt>\n")
    parts.append(GPX_TAIL)
    return "".join(parts).encode()


@dataclass
class Synthetic:
    folder: Path  # the export unzipped
    parts: list[Path]  # the UploadedFiles part folders (FIT only)
    export_zip: Path
    gpx: list[Path]
    n_runs: int
    n_records: int
    n_monitoring: int
    n_manual: int
    fit_bytes: int
    gpx_bytes: int
    export_bytes: int
    seconds: dict[str, float]


def build_synthetic(root: Path, n_runs: int, n_gpx: int, seed: int,
                    summaries: bool) -> Synthetic:
    """Write the export (zip and unzipped) and the GPX set under ``root``."""
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    runs = make_runs(n_runs, seed)
    seconds["simulate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed + 1)
    members: list[tuple[str, bytes]] = [
        (f"{USER}_{run.activity_id}.fit", write_fit(run.activity())) for run in runs]
    n_monitoring = max(4, n_runs // 50)
    for i in range(n_monitoring):
        day = runs[int(i * len(runs) / n_monitoring)].start_utc.replace(hour=0, minute=0,
                                                                           second=0)
        members.append((f"{USER}_{7_000_000_000 + i}.fit",
                        monitoring_fit(day, int(rng.integers(300, 1440)), rng)))
    members.sort()  # monitoring files among the activities, as in an export
    seconds["write FIT"] = time.perf_counter() - t0
    fit_total = sum(len(data) for _, data in members)

    t0 = time.perf_counter()
    half = (len(members) + 1) // 2
    chunks = {f"{PART_DIR}/UploadedFiles_0-_Part1": members[:half],
              f"{PART_DIR}/UploadedFiles_0-_Part2": members[half:]}
    folder = root / "export"
    for part, chunk in chunks.items():
        (folder / part).mkdir(parents=True)
        for name, data in chunk:
            (folder / part / name).write_bytes(data)
    n_manual = 0
    summary = b""
    if summaries:
        n_manual = max(2, n_runs // 100)
        step = max(1, len(runs) // n_manual)
        manual = [manual_entry(i, runs[i * step].start_utc - timedelta(hours=5))
                  for i in range(n_manual)]
        summary = json.dumps([{"summarizedActivitiesExport":
                               [summary_entry(run) for run in runs] + manual}]).encode()
        (folder / SUMMARY_MEMBER).parent.mkdir(parents=True)
        (folder / SUMMARY_MEMBER).write_bytes(summary)
    export_zip = root / "export.zip"
    with zipfile.ZipFile(export_zip, "w") as outer:
        if summaries:
            outer.writestr(SUMMARY_MEMBER, summary, zipfile.ZIP_DEFLATED)
        for part, chunk in chunks.items():
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as inner:
                for name, data in chunk:
                    inner.writestr(name, data)
            outer.writestr(f"{part}.zip", buffer.getvalue(), zipfile.ZIP_STORED)
        outer.writestr("customer_data/customer.json", b"{}", zipfile.ZIP_DEFLATED)
    seconds["files and zips"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    gpx_dir = root / "gpx"
    gpx_dir.mkdir()
    gpx: list[Path] = []
    for run in (r for r in runs if r.has_gps):
        if len(gpx) == n_gpx:
            break
        path = gpx_dir / f"activity_{run.activity_id}.gpx"
        path.write_bytes(gpx_bytes(run))
        gpx.append(path)
    seconds["write GPX"] = time.perf_counter() - t0
    return Synthetic(folder=folder, parts=[folder / p for p in chunks], export_zip=export_zip,
                     gpx=gpx, n_runs=n_runs,
                     n_records=sum(len(r.records["elapsed_s"]) for r in runs), n_monitoring=n_monitoring, n_manual=n_manual,
                     fit_bytes=fit_total, gpx_bytes=sum(p.stat().st_size for p in gpx),
                     export_bytes=export_zip.stat().st_size, seconds=seconds)


# ---------------------------------------------------------------------------
# timing


class InlineExecutor(Executor):
    """An Executor whose ``submit`` runs the job at once: forces serial decoding."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


_SCANNED = re.compile(r"Scanned (\d+) files in [\d.]+ s .*?; (\d+) from the cache, (\d+) decoded")


@dataclass
class Child:
    wall_s: float
    cpu_s: float | None
    rss_mib: float | None
    files: int
    from_cache: int
    decoded: int


class LoadMeter:
    """CPU time used by other processes, per phase: how busy the shared machine was.

    From ``/proc/stat`` (all CPUs' busy time) minus this process's and its
    reaped children's CPU time (``os.times``); Linux only, else nothing.
    Pool workers count as this process's once the pool is shut down.
    """

    def __init__(self) -> None:
        self.phases: list[dict[str, Any]] = []
        self.last = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        try:
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        busy = (sum(fields[:8]) - fields[3] - fields[4]) / ticks  # all but idle and iowait
        t = os.times()
        return time.perf_counter(), busy, t.user + t.system + t.children_user + t.children_system

    def mark(self, phase: str) -> None:
        """Close the running phase under the name ``phase``."""
        now = self._sample()
        if now is not None and self.last is not None:
            wall = now[0] - self.last[0]
            other = max(0.0, (now[1] - self.last[1]) - (now[2] - self.last[2]))
            self.phases.append({"phase": phase, "wall_s": wall, "other_cpu_s": other,
                                "other_cores": other / wall if wall > 0 else 0.0})
        self.last = now



def gnu_time() -> str | None:
    """GNU time's path when it is there: it reports the child's own peak RSS.

    ``os.wait4`` cannot: on Linux a child started from this (large) process
    inherits its peak RSS across ``exec``, so ``ru_maxrss`` would show the
    benchmark's memory; GNU time forks the measured command from a small process.
    """
    path = shutil.which("time") or "/usr/bin/time"
    try:
        done = subprocess.run([path, "-f", "%M", "-o", os.devnull, "true"], check=False,
                              capture_output=True)
    except OSError:
        return None
    return path if done.returncode == 0 else None


_GNU_TIME = gnu_time()


def child_env(work: Path, *, as_is: bool) -> dict[str, str]:
    """Environment of the timed processes: bytecode cached, as for an installed package.

    An editable checkout without ``__pycache__`` under ``PYTHONDONTWRITEBYTECODE``
    (as in some sandboxes) compiles runload's modules in every process; here
    bytecode goes to a folder in the work folder (``PYTHONPYCACHEPREFIX``), so
    the repository is not written to.  ``as_is`` keeps this process's environment.
    """
    env = dict(os.environ)
    if not as_is:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def current_rss_mib() -> float:
    """This process's resident memory now (Linux), else its peak so far."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MiB
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (MiB if sys.platform == "darwin" else 1024)


def run_child(cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None,
              ) -> tuple[float, float | None, float | None, str]:
    """(wall s, user+sys CPU s, peak RSS MiB, stdout) of one child process.

    Wall time is taken here (``perf_counter`` around start and exit); CPU and
    peak RSS come from GNU time when it is installed, else CPU from
    ``os.wait4`` and no RSS.  Timed processes run in the work folder, so that
    ``python -c`` does not import a ``runload`` folder from the current directory
    ahead of the installed one.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".time") as usage_file:
        full = ([_GNU_TIME, "-f", "%M %U %S", "-o", usage_file.name, *cmd] if _GNU_TIME
                else list(cmd))
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=err, env=env, cwd=cwd)
        cpu = rss = None
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
        else:
            proc.wait()
            wall = time.perf_counter() - t0
        if _GNU_TIME:
            fields = Path(usage_file.name).read_text().split()
            # GNU time prints "Command exited with non-zero status N" first on failure
            rss_kib, user, system = (float(x) for x in fields[-3:])
            rss, cpu = rss_kib / 1024, user + system
        out.seek(0)
        err.seek(0)
        text = out.read().decode(errors="replace")
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}:\n"
                               f"{err.read().decode(errors='replace')[-2000:]}")
    return wall, cpu, rss, text


def scan_child(path: Path, cache_dir: Path, env: dict[str, str]) -> Child:
    wall, cpu, rss, text = run_child([*runload_command(), "scan", str(path), "--cache-dir",
                                      str(cache_dir), "--no-progress"], env, cache_dir.parent)
    m = _SCANNED.search(text)
    if m is None:
        raise RuntimeError(f"unexpected runload scan output:\n{text[:500]}")
    return Child(wall, cpu, rss, int(m[1]), int(m[2]), int(m[3]))


def whole_process(path: Path, repeat: int, work: Path, env: dict[str, str]) -> dict[str, Any]:
    """``repeat`` x (fresh cache: cold run, then warm run) of ``runload scan``."""
    cold: list[Child] = []
    warm: list[Child] = []
    for _ in range(repeat):
        cache = Path(tempfile.mkdtemp(prefix="cache-", dir=work))
        cold.append(scan_child(path, cache, env))
        warm.append(scan_child(path, cache, env))
        shutil.rmtree(cache)
    return {"cold": _children(cold), "warm": _children(warm)}


def _children(rows: list[Child]) -> dict[str, Any]:
    return {"wall_s": [c.wall_s for c in rows], "cpu_s": [c.cpu_s for c in rows],
            "rss_mib": [c.rss_mib for c in rows], "files": rows[0].files,
            "from_cache": [c.from_cache for c in rows], "decoded": [c.decoded for c in rows]}


def startup(repeat: int, env: dict[str, str], work: Path) -> dict[str, Any]:
    """Whole-process time of the interpreter alone and of importing runload.cli."""
    out: dict[str, Any] = {}
    run_child([sys.executable, "-c", "import runload.cli"], env, work)  # untimed: compiles
    for label, code in (("python", "pass"), ("import runload.cli", "import runload.cli")):
        rows = [run_child([sys.executable, "-c", code], env, work) for _ in range(repeat)]
        out[label] = {"wall_s": [r[0] for r in rows], "cpu_s": [r[1] for r in rows],
                      "rss_mib": [r[2] for r in rows]}
    return out



def timed_read(paths: Any, **kwargs: Any) -> tuple[float, runload.History]:
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        history = runload.read_history(paths, **kwargs)
        return time.perf_counter() - t0, history


def in_process(path: Path, repeat: int, work: Path) -> dict[str, Any]:
    """``repeat`` x (fresh cache: cold, warm; no cache) of read_history in this process."""
    cold, warm, nocache = [], [], []
    counts: dict[str, Any] = {}
    for _ in range(repeat):
        cache = Path(tempfile.mkdtemp(prefix="cache-", dir=work))
        seconds, h = timed_read(path, cache_dir=cache)
        cold.append(seconds)
        counts["cold"] = (h.report.n_from_cache, h.report.n_decoded)
        seconds, h = timed_read(path, cache_dir=cache)
        warm.append(seconds)
        counts["warm"] = (h.report.n_from_cache, h.report.n_decoded)
        shutil.rmtree(cache)
        seconds, h = timed_read(path, use_cache=False)
        nocache.append(seconds)
    files = h.report.files
    status = files["status"].value_counts()
    return {"cold_s": cold, "warm_s": warm, "nocache_s": nocache, "counts": counts,
            "files": len(files), "read": int(status.get("read", 0)),
            "not_activity": int(status.get("not_activity", 0)),
            "failed": int(status.get("failed", 0)), "sessions": len(h.sessions),
            "duplicates": len(h.report.duplicates),
            "summary_only": int(h.sessions["is_summary_only"].sum())}


def profile_read(path: Path, work: Path, *, warm: bool, top: int = 10) -> dict[str, Any]:
    """One cold or warm in-process read under cProfile.

    Returns the total, runload's own functions by cumulative time (a call
    tree, flattened) and every function by own time.
    """
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=work))
    if warm:
        timed_read(path, cache_dir=cache)
    profiler = cProfile.Profile()
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        profiler.enable()
        runload.read_history(path, cache_dir=cache)
        profiler.disable()
    shutil.rmtree(cache)
    stats = pstats.Stats(profiler)
    rows = []
    for (file, line, func), (_, calls, own, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{Path(file).name}:{line}({func})" if line else func
        rows.append({"function": where, "runload": f"{os.sep}runload{os.sep}" in file,
                     "calls": calls, "own_s": own, "cum_s": cum})
    ours = sorted((r for r in rows if r["runload"] and "<" not in r["function"]),
                  key=lambda r: -r["cum_s"])
    return {"total_s": stats.total_tt,  # type: ignore[attr-defined]
            "runload_by_cum": ours[:top + 4],
            "by_own": sorted(rows, key=lambda r: -r["own_s"])[:top]}


EXECUTOR_MODES = ("default", "pool(2)", "serial")


def read_with(mode: str, paths: Any) -> float:
    if mode == "default":
        return timed_read(paths, use_cache=False)[0]
    if mode == "serial":
        return timed_read(paths, use_cache=False, executor=InlineExecutor())[0]
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=2) as pool:
            runload.read_history(paths, use_cache=False, executor=pool)
        return time.perf_counter() - t0


def executor_sets(history_a: Path, syn: Synthetic) -> list[tuple[str, Any, int, int]]:
    """(label, paths, files, bytes) of the sets the executor modes are compared on."""
    sets: list[tuple[str, Any, int, int]] = []
    a_files = [p for p in history_a.rglob("*") if p.is_file()]
    sets.append(("history_a FIT", history_a, len(a_files), sum(p.stat().st_size for p in a_files)))
    fit_files = [p for part in syn.parts for p in part.iterdir()]
    sets.append((f"synthetic FIT ({syn.n_runs} runs)", syn.parts, len(fit_files),
                 sum(p.stat().st_size for p in fit_files)))
    sizes = [p.stat().st_size for p in syn.gpx]
    cumulative = np.cumsum(sizes)
    counts = [1]
    for target in (2 * MiB, 4 * MiB, 16 * MiB):
        counts.append(int(np.searchsorted(cumulative, target)) + 1)
    counts.append(len(syn.gpx))
    for n in sorted({min(c, len(syn.gpx)) for c in counts}):
        sets.append((f"GPX, {n} file{'s' if n > 1 else ''}", syn.gpx[:n], n,
                     int(cumulative[n - 1])))
    return sets


def executor_compare(sets: list[tuple[str, Any, int, int]], repeat: int,
                     progress: Callable[[str], None]) -> list[dict[str, Any]]:
    """Times of every mode on every set; FIT sets (cheap) get at least 5 rounds.

    A GPX set's first file is read once untimed first (gpxpy's first use in
    this process); the FIT files were read by the import measurements before.
    """
    out = []
    for label, paths, n_files, n_bytes in sets:
        times: dict[str, list[float]] = {m: [] for m in EXECUTOR_MODES}
        xml = label.startswith("GPX")
        if xml:
            timed_read(paths[:1], use_cache=False)
        progress(f"executor: {label}")
        for r in range(repeat if xml else max(5, repeat)):
            order = EXECUTOR_MODES[r % 3:] + EXECUTOR_MODES[:r % 3]
            for mode in order:
                times[mode].append(read_with(mode, paths))
        out.append({"set": label, "files": n_files, "bytes": n_bytes, "xml": xml,
                    "times_s": times})
    return out


# ---------------------------------------------------------------------------
# report


def med(values: Sequence[float | None]) -> float:
    clean = [v for v in values if v is not None]
    return statistics.median(clean) if clean else float("nan")


def fmt_spread(values: Sequence[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{med(values):.2f} [{min(values):.2f}-{max(values):.2f}]"


def _mib(n: int) -> str:
    return f"{n / MiB:,.1f} MiB"


def print_report(s: dict[str, Any]) -> None:
    env, cfg = s["environment"], s["config"]
    print(f"runload import benchmark ({'quick' if cfg['quick'] else 'full'})")
    print(f"  python {env['python']}, numpy {env['numpy']}, pandas {env['pandas']}; "
          f"{env['cpus']} cpus; load average at end {env['loadavg_end'][0]:.2f}; "
          f"runload from {env['runload']}")
    print(f"  whole process: `{' '.join(env['command'])} scan PATH --cache-dir DIR "
          f"--no-progress`, {cfg['repeat']} repeat(s) of (fresh cache: cold, warm) for "
          f"history_a, {cfg['big_repeat']} for the synthetic export; in process: "
          f"read_history, {cfg['inproc_repeat']} repeat(s) of (cold, warm, no cache)")
    print("  timed processes: " + ("this environment as is" if cfg["env_as_is"] else
          "bytecode cached in the work folder (PYTHONPYCACHEPREFIX), as for an installed "
          "package") + "; peak RSS and CPU from " + (env["gnu_time"] or "os.wait4 (no RSS)"))
    syn = s["synthetic"]
    print()
    print(f"Synthetic export ({syn['runs']} runs, {syn['records']:,} records; made in "
          f"{cfg['workdir']}):")
    print(f"  {syn['runs']} activity FIT + {syn['monitoring']} monitoring FIT = "
          f"{_mib(syn['fit_bytes'])}; export.zip {_mib(syn['export_bytes'])}; "
          f"summarizedActivities.json: {syn['summaries']} entries ({syn['manual']} manual, "
          f"no file); {syn['gpx_files']} GPX = {_mib(syn['gpx_bytes'])}")
    gen = ", ".join(f"{k} {v:.1f} s" for k, v in syn["generation_s"].items())
    print(f"  generation (not measured): {gen}")
    print()

    other = {p["phase"]: p["other_cores"] for p in s["other_load"]}

    def busy(phase: str) -> str:
        return f"{other[phase]:.2f}" if phase in other else "?"

    print("Import time, wall seconds: median [min-max]; RSS = peak resident memory of the "
          "process (median); CPU = user+sys of the process (median); other = cores kept busy "
          "by other processes meanwhile")
    header = (f"{'data set':<24}{'files':>6}  {'how':<15}{'cold s':>20}{'warm s':>20}"
              f"{'no cache s':>18}{'RSS cold/warm':>16}{'CPU cold/warm':>15}{'other':>7}")
    print(header)
    print("-" * len(header))
    for row in s["imports"]:
        wp, ip = row["whole_process"], row["in_process"]
        rss = f"{med(wp['cold']['rss_mib']):.0f}/{med(wp['warm']['rss_mib']):.0f} MiB"
        cpu = f"{med(wp['cold']['cpu_s']):.2f}/{med(wp['warm']['cpu_s']):.2f}"
        print(f"{row['label']:<24}{wp['cold']['files']:>6}  {'whole process':<15}"
              f"{fmt_spread(wp['cold']['wall_s']):>20}{fmt_spread(wp['warm']['wall_s']):>20}"
              f"{'':>18}{rss:>16}{cpu:>15}{busy(row['label'] + ': whole process'):>7}")
        print(f"{'':<24}{ip['files']:>6}  {'read_history':<15}{fmt_spread(ip['cold_s']):>20}"
              f"{fmt_spread(ip['warm_s']):>20}{fmt_spread(ip['nocache_s']):>18}{'':>31}"
              f"{busy(row['label'] + ': in process'):>7}")
    st = s["startup"]
    for label, row in st.items():
        text = f"python -c '{'pass' if label == 'python' else label}'"
        print(f"{text:<45}{fmt_spread(row['wall_s']):>20}{'':>38}"
              f"{med(row['rss_mib']):>10.0f} MiB{med(row['cpu_s']):>15.2f}")
    print()
    print("What the imports found (in process, last repeat):")
    for row in s["imports"]:
        ip, wp = row["in_process"], row["whole_process"]
        print(f"  {row['label']}: {ip['files']} files: read {ip['read']}, not an activity "
              f"{ip['not_activity']}, failed {ip['failed']}; {ip['sessions']} sessions kept "
              f"({ip['summary_only']} summary-only), {ip['duplicates']} duplicates folded; "
              f"(from cache, decoded) cold {tuple(ip['counts']['cold'])}, warm "
              f"{tuple(ip['counts']['warm'])}; whole-process warm runs decoded "
              f"{max(wp['warm']['decoded'])} file(s)")
    print()

    print("Where warm whole-process time goes (medians):")
    start = med(st["import runload.cli"]["wall_s"])
    for row in s["imports"]:
        total = med(row["whole_process"]["warm"]["wall_s"])
        inproc = med(row["in_process"]["warm_s"])
        print(f"  {row['label']:<24} {total:.2f} s = start-up and imports {start:.2f} "
              f"+ read_history {inproc:.2f} + the rest (summary, printing, exit; "
              f"< 0 is noise) {total - start - inproc:+.2f}")
    parts = s["import_breakdown_s"]
    top = list(parts.items())[:6]
    rest = sum(parts.values()) - sum(v for _, v in top)
    print(f"  import runload.cli under -X importtime ({sum(parts.values()):.2f} s of imports, "
          f"self time by package): " + ", ".join(f"{k} {v:.3f}" for k, v in top)
          + f", others {rest:.3f}")
    print()
    prof = s.get("profile")
    if prof:
        for phase in ("warm", "cold"):
            p = prof[phase]
            print(f"cProfile of one {phase} read_history of {prof['target']} "
                  f"({p['total_s']:.2f} s under the profiler; the profiler slows Python code "
                  f"more than C code):")
            print(f"  {'runload functions by cumulative time':<86}| all functions by own time")
            left = [f"{r['cum_s']:6.2f} s {r['calls']:>6}x {r['function'][:60]}"
                    for r in p["runload_by_cum"]]
            right = [f"{r['own_s']:6.2f} s {r['calls']:>7}x {r['function'][:52]}"
                     for r in p["by_own"]]
            for i in range(max(len(left), len(right))):
                lt = left[i] if i < len(left) else ""
                rt = right[i] if i < len(right) else ""
                print(f"  {lt:<86}| {rt}")
        print()

    print(f"Executor (cold read_history, use_cache=False; median of {cfg['exec_repeat']} "
          f"rounds for GPX, {max(5, cfg['exec_repeat'])} for FIT; "
          "POOL_MIN_BYTES = " + ", ".join(f"{k} {_mib(v)}" for k, v in
                                          importer.POOL_MIN_BYTES.items()) + "):")
    header = (f"  {'set':<28}{'files':>6}{'size':>12}{'default s':>11}{'pool(2) s':>11}"
              f"{'serial s':>10}{'pool/serial':>13}{'default/serial':>16}{'pool/default':>14}"
              f"{'best-of pool/serial':>21}{'other':>7}")
    print(header)
    print("  " + "-" * (len(header) - 2))
    for row in s["executor"]:
        t = {m: med(v) for m, v in row["times_s"].items()}
        print(f"  {row['set']:<28}{row['files']:>6}{_mib(row['bytes']):>12}"
              f"{t['default']:>11.2f}{t['pool(2)']:>11.2f}{t['serial']:>10.2f}"
              f"{t['pool(2)'] / t['serial']:>13.2f}{t['default'] / t['serial']:>16.2f}"
              f"{t['pool(2)'] / t['default']:>14.2f}"
              f"{min(row['times_s']['pool(2)']) / min(row['times_s']['serial']):>21.2f}"
              f"{busy('executor: ' + row['set']):>7}")
    print(f"  (ratios of medians; best-of: fastest round of each mode, less hurt by other load "
          f"on the machine; this process's RSS when forking the pools: "
          f"{s['executor_parent_rss_mib']:.0f} MiB)")
    print()

    v = s["verdict"]
    print("Verdict:")
    print(f"  warm whole-process import of history_a: {v['history_a_warm_s']:.2f} s "
          f"(median) -> {'MET' if v['target_met'] else 'NOT MET'} (target < "
          f"{TARGET_WARM_S:.0f} s; slowest warm run {v['history_a_warm_max_s']:.2f} s)")
    for line in v["lines"]:
        print(f"  {line}")
    load = s["other_load"]
    if load:
        total = sum(p["other_cpu_s"] for p in load) / sum(p["wall_s"] for p in load)
        busy = [p for p in load if p["other_cores"] >= 0.25 and p["wall_s"] >= 2]
        print(f"Other processes on the machine kept {total:.2f} of {s['environment']['cpus']} "
              f"cores busy on average during the benchmark" + (
                  "; busiest phases (cores; timings there are less reliable): " + ", ".join(
                      f"{p['phase']} {p['other_cores']:.2f}"
                      for p in sorted(busy, key=lambda p: -p["other_cores"])[:5])
                  if busy else "; no phase above 0.25 cores"))
    print(f"Benchmark wall time {s['wall_s']:.0f} s")


def verdict(s: dict[str, Any]) -> dict[str, Any]:
    hist = s["imports"][0]["whole_process"]["warm"]["wall_s"]
    lines = []
    for row in s["executor"]:
        t = {m: med(v) for m, v in row["times_s"].items()}
        pool, serial, default = t["pool(2)"], t["serial"], t["default"]
        pays = pool < 0.9 * serial
        costs = pool > 1.1 * serial
        word = ("pays" if pays else "costs") if pays or costs else "is a wash (within 10 %)"
        limit = importer.POOL_MIN_BYTES["gpx" if row["xml"] else "fit"]
        rule = "pool" if row["bytes"] >= limit and (os.cpu_count() or 1) > 1 else "inline"
        best = min(t, key=t.__getitem__)
        lines.append(f"{row['set']} ({_mib(row['bytes'])}): a pool of 2 {word} "
                     f"(pool/serial {pool / serial:.2f}); the default rule chose {rule}: "
                     f"{default / serial:.2f} x serial; fastest: {best}")
    return {"history_a_warm_s": med(hist), "history_a_warm_max_s": max(hist),
            "target_met": med(hist) < TARGET_WARM_S, "lines": lines}


# ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER,
                        help="the real history folder (default: ../shared/realdata/history_a "
                             "from the repository root)")
    parser.add_argument("--quick", action="store_true",
                        help="a fast check: 200 runs, 40 GPX, fewer repeats")
    parser.add_argument("--runs", type=int, default=None,
                        help="synthetic runs (default 2000; 200 with --quick)")
    parser.add_argument("--gpx-runs", type=int, default=None,
                        help="synthetic runs also written as GPX (default 200; 40 with --quick)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="whole-process (cold, warm) pairs on history_a and start-up runs "
                             "(default 7; 3 with --quick)")
    parser.add_argument("--big-repeat", type=int, default=None,
                        help="whole-process (cold, warm) pairs on the synthetic export "
                             "(default 3; 2 with --quick)")
    parser.add_argument("--inproc-repeat", type=int, default=None,
                        help="in-process (cold, warm, no cache) rounds (default 3; 2 with "
                             "--quick)")
    parser.add_argument("--exec-repeat", type=int, default=None,
                        help="executor comparison rounds (default 2; 1 with --quick)")
    parser.add_argument("--no-summaries", action="store_true",
                        help="leave summarizedActivities.json out of the export")
    parser.add_argument("--no-profile", action="store_true",
                        help="skip the cProfile of a warm read of the export")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the synthetic data and caches go (default: a new temporary "
                             "folder, deleted at the end); never inside the repository")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--env-as-is", action="store_true",
                        help="run the timed processes in this environment unchanged (default: "
                             "bytecode cached in the work folder, see child_env)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    quick = args.quick
    defaults = {"runs": (2000, 200), "gpx_runs": (200, 40), "repeat": (7, 3),
                "big_repeat": (3, 2), "inproc_repeat": (3, 2), "exec_repeat": (2, 1)}
    for name, (full, fast) in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, fast if quick else full)
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    args.folder = args.folder.resolve()
    if not args.folder.is_dir():
        parser.error(f"{args.folder}: no such folder")
    if args.workdir is not None:
        args.workdir = args.workdir.resolve()
        if args.workdir == REPO_ROOT or REPO_ROOT in args.workdir.parents:
            parser.error("--workdir must be outside the repository")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()

    meter = LoadMeter()
    phase = ["start"]

    def progress(text: str) -> None:
        meter.mark(phase[0])
        phase[0] = text
        if not args.quiet:
            print(f"  [{time.perf_counter() - started:5.0f} s] {text}", file=sys.stderr,
                  flush=True)

    if args.workdir is None:
        work = Path(tempfile.mkdtemp(prefix="runload-bench-import-"))
    else:
        args.workdir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="run-", dir=args.workdir))
    try:
        progress("building the synthetic data")
        syn = build_synthetic(work, args.runs, args.gpx_runs, args.seed,
                              summaries=not args.no_summaries)
        summary: dict[str, Any] = {}
        summary["executor"] = executor_compare(executor_sets(args.folder, syn),
                                               args.exec_repeat, progress)
        summary["executor_parent_rss_mib"] = current_rss_mib()
        progress("start-up")
        env = child_env(work, as_is=args.env_as_is)
        summary["startup"] = startup(args.repeat, env, work)
        summary["import_breakdown_s"] = import_breakdown("import runload.cli", env, work)
        imports = []
        for label, path, repeat in (
                ("history_a", args.folder, args.repeat),
                ("synthetic export.zip", syn.export_zip, args.big_repeat),
                ("synthetic, unzipped", syn.folder, args.big_repeat)):
            progress(f"{label}: whole process")
            wp = whole_process(path, repeat, work, env)
            progress(f"{label}: in process")
            ip = in_process(path, args.inproc_repeat, work)
            imports.append({"label": label, "path": str(path), "whole_process": wp,
                            "in_process": ip})
        summary["imports"] = imports
        if not args.no_profile:
            progress("profiles")
            summary["profile"] = {
                "target": "synthetic export.zip",
                "cold": profile_read(syn.export_zip, work, warm=False),
                "warm": profile_read(syn.export_zip, work, warm=True)}
        summary["synthetic"] = {
            "runs": syn.n_runs, "monitoring": syn.n_monitoring, "manual": syn.n_manual,
            "summaries": (syn.n_runs + syn.n_manual) if not args.no_summaries else 0,
            "records": syn.n_records, "fit_bytes": syn.fit_bytes,
            "export_bytes": syn.export_bytes, "gpx_files": len(syn.gpx),
            "gpx_bytes": syn.gpx_bytes, "generation_s": syn.seconds}
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    summary["config"] = {
        "quick": args.quick, "folder": str(args.folder), "runs": args.runs,
        "gpx_runs": args.gpx_runs, "repeat": args.repeat, "big_repeat": args.big_repeat,
        "inproc_repeat": args.inproc_repeat, "exec_repeat": args.exec_repeat,
        "summaries": not args.no_summaries, "seed": args.seed, "env_as_is": args.env_as_is,
        "workdir": str(work) + ("" if args.keep else " (deleted)")}
    summary["environment"] = {
        "python": platform.python_version(), "platform": platform.platform(),
        "cpus": os.cpu_count(), "loadavg_end": os.getloadavg(), "numpy": np.__version__,
        "pandas": pd.__version__, "command": runload_command(), "gnu_time": _GNU_TIME,
        "runload": str(Path(runload.__file__).parent),
        "pool_min_bytes": importer.POOL_MIN_BYTES}
    meter.mark(phase[0])
    summary["other_load"] = meter.phases
    summary["wall_s"] = time.perf_counter() - started
    summary["verdict"] = verdict(summary)
    print_report(summary)
    if args.json is not None:
        args.json.write_text(json.dumps(summary, indent=1, default=str) + "\n")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
