"""Weight initializers: how to draw the starting weights of one dense layer.

One calling convention, as in JAX: every rule below is called with its
hyper-parameters (or with none) and returns an *initializer*::

    init = he_normal()                        # or he_normal(mode="fan_out")
    W = init(fan_in, fan_out, rng=0)          # W.shape == (fan_in, fan_out)

``fan_in`` is the number of inputs of the layer and ``fan_out`` the number of
units, so a layer computes ``H = act(X @ W + b)`` with ``X`` of shape
``(n_samples, fan_in)``.  ``rng`` is a seed or a ``numpy.random.Generator``; the
same seed always gives the same matrix.  The keyword ``dtype`` (float64 by
default, or float32) sets the precision.  Anywhere initlab takes an initializer
it also takes a name: ``"he_normal"`` means ``get("he_normal")``.

Each rule is its formula: it says the standard deviation ``std(fan_in, fan_out)``
of the entries and the distribution they are drawn from (``initlab.distributions``
draws them).  Arguments are checked once, where they enter: hyper-parameters when
the rule is called, sizes, ``rng`` and ``dtype`` when the initializer is called.

Layout warning for PyTorch users: ``torch.nn.Linear`` stores its weight as
``(out_features, in_features)`` and computes ``x @ weight.T``.  An initlab matrix
``W`` corresponds to ``linear.weight.data = torch.from_numpy(W.T)``.  Keras'
``Dense`` kernel has the same ``(fan_in, fan_out)`` layout as initlab.

Most rules are special cases of Keras' ``VarianceScaling``: entries with mean 0
and variance ``scale / n``, where ``n`` is ``fan_in``, ``fan_out`` or their
average.  PyTorch writes the same rules with a *gain*: ``scale = gain ** 2``::

    rule            scale   n          PyTorch                                    Keras
    lecun_normal    1       fan_in     normal_(std=1/sqrt(fan_in))                LecunNormal
    xavier_normal   1       fan_avg    xavier_normal_                             GlorotNormal
    xavier_uniform  1       fan_avg    xavier_uniform_                            GlorotUniform
    he_normal       2       fan_in     kaiming_normal_(nonlinearity="relu")       HeNormal
    he_uniform      2       fan_in     kaiming_uniform_(nonlinearity="relu")      HeUniform

The ``*_normal`` rules here draw from an untruncated normal, as PyTorch does.
Keras' ``GlorotNormal``, ``HeNormal`` and ``LecunNormal`` draw from a normal cut
at two standard deviations and widened so that the variance is unchanged;
``variance_scaling(distribution="truncated_normal")`` reproduces that.
"""

from __future__ import annotations

import inspect
import math

from .checks import ArgumentError, ArgumentTypeError, check_choice, check_float, check_int
from .distributions import (DTYPES, MAX_ENTRIES, MAX_QR_WORK, TRUNCATED_STD,  # noqa: F401  (part of this API)
                            Initializer)

__all__ = [
    "Initializer", "zeros", "constant", "normal", "uniform", "lecun_normal", "lecun_uniform",
    "xavier_normal", "xavier_uniform", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
    "kaiming_normal", "kaiming_uniform", "orthogonal", "variance_scaling", "gain", "get", "names", "name_of",
    "fan", "MODES", "DISTRIBUTIONS", "DTYPES", "MAX_ENTRIES", "MAX_QR_WORK", "TRUNCATED_STD",
]

MODES = ("fan_in", "fan_out", "fan_avg")
DISTRIBUTIONS = ("normal", "untruncated_normal", "truncated_normal", "uniform")


def fan(fan_in, fan_out, mode) -> float:
    """The ``n`` of Var(W) = scale / n: fan_in, fan_out or (fan_in + fan_out) / 2."""
    return _fan(check_int("fan_in", fan_in, minimum=1), check_int("fan_out", fan_out, minimum=1),
                check_choice("mode", mode, MODES))


def _fan(fan_in, fan_out, mode) -> float:
    return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]


