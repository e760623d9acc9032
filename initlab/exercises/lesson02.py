"""The checks of notebook 02's exercises: the width that makes a weight std critical, chi_1, a bias's fixed point.

- ``check_critical_width``: the width at which weights ``weight_std * N(0, 1)`` keep a
  small signal's std (sigma_w = weight_std * sqrt(width) = 1);
- ``check_chi_1``: chi_1 = sigma_w^2 E[tanh'(z)^2], z ~ N(0, q*), at the fixed point q*
  of the length map, for N(0, 1) weights in a narrow layer;
- ``check_bias_fixed_point`` (transfer): the small start with biases N(0, sigma_b^2):
  the std the activations settle at, q* = sigma_w^2 E[tanh(z)^2] + sigma_b^2.

The expected values come from ``initlab.theory`` (the length map, Gaussian
expectations); the numbers are judged by ``answers._verdict``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .answers import STD, _Kind, _show, _verdict
from .feedback import judged, number
from .. import theory as _theory
from ..checks import check_choice, check_float, check_int

__all__ = ["check_critical_width", "check_chi_1", "check_bias_fixed_point", "fixed_point", "chi_1"]

WIDTH = _Kind("a width is > 0")
CHI = _Kind("chi_1 is > 0")
#: Layers of the length map after which q has settled (its distance to q* shrinks geometrically).
SETTLED = 200


def fixed_point(sigma_w, sigma_b=0.0, activation="tanh") -> float:
    """q* = sigma_w^2 E[phi(sqrt(q*) Z)^2] + sigma_b^2: the input variance deep layers settle at.

    For a bounded activation (tanh or sigmoid), so q* <= sigma_w^2 + sigma_b^2 is finite.
    """
    sigma_w = check_float("sigma_w", sigma_w, minimum=0.0, maximum=1e3)
    sigma_b = check_float("sigma_b", sigma_b, minimum=0.0, maximum=1e3)
    activation = check_choice("activation", activation, ("tanh", "sigmoid"))
    return _fixed_point(sigma_w, sigma_b, activation)


@functools.lru_cache(maxsize=64)  # a check asks for the same few fixed points again and again
def _fixed_point(sigma_w, sigma_b, activation) -> float:
    return float(_theory.mean_field(SETTLED, sigma_w, sigma_b, activation).q[-1])


def _slope_power(q) -> float:
    """E[tanh'(z)^2] for z ~ N(0, q)."""
    return float(_theory.gaussian_expectation(lambda z: (1 - np.tanh(z) ** 2) ** 2, q))


def chi_1(sigma_w, q) -> float:
    """chi_1 = sigma_w^2 E[tanh'(z)^2], z ~ N(0, q): how much a tanh layer multiplies the gradient's variance."""
    sigma_w = check_float("sigma_w", sigma_w, minimum=0.0, maximum=1e3)
    q = check_float("q", q, minimum=0.0, maximum=1e12)
    return sigma_w**2 * _slope_power(q)


@judged
def check_critical_width(answer, weight_std=0.01) -> bool:
    """Exercise 02.1: the width n with weight_std * sqrt(n) = 1, that is n = 1 / weight_std^2."""
    answer = number(answer)
    weight_std = check_float("weight_std", weight_std, minimum=1e-6, maximum=1.0)  # a width from 1 to 1e12
    expected = 1 / weight_std**2
    reference_width = 500
    mistakes = [
        (1 / weight_std, f"That makes {weight_std} * width = 1, but a sum of n terms has a std that grows like "
                         f"sqrt(n): the condition is {weight_std} * sqrt(width) = 1."),
        (reference_width / _theory.sigma_w(weight_std, reference_width),
         f"That scales the width by 1 / {_theory.sigma_w(weight_std, reference_width):.3f}; the factor grows like "
         "sqrt(width), so the width must grow by the square of that."),
    ]
    correct = (f"✓ Correct: at width {expected:,.0f}, {weight_std} * sqrt(width) = 1: {weight_std} * N(0, 1) is then "
               "exactly N(0, 1) / sqrt(fan_in), the healthy start of this lesson. Small or large is relative to "
               "1 / sqrt(fan_in).")
    return _verdict(answer, expected, "critical width", mistakes, WIDTH, correct)


@judged
def check_chi_1(answer, width=50, weight_std=1.0) -> bool:
    """Exercise 02.2: chi_1 of a tanh layer of ``width`` with weights ``weight_std`` * N(0, 1), at q*."""
    answer = number(answer)
    width = check_int("width", width, minimum=1, maximum=10**4)
    weight_std = check_float("weight_std", weight_std, minimum=1e-6, maximum=10.0)
    sigma_w = _theory.sigma_w(weight_std, width)
    q_star = fixed_point(sigma_w)
    expected = chi_1(sigma_w, q_star)
    q_first = sigma_w**2  # layer 1: the N(0, 1) input has E[x^2] = 1
    q_reference = fixed_point(_theory.sigma_w(weight_std, 500))
    mistakes = [
        (chi_1(sigma_w, q_first), f"That is chi_1 at layer 1, where q = sigma_w^2 = {q_first:.4g}. Deeper layers "
                                  f"settle at q*: iterate q <- {sigma_w ** 2:.4g} * E[tanh(sqrt(q) Z)^2]."),
        (math.sqrt(expected), "That is sqrt(chi_1), the factor of the gradient's std; chi_1 is the factor of "
                              "its variance."),
        (_slope_power(q_star), f"That is E[tanh'(z)^2] alone; multiply by sigma_w^2 = {sigma_w ** 2:.4g}."),
        (sigma_w * _slope_power(q_star), f"Square sigma_w: chi_1 = sigma_w^2 * E[tanh'(z)^2], sigma_w^2 = "
                                         f"{sigma_w ** 2:.4g}."),
        (chi_1(sigma_w, q_reference), f"That uses the q* of width 500 ({q_reference:.0f}); at width {width} the "
                                      "fixed point is smaller."),
        (chi_1(_theory.sigma_w(weight_std, 500), q_reference), "That is chi_1 at width 500, the lesson's network."),
    ]
    correct = (f"✓ Correct: chi_1 = {_show(expected)} at width {width} (q* = {q_star:.4g}): going back, each layer "
               f"multiplies the gradient's std by sqrt(chi_1) = {math.sqrt(expected):.2f}.")
    return _verdict(answer, expected, "chi_1", mistakes, CHI, correct)


@judged
def check_bias_fixed_point(answer, weight_std=0.01, width=500, bias_std=0.05, depth=10) -> bool:
    """Exercise 02.3 (transfer): the std of the activations at layer ``depth`` with biases N(0, bias_std^2).

    In the linear regime q* = sigma_w^2 q* + sigma_b^2, so q* = sigma_b^2 / (1 - sigma_w^2);
    the expected value is the mean-field prediction (tanh included).  The mistakes
    that use the linear regime's formula are looked for only where it holds, sigma_w < 1.
    """
    answer = number(answer)
    weight_std = check_float("weight_std", weight_std, minimum=0.0, maximum=10.0)
    width = check_int("width", width, minimum=1, maximum=10**4)
    bias_std = check_float("bias_std", bias_std, strictly_positive=True, maximum=100.0)
    depth = check_int("depth", depth, minimum=2, maximum=1000)
    sigma_w = _theory.sigma_w(weight_std, width)
    prediction = _theory.mean_field(depth, sigma_w, bias_std)
    expected = float(prediction.std[-1])
    mistakes = [
        (bias_std, f"That is the biases alone; the weights add sigma_w^2 * q of the layer before "
                   f"(sigma_w^2 = {sigma_w ** 2:.3g}): q* = sigma_w^2 q* + sigma_b^2."),
        (float(prediction.std[0]), "That is layer 1, whose input has variance 1; each later layer sees the "
                                   "small outputs of the one before, and the std settles at the fixed point."),
        (math.sqrt(sigma_w**2 + bias_std**2), "That is layer 1's input std, sqrt(sigma_w^2 * 1 + sigma_b^2); the "
                                              "deep layers settle at the fixed point q* = sigma_w^2 q* + sigma_b^2."),
    ]
    linear_regime = [
        (bias_std / (1 - sigma_w), "Standard deviations do not add, variances do: q* = sigma_w^2 q* + sigma_b^2."),
        (bias_std / math.sqrt(1 - sigma_w), "sigma_w multiplies the std, so the variance by sigma_w^2: "
                                            "q* = sigma_b^2 / (1 - sigma_w^2)."),
        (bias_std**2 / (1 - sigma_w**2), "That is the variance q*; the std is its square root."),
    ] if sigma_w < 1 else []
    return _verdict(answer, expected, f"std at layer {depth} with biases N(0, {bias_std:g}^2)",
                    mistakes + linear_regime, STD)
