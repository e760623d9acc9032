"""LSUV (Mishkin & Matas 2016): an orthonormal start, then each layer rescaled until its output variance on a batch is 1.

Layer-sequential unit-variance initialization, for the course's ``mlp.MLP``::

    W_l <- orthonormal (gain 1), every layer
    for l = 1 .. L, in order:
        z_l = a_{l-1} @ W_l + b_l                  on a batch of real inputs
        while |Var(z_l) - 1| > tol:  W_l <- W_l / sqrt(Var(z_l))

Var is taken over all entries of z_l (samples and units).  With zero biases one
rescaling is exact; with biases the loop converges when their own variance is
below 1.  Because each layer is fixed before the next is measured, every layer
sees the real statistics of the data and of the layers below it: no assumption
about the input scale or the activation is needed.  There is no PyTorch or Keras
built-in; the authors' code is github.com/ducha-aiki/LSUVinit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import initializers as _initializers
from .checks import ArgumentError, ArgumentTypeError, as_generator, check_array, check_float, check_int
from .mlp import MLP

__all__ = ["lsuv", "LsuvResult", "TOLERANCE", "MAX_ITERATIONS"]

#: LSUV stops when a layer's output variance is within this of 1 (the paper's Tol_var is 0.1; we use 1%).
TOLERANCE = 0.01
#: And gives up after this many rescalings of one layer (the paper's T_max is 10).
MAX_ITERATIONS = 10


@dataclass
class LsuvResult:
    """What LSUV did to each layer: its output variance after the orthonormal start and at the end,
    the total factor its weights were multiplied by, and how many rescalings it took."""

    variance_before: np.ndarray
    variance_after: np.ndarray
    scale: np.ndarray
    iterations: np.ndarray

    def table(self) -> str:
        rows = [f"{'layer':>5}  {'Var(z) orthonormal':>18}  {'x W':>7}  {'Var(z) after':>12}  rescalings"]
        for layer, (before, after, scale, n) in enumerate(zip(self.variance_before, self.variance_after, self.scale,
                                                             self.iterations), start=1):
            rows.append(f"{layer:>5}  {before:>18.4f}  {scale:>7.3f}  {after:>12.4f}  {n:>10d}")
        return "\n".join(rows)


def lsuv(network, x, tol=TOLERANCE, max_iterations=MAX_ITERATIONS, rng=None) -> LsuvResult:
    """Initialize ``network`` (an ``mlp.MLP``, changed in place) by LSUV on the batch ``x``.

    Parameters
    ----------
    network : mlp.MLP
        Its biases are kept as they are (start them at zero: ``bias_init="zeros"``).
    x : ndarray (n_samples, sizes[0])
        A batch of real inputs (the paper uses one mini-batch; a few hundred images do).
    tol : float in (0, 1)
        Stop when |Var(z) - 1| <= tol.
    max_iterations : int
        Rescalings per layer before giving up (then ArgumentError names the layer).
    rng : seed or Generator, draws the orthonormal matrices.
    """
    if not isinstance(network, MLP):
        raise ArgumentTypeError(f"network must be an initlab.mlp.MLP, got {type(network).__name__}")
    x = network._check_inputs(check_array("x", x, ndim=2))
    if len(x) < 2:
        raise ArgumentError(f"x must hold at least 2 samples to measure a variance, got {len(x)}")
    tol = check_float("tol", tol, strictly_positive=True, maximum=0.5)
    max_iterations = check_int("max_iterations", max_iterations, minimum=1)
    rng = as_generator(rng)
    orthonormal = _initializers.orthogonal(gain=1.0)
    for w in network.weights:
        w[...] = orthonormal(*w.shape, rng)
    n_layers = len(network.weights)
    before, after, scale = (np.zeros(n_layers) for _ in range(3))
    iterations = np.zeros(n_layers, dtype=int)
    for layer, (w, b) in enumerate(zip(network.weights, network.biases)):
        inputs = network.forward(x).a[layer]  # the layers below are final: measure once
        variance = before[layer] = np.var(inputs @ w + b)
        scale[layer] = 1.0
        if variance == 0.0:
            raise ArgumentError(f"layer {layer + 1}'s output is constant on this batch (variance 0), so no rescaling "
                                f"can make it 1: x must vary from sample to sample (or the layer below is dead)")
        while abs(variance - 1.0) > tol:
            if iterations[layer] == max_iterations:
                raise ArgumentError(
                    f"LSUV could not bring layer {layer + 1}'s output variance to 1 (it is {variance:.4g} after "
                    f"{iterations[layer]} rescalings; its biases alone have variance {np.var(b):.4g} on this "
                    f"batch): LSUV rescales weights only, so start the biases at zero")
            factor = 1.0 / np.sqrt(variance)
            w *= factor
            scale[layer] *= factor
            iterations[layer] += 1
            variance = np.var(inputs @ w + b)
        after[layer] = variance
    return LsuvResult(before, after, scale, iterations)
