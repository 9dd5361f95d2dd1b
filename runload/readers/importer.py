"""Import a runner's whole history: discover, read (cached, in parallel), link, de-duplicate, date.

Pipeline
--------
1. :func:`runload.readers.discover.iter_sources` lists every file and archive
   member under the given paths.
2. Each candidate's content is looked up in the cache by a stat manifest
   (path, size, change stamp -> content hash), so an unchanged file is not
   even read; otherwise its bytes are read, decompressed and hashed, and the
   cache is asked again by content.  A FIT file whose ``file_id`` says it is
   not an activity (monitoring, settings: most of a Garmin export) is
   skipped after reading its first 4 KiB.
3. Files not in the cache are decoded, serially or by an executor.
4. Strava ``activities.csv`` rows are linked to their files by ``Filename``
   (names and descriptions are merged in); rows without a file, and Garmin
   ``summarizedActivities`` entries, become summary-only sessions.
5. :func:`runload.readers.dedupe.find_duplicates` marks copies of one
   activity (the same file twice, re-encodings, FIT vs GPX/TCX, summaries of
   a file), keeping the richest and merging what only the others had
   (including a Garmin JSON local offset).
6. :func:`runload.readers.timezones.resolve_local_time` dates every session
   in local time.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from os import PathLike
from typing import Any

import pandas as pd

from runload.errors import NotAnActivityError, ReadError, UnsupportedFormatError
from runload.readers import discover
from runload.readers.cache import CachedFile, SessionCache, default_cache_dir
from runload.readers.content import decode_payload, session_rows, sniff, unwrap
from runload.readers.dedupe import find_duplicates
from runload.readers.fit import file_type
from runload.readers.summaries import SummaryActivity, read_garmin_summaries, read_strava_csv
from runload.readers.timezones import resolve_local_time
from runload.schema import files_frame, sessions_frame

#: Bump when the readers' output changes: cached results of older versions are ignored.
READER_VERSION = "4"
#: Bytes read to recognise a file and, for FIT, its file_id.
HEAD_BYTES = 4096
#: Uncached content that makes a process pool pay, per format [bytes].  Measured
#: with benchmarks/bench_import.py on 2 cores: a pool of 2 breaks even on about
#: 3 MiB of GPX and is 0.70x serial from 4 MiB (0.53x from 16 MiB); on FIT it is
#: 0.72x serial for 2000 runs (173 MiB) on an idle machine, but slower than
#: serial below ~20 MiB and whenever another process holds a core.
POOL_MIN_BYTES = {"gpx": 4 * 1024**2, "tcx": 4 * 1024**2, "fit": 64 * 1024**2}

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ImportReport:
    """What an import found and what became of each file.

    Attributes
    ----------
    files : pandas.DataFrame
        One row per file or archive member looked at
        (:data:`runload.schema.FILE_COLUMNS`): read, partial, not an
        activity, or failed, with the reason.
    duplicates : pandas.DataFrame
        One row per session dropped as a copy of another: its activity_id,
        the kept one (``duplicate_of``), the rule and details.
    n_from_cache : int
        Files whose result came from the cache.
    n_decoded : int
        Files decoded in this run.
    elapsed_s : float
        Wall time of the import [s].
    """

    files: pd.DataFrame
    duplicates: pd.DataFrame
    n_from_cache: int
    n_decoded: int
    elapsed_s: float

    def count(self, status: str) -> int:
        """Number of files with ``status`` ('read', 'partial', 'not_activity', 'failed')."""
        return int((self.files["status"] == status).sum())


@dataclass(frozen=True)
class History:
    """A runner's imported history.

    Attributes
    ----------
    sessions : pandas.DataFrame
        One row per activity session, duplicates removed
        (:data:`runload.schema.SESSION_COLUMNS`), in start order.
    report : ImportReport
    """

    sessions: pd.DataFrame
    report: ImportReport


def _decode_job(fmt: str, content: bytes, path: str) -> CachedFile:
    """Decode one file's content into a cacheable result (runs in worker processes)."""
    sha = hashlib.sha256(content).hexdigest()
    try:
        parsed = decode_payload(fmt, content, path)
    except NotAnActivityError as exc:
        return CachedFile(fmt, "", "not_activity", exc.reason, ())
    except ReadError as exc:
        return CachedFile(fmt, "", "failed", exc.reason, ())
    rows = tuple({k: v for k, v in row.items() if k not in ("source_path", "member_path")}
                 for row in session_rows(parsed, fmt, sha, path, ""))
    return CachedFile(fmt, parsed.decoder, "partial" if parsed.is_partial else "read",
                      "; ".join(parsed.problems), rows)


def _head_key(head: bytes) -> str:
    # Files skipped from their first bytes have no content hash; their cache
    # key is the hash of those bytes, marked so it cannot equal a content hash.
    return hashlib.sha256(b"runload-head:" + head).hexdigest()


