"""runload's fast FIT decoder: message headers walked in Python, fields decoded with numpy.

A FIT file is a header, a stream of definition and data messages, and a
CRC-16.  Decoding message by message in Python (as fitparse and fitdecode do)
costs about 1 s per hour of 1 Hz records.  Here a Python loop only walks the
record headers and, for every data message, remembers its byte offset under
its definition; every run of messages sharing one definition is then decoded
at once as a numpy structured array (zero-copy when the messages are evenly
spaced).  Messages runload does not need are skipped by their size alone.

Only the field layout of each message comes from the file; message and field
numbers, names, scales, offsets and units come from fitparse's profile
(:data:`fitparse.profile.MESSAGE_TYPES`), so this module holds no FIT profile
of its own.

What it handles: chained FIT files (several headers in one file), compressed
timestamp headers (5-bit rolling offset), little- and big-endian definitions,
developer fields (decoded when a field description names them), invalid values
(-> NaN), scale and offset, the ``compressed_speed_distance`` component of old
devices, truncated files and undefined local messages (the intact part is kept
and the damage reported), file CRC (checked with a compiled CRC).

What it does not: anything that is not needed for runload's tables.  A file it
cannot decode raises :class:`FitDecodeUnsupported`, and the caller falls back
to fitparse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fastcrc import crc16
from fitparse.profile import MESSAGE_TYPES

#: Seconds from the Unix epoch to the FIT epoch, 1989-12-31T00:00:00Z.
FIT_EPOCH_S = 631065600
#: FIT date_time values below this are seconds since device power-on, not dates.
FIT_MIN_DATE = 0x10000000

# base type number (low 5 bits) -> (numpy kind+size, invalid raw value or None for float)
_BASE_TYPES: dict[int, tuple[str, int | None]] = {
    0x00: ("u1", 0xFF),  # enum
    0x01: ("i1", 0x7F),
    0x02: ("u1", 0xFF),
    0x03: ("i2", 0x7FFF),
    0x04: ("u2", 0xFFFF),
    0x05: ("i4", 0x7FFFFFFF),
    0x06: ("u4", 0xFFFFFFFF),
    0x07: ("S1", None),  # string: decoded per message
    0x08: ("f4", None),
    0x09: ("f8", None),
    0x0A: ("u1", 0x00),  # uint8z
    0x0B: ("u2", 0x0000),
    0x0C: ("u4", 0x00000000),
    0x0D: ("u1", 0xFF),  # byte
    0x0E: ("i8", 0x7FFFFFFFFFFFFFFF),
    0x0F: ("u8", 0xFFFFFFFFFFFFFFFF),
    0x10: ("u8", 0x0000000000000000),
}
_STRING = 0x07
_BYTE = 0x0D

MESG_FILE_ID = 0
MESG_SPORT = 12
MESG_SESSION = 18
MESG_LAP = 19
MESG_RECORD = 20
MESG_EVENT = 21
MESG_DEVICE_INFO = 23
MESG_ACTIVITY = 34
MESG_FIELD_DESCRIPTION = 206
MESG_DEVELOPER_DATA_ID = 207
FIELD_TIMESTAMP = 253
#: Most distinct definitions of decoded messages in one file (chained parts together).
#: Real files have up to about 50 (identical repeats, as Suunto writes, count once);
#: each costs a numpy decode, so a file of thousands, each for one message, would take
#: seconds per megabyte.  Past it the file is read up to that definition (partial).
MAX_DEFINITIONS = 2000
#: Most messages of one kind whose string and byte fields are decoded (the first ones;
#: runload reads the first file_id's and sport's, and a few field_descriptions').
#: Each costs a Python dict, so a file of a million tiny ones would take seconds.
MAX_STRING_MESSAGES = 1000
#: Column holding each message's chained-file index (0 for the first FIT file).
PART = "_part"

#: Record fields runload reads (profile names); every field of the other wanted messages is read.
RECORD_FIELDS = frozenset({
    "timestamp", "position_lat", "position_long", "altitude", "enhanced_altitude",
    "heart_rate", "cadence", "fractional_cadence", "distance", "speed", "enhanced_speed",
    "power", "compressed_speed_distance", "temperature",
})
#: Session fields runload reads (profile names).
SESSION_FIELDS = frozenset({
    "timestamp", "start_time", "sport", "sub_sport", "total_elapsed_time", "total_timer_time",
    "total_distance", "avg_speed", "enhanced_avg_speed", "max_speed", "enhanced_max_speed",
    "avg_cadence", "avg_fractional_cadence", "avg_power", "avg_heart_rate", "max_heart_rate",
    "total_ascent", "total_descent", "total_calories", "avg_temperature", "max_temperature",
})
#: Messages decoded by default: everything else is skipped by size.
DEFAULT_MESSAGES = frozenset({
    MESG_FILE_ID, MESG_SPORT, MESG_SESSION, MESG_RECORD, MESG_ACTIVITY,
    MESG_FIELD_DESCRIPTION, MESG_DEVELOPER_DATA_ID,
})
#: Fields decoded by default, per message; a message not named here has all its fields read.
DEFAULT_FIELDS: dict[int, frozenset[str]] = {MESG_RECORD: RECORD_FIELDS,
                                             MESG_SESSION: SESSION_FIELDS}
# Component expansions that are plain copies (same raw bits, same scale):
# the legacy field is the low bits of its enhanced twin.
_ENHANCED_TWINS = {"speed": "enhanced_speed", "altitude": "enhanced_altitude",
                   "avg_speed": "enhanced_avg_speed", "max_speed": "enhanced_max_speed",
                   "avg_altitude": "enhanced_avg_altitude", "max_altitude": "enhanced_max_altitude",
                   "min_altitude": "enhanced_min_altitude"}


class FitDecodeUnsupported(Exception):
    """The fast path met something it does not decode; use the fallback decoder."""


class FitHeaderError(Exception):
    """The bytes do not start with a FIT header."""


class _DefinitionLimit(Exception):
    """More than MAX_DEFINITIONS distinct definitions of decoded messages."""


@dataclass
class FitMessages:
    """Decoded messages of one FIT file (all chained parts together).

    Attributes
    ----------
    messages : dict of str to dict of str to numpy.ndarray
        Per message name (profile names: 'record', 'session'...), per field
        name, the values of every message in file order as float64 after
        scale and offset; NaN where the field is absent or invalid.  Enum
        fields hold their raw numbers; date_time fields hold raw FIT seconds.
        The column :data:`PART` holds the index of the chained FIT file each
        message came from.
    strings : dict of str to list of dict
        String and byte fields of the small messages, one dict per message.
    developer : dict of str to dict of str to numpy.ndarray
        Developer fields per message name, keyed by their field_name, in the
        same row order as ``messages``.
    developer_units : dict of str to str
        Units of each developer field, as its description gave them.
    problems : list of str
        Damage found, in plain words.
    is_partial : bool
        True when the file was damaged and only its intact part was decoded.
    n_parts : int
        Number of chained FIT files.
    """

    messages: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    strings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    developer: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    developer_units: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    is_partial: bool = False
    n_parts: int = 0

    def count(self, name: str) -> int:
        """Number of decoded messages called ``name``."""
        columns = self.messages.get(name)
        if not columns:
            return 0
        return len(next(iter(columns.values())))


class _Definition:
    """One definition message, shared by every data message it describes."""

    __slots__ = ("mesg_num", "big_endian", "size", "fields", "dev_fields", "offsets",
                 "ts_offsets", "part", "ts_field")

    def __init__(self, mesg_num: int, big_endian: bool, fields: list[tuple[int, int, int, int]],
                 dev_fields: list[tuple[int, int, int, int]], part: int) -> None:
        self.mesg_num = mesg_num
        self.big_endian = big_endian
        self.fields = fields          # (field_num, offset, size, base_type)
        self.dev_fields = dev_fields  # (dev_index, field_num, offset, size)
        self.size = sum(f[2] for f in fields) + sum(f[3] for f in dev_fields)
        self.offsets: list[int] = []
        self.ts_offsets: list[int] = []  # compressed-header timestamps, -1 when full
        self.part = part
        self.ts_field = next((f for f in fields if f[0] == FIELD_TIMESTAMP), None)


def is_fit(data: bytes) -> bool:
    """True when ``data`` starts with a FIT file header ('.FIT' at bytes 8-11)."""
    return len(data) >= 12 and data[0] in (12, 14) and data[8:12] == b".FIT"


def _parse_definition(data: bytes, p: int, has_dev: bool, part: int) -> tuple[_Definition, int]:
    big = data[p + 2] == 1
    mesg_num = int.from_bytes(data[p + 3:p + 5], "big" if big else "little")
    n_fields = data[p + 5]
    q = p + 6
    fields = []
    offset = 0
    for i in range(n_fields):
        num, size, base = data[q + 3 * i], data[q + 3 * i + 1], data[q + 3 * i + 2]
        fields.append((num, offset, size, base & 0x1F))
        offset += size
    q += 3 * n_fields
    dev_fields = []
    if has_dev:
        n_dev = data[q]
        q += 1
        for i in range(n_dev):
            num, size, dev_index = data[q + 3 * i], data[q + 3 * i + 1], data[q + 3 * i + 2]
            dev_fields.append((dev_index, num, offset, size))
            offset += size
        q += 3 * n_dev
    return _Definition(mesg_num, big, fields, dev_fields, part), q


def _define(data: bytes, p: int, end: int, part: int, cache: dict[bytes, _Definition],
            defs: list[_Definition], wanted: frozenset[int] | None = None
            ) -> tuple[_Definition | None, int]:
    """The definition message at ``p`` and the position after it (None if it overruns).

    When ``wanted`` is given, definitions of other messages are only sized:
    the fast walk skips their data by size.  The timed walk passes None, as
    it must read every message's timestamp.
    """
    h = data[p]
    n_fields = data[p + 5] if p + 5 < end else 0
    q = p + 6 + 3 * n_fields if p + 5 < end else end + 1
    dev_start = q
    if h & 0x20:
        # the developer field count is one more byte, which must be inside the data too
        q = q + 1 + 3 * data[q] if q < end else end + 1
    if q > end:
        return None, p
    # Some devices (Suunto) repeat a definition before every message:
    # look the raw definition up before parsing it.
    key = data[p + 1:q]
    d = cache.get(key)
    if d is None:
        big = data[p + 2] == 1
        mesg_num = int.from_bytes(data[p + 3:p + 5], "big" if big else "little")
        if wanted is not None and mesg_num not in wanted:
            # Unwanted message: only its size matters.
            size = sum(data[p + 7:dev_start:3]) + (sum(data[dev_start + 2:q:3]) if h & 0x20 else 0)
            d = _Definition(mesg_num, big, [(0, 0, size, 0x0D)], [], part)
        else:
            if len(defs) >= MAX_DEFINITIONS:
                raise _DefinitionLimit
            d, _ = _parse_definition(data, p, bool(h & 0x20), part)
            defs.append(d)
        cache[key] = d
    return d, q


_TOO_MANY_DEFINITIONS = (f"more than {MAX_DEFINITIONS} distinct message definitions (at byte "
                         "{}): a damaged or hostile file")


def _walk(data: bytes, start: int, end: int, part: int, wanted: frozenset[int],
          defs: list[_Definition]) -> tuple[int, str | None, bool]:
    """Walk one FIT part's records; return (stop position, problem, saw compressed header).

    The hot loop: a 256-entry table maps a data message's header byte to the
    list its offset goes to (None for unwanted messages) and its size, so a
    message costs one table lookup and one append.
    """
    cache: dict[bytes, _Definition] = {}
    table: list[tuple[Any, int] | None] = [None] * 256
    local: dict[int, _Definition] = {}
    p = start
    while p < end:
        entry = table[data[p]]
        if entry is not None:
            append, size = entry
            if append is not None:
                append(p + 1)
            p += size
            continue
        h = data[p]
        if h & 0x80:
            return p, None, True
        if h & 0x40:
            try:
                d, q = _define(data, p, end, part, cache, defs, wanted)
            except _DefinitionLimit:
                return p, _TOO_MANY_DEFINITIONS.format(p), False
            if d is None:
                return p, f"definition at byte {p} runs past the end of the data", False
            lt = h & 0x0F
            local[lt] = d
            item = (d.offsets.append if d.mesg_num in wanted else None, d.size + 1)
            for reserved in (0x00, 0x10, 0x20, 0x30):
                table[lt | reserved] = item
            p = q
        else:
            return p, f"data message uses undefined local message {h & 0x0F} at byte {p}", False
    if p > end:
        # the last message overran the data: drop it
        for d in local.values():
            if d.offsets and d.offsets[-1] + d.size > end:
                d.offsets.pop()
        return end, f"truncated message: the data ends at byte {end}, inside a message", False
    return p, None, False


def _walk_timed(data: bytes, start: int, end: int, part: int, wanted: frozenset[int],
                defs: list[_Definition]) -> tuple[int, str | None]:
    """Walk one FIT part following the rolling timestamp of compressed-timestamp headers.

    Slower than :func:`_walk` (it reads every message's timestamp field); used
    only for files that have compressed-timestamp headers.
    """
    local: dict[int, _Definition] = {}
    cache: dict[bytes, _Definition] = {}
    last_ts = 0
    p = start
    while p < end:
        h = data[p]
        if h & 0x80:
            d = local.get((h >> 5) & 0x03)
            if d is None:
                return p, f"compressed-timestamp message uses undefined local message " \
                          f"{(h >> 5) & 0x03} at byte {p}"
            if p + 1 + d.size > end:
                return p, f"truncated message at byte {p}"
            toff = h & 0x1F
            ts = (last_ts & ~0x1F) + toff
            if toff < (last_ts & 0x1F):
                ts += 0x20
            last_ts = ts
            if d.mesg_num in wanted:
                d.offsets.append(p + 1)
                d.ts_offsets.append(ts)
            p += 1 + d.size
        elif h & 0x40:
            try:
                d, q = _define(data, p, end, part, cache, defs)
            except _DefinitionLimit:
                return p, _TOO_MANY_DEFINITIONS.format(p)
            if d is None:
                return p, f"definition at byte {p} runs past the end of the data"
            local[h & 0x0F] = d
            p = q
        else:
            d = local.get(h & 0x0F)
            if d is None:
                return p, f"data message uses undefined local message {h & 0x0F} at byte {p}"
            if p + 1 + d.size > end:
                return p, f"truncated message at byte {p}"
            if d.ts_field is not None and d.ts_field[2] == 4:
                # date_time is a uint32: a timestamp field of another size is damage
                _, off, size, _ = d.ts_field
                raw = int.from_bytes(data[p + 1 + off:p + 1 + off + size],
                                     "big" if d.big_endian else "little")
                if raw != 0xFFFFFFFF:
                    last_ts = raw
            if d.mesg_num in wanted:
                d.offsets.append(p + 1)
                d.ts_offsets.append(-1)
            p += 1 + d.size
    return p, None


def _rows(data: bytes, d: _Definition) -> np.ndarray:
    """The data messages of one definition as an (n, size) uint8 array (a view when possible)."""
    offs = np.asarray(d.offsets, dtype=np.int64)
    n = len(offs)
    buf = np.frombuffer(data, dtype=np.uint8)
    if n > 1 and np.all(np.diff(offs) == d.size + 1):
        return np.lib.stride_tricks.as_strided(buf[offs[0]:], shape=(n, d.size),
                                               strides=(d.size + 1, 1), writeable=False)
    if n == 1:
        return buf[offs[0]:offs[0] + d.size].reshape(1, d.size)
    return buf[offs[:, None] + np.arange(d.size)]


def _column(rows: np.ndarray, off: int, size: int, base: int, big: bool) -> np.ndarray:
    """Raw values of one scalar field (first element of an array field) as float64, NaN if invalid."""
    kind, invalid = _BASE_TYPES[base]
    itemsize = int(kind[1])
    raw = np.ascontiguousarray(rows[:, off:off + itemsize]).view(("<" if not big else ">") + kind)
    raw = raw.reshape(-1)
    values = raw.astype(np.float64)
    if invalid is not None:
        values[raw == invalid] = np.nan
    elif kind[0] == "f":
        values[~np.isfinite(values)] = np.nan
    return values


def _text(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("utf-8", errors="replace")


def _decode_definition(data: bytes, d: _Definition, keep: frozenset[str] | None,
                       max_strings: int = MAX_STRING_MESSAGES
                       ) -> tuple[dict[str, np.ndarray], list[dict[str, Any]]]:
    """Decode the fields named in ``keep`` (all when None) of one definition's messages.

    String and byte fields are decoded for the first ``max_strings`` messages only.
    """
    mtype = MESSAGE_TYPES.get(d.mesg_num)
    rows = _rows(data, d)
    columns: dict[str, np.ndarray] = {}
    strings: list[dict[str, Any]] = []
    string_fields = []
    expanded: dict[str, np.ndarray] = {}
    for num, off, size, base in d.fields:
        pfield = mtype.fields.get(num) if mtype is not None else None
        if pfield is None:
            if num != FIELD_TIMESTAMP:
                continue
            name, scale, offset = "timestamp", None, None
        else:
            name, scale, offset = pfield.name, pfield.scale, pfield.offset
        if keep is not None and name not in keep:
            continue
        if base not in _BASE_TYPES:
            raise FitDecodeUnsupported(f"unknown FIT base type {base} in field {name}")
        if base in (_STRING, _BYTE) or size == 0:
            if name == "compressed_speed_distance" and size == 3:
                expanded = _compressed_speed_distance(rows[:, off:off + 3])
            elif d.mesg_num != MESG_RECORD:
                string_fields.append((name, off, size, base))
            continue
        itemsize = int(_BASE_TYPES[base][0][1])
        if size % itemsize:
            # A size that is not a multiple of its type (seen from COROS) cannot be
            # read as that type; fitparse refuses the file, we only skip the field.
            continue
        values = _column(rows, off, size, base, d.big_endian)
        if scale:
            values = values / scale
        if offset:
            values = values - offset
        columns[name] = values
    # A native field wins over the same field expanded from compressed_speed_distance.
    for name, values in expanded.items():
        native = columns.get(name)
        columns[name] = values if native is None else np.where(np.isnan(native), values, native)
    for name, twin in _ENHANCED_TWINS.items():
        if name in columns and twin not in columns and mtype is not None and twin in {
                f.name for f in mtype.fields.values()}:
            columns[twin] = columns[name]
    if string_fields:
        for row in rows[:max_strings]:
            item = {}
            for name, off, size, base in string_fields:
                raw = bytes(row[off:off + size])
                item[name] = _text(raw) if base == _STRING else raw
            strings.append(item)
    columns[PART] = np.full(len(rows), float(d.part))
    if d.ts_offsets and any(t >= 0 for t in d.ts_offsets):
        ts = np.asarray(d.ts_offsets, dtype=np.float64)
        full = columns.get("timestamp", np.full(len(ts), np.nan))
        columns["timestamp"] = np.where(ts >= 0, ts, full)
    return columns, strings


def _compressed_speed_distance(raw: np.ndarray) -> dict[str, np.ndarray]:
    """Expand the 3-byte compressed_speed_distance field of old devices.

    Speed is the low 12 bits [m/s * 100]; distance the high 12 bits
    [m * 16], a rolling counter accumulated from 0 as the FIT profile's
    component definition prescribes.
    """
    b0, b1, b2 = (raw[:, i].astype(np.int64) for i in range(3))
    valid = ~((b0 == 0xFF) & (b1 == 0xFF) & (b2 == 0xFF))
    speed = (b0 | ((b1 & 0x0F) << 8)).astype(np.float64) / 100.0
    dist12 = (b1 >> 4) | (b2 << 4)
    step = np.diff(dist12, prepend=0) % 4096
    distance = np.cumsum(step).astype(np.float64) / 16.0
    speed[~valid] = np.nan
    distance[~valid] = np.nan
    return {"speed": speed, "distance": distance}


def _merge(parts: list[tuple[np.ndarray, dict[str, np.ndarray]]]) -> dict[str, np.ndarray]:
    """Concatenate column dicts of several definitions, in file order."""
    if len(parts) == 1:
        return parts[0][1]
    order = np.argsort(np.concatenate([p[0] for p in parts]), kind="stable")
    names: list[str] = []
    for _, cols in parts:
        names.extend(n for n in cols if n not in names)
    sizes = [len(offs) for offs, _ in parts]
    starts = np.concatenate(([0], np.cumsum(sizes)))
    merged = {}
    for name in names:
        column = np.full(int(starts[-1]), np.nan)
        for (_, cols), at, size in zip(parts, starts[:-1], sizes, strict=True):
            values = cols.get(name)
            if values is not None:
                column[at:at + size] = values
        merged[name] = column[order]
    return merged


def decode(data: bytes, *, messages: frozenset[int] = DEFAULT_MESSAGES,
           fields: dict[int, frozenset[str]] | None = None,
           check_crc: bool = True) -> FitMessages:
    """Decode the wanted messages of a FIT file.

    Parameters
    ----------
    data : bytes
        The whole file.
    messages : frozenset of int, optional
        Global message numbers to decode; others are skipped by size.
    fields : dict of int to frozenset of str, optional
        Per message number, the profile field names to decode; messages not
        in it have all their fields decoded.  Default :data:`DEFAULT_FIELDS`;
        ``{}`` decodes every field.
    check_crc : bool, default True
        Verify each part's CRC-16; a mismatch is reported, the data kept.

    Returns
    -------
    FitMessages

    Raises
    ------
    FitHeaderError
        If ``data`` does not start with a FIT header.
    FitDecodeUnsupported
        If the file uses something the fast path does not decode.
    """
    if not is_fit(data):
        raise FitHeaderError("no FIT header ('.FIT' signature missing)")
    result = FitMessages()
    defs: list[_Definition] = []
    pos = 0
    n = len(data)
    part = 0
    while pos < n:
        if not is_fit(data[pos:pos + 14]):
            if part > 0 and not data[pos:].strip(b"\x00"):
                break
            result.problems.append(f"chained FIT part {part + 1} at byte {pos} has a corrupt "
                                   f"header; only the first {part} part(s) were read")
            result.is_partial = True
            break
        hsize = data[pos]
        declared = int.from_bytes(data[pos + 4:pos + 8], "little")
        start = pos + hsize
        end = start + declared
        if declared == 0 and n - start > 2:
            result.problems.append("header declares no data although the file has "
                                   f"{n - start} more bytes; read them up to the end")
            result.is_partial = True
            end = n - 2
        if end + 2 > n:
            result.problems.append(f"file truncated: header declares {declared} data bytes, "
                                   f"{max(0, n - start)} present")
            result.is_partial = True
            end = n
        elif check_crc and crc16.arc(data[pos:end + 2]) != 0:
            result.problems.append("file CRC mismatch: the content may be damaged")
            result.is_partial = True
        first_def = len(defs)
        stop, problem, compressed = _walk(data, start, end, part, messages, defs)
        if compressed:
            del defs[first_def:]
            stop, problem = _walk_timed(data, start, end, part, messages, defs)
        if problem is not None:
            result.problems.append(problem + "; the messages before it were kept")
            result.is_partial = True
        part += 1
        if stop < end or end >= n - 1:
            break
        pos = end + 2
    result.n_parts = part
    _decode_all(data, defs, result, DEFAULT_FIELDS if fields is None else fields)
    return result


def _decode_all(data: bytes, defs: list[_Definition], result: FitMessages,
                fields: dict[int, frozenset[str]]) -> None:
    by_mesg: dict[int, list[tuple[np.ndarray, dict[str, np.ndarray]]]] = {}
    strings_by_mesg: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    dev_mesgs = set()
    for d in defs:
        if not d.offsets:
            continue
        budget = MAX_STRING_MESSAGES - len(strings_by_mesg.get(d.mesg_num, ()))
        columns, strings = _decode_definition(data, d, fields.get(d.mesg_num), budget)
        offs = np.asarray(d.offsets, dtype=np.int64)
        by_mesg.setdefault(d.mesg_num, []).append((offs, columns))
        if strings:
            strings_by_mesg.setdefault(d.mesg_num, []).extend(
                zip(d.offsets[:len(strings)], strings, strict=True))
        if d.dev_fields:
            dev_mesgs.add(d.mesg_num)
    for num, parts in by_mesg.items():
        mtype = MESSAGE_TYPES.get(num)
        name = mtype.name if mtype is not None else f"unknown_{num}"
        result.messages[name] = _merge(parts)
    for num, items in strings_by_mesg.items():
        mtype = MESSAGE_TYPES.get(num)
        name = mtype.name if mtype is not None else f"unknown_{num}"
        result.strings[name] = [s for _, s in sorted(items, key=lambda t: t[0])]
    if dev_mesgs:
        _decode_developer(data, [d for d in defs if d.offsets and d.mesg_num in dev_mesgs], result)


def _decode_developer(data: bytes, dev_defs: list[_Definition], result: FitMessages) -> None:
    """Decode developer fields whose field_description is in the file.

    ``dev_defs`` holds every definition of the messages that carry developer
    fields (with or without them), so rows line up with ``result.messages``.

    Descriptions are matched by (part, developer_data_index,
    field_definition_number); a field without a description is skipped.
    """
    descriptions: dict[tuple[int, int], dict[str, Any]] = {}
    numeric = result.messages.get("field_description", {})
    texts = result.strings.get("field_description", [])

    def number(name: str, i: int) -> float:
        column = numeric.get(name)
        return float("nan") if column is None else float(column[i])

    for i, text in enumerate(texts):
        index, num, base = (number("developer_data_index", i),
                            number("field_definition_number", i), number("fit_base_type_id", i))
        if np.isnan(index) or np.isnan(num) or np.isnan(base):
            continue
        descriptions[(int(index), int(num))] = {
            "name": text.get("field_name", "") or f"developer_{int(index)}_{int(num)}",
            "units": text.get("units", ""),
            "base": int(base) & 0x1F,
            "scale": number("scale", i),
            "offset": number("offset", i),
        }
    by_mesg: dict[int, list[tuple[np.ndarray, dict[str, np.ndarray]]]] = {}
    for d in dev_defs:
        rows = _rows(data, d) if d.dev_fields else None
        cols: dict[str, np.ndarray] = {}
        for dev_index, num, off, size in d.dev_fields:
            desc = descriptions.get((dev_index, num))
            if desc is None or desc["base"] not in _BASE_TYPES or desc["base"] in (_STRING, _BYTE):
                continue
            itemsize = int(_BASE_TYPES[desc["base"]][0][1])
            if size < itemsize or size % itemsize:
                continue
            values = _column(rows, off, size, desc["base"], d.big_endian)
            if desc["scale"] == desc["scale"] and desc["scale"]:
                values = values / desc["scale"]
            if desc["offset"] == desc["offset"] and desc["offset"]:
                values = values - desc["offset"]
            cols[desc["name"]] = values
            result.developer_units[desc["name"]] = desc["units"]
        offs = np.asarray(d.offsets, dtype=np.int64)
        by_mesg.setdefault(d.mesg_num, []).append((offs, cols or {"": np.full(len(offs), np.nan)}))
    for num, parts in by_mesg.items():
        mtype = MESSAGE_TYPES.get(num)
        name = mtype.name if mtype is not None else f"unknown_{num}"
        merged = _merge(parts)
        merged.pop("", None)
        if merged:
            result.developer[name] = merged
