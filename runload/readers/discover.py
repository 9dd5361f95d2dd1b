"""Find what a runner pointed runload at: folders, zips inside zips, export layouts.

Discovery walks files and folders, and reads zip archives in place (nested
zips are spooled to memory, or to an unnamed temporary file when larger than
:data:`SPOOL_IN_MEMORY_BYTES`, never extracted into the user's folders).  Each
file or archive member becomes a :class:`Source` with a role decided from its
name only; what a candidate really is gets decided from its content later.

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

Folders are walked lazily, one folder listing at a time, so memory does not
grow with the number of files; links to folders are not followed (reported),
links to files are.

Hostile archives
----------------
Exports come from strangers, so an archive is never trusted.  A member is
refused (role ``error``, the reason names the limit or the problem; the other
members are still read) when

* its name is absolute (``/etc/x``, ``C:\\x``, ``\\\\server\\x``), climbs out
  with ``..``, holds control or bidirectional-override characters, or is
  flagged UTF-8 but is not (such names are shown escaped);
* an earlier member has the same name (only the first is read);
* it is a symbolic link or another non-regular file;
* it is encrypted, or compressed with a method other than stored or deflated
  (bzip2 and LZMA decompress without a bound on their output);
* it would decompress to more than :data:`MAX_MEMBER_BYTES`, or more than
  :data:`MAX_COMPRESSION_RATIO` times its compressed size once past
  :data:`RATIO_FLOOR_BYTES`;
* its data overlaps another member's (the construction of the
  non-recursive zip bombs);
* the archive's members have already decompressed to
  :data:`MAX_ARCHIVE_TOTAL_BYTES` (all nesting levels of one archive on disk);
* it is an archive nested deeper than :data:`MAX_ARCHIVE_DEPTH` (this also
  ends self-including "quine" zips).

A whole archive is refused when its central directory lists more than
:data:`MAX_ARCHIVE_MEMBERS` members (with those of the archives around it) or
is larger than :data:`MAX_CENTRAL_DIRECTORY_BYTES`, both checked from its end
record before the directory is read; a damaged archive is reported as failed,
and one that breaks while read keeps the members read before.  Readers never
trust a header: a member is read at most to its declared size plus one byte,
its CRC-32 is checked, and the importer asks only for as many bytes as its own
per-file limits allow.
"""

from __future__ import annotations

import os
import re
import stat as stat_module
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from os import PathLike
from pathlib import Path, PurePosixPath
from typing import IO, Any

from runload.errors import ReadError

#: Deepest nesting of archives read (Garmin's older exports reach 3).
MAX_ARCHIVE_DEPTH = 4
#: Largest decompressed size of one archive member [bytes].
MAX_MEMBER_BYTES = 2 * 1024**3
#: Largest decompressed/compressed ratio of a member larger than RATIO_FLOOR_BYTES.
MAX_COMPRESSION_RATIO = 200
#: Members (and gzip files) up to this decompressed size are not ratio-checked [bytes].
RATIO_FLOOR_BYTES = 1024**2
#: Most bytes decompressed from one archive on disk, all nesting levels together
#: [bytes].  A decade of a Garmin export holds a few GiB.
MAX_ARCHIVE_TOTAL_BYTES = 16 * 1024**3
#: Most members listed in one archive on disk, all nesting levels together.
MAX_ARCHIVE_MEMBERS = 200_000
#: Largest central directory read (the list of an archive's members) [bytes].
MAX_CENTRAL_DIRECTORY_BYTES = 32 * 1024**2
#: Nested archives up to this size are held in memory; larger ones go to a temp file [bytes].
SPOOL_IN_MEMORY_BYTES = 64 * 1024**2
#: First bytes of a file read while walking (what the importer reads to recognise it).
HEAD_BYTES = 4096
#: Member separator in locators ('export.zip!DI_CONNECT/.../Part1.zip!user_1.fit').
SEPARATOR = "!"

# Names no activity file has: skipped without a word (OS litter).
_LITTER = {".ds_store", "thumbs.db", "desktop.ini"}

