"""The isometry explorer, driven programmatically: set a control, check J's spectrum and that the figure changed."""

import math

import numpy as np
import pytest

from initlab import jacobian, widgets


@pytest.fixture(scope="module")
def explorer():
    return widgets.isometry_explorer()


def test_default_is_near_isometry_and_matches_jacobian_spectra(explorer):
    spectra = explorer.spectra
    assert (explorer.depth.value, explorer.width.value, explorer.sigma_w.value) == (30, 200, 1.05)
    reference = jacobian.jacobian_spectra("orthogonal", "tanh", depths=30, width=200, sigma_w=1.05, rng=0)
    np.testing.assert_allclose(spectra.singular_values[30], reference.singular_values[30], rtol=1e-10)
    assert 10 < explorer.condition < 100
    assert spectra.relative_variance(30) == pytest.approx(spectra.predicted_relative_variance[-1], rel=0.05)
    assert "condition number s_max / s_min = <b>37.7</b>" in explorer.status.value
    # a static render (GitHub, nbviewer) gets the PNG, nbval the summary's stable text
    shown = explorer._repr_mimebundle_()
    assert shown["image/png"] == explorer.png and explorer.png.startswith(b"\x89PNG")
    assert shown["text/plain"] == ("IsometryExplorer(orthogonal, tanh, depth=30, width=200, sigma_w=1.050): condition "
                                   "number 37.7, mean s^2 1.05 (predicted 1.13), var(s^2)/mean^2 0.439 (predicted 0.434)")


def test_sigma_slider_moves_towards_criticality_and_redraws(explorer):
    before_png, before_updates = explorer.png, explorer.updates
    try:
        explorer.sigma_w.value = 1.01
        assert explorer.updates == before_updates + 1 and explorer.png != before_png
        assert explorer.condition < 3 and explorer.spectra.mean_square(30) == pytest.approx(1.0, abs=0.05)
    finally:
        explorer.sigma_w.value = 1.05


def test_gaussian_weights_spread_the_spectrum_beyond_float64(explorer):
    orthogonal = explorer._networks[("orthogonal", 200)]
    try:
        explorer.init.value = "gaussian"
        assert math.isinf(explorer.condition)
        assert explorer.spectra.relative_variance(30) > 20
        assert "<b>inf</b> (J is singular to float64)" in explorer.status.value
        assert explorer.note.get_text().endswith("of the directions are 0 to float64")
    finally:
        explorer.init.value = "orthogonal"
    assert explorer._networks[("orthogonal", 200)] is orthogonal  # switching back draws nothing


def test_relu_switches_off_about_half_the_directions(explorer):
    try:
        explorer.activation.value = "relu"
        explorer.sigma_w.value = 1.415
        spectra = explorer.spectra
        assert spectra.rank(30) < 0.6 * 200 and math.isinf(explorer.condition)
        assert spectra.mean_square_by_layer[0] == pytest.approx(1.0, rel=0.15)   # chi_1 = sigma_w^2 / 2 = 1
        assert f"rank {spectra.rank(30)} of 200" in explorer.status.value
    finally:
        explorer.activation.value = "tanh"
        explorer.sigma_w.value = 1.05


def test_linear_orthogonal_network_is_exactly_isometric():
    linear = widgets.isometry_explorer(depth=100, width=50, activation="linear", sigma_w=1.0)
    np.testing.assert_allclose(linear.spectra.singular_values[100], 1.0, atol=1e-10)
    assert linear.condition == pytest.approx(1.0, abs=1e-10)
    assert linear.summary().startswith("IsometryExplorer(orthogonal, linear, depth=100, width=50, sigma_w=1.000): "
                                       "condition number 1, mean s^2 1 (predicted 1)")


def test_depth_slider_extends_the_network_and_keeps_earlier_layers(explorer):
    first = explorer.spectra.mean_square_by_layer.copy()
    network = explorer._networks[("orthogonal", 200)]
    layer_one = network["weights"][0]
    try:
        explorer.depth.value = 40
        assert len(network["weights"]) == 40 and network["weights"][0] is layer_one
        np.testing.assert_array_equal(explorer.spectra.mean_square_by_layer[:30], first)
        explorer.depth.value = 25
        assert len(network["weights"]) == 40 and explorer.spectra.depths == (25,)
    finally:
        explorer.depth.value = 30


def test_width_draws_a_new_network(explorer):
    try:
        explorer.width.value = 100
        assert explorer.spectra.width == 100 and explorer.spectra.singular_values[30].shape == (100,)
    finally:
        explorer.width.value = 200
    assert list(explorer._networks) == [("orthogonal", 100), ("orthogonal", 200)]  # the two latest are kept


def test_presentation_mode_keeps_the_pixels_and_enlarges_the_text():
    small = widgets.isometry_explorer(depth=2, width=20)
    large = widgets.isometry_explorer(depth=2, width=20, present=True)
    assert large.figure.canvas.get_width_height() == small.figure.canvas.get_width_height()
    assert large.figure.dpi == pytest.approx(small.figure.dpi * 20 / 14)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(depth=0), ValueError, r"depth must be an integer >= 1, got 0"),
    (dict(depth=101), ValueError, r"depth must be an integer <= 100, got 101"),
    (dict(width=5), ValueError, r"width must be an integer >= 10, got 5"),
    (dict(width=20.5), TypeError, r"width must be an integer, got 20.5"),
    (dict(sigma_w=5.0), ValueError, r"sigma_w must be <= 3.0, got 5.0"),
    (dict(activation="gelu"), ValueError, r"activation must be one of \['tanh', 'sigmoid'"),
    (dict(init="he_normal"), ValueError, r"init must be one of \['gaussian', 'orthogonal'\]"),
    (dict(rng=-1), ValueError, r"rng must be an integer >= 0, got -1"),
    (dict(present="yes"), TypeError, r"present must be True, False or None, got 'yes'"),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        widgets.isometry_explorer(**kwargs)


@pytest.mark.parametrize("present", [False, True])
def test_each_axis_is_drawn_when_its_limits_move_and_the_figure_is_the_full_drawing(present):
    explorer = widgets.isometry_explorer(depth=30, width=200, sigma_w=1.05, present=present)
    values, mean = explorer.ax_values, explorer.ax_mean
    drawn = []
    for axis in (values.xaxis, values.yaxis, mean.xaxis, mean.yaxis):
        axis.draw = lambda renderer, axis=axis, draw=axis.draw: (drawn.append(axis), draw(renderer))
    explorer.sigma_w.value = 2.0  # chaotic: the mean of s^2 grows 1e8-fold, the spectrum spreads
    assert drawn == [values.yaxis, mean.yaxis]
    drawn.clear()
    explorer.depth.value = 47  # a longer layer axis, and the axes over it
    assert drawn[0] is mean.xaxis and set(drawn) <= {mean.xaxis, values.yaxis, mean.yaxis}
    canvas = explorer._painter.canvas
    blitted = np.asarray(canvas.buffer_rgba()).copy()
    canvas.draw()
    assert np.array_equal(blitted, np.asarray(canvas.buffer_rgba()))  # pixel for pixel a full drawing
