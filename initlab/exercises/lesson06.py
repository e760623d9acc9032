"""The checks of notebook 06's exercises: how long weight decay takes, and a weight std for MNIST's pixels.

- ``check_decay_epochs``: the epochs of weight decay alone that bring N(0, 1) weights
  down to std 1/sqrt(n_in): solve (per-epoch factor)^k = 1/sqrt(n_in);
- ``check_pixel_std_with_bias``: the weight std that gives a hidden unit's input z a
  chosen std on real MNIST images, with N(0, bias_std^2) biases:
  Var(z) = Var(w) * sum_j x_j^2 + bias_std^2, the sum of squared pixels measured
  on the training images (about 88: most pixels are 0); a right answer is also
  tried on the images.

The decay factor of one step is checked by ``answers.check_decay_factor``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .answers import STD, _check_step_decay, _Kind, _verdict
from .feedback import judged, number
from .. import data as _data
from ..checks import ArgumentError, as_generator, check_float, check_int

__all__ = ["check_decay_epochs", "check_pixel_std_with_bias", "pixel_power", "try_on_images"]

EPOCHS = _Kind("a number of epochs is > 0")
#: Hidden units drawn when a right pixel answer is tried on the training images.
TRIAL_UNITS = 2000


def _per_epoch(eta, lmbda, n_train, batch_size) -> tuple:
    """(the decay factor of one epoch, the steps of one epoch): (1 - eta lambda / n)^(n / batch_size)."""
    steps = n_train // batch_size
    return (1 - eta * lmbda / n_train) ** steps, steps


@judged
def check_decay_epochs(answer, eta=0.1, lmbda=5.0, n_train=4000, batch_size=10, n_inputs=784) -> bool:
    """Exercise 06: epochs of decay alone from std 1 to 1/sqrt(n_inputs): k = ln(sqrt(n_inputs)) / -ln(factor).

    The per-epoch factor is (1 - eta lambda / n)^(n / batch_size), about exp(-eta lambda / batch_size).
    """
    answer = number(answer)
    eta = check_float("eta", eta, strictly_positive=True, maximum=1e6)
    lmbda = check_float("lmbda", lmbda, strictly_positive=True, maximum=1e6)
    n_train = check_int("n_train", n_train, minimum=1, maximum=10**9)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    n_inputs = check_int("n_inputs", n_inputs, minimum=2, maximum=10**9)
    _check_step_decay(eta, lmbda, n_train, batch_size)
    factor, steps = _per_epoch(eta, lmbda, n_train, batch_size)
    if not 0 < factor < 1:  # an epoch of many steps can take away more than a float shows
        raise ArgumentError(f"eta, lmbda, n_train and batch_size make one epoch multiply the weights by {factor:.3g}; "
                            "choose settings whose epoch leaves some of the weights (a smaller eta or lmbda)")
    target = 1 / math.sqrt(n_inputs)
    rate = -math.log(factor)  # what one epoch takes away, on a log scale
    expected = -math.log(target) / rate
    mistakes = [
        (math.log(n_inputs) / rate, f"That brings the weights down to 1/{n_inputs}, the variance of N(0, 1/n_in). "
                                    f"The std is 1/sqrt({n_inputs}) = {target:.4f}: solve factor^k = {target:.4f}."),
        (expected * steps, f"That counts steps; an epoch has n / {batch_size} = {steps} of them."),
        (-math.log10(target) / rate, "Mixed bases: take the natural log on both sides, k = ln(1/target) / "
                                     "(-ln(per-epoch factor)), or log10 on both sides."),
        (-math.log(target) / (eta * lmbda), f"Each epoch takes exp(-eta lambda / {batch_size}), not exp(-eta lambda): "
                                            f"{steps} steps of eta lambda / n each."),
        ((1 - target) / (1 - factor), f"That takes {1 - factor:.1%} of the *starting* weights each epoch. The decay "
                                      f"takes {1 - factor:.1%} of what is left: it is geometric, solve factor^k = "
                                      f"target with logarithms."),
    ]
    correct = (f"✓ Correct: {_show_epochs(expected)} epochs: each multiplies the weights by {factor:.4f}, and "
               f"{factor:.4f}^{expected:.1f} = {target:.4f} = 1/sqrt({n_inputs}).")
    return _verdict(answer, expected, "epochs", mistakes, EPOCHS, correct)


def _show_epochs(k) -> str:
    return f"{k:.1f}" if k < 1000 else f"{k:.0f}"


@functools.lru_cache(maxsize=1)
def _training_images() -> np.ndarray:
    return _data.load_mnist().x_train


def pixel_power() -> float:
    """The mean over the training images of sum_j x_j^2: what multiplies Var(w) in Var(z)."""
    return float((_training_images() ** 2).sum(axis=1).mean())


def try_on_images(weight_std, bias_std, rng=0) -> float:
    """std of z = x W + b over the training images and TRIAL_UNITS units, W ~ N(0, weight_std^2), b ~ N(0, bias_std^2)."""
    weight_std = check_float("weight_std", weight_std, minimum=0.0, maximum=1e6)
    bias_std = check_float("bias_std", bias_std, minimum=0.0, maximum=1e6)
    x = _training_images()
    rng = as_generator(rng)
    w = weight_std * rng.standard_normal((x.shape[1], TRIAL_UNITS))
    b = bias_std * rng.standard_normal(TRIAL_UNITS)
    return float((x @ w + b).std())


@judged
def check_pixel_std_with_bias(answer, bias_std=0.5, target_std=1.0) -> bool:
    """Exercise 06 (transfer): std(w) = sqrt((target_std^2 - bias_std^2) / sum_j x_j^2) on MNIST's images.

    For one image, z = sum_j w_j x_j + b has Var(z) = Var(w) sum_j x_j^2 + bias_std^2:
    the pixels enter through their squares, about 88 per image, not through their count 784.
    """
    answer = number(answer)
    bias_std = check_float("bias_std", bias_std, minimum=0.0, maximum=1e6)
    target_std = check_float("target_std", target_std, minimum=1e-6, maximum=1e6)
    if bias_std >= target_std:
        raise ArgumentError(f"bias_std must be below target_std ({target_std}), got {bias_std}: the bias alone "
                         f"already gives std {bias_std}")
    power = pixel_power()
    x = _training_images()
    n_pixels, mean_pixel = x.shape[1], float(x.mean())
    room = target_std**2 - bias_std**2  # the variance the pixels may bring
    expected = math.sqrt(room / power)
    mistakes = [
        (math.sqrt(target_std**2 / power), f"You left out the bias: it adds bias_std^2 = {bias_std**2:g} to Var(z), "
                                            f"so the pixels may bring only {target_std**2:g} - {bias_std**2:g}."),
        (math.sqrt(room / n_pixels), f"That treats the {n_pixels} pixels as inputs with E[x^2] = 1. Most pixels are 0: "
                                     f"the pixel term's variance is Var(w) * sum_j x_j^2, about {power:.0f} Var(w)."),
        (1 / math.sqrt(n_pixels), f"That is N(0, 1/n_in), the lesson's new start: it assumes inputs with E[x^2] = 1 "
                                  f"and no bias. Here sum_j x_j^2 is about {power:.0f} and the bias adds {bias_std**2:g}."),
        (math.sqrt(room / (n_pixels * mean_pixel)),
         f"That uses the mean pixel ({mean_pixel:.3f}); what adds up is x_j^2 Var(w), so it takes the mean "
         f"*square* pixel ({power / n_pixels:.3f}): sum_j x_j^2 is about {power:.0f}."),
        ((target_std - bias_std) / math.sqrt(power), "Standard deviations do not subtract; variances do: "
                                                     "Var(w) * sum_j x_j^2 = target_std^2 - bias_std^2."),
        (room / power, "That is the variance Var(w); the std is its square root."),
    ]
    formula = f"sqrt(({target_std:g}^2 - {bias_std:g}^2) / {power:.1f})"
    if not _verdict(answer, expected, "std(w) on MNIST's pixels", mistakes, STD,
                    f"✓ Correct: std(w) = {formula} = {expected:.4g}."):
        return False
    print(f"Tried on the {len(x)} training images with {TRIAL_UNITS} hidden units: std(z) = "
          f"{try_on_images(answer, bias_std):.3f}.")
    return True
