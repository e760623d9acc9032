"""The package's layout is its architecture: layers, one job per module, no cycles."""

import ast
import importlib
import pathlib

import pytest

import initlab

PACKAGE = pathlib.Path(initlab.__file__).parent
LAYERS = {
    "core": {"checks", "activations", "distributions", "initializers", "gaussian", "theory", "meanfield", "critical",
             "reference", "isometry"},
    "experiments": {"propagation", "diagnosis", "mlp", "mnist", "data", "experiments", "correlation", "trainability",
                    "jacobian", "deep_linear", "layers", "resnet", "lsuv", "first_steps"},
    "presentation": {"style", "plots", "phase_plots", "isometry_plots", "curves", "widgets", "exercises", "lesson",
                     "versions"},
}
RANK = {name: rank for rank, layer in enumerate(LAYERS.values()) for name in layer}
# initlab/datasets/ holds data and the script that made it, not a module of the package
SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "datasets" not in p.parts)
MODULES = [p for p in SOURCES if p != PACKAGE / "__init__.py"]


def top_module(path: pathlib.Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def initlab_imports(path: pathlib.Path) -> set:
    """The top-level initlab modules that ``path`` imports, anywhere in the file (functions too)."""
    tree = ast.parse(path.read_text())
    depth = len(path.relative_to(PACKAGE).parts) - 1  # 0 for initlab/x.py, 1 for initlab/widgets/x.py
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0 and (node.module or "").startswith("initlab."):
                found.add(node.module.split(".")[1])
            elif node.level == depth + 1:  # from .x import y / from .. import x
                found.update([node.module.split(".")[0]] if node.module else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("initlab."))
    return found - {top_module(path)}


def test_every_module_belongs_to_one_layer():
    assert {top_module(p) for p in MODULES} == set(RANK)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_its_layer_or_above(path):
    mine = RANK[top_module(path)]
    below = {name for name in initlab_imports(path) if RANK[name] > mine}
    assert not below, f"{path.name} ({mine}) imports {below} from a lower layer"


def test_no_import_cycle():
    graph = {}
    for path in MODULES:
        graph.setdefault(top_module(path), set()).update(initlab_imports(path))

    def visit(name, trail):
        assert name not in trail, "import cycle: " + " -> ".join(trail + [name])
        for nxt in graph.get(name, ()):
            visit(nxt, trail + [name])

    for name in graph:
        visit(name, [])


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_is_short_and_says_its_job(path):
    lines = path.read_text().splitlines()
    assert len(lines) <= 400, f"{path.name} has {len(lines)} lines; split it by job"
    docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
    summary = docstring.splitlines()[:2]
    assert len(summary) >= 1 and summary[0].endswith((".", "?")) and (len(summary) == 1 or summary[1] == ""), \
        f"{path.name} must open with a one-line summary of its job"


def test_all_lists_every_public_name_and_each_one_exists():
    for name in initlab.__all__:
        assert getattr(initlab, name) is not None
    readme = (PACKAGE.parent / "README.md").read_text()
    for name in initlab.__all__:
        if isinstance(getattr(initlab, name), type(initlab)):
            assert f"`initlab.{name}`" in readme, f"README's module table misses initlab.{name}"


def test_import_initlab_loads_no_presentation_module():
    import subprocess
    import sys

    code = "import sys, initlab; print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", ["widgets.signal", "widgets.weighted_sum", "widgets.training", "widgets.chaos",
                                  "widgets.isometry"])
def test_each_explorer_module_exports_its_function(name):
    module = importlib.import_module(f"initlab.{name}")
    assert any(n.endswith("_explorer") for n in module.__all__)
