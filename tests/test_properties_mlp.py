"""Property tests of the MLP, the data sets and the IDX reader (issue 16), on small networks.

Generated arguments, valid and invalid: an invalid one must be refused with a
ValueError/TypeError naming the argument; a valid one must give finite numbers or a
documented report (``History.diverged_at``, an ``inf`` cost, an overflow error naming
the layer) within a time bound, and never a RuntimeWarning (pytest turns those into
errors).  The shared strategies and judges are in tests/properties.py.
"""

import gzip
import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from initlab import activations, data, mnist
from initlab.checks import ArgumentError
from initlab.mlp import MLP, gradient_check, one_hot
from properties import BAD_NUMBER, NON_FINITE, NOT_AN_INT, answers, bad_arrays, refuses

X = np.random.default_rng(0).standard_normal((6, 4))
Y = np.array([0, 1, 2, 0, 1, 2])

sizes = st.lists(st.integers(1, 6), min_size=2, max_size=5)
activation_names = st.sampled_from(activations.names())
learning_rates = st.floats(1e-4, 1e8)  # up to rates that make every network diverge
inputs = st.integers(1, 8).flatmap(
    lambda n: st.tuples(st.just(n), st.floats(1e-3, 1e3)).map(
        lambda nm: nm[1] * np.random.default_rng(nm[0]).standard_normal((nm[0] + 1, 4))))


def small_net(**kwargs):
    return MLP([4, 3, 3], rng=0, **kwargs)


# ---- invalid arguments are refused by name ------------------------------------------------------
@given(bad_arrays((6, 4)))
def test_fit_refuses_spoiled_inputs(x):
    refuses(lambda: small_net().fit(x, Y, epochs=1), "x")


@given(bad_arrays((6, 4)))
def test_predict_and_cost_refuse_spoiled_inputs(x):
    refuses(lambda: small_net().predict(x), "x")
    refuses(lambda: small_net().cost_value(x, Y), "x")


@given(st.one_of(st.lists(st.floats(0, 2), min_size=6, max_size=6), st.lists(st.integers(3, 9), min_size=6,
                                                                              max_size=6),
                 st.lists(st.integers(0, 2), max_size=5), st.text(max_size=3), st.none()))
def test_fit_refuses_labels_that_are_not_class_indices(labels):
    refuses(lambda: small_net().fit(X, np.asarray(labels) if isinstance(labels, list) else labels), "labels")


@given(st.one_of(BAD_NUMBER, st.floats(max_value=0.0, allow_nan=False)))
def test_fit_refuses_a_learning_rate_that_is_not_positive(eta):
    refuses(lambda: small_net().fit(X, Y, eta=eta), "eta")


@given(st.one_of(NOT_AN_INT, st.integers(max_value=0)), st.sampled_from(["epochs", "batch_size"]))
def test_fit_refuses_counts_that_are_not_positive_integers(value, name):
    refuses(lambda: small_net().fit(X, Y, **{name: value}), name)


@given(st.lists(st.one_of(NOT_AN_INT, st.integers(max_value=0)), min_size=1, max_size=3), st.integers(0, 2))
def test_mlp_refuses_bad_layer_sizes(bad, where):
    layers = [4, 3, 2]
    layers[where] = bad[0]
    refuses(lambda: MLP(layers), f"sizes[{where}]")


@given(BAD_NUMBER, st.sampled_from(["epsilon", "lmbda"]))
def test_gradient_check_refuses_bad_numbers(value, name):
    refuses(lambda: gradient_check(small_net(), X, Y, **{name: value}), name)


# ---- valid arguments: finite numbers or a documented report ------------------------------------
@pytest.mark.filterwarnings("ignore:training diverged:UserWarning")
@given(sizes, activation_names, learning_rates, st.floats(0, 100), st.integers(1, 3), inputs)
def test_fit_always_ends_with_finite_numbers_or_says_it_diverged(layers, activation, eta, lmbda, epochs, x):
    network = MLP([4] + layers, activation=activation, rng=0)
    labels = np.arange(len(x)) % layers[-1]
    history = answers(lambda: network.fit(x, labels, epochs=epochs, eta=eta, lmbda=lmbda, validation=(x, labels),
                                          rng=0), seconds=3)
    finished = epochs if history.diverged_at is None else history.diverged_at - 1
    assert len(history.train_cost) == len(history.validation_accuracy) == finished
    assert all(np.isfinite(p).all() for p in network.weights + network.biases)


