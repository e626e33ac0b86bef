"""The notebooks: parameters pinned, thin, and nbval really compares their outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from tests.conftest import REPO

NOTEBOOKS = REPO / "notebooks"
EXPECTED_PARAMETERS = {
    "01-prepare-transcripts.ipynb": {"config_path": "str", "segmentation": "str"},
    "02-code-themes.ipynb": {"codebook": "str", "embedding": "str", "fit_topics": "bool"},
    "03-concerns-by-topic-and-region.ipynb": {"region": "str", "quotes_per_theme": "int"},
    "04-summary-report.ipynb": {"run_id": "str"},
}


@pytest.mark.parametrize("name, expected", EXPECTED_PARAMETERS.items())
def test_each_notebook_declares_its_typed_parameters(name, expected):
    params = papermill.inspect_notebook(str(NOTEBOOKS / name))
    assert {k: v["inferred_type_name"] for k, v in params.items()} == expected
    for p in params.values():
        assert p["help"], f"{name}: parameter {p['name']} needs a comment saying what it is"


@pytest.mark.parametrize("name", EXPECTED_PARAMETERS)
def test_notebooks_are_thin_and_have_one_parameters_cell(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert "def " not in cell.source and "class " not in cell.source, "logic belongs in the package"


@pytest.mark.parametrize("name", EXPECTED_PARAMETERS)
def test_committed_notebooks_have_outputs_to_compare(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    assert sum(1 for c in code if c.get("outputs")) >= len(code) // 2, "run the notebooks and commit their outputs"


def test_nbval_fails_when_a_committed_number_changes(tmp_path):
    """A tiny notebook whose committed output is altered: nbval must report the mismatch."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(round(21 / 50, 2))")])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="0.42\n")]
    nb.cells[0].execution_count = 1
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    good = tmp_path / "good.ipynb"
    nbformat.write(nb, good)
    bad = tmp_path / "bad.ipynb"
    nb.cells[0].outputs[0]["text"] = "0.43\n"
    nbformat.write(nb, bad)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
           "--rootdir", str(tmp_path)]
    ok = subprocess.run([*cmd, str(good)], capture_output=True, text=True, cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    changed = subprocess.run([*cmd, str(bad)], capture_output=True, text=True, cwd=tmp_path)
    assert changed.returncode != 0 and "0.43" in changed.stdout
