"""Recognise one file by its content and decode it: FIT, GPX, TCX, gzip of them.

:func:`read_activity` reads one file.  The import pipeline
(:mod:`runload.readers.importer`) uses :func:`unwrap` and :func:`decode_payload`
to decode many files, some of them inside archives, possibly in worker
processes.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Callable
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
from runload.readers.sports import FOOT_SPORTS
from runload.readers.tcx import parse_tcx
from runload.readers.track_features import empty_features, track_features
from runload.schema import sessions_frame

#: Decompressed size above which gzip content is refused [bytes]: real activities are
#: under 50 MiB, and parsing takes about 10 times the content's size in memory.
MAX_DECOMPRESSED_BYTES = 128 * 1024 * 1024
#: Gzip content larger than RATIO_FLOOR_BYTES may be at most this many times the size
#: of the file as stored (a gzip bomb guard: real FIT/GPX/TCX compress 3-35 times).
MAX_INFLATE_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024
_INFLATE_CHUNK = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(gpx|TrainingCenterDatabase)[\s>/]")
# A document type declaration names the root; its DTD may push the root past the head.
_XML_DOCTYPE = re.compile(
    rb"<!DOCTYPE\s+(?:[A-Za-z_][\w.-]*:)?(gpx|TrainingCenterDatabase)[\s>\[]")
# A damaged TCX whose root element was lost still starts with its activities.
_XML_TCX_BODY = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(Activities|Activity|Courses)[\s>]")
_PARSERS: dict[str, Callable[[bytes, str], ParsedFile]] = {
    "fit": parse_fit, "gpx": parse_gpx, "tcx": parse_tcx}
#: Sports whose sessions get track features (runload.readers.track_features): foot sports
#: and unspecified ones.
_FEATURE_SPORTS = FOOT_SPORTS | {"generic"}


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
    or ``TrainingCenterDatabase`` (with any namespace prefix), or a document
    type declaration names one of them (its parser then refuses the DTD, with
    that reason); XML whose root was lost but which holds TCX
    ``Activities``/``Courses`` is TCX.
    """
    if data[:2] == _GZIP_MAGIC:
        return "gzip"
    if data[:4] == _ZIP_MAGIC:
        return "zip"
    if len(data) >= 12 and data[0] in (12, 14) and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        match = _XML_ROOT.search(head) or _XML_DOCTYPE.search(head)
        if match:
            return "gpx" if match.group(1) == b"gpx" else "tcx"
        if _XML_TCX_BODY.search(head):
            return "tcx"
    return ""


def inflate_limit(stored_bytes: int) -> int:
    """Most bytes gzip content may decompress to, for a file of ``stored_bytes`` as stored.

    :data:`MAX_DECOMPRESSED_BYTES`, and :data:`MAX_INFLATE_RATIO` times the
    stored size once past :data:`RATIO_FLOOR_BYTES`: memory stays
    proportional to the bytes a file really has, however it is compressed.
    """
    return min(MAX_DECOMPRESSED_BYTES, max(RATIO_FLOOR_BYTES, MAX_INFLATE_RATIO * stored_bytes))


def _size(n: int) -> str:
    return f"{n / 1024**2:g} MiB" if n >= 1024**2 else f"{n:,} bytes"


