"""Tests of runload.analysis.daily: the runs that count, one row per local day."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import runload
from runload import RunloadWarning
from runload.analysis.daily import (
    DAILY_COLUMNS,
    SURFACE_DISTANCE_COLUMNS,
    daily_table,
    runs,
    session_surface,
)
from runload.schema import sessions_frame


def run(local_date: str, km: float | None = 5.0, /, *, at: str = "07:00", **values: Any) -> dict:
    """A run on ``local_date`` (local start ``at``; UTC = local here), ``km`` long."""
    start = pd.Timestamp(f"{local_date} {at}", tz="UTC")
    row: dict[str, Any] = {
        "activity_id": f"{local_date}T{at}", "sport": "running", "sub_sport": "street",
        "local_date": local_date, "start_utc": start, "timer_s": 300.0 * (km or 0),
        "elapsed_s": 330.0 * (km or 0), "distance_m": None if km is None else km * 1000,
        "ascent_m": 10.0, "descent_m": 12.0,
    }
    row.update(values)
    return row


def test_runs_keeps_counted_running_sessions_sorted_by_start():
    s = sessions_frame([
        run("2024-03-02", activity_id="late"),
        run("2024-03-01", activity_id="early"),
        run("2024-03-01", sport="cycling", activity_id="ride"),
        run("2024-03-01", sport="walking", activity_id="walk"),
        run("2024-03-01", duplicate_of="early", activity_id="copy"),
        run("2024-03-01", local_date=None, activity_id="undated"),
        run("2024-03-01", sub_sport="treadmill", at="18:00", activity_id="mill"),
        run("2024-03-01", sub_sport="trail", at="12:00", activity_id="trail"),
    ])
    got = runs(s)
    assert got["activity_id"].tolist() == ["early", "trail", "mill", "late"]
    assert got.index.tolist() == [1, 7, 6, 0]           # the input's labels are kept
    assert list(got.columns) == list(s.columns)


def test_runs_returns_a_copy():
    s = sessions_frame([run("2024-03-01")])
    before = s.copy()
    got = runs(s)
    got.loc[got.index[0], "distance_m"] = 1.0
    pd.testing.assert_frame_equal(s, before)


def test_runs_treats_missing_sport_as_not_running():
    s = sessions_frame([run("2024-03-01"), run("2024-03-02")])
    s["sport"] = pd.array(["running", None], dtype="string")
    s["duplicate_of"] = pd.array([None, ""], dtype="string")
    assert runs(s)["local_date"].tolist() == [pd.Timestamp("2024-03-01")]


def test_daily_sums_a_multi_run_day_and_takes_the_longest():
    s = sessions_frame([
        run("2024-03-01", 5.0, at="06:00", ascent_m=20.0, descent_m=25.0),
        run("2024-03-01", 8.0, at="18:00", ascent_m=30.0, descent_m=35.0),
    ])
    d = daily_table(s)
    assert len(d) == 1
    row = d.iloc[0]
    assert row["runs"] == 2
    assert row["distance_m"] == 13_000.0
    assert row["duration_s"] == 300.0 * 13
    assert row["ascent_m"] == 50.0
    assert row["descent_m"] == 60.0
    assert row["longest_run_m"] == 8_000.0
    assert row["longest_run_s"] == 2_400.0
    assert row["load"] == 300.0 * 13                  # default load: duration
    assert not row["is_rest_day"]


def test_daily_rest_days_are_rows_of_zeros_and_the_index_is_daily():
    s = sessions_frame([run("2024-03-01", 5.0), run("2024-03-04", 10.0)])
    d = daily_table(s)
    assert list(d.columns) == list(DAILY_COLUMNS)
    assert d.index.name == "local_date"
    assert d.index.freqstr == "D"
    assert d.index.tolist() == list(pd.date_range("2024-03-01", "2024-03-04", freq="D"))
    assert d["runs"].tolist() == [1, 0, 0, 1]
    assert d["distance_m"].tolist() == [5000.0, 0.0, 0.0, 10000.0]
    assert d["is_rest_day"].tolist() == [False, True, True, False]
    rest = d.loc["2024-03-02":"2024-03-03", list(DAILY_COLUMNS[:-1])]
    assert (rest.to_numpy() == 0).all()
    assert d.dtypes.to_dict() == {
        "runs": np.dtype("int64"), "distance_m": np.dtype("float64"),
        "duration_s": np.dtype("float64"), "ascent_m": np.dtype("float64"),
        "descent_m": np.dtype("float64"), "longest_run_m": np.dtype("float64"),
        "longest_run_s": np.dtype("float64"), "load": np.dtype("float64"),
        **{c: np.dtype("float64") for c in SURFACE_DISTANCE_COLUMNS},
        "is_rest_day": np.dtype("bool")}


def test_daily_spans_to_as_of():
    s = sessions_frame([run("2024-03-01"), run("2024-03-03")])
    d = daily_table(s, as_of=pd.Timestamp("2024-03-10 15:30"))
    assert d.index[0] == pd.Timestamp("2024-03-01")
    assert d.index[-1] == pd.Timestamp("2024-03-10")
    assert len(d) == 10
    assert d.loc["2024-03-04":, "runs"].sum() == 0
    assert d.loc["2024-03-04":, "is_rest_day"].all()


def test_daily_as_of_before_the_last_run_keeps_the_runs():
    s = sessions_frame([run("2024-03-01"), run("2024-03-05")])
    d = daily_table(s, as_of=pd.Timestamp("2024-03-02"))
    assert d.index[-1] == pd.Timestamp("2024-03-05")
    assert d["runs"].sum() == 2


def test_daily_tz_aware_as_of_uses_its_own_wall_clock_date():
    s = sessions_frame([run("2024-03-01")])
    as_of = pd.Timestamp("2024-03-05 00:30", tz="Asia/Shanghai")   # 4 Mar in UTC
    assert daily_table(s, as_of=as_of).index[-1] == pd.Timestamp("2024-03-05")


def test_daily_as_of_must_be_a_date():
    s = sessions_frame([run("2024-03-01")])
    with pytest.raises(TypeError, match="'as_of' parameter of daily_table"):
        daily_table(s, as_of=object())
    with pytest.raises(ValueError, match="Got NaT instead"):
        daily_table(s, as_of=pd.NaT)


def test_daily_excludes_non_runs_duplicates_and_undated_sessions():
    s = sessions_frame([
        run("2024-03-01", 5.0),
        run("2024-03-01", 40.0, sport="cycling", activity_id="ride"),
        run("2024-03-02", 6.0, sport="walking", activity_id="walk"),
        run("2024-03-01", 5.0, at="07:01", duplicate_of="2024-03-01T07:00", activity_id="dup"),
        run("2024-03-01", 9.0, local_date=None, activity_id="undated"),
        run("2024-03-03", 7.0),
    ])
    d = daily_table(s)
    assert d["runs"].tolist() == [1, 0, 1]
    assert d["distance_m"].tolist() == [5000.0, 0.0, 7000.0]


def test_daily_counts_treadmill_runs_and_missing_distance_as_zero():
    s = sessions_frame([
        run("2024-03-01", None, sub_sport="treadmill", timer_s=1800.0, ascent_m=None,
            descent_m=None, activity_id="mill"),
        run("2024-03-01", 4.0, at="18:00"),
    ])
    d = daily_table(s)
    row = d.iloc[0]
    assert row["runs"] == 2
    assert row["distance_m"] == 4000.0
    assert row["duration_s"] == 1800.0 + 1200.0
    assert row["longest_run_m"] == 4000.0
    assert row["longest_run_s"] == 1800.0
    assert row["ascent_m"] == 10.0


def test_daily_a_day_with_only_distance_less_runs_has_zero_distance():
    s = sessions_frame([run("2024-03-01", None, timer_s=1800.0, is_summary_only=True)])
    row = daily_table(s).iloc[0]
    assert (row["runs"], row["distance_m"], row["longest_run_m"]) == (1, 0.0, 0.0)


def test_daily_duration_is_timer_time_else_elapsed_time():
    s = sessions_frame([
        run("2024-03-01", 5.0, timer_s=1500.0, elapsed_s=1700.0),
        run("2024-03-02", 5.0, timer_s=None, elapsed_s=1700.0),
    ])
    assert daily_table(s)["duration_s"].tolist() == [1500.0, 1700.0]


def test_daily_uses_the_load_series():
    s = sessions_frame([
        run("2024-03-01", 5.0, at="06:00", activity_id="a"),
        run("2024-03-01", 5.0, at="18:00", activity_id="b"),
        run("2024-03-03", 5.0, activity_id="c"),
    ])
    load = pd.Series({"c": 70.0, "a": 40.5, "b": np.nan, "other": 999.0})
    d = daily_table(s, load=load)
    assert d["load"].tolist() == [40.5, 0.0, 70.0]
    assert d["duration_s"].tolist() == [3000.0, 0.0, 1500.0]    # untouched by load


def test_daily_warns_about_runs_missing_from_load():
    s = sessions_frame([run("2024-03-01", activity_id="a"), run("2024-03-02", activity_id="b")])
    with pytest.warns(RunloadWarning, match=r"1 run\(s\) have no entry in 'load'.*'b'"):
        d = daily_table(s, load=pd.Series({"a": 10.0}))
    assert d["load"].tolist() == [10.0, 0.0]


def test_daily_rejects_bad_load():
    s = sessions_frame([run("2024-03-01", activity_id="a")])
    with pytest.raises(ValueError, match="one value per activity_id"):
        daily_table(s, load=pd.Series([1.0, 2.0], index=["a", "a"]))
    with pytest.raises(TypeError, match="'load' parameter of daily_table"):
        daily_table(s, load={"a": 1.0})


def test_daily_of_no_runs_is_empty_with_the_columns():
    s = sessions_frame([run("2024-03-01", sport="cycling")])
    d = daily_table(s, as_of=pd.Timestamp("2024-03-05"))
    assert d.empty
    assert list(d.columns) == list(DAILY_COLUMNS)
    assert d.index.name == "local_date"
    assert d["runs"].dtype == "int64"
    assert d["is_rest_day"].dtype == "bool"


def test_daily_does_not_mutate_its_inputs():
    s = sessions_frame([run("2024-03-01", activity_id="a"), run("2024-03-03", activity_id="b")])
    load = pd.Series({"a": 1.0, "b": 2.0})
    s_before, load_before = s.copy(), load.copy()
    daily_table(s, load=load, as_of=pd.Timestamp("2024-03-09"))
    pd.testing.assert_frame_equal(s, s_before)
    pd.testing.assert_series_equal(load, load_before)


def test_daily_accepts_the_output_of_runs():
    s = sessions_frame([run("2024-03-01"), run("2024-03-01", sport="cycling"),
                        run("2024-03-02")])
    pd.testing.assert_frame_equal(daily_table(runs(s)), daily_table(s))


def test_daily_on_a_dst_change_has_one_row_per_local_day():
    """Europe/Berlin went from +1 h to +2 h on Sun 31 Mar 2024: 23-hour day, still one row."""
    def berlin(local: str, km: float, name: str) -> dict:
        start = pd.Timestamp(local, tz="Europe/Berlin")
        return run(start.strftime("%Y-%m-%d"), km, activity_id=name,
                   start_utc=start.tz_convert("UTC"))

    s = sessions_frame([
        berlin("2024-03-30 23:30", 5.0, "sat_late"),    # 22:30 UTC, Saturday
        berlin("2024-03-31 00:30", 6.0, "sun_early"),   # 23:30 UTC Saturday, local Sunday
        berlin("2024-03-31 23:30", 7.0, "sun_late"),    # 21:30 UTC, Sunday
        berlin("2024-04-01 00:15", 8.0, "mon_early"),   # 22:15 UTC Sunday, local Monday
    ])
    d = daily_table(s)
    assert d.index.tolist() == list(pd.date_range("2024-03-30", "2024-04-01", freq="D"))
    assert d["distance_m"].tolist() == [5000.0, 13000.0, 8000.0]
    assert d["runs"].tolist() == [1, 2, 1]


def test_daily_rejects_a_table_without_session_columns():
    with pytest.raises(ValueError, match=r"missing columns \['activity_id'"):
        daily_table(pd.DataFrame({"sport": ["running"]}))
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        runs([{"sport": "running"}])


def test_daily_distance_per_surface():
    s = sessions_frame([
        run("2024-03-01", 5.0, surface="road", activity_id="a"),
        run("2024-03-01", 3.5, at="18:00", surface="trail", activity_id="b"),
        run("2024-03-01", 2.0, at="19:00", surface="road", activity_id="c"),
        run("2024-03-03", 6.0, surface="treadmill", activity_id="d"),
        run("2024-03-03", 1.5, at="12:00", surface="", activity_id="e"),     # not classified
        run("2024-03-03", 1.0, at="13:00", surface="track", activity_id="f"),
        run("2024-03-04", 4.0, surface="indoor", activity_id="g"),
        run("2024-03-04", 2.5, at="09:00", surface="unknown", activity_id="h"),
        run("2024-03-04", None, at="10:00", surface="trail", activity_id="i"),  # no distance
        run("2024-03-04", 9.0, at="11:00", surface="trail", sport="cycling", activity_id="j"),
    ])
    d = daily_table(s)
    assert SURFACE_DISTANCE_COLUMNS == ("distance_road_m", "distance_trail_m",
                                        "distance_track_m", "distance_treadmill_m",
                                        "distance_indoor_m", "distance_unknown_m")
    assert d[list(SURFACE_DISTANCE_COLUMNS)].to_numpy().tolist() == [
        [7000.0, 3500.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],                # rest day
        [0.0, 0.0, 1000.0, 6000.0, 0.0, 1500.0],
        [0.0, 0.0, 0.0, 0.0, 4000.0, 2500.0],
    ]
    assert d[list(SURFACE_DISTANCE_COLUMNS)].sum(axis=1).tolist() == d["distance_m"].tolist()
    assert list(d.columns[-8:]) == ["load", *SURFACE_DISTANCE_COLUMNS, "is_rest_day"]


def test_daily_without_a_surface_column_counts_everything_as_unknown():
    s = sessions_frame([run("2024-03-01", 5.0, surface="trail"), run("2024-03-02", 3.0)])
    d = daily_table(s.drop(columns="surface"))
    assert d["distance_unknown_m"].tolist() == [5000.0, 3000.0]
    assert d["distance_trail_m"].tolist() == [0.0, 0.0]


def test_session_surface_maps_blank_and_missing_to_unknown_and_rejects_others():
    s = sessions_frame([run("2024-03-01", surface="trail"), run("2024-03-02", surface=""),
                        run("2024-03-03", surface="road")])
    s.loc[2, "surface"] = pd.NA
    got = session_surface(s)
    assert got.tolist() == ["trail", "unknown", "unknown"]
    assert (got.name, str(got.dtype)) == ("surface", "string")
    with pytest.raises(ValueError, match="Got 'gravel' instead"):
        daily_table(sessions_frame([run("2024-03-01", surface="gravel")]))


@pytest.fixture(scope="module")
def history_a_sessions(realdata):
    return runload.read_history(realdata / "history_a", tz="Asia/Shanghai",
                                use_cache=False).sessions


def test_daily_on_real_history(history_a_sessions):
    s = history_a_sessions
    counted = runs(s)
    d = daily_table(s)
    assert d.index[0] == pd.Timestamp("2019-08-31")
    assert d.index[-1] == counted["local_date"].max()
    assert len(d) == (d.index[-1] - d.index[0]).days + 1
    assert d["runs"].sum() == len(counted)
    assert d["distance_m"].sum() == pytest.approx(counted["distance_m"].sum(), abs=1e-6)
    assert (counted["sport"] == "running").all()
    assert d["is_rest_day"].sum() == len(d) - counted["local_date"].nunique()
    assert daily_table(s, as_of=pd.Timestamp("2023-01-31")).index[-1] == pd.Timestamp(
        "2023-01-31")
