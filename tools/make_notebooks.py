"""Write the notebooks in notebooks/ from the cell lists below, outputs empty.

The notebooks are committed without outputs (CI executes them); keeping their
source here makes a change reviewable as a diff of Python, and running this
script again gives byte-identical files.

    python tools/make_notebooks.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def md(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text.strip("\n")}


def code(text: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": text.strip("\n")}


QUICKSTART = [
    md("""
# Quickstart: a runner's history in five minutes

`runload.load` imports a whole history — here the synthetic runner in
`sample_data/runner`: a Garmin export zip plus a few Strava files — and gives a
`TrainingHistory`. Its tables are pandas DataFrames with units in the column
names and tz-aware UTC times; the local calendar day decides which day and week
a run counts for.
"""),
    code("""
from pathlib import Path

import pandas as pd

import runload

SAMPLE = Path("../sample_data")
history = runload.load(SAMPLE / "runner")
history
"""),
    md("""
What the import read, skipped and why: nothing you gave is dropped silently.
The sample has monitoring and settings files (skipped: not activities) and one
damaged file (failed, with the reason).
"""),
    code("""
files = history.files
files["status"].value_counts()
"""),
    code("""
files.loc[files["status"] != "read", ["member_path", "status", "reason"]]
"""),
    md("""
## Sessions and weeks

One row per run, duplicates from other sources removed.
"""),
    code("""
history.runs[["start_utc", "local_date", "utc_offset_s", "sport_label", "distance_m",
              "timer_s", "avg_hr_bpm", "avg_temperature_c", "surface"]].tail()
"""),
    code("""
history.weekly[["distance_m", "runs", "rest_days", "longest_run_m", "change_frac"]].tail(8)
"""),
    md("""
