"""Presentation mode on a 1280 x 720 screen (a projector), in JupyterLab and in Voila, in headless Chromium.

One JupyterLab server runs a small notebook: a signal explorer, ``initlab.present()``, the
same explorer again.  JupyterLab shows it as a notebook, its Voila extension as a dashboard
(``/voila/render/...``, the page ``python3 course.py voila`` serves).  For each explorer the
test scrolls it to the top and checks what the audience sees:

- the figure is shown pixel for pixel (the PNG's width is its width on screen in CSS
  pixels, which are the screen's pixels at devicePixelRatio 1: no blur from scaling);
- the axis labels' cap height on screen is at least 1.4 times bigger in presentation mode;
- the controls and the whole figure are on screen together, without scrolling;
- no control's label is cut short.

Then it drags the dashboard's width slider to 2000 (20 new layers of 2000 x 2000 weights: about a second
of work) and checks
that the explorer shows "computing…" over a dimmed figure, and clears both when done.
Screenshots go to test-artifacts/browser/present-*.png.
"""

import time

import nbformat
import pytest
from browser_support import ARTIFACTS, TOKEN, run_all_cells, browser, jupyter_lab  # noqa: F401  (browser: a fixture)

pytestmark = pytest.mark.browser  # README.md: a quick check can leave these out

SCREEN = {"width": 1280, "height": 720}
NOTEBOOK = "present.ipynb"
EXPLORER = 'initlab.widgets.signal_explorer(depth=20, width=500, init="normal", scale=0.01)'
CELLS = ["import initlab\nimport initlab.widgets", EXPLORER, "initlab.present()", EXPLORER]
#: Cap height of DejaVu Sans, matplotlib's font, in ems (1493 / 2048).
CAP_HEIGHT = 0.729
RUN_SECONDS = 300
BUSY_SECONDS = 120

# What the page shows of explorer number ``index``, once scrolled to its top (CSS pixels).
MEASURE = """([index, visibleSelector]) => {
  const image = document.querySelectorAll('.jupyter-widgets img')[index];
  const explorer = image.closest('.widget-vbox');
  explorer.scrollIntoView({block: 'start'});
  const box = element => { const r = element.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; };
  const area = visibleSelector ? box(document.querySelector(visibleSelector)) : {top: 0, bottom: innerHeight};
  const cut = [...explorer.querySelectorAll('.widget-label, button')]
    .filter(element => element.scrollWidth > element.clientWidth + 1).map(element => element.innerText);
  return {natural: image.naturalWidth, shown: image.getBoundingClientRect().width,
          labelPx: parseFloat(explorer.querySelector('.initlab-status').dataset.axisLabelPx),
          controls: box(explorer.firstElementChild), image: box(image), visible: {top: Math.max(area.top, 0),
          bottom: Math.min(area.bottom, innerHeight)}, cut: cut};
}"""


# Resolves once the browser has painted a frame after this call (the second animation frame from now).
NEXT_FRAME = "() => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)))"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("present")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                       "language": "python"}
    nbformat.write(notebook, workdir / NOTEBOOK)
    # no "get notified about Jupyter news?" pop-up over the figure
    settings = workdir / "home" / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    server = jupyter_lab("present-jupyterlab", workdir)
    yield server
    server.stop()


def _look(page, where, visible=None):
    """Measure both explorers (normal, presenting), screenshot each; returns the two measurements."""
    found = []
    for index, mode in enumerate(("normal", "presenting")):
        found.append(page.evaluate(MEASURE, [index, visible]))
        page.evaluate(NEXT_FRAME)  # the scrolled page is painted before the screenshot
        page.screenshot(path=str(ARTIFACTS / f"present-{where}-{mode}.png"))
    for mode, seen in zip(("normal", "presenting"), found):
        # drawn at its size on screen: the PNG's pixels are its CSS pixels (devicePixelRatio is 1 here)
        assert seen["natural"] == pytest.approx(seen["shown"], abs=1), (where, mode, "scaled", seen)
        assert seen["controls"]["top"] >= seen["visible"]["top"] - 1, (where, mode, "controls off screen", seen)
        assert seen["image"]["bottom"] <= seen["visible"]["bottom"] + 1, (where, mode, "figure off screen", seen)
        assert seen["cut"] == [], (where, mode, "labels cut short", seen["cut"])
    normal, presenting = (CAP_HEIGHT * seen["labelPx"] * seen["shown"] / seen["natural"] for seen in found)
    ratio = presenting / normal
    print(f"{where}: axis labels' cap height on screen {normal:.1f} px, presenting {presenting:.1f} px: "
          f"{ratio:.2f}x; figure {found[0]['natural']} px wide shown at {found[0]['shown']:.0f} CSS px")
    assert ratio >= 1.4, (where, normal, presenting)
    return found


def test_presentation_mode_at_projector_size(browser, server):
    start = time.monotonic()
    lab = browser.new_page(viewport=SCREEN)
    lab.goto(f"{server.base}/lab/tree/{NOTEBOOK}?token={TOKEN}&reset", timeout=60000)
    dashboard = browser.new_page(viewport=SCREEN)  # Voila runs the notebook meanwhile
    dashboard.goto(f"{server.base}/voila/render/{NOTEBOOK}?token={TOKEN}", wait_until="commit", timeout=60000)

    idle = lab.locator(".jp-StatusBar-TextItem", has_text="| Idle").first
    idle.wait_for(timeout=60000)
    run_all_cells(lab)
    lab.locator(".jupyter-widgets img").nth(1).wait_for(timeout=RUN_SECONDS * 1000)
    idle.wait_for(timeout=RUN_SECONDS * 1000)
    _look(lab, "jupyterlab", ".jp-NotebookPanel-notebook")

    dashboard.locator(".jupyter-widgets img").nth(1).wait_for(timeout=RUN_SECONDS * 1000)
    _look(dashboard, "voila")

    # a slow update (width 2000: 80 million new random weights) shows its busy state, then clears it
    image = dashboard.locator(".jupyter-widgets img").nth(1)
    width_handle = dashboard.locator(".widget-slider .noUi-handle").nth(4)
    box = width_handle.bounding_box()
    dashboard.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    dashboard.mouse.down()
    dashboard.mouse.move(box["x"] + 600, box["y"] + box["height"] / 2, steps=5)
    dashboard.mouse.up()
    dashboard.locator("img.initlab-busy").wait_for(timeout=30000)
    assert "computing…" in dashboard.locator(".initlab-computing").inner_text()
    dashboard.screenshot(path=str(ARTIFACTS / "present-voila-busy.png"))
    dashboard.locator("img.initlab-busy").wait_for(state="detached", timeout=BUSY_SECONDS * 1000)
    assert dashboard.locator(".initlab-computing").count() == 0
    assert "width 2000" in dashboard.locator(".initlab-status").nth(1).inner_text()
    assert image.evaluate("element => getComputedStyle(element).opacity") == "1"
    dashboard.screenshot(path=str(ARTIFACTS / "present-voila-after-busy.png"))
    print(f"JupyterLab and Voila checked in {time.monotonic() - start:.0f} s")
