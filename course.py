#!/usr/bin/env python3
"""Set up and run the initlab course: one command each, on Linux, macOS and Windows.

    python3 course.py lab      install everything (first time) and open JupyterLab
    python3 course.py test     install everything (first time) and run all tests
    python3 course.py voila notebooks/02_gaussian_collapse_and_saturation.ipynb
                               show a notebook as a dashboard (Voila)
    python3 course.py student  write the student edition (no worked solutions) into student/
    python3 course.py site     build the course website (every lesson with its stored outputs)
                               into build/site/_build/html; its tools live in .venv/site
    python3 course.py setup    only install

(On Windows write ``py course.py ...``.)  Everything is installed into ``.venv``
inside this folder; nothing outside the checkout is touched.  The environment is
reused on later runs and refreshed when requirements.txt or pyproject.toml
change.  Extra arguments are passed on, e.g. ``python3 course.py test -k theory``.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / "initlab-installed.txt"
STATE = VENV / "state"  # Jupyter's, IPython's, matplotlib's and pip's files, kept inside the checkout
USAGE = __doc__
# The oldest Python the course's exact environment (requirements.txt) installs on: numpy 2.4
# and matplotlib 3.11 publish no builds for 3.10.  README.md and environment.yml say the same
# (tests/test_environment.py checks it).  The package alone supports older ones (.ci/lower-bounds).
COURSE_PYTHON = (3, 11)


def keep_state_inside_checkout() -> None:
    """Point every tool's per-user folder into .venv/state, so nothing outside the checkout is written."""
    folders = {
        "PIP_CACHE_DIR": "pip-cache",
        "JUPYTER_CONFIG_DIR": "jupyter/config",
        "JUPYTER_DATA_DIR": "jupyter/data",
        "JUPYTER_RUNTIME_DIR": "jupyter/runtime",
        "JUPYTERLAB_SETTINGS_DIR": "jupyter/lab/user-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "jupyter/lab/workspaces",
        "IPYTHONDIR": "ipython",
        "MPLCONFIGDIR": "matplotlib",
    }
    for variable, folder in folders.items():
        os.environ[variable] = str(STATE / folder)


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def fingerprint() -> str:
    """A hash of the files that decide what gets installed."""
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def run(command) -> int:
    print("+", " ".join(str(c) for c in command), flush=True)
    return subprocess.call([str(c) for c in command], cwd=ROOT)


def python_too_old(version=None) -> str:
    """Why this Python cannot install the course ('' if it can)."""
    version = tuple(version or sys.version_info[:3])
    if version[:2] >= COURSE_PYTHON:
        return ""
    wanted = "%d.%d" % COURSE_PYTHON
    return (f"The course needs Python {wanted} or newer; this is Python {'.'.join(map(str, version))} "
            f"({sys.executable}).\nIts pinned packages (requirements.txt) publish no builds for older Pythons. "
            f"Install Python {wanted} or newer (python.org, or your system's packages) and run\n"
            f"    python{wanted} course.py lab\n(on Windows: py -{wanted} course.py lab).")


def pip_failure(output: str) -> str:
    """What went wrong, from pip's own output: the Python version, the network, or pip's last error."""
    needs = dict(re.findall(r"([^\s:;]+) Requires-Python ([^\s;]+)", output))  # version -> e.g. ">=3.11"
    missing = re.search(r"No matching distribution found for ([\w.\-]+)==(\S+)", output)
    if missing and missing.group(2) in needs:
        name, version = missing.groups()
        return (f"{name} {version}, pinned in requirements.txt, needs Python {needs[version]}; "
                f"this is Python {sys.version.split()[0]}.")
    if re.search(r"NewConnectionError|Temporary failure in name resolution|Network is unreachable|"
                 r"ConnectTimeout|ProxyError|SSLError|Max retries exceeded|from versions: none", output):
        return "pip could not reach the package index: check the network connection (or proxy) and run again."
    errors = [line for line in output.splitlines() if line.startswith("ERROR:")]
    return "pip's reason: " + (errors[-1][len("ERROR:"):].strip() if errors else "see its messages above.")


