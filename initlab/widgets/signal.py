"""The signal explorer: drag depth, width and weight scale over a deep random network.

Notebooks 02, 04 and 05 use it to show a signal collapse, stay healthy, saturate
or explode.  What keeps an update fast enough to feel immediate:

- random draws are cached: changing the weight scale or the activation reuses the
  same weights (``scaled_pass`` computes z = scale * (h @ W)), and adding a layer
  draws only that layer;
- arithmetic is float32, unless the mean-field prediction says that the numbers
  leave float32's range (below 1e-30 or above 1e30), then float64;
- wide layers get fewer samples, so that one layer's work stays near 2.5e8
  multiply-adds;
- the figure is drawn once and then blitted (``render.Painter``).
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import ipywidgets as w
import matplotlib
import numpy as np
from matplotlib.ticker import MaxNLocator, NullFormatter

from .. import activations as _activations
from .. import initializers as _initializers
from .. import style as _style
from .. import theory as _theory
from ..checks import as_generator, check_choice, check_int
from ..diagnosis import diagnose
from ..propagation import PropagationResult, layer_statistics, mean_std
from .base import Explorer, in_range
from .render import Painter, Ridges, log_range, set_line

__all__ = ["SignalExplorer", "signal_explorer", "scaled_pass", "INITIALIZERS"]

DEPTH_RANGE = (1, 50)
WIDTH_RANGE = (10, 2000)
SCALE_RANGE = (1e-3, 1e2)
#: Samples per update: at most ``n_samples``, fewer for wide layers so that one
#: layer's work (samples x width^2) stays near 2.5e8 multiply-adds: 1000 samples
#: at width 500, 64 at width 2000.  The count depends on the width only, so that
#: moving the depth slider leaves the earlier layers exactly as they were.
WORK_PER_LAYER = 2.5e8
MIN_SAMPLES = 64

#: The initializers of the dropdown; "normal" is N(0, 1), so that the weight scale
#: is the weights' std.
INITIALIZERS = {
    "normal": _initializers.normal(1.0),
    "lecun_normal": _initializers.lecun_normal(),
    "xavier_normal": _initializers.xavier_normal(),
    "xavier_uniform": _initializers.xavier_uniform(),
    "he_normal": _initializers.he_normal(),
    "he_uniform": _initializers.he_uniform(),
    "orthogonal": _initializers.orthogonal(),
    "zeros": _initializers.zeros(),
}


def _matmul(a, w):
    """a @ w, in w's precision when w is float32 and a is float64.

    The cached weights are float32 (half the memory and twice the speed), but a
    signal below 1e-30 or above 1e30 needs float64.  Instead of converting the big
    matrix w to float64 on every call (a 16 MB copy per layer at width 2000), a is
    divided by a power of two that brings it near 1, multiplied in float32, and the
    power of two put back in float64.  Dividing by a power of two is exact, and
    float32's 7 digits are plenty for the statistics shown.
    """
    if a.dtype == w.dtype:
        return a @ w
    largest = float(np.abs(a).max())
    if largest == 0.0 or not math.isfinite(largest):
        return a @ w
    power = 2.0 ** math.frexp(largest)[1]
    return ((a / power).astype(w.dtype) @ w).astype(a.dtype) * power


def scaled_pass(x, weights, act, scale, grad_output, shown):
    """The explorer's version of ``propagation.run_network``: z = scale * (h @ W), any precision.

    The cached float32 weights are used as they are (no scaled copy, no float64
    copy: ``_matmul``); statistics per layer are ``layer_statistics``, as in the
    teaching loop.  Returns (statistics (6, depth), grad_std, kept h, kept dz,
    exploded_at, grad_exploded_at).
    """
    stats, grad_std = np.full((6, len(weights)), np.nan), np.full(len(weights), np.nan)
    kept_h, kept_dz, slopes, exploded_at, grad_exploded_at = {}, {}, [], None, None
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        h = x
        for layer, weight in enumerate(weights, start=1):
            z = _matmul(h, weight) * scale
            if not np.isfinite(z).all():
                exploded_at = layer
                break
            h = act.function(z)
            stats[:, layer - 1] = layer_statistics(h, act)
            slopes.append(act.derivative(z))
            if layer in shown:
                kept_h[layer] = h
        g = grad_output if exploded_at is None else None
        for layer in range(len(weights), 0, -1) if g is not None else ():
            dz = g * slopes[layer - 1]
            if not np.isfinite(dz).all():
                grad_exploded_at = layer
                break
            grad_std[layer - 1] = mean_std(dz)[1]
            if layer in shown:
                kept_dz[layer] = dz
            g = _matmul(dz, weights[layer - 1].T) * scale
    return stats, grad_std, kept_h, kept_dz, exploded_at, grad_exploded_at


class SignalExplorer(Explorer):
    """Interactive view of a deep network's forward signal and backward gradient.

    Use :func:`signal_explorer` to make one.  Attributes a program can use:
    ``depth``, ``width``, ``scale``, ``activation``, ``init`` (the controls),
    ``result`` (the latest ``PropagationResult``), ``verdict`` (its one-line
    diagnosis by ``diagnosis.diagnose``, shown green when it starts with
    "healthy", orange otherwise), ``png`` (the latest figure), ``last_error``.
    """

    def __init__(self, depth=10, width=500, scale=1.0, activation="tanh", init="lecun_normal",
                 n_samples=1000, rng=0, present=None):
        depth = in_range("depth", depth, *DEPTH_RANGE)
        width = in_range("width", width, *WIDTH_RANGE)
        scale = in_range("scale", scale, *SCALE_RANGE, kind="float")
        activation = check_choice("activation", activation, _activations.names())
        init = check_choice("init", init, INITIALIZERS)
        self.max_samples = check_int("n_samples", n_samples, minimum=MIN_SAMPLES, maximum=10_000)
        self._seed = int(as_generator(rng).integers(2**32))
        super().__init__(present)

        style = self.label_style("depth", "width", "weight scale", "activation", "initializer")
        slider_layout, menu_layout = w.Layout(width="370px"), w.Layout(width="225px")
        self.depth = w.IntSlider(value=depth, min=DEPTH_RANGE[0], max=DEPTH_RANGE[1], description="depth",
                                 layout=slider_layout, style=style)
        # a new width needs new random weights for every layer: update on release only
        self.width = w.IntSlider(value=width, min=WIDTH_RANGE[0], max=WIDTH_RANGE[1], step=10,
                                 description="width", continuous_update=False, layout=slider_layout,
                                 style=style)
        self.scale = w.FloatLogSlider(value=scale, base=10, min=math.log10(SCALE_RANGE[0]),
                                      max=math.log10(SCALE_RANGE[1]), step=0.05, description="weight scale",
                                      readout_format=".3g", layout=slider_layout, style=style)
        self.activation = w.Dropdown(options=_activations.names(), value=activation, description="activation",
                                     layout=menu_layout, style=style)
        self.init = w.Dropdown(options=list(INITIALIZERS), value=init, description="initializer",
                               layout=menu_layout, style=style)
        self.arrange(self.depth, self.width, self.scale, self.activation, self.init)

        self._weights = {}  # {"init", "width", "layers": [...], "power": [...]}
        self._inputs = {}  # width -> (x, grad_output) at max_samples, float32 and float64
        self.result = None
        self.verdict = ""
        self._std_range = None
        self._build_figure()
        self.refresh()
        self.watch(self.depth, self.width, self.scale, self.activation, self.init)

    # ---------------------------------------------------------------- computing
    def samples_for(self, width) -> int:
        """Samples used: max_samples, fewer for wide layers (WORK_PER_LAYER), at least 64.

        64 samples of a layer of 2000 units still give 128,000 values per statistic.
        """
        return int(min(self.max_samples, max(MIN_SAMPLES, WORK_PER_LAYER // (width * width))))

    def _cached_weights(self, init_name, width, depth):
        """Unit-scale float32 weights for ``depth`` layers, drawing only what is missing.

        Layer k always comes from the same random stream (seed, width, k), so adding
        a layer leaves the others as they were.  Missing layers are drawn in
        parallel threads (numpy's generators release the GIL while they fill an
        array), which halves the wait on two cores.
        """
        entry = self._weights
        if entry.get("init") != init_name or entry.get("width") != width:
            entry = self._weights = {"init": init_name, "width": width, "layers": [], "power": []}
        init = INITIALIZERS[init_name]
        layer_seeds = np.random.SeedSequence([self._seed, width]).spawn(DEPTH_RANGE[1])

        def draw(k):
            # SFC64 makes random numbers about a third faster than numpy's default
            # PCG64; at depth 50 x width 2000 that is 200 million of them
            matrix = init(width, width, np.random.Generator(np.random.SFC64(layer_seeds[k])), dtype=np.float32)
            flat = matrix.ravel()
            return float(flat @ flat) / flat.size, matrix  # mean(W**2), for the prediction

        missing = range(len(entry["layers"]), depth)
        if len(missing):
            with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
                for power, matrix in pool.map(draw, missing):
                    entry["power"].append(power)
                    entry["layers"].append(matrix)
        return entry["layers"][:depth], entry["power"][:depth]

    def _inputs_for(self, width, n_samples):
        if width not in self._inputs:
            rng = np.random.default_rng([self._seed, width, 1])
            x = rng.standard_normal((self.max_samples, width))
            g = rng.standard_normal((self.max_samples, width))
            self._inputs = {width: (x.astype(np.float32), g.astype(np.float32), x, g)}
        return tuple(array[:n_samples] for array in self._inputs[width])

    def compute(self):
        """Run the network at the current control values; sets ``result`` and ``verdict``."""
        depth, width, scale = self.depth.value, self.width.value, self.scale.value
        act = _activations.get(self.activation.value)
        weights, power = self._cached_weights(self.init.value, width, depth)
        self.n_samples = self.samples_for(width)
        x32, g32, x64, g64 = self._inputs_for(width, self.n_samples)
        # float32 unless the prediction leaves its range (inputs are N(0, 1): E[x^2] = 1)
        sigma = np.sqrt(np.array(power) * width) * scale
        with np.errstate(over="ignore", invalid="ignore"):
            predicted = _theory.mean_field(depth, np.minimum(sigma, 1e150), activation=act)
        extremes = np.concatenate([predicted.std, predicted.grad_std])
        positive = extremes[extremes > 0]
        fits_float32 = positive.size == 0 or (np.all(np.isfinite(positive)) and positive.min() > 1e-30
                                              and positive.max() < 1e30)
        x, g = (x32, g32) if fits_float32 else (x64, g64)
        self.shown_layers = sorted({1, max(1, round(depth / 3)), max(1, round(2 * depth / 3)), depth})
        stats, grad_std, kept_h, kept_dz, exploded_at, grad_exploded_at = scaled_pass(
            x, weights, act, scale, g, set(self.shown_layers))
        self.result = PropagationResult((width,) * (depth + 1), act.name, self.init.value, self.n_samples, *stats,
                                        grad_std, exploded_at, grad_exploded_at, kept_h, kept_dz, predicted)
        self.verdict = diagnose(self.result)
        return self.result

    # ---------------------------------------------------------------- drawing
    def _build_figure(self):
        """The std per layer on the left; the histograms of h and dL/dz stacked on the right.

        Margins are in points, like the fonts, so the layout suits both modes.  The
        histograms' layer labels sit at the figure's right edge, where values piled up
        at +-1 cannot run into them.
        """
        fig = self.figure = self.new_figure()
        width, height = fig.get_size_inches() * 72
        with matplotlib.rc_context(_style.style(self.presenting)):
            colors = _style.COLORS
            split, top = 0.6 * width, 64  # the std plot's right edge; room for the title and the legend
            self.ax_std = ax = self.axes_at(62, 46, split, -top)
            # predictions: wide pale bands under the measured points, so both stay visible
            self.line_std_pred, = ax.plot([], [], "-", color=colors[0], linewidth=9, alpha=0.25,
                                          label="h: mean field")
            self.line_grad_pred, = ax.plot([], [], "-", color=colors[3], linewidth=9, alpha=0.25,
                                           label="dL/dz: mean field")
            self.line_std, = ax.plot([], [], "o-", color=colors[0], label="h: measured")
            self.line_grad, = ax.plot([], [], "s-", color=colors[3], label="dL/dz: measured")
            ax.set_yscale("log")
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_xlabel("layer")
            ax.set_ylabel("std (log scale)")
            handles = [self.line_std, self.line_std_pred, self.line_grad, self.line_grad_pred]
            ax.legend(handles, [h.get_label() for h in handles], loc="lower center", ncols=2, fontsize="small",
                      bbox_to_anchor=(0.5, 1.0), frameon=False, borderaxespad=0.2)
            middle = 46 + (height - top - 46) / 2
            ax_h = self.axes_at(split + 28, middle + 16, -70, -top)
            ax_g = self.axes_at(split + 28, 46, -70, middle - 16)
            self.ridges_h = Ridges(ax_h, colors[0], "activations h per layer")
            self.ridges_g = Ridges(ax_g, colors[3], "gradients dL/dz per layer")
            ax_h.set_xlabel("")
            ax_h.tick_params(labelbottom=False)
            ax_g.set_xlabel("value / largest |value|")
            for ridge_ax in (ax_h, ax_g):
                ridge_ax.set_xticks([-1, 0, 1])
                ridge_ax.yaxis.tick_right()
                ridge_ax.tick_params(axis="y", length=0)
                ridge_ax.title.set_fontsize("medium")
            self.title = fig.text(0.5, 1 - 12 / height, "", ha="center", va="center", fontsize="large")
            self.message = ax.text(0.5, 0.5, "", ha="center", va="center", fontsize="xx-large", color=colors[3],
                                   fontweight="bold", transform=ax.transAxes)
        self._painter = Painter(fig)

    def update(self):
        result = self.compute()
        layers, depth = result.layers, result.depth
        with np.errstate(all="ignore"):
            set_line(self.line_std, layers, result.std)
            set_line(self.line_std_pred, layers, result.prediction.std)
            set_line(self.line_grad, layers, result.grad_std)
            set_line(self.line_grad_pred, layers, result.prediction.grad_std)
            low, high = self._std_range = log_range(self._std_range, result.std, result.prediction.std,
                                                    result.grad_std, result.prediction.grad_std)
            self.ridges_h.update(self.shown_layers, result.activations)
            self.ridges_g.update(self.shown_layers, result.gradients)
        self.message.set_text("" if result.exploded_at is None else f"exploded at layer {result.exploded_at}")
        self.title.set_text(f"{result.init} × {self.scale.value:.3g}, {result.activation}, depth {depth}, "
                            f"width {result.widths[1]} ({self.n_samples} samples)")

        def set_axes():
            self.ridges_h.set_layers(self.shown_layers)
            self.ridges_g.set_layers(self.shown_layers)
            self.ax_std.set_xlim(0.5, depth + 0.5)
            self.ax_std.set_ylim(low, high)
            self.ax_std.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))

        dynamic = [self.line_std, self.line_std_pred, self.line_grad, self.line_grad_pred, self.title,
                   self.message] + self.ridges_h.artists + self.ridges_g.artists
        self.show(self._painter.render((depth, low, high), set_axes, dynamic))
        colour = {"healthy": "#009E73"}.get(self.verdict.split(":")[0], "#D55E00")
        self.say(f"<b style='color:{colour}'>{self.verdict}</b> <span style='color:#555'>(depth {depth}, "
                 f"width {result.widths[1]}, scale {self.scale.value:.3g})</span>")

    def summary(self) -> str:
        return (f"SignalExplorer({self.init.value}, {self.activation.value}, depth={self.depth.value}, "
                f"width={self.width.value}, scale={self.scale.value:.3g}): {self.verdict}")


def signal_explorer(depth=10, width=500, activation="tanh", init="lecun_normal", scale=1.0,
                    n_samples=1000, rng=0, present=None) -> SignalExplorer:
    """Sliders for depth, width and weight scale over a deep random network.

    Parameters
    ----------
    depth : int, 1..50
    width : int, 10..2000
    activation : {"tanh", "sigmoid", "relu", "leaky_relu", "linear"}
    init : a name of ``INITIALIZERS`` ("normal" is N(0, 1))
    scale : float, 1e-3..1e2
        Multiplies the initializer's weights: 1 is the initializer as it is.
    n_samples : int, 64..10000
        Inputs per update (fewer for very big networks, to keep updates fast).
    rng : int or Generator
        Seed of the cached random draws.
    present : bool, optional
        Bigger figure and fonts for a projector (default: ``initlab.present()``'s setting).

    The view: per-layer std of the activations and of the back-propagated gradient,
    each with its mean-field prediction; histograms of both at four layers; and a
    one-line verdict (``diagnosis.diagnose``) on what decides whether such a
    network trains: "exploding", "vanishing", "collapsing", "saturating", "dead"
    or "healthy", then the layer where it goes wrong and by how much, e.g.
    "exploding: the gradient grows 3.46x per layer going back, ...".
    """
    return SignalExplorer(depth=depth, width=width, scale=scale, activation=activation, init=init,
                          n_samples=n_samples, rng=rng, present=present)
