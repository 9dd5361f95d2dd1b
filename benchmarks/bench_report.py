"""Time ``runload report`` on history_a: the whole process, warm cache, HTML and HTML + PDF.

Usage: python benchmarks/bench_report.py [--history PATH] [--repeat 5] [--profile]

The cache is filled by one untimed run; then the median of ``--repeat`` runs
of each command is printed (target: under 3 s for the HTML report of a
cached history_a), followed by where the time goes: interpreter start-up and
imports (``python -X importtime``, by top-level package) and the in-process
steps (read_history from the cache, analyze, build_report with its SVG
charts, rendering the HTML, the PDF with its PNG charts).  ``--profile``
adds the top functions of a cProfile run of build_report + html + PDF.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from startup import import_breakdown, runload_command

REPO = Path(__file__).resolve().parent.parent
HISTORY_A = REPO.parent / "shared" / "realdata" / "history_a"
TARGET_HTML_S = 3.0
#: What the report command imports: its start-up cost.
_REPORT_IMPORTS = "import runload.cli, runload.report, runload.report.html, runload.report.pdf"


def child_env(work: Path) -> dict[str, str]:
    """Bytecode cached in the work folder, as an installed package would have it."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def wall(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> float:
    """Wall-clock seconds of one child process (which must succeed)."""
    t0 = time.perf_counter()
    done = subprocess.run(list(cmd), env=env, cwd=cwd, capture_output=True, text=True,
                          check=False)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {done.returncode}:\n"
                           f"{done.stderr[-2000:]}")
    return elapsed


def medians(fn: Callable[[], float], repeat: int) -> tuple[float, list[float]]:
    times = [fn() for _ in range(repeat)]
    return statistics.median(times), times



def in_process(history_path: Path, cache: Path, repeat: int, profile: bool) -> dict[str, Any]:
    """Median seconds of each step in this process (the cache is warm)."""
    import runload
    from runload.report import build_report

    def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
        t0 = time.perf_counter()
        value = fn()
        return time.perf_counter() - t0, value

    steps: dict[str, list[float]] = {}
    for _ in range(repeat):
        t, history = timed(lambda: runload.read_history(history_path, tz="Asia/Shanghai",
                                                        cache_dir=cache))
        steps.setdefault("read_history (cached)", []).append(t)
        t, analysis = timed(lambda h=history: runload.analyze(h.sessions))
        steps.setdefault("analyze", []).append(t)
        t, report = timed(lambda a=analysis, h=history: build_report(
            a, files=h.report.files, duplicates=h.report.duplicates))
        steps.setdefault("build_report (SVG charts)", []).append(t)
        t, _ = timed(lambda r=report: r.html)
        steps.setdefault("render HTML", []).append(t)
        t, _ = timed(lambda r=report: r.pdf_bytes())
        steps.setdefault("render PDF (PNG charts, layout)", []).append(t)
    out: dict[str, Any] = {"steps": {k: statistics.median(v) for k, v in steps.items()}}
    if profile:
        prof = cProfile.Profile()
        prof.enable()
        report = build_report(analysis, files=history.report.files,
                              duplicates=history.report.duplicates)
        report.html  # noqa: B018 - rendering is what is profiled
        report.pdf_bytes()
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
        out["profile"] = buf.getvalue()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=Path, default=HISTORY_A)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    if not args.history.is_dir():
        parser.error(f"{args.history} is not a folder")

    work = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        env = child_env(work)
        cache = work / "cache"
        base = [*runload_command(), "report", str(args.history), "--tz", "Asia/Shanghai",
                "--cache-dir", str(cache), "--no-progress", "-o", str(work / "report.html")]
        with_pdf = [*base, "--pdf", str(work / "report.pdf")]
        wall([sys.executable, "-c", "import runload.cli, runload.report.pdf"], env, work)
        wall(base, env, work)  # fills the cache (and the bytecode cache)
        html_s, html_all = medians(lambda: wall(base, env, work), args.repeat)
        pdf_s, pdf_all = medians(lambda: wall(with_pdf, env, work), args.repeat)
        python_s, _ = medians(lambda: wall([sys.executable, "-c", "pass"], env, work),
                              args.repeat)
        cli_s, _ = medians(lambda: wall([sys.executable, "-c", "import runload.cli"], env,
                                        work), args.repeat)
        report_import_s, _ = medians(lambda: wall(
            [sys.executable, "-c", "import runload.cli, runload.report"], env, work),
            args.repeat)
        imports = import_breakdown(_REPORT_IMPORTS, env, work)
        steps = in_process(args.history, cache, args.repeat, args.profile)
        sizes = {p.name: p.stat().st_size for p in (work / "report.html", work / "report.pdf")}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def spread(values: list[float]) -> str:
        return f"{min(values):.2f}-{max(values):.2f} s"

    print(f"runload report {args.history.name}, warm cache, median of {args.repeat} "
          f"whole processes ({os.cpu_count()} cores):")
    verdict = "under" if html_s < TARGET_HTML_S else "OVER"
    print(f"  HTML           {html_s:5.2f} s  ({spread(html_all)}; {verdict} the "
          f"{TARGET_HTML_S:.0f} s target)  {sizes['report.html'] / 1024:,.0f} KiB")
    print(f"  HTML + PDF     {pdf_s:5.2f} s  ({spread(pdf_all)})  "
          f"PDF {sizes['report.pdf'] / 1024:,.0f} KiB")
    print("Start-up (whole process):")
    print(f"  python alone                    {python_s:5.2f} s")
    print(f"  import runload.cli              {cli_s:5.2f} s")
    print(f"  import runload.cli + report     {report_import_s:5.2f} s")
    print("  import self time by package (report command, with the PDF modules): "
          + ", ".join(f"{k} {v:.2f} s" for k, v in list(imports.items())[:8]))
    print("In process (median):")
    for name, seconds in steps["steps"].items():
        print(f"  {name:<34}{seconds:6.3f} s")
    if "profile" in steps:
        print(steps["profile"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
