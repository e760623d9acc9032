"""Signal propagation: push random inputs through a deep random network and watch.

The experiment of notebooks 02, 04 and 05, generalised.  ``n_samples`` inputs
drawn from N(0, 1) go through ``depth`` dense layers::

    z_l = h_{l-1} @ W_l + b_l          (W_l has shape (fan_in, fan_out))
    h_l = phi(z_l)                      (h_0 = x)

and a N(0, 1) gradient arriving at the output of the last layer goes back::

    dz_l     = dh_l * phi'(z_l)
    dh_{l-1} = dz_l @ W_l.T

For every layer we record the mean and std of the activations h_l, how much they
still depend on the input, the fraction of saturated and of dead (exactly 0) units,
and the std of the gradient dz_l (the weight gradient is dW_l = h_{l-1}.T @ dz_l).
``initlab.diagnosis`` turns these into a verdict on whether such a network could train.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import activations as _activations
from . import initializers as _initializers
from . import theory as _theory
from .checks import (ArgumentError, ArgumentTypeError, as_generator, check_array, check_choice, check_float,
                     check_float_array, check_int)
from .distributions import DTYPES

__all__ = ["propagate", "run_network", "draw_weights", "layer_widths", "layer_statistics", "mean_std",
           "PropagationResult", "MAX_WORK", "MAX_WEIGHTS"]

#: Most multiply-adds one call of ``propagate`` may do (forward and backward).
#: 2e11 is about a minute on a laptop; beyond it a typo (depth=1000, width=5000)
#: would look like a hang.
MAX_WORK = 2e11
#: Most weight entries one network may hold: 1e8 numbers are 800 MB in float64.
MAX_WEIGHTS = 100_000_000
_LARGEST_SIGMA = 1e150  # the largest sigma a prediction uses: its square still fits float64


@dataclass
class PropagationResult:
    """What ``propagate`` measured, one entry per layer (index 0 is layer 1).

    Attributes
    ----------
    widths : tuple of int, the input width followed by each layer's width
    activation, init : str, the names of the activation and of the initializer
    n_samples : int, the number of inputs pushed through
    mean, std : ndarray, mean and std of the activations h_l over all samples and units
    std_over_inputs : ndarray
        For each unit, the std of its activation over the samples, averaged over the
        units: how much the layer's output still depends on the input (0 for a
        single input).  For tanh it is close to ``std``; for sigmoid, whose outputs
        sit around 0.5 with a spread that the fixed weights give every input alike,
        it can collapse while ``std`` does not.
    saturated : ndarray, the fraction of units in a flat tail of tanh/sigmoid (|tanh| > 0.99,
        sigmoid outside [0.01, 0.99]); 0 for activations without flat tails
    dead : ndarray, the fraction of activations exactly 0 (about 0.5 in a healthy ReLU layer)
    dead_units : ndarray, the fraction of units 0 for every input (dead: they pass no
        gradient back); with a single input it equals ``dead``
    grad_std : ndarray, std of the back-propagated gradient dL/dz_l (NaN without a backward pass)
    exploded_at : int or None, the first layer whose pre-activations overflowed; the
        statistics from that layer on are NaN and no gradient is computed (None: all finite)
    grad_exploded_at : int or None, the first layer (going back) whose gradient overflowed;
        ``grad_std`` is NaN from there down to layer 1
    activations, gradients : dict {layer: ndarray (n_samples, width)}, the kept layers' h_l and dz_l
    prediction : theory.MeanField
        The mean-field prediction from each layer's actual weight variance (sigma_w^2
        = fan_in * mean(W^2)); not finite from ``predicted_exploded_at`` on.
    """

    widths: tuple
    activation: str
    init: str
    n_samples: int
    mean: np.ndarray
    std: np.ndarray
    std_over_inputs: np.ndarray
    saturated: np.ndarray
    dead: np.ndarray
    dead_units: np.ndarray
    grad_std: np.ndarray
    exploded_at: int | None
    grad_exploded_at: int | None
    activations: dict = field(repr=False)
    gradients: dict = field(repr=False)
    prediction: _theory.MeanField = field(repr=False)

    @property
    def depth(self) -> int:
        return len(self.widths) - 1

    @property
    def layers(self) -> np.ndarray:
        """Layer numbers 1..depth, for plotting."""
        return np.arange(1, self.depth + 1)

    @property
    def predicted_exploded_at(self) -> int | None:
        """First layer whose predicted variance q overflows float64 (std above 1e154), or None."""
        bad = np.flatnonzero(~np.isfinite(self.prediction.q) | ~np.isfinite(self.prediction.std))
        return int(bad[0]) + 1 if bad.size else None

    def table(self) -> str:
        """The per-layer statistics up to an overflow, 4 significant digits: aligned from 1e-300 to 1e300."""
        shown = self.depth if self.exploded_at is None else self.exploded_at - 1
        lines = [f"{self.init} weights, {self.activation}, {describe_widths(self.widths)}, {self.n_samples} inputs",
                 f"{'layer':>5} {'mean':>11} {'std':>11} {'predicted':>11} {'saturated':>10} {'dead':>7} "
                 f"{'grad std':>11}"]
        for i in range(shown):
            lines.append(f"{i + 1:>5} {_cell(self.mean[i])} {_cell(self.std[i])} {_cell(self.prediction.std[i])}"
                         f" {self.saturated[i]:>10.1%} {self.dead[i]:>7.1%} {_cell(self.grad_std[i])}")
        for layer, what in ((self.exploded_at, "the signal exploded (overflowed)"),
                            (self.grad_exploded_at, "the gradient exploded (overflowed)"),
                            (self.predicted_exploded_at, "the mean-field prediction overflows float64")):
            lines += [] if layer is None else [f"{what} at layer {layer}"]
        return "\n".join(lines)


def _cell(x) -> str:
    """4 significant digits in 11 characters; "-" if not computed."""
    return f"{'-' if math.isnan(x) else 'overflow' if math.isinf(x) else f'{x:.4g}':>11}"


def describe_widths(widths) -> str:
    """The widths in a few words, however deep: "10 layers of 500", "widths [1600, 1600, 800, 400]"."""
    if len(set(widths)) == 1:
        return f"{len(widths) - 1} layer{'s' * (len(widths) > 2)} of {widths[0]}"
    shown = widths if len(widths) <= 6 else [*widths[:3], "...", widths[-1]]
    return f"widths [{', '.join(map(str, shown))}] ({len(widths) - 1} layers)"


def _check_widths(widths) -> tuple:
    """``widths`` as a tuple of ints >= 1: the input width, then at least one layer."""
    if not isinstance(widths, (list, tuple, range, np.ndarray)):
        raise ArgumentTypeError(f"widths must be a list of integers (input width first), got {widths!r}")
    if len(widths) < 2:
        raise ArgumentError(f"widths needs the input width and at least one layer, got {list(widths)}")
    return tuple(check_int(f"widths[{i}]", w, minimum=1) for i, w in enumerate(widths))


def _check_dtype(dtype) -> np.dtype:
    """numpy.float64 (the default) or numpy.float32 (twice as fast, range 1e-38 to 3e38)."""
    name = dtype if isinstance(dtype, str) else getattr(dtype, "__name__", getattr(dtype, "name", dtype))
    return np.dtype(check_choice("dtype", name, DTYPES))


def _check_keep(keep_layers, depth) -> set:
    """The layers (1-based) whose activations and gradients are kept: all for None."""
    if keep_layers is None:
        return set(range(1, depth + 1))
    if not isinstance(keep_layers, (list, tuple, range, set, np.ndarray)):
        raise ArgumentTypeError(f"keep_layers must be None (keep every layer) or a list of layer numbers "
                                f"1..{depth}, e.g. [] or [1, {depth}], got {keep_layers!r}")
    return {check_int("keep_layers entry", k, minimum=1, maximum=depth) for k in keep_layers}


def layer_widths(depth=None, width=None, widths=None) -> tuple:
    """The widths (input first) from ``depth`` and ``width`` (10 and 500: eleven 500s), or ``widths``."""
    if widths is not None:
        if depth is not None or width is not None:
            raise ArgumentError("give either widths=[...] or depth and width, not both")
        return _check_widths(widths)
    depth = check_int("depth", 10 if depth is None else depth, minimum=1)
    width = check_int("width", 500 if width is None else width, minimum=1)
    return (width,) * (depth + 1)


def draw_weights(widths, init, rng=None, dtype="float64") -> list:
    """One weight matrix per layer, layer l of shape (widths[l-1], widths[l]), drawn in float64, kept in ``dtype``.

    Each layer draws from its own random stream (``rng.spawn``), so layer 3 of a
    5-layer network is the same matrix as layer 3 of a 50-layer one built from the
    same seed: adding layers never changes the ones before, and float32 only rounds
    them.  ``init`` is a rule name, an initializer, or a function ``(fan_in, fan_out, rng)``.
    """
    widths = _check_widths(widths)
    init = _initializers.get(init)
    dtype = _check_dtype(dtype)
    entries = sum(a * b for a, b in zip(widths[:-1], widths[1:]))
    if entries > MAX_WEIGHTS:
        raise ArgumentError(
            f"the weight matrices of {describe_widths(widths)} hold {entries:,} numbers "
            f"({entries * dtype.itemsize / 1e9:.1f} GB in {dtype.name}); initlab draws at most {MAX_WEIGHTS:,} "
            "for one network (reduce the depth or the width)")
    name, weights = _initializers.name_of(init), []
    layer_rngs = as_generator(rng).spawn(len(widths) - 1)
    for layer, (fan_in, fan_out, layer_rng) in enumerate(zip(widths[:-1], widths[1:], layer_rngs), 1):
        try:
            with np.errstate(over="ignore"):  # a draw that overflows is refused just below, naming init
                w = init(fan_in, fan_out, layer_rng)  # float64: in float32 the same network, rounded
        except TypeError as error:  # a function that does not take (fan_in, fan_out, rng)
            raise ArgumentTypeError(f"init must be a rule name, an initializer or a function (fan_in, fan_out, "
                                    f"rng) -> matrix; calling {name}({fan_in}, {fan_out}, rng) failed: {error}")
        w = check_float_array(f"the matrix that init {name} returned for layer {layer}", w)
        if w.shape != (fan_in, fan_out):
            raise ArgumentError(f"init {name} returned shape {w.shape} for fan_in={fan_in}, fan_out={fan_out}; "
                                "an initializer must return an array of shape (fan_in, fan_out)")
        if w.dtype != dtype:  # kept in float32: entries beyond its range turn inf, refused here
            with np.errstate(over="ignore"):
                w = check_float_array(f"init {name}'s layer {layer} in {dtype.name} (use float64)", w.astype(dtype))
        weights.append(w)
    return weights


def mean_std(values):
    """Mean and std of an array, also when its squares would overflow or underflow.

    Squares of values above 1e154 overflow float64 (1.8e19 in float32), squares below
    1e-154 underflow to 0 (1e-19), so such arrays are divided by their largest value first.
    """
    return _mean_std(check_float_array("values", values))


def _mean_std(values, largest=None):
    """``mean_std`` of a checked float array (``largest``: its largest |value|, if known)."""
    largest, limits = float(np.abs(values).max()) if largest is None else largest, np.finfo(values.dtype)
    if largest > 1e-3 * math.sqrt(limits.max) or 0 < largest < 1e3 * math.sqrt(limits.smallest_normal):
        scaled = values / largest
        return scaled.mean() * largest, scaled.std() * largest
    return values.mean(), values.std()


def layer_statistics(h, activation) -> tuple:
    """(mean, std, std_over_inputs, saturated, dead, dead_units) of one layer's activations h (samples, units)."""
    return _layer_statistics(check_float_array("h", h, ndim=2), _activations.get(activation))


