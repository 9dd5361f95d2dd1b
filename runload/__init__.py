"""runload: training-load patterns from a runner's whole activity history.

Public API
----------
load
    Import a history and get a :class:`TrainingHistory`: its tables
    (sessions, daily, weekly, spikes, flags, surfaces, references...),
    ``plot_*`` methods, ``report(path)``, ``with_thresholds(...)`` for
    what-if comparisons, and a summary card in notebooks.
load_roster
    A coach's roster (TOML) for one calendar week: a :class:`RosterWeek` of
    :class:`AthleteWeek` (history, week summary or the error), sorted by who
    needs attention first, with ``report(path)`` for the coach page.
read_history
    Import a whole history (folders, zips, Garmin/Strava exports): sessions,
    de-duplicated and dated in local time, plus an import report.
read_activity
    Read one FIT, GPX or TCX file (also gzipped) into sessions and streams.
read_surface_overrides
    Read a TOML or CSV file of running-surface overrides, for
    ``analyze(..., surface_overrides=...)``.
read_pain_journal, append_pain_entry
    Read a runner's pain journal (CSV: date,region,severity,timing,note), or
    add one entry to it atomically; ``load(..., pain=PATH)`` and
    ``analyze(..., pain=TABLE)`` describe the training before each pain
    episode against the runner's usual (patterns in one history, not causes;
    no load measure is known to predict back pain).
analyze, flags
    Every load table and evidence-graded flag of a sessions table.
Thresholds
    The rules, thresholds and windows, with cited defaults.
"""

__version__ = "0.1.0"

from runload.analysis.flags import Analysis, analyze, flags
from runload.analysis.summary import WeekSummary
from runload.config import Thresholds
from runload.errors import (
    CorruptFileError,
    NotAnActivityError,
    PainJournalError,
    ReadError,
    RunloadError,
    RunloadWarning,
    UnsupportedFormatError,
)
from runload.history import AthleteWeek, RosterWeek, TrainingHistory, load, load_roster
from runload.readers.content import Activity, read_activity
from runload.readers.importer import History, ImportReport, read_history
from runload.readers.overrides import read_surface_overrides
from runload.readers.pain import append_pain_entry, read_pain_journal

__all__ = [
    "Activity",
    "Analysis",
    "Thresholds",
    "TrainingHistory",
    "WeekSummary",
    "load",
    "load_roster",
    "AthleteWeek",
    "RosterWeek",
    "analyze",
    "flags",
    "CorruptFileError",
    "NotAnActivityError",
    "PainJournalError",
    "ReadError",
    "RunloadError",
    "RunloadWarning",
    "History",
    "ImportReport",
    "UnsupportedFormatError",
    "__version__",
    "read_activity",
    "read_history",
    "read_surface_overrides",
    "read_pain_journal",
    "append_pain_entry",
]
