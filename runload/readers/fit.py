"""FIT activity files -> runload sessions and streams.

The bytes are decoded by runload's fast decoder
(:mod:`runload.readers.fit_decode`); a file the fast path cannot decode is
decoded by fitparse instead, into the same intermediate form, so one mapping
serves both and the session row's ``decoder`` says which one read it.

Mapping rules
-------------
* One session row per FIT ``session`` message; ``transition`` legs of a
  multisport file are dropped.  Records belong to the last session that
  started at or before them (a multisport file's records are one stream).
* A file with records but no session message (a watch that died, a truncated
  file) gets one session summarised from its records, marked partial.
* Times: FIT ``date_time`` counts seconds from 1989-12-31T00:00:00Z; values
  below 0x10000000 are seconds since the device was switched on, not dates, and
  give ``start_utc`` NaT (durations are still known).
* Local offset: ``activity.local_timestamp - activity.timestamp`` when both
  are real dates and the difference is within 14 h of UTC and within 2 min of
  a whole quarter hour (devices stamp the two fields a second apart); it is
  then rounded to the quarter hour.  Otherwise the offset is unknown.
* Enhanced fields (``enhanced_speed``, ``enhanced_altitude``...) are preferred
  to their 16-bit legacy twins; a field holding FIT's invalid value is missing.
* Cadence of foot sports is stored per leg (strides/min) in FIT: steps/min is
  ``2 * (cadence + fractional_cadence)``.
* Power: native ``power``, else a developer field named ``Power`` in watts
  (Stryd's Connect IQ field).
* Temperature (the device's sensor, degrees Celsius): the session's
  ``avg_temperature`` and ``max_temperature``, each else the mean or maximum of
  the records' ``temperature``.
* A session whose sport is ``generic`` (unspecified) is taken as running when
  its records look like running
  (:func:`runload.readers.sports.running_evidence`).
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import numpy as np
import pandas as pd
from fitparse import FitFile
from fitparse.base import FitParseError
from fitparse.profile import FIELD_TYPES, MESSAGE_TYPES

from runload.errors import CorruptFileError, NotAnActivityError
from runload.readers import fit_decode, track
from runload.readers.fit_decode import FIT_EPOCH_S, FIT_MIN_DATE, FitMessages
from runload.readers.parsed import ParsedFile
from runload.readers.sports import FOOT_SPORTS, fit_sport, fit_sport_label, running_evidence
from runload.schema import stream_frame

FILE_TYPE_ACTIVITY = 4
SPORT_TRANSITION = 3
_SEMICIRCLE_DEG = 180.0 / 2**31
_MAX_OFFSET_S = 14 * 3600
_QUARTER_HOUR_S = 900
_OFFSET_SLACK_S = 120
_GARMIN_PRODUCT_MAKERS = {1, 13, 15}  # garmin, dynastream_oem, dynastream (profile subfield refs)
_FILE_TYPES = FIELD_TYPES["file"].values
_MANUFACTURERS = FIELD_TYPES["manufacturer"].values
_GARMIN_PRODUCTS = FIELD_TYPES["garmin_product"].values
_POWER_UNITS = {"w", "watt", "watts"}
#: What fitparse raises on damaged input.  Besides its own FitParseError, it trusts
#: the field layout it reads: a date_time field defined as an array reaches its
#: processor as a tuple (TypeError), a field_description naming an unknown base type
#: is looked up as is (KeyError), a time of day out of range reaches datetime.time
#: (ValueError).  Found by tests/readers/test_fuzz.py; each is the decoding of a
#: damaged file failing, so it ends the fallback decode like FitParseError does.
_FITPARSE_FAILURES = (FitParseError, KeyError, TypeError, ValueError)


def parse_fit(data: bytes, path: str) -> ParsedFile:
    """Read a FIT activity file.

    Parameters
    ----------
    data : bytes
        The whole (decompressed) file.
    path : str
        Where the bytes came from; used in messages only.

    Returns
    -------
    ParsedFile
        One session per non-transition FIT session, with its streams.

    Raises
    ------
    CorruptFileError
        If the bytes are not a FIT file, or hold nothing readable.
    NotAnActivityError
        If the file is a valid FIT file of another type (monitoring, settings,
        course...), or an activity file with no session and no record.
    """
    if not fit_decode.is_fit(data):
        reason = "empty file (0 bytes)" if not data else "not a FIT file (no '.FIT' header)"
        raise CorruptFileError(path, reason)
    try:
        messages = fit_decode.decode(data)
        decoder = "runload-fit"
    except fit_decode.FitDecodeUnsupported as exc:
        messages = _decode_with_fitparse(data, path, exc)
        decoder = "fitparse"
    return _to_parsed(messages, decoder, path, len(data))


def file_type(data: bytes) -> str | None:
    """The FIT ``file_id.type`` name of a FIT file, reading only its first messages.

    Returns None when the file has no file_id message.  Cheap: used to skip
    monitoring and settings files without decoding them.
    """
    head = data[:4096] if len(data) > 4096 else data
    try:
        msgs = fit_decode.decode(head, messages=frozenset({fit_decode.MESG_FILE_ID}),
                                 check_crc=False)
    except (fit_decode.FitHeaderError, fit_decode.FitDecodeUnsupported):
        return None
    types = msgs.messages.get("file_id", {}).get("type")
    if types is None or not len(types) or np.isnan(types[0]):
        return None
    return _FILE_TYPES.get(int(types[0]), f"unknown_{int(types[0])}")


# ---------------------------------------------------------------------------
# fallback decoder


def _decode_with_fitparse(data: bytes, path: str, why: Exception) -> FitMessages:
    """Decode with fitparse into the fast decoder's form (raw enums, FIT seconds)."""
    wanted = {MESSAGE_TYPES[n].name for n in fit_decode.DEFAULT_MESSAGES}
    rows: dict[str, list[dict[str, Any]]] = {}
    dev_rows: dict[str, list[dict[str, float]]] = {}
    result = FitMessages(problems=[f"fast decoder: {why}; read with fitparse"])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitfile = FitFile(io.BytesIO(data), check_crc=False)
            for message in fitfile.get_messages(list(wanted)):
                values: dict[str, Any] = {}
                dev: dict[str, float] = {}
                for fd in message.fields:
                    if fd.raw_value is None or isinstance(fd.raw_value, tuple):
                        continue
                    if getattr(fd.field_def, "dev_data_index", None) is not None:
                        if isinstance(fd.value, int | float):
                            dev.setdefault(fd.name, float(fd.value))
                            result.developer_units[fd.name] = fd.units or ""
                        continue
                    name = fd.parent_field.name if fd.parent_field is not None else fd.name
                    if isinstance(fd.value, str | bytes):
                        values.setdefault(name, fd.value)
                    elif fd.field is not None and fd.field.type.name in ("date_time",
                                                                         "local_date_time"):
                        values.setdefault(name, float(fd.raw_value))
                    elif isinstance(fd.value, int | float):
                        values.setdefault(name, float(fd.value))
                    elif isinstance(fd.raw_value, int):  # enum rendered to a name
                        values.setdefault(name, float(fd.raw_value))
                rows.setdefault(message.name, []).append(values)
                dev_rows.setdefault(message.name, []).append(dev)
    except _FITPARSE_FAILURES as exc:
        if not rows:
            raise CorruptFileError(path, f"FIT file unreadable: {exc}") from exc
        result.problems.append(f"fitparse stopped: {exc}; the messages before it were kept")
        result.is_partial = True
    for name, items in rows.items():
        numeric = {k for item in items for k, v in item.items() if isinstance(v, float)}
        result.messages[name] = {k: _floats([item.get(k) for item in items])
                                 for k in numeric}
        texts = [{k: v for k, v in item.items() if not isinstance(v, float)} for item in items]
        if any(texts):
            result.strings[name] = texts
    for name, items in dev_rows.items():
        keys = {k for item in items for k in item}
        if keys:
            result.developer[name] = {k: _floats([item.get(k) for item in items])
                                      for k in keys}
    return result