def _gunzip(data: bytes, path: str, limit: int, where: str | None = None) -> bytes:
    """One gzip member's content, refused when it would exceed ``limit`` bytes.

    Decompressed in chunks; the limit also applies to the compressed bytes
    used so far (:func:`inflate_limit`), so a bomb is refused after about
    :data:`RATIO_FLOOR_BYTES` of output, whatever its declared or real size.
    """
    inflater = zlib.decompressobj(wbits=31)
    chunks: list[bytes] = []
    total = 0
    tail = data
    try:
        while total <= limit and not inflater.eof:
            chunk = inflater.decompress(tail, min(_INFLATE_CHUNK, limit + 1 - total))
            tail = inflater.unconsumed_tail
            if not chunk and not tail:
                break  # the input ended before the stream did: truncated
            chunks.append(chunk)
            total += len(chunk)
            # a bomb shows its ratio early: stop at the first MiB past the floor
            limit = min(limit, inflate_limit(len(data) - len(tail)))
    except zlib.error as exc:
        raise CorruptFileError(path, f"damaged gzip data: {exc}", member=where) from exc
    if total > limit:
        why = (f"over {_size(MAX_DECOMPRESSED_BYTES)}" if limit == MAX_DECOMPRESSED_BYTES
               else f"more than {MAX_INFLATE_RATIO} times the file's size")
        raise CorruptFileError(path, f"gzip content decompresses to {why} (a gzip bomb guard); "
                                     "not read", member=where)
    if not inflater.eof:
        raise CorruptFileError(path, "damaged gzip data: the compressed stream is truncated",
                               member=where)
    return b"".join(chunks)


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


def unwrap(data: bytes, path: str, member: str = "") -> tuple[str, bytes]:
    """Decompress gzip layers and recognise the content.

    Parameters
    ----------
    data : bytes
        The file as stored.
    path, member : str
        Where it came from, for error messages.

    Returns
    -------
    (format, content)
        'fit', 'gpx' or 'tcx' and the decompressed bytes.

    Raises
    ------
    UnsupportedFormatError, CorruptFileError
        Naming the file: not an activity format, empty, damaged gzip, gzip
        content larger than :func:`inflate_limit` allows, or a content that
        contradicts the file's name.
    """
    where = member or None
    fmt = sniff(data)
    depth = 0
    # one limit for every layer, from the size as stored: nesting gains nothing
    limit = inflate_limit(len(data))
    while fmt == "gzip":
        depth += 1
        if depth > 2:
            raise UnsupportedFormatError(path, "gzip nested more than twice", member=where)
        data = _gunzip(data, path, limit, where)
        fmt = sniff(data)
    if fmt == "zip":
        raise UnsupportedFormatError(path, "zip archive inside a compressed file", member=where)
    if not fmt:
        if not data:
            raise CorruptFileError(path, "empty file (0 bytes)", member=where)
        name = (member or path).lower().removesuffix(".gz")
        suffix = Path(name).suffix
        if suffix in (".fit", ".gpx", ".tcx"):
            raise CorruptFileError(path, f"named {suffix} but its content is not "
                                         f"{suffix[1:].upper()}", member=where)
        raise UnsupportedFormatError(path, "not a FIT, GPX or TCX file", member=where)
    return fmt, data


def decode_payload(fmt: str, content: bytes, path: str) -> ParsedFile:
    """Decode recognised content with its format's parser.

    Raises
    ------
    NotAnActivityError, CorruptFileError
        From the parser, naming the file.
    """
    if fmt == "fit":
        ftype = file_type(content)
        if ftype is not None and ftype != "activity":
            raise NotAnActivityError(path, f"FIT file of type '{ftype}', not an activity")
    return _PARSERS[fmt](content, path)


def _decode(data: bytes, path: str, member: str) -> tuple[str, str, ParsedFile]:
    """(format, sha256, parsed) of one file's bytes; raises ReadError subclasses."""
    fmt, content = unwrap(data, path, member)
    return fmt, hashlib.sha256(content).hexdigest(), decode_payload(fmt, content, path)


def session_rows(parsed: ParsedFile, fmt: str, sha: str, path: str,
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
        # Streams are not kept after import: the surface inference's inputs are taken now,
        # for the sports that run (a 4 h ride would cost ~10 ms for nothing).
        row.update(track_features(stream) if len(stream) and row.get("sport") in _FEATURE_SPORTS
                   else empty_features())
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
    return Activity(sessions=sessions_frame(session_rows(parsed, fmt, sha, path, "")),
                    streams=parsed.streams, problems=parsed.problems)
