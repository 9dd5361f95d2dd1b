"""Limits benchmark: a 100,000-file folder and a 1 GiB file, time and peak memory.

What it shows: an import walks a huge folder lazily and with bounded memory,
and refuses a file larger than its format's limit from its size, without
reading it (see the "Limits" sections of :mod:`runload.readers.importer` and
:mod:`runload.readers.discover`).

Data, made at run time in a temporary folder (never in the repository):

* **the folder**: ``--files`` files (100,000) in folders of 1,000:
  ``--fits`` (2,000) real FIT runs of 10-30 min at 1 Hz written with
  :func:`runload.readers.fit_writer.write_fit`, and junk as found in a synced
  phone or watch folder: short text and JSON files, random binary ``.bin``
  files, random bytes named ``.fit`` (damaged), empty ``.fit`` files.
* **1 GiB files**: sparse (they take no disk) ``huge.fit`` starting with a FIT
  header and ``huge.gpx`` starting with a GPX header.

Each measurement runs in a fresh ``python`` child process; wall time is taken
around the call inside the child, peak RSS (``ru_maxrss``) from ``os.wait4``
on the child (the whole process: interpreter, numpy, pandas and the import),
and the RSS after the imports, before the call, is printed beside it.  The
folder is read:

1. ``discover.iter_sources`` alone (the walk, one item per file),
2. ``read_history`` cold (empty cache), 3. warm (the same cache again),
4. ``read_history(use_cache=False)``, and
5. for reference, the list the walk used to build (``sorted(rglob('*'))``
   with the relative parts of each path).

The files in the folder are in the OS page cache, as on a second import.

Run from the repository root::

    python benchmarks/bench_limits.py                  # 100,000 files: about 6 min
    python benchmarks/bench_limits.py --quick          # 10,000 files: about 40 s
    python benchmarks/bench_limits.py --files 50000 --json /tmp/limits.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

import runload
from runload.readers.fit_writer import SyntheticActivity, write_fit

REPO_ROOT = Path(__file__).resolve().parent.parent
MiB = 1024**2
GiB = 1024**3
SEED = 20240607

# Child programs: print one JSON line with 'seconds' and 'rss_before_mib'.
_PRELUDE = f"""
import json, os, sys, time, warnings
sys.path.insert(0, {str(REPO_ROOT)!r})
def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
"""

_WALK = _PRELUDE + """
from runload.readers.discover import iter_sources
before = rss_mib()
t0 = time.perf_counter()
n = 0
for source, read in iter_sources([sys.argv[1]]):
    n += 1
print(json.dumps({"seconds": time.perf_counter() - t0, "rss_before_mib": before, "items": n}))
"""

_OLD_LIST = _PRELUDE + """
from pathlib import Path
import runload.readers.discover
before = rss_mib()
t0 = time.perf_counter()
root = Path(sys.argv[1])
files = sorted(p for p in root.rglob("*") if p.is_file())
rel = [p.relative_to(root).parts for p in files]
print(json.dumps({"seconds": time.perf_counter() - t0, "rss_before_mib": before,
                  "items": len(files)}))
"""

_IMPORT = _PRELUDE + """
from runload import read_history
paths, cache = json.loads(sys.argv[1]), sys.argv[2]
calls = [0]
last = [0]
def progress(done, total, what):
    assert done == last[0] + 1, (done, last[0])
    last[0] = done
    calls[0] += 1
before = rss_mib()
t0 = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    history = read_history(paths, cache_dir=cache if cache != "-" else None,
                           use_cache=cache != "-", progress=progress)
seconds = time.perf_counter() - t0
files = history.report.files
print(json.dumps({
    "seconds": seconds, "rss_before_mib": before, "items": len(files),
    "progress_calls": calls[0], "sessions": len(history.sessions),
    "from_cache": history.report.n_from_cache, "decoded": history.report.n_decoded,
    "status": {k: int(v) for k, v in files["status"].value_counts().items()},
    "reasons": {k: int(v) for k, v in files.loc[files["status"] != "read", "reason"]
                .value_counts().head(6).items()}}))
