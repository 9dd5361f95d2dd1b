"""Find activity files under paths, recognise them by content, and read them all.

One bad file never stops a scan: every file a scan looks at gets a row in the
``files`` table saying what became of it (read, partial, not an activity,
failed) and why, so nothing the user gave is silently dropped.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from runload.errors import (
    CorruptFileError,
    NotAnActivityError,
    ReadError,
    UnsupportedFormatError,
)
from runload.readers.fit import file_type, parse_fit
from runload.readers.gpx import parse_gpx
from runload.readers.parsed import ParsedFile
from runload.readers.tcx import parse_tcx
from runload.schema import files_frame, sessions_frame

#: Decompressed size above which a .gz member is refused (a gzip bomb guard) [bytes].
MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(gpx|TrainingCenterDatabase)[\s>/]")
# A damaged TCX whose root element was lost still starts with its activities.
_XML_TCX_BODY = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(Activities|Activity|Courses)[\s>]")
_PARSERS: dict[str, Callable[[bytes, str], ParsedFile]] = {
    "fit": parse_fit, "gpx": parse_gpx, "tcx": parse_tcx}
# Names no activity file has: skipped without reading them.
_IGNORED_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}

Progress = Callable[[int, int, str], None]


def sniff(data: bytes) -> str:
    """Recognise a file's format from its first bytes.

    Parameters
    ----------
    data : bytes
        The file content (at least its first kilobytes).

    Returns
    -------
    str
        'fit', 'gpx', 'tcx', 'gzip', 'zip', or '' when none of these.

    Notes
    -----
    FIT: '.FIT' at bytes 8-11 of a 12- or 14-byte header.  XML: the first
    root element after any BOM, whitespace, declaration or comment is ``gpx``
    or ``TrainingCenterDatabase`` (with any namespace prefix); XML whose root
    was lost but which holds TCX ``Activities``/``Courses`` is TCX.
    """
    if data[:2] == _GZIP_MAGIC:
        return "gzip"
    if data[:4] == _ZIP_MAGIC:
        return "zip"
    if len(data) >= 12 and data[0] in (12, 14) and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        match = _XML_ROOT.search(head)
        if match:
            return "gpx" if match.group(1) == b"gpx" else "tcx"
        if _XML_TCX_BODY.search(head):
            return "tcx"
    return ""


def _gunzip(data: bytes, path: str) -> bytes:
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, MAX_DECOMPRESSED_BYTES)
    except zlib.error as exc:
        raise CorruptFileError(path, f"damaged gzip data: {exc}") from exc
    if len(out) >= MAX_DECOMPRESSED_BYTES:
        raise CorruptFileError(path, f"gzip content exceeds {MAX_DECOMPRESSED_BYTES} bytes")
    if not inflater.eof:
        raise CorruptFileError(path, "damaged gzip data: the compressed stream is truncated")
    return out


@dataclass(frozen=True)
class Activity:
    """Everything read from one activity file.

    Attributes
    ----------
    sessions : pandas.DataFrame
        One row per session (:data:`runload.schema.SESSION_COLUMNS`).
    streams : tuple of pandas.DataFrame
        Per-record samples of each session, in the order of ``sessions``
        (:data:`runload.schema.STREAM_COLUMNS`).
    problems : tuple of str
        Non-fatal problems met while reading.
    """

    sessions: pd.DataFrame
    streams: tuple[pd.DataFrame, ...]
    problems: tuple[str, ...]


def _decode(data: bytes, path: str, member: str) -> tuple[str, str, ParsedFile]:
    """(format, sha256, parsed) of one file's bytes; raises ReadError subclasses."""
    fmt = sniff(data)
    depth = 0
    while fmt == "gzip":
        depth += 1
        if depth > 2:
            raise UnsupportedFormatError(path, "gzip nested more than twice", member=member or None)
        data = _gunzip(data, path)
        fmt = sniff(data)
    if fmt == "zip":
        raise UnsupportedFormatError(path, "zip archive (archives are not read by this version)",
                                     member=member or None)
    if not fmt:
        if not data:
            raise CorruptFileError(path, "empty file (0 bytes)", member=member or None)
        suffix = Path(path).suffix.lower()
        if suffix in (".fit", ".gpx", ".tcx"):
            raise CorruptFileError(path, f"named {suffix} but its content is not "
                                         f"{suffix[1:].upper()}", member=member or None)
        raise UnsupportedFormatError(path, "not a FIT, GPX or TCX file", member=member or None)
    if fmt == "fit":
        ftype = file_type(data)
        if ftype is not None and ftype != "activity":
            raise NotAnActivityError(path, f"FIT file of type '{ftype}', not an activity",
                                     member=member or None)
    sha = hashlib.sha256(data).hexdigest()
    return fmt, sha, _PARSERS[fmt](data, path)


