"""The session cache: exact JSON round trips, misses, the stat manifest, kill -9, two runs at once."""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runload.errors import RunloadWarning
from runload.readers.cache import (
    LAYOUT_VERSION,
    STALE_TEMP_S,
    CachedFile,
    SessionCache,
    default_cache_dir,
)
from runload.schema import SESSION_COLUMNS, sessions_frame

REPO = Path(__file__).resolve().parents[2]
READER = "9.1"
TREE = f"v{LAYOUT_VERSION}"
_RESTORED_TYPES = {"string": str, "int16": int, "int64": int, "Int32": int, "float64": float,
                   "bool": bool, "datetime64[us, UTC]": pd.Timestamp,
                   "datetime64[us]": pd.Timestamp}
_MISSING_KINDS = {"float64": "nan", "datetime64[us, UTC]": "nat", "datetime64[us]": "nat"}


def _sha(i: int) -> str:
    return hashlib.sha256(f"content {i}".encode()).hexdigest()


def _entry(i: int) -> CachedFile:
    """A deterministic entry, 0-2 sessions, some long, with missing values mixed in."""
    sha = _sha(i)
    rows = tuple({
        "activity_id": f"{sha[:16]}-{k}", "content_sha256": sha, "session_index": k,
        "sport": "running", "start_utc": pd.Timestamp(1_600_000_000 + i * 3600 + k, unit="s",
                                                      tz="UTC"),
        "utc_offset_s": None if i % 4 == 0 else 3600 * (i % 5),
        "distance_m": math.nan if i % 3 == 0 else i * 10.25 + k,
        "has_gps": bool(i % 2), "n_records": i * 7 + k,
        "notes": "x" * ((i * 997) % 30_000),
    } for k in range(i % 3))
    status = "read" if rows else ("not_activity", "failed")[i % 2]
    return CachedFile("fit", "runload-fit", status, "" if rows else f"reason {i}", rows)


def _canon(entry: CachedFile | None) -> object:
    """An entry with every missing value (None, NaN, NA, NaT) the same, for ==."""
    if entry is None:
        return None
    return (entry.source_format, entry.decoder, entry.status, entry.reason,
            tuple({k: None if pd.isna(v) else v for k, v in row.items()}
                  for row in entry.sessions))


def _full_row() -> dict[str, object]:
    """A value in every cacheable column, of the types readers hand over."""
    row: dict[str, object] = {}
    for name, col in SESSION_COLUMNS.items():
        if name in ("source_path", "member_path"):
            continue
        row[name] = {
            "string": f"{name} é ✓ \"q\"\n",
            "int16": np.int16(-32768) if name == "session_index" else 3,
            "int64": 2**62 + 1,
            "Int32": -2**31,
            "float64": 0.1 + 0.2,
            "bool": np.True_,
            "datetime64[us, UTC]": pd.Timestamp("2024-03-31 03:30:00.123456",
                                                tz="Europe/Berlin"),
            "datetime64[us]": pd.Timestamp("1969-12-31 23:59:59.999999"),
        }[col.dtype]
    row["max_speed_mps"] = math.inf
    return row


def _missing_row() -> dict[str, object]:
    """Every cacheable column missing, in each spelling readers use."""
    row: dict[str, object] = {}
    spellings = [None, pd.NA, math.nan, pd.NaT, np.datetime64("NaT")]
    for j, (name, col) in enumerate(SESSION_COLUMNS.items()):
        if name in ("source_path", "member_path"):
            continue
        if col.dtype in ("string", "bool", "int16", "int64"):
            row[name] = None
        elif col.dtype == "float64":
            row[name] = (math.nan, np.float64("nan"), None)[j % 3]
        elif col.dtype == "Int32":
            row[name] = pd.NA
        else:
            row[name] = spellings[j % len(spellings)]
    return row


