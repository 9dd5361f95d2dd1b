"""Tests of the synthetic FIT writer, with fitparse and fitdecode as independent oracles.

Every option's output is decoded by fitparse and fitdecode and compared, in SI
units and within each field's resolution, with what was written.  Hypothesis
round-trips random activities through fitparse and through runload's own FIT
reader.
"""

from __future__ import annotations

import io
import math
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import fitdecode
import fitparse
import numpy as np
import pandas as pd
import pytest
from fitparse.profile import FIELD_TYPES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runload.readers.fit_writer import (
    FIT_EPOCH,
    RECORD_KEYS,
    SEMICIRCLES_PER_DEG,
    STRYD_APPLICATION_ID,
    SyntheticActivity,
    fit_crc,
    write_fit,
)

START = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)
#: Largest read-back error per record key: half the field's resolution, plus float slack.
TOLERANCE = {
    "lat_deg": 0.5 / SEMICIRCLES_PER_DEG + 1e-12, "lon_deg": 0.5 / SEMICIRCLES_PER_DEG + 1e-12,
    "distance_m": 0.005 + 1e-9, "speed_mps": 0.0005 + 1e-9, "altitude_m": 0.1 + 1e-9,
    "hr_bpm": 0.5, "cadence_spm": 2 * 0.5 / 128 + 1e-9, "power_w": 0.5, "temperature_c": 0.5,
}
#: Value ranges the property tests draw from; each fits every field variant.
RANGES = {
    "lat_deg": (-90.0, 90.0), "lon_deg": (-179.99, 179.99), "speed_mps": (0.0, 65.0),
    "altitude_m": (-500.0, 12000.0), "hr_bpm": (0.0, 254.0), "cadence_spm": (0.0, 509.0),
    "power_w": (0.0, 3000.0), "temperature_c": (-40.0, 60.0),
}
SPORT_NAMES = FIELD_TYPES["sport"].values
SUB_SPORT_NAMES = FIELD_TYPES["sub_sport"].values
OPTIONS = {
    "plain": {},
    "compressed": {"compressed_timestamps": True},
    "big_endian": {"big_endian": True},
    "big_endian_records": {"big_endian": {"record"}},
    "developer_power": {"developer_power": True},
    "plain_speed_altitude": {"speed_altitude": "plain"},
    "both_speed_altitude": {"speed_altitude": "both"},
    "everything": {"compressed_timestamps": True, "big_endian": {"record", "session"},
                   "developer_power": True, "speed_altitude": "both"},
}


# ---------------------------------------------------------------- helpers


def _records(n: int, seed: int = 0, gaps: Any = None) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    gaps = rng.choice([1.0, 1.0, 2.0, 5.0, 40.0], size=n) if gaps is None else gaps
    records = {
        "elapsed_s": np.concatenate([[0.0], np.cumsum(gaps[1:])])[:n],
        "lat_deg": 50.1 + np.cumsum(rng.normal(0, 1e-4, n)),
        "lon_deg": 8.6 + np.cumsum(rng.normal(0, 1e-4, n)),
        "distance_m": np.cumsum(rng.uniform(0, 5, n)),
        "speed_mps": rng.uniform(2, 5, n),
        "altitude_m": rng.uniform(90, 130, n),
        "hr_bpm": rng.uniform(100, 180, n).round(),
        "cadence_spm": rng.uniform(150, 190, n),
        "power_w": rng.uniform(150, 350, n).round(),
        "temperature_c": rng.uniform(10, 25, n).round(),
    }
    for key, array in records.items():
        if key != "elapsed_s":
            array[rng.random(n) < 0.1] = np.nan
    if n:
        records["lat_deg"][np.isnan(records["lon_deg"])] = np.nan
        records["lon_deg"][np.isnan(records["lat_deg"])] = np.nan
    return records


