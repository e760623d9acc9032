"""The explorers, driven programmatically (no browser): set a control, check the
statistics and that the figure changed."""

import math
import re
import warnings

import numpy as np
import pytest

from initlab import initializers, propagate, widgets
from initlab.diagnosis import diagnose


@pytest.fixture(scope="module")
def explorer():
    return widgets.signal_explorer(depth=10, width=500, activation="tanh", init="lecun_normal")


def test_initial_state_matches_propagate(explorer):
    assert explorer.verdict.startswith("healthy")
    reference = propagate("lecun_normal", "tanh", depth=10, width=500, rng=3)
    np.testing.assert_allclose(explorer.result.std, reference.std, rtol=0.03)
    np.testing.assert_allclose(explorer.result.grad_std, reference.grad_std, rtol=0.06)
    assert explorer.png.startswith(b"\x89PNG")
    assert explorer.result.activations[1].dtype == np.float32  # healthy signals fit float32


def test_scale_slider_collapses_and_changes_the_figure(explorer):
    before_png, before_updates = explorer.png, explorer.updates
    try:
        explorer.scale.value = 0.01 / (1 / math.sqrt(500))  # the course's 0.01 * N(0, 1)
        assert explorer.updates == before_updates + 1
        assert explorer.png != before_png
        # the gradient reaching layer 1 and the input dependence left at layer 10 both shrink ~4.5x per layer
        assert explorer.verdict == (
            "vanishing: the gradient shrinks 4.5x per layer going back, layer 1 gets 1.3e-6 of layer 10's "
            "(below 0.01 from layer 6); collapsing: the output depends on the input 1.4e-6 as much as layer 1 does, "
            "4.48x less per layer (below 0.01 from layer 5)")
        assert "<b style='color:#D55E00'>vanishing: " in explorer.status.value
        np.testing.assert_allclose(explorer.result.std[:3], [0.2133, 0.0476, 0.0106], rtol=0.03)
    finally:
        explorer.scale.value = 1.0


def test_depth_slider_adds_layers_and_keeps_the_others(explorer):
    first = explorer.result.std.copy()
    explorer.depth.value = 12
    assert explorer.result.depth == 12
    np.testing.assert_array_equal(explorer.result.std[:10], first)
    explorer.depth.value = 10


def test_activation_and_initializer_dropdowns(explorer):
    explorer.init.value = "normal"
    # 91% of the units saturate: their slopes 1 - h^2, from float32 outputs h near +-1, carry few digits, so
    # the gradient's growth depends on how BLAS rounds (7.94e4 with one thread, 7.97e4 with two; float64: 7.86e4)
    assert re.match(r"exploding: the gradient grows 3.5x per layer going back, (7.9|8)e4x from layer 10 to layer 1 "
                    r"\(past 100x at layer 6\); saturating: 91% of the units", explorer.verdict), explorer.verdict
    explorer.activation.value = "relu"
    explorer.init.value = "he_normal"
    assert explorer.verdict.startswith("healthy: layer 1 gets 0.99x layer 10's gradient")
    assert "<b style='color:#009E73'>healthy: " in explorer.status.value
    assert 0.45 < explorer.result.dead[0] < 0.55
    explorer.activation.value = "tanh"
    explorer.init.value = "lecun_normal"


def test_extreme_relu_setting_reports_instead_of_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = widgets.signal_explorer(depth=50, width=400, activation="relu", init="normal", scale=100.0)
    assert big.last_error is None
    assert big.verdict.startswith("exploding: the gradient grows 1.41e3x per layer going back")
    assert "; std passes 10 at layer 1, 2.63e157 at layer 50" in big.verdict
    for line in big.ax_std.get_lines():
        assert np.all(np.isfinite(line.get_ydata()))
    # layer 50 is around 1e150, far beyond float32: the explorer hands its values over in float64
    assert big.result.activations[50].dtype == np.float64
    assert 1e140 < big.result.std[-1] < 1e160


def test_overflowing_network_shows_the_message(monkeypatch):
    # The sliders cannot reach float64's overflow (the explorer keeps its numbers near 1 by
    # powers of two), so the figure is fed a network that did overflow.
    explorer = widgets.signal_explorer(depth=3, width=10, activation="linear", init="normal")

    def overflowing():
        explorer.result = propagate(initializers.normal(1e30), "linear", depth=11, width=10, n_samples=5, rng=0)
        explorer.shown_layers = [1, 4, 7, 11]
        explorer.verdict = diagnose(explorer.result)
        return explorer.result

    monkeypatch.setattr(explorer, "compute", overflowing)
    explorer.refresh()
    assert explorer.last_error is None
    assert explorer.message.get_text() == "exploded at layer 11"
    assert "overflowed at layer 11" in explorer.status.value


