"""Hostile strings from files, rendered in a real browser: no script runs, the text shows.

The runner report and the coach page are opened in headless Chromium
(``--dump-dom`` returns the DOM after the page's scripts would have run).
Every hostile string sets a marker if it ever executes; a positive control
(a page with a real script) proves the marker would be seen.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import runload

BROWSER = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(n)), None)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="optional tool absent: headless Chromium (apt-get install chromium)")

MARK = "data-pwned"
#: What the DOM shows once a hostile string ran (the attribute set on <html>);
#: the escaped strings themselves contain MARK as text, never this.
EXECUTED = f'{MARK}="'
HOSTILE_NAME = (f"<script>document.documentElement.setAttribute('{MARK}','name')</script>"
                f"<img src=x onerror=\"document.documentElement.setAttribute('{MARK}','img')\">")
HOSTILE_FILE = "run &<b>\"quoted\"<i>.fit"  # no "/" in a file name
HOSTILE_ATHLETE = f"Zoë & <b>\"Co\"</b><svg onload=\"document.documentElement.setAttribute('{MARK}','svg')\">"


def _gpx(name: str, day: int, km: float) -> str:
    """A straight run north from Berlin at 3 m/s, 10 s per point."""
    points = []
    n = int(km * 1000 / 30) + 1
    for i in range(n):
        lat = 52.5 + i * 30 / 111_195
        hour = 6 + (i * 10) // 3600
        t = f"2026-05-{day:02d}T{hour:02d}:{(i * 10) // 60 % 60:02d}:{(i * 10) % 60:02d}Z"
        points.append(f'<trkpt lat="{lat:.6f}" lon="13.400000"><ele>40</ele><time>{t}</time>'
                      "</trkpt>")
    from xml.sax.saxutils import escape
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">'
            f"<trk><name>{escape(name)}</name><type>running</type><trkseg>"
            + "".join(points) + "</trkseg></trk></gpx>")


def _dom(html_path: Path) -> str:
    result = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu",
                             "--virtual-time-budget=2000", "--dump-dom", html_path.as_uri()],
                            capture_output=True, text=True, timeout=120, check=True)
    return result.stdout


@pytest.fixture(scope="module")
def hostile_export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "easy.gpx").write_text(_gpx("Easy run", 4, 5.0), encoding="utf-8")
    (folder / "easy2.gpx").write_text(_gpx("Easy run", 6, 5.0), encoding="utf-8")
    # a spike run, so its name appears in the summary and the flags
    (folder / "long.gpx").write_text(_gpx(HOSTILE_NAME, 9, 8.0), encoding="utf-8")
    # a damaged file with a hostile name: the import section lists it by name
    (folder / HOSTILE_FILE).write_bytes(b"\x0e\x10not a FIT file at all")
    return folder


def test_positive_control_a_real_script_is_seen(tmp_path):
    page = tmp_path / "control.html"
    page.write_text(f"<html><body><script>document.documentElement.setAttribute('{MARK}','x')"
                    "</script></body></html>", encoding="utf-8")
    assert EXECUTED in _dom(page)


def test_runner_report_runs_no_script_from_files(hostile_export, tmp_path):
    history = runload.load(hostile_export, use_cache=False, tz="Europe/Berlin")
    assert HOSTILE_NAME in set(history.runs["name"])
    assert (history.files["status"] == "failed").any()
    out = tmp_path / "report.html"
    history.report(out)
    dom = _dom(out)
    assert EXECUTED not in dom
    assert "<script" not in out.read_text(encoding="utf-8")
    # the hostile strings are shown as text (escaped in the DOM serialisation)
    assert "&lt;script&gt;document.documentElement" in dom
    assert "&lt;b&gt;\"quoted\"&lt;i&gt;.fit" in dom


def test_coach_page_runs_no_script_from_names(hostile_export, tmp_path):
    roster = tmp_path / "roster.toml"
    name = HOSTILE_ATHLETE.replace("\\", "\\\\").replace('"', '\\"')
    roster.write_text(f'title = "<i>Team</i>"\n[[athlete]]\nname = "{name}"\n'
                      f'path = "{hostile_export.as_posix()}"\ntz = "Europe/Berlin"\n'
                      '[[athlete]]\nname = "Missing <script>x</script>"\npath = "nowhere"\n',
                      encoding="utf-8")
    team = runload.load_roster(roster, week="2026-W19", use_cache=False)
    out = tmp_path / "team.html"
    team.report(out)
    dom = _dom(out)
    assert EXECUTED not in dom
    assert "<script" not in out.read_text(encoding="utf-8")
    assert "Zoë &amp; &lt;b&gt;\"Co\"&lt;/b&gt;&lt;svg onload=" in dom
    assert "Missing &lt;script&gt;x&lt;/script&gt;" in dom
