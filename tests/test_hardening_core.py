"""Issue 16 for the core and the network-building modules: what a careless student types gets a clear answer.

A table of named calls, each with the exception it must raise and the argument its
message must name (as the caller wrote it); then the extreme but valid settings that
must finish and say what happened (exploded_at, inf documented, no NaN).
"""

import math

import numpy as np
import pytest

from initlab import (activations, correlation, critical, deep_linear, distributions, first_steps, gaussian,
                     initializers, isometry, jacobian, layers, lsuv, meanfield, mlp, reference, resnet, theory,
                     trainability)
from initlab.checks import ArgumentError, ArgumentTypeError

X4, Y4 = np.random.default_rng(0).random((6, 4)), np.arange(6) % 3
TINY = type("Tiny", (), dict(x_train=np.random.default_rng(0).random((20, 4)), y_train=np.arange(20) % 10,
                             x_validation=np.random.default_rng(1).random((10, 4)), y_validation=np.arange(10)))


def small_mlp():
    return mlp.MLP([4, 5, 3], activation="relu", bias_init="zeros", rng=0)


def small_resnet():
    return resnet.ResidualMLP(4, 3, 2, 3, rng=0)


CASES = [
    # activations: a string, None or a complex number is not a pre-activation
    ("tanh of a string", lambda: activations.tanh.function("abc"), ArgumentTypeError, "z"),
    ("relu' of None", lambda: activations.relu.derivative(None), ArgumentTypeError, "z"),
    ("linear of a complex", lambda: activations.linear.function(np.array([1j])), ArgumentTypeError, "z"),
    ("sigmoid' from a string output", lambda: activations.sigmoid.derivative_from_output("h"), ArgumentTypeError, "h"),
    ("Activation without a function", lambda: activations.Activation("x", 3, np.cos, np.cos), ArgumentTypeError,
     "function"),
    # distributions and initializers
    ("an unknown distribution", lambda: distributions.Initializer("x", "gauss", lambda a, b: 1.0), ArgumentError,
     "distribution"),
    ("a std that is NaN", lambda: distributions.Initializer("x", "normal", lambda a, b: math.nan)(3, 3), ArgumentError,
     "std"),
    ("std too large for float32", lambda: initializers.normal(1e300)(3, 3, dtype=np.float32), ArgumentError, "std"),
    ("limit that overflows", lambda: initializers.uniform(1e308)(3, 3), ArgumentError, "limit"),
    ("orthogonal 7000 x 7000", lambda: initializers.orthogonal()(7000, 7000), ArgumentError, "2000 x 2000"),
    ("fan with a bad mode", lambda: initializers.fan(3, 3, "fan_sum"), ArgumentError, "mode"),
    ("fan of a string", lambda: initializers.fan("3", 3, "fan_in"), ArgumentTypeError, "fan_in"),
    # gaussian
    ("variance 'a'", lambda: gaussian.gaussian_expectation(np.tanh, "a"), ArgumentTypeError, "variance"),
    ("variance 1j", lambda: gaussian.gaussian_expectation(np.tanh, 1j), ArgumentTypeError, "variance"),
    ("100,000 variances", lambda: gaussian.gaussian_expectation(np.tanh, np.ones(100_000)), ArgumentError,
     "variance"),
    ("c 'x'", lambda: gaussian.bivariate_expectation(np.multiply, 1.0, 1.0, "x"), ArgumentTypeError, "c"),
    ("q1 and q2 that do not broadcast", lambda: gaussian.bivariate_expectation(np.multiply, [1, 2], [1, 2, 3], 0.5),
     ArgumentError, "q1, q2"),
    # theory
    ("Var(z) that overflows", lambda: theory.weighted_sum_variance(10, 1e200), ArgumentError, "weight_std"),
    ("sigma_w that overflows", lambda: theory.sigma_w(1e308, 10**6), ArgumentError, "weight_std"),
    ("a uniform variance that overflows", lambda: theory.uniform_variance(1e200), ArgumentError, "limit"),
    ("2^l past float64", lambda: theory.residual_growth(2000), ArgumentError, "blocks"),
    ("mean_field of 100,000 layers", lambda: theory.mean_field(10**5, 1.0), ArgumentError, "depth"),
    ("mean_field sigma_w '1'", lambda: theory.mean_field(3, "1"), ArgumentTypeError, "sigma_w"),
    ("mean_field sigma_w of strings", lambda: theory.mean_field(3, ["a", "b", "c"]), ArgumentTypeError, "sigma_w"),
    ("mean_field sigma_w_backward 'x'", lambda: theory.mean_field(3, 1.0, sigma_w_backward="x"), ArgumentTypeError,
     "sigma_w_backward"),
    ("chi_1 at q = -1", lambda: theory.chi_1(1.0, -1.0), ArgumentError, "q"),
    # meanfield and critical
    ("length_map of q 'abc'", lambda: meanfield.length_map("abc", 1.0), ArgumentTypeError, "q"),
    ("fixed_point_q of sigma_w True", lambda: meanfield.fixed_point_q(True), ArgumentTypeError, "sigma_w"),
    ("c* of ReLU beyond sigma_w^2 = 2", lambda: meanfield.fixed_point_c(2.0, 0.0, "relu"), ArgumentError, "sigma_w"),
    ("the phase of ReLU beyond sigma_w^2 = 2", lambda: meanfield.phase(2.0, 0.0, "relu"), ArgumentError, "sigma_w"),
    ("correlation_map at q* = inf", lambda: meanfield.correlation_map(0.5, 2.0, 0.0, "relu"), ArgumentError,
     "sigma_w"),
    ("a 100 x 100 grid of depth scales", lambda: meanfield.depth_scales(np.ones((100, 1)), np.ones(100)),
     ArgumentError, "sigma_w, sigma_b"),
    ("a correlation curve of 100,000 layers", lambda: meanfield.correlation_curve(10**5, 0.5, 1.0), ArgumentError,
     "depth"),
    ("a linear curve whose q overflows", lambda: meanfield.correlation_curve(200, 0.5, 1e6, 0.0, "linear"),
     ArgumentError, "sigma_w"),
    ("critical_point of sigmoid", lambda: critical.critical_point(1.0, "sigmoid"), ArgumentError, "q_star"),
    ("critical_sigma_w beyond the line", lambda: critical.critical_sigma_w(1e4), ArgumentError, "sigma_b"),
    # reference and isometry
    ("within with rtol < 0", lambda: reference.within([1.0], [1.0], rtol=-1.0), ArgumentError, "rtol"),
    ("within of strings", lambda: reference.within("abc", [1.0]), ArgumentTypeError, "measured"),
    ("slope_moments of q < 0", lambda: isometry.slope_moments(-1.0), ArgumentError, "q"),
    ("haar_entry_pdf of NaN", lambda: isometry.haar_entry_pdf([np.nan], 5), ArgumentError, "u"),
    ("haar_gap of None", lambda: isometry.haar_gap(None, 5), ArgumentTypeError, "samples"),
    ("jacobian_moments past float64", lambda: isometry.jacobian_moments(np.ones(10), 1e200), ArgumentError, "sigma_w"),
    # jacobian
    ("jacobian of weights None", lambda: jacobian.jacobian(np.ones(3), None), ArgumentTypeError, "weights"),
    ("jacobian of NaN weights", lambda: jacobian.jacobian(np.ones(3), [np.full((3, 3), np.nan)]), ArgumentError,
     "weights[0]"),
    ("biases one short", lambda: jacobian.jacobian(np.ones(3), [np.eye(3)] * 2, biases=[np.ones(3)]), ArgumentError,
     "biases"),
    ("condition_number of []", lambda: jacobian.condition_number([], (3, 3)), ArgumentError, "singular_values"),
    ("fixed_point_input_variance at sigma_w 0", lambda: jacobian.fixed_point_input_variance(0.0, 1.0, "tanh"),
     ArgumentError, "sigma_w"),
    ("unit_network of a million layers", lambda: jacobian.unit_network("gaussian", 100, 10**6), ArgumentError,
     "depth"),
    ("jacobian_spectra depths []", lambda: jacobian.jacobian_spectra(depths=[], width=5), ArgumentTypeError, "depths"),
    ("a linear Jacobian that overflows", lambda: jacobian.jacobian_spectra(
        "gaussian", "linear", depths=200, width=10, sigma_w=1e3, rng=0), ArgumentError, "sigma_w"),
    # deep_linear
    ("no seeds", lambda: deep_linear.train_deep_linear(depth=2, width=3, seeds=[], max_epochs=2), ArgumentTypeError,
     "seeds"),
    ("a NaN target", lambda: deep_linear.train_deep_linear(depth=2, width=2, target=[[1, np.nan], [0, 1]]),
     ArgumentError, "target"),
    ("10,000 layers for 2000 epochs", lambda: deep_linear.train_deep_linear(depth=10**4, width=50), ArgumentError,
     "depth"),
    ("a 5000 x 5000 target", lambda: deep_linear.target_map(5000), ArgumentError, "width"),
    ("starts as one string", lambda: deep_linear.epochs_to_goal([2], starts="gaussian"), ArgumentTypeError, "starts"),
    # correlation
    ("pair distances of one row", lambda: correlation.pair_distances(np.ones((1, 3))), ArgumentError, "z"),
    ("pair distances with a zero row", lambda: correlation.pair_distances([[0.0, 0.0], [1.0, 2.0]]), ArgumentError,
     "z"),
    ("10,000 layers of 1000", lambda: correlation.correlation_experiment(1.0, depth=10**4, width=1000), ArgumentError,
     "depth"),
    ("ReLU that explodes", lambda: correlation.correlation_experiment(100.0, 0.0, "relu", depth=200, width=10, rng=0),
     ArgumentError, "sigma_w"),
    ("a linear network that overflows", lambda: correlation.network_statistics(
        np.ones((2, 2)) + np.eye(2), [1e200 * np.eye(2)] * 3, [np.zeros(2)] * 3, "linear", np.ones((2, 2))),
     ArgumentError, "layer 2"),
    # trainability
    ("data that is a string", lambda: trainability.train_cell(2, 1.0, "x"), ArgumentTypeError, "data"),
    ("an unknown setup key", lambda: trainability.train_cell(2, 1.0, setup={"bogus": 1}), ArgumentTypeError, "setup"),
    ("a negative setup width", lambda: trainability.train_cell(2, 1.0, setup={"width": -1}), ArgumentError,
     "setup['width']"),
    ("a grid file that is not there", lambda: trainability.load_grid("/nonexistent.npz"), ArgumentError, "path"),
    ("100,000 tanh layers", lambda: trainability.train_cell(10**5, 1.0, TINY), ArgumentError, "depth"),
    # layers and resnet
    ("a normalization of a string", lambda: layers.Normalization("layer", 3).forward("abc"), ArgumentTypeError, "z"),
    ("a normalization of the wrong width", lambda: layers.Normalization("layer", 3).forward(np.ones((2, 4))),
     ArgumentError, "z"),
    ("eps = 0 on a constant sample", lambda: layers.Normalization("layer", 3, eps=0.0).forward(np.ones((2, 3))),
     ArgumentError, "eps"),
    ("entries whose squares overflow", lambda: layers.Normalization("layer", 3).forward([[1e200, 0.0, 1.0]]),
     ArgumentError, "z"),
    ("learnable_scale 'yes'", lambda: layers.ResidualBlock(3, learnable_scale="yes"), ArgumentTypeError,
     "learnable_scale"),
    ("norm 'group'", lambda: layers.ResidualBlock(3, norm="group"), ArgumentError, "norm"),
    ("start_settings 'resnet'", lambda: resnet.start_settings("resnet", 3), ArgumentError, "start"),
    ("softmax of a string", lambda: resnet.softmax_cross_entropy("abc", [0]), ArgumentTypeError, "logits"),
    ("softmax labels out of range", lambda: resnet.softmax_cross_entropy(np.ones((1, 3)), [5]), ArgumentError,
     "labels"),
    ("block_options with a typo", lambda: resnet.ResidualMLP(4, 3, 2, 3, block_options={"bogus": 1}), ArgumentError,
     "block_options"),
    ("training on NaN", lambda: small_resnet().fit(np.full((2, 4), np.nan), [0, 1]), ArgumentError, "x"),
    ("validation that is a string", lambda: small_resnet().fit(X4, Y4, validation="x"), ArgumentTypeError,
     "validation"),
    ("gradient_check of an int", lambda: resnet.gradient_check(3, X4, Y4), ArgumentTypeError, "network"),
    ("gradient_check of the default network", lambda: resnet.gradient_check(
        resnet.ResidualMLP(rng=0), np.zeros((100, 784)), np.zeros(100, int)), ArgumentError, "parameters"),
    # lsuv and first_steps
    ("lsuv of complex data", lambda: lsuv.lsuv(small_mlp(), X4 * 1j), ArgumentTypeError, "x"),
    ("lsuv of a constant batch", lambda: lsuv.lsuv(small_mlp(), np.zeros((6, 4))), ArgumentError, "x must vary"),
    ("diagnostics of a string", lambda: first_steps.diagnostics(small_mlp(), "abc", [0], 0.1), ArgumentTypeError,
     "x"),
    ("a billion steps", lambda: first_steps.loss_per_step(small_mlp(), X4, Y4, 0.1, steps=10**9, batch_size=2),
     ArgumentError, "steps"),
    ("a batch larger than x", lambda: first_steps.loss_per_step(small_mlp(), X4, Y4, 0.1, batch_size=10**9),
     ArgumentError, "batch_size"),
]


