"""Find the sessions that are copies of one run, keep the richest copy, report the rest.

One run often reaches a history several times: the watch's FIT from the USB
folder and from the Garmin export, a GPX or TCX re-export, a Strava copy, and a
summary row in Strava's ``activities.csv`` or Garmin's
``summarizedActivities.json``.  :func:`find_duplicates` marks every copy but
one with ``duplicate_of`` so that load is counted once.

Rules
-----
Two sessions are copies of one run when one of these holds:

``same_content``
    Same ``content_sha256`` and ``session_index``: the same file found at two
    places (their ``activity_id`` is the same; the rows differ by
    ``source_path``/``member_path``).
``same_fit_identity``
    Same non-empty ``device_file_id`` (FIT ``manufacturer:serial:time_created``)
    and ``session_index``: the same recording, re-encoded.
``overlap``
    Same sport family (:data:`SPORT_FAMILIES`; ``generic`` matches any
    family), time intervals ``[start_utc, start_utc + elapsed_s]`` overlapping
    by at least ``min_overlap_frac`` of the shorter one, durations within
    ``max_rel_diff`` and distances within ``max_rel_diff`` (see
    :func:`find_duplicates`), and not two sessions of one file.
``overlap_shifted``
    The ``overlap`` test passes only after moving one copy by a whole number
    of hours, 1 to ``max_shift_h``: a copy written with a wrong time zone.
    Two runs of one day (a double) can lie a whole number of hours apart and
    be alike, so the shift must be explained by the copies' clocks: not both
    may have a start known to be right (:data:`TRUSTED_UTC_CLOCKS`), and the
    shift must equal, give or take one hour for daylight saving, the size of
    a UTC offset known for either copy or of the difference of their offsets
    (local time written as UTC is off by exactly the zone's offset).  Copies
    with no known offset are never matched shifted, nor two FIT files of one
    device (same manufacturer and serial): one clock wrote both.

Copies group transitively (A~B and B~C make one group of three), except that
an overlap link never joins two different sport families (through a
``generic`` copy) nor two sessions of one file.

Which copy is kept
------------------
The first by, in order: source format (:data:`SOURCE_PRIORITY`, FIT > TCX >
GPX > garmin_json > strava_csv, so a summary-only row never wins over a file),
not partial (damaged), has heart rate, has GPS, has power, has a FIT device
identity, time-zone source (:data:`TZ_SOURCE_TRUST`), more records, then
``source_path``, ``member_path`` and ``session_index`` so that the choice does
not depend on row order.  Device identity and time-zone source come before the
record count because copies of one run differ by a record or two (a re-encoded
file is resampled) while a file without identity or local time is a re-export.

The kept row receives what only the others had: a ``name`` and
``description`` when its own are empty (from the first copy, in keep order,
that has one), and ``utc_offset_s``/``tz_source``/``tz_name`` (with
``start_local`` and ``local_date`` recomputed) when it has no offset, from the
unshifted copy with the most trusted ``tz_source``.  Its ``notes`` say what was
taken from which copy.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Source formats, richest first: a file's records beat a summary row.
SOURCE_PRIORITY: tuple[str, ...] = ("fit", "tcx", "gpx", "garmin_json", "strava_csv")

#: ``tz_source`` values, most trusted first ('' and unknown values come last).
TZ_SOURCE_TRUST: tuple[str, ...] = (
    "fit_local_timestamp", "file_offset", "garmin_json", "gps_lookup", "user_default",
    "assumed_utc")

#: ``tz_source`` values whose session's start_utc is known to be right: such a
#: session is never the copy shifted by a wrong zone.
TRUSTED_UTC_CLOCKS = frozenset({"fit_local_timestamp", "garmin_json"})

#: Sport -> family for cross-format matching; a sport not listed is its own family.
#: Sub-sports (treadmill, trail, track, virtual_activity, ...) do not matter.
SPORT_FAMILIES: dict[str, str] = {
    "running": "running",
    "cycling": "cycling", "e_biking": "cycling",
    "walking": "walking_hiking", "hiking": "walking_hiking",
    "swimming": "swimming",
}

#: Sports that say nothing: such a copy (e.g. a GPX without ``<type>``) may match
#: a session of any family.
GENERIC_SPORTS = frozenset({"", "generic"})

#: Rules, strongest first (also the order groups are built in).
RULES: tuple[str, ...] = ("same_content", "same_fit_identity", "overlap", "overlap_shifted")

DUPLICATE_COLUMNS: tuple[str, ...] = (
    "activity_id", "source_path", "member_path", "duplicate_of", "rule", "shift_h",
    "overlap_frac", "detail")

_REQUIRED = (
    "activity_id", "source_path", "member_path", "source_format", "content_sha256",
    "session_index", "sport", "name", "description", "start_utc", "utc_offset_s", "tz_source",
    "tz_name", "elapsed_s", "timer_s", "distance_m", "has_gps", "has_hr", "has_power",
    "n_records", "is_partial", "device_file_id", "duplicate_of", "notes")
_HOUR_S = 3600.0
_GENERIC = -1


@dataclass(frozen=True)
class Deduplicated:
    """Sessions with their duplicates marked, and the report of what was dropped.

    Attributes
    ----------
    sessions : pandas.DataFrame
        Every input row, same index and columns.  A duplicate has
        ``duplicate_of`` = the kept row's ``activity_id``; every other row has
        ``''``.  Kept rows carry what they took from their copies (name,
        description, time zone) and a note saying so.
    duplicates : pandas.DataFrame
        One row per dropped session, in input order, with columns
        :data:`DUPLICATE_COLUMNS`: its ``activity_id``, ``source_path`` and
        ``member_path`` (same-content copies share an activity_id),
        ``duplicate_of``, ``rule`` (one of :data:`RULES`), ``shift_h`` (whole
        hours this copy's start lies after the copy it matched [h]; 0 unless
        the clocks disagree), ``overlap_frac`` (time overlap over the shorter
        interval at that shift [fraction]; NaN without start or duration) and
        ``detail`` (plain words).  The rule describes the copy the row matched:
        the kept row, or, in a transitive group, another duplicate that
        ``detail`` names.
    """

    sessions: pd.DataFrame
    duplicates: pd.DataFrame


def find_duplicates(sessions: pd.DataFrame, *, min_overlap_frac: float = 0.8,
                    max_rel_diff: float = 0.10, max_shift_h: int = 14) -> Deduplicated:
    """Mark sessions that are copies of another session; keep the richest copy.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table (:data:`runload.schema.SESSION_COLUMNS`).  Not changed.
        ``duplicate_of`` on input is ignored and recomputed.
    min_overlap_frac : float, default 0.8
        Least time overlap of two copies, as a fraction of the shorter
        interval ``[start_utc, start_utc + elapsed_s]`` [fraction].  The 80 %
        of jeffutter/strava-duplicate-cleaner: a watch started a minute late or
        stopped at the door still overlaps far more.
    max_rel_diff : float, default 0.10
        Largest difference of duration and of distance between two copies,
        relative to the larger value [fraction].  Durations agree when the
        timer times (``timer_s``, else ``elapsed_s``) or the elapsed times
        agree; distances are not compared when either is missing or 0 (a
        treadmill run without distance, a summary row).  GPS re-computation
        and pause handling move these by a few percent, rarely 10.
    max_shift_h : int, default 14
        Largest whole-hour shift tried for a copy written in a wrong time zone
        [h].  14 covers every UTC offset (UTC-12 to UTC+14).  Half-hour shifts
        are not tried; a shift must also be explained by the copies' UTC
        offsets (module docstring, ``overlap_shifted``).

    Returns
    -------
    Deduplicated
        ``sessions`` (a new frame) and the ``duplicates`` report.

    Raises
    ------
    ValueError
        If a column the rules need is missing, or a threshold is out of range.

    Notes
    -----
    Candidate pairs come from a sweep over rows sorted by ``start_utc``: each
    row is compared only with rows starting before its end plus
    ``max_shift_h``, so the work grows with the number of rows, not its square.
    Rows without ``start_utc`` or any duration can only match by content or FIT
    identity.
    """
    missing = [c for c in _REQUIRED if c not in sessions.columns]
    if missing:
        raise ValueError(f"find_duplicates needs the sessions columns {missing}; "
                         "build the table with runload.schema.sessions_frame.")
    if not 0 < min_overlap_frac <= 1:
        raise ValueError(f"min_overlap_frac must be in (0, 1]; got {min_overlap_frac}.")
    if not 0 <= max_rel_diff < 1:
        raise ValueError(f"max_rel_diff must be in [0, 1); got {max_rel_diff}.")
    if int(max_shift_h) != max_shift_h or max_shift_h < 0:
        raise ValueError(f"max_shift_h must be a whole number of hours >= 0; got {max_shift_h}.")

    t = _Table(sessions, min_overlap_frac, max_rel_diff, int(max_shift_h))
    edges = _exact_edges(t) + _overlap_edges(t)
    groups = _groups(t, edges)
    out = sessions.copy()
    dup_of = np.full(t.n, "", dtype=object)
    report: list[tuple[int, int, str, int, float, str]] = []
    merges = _Merges(t, out)
    adjacent: dict[int, list[tuple[_Edge, int]]] = {}
    for e in sorted(edges):
        adjacent.setdefault(e[2], []).append((e, e[3]))
        adjacent.setdefault(e[3], []).append((e, e[2]))
    for members in groups:
        kept = min(members, key=lambda i: t.keep_rank[i])
        links = _links(t, kept, set(members), adjacent)
        for row in sorted(members):
            if row == kept:
                continue
            dup_of[row] = t.activity_id[kept]
            report.append((row, *links[row]))
        merges.merge(kept, sorted(members, key=lambda i: t.keep_rank[i])[1:])
    out["duplicate_of"] = pd.Series(dup_of, index=out.index, dtype="string")
    merges.write()
    return Deduplicated(out, _report_frame(t, sorted(report)))


class _Table:
    """The columns the rules read, as numpy arrays by row position."""

    def __init__(self, s: pd.DataFrame, min_overlap: float, max_rel: float, max_shift: int):
        self.n = len(s)
        self.min_overlap, self.max_rel, self.max_shift = min_overlap, max_rel, max_shift

        def text(col: str) -> np.ndarray:
            return s[col].astype("string").fillna("").to_numpy(dtype=object)

        def num(col: str) -> np.ndarray:
            return pd.to_numeric(s[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)

        def flag(col: str) -> np.ndarray:
            return s[col].fillna(False).to_numpy(dtype=bool)

        self.activity_id, self.fmt = text("activity_id"), text("source_format")
        self.path, self.member = text("source_path"), text("member_path")
        self.sha, self.file_identity = text("content_sha256"), text("device_file_id")
        self.sport, self.tz_source = text("sport"), text("tz_source")
        self.index = num("session_index")
        self.offset = num("utc_offset_s")
        self.clock_trusted = np.isin(self.tz_source, list(TRUSTED_UTC_CLOCKS))
        # 'manufacturer:serial' of a FIT device_file_id, '' without one.
        self.device = np.array([x.rsplit(":", 1)[0] if x.count(":") == 2 else ""
                                for x in self.file_identity], dtype=object)
        start = pd.to_datetime(s["start_utc"], utc=True)
        self.start = np.where(start.isna(), np.nan,
                              start.dt.tz_localize(None).to_numpy("datetime64[us]")
                              .astype("int64") / 1e6)
        self.elapsed, self.timer, self.distance = num("elapsed_s"), num("timer_s"), num("distance_m")
        elapsed_ok = self.elapsed > 0
        timer_ok = self.timer > 0
        # Interval length (wall clock) and active duration (timer) [s].
        self.length = np.where(elapsed_ok, self.elapsed, np.where(timer_ok, self.timer, np.nan))
        self.duration = np.where(timer_ok, self.timer, np.where(elapsed_ok, self.elapsed, np.nan))
        fam_names = np.array([SPORT_FAMILIES.get(x, x) for x in self.sport], dtype=object)
        codes, _ = pd.factorize(fam_names)
        self.family = np.where(np.isin(self.sport, list(GENERIC_SPORTS)), _GENERIC, codes)
        self.file_key = pd.factorize(pd.Series(self.path) + "\x00" + pd.Series(self.member))[0]
        self.has = {c: flag(c) for c in ("has_hr", "has_gps", "has_power", "is_partial")}
        self.n_records = num("n_records")
        fmt_rank = _rank(self.fmt, SOURCE_PRIORITY)
        tz_rank = _rank(self.tz_source, TZ_SOURCE_TRUST)
        keys = (fmt_rank, self.has["is_partial"], ~self.has["has_hr"], ~self.has["has_gps"],
                ~self.has["has_power"], self.file_identity == "", tz_rank,
                -np.nan_to_num(self.n_records), self.path, self.member, self.index)
        order = np.lexsort(tuple(pd.factorize(k, sort=True)[0] for k in reversed(keys)))
        self.keep_rank = np.empty(self.n, dtype=np.int64)
        self.keep_rank[order] = np.arange(self.n)
        self.keys = keys

    def label(self, i: int) -> str:
        where = self.path[i] + (f"!{self.member[i]}" if self.member[i] else "")
        return f"{self.activity_id[i]} ({self.fmt[i] or 'unknown format'}, {where})"


def _rank(values: np.ndarray, order: tuple[str, ...]) -> np.ndarray:
    lookup = {v: r for r, v in enumerate(order)}
    return np.array([lookup.get(v, len(order)) for v in values], dtype=np.int64)


# An edge: (rule rank, -overlap, a, b, shift_h, overlap_frac); shift_h is b's start minus a's [h].
_Edge = tuple[int, float, int, int, int, float]


def _exact_edges(t: _Table) -> list[_Edge]:
    """All pairs inside each group of equal content hash or equal FIT identity."""
    edges: list[_Edge] = []
    for rule, key in ((0, t.sha), (1, t.file_identity)):
        frame = pd.DataFrame({"key": key, "index": t.index})
        frame = frame[frame["key"] != ""]
        for rows in frame.groupby(["key", "index"], sort=False).indices.values():
            if len(rows) < 2:
                continue
            pos = frame.index.to_numpy()[rows]
            a, b = (x.ravel() for x in np.meshgrid(pos, pos, indexing="ij"))
            a, b = a[a < b], b[a < b]
            _, frac, shift = _pair_test(t, a, b, guarded=False)
            edges += [(rule, 0.0, int(i), int(j), int(k), float(f))
                      for i, j, k, f in zip(a, b, shift, frac, strict=True)]
    return edges


def _overlap_edges(t: _Table) -> list[_Edge]:
    """Pairs passing the overlap test, found by a sweep over rows sorted by start."""
    usable = np.flatnonzero(np.isfinite(t.start) & np.isfinite(t.length))
    if len(usable) < 2:
        return []
    usable = usable[np.argsort(t.start[usable], kind="stable")]
    start = t.start[usable]
    reach = start + t.length[usable] + t.max_shift * _HOUR_S
    hi = np.searchsorted(start, reach, side="right")
    counts = np.maximum(hi - np.arange(len(usable)) - 1, 0)
    first = np.repeat(np.arange(len(usable)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    a, b = usable[first], usable[first + 1 + offsets]
    keep = (((t.family[a] == t.family[b]) | (t.family[a] == _GENERIC) | (t.family[b] == _GENERIC))
            & (t.file_key[a] != t.file_key[b]))
    a, b = a[keep], b[keep]
    ok, frac, shift = _pair_test(t, a, b)
    a, b, frac, shift = a[ok], b[ok], frac[ok], shift[ok]
    rule = np.where(shift == 0, 2, 3)
    return [(int(r), -float(f), int(i), int(j), int(k), float(f))
            for r, f, i, j, k in zip(rule, frac, a, b, shift, strict=True)]


def _rel_ok(x: np.ndarray, y: np.ndarray, max_rel: float) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.abs(x - y) <= max_rel * np.fmax(x, y)


def _pair_test(t: _Table, a: np.ndarray, b: np.ndarray, *, guarded: bool = True
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The overlap test on pairs (a[i], b[i]).

    Returns whether each pair passes, its overlap fraction and the whole-hour
    shift of b's start after a's that was used (0 when the unshifted test
    passes, else the allowed shift with the largest overlap; NaN overlap
    without intervals).  ``guarded=False`` drops the checks on shifts (used
    to describe exact copies).
    """
    same_duration = (_rel_ok(t.duration[a], t.duration[b], t.max_rel)
                     | _rel_ok(t.elapsed[a], t.elapsed[b], t.max_rel))
    da, db = t.distance[a], t.distance[b]
    same_distance = ~(da > 0) | ~(db > 0) | _rel_ok(da, db, t.max_rel)
    shorter = np.fmin(t.length[a], t.length[b])

    def frac(k: np.ndarray) -> np.ndarray:
        b_start = t.start[b] - k * _HOUR_S
        inter = (np.fmin(t.start[a] + t.length[a], b_start + t.length[b])
                 - np.fmax(t.start[a], b_start))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(shorter > 0, np.clip(inter, 0, None) / shorter, np.nan)

    f0 = frac(np.zeros(len(a)))
    unshifted = f0 >= t.min_overlap
    # The overlap is largest at the whole hours either side of the start difference.
    low = np.floor(np.nan_to_num(t.start[b] - t.start[a]) / _HOUR_S)
    best_k, best_f = np.zeros(len(a)), np.full(len(a), np.nan)
    for k in (low, low + 1):
        f = frac(k)
        usable = ((k != 0) & (np.abs(k) <= t.max_shift) & (f >= t.min_overlap)
                  & ~(f <= best_f))
        if guarded:
            usable &= _shift_explained(t, a, b, k)
        best_k, best_f = np.where(usable, k, best_k), np.where(usable, f, best_f)
    shifted = ~unshifted & (best_k != 0)
    ok = same_duration & same_distance & (unshifted | shifted)
    shift = np.where(shifted, best_k, 0).astype(np.int64)
    return ok, np.where(shifted, best_f, f0), shift


