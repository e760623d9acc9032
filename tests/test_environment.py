"""requirements.txt and environment.yml pin the same versions; import stays light."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pins(text):
    return dict(re.findall(r"^\s*(?:-\s+)?([A-Za-z0-9_.\-]+)==([^\s#]+)", text, flags=re.MULTILINE))


def test_requirements_and_environment_agree():
    requirements = pins((ROOT / "requirements.txt").read_text())
    environment = pins((ROOT / "environment.yml").read_text())
    assert requirements, "requirements.txt pins nothing"
    for name in ("numpy", "matplotlib", "jupyterlab", "ipywidgets", "nbval", "pytest"):
        assert name in requirements, f"{name} is not pinned in requirements.txt"
    assert requirements == environment


def test_every_requirement_is_pinned_exactly():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][^\s]*", line), f"not an exact pin: {line!r}"


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    for name, pinned in pins((ROOT / "requirements.txt").read_text()).items():
        assert version(name) == pinned, f"{name} {version(name)} is installed, requirements.txt pins {pinned}"


def test_import_initlab_does_not_load_matplotlib_or_widgets():
    code = "import sys, initlab; print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
