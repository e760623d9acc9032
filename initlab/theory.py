"""The closed forms of the course: what the variance rules predict.

Four pieces of theory, each a few lines of algebra:

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

4. **Where the length map settles, and the edge of chaos** (notebooks 07, 08).  Its
   fixed point q* (``fixed_point``); chi_1 = sigma_w^2 E[phi'(sqrt(q*) Z)^2], the
   per-layer factor on a gradient's mean square (``chi_1``); and the (sigma_w,
   sigma_b) with chi_1 = 1 and a chosen q* (``critical_point``).  They are computed
   once, in ``initlab.meanfield`` and ``initlab.critical``; the names here are theirs.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np

from . import activations as _activations
from . import critical as _critical
from . import meanfield as _meanfield
from .checks import ArgumentError, check_array, check_float, check_int
from .gaussian import bivariate_expectation, gaussian_expectation  # noqa: F401  (part of this module's API)

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
    "residual_growth",
    "sigmoid_saturation_threshold",
    "sigmoid_saturated_fraction",
    "gaussian_expectation",
    "bivariate_expectation",
    "MeanField",
    "mean_field",
    "MAX_DEPTH",
    "fixed_point",
    "chi_1",
    "critical_point",
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
    return _finite(lambda: n_on * input_value**2 * weight_std**2 + bias_std**2,
                   "Var(z) = n_on * input_value^2 * weight_std^2 + bias_std^2",
                   n_on=n_on, input_value=input_value, weight_std=weight_std, bias_std=bias_std)


def _finite(formula, written, **arguments) -> float:
    """The value of ``formula()``, or an error naming the arguments when it overflows float64."""
    try:
        value = formula()
    except OverflowError:  # x**2 of a Python float, or an int too large for a float
        value = math.inf
    if math.isfinite(value):
        return value
    shown = ", ".join(f"{name}={number:g}" for name, number in arguments.items())
    raise ArgumentError(f"{written} overflows float64 (largest {sys.float_info.max:.3g}) with {shown}: "
                        f"use smaller values")


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
    return _finite(lambda: weight_std * math.sqrt(fan_in), "sigma_w = weight_std * sqrt(fan_in)",
                   weight_std=weight_std, fan_in=fan_in)


# ----------------------------------------------------------------------------
# 2. Glorot's conditions
# ----------------------------------------------------------------------------
def glorot_forward_variance(fan_in) -> float:
    """Var(W) = 1 / fan_in keeps the forward signal's variance: fan_in * Var(W) = 1."""
    return 1 / check_int("fan_in", fan_in, minimum=1)  # int / int: no overflow, whatever the int


def glorot_backward_variance(fan_out) -> float:
    """Var(W) = 1 / fan_out keeps the gradient's variance: fan_out * Var(W) = 1."""
    return 1 / check_int("fan_out", fan_out, minimum=1)


def glorot_variance(fan_in, fan_out) -> float:
    """Glorot's compromise between the two conditions: Var(W) = 2 / (fan_in + fan_out)."""
    fan_in = check_int("fan_in", fan_in, minimum=1)
    fan_out = check_int("fan_out", fan_out, minimum=1)
    return 2 / (fan_in + fan_out)


def glorot_uniform_limit(fan_in, fan_out) -> float:
    """a = sqrt(6 / (fan_in + fan_out)): U(-a, a) then has variance 2 / (fan_in + fan_out)."""
    return math.sqrt(3.0 * glorot_variance(fan_in, fan_out))


def uniform_variance(limit) -> float:
    """Var of U(-a, a) is a^2 / 3."""
    limit = check_float("limit", limit, minimum=0.0)
    return _finite(lambda: limit**2 / 3.0, "Var = limit^2 / 3", limit=limit)


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


def residual_growth(blocks, branch_scale=1.0, branch_gain=1.0) -> np.ndarray:
    """E[x_l^2] / E[x_0^2] = (1 + alpha^2 v)^l for l = 0 .. blocks in a residual stream x_{l+1} = x_l + alpha F(x_l).

    ``branch_gain`` v is E[F(x)^2] / E[x^2] of one branch at the start (1 for a
    He-initialized pre-activation branch: each weight layer follows a ReLU and
    keeps the power); a fresh branch is uncorrelated with the stream, so the
    powers add.  The same factor applies to the gradient's mean square going back.
    """
    blocks = check_int("blocks", blocks, minimum=0)
    alpha = check_float("branch_scale", branch_scale)
    v = check_float("branch_gain", branch_gain, minimum=0.0)
    factor = _finite(lambda: 1.0 + alpha**2 * v, "1 + branch_scale^2 * branch_gain", branch_scale=alpha,
                     branch_gain=v)
    if factor > 1.0 and blocks * math.log(factor) >= math.log(sys.float_info.max):
        last = math.floor(math.log(sys.float_info.max) / math.log(factor))
        raise ArgumentError(f"E[x_l^2] / E[x_0^2] = {factor:.4g}^l overflows float64 after block {last}: use "
                            f"blocks <= {last} (got blocks={blocks}) or a smaller branch_scale")
    return factor ** np.arange(blocks + 1, dtype=np.float64)


