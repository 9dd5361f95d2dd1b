"""Tests of runload.plotting on tiny hand-made tables (exact values) and on history_a.

Figures come from ``plotting.new_figure`` (no pyplot, no backend needed); tests that
touch pyplot take the ``pyplot`` fixture (Agg backend, figures closed).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest
from matplotlib import dates as mdates
from matplotlib.collections import PolyCollection, QuadMesh
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle

import runload
from runload import plotting
from runload.config import SURFACES
from runload.schema import pain_episodes_frame
from runload.units import METRES_PER_MILE

CAUTION = to_rgba(plotting.SEVERITY_COLOURS["caution"])
EMPTY = "No runs in this period"


# --- tiny tables -------------------------------------------------------------------------

def weekly_table(distance_m, change_frac, base_ok, surfaces=None):
    n = len(distance_m)
    index = pd.date_range("2024-01-01", periods=n, freq="7D", name="week_start")
    table = pd.DataFrame({"runs": [3] * n, "distance_m": distance_m,
                          "change_frac": change_frac, "base_ok": base_ok}, index=index)
    surfaces = surfaces or {"road": distance_m}
    for s in SURFACES:
        table[f"distance_{s}_m"] = surfaces.get(s, [0.0] * n)
    return table


def spikes_table(spike_frac, *, reliable=None, duration_frac=None):
    n = len(spike_frac)
    table = pd.DataFrame({
        "activity_id": [f"run{i}" for i in range(n)],
        "local_date": pd.date_range("2024-03-01", periods=n, freq="3D"),
        "distance_m": [5000.0 + 1000 * i for i in range(n)],
        "ref_distance_m": ([np.nan] + [5000.0] * (n - 1))[:n],
        "spike_frac": spike_frac,
    })
    if reliable is not None:
        table["distance_reliable"] = reliable
        table["duration_spike_frac"] = duration_frac
    return table


def flags_table(rows):
    return pd.DataFrame(rows, columns=["flag_id", "activity_id", "value"])


def daily_table(start, distance_m):
    index = pd.date_range(start, periods=len(distance_m), freq="D", name="local_date")
    d = np.asarray(distance_m, dtype=float)
    return pd.DataFrame({"runs": (d > 0).astype(int), "distance_m": d,
                         "is_rest_day": d == 0}, index=index)


def acwr_table(n=30):
    index = pd.date_range("2024-01-01", periods=n, freq="D", name="local_date")
    acute = np.linspace(10, 40, n)
    chronic = np.full(n, 20.0)
    return pd.DataFrame({"acute": acute, "chronic": chronic, "ratio": acute / chronic},
                        index=index)


def fitness_table(n=30):
    index = pd.date_range("2024-01-01", periods=n, freq="D", name="local_date")
    ctl, atl = np.linspace(10, 20, n), np.linspace(30, 5, n)
    return pd.DataFrame({"ctl": ctl, "atl": atl, "tsb": ctl - atl}, index=index)


def texts(ax):
    return [t.get_text() for t in ax.texts]


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


# --- weekly volume -----------------------------------------------------------------------

@pytest.mark.parametrize(("units", "metres"), [("km", 1000.0), ("mi", METRES_PER_MILE)])
def test_weekly_bar_heights_are_distance_in_the_unit(units, metres):
    weekly = weekly_table([10_000.0, 11_200.0, 0.0, 16_093.44],
                          [np.nan, 0.12, -1.0, np.nan], [False, True, True, False])
    _, ax = plotting.new_figure()
    assert plotting.plot_weekly_volume(weekly, ax=ax, units=units) is ax
    heights = [b.get_height() for b in bars(ax)]
    np.testing.assert_allclose(heights, weekly["distance_m"].to_numpy() / metres, rtol=1e-12)
    assert ax.get_ylabel() == f"Distance per week [{units}]"


def test_weekly_change_written_on_each_bar_with_a_true_minus():
    weekly = weekly_table([10_000.0, 11_200.0, 10_304.0, 10_304.0, 5_000.0],
                          [np.nan, 0.12, -0.08, 0.0, np.nan], [False, True, True, True, False])
    _, ax = plotting.new_figure()
    plotting.plot_weekly_volume(weekly, ax=ax)
    assert sorted(texts(ax)) == sorted(["+12 %", "\u22128 %", "0 %"])
    by_text = {t.get_text(): t.xy for t in ax.texts}
    lefts = [b.get_x() for b in bars(ax)]
    assert by_text["+12 %"] == pytest.approx((lefts[1] + 3.0, 11.2))
    assert by_text["\u22128 %"] == pytest.approx((lefts[2] + 3.0, 10.304))


def test_weekly_jump_above_the_threshold_marked_30_percent_exactly_not():
    weekly = weekly_table([10_000.0, 13_000.0, 16_901.0, 30_000.0, 5_000.0],
                          [np.nan, 0.30, 0.30008, 0.775, np.nan],
                          [False, True, True, False, False])
    _, ax = plotting.new_figure()
    plotting.plot_weekly_volume(weekly, ax=ax)
    colours = [b.get_facecolor() for b in bars(ax)]
    hatches = [b.get_hatch() for b in bars(ax)]
    assert [c == CAUTION for c in colours] == [False, False, True, False, False]
    assert [bool(h) for h in hatches] == [False, False, True, False, False]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "> 30 % more than the week before" in labels
    _, ax = plotting.new_figure()
    plotting.plot_weekly_volume(weekly, ax=ax, jump_frac=0.5)
    assert [b.get_facecolor() == CAUTION for b in bars(ax)] == [False] * 5
    assert "> 50 % more than the week before" in [t.get_text()
                                                  for t in ax.get_legend().get_texts()]


# --- spikes ------------------------------------------------------------------------------

def point_colours(ax, gid="spikes-distance"):
    [points] = [c for c in ax.collections if c.get_gid() == gid]
    dates = [pd.Timestamp(mdates.num2date(x)).tz_localize(None)
             for x in points.get_offsets()[:, 0]]
    return {d: tuple(c) for d, c in zip(dates, points.get_facecolors(), strict=True)}


def test_spike_points_coloured_by_bin():
    spikes = spikes_table([np.nan, 0.05, 0.10, 0.2, 0.30, 0.5, 1.0, 1.5])
    _, ax = plotting.new_figure()
    plotting.plot_spikes(spikes, ax=ax)
    grey = to_rgba(plotting._BELOW)
    sev = {k: to_rgba(v) for k, v in plotting.SEVERITY_COLOURS.items()}
    expected = [grey, grey, grey, sev["caution"], sev["caution"], sev["warning"],
                sev["warning"], sev["high"]]
    colours = point_colours(ax)
    assert [colours[d] for d in spikes["local_date"]] == expected
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:4] == ["\u2264 10 % longer, or no run before", "> 10\u201330 %",
                          "> 30\u2013100 %", "> 100 %"]
    assert ax.get_ylabel() == "Distance per run [km]"


def test_spike_reference_is_a_step_line_in_the_unit():
    spikes = spikes_table([np.nan, 0.2, 0.4])
    _, ax = plotting.new_figure()
    plotting.plot_spikes(spikes, ax=ax, units="mi")
    [line] = ax.get_lines()
    y = line.get_ydata()
    np.testing.assert_allclose(y[np.isfinite(y)], 5000.0 / METRES_PER_MILE)
    [points] = ax.collections
    np.testing.assert_allclose(sorted(points.get_offsets()[:, 1]),
                               spikes["distance_m"] / METRES_PER_MILE)


def test_run_with_estimated_distance_is_coloured_by_its_duration_spike():
    spikes = spikes_table([0.05, 0.5], reliable=[True, False], duration_frac=[0.9, 0.15])
    _, ax = plotting.new_figure()
    plotting.plot_spikes(spikes, ax=ax)
    assert list(point_colours(ax, "spikes-duration").values()) == [CAUTION]
    assert list(point_colours(ax).values()) == [to_rgba(plotting._BELOW)]


def test_flagged_spikes_labelled_others_not():
    spikes = spikes_table([np.nan, 0.2, 0.5, 0.05])
    flags = flags_table([("F-SPIKE", "run1", 0.2), ("F-SPIKE", "run2", 0.5),
                         ("F-WEEK30", "run3", 0.9)])
    _, ax = plotting.new_figure()
    plotting.plot_spikes(spikes, ax=ax, flags=flags)
    assert sorted(texts(ax)) == ["+20 %", "+50 %"]
    label = {t.get_text(): t.xy for t in ax.texts}
    assert label["+50 %"][1] == pytest.approx(7.0)    # at the run's distance [km]


def test_at_most_12_spike_labels_the_largest_first():
    n = 20
    spikes = spikes_table([0.2 + 0.05 * i for i in range(n)])
    spikes["local_date"] = pd.date_range("2024-01-01", periods=n, freq="30D")
    flags = flags_table([("F-SPIKE", f"run{i}", 0.2 + 0.05 * i) for i in range(n)])
    _, ax = plotting.new_figure()
    plotting.plot_spikes(spikes, ax=ax, flags=flags)
    shown = texts(ax)
    assert 0 < len(shown) <= 12
    assert "+115 %" in shown and "+20 %" not in shown


# --- pain episodes -----------------------------------------------------------------------

def pain_table(*episodes):
    """(region, onset, end or None for open, peak) -> an Analysis.pain_episodes table."""
    return pain_episodes_frame([
        {"episode_id": f"{region}-{onset}", "region": region, "onset_date": onset,
         "end_date": end, "last_entry_date": end or onset, "peak_severity": peak,
         "n_entries": 2, "is_open": end is None}
        for region, onset, end, peak in episodes])


def by_gid(ax, gid, kind="lines"):
    if kind == "texts":
        return [t for t in ax.texts if t.get_gid() == gid]
    return [a for a in getattr(ax, kind) if a.get_gid() == gid]


def day_num(date):
    return mdates.date2num(np.datetime64(date, "us"))


PAIN_WEEKS = weekly_table([10_000.0, 12_000.0, 13_000.0, 9_000.0, 15_000.0],
                          [np.nan, 0.2, 0.08, -0.3, 0.66], [False, True, True, True, True])


def test_pain_overlay_on_weekly_lines_spans_and_labels():
    pain = pain_table(("lower_back", "2024-01-10", "2024-01-14", 5),
                      ("knee", "2024-01-24", None, 4),
                      ("shin", "2023-06-01", "2023-06-10", 6))       # long before: not drawn
    _, ax = plotting.new_figure()
    plotting.plot_weekly_volume(PAIN_WEEKS, ax=ax, pain=pain)
    xlim = ax.get_xlim()
    lines = by_gid(ax, "pain-onset")
    assert [line.get_xdata()[0] for line in lines] == pytest.approx(
        [day_num("2024-01-10"), day_num("2024-01-24")])
    assert all(to_rgba(line.get_color()) == to_rgba(plotting.PAIN_COLOUR) for line in lines)
    spans = by_gid(ax, "pain-span", "patches")
    extents = [(p.get_x(), p.get_x() + p.get_width()) for p in spans]
    # a closed episode to the end of its last day; an open one to the right edge
    assert extents == [pytest.approx((day_num("2024-01-10"), day_num("2024-01-15"))),
                       pytest.approx((day_num("2024-01-24"), xlim[1]))]
    labels = by_gid(ax, "pain-label", "texts")
    assert [t.get_text() for t in labels] == ["lower back 5/10", "knee 4/10"]
    assert [t.xy[0] for t in labels] == pytest.approx([day_num("2024-01-10"),
                                                       day_num("2024-01-24")])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[-1] == "Pain episode (your journal)"
    # the bars and their labels are those of the chart without pain, first in ax.patches
    assert [b.get_height() for b in bars(ax)[:5]] == pytest.approx([10, 12, 13, 9, 15])
    assert sorted(t.get_text() for t in ax.texts if t.get_gid() != "pain-label") == sorted(
        ["+20 %", "+8 %", "\u221230 %", "+66 %"])
    top = max(b.get_height() for b in bars(ax)[:5])
    assert ax.get_ylim()[1] >= 1.15 * top                            # room for the labels


def test_pain_colour_is_its_own():
    used = {to_rgba(c) for c in (*plotting.SEVERITY_COLOURS.values(),
                                 *plotting.SURFACE_COLOURS.values(), plotting._DISTANCE,
                                 plotting._BELOW, plotting._RATIO, plotting._LONG,
                                 plotting._SHORT, plotting._REST)}
    assert to_rgba(plotting.PAIN_COLOUR) not in used


def test_pain_labels_that_would_overlap_go_a_row_lower():
    pain = pain_table(("lower_back", "2024-01-10", "2024-01-11", 5),
                      ("knee", "2024-01-11", "2024-01-12", 4))
    _, ax = plotting.new_figure()
    plotting.plot_weekly_volume(PAIN_WEEKS, ax=ax, pain=pain)
    first, second = by_gid(ax, "pain-label", "texts")
    assert first.xy[1] > second.xy[1]


@pytest.mark.parametrize("pain", [None, pain_table()], ids=["none", "empty"])
def test_no_pain_overlay_without_episodes(pain):
    _, ax = plotting.new_figure()
    plotting.plot_weekly_volume(PAIN_WEEKS, ax=ax, pain=pain)
    _, plain = plotting.new_figure()
    plotting.plot_weekly_volume(PAIN_WEEKS, ax=plain)
    assert not by_gid(ax, "pain-onset") and not by_gid(ax, "pain-span", "patches")
    assert not by_gid(ax, "pain-label", "texts")
    assert "Pain episode (your journal)" not in [t.get_text()
                                                 for t in ax.get_legend().get_texts()]
    assert ax.get_ylim() == plain.get_ylim() and ax.get_xlim() == plain.get_xlim()
    _, ax = plotting.new_figure()
    plotting.plot_spikes(spikes_table([np.nan, 0.2]), ax=ax, pain=pain)
    assert not by_gid(ax, "pain-onset") and not by_gid(ax, "pain-label", "texts")


def test_pain_overlay_on_spikes_keeps_the_runs_and_the_x_range():
    spikes = spikes_table([np.nan, 0.2, 0.5, 0.05, 1.2])             # 1 Mar to 13 Mar 2024
    _, plain = plotting.new_figure()
    plotting.plot_spikes(spikes, ax=plain)
    pain = pain_table(("shin", "2024-03-05", "2024-03-06", 4),
                      ("hip", "2024-02-01", None, 3),                  # open since before
                      ("foot", "2024-05-01", None, 6))                 # after the runs
    _, ax = plotting.new_figure()
    plotting.plot_spikes(spikes, ax=ax, pain=pain, pain_label="Pain episode (their journal)")
    assert ax.get_xlim() == pytest.approx(plain.get_xlim())
    assert [line.get_xdata()[0] for line in by_gid(ax, "pain-onset")] == pytest.approx(
        [day_num("2024-03-05")])                                      # the hip's onset: off
    assert [t.get_text() for t in by_gid(ax, "pain-label", "texts")] == [
        "hip 3/10", "shin 4/10"]
    hip = by_gid(ax, "pain-span", "patches")[0]
    assert hip.get_x() == pytest.approx(ax.get_xlim()[0])
    assert hip.get_x() + hip.get_width() == pytest.approx(ax.get_xlim()[1])
    assert point_colours(ax) == point_colours(plain)
    assert [line.get_gid() for line in ax.get_lines()].count(None) == 1   # the reference
    assert "Pain episode (their journal)" in [t.get_text()
                                              for t in ax.get_legend().get_texts()]


def test_wrong_pain_table_named():
    _, ax = plotting.new_figure()
    with pytest.raises(ValueError, match="'pain'.*is_open"):
        plotting.plot_weekly_volume(PAIN_WEEKS, ax=ax,
                                    pain=pain_table(("knee", "2024-01-10", None, 4))
                                    .drop(columns="is_open"))
    with pytest.raises(ValueError, match="'pain'.*DataFrame"):
        plotting.plot_spikes(spikes_table([0.1]), ax=ax, pain=[("knee", "2024-01-10")])


# --- rest calendar -----------------------------------------------------------------------

def test_rest_calendar_one_cell_per_day_rest_days_distinct():
    # Wed 2024-01-03 .. Fri 2024-01-12: 10 days over 2 Monday weeks.
    daily = daily_table("2024-01-03", [5000, 0, 0, 8000, 0, 12000, 3000, 0, 0, 21000])
    _, ax = plotting.new_figure()
    plotting.plot_rest_calendar(daily, ax=ax)
    [mesh] = [c for c in ax.collections if isinstance(c, QuadMesh)]
    grid = mesh.get_array()
    assert grid.shape == (7, 2)
    assert int((~np.ma.getmaskarray(grid)).sum()) == len(daily)
    assert np.ma.getmaskarray(grid)[:2, 0].all()         # Mon, Tue before the range: blank
    rgba = mesh.to_rgba(grid)
    rest = rgba[~np.ma.getmaskarray(grid) & (grid.filled(0) < 0)]
    run = rgba[~np.ma.getmaskarray(grid) & (grid.filled(-1) >= 0)]
    assert len(rest) == 5 and len(run) == 5
    assert (rest == to_rgba(plotting._REST)).all()
    assert not any((r == rest[0]).all() for r in run)
    assert grid[2, 0] == pytest.approx(5.0)              # Wednesday row, first week, in km
    assert grid[4, 1] == pytest.approx(21.0)             # Fri 12 Jan
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "Mon"


def test_rest_calendar_week_start_sunday_moves_rows():
    daily = daily_table("2024-01-03", [5000, 0, 0, 8000])
    _, ax = plotting.new_figure()
    plotting.plot_rest_calendar(daily, ax=ax, week_start="sunday")
    grid = ax.collections[0].get_array()
    assert grid[3, 0] == pytest.approx(5.0)              # Wednesday is row 3 from Sunday
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "Sun"
    with pytest.raises(ValueError, match="'week_start'"):
        plotting.plot_rest_calendar(daily, ax=ax, week_start="someday")


# --- surface mix -------------------------------------------------------------------------

def test_surface_stack_sums_to_weekly_distance_and_skips_empty_surfaces():
    road = [10_000.0, 0.0, 4_000.0]
    trail = [2_000.0, 6_000.0, 0.0]
    treadmill = [0.0, 1_500.0, 3_000.0]
    total = list(np.add(np.add(road, trail), treadmill))
    weekly = weekly_table(total, [np.nan] * 3, [False] * 3,
                          surfaces={"road": road, "trail": trail, "treadmill": treadmill})
    _, ax = plotting.new_figure()
    plotting.plot_surface_mix(weekly, ax=ax)
    assert len(ax.containers) == 3
    stack: dict[float, float] = {}
    for b in bars(ax):
        stack[b.get_x()] = stack.get(b.get_x(), 0.0) + b.get_height()
    np.testing.assert_allclose([stack[x] for x in sorted(stack)], np.array(total) / 1000)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Road", "Trail", "Treadmill"]
    trail_bars = ax.containers[1]
    assert trail_bars[0].get_facecolor() == to_rgba(plotting.SURFACE_COLOURS["trail"])


# --- acwr, fitness -----------------------------------------------------------------------

def test_acwr_has_no_bands_and_says_it_is_for_information():
    _, ax = plotting.new_figure()
    plotting.plot_acwr(acwr_table(), ax=ax, load_label="minutes of running")
    axes = ax.figure.axes
    assert len(axes) == 2                                 # load and its twin for the ratio
    for a in axes:
        assert a.patches == [] or all(not isinstance(p, Rectangle) for p in a.patches)
        assert not [c for c in a.collections if isinstance(c, PolyCollection)]
    ratio_line = axes[1].get_lines()[0]
    np.testing.assert_allclose(ratio_line.get_ydata(), acwr_table()["ratio"])
    assert "information" in ax.get_legend().get_title().get_text()
    assert ax.get_ylabel() == "Minutes of running per day"


def test_fitness_lines_and_form_area():
    table = fitness_table()
    _, ax = plotting.new_figure()
    plotting.plot_fitness(table, ax=ax)
    ys = [line.get_ydata() for line in ax.get_lines() if len(line.get_ydata()) == len(table)]
    assert any(np.allclose(y, table["ctl"]) for y in ys)
    assert any(np.allclose(y, table["atl"]) for y in ys)
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 1
    assert ax.get_ylim()[0] < table["tsb"].min() < 0


# --- figures -----------------------------------------------------------------------------

def test_figure_svg_inline_deterministic_text_kept(pyplot):
    fig, ax = plotting.new_figure()
    plotting.plot_weekly_volume(weekly_table([10_000.0, 12_000.0], [np.nan, 0.2],
                                             [False, True]), ax=ax)
    svg = plotting.figure_svg(fig)
    assert svg.startswith("<svg")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert svg == plotting.figure_svg(fig)
    head = svg[:svg.index(">")]
    assert 'width="100%"' in head and "viewBox=" in head and " height=" not in head
    assert "Distance per week [km]" in svg
    assert pyplot.get_fignums() == []                    # new_figure leaves pyplot alone
    root = ElementTree.fromstring(svg)                   # well-formed; every reference resolves
    ids = {e.get("id") for e in root.iter()}
    refs = re.findall(r'(?:url\(#|href="#)([^)"]+)', svg)
    assert refs and set(refs) <= ids
    fig2, ax2 = plotting.new_figure()
    plotting.plot_spikes(spikes_table([np.nan, 0.2]), ax=ax2)
    other = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', plotting.figure_svg(fig2)))
    assert other and not other & set(refs)               # two figures in one page: no clash


def test_figure_png_signature():
    fig, ax = plotting.new_figure(5.0, 2.0)
    plotting.plot_fitness(fitness_table(), ax=ax)
    png = plotting.figure_png(fig, dpi=50)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError, match="'dpi'"):
        plotting.figure_png(fig, dpi=0)


def test_ax_none_draws_on_a_new_pyplot_figure(pyplot):
    ax = plotting.plot_acwr(acwr_table())
    assert pyplot.get_fignums() == [ax.figure.number]


# --- empty and wrong tables --------------------------------------------------------------

EMPTY_CASES = [
    (plotting.plot_weekly_volume, weekly_table([], [], [])),
    (plotting.plot_surface_mix, weekly_table([], [], [])),
    (plotting.plot_spikes, spikes_table([])),
    (plotting.plot_rest_calendar, daily_table("2024-01-01", [])),
    (plotting.plot_acwr, acwr_table(0)),
    (plotting.plot_fitness, fitness_table(0)),
]


@pytest.mark.parametrize(("plot", "table"), EMPTY_CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_empty_table_gives_the_note(plot, table):
    _, ax = plotting.new_figure()
    assert plot(table, ax=ax) is ax
    assert texts(ax) == [EMPTY]


@pytest.mark.parametrize(("plot", "param", "table", "column"), [
    (plotting.plot_weekly_volume, "weekly", weekly_table([1.0], [0.1], [True]), "change_frac"),
    (plotting.plot_surface_mix, "weekly", weekly_table([1.0], [0.1], [True]),
     "distance_trail_m"),
    (plotting.plot_spikes, "spikes", spikes_table([0.1]), "ref_distance_m"),
    (plotting.plot_rest_calendar, "daily", daily_table("2024-01-01", [1.0]), "is_rest_day"),
    (plotting.plot_acwr, "acwr", acwr_table(3), "ratio"),
    (plotting.plot_fitness, "fitness", fitness_table(3), "tsb"),
], ids=lambda v: getattr(v, "__name__", None) if callable(v) else None)
def test_missing_column_named(plot, param, table, column):
    _, ax = plotting.new_figure()
    with pytest.raises(ValueError, match=f"'{param}'.*{column}"):
        plot(table.drop(columns=[column]), ax=ax)
    with pytest.raises(ValueError, match=f"'{param}'.*DataFrame"):
        plot(table.to_dict(), ax=ax)


def test_wrong_index_and_flags_named(pyplot):
    weekly = weekly_table([1.0], [0.1], [True]).reset_index()
    with pytest.raises(ValueError, match="'weekly'.*week_start dates"):
        plotting.plot_weekly_volume(weekly)
    with pytest.raises(ValueError, match="'flags'.*value"):
        plotting.plot_spikes(spikes_table([0.1]), flags=flags_table([]).drop(columns="value"))
    with pytest.raises(ValueError, match="units"):
        plotting.plot_spikes(spikes_table([0.1]), units="furlong")


def test_colours_are_the_documented_keys():
    assert set(plotting.SEVERITY_COLOURS) == {"info", "caution", "warning", "high"}
    assert set(plotting.SURFACE_COLOURS) == set(SURFACES)
    assert len(set(plotting.SURFACE_COLOURS.values())) == len(SURFACES)


# --- real data ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def analysis_a(realdata: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = runload.read_history(realdata / "history_a", tz="Asia/Shanghai")
    return runload.analyze(history.sessions)


def test_every_plot_on_history_a(analysis_a, pyplot):
    a = analysis_a
    start = a.weekly.index.max() - pd.Timedelta(weeks=25)
    weekly, daily = a.weekly.loc[start:], a.daily.loc[start:]
    spikes = a.spikes[a.spikes["local_date"] >= start]
    flags = a.flags[a.flags["local_date"] >= start]
    for table in (a.weekly, weekly):
        fig, ax = plotting.new_figure()
        plotting.plot_weekly_volume(table, ax=ax, units="mi")
        assert len(bars(ax)) == len(table)
        assert plotting.figure_svg(fig).startswith("<svg")
    fig, ax = plotting.new_figure()
    plotting.plot_spikes(spikes, ax=ax, flags=flags)
    n_points = sum(len(c.get_offsets()) for c in ax.collections)
    assert n_points == len(spikes)
    spike_ids = set(flags.loc[flags["flag_id"] == "F-SPIKE", "activity_id"])
    assert 0 < len(texts(ax)) <= min(12, len(spike_ids))
    fig, ax = plotting.new_figure()
    plotting.plot_rest_calendar(daily, ax=ax)
    grid = ax.collections[0].get_array()
    assert int((~np.ma.getmaskarray(grid)).sum()) == len(daily)
    fig, ax = plotting.new_figure()
    plotting.plot_surface_mix(weekly, ax=ax)
    stack: dict[float, float] = {}
    for b in bars(ax):
        stack[b.get_x()] = stack.get(b.get_x(), 0.0) + b.get_height()
    totals = [stack.get(x, 0.0) for x in sorted(stack)]
    assert sum(totals) == pytest.approx(weekly["distance_m"].sum() / 1000)
    for plot, table in ((plotting.plot_acwr, a.acwr), (plotting.plot_fitness, a.fitness)):
        fig, ax = plotting.new_figure()
        plot(table.loc[start:], ax=ax, load_label="minutes of running")
        assert plotting.figure_png(fig, dpi=40).startswith(b"\x89PNG")
    assert pyplot.get_fignums() == []
