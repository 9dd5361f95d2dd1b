"""Fuzzing the FIT, GPX and TCX readers: about 2000 mutated files per run, then regressions.

The CI run draws cases with hypothesis (``derandomize=True``: the same cases on
every run and machine; ``deadline=None``: no timing in tests, hangs are ruled
out by design, see benchmarks/fuzz_readers.py for the timed long run).  A
case is a seed file (made by runload's FIT writer or hand-written, and small
real files of ../shared/realdata) and a recipe of mutations
(tests/readers/test_fuzz_inputs.py).  The invariant: every input gives
sessions and streams that match the schema, or a ReadError subclass naming
the file; any other exception fails the test, which hypothesis then shrinks
to a short recipe.  The outcomes are summed up at the end of the pytest
output ("runload fuzz summary").

The regression tests below keep every crash the fuzzing found, each as a
minimal input built here, with the exception it raised before the fix.
"""

from __future__ import annotations

import collections
import gzip
import re
import struct
import tracemalloc
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload.errors import CorruptFileError, NotAnActivityError, ReadError
from runload.readers import content, fit_decode, track, track_features
from runload.readers.fit_writer import SyntheticActivity, fit_crc, write_fit
from tests.readers.test_fuzz_inputs import (
    GZIP,
    Seed,
    check_rows,
    describe,
    mutate,
    operators,
    read_case,
    realdata_seeds,
    run_case,
    synthetic_seeds,
)

#: Cases per seed format in the CI run: about 2000 in all.
CASES = {"fit": 900, "gpx": 550, "tcx": 550}


class _Summary:
    """Outcomes of the CI run, printed at the end of the pytest output."""

    def __init__(self) -> None:
        self.outcomes: dict[str, collections.Counter[str]] = collections.defaultdict(
            collections.Counter)
        self.gzipped = 0
        self.crashes: dict[str, str] = {}
        self.schema_failures: list[str] = []

    def lines(self) -> list[str]:
        total = sum(sum(c.values()) for c in self.outcomes.values())
        lines = [f"{total} cases ({self.gzipped} gzip-wrapped)"]
        for fmt, counts in sorted(self.outcomes.items()):
            detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(),
                                                                key=lambda kv: -kv[1]))
            lines.append(f"  {fmt}: {sum(counts.values())} cases: {detail}")
        others = sum(c["other exception"] for c in self.outcomes.values())
        lines.append(f"  other exceptions: {others} (must be 0); "
                     f"sessions off the schema: {len(self.schema_failures)} (must be 0)")
        lines.extend(f"  CRASH {case}: {error}" for case, error in self.crashes.items())
        lines.extend(f"  SCHEMA {failure}" for failure in self.schema_failures)
        return lines


SUMMARY = _Summary()


class _SummaryPlugin:
    def pytest_terminal_summary(self, terminalreporter) -> None:
        if SUMMARY.outcomes:
            terminalreporter.write_sep("-", "runload fuzz summary")
            for line in SUMMARY.lines():
                terminalreporter.write_line(line)