def _floats(values: list[Any]) -> np.ndarray:
    """Floats as an array, NaN for the rest: a missing field, a text where a damaged
    file's other messages had a number, and (as in the fast decoder) inf and NaN."""
    array = np.array([v if isinstance(v, float) else np.nan for v in values], dtype=np.float64)
    array[~np.isfinite(array)] = np.nan
    return array


# ---------------------------------------------------------------------------
# mapping


def _first(columns: dict[str, np.ndarray], *names: str, index: int = 0) -> float:
    """First non-missing value among ``names`` at row ``index`` (NaN if none)."""
    for name in names:
        column = columns.get(name)
        if column is not None and index < len(column) and not np.isnan(column[index]):
            return float(column[index])
    return float("nan")


def _prefer(columns: dict[str, np.ndarray], n: int, *names: str) -> np.ndarray:
    """Per-row first non-missing value among ``names`` (enhanced before legacy)."""
    out = np.full(n, np.nan)
    for name in reversed(names):
        column = columns.get(name)
        if column is not None:
            out = np.where(np.isnan(column), out, column)
    return out


def _int_or_none(value: float) -> int | None:
    return None if np.isnan(value) else int(value)


def _utc_offset_s(activity: dict[str, np.ndarray], part: float) -> int | None:
    """Validated ``local_timestamp - timestamp`` of the activity message [s].

    Each chained FIT file has its own activity message: the one of the
    session's own part is used, else the file's only one.
    """
    parts = activity.get(fit_decode.PART)
    index = 0
    if parts is not None and len(parts) > 1:
        same = np.flatnonzero(parts == part)
        if not len(same):
            return None
        index = int(same[0])
    local = _first(activity, "local_timestamp", index=index)
    stamp = _first(activity, "timestamp", index=index)
    if np.isnan(local) or np.isnan(stamp) or local < FIT_MIN_DATE or stamp < FIT_MIN_DATE:
        return None
    offset = local - stamp
    rounded = round(offset / _QUARTER_HOUR_S) * _QUARTER_HOUR_S
    if abs(rounded) > _MAX_OFFSET_S or abs(offset - rounded) > _OFFSET_SLACK_S:
        return None
    return int(rounded)


