"""Order and chaos: fixed points, slopes and depth scales of the mean-field maps.

The theory of Poole et al. (2016) and Schoenholz et al. (2017) for a wide network whose
weights have Var(W) = sigma_w^2 / fan_in and whose biases have Var(b) = sigma_b^2
(PyTorch: ``nn.init.normal_(w, std=sigma_w / sqrt(fan_in))``; Keras:
``VarianceScaling(scale=sigma_w**2)``).  Z ~ N(0, 1); phi is the activation.

1. **Length map**: q_l = sigma_w^2 E[phi(sqrt(q_{l-1}) Z)^2] + sigma_b^2, the variance
   of a layer's pre-activations; it settles at a fixed point q*.
2. **Correlation map**: two inputs whose pre-activations (u1, u2) at layer l-1 have
   variance q and correlation c give, at layer l,
   c_l = (sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2) / q_l.  c = 1 is always a fixed
   point.  Written with D = E[(phi(u1) - phi(u2))^2], 1 - c_l = sigma_w^2 D / (2 q_l),
   which keeps its digits when c is within 1e-16 of 1.
3. **Slopes**: chi_1 = sigma_w^2 E[phi'(sqrt(q*) Z)^2] is the slope of the correlation
   map at c = 1 and the factor by which the gradient's mean square changes per layer;
   chi_c = sigma_w^2 E[phi'(u1) phi'(u2)] is the slope at the stable fixed point c*
   (c* = 1 when chi_1 <= 1, c* < 1 when chi_1 > 1).
4. **Depth scales** xi = -1 / ln(chi): the number of layers over which a deviation
   shrinks by e (infinite at chi = 1; negative when it grows instead).
5. **Lines of constant chi_1** in the (sigma_w^2, sigma_b^2) plane, exact: for a given q*,
   chi_1 = k needs sigma_w^2 = k / E[phi'^2] and sigma_b^2 = q* - sigma_w^2 E[phi^2].
   chi_1 = 1 is the critical line between the ordered and the chaotic phase.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import activations as _activations
from .checks import ArgumentError, check_float, check_int
from .theory import bivariate_expectation, gaussian_expectation

__all__ = ["length_map", "fixed_point_q", "chi_1", "correlation_map", "correlation_slope", "fixed_point_c",
           "depth_scale", "depth_scales", "Phase", "phase", "CorrelationCurve", "correlation_curve", "chi_1_line",
           "critical_line", "critical_sigma_w"]

#: |q_map(q0) - q0| below this fraction of q0 means q0 itself is a fixed point (ReLU at
#: sigma_w^2 = 2 without bias keeps any q), well above the quadrature's 1e-9.
_SAME = 1e-8
_BRACKET_STEP = 16.0  # the search for a bracket of q* multiplies or divides q by this
#: Beyond these q* is reported as inf or 0.  The quadrature's relative accuracy (~1e-13)
#: cannot tell q* < 1e-12 from 0: tanh at sigma_w = 1 without bias has q_map(q) - q = -2 q^2.
_LARGEST, _SMALLEST = 1e300, 1e-12
#: g(0) = c_map(0) - 0 below this is 0 (odd phi without bias: exactly 0, c* = 0).
_ZERO_GAP = 1e-9


def _array(name, value):
    array = np.asarray(value, dtype=np.float64)
    if np.any(~np.isfinite(array)) or np.any(array < 0):
        raise ArgumentError(f"{name} must be finite and >= 0, got {value!r}")
    return array


def _square_moments(act, q):
    """E[phi(sqrt(q) Z)^2] and E[phi'(sqrt(q) Z)^2]."""
    return (gaussian_expectation(lambda z: act.function(z) ** 2, q),
            gaussian_expectation(lambda z: act.derivative(z) ** 2, q))


def _length(act, q, sw, sb):
    with np.errstate(over="ignore", invalid="ignore"):
        return sw**2 * gaussian_expectation(lambda z: act.function(z) ** 2, q) + sb**2


def length_map(q, sigma_w, sigma_b=0.0, activation="tanh"):
    """q_next = sigma_w^2 E[phi(sqrt(q) Z)^2] + sigma_b^2 (arrays broadcast)."""
    act = _activations.get(activation)
    return _length(act, _array("q", q), _array("sigma_w", sigma_w), _array("sigma_b", sigma_b))[()]


def fixed_point_q(sigma_w, sigma_b=0.0, activation="tanh", q0=1.0):
    """q*: where the length map settles, starting from q0 (arrays of sigmas broadcast).

    The length map of the course's activations is increasing in q, so iterating it
    from q0 moves monotonically to the nearest fixed point in the direction of
    q_map(q0) - q0.  That point is bracketed by steps of x16 and bisected in log q.
    tanh without bias and sigma_w <= 1 gives 0 (as does any q* below 1e-12, which the
    quadrature cannot tell from 0); ReLU with sigma_w^2 > 2 gives inf;
    ReLU with sigma_w^2 = 2 and no bias keeps q0.
    """
    act = _activations.get(activation)
    sw, sb = np.broadcast_arrays(_array("sigma_w", sigma_w), _array("sigma_b", sigma_b))
    shape, sw, sb = sw.shape, sw.ravel(), sb.ravel()
    q0 = check_float("q0", q0, strictly_positive=True)
    gap0 = _length(act, q0, sw, sb) - q0
    result = np.where(np.abs(gap0) <= _SAME * q0, q0, np.nan)
    # bracket: walk from q0 in steps of x16 towards the fixed point until the gap changes sign
    near, far = np.full(sw.size, q0), np.full(sw.size, q0)
    step = np.where(gap0 > 0, _BRACKET_STEP, 1.0 / _BRACKET_STEP)
    searching = np.isnan(result)
    while searching.any():
        trial = np.where(searching, near * step, near)
        gap = _length(act, trial, sw, sb) - trial
        crossed = searching & (np.sign(gap) != np.sign(gap0))
        walked = searching & ~crossed
        far, near = np.where(crossed, trial, far), np.where(walked, trial, near)
        result = np.where(walked & (trial > _LARGEST), np.inf, np.where(walked & (trial < _SMALLEST), 0.0, result))
        searching = walked & np.isnan(result)
    # bisect in log q: near keeps the sign of gap0, far the other
    open_ = np.isnan(result)
    for _ in range(60):  # a bracket of ratio 16 to machine precision
        middle = np.sqrt(near) * np.sqrt(far)
        same = np.sign(_length(act, middle, sw, sb) - middle) == np.sign(gap0)
        near, far = np.where(open_ & same, middle, near), np.where(open_ & ~same, middle, far)
    return np.where(open_, np.sqrt(near) * np.sqrt(far), result).reshape(shape)[()]


def chi_1(sigma_w, sigma_b=0.0, activation="tanh"):
    """chi_1 = sigma_w^2 E[phi'(sqrt(q*) Z)^2]: < 1 ordered, > 1 chaotic, = 1 critical."""
    act = _activations.get(activation)
    q_star = fixed_point_q(sigma_w, sigma_b, act)
    with np.errstate(over="ignore", invalid="ignore"):
        return (np.asarray(sigma_w, dtype=np.float64) ** 2 *
                gaussian_expectation(lambda z: act.derivative(z) ** 2, q_star))[()]


def _distance_next(act, q, distance, sw, sb):
    """(q_l, 1 - c_l) from layer l-1's variance q and distance 1 - c (equal variances)."""
    q_next = _length(act, q, sw, sb)
    spread = bivariate_expectation(lambda a, b: (act.function(a) - act.function(b)) ** 2, q, q, distance=distance)
    return q_next, sw**2 * spread / (2.0 * q_next)


def _settings(c, sigma_w, sigma_b, activation, q):
    act = _activations.get(activation)
    sw, sb = _array("sigma_w", sigma_w), _array("sigma_b", sigma_b)
    c = np.asarray(c, dtype=np.float64)
    if np.any(~(np.abs(c) <= 1)):
        raise ArgumentError(f"c must be a correlation in [-1, 1], got {c}")
    q = fixed_point_q(sw, sb, act) if q is None else _array("q", q)
    return act, c, sw, sb, q


def correlation_map(c, sigma_w, sigma_b=0.0, activation="tanh", q=None):
    """c_next = (sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2) / q_next, (u1, u2) with variance q and correlation c.

    q defaults to q*, where q_next = q*.  Arrays broadcast.
    """
    act, c, sw, sb, q = _settings(c, sigma_w, sigma_b, activation, q)
    return (1.0 - _distance_next(act, q, 1.0 - c, sw, sb)[1])[()]


def correlation_slope(c, sigma_w, sigma_b=0.0, activation="tanh", q=None):
    """d c_next / d c = sigma_w^2 q E[phi'(u1) phi'(u2)] / q_next (= chi_1 at q* and c = 1)."""
    act, c, sw, sb, q = _settings(c, sigma_w, sigma_b, activation, q)
    slopes = bivariate_expectation(lambda a, b: act.derivative(a) * act.derivative(b), q, q, c)
    return (sw**2 * q * slopes / _length(act, q, sw, sb))[()]


def fixed_point_c(sigma_w, sigma_b=0.0, activation="tanh"):
    """c*: 1 in the ordered phase (chi_1 <= 1), the stable fixed point below 1 in the chaotic phase.

    In the chaotic phase g(c) = c_map(c) - c is < 0 just below 1 and >= 0 at c = 0
    (there E[phi(u1) phi(u2)] = E[phi]^2 >= 0); the root between them is found by the
    Illinois variant of regula falsi.  An odd phi without bias has g(0) = 0: c* = 0.
    """
    act = _activations.get(activation)
    sw, sb = np.broadcast_arrays(_array("sigma_w", sigma_w), _array("sigma_b", sigma_b))
    return _fixed_point_c(act, sw.ravel(), sb.ravel(), fixed_point_q(sw, sb, act).ravel()).reshape(sw.shape)[()]


def _fixed_point_c(act, sw, sb, q):
    chaotic = np.isfinite(q) & (q > 0) & (sw**2 * gaussian_expectation(lambda z: act.derivative(z) ** 2, q) > 1)
    result = np.where(np.isfinite(q), 1.0, np.nan)
    if not chaotic.any():
        return result
    sw, sb, q = sw[chaotic], sb[chaotic], q[chaotic]

    def gap(distance):  # c_map(c) - c, from the distances 1 - c
        return distance - _distance_next(act, q, distance, sw, sb)[1]

    # a point just below 1 where g < 0 (closer to 1 the nearer chi_1 is to 1)
    near = np.full(q.size, 1e-3)
    g_near = gap(near)
    for _ in range(8):
        if np.all(g_near < 0):
            break
        near = np.where(g_near < 0, near, near / 100)
        g_near = np.where(g_near < 0, g_near, gap(near))
    far = np.ones(q.size)  # c = 0
    g_far = gap(far)
    at_zero = g_far <= _ZERO_GAP
    for _ in range(100):
        new = near - g_near * (far - near) / np.where(at_zero, 1.0, g_far - g_near)
        new = np.clip(new, np.minimum(near, far), np.maximum(near, far))
        if np.all(at_zero | (np.abs(new - near) <= 1e-15 + 1e-13 * near)):
            break
        g_new = gap(new)
        same_side = np.sign(g_new) == np.sign(g_near)
        # Illinois: halve the value at the end that stays, so that it does not stay forever
        g_far = np.where(same_side, g_far / 2, g_near)
        far = np.where(same_side, far, near)
        near, g_near = new, g_new
    result[chaotic] = np.where(at_zero, 0.0, 1.0 - near)
    return result


def depth_scale(chi):
    """xi = -1 / ln(chi): layers over which a deviation shrinks by e; inf at chi = 1, < 0 when it grows.

    A chi within 1e-12 of 1 (the accuracy of the quadratures) counts as 1.
    """
    chi = _array("chi", chi)
    log = np.log(np.where(chi > 0, chi, 1.0))
    with np.errstate(divide="ignore"):
        return np.where(chi == 0, 0.0, np.where(np.abs(log) <= 1e-12, np.inf, -1.0 / log))[()]


def depth_scales(sigma_w, sigma_b=0.0, activation="tanh"):
    """(xi_c, xi_grad) for arrays of settings: -1 / ln(chi_c) at c* and -1 / ln(chi_1).

    xi_c is NaN where q* is infinite (ReLU beyond sigma_w^2 = 2).
    """
    act = _activations.get(activation)
    sw, sb = np.broadcast_arrays(_array("sigma_w", sigma_w), _array("sigma_b", sigma_b))
    q_star = fixed_point_q(sw, sb, act)
    slope_1 = sw**2 * gaussian_expectation(lambda z: act.derivative(z) ** 2, q_star)
    c_star = _fixed_point_c(act, sw.ravel(), sb.ravel(), q_star.ravel()).reshape(sw.shape)
    finite = np.isfinite(q_star)
    below = finite & (c_star < 1)
    slope_c = np.where(finite, slope_1, np.nan)
    if np.any(below):
        slope_c[below] = correlation_slope(c_star[below], sw[below], sb[below], act, q=q_star[below])
    xi_c = np.full(slope_c.shape, np.nan)
    xi_c[finite] = depth_scale(slope_c[finite])
    return xi_c[()], depth_scale(slope_1)


@dataclass(frozen=True)
class Phase:
    """Where a setting (sigma_w, sigma_b, activation) sits between order and chaos.

    Attributes
    ----------
    q_star : fixed point of the length map
    chi_1 : slope of the correlation map at c = 1; the gradient's mean square changes by
        chi_1 per layer
    c_star : stable fixed point of the correlation map (1 when chi_1 <= 1)
    chi_c : slope of the correlation map at c_star (= chi_1 when c_star = 1)
    xi_c : depth scale of the correlation, -1 / ln(chi_c)
    xi_grad : depth scale of the gradient, -1 / ln(chi_1) (negative in the chaotic phase,
        where the gradient grows by e every |xi_grad| layers going back)
    """

    sigma_w: float
    sigma_b: float
    activation: str
    q_star: float
    chi_1: float
    c_star: float
    chi_c: float
    xi_c: float
    xi_grad: float

    @property
    def name(self) -> str:
        """ "ordered", "critical" (chi_1 within 1e-6 of 1) or "chaotic"."""
        if abs(self.chi_1 - 1.0) <= 1e-6:
            return "critical"
        return "ordered" if self.chi_1 < 1 else "chaotic"


def phase(sigma_w, sigma_b=0.0, activation="tanh") -> Phase:
    """q*, chi_1, c*, chi_c and the depth scales of one setting.

    >>> round(phase(5 / 3).chi_1, 2)
    1.21
    """
    act = _activations.get(activation)
    sigma_w, sigma_b = check_float("sigma_w", sigma_w, minimum=0.0), check_float("sigma_b", sigma_b, minimum=0.0)
    q_star = float(fixed_point_q(sigma_w, sigma_b, act))
    c_star = float(fixed_point_c(sigma_w, sigma_b, act))
    xi_c, xi_grad = (float(x) for x in depth_scales(sigma_w, sigma_b, act))
    slope_1 = float(chi_1(sigma_w, sigma_b, act))
    slope_c = slope_1 if c_star == 1.0 else \
        float(correlation_slope(c_star, sigma_w, sigma_b, act, q=q_star)) if math.isfinite(q_star) else math.nan
    return Phase(sigma_w, sigma_b, act.name, q_star, slope_1, c_star, slope_c, xi_c, xi_grad)


@dataclass(frozen=True)
class CorrelationCurve:
    """Predicted pre-activation variance and correlation of two inputs, one entry per layer (index 0 is layer 1).

    ``distance`` is 1 - c, computed without the rounding of 1 - c when c is near 1.
    """

    q: np.ndarray
    c: np.ndarray
    distance: np.ndarray


def correlation_curve(depth, c0, sigma_w, sigma_b=0.0, activation="tanh", input_second_moment=1.0):
    """Iterate the length and correlation maps together from two inputs.

    The inputs have the same mean square ``input_second_moment`` (per coordinate) and
    correlation ``c0``, so layer 1 has q_1 = sigma_w^2 m + sigma_b^2 and
    1 - c_1 = sigma_w^2 m (1 - c0) / q_1; later layers follow the maps of the module
    docstring, with q_l moving towards q* as it does in a real network.
    """
    depth = check_int("depth", depth, minimum=1)
    c0 = check_float("c0", c0, minimum=-1.0, maximum=1.0)
    act = _activations.get(activation)
    sw, sb = check_float("sigma_w", sigma_w, minimum=0.0), check_float("sigma_b", sigma_b, minimum=0.0)
    m = check_float("input_second_moment", input_second_moment, strictly_positive=True)
    q, distance = np.empty(depth), np.empty(depth)
    q[0] = sw**2 * m + sb**2
    distance[0] = sw**2 * m * (1.0 - c0) / q[0]
    for layer in range(1, depth):
        q[layer], distance[layer] = _distance_next(act, q[layer - 1], distance[layer - 1], sw, sb)
    return CorrelationCurve(q, 1.0 - distance, distance)


def chi_1_line(level=1.0, activation="tanh", q_star=None):
    """The settings with chi_1 = level, as (sigma_w^2, sigma_b^2), one point per q*.

    For a fixed point q*, chi_1 = level needs sigma_w^2 = level / E[phi'(sqrt(q*) Z)^2]
    and then sigma_b^2 = q* - sigma_w^2 E[phi(sqrt(q*) Z)^2]; points with sigma_b^2 < 0
    are dropped, and so is q* = 0 when level > 1 (there q = 0 is an unstable fixed point:
    the signal grows away from it).  ``q_star`` defaults to 0 and 400 values from 1e-6
    to 1e4.  Exact: no fixed point is searched.
    """
    level = check_float("level", level, strictly_positive=True)
    act = _activations.get(activation)
    q = np.concatenate([[0.0], np.geomspace(1e-6, 1e4, 400)]) if q_star is None else _array("q_star", q_star)
    square, slope = _square_moments(act, q)
    sigma_w2 = level / slope
    sigma_b2 = q - sigma_w2 * square
    keep = (sigma_b2 >= 0) & ((q > 0) | (level <= 1))
    return sigma_w2[keep], sigma_b2[keep]


def critical_line(activation="tanh", q_star=None):
    """The edge of chaos chi_1 = 1 as (sigma_w^2, sigma_b^2): ``chi_1_line(1.0, ...)``."""
    return chi_1_line(1.0, activation, q_star)


def critical_sigma_w(sigma_b, activation="tanh"):
    """The sigma_w with chi_1 = 1 at a given sigma_b: the edge of chaos, found along the critical line.

    sigma_b^2(q*) = q* - E[phi^2] / E[phi'^2] grows with q* on the critical line; bisection
    in log q* finds where it equals sigma_b^2, and sigma_w^2 = 1 / E[phi'(sqrt(q*) Z)^2].
    Arrays of sigma_b are fine.
    """
    act = _activations.get(activation)
    target = _array("sigma_b", sigma_b) ** 2
    low, high = np.full(target.shape, 1e-12), np.full(target.shape, 1e6)
    for _ in range(80):
        middle = np.sqrt(low * high)
        square, slope = _square_moments(act, middle)
        below = middle - square / slope < target
        low, high = np.where(below, middle, low), np.where(below, high, middle)
    return np.sqrt(1.0 / _square_moments(act, np.sqrt(low * high))[1])[()]
