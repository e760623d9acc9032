"""The numpy MLP: back-propagation against finite differences, SGD, history."""

import numpy as np
import pytest

from initlab import data, initializers
from initlab.mlp import MLP, gradient_check, one_hot


@pytest.mark.parametrize("cost", ["cross_entropy", "quadratic"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_backprop_matches_finite_differences(cost, activation):
    rng = np.random.default_rng(0)
    net = MLP([5, 4, 3, 3], activation=activation, cost=cost, rng=1)
    x = rng.standard_normal((7, 5))
    labels = rng.integers(0, 3, 7)
    assert gradient_check(net, x, labels, lmbda=0.7, n_train=20, max_parameters=1000) < 1e-6  # all 51 of them


def test_gradient_check_detects_a_wrong_gradient():
    net = MLP([4, 3, 2], rng=0)
    x = np.random.default_rng(1).standard_normal((5, 4))
    labels = np.array([0, 1, 1, 0, 1])
    real = net.gradients

    def broken(x, targets):
        dw, db = real(x, targets)
        dw[0] = dw[0] * 1.01  # a 1% mistake in one layer
        return dw, db

    net.gradients = broken
    assert gradient_check(net, x, labels) > 1e-4


def test_sgd_step_uses_the_decay_factor():
    net = MLP([3, 2], rng=0)
    x, targets = np.zeros((1, 3)), np.array([[0.0, 1.0]])  # zero input: dW = 0
    before = net.weights[0].copy()
    net.sgd_step(x, targets, eta=0.1, lmbda=5.0, n_train=50)
    np.testing.assert_allclose(net.weights[0], (1 - 0.1 * 5.0 / 50) * before, rtol=1e-15)


def test_fit_learns_two_moons_and_records_history():
    x, labels = data.two_moons(400, rng=0)
    (x_train, y_train), (x_val, y_val) = data.train_validation_split(x, labels, 100, rng=0)
    net = MLP([2, 16, 2], activation="tanh", weight_init="xavier_normal", bias_init="zeros", rng=0)
    seen = []
    history = net.fit(x_train, y_train, epochs=30, batch_size=10, eta=0.5, validation=(x_val, y_val), rng=0,
                      callback=lambda epoch, h: seen.append(epoch))
    assert seen == list(range(1, 31))
    assert len(history.validation_accuracy) == 30
    assert history.train_cost[-1] < history.train_cost[0]
    assert history.validation_accuracy[-1] >= 0.95


def test_zero_weights_keep_hidden_units_identical():
    x, labels = data.two_moons(200, rng=0)
    net = MLP([2, 8, 2], weight_init="zeros", bias_init="zeros", rng=0)
    net.fit(x, labels, epochs=5, eta=1.0, rng=0)
    w = net.weights[0]
    assert np.abs(w - w[:, :1]).max() == 0.0  # every hidden unit has the same incoming weights
    assert np.abs(w).max() > 0  # and they did change
    net = MLP([2, 8, 2], weight_init="lecun_normal", bias_init="zeros", rng=0)
    net.fit(x, labels, epochs=5, eta=1.0, rng=0)
    assert np.abs(net.weights[0] - net.weights[0][:, :1]).max() > 0.1


def test_training_is_reproducible():
    x, labels = data.two_moons(100, rng=3)
    runs = []
    for _ in range(2):
        net = MLP([2, 5, 2], rng=4)
        runs.append(net.fit(x, labels, epochs=3, rng=5).train_cost)
    assert runs[0] == runs[1]


def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])


def test_weights_follow_the_initializer():
    net = MLP([784, 30, 10], weight_init=initializers.normal(1.0), rng=0)
    assert net.weights[0].shape == (784, 30)
    assert net.weights[0].std() == pytest.approx(1.0, rel=0.02)
    assert net.biases[0].shape == (30,)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu", "leaky_relu", "linear"])
def test_derivative_from_output_matches_derivative(name):
    from initlab import activations

    act = activations.get(name)
    z = np.linspace(-4, 4, 81) + 0.05  # avoid z = 0 exactly, where relu has a kink
    np.testing.assert_allclose(act.derivative_from_output(act.function(z)), act.derivative(z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("cost", ["cross_entropy", "quadratic"])
def test_fit_records_exactly_what_cost_value_and_accuracy_say(cost):
    # fit measures cost and accuracy from one forward pass per set and epoch: the public ones must agree to the bit
    x, labels = data.two_moons(160, rng=0)
    (x_train, y_train), (x_val, y_val) = data.train_validation_split(x, labels, 40, rng=0)
    net = MLP([2, 8, 2], activation="tanh", cost=cost, rng=1)
    seen = []

    def record(epoch, history):
        seen.append((net.cost_value(x_train, y_train, lmbda=0.5), net.accuracy(x_train, y_train),
                     net.cost_value(x_val, y_val, lmbda=0.5, n_train=len(x_train)), net.accuracy(x_val, y_val)))

    history = net.fit(x_train, y_train, epochs=3, eta=0.5, lmbda=0.5, validation=(x_val, y_val), rng=2,
                      callback=record)
    assert seen == list(zip(history.train_cost, history.train_accuracy, history.validation_cost,
                            history.validation_accuracy))