def _device_file_id(messages: FitMessages) -> str:
    """'manufacturer:serial_number:time_created' of the file_id, '' when incomplete."""
    file_id = messages.messages.get("file_id", {})
    parts = [_int_or_none(_first(file_id, name))
             for name in ("manufacturer", "serial_number", "time_created")]
    if any(p is None for p in parts) or not parts[1]:
        return ""
    return ":".join(str(p) for p in parts)


def _device(messages: FitMessages) -> tuple[str, str]:
    file_id = messages.messages.get("file_id", {})
    maker = _int_or_none(_first(file_id, "manufacturer"))
    product = _int_or_none(_first(file_id, "product"))
    texts = messages.strings.get("file_id") or [{}]
    name = str(texts[0].get("product_name", "") or "")
    maker_name = "" if maker is None else _MANUFACTURERS.get(maker, str(maker))
    if name:
        product_name = name
    elif product is None:
        product_name = ""
    elif maker in _GARMIN_PRODUCT_MAKERS:
        product_name = _GARMIN_PRODUCTS.get(product, str(product))
    else:
        product_name = str(product)
    return maker_name, product_name


def _developer_power(messages: FitMessages, n: int) -> np.ndarray | None:
    dev = messages.developer.get("record", {})
    for name, values in dev.items():
        units = messages.developer_units.get(name, "").strip().lower()
        if name.strip().lower() == "power" and units in _POWER_UNITS and len(values) == n:
            return values
    return None


