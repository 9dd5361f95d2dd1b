"""The committed notebooks are what tools/make_notebooks.py writes: sources reviewed as Python, no outputs.

CI executes them (.ci/run); here we check they are committed clean and current.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _maker():
    spec = importlib.util.spec_from_file_location("make_notebooks",
                                                  REPO / "tools" / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


MAKER = _maker()


@pytest.mark.parametrize("name", sorted(MAKER.NOTEBOOK_CELLS))
def test_notebook_is_current_and_has_no_outputs(name):
    path = REPO / "notebooks" / name
    committed = json.loads(path.read_text(encoding="utf-8"))
    assert committed == MAKER.notebook(MAKER.NOTEBOOK_CELLS[name]), (
        f"{name} differs from tools/make_notebooks.py; run python tools/make_notebooks.py")
    for cell in committed["cells"]:
        assert not cell.get("outputs") and cell.get("execution_count") is None


def test_every_notebook_comes_from_the_maker():
    on_disk = {p.name for p in (REPO / "notebooks").glob("*.ipynb")}
    assert on_disk == set(MAKER.NOTEBOOK_CELLS)