@pytest.mark.parametrize("call, error, argument", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_named_case_is_refused_by_name(call, error, argument):
    with pytest.raises(error) as caught:
        call()
    assert argument in str(caught.value)


# ---- extreme but valid: the call finishes and says what happened ----------------------------------------------

def test_linear_mean_field_at_huge_sigma_w_reports_where_it_overflows():
    field = theory.mean_field(200, 1e6, activation="linear")  # q_l = 1e12^l passes 1.8e308 at layer 26
    assert field.exploded_at == 26 and field.grad_exploded_at is not None
    assert not np.isnan(field.q).any() and not np.isnan(field.mean).any() and not np.isnan(field.std).any()
    assert np.all(field.mean == 0.0)  # linear: the two tails cancel, before the overflow and after
    assert np.isfinite(field.std[:25]).all() and np.isinf(field.std[25:]).all()


def test_relu_mean_field_reports_the_overflow_and_tanh_does_not_overflow():
    relu = theory.mean_field(200, 1e6, activation="relu")  # q_l = 1e12 (5e11)^(l-1): inf at layer 27
    assert relu.exploded_at == 27 and np.isinf(relu.mean[26:]).all() and np.isfinite(relu.mean[:26]).all()
    tanh = theory.mean_field(200, 1e6, activation="tanh")
    assert tanh.exploded_at is None and np.isfinite(tanh.std).all()


def test_a_healthy_mean_field_reports_nothing():
    field = theory.mean_field(10, 1.0)
    assert field.exploded_at is None and field.grad_exploded_at is None


def test_loss_per_step_records_a_diverged_loss_as_inf():
    losses = first_steps.loss_per_step(small_mlp(), X4, Y4, 1e300, steps=5, batch_size=2)
    assert len(losses) < 5 and losses[-1] == math.inf and np.isfinite(losses[:-1]).all()


def test_theory_names_are_the_meanfield_implementation():
    assert theory.fixed_point is meanfield.fixed_point_q and theory.critical_point is critical.critical_point
    assert theory.chi_1(1.2, 0.5) == meanfield.chi_1(1.2, 0.0, q=0.5)
    assert meanfield.critical_point is critical.critical_point and meanfield.critical_line is critical.critical_line
