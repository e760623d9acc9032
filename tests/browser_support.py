"""What the browser tests share: Debian's Chromium driven by playwright, and Jupyter or Voila servers.

The tests drive /usr/bin/chromium (Debian package "chromium"; .ci/run installs it),
never a browser that playwright downloads.  Outside CI they are skipped, with a
message, when Chromium is missing.  Screenshots and server logs go to ARTIFACTS.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
SERVER_START_SECONDS = 90
#: How long a server may take to stop after SIGTERM before it is killed (a quiet one takes 1-2 s)
STOP_SECONDS = 5


def sync_api():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium package (.ci/run does)")
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium package to run the browser test")
    return pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A Jupyter or Voila server in its own process group, with its log in ARTIFACTS."""

    def __init__(self, name, command, url, workdir):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.log = open(ARTIFACTS / f"{name}.log", "w")
        home = workdir / "home"
        env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"),
                   JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
                   JUPYTERLAB_SETTINGS_DIR=str(home / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(home / "ws"))
        env.pop("MPLBACKEND", None)
        self.process = subprocess.Popen(command, cwd=workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{name} exited with {self.process.returncode}; see {self.log.name}")
            try:
                urllib.request.urlopen(url, timeout=5)
                return
            except urllib.error.HTTPError:  # any HTTP answer means the server is up
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{name} did not answer at {url} within {SERVER_START_SECONDS} s; see {self.log.name}")

    def stop(self):
        """SIGTERM, then SIGKILL after STOP_SECONDS.  The kernels run in sessions of their own and end
        when they see their server gone (ipykernel's parent poller); a server that asked a busy kernel
        to shut down once held a test's teardown for the whole 15 s it was then given."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
        self.log.close()


TOKEN = "initlab"


def jupyter_lab(name, workdir) -> Server:
    """JupyterLab serving ``workdir`` on a free port, token TOKEN; ``server.base`` is its address.

    Its Voila extension shows any notebook as a dashboard at ``/voila/render/NAME.ipynb``.
    """
    port = free_port()
    server = Server(name, [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
                           "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
                           f"--ServerApp.root_dir={workdir}"],
                    f"http://127.0.0.1:{port}/api/status?token={TOKEN}", workdir)
    server.base = f"http://127.0.0.1:{port}"
    return server


@pytest.fixture(scope="module")
def browser():
    playwright_api = sync_api()
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def run_all_cells(page, attempts=3):
    """Run > Run All Cells, until the kernel is seen busy (a click on a menu that is still
    being laid out can be lost on a loaded machine; the stored prompts cannot tell)."""
    busy = page.locator(".jp-StatusBar-TextItem", has_text="| Busy").first
    for attempt in range(attempts):
        page.click("text=Run >> nth=0")
        page.click("text=Run All Cells")
        try:
            busy.wait_for(timeout=30000)
            return
        except Exception:  # playwright's TimeoutError: try the menu again
            page.keyboard.press("Escape")
    raise AssertionError(f"JupyterLab did not start running the notebook after {attempts} tries")
