"""The closed forms of the course: what the variance rules predict.

Three pieces of theory, each a few lines of algebra:

1. **Variance of a weighted sum** (notebook 03).  For z = sum_j w_j x_j + b with
   independent, zero-mean weights, variances of independent terms add::

       Var(z) = sum_j x_j^2 Var(w_j) + Var(b) = n_on * weight_std^2 + bias_std^2

   when ``n_on`` inputs are 1 and the rest 0.

2. **Glorot's conditions** (notebook 04).  Forward: fan_in * Var(W) = 1.
   Backward: fan_out * Var(W) = 1.  Compromise: Var(W) = 2 / (fan_in + fan_out).

3. **The mean-field length map** (notebooks 02, 04, 05; ``initlab.meanfield`` adds the
   correlation map of notebook 07).  In a wide layer the
   pre-activations are close to Gaussian.  Writing q_l = Var(z_l) and
   sigma_w^2 = fan_in * Var(W) (the weight variance in units of 1 / fan_in)::

       q_1 = sigma_w^2 * E[x^2] + sigma_b^2
       q_l = sigma_w^2 * E[phi(sqrt(q_{l-1}) Z)^2] + sigma_b^2,   Z ~ N(0, 1)

   and the activations h_l = phi(z_l) have mean E[phi(sqrt(q_l) Z)] and std
   sqrt(E[phi^2] - E[phi]^2).  Going backwards, the gradient reaching z_l has
   variance Var(dz_l) = Var(dh_l) * E[phi'(sqrt(q_l) Z)^2] and
   Var(dh_{l-1}) = fan_out * Var(W) * Var(dz_l).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import activations as _activations
from .checks import ArgumentError, ArgumentTypeError, check_float, check_int

__all__ = [
    "weighted_sum_variance",
    "weighted_sum_std",
    "sigma_w",
    "glorot_forward_variance",
    "glorot_backward_variance",
    "glorot_variance",
    "glorot_uniform_limit",
    "uniform_variance",
    "relu_second_moment",
    "sigmoid_saturation_threshold",
    "sigmoid_saturated_fraction",
    "gaussian_expectation",
    "bivariate_expectation",
    "MeanField",
    "mean_field",
]


# ----------------------------------------------------------------------------
# 1. the variance of a weighted sum
# ----------------------------------------------------------------------------
def weighted_sum_variance(n_on, weight_std, bias_std=0.0, input_value=1.0) -> float:
    """Var(z) for a neuron whose ``n_on`` active inputs all equal ``input_value``.

    Var(z) = n_on * input_value^2 * weight_std^2 + bias_std^2

    (inputs that are 0 contribute nothing, whatever their weight).
    """
    n_on = check_int("n_on", n_on, minimum=0)
    weight_std = check_float("weight_std", weight_std, minimum=0.0)
    bias_std = check_float("bias_std", bias_std, minimum=0.0)
    input_value = check_float("input_value", input_value)
    return n_on * input_value**2 * weight_std**2 + bias_std**2


def weighted_sum_std(n_on, weight_std, bias_std=0.0, input_value=1.0) -> float:
    """std(z) = sqrt(n_on * input_value^2 * weight_std^2 + bias_std^2).

    Examples from the course: 500 inputs on, N(0, 1) weights and bias gives
    sqrt(501) = 22.38; weights N(0, 1/1000) instead gives sqrt(3/2) = 1.22;
    250 inputs on, N(0, 1) weights, no bias gives sqrt(250) = 15.81.
    """
    return math.sqrt(weighted_sum_variance(n_on, weight_std, bias_std, input_value))


def sigma_w(weight_std, fan_in) -> float:
    """The weight std in units of 1/sqrt(fan_in): sigma_w = weight_std * sqrt(fan_in).

    In a layer that is still linear (small signals), each layer multiplies the
    signal's std by sigma_w: 0.01 * sqrt(500) = 0.224 in notebook 02.
    """
    weight_std = check_float("weight_std", weight_std, minimum=0.0)
    fan_in = check_int("fan_in", fan_in, minimum=1)
    return weight_std * math.sqrt(fan_in)


# ----------------------------------------------------------------------------
# 2. Glorot's conditions
# ----------------------------------------------------------------------------
def glorot_forward_variance(fan_in) -> float:
    """Var(W) = 1 / fan_in keeps the forward signal's variance: fan_in * Var(W) = 1."""
    return 1.0 / check_int("fan_in", fan_in, minimum=1)


