"""Curves of several runs over epochs, blocks or steps: accuracy per epoch, a quantity per block, loss per step.

Each function returns a ``matplotlib.figure.Figure`` in the course's look
(``initlab.style``); end the cell with ``plt.show()``.  A run that diverged (its
values end in NaN or inf) is drawn up to its last finite value; ``finite_prefix``
and ``log_limits`` are the helpers that keep every figure of the course free of NaN.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import is_color_like

from .checks import ArgumentError, ArgumentTypeError, check_array, check_bool, check_dict, check_float, check_int
from .style import COLORS, figsize as _figsize

__all__ = ["learning_curves", "per_block", "loss_per_step", "finite_prefix", "log_limits", "set_log_axis",
           "figure_and_axes"]

#: Highest value a logarithmic axis shows: matplotlib's log ticks overflow near 1e300.
LOG_CEILING = 1e200


def finite_prefix(values, name="values") -> np.ndarray:
    """``values`` (1-D, real) up to, not including, the first NaN or inf: a diverged run's curve so far."""
    raw = np.asarray(values) if not isinstance(values, (str, bytes)) else np.asarray(None)
    if raw.dtype.kind not in "biuf" or raw.ndim != 1:
        raise ArgumentTypeError(f"{name} must be a 1-D sequence of real numbers, got {type(values).__name__}"
                                f" {f'of shape {raw.shape}' if raw.dtype.kind in 'biufc' else ''}".rstrip())
    raw = raw.astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(raw))
    return raw if bad.size == 0 else raw[: bad[0]]


def log_limits(*arrays) -> tuple | None:
    """(bottom, top) of a log axis showing every positive finite value (top at most 1e200); None if none is > 0."""
    values = np.concatenate([finite_prefix(np.ravel(a)) for a in arrays])
    values = values[values > 0]
    return (max(values.min() / 3, 1e-300), min(values.max(), LOG_CEILING / 3) * 3) if values.size else None


def figure_and_axes(ax, width, height, **options):
    """(figure, axes): ``ax`` and its figure, or a new figure of ``width`` x ``height`` inches when ``ax`` is None."""
    if ax is None:
        return plt.subplots(figsize=_figsize(width, height), **options)
    if not isinstance(ax, Axes):
        raise ArgumentTypeError(f"ax must be None or a matplotlib Axes (fig, ax = plt.subplots()), "
                                f"got {type(ax).__name__}")
    return ax.figure, ax


def _series(name, series, what="values") -> dict:
    """{label: 1-D float array} with at least one finite value at the start of each."""
    series = check_dict(name, series, what=what)
    checked = {label: finite_prefix(values, f"{name}[{label!r}]") for label, values in series.items()}
    empty = [label for label, values in checked.items() if not len(values)]
    if empty:
        raise ArgumentError(f"{name}[{empty[0]!r}] has no finite value to draw (it is empty or starts with NaN/inf)")
    return {label: np.asarray(series[label], dtype=np.float64) for label in series}


def set_log_axis(ax, *arrays) -> bool:
    """Make ``ax``'s y axis logarithmic if any value is > 0 (then True).

    Limits are set explicitly beyond 1e100, where matplotlib's own (the data and a
    margin) would overflow.
    """
    limits = log_limits(*arrays)
    if limits is not None and (limits[1] > 1e100 or limits[0] < 1e-100):
        ax.set_ylim(*limits)  # before the scale changes, which would compute matplotlib's own
    if limits is not None:
        ax.set_yscale("log")
    return limits is not None


def _reference(reference) -> dict:
    """{label: (epochs, accuracies)}, two finite 1-D arrays of one length each."""
    checked = {}
    for label, pair in ({} if reference is None else
                        check_dict("reference", reference, (tuple, list), "(epochs, accuracies)")).items():
        if len(pair) != 2 or np.shape(pair[0]) != np.shape(pair[1]):
            raise ArgumentError(f"reference[{label!r}] must be (epochs, accuracies), two sequences of one length")
        checked[label] = tuple(check_array(f"reference[{label!r}]", values, ndim=1) for values in pair)
    return checked


