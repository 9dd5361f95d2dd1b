"""Display units: kilometres or miles, for words, reports and plots.

Tables stay SI (``distance_m``, ``speed_mps``); a :class:`DistanceUnit` turns
metres into the runner's unit only where a person reads the number.

Examples
--------
>>> mi = distance_unit("mi")
>>> mi.format_distance(16093.44), mi.format_pace(1609.344 / 480)
('10.0 mi', '8:00 /mi')
>>> distance_unit("km").format_pace(1000 / 301)
'5:01 /km'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Metres in one statute mile (international yard and pound agreement, 1959).
METRES_PER_MILE = 1609.344


@dataclass(frozen=True)
class DistanceUnit:
    """A unit a runner counts distance in.

    Attributes
    ----------
    name : str
        ``'km'`` or ``'mi'``: the symbol shown after numbers.
    metres : float
        Metres in one unit [m].
    word : str
        The plural word, for labels ('kilometres', 'miles').
    """

    name: str
    metres: float
    word: str

    def from_metres(self, distance_m: float) -> float:
        """Distance [m] in this unit."""
        return distance_m / self.metres

    def format_distance(self, distance_m: float, decimals: int = 1) -> str:
        """'11.8 km' or '7.3 mi' from metres; '–' for a missing value."""
        if distance_m is None or not math.isfinite(distance_m):
            return "–"
        return f"{distance_m / self.metres:.{decimals}f} {self.name}"

    def format_pace(self, speed_mps: float) -> str:
        """'5:12 /km' from a speed [m/s]; '–' when there is no movement."""
        if speed_mps is None or not math.isfinite(speed_mps) or speed_mps <= 0:
            return "–"
        seconds = round(self.metres / speed_mps)
        return f"{seconds // 60}:{seconds % 60:02d} /{self.name}"

    @property
    def pace_label(self) -> str:
        """'min/km' or 'min/mi', for axis labels."""
        return f"min/{self.name}"


KILOMETRES = DistanceUnit("km", 1000.0, "kilometres")
MILES = DistanceUnit("mi", METRES_PER_MILE, "miles")

#: The units ``--units`` and the ``[display] units`` setting accept.
UNITS = {"km": KILOMETRES, "mi": MILES}


def distance_unit(name: str | DistanceUnit) -> DistanceUnit:
    """The :class:`DistanceUnit` called ``name`` ('km' or 'mi').

    Raises
    ------
    ValueError
        Naming the value received and the accepted ones.
    """
    if isinstance(name, DistanceUnit):
        return name
    try:
        return UNITS[name]
    except (KeyError, TypeError):
        raise ValueError(f"units must be one of {', '.join(UNITS)}; got {name!r}.") from None
