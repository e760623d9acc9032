"""The student edition: built with one command, no worked solution in it, runs top to bottom with the stubs."""

import ast
import json
import sys
from pathlib import Path

import nbclient
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import student_edition  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LESSONS = [p for p in NOTEBOOKS if not p.name.startswith("00_")]  # 00 checks the installation: no exercises


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def code(cell):
    return "".join(cell["source"]) if cell["cell_type"] == "code" else ""


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    target = tmp_path_factory.mktemp("student")
    written = student_edition.build(target_dir=target)
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]
    return target


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_each_lesson_asks_for_three_predictions_and_three_exercises_one_a_transfer(lesson):
    cells = load(lesson)["cells"]
    predictions = sum(code(c).count("exercises.predict(") for c in cells)
    solutions = [c for c in cells if student_edition.is_solution(c)]
    transfers = [c for c in solutions if "transfer" in c["metadata"].get("tags", [])]
    assert predictions >= 3 and len(solutions) >= 3 and len(transfers) >= 1, (predictions, len(solutions), len(transfers))
    assert "initlab.lesson.start()" in code(next(c for c in cells if c["cell_type"] == "code"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_student_notebook_is_the_instructor_one_with_stubs_for_solutions(edition, notebook):
    instructor, student = load(notebook), load(edition / notebook.name)
    assert "widgets" not in student["metadata"]
    assert len(student["cells"]) == len(instructor["cells"])
    for theirs, ours in zip(instructor["cells"], student["cells"]):
        expected = student_edition.stub(code(theirs)) if student_edition.is_solution(theirs) else "".join(theirs["source"])
        assert "".join(ours["source"]) == expected
        if ours["cell_type"] == "code":
            assert ours["outputs"] == [] and ours["execution_count"] is None
    # so filling each stub with its worked solution gives back the instructor notebook, whose
    # checks all pass under strict nbval (the notebooks' own test)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_solution_text_survives(edition, notebook):
    cells = load(notebook)["cells"]
    elsewhere = "\n".join("".join(c["source"]) for c in cells if not student_edition.is_solution(c))
    student_text = (edition / notebook.name).read_text(encoding="utf-8")
    for cell in filter(student_edition.is_solution, cells):
        for line in code(cell).splitlines():
            line = line.strip()
            if len(line) >= 12 and line not in elsewhere and not line.endswith("= ..."):
                assert json.dumps(line)[1:-1] not in student_text, f"{notebook.name}: solution line {line!r} survives"


def test_stub_names_what_to_produce():
    assert student_edition.stub("# worked solution\nmy_answer = 0.2133 * 0.224 ** 4") == "my_answer = ...  # your answer"
    assert student_edition.stub("w, b = 1, 2\nprint(w)") == "w = ...  # your answer\nb = ...  # your answer"
    assert student_edition.stub("def my_init(fan_in, fan_out, rng):\n    return 0") == \
        "my_init = ...  # your function my_init(fan_in, fan_out, rng)"


def halve(name, value):
    """``value`` halved if it is a size (a whole number >= 2, or a tuple or list of them) and ``name`` no seed."""
    items = value if isinstance(value, (tuple, list)) else [value]
    if "seed" in name.lower() or not items or not all(type(x) is int for x in items):
        return value
    halved = [x // 2 if x >= 2 else x for x in items]   # so a halved size stays >= 1
    return type(value)(halved) if isinstance(value, (tuple, list)) else halved[0]


def experiment(path):
    """A student's quick run: every whole-number setting of the settings cell halved.

    A student who wants a faster run makes the sizes smaller.  In the settings cell (the
    2nd code cell) each one-line assignment of literal numbers (``width, depth = 500, 10``,
    ``linear_depths = (1, 5, 20, 100)``) has its whole numbers >= 2 halved: widths, depths,
    sample counts, epochs, batch sizes.  Left alone: seeds (a name containing "seed" is
    not a size), other numbers (rates, fractions), and lines computed from the settings
    (``reference = dict(width=(width, 300))`` keeps the course's values, so the facts can
    tell the experiment from a broken course, and ``1 / 64``).  The lesson's heavy cells
    take their sizes from these settings, so the run is cheaper too.

    Writes the changed notebook back; returns {name: new value} for the test to check.
    """
    notebook = load(path)
    cell = [c for c in notebook["cells"] if c["cell_type"] == "code"][1]
    lines = "".join(cell["source"]).split("\n")
    changed = {}
    for node in ast.parse("\n".join(lines)).body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1 or node.lineno != node.end_lineno:
            continue
        target, value = node.targets[0], node.value
        unpacked = isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
        pairs = zip(target.elts, value.elts) if unpacked else [(target, value)]
        try:
            old = {name.id: ast.literal_eval(number) for name, number in pairs}
        except (ValueError, AttributeError):   # not literal numbers, or not names
            continue
        new = {name: halve(name, number) for name, number in old.items()}
        if new != old:
            changed.update({name: new[name] for name in new if new[name] != old[name]})
            line = lines[node.lineno - 1]
            lines[node.lineno - 1] = line[:value.col_offset] + ", ".join(map(repr, new.values())) + line[value.end_col_offset:]
    if not changed:
        raise AssertionError(f"{Path(path).name}: no whole-number setting in its settings cell")
    cell["source"] = "\n".join(lines)
    Path(path).write_text(json.dumps(notebook), encoding="utf-8")
    return changed


def test_a_quick_run_halves_the_sizes_not_seeds_rates_or_references(tmp_path):
    settings = ("width, depth, eta, seed = 500, 3, 0.5, 7   # the reference run\n"
                "depths = (1, 5, 20)\nSEED = 4\nq_star = 1 / 64\nreference = dict(width=(width, 500))")
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "import initlab"},
                                          {"cell_type": "code", "source": settings}]}), encoding="utf-8")
    assert experiment(path) == {"width": 250, "depth": 1, "depths": (1, 2, 10)}
    assert load(path)["cells"][1]["source"] == settings.replace("500, 3,", "250, 1,").replace("(1, 5, 20)", "(1, 2, 10)")


