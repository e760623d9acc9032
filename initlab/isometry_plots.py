"""The figures of notebook 08: Haar's marginal, Jacobian spectra, and how long deep linear networks take to learn.

Each function returns a ``matplotlib.figure.Figure`` (end the cell with
``plt.show()``), in the course's look and presentation mode (``initlab.style``).
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from . import isometry as _isometry
from .checks import ArgumentError, ArgumentTypeError, check_array, check_dict, check_int
from .deep_linear import LearningRun
from .jacobian import JacobianSpectra, tolerance
from .style import COLORS, figsize as _figsize

__all__ = ["haar_entries", "sorted_spectra", "learning_times"]


def _titled(fig, title):
    """``fig`` with ``title`` over all its panels (none if ``title`` is None)."""
    if title:
        fig.suptitle(title)
    return fig


def haar_entries(samples, n, title=None):
    """Histograms of one entry of many orthogonal draws, over the Haar density c_n (1 - u^2)^((n - 3) / 2).

    Parameters
    ----------
    samples : dict {label: 1-D array}
        E.g. entry (0, 0) of initlab's draws and of a QR without the sign correction.
    n : int
        The longer side of the matrices (a column is a unit vector in R^n).
    """
    samples = {label: check_array(f"samples[{label!r}]", values, ndim=1)
               for label, values in check_dict("samples", samples, what="1-D array of entries").items()}
    outside = [label for label, values in samples.items() if np.abs(values).max() > 1]
    if outside:
        raise ArgumentError(f"samples[{outside[0]!r}] has values outside [-1, 1]; an entry of an orthogonal "
                            "matrix lies in [-1, 1]")
    n = check_int("n", n, minimum=2)
    fig, axes = plt.subplots(1, len(samples), figsize=_figsize(6 * len(samples), 4.6), layout="constrained",
                             sharey=True, squeeze=False)
    grid = np.linspace(-1, 1, 401)
    for k, (ax, (label, values)) in enumerate(zip(axes[0], samples.items())):
        ax.hist(values, bins=40, range=(-1, 1), density=True, color=COLORS[(2 * k) % len(COLORS)],
                alpha=0.8, label=f"{len(values):,} draws")
        ax.plot(grid, _isometry.haar_entry_pdf(grid, n), color="black", linewidth=2, label="Haar density")
        ax.set_title(label)
        ax.set_xlabel("entry (0, 0)")
        ax.legend(loc="upper right", fontsize=11)
    axes[0][0].set_ylabel("density")
    return _titled(fig, title)


def sorted_spectra(panels, title=None):
    """The singular values of J, largest first, one line per depth, on a log axis; one panel per network.

    Parameters
    ----------
    panels : dict {title: JacobianSpectra}

    Singular values that float64 cannot tell from 0 (below ``jacobian.tolerance``)
    are left out; the legend says what share of them that is.  The x axis is the
    rank of each singular value divided by the width: the share of directions.
    """
    panels = check_dict("panels", panels, JacobianSpectra, "JacobianSpectra (jacobian.jacobian_spectra)")
    columns = min(len(panels), 2)
    rows = math.ceil(len(panels) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=_figsize(6.5 * columns, 4.8 * rows), layout="constrained",
                             sharex=True, sharey=True, squeeze=False)
    lowest = 1.0
    for index, (ax, (label, spectra)) in enumerate(zip(axes.flat, panels.items())):
        for k, depth in enumerate(spectra.depths):
            values = spectra.singular_values[depth]
            resolved = values > tolerance(values, (spectra.width, spectra.width))
            share = np.arange(1, values.size + 1) / values.size
            lost = 1 - resolved.mean()
            name = f"depth {depth}" + (f" ({lost:.0%} are 0 to float64)" if lost > 0 else "")
            ax.plot(share[resolved], values[resolved], "-", color=COLORS[k % len(COLORS)], label=name)
            lowest = min(lowest, float(values[resolved].min(initial=lowest)))
        ax.axhline(1.0, color="black", linewidth=1, linestyle=":")
        ax.set_yscale("log")
        ax.set_xlim(0, 1)
        ax.set_title(label)
        # under the panel, where it hides no curve
        below = -0.14 if index >= (rows - 1) * columns else -0.03  # the last row has x labels to clear
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, below), ncols=2, fontsize=10, frameon=False)
    for ax in axes[-1]:
        ax.set_xlabel("share of directions (largest first)")
    for ax in axes[:, 0]:
        ax.set_ylabel("singular value of J")
    axes[0][0].set_ylim(max(lowest / 3, 1e-18), None)
    return _titled(fig, title)


def learning_times(times, title=None):
    """Epochs to the goal against depth, one colour per start; each seed a dot, the median a line.

    Parameters
    ----------
    times : dict {start: [LearningRun per depth]}, as ``deep_linear.epochs_to_goal`` returns

    A run that did not reach the goal within its epochs is drawn as a triangle at
    the last epoch it trained, pointing up: it needed more.
    """
    times = check_dict("times", times, (list, tuple), "[LearningRun per depth] (deep_linear.epochs_to_goal)")
    for start, runs in times.items():
        if not runs or not all(isinstance(run, LearningRun) for run in runs):
            raise ArgumentTypeError(f"times[{start!r}] must be a non-empty list of LearningRun, one per depth")
    fig, ax = plt.subplots(figsize=_figsize(8.5, 5), layout="constrained")
    ceiling = 1.0
    for k, (start, runs) in enumerate(times.items()):
        color = COLORS[k % len(COLORS)]
        depths = np.array([run.depth for run in runs])
        caps = np.array([run.errors.shape[1] - 1 for run in runs], dtype=float)
        medians = np.array([run.median_epochs for run in runs])
        shown = np.where(np.isfinite(medians), medians, caps)
        ax.plot(depths, shown, "-", color=color, label=f"{start} start (median of {len(runs[0].epochs)} seeds)")
        for run, cap in zip(runs, caps):
            reached = np.isfinite(run.epochs)
            ax.plot(np.full(reached.sum(), run.depth), run.epochs[reached], "o", color=color, alpha=0.6)
            if (~reached).any():
                ax.plot([run.depth], [cap], "^", color=color, markersize=12)
        ceiling = max(ceiling, float(np.max(shown)))
    ax.plot([], [], "^", color="grey", markersize=12, label="not there within the epochs run")
    ax.set_yscale("log")
    ax.set_ylim(None, ceiling * 2)
    ax.set_xlabel("depth (layers)")
    ax.set_ylabel("epochs to the goal (log scale)")
    ax.set_xticks(sorted({run.depth for runs in times.values() for run in runs}))
    ax.legend(loc="center right")
    ax.set_title(title or "deep linear networks: time to fit the map")
    return fig
