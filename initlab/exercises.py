"""Check functions for the exercises at the end of each notebook.

Each ``check_*`` function takes the student's answer, prints a sentence saying
whether it is right -- and, when it is wrong in a common way, which mistake it
looks like ("did you divide by n instead of sqrt(n)?") -- and returns True or
False.  It never raises for a wrong answer, only for an answer of the wrong
kind (a string where a number belongs), with a message that says what to pass.
"""

from __future__ import annotations

import math

import numpy as np

from . import initializers as _initializers
from . import theory as _theory
from .checks import check_float, check_int

__all__ = [
    "check_identical_units",
    "check_layer_std",
    "check_unit_variance_std",
    "check_weighted_sum_std",
    "check_glorot_uniform_limit",
    "check_initializer",
    "check_he_std",
    "check_leaky_he_std",
    "check_decay_factor",
]

RTOL = 0.01  # an answer within 1% counts as right (rounding)


def _close(a, b, rtol=RTOL) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-12)


def _verdict(answer: float, expected: float, what: str, mistakes) -> bool:
    """Print whether ``answer`` equals ``expected``; name the first matching mistake."""
    if _close(answer, expected):
        print(f"✓ Correct: {what} = {expected:.4g}.")
        return True
    for value, hint in mistakes:
        if _close(answer, value):
            print(f"✗ Not yet: you have {answer:.4g}. {hint}")
            return False
    direction = "too large" if answer > expected else "too small"
    print(f"✗ Not yet: {answer:.4g} is {direction} by a factor {answer / expected:.3g}. "
          "Go back to the formula and check each factor.")
    return False


def _number(name, value) -> float:
    return check_float(name, value)


# ---- notebook 01 -----------------------------------------------------------------
def check_identical_units(max_difference, weights) -> bool:
    """Exercise 01: the largest difference between two hidden units' incoming weights.

    ``weights`` is the trained hidden weight matrix (fan_in, fan_out); hidden unit j's
    incoming weights are its column j.  For a constant start the answer is 0.0.
    """
    max_difference = _number("max_difference", max_difference)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 2:
        raise ValueError(f"weights must be the 2-D hidden weight matrix, got shape {weights.shape}")
    columns = float(np.abs(weights - weights[:, :1]).max())
    rows = float(np.abs(weights - weights[:1, :]).max())
    if max_difference == columns == 0.0:
        print("✓ Correct: every hidden unit has exactly the same incoming weights (difference 0.0). "
              "A constant start is as symmetric as a zero start.")
        return True
    if _close(max_difference, rows) and rows != columns:
        print(f"✗ Not yet: {max_difference:.4g} is the difference between rows. A row of W (shape "
              f"{weights.shape}) belongs to one input; hidden unit j is column j. Compare columns.")
        return False
    if _close(max_difference, columns):
        print(f"✗ The columns of these weights differ by {columns:.4g}: the units are not identical. "
              "Did you start from a constant (not random) weight matrix, and keep the biases equal too?")
        return False
    print(f"✗ Not yet: the columns differ by {columns:.4g}, not {max_difference:.4g}. "
          "Use np.abs(W - W[:, :1]).max().")
    return False


# ---- notebook 02 -----------------------------------------------------------------
def check_layer_std(answer, weight_std=0.01, width=500, layer=5, first_layer_std=0.2133) -> bool:
    """Exercise 02: predict the std at ``layer`` of the small-init tanh network.

    While tanh is still linear, each layer after the first multiplies the std by
    sigma_w = weight_std * sqrt(width), so std_l = std_1 * sigma_w**(l - 1).
    """
    answer = _number("answer", answer)
    layer = check_int("layer", layer, minimum=1)
    sigma = _theory.sigma_w(weight_std, width)
    expected = first_layer_std * sigma ** (layer - 1)
    mistakes = [
        (first_layer_std * weight_std ** (layer - 1),
         f"That multiplies by the weight std {weight_std} per layer; each unit sums {width} inputs, so "
         f"the factor is {weight_std} * sqrt({width}) = {sigma:.4g}."),
        (first_layer_std * sigma**layer,
         f"That is one factor too many: layer 1 already has std {first_layer_std}, so layer {layer} "
         f"needs {layer - 1} more factors."),
        (first_layer_std * (weight_std * width) ** (layer - 1),
         f"Variances add, not standard deviations: the factor is {weight_std} * sqrt({width}), "
         f"not {weight_std} * {width}."),
    ]
    return _verdict(answer, expected, f"std at layer {layer}", mistakes)


