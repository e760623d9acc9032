"""The course's standard figures, readable from the back of a room.

Every function returns a ``matplotlib.figure.Figure``; in a notebook end the cell with
``plt.show()``.  Their look (large labels, ``style.COLORS``) and presentation mode come
from ``initlab.style``; a figure given data it cannot draw refuses before drawing.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .checks import (ArgumentError, ArgumentTypeError, check_array, check_bool, check_choice, check_dict,
                     check_float, check_int)
from .curves import LOG_CEILING, figure_and_axes, finite_prefix, learning_curves, log_limits, set_log_axis
from .propagation import PropagationResult, mean_std
from .style import COLORS, figsize as _figsize, present, is_presenting, style  # noqa: F401  (re-exported)
from .theory import sigmoid_saturation_threshold

__all__ = [
    "COLORS",
    "style",
    "present",
    "is_presenting",
    "layer_stats",
    "gradient_stats",
    "histogram_strip",
    "weighted_sum_histogram",
    "learning_curves",
    "finite_prefix",
    "decision_regions",
    "weight_histograms",
    "digits",
]

_HIDDEN = 0.015  # a run within this share of a panel of an earlier run is hidden (a marker is 1.2%)


def _runs(runs) -> dict:
    """{label: PropagationResult}: one result, labelled with its initializer, or a dict of them."""
    if isinstance(runs, PropagationResult):
        return {runs.init: runs}
    return check_dict("runs", runs, PropagationResult, "PropagationResult (from propagate)")


def _spans_decades(*arrays) -> bool:
    """True when the positive values span more than two orders of magnitude."""
    values = np.concatenate([finite_prefix(a) for a in arrays])
    values = values[values > 0]
    return values.size > 1 and math.log10(values.max()) - math.log10(values.min()) > 2


def _wide_axis(ax, values) -> str:
    """An axis for values of an exploding run: log if all > 0, else symlog on the sides the values take."""
    # limits first: matplotlib's own, from data near 1e300, would overflow when the scale changes
    if values.min() > 0:
        ax.set_ylim(*log_limits(values))
        ax.set_yscale("log")
        return " (log scale)"
    top, bottom = (min(side, LOG_CEILING / 3) * 3 if side > 0 else 0.3 for side in (values.max(), -values.min()))
    ax.set_ylim(-bottom, top)
    ax.set_yscale("symlog", linthresh=1.0)
    return " (symlog scale)"


def _hidden_under(axes, lines, k) -> int | None:
    """The earlier run whose curves hide run k's in every panel (each point within _HIDDEN of it), or None."""
    for j in range(k):
        near = []
        for ax, mine, theirs in zip(axes, lines[k], lines[j]):
            a, b = (np.column_stack([line.get_xdata(), line.get_ydata()]) for line in (mine, theirs))
            to_axes = ax.transScale + ax.transLimits  # data to a fraction of the panel, whatever the layout
            near.append(a.shape == b.shape and np.all(np.abs(to_axes.transform(a) - to_axes.transform(b)) < _HIDDEN))
        if all(near):
            return j
    return None


