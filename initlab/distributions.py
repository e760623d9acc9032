"""How the entries of a weight matrix are drawn, once a rule has said their standard deviation.

``initlab.initializers`` says *what* to draw (each rule's formula for the std);
this module says *how*: an ``Initializer`` pairs a distribution with a rule's
``std(fan_in, fan_out)``, checks the sizes, ``rng`` and ``dtype`` it is called
with, and draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .checks import ArgumentError, ArgumentTypeError, as_generator, check_choice, check_float, check_int

__all__ = ["Initializer", "DRAW", "DTYPES", "MAX_ENTRIES", "MAX_QR_WORK", "TRUNCATED_STD"]

DTYPES = ("float64", "float32")

#: The largest weight matrix (in entries) an initializer will draw: 50 million
#: float64 numbers are 400 MB.  A bigger request is almost always a typo
#: (``width=50000``) and would otherwise freeze a laptop.
MAX_ENTRIES = 50_000_000

#: The largest orthogonal draw, in max(fan_in, fan_out) * min(fan_in, fan_out)^2: the QR
#: decomposition behind it costs about twice that in multiply-adds.  2000 x 2000 (8e9)
#: takes 1-2 s on one core (more on a busy machine); 5000 x 5000 would take half a minute.
MAX_QR_WORK = 8e9

#: Entries of std s reach about 6 s among 50 million normal draws (3.5 s for the uniform,
#: 2.3 s for the truncated normal): a std above the dtype's largest number / 10 overflows.
_REACH = 10.0

#: Standard deviation of a standard normal truncated to [-2, 2],
#: sqrt(1 - 4 phi(2) / (2 Phi(2) - 1)) with phi, Phi the normal pdf and cdf.
#: Keras divides by it (0.8796...) so that truncated draws keep the requested std.
TRUNCATED_STD = math.sqrt(1.0 - 4.0 * math.exp(-2.0) / math.sqrt(2.0 * math.pi) / math.erf(math.sqrt(2.0)))


# ----------------------------------------------------------------------------
# how entries are drawn, given their standard deviation
# ----------------------------------------------------------------------------
def _normal(rng, std, shape, dtype):
    values = rng.standard_normal(shape, dtype=dtype)
    values *= std
    return values


def _truncated_normal(rng, std, shape, dtype):
    """N(0, 1) draws redrawn until they lie in [-2, 2], then scaled to std ``std``.

    The loop runs over rounds of redrawing, not over entries: 4.6% of the entries
    are redrawn in the first round, 0.2% in the second, and so on.
    """
    values = rng.standard_normal(shape, dtype=dtype)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()), dtype=dtype)
        outside = np.abs(values) > 2.0
    values *= std / TRUNCATED_STD
    return values


def _uniform(rng, std, shape, dtype):
    """U(-a, a) with a = sqrt(3) * std, since Var(U(-a, a)) = a^2 / 3."""
    limit = math.sqrt(3.0) * std
    values = rng.random(shape, dtype=dtype)  # numpy's rng.uniform only makes float64
    values *= 2.0 * limit
    values -= limit
    return values


def _orthogonal(rng, std, shape, dtype):
    """A Haar-random matrix with orthonormal columns (tall) or rows (wide), times a gain.

    QR of a Gaussian matrix gives Q with orthonormal columns; multiplying column j
    by the sign of R[j, j] makes the result uniformly (Haar) distributed.  Its
    entries have mean square min(n, m) / (n m); the factor makes their rms ``std``.
    As in ``torch.nn.init.orthogonal_``, whose weight is this matrix transposed,
    a square matrix is Q transposed: from the same Gaussian draw both give the same
    matrix for every shape.
    """
    fan_in, fan_out = shape
    q, r = np.linalg.qr(rng.standard_normal((max(shape), min(shape)), dtype=dtype))
    q *= np.sign(np.diag(r))
    q *= std * math.sqrt(fan_in * fan_out / min(shape))
    return q if fan_in > fan_out else q.T


def _constant(rng, value, shape, dtype):
    return np.full(shape, value, dtype=dtype)


DRAW = {"normal": _normal, "truncated_normal": _truncated_normal, "uniform": _uniform,
         "orthogonal": _orthogonal, "constant": _constant}


@dataclass(frozen=True)
class Initializer:
    """A rule with its hyper-parameters fixed: ``init(fan_in, fan_out, rng=None, *, dtype)``.

    Attributes
    ----------
    name : str
        How the rule was called, e.g. ``"he_normal(mode='fan_out')"``.
    distribution : {"normal", "truncated_normal", "uniform", "orthogonal", "constant"}
    std : callable (fan_in, fan_out) -> float
        The standard deviation (root mean square) of the entries; for
        ``"constant"`` the value itself.  ``init.std(500, 500) * sqrt(500)`` is the
        sigma_w of the mean-field theory.
    """

    name: str
    distribution: str
    std: Callable[[int, int], float]

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise ArgumentTypeError(f"name must be a string, got {self.name!r}")
        check_choice("distribution", self.distribution, DRAW)
        if not callable(self.std):
            raise ArgumentTypeError(f"std must be a function (fan_in, fan_out) -> float, got {self.std!r}")

    def __call__(self, fan_in, fan_out, rng=None, *, dtype=np.float64) -> np.ndarray:
        fan_in = check_int("fan_in", fan_in, minimum=1)
        fan_out = check_int("fan_out", fan_out, minimum=1)
        if fan_in * fan_out > MAX_ENTRIES:
            raise ArgumentError(
                f"a ({fan_in}, {fan_out}) weight matrix has {fan_in * fan_out:,} entries; "
                f"initlab draws at most {MAX_ENTRIES:,} (fan_in * fan_out) at once"
            )
        work = max(fan_in, fan_out) * min(fan_in, fan_out) ** 2
        if self.distribution == "orthogonal" and work > MAX_QR_WORK:
            raise ArgumentError(
                f"an orthogonal ({fan_in}, {fan_out}) matrix needs a QR decomposition of about {2 * work:.2g} "
                f"multiply-adds (minutes); initlab draws orthogonal matrices up to max(fan_in, fan_out) * "
                f"min(fan_in, fan_out)^2 = {MAX_QR_WORK:.0e}, e.g. 2000 x 2000"
            )
        rng = as_generator(rng)
        dtype = _check_dtype(dtype)
        constant = self.distribution == "constant"  # its "std" is the value, which may be negative
        std = check_float(f"the std of {self.name} at ({fan_in}, {fan_out})", self.std(fan_in, fan_out),
                          minimum=None if constant else 0.0)
        largest = float(np.finfo(dtype).max)
        if abs(std) * (1.0 if constant else _REACH) > largest:
            raise ArgumentError(f"{self.name} gives entries of std {std:.3g} at ({fan_in}, {fan_out}), beyond what "
                                f"{dtype.name} holds (largest {largest:.3g}): choose a smaller scale")
        return DRAW[self.distribution](rng, std, (fan_in, fan_out), dtype)

    def __repr__(self) -> str:
        return self.name


def _check_dtype(dtype) -> np.dtype:
    """numpy.float64 (the default) or numpy.float32 (half the memory, used by the explorers)."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ArgumentTypeError(f"dtype must be one of {list(DTYPES)}, got {dtype!r}") from None
    if dtype.name not in DTYPES:
        raise ArgumentTypeError(f"dtype must be one of {list(DTYPES)}, got {dtype.name!r}")
    return dtype


