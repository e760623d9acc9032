"""The signal explorer's network: weights drawn once, passes kept between updates, lean statistics.

A slider move of the signal explorer (``signal.py``) asks ``SignalNetwork.run`` for
the per-layer statistics of a deep random network, z_l = scale * (h_{l-1} @ W_l),
h_l = phi(z_l), and of the gradient going back.  What keeps that cheap:

- the weights are drawn once per (initializer, width), in float32, and extended
  layer by layer; the forward pass is kept too, so a deeper network computes only
  its new layers (and the backward pass, which starts at the last layer);
- relu, leaky_relu and linear are *positively homogeneous*, phi(s z) = s phi(z) for
  s > 0.  Without biases, weights s W then give h_l = s^l h_l(W) and
  dL/dz_l = s^(L-l) dL/dz_l(W): these networks are run once at scale 1, and a scale
  change multiplies their statistics by a power of s, with no pass at all (the
  histograms, divided by each layer's largest value, do not change);
- the numbers are kept near 1 by multiplying them by powers of two, which is exact
  in floating point: the gradient (linear in the arriving gradient, for every
  activation) and, for the homogeneous activations, the signal too.  A power of two
  per layer is remembered and put back into the statistics in float64, so float32
  suffices even when the true values pass 1e100;
- the samples are independent, so a pass runs in PARTS threads, each taking its share
  of the rows through every layer with one BLAS thread: both cores work on the matrix
  products *and* on the element-wise work (numpy lets go of Python's lock for both),
  and a machine busy with other programs slows an update down in proportion, where
  BLAS's own threads, spinning while they wait for each other, made it 2-5 times
  slower.  The parts' statistics are combined exactly after each layer;
- the statistics of a layer take a few passes over it (column sums, no temporaries
  beyond one of the part's size): ``layer_statistics`` here gives the numbers of
  ``propagation.layer_statistics`` to float32's precision, 5-10 times faster.
"""

from __future__ import annotations

import functools
import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple, Optional

import numpy as np
import threadpoolctl

from .. import initializers as _initializers
from ..checks import ArgumentError

__all__ = ["SignalNetwork", "layer_statistics", "gradient_std", "HOMOGENEOUS", "INITIALIZERS", "MAX_QR_WORK", "PARTS"]

#: The initializers of the explorer's dropdown; "normal" is N(0, 1), so that the
#: weight scale is the weights' std.
INITIALIZERS = {
    "normal": _initializers.normal(1.0),
    "lecun_normal": _initializers.lecun_normal(),
    "xavier_normal": _initializers.xavier_normal(),
    "xavier_uniform": _initializers.xavier_uniform(),
    "he_normal": _initializers.he_normal(),
    "he_uniform": _initializers.he_uniform(),
    "orthogonal": _initializers.orthogonal(),
    "zeros": _initializers.zeros(),
}
#: Activations with phi(s z) = s phi(z) for every s > 0.
HOMOGENEOUS = ("relu", "leaky_relu", "linear")
#: Orthogonal weights need one QR decomposition per layer, about 2.7 width^3
#: multiply-adds (a second or more at width 2000, and several minutes when other
#: programs compete for the cores).  One update draws at most this much width^3:
#: up to 2 new layers at width 2000, 16 at width 1000, all 50 at width 800.
MAX_QR_WORK = 1.6e10
#: Threads (and parts of the samples) of a pass.  A fixed number, not the machine's core
#: count, so that the statistics, summed part by part, are the same on every machine.
PARTS = 2
#: Largest power of two a float64 holds (2^1024 overflows).
_LOG2_MAX = 1023.9


# ---------------------------------------------------------------- statistics
class _Moments(NamedTuple):
    """What one part of a layer's samples contributes to its statistics."""

    count: int                # samples (rows)
    mean: np.ndarray          # mean of each column (unit), float64
    m2: np.ndarray            # sum of squared deviations from it, per column, float64
    saturated: int            # entries beyond the activation's saturation level
    zeros: int                # entries exactly 0
    alive: Optional[np.ndarray]  # per column: any entry not 0 (None when no entry is 0)


