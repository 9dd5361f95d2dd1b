"""User overrides of the running surface: a TOML or CSV file of rules.

A rule names either one activity (``activity_id``, as in the sessions and
flags tables) or an inclusive range of local calendar dates (``from`` and
``to``), and the surface its runs were on.  The analysis applies the rules
last, after the surface classification
(:func:`runload.analysis.surface_load.apply_surface_overrides`).

TOML: one ``[[override]]`` table per rule::

    [[override]]
    activity_id = "dea0b14c395e65df-0"
    surface = "trail"

    [[override]]
    from = 2024-03-01          # a TOML date, or a "YYYY-MM-DD" string
    to = 2024-03-10
    surface = "treadmill"

CSV: a header naming some of ``activity_id``, ``from``, ``to`` and
``surface`` (any order, ``surface`` required), then one rule per row; an id
rule leaves ``from``/``to`` empty and a range rule leaves ``activity_id``
empty::

    activity_id,from,to,surface
    dea0b14c395e65df-0,,,trail
    ,2024-03-01,2024-03-10,treadmill

Rules
-----
- Surfaces: ``road``, ``trail``, ``track``, ``treadmill``, ``indoor``,
  ``unknown`` (:data:`runload.config.SURFACES`), compared without case.
- A rule has an ``activity_id`` or both ``from`` and ``to`` (the same date
  twice for one day), never both kinds, and ``from <= to``.
- CSV: UTF-8 with or without a byte-order mark; blank rows and rows whose
  first cell starts with ``#`` are skipped.
- Every problem is a :class:`runload.errors.ConfigError` naming the file, the
  line (and, in TOML, the ``[[override]]`` entry), and the bad key or value.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
import tomllib
from typing import Any

import pandas as pd

from runload.config import SURFACES
from runload.errors import ConfigError

#: Keys of a rule (TOML keys, CSV columns).
OVERRIDE_KEYS = ("activity_id", "from", "to", "surface")

#: Columns of the table :func:`read_surface_overrides` returns, with their dtypes.
OVERRIDE_COLUMNS = {"activity_id": "string", "from_date": "datetime64[us]",
                    "to_date": "datetime64[us]", "surface": "string", "rule_index": "int64"}

_TOML_ENTRY = re.compile(r"^\s*\[\[\s*override\s*\]\]")


def read_surface_overrides(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a surface override file (TOML or CSV, told by its extension).

    Parameters
    ----------
    path : str or path-like
        A ``.toml`` or ``.csv`` file (see the module docstring for the layout).

    Returns
    -------
    pandas.DataFrame
        One row per rule, in file order:

        - ``activity_id`` (string): the activity of an id rule, '' for a range.
        - ``from_date``, ``to_date`` (datetime64[us]): the first and last local
          day of a range rule, both included; NaT for an id rule.
        - ``surface`` (string): one of :data:`runload.config.SURFACES`, lower case.
        - ``rule_index`` (int64): position in the file, 0-based; a later rule
          wins over an earlier one of the same kind.

        ``attrs['path']`` is the file as given.

    Raises
    ------
    runload.errors.ConfigError
        If the file cannot be read, has another extension, is not valid TOML
        or CSV, or a rule has an unknown key or column, an unknown surface, a
        bad date, ``from`` after ``to``, or neither or both kinds of target.
        The message names the file, the line (or TOML entry) and the value.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "s.csv").write_text("activity_id,from,to,surface\\n"
    ...                                   ",2024-03-01,2024-03-10,Treadmill\\n")
    >>> table = read_surface_overrides(folder / "s.csv")
    >>> table[["from_date", "to_date", "surface"]].astype(str).to_numpy().tolist()
    [['2024-03-01', '2024-03-10', 'treadmill']]
    """
    name = os.fspath(path)
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in (".toml", ".csv"):
        raise ConfigError(f"{name}: a surface override file must be .toml or .csv; "
                          f"got the extension {suffix or '(none)'!r}.")
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read the surface override file: "
                          f"{exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
    rules = _parse_toml(text, name) if suffix == ".toml" else _parse_csv(text, name)
    table = pd.DataFrame({
        "activity_id": pd.Series([r["activity_id"] for r in rules], dtype="string"),
        "from_date": pd.Series([r["from"] for r in rules], dtype="object"),
        "to_date": pd.Series([r["to"] for r in rules], dtype="object"),
        "surface": pd.Series([r["surface"] for r in rules], dtype="string"),
        "rule_index": pd.Series(range(len(rules)), dtype="int64"),
    })
    for column in ("from_date", "to_date"):
        table[column] = pd.to_datetime(table[column]).astype("datetime64[us]")
    table.attrs["path"] = name
    return table


