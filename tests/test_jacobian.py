"""The input-output Jacobian: against finite differences, exactly isometric where it must be, its moments as predicted."""

import math

import numpy as np
import pytest

from initlab import initializers, isometry, jacobian, theory
from initlab.propagation import draw_weights


def _network(widths, activation_scale=1.5, bias_std=0.3, seed=0):
    rng = np.random.default_rng(seed)
    weights = draw_weights(widths, initializers.variance_scaling(activation_scale**2, "fan_in", "normal"), rng)
    biases = [bias_std * rng.standard_normal(w) for w in widths[1:]]
    return rng.standard_normal(widths[0]), weights, biases


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear", "leaky_relu"])
def test_jacobian_matches_finite_differences(activation):
    x, weights, biases = _network((30, 50, 40, 20), seed=1)   # not square: the (fan_in, fan_out) layout shows
    exact = jacobian.jacobian(x, weights, activation, biases)
    assert exact.shape == (30, 20)
    numeric = jacobian.finite_difference_jacobian(x, weights, activation, biases)
    assert np.abs(exact - numeric).max() < 1e-7 * np.abs(exact).max()


def test_relu_jacobian_matches_finite_differences_away_from_kinks():
    x, weights, biases = _network((40, 60, 60, 30), activation_scale=math.sqrt(2), seed=2)
    exact = jacobian.jacobian(x, weights, "relu", biases)
    numeric = jacobian.finite_difference_jacobian(x, weights, "relu", biases, step=1e-7)
    assert np.abs(exact - numeric).max() < 1e-6 * np.abs(exact).max()


def test_rows_are_inputs_and_columns_outputs():
    # one linear layer: J is W itself, so dh_L = dh_0 @ J
    w = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(jacobian.jacobian([1.0, -2.0], [w], "linear"), w)
    x, weights, biases = _network((10, 12, 8), seed=3)
    step = 1e-6 * np.random.default_rng(0).standard_normal(10)
    moved = jacobian.forward(x + step, weights, "tanh", biases) - jacobian.forward(x, weights, "tanh", biases)
    np.testing.assert_allclose(moved, step @ jacobian.jacobian(x, weights, "tanh", biases), rtol=1e-4, atol=1e-13)


@pytest.mark.parametrize("gain", [1.0, 0.7])
def test_deep_linear_orthogonal_network_is_exactly_isometric(gain):
    depths = (1, 10, 50, 100)
    spectra = jacobian.jacobian_spectra("orthogonal", "linear", depths=depths, width=100, sigma_w=gain, rng=0)
    for depth in depths:
        assert np.abs(spectra.singular_values[depth] / gain**depth - 1).max() < 1e-10
        assert spectra.condition(depth) == pytest.approx(1.0, abs=1e-10)
    np.testing.assert_allclose(spectra.mean_square_by_layer, gain ** (2 * np.arange(1, 101)), rtol=1e-10)


def test_deep_linear_gaussian_spread_grows_like_the_depth():
    spectra = jacobian.jacobian_spectra("gaussian", "linear", depths=(1, 5, 10), width=400, rng=1)
    for depth in (1, 5, 10):
        assert spectra.relative_variance(depth) == pytest.approx(depth, rel=0.1)       # Fuss-Catalan
        assert spectra.singular_values[depth][0] ** 2 < 1.02 * isometry.gaussian_product_edge(depth)
    assert spectra.singular_values[1][0] ** 2 == pytest.approx(4.0, rel=0.05)          # Marchenko-Pastur's edge
    assert math.isinf(spectra.condition(10))                                           # below float64's resolution
    assert spectra.rank(10) < 400


@pytest.mark.parametrize("sigma_w, sigma_b", [(5 / 3, 0.0), (1.0, 0.05), (1.3, 0.2)])
def test_mean_square_singular_value_is_chi_to_the_depth(sigma_w, sigma_b):
    depth = 10
    chi = theory.chi_1(sigma_w, theory.fixed_point(sigma_w, sigma_b), "tanh")
    means = [jacobian.jacobian_spectra(init, "tanh", depths=depth, width=300, sigma_w=sigma_w, sigma_b=sigma_b,
                                       rng=seed).mean_square(depth)
             for init in ("gaussian", "orthogonal") for seed in range(3)]
    assert np.mean(means) == pytest.approx(chi**depth, rel=0.12)


@pytest.mark.parametrize("activation, weights, q_star", [("tanh", "orthogonal", 1 / 64), ("tanh", "gaussian", 1 / 64),
                                                         ("tanh", "orthogonal", 0.5), ("relu", "orthogonal", 1.0),
                                                         ("relu", "gaussian", 1.0)])