@given(sizes, activation_names, st.floats(-300, 300))
def test_outputs_are_probabilities_or_the_overflow_is_named(layers, activation, log_scale):
    network = MLP([4] + layers, activation=activation, rng=0)
    x = X * 10.0 ** (log_scale / 1.0)
    try:
        p = answers(lambda: network.predict_proba(x))
    except ArgumentError as error:
        assert "x: the network's values overflow at layer" in str(error)
        return
    assert p.shape == (6, layers[-1]) and np.all((p >= 0) & (p <= 1))
    cost = network.cost_value(x, np.zeros(6, dtype=int))
    assert cost >= 0 and not math.isnan(cost)  # inf is the documented report of an overflowed cost


@given(sizes, st.sampled_from(["tanh", "sigmoid", "linear"]), st.sampled_from(["cross_entropy", "quadratic"]),
       st.floats(0, 5), st.integers(0, 10**6))
def test_backpropagation_agrees_with_finite_differences(layers, activation, cost, lmbda, seed):
    network = MLP([4] + layers, activation=activation, cost=cost, rng=seed)
    labels = np.arange(6) % layers[-1]
    assert answers(lambda: gradient_check(network, X, labels, lmbda=lmbda, rng=seed), seconds=3) < 1e-5


@given(st.lists(st.integers(0, 9), max_size=50), st.integers(10, 20))
def test_one_hot_has_a_single_one_per_row_at_the_label(labels, n_classes):
    targets = one_hot(np.array(labels, dtype=int), n_classes)
    assert targets.shape == (len(labels), n_classes) and np.all(targets.sum(axis=1) == 1)
    assert np.array_equal(np.argmax(targets, axis=1) if labels else np.array([], int), labels)


# ---- data sets --------------------------------------------------------------------------------
@given(st.integers(2, 500), st.floats(0, 100), st.integers(0, 2**32))
def test_two_moons_is_finite_balanced_and_seeded(n, noise, seed):
    x, labels = answers(lambda: data.two_moons(n, noise, rng=seed))
    assert x.shape == (n, 2) and abs(int(labels.sum()) - n / 2) <= 0.5
    assert np.array_equal(data.two_moons(n, noise, rng=seed)[0], x)


@given(st.lists(st.integers(0, 4), min_size=2, max_size=60), st.data())
def test_split_keeps_every_sample_once_and_the_class_balance(labels, draw):
    labels = np.array(labels)
    x = np.arange(len(labels) * 2).reshape(-1, 2).astype(np.uint8)
    n_validation = draw.draw(st.integers(1, len(labels) - 1))
    (x_train, y_train), (x_val, y_val) = data.train_validation_split(x, labels, n_validation, rng=0)
    assert len(y_val) == n_validation and x_train.dtype == np.uint8
    assert sorted(np.concatenate([x_train[:, 0], x_val[:, 0]]).tolist()) == x[:, 0].tolist()
    for c in np.unique(labels):  # each class within one sample of its share
        assert abs(np.sum(y_val == c) - np.sum(labels == c) * n_validation / len(labels)) < 1 + 1e-9


@given(bad_arrays((6, 2)))
def test_split_refuses_spoiled_data(x):
    refuses(lambda: data.train_validation_split(x, np.arange(6) % 2, 2), "x")


@given(st.one_of(NON_FINITE, st.floats(max_value=-1e-9), st.floats(min_value=100.001, allow_infinity=False)))
def test_two_moons_refuses_a_noise_out_of_range(noise):
    refuses(lambda: data.two_moons(noise=noise), "noise")


# ---- the IDX reader on any bytes --------------------------------------------------------------
@settings(max_examples=40)
@given(st.sampled_from([0x801, 0x803, 0x802, 0]), st.lists(st.integers(0, 2**32 - 1), min_size=0, max_size=3),
       st.binary(max_size=64), st.booleans())
def test_read_idx_returns_the_announced_shape_or_says_what_is_wrong(tmp_path_factory, magic, dims, payload, zipped):
    raw = struct.pack(">I", magic) + struct.pack(">" + "I" * len(dims), *dims) + payload
    path = tmp_path_factory.mktemp("idx") / ("file-idx.gz" if zipped else "file-idx")
    path.write_bytes(gzip.compress(raw) if zipped else raw)
    try:
        array = answers(lambda: mnist.read_idx(path), seconds=1)
    except ArgumentError as error:
        assert "file-idx" in str(error) and "-1" not in str(error)  # the file, and no overflowed size
        return
    assert array.dtype == np.uint8 and array.shape == tuple(dims[: 3 if magic == 0x803 else 1])