def layer_stats(runs, title=None, show_prediction=True, log_std=None, spread="std"):
    """Per-layer mean (left) and std (right) of the activations of one or more runs.

    Parameters
    ----------
    runs : PropagationResult, or dict {label: PropagationResult}
        One run (labelled with its initializer's name) or several, labelled by their keys.
    title : str, optional
    show_prediction : bool
        Draw the mean-field prediction as a dashed line over the measured std.
    log_std : bool, optional
        Logarithmic std axis (default: when the values span more than 100x).
    spread : {"std", "std_over_inputs"}
        The right panel's statistic: the std over all samples and units, or each
        unit's std over the inputs (averaged over units), which shows how much a
        layer still depends on the input.  The mean-field prediction is drawn for
        "std" only.

    A run that exploded is drawn up to the last finite layer and marked with a
    cross and the words "exploded at layer k".  Means of an exploding run get a log
    axis when they are all positive (ReLU), else a symlog one.  A run whose curve
    lies on top of an earlier one is drawn hollow and labelled "name (≈ earlier)".
    """
    runs = _runs(runs)
    spread = check_choice("spread", spread, ("std", "std_over_inputs"))
    show_prediction = check_bool("show_prediction", show_prediction) and spread == "std"
    log_std = None if log_std is None else check_bool("log_std", log_std)
    labels, results = list(runs), list(runs.values())
    fig, (ax_mean, ax_std) = plt.subplots(1, 2, figsize=_figsize(13, 5.4), layout="constrained")
    lines = []
    for k, (result, label) in enumerate(zip(results, labels)):
        color = COLORS[k % len(COLORS)]
        mean, std = finite_prefix(result.mean), finite_prefix(getattr(result, spread))
        lines.append([ax_mean.plot(result.layers[: len(mean)], mean, "o-", color=color)[0],
                      ax_std.plot(result.layers[: len(std)], std, "o-", color=color)[0]])
        if show_prediction:
            predicted = finite_prefix(result.prediction.std)
            ax_std.plot(result.layers[: len(predicted)], predicted, "--", color="black", linewidth=1.5,
                        label="mean-field prediction" if k == 0 else None)
        if result.exploded_at is not None:
            last = result.exploded_at - 1
            for ax, values in ((ax_mean, mean), (ax_std, std)):
                y = values[-1] if len(values) else 0.0
                ax.plot([max(last, 1)], [y], "x", color=color, markersize=16, markeredgewidth=3)
            ax_std.text(0.03, 0.95 - 0.08 * k, f"exploded at layer {result.exploded_at}", color=color,
                        transform=ax_std.transAxes, va="top", fontweight="bold")
    spreads = [getattr(r, spread) for r in results] + [r.prediction.std for r in results if show_prediction]
    limits = log_limits(*spreads)  # None when no value is > 0 (a silent network): no log axis then
    use_log = limits is not None and (_spans_decades(*spreads[: len(results)]) if log_std is None else log_std)
    if use_log:
        ax_std.set_ylim(*limits)
        ax_std.set_yscale("log")
    means = np.concatenate([finite_prefix(r.mean) for r in results])
    mean_scale = ""
    if np.abs(means).max(initial=0.0) > 100:  # an exploding run
        mean_scale = _wide_axis(ax_mean, means)
    elif means.size and means.max() - means.min() < 0.1:
        # tiny wiggles (1e-3) should look like what they are: flat at the centre
        centre = round(float(np.median(means)), 1)
        ax_mean.set_ylim(centre - 0.1, centre + 0.1)
    ax_mean.set_title("mean of the activations" + mean_scale)
    name = "std of the activations" if spread == "std" else "std of each unit over the inputs"
    ax_std.set_title(name + (" (log scale)" if use_log else ""))
    for ax in (ax_mean, ax_std):
        ax.set_xlabel("layer")
        if results[0].depth <= 12:
            ax.set_xticks(results[0].layers)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))
    ax_mean.set_ylabel("mean")
    ax_std.set_ylabel("std")
    for k, label in enumerate(labels):  # a run hidden under an earlier one is drawn hollow, and says so
        j = _hidden_under((ax_mean, ax_std), lines, k)
        for line in lines[k]:
            line.set_label(label if j is None else f"{label} (≈ {labels[j]})")
            if j is not None:
                line.set(markerfacecolor="none", markersize=1.8 * line.get_markersize(), markeredgewidth=2,
                         linestyle="--")
    # the legend goes under the panels, where it cannot hide a curve
    handles, names = ax_std.get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=min(len(names), 4), frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def gradient_stats(runs, title=None):
    """Per-layer std of the back-propagated gradient dL/dz, measured and predicted, on a log axis.

    Parameters
    ----------
    runs : PropagationResult, or dict {label: PropagationResult}

    The gradient enters at the last layer and travels right to left; the dashed
    lines are the mean-field prediction (``theory.mean_field``).  A run whose
    gradient overflowed is drawn up to the last finite layer; a run without a
    gradient to draw says why in the panel.
    """
    runs = _runs(runs)
    fig, ax = plt.subplots(figsize=_figsize(9, 5), layout="constrained")
    drawn, notes = [], []
    for k, (label, result) in enumerate(runs.items()):
        color = COLORS[k % len(COLORS)]
        for values, style, colour, name in ((result.grad_std, "o-", color, label), (result.prediction.grad_std, "--",
                                            "black", "mean-field prediction" if k == 0 else None)):
            good = np.isfinite(values) & (values > 0)
            ax.plot(result.layers[good], values[good], style, color=colour, label=name, zorder=3 if name else 4,
                    linewidth=1.5 if colour == "black" else None)
            drawn.append(values[good])
        if result.grad_exploded_at is not None:
            notes.append((color, f"{label}: overflowed at layer {result.grad_exploded_at}"))
        elif not len(drawn[-2]):
            notes.append((color, f"{label}: no gradient (" + (
                f"the signal overflowed at layer {result.exploded_at})" if result.exploded_at is not None else
                "it is exactly 0)" if np.all(result.grad_std == 0) else "no backward pass)")))
    for i, (color, text) in enumerate(notes):
        ax.text(0.03, 0.95 - 0.08 * i, text, color=color, transform=ax.transAxes, va="top", fontweight="bold")
    set_log_axis(ax, *drawn)
    ax.set_xlabel("layer (the gradient enters at the last one)")
    ax.set_ylabel("std of dL/dz (log scale)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))
    ax.legend(loc="best")
    ax.set_title(title or "the back-propagated gradient, layer by layer")
    return fig


def _pick_layers(result, kind, layers, stored) -> list:
    """The layers to draw: those asked for (each must be kept), or up to 10 kept ones evenly spaced."""
    if layers is None:
        layers = sorted(stored)
        if len(layers) > 10:
            layers = [layers[i] for i in np.unique(np.linspace(0, len(layers) - 1, 10).round().astype(int))]
        if not layers:
            why = f"the signal overflowed at layer {result.exploded_at}" if result.exploded_at is not None else \
                "the gradient overflowed" if kind == "gradients" and result.grad_exploded_at else "keep_layers=[]"
            raise ArgumentError(f"kind={kind!r}: this result kept no {kind} to draw ({why})")
        return layers
    if not isinstance(layers, (list, tuple, range, np.ndarray)) or not len(layers):
        raise ArgumentTypeError(f"layers must be None or a non-empty list of layer numbers, got {layers!r}")
    layers = [check_int("layers entry", layer, minimum=1, maximum=result.depth) for layer in layers]
    missing = [layer for layer in layers if layer not in stored]
    if missing:
        raise ArgumentError(f"layers {missing} have no {kind} kept (keep_layers, or an overflow); "
                            f"kept: {sorted(stored)}")
    return layers


def histogram_strip(result, kind="activations", layers=None, bins=50, title=None):
    """A row of histograms, one per layer, of the activations or of the gradients.

    Parameters
    ----------
    result : PropagationResult
    kind : {"activations", "gradients"}
    layers : list of int, optional
        Which layers (default: every kept layer, at most 10 evenly spaced).
    bins : int
    title : str, optional

    Each panel has its own x range, printed in its title as the std, so that a
    collapsed layer (std 1e-7) is still visible as a shape.
    """
    if not isinstance(result, PropagationResult):
        raise ArgumentTypeError(f"result must be a PropagationResult (from propagate), got {type(result).__name__}")
    kind = check_choice("kind", kind, ("activations", "gradients"))
    bins = check_int("bins", bins, minimum=2, maximum=1000)
    stored = result.activations if kind == "activations" else result.gradients
    layers = _pick_layers(result, kind, layers, stored)
    n_cols = min(5, len(layers))
    n_rows = math.ceil(len(layers) / n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=_figsize(13, 0.6 + 2.9 * n_rows), squeeze=False)
    color = COLORS[0] if kind == "activations" else COLORS[3]
    for ax in axes.ravel()[len(layers):]:
        ax.set_visible(False)
    for ax, layer in zip(axes.ravel(), layers):
        values = np.asarray(stored[layer], dtype=np.float64).ravel()
        # a spread past 1e308 would overflow the bins' width: such values are drawn halved
        halved = np.ptp(values / 2) > 1e307
        ax.hist(values / 2 if halved else values, bins=bins, color=color, density=True)
        ax.set_title(f"layer {layer}: std {mean_std(values)[1]:.2g}" + (" (x/2)" if halved else ""),
                     fontsize=plt.rcParams["axes.titlesize"] - 2)
        ax.set_yticks([])
        ax.locator_params(axis="x", nbins=3)
        ax.xaxis.set_major_formatter(lambda value, _: f"{value:.1g}")  # short labels: 1e-05
        ax.grid(False)
    symbol = "h = activation" if kind == "activations" else "dL/dz (back-propagated gradient)"
    for row in axes:
        row[0].set_ylabel("density")
    fig.suptitle(title or f"{result.init}, {result.activation}: {symbol}, per layer")
    fig.tight_layout()
    return fig


def weighted_sum_histogram(z, predicted_std, title=None, label="simulated z", bins=60, ax=None,
                           show_saturation=True):
    """Histogram of simulated weighted sums z with the predicted N(0, std^2) drawn over it.

    With ``show_saturation`` the zones |z| > 4.595, where a sigmoid is within 1% of
    0 or 1, are shaded grey.
    """
    z = check_array("z", z, ndim=1)
    predicted_std = check_float("predicted_std", predicted_std, strictly_positive=True)
    bins = check_int("bins", bins, minimum=2, maximum=1000)
    show_saturation = check_bool("show_saturation", show_saturation)
    fig, ax = figure_and_axes(ax, 7, 4.5)
    ax.hist(z, bins=bins, density=True, color=COLORS[5], alpha=0.8, label=f"{label} (std {mean_std(z)[1]:.3g})")
    limit = max(4.5 * predicted_std, 6.0)
    grid = np.linspace(-limit, limit, 400)
    # beyond 40 std the density is 0 (e^-800): clipping there keeps the square finite
    density = np.exp(-0.5 * np.clip(grid / predicted_std, -40, 40) ** 2) / (predicted_std * math.sqrt(2 * math.pi))
    if show_saturation:
        edge = sigmoid_saturation_threshold()  # sigmoid(4.595) = 0.99
        ax.axvspan(-limit, -edge, color="grey", alpha=0.18, label="sigmoid saturated (|z| > 4.6)")
        ax.axvspan(edge, limit, color="grey", alpha=0.18)
    ax.plot(grid, density, color="black", linewidth=2.5, label=f"predicted N(0, {predicted_std:.3g}²)")
    ax.set_xlim(-limit, limit)
    return _finish_density(fig, ax, "z = w · x + b", title or "distribution of the weighted sum z")


def decision_regions(networks, x, labels, title=None, resolution=200):
    """The 2-D data with the class each network predicts shaded behind it.

    Parameters
    ----------
    networks : dict {panel title: MLP with 2 inputs}
    x : ndarray (n, 2);  labels : ndarray (n,) of 0 and 1
    resolution : grid points per axis for the shading
    """
    networks = check_dict("networks", networks, what="network with 2 inputs")
    for name, network in networks.items():
        if not callable(getattr(network, "predict", None)) or list(getattr(network, "sizes", [2]))[0] != 2:
            raise ArgumentTypeError(f"networks[{name!r}] must be a network with 2 inputs, e.g. mlp.MLP([2, 8, 2]), "
                                    f"got {type(network).__name__}")
    x = check_array("x", x, shape=(None, 2))
    labels = check_array("labels", labels, shape=(len(x),))
    if not np.isin(labels, (0, 1)).all():
        raise ArgumentError(f"labels must be the classes 0 and 1, one per row of x, got {np.unique(labels)[:5]}")
    resolution = check_int("resolution", resolution, minimum=10, maximum=1000)
    margin = 0.3
    gx, gy = np.meshgrid(np.linspace(x[:, 0].min() - margin, x[:, 0].max() + margin, resolution),
                         np.linspace(x[:, 1].min() - margin, x[:, 1].max() + margin, resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    fig, axes = plt.subplots(1, len(networks), figsize=_figsize(6.2 * len(networks), 5), squeeze=False)
    light = _listed_colormap([COLORS[5], COLORS[1]])
    for ax, (name, network) in zip(axes[0], networks.items()):
        predicted = network.predict(grid).reshape(gx.shape)
        ax.contourf(gx, gy, predicted, levels=[-0.5, 0.5, 1.5], cmap=light, alpha=0.35)
        for cls, marker, color in ((0, "o", COLORS[0]), (1, "s", COLORS[3])):
            chosen = labels == cls
            ax.scatter(x[chosen, 0], x[chosen, 1], s=22, marker=marker, color=color, label=f"class {cls}")
        accuracy = np.mean(network.predict(x) == labels)
        ax.set_title(f"{name}\naccuracy {accuracy:.1%}")
        ax.set_xlabel("x₁")
        ax.set_ylabel("x₂")
        ax.grid(False)
    axes[0][0].legend(loc="lower left")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _listed_colormap(colors):
    """A matplotlib colormap with exactly these colours, one per class."""
    from matplotlib.colors import ListedColormap

    return ListedColormap(colors)


def weight_histograms(matrices, title=None, bins=60):
    """Overlaid histograms of the entries of several weight matrices.

    Parameters
    ----------
    matrices : dict {label: ndarray}
    """
    matrices = {label: check_array(f"matrices[{label!r}]", matrix).ravel()
                for label, matrix in check_dict("matrices", matrices, what="weight matrix").items()}
    bins = check_int("bins", bins, minimum=2, maximum=1000)
    fig, ax = plt.subplots(figsize=_figsize(8, 4.5))
    for k, (label, values) in enumerate(matrices.items()):
        ax.hist(values, bins=bins, density=True, histtype="step", linewidth=2.5, color=COLORS[k % len(COLORS)],
                label=f"{label} (std {mean_std(values)[1]:.3g})")
    return _finish_density(fig, ax, "weight value", title or "distribution of the weights")


def _finish_density(fig, ax, xlabel, title):
    """Labels, legend and title of a histogram-of-values figure."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    ax.legend(loc="upper right", fontsize=plt.rcParams["legend.fontsize"] - 1)
    ax.set_title(title)
    fig.tight_layout()
    return fig


def digits(images, labels, n=20, title=None):
    """The first ``n`` images (rows of 784 pixels in [0, 1]) as 28 x 28 pictures with their labels."""
    images = check_array("images", images, ndim=2)
    if images.shape[1] != 784:
        raise ArgumentError(f"images must have 784 pixels per row (28 x 28), got {images.shape[1]}")
    if images.min() < 0 or images.max() > 1:
        raise ArgumentError(f"images must hold pixel values in [0, 1], got {images.min():g} to {images.max():g} "
                            "(divide by 255?)")
    n = check_int("n", n, minimum=1, maximum=min(100, len(images)))
    if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__") or len(labels) < n:
        raise ArgumentError(f"labels must have a label for each of the n={n} images, got {labels!r:.40}")
    columns = min(n, 10)
    rows = math.ceil(n / columns)
    fig, axes = plt.subplots(rows, columns, figsize=_figsize(1.3 * columns, 1.5 * rows + 0.6), squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k < n:
            ax.imshow(images[k].reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
            ax.set_title(str(labels[k]), fontsize=plt.rcParams["font.size"])
    fig.suptitle(title or f"the first {n} images and their labels")
    fig.tight_layout()
    return fig
