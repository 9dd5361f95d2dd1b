"""Time the whole load analysis on a synthetic 10-year history.

Usage: python benchmarks/bench_analysis.py [--years 10] [--runs-per-week 5] [--repeat 7]

A sessions table is generated at run time (no files): runs on random days with
realistic distances, paces, heart rates, climbs, treadmill runs and layoffs.
runload.analyze() then computes every table and flag; the median of several
repeats is printed, with the per-table split.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

from runload import analyze
from runload.analysis import acwr, daily, fitness, rest, spikes, volume
from runload.schema import sessions_frame


def synthetic_sessions(years: int, runs_per_week: float, seed: int = 1) -> pd.DataFrame:
    """A sessions table of ``years`` of running (about runs_per_week runs a week)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2015-01-01", periods=365 * years, freq="D")
    on_break = np.zeros(len(days), dtype=bool)
    for start in rng.integers(0, len(days), size=years):  # about one layoff a year
        on_break[start:start + rng.integers(14, 60)] = True
    run_day = (rng.random(len(days)) < runs_per_week / 7) & ~on_break
    rows = []
    for i, day in enumerate(days[run_day]):
        km = float(np.clip(rng.gamma(4.0, 2.5), 2.0, 35.0))
        speed = float(rng.normal(3.0, 0.3))
        treadmill = rng.random() < 0.1
        start = pd.Timestamp(day, tz="UTC") + pd.Timedelta(hours=int(rng.integers(5, 20)))
        rows.append({
            "activity_id": f"run-{i}", "sport": "running",
            "sub_sport": "treadmill" if treadmill else "generic",
            "start_utc": start, "utc_offset_s": 3600, "local_date": day,
            "start_local": start.tz_localize(None) + pd.Timedelta(hours=1),
            "distance_m": km * 1000, "timer_s": km * 1000 / speed,
            "elapsed_s": km * 1000 / speed + 60,
            "ascent_m": 0.0 if treadmill else float(rng.gamma(2.0, 40.0)),
            "descent_m": 0.0 if treadmill else float(rng.gamma(2.0, 40.0)),
            "avg_hr_bpm": float(rng.normal(150, 8)), "max_hr_bpm": float(rng.normal(172, 6)),
            "has_hr": True, "n_records": int(km * 1000 / speed),
        })
    return sessions_frame(rows)


def _median_s(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs-per-week", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    sessions = synthetic_sessions(args.years, args.runs_per_week)
    result = analyze(sessions)
    print(f"synthetic history: {args.years} years, {len(sessions):,} runs, "
          f"{len(result.daily):,} days, {len(result.flags):,} flags "
          f"({', '.join(f'{k} {v}' for k, v in result.flags['flag_id'].value_counts().items())})")
    run_table = daily.runs(sessions)
    day_table = daily.daily_table(run_table)
    load = day_table["load"]
    parts = {
        "runs + daily table": lambda: daily.daily_table(daily.runs(sessions)),
        "session loads": lambda: fitness.session_load(run_table),
        "weekly + rolling 7 d": lambda: (volume.weekly_table(day_table),
                                         volume.rolling_7d(day_table)),
        "spikes": lambda: spikes.session_spikes(run_table),
        "rest + layoffs": lambda: (rest.rest_days(day_table), rest.layoffs(run_table)),
        "ACWR + CTL/ATL + monotony": lambda: (acwr.acwr(load), fitness.fitness_fatigue(load),
                                              fitness.monotony(load)),
    }
    print(f"\n{'step':<28}{'median ms':>10}")
    for name, fn in parts.items():
        print(f"{name:<28}{_median_s(fn, args.repeat) * 1000:>10.1f}")
    total = _median_s(lambda: analyze(sessions), args.repeat)
    print(f"{'analyze() with all flags':<28}{total * 1000:>10.1f}")
    verdict = "met" if total < 1.0 else "NOT met"
    print(f"\ntarget: whole analysis of {args.years} years well under 1 s: {verdict} "
          f"({total:.3f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
