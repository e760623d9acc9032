"""Facts that tell a student's experiment from a broken course; short errors; hints for cells run out of order."""

import json

import numpy as np
import pytest

import initlab
from initlab import lesson


def test_a_fact_that_holds_says_nothing(capsys):
    assert lesson.fact(True, "each layer multiplies the std by 0.224", width=(500, 500)) is True
    assert capsys.readouterr().out == ""


def test_a_failing_fact_at_the_course_settings_raises():
    with pytest.raises(lesson.FactError, match=r"each layer multiplies the std by 0.224 -- this no longer holds"):
        lesson.fact(False, "each layer multiplies the std by 0.224", width=(500, 500), depth=(10, 10))


def test_a_failing_fact_after_a_students_change_is_a_note(capsys):
    assert lesson.fact(False, "each layer multiplies the std by 0.224", width=(400, 500), depth=(10, 10)) is False
    assert capsys.readouterr().out == ("Note: your width is 400, the course's reference run used 500, so this "
                                       "differs from the lesson: each layer multiplies the std by 0.224\n")


def test_fact_arguments_are_checked():
    with pytest.raises(TypeError, match=r"width must be a pair \(your value, the course's value\), got 500"):
        lesson.fact(True, "x", width=500)
    with pytest.raises(TypeError, match=r"claim must be the fact in words"):
        lesson.fact(True, 3)


@pytest.mark.parametrize("call, error, message", [
    (lambda: lesson.fact(None, "x"), TypeError, r"holds must be True or False, .*got None \(NoneType\)"),
    (lambda: lesson.fact("yes", "x"), TypeError, r"holds must be True or False, .*got 'yes' \(str\)"),
    (lambda: lesson.fact(float("nan"), "x"), TypeError, r"holds must be True or False, .*got nan \(float\)"),
    (lambda: lesson.fact(np.array([True, False]), "x"), TypeError, r"holds must be .*\(use .all\(\) or .any\(\)"),
    (lambda: lesson.fact(True, ""), ValueError, r"claim must be the fact in words, got an empty text"),
    (lambda: lesson.where_defined(None, "lesson.ipynb"), TypeError, r"name must be a Python name"),
    (lambda: lesson.where_defined("a(b", "lesson.ipynb"), TypeError, r"name must be a Python name"),
    (lambda: lesson.where_defined("runs", 3), TypeError, r"notebook must be the path of a .ipynb file"),
], ids=["None", "text", "nan", "array", "empty claim", "no name", "not a name", "no path"])
def test_a_malformed_fact_or_hint_is_refused_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_bools_are_facts_too():
    assert lesson.fact(np.bool_(True), "x") is True
    assert lesson.fact(np.array([True]), "x") is True
    with pytest.raises(lesson.FactError):
        lesson.fact(np.float64(1.0) > 2, "x")


def test_fact_error_renders_as_one_line():
    with pytest.raises(lesson.FactError) as error:
        lesson.fact(False, "the means stay at 0")
    assert error.value._render_traceback_() == [f"FactError: {error.value}"]


def test_argument_errors_render_as_the_message_and_the_callers_line():
    with pytest.raises(ValueError) as error:
        initlab.propagate("lecun_normal", "tanh", depth=0)
    rendered = error.value._render_traceback_()
    assert rendered[0] == "ValueError: depth must be an integer >= 1, got 0"
    assert rendered[1].startswith("    in your code, line ") and 'initlab.propagate("lecun_normal", "tanh", depth=0)' in rendered[1]
    with pytest.raises(TypeError) as error:
        initlab.initializers.normal("0.1")
    assert error.value._render_traceback_()[0] == "TypeError: std must be a real number, got '0.1' (str)"


@pytest.mark.parametrize("name, cell", [("runs", 2), ("small", 3), ("column_spread", 4), ("layer", 5), ("np", 1),
                                        ("plots", 1), ("ratio", 3)])
def test_where_defined_finds_the_cell_that_makes_a_name(tmp_path, name, cell):
    sources = ["import numpy as np\nfrom initlab import plots", "runs = {}\nprint(runs)",
               "small, ratio = runs['a'], 2\nx = small == 3", "def column_spread(w):\n    return w",
               "for layer in range(3):\n    print(layer)"]
    notebook = tmp_path / "lesson.ipynb"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": "# runs = 1"}] +
                                   [{"cell_type": "code", "source": s} for s in sources]}))
    place = lesson.where_defined(name, notebook)
    assert place.startswith(f"code cell {cell} of this lesson, which starts ")


def test_where_defined_knows_when_it_does_not_know(tmp_path):
    assert lesson.where_defined("anything", tmp_path / "missing.ipynb") is None
    assert lesson.where_defined("anything", tmp_path) is None  # a directory
    (tmp_path / "list.ipynb").write_text("[1, 2]")
    assert lesson.where_defined("anything", tmp_path / "list.ipynb") is None
    notebook = tmp_path / "lesson.ipynb"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "x = runs"}]}))
    assert lesson.where_defined("runs", notebook) is None


def test_in_ipython_a_name_error_says_which_cell_to_run(tmp_path, monkeypatch, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    notebook = tmp_path / "02_lesson.ipynb"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "import initlab\ninitlab.lesson.start()"},
                                              {"cell_type": "code", "source": "runs = {'a': 1}"},
                                              {"cell_type": "code", "source": "print(runs)"}]}))
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook))
    shell = InteractiveShell.instance()
    try:
        assert shell.run_cell("import initlab.lesson\ninitlab.lesson.start()").success
        result = shell.run_cell("print(runs)")
        assert isinstance(result.error_in_exec, NameError)  # the cell still fails
        out = capsys.readouterr().out
        assert "Hint: 'runs' is not defined yet: it is made in code cell 2 of this lesson, which starts " \
               "\"runs = {'a': 1}\". Run the cells above this one first" in out
    finally:
        shell.set_custom_exc((), None)
        InteractiveShell.clear_instance()