def glorot_backward_variance(fan_out) -> float:
    """Var(W) = 1 / fan_out keeps the gradient's variance: fan_out * Var(W) = 1."""
    return 1.0 / check_int("fan_out", fan_out, minimum=1)


def glorot_variance(fan_in, fan_out) -> float:
    """Glorot's compromise between the two conditions: Var(W) = 2 / (fan_in + fan_out)."""
    fan_in = check_int("fan_in", fan_in, minimum=1)
    fan_out = check_int("fan_out", fan_out, minimum=1)
    return 2.0 / (fan_in + fan_out)


def glorot_uniform_limit(fan_in, fan_out) -> float:
    """a = sqrt(6 / (fan_in + fan_out)): U(-a, a) then has variance 2 / (fan_in + fan_out)."""
    return math.sqrt(3.0 * glorot_variance(fan_in, fan_out))


def uniform_variance(limit) -> float:
    """Var of U(-a, a) is a^2 / 3."""
    limit = check_float("limit", limit, minimum=0.0)
    return limit**2 / 3.0


def sigmoid_saturation_threshold(level=0.99) -> float:
    """|z| beyond which sigmoid(z) is within 1 - level of 0 or 1: ln(level / (1 - level)).

    For level 0.99 that is ln 99 = 4.595; there sigmoid'(z) < 0.0099 (0.25 at z = 0).
    """
    level = check_float("level", level, minimum=0.5)
    if level >= 1.0:
        raise ArgumentError(f"level must be < 1, got {level}")
    return math.log(level / (1.0 - level))


def sigmoid_saturated_fraction(z_std, level=0.99) -> float:
    """P(|z| > ln(level / (1 - level))) for z ~ N(0, z_std^2): the share of saturated sigmoids.

    = erfc(threshold / (z_std * sqrt(2))).  With z_std = sqrt(501) about 84% of the
    neurons are saturated, with z_std = sqrt(3/2) about 0.02%.
    """
    z_std = check_float("z_std", z_std, minimum=0.0)
    if z_std == 0.0:
        return 0.0
    return math.erfc(sigmoid_saturation_threshold(level) / (z_std * math.sqrt(2.0)))


def relu_second_moment(variance) -> float:
    """E[relu(z)^2] = Var(z) / 2 for z ~ N(0, Var(z)): ReLU keeps half the power."""
    return check_float("variance", variance, minimum=0.0) / 2.0


# ----------------------------------------------------------------------------
# 3. Gaussian expectations and the mean-field map
# ----------------------------------------------------------------------------
# Why not a 20-point Gauss-Hermite rule?  tanh(22 z) is almost a step at z = 0; a
# polynomial rule cannot follow a step and is off by several percent.  Instead we
# integrate over |z| on a logarithmic grid, z = exp(t): the integrand
# f(z) phi(z) z dt is smooth in t whatever the scale of the step, so the plain
# trapezoid rule in t is accurate from z = 1e-10 to z = 12.
_Z_POSITIVE = np.geomspace(1e-10, 12.0, 3001)
_DT = math.log(_Z_POSITIVE[1] / _Z_POSITIVE[0])
_WEIGHTS = _DT * _Z_POSITIVE * np.exp(-0.5 * _Z_POSITIVE**2) / math.sqrt(2.0 * math.pi)
_WEIGHTS[[0, -1]] *= 0.5
# mass of N(0,1) in [-1e-10, 1e-10], given to the value f(0)
_CENTRE_WEIGHT = 2e-10 / math.sqrt(2.0 * math.pi)


def gaussian_expectation(function, variance):
    """E[f(sqrt(variance) * Z)] for Z ~ N(0, 1), for one variance or an array of them.

    Accurate to about 1e-9 for the smooth and the step-like functions of the course
    (tanh(22 Z), relu(Z)^2, ...), see the comment above.
    """
    variance = np.asarray(variance, dtype=np.float64)
    if np.any(np.isnan(variance)) or np.any(variance < 0):
        raise ArgumentError(f"variance must be >= 0 (inf is allowed for an exploded signal), got {variance}")
    if not callable(function):
        raise ArgumentTypeError(f"function must be callable, e.g. lambda z: np.tanh(z) ** 2, got {function!r}")
    scale = np.sqrt(variance)[..., None]
    with np.errstate(over="ignore", invalid="ignore"):
        both_sides = function(scale * _Z_POSITIVE) + function(-scale * _Z_POSITIVE)
        centre = function(np.zeros_like(scale))[..., 0]
        return both_sides @ _WEIGHTS + _CENTRE_WEIGHT * centre


