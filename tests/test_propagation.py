"""propagate: structure of the result, overflow handling, keeping layers."""

import re
import warnings

import numpy as np
import pytest

from initlab import initializers, propagate
from initlab.diagnosis import diagnose
from initlab.propagation import run_network


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


NUMBER = r"([-+.\de]+)"


@pytest.mark.parametrize(
    "init, activation, depth, width, word, fragment, number, low, high",
    [
        # chi_1 = E[tanh'(z)^2] < 1: the gradient shrinks a little going back, far from 1e-2
        ("lecun_normal", "tanh", 10, 500, "healthy", "the output keeps 0.36 of layer 1's input dependence",
         rf"layer 1 gets {NUMBER}x layer 10's gradient", 0.2, 0.4),
        # 0.01 * sqrt(500) = 0.22: both directions shrink about 4.5x per layer
        (initializers.normal(0.01), "tanh", 10, 500, "vanishing", "; collapsing: the output depends on the input",
         rf"layer 1 gets {NUMBER} of layer 10's", 3e-7, 1e-5),
        (initializers.normal(1.0), "tanh", 10, 500, "exploding",
         "from layer 10 to layer 1 (past 100x at layer 6); saturating: ", rf"grows {NUMBER}x per layer going back",
         3.0, 4.0),
        # sigmoid keeps a std of 0.03 around 0.5, but nearly none of it depends on the input
        (initializers.normal(0.01), "sigmoid", 10, 500, "vanishing", "collapsing: the output depends on the input",
         rf"depends on the input {NUMBER} as much as layer 1", 1e-12, 3e-11),
        # chi_1 = sigma_w^2 E[sigmoid'(z)^2] ~ 0.06: 4.3x less per layer in both directions
        ("lecun_normal", "sigmoid", 10, 250, "vanishing", "x less per layer (below 0.01 from layer 5)",
         rf"layer 1 gets {NUMBER} of layer 10's", 5e-7, 1e-5),
        ("he_normal", "relu", 10, 250, "healthy", "of layer 1's input dependence",
         rf"layer 1 gets {NUMBER}x layer 10's gradient", 0.7, 1.4),
        # sigma_w^2 = 1 with relu halves the variance per layer: sqrt(2) = 1.41x per layer
        ("lecun_normal", "relu", 30, 250, "vanishing", "; collapsing: the output depends on the input",
         rf"the gradient shrinks {NUMBER}x per layer going back", 1.3, 1.55),
        (initializers.variance_scaling(4.0, "fan_in", "normal"), "relu", 30, 250, "exploding",
         "x from layer 30 to layer 1 (past 100x at layer 16); std passes 10 at layer 8",
         rf"the gradient grows {NUMBER}x per layer going back", 1.3, 1.55),
        (initializers.normal(1e30), "linear", 10, 500, "exploding", "exploding: the signal overflowed at layer 10",
         None, None, None),
    ],
    ids=["tanh-lecun_normal", "tanh-normal(0.01)", "tanh-normal(1)", "sigmoid-normal(0.01)", "sigmoid-lecun_normal",
         "relu-he_normal", "relu-lecun_normal-depth30", "relu-variance_scaling(4)-depth30", "linear-normal(1e30)"],
)
def test_diagnose(init, activation, depth, width, word, fragment, number, low, high):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = propagate(init, activation, depth=depth, width=width, n_samples=1000, rng=0)
        verdict = diagnose(run)
    assert verdict.split(":")[0] == word and fragment in verdict, verdict
    assert "\n" not in verdict and verdict.count("; ") <= 1
    if number is not None:
        assert low < float(re.search(number, verdict).group(1)) < high, verdict


def test_diagnose_dead_units_are_dead_for_every_input():
    # A healthy ReLU layer zeroes half of its activations, but hardly a unit for every input
    healthy = propagate("he_normal", "relu", depth=10, width=100, n_samples=200, rng=0)
    assert 0.4 < healthy.dead.min() and healthy.dead_units.max() < 0.2
    assert diagnose(healthy).startswith("healthy")
    # a deep narrow ReLU network loses most of its units
    narrow = propagate("he_uniform", "relu", depth=50, width=10, n_samples=1000, rng=1)
    assert narrow.dead_units.max() > 0.5
    assert diagnose(narrow).startswith("dead: 60% of the units output 0 for every input at layer 15, 80% at layer 50")


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(init="lecun_normal", activation="tanh", depth=1, width=50, n_samples=100), "healthy: one layer, std 0.6"),
        (dict(init="lecun_normal", activation="tanh", depth=4, width=20, n_samples=1),
         "healthy: layer 1 gets"),
        (dict(init="zeros", activation="tanh", depth=3, width=20, n_samples=10),
         "vanishing: the gradient is exactly 0 from layer 2 down; collapsing: the output does not depend on the input"),
        (dict(init="zeros", activation="sigmoid", depth=1, width=20, n_samples=10), "collapsing: the output does not"),
        (dict(init="zeros", activation="relu", depth=2, width=20, n_samples=1), "vanishing: the gradient is exactly 0"),
    ],
    ids=["depth-1", "one-sample", "zeros-tanh", "zeros-sigmoid-depth-1", "zeros-relu-one-sample"],
)
def test_diagnose_edge_cases_without_warnings(kwargs, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        verdict = diagnose(propagate(rng=0, **kwargs))
    assert verdict.startswith(expected), verdict


def test_diagnose_gradient_overflow_and_no_backward_pass():
    weights = [10.0 * np.eye(4) for _ in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        overflowed = run_network(np.eye(4), weights, "linear", grad_output=np.full((4, 4), 1e308))
        assert diagnose(overflowed).startswith(
            "exploding: the gradient overflowed at layer 2 going back; std passes 10")
        forward_only = run_network(np.eye(4), [np.eye(4)] * 3, "linear")
        assert diagnose(forward_only) == "healthy: the output keeps 1 of layer 1's input dependence"


def test_diagnose_needs_a_result():
    with pytest.raises(TypeError, match="result must be a PropagationResult .* got dict"):
        diagnose({"std": [1.0]})
