"""The chaos explorer, driven programmatically: sliders and presets against the mean-field theory."""

import math

import numpy as np
import pytest

from initlab import meanfield, widgets
from initlab.widgets.chaos import PRESETS


@pytest.fixture(scope="module")
def explorer():
    return widgets.chaos_explorer(sigma_w=1.0, sigma_b=0.05, depth=30, width=300)


def test_initial_state_is_the_theory_of_its_sliders(explorer):
    assert explorer.last_error is None and explorer.png.startswith(b"\x89PNG")
    phase = meanfield.phase(1.0, 0.05)
    assert explorer.phase == phase and phase.name == "ordered"
    assert ("<b style='color:#0072B2'>ordered</b> <span style='color:#555'>(σ_w 1, σ_b 0.05)</span>: χ₁ = 0.934, "
            "q* = 0.0371, c* = 1; ξ_c = 14.7 layers") in explorer.status.value
    assert explorer.summary() == "ChaosExplorer(sigma_w=1, sigma_b=0.05): ordered, chi_1 = 0.934, xi_c = 14.7 layers"
    # the marker sits on the phase diagram at (sigma_w^2, sigma_b^2)
    np.testing.assert_allclose(np.concatenate(explorer.marker.get_data()), [1.0, 0.0025])
    np.testing.assert_allclose(explorer.line_c_pred.get_ydata(), meanfield.correlation_curve(30, 0.5, 1.0, 0.05).c)


def test_sliders_move_between_order_and_chaos(explorer):
    before, updates = explorer.png, explorer.updates
    explorer.sigma_w.value = 2.0
    assert explorer.updates == updates + 1 and explorer.png != before
    assert explorer.phase.name == "chaotic" and explorer.phase.chi_1 == pytest.approx(meanfield.chi_1(2.0, 0.05))
    assert "the gradient grows e-fold every" in explorer.status.value
    # measured at width 300 against the mean field: c settles near c*, the gradient grows ~chi_1 per layer
    assert abs((1 - explorer.distance[-1]) - explorer.phase.c_star) < 0.15
    factor = (explorer.grad[0] / explorer.grad[-1]) ** (1 / 29)
    assert factor == pytest.approx(explorer.phase.chi_1, rel=0.05)
    explorer.sigma_b.value = 0.5
    assert explorer.phase == meanfield.phase(2.0, 0.5)
    explorer.sigma_w.value, explorer.sigma_b.value = 1.0, 0.05


def test_status_line_names_the_position_its_figure_is_of(explorer):
    # sigma_w as its readout rounds it (3 significant digits), sigma_b to 2 decimals: a page can tell which
    # slider position the figure shows (the browser test waits for the status line to match the readouts)
    explorer.sigma_w.value = 2.3456
    assert "(σ_w 2.35, σ_b 0.05)</span>: χ₁ = " in explorer.status.value
    explorer.choose("05: gain 5/3")
    assert "<b style='color:#D55E00'>chaotic</b> <span style='color:#555'>(σ_w 1.67, σ_b 0.00)</span>: χ₁ = 1.21" \
        in explorer.status.value
    explorer.sigma_w.value, explorer.sigma_b.value = 1.0, 0.05


def test_presets_are_the_course_settings(explorer):
    explorer.choose("05: gain 5/3")
    assert explorer.phase.chi_1 == pytest.approx(1.21, abs=0.005) and explorer.phase.c_star == 0.0
    explorer.choose("02: N(0,1)")
    assert explorer.phase.chi_1 == pytest.approx(12.1, abs=0.05)
    updates = explorer.updates
    explorer.buttons[list(PRESETS).index("edge, σ_b=0.22")].click()
    assert explorer.updates == updates + 1  # two sliders moved, one update
    assert abs(explorer.phase.chi_1 - 1) < 0.003 and "the edge of chaos, as near as" in explorer.status.value
    explorer.choose("02: 0.01·N(0,1)")
    assert explorer.phase.chi_1 == pytest.approx(0.05, abs=1e-3)
    # q* = 0 without bias: the signal dies, but tanh is nearly linear there, so the correlation stays near c0
    np.testing.assert_allclose(explorer.curve.c, 0.5, atol=1e-3)
    assert explorer.sigma_w.value == pytest.approx(0.01 * math.sqrt(500), rel=0.01)
    explorer.sigma_w.value, explorer.sigma_b.value = 1.0, 0.05


