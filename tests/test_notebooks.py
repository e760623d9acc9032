"""The stored notebooks: run top to bottom in one fresh kernel, saved without errors and without widget state.

Strict nbval compares against what is stored, so the stored state matters.  Widget
state is left out on purpose: with it, static renderers (nbconvert's HTML, GitHub,
nbviewer) show an empty widget view that needs JavaScript from the network; without
it they show each explorer's PNG of its starting figure.
"""

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_saved_in_order_without_errors_or_widget_state(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert "widgets" not in notebook["metadata"], f"{path.name} was saved with widget state"
    code = [c for c in notebook["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    assert not [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    for cell in code:  # every explorer keeps a static picture of its starting state
        for output in cell["outputs"]:
            if "application/vnd.jupyter.widget-view+json" in output.get("data", {}):
                assert "image/png" in output["data"], f"{path.name}: a widget output without its PNG"
