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

Limits
------
Exports come from strangers: one bad file never stops an import, and nothing
in a file can make runload use unbounded memory or time.

* An activity file larger than :data:`MAX_FILE_BYTES` for its format (FIT
  64 MiB, GPX and TCX 128 MiB; real activities are under 50 MiB) is reported
  as failed with the limit, from its size on disk or in the archive header,
  before it is read; a header that lies does not help, as no more than the
  limit plus one byte is ever read.  Decoding takes about 14 times a FIT
  file's size in memory and 11 times a GPX file's, so the limits bound one
  decode to about 1.4 GiB.
* A gzip file is decompressed to at most the limit of what it holds, and to at
  most :data:`runload.readers.discover.MAX_COMPRESSION_RATIO` times its
  compressed size once past 1 MiB (a gzip bomb guard).
* Export summaries (``activities.csv``, ``summarizedActivities`` JSON) may be
  at most :data:`MAX_SUMMARY_BYTES`.
* At most :data:`MAX_PENDING_BYTES` of content waits for decoding or is in
  flight in a process pool; past it the import waits for results, which go to
  the cache as they come.  The cache manifest is saved every
  :data:`FLUSH_EVERY_S`, so a killed import keeps most of its work.
* Archives: see :mod:`runload.readers.discover`.

An unexpected error while reading one file (a bug) is reported as that file's
failure, with the error, and the import goes on.
"""

from __future__ import annotations

import hashlib
import os
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from os import PathLike
from typing import Any

import pandas as pd

from runload.errors import (
    CorruptFileError,
    NotAnActivityError,
    ReadError,
    UnsupportedFormatError,
)
from runload.readers import discover
from runload.readers.cache import CachedFile, SessionCache, default_cache_dir
from runload.readers.content import decode_payload, session_rows, sniff, unwrap
from runload.readers.dedupe import find_duplicates
from runload.readers.fit import file_type
from runload.readers.summaries import SummaryActivity, read_garmin_summaries, read_strava_csv
from runload.readers.timezones import resolve_local_time, validated_zone
from runload.schema import files_frame, sessions_frame

#: Bump when the readers' output changes: cached results of older versions are ignored.
READER_VERSION = "4"
#: Bytes read to recognise a file and, for FIT, its file_id.
HEAD_BYTES = discover.HEAD_BYTES
#: Uncached content that makes a process pool pay, per format [bytes].  Measured
#: with benchmarks/bench_import.py on 2 cores: a pool of 2 breaks even on about
#: 3 MiB of GPX and is 0.70x serial from 4 MiB (0.53x from 16 MiB); on FIT it is
#: 0.72x serial for 2000 runs (173 MiB) on an idle machine, but slower than
#: serial below ~20 MiB and whenever another process holds a core.
POOL_MIN_BYTES = {"gpx": 4 * 1024**2, "tcx": 4 * 1024**2, "fit": 64 * 1024**2}
#: Largest activity file read, per format, decompressed [bytes].  Real activities
#: are under 50 MiB (a week at one record a second is about 20 MiB of FIT).
MAX_FILE_BYTES = {"fit": 64 * 1024**2, "gpx": 128 * 1024**2, "tcx": 128 * 1024**2}
#: Largest export summary read: Strava's activities.csv, Garmin's summarizedActivities JSON.
MAX_SUMMARY_BYTES = 64 * 1024**2
#: Most content held at once for decoding, queued or in flight [bytes].
MAX_PENDING_BYTES = 256 * 1024**2
#: Seconds between saves of the cache manifest during an import [s].
FLUSH_EVERY_S = 10.0
_GZIP_MAGIC = b"\x1f\x8b"
_GUNZIP_CHUNK = 1024**2
_FORMAT_NAMES = {"fit": "FIT", "gpx": "GPX", "tcx": "TCX"}

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
    """Decode one file's content into a cacheable result (runs in worker processes).

    Never raises: a file the parser refuses is 'failed' with its reason, and an
    unexpected error (a bug) is 'failed' with the error, so one file cannot stop
    an import.
    """
    sha = hashlib.sha256(content).hexdigest()
    try:
        parsed = decode_payload(fmt, content, path)
        rows = tuple({k: v for k, v in row.items() if k not in ("source_path", "member_path")}
                     for row in session_rows(parsed, fmt, sha, path, ""))
    except NotAnActivityError as exc:
        return CachedFile(fmt, "", "not_activity", exc.reason, ())
    except ReadError as exc:
        return CachedFile(fmt, "", "failed", exc.reason, ())
    except Exception as exc:  # noqa: BLE001 - one bad file never stops an import
        return CachedFile(fmt, "", "failed", _unexpected(exc), ())
    return CachedFile(fmt, parsed.decoder, "partial" if parsed.is_partial else "read",
                      "; ".join(parsed.problems), rows)


def _unexpected(exc: BaseException) -> str:
    return (f"runload failed on this file ({type(exc).__name__}: {exc}); this is a bug, "
            "please report it")


def _outcome_key(entry: CachedFile) -> str:
    # Files skipped from their first bytes have no content hash, and their
    # outcome depends on nothing but its reason: all of them share one entry
    # per outcome, keyed by the hash of the outcome (marked so it cannot equal
    # a content hash).  A folder of 100,000 junk files writes one entry, not
    # 100,000; the stat manifest still records each file.
    text = "\0".join((entry.source_format, entry.status, entry.reason))
    return hashlib.sha256(b"runload-outcome:" + text.encode("utf-8")).hexdigest()


Done = Callable[[discover.Source, str, CachedFile], None]
_Job = tuple[str, bytes, str]


class _Decoder:
    """Decodes queued files: inline, or by an executor where that pays.

    With a caller's executor every file goes to it.  Without one, files wait
    in a queue per format; once a format's queue holds
    :data:`POOL_MIN_BYTES` of content, a process pool is started (when the
    machine has more than one core) and takes that queue and every later
    file, or (on one core) the queue is decoded inline at once.  Queues that
    never reach it are decoded inline at the end: for small imports a pool
    costs more than it saves.

    Memory stays bounded: when more than :data:`MAX_PENDING_BYTES` of content
    is queued or in flight, :meth:`submit` waits for the oldest results.  Each
    result is handed to ``done`` as soon as it is collected.  A job whose
    executor fails (a worker process killed, say for want of memory) is
    decoded again inline.
    """

    def __init__(self, executor: Executor | None, done: Done) -> None:
        self.executor = executor
        self.done = done
        self.own_pool: ProcessPoolExecutor | None = None
        self.pool_failed = False
        self.in_flight: deque[tuple[discover.Source, str, _Job, Future[CachedFile]]] = deque()
        self.in_flight_bytes = 0
        self.queued: dict[str, list[tuple[discover.Source, str, _Job]]] = {}
        self.queued_bytes: dict[str, int] = {}

    def submit(self, source: discover.Source, key: str, job: _Job) -> None:
        pool = None if self.pool_failed else (self.executor or self.own_pool)
        if pool is not None:
            self._send(pool, source, key, job)
            self._collect(MAX_PENDING_BYTES)
            return
        fmt = job[0]
        self.queued.setdefault(fmt, []).append((source, key, job))
        self.queued_bytes[fmt] = self.queued_bytes.get(fmt, 0) + len(job[1])
        if self.queued_bytes[fmt] >= POOL_MIN_BYTES.get(fmt, POOL_MIN_BYTES["fit"]):
            if (os.cpu_count() or 1) > 1 and not self.pool_failed and self.executor is None:
                self.own_pool = ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1))
                queued, self.queued, self.queued_bytes = self.queued, {}, {}
                for items in queued.values():
                    for item in items:
                        self._send(self.own_pool, *item)
                self._collect(MAX_PENDING_BYTES)
            else:
                self._decode_inline(fmt)
        elif sum(self.queued_bytes.values()) > MAX_PENDING_BYTES:
            for queued_fmt in list(self.queued):
                self._decode_inline(queued_fmt)

    def _send(self, pool: Executor, source: discover.Source, key: str, job: _Job) -> None:
        try:
            future = pool.submit(_decode_job, *job)
        except Exception:  # noqa: BLE001 - a broken or shut-down executor: decode here
            self.pool_failed = True
            self.done(source, key, _decode_job(*job))
            return
        self.in_flight.append((source, key, job, future))
        self.in_flight_bytes += len(job[1])

    def _decode_inline(self, fmt: str) -> None:
        for source, key, job in self.queued.pop(fmt, []):
            self.done(source, key, _decode_job(*job))
        self.queued_bytes.pop(fmt, None)

    def _collect(self, keep_bytes: int) -> None:
        """Hand over finished results in order; wait while more than ``keep_bytes`` are out."""
        while self.in_flight and (self.in_flight[0][3].done()
                                  or self.in_flight_bytes > keep_bytes):
            source, key, job, future = self.in_flight.popleft()
            self.in_flight_bytes -= len(job[1])
            try:
                entry = future.result()
            except Exception:  # noqa: BLE001 - the worker died or the executor failed
                entry = _decode_job(*job)
            self.done(source, key, entry)

    def finish(self) -> None:
        """Decode what is still queued and wait for everything in flight."""
        for fmt in list(self.queued):
            self._decode_inline(fmt)
        self._collect(-1)

    def close(self) -> None:
        """Stop the pool this decoder started, if any (also after an error or Ctrl-C)."""
        if self.own_pool is not None:
            self.own_pool.shutdown(cancel_futures=True)
            self.own_pool = None


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
        ``progress(done, total, what)`` after each file or archive member
        looked at: ``done`` counts 1, 2, 3...; ``total`` is 0, as folders are
        walked lazily and the number of files is not known beforehand;
        ``what`` is the file's locator (``path!member``).

    Returns
    -------
    History

    Raises
    ------
    FileNotFoundError
        If a path does not exist.
    ValueError
        If ``tz`` is not an IANA time zone name (checked before anything is read).

    Notes
    -----
    Nothing in a file makes this raise: a file or member that is damaged,
    hostile or over a limit is a row of ``report.files`` with status 'failed'
    (or 'not_activity') and the reason, and the import goes on.  Nothing is
    written but the cache (see the module's "Limits" and
    :mod:`runload.readers.discover`).
    """
    started = time.perf_counter()
    validated_zone(tz, "read_history")  # a wrong name fails now, not after the import
    if isinstance(paths, str | PathLike):
        paths = [paths]
    cache = (SessionCache(cache_dir if cache_dir is not None else default_cache_dir(),
                          reader_version=READER_VERSION) if use_cache else None)
    results: list[tuple[discover.Source, CachedFile]] = []
    summaries: list[tuple[discover.Source, SummaryActivity]] = []
    n_decoded = 0
    last_flush = time.monotonic()

    def flush_now_and_then() -> None:
        # Saves the manifest during long imports: a killed one keeps its work.
        nonlocal last_flush
        if cache is not None and time.monotonic() - last_flush > FLUSH_EVERY_S:
            cache.flush()
            last_flush = time.monotonic()

    def decoded(source: discover.Source, key: str, entry: CachedFile) -> None:
        nonlocal n_decoded
        n_decoded += 1
        _remember(cache, source, key, entry)
        results.append((source, entry))
        flush_now_and_then()

    decoder = _Decoder(executor, decoded)
    n_cached = 0
    try:
        for done, (source, read) in enumerate(discover.iter_sources(paths), start=1):
            try:
                outcome = _look_up(source, read, cache, decoder, summaries)
            except ReadError as exc:
                outcome = CachedFile("", "", "failed", exc.reason, ()), False
            except Exception as exc:  # noqa: BLE001 - one bad file never stops an import
                outcome = CachedFile("", "", "failed", _unexpected(exc), ()), False
            if outcome is not None:
                n_cached += outcome[1]
                results.append((source, outcome[0]))
            if progress is not None:
                progress(done, 0, source.locator)
            flush_now_and_then()
        decoder.finish()
    finally:
        decoder.close()
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
    # In path order, whatever order the folders were walked in (a stable sort:
    # the rows of one file keep theirs).
    summaries.sort(key=lambda item: (item[0].path, item[0].member))
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
    Reads no more than a file's size limit (plus one byte), and raises
    ReadError (a damaged member, an unreadable file) for the caller to report.
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
            if source.size > MAX_SUMMARY_BYTES:
                raise _too_large(MAX_SUMMARY_BYTES, "summary", source.size)
            items = reader(_read_at_most(read, MAX_SUMMARY_BYTES, "summary"), source.locator)
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
            _remember(cache, source, _outcome_key(entry), entry)
            return entry, False
    if not fmt and source.name.lower().removesuffix(".gz").rsplit(".", 1)[-1] not in (
            "fit", "gpx", "tcx") and head:
        entry = CachedFile("", "", "not_activity", "not a FIT, GPX or TCX file", ())
        _remember(cache, source, _outcome_key(entry), entry)
        return entry, False
    # The size limit applies to what the content says it is, else to what the
    # name says (a huge file named .fit is refused for its size, not its bytes).
    claimed = fmt if fmt in MAX_FILE_BYTES or fmt == "gzip" else _format_by_name(source.name)
    try:
        if claimed:
            limit = MAX_FILE_BYTES.get(claimed, max(MAX_FILE_BYTES.values()))
            if source.size > limit:
                raise _too_large(limit, claimed, source.size)
        if fmt in MAX_FILE_BYTES or fmt == "gzip":
            data = head if len(head) < HEAD_BYTES else _read_at_most(read, limit, claimed)
            data = _gunzip(data)
        else:
            data = head  # the first bytes tell it is no activity: nothing more is read
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