def test_mimebundle_and_presentation():
    small = widgets.chaos_explorer(depth=5, width=20)
    bundle = small._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and bundle["image/png"].startswith(b"\x89PNG")
    assert bundle["text/plain"].startswith("ChaosExplorer(sigma_w=1, sigma_b=0.05): ordered")
    large = widgets.chaos_explorer(depth=5, width=20, present=True)
    assert large.figure.canvas.get_width_height() == small.figure.canvas.get_width_height()
    assert large.figure.dpi == pytest.approx(small.figure.dpi * 20 / 14)


def test_callback_errors_are_shown_not_raised(explorer, monkeypatch):
    monkeypatch.setattr(explorer, "compute", lambda: (_ for _ in ()).throw(RuntimeError("broken")))
    explorer.sigma_b.value = 0.1
    assert isinstance(explorer.last_error, RuntimeError) and "Could not update: RuntimeError: broken" in explorer.status.value
    monkeypatch.undo()
    explorer.sigma_b.value = 0.05
    assert explorer.last_error is None


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(sigma_w=0.01), ValueError, r"sigma_w must be >= 0.1, got 0.01"),
    (dict(sigma_b=2.0), ValueError, r"sigma_b must be <= 1.5, got 2.0"),
    (dict(depth=1), ValueError, r"depth must be an integer >= 2, got 1"),
    (dict(width=5.0), TypeError, r"width must be an integer"),
    (dict(c0=1.5), ValueError, r"c0 must be <= 1.0"),
    (dict(present="yes"), TypeError, r"present must be True, False or None"),
])
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        widgets.chaos_explorer(**kwargs)


def test_presets_are_on_the_sliders_steps_so_the_page_keeps_them():
    # the page moves a value between two steps onto the nearest and sends it back: a preset off the
    # steps was shown, then replaced (the edge preset turned "chaotic", chi_1 = 1.002, in the browser)
    from initlab.widgets.chaos import LOG_SIGMA_W_STEP, SIGMA_B_STEP, SIGMA_W_RANGE, on_sliders

    for name, (sigma_w, sigma_b) in PRESETS.items():
        steps_w = (math.log10(sigma_w) - math.log10(SIGMA_W_RANGE[0])) / LOG_SIGMA_W_STEP
        assert abs(steps_w - round(steps_w)) < 1e-6 and abs(sigma_b / SIGMA_B_STEP - round(sigma_b / SIGMA_B_STEP)) < 1e-9
        assert on_sliders(sigma_w, sigma_b) == pytest.approx((sigma_w, sigma_b), rel=1e-12, abs=1e-12), name
    assert on_sliders(1.3274, 0.2236) == pytest.approx((10 ** 0.123, 0.22), rel=1e-12)


def test_a_new_range_of_the_gradients_draws_their_axis_alone_and_equals_a_full_drawing():
    explorer = widgets.chaos_explorer(sigma_w=1.0, sigma_b=0.05)
    drawn = []
    for axis in (explorer.ax_g.xaxis, explorer.ax_g.yaxis, explorer.ax_c.xaxis, explorer.ax_c.yaxis):
        axis.draw = lambda renderer, axis=axis, draw=axis.draw: (drawn.append(axis), draw(renderer))
    limits = explorer.ax_g.get_ylim()
    explorer.sigma_w.value = 3.0  # chaotic: the gradients grow 1e9-fold, and their axis takes another range
    assert explorer.ax_g.get_ylim() != limits and drawn == [explorer.ax_g.yaxis]
    canvas = explorer._painter.canvas
    blitted = np.asarray(canvas.buffer_rgba()).copy()
    canvas.draw()
    assert np.array_equal(blitted, np.asarray(canvas.buffer_rgba()))  # pixel for pixel a full drawing
