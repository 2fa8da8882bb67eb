"""The notebooks in docs/notebooks run top to bottom in a real Jupyter kernel (ipykernel through
nbclient), with no magic line: every view shows as an image and every widget as a widget."""

import json
import sys
from pathlib import Path

import pytest

from tests.helpers import run_bounded
from tests.processes import MEMORY_CAP

pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

NOTEBOOKS = sorted((Path(__file__).parents[2] / "docs" / "notebooks").glob("*.ipynb"))

#: executes a notebook in a fresh kernel and writes the executed copy (run in a bounded child)
EXECUTE = """
import sys, nbformat
from nbclient import NotebookClient
book = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(book, timeout=120, kernel_name="python3", allow_errors=False).execute()
nbformat.write(book, sys.argv[2])
"""

VIEW_CALLS = ("views.code_tree", "views.arithmetic_steps", "views.state_evolution",
              "views.wrong_codebook", "views.typical_set")


def test_there_is_a_class_notebook_and_an_experimenters_notebook():
    assert {path.name for path in NOTEBOOKS} >= {"wrong_codebook.ipynb", "experimenter.ipynb"}


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_the_notebook_runs_and_every_view_and_widget_displays_with_no_magic(notebook, tmp_path):
    executed = tmp_path / notebook.name
    done = run_bounded([sys.executable, "-c", EXECUTE, str(notebook), str(executed)],
                       memory=MEMORY_CAP, timeout=300, cwd=notebook.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    cells = [c for c in json.loads(executed.read_text())["cells"] if c["cell_type"] == "code"]
    assert not any("%matplotlib" in "".join(c["source"]) for c in cells)
    drawn = set()
    for cell in cells:
        source = "".join(cell["source"])
        last_line = source.strip().splitlines()[-1]
        shown = {kind for out in cell["outputs"] for kind in out.get("data", {})}
        if last_line.startswith(VIEW_CALLS):
            assert "image/png" in shown, source
            drawn.add(last_line.split("(")[0])
        if last_line.startswith("widgets.") or last_line in ("explorer", "stepper"):
            assert "application/vnd.jupyter.widget-view+json" in shown, source
        assert not any(out["output_type"] == "error" for out in cell["outputs"]), source
    if notebook.stem == "wrong_codebook":
        assert drawn == set(VIEW_CALLS)                  # the class sees every view