class _Decoder:
    """Decodes queued files: inline, or by an executor where that pays.

    With a caller's executor every file goes to it.  Without one, files wait
    in a queue per format; once a format's queue holds
    :data:`POOL_MIN_BYTES` of content (and the machine has more than one
    core), a process pool is started and takes that queue and every later
    file.  Queues that never reach it are decoded inline at the end: for
    small imports a pool costs more than it saves.
    """

    def __init__(self, executor: Executor | None) -> None:
        self.executor = executor
        self.own_pool: ProcessPoolExecutor | None = None
        self.futures: list[tuple[discover.Source, str, Future[CachedFile]]] = []
        self.queued: dict[str, list[tuple[discover.Source, str, tuple[str, bytes, str]]]] = {}
        self.queued_bytes: dict[str, int] = {}

    def submit(self, source: discover.Source, key: str, job: tuple[str, bytes, str]) -> None:
        pool = self.executor or self.own_pool
        if pool is not None:
            self.futures.append((source, key, pool.submit(_decode_job, *job)))
            return
        fmt = job[0]
        self.queued.setdefault(fmt, []).append((source, key, job))
        self.queued_bytes[fmt] = self.queued_bytes.get(fmt, 0) + len(job[1])
        if (self.queued_bytes[fmt] >= POOL_MIN_BYTES.get(fmt, POOL_MIN_BYTES["fit"])
                and (os.cpu_count() or 1) > 1):
            self.own_pool = ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1))
            for items in self.queued.values():
                for queued in items:
                    self.futures.append((queued[0], queued[1],
                                         self.own_pool.submit(_decode_job, *queued[2])))
            self.queued = {}

    def results(self) -> list[tuple[discover.Source, str, CachedFile]]:
        """Every decoded file, once all are done."""
        try:
            out = [(s, k, _decode_job(*job)) for items in self.queued.values()
                   for s, k, job in items]
            out += [(s, k, f.result()) for s, k, f in self.futures]
        finally:
            if self.own_pool is not None:
                self.own_pool.shutdown()
        return out


def read_history(paths: str | PathLike[str] | Iterable[str | PathLike[str]], *,
                 tz: str | None = None,
                 cache_dir: str | PathLike[str] | None = None,
                 use_cache: bool = True,
                 executor: Executor | None = None,
                 progress: Progress | None = None) -> History:
    """Read every activity under ``paths``: folders, zips, Garmin and Strava exports.

    Parameters
    ----------
    paths : path-like or iterable of path-like
        Files, folders and zip archives.
    tz : str, optional
        IANA time zone for sessions whose file gives no local time and have no
        GPS fix (e.g. 'Europe/Berlin'); without it such sessions are dated in
        UTC, with a warning.
    cache_dir : path-like, optional
        Cache folder (default: ``$RUNLOAD_CACHE_DIR`` or the user cache dir).
    use_cache : bool, default True
        False reads every file again and writes no cache.
    executor : concurrent.futures.Executor, optional
        Decodes files in parallel (any Executor: a process pool, a dask
        client's executor...).  By default a process pool is started only
        once enough uncached content waits (:data:`POOL_MIN_BYTES`: 4 MiB of
        GPX/TCX, 64 MiB of FIT); smaller imports are decoded inline.
    progress : callable, optional
        ``progress(done, total, what)`` after each file.

    Returns
    -------
    History

    Raises
    ------
    FileNotFoundError
        If a path does not exist.
    ValueError
        If ``tz`` is not an IANA time zone name.
    """
    started = time.perf_counter()
    if isinstance(paths, str | PathLike):
        paths = [paths]
    cache = (SessionCache(cache_dir if cache_dir is not None else default_cache_dir(),
                          reader_version=READER_VERSION) if use_cache else None)
    results: list[tuple[discover.Source, CachedFile]] = []
    summaries: list[tuple[discover.Source, SummaryActivity]] = []
    decoder = _Decoder(executor)
    n_cached = n_decoded = 0
    for done, (source, read) in enumerate(discover.iter_sources(paths), start=1):
        outcome = _look_up(source, read, cache, decoder, summaries)
        if outcome is not None:
            n_cached += outcome[1]
            results.append((source, outcome[0]))
        if progress is not None:
            progress(done, 0, source.locator)
    for source, key, entry in decoder.results():
        n_decoded += 1
        if cache is not None:
            cache.put(key, entry)
            cache.remember(source.locator, source.size, source.stamp, key)
        results.append((source, entry))
    if cache is not None:
        cache.flush()

    results.sort(key=lambda item: (item[0].path, item[0].member))
    session_dicts: list[dict[str, Any]] = []
    file_rows: list[dict[str, Any]] = []
    for source, entry in results:
        file_rows.append({"source_path": source.path, "member_path": source.member,
                          "source_format": entry.source_format, "status": entry.status,
                          "reason": entry.reason, "n_sessions": len(entry.sessions),
                          "decoder": entry.decoder})
        for row in entry.sessions:
            session_dicts.append({**row, "source_path": source.path,
                                  "member_path": source.member})
    session_dicts.extend(_link_summaries(summaries, session_dicts, file_rows))

    sessions = sessions_frame(session_dicts)
    deduplicated = find_duplicates(sessions)
    kept = deduplicated.sessions[deduplicated.sessions["duplicate_of"] == ""]
    kept = resolve_local_time(kept, tz=tz)
    kept = kept.sort_values(["start_utc", "activity_id"], na_position="last",
                            kind="stable").reset_index(drop=True)
    report = ImportReport(files=files_frame(file_rows), duplicates=deduplicated.duplicates,
                          n_from_cache=n_cached, n_decoded=n_decoded,
                          elapsed_s=time.perf_counter() - started)
    return History(sessions=kept, report=report)