def _power_of_two_towards_one(rms) -> int:
    """k such that rms / 2^k is near 1 (0 when rms is 0 or not finite)."""
    return round(math.log2(rms)) if 0.0 < rms < math.inf else 0


def _moments(h, act) -> _Moments:
    """The column moments of h (samples, units) from two passes over it, and its counts."""
    ones = np.ones(h.shape[0], dtype=h.dtype)
    column_mean = (ones @ h) / h.shape[0]
    deviation = h - column_mean
    m2 = np.einsum("ij,ij->j", deviation, deviation)  # no temporary
    saturated = np.count_nonzero(act.is_saturated(h)) if act.is_saturated is not None else 0
    zeros = np.count_nonzero(h == 0)  # faster than h.size - np.count_nonzero(h)
    alive = h.any(axis=0) if zeros else None
    return _Moments(h.shape[0], column_mean.astype(np.float64), m2.astype(np.float64), saturated, zeros, alive)


def _statistics(parts) -> tuple:
    """(mean, std, std_over_inputs, saturated, dead, dead_units) of a layer from its parts' moments.

    The parts' column moments combine exactly (Chan, Golub and LeVeque): the column
    mean is the count-weighted mean, and each part adds its m2 plus count times the
    squared gap between its mean and the column mean.  The std of everything is then
    the law of total variance over the columns: Var = mean_j Var_j + Var_j(mean_j).
    """
    count = sum(part.count for part in parts)
    mean = sum(part.count * part.mean for part in parts) / count
    variance = sum(part.m2 + part.count * (part.mean - mean) ** 2 for part in parts) / count
    std = math.sqrt(variance.mean() + mean.var())
    over_inputs = float(np.sqrt(variance).mean()) if count > 1 else 0.0
    size = count * mean.size
    zeros = sum(part.zeros for part in parts)
    alive = [part.alive for part in parts if part.alive is not None]
    dead_units = float(np.mean(~np.logical_or.reduce(alive))) if len(alive) == len(parts) else 0.0
    return (float(mean.mean()), std, over_inputs, sum(part.saturated for part in parts) / size, zeros / size,
            dead_units)


def layer_statistics(h, act) -> tuple:
    """(mean, std, std_over_inputs, saturated, dead, dead_units) of h (samples, units): ``propagation.layer_statistics``.

    h must be far from float's limits (its squares must neither overflow nor
    underflow): ``SignalNetwork`` keeps it so.
    """
    return _statistics([_moments(h, act)])


def _sums(dz) -> tuple:
    """(count, sum, sum of squares) of dz, in float64: what ``_gradient_std`` combines."""
    ones = np.ones(dz.shape[0], dtype=dz.dtype)
    column_sums = (ones @ dz).astype(np.float64)
    column_squares = np.einsum("ij,ij->j", dz, dz).astype(np.float64)  # no temporary
    return dz.size, float(column_sums.sum()), float(column_squares.sum())


def _gradient_std(parts) -> float:
    """The std of all of a gradient from its parts' ``_sums``: sqrt(E[dz^2] - E[dz]^2).

    A gradient's mean is near 0 (the arriving gradient is N(0, 1)), so the
    difference loses nothing to cancellation.
    """
    count = sum(part[0] for part in parts)
    mean = sum(part[1] for part in parts) / count
    square = sum(part[2] for part in parts) / count
    return math.sqrt(max(square - mean * mean, 0.0))


def gradient_std(dz) -> float:
    """The std of all of dz, the statistic the explorer shows of a gradient."""
    return _gradient_std([_sums(dz)])


# ---------------------------------------------------------------- one part of a layer
def _forward_part(h, weight, factor, act):
    """Some of the samples through one layer: phi(factor * (h @ W)), and its moments."""
    z = _matmul(h, weight)
    z *= np.asarray(factor, dtype=z.dtype)
    h = act.function(z)
    return h, _moments(h, act)


