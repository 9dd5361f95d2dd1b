import math

import pytest

from runload.config import DisplaySettings, Thresholds
from runload.units import KILOMETRES, MILES, distance_unit


def test_mile_is_the_international_mile():
    assert MILES.from_metres(1609.344) == 1.0
    assert KILOMETRES.from_metres(21097.5) == pytest.approx(21.0975)


@pytest.mark.parametrize(("unit", "speed_mps", "shown"), [
    ("km", 1000 / 300, "5:00 /km"),
    ("km", 1000 / 299.6, "5:00 /km"),   # rounds to the second
    ("km", 1000 / 359.5, "6:00 /km"),   # 359.5 s rounds half to even -> 360
    ("mi", 1609.344 / 431, "7:11 /mi"),
])
def test_pace(unit, speed_mps, shown):
    assert distance_unit(unit).format_pace(speed_mps) == shown


@pytest.mark.parametrize("speed_mps", [0.0, -1.0, math.nan, math.inf])
def test_no_pace_without_movement(speed_mps):
    assert KILOMETRES.format_pace(speed_mps) == "–"


def test_distance_text():
    assert MILES.format_distance(42195) == "26.2 mi"
    assert KILOMETRES.format_distance(42195, decimals=2) == "42.20 km"
    assert KILOMETRES.format_distance(math.nan) == "–"


def test_unknown_unit_named_in_error():
    with pytest.raises(ValueError, match=r"units must be one of km, mi; got 'miles'"):
        distance_unit("miles")
    with pytest.raises(ValueError, match="got 'furlong'"):
        DisplaySettings(units="furlong")
    with pytest.raises(ValueError, match="got 'leagues'"):
        Thresholds.from_mapping({"display": {"units": "leagues"}})


def test_config_default_from_mapping():
    assert Thresholds().display.units == "km"
    assert Thresholds.from_mapping({"display": {"units": "mi"}}).display.units == "mi"