@pytest.fixture(scope="module", autouse=True)
def _fuzz_summary(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin("runload-fuzz-summary"):
        manager.register(_SummaryPlugin(), "runload-fuzz-summary")


def _recipes(fmt: str) -> st.SearchStrategy[list[tuple[str, int]]]:
    step = st.tuples(st.sampled_from(operators(fmt) + sorted(GZIP)), st.integers(0, 2**32 - 1))
    return st.lists(step, min_size=1, max_size=3)


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_fuzz_readers(fmt: str, realdata) -> None:
    seeds = [s for s in synthetic_seeds() + realdata_seeds(realdata) if s.fmt == fmt]
    results: list[tuple[str, list[dict]]] = []

    @settings(max_examples=CASES[fmt], derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(seed=st.sampled_from(seeds), recipe=_recipes(fmt))
    def case(seed: Seed, recipe: list[tuple[str, int]]) -> None:
        label = describe(seed, recipe)
        data = mutate(seed.data, recipe)
        try:
            outcome, rows = read_case(data, f"fuzz/{seed.name}")
        except AssertionError:
            raise
        except Exception as exc:  # noqa: BLE001 - the fuzzer counts every crash, then fails
            SUMMARY.outcomes[fmt]["other exception"] += 1
            SUMMARY.crashes.setdefault(label, f"{type(exc).__name__}: {exc}")
            raise
        SUMMARY.outcomes[fmt][outcome] += 1
        SUMMARY.gzipped += any(name in GZIP for name, _ in recipe)
        if rows:
            results.append((label, rows))

    case()
    failures = check_rows(results)
    SUMMARY.schema_failures.extend(failures)
    assert not failures
    assert sum(SUMMARY.outcomes[fmt].values()) >= CASES[fmt] * 0.9
    assert SUMMARY.outcomes[fmt]["data"] and SUMMARY.outcomes[fmt]["CorruptFileError"]


# --- regressions: every crash found, as a minimal input ---------------------------------

def fit_file(body: bytes, *, data_size: int | None = None, crc: bool = True) -> bytes:
    """A FIT file (12-byte header) around ``body``."""
    size = len(body) if data_size is None else data_size
    data = struct.pack("<BBHI4s", 12, 0x20, 2100, size, b".FIT") + body
    return data + struct.pack("<H", fit_crc(data)) if crc else data


def definition(local: int, mesg: int, fields: list[tuple[int, int, int]], *,
               dev: list[tuple[int, int, int]] | None = None) -> bytes:
    """A little-endian definition message: fields are (number, size, base type)."""
    header = 0x40 | local | (0x20 if dev is not None else 0)
    out = bytes([header, 0, 0]) + struct.pack("<H", mesg) + bytes([len(fields)])
    out += b"".join(bytes(f) for f in fields)
    if dev is not None:
        out += bytes([len(dev)]) + b"".join(bytes(f) for f in dev)
    return out


def message(local: int, payload: bytes) -> bytes:
    return bytes([local]) + payload


T0 = 1_000_000_000  # a FIT date_time (2021-09-09)
FILE_ID = definition(0, 0, [(0, 1, 0x00)]) + message(0, bytes([4]))  # type: activity
RECORD = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)])


def records(n: int, step: int = 1) -> bytes:
    return b"".join(message(1, struct.pack("<IB", T0 + i * step, 120)) for i in range(n))


#: Outcomes that are not a crash.
READ = {"data", "CorruptFileError", "NotAnActivityError", "UnsupportedFormatError"}


def _outcome(data: bytes, name: str = "case") -> str:
    """run_case: 'data' or the ReadError subclass; a crash raises."""
    return run_case(data, name)


def test_definition_with_developer_flag_ending_at_the_data_end():
    # IndexError in _parse_definition: the developer field count byte was read past
    # the end when the definition's fields ended exactly at the end of a truncated file.
    body = FILE_ID + RECORD + records(3) + bytes([0x62, 0, 0, 20, 0, 1, 3, 1, 2])
    data = fit_file(body, data_size=len(body) + 5, crc=False)  # declared past the end
    act = content.read_activity(data, name="dev.fit")
    assert act.sessions["n_records"].tolist() == [3]
    assert any("definition at byte" in p for p in act.problems)


def test_fitparse_fallback_failures_end_the_read_cleanly():
    # An unknown base type sends the file to fitparse, which raised TypeError on a
    # date_time field defined as an array ('>=' between tuple and int).
    body = (definition(0, 0, [(0, 1, 0x00), (4, 8, 0x86)]) + message(0, bytes([4]) + bytes(8))
            + definition(1, 20, [(253, 4, 0x86), (3, 1, 0x1F)]) + records(3))
    assert _outcome(fit_file(body), "array-time.fit") in READ


def test_fitparse_fallback_time_of_day_out_of_range():
    # ValueError in fitparse: a user_profile wake_time of 25 h ('hour must be in 0..23').
    profile = definition(2, 3, [(28, 4, 0x86)]) + message(2, struct.pack("<I", 90000))
    body = FILE_ID + profile + definition(1, 20, [(253, 4, 0x86), (3, 1, 0x1F)]) + records(3)
    assert _outcome(fit_file(body), "wake.fit") in READ


