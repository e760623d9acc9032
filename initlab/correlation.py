"""Two inputs through a deep random network: their correlation and the gradient, layer by layer.

Notebook 07's experiment.  ``n_inputs`` inputs of ``width`` features, every pair with
correlation exactly ``c0`` and every input with mean square exactly 1, go through
``depth`` layers z_l = h_{l-1} @ W_l + b_l, h_l = phi(z_l), with
W ~ N(0, sigma_w^2 / fan_in) and b ~ N(0, sigma_b^2) (PyTorch:
``nn.init.normal_(w, std=sigma_w / sqrt(fan_in))``, ``nn.init.normal_(b, std=sigma_b)``).
Per layer it measures the correlation of the pre-activations of each pair,

    c_l = z_l^(1) . z_l^(2) / (|z_l^(1)| |z_l^(2)|),

averaged over the pairs and over ``n_networks`` independent networks, and the mean
square of the gradient dL/dz_l for a N(0, 1) gradient arriving at the last layer.
``initlab.meanfield`` predicts both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import activations as _activations
from . import initializers as _initializers
from . import meanfield as _meanfield
from . import theory as _theory
from .checks import ArgumentError, ArgumentTypeError, as_generator, check_array, check_float, check_int
from .propagation import draw_weights, layer_widths

__all__ = ["correlated_inputs", "pair_distances", "network_statistics", "correlation_experiment",
           "CorrelationResult", "MAX_WEIGHTS"]

#: correlation_experiment holds every layer's weights at once: 150 million (1.2 GB, a few
#: seconds to draw); the lesson's deepest run (60 layers of 1000) has 60 million.
MAX_WEIGHTS = 1.5e8


def correlated_inputs(n_inputs, width, c0, rng=None) -> np.ndarray:
    """``n_inputs`` vectors (rows) of mean square exactly 1 whose pairs all have correlation exactly ``c0``.

    x_i = sqrt(width) (sqrt(c0) e_0 + sqrt(1 - c0) e_i) with e_0, ..., e_n orthonormal
    (the Q of a Gaussian matrix's QR decomposition).
    """
    n_inputs = check_int("n_inputs", n_inputs, minimum=2)
    width = check_int("width", width, minimum=n_inputs + 1)
    c0 = check_float("c0", c0, minimum=0.0, maximum=1.0)
    basis = np.linalg.qr(as_generator(rng).standard_normal((width, n_inputs + 1)))[0].T
    return math.sqrt(width) * (math.sqrt(c0) * basis[0] + math.sqrt(1.0 - c0) * basis[1:])


def pair_distances(z) -> np.ndarray:
    """1 - c for every pair of rows of z, accurate when c is close to 1.

    1 - c = (|z_i - z_j|^2 - (|z_i| - |z_j|)^2) / (2 |z_i| |z_j|), both terms computed without
    the cancellation of 1 - z_i.z_j / (|z_i| |z_j|).
    """
    z = check_array("z", z, ndim=2)
    if len(z) < 2 or not np.all(np.any(z != 0, axis=1)):
        raise ArgumentError(f"z must hold at least 2 rows, none of them all 0 (a correlation needs a direction), "
                            f"got shape {z.shape}")
    return _pair_distances(z)


def _pair_distances(z):
    largest = np.abs(z).max()
    z = z / largest if largest > 0 else z  # no overflow in the squares, whatever the scale
    norms = np.sqrt(np.einsum("iu,iu->i", z, z))
    i, j = np.triu_indices(len(z), k=1)
    apart = np.einsum("pu,pu->p", z[i] - z[j], z[i] - z[j])
    return (apart - (norms[i] - norms[j]) ** 2) / (2.0 * norms[i] * norms[j])


def network_statistics(x, weights, biases, activation, grad_output) -> tuple:
    """(q, distance, grad) per layer of one network for the inputs x (rows).

    q: mean square of z_l; distance: mean over pairs of inputs of 1 - c_l; grad: mean
    square of dL/dz_l = dL/dh_l * phi'(z_l) for ``grad_output`` = dL/dh at the last layer,
    sent back by dL/dh_{l-1} = dL/dz_l @ W_l.T (the backward pass of ``run_network``,
    without its per-layer statistics).
    """
    act = _activations.get(activation)
    x = check_array("x", x, ndim=2)
    sequences = (list, tuple, np.ndarray)
    if not isinstance(weights, sequences) or not isinstance(biases, sequences) or not 0 < len(weights) == len(biases):
        raise ArgumentTypeError("weights and biases must be sequences of the same length, one matrix and one vector "
                                f"per layer, got {type(weights).__name__} and {type(biases).__name__}")
    widths = [x.shape[1]] + [np.shape(w)[-1] for w in weights]
    weights = [check_array(f"weights[{k}]", w, shape=(widths[k], widths[k + 1])) for k, w in enumerate(weights)]
    biases = [check_array(f"biases[{k}]", b, shape=(widths[k + 1],)) for k, b in enumerate(biases)]
    grad_output = check_array("grad_output", grad_output, shape=(len(x), widths[-1]))
    return _network_statistics(x, weights, biases, act, grad_output)


def _network_statistics(x, weights, biases, act, grad_output) -> tuple:
    """``network_statistics`` of checked arrays (``correlation_experiment`` draws them itself)."""
    q, distance, grad = (np.empty(len(weights)) for _ in range(3))
    slopes, h = [], x
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
        for layer, (w, b) in enumerate(zip(weights, biases)):
            z = h @ w + b
            _finite(z, "pre-activations", layer)
            if not np.all(np.any(z != 0, axis=1)):
                raise ArgumentError(f"layer {layer + 1} is 0 for one of the inputs: the correlation of its pairs is "
                                    f"not defined (the signal vanished)")
            q[layer], distance[layer] = np.mean(z * z), np.mean(_pair_distances(z))
            h, slopes = act.function(z), slopes + [act.derivative(z)]
        back = grad_output
        for layer in reversed(range(len(weights))):
            back = back * slopes[layer]
            grad[layer] = np.mean(back * back)
            _finite(grad[layer], "gradient's mean square", layer)
            back = back @ weights[layer].T
    return q, distance, grad


def _finite(values, what, layer):
    if not np.all(np.isfinite(values)):
        raise ArgumentError(f"the {what} overflow float64 at layer {layer + 1}: the network explodes (use fewer "
                            f"layers, a sigma_w closer to the edge of chaos, or a bounded activation)")


@dataclass
class CorrelationResult:
    """What ``correlation_experiment`` measured and what the mean field predicts; one entry per layer.

    Attributes
    ----------
    q : mean square of the pre-activations z_l
    distance : 1 - c_l, the mean over pairs and networks of one minus the pairs' correlation
    grad : mean square of the gradient dL/dz_l
    prediction : ``meanfield.CorrelationCurve`` (q, c, distance per layer)
    predicted_grad : the mean-field mean square of dL/dz_l (``theory.mean_field``)
    phase : ``meanfield.Phase`` of the setting (q*, chi_1, c*, depth scales)
    """

    sigma_w: float
    sigma_b: float
    activation: str
    width: int
    c0: float
    q: np.ndarray
    distance: np.ndarray
    grad: np.ndarray
    prediction: _meanfield.CorrelationCurve = field(repr=False)
    predicted_grad: np.ndarray = field(repr=False)
    phase: _meanfield.Phase = field(repr=False)

    @property
    def c(self) -> np.ndarray:
        """The measured correlation c_l = 1 - distance."""
        return 1.0 - self.distance

    @property
    def layers(self) -> np.ndarray:
        return np.arange(1, len(self.q) + 1)

    def gradient_factor(self, first=None, predicted=False) -> float:
        """By how much the gradient's mean square grows per layer going back, over layers ``first``..depth.

        The geometric mean of grad_{l-1} / grad_l (of ``predicted_grad`` with
        ``predicted=True``); chi_1 once q_l has reached q*.  ``first`` defaults to the
        deeper half of the network.
        """
        depth = len(self.q)
        first = depth // 2 + 1 if first is None else check_int("first", first, minimum=2, maximum=depth)
        grad = self.predicted_grad if predicted else self.grad
        return float((grad[first - 2] / grad[depth - 1]) ** (1.0 / (depth - first + 1)))


    def depth_scale(self, first, last, predicted=False) -> float:
        """The depth scale fitted to layers ``first``..``last``: -1 / slope of ln |c_l - c*| against l.

        In the ordered phase c* = 1 and |c_l - c*| = 1 - c_l.  Compare with the phase's xi_c.
        inf when |c_l - c*| does not shrink at all over those layers.
        """
        first = check_int("first", first, minimum=1)
        last = check_int("last", last, minimum=first + 1, maximum=len(self.q))
        distance = self.prediction.distance if predicted else self.distance
        gap = np.abs(distance - (1.0 - self.phase.c_star))[first - 1:last]
        if not np.all(gap > 0):
            raise ArgumentError(f"c_l equals c* at layer {first + int(np.argmin(gap > 0))}: fit over layers before "
                                f"it (first={first}, last={last})")
        slope = np.polyfit(np.arange(first, last + 1), np.log(gap), 1)[0]
        return math.inf if slope == 0 else float(-1.0 / slope)  # slope 0: |c_l - c*| does not shrink at all


def correlation_experiment(sigma_w, sigma_b=0.0, activation="tanh", depth=30, width=1000, c0=0.5, n_inputs=8,
                           n_networks=2, rng=None) -> CorrelationResult:
    """Measure c_l and the gradient's mean square per layer, and predict both.

    Parameters
    ----------
    sigma_w, sigma_b : float
        Var(W) = sigma_w^2 / fan_in, Var(b) = sigma_b^2.
    activation : str or Activation
    depth, width : int
    c0 : float in [0, 1], the correlation of every pair of inputs
    n_inputs : int >= 2; all n (n - 1) / 2 pairs are measured
    n_networks : int >= 1, independent networks averaged over
    rng : None, int or Generator
    """
    sigma_w = check_float("sigma_w", sigma_w, strictly_positive=True)
    sigma_b = check_float("sigma_b", sigma_b, minimum=0.0)
    act = _activations.get(activation)
    depth, width = check_int("depth", depth, minimum=1), check_int("width", width, minimum=1)
    widths = layer_widths(depth, width)
    n_networks = check_int("n_networks", n_networks, minimum=1)
    if depth * width**2 > MAX_WEIGHTS:
        raise ArgumentError(f"depth={depth} layers of width {width} hold {depth * width ** 2:.2g} weights "
                            f"({depth * width ** 2 * 8e-9:.1f} GB); correlation_experiment draws at most "
                            f"{MAX_WEIGHTS:.1e} (reduce the depth or the width)")
    phase = _meanfield.phase(sigma_w, sigma_b, act)  # refuses a setting without a finite fixed point q*
    init = _initializers.variance_scaling(sigma_w**2, "fan_in", "normal")
    q, distance, grad = (np.zeros(len(widths) - 1) for _ in range(3))
    for network_rng in as_generator(rng).spawn(n_networks):
        input_rng, weight_rng, bias_rng, grad_rng = network_rng.spawn(4)
        x = correlated_inputs(n_inputs, widths[0], c0, input_rng)
        weights = draw_weights(widths, init, weight_rng)
        biases = [sigma_b * bias_rng.standard_normal(n) for n in widths[1:]]
        measured = _network_statistics(x, weights, biases, act, grad_rng.standard_normal((n_inputs, widths[-1])))
        for total, values in zip((q, distance, grad), measured):
            total += values / n_networks
    predicted_grad = _theory.mean_field(len(weights), sigma_w, sigma_b, act).grad_std ** 2
    prediction = _meanfield.correlation_curve(len(weights), c0, sigma_w, sigma_b, act)
    return CorrelationResult(sigma_w, sigma_b, act.name, widths[0], c0, q, distance, grad, prediction, predicted_grad,
                             phase)
