"""The closed forms of lesson 08: q*, chi_1, the critical line, the Jacobian's moments, Haar's marginal."""

import math

import numpy as np
import pytest

from initlab import activations, initializers, isometry, propagate, theory


# ---- the fixed point of the length map ---------------------------------------------
@pytest.mark.parametrize("sigma_w, sigma_b, q_star, chi", [
    (5 / 3, 0.0, 1.18, 1.21),           # PyTorch's tanh gain: mildly chaotic
    (1.0, 0.05, 0.037, 0.93),           # a small bias: ordered
    (math.sqrt(500), 0.0, 482, 12.1),   # N(0, 1) weights in a layer of 500: strongly chaotic
])
def test_tanh_fixed_points_and_chi_match_the_course_facts(sigma_w, sigma_b, q_star, chi):
    found = theory.fixed_point(sigma_w, sigma_b, "tanh")
    assert found == pytest.approx(q_star, rel=0.01)
    assert theory.chi_1(sigma_w, found, "tanh") == pytest.approx(chi, rel=0.01)
    # it is a fixed point: one more step of the length map leaves it where it is
    again = sigma_w**2 * theory.gaussian_expectation(lambda z: np.tanh(z) ** 2, found) + sigma_b**2
    assert again == pytest.approx(found, rel=1e-9)


def test_fixed_point_is_where_a_simulated_network_settles():
    sigma_w = 5 / 3
    run = propagate(initializers.variance_scaling(sigma_w**2, "fan_in", "normal"), "tanh", depth=30, width=500,
                    n_samples=200, rng=0)
    measured_q = sigma_w**2 * (run.std[-6:] ** 2 + run.mean[-6:] ** 2)  # q_{l+1} = sigma_w^2 E[h_l^2]
    np.testing.assert_allclose(measured_q, theory.fixed_point(sigma_w), rtol=0.03)


def test_fixed_point_fades_grows_or_stays():
    assert theory.fixed_point(1.0, 0.0, "tanh") == 0.0            # critical tanh: q_l ~ 1/(2l) -> 0
    assert theory.fixed_point(0.8, 0.0, "tanh") == 0.0
    assert theory.fixed_point(1.05, 0.0, "tanh") == pytest.approx(0.0533, rel=0.01)
    assert theory.fixed_point(1.5, 0.0, "relu") == math.inf        # sigma_w^2 / 2 > 1: grows forever
    assert theory.fixed_point(1.0, 0.0, "relu") == 0.0
    assert theory.fixed_point(1.0, 0.0, "linear", q0=3.0) == 3.0   # every q is a fixed point
    # ReLU with a bias below criticality: q* = sigma_b^2 / (1 - sigma_w^2 / 2) exactly
    assert theory.fixed_point(1.2, 0.3, "relu") == pytest.approx(0.09 / (1 - 0.72), rel=1e-8)
    # from above and from below it reaches the same stable point
    assert theory.fixed_point(1.3, 0.1, "tanh", q0=1e-6) == pytest.approx(theory.fixed_point(1.3, 0.1, "tanh", q0=50))


def test_chi_1_closed_forms():
    assert theory.chi_1(math.sqrt(2), 0.7, "relu") == pytest.approx(1.0, rel=1e-8)   # He: relu' is 1 half the time
    assert theory.chi_1(0.9, 5.0, "linear") == pytest.approx(0.81, rel=1e-9)
    assert theory.chi_1(1.0, 0.0, "tanh") == pytest.approx(1.0, rel=1e-9)            # tanh'(0) = 1
    np.testing.assert_allclose(theory.chi_1(2.0, [1e-8, 0.5], "relu"), [2.0, 2.0], rtol=1e-8)


@pytest.mark.parametrize("q_star", [1 / 64, 0.5, 2.0])
def test_critical_point_has_the_fixed_point_and_chi_one(q_star):
    sigma_w, sigma_b = theory.critical_point(q_star, "tanh")
    assert theory.chi_1(sigma_w, q_star, "tanh") == pytest.approx(1.0, rel=1e-9)
    assert theory.fixed_point(sigma_w, sigma_b, "tanh", q0=q_star * 3) == pytest.approx(q_star, rel=1e-6)


def test_critical_point_small_q_is_close_to_one_and_relu_is_he():
    sigma_w, sigma_b = theory.critical_point(1 / 64, "tanh")
    assert 1.0 < sigma_w < 1.02 and 0.0 < sigma_b < 0.003
    sigma_w, sigma_b = theory.critical_point(1.0, "relu")
    assert sigma_w == pytest.approx(math.sqrt(2), rel=1e-8) and sigma_b == 0.0
    with pytest.raises(ValueError, match=r"sigmoid has no critical point with q_star=0.1: it would need sigma_b\^2"):
        theory.critical_point(0.1, "sigmoid")
    with pytest.raises(ValueError, match="q_star must be > 0"):
        theory.critical_point(0.0)


