"""The report as one self-contained HTML file: Jinja templates, inline CSS and SVG.

The environment escapes every value (``autoescape=True``, set explicitly:
``select_autoescape`` decides by template file name and would not escape a
template made from a string).  The only markup passed through unescaped is
the charts' SVG, which matplotlib wrote and :func:`runload.report.content.inline_svg`
cleaned.  No scripts, no external fonts, stylesheets or images; the only
links are DOIs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

if TYPE_CHECKING:
    from runload.report.model import Document


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja environment of the report templates (autoescaping on, strict undefined)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("runload.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["svg"] = _svg
    return env


def _svg(markup: str) -> Markup:
    # The chart's SVG comes from matplotlib (which escapes its text) through inline_svg;
    # never from a file the user imported.
    return Markup(markup)


def render_html(report: Document) -> str:
    """The whole HTML document."""
    return environment().get_template("report.html.j2").render(report=report)


def render_fragment(report: Document) -> str:
    """The report as an HTML fragment with its scoped style, for notebooks."""
    return environment().get_template("fragment.html.j2").render(report=report)
