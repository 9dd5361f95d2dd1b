"""The cache in whole imports: kill -9, two imports at once, damaged entries and manifests.

Whatever happened to the cache, an import gives the sessions and files tables
of a clean run without the cache (compared with ``assert_frame_equal``); a
damaged entry or manifest is detected (sealed with SHA-256, see
:mod:`runload.readers.cache`) and read again from the source, never trusted.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from runload import read_history
from runload.errors import RunloadWarning
from runload.readers.cache import LAYOUT_VERSION
from runload.readers.importer import READER_VERSION
from tests.readers.test_archive_attacks import run_fit

REPO = Path(__file__).resolve().parents[2]
N_FILES = 200


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """~200 FIT runs (a few gzipped, some copies, some junk), in sub-folders."""
    root = tmp_path_factory.mktemp("history")
    for i in range(N_FILES):
        sub = root / f"year{2020 + i // 50}"
        sub.mkdir(exist_ok=True)
        data = run_fit(i, 300)
        if i % 20 == 0:
            (sub / f"run_{i:03d}.fit.gz").write_bytes(gzip.compress(data))
        else:
            (sub / f"run_{i:03d}.fit").write_bytes(data)
    (root / "copy_of_run_001.fit").write_bytes(run_fit(1, 300))
    (root / "notes.txt").write_text("not an activity")
    (root / "broken.fit").write_bytes(run_fit(5, 300)[:200])
    return root


def _read(folder: Path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunloadWarning)
        return read_history(folder, **kwargs)


@pytest.fixture(scope="module")
def clean(folder):
    """The reference: a run without the cache."""
    return _read(folder, use_cache=False)


def assert_same(history, clean) -> None:
    pd.testing.assert_frame_equal(history.sessions, clean.sessions)
    pd.testing.assert_frame_equal(history.report.files, clean.report.files)
    pd.testing.assert_frame_equal(history.report.duplicates, clean.report.duplicates)


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / f"v{LAYOUT_VERSION}" / f"r{READER_VERSION}").rglob("*.json"))


# --- kill -9 and two imports at once -------------------------------------------------------

# Imports runload, says 'ready', then imports the folder with the cache,
# saving the manifest every 50 ms so kills land in flushes too; writes the
# sessions, files and counts as pickles when told where.
_CHILD = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
import warnings
import pandas as pd
from runload import read_history
from runload.readers import importer
importer.FLUSH_EVERY_S = 0.05
folder, cache, out = sys.argv[1], sys.argv[2], sys.argv[3]
print("ready", flush=True)
if out != "-":
    sys.stdin.readline()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    history = read_history(folder, cache_dir=cache)
if out != "-":
    pd.to_pickle((history.sessions, history.report.files, history.report.duplicates,
                  history.report.n_from_cache, history.report.n_decoded), out)
print("done", flush=True)
"""


def _child(folder: Path, cache: Path, out: str = "-") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _CHILD, str(folder), str(cache), out],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_kill_9_during_imports_then_a_normal_run_equals_a_clean_run(folder, clean, tmp_path):
    cache = tmp_path / "cache"
    killed_after = [0.0, 0.05, 0.2, 0.5, 0.8, 1.2]
    for delay in killed_after:
        proc = _child(folder, cache)
        assert proc.stdout.readline() == "ready\n"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        if proc.returncode == 0:  # finished before the kill: the cache is whole
            continue
        assert proc.returncode == -signal.SIGKILL
        # Between kills the cache may be any mix of old and new, never wrong.
        assert_same(_read(folder, cache_dir=cache), clean)
        # Undo that run's work so the next kill starts from what the kills left.
        for path in _entries(cache):
            path.unlink()
        (cache / f"v{LAYOUT_VERSION}" / "manifest.json").unlink(missing_ok=True)

    # Kill several runs in a row, then import normally.
    for delay in killed_after:
        proc = _child(folder, cache)
        assert proc.stdout.readline() == "ready\n"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    history = _read(folder, cache_dir=cache)
    assert_same(history, clean)
    assert history.report.n_from_cache > 0  # the killed runs' work was kept
    warm = _read(folder, cache_dir=cache)
    assert_same(warm, clean)
    assert warm.report.n_decoded == 0


def test_two_imports_at_once_equal_a_clean_run(folder, clean, tmp_path):
    cache = tmp_path / "cache"
    outs = [tmp_path / "first.pkl", tmp_path / "second.pkl"]
    procs = [_child(folder, cache, str(out)) for out in outs]
    for proc in procs:
        assert proc.stdout.readline() == "ready\n"
    for proc in procs:  # start both imports at the same moment
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        stdout, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0 and stdout == "done\n"
    for out in outs:
        sessions, files, duplicates, n_cached, n_decoded = pd.read_pickle(out)
        pd.testing.assert_frame_equal(sessions, clean.sessions)
        pd.testing.assert_frame_equal(files, clean.report.files)
        pd.testing.assert_frame_equal(duplicates, clean.report.duplicates)
    warm = _read(folder, cache_dir=cache)  # and the cache they left is whole
    assert_same(warm, clean)
    assert warm.report.n_decoded == 0
    assert warm.report.n_from_cache == len(clean.report.files)


# --- damaged entries and manifests -----------------------------------------------------------

_SEAL = len('{"sha256":"') + 64


def _payload(raw: bytes, kind: str = "entry") -> bytes:
    return raw[_SEAL + len(f'","{kind}":'):-1]


def _reseal(payload: bytes, kind: str = "entry") -> bytes:
    return (b'{"sha256":"' + hashlib.sha256(payload).hexdigest().encode() + b'","'
            + kind.encode() + b'":' + payload + b"}")