The latest week as a summary (the same numbers the report's first lines use):
"""),
    code("""
week = history.week()
print(f"{week.week_start:%d %b} to {week.week_end:%d %b}: {week.distance_m / 1000:.1f} km "
      f"in {week.runs} runs, {week.rest_days} rest days, change {week.change_frac:+.0%}")
"""),
    md("""
## Flags

Each flag carries its rule, the measured value, the threshold, an evidence grade
and a citation. They are associations found in studies of runners, not
predictions; no load measure has been shown to predict low-back pain.
"""),
    code("""
pd.set_option("display.max_colwidth", 160)
# newest first
history.flags[["local_date", "flag_id", "severity", "evidence_grade", "message"]].head(8)
"""),
    code("""
history.flags.groupby(["flag_id", "evidence_grade"]).size()
"""),
    code("""
history.references
"""),
    md("""
## Plots

Each `plot_*` method draws on a matplotlib Axes (pass `ax=` to place it) and
returns it.
"""),
    code("""
history.plot_weekly_volume();
"""),
    code("""
history.plot_spikes();
"""),
    code("""
history.plot_rest_calendar();
"""),
    code("""
history.plot_surface_mix();
"""),
    md("""
The acute:chronic ratio is shown for information only: in runners a higher
ratio was not linked with more injuries, so it is never coloured as risk.
"""),
    code("""
history.plot_acwr();
"""),
    md("""
## A pain journal

A runner can keep a journal of pain (`date,region,severity,timing,note`, one
line per entry; `runload pain add` appends from the shell). runload finds the
episodes and shows what the weeks before each looked like against the runner's
own other weeks — associations in one person's history, not causes, and with a
handful of episodes they say little. No load measure is known to predict back
pain; see a clinician when pain persists.
"""),
    code("""
with_pain = runload.load(SAMPLE / "runner", pain=SAMPLE / "runner_pain.csv")
with_pain.pain_episodes[["region", "onset_date", "end_date", "peak_severity", "is_open"]]
"""),
    code("""
exposures = with_pain.pain_exposures
exposures[(exposures["window_days"] == 14) & exposures["stands_out"]][
    ["episode_id", "quantity", "value", "usual_median", "percentile"]]
"""),
    code("""
with_pain.plot_weekly_volume();
"""),
    md("""
## The report

One self-contained HTML file (and a PDF on request) with the same numbers.
"""),
    code("""
import tempfile

out = Path(tempfile.mkdtemp())
report = with_pain.report(out / "report.html", pdf=out / "report.pdf")
sorted(p.name for p in out.iterdir())
"""),
]

WHAT_IF = [
    md("""
# Thresholds and what-if comparisons

Every rule's threshold is a setting with a cited default (`runload.Thresholds`).
`history.with_thresholds(...)` re-runs the analysis on the same imported
sessions with other settings, so you can see what a rule change does — without
pretending the changed rule has better evidence.
"""),
    code("""
from pathlib import Path

import pandas as pd

import runload

history = runload.load(Path("../sample_data/runner"))
history.thresholds.spike
"""),
    md("""
## The single-session spike window

Frandsen et al. (2025) compared each run with the longest run of the previous
30 days. What if the window were 60 days?
"""),
    code("""
longer = history.with_thresholds(spike={"lookback_days": 60})


def spike_flags(h):
    f = h.flags
    return f.loc[f["flag_id"] == "F-SPIKE", ["local_date", "severity", "value"]]


pd.concat({"30 days": spike_flags(history).set_index("local_date"),
           "60 days": spike_flags(longer).set_index("local_date")}, axis=1, sort=True)
"""),
    md("""
## Switching rules off, changing units

Rules with weak evidence can be switched off; `display.units` writes the
messages, report and plots in miles.
"""),
    code("""
quiet = history.with_thresholds(weekly_jump={"enabled": False}, one_variable={"enabled": False},
                                display={"units": "mi"})
pd.DataFrame({"default": history.flags["flag_id"].value_counts(),
              "without weak weekly rules": quiet.flags["flag_id"].value_counts()}).fillna(0)
"""),
    code("""
quiet.flags["message"].iloc[0]
"""),
    md("""
## Settings from a file

The CLI's `--config` file works here too: the same TOML sections.
"""),
    code("""
import tempfile

config = Path(tempfile.mkdtemp()) / "runload.toml"
config.write_text('[spike]\\nlookback_days = 28\\n\\n[display]\\nunits = "mi"\\n')
from_file = history.with_thresholds(config)
from_file.thresholds.spike.lookback_days, from_file.thresholds.display.units
"""),
    md("""
## Looking back from a date

`as_of` looks at the history as it was on a day: later runs are left out.
Here, the week of the too-fast return after the summer break.
"""),
    code("""
back_then = runload.load(Path("../sample_data/runner"), as_of="2026-08-09")
week = back_then.week()
week.flags[["local_date", "flag_id", "severity", "message"]]
"""),
    code("""
back_then.plot_weekly_volume();
"""),
]

ROSTER = [
    md("""
# A coach's week across a roster

`runload.load_roster` reads a roster TOML (names, export paths, time zones,
per-athlete threshold overrides), imports every athlete and summarises one
calendar week. Athletes are sorted by who needs attention first; an athlete
whose data cannot be read appears with the error.
"""),
    code("""
from pathlib import Path

import pandas as pd

import runload

ROSTER = Path("../sample_data/roster/roster.toml")
print(ROSTER.read_text())
"""),
    code("""
team = runload.load_roster(ROSTER, week="2026-W43")
team.week_start, team.week_end
"""),
    code("""
rows = []
for athlete in team.athletes:
    s = athlete.summary
    rows.append({"athlete": athlete.name, "error": athlete.error,
                 "distance_m": s.distance_m if s else None,
                 "change_frac": s.change_frac if s else None,
                 "longest_run_m": s.longest_run_m if s else None,
                 "max_spike_frac": s.max_spike_frac if s else None,
                 "rest_days": s.rest_days if s else None,
                 **({f"flags_{k}": v for k, v in s.flag_counts.items()} if s else {})})
pd.DataFrame(rows)
"""),
    md("""
Each athlete is a full `TrainingHistory`, for a closer look:
"""),
    code("""
first = team.athletes[0]
first.history.flags[["local_date", "flag_id", "severity", "message"]].tail()
"""),
    code("""
first.history.plot_spikes();
"""),
    md("""
The one-page coach report, as the CLI writes it with `runload coach`:
"""),
    code("""
import tempfile

out = Path(tempfile.mkdtemp())
team.report(out / "team.html", pdf=out / "team.pdf")
sorted(p.name for p in out.iterdir())
"""),
]

NOTEBOOK_CELLS = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_thresholds_and_what_if.ipynb": WHAT_IF,
    "03_coach_roster.ipynb": ROSTER,
}


def notebook(cells: list[dict]) -> dict:
    for k, cell in enumerate(cells):
        cell["id"] = f"cell-{k:02d}"
    return {"cells": cells,
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                        "name": "python3"},
                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def main(argv: list[str]) -> int:
    only = set(argv)
    for name, cells in NOTEBOOK_CELLS.items():
        if only and name not in only:
            continue
        text = json.dumps(notebook(cells), indent=1, ensure_ascii=False) + "\n"
        (NOTEBOOKS / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
