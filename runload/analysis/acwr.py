"""Acute:chronic workload ratio (ACWR): display only, never a risk flag.

Three published ways to compute it (science.md B1-B3), chosen through
:data:`ACWR_METHODS`:

``'uncoupled'`` (default)
    Rolling averages; the chronic window is the three weeks *before* the acute
    week, so the acute week is not part of its own baseline (Windt & Gabbett
    2019).  It discriminated best in the runner cohort of Nakaoka 2021.
``'coupled'``
    Rolling averages; the chronic window includes the acute week (Gabbett 2016).
``'ewma'``
    Exponentially weighted moving averages with ``lambda = 2 / (N + 1)``
    (Williams 2017).

In runners the association of ACWR with injury is null or inverse (Nakaoka
2021, Frandsen 2025), so runload shows it as a trend line and never as a risk
colour; this module has no flags.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from runload.analysis.checks import require_int

__all__ = ["ACWR_METHODS", "acwr"]


def _validate_daily_load(daily_load: pd.Series, function: str) -> None:
    """Check a daily load series: DatetimeIndex of consecutive days, finite, >= 0.

    Shared by the functions of ``acwr`` and ``fitness`` that take a daily load.
    """
    if not isinstance(daily_load, pd.Series):
        raise TypeError(f"The 'daily_load' parameter of {function} must be a pandas Series; "
                        f"got {type(daily_load).__name__} instead.")
    index = daily_load.index
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(f"The 'daily_load' parameter of {function} must have a DatetimeIndex "
                        f"(one row per local day); got {type(index).__name__} instead.")
    if len(index) > 1:
        steps = index[1:] - index[:-1]
        if not (steps == pd.Timedelta(days=1)).all():
            raise ValueError(f"The 'daily_load' parameter of {function} must have one row per "
                             "consecutive day (rest days as 0, no gaps, no repeats, ascending); "
                             "got an irregular index instead.")
    values = daily_load.to_numpy(dtype="float64", na_value=np.nan)
    if not np.isfinite(values).all():
        raise ValueError(f"The 'daily_load' parameter of {function} must hold finite numbers "
                         "(rest days are 0, not missing); got NaN or inf instead.")
    if (values < 0).any():
        raise ValueError(f"The 'daily_load' parameter of {function} must be >= 0 on every "
                         "day; got a negative load instead.")


def _rolling_uncoupled(load: pd.Series, acute_days: int,
                       chronic_days: int) -> tuple[pd.Series, pd.Series]:
    # acute: days t-(a-1)..t; chronic: the (c-a) days before them, t-(c-1)..t-a.
    baseline_days = chronic_days - acute_days
    acute = load.rolling(acute_days, min_periods=acute_days).sum() / acute_days
    chronic = (load.shift(acute_days)
               .rolling(baseline_days, min_periods=baseline_days).sum() / baseline_days)
    return acute, chronic


def _rolling_coupled(load: pd.Series, acute_days: int,
                     chronic_days: int) -> tuple[pd.Series, pd.Series]:
    # chronic: days t-(c-1)..t, the acute week included.
    acute = load.rolling(acute_days, min_periods=acute_days).sum() / acute_days
    chronic = load.rolling(chronic_days, min_periods=chronic_days).sum() / chronic_days
    return acute, chronic


def _ewma(load: pd.Series, span_days: int, seed: float) -> pd.Series:
    # E_t = lam*L_t + (1-lam)*E_{t-1}, E_{-1} = seed: a virtual day before the first.
    lam = 2.0 / (span_days + 1.0)
    padded = pd.concat([pd.Series([seed], dtype="float64"),
                        pd.Series(load.to_numpy(dtype="float64"))], ignore_index=True)
    smoothed = padded.ewm(alpha=lam, adjust=False, min_periods=0).mean().to_numpy()[1:]
    return pd.Series(smoothed, index=load.index)


def _ewma_pair(load: pd.Series, acute_days: int,
               chronic_days: int) -> tuple[pd.Series, pd.Series]:
    seed = float(load.iloc[:acute_days].mean())
    return _ewma(load, acute_days, seed), _ewma(load, chronic_days, seed)


#: ACWR method name -> function(daily_load, acute_days, chronic_days) returning
#: (acute, chronic) as per-day averages [load/day] on the input's index.
ACWR_METHODS: dict[str, Callable[[pd.Series, int, int], tuple[pd.Series, pd.Series]]] = {
    "uncoupled": _rolling_uncoupled,
    "coupled": _rolling_coupled,
    "ewma": _ewma_pair,
}


def acwr(daily_load: pd.Series, *, method: str = "uncoupled", acute_days: int = 7,
         chronic_days: int = 28, min_chronic_per_day: float = 1e-6) -> pd.DataFrame:
    """Acute and chronic load and their ratio, day by day.

    Parameters
    ----------
    daily_load : pandas.Series
        Training load per local day [load/day]: a DatetimeIndex of consecutive
        days, rest days as 0, no missing values (e.g. the ``load`` column of
        ``runload.analysis.daily.daily_table``).  Any unit (km, minutes,
        TRIMP); the ratio has none.
    method : {'uncoupled', 'coupled', 'ewma'}, default 'uncoupled'
        Key of :data:`ACWR_METHODS`.  Uncoupled 7:21 is science.md's default.
    acute_days : int, default 7
        Acute window [d]; for 'ewma' the span N of the acute average.
    chronic_days : int, default 28
        Chronic window [d], acute days included (so 'uncoupled' uses the
        ``chronic_days - acute_days`` days before the acute window); for
        'ewma' the span N of the chronic average.  Also the history guard:
        every column is NaN on the first ``chronic_days - 1`` days.
    min_chronic_per_day : float, default 1e-6
        A chronic load below this is "near zero" (a layoff) and the ratio is
        NaN [load/day].

    Returns
    -------
    pandas.DataFrame
        On the input's index, columns

        - ``acute``: acute load as a per-day average [load/day]
        - ``chronic``: chronic load as a per-day average [load/day]
        - ``ratio``: ``acute / chronic`` [-]

        Multiply ``acute`` and ``chronic`` by 7 for weekly amounts.

    Raises
    ------
    ValueError
        For an unknown ``method``, windows that are not ints with
        ``1 <= acute_days < chronic_days``, or a daily load with gaps, NaN or
        negative values.
    TypeError
        If ``daily_load`` is not a Series on a DatetimeIndex.

    Notes
    -----
    With ``L_d`` the load of day ``d``, ``a = acute_days``, ``c = chronic_days``:

    - uncoupled: ``acute_t = sum(L_{t-a+1..t}) / a``,
      ``chronic_t = sum(L_{t-c+1..t-a}) / (c - a)``; with 7 and 28 this is
      science.md B2, ``sum7 / (sum(prior 21) / 3)``.
    - coupled: ``acute_t`` as above, ``chronic_t = sum(L_{t-c+1..t}) / c``;
      with 7 and 28, science.md B1, ``sum7 / (sum28 / 4)``.
    - ewma: ``E_t = lam * L_t + (1 - lam) * E_{t-1}`` with
      ``lam = 2 / (N + 1)`` (0.25 for N = 7, 2/29 ~ 0.0690 for N = 28), for
      acute and chronic separately.  Both are seeded with the mean load of the
      first ``a`` days, as the value of a virtual day before the series
      (science.md B3); the seed's weight left after 28 days is 13.5 % in the
      chronic average.

    Expressing acute and chronic as per-day averages keeps the three methods
    in one unit and leaves each ratio exactly as published.

    Window edges: windows are whole days ending on (and including) day ``t``;
    the first ``c - 1`` days (27 by default) are NaN in every column, even
    where the acute window is already full: science.md §1 asks to hide ACWR
    until 28 days of history exist.  The ratio is also NaN where
    ``chronic < min_chronic_per_day`` (return after a layoff, handled by the
    layoff rule instead).

    Evidence grade: weak; null or inverse in runners (science.md B1-B3).
    Display only: runload never colours or flags ACWR.

    References
    ----------
    .. [1] J. Windt and T. J. Gabbett, "Is it all for naught? What does
       mathematical coupling mean for acute:chronic workload ratios?" Br. J.
       Sports Med., vol. 53, no. 16, pp. 988-990, 2019.
       doi:10.1136/bjsports-2017-098925
    .. [2] S. Williams, S. West, M. J. Cross, and K. A. Stokes, "Better way to
       determine the acute:chronic workload ratio?" Br. J. Sports Med.,
       vol. 51, no. 3, pp. 209-210, 2017. doi:10.1136/bjsports-2016-096589
    .. [3] T. J. Gabbett, "The training-injury prevention paradox: should
       athletes be training smarter and harder?" Br. J. Sports Med., vol. 50,
       pp. 273-280, 2016. doi:10.1136/bjsports-2015-095788
    .. [4] G. Nakaoka et al., "The association between the acute:chronic
       workload ratio and running-related injuries in Dutch runners," Sports
       Med., vol. 51, no. 11, pp. 2437-2447, 2021.
       doi:10.1007/s40279-021-01483-0

    Examples
    --------
    >>> days = pd.date_range("2024-03-01", periods=28, freq="D", name="local_date")
    >>> load = pd.Series([3.0] * 21 + [6.0] * 7, index=days)
    >>> acwr(load).iloc[-1].round(3).to_dict()
    {'acute': 6.0, 'chronic': 3.0, 'ratio': 2.0}
    """
    if method not in ACWR_METHODS:
        known = ", ".join(f"'{m}'" for m in ACWR_METHODS)
        raise ValueError(f"The 'method' parameter of acwr must be one of {known}; "
                         f"got {method!r} instead.")
    require_int(acute_days, param="acute_days", func="acwr")
    require_int(chronic_days, param="chronic_days", func="acwr", minimum=acute_days + 1)
    _validate_daily_load(daily_load, "acwr")

    load = daily_load.astype("float64")
    if load.empty:
        empty = pd.Series([], index=daily_load.index, dtype="float64")
        return pd.DataFrame({"acute": empty, "chronic": empty, "ratio": empty})
    acute, chronic = ACWR_METHODS[method](load, int(acute_days), int(chronic_days))

    warm_up = np.arange(len(load)) < chronic_days - 1
    acute_v = np.where(warm_up, np.nan, acute.to_numpy(dtype="float64"))
    chronic_v = np.where(warm_up, np.nan, chronic.to_numpy(dtype="float64"))
    defined = chronic_v >= min_chronic_per_day
    ratio = np.full(len(load), np.nan)
    np.divide(acute_v, chronic_v, out=ratio, where=defined)
    return pd.DataFrame({"acute": acute_v, "chronic": chronic_v, "ratio": ratio},
                        index=daily_load.index)