def _backward_part(h, g, factor, act, weight):
    """dL/dz = phi'(z) * g * factor for some of the samples (phi' from the layer's output h), its
    ``_sums``, and the gradient it sends to the layer below, dz @ W^T (None for the first layer)."""
    dz = act.derivative_from_output(h)  # a new array: multiplied in place
    dz *= g
    if factor != 1.0:
        dz *= np.asarray(factor, dtype=dz.dtype)
    return dz, _sums(dz), None if weight is None else _matmul(dz, weight.T)


@functools.cache
def _pool() -> ThreadPoolExecutor:
    """The threads that run the parts of a pass (made once, kept)."""
    return ThreadPoolExecutor(max_workers=PARTS, thread_name_prefix="initlab-pass")


@functools.cache
def _blas() -> threadpoolctl.ThreadpoolController:
    """The BLAS libraries numpy loaded, whose thread count ``SignalNetwork.run`` sets to 1."""
    return threadpoolctl.ThreadpoolController()


def _in_parts(function, parts, *arguments) -> list:
    """[function(part, *arguments) for part in parts], each part in its own thread."""
    return list(_pool().map(lambda part: function(part, *arguments), parts))


# ---------------------------------------------------------------- the network
class SignalNetwork:
    """Weights, inputs and the latest passes of one explorer's network, reused between updates.

    ``run(...)`` returns the statistics at the asked setting; ``weights`` and
    ``inputs`` are the draws (layer k of a width always comes from the same random
    stream, so adding a layer leaves the others as they were).  ``products`` counts
    the matrix products computed so far: what the shortcuts save.
    """

    def __init__(self, seed, max_samples):
        self.seed, self.max_samples = seed, max_samples
        self.products = 0
        self._weights = {}   # {"init", "width", "layers": [...], "power": [...]}
        self._inputs = {}    # width -> (x32, g32, x64, g64) at max_samples
        self._forward = {}   # {"key", "h": [...], "stats": [...], "shift": [...]}
        self._backward = {}  # {"key", "std": array, "shift": array, "kept": {layer: dz}}

    # ------------------------------------------------------------ draws
    def weights(self, init_name, width, depth):
        """Unit-scale float32 weights for ``depth`` layers, drawing only what is missing; and mean(W**2) of each.

        Missing layers are drawn in parallel threads (numpy's generators release the
        GIL while they fill an array), which halves the wait on two cores.  Orthogonal
        weights are drawn one after the other (each QR already uses every core), at
        most MAX_QR_WORK per call: more is refused with a message.
        """
        entry = self._weights
        if entry.get("init") != init_name or entry.get("width") != width:
            entry = self._weights = {"init": init_name, "width": width, "layers": [], "power": []}
        init = INITIALIZERS[init_name]
        missing = range(len(entry["layers"]), depth)
        if not missing:
            return entry["layers"][:depth], entry["power"][:depth]
        if init.distribution == "orthogonal" and len(missing) * float(width) ** 3 > MAX_QR_WORK:
            most = max(1, int(MAX_QR_WORK // float(width) ** 3))
            all_at_once = int((MAX_QR_WORK / depth) ** (1 / 3)) // 10 * 10
            raise ArgumentError(
                f"orthogonal weights at width {width} need one QR decomposition of a {width} x {width} matrix per "
                f"layer ({2.7 * float(width) ** 3:.1e} multiply-adds, around a second each): {len(missing)} new "
                f"layers are too many for one update, which draws at most {most} at this width. Raise the depth a "
                f"few layers at a time (drawn layers are kept), or lower the width to {all_at_once} or less for "
                f"all {depth} layers at once")
        layer_seeds = np.random.SeedSequence([self.seed, width]).spawn(depth)

        def draw(k):
            # SFC64 makes random numbers about a third faster than numpy's default
            # PCG64; at depth 50 x width 2000 that is 200 million of them
            matrix = init(width, width, np.random.Generator(np.random.SFC64(layer_seeds[k])), dtype=np.float32)
            flat = matrix.ravel()
            return float(flat @ flat) / flat.size, matrix  # mean(W**2), for the prediction

        workers = 1 if init.distribution == "orthogonal" else min(4, os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for power, matrix in pool.map(draw, missing):
                entry["power"].append(power)
                entry["layers"].append(matrix)
        return entry["layers"][:depth], entry["power"][:depth]

    def inputs(self, width, n_samples):
        """(x32, g32, x64, g64): N(0, 1) inputs and arriving gradients, the first ``n_samples`` rows."""
        if width not in self._inputs:
            rng = np.random.default_rng([self.seed, width, 1])
            x = rng.standard_normal((self.max_samples, width))
            g = rng.standard_normal((self.max_samples, width))
            self._inputs = {width: (x.astype(np.float32), g.astype(np.float32), x, g)}
        return tuple(array[:n_samples] for array in self._inputs[width])

    # ------------------------------------------------------------ passes
    def _run_forward(self, key, x, weights, act, scale, depth):
        """Extend the kept forward pass to ``depth`` layers (a new one if ``key`` changed)."""
        forward = self._forward
        if forward.get("key") != key:
            forward = self._forward = {"key": key, "h": [], "stats": [], "shift": []}
        homogeneous = act.name in HOMOGENEOUS
        h, shift = (np.array_split(x, PARTS), 0) if not forward["h"] else (forward["h"][-1], forward["shift"][-1])
        factor = 1.0 if homogeneous else scale
        if forward["h"] and homogeneous:  # the last kept layer was not brought near 1 yet
            k = _power_of_two_towards_one(math.hypot(*forward["stats"][-1][:2]))
            factor, shift = 2.0 ** -k, shift + k
        for weight in weights[len(forward["h"]):depth]:
            h, moments = zip(*_in_parts(_forward_part, h, weight, factor, act))
            self.products += 1
            stats = _statistics(moments)
            forward["h"].append(h)
            forward["stats"].append(stats)
            forward["shift"].append(shift)
            if homogeneous:  # bring the next layer's input near 1: h_l = 2^shift * stored h_l
                k = _power_of_two_towards_one(math.hypot(stats[0], stats[1]))
                factor, shift = 2.0 ** -k, shift + k
        return forward

    def _run_backward(self, key, g, weights, act, scale, depth, shown):
        """The gradient from layer ``depth`` back to layer 1, each layer's dz brought near 1 by a power of two."""
        if self._backward.get("key") == key:
            return self._backward
        forward = self._forward
        std, shift, kept = np.full(depth, np.nan), np.zeros(depth), {}
        g, factor, total = np.array_split(g, PARTS), 1.0, 0
        for layer in range(depth, 0, -1):
            # factor: the weight scale (not for homogeneous activations, whose s^(L-l) is put back
            # later) and the power of two that brings this layer's dz near 1
            weight = weights[layer - 1] if layer > 1 else None
            parts = list(zip(forward["h"][layer - 1], g))
            dz, sums, g = zip(*_in_parts(lambda part: _backward_part(*part, factor, act, weight), parts))
            if weight is not None:
                self.products += 1
            std[layer - 1], shift[layer - 1] = _gradient_std(sums), total
            if layer in shown:
                kept[layer] = np.concatenate(dz)
            k = _power_of_two_towards_one(std[layer - 1])
            factor = (1.0 if act.name in HOMOGENEOUS else scale) * 2.0 ** -k
            total += k
        self._backward = {"key": key, "std": std, "shift": shift, "kept": kept}
        return self._backward

    def run(self, init_name, act, width, depth, scale, n_samples, dtype, shown):
        """Statistics of the network at this setting: (stats (6, depth), grad_std, kept h, kept dz,
        exploded_at, grad_exploded_at), as ``propagation.run_network`` would give them.

        ``dtype`` (float32 or float64) is the precision of the signal of tanh and
        sigmoid; the homogeneous activations always run in float32 (their numbers are
        kept near 1).  ``shown``: the layers whose h and dz are returned.
        """
        homogeneous = act.name in HOMOGENEOUS
        dtype = np.float32 if homogeneous else dtype
        weights, _ = self.weights(init_name, width, depth)
        x32, g32, x64, g64 = self.inputs(width, n_samples)
        x, g = (x32, g32) if dtype == np.float32 else (x64, g64)
        key = (init_name, width, act.name, n_samples, np.dtype(dtype).name, None if homogeneous else scale)
        with _blas().limit(limits=1, user_api="blas"):  # each part's thread uses one core
            forward = self._run_forward(key, x, weights, act, scale, depth)
            backward = self._run_backward(key + (depth, tuple(shown)), g, weights, act, scale, depth, shown)

        # the true values: stored values times 2^shift, times s^l (forward) and s^(L-l) (backward) if homogeneous
        layers = np.arange(1, depth + 1)
        log2_s = math.log2(scale) if homogeneous else 0.0
        forward_log2 = np.array(forward["shift"][:depth]) + layers * log2_s
        backward_log2 = backward["shift"] + (depth - layers) * log2_s
        stats = np.array(forward["stats"][:depth]).T  # (6, depth)
        with np.errstate(divide="ignore"):
            size_log2 = forward_log2 + np.log2(np.maximum(np.abs(stats[0]), stats[1]))
        exploded = np.flatnonzero(size_log2 > _LOG2_MAX)
        exploded_at = int(exploded[0]) + 1 if exploded.size else None
        with np.errstate(divide="ignore"):
            grad_log2 = backward_log2 + np.log2(backward["std"])
        grad_exploded = np.flatnonzero(grad_log2 > _LOG2_MAX)  # the backward pass meets the last one first
        grad_exploded_at = int(grad_exploded[-1]) + 1 if grad_exploded.size and exploded_at is None else None
        stats[:3] *= np.exp2(np.minimum(forward_log2, _LOG2_MAX))
        grad_std = backward["std"] * np.exp2(np.minimum(backward_log2, _LOG2_MAX))
        if exploded_at is not None:  # as in run_network: NaN from the overflow on, and no backward pass
            stats[:, exploded_at - 1:] = np.nan
            grad_std[:] = np.nan
        if grad_exploded_at is not None:
            grad_std[:grad_exploded_at] = np.nan
        kept_h = {layer: _true(np.concatenate(forward["h"][layer - 1]), forward_log2[layer - 1]) for layer in shown
                  if exploded_at is None or layer < exploded_at}
        kept_dz = {layer: _true(dz, backward_log2[layer - 1]) for layer, dz in backward["kept"].items()
                   if exploded_at is None and (grad_exploded_at is None or layer > grad_exploded_at)}
        return stats, grad_std, kept_h, kept_dz, exploded_at, grad_exploded_at


def _true(stored, log2_factor):
    """stored * 2^log2_factor, in float64 when float32 cannot hold the result near 1e30 or 1e-30."""
    if log2_factor == 0.0:
        return stored
    if stored.dtype == np.float32 and abs(log2_factor) > 90:  # 2^90 = 1.2e27
        stored = stored.astype(np.float64)
    return stored * np.asarray(2.0 ** log2_factor, dtype=stored.dtype)


def _matmul(a, w):
    """a @ w, in w's precision when w is float32 and a is float64.

    The cached weights are float32 (half the memory and twice the speed), but a
    signal below 1e-15 needs float64.  Instead of converting the big matrix w to
    float64 on every call (a 16 MB copy per layer at width 2000), a is divided by a
    power of two that brings it near 1, multiplied in float32, and the power of two
    put back in float64.  Dividing by a power of two is exact, and float32's 7
    digits are plenty for the statistics shown.
    """
    if a.dtype == w.dtype:
        return a @ w
    largest = float(np.abs(a).max())
    if largest == 0.0 or not math.isfinite(largest):
        return a @ w
    power = 2.0 ** math.frexp(largest)[1]
    return ((a / power).astype(w.dtype) @ w).astype(a.dtype) * power