"""


def build_folder(root: Path, n_files: int, n_fits: int, seed: int) -> dict[str, Any]:
    """Write the folder; return what it holds."""
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    kinds = ["fit"] * n_fits + rng.choices(
        ["txt", "json", "bin", "bad_fit", "empty_fit"], weights=[40, 25, 20, 10, 5],
        k=n_files - n_fits)
    rng.shuffle(kinds)
    counts: dict[str, int] = {}
    total_bytes = 0
    start = datetime(2015, 1, 1, 6, tzinfo=UTC)
    n_fit = 0
    for i, kind in enumerate(kinds):
        folder = root / f"folder_{i // 1000:03d}"
        if i % 1000 == 0:
            folder.mkdir(parents=True)
        if kind == "fit":
            n = int(nprng.integers(600, 1800))
            t = np.arange(float(n))
            speed = 2.8 + 0.3 * np.sin(t / 97.0)
            data = write_fit(SyntheticActivity(
                start_utc=start + timedelta(days=n_fit, minutes=int(nprng.integers(0, 600))),
                records={"elapsed_s": t, "distance_m": np.cumsum(speed), "speed_mps": speed,
                         "hr_bpm": 130 + 10 * np.sin(t / 300.0),
                         "lat_deg": 52.5 + np.cumsum(speed) * 9e-6,
                         "lon_deg": np.full(n, 13.4)}))
            n_fit += 1
            name = f"{i:06d}.fit"
        elif kind == "txt":
            data, name = f"note {i}: {rng.random()}\n".encode(), f"{i:06d}.txt"
        elif kind == "json":
            data, name = json.dumps({"id": i, "v": rng.random()}).encode(), f"{i:06d}.json"
        elif kind == "bin":
            data, name = rng.randbytes(rng.randint(16, 4096)), f"{i:06d}.bin"
        elif kind == "bad_fit":
            data, name = rng.randbytes(rng.randint(16, 4096)), f"{i:06d}.fit"
        else:
            data, name = b"", f"{i:06d}.fit"
        (folder / name).write_bytes(data)
        counts[kind] = counts.get(kind, 0) + 1
        total_bytes += len(data)
    return {"files": n_files, "by_kind": counts, "bytes": total_bytes}


def build_huge(root: Path) -> dict[str, Path]:
    """Sparse 1 GiB files with a FIT and a GPX header."""
    root.mkdir(parents=True)
    fit_head = write_fit(SyntheticActivity(start_utc=datetime(2024, 1, 1, tzinfo=UTC)))[:14]
    heads = {"huge.fit": fit_head,
             "huge.gpx": b'<?xml version="1.0"?>\n<gpx version="1.1" creator="bench">\n'}
    out = {}
    for name, head in heads.items():
        path = root / name
        with open(path, "wb") as fh:
            fh.write(head)
            fh.truncate(GiB)
        out[name] = path
    return out


def child(program: str, *args: str, cwd: Path) -> dict[str, Any]:
    """Run a child program; its JSON line, plus its peak RSS [MiB] from wait4."""
    proc = subprocess.Popen([sys.executable, "-c", program, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    stdout = proc.stdout.read().decode()
    stderr = proc.stderr.read().decode()
    proc.stdout.close()
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"child failed:\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    kib = usage.ru_maxrss
    result["peak_rss_mib"] = kib / (MiB if sys.platform == "darwin" else 1024)
    return result


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100_000, help="files in the folder")
    parser.add_argument("--fits", type=int, default=2_000, help="real FIT runs among them")
    parser.add_argument("--quick", action="store_true", help="10,000 files, 500 FIT runs")
    parser.add_argument("--workdir", type=Path, help="where to build (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the data")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.quick:
        args.files, args.fits = 10_000, 500
    return args


def main(argv: list[str] | None = None) -> int:
    if not hasattr(os, "wait4") or not Path("/proc/self/statm").exists():
        print("bench_limits needs Linux (os.wait4 and /proc)", file=sys.stderr)
        return 2
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="runload-bench-limits-", dir=args.workdir))
    summary: dict[str, Any] = {}
    try:
        t0 = time.perf_counter()
        folder = work / "folder"
        summary["folder"] = build_folder(folder, args.files, args.fits, args.seed)
        huge = build_huge(work / "huge")
        summary["generation_s"] = time.perf_counter() - t0
        print(f"built {args.files:,} files ({summary['folder']['bytes'] / MiB:.0f} MiB) and "
              f"2 sparse 1 GiB files in {summary['generation_s']:.0f} s", file=sys.stderr)
        runs = summary["runs"] = {}
        cache = work / "cache"
        steps = [
            ("baseline: python + import runload, pandas", _PRELUDE + (
                "import runload, runload.readers.importer\n"
                "print(json.dumps({'seconds': 0, 'rss_before_mib': rss_mib(), 'items': 0}))"),
             ()),
            ("walk only (iter_sources)", _WALK, (str(folder),)),
            ("former walk's path list (reference)", _OLD_LIST, (str(folder),)),
            ("read_history, cold cache", _IMPORT, (json.dumps([str(folder)]), str(cache))),
            ("read_history, warm cache", _IMPORT, (json.dumps([str(folder)]), str(cache))),
            ("read_history, no cache", _IMPORT, (json.dumps([str(folder)]), "-")),
            ("1 GiB huge.fit", _IMPORT, (json.dumps([str(huge["huge.fit"])]), "-")),
            ("1 GiB huge.gpx", _IMPORT, (json.dumps([str(huge["huge.gpx"])]), "-")),
        ]
        for label, program, child_args in steps:
            print(f"  {label} ...", file=sys.stderr, flush=True)
            runs[label] = child(program, *child_args, cwd=work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"data kept in {work}", file=sys.stderr)
    summary["config"] = {"files": args.files, "fits": args.fits, "seed": args.seed,
                         "python": platform.python_version(), "runload": runload.__version__,
                         "cpus": os.cpu_count(), "machine": platform.machine()}
    print_summary(summary)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 0


def print_summary(summary: dict[str, Any]) -> None:
    folder = summary["folder"]
    print(f"\n{folder['files']:,} files ({folder['by_kind']}), "
          f"{folder['bytes'] / MiB:.0f} MiB; {summary['config']['cpus']} CPUs, "
          f"Python {summary['config']['python']}\n")
    print("| step | wall | files/s | peak RSS | RSS before the call |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, run in summary["runs"].items():
        rate = (f"{run['items'] / run['seconds']:,.0f}" if run["seconds"] and run["items"] > 1
                else "")
        print(f"| {label} | {run['seconds']:.2f} s | {rate} | {run['peak_rss_mib']:.0f} MiB | "
              f"{run['rss_before_mib']:.0f} MiB |")
    for label, run in summary["runs"].items():
        if "status" in run:
            print(f"\n{label}: {run['items']:,} files, {run['sessions']:,} sessions, "
                  f"{run['from_cache']:,} from the cache, {run['decoded']:,} decoded, "
                  f"{run['progress_calls']:,} progress calls; {run['status']}")
            for reason, n in run["reasons"].items():
                print(f"    {n:>7,} x {reason}")


if __name__ == "__main__":
    sys.exit(main())
