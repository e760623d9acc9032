"""Headless Chromium with the network cut off, for the tests of static pages (nbconvert's HTML, the course site).

Drives Debian's Chromium at /usr/bin/chromium through the playwright package (never a browser
that playwright downloads), as tests/test_browser.py does.  Every request that is not for a
file:// address is aborted and recorded, so a page that needs the network shows it in
``page.blocked`` instead of quietly loading something from a CDN.
"""

from contextlib import contextmanager
from pathlib import Path

from browser_support import CHROMIUM, CHROMIUM_FLAGS, sync_api

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@contextmanager
def chromium():
    """A headless Chromium, closed at the end of the with-block."""
    with sync_api().sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_page(browser, **options):
    """A new page whose requests other than file:// are aborted; their URLs collect in page.blocked,
    and requests that failed for any reason (a missing file too) in page.failed."""
    page = browser.new_page(**options)
    page.blocked, page.failed = [], []

    def block(route):
        page.blocked.append(route.request.url)
        route.abort()

    page.route(lambda url: not url.startswith("file:"), block)
    page.on("requestfailed", lambda request: page.failed.append(f"{request.url}: {request.failure}"))
    return page


# The state of each <img> in a page: where it is, whether it loaded and how large it is.
IMAGES_JS = """selector => Array.from(document.querySelectorAll(selector)).map(img => ({
    src: img.currentSrc.startsWith('data:') ? img.currentSrc.slice(0, 40) : img.currentSrc, complete: img.complete, width: img.naturalWidth,
    height: img.naturalHeight, alt: img.getAttribute('alt')}))"""
