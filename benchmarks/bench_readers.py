"""Reader benchmark: records/s of runload against fitparse and fitdecode on the same files.

Every library does the same job on every file: read all ``record`` messages
into a pandas DataFrame (timestamp, lat, lon, distance, speed, altitude, heart
rate, cadence; enhanced speed and altitude preferred) and collect the
``session`` messages.  For runload this is :func:`runload.readers.fit.parse_fit`
(its per-session streams are the DataFrame).  fitparse and fitdecode run with
their default options (both check the CRC).  The raw decoder
:func:`runload.readers.fit_decode.decode` (no DataFrame, no mapping) is
reported on its own line.

Method (see the research note on performance): file bytes are read into
memory first and only parsing is timed (``time.perf_counter``), after one
warm-up call per library.  The files are timed in interleaved rounds: in every
round the files come in a new random order, and for each file the libraries
run back to back in a random order, so a ratio between two libraries is taken
on the same file within the same fraction of a second.  That matters because
the machine is shared and noisy.

* runload (``parse_fit`` and raw ``decode``) is timed on every file in every
  round, best of ``--repeat`` calls (default 5).
* fitparse and fitdecode take about 0.2-1 s per file, so by default each of
  them runs once per file in total (``--lib-rounds 1``): every round times
  them on a different 1/``--rounds`` of the files.  ``--lib-rounds R`` (up to
  ``--rounds``) times them R times per file.
* A file's ratio is fitparse time / runload time from the same round
  (median over rounds when there are several).  Per-library totals are sums of
  per-file medians.

Files: the running files with records (sport 'running', ``n_records`` > 0,
as runload reads them) of the folder.  Running files without records (manual
entries) make records/s meaningless, so they are timed apart, per file only.
The other sports are not timed per library; ``read_history(folder)`` (no cache) over the whole
folder is timed once per round.

Run from the repository root::

    python benchmarks/bench_readers.py                  # history_a, 3 rounds: about 1.5 min
    python benchmarks/bench_readers.py --lib-rounds 3   # libraries every round: about 3.5 min
    python benchmarks/bench_readers.py --limit 10 --rounds 1
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from runload.errors import ReadError
from runload.readers import fit_decode
from runload.readers.fit import parse_fit
from runload.readers.importer import read_history

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = REPO_ROOT / ".." / "shared" / "realdata" / "history_a"
TARGET_X = 100.0
SEMICIRCLE_DEG = 180.0 / 2**31
#: Projection: 2000 one-hour runs recorded at 1 Hz.
PROJECT_RUNS = 2000
PROJECT_RECORDS_PER_RUN = 3600
SEED = 20240601

LIBS = ("runload", "runload-decode", "fitparse", "fitdecode")
LABELS = {
    "runload": "runload parse_fit",
    "runload-decode": "runload raw decode*",
    "fitparse": "fitparse",
    "fitdecode": "fitdecode",
}


# ---------------------------------------------------------------------------
# the job, per library


def _first_values(fields: Iterable[Any]) -> dict[str, Any]:
    """{name: value} keeping the first value that is not None (names can repeat)."""
    out: dict[str, Any] = {}
    for f in fields:
        value = f.value
        if value is not None and f.name not in out:
            out[f.name] = value
    return out


def _column(rows: list[dict[str, Any]], *names: str) -> np.ndarray:
    values = []
    for row in rows:
        value = None
        for name in names:
            value = row.get(name)
            if value is not None:
                break
        values.append(value)
    return np.array(values, dtype=np.float64)


def records_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The benchmark's record DataFrame from per-record {field: value} dicts."""
    return pd.DataFrame({
        "timestamp": pd.to_datetime([row.get("timestamp") for row in rows], utc=True),
        "lat_deg": _column(rows, "position_lat") * SEMICIRCLE_DEG,
        "lon_deg": _column(rows, "position_long") * SEMICIRCLE_DEG,
        "distance_m": _column(rows, "distance"),
        "speed_mps": _column(rows, "enhanced_speed", "speed"),
        "altitude_m": _column(rows, "enhanced_altitude", "altitude"),
        "hr_bpm": _column(rows, "heart_rate"),
        "cadence": _column(rows, "cadence"),
    })


