"""Notebook 06's learning experiment: does the starting point matter for learning?

``compare_starts`` trains the source material's network twice from the same seed,
once from the "old" start (weights N(0, 1)) and once from the "new" one
(weights N(0, 1/n_in)), and returns both histories.  ``initial_network`` and
``train`` are its two halves, for when you want to look at the network in between.
"""

from __future__ import annotations

from . import initializers as _initializers
from .checks import as_generator, check_int
from .mlp import MLP

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
    hidden = check_int("hidden", hidden, minimum=1)
    n_inputs = check_int("n_inputs", n_inputs, minimum=1)
    return MLP([n_inputs, hidden, 10], activation=SETUP["activation"], weight_init=weight_init,
               bias_init=_initializers.normal(1.0), cost=SETUP["cost"], rng=_seed(rng))


def train(network, data, epochs=10, rng=0, callback=None, lmbda=SETUP["lmbda"]):
    """Train ``network`` on ``data`` (an ``MnistData``) with the course's setup; return its History.

    Mini-batch 10, eta 0.1, lambda 5.0 (``lmbda=0`` turns weight decay off, for an
    ablation); ``rng`` seeds the shuffling; the validation accuracy is recorded
    after every epoch; ``callback(epoch, history)`` is called after every epoch.
    """
    epochs = check_int("epochs", epochs, minimum=1)
    return network.fit(data.x_train, data.y_train, epochs=epochs, batch_size=SETUP["batch_size"],
                       eta=SETUP["eta"], lmbda=lmbda, validation=(data.x_validation, data.y_validation),
                       rng=_seed(rng) + 1, callback=callback, monitor_training=False)


def train_network(data, weight_init, hidden=30, epochs=10, rng=0, callback=None, lmbda=SETUP["lmbda"]):
    """``initial_network`` followed by ``train``; returns (network, history)."""
    network = initial_network(weight_init, hidden, data.x_train.shape[1], rng)
    return network, train(network, data, epochs, rng, callback, lmbda)


def compare_starts(data, hidden=30, epochs=10, rng=0):
    """Train from the "old" and the "new" start with the same seed; return {name: History}.

    On full MNIST, ``compare_starts(initlab.data.load_mnist("full"), hidden=30, epochs=30)``
    repeats the course material's experiment.
    """
    return {name: train_network(data, init, hidden, epochs, rng)[1] for name, init in STARTS.items()}