def _format_by_name(name: str) -> str:
    """'gzip', 'fit', 'gpx' or 'tcx' as a file's name says, or ''."""
    name = name.lower()
    if name.endswith(".gz"):
        return "gzip"
    suffix = name.rsplit(".", 1)[-1]
    return suffix if suffix in MAX_FILE_BYTES else ""


def _mib(n: int) -> str:
    return f"{n / 1024**2:,.0f} MiB" if n >= 1024**2 else f"{n:,} bytes"


def _too_large(limit: int, kind: str, size: int | None = None) -> ReadError:
    """The error of a file (kind: a format, 'gzip' or 'summary') over its size limit."""
    what = {"gzip": "gzip file", "summary": "export summary file"}.get(
        kind, f"{_FORMAT_NAMES.get(kind, kind)} file")
    note = " (real activities are under 50 MiB)" if kind in MAX_FILE_BYTES else ""
    stated = f"{_mib(size)}: " if size is not None else ""
    return ReadError("", f"{stated}larger than the {_mib(limit)} limit for one {what}{note}: "
                         "not read")


def _read_at_most(read: Callable[[int], bytes], limit: int, kind: str) -> bytes:
    """A source's bytes, refused if it holds more than ``limit`` (whatever its header said)."""
    data = read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit, kind)
    return data