# Two correlated Gaussians.  In polar coordinates (z1, z2) = r (cos t, sin t) the two
# pre-activations are u1 = sqrt(q1) r cos(t) and u2 = sqrt(q2) r cos(t - g), g = arccos(c).
# Along each ray the integrand is smooth in log r (the trick above), so r runs over a
# logarithmic grid.  Across rays, the only sharp features of phi(u1) phi(u2) (a step of
# tanh(22 z), relu's kink, a spike of tanh') sit at the four angles where u1 or u2 changes
# sign; between two of them t = start + length (1 + tanh(s)) / 2 clusters the nodes
# exponentially at both ends, and the trapezoid rule in s converges as fast as in log r.
_STEP = 0.15
_R = np.exp(np.arange(math.log(1e-8), math.log(11.0), _STEP))
_R_WEIGHTS = _STEP * _R**2 * np.exp(-0.5 * _R**2) / (2.0 * math.pi)
_S = np.arange(-12.0, 12.0 + _STEP / 2, _STEP)
_ARC_POSITION = 0.5 * (1.0 + np.tanh(_S))
_ARC_WEIGHTS = _STEP * 0.5 / np.cosh(_S) ** 2
_SETS_PER_CHUNK = 16  # (q1, q2, c) sets computed at once: about 1.4 million nodes, 11 MB an array


def bivariate_expectation(function, q1, q2, c=None, *, distance=None):
    """E[f(u1, u2)] for jointly Gaussian u1, u2 with variances q1, q2 and correlation c.

    u1 = sqrt(q1) Z1 and u2 = sqrt(q2) (c Z1 + sqrt(1 - c^2) Z2) with Z1, Z2 independent
    N(0, 1).  ``function`` takes the two arrays u1, u2.  Give either ``c`` or
    ``distance`` = 1 - c, which keeps its digits when c is within 1e-16 of 1.  Arrays
    broadcast.  Accurate to about 1e-12 for the course's activations and their slopes,
    steep ones included (tanh(22 Z1) tanh(22 u2): the comment above says how).
    """
    if not callable(function):
        raise ArgumentTypeError(f"function must be callable, e.g. lambda u1, u2: np.tanh(u1) * np.tanh(u2), "
                                f"got {function!r}")
    if (c is None) == (distance is None):
        raise ArgumentError("give either c (the correlation) or distance (1 - c), not both and not neither")
    q1, q2 = (np.asarray(q, dtype=np.float64) for q in (q1, q2))
    if np.any(~np.isfinite(q1) | (q1 < 0)) or np.any(~np.isfinite(q2) | (q2 < 0)):
        raise ArgumentError(f"q1 and q2 must be finite variances >= 0, got {q1} and {q2}")
    distance = 1.0 - np.asarray(c, dtype=np.float64) if distance is None else np.asarray(distance, np.float64)
    if np.any(np.isnan(distance)) or np.any(distance < -1e-12) or np.any(distance > 2 + 1e-12):
        raise ArgumentError(f"c must lie in [-1, 1] (distance = 1 - c in [0, 2]), got c = {1 - distance}")
    angle = 2.0 * np.arcsin(np.sqrt(np.clip(distance, 0.0, 2.0) / 2.0))  # arccos(c), accurate near c = 1
    shape = np.broadcast_shapes(q1.shape, q2.shape, angle.shape)
    scale1, scale2, angle = (np.broadcast_to(a, shape).ravel() for a in (np.sqrt(q1), np.sqrt(q2), angle))
    result = np.empty(angle.size)
    for start in range(0, angle.size, _SETS_PER_CHUNK):
        part = slice(start, start + _SETS_PER_CHUNK)
        # the four angles where u1 or u2 changes sign, in order, and the arcs between them
        breaks = np.sort(np.mod(np.stack([np.full_like(angle[part], 0.5 * math.pi), angle[part] + 0.5 * math.pi,
                                          np.full_like(angle[part], 1.5 * math.pi), angle[part] + 1.5 * math.pi],
                                         axis=1), 2.0 * math.pi), axis=1)
        lengths = np.diff(np.concatenate([breaks, breaks[:, :1] + 2.0 * math.pi], axis=1), axis=1)
        theta = (breaks[:, :, None] + lengths[:, :, None] * _ARC_POSITION).reshape(len(breaks), -1)
        theta_weights = (lengths[:, :, None] * _ARC_WEIGHTS).reshape(len(breaks), -1)
        u1 = (scale1[part, None] * np.cos(theta))[:, :, None] * _R
        u2 = (scale2[part, None] * np.cos(theta - angle[part, None]))[:, :, None] * _R
        with np.errstate(over="ignore", invalid="ignore"):
            values = function(u1, u2) @ _R_WEIGHTS
        result[part] = np.einsum("st,st->s", values, theta_weights)
    return result.reshape(shape)[()]


