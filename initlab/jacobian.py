"""The input-output Jacobian of a deep network and its singular values (notebook 08).

Row vectors, as everywhere in initlab: z_l = h_{l-1} W_l + b_l and h_l = phi(z_l),
with W_l of shape (fan_in, fan_out).  A small change dh_0 of the input moves the
output by dh_L = dh_0 J, with

    J = W_1 D_1 W_2 D_2 ... W_L D_L,      D_l = diag(phi'(z_l)),

so J[i, j] = d h_L[j] / d h_0[i], shape (n_0, n_L).  (The column-vector Jacobian
of textbooks, D_L W_L^T ... D_1 W_1^T, is its transpose: the same singular
values.)  ``jacobian`` builds J layer by layer, ``finite_difference_jacobian``
checks it, and ``jacobian_spectra`` draws a network and returns the singular
values of J at several depths beside the predictions of ``initlab.isometry``.

PyTorch: ``torch.autograd.functional.jacobian(net, x)`` gives J's transpose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import activations as _activations
from . import initializers as _initializers
from . import isometry as _isometry
from . import meanfield as _meanfield
from . import theory as _theory
from .checks import ArgumentError, ArgumentTypeError, as_generator, check_array, check_choice, check_float, check_int
from .distributions import MAX_ENTRIES
from .propagation import MAX_WORK

__all__ = ["WEIGHTS", "forward", "jacobians_by_layer", "jacobian", "finite_difference_jacobian", "tolerance",
           "condition_number", "fixed_point_input_variance", "FADED_INPUT_VARIANCE", "unit_network", "JacobianSpectra",
           "jacobian_spectra", "spectra_of"]

#: The two weight families of the lesson at unit scale; a network uses sigma_w times
#: these: Var(W) = sigma_w^2 / fan_in (Gaussian) or W = sigma_w Q, Q orthogonal.
WEIGHTS = {"gaussian": _initializers.lecun_normal(), "orthogonal": _initializers.orthogonal()}


def forward(x, weights, activation="tanh", biases=None):
    """h_L for one input x (n_0,) or a batch (n_samples, n_0): h_l = phi(h_{l-1} W_l + b_l)."""
    x = check_array("x", x)
    if x.ndim not in (1, 2):
        raise ArgumentError(f"x must be one input (n_0,) or a batch (n_samples, n_0), got shape {x.shape}")
    return _forward(x, *_checked_network(x.shape[-1], weights, biases), activation)


def _forward(x, weights, biases, activation):
    act = _activations.get(activation)
    h = x
    for layer, w in enumerate(weights):
        h = act.function(h @ w if biases is None else h @ w + biases[layer])
    return h


def _checked_network(width, weights, biases):
    """(weights, biases) as lists of float arrays that chain from an input of ``width``, or a clear error."""
    sequences = (list, tuple, np.ndarray)  # a 3-D array is a stack of matrices
    if not isinstance(weights, sequences):
        raise ArgumentTypeError(f"weights must be a list of matrices, one per layer, got {weights!r:.60}")
    if len(weights) == 0:
        raise ArgumentError("weights must hold at least one matrix")
    if biases is not None and (not isinstance(biases, sequences) or len(biases) != len(weights)):
        raise ArgumentError(f"biases must be None or a list of one vector per layer ({len(weights)}), "
                            f"got {biases!r:.60}")
    checked_weights, checked_biases = [], None if biases is None else []
    for layer, w in enumerate(weights):
        w = check_array(f"weights[{layer}]", w, shape=(width, None))
        checked_weights.append(w)
        if biases is not None:
            checked_biases.append(check_array(f"biases[{layer}]", biases[layer], shape=(w.shape[1],)))
        width = w.shape[1]
    return checked_weights, checked_biases


def _checked(x, weights, biases):
    x = check_array("x", x, ndim=1)
    return (x, *_checked_network(x.shape[0], weights, biases))


def jacobians_by_layer(x, weights, activation="tanh", biases=None):
    """Yield J_1, J_2, ..., J_L, the Jacobian of h_l with respect to x after each layer (one forward pass).

    J_l = J_{l-1} W_l D_l: multiply by W_l, then scale column j by phi'(z_l[j]).
    ``x`` is trusted here (``jacobian`` checks it).
    """
    act = _activations.get(activation)
    h, product = x, None
    for layer, w in enumerate(weights):
        z = h @ w if biases is None else h @ w + biases[layer]
        slope = act.derivative(z)
        product = w * slope if product is None else (product @ w) * slope
        h = act.function(z)
        yield product


def jacobian(x, weights, activation="tanh", biases=None) -> np.ndarray:
    """J = W_1 D_1 ... W_L D_L at the input ``x`` (1-D, length n_0): shape (n_0, n_L)."""
    x, weights, biases = _checked(x, weights, biases)
    for product in jacobians_by_layer(x, weights, activation, biases):
        pass
    return product


def finite_difference_jacobian(x, weights, activation="tanh", biases=None, step=1e-6) -> np.ndarray:
    """J by central differences: row i is (h_L(x + step e_i) - h_L(x - step e_i)) / (2 step).

    All 2 n_0 shifted inputs go through the network as one batch.  The error is
    of order step^2 (curvature) plus 1e-16 / step (rounding): about 1e-10 at 1e-6.
    """
    x, weights, biases = _checked(x, weights, biases)
    step = check_float("step", step, strictly_positive=True)
    shifts = step * np.eye(x.shape[0])
    up = _forward(x + shifts, weights, biases, activation)
    down = _forward(x - shifts, weights, biases, activation)
    return (up - down) / (2 * step)


def _spectrum(singular_values, shape):
    """The singular values (>= 0) and the matrix's shape (two sizes), checked."""
    values = check_array("singular_values", singular_values)
    if np.any(values < 0):
        raise ArgumentError(f"singular_values must be >= 0, got {values.min():g}")
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise ArgumentTypeError(f"shape must be the matrix's (rows, columns), got {shape!r}")
    return values, [check_int(f"shape[{k}]", n, minimum=1) for k, n in enumerate(shape)]