def job_fitparse(data: bytes) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    import fitparse

    records: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    fit = fitparse.FitFile(data)
    for message in fit.get_messages(["record", "session"]):
        if message.name == "record":
            records.append(_first_values(message.fields))
        else:
            sessions.append(_first_values(message.fields))
    return records_frame(records), sessions


def job_fitdecode(data: bytes) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    import fitdecode

    records: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    with fitdecode.FitReader(io.BytesIO(data)) as fit:
        for frame in fit:
            if isinstance(frame, fitdecode.FitDataMessage):
                if frame.name == "record":
                    records.append(_first_values(frame.fields))
                elif frame.name == "session":
                    sessions.append(_first_values(frame.fields))
    return records_frame(records), sessions


def make_job(lib: str, data: bytes, path: str) -> Callable[[], Any]:
    if lib == "runload":
        return lambda: parse_fit(data, path)
    if lib == "runload-decode":
        return lambda: fit_decode.decode(data)
    if lib == "fitparse":
        return lambda: job_fitparse(data)
    if lib == "fitdecode":
        return lambda: job_fitdecode(data)
    raise ValueError(lib)


def timed(job: Callable[[], Any]) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process, result) of one call."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    out = job()
    t1 = time.perf_counter()
    return t1 - t0, time.process_time() - c0, out


# ---------------------------------------------------------------------------
# data


@dataclass
class BenchFile:
    name: str
    path: str
    data: bytes
    n_records: int
    sessions: int
    sub_sport: str
    #: per library: list of (round, wall seconds); runload: best call of the round
    times: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    #: the same in CPU seconds of the process (time.process_time)
    cpu: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    #: runload: wall seconds of every call of the round
    calls: dict[str, list[tuple[int, list[float]]]] = field(default_factory=dict)
    check: dict[str, str] = field(default_factory=dict)
    #: library -> error, when a library could not read the file (the file is then left out)
    failed: dict[str, str] = field(default_factory=dict)


def select_files(folder: Path) -> tuple[list[BenchFile], list[BenchFile], dict[str, int]]:
    """(running files with records, running files without records, counts of the rest)."""
    runs: list[BenchFile] = []
    manual: list[BenchFile] = []
    other = {"other sport": 0, "not read by runload": 0}
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        if not file.name.lower().endswith(".fit"):
            continue
        data = file.read_bytes()
        try:
            parsed = parse_fit(data, str(file))
        except ReadError:
            other["not read by runload"] += 1
            continue
        sports = [s.get("sport") for s in parsed.sessions]
        if "running" not in sports:
            other["other sport"] += 1
            continue
        n = sum(int(s.get("n_records") or 0) for s in parsed.sessions)
        sub = ",".join(sorted({str(s.get("sub_sport")) for s in parsed.sessions}))
        bench = BenchFile(file.name, str(file), data, n, len(parsed.sessions), sub)
        (runs if n > 0 else manual).append(bench)
    return runs, manual, other


def check_output(f: BenchFile, lib: str, out: tuple[pd.DataFrame, list[dict[str, Any]]],
                 ref: pd.DataFrame) -> None:
    """Compare a library's DataFrame with runload's streams (rows, hr, distance, lat)."""
    df, sessions = out
    if lib in f.check:
        return
    problems = []
    if len(df) != len(ref):
        problems.append(f"{len(df)} rows vs runload {len(ref)}")
    elif f.sessions == 1:
        for mine, theirs in (("hr_bpm", "hr_bpm"), ("distance_m", "distance_m"),
                             ("lat_deg", "lat_deg")):
            a = df[mine].to_numpy(dtype=np.float64)
            b = ref[theirs].to_numpy(dtype=np.float64)
            if not np.allclose(a, b, rtol=1e-9, atol=1e-6, equal_nan=True):
                problems.append(f"{mine} differs")
    if len(sessions) != f.sessions:
        problems.append(f"{len(sessions)} sessions vs runload {f.sessions}")
    f.check[lib] = "; ".join(problems) or "ok"


def runload_stream(f: BenchFile) -> pd.DataFrame:
    parsed = parse_fit(f.data, f.path)
    return pd.concat(parsed.streams, ignore_index=True) if len(parsed.streams) > 1 \
        else parsed.streams[0]