# ---- the moments of the Jacobian's spectrum ------------------------------------------
def test_slope_moments():
    mu_1, mu_2 = isometry.slope_moments(1.3, "relu")
    assert mu_1 == pytest.approx(0.5, rel=1e-8) and mu_2 == pytest.approx(0.5, rel=1e-8)
    mu_1, mu_2 = isometry.slope_moments(1e-6, "tanh")
    assert mu_1 == pytest.approx(1.0, abs=1e-5) and mu_2 == pytest.approx(1.0, abs=1e-5)


def test_jacobian_moments_closed_forms():
    mean, spread = isometry.jacobian_moments([1.0] * 6, 1.0, "linear", "gaussian")
    np.testing.assert_allclose(mean, 1.0, rtol=1e-8)
    np.testing.assert_allclose(spread, np.arange(1, 7), rtol=1e-8)        # Fuss-Catalan: var(s^2) = L
    mean, spread = isometry.jacobian_moments([1.0] * 6, 1.0, "linear", "orthogonal")
    np.testing.assert_array_equal(spread, 0.0)                             # an isometry
    mean, spread = isometry.jacobian_moments([2.0] * 4, math.sqrt(2), "relu", "orthogonal")
    np.testing.assert_allclose(spread, np.arange(1, 5), rtol=1e-7)        # mu_2 / mu_1^2 = 2: +1 per layer
    mean, spread = isometry.jacobian_moments([2.0] * 4, math.sqrt(2), "relu", "gaussian")
    np.testing.assert_allclose(spread, 2 * np.arange(1, 5), rtol=1e-7)
    # chi_1^L at the fixed point, off criticality too
    q = theory.fixed_point(5 / 3)
    mean, _ = isometry.jacobian_moments([q] * 10, 5 / 3, "tanh")
    assert mean[-1] == pytest.approx(theory.chi_1(5 / 3, q) ** 10, rel=1e-9)


def test_leaky_relu_spread_is_its_two_slopes():
    slope = 0.2
    _, spread = isometry.jacobian_moments([1.0] * 30, 1.0, activations.leaky_relu(slope), "orthogonal")
    assert spread[-1] == pytest.approx(30 * ((1 - slope**2) / (1 + slope**2)) ** 2, rel=1e-6)


def test_jacobian_moments_reject_bad_input():
    with pytest.raises(ValueError, match="q must hold numbers >= 0"):
        isometry.jacobian_moments([1.0, -1.0], 1.0)
    with pytest.raises(ValueError, match=r"weights must be one of \['gaussian', 'orthogonal'\]"):
        isometry.jacobian_moments([1.0], 1.0, weights="uniform")
    with pytest.raises(ValueError, match="sigma_w must be > 0"):
        isometry.jacobian_moments([1.0], 0.0)


def test_gaussian_product_edge():
    assert isometry.gaussian_product_edge(1) == pytest.approx(4.0)         # Marchenko-Pastur at ratio 1
    assert isometry.gaussian_product_edge(2) == pytest.approx(27 / 4)
    assert isometry.gaussian_product_edge(1000) / (math.e * 1001) == pytest.approx(1.0, abs=1e-3)


# ---- one entry of a Haar orthogonal matrix ---------------------------------------------
def test_haar_marginal_closed_forms():
    u = np.linspace(-0.999, 0.999, 1001)
    np.testing.assert_allclose(isometry.haar_entry_cdf(u, 2), 0.5 + np.arcsin(u) / math.pi, atol=1e-12)
    np.testing.assert_allclose(isometry.haar_entry_cdf(u, 3), (u + 1) / 2, atol=1e-7)   # uniform on [-1, 1]
    np.testing.assert_allclose(isometry.haar_entry_cdf(u, 4), 0.5 + (u * np.sqrt(1 - u * u) + np.arcsin(u)) / math.pi,
                               atol=1e-7)
    np.testing.assert_allclose(isometry.haar_entry_pdf(u, 3), 0.5)
    assert isometry.haar_entry_pdf(1.5, 10) == 0.0


@pytest.mark.parametrize("n", [5, 50, 300])
def test_haar_density_integrates_to_one_with_variance_one_over_n(n):
    u = np.linspace(-1, 1, 200_001)
    density = isometry.haar_entry_pdf(u, n)
    assert np.trapezoid(density, u) == pytest.approx(1.0, rel=1e-6)
    assert np.trapezoid(density * u * u, u) == pytest.approx(1 / n, rel=1e-6)
    cumulative = np.concatenate([[0], np.cumsum(0.5 * (density[1:] + density[:-1]) * np.diff(u))])
    np.testing.assert_allclose(isometry.haar_entry_cdf(u, n), cumulative, atol=3e-6)


def test_haar_gap_is_the_kolmogorov_smirnov_distance():
    quantiles = (np.arange(1, 1001) - 0.5) / 1000 * 2 - 1          # ideal uniform sample on [-1, 1]
    assert isometry.haar_gap(quantiles, 3) == pytest.approx(0.5 / 1000, rel=1e-4)
    assert isometry.haar_gap(quantiles / 2, 3) == pytest.approx(0.25, abs=1e-3)  # squeezed into [-1/2, 1/2]
    with pytest.raises(ValueError, match="samples must have at least 1 entry"):
        isometry.haar_gap([], 3)