# ---- notebook 03 -----------------------------------------------------------------
def check_unit_variance_std(answer, n_inputs=784) -> bool:
    """Exercise 03: the weight std that gives Var(z) = 1 with ``n_inputs`` inputs of 1."""
    answer = _number("answer", answer)
    n_inputs = check_int("n_inputs", n_inputs, minimum=1)
    expected = 1 / math.sqrt(n_inputs)
    mistakes = [
        (1 / n_inputs, f"Did you divide by n instead of sqrt(n)? Var(z) = n * std^2 = 1 gives std = 1/sqrt({n_inputs})."),
        (math.sqrt(n_inputs), "That is sqrt(n): the std must shrink as n grows, so it is 1/sqrt(n)."),
        (1 / math.sqrt(n_inputs / 2),
         "That uses half the inputs; in this exercise all of them are on (equal to 1)."),
    ]
    return _verdict(answer, expected, f"weight std for {n_inputs} inputs", mistakes)


def check_weighted_sum_std(answer, n_on=300, weight_std=1 / math.sqrt(600), bias_std=1.0) -> bool:
    """Exercise 03: std(z) = sqrt(n_on * weight_std^2 + bias_std^2)."""
    answer = _number("answer", answer)
    expected = _theory.weighted_sum_std(n_on, weight_std, bias_std)
    mistakes = [
        (math.sqrt(n_on) * weight_std + bias_std,
         "Standard deviations do not add; variances do. Add n_on * std^2 and bias_std^2, then take the root."),
        (n_on * weight_std**2 + bias_std**2, "That is the variance. Take its square root for the std."),
        (math.sqrt(n_on * weight_std**2), "You left out the bias: it adds bias_std^2 to the variance."),
        (math.sqrt(2 * n_on * weight_std**2 + bias_std**2),
         "Only the inputs that are on (equal to 1) contribute; the ones that are 0 add nothing."),
    ]
    return _verdict(answer, expected, "std(z)", mistakes)


# ---- notebook 04 -----------------------------------------------------------------
def check_glorot_uniform_limit(answer, fan_in=784, fan_out=30) -> bool:
    """Exercise 04: a = sqrt(6 / (fan_in + fan_out))."""
    answer = _number("answer", answer)
    fan_sum = fan_in + fan_out
    expected = _theory.glorot_uniform_limit(fan_in, fan_out)
    mistakes = [
        (math.sqrt(2 / fan_sum), "That is the std of Glorot's normal form. U(-a, a) has variance a^2/3, "
                                  "so a = sqrt(3) * std = sqrt(6 / (fan_in + fan_out))."),
        (math.sqrt(3 / fan_sum), "Close: the variance is 2/(fan_in + fan_out), so a = sqrt(3 * 2 / ...) = sqrt(6 / ...)."),
        (math.sqrt(6 / fan_in), "That uses fan_in only; Glorot averages fan_in and fan_out."),
        (6 / fan_sum, "You forgot the square root."),
    ]
    return _verdict(answer, expected, f"Glorot uniform limit for a {fan_in}->{fan_out} layer", mistakes)


def check_initializer(init, expected="xavier_normal", fan_in=784, fan_out=30) -> bool:
    """Exercise 04: a hand-written initializer against initlab's ``expected`` one.

    Checks the signature, the (fan_in, fan_out) shape, the mean, the variance and
    that the seed is used.
    """
    if not callable(init):
        raise TypeError(f"init must be a function init(fan_in, fan_out, rng), got {init!r}")
    fan_in = check_int("fan_in", fan_in, minimum=2)
    fan_out = check_int("fan_out", fan_out, minimum=2)
    target = _target_variance(expected, fan_in, fan_out)
    try:
        weights = np.asarray(init(fan_in, fan_out, 0), dtype=np.float64)
    except Exception as error:  # report, don't crash the notebook
        print(f"✗ Calling init({fan_in}, {fan_out}, 0) failed: {type(error).__name__}: {error}")
        return False
    if weights.shape == (fan_out, fan_in):
        print(f"✗ Shape {weights.shape}: that is PyTorch's (out, in) layout. initlab's weights are "
              f"(fan_in, fan_out) = ({fan_in}, {fan_out}), so that H = X @ W.")
        return False
    if weights.shape != (fan_in, fan_out):
        print(f"✗ Shape {weights.shape}: expected (fan_in, fan_out) = ({fan_in}, {fan_out}).")
        return False
    if not np.array_equal(weights, np.asarray(init(fan_in, fan_out, 0))):
        print("✗ Two calls with the same seed gave different matrices: draw from "
              "np.random.default_rng(rng) (or initlab.checks.as_generator(rng)).")
        return False
    variance = float(weights.var())
    if abs(float(weights.mean())) > 5 * math.sqrt(target / weights.size):
        print(f"✗ The mean is {weights.mean():.3g}; it should be 0.")
        return False
    if _close(variance, target, rtol=0.05):
        print(f"✓ Correct: shape ({fan_in}, {fan_out}), mean 0, variance {variance:.3g} "
              f"(formula {target:.3g}), reproducible from its seed.")
        return True
    others = {
        "1/fan_in (LeCun)": 1 / fan_in,
        "2/fan_in (He)": 2 / fan_in,
        "1/fan_out": 1 / fan_out,
        "2/(fan_in + fan_out) used as the std, not the variance": (2 / (fan_in + fan_out)) ** 2,
        "1": 1.0,
    }
    for label, value in others.items():
        if _close(variance, value, rtol=0.05):
            print(f"✗ Your variance is {variance:.3g}, which is {label}; {expected} needs {target:.3g}.")
            return False
    print(f"✗ Your variance is {variance:.3g}; {expected} needs {target:.3g}.")
    return False


