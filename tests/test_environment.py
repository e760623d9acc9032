"""requirements.txt and environment.yml pin the same versions; import stays light; the README's commands hold."""

import ast
import importlib.machinery
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


# ---- which Python, and what course.py says when installing fails --------------------------------
def load_script(path, name):
    """A script of the checkout (course.py, .ci/lower-bounds) as a module, without running its main()."""
    loader = importlib.machinery.SourceFileLoader(name, str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    loader.exec_module(module)
    return module


def test_readme_environment_and_notebook_00_name_the_python_course_py_requires():
    course = load_script(ROOT / "course.py", "course")
    major, minor = course.COURSE_PYTHON
    assert f"You need Python {major}.{minor} or newer" in (ROOT / "README.md").read_text()
    assert re.search(r"^\s*- python=(\S+)", (ROOT / "environment.yml").read_text(), re.MULTILINE).group(1) \
        == f"{major}.{minor}"
    setup_check = (ROOT / "notebooks" / "00_setup_check.ipynb").read_text()
    assert f"sys.version_info >= ({major}, {minor})" in setup_check and "versions.report" in setup_check


def test_the_lower_bounds_job_reads_pyproject(tmp_path):
    job = load_script(ROOT / ".ci" / "lower-bounds", "lower_bounds")
    python, bounds = job.declared()
    assert python == (3, 10) and [b.split("==")[0] for b in bounds] == ["numpy", "matplotlib", "ipywidgets", "threadpoolctl"]
    assert "matplotlib==3.9" in bounds  # with 3.8, axvspan returns a Polygon and notebook 03's explorer fails


def test_an_old_python_is_refused_before_anything_is_created(tmp_path, monkeypatch):
    course = load_script(ROOT / "course.py", "course")
    monkeypatch.setattr(course, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(course, "COURSE_PYTHON", (sys.version_info[0], sys.version_info[1] + 1))
    with pytest.raises(SystemExit) as stop:
        course.setup()
    wanted = f"{sys.version_info[0]}.{sys.version_info[1] + 1}"
    assert f"The course needs Python {wanted} or newer; this is Python {sys.version.split()[0]}" in str(stop.value)
    assert f"python{wanted} course.py lab" in str(stop.value)
    assert not (tmp_path / ".venv").exists()


PIP_SAYS = {  # what pip 23 printed on Python 3.10, offline, and on a full disk
    "python": ("ERROR: Ignored the following versions that require a different python version: 2.3.0 Requires-Python "
               ">=3.11; 2.4.6 Requires-Python >=3.11; 2.5.0 Requires-Python >=3.12\nERROR: Could not find a version "
               "that satisfies the requirement numpy==2.4.6 (from versions: 1.26.4, 2.2.6)\n"
               "ERROR: No matching distribution found for numpy==2.4.6\n",
               "numpy 2.4.6, pinned in requirements.txt, needs Python >=3.11; this is Python"),
    "network": ("WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after "
                "connection broken by 'NewConnectionError(\"Failed to establish a new connection: [Errno -3] "
                "Temporary failure in name resolution\")': /simple/numpy/\nERROR: Could not find a version that "
                "satisfies the requirement numpy==2.4.6 (from versions: none)\n",
                "pip could not reach the package index: check the network connection"),
    "disk": ("ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device\n",
             "pip's reason: Could not install packages due to an OSError: [Errno 28] No space left on device"),
}


@pytest.mark.parametrize("case", sorted(PIP_SAYS))
def test_a_failed_install_names_pips_reason_not_always_the_network(case, monkeypatch, capsys):
    course = load_script(ROOT / "course.py", "course")
    output, reason = PIP_SAYS[case]
    monkeypatch.setattr(course.subprocess, "run",
                        lambda *args, **kwargs: subprocess.CompletedProcess(args, 1, stderr=output))
    with pytest.raises(SystemExit) as stop:
        course.pip(["install", "-r", "requirements.txt"])
    assert str(stop.value).startswith("Installing failed. " + reason)
    assert output in capsys.readouterr().err  # pip's own messages are shown too


def test_the_setup_check_names_each_version_that_differs_from_the_pins(tmp_path):
    from initlab import versions

    installed = versions.installed()
    pins = tmp_path / "requirements.txt"
    pins.write_text("".join(f"{name}=={installed[name]}\n" for name in versions.LIBRARIES))
    assert versions.report(pins) == ("numpy, matplotlib and ipywidgets are the versions the course pins "
                                     "(requirements.txt): your outputs will match the stored ones.")
    pins.write_text(f"numpy==0.1\nmatplotlib=={installed['matplotlib']}\n")
    lines = versions.report(pins).splitlines()
    assert lines == [f"numpy {installed['numpy']} is installed, the course pins 0.1: the notebooks run, but printed "
                     "numbers may differ in the last digits from the stored outputs.",
                     f"{pins} does not pin ipywidgets (installed: {installed['ipywidgets']})."]
    assert versions.report(tmp_path / "missing.txt").startswith("Cannot read the course's pins (No such file")


def test_the_quick_check_leaves_out_every_browser_module_and_only_the_student_runs():
    """README's quick check, -m "not browser and not student_runs", must not keep a test that starts Chromium
    nor drop more than the student edition's runs: each module that drives Chromium is marked as a whole."""
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        marked = any(isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)]
                     == ["pytestmark"] and ast.unparse(node.value) == "pytest.mark.browser" for node in tree.body)
        assert marked == bool(imported & {"browser_support", "offline_browser"}), path.name
    tree = ast.parse((ROOT / "tests" / "test_student_edition.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node in tree.body:
            runs = "runs_to_the_end_and_says_what_is_not_answered(" in ast.unparse(node) and \
                isinstance(node, ast.ClassDef)
            assert ("pytest.mark.student_runs" in map(ast.unparse, node.decorator_list)) == runs, node.name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 course.py test -m 'not browser and not student_runs'" in readme
