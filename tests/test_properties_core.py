"""Property tests of the core and network-building modules (issue 16).

For each public function, hypothesis draws arguments: valid ones must give a finite
result or a documented report (an inf that ``exploded_at`` explains, a refusal whose
message says the limit), invalid ones a ValueError/TypeError naming the argument; no
RuntimeWarning (pytest turns them into errors), every call under a time bound.  The
mean-field functions cost milliseconds a call, so their tests draw fewer examples.
"""

import math

import numpy as np
from hypothesis import given, settings, strategies as st

from initlab import (activations, correlation, critical, deep_linear, first_steps, gaussian, initializers, isometry,
                     jacobian, layers, lsuv, meanfield, mlp, reference, resnet, theory, trainability)
from initlab.checks import ArgumentError
from properties import BAD_NUMBER, NON_FINITE, NOT_A_NUMBER, NOT_AN_INT, answers, bad_arrays, refuses, within

ACTIVATION = st.sampled_from(activations.names())
BOUNDED = st.sampled_from(["tanh", "sigmoid"])  # q* is finite for every setting
SIZE = st.integers(1, 6)
#: Not a number, and not a list either: the vectorized functions take a list as an array of settings.
NOT_A_SETTING = st.one_of(NON_FINITE, st.text(max_size=4), st.none(), st.booleans(),
                          st.complex_numbers(min_magnitude=0.1, max_magnitude=10), st.floats(-1e6, -1e-6))
FEW, SOME = settings(max_examples=6), settings(max_examples=12)


def answers_or_refuses(call, *names, seconds=5.0):
    """A finite answer, or (an extreme setting) an ArgumentError whose message names one of ``names``."""
    try:
        return answers(call, seconds=seconds)
    except ArgumentError as error:
        assert any(name in str(error) for name in names), f"the refusal names none of {names}: {error}"


def real_arrays(shape, magnitude=1e3):
    return st.lists(st.floats(-magnitude, magnitude), min_size=math.prod(shape), max_size=math.prod(shape)).map(
        lambda values: np.array(values).reshape(shape))


# ---- activations -------------------------------------------------------------------------------------------------
@SOME
@given(ACTIVATION, real_arrays((5,), 1e300))
def test_activation_parts_agree_and_stay_finite(name, z):
    act = activations.get(name)
    h = answers(lambda: act.function(z))
    assert np.allclose(answers(lambda: act.derivative_from_output(h)), act.derivative(z), atol=1e-12)


@given(ACTIVATION, st.one_of(st.text(max_size=4), st.none(), st.complex_numbers(max_magnitude=5)))
def test_activation_parts_refuse_what_is_not_a_number(name, z):
    act = activations.get(name)
    refuses(lambda: act.function(z), "z")
    refuses(lambda: act.derivative_from_output(z), "h")


# ---- initializers and distributions ------------------------------------------------------------------------------
RULES = [name for name in initializers.names() if name not in ("constant", "normal", "uniform", "variance_scaling")]


@given(st.sampled_from(RULES), SIZE, SIZE, st.sampled_from([np.float32, np.float64]), st.integers(0, 9))
def test_every_rule_draws_a_finite_matrix(name, fan_in, fan_out, dtype, seed):
    w = answers(lambda: initializers.get(name)(fan_in, fan_out, rng=seed, dtype=dtype))
    assert w.shape == (fan_in, fan_out) and w.dtype == dtype


@given(st.sampled_from(["normal", "uniform", "variance_scaling"]), st.floats(1e-300, 1e300), SIZE,
       st.sampled_from([np.float32, np.float64]))
def test_any_finite_scale_draws_or_is_refused_for_its_dtype(rule, scale, n, dtype):
    answers_or_refuses(lambda: initializers.get(rule, **{"normal": {"std": scale}, "uniform": {"limit": scale},
                                                         "variance_scaling": {"scale": scale}}[rule])(n, n, rng=0,
                                                                                                      dtype=dtype),
                       "choose a smaller scale")


@given(NOT_AN_INT)
def test_sizes_must_be_integers(value):
    refuses(lambda: initializers.he_normal()(value, 3), "fan_in")
    refuses(lambda: initializers.fan(3, value, "fan_in"), "fan_out")


