"""The closed forms of dynamical isometry: the moments of the Jacobian's spectrum, and Haar's marginal.

A deep network's input-output Jacobian (``initlab.jacobian``) is a product of L
layer factors W_l D_l, with D_l = diag(phi'(z_l)).  For wide layers, free
probability (Pennington, Schoenholz & Ganguli 2017) gives the first two moments
of its squared singular values s^2 from two numbers per layer:

    mu_1 = E[phi'(sqrt(q_l) Z)^2],   mu_2 = E[phi'(sqrt(q_l) Z)^4],   Z ~ N(0, 1),

where q_l is the layer's pre-activation variance (the length map of
``initlab.theory``).  Writing m = mean(s^2) and v = var(s^2) / m^2::

    m = prod_l sigma_w^2 mu_1                       (= chi_1^L at the fixed point)
    v = sum_l (mu_2 / mu_1^2 - 1 + v_W)

with v_W the same ratio for the squared singular values of one weight matrix:
1 for a square Gaussian matrix (Marchenko-Pastur), 0 for an orthogonal one.
Criticality (chi_1 = 1) fixes the mean; the spread v grows linearly with depth
unless every term vanishes: orthogonal weights *and* phi' close to constant.
"""

from __future__ import annotations

import math

import numpy as np

from . import activations as _activations
from .checks import ArgumentError, check_array, check_choice, check_float, check_int, check_nonnegative
from .gaussian import MAX_VARIANCES, gaussian_expectation

__all__ = ["WEIGHT_SPREAD", "slope_moments", "jacobian_moments", "gaussian_product_edge", "haar_entry_pdf",
           "haar_entry_cdf", "haar_gap"]

#: var(s^2) / mean(s^2)^2 of the squared singular values of one large square weight
#: matrix: 1 for Gaussian entries (the Marchenko-Pastur law at ratio 1 has moments
#: 1 and 2), 0 for an orthogonal matrix (every s is the same).
WEIGHT_SPREAD = {"gaussian": 1.0, "orthogonal": 0.0}


def slope_moments(q, activation="tanh") -> tuple:
    """(mu_1, mu_2) = (E[phi'(sqrt(q) Z)^2], E[phi'(sqrt(q) Z)^4]) for one variance q or an array of them.

    ReLU: phi' is 0 or 1 with probability 1/2 each, so mu_1 = mu_2 = 1/2 and
    mu_2 / mu_1^2 = 2 at any q.  tanh: both tend to 1 as q -> 0 (phi' -> 1).
    """
    act = _activations.get(activation)
    q = check_nonnegative("q", q)
    if q.size > MAX_VARIANCES:
        raise ArgumentError(f"q has {q.size:,} values; slope_moments takes at most {MAX_VARIANCES:,} at once")
    slopes_squared = gaussian_expectation(lambda z: act.derivative(z) ** 2, q)
    slopes_fourth = gaussian_expectation(lambda z: act.derivative(z) ** 4, q)
    return slopes_squared, slopes_fourth


def jacobian_moments(q, sigma_w, activation="tanh", weights="orthogonal") -> tuple:
    """(mean(s^2), var(s^2) / mean(s^2)^2) of the Jacobian after each layer, for wide layers.

    Parameters
    ----------
    q : float or sequence of float
        Pre-activation variance q_l of each layer (one entry per layer); a single
        number means one layer.  At the fixed point every entry is q*.
    sigma_w : float
        Weight scale: Var(W) = sigma_w^2 / fan_in (Gaussian) or W = sigma_w * Q (orthogonal).
    activation : str or Activation
    weights : {"gaussian", "orthogonal"}

    Returns
    -------
    (mean_square, relative_variance) : two arrays with one entry per depth 1..L:
        mean_square[l-1] = prod_{k<=l} sigma_w^2 mu_1(q_k),
        relative_variance[l-1] = sum_{k<=l} (mu_2(q_k) / mu_1(q_k)^2 - 1 + WEIGHT_SPREAD[weights]).

    A deep linear Gaussian network gives mean 1 and relative variance L: the
    Fuss-Catalan law, whose second moment is L + 1.
    """
    sigma_w = check_float("sigma_w", sigma_w, strictly_positive=True)
    weights = check_choice("weights", weights, WEIGHT_SPREAD)
    q = np.atleast_1d(check_nonnegative("q", q))
    if q.ndim != 1:
        raise ArgumentError(f"q must hold one variance per layer (a 1-D sequence), got shape {q.shape}")
    mu_1, mu_2 = slope_moments(q, activation)
    if np.any(mu_1 <= 0):
        raise ArgumentError("the activation's slope is 0 almost everywhere at these q: the Jacobian is 0")
    with np.errstate(over="ignore"):  # an overflow is reported just below
        mean_square = np.cumprod((sigma_w**2 if sigma_w < 1e150 else math.inf) * mu_1)
    if not np.all(np.isfinite(mean_square)):
        raise ArgumentError(f"mean(s^2) overflows float64 after layer {int(np.argmax(~np.isfinite(mean_square)))} "
                            f"(sigma_w={sigma_w:g}): use fewer layers or a smaller sigma_w")
    # mu_2 >= mu_1^2 (Jensen); the clip only removes the quadrature's 1e-10 below it
    relative_variance = np.cumsum(np.maximum(mu_2 / mu_1**2 - 1.0, 0.0) + WEIGHT_SPREAD[weights])
    return mean_square, relative_variance


