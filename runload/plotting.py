"""Charts of the analysis tables; the only runload module that imports matplotlib.

Rules every plot here keeps:

* **Plots compute nothing.** ``plot_<thing>(table, *, ax=None, ...)`` takes a
  table :func:`runload.analyze` already computed (``Analysis.weekly``,
  ``.spikes``, ``.daily``, ``.acwr``, ``.fitness``) and draws it: no rolling
  windows, no rules.  The only arithmetic is scaling metres to the runner's
  unit, stacking, laying days out on a calendar, and comparing a given column
  with a given threshold to mark it.
* **ax=None draws on a new pyplot figure**, so a notebook shows it inline;
  pass ``ax`` to draw anywhere else.  Every plot returns its
  :class:`~matplotlib.axes.Axes` and never calls ``show`` or ``savefig``.
* **Reports use no pyplot state.** :func:`new_figure` builds a plain
  :class:`matplotlib.figure.Figure`; :func:`figure_svg` and
  :func:`figure_png` turn it into markup or bytes, so ``runload.report``
  needs no matplotlib import of its own.
* **One colour per meaning**, colour-blind safe (Okabe-Ito and a dark
  viridis end): :data:`SEVERITY_COLOURS` and :data:`SURFACE_COLOURS` mean the
  same in every plot; :data:`PAIN_COLOUR`, used by neither, marks the
  runner's own pain episodes.  ACWR and form get no green/red zones: in
  runners a higher ratio was not linked with more injuries.
* **Pain episodes are the runner's words, not a result.**  ``pain=`` on
  :func:`plot_weekly_volume` and :func:`plot_spikes` takes
  ``Analysis.pain_episodes`` and marks each episode's onset and duration,
  labelled with its region and peak severity; nothing about the load is
  computed from them.
* An empty table gives an Axes saying "No runs in this period"; a wrong one a
  ValueError naming the parameter and the missing columns.
"""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from runload.analysis.checks import require_frame
from runload.analysis.words import pct
from runload.config import SURFACES
from runload.units import distance_unit

__all__ = ["PAIN_COLOUR", "PAIN_LABEL", "SEVERITY_COLOURS", "SURFACE_COLOURS", "figure_png",
           "figure_svg", "new_figure", "pain_label_text", "plot_acwr", "plot_fitness", "plot_rest_calendar", "plot_spikes",
           "plot_surface_mix", "plot_weekly_volume"]

#: Flag severities, least to most salient (Okabe-Ito sky blue, orange, vermillion; viridis's
#: darkest purple for 'high').
SEVERITY_COLOURS: dict[str, str] = {
    "info": "#56B4E9", "caution": "#E69F00", "warning": "#D55E00", "high": "#440154",
}
#: Running surfaces (Okabe-Ito; 'unknown' light grey).
SURFACE_COLOURS: dict[str, str] = {
    "road": "#0072B2", "trail": "#009E73", "track": "#CC79A7", "treadmill": "#F0E442",
    "indoor": "#56B4E9", "unknown": "#BBBBBB",
}

#: The runner's pain episodes (Paul Tol's wine): no severity, surface or load line uses it.
PAIN_COLOUR = "#882255"
#: The legend entry of the pain episodes.
PAIN_LABEL = "Pain episode (your journal)"

_DISTANCE = "#4A6A8A"     # a week's or a day's distance when nothing is marked
_BELOW = "#A8A8A8"        # runs below the first spike edge, or without a reference
_LONG = "#0072B2"         # chronic load, fitness (long-term averages)
_SHORT = "#CC79A7"        # acute load, fatigue (short-term averages)
_RATIO = "#404040"        # ratio and form: neutral dark grey
_REST = "#F3E3B5"         # rest days: light sand, far from the blues of run days
_CAUTION_EDGE = "#7A4E00"
_FONT = 8                 # pt, the smallest text drawn
_EMPTY = "No runs in this period"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def new_figure(width_in: float = 7.0, height_in: float = 2.8) -> tuple[Figure, Axes]:
    """A figure and one Axes for a report, outside pyplot's global state.

    Parameters
    ----------
    width_in, height_in : float, default 7.0, 2.8
        Size [in]; 7 in is the text width of the printed report.

    Returns
    -------
    (matplotlib.figure.Figure, matplotlib.axes.Axes)
        A constrained-layout figure and its Axes.
    """
    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    return fig, fig.add_subplot()