# ---------------------------------------------------------------------------
# timing


def run_rounds(runs: list[BenchFile], manual: list[BenchFile], folder: Path, rounds: int,
               lib_rounds: int, repeat: int, progress: bool) -> list[float]:
    rng = random.Random(SEED)
    refs: dict[str, pd.DataFrame] = {}
    scan_times: list[float] = []
    started = time.perf_counter()
    for r in range(rounds):
        order = list(range(len(runs)))
        rng.shuffle(order)
        for done, i in enumerate(order, start=1):
            f = runs[i]
            libs = ["runload", "runload-decode"]
            if (i + r) % rounds < lib_rounds:
                libs += ["fitparse", "fitdecode"]
            rng.shuffle(libs)
            for lib in libs:
                job = make_job(lib, f.data, f.path)
                if lib.startswith("runload"):
                    calls = [timed(job)[:2] for _ in range(repeat)]
                    f.calls.setdefault(lib, []).append((r, [w for w, _ in calls]))
                    f.times.setdefault(lib, []).append((r, min(w for w, _ in calls)))
                    f.cpu.setdefault(lib, []).append((r, min(c for _, c in calls)))
                elif lib not in f.failed:
                    try:
                        seconds, cpu, out = timed(job)
                    except Exception as exc:  # noqa: BLE001 - any failure leaves the file out
                        f.failed[lib] = f"{type(exc).__name__}: {exc}"
                        continue
                    f.times.setdefault(lib, []).append((r, seconds))
                    f.cpu.setdefault(lib, []).append((r, cpu))
                    if f.name not in refs:
                        refs[f.name] = runload_stream(f)
                    check_output(f, lib, out, refs[f.name])
                    del out
            if len(f.check) + len(f.failed) >= 2:
                refs.pop(f.name, None)
            if progress:
                print(f"\r  round {r + 1}/{rounds}: {done}/{len(runs)} files, "
                      f"{time.perf_counter() - started:.0f} s", end="", file=sys.stderr,
                      flush=True)
        order = list(range(len(manual)))
        rng.shuffle(order)
        for i in order:
            f = manual[i]
            libs = ["runload", "fitparse", "fitdecode"]
            rng.shuffle(libs)
            for lib in libs:
                if lib in f.failed:
                    continue
                job = make_job(lib, f.data, f.path)
                reps = repeat if lib == "runload" else 1
                try:
                    calls = [timed(job)[:2] for _ in range(reps)]
                except Exception as exc:  # noqa: BLE001 - any failure leaves the file out
                    f.failed[lib] = f"{type(exc).__name__}: {exc}"
                    continue
                f.times.setdefault(lib, []).append((r, min(w for w, _ in calls)))
                f.cpu.setdefault(lib, []).append((r, min(c for _, c in calls)))
        gc.collect()
        t0 = time.perf_counter()
        read_history(folder, use_cache=False)
        scan_times.append(time.perf_counter() - t0)
    if progress:
        print(file=sys.stderr)
    return scan_times


def warm_up(files: list[BenchFile]) -> None:
    """One call of every library, on the first file all of them read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in files:
            try:
                for lib in LIBS:
                    make_job(lib, f.data, f.path)()
            except Exception:  # noqa: BLE001, S112 - try the next file
                continue
            return


# ---------------------------------------------------------------------------
# statistics and report


def median_time(f: BenchFile, lib: str) -> float:
    return statistics.median(t for _, t in f.times[lib])


def file_ratio(f: BenchFile, num: str, den: str, *, den_stat: str = "best") -> float:
    """Median over rounds of num/den, both from the same round.

    ``den_stat``: 'best' (wall, best call of the round), 'median' (wall,
    median call of the round) or 'cpu' (CPU time of both, best call).
    """
    nums = f.cpu[num] if den_stat == "cpu" else f.times[num]
    if den_stat == "best":
        den_by_round = dict(f.times[den])
    elif den_stat == "cpu":
        den_by_round = dict(f.cpu[den])
    else:
        den_by_round = {r: statistics.median(c) for r, c in f.calls[den]}
    return statistics.median(t / den_by_round[r] for r, t in nums)


def paired_time(f: BenchFile, lib: str, other: str) -> float:
    """Median of ``lib``'s times in the rounds where ``other`` was timed on the file."""
    rounds = {r for r, _ in f.times[other]}
    return statistics.median(t for r, t in f.times[lib] if r in rounds)


