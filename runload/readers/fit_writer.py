"""Write small FIT activity files for tests, benchmarks and sample data.

The writer covers the parts of the FIT protocol that runload's readers must
handle: normal and compressed-timestamp record headers, little- and big-endian
definitions, developer fields (a Stryd-like ``Power`` field), multisport files
(one ``session`` per leg, transitions included), chained files and truncated
(damaged) output; :func:`write_other_fit` writes files that are not activities
(monitoring, settings).  Field numbers, base types, scales and offsets come from
fitparse's FIT profile, never from a table written here.

Values are given in SI units under runload's names and written as
``raw = round((value + offset) * scale)``; NaN becomes the base type's invalid
value.  Times are rounded to whole seconds, the resolution of FIT's
``date_time``.

Examples
--------
>>> import numpy as np
>>> from datetime import datetime, timezone
>>> run = SyntheticActivity(
...     start_utc=datetime(2024, 5, 1, 6, 30, tzinfo=timezone.utc),
...     records={"elapsed_s": np.arange(3.0), "hr_bpm": np.array([120.0, np.nan, 125.0])})
>>> data = write_fit(run)
>>> data[8:12]
b'.FIT'
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import fastcrc
import numpy as np
from fitparse.profile import MESSAGE_TYPES
from fitparse.records import BaseType

FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
#: Semicircles per degree: FIT stores positions as sint32 of 2**31 per 180 deg.
SEMICIRCLES_PER_DEG = 2**31 / 180.0
#: Record arrays the writer knows, in runload's names and SI units.
RECORD_KEYS = ("elapsed_s", "lat_deg", "lon_deg", "distance_m", "speed_mps", "altitude_m",
               "hr_bpm", "cadence_spm", "power_w", "temperature_c")
#: Message names accepted by ``write_fit(big_endian=...)``.
MESSAGE_NAMES = frozenset({"file_id", "developer_data_id", "field_description", "record",
                           "lap", "session", "activity"})
#: Connect IQ application id of the current Stryd power data field (its field 0 is Power [W]).
STRYD_APPLICATION_ID = uuid.UUID("18fb2cf0-1a4b-430d-ad66-988c847421f4").bytes
SPEED_ALTITUDE_CHOICES = ("enhanced", "plain", "both")

_PROTOCOL_1 = 0x10
_PROTOCOL_2 = 0x20  # developer fields need protocol 2.0
_PROFILE_VERSION = 2100
_MAX_COMPRESSED_GAP_S = 31  # 5-bit time offset
_LOCAL = {"record_compressed": 0, "record": 1, "file_id": 2, "lap": 3, "session": 4,
          "activity": 5, "developer_data_id": 6, "field_description": 7}
_FILE_TYPE_ACTIVITY = 4
_EVENT = {"session": 8, "lap": 9, "activity": 26}
_EVENT_TYPE_STOP = 1
_DEV_INDEX = 0
_DEV_POWER_FIELD = 0
_MANUFACTURER_STRYD = 95

_MESSAGES = {m.name: (num, m) for num, m in MESSAGE_TYPES.items()}


@dataclass(frozen=True, eq=False)
class SyntheticActivity:
    """One activity (one FIT file) to write.

    Parameters
    ----------
    start_utc : datetime.datetime
        Session start; tz-aware.  Rounded to whole seconds when written. [UTC]
    sport, sub_sport : int
        FIT ``sport`` and ``sub_sport`` numbers (1 running, 2 cycling,
        3 transition...).
    utc_offset_s : int or None
        Local time minus UTC [s]; written as ``activity.local_timestamp``, which
        is left out when None.
    manufacturer, product, serial_number : int
        ``file_id`` device fields (manufacturer 1 is Garmin).
    records : mapping of str to array_like
        Per-record samples, keys from :data:`RECORD_KEYS`: ``elapsed_s``
        (time since ``start_utc`` [s], required when any key is given,
        non-decreasing), ``lat_deg``, ``lon_deg`` [deg], ``distance_m`` [m],
        ``speed_mps`` [m/s], ``altitude_m`` [m], ``hr_bpm`` [1/min],
        ``cadence_spm`` (steps per minute, both legs; written as per-leg
        ``cadence`` + ``fractional_cadence``, i.e. halved, for every sport)
        [1/min], ``power_w`` [W], ``temperature_c`` [degC].  NaN is written as
        the invalid value; a key left out is a field left out.  Empty: a
        session with no records (manual entry).
    laps : sequence of (int, int) or None
        Record index ranges ``[start, end)`` of the laps; each ``lap`` message
        follows the lap's last record, and its timer time equals its elapsed
        time.  None gives one lap with the session's summary; ``[]`` no lap.
    elapsed_s, timer_s : float or None
        Session ``total_elapsed_time`` and ``total_timer_time`` [s].  By default
        the last record's ``elapsed_s`` (0 without records); ``timer_s``
        defaults to ``elapsed_s``.
    legs : sequence of SyntheticActivity
        For a multisport file: one session per leg, in order.  The outer
        activity then supplies only the file-level fields (``start_utc`` as
        ``file_id.time_created``, device, ``utc_offset_s``) and must have no
        records; its session fields (sport, laps, elapsed_s, timer_s) and the
        legs' own file-level fields and ``legs`` are ignored.

    Raises
    ------
    ValueError
        On a naive ``start_utc``, unknown record keys, arrays of unequal
        length, missing or decreasing ``elapsed_s``, or laps out of range.
    """

    start_utc: datetime
    sport: int = 1
    sub_sport: int = 0
    utc_offset_s: int | None = 0
    manufacturer: int = 1
    product: int = 3113
    serial_number: int = 3_900_000_001
    records: Mapping[str, Any] = field(default_factory=dict)
    laps: Sequence[tuple[int, int]] | None = None
    elapsed_s: float | None = None
    timer_s: float | None = None
    legs: Sequence[SyntheticActivity] = ()

    def __post_init__(self) -> None:
        if self.start_utc.tzinfo is None or self.start_utc.utcoffset() is None:
            raise ValueError("The 'start_utc' parameter of SyntheticActivity must be tz-aware. "
                             f"Got {self.start_utc!r} instead.")
        unknown = set(self.records) - set(RECORD_KEYS)
        if unknown:
            raise ValueError(f"Unknown record key(s) {sorted(unknown)}; use {RECORD_KEYS}.")
        records = {k: np.array(v, dtype=np.float64) for k, v in self.records.items()}
        for array in records.values():
            array.flags.writeable = False
        if records:
            if "elapsed_s" not in records:
                raise ValueError("The records of SyntheticActivity need an 'elapsed_s' array.")
            elapsed = records["elapsed_s"]
            if any(a.shape != elapsed.shape or a.ndim != 1 for a in records.values()):
                raise ValueError("The record arrays of SyntheticActivity must be 1-D and of "
                                 "equal length.")
            if not np.all(np.isfinite(elapsed)) or np.any(np.diff(elapsed) < 0):
                raise ValueError("The 'elapsed_s' record array must be finite and non-decreasing.")
        object.__setattr__(self, "records", records)
        n = self.n_records
        laps = None if self.laps is None else tuple((int(s), int(e)) for s, e in self.laps)
        if laps is not None and any(not 0 <= s <= e <= n for s, e in laps):
            raise ValueError(f"The laps of SyntheticActivity must satisfy 0 <= start <= end <= "
                             f"{n}. Got {laps} instead.")
        object.__setattr__(self, "laps", laps)
        object.__setattr__(self, "legs", tuple(self.legs))
        if self.legs and n:
            raise ValueError("A SyntheticActivity with legs must have no records of its own.")

    @property
    def n_records(self) -> int:
        """Number of records of this session."""
        return len(self.records["elapsed_s"]) if self.records else 0


def write_fit(activities: SyntheticActivity | Sequence[SyntheticActivity], *,
              compressed_timestamps: bool = False,
              big_endian: bool | Collection[str] = False,
              developer_power: bool = False,
              truncate_at: int | None = None,
              speed_altitude: str = "enhanced") -> bytes:
    """Encode activities as FIT bytes.

    Parameters
    ----------
    activities : SyntheticActivity or sequence of SyntheticActivity
        One activity per FIT file; several give chained files (each with its
        own header and CRC, concatenated).
    compressed_timestamps : bool
        Write records with compressed-timestamp headers (local message type 0,
        5-bit time offset) whenever the gap to the previous timestamp is
        0-31 s; other records (the first of each session, the first after a
        lap, and after longer gaps) carry a full ``timestamp``.
    big_endian : bool or collection of str
        True writes every definition big-endian (architecture 1); a collection
        of message names (:data:`MESSAGE_NAMES`) only those.
    developer_power : bool
        Write ``developer_data_id`` + ``field_description`` for a Stryd-like
        developer field ``Power`` [W] (uint16, field 0) and put ``power_w`` in
        it instead of the native ``power`` field.
    truncate_at : int or None
        Cut the output after this many bytes [byte] (a damaged file).
    speed_altitude : {'enhanced', 'plain', 'both'}
        Which record fields carry ``speed_mps`` and ``altitude_m``:
        ``enhanced_speed``/``enhanced_altitude`` (current devices), the 16-bit
        ``speed``/``altitude`` (older devices), or both.

    Returns
    -------
    bytes
        The FIT file(s).

    Raises
    ------
    ValueError
        On an unknown option value, or a record value that does not fit its
        FIT field.

    Notes
    -----
    Lap and session summaries are computed from the records: distance (the
    largest ``distance_m``), mean and maximum heart rate, mean cadence, total
    ascent and descent (sums of the rises and falls of the valid altitudes),
    mean speed (distance over timer time), with native power mean power, and
    with ``temperature_c`` records the mean and maximum temperature
    (``avg_temperature``, ``max_temperature``, whole degrees).
    A summary value that does not fit its field (e.g. ``total_ascent`` over
    65 534 m from random altitudes) is written as invalid rather than raising.
    """
    if isinstance(activities, SyntheticActivity):
        activities = [activities]
    if speed_altitude not in SPEED_ALTITUDE_CHOICES:
        raise ValueError(f"The 'speed_altitude' parameter of write_fit must be one of "
                         f"{SPEED_ALTITUDE_CHOICES}. Got {speed_altitude!r} instead.")
    if isinstance(big_endian, bool):
        big = MESSAGE_NAMES if big_endian else frozenset()
    else:
        big = frozenset(big_endian)
        if not big <= MESSAGE_NAMES:
            raise ValueError(f"The 'big_endian' parameter of write_fit must be a bool or a "
                             f"collection of {sorted(MESSAGE_NAMES)}. Got {sorted(big)} instead.")
    if truncate_at is not None and truncate_at < 0:
        raise ValueError(f"The 'truncate_at' parameter of write_fit must be an int >= 0. "
                         f"Got {truncate_at} instead.")
    writer = _FileWriter(big=big, compressed=compressed_timestamps,
                         developer_power=developer_power, speed_altitude=speed_altitude)
    data = b"".join(writer.file(activity) for activity in activities)
    return data if truncate_at is None else data[:truncate_at]


def write_other_fit(file_type: int, time_created: datetime,
                    messages: Sequence[tuple[str, Mapping[str, Any]]] = (), *,
                    manufacturer: int = 1, product: int = 3113,
                    serial_number: int = 3_900_000_001) -> bytes:
    """Encode a FIT file that is not an activity: a ``file_id``, then any messages.

    A Garmin export holds far more of these than activities (monitoring,
    settings, HRV, zones); runload must recognise and skip them.

    Parameters
    ----------
    file_type : int
        FIT ``file`` number of ``file_id.type`` (2 settings, 32 monitoring_b,
        4 would be an activity).
    time_created : datetime.datetime
        ``file_id.time_created``; tz-aware.
    messages : sequence of (str, mapping)
        Messages after the ``file_id``, each a profile message name and its
        fields in profile units (arrays of one length n, or scalars; bytes for
        strings); ``date_time`` fields in seconds since :data:`FIT_EPOCH`.
        Each gets its own definition and n data messages.
    manufacturer, product, serial_number : int
        ``file_id`` device fields.

    Returns
    -------
    bytes
        One FIT file (header, messages, CRC).

    Raises
    ------
    ValueError
        On a naive ``time_created``, more than 15 messages, an unknown message
        name, or a value that does not fit its field.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> data = write_other_fit(32, datetime(2024, 5, 1, tzinfo=timezone.utc),
    ...                        [("monitoring", {"timestamp": [1.083e9, 1.0830006e9],
    ...                                         "heart_rate": [61, 64]})])
    >>> data[8:12]
    b'.FIT'
    """
    if time_created.tzinfo is None or time_created.utcoffset() is None:
        raise ValueError("The 'time_created' parameter of write_other_fit must be tz-aware. "
                         f"Got {time_created!r} instead.")
    if len(messages) > 15:
        raise ValueError("write_other_fit writes at most 15 messages (one local type each). "
                         f"Got {len(messages)} instead.")
    unknown = [name for name, _ in messages if name not in _MESSAGES]
    if unknown:
        raise ValueError(f"Unknown FIT message name {unknown[0]!r} in write_other_fit.")
    writer = _FileWriter(big=frozenset(), compressed=False, developer_power=False,
                         speed_altitude="enhanced")
    parts = [writer.single("file_id", {
        "type": file_type, "manufacturer": manufacturer, "product": product,
        "serial_number": serial_number, "time_created": _fit_seconds(time_created)})]
    for local, (name, columns) in enumerate(messages, start=1):
        lengths = {len(np.atleast_1d(v)) for v in columns.values() if not isinstance(v, bytes)}
        n = max(lengths, default=1)
        definition, rows = writer.message(name, columns, local=local, n=n)
        parts.append(definition + rows.tobytes())
    body = b"".join(parts)
    header = struct.pack("<BBHI4s", 14, _PROTOCOL_1, _PROFILE_VERSION, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    return header + body + struct.pack("<H", fit_crc(header + body))


def fit_crc(data: bytes) -> int:
    """FIT's CRC-16 (CRC-16/ARC: polynomial 0x8005 reflected, initial value 0) of ``data``."""
    return fastcrc.crc16.arc(bytes(data))