def _gunzip(data: bytes) -> bytes:
    """Up to two gzip layers removed, each bounded by the limit of what it holds.

    Each layer is decompressed to at most the limit of the format its first
    bytes show (:data:`MAX_FILE_BYTES`), and to at most
    :data:`~runload.readers.discover.MAX_COMPRESSION_RATIO` times its
    compressed size once past :data:`~runload.readers.discover.RATIO_FLOOR_BYTES`.
    Content that is no activity format is returned after its first bytes only,
    for :func:`runload.readers.content.unwrap` to name it.
    """
    for _ in range(2):
        if data[:2] != _GZIP_MAGIC:
            return data
        inflater = zlib.decompressobj(wbits=31)
        try:
            out = inflater.decompress(data, HEAD_BYTES)
            inner = sniff(out)
            if inner not in MAX_FILE_BYTES and inner != "gzip":
                if not out and not inflater.eof:
                    raise CorruptFileError("", "damaged gzip data: the compressed stream is "
                                               "truncated")
                return out
            limit = MAX_FILE_BYTES.get(inner, max(MAX_FILE_BYTES.values()))
            by_ratio = max(discover.RATIO_FLOOR_BYTES, discover.MAX_COMPRESSION_RATIO * len(data))
            cap = min(limit, by_ratio)
            # In chunks, joined only when whole and within the cap: a bomb never
            # holds more than the cap, a good file twice its size for a moment.
            chunks, total = [out], len(out)
            while total <= cap and not inflater.eof:
                chunk = inflater.decompress(inflater.unconsumed_tail,
                                            min(_GUNZIP_CHUNK, cap + 1 - total))
                if not chunk and not inflater.unconsumed_tail:
                    break  # input used up before the end of the stream: truncated
                chunks.append(chunk)
                total += len(chunk)
        except zlib.error as exc:
            raise CorruptFileError("", f"damaged gzip data: {exc}") from exc
        if total > cap:
            if cap == limit:
                raise ReadError("", "gzip content " + _too_large(limit, inner).reason)
            raise ReadError("", f"its gzip content decompresses more than "
                                f"{discover.MAX_COMPRESSION_RATIO} times its size (a gzip bomb "
                                "guard): not read")
        if not inflater.eof:
            raise CorruptFileError("", "damaged gzip data: the compressed stream is truncated")
        data = b"".join(chunks)
    if data[:2] == _GZIP_MAGIC:
        raise UnsupportedFormatError("", "gzip nested more than twice")
    return data


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
