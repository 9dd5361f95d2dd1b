"""Resource limits: huge files refused from their size, big folders walked lazily, bounded memory.

A 1 GiB file (sparse: it takes no disk) is refused from its size before it is
read, with the limit named; a folder of thousands of files is walked one
folder listing at a time, with a progress call per file; at most
MAX_PENDING_BYTES of content wait for decoding; a file that breaks a parser or
a worker never stops an import.  ``benchmarks/bench_limits.py`` measures the
same on a 100,000-file folder.
"""

from __future__ import annotations

import os
import struct
import threading
import time
import tracemalloc
import warnings
import zipfile
import zlib
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from runload import read_history
from runload.readers import discover, importer
from tests.readers.test_archive_attacks import raw_member, run_fit, zip_bytes

GIB = 1024**3


def _read(*paths, **kwargs):
    kwargs.setdefault("use_cache", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_history(list(paths), **kwargs)


def _sparse(path: Path, size: int, head: bytes = b"") -> Path:
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


def _measured(function):
    """(result, seconds, peak bytes allocated by Python) of ``function()``."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = function()
        return result, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


FIT_HEAD = run_fit(1)[:14]
GPX_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="x">'


@pytest.mark.parametrize(("name", "head", "limit"), [
    ("zeros.fit", b"", "64 MiB limit for one FIT file"),
    ("header.fit", FIT_HEAD, "64 MiB limit for one FIT file"),
    ("zeros.gpx", b"", "128 MiB limit for one GPX file"),
    ("header.gpx", GPX_HEAD, "128 MiB limit for one GPX file"),
    ("header.tcx", b'<?xml version="1.0"?><TrainingCenterDatabase>',
     "128 MiB limit for one TCX file"),
    ("unnamed", FIT_HEAD, "64 MiB limit for one FIT file"),
    ("export.fit.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
     "128 MiB limit for one gzip file"),
])
def test_a_1_gib_file_is_refused_from_its_size(tmp_path, name, head, limit):
    big = _sparse(tmp_path / name, GIB, head)
    (tmp_path / "run.fit").write_bytes(run_fit(3))
    history, seconds, peak = _measured(lambda: _read(tmp_path))
    assert seconds < 5
    assert peak < 20 * 1024**2  # nothing near the file's size was read
    files = history.report.files.set_index("source_path")
    row = files.loc[str(big)]
    assert row["status"] == "failed"
    assert row["reason"].startswith(f"1,024 MiB: larger than the {limit}"), row["reason"]
    assert row["reason"].endswith(": not read")
    assert files.loc[str(tmp_path / "run.fit"), "status"] == "read"
    assert len(history.sessions) == 1


def test_a_1_gib_zip_member_is_refused_from_its_header(tmp_path):
    # A stored member of 1 GiB in a sparse zip: its ratio is 1, its size is the problem.
    local, central = raw_member(b"huge.fit", b"", crc=0, size=GIB, method=0)
    local = local[:18] + struct.pack("<2L", GIB, GIB) + local[26:] + FIT_HEAD
    central = central[:20] + struct.pack("<2L", GIB, GIB) + central[28:]
    good = run_fit(3)
    good_local, good_central = raw_member(b"run.fit", good, crc=zlib.crc32(good),
                                          size=len(good), method=0)
    path = tmp_path / "export.zip"
    with open(path, "wb") as fh:
        fh.write(good_local + local)
        huge_at = len(good_local)
        fh.seek(huge_at + len(local) - len(FIT_HEAD) + GIB)
        directory = (good_central[:42] + struct.pack("<L", 0) + good_central[46:]
                     + central[:42] + struct.pack("<L", huge_at) + central[46:])
        end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 2, 2, len(directory), fh.tell(), 0)
        fh.write(directory + end)
    history, seconds, peak = _measured(lambda: _read(path))
    assert seconds < 5 and peak < 20 * 1024**2
    files = history.report.files.set_index("member_path")
    assert files.loc["huge.fit", "reason"] == (
        "1,024 MiB: larger than the 64 MiB limit for one FIT file (real activities are under "
        "50 MiB): not read")
    assert files.loc["run.fit", "status"] == "read"


def test_an_export_summary_over_its_limit(tmp_path):
    _sparse(tmp_path / "activities.csv", 100 * 1024**2, b"Activity ID,Activity Date\n")
    history = _read(tmp_path)
    [reason] = history.report.files["reason"]
    assert reason == "100 MiB: larger than the 64 MiB limit for one export summary file: not read"


@pytest.mark.parametrize("over", [0, 1])
def test_a_file_at_the_limit_is_read_and_one_byte_more_is_not(tmp_path, monkeypatch, over):
    data = run_fit(3)
    monkeypatch.setitem(importer.MAX_FILE_BYTES, "fit", len(data) - over)
    (tmp_path / "run.fit").write_bytes(data)
    history = _read(tmp_path)
    assert history.report.files["status"].tolist() == ["failed" if over else "read"]


def test_a_file_that_grows_after_it_was_listed_is_still_held_to_the_limit(tmp_path, monkeypatch):
    # The size on disk said fine; what is read says more: refused all the same.
    monkeypatch.setitem(importer.MAX_FILE_BYTES, "fit", 10_000)
    path = tmp_path / "run.fit"
    path.write_bytes(run_fit(3, 300)[:5000])
    original = discover._file

    def grow_then_list(*args, **kwargs):
        for item in original(*args, **kwargs):
            path.write_bytes(run_fit(3, 3000))  # ~40 kB now
            yield item

    monkeypatch.setattr(discover, "_file", grow_then_list)
    [reason] = _read(tmp_path).report.files["reason"]
    assert reason == ("larger than the 10,000 bytes limit for one FIT file (real activities "
                      "are under 50 MiB): not read")


# --- big folders ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def junk_folder(tmp_path_factory) -> Path:
    """5,000 tiny files that are no activities, in 50 folders, and 5 runs."""
    root = tmp_path_factory.mktemp("junk")
    for d in range(50):
        folder = root / f"d{d:02d}"
        folder.mkdir()
        for f in range(100):
            (folder / f"f{f:03d}.{('txt', 'json', 'bin', 'fit')[f % 4]}").write_bytes(
                b"junk %d %d" % (d, f) if f % 4 != 3 else b"")
    for i in range(5):
        (root / f"d{i:02d}" / f"run_{i}.fit").write_bytes(run_fit(i))
    return root


def test_a_folder_of_5000_files_with_monotonic_progress(junk_folder, tmp_path):
    calls: list[tuple[int, int, str]] = []
    history, seconds, peak = _measured(lambda: _read(
        junk_folder, progress=lambda done, total, what: calls.append((done, total, what)),
        use_cache=True, cache_dir=tmp_path / "cache"))
    files = history.report.files
    assert len(files) == 5005 and len(history.sessions) == 5
    assert [c[0] for c in calls] == list(range(1, 5006))  # one call per file, in order
    assert {c[1] for c in calls} == {0}  # the total is not known while walking
    assert {c[2] for c in calls} == set(files["source_path"])
    assert files["status"].value_counts().to_dict() == {"not_activity": 3750, "failed": 1250,
                                                         "read": 5}
    assert set(files.loc[files["status"] == "failed", "reason"]) == {"empty file (0 bytes)"}
    assert peak < 60 * 1024**2, f"{peak / 1024**2:.0f} MiB"
    # Again, from the cache: the junk is skipped from the manifest without being read.
    warm = _read(junk_folder, use_cache=True, cache_dir=tmp_path / "cache")
    assert warm.report.n_from_cache == 3755  # the empty files are not cached (nothing to key)
    assert seconds < 120


def test_a_folder_is_walked_lazily(tmp_path, monkeypatch):
    for d in range(30):
        (tmp_path / f"d{d:02d}" / "deeper").mkdir(parents=True)
        for f in range(3):
            (tmp_path / f"d{d:02d}" / "deeper" / f"{f}.txt").write_text("x")
    listed: list[str] = []
    scandir = os.scandir

    def counting(path):
        listed.append(str(path))
        return scandir(path)

    monkeypatch.setattr(discover.os, "scandir", counting)
    walk = discover.iter_sources([tmp_path])
    first, _ = next(walk)
    assert first.path == str(tmp_path / "d00" / "deeper" / "0.txt")
    assert len(listed) == 3  # the root, d00, d00/deeper: not the 61 folders
    assert sum(1 for _ in walk) == 89
    assert len(listed) == 61


def test_a_very_deep_folder_tree(tmp_path):
    deep = tmp_path
    for _ in range(400):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "run.fit").write_bytes(run_fit(3))
    history = _read(tmp_path)
    assert history.report.files["status"].tolist() == ["read"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_pipes_never_hang_an_import(tmp_path):
    os.mkfifo(tmp_path / "pipe.fit")
    (tmp_path / "run.fit").write_bytes(run_fit(3))
    done = threading.Event()
    result = {}

    def run():
        result["walked"] = _read(tmp_path)
        result["named"] = _read(tmp_path / "pipe.fit")
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(30), "the import hangs on a named pipe"
    files = result["walked"].report.files.set_index("source_path")
    assert files.loc[str(tmp_path / "pipe.fit"), "reason"] == (
        "not a regular file (a device, pipe or socket): not read")
    assert files.loc[str(tmp_path / "run.fit"), "status"] == "read"
    assert result["named"].report.files["status"].tolist() == ["failed"]


# --- decoding: bounded, and never stopped by one file -------------------------------------------


class _SlowCountingExecutor(Executor):
    """A thread pool whose jobs wait a little, counting the content submitted and not yet done."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(2)
        self.lock = threading.Lock()
        self.out = 0
        self.most = 0

    def submit(self, fn, /, *args, **kwargs) -> Future:
        size = len(args[1])
        with self.lock:
            self.out += size
            self.most = max(self.most, self.out)

        def job():
            time.sleep(0.002)
            try:
                return fn(*args, **kwargs)
            finally:
                with self.lock:
                    self.out -= size

        return self.pool.submit(job)

    def shutdown(self, wait=True, **kwargs) -> None:
        self.pool.shutdown(wait)


def test_content_waiting_for_decoding_is_bounded(tmp_path, monkeypatch):
    for i in range(120):
        (tmp_path / f"run_{i:03d}.fit").write_bytes(run_fit(i, 300))
    size = (tmp_path / "run_000.fit").stat().st_size
    monkeypatch.setattr(importer, "MAX_PENDING_BYTES", 10 * size)
    executor = _SlowCountingExecutor()
    history = _read(tmp_path, executor=executor)
    executor.shutdown()
    assert len(history.sessions) == 120
    assert executor.most <= 11 * size  # the bound plus the one file being submitted


def test_inline_queues_are_bounded_too(tmp_path, monkeypatch):
    for i in range(40):
        (tmp_path / f"run_{i:03d}.fit").write_bytes(run_fit(i, 300))
    size = (tmp_path / "run_000.fit").stat().st_size
    monkeypatch.setattr(importer, "MAX_PENDING_BYTES", 5 * size)
    monkeypatch.setattr(importer, "POOL_MIN_BYTES", {"fit": 10**12, "gpx": 10**12,
                                                     "tcx": 10**12})
    decoded_while_walking = []
    real = importer._decode_job
    walked = []

    def job(*args):
        decoded_while_walking.append(len(walked))
        return real(*args)

    monkeypatch.setattr(importer, "_decode_job", job)
    history = _read(tmp_path, progress=lambda done, total, what: walked.append(done))
    assert len(history.sessions) == 40
    assert decoded_while_walking[0] < 10  # decoding started long before the walk ended


class _BrokenExecutor(Executor):
    """Every job fails, as when a worker process is killed."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        future.set_exception(RuntimeError("A process in the process pool was terminated"))
        return future


class _ShutExecutor(Executor):
    def submit(self, fn, /, *args, **kwargs) -> Future:
        raise RuntimeError("cannot schedule new futures after shutdown")


@pytest.mark.parametrize("executor", [_BrokenExecutor(), _ShutExecutor()],
                         ids=["jobs fail", "submit fails"])
def test_a_failing_executor_falls_back_to_inline_decoding(tmp_path, executor):
    for i in range(5):
        (tmp_path / f"run_{i}.fit").write_bytes(run_fit(i))
    history = _read(tmp_path, executor=executor)
    assert history.report.files["status"].tolist() == ["read"] * 5


def test_a_parser_bug_fails_one_file_only(tmp_path, monkeypatch):
    for i in range(3):
        (tmp_path / f"run_{i}.fit").write_bytes(run_fit(i))
    real = importer.decode_payload

    def buggy(fmt, content, path):
        if path.endswith("run_1.fit"):
            raise IndexError("list index out of range")
        return real(fmt, content, path)

    monkeypatch.setattr(importer, "decode_payload", buggy)
    history = _read(tmp_path)
    files = history.report.files.set_index("source_path")
    assert files.loc[str(tmp_path / "run_1.fit"), "reason"] == (
        "runload failed on this file (IndexError: list index out of range); this is a bug, "
        "please report it")
    assert (files["status"] == "read").sum() == 2


def test_an_error_while_looking_a_file_up_fails_that_file_only(tmp_path, monkeypatch):
    for i in range(3):
        (tmp_path / f"run_{i}.fit").write_bytes(run_fit(i))
    real = importer.sniff

    def buggy(data):
        if data == run_fit(1)[:len(data)]:
            raise MemoryError
        return real(data)

    monkeypatch.setattr(importer, "sniff", buggy)
    files = _read(tmp_path).report.files
    assert files["status"].tolist() == ["read", "failed", "read"]
    assert files["reason"].iloc[1].startswith("runload failed on this file (MemoryError")


def test_a_truncated_part_of_an_export_fails_alone(tmp_path):
    # Garmin exports hold part zips; one cut short loses only itself.
    part1 = zip_bytes([("a.fit", run_fit(1)), ("b.fit", run_fit(2))])
    part2 = zip_bytes([("c.fit", run_fit(3))])
    export = zip_bytes([("Part1.zip", part1), ("Part2.zip", part2[:-40])], zipfile.ZIP_STORED)
    (tmp_path / "export.zip").write_bytes(export)
    files = _read(tmp_path / "export.zip").report.files.set_index("member_path")
    assert files.loc["Part1.zip!a.fit", "status"] == files.loc["Part1.zip!b.fit", "status"] \
        == "read"
    assert files.loc["Part2.zip", "reason"] == (
        "damaged zip archive: no list of members at its end (cut short, as by an interrupted "
        "download?): not read")


def test_a_wrong_time_zone_fails_before_anything_is_read(tmp_path, monkeypatch):
    (tmp_path / "run.fit").write_bytes(run_fit(1))
    monkeypatch.setattr(discover, "iter_sources", lambda paths: pytest.fail("walked"))
    with pytest.raises(ValueError, match="The 'tz' parameter of read_history must be an IANA"):
        read_history(tmp_path, tz="Mars/Olympus_Mons", use_cache=False)
