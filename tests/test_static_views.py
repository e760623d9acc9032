"""Static views of the notebooks show every figure: nbconvert's HTML, opened offline in headless Chromium.

Each stored notebook is converted to HTML as a reader would (``jupyter nbconvert --to html``,
from its stored outputs, nothing executed) and opened with the network cut off.  Every output
that has a PNG (the explorers' starting figures included) must show as a loaded <img>, and no
output area may be empty.  A notebook saved with its widget state fails this: nbconvert then
emits only a widget view, which needs JavaScript from a CDN, and drops the PNG
(test_widget_state_would_blank_the_explorer shows it).  Screenshots go to test-artifacts/static/.
"""

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter

from offline_browser import ARTIFACTS, IMAGES_JS, chromium, offline_page

pytestmark = pytest.mark.browser  # README.md: a quick check can leave these out

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SHOTS = ARTIFACTS / "static"
EXPLORER_NOTEBOOK = ROOT / "notebooks" / "02_gaussian_collapse_and_saturation.ipynb"

# An output area that shows nothing: no text and no picture.
EMPTY_OUTPUTS_JS = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
    .filter(el => !el.innerText.trim() && !el.querySelector('img, svg, canvas, table'))
    .map(el => el.outerHTML.slice(0, 120))"""


@pytest.fixture(scope="module")
def page():
    """One browser tab for every notebook (a new tab costs more than a page load)."""
    with chromium() as browser:
        yield offline_page(browser, viewport={"width": 1200, "height": 900})


@pytest.fixture(scope="module")
def exporter():
    return HTMLExporter()  # the lab template, as `jupyter nbconvert --to html` uses


def convert(path, folder):
    """nbconvert's HTML of the stored notebook at path, written into folder; its path."""
    html, _ = HTMLExporter().from_notebook_node(nbformat.read(path, as_version=4))
    target = Path(folder) / f"{Path(path).stem}.html"
    target.write_text(html, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Every notebook's HTML, converted two at a time (about a second of CPU each: nbconvert sanitizes
    every highlighted code cell)."""
    folder = tmp_path_factory.mktemp("static")
    with ProcessPoolExecutor(max_workers=2) as pool:
        return dict(zip(NOTEBOOKS, pool.map(convert, NOTEBOOKS, [folder] * len(NOTEBOOKS))))


def figure_count(notebook) -> int:
    """How many outputs of the notebook carry a PNG."""
    return sum("image/png" in output.get("data", {})
               for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)


def problems(page, notebook, html_path, shot=None):
    """What a reader of the notebook's static HTML at html_path would miss, as sentences; [] when nothing is."""
    page.blocked.clear()
    page.goto(html_path.as_uri(), wait_until="load")
    images = page.evaluate(IMAGES_JS, ".jp-OutputArea-output img")
    empty = page.evaluate(EMPTY_OUTPUTS_JS)
    if shot:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(".jp-RenderedImage img").last.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / shot))
    found = []
    expected = figure_count(notebook)
    if len(images) != expected:
        found.append(f"{len(images)} figures shown, {expected} outputs have a PNG")
    found += [f"figure not loaded: {image}" for image in images if not (image["complete"] and image["width"] > 0)]
    found += [f"empty output area: {snippet}" for snippet in empty]
    # nbconvert's own template asks the network for require.js and MathJax; nothing else may
    exporter = HTMLExporter()
    template_scripts = (exporter.require_js_url, exporter.mathjax_url)
    found += [f"asked the network for {url}" for url in page.blocked if not url.startswith(template_scripts)]
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_static_html_shows_every_figure(converted, page, path):  # converted first: fork before the browser starts
    notebook = nbformat.read(path, as_version=4)
    assert figure_count(notebook) >= 1, f"{path.name} has no figure to check"
    shot = f"{path.stem}.png" if path == EXPLORER_NOTEBOOK else None
    assert problems(page, notebook, converted[path], shot) == []


def test_widget_state_would_blank_the_explorer(page, exporter, tmp_path):
    """The failure this guards against: with widget state saved, the explorer's output is an empty widget view."""
    notebook = nbformat.read(EXPLORER_NOTEBOOK, as_version=4)
    views = [output["data"]["application/vnd.jupyter.widget-view+json"] for cell in notebook.cells
             if cell.cell_type == "code" for output in cell.outputs
             if "application/vnd.jupyter.widget-view+json" in output.get("data", {})]
    assert len(views) == 1
    model_id = views[0]["model_id"]
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "version_major": 2, "version_minor": 0,
        "state": {model_id: {"model_name": "VBoxModel", "model_module": "@jupyter-widgets/controls",
                             "model_module_version": "2.0.0", "state": {"children": []}}}}}
    html, _ = exporter.from_notebook_node(notebook)
    (tmp_path / "with-state.html").write_text(html, encoding="utf-8")
    found = problems(page, notebook, tmp_path / "with-state.html")
    expected = figure_count(notebook)
    assert f"{expected - 1} figures shown, {expected} outputs have a PNG" in found
    assert any(line.startswith("empty output area") for line in found), found
    assert any("widgets" in line for line in found if line.startswith("asked the network")), found
