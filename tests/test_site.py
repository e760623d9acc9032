"""The course website: `python3 course.py site` builds it, and it reads offline in a real browser.

The site is built as `course.py site` builds it (Jupyter Book 1 with warnings as errors and
nit-picky references, nothing executed), into a temporary folder.  Headless Chromium then
opens the landing page and, through the landing page's lesson list, every lesson, with the
network cut off: no request may fail, every figure must load (the explorers' starting
figures included), no output may be empty and every formula must be typeset by the MathJax
shipped inside the site.  Screenshots of the landing page and two lessons go to
test-artifacts/site/.

The site's tools live in .venv/site (requirements-site.txt).  Creating that environment is
set-up, done once (about a minute, with the network to PyPI); `course.py site` reuses it.
"""

import importlib.util
import json
import time
from pathlib import Path

import pytest

from offline_browser import ARTIFACTS, IMAGES_JS, chromium, offline_page

pytestmark = pytest.mark.browser  # README.md: a quick check can leave these out

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SHOTS = ARTIFACTS / "site"
SCREENSHOT_LESSONS = ("02_gaussian_collapse_and_saturation", "07_order_and_chaos")
VIEWPORT = {"width": 1280, "height": 900}

# Every formula on the page: Sphinx writes each into an element of class "math", which MathJax fills
# with an <mjx-container>; a formula MathJax could not typeset keeps its TeX or shows <mjx-merror>.
MATH_JS = """async () => {
    const count = document.querySelectorAll('.math').length;
    if (!count) return {formulas: 0, typeset: 0, errors: 0};
    if (!window.MathJax || !MathJax.startup) return {formulas: count, typeset: 0, errors: 0, note: 'no MathJax'};
    await MathJax.startup.promise;
    await document.fonts.ready;
    const formulas = Array.from(document.querySelectorAll('.math'));
    return {formulas: formulas.length,
            typeset: formulas.filter(el => el.querySelector('mjx-container')).length,
            errors: document.querySelectorAll('mjx-merror').length,
            fonts: Array.from(document.fonts).filter(f => f.family.startsWith('MJX'))
                        .map(f => f.family + ':' + f.status)};
}"""

# Output areas that show nothing: no text and no picture.
EMPTY_OUTPUTS_JS = """() => Array.from(document.querySelectorAll('.cell_output'))
    .filter(el => !el.innerText.trim() && !el.querySelector('img, svg, canvas, table'))
    .map(el => el.outerHTML.slice(0, 120))"""


def _course():
    spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _notebook(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _title(notebook) -> str:
    return "".join(notebook["cells"][0]["source"]).splitlines()[0].lstrip("# ").strip()


def _alt_texts(notebook) -> list:
    """The alt text of each PNG output of the notebook, in order (a cell's text serves all its figures)."""
    return [cell["metadata"].get("mystnb", {}).get("image", {}).get("alt")
            for cell in notebook["cells"] if cell["cell_type"] == "code"
            for output in cell["outputs"] if "image/png" in output.get("data", {})]


def _alt_text_tool():
    spec = importlib.util.spec_from_file_location("alt_text", ROOT / "tools" / "alt_text.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built site's html folder, and how long the build took."""
    course = _course()
    course.setup_site()  # set-up: creates .venv/site the first time, then only checks its stamp
    destination = tmp_path_factory.mktemp("site")
    start = time.monotonic()
    status = course.build_site(destination)
    seconds = time.monotonic() - start
    assert status == 0, "the site's build failed or warned (warnings are errors); see the output above"
    print(f"site built in {seconds:.1f} s")
    return destination / "_build" / "html"


@pytest.fixture(scope="module")
def page():
    """One browser tab for every page of the site (a new tab costs more than a page load)."""
    with chromium() as browser:
        yield offline_page(browser, viewport=VIEWPORT)


def _open(page, url, shot=None, lands_on=None):
    """Open url offline (and wait until it has led to lands_on); return what the page showed and asked for."""
    page.blocked.clear()
    page.failed.clear()
    page.goto(url, wait_until="load")
    if lands_on:
        page.wait_for_url(f"**/{lands_on}")
        page.wait_for_load_state("load")
    seen = {"url": page.url, "title": page.locator("main h1").first.inner_text().rstrip("#").strip(),
            "math": page.evaluate(MATH_JS), "images": page.evaluate(IMAGES_JS, "main img"),
            "empty": page.evaluate(EMPTY_OUTPUTS_JS),
            "lessons": page.evaluate("() => Array.from(document.querySelectorAll("
                                     "'main .toctree-wrapper a.reference.internal'))"
                                     ".map(a => [a.innerText.trim(), a.href])")}
    if shot:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{shot}-top.png"))
        figures = page.locator(".cell_output img")
        if figures.count():
            figures.last.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / f"{shot}-last-figure.png"))
    seen["blocked"], seen["failed"] = list(page.blocked), list(page.failed)
    return seen


@pytest.fixture(scope="module")
def landing(site, page):
    """The landing page, opened as a reader would: index.html, which leads to intro.html."""
    return _open(page, (site / "index.html").as_uri(), shot="landing", lands_on="intro.html")


def _assert_offline_and_complete(seen):
    assert seen["blocked"] == [], f"{seen['url']} asked the network for {seen['blocked']}"
    assert seen["failed"] == [], f"{seen['url']}: requests failed: {seen['failed']}"
    assert [image for image in seen["images"] if not (image["complete"] and image["width"] > 0)] == []
    assert seen["empty"] == [], f"{seen['url']}: empty output areas"
    math = seen["math"]
    assert math["typeset"] == math["formulas"] and math["errors"] == 0, f"{seen['url']}: {math}"


def test_landing_page(landing):
    assert landing["url"].endswith("/intro.html")  # index.html leads to the landing page
    assert landing["title"] == "initlab: an open course on weight initialization"
    _assert_offline_and_complete(landing)
    assert landing["math"]["formulas"] >= 8  # the variance rule and the three initializers, typeset offline
    assert any(font.endswith(":loaded") for font in landing["math"]["fonts"]), landing["math"]
    assert [title for title, _ in landing["lessons"]] == [_title(_notebook(path)) for path in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_page(page, landing, path):
    """Follow the landing page's link to the lesson: it shows the lesson, every figure loaded, offline."""
    notebook = _notebook(path)
    links = dict(landing["lessons"])
    assert _title(notebook) in links, f"the landing page does not link to {path.name}"
    shot = path.stem if path.stem in SCREENSHOT_LESSONS else None
    seen = _open(page, links[_title(notebook)], shot=shot)
    assert seen["url"].endswith(f"/notebooks/{path.stem}.html")
    assert seen["title"] == _title(notebook)
    _assert_offline_and_complete(seen)
    figures = [image for image in seen["images"] if "/_images/" in image["src"]]
    assert len(figures) == len(_alt_texts(notebook)), "a figure of the notebook is missing on its page"
    assert [image["alt"] for image in figures] == _alt_texts(notebook)  # each figure described


def test_every_figure_has_its_alt_text():
    """tools/alt_text.py has a text for each figure cell, and the notebooks carry it (no browser needed)."""
    tool = _alt_text_tool()
    found = [line for path in NOTEBOOKS for line in tool.problems(path, _notebook(path))]
    assert found == [], "\n".join(found)
    assert all(text and len(text) > 40 for path in NOTEBOOKS for text in _alt_texts(_notebook(path)))
