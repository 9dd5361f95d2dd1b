"""Numbers and dates in flag messages, written one way everywhere."""

from __future__ import annotations

import math

import pandas as pd

from runload.units import distance_unit


def distance(distance_m: float, units: str = "km") -> str:
    """'11.8 km' (or '7.3 mi' with ``units='mi'``) from metres.

    Examples
    --------
    >>> distance(11_800), distance(11_800, "mi")
    ('11.8 km', '7.3 mi')
    """
    return distance_unit(units).format_distance(distance_m)


#: Percentages at which flags' bins and rules start: near them one decimal is shown,
#: so 10.4 % does not read as "10 %" in a message saying "more than 10 %".
_EDGES_PCT = (10, 30, 50, 75, 100)


def pct(frac: float) -> str:
    """'31 %' from a fraction (0.31), rounded down; '10.4 %' just above a rule's edge.

    Examples
    --------
    >>> pct(0.31), pct(0.104), pct(0.1), pct(2.5), pct(0.1004)
    ('31 %', '10.4 %', '10 %', '250 %', '10.04 %')
    """
    value = frac * 100
    whole = math.floor(value + 1e-9)
    if whole not in _EDGES_PCT or value - whole <= 1e-9:
        return f"{whole:.0f} %"
    # Just above an edge: as many decimals as it takes to show it is above.
    for decimals in (1, 2, 3):
        shown = math.floor(value * 10**decimals + 1e-9) / 10**decimals
        if shown > whole:
            return f"{shown:.{decimals}f} %"
    return f"{whole} % and a little"


def day(date: pd.Timestamp) -> str:
    """'2 Mar 2024' from a local date."""
    return f"{date.day} {date.strftime('%b %Y')}"


def duration(seconds: float) -> str:
    """'1 h 05 min' or '48 min' from seconds."""
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
