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
5. **Lines of constant chi_1** in the (sigma_w^2, sigma_b^2) plane, chi_1 = 1 the critical
   line between the ordered and the chaotic phase: ``initlab.critical``, whose functions
   are also available here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import activations as _activations
from .checks import ArgumentError, check_array, check_float, check_int, check_nonnegative
from .critical import chi_1_line, critical_line, critical_point, critical_sigma_w  # noqa: F401  (part of this API)
from .gaussian import bivariate_expectation, gaussian_expectation

__all__ = ["length_map", "fixed_point_q", "chi_1", "correlation_map", "correlation_slope", "fixed_point_c",
           "depth_scale", "depth_scales", "Phase", "phase", "CorrelationCurve", "correlation_curve", "chi_1_line",
           "critical_line", "critical_point", "critical_sigma_w", "MAX_SETTINGS", "MAX_CURVE_DEPTH"]

#: |q_map(q0) - q0| below this fraction of q0 means q0 itself is a fixed point (ReLU at
#: sigma_w^2 = 2 without bias keeps any q), well above the quadrature's 1e-9.
_SAME = 1e-8
_BRACKET_STEP = 16.0  # the search for a bracket of q* multiplies or divides q by this
#: Beyond these q* is reported as inf or 0.  The quadrature's relative accuracy (~1e-13)
#: cannot tell q* < 1e-12 from 0: tanh at sigma_w = 1 without bias has q_map(q) - q = -2 q^2.
_LARGEST, _SMALLEST = 1e300, 1e-12
#: g(0) = c_map(0) - 0 below this is 0 (odd phi without bias: exactly 0, c* = 0).
_ZERO_GAP = 1e-9


#: The most settings one call takes, by the work each needs (q* alone: a few ms; c*, which
#: iterates the 2-D expectation: tens of ms), and the deepest correlation curve (~1 ms a layer).
MAX_SETTINGS, MAX_CURVE_DEPTH = {"q": 2000, "c": 200}, 2000
#: sigma_w and sigma_b up to this: their squares stay far inside float64.
_LARGEST_SIGMA = 1e150


def _together(work, **named):
    """The named arguments (numbers >= 0) checked, broadcast together and flattened, then their common shape."""
    arrays = [check_nonnegative(name, value, _LARGEST_SIGMA if name.startswith("sigma") else _LARGEST)
              for name, value in named.items()]
    try:
        arrays = np.broadcast_arrays(*arrays)
    except ValueError:
        raise ArgumentError(f"{', '.join(named)} must broadcast together, got shapes {[a.shape for a in arrays]}") \
            from None
    if arrays[0].size > MAX_SETTINGS[work]:
        raise ArgumentError(f"{', '.join(named)} make {arrays[0].size:,} settings; this function takes at most "
                            f"{MAX_SETTINGS[work]:,} at once (a few seconds of work)")
    return [array.ravel() for array in arrays] + [arrays[0].shape]


def _length(act, q, sw, sb):
    with np.errstate(over="ignore", invalid="ignore"):
        return sw**2 * gaussian_expectation(lambda z: act.function(z) ** 2, q) + sb**2


def length_map(q, sigma_w, sigma_b=0.0, activation="tanh"):
    """q_next = sigma_w^2 E[phi(sqrt(q) Z)^2] + sigma_b^2 (arrays broadcast); inf where it overflows float64."""
    act = _activations.get(activation)
    q, sw, sb, shape = _together("q", q=q, sigma_w=sigma_w, sigma_b=sigma_b)
    return _length(act, q.reshape(shape), sw.reshape(shape), sb.reshape(shape))[()]


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
    sw, sb, shape = _together("q", sigma_w=sigma_w, sigma_b=sigma_b)
    q0 = check_float("q0", q0, strictly_positive=True, maximum=_LARGEST)
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


def chi_1(sigma_w, sigma_b=0.0, activation="tanh", q=None):
    """chi_1 = sigma_w^2 E[phi'(sqrt(q) Z)^2] at q = q* (or a given ``q``): < 1 ordered, > 1 chaotic, = 1 critical.

    The factor by which one layer multiplies a gradient's mean square (Poole et al. 2016,
    Schoenholz et al. 2017); at q* also the slope of the correlation map at c = 1, and
    the mean squared singular value of one layer's Jacobian W D (``initlab.isometry``).
    Arrays broadcast.
    """
    act = _activations.get(activation)
    sw, sb, shape = _together("q", sigma_w=sigma_w, sigma_b=sigma_b)
    q = fixed_point_q(sw, sb, act).reshape(shape) if q is None else check_nonnegative("q", q)
    return (sw.reshape(shape) ** 2 * gaussian_expectation(lambda z: act.derivative(z) ** 2, q))[()]


def _distance_next(act, q, distance, sw, sb):
    """(q_l, 1 - c_l) from layer l-1's variance q and distance 1 - c (equal variances)."""
    q_next = _length(act, q, sw, sb)
    spread = bivariate_expectation(lambda a, b: (act.function(a) - act.function(b)) ** 2, q, q, distance=distance)
    return q_next, sw**2 * spread / (2.0 * q_next)