def round_ratios(runs: list[BenchFile], num: str, den: str) -> list[float]:
    """Per round: sum of num times / sum of den times over the files num ran on."""
    out = []
    rounds = sorted({r for f in runs for r, _ in f.times.get(num, [])})
    for r in rounds:
        a = b = 0.0
        for f in runs:
            num_r = dict(f.times[num])
            if r in num_r:
                a += num_r[r]
                b += dict(f.times[den])[r]
        out.append(a / b)
    return out


def ratio_groups(runs: list[BenchFile], ratios: dict[str, float],
                 ratios_cpu: dict[str, float]) -> list[dict[str, Any]]:
    """Per-file ratio statistics by record count and by sub-sport."""
    groups: dict[str, list[BenchFile]] = {}
    for f in runs:
        size = ("< 1,000 records" if f.n_records < 1000 else
                "1,000-2,999 records" if f.n_records < 3000 else ">= 3,000 records")
        groups.setdefault(size, []).append(f)
        groups.setdefault(f"sub_sport {f.sub_sport}", []).append(f)
    order = ["< 1,000 records", "1,000-2,999 records", ">= 3,000 records"]
    names = [g for g in order if g in groups] + sorted(g for g in groups if g not in order)
    out = []
    for name in names:
        fs = groups[name]
        wall = [ratios[f.name] for f in fs]
        cpu = [ratios_cpu[f.name] for f in fs]
        out.append({"group": name, "files": len(fs),
                    "runload_ms_median": 1e3 * statistics.median(median_time(f, "runload")
                                                                 for f in fs),
                    "fitparse_ms_median": 1e3 * statistics.median(median_time(f, "fitparse")
                                                                  for f in fs),
                    "median": statistics.median(wall), "min": min(wall),
                    "below_target": sum(v < TARGET_X for v in wall),
                    "median_cpu": statistics.median(cpu), "min_cpu": min(cpu),
                    "below_target_cpu": sum(v < TARGET_X for v in cpu)})
    return out