def _session_rows(parsed: ParsedFile, fmt: str, sha: str, path: str,
                  member: str) -> list[dict[str, object]]:
    rows = []
    for i, (session, stream) in enumerate(zip(parsed.sessions, parsed.streams, strict=True)):
        row = dict(session)
        if "start_lat_deg" not in row and len(stream):
            fixes = np.flatnonzero(stream["lat_deg"].notna().to_numpy()
                                   & stream["lon_deg"].notna().to_numpy())
            if len(fixes):
                row["start_lat_deg"] = float(stream["lat_deg"].iloc[fixes[0]])
                row["start_lon_deg"] = float(stream["lon_deg"].iloc[fixes[0]])
        row.update(activity_id=f"{sha[:16]}-{i}", source_path=path, member_path=member,
                   source_format=fmt, content_sha256=sha, decoder=parsed.decoder,
                   session_index=i)
        rows.append(row)
    return rows


def read_activity(source: str | PathLike[str] | bytes, *, name: str | None = None) -> Activity:
    """Read one activity file (FIT, GPX or TCX, optionally gzipped).

    Parameters
    ----------
    source : str, path-like or bytes
        A file path, or the file's bytes.
    name : str, optional
        Name to report for bytes input (default '<bytes>').

    Returns
    -------
    Activity

    Raises
    ------
    runload.errors.ReadError
        :class:`~runload.errors.UnsupportedFormatError`,
        :class:`~runload.errors.CorruptFileError` or
        :class:`~runload.errors.NotAnActivityError`, naming the file.
    """
    if isinstance(source, bytes):
        path, data = name or "<bytes>", source
    else:
        path = str(source)
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ReadError(path, f"cannot read file: {exc.strerror or exc}") from exc
    fmt, sha, parsed = _decode(data, path, "")
    return Activity(sessions=sessions_frame(_session_rows(parsed, fmt, sha, path, "")),
                    streams=parsed.streams, problems=parsed.problems)


@dataclass(frozen=True)
class ScanResult:
    """What a scan found.

    Attributes
    ----------
    sessions : pandas.DataFrame
        Every session read (:data:`runload.schema.SESSION_COLUMNS`), in file
        order.
    files : pandas.DataFrame
        One row per file looked at (:data:`runload.schema.FILE_COLUMNS`),
        with its status and the reason when it was not read whole.
    """

    sessions: pd.DataFrame
    files: pd.DataFrame


def iter_files(paths: Iterable[str | PathLike[str]]) -> Iterator[Path]:
    """Every file under ``paths`` (folders walked recursively, in sorted order).

    Raises
    ------
    FileNotFoundError
        If a path does not exist.
    """
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.name.lower() not in _IGNORED_NAMES:
                    yield child
        elif path.is_file():
            yield path
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")


def scan(paths: Iterable[str | PathLike[str]], *, progress: Progress | None = None) -> ScanResult:
    """Read every activity file under ``paths``.

    Parameters
    ----------
    paths : iterable of path-like
        Files and folders (walked recursively).
    progress : callable, optional
        Called as ``progress(done, total, path)`` after each file.

    Returns
    -------
    ScanResult

    Raises
    ------
    FileNotFoundError
        If one of ``paths`` does not exist (before anything is read).
    """
    files = list(iter_files(paths))
    session_rows: list[dict[str, object]] = []
    file_rows: list[dict[str, object]] = []
    for done, file in enumerate(files, start=1):
        path = str(file)
        row: dict[str, object] = {"source_path": path, "member_path": ""}
        try:
            data = file.read_bytes()
            fmt, sha, parsed = _decode(data, path, "")
        except NotAnActivityError as exc:
            row.update(status="not_activity", reason=exc.reason,
                       source_format=_format_of(file))
        except UnsupportedFormatError as exc:
            row.update(status="not_activity", reason=exc.reason)
        except ReadError as exc:
            row.update(status="failed", reason=exc.reason, source_format=_format_of(file))
        except OSError as exc:
            row.update(status="failed", reason=f"cannot read file: {exc.strerror or exc}")
        else:
            rows = _session_rows(parsed, fmt, sha, path, "")
            session_rows.extend(rows)
            row.update(source_format=fmt, decoder=parsed.decoder, n_sessions=len(rows),
                       status="partial" if parsed.is_partial else "read",
                       reason="; ".join(parsed.problems))
        file_rows.append(row)
        if progress is not None:
            progress(done, len(files), path)
    return ScanResult(sessions=sessions_frame(session_rows), files=files_frame(file_rows))


def _format_of(file: Path) -> str:
    """Best guess of a failed file's format, from its content or else its name."""
    try:
        with open(file, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        head = b""
    fmt = sniff(head)
    if fmt == "gzip":
        try:
            with open(file, "rb") as fh, gzip.GzipFile(fileobj=fh) as gz:
                fmt = sniff(gz.read(4096))
        except (OSError, EOFError, zlib.error):
            fmt = ""
    if fmt in _PARSERS:
        return fmt
    suffix = file.name.lower().removesuffix(".gz").rsplit(".", 1)[-1]
    return suffix if suffix in _PARSERS else ""
