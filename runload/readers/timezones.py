"""Which local day each session counts for: UTC offsets from GPS, a default zone, or UTC.

A week's load depends on which local calendar day each run falls on, so every
session needs its offset from UTC.  The readers fill the trusted tiers
(``tz_source`` 'fit_local_timestamp', 'file_offset', 'garmin_json');
:func:`resolve_local_time` fills the rest, in this order:

1. ``'gps_lookup'``: the IANA zone at the first GPS fix (:func:`zone_at`), with
   that instant's DST from :mod:`zoneinfo`;
2. ``'user_default'``: the zone the user gave (``--tz`` or the config);
3. ``'assumed_utc'``: offset 0, with one :class:`~runload.errors.RunloadWarning`.

It then derives ``start_local`` and ``local_date`` for every row.

The polygon lookup is tzfpy's (``tzf-rs`` over timezone-boundary-builder data,
ODbL), imported only when a session needs it.
"""

from __future__ import annotations

import warnings
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from runload.errors import RunloadWarning

_DAY_US = 86_400 * 1_000_000
_NO_ZONE_PREFIX = "Etc/"  # the boundary data's open-sea zones (Etc/GMT+2 ...): no one's local time
_REQUIRED = ("start_utc", "utc_offset_s", "tz_source", "tz_name", "start_local", "local_date",
             "start_lat_deg", "start_lon_deg")


