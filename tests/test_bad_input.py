"""Bad input gets a ValueError or TypeError naming the argument, the value and what is allowed."""

import numpy as np
import pytest

from initlab import activations, data, initializers, mlp, propagate, theory


@pytest.mark.parametrize(
    "call, error, message",
    [
        # sizes
        (lambda: initializers.he_normal()(0, 5), ValueError, r"fan_in must be an integer >= 1, got 0"),
        (lambda: initializers.he_normal()(5, -3), ValueError, r"fan_out must be an integer >= 1, got -3"),
        (lambda: initializers.he_normal()(5.0, 3), TypeError, r"fan_in must be an integer, got 5.0 \(float\).*int\(5.0\)"),
        (lambda: initializers.zeros()(True, 3), TypeError, r"fan_in must be an integer, got True \(bool\)"),
        (lambda: initializers.lecun_normal()(100000, 100000), ValueError, r"10,000,000,000 entries.*at most 50,000,000"),
        (lambda: propagate(depth=0), ValueError, r"depth must be an integer >= 1, got 0"),
        (lambda: propagate(width=2.5), TypeError, r"width must be an integer, got 2.5"),
        (lambda: propagate(widths=[10]), ValueError, r"widths needs the input width and at least one layer"),
        (lambda: propagate(widths=[10, 0]), ValueError, r"widths\[1\] must be an integer >= 1, got 0"),
        (lambda: propagate(widths=[10, 10], depth=3), ValueError, r"either widths=\[...\] or depth and width"),
        (lambda: propagate(n_samples=-1), ValueError, r"n_samples must be an integer >= 1, got -1"),
        (lambda: propagate(depth=1000, width=5000, n_samples=1000), ValueError, r"at most 2e\+11"),
        # names
        (lambda: initializers.get("xavier"), ValueError, r"init must be one of \['zeros', 'constant', 'normal', 'uniform', 'lecun_normal'.*got 'xavier'"),
        (lambda: initializers.get(3), TypeError, r"init must be one of .* got 3 \(int\)"),
        (lambda: initializers.get("uniform"), TypeError, r"initializer 'uniform' takes limit=\.\.\., got none"),
        (lambda: activations.get("relu6"), ValueError, r"activation must be one of \['tanh', 'sigmoid', 'relu', 'leaky_relu', 'linear'\], got 'relu6'"),
        (lambda: propagate(activation="softmax"), ValueError, r"activation must be one of"),
        (lambda: initializers.variance_scaling(1.0, mode="fan_sum"), ValueError, r"mode must be one of \['fan_in', 'fan_out', 'fan_avg'\], got 'fan_sum'"),
        (lambda: initializers.variance_scaling(1.0, distribution="gauss"), ValueError, r"distribution must be one of \['normal', 'untruncated_normal', 'truncated_normal', 'uniform'\], got 'gauss'"),
        (lambda: initializers.he_normal(mode="avg"), ValueError, r"mode must be one of \['fan_in', 'fan_out'\], got 'avg'"),
        (lambda: initializers.gain("swish"), ValueError, r"nonlinearity must be one of \['linear', 'identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu'\]"),
        (lambda: initializers.gain("tanh", 0.2), ValueError, r"param is only used for 'leaky_relu'"),
        (lambda: mlp.MLP([2, 2], cost="hinge"), ValueError, r"cost must be one of \['cross_entropy', 'quadratic'\], got 'hinge'"),
        # numbers
        (lambda: initializers.normal(float("nan")), ValueError, r"std must be a finite number, got nan"),
        (lambda: initializers.normal(-0.1), ValueError, r"std must be >= 0.0, got -0.1"),
        (lambda: initializers.normal("0.1"), TypeError, r"std must be a real number, got '0.1' \(str\)"),
        (lambda: initializers.uniform(-1), ValueError, r"limit must be >= 0.0, got -1.0"),
        (lambda: initializers.uniform(float("inf")), ValueError, r"limit must be a finite number, got inf"),
        (lambda: initializers.variance_scaling(0), ValueError, r"scale must be > 0, got 0.0"),
        (lambda: initializers.orthogonal(gain=-1), ValueError, r"gain must be > 0, got -1.0"),
        (lambda: initializers.constant(float("nan")), ValueError, r"value must be a finite number"),
        (lambda: propagate(bias_std=-1), ValueError, r"bias_std must be >= 0.0, got -1.0"),
        (lambda: theory.weighted_sum_std(500, -1.0), ValueError, r"weight_std must be >= 0.0, got -1.0"),
        (lambda: theory.weighted_sum_std(-5, 1.0), ValueError, r"n_on must be an integer >= 0, got -5"),
        (lambda: data.half_on_input(10, 1.5), ValueError, r"fraction_on must be <= 1.0, got 1.5"),
        (lambda: activations.leaky_relu(-0.1), ValueError, r"slope must be >= 0.0, got -0.1"),
        # rng
        (lambda: initializers.he_normal()(3, 3, rng="seed"), TypeError, r"rng must be None, an integer seed >= 0 or a numpy.random.Generator, got 'seed' \(str\)"),
        (lambda: initializers.he_normal()(3, 3, rng=-1), ValueError, r"rng must be a seed >= 0, got -1"),
        (lambda: initializers.he_normal()(3, 3, rng=1.5), TypeError, r"rng must be None, an integer seed"),
        (lambda: propagate(rng=np.random.RandomState(0)), TypeError, r"rng must be None.*got RandomState"),
        (lambda: data.two_moons(rng=[1, 2]), TypeError, r"rng must be None"),
    ],
)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_mlp_shape_mismatches():
    net = mlp.MLP([4, 3, 2], rng=0)
    with pytest.raises(ValueError, match=r"x must have shape \(n_samples, 4\), got \(5, 3\)"):
        net.predict(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"labels must be 5 integer class labels, got dtype float64"):
        net.fit(np.zeros((5, 4)), np.zeros(5))
    with pytest.raises(ValueError, match=r"labels must lie in 0..1, got 0..7"):
        net.fit(np.zeros((2, 4)), np.array([0, 7]))
    with pytest.raises(ValueError, match=r"validation\[0\] must have shape \(n_samples, 4\)"):
        net.fit(np.zeros((2, 4)), np.array([0, 1]), validation=(np.zeros((2, 5)), np.array([0, 1])))
    with pytest.raises(ValueError, match=r"eta must be > 0, got 0.0"):
        net.fit(np.zeros((2, 4)), np.array([0, 1]), eta=0)
    with pytest.raises(ValueError, match=r"sizes\[1\] must be an integer >= 1, got 0"):
        mlp.MLP([4, 0, 2])
    with pytest.raises(ValueError, match=r"sizes must list at least an input and an output size"):
        mlp.MLP([4])


def test_run_network_shape_mismatch():
    from initlab.propagation import run_network

    with pytest.raises(ValueError, match=r"weights\[1\] must have shape \(3, fan_out\) to follow an input of width 3, got \(4, 2\)"):
        run_network(np.zeros((2, 5)), [np.zeros((5, 3)), np.zeros((4, 2))])


def test_split_rejects_impossible_sizes():
    with pytest.raises(ValueError, match=r"n_validation must be an integer <= 9, got 10"):
        data.train_validation_split(np.zeros((10, 2)), np.zeros(10, dtype=int), 10)
    with pytest.raises(ValueError, match=r"labels must be 1-D with one label per row of x \(10\)"):
        data.train_validation_split(np.zeros((10, 2)), np.zeros(9, dtype=int), 3)


def test_bad_dtype():
    with pytest.raises(TypeError, match=r"dtype must be one of \['float64', 'float32'\], got 'int64'"):
        initializers.he_normal()(3, 3, dtype=np.int64)
    with pytest.raises(TypeError, match=r"dtype must be one of"):
        initializers.normal(1.0)(3, 3, dtype="double-ish")
