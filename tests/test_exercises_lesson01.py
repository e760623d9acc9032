"""Lesson 01's checks: the right answer passes, each named mistake says what it is, malformed answers are named."""

import re

import numpy as np
import pytest

from initlab import data, exercises, initializers
from initlab.exercises import lesson01
from initlab.mlp import MLP


@pytest.fixture(scope="module")
def moons():
    x, labels = data.two_moons(400, noise=0.15, rng=0)
    (x_train, y_train), _ = data.train_validation_split(x, labels, 100, rng=0)
    return x_train, y_train


FIT = dict(epochs=20, batch_size=10, eta=0.5, rng=2)


def no(check, answer, *args, match, **kwargs):
    with pytest.raises(exercises.NotYet, match=match):
        check(answer, *args, **kwargs)


# ---- exercise 1: the constant start -----------------------------------------------
def test_constant_start_right_answer_passes(moons, capsys):
    assert exercises.check_constant_start(0.0, *moons, **FIT) is True
    assert capsys.readouterr().out.startswith("✓ Correct: every hidden unit has exactly the same incoming weights")


def test_constant_start_rows_instead_of_columns_is_named(moons):
    net = MLP([2, 8, 2], activation="sigmoid", weight_init=initializers.constant(0.3), bias_init="zeros", rng=1)
    net.fit(*moons, **FIT)
    rows = float(np.abs(net.weights[0] - net.weights[0][:1, :]).max())
    assert rows > 0
    no(exercises.check_constant_start, rows, *moons, **FIT, match="difference between rows")
    no(exercises.check_constant_start, 0.5, *moons, **FIT, match=r"the columns differ by 0, not 0.5")


# ---- exercise 2: which starts keep the units interchangeable ----------------------
def test_starts_are_what_their_descriptions_say():
    assert [label for label in lesson01.STARTS if lesson01.interchangeable(lesson01.start(label))] == ["B", "C", "E"]
    a = lesson01.start("A")
    assert np.abs(a.weights[1]).max() == 0 and len(set(a.weights[0][0])) == 8
    b = lesson01.start("B", n_hidden=5)
    assert b.weights[0].shape == (2, 5) and len(set(b.weights[0][:, 0])) == 2 and (b.weights[1] == 0.5).all()
    assert (lesson01.start("C").biases[0] == 1.0).all() and len(set(lesson01.start("D").biases[0])) == 8
    e = lesson01.start("E")
    assert (e.weights[0] == 0.3).all() and len(set(e.weights[1][0])) == 2
    assert lesson01.start("F").biases[0].tolist() == pytest.approx([0.1 * j for j in range(8)])


@pytest.mark.parametrize("answer", [{"B", "C", "E"}, ["e", "c", "b"], ("B", " C", "E"), frozenset("BCE")])
def test_interchangeable_starts_right_answer_passes(answer, capsys):
    assert exercises.check_interchangeable_starts(answer) is True
    assert capsys.readouterr().out.startswith("✓ Correct: B, C, E keep the units interchangeable")


@pytest.mark.parametrize("answer, hint", [
    ({"A", "B", "C", "E"}, r"A does not: its units' incoming weights \(columns of W1\) differ. A zero output layer"),
    ({"C", "E"}, r"B does: .* what matters is being equal from unit to unit"),
    ({"B", "E"}, r"C does: .* whether they are 0 or 1"),
    ({"B", "C", "D", "E"}, r"D does not: its units' biases differ. Each unit's own bias"),
    ({"B", "C"}, r"E does: .* rows of W2"),
    ({"B", "C", "E", "F"}, r"F does not: its units' biases differ. A bias that depends on j"),
])
def test_interchangeable_starts_each_wrong_item_is_named(answer, hint):
    no(exercises.check_interchangeable_starts, answer, match=hint)


@pytest.mark.parametrize("answer, error", [
    ("BCE", TypeError), ("0.1", TypeError), (None, TypeError), (float("nan"), TypeError), ({"B", "G"}, ValueError),
    ({"B", 1}, ValueError),
])
def test_interchangeable_starts_malformed_answer_is_named(answer, error):
    with pytest.raises(error, match="answer must"):
        exercises.check_interchangeable_starts(answer)


# ---- exercise 3 (transfer): zero weights, random biases, tanh --------------------
def test_first_moving_step_is_measured():
    assert lesson01.first_moving_step() == 2
    assert lesson01.first_moving_step(bias_std=0.0) == 0          # case (c): frozen
    assert lesson01.first_moving_step(activation="sigmoid", bias_std=0.0) == 2


def test_first_moving_step_right_answer_passes(capsys):
    assert exercises.check_first_moving_step(2) is True
    assert capsys.readouterr().out.startswith("✓ Correct: W1 first moves at step 2.")


@pytest.mark.parametrize("answer, hint", [
    (0, r"case \(c\), frozen because every hidden output is tanh\(0\) = 0"),
    (1, r"W2 is still 0"),
    (5, r"not step 5"),
])
def test_first_moving_step_mistakes_are_named(answer, hint):
    no(exercises.check_first_moving_step, answer, match=hint)


# ---- every check: ... is "not answered yet", out of range is told so (malformed: test_exercises_answers.py)
CHECKS = [(exercises.check_constant_start, True), (exercises.check_interchangeable_starts, False),
          (exercises.check_first_moving_step, False)]


@pytest.mark.parametrize("check, needs_data", CHECKS)
def test_ellipsis_is_not_answered_yet(check, needs_data, moons, capsys):
    assert (check(..., *moons, **FIT) if needs_data else check(...)) is None
    assert "Not answered yet" in capsys.readouterr().out


@pytest.mark.parametrize("check, message", [
    (exercises.check_constant_start, "a largest absolute difference is >= 0, you have -1."),
    (exercises.check_first_moving_step, "a step number is 1 or more (0 would mean never), you have -1."),
])
def test_a_negative_answer_is_told_its_range(check, message, moons):
    with pytest.raises(exercises.NotYet, match=re.escape(message)):
        check(-1, *moons, **FIT) if check is exercises.check_constant_start else check(-1)


def test_a_step_beyond_the_first_ten_is_told_so():
    with pytest.raises(exercises.NotYet, match="W1 moves within the first 10 steps"):
        exercises.check_first_moving_step(10**400)