def _fit_seconds(moment: datetime) -> float:
    return (moment - FIT_EPOCH).total_seconds()


def _field(mesg: str, name: str) -> tuple[int, int, BaseType, float, float]:
    mesg_num, mesg_type = _MESSAGES[mesg]
    for num, f in mesg_type.fields.items():
        if f.name == name:
            base = getattr(f.type, "base_type", f.type)
            return mesg_num, num, base, float(f.scale or 1), float(f.offset or 0)
    raise KeyError(f"{mesg}.{name} is not in fitparse's FIT profile")


def _raw(values: Any, base: BaseType, scale: float, offset: float, label: str,
         order: str, overflow_invalid: bool = False) -> np.ndarray:
    """Profile-unit values -> raw values of the base type; NaN -> invalid value.

    Values out of the type's range raise, or become invalid with ``overflow_invalid``.
    """
    dtype = np.dtype(order + base.fmt)
    v = np.atleast_1d(np.asarray(values, dtype=np.float64))
    if dtype.kind == "f":
        return v.astype(dtype)
    scaled = np.rint((v + offset) * scale)
    info = np.iinfo(dtype)
    # FIT's invalid value is the type's maximum, or 0 for the 'z' types.
    zero_invalid = base.name.endswith("z")
    invalid = 0 if zero_invalid else info.max
    low, high = (1, info.max) if zero_invalid else (info.min, info.max - 1)
    missing = np.isnan(scaled)
    bad = ~missing & ((scaled < low) | (scaled > high))
    if overflow_invalid:
        missing |= bad
    elif bad.any():
        raise ValueError(f"{label} value {v[bad][0]!r} does not fit FIT type {base.name} "
                         f"(scale {scale:g}, offset {offset:g}).")
    return np.where(missing, invalid, scaled).astype(dtype)


