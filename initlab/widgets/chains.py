"""One part of the signal explorer's samples through the layers and back (``network.py`` runs the parts).

A pass of the signal explorer splits its samples (rows) into PARTS parts, each run by
``forward_chain`` and then ``backward_chain`` in its own thread with one BLAS thread.
A part of a few dozen rows makes BLAS slow (each thread reads every weight matrix for
little arithmetic), so a pass with few samples runs as one part whose matrix products
are split by columns instead (``split_product``): each thread then reads half of each
weight matrix.  A split product is the unsplit one bit for bit.
"""

from __future__ import annotations

import functools
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .. import activations as _activations
from .moments import gradient_std_from, part_moments, part_sums, rms

__all__ = ["PARTS", "HOMOGENEOUS", "TANH_LINEAR", "MIN_PART_ROWS", "forward_chain", "backward_chain",
           "tanh_is_identity", "sigmoid_layer", "layout", "split_product", "power_of_two_towards_one", "pool"]

#: Threads (and parts of the samples) of a pass.  A fixed number, not the machine's core
#: count, so that the statistics, summed part by part, are the same on every machine.
PARTS = 2
#: Fewer rows than this in each part, and the pass runs as one part with its products
#: split by columns: the products of 50 layers and back at width 2000 took 320-530 ms as
#: two parts of 16 rows, 243-264 ms as one part of 32 rows with split products.
MIN_PART_ROWS = 64
#: Activations with phi(s z) = s phi(z) for every s > 0.
HOMOGENEOUS = ("relu", "leaky_relu", "linear")
#: Below this, tanh(z) = z to float32's precision (``tanh_is_identity``).
TANH_LINEAR = 2.0 ** -12


# ---------------------------------------------------------------- powers of two
def power_of_two_towards_one(rms) -> int:
    """k such that rms / 2^k is near 1 (0 when rms is 0 or not finite)."""
    return round(math.log2(rms)) if 0.0 < rms < math.inf else 0


# ---------------------------------------------------------------- one part of the samples
def forward_chain(h, weights, act, scale, shift, homogeneous, spare=(), k=0, product=np.matmul,
                  deviation=None) -> tuple:
    """One part of the samples through ``weights``: ([(h_l, moments_l, shift_l), ...], deviation), true
    h_l = 2^shift_l h_l.

    z_l = scale * (h_{l-1} @ W_l), h_l = phi(z_l), computed as z_l = scale 2^-k (h_{l-1} @ W_l)
    with true z_l = 2^(shift + k) z_l: the power of two 2^k brings the numbers near 1.
    For the homogeneous activations (``scale`` 1: their s^l is put back later) every
    layer's output is brought near 1 that way, k being the power of two nearest its rms.
    For tanh and sigmoid k is 0, except where a tanh signal is so small that tanh(z) = z
    to float32's precision (``tanh_is_identity``): there the layer is linear, so it is
    kept near 1 like a homogeneous one, until the signal grows out of that range.  ``h``
    comes at 2^shift, and ``k`` is the power for its layer (from its rms, when going on
    from a kept layer).  ``spare``: arrays of a pass no longer needed, which take the new
    h_l if they fit.  ``product``: np.matmul, or ``split_product`` for a part of few rows.
    Sigmoid layers are computed as a reference and deviations from it (``sigmoid_layer``);
    ``deviation`` is the last layer's (d, r), for going on from it (None: from the input).
    """
    layers = []
    for layer, weight in enumerate(weights):
        out = _fitting(spare[layer] if layer < len(spare) else None, (h.shape[0], weight.shape[1]), h.dtype)
        if act.name == "sigmoid":
            h, deviation = sigmoid_layer(deviation or (h, np.zeros(h.shape[1], h.dtype)), weight, scale, product, out)
            layers.append((h, part_moments(h, act, deviation), 0))
            continue
        shift += k
        z = product(h, weight, out=out)
        z *= np.float32(scale * 2.0 ** -k)
        linear = not homogeneous and act.name == "tanh" and tanh_is_identity(z, shift)
        if shift != 0 and not (homogeneous or linear):  # out of tanh's linear range: back to true values
            z *= np.float32(2.0 ** shift)
            shift = 0
        h = z if linear else _in_place(act.function, z)
        moments = part_moments(h, _activations.linear if linear else act)
        layers.append((h, moments, shift))
        k = power_of_two_towards_one(rms(moments)) if homogeneous or linear else 0
    return layers, deviation


def sigmoid_layer(deviation, weight, scale, product, out=None) -> tuple:
    """A sigmoid layer from the last one's (d, r): its values h and its own (d', r').

    In a deep sigmoid network every input ends near the same values, and float32 (7
    digits) cannot hold how h still differs between inputs once that is below 1e-7 of h:
    the explorer then showed float32's noise (at depth 20, an input dependence 8.6e-7
    of layer 1's, where float64 gives 1.3e-12).  So a layer is kept as r, the layer's
    values for the input 0 (one row), and d = h - r, each input's deviation from it.
    With a = scale (r @ W) and e = scale (d @ W), the exact identity

        sigmoid(a + e) - sigmoid(a) = sigmoid(a + e) sigmoid(-a) (1 - exp(-e))      (e >= 0)
                                    = -sigmoid(a) sigmoid(-a - e) (1 - exp(e))     (e < 0)

    gives d' to float32's precision of d' itself, however small, with no difference
    of nearly equal numbers (expm1 keeps 1 - exp(-|e|) exact for small e).
    """
    d, r = deviation
    sigmoid = _activations.sigmoid.function
    a = (r @ weight) * np.float32(scale)
    e = product(d, weight)
    e *= np.float32(scale)
    z = e + a  # the layer's z, to float32's precision
    h = sigmoid(z)
    if out is not None:  # into the replaced pass's array
        np.copyto(out, h)
        h = out
    reference = sigmoid(a)
    upper, lower = h * sigmoid(-a), reference * sigmoid(np.negative(z, out=z))
    new_d = np.where(e >= 0, upper, np.negative(lower, out=lower))
    new_d *= -np.expm1(-np.abs(e))  # 1 - exp(-|e|)
    return h, (new_d, reference)


