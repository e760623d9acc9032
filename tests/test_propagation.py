"""propagate: structure of the result, overflow handling, keeping layers."""

import warnings

import numpy as np
import pytest

from initlab import initializers, propagate
from initlab.propagation import diagnose, run_network


def test_result_structure_and_reproducibility():
    a = propagate("he_normal", "relu", widths=[20, 30, 40], n_samples=50, rng=0)
    b = propagate("he_normal", "relu", widths=[20, 30, 40], n_samples=50, rng=0)
    assert a.widths == (20, 30, 40) and a.depth == 2
    for name in ("mean", "std", "saturated", "dead", "grad_std"):
        assert getattr(a, name).shape == (2,)
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.activations[2].shape == (50, 40) and a.gradients[1].shape == (50, 30)
    assert 0.4 < a.dead[0] < 0.6  # ReLU zeroes about half its inputs
    assert a.saturated.tolist() == [0.0, 0.0]


def test_adding_layers_keeps_the_earlier_ones():
    short = propagate("lecun_normal", "tanh", depth=3, width=50, n_samples=20, rng=1)
    long = propagate("lecun_normal", "tanh", depth=6, width=50, n_samples=20, rng=1)
    np.testing.assert_array_equal(short.std, long.std[:3])


def test_keep_layers_limits_what_is_stored():
    run = propagate("lecun_normal", "tanh", depth=5, width=30, n_samples=10, keep_layers=[1, 5], rng=0)
    assert sorted(run.activations) == [1, 5] and sorted(run.gradients) == [1, 5]
    run = propagate("lecun_normal", "tanh", depth=5, width=30, n_samples=10, keep_layers=[], rng=0)
    assert run.activations == {}


def test_explosion_is_reported_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = propagate(initializers.normal(1e7), "relu", depth=50, width=200, n_samples=20, rng=0)
    assert run.exploded_at is not None and 30 < run.exploded_at <= 50
    k = run.exploded_at
    assert np.all(np.isfinite(run.std[: k - 1])) and np.all(np.isnan(run.std[k - 1:]))
    assert np.all(np.isnan(run.grad_std))
    assert f"exploded (overflowed) at layer {k}" in run.table()


def test_forward_overflow_skips_the_backward_pass():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = propagate(initializers.normal(1e30), "linear", depth=11, width=10, n_samples=5, rng=0)
    # each layer multiplies by about 1e30 * sqrt(10): layer 11 passes 1e308
    assert run.exploded_at == 11 and run.grad_exploded_at is None


def test_gradient_overflow_is_reported():
    weights = [10.0 * np.eye(4) for _ in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = run_network(np.ones((2, 4)), weights, "linear", grad_output=np.full((2, 4), 1e308))
    assert run.exploded_at is None
    assert run.grad_exploded_at == 2  # dz_3 = 1e308 is fine, dz_2 = 1e309 is not
    assert np.isfinite(run.grad_std[2]) and np.isnan(run.grad_std[:2]).all()
    assert "gradient exploded (overflowed) at layer 2" in run.table()


def test_zero_init_gives_zero_signal_and_dead_units():
    run = propagate("zeros", "tanh", depth=3, width=20, n_samples=10, rng=0)
    assert run.std.tolist() == [0.0, 0.0, 0.0]
    assert run.dead.tolist() == [1.0, 1.0, 1.0]
    assert run.prediction.std.tolist() == [0.0, 0.0, 0.0]


def test_table_prints_every_layer():
    run = propagate("lecun_normal", "tanh", depth=4, width=20, n_samples=10, rng=0)
    lines = run.table().splitlines()
    assert len(lines) == 2 + 4 and lines[2].split()[0] == "1"


def test_bad_initializer_output_shape_is_caught():
    with pytest.raises(ValueError, match=r"returned shape \(3,\)"):
        propagate(lambda a, b, rng: np.zeros(3), "tanh", depth=2, width=3, n_samples=2)


@pytest.mark.parametrize(
    "init, activation, depth, expected",
    [
        (initializers.normal(0.01), "tanh", 10, "collapsing: std falls below 0.01 at layer 4, 3e-07 at layer 10"),
        (initializers.normal(1.0), "tanh", 10, "saturating: 91% of the units in the flat tails from layer 1 on"),
        ("lecun_normal", "tanh", 10, "healthy: std between 0.228 and 0.627 in all 10 layers"),
        ("he_normal", "relu", 10, "healthy"),
        ("lecun_normal", "relu", 30, "collapsing: std falls below 0.01 at layer 1"),
        (initializers.variance_scaling(4.0), "relu", 30, "exploding: std"),
        (initializers.normal(1e7), "relu", 50, "exploding: the signal overflowed at layer"),
    ],
)
def test_diagnose(init, activation, depth, expected):
    run = propagate(init, activation, depth=depth, width=500, n_samples=200, rng=0)
    assert diagnose(run).startswith(expected)