def _aware(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _fitparse_messages(data: bytes) -> list[tuple[str, dict[str, Any]]]:
    fit = fitparse.FitFile(io.BytesIO(data), check_crc=True)
    return [(m.name, {f.name: _aware(f.value) for f in m.fields}) for m in fit.get_messages()]


def _fitdecode_messages(data: bytes) -> list[tuple[str, dict[str, Any]]]:
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        return [(frame.name, {f.name: _aware(f.value) for f in frame.fields})
                for frame in reader if frame.frame_type == fitdecode.FIT_FRAME_DATA]


def _split_files(messages: list[tuple[str, dict[str, Any]]]) -> list[dict[str, list[dict]]]:
    files: list[dict[str, list[dict]]] = []
    for name, values in messages:
        if name == "file_id":
            files.append({})
        files[-1].setdefault(name, []).append(values)
    return files


def _column(rows: list[dict], *names: str) -> np.ndarray:
    """First non-None of ``names`` per row, as float; NaN when none."""
    out = np.full(len(rows), np.nan)
    for i, row in enumerate(rows):
        for name in names:
            if row.get(name) is not None:
                out[i] = float(row[name])
                break
    return out


def _record_si(rows: list[dict]) -> dict[str, Any]:
    """Decoded record messages -> runload names and SI units."""
    return {
        "time": [row.get("timestamp") for row in rows],
        "lat_deg": _column(rows, "position_lat") / SEMICIRCLES_PER_DEG,
        "lon_deg": _column(rows, "position_long") / SEMICIRCLES_PER_DEG,
        "distance_m": _column(rows, "distance"),
        "speed_mps": _column(rows, "enhanced_speed", "speed"),
        "altitude_m": _column(rows, "enhanced_altitude", "altitude"),
        "hr_bpm": _column(rows, "heart_rate"),
        "cadence_spm": 2 * (_column(rows, "cadence")
                            + np.nan_to_num(_column(rows, "fractional_cadence"))),
        "power_w": _column(rows, "power", "Power"),
        "temperature_c": _column(rows, "temperature"),
    }


def _fit_time(start_utc: datetime, elapsed_s: Any) -> list[datetime]:
    start = round((start_utc - FIT_EPOCH).total_seconds())
    return [FIT_EPOCH + timedelta(seconds=int(t)) for t in np.rint(start + np.atleast_1d(elapsed_s))]


def _nan_stat(function: Any, values: np.ndarray) -> float:
    finite = values[~np.isnan(values)]
    return float(function(finite)) if finite.size else math.nan


def _assert_records(leg: SyntheticActivity, got: dict[str, Any]) -> None:
    n = leg.n_records
    assert len(got["time"]) == n
    if not n:
        return
    assert got["time"] == _fit_time(leg.start_utc, leg.records["elapsed_s"])
    for key in RECORD_KEYS[1:]:
        expected = leg.records.get(key, np.full(n, np.nan))
        valid = ~np.isnan(expected)
        np.testing.assert_array_equal(~np.isnan(got[key]), valid, err_msg=key)
        np.testing.assert_allclose(got[key][valid], expected[valid], rtol=0,
                                   atol=TOLERANCE[key], err_msg=key)


def _assert_close_or_missing(value: Any, expected: float, atol: float, what: str) -> None:
    if math.isnan(expected):
        assert value is None, what
    else:
        assert value is not None, what
        assert abs(value - expected) <= atol, f"{what}: {value} != {expected}"


def _leg_elapsed(leg: SyntheticActivity) -> float:
    if leg.elapsed_s is not None:
        return leg.elapsed_s
    return leg.records["elapsed_s"][-1] if leg.n_records else 0.0


def _assert_session(leg: SyntheticActivity, session: dict[str, Any]) -> None:
    r = leg.records
    elapsed = _leg_elapsed(leg)
    assert session["start_time"] == _fit_time(leg.start_utc, 0.0)[0]
    assert session["sport"] == SPORT_NAMES[leg.sport]
    assert session["sub_sport"] == SUB_SPORT_NAMES[leg.sub_sport]
    assert abs(session["total_elapsed_time"] - elapsed) <= 0.0005 + 1e-9
    timer = leg.timer_s if leg.timer_s is not None else elapsed
    assert abs(session["total_timer_time"] - timer) <= 0.0005 + 1e-9
    empty = np.empty(0)
    hr = r.get("hr_bpm", empty)
    _assert_close_or_missing(session.get("total_distance"),
                             _nan_stat(np.max, r.get("distance_m", empty)), 0.005 + 1e-9,
                             "total_distance")
    _assert_close_or_missing(session.get("avg_heart_rate"), _nan_stat(np.mean, hr), 0.5,
                             "avg_heart_rate")
    _assert_close_or_missing(session.get("max_heart_rate"), _nan_stat(np.max, hr), 0.5,
                             "max_heart_rate")
    cadence = session.get("avg_running_cadence", session.get("avg_cadence"))
    if cadence is not None:
        cadence = 2 * (cadence + (session.get("avg_fractional_cadence") or 0.0))
    _assert_close_or_missing(cadence, _nan_stat(np.mean, r.get("cadence_spm", empty)),
                             1 / 128 + 1e-9, "avg cadence")
    temperature = r.get("temperature_c", empty)
    _assert_close_or_missing(session.get("avg_temperature"), _nan_stat(np.mean, temperature),
                             0.5, "avg_temperature")
    _assert_close_or_missing(session.get("max_temperature"), _nan_stat(np.max, temperature),
                             0.5, "max_temperature")


def _assert_file(activity: SyntheticActivity, decoded: dict[str, list[dict]]) -> None:
    """One decoded file against the activity it was written from."""
    legs = activity.legs or (activity,)
    file_id = decoded["file_id"][0]
    assert file_id["type"] == "activity"
    assert file_id["time_created"] == _fit_time(activity.start_utc, 0.0)[0]
    assert file_id["serial_number"] == activity.serial_number
    records = _record_si(decoded.get("record", []))
    assert len(records["time"]) == sum(leg.n_records for leg in legs)
    offset = 0
    for leg, session in zip(legs, decoded["session"], strict=True):
        n = leg.n_records
        _assert_records(leg, {k: v[offset:offset + n] for k, v in records.items()})
        _assert_session(leg, session)
        offset += n
    (act,) = decoded["activity"]
    assert act["num_sessions"] == len(legs)
    assert act["type"] == ("auto_multi_sport" if len(legs) > 1 else "manual")
    assert act["timestamp"] == max(s["timestamp"] for s in decoded["session"])
    if activity.utc_offset_s is None:
        assert act.get("local_timestamp") is None
    else:
        local = act["local_timestamp"].replace(tzinfo=UTC)
        assert (local - act["timestamp"]).total_seconds() == activity.utc_offset_s


def _assert_both_oracles(data: bytes, activities: list[SyntheticActivity]) -> None:
    by_fitparse = _split_files(_fitparse_messages(data))
    by_fitdecode = _split_files(_fitdecode_messages(data))
    assert len(by_fitparse) == len(by_fitdecode) == len(activities)
    for activity, a, b in zip(activities, by_fitparse, by_fitdecode, strict=True):
        _assert_file(activity, a)
        _assert_file(activity, b)
        ra, rb = _record_si(a.get("record", [])), _record_si(b.get("record", []))
        assert ra["time"] == rb["time"]
        for key in RECORD_KEYS[1:]:
            np.testing.assert_array_equal(ra[key], rb[key], err_msg=key)


def _multisport() -> SyntheticActivity:
    run = SyntheticActivity(start_utc=START, records=_records(40, seed=1), sub_sport=2)
    t1_start = START + timedelta(seconds=run.records["elapsed_s"][-1] + 2)
    transition = SyntheticActivity(start_utc=t1_start, sport=3,
                                   records=_records(5, seed=2, gaps=np.ones(5)))
    bike = SyntheticActivity(start_utc=t1_start + timedelta(seconds=10), sport=2,
                             records=_records(30, seed=3), laps=[(0, 10), (10, 30)])
    return SyntheticActivity(start_utc=START, utc_offset_s=-4 * 3600,
                             legs=[run, transition, bike])


# ---------------------------------------------------------------- the file format


def _sdk_crc(data: bytes) -> int:
    """FIT SDK's nibble-table CRC (the FIT protocol document's FitCRC_Get16)."""
    table = [0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
             0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400]
    crc = 0
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = table[crc & 0xF]
            crc = (crc >> 4) & 0x0FFF
            crc = crc ^ tmp ^ table[nibble]
    return crc


def test_fastcrc_arc_is_the_fit_crc() -> None:
    rng = np.random.default_rng(0)
    assert fit_crc(b"123456789") == 0xBB3D  # CRC-16/ARC check value
    for size in (0, 1, 2, 13, 100, 1000):
        data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        assert fit_crc(data) == _sdk_crc(data)


def test_header_and_crc() -> None:
    data = write_fit(SyntheticActivity(start_utc=START, records=_records(20)))
    assert data[0] == 14
    assert data[1] == 0x10
    assert data[8:12] == b".FIT"
    assert int.from_bytes(data[4:8], "little") == len(data) - 16
    assert int.from_bytes(data[12:14], "little") == fit_crc(data[:12])
    assert int.from_bytes(data[-2:], "little") == fit_crc(data[:-2])
    assert fit_crc(data) == 0


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_single_activity_read_by_fitparse_and_fitdecode(options: dict[str, Any]) -> None:
    activity = SyntheticActivity(start_utc=START + timedelta(microseconds=400_000),
                                 utc_offset_s=2 * 3600, records=_records(300))
    _assert_both_oracles(write_fit(activity, **options), [activity])


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_multisport_with_transition(options: dict[str, Any]) -> None:
    activity = _multisport()
    data = write_fit(activity, **options)
    _assert_both_oracles(data, [activity])
    (decoded,) = _split_files(_fitparse_messages(data))
    assert [s["sport"] for s in decoded["session"]] == ["running", "transition", "cycling"]
    assert [s["num_laps"] for s in decoded["session"]] == [1, 1, 2]
    assert [s["first_lap_index"] for s in decoded["session"]] == [0, 1, 2]
    assert [lap["message_index"] for lap in decoded["lap"]] == [0, 1, 2, 3]


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_chained_files(options: dict[str, Any]) -> None:
    activities = [SyntheticActivity(start_utc=START, records=_records(50, seed=4)),
                  _multisport(),
                  SyntheticActivity(start_utc=START + timedelta(days=1), utc_offset_s=None,
                                    serial_number=42, records=_records(7, seed=5))]
    data = write_fit(activities, **options)
    _assert_both_oracles(data, activities)
    with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
        headers = [frame for frame in reader if frame.frame_type == fitdecode.FIT_FRAME_HEADER]
    assert len(headers) == 3
    assert all(h.crc_matched for h in headers)


def test_compressed_timestamp_headers() -> None:
    gaps = np.array([0.0, 0, 1, 31, 32, 100, 5, 3, 3, 3])
    activity = SyntheticActivity(start_utc=START, records=_records(10, gaps=gaps),
                                 laps=[(0, 7), (7, 10)])
    data = write_fit(activity, compressed_timestamps=True)
    fit = fitparse.FitFile(io.BytesIO(data))
    compressed = [m.header.time_offset is not None for m in fit.get_messages("record")]
    # full: first record, gaps over 31 s, first record after a lap message
    assert compressed == [False, True, True, True, False, False, True, False, True, True]
    _assert_both_oracles(data, [activity])


def test_big_endian_definitions_only_where_asked() -> None:
    data = write_fit(SyntheticActivity(start_utc=START, records=_records(5)),
                     big_endian={"record", "session"})
    with fitdecode.FitReader(io.BytesIO(data)) as reader:
        endian = {frame.name: frame.endian for frame in reader
                  if frame.frame_type == fitdecode.FIT_FRAME_DEFINITION}
    assert endian == {"file_id": "<", "record": ">", "lap": "<", "session": ">",
                      "activity": "<"}


def test_developer_power_replaces_native_power() -> None:
    activity = SyntheticActivity(start_utc=START, records=_records(30))
    data = write_fit(activity, developer_power=True)
    assert data[1] == 0x20
    (decoded,) = _split_files(_fitdecode_messages(data))
    assert bytes(decoded["developer_data_id"][0]["application_id"]) == STRYD_APPLICATION_ID
    assert uuid.UUID(bytes=STRYD_APPLICATION_ID) == uuid.UUID(
        "18fb2cf0-1a4b-430d-ad66-988c847421f4")
    description = decoded["field_description"][0]
    assert (description["field_name"], description["units"]) == ("Power", "Watts")
    assert all("power" not in row and "Power" in row for row in decoded["record"])
    _assert_both_oracles(data, [activity])


def test_speed_and_altitude_variants() -> None:
    activity = SyntheticActivity(start_utc=START, records=_records(5))
    fields = {}
    for choice in ("enhanced", "plain", "both"):
        fit = fitparse.FitFile(io.BytesIO(write_fit(activity, speed_altitude=choice)))
        (definition,) = {m.def_mesg for m in fit.get_messages("record")}
        fields[choice] = {f.name for f in definition.field_defs} & {
            "speed", "altitude", "enhanced_speed", "enhanced_altitude"}
    assert fields == {"enhanced": {"enhanced_speed", "enhanced_altitude"},
                      "plain": {"speed", "altitude"},
                      "both": {"speed", "altitude", "enhanced_speed", "enhanced_altitude"}}


def test_laps_follow_their_last_record() -> None:
    activity = SyntheticActivity(start_utc=START, records=_records(30, gaps=np.full(30, 2.0)),
                                 laps=[(0, 10), (10, 25), (25, 30)])
    names = [name for name, _ in _fitparse_messages(write_fit(activity))]
    assert names == (["file_id"] + ["record"] * 10 + ["lap"] + ["record"] * 15 + ["lap"]
                     + ["record"] * 5 + ["lap", "session", "activity"])
    laps = _split_files(_fitparse_messages(write_fit(activity)))[0]["lap"]
    distance = activity.records["distance_m"]
    assert [lap["start_time"] for lap in laps] == _fit_time(START, [0, 20, 50])
    assert [lap["total_elapsed_time"] for lap in laps] == [18.0, 28.0, 8.0]
    expected = np.diff([0.0] + [_nan_stat(np.max, distance[:hi]) for hi in (10, 25, 30)])
    np.testing.assert_allclose([lap["total_distance"] for lap in laps], expected, atol=0.011)


def test_manual_session_without_records() -> None:
    activity = SyntheticActivity(start_utc=START, elapsed_s=1800.0, timer_s=1700.0)
    data = write_fit(activity)
    (decoded,) = _split_files(_fitparse_messages(data))
    assert "record" not in decoded
    _assert_both_oracles(data, [activity])


@pytest.mark.parametrize("fraction", [0.0, 0.001, 0.3, 0.5, 0.9, 0.999])
def test_truncated_output_makes_fitparse_raise(fraction: float) -> None:
    full = write_fit(SyntheticActivity(start_utc=START, records=_records(50)))
    cut = int(len(full) * fraction)
    data = write_fit(SyntheticActivity(start_utc=START, records=_records(50)), truncate_at=cut)
    assert data == full[:cut]
    with pytest.raises(fitparse.utils.FitParseError):
        _fitparse_messages(data)


def test_truncated_second_chained_file_makes_fitparse_raise() -> None:
    activity = SyntheticActivity(start_utc=START, records=_records(20))
    one = len(write_fit(activity))
    data = write_fit([activity, activity], truncate_at=one + 30)
    with pytest.raises(fitparse.utils.FitParseError):
        _fitparse_messages(data)


def test_fractional_times_round_to_whole_seconds() -> None:
    records = {"elapsed_s": np.array([0.0, 0.4, 0.6, 1.49, 2.51])}
    activity = SyntheticActivity(start_utc=START, records=records)
    (decoded,) = _split_files(_fitparse_messages(write_fit(activity)))
    assert [r["timestamp"] for r in decoded["record"]] == _fit_time(START, [0, 0, 1, 1, 3])


def test_inputs_are_not_mutated_and_arrays_are_frozen() -> None:
    records = _records(10)
    copy = {k: v.copy() for k, v in records.items()}
    activity = SyntheticActivity(start_utc=START, records=records)
    write_fit(activity, developer_power=True)
    for key, array in records.items():
        np.testing.assert_array_equal(array, copy[key])
    with pytest.raises(ValueError):
        activity.records["hr_bpm"][0] = 1.0


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"start_utc": datetime(2024, 1, 1)}, "tz-aware"),
    ({"records": {"elapsed_s": [0.0], "pace": [1.0]}}, "Unknown record key"),
    ({"records": {"hr_bpm": [150.0]}}, "elapsed_s"),
    ({"records": {"elapsed_s": [0.0, 2.0, 1.0]}}, "non-decreasing"),
    ({"records": {"elapsed_s": [0.0, 1.0], "hr_bpm": [1.0]}}, "equal length"),
    ({"records": {"elapsed_s": [0.0, 1.0]}, "laps": [(0, 3)]}, "laps"),
])
def test_bad_activity_raises(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SyntheticActivity(**{"start_utc": START, **kwargs})


@pytest.mark.parametrize(("records", "options", "match"), [
    ({"elapsed_s": [0.0], "hr_bpm": [300.0]}, {}, "record.heart_rate"),
    ({"elapsed_s": [0.0], "speed_mps": [70.0]}, {"speed_altitude": "plain"}, "record.speed"),
    ({"elapsed_s": [0.0]}, {"speed_altitude": "fast"}, "speed_altitude"),
    ({"elapsed_s": [0.0]}, {"big_endian": {"recrod"}}, "big_endian"),
    ({"elapsed_s": [0.0]}, {"truncate_at": -1}, "truncate_at"),
])
def test_bad_values_and_options_raise(records: dict, options: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        write_fit(SyntheticActivity(start_utc=START, records=records), **options)


# ---------------------------------------------------------------- property tests


@st.composite
def _legs(draw: st.DrawFn, *, max_legs: int = 3, max_records: int = 500,
          start: datetime | None = None) -> list[SyntheticActivity]:
    """Sequential legs (one session each), at least 1 s apart, with random NaN masks."""
    n_legs = draw(st.integers(1, max_legs))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if start is None:
        start = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(
            seconds=draw(st.integers(0, 35 * 365 * 86400)))
    legs = []
    for _ in range(n_legs):
        n = draw(st.integers(0, max_records))
        sports = [0, 1, 2, 11, 17] + ([3] if n_legs > 1 else [])
        gaps = rng.choice([0.0, 1, 1, 1, 2, 5, 30, 31, 32, 100, 4000], size=n)
        if draw(st.booleans()):
            gaps = gaps + rng.choice([0.0, 0.4, 0.5, 0.6], size=n)
        records = {"elapsed_s": np.concatenate([[0.0], np.cumsum(gaps[1:])])[:n]}
        keys = draw(st.sets(st.sampled_from(
            ["position", "distance_m", *RANGES.keys() - {"lat_deg", "lon_deg"}])))
        for key in keys:
            nan = rng.random(n) < draw(st.sampled_from([0.0, 0.05, 0.5, 1.0]))
            if key == "position":
                for name in ("lat_deg", "lon_deg"):
                    records[name] = rng.uniform(*RANGES[name], n)
                    records[name][rng.random(n) < 0.05] = RANGES[name][rng.integers(2)]
                    records[name][nan] = np.nan
                continue
            if key == "distance_m":
                values = np.cumsum(rng.uniform(0, 50, n))
            else:
                values = rng.uniform(*RANGES[key], n)
                values[rng.random(n) < 0.05] = RANGES[key][rng.integers(2)]
            values[nan] = np.nan
            records[key] = values
        last = records["elapsed_s"][-1] if n else 0.0
        elapsed = last + draw(st.sampled_from([0, 1, 60]))
        laps = draw(st.sampled_from(["default", "none", "random"]))
        lap_ranges = None
        if laps == "none":
            lap_ranges = []
        elif laps == "random":
            cuts = np.unique(np.concatenate([[0, n], rng.integers(0, n + 1, 4)]))
            lap_ranges = list(zip(cuts[:-1], cuts[1:], strict=True)) or [(0, 0)]
        legs.append(SyntheticActivity(
            start_utc=start, sport=draw(st.sampled_from(sports)),
            sub_sport=draw(st.sampled_from([0, 1, 2, 3])), records=records,
            laps=lap_ranges, elapsed_s=elapsed))
        start = start + timedelta(seconds=math.ceil(elapsed) + draw(st.integers(1, 600)))
    if all(leg.sport == 3 for leg in legs):  # a multisport file has a leg that is not a transition
        legs[0] = replace(legs[0], sport=1)
    return legs


@st.composite
def _files(draw: st.DrawFn, max_files: int = 2) -> list[SyntheticActivity]:
    files = []
    start = None
    for _ in range(draw(st.integers(1, max_files))):
        legs = draw(_legs(start=start))
        offset = draw(st.none() | st.integers(-56, 56).map(lambda q: q * 900))
        if len(legs) == 1:
            files.append(replace(legs[0], utc_offset_s=offset))
        else:
            files.append(SyntheticActivity(start_utc=legs[0].start_utc, utc_offset_s=offset,
                                           legs=legs))
        start = legs[-1].start_utc + timedelta(seconds=math.ceil(legs[-1].elapsed_s) + 86400)
    return files


_options = st.fixed_dictionaries({
    "compressed_timestamps": st.booleans(),
    "big_endian": st.sampled_from([False, True, frozenset({"record"}),
                                   frozenset({"file_id", "lap", "session", "activity"})]),
    "developer_power": st.booleans(),
    "speed_altitude": st.sampled_from(["enhanced", "plain", "both"]),
})


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=_files(), options=_options)
def test_property_round_trip_through_fitparse(files: list[SyntheticActivity],
                                              options: dict[str, Any]) -> None:
    data = write_fit(files, **options)
    decoded = _split_files(_fitparse_messages(data))
    assert len(decoded) == len(files)
    for activity, one in zip(files, decoded, strict=True):
        _assert_file(activity, one)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=_files(), options=_options)