def reads(source, name) -> bool:
    """Whether the code ``source`` reads the variable ``name``."""
    return any(isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
               for node in ast.walk(ast.parse(source)))


def execute(notebook, directory):
    """Run ``notebook`` (a dict) top to bottom in a fresh kernel, in ``directory``; return it with its outputs.

    nbclient in this process, as ``jupyter nbconvert --execute`` does in a new one, without
    that process's start and imports.  A cell that raises stops the run (CellExecutionError).
    """
    notebook = nbformat.reads(json.dumps(notebook), as_version=4)
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(directory)}}).execute()
    return notebook


def runs_to_the_end_and_says_what_is_not_answered(edition, notebook, tmp_path):
    # each lesson also runs with smaller sizes, as a student wanting a quick run would set them:
    # its facts then become notes, and the notebook still reaches the end.  One notebook a
    # test, so that a failure names its lesson.
    path = tmp_path / notebook.name   # a copy: the edition itself stays as built
    path.write_bytes((edition / notebook.name).read_bytes())
    changed = experiment(path) if notebook in LESSONS else {}
    run = load(path)
    later = "\n".join(code(c) for c in [c for c in run["cells"] if c["cell_type"] == "code"][2:])
    unused = [name for name in changed if not reads(later, name)]
    assert not unused, f"{notebook.name}: no cell after the settings uses {unused}"
    # a last cell says which initlab ran, and the settings' values at the end of the run
    probe = f"import initlab\nprint('PROBE', repr((initlab.__file__, {{{', '.join(f'{n!r}: {n}' for n in changed)}}})))"
    run["cells"].append(nbformat.v4.new_code_cell(probe))
    try:
        executed, stopped = execute(run, tmp_path), None
    except nbclient.exceptions.CellExecutionError as error:
        stopped = str(error)[-3000:]
    assert stopped is None, f"{notebook.name} stopped:\n{stopped}"
    outputs = [o for c in executed["cells"][:-1] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    said = "".join("".join(o.get("text", "")) for o in outputs if o["output_type"] == "stream")
    probed = "".join(o.get("text", "") for o in executed["cells"][-1]["outputs"] if o["output_type"] == "stream")
    source_file, values = ast.literal_eval(probed.removeprefix("PROBE "))
    assert Path(source_file).is_relative_to(ROOT / "initlab"), f"the kernel ran {source_file}, not this initlab"
    assert values == changed, f"{notebook.name}: the settings at the end of the run {values} are not {changed}"
    if notebook in LESSONS:
        stubs = said.count("Not answered yet")
        assert stubs >= 3, f"{notebook.name}: 'Not answered yet' said {stubs} times, not once per stub (>= 3)"


# The ten runs take about 55 s of CPU: two classes, so that pytest-xdist (--dist loadscope)
# gives each half to another core.  Each half holds about as much work, by each run's CPU seconds at the halved
# settings: 05 10.6, 07 7.3, 09 6.9, 06 6.5, 08 5.8, 02 5.0, 01 4.4, 04 3.3, 00 2.5, 03 2.5.
HALVES = ({"02", "03", "04", "05", "06"}, {"00", "01", "07", "08", "09"})
assert set.union(*HALVES) == {p.name[:2] for p in NOTEBOOKS}, "a new lesson goes into one of the halves"


@pytest.mark.student_runs
class TestStudentEditionRunsFirstHalf:
    @pytest.mark.parametrize("notebook", [p for p in NOTEBOOKS if p.name[:2] in HALVES[0]], ids=lambda p: p.stem)
    def test_runs_to_the_end_and_says_what_is_not_answered(self, edition, notebook, tmp_path):
        runs_to_the_end_and_says_what_is_not_answered(edition, notebook, tmp_path)


@pytest.mark.student_runs
class TestStudentEditionRunsSecondHalf:
    @pytest.mark.parametrize("notebook", [p for p in NOTEBOOKS if p.name[:2] in HALVES[1]], ids=lambda p: p.stem)
    def test_runs_to_the_end_and_says_what_is_not_answered(self, edition, notebook, tmp_path):
        runs_to_the_end_and_says_what_is_not_answered(edition, notebook, tmp_path)
