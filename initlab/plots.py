"""The course's standard figures, readable from the back of a room.

Every function returns a ``matplotlib.figure.Figure``; in a notebook end the
cell with ``plt.show()``.  Their look (large labels, Okabe-Ito colours) and
presentation mode come from ``initlab.style``.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .checks import ArgumentError, ArgumentTypeError, check_array, check_float, check_int
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

#: Highest value a logarithmic axis shows (see layer_stats).
_LOG_CEILING = 1e200


def finite_prefix(values) -> np.ndarray:
    """``values`` up to (not including) the first NaN or inf, so plots never show NaN."""
    values = np.asarray(values, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    return values if bad.size == 0 else values[: bad[0]]


def _spans_decades(*arrays) -> bool:
    """True when the positive values span more than two orders of magnitude."""
    values = np.concatenate([finite_prefix(a) for a in arrays])
    values = values[values > 0]
    return values.size > 1 and values.max() / values.min() > 100


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
    cross and the words "exploded at layer k".
    """
    if not isinstance(runs, dict):
        runs = {runs.init: runs}
    if spread not in ("std", "std_over_inputs"):
        raise ArgumentError(f"spread must be one of ['std', 'std_over_inputs'], got {spread!r}")
    show_prediction = show_prediction and spread == "std"
    labels, results = list(runs), list(runs.values())
    fig, (ax_mean, ax_std) = plt.subplots(1, 2, figsize=_figsize(13, 5.4), layout="constrained")
    for k, (result, label) in enumerate(zip(results, labels)):
        color = COLORS[k % len(COLORS)]
        mean, std = finite_prefix(result.mean), finite_prefix(getattr(result, spread))
        ax_mean.plot(result.layers[: len(mean)], mean, "o-", color=color, label=label)
        ax_std.plot(result.layers[: len(std)], std, "o-", color=color, label=label)
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
    use_log = _spans_decades(*[getattr(r, spread) for r in results]) if log_std is None else log_std
    if use_log:
        # Explicit limits: matplotlib's log ticks overflow near 1e300, so the axis
        # stops at 1e200 and an exploding curve leaves the top of the plot.
        finite = np.concatenate([finite_prefix(getattr(r, spread)) for r in results] +
                                [finite_prefix(r.prediction.std) for r in results if show_prediction])
        finite = finite[finite > 0]
        with np.errstate(over="ignore"):
            ax_std.set_yscale("log")
            ax_std.set_ylim(max(finite.min() / 3, 1e-300), min(finite.max() * 3, _LOG_CEILING))
    largest_mean = max((np.abs(finite_prefix(r.mean)).max(initial=0.0) for r in results), default=0.0)
    if largest_mean > 100:  # an exploding run: linear near 0, logarithmic beyond +-1
        with np.errstate(over="ignore"):
            ax_mean.set_yscale("symlog", linthresh=1.0)
            means = np.concatenate([finite_prefix(r.mean) for r in results])
            top = min(max(means.max() * 3, 10.0), _LOG_CEILING)
            bottom = min(max(-means.min() * 3, 10.0), _LOG_CEILING)
            ax_mean.set_ylim(-bottom, top)
    else:
        # tiny wiggles (1e-3) should look like what they are: flat at the centre
        means = np.concatenate([finite_prefix(r.mean) for r in results])
        if means.size and means.max() - means.min() < 0.1:
            centre = round(float(np.median(means)), 1)
            ax_mean.set_ylim(centre - 0.1, centre + 0.1)
    ax_mean.set_title("mean of the activations")
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
    gradient overflowed is drawn up to the last finite layer.
    """
    if not isinstance(runs, dict):
        runs = {runs.init: runs}
    fig, ax = plt.subplots(figsize=_figsize(9, 5), layout="constrained")
    for k, (label, result) in enumerate(runs.items()):
        color = COLORS[k % len(COLORS)]
        measured = np.asarray(result.grad_std, dtype=np.float64)
        predicted = np.asarray(result.prediction.grad_std, dtype=np.float64)
        for values, style, colour, name in ((measured, "o-", color, label),
                                            (predicted, "--", "black", "mean-field prediction" if k == 0 else None)):
            good = np.isfinite(values) & (values > 0)
            ax.plot(result.layers[good], values[good], style, color=colour, label=name, zorder=3 if name else 4,
                    linewidth=1.5 if colour == "black" else None)
    ax.set_yscale("log")
    ax.set_xlabel("layer (the gradient enters at the last one)")
    ax.set_ylabel("std of dL/dz (log scale)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))
    ax.legend(loc="best")
    ax.set_title(title or "the back-propagated gradient, layer by layer")
    return fig


def _pick_layers(result, layers, stored):
    if layers is None:
        available = sorted(stored)
        if len(available) > 10:
            idx = np.unique(np.linspace(0, len(available) - 1, 10).round().astype(int))
            available = [available[i] for i in idx]
        return available
    layers = [check_int("layers entry", layer, minimum=1, maximum=result.depth) for layer in layers]
    missing = [layer for layer in layers if layer not in stored]
    if missing:
        raise ArgumentError(f"layers {missing} were not kept by propagate (keep_layers); kept: {sorted(stored)}")
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
    if kind not in ("activations", "gradients"):
        raise ArgumentError(f"kind must be one of ['activations', 'gradients'], got {kind!r}")
    bins = check_int("bins", bins, minimum=2, maximum=1000)
    stored = result.activations if kind == "activations" else result.gradients
    layers = _pick_layers(result, layers, stored)
    if not layers:
        raise ArgumentError(f"no {kind} were kept for this result (exploded or keep_layers='none')")
    n_cols = min(5, len(layers))
    n_rows = math.ceil(len(layers) / n_cols)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=_figsize(13, 0.6 + 2.9 * n_rows), squeeze=False)
    color = COLORS[0] if kind == "activations" else COLORS[3]
    for ax in axes.ravel()[len(layers):]:
        ax.set_visible(False)
    for ax, layer in zip(axes.ravel(), layers):
        values = np.asarray(stored[layer]).ravel()
        ax.hist(values, bins=bins, color=color, density=True)
        ax.set_title(f"layer {layer}: std {np.std(values):.2g}", fontsize=plt.rcParams["axes.titlesize"] - 2)
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
    if ax is None:
        fig, ax = plt.subplots(figsize=_figsize(7, 4.5))
    else:
        fig = ax.figure
    ax.hist(z, bins=bins, density=True, color=COLORS[5], alpha=0.8,
            label=f"{label} (std {np.std(z):.3g})")
    limit = max(4.5 * predicted_std, 6.0)
    grid = np.linspace(-limit, limit, 400)
    density = np.exp(-0.5 * (grid / predicted_std) ** 2) / (predicted_std * math.sqrt(2 * math.pi))
    if show_saturation:
        edge = sigmoid_saturation_threshold()  # sigmoid(4.595) = 0.99
        ax.axvspan(-limit, -edge, color="grey", alpha=0.18, label="sigmoid saturated (|z| > 4.6)")
        ax.axvspan(edge, limit, color="grey", alpha=0.18)
    ax.plot(grid, density, color="black", linewidth=2.5, label=f"predicted N(0, {predicted_std:.3g}²)")
    ax.set_xlim(-limit, limit)
    return _finish_density(fig, ax, "z = w · x + b", title or "distribution of the weighted sum z")


def learning_curves(curves, reference=None, title=None, ylabel="validation accuracy (%)", ax=None):
    """Accuracy per epoch for several runs, optionally with published reference points.

    Parameters
    ----------
    curves : dict {label: sequence of accuracies (fractions 0..1)}, one value per epoch
    reference : dict {label: (epochs, accuracies)}, optional
        Published figures, drawn as hollow markers with dotted lines.
    """
    if not isinstance(curves, dict) or not curves:
        raise ArgumentTypeError("curves must be a non-empty dict {label: accuracies per epoch}")
    if ax is None:
        fig, ax = plt.subplots(figsize=_figsize(8, 5))
    else:
        fig = ax.figure
    for k, (label, values) in enumerate(curves.items()):
        values = finite_prefix(values)
        ax.plot(np.arange(1, len(values) + 1), 100 * values, "o-", color=COLORS[k % len(COLORS)], label=label)
    for k, (label, (epochs, values)) in enumerate((reference or {}).items()):
        ax.plot(epochs, 100 * np.asarray(values, dtype=float), "s:", color=COLORS[k % len(COLORS)],
                markerfacecolor="white", markeredgewidth=2, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower right")
    ax.set_title(title or "learning curves")
    fig.tight_layout()
    return fig



def decision_regions(networks, x, labels, title=None, resolution=200):
    """The 2-D data with the class each network predicts shaded behind it.

    Parameters
    ----------
    networks : dict {panel title: MLP with 2 inputs}
    x : ndarray (n, 2);  labels : int ndarray (n,)
    resolution : grid points per axis for the shading
    """
    if not isinstance(networks, dict) or not networks:
        raise ArgumentTypeError("networks must be a non-empty dict {title: network}")
    x = check_array("x", x, shape=(None, 2))
    labels = np.asarray(labels)
    if labels.shape != (len(x),):
        raise ArgumentError(f"labels must have one entry per row of x ({len(x)}), got shape {labels.shape}")
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
    if not isinstance(matrices, dict) or not matrices:
        raise ArgumentTypeError("matrices must be a non-empty dict {label: weight matrix}")
    bins = check_int("bins", bins, minimum=2, maximum=1000)
    fig, ax = plt.subplots(figsize=_figsize(8, 4.5))
    for k, (label, matrix) in enumerate(matrices.items()):
        values = np.asarray(matrix, dtype=np.float64).ravel()
        ax.hist(values, bins=bins, density=True, histtype="step", linewidth=2.5, color=COLORS[k % len(COLORS)],
                label=f"{label} (std {values.std():.3g})")
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
    n = check_int("n", n, minimum=1, maximum=min(100, len(images)))
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
