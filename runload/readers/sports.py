"""Sport labels from every format, normalised to one vocabulary.

runload speaks FIT's sport vocabulary, the richest of the three formats:
``sport`` is a FIT ``sport`` name and ``sub_sport`` a FIT ``sub_sport`` name.
The label exactly as the file wrote it is kept in ``sport_label``.

Rules
-----
FIT
    Numbers map through fitparse's profile, then through
    :data:`NEWER_FIT_SPORTS` / :data:`NEWER_FIT_SUB_SPORTS` (values added to the
    FIT profile after fitparse's SDK 20.8 profile).  A number neither knows
    becomes ``unknown_<n>`` (e.g. Garmin's undocumented sport 54 ->
    ``unknown_54``), never an error.  A missing sub_sport becomes ``generic``.
GPX ``<type>`` and TCX ``Sport``
    Free text, matched case-insensitively after turning spaces and hyphens into
    underscores, through :data:`TEXT_SPORTS`.  This covers Garmin Connect type
    keys (``running``, ``trail_running``, ``treadmill_running``...), Strava's
    display names and API names (``Run``, ``TrailRun``, ``VirtualRun``...),
    Strava's old numeric GPX codes (``9`` run, ``1`` ride) and TCX's
    ``Running``/``Biking``/``Other``.  Anything else (or no type at all) is
    ``generic``/``generic``: the activity is still read, and its label kept.
Unspecified sport
    A session whose sport is ``generic`` is read as ``running`` when its
    records look like running (:func:`running_evidence`); ``notes`` says so
    and ``sport_label`` keeps what the file said.
"""

from __future__ import annotations

import numpy as np
from fitparse.profile import FIELD_TYPES

# Values added to the FIT profile after SDK 20.8 (from FIT profile 21.171).
NEWER_FIT_SPORTS: dict[int, str] = {
    49: "baseball", 53: "diving", 62: "hiit", 64: "racket", 65: "wheelchair_push_walk",
    66: "wheelchair_push_run", 67: "meditation", 69: "disc_golf", 71: "cricket",
    72: "rugby", 73: "hockey", 74: "lacrosse", 75: "volleyball", 76: "water_tubing",
    77: "wakesurfing", 80: "mixed_martial_arts", 82: "snorkeling", 83: "dance",
    84: "jump_rope",
}
NEWER_FIT_SUB_SPORTS: dict[int, str] = {
    62: "breathing", 65: "sail_race", 67: "ultra", 68: "indoor_climbing", 69: "bouldering",
    70: "hiit", 73: "amrap", 74: "emom", 75: "tabata", 84: "pickleball", 85: "padel",
    86: "indoor_wheelchair_walk", 87: "indoor_wheelchair_run", 88: "indoor_hand_cycling",
    94: "squash", 95: "badminton", 96: "racquetball", 97: "table_tennis",
}

FIT_SPORTS: dict[int, str] = {**FIELD_TYPES["sport"].values, **NEWER_FIT_SPORTS}
FIT_SUB_SPORTS: dict[int, str] = {**FIELD_TYPES["sub_sport"].values, **NEWER_FIT_SUB_SPORTS}

#: Sports whose cadence is counted in steps (FIT writes it per leg).
FOOT_SPORTS = frozenset({"running", "walking", "hiking", "wheelchair_push_run"})

_RUN = "running"
#: Free-text labels (lower case, '_' for spaces and hyphens) -> (sport, sub_sport).
TEXT_SPORTS: dict[str, tuple[str, str]] = {
    # running
    "run": (_RUN, "generic"), "running": (_RUN, "generic"), "9": (_RUN, "generic"),
    "jogging": (_RUN, "generic"),
    "street_running": (_RUN, "street"), "road_running": (_RUN, "street"),
    "trail_running": (_RUN, "trail"), "trailrun": (_RUN, "trail"), "trail_run": (_RUN, "trail"),
    "treadmill_running": (_RUN, "treadmill"), "treadmill": (_RUN, "treadmill"),
    "indoor_running": (_RUN, "indoor_running"),
    "track_running": (_RUN, "track"),
    "virtual_run": (_RUN, "virtual_activity"), "virtualrun": (_RUN, "virtual_activity"),
    "obstacle_run": (_RUN, "obstacle"), "ultra_run": (_RUN, "ultra"),
    # cycling
    "ride": ("cycling", "generic"), "cycling": ("cycling", "generic"),
    "biking": ("cycling", "generic"), "bike": ("cycling", "generic"), "1": ("cycling", "generic"),
    "road_biking": ("cycling", "road"), "road_cycling": ("cycling", "road"),
    "mountain_biking": ("cycling", "mountain"), "mountainbikeride": ("cycling", "mountain"),
    "gravel_cycling": ("cycling", "gravel_cycling"), "gravelride": ("cycling", "gravel_cycling"),
    "indoor_cycling": ("cycling", "indoor_cycling"),
    "virtual_ride": ("cycling", "virtual_activity"), "virtualride": ("cycling", "virtual_activity"),
    "e_bike_ride": ("e_biking", "generic"), "ebikeride": ("e_biking", "generic"),
    # walking and hiking
    "walk": ("walking", "generic"), "walking": ("walking", "generic"),
    "casual_walking": ("walking", "casual_walking"),
    "speed_walking": ("walking", "speed_walking"),
    "indoor_walking": ("walking", "indoor_walking"),
    "hike": ("hiking", "generic"), "hiking": ("hiking", "generic"),
    # swimming
    "swim": ("swimming", "generic"), "swimming": ("swimming", "generic"),
    "lap_swimming": ("swimming", "lap_swimming"),
    "open_water_swimming": ("swimming", "open_water"),
    # other
    "rowing": ("rowing", "generic"), "indoor_rowing": ("rowing", "indoor_rowing"),
    "other": ("generic", "generic"), "generic": ("generic", "generic"),
    # Strava's German activity types (activities.csv 'Aktivitätsart')
    "lauf": (_RUN, "generic"), "traillauf": (_RUN, "trail"),
    "virtueller_lauf": (_RUN, "virtual_activity"),
    "radfahrt": ("cycling", "generic"), "virtuelle_radfahrt": ("cycling", "virtual_activity"),
    "mountainbikefahrt": ("cycling", "mountain"), "gravelfahrt": ("cycling", "gravel_cycling"),
    "e_bike_fahrt": ("e_biking", "generic"),
    "spaziergang": ("walking", "generic"),
    "wandern": ("hiking", "generic"), "wanderung": ("hiking", "generic"),
    "schwimmen": ("swimming", "generic"), "rudern": ("rowing", "generic"),
}


