"""Find what a runner pointed runload at: folders, zips inside zips, export layouts.

Discovery walks files and folders, and reads zip archives in place (nested
zips are spooled to a temporary file, never extracted into the user's
folders).  Each file or archive member becomes a :class:`Source` with a
role decided from its name only; what a candidate really is gets decided from
its content later.

Layouts
-------
Garmin "Export Your Data"
    ``DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part*.zip`` (and the
    older ``DI-Connect-Fitness-Uploaded-Files/``, per-activity ``*_ACTIVITY.zip``)
    hold the FIT files: read as nested zips.  ``*summarizedActivities*.json``
    holds activity summaries (role ``garmin_summary``).  The rest (wellness
    JSON, monitoring FIT...) is reported as not an activity.
Strava bulk export
    ``activities.csv`` (role ``strava_csv``) and ``activities/`` with
    ``.fit.gz``, ``.gpx``, ``.gpx.gz``, ``.tcx.gz``.  ``routes/`` beside an
    ``activities.csv`` holds planned routes, not activities: skipped.
A watch's ``GARMIN/`` folder, any plain folder
    Every file is a candidate; FIT files that are not activities (monitoring,
    settings, courses) are recognised from their ``file_id``.

Limits
------
Archives nest at most :data:`MAX_ARCHIVE_DEPTH` deep; one member may
decompress to at most :data:`MAX_MEMBER_BYTES`, and no more than
:data:`MAX_COMPRESSION_RATIO` times its compressed size once past 1 MiB (a zip
bomb guard).  A member beyond a limit is reported as failed with the limit it
broke; the rest of the archive is still read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from os import PathLike
from pathlib import Path, PurePosixPath

#: Deepest nesting of archives read (Garmin's older exports reach 3).
MAX_ARCHIVE_DEPTH = 4
#: Largest decompressed size of one archive member [bytes].
MAX_MEMBER_BYTES = 2 * 1024**3
#: Largest decompressed/compressed ratio of a member larger than 1 MiB.
MAX_COMPRESSION_RATIO = 200
#: Nested archives up to this size are held in memory; larger ones go to a temp file [bytes].
SPOOL_IN_MEMORY_BYTES = 64 * 1024**2
#: Member separator in locators ('export.zip!DI_CONNECT/.../Part1.zip!user_1.fit').
SEPARATOR = "!"

# Names no activity file has: skipped without a word (OS litter).
_LITTER = {".ds_store", "thumbs.db", "desktop.ini"}

ROLE_CANDIDATE = "candidate"
ROLE_STRAVA_CSV = "strava_csv"
ROLE_GARMIN_SUMMARY = "garmin_summary"
ROLE_SKIP = "skip"
ROLE_ERROR = "error"


@dataclass(frozen=True)
class Source:
    """One file, on disk or inside archives.

    Attributes
    ----------
    path : str
        The file on disk (an archive for members).
    member : str
        Member chain inside archives, '!'-joined; '' for a plain file.
    size : int
        Size of the (uncompressed) file or member [bytes].
    stamp : int
        Change stamp: modification time of a plain file [ns], CRC-32 of an
        archive member.  With ``size`` it tells whether content changed
        without reading it.
    role : str
        'candidate' (an activity file if its content says so),
        'strava_csv', 'garmin_summary', 'skip' (not an activity) or 'error'
        (a damaged archive or a member beyond a limit).
    reason : str
        Why a source is skipped, or why it could not be opened ('' otherwise).
    """

    path: str
    member: str
    size: int
    stamp: int
    role: str
    reason: str = ""

    @property
    def locator(self) -> str:
        """Where the bytes are: path, then '!'-joined members."""
        return self.path if not self.member else f"{self.path}{SEPARATOR}{self.member}"

    @property
    def name(self) -> str:
        """The file's own name (last member, else the path's name)."""
        last = self.member.rsplit(SEPARATOR, 1)[-1] if self.member else self.path
        return PurePosixPath(last.replace("\\", "/")).name


Reader = Callable[[int], bytes]
"""Reads a source's bytes: ``read(-1)`` everything, ``read(n)`` at most the first n."""


def _role(parts: tuple[str, ...], strava_roots: set[tuple[str, ...]]) -> tuple[str, str]:
    """Role of a file from its path parts (folders and name), and the skip reason."""
    name = parts[-1].lower()
    if name == "activities.csv":
        return ROLE_STRAVA_CSV, ""
    if "summarizedactivities" in name and name.endswith(".json"):
        return ROLE_GARMIN_SUMMARY, ""
    for i, part in enumerate(parts[:-1]):
        if part.lower() == "routes" and parts[:i] in strava_roots:
            return ROLE_SKIP, "a planned route from a Strava export (routes/), not an activity"
    return ROLE_CANDIDATE, ""


def _is_zip_name(name: str) -> bool:
    return name.lower().endswith(".zip")


