"""Order and chaos: the 2-D Gaussian expectation against closed forms, the maps against simulation."""

import math

import numpy as np
import pytest

from initlab import correlation, initializers, meanfield, theory
from initlab.activations import Activation
from initlab.propagation import draw_weights

_ERF = np.frompyfunc(math.erf, 1, 1)


def erf(x):
    return _ERF(x).astype(np.float64)


# ---- theory.bivariate_expectation ------------------------------------------------------
@pytest.mark.parametrize("q, c", [(1.0, 0.3), (2.0, 0.9), (3.0, -0.5), (1.0, 0.999999), (0.5, 1.0), (0.5, -1.0)])
def test_relu_kernel_matches_the_arc_cosine_formula(q, c):
    # Cho & Saul: E[relu(u1) relu(u2)] = q / (2 pi) (sqrt(1 - c^2) + (pi - arccos c) c)
    exact = q / (2 * math.pi) * (math.sqrt(1 - c * c) + (math.pi - math.acos(c)) * c)
    ours = theory.bivariate_expectation(lambda a, b: np.maximum(a, 0) * np.maximum(b, 0), q, q, c)
    assert ours == pytest.approx(exact, rel=1e-11)


@pytest.mark.parametrize("q", [1e-4, 0.5, 30.0, 482.0, 5e4])
def test_steep_erf_matches_its_closed_form(q):
    # E[erf(u1) erf(u2)] = 2/pi arcsin(2 q c / (1 + 2 q)): erf(22 z) is as steep as tanh(22 z)
    c = np.array([-0.8, 0.0, 0.3, 0.99, 0.999999])
    exact = 2 / np.pi * np.arcsin(2 * q * c / (1 + 2 * q))
    ours = theory.bivariate_expectation(lambda a, b: erf(a) * erf(b), q, q, c)
    np.testing.assert_allclose(ours, exact, rtol=1e-11, atol=1e-14)


def test_distance_form_keeps_its_digits_near_c_equal_1():
    # E[(erf(u1) - erf(u2))^2] / 2 = E[erf^2] - E[erf erf], which cancels in 1 - c: give distance = 1 - c instead
    q, distance = 482.0, np.array([1e-3, 1e-6, 1e-9])
    x = 2 * q / (1 + 2 * q)
    exact = 2 / np.pi * (np.arcsin(x) - np.arcsin(x * (1 - distance)))
    ours = theory.bivariate_expectation(lambda a, b: (erf(a) - erf(b)) ** 2, q, q, distance=distance) / 2
    np.testing.assert_allclose(ours, exact, rtol=2e-7)


def test_sign_and_tanh_against_arcsine_and_monte_carlo():
    c = np.linspace(-1, 1, 21)
    sign = theory.bivariate_expectation(lambda a, b: np.sign(a) * np.sign(b), 1.0, 1.0, c)
    np.testing.assert_allclose(sign, 2 / np.pi * np.arcsin(c), atol=1e-9)
    z1, z2 = np.random.default_rng(0).standard_normal((2, 2_000_000))
    for q, c in [(482.0, 0.3), (2.0, 0.5)]:
        samples = np.tanh(math.sqrt(q) * z1) * np.tanh(math.sqrt(q) * (c * z1 + math.sqrt(1 - c * c) * z2))
        ours = theory.bivariate_expectation(lambda a, b: np.tanh(a) * np.tanh(b), q, q, c)
        assert abs(ours - samples.mean()) < 4 * samples.std() / math.sqrt(samples.size)


