"""The notebooks of docs/notebooks/ (jupytext percent files) parse as notebooks and their code runs,
top to bottom in one namespace, from the repository root - with a handful of trials, so they
cannot rot unnoticed."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.py"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, monkeypatch, tmp_path):
    jupytext = pytest.importorskip("jupytext")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = jupytext.read(path)
    kinds = [c.cell_type for c in nb.cells]
    assert "markdown" in kinds and kinds.count("code") >= 3, kinds
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("BMDCOOP_NOTEBOOK_TRIALS", "6")
    monkeypatch.setenv("BMDCOOP_NOTEBOOK_QUICK", "1")
    monkeypatch.setenv("BMDCOOP_NOTEBOOK_OUT", str(tmp_path))
    namespace: dict = {"__name__": "__notebook__"}
    for k, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        exec(compile(cell.source, f"{path.name}[code cell {k}]", "exec"), namespace)   # noqa: S102 - our notebooks
    plt.close("all")
