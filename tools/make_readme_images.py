"""Screenshots of the sample reports for the README (docs/*.png).

Builds the runner report of sample_data/runner and the coach page of
sample_data/roster with runload itself, then photographs them with headless
Chromium (``apt-get install chromium``), so the README shows what a user gets.

    python tools/make_readme_images.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("make_readme_images: headless Chromium is needed "
                     "(apt-get install chromium).")


def screenshot(html: Path, png: Path, width: int = 1000, height: int = 1300) -> None:
    """Photograph the top of an HTML file at a desktop width."""
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", f"--window-size={width},{height}",
                    f"--screenshot={png}", html.as_uri()],
                   check=True, capture_output=True)


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        runload = [sys.executable, "-m", "runload"]
        subprocess.run([*runload, "report", str(REPO / "sample_data" / "runner"),
                        "--pain", str(REPO / "sample_data" / "runner_pain.csv"),
                        "-o", str(out / "report.html"), "--no-progress"], check=True)
        screenshot(out / "report.html", DOCS / "report.png")
        subprocess.run([*runload, "coach", str(REPO / "sample_data" / "roster" / "roster.toml"),
                        "--week", "2026-W43", "-o", str(out / "team.html"), "--no-progress"],
                       check=True)
        screenshot(out / "team.html", DOCS / "coach.png", width=1200, height=1100)
    for png in ("report.png", "coach.png"):
        print(f"wrote docs/{png} ({(DOCS / png).stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