def pip(arguments) -> None:
    """Run pip in .venv; on failure, show its messages and stop with the reason they give."""
    command = [venv_python(), "-m", "pip", *arguments]
    print("+", " ".join(str(c) for c in command), flush=True)
    done = subprocess.run([str(c) for c in command], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        sys.exit("Installing failed. " + pip_failure(done.stderr))


def setup() -> None:
    if python_too_old():
        sys.exit(python_too_old())  # before anything is created or downloaded
    if not venv_python().exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)  # not clear=True: .venv/site may be there
        except (OSError, subprocess.CalledProcessError) as error:
            sys.exit(f"Creating the virtual environment {VENV} failed ({error}). On Debian or Ubuntu, install "
                     f"the package python3-venv (or python{sys.version_info[0]}.{sys.version_info[1]}-venv) first.")
    if STAMP.exists() and STAMP.read_text().strip() == fingerprint():
        return
    pip(["install", "--disable-pip-version-check", "--quiet", "-r", "requirements.txt"])
    pip(["install", "--disable-pip-version-check", "--quiet", "--no-deps", "-e", "."])
    STAMP.write_text(fingerprint() + "\n")


# ---- Jupyter's settings for the course, kept inside .venv ------------------------------------
# A newcomer starting JupyterLab should see the course, not a wall of harmless warnings:
JUPYTER_SETTINGS = {
    # JupyterLab's defaults for this installation (the app settings dir of .venv; a student's own
    # choice in Settings still wins): no "get notified about Jupyter news?" pop-up over the figures,
    # and no request to a news feed (the course works offline)
    VENV / "share" / "jupyter" / "lab" / "settings" / "overrides.json": {
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},
    },
    STATE / "jupyter" / "config" / "jupyter_server_config.json": {
        # the kernel's messages are encrypted (CurveZMQ, which ipykernel declares it supports) instead of
        # each kernel start warning that they travel in plain text over TCP and can be eavesdropped
        "KernelManager": {"transport_encryption": "auto"},
        "ServerApp": {
            # notebook_shim loads extensions configured for the classic notebook server, which the course
            # has none of; inspecting the server's settings it reads the deprecated ServerApp.token and warns
            "jpserver_extensions": {"notebook_shim": False},
            # jupyter_server pings each browser connection every 30 s and closes it after 90 s without an
            # answer; the tornado it runs on warns at every connection that a timeout longer than the
            # interval is not allowed.  Pinging every 90 s keeps the 90 s timeout, without the warning.
            "tornado_settings": {"ws_ping_interval": 90000, "ws_ping_timeout": 90000},
        },
    },
    STATE / "jupyter" / "config" / "voila.json": {"KernelManager": {"transport_encryption": "auto"}},
}


def merge(settings: dict, ours: dict) -> dict:
    """settings with ours written into it, key by key (other keys, e.g. a student's, are kept)."""
    merged = dict(settings)
    for key, value in ours.items():
        merged[key] = merge(merged.get(key, {}), value) if isinstance(value, dict) else value
    return merged


def configure_jupyter() -> None:
    """Write JUPYTER_SETTINGS into their files in .venv (merged into what is there; rewritten only on change)."""
    for path, ours in JUPYTER_SETTINGS.items():
        try:
            current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except ValueError:
            print(f"{path} is not valid JSON; left as it is (the course's settings were not added)")
            continue
        wanted = merge(current, ours)
        if wanted != current:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(wanted, indent=2) + "\n", encoding="utf-8")


