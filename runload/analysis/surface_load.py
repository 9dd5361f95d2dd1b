"""Running surface and load: user overrides, and new or suddenly longer surfaces.

The surface of each session comes from :mod:`runload.analysis.surface`
(device labels, file type text, inference from the track).  This module
applies the user's overrides on top (:func:`apply_surface_overrides`) and
raises the F-SURFACE flag (:func:`surface_novelty_flags`).  Per-surface
distances per day and week are columns of
:func:`runload.analysis.daily.daily_table` and
:func:`runload.analysis.volume.weekly_table`.

Evidence (science.md E1): the surface type itself is weakly linked with injury
at best (inconsistent, mostly cross-sectional or retrospective studies; van der
Worp 2015 [1]_); a *change* of surface is expert opinion, resting on the
"change one thing at a time" rationale of Bertelsen 2017's framework [2]_.

References
----------
.. [1] M. P. van der Worp et al., "Injuries in runners; a systematic review on
   risk factors and sex differences," PLoS One, vol. 10, no. 2, e0114937,
   2015, doi:10.1371/journal.pone.0114937.
.. [2] M. L. Bertelsen et al., "A framework for the etiology of
   running-related injuries," Scand. J. Med. Sci. Sports, vol. 27, no. 11,
   pp. 1170-1180, 2017, doi:10.1111/sms.12883.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from runload.analysis.daily import runs as running_sessions
from runload.analysis.daily import session_surface
from runload.analysis.spikes import prior_window_argmax, utc_microseconds
from runload.analysis.words import day, distance, pct
from runload.config import SURFACES, SurfaceRule

#: ``surface_source`` of a surface set by the user's override file.
USER_OVERRIDE = "user_override"

#: Columns of an overrides table (:func:`runload.readers.overrides.read_surface_overrides`).
OVERRIDE_COLUMNS = ("activity_id", "from_date", "to_date", "surface", "rule_index")

# (d - ref) / ref carries rounding error, so a run within this of the threshold counts as
# on it: a run exactly 10 % longer is not flagged (as in runload.analysis.spikes).
_EDGE_TOL = 1e-9

_SESSION_NEEDED = ("activity_id", "sport", "local_date", "surface", "surface_source",
                   "surface_confidence")

#: Surfaces whose distance is an estimate (no GPS), said so in spike messages.
_ESTIMATED_DISTANCE = ("treadmill", "indoor")

_ADVICE = ("Changing one thing at a time, the surface included, is common coaching advice "
           "(expert opinion): a new surface loads the body in ways it is not used to. No "
           "running surface has been shown to carry a clearly lower injury risk.")


def _check_overrides(overrides: pd.DataFrame) -> None:
    if not isinstance(overrides, pd.DataFrame):
        raise TypeError("The 'overrides' parameter of apply_surface_overrides must be a pandas "
                        "DataFrame (from runload.read_surface_overrides). Got "
                        f"{type(overrides).__name__} instead.")
    missing = [c for c in OVERRIDE_COLUMNS if c not in overrides.columns]
    if missing:
        raise ValueError("The 'overrides' parameter of apply_surface_overrides must have "
                         f"columns {list(OVERRIDE_COLUMNS)}; missing {missing}.")
    bad = ~overrides["surface"].isin(SURFACES).to_numpy(dtype=bool)
    if bad.any():
        raise ValueError("The 'overrides' parameter of apply_surface_overrides must give "
                         f"surfaces among {list(SURFACES)}. Got "
                         f"{overrides['surface'][bad].iloc[0]!r} instead.")


def _rule_masks(sessions: pd.DataFrame, overrides: pd.DataFrame
                ) -> list[tuple[int, bool, str, np.ndarray]]:
    """(rule_index, is_id_rule, surface, sessions matched) for every rule."""
    ids = sessions["activity_id"].astype("string").fillna("").to_numpy(dtype=object)
    dates = pd.DatetimeIndex(sessions["local_date"])
    is_run = sessions["sport"].eq("running").fillna(False).to_numpy(dtype=bool)
    out = []
    for rule in overrides.itertuples(index=False):
        rule_id = "" if pd.isna(rule.activity_id) else str(rule.activity_id)
        if rule_id:
            matched = ids == rule_id
        else:
            inside = np.asarray((dates >= pd.Timestamp(rule.from_date))
                                & (dates <= pd.Timestamp(rule.to_date)), dtype=bool)
            matched = inside & is_run
        out.append((int(rule.rule_index), bool(rule_id), str(rule.surface), matched))
    return out


def apply_surface_overrides(sessions: pd.DataFrame, overrides: pd.DataFrame) -> pd.DataFrame:
    """Set the surfaces the user's override rules give, on top of the classification.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table, normally already classified
        (``runload.analysis.surface.classify_surfaces``); needs
        ``activity_id``, ``sport``, ``local_date``, ``surface``,
        ``surface_source`` and ``surface_confidence``.
    overrides : pandas.DataFrame
        From :func:`runload.readers.overrides.read_surface_overrides`: columns
        ``activity_id`` ('' for a date rule), ``from_date``, ``to_date``
        (inclusive local days; NaT for an id rule), ``surface`` and
        ``rule_index`` (file order).

    Returns
    -------
    pandas.DataFrame
        A copy of ``sessions`` on its index; each session a rule matches has
        the winning rule's ``surface``, ``surface_source`` 'user_override' and
        ``surface_confidence`` 1.0.  Other sessions are unchanged.

    Raises
    ------
    TypeError
        If ``overrides`` is not a DataFrame.
    ValueError
        If a column is missing or a rule's surface is not one of
        :data:`runload.config.SURFACES`.

    Notes
    -----
    Matching: an id rule matches the session with that ``activity_id``
    (whatever its sport); a date rule matches the *running* sessions whose
    ``local_date`` lies in ``[from_date, to_date]``, both days included (a
    bike ride on a treadmill week keeps its surface).  A session without a
    local date matches no date rule.

    Precedence: an id rule wins over any date rule, and among rules of the
    same kind the later one in the file (higher ``rule_index``) wins.  So a
    range can set a holiday week to trail and an id rule inside it can still
    set one run of that week to road.  Overrides are applied last, after the
    classification, and are always shown as 'user_override'.

    Examples
    --------
    >>> from runload.schema import sessions_frame
    >>> s = sessions_frame([{"activity_id": "a", "sport": "running",
    ...                      "local_date": "2024-03-02", "surface": "road",
    ...                      "surface_source": "device_label", "surface_confidence": 1.0}])
    >>> rules = pd.DataFrame({"activity_id": ["", "a"],
    ...     "from_date": pd.to_datetime(["2024-03-01", None]),
    ...     "to_date": pd.to_datetime(["2024-03-10", None]),
    ...     "surface": ["treadmill", "trail"], "rule_index": [0, 1]})
    >>> apply_surface_overrides(s, rules)[["surface", "surface_source"]].iloc[0].tolist()
    ['trail', 'user_override']
    """
    if not isinstance(sessions, pd.DataFrame):
        raise TypeError("The 'sessions' parameter of apply_surface_overrides must be a pandas "
                        f"DataFrame. Got {type(sessions).__name__} instead.")
    missing = [c for c in _SESSION_NEEDED if c not in sessions.columns]
    if missing:
        raise ValueError("The 'sessions' parameter of apply_surface_overrides must be a "
                         f"sessions table; missing columns {missing}.")
    _check_overrides(overrides)
    out = sessions.copy()
    if overrides.empty or sessions.empty:
        return out
    # Applied in order of strength: date rules, then id rules, each by rule_index, so the
    # last rule written over a session is the one that wins.
    rules = sorted(_rule_masks(sessions, overrides), key=lambda r: (r[1], r[0]))
    surface = out["surface"].astype("string").to_numpy(dtype=object)
    is_set = np.zeros(len(out), dtype=bool)
    for _, _, name, matched in rules:
        surface[matched] = name
        is_set |= matched
    if not is_set.any():
        return out
    rows = np.flatnonzero(is_set)
    out.iloc[rows, out.columns.get_loc("surface")] = surface[is_set]
    out.iloc[rows, out.columns.get_loc("surface_source")] = USER_OVERRIDE
    out.iloc[rows, out.columns.get_loc("surface_confidence")] = 1.0
    return out


def surface_override_matches(sessions: pd.DataFrame, overrides: pd.DataFrame) -> pd.Series:
    """How many sessions each override rule matches (before precedence).

    Parameters
    ----------
    sessions, overrides : pandas.DataFrame
        As for :func:`apply_surface_overrides`.

    Returns
    -------
    pandas.Series
        int64, indexed by ``rule_index``, named ``sessions``; 0 marks a rule
        that matches nothing (a mistyped activity id, a range without runs).
    """
    _check_overrides(overrides)
    counts = {index: int(matched.sum()) for index, _, _, matched
              in _rule_masks(sessions, overrides)}
    return pd.Series(counts, dtype="int64", name="sessions").rename_axis("rule_index")


def _source_note(source: str, confidence: float) -> str:
    if source == USER_OVERRIDE:
        return " (surface from your override file)"
    if source == "inferred":
        sure = f", {pct(confidence)} sure" if np.isfinite(confidence) else ""
        return f" (surface inferred from the recording{sure})"
    return ""


def surface_novelty_flags(sessions: pd.DataFrame, rule: SurfaceRule, *,
                          units: str = "km") -> list[dict[str, Any]]:
    """F-SURFACE: the first run on a surface in a month, or a much longer one on it.

    Parameters
    ----------
    sessions : pandas.DataFrame
        A sessions table with surfaces (classified, overrides applied); needs
        the columns :func:`runload.analysis.daily.runs` reads, ``start_utc``
        [UTC], ``distance_m`` [m], ``surface``, ``surface_source`` and
        ``surface_confidence``.  Only the runs that count are used.
    rule : runload.config.SurfaceRule
        ``surfaces`` watched (default trail, track, treadmill),
        ``novelty_days`` [d] (30), ``spike_frac`` [fraction] (0.10),
        ``citation``, ``grade`` and ``enabled``.

    Returns
    -------
    list of dict
        At most one dict per run, keys exactly :data:`runload.schema.FLAG_COLUMNS`:
        ``flag_id`` 'F-SURFACE', ``scope`` 'session', severity 'info', and

        - a new surface: ``value`` the days since the last run on it (or, for
          a surface never seen before, the days of history before the run),
          ``threshold`` ``novelty_days``, ``unit`` 'days';
        - a longer run: ``value`` ``(d - ref) / ref``, ``threshold``
          ``spike_frac``, ``unit`` 'frac'.

        The message gives the distances and dates, says when the surface came
        from the user's override file (or was inferred), and that this is
        expert opinion.  Empty when ``rule.enabled`` is false.

    Raises
    ------
    TypeError
        If ``rule`` is not a SurfaceRule.
    ValueError
        If a column is missing or a surface is not one of
        :data:`runload.config.SURFACES`.

    Notes
    -----
    For a run on surface X in ``rule.surfaces``, on local day D, started at t
    (science.md E1, an expert-opinion extension of A1):

    - **new surface**: the last run on X was on a local day at least
      ``novelty_days`` before D (``D - D_prev >= 30`` calendar days, so a
      trail run 30 days after the last one is new, 29 days after is not).  A
      surface never run on before is new only when the history has at least
      ``novelty_days`` days before D (``D - first run's day >= 30``):
      with less, runload cannot tell new from not yet recorded.
    - **longer than usual**: otherwise, ``(d - ref) / ref > spike_frac``
      (strict: exactly 10 % longer is not flagged), where ref is the longest
      distance of the runs on X started in ``[t - novelty_days, t)`` (to the
      microsecond, as F-SPIKE: a run started exactly 30 days before counts,
      the run itself and runs started at the same instant do not).  Runs
      without a distance are neither compared nor references; treadmill and
      indoor distances are estimates, and the message says so.

    A new-surface run is not also checked for length.  Road is not watched by
    default: a longer road run is F-SPIKE's business.  Runs of unknown surface
    count for no surface, so a history with many unknown surfaces can show a
    surface as new when it was not.

    Evidence grade: expert opinion [1]_; the surface itself: weak [2]_.

    References
    ----------
    .. [1] M. L. Bertelsen et al., "A framework for the etiology of
       running-related injuries," Scand. J. Med. Sci. Sports, vol. 27, no. 11,
       pp. 1170-1180, 2017, doi:10.1111/sms.12883.
    .. [2] M. P. van der Worp et al., "Injuries in runners; a systematic review
       on risk factors and sex differences," PLoS One, vol. 10, no. 2,
       e0114937, 2015, doi:10.1371/journal.pone.0114937.

    Examples
    --------
    >>> from runload.schema import sessions_frame
    >>> def run(date, km, surface):
    ...     return {"activity_id": date, "sport": "running", "local_date": date,
    ...             "start_utc": f"{date} 07:00Z", "distance_m": km * 1000.0,
    ...             "surface": surface, "surface_source": "device_label"}
    >>> s = sessions_frame([run("2024-01-01", 8, "road"), run("2024-02-05", 10, "trail"),
    ...                     run("2024-02-10", 11.5, "trail")])
    >>> [(f["local_date"].date().isoformat(), f["unit"], round(f["value"], 2))
    ...  for f in surface_novelty_flags(s, SurfaceRule())]
    [('2024-02-05', 'days', 35.0), ('2024-02-10', 'frac', 0.15)]
    """
    if not isinstance(rule, SurfaceRule):
        raise TypeError("The 'rule' parameter of surface_novelty_flags must be a "
                        f"runload.config.SurfaceRule. Got {type(rule).__name__} instead.")
    if not rule.enabled:
        return []
    missing = [c for c in (*_SESSION_NEEDED, "start_utc", "distance_m")
               if c not in sessions.columns]
    if missing:
        raise ValueError("The 'sessions' parameter of surface_novelty_flags must be a sessions "
                         f"table with surfaces; missing columns {missing}.")
    chosen = running_sessions(sessions)
    if chosen.empty:
        return []
    surface = session_surface(chosen).to_numpy(dtype=object)
    dates = chosen["local_date"].to_numpy(dtype="datetime64[D]")
    times_us = utc_microseconds(chosen["start_utc"])
    distance_m = chosen["distance_m"].to_numpy(dtype="float64")
    ids = chosen["activity_id"].astype("string").fillna("").to_numpy(dtype=object)
    sources = chosen["surface_source"].astype("string").fillna("").to_numpy(dtype=object)
    confidence = chosen["surface_confidence"].to_numpy(dtype="float64")
    first_day = dates.min()
    n_days = int(rule.novelty_days)

    rows: list[dict[str, Any]] = []
    for name in rule.surfaces:
        where = np.flatnonzero(surface == name)
        if not len(where):
            continue
        own = distance_m[where]
        usable = np.where(own > 0, own, np.nan)
        day_of = dates[where]
        gap_days = np.diff(day_of, prepend=first_day) / np.timedelta64(1, "D")
        is_new = gap_days >= n_days
        reference = prior_window_argmax(times_us[where], usable, lookback_days=n_days)
        ref = np.where(reference >= 0, usable[np.maximum(reference, 0)], np.nan)
        with np.errstate(invalid="ignore"):
            frac = (usable - ref) / ref
            is_longer = ~is_new & (frac > rule.spike_frac + _EDGE_TOL)
        for k in np.flatnonzero(is_new | is_longer):
            i = where[k]
            run_day = pd.Timestamp(day_of[k])
            note = _source_note(sources[i], confidence[i])
            amount = distance(own[k], units) if own[k] > 0 else "a run"
            if is_new[k] and k == 0:
                message = (f"First {name} run in this history, which starts {gap_days[k]:.0f} "
                           f"days before it: {amount} on {day(run_day)}{note}.")
            elif is_new[k]:
                message = (f"First {name} run in {gap_days[k]:.0f} days: {amount} on "
                           f"{day(run_day)}{note}; the last {name} run was on "
                           f"{day(pd.Timestamp(day_of[k - 1]))}.")
            else:
                estimate = (f" ({name} distances are estimates)"
                            if name in _ESTIMATED_DISTANCE else "")
                message = (f"{amount} on {name} on {day(run_day)}{note} is {pct(frac[k])} "
                           f"longer than your longest {name} run in the previous {n_days} "
                           f"days, {distance(ref[k], units)} on "
                           f"{day(pd.Timestamp(day_of[reference[k]]))}{estimate}.")
            value, threshold, unit = ((float(gap_days[k]), float(n_days), "days") if is_new[k]
                                      else (float(frac[k]), float(rule.spike_frac), "frac"))
            rows.append(_flag(ids[i], run_day, value, threshold, unit,
                              f"{message} {_ADVICE}", rule))
    rows.sort(key=lambda r: (r["local_date"], r["activity_id"]))
    return rows


def _flag(activity_id: str, local_date: pd.Timestamp, value: float, threshold: float,
          unit: str, message: str, rule: SurfaceRule) -> dict[str, Any]:
    return {"flag_id": "F-SURFACE", "scope": "session", "activity_id": str(activity_id),
            "local_date": local_date, "severity": "info", "value": value,
            "threshold": threshold, "unit": unit, "message": message,
            "evidence_grade": rule.grade, "citation_key": rule.citation}