def _layer_statistics(h, act) -> tuple:
    """``layer_statistics`` of a checked layer (std_over_inputs is 0 for one input or a silent layer)."""
    largest = float(np.abs(h).max())
    mean, std = _mean_std(h, largest)
    over_inputs = 0.0 if h.shape[0] < 2 or largest == 0.0 else float(np.mean(np.std(h / largest, axis=0))) * largest
    saturated = float(act.is_saturated(h).mean()) if act.is_saturated is not None else 0.0
    zero = h == 0
    return float(mean), float(std), over_inputs, saturated, float(zero.mean()), float(zero.all(axis=0).mean())


def run_network(x, weights, activation="tanh", biases=None, grad_output=None, keep_layers=None,
                init_name="given") -> PropagationResult:
    """Forward and backward pass through given weights; the core of ``propagate``.

    ``x`` is (n_samples, widths[0]); ``weights`` a list of matrices, layer l of shape
    (widths[l-1], widths[l]); ``biases`` an optional list of vectors (widths[l],);
    ``grad_output`` (n_samples, widths[-1]) the gradient arriving at the last layer
    (without it there is no backward pass and ``grad_std`` is NaN); ``keep_layers``
    the layers whose activations and gradients are kept (None: all); ``init_name``
    the initializer's name for tables and plots.  Arrays may be float64 or float32
    (then the arithmetic is float32).  Overflow is reported in ``exploded_at``.
    """
    act = _activations.get(activation)
    x = check_float_array("x", x, ndim=2)
    if not isinstance(weights, (list, tuple)) or not weights:
        raise ArgumentTypeError(f"weights must be a non-empty list of matrices (fan_in, fan_out), layer 1 first, "
                                f"got {type(weights).__name__}")
    weights = [check_float_array(f"weights[{i}]", w, ndim=2) for i, w in enumerate(weights)]
    widths = (x.shape[1],) + tuple(w.shape[1] for w in weights)
    for i, w in enumerate(weights):
        if w.shape[0] != widths[i]:
            raise ArgumentError(f"weights[{i}] must have shape ({widths[i]}, fan_out) to follow an input of width "
                                f"{widths[i]}, got {w.shape}")
    if biases is not None and (not isinstance(biases, (list, tuple)) or len(biases) != len(weights)):
        raise ArgumentError(f"biases must be a list of one vector per layer ({len(weights)}), got {biases!r:.60}")
    if biases is not None:
        biases = [check_array(f"biases[{i}]", b, shape=(n,)).astype(x.dtype, copy=False)
                  for i, (b, n) in enumerate(zip(biases, widths[1:]))]
    if grad_output is not None:
        grad_output = check_float_array("grad_output", grad_output, ndim=2)
        if grad_output.shape != (x.shape[0], widths[-1]):
            raise ArgumentError(f"grad_output must have shape {(x.shape[0], widths[-1])} (n_samples, last width), "
                                f"got {grad_output.shape}")
    keep = _check_keep(keep_layers, len(weights))
    if not isinstance(init_name, str):
        raise ArgumentTypeError(f"init_name must be a string, got {init_name!r}")
    return _run(x, weights, act, biases, grad_output, keep, init_name)