def tolerance(singular_values, shape) -> float:
    """max(shape) * eps * s_max: below it float64 cannot tell a singular value from 0 (as numpy's matrix_rank)."""
    singular_values, shape = _spectrum(singular_values, shape)
    return max(shape) * np.finfo(np.float64).eps * float(np.max(singular_values))


def condition_number(singular_values, shape) -> float:
    """s_max / s_min, or inf when s_min is below ``tolerance`` (then J is singular to float64)."""
    singular_values, shape = _spectrum(singular_values, shape)
    smallest = float(np.min(singular_values))
    if smallest <= tolerance(singular_values, shape):
        return math.inf
    return float(np.max(singular_values)) / smallest


#: The input variance used when the length map's fixed point is q* = 0 (tanh with
#: sigma_w <= 1 and no bias): small enough that every unit works in its linear part.
FADED_INPUT_VARIANCE = 1e-8


def fixed_point_input_variance(sigma_w, sigma_b, activation) -> float:
    """Var(x) that puts layer 1 at the fixed point q*: sigma_w^2 Var(x) + sigma_b^2 = q*.

    When q* = 0 (the signal fades away), ``FADED_INPUT_VARIANCE``; when q* is
    infinite (ReLU with sigma_w^2 > 2, linear with sigma_w > 1: networks whose
    Jacobian does not depend on the input's scale), 1.
    """
    sigma_w = check_float("sigma_w", sigma_w, strictly_positive=True)
    q_star = _meanfield.fixed_point_q(sigma_w, sigma_b, activation)
    if q_star == 0.0:
        return FADED_INPUT_VARIANCE
    if q_star == math.inf:
        return 1.0
    return max(q_star - sigma_b**2, 0.0) / sigma_w**2


