"""The checks of notebook 03's exercises: the variance of a weighted sum, run backwards and carried further.

- ``check_weight_std_with_bias``: which weight std gives std(z) = 1 when the bias
  already uses part of the variance;
- ``check_mixed_inputs_std``: std(z) when the inputs are not all 0 or 1, so each
  term counts with x_j^2;
- ``check_pixel_weight_std`` (transfer): the weight std that gives Var(z) = 1 on
  real MNIST pixels, which are not centred: Var(z) = n * Var(w) * E[x^2], checked
  against a simulated layer on the images.
"""

from __future__ import annotations

import math

import numpy as np

from .answers import _verdict
from .feedback import judged, number
from ..checks import ArgumentError, ArgumentTypeError, check_array, check_float, check_int

__all__ = ["check_weight_std_with_bias", "check_mixed_inputs_std", "check_pixel_weight_std"]

#: Units of the simulated layer in ``check_pixel_weight_std``, and the seed of its weights.
SIMULATED_UNITS = 2000
SEED = 0
#: The largest pixels array the simulated layer is run on (images x pixels): 10,000 MNIST
#: images, a second or two of multiply-adds with SIMULATED_UNITS units.
MAX_PIXEL_ENTRIES = 10_000 * 784
#: A std further than this factor from the right one is not simulated: the layer would tell nothing new.
SIMULATED_RANGE = 1000.0


@judged
def check_weight_std_with_bias(answer, n_inputs=1000, n_on=500, bias_std=0.6, target_std=1.0) -> bool:
    """The weight std s with n_on * s^2 + bias_std^2 = target_std^2, i.e. s = sqrt((target^2 - bias^2) / n_on)."""
    answer = number(answer)
    n_inputs = check_int("n_inputs", n_inputs, minimum=1, maximum=10**9)
    n_on = check_int("n_on", n_on, minimum=1)
    if n_on > n_inputs:
        raise ArgumentError(f"n_on must be at most n_inputs (the inputs that exist), got n_on = {n_on} and "
                            f"n_inputs = {n_inputs}")
    bias_std = check_float("bias_std", bias_std, minimum=0.0, maximum=1e6)
    target_std = check_float("target_std", target_std, minimum=1e-6, maximum=1e6)
    room = target_std**2 - bias_std**2  # the variance left for the weighted inputs
    if room <= 0:
        raise ArgumentError(f"bias_std must be below target_std, got bias_std = {bias_std} and target_std = {target_std}")
    expected = math.sqrt(room / n_on)
    mistakes = [
        (target_std / math.sqrt(n_on),
         f"You left out the bias: it already gives Var(z) {bias_std**2:g} of the {target_std**2:g}, so the "
         f"weights may only add {room:g}."),
        (math.sqrt(room / n_inputs),
         f"That divides by all {n_inputs} inputs; only the {n_on} that are on (equal to 1) add to Var(z)."),
        (math.sqrt((target_std - bias_std) / n_on),
         f"Standard deviations do not subtract: variances do. The weights may add "
         f"{target_std:g}^2 - {bias_std:g}^2 = {room:g} to Var(z)."),
        (room / n_on, "That is the weight variance; the std is its square root."),
    ]
    return _verdict(answer, expected, f"weight std for std(z) = {target_std:g}", mistakes)


@judged
def check_mixed_inputs_std(answer, counts=(300, 100), values=(1.0, 3.0), weight_std=0.1) -> bool:
    """std(z) = sqrt(sum_j x_j^2 Var(w)) for counts[i] inputs equal to values[i] (the rest 0), no bias."""
    answer = number(answer)
    for name, given in (("counts", counts), ("values", values)):
        if not isinstance(given, (tuple, list)):
            raise ArgumentTypeError(f"{name} must be a tuple such as (300, 100), got {given!r} "
                                    f"({type(given).__name__})")
    counts = [check_int("counts", c, minimum=0, maximum=10**9) for c in counts]
    values = [check_float("values", v, minimum=-1e6, maximum=1e6) for v in values]
    weight_std = check_float("weight_std", weight_std, minimum=1e-6, maximum=1e6)
    if len(counts) != len(values) or not any(c and v for c, v in zip(counts, values)):
        raise ArgumentError(f"counts and values must pair up, with some non-zero input; got {counts} and {values}")
    expected = weight_std * math.sqrt(sum(c * v**2 for c, v in zip(counts, values)))
    mistakes = [
        (weight_std * math.sqrt(sum(c * abs(v) for c, v in zip(counts, values))),
         "An input x_j scales its term w_j x_j by x_j, so its variance by x_j^2: square the input values."),
        (weight_std * math.sqrt(sum(counts)),
         "That counts every active input as 1; an input equal to x_j adds x_j^2 * Var(w) to Var(z)."),
        (weight_std * sum(math.sqrt(c) * abs(v) for c, v in zip(counts, values)),
         "Standard deviations do not add; variances do. Add up x_j^2 * Var(w) over all inputs, then take the root."),
        (weight_std**2 * sum(c * v**2 for c, v in zip(counts, values)), "That is Var(z); std(z) is its square root."),
    ]
    return _verdict(answer, expected, "std(z)", mistakes)