def test_callback_errors_are_shown_not_raised(explorer, monkeypatch):
    def broken():
        raise RuntimeError("out of memory")

    monkeypatch.setattr(explorer, "compute", broken)
    explorer.depth.value = 9  # must not raise
    assert isinstance(explorer.last_error, RuntimeError)
    assert "Could not update: RuntimeError: out of memory" in explorer.status.value
    monkeypatch.undo()
    explorer.depth.value = 10
    assert explorer.last_error is None


def test_each_change_is_one_synchronous_update():
    # Updates run inside the change notification, so that the kernel stays busy and
    # the browser's widget throttle merges the slider positions sent meanwhile.
    explorer = widgets.signal_explorer(depth=3, width=50, n_samples=100)
    start = explorer.updates
    for value in np.geomspace(0.1, 10, 5):
        explorer.scale.value = float(value)
        assert explorer.title.get_text() + explorer.title_scale.get_text() == \
            f"tanh, width 50, 100 samples: lecun_normal × {explorer.scale.value:.3g}, depth 3"
    assert explorer.updates == start + 5


def test_mimebundle_has_widget_static_png_and_stable_text(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"].startswith(b"\x89PNG")
    assert bundle["text/plain"] == (
        "SignalExplorer(lecun_normal, tanh, depth=10, width=500, scale=1): "
        "healthy: layer 1 gets 0.28x layer 10's gradient (0.868x per layer), the output keeps 0.36 of layer 1's "
        "input dependence"
    )


def test_presentation_mode_keeps_the_pixels_and_enlarges_the_text():
    small = widgets.signal_explorer(depth=2, width=20, n_samples=100)
    large = widgets.signal_explorer(depth=2, width=20, n_samples=100, present=True)
    assert large.figure.canvas.get_width_height() == small.FIGURE_PX["lab"]
    assert large.figure.dpi == pytest.approx(small.figure.dpi * 20 / 14)
    # the explorer's own presentation setting does not switch the course's plots over
    from initlab import plots

    assert not plots.is_presenting() and plots.plt.rcParams["font.size"] == 14


def test_samples_shrink_for_big_networks(explorer):
    # as width^-2.5 from 1000 samples at width 500: a depth-50 update stays under 0.5 s at width 2000
    assert [explorer.samples_for(width) for width in (100, 500, 1000, 1500, 2000)] == [1000, 1000, 176, 64, 32]
    assert widgets.signal.MIN_SAMPLES == 32


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(depth=0), ValueError, r"depth must be an integer >= 1, got 0"),
        (dict(depth=51), ValueError, r"depth must be an integer <= 50, got 51"),
        (dict(width=5000), ValueError, r"width must be an integer <= 2000, got 5000"),
        (dict(width=20.5), TypeError, r"width must be an integer, got 20.5"),
        (dict(scale=1e3), ValueError, r"scale must be <= 100.0, got 1000.0"),
        (dict(scale=float("nan")), ValueError, r"scale must be a finite number"),
        (dict(activation="gelu"), ValueError, r"activation must be one of \['tanh', 'sigmoid', 'relu', 'leaky_relu', 'linear'\]"),
        (dict(init="xavier"), ValueError, r"init must be one of \['normal', 'lecun_normal'"),
        (dict(n_samples=10), ValueError, r"n_samples must be an integer >= 32, got 10"),
        (dict(present="yes"), TypeError, r"present must be True, False or None, got 'yes'"),
        (dict(rng="abc"), TypeError, r"rng must be None, an integer seed"),
    ],
)
def test_signal_explorer_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        widgets.signal_explorer(**kwargs)


