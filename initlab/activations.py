"""Activation functions and their derivatives.

Each activation is an :class:`Activation` with

- ``function(z)``: the value phi(z), elementwise;
- ``derivative(z)``: phi'(z), elementwise, used by back-propagation;
- ``derivative_from_output(h)``: the same slope written with the output h = phi(z)
  (tanh' = 1 - h^2, sigmoid' = h (1 - h)), which saves recomputing phi;
- ``is_saturated(h)``: which outputs ``h = phi(z)`` sit in a flat tail, where
  phi'(z) is nearly 0 and almost no gradient gets through (``None`` for
  activations without flat tails).

Resolve one by name with ``get("tanh")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .checks import ArgumentTypeError, check_choice, check_float, check_real

__all__ = [
    "Activation",
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "linear",
    "get",
    "names",
    "SATURATION_LEVEL",
]

#: A tanh output with |h| > 0.99, or a sigmoid output below 0.01 or above 0.99,
#: counts as saturated.  There tanh'(z) < 0.02 (vs. 1 at z = 0) and
#: sigmoid'(z) < 0.0099 (vs. 0.25 at z = 0): the unit passes back less than 4% of
#: the gradient it would pass at its centre.
SATURATION_LEVEL = 0.99


@dataclass(frozen=True)
class Activation:
    """An activation function phi with its derivative.

    Attributes
    ----------
    name : str
    function : callable, z -> phi(z)
    derivative : callable, z -> phi'(z)
    derivative_from_output : callable, h -> phi'(z) where h = phi(z)
    is_saturated : callable h -> bool array, or None when phi has no flat tails
    """

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]
    derivative_from_output: Callable[[np.ndarray], np.ndarray]
    is_saturated: Optional[Callable[[np.ndarray], np.ndarray]] = None

    def __post_init__(self):
        """Check the parts, and make each one refuse what is not a real number (a string, None, 1j) by name."""
        if not isinstance(self.name, str):
            raise ArgumentTypeError(f"name must be a string, got {self.name!r}")
        for part, argument in (("function", "z"), ("derivative", "z"), ("derivative_from_output", "h"),
                               ("is_saturated", "h")):
            function = getattr(self, part)
            if function is None and part == "is_saturated":
                continue
            if not callable(function):
                raise ArgumentTypeError(f"{part} must be a function of an array, e.g. np.tanh, got {function!r}")
            object.__setattr__(self, part, _on_real_numbers(function, argument))

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def _on_real_numbers(function, argument):
    """``function`` applied to its input as a numpy array, after refusing strings, None and complex numbers.

    Lists work like arrays; inf is allowed (tanh(inf) = 1), and NaN gives NaN, as in numpy.
    """

    def checked(values):
        return function(check_real(argument, values))

    checked.__doc__ = function.__doc__
    return checked


# --- tanh ------------------------------------------------------------------
def _tanh_derivative(z):
    """tanh'(z) = 1 - tanh(z)^2."""
    return 1.0 - np.tanh(z) ** 2


tanh = Activation(
    "tanh",
    np.tanh,
    _tanh_derivative,
    derivative_from_output=lambda h: 1.0 - h * h,
    is_saturated=lambda h: np.abs(h) > SATURATION_LEVEL,
)


# --- sigmoid -----------------------------------------------------------------
def _sigmoid(z):
    """sigmoid(z) = 1 / (1 + exp(-z)), written via tanh so that it never overflows.

    The identity sigmoid(z) = (1 + tanh(z / 2)) / 2 gives the same numbers as the
    textbook formula but no overflow warning for z = -1000.
    """
    s = np.tanh(np.multiply(z, 0.5))
    s += 1.0
    s *= 0.5
    return s


def _sigmoid_derivative(z):
    """sigmoid'(z) = sigmoid(z) * (1 - sigmoid(z)); its largest value is 1/4, at 0."""
    s = _sigmoid(z)
    return s * (1.0 - s)


sigmoid = Activation(
    "sigmoid",
    _sigmoid,
    _sigmoid_derivative,
    derivative_from_output=lambda h: h * (1.0 - h),
    is_saturated=lambda h: np.abs(2.0 * h - 1.0) > 2.0 * SATURATION_LEVEL - 1.0,
)


# --- ReLU ------------------------------------------------------------------
def _relu(z):
    """relu(z) = max(z, 0)."""
    return np.maximum(z, 0.0)


def _relu_derivative(z):
    """relu'(z) = 1 for z > 0, else 0 (the value 0 is used at z = 0)."""
    return (z > 0).astype(np.result_type(z, np.float32))


relu = Activation("relu", _relu, _relu_derivative, derivative_from_output=_relu_derivative)


# --- leaky ReLU ----------------------------------------------------------------
def leaky_relu(slope=0.01):
    """Make a leaky ReLU: phi(z) = z for z > 0, slope * z otherwise.

    The default slope 0.01 is PyTorch's ``negative_slope``.  ``get("leaky_relu")``
    returns this default.
    """
    slope = check_float("slope", slope, minimum=0.0, maximum=1.0)

    def function(z):
        return np.where(z > 0, z, slope * z)

    def derivative(z):
        return np.where(z > 0, 1.0, slope).astype(np.result_type(z, np.float32))

    # the output has the sign of z, so the same function gives the slope from h
    return Activation("leaky_relu" if slope == 0.01 else f"leaky_relu({slope:g})", function, derivative,
                      derivative_from_output=derivative)


# --- linear ------------------------------------------------------------------
def _identity(z):
    """phi(z) = z."""
    return np.asarray(z)


def _ones_like(z):
    """phi'(z) = 1."""
    return np.ones_like(z)


linear = Activation("linear", _identity, _ones_like, derivative_from_output=_ones_like)


_BY_NAME = {
    "tanh": tanh,
    "sigmoid": sigmoid,
    "relu": relu,
    "leaky_relu": leaky_relu(0.01),
    "linear": linear,
}


def names() -> list[str]:
    """The activation names ``get`` understands."""
    return list(_BY_NAME)


def get(name_or_activation) -> Activation:
    """Resolve ``"tanh"``, ``"sigmoid"``, ``"relu"``, ``"leaky_relu"`` or ``"linear"``.

    An :class:`Activation` is returned unchanged.
    """
    if isinstance(name_or_activation, Activation):
        return name_or_activation
    key = check_choice("activation", name_or_activation, _BY_NAME)
    return _BY_NAME[key]
