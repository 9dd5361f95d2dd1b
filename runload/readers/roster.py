"""A coach's roster: the athletes of a group and where their exports are.

The roster is a TOML file::

    title = "Tuesday group"          # optional

    [[athlete]]
    name = "Ana Ruiz"
    path = "ana"                     # export folder, zip or file, relative to this file
    tz = "Europe/Madrid"             # optional: zone for files that carry none
    pain = "ana/pain.csv"            # optional: the athlete's pain journal, relative to this file

    [athlete.thresholds]             # optional: same sections and keys as --config
    spike = { lookback_days = 30 }

Rules
-----
- ``name`` and ``path`` are required; names are unique (a coach tells
  athletes apart by name on the page).
- Relative paths (``path`` and ``pain``) are relative to the roster file, so
  a roster folder can be moved or shared as a whole.  A missing path is *not*
  an error here: the athlete appears on the page with the problem, never
  silently missing.
- ``pain`` names the athlete's pain journal (a CSV file,
  :mod:`runload.readers.pain`); it is read with the athlete's data.
- Threshold overrides are checked now (:meth:`runload.config.Thresholds.from_mapping`),
  so a typo fails before any athlete is imported.
- Every problem is a :class:`runload.errors.ConfigError` naming the file, the
  athlete (its position and name) and the key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runload.config import Thresholds
from runload.errors import ConfigError

#: Keys an ``[[athlete]]`` entry may have.
ATHLETE_KEYS = ("name", "path", "tz", "pain", "thresholds")


@dataclass(frozen=True)
class RosterAthlete:
    """One athlete of a roster.

    Attributes
    ----------
    name : str
        Display name, as the coach wrote it.
    path : pathlib.Path
        The athlete's export (folder, zip or file), made absolute.
    tz : str or None
        IANA zone for files without a local time.
    overrides : Mapping
        Threshold overrides as written, already checked; apply them on top
        of the coach's settings with :meth:`Thresholds.with_overrides`.
    pain : pathlib.Path or None
        The athlete's pain journal (CSV), made absolute; None without one.
    """

    name: str
    path: Path
    tz: str | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)
    pain: Path | None = None


@dataclass(frozen=True)
class Roster:
    """A roster file's content: a title and its athletes, in the file's order."""

    path: Path
    title: str
    athletes: tuple[RosterAthlete, ...]


def read_roster(path: str | Path) -> Roster:
    """Read a roster TOML file.

    Parameters
    ----------
    path : str or pathlib.Path
        The roster file.

    Returns
    -------
    Roster

    Raises
    ------
    ConfigError
        The file cannot be read or parsed, or an entry is missing a key, has
        an unknown key, a wrong type, an unknown time zone or unit, a
        duplicate name, or a threshold override runload does not know.
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the roster: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not a valid TOML roster: {exc}") from exc

    unknown = sorted(set(data) - {"title", "athlete"})
    if unknown:
        raise ConfigError(f"{path}: unknown top-level key(s) {unknown}; a roster has 'title' "
                          "and [[athlete]] entries.")
    title = data.get("title", path.stem)
    if not isinstance(title, str):
        raise ConfigError(f"{path}: 'title' must be a string; got {title!r}.")
    entries = data.get("athlete", [])
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: the roster names no athletes; add [[athlete]] entries with "
                          "'name' and 'path'.")
    athletes = tuple(_athlete(path, k, entry) for k, entry in enumerate(entries, start=1))
    seen: dict[str, int] = {}
    for k, athlete in enumerate(athletes, start=1):
        if athlete.name in seen:
            raise ConfigError(f"{path}: athlete {k} has the same name as athlete "
                              f"{seen[athlete.name]}, {athlete.name!r}; names must be unique.")
        seen[athlete.name] = k
    return Roster(path=path.resolve(), title=title, athletes=athletes)


def _athlete(path: Path, k: int, entry: Any) -> RosterAthlete:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{path}: athlete {k} must be a table with 'name' and 'path'; "
                          f"got {entry!r}.")
    label = f"athlete {k}" + (f" ({entry['name']!r})" if isinstance(entry.get("name"), str)
                              else "")
    unknown = sorted(set(entry) - set(ATHLETE_KEYS))
    if unknown:
        raise ConfigError(f"{path}: {label} has unknown key(s) {unknown}; known keys: "
                          f"{', '.join(ATHLETE_KEYS)}.")
    for key in ("name", "path"):
        if key not in entry:
            raise ConfigError(f"{path}: {label} has no '{key}'.")
    for key in ("name", "path", "tz", "pain"):
        if key in entry and not (isinstance(entry[key], str) and entry[key].strip()):
            raise ConfigError(f"{path}: {label}: '{key}' must be a non-empty string; "
                              f"got {entry[key]!r}.")
    tz = entry.get("tz")
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"{path}: {label}: unknown time zone 'tz' = {tz!r}; use an IANA "
                              "name such as 'Europe/Berlin'.") from exc
    overrides = entry.get("thresholds", {})
    if not isinstance(overrides, Mapping):
        raise ConfigError(f"{path}: {label}: 'thresholds' must be a table of config sections; "
                          f"got {overrides!r}.")
    try:
        Thresholds.from_mapping(overrides)
    except ValueError as exc:
        raise ConfigError(f"{path}: {label}: {exc}") from exc
    pain = entry.get("pain")
    return RosterAthlete(name=entry["name"].strip(), path=(path.parent / entry["path"]).resolve(),
                         tz=tz, overrides=dict(overrides),
                         pain=None if pain is None else (path.parent / pain).resolve())
