"""Expectations of functions of Gaussians, accurate also when the function is nearly a step.

E[f(sqrt(q) Z)] (``gaussian_expectation``) and E[f(u1, u2)] for two correlated
Gaussians (``bivariate_expectation``) are what every mean-field formula of the
course is made of (``initlab.theory``, ``initlab.meanfield``).  Both are also
available as ``initlab.theory.gaussian_expectation`` and ``bivariate_expectation``.
"""

from __future__ import annotations

import math

import numpy as np

from .checks import ArgumentError, ArgumentTypeError, check_array, check_nonnegative, check_real

__all__ = ["gaussian_expectation", "bivariate_expectation", "MAX_VARIANCES", "MAX_SETS"]

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


#: Variances computed at once (200,000 nodes, 1.6 MB an array: they stay in the cache), and the most one
#: call takes: 100,000 variances take about 10 s.
_VARIANCES_PER_CHUNK, MAX_VARIANCES = 64, 20_000


def gaussian_expectation(function, variance):
    """E[f(sqrt(variance) * Z)] for Z ~ N(0, 1), for one variance or an array of them.

    Accurate to about 1e-9 for the smooth and the step-like functions of the course
    (tanh(22 Z), relu(Z)^2, ...), see the comment above.  ``variance`` may be inf
    (an exploded signal); the function is then evaluated at +-inf.
    """
    if not callable(function):
        raise ArgumentTypeError(f"function must be callable, e.g. lambda z: np.tanh(z) ** 2, got {function!r}")
    variance = check_real("variance", variance).astype(np.float64, copy=False)
    if not np.all(variance >= 0) or variance.size == 0:
        raise ArgumentError(f"variance must be >= 0 (inf is allowed for an exploded signal), got {variance}")
    if variance.size > MAX_VARIANCES:
        raise ArgumentError(f"variance has {variance.size:,} entries (about {variance.size * 8e-5:.0f} s of work); "
                            f"gaussian_expectation takes at most {MAX_VARIANCES:,} at once")
    scale = np.sqrt(variance)[..., None]
    if variance.ndim == 0:
        return _expectation(function, scale)
    scale = scale.reshape(-1, 1)
    parts = [_expectation(function, scale[start:start + _VARIANCES_PER_CHUNK])
             for start in range(0, len(scale), _VARIANCES_PER_CHUNK)]
    return np.concatenate(parts).reshape(variance.shape)


def _expectation(function, scale):
    """The quadrature for the scales (standard deviations) ``scale``, of shape (n, 1) or (1,)."""
    with np.errstate(over="ignore", invalid="ignore"):  # f(+-inf) is f's limit; the caller checks what it gets
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
MAX_SETS = 2000  # 1-2 ms a set: a few seconds


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
    q1, q2 = check_nonnegative("q1", q1), check_nonnegative("q2", q2)
    distance = 1.0 - check_array("c", c) if distance is None else check_array("distance", distance)
    if np.any(distance < -1e-12) or np.any(distance > 2 + 1e-12):
        raise ArgumentError(f"c must lie in [-1, 1] (distance = 1 - c in [0, 2]), got c = {1 - distance}")
    angle = 2.0 * np.arcsin(np.sqrt(np.clip(distance, 0.0, 2.0) / 2.0))  # arccos(c), accurate near c = 1
    try:
        shape = np.broadcast_shapes(q1.shape, q2.shape, angle.shape)
    except ValueError:
        raise ArgumentError(f"q1, q2 and c (or distance) must broadcast together, got shapes {q1.shape}, "
                            f"{q2.shape} and {angle.shape}") from None
    if math.prod(shape) > MAX_SETS:
        raise ArgumentError(f"q1, q2 and c make {math.prod(shape):,} sets (about {math.prod(shape) * 1.5e-3:.0f} s "
                            f"of work); bivariate_expectation takes at most {MAX_SETS:,} at once")
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


