"""Load analysis: pure pandas, sessions in, tables out; no I/O and no clock (pass ``as_of``).

The functions most users want; each module documents its formulas,
windows, evidence grade and references.  The ACWR function is
``runload.analysis.acwr.acwr`` (not re-exported here: it would hide its module).
"""

from runload.analysis.daily import daily_table, runs
from runload.analysis.fitness import fitness_fatigue, monotony, session_load
from runload.analysis.flags import Analysis, analyze, flags
from runload.analysis.pain import describe_episode, pain_episodes, pain_exposures, pain_summary
from runload.analysis.references import DISCLAIMER, REFERENCES, references_table
from runload.analysis.rest import layoffs, rest_days
from runload.analysis.spikes import session_spikes
from runload.analysis.volume import rolling_7d, weekly_table, weekly_volume

__all__ = [
    "DISCLAIMER",
    "REFERENCES",
    "Analysis",
    "analyze",
    "daily_table",
    "describe_episode",
    "fitness_fatigue",
    "flags",
    "layoffs",
    "monotony",
    "pain_episodes",
    "pain_exposures",
    "pain_summary",
    "references_table",
    "rest_days",
    "rolling_7d",
    "runs",
    "session_load",
    "session_spikes",
    "weekly_table",
    "weekly_volume",
]
