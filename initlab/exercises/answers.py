"""The checks of the exercises whose answer is a number, and how a number is judged.

An answer is right within 1% (``RTOL``, rounding).  Within 5% (``CLOSE``), or when
it is the right value rounded, it is "close -- keep more digits", unless a known
mistake is closer; a known mistake names itself; anything else is off by a factor.
An answer that is not a number raises; one outside its range (a std of 0) is told so.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import NamedTuple

import numpy as np

from .feedback import judged
from .. import initializers as _initializers
from .. import theory as _theory
from ..checks import check_array, check_float, check_int

__all__ = ["check_identical_units", "check_layer_std", "check_unit_variance_std", "check_weighted_sum_std",
           "check_glorot_uniform_limit", "check_he_std", "check_leaky_he_std", "check_decay_factor"]

RTOL = 0.01  # an answer within 1% counts as right (rounding)
CLOSE = 0.05  # within 5% it is "close -- keep more digits", unless a known mistake is closer


class _Kind(NamedTuple):
    """What a numeric answer is: the range (0, high) it lies in, said in words.

    Errors are measured relative to |value - origin|: for a decay factor 0.999875
    what matters is the 0.000125 a step takes away, not the factor itself.
    """

    rule: str
    high: float = math.inf
    origin: float = 0.0


STD = _Kind("a standard deviation is > 0")
LIMIT = _Kind("a uniform limit a is > 0")
DECAY = _Kind("a decay factor is > 0 and < 1", high=1.0, origin=1.0)


def _show(x, kind=STD) -> str:
    """``x`` with 4 significant digits; for a decay factor, 4 of 1 - x (0.999875, not 1)."""
    digits = 4
    if kind.origin and x != kind.origin:
        digits += max(0, -math.floor(math.log10(abs(x - kind.origin))) - 1)
    return f"{x:.{digits}g}"


def _rounds_to(answer, expected) -> bool:
    """Is ``answer`` the ``expected`` value rounded to the answer's last decimal (0.09 for 0.08839)?"""
    decimals = -Decimal(repr(answer)).as_tuple().exponent
    return decimals > 0 and round(expected, decimals) == answer


def _verdict(answer, expected, what, mistakes, kind=STD, correct=None) -> bool:
    """Compare ``answer`` with ``expected`` and with the known ``mistakes`` [(value, hint)]; say which it is.

    Right within RTOL.  Otherwise the closest mistake names itself if it is within
    CLOSE and nearer than ``expected``; otherwise an answer within CLOSE of
    ``expected``, or ``expected`` rounded, is close; anything else is off by a factor.
    """
    answer = check_float("answer", answer)
    if not 0 < answer < kind.high:
        print(f"✗ Not yet: {kind.rule}, you have {answer:g}.")
        return False

    def off(value):
        scale = abs(value - kind.origin)
        return abs(answer - value) / scale if scale else math.inf

    if off(expected) <= RTOL:
        print(correct or f"✓ Correct: {what} = {_show(expected, kind)}.")
        return True
    hint, distance = min(((hint, off(value)) for value, hint in mistakes), key=lambda pair: pair[1])
    if distance <= CLOSE and distance < off(expected):
        print(f"✗ Not yet: you have {_show(answer, kind)}. {hint}")
        return False
    if off(expected) <= CLOSE or _rounds_to(answer, expected):
        print(f"✗ Not yet, but close — keep more digits: you have {_show(answer, kind)}, "
              f"the value is {_show(expected, kind)}.")
        return False
    factor = (answer - kind.origin) / (expected - kind.origin)
    subject = f"{kind.origin:g} - {_show(answer, kind)} = {kind.origin - answer:.4g}" if kind.origin else f"{answer:.4g}"
    print(f"✗ Not yet: {subject} is {'too large' if factor > 1 else 'too small'} by a factor {factor:.3g}. "
          "Go back to the formula and check each factor.")
    return False


# ---- notebook 01 -----------------------------------------------------------------
@judged
def check_identical_units(max_difference, weights) -> bool:
    """Exercise 01: the largest difference between two hidden units' incoming weights.

    ``weights`` is the trained hidden weight matrix (fan_in, fan_out); hidden unit j's
    incoming weights are its column j.  For a constant start the answer is 0.0.
    """
    max_difference = check_float("max_difference", max_difference)
    weights = check_array("weights", weights, ndim=2)
    if max_difference < 0:
        print(f"✗ Not yet: a largest absolute difference is >= 0, you have {max_difference:g}.")
        return False
    columns = float(np.abs(weights - weights[:, :1]).max())
    rows = float(np.abs(weights - weights[:1, :]).max())
    if max_difference == columns == 0.0:
        print("✓ Correct: every hidden unit has exactly the same incoming weights (difference 0.0). "
              "A constant start is as symmetric as a zero start.")
        return True
    if math.isclose(max_difference, rows, rel_tol=RTOL) and rows != columns:
        print(f"✗ Not yet: {max_difference:.4g} is the difference between rows. A row of W (shape "
              f"{weights.shape}) belongs to one input; hidden unit j is column j. Compare columns.")
        return False
    if math.isclose(max_difference, columns, rel_tol=RTOL):
        print(f"✗ The columns of these weights differ by {columns:.4g}: the units are not identical. "
              "Did you start from a constant (not random) weight matrix, and keep the biases equal too?")
        return False
    print(f"✗ Not yet: the columns differ by {columns:.4g}, not {max_difference:.4g}. "
          "Use np.abs(W - W[:, :1]).max().")
    return False


