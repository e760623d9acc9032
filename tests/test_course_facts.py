"""Course facts, sections 2-5, reproduced through propagate and theory."""

import math

import numpy as np
import pytest

from initlab import data, initializers, propagate, reference, theory

COURSE = dict(depth=10, width=500, n_samples=1000)


@pytest.fixture(scope="module")
def tanh_runs():
    return {
        "0.01 * N(0,1)": propagate(initializers.normal(0.01), "tanh", rng=0, **COURSE),
        "1.0 * N(0,1)": propagate(initializers.normal(1.0), "tanh", rng=0, **COURSE),
        "N(0,1) / sqrt(fan_in)": propagate("lecun_normal", "tanh", rng=0, **COURSE),
    }


# ---- section 2 ------------------------------------------------------------------
@pytest.mark.parametrize("case", list(reference.TANH_STD_TABLE))
def test_tanh_table_within_three_percent(tanh_runs, case):
    measured = tanh_runs[case].std
    published = np.array(reference.TANH_STD_TABLE[case])
    allowed = np.maximum(0.03 * published, reference.TANH_TABLE_ROUNDING)
    assert np.all(np.abs(measured - published) <= allowed), np.c_[measured, published]
    assert reference.within(measured, published).all()


def test_small_init_shrinks_by_sigma_w_per_layer(tanh_runs):
    std = tanh_runs["0.01 * N(0,1)"].std
    factor = theory.sigma_w(0.01, 500)
    assert factor == pytest.approx(0.2236, abs=1e-4)
    np.testing.assert_allclose(std[1:] / std[:-1], factor, rtol=0.02)


def test_large_init_saturates_and_kills_the_local_slope(tanh_runs):
    large = tanh_runs["1.0 * N(0,1)"]
    assert np.all(large.saturated > 0.88)
    # the gradient at the last layer's z is the upstream gradient times tanh'(z):
    # with nine units in ten saturated, only about 16% of it gets through
    assert large.grad_std[-1] < 0.2
    assert tanh_runs["N(0,1) / sqrt(fan_in)"].saturated.max() < 0.02


def test_means_stay_near_zero(tanh_runs):
    for run in tanh_runs.values():
        assert np.all(np.abs(run.mean) < 0.01)


def test_small_init_gradients_collapse_going_back(tanh_runs):
    grad = tanh_runs["0.01 * N(0,1)"].grad_std
    # each layer back multiplies by about 0.224 as well (layer 1 a little less:
    # its inputs are N(0, 1), not tiny, so tanh'(z) is 0.95 on average there)
    np.testing.assert_allclose(grad[:-1] / grad[1:], 0.2236, rtol=0.06)
    np.testing.assert_allclose(grad[1:-1] / grad[2:], 0.2236, rtol=0.03)
    assert grad[0] < 1e-5


# ---- section 3 ------------------------------------------------------------------
def test_weighted_sum_closed_forms():
    assert theory.weighted_sum_std(500, 1.0, 1.0) == pytest.approx(math.sqrt(501))
    assert theory.weighted_sum_std(500, 1.0, 1.0) == pytest.approx(22.38, abs=0.005)
    assert theory.weighted_sum_std(500, 1 / math.sqrt(1000), 1.0) == pytest.approx(math.sqrt(1.5))
    assert theory.weighted_sum_std(500, 1 / math.sqrt(1000), 1.0) == pytest.approx(1.22, abs=0.005)
    assert theory.weighted_sum_std(250, 1.0) == pytest.approx(15.811, abs=5e-4)


@pytest.mark.parametrize("weight_std, expected", [(1.0, math.sqrt(501)), (1 / math.sqrt(1000), math.sqrt(1.5))])
def test_weighted_sum_simulation_matches(weight_std, expected):
    rng = np.random.default_rng(0)
    x = data.half_on_input(1000, 0.5, rng=rng)
    assert x.sum() == 500
    trials = 20000
    w = weight_std * rng.standard_normal((trials, 1000))
    b = rng.standard_normal(trials)
    z = w @ x + b
    assert z.std() == pytest.approx(expected, rel=0.02)


# ---- section 4 ------------------------------------------------------------------
def test_glorot_conditions_and_uniform_limit():
    assert theory.glorot_forward_variance(500) == pytest.approx(1 / 500)
    assert theory.glorot_backward_variance(250) == pytest.approx(1 / 250)
    assert theory.glorot_variance(500, 250) == pytest.approx(2 / 750)
    a = theory.glorot_uniform_limit(500, 250)
    assert a == pytest.approx(math.sqrt(6 / 750))
    assert theory.uniform_variance(a) == pytest.approx(theory.glorot_variance(500, 250))


def test_lecun_keeps_tanh_alive(tanh_runs):
    std = tanh_runs["N(0,1) / sqrt(fan_in)"].std
    assert std[0] == pytest.approx(0.627, rel=0.03)
    assert std[-1] == pytest.approx(0.231, rel=0.03)
    assert np.all(np.diff(std) < 0)


# ---- section 5 ------------------------------------------------------------------
def test_relu_halves_the_second_moment():
    assert theory.relu_second_moment(3.0) == 1.5
    assert theory.gaussian_expectation(lambda z: np.maximum(z, 0) ** 2, 3.0) == pytest.approx(1.5, rel=1e-9)
    z = np.random.default_rng(0).normal(0, math.sqrt(3.0), 1_000_000)
    assert np.mean(np.maximum(z, 0) ** 2) == pytest.approx(1.5, rel=0.01)


@pytest.mark.parametrize("init, ratio", [("lecun_normal", 0.5), ("he_normal", 1.0), (initializers.variance_scaling(4.0, "fan_in", "normal"), 2.0)])
def test_relu_second_moment_per_layer(init, ratio):
    run = propagate(init, "relu", depth=20, width=400, n_samples=400, rng=1)
    second_moment = run.std**2 + run.mean**2
    per_layer = second_moment[1:] / second_moment[:-1]
    assert np.median(per_layer) == pytest.approx(ratio, rel=0.05)


def test_he_fan_out_keeps_relu_gradients_steady():
    # a funnel, so that fan_in and fan_out differ: only fan_out keeps the gradient steady
    widths = [800, 700, 600, 500, 400, 300, 200]
    run = propagate(initializers.he_normal(mode="fan_out"), "relu", widths=widths, n_samples=400, rng=2)
    per_layer = run.grad_std[:-1] ** 2 / run.grad_std[1:] ** 2
    np.testing.assert_allclose(per_layer, 1.0, rtol=0.1)
    run = propagate("he_normal", "relu", widths=widths, n_samples=400, rng=2)
    per_layer = run.grad_std[:-1] ** 2 / run.grad_std[1:] ** 2
    # fan_in mode: each layer back multiplies the gradient variance by fan_out / fan_in
    np.testing.assert_allclose(per_layer, np.array(widths[2:]) / np.array(widths[1:-1]), rtol=0.1)


