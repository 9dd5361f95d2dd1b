"""A tiny hand-made history with known numbers, hostile names, and an import report."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from runload.analysis import analyze
from runload.config import DisplaySettings, Thresholds
from runload.report import build_report
from runload.schema import files_frame, sessions_frame

SCRIPT_NAME = "<script>alert(1)</script>"
LONG_NAME = "Long <b>run</b> & more"
BAD_FILE = 'a&<b>"c.fit'
AS_OF = pd.Timestamp("2024-03-17")  # a Sunday: the last week is whole

#: (local date, km, extra columns): six Monday weeks, 5 Feb to 17 Mar 2024.
RUNS: list[tuple[str, float, dict[str, Any]]] = [
    ("2024-02-05", 5, {}), ("2024-02-07", 6, {}), ("2024-02-10", 8, {}),
    ("2024-02-12", 5, {}), ("2024-02-14", 6, {}), ("2024-02-17", 8, {}),
    ("2024-02-20", 5, {}), ("2024-02-22", 6, {"sub_sport": "treadmill"}),
    ("2024-02-25", 9, {}),                                   # 12.5 % over 8 km: caution
    ("2024-02-26", 5, {}), ("2024-02-28", 6, {}),
    ("2024-03-02", 10, {"name": SCRIPT_NAME}),               # 11.1 % over 9 km: caution
    ("2024-03-04", 5, {}), ("2024-03-07", 6, {}),
    ("2024-03-12", 7, {"tz_source": "assumed_utc"}),
    ("2024-03-14", 3, {"sub_sport": "treadmill"}),
    ("2024-03-15", 21, {"name": LONG_NAME}),                 # 110 % over 10 km: high
]


def run(local_date: str, km: float, **values: Any) -> dict[str, Any]:
    """A street run at 07:00 UTC, ``km`` long at 5 min/km, local time from the FIT file."""
    row: dict[str, Any] = {
        "activity_id": f"r-{local_date}", "sport": "running", "sub_sport": "street",
        "local_date": local_date, "start_utc": pd.Timestamp(f"{local_date} 07:00", tz="UTC"),
        "timer_s": 300.0 * km, "elapsed_s": 300.0 * km, "distance_m": km * 1000.0,
        "ascent_m": 10.0, "descent_m": 10.0, "tz_source": "fit_local_timestamp",
        "source_path": f"/data/{local_date}.fit",
    }
    row.update(values)
    return row


@pytest.fixture(scope="session")
def sessions() -> pd.DataFrame:
    return sessions_frame([run(d, km, **extra) for d, km, extra in RUNS])


@pytest.fixture(scope="session")
def files() -> pd.DataFrame:
    rows = [{"source_path": f"/data/{d}.fit", "member_path": "", "source_format": "fit",
             "status": "read", "reason": "", "n_sessions": 1} for d, _, _ in RUNS]
    rows += [
        {"source_path": f"/data/{BAD_FILE}", "member_path": "", "source_format": "fit",
         "status": "failed", "reason": "bad <header> & CRC", "n_sessions": 0},
        {"source_path": "/data/export.zip", "member_path": "part1.zip!damaged.fit",
         "source_format": "fit", "status": "partial", "reason": "truncated after 812 records",
         "n_sessions": 1},
        {"source_path": "/data/export.zip", "member_path": "monitor/1.fit",
         "source_format": "fit", "status": "not_activity",
         "reason": "monitoring file (not an activity)", "n_sessions": 0},
        {"source_path": "/data/export.zip", "member_path": "monitor/2.fit",
         "source_format": "fit", "status": "not_activity",
         "reason": "monitoring file (not an activity)", "n_sessions": 0},
    ]
    return files_frame(rows)


@pytest.fixture(scope="session")
def duplicates() -> pd.DataFrame:
    return pd.DataFrame({
        "activity_id": ["d-1", "d-2"], "source_path": ["/data/copy.gpx", "/data/b.fit"],
        "member_path": ["", ""], "duplicate_of": ["r-2024-02-05", "r-2024-02-07"],
        "rule": ["overlap", "same_content"], "shift_h": [0, 0], "overlap_frac": [1.0, 1.0],
        "detail": ["the GPX of a FIT run", "same content as /data/2024-02-07.fit"],
    })


def thresholds(units: str = "km", **changes: Any) -> Thresholds:
    return Thresholds(display=DisplaySettings(units=units), **changes)


@pytest.fixture(scope="session")
def analysis_km(sessions):
    return analyze(sessions, thresholds=thresholds("km"), as_of=AS_OF)


@pytest.fixture(scope="session")
def analysis_mi(sessions):
    return analyze(sessions, thresholds=thresholds("mi"), as_of=AS_OF)


@pytest.fixture(scope="session")
def report_km(analysis_km, files, duplicates):
    return build_report(analysis_km, files=files, duplicates=duplicates, weeks=4, as_of=AS_OF)


@pytest.fixture(scope="session")
def report_mi(analysis_mi, files, duplicates):
    return build_report(analysis_mi, files=files, duplicates=duplicates, weeks=4)