def iter_sources(paths: Iterable[str | PathLike[str]]) -> Iterator[tuple[Source, Reader]]:
    """Every file and archive member under ``paths``, with a reader for its bytes.

    Parameters
    ----------
    paths : iterable of path-like
        Files, folders (walked recursively, sorted) and zip archives.

    Yields
    ------
    (Source, reader)
        ``reader(-1)`` returns the whole content, ``reader(n)`` the first n
        bytes.  A reader is valid only until the next item is taken (archive
        handles are closed as the walk moves on).

    Raises
    ------
    FileNotFoundError
        If one of ``paths`` does not exist (checked before anything is yielded).
    """
    roots = [Path(p) for p in paths]
    for root in roots:
        if not root.exists():
            raise FileNotFoundError(f"{root}: no such file or folder")
    for root in roots:
        if root.is_dir():
            yield from _walk_folder(root)
        else:
            yield from _file(root, (root.name,), set())


def _walk_folder(root: Path) -> Iterator[tuple[Source, Reader]]:
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name.lower() not in _LITTER)
    rel = [p.relative_to(root).parts for p in files]
    strava_roots = {parts[:-1] for parts in rel if parts[-1].lower() == "activities.csv"}
    for path, parts in zip(files, rel, strict=True):
        yield from _file(path, parts, strava_roots)


def _file(path: Path, parts: tuple[str, ...],
          strava_roots: set[tuple[str, ...]]) -> Iterator[tuple[Source, Reader]]:
    stat = path.stat()
    role, reason = _role(parts, strava_roots)
    if role == ROLE_CANDIDATE and _looks_like_zip(path):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            yield Source(str(path), "", stat.st_size, stat.st_mtime_ns, ROLE_ERROR,
                         f"damaged zip archive: {exc}"), _no_bytes
            return
        with archive:
            yield from _archive(archive, str(path), "", 1)
        return

    def read(n: int = -1) -> bytes:
        with open(path, "rb") as fh:
            return fh.read(n)

    yield Source(str(path), "", stat.st_size, stat.st_mtime_ns, role, reason), read


def _looks_like_zip(path: Path) -> bool:
    if _is_zip_name(path.name):
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _no_bytes(n: int = -1) -> bytes:
    return b""


def _archive(archive: zipfile.ZipFile, path: str, prefix: str,
             depth: int) -> Iterator[tuple[Source, Reader]]:
    infos = sorted((i for i in archive.infolist() if not i.is_dir()), key=lambda i: i.filename)
    infos = [i for i in infos if PurePosixPath(i.filename).name.lower() not in _LITTER
             and not i.filename.startswith("__MACOSX/")]
    parts = [tuple(PurePosixPath(i.filename).parts) for i in infos]
    strava_roots = {p[:-1] for p in parts if p[-1].lower() == "activities.csv"}
    for info, member_parts in zip(infos, parts, strict=True):
        member = f"{prefix}{info.filename}"
        role, reason = _role(member_parts, strava_roots)
        problem = _member_problem(info)
        if problem:
            yield Source(path, member, info.file_size, info.CRC, ROLE_ERROR, problem), _no_bytes
            continue
        if role == ROLE_CANDIDATE and _is_zip_name(info.filename):
            if depth >= MAX_ARCHIVE_DEPTH:
                yield Source(path, member, info.file_size, info.CRC, ROLE_ERROR,
                             f"archive nested deeper than {MAX_ARCHIVE_DEPTH} levels"), _no_bytes
                continue
            yield from _nested(archive, info, path, member, depth)
            continue

        def read(n: int = -1, info: zipfile.ZipInfo = info) -> bytes:
            with archive.open(info) as fh:
                return fh.read(n)

        yield Source(path, member, info.file_size, info.CRC, role, reason), read


def _member_problem(info: zipfile.ZipInfo) -> str:
    if info.file_size > MAX_MEMBER_BYTES:
        return f"archive member larger than {MAX_MEMBER_BYTES} bytes once decompressed"
    if (info.file_size > 1024**2
            and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
        return (f"archive member decompresses {info.file_size // max(info.compress_size, 1)}"
                f" times its size (limit {MAX_COMPRESSION_RATIO}): refused as a zip bomb")
    return ""


def _nested(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, member: str,
            depth: int) -> Iterator[tuple[Source, Reader]]:
    # Seeking inside a deflated member re-decompresses from its start, so a
    # nested archive is copied out once (in memory, or a temp file if large).
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as spool:
        with archive.open(info) as fh:
            shutil.copyfileobj(fh, spool, 1024 * 1024)
        spool.seek(0)
        try:
            inner = zipfile.ZipFile(spool)
        except zipfile.BadZipFile as exc:
            yield Source(path, member, info.file_size, info.CRC, ROLE_ERROR,
                         f"damaged zip archive: {exc}"), _no_bytes
            return
        with inner:
            yield from _archive(inner, path, f"{member}{SEPARATOR}", depth + 1)


def relative_member_name(source: Source) -> str:
    """Path of the file inside its export, '/'-separated, for matching CSV 'Filename's."""
    inner = source.member.rsplit(SEPARATOR, 1)[-1] if source.member else source.path
    return inner.replace(os.sep, "/")