def fmt_duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def summarise(runs: list[BenchFile], manual: list[BenchFile], other: dict[str, int],
              scan_times: list[float], scan_counts: dict[str, int],
              args: argparse.Namespace, wall: float) -> dict[str, Any]:
    failed = [{"file": f.name, **f.failed} for f in runs + manual if f.failed]
    runs = [f for f in runs if not f.failed]
    manual = [f for f in manual if not f.failed]
    n_rec = sum(f.n_records for f in runs)
    libs: dict[str, dict[str, float]] = {}
    for lib in LIBS:
        seconds = sum(median_time(f, lib) for f in runs)
        libs[lib] = {"files": len(runs), "records": n_rec, "seconds": seconds,
                     "records_per_s": n_rec / seconds,
                     "ms_per_file_median": 1e3 * statistics.median(median_time(f, lib)
                                                                   for f in runs),
                     "projected_s": PROJECT_RUNS * PROJECT_RECORDS_PER_RUN * seconds / n_rec}
    for lib in LIBS:
        libs[lib]["x_fitparse"] = libs["fitparse"]["seconds"] / libs[lib]["seconds"]
    ratios = {f.name: file_ratio(f, "fitparse", "runload") for f in runs}
    ratios_med5 = {f.name: file_ratio(f, "fitparse", "runload", den_stat="median")
                   for f in runs}
    ratios_cpu = {f.name: file_ratio(f, "fitparse", "runload", den_stat="cpu") for f in runs}
    ratios_fd = {f.name: file_ratio(f, "fitdecode", "runload") for f in runs}
    ratios_raw = {f.name: file_ratio(f, "fitparse", "runload-decode") for f in runs}
    per_file = []
    for f in runs:
        per_file.append({
            "file": f.name, "bytes": len(f.data), "records": f.n_records,
            "sessions": f.sessions, "sub_sport": f.sub_sport,
            **{f"{lib}_ms": 1e3 * median_time(f, lib) for lib in LIBS},
            "runload_ms_paired": 1e3 * paired_time(f, "runload", "fitparse"),
            "runload-decode_ms_paired": 1e3 * paired_time(f, "runload-decode", "fitparse"),
            **{f"{lib}_cpu_ms": 1e3 * statistics.median(t for _, t in f.cpu[lib])
               for lib in LIBS},
            "x_fitparse": ratios[f.name], "x_fitparse_runload_median5": ratios_med5[f.name],
            "x_fitparse_cpu": ratios_cpu[f.name],
            "x_fitdecode": ratios_fd[f.name],
            "check_fitparse": f.check.get("fitparse", ""),
            "check_fitdecode": f.check.get("fitdecode", ""),
        })
    manual_summary: dict[str, Any] = {"files": len(manual)}
    if manual:
        for lib in ("runload", "fitparse", "fitdecode"):
            manual_summary[f"{lib}_ms_per_file_median"] = 1e3 * statistics.median(
                median_time(f, lib) for f in manual)
        manual_summary["x_fitparse_median"] = statistics.median(
            file_ratio(f, "fitparse", "runload") for f in manual)
        manual_summary["x_fitparse_min"] = min(
            file_ratio(f, "fitparse", "runload") for f in manual)
    values = list(ratios.values())
    return {
        "config": {"folder": str(args.folder), "rounds": args.rounds,
                   "lib_rounds": args.lib_rounds, "repeat": args.repeat, "limit": args.limit,
                   "seed": SEED},
        "environment": {
            "python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "loadavg_end": os.getloadavg(),
            "numpy": np.__version__, "pandas": pd.__version__,
            "fitparse": _version("fitparse"), "fitdecode": _version("fitdecode"),
        },
        "selection": {"running_with_records": len(runs), "running_without_records": len(manual),
                      **other, "left_out_library_failed": len(failed)},
        "failed": failed,
        "libraries": libs,
        "per_file_x_fitparse": {
            "median": statistics.median(values), "min": min(values), "max": max(values),
            "min_file": min(ratios, key=ratios.__getitem__),
            "files_below_target": sum(v < TARGET_X for v in values),
            "median_runload_median5": statistics.median(ratios_med5.values()),
            "min_runload_median5": min(ratios_med5.values()),
            "median_cpu": statistics.median(ratios_cpu.values()),
            "min_cpu": min(ratios_cpu.values()),
            "min_file_cpu": min(ratios_cpu, key=ratios_cpu.__getitem__),
            "files_below_target_cpu": sum(v < TARGET_X for v in ratios_cpu.values()),
            "by_group": ratio_groups(runs, ratios, ratios_cpu),
            "raw_decode_median": statistics.median(ratios_raw.values()),
            "raw_decode_min": min(ratios_raw.values()),
            "fitdecode_median": statistics.median(ratios_fd.values()),
            "fitdecode_min": min(ratios_fd.values()),
            "same_round_aggregate": round_ratios(runs, "fitparse", "runload"),
        },
        "target": {"x_fitparse_per_file": TARGET_X, "met": min(values) >= TARGET_X},
        "manual_entries": manual_summary,
        "scan": {"seconds": scan_times, **scan_counts},
        "per_file": per_file,
        "wall_s": wall,
    }


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return "?"