def learning_curves(curves, reference=None, title=None, ylabel="validation accuracy (%)", ax=None):
    """Accuracy per epoch for several runs, optionally with published reference points.

    Parameters
    ----------
    curves : dict {label: sequence of accuracies (fractions 0..1)}, one value per epoch
    reference : dict {label: (epochs, accuracies)}, optional
        Published figures, drawn as hollow markers with dotted lines.
    """
    curves = _series("curves", curves, "accuracies per epoch")
    reference = _reference(reference)
    for name, values in [*((f"curves[{label!r}]", values) for label, values in curves.items()),
                         *((f"reference[{label!r}]", pair[1]) for label, pair in reference.items())]:
        shown = finite_prefix(values)
        if np.any((shown < 0) | (shown > 1)):
            raise ArgumentError(f"{name} must hold accuracies as fractions in [0, 1] (0.9, not 90), "
                                f"got values from {shown.min():g} to {shown.max():g}")
    fig, ax = figure_and_axes(ax, 8, 5)
    for k, (label, values) in enumerate(curves.items()):
        values = finite_prefix(values)
        ax.plot(np.arange(1, len(values) + 1), 100 * values, "o-", color=COLORS[k % len(COLORS)], label=label)
    for k, (label, (epochs, values)) in enumerate(reference.items()):
        ax.plot(epochs, 100 * values, "s:", color=COLORS[k % len(COLORS)], markerfacecolor="white",
                markeredgewidth=2, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower right")
    ax.set_title(title or "learning curves")
    fig.tight_layout()
    return fig


def per_block(panels, predictions=None, title=None, xlabel="block l", log=True, colors=None):
    """One panel per quantity, one line per start: ``panels = {ylabel: {label: values}}``.

    ``predictions`` (optional) has the same shape; each prediction is drawn as a
    dashed black line.  Values are plotted against their index 0, 1, 2, ... (up to
    a first NaN or inf); the y axes are logarithmic unless ``log=False``.
    ``colors`` ({label: colour}) keeps a start's colour from one figure to the next.
    Each line is thinner than the one before, so that curves that coincide stay visible.
    """
    panels = {ylabel: _series(f"panels[{ylabel!r}]", series) for ylabel, series in
              check_dict("panels", panels, dict, "{label: values}").items()}
    predictions = {} if predictions is None else {
        ylabel: _series(f"predictions[{ylabel!r}]", series)
        for ylabel, series in check_dict("predictions", predictions, dict, "{label: values}").items()}
    unknown = sorted(set(predictions) - set(panels), key=str)
    if unknown:
        raise ArgumentError(f"predictions has panels {unknown} that panels does not have ({list(panels)})")
    log = check_bool("log", log)
    flat = [ylabel for ylabel, series in panels.items()
            if log and log_limits(*series.values(), *predictions.get(ylabel, {}).values()) is None]
    if flat:
        raise ArgumentError(f"panels[{flat[0]!r}] has no value > 0 for a log axis; pass log=False")
    colors = {} if colors is None else check_dict("colors", colors, str, "colour name or '#rrggbb'")
    wrong = [label for label, colour in colors.items() if not is_color_like(colour)]
    if wrong:
        raise ArgumentError(f"colors[{wrong[0]!r}] = {colors[wrong[0]]!r} is not a matplotlib colour")
    fig, axes = plt.subplots(1, len(panels), figsize=_figsize(6.5 * len(panels), 5), layout="constrained",
                             squeeze=False)
    for ax, (ylabel, series) in zip(axes[0], panels.items()):
        for k, (label, values) in enumerate(series.items()):
            values = finite_prefix(values)
            ax.plot(np.arange(len(values)), values, "-", color=colors.get(label, COLORS[k % len(COLORS)]),
                    label=label, linewidth=2.0 + 1.2 * (len(series) - 1 - k))
        for k, values in enumerate(predictions.get(ylabel, {}).values()):
            values = finite_prefix(values)
            ax.plot(np.arange(len(values)), values, "--", color="black", linewidth=1.2,
                    label="prediction" if k == 0 else None)
        if log:
            set_log_axis(ax, *series.values(), *predictions.get(ylabel, {}).values())
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
    cross beyond it sits at the top edge.  A loss is >= 0.
    """
    curves = check_dict("curves", curves, what="losses per step")
    finite = {label: finite_prefix(values, f"curves[{label!r}]") for label, values in curves.items()}
    for label, values in finite.items():
        if not np.size(curves[label]) or np.any(values < 0):
            raise ArgumentError(f"curves[{label!r}] must hold losses >= 0, one per step, got "
                                f"{'none' if not np.size(curves[label]) else f'{values.min():g}'}")
    smooth = check_int("smooth", smooth, minimum=1)
    log = check_bool("log", log)
    ymax = None if ymax is None else check_float("ymax", ymax, strictly_positive=True)
    fig, ax = figure_and_axes(ax, 9, 5, layout="constrained")
    longest = max(np.size(values) for values in curves.values())
    lowest, shown_all = np.inf, []
    for k, (label, values) in enumerate(finite.items()):
        color = COLORS[k % len(COLORS)]
        if smooth > 1 and len(values) >= smooth:
            shown = np.convolve(values, np.ones(smooth) / smooth, mode="valid")
            steps = np.arange(len(shown)) + (smooth + 1) / 2
        else:
            shown, steps = values, np.arange(1, len(values) + 1)
        ax.plot(steps, shown, "-", color=color, label=label)
        shown_all.append(shown)
        lowest = min(lowest, shown[shown > 0].min(initial=np.inf))
        if len(values) < longest:
            last = values[-1] if len(values) else 1.0
            ax.plot([len(values)], [last if ymax is None else min(last, ymax)], "x", color=color, markersize=14,
                    markeredgewidth=3, clip_on=False)
    if log:  # all-zero losses (or none at all) stay on a linear axis
        set_log_axis(ax, *shown_all)
    if ymax is not None:  # the data beyond ymax would stretch the axis: fix both ends
        ax.set_ylim(lowest / 1.5 if log and np.isfinite(lowest) and lowest < ymax else None, ymax)
    ax.set_xlabel("training step" + (f" (mean over {smooth} steps)" if smooth > 1 else ""))
    ax.set_ylabel("loss of the mini-batch")
    ax.legend(loc="upper right")
    ax.set_title(title or "loss per step")
    return fig