def zone_at(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """IANA time zone names at positions on land.

    Parameters
    ----------
    lat_deg : array-like of float
        Latitude [deg, WGS84]; NaN where there is no position.
    lon_deg : array-like of float
        Longitude [deg, WGS84], same shape as ``lat_deg``.

    Returns
    -------
    numpy.ndarray of object (str)
        Zone name such as ``'Europe/Berlin'`` for each position, ``''`` where there is
        none: NaN or out-of-range coordinates, and the open sea (the boundary data's
        nautical ``Etc/GMT±N`` zones, which are nobody's local time).  Every non-empty
        name is a valid :class:`zoneinfo.ZoneInfo` key.

    Raises
    ------
    ValueError
        If ``lat_deg`` and ``lon_deg`` differ in shape.

    Notes
    -----
    The polygons are timezone-boundary-builder's (from OpenStreetMap, ODbL) as packed by
    tzfpy.  Against timezonefinder's unsimplified polygons the border where the zone
    changes lies a median 12 m (90th percentile about 140 m) apart.  Where zones overlap
    the first match is returned; in Xinjiang that is ``'Asia/Shanghai'`` (China's
    official time) rather than ``'Asia/Urumqi'``.  Boundaries are today's: a place that
    changed zone keeps today's zone, while the zone's own history of offsets and DST
    rules comes from :mod:`zoneinfo`.

    Examples
    --------
    >>> zone_at(np.array([52.52, 0.0, np.nan]), np.array([13.40, 0.0, 1.0])).tolist()
    ['Europe/Berlin', '', '']
    """
    lat = np.asarray(lat_deg, dtype="float64")
    lon = np.asarray(lon_deg, dtype="float64")
    if lat.shape != lon.shape:
        raise ValueError("The 'lat_deg' and 'lon_deg' parameters of zone_at must have the same "
                         f"shape. Got {lat.shape} and {lon.shape} instead.")
    zones = np.full(lat.shape, "", dtype=object)
    ok = (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)  # False for NaN
    if not ok.any():
        return zones
    # Imported here, not at module level: a run where every session already has an
    # offset must not pay for loading the polygons.
    from tzfpy import get_tz

    found = [get_tz(x, y) for x, y in zip(lon[ok].tolist(), lat[ok].tolist(), strict=True)]
    zones[ok] = ["" if z.startswith(_NO_ZONE_PREFIX) else z for z in found]
    return zones


def resolve_local_time(sessions: pd.DataFrame, *, tz: str | None = None) -> pd.DataFrame:
    """Fill missing UTC offsets and derive each session's local start and local date.

    Parameters
    ----------
    sessions : pandas.DataFrame
        Sessions table (:data:`runload.schema.SESSION_COLUMNS`); needs ``start_utc``
        [UTC], ``utc_offset_s`` [s], ``tz_source``, ``tz_name``, ``start_local``,
        ``local_date``, ``start_lat_deg`` [deg] and ``start_lon_deg`` [deg].
    tz : str, optional
        IANA time zone name, such as ``'Europe/Berlin'``, for sessions whose offset
        is unknown and that have no usable GPS position (``--tz`` or the config).

    Returns
    -------
    pandas.DataFrame
        A new sessions table on the input's index.  Rows with ``utc_offset_s`` <NA>
        and a ``start_utc`` get ``utc_offset_s`` [s], ``tz_source`` and ``tz_name``
        from the first tier that applies:

        * ``'gps_lookup'``: the zone at (``start_lat_deg``, ``start_lon_deg``), its
          offset at ``start_utc`` with that date's DST; ``tz_name`` the zone.
        * ``'user_default'``: the offset of ``tz`` at ``start_utc``; ``tz_name`` ``tz``.
        * ``'assumed_utc'``: offset 0, ``tz_name`` ''.

        Rows that already have an offset keep it and their ``tz_source``.  For every
        row, ``start_local`` = ``start_utc`` + ``utc_offset_s`` (naive) and
        ``local_date`` is midnight of ``start_local``; both are NaT where ``start_utc``
        is NaT, and such rows are otherwise left as they are.

    Raises
    ------
    ValueError
        If ``tz`` is not an IANA time zone name (checked even when no row needs it),
        or ``sessions`` lacks a needed column.

    Warns
    -----
    RunloadWarning
        Once, with the count, when any session had to be dated in UTC.

    Notes
    -----
    Offsets come from :mod:`zoneinfo`, so DST changes and historic rule changes
    (Samoa's jump across the date line on 2011-12-30) follow the IANA database.  An
    open-sea position (see :func:`zone_at`) counts as no position.  The polygon
    library is imported only when some row reaches the GPS tier.

    Examples
    --------
    >>> from runload.schema import sessions_frame
    >>> s = sessions_frame([{"start_utc": "2023-06-30T22:30Z",
    ...                      "start_lat_deg": 52.52, "start_lon_deg": 13.40}])
    >>> out = resolve_local_time(s)
    >>> out[["utc_offset_s", "tz_source", "tz_name"]].to_dict("records")
    [{'utc_offset_s': 7200, 'tz_source': 'gps_lookup', 'tz_name': 'Europe/Berlin'}]
    >>> str(out.loc[0, "local_date"].date())
    '2023-07-01'
    """
    user_zone = validated_zone(tz)
    missing = [c for c in _REQUIRED if c not in sessions.columns]
    if missing:
        raise ValueError("The 'sessions' parameter of resolve_local_time must be a sessions "
                         f"table with columns {list(_REQUIRED)}. Got one without {missing} "
                         "instead.")
    utc_us, has_start = _utc_microseconds(sessions["start_utc"])
    known = sessions["utc_offset_s"].notna().to_numpy()
    offset_s = sessions["utc_offset_s"].fillna(0).to_numpy(dtype="int64")
    source = sessions["tz_source"].to_numpy(dtype=object).copy()
    name = sessions["tz_name"].to_numpy(dtype=object).copy()

    todo = has_start & ~known
    zones = np.full(len(sessions), "", dtype=object)
    has_fix = (todo & sessions["start_lat_deg"].notna().to_numpy()
               & sessions["start_lon_deg"].notna().to_numpy())
    if has_fix.any():
        zones[has_fix] = zone_at(sessions["start_lat_deg"].to_numpy(dtype="float64")[has_fix],
                                 sessions["start_lon_deg"].to_numpy(dtype="float64")[has_fix])
    by_gps = todo & (zones != "")
    source[by_gps] = "gps_lookup"
    rest = todo & ~by_gps
    if user_zone is not None:
        zones[rest] = tz
        source[rest] = "user_default"
    else:
        source[rest] = "assumed_utc"
        if rest.any():
            n = int(rest.sum())
            warnings.warn(
                f"{n} session{'' if n == 1 else 's'} dated in UTC: no UTC offset in the file and "
                "no GPS position on land, so the local date may be a day off. Give the zone you "
                "usually run in with --tz (e.g. --tz Europe/Berlin) or set a default time zone "
                "in the config.",
                RunloadWarning, stacklevel=2)
    name[todo] = zones[todo]
    for zone in pd.unique(zones[todo]):
        rows = todo & (zones == zone)
        offset_s[rows] = _offsets_s(ZoneInfo(zone) if zone else None, utc_us[rows])
    known = known | todo

    out = sessions.copy()
    out["utc_offset_s"] = pd.arrays.IntegerArray(offset_s.astype("int32"), ~known)
    out["tz_source"] = pd.Series(source, index=sessions.index, dtype=sessions["tz_source"].dtype)
    out["tz_name"] = pd.Series(name, index=sessions.index, dtype=sessions["tz_name"].dtype)
    dated = has_start & known
    local_us = np.where(dated, utc_us + offset_s * 1_000_000, 0)
    out["start_local"] = _naive_us(local_us, dated, sessions.index)
    out["local_date"] = _naive_us(local_us - np.mod(local_us, _DAY_US), dated, sessions.index)
    return out


def validated_zone(tz: str | None, function: str = "resolve_local_time") -> ZoneInfo | None:
    """The zone named ``tz`` (None for None).

    Raises
    ------
    ValueError
        If ``tz`` is not an IANA time zone name; the message names the
        ``tz`` parameter of ``function``.
    """
    if tz is None:
        return None
    message = (f"The 'tz' parameter of {function} must be an IANA time zone name such "
               f"as 'Europe/Berlin'. Got {tz!r} instead.")
    if not isinstance(tz, str):
        raise ValueError(message)
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # ValueError: '', '../x', absolute paths
        raise ValueError(message) from exc


def _utc_microseconds(start_utc: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Microseconds since the Unix epoch (0 where NaT) and a mask of real starts."""
    if not isinstance(start_utc.dtype, pd.DatetimeTZDtype):
        raise ValueError("The 'sessions' parameter of resolve_local_time must have a tz-aware "
                         f"'start_utc' column. Got dtype {start_utc.dtype} instead.")
    naive = start_utc.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[us]")
    has_start = ~np.isnat(naive)
    return np.where(has_start, naive.view("int64"), 0), has_start


def _offsets_s(zone: ZoneInfo | None, utc_us: np.ndarray) -> np.ndarray:
    """Offset [s] of ``zone`` (None: UTC) at each instant, DST included."""
    if zone is None or len(utc_us) == 0:
        return np.zeros(len(utc_us), dtype="int64")
    # pandas converts through the ZoneInfo object itself (one utcoffset per instant in
    # Cython), so the answer is zoneinfo's, with no pytz or dateutil rules involved.
    utc = pd.DatetimeIndex(utc_us.astype("datetime64[us]"), tz="UTC")
    wall_us = utc.tz_convert(zone).tz_localize(None).as_unit("us").asi8
    return (wall_us - utc_us) // 1_000_000


def _naive_us(values_us: np.ndarray, valid: np.ndarray, index: pd.Index) -> pd.Series:
    times = values_us.astype("datetime64[us]")
    times[~valid] = np.datetime64("NaT")
    return pd.Series(times, index=index, dtype="datetime64[us]")
