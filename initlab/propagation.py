"""Signal propagation: push random inputs through a deep random network and watch.

The experiment of notebooks 02, 04 and 05, generalised.  ``n_samples`` inputs
drawn from N(0, 1) go through ``depth`` dense layers::

    z_l = h_{l-1} @ W_l + b_l          (W_l has shape (fan_in, fan_out))
    h_l = phi(z_l)                      (h_0 = x)

and a N(0, 1) gradient arriving at the output of the last layer goes back::

    dz_l     = dh_l * phi'(z_l)
    dh_{l-1} = dz_l @ W_l.T

For every layer we record the mean and std of the activations h_l, how much they
still depend on the input, the fraction of saturated and of dead (exactly 0)
units, and the std of the gradient dz_l, which is what the weight gradient
dW_l = h_{l-1}.T @ dz_l is made of.  ``initlab.diagnosis`` turns these into a
one-line verdict on whether such a network could train.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import activations as _activations
from . import initializers as _initializers
from . import theory as _theory
from .checks import ArgumentError, ArgumentTypeError, as_generator, check_float, check_int

__all__ = ["propagate", "run_network", "draw_weights", "layer_widths", "layer_statistics", "mean_std",
           "PropagationResult"]

#: Most multiply-adds one call of ``propagate`` may do (forward and backward).
#: 2e11 is about a minute on a laptop; beyond it a typo (depth=1000, width=5000)
#: would look like a hang.
MAX_WORK = 2e11


@dataclass
class PropagationResult:
    """What ``propagate`` measured, one entry per layer (index 0 is layer 1).

    Attributes
    ----------
    widths : tuple of int
        Input width followed by each layer's width.
    activation, init : str
        Names of the activation and of the initializer.
    n_samples : int
        Number of inputs pushed through.
    mean, std : ndarray
        Mean and std of the activations h_l over all samples and units.
    std_over_inputs : ndarray
        For each unit, the std of its activation over the samples, averaged over the
        units: how much the layer's output still depends on the input.  For tanh it
        is close to ``std``; for sigmoid, whose outputs sit around 0.5 with a spread
        that the fixed weights give every input alike, it can collapse while
        ``std`` does not.
    saturated : ndarray
        Fraction of units in a flat tail of tanh/sigmoid (|tanh| > 0.99, sigmoid
        outside [0.01, 0.99]); 0 for activations without flat tails.
    dead : ndarray
        Fraction of activations that are exactly 0.  About 0.5 for a healthy ReLU
        layer, which zeroes each unit for about half of the inputs.
    dead_units : ndarray
        Fraction of units that are exactly 0 for every input: dead units, which
        pass no gradient back for any input.  With a single input it equals ``dead``.
    grad_std : ndarray
        Std of the back-propagated gradient dL/dz_l (NaN without a backward pass).
    exploded_at : int or None
        First layer whose pre-activations overflowed to inf/NaN; statistics from
        that layer on are NaN, and no gradient is computed.
    grad_exploded_at : int or None
        First layer (going backwards) whose gradient overflowed.
    activations, gradients : dict {layer: ndarray}
        The activations h_l and gradients dz_l of the kept layers (1-based keys),
        shape (n_samples, width), for histograms.
    prediction : theory.MeanField
        The mean-field prediction for this network, computed from each layer's
        actual weight variance (sigma_w^2 = fan_in * mean(W^2)).
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

    def table(self) -> str:
        """A plain-text table of the per-layer statistics, rounded for printing."""
        lines = [
            f"{self.init} weights, {self.activation}, widths {list(self.widths)}",
            f"{'layer':>5} {'mean':>10} {'std':>10} {'predicted':>10} {'saturated':>10} {'dead':>7} {'grad std':>10}",
        ]
        for i in range(self.depth):
            lines.append(
                f"{i + 1:>5} {self.mean[i]:>10.4f} {self.std[i]:>10.4g} {self.prediction.std[i]:>10.4g}"
                f" {self.saturated[i]:>9.1%} {self.dead[i]:>7.1%} {self.grad_std[i]:>10.4g}"
            )
        if self.exploded_at is not None:
            lines.append(f"the signal exploded (overflowed) at layer {self.exploded_at}")
        if self.grad_exploded_at is not None:
            lines.append(f"the gradient exploded (overflowed) at layer {self.grad_exploded_at}")
        return "\n".join(lines)