def _with_sessions(cache: Path) -> list[Path]:
    """Entries holding sessions (not those of files skipped as no activity)."""
    return [p for p in _entries(cache) if b'"sessions":[{' in p.read_bytes()]


def _change_distance(raw: bytes) -> bytes:
    doc = json.loads(raw)
    doc["entry"]["sessions"][0]["distance_m"] += 1000.0
    return json.dumps(doc, separators=(",", ":")).encode()


def _another_version(raw: bytes) -> bytes:
    payload = _payload(raw).replace(f'"reader_version":"{READER_VERSION}"'.encode(),
                                    b'"reader_version":"0"')
    return _reseal(payload)


DAMAGE = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "empty": lambda raw: b"",
    "bytes flipped": lambda raw: raw[:200] + bytes(b ^ 0xFF for b in raw[200:210]) + raw[210:],
    "distance changed": _change_distance,
    "distance changed in place": lambda raw: raw.replace(b'"distance_m":', b'"distance_m":1', 1),
    "another reader version": _another_version,
    "not json": lambda raw: b"\x00\x01garbage",
    "payload without seal": lambda raw: _payload(raw),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_entry_is_read_again_from_its_file(folder, clean, tmp_path, damage):
    cache = tmp_path / "cache"
    first = _read(folder, cache_dir=cache)
    assert_same(first, clean)
    damaged = _with_sessions(cache)[:25]
    for path in damaged:
        path.write_bytes(DAMAGE[damage](path.read_bytes()))
    again = _read(folder, cache_dir=cache)
    assert_same(again, clean)
    assert again.report.n_decoded == len(damaged)  # exactly those, read from their files
    warm = _read(folder, cache_dir=cache)  # and rewritten whole
    assert_same(warm, clean)
    assert warm.report.n_decoded == 0


def test_an_entry_under_another_content_hash_is_not_taken(folder, clean, tmp_path):
    cache = tmp_path / "cache"
    _read(folder, cache_dir=cache)
    a, b = _with_sessions(cache)[:2]
    b.write_bytes(a.read_bytes())  # a's entry (valid, sealed) where b's should be
    again = _read(folder, cache_dir=cache)
    assert_same(again, clean)
    assert again.report.n_decoded == 1


@pytest.mark.parametrize("manifest", [
    b"\x00garbage\xff",
    b'{"layout":2,"files":{}}',  # not sealed
    b"[]",
    lambda raw: raw[: len(raw) // 3],
    lambda raw: raw.replace(b'"files":{"', b'"files":{"x', 1),  # altered, seal broken
    lambda raw: _reseal(_payload(raw, "manifest").replace(b'"layout":2', b'"layout":1'),
                        "manifest"),
], ids=["garbage", "unsealed", "a list", "truncated", "altered", "another layout"])
def test_a_damaged_manifest_counts_as_empty(folder, clean, tmp_path, manifest):
    cache = tmp_path / "cache"
    _read(folder, cache_dir=cache)
    path = cache / f"v{LAYOUT_VERSION}" / "manifest.json"
    path.write_bytes(manifest(path.read_bytes()) if callable(manifest) else manifest)
    again = _read(folder, cache_dir=cache)
    assert_same(again, clean)
    assert again.report.n_decoded == 0  # every file hashed again, its entry found by content
    assert json.loads(path.read_bytes())["manifest"]["files"]  # and the manifest rewritten


def test_a_manifest_pointing_at_a_damaged_entry(folder, clean, tmp_path):
    # The manifest is right but the entry it names is damaged: read from the file.
    cache = tmp_path / "cache"
    _read(folder, cache_dir=cache)
    for path in _with_sessions(cache):
        path.write_bytes(path.read_bytes()[:-10])
    again = _read(folder, cache_dir=cache)
    assert_same(again, clean)


def test_a_cache_that_cannot_be_written(folder, clean, tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    with pytest.warns(RunloadWarning, match="cannot be written"):
        history = read_history(folder, cache_dir=blocker)
    assert_same(history, clean)
    assert blocker.read_text() == "a file where the cache folder should be"


def _read_only(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``cache`` read-only: by permissions, or, for root (who writes anywhere), by
    making every file creation under it fail as the kernel would."""
    if os.geteuid() != 0:
        for path in [cache, *cache.rglob("*")]:
            if path.is_dir():
                path.chmod(0o555)
        return
    real = tempfile.mkstemp

    def refuse(*args, **kwargs):
        where = Path(kwargs.get("dir") or (args[2] if len(args) > 2 else "."))
        if where.resolve().is_relative_to(cache.resolve()):
            raise PermissionError(13, "Permission denied", str(where))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_a_read_only_cache_folder(folder, clean, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    _read(folder, cache_dir=cache)
    _read_only(cache, monkeypatch)
    try:
        mine = shutil.copytree(folder, tmp_path / "history")
        (mine / "new_run.fit").write_bytes(run_fit(300, 300))
        with pytest.warns(RunloadWarning, match="cannot be written"):
            history = read_history(mine, cache_dir=cache)
        assert history.report.n_from_cache > 0
        assert len(history.sessions) == len(clean.sessions) + 1
    finally:
        for path in [cache, *cache.rglob("*")]:
            if path.is_dir():
                path.chmod(0o755)


def test_orphans_of_killed_writers_are_never_read(folder, clean, tmp_path):
    cache = tmp_path / "cache"
    _read(folder, cache_dir=cache)
    entry = _with_sessions(cache)[0]
    orphan = cache / f"v{LAYOUT_VERSION}" / "tmp" / f"{entry.name}.abc.tmp"
    orphan.write_bytes(_change_distance(entry.read_bytes()))  # sealed? no: seal broken
    entry.unlink()
    again = _read(folder, cache_dir=cache)
    assert_same(again, clean)
    assert again.report.n_decoded == 1