def figure_svg(fig: Figure) -> str:
    """Inline SVG markup of ``fig``, for embedding in HTML.

    No XML declaration or doctype; ``width="100%"`` and the viewBox make it
    responsive; text stays text (small, selectable); the same figure gives
    the same bytes every time (fixed id salt, no date).

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    str
        Markup starting with ``<svg``.
    """
    buf = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": "runload", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    svg = text[text.index("<svg"):]
    end = svg.index(">")
    head = re.sub(r'\swidth="[^"]*"', ' width="100%"', svg[:end], count=1)
    head = re.sub(r'\sheight="[^"]*"', "", head, count=1)
    return _stable_ids(head + svg[end:])


def _stable_ids(svg: str) -> str:
    """Rename matplotlib's hashed ids (clip paths, markers, hatches) after the content.

    Their hashes include layout floats that differ in the last bits from one save to the
    next; ids made from a digest of the markup without them are the same every time, and
    differ between figures, so two figures inlined in one page never share an id.
    """
    ids = list(dict.fromkeys(re.findall(r'\bid="([a-z][0-9a-f]{10})"', svg)))
    if not ids:
        return svg
    pattern = re.compile("|".join(re.escape(i) for i in ids))
    number = {old: str(k) for k, old in enumerate(ids)}
    neutral = pattern.sub(lambda m: "\x00" + number[m.group(0)] + "\x00", svg)
    digest = hashlib.sha256(neutral.encode("utf-8")).hexdigest()[:10]
    return re.sub("\x00([0-9]+)\x00", lambda m: f"rl{digest}-{m.group(1)}", neutral)


def figure_png(fig: Figure, dpi: int = 200) -> bytes:
    """PNG bytes of ``fig`` at ``dpi`` dots per inch.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : int, default 200

    Returns
    -------
    bytes
    """
    if isinstance(dpi, bool) or not isinstance(dpi, int | np.integer) or dpi < 1:
        raise ValueError(f"The 'dpi' parameter of figure_png must be an int >= 1. "
                         f"Got {dpi!r} instead.")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=int(dpi))
    return buf.getvalue()


# --- helpers -----------------------------------------------------------------------------

def _check(frame: Any, param: str, func: str, columns: tuple[str, ...], kind: str,
           index: str | None = None) -> None:
    """require_frame, with a ValueError for a non-DataFrame too, and a date index."""
    try:
        require_frame(frame, param=param, func=func, columns=columns, kind=kind)
    except TypeError as exc:
        raise ValueError(f"{exc} It needs columns {list(columns)}.") from None
    if index is not None and not isinstance(frame.index, pd.DatetimeIndex):
        raise ValueError(f"The '{param}' parameter of {func} must be {kind}, indexed by "
                         f"{index} dates. Got a {type(frame.index).__name__} instead.")


def _axes(ax: Axes | None, func: str) -> Axes:
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7.0, 2.8), layout="constrained")
        return ax
    if not isinstance(ax, Axes):
        raise ValueError(f"The 'ax' parameter of {func} must be a matplotlib Axes or None. "
                         f"Got {type(ax).__name__} instead.")
    return ax


def _empty(ax: Axes) -> Axes:
    ax.text(0.5, 0.5, _EMPTY, transform=ax.transAxes, ha="center", va="center",
            fontsize=10, color=_RATIO)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _days(dates: Any) -> np.ndarray:
    """Matplotlib date numbers [days] of naive local dates."""
    return mdates.date2num(pd.DatetimeIndex(dates).to_numpy(dtype="datetime64[us]"))


def _date_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _floats(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype="float64", na_value=np.nan)


def _signed(frac: float) -> str:
    """'+12 %', '−8 %' (a true minus sign), '0 %'; the digits of words.pct."""
    text = pct(abs(frac))
    if text == "0 %":
        return text
    return ("+" if frac > 0 else "\u2212") + text


def _legend_above(ax: Axes, handles: list[Any], **kwargs: Any) -> None:
    kwargs.setdefault("ncols", min(len(handles), 4))
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False,
              fontsize=_FONT, borderaxespad=0.2, handlelength=1.5, columnspacing=1.2,
              **kwargs)


def _week_bars(weekly: pd.DataFrame) -> np.ndarray:
    """Left edges [days] of bars 6 days wide, one per week, centred in their week."""
    return _days(weekly.index) + 0.5