def _record_arrays(messages: FitMessages) -> dict[str, np.ndarray]:
    rec = messages.messages.get("record", {})
    n = messages.count("record")
    if n == 0:
        return {}
    power = rec.get("power")
    dev_power = _developer_power(messages, n)
    if dev_power is not None:
        power = dev_power if power is None else np.where(np.isnan(power), dev_power, power)
    cadence = rec.get("cadence")
    if cadence is not None:
        frac = rec.get("fractional_cadence")
        cadence = cadence + (0.0 if frac is None else np.nan_to_num(frac))
    return {
        "timestamp": rec.get("timestamp", np.full(n, np.nan)),
        "lat_deg": rec.get("position_lat", np.full(n, np.nan)) * _SEMICIRCLE_DEG,
        "lon_deg": rec.get("position_long", np.full(n, np.nan)) * _SEMICIRCLE_DEG,
        "distance_m": rec.get("distance", np.full(n, np.nan)),
        "speed_mps": _prefer(rec, n, "enhanced_speed", "speed"),
        "altitude_m": _prefer(rec, n, "enhanced_altitude", "altitude"),
        "hr_bpm": rec.get("heart_rate", np.full(n, np.nan)),
        "cadence_per_leg": np.full(n, np.nan) if cadence is None else cadence,
        "temperature_c": rec.get("temperature", np.full(n, np.nan)),
        "power_w": np.full(n, np.nan) if power is None else power,
    }


def _nanmean(values: np.ndarray) -> float:
    return float(np.nanmean(values)) if np.any(~np.isnan(values)) else float("nan")


def _nanmax(values: np.ndarray) -> float:
    return float(np.nanmax(values)) if np.any(~np.isnan(values)) else float("nan")


def _session_rows(messages: FitMessages, limit: int) -> list[dict[str, float]]:
    """The first ``limit`` session messages as dicts of raw columns (empty when none)."""
    sessions = messages.messages.get("session", {})
    n = min(messages.count("session"), limit)
    return [{k: float(v[i]) for k, v in sessions.items()} for i in range(n)]


#: date_time fields runload reads, per message.
_DATE_FIELDS = {"record": ("timestamp",), "session": ("start_time", "timestamp"),
                "activity": ("timestamp", "local_timestamp"), "file_id": ("time_created",)}
#: Largest valid FIT date_time: a uint32, 0xFFFFFFFF being its invalid value.
_MAX_DATE_TIME = 0xFFFFFFFE


def _clean_dates(messages: FitMessages) -> None:
    """Make date_time values that no uint32 can hold missing.

    A damaged definition can give a date_time field another base type (a
    float, a sint64); its values are then not FIT times.
    """
    for mesg, names in _DATE_FIELDS.items():
        columns = messages.messages.get(mesg, {})
        for name in names:
            values = columns.get(name)
            if values is not None:
                with np.errstate(invalid="ignore"):
                    valid = (values >= 0) & (values <= _MAX_DATE_TIME)
                columns[name] = np.where(valid, values, np.nan)


