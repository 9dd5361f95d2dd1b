"""The ``runload`` command line: a thin adapter over the public API.

This is the only module that prints for the user and the only one that turns
errors into exit codes.  ``--traceback`` re-raises instead of printing a
one-line message.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
import warnings
from collections.abc import Sequence
from enum import IntEnum
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from runload import __version__
from runload.analysis.flags import Analysis, analyze
from runload.analysis.pain import (
    BACK_PAIN_SENTENCE,
    caveat_sentence,
    describe_episode,
    pain_episodes,
    pain_summary,
)
from runload.analysis.references import DISCLAIMER, REFERENCES
from runload.analysis.surface import classify_surfaces
from runload.analysis.surface_load import (
    USER_OVERRIDE,
    apply_surface_overrides,
    surface_override_matches,
)
from runload.config import SURFACES, Thresholds
from runload.errors import RunloadError, RunloadWarning
from runload.history import RosterWeek, TrainingHistory, load_roster, parse_week
from runload.readers.discover import printable
from runload.readers.importer import History, read_history
from runload.readers.overrides import read_surface_overrides
from runload.readers.pain import (
    PainValueError,
    append_pain_entry,
    parse_date,
    parse_region,
    parse_severity,
    parse_timing,
    read_pain_journal,
)
from runload.readers.settings import read_thresholds
from runload.units import UNITS, DistanceUnit, distance_unit


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
        "scan", help="import a history and report what it holds",
        description="Read every activity under the given paths (folders, zip archives, "
                    "Garmin 'Export Your Data' and Strava bulk exports, a watch's GARMIN "
                    "folder; FIT, GPX and TCX, also gzipped) and report what was found, "
                    "skipped, failed and de-duplicated.")
    p_scan.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or zips")
    p_scan.add_argument("--json", action="store_true", help="print a JSON summary")
    _add_settings_options(p_scan)
    _add_import_options(p_scan)
    p_an = sub.add_parser(
        "analyze", help="weekly load and evidence-graded flags",
        description="Import a history and show the latest weeks and every flag in plain words, "
                    "each with its evidence grade and citation. Flags are associations from "
                    "studies of running injuries; none predicts or prevents an injury or back "
                    "pain.")
    p_an.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or zips")
    p_an.add_argument("--format", choices=("table", "csv", "json"), default="table",
                      help="table (default): plain words; csv: the flags table; json: "
                           "weeks, flags and references")
    p_an.add_argument("--since", type=_date, metavar="YYYY-MM-DD",
                      help="show weeks and flags from this local date on")
    p_an.add_argument("--until", type=_date, metavar="YYYY-MM-DD",
                      help="analyse up to this local date (default: the last run)")
    p_an.add_argument("--weeks", type=int, default=4, metavar="N",
                      help="how many recent weeks to show (default 4)")
    _add_pain_option(p_an)
    _add_settings_options(p_an)
    _add_import_options(p_an)
    p_rep = sub.add_parser(
        "report", help="write a runner report: one HTML file, optionally a PDF",
        description="Import a history and write a report a runner can read in a minute: the "
                    "latest week in plain words, charts, the weekly table, every flag with "
                    "its evidence grade and citation, what was imported, and how the flags "
                    "work. One self-contained HTML file (no scripts, no network); --pdf "
                    "writes the same content as an A4 PDF. Not medical advice.")
    p_rep.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or zips")
    p_rep.add_argument("-o", "--output", required=True, metavar="FILE.html",
                       help="where to write the HTML report")
    p_rep.add_argument("--pdf", metavar="FILE.pdf", help="also write the report as a PDF")
    p_rep.add_argument("--weeks", type=_positive_int, default=12, metavar="N",
                       help="how many recent weeks the charts and the weekly table show "
                            "(default 12)")
    p_rep.add_argument("--as-of", type=_date, metavar="YYYY-MM-DD",
                       help="the local date the report is for: later runs are left out "
                            "(default: the last run's day)")
    _add_pain_option(p_rep)
    _add_settings_options(p_rep)
    _add_import_options(p_rep)
    p_coach = sub.add_parser(
        "coach", help="write a coach's page: a roster's week, one row per athlete",
        description="Import every athlete of a roster file (TOML: a title and [[athlete]] "
                    "entries with name, path, optional tz and thresholds) and write the page a "
                    "coach prints on Monday: a row per athlete, most in need of attention "
                    "first (data that could not be read, then the most severe flags, then the "
                    "largest spike), then a short section per athlete with the week's flags, "
                    "evidence grades and sources, and the last 8 weeks in charts. One "
                    "self-contained HTML file; --pdf writes the same as an A4 PDF. Not medical "
                    "advice.")
    p_coach.add_argument("roster", metavar="ROSTER.toml", help="the roster file")
    p_coach.add_argument("--week", type=_week, metavar="YYYY-Www",
                         help="the week: an ISO week such as 2026-W46, or a date in it "
                              "(default: the latest week holding an athlete's last run)")
    p_coach.add_argument("-o", "--output", required=True, metavar="FILE.html",
                         help="where to write the HTML page")
    p_coach.add_argument("--pdf", metavar="FILE.pdf", help="also write the page as a PDF")
    _add_settings_options(p_coach)
    _add_cache_options(p_coach)
    p_pain = sub.add_parser(
        "pain", help="keep a pain journal: add an entry, show the episodes",
        description="A pain journal is a CSV file (date,region,severity,timing,note) you keep "
                    "beside your runs; analyze and report read it with --pain FILE and show "
                    "what your training looked like before each episode. These are patterns "
                    "in your own history, not causes; no load measure is known to predict "
                    "back pain. See a clinician if pain persists, gets worse or radiates.")
    pain_sub = p_pain.add_subparsers(dest="pain_command", required=True)
    p_add = pain_sub.add_parser(
        "add", help="add one entry to the journal (created if missing)",
        description="Add one entry at the end of a pain journal, atomically; the entries "
                    "already there are never rewritten. Prints the file and the line written.")
    p_add.add_argument("date", type=_pain_check(parse_date), metavar="DATE",
                       help="the local day, YYYY-MM-DD")
    p_add.add_argument("region", type=_pain_check(parse_region), metavar="REGION",
                       help="lower_back, hip, knee, shin, foot or other ('lower back' works)")
    p_add.add_argument("severity", type=_pain_check(parse_severity), metavar="SEVERITY",
                       help="how much it hurt, 0 (none) to 10")
    p_add.add_argument("--timing", type=_pain_check(parse_timing), default="",
                       help="when it was felt: during, after or next_morning")
    p_add.add_argument("--note", default="", metavar="TEXT", help="a note, kept as written")
    p_add.add_argument("--file", default=PAIN_FILE, metavar="FILE",
                       help=f"the journal (default: {PAIN_FILE} in the current folder)")
    p_show = pain_sub.add_parser(
        "show", help="list the journal's episodes",
        description="Read a pain journal and list its episodes per body region: onset, end "
                    "(or still open), peak severity and entries.")
    p_show.add_argument("--file", default=PAIN_FILE, metavar="FILE",
                        help=f"the journal (default: {PAIN_FILE} in the current folder)")
    p_show.add_argument("--config", metavar="FILE",
                        help="TOML file with a [pain] section (severity_threshold, "
                             "pain_free_days, ...)")
    return parser


#: The pain journal ``runload pain`` uses without --file.
PAIN_FILE = "pain.csv"


def _pain_check(parse: Any) -> Any:
    """An argparse type: the journal's own check of one value, kept as the text given."""
    def check(text: str) -> str:
        try:
            parse(text)
        except PainValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc
        return text
    check.__name__ = parse.__name__.removeprefix("parse_")
    return check


