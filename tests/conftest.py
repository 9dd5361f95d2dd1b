"""Shared fixtures: the real-data folder, the manifest, tolerance helpers.

Real files live in ``../shared/realdata`` beside the checkout (third-party data,
never copied into the repo).  When the folder is absent the real-file tests are
skipped with a visible reason, except under ``CI=true`` where they fail: a CI
run must never pass because its data was missing.
"""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: Skip reasons starting with this name a tool that may be absent (not data): CI reports them.
OPTIONAL_TOOL = "optional tool absent:"
REALDATA = Path(os.environ.get("RUNLOAD_REALDATA", REPO.parent / "shared" / "realdata"))


def _require_realdata() -> Path:
    if REALDATA.is_dir() and (REALDATA / "MANIFEST.tsv").is_file():
        return REALDATA
    message = f"real-data folder {REALDATA} is absent (set RUNLOAD_REALDATA to override)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI=true forbids skipping real-file tests", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def realdata() -> Path:
    """Path of ``../shared/realdata``; skips (or fails under CI=true) when absent."""
    return _require_realdata()


@pytest.fixture(scope="session")
def manifest(realdata: Path) -> dict[str, dict[str, str]]:
    """MANIFEST.tsv rows keyed by relpath."""
    with open(realdata / "MANIFEST.tsv", newline="", encoding="utf-8") as fh:
        return {row["relpath"]: row for row in csv.DictReader(fh, delimiter="\t")}


def pytest_configure(config: pytest.Config) -> None:
    """Keep tests away from the user's own cache: one throw-away cache folder per run."""
    os.environ["RUNLOAD_CACHE_DIR"] = tempfile.mkdtemp(prefix="runload-test-cache-")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI=true a skipped test fails the run: CI must never pass on missing pieces."""
    if os.environ.get("CI", "").lower() != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    # A missing optional tool (a browser) is said, not hidden; missing data is a failure.
    optional = [r for r in skipped if OPTIONAL_TOOL in str(getattr(r, "longrepr", ""))]
    if optional:
        reporter.write_line(f"CI=true: {len(optional)} test(s) skipped for an absent optional "
                            "tool (see the skip reasons above).", yellow=True)
    if len(skipped) > len(optional):
        reporter.write_line(f"CI=true: {len(skipped) - len(optional)} test(s) skipped; failing "
                            "the run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def pyplot():
    """``matplotlib.pyplot`` on the headless Agg backend; closes every figure before and after.

    Plot tests take this fixture so no figure leaks from one test into another
    (scikit-learn's ``pyplot`` fixture).
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.close("all")
    yield plt
    plt.close("all")
