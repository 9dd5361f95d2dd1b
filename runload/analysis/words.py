"""Numbers and dates in flag messages, written one way everywhere."""

from __future__ import annotations

import math

import pandas as pd


def km(distance_m: float) -> str:
    """'11.8 km' from metres."""
    return f"{distance_m / 1000:.1f} km"


def pct(frac: float) -> str:
    """'31 %' from a fraction (0.31); rounded down so 10.4 % never reads as a bigger jump."""
    return f"{math.floor(frac * 100 + 1e-9):.0f} %"


def day(date: pd.Timestamp) -> str:
    """'2 Mar 2024' from a local date."""
    return f"{date.day} {date.strftime('%b %Y')}"


def duration(seconds: float) -> str:
    """'1 h 05 min' or '48 min' from seconds."""
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
