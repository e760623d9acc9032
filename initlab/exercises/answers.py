"""The checks of the exercises whose answer is a number, and how a number is judged.

An answer is right within 1% (``RTOL``, rounding).  Within 5% (``CLOSE``), or when
it is the right value rounded, it is "close -- keep more digits", unless a known
mistake is closer; a known mistake names itself; anything else is off by a factor.
An answer that is not a number raises (``feedback.number``, the first line of every
check); one outside its range (a std of 0) is told so.  Each check's own settings
(``fan_in=...``) are checked too, within ranges where its formula is a finite
number and it answers in well under a second.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import NamedTuple

import numpy as np

from .feedback import judged, number
from .. import theory as _theory
from ..checks import ArgumentError, check_array, check_float, check_int

__all__ = ["check_identical_units", "check_glorot_uniform_limit", "check_decay_factor"]

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


def _factor(answer, expected) -> str:
    """answer / expected (both > 0) with 3 digits, as a power of ten when it is beyond a float (1e+320)."""
    ratio = answer / expected
    if 0 < ratio < math.inf:
        return f"{ratio:.3g}"
    return f"1e{math.log10(answer) - math.log10(expected):+.0f}"


def _verdict(answer, expected, what, mistakes, kind=STD, correct=None) -> bool:
    """Compare ``answer`` with ``expected`` and with the known ``mistakes`` [(value, hint)]; say which it is.

    Right within RTOL.  Otherwise the closest mistake names itself if it is within
    CLOSE and nearer than ``expected``; otherwise an answer within CLOSE of
    ``expected``, or ``expected`` rounded, is close; anything else is off by a factor.
    ``answer`` is a finite float (``feedback.number``), ``expected`` a finite number in (0, high).
    """
    expected = float(expected)
    if not 0 < answer < kind.high:
        print(f"✗ Not yet: {kind.rule}, you have {answer:g}.")
        return False

    def off(value):  # in Python floats: beyond a float is inf, not a numpy RuntimeWarning
        value = float(value)
        scale = abs(value - kind.origin)
        return abs(answer - value) / scale if scale else math.inf

    if off(expected) <= RTOL:
        print(correct or f"✓ Correct: {what} = {_show(expected, kind)}.")
        return True
    hint, distance = min(((hint, off(value)) for value, hint in mistakes if math.isfinite(value)),
                         key=lambda pair: pair[1], default=("", math.inf))
    if distance <= CLOSE and distance < off(expected):
        print(f"✗ Not yet: you have {_show(answer, kind)}. {hint}")
        return False
    if off(expected) <= CLOSE or _rounds_to(answer, expected):
        print(f"✗ Not yet, but close — keep more digits: you have {_show(answer, kind)}, "
              f"the value is {_show(expected, kind)}.")
        return False
    taken, due = abs(answer - kind.origin), abs(expected - kind.origin)
    subject = f"{kind.origin:g} - {_show(answer, kind)} = {kind.origin - answer:.4g}" if kind.origin else f"{answer:.4g}"
    print(f"✗ Not yet: {subject} is {'too large' if taken > due else 'too small'} by a factor {_factor(taken, due)}. "
          "Go back to the formula and check each factor.")
    return False


# ---- notebook 01 -----------------------------------------------------------------
@judged
def check_identical_units(max_difference, weights) -> bool:
    """Exercise 01: the largest difference between two hidden units' incoming weights.

    ``weights`` is the trained hidden weight matrix (fan_in, fan_out); hidden unit j's
    incoming weights are its column j.  For a constant start the answer is 0.0.
    """
    max_difference = number(max_difference, "max_difference")
    weights = check_array("weights", weights, ndim=2)
    if np.abs(weights).max() > 1e300:  # their differences would overflow
        raise ArgumentError(f"weights must be a trained network's weights, got entries as large as "
                            f"{np.abs(weights).max():.3g}")
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


# ---- notebook 04 -----------------------------------------------------------------
@judged
def check_glorot_uniform_limit(answer, fan_in=784, fan_out=30) -> bool:
    """Exercise 04: a = sqrt(6 / (fan_in + fan_out))."""
    answer = number(answer)
    fan_in = check_int("fan_in", fan_in, minimum=1, maximum=10**9)
    fan_out = check_int("fan_out", fan_out, minimum=1, maximum=10**9)
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

# ---- notebook 06 -----------------------------------------------------------------
@judged
def check_decay_factor(answer, eta=0.1, lmbda=5.0, n_train=4000, batch_size=10) -> bool:
    """Exercise 06: the weight-decay factor of one mini-batch step, 1 - eta * lambda / n.

    It is right when what a step takes away, 1 - factor, is within 1% of eta * lambda / n.
    """
    answer = number(answer)
    eta = check_float("eta", eta, strictly_positive=True, maximum=1e6)
    lmbda = check_float("lmbda", lmbda, strictly_positive=True, maximum=1e6)
    n_train = check_int("n_train", n_train, minimum=1, maximum=10**9)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    _check_step_decay(eta, lmbda, n_train, batch_size)
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


def _check_step_decay(eta, lmbda, n_train, batch_size) -> None:
    """Refuse settings whose step takes away all the weights, or less than a float can show, or no step at all."""
    if batch_size > n_train:
        raise ArgumentError(f"batch_size must be at most n_train (an epoch has at least one step), got "
                            f"batch_size = {batch_size} and n_train = {n_train}")
    taken = eta * lmbda / n_train
    if not 1e-12 <= taken < 1:
        raise ArgumentError(
            f"eta * lmbda / n_train must be in [1e-12, 1), the share of the weights one step takes away; "
            f"got eta = {eta:g}, lmbda = {lmbda:g}, n_train = {n_train}: {taken:.3g}")