def print_report(s: dict[str, Any]) -> None:
    env, cfg, sel = s["environment"], s["config"], s["selection"]
    print(f"runload reader benchmark: {cfg['folder']}")
    print(f"  python {env['python']}, numpy {env['numpy']}, pandas {env['pandas']}, "
          f"fitparse {env['fitparse']}, fitdecode {env['fitdecode']}; {env['cpus']} cpus, "
          f"load average at end {env['loadavg_end'][0]:.2f}")
    print(f"  files: {sel['running_with_records']} running files with records (timed); "
          f"{sel['running_without_records']} running files without records (manual entries, "
          f"timed apart); {sel['other sport']} other sports and "
          f"{sel['not read by runload']} unreadable not timed per library")
    for row in s["failed"]:
        errors = "; ".join(f"{k}: {v}" for k, v in row.items() if k != "file")
        print(f"  left out, a library failed on it: {row['file']} ({errors[:150]})")
    print(f"  {cfg['rounds']} interleaved rounds; runload best of {cfg['repeat']} calls per file "
          f"per round; fitparse and fitdecode {cfg['lib_rounds']} call(s) per file in all")
    print()
    header = (f"{'library':<22}{'files':>6}{'records':>10}{'seconds':>10}{'records/s':>12}"
              f"{'ms/file':>9}{'x fitparse':>12}{'2000 x 1 h':>12}")
    print(header)
    print("-" * len(header))
    for lib in ("runload", "runload-decode", "fitdecode", "fitparse"):
        row = s["libraries"][lib]
        print(f"{LABELS[lib]:<22}{row['files']:>6}{row['records']:>10,}{row['seconds']:>10.3f}"
              f"{row['records_per_s']:>12,.0f}{row['ms_per_file_median']:>9.1f}"
              f"{row['x_fitparse']:>11.1f}x{fmt_duration(row['projected_s']):>12}")
    print("* raw decode: fit_decode.decode only, no DataFrame and no session mapping; "
          "not the same job.")
    print(f"  seconds = sum of per-file medians; ms/file = median file; 2000 x 1 h = "
          f"{PROJECT_RUNS} runs x {PROJECT_RECORDS_PER_RUN} records at the measured records/s, "
          f"one core.")
    print()
    r = s["per_file_x_fitparse"]
    same_round = ", ".join(f"{x:.0f}x" for x in r["same_round_aggregate"])
    print(f"Per-file ratio fitparse time / runload time (same file, same round), "
          f"{s['libraries']['runload']['files']} files:")
    print(f"  median {r['median']:.0f}x, min {r['min']:.0f}x ({r['min_file']}), "
          f"max {r['max']:.0f}x; {r['files_below_target']} file(s) below {TARGET_X:.0f}x")
    print(f"  with runload's median of {cfg['repeat']} calls instead of its best: "
          f"median {r['median_runload_median5']:.0f}x, min {r['min_runload_median5']:.0f}x")
    print(f"  on CPU time (time.process_time of both; not slowed by other processes): "
          f"median {r['median_cpu']:.0f}x, min {r['min_cpu']:.0f}x ({r['min_file_cpu']}); "
          f"{r['files_below_target_cpu']} file(s) below {TARGET_X:.0f}x")
    print(f"  fitdecode / runload: median {r['fitdecode_median']:.0f}x, "
          f"min {r['fitdecode_min']:.0f}x;  fitparse / raw decode: "
          f"median {r['raw_decode_median']:.0f}x, min {r['raw_decode_min']:.0f}x")
    print(f"  aggregate fitparse/runload per round (files timed in that round): {same_round}")
    met = "MET" if s["target"]["met"] else "NOT MET"
    print(f"Target >= {TARGET_X:.0f}x fitparse on every running file: {met} "
          f"(min {r['min']:.0f}x, median {r['median']:.0f}x)")
    print()
    gw = max(len(g["group"]) for g in r["by_group"]) + 2
    print("Per-file ratio by group (wall | CPU time):")
    print(f"  {'group':<{gw}}{'files':>6}{'runload ms':>12}{'fitparse ms':>13}{'median':>9}"
          f"{'min':>7}{'< target':>10}{'|':>3}{'median':>8}{'min':>7}{'< target':>10}")
    for g in r["by_group"]:
        print(f"  {g['group']:<{gw}}{g['files']:>6}{g['runload_ms_median']:>12.2f}"
              f"{g['fitparse_ms_median']:>13.0f}{g['median']:>8.0f}x{g['min']:>6.0f}x"
              f"{g['below_target']:>10}{'|':>3}{g['median_cpu']:>7.0f}x{g['min_cpu']:>6.0f}x"
              f"{g['below_target_cpu']:>10}")
    print("  (runload ms, fitparse ms: median file of the group)")
    print()
    worst = sorted(s["per_file"], key=lambda row: row["x_fitparse"])[:8]
    fw = max(len(row["file"]) for row in worst) + 2
    sw = max(len(row["sub_sport"]) for row in worst) + 2
    print("Lowest per-file ratios (runload times from the round fitparse ran in):")
    print(f"  {'file':<{fw}}{'sub_sport':>{sw}}{'bytes':>9}{'records':>9}{'runload ms':>12}"
          f"{'decode ms':>11}{'fitparse ms':>13}{'x fitparse':>12}{'x (CPU)':>9}")
    for row in worst:
        print(f"  {row['file']:<{fw}}{row['sub_sport']:>{sw}}{row['bytes']:>9,}{row['records']:>9,}"
              f"{row['runload_ms_paired']:>12.2f}{row['runload-decode_ms_paired']:>11.2f}"
              f"{row['fitparse_ms']:>13.0f}{row['x_fitparse']:>11.0f}x"
              f"{row['x_fitparse_cpu']:>8.0f}x")
    bad = [(row["file"], lib, row[f"check_{lib}"]) for row in s["per_file"]
           for lib in ("fitparse", "fitdecode") if row[f"check_{lib}"] not in ("ok", "")]
    print(f"Output check against runload's streams (rows, hr, distance, lat; sessions): "
          f"{len(s['per_file']) * 2 - len(bad)} of {len(s['per_file']) * 2} "
          f"library/file pairs agree")
    for name, lib, why in bad[:10]:
        print(f"  {name} {lib}: {why}")
    print()
    m = s["manual_entries"]
    if m["files"]:
        print(f"Running files without records (manual entries), {m['files']} files, per-file "
              f"median: runload {m['runload_ms_per_file_median']:.2f} ms, fitparse "
              f"{m['fitparse_ms_per_file_median']:.1f} ms, fitdecode "
              f"{m['fitdecode_ms_per_file_median']:.1f} ms; fitparse/runload median "
              f"{m['x_fitparse_median']:.0f}x, min {m['x_fitparse_min']:.0f}x")
    sc = s["scan"]
    times = sc["seconds"]
    print(f"read_history(folder, use_cache=False) whole folder: {sc['files']} files ({sc['read']} read, "
          f"{sc['not_read']} not), {sc['sessions']} sessions: median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s over {len(times)} round(s) "
          f"({sc['files'] / statistics.median(times):.0f} files/s)")
    print(f"Benchmark wall time {s['wall_s']:.0f} s")


