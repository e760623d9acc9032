"""Notebook 03's checks accept the right answer, name each common mistake and refuse malformed answers."""

import math

import numpy as np
import pytest

from initlab import exercises as ex
from initlab.exercises import lesson03


def wrong(check, *args, **kwargs):
    """A wrong answer raises NotYet, whose message starts "✗ Not yet"; return the message."""
    with pytest.raises(ex.NotYet) as error:
        check(*args, **kwargs)
    assert str(error.value).startswith("✗ Not yet")
    return str(error.value)


@pytest.fixture(scope="module")
def pixels():
    """MNIST-like pixels in [0, 1], not centred: mostly 0, some bright."""
    rng = np.random.default_rng(5)
    return np.where(rng.random((600, 784)) < 0.15, rng.uniform(0.5, 1.0, (600, 784)), 0.0)


# ---- the mistakes each check names -------------------------------------------------
MISTAKES = [  # (check, answer, what its message says)
    (ex.check_weight_std_with_bias, 1 / math.sqrt(500), "You left out the bias"),
    (ex.check_weight_std_with_bias, math.sqrt(0.64 / 1000), "divides by all 1000 inputs"),
    (ex.check_weight_std_with_bias, math.sqrt(0.4 / 500), "Standard deviations do not subtract"),
    (ex.check_weight_std_with_bias, 0.64 / 500, "That is the weight variance"),
    (ex.check_weight_std_with_bias, 0.5, "too large by a factor"),
    (ex.check_weight_std_with_bias, 0.0365, "close — keep more digits"),
    (ex.check_mixed_inputs_std, math.sqrt(6), "square the input values"),
    (ex.check_mixed_inputs_std, 2.0, "counts every active input as 1"),
    (ex.check_mixed_inputs_std, math.sqrt(3) + 3, "Standard deviations do not add"),
    (ex.check_mixed_inputs_std, 12.0, "That is Var(z)"),
    (ex.check_mixed_inputs_std, 3.5, "close — keep more digits"),
]


@pytest.mark.parametrize("check, answer, hint", MISTAKES, ids=lambda v: getattr(v, "__name__", None))
def test_a_mistake_is_named(check, answer, hint):
    assert hint in wrong(check, answer)


# ---- the weight std that leaves room for the bias ----------------------------------
def test_weight_std_with_bias(capsys):
    assert ex.check_weight_std_with_bias(math.sqrt(0.64 / 500)) is True
    assert capsys.readouterr().out.startswith("✓ Correct: weight std for std(z) = 1 = 0.03578")


def test_weight_std_with_bias_follows_its_parameters():
    assert ex.check_weight_std_with_bias(math.sqrt((4 - 0.25) / 100), n_inputs=300, n_on=100, bias_std=0.5,
                                         target_std=2.0)
    with pytest.raises(ValueError, match="bias_std must be below target_std"):
        ex.check_weight_std_with_bias(0.1, bias_std=1.0, target_std=1.0)
    with pytest.raises(ValueError, match="n_on must be at most n_inputs .*got n_on = 1001 and n_inputs = 1000"):
        ex.check_weight_std_with_bias(0.1, n_on=1001)


# ---- inputs other than 0 and 1 ------------------------------------------------------
def test_mixed_inputs(capsys):
    assert ex.check_mixed_inputs_std(math.sqrt(12)) is True
    assert "std(z) = 3.464" in capsys.readouterr().out
    assert ex.check_mixed_inputs_std(0.5 * math.sqrt(10 * 4 + 10 * 0.25), counts=(10, 10), values=(-2.0, 0.5),
                                     weight_std=0.5)


def test_mixed_inputs_needs_paired_counts_and_values():
    with pytest.raises(ValueError, match="counts and values must pair up"):
        ex.check_mixed_inputs_std(1.0, counts=(300,), values=(1.0, 3.0))


# ---- non-centred pixels (transfer) ---------------------------------------------------
def test_pixel_weight_std_is_right_and_shows_a_simulated_layer(pixels, capsys):
    right = 1 / math.sqrt(784 * np.mean(pixels**2))
    assert ex.check_pixel_weight_std(right, pixels) is True
    out = capsys.readouterr().out
    assert out.startswith(f"✓ Correct: weight std for Var(z) = 1 on 784 pixels = {right:.4g}")
    simulated = float(out.split("Var(z) = ")[-1].split()[0])
    assert simulated == pytest.approx(1.0, abs=0.05)


def test_pixel_simulation_follows_the_rule(pixels):
    """Var(z) = n * s^2 * E[x^2]: the formula the check judges by, confirmed by simulation."""
    for std in (0.05, 0.2):
        expected = 784 * std**2 * np.mean(pixels**2)
        assert lesson03.simulated_variance(pixels, std) == pytest.approx(expected, rel=0.05)


def test_pixel_weight_std_names_the_mistake(pixels):
    mean, second = pixels.mean(), np.mean(pixels**2)
    for used, hint in [(second - mean**2, "uses the pixels' variance"), (mean, "uses the mean pixel"),
                       (math.sqrt(second - mean**2), "uses the pixels' std"), (1.0, "treats every pixel as 1")]:
        message = wrong(ex.check_pixel_weight_std, 1 / math.sqrt(784 * used), pixels)
        assert hint in message and "simulated with 2000 units" in message


def test_pixel_weight_std_needs_pixels():
    with pytest.raises(ValueError, match="pixels must be a 2-D array"):
        ex.check_pixel_weight_std(0.1, np.ones(784))
    with pytest.raises(ValueError, match="pixels must not all be 0"):
        ex.check_pixel_weight_std(0.1, np.zeros((3, 784)))


# ---- every check: not answered, out of range (malformed: test_exercises_answers.py) ------------------------------
CHECKS = {
    "check_weight_std_with_bias": (ex.check_weight_std_with_bias, ()),
    "check_mixed_inputs_std": (ex.check_mixed_inputs_std, ()),
    "check_pixel_weight_std": (ex.check_pixel_weight_std, (np.full((2, 784), 0.5),)),
}


@pytest.mark.parametrize("name", CHECKS)
def test_not_answered_goes_on(name, capsys):
    check, args = CHECKS[name]
    assert check(..., *args) is None
    assert capsys.readouterr().out.startswith("… Not answered yet")


@pytest.mark.parametrize("name", CHECKS)
def test_a_std_of_zero_is_refused(name):
    check, args = CHECKS[name]
    assert "a standard deviation is > 0, you have 0." in wrong(check, 0.0, *args)