def test_property_round_trip_through_runload_reader(files: list[SyntheticActivity],
                                                    options: dict[str, Any]) -> None:
    _assert_runload_reader(files, write_fit(files, **options))


# ---------------------------------------------------------------- runload's own reader


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_runload_reader_single_and_multisport(options: dict[str, Any]) -> None:
    files = [SyntheticActivity(start_utc=START, utc_offset_s=3600, records=_records(300)),
             _multisport()]
    for activity in files:
        _assert_runload_reader([activity], write_fit(activity, **options))


def test_runload_reader_chained_files_keep_their_own_utc_offset() -> None:
    files = [SyntheticActivity(start_utc=START, utc_offset_s=3600, records=_records(30)),
             SyntheticActivity(start_utc=START + timedelta(days=1), utc_offset_s=None,
                               records=_records(30)),
             SyntheticActivity(start_utc=START + timedelta(days=2), utc_offset_s=-5 * 3600,
                               records=_records(30))]
    _assert_runload_reader(files, write_fit(files))


def _assert_runload_reader(files: list[SyntheticActivity], data: bytes) -> None:
    """runload.readers.fit.parse_fit(data) against the activities written.

    Transition legs are dropped; every other leg of every chained file is one
    session, in file order, with the utc offset of its own file.
    """
    from runload.readers.fit import parse_fit
    from runload.readers.sports import FIT_SPORTS, FIT_SUB_SPORTS, FOOT_SPORTS

    parsed = parse_fit(data, "synthetic.fit")
    legs = [(activity, leg) for activity in files for leg in (activity.legs or (activity,))
            if leg.sport != 3]
    assert len(parsed.sessions) == len(parsed.streams) == len(legs)
    for (activity, leg), session, stream in zip(legs, parsed.sessions, parsed.streams,
                                                 strict=True):
        n = leg.n_records
        r = leg.records
        empty = np.full(n, np.nan)
        start = _fit_time(leg.start_utc, 0.0)[0]
        assert pd.Timestamp(session["start_utc"]) == pd.Timestamp(start)
        assert session["sport"] == FIT_SPORTS[leg.sport]
        assert session["sub_sport"] == FIT_SUB_SPORTS[leg.sub_sport]
        if activity.utc_offset_s is None:
            assert session.get("utc_offset_s") is None or pd.isna(session["utc_offset_s"])
        else:
            assert session["utc_offset_s"] == activity.utc_offset_s
        assert session["n_records"] == n
        assert session["is_manual"] == (n == 0)
        assert abs(session["elapsed_s"] - _leg_elapsed(leg)) <= 0.0005 + 1e-9
        lat = r.get("lat_deg", empty)
        assert session["has_gps"] == bool(np.any(~np.isnan(lat)))
        assert session["has_power"] == bool(np.any(~np.isnan(r.get("power_w", empty))))
        hr = r.get("hr_bpm", empty)
        assert session["has_hr"] == bool(np.any(~np.isnan(hr)))
        if np.any(~np.isnan(hr)):
            assert abs(session["avg_hr_bpm"] - _nan_stat(np.mean, hr)) <= 0.5
            assert abs(session["max_hr_bpm"] - _nan_stat(np.max, hr)) <= 0.5
        distance = r.get("distance_m", empty)
        if np.any(~np.isnan(distance)):
            assert abs(session["distance_m"] - _nan_stat(np.max, distance)) <= 0.005 + 1e-6
        temperature = r.get("temperature_c", empty)
        if np.any(~np.isnan(temperature)):  # whole degrees in the session message
            assert abs(session["avg_temperature_c"] - _nan_stat(np.mean, temperature)) <= 0.5
            assert abs(session["max_temperature_c"] - _nan_stat(np.max, temperature)) <= 0.5
        else:
            assert np.isnan(session.get("avg_temperature_c", np.nan))
            assert np.isnan(session.get("max_temperature_c", np.nan))

        assert len(stream) == n
        if not n:
            continue
        times = _fit_time(leg.start_utc, r["elapsed_s"])
        assert list(stream["time_utc"]) == [pd.Timestamp(t) for t in times]
        np.testing.assert_array_equal(stream["elapsed_s"].to_numpy(),
                                      [(t - start).total_seconds() for t in times])
        foot = FIT_SPORTS[leg.sport] in FOOT_SPORTS
        for key in RECORD_KEYS[1:]:
            expected = r.get(key, empty)
            if key == "cadence_spm" and not foot:
                expected = empty
            got = stream[key].to_numpy(dtype=float)
            valid = ~np.isnan(expected)
            np.testing.assert_array_equal(~np.isnan(got), valid, err_msg=key)
            np.testing.assert_allclose(got[valid], expected[valid], rtol=0,
                                       atol=TOLERANCE[key], err_msg=key)