def test_round_trip_of_every_dtype(tmp_path):
    rows = (_full_row(), _missing_row(), {})
    entry = CachedFile("gpx", "gpx", "partial", "truncated; ünïcode", rows)
    sha = _sha(1)
    SessionCache(tmp_path, reader_version=READER).put(sha, entry)
    got = SessionCache(tmp_path, reader_version=READER).get(sha)

    assert got is not None
    assert (got.source_format, got.decoder, got.status, got.reason) == \
        ("gpx", "gpx", "partial", "truncated; ünïcode")
    assert [set(r) for r in got.sessions] == [set(r) for r in rows]
    for name, value in rows[0].items():
        restored = got.sessions[0][name]
        assert restored == value, name
        assert type(restored) is _RESTORED_TYPES[SESSION_COLUMNS[name].dtype], name
    assert got.sessions[0]["start_utc"].tz is not None
    for name, restored in got.sessions[1].items():
        kind = _MISSING_KINDS.get(SESSION_COLUMNS[name].dtype)
        if kind == "nan":
            assert isinstance(restored, float) and math.isnan(restored), name
        elif kind == "nat":
            assert restored is pd.NaT, name
        else:
            assert restored is None, name

    where = {"source_path": "a.fit", "member_path": ""}
    pd.testing.assert_frame_equal(sessions_frame([{**r, **where} for r in rows]),
                                  sessions_frame([{**r, **where} for r in got.sessions]))


def test_entries_are_plain_json(tmp_path):
    SessionCache(tmp_path, reader_version=READER).put(_sha(1), CachedFile(
        "fit", "runload-fit", "read", "", (_full_row(), _missing_row())))
    [path] = (tmp_path / TREE / f"r{READER}").rglob("*.json")
    assert path.name == f"{_sha(1)}.json" and path.parent.name == _sha(1)[:2]

    def no_constants(token):
        raise AssertionError(f"non-JSON token {token}")

    sealed = json.loads(path.read_bytes(), parse_constant=no_constants)
    assert list(sealed) == ["sha256", "entry"]
    doc = sealed["entry"]
    assert doc["sessions"][0]["start_utc"] == 1711848600123456  # 01:30:00.123456 UTC
    assert doc["sessions"][0]["max_speed_mps"] == "inf"
    assert set(doc["sessions"][1].values()) == {None}


def test_round_trip_of_real_sessions(realdata, tmp_path):
    from runload.readers.fit import parse_fit

    cache = SessionCache(tmp_path, reader_version=READER)
    expected = {}
    for path in sorted((realdata / "fit").glob("*.fit")):
        data = path.read_bytes()
        try:
            parsed = parse_fit(data, str(path))
        except Exception:  # noqa: BLE001 - any file that does not parse is simply not used
            continue
        sha = hashlib.sha256(data).hexdigest()
        expected[sha] = CachedFile("fit", parsed.decoder, "read", "", parsed.sessions)
        cache.put(sha, expected[sha])
    assert len(expected) >= 10
    fresh = SessionCache(tmp_path, reader_version=READER)
    before = [r for e in expected.values() for r in e.sessions]
    after = [r for sha in expected for r in fresh.get(sha).sessions]
    pd.testing.assert_frame_equal(sessions_frame(before), sessions_frame(after))


def test_another_reader_version_misses(tmp_path):
    SessionCache(tmp_path, reader_version="1").put(_sha(1), _entry(1))
    assert SessionCache(tmp_path, reader_version="2").get(_sha(1)) is None
    assert _canon(SessionCache(tmp_path, reader_version="1").get(_sha(1))) == _canon(_entry(1))


@pytest.mark.parametrize("version", ["", "../x", "a/b", ".hidden", "x" * 65, 3])
def test_reader_version_must_be_a_safe_name(tmp_path, version):
    with pytest.raises(ValueError, match="'reader_version' parameter of SessionCache"):
        SessionCache(tmp_path, reader_version=version)


def _stored(cache_dir: Path, sha: str) -> Path:
    return cache_dir / TREE / f"r{READER}" / sha[:2] / f"{sha}.json"


_HEAD = len('{"sha256":"') + 64


def _payload(raw: bytes, kind: str = "entry") -> bytes:
    return raw[_HEAD + len(f'","{kind}":'):-1]


def _reseal(payload: bytes, kind: str = "entry") -> bytes:
    """A file whose seal matches ``payload``: what only a deliberate forger writes."""
    return (b'{"sha256":"' + hashlib.sha256(payload).hexdigest().encode() + b'","'
            + kind.encode() + b'":' + payload + b"}")