@pytest.mark.parametrize("base", [99, 0x1F])
def test_fitparse_fallback_unknown_developer_base_type(base):
    # KeyError in fitparse: a field_description naming a base type it does not know.
    developer = definition(3, 207, [(3, 1, 0x02)]) + message(3, bytes([0]))
    desc = definition(2, 206, [(0, 1, 0x02), (1, 1, 0x02), (2, 1, 0x02), (3, 8, 0x07)])
    body = (FILE_ID + developer + desc + message(2, bytes([0, 0, base]) + b"Power\x00\x00\x00")
            + definition(1, 20, [(253, 4, 0x86), (3, 1, 0x1F)], dev=[(0, 2, 0)])
            + b"".join(message(1, struct.pack("<IBH", T0 + i, 120, 250)) for i in range(3)))
    assert _outcome(fit_file(body), "dev.fit") in READ


def test_fitparse_values_of_mixed_types_are_not_numbers():
    # ValueError in runload's fallback mapping: one field was text in one message and a
    # number in another ('could not convert string to float').
    # fitparse names a known manufacturer ('wahoo_fitness') and gives an unknown one as
    # a number.
    body = (definition(0, 0, [(0, 1, 0x00), (1, 2, 0x84)])
            + message(0, bytes([4]) + struct.pack("<H", 32))
            + message(0, bytes([4]) + struct.pack("<H", 65000))
            + definition(1, 20, [(253, 4, 0x86), (3, 1, 0x1F)]) + records(3))
    assert _outcome(fit_file(body), "mixed.fit") in READ


def test_compressed_timestamp_after_a_wide_timestamp_field():
    # OverflowError in the compressed-timestamp walk: a timestamp field of 200 bytes
    # gave a 1600-bit "time" that no float holds.
    wide = definition(1, 20, [(253, 200, 0x0D), (3, 1, 0x02)])
    compressed = bytes([0x80 | 1 << 5 | 5]) + bytes(200) + bytes([121])
    body = FILE_ID + wide + message(1, b"\xff" * 200 + bytes([120])) + compressed
    assert _outcome(fit_file(body), "wide.fit") in READ


def test_session_start_time_beyond_uint32_is_missing():
    # OutOfBoundsDatetime: a damaged definition read session.start_time (field 2) as a
    # uint64, far beyond any FIT date_time.
    session = definition(3, 18, [(253, 4, 0x86), (2, 8, 0x8F), (5, 1, 0x00)])
    body = (FILE_ID + RECORD + records(3) + session
            + message(3, struct.pack("<IQB", T0 + 3, 2**63 + 12345, 1)))
    act = content.read_activity(fit_file(body), name="start.fit")
    assert act.sessions["start_utc"].notna().all()  # from the records, not the broken field


def test_track_features_with_broken_heart_rate_and_time():
    # ValueError in track_features: heart rate 1e300 (bincount of negative bands) and
    # times years apart (a negative minlength); before that, memory grew with the span.
    points = "".join(
        f"<Trackpoint><Time>{t}</Time><DistanceMeters>{d}</DistanceMeters>"
        f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm></Trackpoint>"
        for t, d, hr in [("2024-05-01T06:00:00Z", 0, 140), ("2024-05-01T06:01:00Z", 300, 1e300),
                         ("2024-05-01T06:02:00Z", 600, 150), ("2024-05-01T06:03:00Z", 900, 160),
                         ("2099-05-01T06:00:00Z", 1200, 150), ("2099-05-01T06:01:00Z", 1500, 151)])
    data = ('<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/Training'
            'CenterDatabase/v2"><Activities><Activity Sport="Running"><Id>2024-05-01T06:00:00Z'
            f"</Id><Lap StartTime=\"2024-05-01T06:00:00Z\"><Track>{points}</Track></Lap>"
            "</Activity></Activities></TrainingCenterDatabase>").encode()
    assert _outcome(data, "hr.tcx") == "data"


