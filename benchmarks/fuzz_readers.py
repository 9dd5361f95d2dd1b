"""Long fuzz run of the FIT, GPX and TCX readers: many cases, each timed, memory watched.

The same seeds, mutations and invariant as the CI run (``tests/readers/test_fuzz.py``;
they live in ``tests/readers/test_fuzz_inputs.py``), drawn with ``random.Random(seed)``
instead of hypothesis, so a run is reproducible from ``--seed`` and every case is
printed as ``<seed file> + [(operator, number), ...]``, which ``--replay`` reads again.

Each case is read with :func:`runload.read_activity` (bytes in, as a user or the
importer calls it), timed with ``time.perf_counter`` (the read alone; the schema
checks after it are not timed), and followed by the process's peak RSS
(``resource.getrusage``).  The invariant: sessions and streams that match the
schema, or a ReadError subclass naming the file.  The run fails (exit status 1)
on any other exception, any schema failure, or any case slower than
``--max-seconds`` (default 1 s).

Run from the repository root (``pip install -e ".[test]"``; the real-data seeds
come from ``../shared/realdata`` when it is there, ``--realdata`` to point
elsewhere)::

    python benchmarks/fuzz_readers.py                       # 50,000 cases, seed 1
    python benchmarks/fuzz_readers.py --cases 20000 --seed 7
    python benchmarks/fuzz_readers.py --replay "synthetic/run.fit + [('fit_def_field_count', 5)]"

Release check: on an idle machine, run the default 50,000 cases with two seeds
at once, one per core (about 10-15 min each on the 2-core development machine)::

    python benchmarks/fuzz_readers.py --seed 1 & python benchmarks/fuzz_readers.py --seed 2

Both must end with "0 crashes, 0 schema failures, 0 cases over 1.0 s", and a
peak RSS well under 1 GiB.  A crash is kept as a regression test in
``tests/readers/test_fuzz.py`` (as a minimal input built there) once fixed.
"""

from __future__ import annotations

import argparse
import ast
import collections
import os
import random
import resource
import statistics
import sys
import time
import traceback
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the seeds and mutations live with the tests

from runload.errors import ReadError  # noqa: E402
from runload.readers.content import read_activity  # noqa: E402
from runload.schema import validate_columns  # noqa: E402
from tests.readers.test_fuzz_inputs import (  # noqa: E402
    GZIP,
    Seed,
    describe,
    mutate,
    random_recipe,
    realdata_seeds,
    synthetic_seeds,
)


