"""Weight initializers: how to draw the starting weights of one dense layer.

Every initializer in this module is a function with the same signature::

    W = init(fan_in, fan_out, rng=None)      # W.shape == (fan_in, fan_out)

``fan_in`` is the number of inputs of the layer and ``fan_out`` the number of
units, so a layer computes ``H = act(X @ W + b)`` with ``X`` of shape
``(n_samples, fan_in)``.  ``rng`` is a seed or a ``numpy.random.Generator``; the
same seed always gives the same matrix.  The keyword ``dtype`` (float64 by
default, or float32) sets the precision, like a PyTorch tensor's dtype.

Layout warning for PyTorch users: ``torch.nn.Linear`` stores its weight as
``(out_features, in_features)`` and computes ``x @ weight.T``.  An initlab matrix
``W`` corresponds to ``linear.weight.data = torch.from_numpy(W.T)``.  Keras'
``Dense`` kernel has the same ``(fan_in, fan_out)`` layout as initlab.

Most initializers are special cases of one rule, Keras' ``VarianceScaling``:
draw entries with mean 0 and variance ``scale / n``, where ``n`` is ``fan_in``,
``fan_out`` or their average::

    name            scale   n          distribution   PyTorch equivalent
    lecun_normal    1       fan_in     normal         (none; normal_(std=1/sqrt(fan_in)))
    xavier_normal   1       fan_avg    normal         xavier_normal_
    xavier_uniform  1       fan_avg    uniform        xavier_uniform_
    he_normal       2       fan_in     normal         kaiming_normal_(nonlinearity="relu")
    he_uniform      2       fan_in     uniform        kaiming_uniform_(nonlinearity="relu")

The ``*_normal`` initializers here draw from an untruncated normal, as PyTorch
does.  Keras' ``GlorotNormal``, ``HeNormal`` and ``LecunNormal`` use a normal
truncated at two standard deviations and rescaled so that the variance is the
same; ``variance_scaling(distribution="truncated_normal")`` reproduces that.
"""

from __future__ import annotations

import math

import numpy as np

from .checks import as_generator, check_choice, check_float, check_int

__all__ = [
    "zeros",
    "constant",
    "normal",
    "uniform",
    "lecun_normal",
    "lecun_uniform",
    "xavier_normal",
    "xavier_uniform",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "orthogonal",
    "variance_scaling",
    "gain",
    "get",
    "names",
    "MODES",
    "DISTRIBUTIONS",
    "MAX_ENTRIES",
    "DTYPES",
]

MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("normal", "untruncated_normal", "truncated_normal", "uniform")

#: The largest weight matrix (in entries) an initializer will draw: 50 million
#: float64 numbers are 400 MB.  A bigger request is almost always a typo
#: (``width=50000``) and would otherwise freeze a laptop.
MAX_ENTRIES = 50_000_000

#: Standard deviation of a standard normal truncated to [-2, 2].  Keras divides by
#: this so that the truncated draws have exactly the requested standard deviation:
#: sqrt(1 - 4 phi(2) / (2 Phi(2) - 1)) with phi, Phi the normal pdf and cdf.
_TRUNCATED_STD = math.sqrt(
    1.0 - 4.0 * math.exp(-2.0) / math.sqrt(2.0 * math.pi) / math.erf(2.0 / math.sqrt(2.0))
)


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------
def _check_fans(fan_in, fan_out) -> tuple[int, int]:
    fan_in = check_int("fan_in", fan_in, minimum=1)
    fan_out = check_int("fan_out", fan_out, minimum=1)
    if fan_in * fan_out > MAX_ENTRIES:
        raise ValueError(
            f"a ({fan_in}, {fan_out}) weight matrix has {fan_in * fan_out:,} entries; "
            f"initlab draws at most {MAX_ENTRIES:,} (fan_in * fan_out) at once"
        )
    return fan_in, fan_out


DTYPES = ("float64", "float32")


