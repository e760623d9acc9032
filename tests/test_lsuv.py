"""LSUV: an orthonormal start, then every layer's output variance on the batch is 1 within 1%."""

import numpy as np
import pytest

from initlab import data, initializers, mlp, resnet
from initlab.checks import ArgumentError, ArgumentTypeError
from initlab.lsuv import TOLERANCE, lsuv


@pytest.fixture(scope="module")
def images():
    return data.load_mnist().x_train[:300]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_every_layer_has_unit_output_variance_on_the_batch(images, activation):
    net = mlp.MLP([784, 64, 64, 64, 64, 10], activation=activation, weight_init="xavier_normal", bias_init="zeros", rng=0)
    result = lsuv(net, images, rng=1)
    z = net.forward(images).z
    variances = np.array([np.var(layer) for layer in z])
    assert np.all(np.abs(variances - 1) <= TOLERANCE)
    np.testing.assert_allclose(result.variance_after, variances, rtol=1e-12)
    # zero biases: one rescaling brings each layer exactly to 1
    assert np.all(result.iterations == 1) and np.allclose(variances, 1.0, rtol=1e-10)


def test_the_start_is_orthonormal_up_to_the_scale(images):
    net = mlp.MLP([784, 64, 32, 10], activation="relu", bias_init="zeros", rng=0)
    result = lsuv(net, images, rng=0)
    for w, scale in zip(net.weights, result.scale):
        q = w / scale
        small = min(q.shape)
        gram = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
        np.testing.assert_allclose(gram, np.eye(small), atol=1e-10)
    # the same seed gives the same orthonormal matrices
    other = mlp.MLP([784, 64, 32, 10], activation="relu", bias_init="zeros", rng=5)
    lsuv(other, images, rng=0)
    assert all(np.array_equal(a, b) for a, b in zip(net.weights, other.weights))


def test_with_small_biases_it_iterates_to_the_tolerance(images):
    net = mlp.MLP([784, 64, 64, 10], activation="tanh", bias_init=initializers.normal(0.3), rng=0)
    result = lsuv(net, images, rng=0)
    assert result.iterations.max() > 1
    assert np.all(np.abs(np.array([np.var(z) for z in net.forward(images).z]) - 1) <= TOLERANCE)
    assert "rescalings" in result.table().splitlines()[0] and len(result.table().splitlines()) == 4


def test_biases_that_alone_exceed_unit_variance_are_named(images):
    net = mlp.MLP([784, 64, 10], activation="relu", bias_init=initializers.normal(2.0), rng=0)
    with pytest.raises(ArgumentError, match="LSUV could not bring layer 1's output variance to 1.*start the biases at zero"):
        lsuv(net, images, rng=0)


def test_bad_arguments(images):
    with pytest.raises(ArgumentTypeError, match="network must be an initlab.mlp.MLP, got ResidualMLP"):
        lsuv(resnet.ResidualMLP(blocks=2), images)
    net = mlp.MLP([784, 10], rng=0)
    with pytest.raises(ArgumentError, match="x must hold at least 2 samples"):
        lsuv(net, images[:1])
    with pytest.raises(ArgumentError, match="tol must be <= 0.5"):
        lsuv(net, images, tol=0.9)
    with pytest.raises(ArgumentError, match=r"x must have shape \(n_samples, 784\)"):
        lsuv(net, images[:, :10])