def _run(x, weights, act, biases, grad_output, keep, init_name) -> PropagationResult:
    """The forward and backward pass of ``run_network``, on checked arguments."""
    depth = len(weights)
    stats = np.full((6, depth), np.nan)  # mean, std, std_over_inputs, saturated, dead, dead_units
    grad_std = np.full(depth, np.nan)
    kept_h, kept_dz, slopes = {}, {}, []
    exploded_at = grad_exploded_at = None
    # An overflow (inf or NaN in z or dz) is detected and reported below: numpy's warnings would be noise.
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        h = x
        for i, w in enumerate(weights):
            z = h @ w if biases is None else h @ w + biases[i]
            if not np.isfinite(z).all():
                exploded_at = i + 1
                break
            h = act.function(z)
            stats[:, i] = _layer_statistics(h, act)
            slopes.append(act.derivative(z))
            if i + 1 in keep:
                kept_h[i + 1] = h

        if grad_output is not None and exploded_at is None:
            g = grad_output.astype(h.dtype, copy=False)
            for i in reversed(range(depth)):
                dz = g * slopes[i]
                if not np.isfinite(dz).all():
                    grad_exploded_at = i + 1
                    break
                grad_std[i] = _mean_std(dz)[1]
                if i + 1 in keep:
                    kept_dz[i + 1] = dz
                if i > 0:
                    g = dz @ weights[i].T

    widths = tuple(int(n) for n in (x.shape[1],) + tuple(w.shape[1] for w in weights))
    return PropagationResult(widths, act.name, init_name, x.shape[0], *stats, grad_std, exploded_at, grad_exploded_at,
                             kept_h, kept_dz, _predict(x, weights, biases, act))