ROLE_CANDIDATE = "candidate"
ROLE_STRAVA_CSV = "strava_csv"
ROLE_GARMIN_SUMMARY = "garmin_summary"
ROLE_SKIP = "skip"
ROLE_ERROR = "error"

# Errors zipfile and zlib raise on damaged or unsupported data.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
               NotImplementedError, ValueError, struct.error)
# C0 and C1 controls, and the bidirectional overrides that make a name read backwards.
_UNSAFE_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_DRIVE = re.compile(r"[A-Za-z]:")
_METHODS = {9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "XZ", 97: "WavPack",
            98: "PPMd", 99: "AES encryption"}
_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL_ENTRY = struct.Struct("<4s4B4HL2L5H2L")


@dataclass(frozen=True)
class Source:
    """One file, on disk or inside archives.

    Attributes
    ----------
    path : str
        The file on disk (an archive for members).
    member : str
        Member chain inside archives, '!'-joined; '' for a plain file.  A
        refused member whose name is unsafe to print is shown escaped.
    size : int
        Size of the (uncompressed) file or member [bytes]; for a member, what
        its header says.
    stamp : int
        Change stamp: modification time of a plain file [ns], CRC-32 of an
        archive member.  With ``size`` it tells whether content changed
        without reading it.
    role : str
        'candidate' (an activity file if its content says so),
        'strava_csv', 'garmin_summary', 'skip' (not an activity) or 'error'
        (a damaged archive, or a file or member refused by a limit or check).
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
"""Reads a source's bytes: ``read(n)`` at most the first n, ``read(-1)`` everything.