def test_a_path_around_the_world_allocates_nothing_for_its_length():
    # A GPS path of 9,000 km (points 1000 km and a day apart: no jump) was resampled
    # every 10 m: 900,000 points and a lap search of gigabytes (25 s, then memory).
    points = "".join(f'<trkpt lat="0" lon="{i * 9.0}"><time>2024-05-{i + 1:02d}T06:00:00Z</time>'
                     "</trkpt>" for i in range(10))
    data = ('<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><trk>'
            f"<type>running</type><trkseg>{points}</trkseg></trk></gpx>").encode()
    tracemalloc.start()
    try:
        act = content.read_activity(data, name="world.gpx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.isnan(act.sessions["track_lap_m"].iloc[0])
    assert act.sessions["track_bbox_diag_m"].iloc[0] > track_features.MAX_SPAN_M
    assert peak < 30 * 1024**2


@pytest.mark.parametrize("offset", ["+99:99", "+24:00", "-25:00"])
def test_time_offsets_of_a_day_or_more_are_unreadable(offset):
    # ValueError from datetime.utcoffset(): gpxpy accepts any written offset.
    points = "".join(f'<trkpt lat="47" lon="8.{i}"><time>2024-05-01T06:00:0{i}{offset}</time>'
                     "</trkpt>" for i in range(3))
    data = ('<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><trk>'
            f"<type>running</type><trkseg>{points}</trkseg></trk></gpx>").encode()
    act = content.read_activity(data, name="offset.gpx")
    assert "3 point times could not be read" in act.sessions["notes"].iloc[0]


@pytest.mark.parametrize("encoding", ["bogus", "UTF-7", "cp037", "UTF-16"])
def test_unusable_declared_encodings(encoding):
    # LookupError (unknown encoding) and ValueError (multi-byte encodings are not
    # supported) escaped from the XML parsers.
    for root in ("gpx", "TrainingCenterDatabase"):
        data = f'<?xml version="1.0" encoding="{encoding}"?><{root}><a/></{root}>'.encode()
        with pytest.raises(ReadError):
            content.read_activity(data, name=f"enc.{root}")


def test_xmlns_written_as_text_does_not_make_gpxpy_quadratic():
    # gpxpy's namespace regex backtracks from every bare 'xmlns': 120 KB took 1.2 s,
    # 1 MB over a minute.  Such text now goes to the standard-library reader.
    data = ('<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><trk>'
            '<type>running</type><trkseg><trkpt lat="1" lon="2"><time>2024-05-01T06:00:00Z'
            "</time></trkpt></trkseg><name>" + " xmlns" * 200_000 + "</name></trk></gpx>"
            ).encode()
    act = content.read_activity(data, name="xmlns.gpx")
    assert act.sessions["n_records"].tolist() == [1]
    assert "quadratic" in act.problems[0]


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
@pytest.mark.parametrize("use", ["default", "prefix", "attribute"])
def test_a_long_namespace_name_is_refused(fmt, use):
    # Found by the long run (47 s for 2 MB): a 1 MB namespace name, then 40,000 nested
    # elements in it; the parsers copy the name into every element's tag.
    uri = "u" * 100_000
    element = {"default": "<a/>", "prefix": "<p:a/>", "attribute": '<a p:x="1"/>'}[use]
    declaration = f'xmlns="{uri}"' if use == "default" else f'xmlns:p="{uri}"'
    root = "gpx" if fmt == "gpx" else "TrainingCenterDatabase"
    data = f"<{root} {declaration}>{element * 20_000}</{root}>".encode()
    with pytest.raises(CorruptFileError, match="refused: a namespace name of 100,000 characters"):
        content.read_activity(data, name=f"ns.{fmt}")


@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
def test_an_ebcdic_document_is_refused(fmt):
    root = "gpx" if fmt == "gpx" else "TrainingCenterDatabase"
    data = (b'<?xml version="1.0" encoding="cp037"?><!--<' + root.encode() + b" -->"
            + f"<{root}><a/></{root}>".encode("cp037"))
    with pytest.raises(CorruptFileError, match="encoding 'cp037', which is not based on ASCII"):
        content.read_activity(data, name=f"ebcdic.{fmt}")


def test_many_namespaces_do_not_make_gpxpy_quadratic():
    # gpxpy registers each declaration in ElementTree's global registry, scanning it
    # whole each time: 8000 declarations (190 KB) took 3 s, and stayed registered.
    import xml.etree.ElementTree as ET

    before = dict(ET.register_namespace._namespace_map)
    decls = " ".join(f'xmlns:p{i}="urn:x{i}"' for i in range(20_000))
    data = (f'<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1" {decls}>'
            '<trk><type>running</type><trkseg><trkpt lat="1" lon="2"><time>2024-05-01T06:00:00Z'
            "</time></trkpt></trkseg></trk></gpx>").encode()
    act = content.read_activity(data, name="ns.gpx")
    assert act.sessions["n_records"].tolist() == [1]
    assert "20001 namespace declarations" in act.problems[0]
    # a file gpxpy reads leaves the registry as it was
    content.read_activity(synthetic_seeds()[-3].data, name="ok.gpx")
    assert ET.register_namespace._namespace_map == before


# --- amplification: cost bounded by the bytes present ------------------------------------

def test_thousands_of_tiny_tracks_give_a_bounded_number_of_sessions():
    start = datetime(2024, 5, 1, tzinfo=UTC).timestamp()
    tracks = "".join(f'<trk><type>running</type><trkseg><trkpt lat="1" lon="2"><time>'
                     f"{datetime.fromtimestamp(start + i * 7200, UTC):%Y-%m-%dT%H:%M:%SZ}</time>"
                     "</trkpt></trkseg></trk>" for i in range(3000))
    data = ('<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">'
            f"{tracks}</gpx>").encode()
    act = content.read_activity(data, name="tracks.gpx")
    limit = track.session_limit(len(data))
    assert len(act.sessions) == limit < 3000
    assert act.sessions["is_partial"].all()
    assert any("holds 3000 sessions; only the first" in p for p in act.problems)


def test_thousands_of_fit_sessions_give_a_bounded_number():
    session = definition(3, 18, [(253, 4, 0x86), (2, 4, 0x86), (5, 1, 0x00)])
    body = FILE_ID + RECORD + records(5) + session + b"".join(
        message(3, struct.pack("<IIB", T0 + i, T0 + i, 1)) for i in range(5000))
    act = content.read_activity(fit_file(body), name="sessions.fit")
    assert len(act.sessions) == track.session_limit(len(fit_file(body)))
    assert act.sessions["n_records"].sum() <= 5


def test_thousands_of_distinct_definitions_stop_the_read():
    body = FILE_ID + b"".join(
        definition(1, 20, [(253, 4, 0x86), (i % 250, 1, 0x02)])[:1] + bytes([i // 250 % 256])
        + definition(1, 20, [(253, 4, 0x86), (i % 250, 1, 0x02)])[2:]
        + message(1, struct.pack("<IB", T0 + i, 120)) for i in range(5000))
    act = content.read_activity(fit_file(body), name="defs.fit")
    assert any(f"more than {fit_decode.MAX_DEFINITIONS} distinct" in p for p in act.problems)
    assert act.sessions["n_records"].iloc[0] <= fit_decode.MAX_DEFINITIONS


@pytest.mark.parametrize(("mesg", "fields"), [
    (0, [(8, 1, 0x07)]),      # file_id with a 1-byte product name
    (12, [(3, 1, 0x07)]),     # sport with a 1-byte name
    (206, [(3, 1, 0x07)]),    # field_description with a 1-byte field name
    (18, [(253, 1, 0x02)]),   # session
])
def test_half_a_million_two_byte_messages(mesg, fields):
    # Strings were decoded into a dict per message (9 s per MB), and session rows
    # built for every session message before the session limit applied (3 s per MB).
    body = FILE_ID + RECORD + records(2) + definition(2, mesg, fields) + bytes([2, 65]) * 500_000
    tracemalloc.start()
    try:
        act = content.read_activity(fit_file(body), name="tiny.fit")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert 1 <= len(act.sessions) <= track.session_limit(len(body) + 14)
    assert peak < 100 * 1024**2


def test_the_tag_memo_of_the_tcx_reader_stays_small():
    from runload.readers import tcx

    tags = "".join(f"<t{i}/>" for i in range(20_000))
    data = ('<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/Training'
            f'CenterDatabase/v2"><Activities>{tags}</Activities></TrainingCenterDatabase>').encode()
    with pytest.raises(NotAnActivityError):
        content.read_activity(data, name="tags.tcx")
    assert len(tcx._local_names) <= tcx._MAX_LOCAL_NAMES


def test_huge_declared_sizes_allocate_nothing():
    run = write_fit(SyntheticActivity(start_utc=datetime(2024, 5, 1, tzinfo=UTC),
                                      records={"elapsed_s": np.arange(20.0)}))
    huge = run[:4] + struct.pack("<I", 0xFFFFFFFF) + run[8:]
    tracemalloc.start()
    try:
        act = content.read_activity(huge, name="huge.fit")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert act.sessions["n_records"].tolist() == [20]
    assert peak < 20 * 1024**2


def test_gzip_bomb_is_refused_early(monkeypatch):
    monkeypatch.setattr(content, "RATIO_FLOOR_BYTES", 64 * 1024)
    bomb = gzip.compress(b"<gpx>" + bytes(16 * 1024**2), compresslevel=9)
    tracemalloc.start()
    try:
        with pytest.raises(CorruptFileError, match="more than 200 times the file's size"):
            content.read_activity(bomb, name="bomb.gpx.gz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024**2


def test_gzip_content_over_the_absolute_limit(monkeypatch):
    monkeypatch.setattr(content, "MAX_DECOMPRESSED_BYTES", 100_000)
    data = gzip.compress(np.random.default_rng(0).bytes(200_000))
    with pytest.raises(CorruptFileError, match="decompresses to over 100,000 bytes"):
        content.read_activity(data, name="big.fit.gz")


def test_nested_gzip_shares_one_limit():
    twice = gzip.compress(gzip.compress(b"<gpx>" + bytes(8 * 1024**2)))
    with pytest.raises(CorruptFileError, match="gzip bomb guard"):
        content.read_activity(twice, name="twice.gpx.gz")


def test_truncated_gzip_names_the_damage():
    run = synthetic_seeds()[0].data
    with pytest.raises(CorruptFileError, match="truncated"):
        content.read_activity(gzip.compress(run)[:-30], name="cut.fit.gz")


def test_a_fitparse_rejected_file_is_not_an_activity_or_corrupt():
    with pytest.raises((CorruptFileError, NotAnActivityError)):
        content.read_activity(fit_file(definition(0, 0, [(0, 1, 0x1F)]) + message(0, b"\x04")),
                              name="odd.fit")


# --- the named hostile inputs, one by one -----------------------------------------------

def _seed(name: str) -> bytes:
    return next(s.data for s in synthetic_seeds() if s.name == name)


RUN_FIT = "synthetic/run.fit"
DEV_FIT = "synthetic/run-developer-power.fit"


def _definitions(data: bytes) -> list[int]:
    from tests.readers.test_fuzz_inputs import fit_layout

    return [m.start for m in fit_layout(data) if m.kind == "definition"]


def _record_definition(data: bytes) -> int:
    return next(p for p in _definitions(data) if struct.unpack("<H", data[p + 3:p + 5])[0] == 20)


def _patched(data: bytes, at: int, value: bytes) -> bytes:
    return data[:at] + value + data[at + len(value):]


def _fit_field_size_zero() -> bytes:
    data = _seed(RUN_FIT)
    return _patched(data, _record_definition(data) + 7, b"\x00")


def _fit_field_count(count: int) -> bytes:
    data = _seed(RUN_FIT)
    return _patched(data, _record_definition(data) + 5, bytes([count]))


def _fit_architecture(value: int) -> bytes:
    data = _seed(RUN_FIT)
    return _patched(data, _record_definition(data) + 2, bytes([value]))


def _fit_undefined_developer_index() -> bytes:
    data = _seed(DEV_FIT)
    p = _record_definition(data)
    q = p + 6 + 3 * data[p + 5]  # developer field count, then (number, size, index)
    return _patched(data, q + 3, b"\x07")


def _fit_compressed_before_timestamp() -> bytes:
    data = _seed("synthetic/run-compressed.fit")
    first_record = _record_definition(data)  # local 0 is the compressed-record definition
    from tests.readers.test_fuzz_inputs import fit_layout

    data_msg = next(m for m in fit_layout(data) if m.kind == "data" and m.start > first_record)
    return _patched(data, data_msg.start, bytes([0x80 | (data[data_msg.start] & 3) << 5 | 7]))


FIT_HOSTILE = {
    "field size 0": _fit_field_size_zero,
    "field count 255": lambda: _fit_field_count(255),
    "field count 0": lambda: _fit_field_count(0),
    "data_size 0xFFFFFFFF": lambda: _patched(_seed(RUN_FIT), 4, b"\xff\xff\xff\xff"),
    "data_size 0": lambda: _patched(_seed(RUN_FIT), 4, b"\x00\x00\x00\x00"),
    "header size 255": lambda: _patched(_seed(RUN_FIT), 0, b"\xff"),
    "architecture 7": lambda: _fit_architecture(7),
    "architecture 255": lambda: _fit_architecture(255),
    "developer field of an undefined developer": _fit_undefined_developer_index,
    "compressed timestamp before any timestamp": _fit_compressed_before_timestamp,
    "only a header": lambda: _seed(RUN_FIT)[:12],
    "header and CRC only": lambda: fit_file(b""),
    "truncated in the header": lambda: _seed(RUN_FIT)[:10],
}


@pytest.mark.parametrize("case", sorted(FIT_HOSTILE))
@pytest.mark.parametrize("wrap", ["plain", "gzip", "gzip cut"])
def test_named_hostile_fit(case, wrap):
    data = FIT_HOSTILE[case]()
    if wrap != "plain":
        data = gzip.compress(data)
        data = data[:len(data) // 2] if wrap == "gzip cut" else data
    assert _outcome(data, "hostile.fit") in READ


def _xml(fmt: str) -> bytes:
    return _seed("synthetic/run-1.1.gpx" if fmt == "gpx" else "synthetic/run.tcx")


def _nest(fmt: str, depth: int, *, closed: bool) -> bytes:
    data = _xml(fmt)
    anchor = b"<trkseg>" if fmt == "gpx" else b"<Track>"
    body = b"<a>" * depth + (b"</a>" * depth if closed else b"")
    return data.replace(anchor, anchor + body, 1)


XML_HOSTILE = {
    "nesting 100k closed": lambda fmt: _nest(fmt, 100_000, closed=True),
    "nesting 100k unclosed": lambda fmt: _nest(fmt, 100_000, closed=False),
    "unclosed tags": lambda fmt: _xml(fmt).replace(b"</trkpt>", b"").replace(b"</Trackpoint>", b""),
    "huge attribute value": lambda fmt: _xml(fmt).replace(
        b'creator="fuzz"', b'creator="' + b"A" * 2_000_000 + b'"').replace(
        b'Sport="Running"', b'Sport="' + b"A" * 2_000_000 + b'"'),
    "invalid UTF-8": lambda fmt: _xml(fmt).replace(b"<time>", b"<time>\xff\xfe", 3).replace(
        b"<Time>", b"<Time>\xc3\x28", 3),
    "NUL bytes": lambda fmt: _xml(fmt).replace(b"</ele>", b"\x00</ele>").replace(
        b"</AltitudeMeters>", b"\x00</AltitudeMeters>"),
    "NaN numbers": lambda fmt: re.sub(rb">\d+(\.\d+)?<", b">NaN<", _xml(fmt)),
    "1e309 numbers": lambda fmt: re.sub(rb">\d+(\.\d+)?<", b">1e309<", _xml(fmt)),
    "-0 numbers": lambda fmt: re.sub(rb"\b\d+\.\d+\b", b"-0", _xml(fmt)),
    "year 99999": lambda fmt: _xml(fmt).replace(b"2024-05-01", b"99999-05-01"),
    "offset +99:99": lambda fmt: re.sub(rb"[+-]\d\d:\d\d<", b"+99:99<", _xml(fmt)),
    "offset +24:00": lambda fmt: re.sub(rb"[+-]\d\d:\d\d<", b"+24:00<", _xml(fmt)),
    "year 1 with +14:00": lambda fmt: re.sub(rb"2024-05-01T(\d\d:\d\d:\d\d)(\.000)?[^<\"]*",
                                             rb"0001-01-01T\1+14:00", _xml(fmt)),
}


@pytest.mark.parametrize("case", sorted(XML_HOSTILE))
@pytest.mark.parametrize("fmt", ["gpx", "tcx"])
def test_named_hostile_xml(case, fmt):
    data = XML_HOSTILE[case](fmt)
    assert data != _xml(fmt)
    assert _outcome(data, f"hostile.{fmt}") in READ
    assert _outcome(gzip.compress(data), f"hostile.{fmt}.gz") in READ