def _add_pain_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pain", metavar="FILE",
                        help="your pain journal (CSV: date,region,severity,timing,note; see "
                             "`runload pain add`): shows what your training looked like "
                             "before each pain episode, against your usual")


def _date(text: str) -> pd.Timestamp:
    """A local calendar date, checked while parsing arguments."""
    try:
        return pd.Timestamp(datetime.date.fromisoformat(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"must be a date as YYYY-MM-DD; got {text!r}") from exc


def _positive_int(text: str) -> int:
    """An int >= 1, checked while parsing arguments."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1; got {text!r}")
    return value


def _week(text: str) -> str:
    """An ISO week ('2026-W46') or a date, checked while parsing arguments."""
    try:
        parse_week(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def _zone(text: str) -> str:
    """An IANA time zone name, checked while parsing arguments."""
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise argparse.ArgumentTypeError(
            f"must be an IANA time zone name such as 'Europe/Berlin'; got {text!r}") from exc
    return text


def _add_settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE",
                        help="TOML file overriding thresholds and display settings, e.g. "
                             "[spike] lookback_days = 30, [display] units = \"mi\"")
    parser.add_argument("--units", choices=tuple(UNITS),
                        help="show distances in kilometres or miles (default: [display] units "
                             "of --config, else km); csv and json output stay in metres")


def _add_import_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tz", metavar="ZONE", type=_zone,
                        help="IANA time zone (e.g. Europe/Berlin) for sessions whose file "
                             "gives no local time and that have no GPS fix")
    _add_cache_options(parser)
    parser.add_argument("--surfaces", metavar="FILE",
                        help="TOML or CSV file setting the running surface of activities or "
                             "date ranges (see README, 'Surface overrides'); applied last")


def _add_cache_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="cache folder (default: $RUNLOAD_CACHE_DIR or the user cache dir)")
    parser.add_argument("--no-cache", action="store_true",
                        help="read every file again and write no cache")
    parser.add_argument("--no-progress", action="store_true", help="no progress display")


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
        if total:
            width = 30
            filled = width * done // total
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        else:
            self.stream.write(f"\rreading... {done} files")
        self.stream.flush()

    def close(self) -> None:
        """Erase the progress line."""
        if self.enabled:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


def _grouped(rows: pd.DataFrame) -> list[dict[str, Any]]:
    return [{"path": r.source_path + (f"!{r.member_path}" if r.member_path else ""),
             "reason": r.reason} for r in rows.itertuples()]


def scan_summary(history: History) -> dict[str, Any]:
    """The facts ``runload scan`` reports, as plain JSON-ready values."""
    report = history.report
    files, sessions = report.files, history.sessions
    runs = sessions[sessions["sport"] == "running"]
    dates = runs["local_date"].dropna()
    by_sport: dict[str, dict[str, int]] = {}
    for (sport, sub), n in sessions.groupby(["sport", "sub_sport"]).size().items():
        by_sport.setdefault(str(sport), {})[str(sub)] = int(n)
    return {
        "elapsed_s": round(report.elapsed_s, 3),
        "from_cache": report.n_from_cache,
        "decoded": report.n_decoded,
        "files": int(len(files)),
        "files_by_format": {k or "other": int(v) for k, v in
                            files["source_format"].value_counts().items()},
        "files_by_status": {k: int(v) for k, v in files["status"].value_counts().items()},
        "sessions": int(len(sessions)),
        "sessions_by_sport": by_sport,
        "runs": {
            "count": int(len(runs)),
            "distance_m": round(float(runs["distance_m"].sum()), 1),
            "manual": int(runs["is_manual"].sum()),
            "summary_only": int(runs["is_summary_only"].sum()),
            "first_local_date": str(dates.min().date()) if len(dates) else None,
            "last_local_date": str(dates.max().date()) if len(dates) else None,
            "without_date": int(runs["start_utc"].isna().sum()),
            "local_time_from": {k: int(v) for k, v in
                                runs["tz_source"].value_counts().items() if k},
        },
        "duplicates": [{"path": r.source_path + (f"!{r.member_path}" if r.member_path else ""),
                        "activity_id": r.activity_id, "duplicate_of": r.duplicate_of,
                        "rule": r.rule, "detail": r.detail}
                       for r in report.duplicates.itertuples()],
        "skipped": _grouped(files[files["status"] == "not_activity"]),
        "partial": _grouped(files[files["status"] == "partial"]),
        "failed": _grouped(files[files["status"] == "failed"]),
    }


def _print_scan(summary: dict[str, Any], out: TextIO,
                units: DistanceUnit | str = "km") -> None:
    w = out.write
    unit = distance_unit(units)
    status = summary["files_by_status"]
    fmt = ", ".join(f"{_FORMAT_WORDS.get(k, k)} {v}"
                    for k, v in summary["files_by_format"].items())
    w(f"Scanned {summary['files']} files in {summary['elapsed_s']:.1f} s ({fmt}); "
      f"{summary['from_cache']} from the cache, {summary['decoded']} decoded.\n")
    w(f"  read {status.get('read', 0)}, partial {status.get('partial', 0)}, "
      f"not an activity {status.get('not_activity', 0)}, failed {status.get('failed', 0)}\n\n")
    w(f"Activities by sport ({summary['sessions']} sessions):\n")
    for sport, subs in sorted(summary["sessions_by_sport"].items(),
                              key=lambda kv: -sum(kv[1].values())):
        detail = ", ".join(f"{k} {v}" for k, v in sorted(subs.items(), key=lambda kv: -kv[1]))
        w(f"  {sport:<20} {sum(subs.values()):>5}   ({detail})\n")
    runs = summary["runs"]
    w(f"\nRuns: {runs['count']}, {unit.from_metres(runs['distance_m']):,.1f} {unit.name}")
    if runs["manual"]:
        w(f" ({runs['manual']} manual entries without records)")
    w("\n")
    if runs["first_local_date"]:
        w(f"  local dates {runs['first_local_date']} to {runs['last_local_date']}\n")
    sources = runs["local_time_from"]
    if sources:
        w("  local time from: " + ", ".join(f"{_TZ_WORDS.get(k, k)} {v}"
                                             for k, v in sorted(sources.items(),
                                                                key=lambda kv: -kv[1])) + "\n")
    if runs["without_date"]:
        w(f"  {runs['without_date']} runs have no calendar date\n")
    if summary["duplicates"]:
        w(f"\nDuplicates removed: {len(summary['duplicates'])}\n")
        for item in summary["duplicates"][:_MAX_LISTED]:
            w(f"  {item['path']}: {item['detail']}\n")
        _more(w, len(summary["duplicates"]))
    for key, title in (("partial", "Read in part (damaged files)"),
                       ("skipped", "Skipped (not an activity)"), ("failed", "Failed")):
        items = summary[key]
        if not items:
            continue
        w(f"\n{title}: {len(items)}\n")
        if len(items) > _MAX_LISTED:
            reasons = pd.Series([item["reason"] for item in items]).value_counts()
            for reason, n in reasons.head(_MAX_LISTED).items():
                w(f"  {n:>6} x {reason}\n")
            _more(w, len(reasons), what="other reasons")
        else:
            for item in items:
                w(f"  {item['path']}: {item['reason']}\n")


_MAX_LISTED = 20
_FORMAT_WORDS = {"fit": "FIT", "gpx": "GPX", "tcx": "TCX", "strava_csv": "Strava CSV",
                 "garmin_json": "Garmin JSON"}
_TZ_WORDS = {"fit_local_timestamp": "the FIT file", "file_offset": "the file's time offsets",
             "garmin_json": "Garmin's summary", "gps_lookup": "the GPS position",
             "user_default": "--tz", "assumed_utc": "nothing (UTC assumed)"}


def _more(w: Any, n: int, what: str = "more") -> None:
    if n > _MAX_LISTED:
        w(f"  ... and {n - _MAX_LISTED} {what} (--json lists all)\n")


def _import(args: argparse.Namespace, err: TextIO) -> History:
    bar = _ProgressBar(err, not args.no_progress)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RunloadWarning)
        history = read_history(args.paths, tz=args.tz, cache_dir=args.cache_dir,
                               use_cache=not args.no_cache, progress=bar)
    bar.close()
    for warning in caught:
        err.write(f"runload: warning: {warning.message}\n")
    return history


def override_summary(sessions: pd.DataFrame, overrides: pd.DataFrame) -> dict[str, Any]:
    """What a surface override file did to a history, as plain JSON-ready values.

    ``sessions_set``: sessions whose surface the file sets; ``sessions_changed``:
    those whose surface differs from the classification's; ``rules_unmatched``:
    1-based numbers of the rules that match no session (a mistyped id?).
    """
    classified = classify_surfaces(sessions)
    applied = apply_surface_overrides(classified, overrides)
    is_set = applied["surface_source"].eq(USER_OVERRIDE).fillna(False).to_numpy(dtype=bool)
    before = classified["surface"].astype("string").fillna("").to_numpy(dtype=object)
    after = applied["surface"].astype("string").fillna("").to_numpy(dtype=object)
    matches = surface_override_matches(sessions, overrides)
    return {
        "file": str(overrides.attrs.get("path", "")),
        "rules": int(len(overrides)),
        "sessions_set": int(is_set.sum()),
        "sessions_changed": int((is_set & (before != after)).sum()),
        "rules_unmatched": [int(i) + 1 for i in matches.index[matches.eq(0)]],
    }


def _print_overrides(summary: dict[str, Any], out: TextIO) -> None:
    unmatched = summary["rules_unmatched"]
    out.write(f"\nSurface overrides ({summary['file']}, {summary['rules']} rules): "
              f"{summary['sessions_set']} sessions set to {USER_OVERRIDE}, "
              f"{summary['sessions_changed']} of them to another surface than classified\n")
    if unmatched:
        out.write(f"  {len(unmatched)} rules match no session: "
                  + ", ".join(f"rule {i}" for i in unmatched[:_MAX_LISTED]) + "\n")


def _overrides(path: str | None) -> pd.DataFrame | None:
    return None if path is None else read_surface_overrides(path)


def _cmd_scan(args: argparse.Namespace, out: TextIO, err: TextIO) -> ExitStatus:
    thresholds = _settings(args)
    overrides = _overrides(args.surfaces)
    history = _import(args, err)
    summary = scan_summary(history)
    if overrides is not None:
        summary["surface_overrides"] = override_summary(history.sessions, overrides)
    if args.json:
        json.dump(summary, out, indent=2)
        out.write("\n")
    else:
        _print_scan(summary, out, thresholds.display.units)
        if overrides is not None:
            _print_overrides(summary["surface_overrides"], out)
    return ExitStatus.SUCCESS


def _settings(args: argparse.Namespace) -> Thresholds:
    """Thresholds from --config, with --units (when given) winning over its [display] units."""
    thresholds = Thresholds() if args.config is None else read_thresholds(args.config)
    if getattr(args, "units", None):
        thresholds = thresholds.with_overrides({"display": {"units": args.units}})
    return thresholds


def _recent_weeks(analysis: Analysis, since: pd.Timestamp | None, n: int) -> pd.DataFrame:
    weekly = analysis.weekly
    if since is not None:
        weekly = weekly[weekly.index >= since - pd.Timedelta(days=6)]
    return weekly.tail(n) if since is None else weekly


def _shown_flags(analysis: Analysis, since: pd.Timestamp | None) -> pd.DataFrame:
    table = analysis.flags
    if since is not None:
        table = table[table["local_date"] >= since]
    return table


def _cmd_analyze(args: argparse.Namespace, out: TextIO, err: TextIO) -> ExitStatus:
    thresholds = _settings(args)
    overrides = _overrides(args.surfaces)
    journal = None if args.pain is None else read_pain_journal(args.pain)
    history = _import(args, err)
    analysis = analyze(history.sessions, thresholds=thresholds, as_of=args.until,
                       surface_overrides=overrides, pain=journal)
    weeks = _recent_weeks(analysis, args.since, args.weeks)
    shown = _shown_flags(analysis, args.since)
    if args.until is not None:
        shown = shown[shown["local_date"] <= args.until]
        weeks = weeks[weeks.index <= args.until]
    period_runs = analysis.runs
    if args.since is not None:
        period_runs = period_runs[period_runs["local_date"] >= args.since]
    if args.until is not None:
        period_runs = period_runs[period_runs["local_date"] <= args.until]
    if args.format == "csv":
        shown.to_csv(out, index=False, date_format="%Y-%m-%d")
    elif args.format == "json":
        result = _analysis_json(analysis, weeks, shown)
        result["surfaces"] = _surfaces_json(period_runs)
        if journal is not None:
            result["pain"] = pain_json(analysis, args.pain)
        json.dump(result, out, indent=2, default=str)
        out.write("\n")
    else:
        hidden = 0
        if args.since is None and len(weeks):
            # In plain words, the flags of the weeks shown: a whole history's flags
            # would bury this week's under years of old ones.
            recent = shown[shown["local_date"] >= weeks.index[0]]
            hidden = len(shown) - len(recent)
            shown = recent
            period_runs = period_runs[period_runs["local_date"] >= weeks.index[0]]
        pain = None if journal is None else pain_lines(analysis, args.pain)
        _print_analysis(analysis, weeks, shown, out, period_runs, pain=pain)
        if hidden:
            out.write(f"\n{hidden} earlier flags are not shown: --since YYYY-MM-DD shows a "
                      "longer period, --format csv or json lists them all.\n")
    return ExitStatus.SUCCESS


def _check_output(path: str, what: str) -> None:
    """Fail before the import when a report file cannot be written where asked."""
    parent = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise RunloadError(f"cannot write the {what} to {path}: it is a folder")
    if not os.path.isdir(parent):
        raise RunloadError(f"cannot write the {what} to {path}: the folder {parent} does "
                           "not exist")
    if not os.access(parent, os.W_OK):
        raise RunloadError(f"cannot write the {what} to {path}: the folder {parent} is not "
                           "writable")


def report_summary(report: Any, analysis: Analysis) -> str:
    """One line on the report's latest week, in the report's units."""
    week = report.week
    if week is None:
        return "No runs found."
    unit = distance_unit(report.units)
    days = "" if week.days == 7 else f", {week.days} days so far"
    parts = [f"{unit.format_distance(week.distance_m)} in {week.runs} "
             f"run{'' if week.runs == 1 else 's'}"]
    if week.runs:
        parts.append(f"longest {unit.format_distance(week.longest_run_m)}")
    parts.append(f"{week.rest_days} rest day{'' if week.rest_days == 1 else 's'}")
    counts = ", ".join(f"{n} {severity}" for severity, n in reversed(week.flag_counts.items())
                       if n)
    parts.append(f"flags: {counts}" if counts else "no flags")
    return (f"Week of {week.week_start.date()}{days}: " + ", ".join(parts)
            + f"; {len(analysis.flags)} flags in the whole history.")


def _cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> ExitStatus:
    thresholds = _settings(args)
    overrides = _overrides(args.surfaces)
    _check_output(args.output, "report")
    if args.pdf:
        _check_output(args.pdf, "PDF")
    journal = None if args.pain is None else read_pain_journal(args.pain)
    history = TrainingHistory(_import(args, err), thresholds=thresholds,
                              surface_overrides=overrides, as_of=args.as_of, pain=journal)
    report = history.report(weeks=args.weeks)
    _write_outputs(report, args.output, args.pdf, "report", out)
    out.write(report_summary(report, history.analysis) + "\n")
    return ExitStatus.SUCCESS


def _write_outputs(report: Any, html: str, pdf: str | None, what: str, out: TextIO) -> None:
    """Write the HTML (and the PDF when asked), then say where."""
    written = []
    for path, write, kind in ((html, report.write_html, what), (pdf, report.write_pdf, "PDF")):
        if not path:
            continue
        try:
            write(path)
        except OSError as exc:
            raise RunloadError(f"cannot write the {kind} to {path}: "
                               f"{exc.strerror or exc}") from exc
        written.append(path)
    for path in written:
        out.write(f"Wrote {path}\n")


def coach_lines(week: RosterWeek) -> list[str]:
    """The roster's week in plain lines: a heading, then one line per athlete, in page order."""
    unit = distance_unit(week.units)
    start, end = week.week_start, week.week_end
    lines = [f"{week.title}, week of {start.date()} to {end.date()} ({len(week.athletes)} "
             "athletes, most in need of attention first):"]
    for athlete in week.athletes:
        w = athlete.summary
        if athlete.error is not None or w is None:
            lines.append(f"  {athlete.name}: could not read the data: {athlete.error}")
            continue
        counts = ", ".join(f"{n} {severity}" for severity, n in
                           reversed(w.flag_counts.items()) if n)
        ids = ", ".join(dict.fromkeys(w.flags["flag_id"]))
        failed = (f"; {athlete.files_failed} file{'' if athlete.files_failed == 1 else 's'} "
                  "not read" if athlete.files_failed else "")
        lines.append(f"  {athlete.name}: {unit.format_distance(w.distance_m)} in {w.runs} "
                     f"run{'' if w.runs == 1 else 's'}; "
                     + (f"flags: {counts} ({ids})" if counts else "no flags") + failed)
    return lines


def _cmd_coach(args: argparse.Namespace, out: TextIO, err: TextIO) -> ExitStatus:
    thresholds = _settings(args)
    _check_output(args.output, "coach page")
    if args.pdf:
        _check_output(args.pdf, "PDF")
    bar = _ProgressBar(err, not args.no_progress)
    try:
        week = load_roster(args.roster, week=args.week, thresholds=thresholds,
                           cache_dir=args.cache_dir, use_cache=not args.no_cache, progress=bar)
    except ValueError as exc:
        raise RunloadError(str(exc)) from exc
    finally:
        bar.close()
    for athlete in week.athletes:
        for said in athlete.warnings:
            err.write(f"runload: warning: {athlete.name}: {said}\n")
    _write_outputs(week.report(), args.output, args.pdf, "coach page", out)
    out.write("\n".join(coach_lines(week)) + "\n")
    if week.failed:
        names = ", ".join(a.name for a in week.failed)
        err.write(f"runload: warning: the data of {len(week.failed)} athlete"
                  f"{'' if len(week.failed) == 1 else 's'} could not be read ({names}); "
                  "the page says why.\n")
    return ExitStatus.SUCCESS


def _surfaces_json(period_runs: pd.DataFrame) -> dict[str, Any]:
    """Runs and distance per surface, and where the surfaces came from."""
    surface = period_runs["surface"].astype("string").fillna("").replace("", "unknown")
    distance = period_runs["distance_m"].astype("float64").fillna(0.0)
    source = period_runs["surface_source"].astype("string").fillna("")
    return {
        "runs": {s: int(surface.eq(s).sum()) for s in SURFACES if surface.eq(s).any()},
        "distance_m": {s: round(float(distance[surface.eq(s).to_numpy(dtype=bool)].sum()), 1)
                       for s in SURFACES if surface.eq(s).any()},
        "source_runs": {str(k): int(v) for k, v in source.value_counts().items() if k},
    }


def _analysis_json(analysis: Analysis, weeks: pd.DataFrame, shown: pd.DataFrame) -> dict:
    weeks_out = weeks.reset_index()
    weeks_out["week_start"] = weeks_out["week_start"].dt.strftime("%Y-%m-%d")
    flags_out = shown.copy()
    flags_out["local_date"] = flags_out["local_date"].dt.strftime("%Y-%m-%d")
    keys = list(dict.fromkeys(shown["citation_key"]))
    return {
        "disclaimer": DISCLAIMER,
        "load_kind": analysis.load_kind,
        "weeks": json.loads(weeks_out.to_json(orient="records")),
        "flags": json.loads(flags_out.to_json(orient="records")),
        "references": [REFERENCES[k].__dict__ for k in keys],
    }


_LOAD_WORDS = {"trimp_stream": "Banister TRIMP from heart rate",
               "trimp_avg_hr": "Banister TRIMP from average heart rate",
               "duration_min": "minutes of running", "distance_km": "kilometres",
               "hrss": "heart-rate stress score (HRSS)"}


def _print_surfaces(weeks: pd.DataFrame, period_runs: pd.DataFrame, out: TextIO) -> None:
    w = out.write
    used = [s for s in SURFACES if (weeks[f"distance_{s}_m"] > 0).any()]
    if used:
        w("\nSurface mix (share of each week's distance):\n")
        w(f"  {'week of':<12}" + "".join(f"{s:>11}" for s in used) + "\n")
        for start, row in weeks.iterrows():
            cells = "".join(f"{'-':>11}" if pd.isna(row[f"share_{s}_frac"])
                            else f"{row[f'share_{s}_frac'] * 100:>9.0f} %" for s in used)
            w(f"  {start.date()!s:<12}{cells}\n")
    sources = period_runs["surface_source"].astype("string").fillna("").value_counts()
    sources = sources[sources.index != ""]
    if len(sources):
        w("  surface from: " + ", ".join(f"{k} {v}" for k, v in sources.items())
          + f" runs{' (user_override: your --surfaces file)' if USER_OVERRIDE in sources else ''}"
          + "\n")


def _print_analysis(analysis: Analysis, weeks: pd.DataFrame, shown: pd.DataFrame,
                    out: TextIO, period_runs: pd.DataFrame | None = None, *,
                    pain: list[str] | None = None) -> None:
    w = out.write
    if analysis.runs.empty:
        w("No runs found.\n")
        if pain:
            w("\n" + "\n".join(pain) + "\n")
        return
    unit = distance_unit(analysis.thresholds.display.units)
    w(f"Weeks (starting on {analysis.thresholds.weeks.week_start.capitalize()}, local dates):\n")
    w(f"  {'week of':<12}{'distance':>10}{'runs':>6}{'rest days':>11}{'longest':>10}"
      f"{'pace':>11}{'climb':>8}  change vs week before\n")
    base = unit.from_metres(analysis.thresholds.weekly_jump.min_base_m)
    base_runs = analysis.thresholds.weekly_jump.min_base_runs
    for start, row in weeks.iterrows():
        frac = row["change_frac"]
        change = (f"(previous week under {base:.3g} {unit.name} or {base_runs} runs)"
                  if pd.isna(frac)
                  else f"{0 if abs(frac) < 0.005 else frac:+.0%} ({row['change_bin']})")
        w(f"  {start.date()!s:<12}{unit.from_metres(row['distance_m']):>7.1f} {unit.name}"
          f"{int(row['runs']):>6}{int(row['rest_days']):>11}"
          f"{unit.from_metres(row['longest_run_m']):>7.1f} {unit.name}"
          f"{unit.format_pace(row['avg_speed_mps']):>11}"
          f"{row['ascent_m']:>6.0f} m  {change}\n")
    _print_surfaces(weeks, analysis.runs if period_runs is None else period_runs, out)
    w(f"\nFlags ({len(shown)}, newest first):\n")
    if shown.empty:
        w("  none in this period\n")
    for row in shown.itertuples():
        ref = REFERENCES.get(row.citation_key)
        source = ref.citation.split(",")[0] if ref else row.citation_key
        w(f"  {row.local_date.date()} {row.flag_id} [{row.severity}; {row.evidence_grade} "
          f"evidence; {source}]\n      {row.message}\n")
    last = analysis.acwr.dropna(subset=["ratio"]).tail(1)
    settings = analysis.thresholds.acwr
    if len(last):
        ratio_days = (f"{settings.acute_days}:{settings.chronic_days - settings.acute_days}"
                      if settings.method == "uncoupled"
                      else f"{settings.acute_days}:{settings.chronic_days}")
        w(f"\nACWR ({settings.method} {ratio_days} days, "
          f"{_LOAD_WORDS.get(analysis.load_kind, analysis.load_kind)}): "
          f"{last['ratio'].iloc[0]:.2f} on {last.index[0].date()} - a trend line; in studies "
          "of runners higher values did not mean more injuries.\n")
    fit = analysis.fitness.tail(1)
    if len(fit):
        w(f"Fitness/fatigue ({_LOAD_WORDS.get(analysis.load_kind, analysis.load_kind)}): "
          f"CTL {fit['ctl'].iloc[0]:.0f}, ATL {fit['atl'].iloc[0]:.0f}, "
          f"TSB {fit['tsb'].iloc[0]:+.0f} on {fit.index[0].date()} - a performance model, "
          "not an injury predictor.\n")
    if pain:
        w("\n" + "\n".join(pain) + "\n")
    w(f"\n{DISCLAIMER}\n")
    keys = list(dict.fromkeys(shown["citation_key"]))
    if keys:
        w("\nReferences:\n")
        for key in keys:
            ref = REFERENCES[key]
            w(f"  [{key}] {ref.citation}" + (f" doi:{ref.doi}" if ref.doi else "") + "\n")


# --- the pain journal ------------------------------------------------------------------------

def _region_words(region: str) -> str:
    return region.replace("_", " ")


def episode_line(r: Any) -> str:
    """'lower back: 2026-05-03 to 2026-05-09, peak 5/10, 4 entries' (or 'since ..., open')."""
    onset = pd.Timestamp(r.onset_date).date()
    if bool(r.is_open):
        when = f"since {onset}, still open (last entry {pd.Timestamp(r.last_entry_date).date()})"
    elif r.end_date == r.onset_date:
        when = f"on {onset}"
    else:
        when = f"{onset} to {pd.Timestamp(r.end_date).date()}"
    entries = f"{r.n_entries} entr{'y' if r.n_entries == 1 else 'ies'}"
    return f"{_region_words(str(r.region))}: {when}, peak {r.peak_severity}/10, {entries}"


def _journal_heading(analysis_entries: pd.DataFrame, episodes: pd.DataFrame, path: str,
                     thresholds: Thresholds) -> str:
    settings = thresholds.pain
    n, k = len(analysis_entries), len(episodes)
    return (f"Pain journal ({path}: {n} entr{'y' if n == 1 else 'ies'}, {k} episode"
            f"{'' if k == 1 else 's'}; an episode starts at {settings.severity_threshold}/10 or "
            f"more after {settings.pain_free_days} days without):")


def pain_lines(analysis: Analysis, path: str) -> list[str]:
    """The "Pain journal" part of ``runload analyze``: each episode and what stood out before it."""
    t = analysis.thresholds
    if not t.pain.enabled:
        return [f"Pain journal ({path}): not analysed, [pain] enabled = false in the config."]
    entries, episodes, exposures = (analysis.pain_entries, analysis.pain_episodes,
                                    analysis.pain_exposures)
    lines = [_journal_heading(entries, episodes, path, t)]
    if episodes.empty:
        lines.append(f"  no episode: no entry rated {t.pain.severity_threshold}/10 or more.")
        return lines
    units = t.display.units
    n = len(episodes)
    quiet = {BACK_PAIN_SENTENCE, caveat_sentence(n)}
    for (_, row), r in zip(episodes.iterrows(), episodes.itertuples(index=False), strict=True):
        lines.append(f"  {episode_line(r)}")
        mine = exposures[(exposures["episode_id"] == row["episode_id"]).to_numpy(dtype=bool)]
        for sentence in describe_episode(row, mine, units, n_episodes=n):
            if sentence not in quiet:
                lines.append(f"      {sentence}")
    several = [region for region, k in episodes["region"].value_counts().items() if k > 1]
    for region in sorted(several):
        said = [s for s in pain_summary(episodes, exposures, units, region=region)
                if s not in quiet and not s.startswith("These are patterns")]
        lines += [f"  {s}" for s in said]
    if (episodes["region"] == "lower_back").any():
        lines.append(f"  {BACK_PAIN_SENTENCE}")
    lines.append(f"  {caveat_sentence(n)}")
    return lines


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    out = table.copy()
    for column in out.columns:
        if str(out[column].dtype).startswith("datetime64"):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return json.loads(out.to_json(orient="records"))


def pain_json(analysis: Analysis, path: str) -> dict[str, Any]:
    """The pain journal's episodes and exposures, JSON-ready (dates YYYY-MM-DD, NaN as null)."""
    return {"file": path, "enabled": analysis.thresholds.pain.enabled,
            "entries": int(len(analysis.pain_entries)),
            "episodes": _records(analysis.pain_episodes),
            "exposures": _records(analysis.pain_exposures),
            "caveat": caveat_sentence(len(analysis.pain_episodes))}


def _cmd_pain(args: argparse.Namespace, out: TextIO, err: TextIO) -> ExitStatus:
    path = os.path.abspath(args.file)
    if args.pain_command == "add":
        line = append_pain_entry(path, date=args.date, region=args.region,
                                 severity=args.severity, timing=args.timing, note=args.note)
        timing = parse_timing(args.timing)
        said = ", ".join(part for part in (
            str(parse_date(args.date)), _region_words(parse_region(args.region)),
            f"{parse_severity(args.severity)}/10", _region_words(timing)) if part)
        out.write(f"Wrote line {line} of {path}: {said}"
                  + (f" ({args.note})" if args.note else "") + "\n")
        return ExitStatus.SUCCESS
    thresholds = Thresholds() if args.config is None else read_thresholds(args.config)
    entries = read_pain_journal(path)
    episodes = pain_episodes(entries, thresholds.pain)
    out.write(_journal_heading(entries, episodes, path, thresholds) + "\n")
    if episodes.empty:
        out.write(f"  no episode: no entry rated {thresholds.pain.severity_threshold}/10 or "
                  "more.\n")
    for r in episodes.itertuples(index=False):
        out.write(f"  {episode_line(r)}\n")
    out.write("Run `runload analyze PATH --pain FILE` to see your training before each "
              "episode.\n")
    return ExitStatus.SUCCESS


class _Printable:
    """A text stream that escapes control and text-direction characters in what it writes.

    File names, activity names and reasons come from strangers' files: printed raw,
    ``\\x1b[...`` would drive the terminal.  Newline, tab and carriage return (the
    progress line) pass.
    """

    _KEEP = str.maketrans("", "", "\n\r\t")

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if not text.translate(self._KEEP).isprintable():
            text = "".join(c if c in "\n\r\t" else printable(c) for c in text)
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


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
    out: TextIO = _Printable(stdout or sys.stdout)  # type: ignore[assignment]
    err: TextIO = _Printable(stderr or sys.stderr)  # type: ignore[assignment]
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return int(exc.code or 0) if isinstance(exc.code, int) else ExitStatus.USAGE
    try:
        command = {"scan": _cmd_scan, "analyze": _cmd_analyze, "report": _cmd_report,
                   "coach": _cmd_coach, "pain": _cmd_pain}[args.command]
        return int(command(args, out, err))
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
