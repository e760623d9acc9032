"""The checks of notebook 08's exercises: the Jacobian's mean and spread, and a hand-written orthogonal initializer.

- ``check_tanh_mean_square``: mean(s^2) of J for a tanh network at its fixed point, chi_1^L;
- ``check_leaky_spread``: var(s^2) / mean(s^2)^2 for leaky ReLU with orthogonal weights (transfer);
- ``check_orthogonal``: a function (fan_in, fan_out, rng) -> W drawn Haar-orthogonal as PyTorch does.
"""

from __future__ import annotations

import math

import numpy as np

from .answers import _Kind, _verdict
from .feedback import judged, number
from .student_code import Calls, Rejected as _Rejected
from .. import activations as _activations
from .. import isometry as _isometry
from .. import theory as _theory
from ..checks import ArgumentError, check_float, check_int

__all__ = ["check_tanh_mean_square", "check_leaky_spread", "check_orthogonal"]

MEAN_SQUARE = _Kind("a mean of squared singular values is > 0")
SPREAD = _Kind("var(s^2) / mean(s^2)^2 is > 0 for this network")


@judged
def check_tanh_mean_square(answer, sigma_w=1.2, depth=50) -> bool:
    """mean(s^2) of J for tanh, orthogonal weights x sigma_w, no bias, input at the fixed point: chi_1^L.

    chi_1 = sigma_w^2 E[tanh'(sqrt(q*) Z)^2] at q* = ``theory.fixed_point(sigma_w)``.
    """
    answer = number(answer)
    sigma_w = check_float("sigma_w", sigma_w, minimum=1e-3, maximum=100.0)
    depth = check_int("depth", depth, minimum=1, maximum=1000)
    q_star = _theory.fixed_point(sigma_w)
    chi = float(_theory.chi_1(sigma_w, q_star))
    decades = 2 * depth * max(abs(math.log10(sigma_w)), abs(math.log10(chi)))  # of sigma_w^(2L) and chi_1^(2L)
    if decades > 300:
        raise ArgumentError(f"sigma_w = {sigma_w:g} and depth = {depth} take this check past a float's range "
                            f"(10^±300): chi_1^(2 depth) = {chi:.4g}^{2 * depth} or sigma_w^(2 depth) is about "
                            f"10^±{decades:.0f}; choose a smaller depth or sigma_w closer to 1")
    expected = chi**depth
    mistakes = [
        (sigma_w ** (2 * depth), f"That is sigma_w^(2L), as if tanh were linear. At q* = {q_star:.3g} its slope is "
                                 f"below 1: chi_1 = sigma_w^2 E[tanh'^2] = {chi:.4g}, not sigma_w^2 = {sigma_w**2:.4g}."),
        (chi, "That is one layer's factor chi_1; J is a product of L of them."),
        (chi ** (depth / 2), "That is a singular value's typical size, chi_1^(L/2); the question asks for the mean "
                             "of the squares."),
        (chi ** (2 * depth), "chi_1 is already a mean of squares: mean(s^2) = chi_1^L, not chi_1^(2L)."),
    ]
    return _verdict(answer, expected, f"mean(s^2) at depth {depth} (chi_1 = {chi:.5g})", mistakes, MEAN_SQUARE)


@judged
def check_leaky_spread(answer, slope=0.2, depth=30) -> bool:
    """var(s^2) / mean(s^2)^2 of J for leaky ReLU (negative slope ``slope``), orthogonal weights, depth L.

    phi'^2 is 1 or slope^2 with probability 1/2 each, so mu_2 / mu_1^2 - 1 = ((1 - a^2) / (1 + a^2))^2
    per layer, and an orthogonal matrix adds nothing: L ((1 - a^2) / (1 + a^2))^2.
    """
    answer = number(answer)
    slope = check_float("slope", slope, minimum=0.0, maximum=0.99)  # at slope 1 the network is linear: no spread
    depth = check_int("depth", depth, minimum=1, maximum=1000)
    _, spread = _isometry.jacobian_moments([1.0] * depth, 1.0, _activations.leaky_relu(slope), "orthogonal")
    expected = float(spread[-1])
    per_layer = expected / depth
    mistakes = [
        (expected + depth, "That is for Gaussian weights: each Gaussian matrix adds 1 per layer. Orthogonal "
                           "matrices add nothing; only the slopes spread the spectrum."),
        (depth * ((1 - slope) / (1 + slope)) ** 2, "The slopes enter squared: phi'^2 is 1 or a^2, so use "
                                                   "(1 - a^2) / (1 + a^2)."),
        (float(depth), "That is plain ReLU (a = 0). A leaky slope keeps some of the negative half, which "
                       "narrows the spread."),
        (per_layer, f"That is one layer's contribution; the spread adds up over the {depth} layers."),
    ]
    return _verdict(answer, expected, f"var(s^2) / mean(s^2)^2 at depth {depth}", mistakes, SPREAD)