# ---- weighted-sum explorer -----------------------------------------------------------
def test_weighted_sum_explorer_course_cases():
    explorer = widgets.weighted_sum_explorer(n_inputs=1000, fraction_on=0.5, weight_std=1.0, bias_std=1.0)
    assert explorer.predicted_std == pytest.approx(math.sqrt(501))
    assert explorer.measured_std == pytest.approx(math.sqrt(501), rel=0.03)
    assert explorer.saturated == pytest.approx(explorer.predicted_saturated, abs=0.02)
    assert explorer.saturated > 0.8
    before = explorer.png
    explorer.weight_std.value = 1 / math.sqrt(1000)
    assert explorer.png != before
    assert explorer.predicted_std == pytest.approx(math.sqrt(1.5), rel=1e-3)  # slider step rounding
    assert explorer.measured_std == pytest.approx(math.sqrt(1.5), rel=0.03)
    assert explorer.saturated < 0.001
    explorer.buttons.children[0].click()  # "weight std = 1"
    assert explorer.weight_std.value == 1.0 and explorer.predicted_std == pytest.approx(math.sqrt(501))
    explorer.fraction_on.value = 0.0
    assert explorer.n_on == 0 and explorer.predicted_std == pytest.approx(1.0)
    assert "WeightedSumExplorer(n_on=0" in explorer._repr_mimebundle_()["text/plain"]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(n_inputs=0), ValueError, r"n_inputs must be an integer >= 1, got 0"),
        (dict(fraction_on=1.5), ValueError, r"fraction_on must be <= 1.0, got 1.5"),
        (dict(weight_std=-1), ValueError, r"weight_std must be >= 0.001, got -1.0"),
        (dict(bias_std=float("nan")), ValueError, r"bias_std must be a finite number"),
    ],
)
def test_weighted_sum_explorer_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        widgets.weighted_sum_explorer(**kwargs)


