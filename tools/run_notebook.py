"""Run notebooks top to bottom in a fresh kernel and save them as strict nbval expects them.

    .venv/bin/python tools/run_notebook.py notebooks/02_gaussian_collapse_and_saturation.ipynb [...]

Each notebook is executed in its own folder (as in JupyterLab), without timing
metadata and without widget state (static views then show each explorer's PNG;
tests/test_notebooks.py checks it), with each cell's printed text in one stream output, and
written back in place.  Several
notebooks run two at a time.
"""

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbconvert.preprocessors import CoalesceStreamsPreprocessor, ExecutePreprocessor


def run(path) -> str:
    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.pop("widgets", None)  # stale state from an earlier save
    ExecutePreprocessor(timeout=600, record_timing=False, store_widget_state=False).preprocess(
        notebook, {"metadata": {"path": str(path.parent)}})
    # one block of text per stream and cell, as JupyterLab shows it: a print flushed in two pieces would
    # otherwise leave a blank output area in static views (nbval compares streams coalesced anyway)
    CoalesceStreamsPreprocessor().preprocess(notebook, {})
    nbformat.write(notebook, path)
    return f"ran {path}"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for line in pool.map(run, sys.argv[1:]):
            print(line, flush=True)
