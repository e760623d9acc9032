"""Property tests of propagation, diagnosis and the figures (issue 16).

Valid settings, down to one sample and weight scales from 1e-300 to 1e300, must finish
quickly without a RuntimeWarning and report any overflow (``exploded_at``,
``grad_exploded_at``, ``predicted_exploded_at``) instead of leaving unexplained NaN; the
figures drawn from them hold no NaN and say no "inf".  Invalid arguments must be refused
with an error that names them.  Networks are small (at most 8 layers of 12 units), so
that the whole file runs in a few seconds.
"""

import math
import re

import matplotlib.pyplot as plt
import numpy as np
from hypothesis import event, given, settings, strategies as st

from initlab import activations, curves, initializers, isometry_plots, phase_plots, plots, propagate
from initlab.diagnosis import diagnose
from initlab.propagation import PropagationResult, layer_statistics, mean_std, run_network
from properties import BAD_NUMBER, NOT_AN_INT, NOT_A_NUMBER, answers, bad_arrays, refuses

RULES = st.sampled_from(["lecun_normal", "he_uniform", "xavier_normal", "orthogonal", "zeros"])
#: Powers of ten for weight and bias scales, extremes first (hypothesis tries the first ones most):
#: past float64's or float32's range within a few layers, tiny, healthy.
DECADES = st.sampled_from([300, 160, 80, -300, 40, 12, -150, -40, 1, 0, -3])


@st.composite
def networks(draw):
    """Keyword arguments of a small, valid ``propagate`` call, from harmless to overflowing."""
    dtype = draw(st.sampled_from(["float64", "float32"]))
    largest = 36 if dtype == "float32" else 300  # the largest scale whose draws fit the precision

    def scale():
        return 10.0 ** min(draw(DECADES) + draw(st.floats(-1, 1)), largest)

    init = initializers.normal(scale()) if not draw(st.booleans()) else draw(RULES)
    bias_std = scale() if draw(st.booleans()) else 0.0
    return dict(init=init, activation=draw(st.sampled_from(activations.names())), bias_std=bias_std,
                widths=draw(st.lists(st.integers(1, 12), min_size=2, max_size=9)), n_samples=draw(st.integers(1, 6)),
                dtype=dtype, rng=draw(st.integers(0, 2**32)))


def assert_reported(run: PropagationResult):
    """Every statistic is finite up to a reported overflow and NaN after it, never elsewhere."""
    shown = run.depth if run.exploded_at is None else run.exploded_at - 1
    for name in ("mean", "std", "std_over_inputs", "saturated", "dead", "dead_units"):
        values = getattr(run, name)
        assert np.isfinite(values[:shown]).all() and np.isnan(values[shown:]).all(), (name, values)
    if run.exploded_at is not None:
        assert np.isnan(run.grad_std).all()
    else:
        computed = 0 if run.grad_exploded_at is None else run.grad_exploded_at
        assert np.isnan(run.grad_std[:computed]).all() and np.isfinite(run.grad_std[computed:]).all()
    predicted = run.depth if run.predicted_exploded_at is None else run.predicted_exploded_at - 1
    assert np.isfinite(run.prediction.q[:predicted]).all() and np.isfinite(run.prediction.std[:predicted]).all()


def no_inf_or_nan_in(fig):
    """No line of ``fig`` holds a non-finite value, and no text says "nan" or "inf"."""
    for ax in fig.axes:
        for line in ax.get_lines():
            assert np.isfinite(np.asarray(line.get_ydata(), dtype=float)).all(), ax.get_title()
        words = re.findall(r"[a-z]+", " ".join([ax.get_title(), *(t.get_text() for t in ax.texts)]).lower())
        assert "nan" not in words and "inf" not in words, ax.get_title()


# --- valid settings: an answer or a report ------------------------------------------

@given(networks())
def test_any_small_network_reports_its_overflows(kwargs):
    run = answers(lambda: propagate(**kwargs), seconds=2, finite=False)
    event("signal overflowed" if run.exploded_at else "gradient overflowed" if run.grad_exploded_at else
          "prediction overflowed" if run.predicted_exploded_at else "all finite")
    assert_reported(run)
    verdict = diagnose(run)
    assert verdict.split(":")[0] in ("exploding", "vanishing", "collapsing", "saturating", "dead", "healthy")
    assert not {"nan", "inf"} & set(verdict.replace(",", " ").split()), verdict
    table = run.table()
    assert "nan" not in table and " inf" not in table and len(table.splitlines()) >= 2


@settings(max_examples=4)
@given(networks())
def test_the_figures_of_any_small_network_hold_no_nan(kwargs):
    run = propagate(keep_layers=[1], **kwargs)
    for draw in (lambda: plots.layer_stats({"a": run, "b": run}), lambda: plots.gradient_stats(run)):
        no_inf_or_nan_in(answers(draw, seconds=3, finite=False))
    if run.activations:
        no_inf_or_nan_in(answers(lambda: plots.histogram_strip(run), seconds=3, finite=False))
    plt.close("all")