def layer_widths(depth=None, width=None, widths=None) -> tuple:
    """The widths (input first) from either ``depth`` and ``width`` or ``widths``.

    ``depth=10, width=500`` means an input of 500 features and 10 layers of 500
    units: widths (500, 500, ..., 500) with 11 entries.
    """
    if widths is not None:
        if depth is not None or width is not None:
            raise ArgumentError("give either widths=[...] or depth and width, not both")
        if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__"):
            raise ArgumentTypeError(f"widths must be a list of integers (input width first), got {widths!r}")
        if len(widths) < 2:
            raise ArgumentError(f"widths needs the input width and at least one layer, got {list(widths)}")
        return tuple(check_int(f"widths[{i}]", w, minimum=1) for i, w in enumerate(widths))
    depth = check_int("depth", 10 if depth is None else depth, minimum=1)
    width = check_int("width", 500 if width is None else width, minimum=1)
    return (width,) * (depth + 1)


def draw_weights(widths, init, rng=None) -> list:
    """One weight matrix per layer, layer l of shape (widths[l-1], widths[l]).

    Each layer draws from its own random stream (``rng.spawn``), so layer 3 of a
    5-layer network is the same matrix as layer 3 of a 50-layer one built from the
    same seed: adding layers never changes the ones before.
    """
    init = _initializers.get(init)
    layer_rngs = as_generator(rng).spawn(len(widths) - 1)
    weights = []
    for fan_in, fan_out, layer_rng in zip(widths[:-1], widths[1:], layer_rngs):
        w = np.asarray(init(fan_in, fan_out, layer_rng))
        if w.shape != (fan_in, fan_out):
            raise ArgumentError(
                f"init {_initializers.name_of(init)} returned shape {w.shape} for fan_in={fan_in}, "
                f"fan_out={fan_out}; an initializer must return an array of shape (fan_in, fan_out)"
            )
        weights.append(w)
    return weights


def mean_std(values):
    """Mean and std of an array, also when its squares would overflow.

    Squares of values above sqrt(largest float) (1e154 in float64, 1.8e19 in
    float32) overflow, so such arrays are divided by their largest value first.
    """
    largest = float(np.abs(values).max())
    if largest > 1e-3 * math.sqrt(np.finfo(values.dtype).max):
        scaled = values / largest
        return scaled.mean() * largest, scaled.std() * largest
    return values.mean(), values.std()


def layer_statistics(h, act) -> tuple:
    """(mean, std, std_over_inputs, saturated, dead, dead_units) of one layer's activations h (samples, units)."""
    mean, std = mean_std(h)
    largest = float(np.abs(h).max())
    if h.shape[0] < 2 or largest == 0.0:
        over_inputs = 0.0  # one input, or a silent layer: nothing varies with the input
    else:
        over_inputs = float(np.mean(np.std(h / largest, axis=0))) * largest
    saturated = float(act.is_saturated(h).mean()) if act.is_saturated is not None else 0.0
    zero = h == 0
    return float(mean), float(std), over_inputs, saturated, float(zero.mean()), float(zero.all(axis=0).mean())


def run_network(x, weights, activation="tanh", biases=None, grad_output=None, keep_layers=None,
                init_name="given") -> PropagationResult:
    """Forward and backward pass through given weights; the core of ``propagate``.

    Parameters
    ----------
    x : ndarray (n_samples, widths[0])
    weights : list of ndarray, layer l of shape (widths[l-1], widths[l])
    activation : str or Activation
    biases : list of ndarray (widths[l],), optional
    grad_output : ndarray (n_samples, widths[-1]), optional
        Gradient arriving at the last layer's output (default: no backward pass,
        ``grad_std`` is then NaN).
    keep_layers : None or iterable of int
        Layers (1-based) whose activations and gradients are kept; None keeps all.
    init_name : str
        Name of the initializer, for tables and plots.
    """
    act = _activations.get(activation)
    x = np.asarray(x)
    depth = len(weights)
    if depth == 0:
        raise ArgumentError("weights must hold at least one matrix")
    widths = (x.shape[1],) + tuple(w.shape[1] for w in weights)
    for i, w in enumerate(weights):
        if w.ndim != 2 or w.shape[0] != widths[i]:
            raise ArgumentError(f"weights[{i}] must have shape ({widths[i]}, fan_out) to follow an input of width "
                             f"{widths[i]}, got {w.shape}")
    if biases is not None and len(biases) != depth:
        raise ArgumentError(f"biases must have one vector per layer ({depth}), got {len(biases)}")
    keep = set(range(1, depth + 1)) if keep_layers is None else \
        {check_int("keep_layers entry", k, minimum=1, maximum=depth) for k in keep_layers}

    stats = np.full((6, depth), np.nan)  # mean, std, std_over_inputs, saturated, dead, dead_units
    grad_std = np.full(depth, np.nan)
    kept_h, kept_dz, slopes = {}, {}, []
    exploded_at = grad_exploded_at = None
    # Overflow is detected and reported below, so numpy's warnings would only be noise.
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        h = x
        for i, w in enumerate(weights):
            z = h @ w if biases is None else h @ w + biases[i]
            if not np.isfinite(z).all():
                exploded_at = i + 1
                break
            h = act.function(z)
            stats[:, i] = layer_statistics(h, act)
            slopes.append(act.derivative(z))
            if i + 1 in keep:
                kept_h[i + 1] = h

        if grad_output is not None and exploded_at is None:
            g = np.asarray(grad_output, dtype=h.dtype)
            for i in reversed(range(depth)):
                dz = g * slopes[i]
                if not np.isfinite(dz).all():
                    grad_exploded_at = i + 1
                    break
                grad_std[i] = mean_std(dz)[1]
                if i + 1 in keep:
                    kept_dz[i + 1] = dz
                if i > 0:
                    g = dz @ weights[i].T

    mean, std, std_over_inputs, saturated, dead, dead_units = stats
    return PropagationResult(widths, act.name, init_name, x.shape[0], mean, std, std_over_inputs, saturated, dead,
                             dead_units, grad_std, exploded_at, grad_exploded_at, kept_h, kept_dz,
                             _predict(x, weights, biases, act))


