"""Tests for runload.readers.timezones: which local day each session counts for."""

from __future__ import annotations

import re
import sys
import warnings
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

import runload
from runload.errors import RunloadWarning
from runload.readers.timezones import resolve_local_time, zone_at
from runload.schema import sessions_frame, validate_columns

BERLIN = (52.52, 13.40)
SYDNEY = (-33.87, 151.21)
APIA = (-13.83, -171.76)
KIRITIMATI = (1.87, -157.40)
HONOLULU = (21.31, -157.86)
KATHMANDU = (27.71, 85.32)
MUMBAI = (19.07, 72.88)
ADELAIDE = (-34.93, 138.60)
OPEN_SEA = (0.0, 0.0)  # also what a device writes for "no fix"

LOCAL = ["utc_offset_s", "tz_source", "tz_name", "start_local", "local_date"]


def run_at(start_utc: str | None, where: tuple[float, float] | None = None, **row) -> dict:
    """A session row starting at ``start_utc``, with its first GPS fix at ``where``."""
    if where is not None:
        row["start_lat_deg"], row["start_lon_deg"] = where
    return {"start_utc": start_utc, **row}


def local(sessions: pd.DataFrame, **kwargs) -> list[tuple]:
    """(utc_offset_s, tz_source, tz_name, start_local, local_date) per row, as plain values."""
    out = resolve_local_time(sessions, **kwargs)
    return [(None if pd.isna(o) else int(o), src, name,
             None if pd.isna(t) else t.isoformat(), None if pd.isna(d) else d.date().isoformat())
            for o, src, name, t, d in out[LOCAL].itertuples(index=False)]


def gps(start_utc: str, where: tuple[float, float]) -> tuple:
    """local() of one session found by its GPS fix."""
    return local(sessions_frame([run_at(start_utc, where)]))[0]


# --- DST ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("start_utc", "expected"), [
    # spring forward 2023-03-26 02:00 CET -> 03:00 CEST (01:00Z)
    ("2023-03-26T00:30Z", (3600, "2023-03-26T01:30:00", "2023-03-26")),
    ("2023-03-26T01:30Z", (7200, "2023-03-26T03:30:00", "2023-03-26")),
    # fall back 2023-10-29 03:00 CEST -> 02:00 CET (01:00Z): 02:30 happens twice
    ("2023-10-29T00:30Z", (7200, "2023-10-29T02:30:00", "2023-10-29")),
    ("2023-10-29T01:30Z", (3600, "2023-10-29T02:30:00", "2023-10-29")),
    # a late-evening UTC run is already the next local day
    ("2023-06-30T22:30Z", (7200, "2023-07-01T00:30:00", "2023-07-01")),
    ("2023-01-15T23:30Z", (3600, "2023-01-16T00:30:00", "2023-01-16")),
])
def test_berlin_dst_changes(start_utc, expected):
    offset, start_local, local_date = expected
    assert gps(start_utc, BERLIN) == (offset, "gps_lookup", "Europe/Berlin", start_local,
                                      local_date)


@pytest.mark.parametrize(("start_utc", "expected"), [
    # DST ends 2023-04-02 03:00 AEDT -> 02:00 AEST (2023-04-01T16:00Z)
    ("2023-04-01T15:30Z", (39600, "2023-04-02T02:30:00", "2023-04-02")),
    ("2023-04-01T16:30Z", (36000, "2023-04-02T02:30:00", "2023-04-02")),
    # DST starts 2023-10-01 02:00 AEST -> 03:00 AEDT (2023-09-30T16:00Z)
    ("2023-09-30T15:30Z", (36000, "2023-10-01T01:30:00", "2023-10-01")),
    ("2023-09-30T16:30Z", (39600, "2023-10-01T03:30:00", "2023-10-01")),
    # southern summer is DST: a UTC-evening run is the next morning
    ("2023-01-15T20:00Z", (39600, "2023-01-16T07:00:00", "2023-01-16")),
    ("2023-07-15T20:00Z", (36000, "2023-07-16T06:00:00", "2023-07-16")),
])
def test_sydney_southern_hemisphere_dst(start_utc, expected):
    offset, start_local, local_date = expected
    assert gps(start_utc, SYDNEY) == (offset, "gps_lookup", "Australia/Sydney", start_local,
                                      local_date)