def _look_up(source: discover.Source, read: Callable[[int], bytes], cache: SessionCache | None,
             decoder: _Decoder, summaries: list[tuple[discover.Source, SummaryActivity]]
             ) -> tuple[CachedFile, bool] | None:
    """(result, came from the cache) for one source, or None once queued for decoding.

    Runs while the source's archive is open: its reader is valid only now.
    """
    if source.role == discover.ROLE_SKIP:
        return CachedFile("", "", "not_activity", source.reason, ()), False
    if source.role == discover.ROLE_ERROR:
        return CachedFile("", "", "failed", source.reason, ()), False
    if source.role in (discover.ROLE_STRAVA_CSV, discover.ROLE_GARMIN_SUMMARY):
        strava = source.role == discover.ROLE_STRAVA_CSV
        reader = read_strava_csv if strava else read_garmin_summaries
        fmt = "strava_csv" if strava else "garmin_json"
        try:
            items = reader(read(-1), source.locator)
        except ReadError as exc:
            return CachedFile(fmt, "", "failed", exc.reason, ()), False
        summaries.extend((source, item) for item in items)
        return CachedFile(fmt, fmt, "read", "", ()), False
    if cache is not None:
        key = cache.known_sha256(source.locator, source.size, source.stamp)
        if key is not None:
            entry = cache.get(key)
            if entry is not None:
                return entry, True
    head = read(HEAD_BYTES)
    fmt = sniff(head)
    if fmt == "fit":
        ftype = file_type(head)
        if ftype is not None and ftype != "activity":
            entry = CachedFile("fit", "", "not_activity",
                               f"FIT file of type '{ftype}', not an activity", ())
            _remember(cache, source, _head_key(head), entry)
            return entry, False
    if not fmt and source.name.lower().removesuffix(".gz").rsplit(".", 1)[-1] not in (
            "fit", "gpx", "tcx") and head:
        entry = CachedFile("", "", "not_activity", "not a FIT, GPX or TCX file", ())
        _remember(cache, source, _head_key(head), entry)
        return entry, False
    data = head if source.size <= len(head) else read(-1)
    try:
        fmt, content = unwrap(data, source.path, source.member)
    except UnsupportedFormatError as exc:
        return CachedFile("", "", "not_activity", exc.reason, ()), False
    except ReadError as exc:
        return CachedFile("", "", "failed", exc.reason, ()), False
    sha = hashlib.sha256(content).hexdigest()
    if cache is not None:
        entry = cache.get(sha)
        if entry is not None:
            cache.remember(source.locator, source.size, source.stamp, sha)
            return entry, True
    decoder.submit(source, sha, (fmt, content, source.locator))
    return None


def _remember(cache: SessionCache | None, source: discover.Source, key: str,
              entry: CachedFile) -> None:
    if cache is not None:
        cache.put(key, entry)
        cache.remember(source.locator, source.size, source.stamp, key)


def _link_summaries(summaries: list[tuple[discover.Source, SummaryActivity]],
                    sessions: list[dict[str, Any]],
                    file_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge Strava CSV rows into the sessions of their files; return summary-only sessions.

    A row names its file ('activities/123.fit.gz'); the file is the session
    whose path inside the same export ends with that name, and takes the
    row's name and description.  Rows without a
    file, rows whose file is absent, and Garmin JSON entries are returned as
    summary-only sessions (de-duplication later folds those that match a
    file).
    """
    by_name: dict[str, list[dict[str, Any]]] = {}
    for row in sessions:
        inner = row["member_path"].rsplit(discover.SEPARATOR, 1)[-1] or row["source_path"]
        by_name.setdefault(inner.replace("\\", "/").lower(), []).append(row)
    extra: list[dict[str, Any]] = []
    for source, item in summaries:
        matches: list[dict[str, Any]] = []
        if item.filename:
            wanted = item.filename.replace("\\", "/").lower()
            for name, rows in by_name.items():
                if name.endswith(wanted) and _same_export(rows[0], source):
                    matches.extend(rows)
        if matches:
            # The export's own table holds the title the runner gave (and may
            # have edited since): it wins over a name written in the file.
            for row in matches:
                for key in ("name", "description"):
                    if item.session.get(key):
                        row[key] = item.session[key]
            continue
        row = dict(item.session)
        if item.filename:
            note = f"file {item.filename} named in activities.csv was not found"
            row["notes"] = "; ".join(n for n in (row.get("notes", ""), note) if n)
        extra.append(row)
    return extra


def _same_export(row: dict[str, Any], source: discover.Source) -> bool:
    """True when a session's file sits in the export that holds the summary file."""
    if source.member:
        return row["source_path"] == source.path
    folder = os.path.dirname(source.path)
    return row["source_path"].startswith(folder + os.sep) or row["source_path"] == folder
