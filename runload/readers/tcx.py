"""Read TCX (Garmin Training Center Database v2) files into sessions and streams.

The standard library's XML parser reads the file (see
:func:`runload.readers.track.parse_xml_tolerant`): undeclared prefixes are
bound, and a damaged file keeps what precedes the damage.  Elements are
matched by local name, whatever their namespace or prefix: vendors write the
``TPX`` extension under a declared prefix, as a default namespace, or with no
namespace at all, and TCX names are unambiguous.

Rules
-----
Sessions
    One session per ``Activity`` (also inside ``MultiSportSession``), in file
    order.  ``Sport`` (``Running``, ``Biking``, ``Other``, any case) goes
    through :func:`runload.readers.sports.text_sport`.
Time
    ``start_utc`` is the earliest of the activity ``Id``, the lap start times
    and the trackpoint times.  A written offset (``+01:00``) at the start is
    ``utc_offset_s`` with ``tz_source='file_offset'``; ``Z`` gives none.
    ``timer_s`` is the sum of lap ``TotalTimeSeconds`` (the device timer);
    ``elapsed_s`` runs from the start to the later of the last trackpoint and
    the last lap's end.
Distance
    The sum of lap ``DistanceMeters``, the device's own figure.  Without lap
    distances, the last trackpoint ``DistanceMeters``; without those, the
    haversine length of the positions (see :mod:`runload.readers.track`).  A
    trackpoint distance more than 1 % away from the lap total is noted.
Heart rate, calories, speed
    Lap averages weighted by lap time, lap maxima and summed ``Calories``
    (a total of 0 is unknown: NaN); trackpoints fill in when laps lack them.
Cadence
    For foot sports, ``TPX/RunCadence`` (else the trackpoint ``Cadence``
    that Polar and Suunto write for runs) counts one leg and is doubled,
    unless the values are already steps per minute (see
    :func:`runload.readers.track.steps_per_min`).  ``Cadence`` of other
    sports is pedal rpm, not steps: NaN.
Numbers
    Text that is no finite number (``null``, ``inf``, ``1e309``) is a
    missing value; a position outside +-90 deg latitude or +-180 deg
    longitude is missing, as in GPX.
Damage
    A file cut short, or missing its ``TrainingCenterDatabase`` root, gives
    the activities read before the damage; the file and every session are
    marked partial.  A file with more activities than
    :func:`runload.readers.track.session_limit` gives the first ones and is
    partial.  A document with a DTD is refused (CorruptFileError; see
    :mod:`runload.readers.track`, Hostile XML).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from runload import schema
from runload.errors import CorruptFileError, NotAnActivityError
from runload.readers import track
from runload.readers.parsed import ParsedFile
from runload.readers.sports import FOOT_SPORTS, text_sport

#: Relative difference above which trackpoint and lap distances are reported.
DISTANCE_TOLERANCE_FRAC = 0.01

#: Trackpoint fields (local names, after flattening Position, HeartRateBpm
#: and Extensions) -> column of the per-point array.
_POINT_FIELDS = {"LatitudeDegrees": 0, "LongitudeDegrees": 1, "AltitudeMeters": 2,
                 "DistanceMeters": 3, "Value": 4, "Cadence": 5,
                 "RunCadence": 6, "Speed": 7, "Watts": 8}
_N_FIELDS = 9
_CONTAINERS = frozenset({"Position", "HeartRateBpm", "Extensions", "TPX"})

_local_names: dict[str, str] = {}
#: Tags memoised at most: the memo lives as long as the process, and a hostile file
#: could bring a million distinct tags.
_MAX_LOCAL_NAMES = 4096


def _local(tag: str) -> str:
    """Local name of a tag, memoised: a file repeats a few dozen tags."""
    name = _local_names.get(tag)
    if name is None:
        name = track.local_name(tag)
        if len(_local_names) < _MAX_LOCAL_NAMES:
            _local_names[tag] = name
    return name


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if _local(c.tag) == name]


def _text(element: ET.Element, *path: str) -> str | None:
    """Text of the first element down ``path`` (local names), or None."""
    for name in path:
        found = next((c for c in element if _local(c.tag) == name), None)
        if found is None:
            return None
        element = found
    return element.text.strip() if element.text else None


def _number(text: str | None) -> float:
    return track.number(text)


@dataclass
class _Lap:
    start: str | None
    timer_s: float
    distance_m: float
    max_speed_mps: float
    calories_kcal: float
    avg_hr_bpm: float
    max_hr_bpm: float
    avg_run_cadence: float
    avg_power_w: float


@dataclass
class _Activity:
    sport_label: str
    id_text: str | None
    device_product: str
    laps: list[_Lap] = field(default_factory=list)
    times: list[str | None] = field(default_factory=list)
    values: list[list[float]] = field(default_factory=list)
    piece: list[int] = field(default_factory=list)


def _read_lap(lap: ET.Element) -> _Lap:
    return _Lap(
        start=lap.get("StartTime"),
        timer_s=_number(_text(lap, "TotalTimeSeconds")),
        distance_m=_number(_text(lap, "DistanceMeters")),
        max_speed_mps=_number(_text(lap, "MaximumSpeed")),
        calories_kcal=_number(_text(lap, "Calories")),
        avg_hr_bpm=_number(_text(lap, "AverageHeartRateBpm", "Value")),
        max_hr_bpm=_number(_text(lap, "MaximumHeartRateBpm", "Value")),
        avg_run_cadence=_number(_text(lap, "Extensions", "LX", "AvgRunCadence")),
        avg_power_w=_number(_text(lap, "Extensions", "LX", "AvgWatts")))


def _read_activity(element: ET.Element) -> _Activity:
    activity = _Activity(sport_label=element.get("Sport", ""),
                         id_text=_text(element, "Id"),
                         device_product=_text(element, "Creator", "Name") or "")
    piece = 0
    for lap in _children(element, "Lap"):
        activity.laps.append(_read_lap(lap))
        # A Garmin device starts a new <Track> after a stop: a pause.
        for trk in _children(lap, "Track"):
            for point in trk:
                if _local(point.tag) != "Trackpoint":
                    continue
                row = [np.nan] * _N_FIELDS
                time_text = None
                stack = list(point)
                while stack:
                    child = stack.pop()
                    name = _local(child.tag)
                    if name == "Time":
                        time_text = child.text
                    elif name in _CONTAINERS:
                        stack.extend(child)
                    else:
                        column = _POINT_FIELDS.get(name)
                        if column is not None:
                            row[column] = _number(child.text)
                activity.times.append(time_text)
                activity.values.append(row)
                activity.piece.append(piece)
            piece += 1
    return activity


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    ok = np.isfinite(values) & np.isfinite(weights) & (weights > 0)
    if not ok.any():
        return np.nan
    # Damaged laps can hold absurd values (1e300 s); their product overflows to inf,
    # which is a missing value here, not a warning for the user.
    with np.errstate(over="ignore", invalid="ignore"):
        mean = float(np.average(values[ok], weights=weights[ok]))
    return mean if np.isfinite(mean) else np.nan


def _max(values: np.ndarray) -> float:
    """Largest value that is not NaN, else NaN (without numpy's warning)."""
    values = values[~np.isnan(values)]
    return float(values.max()) if len(values) else np.nan


def _first(*values: float) -> float:
    """The first value that is not NaN, else NaN."""
    return next((v for v in values if not np.isnan(v)), np.nan)


def _session(activity: _Activity) -> tuple[dict, pd.DataFrame]:
    notes: list[str] = []
    sport, sub_sport = text_sport(activity.sport_label)
    n = len(activity.times)
    values = np.array(activity.values, dtype=float).reshape(n, _N_FIELDS)
    lat, lon, altitude, point_distance, hr, cadence, run_cadence, speed, power = values.T
    outside = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    lat[outside] = lon[outside] = np.nan
    piece = np.array(activity.piece, dtype=np.int64)

    points = track.parse_iso_times(activity.times)
    marks = track.parse_iso_times([activity.id_text, *(lap.start for lap in activity.laps)])
    broken = track.implausible_times(points.utc)
    if broken.any():
        notes.append(f"{int(broken.sum())} of {n} trackpoint times are outside 1990-2099 "
                     "(a broken clock) and were not used")
        points.utc[broken] = np.datetime64("NaT")
    marks.utc[track.implausible_times(marks.utc)] = np.datetime64("NaT")
    if points.n_unreadable:
        notes.append(f"{points.n_unreadable} trackpoint times could not be read")
    if points.n_without_zone or marks.n_without_zone:
        notes.append("times carry no time zone and were read as UTC")

    every = np.concatenate([marks.utc, points.utc])
    every_offset = np.concatenate([marks.offset_s, points.offset_s])
    known = ~np.isnat(every)
    start = every[known].min() if known.any() else np.datetime64("NaT")
    offset = every_offset[np.flatnonzero(every == start)[0]] if known.any() else np.nan
    elapsed = track.seconds_between(points.utc, start) if known.any() else np.full(n, np.nan)

    lap_timer = np.array([lap.timer_s for lap in activity.laps], dtype=float)
    lap_start_s = track.seconds_between(marks.utc[1:], start) if known.any() else lap_timer * np.nan
    ends = np.concatenate([elapsed, lap_start_s + lap_timer])
    elapsed_s = float(np.nanmax(ends)) if (~np.isnan(ends)).any() else np.nan
    if (~np.isnan(lap_timer)).any():
        timer_s = float(np.nansum(lap_timer))
    else:
        timer_s = elapsed_s
        if not np.isnan(timer_s):
            notes.append("the laps have no TotalTimeSeconds: timer time is the elapsed time")
    if not known.any():
        notes.append("the activity has no usable times: no start or duration")

    has_gps = bool((~np.isnan(lat) & ~np.isnan(lon)).any())
    route = track.track_distance(lat, lon, elapsed_s=elapsed, piece=piece)
    if (~np.isnan(point_distance)).any():
        stream_distance = point_distance
        record_distance = float(point_distance[~np.isnan(point_distance)][-1])
        record_source = "trackpoint DistanceMeters"
    elif has_gps:
        stream_distance = route.cumulative_m
        record_distance = float(route.cumulative_m[-1])
        record_source = "the trackpoint positions"
        if route.n_jumps:
            notes.append(f"{route.n_jumps} GPS jump(s) left out of the position distance")
    else:
        stream_distance = np.full(n, np.nan)
        record_distance = np.nan
        record_source = ""
    lap_distance = np.array([lap.distance_m for lap in activity.laps], dtype=float)
    if (~np.isnan(lap_distance)).any():
        distance_m = float(np.nansum(lap_distance))
        if (record_source and abs(record_distance - distance_m)
                > DISTANCE_TOLERANCE_FRAC * max(record_distance, distance_m)):
            notes.append(f"{record_source} give {record_distance:.0f} m but the laps total "
                         f"{distance_m:.0f} m; the lap total is used")
    else:
        distance_m = record_distance

    raw_cadence = np.where(np.isnan(run_cadence), cadence, run_cadence)
    cadence_spm, cadence_note = track.steps_per_min(raw_cadence, sport, FOOT_SPORTS)
    if cadence_note:
        notes.append(cadence_note)
    stats = track.record_summary(hr_bpm=hr, cadence_spm=cadence_spm, power_w=power,
                                 speed_mps=speed)
    lap_value = {name: np.array([getattr(lap, name) for lap in activity.laps], dtype=float)
                 for name in ("avg_hr_bpm", "max_hr_bpm", "max_speed_mps", "calories_kcal",
                              "avg_run_cadence", "avg_power_w")}
    lap_cadence, _ = track.steps_per_min(lap_value["avg_run_cadence"], sport, FOOT_SPORTS)
    avg_hr = _first(_weighted_mean(lap_value["avg_hr_bpm"], lap_timer), stats["avg_hr_bpm"])
    max_hr = _first(_max(lap_value["max_hr_bpm"]), stats["max_hr_bpm"])
    max_speed = _first(_max(lap_value["max_speed_mps"]), stats["max_speed_mps"])
    calories = lap_value["calories_kcal"]
    # Suunto writes <Calories>0</Calories> on every lap when it has no
    # estimate; zero energy for a recorded activity means "unknown".
    calories_kcal = float(np.nansum(calories)) if np.nansum(calories) > 0 else np.nan
    ascent_m, descent_m = track.ascent_descent_m(altitude)
    session = {
        "sport": sport, "sub_sport": sub_sport, "sport_label": activity.sport_label, "name": "",
        "start_utc": pd.Timestamp(start, tz="UTC") if known.any() else None,
        "utc_offset_s": None if np.isnan(offset) else int(offset),
        "tz_source": "" if np.isnan(offset) else "file_offset",
        "elapsed_s": elapsed_s, "timer_s": timer_s, "distance_m": distance_m,
        "ascent_m": ascent_m, "descent_m": descent_m,
        "avg_hr_bpm": avg_hr, "max_hr_bpm": max_hr,
        "avg_cadence_spm": _first(stats["avg_cadence_spm"],
                                  _weighted_mean(lap_cadence, lap_timer)),
        "avg_speed_mps": distance_m / timer_s if timer_s > 0 else np.nan,
        "max_speed_mps": max_speed,
        "avg_power_w": _first(stats["avg_power_w"],
                              _weighted_mean(lap_value["avg_power_w"], lap_timer)),
        "calories_kcal": calories_kcal,
        "device_product": activity.device_product,
        "has_gps": has_gps, "has_hr": stats["has_hr"] or not np.isnan(avg_hr),
        "has_power": stats["has_power"], "is_manual": n == 0, "is_partial": False,
        "n_records": n, "notes": "; ".join(notes),
    }
    stream = schema.stream_frame(
        time_utc=points.utc, elapsed_s=elapsed, lat_deg=lat, lon_deg=lon,
        distance_m=stream_distance, speed_mps=speed, altitude_m=altitude,
        hr_bpm=np.where(hr > 0, hr, np.nan), cadence_spm=cadence_spm, power_w=power)
    return session, stream


def _activities(root: ET.Element) -> Iterator[ET.Element]:
    """Activity elements under Activities, also inside MultiSportSession legs."""
    lists = [root] if _local(root.tag) == "Activities" else _children(root, "Activities")
    for activities in lists:
        for element in activities:
            name = _local(element.tag)
            if name == "Activity":
                yield element
            elif name == "MultiSportSession":
                for leg in element:
                    yield from _children(leg, "Activity")


def parse_tcx(data: bytes, path: str) -> ParsedFile:
    """Read a TCX file into sessions and streams.

    Parameters
    ----------
    data : bytes
        The file content (already decompressed).
    path : str
        Where it came from, for error messages.

    Returns
    -------
    ParsedFile
        ``decoder='tcx'``; one session per ``Activity``.

    Raises
    ------
    NotAnActivityError
        A course (planned route), workouts only, or no activity at all.
    CorruptFileError
        When the file is not TCX or damaged before its first activity.
    """
    try:
        tree = track.parse_xml_tolerant(track.clean_xml_prolog(data),
                                        record_tags=("Trackpoint",))
    except track.UnsafeXmlError as exc:
        raise CorruptFileError(path, str(exc)) from exc
    if tree.root is None:
        raise CorruptFileError(path, "not readable as XML: " + "; ".join(tree.problems)
                               ) from tree.error
    problems = list(tree.problems)
    is_partial = tree.is_truncated
    root_name = _local(tree.root.tag)
    if root_name == "Activities":
        problems.append("the TrainingCenterDatabase root element is missing: the file was "
                        "cut, so anything outside <Activities> is lost")
        is_partial = True
    elif root_name != "TrainingCenterDatabase":
        raise CorruptFileError(path, f"not a TCX document: its root element is <{root_name}>, "
                                     "not <TrainingCenterDatabase>") from tree.error
    elements = list(_activities(tree.root))
    limit = track.session_limit(len(data))
    if len(elements) > limit:
        problems.append(track.session_limit_note(len(elements), limit, "activities"))
        elements, is_partial = elements[:limit], True
    if not elements:
        if is_partial:
            raise CorruptFileError(path, "damaged before its first activity: "
                                   + "; ".join(tree.problems)) from tree.error
        kinds = {_local(e.tag) for e in tree.root.iter()}
        if "Course" in kinds:
            raise NotAnActivityError(path, "a TCX course (a planned route), not an activity")
        if "Workout" in kinds:
            raise NotAnActivityError(path, "TCX workout plans only, no activity")
        raise NotAnActivityError(path, "a TCX file without any activity")
    sessions, streams = [], []
    for element in elements:
        session, stream = _session(_read_activity(element))
        session["is_partial"] = is_partial
        sessions.append(session)
        streams.append(stream)
    return ParsedFile(tuple(sessions), tuple(streams), "tcx", tuple(problems), is_partial)