def test_limits_and_unequal_variances():
    f = lambda a, b: np.tanh(a) * np.tanh(b)  # noqa: E731
    # c = 1: the 1-D expectation; c = 0: independent, and tanh is odd
    assert theory.bivariate_expectation(f, 2.0, 2.0, 1.0) == pytest.approx(
        theory.gaussian_expectation(lambda z: np.tanh(z) ** 2, 2.0), rel=1e-12)
    assert abs(theory.bivariate_expectation(f, 2.0, 5.0, 0.0)) < 1e-14
    # unequal variances: Monte Carlo
    z1, z2 = np.random.default_rng(1).standard_normal((2, 2_000_000))
    samples = np.maximum(z1, 0) * np.exp(-(0.6 * z1 + 0.8 * z2) ** 2 * 3.0)
    ours = theory.bivariate_expectation(lambda a, b: np.maximum(a, 0) * np.exp(-b * b), 1.0, 3.0, 0.6)
    assert abs(ours - samples.mean()) < 4 * samples.std() / math.sqrt(samples.size)


def test_bivariate_expectation_rejects_bad_input():
    with pytest.raises(TypeError, match="function must be callable"):
        theory.bivariate_expectation("tanh", 1.0, 1.0, 0.5)
    with pytest.raises(ValueError, match="give either c"):
        theory.bivariate_expectation(np.multiply, 1.0, 1.0)
    with pytest.raises(ValueError, match=r"c must lie in \[-1, 1\]"):
        theory.bivariate_expectation(np.multiply, 1.0, 1.0, 1.5)
    with pytest.raises(ValueError, match="q1 must be >= 0.0"):
        theory.bivariate_expectation(np.multiply, -1.0, 1.0, 0.5)


# ---- the course's figures (course-facts section 8) ------------------------------------
@pytest.mark.parametrize("sigma_w, sigma_b, q_star, chi", [
    (0.01 * math.sqrt(500), 0.0, 0.0, 0.05),
    (5 / 3, 0.0, 1.18, 1.21),
    (math.sqrt(500), 0.0, 482, 12.1),
    (1.0, 0.05, 0.037, 0.93),
])
def test_course_values(sigma_w, sigma_b, q_star, chi):
    phase = meanfield.phase(sigma_w, sigma_b)
    assert round(phase.q_star, 3 if q_star < 1 else 2 if q_star < 10 else 0) == pytest.approx(q_star)
    assert round(phase.chi_1, 2 if chi < 1 else 2 if chi < 10 else 1) == pytest.approx(chi)


def test_tanh_without_bias_is_critical_at_sigma_w_1_and_decays_like_a_power():
    assert meanfield.fixed_point_q(np.array([0.3, 0.9, 1.0]), 0.0).tolist() == [0.0, 0.0, 0.0]
    np.testing.assert_allclose(meanfield.chi_1(np.array([0.3, 0.9]), 0.0), [0.09, 0.81], rtol=1e-9)
    assert meanfield.phase(1.0).name == "critical" and meanfield.phase(1.0).xi_c == math.inf
    q, layers = 1.0, np.arange(1, 201)
    history = []
    for _ in layers:
        q = meanfield.length_map(q, 1.0)
        history.append(q)
    np.testing.assert_allclose((np.array(history) * 2 * layers)[[49, 99, 199]], 1.0, atol=0.05)  # q_l ~ 1 / (2 l)


def test_fixed_points_are_fixed_and_the_slopes_are_derivatives():
    for sigma_w, sigma_b in [(5 / 3, 0.0), (2.0, 0.3), (1.2, 0.5), (math.sqrt(500), 1.0)]:
        phase = meanfield.phase(sigma_w, sigma_b)
        assert meanfield.length_map(phase.q_star, sigma_w, sigma_b) == pytest.approx(phase.q_star, rel=1e-10)
        assert meanfield.correlation_map(phase.c_star, sigma_w, sigma_b) == pytest.approx(phase.c_star, abs=1e-9)
        assert meanfield.correlation_map(1.0, sigma_w, sigma_b) == pytest.approx(1.0, abs=1e-12)
        # the slope at c = 1 is chi_1, and the slope anywhere is the derivative of the map (Price's theorem)
        assert meanfield.correlation_slope(1.0, sigma_w, sigma_b) == pytest.approx(phase.chi_1, rel=1e-7)
        c, h = 0.4, 1e-5
        numeric = (meanfield.correlation_map(c + h, sigma_w, sigma_b) -
                   meanfield.correlation_map(c - h, sigma_w, sigma_b)) / (2 * h)
        assert meanfield.correlation_slope(c, sigma_w, sigma_b) == pytest.approx(numeric, rel=1e-6)
        if phase.c_star < 1:
            assert phase.chi_c < 1 < phase.chi_1  # c* is stable, c = 1 is not
            assert phase.xi_c == pytest.approx(-1 / math.log(phase.chi_c))
            assert phase.xi_grad < 0
    # odd tanh without bias decorrelates completely in the chaotic phase
    assert meanfield.fixed_point_c(5 / 3, 0.0) == 0.0