def _target_variance(name, fan_in, fan_out) -> float:
    formulas = {
        "xavier_normal": 2 / (fan_in + fan_out),
        "xavier_uniform": 2 / (fan_in + fan_out),
        "lecun_normal": 1 / fan_in,
        "he_normal": 2 / fan_in,
    }
    if name not in formulas:
        raise ValueError(f"expected must be one of {list(formulas)}, got {name!r}")
    return formulas[name]


# ---- notebook 05 -----------------------------------------------------------------
def check_he_std(answer, fan_in=256) -> bool:
    """Exercise 05: the He std sqrt(2 / fan_in) of a ReLU layer."""
    answer = _number("answer", answer)
    fan_in = check_int("fan_in", fan_in, minimum=1)
    expected = math.sqrt(2 / fan_in)
    mistakes = [
        (1 / math.sqrt(fan_in), "That is LeCun's 1/sqrt(n), right for tanh near 0. ReLU zeroes half of its "
                                "input, so the variance needs a factor 2: sqrt(2/n)."),
        (2 / fan_in, "That is the variance 2/n; the std is its square root."),
        (math.sqrt(2) / fan_in, "The square root goes over the whole fraction: sqrt(2 / n)."),
        (math.sqrt(2 / (fan_in + fan_in)), "That is Glorot's average of fan_in and fan_out; He uses fan_in."),
    ]
    return _verdict(answer, expected, f"He std for fan_in = {fan_in}", mistakes)


def check_leaky_he_std(answer, fan_in=256, slope=0.2) -> bool:
    """Exercise 05: gain(leaky_relu, slope) / sqrt(fan_in)."""
    answer = _number("answer", answer)
    expected = _initializers.gain("leaky_relu", slope) / math.sqrt(fan_in)
    mistakes = [
        (math.sqrt(2 / fan_in), "That is plain ReLU's std; a leaky ReLU keeps some of the negative half, so "
                                "it needs less: gain sqrt(2 / (1 + slope^2))."),
        (math.sqrt(2 / (1 + slope)) / math.sqrt(fan_in), "Square the slope: the gain is sqrt(2 / (1 + slope^2))."),
    ]
    return _verdict(answer, expected, f"std for leaky ReLU (slope {slope}), fan_in = {fan_in}", mistakes)


# ---- notebook 06 -----------------------------------------------------------------
def check_decay_factor(answer, eta=0.1, lmbda=5.0, n_train=4000, batch_size=10) -> bool:
    """Exercise 06: the weight-decay factor of one mini-batch step, 1 - eta * lambda / n."""
    answer = _number("answer", answer)
    expected = 1 - eta * lmbda / n_train
    mistakes = [
        (1 - eta * lmbda / batch_size, f"n is the size of the whole training set ({n_train}), not of the "
                                       f"mini-batch ({batch_size})."),
        (1 - eta * lmbda, "You left out the division by n, the training-set size."),
        (eta * lmbda / n_train, "That is how much is taken away; the factor is 1 minus it."),
        (1 - lmbda / n_train, "The learning rate eta multiplies lambda / n too."),
    ]
    if math.isclose(answer, expected, rel_tol=1e-6):
        print(f"✓ Correct: each step multiplies the weights by {expected:.6f}; over one epoch of "
              f"{n_train // batch_size} steps that is {expected ** (n_train // batch_size):.3f}.")
        return True
    return _verdict(answer, expected, "decay factor", mistakes)
