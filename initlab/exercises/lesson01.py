"""The checks of notebook 01's exercises: symmetric starts, interchangeable units, when zero weights move.

- ``check_constant_start``: every weight 0.3 is as symmetric as every weight 0;
- ``check_interchangeable_starts``: which of the six ``STARTS`` keep the hidden
  units interchangeable (same incoming weights, same bias, same outgoing weights);
- ``check_first_moving_step`` (transfer): tanh, zero weights, random biases: at which
  SGD step does the hidden weight matrix first move?

Every expected answer is computed: by building the start and testing the three
equalities (``interchangeable``), or by running the network (``first_moving_step``).
"""

from __future__ import annotations

import numpy as np

from . import answers as _answers
from .feedback import judged, number, whole_number
from .. import data as _data
from .. import initializers as _initializers
from ..checks import ArgumentError, ArgumentTypeError, as_generator, check_array, check_float, check_int
from ..mlp import MLP, one_hot

__all__ = ["check_constant_start", "check_interchangeable_starts", "check_first_moving_step", "STARTS", "start",
           "interchangeable", "first_moving_step"]

#: The starts of exercise 2, for a network [2, n_hidden, 2] with sigmoid hidden units.
STARTS = {
    "A": "W1 random (lecun_normal), W2 = 0, biases 0: a zero output layer",
    "B": "W1[i, j] = v_i, one random number per input shared by every unit; W2 = 0.5; biases 0",
    "C": "every weight 0, every hidden bias 1.0",
    "D": "every weight 0, hidden biases random N(0, 1)",
    "E": "W1 = 0.3; W2[j, k] = u_k, one random number per output shared by every hidden unit; biases 0",
    "F": "every weight 0.3, the bias of hidden unit j is 0.1 * j",
}
# Why each start is (or is not) interchangeable: shown to a student who got it wrong.
_REMARKS = {
    "A": "A zero output layer makes the outgoing weights equal, but W1's random columns already make the "
         "units compute different things.",
    "B": "The numbers are random, but every unit gets the same column: what matters is being equal from unit "
         "to unit, not being constant.",
    "C": "Equal biases are equal, whether they are 0 or 1.",
    "D": "Each unit's own bias gives it its own output sigmoid(b_j), so W2's rows get different gradients.",
    "E": "Outgoing weights need only be equal across hidden units (the rows of W2); they may differ from "
         "output to output.",
    "F": "A bias that depends on j differs from unit to unit.",
}
_PARTS = ("incoming weights (columns of W1)", "biases", "outgoing weights (rows of W2)")
#: The two moons ``first_moving_step`` trains on, and the most work ``check_constant_start``
#: trains for (points x epochs x hidden units: a few seconds).
MOONS = 400
MAX_TRAINING = 10**8


def start(label, n_hidden=8, rng=1) -> MLP:
    """The network [2, n_hidden, 2] (sigmoid) started as ``STARTS[label]`` says; random parts drawn from ``rng``."""
    if not isinstance(label, str):
        raise ArgumentTypeError(f"label must be one of {list(STARTS)} (a str), got {label!r} ({type(label).__name__})")
    if label not in STARTS:
        raise ArgumentError(f"label must be one of {list(STARTS)}, got {label!r}")
    n_hidden = check_int("n_hidden", n_hidden, minimum=1, maximum=10_000)
    rng = as_generator(rng)
    net = MLP([2, n_hidden, 2], activation="sigmoid", weight_init="zeros", bias_init="zeros", rng=rng)
    (w_in, w_out), (bias, _) = net.weights, net.biases
    if label == "A":
        w_in[...] = _initializers.lecun_normal()(2, n_hidden, rng)
    elif label == "B":
        w_in[...], w_out[...] = rng.standard_normal((2, 1)), 0.5
    elif label == "C":
        bias[...] = 1.0
    elif label == "D":
        bias[...] = rng.standard_normal(n_hidden)
    elif label == "E":
        w_in[...], w_out[...] = 0.3, rng.standard_normal((1, 2))
    else:
        w_in[...], w_out[...], bias[...] = 0.3, 0.3, 0.1 * np.arange(n_hidden)
    return net


def _unequal_parts(net) -> list:
    """Which of the hidden units' incoming weights, biases and outgoing weights differ from unit to unit."""
    w_in, bias, w_out = net.weights[0], net.biases[0], net.weights[1]
    equal = ((w_in == w_in[:, :1]).all(), (bias == bias[0]).all(), (w_out == w_out[:1, :]).all())
    return [part for part, same in zip(_PARTS, equal) if not same]


def interchangeable(net) -> bool:
    """Can any two hidden units of ``net``'s first layer be swapped: equal columns of W1, biases, rows of W2?"""
    if not isinstance(net, MLP) or len(net.weights) < 2:
        raise ArgumentTypeError(f"net must be an MLP with a hidden layer, such as start('A'), got {net!r}")
    return not _unequal_parts(net)


def _labels(answer) -> set:
    """The answer as a set of labels of ``STARTS`` (upper case)."""
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (set, frozenset, list, tuple)):
        raise ArgumentTypeError(f"answer must be a set of letters such as {{'A', 'C'}}, got {answer!r}")
    labels = set()
    for item in answer:
        if not isinstance(item, str) or item.strip().upper() not in STARTS:
            raise ArgumentError(f"answer must contain letters among {sorted(STARTS)}, got {item!r}")
        labels.add(item.strip().upper())
    return labels