@dataclass(frozen=True)
class MeanField:
    """Predicted per-layer statistics of a deep, wide, randomly initialised network.

    All arrays have one entry per layer (index 0 is layer 1).

    Attributes
    ----------
    q : pre-activation variance Var(z_l)
    mean : predicted mean of the activations h_l
    std : predicted std of the activations h_l
    grad_std : predicted std of the gradient dL/dz_l for a N(0, 1) gradient
        arriving at the last layer's output
    """

    activation: str
    q: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    grad_std: np.ndarray


def _per_layer(name, value, depth):
    """A scalar or a length-``depth`` sequence of sigma values as an array."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        array = np.full(depth, float(array))
    if array.shape != (depth,):
        raise ArgumentError(f"{name} must be a number or have one value per layer ({depth}), got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ArgumentError(f"{name} must contain finite numbers >= 0, got {array.tolist()[:5]}")
    return array


def mean_field(depth, sigma_w, sigma_b=0.0, activation="tanh", input_second_moment=1.0, sigma_w_backward=None):
    """Predict per-layer activation std and gradient std with the length map.

    Parameters
    ----------
    depth : int >= 1
        Number of layers.
    sigma_w : float or sequence of float
        sqrt(fan_in * Var(W)) of each layer: 1 for lecun_normal, sqrt(2) for
        he_normal, 0.01 * sqrt(500) for normal(0.01) in a layer of 500 inputs.
    sigma_b : float
        Bias std (the same in every layer).
    activation : str or Activation
    input_second_moment : float
        E[x^2] of the network's input; 1 for N(0, 1) inputs.
    sigma_w_backward : float or sequence, optional
        sqrt(fan_out * Var(W)) of each layer, which sets how the gradient grows
        going back.  Defaults to ``sigma_w`` (square layers).

    Returns
    -------
    MeanField
        q_l, mean, std and grad_std per layer (see the module docstring for the
        formulas).  A signal that overflows gives ``inf`` from that layer on.
    """
    depth = check_int("depth", depth, minimum=1)
    act = _activations.get(activation)
    sw = _per_layer("sigma_w", sigma_w, depth)
    swb = sw if sigma_w_backward is None else _per_layer("sigma_w_backward", sigma_w_backward, depth)
    sigma_b = check_float("sigma_b", sigma_b, minimum=0.0)
    second_moment = check_float("input_second_moment", input_second_moment, minimum=0.0)

    q = np.empty(depth)
    mean = np.empty(depth)
    std = np.empty(depth)
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in range(depth):
            q[layer] = sw[layer] ** 2 * second_moment + sigma_b**2
            mean[layer] = gaussian_expectation(act.function, q[layer])
            second_moment = gaussian_expectation(lambda z: act.function(z) ** 2, q[layer])
            std[layer] = math.sqrt(max(second_moment - mean[layer] ** 2, 0.0)) if np.isfinite(second_moment) else np.inf

        grad_std = np.empty(depth)
        grad_variance = 1.0  # Var(dL/dh) at the output of the last layer
        for layer in reversed(range(depth)):
            slope_power = gaussian_expectation(lambda z: act.derivative(z) ** 2, q[layer])
            grad_variance = grad_variance * slope_power
            grad_std[layer] = math.sqrt(grad_variance) if np.isfinite(grad_variance) else np.inf
            grad_variance = swb[layer] ** 2 * grad_variance
    return MeanField(act.name, q, mean, std, grad_std)