def test_relu_and_arrays():
    assert meanfield.chi_1(math.sqrt(2), 0.0, "relu") == pytest.approx(1.0, rel=1e-9)
    assert meanfield.fixed_point_q(math.sqrt(2), 0.0, "relu", q0=3.0) == 3.0  # any q is fixed
    assert meanfield.fixed_point_q(1.0, 0.0, "relu") == 0.0 and meanfield.fixed_point_q(1.5, 0.0, "relu") == math.inf
    assert meanfield.fixed_point_q(1.0, 0.5, "relu") == pytest.approx(0.25 / (1 - 0.5), rel=1e-12)
    grid = meanfield.fixed_point_q(np.array([0.5, 2.0]), np.array([[0.0], [0.3]]))
    assert grid.shape == (2, 2) and grid[1, 1] == pytest.approx(meanfield.fixed_point_q(2.0, 0.3), rel=1e-12)
    xi_c, xi_grad = meanfield.depth_scales(np.array([1.0, 3.0]), 0.3)
    assert xi_c[1] == pytest.approx(meanfield.phase(3.0, 0.3).xi_c, rel=1e-9)


def test_lines_of_constant_chi_are_exact():
    for level in (0.5, 1.0, 2.0):
        w2, b2 = meanfield.chi_1_line(level)
        pick = np.linspace(0, len(w2) - 1, 12).astype(int)
        pick = pick[b2[pick] < 50]
        np.testing.assert_allclose(meanfield.chi_1(np.sqrt(w2[pick]), np.sqrt(b2[pick])), level, rtol=1e-8)
    w2, b2 = meanfield.critical_line()
    assert (w2[0], b2[0]) == (pytest.approx(1.0, abs=1e-12), 0.0)  # tanh without bias: sigma_w = 1
    # Schoenholz et al.'s sigma_b^2 = 0.05: critical at sigma_w^2 = 1.76 (the drawn line is within 1%)
    assert meanfield.critical_sigma_w(math.sqrt(0.05)) ** 2 == pytest.approx(1.761, abs=5e-4)
    assert np.interp(0.05, b2, w2) == pytest.approx(1.761, rel=0.01)
    assert meanfield.chi_1(meanfield.critical_sigma_w(0.7), 0.7) == pytest.approx(1.0, abs=1e-10)


def test_depth_scale():
    assert meanfield.depth_scale(math.exp(-1 / 20)) == pytest.approx(20.0)
    assert meanfield.depth_scale(1.0) == math.inf and meanfield.depth_scale(2.0) < 0


