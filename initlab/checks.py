"""Argument checks shared by every public function of initlab.

A student who passes ``width=-3`` or ``activation="relu6"`` should read a sentence
that names the argument, the value it got and what is allowed -- not a traceback
from deep inside numpy.  Every public function therefore runs its arguments
through the small helpers below before doing any work.

Each helper returns the cleaned value (a Python ``int`` or ``float``, a lower-case
name, a ``numpy.random.Generator``) so that callers can write::

    width = check_int("width", width, minimum=1)
"""

from __future__ import annotations

import linecache
import math
import numbers
import os
import traceback

import numpy as np

__all__ = [
    "ArgumentError",
    "ArgumentTypeError",
    "check_int",
    "check_float",
    "check_choice",
    "check_array",
    "check_bool",
    "as_generator",
    "check_labels",
    "check_real",
    "check_nonnegative",
    "check_float_array",
    "check_dict",
]


def _short_traceback(error, kind) -> list:
    """The message, and the line of the caller's own code that led to it.

    IPython calls an exception's ``_render_traceback_`` to show it; these errors
    then read as two lines ("ValueError: width must be ...", "in your code: ...")
    instead of a traceback through initlab's internals.  The cell still fails.
    """
    package = os.path.dirname(os.path.abspath(__file__))
    caller = None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if not os.path.abspath(frame.f_code.co_filename).startswith(package):
            caller = (frame.f_code.co_filename, lineno)
    lines = [f"{kind}: {error}"]
    code = linecache.getline(*caller).strip() if caller else ""
    if code:
        lines.append(f"    in your code, line {caller[1]}: {code}")
    return lines


class ArgumentError(ValueError):
    """A value initlab cannot use; the message names the argument, the value and what is allowed."""

    def _render_traceback_(self):
        return _short_traceback(self, "ValueError")


class ArgumentTypeError(TypeError):
    """An argument of the wrong type; the message names it and says what to pass."""

    def _render_traceback_(self):
        return _short_traceback(self, "TypeError")


def _show(value) -> str:
    """A short, readable rendering of ``value`` for error messages."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def check_int(name: str, value, minimum: int | None = 1, maximum: int | None = None) -> int:
    """Return ``value`` as a Python int, or raise a clear error.

    Booleans and floats are refused even when they are whole (``3.0``), because a
    layer width of ``3.0`` is almost always a bug (for example ``n / 2``).

    Raises
    ------
    TypeError
        If ``value`` is not an integer.
    ValueError
        If ``value`` is outside ``[minimum, maximum]``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        hint = ""
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
            hint = f" (use int({value!r}) or // for integer division)"
        raise ArgumentTypeError(f"{name} must be an integer, got {_show(value)}{hint}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ArgumentError(f"{name} must be an integer >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ArgumentError(f"{name} must be an integer <= {maximum}, got {value}")
    return value


def check_float(
    name: str,
    value,
    minimum: float | None = None,
    maximum: float | None = None,
    strictly_positive: bool = False,
) -> float:
    """Return ``value`` as a finite Python float, or raise a clear error.

    NaN and infinity are always refused: a NaN standard deviation would silently
    fill every later array with NaN.

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If ``value`` is NaN, infinite, or outside the allowed range.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{name} must be a real number, got {_show(value)}")
    try:
        value = float(value)
    except OverflowError:  # an int beyond a float's range, e.g. 10**400
        raise ArgumentError(f"{name} must be a finite number, got an integer of {len(str(abs(value)))} digits") from None
    if not math.isfinite(value):
        raise ArgumentError(f"{name} must be a finite number, got {value}")
    if strictly_positive and value <= 0:
        raise ArgumentError(f"{name} must be > 0, got {value}")
    if minimum is not None and value < minimum:
        raise ArgumentError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ArgumentError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_choice(name: str, value, choices) -> str:
    """Return ``value`` (lower-cased) if it is one of ``choices``.

    The error message lists every valid name, so that a typo is easy to fix.
    """
    choices = list(choices)
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{name} must be one of {choices}, got {_show(value)}")
    key = value.strip().lower()
    if key not in choices:
        raise ArgumentError(f"{name} must be one of {choices}, got {value!r}")
    return key


def check_array(
    name: str, value, ndim: int | None = None, shape=None, min_size: int = 1
) -> np.ndarray:
    """Return ``value`` as a float64 array with finite, real entries.

    ``shape`` may contain ``None`` for "any size along this axis".  Strings, complex
    numbers, NaN and infinity are refused, and so is an array with fewer than
    ``min_size`` entries (by default an empty one): a statistic of no numbers is
    not a number.
    """
    try:
        raw = np.asarray(value)
        if raw.dtype.kind not in "biuf":  # strings, complex numbers, objects
            raise TypeError
        array = raw.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"{name} must be an array of real numbers, got {_show(value)}") from None
    if ndim is not None and array.ndim != ndim:
        raise ArgumentError(f"{name} must be a {ndim}-D array, got shape {array.shape}")
    if shape is not None:
        expected = tuple(shape)
        ok = array.ndim == len(expected) and all(
            e is None or e == a for e, a in zip(expected, array.shape)
        )
        if not ok:
            wanted = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
            raise ArgumentError(f"{name} must have shape {wanted}, got {array.shape}")
    if array.size < min_size:
        raise ArgumentError(
            f"{name} must have at least {min_size} entr{'y' if min_size == 1 else 'ies'}, "
            f"got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise ArgumentError(
            f"{name} must contain only finite numbers, but {bad} of its {array.size} "
            "entries are NaN or infinite"
        )
    return array


def check_bool(name: str, value) -> bool:
    """Return ``value`` if it is True or False (numpy's bools too), or raise a clear error.

    ``"no"`` or ``0`` are refused rather than guessed at: ``bool("no")`` is True.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be True or False, got {_show(value)}")
    return bool(value)


def as_generator(rng, name: str = "rng") -> np.random.Generator:
    """Turn ``rng`` into a ``numpy.random.Generator``.

    Parameters
    ----------
    rng : None, int or numpy.random.Generator
        ``None`` gives fresh, unpredictable randomness; an int >= 0 is a seed, so
        that the same seed always gives the same numbers; a Generator is used as is
        (and advanced), which is how a sequence of draws stays reproducible.
    """
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)):
        if rng < 0:
            raise ArgumentError(f"{name} must be a seed >= 0, got {int(rng)}")
        return np.random.default_rng(int(rng))
    raise ArgumentTypeError(
        f"{name} must be None, an integer seed >= 0 or a numpy.random.Generator, "
        f"got {_show(rng)}"
    )


