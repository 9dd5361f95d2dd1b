"""Running surface of each session: the device's label when there is one, else inferred.

Every session gets ``surface`` (road, trail, track, treadmill, indoor,
unknown), ``surface_source`` and ``surface_confidence`` [0-1]
(:func:`classify_surfaces`).  :func:`surface_validation` measures the
inference against the labels devices wrote.

Labels
------
A running session's normalised ``sub_sport`` (FIT's vocabulary; GPX, TCX and
Strava type text is normalised to it by the readers) maps through
:data:`SURFACE_LABELS`: street -> road, trail -> trail, track -> track,
treadmill -> treadmill, indoor_running -> indoor, virtual_activity ->
treadmill (a virtual run, e.g. Zwift, is run on a treadmill with a foot pod or
on a smart treadmill).  Confidence 1.  ``surface_source`` is 'device_label'
for FIT files and 'file_type' for GPX, TCX and summary (Strava CSV, Garmin
JSON) type text.  Any other sub_sport (generic, ultra, obstacle,
unknown_<n>...) names no surface: the surface is inferred.

Inference
---------
From the features the readers compute at import
(:mod:`runload.readers.track_features`, defined there with their units) and
``has_gps``, ``distance_m``, ``is_manual``, ``is_summary_only``.  Every number
is an attribute of :class:`SurfaceInference`.  The first rule that applies
wins:

1. Summary only (no file): nothing to go on -> unknown, confidence 0.
2. Manual entry (no records) with a distance -> treadmill, confidence 0.3.
   Low: a typed-in run says nothing of where it was.  The guess rests on
   habit: outdoor runs are recorded by a watch or phone, gym treadmill runs
   are often typed in (42 of history_a's 46 manual runs are labelled
   treadmill, the other 4 street).  Without a distance -> unknown, 0.
3. Records with a distance but no GPS fix -> treadmill, 0.7: the watch
   measured the distance from its accelerometer or a foot pod, as indoors.
   An indoor track cannot be told from a treadmill without GPS, and an
   outdoor run with GPS off looks the same, hence not higher; 'indoor' comes
   only from labels.  No GPS and no distance -> unknown, 0.
4. GPS that never moves: fixes within ``stationary_bbox_m`` (50 m) while the
   session covers at least ``stationary_min_distance_m`` (1 km) ->
   treadmill, 0.7 (GPS left on indoors).
5. GPS path too short for the geometry (under 500 m: ``track_turns_per_km``
   NaN) -> unknown, 0.
6. Track: a ``track_lap_m`` within ``track_lap_range_m`` (180-500 m), to
   which at least ``track_min_return_frac`` (30 %) of the path returns, and
   at least ``track_min_turns_per_lap`` (half a turn) of net rotation per lap
   (``track_turns_per_km >= 0.5 * 1000 / track_lap_m``: a loop, not a
   shuttle back and forth) -> track; 0.9 when at least ``track_laps_frac``
   (60 %) of the path is laps, else 0.7 (e.g. with the run to the track).
7. Trail: ``grade_std_frac`` (grade spread over 500 m) at least
   ``trail_grade_std_frac`` (0.06) -> trail, 0.6; 0.8 from 1.5 times that.
8. Otherwise road: 0.7 when the grade spread is under half the trail
   threshold (clearly flat), 0.5 near the line or without altitude (road
   because most GPS runs are on roads), 0.3 when the GPS stays within
   ``compact_bbox_m`` (300 m) (laps of something small that is no track, or
   GPS scattered indoors).

Where the numbers come from (../shared/realdata, 105 GPS runs)
---------------------------------------------------------------
- Track: the labelled track run (fsy__470140731.fit: a 300 m track, 16 laps,
  changing direction after ten) has a 310 m lap with 95 % returns.  Generic
  runs on 400 m tracks (two in history_a, two GPX) measure 410-460 m, since
  GPS noise lengthens the path, with 63-100 % returns; 500 m leaves room for
  noisier GPS, 180 m takes in 200 m indoor tracks.  The only other lap under
  640 m is a 180 m shuttle (hill repeats on one line,
  runpandas__run_garmin.tcx) with 1.5 net turns/km where a 180 m loop would
  need 2.8; park loops of history_a measure 640-850 m.
- Trail: the grade spread is taken over 500 m, not 50-100 m, because GPS
  altitude without a barometer wanders by 10-30 m: history_a's flat 2020-01
  loops (a watch without a barometer) reach 0.07-0.12 over 100 m, but at
  most 0.035 over 500 m; river paths with small climbs give 0.033-0.041.
  Hill runs give 0.078 (Scotland, fitparse__2013-02-06-12-11-14.fit) and
  0.187 (a mountain run with 290 m of relief, sportslib__6037744996.gpx).
  0.06 sits in the gap.
- Not in the rule: sinuosity, turn density, roughness and speed variation at
  equal heart rate did not separate trail from road on these files (compact
  urban loops are as winding as the mountain run; roughness follows GPS
  altitude noise).  They stay in the sessions table.  The one run labelled
  trail (sportslib__6909950168.fit, Suunto 9) is flat and straight (grade
  spread 0.002) and is inferred road: a flat trail is out of reach of these
  features.

Evidence (science.md E1): surface type and injury, weak; surface change,
expert opinion.  The surface describes the training, not a risk in itself.

Non-running sessions are not classified: 'unknown', 'inferred', confidence 0.
A session whose ``surface_source`` is already 'user_override' is kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from runload.analysis.checks import require_frame
from runload.config import SURFACES

#: Normalised sub_sport -> surface, for labels that name one.
SURFACE_LABELS: dict[str, str] = {
    "street": "road", "trail": "trail", "track": "track", "treadmill": "treadmill",
    "indoor_running": "indoor", "virtual_activity": "treadmill",
}

#: Order of surfaces in tables: :data:`runload.config.SURFACES`.
SURFACE_ORDER = SURFACES

#: Feature columns the inference reads (runload.readers.track_features); NaN when absent.
FEATURE_INPUTS = ("track_bbox_diag_m", "track_turns_per_km", "track_lap_m",
                  "track_return_frac", "grade_std_frac")

_OVERRIDE = "user_override"


@dataclass(frozen=True)
class SurfaceInference:
    """Thresholds of the surface inference (see the module docstring for their grounds).

    Attributes
    ----------
    stationary_bbox_m : float
        GPS fixes within a box this diagonal [m] do not move (GPS on indoors).
    stationary_min_distance_m : float
        ... while the session covers at least this distance [m].
    track_lap_range_m : tuple of float
        Lap lengths of a running track, GPS error included [m].
    track_min_return_frac : float
        Share of the path that must come back one lap later [0-1].
    track_laps_frac : float
        Share above which the session is mostly laps (higher confidence) [0-1].
    track_min_turns_per_lap : float
        Net rotation per lap a loop needs [turns].
    trail_grade_std_frac : float
        Grade spread over 500 m from which a run is a trail [fraction].
    compact_bbox_m : float
        A road run whose GPS stays within a box this diagonal [m] gets low
        confidence (laps of something small, or GPS scattered indoors).
    """

    stationary_bbox_m: float = 50.0
    stationary_min_distance_m: float = 1000.0
    track_lap_range_m: tuple[float, float] = (180.0, 500.0)
    track_min_return_frac: float = 0.3
    track_laps_frac: float = 0.6
    track_min_turns_per_lap: float = 0.5
    trail_grade_std_frac: float = 0.06
    compact_bbox_m: float = 300.0


def _column(sessions: pd.DataFrame, name: str, fill: object, dtype: str) -> np.ndarray:
    if name not in sessions.columns:
        return np.full(len(sessions), fill, dtype=dtype)
    values = sessions[name]
    if dtype == "float64":
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return values.fillna(fill).to_numpy(dtype=dtype)


def _check(sessions: pd.DataFrame, func: str) -> None:
    require_frame(sessions, param="sessions", func=func, columns=("sport", "sub_sport"),
                  kind="a sessions table (runload.schema.SESSION_COLUMNS)")


def infer_surfaces(sessions: pd.DataFrame, *,
                   rules: SurfaceInference | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The inferred surface and its confidence for each row, ignoring labels.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table; reads ``has_gps``, ``distance_m``, ``is_manual``,
        ``is_summary_only`` and :data:`FEATURE_INPUTS` when present (a missing
        column reads as False or NaN).
    rules : SurfaceInference, optional

    Returns
    -------
    (numpy.ndarray of str, numpy.ndarray of float)
        Surface and confidence [0-1] per row, by the rules of the module
        docstring; the sport is not looked at.
    """
    r = rules or SurfaceInference()
    f = {name: _column(sessions, name, np.nan, "float64")
         for name in (*FEATURE_INPUTS, "distance_m")}
    has_gps = _column(sessions, "has_gps", False, "bool")
    manual = _column(sessions, "is_manual", False, "bool")
    summary = _column(sessions, "is_summary_only", False, "bool")
    distance = f["distance_m"]
    has_distance = distance > 0
    bbox, lap, ret = f["track_bbox_diag_m"], f["track_lap_m"], f["track_return_frac"]
    turns, grade = f["track_turns_per_km"], f["grade_std_frac"]
    with np.errstate(invalid="ignore", divide="ignore"):
        stationary = (has_gps & (bbox < r.stationary_bbox_m)
                      & (distance >= r.stationary_min_distance_m))
        is_track = ((lap >= r.track_lap_range_m[0]) & (lap <= r.track_lap_range_m[1])
                    & (ret >= r.track_min_return_frac)
                    & (turns >= r.track_min_turns_per_lap * 1000.0 / lap))
    no_geometry = has_gps & np.isnan(turns)
    is_trail = grade >= r.trail_grade_std_frac
    conditions = [
        summary,
        manual & has_distance,
        manual,
        ~has_gps & has_distance,
        ~has_gps,
        stationary,
        no_geometry,
        is_track,
        is_trail,
    ]
    surfaces = ["unknown", "treadmill", "unknown", "treadmill", "unknown", "treadmill",
                "unknown", "track", "trail"]
    confidences = [
        0.0, 0.3, 0.0, 0.7, 0.0, 0.7, 0.0,
        np.where(ret >= r.track_laps_frac, 0.9, 0.7),
        np.where(grade >= 1.5 * r.trail_grade_std_frac, 0.8, 0.6),
    ]
    with np.errstate(invalid="ignore"):
        road_confidence = np.where(bbox < r.compact_bbox_m, 0.3,
                                   np.where(grade < 0.5 * r.trail_grade_std_frac, 0.7, 0.5))
    surface = np.select(conditions, surfaces, default="road").astype(object)
    confidence = np.select(conditions, confidences, default=road_confidence).astype("float64")
    return surface, confidence


