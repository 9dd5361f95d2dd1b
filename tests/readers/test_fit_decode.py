"""runload's fast FIT decoder: hand-built byte strings, and fitparse as the oracle on real files."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import fitparse
import numpy as np
import pytest
from fastcrc import crc16

from runload.readers import fit_decode
from tests.conftest import REALDATA

# --- tiny hand-built FIT files ------------------------------------------------


def _fit(body: bytes, *, declared: int | None = None) -> bytes:
    size = len(body) if declared is None else declared
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, size, b".FIT")
    header += struct.pack("<H", crc16.arc(header))
    data = header + body
    return data + struct.pack("<H", crc16.arc(data))


def _definition(local: int, mesg: int, fields: list[tuple[int, int, int]], *,
                big: bool = False) -> bytes:
    endian = ">" if big else "<"
    out = struct.pack(endian + "BBBHB", 0x40 | local, 0, 1 if big else 0, mesg, len(fields))
    for num, size, base in fields:
        out += struct.pack("BBB", num, size, base)
    return out


# record: timestamp (uint32), heart_rate (uint8), distance (uint32, /100)
_RECORD_FIELDS = [(253, 4, 0x86), (3, 1, 0x02), (5, 4, 0x86)]


def _record(local: int, ts: int, hr: int, dist_cm: int, *, big: bool = False) -> bytes:
    return struct.pack((">" if big else "<") + "BIBI", local, ts, hr, dist_cm)


def test_decodes_scaled_values_and_invalids():
    body = (_definition(0, 20, _RECORD_FIELDS)
            + _record(0, 1_000_000_000, 150, 12345)
            + _record(0, 1_000_000_001, 0xFF, 0xFFFFFFFF))
    msgs = fit_decode.decode(_fit(body))
    rec = msgs.messages["record"]
    assert rec["timestamp"].tolist() == [1_000_000_000, 1_000_000_001]
    assert rec["heart_rate"][0] == 150
    assert np.isnan(rec["heart_rate"][1])
    assert rec["distance"][0] == 123.45
    assert np.isnan(rec["distance"][1])
    assert not msgs.is_partial and msgs.problems == []


def test_big_endian_definition():
    body = _definition(0, 20, _RECORD_FIELDS, big=True) + _record(0, 7_000_000_00, 99, 500, big=True)
    rec = fit_decode.decode(_fit(body)).messages["record"]
    assert rec["timestamp"][0] == 700_000_000
    assert rec["heart_rate"][0] == 99
    assert rec["distance"][0] == 5.0


def test_compressed_timestamp_headers_roll_over():
    # A full timestamp of ...+30 (low 5 bits 30), then compressed offsets 31 and 2:
    # 2 < 31 means the 5-bit counter wrapped, so the time is +32 - 31 + 2 = +3 s later.
    base = 1_000_000_000 - (1_000_000_000 % 32) + 30
    hr_only = _definition(1, 20, [(3, 1, 0x02)])
    body = (_definition(0, 20, _RECORD_FIELDS) + _record(0, base, 100, 0) + hr_only
            + bytes([0x80 | (1 << 5) | 31, 101]) + bytes([0x80 | (1 << 5) | 2, 102]))
    rec = fit_decode.decode(_fit(body)).messages["record"]
    assert rec["timestamp"].tolist() == [base, base + 1, base + 4]
    assert rec["heart_rate"].tolist() == [100, 101, 102]


def test_interleaved_definitions_keep_file_order():
    other = _definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)])
    body = (_definition(0, 20, _RECORD_FIELDS) + other
            + _record(0, 1_000_000_000, 100, 100)
            + struct.pack("<BIB", 1, 1_000_000_001, 101)
            + _record(0, 1_000_000_002, 102, 300))
    rec = fit_decode.decode(_fit(body)).messages["record"]
    assert rec["timestamp"].tolist() == [1_000_000_000, 1_000_000_001, 1_000_000_002]
    assert rec["heart_rate"].tolist() == [100, 101, 102]
    assert rec["distance"][1] != rec["distance"][1]  # absent in the second definition -> NaN


def test_chained_files_are_all_read():
    one = _fit(_definition(0, 20, _RECORD_FIELDS) + _record(0, 1_000_000_000, 100, 0))
    two = _fit(_definition(0, 20, _RECORD_FIELDS) + _record(0, 1_000_000_100, 120, 0))
    msgs = fit_decode.decode(one + two)
    assert msgs.n_parts == 2
    assert msgs.messages["record"]["heart_rate"].tolist() == [100, 120]


def test_truncated_file_keeps_intact_messages():
    full = _fit(_definition(0, 20, _RECORD_FIELDS) + _record(0, 1_000_000_000, 100, 0)
                + _record(0, 1_000_000_001, 101, 0))
    msgs = fit_decode.decode(full[:-6])
    assert msgs.is_partial
    assert msgs.messages["record"]["heart_rate"].tolist() == [100]
    assert any("truncated" in p for p in msgs.problems)


def test_undefined_local_message_stops_with_a_reason():
    body = _definition(0, 20, _RECORD_FIELDS) + _record(0, 1_000_000_000, 100, 0) + bytes([0x05, 1])
    msgs = fit_decode.decode(_fit(body))
    assert msgs.is_partial
    assert msgs.messages["record"]["heart_rate"].tolist() == [100]
    assert any("undefined local message 5" in p for p in msgs.problems)


def test_crc_mismatch_is_reported_and_data_kept():
    data = bytearray(_fit(_definition(0, 20, _RECORD_FIELDS) + _record(0, 1_000_000_000, 100, 0)))
    data[-1] ^= 0xFF
    msgs = fit_decode.decode(bytes(data))
    assert msgs.is_partial
    assert msgs.messages["record"]["heart_rate"].tolist() == [100]
    assert any("CRC" in p for p in msgs.problems)


def test_not_fit_raises():
    with pytest.raises(fit_decode.FitHeaderError):
        fit_decode.decode(b"<?xml version='1.0'?><gpx/>")


def test_unknown_base_type_asks_for_fallback():
    body = _definition(0, 20, [(3, 1, 0x1F)]) + bytes([0, 1])
    with pytest.raises(fit_decode.FitDecodeUnsupported):
        fit_decode.decode(_fit(body))


# --- the oracle: fitparse on every real FIT file -------------------------------


def _real_fit_files() -> list[str]:
    if not REALDATA.is_dir():
        return ["<realdata absent>"]
    files = sorted(str(p.relative_to(REALDATA)) for p in (REALDATA / "fit").iterdir())
    files += sorted(str(p.relative_to(REALDATA)) for p in (REALDATA / "history_a").iterdir())
    return files


# Files fitparse refuses; the fast path reads them (partly) and their outcome is
# tested per file in test_fit.py.  Here we check that fitparse really refuses them.
FITPARSE_REFUSES = {
    "fit/fitdecode__activity-settings-corruptheader.fit": "Invalid .FIT File Header",
    "fit/fitdecode__activity-unexpected-eof.fit": "Tried to read",
    "fit/fitparse__coros-pace-2-cycling-misaligned-fields.fit": "Invalid field size",
    "fit/fitparse__nick.fit": "Tried to read",
    "fit/fitparse__strava-android-app-201.10-b1218918.fit": "invalid local message type 11",
    "fit/sportslib__empty-activities.fit": "Invalid .FIT File Header",
    "fit/sportslib__empty-sessions.fit": "Tried to read 12 bytes",
}

# Where fitparse is wrong, the case is named here.
FITPARSE_KNOWN_WRONG = {
    # fitparse expands the invalid compressed_speed_distance into a second
    # 'distance' that is None; runload keeps the native distance (perf.md).
    "fit/fitparse__null_compressed_speed_dist.fit": {"record": {"distance"}},
}


def _fitparse_messages(data: bytes) -> dict[str, list[dict[str, float | None]]]:
    out: dict[str, list[dict[str, float | None]]] = {"record": [], "session": []}
    ff = fitparse.FitFile(data, check_crc=False)
    for message in ff.get_messages(["record", "session"]):
        values: dict[str, float | None] = {}
        for fd in message.fields:
            if getattr(fd.field_def, "dev_data_index", None) is not None:
                continue
            if fd.field is None or isinstance(fd.raw_value, tuple | bytes | str):
                continue
            name = fd.parent_field.name if fd.parent_field is not None else fd.name
            if fd.field.type.name in ("date_time", "local_date_time") or not isinstance(
                    fd.value, int | float):
                value = fd.raw_value
            else:
                value = fd.value
            # first value that is not None wins, as for the fast decoder
            if values.get(name) is None:
                values[name] = value
        out[message.name].append(values)
    return out


@pytest.mark.parametrize("relpath", _real_fit_files())
def test_fast_decoder_matches_fitparse(relpath, realdata: Path):
    data = (realdata / relpath).read_bytes()
    if relpath.endswith(".gz"):
        data = gzip.decompress(data)
    if relpath in FITPARSE_REFUSES:
        with pytest.raises(fitparse.FitParseError, match=FITPARSE_REFUSES[relpath]):
            _fitparse_messages(data)
        return
    expected = _fitparse_messages(data)
    got = fit_decode.decode(data, fields={})  # every field, not only those runload maps
    used = fit_decode.decode(data)
    for mesg in ("record", "session"):
        for name, values in used.messages.get(mesg, {}).items():
            np.testing.assert_array_equal(values, got.messages[mesg][name])
    known = FITPARSE_KNOWN_WRONG.get(relpath, {})
    for mesg in ("record", "session"):
        assert got.count(mesg) == len(expected[mesg]), mesg
        columns = got.messages.get(mesg, {})
        names = {n for row in expected[mesg] for n in row}
        checked = 0
        for name in sorted(names - known.get(mesg, set())):
            want = [row.get(name) for row in expected[mesg]]
            if all(v is None for v in want):
                continue
            assert name in columns, f"{mesg}.{name} missing"
            want_arr = np.array([np.nan if v is None else float(v) for v in want])
            np.testing.assert_allclose(columns[name], want_arr, rtol=1e-9, atol=0,
                                       equal_nan=True, err_msg=f"{mesg}.{name}")
            checked += 1
        if expected[mesg]:
            assert checked > 0