@settings(max_examples=6)
@given(st.lists(st.floats(-300, 300).map(lambda e: 10.0 ** e), min_size=1, max_size=20),
       st.sampled_from([[], [math.nan], [math.inf, math.nan]]))
def test_loss_curves_of_any_size_draw_without_warning(losses, diverged):
    fig = answers(lambda: curves.loss_per_step({"a": losses + diverged, "b": losses}, smooth=2), seconds=3,
                  finite=False)
    no_inf_or_nan_in(fig)
    plt.close("all")


# --- invalid arguments: refused by name ----------------------------------------------

SMALL = dict(depth=2, width=3, n_samples=2, rng=0)


@given(st.sampled_from(["depth", "width", "n_samples"]),
       st.one_of(NOT_AN_INT.filter(lambda v: v is not None), st.integers(-5, 0)))
def test_propagate_refuses_a_size_that_is_not_a_positive_integer(name, value):
    refuses(lambda: propagate(**{**SMALL, name: value}), name)


@given(st.one_of(BAD_NUMBER, st.floats(max_value=-1e-300)))
def test_propagate_refuses_a_bias_std_that_is_not_a_number_ge_0(value):
    refuses(lambda: propagate(bias_std=value, **SMALL), "bias_std")


@given(st.sampled_from(["init", "activation", "dtype", "rng", "keep_layers", "widths"]),
       st.one_of(st.text(min_size=1, max_size=4), st.floats(allow_nan=True), st.complex_numbers(max_magnitude=9),
                 st.just(-1)))
def test_propagate_refuses_junk_in_any_argument(name, value):
    settings_ = dict(SMALL) if name != "widths" else {"n_samples": 2}
    refuses(lambda: propagate(**{**settings_, name: value}), name)


@given(st.lists(st.integers(-3, 9).filter(lambda k: not 1 <= k <= 2), min_size=1, max_size=3))
def test_propagate_refuses_layers_it_does_not_have(layers):
    refuses(lambda: propagate(keep_layers=layers, **SMALL), "keep_layers")


@given(st.sampled_from(["x", "weights[0]", "grad_output"]), st.data())
def test_run_network_refuses_spoiled_arrays_by_name(name, data):
    arrays = {"x": np.ones((3, 4)), "weights[0]": np.ones((4, 2)), "grad_output": np.ones((3, 2))}
    shape = arrays[name].shape
    arrays[name] = data.draw(bad_arrays(shape).filter(lambda v: v is not None or name == "x"))
    error = refuses(lambda: run_network(arrays["x"], [arrays["weights[0]"]], grad_output=arrays["grad_output"]), name)
    assert str(error).startswith(f"{name} ")


@given(bad_arrays((3, 4)))
def test_the_statistics_refuse_spoiled_arrays(values):
    assert str(refuses(lambda: layer_statistics(values, "tanh"), "h")).startswith("h ")
    assert str(refuses(lambda: mean_std(values), "values")).startswith("values ")


JUNK = st.one_of(st.none(), st.integers(), st.text(max_size=4), st.lists(st.integers(), max_size=2), NOT_A_NUMBER)


@given(JUNK)
def test_results_are_refused_when_they_are_not_results(value):
    refuses(lambda: diagnose(value), "result")
    refuses(lambda: plots.layer_stats(value), "runs")
    refuses(lambda: plots.gradient_stats({"a": value}), "runs['a']")
    refuses(lambda: plots.histogram_strip(value), "result")
    refuses(lambda: phase_plots.correlation_curves({"a": value}), "results['a']")
    refuses(lambda: isometry_plots.sorted_spectra({"a": value}), "panels['a']")


NOT_A_CURVE = st.one_of(st.just(np.zeros(5) + 1j), st.just(np.full(5, "a")), st.just(np.zeros((2, 3))),
                        st.just([]), st.text(max_size=4), st.none())


@given(NOT_A_CURVE)
def test_curves_refuse_values_that_are_not_a_curve(values):
    refuses(lambda: plots.learning_curves({"a": values}), "curves['a']")
    refuses(lambda: curves.per_block({"p": {"a": values}}), "panels['p']['a']")
    refuses(lambda: curves.loss_per_step({"a": values}), "curves['a']")
    assert plt.get_fignums() == []  # refused before drawing


@given(st.one_of(BAD_NUMBER.filter(lambda v: not isinstance(v, bool)),  # numpy reads True as 1.0
                st.floats(-1e3, -1e-3), st.floats(1e4, 1e300)), st.booleans())
def test_phase_diagram_refuses_a_point_off_the_diagram(value, as_sigma_w2):
    point = (value, 0.5) if as_sigma_w2 else (1.0, value)
    refuses(lambda: phase_plots.phase_diagram({"a": point}), "points['a']")
    assert plt.get_fignums() == []


@given(bad_arrays((5,)), NOT_AN_INT)
def test_haar_entries_refuses_spoiled_samples_and_sizes(values, n):
    refuses(lambda: isometry_plots.haar_entries({"a": values}, 5), "samples['a']")
    refuses(lambda: isometry_plots.haar_entries({"a": [0.1, -0.2]}, n), "n")