# --- the date line and odd offsets ----------------------------------------------------------

@pytest.mark.parametrize(("start_utc", "expected"), [
    # Samoa skipped Friday 2011-12-30: -10 h (UTC-11 + DST) until 10:00Z, then +14 h
    ("2011-12-30T09:30Z", (-36000, "2011-12-29T23:30:00", "2011-12-29")),
    ("2011-12-30T10:30Z", (50400, "2011-12-31T00:30:00", "2011-12-31")),
    # +13 h, DST +14 h in the southern summer of 2019/20
    ("2020-01-01T18:00Z", (50400, "2020-01-02T08:00:00", "2020-01-02")),
    # no DST since 2021
    ("2023-01-01T18:00Z", (46800, "2023-01-02T07:00:00", "2023-01-02")),
])
def test_apia_across_the_date_line(start_utc, expected):
    offset, start_local, local_date = expected
    assert gps(start_utc, APIA) == (offset, "gps_lookup", "Pacific/Apia", start_local,
                                    local_date)


def test_no_session_counts_for_samoas_skipped_day():
    starts = pd.date_range("2011-12-29T00:00Z", "2011-12-31T12:00Z", freq="30min")
    out = resolve_local_time(sessions_frame([run_at(t, APIA) for t in starts]))
    days = set(out["local_date"].dt.strftime("%Y-%m-%d"))
    assert "2011-12-30" not in days
    assert {"2011-12-29", "2011-12-31"} <= days


def test_same_instant_either_side_of_the_date_line():
    # Kiritimati (+14 h) and Honolulu (-10 h): about 400 km apart, a calendar day apart
    sessions = sessions_frame([run_at("2023-05-01T12:00Z", KIRITIMATI),
                               run_at("2023-05-01T12:00Z", HONOLULU)])
    assert local(sessions) == [
        (50400, "gps_lookup", "Pacific/Kiritimati", "2023-05-02T02:00:00", "2023-05-02"),
        (-36000, "gps_lookup", "Pacific/Honolulu", "2023-05-01T02:00:00", "2023-05-01"),
    ]


@pytest.mark.parametrize(("start_utc", "where", "expected"), [
    ("2023-05-01T18:20Z", KATHMANDU,
     (20700, "gps_lookup", "Asia/Kathmandu", "2023-05-02T00:05:00", "2023-05-02")),
    ("2023-05-01T18:20Z", MUMBAI,
     (19800, "gps_lookup", "Asia/Kolkata", "2023-05-01T23:50:00", "2023-05-01")),
    ("2023-01-15T13:45Z", ADELAIDE,  # +10:30 in the southern summer
     (37800, "gps_lookup", "Australia/Adelaide", "2023-01-16T00:15:00", "2023-01-16")),
    ("2023-07-15T13:45Z", ADELAIDE,  # +9:30 in winter
     (34200, "gps_lookup", "Australia/Adelaide", "2023-07-15T23:15:00", "2023-07-15")),
])
def test_quarter_and_half_hour_zones(start_utc, where, expected):
    assert gps(start_utc, where) == expected


def test_negative_local_time_floors_to_the_previous_day():
    # before the Unix epoch the floor must still go down, not toward zero
    assert gps("1969-12-31T05:00Z", HONOLULU) == (
        -36000, "gps_lookup", "Pacific/Honolulu", "1969-12-30T19:00:00", "1969-12-30")


# --- which tier wins ------------------------------------------------------------------------