def _rss_mib() -> float:
    """Peak resident set size of this process so far [MiB] (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024**2


def _current_rss_mib() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**2
    except OSError:  # not Linux
        return float("nan")


def _seeds(realdata: Path | None) -> list[Seed]:
    seeds = synthetic_seeds()
    if realdata is not None and (realdata / "MANIFEST.tsv").is_file():
        seeds += realdata_seeds(realdata)
    else:
        print(f"note: no real-data seeds ({realdata} absent); synthetic seeds only",
              file=sys.stderr)
    return seeds


def _check(data: bytes, name: str) -> tuple[str, float, str]:
    """(outcome, seconds of the read, what breaks the invariant or ''); a crash raises."""
    start = time.perf_counter()
    try:
        activity = read_activity(data, name=name)
    except ReadError as exc:
        seconds = time.perf_counter() - start
        named = exc.path == name and name in str(exc) and exc.reason
        return type(exc).__name__, seconds, "" if named else f"ReadError without file: {exc}"
    seconds = time.perf_counter() - start
    try:
        validate_columns(activity.sessions, "sessions")
        for stream in activity.streams:
            validate_columns(stream, "streams")
    except ValueError as exc:
        return "data", seconds, str(exc)
    if not len(activity.sessions) == len(activity.streams) >= 1:
        return "data", seconds, "sessions and streams do not match"
    return "data", seconds, ""


def _replay(seeds: list[Seed], text: str) -> int:
    name, _, recipe_text = text.partition(" + ")
    seed = next((s for s in seeds if s.name == name), None)
    if seed is None:
        print(f"unknown seed {name!r}", file=sys.stderr)
        return 2
    data = mutate(seed.data, ast.literal_eval(recipe_text))
    print(f"{len(data):,} bytes")
    outcome, seconds, broken = _check(data, f"fuzz/{seed.name}")
    print(f"{outcome} in {seconds:.3f} s{'; ' + broken if broken else ''}")
    return 1 if broken else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=50_000, help="cases to run (50,000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the run (1)")
    parser.add_argument("--max-seconds", type=float, default=1.0,
                        help="a read slower than this fails the run (1.0)")
    parser.add_argument("--realdata", type=Path, default=REPO.parent / "shared" / "realdata")
    parser.add_argument("--replay", help="run one case, as printed by a run")
    parser.add_argument("--top", type=int, default=5, help="slowest cases shown (5)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # readers' warnings are outcomes, not failures
    seeds = _seeds(args.realdata)
    if args.replay:
        return _replay(seeds, args.replay)

    rng = random.Random(args.seed)
    outcomes: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    crashes: list[str] = []
    broken: list[str] = []
    times: list[float] = []
    slowest: list[tuple[float, int, str]] = []
    rss_start = _rss_mib()
    peak_rss, peak_case, biggest = rss_start, "", (0, "")
    gzipped = 0
    wall = time.perf_counter()
    by_format = collections.defaultdict(list)
    for seed in seeds:
        by_format[seed.fmt].append(seed)
    formats = sorted(by_format)
    for i in range(args.cases):
        # formats equally often, whatever the number of seeds of each
        seed = rng.choice(by_format[rng.choice(formats)])
        recipe = random_recipe(rng, seed.fmt)
        label = describe(seed, recipe)
        data = mutate(seed.data, recipe)
        gzipped += any(name in GZIP for name, _ in recipe)
        biggest = max(biggest, (len(data), label))
        try:
            outcome, seconds, problem = _check(data, f"fuzz/{seed.name}")
        except Exception as exc:  # noqa: BLE001 - every crash is counted and reported
            outcome, seconds, problem = "crash", float("nan"), ""
            crashes.append(f"{label}: {type(exc).__name__}: {exc}\n"
                           + "".join(traceback.format_exception(exc)[-3:]))
        if problem:
            broken.append(f"{label}: {problem}")
        outcomes[seed.fmt][outcome] += 1
        if seconds == seconds:
            times.append(seconds)
            slowest.append((seconds, len(data), label))
            if len(slowest) > 4 * args.top:
                slowest = sorted(slowest, reverse=True)[:args.top]
        rss = _rss_mib()
        if rss > peak_rss:
            peak_rss, peak_case = rss, label
        if (i + 1) % 5000 == 0:
            print(f"... {i + 1:,} cases, {time.perf_counter() - wall:.0f} s, "
                  f"peak RSS {peak_rss:.0f} MiB, {len(crashes)} crashes", file=sys.stderr)
    wall = time.perf_counter() - wall

    slowest = sorted(slowest, reverse=True)[:args.top]
    over = sum(t > args.max_seconds for t in times)
    print(f"fuzz_readers: {args.cases:,} cases (seed {args.seed}, {gzipped:,} gzip-wrapped) "
          f"in {wall:.0f} s; {len(seeds)} seeds")
    for fmt, counts in sorted(outcomes.items()):
        detail = ", ".join(f"{k} {v:,}" for k, v in counts.most_common())
        print(f"  {fmt}: {sum(counts.values()):,} cases: {detail}")
    if times:
        q = statistics.quantiles(times, n=100)
        print(f"  read time: median {statistics.median(times) * 1000:.1f} ms, "
              f"p99 {q[98] * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
    print(f"  slowest {len(slowest)}:")
    for seconds, size, label in slowest:
        print(f"    {seconds:.3f} s  {size:>9,} bytes  {label}")
    print(f"  largest input: {biggest[0]:,} bytes  {biggest[1]}")
    print(f"  peak RSS {peak_rss:.0f} MiB (at start {rss_start:.0f} MiB, now "
          f"{_current_rss_mib():.0f} MiB); the peak was reached at {peak_case}")
    print(f"  {len(crashes)} crashes, {len(broken)} schema failures, {over} cases over "
          f"{args.max_seconds} s")
    for failure in (crashes + broken)[:20]:
        print("    " + failure.replace("\n", "\n    "))
    return 1 if crashes or broken or over else 0


if __name__ == "__main__":
    sys.exit(main())