# ---- notebook 02 -----------------------------------------------------------------
@judged
def check_layer_std(answer, weight_std=0.01, width=500, layer=5, first_layer_std=0.2133) -> bool:
    """Exercise 02: predict the std at ``layer`` of the small-init tanh network.

    While tanh is still linear, each layer after the first multiplies the std by
    sigma_w = weight_std * sqrt(width), so std_l = std_1 * sigma_w**(l - 1).
    """
    layer = check_int("layer", layer, minimum=1)
    first_layer_std = check_float("first_layer_std", first_layer_std, strictly_positive=True)
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
@judged
def check_unit_variance_std(answer, n_inputs=784) -> bool:
    """Exercise 03: the weight std that gives Var(z) = 1 with ``n_inputs`` inputs of 1."""
    n_inputs = check_int("n_inputs", n_inputs, minimum=1)
    expected = 1 / math.sqrt(n_inputs)
    mistakes = [
        (1 / n_inputs, f"Did you divide by n instead of sqrt(n)? Var(z) = n * std^2 = 1 gives std = 1/sqrt({n_inputs})."),
        (math.sqrt(n_inputs), "That is sqrt(n): the std must shrink as n grows, so it is 1/sqrt(n)."),
        (1 / math.sqrt(n_inputs / 2),
         "That uses half the inputs; in this exercise all of them are on (equal to 1)."),
    ]
    return _verdict(answer, expected, f"weight std for {n_inputs} inputs", mistakes)


@judged
def check_weighted_sum_std(answer, n_on=300, weight_std=1 / math.sqrt(600), bias_std=1.0) -> bool:
    """Exercise 03: std(z) = sqrt(n_on * weight_std^2 + bias_std^2)."""
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
@judged
def check_glorot_uniform_limit(answer, fan_in=784, fan_out=30) -> bool:
    """Exercise 04: a = sqrt(6 / (fan_in + fan_out))."""
    fan_in = check_int("fan_in", fan_in, minimum=1)
    fan_out = check_int("fan_out", fan_out, minimum=1)
    fan_sum = fan_in + fan_out
    expected = _theory.glorot_uniform_limit(fan_in, fan_out)
    mistakes = [
        (math.sqrt(2 / fan_sum), "That is the std of Glorot's normal form. U(-a, a) has variance a^2/3, "
                                  "so a = sqrt(3) * std = sqrt(6 / (fan_in + fan_out))."),
        (math.sqrt(3 / fan_sum), "Close: the variance is 2/(fan_in + fan_out), so a = sqrt(3 * 2 / ...) = sqrt(6 / ...)."),
        (math.sqrt(6 / fan_in), "That uses fan_in only; Glorot averages fan_in and fan_out."),
        (6 / fan_sum, "You forgot the square root."),
    ]
    return _verdict(answer, expected, f"Glorot uniform limit for a {fan_in}->{fan_out} layer", mistakes, LIMIT)

# ---- notebook 05 -----------------------------------------------------------------
@judged
def check_he_std(answer, fan_in=256) -> bool:
    """Exercise 05: the He std sqrt(2 / fan_in) of a ReLU layer."""
    fan_in = check_int("fan_in", fan_in, minimum=1)
    expected = math.sqrt(2 / fan_in)
    mistakes = [
        (1 / math.sqrt(fan_in), "That is LeCun's 1/sqrt(n), right for tanh near 0. ReLU zeroes half of its "
                                "input, so the variance needs a factor 2: sqrt(2/n)."),
        (2 / fan_in, "That is the variance 2/n; the std is its square root."),
        (math.sqrt(2) / fan_in, "The square root goes over the whole fraction: sqrt(2 / n)."),
    ]
    return _verdict(answer, expected, f"He std for fan_in = {fan_in}", mistakes)


@judged
def check_leaky_he_std(answer, fan_in=256, slope=0.2) -> bool:
    """Exercise 05: gain(leaky_relu, slope) / sqrt(fan_in)."""
    fan_in = check_int("fan_in", fan_in, minimum=1)
    slope = check_float("slope", slope, minimum=0.0)
    expected = _initializers.gain("leaky_relu", slope) / math.sqrt(fan_in)
    mistakes = [
        (math.sqrt(2 / fan_in), "That is plain ReLU's std; a leaky ReLU keeps some of the negative half, so "
                                "it needs less: gain sqrt(2 / (1 + slope^2))."),
        (math.sqrt(2 / (1 + slope)) / math.sqrt(fan_in), "Square the slope: the gain is sqrt(2 / (1 + slope^2))."),
    ]
    return _verdict(answer, expected, f"std for leaky ReLU (slope {slope}), fan_in = {fan_in}", mistakes)


# ---- notebook 06 -----------------------------------------------------------------
@judged
def check_decay_factor(answer, eta=0.1, lmbda=5.0, n_train=4000, batch_size=10) -> bool:
    """Exercise 06: the weight-decay factor of one mini-batch step, 1 - eta * lambda / n.

    It is right when what a step takes away, 1 - factor, is within 1% of eta * lambda / n.
    """
    eta = check_float("eta", eta, strictly_positive=True)
    lmbda = check_float("lmbda", lmbda, strictly_positive=True)
    n_train = check_int("n_train", n_train, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    expected = 1 - eta * lmbda / n_train
    steps = n_train // batch_size
    mistakes = [
        (1 - eta * lmbda / batch_size, f"n is the size of the whole training set ({n_train}), not of the "
                                       f"mini-batch ({batch_size})."),
        (1 - eta * lmbda, "You left out the division by n, the training-set size."),
        (eta * lmbda / n_train, "That is how much is taken away; the factor is 1 minus it."),
        (1 - lmbda / n_train, "The learning rate eta multiplies lambda / n too."),
    ]
    correct = (f"✓ Correct: each step multiplies the weights by {_show(expected, DECAY)}; over one epoch of "
               f"{steps} steps that is {expected ** steps:.3f}.")
    return _verdict(answer, expected, "decay factor", mistakes, DECAY, correct)