def _to_parsed(messages: FitMessages, decoder: str, path: str, n_bytes: int) -> ParsedFile:
    _clean_dates(messages)
    problems = list(messages.problems)
    file_id = messages.messages.get("file_id", {})
    ftype = _int_or_none(_first(file_id, "type"))
    if ftype is not None and ftype != FILE_TYPE_ACTIVITY:
        raise NotAnActivityError(
            path, f"FIT file of type '{_FILE_TYPES.get(ftype, ftype)}', not an activity")
    if ftype is None and not file_id:
        problems.append("no file_id message")
    records = _record_arrays(messages)
    n_rec = len(records.get("timestamp", ()))
    limit = track.session_limit(n_bytes)
    sessions = _session_rows(messages, limit)
    n_sessions = messages.count("session")
    # every session's start places the records, also of sessions past the limit
    starts = messages.messages.get("session", {}).get("start_time", np.full(n_sessions, np.nan))
    synthesised = False
    if not sessions:
        if n_rec == 0:
            raise NotAnActivityError(path, "FIT activity file with no session and no record")
        synthesised = True
        problems.append("no session message; summary computed from the records")
        ts = records["timestamp"]
        start = _nanmin_or_nan(ts)
        sport_row = messages.messages.get("sport", {})
        sessions = [{"start_time": start,
                     "sport": _first(sport_row, "sport"), "sub_sport": _first(sport_row, "sub_sport"),
                     "total_elapsed_time": _nanmax(ts) - start}]
        starts, n_sessions = np.array([start]), 1
    activity = messages.messages.get("activity", {})
    maker, product = _device(messages)
    file_identity = _device_file_id(messages)
    sport_names = messages.strings.get("sport") or []
    sport_name = str(sport_names[0].get("name", "")) if sport_names else ""

    owner = _record_owner(records.get("timestamp", np.empty(0)), starts)
    # Records in file order, grouped by session: one sort, not one scan per session.
    by_owner = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[by_owner], np.arange(n_sessions + 1))
    partial = messages.is_partial or synthesised
    if n_sessions > limit:
        # the records of the sessions left out are left out with them
        problems.append(track.session_limit_note(n_sessions, limit))
        partial = True
    out_sessions: list[dict[str, Any]] = []
    streams: list[pd.DataFrame] = []
    for i, s in enumerate(sessions):
        sport_num = _int_or_none(s.get("sport", np.nan))
        sub_num = _int_or_none(s.get("sub_sport", np.nan))
        if sport_num == SPORT_TRANSITION:
            continue
        sport, sub_sport = fit_sport(sport_num, sub_num)
        label = fit_sport_label(sport_num, sub_num)
        mine = by_owner[bounds[i]:bounds[i + 1]]
        rec = {k: v[mine] for k, v in records.items()} if n_rec else {}
        inferred = (running_evidence(rec["cadence_per_leg"], rec["speed_mps"])
                    if sport == "generic" and rec else "")
        if inferred:
            sport = "running"
        if sport_name and (sport.startswith("unknown_") or sub_sport.startswith("unknown_")):
            label = f"{label} ({sport_name})"
        row, stream = _session(s, rec, sport, partial)
        offset = _utc_offset_s(activity, s.get(fit_decode.PART, 0.0))
        row.update(sport=sport, sub_sport=sub_sport, sport_label=label, name="",
                   device_manufacturer=maker, device_product=product,
                   device_file_id=file_identity,
                   utc_offset_s=offset, tz_source="fit_local_timestamp" if offset is not None else "")
        notes = list(problems)
        if inferred:
            notes.append(inferred)
        if row.pop("_relative_time"):
            notes.append("device-relative timestamps (no calendar date in the file)")
        row["notes"] = "; ".join(notes)
        out_sessions.append(row)
        streams.append(stream)
    if not out_sessions:
        raise NotAnActivityError(path, "FIT file holds only transition sessions")
    return ParsedFile(sessions=tuple(out_sessions), streams=tuple(streams), decoder=decoder,
                      problems=tuple(problems), is_partial=partial)


def _nanmin_or_nan(values: np.ndarray) -> float:
    return float(np.nanmin(values)) if np.any(~np.isnan(values)) else float("nan")