def test_an_offset_from_an_earlier_tier_is_kept_despite_gps():
    sessions = sessions_frame([
        run_at("2023-06-30T22:30Z", SYDNEY, utc_offset_s=3600, tz_source="fit_local_timestamp"),
        run_at("2023-06-30T22:30Z", SYDNEY, utc_offset_s=-18000, tz_source="file_offset"),
        run_at("2023-06-30T22:30Z", BERLIN, utc_offset_s=7200, tz_source="garmin_json"),
    ])
    assert local(sessions, tz="America/New_York") == [
        (3600, "fit_local_timestamp", "", "2023-06-30T23:30:00", "2023-06-30"),
        (-18000, "file_offset", "", "2023-06-30T17:30:00", "2023-06-30"),
        (7200, "garmin_json", "", "2023-07-01T00:30:00", "2023-07-01"),
    ]


def test_user_zone_only_for_sessions_without_gps():
    sessions = sessions_frame([
        run_at("2023-07-01T03:00Z", BERLIN),
        run_at("2023-07-01T03:00Z"),  # treadmill: no GPS
        run_at("2023-01-01T03:00Z"),  # same zone, winter time
        run_at("2023-07-01T03:00Z", OPEN_SEA),  # no land zone: next tier
    ])
    assert local(sessions, tz="America/New_York") == [
        (7200, "gps_lookup", "Europe/Berlin", "2023-07-01T05:00:00", "2023-07-01"),
        (-14400, "user_default", "America/New_York", "2023-06-30T23:00:00", "2023-06-30"),
        (-18000, "user_default", "America/New_York", "2022-12-31T22:00:00", "2022-12-31"),
        (-14400, "user_default", "America/New_York", "2023-06-30T23:00:00", "2023-06-30"),
    ]


def test_assumed_utc_warns_once_with_the_count():
    sessions = sessions_frame([run_at("2023-07-01T03:00Z"), run_at("2023-07-02T23:30Z"),
                               run_at("2023-07-03T03:00Z", OPEN_SEA),
                               run_at("2023-07-04T03:00Z", BERLIN)])
    with pytest.warns(RunloadWarning, match=r"^3 sessions dated in UTC: .* --tz ") as caught:
        result = local(sessions)
    assert len([w for w in caught if issubclass(w.category, RunloadWarning)]) == 1
    assert result == [
        (0, "assumed_utc", "", "2023-07-01T03:00:00", "2023-07-01"),
        (0, "assumed_utc", "", "2023-07-02T23:30:00", "2023-07-02"),
        (0, "assumed_utc", "", "2023-07-03T03:00:00", "2023-07-03"),
        (7200, "gps_lookup", "Europe/Berlin", "2023-07-04T05:00:00", "2023-07-04"),
    ]


def test_one_session_in_utc_is_named_in_the_singular():
    with pytest.warns(RunloadWarning, match=r"^1 session dated in UTC"):
        resolve_local_time(sessions_frame([run_at("2023-07-01T03:00Z")]))


def test_no_warning_when_every_session_has_a_zone():
    sessions = sessions_frame([run_at("2023-07-01T03:00Z", BERLIN), run_at("2023-07-01T03:00Z")])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resolve_local_time(sessions, tz="Europe/Berlin")