@given(BAD_NUMBER)
def test_hyper_parameters_must_be_finite_numbers(value):
    refuses(lambda: initializers.normal(value), "std")
    refuses(lambda: initializers.orthogonal(value), "gain")


# ---- gaussian, theory --------------------------------------------------------------------------------------------
@SOME
@given(st.floats(0, 1e300), st.floats(0, 1e3), st.floats(0, 1e3), st.floats(-1, 1))
def test_gaussian_expectations_are_finite(variance, q1, q2, c):
    assert 0 <= answers(lambda: gaussian.gaussian_expectation(lambda z: np.tanh(z) ** 2, variance)) <= 1
    assert abs(answers(lambda: gaussian.bivariate_expectation(lambda a, b: np.tanh(a) * np.tanh(b), q1, q2, c))) <= 1


@given(NOT_A_SETTING)
def test_gaussian_expectation_refuses_a_variance_that_is_not_one(value):
    if not (isinstance(value, float) and value == math.inf):  # inf is an exploded signal: allowed
        refuses(lambda: gaussian.gaussian_expectation(np.tanh, value), "variance")


@given(st.integers(0, 10**9), st.floats(0, 1e200), st.floats(0, 1e200), st.floats(-1e200, 1e200))
def test_weighted_sums_are_finite_or_refused_for_overflow(n_on, weight_std, bias_std, input_value):
    answers_or_refuses(lambda: theory.weighted_sum_std(n_on, weight_std, bias_std, input_value), "overflows")


@given(st.integers(0, 3000), st.floats(-1e3, 1e3), st.floats(0, 10))
def test_residual_growth_is_finite_or_says_the_last_block(blocks, scale, gain):
    answers_or_refuses(lambda: theory.residual_growth(blocks, scale, gain), "use blocks <=", "overflows")


@SOME
@given(st.integers(1, 40), st.floats(0, 1e200), st.floats(0, 10), ACTIVATION)
def test_mean_field_has_no_nan_and_reports_its_overflow(depth, sigma_w, sigma_b, activation):
    field = answers(lambda: theory.mean_field(depth, sigma_w, sigma_b, activation), finite=False)
    for values in (field.q, field.mean, field.std, field.grad_std):
        assert not np.isnan(values).any()
    blown = np.flatnonzero(np.isinf(field.q))
    assert field.exploded_at == (blown[0] + 1 if blown.size else None)
    assert np.isfinite(field.std[:len(field.q) if field.exploded_at is None else field.exploded_at - 1]).all()


@given(NOT_AN_INT, BAD_NUMBER)
def test_mean_field_names_its_arguments(depth, sigma):
    refuses(lambda: theory.mean_field(depth, 1.0), "depth")
    refuses(lambda: theory.mean_field(3, sigma), "sigma_w")
    refuses(lambda: theory.mean_field(3, 1.0, sigma_b=sigma), "sigma_b")


# ---- meanfield, critical -----------------------------------------------------------------------------------------
@FEW
@given(st.floats(0, 1e3), st.floats(0, 10), ACTIVATION)
def test_fixed_point_and_chi_1_are_numbers(sigma_w, sigma_b, activation):
    q_star = answers(lambda: meanfield.fixed_point_q(sigma_w, sigma_b, activation), finite=False)
    assert q_star >= 0  # inf is documented: the variance grows without bound (ReLU beyond sigma_w^2 = 2)
    assert answers(lambda: meanfield.chi_1(sigma_w, sigma_b, activation)) >= 0


@FEW
@given(st.floats(0.05, 4.0), st.floats(0, 1.0), BOUNDED)
def test_phase_is_finite_where_q_star_is(sigma_w, sigma_b, activation):
    phase = answers(lambda: meanfield.phase(sigma_w, sigma_b, activation), finite=False)
    assert all(math.isfinite(v) for v in (phase.q_star, phase.chi_1, phase.c_star, phase.chi_c))
    assert -1 <= phase.c_star <= 1 and not math.isnan(phase.xi_c) and not math.isnan(phase.xi_grad)


@FEW
@given(st.integers(1, 15), st.floats(-1, 1), st.floats(0, 1e3), st.floats(0, 10), ACTIVATION)
def test_correlation_curves_are_finite_or_say_where_q_overflows(depth, c0, sigma_w, sigma_b, activation):
    answers_or_refuses(lambda: meanfield.correlation_curve(depth, c0, sigma_w, sigma_b, activation), "sigma_w")