def unit_network(init, width, depth, first=0, rng=None) -> tuple:
    """(x, weights, biases) of a square network at unit scale, layers first+1..depth.

    x ~ N(0, 1) has length ``width``; weights are ``WEIGHTS[init]`` draws and biases
    N(0, 1).  Layer k comes from its own random stream, so a deeper network built
    from the same seed keeps every earlier layer, and ``first`` draws only the
    layers after it (the explorer adds layers this way).
    """
    init = check_choice("init", init, WEIGHTS)
    width = check_int("width", width, minimum=1)
    depth = check_int("depth", depth, minimum=1)
    first = check_int("first", first, minimum=0, maximum=depth)
    if (depth - first) * width**2 > MAX_ENTRIES:
        raise ArgumentError(f"{depth - first} layers of width {width} hold {(depth - first) * width ** 2:,} weights; "
                            f"unit_network draws at most {MAX_ENTRIES:,} at once (reduce the depth or the width)")
    x_rng, weight_rng, bias_rng = as_generator(rng).spawn(3)
    weight_streams, bias_streams = weight_rng.spawn(depth), bias_rng.spawn(depth)
    weights = [WEIGHTS[init](width, width, weight_streams[k]) for k in range(first, depth)]
    biases = [bias_streams[k].standard_normal(width) for k in range(first, depth)]
    return x_rng.standard_normal(width), weights, biases


@dataclass
class JacobianSpectra:
    """The singular values of J at several depths of one network, with the wide-network predictions.

    Attributes
    ----------
    init, activation : str
    width : int
    sigma_w, sigma_b, input_variance : float
    depths : tuple of int
    singular_values : dict {depth: ndarray}, largest first
    mean_square_by_layer : ndarray, mean(s^2) = ||J||_F^2 / n after every layer 1..L
    active_by_layer : ndarray, the units of each layer with phi'(z) != 0 (J's non-zero columns);
        rank(J) can be no larger than the fewest of them
    q : ndarray, the mean-field pre-activation variance of every layer
    predicted_mean_square, predicted_relative_variance : ndarray, ``isometry.jacobian_moments`` per layer
    """

    init: str
    activation: str
    width: int
    sigma_w: float
    sigma_b: float
    input_variance: float
    depths: tuple
    singular_values: dict
    mean_square_by_layer: np.ndarray
    active_by_layer: np.ndarray
    q: np.ndarray
    predicted_mean_square: np.ndarray
    predicted_relative_variance: np.ndarray

    def mean_square(self, depth) -> float:
        """mean(s^2) at ``depth``: chi_1^depth at the fixed point."""
        return float(np.mean(self.singular_values[depth] ** 2))

    def relative_variance(self, depth) -> float:
        """var(s^2) / mean(s^2)^2 at ``depth``: 0 for an isometry."""
        squares = self.singular_values[depth] ** 2
        return float(squares.var() / squares.mean() ** 2)

    def condition(self, depth) -> float:
        """s_max / s_min at ``depth`` (inf when s_min is below float64's resolution)."""
        return condition_number(self.singular_values[depth], (self.width, self.width))

    def rank(self, depth) -> int:
        """How many singular values float64 tells from 0 (a ReLU layer switches off about half)."""
        values = self.singular_values[depth]
        return int(np.sum(values > tolerance(values, (self.width, self.width))))

    def table(self) -> str:
        """One line per depth: measured against predicted mean(s^2) and spread, s_max, condition."""
        lines = [f"{self.init} weights, {self.activation}, sigma_w = {self.sigma_w:.4g}, sigma_b = {self.sigma_b:.3g}, "
                 f"width {self.width}",
                 f"{'depth':>5}  {'mean s^2':>8} {'theory':>7}  {'var/mean^2':>10} {'theory':>7}  {'s_max':>7}  "
                 f"{'condition':>9}"]
        for depth in self.depths:
            condition = self.condition(depth)
            shown = f"{condition:9.3g}" if math.isfinite(condition) else f"{'> 1e13':>9}"
            lines.append(f"{depth:>5}  {self.mean_square(depth):8.3f} {self.predicted_mean_square[depth - 1]:7.3f}  "
                         f"{self.relative_variance(depth):10.3f} {self.predicted_relative_variance[depth - 1]:7.3f}  "
                         f"{self.singular_values[depth][0]:7.3f}  {shown}")
        return "\n".join(lines)


