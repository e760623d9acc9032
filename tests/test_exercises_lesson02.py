"""Lesson 02's checks: the right answer passes, each named mistake says what it is, malformed answers are named."""

import math

import numpy as np
import pytest

from initlab import exercises, initializers, propagate, theory
from initlab.exercises import lesson02


def no(check, answer, match):
    with pytest.raises(exercises.NotYet, match=match):
        check(answer)


# ---- the expected values, against simulation -------------------------------------
def test_fixed_point_and_chi_1_match_a_narrow_network():
    sigma_w = theory.sigma_w(1.0, 50)
    q_star = lesson02.fixed_point(sigma_w)
    assert q_star == pytest.approx(50 * theory.gaussian_expectation(lambda z: np.tanh(z) ** 2, q_star), rel=1e-9)
    run = propagate(initializers.normal(1.0), "tanh", depth=10, width=50, rng=0)
    growth = (run.grad_std[0] / run.grad_std[-1]) ** (1 / 9)
    assert growth == pytest.approx(math.sqrt(lesson02.chi_1(sigma_w, q_star)), rel=0.05)


def test_bias_fixed_point_matches_a_biased_network():
    run = propagate(initializers.normal(0.01), "tanh", depth=10, width=500, bias_std=0.05, rng=0)
    expected = theory.mean_field(10, theory.sigma_w(0.01, 500), sigma_b=0.05).std[-1]
    assert np.mean(run.std[3:]) == pytest.approx(expected, rel=0.03)
    assert expected == pytest.approx(math.sqrt(0.05**2 / (1 - 0.05)), rel=0.01)   # the linear answer counts


# ---- right answers, named mistakes ------------------------------------------------
# (check, right answer, [(a mistake, what its hint says)])
CASES = [
    (exercises.check_critical_width, 10_000, [
        (100, r"the condition is 0.01 \* sqrt\(width\) = 1"),
        (500 / (0.01 * math.sqrt(500)), r"the width must grow by the square"),
    ]),
    (exercises.check_chi_1, 3.993, [
        (3.749, r"chi_1 at layer 1, where q = sigma_w\^2 = 50"),
        (1.998, r"sqrt\(chi_1\), the factor of the gradient's std"),
        (0.0799, r"E\[tanh'\(z\)\^2\] alone"),
        (0.5647, r"Square sigma_w"),
        (1.212, r"q\* of width 500"),
        (12.11, r"chi_1 at width 500"),
    ]),
    (exercises.check_bias_fixed_point, math.sqrt(0.05**2 / 0.95), [
        (0.05, r"the biases alone"),
        (0.218, r"That is layer 1, whose input has variance 1"),
        (0.229, r"layer 1's input std"),
        (0.05 / (1 - math.sqrt(0.05)), r"Standard deviations do not add"),
        (0.05 / math.sqrt(1 - math.sqrt(0.05)), r"sigma_w multiplies the std"),
        (0.05**2 / 0.95, r"That is the variance q\*"),
    ]),
]


@pytest.mark.parametrize("check, right, mistakes", CASES, ids=[c[0].__name__ for c in CASES])
def test_right_answer_passes_and_each_mistake_is_named(check, right, mistakes, capsys):
    assert check(right) is True
    assert capsys.readouterr().out.startswith("✓ Correct")
    for answer, hint in mistakes:
        no(check, answer, hint)
    no(check, right * 1.03, "close — keep more digits")
    no(check, right * 7, "too large by a factor 7")


def test_critical_width_says_what_it_means(capsys):
    exercises.check_critical_width(1e4)
    assert "exactly N(0, 1) / sqrt(fan_in)" in capsys.readouterr().out


# ---- ... and answers not yet given (malformed ones: test_exercises_answers.py) ----------
@pytest.mark.parametrize("check", [c[0] for c in CASES], ids=[c[0].__name__ for c in CASES])
def test_ellipsis_is_not_answered_yet(check, capsys):
    assert check(...) is None
    assert "Not answered yet" in capsys.readouterr().out


@pytest.mark.parametrize("check", [c[0] for c in CASES], ids=[c[0].__name__ for c in CASES])
def test_non_positive_answer_is_told_its_range(check, capsys):
    no(check, 0, "is > 0, you have 0")
