"""The course figures: they draw what they say, and never NaN."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from initlab import initializers, plots, propagate
from initlab.style import figsize


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_layer_stats_draws_measured_and_predicted():
    runs = {"small": propagate(initializers.normal(0.01), "tanh", depth=5, width=100, n_samples=100, rng=0),
            "scaled": propagate("lecun_normal", "tanh", depth=5, width=100, n_samples=100, rng=0)}
    fig = plots.layer_stats(runs, title="tanh")
    ax_mean, ax_std = fig.axes
    assert ax_std.get_yscale() == "log"  # 0.2 down to 1e-4 spans decades
    lines = ax_std.get_lines()
    assert len(lines) == 4  # two measured, two predicted
    np.testing.assert_allclose(lines[0].get_ydata(), runs["small"].std)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["small", "mean-field prediction", "scaled"]
    assert fig.get_suptitle() == "tanh"
    # one run alone is labelled with its initializer
    fig = plots.layer_stats(runs["small"])
    assert fig.legends[0].get_texts()[0].get_text() == "normal(std=0.01)"


def test_layer_stats_marks_explosion_without_nan():
    run = propagate(initializers.normal(1e7), "relu", depth=50, width=100, n_samples=10, rng=0)
    fig = plots.layer_stats(run)
    for ax in fig.axes:
        for line in ax.get_lines():
            assert np.all(np.isfinite(line.get_ydata()))
    texts = [t.get_text() for t in fig.axes[1].texts]
    assert f"exploded at layer {run.exploded_at}" in texts


def test_histogram_strip_one_panel_per_layer():
    run = propagate("lecun_normal", "tanh", depth=12, width=50, n_samples=40, rng=0)
    fig = plots.histogram_strip(run, "activations")
    assert len(fig.axes) == 10  # at most ten, evenly spaced, in two rows of five
    fig = plots.histogram_strip(run, "gradients", layers=[1, 12])
    assert [ax.get_title().split(":")[0] for ax in fig.axes if ax.get_visible()] == ["layer 1", "layer 12"]
    with pytest.raises(ValueError, match="kind must be one of"):
        plots.histogram_strip(run, "weights")


def test_weighted_sum_histogram_and_learning_curves():
    z = np.random.default_rng(0).normal(0, 22.4, 5000)
    fig = plots.weighted_sum_histogram(z, 22.38)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "predicted N(0, 22.4²)" in legend and "sigmoid saturated (|z| > 4.6)" in legend
    fig = plots.learning_curves({"new": [0.8, 0.9]}, reference={"published": ([1, 2], [0.92, 0.94])})
    assert len(fig.axes[0].get_lines()) == 2
    with pytest.raises(ValueError, match="predicted_std must be > 0"):
        plots.weighted_sum_histogram(z, 0.0)


def test_presentation_mode_enlarges_text_in_figures_of_the_same_pixels():
    plots.present()
    try:
        assert plots.is_presenting()
        fig, _ = plt.subplots(figsize=figsize(13, 5.4))
        # 1300 x 540 pixels as in normal mode, and 14 pt fonts drawn 20/14 as big
        assert fig.get_size_inches() * fig.dpi == pytest.approx([1300, 540])
        assert plt.rcParams["font.size"] * fig.dpi / 72 == pytest.approx(20 * 100 / 72)
        plt.close(fig)
    finally:
        plots.present(False)
    assert plt.rcParams["font.size"] == 14 and plt.rcParams["figure.dpi"] == 100
    with pytest.raises(TypeError, match="on must be True or False"):
        plots.present("yes")


def test_layer_stats_can_show_the_spread_over_inputs():
    run = propagate(initializers.normal(0.01), "sigmoid", depth=4, width=100, n_samples=50, rng=0)
    fig = plots.layer_stats(run, spread="std_over_inputs")
    np.testing.assert_allclose(fig.axes[1].get_lines()[0].get_ydata(), run.std_over_inputs)
    assert fig.axes[1].get_title().startswith("std of each unit over the inputs")
    with pytest.raises(ValueError, match="spread must be one of"):
        plots.layer_stats(run, spread="variance")


def test_weight_histograms_label_each_std():
    fig = plots.weight_histograms({"a": np.full((3, 3), 1.0), "b": np.arange(9.0)})
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["a (std 0)", "b (std 2.58)"]
    with pytest.raises(TypeError, match="matrices must be a non-empty dict"):
        plots.weight_histograms([])


def test_digits_shows_each_label():
    images = np.zeros((12, 784))
    fig = plots.digits(images, np.arange(12) % 10, n=12)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == [str(k % 10) for k in range(12)]
    with pytest.raises(ValueError, match="784 pixels per row"):
        plots.digits(np.zeros((3, 10)), [0, 1, 2])


def test_gradient_stats_draws_measured_and_predicted_on_a_log_axis():
    runs = {"large": propagate(initializers.normal(1.0), "tanh", depth=6, width=200, n_samples=100, rng=0),
            "scaled": propagate("lecun_normal", "tanh", depth=6, width=200, n_samples=100, rng=0)}
    fig = plots.gradient_stats(runs)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    lines = ax.get_lines()
    np.testing.assert_allclose(lines[0].get_ydata(), runs["large"].grad_std)
    np.testing.assert_allclose(lines[1].get_ydata(), runs["large"].prediction.grad_std)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["large", "mean-field prediction", "scaled"]


def _linear_rgb(colour):
    """sRGB '#rrggbb' to linear RGB (IEC 61966-2-1), as WCAG's relative luminance uses it."""
    srgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _contrast_on_white(colour):
    """WCAG 2 contrast ratio (L_white + 0.05) / (L + 0.05), L the relative luminance."""
    return 1.05 / (_linear_rgb(colour) @ [0.2126, 0.7152, 0.0722] + 0.05)


def test_every_course_colour_has_3_to_1_contrast_on_white():
    # WCAG 2.1 (1.4.11) asks 3:1 for graphics; Okabe & Ito's yellow #F0E442 has 1.3:1
    ratios = {colour: _contrast_on_white(colour) for colour in plots.COLORS}
    assert min(ratios.values()) >= 3.0, ratios
    assert round(_contrast_on_white("#F0E442"), 2) == 1.32 and round(_contrast_on_white("#000000"), 1) == 21.0


# Machado, Oliveira & Fernandes (2009), severity 1: linear RGB as a dichromat sees it
DICHROMACY = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def _lab(linear_rgb):
    """CIELAB (D65) of a linear RGB colour."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ \
        np.clip(linear_rgb, 0, 1) / [0.95047, 1.0, 1.08883]
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", ["normal", *DICHROMACY])
def test_the_course_colours_stay_apart_for_colour_blind_readers(vision):
    # Okabe & Ito's palette keeps every pair at least 16 apart (CIE76) under these simulations: as far as ours
    seen = np.eye(3) if vision == "normal" else np.array(DICHROMACY[vision])
    labs = [_lab(seen @ _linear_rgb(colour)) for colour in plots.COLORS]
    closest = min(np.linalg.norm(a - b) for i, a in enumerate(labs) for b in labs[i + 1:])
    assert closest >= 16.0, f"two colours are {closest:.1f} apart for {vision} vision"