def classify_surfaces(sessions: pd.DataFrame, *,
                      rules: SurfaceInference | None = None) -> pd.DataFrame:
    """Fill ``surface``, ``surface_source`` and ``surface_confidence`` of every session.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table (:data:`runload.schema.SESSION_COLUMNS`); needs
        ``sport`` and ``sub_sport``; reads ``source_format``,
        ``surface_source``, ``has_gps``, ``distance_m``, ``is_manual``,
        ``is_summary_only`` and the track features when present.
    rules : SurfaceInference, optional
        Inference thresholds (default :class:`SurfaceInference`).

    Returns
    -------
    pandas.DataFrame
        A copy of ``sessions`` (same index) with ``surface`` (string: one of
        road, trail, track, treadmill, indoor, unknown), ``surface_source``
        (string: 'device_label', 'file_type', 'inferred' or the
        'user_override' already there) and ``surface_confidence`` (float64,
        [0-1]).  The input is not modified.

    Raises
    ------
    TypeError
        If ``sessions`` is not a DataFrame.
    ValueError
        If ``sport`` or ``sub_sport`` is missing.

    Notes
    -----
    Labels first (:data:`SURFACE_LABELS`, confidence 1), then inference (see
    the module docstring for every rule and number).  Non-running sessions:
    'unknown', 'inferred', 0.

    Examples
    --------
    >>> from runload.schema import sessions_frame
    >>> s = sessions_frame([
    ...     {"sport": "running", "sub_sport": "trail", "source_format": "fit"},
    ...     {"sport": "running", "sub_sport": "generic", "source_format": "gpx",
    ...      "has_gps": False, "n_records": 900, "distance_m": 5000.0},
    ...     {"sport": "cycling", "sub_sport": "generic", "source_format": "fit"}])
    >>> classify_surfaces(s)[["surface", "surface_source", "surface_confidence"]].values.tolist()
    [['trail', 'device_label', 1.0], ['treadmill', 'inferred', 0.7], ['unknown', 'inferred', 0.0]]
    """
    _check(sessions, "classify_surfaces")
    sport = sessions["sport"].astype("string").fillna("").to_numpy(dtype=object)
    sub_sport = sessions["sub_sport"].astype("string").fillna("").to_numpy(dtype=object)
    fmt = _column(sessions, "source_format", "", "object")
    kept_source = _column(sessions, "surface_source", "", "object")
    is_running = sport == "running"
    labelled = pd.Series(sub_sport).map(SURFACE_LABELS).to_numpy(dtype=object)
    has_label = is_running & pd.notna(labelled)

    inferred, confidence = infer_surfaces(sessions, rules=rules)
    surface = np.where(has_label, labelled, np.where(is_running, inferred, "unknown"))
    source = np.where(has_label, np.where(fmt == "fit", "device_label", "file_type"),
                      "inferred")
    confidence = np.where(has_label, 1.0, np.where(is_running, confidence, 0.0))

    out = sessions.copy()
    override = kept_source == _OVERRIDE
    if override.any():
        surface = np.where(override, _column(sessions, "surface", "unknown", "object"), surface)
        source = np.where(override, _OVERRIDE, source)
        confidence = np.where(override, _column(sessions, "surface_confidence", 1.0, "float64"),
                              confidence)
    out["surface"] = pd.array(surface, dtype="string")
    out["surface_source"] = pd.array(source, dtype="string")
    out["surface_confidence"] = confidence.astype("float64")
    return out


