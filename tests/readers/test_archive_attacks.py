"""Hostile archives: each attack is refused or skipped with its reason, the good members still import.

Every archive is built here, in ``tmp_path``: zip-slip and absolute names,
symbolic links, zip bombs (high ratio, overlapping members, many members,
42.zip-style nesting, a gzip bomb), too deep and self-including nesting,
encrypted and duplicate members, sizes that lie, damaged directories and
headers, non-UTF-8 and control-character names.  Each import runs with its
working folder and the system temp folder in ``tmp_path``, and checks that
nothing was written anywhere but the cache folder, that no exception escaped,
and that the good members beside the bad one were all read.
"""

from __future__ import annotations

import gzip
import io
import re
import stat
import struct
import tempfile
import time
import tracemalloc
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runload import read_history
from runload.readers import discover
from runload.readers.cache import LAYOUT_VERSION
from runload.readers.fit_writer import SyntheticActivity, write_fit

# --- builders -------------------------------------------------------------------------


def run_fit(i: int, n: int = 120) -> bytes:
    """A small, valid FIT run (one record a second), started on day ``i`` of 2024."""
    t = np.arange(float(n))
    return write_fit(SyntheticActivity(
        start_utc=datetime(2024, 1, 1, 7, tzinfo=UTC) + timedelta(days=i),
        records={"elapsed_s": t, "distance_m": t * 3.0, "speed_mps": np.full(n, 3.0),
                 "hr_bpm": np.full(n, 140.0)}))


def zip_bytes(members: list[tuple[str | zipfile.ZipInfo, bytes]],
              method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip of ``members`` in order (names kept exactly as given, duplicates too)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name"
        with zipfile.ZipFile(buffer, "w", method) as archive:
            for name, data in members:
                info = name if isinstance(name, zipfile.ZipInfo) else zipfile.ZipInfo(name)
                if not isinstance(name, zipfile.ZipInfo):
                    info.compress_type = method
                archive.writestr(info, data)
    return buffer.getvalue()


_CD = struct.Struct("<4s4B4HL2L5H2L")  # central directory entry, 46 bytes
# Field offsets in a central directory entry and in a local header.
_CD_AT = {"flags": 8, "crc": 16, "csize": 20, "usize": 24, "external": 38}
_LOCAL_AT = {"flags": 6, "crc": 14, "csize": 18, "usize": 22}
_WIDTH = {"flags": "<H", "crc": "<L", "csize": "<L", "usize": "<L", "external": "<L"}


def central_entries(data: bytes) -> list[tuple[int, int, bytes]]:
    """(central entry offset, local header offset, raw name) of every member."""
    out = []
    at = data.rfind(b"PK\x05\x06")
    start = struct.unpack_from("<L", data, at + 16)[0]
    pos = start
    while data[pos:pos + 4] == b"PK\x01\x02":
        fields = _CD.unpack_from(data, pos)
        name_size, extra_size, comment_size, local = fields[12], fields[13], fields[14], fields[18]
        out.append((pos, local, data[pos + 46:pos + 46 + name_size]))
        pos += 46 + name_size + extra_size + comment_size
    return out


def patch(data: bytes, name: bytes, *, local: bool = True, **values: int) -> bytes:
    """Set header fields of member ``name`` (central entry, and local header if ``local``)."""
    out = bytearray(data)
    for central, header, raw in central_entries(data):
        if raw != name:
            continue
        for field, value in values.items():
            struct.pack_into(_WIDTH[field], out, central + _CD_AT[field], value)
            if local and field in _LOCAL_AT:
                struct.pack_into(_WIDTH[field], out, header + _LOCAL_AT[field], value)
    return bytes(out)


def rename(data: bytes, old: bytes, new: bytes) -> bytes:
    """Replace a member name of equal length in its local header and central entry."""
    assert len(old) == len(new)
    return data.replace(old, new)


def deflated_zeros(size: int, head: bytes = b"") -> bytes:
    """Raw deflate of ``head`` then zeros up to ``size`` bytes, made without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [packer.compress(head)]
    chunk = bytes(1024**2)
    left = size - len(head)
    while left > 0:
        parts.append(packer.compress(chunk[:min(left, len(chunk))]))
        left -= len(chunk)
    parts.append(packer.flush())
    return b"".join(parts)


def gzip_zeros(size: int, head: bytes = b"") -> bytes:
    """gzip of ``head`` then zeros up to ``size`` bytes (a gzip bomb when large)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(head)]
    chunk = bytes(1024**2)
    left = size - len(head)
    while left > 0:
        parts.append(packer.compress(chunk[:min(left, len(chunk))]))
        left -= len(chunk)
    parts.append(packer.flush())
    return b"".join(parts)


