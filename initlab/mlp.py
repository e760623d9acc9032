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

from dataclasses import dataclass, field

import numpy as np

from . import activations as _activations
from . import initializers as _initializers
from .checks import ArgumentError, ArgumentTypeError, as_generator, check_choice, check_float, check_int

__all__ = ["MLP", "ForwardPass", "History", "one_hot", "gradient_check", "COSTS"]

COSTS = ("cross_entropy", "quadratic")
_BIAS_INIT = _initializers.normal(1.0)  # the course material's N(0, 1) biases


def one_hot(labels, n_classes) -> np.ndarray:
    """Integer labels (n,) as a one-hot float matrix (n, n_classes)."""
    n_classes = check_int("n_classes", n_classes, minimum=1)
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ArgumentError(f"labels must be a 1-D array of integers, got dtype {labels.dtype} and shape {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ArgumentError(f"labels must lie in 0..{n_classes - 1}, got values from {labels.min()} to {labels.max()}")
    targets = np.zeros((labels.size, n_classes))
    targets[np.arange(labels.size), labels] = 1.0
    return targets


@dataclass
class History:
    """Per-epoch record of a training run (index 0 is after epoch 1)."""

    train_cost: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    validation_cost: list = field(default_factory=list)
    validation_accuracy: list = field(default_factory=list)


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
        Units per layer, input first: ``[784, 30, 10]``.
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
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
            raise ArgumentError(f"sizes must list at least an input and an output size, e.g. [784, 30, 10], got {sizes!r}")
        self.sizes = [check_int(f"sizes[{i}]", s, minimum=1) for i, s in enumerate(sizes)]
        self.activation = _activations.get(activation)
        self.cost = check_choice("cost", cost, COSTS)
        weight_init = _initializers.get(weight_init)
        bias_init = _initializers.get(bias_init)
        rng = as_generator(rng)
        self.weights = [np.asarray(weight_init(n_in, n_out, rng), dtype=np.float64)
                        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]
        self.biases = [np.asarray(bias_init(1, n_out, rng), dtype=np.float64).reshape(n_out)
                       for n_out in self.sizes[1:]]

    # ------------------------------------------------------------------ forward
    def forward(self, x) -> ForwardPass:
        """Every layer's pre-activations z and activations a for the inputs x.

        ``forward(x).a[1]`` is the first hidden layer's output, shape (n_samples, sizes[1]).
        """
        return self._forward(self._check_inputs(x))

    def _forward(self, x) -> ForwardPass:
        result = ForwardPass(z=[], a=[x])
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = result.a[-1] @ w + b
            result.z.append(z)
            result.a.append(_activations.sigmoid.function(z) if i == last else self.activation.function(z))
        return result

    def predict_proba(self, x) -> np.ndarray:
        """The sigmoid outputs a_L, shape (n_samples, n_outputs)."""
        return self._forward(self._check_inputs(x)).output

    def predict(self, x) -> np.ndarray:
        """The predicted class of each sample: the index of the largest output."""
        return np.argmax(self.predict_proba(x), axis=1)

    def accuracy(self, x, labels) -> float:
        """Fraction of samples whose predicted class equals the label."""
        return float(np.mean(self.predict(x) == self._check_labels(labels, len(x))))

    def cost_value(self, x, labels, lmbda=0.0, n_train=None) -> float:
        """The cost on (x, labels) plus the L2 term lambda / (2 n) * sum(W^2)."""
        x = self._check_inputs(x)
        y = one_hot(self._check_labels(labels, len(x)), self.sizes[-1])
        lmbda = check_float("lmbda", lmbda, minimum=0.0)
        n_train = len(x) if n_train is None else check_int("n_train", n_train, minimum=1)
        z_out = self._forward(x).z[-1]
        if self.cost == "cross_entropy":
            # ln a = -log(1 + exp(-z)) and ln(1 - a) = -log(1 + exp(z)), without overflow
            data_cost = np.mean(np.sum(y * np.logaddexp(0, -z_out) + (1 - y) * np.logaddexp(0, z_out), axis=1))
        else:
            a_out = _activations.sigmoid.function(z_out)
            data_cost = 0.5 * np.mean(np.sum((a_out - y) ** 2, axis=1))
        penalty = 0.5 * lmbda / n_train * sum(np.sum(w**2) for w in self.weights)
        return float(data_cost + penalty)

    # ----------------------------------------------------------------- backward
    def gradients(self, x, targets):
        """Back-propagation: gradients of the data cost, averaged over the batch.

        Parameters
        ----------
        x : ndarray (m, sizes[0])
        targets : ndarray (m, sizes[-1]), one-hot

        Returns
        -------
        weight_gradients, bias_gradients : lists of ndarray, one per layer
        """
        return self._backpropagate(x, targets, scale=1.0 / x.shape[0])

    def _backpropagate(self, x, targets, scale):
        """Summed gradients of the batch's cost, multiplied by ``scale``.

        Multiplying the output error delta_L by ``scale`` once scales every gradient
        built from it, so that ``sgd_step`` gets eta/m * gradient without a further
        pass over the weights.
        """
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

    def sgd_step(self, x, targets, eta, lmbda=0.0, n_train=1):
        """One mini-batch step: W <- (1 - eta lambda / n) W - eta dW, b <- b - eta db.

        dW and db are the batch means of the gradients (n is the size of the whole
        training set, as in the course material's weight-decay factor).
        """
        weight_steps, bias_steps = self._backpropagate(x, targets, scale=eta / x.shape[0])
        decay = 1.0 - eta * lmbda / n_train
        for w, b, w_step, b_step in zip(self.weights, self.biases, weight_steps, bias_steps):
            if decay != 1.0:
                w *= decay
            w -= w_step
            b -= b_step

    def fit(self, x, labels, epochs=10, batch_size=10, eta=0.1, lmbda=0.0, validation=None,
            rng=None, callback=None, monitor_training=True) -> History:
        """Train with mini-batch SGD and return the per-epoch history.

        Parameters
        ----------
        x : ndarray (n, sizes[0]);  labels : int ndarray (n,)
        epochs, batch_size : int
        eta : float > 0, the learning rate
        lmbda : float >= 0, the L2 regulariser (decay factor 1 - eta * lmbda / n)
        validation : (x_val, labels_val), optional
        rng : seed or Generator for the shuffling of each epoch
        callback : callable(epoch, history), optional, called after every epoch
            (the training explorer uses it to redraw its curve)
        monitor_training : bool
            Also measure cost and accuracy on the training set after each epoch.
        """
        x = self._check_inputs(x)
        labels = self._check_labels(labels, len(x))
        epochs = check_int("epochs", epochs, minimum=1)
        batch_size = check_int("batch_size", batch_size, minimum=1)
        eta = check_float("eta", eta, strictly_positive=True)
        lmbda = check_float("lmbda", lmbda, minimum=0.0)
        if validation is not None:
            if not isinstance(validation, (tuple, list)) or len(validation) != 2:
                raise ArgumentTypeError("validation must be a pair (x_validation, labels_validation)")
            x_val = self._check_inputs(validation[0], "validation[0]")
            y_val = self._check_labels(validation[1], len(x_val), "validation[1]")
        rng = as_generator(rng)
        targets = one_hot(labels, self.sizes[-1])
        n = len(x)
        history = History()
        for epoch in range(1, epochs + 1):
            order = rng.permutation(n)  # a new shuffle every epoch
            for start in range(0, n, batch_size):
                batch = order[start:start + batch_size]
                self.sgd_step(x[batch], targets[batch], eta, lmbda, n)
            if monitor_training:
                history.train_cost.append(self.cost_value(x, labels, lmbda, n))
                history.train_accuracy.append(self.accuracy(x, labels))
            else:
                history.train_cost.append(np.nan)
                history.train_accuracy.append(np.nan)
            if validation is not None:
                history.validation_cost.append(self.cost_value(x_val, y_val, lmbda, n))
                history.validation_accuracy.append(self.accuracy(x_val, y_val))
            if callback is not None:
                callback(epoch, history)
        return history

    # ------------------------------------------------------------------ checks
    def _check_inputs(self, x, name="x"):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise ArgumentError(f"{name} must have shape (n_samples, {self.sizes[0]}), got {x.shape}")
        return x

    def _check_labels(self, labels, n, name="labels"):
        labels = np.asarray(labels)
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise ArgumentError(f"{name} must be {n} integer class labels, got dtype {labels.dtype} and shape {labels.shape}")
        if n and (labels.min() < 0 or labels.max() >= self.sizes[-1]):
            raise ArgumentError(f"{name} must lie in 0..{self.sizes[-1] - 1}, got {labels.min()}..{labels.max()}")
        return labels

    def __repr__(self) -> str:
        return f"MLP(sizes={self.sizes}, activation={self.activation.name!r}, cost={self.cost!r})"


def gradient_check(network, x, labels, lmbda=0.0, n_train=None, epsilon=1e-5) -> float:
    """Compare back-propagation with central finite differences.

    Every parameter p is nudged by +-epsilon and the slope
    (C(p + eps) - C(p - eps)) / (2 eps) compared with the back-propagated
    gradient (plus the L2 term lambda / n * W).  The loop runs over parameters,
    which is fine for the small networks this is meant for.

    Returns
    -------
    float
        ||g_backprop - g_numeric|| / (||g_backprop|| + ||g_numeric||); below 1e-6
        means the two agree to about 7 digits.
    """
    x = network._check_inputs(x)
    labels = network._check_labels(labels, len(x))
    lmbda = check_float("lmbda", lmbda, minimum=0.0)
    n_train = len(x) if n_train is None else check_int("n_train", n_train, minimum=1)
    epsilon = check_float("epsilon", epsilon, strictly_positive=True)
    weight_gradients, bias_gradients = network.gradients(x, one_hot(labels, network.sizes[-1]))
    analytic, numeric = [], []
    for params, grads, decayed in ((network.weights, weight_gradients, True), (network.biases, bias_gradients, False)):
        for p, g in zip(params, grads):
            analytic.append((g + lmbda / n_train * p if decayed else g).ravel())
            slope = np.empty(p.size)
            flat = p.reshape(-1)  # a view: changing flat changes the network
            for k in range(p.size):
                kept = flat[k]
                flat[k] = kept + epsilon
                up = network.cost_value(x, labels, lmbda, n_train)
                flat[k] = kept - epsilon
                down = network.cost_value(x, labels, lmbda, n_train)
                flat[k] = kept
                slope[k] = (up - down) / (2 * epsilon)
            numeric.append(slope)
    a, b = np.concatenate(analytic), np.concatenate(numeric)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))
