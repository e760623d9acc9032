"""Notebook 07's figures draw what the theory and the measurements say."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from initlab import correlation, meanfield, phase_plots, trainability


def test_phase_diagram_draws_the_critical_line_and_labels_chi():
    fig = phase_plots.phase_diagram({"gain 5/3": (25 / 9, 0.0), "0.01 start": (0.05, 0.0, (10, 20))})
    ax = fig.axes[0]
    line = next(l for l in ax.get_lines() if l.get_label().startswith("χ₁ = 1"))
    w2, b2 = meanfield.critical_line()
    np.testing.assert_array_equal(line.get_xdata(), w2)
    np.testing.assert_array_equal(line.get_ydata(), b2)
    texts = [t.get_text() for t in ax.texts]
    assert "gain 5/3\nχ₁ = 1.21" in texts and "0.01 start\nχ₁ = 0.05" in texts
    assert ax.get_xscale() == "log" and ax.get_xlim() == (0.01, 1000.0)
    plt.close(fig)


def test_correlation_curves_show_measured_points_and_prediction():
    run = correlation.correlation_experiment(1.5, 0.3, depth=4, width=50, rng=0)
    fig = phase_plots.correlation_curves({"a": run}, distance=True)
    ax_c, ax_g = fig.axes
    points = ax_c.get_lines()[0]
    np.testing.assert_allclose(points.get_ydata(), run.distance)
    np.testing.assert_allclose(ax_c.get_lines()[1].get_ydata(), run.prediction.distance)
    assert ax_c.get_yscale() == "log" and ax_g.get_yscale() == "log"
    plt.close(fig)
    with pytest.raises(TypeError, match="results must be a non-empty dict"):
        phase_plots.correlation_curves({})


def test_trainability_map_draws_six_depth_scales():
    grid = trainability.load_grid()
    fig = phase_plots.trainability_map(grid)
    ax = fig.axes[0]
    six, one = ax.get_lines()[:2]
    x = six.get_xdata()
    xi_c = meanfield.depth_scales(np.sqrt(x[::30]), math.sqrt(0.05))[0]
    np.testing.assert_allclose(six.get_ydata()[::30], 6 * xi_c)
    np.testing.assert_allclose(one.get_ydata()[::30], xi_c)
    mesh = ax.collections[0]
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(8, 11), 100 * grid.accuracy)
    plt.close(fig)
