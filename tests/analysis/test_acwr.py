"""Tests for runload.analysis.acwr: exact values on hand-built daily series."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from runload.analysis import acwr as acwr_module
from runload.analysis.acwr import ACWR_METHODS, acwr

# 21 days of [5, 0, 10] (sum 105), then a week of [8, 0, 8, 0, 8, 0, 12] (sum 36).
BASE = [5.0, 0.0, 10.0] * 7
WEEK = [8.0, 0.0, 8.0, 0.0, 8.0, 0.0, 12.0]


def daily(values: list[float], start: str = "2024-03-01") -> pd.Series:
    index = pd.date_range(start, periods=len(values), freq="D", name="local_date")
    return pd.Series(values, index=index, name="load", dtype="float64")


def test_uncoupled_exact_on_28_days():
    out = acwr(daily(BASE + WEEK))
    assert list(out.columns) == ["acute", "chronic", "ratio"]
    last = out.iloc[27]
    assert last["acute"] == pytest.approx(36 / 7)
    assert last["chronic"] == pytest.approx(105 / 21)
    # science.md B2: sum7 / (sum of the prior 21 days / 3)
    assert last["ratio"] == pytest.approx(36 / (105 / 3))
    assert out.iloc[:27].isna().all().all()  # day 27 and before: insufficient history


def test_coupled_exact_on_28_days():
    out = acwr(daily(BASE + WEEK), method="coupled")
    last = out.iloc[27]
    assert last["acute"] == pytest.approx(36 / 7)
    assert last["chronic"] == pytest.approx(141 / 28)
    # science.md B1: sum7 / (sum28 / 4)
    assert last["ratio"] == pytest.approx(36 / (141 / 4))
    assert out.iloc[26].isna().all()


def test_windows_roll_day_by_day():
    values = BASE + WEEK + [20.0]
    out = acwr(daily(values))
    # day 29: acute = days 23..29, chronic = days 2..22
    assert out["acute"].iloc[28] == pytest.approx(sum(values[22:29]) / 7)
    assert out["chronic"].iloc[28] == pytest.approx(sum(values[1:22]) / 21)
    coupled = acwr(daily(values), method="coupled")
    assert coupled["chronic"].iloc[28] == pytest.approx(sum(values[1:29]) / 28)


def test_chronic_zero_gives_nan_ratio():
    out = acwr(daily([0.0] * 21 + WEEK))
    assert out["acute"].iloc[27] == pytest.approx(36 / 7)
    assert out["chronic"].iloc[27] == 0.0
    assert math.isnan(out["ratio"].iloc[27])
    for method in ACWR_METHODS:
        assert acwr(daily([0.0] * 40), method=method)["ratio"].isna().all()


def test_min_chronic_per_day_is_the_near_zero_limit():
    values = [0.0] * 20 + [0.21] + WEEK  # chronic = 0.21 / 21 = 0.01 per day
    assert acwr(daily(values))["ratio"].iloc[27] == pytest.approx((36 / 7) / 0.01)
    assert math.isnan(acwr(daily(values), min_chronic_per_day=0.02)["ratio"].iloc[27])


def test_ewma_exact_recursion_with_zero_days():
    values = [4.0, 0.0, 0.0, 9.0, 0.0, 3.0, 0.0] * 4 + [0.0, 15.0, 0.0]
    out = acwr(daily(values), method="ewma")
    lam_a, lam_c = 2 / (7 + 1), 2 / (28 + 1)
    assert lam_a == 0.25 and lam_c == pytest.approx(0.0690, abs=1e-4)
    acute = chronic = sum(values[:7]) / 7  # seed: mean of the first 7 days
    expected = []
    for load in values:
        acute = lam_a * load + (1 - lam_a) * acute
        chronic = lam_c * load + (1 - lam_c) * chronic
        expected.append((acute, chronic))
    assert out.iloc[:27].isna().all().all()
    for i in range(27, len(values)):
        assert out["acute"].iloc[i] == pytest.approx(expected[i][0], rel=1e-12)
        assert out["chronic"].iloc[i] == pytest.approx(expected[i][1], rel=1e-12)
        assert out["ratio"].iloc[i] == pytest.approx(expected[i][0] / expected[i][1], rel=1e-12)


def test_method_dict_dispatch():
    assert set(ACWR_METHODS) == {"uncoupled", "coupled", "ewma"}
    load = daily(BASE + WEEK)
    for method, function in ACWR_METHODS.items():
        acute, chronic = function(load, 7, 28)
        out = acwr(load, method=method)
        assert out["ratio"].iloc[-1] == pytest.approx(acute.iloc[-1] / chronic.iloc[-1])


def test_unknown_method_names_the_parameter():
    message = ("The 'method' parameter of acwr must be one of 'uncoupled', 'coupled', 'ewma'; "
               "got 'x' instead.")
    with pytest.raises(ValueError, match=re.escape(message)):
        acwr(daily(BASE + WEEK), method="x")


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"acute_days": 0}, "acute_days"),
    ({"acute_days": 28}, "chronic_days"),
    ({"chronic_days": 7.5}, "chronic_days"),
])
def test_bad_windows(kwargs, name):
    with pytest.raises(ValueError, match=f"The '{name}' parameter of acwr"):
        acwr(daily(BASE + WEEK), **kwargs)


def test_bad_daily_series():
    gap = daily(BASE + WEEK).drop(pd.Timestamp("2024-03-05"))
    with pytest.raises(ValueError, match="one row per consecutive day"):
        acwr(gap)
    with pytest.raises(ValueError, match="NaN"):
        acwr(daily([1.0, np.nan, 2.0]))
    with pytest.raises(ValueError, match=">= 0"):
        acwr(daily([1.0, -1.0]))
    with pytest.raises(TypeError, match="DatetimeIndex"):
        acwr(pd.Series([1.0, 2.0]))


def test_input_untouched_and_index_kept():
    load = daily(BASE + WEEK)
    before = load.copy()
    out = acwr(load, method="ewma")
    pd.testing.assert_series_equal(load, before)
    assert out.index.equals(load.index)
    assert acwr(daily([])).empty


def test_acwr_has_no_flags():
    # science.md §9: ACWR is display only, never a risk flag.
    assert not [name for name in dir(acwr_module) if "flag" in name.lower()]