def _check_dtype(dtype):
    """numpy.float64 (the default) or numpy.float32 (half the memory, used by the explorers)."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be one of {list(DTYPES)}, got {dtype!r}") from None
    if dtype.name not in DTYPES:
        raise TypeError(f"dtype must be one of {list(DTYPES)}, got {dtype.name!r}")
    return dtype


def _uniform(rng, limit, shape, dtype):
    """U(-limit, limit) draws in ``dtype`` (numpy's rng.uniform only makes float64)."""
    values = rng.random(shape, dtype=dtype)
    values *= 2.0 * limit
    values -= limit
    return values


def _fan(fan_in: int, fan_out: int, mode: str) -> float:
    """The ``n`` of the rule Var(W) = scale / n for ``mode``."""
    if mode == "fan_in":
        return float(fan_in)
    if mode == "fan_out":
        return float(fan_out)
    return (fan_in + fan_out) / 2.0


def _truncated_standard_normal(rng: np.random.Generator, shape, dtype=np.float64) -> np.ndarray:
    """Standard normal draws, each redrawn until it lies in [-2, 2].

    The loop runs over rounds of redrawing, not over entries: about 4.6% of the
    entries are redrawn in the first round, 0.2% in the second, and so on.
    """
    values = rng.standard_normal(shape, dtype=dtype)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()), dtype=dtype)
        outside = np.abs(values) > 2.0
    return values


def _named(function, name: str, doc: str | None = None):
    """Give a freshly made initializer a readable name (shown in plots and errors)."""
    function.__name__ = name
    function.__qualname__ = name
    if doc is not None:
        function.__doc__ = doc
    return function


# ----------------------------------------------------------------------------
# the general rule
# ----------------------------------------------------------------------------
def variance_scaling(scale=1.0, mode="fan_in", distribution="truncated_normal"):
    """Make an initializer with Var(W) = scale / n, exactly as Keras' VarianceScaling.

    ``n`` is ``fan_in``, ``fan_out`` or ``(fan_in + fan_out) / 2`` (``mode``), and

    - ``"normal"``: W ~ N(0, scale / n).  Keras 3 calls this ``"untruncated_normal"``
      (accepted here too); beware that in old Keras (2.0-2.2) ``"normal"`` meant the
      truncated form;
    - ``"truncated_normal"``: a normal cut at two standard deviations whose std is
      divided by 0.87962566... (the std of a standard normal truncated to [-2, 2]),
      so that the final std is exactly sqrt(scale / n);
    - ``"uniform"``: W ~ U(-a, a) with a = sqrt(3 * scale / n), whose variance
      a^2 / 3 is again scale / n.

    Keras: ``keras.initializers.VarianceScaling(scale, mode, distribution)``
    (Keras' default distribution is also ``"truncated_normal"``).

    Parameters
    ----------
    scale : float > 0
    mode : {"fan_in", "fan_out", "fan_avg"}
    distribution : {"normal", "untruncated_normal", "truncated_normal", "uniform"}

    Returns
    -------
    init : callable ``init(fan_in, fan_out, rng=None) -> ndarray``
    """
    scale = check_float("scale", scale, strictly_positive=True)
    mode = check_choice("mode", mode, MODES)
    distribution = check_choice("distribution", distribution, DISTRIBUTIONS)

    def init(fan_in, fan_out, rng=None, *, dtype=np.float64):
        fan_in, fan_out = _check_fans(fan_in, fan_out)
        rng = as_generator(rng)
        dtype = _check_dtype(dtype)
        variance = scale / _fan(fan_in, fan_out, mode)
        if distribution == "uniform":
            return _uniform(rng, math.sqrt(3.0 * variance), (fan_in, fan_out), dtype)
        if distribution in ("normal", "untruncated_normal"):
            values = rng.standard_normal((fan_in, fan_out), dtype=dtype)
            values *= math.sqrt(variance)
            return values
        values = _truncated_standard_normal(rng, (fan_in, fan_out), dtype)
        values *= math.sqrt(variance) / _TRUNCATED_STD
        return values

    name = f"variance_scaling(scale={scale:g}, mode={mode!r}, distribution={distribution!r})"
    return _named(init, name)