def _predict(x, weights, biases, act) -> _theory.MeanField:
    """The mean-field prediction from each layer's actual weight variance."""
    fan_in = np.array([w.shape[0] for w in weights], dtype=np.float64)
    fan_out = np.array([w.shape[1] for w in weights], dtype=np.float64)
    power = np.array([float(w.ravel() @ w.ravel()) / w.size for w in weights])  # mean(W^2), through BLAS
    bias_std = 0.0 if biases is None else float(np.sqrt(np.mean([np.mean(np.square(b)) for b in biases])))
    with np.errstate(over="ignore", invalid="ignore"):
        return _theory.mean_field(
            len(weights),
            sigma_w=np.sqrt(np.minimum(fan_in * power, 1e300)),
            sigma_b=bias_std,
            activation=act,
            input_second_moment=float(np.mean(np.square(x, dtype=np.float64))),
            sigma_w_backward=np.sqrt(np.minimum(fan_out * power, 1e300)),
        )


def propagate(init="lecun_normal", activation="tanh", depth=None, width=None, *, widths=None, n_samples=1000,
              bias_std=0.0, keep_layers=None, rng=None) -> PropagationResult:
    """Run the signal-propagation experiment and return per-layer statistics.

    Parameters
    ----------
    init : str or initializer
        A rule name (``initlab.initializers.names()``, with default
        hyper-parameters) or an initializer, e.g. ``initializers.normal(0.01)``.
    activation : {"tanh", "sigmoid", "relu", "leaky_relu", "linear"} or Activation
    depth, width : int, optional
        ``depth`` layers of ``width`` units after an input of ``width`` features
        (defaults 10 and 500, the course's setting).
    widths : list of int, optional
        Instead of depth and width: input width first, then each layer's width.
    n_samples : int
        Number of inputs, each drawn from N(0, 1) (1000 in the course).
    bias_std : float
        Biases drawn from N(0, bias_std^2); 0 means no bias.
    keep_layers : None or list of int
        Which layers' activations and gradients to keep for histograms (all by default).
    rng : None, int or numpy.random.Generator

    Examples
    --------
    >>> from initlab import propagate, initializers
    >>> result = propagate(initializers.normal(0.01), "tanh", depth=10, width=500, rng=0)
    >>> round(float(result.std[0]), 2)
    0.21
    """
    widths = layer_widths(depth, width, widths)
    n_samples = check_int("n_samples", n_samples, minimum=1)
    bias_std = check_float("bias_std", bias_std, minimum=0.0)
    init = _initializers.get(init)
    act = _activations.get(activation)
    work = 2.0 * n_samples * sum(a * b for a, b in zip(widths[:-1], widths[1:]))
    if work > MAX_WORK:
        raise ArgumentError(
            f"n_samples={n_samples} with widths {list(widths)[:4]}... needs {work:.2g} multiply-adds; "
            f"propagate allows at most {MAX_WORK:.0e} (reduce n_samples, depth or width)"
        )
    x_rng, grad_rng, bias_rng, weight_rng = as_generator(rng).spawn(4)
    x = x_rng.standard_normal((n_samples, widths[0]))
    weights = draw_weights(widths, init, weight_rng)
    biases = [bias_std * bias_rng.standard_normal(w) for w in widths[1:]] if bias_std > 0 else None
    grad_output = grad_rng.standard_normal((n_samples, widths[-1]))
    return run_network(x, weights, act, biases=biases, grad_output=grad_output, keep_layers=keep_layers,
                       init_name=_initializers.name_of(init))