# ----------------------------------------------------------------------------
# the general rule
# ----------------------------------------------------------------------------
def variance_scaling(scale, mode="fan_in", distribution="truncated_normal") -> Initializer:
    """Var(W) = scale / n, n = fan_in, fan_out or (fan_in + fan_out) / 2 (``mode``).

    - ``"normal"``: W ~ N(0, scale / n).  Keras 3 calls it ``"untruncated_normal"``
      (accepted here too); in old Keras (2.0-2.2) ``"normal"`` meant the truncated form;
    - ``"truncated_normal"``: a normal cut at two standard deviations, widened by
      1 / TRUNCATED_STD = 1 / 0.8796 so that its std is exactly sqrt(scale / n);
    - ``"uniform"``: U(-a, a) with a = sqrt(3 * scale / n).

    Keras: ``VarianceScaling(scale, mode, distribution)`` (same default distribution).
    PyTorch has no general rule; its gain is sqrt(scale).
    """
    scale = check_float("scale", scale, strictly_positive=True)
    mode = check_choice("mode", mode, MODES)
    distribution = check_choice("distribution", distribution, DISTRIBUTIONS).replace("untruncated_", "")

    def std(fan_in, fan_out):
        return math.sqrt(scale / _fan(fan_in, fan_out, mode))

    return Initializer(f"variance_scaling(scale={scale:g}, mode={mode!r}, distribution={distribution!r})", distribution, std)


# ----------------------------------------------------------------------------
# fixed numbers: the same whatever the layer's size
# ----------------------------------------------------------------------------
def zeros() -> Initializer:
    """W = 0: breaks nothing but symmetry (notebook 01).

    PyTorch: ``torch.nn.init.zeros_``; Keras: ``Zeros()``.
    """
    return Initializer("zeros", "constant", lambda fan_in, fan_out: 0.0)


def constant(value) -> Initializer:
    """W = value everywhere: as symmetric as zeros.

    PyTorch: ``torch.nn.init.constant_(w, value)``; Keras: ``Constant(value)``.
    """
    value = check_float("value", value)
    return Initializer(f"constant(value={value:g})", "constant", lambda fan_in, fan_out: value)


def normal(std) -> Initializer:
    """W ~ N(0, std^2), whatever the layer's size.

    ``normal(1.0)`` is the course's "old" start and ``normal(0.01)`` the "small
    random numbers" recipe; neither adapts to the number of inputs (notebooks 02-03).

    PyTorch: ``torch.nn.init.normal_(w, 0, std)``; Keras: ``RandomNormal(0.0, std)``.
    """
    std = check_float("std", std, minimum=0.0)
    return Initializer(f"normal(std={std:g})", "normal", lambda fan_in, fan_out: std)


def uniform(limit) -> Initializer:
    """W ~ U(-limit, limit), whose std is limit / sqrt(3).

    PyTorch: ``torch.nn.init.uniform_(w, -limit, limit)``; Keras: ``RandomUniform(-limit, limit)``.
    """
    limit = check_float("limit", limit, minimum=0.0)
    return Initializer(f"uniform(limit={limit:g})", "uniform", lambda fan_in, fan_out: limit / math.sqrt(3.0))


# ----------------------------------------------------------------------------
# LeCun (1998): Var(W) = 1 / fan_in
# ----------------------------------------------------------------------------
def lecun_normal() -> Initializer:
    """W ~ N(0, 1 / fan_in): keeps Var(z) = Var(x) through a layer of ``fan_in`` inputs.

    The course's source material calls this "Xavier" (N(0, 1) / sqrt(n_in));
    strictly it is LeCun's scaling.

    PyTorch: ``torch.nn.init.normal_(w, std=1 / math.sqrt(fan_in))``;
    Keras: ``LecunNormal()`` (truncated, same variance).
    """

    def std(fan_in, fan_out):
        return math.sqrt(1.0 / fan_in)

    return Initializer("lecun_normal", "normal", std)