def _label_points(ax: Axes, items: list[tuple[float, float, str, bool]], *, rotation: int = 0,
                  offsets: tuple[tuple[int, int], ...]) -> None:
    """Write (x, y, text, bold) items in priority order at the first offset [pt] where the
    text would not overlap one already written; skip it when there is none.

    Text boxes are estimated from the current limits and axes size, before layout.
    """
    scale = 72.0 / ax.figure.dpi
    placed: list[tuple[float, float, float, float]] = []
    for x, y, text, bold in items:
        px, py = np.asarray(ax.transData.transform((x, y))) * scale
        long_, short = 0.62 * _FONT * len(text) + 2.0, 1.1 * _FONT
        w, h = (short, long_) if rotation else (long_, short)
        for dx, dy in offsets:
            y0 = py + dy if dy >= 0 else py + dy - h
            box = (px + dx - w / 2, y0, px + dx + w / 2, y0 + h)
            if all(box[2] <= b[0] or box[0] >= b[2] or box[3] <= b[1] or box[1] >= b[3]
                   for b in placed):
                placed.append(box)
                ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points",
                            ha="center", va="bottom" if dy >= 0 else "top", rotation=rotation,
                            fontsize=_FONT, color="#222222", zorder=4,
                            fontweight="bold" if bold else "normal",
                            bbox={"boxstyle": "square,pad=0.05", "facecolor": "white",
                                  "edgecolor": "none", "alpha": 0.7})
                break


_PAIN_COLUMNS = ("region", "onset_date", "end_date", "peak_severity", "is_open")


def _check_pain(pain: Any, func: str) -> None:
    if pain is not None:
        _check(pain, "pain", func, _PAIN_COLUMNS, "Analysis.pain_episodes")


def pain_label_text(region: Any, peak_severity: Any) -> str:
    """'lower back 5/10': an episode's region and peak severity, as the charts label it."""
    words = str(region).replace("_", " ")
    return f"{words} {int(peak_severity)}/10" if pd.notna(peak_severity) else words


def _pain_overlay(ax: Axes, pain: pd.DataFrame | None, label: str) -> tuple[list[Any], int]:
    """Mark each pain episode that overlaps the current x limits; the limits stay.

    An episode is a light span from its onset day to the end of its last day at or
    above the threshold (to the right edge while open), a line at the onset (when the
    onset is in view) and a label with its region and peak severity, at the top; labels
    that would overlap go a row lower.  Returns the legend handles ([] when nothing was
    drawn) and the number of label rows used.
    """
    if pain is None or len(pain) == 0:
        return [], 0
    x0, x1 = ax.get_xlim()
    onset = _days(pain["onset_date"])
    end = _days(pain["end_date"]) + 1.0      # the end of the last day
    is_open = pain["is_open"].to_numpy(dtype=bool, na_value=False)
    end = np.where(is_open | ~np.isfinite(end), x1, end)
    order = np.argsort(onset, kind="stable")
    shown = [i for i in order if np.isfinite(onset[i]) and onset[i] <= x1 and end[i] >= x0]
    if not shown:
        return [], 0
    scale = 72.0 / ax.figure.dpi
    width_pt = ax.bbox.width * scale
    height_pt = max(ax.bbox.height * scale, 1.0)
    row_frac = 1.35 * _FONT / height_pt
    rows: list[list[tuple[float, float]]] = []
    regions = pain["region"].astype("object").to_numpy()
    peaks = pain["peak_severity"].to_numpy(dtype="float64", na_value=np.nan)
    for i in shown:
        start = max(onset[i], x0)
        ax.axvspan(start, min(end[i], x1), color=PAIN_COLOUR, alpha=0.09, linewidth=0,
                   zorder=0.5, gid="pain-span")
        if onset[i] >= x0:
            ax.axvline(onset[i], color=PAIN_COLOUR, linewidth=1.4, zorder=2.5,
                       gid="pain-onset")
        text = pain_label_text(regions[i], peaks[i])
        wide = 0.62 * _FONT * len(text) + 6.0
        left = (start - x0) / (x1 - x0) * width_pt
        right_side = left + wide <= width_pt
        box = (left, left + wide) if right_side else (left - wide, left)
        row = next((k for k, placed in enumerate(rows)
                    if all(box[1] <= a or box[0] >= b for a, b in placed)), len(rows))
        if row == len(rows):
            rows.append([])
        rows[row].append(box)
        ax.annotate(text, (start, 1.0 - 0.02 - row * row_frac),
                    xycoords=("data", "axes fraction"),
                    xytext=(3, 0) if right_side else (-3, 0), textcoords="offset points",
                    ha="left" if right_side else "right", va="top", fontsize=_FONT,
                    color=PAIN_COLOUR, zorder=5, gid="pain-label",
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                          "edgecolor": "none", "alpha": 0.8})
    ax.set_xlim(x0, x1)
    return [Line2D([], [], color=PAIN_COLOUR, linewidth=1.4, label=label)], len(rows)