# ----------------------------------------------------------------------------
# simple initializers
# ----------------------------------------------------------------------------
def zeros(fan_in, fan_out, rng=None, *, dtype=np.float64):
    """All weights 0 -- the initializer that breaks nothing but symmetry.

    Every unit of the layer computes the same value and gets the same gradient, so
    the units stay identical during training (notebook 01).  ``rng`` is accepted
    (and checked) only so that every initializer has the same signature.

    PyTorch: ``torch.nn.init.zeros_``; Keras: ``"zeros"``.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    as_generator(rng)
    return np.zeros((fan_in, fan_out), dtype=_check_dtype(dtype))


def constant(value):
    """Make an initializer that fills the matrix with ``value``.

    A constant start has the same symmetry problem as ``zeros``.

    PyTorch: ``torch.nn.init.constant_(w, value)``; Keras: ``Constant(value)``.
    """
    value = check_float("value", value)

    def init(fan_in, fan_out, rng=None, *, dtype=np.float64):
        fan_in, fan_out = _check_fans(fan_in, fan_out)
        as_generator(rng)
        return np.full((fan_in, fan_out), value, dtype=_check_dtype(dtype))

    return _named(init, f"constant({value:g})")


def normal(std=1.0):
    """Make an initializer W ~ N(0, std^2), whatever the layer's size.

    ``normal(1.0)`` is the course's "old" initialization and ``normal(0.01)`` the
    "small random numbers" recipe.  Neither adapts to the number of inputs, which is
    exactly the problem notebooks 02 and 03 study.

    PyTorch: ``torch.nn.init.normal_(w, mean=0, std=std)``;
    Keras: ``RandomNormal(mean=0.0, stddev=std)``.
    """
    std = check_float("std", std, minimum=0.0)

    def init(fan_in, fan_out, rng=None, *, dtype=np.float64):
        fan_in, fan_out = _check_fans(fan_in, fan_out)
        values = as_generator(rng).standard_normal((fan_in, fan_out), dtype=_check_dtype(dtype))
        values *= std
        return values

    return _named(init, f"normal(std={std:g})")


def uniform(limit=1.0):
    """Make an initializer W ~ U(-limit, limit), with variance limit^2 / 3.

    PyTorch: ``torch.nn.init.uniform_(w, -limit, limit)``;
    Keras: ``RandomUniform(-limit, limit)``.
    """
    limit = check_float("limit", limit, minimum=0.0)

    def init(fan_in, fan_out, rng=None, *, dtype=np.float64):
        fan_in, fan_out = _check_fans(fan_in, fan_out)
        return _uniform(as_generator(rng), limit, (fan_in, fan_out), _check_dtype(dtype))

    return _named(init, f"uniform(limit={limit:g})")


# ----------------------------------------------------------------------------
# LeCun: Var(W) = 1 / fan_in
# ----------------------------------------------------------------------------
def lecun_normal(fan_in, fan_out, rng=None, *, dtype=np.float64):
    """W ~ N(0, 1 / fan_in): keeps Var(z) = Var(x) for a layer of ``fan_in`` inputs.

    This is what the course's source material calls "Xavier" initialization
    (N(0, 1) / sqrt(n_in)); strictly it is LeCun's scaling (1998).

    Keras: ``LecunNormal()`` (truncated, same variance);
    PyTorch: ``torch.nn.init.normal_(w, std=1 / math.sqrt(fan_in))``.
    """
    return _lecun_normal(fan_in, fan_out, rng, dtype=dtype)


def lecun_uniform(fan_in, fan_out, rng=None, *, dtype=np.float64):
    """W ~ U(-a, a) with a = sqrt(3 / fan_in), so Var(W) = 1 / fan_in.

    Keras: ``LecunUniform()``.  PyTorch's default for ``nn.Linear`` is close to
    this but smaller: ``kaiming_uniform_(a=sqrt(5))``, i.e. a = sqrt(1 / fan_in).
    """
    return _lecun_uniform(fan_in, fan_out, rng, dtype=dtype)


# ----------------------------------------------------------------------------
# Glorot / Xavier: Var(W) = 2 / (fan_in + fan_out)
# ----------------------------------------------------------------------------
def xavier_normal(fan_in, fan_out, rng=None, gain=1.0, *, dtype=np.float64):
    """W ~ N(0, gain^2 * 2 / (fan_in + fan_out))  (Glorot & Bengio, 2010).

    The forward pass wants fan_in * Var(W) = 1 and the backward pass
    fan_out * Var(W) = 1; the harmonic compromise is Var(W) = 2 / (fan_in + fan_out).

    PyTorch: ``torch.nn.init.xavier_normal_(w, gain=gain)``;
    Keras: ``GlorotNormal()`` (truncated normal, same variance, gain 1).
    """
    gain = check_float("gain", gain, strictly_positive=True)
    return variance_scaling(gain**2, "fan_avg", "normal")(fan_in, fan_out, rng, dtype=dtype)


def xavier_uniform(fan_in, fan_out, rng=None, gain=1.0, *, dtype=np.float64):
    """W ~ U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).

    Var(W) = a^2 / 3 = gain^2 * 2 / (fan_in + fan_out), the same as ``xavier_normal``.

    PyTorch: ``torch.nn.init.xavier_uniform_(w, gain=gain)``;
    Keras: ``GlorotUniform()``, the default kernel initializer of ``Dense``.
    """
    gain = check_float("gain", gain, strictly_positive=True)
    return variance_scaling(gain**2, "fan_avg", "uniform")(fan_in, fan_out, rng, dtype=dtype)


# ----------------------------------------------------------------------------
# He / Kaiming: Var(W) = 2 / fan_in
# ----------------------------------------------------------------------------
def he_normal(fan_in, fan_out, rng=None, mode="fan_in", *, dtype=np.float64):
    """W ~ N(0, 2 / n), n = fan_in (default) or fan_out  (He et al., 2015).

    ReLU zeroes half of its input, so E[relu(z)^2] = Var(z) / 2; the factor 2
    puts that half back.  ``mode="fan_in"`` keeps the forward signal's variance
    constant, ``mode="fan_out"`` the back-propagated gradient's.

    PyTorch: ``torch.nn.init.kaiming_normal_(w, mode=mode, nonlinearity="relu")``
    (PyTorch's fan_in is our fan_in even though its weight is stored transposed);
    Keras: ``HeNormal()`` (truncated, same variance, fan_in only).
    """
    return variance_scaling(2.0, mode, "normal")(fan_in, fan_out, rng, dtype=dtype)


def he_uniform(fan_in, fan_out, rng=None, mode="fan_in", *, dtype=np.float64):
    """W ~ U(-a, a) with a = sqrt(6 / n), n = fan_in (default) or fan_out.

    PyTorch: ``torch.nn.init.kaiming_uniform_(w, mode=mode, nonlinearity="relu")``;
    Keras: ``HeUniform()``.
    """
    return variance_scaling(2.0, mode, "uniform")(fan_in, fan_out, rng, dtype=dtype)


# ----------------------------------------------------------------------------
# orthogonal
# ----------------------------------------------------------------------------
def orthogonal(gain=1.0):
    """Make an initializer that draws a (semi-)orthogonal matrix times ``gain``.

    The QR decomposition of a Gaussian matrix gives Q with orthonormal columns;
    multiplying each column by the sign of R's diagonal makes Q uniformly
    distributed (Haar measure).  For fan_in >= fan_out the columns of W are
    orthonormal, otherwise its rows; each entry then has mean 0 and second moment
    gain^2 * min(fan_in, fan_out) / (fan_in * fan_out).

    PyTorch: ``torch.nn.init.orthogonal_(w, gain=gain)``;
    Keras: ``Orthogonal(gain=gain)``.
    """
    gain = check_float("gain", gain, strictly_positive=True)

    def init(fan_in, fan_out, rng=None, *, dtype=np.float64):
        fan_in, fan_out = _check_fans(fan_in, fan_out)
        rng = as_generator(rng)
        tall = rng.standard_normal((max(fan_in, fan_out), min(fan_in, fan_out)), dtype=_check_dtype(dtype))
        q, r = np.linalg.qr(tall)
        q *= np.sign(np.diag(r))
        return gain * (q if fan_in >= fan_out else q.T)

    return _named(init, f"orthogonal(gain={gain:g})")


# The fixed rules, built once from the general one (as Keras does).
_lecun_normal = variance_scaling(1.0, "fan_in", "normal")
_lecun_uniform = variance_scaling(1.0, "fan_in", "uniform")

# The names of PyTorch (Xavier, Kaiming) and of Keras (Glorot, He) for the same thing.
glorot_normal = xavier_normal
glorot_uniform = xavier_uniform
kaiming_normal = he_normal
kaiming_uniform = he_uniform


# ----------------------------------------------------------------------------
# gains and names
# ----------------------------------------------------------------------------
_GAIN_NAMES = ("linear", "identity", "sigmoid", "tanh", "relu", "leaky_relu")


def gain(nonlinearity, param=None):
    """The recommended gain for an activation, as ``torch.nn.init.calculate_gain``.

    ============  =============================
    linear        1
    sigmoid       1
    tanh          5/3
    relu          sqrt(2)
    leaky_relu    sqrt(2 / (1 + slope^2)), slope = ``param`` (default 0.01)
    ============  =============================

    Multiply a unit-variance rule's standard deviation by the gain, e.g.
    ``xavier_normal(n, m, gain=gain("tanh"))``; ``he_normal`` already contains
    relu's sqrt(2).
    """
    nonlinearity = check_choice("nonlinearity", nonlinearity, _GAIN_NAMES)
    if nonlinearity != "leaky_relu" and param is not None:
        raise ValueError(f"param is only used for 'leaky_relu', got param={param!r} for {nonlinearity!r}")
    if nonlinearity in ("linear", "identity", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    slope = 0.01 if param is None else check_float("param", param)
    return math.sqrt(2.0 / (1.0 + slope**2))


# Ready-to-use initializers by name.  normal and orthogonal are listed with their
# default parameter; constant, uniform and variance_scaling need arguments.
_BY_NAME = {
    "zeros": zeros,
    "normal": normal(1.0),
    "lecun_normal": lecun_normal,
    "lecun_uniform": lecun_uniform,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "glorot_normal": glorot_normal,
    "glorot_uniform": glorot_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "kaiming_normal": kaiming_normal,
    "kaiming_uniform": kaiming_uniform,
    "orthogonal": orthogonal(1.0),
}
_NEED_ARGUMENTS = {
    "constant": "initlab.initializers.constant(value)",
    "uniform": "initlab.initializers.uniform(limit)",
    "variance_scaling": "initlab.initializers.variance_scaling(scale, mode, distribution)",
}


def names() -> list[str]:
    """The names ``get`` understands, in the order of the course."""
    return list(_BY_NAME)


def get(name_or_callable):
    """Resolve an initializer given by name (``"he_normal"``) or as a callable.

    ``"normal"`` is N(0, 1) (the course's "old" start) and ``"orthogonal"`` has
    gain 1.  A callable is returned unchanged, so functions can accept both.
    """
    if callable(name_or_callable):
        return name_or_callable
    if isinstance(name_or_callable, str):
        key = name_or_callable.strip().lower()
        if key in _NEED_ARGUMENTS:
            raise ValueError(
                f"initializer {name_or_callable!r} needs arguments: call {_NEED_ARGUMENTS[key]} "
                f"and pass the result"
            )
    key = check_choice("init", name_or_callable, _BY_NAME)
    return _BY_NAME[key]