def _nan_stat(function: Any, values: np.ndarray) -> float:
    finite = values[~np.isnan(values)]
    return float(function(finite)) if finite.size else np.nan


def _split_fraction(values: Any, scale: float = 128.0) -> tuple[Any, Any]:
    """Per-leg cadence -> (whole, fraction) for FIT's cadence + fractional_cadence pair."""
    total = np.rint(np.asarray(values, dtype=np.float64) * scale)
    whole = np.floor(total / scale)
    return whole, (total - whole * scale) / scale


class _FileWriter:
    """Encodes one FIT file per activity with fixed options."""

    def __init__(self, *, big: frozenset[str], compressed: bool, developer_power: bool,
                 speed_altitude: str) -> None:
        self.big = big
        self.compressed = compressed
        self.developer_power = developer_power
        self.speed_altitude = speed_altitude

    def message(self, mesg: str, columns: Mapping[str, Any], *, local: int,
                n: int = 1, header: np.ndarray | None = None,
                dev_columns: Sequence[tuple[int, int, BaseType, Any]] = (),
                overflow_invalid: bool = False) -> tuple[bytes, np.ndarray]:
        """Definition bytes and an (n, size) uint8 array of data messages.

        ``columns`` maps profile field names to values in profile units (arrays
        of length n or scalars) or to bytes (strings, byte arrays).
        ``dev_columns`` holds (developer_data_index, field number, base type,
        values) of developer fields.  ``overflow_invalid`` writes values that do
        not fit as invalid instead of raising (for derived summary fields).
        """
        order = ">" if mesg in self.big else "<"
        mesg_num = _MESSAGES[mesg][0]
        dtype = [("header", "u1")]
        values: list[np.ndarray | bytes] = []
        field_defs = bytearray()
        for name, value in columns.items():
            _, num, base, scale, offset = _field(mesg, name)
            if isinstance(value, bytes):
                dtype.append((f"f{num}", f"S{len(value)}"))
                values.append(value)
                field_defs += bytes([num, len(value), base.identifier])
            else:
                raw = _raw(value, base, scale, offset, f"{mesg}.{name}", order, overflow_invalid)
                dtype.append((f"f{num}", raw.dtype))
                values.append(raw)
                field_defs += bytes([num, raw.dtype.itemsize, base.identifier])
        dev_defs = bytearray()
        for index, num, base, value in dev_columns:
            raw = _raw(value, base, 1.0, 0.0, f"{mesg} developer field {num}", order)
            dtype.append((f"d{index}_{num}", raw.dtype))
            values.append(raw)
            dev_defs += bytes([num, raw.dtype.itemsize, index])
        table = np.zeros(n, dtype=dtype)
        table["header"] = local if header is None else header
        for (name, _), value in zip(dtype[1:], values, strict=True):
            table[name] = value
        definition = bytes([0x40 | local | (0x20 if dev_columns else 0), 0, int(order == ">")])
        definition += struct.pack(order + "H", mesg_num) + bytes([len(columns)]) + field_defs
        if dev_columns:
            definition += bytes([len(dev_columns)]) + dev_defs
        return definition, table.view(np.uint8).reshape(n, table.dtype.itemsize)

    def single(self, mesg: str, columns: Mapping[str, Any], overflow_invalid: bool = False,
               ) -> bytes:
        definition, rows = self.message(mesg, columns, local=_LOCAL[mesg],
                                        overflow_invalid=overflow_invalid)
        return definition + rows.tobytes()

    def file(self, activity: SyntheticActivity) -> bytes:
        legs = activity.legs or (activity,)
        start = _fit_seconds(activity.start_utc)
        parts = [self.single("file_id", {
            "type": _FILE_TYPE_ACTIVITY, "manufacturer": activity.manufacturer,
            "product": activity.product, "serial_number": activity.serial_number,
            "time_created": start})]
        if self.developer_power:
            parts.append(self.single("developer_data_id", {
                "application_id": STRYD_APPLICATION_ID, "manufacturer_id": _MANUFACTURER_STRYD,
                "developer_data_index": _DEV_INDEX, "application_version": 100}))
            parts.append(self.single("field_description", {
                "developer_data_index": _DEV_INDEX, "field_definition_number": _DEV_POWER_FIELD,
                "fit_base_type_id": _field("record", "power")[2].identifier,
                "field_name": b"Power\0", "units": b"Watts\0"}))
        n_laps = 0
        ends, timers = [], []
        for index, leg in enumerate(legs):
            block, leg_laps, end, timer = self.session(leg, index, n_laps)
            parts.append(block)
            n_laps += leg_laps
            ends.append(end)
            timers.append(timer)
        end = max(ends)
        activity_columns = {"timestamp": end, "total_timer_time": sum(timers),
                            "num_sessions": len(legs), "type": int(len(legs) > 1),
                            "event": _EVENT["activity"], "event_type": _EVENT_TYPE_STOP}
        if activity.utc_offset_s is not None:
            activity_columns["local_timestamp"] = np.rint(end) + activity.utc_offset_s
        parts.append(self.single("activity", activity_columns))
        body = b"".join(parts)
        protocol = _PROTOCOL_2 if self.developer_power else _PROTOCOL_1
        header = struct.pack("<BBHI4s", 14, protocol, _PROFILE_VERSION, len(body), b".FIT")
        header += struct.pack("<H", fit_crc(header))
        return header + body + struct.pack("<H", fit_crc(header + body))

    def record_columns(self, leg: SyntheticActivity) -> tuple[dict[str, Any], list[tuple]]:
        r = leg.records
        columns: dict[str, Any] = {}
        if "lat_deg" in r:
            columns["position_lat"] = r["lat_deg"] * SEMICIRCLES_PER_DEG
        if "lon_deg" in r:
            columns["position_long"] = r["lon_deg"] * SEMICIRCLES_PER_DEG
        for key, name in (("distance_m", "distance"), ("hr_bpm", "heart_rate"),
                          ("temperature_c", "temperature")):
            if key in r:
                columns[name] = r[key]
        for key, name in (("speed_mps", "speed"), ("altitude_m", "altitude")):
            if key in r:
                if self.speed_altitude in ("plain", "both"):
                    columns[name] = r[key]
                if self.speed_altitude in ("enhanced", "both"):
                    columns["enhanced_" + name] = r[key]
        if "cadence_spm" in r:
            columns["cadence"], columns["fractional_cadence"] = _split_fraction(
                r["cadence_spm"] / 2.0)
        dev_columns = []
        if "power_w" in r:
            if self.developer_power:
                dev_columns.append((_DEV_INDEX, _DEV_POWER_FIELD, _field("record", "power")[2],
                                    r["power_w"]))
            else:
                columns["power"] = r["power_w"]
        return columns, dev_columns

    def summary(self, leg: SyntheticActivity, lo: int, hi: int, start: float,
                elapsed: float, timer: float) -> dict[str, Any]:
        """Lap/session fields (same names in both messages) over records [lo, hi)."""
        r = {k: v[lo:hi] for k, v in leg.records.items()}
        nothing = np.empty(0)
        distance = leg.records.get("distance_m", nothing)
        total = _nan_stat(np.max, distance[:hi])
        if lo > 0 and not np.isnan(total):
            total -= np.nan_to_num(_nan_stat(np.max, distance[:lo]))
        altitude = r.get("altitude_m", nothing)
        step = np.diff(altitude[~np.isnan(altitude)])
        has_altitude = bool(np.any(~np.isnan(altitude)))
        cadence, fraction = _split_fraction(_nan_stat(np.mean, r.get("cadence_spm", nothing)) / 2)
        out = {
            "timestamp": start + elapsed, "start_time": start,
            "total_elapsed_time": elapsed, "total_timer_time": timer, "total_distance": total,
            "avg_heart_rate": _nan_stat(np.mean, r.get("hr_bpm", nothing)),
            "max_heart_rate": _nan_stat(np.max, r.get("hr_bpm", nothing)),
            "avg_cadence": cadence, "avg_fractional_cadence": fraction,
            "total_ascent": step[step > 0].sum() if has_altitude else np.nan,
            "total_descent": -step[step < 0].sum() if has_altitude else np.nan,
            "enhanced_avg_speed": total / timer if timer > 0 else np.nan,
            "sport": leg.sport, "sub_sport": leg.sub_sport, "event_type": _EVENT_TYPE_STOP,
        }
        if "power_w" in r and not self.developer_power:
            out["avg_power"] = _nan_stat(np.mean, r["power_w"])
        if "temperature_c" in r:
            out["avg_temperature"] = _nan_stat(np.mean, r["temperature_c"])
            out["max_temperature"] = _nan_stat(np.max, r["temperature_c"])
        return out

    def session(self, leg: SyntheticActivity, index: int,
                first_lap: int) -> tuple[bytes, int, float, float]:
        """Records, laps and the session of one leg: (bytes, laps written, end [s], timer [s])."""
        n = leg.n_records
        start = float(np.rint(_fit_seconds(leg.start_utc)))
        elapsed_s = leg.records["elapsed_s"] if n else np.empty(0)
        elapsed = float(leg.elapsed_s if leg.elapsed_s is not None
                        else (elapsed_s[-1] if n else 0.0))
        timer = float(leg.timer_s if leg.timer_s is not None else elapsed)
        laps = sorted(leg.laps if leg.laps is not None else ((0, n),), key=lambda lap: lap[1])
        lap_definition, lap_rows = b"", []
        for k, (lo, hi) in enumerate(laps):
            if leg.laps is None:
                lap_start, lap_elapsed, lap_timer = start, elapsed, timer
            else:
                lap_start = start + (elapsed_s[lo] if 0 < lo < n else 0.0)
                lap_elapsed = lap_timer = (start + elapsed_s[hi - 1] - lap_start
                                           if hi > lo else 0.0)
            columns = self.summary(leg, lo, hi, lap_start, lap_elapsed, lap_timer)
            columns |= {"event": _EVENT["lap"], "message_index": first_lap + k}
            lap_definition, rows = self.message("lap", columns, local=_LOCAL["lap"],
                                                overflow_invalid=True)
            lap_rows.append(rows.tobytes())
        if n:
            record_bytes, offsets, definitions = self.records(
                leg, np.rint(start + elapsed_s), laps)
        else:
            record_bytes, offsets, definitions = np.empty(0, np.uint8), np.zeros(1, int), b""
        parts = [definitions, lap_definition]
        previous = 0
        for (_, hi), row in zip(laps, lap_rows, strict=True):
            parts += [record_bytes[offsets[previous]:offsets[hi]].tobytes(), row]
            previous = hi
        parts.append(record_bytes[offsets[previous]:].tobytes())
        columns = self.summary(leg, 0, n, start, elapsed, timer)
        columns |= {"event": _EVENT["session"], "message_index": index,
                    "first_lap_index": first_lap, "num_laps": len(laps)}
        parts.append(self.single("session", columns, overflow_invalid=True))
        return b"".join(parts), len(laps), start + elapsed, timer

    def records(self, leg: SyntheticActivity, timestamps: np.ndarray,
                laps: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, bytes]:
        """All record messages of a leg as one byte array, their offsets, their definitions."""
        n = len(timestamps)
        columns, dev_columns = self.record_columns(leg)
        compressed = np.zeros(n, dtype=bool)
        if self.compressed:
            gap = np.diff(timestamps)
            compressed[1:] = (gap >= 0) & (gap <= _MAX_COMPRESSED_GAP_S)
            # A lap message resets the decoder's timestamp reference: restart with a full one.
            compressed[np.array([hi for _, hi in laps if hi < n], dtype=int)] = False
        full = ~compressed

        def subset(mask: np.ndarray) -> tuple[dict[str, Any], list[tuple]]:
            return ({k: np.asarray(v)[mask] for k, v in columns.items()},
                    [(i, num, base, np.asarray(v)[mask]) for i, num, base, v in dev_columns])

        full_columns, full_dev = subset(full)
        full_def, full_rows = self.message(
            "record", {"timestamp": timestamps[full], **full_columns}, local=_LOCAL["record"],
            n=int(full.sum()), dev_columns=full_dev)
        definitions = full_def
        sizes = np.full(n, full_rows.shape[1])
        comp_rows = None
        if compressed.any():
            comp_columns, comp_dev = subset(compressed)
            local = _LOCAL["record_compressed"]
            header = (0x80 | (local << 5)
                      | (timestamps[compressed].astype(np.int64) & 0x1F)).astype(np.uint8)
            comp_def, comp_rows = self.message("record", comp_columns, local=local,
                                               n=int(compressed.sum()), header=header,
                                               dev_columns=comp_dev)
            definitions += comp_def
            sizes[compressed] = comp_rows.shape[1]
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        out = np.empty(offsets[-1], dtype=np.uint8)
        for mask, rows in ((full, full_rows), (compressed, comp_rows)):
            if rows is not None and rows.size:
                out[offsets[:-1][mask][:, None] + np.arange(rows.shape[1])] = rows
        return out, offsets, definitions