def lecun_uniform() -> Initializer:
    """W ~ U(-a, a), a = sqrt(3 / fan_in): Var(W) = 1 / fan_in.

    Keras: ``LecunUniform()``.  PyTorch's default for ``nn.Linear``,
    ``kaiming_uniform_(a=sqrt(5))``, is a third of this variance: a = sqrt(1 / fan_in).
    """

    def std(fan_in, fan_out):
        return math.sqrt(1.0 / fan_in)

    return Initializer("lecun_uniform", "uniform", std)


# ----------------------------------------------------------------------------
# Glorot & Bengio (2010): Var(W) = 2 / (fan_in + fan_out)
# ----------------------------------------------------------------------------
def xavier_normal(gain=1.0) -> Initializer:
    """W ~ N(0, gain^2 * 2 / (fan_in + fan_out)).

    The forward pass wants fan_in * Var(W) = 1, the backward pass
    fan_out * Var(W) = 1; Glorot's compromise is Var(W) = 2 / (fan_in + fan_out).

    PyTorch: ``torch.nn.init.xavier_normal_(w, gain=gain)``;
    Keras: ``GlorotNormal()`` (truncated, same variance; scale = gain^2).
    """
    gain = check_float("gain", gain, strictly_positive=True)

    def std(fan_in, fan_out):
        return gain * math.sqrt(2.0 / (fan_in + fan_out))

    return Initializer("xavier_normal" + (f"(gain={gain:.4g})" if gain != 1.0 else ""), "normal", std)


def xavier_uniform(gain=1.0) -> Initializer:
    """W ~ U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)): the same variance as xavier_normal.

    PyTorch: ``torch.nn.init.xavier_uniform_(w, gain=gain)``;
    Keras: ``GlorotUniform()``, the default kernel initializer of ``Dense``.
    """
    gain = check_float("gain", gain, strictly_positive=True)

    def std(fan_in, fan_out):
        return gain * math.sqrt(2.0 / (fan_in + fan_out))

    return Initializer("xavier_uniform" + (f"(gain={gain:.4g})" if gain != 1.0 else ""), "uniform", std)


# ----------------------------------------------------------------------------
# He et al. (2015): Var(W) = 2 / n
# ----------------------------------------------------------------------------
def he_normal(mode="fan_in") -> Initializer:
    """W ~ N(0, 2 / n), n = fan_in (default) or fan_out.

    ReLU zeroes half of its input, E[relu(z)^2] = Var(z) / 2; the 2 puts that half
    back.  ``"fan_in"`` keeps the forward signal's variance, ``"fan_out"`` the gradient's.

    PyTorch: ``torch.nn.init.kaiming_normal_(w, mode=mode, nonlinearity="relu")``
    (its fan_in is our fan_in, although its weight is stored transposed);
    Keras: ``HeNormal()`` (truncated, same variance, fan_in only).
    """
    mode = check_choice("mode", mode, ("fan_in", "fan_out"))

    def std(fan_in, fan_out):
        return math.sqrt(2.0 / _fan(fan_in, fan_out, mode))

    return Initializer("he_normal" + (f"(mode={mode!r})" if mode != "fan_in" else ""), "normal", std)


def he_uniform(mode="fan_in") -> Initializer:
    """W ~ U(-a, a), a = sqrt(6 / n), n = fan_in (default) or fan_out.

    PyTorch: ``torch.nn.init.kaiming_uniform_(w, mode=mode, nonlinearity="relu")``;
    Keras: ``HeUniform()``.
    """
    mode = check_choice("mode", mode, ("fan_in", "fan_out"))

    def std(fan_in, fan_out):
        return math.sqrt(2.0 / _fan(fan_in, fan_out, mode))

    return Initializer("he_uniform" + (f"(mode={mode!r})" if mode != "fan_in" else ""), "uniform", std)


# The names of PyTorch (Xavier, Kaiming) and of Keras (Glorot, He) for the same rules.
glorot_normal = xavier_normal
glorot_uniform = xavier_uniform
kaiming_normal = he_normal
kaiming_uniform = he_uniform


