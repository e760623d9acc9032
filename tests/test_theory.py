"""The mean-field prediction against simulation, and the Gaussian integrals."""

import math

import numpy as np
import pytest

from initlab import initializers, propagate, theory


def test_gaussian_expectation_known_values():
    assert theory.gaussian_expectation(lambda z: z**2, 2.5) == pytest.approx(2.5, rel=1e-9)
    assert theory.gaussian_expectation(lambda z: np.ones_like(z), 1.0) == pytest.approx(1.0, rel=1e-9)
    # E[tanh(a Z)^2] for a step-like a = 1e4: almost exactly 1
    assert theory.gaussian_expectation(lambda z: np.tanh(z) ** 2, 1e8) == pytest.approx(1.0, abs=1e-4)


def test_step_like_tanh_is_accurate_where_gauss_hermite_fails():
    # reference: a brute-force Riemann sum on a fine grid
    grid = np.linspace(-12, 12, 2_400_001)
    weights = np.exp(-grid**2 / 2) / math.sqrt(2 * math.pi) * (grid[1] - grid[0])
    exact = np.sum(np.tanh(22.4 * grid) ** 2 * weights)
    ours = theory.gaussian_expectation(lambda z: np.tanh(z) ** 2, 22.4**2)
    assert ours == pytest.approx(exact, rel=1e-7)
    nodes, hermite_weights = np.polynomial.hermite_e.hermegauss(20)
    hermite = np.sum(hermite_weights * np.tanh(22.4 * nodes) ** 2) / math.sqrt(2 * math.pi)
    assert abs(hermite - exact) / exact > 0.01  # the low-order rule is off by over 1%


@pytest.mark.parametrize("sigma_w", [0.2236, 1.0, 22.4])
def test_mean_field_tanh_matches_simulation(sigma_w):
    run = propagate(initializers.normal(sigma_w / math.sqrt(500)), "tanh", depth=10, width=500, rng=4)
    predicted = theory.mean_field(10, sigma_w, activation="tanh").std
    np.testing.assert_allclose(run.std, predicted, rtol=0.03)


@pytest.mark.parametrize("sigma_w2", [1.0, 2.0, 4.0])
def test_mean_field_relu_matches_simulation(sigma_w2):
    sigma = math.sqrt(sigma_w2)
    run = propagate(initializers.normal(sigma / math.sqrt(500)), "relu", depth=10, width=500, rng=5)
    predicted = theory.mean_field(10, sigma, activation="relu")
    np.testing.assert_allclose(run.std, predicted.std, rtol=0.06)
    np.testing.assert_allclose(run.mean, predicted.mean, rtol=0.06)
    # exact: E[relu^2] = q/2, q_{l+1} = sigma_w^2 q_l / 2, q_1 = sigma_w^2
    np.testing.assert_allclose(predicted.q, sigma_w2 * (sigma_w2 / 2) ** np.arange(10), rtol=1e-7)


def test_mean_field_gradients_match_simulation():
    run = propagate("lecun_normal", "tanh", depth=10, width=500, rng=6)
    predicted = theory.mean_field(10, 1.0, activation="tanh").grad_std
    np.testing.assert_allclose(run.grad_std, predicted, rtol=0.05)


def test_result_prediction_uses_the_drawn_weights():
    run = propagate(initializers.normal(0.01), "tanh", depth=10, width=500, rng=0)
    np.testing.assert_allclose(run.prediction.std, run.std, rtol=0.03)


def test_mean_field_with_bias_and_sigmoid():
    run = propagate("lecun_normal", "sigmoid", depth=6, width=500, bias_std=0.5, rng=7)
    predicted = theory.mean_field(6, 1.0, sigma_b=0.5, activation="sigmoid")
    np.testing.assert_allclose(run.mean, predicted.mean, rtol=0.03)
    np.testing.assert_allclose(run.std, predicted.std, rtol=0.05)


def test_mean_field_rejects_bad_sigma():
    with pytest.raises(ValueError, match="sigma_w"):
        theory.mean_field(3, [1.0, 2.0])
    with pytest.raises(ValueError, match="sigma_w"):
        theory.mean_field(3, -1.0)
    with pytest.raises(ValueError, match="activation must be one of"):
        theory.mean_field(3, 1.0, activation="swish")


def test_sigmoid_saturation():
    assert theory.sigmoid_saturation_threshold() == pytest.approx(math.log(99))
    from initlab.activations import sigmoid
    assert sigmoid.function(theory.sigmoid_saturation_threshold()) == pytest.approx(0.99)
    z = np.random.default_rng(0).normal(0, math.sqrt(501), 200_000)
    measured = np.mean(np.abs(z) > math.log(99))
    assert theory.sigmoid_saturated_fraction(math.sqrt(501)) == pytest.approx(measured, abs=0.005)
    assert theory.sigmoid_saturated_fraction(math.sqrt(501)) == pytest.approx(0.8369, abs=1e-3)
    assert theory.sigmoid_saturated_fraction(math.sqrt(1.5)) < 2e-4
    assert theory.sigmoid_saturated_fraction(0.0) == 0.0
    with pytest.raises(ValueError, match="level must be < 1"):
        theory.sigmoid_saturation_threshold(1.0)


def test_gaussian_expectation_rejects_bad_input():
    with pytest.raises(ValueError, match=r"variance must be >= 0"):
        theory.gaussian_expectation(np.tanh, -1.0)
    with pytest.raises(ValueError, match=r"variance must be >= 0"):
        theory.gaussian_expectation(np.tanh, float("nan"))
    with pytest.raises(TypeError, match=r"function must be callable"):
        theory.gaussian_expectation("tanh", 1.0)
    assert theory.gaussian_expectation(lambda z: np.tanh(z) ** 2, np.inf) == pytest.approx(1.0)


def test_residual_growth_is_one_plus_alpha_squared_v_per_block():
    growth = theory.residual_growth(50, branch_scale=1 / math.sqrt(50))
    assert growth[0] == 1.0 and len(growth) == 51
    assert growth[-1] == pytest.approx(1.02**50, rel=1e-12) and growth[-1] < math.e
    assert theory.residual_growth(1000, 1 / math.sqrt(1000))[-1] == pytest.approx(math.e, rel=1e-3)
    np.testing.assert_allclose(theory.residual_growth(10, 1.0, branch_gain=1.0), 2.0 ** np.arange(11))
    np.testing.assert_allclose(theory.residual_growth(5, 0.0), 1.0)
    with pytest.raises(ValueError, match="branch_gain must be >= 0.0"):
        theory.residual_growth(5, 1.0, branch_gain=-1.0)
    with pytest.raises(TypeError, match="blocks must be an integer"):
        theory.residual_growth(5.0)