def jacobian_spectra(init="orthogonal", activation="tanh", depths=(10,), width=300, sigma_w=1.0, sigma_b=0.0,
                     input_variance=None, rng=None) -> JacobianSpectra:
    """Draw a square network and return the singular values of its Jacobian J at each of ``depths``.

    Parameters
    ----------
    init : {"gaussian", "orthogonal"}
        W_l = sigma_w * (N(0, 1/width) entries) or sigma_w * (a Haar orthogonal matrix).
    activation : str or Activation
    depths : int or sequence of int
        The network has max(depths) layers; J is taken after each depth listed.
    width : int
    sigma_w, sigma_b : float
        Weight scale and bias std (biases N(0, sigma_b^2)).
    input_variance : float, optional
        The input is x ~ N(0, input_variance) (one input).  Default: the value that
        puts layer 1 at the fixed point q* (``fixed_point_input_variance``).
    rng : None, int or numpy.random.Generator
    """
    init = check_choice("init", init, WEIGHTS)
    act = _activations.get(activation)
    if isinstance(depths, (str, bytes)) or np.size(depths) == 0:
        raise ArgumentTypeError(f"depths must be a depth or a list of depths (integers >= 1), got {depths!r}")
    depths = tuple(sorted({check_int("depths entry", d, minimum=1) for d in np.atleast_1d(depths).tolist()}))
    width = check_int("width", width, minimum=1)
    sigma_w = check_float("sigma_w", sigma_w, strictly_positive=True)
    sigma_b = check_float("sigma_b", sigma_b, minimum=0.0)
    if input_variance is None:
        input_variance = fixed_point_input_variance(sigma_w, sigma_b, act)
    input_variance = check_float("input_variance", input_variance, minimum=0.0)
    depth = depths[-1]
    if 2.0 * depth * width**3 > MAX_WORK:
        raise ArgumentError(f"depth {depth} x width {width} needs {2.0 * depth * width ** 3:.2g} multiply-adds; "
                            f"jacobian_spectra allows at most {MAX_WORK:.0e} (reduce the depth or the width)")
    return spectra_of(unit_network(init, width, depth, rng=rng), init, act, depths, sigma_w, sigma_b, input_variance)


def spectra_of(unit, init, activation, depths, sigma_w, sigma_b, input_variance) -> JacobianSpectra:
    """The work of ``jacobian_spectra`` on a network already drawn at unit scale (the explorer keeps one).

    ``unit`` is (x, weights, biases) as ``unit_network`` returns them, with at
    least max(depths) layers; the network used is sqrt(input_variance) x,
    sigma_w W_l and sigma_b b_l.  Arguments are trusted (``jacobian_spectra`` checks them).
    """
    act = _activations.get(activation)
    depth = depths[-1]
    x = np.sqrt(input_variance) * unit[0]
    weights = [sigma_w * w for w in unit[1][:depth]]
    biases = [sigma_b * b for b in unit[2][:depth]] if sigma_b > 0 else None
    width = x.shape[0]
    singular_values, mean_square, active = {}, np.empty(depth), np.empty(depth, dtype=int)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported just below
        for layer, product in enumerate(jacobians_by_layer(x, weights, act, biases), start=1):
            mean_square[layer - 1] = float(np.sum(product * product)) / width
            if not math.isfinite(mean_square[layer - 1]) or not np.any(product):
                what = "overflows float64" if np.any(product) else "is 0 (every path switched off, or underflowed)"
                raise ArgumentError(f"the Jacobian {what} at layer {layer} ({act.name}, sigma_w={sigma_w:g}): its "
                                    f"spectrum cannot be measured; use fewer layers (depths) or a sigma_w closer to 1")
            active[layer - 1] = np.count_nonzero(np.any(product != 0.0, axis=0))
            if layer in depths:
                singular_values[layer] = np.linalg.svd(product, compute_uv=False)
    q = _theory.mean_field(depth, sigma_w, sigma_b, act, input_second_moment=float(np.mean(x * x))).q
    predicted_mean_square, predicted_relative_variance = _isometry.jacobian_moments(q, sigma_w, act, init)
    return JacobianSpectra(init, act.name, width, sigma_w, sigma_b, input_variance, tuple(depths), singular_values,
                           mean_square, active, q, predicted_mean_square, predicted_relative_variance)
