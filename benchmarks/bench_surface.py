"""Time what surface inference adds per activity: track features at import, then the rule.

Usage: python benchmarks/bench_surface.py [--realdata ../shared/realdata] [--repeat 5]

Files: the running sessions with records of ``history_a/`` and ``fit/`` in the
real-data folder (as runload reads them).  Each file is read once with
:func:`runload.read_activity`; then, for every running stream,
:func:`runload.readers.track_features.track_features` is timed, best of
``--repeat`` calls after one warm-up call (``time.perf_counter``; the best is
the cost without the shared machine's noise).  That is the time the import
adds per activity.  :func:`runload.analysis.surface.classify_surfaces` on the
whole sessions table is timed too and shared out per session.

Target (issue): under 5 ms added per activity on average.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from pathlib import Path

import numpy as np

from runload import ReadError, read_activity
from runload.analysis.surface import classify_surfaces
from runload.readers.track_features import track_features
from runload.schema import sessions_frame

REPO = Path(__file__).resolve().parent.parent
TARGET_MS = 5.0


def _best_ms(fn, repeat: int) -> float:
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=REPO.parent / "shared" / "realdata")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    streams, rows = [], []
    for folder in ("history_a", "fit"):
        for path in sorted((args.realdata / folder).iterdir()):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    activity = read_activity(path)
            except ReadError:
                continue
            for row, stream in zip(activity.sessions.to_dict("records"), activity.streams,
                                   strict=True):
                rows.append(row)
                if row["sport"] == "running" and len(stream):
                    streams.append((path.name, stream))
    if not streams:
        print(f"no running stream under {args.realdata}")
        return 1

    times = [(_best_ms(lambda s=s: track_features(s), args.repeat), len(s), name)
             for name, s in streams]
    ms = np.array([t for t, _, _ in times])
    records = np.array([n for _, n, _ in times])
    sessions = sessions_frame(rows)
    classify_ms = _best_ms(lambda: classify_surfaces(sessions), args.repeat)

    print(f"running sessions with records: {len(streams)} (history_a and fit/), "
          f"{int(records.sum()):,} records, median {int(np.median(records)):,} per session")
    print(f"\n{'track_features per activity':<34}{'ms':>8}")
    print(f"{'  mean':<34}{ms.mean():>8.3f}")
    print(f"{'  median':<34}{statistics.median(ms):>8.3f}")
    print(f"{'  95th percentile':<34}{np.percentile(ms, 95):>8.3f}")
    slowest = max(times)
    print(f"{'  slowest':<34}{slowest[0]:>8.3f}   ({slowest[2]}, {slowest[1]:,} records)")
    per_hour = ms.sum() / (records.sum() / 3600.0)
    print(f"{'  per hour of 1 Hz records':<34}{per_hour:>8.3f}")
    print(f"{'classify_surfaces per session':<34}{classify_ms / len(sessions):>8.4f}   "
          f"({len(sessions)} sessions in {classify_ms:.2f} ms)")
    added = ms.mean() + classify_ms / len(sessions)
    verdict = "met" if added < TARGET_MS else "NOT met"
    print(f"\ntarget: under {TARGET_MS:.0f} ms added per activity on average: {verdict} "
          f"({added:.3f} ms)")
    return 0 if added < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