# ---------------------------------------------------------------- files that are not activities


def test_write_other_fit_is_recognised_and_skipped() -> None:
    from runload.errors import NotAnActivityError
    from runload.readers.fit import file_type, parse_fit
    from runload.readers.fit_writer import write_other_fit

    start = (START - FIT_EPOCH).total_seconds()
    data = write_other_fit(32, START, [("monitoring", {
        "timestamp": start + 60.0 * np.arange(5), "heart_rate": [55, 58, 61, 57, 54],
        "cycles": [10.0, 20.0, 35.5, 40.0, 41.0]})], serial_number=3_900_000_123)
    (file_id,), monitoring = (
        [v for name, v in _fitparse_messages(data) if name == "file_id"],
        [v for name, v in _fitparse_messages(data) if name == "monitoring"])
    assert file_id["type"] == "monitoring_b"
    assert file_id["serial_number"] == 3_900_000_123
    assert file_id["time_created"] == START
    assert [m["heart_rate"] for m in monitoring] == [55, 58, 61, 57, 54]
    assert [m["timestamp"] for m in monitoring] == [START + timedelta(minutes=k)
                                                    for k in range(5)]
    assert file_type(data) == "monitoring_b"
    with pytest.raises(NotAnActivityError, match="monitoring_b"):
        parse_fit(data, "monitoring.fit")
    assert file_type(write_other_fit(2, START)) == "settings"


def test_write_other_fit_rejects_bad_input() -> None:
    from runload.readers.fit_writer import write_other_fit

    with pytest.raises(ValueError, match="tz-aware"):
        write_other_fit(2, START.replace(tzinfo=None))
    with pytest.raises(ValueError, match="Unknown FIT message"):
        write_other_fit(2, START, [("no_such_message", {})])
