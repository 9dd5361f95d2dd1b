"""Helpers shared by the GPX and TCX readers: XML clean-up, times, distance, climbing.

Everything here is pure: bytes or numpy arrays in, numpy arrays or small
records out.  The readers call these so GPX and TCX follow one set of rules.

Rules
-----
Distance
    Great-circle (haversine) distance on a sphere of the WGS84 mean radius
    :data:`EARTH_RADIUS_M`; the error against the ellipsoid is below 0.5 %.
    A step whose implied speed exceeds ``max_speed_mps`` is a GPS jump: a
    point reached and left by jumps is skipped, any other jump adds nothing.  Steps across a break (a new segment, a pause) add nothing.
Times
    ISO-8601 text (``Z``, ``+02:00``, or no zone) is read to UTC.  A written
    non-zero offset is kept as the local offset; ``Z`` and ``+00:00`` say
    nothing about local time.  Times without a zone are read as UTC, as the
    GPX schema says times are.  Times outside :data:`PLAUSIBLE_UTC` are a
    broken clock, not a date.
Climbing
    Ascent and descent count only changes that exceed a hysteresis threshold,
    so that altimeter and GPS noise do not add up.
Sessions per file
    A file gives at most :func:`session_limit` sessions (100, and one more
    per 20 KiB of file); the readers keep the first ones and mark the file
    partial.  Each session costs a few milliseconds however small it is, so a
    file of thousands of one-point tracks would otherwise take minutes to read
    while a real one of its size takes a fraction of a second.  Used by the
    FIT reader too.
Hostile XML
    A document with a document type declaration (``<!DOCTYPE ...>``) is
    refused (:class:`UnsafeXmlError`) before any parser reads past it: GPX and
    TCX never need a DTD, and only a DTD can declare entities (billion laughs,
    quadratic blow-up), external entities (``file:///etc/passwd``,
    ``http://...``) or an external DTD to fetch.  :func:`xml_root_offset`
    reads the prolog with defusedxml (DTDs, entity declarations and external
    references forbidden) up to the root element; a DTD after the root is a
    syntax error to every parser, so a document that passes has none, and the
    C parser (or gpxpy) may then read it whole.  Damaged documents are read by
    defusedxml's parser throughout.  XInclude is never processed.  Also
    refused: an encoding that is not ASCII-based (EBCDIC; runload does not
    recognise UTF-16 GPX or TCX at all), and a namespace name longer than
    :data:`MAX_NAMESPACE_CHARS`, which would make every element using it cost
    as much.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from xml.etree import ElementTree as ET

import numpy as np
from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser
from defusedxml.ElementTree import iterparse as defused_iterparse

#: Mean Earth radius R1 = (2a + b) / 3 of the WGS84 ellipsoid [m] (Moritz,
#: "Geodetic Reference System 1980", J. Geodesy 74 (2000) 128-133,
#: doi:10.1007/s001900050278).
EARTH_RADIUS_M = 6_371_008.8

#: Fastest believable speed between two track points [m/s] (180 km/h).  No
#: runner, rider or skier sustains it, while GPS jumps of hundreds of metres
#: within a few seconds exceed it by far.
MAX_SPEED_MPS = 50.0

#: Hysteresis for ascent and descent [m]: a climb counts once the altitude
#: has moved this far from the last turning point.  Small enough to keep
#: rolling terrain, large enough to drop 1-2 m barometric and GPS noise.
ELEVATION_THRESHOLD_M = 3.0

#: Times outside [start, end) are a broken clock (the Unix epoch, year 7502),
#: not a date: no GPS logger recorded before 1990.
PLAUSIBLE_UTC = (np.datetime64("1990-01-01T00:00:00", "us"),
                 np.datetime64("2100-01-01T00:00:00", "us"))

#: Cadence [1/min] above which a per-leg value is impossible: the value is
#: already steps per minute (both legs) and is not doubled again.  Running
#: cadence is about 150-200 steps/min (75-100 per leg); twice 120 per leg
#: would be 240 steps/min, beyond any sustained running cadence.
MAX_PER_LEG_CADENCE = 120.0

_NAT = np.datetime64("NaT", "us")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_US = timedelta(microseconds=1)

#: Sessions any file may give (see the module's Sessions per file) ...
MAX_SESSIONS = 100
#: ... and one more per this many bytes of the file [bytes].
SESSION_BYTES = 20 * 1024

#: Namespace URIs of prefixes that files use without declaring them.
KNOWN_PREFIXES: dict[str, str] = {
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "gpxdata": "http://www.cluetrust.com/XML/GPXDATA/1/0",
    "gpxtpx": "http://www.garmin.com/xmlschemas/TrackPointExtension/v1",
    "gpxx": "http://www.garmin.com/xmlschemas/GpxExtensions/v3",
}


# ----------------------------------------------------------------- numbers

def number(text: str | None) -> float:
    """A number written in XML text; NaN when there is none.

    Unreadable text (Strava's ``null``) and values that are not finite
    (``inf``, ``NaN``, ``1e309``) are no measurement, so NaN too.

    Examples
    --------
    >>> number(" 12.5 "), number("null"), number("1e309"), number(None)
    (12.5, nan, nan, nan)
    """
    if not text:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


# ---------------------------------------------------------------- sessions

def session_limit(n_bytes: int) -> int:
    """Most sessions read from a file of ``n_bytes`` (see the module's Sessions per file).

    Examples
    --------
    >>> session_limit(1000), session_limit(10 * 1024**2)
    (100, 612)
    """
    return MAX_SESSIONS + n_bytes // SESSION_BYTES


def session_limit_note(n_found: int, n_kept: int, what: str = "sessions") -> str:
    """The problem reported when a file holds more sessions than it may give."""
    return (f"the file holds {n_found} {what}; only the first {n_kept} were read (a file "
            f"gives at most {MAX_SESSIONS}, and one more per {SESSION_BYTES // 1024} KiB: "
            "more is a damaged or hostile file)")


# --------------------------------------------------------------------- XML

def clean_xml_prolog(data: bytes) -> bytes:
    """Strip a UTF-8 byte-order mark and whitespace before ``<?xml``.

    Strava and other exporters write spaces or newlines before the XML
    declaration, which XML parsers reject ("XML or text declaration not at
    start of entity").

    Parameters
    ----------
    data : bytes
        The file content.

    Returns
    -------
    bytes
        The content from its first ``<`` on, when only a BOM and ASCII
        whitespace precede it; otherwise ``data`` unchanged (e.g. UTF-16).

    Examples
    --------
    >>> clean_xml_prolog(b'\\xef\\xbb\\xbf  \\n<?xml version="1.0"?><a/>')
    b'<?xml version="1.0"?><a/>'
    """
    stripped = data.lstrip()
    while stripped.startswith(b"\xef\xbb\xbf"):
        stripped = stripped[3:].lstrip()
    return stripped


_PREFIX_USE = re.compile(rb"<\s*/?\s*([A-Za-z_][\w.\-]*):[A-Za-z_]"
                         rb"|\s([A-Za-z_][\w.\-]*):[A-Za-z_][\w.\-]*\s*=")
_PREFIX_DECLARATION = re.compile(rb"xmlns:([A-Za-z_][\w.\-]*)\s*=")
_FIRST_ELEMENT = re.compile(rb"<([A-Za-z_][\w.\-:]*)")


def undeclared_prefixes(data: bytes) -> list[str]:
    """Namespace prefixes that elements or attributes use but nothing declares.

    A regular-expression scan, so it can over-report (a ``word:word=`` inside
    text); binding an unused prefix is harmless.
    """
    used = {(m.group(1) or m.group(2)).decode("ascii") for m in _PREFIX_USE.finditer(data)}
    declared = {m.group(1).decode("ascii") for m in _PREFIX_DECLARATION.finditer(data)}
    return sorted(used - declared - {"xml", "xmlns"})


def bind_prefixes(data: bytes, prefixes: Iterable[str]) -> bytes:
    """Declare ``prefixes`` on the first element so that the XML parses.

    Well-known prefixes get their usual URI (:data:`KNOWN_PREFIXES`), so
    their values can still be read; others get ``urn:runload:undeclared:<p>``.
    """
    match = _FIRST_ELEMENT.search(data)
    if match is None:
        return data
    declarations = b"".join(
        f' xmlns:{p}="{KNOWN_PREFIXES.get(p, "urn:runload:undeclared:" + p)}"'.encode("ascii")
        for p in prefixes)
    return data[:match.end()] + declarations + data[match.end():]


def first_element_name(data: bytes) -> str | None:
    """Local name of the first element (the root), found without parsing."""
    match = _FIRST_ELEMENT.search(data)
    return None if match is None else match.group(1).decode("ascii").rpartition(":")[2]


class XmlTree(NamedTuple):
    """An XML tree read as far as the file allows.

    Attributes
    ----------
    root : xml.etree.ElementTree.Element or None
        The document element; None when not even that could be read.
    problems : tuple of str
        What was repaired or lost, in plain words.
    is_truncated : bool
        True when reading stopped at damage: elements after it are lost.
    error : xml.etree.ElementTree.ParseError or None
        The parser's error at the damage, to chain into a reader's error.
    """

    root: ET.Element | None
    problems: tuple[str, ...]
    is_truncated: bool
    error: ET.ParseError | None = None


class UnsafeXmlError(ValueError):
    """The document is refused before parsing (see the module's Hostile XML)."""


class _RootReached(Exception):
    """Raised by the prolog reader's target at the root element's start tag."""


class _StopAtRoot:
    """Tree-builder target that stops the parse at the first start tag, noting where it is."""

    def __init__(self) -> None:
        self.expat: Any = None
        self.offset = -1
        self.encoding: str | None = None

    def declaration(self, version: str, encoding: str | None, standalone: int) -> None:
        self.encoding = encoding

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.offset = int(self.expat.CurrentByteIndex)
        raise _RootReached

    def end(self, tag: str) -> None:
        """Never reached: the parse stops at the first start tag."""

    def data(self, text: str) -> None:
        """Text before the root is whitespace; nothing to keep."""

    def close(self) -> None:
        return None


#: Bytes fed to the prolog reader at a time: it stops at the root element.
_PROLOG_CHUNK = 64 * 1024
#: What expat raises for a declared encoding it cannot use: one Python does not know
#: (LookupError) or a multi-byte one such as UTF-7 (ValueError).
_ENCODING_ERRORS = (LookupError, ValueError)
#: Longest namespace name (URI) accepted [characters].  Real ones are under 100.  The
#: parsers copy an element's namespace name into its tag, so one long name declared
#: once and used by every element makes the cost grow with elements x length: 340 KB
#: (a 100,000-character name, 20,000 elements) took 4 s.
MAX_NAMESPACE_CHARS = 1024
# A namespace declaration and its value, in linear time: possessive runs, and a prefix
# stops at ':' so that 'xmlns:xmlns:...' cannot make every start scan the rest.
_NAMESPACE_DECLARATION = re.compile(
    rb"""xmlns(?::[^\s=/>"':]*+)?\s*+=\s*+(?:"([^"]*+)"|'([^']*+)')""")
_ASCII = bytes(range(128))


def _ascii_based(encoding: str) -> bool:
    """True when ``encoding`` reads every ASCII byte as that ASCII character (UTF-8, Latin-1...).

    Not EBCDIC, UTF-16 or UTF-7 (where '+' starts an escape).
    """
    try:
        return _ASCII.decode(encoding) == _ASCII.decode("ascii")
    except (LookupError, UnicodeError):
        return False


def _unsafe(exc: DefusedXmlException) -> UnsafeXmlError:
    if isinstance(exc, DTDForbidden):
        fetch = f" (it would load {exc.sysid})" if exc.sysid else ""
        what = f"a document type declaration (<!DOCTYPE {exc.name} ...>){fetch}"
    else:
        what = f"an entity declaration or an external reference ({exc})"
    return UnsafeXmlError(f"refused: the XML holds {what}; GPX and TCX files never need a "
                          "DTD, and one can declare entities that expand without bound or "
                          "read local files and URLs")


def xml_root_offset(data: bytes) -> int | None:
    """Byte offset of the root element's start tag, after checking the document is safe.

    The prolog is read with defusedxml (DTDs forbidden), up to the root
    element.  The document must be in an ASCII-based encoding (UTF-8,
    Latin-1...: what runload recognises as GPX or TCX), so that its
    namespace declarations can be found in its bytes; none may be longer than
    :data:`MAX_NAMESPACE_CHARS`.

    Parameters
    ----------
    data : bytes
        XML content.

    Returns
    -------
    int or None
        Where the root element starts; None when the prolog (or the root's
        start tag) is not well-formed XML, so that no parser gets past it.

    Raises
    ------
    UnsafeXmlError
        When the prolog holds a DTD, the document declares an encoding that
        is not ASCII-based, or a namespace name is too long (see the module's
        Hostile XML).

    Examples
    --------
    >>> xml_root_offset(b'<?xml version="1.0"?><!-- hi --><gpx/>')
    32
    >>> xml_root_offset(b'<!DOCTYPE gpx SYSTEM "http://example.com/x.dtd"><gpx/>')
    Traceback (most recent call last):
    ...
    runload.readers.track.UnsafeXmlError: refused: the XML holds a document type ...
    """
    target = _StopAtRoot()
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    target.expat = parser.parser
    parser.parser.XmlDeclHandler = target.declaration
    offset = None
    try:
        for at in range(0, len(data), _PROLOG_CHUNK):
            parser.feed(data[at:at + _PROLOG_CHUNK])
        parser.close()
    except _RootReached:
        offset = target.offset
    except DefusedXmlException as exc:
        raise _unsafe(exc) from exc
    except (ET.ParseError, *_ENCODING_ERRORS):
        pass
    if target.encoding is not None and not _ascii_based(target.encoding):
        raise UnsafeXmlError(f"refused: the XML declares the encoding {target.encoding!r}, "
                             "which is not based on ASCII (GPX and TCX files are read in "
                             "UTF-8 or an ASCII-based encoding)")
    longest = max((len(m.group(1) or m.group(2) or b"")
                   for m in _NAMESPACE_DECLARATION.finditer(data)), default=0)
    if longest > MAX_NAMESPACE_CHARS:
        raise UnsafeXmlError(f"refused: a namespace name of {longest:,} characters (real ones "
                             f"are short URIs; more than {MAX_NAMESPACE_CHARS} make every "
                             "element that uses it cost as much)")
    return offset


def parse_xml_tolerant(data: bytes, *, record_tags: Sequence[str] = ()) -> XmlTree:
    """Parse XML, repairing undeclared prefixes and keeping what precedes damage.

    Parameters
    ----------
    data : bytes
        XML content (prolog already cleaned, see :func:`clean_xml_prolog`).
    record_tags : sequence of str
        Local names of record elements (``trkpt``, ``Trackpoint``).  A record
        still open where the damage starts is removed, since its values may
        be cut short.

    Returns
    -------
    XmlTree
        ``root`` is None only when the damage comes before the first element.

    Raises
    ------
    UnsafeXmlError
        When the document has a DTD (see the module's Hostile XML).

    Notes
    -----
    When the parser meets an undeclared prefix (``gpxdata:cadence`` in a
    Strava export), every undeclared prefix is bound on the first element
    and the text is parsed again.  Any other damage
    (truncation, a broken tag) stops the parse: the elements completed
    before it are kept and ``is_truncated`` is set.
    """
    if xml_root_offset(data) is not None:
        try:
            # The common case, an intact file, at full C speed: safe, as the
            # prolog has no DTD.
            return XmlTree(ET.fromstring(data), (), False)
        except ET.ParseError:
            pass
    problems: list[str] = []
    root, open_elements, failure = _pull_parse(data)
    if failure is not None and str(failure).startswith("unbound prefix"):
        missing = undeclared_prefixes(data)
        if missing:
            root, open_elements, failure = _pull_parse(bind_prefixes(data, missing))
            problems.append("the file uses XML prefixes it never declares ("
                            + ", ".join(missing) + "); they were bound so it could be read")
    if failure is None:
        return XmlTree(root, tuple(problems), False)
    line, column = failure.position
    problems.append(f"the XML is damaged at line {line}, column {column} "
                    f"({str(failure).split(':')[0]}); only the part before it was read")
    if root is not None:
        _drop_open_record(open_elements, set(record_tags))
    return XmlTree(root, tuple(problems), True, failure)


def _pull_parse(data: bytes) -> tuple[ET.Element | None, list[ET.Element], ET.ParseError | None]:
    """Parse as far as possible: (root, elements still open, first error).

    defusedxml's parser reads the whole document, with DTDs forbidden: a
    damaged document never reaches the C parser's fast path, so its prolog
    may not have been checked.
    """
    failure: ET.ParseError | None = None
    root: ET.Element | None = None
    open_elements: list[ET.Element] = []
    events: Any = defused_iterparse(io.BytesIO(data), events=("start", "end"),
                                    forbid_dtd=True)
    while True:
        # Events come in document order; the first damage ends them.
        try:
            event, element = next(events)
        except StopIteration:
            break
        except ET.ParseError as exc:
            failure = exc
            break
        except DefusedXmlException as exc:  # before ValueError: it is one
            raise _unsafe(exc) from exc
        except _ENCODING_ERRORS as exc:
            failure = ET.ParseError(f"unusable encoding: {exc}")
            failure.position = (1, 0)
            break
        if event == "start":
            root = element if root is None else root
            open_elements.append(element)
        else:
            open_elements.pop()
    return root, open_elements, failure


def _drop_open_record(open_elements: list[ET.Element], record_tags: set[str]) -> None:
    """Remove the record element that was still open when parsing stopped."""
    for parent, child in zip(open_elements, open_elements[1:], strict=False):
        if local_name(child.tag) in record_tags:
            parent.remove(child)
            return


def local_name(tag: str) -> str:
    """The tag without its ``{namespace}``."""
    return tag.rpartition("}")[2]


# -------------------------------------------------------------------- times

class Times(NamedTuple):
    """Times read to UTC.

    Attributes
    ----------
    utc : numpy.ndarray of datetime64[us]
        UTC instants; NaT where missing or unreadable.
    offset_s : numpy.ndarray of float
        Written local offset [s]; NaN for ``Z``, ``+00:00``, no zone, or no time.
    n_without_zone : int
        Times written without any zone (read as UTC).
    n_unreadable : int
        Non-empty texts that are not ISO-8601 times.
    """

    utc: np.ndarray
    offset_s: np.ndarray
    n_without_zone: int
    n_unreadable: int


def parse_iso_times(texts: Sequence[str | None]) -> Times:
    """Read ISO-8601 time texts to UTC, keeping each written offset.

    Parameters
    ----------
    texts : sequence of str or None
        Time texts such as ``2016-04-10T18:40:59.000+01:00``; None or '' for
        no time.

    Returns
    -------
    Times

    Examples
    --------
    >>> t = parse_iso_times(["2010-04-02T10:26:48.5+02:00", "2010-04-02T08:27:00Z", None])
    >>> t.utc.astype(str).tolist()
    ['2010-04-02T08:26:48.500000', '2010-04-02T08:27:00.000000', 'NaT']
    >>> t.offset_s.tolist()
    [7200.0, nan, nan]
    """
    values: list[datetime | None] = []
    n_unreadable = 0
    for text in texts:
        if not text:
            values.append(None)
            continue
        text = text.strip()
        if text[-1:] == "z":
            text = text[:-1] + "Z"
        try:
            values.append(datetime.fromisoformat(text))
        except ValueError:
            values.append(None)
            n_unreadable += 1
    times = datetimes_to_utc(values)
    return times._replace(n_unreadable=n_unreadable + times.n_unreadable)


def datetimes_to_utc(values: Sequence[datetime | None]) -> Times:
    """Convert datetimes (aware or naive) to UTC, keeping each written offset.

    Parameters
    ----------
    values : sequence of datetime or None
        Naive datetimes are read as UTC and counted in ``n_without_zone``.

    Returns
    -------
    Times
        A datetime whose zone has an offset of 24 h or more (gpxpy reads
        ``+99:99``) is missing and counted in ``n_unreadable``.
    """
    n = len(values)
    micros = np.zeros(n, dtype=np.int64)
    known = np.zeros(n, dtype=bool)
    offset_s = np.full(n, np.nan)
    n_without_zone = n_unreadable = 0
    for i, value in enumerate(values):
        if value is None:
            continue
        try:
            offset = value.utcoffset()
        except ValueError:
            # gpxpy accepts any written offset ('+99:99'); datetime refuses one of
            # 24 h or more when asked for it.
            n_unreadable += 1
            continue
        if offset is None:
            n_without_zone += 1
            micros[i] = (value - _EPOCH_NAIVE) // _US
        else:
            micros[i] = (value - _EPOCH) // _US
            if offset:
                offset_s[i] = offset.total_seconds()
        known[i] = True
    utc = micros.astype("datetime64[us]")
    utc[~known] = _NAT
    return Times(utc, offset_s, n_without_zone, n_unreadable)


def implausible_times(utc: np.ndarray) -> np.ndarray:
    """Mask of times outside :data:`PLAUSIBLE_UTC` (NaT is not implausible)."""
    return ~np.isnat(utc) & ((utc < PLAUSIBLE_UTC[0]) | (utc >= PLAUSIBLE_UTC[1]))


def seconds_between(utc: np.ndarray, start: np.datetime64) -> np.ndarray:
    """Seconds from ``start`` to each time [s]; NaN where the time is NaT."""
    return (utc - start) / np.timedelta64(1, "s")


# ----------------------------------------------------------------- distance

def haversine_m(lat1_deg: np.ndarray, lon1_deg: np.ndarray,
                lat2_deg: np.ndarray, lon2_deg: np.ndarray) -> np.ndarray:
    """Great-circle distance between points [m].

    Parameters
    ----------
    lat1_deg, lon1_deg, lat2_deg, lon2_deg : array-like of float
        Positions [deg, WGS84].

    Returns
    -------
    numpy.ndarray
        Distance on a sphere of radius :data:`EARTH_RADIUS_M` [m].

    Notes
    -----
    :math:`d = 2R \\arcsin\\sqrt{\\sin^2(\\Delta\\phi/2) + \\cos\\phi_1\\cos\\phi_2
    \\sin^2(\\Delta\\lambda/2)}`.

    Examples
    --------
    >>> round(float(haversine_m(0.0, 0.0, 0.0, 1.0)), 1)
    111195.1
    """
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, dtype=float))
                              for a in (lat1_deg, lon1_deg, lat2_deg, lon2_deg))
    h = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


class TrackDistance(NamedTuple):
    """Distance along a track.

    Attributes
    ----------
    cumulative_m : numpy.ndarray of float
        Distance from the first point to each point [m]; a point without a
        position carries the distance of the last point that had one.
    n_jumps : int
        GPS jumps left out: spike points skipped plus jump steps dropped.
    """

    cumulative_m: np.ndarray
    n_jumps: int


def track_distance(lat_deg: np.ndarray, lon_deg: np.ndarray, *,
                   elapsed_s: np.ndarray | None = None,
                   piece: np.ndarray | None = None,
                   max_speed_mps: float = MAX_SPEED_MPS) -> TrackDistance:
    """Cumulative haversine distance along a track, without GPS jumps or gaps.

    Parameters
    ----------
    lat_deg, lon_deg : numpy.ndarray of float
        Positions [deg]; NaN where a point has none (it is skipped).
    elapsed_s : numpy.ndarray of float, optional
        Time of each point [s]; NaN where unknown.  Without times no step can
        be judged a jump.
    piece : numpy.ndarray of int, optional
        Piece number of each point (segment, or part between pauses).  A step
        between two pieces adds nothing.
    max_speed_mps : float, keyword-only
        A step faster than this is a GPS jump [m/s].  Its time is floored at
        1 s, so repeated timestamps do not inflate speed.  A point reached
        and left by jumps (a spike) is skipped, so the distance runs from the
        point before it to the point after; any other jump adds nothing.

    Returns
    -------
    TrackDistance

    Examples
    --------
    >>> lat = np.array([0.0, 0.0, 0.0, 0.0])
    >>> lon = np.array([0.0, 0.001, 0.002, 0.003])
    >>> d = track_distance(lat, lon, piece=np.array([0, 0, 1, 1]))
    >>> np.round(d.cumulative_m, 2).tolist()
    [0.0, 111.2, 111.2, 222.39]
    """
    n = len(lat_deg)
    cumulative = np.zeros(n)
    has_position = ~(np.isnan(lat_deg) | np.isnan(lon_deg))
    jump = _jumps(lat_deg, lon_deg, has_position, elapsed_s, max_speed_mps)
    n_spikes = 0
    if elapsed_s is not None and jump.any():
        # A point reached by a jump and left by a jump is a spike: drop the
        # point, so the distance runs from the point before to the point after.
        idx = np.flatnonzero(has_position)
        spike = np.zeros(n, dtype=bool)
        spike[idx[1:-1]] = jump[:-1] & jump[1:]
        n_spikes = int(spike.sum())
        has_position &= ~spike
        jump = _jumps(lat_deg, lon_deg, has_position, elapsed_s, max_speed_mps)
    idx = np.flatnonzero(has_position)
    if len(idx) < 2:
        return TrackDistance(cumulative, n_spikes)
    step = haversine_m(lat_deg[idx[:-1]], lon_deg[idx[:-1]], lat_deg[idx[1:]], lon_deg[idx[1:]])
    step[jump] = 0.0
    if piece is not None:
        step[piece[idx[1:]] != piece[idx[:-1]]] = 0.0
    cumulative[idx[1:]] = np.cumsum(step)
    # Points without a position carry the distance reached before them.
    filled = np.maximum.accumulate(np.where(has_position, np.arange(n), 0))
    return TrackDistance(cumulative[filled], n_spikes + int(jump.sum()))


def _jumps(lat_deg: np.ndarray, lon_deg: np.ndarray, has_position: np.ndarray,
           elapsed_s: np.ndarray | None, max_speed_mps: float) -> np.ndarray:
    """For each step between consecutive positioned points: is it a GPS jump?"""
    idx = np.flatnonzero(has_position)
    if elapsed_s is None or len(idx) < 2:
        return np.zeros(max(len(idx) - 1, 0), dtype=bool)
    step = haversine_m(lat_deg[idx[:-1]], lon_deg[idx[:-1]], lat_deg[idx[1:]], lon_deg[idx[1:]])
    dt = np.maximum(elapsed_s[idx[1:]] - elapsed_s[idx[:-1]], 1.0)
    with np.errstate(invalid="ignore"):
        return step / dt > max_speed_mps


# ------------------------------------------------------------------ climbing

def ascent_descent_m(altitude_m: np.ndarray, *,
                     threshold_m: float = ELEVATION_THRESHOLD_M) -> tuple[float, float]:
    """Total ascent and descent with a hysteresis threshold [m].

    Parameters
    ----------
    altitude_m : numpy.ndarray of float
        Altitudes in record order [m]; NaN values are skipped.
    threshold_m : float, keyword-only
        A rise or fall counts once it exceeds this [m] from the last turning
        point (:data:`ELEVATION_THRESHOLD_M`).

    Returns
    -------
    tuple of float
        ``(ascent_m, descent_m)``; NaN for both with fewer than two altitudes.

    Examples
    --------
    >>> ascent_descent_m(np.array([100.0, 101, 100, 105, 104, 110, 102]))
    (10.0, 8.0)
    """
    values = altitude_m[~np.isnan(altitude_m)].tolist()
    if len(values) < 2:
        return float("nan"), float("nan")
    ascent = descent = 0.0
    reference = values[0]
    # Hysteresis is path-dependent (each step depends on the last turning
    # point), so it is a loop; on plain floats it costs ~0.1 us per point.
    for value in values[1:]:
        change = value - reference
        if change > threshold_m:
            ascent += change
            reference = value
        elif change < -threshold_m:
            descent -= change
            reference = value
    return ascent, descent


# ------------------------------------------------------------------ cadence

def steps_per_min(cadence: np.ndarray, sport: str,
                  foot_sports: Iterable[str]) -> tuple[np.ndarray, str]:
    """Cadence in steps per minute (both legs) from a GPX/TCX cadence stream.

    Parameters
    ----------
    cadence : numpy.ndarray of float
        Cadence as the file wrote it [1/min].
    sport : str
        Normalised sport of the session.
    foot_sports : iterable of str
        Sports whose cadence counts steps (:data:`runload.readers.sports.FOOT_SPORTS`).

    Returns
    -------
    tuple
        ``(cadence_spm, note)``: the stream in steps/min (all NaN for other
        sports) and a note ('' when nothing needs saying).

    Notes
    -----
    Garmin's TrackPointExtension ``cad``, TCX ``RunCadence`` and the TCX
    ``Cadence`` that Polar and Suunto write for runs count one leg, so the
    value is doubled.  Some exporters write steps per minute already; when
    the 95th percentile of the non-zero values exceeds
    :data:`MAX_PER_LEG_CADENCE` the values cannot be per leg and are kept as
    they are.  Cadence of other sports (pedal rpm) is not steps and is NaN.
    """
    if sport not in set(foot_sports):
        return np.full(len(cadence), np.nan), ""
    moving = cadence[cadence > 0]
    if len(moving) and np.percentile(moving, 95) > MAX_PER_LEG_CADENCE:
        return cadence.astype(float), ("cadence is already in steps per minute "
                                       "(values above 120 cannot be per leg); not doubled")
    return cadence * 2.0, ""


# ------------------------------------------------------------------ summary

def record_summary(*, hr_bpm: np.ndarray, cadence_spm: np.ndarray,
                   power_w: np.ndarray, speed_mps: np.ndarray,
                   temperature_c: np.ndarray | None = None) -> dict[str, float | bool]:
    """Session averages from per-record streams.

    Parameters
    ----------
    hr_bpm, cadence_spm, power_w, speed_mps : numpy.ndarray of float
        Streams [1/min, 1/min, W, m/s]; NaN where a record has no value.
    temperature_c : numpy.ndarray of float, optional
        The device's temperature [degC], e.g. GPX ``gpxtpx:atemp``.

    Returns
    -------
    dict
        ``avg_hr_bpm``, ``max_hr_bpm``, ``avg_cadence_spm``, ``avg_power_w``,
        ``max_speed_mps``, ``avg_temperature_c``, ``max_temperature_c``,
        ``has_hr``, ``has_power``.

    Notes
    -----
    Heart rate 0 is a lost strap contact, not a value, and is ignored.
    Cadence 0 means standing still; like Garmin's summary, the average is over
    moving records (cadence > 0).  Power 0 (coasting) counts.
    """
    hr = hr_bpm[hr_bpm > 0]
    cadence = cadence_spm[cadence_spm > 0]
    power = power_w[~np.isnan(power_w)]
    speed = speed_mps[~np.isnan(speed_mps)]
    temperature = (np.empty(0) if temperature_c is None
                   else temperature_c[~np.isnan(temperature_c)])
    return {
        "avg_hr_bpm": float(hr.mean()) if len(hr) else np.nan,
        "max_hr_bpm": float(hr.max()) if len(hr) else np.nan,
        "avg_cadence_spm": float(cadence.mean()) if len(cadence) else np.nan,
        "avg_power_w": float(power.mean()) if len(power) else np.nan,
        "max_speed_mps": float(speed.max()) if len(speed) else np.nan,
        "avg_temperature_c": float(temperature.mean()) if len(temperature) else np.nan,
        "max_temperature_c": float(temperature.max()) if len(temperature) else np.nan,
        "has_hr": bool(len(hr)),
        "has_power": bool(len(power)),
    }