def simulated_variance(pixels, weight_std, units=SIMULATED_UNITS, seed=SEED) -> float:
    """Var(z) of a layer with N(0, weight_std^2) weights on ``pixels`` (images, n), over images and units."""
    pixels = check_array("pixels", pixels, ndim=2)
    weight_std = check_float("weight_std", weight_std, minimum=0.0, maximum=1e6)
    units = check_int("units", units, minimum=1, maximum=10**5)
    if pixels.size * units > MAX_PIXEL_ENTRIES * SIMULATED_UNITS:
        raise ArgumentError(f"pixels and units make {pixels.size * units:.1e} multiply-adds, more than the "
                            f"{MAX_PIXEL_ENTRIES * SIMULATED_UNITS:.1e} of a few seconds: use fewer images or units")
    rng = np.random.default_rng(check_int("seed", seed, minimum=0))
    weights = rng.standard_normal((pixels.shape[1], units)) * weight_std
    return float(np.mean((pixels @ weights) ** 2))  # E[z] = 0: the weights have mean 0


@judged
def check_pixel_weight_std(answer, pixels) -> bool:
    """The weight std giving Var(z) = 1 on ``pixels`` (images, n): Var(z) = n * s^2 * E[x^2], so s = 1/sqrt(n E[x^2]).

    The verdict also shows Var(z) of a simulated layer with the student's std on the images
    (when the std is within a factor SIMULATED_RANGE of the right one).
    """
    answer = number(answer)
    pixels = check_array("pixels", pixels, ndim=2)
    if pixels.size > MAX_PIXEL_ENTRIES:
        raise ArgumentError(f"pixels must have at most {MAX_PIXEL_ENTRIES:,} entries (10,000 MNIST images), got "
                            f"shape {pixels.shape}: a simulated layer of {SIMULATED_UNITS} units on them would take "
                            f"{pixels.size * SIMULATED_UNITS:.1e} multiply-adds; pass pixels[:10000]")
    if np.abs(pixels).max() > 1e6:
        raise ArgumentError(f"pixels must be pixel intensities (MNIST's are in [0, 1]), got values as large as "
                            f"{np.abs(pixels).max():.3g}")
    n = pixels.shape[1]
    mean, second = float(pixels.mean()), float(np.mean(pixels**2))
    if second == 0:
        raise ArgumentError("pixels must not all be 0: Var(z) is then 0 whatever the weights")
    expected = 1 / math.sqrt(n * second)
    variance = second - mean**2
    uses = [  # (what a mistake puts in place of E[x^2], its hint)
        (variance, f"That uses the pixels' variance {variance:.4f}. The pixels are not centred (mean {mean:.3f}): "
                   f"z adds w_j x_j, whose variance is Var(w) * E[x^2], with E[x^2] = Var(x) + mean^2 = {second:.4f}."),
        (mean, f"That uses the mean pixel {mean:.3f}; a term w_j x_j has variance Var(w) * E[x^2], and "
               f"E[x^2] = Var(x) + mean^2 = {second:.4f}."),
        (math.sqrt(max(variance, 0.0)), f"That uses the pixels' std; a term w_j x_j has variance Var(w) * E[x^2], "
                                        f"with E[x^2] = {second:.4f}."),
        (1.0, f"That treats every pixel as 1. A pixel x_j scales its term's variance by x_j^2, {second:.4f} on average."),
    ]
    mistakes = [(1 / math.sqrt(n * used), hint) for used, hint in uses if used > 0]
    right = _verdict(answer, expected, f"weight std for Var(z) = 1 on {n} pixels", mistakes)
    if 1 / SIMULATED_RANGE < answer / expected < SIMULATED_RANGE:
        print(f"A layer with your std {answer:.4g} on these {len(pixels)} images has Var(z) = "
              f"{simulated_variance(pixels, answer):.3f} (simulated with {SIMULATED_UNITS} units).")
    return right