@given(NOT_A_SETTING, st.one_of(NOT_A_SETTING.filter(lambda c: not -1 <= c <= 1 if isinstance(c, float) else True),
                                st.floats(1.0001, 1e6)))
def test_meanfield_names_its_arguments(value, c):
    refuses(lambda: meanfield.fixed_point_q(value), "sigma_w")
    refuses(lambda: meanfield.length_map(value, 1.0), "q")
    refuses(lambda: meanfield.correlation_map(c, 1.2), "c")
    refuses(lambda: critical.critical_point(value), "q_star")


@FEW
@given(st.floats(1e-6, 1e4), ACTIVATION)
def test_critical_points_are_finite_or_refused(q_star, activation):
    answers_or_refuses(lambda: critical.critical_point(q_star, activation), "q_star")


# ---- reference, isometry -----------------------------------------------------------------------------------------
@SOME
@given(real_arrays((3,)), real_arrays((3,)), st.floats(0, 1), bad_arrays((3,)))
def test_within_compares_or_names_the_bad_array(measured, published, rtol, bad):
    assert answers(lambda: reference.within(measured, published, rtol)).dtype == bool
    refuses(lambda: reference.within(bad, published), "measured")


@SOME
@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=5), st.floats(0.01, 1e3), ACTIVATION)
def test_jacobian_moments_are_finite_or_refused_for_overflow(q, sigma_w, activation):
    answers_or_refuses(lambda: isometry.jacobian_moments(q, sigma_w, activation), "sigma_w", "slope is 0")


@SOME
@given(real_arrays((4,), 1.0), st.integers(2, 10**6), bad_arrays((4,)))
def test_haar_marginal_is_a_probability(u, n, bad):
    assert np.all(answers(lambda: isometry.haar_entry_pdf(u, n)) >= 0)
    assert np.all((0 <= answers(lambda: isometry.haar_entry_cdf(u, n))) <= 1)
    refuses(lambda: isometry.haar_entry_cdf(bad, n), "u")


# ---- jacobian, deep_linear, correlation --------------------------------------------------------------------------
@FEW
@given(st.sampled_from(["gaussian", "orthogonal"]), ACTIVATION, st.integers(1, 8), st.integers(1, 5),
       st.floats(0.01, 1e3), st.integers(0, 9))
def test_jacobian_spectra_are_finite_or_refused_for_overflow(init, activation, depth, width, sigma_w, seed):
    spectra = answers_or_refuses(lambda: jacobian.jacobian_spectra(init, activation, depth, width, sigma_w, rng=seed),
                                 "sigma_w")
    if spectra is not None:
        assert spectra.rank(depth) <= width


@given(bad_arrays((3,)))
def test_jacobian_names_a_bad_input(x):
    refuses(lambda: jacobian.jacobian(x, [np.eye(3)]), "x")
    refuses(lambda: jacobian.jacobian(np.ones(3), [x]), "weights[0]")


@FEW
@given(st.sampled_from(["gaussian", "orthogonal"]), st.integers(1, 3), st.integers(1, 3), st.floats(1e-3, 1e3),
       st.integers(0, 20))
def test_deep_linear_training_ends_in_a_verdict(start, depth, width, learning_rate, max_epochs):
    run = answers(lambda: deep_linear.train_deep_linear(start, depth, width, learning_rate=learning_rate,
                                                        max_epochs=max_epochs, seeds=(0, 1)), finite=False)
    assert all(np.isfinite(e) or (e == math.inf) for e in run.epochs)  # inf: the goal was not reached
    for first_layer, diverged in zip(run.layers[0], run.diverged):  # one seed each
        assert np.isfinite(first_layer).all() or diverged


@given(NOT_AN_INT)
def test_deep_linear_names_its_sizes(value):
    refuses(lambda: deep_linear.train_deep_linear(depth=value, width=2, max_epochs=1), "depth")
    refuses(lambda: deep_linear.target_map(value), "width")


@FEW
@given(st.floats(0.05, 30.0), st.floats(0, 1.0), BOUNDED, st.integers(1, 4), st.floats(0, 1))
def test_correlation_experiment_is_finite_or_refused(sigma_w, sigma_b, activation, depth, c0):
    answers_or_refuses(lambda: correlation.correlation_experiment(sigma_w, sigma_b, activation, depth, width=12, c0=c0,
                                                                  n_inputs=3, n_networks=1, rng=0), "overflow",
                       "vanished")