def fit_sport(sport: int | None, sub_sport: int | None) -> tuple[str, str]:
    """Normalise a FIT sport/sub_sport pair of enum numbers.

    Parameters
    ----------
    sport, sub_sport : int or None
        Raw FIT enum values (None when the field is absent or invalid).

    Returns
    -------
    tuple of str
        ``(sport, sub_sport)`` names; ``generic`` for missing values and
        ``unknown_<n>`` for numbers no profile knows.

    Examples
    --------
    >>> fit_sport(1, 1)
    ('running', 'treadmill')
    >>> fit_sport(54, 60)
    ('unknown_54', 'unknown_60')
    >>> fit_sport(1, None)
    ('running', 'generic')
    """
    s = "generic" if sport is None else FIT_SPORTS.get(sport, f"unknown_{sport}")
    ss = "generic" if sub_sport is None else FIT_SUB_SPORTS.get(sub_sport, f"unknown_{sub_sport}")
    return s, ss


def fit_sport_label(sport: int | None, sub_sport: int | None) -> str:
    """The FIT label as the file wrote it: profile names, else numbers ('54/60')."""
    s = "" if sport is None else FIT_SPORTS.get(sport, str(sport))
    ss = "" if sub_sport is None else FIT_SUB_SPORTS.get(sub_sport, str(sub_sport))
    return f"{s}/{ss}" if ss else s


def text_sport(label: str | None) -> tuple[str, str]:
    """Normalise a free-text sport label (GPX ``<type>``, TCX ``Sport``).

    Parameters
    ----------
    label : str or None
        The label as written in the file.

    Returns
    -------
    tuple of str
        ``(sport, sub_sport)``; ``('generic', 'generic')`` when the label is
        missing or not recognised.

    Examples
    --------
    >>> text_sport("Run")
    ('running', 'generic')
    >>> text_sport(" treadmill_running ")
    ('running', 'treadmill')
    >>> text_sport("9")
    ('running', 'generic')
    >>> text_sport("jkljkl")
    ('generic', 'generic')
    """
    if label is None:
        return "generic", "generic"
    key = "_".join(label.strip().lower().replace("-", " ").split())
    return TEXT_SPORTS.get(key, ("generic", "generic"))


#: Record medians that make an unspecified ('generic') session a run: cadence
#: per leg [1/min] (walking is below, rowing stroke rates far below) and speed
#: [m/s] (cycling is faster, walking slower).
RUN_CADENCE_PER_LEG = (70.0, 105.0)
RUN_SPEED_MPS = (1.5, 6.5)


def running_evidence(cadence_per_leg: np.ndarray, speed_mps: np.ndarray) -> str:
    """Why a session of unspecified sport is a run, or '' when it does not look like one.

    Parameters
    ----------
    cadence_per_leg : numpy.ndarray
        Cadence stream, one leg [1/min]; zeros (standing) are ignored.
    speed_mps : numpy.ndarray
        Speed stream [m/s]; zeros are ignored.

    Returns
    -------
    str
        A note naming the medians that matched, or '' (no cadence, no speed,
        or medians outside :data:`RUN_CADENCE_PER_LEG` / :data:`RUN_SPEED_MPS`).

    Notes
    -----
    Both are needed: speed alone cannot tell a slow bike ride from a run,
    and cadence alone cannot tell pedalling from running.

    Examples
    --------
    >>> running_evidence(np.array([80.0, 82.0]), np.array([2.5, 2.6]))[:25]
    'sport inferred as running'
    >>> running_evidence(np.array([80.0]), np.array([8.9]))
    ''
    """
    cadence = cadence_per_leg[cadence_per_leg > 0]
    speed = speed_mps[speed_mps > 0]
    if not len(cadence) or not len(speed):
        return ""
    cad, spd = float(np.median(cadence)), float(np.median(speed))
    if (RUN_CADENCE_PER_LEG[0] <= cad <= RUN_CADENCE_PER_LEG[1]
            and RUN_SPEED_MPS[0] <= spd <= RUN_SPEED_MPS[1]):
        return (f"sport inferred as running (the file does not say; median cadence "
                f"{cad:.0f}/min per leg, median speed {spd:.2f} m/s)")
    return ""