def _settings(c, sigma_w, sigma_b, activation, q):
    act = _activations.get(activation)
    c = np.asarray(check_float("c", c)) if np.ndim(c) == 0 else check_array("c", c)
    if np.any(np.abs(c) > 1):
        raise ArgumentError(f"c must be a correlation in [-1, 1], got {c.min():g} .. {c.max():g}")
    if q is None:
        sw, sb, shape = _together("q", sigma_w=sigma_w, sigma_b=sigma_b)
        q = _finite_q_star(act, sw, sb)
    else:
        sw, sb, q, shape = _together("q", sigma_w=sigma_w, sigma_b=sigma_b, q=q)
    try:
        size = np.prod(np.broadcast_shapes(c.shape, shape))
    except ValueError:
        raise ArgumentError(f"c must broadcast with sigma_w and sigma_b, got shapes {c.shape} and {shape}") from None
    if size > MAX_SETTINGS["q"]:
        raise ArgumentError(f"c, sigma_w and sigma_b make {size:,} settings; at most {MAX_SETTINGS['q']:,} at once")
    return act, c, sw.reshape(shape), sb.reshape(shape), q.reshape(shape)


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
    shape, _, _, c_star, _ = _chaos(_activations.get(activation), sigma_w, sigma_b)
    return c_star.reshape(shape)[()]


def _chaos(act, sigma_w, sigma_b):
    """The shape of the settings, and flat arrays of their q*, chi_1, c* and chi_c (the slope at c*)."""
    sw, sb, shape = _together("c", sigma_w=sigma_w, sigma_b=sigma_b)
    q_star = _finite_q_star(act, sw, sb)
    slope_1 = sw**2 * gaussian_expectation(lambda z: act.derivative(z) ** 2, q_star)
    c_star = _fixed_point_c(act, sw, sb, q_star, slope_1)
    slope_c, below = slope_1.copy(), c_star < 1
    if np.any(below):
        slope_c[below] = correlation_slope(c_star[below], sw[below], sb[below], act, q=q_star[below])
    return shape, q_star, slope_1, c_star, slope_c


def _finite_q_star(act, sw, sb):
    """q* of flat arrays of settings, refused where the variance grows without bound (no c* there)."""
    q_star = fixed_point_q(sw, sb, act)
    if np.any(np.isinf(q_star)):
        k = int(np.argmax(np.isinf(q_star)))
        raise ArgumentError(f"sigma_w={sw[k]:g}, sigma_b={sb[k]:g} ({act.name}) has no finite fixed point q*: the "
                            f"variance grows without bound, so the correlation map has no q* to sit at and c* is "
                            f"not defined (for ReLU keep sigma_w^2 <= 2, or give q=)")
    return q_star


def _fixed_point_c(act, sw, sb, q, slope_1):
    """c* for flat arrays of settings with finite q* and their chi_1."""
    chaotic = (q > 0) & (slope_1 > 1)
    result = np.ones(q.size)
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
    chi = check_nonnegative("chi", chi)
    log = np.log(np.where(chi > 0, chi, 1.0))
    with np.errstate(divide="ignore"):
        return np.where(chi == 0, 0.0, np.where(np.abs(log) <= 1e-12, np.inf, -1.0 / log))[()]


def depth_scales(sigma_w, sigma_b=0.0, activation="tanh"):
    """(xi_c, xi_grad) for arrays of settings: -1 / ln(chi_c) at c* and -1 / ln(chi_1)."""
    shape, _, slope_1, _, slope_c = _chaos(_activations.get(activation), sigma_w, sigma_b)
    return depth_scale(slope_c).reshape(shape)[()], depth_scale(slope_1).reshape(shape)[()]


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
    sigma_w = check_float("sigma_w", sigma_w, minimum=0.0, maximum=_LARGEST_SIGMA)
    sigma_b = check_float("sigma_b", sigma_b, minimum=0.0, maximum=_LARGEST_SIGMA)
    _, *values = _chaos(act, sigma_w, sigma_b)
    q_star, slope_1, c_star, slope_c = (float(value[0]) for value in values)
    return Phase(sigma_w, sigma_b, act.name, q_star, slope_1, c_star, slope_c, float(depth_scale(slope_c)),
                 float(depth_scale(slope_1)))


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
    depth = check_int("depth", depth, minimum=1, maximum=MAX_CURVE_DEPTH)
    c0 = check_float("c0", c0, minimum=-1.0, maximum=1.0)
    act = _activations.get(activation)
    sw = check_float("sigma_w", sigma_w, minimum=0.0, maximum=_LARGEST_SIGMA)
    sb = check_float("sigma_b", sigma_b, minimum=0.0, maximum=_LARGEST_SIGMA)
    m = check_float("input_second_moment", input_second_moment, strictly_positive=True, maximum=_LARGEST)
    q, distance = np.empty(depth), np.empty(depth)
    q[0] = _defined(sw**2 * m + sb**2, 1, sw, sb, act)
    distance[0] = sw**2 * m * (1.0 - c0) / q[0]
    for layer in range(1, depth):
        _defined(_length(act, q[layer - 1], sw, sb), layer + 1, sw, sb, act)
        q[layer], distance[layer] = _distance_next(act, q[layer - 1], distance[layer - 1], sw, sb)
    return CorrelationCurve(q, 1.0 - distance, distance)


def _defined(q, layer, sw, sb, act):
    """``q``, the variance of ``layer``, if a correlation is defined there (0 < q < inf), else a clear error."""
    if not 0 < q < math.inf:
        raise ArgumentError(f"the variance q_l {'overflows float64' if q else 'is 0'} at layer {layer} "
                            f"(sigma_w={sw:g}, sigma_b={sb:g}, {act.name}), where a correlation is not defined: "
                            f"use depth <= {layer - 1}, or another sigma_w")
    return q