Raises :class:`runload.errors.ReadError` (naming the file and member) when the
bytes cannot be had: an unreadable file, a damaged member, a CRC mismatch, an
archive whose decompression budget is spent.  Callers bound ``n``: a member
never returns more than its declared size plus one byte, a plain file returns
what it holds.
"""


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
        Files, folders (walked recursively, each folder's entries in name
        order, files before sub-folders) and zip archives.

    Yields
    ------
    (Source, reader)
        ``reader(n)`` returns the first n bytes (see :data:`Reader`).  A
        reader is valid only until the next item is taken (archive handles
        are closed as the walk moves on).  Whatever cannot be listed or
        opened is yielded with role 'error' and the reason; nothing else
        raises once the walk has started.

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
        try:
            if root.is_dir():
                yield from _walk_folder(root)
            else:
                yield from _file(root, (root.name,), set())
        except Exception as exc:  # noqa: BLE001 - a walk that breaks reports it and goes on
            yield _failed(str(root), "", f"could not be read to the end ({_describe(exc)})")


def _describe(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _failed(path: str, member: str, reason: str, size: int = 0,
            stamp: int = 0) -> tuple[Source, Reader]:
    return Source(path, member, size, stamp, ROLE_ERROR, reason), _no_bytes


def _walk_folder(root: Path) -> Iterator[tuple[Source, Reader]]:
    # Depth first with an explicit stack: one folder's listing is held at a time
    # (plus the names of the folders still to visit), however many files the tree holds.
    strava_roots: set[tuple[str, ...]] = set()
    stack: list[tuple[str, tuple[str, ...]]] = [(str(root), ())]
    while stack:
        folder, rel = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield _failed(folder, "", f"folder cannot be listed: {exc.strerror or exc}")
            continue
        files: list[os.DirEntry[str]] = []
        folders: list[str] = []
        for entry in entries:
            kind = _entry_kind(entry)
            if kind == "folder":
                folders.append(entry.name)
            elif kind == "file":
                if entry.name.lower() not in _LITTER:
                    files.append(entry)
            else:
                role = ROLE_ERROR if kind.startswith("cannot") else ROLE_SKIP
                yield Source(entry.path, "", 0, 0, role, kind), _no_bytes
        if any(e.name.lower() == "activities.csv" for e in files):
            strava_roots.add(rel)
        for entry in files:
            yield from _file(Path(entry.path), rel + (entry.name,), strava_roots, entry)
        stack.extend((os.path.join(folder, name), rel + (name,)) for name in reversed(folders))


def _entry_kind(entry: os.DirEntry[str]) -> str:
    """'file', 'folder', or why the entry is neither read nor walked."""
    try:
        if entry.is_dir(follow_symlinks=False):
            return "folder"
        if entry.is_file():
            return "file"
        if entry.is_symlink():
            if entry.is_dir():
                return "a link to a folder: not followed"
            return "a broken link: nothing to read"
    except OSError as exc:
        return f"cannot be examined: {exc.strerror or exc}"
    return "not a regular file (a device, pipe or socket): not read"


def _file(path: Path, parts: tuple[str, ...], strava_roots: set[tuple[str, ...]],
          entry: os.DirEntry[str] | None = None) -> Iterator[tuple[Source, Reader]]:
    try:
        stat = entry.stat() if entry is not None else path.stat()
    except OSError as exc:
        yield _failed(str(path), "", f"cannot be read: {exc.strerror or exc}")
        return
    if not stat_module.S_ISREG(stat.st_mode):
        yield _failed(str(path), "", "not a regular file (a device, pipe or socket): not read")
        return
    role, reason = _role(parts, strava_roots)
    # The first bytes tell a zip without a .zip name, and are kept: the
    # importer asks for them next, and a small file is then read once.
    head = b"" if _is_zip_name(path.name) else _first_bytes(path, role)
    if role == ROLE_CANDIDATE and (_is_zip_name(path.name) or head[:4] == b"PK\x03\x04"):
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed below, after the members are read
        except OSError as exc:
            yield _failed(str(path), "", f"cannot be read: {exc.strerror or exc}",
                          stat.st_size, stat.st_mtime_ns)
            return
        with fh:
            yield from _archive(fh, str(path), "", stat.st_size, stat.st_mtime_ns, 1, _Budget())
        return

    def read(n: int = -1) -> bytes:
        if 0 <= n <= len(head) or len(head) == stat.st_size > 0:
            return head if n < 0 else head[:n]
        try:
            with open(path, "rb") as fh:
                if n < 0:
                    return fh.read()
                # read(n) sets n bytes aside first: ask for what the file holds.
                size = os.fstat(fh.fileno()).st_size
                data = fh.read(min(n, size + 1))
                if len(data) == size + 1 < n:  # it grew since: the rest, up to n
                    data += fh.read(n - len(data))
                return data
        except OSError as exc:
            raise ReadError(str(path), f"cannot be read: {exc.strerror or exc}") from exc

    yield Source(str(path), "", stat.st_size, stat.st_mtime_ns, role, reason), read


def _first_bytes(path: Path, role: str) -> bytes:
    """The first HEAD_BYTES of a candidate (b'' for other roles, or if unreadable)."""
    if role != ROLE_CANDIDATE:
        return b""
    try:
        with open(path, "rb") as fh:
            return fh.read(HEAD_BYTES)
    except OSError:
        return b""


def _no_bytes(n: int = -1) -> bytes:
    return b""


class _Budget:
    """What one archive on disk may still cost, all nesting levels together."""

    def __init__(self) -> None:
        self.bytes = MAX_ARCHIVE_TOTAL_BYTES
        self.members = MAX_ARCHIVE_MEMBERS


_BUDGET_SPENT = (f"the archive's members have already decompressed to the "
                 f"{MAX_ARCHIVE_TOTAL_BYTES // 1024**3} GiB limit for one archive: not read")


class _Refused(Exception):
    """An archive refused as a whole, with the reason."""


def _archive(fh: IO[bytes], path: str, member: str, size: int, stamp: int, depth: int,
             budget: _Budget) -> Iterator[tuple[Source, Reader]]:
    """The members of the zip archive in ``fh`` (itself at ``member``, '' on disk)."""
    try:
        archive, bad_names, directory_at = _open_zip(fh, budget)
    except _Refused as exc:
        yield _failed(path, member, str(exc), size, stamp)
        return
    except (*_ZIP_ERRORS, UnicodeDecodeError) as exc:
        yield _failed(path, member, f"damaged zip archive: {_describe(exc)}", size, stamp)
        return
    if archive is None:
        yield _failed(path, member, "damaged zip archive: no list of members at its end (cut "
                      "short, as by an interrupted download?): not read", size, stamp)
        return
    prefix = f"{member}{SEPARATOR}" if member else ""
    with archive:
        try:
            yield from _members(archive, path, prefix, depth, budget, bad_names, directory_at)
        except _ZIP_ERRORS as exc:
            yield _failed(path, member, "damaged zip archive, read only up to this point: "
                          f"{_describe(exc)}", size, stamp)


def _open_zip(fh: IO[bytes], budget: _Budget
              ) -> tuple[zipfile.ZipFile | None, set[str], int | None]:
    """The archive (None without an end record), the names of members whose UTF-8 flag
    lies, and where its directory starts.

    The member count and directory size are checked from the end record first,
    so a directory of millions of entries is never read.  A name flagged UTF-8
    that is not UTF-8 makes :mod:`zipfile` refuse the whole archive: those
    flags are cleared in a copy of the directory, and the members named.
    """
    extent = _directory_extent(fh)
    directory_at = None
    if extent is None:
        fh.seek(0)
        if fh.read(4) == b"PK\x03\x04":  # members, but no list of them: cut short
            return None, set(), None
    else:
        entries, directory_size, directory_at = extent
        if entries > budget.members:
            raise _Refused(f"zip archive of {entries:,} members: more than the limit of "
                           f"{MAX_ARCHIVE_MEMBERS:,} members for one archive (the archives "
                           "inside it included): not read")
        if directory_size > MAX_CENTRAL_DIRECTORY_BYTES:
            raise _Refused(f"zip archive whose list of members takes {directory_size:,} bytes: "
                           f"more than the limit of {MAX_CENTRAL_DIRECTORY_BYTES // 1024**2} "
                           "MiB: not read")
        budget.members -= entries
    fh.seek(0)
    try:
        return zipfile.ZipFile(fh), set(), directory_at
    except UnicodeDecodeError:
        if extent is None:
            raise
    fh.seek(directory_at)
    directory = fh.read(directory_size)
    patched, bad_names = _clear_false_utf8_flags(directory)
    return zipfile.ZipFile(_Patched(fh, directory_at, patched)), bad_names, directory_at


def _directory_extent(fh: IO[bytes]) -> tuple[int, int, int] | None:
    """(members, directory size, directory offset) from the end records; None if not found."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    tail_size = min(size, _EOCD.size + 0xFFFF)
    fh.seek(size - tail_size)
    tail = fh.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or tail_size - at < _EOCD.size:
        return None
    end = _EOCD.unpack_from(tail, at)
    entries, directory_size, directory_end = end[4], end[5], size - tail_size + at
    locator_at = directory_end - _EOCD64_LOCATOR.size
    if locator_at - _EOCD64.size >= 0:
        fh.seek(locator_at)
        locator = fh.read(_EOCD64_LOCATOR.size)
        if locator[:4] == b"PK\x06\x07":
            fh.seek(locator_at - _EOCD64.size)
            record = fh.read(_EOCD64.size)
            if record[:4] == b"PK\x06\x06":
                fields = _EOCD64.unpack(record)
                entries, directory_size = fields[7], fields[8]
                directory_end = locator_at - _EOCD64.size
    if directory_size > directory_end:
        return None
    return entries, directory_size, directory_end - directory_size


