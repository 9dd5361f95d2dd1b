"""Helpers the whole-process benchmarks share: how to start runload, where its start-up goes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


def runload_command() -> list[str]:
    """The ``runload`` console script of this interpreter's environment, else ``-m runload``."""
    script = Path(sys.executable).parent / "runload"
    return [str(script)] if script.exists() else [sys.executable, "-m", "runload"]


def import_breakdown(code: str, env: dict[str, str], work: Path) -> dict[str, float]:
    """Self time [s] of the imports ``code`` makes, by top-level package (``-X importtime``)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                          capture_output=True, text=True, check=True, env=env, cwd=work)
    totals: dict[str, float] = {}
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if m:
            top = m[2].split(".")[0]
            totals[top] = totals.get(top, 0.0) + int(m[1]) / 1e6
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))