def _record_owner(timestamps: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Index of the session each record belongs to: the last one started at or before it."""
    if len(starts) == 1 or len(timestamps) == 0:
        return np.zeros(len(timestamps), dtype=np.int64)
    order = np.argsort(np.where(np.isnan(starts), -np.inf, starts), kind="stable")
    sorted_starts = np.where(np.isnan(starts), -np.inf, starts)[order]
    pos = np.searchsorted(sorted_starts, np.nan_to_num(timestamps, nan=-np.inf), side="right") - 1
    return order[np.clip(pos, 0, len(order) - 1)]


def _session(s: dict[str, float], rec: dict[str, np.ndarray], sport: str,
             partial: bool) -> tuple[dict[str, Any], pd.DataFrame]:
    n = len(rec.get("timestamp", ()))
    ts = rec.get("timestamp", np.empty(0))
    start = s.get("start_time", np.nan)
    if np.isnan(start) and n:
        start = _nanmin_or_nan(ts)
    relative = not np.isnan(start) and start < FIT_MIN_DATE
    start_utc = (pd.NaT if np.isnan(start) or relative
                 else pd.Timestamp(int(start) + FIT_EPOCH_S, unit="s", tz="UTC"))
    foot = sport in FOOT_SPORTS
    cadence = rec["cadence_per_leg"] * 2.0 if (n and foot) else np.full(n, np.nan)
    elapsed = s.get("total_elapsed_time", np.nan)
    timer = s.get("total_timer_time", np.nan)
    distance = s.get("total_distance", np.nan)
    if np.isnan(distance) and n:
        # record distance is cumulative from the session start
        distance = _nanmax(rec["distance_m"])
    avg_speed = _first_value(s, "enhanced_avg_speed", "avg_speed")
    if np.isnan(avg_speed) and not np.isnan(distance) and timer and timer > 0:
        avg_speed = distance / timer
    avg_cad = _first_value(s, "avg_cadence")
    if foot and not np.isnan(avg_cad):
        avg_cad = 2.0 * (avg_cad + np.nan_to_num(s.get("avg_fractional_cadence", np.nan)))
    elif not foot:
        avg_cad = float("nan")
    if np.isnan(avg_cad) and n and foot:
        avg_cad = _nanmean(cadence)
    avg_power = _first_value(s, "avg_power")
    if np.isnan(avg_power) and n:
        avg_power = _nanmean(rec["power_w"])
    avg_hr = _first_value(s, "avg_heart_rate")
    max_hr = _first_value(s, "max_heart_rate")
    if n and np.isnan(avg_hr):
        avg_hr = _nanmean(rec["hr_bpm"])
    if n and np.isnan(max_hr):
        max_hr = _nanmax(rec["hr_bpm"])
    avg_temperature = _first_value(s, "avg_temperature")
    max_temperature = _first_value(s, "max_temperature")
    if n and np.isnan(avg_temperature):
        avg_temperature = _nanmean(rec["temperature_c"])
    if n and np.isnan(max_temperature):
        max_temperature = _nanmax(rec["temperature_c"])
    row: dict[str, Any] = {
        "start_utc": start_utc,
        "elapsed_s": elapsed,
        "timer_s": timer,
        "distance_m": distance,
        "ascent_m": _first_value(s, "total_ascent"),
        "descent_m": _first_value(s, "total_descent"),
        "avg_hr_bpm": avg_hr,
        "max_hr_bpm": max_hr,
        "avg_cadence_spm": avg_cad,
        "avg_temperature_c": avg_temperature,
        "max_temperature_c": max_temperature,
        "avg_speed_mps": avg_speed,
        "max_speed_mps": _first_value(s, "enhanced_max_speed", "max_speed"),
        "avg_power_w": avg_power,
        "calories_kcal": _first_value(s, "total_calories"),
        "has_gps": bool(n and np.any(~np.isnan(rec["lat_deg"]))),
        "has_hr": bool((n and np.any(~np.isnan(rec["hr_bpm"]))) or not np.isnan(avg_hr)),
        "has_power": bool(n and np.any(~np.isnan(rec["power_w"]))),
        "is_manual": n == 0,
        "is_partial": partial,
        "n_records": n,
        "_relative_time": relative,
    }
    if n == 0:
        return row, stream_frame()
    elapsed_rec = ts - (start if not np.isnan(start) else _nanmin_or_nan(ts))
    time_utc = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    if not relative:
        dated = ~np.isnan(ts) & (ts >= FIT_MIN_DATE)
        time_utc[dated] = ((ts[dated].astype(np.int64) + FIT_EPOCH_S) * 1_000_000).astype(
            "datetime64[us]")
    stream = stream_frame(
        time_utc=time_utc, elapsed_s=elapsed_rec, lat_deg=rec["lat_deg"], lon_deg=rec["lon_deg"],
        distance_m=rec["distance_m"], speed_mps=rec["speed_mps"], altitude_m=rec["altitude_m"],
        hr_bpm=rec["hr_bpm"], cadence_spm=cadence, temperature_c=rec["temperature_c"],
        power_w=rec["power_w"])
    return row, stream


def _first_value(s: dict[str, float], *names: str) -> float:
    for name in names:
        value = s.get(name, np.nan)
        if not np.isnan(value):
            return float(value)
    return float("nan")
