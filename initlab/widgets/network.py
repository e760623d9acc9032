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
  activation) and, for the homogeneous activations and a tanh signal small enough
  for tanh to be linear, the signal too.  A power of two per layer is remembered and
  put back into the statistics in float64, so float32 holds the signal's and the
  gradient's size at every setting of the sliders, beyond 1e100 or below 1e-100.
  float32 cannot hold a variation below 1e-7 of a value, which a deep sigmoid
  network's dependence on the input falls to (every input ends near the same
  values): sigmoid layers are kept as a reference and each input's deviation from it
  (``chains.sigmoid_layer``), so ``std_over_inputs`` stays exact there too (tanh,
  relu and the others, without biases, keep theirs above 0.1 of the values);
- the samples are independent, so a pass runs in PARTS threads, each taking its share
  of the rows through every layer (and back) with one BLAS thread: both cores work on
  the matrix products *and* on the element-wise work (numpy lets go of Python's lock
  for both), and a machine busy with other programs slows an update down in
  proportion, where BLAS's own threads, spinning while they wait for each other, made
  it 2-5 times slower.  Each part keeps its own powers of two; the parts' statistics
  are combined exactly, layer by layer, once all of them are done.  A pass of few
  samples (32 at width 2000) runs as one part whose products are split by columns
  between the threads instead (``chains.py``, which runs a part);
- the statistics of a layer take a few passes over it (``moments.py``), 5-10 times
  faster than ``propagation.layer_statistics``, with its numbers to float32's precision;
- a new pass writes into the arrays of the pass it replaces (``chains._fitting``), sparing the
  page faults of fresh memory.