# ---------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER,
                        help="folder of FIT files (default: ../shared/realdata/history_a "
                             "from the repository root)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--lib-rounds", type=int, default=1,
                        help="fitparse/fitdecode calls per file, spread over the rounds "
                             "(default 1, at most --rounds)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="runload calls per file per round, best taken (default 5)")
    parser.add_argument("--limit", type=int, default=None,
                        help="time only the first N files (and N manual entries)")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--quiet", action="store_true", help="no progress line (shown only when stderr is a terminal)")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.repeat < 1 or not 1 <= args.lib_rounds <= args.rounds:
        parser.error("need --rounds >= 1, --repeat >= 1 and 1 <= --lib-rounds <= --rounds")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be >= 1")
    args.folder = args.folder.resolve()
    if not args.folder.is_dir():
        parser.error(f"{args.folder}: no such folder")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    runs, manual, other = select_files(args.folder)
    if not runs:
        print(f"no running FIT files with records under {args.folder}", file=sys.stderr)
        return 1
    if args.limit is not None:
        runs, manual = runs[:args.limit], manual[:args.limit]
    warm_up(runs)
    history = read_history(args.folder, use_cache=False)
    result = history.report
    statuses = result.files["status"].astype(str)
    scan_counts = {"files": len(result.files), "read": int(statuses.isin(["read", "partial"]).sum()),
                   "not_read": int((~statuses.isin(["read", "partial"])).sum()),
                   "sessions": len(history.sessions)}
    del result, history
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fitdecode warns on CRC mismatch by default
        scan_times = run_rounds(runs, manual, args.folder, args.rounds, args.lib_rounds,
                                args.repeat, progress=not args.quiet and sys.stderr.isatty())
    if all(f.failed for f in runs):
        print("every library failed on every file; nothing to compare", file=sys.stderr)
        return 1
    summary = summarise(runs, manual, other, scan_times, scan_counts, args,
                        time.perf_counter() - started)
    print_report(summary)
    if args.json is not None:
        args.json.write_text(json.dumps(summary, indent=1, default=str) + "\n")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
