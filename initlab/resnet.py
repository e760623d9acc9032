"""A residual MLP in numpy with a softmax head, its starts (plain, scaled, Fixup, ReZero, GPT-2), SGD and stream statistics.

The network, written out::

    x_0 = X @ W_in + b_in                           (embedding, no activation)
    x_{l+1} = x_l + alpha_l * F_l(x_l)              (``layers.ResidualBlock``, l = 0 .. L-1)
    logits = x_L @ W_out + b_out,   loss = mean(logsumexp(logits) - logits[label])

The starts of lesson 09 (``START_NAMES``; ``start_settings(start, blocks)`` gives
the block arguments), all with He-initialized branches:

- ``"plain"``: alpha = 1.  Each branch adds about as much variance as the stream
  has, so Var(x_L) ~ (1 + 1)^L Var(x_0);
- ``"scaled"``: alpha = 1/sqrt(L), Var(x_L) ~ (1 + 1/L)^L Var(x_0) -> e Var(x_0);
- ``"fixup"``: the last layer of each branch starts at 0 (Fixup's key step,
  Zhang et al. 2019; "zero gamma" in BatchNorm ResNets, Goyal et al. 2017);
- ``"rezero"``: a learnable alpha per block starting at 0 (Bachlechner et al.
  2020; SkipInit, De & Smith 2020);
- ``"gpt2"``: the residual projection W2 is drawn with std / sqrt(N), N the number
  of residual layers (GPT-2, Radford et al. 2019, has two per block; here one, N = L).

PyTorch equivalent: ``nn.Linear`` layers around blocks written as
``x + alpha * branch(x)``; with zero-initialized last layers, ``nn.init.zeros_``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import initializers as _initializers
from .checks import ArgumentError, ArgumentTypeError, as_generator, check_array, check_choice, check_float, check_int
from .layers import ResidualBlock

__all__ = ["ResidualMLP", "StreamStatistics", "TrainingRun", "START_NAMES", "BLOCK_OPTIONS", "start_settings",
           "softmax_cross_entropy", "gradient_check", "MAX_CHECK_WORK"]

START_NAMES = ("plain", "scaled", "fixup", "rezero", "gpt2")


def start_settings(start, blocks) -> dict:
    """The ``ResidualBlock`` arguments of one of lesson 09's starts for a network of ``blocks`` blocks."""
    start = check_choice("start", start, START_NAMES)
    blocks = check_int("blocks", blocks, minimum=1)
    return {"plain": {}, "scaled": {"branch_scale": 1 / math.sqrt(blocks)}, "fixup": {"last_layer_scale": 0.0},
            "rezero": {"branch_scale": 0.0, "learnable_scale": True},
            "gpt2": {"last_layer_scale": 1 / math.sqrt(blocks)}}[start]


#: The arguments of ``ResidualBlock`` that ``block_options`` may set.
BLOCK_OPTIONS = ("last_layer_scale", "branch_scale", "learnable_scale")


def softmax_cross_entropy(logits, labels):
    """(mean over samples of ln sum(exp(logits)) - logits[label], its gradient d loss / d logits)."""
    logits = check_array("logits", logits, ndim=2)
    return _softmax_cross_entropy(logits, _labels(labels, len(logits), logits.shape[1]))


def _labels(labels, n, n_classes, name="labels"):
    """``labels`` as n integer class labels in 0 .. n_classes - 1, or a clear error."""
    array = np.asarray(labels)
    if array.shape != (n,) or array.dtype.kind not in "iu":
        raise ArgumentError(f"{name} must be {n} integer class labels, got {array.dtype} values of shape {array.shape}")
    if n and (array.min() < 0 or array.max() >= n_classes):
        raise ArgumentError(f"{name} must lie in 0..{n_classes - 1}, got {array.min()}..{array.max()}")
    return array