# ----------------------------------------------------------------------------
# 3. Gaussian expectations and the mean-field map
# ----------------------------------------------------------------------------
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
    exploded_at : first layer whose variance q overflows float64 (None if none does): from
        there on q and std are inf, and mean is its limit for a huge variance (0 for linear,
        whose two tails cancel; inf for ReLU)
    grad_exploded_at : first layer, going back, whose predicted gradient overflows (None if
        none does): grad_std is inf from there down to layer 1
    """

    activation: str
    q: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    grad_std: np.ndarray
    exploded_at: int | None = None
    grad_exploded_at: int | None = None


#: mean_field takes 0.1-0.3 ms a layer: 10,000 layers are a second or two.
MAX_DEPTH = 10_000
#: The mean of an exploded layer is taken at this variance when phi's two tails cancel (linear).
_HUGE_VARIANCE = 1e300


def _per_layer(name, value, depth):
    """A number >= 0 or a length-``depth`` sequence of them (one per layer) as an array."""
    if np.ndim(value) == 0:
        return np.full(depth, check_float(name, value, minimum=0.0))
    array = check_array(name, value)
    if array.shape != (depth,) or np.any(array < 0):
        raise ArgumentError(f"{name} must be a number >= 0 or one per layer ({depth}), got shape {array.shape} "
                            f"and smallest value {array.min():g}")
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
        formulas).  A signal that overflows float64 gives ``inf`` from that layer on,
        and ``exploded_at`` (``grad_exploded_at`` for the gradient) says where.
    """
    depth = check_int("depth", depth, minimum=1)
    if depth > MAX_DEPTH:
        raise ArgumentError(f"depth={depth} layers would take about {depth * 2e-4:.0f} s (0.1-0.3 ms a layer); "
                            f"mean_field predicts at most {MAX_DEPTH:,} layers")
    act = _activations.get(activation)
    sw = _per_layer("sigma_w", sigma_w, depth)
    swb = sw if sigma_w_backward is None else _per_layer("sigma_w_backward", sigma_w_backward, depth)
    sigma_b = check_float("sigma_b", sigma_b, minimum=0.0)
    second_moment = check_float("input_second_moment", input_second_moment, minimum=0.0)

    bias_power = sigma_b**2 if sigma_b < 1e150 else math.inf  # no OverflowError from a huge sigma_b
    q, mean, std, grad_std = (np.empty(depth) for _ in range(4))
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow gives inf, reported as exploded_at below
        for layer in range(depth):
            q[layer] = (sw[layer] ** 2 * second_moment if sw[layer] > 0 else 0.0) + bias_power
            mean[layer] = gaussian_expectation(act.function, q[layer])
            if np.isnan(mean[layer]):  # q = inf, and phi's tails (+inf and -inf) cancel: the limit
                mean[layer] = gaussian_expectation(act.function, _HUGE_VARIANCE)
            second_moment = gaussian_expectation(lambda z: act.function(z) ** 2, q[layer])
            variance = second_moment - mean[layer] ** 2
            std[layer] = math.sqrt(max(variance, 0.0)) if np.isfinite(variance) else np.inf

        grad_variance = 1.0  # Var(dL/dh) at the output of the last layer
        for layer in reversed(range(depth)):
            slope_power = gaussian_expectation(lambda z: act.derivative(z) ** 2, q[layer])
            grad_variance = grad_variance * slope_power if slope_power > 0 else 0.0
            grad_std[layer] = math.sqrt(grad_variance) if np.isfinite(grad_variance) else np.inf
            grad_variance = swb[layer] ** 2 * grad_variance if swb[layer] > 0 else 0.0
    exploded, grad_exploded = np.flatnonzero(np.isinf(q)), np.flatnonzero(np.isinf(grad_std))
    return MeanField(act.name, q, mean, std, grad_std, int(exploded[0]) + 1 if exploded.size else None,
                     int(grad_exploded[-1]) + 1 if grad_exploded.size else None)


# ----------------------------------------------------------------------------
# 4. the fixed point of the length map, chi_1 and the critical line
# ----------------------------------------------------------------------------
# One implementation each, in initlab.meanfield and initlab.critical; lesson 08's names:

#: q*: ``meanfield.fixed_point_q(sigma_w, sigma_b=0.0, activation="tanh", q0=1.0)``.
fixed_point = _meanfield.fixed_point_q
#: (sigma_w, sigma_b) with fixed point q* and chi_1 = 1: ``critical.critical_point(q_star, activation="tanh")``.
critical_point = _critical.critical_point


def chi_1(sigma_w, q, activation="tanh"):
    """chi_1 = sigma_w^2 E[phi'(sqrt(q) Z)^2] at a given q: ``meanfield.chi_1(sigma_w, activation=..., q=q)``.

    At q = q* it is the stability of the correlation map at c = 1: chi_1 < 1 ordered,
    chi_1 > 1 chaotic, chi_1 = 1 critical.  ``q`` may be an array.
    """
    return _meanfield.chi_1(sigma_w, 0.0, activation, q=q)