def test_undated_sessions_stay_unresolved_and_silent():
    sessions = sessions_frame([run_at(None, BERLIN), run_at(None)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert local(sessions) == [(None, "", "", None, None), (None, "", "", None, None)]


def test_offset_without_a_start_gives_no_local_time():
    sessions = sessions_frame([run_at(None, utc_offset_s=3600, tz_source="fit_local_timestamp")])
    assert local(sessions) == [(3600, "fit_local_timestamp", "", None, None)]


@pytest.mark.parametrize("tz", ["Mars/Base", "", "+02:00", "../etc/passwd", 2])
def test_invalid_tz_raises_even_when_unused(tz):
    sessions = sessions_frame([run_at("2023-07-01T03:00Z", utc_offset_s=0, tz_source="garmin_json")])
    message = ("The 'tz' parameter of resolve_local_time must be an IANA time zone name such as "
               f"'Europe/Berlin'. Got {tz!r} instead.")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        resolve_local_time(sessions, tz=tz)


def test_missing_columns_raise():
    with pytest.raises(ValueError, match=r"must be a sessions table .*'local_date'"):
        resolve_local_time(sessions_frame([run_at("2023-07-01T03:00Z")]).drop(columns="local_date"))


# --- the frame as a whole -------------------------------------------------------------------

def test_returns_a_new_frame_with_the_schema_and_leaves_the_input_alone():
    sessions = sessions_frame([run_at("2023-07-01T03:00Z", BERLIN),
                               run_at("2023-07-01T03:00Z", utc_offset_s=3600,
                                      tz_source="fit_local_timestamp")])
    sessions.index = pd.Index([10, 20])
    before = sessions.copy()
    out = resolve_local_time(sessions)
    pd.testing.assert_frame_equal(sessions, before)
    assert out is not sessions
    validate_columns(out, "sessions")
    assert out.index.tolist() == [10, 20]
    other = [c for c in sessions.columns if c not in LOCAL]
    pd.testing.assert_frame_equal(out[other], sessions[other])


def test_empty_frame():
    out = resolve_local_time(sessions_frame([]), tz="Europe/Berlin")
    assert len(out) == 0
    validate_columns(out, "sessions")


def test_is_idempotent():
    once = resolve_local_time(sessions_frame([run_at("2023-07-01T03:00Z", BERLIN)]))
    pd.testing.assert_frame_equal(resolve_local_time(once), once)


def test_warm_run_does_not_import_the_lookup_library(monkeypatch):
    # None in sys.modules makes "import tzfpy" raise ImportError
    monkeypatch.setitem(sys.modules, "tzfpy", None)
    resolved = sessions_frame([run_at("2023-07-01T03:00Z", BERLIN, utc_offset_s=7200,
                                      tz_source="gps_lookup", tz_name="Europe/Berlin")])
    assert local(resolved, tz="Europe/Berlin")[0][0] == 7200
    with pytest.raises(ImportError):
        resolve_local_time(sessions_frame([run_at("2023-07-01T03:00Z", BERLIN)]))


# --- zone_at --------------------------------------------------------------------------------

def test_zone_at_names_and_gaps():
    lat = np.array([BERLIN[0], APIA[0], OPEN_SEA[0], np.nan, 52.5, 91.0, -30.0])
    lon = np.array([BERLIN[1], APIA[1], OPEN_SEA[1], 13.4, np.nan, 0.0, -30.0])
    zones = zone_at(lat, lon)
    assert zones.dtype == object
    assert zones.tolist() == ["Europe/Berlin", "Pacific/Apia", "", "", "", "", ""]


def test_zone_at_keeps_the_shape_and_gives_zoneinfo_keys():
    lat = np.array([[52.35, 52.34], [31.76, 31.73]])  # Frankfurt (Oder) | Slubice; El Paso | Juarez
    lon = np.array([[14.55, 14.564], [-106.485, -106.485]])
    zones = zone_at(lat, lon)
    assert zones.tolist() == [["Europe/Berlin", "Europe/Warsaw"],
                              ["America/Denver", "America/Ciudad_Juarez"]]
    for name in zones.ravel():
        ZoneInfo(name)


def test_zone_at_shape_mismatch():
    with pytest.raises(ValueError, match=r"^The 'lat_deg' and 'lon_deg' parameters of zone_at "
                                         r"must have the same shape\. Got \(2,\) and \(1,\)"):
        zone_at(np.zeros(2), np.zeros(1))


# --- real files -----------------------------------------------------------------------------

def test_real_fit_without_local_timestamp_near_pretoria(realdata):
    sessions = runload.read_activity(realdata / "fit" / "gc__3386684871-saved.fit").sessions
    assert sessions["utc_offset_s"].isna().all()  # nothing from the file: GPS must decide
    assert local(sessions) == [(7200, "gps_lookup", "Africa/Johannesburg", "2019-02-16T09:05:51",
                                "2019-02-16")]


def test_real_tcx_la_plata(realdata):
    sessions = runload.read_activity(realdata / "tcx" / "gc__10kUNLP2014-Garmin15.tcx").sessions
    assert sessions["utc_offset_s"].isna().all()
    assert local(sessions) == [(-10800, "gps_lookup", "America/Argentina/Buenos_Aires",
                                "2014-10-11T15:08:45", "2014-10-11")]