# ----------------------------------------------------------------------------
# Saxe et al. (2014): orthogonal
# ----------------------------------------------------------------------------
def orthogonal(gain=1.0) -> Initializer:
    """W = gain * Q, Q Haar-random with orthonormal columns (fan_in >= fan_out) or rows.

    Every singular value of W is ``gain``; each entry has mean 0 and mean square
    gain^2 * min(fan_in, fan_out) / (fan_in * fan_out).

    PyTorch: ``torch.nn.init.orthogonal_(w, gain=gain)``; Keras: ``Orthogonal(gain)``.
    """
    gain = check_float("gain", gain, strictly_positive=True)

    def std(fan_in, fan_out):
        return gain * math.sqrt(min(fan_in, fan_out) / (fan_in * fan_out))

    return Initializer("orthogonal" + (f"(gain={gain:.4g})" if gain != 1.0 else ""), "orthogonal", std)


# ----------------------------------------------------------------------------
# gains and names
# ----------------------------------------------------------------------------
_GAIN_NAMES = ("linear", "identity", "sigmoid", "tanh", "relu", "leaky_relu")


def gain(nonlinearity, param=None) -> float:
    """PyTorch's recommended gain, as ``torch.nn.init.calculate_gain``.

    ============  =============================
    linear        1
    sigmoid       1  (a convention: it compensates nothing, see notebook 05)
    tanh          5/3
    relu          sqrt(2)
    leaky_relu    sqrt(2 / (1 + slope^2)), slope = ``param`` (default 0.01)
    ============  =============================

    Keras has no gain table; it writes ``VarianceScaling(scale=gain**2)``.
    """
    nonlinearity = check_choice("nonlinearity", nonlinearity, _GAIN_NAMES)
    if nonlinearity != "leaky_relu" and param is not None:
        raise ArgumentError(f"param is only used for 'leaky_relu', got param={param!r} for {nonlinearity!r}")
    if nonlinearity in ("linear", "identity", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    slope = 0.01 if param is None else check_float("param", param)
    if abs(slope) > 1e150:  # slope^2 would overflow; 1 + slope^2 is slope^2
        return math.sqrt(2.0) / abs(slope)
    return math.sqrt(2.0 / (1.0 + slope**2))


# Every rule by name, in the order of the course (PyTorch's and Keras' names for the same rules).
_RULES = {rule_name: globals()[rule_name] for rule_name in (
    "zeros", "constant", "normal", "uniform", "lecun_normal", "lecun_uniform", "xavier_normal", "xavier_uniform",
    "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "kaiming_normal", "kaiming_uniform",
    "orthogonal", "variance_scaling")}


def name_of(init) -> str:
    """A short name for any initializer: its rule and hyper-parameters, or its function name."""
    return getattr(init, "name", None) or getattr(init, "__name__", None) or "custom"


def names() -> list[str]:
    """The rule names ``get`` understands, in the order of the course."""
    return list(_RULES)


def get(init, **hyper) -> Initializer:
    """The initializer for a name and hyper-parameters, or ``init`` itself if it is one.

    ``get("he_normal")`` is ``he_normal()``, ``get("normal", std=0.01)`` is
    ``normal(0.01)``.  Any callable ``init(fan_in, fan_out, rng)`` is returned as it is,
    so that functions can take a name or an initializer alike.
    """
    if callable(init):
        if hyper:
            raise ArgumentTypeError(f"hyper-parameters {sorted(hyper)} go with a rule name, not with an initializer {init!r}")
        return init
    name = check_choice("init", init, _RULES)
    rule = _RULES[name]
    try:
        inspect.signature(rule).bind(**hyper)
    except TypeError:
        wanted = ", ".join(f"{p}=..." for p in inspect.signature(rule).parameters)
        raise ArgumentTypeError(
            f"initializer {name!r} takes {wanted or 'no hyper-parameters'}, got {hyper or 'none'}; "
            f"e.g. get({name!r}{', ' if wanted else ''}{wanted})"
        ) from None
    return rule(**hyper)