# ---- the course website (python3 course.py site) ----------------------------------------
# Jupyter Book 1 turns the notebooks, with their stored outputs, into a static site.  Its
# packages are pinned in requirements-site.txt and installed into a virtual environment of
# their own, .venv/site, so that they cannot change the course's pins (students never need them).
SITE_SOURCES = ROOT / "site"  # _config.yml, _toc.yml and the landing page intro.md
SITE_VENV = VENV / "site"
SITE_STAMP = SITE_VENV / "initlab-site-installed.txt"
SITE_BUILD = ROOT / "build" / "site"  # ignored by git


def site_tool(name: str) -> Path:
    """A program of the site's environment, e.g. site_tool("jupyter-book")."""
    if os.name == "nt":
        return SITE_VENV / "Scripts" / f"{name}.exe"
    return SITE_VENV / "bin" / name


def setup_site() -> None:
    """Create .venv/site and install requirements-site.txt into it: the first time, and when that file changes."""
    pins = (ROOT / "requirements-site.txt").read_bytes()
    wanted = hashlib.sha256(pins).hexdigest()
    if not site_tool("python").exists():
        print(f"Creating a virtual environment for the site's tools in {SITE_VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(SITE_VENV)
    if SITE_STAMP.exists() and SITE_STAMP.read_text().strip() == wanted:
        return
    install = [site_tool("python"), "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
               "-r", ROOT / "requirements-site.txt"]
    if run(install) != 0:
        sys.exit("Installing the site's tools failed (see the messages above). Check the network connection "
                 "to PyPI and run again.")
    SITE_STAMP.write_text(wanted + "\n")


def build_site(destination: Path = SITE_BUILD, extra=()) -> int:
    """Build the site from site/ and notebooks/ into destination/_build/html; warnings are errors.

    The sources are copied to destination/source first (the notebooks as they are, with their
    stored outputs and times, so that an unchanged lesson is not rebuilt), because Jupyter Book
    builds one folder and the lessons live beside site/, not in it.
    """
    source = destination / "source"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(SITE_SOURCES, source)
    shutil.copytree(ROOT / "notebooks", source / "notebooks", ignore=shutil.ignore_patterns("*.cfg", ".*"))
    status = run([site_tool("jupyter-book"), "build", source, "--path-output", destination,
                  "--warningiserror", "--nitpick", "--keep-going", "--quiet"] + list(extra))
    built = destination / "_build" / "html"
    if status == 0:
        print(f"The site is in {built}; open {(built / 'index.html').as_uri()} in a browser.")
    return status


def main(argv) -> int:
    if not argv or argv[0] not in ("lab", "test", "voila", "setup", "student", "site"):
        print(USAGE)
        return 2
    command, extra = argv[0], argv[1:]
    keep_state_inside_checkout()
    if command == "site":  # needs only its own environment, not the course's
        setup_site()
        return build_site(SITE_BUILD, extra)
    setup()
    if command == "test":  # the tests build the site too: its tools are set up here, not while a test runs
        setup_site()
    configure_jupyter()
    python = venv_python()
    env_python = [python]
    if command == "setup":
        return 0
    if command == "student":
        return run(env_python + [ROOT / "tools" / "student_edition.py"] + extra)
    if command == "lab":
        # Jupyter refuses to run as root unless told; containers often run as root
        as_root = ["--allow-root"] if os.name != "nt" and os.geteuid() == 0 else []
        return run(env_python + ["-m", "jupyter", "lab", "--notebook-dir", "notebooks"] + as_root + extra)
    if command == "voila":
        if not extra:
            print("Which notebook?  e.g. python3 course.py voila notebooks/02_gaussian_collapse_and_saturation.ipynb")
            return 2
        return run(env_python + ["-m", "voila"] + extra)
    # pytest-xdist runs one worker per core, each with its notebook kernels: one BLAS thread
    # each keeps them from fighting over the cores (OpenBLAS's threads spin while they wait).
    # The stored outputs are the same for any thread count; a value set by the caller wins.
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    return run(env_python + ["-m", "pytest"] + extra)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