def _parse_toml(text: str, name: str) -> list[dict[str, Any]]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: not valid TOML: {exc}") from exc
    unknown = [k for k in document if k != "override"]
    if unknown:
        raise ConfigError(f"{name}: unknown key {unknown[0]!r}; a surface override file "
                          "holds only [[override]] tables.")
    entries = document.get("override", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{name}: 'override' must be an array of tables, written "
                          "[[override]] (two brackets) before each rule.")
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if _TOML_ENTRY.match(line)]
    rules = []
    for k, entry in enumerate(entries):
        where = f"[[override]] entry {k + 1}"
        if len(lines) == len(entries):
            where = f"line {lines[k]} ({where})"
        rules.append(_rule(entry, f"{name}, {where}"))
    return rules


def _parse_csv(text: str, name: str) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rules = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = [c.strip().lower() for c in cells]
                _check_header(header, f"{name}, line {line}")
                continue
            if len(cells) > len(header):
                raise ConfigError(f"{name}, line {line}: {len(cells)} cells, but the header "
                                  f"has {len(header)} columns ({','.join(header)}).")
            values = {key: cell.strip() for key, cell in zip(header, cells, strict=False)}
            rules.append(_rule({k: v for k, v in values.items() if v != ""},
                               f"{name}, line {line}"))
    except csv.Error as exc:
        raise ConfigError(f"{name}, line {reader.line_num}: not valid CSV: {exc}") from exc
    return rules


def _check_header(header: list[str], where: str) -> None:
    for column in header:
        if column not in OVERRIDE_KEYS:
            raise ConfigError(f"{where}: unknown column {column!r}; the columns are "
                              f"{', '.join(OVERRIDE_KEYS)}.")
    repeated = [c for c in OVERRIDE_KEYS if header.count(c) > 1]
    if repeated:
        raise ConfigError(f"{where}: the column {repeated[0]!r} appears twice.")
    if "surface" not in header:
        raise ConfigError(f"{where}: the header must name a 'surface' column; got "
                          f"{','.join(header)}.")
    if "activity_id" not in header and not {"from", "to"} <= set(header):
        raise ConfigError(f"{where}: the header must name 'activity_id' or both 'from' and "
                          f"'to'; got {','.join(header)}.")


def _rule(values: dict[str, Any], where: str) -> dict[str, Any]:
    """One checked rule from the keys of a TOML table or the non-empty cells of a CSV row."""
    for key in values:
        if key not in OVERRIDE_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}; a rule has "
                              f"{', '.join(OVERRIDE_KEYS)}.")
    surface = values.get("surface")
    if surface is None:
        raise ConfigError(f"{where}: the rule has no 'surface'.")
    if not isinstance(surface, str) or surface.strip().lower() not in SURFACES:
        raise ConfigError(f"{where}: unknown surface {surface!r}; the surfaces are "
                          f"{', '.join(SURFACES)}.")
    activity_id = values.get("activity_id")
    if activity_id is not None and (not isinstance(activity_id, str) or not activity_id.strip()):
        raise ConfigError(f"{where}: 'activity_id' must be a non-empty text; "
                          f"got {activity_id!r}.")
    dates = {key: _date(values[key], key, where) for key in ("from", "to") if key in values}
    if activity_id is not None and dates:
        raise ConfigError(f"{where}: a rule names an activity_id or a date range "
                          f"(from/to), not both; got activity_id {activity_id!r} and "
                          f"{', '.join(dates)}.")
    if activity_id is None:
        if len(dates) < 2:
            given = f"only '{next(iter(dates))}'" if dates else "neither"
            raise ConfigError(f"{where}: a rule needs an activity_id, or both 'from' and 'to' "
                              f"(the same date twice for one day); got {given}.")
        if dates["from"] > dates["to"]:
            raise ConfigError(f"{where}: 'from' ({dates['from']}) is after 'to' "
                              f"({dates['to']}).")
    return {"activity_id": (activity_id or "").strip(), "from": dates.get("from"),
            "to": dates.get("to"), "surface": surface.strip().lower()}


def _date(value: Any, key: str, where: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        raise ConfigError(f"{where}: {key!r} must be a date without a time (YYYY-MM-DD); "
                          f"got {value.isoformat()}.")
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"{where}: {key!r} must be a date as YYYY-MM-DD; got {value!r}.")
