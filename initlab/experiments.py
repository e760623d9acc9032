"""Notebook 06's learning experiment: does the starting point matter for learning?

``compare_starts`` trains the source material's network twice from the same seed,
once from the "old" start (weights N(0, 1)) and once from the "new" one
(weights N(0, 1/n_in)), and returns both histories.  ``initial_network`` and
``train`` are its two halves, for when you want to look at the network in between.
"""

from __future__ import annotations

from . import initializers as _initializers
from .checks import ArgumentError, ArgumentTypeError, as_generator, check_array, check_int, check_labels
from .data import MnistData
from .mlp import MAX_PARAMETERS, MLP

__all__ = ["STARTS", "SETUP", "initial_network", "train", "train_network", "compare_starts"]

#: The two starts of the course material (biases N(0, 1) in both).
STARTS = {
    "old": _initializers.normal(1.0),  # N(0, 1)
    "new": _initializers.lecun_normal(),  # N(0, 1/n_in)
}
#: The course material's hyper-parameters.
SETUP = {"batch_size": 10, "eta": 0.1, "lmbda": 5.0, "activation": "sigmoid", "cost": "cross_entropy"}


def _seed(rng) -> int:
    return int(as_generator(rng).integers(2**31))


def initial_network(weight_init, hidden=30, n_inputs=784, rng=0) -> MLP:
    """The [n_inputs, hidden, 10] sigmoid network of the course, weights from ``weight_init``.

    Biases are N(0, 1).  The same ``rng`` gives the same biases whatever the
    weights, so two starts differ only in their weights.
    """
    n_inputs = check_int("n_inputs", n_inputs, minimum=1, maximum=MAX_PARAMETERS // 2)
    hidden = check_int("hidden", hidden, minimum=1, maximum=(MAX_PARAMETERS - 10) // (n_inputs + 11))
    return MLP([n_inputs, hidden, 10], activation=SETUP["activation"], weight_init=weight_init,
               bias_init=_initializers.normal(1.0), cost=SETUP["cost"], rng=_seed(rng))


def train(network, data, epochs=10, rng=0, callback=None, lmbda=SETUP["lmbda"]):
    """Train ``network`` on ``data`` (an ``MnistData``) with the course's setup; return its History.

    Mini-batch 10, eta 0.1, lambda 5.0 (``lmbda=0`` turns weight decay off, for an
    ablation); ``rng`` seeds the shuffling; the validation accuracy is recorded
    after every epoch; ``callback(epoch, history)`` is called after every epoch.
    """
    if not isinstance(network, MLP):
        raise ArgumentTypeError("network must be an initlab.mlp.MLP, e.g. experiments.initial_network("
                                f"'lecun_normal'), got {type(network).__name__}")
    _check_data(data, network.sizes)
    epochs = check_int("epochs", epochs, minimum=1)
    return network.fit(data.x_train, data.y_train, epochs=epochs, batch_size=SETUP["batch_size"],
                       eta=SETUP["eta"], lmbda=lmbda, validation=(data.x_validation, data.y_validation),
                       rng=_seed(rng) + 1, callback=callback, monitor_training=False)


def train_network(data, weight_init, hidden=30, epochs=10, rng=0, callback=None, lmbda=SETUP["lmbda"]):
    """``initial_network`` followed by ``train``; returns (network, history)."""
    _check_data(data)
    network = initial_network(weight_init, hidden, data.x_train.shape[1], rng)
    return network, train(network, data, epochs, rng, callback, lmbda)


def compare_starts(data, hidden=30, epochs=10, rng=0):
    """Train from the "old" and the "new" start with the same seed; return {name: History}.

    On full MNIST, ``compare_starts(initlab.data.load_mnist("full"), hidden=30, epochs=30)``
    repeats the course material's experiment.
    """
    _check_data(data)
    return {name: train_network(data, init, hidden, epochs, rng)[1] for name, init in STARTS.items()}


def _check_data(data, sizes=None) -> None:
    """``data`` must be an ``MnistData`` of finite images and digit labels (that fit ``sizes``, a network's)."""
    if not isinstance(data, MnistData):
        raise ArgumentTypeError(f"data must be the result of initlab.data.load_mnist(), got {type(data).__name__}")
    for part in ("train", "validation"):
        x = check_array(f"data.x_{part}", getattr(data, f"x_{part}"), ndim=2)
        check_labels(f"data.y_{part}", getattr(data, f"y_{part}"), 10 if sizes is None else sizes[-1], len(x),
                     f"data.x_{part}")
        if sizes is not None and x.shape[1] != sizes[0]:
            raise ArgumentError(f"network takes {sizes[0]} inputs, but data.x_{part} has {x.shape[1]} columns: "
                                f"make it with experiments.initial_network(..., n_inputs={x.shape[1]})")
