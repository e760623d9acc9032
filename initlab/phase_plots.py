"""The figures of notebook 07: the phase diagram, the correlation and gradient curves, the trainability grid.

Every function returns a ``matplotlib.figure.Figure`` (end the cell with
``plt.show()``), in the course's style (``initlab.style``); the theory drawn comes from
``initlab.meanfield``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from matplotlib.axes import Axes

from . import activations as _activations
from . import meanfield as _meanfield
from .checks import ArgumentError, ArgumentTypeError, check_array, check_bool, check_dict, check_float
from .correlation import CorrelationResult
from .curves import set_log_axis
from .style import COLORS, figsize as _figsize
from .trainability import TrainabilityGrid

__all__ = ["phase_diagram", "draw_phase_diagram", "correlation_curves", "trainability_map", "ORDERED_COLOR",
           "CHAOTIC_COLOR"]

ORDERED_COLOR, CHAOTIC_COLOR = "#DCEAF5", "#FBE3D0"  # pale versions of COLORS[0] and COLORS[3]
SIGMA_W2_RANGE = (0.01, 1000.0)
SIGMA_B2_MAX = 2.25


def _bounded(activation) -> str:
    """The name of ``activation`` if it has a phase diagram: tanh or sigmoid."""
    name = _activations.get(activation).name
    if name not in ("tanh", "sigmoid"):
        raise ArgumentError(f"activation {name!r} has no phase diagram: for an unbounded activation chi_1 does not "
                            "depend on sigma_b, and with a bias q has no fixed point; use 'tanh' or 'sigmoid'")
    return name


def draw_phase_diagram(ax, activation="tanh", levels=(0.1, 0.5, 2.0, 5.0), sigma_w2_range=SIGMA_W2_RANGE,
                       sigma_b2_max=SIGMA_B2_MAX):
    """Draw the ordered and chaotic regions, the chi_1 = 1 line and lines of other chi_1 into ``ax``.

    ``activation`` is tanh or sigmoid; ``levels`` the other chi_1 (> 0) drawn dotted;
    ``sigma_w2_range`` the (low, high) of the log x axis; ``sigma_b2_max`` its top.
    """
    if not isinstance(ax, Axes):
        raise ArgumentTypeError(f"ax must be a matplotlib Axes (fig, ax = plt.subplots()), got {type(ax).__name__}")
    activation = _bounded(activation)
    levels = check_array("levels", levels, ndim=1)
    if np.any(levels <= 0):
        raise ArgumentError(f"levels must be values of chi_1 > 0, got {levels.tolist()}")
    low, high = check_array("sigma_w2_range", sigma_w2_range, shape=(2,))
    if not 0 < low < high:
        raise ArgumentError(f"sigma_w2_range must be (low, high) with 0 < low < high, got {(low, high)}")
    sigma_b2_max = check_float("sigma_b2_max", sigma_b2_max, strictly_positive=True)
    critical_w2, critical_b2 = _meanfield.critical_line(activation)
    heights = np.linspace(0.0, sigma_b2_max, 200)
    edge = np.interp(heights, critical_b2, critical_w2)
    ax.fill_betweenx(heights, low, edge, color=ORDERED_COLOR, linewidth=0)
    ax.fill_betweenx(heights, edge, high, color=CHAOTIC_COLOR, linewidth=0)
    for level in levels:
        w2, b2 = _meanfield.chi_1_line(level, activation)
        ax.plot(w2, b2, ":", color="0.45", linewidth=1.3)
        shown = np.flatnonzero(b2 <= 0.93 * sigma_b2_max)
        if shown.size:
            ax.text(w2[shown[-1]], b2[shown[-1]], f" χ₁={level:g}", color="0.35", fontsize=10, va="bottom",
                    ha="center")
    ax.plot(critical_w2, critical_b2, "-", color="black", linewidth=2.5, label="χ₁ = 1: the edge of chaos")
    ax.text(low * 1.6, sigma_b2_max * 0.9, "ordered\nχ₁ < 1", color=COLORS[0], fontsize=15, fontweight="bold",
            va="top")
    ax.text(high / 1.6, sigma_b2_max * 0.9, "chaotic\nχ₁ > 1", color=COLORS[3], fontsize=15, fontweight="bold",
            va="top", ha="right")
    ax.set_xscale("log")
    ax.set_xlim(low, high)
    ax.set_ylim(0.0, sigma_b2_max)
    ax.set_xlabel("σ_w² = fan_in · Var(W) (log scale)")
    ax.set_ylabel("σ_b² = Var(b)")
    ax.grid(False)


def phase_diagram(points=None, activation="tanh", title=None):
    """The (sigma_w^2, sigma_b^2) plane of ``activation``: ordered, chaotic, and the chi_1 = 1 line.

    Parameters
    ----------
    points : dict {label: (sigma_w2, sigma_b2)} or {label: (sigma_w2, sigma_b2, (dx, dy))}, optional
        Settings to mark, each labelled with its chi_1 (``meanfield.chi_1``); (dx, dy)
        places the label, in points from the marker (default: staggered above it).
    """
    activation = _bounded(activation)
    points = {} if points is None or points == {} else check_dict("points", points, (tuple, list),
                                                                   "(sigma_w2, sigma_b2)")
    marks = {label: _point(label, point, k) for k, (label, point) in enumerate(points.items())}
    fig, ax = plt.subplots(figsize=_figsize(11, 6), layout="constrained")
    draw_phase_diagram(ax, activation)
    for k, (label, (w2, b2, offset)) in enumerate(marks.items()):
        chi = float(_meanfield.chi_1(np.sqrt(w2), np.sqrt(b2), activation))
        ax.plot([w2], [b2], "o", color=COLORS[(k + 1) % len(COLORS)], markersize=11, markeredgecolor="black",
                clip_on=False, zorder=5)
        ax.annotate(f"{label}\nχ₁ = {chi:.3g}", (w2, b2), xytext=offset, textcoords="offset points",
                    fontsize=11, arrowprops={"arrowstyle": "-", "color": "0.4"}, zorder=6)
    ax.legend(loc="center left", frameon=False)
    ax.set_title(title or f"{activation}: order and chaos")
    return fig


def _point(label, point, k) -> tuple:
    """(sigma_w2, sigma_b2, label offset) of one marked setting, inside the diagram."""
    if len(point) not in (2, 3):
        raise ArgumentError(f"points[{label!r}] must be (sigma_w2, sigma_b2) or (sigma_w2, sigma_b2, (dx, dy))")
    w2, b2 = check_array(f"points[{label!r}]", point[:2], shape=(2,))
    if not (SIGMA_W2_RANGE[0] <= w2 <= SIGMA_W2_RANGE[1] and 0 <= b2 <= SIGMA_B2_MAX):
        raise ArgumentError(f"points[{label!r}] = ({w2:g}, {b2:g}) lies outside the diagram: sigma_w2 in "
                            f"[{SIGMA_W2_RANGE[0]:g}, {SIGMA_W2_RANGE[1]:g}], sigma_b2 in [0, {SIGMA_B2_MAX:g}]")
    offset = check_array(f"points[{label!r}] offset", point[2], shape=(2,)) if len(point) == 3 else \
        (8, 12 + 40 * (k % 3))
    return w2, b2, tuple(offset)


def correlation_curves(results, distance=False, title=None):
    """Measured (points) and predicted (lines) correlation and gradient, layer by layer.

    Parameters
    ----------
    results : dict {label: correlation.CorrelationResult}
    distance : bool
        Show 1 - c_l on a log scale instead of c_l (to see how fast it decays).
    """
    results = check_dict("results", results, CorrelationResult, "CorrelationResult (correlation_experiment)")
    distance = check_bool("distance", distance)
    fig, (ax_c, ax_g) = plt.subplots(1, 2, figsize=_figsize(14, 5.4), layout="constrained")
    for k, (label, result) in enumerate(results.items()):
        color = COLORS[k % len(COLORS)]
        layers = result.layers
        measured, predicted = (result.distance, result.prediction.distance) if distance else \
            (result.c, result.prediction.c)
        ax_c.plot(layers, measured, "o", color=color, label=label)
        ax_c.plot(layers, predicted, "-", color=color, linewidth=1.8)
        ax_g.plot(layers, result.grad, "o", color=color, label=label)
        ax_g.plot(layers, result.predicted_grad, "-", color=color, linewidth=1.8)
    ax_c.plot([], [], "-", color="black", linewidth=1.8, label="mean-field prediction")
    if distance:
        set_log_axis(ax_c, *(r.distance for r in results.values()), *(r.prediction.distance for r in results.values()))
    else:
        ax_c.set_ylim(-0.05, 1.05)
    ax_c.set_ylabel("1 - c_l (log scale)" if distance else "c_l")
    ax_c.set_title("how different two inputs still look" if distance else "correlation of two inputs")
    set_log_axis(ax_g, *(r.grad for r in results.values()), *(r.predicted_grad for r in results.values()))
    ax_g.set_ylabel("mean square of dL/dz_l (log scale)")
    ax_g.set_title("the gradient, entering at the last layer")
    for ax in (ax_c, ax_g):
        ax.set_xlabel("layer")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))
    handles, names = ax_c.get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=min(len(names), 4), frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def _edges(centres):
    """Cell edges halfway between the centres (and half a gap beyond the ends)."""
    centres = np.asarray(centres, dtype=np.float64)
    middle = (centres[1:] + centres[:-1]) / 2
    return np.concatenate([[centres[0] - (middle[0] - centres[0])], middle, [centres[-1] + (centres[-1] - middle[-1])]])


def trainability_map(grid, multiple=6.0, title=None):
    """The validation accuracy of the trained grid, with ``multiple`` * xi_c drawn over it.

    Parameters
    ----------
    grid : trainability.TrainabilityGrid
    multiple : float, the depth scales the curve is drawn at (Schoenholz et al.: 6)
    """
    if not isinstance(grid, TrainabilityGrid):
        raise ArgumentTypeError(f"grid must be a TrainabilityGrid (trainability.load_grid()), "
                                f"got {type(grid).__name__}")
    multiple = check_float("multiple", multiple, strictly_positive=True)
    fig, ax = plt.subplots(figsize=_figsize(11, 6.2), layout="constrained")
    image = ax.pcolormesh(_edges(grid.sigma_w2), _edges(grid.depths), 100 * grid.accuracy, cmap="viridis",
                          vmin=0, vmax=100, shading="flat")
    fig.colorbar(image, ax=ax, label=f"validation accuracy after {grid.setup['epochs']} epochs (%)")
    sigma_b2 = float(grid.setup["sigma_b2"])
    fine = np.linspace(grid.sigma_w2.min() - 0.125, grid.sigma_w2.max() + 0.125, 90)
    xi_c = _meanfield.depth_scales(np.sqrt(fine), np.sqrt(sigma_b2), grid.setup["activation"])[0]
    ax.plot(fine, multiple * xi_c, "-", color="white", linewidth=3, label=f"{multiple:g} ξ_c")
    ax.plot(fine, xi_c, "--", color="white", linewidth=2, label="ξ_c")
    ax.set_ylim(0, _edges(grid.depths)[-1])
    ax.set_xlim(fine[0], fine[-1])
    ax.set_xlabel("σ_w²")
    ax.set_ylabel("depth (hidden layers)")
    ax.legend(loc="upper right", facecolor="0.3", labelcolor="white", framealpha=0.8)
    ax.grid(False)
    ax.set_title(title or f"tanh networks of width {grid.setup['width']} on the MNIST sample, σ_b² = {sigma_b2:g}")
    return fig
