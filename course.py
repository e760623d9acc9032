#!/usr/bin/env python3
"""Set up and run the initlab course: one command each, on Linux, macOS and Windows.

    python3 course.py lab      install everything (first time) and open JupyterLab
    python3 course.py test     install everything (first time) and run all tests
    python3 course.py voila notebooks/02_gaussian_collapse_and_saturation.ipynb
                               show a notebook as a dashboard (Voila)
    python3 course.py student  write the student edition (no worked solutions) into student/
    python3 course.py setup    only install

(On Windows write ``py course.py ...``.)  Everything is installed into ``.venv``
inside this folder; nothing outside the checkout is touched.  The environment is
reused on later runs and refreshed when requirements.txt or pyproject.toml
change.  Extra arguments are passed on, e.g. ``python3 course.py test -k theory``.
"""

import hashlib
import os
import re
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
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except (OSError, subprocess.CalledProcessError) as error:
            sys.exit(f"Creating the virtual environment {VENV} failed ({error}). On Debian or Ubuntu, install "
                     f"the package python3-venv (or python{sys.version_info[0]}.{sys.version_info[1]}-venv) first.")
    if STAMP.exists() and STAMP.read_text().strip() == fingerprint():
        return
    pip(["install", "--disable-pip-version-check", "--quiet", "-r", "requirements.txt"])
    pip(["install", "--disable-pip-version-check", "--quiet", "--no-deps", "-e", "."])
    STAMP.write_text(fingerprint() + "\n")


def main(argv) -> int:
    if not argv or argv[0] not in ("lab", "test", "voila", "setup", "student"):
        print(USAGE)
        return 2
    command, extra = argv[0], argv[1:]
    keep_state_inside_checkout()
    setup()
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
    return run(env_python + ["-m", "pytest"] + extra)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
