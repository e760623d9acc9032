"""A small multilayer perceptron in numpy, trained with mini-batch SGD.

The network of the course's source material, written out in full so that every
line can be read::

    z_l = a_{l-1} @ W_l + b_l        W_l has shape (n_{l-1}, n_l)
    a_l = phi(z_l)                   hidden layers: the chosen activation
    a_L = sigmoid(z_L)               output layer: always sigmoid

Costs, for a mini-batch of m samples with one-hot targets y (summed over
outputs, averaged over samples):

- ``"cross_entropy"``: C = -mean(sum(y ln a + (1 - y) ln(1 - a))); its output
  error is simply delta_L = a_L - y;
- ``"quadratic"``: C = mean(sum((a - y)^2)) / 2, with delta_L = (a_L - y) * sigmoid'(z_L).

Back-propagation, vectorised over the whole mini-batch (no loop over samples)::

    dW_l = a_{l-1}.T @ delta_l / m          db_l = mean(delta_l)
    delta_{l-1} = (delta_l @ W_l.T) * phi'(z_{l-1})

SGD with L2 weight decay, in the factor form of the source material (n is the
size of the whole training set, eta the learning rate, lambda the regulariser)::

    W <- (1 - eta * lambda / n) * W - eta * dW
    b <- b - eta * db
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import activations as _activations
from . import initializers as _initializers
from .checks import (ArgumentError, ArgumentTypeError, as_generator, check_array, check_bool, check_choice, check_float,
                     check_int, check_labels)

__all__ = ["MLP", "ForwardPass", "History", "one_hot", "gradient_check", "COSTS", "MAX_PARAMETERS",
           "GRADIENT_CHECK_WORK"]

COSTS = ("cross_entropy", "quadratic")
_BIAS_INIT = _initializers.normal(1.0)  # the course material's N(0, 1) biases
#: The largest network (in parameters) and one-hot matrix (in entries) built: 400 MB of float64,
#: the same limit as one initializer draw.  A bigger one is almost always a typo (``[784, 100000, 10]``).
MAX_PARAMETERS = _initializers.MAX_ENTRIES
#: gradient_check's budget in multiply-adds (its forward passes together): a few seconds at most on a laptop.
GRADIENT_CHECK_WORK = 2 * 10**9


def one_hot(labels, n_classes) -> np.ndarray:
    """Integer labels (n,) as a one-hot float matrix (n, n_classes)."""
    n_classes = check_int("n_classes", n_classes, minimum=1)
    labels = check_labels("labels", labels, n_classes)
    if labels.size * n_classes > MAX_PARAMETERS:
        raise ArgumentError(f"n_classes={n_classes:,} for {labels.size:,} labels makes a matrix of "
                            f"{labels.size * n_classes:,} entries; one_hot makes at most {MAX_PARAMETERS:,}")
    targets = np.zeros((labels.size, n_classes))
    targets[np.arange(labels.size), labels] = 1.0
    return targets


@dataclass
class History:
    """Per-epoch record of a training run (index 0 is after epoch 1).

    ``train_cost`` and ``train_accuracy`` stay empty with ``fit(monitor_training=False)``.
    ``diverged_at`` is the epoch whose updates overflowed (eta too large), where training
    stopped: the lists then hold the epochs before it.
    """

    train_cost: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    validation_cost: list = field(default_factory=list)
    validation_accuracy: list = field(default_factory=list)
    diverged_at: int | None = None


@dataclass
class ForwardPass:
    """Every layer's values for a batch: ``z[l]`` = z_{l+1}, ``a[l]`` = a_l (``a[0]`` is the input).

    ``a[1]`` is the first hidden layer's output, ``output`` the network's (sigmoid) output.
    """

    z: list
    a: list

    @property
    def output(self) -> np.ndarray:
        return self.a[-1]


class MLP:
    """A fully connected network with sigmoid outputs.

    Parameters
    ----------
    sizes : list of int
        Units per layer, input first: ``[784, 30, 10]`` (at most ``MAX_PARAMETERS`` weights and biases).
    activation : str or Activation
        Activation of the hidden layers (the output layer is always sigmoid).
    weight_init : str or initializer
        Initializer of every weight matrix, e.g. ``"lecun_normal"`` (the course's
        "new" N(0, 1/n_in)) or ``initializers.normal(1.0)`` (the "old" N(0, 1)).
    bias_init : str or initializer
        Initializer of the biases, called as ``bias_init(1, n_out, rng)``; the
        default is the course's N(0, 1), ``"zeros"`` gives zeros.
    cost : {"cross_entropy", "quadratic"}
    rng : None, int or numpy.random.Generator
        Draws the initial parameters.
    """

    def __init__(self, sizes, activation="sigmoid", weight_init="lecun_normal", bias_init=_BIAS_INIT,
                 cost="cross_entropy", rng=None):
        if not isinstance(sizes, (list, tuple, np.ndarray)) or len(sizes) < 2:
            raise ArgumentError(f"sizes must list at least an input and an output size, e.g. [784, 30, 10], "
                                f"got {sizes!r}")
        self.sizes = [check_int(f"sizes[{i}]", s, minimum=1) for i, s in enumerate(sizes)]
        n_parameters = sum((n_in + 1) * n_out for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]))
        if n_parameters > MAX_PARAMETERS:
            raise ArgumentError(f"sizes {self.sizes} make {n_parameters:,} weights and biases "
                                f"({8 * n_parameters / 1e9:.1f} GB); MLP builds at most {MAX_PARAMETERS:,}")
        self.activation = _activations.get(activation)
        self.cost = check_choice("cost", cost, COSTS)
        rng = as_generator(rng)
        self.weights = [_draw("weight_init", weight_init, (n_in, n_out), rng)
                        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]
        self.biases = [_draw("bias_init", bias_init, (1, n_out), rng).reshape(n_out) for n_out in self.sizes[1:]]

    # ------------------------------------------------------------------ forward
    def forward(self, x) -> ForwardPass:
        """Every layer's pre-activations z and activations a for the inputs x.

        ``forward(x).a[1]`` is the first hidden layer's output, shape (n_samples, sizes[1]).
        Values that overflow are reported (with the layer), never returned as NaN.
        """
        return self._forward_finite(self._check_inputs(x))

    def _forward(self, x) -> ForwardPass:
        result = ForwardPass(z=[], a=[x])
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = result.a[-1] @ w + b
            result.z.append(z)
            result.a.append(_activations.sigmoid.function(z) if i == last else self.activation.function(z))
        return result

    def _forward_finite(self, x) -> ForwardPass:
        """``_forward``, with an overflow reported (the layer, the sizes of x and W) instead of NaN outputs."""
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is detected just below
            result = self._forward(x)
        for layer, z in enumerate(result.z, start=1):
            if not np.all(np.isfinite(z)):
                raise self._overflow(x, f"at layer {layer}")
        return result

    def _overflow(self, x, where) -> ArgumentError:
        """The error for values that overflow ``where``, with the sizes of the inputs and weights behind them."""
        return ArgumentError(f"x: the network's values overflow {where} (|x| up to {np.abs(x).max():.3g}, |W| up to "
                             f"{max(np.abs(w).max() for w in self.weights):.3g}): scale the inputs down, or, if "
                             "training diverged, start again with a smaller eta")

    def predict_proba(self, x) -> np.ndarray:
        """The sigmoid outputs a_L, shape (n_samples, n_outputs)."""
        return self.forward(x).output

    def predict(self, x) -> np.ndarray:
        """The predicted class of each sample: the index of the largest output."""
        return np.argmax(self.predict_proba(x), axis=1)

    def accuracy(self, x, labels) -> float:
        """Fraction of samples whose predicted class equals the label."""
        x = self._check_inputs(x)
        labels = self._check_labels(labels, len(x))
        return float(np.mean(np.argmax(self._forward_finite(x).output, axis=1) == labels))

    def cost_value(self, x, labels, lmbda=0.0, n_train=None) -> float:
        """The cost on (x, labels) plus the L2 term lambda / (2 n) * sum(W^2); ``inf`` if it overflows."""
        x = self._check_inputs(x)
        y = one_hot(self._check_labels(labels, len(x)), self.sizes[-1])
        lmbda = check_float("lmbda", lmbda, minimum=0.0)
        n_train = len(x) if n_train is None else check_int("n_train", n_train, minimum=1)
        return self._cost(x, y, lmbda, n_train)

    def _cost(self, x, y, lmbda, n_train, z_out=None) -> float:
        """The cost of the one-hot targets y (z_out: the output layer's z, if known); ``inf`` if it overflows."""
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported as an infinite cost
            z_out = self._forward(x).z[-1] if z_out is None else z_out
            if self.cost == "cross_entropy":
                # ln a = -log(1 + exp(-z)) and ln(1 - a) = -log(1 + exp(z)), without overflow
                data_cost = np.mean(np.sum(y * np.logaddexp(0, -z_out) + (1 - y) * np.logaddexp(0, z_out), axis=1))
            else:
                a_out = _activations.sigmoid.function(z_out)
                data_cost = 0.5 * np.mean(np.sum((a_out - y) ** 2, axis=1))
            penalty = 0.5 * lmbda / n_train * sum(np.sum(w**2) for w in self.weights) if lmbda else 0.0
            cost = float(data_cost + penalty)
        return cost if math.isfinite(cost) else math.inf

    # ----------------------------------------------------------------- backward
    def gradients(self, x, targets):
        """Back-propagation for x (m, sizes[0]) and one-hot targets (m, sizes[-1]): the gradients of the data
        cost averaged over the batch, as two lists (weight_gradients, bias_gradients), one array per layer."""
        x, targets = self._check_inputs(x), check_array("targets", targets, shape=(len(x), self.sizes[-1]))
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is detected just below
            weight_gradients, bias_gradients = self._backpropagate(x, targets, scale=1.0 / x.shape[0])
        if not all(np.all(np.isfinite(g)) for g in weight_gradients + bias_gradients):
            raise self._overflow(x, "in back-propagation")
        return weight_gradients, bias_gradients

    def _backpropagate(self, x, targets, scale):
        """Summed gradients of the batch's cost, multiplied by ``scale``: scaling delta_L once scales every
        gradient built from it, so that ``sgd_step`` gets eta/m * gradient without a further pass."""
        activations = self._forward(x).a
        a_out = activations[-1]
        delta = a_out - targets  # dC/dz_L for cross-entropy with sigmoid outputs
        if self.cost == "quadratic":
            delta *= a_out * (1.0 - a_out)
        delta *= scale
        n_layers = len(self.weights)
        weight_gradients = [None] * n_layers
        bias_gradients = [None] * n_layers
        for i in reversed(range(n_layers)):
            weight_gradients[i] = activations[i].T @ delta
            bias_gradients[i] = delta.sum(axis=0)
            if i > 0:
                # phi'(z) from the layer's output h = phi(z): e.g. sigmoid' = h (1 - h)
                delta = delta @ self.weights[i].T
                delta *= self.activation.derivative_from_output(activations[i])
        return weight_gradients, bias_gradients

    def sgd_step(self, x, targets, eta, lmbda=0.0, n_train=1) -> bool:
        """One mini-batch step: W <- (1 - eta lambda / n) W - eta dW, b <- b - eta db.

        dW and db are the batch means of the gradients (n is the size of the whole
        training set, as in the course material's weight-decay factor).  Returns False
        if the step overflowed (eta too large: ``cost_value`` is then ``inf``), else True.
        """
        x, targets = self._check_inputs(x), check_array("targets", targets, shape=(len(x), self.sizes[-1]))
        eta = check_float("eta", eta, strictly_positive=True)
        lmbda = check_float("lmbda", lmbda, minimum=0.0)
        n_train = check_int("n_train", n_train, minimum=1)
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is detected just below and returned
            self._sgd_step(x, targets, eta, lmbda, n_train)
        return self._finite()

    def _sgd_step(self, x, targets, eta, lmbda, n_train):
        weight_steps, bias_steps = self._backpropagate(x, targets, scale=eta / x.shape[0])
        decay = 1.0 - eta * lmbda / n_train
        for w, b, w_step, b_step in zip(self.weights, self.biases, weight_steps, bias_steps):
            if decay != 1.0:
                w *= decay
            w -= w_step
            b -= b_step

    def _finite(self) -> bool:
        return all(np.all(np.isfinite(p)) for p in self.weights + self.biases)

    def fit(self, x, labels, epochs=10, batch_size=10, eta=0.1, lmbda=0.0, validation=None,
            rng=None, callback=None, monitor_training=True) -> History:
        """Train with mini-batch SGD and return the per-epoch ``History``.

        x (n, sizes[0]) and integer labels (n,); eta > 0 is the learning rate, lmbda >= 0
        the L2 regulariser (decay factor 1 - eta * lmbda / n); validation an optional pair
        (x_val, labels_val); rng seeds each epoch's shuffle; ``callback(epoch, history)``
        is called after every epoch (the training explorer redraws with it);
        monitor_training also measures cost and accuracy on the training set.

        An epoch whose updates overflow (eta too large: a weight or a cost is no longer
        finite) stops the training: the network gets back its parameters from before
        it, ``History.diverged_at`` names it, and a warning says so.
        """
        x = self._check_inputs(x)
        labels = self._check_labels(labels, len(x))
        epochs = check_int("epochs", epochs, minimum=1)
        batch_size = check_int("batch_size", batch_size, minimum=1)
        eta = check_float("eta", eta, strictly_positive=True)
        lmbda = check_float("lmbda", lmbda, minimum=0.0)
        if validation is not None:
            if not isinstance(validation, (tuple, list)) or len(validation) != 2:
                raise ArgumentTypeError("validation must be a pair (x_validation, labels_validation), "
                                        f"got {type(validation).__name__}")
            x_val = self._check_inputs(validation[0], "validation[0]")
            y_val = self._check_labels(validation[1], len(x_val), "validation[1]", "validation[0]")
        rng = as_generator(rng)
        if callback is not None and not callable(callback):
            raise ArgumentTypeError(f"callback must be a function callback(epoch, history), got {callback!r}")
        monitor_training = check_bool("monitor_training", monitor_training)
        targets, n, history = one_hot(labels, self.sizes[-1]), len(x), History()
        monitored = [(x, targets, labels, history.train_cost, history.train_accuracy)] if monitor_training else []
        if validation is not None:
            validation_targets = one_hot(y_val, self.sizes[-1])
            monitored.append((x_val, validation_targets, y_val, history.validation_cost, history.validation_accuracy))
        for epoch in range(1, epochs + 1):
            kept = [p.copy() for p in self.weights + self.biases]
            order = rng.permutation(n)  # a new shuffle every epoch
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected below and reported
                for start in range(0, n, batch_size):
                    batch = order[start:start + batch_size]
                    self._sgd_step(x[batch], targets[batch], eta, lmbda, n)
                measured = [self._measure(xs, ys, classes, lmbda, n) for xs, ys, classes, _, _ in monitored]
            if not self._finite() or not all(math.isfinite(cost) for cost, _ in measured):
                for p, old in zip(self.weights + self.biases, kept):
                    p[...] = old
                history.diverged_at = epoch
                warnings.warn(f"training diverged in epoch {epoch}: the weights or the cost overflowed, so it stopped "
                              f"there and the network keeps its parameters from before that epoch; try a smaller eta "
                              f"(got {eta:g})", stacklevel=2)
                break
            for (cost, accuracy), (*_, costs, accuracies) in zip(measured, monitored):
                costs.append(cost)
                accuracies.append(accuracy)
            if callback is not None:
                callback(epoch, history)
        return history

    def _measure(self, x, y, labels, lmbda, n_train) -> tuple:
        """(cost, accuracy) on x with one-hot targets y and their labels, from one forward pass."""
        result = self._forward(x)
        return self._cost(x, y, lmbda, n_train, result.z[-1]), float(np.mean(np.argmax(result.output, 1) == labels))

    # ------------------------------------------------------------------ checks
    def _check_inputs(self, x, name="x"):
        x = check_array(name, x)
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            hint = f" (one sample? write {name}.reshape(1, -1))" if x.shape == (self.sizes[0],) else ""
            raise ArgumentError(f"{name} must have shape (n_samples, {self.sizes[0]}), got {x.shape}{hint}")
        return x

    def _check_labels(self, labels, n, name="labels", rows_of="x"):
        return check_labels(name, labels, self.sizes[-1], n, rows_of)

    def __repr__(self) -> str:
        return f"MLP(sizes={self.sizes}, activation={self.activation.name!r}, cost={self.cost!r})"


def _draw(name, init, shape, rng) -> np.ndarray:
    """``init(*shape, rng)`` for an initializer or its name; a custom one must return finite numbers of that shape."""
    init = init if callable(init) else _initializers.get(check_choice(name, init, _initializers.names()))
    matrix = check_array(f"what {name} returned", init(*shape, rng))
    if matrix.shape != shape:
        raise ArgumentError(f"{name} must return shape {shape} when called with {shape}, got {matrix.shape}")
    return matrix


def gradient_check(network, x, labels, lmbda=0.0, n_train=None, epsilon=1e-5, max_parameters=20, rng=0) -> float:
    """Compare back-propagation with central finite differences.

    Each checked parameter p is nudged by +-epsilon and the slope (C(p + eps) - C(p - eps)) / (2 eps)
    compared with the back-propagated gradient (plus the L2 term lambda / n * W).  Each parameter
    costs two forward passes, so a network of more than ``max_parameters`` has a random sample of
    that many checked (drawn with ``rng``, as many from each weight matrix and bias vector), and a
    check that would take more than ``GRADIENT_CHECK_WORK`` multiply-adds is refused up front.

    Returns ||g_backprop - g_numeric|| / (||g_backprop|| + ||g_numeric||): below 1e-6, the two
    agree to about 7 digits.
    """
    if not isinstance(network, MLP):
        raise ArgumentTypeError(f"network must be an initlab.mlp.MLP, got {type(network).__name__}")
    x = network._check_inputs(x)
    y = one_hot(network._check_labels(labels, len(x)), network.sizes[-1])
    lmbda = check_float("lmbda", lmbda, minimum=0.0)
    n_train = len(x) if n_train is None else check_int("n_train", n_train, minimum=1)
    epsilon = check_float("epsilon", epsilon, strictly_positive=True, maximum=1.0)
    max_parameters = check_int("max_parameters", max_parameters, minimum=1)
    rng = as_generator(rng)
    arrays = network.weights + network.biases
    per_array = max(1, max_parameters // len(arrays)) if sum(p.size for p in arrays) > max_parameters else None
    picked = [np.arange(p.size) if per_array is None or p.size <= per_array else
              np.sort(rng.choice(p.size, per_array, replace=False)) for p in arrays]
    n_checked = sum(len(k) for k in picked)
    work = 2 * n_checked * len(x) * sum(w.size for w in network.weights)
    if work > GRADIENT_CHECK_WORK:
        raise ArgumentError(
            f"x: checking {n_checked:,} parameters takes {2 * n_checked:,} forward passes of {len(x):,} samples "
            f"through {sum(w.size for w in network.weights):,} weights, {work:.2g} multiply-adds; the limit is "
            f"{GRADIENT_CHECK_WORK:.0g} (a few seconds): pass fewer samples, e.g. x[:10], labels[:10], "
            "or a smaller max_parameters")
    weight_gradients, bias_gradients = network.gradients(x, y)
    analytic = [g + lmbda / n_train * w for g, w in zip(weight_gradients, network.weights)] + bias_gradients
    numeric = []
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is detected below
        for p, indices in zip(arrays, picked):
            flat = p.reshape(-1)  # a view: changing flat changes the network
            for k in indices:
                kept = flat[k]
                flat[k] = kept + epsilon
                up = network._cost(x, y, lmbda, n_train)
                flat[k] = kept - epsilon
                down = network._cost(x, y, lmbda, n_train)
                flat[k] = kept
                numeric.append((up - down) / (2 * epsilon))
    a = np.concatenate([g.reshape(-1)[k] for g, k in zip(analytic, picked)])
    b = np.array(numeric)
    if not np.all(np.isfinite(b)):
        raise network._overflow(x, "in the cost")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))
