"""The student edition: built with one command, no worked solution in it, runs top to bottom with the stubs."""

import json
import subprocess
import sys
from pathlib import Path

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


def experiment(path):
    """A student's experiment: the first whole-number setting (> 1) of the settings cell made 20% smaller.

    Returns the changed line, so the test can check the run really used it.
    """
    notebook = load(path)
    cell = [c for c in notebook["cells"] if c["cell_type"] == "code"][1]
    lines = "".join(cell["source"]).split("\n")
    for i, line in enumerate(lines):
        code, _, comment = line.partition("#")
        if "=" not in code or code.lstrip().startswith(("(", "[")):
            continue
        names, values = code.split("=", 1)
        values = values.split(",")
        for k, value in enumerate(values):
            number = value.strip().replace("_", "")
            if number.isdigit() and int(number) > 1:
                values[k] = " " + str(int(int(number) * 0.8))
                lines[i] = f"{names.rstrip()} ={','.join(values).rstrip()}   # a student's experiment"
                cell["source"] = "\n".join(lines)
                Path(path).write_text(json.dumps(notebook), encoding="utf-8")
                return lines[i]
    raise AssertionError(f"{Path(path).name}: no whole-number setting in its settings cell")


def runs_to_the_end_and_says_what_is_not_answered(edition, notebook, tmp_path):
    # each lesson also runs with a changed setting, as a student experimenting would:
    # its facts then become notes, and the notebook still reaches the end.  One notebook a
    # test, so that a failure names its lesson.
    path = tmp_path / "student" / notebook.name   # a copy: the edition itself stays as built
    path.parent.mkdir()
    path.write_bytes((edition / notebook.name).read_bytes())
    changed = experiment(path) if notebook in LESSONS else None
    result = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                             "--output-dir", str(tmp_path), str(path)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{notebook.name} stopped:\n{result.stderr[-2000:]}"
    executed = load(tmp_path / notebook.name)
    outputs = [o for c in executed["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    said = "".join("".join(o.get("text", "")) for o in outputs if o["output_type"] == "stream")
    if notebook in LESSONS:
        assert said.count("Not answered yet") >= 3, notebook.name
        settings = "".join([c for c in executed["cells"] if c["cell_type"] == "code"][1]["source"])
        assert changed in settings, (notebook.name, changed)


# The ten runs take about two minutes of CPU: two classes, so that pytest-xdist (--dist loadscope)
# gives each half to another core.  Each half holds about as much work (the slowest lessons apart).
HALVES = ({"00", "02", "03", "04", "09"}, {"01", "05", "06", "07", "08"})
assert set.union(*HALVES) == {p.name[:2] for p in NOTEBOOKS}, "a new lesson goes into one of the halves"


class TestStudentEditionRunsFirstHalf:
    @pytest.mark.parametrize("notebook", [p for p in NOTEBOOKS if p.name[:2] in HALVES[0]], ids=lambda p: p.stem)
    def test_runs_to_the_end_and_says_what_is_not_answered(self, edition, notebook, tmp_path):
        runs_to_the_end_and_says_what_is_not_answered(edition, notebook, tmp_path)


class TestStudentEditionRunsSecondHalf:
    @pytest.mark.parametrize("notebook", [p for p in NOTEBOOKS if p.name[:2] in HALVES[1]], ids=lambda p: p.stem)
    def test_runs_to_the_end_and_says_what_is_not_answered(self, edition, notebook, tmp_path):
        runs_to_the_end_and_says_what_is_not_answered(edition, notebook, tmp_path)
