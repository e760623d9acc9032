"""The checks of notebook 07's exercises: depth scales, trainable depths and edges of chaos.

Each expected value is computed here from the mean-field theory (``initlab.meanfield``,
``initlab.theory``), never typed in; each known mistake is computed the same way and
names itself when a student's answer matches it.
"""

from __future__ import annotations

import functools
import math

from .answers import _Kind, _verdict
from .feedback import judged, number
from .. import activations as _activations
from .. import meanfield as _meanfield
from .. import theory as _theory
from ..checks import ArgumentError, check_float

__all__ = ["check_relu_depth_scale", "check_trainable_depth", "check_leaky_critical_sigma_w2",
           "check_sigmoid_critical_sigma_w"]

LAYERS = _Kind("a depth scale is a number of layers > 0")
DEPTH = _Kind("a depth is a number of layers > 0")
SIGMA = _Kind("sigma_w is > 0")
SIGMA2 = _Kind("sigma_w^2 is > 0")


@judged
def check_relu_depth_scale(answer, sigma_w2=1.0) -> bool:
    """Exercise 07-1: xi_grad = -1 / ln(chi_1) of a ReLU network without bias, chi_1 = sigma_w^2 / 2."""
    answer = number(answer)
    sigma_w2 = check_float("sigma_w2", sigma_w2, minimum=1e-6)
    chi = sigma_w2 * _theory.gaussian_expectation(lambda z: _activations.relu.derivative(z) ** 2, 1.0)
    if chi >= 1 - 1e-9:
        raise ArgumentError(f"sigma_w2 must be below 2 (the ordered side, chi_1 < 1), got {sigma_w2}")
    expected = -1 / math.log(chi)
    mistakes = [
        (-1 / math.log10(chi), "That uses log10; the depth scale needs the natural logarithm, xi = -1 / ln(chi_1)."),
        (-1 / math.log(math.sqrt(chi)), f"That is the depth scale of the gradient's size (its std, which shrinks by "
                                        f"sqrt(chi_1) per layer). xi_grad is the mean square's: it shrinks by chi_1 = "
                                        f"{chi:g} per layer."),
        (1 / chi, "xi is not 1 / chi_1: it is the number of layers l with chi_1^l = 1/e, so xi = -1 / ln(chi_1)."),
    ]
    return _verdict(answer, expected, f"xi_grad for ReLU with sigma_w^2 = {sigma_w2:g}", mistakes, LAYERS)


@judged
def check_trainable_depth(answer, sigma_w2=3.0, sigma_b2=0.05) -> bool:
    """Exercise 07-2: Schoenholz et al.'s depth budget 6 xi_c of a tanh network."""
    answer = number(answer)
    sigma_w2 = check_float("sigma_w2", sigma_w2, minimum=1e-3, maximum=100.0)
    sigma_b2 = check_float("sigma_b2", sigma_b2, minimum=0.0, maximum=100.0)
    phase = _phase(sigma_w2, sigma_b2)
    if not 0 < phase.xi_c < math.inf:
        raise ArgumentError(f"sigma_w2 = {sigma_w2:g} and sigma_b2 = {sigma_b2:g} lie on the edge of chaos "
                            f"(chi_c = {phase.chi_c:.6g}): xi_c is infinite there and every depth trains; "
                            "choose a point off the edge")
    expected = 6 * phase.xi_c
    mistakes = [
        (6 * abs(phase.xi_grad), f"That is 6 |xi_grad|, from chi_1 = {phase.chi_1:.3g}. Trainability follows the "
                                 f"correlation's depth scale xi_c, from the slope chi_c = {phase.chi_c:.3g} of the "
                                 f"correlation map at its fixed point c* = {phase.c_star:.3g}."),
        (phase.xi_c, "That is xi_c itself; Schoenholz et al.'s networks trained up to about 6 xi_c layers."),
        (-6 / math.log10(phase.chi_c), "That uses log10; xi_c = -1 / ln(chi_c), with the natural logarithm."),
    ]
    return _verdict(answer, expected, f"6 xi_c at sigma_w^2 = {sigma_w2:g}, sigma_b^2 = {sigma_b2:g}", mistakes,
                    DEPTH)


@functools.lru_cache(maxsize=64)
def _phase(sigma_w2, sigma_b2) -> _meanfield.Phase:
    """The mean-field phase of a tanh network at (sigma_w^2, sigma_b^2)."""
    return _meanfield.phase(math.sqrt(sigma_w2), math.sqrt(sigma_b2))


@judged
def check_leaky_critical_sigma_w2(answer, slope=0.2) -> bool:
    """Exercise 07-3 (transfer): the sigma_w^2 with chi_1 = 1 for a leaky ReLU, 1 / E[phi'(z)^2]."""
    answer = number(answer)
    slope = check_float("slope", slope, minimum=0.0, maximum=1.0)
    leaky = _activations.leaky_relu(slope)
    expected = 1 / _theory.gaussian_expectation(lambda z: leaky.derivative(z) ** 2, 1.0)
    mistakes = [
        (2 / (1 + slope), f"The negative half passes a slope of {slope:g}, and chi_1 averages the slope squared: "
                          f"E[phi'^2] = (1 + {slope:g}^2) / 2."),
        (2.0, "That is plain ReLU's 2; the leaky half adds slope^2 / 2 to E[phi'^2]."),
        (math.sqrt(expected), "That is the gain sigma_w (PyTorch's calculate_gain); the question asks for sigma_w^2."),
        (1 / expected, "That is E[phi'^2] itself; chi_1 = sigma_w^2 E[phi'^2] = 1 needs its inverse."),
    ]
    return _verdict(answer, expected, f"critical sigma_w^2 for leaky ReLU (slope {slope:g})", mistakes, SIGMA2)


@functools.lru_cache(maxsize=1)
def _sigmoid_facts() -> tuple:
    """(sigma_w with chi_1 = 1 for sigmoid without bias, by bisection (chi_1 grows with sigma_w);
    chi_1 and q* at sigma_w = 4)."""
    low, high = 1.0, 100.0
    for _ in range(60):
        middle = math.sqrt(low * high)
        low, high = (middle, high) if _meanfield.chi_1(middle, 0.0, "sigmoid") < 1 else (low, middle)
    return (math.sqrt(low * high), float(_meanfield.chi_1(4.0, 0.0, "sigmoid")),
            float(_meanfield.fixed_point_q(4.0, 0.0, "sigmoid")))


@judged
def check_sigmoid_critical_sigma_w(answer) -> bool:
    """Exercise 07-4 (transfer): the sigma_w at which a sigmoid network without bias is critical."""
    answer = number(answer)
    expected, at_four, q_four = _sigmoid_facts()
    mistakes = [
        (4.0, f"sigma_w = 4 makes up for sigmoid's slope of 1/4 at z = 0, but the pre-activations then spread "
              f"(q* = {q_four:.3g}) and most units sit where the slope "
              f"is smaller: chi_1 = {at_four:.2f} there."),
        (expected**2, "That is sigma_w^2; the question asks for sigma_w."),
    ]
    return _verdict(answer, expected, "critical sigma_w for sigmoid without bias", mistakes, SIGMA)
