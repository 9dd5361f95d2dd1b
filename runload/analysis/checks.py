"""Argument checks shared by the analysis functions, with one message shape.

Messages name the parameter, the function, the rule and the value received,
as in "The 'lookback_days' parameter of session_spikes must be an int >= 1.
Got 0 instead."
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd


def require_frame(frame: Any, *, param: str, func: str, columns: Iterable[str],
                  kind: str) -> None:
    """Check that ``frame`` is a DataFrame holding ``columns``.

    Parameters
    ----------
    frame : object
        The argument received.
    param, func : str
        Parameter and function names, for the message.
    columns : iterable of str
        Columns the function reads.
    kind : str
        What the frame should be, in words ('a sessions table (runload.schema.SESSION_COLUMNS)').

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame.
    ValueError
        Naming the missing columns.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"The '{param}' parameter of {func} must be a pandas DataFrame "
                        f"({kind}). Got {type(frame).__name__} instead.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"The '{param}' parameter of {func} must be {kind}; "
                         f"missing columns {missing}.")


def require_int(value: Any, *, param: str, func: str, minimum: int = 1) -> None:
    """Check that ``value`` is an int (not a bool) of at least ``minimum``.

    Raises
    ------
    ValueError
        Naming the parameter, the rule and the value received.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"The '{param}' parameter of {func} must be an int >= {minimum}. "
                         f"Got {value!r} instead.")