"""

from __future__ import annotations

import functools
import math
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import threadpoolctl

from .. import initializers as _initializers
from ..checks import ArgumentError
from .chains import HOMOGENEOUS, PARTS, backward_chain, forward_chain, layout, pool, power_of_two_towards_one
from .moments import gradient_std_from, moments_times_power_of_two, rms, statistics_from, sums_times_power_of_two

__all__ = ["SignalNetwork", "HOMOGENEOUS", "INITIALIZERS", "MAX_QR_WORK", "PARTS"]

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
#: Orthogonal weights need one QR decomposition per layer, about 2.7 width^3
#: multiply-adds (a second or more at width 2000, and several minutes when other
#: programs compete for the cores).  One update draws at most this much width^3:
#: up to 2 new layers at width 2000, 16 at width 1000, all 50 at width 800.
MAX_QR_WORK = 1.6e10
#: Largest power of two a float64 holds (2^1024 overflows).
_LOG2_MAX = 1023.9


@functools.cache
def _blas() -> threadpoolctl.ThreadpoolController:
    """The BLAS libraries numpy loaded, whose thread count ``SignalNetwork.run`` sets to 1."""
    return threadpoolctl.ThreadpoolController()


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
        self._inputs = {}    # width -> (x, g) at max_samples
        self._forward = {}   # {"key", "parts": [[(h, moments, shift) by layer] by part], "stats", "shift"}
        self._backward = {}  # {"key", "std", "shift": arrays, "kept": {layer: dz, see _run_backward}, "parts"}

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
        with ThreadPoolExecutor(max_workers=workers) as drawing:
            for power, matrix in drawing.map(draw, missing):
                entry["power"].append(power)
                entry["layers"].append(matrix)
        return entry["layers"][:depth], entry["power"][:depth]

    def inputs(self, width, n_samples):
        """(x, g): N(0, 1) inputs and arriving gradients, float32, the first ``n_samples`` rows."""
        if width not in self._inputs:
            rng = np.random.default_rng([self.seed, width, 1])
            x = rng.standard_normal((self.max_samples, width))
            g = rng.standard_normal((self.max_samples, width))
            self._inputs = {width: (x.astype(np.float32), g.astype(np.float32))}
        return tuple(array[:n_samples] for array in self._inputs[width])

    # ------------------------------------------------------------ passes
    def _run_forward(self, key, x, weights, act, scale, depth):
        """Extend the kept forward pass to ``depth`` layers (a new one if ``key`` changed).

        Each part of the samples runs through the new layers in its own thread; then
        each layer's statistics are combined, at the first part's power of two.
        """
        count, product = layout(len(x))
        forward, spare = self._forward, [[] for _ in range(count)]
        if forward.get("key") != key:
            if len(forward.get("parts", ())) == count:  # the replaced pass's arrays take the new one's values
                spare = [[h for h, _, _ in part] for part in forward["parts"]]
            forward = self._forward = {"key": key, "parts": [[] for _ in range(count)], "stats": [], "shift": [],
                                       "deviation": [None] * count}  # sigmoid: the last layer's (d, r), by part
        done, homogeneous = len(forward["stats"]), act.name in HOMOGENEOUS
        if depth <= done:
            return forward

        layer_scale = 1.0 if homogeneous else scale  # homogeneous: s^l is put back later

        def extend(part, x_part, spare_part, deviation):
            if not part:
                return forward_chain(x_part, weights[:depth], act, layer_scale, 0, homogeneous, spare_part,
                                     product=product)
            # go on from the last kept layer, brought near 1 as forward_chain brings a homogeneous or
            # linear-range layer: for tanh always (exact: a layer outside the linear range multiplies
            # its z back by the same power of two), so that a collapsing signal extended one layer
            # at a time is kept near 1 too
            h, moments, shift = part[-1]
            k = power_of_two_towards_one(rms(moments)) if homogeneous or act.name == "tanh" else 0
            return forward_chain(h, weights[done:depth], act, layer_scale, shift, homogeneous, k=k, product=product,
                                 deviation=deviation)

        chains = _each_part(extend, forward["parts"], np.array_split(x, count), spare, forward["deviation"])
        for part, (layers, _) in zip(forward["parts"], chains):
            part.extend(layers)
        forward["deviation"] = [deviation for _, deviation in chains]
        self.products += depth - done
        for layer in range(done, depth):
            parts = [part[layer] for part in forward["parts"]]
            shift = parts[0][2]
            forward["stats"].append(statistics_from([moments_times_power_of_two(m, s - shift) for _, m, s in parts]))
            forward["shift"].append(shift)
        return forward

    def _layer_h(self, layer):
        """h of ``layer`` (all the samples), at the layer's power of two (``_forward["shift"]``)."""
        parts = [part[layer - 1] for part in self._forward["parts"]]
        return np.concatenate([_true(h, s - parts[0][2]) for h, _, s in parts])

    def _run_backward(self, key, g, weights, act, scale, depth, shown):
        """The gradient from layer ``depth`` back to layer 1, each part in its own thread, then combined by layer."""
        if self._backward.get("key") == key:
            return self._backward
        homogeneous = act.name in HOMOGENEOUS
        factor = 1.0 if homogeneous else scale  # homogeneous: s^(L-l) is put back later
        count, product = layout(len(g))  # as the forward pass's
        spare = self._backward.get("parts", ())  # the replaced pass's shown dz, by part
        spare = spare if len(spare) == count else [{} for _ in range(count)]
        chains = _each_part(
            lambda part, g_part, spare_part: backward_chain([(h, s) for h, _, s in part[:depth]], g_part, weights,
                                                            act, factor, shown, spare_part, product=product),
            self._forward["parts"], np.array_split(g, count), spare)
        self.products += depth - 1
        std, shift, kept = np.full(depth, np.nan), np.zeros(depth), {}
        for layer in range(1, depth + 1):
            parts = [layers[layer - 1] for layers, _ in chains]
            shift[layer - 1] = parts[0][1]
            std[layer - 1] = gradient_std_from([sums_times_power_of_two(sums, s - parts[0][1]) for sums, s in parts])
            if layer in shown:  # at its true size, but for the homogeneous activations' s^(L-l) and 2^shift
                base = parts[0][1] if homogeneous else 0
                kept[layer] = np.concatenate([_true(dz[layer], s - base) for (_, dz), (_, s) in zip(chains, parts)])
        self._backward = {"key": key, "std": std, "shift": shift, "kept": kept, "parts": [dz for _, dz in chains]}
        return self._backward

    def run(self, init_name, act, width, depth, scale, n_samples, shown):
        """Statistics of the network at this setting: (stats (6, depth), grad_std, kept h, kept dz,
        exploded_at, grad_exploded_at), as ``propagation.run_network`` would give them.

        ``shown``: the layers whose h and dz are returned (float32, or float64 when their
        true values are beyond 1e27 or below 1e-27).
        """
        homogeneous = act.name in HOMOGENEOUS
        weights, _ = self.weights(init_name, width, depth)
        x, g = self.inputs(width, n_samples)
        key = (init_name, width, act.name, n_samples, None if homogeneous else scale)
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
        kept_h = {layer: _true(self._layer_h(layer), forward_log2[layer - 1]) for layer in shown
                  if exploded_at is None or layer < exploded_at}
        kept_dz = {layer: _true(dz, backward_log2[layer - 1] if homogeneous else 0.0)  # one factor: see _true
                   for layer, dz in backward["kept"].items()
                   if exploded_at is None and (grad_exploded_at is None or layer > grad_exploded_at)}
        return stats, grad_std, kept_h, kept_dz, exploded_at, grad_exploded_at


def _each_part(function, *parts) -> list:
    """[function(*arguments) for each part]: each in its own ``pool`` thread, or a lone part in this thread.

    A lone part's products use the pool themselves (``split_product``); run from a pool
    thread, two explorers updating at once (ipykernel may handle two messages on two
    threads) would each hold a thread while waiting for the other.
    """
    if len(parts[0]) == 1:
        return [function(*arguments) for arguments in zip(*parts)]
    return list(pool().map(function, *parts))


def _true(stored, log2_factor):
    """stored * 2^log2_factor, in float64 when the factor passes 2^90 or 2^-90 (1.2e27, 8e-28) and float32
    might not hold the result."""
    if log2_factor == 0.0:
        return stored
    if stored.dtype == np.float32 and abs(log2_factor) > 90:  # 2^90 = 1.2e27
        stored = stored.astype(np.float64)
    return stored * np.asarray(2.0 ** log2_factor, dtype=stored.dtype)
