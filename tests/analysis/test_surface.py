"""Tests for runload.analysis.surface: labels, every inference rule, and the real-data validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import runload
from runload.analysis.surface import (
    SURFACE_LABELS,
    SURFACE_ORDER,
    SurfaceInference,
    classify_surfaces,
    surface_validation,
    validation_agreement,
)
from runload.config import SURFACES
from runload.schema import sessions_frame

# Feature values of typical sessions (as runload.readers.track_features gives them).
ROAD = {"has_gps": True, "n_records": 1800, "distance_m": 5000.0, "track_bbox_diag_m": 2000.0,
        "track_turns_per_km": 0.2, "track_lap_m": np.nan, "track_return_frac": 0.01,
        "grade_std_frac": 0.005}
TRACK = {**ROAD, "track_bbox_diag_m": 175.0, "track_turns_per_km": 2.5, "track_lap_m": 400.0,
         "track_return_frac": 0.95}
TREADMILL = {"has_gps": False, "n_records": 1800, "distance_m": 5000.0}


def run(sub_sport: str = "generic", source_format: str = "fit", **values) -> dict:
    return {"sport": "running", "sub_sport": sub_sport, "source_format": source_format, **values}


def classify_one(**values) -> tuple[str, str, float]:
    row = classify_surfaces(sessions_frame([run(**values)])).iloc[0]
    return row["surface"], row["surface_source"], row["surface_confidence"]


# --- labels -----------------------------------------------------------------------------

@pytest.mark.parametrize(("sub_sport", "surface"), sorted(SURFACE_LABELS.items()))
@pytest.mark.parametrize(("fmt", "source"), [("fit", "device_label"), ("gpx", "file_type"),
                                             ("tcx", "file_type"), ("strava_csv", "file_type")])
def test_labels_map_to_surfaces(sub_sport, surface, fmt, source):
    # the label wins over features that say otherwise
    assert classify_one(sub_sport=sub_sport, source_format=fmt, **ROAD) == (surface, source, 1.0)


def test_label_map():
    assert SURFACE_LABELS == {"street": "road", "trail": "trail", "track": "track",
                              "treadmill": "treadmill", "indoor_running": "indoor",
                              "virtual_activity": "treadmill"}
    assert set(SURFACE_LABELS.values()) <= set(SURFACES)
    assert SURFACE_ORDER == SURFACES


@pytest.mark.parametrize("sub_sport", ["generic", "ultra", "obstacle", "unknown_60", ""])
def test_generic_labels_are_inferred(sub_sport):
    assert classify_one(sub_sport=sub_sport, **TRACK) == ("track", "inferred", 0.9)


# --- inference --------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "expected"), [
    # summary only: nothing to go on
    ({"is_summary_only": True, "is_manual": True, "distance_m": 5000.0}, ("unknown", 0.0)),
    # manual entry: treadmill, low confidence; without a distance unknown
    ({"is_manual": True, "distance_m": 5000.0}, ("treadmill", 0.3)),
    ({"is_manual": True, "distance_m": np.nan}, ("unknown", 0.0)),
    ({"is_manual": True, "distance_m": 0.0}, ("unknown", 0.0)),
    # records with distance, no GPS
    (TREADMILL, ("treadmill", 0.7)),
    ({**TREADMILL, "distance_m": np.nan}, ("unknown", 0.0)),
    # GPS on indoors: fixes within 50 m over 5 km
    ({**ROAD, "track_bbox_diag_m": 30.0}, ("treadmill", 0.7)),
    # ... but not a 600 m walk about within 50 m
    ({**ROAD, "track_bbox_diag_m": 30.0, "distance_m": 600.0, "track_turns_per_km": np.nan},
     ("unknown", 0.0)),
    # GPS path too short for geometry
    ({**ROAD, "track_turns_per_km": np.nan, "distance_m": 300.0}, ("unknown", 0.0)),
    # track: mostly laps / a run to the track and back
    (TRACK, ("track", 0.9)),
    ({**TRACK, "track_return_frac": 0.45, "track_bbox_diag_m": 1200.0}, ("track", 0.7)),
    ({**TRACK, "track_lap_m": 300.0, "track_turns_per_km": 3.1}, ("track", 0.9)),
    ({**TRACK, "track_lap_m": 500.0, "track_turns_per_km": 2.0}, ("track", 0.9)),
    ({**TRACK, "track_lap_m": 180.0, "track_turns_per_km": 5.5}, ("track", 0.9)),
    # not a track: too few returns, a lap too long or too short, a shuttle without net
    # rotation; in a box under 300 m that is road with low confidence
    ({**TRACK, "track_return_frac": 0.25}, ("road", 0.3)),
    ({**TRACK, "track_lap_m": 510.0, "track_turns_per_km": 2.0}, ("road", 0.3)),
    ({**TRACK, "track_lap_m": 170.0, "track_turns_per_km": 5.9}, ("road", 0.3)),
    ({**TRACK, "track_turns_per_km": 1.0}, ("road", 0.3)),
    ({**TRACK, "track_bbox_diag_m": 370.0, "track_lap_m": 800.0, "track_turns_per_km": 1.25},
     ("road", 0.7)),
    ({**ROAD, "track_bbox_diag_m": 299.0}, ("road", 0.3)),
    ({**ROAD, "track_bbox_diag_m": 300.0}, ("road", 0.7)),
    # trail by grade spread over 500 m: threshold 0.06, confident from 0.09
    ({**ROAD, "grade_std_frac": 0.06}, ("trail", 0.6)),
    ({**ROAD, "grade_std_frac": 0.19}, ("trail", 0.8)),
    # road: clearly flat, near the line, no altitude
    ({**ROAD, "grade_std_frac": 0.029}, ("road", 0.7)),
    ({**ROAD, "grade_std_frac": 0.045}, ("road", 0.5)),
    ({**ROAD, "grade_std_frac": np.nan}, ("road", 0.5)),
])
def test_inference_rules(values, expected):
    surface, source, confidence = classify_one(**values)
    assert (surface, confidence) == expected
    assert source == "inferred"


def test_a_track_on_a_hill_is_a_track():
    assert classify_one(**{**TRACK, "grade_std_frac": 0.1})[0] == "track"


def test_non_running_sessions_are_not_classified():
    s = sessions_frame([{"sport": "cycling", "sub_sport": "virtual_activity",
                         "source_format": "fit", **TREADMILL},
                        {"sport": "walking", "sub_sport": "generic", **ROAD}])
    out = classify_surfaces(s)
    assert out["surface"].tolist() == ["unknown", "unknown"]
    assert out["surface_source"].tolist() == ["inferred", "inferred"]
    assert out["surface_confidence"].tolist() == [0.0, 0.0]


def test_thresholds_are_parameters():
    strict = SurfaceInference(trail_grade_std_frac=0.2, track_lap_range_m=(180.0, 380.0),
                              compact_bbox_m=100.0)
    s = sessions_frame([run(**{**ROAD, "grade_std_frac": 0.1}), run(**TRACK)])
    assert classify_surfaces(s)["surface"].tolist() == ["trail", "track"]
    assert classify_surfaces(s, rules=strict)["surface"].tolist() == ["road", "road"]


def test_every_row_is_filled_in_range_and_the_input_is_untouched():
    rows = [run(**ROAD), run(**TRACK), run(**TREADMILL), run(is_manual=True, distance_m=1.0),
            run(is_summary_only=True), run("street"), run("trail", "gpx"),
            {"sport": "swimming", "sub_sport": "lap_swimming"}, run(**{**ROAD, "has_gps": None})]
    s = sessions_frame(rows)
    s.index = pd.Index([10, 3, 7, 1, 2, 5, 8, 4, 6])
    before = s.copy(deep=True)
    out = classify_surfaces(s)
    pd.testing.assert_frame_equal(s, before)
    assert out is not s
    assert out.index.equals(s.index)
    assert list(out.columns) == list(s.columns)
    assert out["surface"].dtype == "string" and out["surface_source"].dtype == "string"
    assert out["surface_confidence"].dtype == "float64"
    assert out["surface"].isin(SURFACES).all()
    assert out["surface_source"].isin(["device_label", "file_type", "inferred"]).all()
    assert out["surface_confidence"].between(0.0, 1.0).all()
    assert (out.loc[out["surface"] == "unknown", "surface_confidence"] == 0.0).all()


def test_user_overrides_are_kept():
    s = sessions_frame([run(**ROAD, surface="trail", surface_source="user_override",
                            surface_confidence=1.0),
                        run(**ROAD, surface="trail", surface_source="inferred",
                            surface_confidence=0.6)])
    out = classify_surfaces(s)
    assert out["surface"].tolist() == ["trail", "road"]
    assert out["surface_source"].tolist() == ["user_override", "inferred"]


def test_works_without_the_optional_columns():
    s = pd.DataFrame({"sport": ["running", "running"], "sub_sport": ["treadmill", "generic"]})
    out = classify_surfaces(s)
    assert out["surface"].tolist() == ["treadmill", "unknown"]
    # without source_format a label is file type text
    assert out["surface_source"].tolist() == ["file_type", "inferred"]


def test_bad_input():
    with pytest.raises(TypeError, match="'sessions' parameter of classify_surfaces must be a "
                                        "pandas DataFrame"):
        classify_surfaces([{"sport": "running"}])
    with pytest.raises(ValueError, match=r"missing columns \['sub_sport'\]"):
        classify_surfaces(pd.DataFrame({"sport": ["running"]}))
    with pytest.raises(ValueError, match="surface_validation"):
        surface_validation(pd.DataFrame({"sport": ["running"]}))


# --- validation -------------------------------------------------------------------------

def test_validation_hides_the_label():
    s = sessions_frame([
        run("treadmill", **TREADMILL), run("treadmill", **TREADMILL),
        run("treadmill", **ROAD),                          # GPS moving: inferred road
        run("street", **ROAD), run("track", **TRACK), run("trail", "gpx", **ROAD),
        run("virtual_activity", **TREADMILL),
        run("street", **ROAD, duplicate_of="x"),             # a copy: not counted
        run("generic", **ROAD),                              # no label: not counted
        {"sport": "cycling", "sub_sport": "track", **TRACK},  # not a run
    ])
    table = surface_validation(s)
    assert list(table.index) == ["road", "trail", "track", "treadmill", "indoor"]
    assert list(table.columns) == list(SURFACE_ORDER)
    assert table.index.name == "label" and table.columns.name == "inferred"
    assert (table.dtypes == "int64").all()
    expected = pd.DataFrame(0, index=table.index, columns=table.columns)
    expected.loc["treadmill", "treadmill"] = 3
    expected.loc["treadmill", "road"] = 1
    expected.loc["road", "road"] = 1
    expected.loc["track", "track"] = 1
    expected.loc["trail", "road"] = 1
    pd.testing.assert_frame_equal(table, expected, check_names=False)
    assert validation_agreement(table) == pytest.approx(5 / 7)
    # index labels play no part
    pd.testing.assert_frame_equal(surface_validation(s.set_axis([0] * len(s))), table)
    assert np.isnan(validation_agreement(surface_validation(s.iloc[8:])))


# --- real data --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_sessions(realdata):
    paths = [realdata / d for d in ("fit", "gpx", "tcx", "history_a")]
    return runload.read_history(paths, use_cache=False, tz="Asia/Shanghai").sessions


def test_real_data_agreement_with_device_labels(real_sessions):
    """Labels hidden on every labelled run of ../shared/realdata, inferred, compared.

    117 labelled runs: 111 treadmill (108 in history_a, 42 of them manual
    entries without records; 2 FIT files; 1 virtual run counted as treadmill),
    4 street (history_a manual entries: typed in, so inferred treadmill), 1
    track (fsy__470140731.fit, a 300 m track) and 1 trail
    (sportslib__6909950168.fit: flat and straight, inferred road).
    """
    table = surface_validation(real_sessions)
    expected = pd.DataFrame(
        [[0, 0, 0, 4, 0, 0],
         [1, 0, 0, 0, 0, 0],
         [0, 0, 1, 0, 0, 0],
         [0, 0, 0, 111, 0, 0],
         [0, 0, 0, 0, 0, 0]],
        index=pd.Index(["road", "trail", "track", "treadmill", "indoor"], name="label"),
        columns=pd.Index(list(SURFACE_ORDER), name="inferred"), dtype="int64")
    pd.testing.assert_frame_equal(table, expected)
    assert validation_agreement(table) >= 0.90
    assert validation_agreement(table) == pytest.approx(112 / 117)


def test_real_data_generic_runs(real_sessions):
    out = classify_surfaces(real_sessions)
    runs = out[out["sport"].eq("running")]
    inferred = runs[runs["surface_source"].eq("inferred")]
    name = inferred["source_path"].str.rsplit("/", n=1).str[-1]
    by_name = dict(zip(name, inferred["surface"], strict=True))
    # 400 m tracks (two history_a runs, two GPX runs, one with the run to the track)
    for track in ("135380863.fit", "210822324.fit", "dylan632__9223370313901118707.gpx",
                  "dylan632__9223370290923601807.gpx"):
        assert by_name[track] == "track", track
    # a mountain run (290 m of relief) and a Scottish hill run
    assert by_name["sportslib__6037744996.gpx"] == "trail"
    assert by_name["fitparse__2013-02-06-12-11-14.fit"] == "trail"
    conf = dict(zip(name, inferred["surface_confidence"], strict=True))
    # hill repeats on one line: a 180 m "lap" but no loop; road, in a 144 m box: unsure
    assert (by_name["runpandas__run_garmin.tcx"], conf["runpandas__run_garmin.tcx"]) == (
        "road", 0.3)
    # 5 km of GPS scattered in a 200 m box (indoors, or a track under bad GPS): unsure
    assert (by_name["210298789.fit"], conf["210298789.fit"]) == ("road", 0.3)
    # flat urban loops with noisy GPS altitude (no barometer) stay road
    for loop in ("81860258.fit", "82186426.fit", "83065190.fit", "83691031.fit"):
        assert by_name[loop] == "road", loop
    assert inferred["surface"].value_counts().to_dict() == {
        "road": 93, "treadmill": 6, "track": 4, "unknown": 4, "trail": 2}
    labelled = runs[runs["surface_source"].eq("device_label")]
    assert len(labelled) == 117 and (labelled["surface_confidence"] == 1.0).all()