def _rms(a) -> float:
    """sqrt(mean(a^2)), summed in float64; an array whose squares would overflow is divided by its largest first."""
    flat = np.ravel(a)
    largest = float(np.abs(flat).max())
    scale = 1.0 if 1e-100 < largest < 1e100 else largest or 1.0
    flat = flat if scale == 1.0 else flat / scale
    return math.sqrt(float(np.einsum("i,i->", flat, flat, dtype=np.float64)) / flat.size) * scale


def _predict(x, weights, biases, act) -> _theory.MeanField:
    """The mean-field prediction from each layer's actual weight variance.

    Sigmas are capped at 1e150: beyond it the predicted signal overflows anyway,
    which theory.mean_field reports as inf.
    """
    fan_in, fan_out = (np.array([w.shape[k] for w in weights], dtype=np.float64) for k in (0, 1))
    rms = np.array([_rms(w) for w in weights])
    bias_std = 0.0 if biases is None else _rms([_rms(b) for b in biases])  # over all layers' biases
    return _theory.mean_field(
        len(weights),
        sigma_w=np.minimum(np.sqrt(fan_in) * rms, _LARGEST_SIGMA),
        sigma_b=min(bias_std, _LARGEST_SIGMA),
        activation=act,
        input_second_moment=min(_rms(x), _LARGEST_SIGMA) ** 2,
        sigma_w_backward=np.minimum(np.sqrt(fan_out) * rms, _LARGEST_SIGMA),
    )