def _batch(name, x, width):
    """``x`` as a (n_samples, width) array of finite numbers, or an error that names it."""
    x = check_array(name, x, ndim=2)
    if x.shape[1] != width:
        raise ArgumentError(f"{name} must have shape (n_samples, {width}), got {x.shape}")
    return x


def _softmax_cross_entropy(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    rows = np.arange(len(labels))
    grad = np.exp(shifted - log_norm[:, None])
    grad[rows, labels] -= 1.0
    return float(np.mean(log_norm - shifted[rows, labels])), grad / len(labels)


@dataclass
class StreamStatistics:
    """Per block l = 0 .. L: the stream's mean square E[x_l^2] and the rms of the gradient dL/dx_l."""

    second_moment: np.ndarray
    grad_rms: np.ndarray


@dataclass
class TrainingRun:
    """A training run: the loss of every mini-batch (before its step), validation accuracy per epoch.

    ``diverged_at`` is the step whose loss was not finite (training stopped there), or None.
    """

    step_loss: list = field(default_factory=list)
    validation_accuracy: list = field(default_factory=list)
    diverged_at: int | None = None


class ResidualMLP:
    """Embedding, ``blocks`` residual blocks of ``width`` units, softmax head over ``n_classes``.

    Parameters
    ----------
    n_inputs, width, blocks, n_classes : int
    start : str
        One of ``START_NAMES`` (see the module docstring); ``block_options``
        override its settings, e.g. ``{"branch_scale": 0.5}``.
    norm : None, "layer" or "batch"
        A normalization after each branch's first weight layer.
    init : str or initializer
        Embedding and branch weights (default He).
    head_scale : float >= 0
        Multiplies the head's LeCun-normal weights (std 1/sqrt(width)); 0 starts it at zero.
    rng : seed or Generator
    """

    def __init__(self, n_inputs=784, width=64, blocks=8, n_classes=10, start="plain", norm=None, init="he_normal",
                 head_scale=1.0, block_options=None, rng=None):
        n_inputs = check_int("n_inputs", n_inputs, minimum=1)
        self.width = check_int("width", width, minimum=1)
        blocks = check_int("blocks", blocks, minimum=1)
        self.n_classes = check_int("n_classes", n_classes, minimum=2)
        head_scale = check_float("head_scale", head_scale, minimum=0.0)
        if block_options is not None and (not isinstance(block_options, dict)
                                          or set(block_options) - set(BLOCK_OPTIONS)):
            raise ArgumentError(f"block_options must be a dict with some of the keys {list(BLOCK_OPTIONS)}, "
                                f"got {block_options!r}")
        self.start = check_choice("start", start, START_NAMES)
        settings = {**start_settings(start, blocks), **(block_options or {})}
        init = _initializers.get(init)
        rng = as_generator(rng)
        self.w_in = np.asarray(init(n_inputs, width, rng), dtype=np.float64)
        self.b_in = np.zeros(width)
        self.blocks = [ResidualBlock(width, init, norm=norm, rng=rng, **settings) for _ in range(blocks)]
        self.w_out = head_scale * _initializers.lecun_normal()(width, n_classes, rng)
        self.b_out = np.zeros(n_classes)

    # ---------------------------------------------------------------- parameters
    def parameters(self) -> list:
        """Every trained array, in a fixed order (the order of ``gradients``)."""
        return [self.w_in, self.b_in, *(p for block in self.blocks for p in block.parameters()), self.w_out,
                self.b_out]

    @property
    def weights(self) -> list:
        """The weight matrices in forward order: W_in, W1 and W2 of each block, W_out."""
        return [self.w_in, *(w for block in self.blocks for w in (block.w1, block.w2)), self.w_out]

    # ------------------------------------------------------------------- passes
    def _forward(self, x):
        stream = x @ self.w_in + self.b_in
        caches = []
        for block in self.blocks:
            stream, cache = block._forward(stream)
            caches.append(cache)
        return stream, caches

    def logits(self, x) -> np.ndarray:
        """The head's outputs, shape (n_samples, n_classes)."""
        return self._forward(self._check_inputs(x))[0] @ self.w_out + self.b_out

    def predict(self, x) -> np.ndarray:
        return np.argmax(self.logits(x), axis=1)

    def accuracy(self, x, labels) -> float:
        return float(np.mean(self.predict(x) == self._check_labels(labels, len(x))))

    def cost_value(self, x, labels) -> float:
        """The mean softmax cross-entropy on (x, labels); ln(n_classes) when every logit is equal."""
        x = self._check_inputs(x)
        labels = self._check_labels(labels, len(x))
        return _softmax_cross_entropy(self.logits(x), labels)[0]

    def hidden_activations(self, x) -> list:
        """Each block's branch ReLU layer h for the inputs x (for counting dead units)."""
        caches = self._forward(self._check_inputs(x))[1]
        return [block.hidden(cache) for block, cache in zip(self.blocks, caches)]

    def _backward_blocks(self, caches, grad, rms=None):
        """Back through the blocks from dL/dx_L = grad: (dL/dx_0, gradients per block).

        A list ``rms`` gets the rms of dL/dx_l for l = L .. 0 (``stream_statistics``; training needs none).
        """
        block_grads = [None] * len(self.blocks)
        for i in reversed(range(len(self.blocks))):
            if rms is not None:
                rms.append(math.sqrt(np.mean(grad**2)))
            grad, block_grads[i] = self.blocks[i].backward(grad, caches[i])
        if rms is not None:
            rms.append(math.sqrt(np.mean(grad**2)))
        return grad, block_grads

    def loss_and_gradients(self, x, labels):
        """(loss, gradients in the order of ``parameters()``) for a batch; labels are integers."""
        stream, caches = self._forward(x)
        loss, d_logits = _softmax_cross_entropy(stream @ self.w_out + self.b_out, labels)
        d_stream, block_grads = self._backward_blocks(caches, d_logits @ self.w_out.T)
        grads = [x.T @ d_stream, d_stream.sum(axis=0), *(g for grads in block_grads for g in grads),
                 stream.T @ d_logits, d_logits.sum(axis=0)]
        return loss, grads

    def sgd_step(self, x, labels, eta) -> float:
        """One step p <- p - eta * dL/dp on the batch (x, labels); returns the batch's loss before the step."""
        loss, grads = self.loss_and_gradients(x, labels)
        if math.isfinite(loss):
            for p, g in zip(self.parameters(), grads):
                g *= eta  # in place: g is this step's own array
                p -= g
        return loss

    def stream_statistics(self, x0, grad_output) -> StreamStatistics:
        """E[x_l^2] and rms(dL/dx_l) at every block for a given stream input x_0 and dL/dx_L = ``grad_output``.

        Starting from x_0 instead of the images isolates what the blocks do: with
        x_0 ~ N(0, 1) the plain start's E[x_l^2] follows (1 + v)^l.
        """
        stream = _batch("x0", x0, self.width)
        grad_output = check_array("grad_output", grad_output, shape=stream.shape)
        caches = []
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported just below
            moments = [np.mean(stream**2)]
            for block in self.blocks:
                stream, cache = block._forward(stream)
                caches.append(cache)
                moments.append(np.mean(stream**2))
            rms = []
            self._backward_blocks(caches, grad_output, rms)
            statistics = StreamStatistics(np.array(moments), np.array(rms[::-1]))
        for name, values in (("stream", statistics.second_moment), ("gradient", statistics.grad_rms)):
            if not np.all(np.isfinite(values)):
                raise ArgumentError(f"the {name} overflows float64 at block {int(np.argmin(np.isfinite(values)))}: "
                                    f"scale x0 or grad_output down, or use fewer blocks")
        return statistics

    # ----------------------------------------------------------------- training
    def fit(self, x, labels, epochs=3, batch_size=50, eta=0.05, validation=None, rng=None) -> TrainingRun:
        """Mini-batch SGD; records every batch's loss and the validation accuracy after each epoch.

        Stops at the first batch whose loss is not finite (``TrainingRun.diverged_at``).
        """
        x = self._check_inputs(x)
        labels = self._check_labels(labels, len(x))
        epochs = check_int("epochs", epochs, minimum=1)
        batch_size = check_int("batch_size", batch_size, minimum=1)
        eta = check_float("eta", eta, strictly_positive=True)
        if validation is not None:
            if not isinstance(validation, (tuple, list)) or len(validation) != 2:
                raise ArgumentTypeError("validation must be a pair (x_validation, labels_validation)")
            validation = (x_val := self._check_inputs(validation[0], "validation[0]"),
                          self._check_labels(validation[1], len(x_val), "validation[1]"))
        rng = as_generator(rng)
        run = TrainingRun()
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected and reported
            for _ in range(epochs):
                order = rng.permutation(len(x))
                for start in range(0, len(x), batch_size):
                    batch = order[start:start + batch_size]
                    run.step_loss.append(self.sgd_step(x[batch], labels[batch], eta))
                    if not math.isfinite(run.step_loss[-1]):
                        run.diverged_at = len(run.step_loss)
                        return run
                if validation is not None:
                    run.validation_accuracy.append(self.accuracy(*validation))
        return run

    # ------------------------------------------------------------------- checks
    @property
    def sizes(self) -> list:
        """[inputs, stream width, classes], as ``mlp.MLP.sizes`` (``first_steps`` reads the last)."""
        return [self.w_in.shape[0], self.width, self.n_classes]

    def _check_inputs(self, x, name="x"):
        return _batch(name, x, self.w_in.shape[0])

    def _check_labels(self, labels, n, name="labels"):
        return _labels(labels, n, self.n_classes, name)

    def __repr__(self) -> str:
        norm = self.blocks[0].norm
        return (f"ResidualMLP(width={self.width}, blocks={len(self.blocks)}, start={self.start!r}, "
                f"norm={None if norm is None else norm.kind!r})")


#: gradient_check's budget, in multiply-adds: a few seconds.
MAX_CHECK_WORK = 2e9


def gradient_check(network, x, labels, epsilon=1e-5) -> float:
    """||g_backprop - g_numeric|| / (||g_backprop|| + ||g_numeric||) over every parameter of a ``ResidualMLP``.

    g_numeric is the central difference (L(p + eps) - L(p - eps)) / (2 eps), one
    parameter entry at a time: for small networks.  Below 1e-6 the two agree to
    about 7 digits (float64).
    """
    if not isinstance(network, ResidualMLP):
        raise ArgumentTypeError(f"network must be an initlab.resnet.ResidualMLP, got {type(network).__name__}")
    x = network._check_inputs(x)
    labels = network._check_labels(labels, len(x))
    epsilon = check_float("epsilon", epsilon, strictly_positive=True)
    n_parameters = sum(p.size for p in network.parameters())
    work = 4 * n_parameters * len(x) * sum(w.size for w in network.weights)  # two passes per parameter
    if work > MAX_CHECK_WORK:
        raise ArgumentError(f"gradient_check needs two forward passes per parameter: {n_parameters:,} parameters x "
                            f"{len(x)} samples is about {work:.2g} multiply-adds; it allows at most "
                            f"{MAX_CHECK_WORK:.0e} (use a network of a few hundred parameters and a few samples)")
    analytic = np.concatenate([g.ravel() for g in network.loss_and_gradients(x, labels)[1]])
    numeric = []
    for array in network.parameters():
        flat = array.reshape(-1)  # a view: changing it changes the network
        for k in range(flat.size):
            kept = flat[k]
            losses = []
            for shifted in (kept + epsilon, kept - epsilon):
                flat[k] = shifted
                losses.append(network.loss_and_gradients(x, labels)[0])
            flat[k] = kept
            numeric.append((losses[0] - losses[1]) / (2 * epsilon))
    numeric = np.array(numeric)
    return float(np.linalg.norm(analytic - numeric) / max(np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-300))