def surface_validation(sessions: pd.DataFrame, *,
                       rules: SurfaceInference | None = None) -> pd.DataFrame:
    """Confusion matrix of inferred surfaces against the labels, with the labels hidden.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table; its running sessions (kept copies: ``duplicate_of``
        '') whose ``sub_sport`` names a surface (:data:`SURFACE_LABELS`) are
        validated.
    rules : SurfaceInference, optional

    Returns
    -------
    pandas.DataFrame
        Counts [runs], int64: one row per labelled surface (road, trail,
        track, treadmill, indoor; index name 'label') and one column per
        surface (:data:`SURFACE_ORDER`; columns name 'inferred').  The
        diagonal counts agreement (:func:`validation_agreement`).

    Notes
    -----
    Each labelled run is classified as if its sub_sport were 'generic', so
    only the inference decides; the label is then the truth it is checked
    against.

    Examples
    --------
    >>> from runload.schema import sessions_frame
    >>> s = sessions_frame([{"sport": "running", "sub_sport": "treadmill", "n_records": 600,
    ...                      "distance_m": 5000.0, "source_format": "fit"}])
    >>> int(surface_validation(s).loc["treadmill", "treadmill"])
    1
    """
    _check(sessions, "surface_validation")
    is_running = sessions["sport"].astype("string").fillna("").eq("running")
    kept = (sessions["duplicate_of"].astype("string").fillna("").eq("")
            if "duplicate_of" in sessions.columns else True)
    truth = sessions["sub_sport"].astype("string").map(SURFACE_LABELS)
    chosen = (is_running & kept & truth.notna()).to_numpy(dtype=bool)
    hidden = sessions.loc[chosen].assign(sub_sport="generic", surface_source="")
    inferred = classify_surfaces(hidden, rules=rules)["surface"].to_numpy(dtype=object)
    labels = [s for s in SURFACE_ORDER if s != "unknown"]
    table = pd.DataFrame(0, index=pd.Index(labels, name="label"),
                         columns=pd.Index(SURFACE_ORDER, name="inferred"), dtype="int64")
    for (label, guess), count in Counter(zip(truth.to_numpy(dtype=object)[chosen], inferred,
                                             strict=True)).items():
        table.loc[label, guess] = count
    return table


def validation_agreement(confusion: pd.DataFrame) -> float:
    """Share of validated runs whose inferred surface equals the label [0-1]; NaN if none.

    Parameters
    ----------
    confusion : pandas.DataFrame
        From :func:`surface_validation`.
    """
    total = int(confusion.to_numpy().sum())
    if total == 0:
        return float("nan")
    agree = sum(int(confusion.loc[s, s]) for s in confusion.index if s in confusion.columns)
    return agree / total