@given(bad_arrays((3, 4)))
def test_pair_distances_name_a_bad_z(z):
    refuses(lambda: correlation.pair_distances(z), "z")


# ---- trainability, layers, resnet, lsuv, first_steps -------------------------------------------------------------
TINY = type("Tiny", (), dict(x_train=np.random.default_rng(0).random((20, 4)), y_train=np.arange(20) % 10,
                             x_validation=np.random.default_rng(1).random((10, 4)), y_validation=np.arange(10)))


@settings(max_examples=4)
@given(st.integers(1, 3), st.floats(1e-3, 1e3))
def test_a_trainability_cell_gives_accuracies(depth, sigma_w2):
    accuracy = answers(lambda: trainability.train_cell(depth, sigma_w2, TINY, setup={"width": 5, "epochs": 2}))
    assert accuracy.shape == (2,) and np.all((0 <= accuracy) & (accuracy <= 1))


@SOME
@given(st.sampled_from(["layer", "batch"]), real_arrays((4, 3), 1e100), bad_arrays((4, 3)))
def test_normalization_is_finite_and_names_a_bad_z(kind, z, bad):
    y, _ = answers(lambda: layers.Normalization(kind, 3).forward(z))
    assert y.shape == (4, 3)
    refuses(lambda: layers.Normalization(kind, 3).forward(bad), "z")


@settings(max_examples=10)
@given(st.sampled_from(resnet.START_NAMES), st.sampled_from([None, "layer", "batch"]), real_arrays((4, 3), 1e100),
       bad_arrays((4, 3)))
def test_residual_network_streams_are_finite_or_refused(start, norm, x0, bad):
    net = resnet.ResidualMLP(4, 3, 3, 3, start=start, norm=norm, rng=0)
    answers_or_refuses(lambda: net.stream_statistics(x0, np.ones((4, 3))), "overflows")
    refuses(lambda: net.stream_statistics(bad, np.ones((4, 3))), "x0")
    refuses(lambda: resnet.softmax_cross_entropy(bad, [0, 1, 2, 0]), "logits")


@settings(max_examples=10)
@given(st.floats(1e-3, 1e300), st.integers(1, 6))
def test_first_steps_and_lsuv_finish(eta, batch_size):
    x, labels = np.random.default_rng(2).standard_normal((6, 4)), np.arange(6) % 3
    net = mlp.MLP([4, 5, 3], activation="relu", bias_init="zeros", rng=0)
    losses = answers(lambda: first_steps.loss_per_step(net, x, labels, eta, steps=4, batch_size=batch_size),
                     finite=False)
    assert np.isfinite(losses[:-1]).all() and not np.isnan(losses).any()  # a diverged loss is recorded as inf
    if np.isinf(losses[-1]):  # loss_per_step trained net in place: its weights now overflow, and forward says so
        refuses(lambda: first_steps.diagnostics(net, x, labels, eta, steps=2, batch_size=batch_size), "overflow")
    fresh = mlp.MLP([4, 5, 3], activation="relu", bias_init="zeros", rng=0)
    answers(lambda: str(first_steps.diagnostics(fresh, x, labels, eta, steps=2, batch_size=batch_size)), finite=False)
    answers(lambda: lsuv.lsuv(mlp.MLP([4, 5, 3], bias_init="zeros", rng=1), x, rng=0))


@given(bad_arrays((6, 4)))
def test_training_entries_name_a_bad_x(x):
    net = mlp.MLP([4, 5, 3], activation="relu", bias_init="zeros", rng=0)
    refuses(lambda: first_steps.loss_per_step(net, x, np.arange(6) % 3, 0.1), "x")
    refuses(lambda: lsuv.lsuv(net, x), "x")


def test_the_slowest_refusals_are_quick():
    with within(2.0):
        refuses(lambda: initializers.orthogonal()(7000, 7000), "2000 x 2000")
        refuses(lambda: theory.mean_field(10**5, 1.0), "depth")
        refuses(lambda: resnet.gradient_check(resnet.ResidualMLP(rng=0), np.zeros((100, 784)), np.zeros(100, int)),
                "parameters")
