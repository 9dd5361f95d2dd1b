"""Every threshold and window runload uses, with its source, in one frozen object.

:class:`Thresholds` nests one frozen dataclass per rule.  Defaults come from
``../shared/research/science.md`` section 9 and cite their source in the
field's comment; override them from Python (``dataclasses.replace``) or from a
mapping such as a parsed TOML file (:meth:`Thresholds.from_mapping`)::

    [spike]
    lookback_days = 30

    [weekly_jump]
    enabled = false

Every rule can be switched off with ``enabled = false``.  This module reads no
files; the CLI parses the TOML.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from runload.units import distance_unit

SEVERITIES = ("info", "caution", "warning", "high")

#: Running surfaces, the vocabulary of the sessions column ``surface`` (runload.schema).
SURFACES = ("road", "trail", "track", "treadmill", "indoor", "unknown")


@dataclass(frozen=True)
class SpikeRule:
    """F-SPIKE: a run longer than the longest run of the previous days (Frandsen 2025).

    ``bins_frac`` are the lower edges of the study's bins (>10-30 %, >30-100 %,
    >100 %), each strictly exceeded; ``severities`` name them.
    """

    enabled: bool = True
    lookback_days: int = 30
    bins_frac: tuple[float, float, float] = (0.10, 0.30, 1.00)
    severities: tuple[str, str, str] = ("caution", "warning", "high")
    citation: str = "frandsen2025"
    grade: str = "moderate"


@dataclass(frozen=True)
class LayoffRule:
    """F-LAYOFF: return after a break (clinical convention, George 2024; level IV)."""

    enabled: bool = True
    min_gap_days: int = 14            # science.md A3: gap >= 14 days starts return mode
    return_weeks: int = 4             # return mode lasts 4 weeks
    baseline_weeks: int = 4           # baseline: the 4 weeks before the gap
    first_session_frac: float = 0.50  # a session > 50 % of the pre-layoff median session
    week1_frac: float = 0.50          # week 1 above 50 % of the pre-layoff median week
    later_weeks_frac: float = 0.75    # weeks 2-3 (and 4) above 75 %
    citation: str = "george2024"
    grade: str = "expert opinion"


@dataclass(frozen=True)
class WeeklyJumpRule:
    """F-WEEK30: rolling 7-day distance > 30 % above the previous 7 days (Nielsen 2014; weak)."""

    enabled: bool = True
    jump_frac: float = 0.30           # Nielsen 2014's top category; never 10 % (Buist 2008)
    min_base_m: float = 5000.0        # science.md A2 guard: previous 7 days >= 5 km ...
    min_base_runs: int = 2            # ... and >= 2 runs
    citation: str = "nielsen2014"
    grade: str = "weak"


@dataclass(frozen=True)
class OneVariableRule:
    """Change one thing at a time (Bertelsen 2017 framework; expert opinion).

    A week is flagged when at least ``min_variables`` of distance, duration,
    pace (faster), climb and surface mix rose beyond their own thresholds
    against the mean of the previous ``baseline_weeks`` weeks.
    """

    enabled: bool = True
    baseline_weeks: int = 4
    distance_frac: float = 0.30       # same bar as F-WEEK30
    duration_frac: float = 0.30
    pace_frac: float = 0.05           # average speed 5 % faster
    climb_frac: float = 0.30          # ascent per week
    surface_share: float = 0.25       # share of a new surface up by 25 points
    min_base_m: float = 5000.0        # baseline weeks must average >= 5 km
    min_variables: int = 2
    citation: str = "bertelsen2017"
    grade: str = "expert opinion"


@dataclass(frozen=True)
class RestRule:
    """F-NOREST: long run streaks and weeks without rest (Meeusen 2013 consensus)."""

    enabled: bool = True
    max_consecutive_run_days: int = 14
    flag_weeks_without_rest: bool = True
    citation: str = "meeusen2013"
    grade: str = "expert opinion"


@dataclass(frozen=True)
class MonotonyRule:
    """F-MONOTONY: 7-day mean / SD of daily load, rest days as 0 (Foster 1998; weak)."""

    enabled: bool = True
    max_monotony: float = 2.0
    window_days: int = 7
    cap: float = 10.0                 # when the SD is ~0 (fellrnr convention)
    citation: str = "foster1998"
    grade: str = "weak"


@dataclass(frozen=True)
class FitnessRule:
    """F-RAMP and F-TSB: only with a TSS-like load (coaching heuristics, expert opinion)."""

    enabled: bool = True
    ctl_days: int = 42
    atl_days: int = 7
    max_ramp_per_week: float = 8.0    # Friel: 5-8 points a week
    ramp_weeks: int = 2               # ... sustained >= 2 weeks
    min_tsb: float = -30.0
    citation: str = "friel_ctl_ramp"
    grade: str = "expert opinion"


@dataclass(frozen=True)
class DownhillRule:
    """F-DOWNHILL: unaccustomed descent (Bontemps 2020: mechanism; injury link expert opinion)."""

    enabled: bool = True
    factor: float = 1.3
    min_descent_m: float = 150.0
    lookback_days: int = 30
    citation: str = "bontemps2020"
    grade: str = "expert opinion"


@dataclass(frozen=True)
class SurfaceRule:
    """F-SURFACE: a new or suddenly longer surface (science.md E1; expert opinion).

    A run on one of ``surfaces`` is flagged when it is the first on that surface
    in at least ``novelty_days`` days, or more than ``spike_frac`` longer than
    the longest run on that surface started in the ``novelty_days`` before it.
    """

    enabled: bool = True
    novelty_days: int = 30            # science.md E1: first run of a class in >= 30 days ...
    spike_frac: float = 0.10          # ... or > 1.10 x the class's longest run in 30 days
    surfaces: tuple[str, ...] = ("trail", "track", "treadmill")
    citation: str = "bertelsen2017"
    grade: str = "expert opinion"

    def __post_init__(self) -> None:
        unknown = [s for s in self.surfaces if s not in SURFACES]
        if unknown:
            raise ValueError(f"The 'surfaces' setting of SurfaceRule must hold surfaces among "
                             f"{list(SURFACES)}. Got {unknown[0]!r} instead.")
        if isinstance(self.novelty_days, bool) or not isinstance(self.novelty_days, int) \
                or self.novelty_days < 1:
            raise ValueError("The 'novelty_days' setting of SurfaceRule must be an int >= 1. "
                             f"Got {self.novelty_days!r} instead.")
        if not self.spike_frac >= 0:
            raise ValueError("The 'spike_frac' setting of SurfaceRule must be a fraction >= 0. "
                             f"Got {self.spike_frac!r} instead.")


@dataclass(frozen=True)
class AcwrSettings:
    """ACWR display (never a risk colour): uncoupled 7:21 by default (Windt & Gabbett 2019)."""

    method: str = "uncoupled"         # 'uncoupled' | 'coupled' | 'ewma'
    acute_days: int = 7
    chronic_days: int = 28
    min_chronic_per_day: float = 1e-6  # chronic load below this is 'near zero': NaN


@dataclass(frozen=True)
class LoadSettings:
    """Per-session load for fitness/fatigue and monotony.

    ``kind='auto'`` uses Banister TRIMP where heart rate exists, duration
    otherwise.  HRmax/HRrest: given, or estimated from the data.
    """

    kind: str = "auto"                # 'auto' | 'trimp' | 'hrss' | 'duration' | 'distance'
    sex: str = "male"                 # Banister constants: 'male' (0.64, 1.92) or 'female'
    hr_rest_bpm: float | None = None
    hr_max_bpm: float | None = None


@dataclass(frozen=True)
class WeekSettings:
    """Calendar weeks: which day starts them."""

    week_start: str = "monday"


@dataclass(frozen=True)
class PainSettings:
    """Pain journal: episodes and the windows before them (issue: pain journal).

    No load measure is known to predict back pain (science.md section G); these
    settings only shape how a runner's own history is described around their
    own pain entries.  ``severity_threshold``: an episode starts on the first
    day rated at or above it (0-10) after ``pain_free_days`` without such a day
    in that region.  ``windows_days``: the windows before each onset.
    ``stands_out_percentile``: a quantity "stands out" at or above this
    percentile of the runner's own other windows (or at or below 100 minus it).
    """

    enabled: bool = True
    severity_threshold: int = 3
    pain_free_days: int = 14
    windows_days: tuple[int, ...] = (7, 14, 28)
    stands_out_percentile: float = 90.0


@dataclass(frozen=True)
class DisplaySettings:
    """How numbers are shown to people: ``units`` is 'km' or 'mi'.

    Tables keep SI units whatever this says; it changes flag messages,
    reports, plots and the CLI's plain-words output.
    """

    units: str = "km"

    def __post_init__(self) -> None:
        distance_unit(self.units)  # raises ValueError naming the accepted units


@dataclass(frozen=True)
class Thresholds:
    """All of runload's rules and settings."""

    spike: SpikeRule = field(default_factory=SpikeRule)
    layoff: LayoffRule = field(default_factory=LayoffRule)
    weekly_jump: WeeklyJumpRule = field(default_factory=WeeklyJumpRule)
    one_variable: OneVariableRule = field(default_factory=OneVariableRule)
    rest: RestRule = field(default_factory=RestRule)
    monotony: MonotonyRule = field(default_factory=MonotonyRule)
    fitness: FitnessRule = field(default_factory=FitnessRule)
    downhill: DownhillRule = field(default_factory=DownhillRule)
    surface: SurfaceRule = field(default_factory=SurfaceRule)
    acwr: AcwrSettings = field(default_factory=AcwrSettings)
    load: LoadSettings = field(default_factory=LoadSettings)
    weeks: WeekSettings = field(default_factory=WeekSettings)
    pain: PainSettings = field(default_factory=PainSettings)
    display: DisplaySettings = field(default_factory=DisplaySettings)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Thresholds:
        """Defaults overridden by a nested mapping (e.g. a parsed TOML file).

        Raises
        ------
        ValueError
            Naming an unknown section or key, or a value of the wrong type.
        """
        return cls().with_overrides(mapping)

    def with_overrides(self, mapping: Mapping[str, Any]) -> Thresholds:
        """These settings with some keys of some sections changed.

        Sections not named keep their values, as do keys not named in a
        section: a coach's config with one athlete's overrides on top.

        Raises
        ------
        ValueError
            Naming an unknown section or key, or a value of the wrong type.

        Examples
        --------
        >>> coach = Thresholds.from_mapping({"display": {"units": "mi"}})
        >>> athlete = coach.with_overrides({"spike": {"lookback_days": 28}})
        >>> athlete.display.units, athlete.spike.lookback_days
        ('mi', 28)
        """
        sections = {f.name: f for f in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for section, values in mapping.items():
            if section not in sections:
                raise ValueError(f"Unknown config section [{section}]; known sections: "
                                 f"{', '.join(sections)}.")
            if not isinstance(values, Mapping):
                raise ValueError(f"Config section [{section}] must be a table of keys; "
                                 f"got {values!r}.")
            changes[section] = _replace_checked(getattr(self, section), section, values)
        return dataclasses.replace(self, **changes)


def _replace_checked(rule: Any, section: str, values: Mapping[str, Any]) -> Any:
    known = {f.name: f for f in dataclasses.fields(rule)}
    updates: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise ValueError(f"Unknown key '{key}' in config section [{section}]; known keys: "
                             f"{', '.join(known)}.")
        default = getattr(rule, key)
        if isinstance(default, tuple):
            value = tuple(value)
        elif isinstance(default, bool) and not isinstance(value, bool):
            raise ValueError(f"The '{key}' setting in [{section}] must be true or false; "
                             f"got {value!r}.")
        elif isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif default is not None and not isinstance(value, type(default)):
            raise ValueError(f"The '{key}' setting in [{section}] must be a "
                             f"{type(default).__name__}; got {value!r}.")
        updates[key] = value
    return dataclasses.replace(rule, **updates)
