"""Notebook 05's checks: the right answer passes, each named mistake names itself, nothing else passes."""

import math
import re

import numpy as np
import pytest

from initlab import diagnosis, theory
from initlab import exercises as ex
from initlab.exercises import lesson05

SILU_POWER = theory.gaussian_expectation(lambda z: lesson05.silu(z) ** 2, 1.0)
SILU_MEAN = theory.gaussian_expectation(lesson05.silu, 1.0)


def slope_power():
    s = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    return theory.gaussian_expectation(lambda z: (s(z) * (1 + z * (1 - s(z)))) ** 2, 1.0)


def test_silu_numbers_are_what_the_exercise_says():
    assert SILU_POWER == pytest.approx(0.3558, abs=1e-4) and SILU_MEAN == pytest.approx(0.2066, abs=1e-4)
    z = np.random.default_rng(0).standard_normal(2_000_000)
    assert np.mean(lesson05.silu(z) ** 2) == pytest.approx(SILU_POWER, rel=0.01)


def test_silu_right_answer_is_simulated(capsys):
    assert ex.check_silu_variance(1 / (512 * SILU_POWER)) is True
    out = capsys.readouterr().out
    assert out.startswith("✓ Correct: Var(W) = 1 / (512 * 0.3558) = 0.00549.")
    gain = float(out.split("multiplies E[z^2] by ")[1].split(" ")[0])
    assert gain == pytest.approx(1.0, abs=0.02)
    assert ex.check_silu_variance(1 / (256 * SILU_POWER), fan_in=256) is True


@pytest.mark.parametrize("mistake, hint", [
    (2 / 512, "He's 2/n, made for ReLU"),
    (1 / 512, "LeCun's 1/n"),
    (1 / (512 * (SILU_POWER - SILU_MEAN**2)), "You used the variance of silu(Z)"),
    (1 / (512 * slope_power()), "E[silu'(Z)^2], the factor of the gradient"),
    (math.sqrt(1 / (512 * SILU_POWER)), "That is a standard deviation"),
    (SILU_POWER / 512, "Upside down"),
])
def test_silu_mistakes_name_themselves(mistake, hint):
    with pytest.raises(ex.NotYet, match=re.escape(hint)):
        ex.check_silu_variance(mistake)


def test_conv_right_answer(capsys):
    assert ex.check_conv_he_std(math.sqrt(2 / (3 * 3 * 64))) is True
    assert "fan_in 576) = 0.05893" in capsys.readouterr().out
    assert ex.check_conv_he_std(math.sqrt(2 / (5 * 5 * 16)), kernel=5, channels_in=16, channels_out=8) is True


@pytest.mark.parametrize("mistake, hint", [
    (math.sqrt(2 / 64), "counts the input channels only"),
    (math.sqrt(2 / (3 * 64)), "One side of the kernel only"),
    (math.sqrt(2 / (3 * 3 * 32)), "That uses the output channels"),
    (math.sqrt(2 / (3 * 3 * 64 * 32)), "divides by every weight of the kernel tensor"),
    (1 / math.sqrt(576), "LeCun's 1/sqrt"),
    (2 / 576, "That is the variance 2 / fan_in"),
])
def test_conv_mistakes_name_themselves(mistake, hint):
    with pytest.raises(ex.NotYet, match=hint):
        ex.check_conv_he_std(mistake)


def test_verdict_right_answer_is_the_measured_first_word(capsys):
    assert ex.check_relu_lecun_verdict("vanishing") is True
    assert capsys.readouterr().out.startswith('✓ Correct: diagnose says "vanishing: the gradient shrinks 1.4')
    assert ex.check_relu_lecun_verdict(" Vanishing ") is True  # as check_choice reads it


@pytest.mark.parametrize("answer, hint", [
    ("collapsing", "is in the verdict, but not first"),
    ("healthy", "a factor 2\\^-29. Is that healthy"),
    ("exploding", "nothing grows"),
    ("saturating", "ReLU has no flat tails"),
    ("dead", "Dead means 0 for every input"),
])
def test_verdict_mistakes_name_themselves(answer, hint):
    assert answer in diagnosis.VERDICT_WORDS
    with pytest.raises(ex.NotYet, match=hint):
        ex.check_relu_lecun_verdict(answer)


# The generic behaviour of a number check; test_exercises_lesson06 runs these same tests on its checks.
@pytest.fixture(params=[ex.check_silu_variance, ex.check_conv_he_std], ids=lambda c: c.__name__)
def number_check(request):
    return request.param


def test_unanswered_returns_none(number_check, capsys):
    assert number_check(...) is None
    assert "Not answered yet" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [0.0, -1.0])
def test_non_positive_number_is_told_so(number_check, answer):
    with pytest.raises(ex.NotYet, match=f"is > 0, you have {answer:g}."):
        number_check(answer)


def test_unanswered_verdict_returns_none(capsys):
    assert ex.check_relu_lecun_verdict(...) is None
    assert "Not answered yet" in capsys.readouterr().out


@pytest.mark.parametrize("answer, error", [("0.1", ValueError), (None, TypeError), (float("nan"), TypeError),
                                           ("vanish", ValueError)])
def test_malformed_verdict_is_named(answer, error):
    with pytest.raises(error, match="answer must be one of"):
        ex.check_relu_lecun_verdict(answer)


def test_far_answers_are_off_by_a_factor():
    with pytest.raises(ex.NotYet, match="too large by a factor"):
        ex.check_silu_variance(1.0)
    with pytest.raises(ex.NotYet, match="too small by a factor"):
        ex.check_conv_he_std(0.001)