def test_spread_of_the_spectrum_matches_free_probability(activation, weights, q_star):
    sigma_w, sigma_b = theory.critical_point(q_star, activation)
    spreads = [jacobian.jacobian_spectra(weights, activation, depths=16, width=300, sigma_w=sigma_w, sigma_b=sigma_b,
                                         rng=seed) for seed in range(3)]
    measured = np.mean([s.relative_variance(16) for s in spreads])
    assert measured == pytest.approx(spreads[0].predicted_relative_variance[-1], rel=0.15)


def test_relu_switches_off_about_half_the_directions():
    spectra = jacobian.jacobian_spectra("orthogonal", "relu", depths=(1, 20), width=300, sigma_w=math.sqrt(2), rng=2)
    assert np.all(np.abs(spectra.active_by_layer / 300 - 0.5) < 0.1)
    assert spectra.rank(20) <= spectra.active_by_layer.min()
    assert spectra.rank(1) == spectra.active_by_layer[0]
    assert math.isinf(spectra.condition(20))
    tanh = jacobian.jacobian_spectra("orthogonal", "tanh", depths=20, width=300, rng=2)
    assert tanh.rank(20) == 300 and np.all(tanh.active_by_layer == 300)


def test_default_input_sits_at_the_fixed_point():
    sigma_w, sigma_b = theory.critical_point(0.25, "tanh")
    spectra = jacobian.jacobian_spectra("orthogonal", "tanh", depths=5, width=200, sigma_w=sigma_w, sigma_b=sigma_b,
                                        rng=0)
    np.testing.assert_allclose(spectra.q, 0.25, rtol=0.05)
    assert spectra.input_variance == pytest.approx((0.25 - sigma_b**2) / sigma_w**2, rel=1e-6)
    # q* = 0: a tiny input, where tanh is linear and J = sigma_w^L times a product of orthogonal matrices
    assert jacobian.fixed_point_input_variance(0.8, 0.0, "tanh") == jacobian.FADED_INPUT_VARIANCE
    faded = jacobian.jacobian_spectra("orthogonal", "tanh", depths=10, width=50, sigma_w=0.8, rng=0)
    np.testing.assert_allclose(faded.singular_values[10], 0.8**10, rtol=1e-6)
    assert faded.mean_square(10) == pytest.approx(theory.chi_1(0.8, 0.0) ** 10, rel=1e-6)
    assert jacobian.fixed_point_input_variance(1.5, 0.0, "relu") == 1.0  # q* infinite: J does not depend on the scale


def test_a_deeper_network_keeps_the_earlier_layers():
    _, short, _ = jacobian.unit_network("orthogonal", 20, 3, rng=5)
    x, deep, biases = jacobian.unit_network("orthogonal", 20, 6, rng=5)
    _, tail, _ = jacobian.unit_network("orthogonal", 20, 6, first=3, rng=5)
    for a, b in zip(short + tail, deep):
        np.testing.assert_array_equal(a, b)
    assert x.shape == (20,) and len(biases) == 6


def test_table_names_every_depth():
    text = jacobian.jacobian_spectra("gaussian", "linear", depths=(1, 12), width=50, rng=0).table()
    assert text.splitlines()[0] == "gaussian weights, linear, sigma_w = 1, sigma_b = 0, width 50"
    assert text.splitlines()[-1].startswith("   12") and text.splitlines()[-1].endswith("> 1e13")


@pytest.mark.parametrize("call, error, message", [
    (lambda: jacobian.jacobian_spectra("uniform"), ValueError, r"init must be one of \['gaussian', 'orthogonal'\]"),
    (lambda: jacobian.jacobian_spectra(depths=0), ValueError, "depths entry must be an integer >= 1, got 0"),
    (lambda: jacobian.jacobian_spectra(width=2.5), TypeError, "width must be an integer"),
    (lambda: jacobian.jacobian_spectra(sigma_w=0), ValueError, "sigma_w must be > 0"),
    (lambda: jacobian.jacobian_spectra(depths=1000, width=1000), ValueError, "reduce the depth or the width"),
    (lambda: jacobian.jacobian([1.0, 2.0], [np.ones((3, 2))]), ValueError, r"weights\[0\] must have shape \(2, any\)"),
    (lambda: jacobian.jacobian([1.0], []), ValueError, "weights must hold at least one matrix"),
    (lambda: jacobian.jacobian([np.nan], [np.ones((1, 1))]), ValueError, "x must contain only finite numbers"),
    (lambda: jacobian.finite_difference_jacobian([1.0], [np.ones((1, 1))], step=0), ValueError, "step must be > 0"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
