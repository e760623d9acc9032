"""Issue 16's named cases for propagation, diagnosis and the figures: refused by name, or reported.

The first table is what a careless student types; each call must raise a ValueError or
TypeError whose message names the argument as the student wrote it.  The tests after it
are the extreme but valid settings of the issue: each must finish, without a
RuntimeWarning, and say what happened (``exploded_at``, "exploded at layer k", ...).
"""

import math
import re

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
import numpy as np
import pytest

from initlab import curves, initializers, isometry_plots, mlp, phase_plots, plots, propagate
from initlab.diagnosis import diagnose
from initlab.propagation import draw_weights, layer_statistics, mean_std, run_network


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def small(**settings):
    return propagate(**{"depth": 3, "width": 10, "n_samples": 8, "rng": 0, **settings})


def exploded():
    return small(init=initializers.normal(1e160), activation="relu")


def nan_init(fan_in, fan_out, rng):
    return np.full((fan_in, fan_out), np.nan)


REFUSED = [
    # propagate and its parts
    ("propagate(widths=[])", lambda: propagate(widths=[]), "widths", "the input width and at least one layer"),
    ("propagate(widths='abc')", lambda: propagate(widths="abc"), "widths", "a list of integers"),
    ("propagate(widths={5, 3})", lambda: propagate(widths={5, 3}), "widths", "a list of integers"),
    ("propagate(keep_layers=5)", lambda: small(keep_layers=5), "keep_layers", r"None \(keep every layer\)"),
    ("propagate(bias_std=nan)", lambda: small(bias_std=math.nan), "bias_std", "finite"),
    ("propagate(bias_std=1e38, float32)", lambda: small(bias_std=1e38, dtype="float32"), "bias_std", "<="),
    ("propagate(dtype='int64')", lambda: small(dtype="int64"), "dtype", r"\['float64', 'float32'\]"),
    ("propagate(init=NaN matrix)", lambda: small(init=nan_init), "init nan_init", "finite numbers"),
    ("propagate(init=strings)", lambda: small(init=lambda a, b, rng: np.full((a, b), "w")), "init", "real numbers"),
    ("propagate(init=wrong signature)", lambda: small(init=lambda n: n), "init", r"\(fan_in, fan_out, rng\)"),
    ("propagate(60 x 2000)", lambda: small(depth=60, width=2000), "width", "240,000,000 numbers"),
    ("propagate(normal(1e39), float32)", lambda: small(init=initializers.normal(1e39), dtype="float32"), "init",
     "in float32"),
    ("run_network(x='abc')", lambda: run_network("abc", [np.eye(3)]), "x", "real numbers"),
    ("run_network(x 1-D)", lambda: run_network(np.ones(3), [np.eye(3)]), "x", "2-D"),
    ("run_network(weights=None)", lambda: run_network(np.ones((2, 3)), None), "weights", "non-empty list"),
    ("run_network(weights NaN)", lambda: run_network(np.ones((2, 3)), [np.full((3, 3), np.nan)]), "weights[0]",
     "finite"),
    ("run_network(biases shape)", lambda: run_network(np.ones((2, 3)), [np.eye(3)], biases=[np.ones(4)]),
     "biases[0]", r"shape \(3\)"),
    ("run_network(grad_output shape)", lambda: run_network(np.ones((2, 3)), [np.eye(3)], grad_output=np.ones((5, 3))),
     "grad_output", r"\(2, 3\)"),
    ("draw_weights('abc')", lambda: draw_weights("abc", "he_normal"), "widths", "a list of integers"),
    ("layer_statistics('abc')", lambda: layer_statistics("abc", "tanh"), "h", "real numbers"),
    ("mean_std([])", lambda: mean_std([]), "values", "at least 1"),
    ("diagnose(dict)", lambda: diagnose({"std": [1.0]}), "result", "PropagationResult"),
    # plots
    ("layer_stats([])", lambda: plots.layer_stats([]), "runs", "non-empty dict"),
    ("layer_stats({})", lambda: plots.layer_stats({}), "runs", "non-empty dict"),
    ("layer_stats({'a': 'b'})", lambda: plots.layer_stats({"a": "b"}), "runs['a']", "PropagationResult"),
    ("layer_stats(log_std='yes')", lambda: plots.layer_stats(small(), log_std="yes"), "log_std", "True or False"),
    ("gradient_stats(None)", lambda: plots.gradient_stats(None), "runs", "non-empty dict"),
    ("histogram_strip(None)", lambda: plots.histogram_strip(None), "result", "PropagationResult"),
    ("histogram_strip(exploded, 'gradients')", lambda: plots.histogram_strip(exploded(), "gradients"), "kind",
     "the signal overflowed at layer 2"),
    ("histogram_strip(layers=5)", lambda: plots.histogram_strip(small(), layers=5), "layers", "list of layer"),
    ("weighted_sum_histogram(ax=3)", lambda: plots.weighted_sum_histogram([1.0, 2.0], 1.0, ax=3), "ax",
     "matplotlib Axes"),
    ("learning_curves(percentages)", lambda: plots.learning_curves({"a": [50, 90]}), "curves['a']", "0.9, not 90"),
    ("learning_curves(NaN first)", lambda: plots.learning_curves({"a": [math.nan, 0.5]}), "curves['a']",
     "no finite value"),
    ("learning_curves(reference lengths)", lambda: plots.learning_curves({"a": [0.5]}, {"p": ([1, 2], [0.5])}),
     "reference['p']", "one length"),
    ("decision_regions(labels 0/5)", lambda: plots.decision_regions({"a": mlp.MLP([2, 2], rng=0)}, np.ones((2, 2)),
                                                                      [0, 5]), "labels", "0 and 1"),
    ("decision_regions(3 inputs)", lambda: plots.decision_regions({"a": mlp.MLP([3, 2], rng=0)}, np.ones((2, 2)),
                                                                    [0, 1]), "networks['a']", "2 inputs"),
    ("weight_histograms(NaN)", lambda: plots.weight_histograms({"a": [math.nan, 1.0]}), "matrices['a']", "finite"),
    ("digits(0..255)", lambda: plots.digits(np.full((2, 784), 255.0), [1, 2], n=2), "images", "divide by 255"),
    ("digits(labels short)", lambda: plots.digits(np.zeros((3, 784)), [1], n=3), "labels", "n=3"),
    # curves
    ("per_block(strings)", lambda: curves.per_block({"a": {"b": "abc"}}), "panels['a']['b']", "1-D sequence"),
    ("per_block(log of zeros)", lambda: curves.per_block({"a": {"b": [0.0, 0.0]}}), "log", "log=False"),
    ("per_block(colors)", lambda: curves.per_block({"a": {"b": [1.0]}}, colors={"b": "nocolour"}), "colors['b']",
     "not a matplotlib colour"),
    ("loss_per_step(negative)", lambda: curves.loss_per_step({"a": [-1.0]}), "curves['a']", ">= 0"),
    ("loss_per_step(ymax=nan)", lambda: curves.loss_per_step({"a": [1.0]}, ymax=math.nan), "ymax", "finite"),
    # phase_plots, isometry_plots
    ("phase_diagram(point outside)", lambda: phase_plots.phase_diagram({"a": (1e300, 0.0)}), "points['a']",
     "outside the diagram"),
    ("phase_diagram(relu)", lambda: phase_plots.phase_diagram(activation="relu"), "activation", "'tanh' or 'sigmoid'"),
    ("draw_phase_diagram(range)",
     lambda: phase_plots.draw_phase_diagram(Figure().add_subplot(), sigma_w2_range=(10, 1)),
     "sigma_w2_range", "0 < low < high"),
    ("correlation_curves({'a': run})", lambda: phase_plots.correlation_curves({"a": small()}), "results['a']",
     "CorrelationResult"),
    ("trainability_map(None)", lambda: phase_plots.trainability_map(None), "grid", "TrainabilityGrid"),
    ("haar_entries(5.0)", lambda: isometry_plots.haar_entries({"a": [5.0]}, 5), "samples['a']", r"\[-1, 1\]"),
    ("sorted_spectra({'a': run})", lambda: isometry_plots.sorted_spectra({"a": small()}), "panels['a']",
     "JacobianSpectra"),
    ("learning_times({})", lambda: isometry_plots.learning_times({}), "times", "non-empty dict"),
]