def _clear_false_utf8_flags(directory: bytes) -> tuple[bytes, set[str]]:
    """The directory with the UTF-8 flag cleared where a name is not UTF-8, and those names."""
    out = bytearray(directory)
    bad: set[str] = set()
    at = 0
    while at + _CENTRAL_ENTRY.size <= len(out) and out[at:at + 4] == b"PK\x01\x02":
        fields = _CENTRAL_ENTRY.unpack_from(out, at)
        flags, name_size, extra_size, comment_size = fields[5], fields[12], fields[13], fields[14]
        raw = bytes(out[at + _CENTRAL_ENTRY.size:at + _CENTRAL_ENTRY.size + name_size])
        if flags & 0x800:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                struct.pack_into("<H", out, at + 8, flags & ~0x800)
                bad.add(raw.decode("cp437"))
        at += _CENTRAL_ENTRY.size + name_size + extra_size + comment_size
    return bytes(out), bad


class _Patched:
    """A read-only file whose bytes at ``offset`` are replaced by ``data``."""

    def __init__(self, fh: IO[bytes], offset: int, data: bytes) -> None:
        self._fh, self._offset, self._data = fh, offset, data

    def seek(self, pos: int, whence: int = 0) -> int:
        return self._fh.seek(pos, whence)

    def tell(self) -> int:
        return self._fh.tell()

    def seekable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        start = self._fh.tell()
        data = self._fh.read(n)
        low = max(start, self._offset)
        high = min(start + len(data), self._offset + len(self._data))
        if low < high:
            data = (data[:low - start] + self._data[low - self._offset:high - self._offset]
                    + data[high - start:])
        return data