def gaussian_product_edge(depth) -> float:
    """(L + 1)^(L + 1) / L^L: the largest s^2 of a product of L wide Gaussian matrices with Var 1/n.

    The squared singular values of such a product follow the Fuss-Catalan law,
    supported on [0, (L + 1)^(L + 1) / L^L]: 4 for one matrix (Marchenko-Pastur),
    about e (L + 1) for many.  The mean stays 1 while the edge grows with depth.
    """
    depth = check_int("depth", depth, minimum=1)
    return math.exp((depth + 1) * math.log(depth + 1) - depth * math.log(depth))


# ----------------------------------------------------------------------------
# the marginal of one entry of a Haar-random orthogonal matrix
# ----------------------------------------------------------------------------
_ANGLES = np.linspace(-0.5 * math.pi, 0.5 * math.pi, 8193)


def _haar_constant(n) -> float:
    """Gamma(n/2) / (sqrt(pi) Gamma((n-1)/2)), the normalisation of (1 - u^2)^((n-3)/2) on [-1, 1]."""
    return math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2)) / math.sqrt(math.pi)


def haar_entry_pdf(u, n):
    """Density of one entry of a Haar orthogonal n x n matrix: c_n (1 - u^2)^((n - 3) / 2) on [-1, 1].

    An entry is one coordinate of a column, and a column of a Haar matrix is a
    uniform unit vector in R^n.  The same holds for a Haar (n, k) matrix with
    orthonormal columns, or (k, n) with orthonormal rows (n the longer side).
    n = 3 gives the uniform density 1/2; for large n it tends to N(0, 1/n).
    """
    n = check_int("n", n, minimum=2, maximum=2**53)
    u = check_array("u", u)
    inside = np.abs(u) < 1.0
    with np.errstate(divide="ignore"):
        return np.where(inside, _haar_constant(n) * np.clip(1.0 - u * u, 0.0, None) ** ((n - 3) / 2.0), 0.0)


def haar_entry_cdf(u, n):
    """P(entry <= u) for the density of ``haar_entry_pdf``.

    With u = sin(theta) the integral is c_n times that of cos(theta)^(n - 2), a
    smooth function: the trapezoid rule on 8193 angles is accurate to 1e-8 for
    n <= 10, 2e-6 for n = 300, 2e-5 for n = 2000.
    """
    n = check_int("n", n, minimum=2, maximum=2**53)
    u = check_array("u", u)
    density = np.cos(_ANGLES) ** (n - 2)
    cumulative = np.concatenate([[0.0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(_ANGLES))])
    cumulative /= cumulative[-1]
    return np.interp(np.arcsin(np.clip(u, -1.0, 1.0)), _ANGLES, cumulative)


def haar_gap(samples, n) -> float:
    """The largest gap between the empirical CDF of ``samples`` and ``haar_entry_cdf`` (Kolmogorov-Smirnov's D).

    For m samples that really follow the law, D exceeds 1.36 / sqrt(m) in 5% of
    cases and 1.95 / sqrt(m) in 0.1%.
    """
    ordered = np.sort(check_array("samples", samples).ravel())
    cdf = haar_entry_cdf(ordered, n)
    steps = np.arange(1, ordered.size + 1) / ordered.size
    return float(max(np.max(steps - cdf), np.max(cdf - steps + 1.0 / ordered.size)))
