"""Binder: read this repository the way repo2docker (mybinder.org's builder) does, and check what it installs.

repo2docker's documented rules, which `binder_plan` follows:
- configuration files are read from binder/ or .binder/ when one exists (then the root's are
  ignored; both at once is an error), else from the root
  (https://repo2docker.readthedocs.io/en/latest/use/repository.html);
- ONE build pack is used, the first that detects its file, in this order (repo2docker's
  Repo2Docker.buildpacks; the docs list the files "roughly in the order of build priority"):
  Dockerfile ("all other configuration files will be ignored"), Julia, Nix, R, environment.yml
  (conda), Pipfile, then requirements.txt / setup.py / pyproject.toml (pip);
- the conda build pack installs environment.yml only; the pip build pack installs
  requirements.txt and runs `pip install -e .` for a setup.py or pyproject.toml in the root,
  and not when a binder folder is used
  (https://repo2docker.readthedocs.io/en/latest/configuration/development.html);
- postBuild, from the same folder, runs after any build pack
  (https://repo2docker.readthedocs.io/en/latest/configuration/actions.html).
"""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

BUILD_PACKS = [  # (name, files that select it), in repo2docker's order
    ("docker", ("Dockerfile",)),
    ("julia", ("Project.toml", "JuliaProject.toml", "REQUIRE")),
    ("nix", ("default.nix",)),
    ("r", ("install.R", "DESCRIPTION")),
    ("conda", ("environment.yml",)),
    ("pipfile", ("Pipfile", "Pipfile.lock")),
    ("python", ("requirements.txt", "setup.py", "pyproject.toml")),
]


def pins(text):
    return dict(re.findall(r"^\s*(?:-\s+)?([A-Za-z0-9_.\-]+)==([^\s#]+)", text, flags=re.MULTILINE))


def binder_plan(repo: Path) -> dict:
    """What repo2docker would do with repo: its configuration folder, build pack, pins, and whether
    the repository's own package gets installed (and by what)."""
    folders = [repo / name for name in ("binder", ".binder") if (repo / name).is_dir()]
    if len(folders) > 1:
        raise ValueError("both binder/ and .binder/ exist; repo2docker refuses that")
    config = folders[0] if folders else repo
    pack = next((name for name, files in BUILD_PACKS if any((config / f).exists() for f in files)), "python")
    plan = {"folder": config, "build_pack": pack, "pins": {}, "installs_package": []}
    if pack == "conda":
        plan["pins"] = pins((config / "environment.yml").read_text())
        plan["python"] = re.search(r"^\s*-\s+python=(\S+)", (config / "environment.yml").read_text(), re.M).group(1)
    elif pack == "python":
        if (config / "requirements.txt").exists():
            plan["pins"] = pins((config / "requirements.txt").read_text())
        if config == repo and any((repo / f).exists() for f in ("setup.py", "pyproject.toml")):
            plan["installs_package"].append("pip install -e . (python build pack)")
    post_build = config / "postBuild"
    if post_build.exists() and pack != "docker":
        for line in post_build.read_text().splitlines():
            if re.search(r"\bpip install\b.*\s-e \.$", line.split("#")[0].strip()):
                plan["installs_package"].append(f"postBuild: {line.strip()}")
    return plan


def test_binder_builds_the_course_with_its_pins_and_installs_initlab():
    plan = binder_plan(ROOT)
    assert plan["folder"] == ROOT and plan["build_pack"] == "conda"
    course = pins((ROOT / "requirements.txt").read_text())
    assert plan["pins"] == course, "Binder would install other versions than requirements.txt pins"
    assert tuple(map(int, plan["python"].split("."))) >= (3, 11)  # the pins need Python >= 3.11 (ipykernel 7.4)
    assert plan["installs_package"] == ["postBuild: python -m pip install --no-deps --no-cache-dir -e ."]


def test_post_build_stops_on_errors_and_is_executable():
    post_build = ROOT / "postBuild"
    lines = post_build.read_text().splitlines()
    assert lines[0] == "#!/bin/bash"
    assert "set -euo pipefail" in lines  # repo2docker does not stop on a failing line by itself
    if os.name != "nt":
        assert os.access(post_build, os.X_OK)
    # only initlab itself: every other package comes pinned from environment.yml
    assert [line for line in lines if "pip install" in line and not line.startswith("#")] == [
        "python -m pip install --no-deps --no-cache-dir -e ."]


def _repo(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


# (case, files, expected build pack, expected folder, whether the package gets installed)
CASES = [
    ("environment.yml beats requirements.txt and pyproject", {"environment.yml": "dependencies:\n  - python=3.11\n",
     "requirements.txt": "numpy==2.4.6\n", "pyproject.toml": ""}, "conda", ".", False),
    ("requirements.txt alone: pip, and -e . for pyproject", {"requirements.txt": "numpy==2.4.6\n",
     "pyproject.toml": ""}, "python", ".", True),
    ("a .binder folder hides the root", {".binder/requirements.txt": "numpy==2.4.6\n",
     "environment.yml": "dependencies:\n  - python=3.11\n", "pyproject.toml": ""}, "python", ".binder", False),
    ("a Dockerfile wins over everything", {"Dockerfile": "FROM x\n", "environment.yml": "", "postBuild":
     "pip install -e .\n"}, "docker", ".", False),
    ("postBuild after conda installs the package", {"environment.yml": "dependencies:\n  - python=3.11\n",
     "postBuild": "python -m pip install --no-deps -e .\n"}, "conda", ".", True),
]


@pytest.mark.parametrize("case, files, pack, folder, installs", CASES, ids=[c[0] for c in CASES])
def test_the_model_follows_repo2dockers_order(tmp_path, case, files, pack, folder, installs):
    plan = binder_plan(_repo(tmp_path, files))
    assert (plan["build_pack"], plan["folder"], bool(plan["installs_package"])) == (pack, tmp_path / folder, installs)


def test_binder_and_dot_binder_together_are_refused(tmp_path):
    with pytest.raises(ValueError, match="both binder/ and .binder/"):
        binder_plan(_repo(tmp_path, {"binder/requirements.txt": "", ".binder/requirements.txt": ""}))