@judged
def check_constant_start(answer, x, labels, n_hidden=8, **fit) -> bool:
    """Exercise 01.1: every weight 0.3, biases 0, trained on (x, labels); the largest difference between units.

    The network [2, n_hidden, 2] is trained here with ``fit`` (the lesson's settings);
    its hidden units' incoming weights (the columns of W1) are still identical: 0.0.
    """
    answer = number(answer)
    x = check_array("x", x, shape=(None, 2))
    n_hidden = check_int("n_hidden", n_hidden, minimum=1, maximum=10_000)
    epochs = check_int("epochs", fit.get("epochs", 10), minimum=1)
    if len(x) * epochs * n_hidden > MAX_TRAINING:
        raise ArgumentError(f"x, epochs and n_hidden make {len(x) * epochs * n_hidden:.1e} unit updates of training, "
                            f"more than the {MAX_TRAINING:.0e} of a few seconds: use fewer epochs or hidden units")
    net = MLP([2, n_hidden, 2], activation="sigmoid",
              weight_init=_initializers.constant(0.3), bias_init="zeros", rng=1)
    net.fit(x, labels, **fit)
    return _answers.check_identical_units.__wrapped__(answer, net.weights[0])


@judged
def check_interchangeable_starts(answer) -> bool:
    """Exercise 01.2: the set of ``STARTS`` whose hidden units are interchangeable (computed, see ``start``)."""
    given = _labels(answer)
    nets = {label: start(label) for label in STARTS}
    expected = {label for label, net in nets.items() if interchangeable(net)}
    if given == expected:
        print(f"✓ Correct: {', '.join(sorted(expected))} keep the units interchangeable: every hidden unit has the "
              "same incoming weights, the same bias and the same outgoing weights, however they were chosen.")
        return True
    notes = [f"{label} does not: its units' {' and '.join(_unequal_parts(nets[label]))} differ. {_REMARKS[label]}"
             for label in sorted(given - expected)]
    notes += [f"{label} does: each unit has the same incoming weights, bias and outgoing weights. {_REMARKS[label]}"
              for label in sorted(expected - given)]
    print("✗ Not yet: " + " ".join(notes))
    return False


def first_moving_step(activation="tanh", bias_std=1.0, n_hidden=8, eta=0.5, batch_size=10, max_steps=10,
                      rng=1) -> int:
    """The SGD step after which W1 of a zero-weight network [2, n_hidden, 2] is first non-zero (0: never).

    Biases N(0, bias_std^2) (zeros for 0); the batches are the first points of the
    lesson's two moons, in order (MOONS points: batch_size * max_steps of them at most).
    """
    bias_std = check_float("bias_std", bias_std, minimum=0.0, maximum=100.0)
    n_hidden = check_int("n_hidden", n_hidden, minimum=1, maximum=10_000)
    eta = check_float("eta", eta, strictly_positive=True, maximum=10.0)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    max_steps = check_int("max_steps", max_steps, minimum=1)
    if batch_size * max_steps > MOONS:
        raise ArgumentError(f"batch_size * max_steps must be at most {MOONS} (the points there are), got "
                            f"batch_size = {batch_size} and max_steps = {max_steps}")
    x, labels = _data.two_moons(MOONS, noise=0.15, rng=0)
    targets = one_hot(labels, 2)
    bias_init = _initializers.normal(bias_std) if bias_std > 0 else "zeros"
    net = MLP([2, n_hidden, 2], activation=activation, weight_init="zeros", bias_init=bias_init, rng=rng)
    for step in range(1, max_steps + 1):
        batch = slice((step - 1) * batch_size, step * batch_size)
        net.sgd_step(x[batch], targets[batch], eta)
        if np.abs(net.weights[0]).max() > 0:
            return step
    return 0


@judged
def check_first_moving_step(answer) -> bool:
    """Exercise 01.3 (transfer): tanh, every weight 0, biases N(0, 1): the step after which W1 is first non-zero."""
    answer = whole_number(answer)
    if answer < 0:
        print(f"✗ Not yet: a step number is 1 or more (0 would mean never), you have {answer}.")
        return False
    expected = first_moving_step()
    if answer == expected:
        print(f"✓ Correct: W1 first moves at step {expected}. At step 1 the hidden outputs tanh(b_j) are not 0, so "
              "W2 gets a gradient, but the error reaching the hidden layer goes through W2 = 0; from step 2 on it "
              "does not, and the units, each with its own bias, go their own ways.")
        return True
    if answer == first_moving_step(bias_std=0.0):
        print("✗ Not yet: that is the all-zero tanh network of case (c), frozen because every hidden output is "
              "tanh(0) = 0. Here the biases are random: what is tanh(b_j)?")
    elif answer > 10:
        print("✗ Not yet: W1 moves within the first 10 steps. Follow one step at a time which gradients are "
              "non-zero.")
    elif answer == 1:
        print("✗ Not yet: at step 1 the error reaching the hidden layer is (delta @ W2.T) * tanh'(z), and W2 is "
              "still 0 (step 2 of the lesson). Which weights does step 1 change?")
    else:
        print(f"✗ Not yet: not step {answer}. Follow one step at a time which gradients are non-zero: dW2 = "
              "h.T @ delta, then the hidden error (delta @ W2.T) * tanh'(z), then dW1 = x.T @ hidden error.")
    return False
