"""The check of notebook 04's transfer exercise: Glorot's rule for a convolution layer.

A convolution with k x k kernels, C_in input and C_out output channels is a dense
layer in disguise: each output value adds up k * k * C_in weighted inputs
(fan_in = k^2 C_in), and each input value feeds k * k * C_out outputs
(fan_out = k^2 C_out), away from the border.  Glorot's std is then
sqrt(2 / (fan_in + fan_out)), as in Keras' glorot_uniform and PyTorch's
``_calculate_fan_in_and_fan_out`` for a Conv2d.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .answers import _verdict
from .feedback import judged, number
from ..checks import ArgumentError, check_float, check_int
from ..theory import glorot_variance

__all__ = ["conv_fans", "conv_gains", "simulation_cost", "check_conv_glorot_std"]

SIZE = 16  # the simulated images are SIZE x SIZE, or 3 kernels wide if that is more
SEED = 0
#: The most multiply-adds ``conv_gains`` does (a second or two): 3.5 times the lesson's 3x3, 64 -> 128 layer.
MAX_COST = 10**8
#: A std further than this factor from the right one is not simulated: the layer would tell nothing new.
SIMULATED_RANGE = 1000.0


def conv_fans(kernel_size, in_channels, out_channels) -> tuple:
    """(fan_in, fan_out) = (k^2 C_in, k^2 C_out) of a convolution with k x k kernels."""
    kernel_size = check_int("kernel_size", kernel_size, minimum=1, maximum=10**6)
    in_channels = check_int("in_channels", in_channels, minimum=1, maximum=10**6)
    out_channels = check_int("out_channels", out_channels, minimum=1, maximum=10**6)
    area = kernel_size**2
    return area * in_channels, area * out_channels


def conv_gains(weight_std, kernel_size, in_channels, out_channels, seed=SEED) -> tuple:
    """Simulate a convolution with N(0, weight_std^2) weights: (forward, backward) variance gains.

    Forward: Var(output) / Var(input) for a unit-variance input ("valid" outputs only);
    backward: Var(gradient reaching an input) / Var(gradient at the output), for the
    inputs away from the border, which every kernel position uses.  Refused beyond MAX_COST multiply-adds.
    """
    weight_std = check_float("weight_std", weight_std, minimum=0.0, maximum=1e6)
    cost = simulation_cost(kernel_size, in_channels, out_channels)
    if cost > MAX_COST:
        raise ArgumentError(f"kernel_size, in_channels and out_channels make the simulation cost {cost:.1e} "
                            f"multiply-adds, over the {MAX_COST:.0e} of a few seconds: choose fewer channels")
    k, rng = kernel_size, np.random.default_rng(check_int("seed", seed, minimum=0))
    weights = weight_std * rng.standard_normal((out_channels, in_channels, k, k))
    size = max(SIZE, 3 * k)
    x = rng.standard_normal((in_channels, size, size))
    out = np.einsum("cijab,ocab->oij", sliding_window_view(x, (k, k), axis=(1, 2)), weights)
    grad_out = rng.standard_normal(out.shape)
    grad_x = np.zeros_like(x)
    n = out.shape[1]
    for a in range(k):
        for b in range(k):
            grad_x[:, a:a + n, b:b + n] += np.einsum("oc,oij->cij", weights[:, :, a, b], grad_out)
    inner = grad_x[:, k - 1:n, k - 1:n]
    return float(out.var() / x.var()), float(inner.var() / grad_out.var())


def simulation_cost(kernel_size, in_channels, out_channels) -> int:
    """The multiply-adds of ``conv_gains``: k^2 C_in C_out per output value, forward and backward."""
    kernel_size = check_int("kernel_size", kernel_size, minimum=1, maximum=10**6)
    in_channels = check_int("in_channels", in_channels, minimum=1, maximum=10**6)
    out_channels = check_int("out_channels", out_channels, minimum=1, maximum=10**6)
    outputs = (max(SIZE, 3 * kernel_size) - kernel_size + 1) ** 2
    return 2 * kernel_size**2 * in_channels * out_channels * outputs


@judged
def check_conv_glorot_std(answer, kernel_size=3, in_channels=64, out_channels=128) -> bool:
    """Glorot's std for a convolution: sqrt(2 / (k^2 C_in + k^2 C_out)).

    The verdict also shows the variance gains of a simulated convolution with the
    student's std, when it is within a factor SIMULATED_RANGE of the right one and the
    simulation costs at most MAX_COST multiply-adds.
    """
    answer = number(answer)
    fan_in, fan_out = conv_fans(kernel_size, in_channels, out_channels)
    k, c_in, c_out = kernel_size, in_channels, out_channels
    expected = math.sqrt(glorot_variance(fan_in, fan_out))
    mistakes = [
        (math.sqrt(2 / (c_in + c_out)),
         f"That counts channels only. Each output adds up a {k}x{k} patch of every input channel: "
         f"fan_in = {k}*{k}*{c_in} = {fan_in}, and fan_out = {k}*{k}*{c_out} = {fan_out}."),
        (math.sqrt(2 / (k * (c_in + c_out))),
         f"A {k}x{k} kernel has {k}*{k} = {k * k} weights per channel pair, not {k}: fan_in = {fan_in}."
         + (" (Or, if you computed the uniform limit sqrt(6/(fan_in + fan_out)), the same number for k = 3: "
            "the question asks for the std.)" if k == 3 else "")),
        (math.sqrt(2 / (fan_in + c_out)),
         f"fan_in is right ({fan_in}), but an input value feeds {k}*{k} positions of each of the {c_out} "
         f"output channels: fan_out = {fan_out}."),
        (math.sqrt(1 / fan_in), f"That is LeCun's 1/fan_in; Glorot averages fan_in = {fan_in} and "
                                f"fan_out = {fan_out}: Var(W) = 2/(fan_in + fan_out)."),
        (math.sqrt(6 / (fan_in + fan_out)), "That is the uniform limit a = sqrt(3) * std; the question asks for "
                                            "the std of the normal form."),
        (glorot_variance(fan_in, fan_out), "That is the variance 2/(fan_in + fan_out); the std is its square root."),
    ]
    correct = f"✓ Correct: fan_in = {fan_in}, fan_out = {fan_out}, Glorot std = {expected:.4g}."
    right = _verdict(answer, expected, "Glorot std of the convolution", mistakes, correct=correct)
    cost = simulation_cost(k, c_in, c_out)
    if not 1 / SIMULATED_RANGE < answer / expected < SIMULATED_RANGE:
        return right
    if cost > MAX_COST:
        print(f"(A simulated convolution of this size would cost {cost:.1e} multiply-adds, over the {MAX_COST:.0e} "
              "of a few seconds, so it is not run.)")
    else:
        forward, backward = conv_gains(answer, k, c_in, c_out)
        print(f"A simulated {k}x{k} convolution ({c_in} -> {c_out} channels) with your std multiplies the signal's "
              f"variance by {forward:.2f} (fan_in * std^2 = {fan_in * answer**2:.2f}) and the gradient's by "
              f"{backward:.2f} (fan_out * std^2 = {fan_out * answer**2:.2f}).")
    return right