@pytest.mark.parametrize("call, argument, fragment", [case[1:] for case in REFUSED], ids=[c[0] for c in REFUSED])
def test_a_careless_call_is_refused_by_name(call, argument, fragment):
    figures = plt.get_fignums()
    with pytest.raises((ValueError, TypeError)) as error:
        call()
    message = str(error.value)
    assert argument in message and re.search(fragment, message), message
    assert type(error.value).__module__ == "initlab.checks", f"{type(error.value).__name__}: {message}"
    # a refused figure draws nothing (the inline backend would show an empty one)
    assert plt.get_fignums() == figures


def test_a_single_sample_gives_defined_statistics():
    run = small(n_samples=1)
    assert run.exploded_at is None and run.grad_exploded_at is None
    assert run.std_over_inputs.tolist() == [0.0, 0.0, 0.0]  # nothing varies over one input
    np.testing.assert_array_equal(run.dead_units, run.dead)
    assert all(np.isfinite(getattr(run, name)).all() for name in ("mean", "std", "saturated", "grad_std"))
    assert diagnose(run).startswith("healthy")


def test_a_huge_weight_scale_is_reported_as_an_explosion():
    # the weight scale 1e160: layer 1's z ~ 1e160 fits, layer 2's (1e321) does not
    run = exploded()
    assert run.exploded_at == 2 and np.isfinite(run.std[0]) and np.isnan(run.std[1:]).all()
    assert "the signal exploded (overflowed) at layer 2" in run.table()
    assert diagnose(run).startswith("exploding: the signal overflowed at layer 2")