# ----------------------------------------------------------------------------
# a hand-written orthogonal initializer
# ----------------------------------------------------------------------------
#: Draws of a 3 x 3 matrix whose entry (0, 0) is compared with Haar's law (uniform on [-1, 1]).
DRAWS = 2000
#: Largest CDF gap accepted: the Kolmogorov-Smirnov critical value at p = 0.001 for DRAWS
#: samples is 1.95 / sqrt(2000) = 0.044.
MAX_GAP = 1.95 / math.sqrt(DRAWS)
SHAPES = ((30, 10), (10, 30), (12, 12))


def _draw(init: Calls, fan_in, fan_out, seed):
    """my_orthogonal(fan_in, fan_out, rng) with rng seeded by ``seed``, a finite real matrix of the right shape."""
    w = init.weights(fan_in, fan_out, np.random.default_rng(seed))
    if w.shape != (fan_in, fan_out):
        hint = " For fan_in < fan_out, factor the (fan_out, fan_in) Gaussian and transpose Q." if fan_in < fan_out else ""
        raise _Rejected(f"my_orthogonal({fan_in}, {fan_out}, rng) has shape {w.shape}, not ({fan_in}, {fan_out}).{hint}")
    return w


def _check_orthonormal(init):
    for fan_in, fan_out in SHAPES:
        w = _draw(init, fan_in, fan_out, 0)
        small = min(fan_in, fan_out)
        gram = w.T @ w if fan_in >= fan_out else w @ w.T
        scale = float(np.trace(gram)) / small
        if np.allclose(gram, scale * np.eye(small), atol=1e-8) and not math.isclose(scale, 1.0, rel_tol=1e-6):
            raise _Rejected(f"on a {fan_in}x{fan_out} layer your rows/columns have length {math.sqrt(scale):.4g}, not 1: "
                            "return Q itself (times a gain of 1).")
        if not np.allclose(gram, np.eye(small), atol=1e-8):
            which = "columns (W.T @ W)" if fan_in >= fan_out else "rows (W @ W.T)"
            raise _Rejected(f"on a {fan_in}x{fan_out} layer the {which} are not orthonormal. Return Q from "
                            "np.linalg.qr of a Gaussian matrix, not the Gaussian or R.")


def _check_haar(init):
    entries = np.array([_draw(init, 3, 3, seed)[0, 0] for seed in range(DRAWS)])
    if np.unique(entries).size < DRAWS // 2:
        raise _Rejected(f"{DRAWS} calls gave only {np.unique(entries).size} different matrices: draw a fresh Gaussian "
                        "matrix from rng each call.")
    negative = float(np.mean(entries < 0))
    if negative > 0.99 or negative < 0.01:
        raise _Rejected(f"entry (0, 0) is {'negative' if negative > 0.5 else 'positive'} in {max(negative, 1 - negative):.0%} "
                        "of the draws: QR's signs are not random. Multiply column j of Q by the sign of R[j, j].")
    gap = _isometry.haar_gap(entries, 3)
    if gap > MAX_GAP:
        raise _Rejected(f"entry (0, 0) of a 3x3 draw should be uniform on [-1, 1] (Haar); yours is off by {gap:.3f} "
                        f"in its CDF (at most {MAX_GAP:.3f} by chance). Use QR of a standard Gaussian matrix drawn from rng.")


@judged
def check_orthogonal(answer) -> bool:
    """A function ``my_orthogonal(fan_in, fan_out, rng)`` returning a Haar-random (fan_in, fan_out) matrix.

    Orthonormal columns when fan_in >= fan_out, orthonormal rows otherwise (PyTorch's
    ``orthogonal_`` with gain 1), and Haar: entry (0, 0) of 2000 3x3 draws must follow
    the uniform law on [-1, 1] (what QR without the sign correction fails).
    """
    answer = Calls(answer, "answer", "my_orthogonal(fan_in, fan_out, rng) returning a (fan_in, fan_out) matrix",
                   name="my_orthogonal")
    try:
        _check_orthonormal(answer)
        _check_haar(answer)
    except _Rejected as reason:
        print(f"✗ Not yet: {reason}")
        return False
    print(f"✓ Correct: orthonormal {' and '.join('x'.join(map(str, s)) for s in SHAPES)} draws, and entry (0, 0) of "
          f"{DRAWS} 3x3 draws follows Haar's uniform law.")
    return True
