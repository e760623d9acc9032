"""Figures of lesson 09: a quantity per block or layer for several starts, and the loss of every training step.

Both functions return a ``matplotlib.figure.Figure`` in the course's look
(``initlab.style``); end the cell with ``plt.show()``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .checks import ArgumentTypeError, check_int
from .style import COLORS, figsize as _figsize

__all__ = ["per_block", "loss_per_step"]


def _series(name, series) -> dict:
    if not isinstance(series, dict) or not series:
        raise ArgumentTypeError(f"{name} must be a non-empty dict {{label: values}}, got {type(series).__name__}")
    return {label: np.asarray(values, dtype=np.float64) for label, values in series.items()}


def per_block(panels, predictions=None, title=None, xlabel="block l", log=True, colors=None):
    """One panel per quantity, one line per start: ``panels = {ylabel: {label: values}}``.

    ``predictions`` (optional) has the same shape; each prediction is drawn as a
    dashed black line.  Values are plotted against their index 0, 1, 2, ...; the
    y axes are logarithmic unless ``log=False``.  ``colors`` ({label: colour})
    keeps a start's colour from one figure to the next.  Each line is thinner
    than the one before, so that curves that coincide stay visible.
    """
    if not isinstance(panels, dict) or not panels:
        raise ArgumentTypeError("panels must be a non-empty dict {ylabel: {label: values}}")
    fig, axes = plt.subplots(1, len(panels), figsize=_figsize(6.5 * len(panels), 5), layout="constrained",
                             squeeze=False)
    for ax, (ylabel, series) in zip(axes[0], panels.items()):
        series = _series(ylabel, series)
        for k, (label, values) in enumerate(series.items()):
            color = (colors or {}).get(label, COLORS[k % len(COLORS)])
            ax.plot(np.arange(len(values)), values, "-", color=color, label=label,
                    linewidth=2.0 + 1.2 * (len(series) - 1 - k))
        predicted = _series("predictions", predictions[ylabel]) if predictions and ylabel in predictions else {}
        for k, values in enumerate(predicted.values()):
            ax.plot(np.arange(len(values)), values, "--", color="black", linewidth=1.2,
                    label="prediction" if k == 0 else None)
        if log:
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=min(len(names), 6), frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def loss_per_step(curves, title=None, smooth=1, log=True, ymax=None, ax=None):
    """The training loss of every step for several runs; ``smooth`` > 1 averages over that many steps.

    A run that diverged (shorter, or ending in a non-finite loss) is drawn up to
    its last finite loss and marked with a cross; ``ymax`` caps the axis, and a
    cross beyond it sits at the top edge.
    """
    curves = _series("curves", curves)
    smooth = check_int("smooth", smooth, minimum=1)
    if ax is None:
        fig, ax = plt.subplots(figsize=_figsize(9, 5), layout="constrained")
    else:
        fig = ax.figure
    longest = max(len(values) for values in curves.values())
    lowest = np.inf
    for k, (label, values) in enumerate(curves.items()):
        color = COLORS[k % len(COLORS)]
        finite = values[: np.argmin(np.isfinite(values))] if not np.isfinite(values).all() else values
        if smooth > 1 and len(finite) >= smooth:
            shown = np.convolve(finite, np.ones(smooth) / smooth, mode="valid")
            steps = np.arange(len(shown)) + (smooth + 1) / 2
        else:
            shown, steps = finite, np.arange(1, len(finite) + 1)
        ax.plot(steps, shown, "-", color=color, label=label)
        lowest = min(lowest, shown.min(initial=np.inf))
        if len(finite) < longest:
            last = finite[-1] if len(finite) else 1.0
            ax.plot([len(finite)], [last if ymax is None else min(last, ymax)], "x", color=color, markersize=14,
                    markeredgewidth=3, clip_on=False)
    if log:
        ax.set_yscale("log")
    if ymax is not None:  # the data beyond ymax would stretch the axis: fix both ends
        ax.set_ylim(lowest / 1.5 if log and np.isfinite(lowest) and lowest > 0 else None, ymax)
    ax.set_xlabel("training step" + (f" (mean over {smooth} steps)" if smooth > 1 else ""))
    ax.set_ylabel("loss of the mini-batch")
    ax.legend(loc="upper right")
    ax.set_title(title or "loss per step")
    return fig