def _shift_explained(t: _Table, a: np.ndarray, b: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Whether a shift of k hours can be a copy's clock error, not two sessions.

    Not when both copies have a UTC clock that is known right (FIT with
    local_timestamp, Garmin JSON), nor when one device (FIT manufacturer and
    serial) wrote both: one clock cannot disagree with itself.  Otherwise |k| must be the size of a UTC
    offset known for either copy, or of the difference of their offsets
    (local time written as UTC, UTC as local, one zone for another), or one
    hour more or less than one of these (a daylight-saving slip).
    """
    one_clock = ((t.clock_trusted[a] & t.clock_trusted[b])
                 | ((t.device[a] != "") & (t.device[a] == t.device[b])))
    shift_s = np.abs(k) * _HOUR_S
    explained = np.zeros(len(a), dtype=bool)
    for offset in (t.offset[a], t.offset[b], t.offset[a] - t.offset[b]):
        size = np.abs(offset)
        for slip in (-_HOUR_S, 0.0, _HOUR_S):
            explained |= shift_s == size + slip
    return explained & ~one_clock


def _groups(t: _Table, edges: list[_Edge]) -> list[list[int]]:
    """Union copies, strongest links first; an overlap link never joins two
    sport families or two sessions of one file."""
    parent = list(range(t.n))
    family = {i: int(t.family[i]) for i in range(t.n)}
    files = {i: {int(t.file_key[i])} for i in range(t.n)}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for rule, _, a, b, _, _ in sorted(edges):
        ra, rb = root(a), root(b)
        if ra == rb:
            continue
        fa, fb = family[ra], family[rb]
        if rule >= 2 and ((fa != fb and _GENERIC not in (fa, fb)) or files[ra] & files[rb]):
            continue
        parent[rb] = ra
        family[ra] = fa if fa != _GENERIC else fb
        files[ra] |= files.pop(rb)
    members: dict[int, list[int]] = {}
    for i in range(t.n):
        members.setdefault(root(i), []).append(i)
    return [m for m in members.values() if len(m) > 1]


def _links(t: _Table, kept: int, members: set[int],
           adjacent: dict[int, list[tuple[_Edge, int]]]
           ) -> dict[int, tuple[int, str, int, float, str]]:
    """For each dropped row of kept's group: (kept row, rule, shift_h, overlap_frac, detail).

    A row is described by its strongest direct link to the kept row, else by
    the link that tied it into the group (breadth-first from the kept row over
    the group's links, strongest first; a link refused when grouping leads
    out of the group and is not followed).
    """
    via: dict[int, tuple[_Edge, int]] = {}
    queue = deque([kept])
    seen = {kept}
    while queue:
        node = queue.popleft()
        for e, other in adjacent.get(node, ()):
            if other not in seen and other in members:
                seen.add(other)
                via[other] = (e, node)
                queue.append(other)
    out = {}
    for row, (e, linked) in via.items():
        rule_rank, _, a, _, shift, frac = e
        shift = shift if a == linked else -shift
        rule = RULES[rule_rank]
        words = _rule_words(t, rule, row, linked, kept, shift, frac)
        if linked != kept:
            words += ", itself a duplicate"
        words += f"; kept {t.label(kept)}: {_why_kept(t, kept, row)}"
        out[row] = (kept, rule, shift, frac, words)
    return out


def _rule_words(t: _Table, rule: str, row: int, other: int, kept: int, shift: int,
                frac: float) -> str:
    name = "the kept copy" if other == kept else t.label(other)
    if rule == "same_content":
        return f"same file content (sha256 {t.sha[row][:16]}) as {name}"
    if rule == "same_fit_identity":
        return (f"same FIT recording (device_file_id {t.file_identity[row]}, session "
                f"{int(t.index[row])}) as {name}, re-encoded")
    text = f"{t.fmt[row] or 'a'} copy overlapping {name} by {frac:.0%} of the shorter in time"
    if shift:
        text += (f" after moving its start {abs(shift)} h {'earlier' if shift > 0 else 'later'}"
                 " (written in a wrong time zone)")
    parts = []
    for what, x, y in (("duration", t.duration[row], t.duration[other]),
                       ("distance", t.distance[row], t.distance[other])):
        if x > 0 and y > 0:
            parts.append(f"{what} {abs(x - y) / max(x, y):.1%} off")
    return text + (", " + ", ".join(parts) if parts else "")


_WHY = ("richer source format", "not damaged", "has heart rate", "has GPS", "has power",
        "has a FIT device identity", "more trusted time zone", "more records",
        "first by path", "first by path", "first session")


def _why_kept(t: _Table, kept: int, row: int) -> str:
    for why, key in zip(_WHY, t.keys, strict=True):
        if key[kept] != key[row]:
            if why == "richer source format":
                return f"{why} ({t.fmt[kept]} over {t.fmt[row] or 'unknown'})"
            return why
    return "same file"


class _Merges:
    """What kept rows take from their copies, written into ``out`` at the end."""

    def __init__(self, t: _Table, out: pd.DataFrame):
        self.t, self.out = t, out
        # Object arrays: setting single items of Arrow-backed strings is slow.
        self.cols = {c: out[c].to_numpy(dtype=object, na_value=None) for c in (
            "name", "description", "utc_offset_s", "tz_source", "tz_name", "notes")}
        self.local = {c: out[c].to_numpy(copy=True) for c in ("start_local", "local_date")
                      if c in out.columns}
        self.changed = False

    def merge(self, kept: int, donors: list[int]) -> None:
        c, t = self.cols, self.t
        taken: dict[int, list[str]] = {}
        for col in ("name", "description"):
            if _empty(c[col][kept]):
                donor = next((d for d in donors if not _empty(c[col][d])), None)
                if donor is not None:
                    c[col][kept] = c[col][donor]
                    taken.setdefault(donor, []).append(col)
        if c["utc_offset_s"][kept] is None:
            aligned = [d for d in donors if c["utc_offset_s"][d] is not None
                       and abs(t.start[d] - t.start[kept]) < _HOUR_S / 2]
            if aligned:
                donor = min(aligned, key=lambda d: _rank(t.tz_source[[d]], TZ_SOURCE_TRUST)[0])
                for col in ("utc_offset_s", "tz_source", "tz_name"):
                    c[col][kept] = c[col][donor]
                taken.setdefault(donor, []).append("utc_offset_s")
                self._local_times(kept, int(c["utc_offset_s"][kept]))
        notes = [f"{', '.join(cols)} merged from duplicate {t.label(d)}"
                 for d, cols in taken.items()]
        old = "" if _empty(c["notes"][kept]) else str(c["notes"][kept])
        new = [n for n in notes if n not in old]
        if new:
            c["notes"][kept] = "; ".join(([old] if old else []) + new)
        self.changed = self.changed or bool(taken)

    def _local_times(self, kept: int, offset_s: int) -> None:
        start = self.t.start[kept]
        if np.isnan(start):
            return
        local = np.datetime64(int(round(start * 1e6)) + offset_s * 1_000_000, "us")
        if "start_local" in self.local:
            self.local["start_local"][kept] = local
        if "local_date" in self.local:
            self.local["local_date"][kept] = local.astype("datetime64[D]")

    def write(self) -> None:
        if not self.changed:
            return
        for col, values in self.cols.items():
            self.out[col] = pd.Series(values, index=self.out.index, dtype=self.out[col].dtype)
        for col, values in self.local.items():
            self.out[col] = pd.Series(values, index=self.out.index).astype(self.out[col].dtype)


def _empty(value: object) -> bool:
    return value is None or str(value).strip() == ""


def _report_frame(t: _Table, report: list[tuple[int, int, str, int, float, str]]
                  ) -> pd.DataFrame:
    rows = [r for r, *_ in report]
    return pd.DataFrame({
        "activity_id": pd.Series(t.activity_id[rows], dtype="string"),
        "source_path": pd.Series(t.path[rows], dtype="string"),
        "member_path": pd.Series(t.member[rows], dtype="string"),
        "duplicate_of": pd.Series([t.activity_id[k] for _, k, *_ in report], dtype="string"),
        "rule": pd.Series([r[2] for r in report], dtype="string"),
        "shift_h": pd.Series([r[3] for r in report], dtype="int64"),
        "overlap_frac": pd.Series([r[4] for r in report], dtype="float64"),
        "detail": pd.Series([r[5] for r in report], dtype="string"),
    })