@pytest.mark.parametrize("damage", [
    lambda raw: raw[: len(raw) // 2],
    lambda raw: b"",
    lambda raw: b"\xff\xfe\x00garbage",
    lambda raw: b"[1, 2]",
    lambda raw: raw.replace(b'"status":"read"', b'"status":"great"'),
    lambda raw: raw.replace(b'"layout":2', b'"layout":1'),
    lambda raw: raw.replace(_sha(4).encode(), _sha(5).encode()),
    lambda raw: raw.replace(b'"n_records":', b'"n_records":"28",'),
    lambda raw: raw.replace(b'"has_gps":false', b'"has_gps":0'),
    lambda raw: raw.replace(b'"sport":', b'"sprot":'),
    lambda raw: raw.replace(b'"session_index":0', b'"session_index":99999'),
    lambda raw: raw.replace(b'"start_utc":', b'"start_utc":1e400,"x":'),
    lambda raw: raw.replace(b'"sessions":[', b'"sessions":[7,'),
])
@pytest.mark.parametrize("resealed", [False, True], ids=["seal broken", "resealed"])
def test_a_corrupt_entry_is_a_miss_and_is_rewritten(tmp_path, damage, resealed):
    # Damage breaks the seal; resealed, the same damage is still caught by the
    # checks behind the seal (layout, version, hash, dtypes).
    cache = SessionCache(tmp_path, reader_version=READER)
    cache.put(_sha(4), _entry(4))
    path = _stored(tmp_path, _sha(4))
    raw = path.read_bytes()
    path.write_bytes(_reseal(damage(_payload(raw))) if resealed else damage(raw))
    assert cache.get(_sha(4)) is None
    cache.put(_sha(4), _entry(4))
    assert _canon(SessionCache(tmp_path, reader_version=READER).get(_sha(4))) == \
        _canon(_entry(4))


def test_an_entry_under_another_name_is_a_miss(tmp_path):
    cache = SessionCache(tmp_path, reader_version=READER)
    cache.put(_sha(1), _entry(1))
    _stored(tmp_path, _sha(2)).parent.mkdir(parents=True, exist_ok=True)
    _stored(tmp_path, _sha(1)).rename(_stored(tmp_path, _sha(2)))
    assert cache.get(_sha(2)) is None


@pytest.mark.parametrize(("row", "match"), [
    ({"source_path": "a.fit"}, "'source_path' says where the file was found"),
    ({"speed": 1.0}, "'speed' is not a sessions column"),
    ({"name": 3}, "'name' .* cannot hold 3"),
    ({"has_gps": "yes"}, "'has_gps' .* cannot hold 'yes'"),
    ({"session_index": 40000}, "'session_index' .*int16 range"),
    ({"n_records": 1.5}, "'n_records' .* cannot hold 1.5"),
    ({"distance_m": "12"}, "'distance_m' .* cannot hold '12'"),
    ({"start_local": pd.Timestamp("2024-01-01", tz="UTC")}, "'start_local' .* naive"),
])
def test_put_refuses_what_a_sessions_table_cannot_hold(tmp_path, row, match):
    cache = SessionCache(tmp_path, reader_version=READER)
    with pytest.raises(ValueError, match=match):
        cache.put(_sha(1), CachedFile("fit", "runload-fit", "read", "", (row,)))
    assert cache.get(_sha(1)) is None


def test_put_and_get_refuse_bad_keys_and_statuses(tmp_path):
    cache = SessionCache(tmp_path, reader_version=READER)
    with pytest.raises(ValueError, match="64 lowercase hex"):
        cache.get("../../etc/passwd")
    with pytest.raises(ValueError, match="64 lowercase hex"):
        cache.put(_sha(1).upper(), _entry(1))
    with pytest.raises(ValueError, match="status of a CachedFile"):
        cache.put(_sha(1), CachedFile("fit", "", "ok", "", ()))


def test_stat_manifest_hits_only_on_same_size_and_stamp(tmp_path):
    cache = SessionCache(tmp_path, reader_version=READER)
    locator = "/home/a/export.zip!DI_CONNECT/x.zip!u_1.fit"
    cache.remember(locator, 1000, 1_700_000_000_123_456_789, _sha(1))
    assert cache.known_sha256(locator, 1000, 1_700_000_000_123_456_789) == _sha(1)
    assert SessionCache(tmp_path, reader_version=READER).known_sha256(
        locator, 1000, 1_700_000_000_123_456_789) is None  # not flushed yet
    cache.flush()

    fresh = SessionCache(tmp_path, reader_version="another")  # the manifest is shared
    assert fresh.known_sha256(locator, 1000, 1_700_000_000_123_456_789) == _sha(1)
    assert fresh.known_sha256(locator, 1001, 1_700_000_000_123_456_789) is None
    assert fresh.known_sha256(locator, 1000, 1_700_000_000_123_456_790) is None
    assert fresh.known_sha256(locator + "x", 1000, 1_700_000_000_123_456_789) is None
    fresh.remember(locator, 1001, 5, _sha(2))
    fresh.flush()
    assert SessionCache(tmp_path, reader_version=READER).known_sha256(locator, 1001, 5) == \
        _sha(2)
    with pytest.raises(ValueError, match="must be ints"):
        fresh.remember(locator, 1.0, 5, _sha(2))


def test_flush_keeps_the_union_of_what_two_caches_learned(tmp_path):
    first = SessionCache(tmp_path, reader_version=READER)
    second = SessionCache(tmp_path, reader_version=READER)
    first.remember("a", 1, 1, _sha(1))
    second.remember("b", 2, 2, _sha(2))
    second.remember("a", 1, 1, _sha(1))
    first.flush()
    second.flush()
    with SessionCache(tmp_path, reader_version=READER) as third:
        assert third.known_sha256("a", 1, 1) == _sha(1)
        assert third.known_sha256("b", 2, 2) == _sha(2)
        third.remember("c", 3, 3, _sha(3))
    assert SessionCache(tmp_path, reader_version=READER).known_sha256("c", 3, 3) == _sha(3)


def test_a_corrupt_manifest_is_empty_and_is_rewritten(tmp_path):
    manifest = tmp_path / TREE / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_bytes(_reseal(b'{"layout":2,"files":{"a":[1,1,"', "manifest"))
    cache = SessionCache(tmp_path, reader_version=READER)
    assert cache.known_sha256("a", 1, 1) is None
    cache.remember("a", 1, 1, _sha(1))
    cache.flush()
    manifest.write_bytes(_reseal(json.dumps({"layout": 2, "files": {
        "a": [1, 1, _sha(1)], "b": "junk", "c": [1, 1, "not a hash"], "d": [1, 1]}}).encode(),
        "manifest"))
    cache = SessionCache(tmp_path, reader_version=READER)
    assert [cache.known_sha256(k, 1, 1) for k in "abcd"] == [_sha(1), None, None, None]


def test_orphaned_temporary_files_are_never_read_and_are_removed(tmp_path):
    cache = SessionCache(tmp_path, reader_version=READER)
    tmp = tmp_path / TREE / "tmp"
    old = tmp / f"{_sha(1)}.json.abc.tmp"
    old.write_bytes(b'{"sha256":"0123')  # what a killed writer leaves
    young = tmp / "manifest.json.def.tmp"
    young.write_bytes(b"")
    past = time.time() - STALE_TEMP_S - 5
    os.utime(old, (past, past))
    assert cache.get(_sha(1)) is None
    cache.flush()
    assert not old.exists() and young.exists()


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("RUNLOAD_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.setenv("RUNLOAD_CACHE_DIR", "")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "runload"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert default_cache_dir() == tmp_path / ".cache" / "runload"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert default_cache_dir() == tmp_path / "Library" / "Caches" / "runload"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert default_cache_dir() == tmp_path / "local" / "runload" / "Cache"


def test_an_unwritable_cache_warns_once_and_the_run_goes_on(tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    with pytest.warns(RunloadWarning, match="cannot be written") as record:
        cache = SessionCache(blocker, reader_version=READER)
    cache.put(_sha(1), _entry(1))
    cache.remember("a", 1, 1, _sha(1))
    cache.flush()
    assert cache.get(_sha(1)) is None
    assert cache.known_sha256("a", 1, 1) == _sha(1)
    assert len(record) == 1


# Child processes import the test module's helpers so they write exactly the
# entries the parent checks.
_PRELUDE = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from runload.readers.cache import SessionCache
from tests.readers.test_cache import READER, _entry, _sha
cache = SessionCache(sys.argv[1], reader_version=READER)
"""

# Writes 20 entries, flushes, says 'ready', then writes and flushes until killed.
_ENDLESS_WRITER = _PRELUDE + """
i = int(sys.argv[2])
while True:
    cache.put(_sha(i), _entry(i))
    cache.remember(f"/export/{i}.fit", i, 7 * i, _sha(i))
    i += 1
    if (i - int(sys.argv[2])) % 20 == 0:
        cache.flush()
        if i - int(sys.argv[2]) == 20:
            print("ready", flush=True)
"""

# Says 'ready'; on 'go' writes entries lo..hi under a prefix, flushing often, says
# 'done'; on the next 'go' flushes 500 late records at once and exits.
_RANGE_WRITER = _PRELUDE + """
lo, hi, prefix = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
print("ready", flush=True)
sys.stdin.readline()
for i in range(lo, hi):
    cache.put(_sha(i), _entry(i))
    cache.remember(f"{prefix}/{i}.fit", i, 7 * i, _sha(i))
    if i % 10 == 0:
        cache.flush()
cache.flush()
print("done", flush=True)
sys.stdin.readline()
for i in range(500):
    cache.remember(f"{prefix}/late/{i}.fit", i, i, _sha(i))
cache.flush()
"""


def _child(script: str, *args: object) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _check_everything_stored(cache_dir: Path, known: range, flushed: set[int]) -> int:
    """Every stored entry is right or a miss; the flushed records are all there."""
    cache = SessionCache(cache_dir, reader_version=READER)
    index = {_sha(i): i for i in known}
    hits = 0
    for path in (cache_dir / TREE / f"r{READER}").rglob("*"):
        if path.is_dir():
            continue
        assert path.suffix == ".json" and path.stem in index, path  # nothing else in the tree
        got = cache.get(path.stem)
        assert got is None or _canon(got) == _canon(_entry(index[path.stem])), path
        hits += got is not None
    for i in known:
        sha = cache.known_sha256(f"/export/{i}.fit", i, 7 * i)
        assert sha in (None, _sha(i)), i
        if i in flushed:
            assert sha == _sha(i), i
        if i in flushed and i >= 0:  # the records below 0 have no entries
            assert _canon(cache.get(sha)) == _canon(_entry(i)), i
    return hits


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_kill_9_mid_import_leaves_a_usable_cache(tmp_path):
    # A large manifest makes each flush take a while, so kills land inside some.
    with SessionCache(tmp_path, reader_version=READER) as cache:
        for i in range(-3000, 0):
            cache.remember(f"/export/{i}.fit", i, 7 * i, _sha(i))
    rng = random.Random(20240531)
    flushed = set(range(-3000, 0))
    for round_ in range(4):
        start = round_ * 10_000
        proc = _child(_ENDLESS_WRITER, tmp_path, start)
        assert proc.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.0, 0.06))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        assert proc.returncode == -signal.SIGKILL
        hits = _check_everything_stored(tmp_path, range(-3000, start + 10_000), flushed)
        assert hits >= 20 * (round_ + 1)
        flushed |= set(range(start, start + 20))

    with warnings.catch_warnings():  # a killed holder's lock is free: no lock time-out
        warnings.simplefilter("error", RunloadWarning)
        with SessionCache(tmp_path, reader_version=READER) as cache:  # and it goes on working
            cache.put(_sha(-1), _entry(-1))
            cache.remember("/export/new.fit", 1, 1, _sha(-1))
    cache = SessionCache(tmp_path, reader_version=READER)
    assert _canon(cache.get(_sha(-1))) == _canon(_entry(-1))
    assert cache.known_sha256("/export/new.fit", 1, 1) == _sha(-1)


def _all_say(procs: list[subprocess.Popen], word: str) -> None:
    for proc in procs:
        assert proc.stdout.readline() == f"{word}\n"


def _go(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()


def test_two_imports_at_once_keep_every_entry_and_record(tmp_path):
    # A large manifest widens the window in which unlocked flushes would clash.
    with SessionCache(tmp_path, reader_version=READER) as cache:
        for i in range(3000):
            cache.remember(f"/base/{i}.fit", i, i, _sha(i))
    procs = [_child(_RANGE_WRITER, tmp_path, 0, 200, "/a"),
             _child(_RANGE_WRITER, tmp_path, 100, 300, "/b")]
    _all_say(procs, "ready")
    _go(procs)  # write overlapping entries and flush often, at the same time
    _all_say(procs, "done")
    _go(procs)  # then both flush one batch of records at the same moment
    for proc in procs:
        proc.communicate(timeout=60)
        assert proc.returncode == 0

    cache = SessionCache(tmp_path, reader_version=READER)
    for i in range(300):
        assert _canon(cache.get(_sha(i))) == _canon(_entry(i)), i
    expected = [(f"/a/{i}.fit", i, 7 * i, _sha(i)) for i in range(200)] \
        + [(f"/b/{i}.fit", i, 7 * i, _sha(i)) for i in range(100, 300)] \
        + [(f"{who}/{i}.fit", i, i, _sha(i)) for who in ("/base", "/a/late", "/b/late")
           for i in range(500)]
    lost = [loc for loc, size, stamp, sha in expected
            if cache.known_sha256(loc, size, stamp) != sha]
    assert lost == []
