"""The ``runload`` command line: a thin adapter over the public API.

This is the only module that prints for the user and the only one that turns
errors into exit codes.  ``--traceback`` re-raises instead of printing a
one-line message.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from enum import IntEnum
from typing import Any, TextIO

import pandas as pd

from runload import __version__
from runload.errors import RunloadError
from runload.readers.scan import ScanResult, scan


class ExitStatus(IntEnum):
    """Exit codes of the ``runload`` command."""

    SUCCESS = 0
    ERROR = 1
    USAGE = 2
    NOT_FOUND = 3
    INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="runload",
        description="Training-load patterns from a runner's whole activity history.")
    parser.add_argument("--version", action="version", version=f"runload {__version__}")
    parser.add_argument("--traceback", action="store_true",
                        help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", required=True)
    p_scan = sub.add_parser(
        "scan", help="list what a folder of activity files holds",
        description="Read every FIT, GPX and TCX file (also .gz) under the given paths and "
                    "report what was found, skipped and failed.")
    p_scan.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p_scan.add_argument("--json", action="store_true", help="print a JSON summary")
    p_scan.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


class _ProgressBar:
    """A one-line progress bar on a terminal; silent when stderr is not a terminal."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled and stream.isatty()
        self.last = 0.0

    def __call__(self, done: int, total: int, path: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done != total and now - self.last < 0.1:
            return
        self.last = now
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        if done == total:
            self.stream.write("\r" + " " * (width + 30) + "\r")
        self.stream.flush()


def _local_dates(sessions: pd.DataFrame) -> pd.Series:
    """Local calendar date of each session (UTC date where the offset is unknown)."""
    offset = pd.to_timedelta(sessions["utc_offset_s"].astype("Float64").fillna(0), unit="s")
    return (sessions["start_utc"].dt.tz_localize(None) + offset).dt.date


def scan_summary(result: ScanResult, elapsed_s: float) -> dict[str, Any]:
    """The facts ``runload scan`` reports, as plain JSON-ready values."""
    files, sessions = result.files, result.sessions
    runs = sessions[sessions["sport"] == "running"]
    dated = runs[runs["start_utc"].notna()]
    dates = _local_dates(dated) if len(dated) else pd.Series([], dtype=object)
    by_sport: dict[str, dict[str, int]] = {}
    for (sport, sub), n in sessions.groupby(["sport", "sub_sport"]).size().items():
        by_sport.setdefault(str(sport), {})[str(sub)] = int(n)
    return {
        "elapsed_s": round(elapsed_s, 3),
        "files": int(len(files)),
        "files_by_format": {k or "unknown": int(v) for k, v in
                            files["source_format"].value_counts().sort_index().items()},
        "files_by_status": {k: int(v) for k, v in files["status"].value_counts().items()},
        "sessions": int(len(sessions)),
        "sessions_by_sport": by_sport,
        "runs": {
            "count": int(len(runs)),
            "distance_m": round(float(runs["distance_m"].sum()), 1),
            "manual": int(runs["is_manual"].sum()),
            "first_local_date": str(min(dates)) if len(dates) else None,
            "last_local_date": str(max(dates)) if len(dates) else None,
            "without_date": int(runs["start_utc"].isna().sum()),
            "local_offset_unknown": int(dated["utc_offset_s"].isna().sum()),
        },
        "skipped": [{"path": r.source_path, "reason": r.reason}
                    for r in files[files["status"] == "not_activity"].itertuples()],
        "partial": [{"path": r.source_path, "reason": r.reason}
                    for r in files[files["status"] == "partial"].itertuples()],
        "failed": [{"path": r.source_path, "reason": r.reason}
                   for r in files[files["status"] == "failed"].itertuples()],
    }


def _print_scan(summary: dict[str, Any], out: TextIO) -> None:
    w = out.write
    status = summary["files_by_status"]
    fmt = ", ".join(f"{k.upper()} {v}" for k, v in summary["files_by_format"].items())
    w(f"Scanned {summary['files']} files in {summary['elapsed_s']:.1f} s ({fmt}).\n")
    w(f"  read {status.get('read', 0)}, partial {status.get('partial', 0)}, "
      f"not an activity {status.get('not_activity', 0)}, failed {status.get('failed', 0)}\n\n")
    w(f"Activities by sport ({summary['sessions']} sessions):\n")
    for sport, subs in sorted(summary["sessions_by_sport"].items(),
                              key=lambda kv: -sum(kv[1].values())):
        detail = ", ".join(f"{k} {v}" for k, v in sorted(subs.items(), key=lambda kv: -kv[1]))
        w(f"  {sport:<20} {sum(subs.values()):>5}   ({detail})\n")
    runs = summary["runs"]
    w(f"\nRuns: {runs['count']}, {runs['distance_m'] / 1000:,.1f} km")
    if runs["manual"]:
        w(f" ({runs['manual']} manual entries without records)")
    w("\n")
    if runs["first_local_date"]:
        w(f"  local dates {runs['first_local_date']} to {runs['last_local_date']}\n")
    if runs["local_offset_unknown"]:
        w(f"  {runs['local_offset_unknown']} runs have no local UTC offset in the file "
          "(dated in UTC)\n")
    if runs["without_date"]:
        w(f"  {runs['without_date']} runs have no calendar date\n")
    for key, title in (("partial", "Read in part (damaged files)"),
                       ("skipped", "Skipped (not an activity)"), ("failed", "Failed")):
        items = summary[key]
        if items:
            w(f"\n{title}: {len(items)}\n")
            for item in items:
                w(f"  {item['path']}: {item['reason']}\n")


def _cmd_scan(args: argparse.Namespace, out: TextIO, err: TextIO) -> ExitStatus:
    started = time.perf_counter()
    result = scan(args.paths, progress=_ProgressBar(err, not args.no_progress))
    summary = scan_summary(result, time.perf_counter() - started)
    if args.json:
        json.dump(summary, out, indent=2)
        out.write("\n")
    else:
        _print_scan(summary, out)
    return ExitStatus.SUCCESS


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """Run the ``runload`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).
    stdout, stderr : text streams, optional
        Where to write (default: the process's).

    Returns
    -------
    int
        An :class:`ExitStatus` value.
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return int(exc.code or 0) if isinstance(exc.code, int) else ExitStatus.USAGE
    try:
        return int(_cmd_scan(args, out, err))
    except FileNotFoundError as exc:
        if args.traceback:
            raise
        err.write(f"runload: {exc}\n")
        return ExitStatus.NOT_FOUND
    except RunloadError as exc:
        if args.traceback:
            raise
        err.write(f"runload: {exc}\n")
        return ExitStatus.ERROR
    except KeyboardInterrupt:
        err.write("runload: interrupted\n")
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        # The reader of our output (e.g. `head`) closed the pipe: not an error.
        if out is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitStatus.SUCCESS
