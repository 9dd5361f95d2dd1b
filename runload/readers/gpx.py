"""Read GPX 1.0 and 1.1 files into sessions and streams.

gpxpy parses the file.  When gpxpy rejects it (a point without latitude,
an undeclared XML prefix, a truncated file, a time it cannot read), a
tolerant reader on the standard library takes over: it binds undeclared
prefixes, keeps points without a position, and keeps what precedes damage.
Both readers produce the same intermediate tracks, so every rule below
applies to both.  A document with a DTD is refused before either reads it
(:mod:`runload.readers.track`, Hostile XML), and gpxpy only gets documents it
reads in linear time (see :func:`_gpxpy_text`); the others go to the tolerant
reader.

Rules
-----
Sessions
    Tracks (``<trk>``) with points become sessions in file order.  A track
    continues the previous track's session when both have the same sport
    (``<type>``, normalised; none equals none) and either neither has times
    or it starts after the previous one ends, at most ``MAX_GAP_S`` later.
    Devices split one outing into several tracks (GPSBabel's "ACTIVE LOG",
    "ACTIVE LOG #2"); a user expects one session for it.  A track without
    times never joins a timed one: nothing places it in time, and it is
    often another day's saved track.
Pauses
    Segments (``<trkseg>``), tracks joined into one session, and gaps longer
    than :data:`MAX_GAP_S` inside a segment are pauses: ``timer_s`` is the
    sum of the time spans of the parts between pauses and ``elapsed_s`` runs
    from the first to the last time.  Distance is not counted across a
    pause.  GPX has no timer, so a file that marks pauses only by time gaps
    shorter than ``MAX_GAP_S`` (Garmin Connect) has ``timer_s == elapsed_s``.
Times
    Times are read to UTC; a written offset such as ``+02:00`` at the start
    is ``utc_offset_s`` with ``tz_source='file_offset'``; ``Z`` gives no
    local offset.  Times outside 1990-2099 are a broken clock (Keep exports
    in year 7502 and 1970) and count as missing.  ``start_utc`` is the
    earliest time, ``elapsed_s`` the latest minus the earliest, so a backward
    step (Runkeeper) costs nothing.  When more than 10 % of a session's
    points have no usable time, ``elapsed_s`` and ``timer_s`` are NaN: the
    times cover too little of the track to measure it.
Distance
    Haversine along the track with a GPS-jump filter (see
    :mod:`runload.readers.track`).  A non-standard root ``<extensions>``
    summary (running_page) is compared, never used: the track is what the
    file records.
Cadence
    Garmin TrackPointExtension ``cad`` counts one leg; it is doubled to
    steps per minute for foot sports, unless the values are already steps
    per minute (see :func:`runload.readers.track.steps_per_min`).  Other
    sports, and files without ``<type>`` (sport 'generic'), get NaN.
Many tracks
    A file gives at most :func:`runload.readers.track.session_limit`
    sessions; past them the file is partial.
Point-less files
    A file without track points is an activity only when a track has a
    ``<type>`` and the file has a time: one manual session of unknown
    distance and duration (``is_manual``, ``n_records=0``).  Otherwise it is
    not an activity (a route ``<rte>``, waypoints, metadata only).  GPSies
    route exports, tracks with generated times from 2010-01-01T00:00:00Z,
    are not activities either.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree import ElementTree as ET

import gpxpy
import gpxpy.gpx
import numpy as np
import pandas as pd

from runload import schema
from runload.errors import CorruptFileError, NotAnActivityError
from runload.readers import track
from runload.readers.parsed import ParsedFile
from runload.readers.sports import FOOT_SPORTS, running_evidence, text_sport

#: A gap between two tracks, or between two points of a segment, longer
#: than this [s] ends a part of the session: tracks further apart are
#: separate outings, and a longer silence inside a segment is a pause or a
#: clock jump, not motion.
MAX_GAP_S = 3600.0

#: Share of points that may lack a usable time before durations are unknown.
MAX_UNTIMED_FRAC = 0.10

#: Relative difference above which a file's own summary distance is reported.
SUMMARY_TOLERANCE_FRAC = 0.01

GPX_10 = "http://www.topografix.com/GPX/1/0"
GPX_11 = "http://www.topografix.com/GPX/1/1"
TPX_V1 = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
TPX_V2 = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2"
GPXDATA = "http://www.cluetrust.com/XML/GPXDATA/1/0"
GPXX_V3 = "http://www.garmin.com/xmlschemas/GpxExtensions/v3"
POWER_V1 = "http://www.garmin.com/xmlschemas/PowerExtension/v1"


def _extension_fields() -> dict[str, str]:
    """Extension element (Clark notation) -> stream column ('cadence' is raw)."""
    fields: dict[str, str] = {}
    for ns in (TPX_V1, TPX_V2):
        fields.update({f"{{{ns}}}hr": "hr_bpm", f"{{{ns}}}cad": "cadence",
                       f"{{{ns}}}atemp": "temperature_c"})
    fields[f"{{{TPX_V2}}}speed"] = "speed_mps"
    fields.update({f"{{{GPXDATA}}}hr": "hr_bpm", f"{{{GPXDATA}}}cadence": "cadence",
                   f"{{{GPXDATA}}}temp": "temperature_c", f"{{{GPXX_V3}}}Temperature":
                   "temperature_c", f"{{{POWER_V1}}}PowerInWatts": "power_w"})
    # Apple "Health Auto Export", Amazfit and Strava write plain elements,
    # which land in the GPX default namespace (or none, after gpxpy drops it).
    plain = {"hr": "hr_bpm", "heartrate": "hr_bpm", "cad": "cadence", "cadence": "cadence",
             "speed": "speed_mps", "power": "power_w", "atemp": "temperature_c"}
    for ns in ("", f"{{{GPX_10}}}", f"{{{GPX_11}}}"):
        fields.update({ns + name: column for name, column in plain.items()})
    return fields


#: Extension element (Clark notation) -> stream column, for any prefix.
EXTENSION_FIELDS: dict[str, str] = _extension_fields()
_EXTENSION_COLUMNS = ("hr_bpm", "cadence", "speed_mps", "temperature_c", "power_w")


@dataclass
class _Track:
    """One ``<trk>`` as arrays, whichever reader produced it."""

    name: str
    type_label: str | None
    lat: np.ndarray
    lon: np.ndarray
    ele: np.ndarray
    times: track.Times
    segment: np.ndarray
    extensions: dict[str, np.ndarray]
    n_broken_times: int = 0

    def __len__(self) -> int:
        return len(self.lat)

    @property
    def sport(self) -> tuple[str, str]:
        return text_sport(self.type_label)

    @property
    def has_times(self) -> bool:
        return bool((~np.isnat(self.times.utc)).any())


@dataclass
class _Gpx:
    """What runload needs from a GPX document."""

    creator: str = ""
    name: str = ""
    time: track.Times = field(default_factory=lambda: track.datetimes_to_utc([None]))
    n_route_points: int = 0
    n_waypoints: int = 0
    summary: dict[str, float] = field(default_factory=dict)
    tracks: list[_Track] = field(default_factory=list)
    track_types: list[str] = field(default_factory=list)


class _Columns:
    """Per-point values gathered in Python lists, turned into a _Track."""

    def __init__(self) -> None:
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.ele: list[float | None] = []
        self.segment: list[int] = []
        self.ext_index: dict[str, list[int]] = defaultdict(list)
        self.ext_value: dict[str, list[float]] = defaultdict(list)

    def add_extensions(self, elements: Sequence[ET.Element]) -> None:
        i = len(self.lat) - 1
        for element in elements:
            for sub in element.iter():
                column = EXTENSION_FIELDS.get(sub.tag)
                if column is None:
                    continue
                # Strava writes <gpxx:Temperature>null</...>: no value.
                value = track.number(sub.text)
                if math.isnan(value):
                    continue
                self.ext_index[column].append(i)
                self.ext_value[column].append(value)

    def to_track(self, name: str, type_label: str | None, times: track.Times) -> _Track:
        n = len(self.lat)
        extensions = {}
        for column in _EXTENSION_COLUMNS:
            values = np.full(n, np.nan)
            values[self.ext_index[column]] = self.ext_value[column]
            extensions[column] = values
        lat = np.array(self.lat, dtype=float)
        lon = np.array(self.lon, dtype=float)
        outside = (np.abs(lat) > 90) | (np.abs(lon) > 180)
        lat[outside] = np.nan
        lon[outside] = np.nan
        ele = np.array(self.ele, dtype=float)
        ele[~np.isfinite(ele)] = np.nan  # gpxpy reads 'inf' and '1e309' as numbers
        broken = track.implausible_times(times.utc)
        if broken.any():
            times.utc[broken] = np.datetime64("NaT")
        return _Track(name=name, type_label=type_label, lat=lat, lon=lon,
                      ele=ele, times=times,
                      segment=np.array(self.segment, dtype=np.int64), extensions=extensions,
                      n_broken_times=int(broken.sum()))


# ------------------------------------------------------------------ readers

def _read_with_gpxpy(text: str) -> _Gpx:
    """Extract tracks with gpxpy (raises gpxpy's GPXException on bad files)."""
    # gpxpy picks its schema from the version attribute, and its 1.0 schema
    # drops point extensions; sportractive writes version="1.0" in a GPX 1.1
    # document with Garmin extensions.  The namespace is the better witness.
    root_start = text[:text.find(">", text.find("<gpx")) + 1]
    # gpxpy registers every namespace it finds in ElementTree's process-wide registry,
    # which only grows (and costs more per registration as it does): put it back.
    registry = ET.register_namespace._namespace_map  # type: ignore[attr-defined]
    saved = dict(registry)
    try:
        gpx = gpxpy.parse(text, version="1.1" if GPX_11 in root_start else None)
    finally:
        registry.clear()
        registry.update(saved)
    content = _Gpx(creator=gpx.creator or "", name=gpx.name or "",
                   time=track.datetimes_to_utc([gpx.time]),
                   n_route_points=sum(len(r.points) for r in gpx.routes),
                   n_waypoints=len(gpx.waypoints),
                   summary=_summary(gpx.extensions))
    for trk in gpx.tracks:
        if trk.type:
            content.track_types.append(trk.type)
        columns = _Columns()
        when: list[datetime | None] = []
        for number, segment in enumerate(trk.segments):
            for point in segment.points:
                columns.lat.append(point.latitude)
                columns.lon.append(point.longitude)
                columns.ele.append(point.elevation)
                columns.segment.append(number)
                when.append(point.time)
                if point.extensions:
                    columns.add_extensions(point.extensions)
        content.tracks.append(columns.to_track(trk.name or "", trk.type,
                                               track.datetimes_to_utc(when)))
    return content


def _read_with_etree(root: ET.Element) -> tuple[_Gpx, int]:
    """Extract tracks from an ElementTree; also count points without a position."""
    def child_text(element: ET.Element, name: str) -> str | None:
        for child in element:
            if track.local_name(child.tag) == name:
                return child.text.strip() if child.text else None
        return None

    content = _Gpx(creator=root.get("creator", ""))
    metadata = next((c for c in root if track.local_name(c.tag) == "metadata"), root)
    content.name = child_text(metadata, "name") or ""
    content.time = track.parse_iso_times([child_text(metadata, "time")])
    n_without_position = 0
    for child in root:
        kind = track.local_name(child.tag)
        if kind == "wpt":
            content.n_waypoints += 1
        elif kind == "rte":
            content.n_route_points += sum(track.local_name(p.tag) == "rtept" for p in child)
        elif kind == "extensions":
            content.summary = _summary(list(child))
        elif kind == "trk":
            type_label = child_text(child, "type")
            if type_label:
                content.track_types.append(type_label)
            columns = _Columns()
            when: list[str | None] = []
            segments = (s for s in child if track.local_name(s.tag) == "trkseg")
            for segment_number, segment in enumerate(segments):
                for point in segment:
                    if track.local_name(point.tag) != "trkpt":
                        continue
                    lat, lon = track.number(point.get("lat")), track.number(point.get("lon"))
                    n_without_position += bool(np.isnan(lat) or np.isnan(lon))
                    columns.lat.append(lat)
                    columns.lon.append(lon)
                    columns.segment.append(segment_number)
                    columns.ele.append(track.number(child_text(point, "ele")))
                    when.append(child_text(point, "time"))
                    extensions = [c for c in point if track.local_name(c.tag) == "extensions"]
                    if extensions:
                        columns.add_extensions(list(extensions[0]))
            content.tracks.append(columns.to_track(child_text(child, "name") or "", type_label,
                                                   track.parse_iso_times(when)))
    return content, n_without_position


def _summary(elements: Sequence[ET.Element]) -> dict[str, float]:
    """Numeric children of a root-level ``<extensions>`` (a non-standard summary)."""
    summary = {}
    for element in elements:
        value = np.nan if len(element) else track.number(element.text)
        if not np.isnan(value):
            summary[track.local_name(element.tag)] = value
    return summary


# ----------------------------------------------------------------- sessions

def _joins(previous: _Track, following: _Track) -> bool:
    """True when ``following`` continues ``previous``'s outing (see module Rules)."""
    if previous.sport != following.sport:
        return False
    if previous.has_times != following.has_times:
        return False
    if not previous.has_times:
        return True
    before, after = previous.times.utc, following.times.utc
    gap_s = ((after[~np.isnat(after)].min() - before[~np.isnat(before)].max())
             / np.timedelta64(1, "s"))
    return 0.0 <= gap_s <= MAX_GAP_S


def _group(tracks: list[_Track]) -> list[list[_Track]]:
    groups: list[list[_Track]] = []
    for trk in tracks:
        if groups and _joins(groups[-1][-1], trk):
            groups[-1].append(trk)
        else:
            groups.append([trk])
    return groups


def _concat(group: list[_Track]) -> _Track:
    """One track from several; segments renumbered so tracks stay apart."""
    if len(group) == 1:
        return group[0]
    segments, offset = [], 0
    for trk in group:
        segments.append(trk.segment + offset)
        offset += int(trk.segment.max()) + 1
    times = track.Times(np.concatenate([t.times.utc for t in group]),
                        np.concatenate([t.times.offset_s for t in group]),
                        sum(t.times.n_without_zone for t in group),
                        sum(t.times.n_unreadable for t in group))
    return _Track(name=group[0].name, type_label=group[0].type_label,
                  lat=np.concatenate([t.lat for t in group]),
                  lon=np.concatenate([t.lon for t in group]),
                  ele=np.concatenate([t.ele for t in group]), times=times,
                  segment=np.concatenate(segments),
                  extensions={c: np.concatenate([t.extensions[c] for t in group])
                              for c in _EXTENSION_COLUMNS},
                  n_broken_times=sum(t.n_broken_times for t in group))


def _pieces(segment: np.ndarray, elapsed_s: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Number the parts between pauses; count long gaps and backward steps.

    A part ends at a new segment or at a gap longer than :data:`MAX_GAP_S`
    between consecutive timed points of a segment.
    """
    n = len(segment)
    boundary = np.zeros(n, dtype=bool)
    boundary[1:] = segment[1:] != segment[:-1]
    timed = np.flatnonzero(~np.isnan(elapsed_s))
    step = np.diff(elapsed_s[timed])
    same_segment = segment[timed[1:]] == segment[timed[:-1]]
    long_gap = same_segment & (step > MAX_GAP_S)
    boundary[timed[1:][long_gap]] = True
    n_backward = int(np.count_nonzero(same_segment & (step < 0)))
    return np.cumsum(boundary), int(np.count_nonzero(long_gap)), n_backward


def _session(trk: _Track, *, creator: str, fallback_name: str) -> tuple[dict, pd.DataFrame]:
    """Session dict and stream of one group of tracks."""
    notes: list[str] = []
    n = len(trk)
    utc = trk.times.utc
    if trk.n_broken_times:
        notes.append(f"{trk.n_broken_times} of {n} point times are outside 1990-2099 "
                     "(a broken clock) and were not used")
    if trk.times.n_unreadable:
        notes.append(f"{trk.times.n_unreadable} point times could not be read")
    timed = ~np.isnat(utc)
    n_timed = int(timed.sum())
    sport, sub_sport = trk.sport

    start = utc[timed].min() if n_timed else np.datetime64("NaT")
    elapsed = track.seconds_between(utc, start) if n_timed else np.full(n, np.nan)
    piece, n_long_gaps, n_backward = _pieces(trk.segment, elapsed)
    if n_long_gaps:
        notes.append(f"{n_long_gaps} gap(s) longer than {MAX_GAP_S:.0f} s inside a segment "
                     "counted as pauses")
    if n_backward:
        notes.append(f"time goes backwards {n_backward} time(s); start is the earliest time")
    if n_timed == 0:
        notes.append("the points have no times: distance only, no start or duration")
        elapsed_s = timer_s = np.nan
    elif n - n_timed > MAX_UNTIMED_FRAC * n:
        notes.append(f"{n - n_timed} of {n} points have no usable time: start is the "
                     "earliest time, duration unknown")
        elapsed_s = timer_s = np.nan
    else:
        if n_timed < n:
            notes.append(f"{n - n_timed} of {n} points have no usable time")
        elapsed_s = float(np.nanmax(elapsed))
        starts = np.flatnonzero(np.r_[True, piece[1:] != piece[:-1]])
        timer_s = float(np.nansum(np.fmax.reduceat(elapsed, starts)
                                  - np.fmin.reduceat(elapsed, starts)))
    if trk.times.n_without_zone:
        notes.append("times carry no time zone and were read as UTC (the GPX standard)")

    distance = track.track_distance(trk.lat, trk.lon, elapsed_s=elapsed, piece=piece)
    if distance.n_jumps:
        notes.append(f"{distance.n_jumps} GPS jump(s) faster than {track.MAX_SPEED_MPS:.0f} m/s "
                     "left out of the distance")
    has_gps = bool((~np.isnan(trk.lat)).any())
    distance_m = float(distance.cumulative_m[-1]) if has_gps else np.nan

    if sport == "generic":
        inferred = running_evidence(_per_leg(trk.extensions["cadence"]),
                                    _point_speed_mps(trk.extensions["speed_mps"],
                                                     distance.cumulative_m, elapsed))
        if inferred:
            sport = "running"
            notes.append(inferred)
    cadence_spm, cadence_note = track.steps_per_min(trk.extensions["cadence"], sport, FOOT_SPORTS)
    if cadence_note:
        notes.append(cadence_note)
    ascent_m, descent_m = track.ascent_descent_m(trk.ele)
    stats = track.record_summary(hr_bpm=trk.extensions["hr_bpm"], cadence_spm=cadence_spm,
                                 power_w=trk.extensions["power_w"],
                                 speed_mps=trk.extensions["speed_mps"],
                                 temperature_c=trk.extensions["temperature_c"])
    offset = trk.times.offset_s[np.flatnonzero(utc == start)[0]] if n_timed else np.nan
    session = {
        "sport": sport, "sub_sport": sub_sport, "sport_label": trk.type_label or "",
        "name": trk.name or fallback_name,
        "start_utc": pd.Timestamp(start, tz="UTC") if n_timed else None,
        "utc_offset_s": None if np.isnan(offset) else int(offset),
        "tz_source": "" if np.isnan(offset) else "file_offset",
        "elapsed_s": elapsed_s, "timer_s": timer_s, "distance_m": distance_m,
        "ascent_m": ascent_m, "descent_m": descent_m,
        "avg_speed_mps": distance_m / timer_s if timer_s and timer_s > 0 else np.nan,
        "device_product": creator, "has_gps": has_gps,
        "is_manual": False, "is_partial": False, "n_records": n,
        **stats,
    }
    stream = schema.stream_frame(
        time_utc=utc, elapsed_s=elapsed, lat_deg=trk.lat, lon_deg=trk.lon,
        distance_m=distance.cumulative_m if has_gps else np.full(n, np.nan),
        speed_mps=trk.extensions["speed_mps"], altitude_m=trk.ele,
        hr_bpm=np.where(trk.extensions["hr_bpm"] > 0, trk.extensions["hr_bpm"], np.nan),
        cadence_spm=cadence_spm, temperature_c=trk.extensions["temperature_c"],
        power_w=trk.extensions["power_w"])
    session["notes"] = "; ".join(notes)
    return session, stream


def _per_leg(cadence: np.ndarray) -> np.ndarray:
    """Cadence per leg: halved when the values can only be steps per minute."""
    moving = cadence[cadence > 0]
    if len(moving) and np.percentile(moving, 95) > track.MAX_PER_LEG_CADENCE:
        return cadence / 2.0
    return cadence


def _point_speed_mps(written: np.ndarray, cumulative_m: np.ndarray,
                     elapsed_s: np.ndarray) -> np.ndarray:
    """Speed as written in the file, else distance over time between points."""
    if np.any(written > 0):
        return written
    dt = np.diff(elapsed_s)
    dd = np.diff(cumulative_m)
    ok = (dt > 0) & ~np.isnan(dd)
    return dd[ok] / dt[ok]


def _manual_session(content: _Gpx) -> tuple[dict, pd.DataFrame]:
    """A typed, timed file without points: a training day of unknown size."""
    label = content.track_types[0]
    sport, sub_sport = text_sport(label)
    start = content.time.utc[0]
    offset = content.time.offset_s[0]
    session = {
        "sport": sport, "sub_sport": sub_sport, "sport_label": label, "name": content.name,
        "start_utc": pd.Timestamp(start, tz="UTC"),
        "utc_offset_s": None if np.isnan(offset) else int(offset),
        "tz_source": "" if np.isnan(offset) else "file_offset",
        "device_product": content.creator, "is_manual": True, "n_records": 0,
        "notes": "the file has an activity type and a time but no track points: "
                 "distance and duration unknown",
    }
    return session, schema.empty_stream()


# --------------------------------------------------------------------- entry

def parse_gpx(data: bytes, path: str) -> ParsedFile:
    """Read a GPX file into sessions and streams.

    Parameters
    ----------
    data : bytes
        The file content (already decompressed).
    path : str
        Where it came from, for error messages.

    Returns
    -------
    ParsedFile
        ``decoder='gpx'``; one session per outing (see the module's Rules).

    Raises
    ------
    NotAnActivityError
        A route, waypoints or metadata only, a point-less file without
        ``<type>`` or time, or a GPSies route export.
    CorruptFileError
        When the root element is not ``<gpx>``, or not even the start of a
        GPX document can be read.
    """
    data = track.clean_xml_prolog(data)
    root_name = track.first_element_name(data)
    if root_name not in (None, "gpx"):
        # gpxpy reads any XML as an empty GPX; another root is another format.
        raise CorruptFileError(path, f"not a GPX document: its root element is <{root_name}>")
    problems: list[str] = []
    is_partial = False
    try:
        root_at = track.xml_root_offset(data)
        try:
            content = _read_with_gpxpy(_gpxpy_text(data, root_at))
        except (gpxpy.gpx.GPXException, UnicodeDecodeError) as exc:
            content, is_partial, tolerant_problems = _read_tolerantly(data, path, exc)
            problems.extend(tolerant_problems)
    except track.UnsafeXmlError as exc:
        raise CorruptFileError(path, str(exc)) from exc

    tracks = [t for t in content.tracks if len(t)]
    if not tracks:
        if content.track_types and not np.isnat(content.time.utc).all():
            session, stream = _manual_session(content)
            session["is_partial"] = is_partial
            return ParsedFile((session,), (stream,), "gpx", tuple(problems), is_partial)
        raise NotAnActivityError(path, _why_not_activity(content))

    groups = _group(tracks)
    limit = track.session_limit(len(data))
    if len(groups) > limit:
        problems.append(track.session_limit_note(len(groups), limit))
        groups, is_partial = groups[:limit], True
    sessions, streams = [], []
    for group in groups:
        session, stream = _session(_concat(group), creator=content.creator,
                                   fallback_name=content.name)
        session["is_partial"] = is_partial
        sessions.append(session)
        streams.append(stream)
    _reject_generated_route(content, sessions, path)
    _compare_summary(content.summary, sessions)
    return ParsedFile(tuple(sessions), tuple(streams), "gpx", tuple(problems), is_partial)


#: Most distinct namespace declarations of a text given to gpxpy (real files: under 10).
MAX_NAMESPACES = 64
_ROOT_START = re.compile(r"<[A-Za-z_]")
# gpxpy finds namespaces with r'\sxmlns:?[^=]*="[^"]+"', which backtracks over the rest
# of the text from every 'xmlns' that does not start a declaration: quadratic time.
_XMLNS_DECLARATION = re.compile(r"""xmlns(?::[A-Za-z_][\w.\-]*)?=(?:"[^"]+"|'[^']+')""")


def _gpxpy_text(data: bytes, root_at: int | None) -> str:
    """The text gpxpy parses: the document from its root element on.

    gpxpy parses with ElementTree or lxml, neither of them defused.  It gets
    the document only when :func:`runload.readers.track.xml_root_offset` found
    a prolog without a DTD, and only from the root element on: the prolog
    (declaration, comments) means nothing to gpxpy, and without it gpxpy's
    own edits of the text (it deletes the first ``xmlns="..."``, wherever that
    is) cannot turn a comment of the prolog into markup.  A text where
    ``xmlns`` appears other than in declarations, or with more than
    :data:`MAX_NAMESPACES` distinct declarations, is not given to gpxpy
    either: its namespace handling would take quadratic time.

    Raises
    ------
    gpxpy.gpx.GPXXMLSyntaxException
        When the prolog or the root's start tag is not well-formed.
    UnicodeDecodeError
        When the document is not UTF-8.
    """
    text = data[root_at:].decode("utf-8") if root_at is not None else ""
    declarations = _XMLNS_DECLARATION.findall(text)
    if not _ROOT_START.match(text):
        reason = "the XML is not well-formed before or at its root element"
    elif text.count("xmlns") != len(declarations):
        reason = ("'xmlns' is written outside a namespace declaration, which gpxpy's namespace "
                  "scan takes quadratic time over")
    elif len(set(declarations)) > MAX_NAMESPACES:
        reason = (f"{len(set(declarations))} namespace declarations, more than the "
                  f"{MAX_NAMESPACES} gpxpy is given (it registers each at a cost growing with "
                  "their number)")
    else:
        return text
    raise gpxpy.gpx.GPXXMLSyntaxException(reason, ValueError(reason))


def _read_tolerantly(data: bytes, path: str,
                     gpxpy_error: Exception) -> tuple[_Gpx, bool, list[str]]:
    """Read a file gpxpy rejected with the standard library; see parse_gpx."""
    tree = track.parse_xml_tolerant(data, record_tags=("trkpt",))
    if tree.root is None or track.local_name(tree.root.tag) != "gpx":
        found = "nothing" if tree.root is None else f"<{track.local_name(tree.root.tag)}>"
        reason = (f"not a readable GPX document: gpxpy says {gpxpy_error}; "
                  f"the XML parser found {found}")
        raise CorruptFileError(path, reason) from (tree.error or gpxpy_error)
    content, n_without_position = _read_with_etree(tree.root)
    problems = [f"gpxpy rejected the file ({gpxpy_error}); read with the tolerant reader",
                *tree.problems]
    if n_without_position:
        problems.append(f"{n_without_position} track point(s) have no valid position; "
                        "their time and values were kept")
    return content, tree.is_truncated, problems


def _why_not_activity(content: _Gpx) -> str:
    if content.n_route_points:
        return (f"a planned route (<rte> with {content.n_route_points} points) "
                "and no recorded track")
    if content.n_waypoints:
        return f"only {content.n_waypoints} waypoint(s), no recorded track"
    if content.track_types:
        return "a track with an activity type but no points and no time"
    return "no track points and no activity type (metadata only)"


#: GPSies exported planned routes as tracks with made-up times from this instant.
GPSIES_ROUTE_START = pd.Timestamp("2010-01-01T00:00:00", tz="UTC")


def _reject_generated_route(content: _Gpx, sessions: list[dict], path: str) -> None:
    if "gpsies" in content.creator.lower() and sessions[0]["start_utc"] == GPSIES_ROUTE_START:
        raise NotAnActivityError(path, "a GPSies route export: its track times are generated "
                                       "(they start at 2010-01-01T00:00:00Z), not recorded")


def _compare_summary(summary: dict[str, float], sessions: list[dict]) -> None:
    """Note when a root-level summary distance disagrees with the track."""
    stated = summary.get("distance")
    if stated is None or len(sessions) != 1:
        return
    measured = sessions[0]["distance_m"]
    if abs(stated - measured) > SUMMARY_TOLERANCE_FRAC * max(stated, measured):
        note = (f"the file's summary says {stated:.0f} m but its track measures "
                f"{measured:.0f} m; the track is used")
        sessions[0]["notes"] = "; ".join(filter(None, [sessions[0]["notes"], note]))
