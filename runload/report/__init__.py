"""The runner report: the latest week in plain words, charts, tables, flags and sources.

:func:`build_report` turns an analysis (plus the import's files and
duplicates tables) into a :class:`RunnerReport`, one content model from
which both outputs are rendered, so they say the same:

* ``report.html`` / ``report.write_html(path)``: one self-contained HTML file
  (inline CSS and SVG charts; no scripts, no network, no external assets);
* ``report.write_pdf(path)``: an A4 PDF (reportlab), charts as PNG.

:func:`build_coach_report` does the same for a coach: a roster's week on one
printed page (a row per athlete, most in need of attention first), then a
short section per athlete, as a :class:`CoachReport`.

This package reads no files and never imports the readers: the CLI and the
:class:`runload.history.TrainingHistory` facade pass it the tables.  Writes
are atomic (a temporary file, then ``os.replace``).
"""

from runload.report.coach import CoachReport, build_coach_report
from runload.report.content import build_report
from runload.report.model import RunnerReport

__all__ = ["CoachReport", "RunnerReport", "build_coach_report", "build_report"]