def test_a_huge_bias_saturates_every_unit_without_a_warning():
    # bias_std=1e300 saturates every tanh unit: no input dependence left, and no warning on the way
    run = small(bias_std=1e300)
    assert run.exploded_at is None and run.std_over_inputs.tolist() == [0.0, 0.0, 0.0]
    assert np.isfinite(run.prediction.std).all() and np.isfinite(run.std).all()


def test_float32_overflows_where_float64_does_not_and_is_the_same_network():
    # sqrt(200) = 14.1 per linear layer: float32's 3.4e38 is passed at layer 33, float64's 1.8e308 never
    settings = dict(init=initializers.normal(1.0), activation="linear", depth=40, width=200, n_samples=5, rng=0)
    wide, narrow = propagate(**settings), propagate(**settings, dtype="float32")
    assert wide.exploded_at is None and narrow.exploded_at == 33
    np.testing.assert_allclose(narrow.std[:30], wide.std[:30], rtol=1e-4)  # the same draws, rounded
    assert narrow.activations[1].dtype == np.float32


def test_an_overflowing_prediction_is_reported():
    # 3000 * sqrt(40) = 19,000 per layer: the measured std (1e256 at layer 60) fits, its square does not
    run = small(init=initializers.normal(3000.0), activation="linear", depth=60, width=40)
    assert run.exploded_at is None and np.isfinite(run.std).all()
    k = run.predicted_exploded_at
    assert k is not None and 25 < k < 40 and np.isfinite(run.prediction.std[: k - 1]).all()
    assert f"the mean-field prediction overflows float64 at layer {k}" in run.table()


def test_the_table_aligns_any_magnitude_and_summarises_the_widths():
    run = propagate(initializers.normal(1.0), "relu", depth=20, width=50, n_samples=5, rng=0)
    assert run.mean[-1] > 1e12  # the old fixed decimals misaligned from about 1e6 on
    header, columns, *rows = run.table().splitlines()
    assert header == "normal(std=1) weights, relu, 20 layers of 50, 5 inputs"
    assert len({len(columns)} | {len(row) for row in rows}) == 1
    funnel = propagate("he_normal", "relu", widths=[40, 30, 20, 10, 10, 10, 10, 5], n_samples=3, rng=0).table()
    assert funnel.splitlines()[0].endswith("widths [40, 30, 20, ..., 5] (7 layers), 3 inputs")


def test_layer_stats_of_a_silent_relu_run_with_a_log_axis():
    fig = plots.layer_stats(small(init="zeros", activation="relu"), log_std=True)
    ax_mean, ax_std = fig.axes
    assert ax_std.get_yscale() == "linear" and ax_std.get_title() == "std of the activations"  # no value > 0