@pytest.mark.parametrize("call, message", [
    (lambda: meanfield.phase(-1.0), "sigma_w must be >= 0.0"),
    (lambda: meanfield.correlation_map(1.5, 1.0), r"c must be a correlation in \[-1, 1\]"),
    (lambda: meanfield.correlation_curve(0, 0.5, 1.0), "depth must be an integer >= 1"),
    (lambda: meanfield.length_map(1.0, float("nan")), "sigma_w must be a finite number"),
    (lambda: meanfield.chi_1_line(0.0), "level must be > 0"),
    (lambda: meanfield.phase(1.0, activation="gelu"), "activation must be one of"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---- against simulation at width 1000 ---------------------------------------------------
# the phase diagram's corners (sigma_w^2 0.01 and 1000, sigma_b^2 0 and 2) and three points near chi_1 = 1
SETTINGS = [(0.01, 0.0), (0.01, 2.0), (1000.0, 0.0), (1000.0, 2.0), (1.761, 0.05), (3.443, 1.0), (2.4, 0.05)]


@pytest.mark.parametrize("sigma_w2, sigma_b2", SETTINGS)
def test_correlation_and_chi_1_match_simulation(sigma_w2, sigma_b2):
    run = correlation.correlation_experiment(math.sqrt(sigma_w2), math.sqrt(sigma_b2), depth=16, width=1000,
                                             n_networks=4, rng=1)
    # c_l within 0.04 of the mean field at every layer (at width 1000 one layer moves c by ~1/sqrt(1000))
    assert np.abs(run.c - run.prediction.c).max() < 0.04
    # the gradient's growth per layer from layer 3 on: within 4% of the mean field (at sigma_w^2 = 1000 only ~3% of
    # the units are unsaturated and carry the gradient, so it fluctuates most there) ...
    assert run.gradient_factor(first=3) == pytest.approx(run.gradient_factor(first=3, predicted=True), rel=0.04)
    # ... and the mean field's factor in the deeper half is chi_1 (q_l has reached q*)
    assert run.gradient_factor(predicted=True) == pytest.approx(run.phase.chi_1, rel=0.01)
    # q_l within 8%: where the bias dominates, q rests on only 1000 bias draws per layer
    np.testing.assert_allclose(run.q, run.prediction.q, rtol=0.08)


def test_correlated_inputs_are_exact():
    x = correlation.correlated_inputs(5, 300, 0.7, rng=0)
    gram = x @ x.T / 300
    np.testing.assert_allclose(np.diag(gram), 1.0, rtol=1e-12)
    np.testing.assert_allclose(gram[np.triu_indices(5, 1)], 0.7, rtol=1e-12)
    distances = correlation.pair_distances(x)
    np.testing.assert_allclose(distances, 0.3, rtol=1e-12)
    # near c = 1 the distance keeps its digits where 1 - cosine would not
    y = np.array([[1.0, 0.0], [1.0, 1e-9]])
    assert correlation.pair_distances(y)[0] == pytest.approx(0.5e-18, rel=1e-6)


def test_fitted_depth_scale_of_the_ordered_phase():
    # 1 - c_l shrinks by chi_1 per layer once q has settled: a straight line on a log scale with slope -1 / xi_c
    run = correlation.correlation_experiment(math.sqrt(1.2), math.sqrt(0.05), depth=20, width=1000, rng=0)
    assert run.phase.name == "ordered" and run.phase.xi_c == pytest.approx(5.945, abs=0.01)
    assert run.depth_scale(5, 20) == pytest.approx(run.phase.xi_c, rel=0.1)
    assert run.depth_scale(10, 20, predicted=True) == pytest.approx(run.phase.xi_c, rel=0.03)  # 1 - c still ~0.1
    with pytest.raises(ValueError, match="last must be an integer >= 6"):
        run.depth_scale(5, 5)


def test_correlation_experiment_measures_what_network_statistics_measures_on_its_draws():
    # the experiment skips network_statistics' checks of the arrays it drew itself: the numbers must be the same
    run = correlation.correlation_experiment(1.3, 0.2, depth=4, width=30, n_inputs=3, n_networks=1, rng=5)
    input_rng, weight_rng, bias_rng, grad_rng = np.random.default_rng(5).spawn(1)[0].spawn(4)
    x = correlation.correlated_inputs(3, 30, 0.5, input_rng)
    weights = draw_weights((30,) * 5, initializers.variance_scaling(1.3**2, "fan_in", "normal"), weight_rng)
    biases = [0.2 * bias_rng.standard_normal(30) for _ in range(4)]
    q, distance, grad = correlation.network_statistics(x, weights, biases, "tanh", grad_rng.standard_normal((3, 30)))
    assert np.array_equal(run.q, q) and np.array_equal(run.distance, distance) and np.array_equal(run.grad, grad)
