"""Fuzz inputs for runload's readers: seed files, mutation operators, the invariant.

Shared by the CI fuzz run (``tests/readers/test_fuzz.py``) and the long run
(``benchmarks/fuzz_readers.py``); the tests in this module only check the
inputs themselves (seeds are valid, mutations are deterministic).

A fuzz case is a seed file and a *recipe*: a list of ``(operator, number)``
pairs applied in order, each operator drawing its choices from
``random.Random(number)``.  A case is therefore fully described by a short
text such as ``synthetic/run-compressed.fit + [('fit_def_field_count', 7)]``,
which is how failures are reported and kept as regression tests.

The invariant (:func:`run_case`): reading the bytes with
:func:`runload.read_activity` gives sessions and streams that match the
schema, or raises a :class:`runload.errors.ReadError` subclass that names the
file.  Any other exception escapes to the caller, which counts it as a crash.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import re
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from runload.errors import ReadError
from runload.readers.content import decode_payload, read_activity, session_rows, unwrap
from runload.readers.fit_writer import SyntheticActivity, write_fit, write_other_fit
from runload.schema import sessions_frame, validate_columns

#: A mutation step: an operator name and the seed of its random choices.
Step = tuple[str, int]
#: Bytes an operator that repeats a piece adds at most (about): cases stay fast to read.
MAX_GROWTH = 1_000_000


@dataclass(frozen=True)
class Seed:
    """One valid (or deliberately odd) file that mutations start from."""

    name: str
    fmt: str  # 'fit', 'gpx' or 'tcx'
    data: bytes


# ---------------------------------------------------------------- seeds

def _records(n: int, *, gps: bool = True, rng: np.random.Generator | None = None
             ) -> dict[str, np.ndarray]:
    rng = rng or np.random.default_rng(0)
    elapsed = np.cumsum(rng.integers(1, 4, n)).astype(float)
    records = {"elapsed_s": elapsed, "distance_m": elapsed * 3.0,
               "speed_mps": np.full(n, 3.0), "altitude_m": 100 + rng.normal(0, 2, n),
               "hr_bpm": rng.integers(120, 170, n).astype(float),
               "cadence_spm": np.full(n, 172.0), "power_w": rng.integers(200, 300, n) * 1.0,
               "temperature_c": np.full(n, 21.0)}
    if gps:
        records["lat_deg"] = 47.0 + elapsed * 2e-5
        records["lon_deg"] = 8.0 + elapsed * 1e-5
    return records


def synthetic_seeds() -> list[Seed]:
    """Small seeds made at run time: FIT from the writer, hand-written GPX and TCX."""
    start = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)
    run = SyntheticActivity(start_utc=start, records=_records(40), laps=[(0, 20), (20, 40)])
    treadmill = SyntheticActivity(start_utc=start, sub_sport=1, utc_offset_s=7200,
                                  records=_records(30, gps=False))
    manual = SyntheticActivity(start_utc=start, elapsed_s=1800.0, utc_offset_s=None)
    legs = SyntheticActivity(start_utc=start, legs=[
        SyntheticActivity(start_utc=start, sport=2, records=_records(10)),
        SyntheticActivity(start_utc=start, sport=3, records=_records(3, gps=False)),
        SyntheticActivity(start_utc=start, sport=1, records=_records(10))])
    seeds = [
        Seed("synthetic/run.fit", "fit", write_fit(run)),
        Seed("synthetic/run-compressed.fit", "fit", write_fit(run, compressed_timestamps=True)),
        Seed("synthetic/run-big-endian.fit", "fit", write_fit(run, big_endian=True)),
        Seed("synthetic/run-developer-power.fit", "fit", write_fit(run, developer_power=True)),
        Seed("synthetic/run-plain-speed.fit", "fit", write_fit(treadmill, speed_altitude="plain")),
        Seed("synthetic/manual.fit", "fit", write_fit(manual)),
        Seed("synthetic/multisport.fit", "fit", write_fit(legs, compressed_timestamps=True)),
        Seed("synthetic/chained.fit", "fit", write_fit([treadmill, run])),
        Seed("synthetic/monitoring.fit", "fit", write_other_fit(32, start)),
        Seed("synthetic/run-1.1.gpx", "gpx", _gpx(version="1.1")),
        Seed("synthetic/run-1.0.gpx", "gpx", _gpx(version="1.0")),
        Seed("synthetic/run.tcx", "tcx", _tcx()),
    ]
    return seeds


def _gpx(*, version: str) -> bytes:
    points = []
    for i in range(12):
        ext = (f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{140 + i}</gpxtpx:hr>"
               f"<gpxtpx:cad>86</gpxtpx:cad><gpxtpx:atemp>20.5</gpxtpx:atemp>"
               f"</gpxtpx:TrackPointExtension><power>250</power></extensions>")
        points.append(f'<trkpt lat="{47 + i * 1e-4:.6f}" lon="{8 + i * 1e-4:.6f}">'
                      f"<ele>{400 + i:.1f}</ele><time>2024-05-01T08:{i:02d}:00+02:00</time>"
                      f"{ext if version == '1.1' else ''}</trkpt>")
    half = len(points) // 2
    ns = f"http://www.topografix.com/GPX/{version.replace('.', '/')}"
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<gpx version="{version}" creator="fuzz" xmlns="{ns}" '
            f'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
            f"<metadata><name>Morning Run</name><time>2024-05-01T06:00:00Z</time></metadata>"
            f"<wpt lat=\"47\" lon=\"8\"><name>start</name></wpt>"
            f"<trk><name>Morning Run</name><type>running</type>"
            f"<trkseg>{''.join(points[:half])}</trkseg><trkseg>{''.join(points[half:])}</trkseg>"
            f"</trk><extensions><distance>1234</distance></extensions></gpx>").encode()


def _tcx() -> bytes:
    def trackpoint(i: int) -> str:
        return (f"<Trackpoint><Time>2024-05-01T06:{i:02d}:00.000+01:00</Time>"
                f"<Position><LatitudeDegrees>{47 + i * 1e-4:.6f}</LatitudeDegrees>"
                f"<LongitudeDegrees>{8 + i * 1e-4:.6f}</LongitudeDegrees></Position>"
                f"<AltitudeMeters>{400 + i}</AltitudeMeters><DistanceMeters>{i * 180.0}"
                f"</DistanceMeters><HeartRateBpm><Value>{140 + i}</Value></HeartRateBpm>"
                f"<Extensions><TPX xmlns=\"http://www.garmin.com/xmlschemas/ActivityExtension/v2\">"
                f"<Speed>3.0</Speed><RunCadence>86</RunCadence><Watts>250</Watts></TPX>"
                f"</Extensions></Trackpoint>")

    def lap(first: int) -> str:
        return (f'<Lap StartTime="2024-05-01T06:{first:02d}:00.000+01:00">'
                f"<TotalTimeSeconds>300</TotalTimeSeconds><DistanceMeters>900</DistanceMeters>"
                f"<MaximumSpeed>3.5</MaximumSpeed><Calories>60</Calories>"
                f"<AverageHeartRateBpm><Value>145</Value></AverageHeartRateBpm>"
                f"<MaximumHeartRateBpm><Value>160</Value></MaximumHeartRateBpm>"
                f"<Track>{''.join(trackpoint(i) for i in range(first, first + 5))}</Track>"
                f"<Extensions><LX xmlns=\"http://www.garmin.com/xmlschemas/ActivityExtension/v2\">"
                f"<AvgRunCadence>86</AvgRunCadence><AvgWatts>250</AvgWatts></LX></Extensions>"
                f"</Lap>")

    return ('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
            'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
            '<Activities><Activity Sport="Running"><Id>2024-05-01T06:00:00.000+01:00</Id>'
            f"{lap(0)}{lap(5)}<Creator><Name>Forerunner</Name></Creator></Activity>"
            "</Activities></TrainingCenterDatabase>").encode()


#: Real files used as seeds: small ones, of as many makers and oddities as possible.
REALDATA_SEEDS: tuple[str, ...] = (
    "fit/fitparse__2013-02-06-12-11-14.fit",           # Garmin FR110
    "fit/fitparse__compressed-speed-distance.fit",     # FR70, compressed speed/distance
    "fit/fitparse__garmin-fenix-5-walk.fit",
    "fit/fitparse__garmin-edge-820-bike.fit",
    "fit/fitdecode__elemnt-bolt-no-application-id-inside-developer-data-id.fit",  # Wahoo
    "fit/tormoder__unterminated-strings.fit",          # Wahoo, odd strings
    "fit/rpdata__Garmin_Fenix_6S_Pro-Running.fit",
    "fit/fitdecode__activity-settings-corruptheader.fit",  # chained, 2nd header corrupt
    "fit/fitparse__MonitoringFile.fit",
    "gpx/runalyze__garmin-ns3-extension.gpx",          # Garmin Connect, ns3 prefix
    "gpx/runalyze__hr-not-always-there.gpx",           # sportractive
    "gpx/gpxpy__route.gpx",
    "gpx/gc__MetadataOnly.gpx",                        # Strava, no track
    "gpx/runalyze__Route-only.gpx",
    "tcx/runalyze__Runtastic.tcx",
    "tcx/runalyze__missing-distances.tcx",             # Forerunner 310XT
    "tcx/runalyze__Route-only.tcx",                    # a course
)


def realdata_seeds(realdata: Path) -> list[Seed]:
    """The :data:`REALDATA_SEEDS` files of ``realdata`` as seeds."""
    return [Seed(rel, rel.split("/")[0], (realdata / rel).read_bytes())
            for rel in REALDATA_SEEDS]


# ------------------------------------------------------ generic operators

_INTERESTING = (b"\x00", b"\xff", b"\x7f", b"\x80", b"\x00\x00\x00\x00", b"\xff\xff\xff\xff",
                b"\xff\xff\xff\x7f", b"\x00\x00\x00\x80", b"\x0e", b"\x0c", b"\x40", b"\x20")


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(len(data) + 1)]


def _flip_bits(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def _insert_bytes(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data) + 1)
    chunk = (rng.choice(_INTERESTING) if rng.random() < 0.5
             else rng.randbytes(rng.randint(1, 16)))
    return data[:i] + chunk + data[i:]


def _delete_bytes(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    return data[:i] + data[i + rng.randint(1, 64):]


def _overwrite(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    chunk = rng.choice(_INTERESTING)
    i = rng.randrange(len(data))
    return data[:i] + chunk + data[i + len(chunk):]


def _duplicate_chunk(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    i = rng.randrange(len(data))
    j = min(len(data), i + rng.randint(1, 512))
    k = rng.randrange(len(data) + 1)
    return data[:k] + data[i:j] * rng.randint(1, 4) + data[k:]


def _gzip(data: bytes, rng: random.Random) -> bytes:
    return gzip.compress(data, compresslevel=rng.choice((1, 6, 9)), mtime=0)


def _gzip_truncated(data: bytes, rng: random.Random) -> bytes:
    packed = gzip.compress(data, mtime=0)
    return packed[:rng.randrange(2, len(packed))]


def _gzip_damaged(data: bytes, rng: random.Random) -> bytes:
    packed = bytearray(gzip.compress(data, mtime=0))
    i = rng.randrange(10, len(packed))
    packed[i] ^= 1 << rng.randrange(8)
    return bytes(packed)


def _gzip_twice(data: bytes, rng: random.Random) -> bytes:
    layers = rng.randint(2, 3)
    for _ in range(layers):
        data = gzip.compress(data, compresslevel=1, mtime=0)
    return data


def _gzip_trailing(data: bytes, rng: random.Random) -> bytes:
    """A valid gzip member followed by garbage or a second member."""
    packed = gzip.compress(data, mtime=0)
    tail = gzip.compress(data[:100], mtime=0) if rng.random() < 0.5 else rng.randbytes(20)
    return packed + tail


GENERIC: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": _truncate, "flip_bits": _flip_bits, "insert_bytes": _insert_bytes,
    "delete_bytes": _delete_bytes, "overwrite": _overwrite, "duplicate_chunk": _duplicate_chunk,
}
GZIP: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "gzip": _gzip, "gzip_truncated": _gzip_truncated, "gzip_damaged": _gzip_damaged,
    "gzip_twice": _gzip_twice, "gzip_trailing": _gzip_trailing,
}


# ---------------------------------------------------------- FIT operators

@dataclass(frozen=True)
class _Msg:
    kind: str       # 'header', 'definition', 'data', 'compressed', 'crc'
    start: int
    end: int


def fit_layout(data: bytes) -> list[_Msg]:
    """The header, messages and CRC of a FIT file, as far as they can be walked.

    A plain walker written for the fuzzer (not runload's decoder): it stops
    at the first thing it cannot size.
    """
    out: list[_Msg] = []
    pos = 0
    while pos + 12 <= len(data) and data[pos] in (12, 14) and data[pos + 8:pos + 12] == b".FIT":
        hsize = data[pos]
        out.append(_Msg("header", pos, pos + hsize))
        end = min(len(data), pos + hsize + int.from_bytes(data[pos + 4:pos + 8], "little"))
        p = pos + hsize
        sizes: dict[int, int] = {}
        while p < end:
            h = data[p]
            if h & 0x80:
                size = sizes.get((h >> 5) & 3)
                if size is None:
                    return out
                out.append(_Msg("compressed", p, p + 1 + size))
                p += 1 + size
            elif h & 0x40:
                if p + 6 > end:
                    return out
                n = data[p + 5]
                q = p + 6 + 3 * n
                size = sum(data[p + 7:q:3])
                if h & 0x20 and q < end:
                    nd = data[q]
                    size += sum(data[q + 2:q + 1 + 3 * nd:3])
                    q += 1 + 3 * nd
                sizes[h & 0x0F] = size
                out.append(_Msg("definition", p, q))
                p = q
            else:
                size = sizes.get(h & 0x0F)
                if size is None:
                    return out
                out.append(_Msg("data", p, p + 1 + size))
                p += 1 + size
        if end + 2 > len(data):
            return out
        out.append(_Msg("crc", end, end + 2))
        pos = end + 2
    return out


def _pick(data: bytes, rng: random.Random, *kinds: str) -> _Msg | None:
    found = [m for m in fit_layout(data) if m.kind in kinds]
    return rng.choice(found) if found else None


def _set(data: bytes, i: int, value: bytes) -> bytes:
    if i < 0 or i >= len(data):
        return data
    return data[:i] + value + data[i + len(value):]


def _fit_truncate_boundary(data: bytes, rng: random.Random) -> bytes:
    """Cut at (or one byte around) a message boundary."""
    layout = fit_layout(data)
    if not layout:
        return _truncate(data, rng)
    m = rng.choice(layout)
    cut = rng.choice((m.start, m.end)) + rng.choice((-1, 0, 0, 1))
    return data[:max(0, cut)]


def _fit_header_size(data: bytes, rng: random.Random) -> bytes:
    """The header's data_size: 0, huge, one off, or random."""
    declared = int.from_bytes(data[4:8], "little") if len(data) >= 8 else 0
    value = rng.choice((0, 0xFFFFFFFF, 0x7FFFFFFF, declared + 1, max(declared - 1, 0),
                        declared * 2, rng.getrandbits(32)))
    return _set(data, 4, struct.pack("<I", value & 0xFFFFFFFF))


def _fit_header_garbage(data: bytes, rng: random.Random) -> bytes:
    """Header size byte, protocol, profile version or header CRC replaced."""
    i = rng.choice((0, 1, 2, 3, 12, 13))
    value = rng.choice((0, 1, 11, 12, 13, 14, 15, 255, rng.randrange(256)))
    return _set(data, i, bytes([value]))


def _fit_def_field_size(data: bytes, rng: random.Random) -> bytes:
    """A field of a definition gets size 0, 1, 255 or random."""
    m = _pick(data, rng, "definition")
    if m is None or data[m.start + 5] == 0:
        return data
    f = rng.randrange(data[m.start + 5])
    return _set(data, m.start + 6 + 3 * f + 1, bytes([rng.choice((0, 1, 255, rng.randrange(256)))]))


def _fit_def_field_count(data: bytes, rng: random.Random) -> bytes:
    """A definition's field count becomes 0, 255 or random."""
    m = _pick(data, rng, "definition")
    if m is None:
        return data
    return _set(data, m.start + 5, bytes([rng.choice((0, 255, rng.randrange(256)))]))


def _fit_def_architecture(data: bytes, rng: random.Random) -> bytes:
    """A definition's architecture byte becomes big-endian or garbage."""
    m = _pick(data, rng, "definition")
    if m is None:
        return data
    return _set(data, m.start + 2, bytes([rng.choice((1, 2, 0x80, 255, rng.randrange(256)))]))


def _fit_def_base_type(data: bytes, rng: random.Random) -> bytes:
    """A field's base type becomes another type, an unknown one or garbage."""
    m = _pick(data, rng, "definition")
    if m is None or data[m.start + 5] == 0:
        return data
    f = rng.randrange(data[m.start + 5])
    value = rng.choice((0x00, 0x07, 0x0D, 0x84, 0x88, 0x89, 0x8E, 0x11, 0x1F, 0xFF,
                        rng.randrange(256)))
    return _set(data, m.start + 6 + 3 * f + 2, bytes([value]))


def _fit_def_field_number(data: bytes, rng: random.Random) -> bytes:
    """A field's number becomes another (duplicates, timestamp 253, unknown)."""
    m = _pick(data, rng, "definition")
    if m is None or data[m.start + 5] == 0:
        return data
    f = rng.randrange(data[m.start + 5])
    value = rng.choice((0, 1, 2, 3, 4, 5, 6, 7, 253, 254, rng.randrange(256)))
    return _set(data, m.start + 6 + 3 * f, bytes([value]))


def _fit_def_global(data: bytes, rng: random.Random) -> bytes:
    """A definition's global message number becomes another wanted or unknown message."""
    m = _pick(data, rng, "definition")
    if m is None:
        return data
    num = rng.choice((0, 12, 18, 19, 20, 21, 34, 206, 207, 0xFFFF, rng.getrandbits(16)))
    big = data[m.start + 2] == 1
    return _set(data, m.start + 3, num.to_bytes(2, "big" if big else "little"))


def _fit_def_developer(data: bytes, rng: random.Random) -> bytes:
    """Toggle the developer-data flag of a definition, or break its developer fields."""
    m = _pick(data, rng, "definition")
    if m is None:
        return data
    h = data[m.start]
    if not h & 0x20 or rng.random() < 0.3:
        return _set(data, m.start, bytes([h ^ 0x20]))
    q = m.start + 6 + 3 * data[m.start + 5]
    if q >= len(data):
        return data
    n_dev = data[q]
    if n_dev and rng.random() < 0.7:
        # a developer field referencing an undefined developer index or field number
        f = rng.randrange(n_dev)
        offset = rng.choice((0, 2, 1))
        return _set(data, q + 1 + 3 * f + offset, bytes([rng.choice((5, 255, rng.randrange(256)))]))
    return _set(data, q, bytes([rng.choice((0, 255, rng.randrange(256)))]))


def _fit_compressed_header(data: bytes, rng: random.Random) -> bytes:
    """A data message header becomes a compressed-timestamp header (often before any timestamp)."""
    layout = [m for m in fit_layout(data) if m.kind == "data"]
    if not layout:
        return data
    m = layout[0] if rng.random() < 0.5 else rng.choice(layout)
    local = data[m.start] & 0x0F
    header = 0x80 | ((local if rng.random() < 0.7 else rng.randrange(4)) & 3) << 5 | rng.randrange(32)
    return _set(data, m.start, bytes([header]))


def _fit_record_header(data: bytes, rng: random.Random) -> bytes:
    """A message header byte becomes another local type or a random byte."""
    m = _pick(data, rng, "data", "definition", "compressed")
    if m is None:
        return data
    value = rng.choice((data[m.start] ^ 0x0F, data[m.start] | 0x10, rng.randrange(256)))
    return _set(data, m.start, bytes([value]))


def _fit_data_values(data: bytes, rng: random.Random) -> bytes:
    """A data message's content becomes all-invalid, all-zero or random."""
    m = _pick(data, rng, "data", "compressed")
    if m is None:
        return data
    n = m.end - m.start - 1
    fill = rng.choice((b"\xff" * n, b"\x00" * n, rng.randbytes(n)))
    return _set(data, m.start + 1, fill)


def _fit_repeat_message(data: bytes, rng: random.Random) -> bytes:
    """Repeat one message many times (many sessions, many definitions)."""
    m = _pick(data, rng, "data", "definition")
    if m is None:
        return data
    message = data[m.start:m.end]
    copies = message * min(rng.choice((2, 50, 1000)), MAX_GROWTH // max(len(message), 1))
    return data[:m.end] + copies + data[m.end:]


FIT: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "fit_truncate_boundary": _fit_truncate_boundary, "fit_header_size": _fit_header_size,
    "fit_header_garbage": _fit_header_garbage, "fit_def_field_size": _fit_def_field_size,
    "fit_def_field_count": _fit_def_field_count,
    "fit_def_architecture": _fit_def_architecture, "fit_def_base_type": _fit_def_base_type,
    "fit_def_field_number": _fit_def_field_number, "fit_def_global": _fit_def_global,
    "fit_def_developer": _fit_def_developer, "fit_compressed_header": _fit_compressed_header,
    "fit_record_header": _fit_record_header, "fit_data_values": _fit_data_values,
    "fit_repeat_message": _fit_repeat_message,
}


# ---------------------------------------------------------- XML operators

_TAG = re.compile(rb"<[^<>]*>")
_CLOSE = re.compile(rb"</[^<>]*>")
_OPEN = re.compile(rb"<[A-Za-z][^<>]*>")
_ATTR_VALUE = re.compile(rb'="[^"]*"')
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_TIME = re.compile(rb"\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d)?")
_ELEMENT = re.compile(rb"<(trkpt|Trackpoint|trk|Lap|Activity|trkseg|Track)\b.*?</\1>", re.S)

NUMBERS = (b"NaN", b"nan", b"inf", b"-inf", b"Infinity", b"1e309", b"-1e309", b"-0", b"0",
           b"1e-400", b"", b"0x1F", b"1_000", b" 12 ", b"9" * 400, b"\xef\xbc\x91\xef\xbc\x92",
           b"1e308", b"-1e308", b"4294967296", b"-2147483649", b"180.0000001", b"-90.5",
           b"12,5", b"+-1")
TIMES = (b"99999-01-01T00:00:00Z", b"0000-00-00T00:00:00Z", b"2024-05-01T06:00:00+99:99",
         b"2024-05-01T06:00:00+24:00", b"2024-05-01T06:00:00-23:59:59.999999",
         b"2024-02-30T00:00:00Z", b"1970-01-01T00:00:00Z", b"9999-12-31T23:59:59.999999-23:59",
         b"0001-01-01T00:00:00+14:00", b"2024-05-01T06:00:00.123456789Z", b"2024-05-01",
         b"T", b"Z", b"2024-05-01T25:00:00Z", b"+002024-05-01T00:00:00Z",
         b"2024-05-01T06:00:00+02:00:00.5", b"2024-W18-3T06:00", b"1989-12-31T23:59:59Z",
         b"2099-12-31T23:59:59-14:00", b"0001-01-01T00:00:00Z", b"9999-12-31T23:59:59Z")
_INVALID_UTF8 = (b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80",
                 b"\xc0\xaf", b"\xe2\x82", b"\x00", b"\x00\x00\x00", b"\x1b", b"\x0c")


def _span(pattern: re.Pattern[bytes], data: bytes, rng: random.Random) -> tuple[int, int] | None:
    """A match of ``pattern``: the first after a random position (else the first of all)."""
    match = pattern.search(data, rng.randrange(len(data) + 1)) or pattern.search(data)
    return None if match is None else match.span()


def _some_spans(pattern: re.Pattern[bytes], data: bytes, rng: random.Random,
                most: int) -> list[tuple[int, int]]:
    """Up to ``most`` distinct matches, last first (so that replacing them keeps offsets)."""
    found = {_span(pattern, data, rng) for _ in range(rng.randint(1, most))}
    return sorted((span for span in found if span is not None), reverse=True)


def _xml_truncate_tag(data: bytes, rng: random.Random) -> bytes:
    span = _span(_TAG, data, rng)
    if span is None:
        return _truncate(data, rng)
    start, end = span
    return data[:rng.choice((start, end, rng.randint(start, end)))]


def _xml_drop_tag(data: bytes, rng: random.Random) -> bytes:
    """Remove an opening or a closing tag (an unclosed or an unopened element)."""
    span = _span(_CLOSE if rng.random() < 0.5 else _OPEN, data, rng)
    if span is None:
        return data
    start, end = span
    return data[:start] + data[end:]


def _xml_deep_nesting(data: bytes, rng: random.Random) -> bytes:
    """Nest elements up to 100,000 levels deep somewhere in the document."""
    span = _span(_TAG, data, rng)
    at = span[1] if span else 0
    name = rng.choice((b"a", b"a", b"extensions", b"trkseg", b"Track", b"Trackpoint", b"x:y"))
    # 100,000 levels of a one-letter element; fewer of longer names (inputs stay ~1 MB)
    depth = min(rng.choice((100, 1000, 10_000, 100_000)), MAX_GROWTH // (2 * len(name) + 5))
    closed = rng.random() < 0.7
    nest = b"<" + name + b">"
    body = nest * depth + (b"</" + name + b">") * depth if closed else nest * depth
    return data[:at] + body + data[at:]


def _xml_huge_attribute(data: bytes, rng: random.Random) -> bytes:
    span = _span(_ATTR_VALUE, data, rng)
    if span is None:
        return data
    start, end = span
    unit = rng.choice((b"A", b"9", b"&amp;", b"1."))
    value = unit * (rng.choice((1000, 100_000, MAX_GROWTH)) // len(unit))
    return data[:start] + b'="' + value + b'"' + data[end:]


def _xml_huge_text(data: bytes, rng: random.Random) -> bytes:
    span = _span(_CLOSE, data, rng)
    if span is None:
        return data
    start, _ = span
    unit = rng.choice((b"x", b"9", b" ", b"&lt;", b" xmlns"))
    value = unit * (rng.choice((1000, MAX_GROWTH)) // len(unit))
    return data[:start] + value + data[start:]


def _xml_invalid_bytes(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.choice(_INVALID_UTF8) + data[i:]


def _xml_number(data: bytes, rng: random.Random) -> bytes:
    out = data
    for start, end in _some_spans(_NUMBER, data, rng, 5):
        out = out[:start] + rng.choice(NUMBERS) + out[end:]
    return out


def _xml_time(data: bytes, rng: random.Random) -> bytes:
    out = data
    for start, end in _some_spans(_TIME, data, rng, 4):
        out = out[:start] + rng.choice(TIMES) + out[end:]
    return out


def _xml_references(data: bytes, rng: random.Random) -> bytes:
    """Entity and character references: undefined, invalid characters, predefined."""
    span = _span(_CLOSE, data, rng)
    at = span[0] if span else 0
    ref = rng.choice((b"&foo;", b"&#0;", b"&#x110000;", b"&#xD800;", b"&#65;", b"&amp;",
                      b"&", b"&lt", b"&#99999999999999999999;", b"]]>"))
    return data[:at] + ref + data[at:]


def _xml_markup(data: bytes, rng: random.Random) -> bytes:
    """Comments, CDATA, processing instructions, a DOCTYPE (refused) in odd places."""
    span = _span(_TAG, data, rng)
    at = span[rng.randrange(2)] if span else 0
    piece = rng.choice((b"<!-- c -->", b"<![CDATA[<trkpt lat='1' lon='2'/>]]>", b"<?pi x?>",
                        b"<!-- unterminated", b"<![CDATA[", b"<?xml version='1.0'?>",
                        b'<!DOCTYPE gpx [<!ENTITY e "x">]>', b"<x:y>1</x:y>",
                        b'<a xmlns:x="urn:x" x:b="1" x:b="2"/>', b"<trkpt/>",
                        b'<trkpt lat="1" lon="2"><time>2024-05-01T06:00:00Z</time></trkpt>'))
    return data[:at] + piece + data[at:]


def _xml_repeat_element(data: bytes, rng: random.Random) -> bytes:
    """Repeat a track point, track, lap or activity many times."""
    span = _span(_ELEMENT, data, rng)
    if span is None:
        return data
    start, end = span
    copies = min(rng.choice((2, 100, 2000)), max(2, MAX_GROWTH // (end - start)))
    return data[:end] + data[start:end] * copies + data[end:]


def _xml_namespace(data: bytes, rng: random.Random) -> bytes:
    """Default namespace removed or changed; the root renamed."""
    choice = rng.randrange(3)
    if choice == 0:
        return re.sub(rb'\sxmlns="[^"]*"', b"", data, count=1)
    if choice == 1:
        return re.sub(rb'\sxmlns="[^"]*"', b' xmlns="urn:other"', data, count=1)
    return re.sub(rb"<(gpx|TrainingCenterDatabase)\b", rb"<\1x", data, count=1)


def _xml_encoding(data: bytes, rng: random.Random) -> bytes:
    """Another declared encoding, a UTF-16 re-encoding or a BOM."""
    choice = rng.randrange(4)
    if choice == 0:
        return re.sub(rb'encoding="[^"]*"', b'encoding="' + rng.choice(
            (b"ISO-8859-1", b"UTF-16", b"ascii", b"cp037", b"UTF-7", b"bogus")) + b'"', data,
                      count=1)
    if choice == 1:
        try:
            return data.decode("utf-8").encode(rng.choice(("utf-16", "utf-16-le", "utf-32")))
        except UnicodeDecodeError:
            return data
    if choice == 2:
        return b"\xef\xbb\xbf" * rng.randint(1, 3) + data
    return b"\xff\xfe" + data


XML: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "xml_truncate_tag": _xml_truncate_tag, "xml_drop_tag": _xml_drop_tag,
    "xml_deep_nesting": _xml_deep_nesting, "xml_huge_attribute": _xml_huge_attribute,
    "xml_huge_text": _xml_huge_text, "xml_invalid_bytes": _xml_invalid_bytes,
    "xml_number": _xml_number, "xml_time": _xml_time, "xml_references": _xml_references,
    "xml_markup": _xml_markup, "xml_repeat_element": _xml_repeat_element,
    "xml_namespace": _xml_namespace, "xml_encoding": _xml_encoding,
}

_ALL = {**GENERIC, **GZIP, **FIT, **XML}


def operators(fmt: str) -> list[str]:
    """Operator names that make sense for a seed of format ``fmt``.

    Format-specific operators are listed twice, so they are drawn more often
    than the generic byte-level ones.
    """
    specific = list(FIT) if fmt == "fit" else list(XML)
    return sorted(GENERIC) + sorted(specific) * 2


def mutate(data: bytes, recipe: Sequence[Step]) -> bytes:
    """Apply a recipe; gzip operators are applied last, as they wrap the result.

    Every step must be deterministic for a given (data, number).
    """
    wrap = [step for step in recipe if step[0] in GZIP]
    for name, number in [step for step in recipe if step[0] not in GZIP] + wrap[:1]:
        data = _ALL[name](data, random.Random(number))
    return data


def describe(seed: Seed, recipe: Sequence[Step]) -> str:
    """A one-line description of a case, enough to reproduce it."""
    return f"{seed.name} + {list(recipe)!r}"


# ------------------------------------------------------------ the invariant

def read_case(data: bytes, name: str) -> tuple[str, list[dict]]:
    """Read one input as the importer does: (outcome, session rows).

    ``unwrap``, ``decode_payload`` and ``session_rows``: the steps of
    :func:`runload.read_activity` before its sessions table, which
    :func:`check_rows` builds for many cases at once (a sessions table costs
    about 10 ms, more than most cases).  Each stream is checked here.

    Returns
    -------
    (str, list of dict)
        'data' and the session rows, or the ReadError subclass's name and [].

    Raises
    ------
    AssertionError
        A ReadError that does not name the file; a stream off the schema.
    Exception
        Anything else the reader raised: a crash.
    """
    try:
        fmt, content = unwrap(data, name)
        parsed = decode_payload(fmt, content, name)
    except ReadError as exc:
        assert exc.path == name and name in str(exc), f"ReadError does not name the file: {exc}"
        assert exc.reason, "ReadError without a reason"
        return type(exc).__name__, []
    rows = session_rows(parsed, fmt, hashlib.sha256(content).hexdigest(), name, "")
    assert len(rows) == len(parsed.streams) >= 1
    for stream in parsed.streams:
        validate_columns(stream, "streams")
    return "data", rows


def check_rows(cases: Sequence[tuple[str, list[dict]]], *, batch: int = 500) -> list[str]:
    """Build and validate the sessions tables of many cases; the cases that fail.

    Rows are joined in tables of about ``batch`` rows; a table that fails is
    built again case by case, to name the culprit.

    Returns
    -------
    list of str
        ``'<case>: <error>'`` for every case whose rows do not make a valid
        sessions table; empty when all do.
    """
    failures: list[str] = []
    pending: list[tuple[str, list[dict]]] = []

    def flush() -> None:
        if not pending:
            return
        try:
            validate_columns(sessions_frame([r for _, rows in pending for r in rows]), "sessions")
        except (ValueError, TypeError):
            for label, rows in pending:
                try:
                    validate_columns(sessions_frame(rows), "sessions")
                except (ValueError, TypeError) as exc:
                    failures.append(f"{label}: {type(exc).__name__}: {exc}")
        pending.clear()

    n_rows = 0
    for label, rows in cases:
        pending.append((label, rows))
        n_rows += len(rows)
        if n_rows >= batch:
            flush()
            n_rows = 0
    flush()
    return failures


def run_case(data: bytes, name: str) -> str:
    """Read one input; return 'data' or the name of the ReadError subclass raised.

    Raises
    ------
    AssertionError
        When data comes back that does not match the schema, or a ReadError
        does not name the file.
    Exception
        Anything else the reader raised: a crash.
    """
    try:
        activity = read_activity(data, name=name)
    except ReadError as exc:
        assert exc.path == name and name in str(exc), f"ReadError does not name the file: {exc}"
        assert exc.reason, "ReadError without a reason"
        return type(exc).__name__
    validate_columns(activity.sessions, "sessions")
    assert len(activity.sessions) == len(activity.streams) >= 1
    for stream in activity.streams:
        validate_columns(stream, "streams")
    return "data"


def random_recipe(rng: random.Random, fmt: str, *, max_steps: int = 3) -> list[Step]:
    """A random recipe for a seed of format ``fmt`` (the long run draws its cases here)."""
    names = operators(fmt)
    recipe = [(rng.choice(names), rng.getrandbits(32)) for _ in range(rng.randint(1, max_steps))]
    if rng.random() < 0.1:
        recipe.append((rng.choice(sorted(GZIP)), rng.getrandbits(32)))
    return recipe


# ------------------------------------------------------------------ tests

def test_synthetic_seeds_are_read():
    outcomes = {seed.name: run_case(seed.data, seed.name) for seed in synthetic_seeds()}
    assert outcomes == {name: ("NotAnActivityError" if "monitoring" in name else "data")
                        for name in outcomes}


def test_realdata_seeds_exist(realdata):
    seeds = realdata_seeds(realdata)
    assert {s.fmt for s in seeds} == {"fit", "gpx", "tcx"}
    assert all(len(s.data) < 64 * 1024 for s in seeds)


def test_fit_layout_walks_a_whole_file():
    data = synthetic_seeds()[0].data
    layout = fit_layout(data)
    assert layout[0].kind == "header" and layout[-1].kind == "crc"
    assert layout[-1].end == len(data)
    assert all(a.end == b.start for a, b in zip(layout, layout[1:], strict=False))


@pytest.mark.parametrize("name", sorted(_ALL))
def test_mutations_are_deterministic(name):
    seed = synthetic_seeds()[0 if name.startswith(("fit", "gzip")) else -1]
    first = mutate(seed.data, [(name, 12345)])
    assert first == mutate(seed.data, [(name, 12345)])


def test_read_case_agrees_with_read_activity():
    for seed in synthetic_seeds():
        outcome, rows = read_case(seed.data, seed.name)
        assert outcome == run_case(seed.data, seed.name)
        if rows:
            expected = read_activity(seed.data, name=seed.name).sessions
            assert sessions_frame(rows).equals(expected)


def test_check_rows_names_the_bad_case():
    good = read_case(synthetic_seeds()[0].data, "good")[1]
    bad = [dict(good[0], not_a_column=1)]
    assert check_rows([("a", good), ("b", bad), ("c", good)], batch=1) == [
        "b: ValueError: " + _error(bad)]
    assert check_rows([("a", good)]) == []


def _error(rows: list[dict]) -> str:
    try:
        sessions_frame(rows)
    except ValueError as exc:
        return str(exc)
    return ""


def test_gzip_steps_wrap_last():
    seed = synthetic_seeds()[-1]
    data = mutate(seed.data, [("gzip", 1), ("xml_number", 2)])
    assert zlib.decompress(data, wbits=31) == mutate(seed.data, [("xml_number", 2)])
