"""The checks of notebook 05's exercises: SiLU's variance, a convolution's He std, the explorer's verdict.

- ``check_silu_variance``: the Var(W) that keeps E[z^2] = 1 through a SiLU layer,
  1 / (fan_in * E[silu(Z)^2]); a right answer is also tried on a simulated layer;
- ``check_conv_he_std``: He's std for a k x k convolution, whose fan_in is k * k * C_in;
- ``check_relu_lecun_verdict``: the leading word of ``diagnosis.diagnose`` for a deep
  ReLU network with lecun_normal weights, measured by ``propagate`` inside the check.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .answers import STD, _Kind, _verdict
from .feedback import judged, number
from .. import activations as _activations
from .. import theory as _theory
from ..checks import ArgumentError, as_generator, check_choice, check_float, check_int
from ..diagnosis import VERDICT_WORDS, diagnose
from ..propagation import propagate

__all__ = ["check_silu_variance", "check_conv_he_std", "check_relu_lecun_verdict", "silu", "silu_layer_gain"]

VARIANCE = _Kind("a variance is > 0")
#: How a right SiLU answer is simulated: independent draws of one layer's W, inputs per draw.
SILU_DRAWS, SILU_SAMPLES = 10, 200
#: The widest SiLU layer simulated (a second or two: SILU_DRAWS draws of a fan_in x fan_in matrix).
MAX_SIMULATED_FAN_IN = 1024
#: The most depth * width^2 ``check_relu_lecun_verdict`` propagates (twice the lesson's 30 x 500^2, a few seconds).
MAX_VERDICT_COST = 2 * 30 * 500**2


def silu(z):
    """SiLU (swish): z * sigmoid(z)."""
    return z * _activations.sigmoid.function(z)


def _silu_slope(z):
    s = _activations.sigmoid.function(z)
    return s * (1 + z * (1 - s))


def silu_layer_gain(weight_variance, fan_in, draws=SILU_DRAWS, n_samples=SILU_SAMPLES, rng=0) -> float:
    """E[z_next^2] / E[z^2] of one SiLU layer of ``fan_in`` units, Var(W) = ``weight_variance``, z ~ N(0, 1).

    The mean over ``draws`` independent draws of W (one draw's gain is itself a
    little random at finite width).  At most MAX_SIMULATED_FAN_IN units.
    """
    weight_variance = check_float("weight_variance", weight_variance, minimum=0.0, maximum=1e6)
    fan_in = check_int("fan_in", fan_in, minimum=1, maximum=MAX_SIMULATED_FAN_IN)
    draws = check_int("draws", draws, minimum=1, maximum=100)
    n_samples = check_int("n_samples", n_samples, minimum=1, maximum=10_000)
    rng = as_generator(rng)
    gains = []
    for _ in range(draws):
        z = rng.standard_normal((n_samples, fan_in))
        z_next = silu(z) @ (math.sqrt(weight_variance) * rng.standard_normal((fan_in, fan_in)))
        gains.append(np.mean(z_next**2) / np.mean(z**2))
    return float(np.mean(gains))


@judged
def check_silu_variance(answer, fan_in=512) -> bool:
    """Exercise 05 (transfer): Var(W) = 1 / (fan_in * E[silu(Z)^2]) keeps E[z^2] = 1 from layer to layer.

    The next layer sums h_j w_j with zero-mean weights, so E[z_next^2] = fan_in * Var(W) * E[h^2]:
    the second moment of h = silu(z), its positive mean included.  A right answer is also
    tried on a simulated layer, up to MAX_SIMULATED_FAN_IN units.
    """
    answer = number(answer)
    fan_in = check_int("fan_in", fan_in, minimum=1, maximum=10**9)
    power = float(_theory.gaussian_expectation(lambda z: silu(z) ** 2, 1.0))
    mean = float(_theory.gaussian_expectation(silu, 1.0))
    slope_power = float(_theory.gaussian_expectation(lambda z: _silu_slope(z) ** 2, 1.0))
    expected = 1 / (fan_in * power)
    mistakes = [
        (2 / fan_in, f"That is He's 2/n, made for ReLU, which keeps exactly half of the power. SiLU keeps "
                     f"E[silu(Z)^2] = {power:.4f} of it: compute that with theory.gaussian_expectation."),
        (1 / fan_in, f"That is LeCun's 1/n: it keeps the power only where E[phi(Z)^2] = 1. For SiLU it is "
                     f"{power:.4f}."),
        (1 / (fan_in * (power - mean**2)),
         f"You used the variance of silu(Z). The next layer's z sums h_j w_j, and with zero-mean weights its "
         f"variance is fan_in * Var(W) * E[h^2]: the second moment, SiLU's positive mean ({mean:.3f}) included."),
        (1 / (fan_in * slope_power), "That uses E[silu'(Z)^2], the factor of the gradient going back. The "
                                     "forward signal needs E[silu(Z)^2]."),
        (math.sqrt(expected), "That is a standard deviation; the question asks for the variance Var(W)."),
        (power / fan_in, "Upside down: fan_in * Var(W) * E[silu(Z)^2] = 1 gives Var(W) = 1 / (fan_in * E[...])."),
    ]
    right = _verdict(answer, expected, "Var(W) for SiLU", mistakes, VARIANCE,
                     f"✓ Correct: Var(W) = 1 / ({fan_in} * {power:.4f}) = {expected:.4g}.")
    if right and fan_in <= MAX_SIMULATED_FAN_IN:  # and simulated: the mean gain over SILU_DRAWS draws of W
        print(f"Simulated with your variance, a SiLU layer of {fan_in} units multiplies E[z^2] by "
              f"{silu_layer_gain(answer, fan_in):.3f} (the mean over {SILU_DRAWS} draws of W).")
    return right


@judged
def check_conv_he_std(answer, kernel=3, channels_in=64, channels_out=32) -> bool:
    """Exercise 05 (transfer): He's std for a k x k convolution, sqrt(2 / (k * k * C_in)).

    One output value sums a k x k patch of every input channel: fan_in = k * k * C_in
    (PyTorch's ``kaiming_normal_`` computes it so from the weight's shape).
    """
    answer = number(answer)
    kernel = check_int("kernel", kernel, minimum=1, maximum=10**6)
    channels_in = check_int("channels_in", channels_in, minimum=1, maximum=10**6)
    channels_out = check_int("channels_out", channels_out, minimum=1, maximum=10**6)
    fan_in = kernel * kernel * channels_in
    expected = math.sqrt(2 / fan_in)
    patch = f"one output value sums a {kernel}x{kernel} patch of all {channels_in} input channels"
    mistakes = [
        (math.sqrt(2 / channels_in), f"That counts the input channels only, but {patch}: fan_in = k*k*C_in."),
        (math.sqrt(2 / (kernel * channels_in)), f"One side of the kernel only: {patch}, so fan_in = k*k*C_in."),
        (math.sqrt(2 / (kernel * kernel * channels_out)),
         "That uses the output channels, fan_out = k*k*C_out. He's default mode is fan_in: the inputs one "
         "output value sums."),
        (math.sqrt(2 / (fan_in * channels_out)), f"That divides by every weight of the kernel tensor; {patch}, "
                                                 f"so fan_in = k*k*C_in."),
        (1 / math.sqrt(fan_in), "That is LeCun's 1/sqrt(fan_in); ReLU zeroes half of its input, so He doubles "
                                "the variance: sqrt(2 / fan_in)."),
        (2 / fan_in, "That is the variance 2 / fan_in; the std is its square root."),
    ]
    return _verdict(answer, expected, f"He std for a {kernel}x{kernel} convolution from {channels_in} channels "
                                      f"(fan_in {fan_in})", mistakes, STD)


@functools.lru_cache(maxsize=8)
def _relu_lecun_verdict(depth, width) -> str:
    return diagnose(propagate("lecun_normal", "relu", depth=depth, width=width, n_samples=300, rng=0))


@judged
def check_relu_lecun_verdict(answer, depth=30, width=500) -> bool:
    """Exercise 05: the first word of ``diagnose``'s verdict for relu + lecun_normal (the explorer's view).

    Var(W) = 1/n multiplies E[h^2] by 1/2 per ReLU layer going forward, and the
    gradient's variance by 1/2 per layer going back: at depth 30 the gradient
    vanishes and the output's input dependence collapses; "vanishing" is the more
    serious (``VERDICT_WORDS`` lists the words most serious first).
    """
    answer = check_choice("answer", answer, VERDICT_WORDS)
    depth = check_int("depth", depth, minimum=2)
    width = check_int("width", width, minimum=1)
    if depth * width**2 > MAX_VERDICT_COST:
        raise ArgumentError(f"depth * width^2 must be at most {MAX_VERDICT_COST:,} (the network is propagated on 300 "
                            f"samples, a few seconds), got depth = {depth} and width = {width}: {depth * width**2:,}")
    verdict = _relu_lecun_verdict(depth, width)
    expected = verdict.split(":")[0]
    if answer == expected:
        print(f"✓ Correct: diagnose says \"{verdict}\".")
        return True
    if f"{answer}:" in verdict:
        print(f"✗ Not yet: '{answer}' is in the verdict, but not first. The verdict leads with the most serious "
              f"finding, in the order of diagnosis.VERDICT_WORDS {VERDICT_WORDS}: what happens to the gradient "
              "going back? (fan_out * Var(W) * E[relu'(z)^2] per layer)")
        return False
    hints = {
        "healthy": f"With Var(W) = 1/n each ReLU layer multiplies E[h^2] by n * (1/n) / 2 = 1/2: over {depth} "
                   f"layers that is a factor 2^-{depth - 1}. Is that healthy?",
        "exploding": "Which way does it go? With Var(W) = 1/n a ReLU layer multiplies E[h^2] by n * (1/n) / 2 = "
                     "1/2, and the gradient's variance by 1/2 going back: nothing grows.",
        "saturating": "ReLU has no flat tails (activations.relu.is_saturated is None): nothing can saturate.",
        "dead": "Dead means 0 for every input. Smaller weights shrink every z by the same factor, and "
                "relu(c z) = c relu(z): a unit that is on for some inputs stays on for them.",
    }
    print(f"✗ Not yet: {hints.get(answer, 'Go back to how 1/n acts on a ReLU layer, forward and backward.')}")
    return False