def check_labels(
    name: str, value, n_classes: int | None = None, n: int | None = None, rows_of: str = "x"
) -> np.ndarray:
    """Return ``value`` as a 1-D integer array of class labels, or raise a clear error.

    The labels must be integers (whole numbers stored as floats are refused: they
    hide a bug more often than not), in 0..n_classes-1 if given, and ``n`` of them
    if given: one per row of the samples they go with (the argument ``rows_of``).
    """
    labels = np.asarray(value)
    count = "" if n is None else f"{n} "
    if labels.dtype.kind not in "iu":
        hint = f" (use {name}.astype(int))" if labels.dtype.kind in "fb" else ""
        raise ArgumentError(f"{name} must be {count}integer class labels, got dtype {labels.dtype}{hint}")
    if labels.ndim != 1 or (n is not None and len(labels) != n):
        rows = "in a 1-D array" if n is None else f"in a 1-D array, one per row of {rows_of}"
        raise ArgumentError(f"{name} must be {count}integer class labels {rows}, got shape {labels.shape}")
    if n_classes is not None and labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ArgumentError(f"{name} must lie in 0..{n_classes - 1}, got {labels.min()}..{labels.max()}")
    return labels


def check_real(name: str, value) -> np.ndarray:
    """Return ``value`` as a numpy array of real numbers (float32 stays float32), inf and NaN allowed.

    For functions meant to show what happens to any number, such as an activation
    (tanh(inf) = 1): only booleans, strings, None, complex numbers and other objects
    are refused.  Data a statistic is computed from goes through ``check_array`` instead.
    """
    try:
        raw = np.asarray(value)
        if raw.dtype.kind not in "iuf":  # booleans, strings, complex numbers, objects
            raise TypeError
    except (TypeError, ValueError):
        raise ArgumentTypeError(f"{name} must be a number or an array of real numbers, got {_show(value)}") from None
    return raw


def check_nonnegative(name: str, value, maximum: float = math.inf) -> np.ndarray:
    """Return ``value``, a number or an array of numbers in [0, maximum], as float64 (0-d for a number).

    A single number is checked as by ``check_float`` (no bools, no strings), an array
    (a 0-d one too) as by ``check_array`` (real, finite, not empty); then the range.
    """
    if np.ndim(value) == 0 and not isinstance(value, np.ndarray):
        return np.asarray(check_float(name, value, minimum=0.0, maximum=maximum))
    array = check_array(name, value)
    if np.any(array < 0) or np.any(array > maximum):
        allowed = ">= 0" if maximum == math.inf else f"in [0, {maximum:g}]"
        raise ArgumentError(f"{name} must hold numbers {allowed}, got {array.min():g} .. {array.max():g}")
    return array


def check_float_array(name: str, value, ndim: int | None = None) -> np.ndarray:
    """``check_array``, except that a float32 array stays float32 and a valid float array is not copied.

    For the big arrays of the experiments (weight matrices, a layer's activations),
    where float32 is a deliberate choice and a float64 copy would double the memory.
    """
    if (isinstance(value, np.ndarray) and value.dtype in (np.float32, np.float64) and value.size
            and (ndim is None or value.ndim == ndim) and np.isfinite(value).all()):
        return value
    return check_array(name, value, ndim=ndim)


def check_dict(name: str, value, kind=None, what: str = "values") -> dict:
    """Return ``value`` if it is a non-empty dict, e.g. the ``{label: result}`` a figure draws.

    With ``kind`` (a type or a tuple of types) every value must be one, and the
    error names the entry: ``runs['he'] must be a PropagationResult, got str``.
    """
    if not isinstance(value, dict) or not value:
        raise ArgumentTypeError(f"{name} must be a non-empty dict {{label: {what}}}, got {_show(value)}")
    for key, item in value.items():
        if kind is not None and not isinstance(item, kind):
            raise ArgumentTypeError(f"{name}[{key!r}] must be a {what}, got {_show(item)}")
    return value