def tanh_is_identity(z, shift) -> bool:
    """Whether tanh(z) = z for every entry of the true z = 2^shift z, to float32's precision.

    tanh(z) = z (1 - z^2/3 + ...): below TANH_LINEAR = 2^-12 the relative difference z^2/3
    is under 2^-25.6, less than half of the 2^-23 between 1 and the next float32.
    Such layers are computed as linear, at a power of two that keeps them near 1: a
    signal that collapses to 1e-80 at layer 50 stays in float32 (whose smallest number
    is 1e-45) with its statistics exact, and tanh' is taken as 1 there (1 - h^2 is
    within 2^-24 of it).
    """
    largest = max(float(z.max()), -float(z.min()))  # max |z|, without a temporary |z|
    return math.isfinite(largest) and math.ldexp(largest, shift) < TANH_LINEAR


def _fitting(spare, shape, dtype):
    """``spare`` if it has this shape and dtype, else None (a new array).

    A new 1 MB array costs its page faults whenever the C library has given freed
    memory back to the system: a tanh update at depth 10 and width 500 faulted in
    40 MB (10,194 pages, about 17 ms) before the passes wrote into the arrays of the
    pass they replace; their threads now fault in none.
    """
    fits = spare is not None and spare.shape == shape and spare.dtype == dtype
    return spare if fits else None


def _in_place(function, z):
    """z overwritten by function(z): in place for a ufunc (np.tanh), else through a copy."""
    if isinstance(function, np.ufunc):
        return function(z, out=z)
    h = function(z)
    if h is not z:  # linear's identity gives z itself
        np.copyto(z, h)
    return z


def backward_chain(hs, g, weights, act, scale, shown, spare, product=np.matmul) -> tuple:
    """One part's gradient from the last layer back to the first: ([(sums_l, shift_l), ...] by layer, {l: dz_l}
    for the ``shown`` layers).

    dz_l = phi'(z_l) * (dz_{l+1} @ W_{l+1}^T) * scale * 2^-k, phi' from the layer's output
    h_l (``hs``: [(h_l, its forward shift)]), 2^k the power of two nearest the std of dz_{l+1}:
    the true dz_l = 2^shift_l dz_l.
    ``spare``: {layer: dz_l} of a pass no longer needed, which take the new shown dz_l if they fit.
    """
    factor, shift, layers, dz_by_layer = 1.0, 0, [], {}
    for layer in range(len(hs), 0, -1):
        h, h_shift = hs[layer - 1]
        if h_shift != 0 and act.name not in HOMOGENEOUS:  # a tanh layer in its linear range: tanh' = 1
            slope = np.ones_like(h)
        else:
            slope = act.derivative_from_output(h)  # a new array
        # a shown layer's dz goes into the replaced pass's array, another's into the slope's
        kept = _fitting(spare.get(layer) if layer in shown else None, slope.shape, slope.dtype)
        dz = np.multiply(slope, g, out=slope if kept is None else kept)
        if factor != 1.0:
            dz *= np.float32(factor)
        sums = part_sums(dz)
        layers.append((sums, shift))
        if layer in shown:
            dz_by_layer[layer] = dz
        if layer > 1:
            k = power_of_two_towards_one(gradient_std_from([sums]))
            g = product(dz, weights[layer - 1].T)
            factor, shift = scale * 2.0 ** -k, shift + k
    return layers[::-1], dz_by_layer


@functools.cache
def pool() -> ThreadPoolExecutor:
    """The threads that run the parts of a pass (made once, kept)."""
    return ThreadPoolExecutor(max_workers=PARTS, thread_name_prefix="initlab-pass")


def layout(n_samples) -> tuple:
    """(parts, product) of a pass of ``n_samples`` rows: PARTS parts and np.matmul, or below
    MIN_PART_ROWS a part, 1 part and ``split_product``."""
    return (PARTS, np.matmul) if n_samples >= PARTS * MIN_PART_ROWS else (1, split_product)


def split_product(a, b, out=None):
    """a @ b, its two halves of columns at once: one in a ``pool`` thread, one in this thread.

    For a part of few rows (``MIN_PART_ROWS``), where each thread reading all of b would
    cost more than the arithmetic; the column blocks need no combining, so the result is
    that of ``a @ b`` bit for bit.
    """
    if out is None:
        out = np.empty((a.shape[0], b.shape[1]), dtype=np.result_type(a, b))
    half = b.shape[1] // 2
    other = pool().submit(np.matmul, a, b[:, half:], out=out[:, half:])
    np.matmul(a, b[:, :half], out=out[:, :half])
    other.result()
    return out