def _headroom(rows: int, ax: Axes, base: float) -> float:
    """The y-axis stretch: ``base`` (room for the labels above the data), more when ``rows``
    rows of pain labels sit at the top, so that no value or its label runs into them."""
    if not rows:
        return base
    # the axes' height once the legend above and the tick labels take their share
    height_pt = max(0.8 * ax.bbox.height * 72.0 / ax.figure.dpi, 1.0)
    need = rows * 1.35 * _FONT + 2.2 * _FONT
    return max(base, 1.0 / max(1.0 - need / height_pt, 0.4))


# --- plots -------------------------------------------------------------------------------

def plot_weekly_volume(weekly: pd.DataFrame, *, ax: Axes | None = None, units: str = "km",
                       jump_frac: float = 0.30, pain: pd.DataFrame | None = None,
                       pain_label: str = PAIN_LABEL) -> Axes:
    """Distance per calendar week, with the change from the week before on each bar.

    Parameters
    ----------
    weekly : pandas.DataFrame
        ``Analysis.weekly``: index ``week_start``; ``distance_m`` [m],
        ``change_frac`` (NaN where the week before was too small to compare)
        and ``base_ok``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new pyplot figure when None.
    units : {'km', 'mi'}, default 'km'
    jump_frac : float, default 0.30
        Weeks with ``change_frac`` above this and ``base_ok`` are marked
        (hatched, in ``SEVERITY_COLOURS['caution']``).
    pain : pandas.DataFrame, optional
        ``Analysis.pain_episodes`` (:data:`runload.schema.PAIN_EPISODE_COLUMNS`:
        ``region``, ``onset_date``, ``end_date``, ``peak_severity``,
        ``is_open``): each episode in view is marked in :data:`PAIN_COLOUR`, a
        line at its onset day and a light span to the end of its end day (to
        the right edge while open), labelled 'lower back 5/10' (region, peak
        severity).  None or an empty table: no marks.
    pain_label : str, default PAIN_LABEL
        The legend entry of the episodes ('Pain episode (your journal)').

    Returns
    -------
    matplotlib.axes.Axes
        The bars are the first ``len(weekly)`` of ``ax.patches``, one per row
        of ``weekly`` in order (pain spans come after them, gid 'pain-span';
        onset lines have gid 'pain-onset', labels 'pain-label').  A change
        that would overlap another is not written (marked weeks and larger
        changes first), and beyond 40 weeks only marked weeks get one.
    """
    func = "plot_weekly_volume"
    _check(weekly, "weekly", func, ("distance_m", "change_frac", "base_ok"),
           "Analysis.weekly", index="week_start")
    _check_pain(pain, func)
    unit = distance_unit(units)
    ax = _axes(ax, func)
    if len(weekly) == 0:
        return _empty(ax)
    x = _week_bars(weekly)
    height = _floats(weekly["distance_m"]) / unit.metres
    change = _floats(weekly["change_frac"])
    marked = (change > jump_frac) & weekly["base_ok"].to_numpy(dtype=bool, na_value=False)
    bars = ax.bar(x, height, width=6.0, align="edge", color=_DISTANCE, linewidth=0)
    for bar, is_marked in zip(bars, marked, strict=True):
        if is_marked:
            bar.set_facecolor(SEVERITY_COLOURS["caution"])
            bar.set_edgecolor(_CAUTION_EDGE)
            bar.set_hatch("///")
            bar.set_linewidth(0.8)
    n = len(weekly)
    rotation = 0 if n <= 12 else 90
    top = np.nanmax(height) if np.isfinite(height).any() else 0.0
    ax.set_xlim(x[0] - 1.5, x[-1] + 7.5)
    pain_handles, rows = _pain_overlay(ax, pain, pain_label)
    ax.set_ylim(0, (top or 1.0) * _headroom(rows, ax, 1.32 if rotation else 1.15))
    order = sorted((i for i in range(n) if np.isfinite(change[i]) and (n <= 40 or marked[i])),
                   key=lambda i: (not marked[i], -abs(change[i])))
    _label_points(ax, [(x[i] + 3.0, np.nan_to_num(height[i]), _signed(change[i]), marked[i])
                       for i in order], rotation=rotation, offsets=((0, 2),))
    ax.set_ylabel(f"Distance per week [{unit.name}]")
    _date_axis(ax)
    _legend_above(ax, [
        Patch(facecolor=_DISTANCE, label="Week (label: change from the week before)"),
        Patch(facecolor=SEVERITY_COLOURS["caution"], edgecolor=_CAUTION_EDGE, hatch="///",
              label=f"> {pct(jump_frac)} more than the week before"),
        *pain_handles,
    ], ncols=2)
    return ax


