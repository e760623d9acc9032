"""Property tests of the signal explorer's computation: any setting its controls reach.

Drawn with hypothesis (the deterministic "course" profile): depth, width, weight
scale, activation and initializer anywhere in the sliders' and dropdowns' ranges
(widths kept small for speed).  Each setting must give finite statistics and a
verdict without "nan" or "inf", quickly and without a RuntimeWarning; for the
positively homogeneous activations the statistics, obtained by rescaling a pass at
scale 1, must be those of a full float64 pass at that scale.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from initlab import propagation, widgets
from initlab.widgets.network import HOMOGENEOUS, INITIALIZERS
from properties import answers

DEPTHS = st.integers(1, 50)
WIDTHS = st.integers(1, 8).map(lambda k: 10 * k)  # the width slider's steps, up to 80
SCALES = st.floats(-3.0, 2.0).map(lambda e: float(10.0 ** e))  # the log slider's range, 1e-3 .. 1e2
ACTIVATIONS = st.sampled_from(["tanh", "sigmoid", "relu", "leaky_relu", "linear"])


@pytest.fixture(scope="module")
def explorer():
    """One explorer whose controls no longer update it: each example sets them all, then computes once."""
    explorer = widgets.signal_explorer(depth=2, width=10, n_samples=64)
    for control in (explorer.depth, explorer.width, explorer.scale, explorer.activation, explorer.init):
        control.unobserve_all("value")
    return explorer


def set_controls(explorer, depth, width, scale, activation, init):
    explorer.depth.value, explorer.width.value, explorer.scale.value = depth, width, scale
    explorer.activation.value, explorer.init.value = activation, init


@settings(max_examples=25)
@given(depth=DEPTHS, width=WIDTHS, scale=SCALES, activation=ACTIVATIONS, init=st.sampled_from(list(INITIALIZERS)))
def test_every_setting_gives_finite_statistics_and_a_clean_verdict(explorer, depth, width, scale, activation, init):
    set_controls(explorer, depth, width, scale, activation, init)
    result = answers(explorer.compute, seconds=5.0, finite=False)
    assert result.exploded_at is None and result.grad_exploded_at is None  # the sliders cannot reach float64's limits
    for name in ("mean", "std", "std_over_inputs", "saturated", "dead", "dead_units", "grad_std"):
        assert np.all(np.isfinite(getattr(result, name))), name
    assert explorer.verdict and "nan" not in explorer.verdict and "inf" not in explorer.verdict


@settings(max_examples=25)
@given(depth=st.integers(1, 8), width=WIDTHS, scale=SCALES, activation=st.sampled_from(HOMOGENEOUS),
       init=st.sampled_from(["normal", "he_normal", "xavier_uniform", "orthogonal"]))
def test_a_homogeneous_network_at_any_scale_is_a_full_float64_pass(explorer, depth, width, scale, activation, init):
    set_controls(explorer, depth, width, scale, activation, init)
    result = explorer.compute()
    weights, _ = explorer.network.weights(init, width, depth)
    x, g = (a.astype(np.float64) for a in explorer.network.inputs(width, explorer.n_samples))
    full = propagation.run_network(x, [w.astype(np.float64) * scale for w in weights], activation, grad_output=g,
                                   keep_layers=[])
    for name in ("std", "std_over_inputs", "grad_std"):
        np.testing.assert_allclose(getattr(result, name), getattr(full, name), rtol=1e-5, err_msg=name)
    np.testing.assert_allclose(result.mean, full.mean, rtol=1e-5, atol=1e-5 * full.std.max())
    np.testing.assert_array_equal(result.dead_units, full.dead_units)
