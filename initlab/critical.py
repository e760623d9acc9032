"""The edge of chaos as a line: the settings with a chosen chi_1, the critical line chi_1 = 1 and its points.

For the wide networks of ``initlab.meanfield`` (Var(W) = sigma_w^2 / fan_in, Var(b) =
sigma_b^2, Z ~ N(0, 1), phi the activation) a fixed point q* of the length map and a
value k of chi_1 = sigma_w^2 E[phi'(sqrt(q*) Z)^2] fix the setting, exactly::

    sigma_w^2 = k / E[phi'(sqrt(q*) Z)^2],     sigma_b^2 = q* - sigma_w^2 E[phi(sqrt(q*) Z)^2]

so the lines of constant chi_1 in the (sigma_w^2, sigma_b^2) plane need no search.
chi_1 = 1 is the critical line between the ordered and the chaotic phase (lessons 07
and 08); ``initlab.meanfield`` gives these functions under the same names.
"""

from __future__ import annotations

import math

import numpy as np

from . import activations as _activations
from .checks import ArgumentError, check_float, check_nonnegative
from .gaussian import MAX_VARIANCES, gaussian_expectation

__all__ = ["chi_1_line", "critical_line", "critical_point", "critical_sigma_w"]

#: q* and sigma up to these: beyond, their squares and sums leave float64.
_LARGEST_Q, _LARGEST_SIGMA = 1e300, 1e150
#: critical_sigma_w bisects 80 times: about 2000 values of sigma_b take a few seconds.
_MOST_SIGMA_B = 2000


def _square_moments(act, q):
    """E[phi(sqrt(q) Z)^2] and E[phi'(sqrt(q) Z)^2]."""
    return (gaussian_expectation(lambda z: act.function(z) ** 2, q),
            gaussian_expectation(lambda z: act.derivative(z) ** 2, q))


def chi_1_line(level=1.0, activation="tanh", q_star=None):
    """The settings with chi_1 = level, as (sigma_w^2, sigma_b^2), one point per q*.

    For a fixed point q*, chi_1 = level needs sigma_w^2 = level / E[phi'(sqrt(q*) Z)^2]
    and then sigma_b^2 = q* - sigma_w^2 E[phi(sqrt(q*) Z)^2]; points with sigma_b^2 < 0
    are dropped, and so is q* = 0 when level > 1 (there q = 0 is an unstable fixed point:
    the signal grows away from it).  ``q_star`` defaults to 0 and 400 values from 1e-6
    to 1e4.  Exact: no fixed point is searched.
    """
    level = check_float("level", level, strictly_positive=True, maximum=_LARGEST_Q)
    act = _activations.get(activation)
    if q_star is None:
        q = np.concatenate([[0.0], np.geomspace(1e-6, 1e4, 400)])
    elif (q := check_nonnegative("q_star", q_star, _LARGEST_Q)).size > MAX_VARIANCES:
        raise ArgumentError(f"q_star has {q.size:,} values; chi_1_line takes at most {MAX_VARIANCES:,} at once")
    square, slope = _square_moments(act, q)
    sigma_w2 = level / slope
    sigma_b2 = q - sigma_w2 * square
    keep = (sigma_b2 >= 0) & ((q > 0) | (level <= 1))
    return sigma_w2[keep], sigma_b2[keep]


def critical_line(activation="tanh", q_star=None):
    """The edge of chaos chi_1 = 1 as (sigma_w^2, sigma_b^2): ``chi_1_line(1.0, ...)``."""
    return chi_1_line(1.0, activation, q_star)


def critical_point(q_star, activation="tanh") -> tuple:
    """(sigma_w, sigma_b) with fixed point ``q_star`` and chi_1 = 1: one point of the critical line.

    sigma_w^2 = 1 / E[phi'(sqrt(q*) Z)^2] makes chi_1 = 1, and
    sigma_b^2 = q* - sigma_w^2 E[phi(sqrt(q*) Z)^2] makes q* a fixed point
    (Pennington et al. 2017 move along this line to make q* small).  For tanh and
    q* = 1/64: sigma_w = 1.015, sigma_b = 0.0022.  Raises when the line has no point
    with that q* (it would need sigma_b^2 < 0, as for sigmoid).
    """
    q_star = check_float("q_star", q_star, strictly_positive=True, maximum=_LARGEST_Q)
    act = _activations.get(activation)
    square, slope = _square_moments(act, q_star)
    sigma_w2 = 1.0 / slope
    sigma_b2 = q_star - sigma_w2 * square
    if sigma_b2 < -1e-9 * q_star:
        raise ArgumentError(f"{act.name} has no critical point with q_star={q_star:g}: it would need "
                            f"sigma_b^2 = {sigma_b2:.3g} < 0")
    return math.sqrt(sigma_w2), math.sqrt(max(sigma_b2, 0.0))


def critical_sigma_w(sigma_b, activation="tanh"):
    """The sigma_w with chi_1 = 1 at a given sigma_b: the edge of chaos, found along the critical line.

    sigma_b^2(q*) = q* - E[phi^2] / E[phi'^2] grows with q* on the critical line; bisection
    in log q* finds where it equals sigma_b^2, and sigma_w^2 = 1 / E[phi'(sqrt(q*) Z)^2].
    Arrays of sigma_b are fine.
    """
    act = _activations.get(activation)
    target = check_nonnegative("sigma_b", sigma_b, _LARGEST_SIGMA) ** 2
    square, slope = _square_moments(act, 1e6)
    if np.any(target > 1e6 - square / slope) or target.size > _MOST_SIGMA_B:
        raise ArgumentError(f"sigma_b must be at most {math.sqrt(max(1e6 - square / slope, 0.0)):.4g} for "
                            f"{act.name} (the critical line is searched up to q* = 1e6) and hold at most "
                            f"{_MOST_SIGMA_B:,} values, got {np.max(target) ** 0.5:g} and {target.size:,} values")
    low, high = np.full(target.shape, 1e-12), np.full(target.shape, 1e6)
    for _ in range(80):
        middle = np.sqrt(low * high)
        square, slope = _square_moments(act, middle)
        below = middle - square / slope < target
        low, high = np.where(below, middle, low), np.where(below, high, middle)
    return np.sqrt(1.0 / _square_moments(act, np.sqrt(low * high))[1])[()]
