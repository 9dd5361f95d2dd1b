"""The settings file: thresholds and display units as TOML.

The file has the sections of :class:`runload.config.Thresholds`::

    [display]
    units = "mi"

    [spike]
    lookback_days = 28

Errors are :class:`runload.errors.ConfigError` naming the file and the
section, key or value that is wrong.
"""

from __future__ import annotations

import tomllib
from os import PathLike

from runload.config import Thresholds
from runload.errors import ConfigError


def read_thresholds(path: str | PathLike[str], base: Thresholds | None = None) -> Thresholds:
    """Settings from a TOML file, on top of ``base`` (default: runload's defaults).

    Raises
    ------
    ConfigError
        The file cannot be read, is not TOML, or names an unknown section or
        key or a value of the wrong type.
    """
    try:
        with open(path, "rb") as fh:
            mapping = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return (base or Thresholds()).with_overrides(mapping)
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