def test_relu_means_get_a_log_axis_without_negative_ticks():
    run = propagate(initializers.variance_scaling(4.0, "fan_in", "normal"), "relu", depth=20, width=100,
                    n_samples=20, rng=0)
    ax_mean = plots.layer_stats(run).axes[0]
    assert run.mean.min() > 0 and run.mean.max() > 100
    assert ax_mean.get_yscale() == "log" and ax_mean.get_ylim()[0] > 0
    assert ax_mean.get_title() == "mean of the activations (log scale)"


def test_a_curve_hidden_under_another_says_so():
    # notebook 04's Keras and Flax defaults agree within 1%: here two runs of the same network
    keras, flax, pytorch = small(), small(), small(init=initializers.variance_scaling(1 / 3, "fan_in", "uniform"))
    fig = plots.layer_stats({"Keras": keras, "PyTorch": pytorch, "Flax": flax})
    assert [t.get_text() for t in fig.legends[0].get_texts()] == \
        ["Keras", "mean-field prediction", "PyTorch", "Flax (≈ Keras)"]
    flax_line = fig.axes[1].get_lines()[-2]  # the last run's std, before its prediction
    assert flax_line.get_markerfacecolor() == "none" and flax_line.get_linestyle() == "--"
    assert fig.axes[1].get_lines()[0].get_markerfacecolor() != "none"  # Keras is drawn as usual


def test_histogram_titles_never_say_inf():
    # values near 1e160 square to inf: the std is taken on scaled values
    run = small(init=initializers.normal(1e80), activation="linear")
    titles = [ax.get_title() for ax in plots.histogram_strip(run).axes if ax.get_visible()]
    assert titles == ["layer 1: std 2.5e+80", "layer 2: std 8.7e+160", "layer 3: std 2.9e+241"]


def test_gradient_stats_says_why_a_run_has_no_gradient():
    fig = plots.gradient_stats({"exploded": exploded(), "zeros": small(init="zeros", activation="relu")})
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["exploded: no gradient (the signal overflowed at layer 2)", "zeros: no gradient (it is exactly 0)"]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "linear"])
def test_every_unbounded_activation_reports_a_signal_overflow(activation, dtype):
    # 1e160 (float64) or 1e20 (float32) per layer: layer 1 fits the precision, layer 2 passes it
    scale = 1e160 if dtype == "float64" else 1e20
    run = small(init=initializers.normal(scale), activation=activation, dtype=dtype)
    assert run.exploded_at == 2 and np.isnan(run.grad_std).all()
    assert f"exploded at layer 2" in " ".join(t.get_text() for t in plots.layer_stats(run).axes[1].texts)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "leaky_relu", "linear"])
def test_every_activation_reports_a_gradient_overflow(activation, dtype):
    # z stays near 0 (sigmoid: centred by its biases), where every slope is 0.25 or more, so
    # dz_3 = slope * (largest float / 2) fits and going back through 1000 * I it does not
    largest = float(np.finfo(dtype).max)
    weights = [np.eye(4, dtype=dtype), np.eye(4, dtype=dtype), 1000 * np.eye(4, dtype=dtype)]
    biases = [np.full(4, b, dtype=dtype) for b in (0.0, -0.5, -500.0)] if activation == "sigmoid" else None
    run = run_network(np.full((2, 4), 1e-3, dtype=dtype), weights, activation, biases=biases,
                      grad_output=np.full((2, 4), largest / 2, dtype=dtype))
    assert run.exploded_at is None and run.grad_exploded_at == 2, run.std
    assert np.isnan(run.grad_std[:2]).all() and np.isfinite(run.grad_std[2])
    assert diagnose(run).startswith("exploding: the gradient overflowed at layer 2 going back")


def test_tiny_values_keep_their_std_and_extreme_ratios_are_named():
    # squares of 1e-250 underflow to 0: the std is taken on scaled values
    assert mean_std(np.array([1e-250, -1e-250]))[1] == 1e-250
    # a gradient 1e100 at the last layer and 1e-250 at the first: the ratio 1e-350 is below float64's range
    x = np.random.default_rng(0).normal(size=(4, 4))
    run = run_network(x, [1e-175 * np.eye(4)] * 3, "linear", grad_output=1e100 * np.ones((4, 4)) * [1, -1, 1, -1])
    assert 1e-251 < run.grad_std[0] < 1e-250 and run.std[0] > 0
    assert diagnose(run).startswith("vanishing: the gradient shrinks 1e175x per layer going back, layer 1 gets "
                                    "1e-350 of layer 3's")