def _spike_bins(frac: np.ndarray, edges: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Colour and bin number (0 below the first edge) of each spike fraction."""
    rank = np.zeros(len(frac), dtype=int)
    for k, edge in enumerate(edges, start=1):
        rank[frac > edge + 1e-9] = k    # the analysis's rule: an edge is strictly exceeded
    palette = np.array([_BELOW] + [SEVERITY_COLOURS[s] for s in ("caution", "warning", "high")],
                       dtype=object)
    return palette[rank], rank


def plot_spikes(spikes: pd.DataFrame, *, ax: Axes | None = None, units: str = "km",
                bins_frac: tuple[float, float, float] = (0.10, 0.30, 1.00),
                flags: pd.DataFrame | None = None, pain: pd.DataFrame | None = None,
                pain_label: str = PAIN_LABEL) -> Axes:
    """Every run's distance against the longest run of the days before it.

    Parameters
    ----------
    spikes : pandas.DataFrame
        ``Analysis.spikes``: ``local_date``, ``distance_m``,
        ``ref_distance_m`` [m] and ``spike_frac``; ``activity_id`` when
        ``flags`` is given.  Where ``distance_reliable`` is False and
        ``duration_spike_frac`` is present (treadmill, manual entries), the
        run is coloured by its duration spike, as F-SPIKE judges it, and drawn
        as a square.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new pyplot figure when None.
    units : {'km', 'mi'}, default 'km'
    bins_frac : tuple of 3 floats, default (0.10, 0.30, 1.00)
        Lower edges of the spike bins, each strictly exceeded: grey below the
        first, then ``SEVERITY_COLOURS`` 'caution', 'warning', 'high'.
    flags : pandas.DataFrame, optional
        ``Analysis.flags``; the runs with an F-SPIKE flag (the 12 largest) are
        labelled with the flag's value ("+31 %").
    pain : pandas.DataFrame, optional
        ``Analysis.pain_episodes``, marked as in :func:`plot_weekly_volume`.
    pain_label : str, default PAIN_LABEL
        The legend entry of the episodes.

    Returns
    -------
    matplotlib.axes.Axes
        Runs judged on distance are the scatter with gid 'spikes-distance',
        the others 'spikes-duration'; within each, larger bins come last
        (drawn on top), so read positions from ``get_offsets()``.
    """
    func = "plot_spikes"
    need = ("local_date", "distance_m", "ref_distance_m", "spike_frac")
    _check(spikes, "spikes", func, need + (("activity_id",) if flags is not None else ()),
           "Analysis.spikes")
    if flags is not None:
        _check(flags, "flags", func, ("flag_id", "activity_id", "value"), "Analysis.flags")
    _check_pain(pain, func)
    edges = tuple(float(e) for e in bins_frac)
    if len(edges) != 3 or not 0 <= edges[0] < edges[1] < edges[2]:
        raise ValueError(f"The 'bins_frac' parameter of {func} must be three increasing "
                         f"fractions >= 0. Got {bins_frac!r} instead.")
    unit = distance_unit(units)
    ax = _axes(ax, func)
    if len(spikes) == 0:
        return _empty(ax)
    runs = spikes.sort_values("local_date", kind="stable")
    x = _days(runs["local_date"])
    dist = _floats(runs["distance_m"]) / unit.metres
    frac = _floats(runs["spike_frac"])
    by_time = np.zeros(len(runs), dtype=bool)
    if {"distance_reliable", "duration_spike_frac"} <= set(runs.columns):
        by_time = ~runs["distance_reliable"].to_numpy(dtype=bool, na_value=False)
        frac = np.where(by_time, _floats(runs["duration_spike_frac"]), frac)
    lookback = spikes.attrs.get("lookback_days", 30)
    ax.step(x, _floats(runs["ref_distance_m"]) / unit.metres, where="pre", color=_RATIO,
            linewidth=1.2, zorder=2)
    colours, rank = _spike_bins(frac, edges)
    # Larger bins drawn last, so a dense run of grey points cannot hide a spike.
    for gid, rows, marker in (("spikes-distance", ~by_time, "o"),
                              ("spikes-duration", by_time, "s")):
        idx = np.flatnonzero(rows)[np.argsort(rank[rows], kind="stable")]
        if len(idx):
            points = ax.scatter(x[idx], dist[idx], c=list(colours[idx]), marker=marker,
                                s=22, edgecolors="white", linewidths=0.5, zorder=3)
            points.set_gid(gid)
    top = np.nanmax(np.concatenate([dist, _floats(runs["ref_distance_m"]) / unit.metres]))
    pain_handles: list[Any] = []
    rows = 0
    if pain is not None and len(pain):
        ax.autoscale_view()
        pain_handles, rows = _pain_overlay(ax, pain, pain_label)
    ax.set_ylim(0, (top if np.isfinite(top) and top > 0 else 1.0) * _headroom(rows, ax, 1.25))
    if flags is not None:
        spike = flags[flags["flag_id"] == "F-SPIKE"]
        value = dict(zip(spike["activity_id"].astype(str), _floats(spike["value"]), strict=True))
        ids = runs["activity_id"].astype(str).to_numpy()
        labelled = sorted((i for i in range(len(runs)) if ids[i] in value),
                          key=lambda i: -value[ids[i]])[:12]
        ax.autoscale_view()
        _label_points(ax, [(x[i], dist[i], "+" + pct(value[ids[i]]), False) for i in labelled],
                      offsets=((0, 5), (0, -6), (14, 5), (-14, 5)))
    ax.set_ylabel(f"Distance per run [{unit.name}]")
    _date_axis(ax)
    p = [f"{e * 100:g}" for e in edges]
    dot = dict(marker="o", linestyle="none", markersize=6, markeredgecolor="white")
    handles = [
        Line2D([], [], color=_BELOW, label=f"\u2264 {p[0]} % longer, or no run before", **dot),
        Line2D([], [], color=SEVERITY_COLOURS["caution"], label=f"> {p[0]}\u2013{p[1]} %",
               **dot),
        Line2D([], [], color=SEVERITY_COLOURS["warning"], label=f"> {p[1]}\u2013{p[2]} %",
               **dot),
        Line2D([], [], color=SEVERITY_COLOURS["high"], label=f"> {p[2]} %", **dot),
        Line2D([], [], color=_RATIO, linewidth=1.2,
               label=f"Longest run of the previous {lookback} days"),
    ]
    if by_time.any():
        handles.append(Line2D([], [], marker="s", linestyle="none", markersize=6,
                              color=_BELOW, markeredgecolor="white",
                              label="Distance an estimate: compared by time"))
    _legend_above(ax, handles + pain_handles, ncols=3)
    return ax


def plot_rest_calendar(daily: pd.DataFrame, *, ax: Axes | None = None,
                       week_start: str = "monday", units: str = "km") -> Axes:
    """Calendar of run days (shaded by distance) and rest days.

    Parameters
    ----------
    daily : pandas.DataFrame
        ``Analysis.daily``: index ``local_date``; ``distance_m`` [m] and
        ``is_rest_day``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new pyplot figure when None.
    week_start : str, default 'monday'
        Weekday of the top row ('monday' ... 'sunday').
    units : {'km', 'mi'}, default 'km'
        Unit of the distance colour bar.

    Returns
    -------
    matplotlib.axes.Axes
        One QuadMesh (``ax.collections[0]``): 7 rows (weekdays from
        ``week_start``, top down) by one column per week; days outside the
        table are masked (blank), rest days are below the colour scale and
        drawn in a light sand colour.
    """
    func = "plot_rest_calendar"
    _check(daily, "daily", func, ("distance_m", "is_rest_day"), "Analysis.daily",
           index="local_date")
    first_day = str(week_start).lower()
    if first_day not in _WEEKDAYS:
        raise ValueError(f"The 'week_start' parameter of {func} must be one of "
                         f"{list(_WEEKDAYS)}. Got {week_start!r} instead.")
    unit = distance_unit(units)
    ax = _axes(ax, func)
    if len(daily) == 0:
        return _empty(ax)
    start = _WEEKDAYS.index(first_day)
    dates = pd.DatetimeIndex(daily.index).normalize()
    row = (dates.day_of_week.to_numpy() - start) % 7
    origin = dates.min() - pd.Timedelta(days=int((dates.min().day_of_week - start) % 7))
    col = ((dates - origin).days.to_numpy()) // 7
    ncols = int(col.max()) + 1
    dist = _floats(daily["distance_m"]) / unit.metres
    rest = daily["is_rest_day"].to_numpy(dtype=bool, na_value=False)
    grid = np.full((7, ncols), np.nan)
    grid[row, col] = np.where(rest, -1.0, np.nan_to_num(dist))
    blues = mpl.colormaps["Blues"](np.linspace(0.3, 1.0, 256))
    cmap = ListedColormap(blues).with_extremes(under=_REST, bad=(0, 0, 0, 0))
    run_dist = dist[~rest & np.isfinite(dist)]
    vmax = float(run_dist.max()) if len(run_dist) else 0.0
    mesh = ax.pcolormesh(np.arange(ncols + 1), np.arange(8), np.ma.masked_invalid(grid),
                         cmap=cmap, norm=Normalize(vmin=0.0, vmax=vmax or 1.0),
                         edgecolors="white", linewidth=0.6 if ncols <= 60 else 0.0)
    ax.set_xlim(0, ncols)
    ax.set_ylim(7, 0)
    ax.set_yticks(np.arange(7) + 0.5,
                  [_WEEKDAYS[(start + i) % 7][:3].title() for i in range(7)])
    step = 1 if ncols <= 60 else 3 if ncols <= 130 else 6
    shown = [m for m in pd.date_range(dates.min(), dates.max(), freq="MS")
             if (m.month - 1) % step == 0]
    ticks = [int((m - origin).days // 7) for m in shown]
    labels = [m.strftime("%b %Y") if m.month == 1 or k == 0 else m.strftime("%b")
              for k, m in enumerate(shown)]
    ax.xaxis.tick_top()
    ax.set_xticks(ticks, labels, ha="left", fontsize=_FONT)
    ax.tick_params(axis="both", length=0, labelsize=_FONT)
    for side in ax.spines.values():
        side.set_visible(False)
    bar = ax.figure.colorbar(mesh, ax=ax, fraction=0.035, pad=0.01, aspect=12)
    bar.set_label(f"Distance per day [{unit.name}]", fontsize=_FONT)
    bar.ax.tick_params(labelsize=_FONT)
    ax.legend(handles=[Patch(facecolor=_REST, label="Rest day"),
                       Patch(facecolor="white", edgecolor="#CCCCCC",
                             label="Outside the period")],
              loc="upper left", bbox_to_anchor=(0.0, 0.0), ncols=2, frameon=False,
              fontsize=_FONT, borderaxespad=0.2)
    return ax


def plot_surface_mix(weekly: pd.DataFrame, *, ax: Axes | None = None,
                     units: str = "km") -> Axes:
    """Distance per week stacked by running surface.

    Parameters
    ----------
    weekly : pandas.DataFrame
        ``Analysis.weekly``: index ``week_start``; ``distance_<surface>_m``
        [m] for every surface of :data:`runload.config.SURFACES`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new pyplot figure when None.
    units : {'km', 'mi'}, default 'km'

    Returns
    -------
    matplotlib.axes.Axes
        One bar container per surface with any distance, in the order of
        SURFACES (``ax.containers``), coloured by :data:`SURFACE_COLOURS`.
    """
    func = "plot_surface_mix"
    columns = tuple(f"distance_{s}_m" for s in SURFACES)
    _check(weekly, "weekly", func, columns, "Analysis.weekly", index="week_start")
    unit = distance_unit(units)
    ax = _axes(ax, func)
    parts = {s: np.nan_to_num(_floats(weekly[f"distance_{s}_m"])) / unit.metres
             for s in SURFACES}
    parts = {s: v for s, v in parts.items() if (v != 0).any()}
    if len(weekly) == 0 or not parts:
        return _empty(ax)
    x = _week_bars(weekly)
    bottom = np.zeros(len(weekly))
    for surface, height in parts.items():
        ax.bar(x, height, width=6.0, bottom=bottom, align="edge", linewidth=0,
               color=SURFACE_COLOURS[surface], label=surface.title())
        bottom = bottom + height
    ax.set_xlim(x[0] - 1.5, x[-1] + 7.5)
    ax.set_ylabel(f"Distance per week [{unit.name}]")
    _date_axis(ax)
    _legend_above(ax, [Patch(facecolor=SURFACE_COLOURS[s], label=s.title()) for s in parts],
                  ncols=len(parts))
    return ax


def _load_lines(ax: Axes, table: pd.DataFrame, long_: str, short: str, load_label: str) -> None:
    x = _days(table.index)
    ax.plot(x, _floats(table[long_]), color=_LONG, linewidth=1.6)
    ax.plot(x, _floats(table[short]), color=_SHORT, linewidth=1.1)
    ax.set_ylabel(f"{load_label[:1].upper()}{load_label[1:]} per day", fontsize=9)
    _date_axis(ax)


def plot_acwr(acwr: pd.DataFrame, *, ax: Axes | None = None, load_label: str = "load") -> Axes:
    """Acute and chronic load, and their ratio on a second axis, for information.

    No safe zones and no colours by ratio: in runners a higher acute:chronic
    ratio was not linked with more injuries (Nakaoka 2021, Frandsen 2025),
    which the legend says.

    Parameters
    ----------
    acwr : pandas.DataFrame
        ``Analysis.acwr``: index ``local_date``; ``acute``, ``chronic``
        [load per day] and ``ratio``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new pyplot figure when None.
    load_label : str, default 'load'
        What the load is, for the axis label ('minutes of running', 'TRIMP').

    Returns
    -------
    matplotlib.axes.Axes
        The load Axes; the ratio is on its twin (right) axis.
    """
    func = "plot_acwr"
    _check(acwr, "acwr", func, ("acute", "chronic", "ratio"), "Analysis.acwr",
           index="local_date")
    ax = _axes(ax, func)
    if len(acwr) == 0:
        return _empty(ax)
    _load_lines(ax, acwr, "chronic", "acute", load_label)
    ax.set_ylim(bottom=0)
    ratio_ax = ax.twinx()
    ratio_ax.plot(_days(acwr.index), _floats(acwr["ratio"]), color=_RATIO, linewidth=0.9,
                  linestyle=(0, (4, 2)))
    ratio_ax.set_ylabel("Acute:chronic ratio", fontsize=9)
    ratio_ax.set_ylim(bottom=0)
    _legend_above(ax, [
        Line2D([], [], color=_LONG, linewidth=1.6, label="Chronic (long-term average)"),
        Line2D([], [], color=_SHORT, linewidth=1.1, label="Acute (short-term average)"),
        Line2D([], [], color=_RATIO, linewidth=0.9, linestyle=(0, (4, 2)),
               label="Ratio (right axis)"),
    ], ncols=3, title="For information only: in runners a higher ratio was not linked "
                      "with more injuries", title_fontsize=_FONT, alignment="left")
    return ax


def plot_fitness(fitness: pd.DataFrame, *, ax: Axes | None = None,
                 load_label: str = "load") -> Axes:
    """Fitness (CTL) and fatigue (ATL) lines, form (TSB) as a grey area around zero.

    Parameters
    ----------
    fitness : pandas.DataFrame
        ``Analysis.fitness``: index ``local_date``; ``ctl``, ``atl`` and
        ``tsb`` [load per day].
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new pyplot figure when None.
    load_label : str, default 'load'
        What the load is, for the axis labels.

    Returns
    -------
    matplotlib.axes.Axes
        One Axes: form is in the same unit as fitness and fatigue, so it
        shares their axis (a grey area from zero, no good or bad zones).
    """
    func = "plot_fitness"
    _check(fitness, "fitness", func, ("ctl", "atl", "tsb"), "Analysis.fitness",
           index="local_date")
    ax = _axes(ax, func)
    if len(fitness) == 0:
        return _empty(ax)
    x, tsb = _days(fitness.index), _floats(fitness["tsb"])
    ax.fill_between(x, tsb, 0.0, color=_RATIO, alpha=0.18, linewidth=0, zorder=1)
    ax.plot(x, tsb, color=_RATIO, linewidth=0.6, zorder=1)
    ax.axhline(0.0, color=_RATIO, linewidth=0.6, zorder=1)
    _load_lines(ax, fitness, "ctl", "atl", load_label)
    _legend_above(ax, [
        Line2D([], [], color=_LONG, linewidth=1.6, label="Fitness (CTL)"),
        Line2D([], [], color=_SHORT, linewidth=1.1, label="Fatigue (ATL)"),
        Patch(facecolor=_RATIO, alpha=0.35, label="Form (TSB: fitness \u2212 fatigue)"),
    ], ncols=3)
    return ax
