"""A persistent, content-addressed cache of what each file's content produced.

Re-reading an unchanged export should read no activity file again.  Two
lookups make that possible:

* the **stat manifest** maps where bytes were found (a *locator*, e.g.
  ``'/home/a/export.zip!DI_CONNECT/x.zip!u_1.fit'``) with their size and
  modification stamp to the SHA-256 of their content, so an unchanged file is
  not even hashed;
* the **entries** map a content SHA-256 to the file's outcome and session
  rows (:class:`CachedFile`), for the reader version that produced them.

Only per-file summaries are cached, never streams: re-parsing a FIT file costs
about as much as loading its cached stream would (research/perf.md, "Caching").

Layout
------
Everything lives under ``<directory>/v2/`` (``v2`` is this module's storage
layout, :data:`LAYOUT_VERSION`; trees of other layouts are left alone)::

    v2/lock                          lock file (empty) for manifest updates
    v2/manifest.json                 {"sha256": ..., "manifest": {"layout": 2,
                                      "files": {locator: [size, stamp, sha256]}}}
    v2/tmp/                          temporary files, renamed into place when complete
    v2/r<reader_version>/ab/<sha256>.json   {"sha256": ..., "entry": {...}}

Integrity
---------
Nothing read from the cache is trusted.  Every file is plain JSON (no pickle)
sealed with the SHA-256 of its payload: ``{"sha256":"<hex>","entry":<payload>}``,
the hash taken over the payload's exact bytes, checked before the payload is
parsed.  A torn write, a flipped bit, a truncated file or a hand edit (a
distance changed in an entry, a record changed in the manifest) breaks the
seal; the entry is then a miss and the file is read again from its source
(and the entry rewritten), a broken manifest counts as empty.  Behind the
seal an entry repeats its layout, reader version and content hash, and every
session value must fit its column's dtype, so an entry in the wrong place, of
another reader version or of another content is never taken for the one asked
for.  The seal guards against accidents, not
against someone who can write the cache folder and recompute it (the cache
holds only what runload derived from the user's own files).  Entries of other
reader versions are never read and are left on disk (a few kB per file;
deleting the cache folder at any time is safe).

Crash safety
------------
Every file is written whole to ``v2/tmp/`` and then moved into place with
:func:`os.replace`, which is atomic: a reader sees the old file or the new one,
never a part.  A process killed mid-write leaves only an orphan in ``tmp/``,
which no lookup reads and which :meth:`SessionCache.flush` deletes once it is
:data:`STALE_TEMP_S` old.  Entries are not fsync'ed: they are checked on every
read, so one lost or torn by a power failure is only a miss.  The manifest is
fsync'ed before it replaces the old one.

Concurrency
-----------
Entries need no lock: they are named by their content, two processes write the
same bytes for the same name, and the rename is atomic.  The manifest is
loaded once per :class:`SessionCache`; :meth:`SessionCache.flush` takes an
exclusive lock on ``v2/lock`` (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on
Windows), re-reads the manifest, merges in this process's new records and
replaces it, so concurrent runs keep the union of their records.  The lock is
held for milliseconds, not for a run: two imports on one cache proceed in
parallel.  A killed process's lock is released by the operating system.

Limitations
-----------
A file rewritten with the same size within the file system's timestamp
resolution (2 s on FAT) is taken for the old one, as in any stat-based cache.
Records of locators that no longer exist stay in the manifest; they cost only
bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from runload.errors import RunloadWarning
from runload.schema import FILE_STATUSES, SESSION_COLUMNS, UTC_DTYPE

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt
else:
    import fcntl

#: Version of the storage layout and entry encoding; a change starts a new tree.
#: 2: entries and manifest sealed with the SHA-256 of their payload.
LAYOUT_VERSION = 2
#: A temporary file this old is an orphan of a killed process and is deleted [s].
STALE_TEMP_S = 600.0
#: Longest wait for the manifest lock before giving up this flush [s].
LOCK_TIMEOUT_S = 30.0

#: Session keys that say where a file was found; cached rows must not have them.
LOCATION_COLUMNS = ("source_path", "member_path")

_SHA256 = re.compile(r"[0-9a-f]{64}")
_MEMO_ENTRIES = 10_000
_READER_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
_INT_RANGES = {"int16": (-2**15, 2**15 - 1), "Int32": (-2**31, 2**31 - 1),
               "int64": (-2**63, 2**63 - 1)}
_DTYPES = {name: col.dtype for name, col in SESSION_COLUMNS.items()
           if name not in LOCATION_COLUMNS}
_TIMESTAMP_UNIT = np.dtype("datetime64[us]")


def default_cache_dir() -> Path:
    """The folder runload caches in unless told otherwise.

    Returns
    -------
    pathlib.Path
        ``$RUNLOAD_CACHE_DIR`` when set and not empty; otherwise the user
        cache folder plus ``runload``: ``$XDG_CACHE_HOME/runload`` (or
        ``~/.cache/runload``) on Linux and other POSIX systems,
        ``~/Library/Caches/runload`` on macOS, and
        ``%LOCALAPPDATA%\\runload\\Cache`` on Windows.  The folder is not
        created.
    """
    override = os.environ.get("RUNLOAD_CACHE_DIR", "")
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA", "")
        root = Path(base) if base else Path.home() / "AppData" / "Local"
        return root / "runload" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "runload"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says a relative path is invalid and must be ignored.
    root = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return root / "runload"


@dataclass(frozen=True)
class CachedFile:
    """What one file's content produced, wherever the file was found.

    Attributes
    ----------
    source_format : str
        'fit', 'gpx', 'tcx', another content kind the importer names, or ''.
    decoder : str
        What decoded the content (see ``sessions.decoder``), '' when nothing did.
    status : str
        'read', 'partial', 'not_activity' or 'failed' (see ``files.status``).
    reason : str
        Why the file is partial, not an activity, or failed; '' otherwise.
    sessions : tuple of dict
        Session rows keyed by :data:`runload.schema.SESSION_COLUMNS` names,
        without ``source_path`` and ``member_path``.  From the cache, missing
        values come back as None, NaN (float columns) or NaT (time columns),
        which :func:`runload.schema.sessions_frame` reads as the column's
        missing value; times come back as :class:`pandas.Timestamp`.
    """

    source_format: str
    decoder: str
    status: str
    reason: str
    sessions: tuple[dict[str, Any], ...]


class _CorruptEntry(ValueError):
    """A stored file that is not a valid entry; treated as a miss."""


# Encoding: one JSON value per session value, chosen by the column's dtype.
# Missing values (None, NaN, NA, NaT) are null; ±inf are the strings
# 'inf'/'-inf' (JSON has no infinity); times are integer microseconds since
# the Unix epoch (UTC for start_utc, wall clock for the naive local columns).

def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT


def _encode_string(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    raise TypeError("must be a str")


def _encode_float(value: Any) -> Any:
    if isinstance(value, str | bytes):
        raise TypeError("must be a number")
    number = float(value)
    if math.isnan(number):
        return None
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return number


def _encode_bool(value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise TypeError("must be a bool")


def _encode_int(value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        raise TypeError("must be an int, not a bool")
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        if value.is_integer():  # as pandas takes 3.0 into an int column
            return int(value)
    if isinstance(value, int | np.integer):
        return int(value)
    raise TypeError("must be an int")


def _encode_time(value: Any, utc: bool) -> Any:
    stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        return None
    if utc:
        stamp = stamp.tz_localize("UTC") if stamp.tz is None else stamp.tz_convert("UTC")
        stamp = stamp.tz_localize(None)
    elif stamp.tz is not None:
        raise TypeError("must be a naive (wall-clock) time")
    return int(stamp.to_datetime64().astype(_TIMESTAMP_UNIT).astype(np.int64))


def _encode_value(dtype: str, value: Any) -> Any:
    if _is_missing(value):
        return None
    if dtype == "string":
        return _encode_string(value)
    if dtype == "float64":
        return _encode_float(value)
    if dtype == "bool":
        return _encode_bool(value)
    if dtype in _INT_RANGES:
        number = _encode_int(value)
        low, high = _INT_RANGES[dtype]
        if number is not None and not low <= number <= high:
            raise ValueError(f"is out of the {dtype} range")
        return number
    return _encode_time(value, utc=dtype == UTC_DTYPE)


def _encode_row(row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in row.items():
        dtype = _DTYPES.get(name)
        if dtype is None:
            where = ("says where the file was found and must not be cached"
                     if name in LOCATION_COLUMNS else "is not a sessions column")
            raise ValueError(f"The session key {name!r} {where}; see runload.schema.")
        try:
            out[name] = _encode_value(dtype, value)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"The session column {name!r} ({dtype}) cannot hold "
                             f"{value!r}: {exc}.") from exc
    return out


def _decode_value(dtype: str, value: Any) -> Any:
    kind = type(value)
    if value is None:
        if dtype == "float64":
            return math.nan
        return pd.NaT if dtype.startswith("datetime64") else None
    if dtype == "string" and kind is str:
        return value
    if dtype == "float64":
        if kind is float:
            return value
        if kind is int or value in ("inf", "-inf"):
            return float(value)
    elif dtype == "bool" and kind is bool:
        return value
    elif kind is int:
        if dtype in _INT_RANGES:
            low, high = _INT_RANGES[dtype]
            if low <= value <= high:
                return value
        elif dtype == UTC_DTYPE:
            return pd.Timestamp(value, unit="us", tz="UTC")
        elif dtype == "datetime64[us]":
            return pd.Timestamp(value, unit="us")
    raise _CorruptEntry(f"a {dtype} value cannot be {value!r}")


_SEAL_HEAD = b'{"sha256":"'


def _seal(kind: str, payload: bytes) -> bytes:
    """``{"sha256":"<hex of payload>","<kind>":<payload>}``: JSON that proves its payload whole."""
    digest = hashlib.sha256(payload).hexdigest().encode("ascii")
    return b"".join((_SEAL_HEAD, digest, b'","', kind.encode("ascii"), b'":', payload, b"}"))


def _unseal(kind: str, raw: bytes) -> bytes:
    """The payload of a sealed file; raises _CorruptEntry unless its hash matches."""
    start = len(_SEAL_HEAD) + 64
    middle = b'","' + kind.encode("ascii") + b'":'
    if not raw.startswith(_SEAL_HEAD) or raw[start:start + len(middle)] != middle \
            or not raw.endswith(b"}"):
        raise _CorruptEntry(f"not a sealed {kind}")
    payload = raw[start + len(middle):-1]
    if hashlib.sha256(payload).hexdigest().encode("ascii") != raw[len(_SEAL_HEAD):start]:
        raise _CorruptEntry(f"the {kind}'s checksum does not match its content")
    return payload


def _decode_entry(raw: bytes, content_sha256: str, reader_version: str) -> CachedFile:
    """The entry stored in ``raw``; raises _CorruptEntry (or a ValueError) when invalid."""
    doc = json.loads(_unseal("entry", raw))
    if not isinstance(doc, dict) or doc.get("layout") != LAYOUT_VERSION \
            or doc.get("reader_version") != reader_version \
            or doc.get("content_sha256") != content_sha256:
        raise _CorruptEntry("not an entry of this key")
    fields = [doc.get(k) for k in ("source_format", "decoder", "status", "reason")]
    sessions = doc.get("sessions")
    if not all(type(f) is str for f in fields) or fields[2] not in FILE_STATUSES \
            or type(sessions) is not list:
        raise _CorruptEntry("malformed entry")
    rows = []
    for stored in sessions:
        if type(stored) is not dict:
            raise _CorruptEntry("malformed session")
        row = {}
        for name, value in stored.items():
            dtype = _DTYPES.get(name)
            if dtype is None:
                raise _CorruptEntry(f"unknown session key {name!r}")
            row[name] = _decode_value(dtype, value)
        rows.append(row)
    return CachedFile(fields[0], fields[1], fields[2], fields[3], tuple(rows))


class _ManifestLock:
    """An exclusive lock on a file, between processes; released if the holder dies."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fh: Any = None

    def acquire(self, timeout_s: float) -> bool:
        """Take the lock; False if it could not be had within ``timeout_s``."""
        fh = open(self._path, "a+b")  # noqa: SIM115 - held until release()
        deadline = time.monotonic() + timeout_s
        delay = 0.001
        while True:
            try:
                if os.name == "nt":  # pragma: no cover - Windows only
                    fh.seek(0)
                    msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
                else:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                if time.monotonic() >= deadline:
                    fh.close()
                    return False
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
            else:
                self._fh = fh
                return True

    def release(self) -> None:
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            if os.name == "nt":  # pragma: no cover - Windows only
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
            else:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        finally:
            fh.close()