def propagate(init="lecun_normal", activation="tanh", depth=None, width=None, *, widths=None, n_samples=1000,
              bias_std=0.0, keep_layers=None, rng=None, dtype="float64") -> PropagationResult:
    """Run the signal-propagation experiment and return per-layer statistics.

    Parameters
    ----------
    init : str or initializer
        A rule name (``initlab.initializers.names()``, with default
        hyper-parameters) or an initializer, e.g. ``initializers.normal(0.01)``.
    activation : {"tanh", "sigmoid", "relu", "leaky_relu", "linear"} or Activation
    depth, width : int, optional
        ``depth`` layers of ``width`` units after an input of ``width`` features
        (defaults 10 and 500); or ``widths``: input width first, then each layer's.
    n_samples : int
        Number of inputs, each drawn from N(0, 1) (1000 in the course).  With one
        input, ``std_over_inputs`` is 0 and ``dead_units`` equals ``dead``.
    bias_std : float
        Biases drawn from N(0, bias_std^2); 0 means no bias.
    keep_layers : None or list of int
        Which layers' activations and gradients to keep for histograms (all by default).
    rng : None, int or numpy.random.Generator
    dtype : {"float64", "float32"}
        The precision of weights and arithmetic: float32 is about twice as fast and
        overflows past 3e38 instead of 1.8e308; the draws are the same (float64,
        rounded).  An overflow is not an error: ``exploded_at`` says where it happened.

    Examples
    --------
    >>> from initlab import propagate, initializers
    >>> result = propagate(initializers.normal(0.01), "tanh", depth=10, width=500, rng=0)
    >>> round(float(result.std[0]), 2)
    0.21
    """
    widths = layer_widths(depth, width, widths)
    n_samples = check_int("n_samples", n_samples, minimum=1)
    dtype = _check_dtype(dtype)
    bias_std = check_float("bias_std", bias_std, minimum=0.0, maximum=float(np.finfo(dtype).max) / 100)
    keep = _check_keep(keep_layers, len(widths) - 1)
    init = _initializers.get(init)
    act = _activations.get(activation)
    work = 2.0 * n_samples * sum(a * b for a, b in zip(widths[:-1], widths[1:]))
    if work > MAX_WORK:
        raise ArgumentError(f"n_samples={n_samples} with {describe_widths(widths)} needs {work:.2g} multiply-adds; "
                            f"propagate allows at most {MAX_WORK:.0e} (reduce n_samples, depth or width)")
    x_rng, grad_rng, bias_rng, weight_rng = as_generator(rng).spawn(4)
    x = x_rng.standard_normal((n_samples, widths[0])).astype(dtype)  # float64 draws, as for the weights
    weights = draw_weights(widths, init, weight_rng, dtype)
    biases = [(bias_std * bias_rng.standard_normal(w)).astype(dtype) for w in widths[1:]] if bias_std > 0 else None
    grad_output = grad_rng.standard_normal((n_samples, widths[-1])).astype(dtype)
    return _run(x, weights, act, biases, grad_output, keep, _initializers.name_of(init))