def printable(text: str) -> str:
    """``text`` with its control and text-direction characters escaped (\\x1b, \\u202e).

    File and member names come from strangers: printed raw, ``\\x1b[...`` would
    drive the terminal and U+202E would show a name backwards.  Refused member
    names are reported this way; a program printing other names or reasons
    should pass them through this too.
    """
    return _UNSAFE_CHARS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _unsafe_name(name: str) -> str:
    """Why an archive member name is unsafe, or ''."""
    if _UNSAFE_CHARS.search(name):
        return "control or text-direction characters"
    slashed = name.replace("\\", "/")
    if slashed.startswith("/") or _DRIVE.match(slashed):
        return "an absolute path"
    if ".." in slashed.split("/"):
        return "'..', which climbs out of the archive"
    return ""


def _overlapping(infos: list[zipfile.ZipInfo], directory_at: int | None) -> set[int]:
    """ids of members whose data runs into the next member's header (or the directory).

    A member's data follows its 30-byte local header and its name; the lower
    bound used here (without the local extra field) never flags a well-formed archive.
    """
    ordered = sorted(infos, key=lambda i: i.header_offset)
    bounds = [i.header_offset for i in ordered[1:]] + [directory_at]
    out = set()
    for info, bound in zip(ordered, bounds, strict=True):
        if bound is None:
            continue
        encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
        try:
            name_size = len(info.orig_filename.encode(encoding))
        except UnicodeEncodeError:
            continue
        if info.header_offset + 30 + name_size + info.compress_size > bound:
            out.add(id(info))
    return out


def _members(archive: zipfile.ZipFile, path: str, prefix: str, depth: int, budget: _Budget,
             bad_names: set[str], directory_at: int | None) -> Iterator[tuple[Source, Reader]]:
    infos = sorted(archive.infolist(), key=lambda i: i.filename)
    overlapping = _overlapping(infos, directory_at)
    parts = [tuple(p for p in i.filename.replace("\\", "/").split("/") if p) or ("",)
             for i in infos]
    strava_roots = {p[:-1] for p in parts if p[-1].lower() == "activities.csv"}
    seen: set[str] = set()
    for info, member_parts in zip(infos, parts, strict=True):
        name = info.filename
        if name.endswith(("/", "\\")) or member_parts[-1].lower() in _LITTER \
                or member_parts[0] == "__MACOSX":
            continue
        problem = _member_problem(info, name in bad_names, name in seen,
                                  id(info) in overlapping, budget)
        seen.add(name)
        member = f"{prefix}{printable(name) if problem else name}"
        if problem:
            yield _failed(path, member, problem, info.file_size, info.CRC)
            continue
        role, reason = _role(member_parts, strava_roots)
        if role == ROLE_CANDIDATE and _is_zip_name(name):
            if depth >= MAX_ARCHIVE_DEPTH:
                yield _failed(path, member, f"archive nested deeper than {MAX_ARCHIVE_DEPTH} "
                              "levels: not read", info.file_size, info.CRC)
                continue
            yield from _nested(archive, info, path, member, depth, budget)
            continue
        yield (Source(path, member, info.file_size, info.CRC, role, reason),
               _member_reader(archive, info, path, member, budget))