class SessionCache:
    """Cached file outcomes by content hash, and content hashes by file stat.

    Parameters
    ----------
    directory : path-like
        The cache folder (see :func:`default_cache_dir`); created if needed.
    reader_version : str
        Version of the readers' output (letters, digits, '.', '_', '+', '-').
        Entries written under another version are never returned.

    Raises
    ------
    ValueError
        If ``reader_version`` is not a safe folder name.

    Warns
    -----
    RunloadWarning
        Once, the first time the cache cannot be written (read-only or full
        disk...); the run goes on without writing to it.

    Notes
    -----
    The manifest is read once, here; :meth:`flush` (also called on leaving a
    ``with`` block) saves this run's records, merged under a lock with what
    other processes saved meanwhile.  Nothing in the cache can make a lookup
    raise: an unreadable or invalid entry is a miss, an unreadable manifest an
    empty one.  See the module docstring for the layout and crash safety.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d, SessionCache(d, reader_version="1") as cache:
    ...     cache.put("ab" * 32, CachedFile("fit", "runload-fit", "read", "", ()))
    ...     cache.remember("/data/a.fit", 1024, 1_700_000_000_000_000_000, "ab" * 32)
    ...     cache.get(cache.known_sha256("/data/a.fit", 1024, 1_700_000_000_000_000_000))
    CachedFile(source_format='fit', decoder='runload-fit', status='read', reason='', sessions=())
    """

    def __init__(self, directory: str | os.PathLike[str], *, reader_version: str) -> None:
        if not isinstance(reader_version, str) or not _READER_VERSION.fullmatch(reader_version):
            raise ValueError("The 'reader_version' parameter of SessionCache must be 1-64 "
                             "letters, digits, '.', '_', '+' or '-', starting with a letter "
                             f"or digit. Got {reader_version!r} instead.")
        self.reader_version = reader_version
        self.root = Path(directory) / f"v{LAYOUT_VERSION}"
        self._entries = self.root / f"r{reader_version}"
        self._tmp = self.root / "tmp"
        self._manifest_path = self.root / "manifest.json"
        self._lock = _ManifestLock(self.root / "lock")
        self._shards: set[str] = set()
        self._written: dict[str, bytes] = {}
        # Entries without sessions (files skipped or failed) repeat: thousands
        # of junk files share one.  Those read once are kept for the run.
        self._memo: dict[str, CachedFile] = {}
        self._dirty: dict[str, list[Any]] = {}
        self._writable = True
        try:
            self._tmp.mkdir(parents=True, exist_ok=True)
            self._entries.mkdir(exist_ok=True)
        except OSError as exc:
            self._disable(exc)
        self._files = self._read_manifest()

    def __enter__(self) -> SessionCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.flush()

    # --- entries -------------------------------------------------------------

    def _entry_path(self, content_sha256: str) -> Path:
        if not isinstance(content_sha256, str) or not _SHA256.fullmatch(content_sha256):
            raise ValueError("A content hash must be 64 lowercase hex digits (SHA-256). "
                             f"Got {content_sha256!r} instead.")
        return self._entries / content_sha256[:2] / f"{content_sha256}.json"

    def get(self, content_sha256: str) -> CachedFile | None:
        """The cached outcome of a content, or None when not cached (or unreadable).

        Parameters
        ----------
        content_sha256 : str
            SHA-256 of the content, 64 lowercase hex digits.

        Returns
        -------
        CachedFile or None

        Raises
        ------
        ValueError
            If ``content_sha256`` is not 64 lowercase hex digits.
        """
        path = self._entry_path(content_sha256)
        memo = self._memo.get(content_sha256)
        if memo is not None:
            return memo
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
            entry = _decode_entry(raw, content_sha256, self.reader_version)
        except (OSError, ValueError, TypeError, OverflowError, RecursionError):
            # Absent, torn, hand-edited or foreign: a miss, and put() rewrites it.
            self._written.pop(content_sha256, None)
            return None
        if not entry.sessions and len(self._memo) < _MEMO_ENTRIES:
            self._memo[content_sha256] = entry
        return entry

    def put(self, content_sha256: str, entry: CachedFile) -> None:
        """Store the outcome of a content, atomically.

        Parameters
        ----------
        content_sha256 : str
            SHA-256 of the content, 64 lowercase hex digits.
        entry : CachedFile
            Its outcome; session rows must not have ``source_path`` or
            ``member_path``.

        Raises
        ------
        ValueError
            If the hash is malformed, ``entry.status`` is not a file status, or
            a session has an unknown or location key or a value its column
            cannot hold.
        """
        path = self._entry_path(content_sha256)
        if entry.status not in FILE_STATUSES:
            raise ValueError(f"The status of a CachedFile must be one of {FILE_STATUSES}. "
                             f"Got {entry.status!r} instead.")
        doc = {"layout": LAYOUT_VERSION, "reader_version": self.reader_version,
               "content_sha256": content_sha256, "source_format": entry.source_format,
               "decoder": entry.decoder, "status": entry.status, "reason": entry.reason,
               "sessions": [_encode_row(row) for row in entry.sessions]}
        data = _seal("entry", json.dumps(doc, ensure_ascii=False, allow_nan=False,
                                         separators=(",", ":")).encode("utf-8"))
        digest = data[len(_SEAL_HEAD):len(_SEAL_HEAD) + 64]
        self._memo.pop(content_sha256, None)
        if not self._writable or self._written.get(content_sha256) == digest:
            return
        try:
            shard = content_sha256[:2]
            if shard not in self._shards:
                path.parent.mkdir(exist_ok=True)
                self._shards.add(shard)
            self._write_atomic(path, data, durable=False)
        except OSError as exc:
            self._disable(exc)
            return
        # Identical content gives identical entries: written once per run (a
        # folder of copies, or of junk skipped from its first bytes).
        self._written[content_sha256] = digest

    def _write_atomic(self, path: Path, data: bytes, *, durable: bool) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".tmp", dir=self._tmp)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
            _replace(tmp, path)
        except BaseException:
            # Also on KeyboardInterrupt: leave no orphan when we still can.
            _unlink_quietly(tmp)
            raise

    def _disable(self, exc: OSError) -> None:
        if self._writable:
            self._writable = False
            warnings.warn(f"The cache in {self.root.parent} cannot be written "
                          f"({exc.strerror or exc}); this run does not update it.",
                          RunloadWarning, stacklevel=3)

    # --- stat manifest ------------------------------------------------------

    def _read_manifest(self) -> dict[str, Any]:
        try:
            with open(self._manifest_path, "rb") as fh:
                doc = json.loads(_unseal("manifest", fh.read()))
        except (OSError, ValueError, RecursionError):
            return {}
        if isinstance(doc, dict) and doc.get("layout") == LAYOUT_VERSION \
                and isinstance(doc.get("files"), dict):
            return doc["files"]
        return {}

    def known_sha256(self, locator: str, size: int, mtime_ns: int) -> str | None:
        """The content hash recorded for a locator, if its size and stamp still match.

        Parameters
        ----------
        locator : str
            Where the bytes were found (opaque to the cache).
        size : int
            Their size [bytes].
        mtime_ns : int
            Their modification stamp (e.g. ``st_mtime_ns``) [ns].

        Returns
        -------
        str or None
            The SHA-256 recorded by :meth:`remember`, or None when the locator
            is unknown or its size or stamp changed.
        """
        record = self._files.get(locator)
        if type(record) is list and len(record) == 3 and record[0] == size \
                and record[1] == mtime_ns and type(record[2]) is str \
                and _SHA256.fullmatch(record[2]):
            return record[2]
        return None

    def remember(self, locator: str, size: int, mtime_ns: int, content_sha256: str) -> None:
        """Record that the bytes at ``locator`` with this size and stamp hash to a content.

        Kept in memory until :meth:`flush`.

        Raises
        ------
        ValueError
            If ``content_sha256`` is not 64 lowercase hex digits, or size or
            stamp is not an int.
        """
        if not isinstance(content_sha256, str) or not _SHA256.fullmatch(content_sha256):
            raise ValueError("A content hash must be 64 lowercase hex digits (SHA-256). "
                             f"Got {content_sha256!r} instead.")
        if type(size) is not int or type(mtime_ns) is not int:
            raise ValueError(f"The size and stamp of {locator!r} must be ints. "
                             f"Got {size!r} and {mtime_ns!r} instead.")
        record = [size, mtime_ns, content_sha256]
        self._files[locator] = record
        self._dirty[locator] = record

    def flush(self) -> None:
        """Save this run's manifest records, merged with those other processes saved.

        Under the exclusive lock: re-read the manifest, add this process's
        records (they win for the same locator), write it whole and replace
        the old one atomically.  Also deletes orphaned temporary files.  Safe
        to call often; does nothing to the manifest when nothing is new.

        Warns
        -----
        RunloadWarning
            When the manifest cannot be written or the lock not had within
            :data:`LOCK_TIMEOUT_S`; the records stay in memory for a later flush.
        """
        if not self._writable:
            return
        self._remove_stale_temps()
        if not self._dirty:
            return
        try:
            if not self._lock.acquire(LOCK_TIMEOUT_S):
                warnings.warn(f"The cache manifest in {self.root} stayed locked for "
                              f"{LOCK_TIMEOUT_S:g} s; not saved this time.",
                              RunloadWarning, stacklevel=2)
                return
            try:
                # Union: what this process loaded, what others saved since
                # (newer), then this run's records (newest).
                files = {**self._files, **self._read_manifest(), **self._dirty}
                data = _seal("manifest", json.dumps(
                    {"layout": LAYOUT_VERSION, "files": files},
                    ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
                self._write_atomic(self._manifest_path, data, durable=True)
                _fsync_folder(self.root)
            finally:
                self._lock.release()
        except OSError as exc:
            self._disable(exc)
            return
        self._files = files
        self._dirty = {}

    def _remove_stale_temps(self) -> None:
        cutoff = time.time() - STALE_TEMP_S
        try:
            with os.scandir(self._tmp) as it:
                for item in it:
                    try:
                        if item.stat().st_mtime < cutoff:
                            os.unlink(item.path)
                    except OSError:
                        continue  # vanished meanwhile, or not ours to delete
        except OSError:
            return


def _replace(source: str, target: Path) -> None:
    """os.replace, retried briefly on Windows, where a reader's open handle blocks it."""
    for attempt in range(10):
        try:
            os.replace(source, target)
        except PermissionError:
            if os.name != "nt" or attempt == 9:
                raise
            time.sleep(0.01 * (attempt + 1))
        else:
            return


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        return


def _fsync_folder(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; Windows cannot open folders)."""
    if os.name == "nt":  # pragma: no cover - Windows only
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