def raw_member(name: bytes, compressed: bytes, *, crc: int, size: int, method: int = 8,
               flags: int = 0, external: int = 0) -> tuple[bytes, bytes]:
    """(local header + data, central entry at offset 0) of one member, for hand-built zips."""
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc,
                        len(compressed), size, len(name), 0) + name + compressed
    central = struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, flags, method, 0,
                          0x21, crc, len(compressed), size, len(name), 0, 0, 0, 0, external,
                          0) + name
    return local, central


def assemble(locals_: list[bytes], centrals: list[bytes]) -> bytes:
    """A zip from members built by raw_member (central offsets fixed up here)."""
    body, offsets = b"", []
    for local in locals_:
        offsets.append(len(body))
        body += local
    directory = b""
    for central, offset in zip(centrals, offsets, strict=True):
        directory += central[:42] + struct.pack("<L", offset) + central[46:]
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(centrals), len(centrals),
                      len(directory), len(body), 0)
    return body + directory + end


# --- the sandbox: nothing may be written outside the cache ------------------------------


@dataclass
class Sandbox:
    root: Path
    inbox: Path
    cache: Path
    cwd: Path
    temp: Path

    def write(self, name: str, data: bytes) -> Path:
        path = self.inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Every path under the sandbox but the cache, with size and modification time."""
        out = {}
        for path in self.root.rglob("*"):
            if path == self.cache or self.cache in path.parents:
                continue
            st = path.lstat()
            out[str(path.relative_to(self.root))] = (st.st_size, st.st_mtime_ns)
        return out

    def read(self, *paths: Path, **kwargs):
        """read_history on ``paths`` with the cache in the sandbox; checks nothing else changed."""
        before = self.snapshot()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            history = read_history(list(paths) or [self.inbox], cache_dir=self.cache, **kwargs)
        assert self.snapshot() == before, "something was written outside the cache folder"
        assert list(self.cwd.iterdir()) == [] and list(self.temp.iterdir()) == []
        allowed = re.compile(rf"v{LAYOUT_VERSION}(/lock|/manifest\.json|/tmp|/r[\w.+-]+"
                             r"|/r[\w.+-]+/[0-9a-f]{2}|/r[\w.+-]+/[0-9a-f]{2}/[0-9a-f]{64}\.json)?")
        for path in self.cache.rglob("*"):
            assert allowed.fullmatch(path.relative_to(self.cache).as_posix()), path
        return history


@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> Sandbox:
    box = Sandbox(tmp_path, tmp_path / "in", tmp_path / "cache", tmp_path / "cwd",
                  tmp_path / "temp")
    for folder in (box.inbox, box.cwd, box.temp):
        folder.mkdir()
    monkeypatch.chdir(box.cwd)
    monkeypatch.setattr(tempfile, "tempdir", str(box.temp))
    return box


def rows(history, member: str) -> pd.DataFrame:
    files = history.report.files
    return files[files["member_path"] == member]


def one_row(history, member: str) -> pd.Series:
    found = rows(history, member)
    assert len(found) == 1, (member, history.report.files[["member_path", "status", "reason"]])
    return found.iloc[0]


GOOD = [("good_1.fit", run_fit(1)), ("sub/good_2.fit", run_fit(2))]


def assert_good_members_read(history, prefix: str = "") -> None:
    for name, _ in GOOD:
        row = one_row(history, prefix + name)
        assert row["status"] == "read", row["reason"]
    days = set(history.sessions["start_utc"].dt.day)
    assert {2, 3} <= days  # runs of days 1 and 2 of January, one session each
    assert len(history.sessions) == len({*days})


# --- one bad member among good ones -------------------------------------------------------


def _with_good(*bad: tuple[str | zipfile.ZipInfo, bytes]) -> bytes:
    return zip_bytes([GOOD[0], *bad, GOOD[1]])


def _symlink() -> bytes:
    info = zipfile.ZipInfo("link.fit")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return _with_good((info, b"/etc/passwd"))


def _fifo() -> bytes:
    info = zipfile.ZipInfo("pipe.fit")
    info.create_system = 3
    info.external_attr = (stat.S_IFIFO | 0o644) << 16
    return _with_good((info, run_fit(9)))


def _encrypted() -> bytes:
    return patch(_with_good(("secret.fit", run_fit(9))), b"secret.fit", flags=0x1)


def _method(method: int) -> Callable[[], bytes]:
    def build() -> bytes:
        data = _with_good(("packed.fit", run_fit(9)))
        out = bytearray(data)
        for central, local, raw in central_entries(data):
            if raw == b"packed.fit":
                struct.pack_into("<H", out, central + 10, method)
                struct.pack_into("<H", out, local + 8, method)
        return bytes(out)
    return build


def _bomb_ratio() -> bytes:
    # 64 MiB of zeros deflate to 64 KiB: a ratio of about 1000.
    return _with_good(("bomb.fit", bytes(64 * 1024**2)))


def _size_smaller() -> bytes:
    # The header says 100 bytes; the stream holds a whole FIT file.
    return patch(_with_good(("liar.fit", run_fit(9))), b"liar.fit", usize=100)


def _size_larger() -> bytes:
    return patch(_with_good(("liar.fit", run_fit(9))), b"liar.fit", usize=50_000_000)


def _crc_wrong() -> bytes:
    return patch(_with_good(("flipped.fit", run_fit(9))), b"flipped.fit", crc=12345)


def _bad_local_header() -> bytes:
    data = _with_good(("broken.fit", run_fit(9)))
    for _, local, raw in central_entries(data):
        if raw == b"broken.fit":
            return data[:local] + b"XX\x03\x04" + data[local + 4:]
    raise AssertionError


def _false_utf8_name() -> bytes:
    data = _with_good(("\u00e9vil.fit", run_fit(9)))
    return data.replace("\u00e9vil.fit".encode(), b"\xff\xfevil.fit")  # same length


def _duplicate() -> bytes:
    return zip_bytes([GOOD[0], ("twice.fit", run_fit(7)), ("twice.fit", run_fit(8)), GOOD[1]])


def _deflated_member_zip(name: str, stream: bytes, crc: int, size: int) -> bytes:
    good = [raw_member(n.encode(), zlib.compress(d)[2:-4], crc=zlib.crc32(d), size=len(d))
            for n, d in GOOD]
    bad = raw_member(name.encode(), stream, crc=crc, size=size)
    members = [good[0], bad, good[1]]
    return assemble([m[0] for m in members], [m[1] for m in members])


def _lying_huge_stream() -> bytes:
    # 512 MiB of zeros in the stream, 2,000 bytes in the header (and a CRC of
    # those 2,000 bytes): a reader that trusted the stream would take 512 MiB.
    head = run_fit(9)[:2000]
    return _deflated_member_zip("stream.fit", deflated_zeros(512 * 1024**2, head),
                                zlib.crc32(head), 2000)


ATTACKS: dict[str, tuple[Callable[[], bytes], str, str, str]] = {
    # name: (archive builder, member shown in the report, status, reason pattern)
    "zip-slip": (lambda: _with_good(("../../evil.fit", run_fit(9))), "../../evil.fit",
                 "failed", r"unsafe member name \('\.\.', which climbs out"),
    "zip-slip backslash": (lambda: _with_good(("..\\..\\evil.fit", run_fit(9))),
                           "..\\..\\evil.fit", "failed", r"unsafe member name \('\.\.'"),
    "absolute posix": (lambda: _with_good(("/etc/x.fit", run_fit(9))), "/etc/x.fit", "failed",
                       r"unsafe member name \(an absolute path\)"),
    "absolute windows": (lambda: _with_good(("C:\\x.fit", run_fit(9))), "C:\\x.fit", "failed",
                         r"unsafe member name \(an absolute path\)"),
    "unc path": (lambda: _with_good(("\\\\host\\share\\x.fit", run_fit(9))),
                 "\\\\host\\share\\x.fit", "failed", r"an absolute path"),
    "control characters": (lambda: _with_good(("\x1b[2J\x1b[31mred.fit", run_fit(9))),
                           "\\x1b[2J\\x1b[31mred.fit", "failed",
                           r"unsafe member name \(control or text-direction characters\)"),
    "right-to-left override": (lambda: _with_good(("run\u202etif.exe", run_fit(9))),
                               "run\\u202etif.exe", "failed", r"text-direction characters"),
    "symlink": (_symlink, "link.fit", "failed", r"a symbolic link, not a file: not followed"),
    "fifo": (_fifo, "pipe.fit", "failed", r"not a regular file"),
    "encrypted": (_encrypted, "secret.fit", "failed",
                  r"encrypted \(password-protected\) member: cannot be read"),
    "bzip2": (_method(12), "packed.fit", "failed",
              r"compressed with bzip2: runload reads only stored and deflated members"),
    "deflate64": (_method(9), "packed.fit", "failed", r"compressed with Deflate64"),
    "duplicate name": (_duplicate, "twice.fit", "failed", None),  # checked below
    "ratio bomb": (_bomb_ratio, "bomb.fit", "failed",
                   r"decompresses 1,0\d\d times its size \(limit 200\): refused as a zip bomb"),
    "size smaller than stream": (_size_smaller, "liar.fit", "failed",
                                 r"damaged archive member: BadZipFile: Bad CRC-32"),
    "size larger than stream": (_size_larger, "liar.fit", "failed",
                                r"refused as a zip bomb|damaged archive member"),
    "stream far larger than size": (_lying_huge_stream, "stream.fit", "partial|failed", r""),
    "wrong crc": (_crc_wrong, "flipped.fit", "failed", r"Bad CRC-32 for file 'flipped.fit'"),
    "damaged local header": (_bad_local_header, "broken.fit", "failed",
                             r"damaged archive member: BadZipFile: Bad magic number"),
    "name not utf-8": (_false_utf8_name, "\u00a0\u25a0vil.fit", "failed",
                       r"member name flagged as UTF-8 but not valid UTF-8: refused"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_bad_member_is_refused_and_the_good_ones_are_read(sandbox, attack):
    build, shown, status, pattern = ATTACKS[attack]
    archive = sandbox.write("export.zip", build())
    tracemalloc.start()
    started = time.perf_counter()
    try:
        history = sandbox.read(archive)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 30
    assert peak < 120 * 1024**2, f"{peak / 1024**2:.0f} MiB held while reading"
    assert_good_members_read(history)
    files = history.report.files
    bad = files[~files["member_path"].isin([name for name, _ in GOOD])]
    if attack == "duplicate name":
        assert sorted(bad["status"]) == ["failed", "read"]
        assert bad.loc[bad["status"] == "failed", "reason"].tolist() == [
            "another member of this archive has the same name: only the first is read"]
        assert 8 in set(history.sessions["start_utc"].dt.day)  # the first one's run (day 7)
        return
    if attack == "name not utf-8":
        shown = bad["member_path"].iloc[0]  # cp437 reading of the bytes, printable
        assert shown.endswith("vil.fit") and "\ufffd" not in shown
    assert len(bad) == 1, bad
    row = one_row(history, shown)
    assert re.fullmatch(status, row["status"]), row["reason"]
    assert re.search(pattern, row["reason"]), row["reason"]
    assert not any(ch in row["member_path"] for ch in "\x1b\u202e")


def test_stored_member_with_a_lying_size_is_read_only_to_its_declared_size(sandbox):
    # Stored, the header says 300 bytes but 5 MiB follow: reading stops at 301.
    payload = run_fit(9) + bytes(5 * 1024**2)
    local, central = raw_member(b"stored.fit", payload, crc=zlib.crc32(payload[:300]),
                                size=300, method=0)
    local = local.replace(struct.pack("<L", len(payload)), struct.pack("<L", 300), 1)
    data = assemble([local], [central])
    archive = sandbox.write("stored.zip", data)
    history = sandbox.read(archive)
    row = one_row(history, "stored.fit")
    assert row["status"] in ("failed", "partial")


# --- bombs and nesting --------------------------------------------------------------------


def test_overlapping_members_are_refused(sandbox):
    # Fifield's construction: a.fit's data is b.fit's whole entry, so the two
    # members share bytes; the good run inside is still read once, as b.fit.
    good = GOOD[0][1]
    inner_local, inner_central = raw_member(b"b.fit", good, crc=zlib.crc32(good),
                                            size=len(good), method=0)
    outer_local, outer_central = raw_member(b"a.fit", inner_local, crc=zlib.crc32(inner_local),
                                            size=len(inner_local), method=0)
    directory = (outer_central[:42] + struct.pack("<L", 0) + outer_central[46:]
                 + inner_central[:42] + struct.pack("<L", 30 + 5) + inner_central[46:])
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 2, 2, len(directory), len(outer_local), 0)
    archive = sandbox.write("overlap.zip", outer_local + directory + end)
    history = sandbox.read(archive)
    assert one_row(history, "b.fit")["status"] == "read"
    row = one_row(history, "a.fit")
    assert row["status"] == "failed"
    assert "overlaps another member's (a zip bomb construction)" in row["reason"]
    assert len(history.sessions) == 1


def test_42_zip_style_nested_bomb(sandbox):
    # 4 copies per level, 5 levels, and at the bottom 256 MiB of zeros per leaf
    # (a ratio of about 1000): depth and ratio limits stop it in seconds.
    leaf = _deflated_member_zip("zeros.bin", deflated_zeros(256 * 1024**2),
                                0, 256 * 1024**2)
    level = leaf
    for depth in range(5):
        level = zip_bytes([(f"{depth}_{k}.zip", level) for k in range(4)], zipfile.ZIP_STORED)
    archive = sandbox.write("42.zip", zip_bytes([GOOD[0], ("nest.zip", level), GOOD[1]]))
    started = time.perf_counter()
    history = sandbox.read(archive)
    assert time.perf_counter() - started < 60
    assert_good_members_read(history)
    failed = history.report.files.query("status == 'failed'")
    assert len(failed) == len(history.report.files) - 2
    assert failed["reason"].str.contains("archive nested deeper than 4 levels").all()


def test_a_zip_bomb_inside_a_nested_zip_is_refused_with_its_chain(sandbox):
    inner = zip_bytes([("bomb.fit", bytes(64 * 1024**2)), ("ok.fit", run_fit(5))])
    archive = sandbox.write("export.zip", zip_bytes([*GOOD, ("part.zip", inner)]))
    history = sandbox.read(archive)
    assert_good_members_read(history)
    assert one_row(history, "part.zip!ok.fit")["status"] == "read"
    assert "zip bomb" in one_row(history, "part.zip!bomb.fit")["reason"]


def test_self_including_nesting_stops_at_the_depth_limit(sandbox):
    # A zip cannot hold a byte copy of itself unless it is a compression quine;
    # the nearest shape: each generation holds the previous one, all named
    # quine.zip, each with the same run.  The run counts once.
    generation = zip_bytes([GOOD[0]])
    for _ in range(6):
        generation = zip_bytes([GOOD[0], ("quine.zip", generation)])
    archive = sandbox.write("quine.zip", generation)
    history = sandbox.read(archive)
    files = history.report.files
    assert (files["status"] == "read").sum() == 4  # depths 1 to 4
    deepest = files[files["status"] == "failed"]
    assert len(deepest) == 1
    assert deepest["member_path"].iloc[0] == "!".join(["quine.zip"] * 4)
    assert "nested deeper than 4 levels" in deepest["reason"].iloc[0]
    assert len(history.sessions) == 1
    assert len(history.report.duplicates) == 3


def test_too_many_members_in_a_nested_archive(sandbox, monkeypatch):
    monkeypatch.setattr(discover, "MAX_ARCHIVE_MEMBERS", 50)
    crowd = zip_bytes([(f"junk/{k}.txt", b"x") for k in range(60)])
    archive = sandbox.write("export.zip", zip_bytes([*GOOD, ("crowd.zip", crowd)]))
    history = sandbox.read(archive)
    assert_good_members_read(history)
    row = one_row(history, "crowd.zip")
    assert row["status"] == "failed"
    assert "zip archive of 60 members: more than the limit of 50 members" in row["reason"]


def test_a_central_directory_over_its_limit_is_not_read(sandbox, monkeypatch):
    monkeypatch.setattr(discover, "MAX_CENTRAL_DIRECTORY_BYTES", 1000)
    crowd = zip_bytes([(f"junk/{k:04d}.txt", b"x") for k in range(30)])
    archive = sandbox.write("export.zip", zip_bytes([*GOOD, ("crowd.zip", crowd)]))
    history = sandbox.read(archive)
    assert_good_members_read(history)
    assert "list of members takes" in one_row(history, "crowd.zip")["reason"]


def test_total_decompressed_bytes_of_one_archive_are_limited(sandbox, monkeypatch):
    # Members just under the ratio check's floor, each read in full: the
    # archive's budget runs out and the rest are refused, naming the limit.
    monkeypatch.setattr(discover, "MAX_ARCHIVE_TOTAL_BYTES", 5 * 1024**2)
    filler = b'<?xml version="1.0"?><gpx version="1.1">' + b" " * (1024**2 - 60)
    members = [*GOOD, *((f"z/{k}.gpx", filler) for k in range(8))]
    archive = sandbox.write("export.zip", zip_bytes(members))
    history = sandbox.read(archive)
    assert_good_members_read(history)
    files = history.report.files
    spent = files[files["reason"].str.contains("already decompressed to the 0 GiB limit")
                  | files["reason"].str.contains("already decompressed to the")]
    assert 3 <= len(spent) <= 5
    assert (spent["status"] == "failed").all()


def test_nested_archive_with_a_lying_size_is_refused(sandbox):
    inner = zip_bytes([("ok.fit", run_fit(5))])
    data = zip_bytes([*GOOD, ("part.zip", inner)])
    data = patch(data, b"part.zip", usize=len(inner) // 2)
    history = sandbox.read(sandbox.write("export.zip", data))
    assert_good_members_read(history)
    row = one_row(history, "part.zip")
    assert row["status"] == "failed" and "Bad CRC-32" in row["reason"]


# --- gzip ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("head", "pattern"), [
    (run_fit(9)[:2000], r"gzip content decompresses more than 200 times its size \(a gzip "
                        r"bomb guard\): not read"),
    (b'<?xml version="1.0"?><gpx version="1.1">', r"decompresses more than 200 times"),
    (b"", r"named \.fit but its content is not FIT"),
])
def test_a_gzip_bomb_is_refused(sandbox, head, pattern):
    sandbox.write("a/good_1.fit", GOOD[0][1])
    sandbox.write("a/sub/good_2.fit.gz", gzip.compress(GOOD[1][1]))
    sandbox.write("a/bomb.fit.gz", gzip_zeros(300 * 1024**2, head))
    tracemalloc.start()
    try:
        history = sandbox.read()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024**2
    files = history.report.files.set_index("source_path")
    row = files.loc[str(sandbox.inbox / "a/bomb.fit.gz")]
    assert row["status"] == "failed"
    assert re.search(pattern, row["reason"]), row["reason"]
    assert len(history.sessions) == 2


def test_gzip_content_over_the_format_limit_is_refused(sandbox, monkeypatch):
    from runload.readers import importer

    monkeypatch.setitem(importer.MAX_FILE_BYTES, "gpx", 1024**2)
    gpx = b'<?xml version="1.0"?><gpx version="1.1">' + b"<!-- -->" * 300_000
    sandbox.write("big.gpx.gz", gzip.compress(gpx))
    history = sandbox.read()
    [reason] = history.report.files["reason"]
    assert reason == ("gzip content larger than the 1 MiB limit for one GPX file (real "
                      "activities are under 50 MiB): not read")


def test_gzip_in_a_zip_and_nested_gzip(sandbox):
    twice = gzip.compress(gzip.compress(run_fit(4)))
    thrice = gzip.compress(twice)
    archive = sandbox.write("export.zip", zip_bytes([
        *GOOD, ("activities/4.fit.gz", twice), ("activities/5.fit.gz", thrice),
        ("activities/6.fit.gz", gzip.compress(run_fit(6))[:-30])]))
    history = sandbox.read(archive)
    assert_good_members_read(history)
    assert one_row(history, "activities/4.fit.gz")["status"] == "read"
    assert one_row(history, "activities/5.fit.gz")["reason"] == "gzip nested more than twice"
    assert one_row(history, "activities/6.fit.gz")["reason"] == (
        "damaged gzip data: the compressed stream is truncated")


# --- whole archives that are damaged ---------------------------------------------------------


def test_a_truncated_or_damaged_archive_fails_alone(sandbox):
    data = zip_bytes(GOOD)
    sandbox.write("cut.zip", data[:-30])
    sandbox.write("no_directory.zip", data[:len(data) // 2])
    start = central_entries(data)[0][0]
    sandbox.write("bad_directory.zip", data[:start] + b"XXXX" + data[start + 4:])
    sandbox.write("empty.zip", b"")
    sandbox.write("not_a.zip", b"PK\x03\x04 but nothing else")
    sandbox.write("fine/good.fit", run_fit(3))
    history = sandbox.read()
    files = history.report.files.set_index("source_path")
    cut_short = ("damaged zip archive: no list of members at its end (cut short, as by an "
                 "interrupted download?): not read")
    for name, reason in (("cut.zip", cut_short), ("no_directory.zip", cut_short),
                         ("not_a.zip", cut_short),
                         ("bad_directory.zip", "damaged zip archive: BadZipFile: Bad magic "
                                               "number for central directory"),
                         ("empty.zip", "damaged zip archive: BadZipFile: File is not a zip "
                                       "file")):
        row = files.loc[str(sandbox.inbox / name)]
        assert (row["status"], row["reason"]) == ("failed", reason), name
    assert files.loc[str(sandbox.inbox / "fine/good.fit"), "status"] == "read"
    assert len(history.sessions) == 1


def test_cp437_names_are_read(sandbox):
    # Names without the UTF-8 flag are cp437 by the zip standard: read as such.
    fit = run_fit(3)
    local, central = raw_member(b"l\x84uft.fit", fit, crc=zlib.crc32(fit), size=len(fit),
                                method=0)
    history = sandbox.read(sandbox.write("export.zip", assemble([local], [central])))
    assert one_row(history, "l\u00e4uft.fit")["status"] == "read"


def test_the_report_never_holds_raw_control_characters(sandbox):
    names = ["\x1b]0;pwned\x07.fit", "a\nb.fit", "\u2066x.fit", "del\x7f.fit", "c1\x9b.fit"]
    archive = sandbox.write("export.zip", zip_bytes([*GOOD, *((n, run_fit(9)) for n in names)]))
    history = sandbox.read(archive)
    assert_good_members_read(history)
    text = "".join(history.report.files["member_path"]) + "".join(history.report.files["reason"])
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)


def test_a_folder_with_links_and_special_files(sandbox):
    sandbox.write("runs/good_1.fit", GOOD[0][1])
    outside = sandbox.root / "outside"
    outside.mkdir()
    (outside / "secret.fit").write_bytes(run_fit(5))
    (sandbox.inbox / "runs" / "linked_folder").symlink_to(outside, target_is_directory=True)
    (sandbox.inbox / "runs" / "loop").symlink_to(sandbox.inbox, target_is_directory=True)
    (sandbox.inbox / "runs" / "dangling.fit").symlink_to(sandbox.root / "nowhere.fit")
    history = sandbox.read()
    files = history.report.files.set_index("source_path")
    assert files.loc[str(sandbox.inbox / "runs/good_1.fit"), "status"] == "read"
    for name, reason in (("linked_folder", "a link to a folder: not followed"),
                         ("loop", "a link to a folder: not followed"),
                         ("dangling.fit", "a broken link: nothing to read")):
        row = files.loc[str(sandbox.inbox / "runs" / name)]
        assert (row["status"], row["reason"]) == ("not_activity", reason)
    assert len(history.sessions) == 1


def test_many_bad_members_of_every_kind_in_one_archive(sandbox):
    # All the attacks at once, in one archive and in a nested one: still every good run.
    bad: list[tuple[str | zipfile.ZipInfo, bytes]] = [
        ("../../evil.fit", run_fit(9)), ("/abs.fit", run_fit(9)),
        ("bomb.fit", bytes(16 * 1024**2)), ("dup.fit", run_fit(9)), ("dup.fit", b"x")]
    nested = zip_bytes([*bad, ("ok.fit", run_fit(5))])
    archive = sandbox.write("export.zip", zip_bytes([*GOOD, *bad, ("p/part.zip", nested)]))
    history = sandbox.read(archive)
    assert_good_members_read(history)
    assert one_row(history, "p/part.zip!ok.fit")["status"] == "read"
    assert len(history.sessions) == 4  # days 1, 2, 5 and 9 (dup.fit, read once)


def test_the_member_count_is_read_from_a_zip64_end_record(sandbox, monkeypatch):
    # Over 65,535 members the count lives in the zip64 end record only.
    monkeypatch.setattr(discover, "MAX_ARCHIVE_MEMBERS", 66_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for k in range(66_001):
            archive.writestr(f"{k}", b"")
    data = buffer.getvalue()
    assert data[-22 - 20 - 56:][:4] == b"PK\x06\x06"
    history = sandbox.read(sandbox.write("crowd.zip", data))
    [reason] = history.report.files["reason"]
    assert reason.startswith("zip archive of 66,001 members: more than the limit of 66,000")