def _member_problem(info: zipfile.ZipInfo, bad_utf8: bool, duplicate: bool, overlaps: bool,
                    budget: _Budget) -> str:
    """Why a member is refused, or ''."""
    unsafe = _unsafe_name(info.filename)
    if unsafe:
        return f"unsafe member name ({unsafe}): refused"
    if bad_utf8:
        return "member name flagged as UTF-8 but not valid UTF-8: refused"
    if duplicate:
        return "another member of this archive has the same name: only the first is read"
    mode = info.external_attr >> 16
    kind = stat_module.S_IFMT(mode)
    if kind == stat_module.S_IFLNK:
        return "a symbolic link, not a file: not followed"
    if kind not in (0, stat_module.S_IFREG):
        return "not a regular file (a folder, device or pipe entry): not read"
    if info.flag_bits & 0x41:
        return "encrypted (password-protected) member: cannot be read"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        method = _METHODS.get(info.compress_type, f"method {info.compress_type}")
        return (f"compressed with {method}: runload reads only stored and deflated members "
                "(re-zip the export with the usual settings)")
    if info.file_size > MAX_MEMBER_BYTES:
        return (f"archive member of {info.file_size:,} bytes once decompressed: more than the "
                f"{MAX_MEMBER_BYTES // 1024**3} GiB limit for one member: not read")
    if (info.file_size > RATIO_FLOOR_BYTES
            and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
        return (f"archive member decompresses {info.file_size // max(info.compress_size, 1):,}"
                f" times its size (limit {MAX_COMPRESSION_RATIO}): refused as a zip bomb")
    if overlaps:
        return ("archive member whose data overlaps another member's (a zip bomb "
                "construction): refused")
    if info.file_size > budget.bytes:
        return _BUDGET_SPENT
    return ""


def _member_reader(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, member: str,
                   budget: _Budget) -> Reader:
    def read(n: int = -1) -> bytes:
        # Never more than the header says plus one byte (zipfile stops at the
        # declared size and then checks the CRC-32, so a lying size fails).
        limit = info.file_size + 1 if n < 0 else min(n, info.file_size + 1)
        if budget.bytes <= 0:
            raise ReadError(path, _BUDGET_SPENT, member=member)
        try:
            with archive.open(info) as fh:
                data = fh.read(limit)
        except _ZIP_ERRORS as exc:
            raise ReadError(path, f"damaged archive member: {_describe(exc)}",
                            member=member) from exc
        budget.bytes -= len(data)
        return data

    return read


def _nested(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, member: str,
            depth: int, budget: _Budget) -> Iterator[tuple[Source, Reader]]:
    # Seeking inside a deflated member re-decompresses from its start, so a
    # nested archive is copied out once (in memory, or a temp file if large).
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as spool:
        try:
            with archive.open(info) as fh:
                copied = _copy_at_most(fh, spool, info.file_size + 1)
        except _ZIP_ERRORS as exc:
            yield _failed(path, member, f"damaged archive member: {_describe(exc)}",
                          info.file_size, info.CRC)
            return
        budget.bytes -= copied
        if copied > info.file_size:
            yield _failed(path, member, "archive member holds more bytes than its header says: "
                          "refused", info.file_size, info.CRC)
            return
        spool.seek(0)
        yield from _archive(spool, path, member, info.file_size, info.CRC, depth + 1, budget)


def _copy_at_most(source: Any, target: Any, limit: int) -> int:
    copied = 0
    while copied < limit:
        chunk = source.read(min(1024**2, limit - copied))
        if not chunk:
            break
        target.write(chunk)
        copied += len(chunk)
    return copied


def relative_member_name(source: Source) -> str:
    """Path of the file inside its export, '/'-separated, for matching CSV 'Filename's."""
    inner = source.member.rsplit(SEPARATOR, 1)[-1] if source.member else source.path
    return inner.replace(os.sep, "/")
