"""Notebook 07's exercise checks: the right answer passes, each named mistake says what it is, nothing else passes."""

import math

import pytest

from initlab import exercises, meanfield

RIGHT = {
    exercises.check_relu_depth_scale: 1 / math.log(2),
    exercises.check_trainable_depth: 6 * meanfield.phase(math.sqrt(3.0), math.sqrt(0.05)).xi_c,
    exercises.check_leaky_critical_sigma_w2: 2 / (1 + 0.2**2),
    exercises.check_sigmoid_critical_sigma_w: 10.149,
}
MISTAKES = [
    (exercises.check_relu_depth_scale, 1 / math.log10(2), "That uses log10"),
    (exercises.check_relu_depth_scale, -1 / math.log(math.sqrt(0.5)), "the depth scale of the gradient's size"),
    (exercises.check_relu_depth_scale, 2.0, "xi is not 1 / chi_1"),
    (exercises.check_trainable_depth, 6 / math.log(1.2089), "That is 6 |xi_grad|, from chi_1 = 1.21"),
    (exercises.check_trainable_depth, 9.05, "That is xi_c itself"),
    (exercises.check_trainable_depth, -6 / math.log10(0.8954), "That uses log10"),
    (exercises.check_leaky_critical_sigma_w2, 2 / 1.2, "averages the slope squared"),
    (exercises.check_leaky_critical_sigma_w2, 2.0, "plain ReLU's 2"),
    (exercises.check_leaky_critical_sigma_w2, math.sqrt(2 / 1.04), "That is the gain sigma_w"),
    (exercises.check_leaky_critical_sigma_w2, 1.04 / 2, "That is E[phi'^2] itself"),
    (exercises.check_sigmoid_critical_sigma_w, 4.0, "chi_1 = 0.40 there"),
    (exercises.check_sigmoid_critical_sigma_w, 10.149**2, "That is sigma_w^2"),
]


@pytest.mark.parametrize("check, answer", RIGHT.items(), ids=lambda x: getattr(x, "__name__", ""))
def test_right_answer_passes(check, answer, capsys):
    assert check(answer) is True
    assert capsys.readouterr().out.startswith("✓ Correct")


def test_expected_values_come_from_the_theory(capsys):
    exercises.check_relu_depth_scale(1.4427)
    assert "= 1.443." in capsys.readouterr().out
    exercises.check_trainable_depth(54.31)
    assert "6 xi_c at sigma_w^2 = 3, sigma_b^2 = 0.05 = 54.31." in capsys.readouterr().out
    exercises.check_sigmoid_critical_sigma_w(10.15)
    assert "= 10.15." in capsys.readouterr().out
    assert meanfield.chi_1(10.149, 0.0, "sigmoid") == pytest.approx(1.0, abs=2e-4)
    # other settings of the same checks
    assert exercises.check_relu_depth_scale(-1 / math.log(0.75), sigma_w2=1.5)
    assert exercises.check_leaky_critical_sigma_w2(2 / 1.01, slope=0.1)


@pytest.mark.parametrize("check, answer, hint", MISTAKES, ids=lambda x: getattr(x, "__name__", None))
def test_each_named_mistake_raises_its_hint(check, answer, hint):
    with pytest.raises(exercises.NotYet, match="✗ Not yet") as error:
        check(answer)
    assert hint in str(error.value)


@pytest.mark.parametrize("check", list(RIGHT))
def test_unanswered_close_and_far(check, capsys):
    assert check(...) is None
    assert "Not answered yet" in capsys.readouterr().out
    with pytest.raises(exercises.NotYet, match="close — keep more digits"):
        check(RIGHT[check] * 0.97)
    with pytest.raises(exercises.NotYet, match="too large by a factor"):
        check(RIGHT[check] * 7)
    with pytest.raises(exercises.NotYet, match="> 0"):
        check(-1.0)


def test_relu_depth_scale_needs_the_ordered_side():
    with pytest.raises(ValueError, match="sigma_w2 must be below 2"):
        exercises.check_relu_depth_scale(1.0, sigma_w2=2.0)