def test_two_threads_never_update_one_explorer_at_once():
    # ipykernel 7 may deliver two widget messages on two threads; matplotlib cannot draw one
    # figure from both (half-drawn images, FreeType "raster overflow"): the second update waits
    import threading
    import time

    explorer = widgets.signal_explorer(depth=2, width=20, n_samples=64)
    inside, overlaps, original = [], [], explorer.update

    def update():
        inside.append(threading.get_ident())
        if len(inside) > 1:
            overlaps.append(list(inside))
        time.sleep(0.05)
        original()
        inside.remove(threading.get_ident())

    explorer.update = update
    before = explorer.updates
    threads = [threading.Thread(target=explorer.refresh) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == [] and explorer.updates == before + 4 and explorer.last_error is None


def test_the_layer_axis_holds_the_depth_and_changes_rarely_during_a_depth_drag():
    from initlab.widgets.signal import axis_end

    assert [axis_end(None, depth) for depth in (1, 10, 11, 30, 31, 50)] == [1, 10, 15, 30, 35, 50]
    ends, end = [], None
    for depth in list(range(25, 41)) + list(range(40, 24, -1)):  # a drag up and back down
        end = axis_end(end, depth)
        assert depth <= end < depth + 10
        ends.append(end)
    assert sum(a != b for a, b in zip(ends, ends[1:])) == 4  # the whole figure redrawn 4 times in 32 steps
    explorer = widgets.signal_explorer(depth=30, width=20, n_samples=64)
    explorer.depth.value = 31
    assert explorer.ax_std.get_xlim() == (0.5, 35.5)
    explorer.depth.value = 29
    assert explorer.ax_std.get_xlim() == (0.5, 35.5)


def test_layer_labels_are_drawn_when_the_layers_change_not_at_every_update():
    moved = widgets.signal_explorer(depth=10, width=50, n_samples=64)
    drawn = []
    for label in moved.ridges_h.labels + moved.ridges_g.labels:
        label.draw = lambda renderer, label=label, draw=label.draw: (
            label.get_visible() and drawn.append(label.get_text()), draw(renderer))
    moved.scale.value = 1.2  # the same layers: the labels are in the background already
    assert drawn == []
    moved.depth.value = 12  # layers 1, 4, 8, 12: drawn once each, in both stacks
    assert sorted(drawn) == sorted(["layer 1", "layer 4", "layer 8", "layer 12"] * 2)
    fresh = widgets.signal_explorer(depth=12, width=50, scale=1.2, n_samples=64)
    assert moved.png == fresh.png  # the same pixels as a figure drawn from scratch


@pytest.mark.parametrize("n_samples, parts", [(128, 2), (64, 1)])  # rows split, or one part with split products
def test_a_new_pass_refills_the_arrays_of_the_one_it_replaces_and_leaves_results_alone(n_samples, parts):
    explorer = widgets.signal_explorer(depth=6, width=100, activation="tanh", n_samples=n_samples)
    forward = [h for part in explorer.network._forward["parts"] for h, _, _ in part]
    backward = [dz for part in explorer.network._backward["parts"] for dz in part.values()]
    first = explorer.result
    kept = {layer: h.copy() for layer, h in first.activations.items()}, \
        {layer: dz.copy() for layer, dz in first.gradients.items()}
    explorer.scale.value = 1.7  # tanh: a new pass, into the same arrays (no new memory to fault in)
    refilled = ([h for part in explorer.network._forward["parts"] for h, _, _ in part],
                [dz for part in explorer.network._backward["parts"] for dz in part.values()])
    assert len(forward) == len(refilled[0]) == 6 * parts and len(backward) == len(refilled[1]) == 4 * parts
    assert all(a is b for a, b in zip(forward + backward, refilled[0] + refilled[1]))
    fresh = widgets.signal_explorer(depth=6, width=100, activation="tanh", scale=1.7, n_samples=n_samples).result
    for name in ("mean", "std", "std_over_inputs", "saturated", "grad_std"):
        np.testing.assert_array_equal(getattr(explorer.result, name), getattr(fresh, name), err_msg=name)
    for layer in fresh.activations:
        np.testing.assert_array_equal(explorer.result.activations[layer], fresh.activations[layer])
        np.testing.assert_array_equal(explorer.result.gradients[layer], fresh.gradients[layer])
    for layer in kept[0]:  # what the first update returned is as it was
        np.testing.assert_array_equal(first.activations[layer], kept[0][layer])
        np.testing.assert_array_equal(first.gradients[layer], kept[1][layer])


def test_a_new_range_of_the_std_axis_redraws_its_axes_not_the_whole_figure():
    explorer = widgets.signal_explorer(depth=10, width=50, init="normal", scale=0.01, n_samples=64)
    frame_texts = [explorer.title, explorer.ridges_h.ax.title, *explorer.ax_std.get_legend().get_texts()]
    drawn = []
    for text in frame_texts:
        text.draw = lambda renderer, text=text, draw=text.draw: (drawn.append(text.get_text()), draw(renderer))
    limits = explorer.ax_std.get_ylim()
    explorer.scale.value = 0.3  # the signal no longer collapses: the std axis takes another range
    assert explorer.ax_std.get_ylim() != limits
    assert drawn == []  # titles and legend stay in the kept frame
    explorer.activation.value = "relu"  # a new heading: the whole figure is drawn again
    assert "tanh" not in explorer.title.get_text() and explorer.title.get_text() in drawn


def test_a_new_range_of_the_std_draws_its_axis_alone_and_new_layers_both():
    explorer = widgets.signal_explorer(depth=10, width=50, init="normal", scale=0.01, n_samples=64)
    drawn = []
    for axis in (explorer.ax_std.xaxis, explorer.ax_std.yaxis):
        axis.draw = lambda renderer, axis=axis, draw=axis.draw: (drawn.append(axis.axis_name), draw(renderer))
    for label in explorer.ridges_h.labels:
        label.draw = lambda renderer, label=label, draw=label.draw: (
            label.get_visible() and drawn.append(label.get_text()), draw(renderer))
    layers = explorer.ax_std.get_xlim()
    explorer.scale.value = 0.3  # the std takes another range: its axis alone (the layer labels are copied)
    assert explorer.ax_std.get_xlim() == layers and drawn == ["y"]
    explorer.depth.value = 40  # more layers: the layer axis, the std's over it (a full drawing's order), the labels
    assert explorer.ax_std.get_xlim() != layers
    assert drawn == ["y", "x", "y", "layer 1", "layer 13", "layer 27", "layer 40"]
    fresh = widgets.signal_explorer(depth=40, width=50, init="normal", scale=0.3, n_samples=64)
    assert fresh.ax_std.get_xlim() == explorer.ax_std.get_xlim()
    assert fresh.ax_std.get_ylim() == explorer.ax_std.get_ylim()
    assert explorer.png == fresh.png  # the same pixels as a figure drawn from scratch


@pytest.mark.parametrize("present", [False, True])
def test_the_blitted_figure_is_the_full_drawing(present):
    explorer = widgets.signal_explorer(depth=10, width=50, init="normal", scale=0.01, n_samples=64, present=present)
    explorer.scale.value = 0.05
    explorer.depth.value = 23
    canvas = explorer._painter.canvas
    blitted = np.asarray(canvas.buffer_rgba()).copy()
    canvas.draw()
    rows, columns = np.nonzero(np.any(blitted != np.asarray(canvas.buffer_rgba()), axis=2))
    # the std plot, its title, legend and labels pixel for pixel (the prediction bands drawn over the
    # measured points made 1,039 pixels differ, the points under its frame ~1,000 in presentation mode);
    # the histograms only where their bars meet their axes' edges (blitted over them, not under)
    ridges_left = explorer.ridges_h.ax.get_window_extent().x0
    assert columns.size < 400 and np.all(columns >= math.floor(ridges_left) - 1), (columns.size, columns.min())
