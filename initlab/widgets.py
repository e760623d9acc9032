"""Slider explorers for live teaching (ipywidgets + matplotlib).

- ``signal_explorer``: drag depth, width and weight scale, pick an activation and an
  initializer, and watch a deep network's signal collapse, stay healthy, saturate
  or explode (notebooks 02, 04, 05);
- ``weighted_sum_explorer``: the number of inputs, the fraction that are on and the
  weight std of one neuron, with the histogram of its weighted sum z (notebook 03);
- ``training_explorer``: train the MNIST network from a chosen start and watch the
  accuracy grow epoch by epoch (notebook 06).

Each is one call and shows itself when it is the last expression of a cell::

    initlab.widgets.signal_explorer(depth=10, width=500, activation="tanh")

How an update stays fast enough to feel immediate:

- the figure is drawn once; an update only changes the data of its lines and
  histograms and renders it to a PNG shown in an ``ipywidgets.Image``;
- random draws are cached: changing the weight scale or the activation reuses
  the same weights (the scale multiplies z = scale * (h @ W)), and adding a layer
  draws only that layer;
- arithmetic is float32, unless the mean-field prediction says that the numbers
  leave float32's range (below 1e-30 or above 1e30), then float64;
- each update runs while the kernel handles the slider's message; meanwhile the
  browser merges further slider positions and sends only the newest when the
  kernel is idle again (Jupyter Widgets' message throttle), so the kernel never
  works through a backlog of stale positions.

Callbacks never raise into the notebook: a failure is shown as a message in the
explorer (and kept in ``explorer.last_error``).
"""

from __future__ import annotations

import io
import math
import os
from concurrent.futures import ThreadPoolExecutor

import ipywidgets as w
import matplotlib
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullFormatter

from . import activations as _activations
from . import initializers as _initializers
from . import plots as _plots
from . import theory as _theory
from .checks import as_generator, check_choice, check_float, check_int
from .propagation import diagnose, run_network

__all__ = ["signal_explorer", "weighted_sum_explorer", "training_explorer", "SignalExplorer",
           "WeightedSumExplorer", "TrainingExplorer"]

DEPTH_RANGE = (1, 50)
WIDTH_RANGE = (10, 2000)
SCALE_RANGE = (1e-3, 1e2)
#: The explorer uses fewer samples for wide layers, so that one layer's work
#: (samples x width^2) stays near 2.5e8 multiply-adds: 1000 samples at width 500,
#: 64 at width 2000.  The count depends on the width only, so that moving the
#: depth slider leaves the earlier layers exactly as they were.
WORK_PER_LAYER = 2.5e8
MIN_SAMPLES = 64
HISTOGRAM_VALUES = 20_000  # values per histogram (a fixed subset)
BINS = 40


def _check_bool(name, value) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def _presenting(present) -> bool:
    """The explorer's own ``present`` argument, or else the setting of ``initlab.present()``."""
    return _plots.is_presenting() if present is None else _check_bool("present", present)


class _Explorer:
    """What the explorers share: how they display, and how they report a failure.

    In Jupyter and Voila they show as their widget; static renders (GitHub,
    nbviewer) get a PNG of the current state; nbval compares the short, stable
    text of ``summary()``.
    """

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = self.png
        bundle["text/plain"] = self.summary()
        return bundle

    def _report(self, what, error):
        """Show an error in the explorer instead of raising it into the notebook."""
        self.last_error = error
        self.status.value = f"<b style='color:#D55E00'>{what}: {error}</b>"


def _in_range(name, value, low, high, kind="int"):
    if kind == "int":
        return check_int(name, value, minimum=low, maximum=high)
    return check_float(name, value, minimum=low, maximum=high)


# ============================================================================
# signal explorer
# ============================================================================
class SignalExplorer(_Explorer):
    """Interactive view of a deep network's forward signal and backward gradient.

    Use :func:`signal_explorer` to make one.  Attributes a program can use:
    ``depth``, ``width``, ``scale``, ``activation``, ``init`` (the controls),
    ``result`` (the latest ``PropagationResult``), ``verdict`` (its one-line
    diagnosis), ``png`` (the latest figure), ``last_error``.
    """

    def __init__(self, depth=10, width=500, scale=1.0, activation="tanh", init="lecun_normal",
                 n_samples=1000, rng=0, present=None):
        depth = _in_range("depth", depth, *DEPTH_RANGE)
        width = _in_range("width", width, *WIDTH_RANGE)
        scale = _in_range("scale", scale, *SCALE_RANGE, kind="float")
        activation = check_choice("activation", activation, _activations.names())
        init = check_choice("init", init, _initializers.names())
        self.max_samples = check_int("n_samples", n_samples, minimum=MIN_SAMPLES, maximum=10_000)
        self._seed = int(as_generator(rng).integers(2**32))
        self.presenting = _presenting(present)

        slider_layout = w.Layout(width="420px")
        style = {"description_width": "90px"}
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
                                     style=style)
        self.init = w.Dropdown(options=_initializers.names(), value=init, description="initializer",
                               style=style)
        self.status = w.HTML()
        self.image = w.Image(format="png")
        controls = w.HBox([w.VBox([self.depth, self.width, self.scale]), w.VBox([self.activation, self.init])])
        self.widget = w.VBox([controls, self.status, self.image])

        self._weights = {}  # init name -> {"width": int, "layers": [...], "power": [...]}
        self._inputs = {}  # width -> (x, grad_output) at max_samples
        self.result = None
        self.verdict = ""
        self.last_error = None
        self.updates = 0
        self._build_figure()
        self.refresh()
        # The update runs inside the slider's message, on purpose: while the kernel is
        # busy, the browser holds back further positions and sends only the newest
        # one when the kernel is idle again (the "message throttle" of Jupyter
        # Widgets).  A drag therefore never piles up a backlog of stale positions.
        for control in (self.depth, self.width, self.scale, self.activation, self.init):
            control.observe(lambda change: self.refresh(), names="value")

    # ---------------------------------------------------------------- drawing
    def _build_figure(self):
        size = 1.35 if self.presenting else 1.0
        fig = Figure(figsize=(12 * size, 8.4 * size), dpi=80)
        with matplotlib.rc_context(_plots.style(self.presenting)):
            grid = fig.add_gridspec(2, 2, height_ratios=[1.1, 1], left=0.07, right=0.98, bottom=0.08,
                                    top=0.86, hspace=0.33, wspace=0.1)
            self.ax_std = fig.add_subplot(grid[0, :])
            self.ax_hist_h = fig.add_subplot(grid[1, 0])
            self.ax_hist_g = fig.add_subplot(grid[1, 1])
            colors = _plots.COLORS
            ax = self.ax_std
            # predictions: wide pale bands under the measured points, so both stay visible
            self.line_std_pred, = ax.plot([], [], "-", color=colors[0], linewidth=9, alpha=0.25,
                                          label="h: mean-field prediction")
            self.line_grad_pred, = ax.plot([], [], "-", color=colors[3], linewidth=9, alpha=0.25,
                                           label="dL/dz: mean-field prediction")
            self.line_std, = ax.plot([], [], "o-", color=colors[0], label="h: measured")
            self.line_grad, = ax.plot([], [], "s-", color=colors[3], label="dL/dz: measured")
            ax.set_yscale("log")
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_xlabel("layer")
            ax.set_ylabel("std (log scale)")
            handles = [self.line_std, self.line_std_pred, self.line_grad, self.line_grad_pred]
            ax.legend(handles, [h.get_label() for h in handles], loc="upper center", ncols=4, fontsize=11,
                      bbox_to_anchor=(0.5, 1.13), frameon=False)
            self.ridges_h = _Ridges(self.ax_hist_h, colors[0], "activations h per layer")
            self.ridges_g = _Ridges(self.ax_hist_g, colors[3], "gradients dL/dz per layer")
            self.title = fig.text(0.5, 0.97, "", ha="center", va="center", fontsize=16)
            self.message = fig.text(0.5, 0.72, "", ha="center", va="center", fontsize=22,
                                    color=colors[3], fontweight="bold")
        self.figure = fig
        self._painter = _Painter(fig)

    def _cached_weights(self, init_name, width, depth):
        """Unit-scale float32 weights for ``depth`` layers, drawing only what is missing.

        Layer k always comes from the same random stream (seed, width, k), so adding
        a layer leaves the others as they were.  Missing layers are drawn in
        parallel threads (numpy's generators release the GIL while they fill an
        array), which halves the wait on two cores.
        """
        entry = self._weights.get(init_name)
        if entry is None or entry["width"] != width:
            entry = {"width": width, "layers": [], "power": []}
            self._weights = {init_name: entry}  # keep one set: memory stays bounded
        init = _initializers.get(init_name)
        layer_seeds = np.random.SeedSequence([self._seed, width]).spawn(DEPTH_RANGE[1])

        def draw(k):
            # SFC64 makes random numbers about a third faster than numpy's default
            # PCG64; at depth 50 x width 2000 that is 200 million of them
            layer_rng = np.random.Generator(np.random.SFC64(layer_seeds[k]))
            matrix = init(width, width, layer_rng, dtype=np.float32)
            flat = matrix.ravel()
            return float(flat @ flat) / flat.size, matrix  # mean(W**2), for the prediction

        missing = range(len(entry["layers"]), depth)
        if len(missing):
            with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
                for power, matrix in pool.map(draw, missing):
                    entry["power"].append(power)
                    entry["layers"].append(matrix)
        return entry["layers"][:depth], entry["power"][:depth]

    def samples_for(self, width) -> int:
        """Samples used: max_samples, fewer for wide layers (WORK_PER_LAYER), at least 64.

        64 samples of a layer of 2000 units still give 128,000 values per statistic.
        """
        return int(min(self.max_samples, max(MIN_SAMPLES, WORK_PER_LAYER // (width * width))))

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
        n_samples = self.samples_for(width)
        x32, g32, x64, g64 = self._inputs_for(width, n_samples)
        # float32 unless the prediction leaves its range (inputs are N(0, 1): E[x^2] = 1)
        sigma = np.sqrt(np.array(power) * width) * scale
        with np.errstate(over="ignore", invalid="ignore"):
            predicted = _theory.mean_field(depth, np.minimum(sigma, 1e150), activation=act)
        extremes = np.concatenate([predicted.std, predicted.grad_std])
        positive = extremes[extremes > 0]
        fits_float32 = positive.size == 0 or (np.all(np.isfinite(positive)) and positive.min() > 1e-30
                                              and positive.max() < 1e30)
        # (float64 inputs with the cached float32 weights compute in float64)
        x, g = (x32, g32) if fits_float32 else (x64, g64)
        shown = sorted({1, max(1, round(depth / 3)), max(1, round(2 * depth / 3)), depth})
        self.shown_layers = shown
        self.result = run_network(x, weights, act, weight_scale=scale, grad_output=g, keep_layers=shown,
                                  init_name=self.init.value, prediction=predicted)
        self.n_samples = n_samples
        self.verdict = diagnose(self.result)
        return self.result

    def refresh(self):
        """Recompute and redraw; errors are shown, never raised."""
        try:
            self.compute()
            self._draw()
            self.last_error = None
        except Exception as error:  # a callback must never raise into the notebook
            self._report("Could not update", error)
            return
        self.updates += 1

    def _draw(self):
        result = self.result
        layers = result.layers
        depth = result.depth
        with np.errstate(all="ignore"):
            _set_line(self.line_std, layers, result.std)
            _set_line(self.line_std_pred, layers, result.prediction.std)
            _set_line(self.line_grad, layers, result.grad_std)
            _set_line(self.line_grad_pred, layers, result.prediction.grad_std)
            low, high = self._std_range = _log_range(getattr(self, "_std_range", None), result.std,
                                                     result.prediction.std, result.grad_std,
                                                     result.prediction.grad_std)
            self.ridges_h.update(self.shown_layers, result.activations)
            self.ridges_g.update(self.shown_layers, result.gradients)
        self.message.set_text("" if result.exploded_at is None else f"exploded at layer {result.exploded_at}")
        self.title.set_text(
            f"{result.init} × {self.scale.value:.3g}, {result.activation}, depth {depth}, "
            f"width {result.widths[1]} ({self.n_samples} samples)"
        )

        def set_axes():
            self.ridges_h.set_layers(self.shown_layers)
            self.ridges_g.set_layers(self.shown_layers)
            self.ax_std.set_xlim(0.5, depth + 0.5)
            self.ax_std.set_ylim(low, high)
            self.ax_std.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))

        dynamic = [self.line_std, self.line_std_pred, self.line_grad, self.line_grad_pred, self.title,
                   self.message] + self.ridges_h.artists + self.ridges_g.artists
        self.png = self._painter.render((depth, low, high), set_axes, dynamic)
        self.image.value = self.png
        colour = {"healthy": "#009E73"}.get(self.verdict.split(":")[0], "#D55E00")
        self.status.value = (
            f"<span style='font-size:{'20' if self.presenting else '15'}px'>"
            f"<b style='color:{colour}'>{self.verdict}</b> "
            f"<span style='color:#555'>(depth {depth}, width {result.widths[1]}, scale {self.scale.value:.3g})"
            f"</span></span>"
        )

    def summary(self) -> str:
        return (f"SignalExplorer({self.init.value}, {self.activation.value}, depth={self.depth.value}, "
                f"width={self.width.value}, scale={self.scale.value:.3g}): {self.verdict}")


def _encode_png(canvas) -> bytes:
    """The canvas's current pixels as PNG bytes (light compression: quick to make)."""
    width, height = canvas.get_width_height()
    image = PIL.Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


class _Painter:
    """Render a figure to PNG, redrawing only what changes (matplotlib "blitting").

    Axes, ticks, labels and legends are drawn once into a background image; an
    update pastes that background and draws only the dynamic artists on top.  The
    background is redrawn only when ``key`` (what the axes depend on: limits,
    depth) changes.  A full matplotlib draw of this figure takes about 100 ms
    here, a blitted one under 10 ms.
    """

    def __init__(self, figure):
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.key = None
        self.background = None

    def render(self, key, set_axes, dynamic) -> bytes:
        if key != self.key:
            set_axes()
            for artist in dynamic:
                artist.set_visible(False)
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
            for artist in dynamic:
                artist.set_visible(True)
            self.key = key
        self.canvas.restore_region(self.background)
        for artist in dynamic:
            self.figure.draw_artist(artist)
        return _encode_png(self.canvas)


class _Ridges:
    """Up to four histograms stacked in one axes (a "ridgeline" plot).

    Each layer's values are divided by their largest magnitude, so that every
    histogram fills the same [-1, 1] range whatever its scale: the shape (Gaussian,
    piled up at +-1, a spike at 0) is what matters here; the std curve above shows
    the scale.  The layer numbers are tick labels, so they belong to the background
    and cost nothing on an update.
    """

    def __init__(self, ax, color, title):
        self.ax = ax
        edges = np.linspace(-1.0, 1.0, BINS + 1)
        self.stairs = [ax.stairs(np.zeros(BINS), edges, baseline=float(k), fill=True, color=color, alpha=0.85)
                       for k in range(4)]
        self.artists = list(self.stairs)
        ax.set_xlim(-1.0, 1.0)
        ax.set_ylim(0, 4.0)
        ax.grid(False)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1])
        ax.set_xlabel("value / largest |value| of the layer")
        ax.set_title(title)

    def set_layers(self, layers):
        """Label the ridges (part of the background: called when the depth changes)."""
        self.ax.set_yticks(np.arange(len(layers)) + 0.35, [f"layer {layer}" for layer in layers])

    def update(self, layers, values_by_layer):
        edges = np.linspace(-1.0, 1.0, BINS + 1)
        for k in range(4):
            values = values_by_layer.get(layers[k]) if k < len(layers) else None
            if values is None:  # fewer than four layers, or nothing computed (exploded)
                self.stairs[k].set_data(np.full(BINS, float(k)), edges, baseline=float(k))
                continue
            values = np.asarray(values).ravel()[:HISTOGRAM_VALUES]
            largest = float(np.abs(values).max())
            scaled = values / largest if largest > 0 else values
            counts, _ = np.histogram(scaled, bins=BINS, range=(-1.0, 1.0))
            heights = 0.8 * counts / max(counts.max(), 1)
            self.stairs[k].set_data(k + heights, edges, baseline=float(k))


def _set_line(line, layers, values):
    values = np.asarray(values, dtype=np.float64)
    good = np.isfinite(values) & (values > 0)
    line.set_data(layers[good], values[good])


def _log_range(current, *arrays):
    """Limits of a log axis for ``arrays``, in whole steps of three decades.

    The ``current`` limits are kept while they hold the data and are at most six
    decades too wide, so that during a slider drag the axes (and the background
    image of the blitting) rarely change.
    """
    values = np.concatenate([np.asarray(a, dtype=np.float64) for a in arrays])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return current or (1e-3, 1e1)
    low = max(3 * math.floor(math.log10(values.min() / 1.5) / 3), -200)
    high = min(max(3 * math.ceil(math.log10(values.max() * 1.5) / 3), low + 3), 200)
    if current is not None:
        current_low, current_high = (round(math.log10(limit)) for limit in current)
        if current_low <= low and current_high >= high and (current_high - current_low) - (high - low) <= 6:
            return current
    return 10.0 ** low, 10.0 ** high


def signal_explorer(depth=10, width=500, activation="tanh", init="lecun_normal", scale=1.0,
                    n_samples=1000, rng=0, present=None) -> SignalExplorer:
    """Sliders for depth, width and weight scale over a deep random network.

    Parameters
    ----------
    depth : int, 1..50
    width : int, 10..2000
    activation : {"tanh", "sigmoid", "relu", "leaky_relu", "linear"}
    init : name from ``initlab.initializers.names()``
    scale : float, 1e-3..1e2
        Multiplies the initializer's weights: 1 is the initializer as it is.
    n_samples : int, 100..10000
        Inputs per update (fewer for very big networks, to keep updates fast).
    rng : int or Generator
        Seed of the cached random draws.
    present : bool, optional
        Bigger figure and fonts for a projector (default: ``initlab.plots.present()``'s setting).

    The view: per-layer std of the activations and of the back-propagated gradient,
    each with its mean-field prediction; histograms of both at four layers; and a
    one-line verdict (collapsing / healthy / saturating / exploding).
    """
    return SignalExplorer(depth=depth, width=width, scale=scale, activation=activation, init=init,
                          n_samples=n_samples, rng=rng, present=present)


# ============================================================================
# weighted-sum explorer
# ============================================================================
N_INPUTS_RANGE = (1, 2000)
TRIALS = 4000
X_LIMITS = (6, 8, 10, 15, 20, 30, 40, 60, 80, 100, 150, 200, 300, 400, 600, 800, 1000)


class WeightedSumExplorer(_Explorer):
    """One neuron z = sum_j w_j x_j + b, with x_j in {0, 1}, simulated many times.

    Each trial draws fresh weights w_j ~ N(0, weight_std^2) and a bias
    b ~ N(0, bias_std^2).  Only the inputs that are on contribute, so
    z = weight_std * (sum of n_on standard normals) + bias_std * N(0, 1).  The
    running sums of a cached (TRIALS, n_inputs_max) standard-normal matrix give
    every n_on at once, so a slider move costs O(TRIALS), not a new simulation.
    """

    def __init__(self, n_inputs=1000, fraction_on=0.5, weight_std=1.0, bias_std=1.0, rng=0, present=None):
        n_inputs = _in_range("n_inputs", n_inputs, *N_INPUTS_RANGE)
        fraction_on = check_float("fraction_on", fraction_on, minimum=0.0, maximum=1.0)
        weight_std = check_float("weight_std", weight_std, minimum=1e-3, maximum=10.0)
        self.bias_std = check_float("bias_std", bias_std, minimum=0.0, maximum=100.0)
        self.presenting = _presenting(present)
        rng = as_generator(rng)
        normals = rng.standard_normal((TRIALS, N_INPUTS_RANGE[1]), dtype=np.float32)
        self._running_sums = np.cumsum(normals, axis=1, dtype=np.float64)
        self._bias_draws = rng.standard_normal(TRIALS)

        style = {"description_width": "110px"}
        layout = w.Layout(width="460px")
        self.n_inputs = w.IntSlider(value=n_inputs, min=N_INPUTS_RANGE[0], max=N_INPUTS_RANGE[1],
                                    description="inputs n", style=style, layout=layout)
        self.fraction_on = w.FloatSlider(value=fraction_on, min=0.0, max=1.0, step=0.01,
                                         description="fraction on", style=style, layout=layout)
        self.weight_std = w.FloatLogSlider(value=weight_std, base=10, min=-3, max=1, step=0.05,
                                           description="weight std", readout_format=".3g", style=style,
                                           layout=layout)
        self.buttons = w.HBox([w.Button(description="weight std = 1"),
                               w.Button(description="weight std = 1/sqrt(n)")])
        self.buttons.children[0].on_click(lambda _: setattr(self.weight_std, "value", 1.0))
        self.buttons.children[1].on_click(
            lambda _: setattr(self.weight_std, "value", max(1e-3, 1 / math.sqrt(self.n_inputs.value))))
        self.status = w.HTML()
        self.image = w.Image(format="png")
        self.widget = w.VBox([w.HBox([w.VBox([self.n_inputs, self.fraction_on, self.weight_std]), self.buttons]),
                              self.status, self.image])
        self.last_error = None
        self._build_figure()
        self.refresh()
        for control in (self.n_inputs, self.fraction_on, self.weight_std):  # see SignalExplorer
            control.observe(lambda change: self.refresh(), names="value")

    @property
    def n_on(self) -> int:
        return int(round(self.fraction_on.value * self.n_inputs.value))

    def simulate(self) -> np.ndarray:
        """The TRIALS simulated values of z at the current settings."""
        n_on = self.n_on
        sums = self._running_sums[:, n_on - 1] if n_on > 0 else np.zeros(TRIALS)
        return self.weight_std.value * sums + self.bias_std * self._bias_draws

    def _build_figure(self):
        size = 1.35 if self.presenting else 1.0
        self.figure = Figure(figsize=(11 * size, 5.0 * size), dpi=80)
        self.figure.subplots_adjust(left=0.05, right=0.92, bottom=0.13, top=0.86)
        with matplotlib.rc_context(_plots.style(self.presenting)):
            ax = self.ax = self.figure.add_subplot(1, 1, 1)
            self.shades = [ax.axvspan(-2.0, -1.0, color="grey", alpha=0.2, label="sigmoid saturated"),
                           ax.axvspan(1.0, 2.0, color="grey", alpha=0.2)]
            self.stairs = ax.stairs(np.zeros(60), np.linspace(-1, 1, 61), fill=True, color=_plots.COLORS[5],
                                    alpha=0.85, label="simulated z")
            self.curve, = ax.plot([], [], color="black", linewidth=2.5, label="predicted N(0, std²)")
            ax.set_yticks([])
            ax.grid(False, axis="y")
            ax.set_xlabel("z = w · x + b")
            ax.set_ylabel("density")
            self.ax_sigmoid = ax.twinx()
            self.sigmoid_curve, = self.ax_sigmoid.plot([], [], color=_plots.COLORS[3], linewidth=2,
                                                       label="sigmoid(z)")
            self.ax_sigmoid.set_ylim(0, 1.02)
            self.ax_sigmoid.set_yticks([0, 0.5, 1])
            self.ax_sigmoid.set_ylabel("sigmoid(z)", color=_plots.COLORS[3])
            self.ax_sigmoid.grid(False)
            handles = [self.stairs, self.curve, self.sigmoid_curve, self.shades[0]]
            ax.legend(handles, [h.get_label() for h in handles], loc="upper left", fontsize=11)
            self.title = self.figure.text(0.5, 0.93, "", ha="center", va="center", fontsize=15)
        self._painter = _Painter(self.figure)

    def refresh(self):
        try:
            self._draw()
            self.last_error = None
        except Exception as error:  # never raise into the notebook
            self._report("Could not update", error)

    def _draw(self):
        z = self.simulate()
        n_on = self.n_on
        s = self.predicted_std = _theory.weighted_sum_std(n_on, self.weight_std.value, self.bias_std)
        self.measured_std = float(z.std())
        # the x range steps through 6, 10, 20, 50, 100, ... so that most updates keep the axes
        limit = next(x for x in X_LIMITS if x >= 4.5 * max(s, 1e-9))
        counts, edges = np.histogram(z, bins=60, range=(-limit, limit), density=True)
        self.stairs.set_data(counts, edges)
        grid = np.linspace(-limit, limit, 400)
        density = np.exp(-0.5 * (grid / s) ** 2) / (s * math.sqrt(2 * math.pi)) if s > 0 else np.zeros_like(grid)
        self.curve.set_data(grid, density)
        self.sigmoid_curve.set_data(grid, _activations.sigmoid.function(grid))
        edge = _theory.sigmoid_saturation_threshold()  # sigmoid(z) > 0.99 for z > 4.595
        self.shades[0].set_x(-limit)
        self.shades[0].set_width(limit - edge)
        self.shades[1].set_x(edge)
        self.shades[1].set_width(limit - edge)
        self.saturated = float(np.mean(np.abs(z) > edge))
        self.predicted_saturated = _theory.sigmoid_saturated_fraction(s)
        self.title.set_text(
            f"{n_on} of {self.n_inputs.value} inputs on, weight std {self.weight_std.value:.3g}, bias std "
            f"{self.bias_std:g}: predicted std(z) = {s:.3g}, simulated {self.measured_std:.3g}"
        )
        peak = max(counts.max(), density.max()) * 1.1

        def set_axes():
            self.ax.set_xlim(-limit, limit)

        self.ax.set_ylim(0, peak)  # no y ticks: changing it needs no new background
        dynamic = self.shades + [self.stairs, self.curve, self.sigmoid_curve, self.title]
        self.png = self._painter.render(limit, set_axes, dynamic)
        self.image.value = self.png
        self.status.value = (
            f"<span style='font-size:{'20' if self.presenting else '15'}px'>std(z) = sqrt({n_on} × "
            f"{self.weight_std.value:.3g}² + {self.bias_std:g}²) = <b>{s:.3g}</b> · sigmoid saturated "
            f"(|z| > 4.6, shaded): <b>{self.saturated:.1%}</b> of neurons (predicted "
            f"{self.predicted_saturated:.1%})</span>"
        )

    def summary(self) -> str:
        return (f"WeightedSumExplorer(n_on={self.n_on}, weight_std={self.weight_std.value:.3g}, "
                f"bias_std={self.bias_std:g}): predicted std(z) {self.predicted_std:.3g}, "
                f"sigmoid saturated {self.predicted_saturated:.1%}")


def weighted_sum_explorer(n_inputs=1000, fraction_on=0.5, weight_std=1.0, bias_std=1.0, rng=0,
                          present=None) -> WeightedSumExplorer:
    """Sliders for one neuron's number of inputs, fraction on and weight std.

    Shows the histogram of z = w · x + b over 4000 simulated neurons with the
    predicted N(0, n_on * weight_std^2 + bias_std^2) drawn over it, the sigmoid,
    and the fraction of neurons whose sigmoid is saturated (|z| > 4.6).
    """
    return WeightedSumExplorer(n_inputs=n_inputs, fraction_on=fraction_on, weight_std=weight_std,
                               bias_std=bias_std, rng=rng, present=present)


# ============================================================================
# training explorer
# ============================================================================
MAX_RUNS = 6


class TrainingExplorer(_Explorer):
    """Train the course's MNIST network from a chosen start and watch it learn.

    Pick an initializer and a scale (a factor on its weights), press "train", and the
    validation accuracy is drawn epoch by epoch next to the earlier runs and the
    published full-MNIST curves.  ``train()`` does the same from code.
    """

    def __init__(self, data=None, hidden=30, epochs=10, init="lecun_normal", scale=1.0, rng=0, present=None):
        from . import data as _data
        from .experiments import SETUP

        self.data = _data.load_mnist() if data is None else data
        if not hasattr(self.data, "x_train") or not hasattr(self.data, "y_validation"):
            raise TypeError(f"data must be the result of initlab.data.load_mnist(), got {type(data).__name__}")
        hidden = check_int("hidden", hidden, minimum=1, maximum=1000)
        epochs = _in_range("epochs", epochs, 1, 30)
        init = check_choice("init", init, _initializers.names())
        scale = _in_range("scale", scale, 1e-2, 1e1, kind="float")
        self.rng = check_int("rng", rng, minimum=0)
        self.presenting = _presenting(present)
        self.setup = SETUP

        style = {"description_width": "90px"}
        self.init = w.Dropdown(options=_initializers.names(), value=init, description="initializer", style=style)
        self.scale = w.FloatLogSlider(value=scale, base=10, min=-2, max=1, step=0.05, description="weight scale",
                                      readout_format=".3g", style=style)
        self.hidden = w.Dropdown(options=sorted({30, 100, hidden}), value=hidden, description="hidden units",
                                 style=style)
        self.epochs = w.IntSlider(value=epochs, min=1, max=30, description="epochs", style=style)
        self.button = w.Button(description="train", button_style="primary", icon="play")
        self.clear_button = w.Button(description="clear runs")
        self.progress = w.IntProgress(value=0, min=0, max=epochs, description="progress", style=style)
        self.status = w.HTML()
        self.image = w.Image(format="png")
        self.widget = w.VBox([
            w.HBox([w.VBox([self.init, self.scale]), w.VBox([self.hidden, self.epochs]),
                    w.VBox([self.button, self.clear_button])]),
            self.progress, self.status, self.image])
        self.runs = []  # (label, accuracies)
        self.last_error = None
        self.button.on_click(lambda _: self.train())
        self.clear_button.on_click(lambda _: self.clear())
        self.hidden.observe(lambda change: self._draw(), names="value")  # its published curves
        size = 1.35 if self.presenting else 1.0
        self.figure = Figure(figsize=(10 * size, 5.2 * size), dpi=80)
        self.canvas = FigureCanvasAgg(self.figure)
        self._draw()
        self.status.value = (f"{len(self.data.x_train)} training and {len(self.data.x_validation)} validation "
                             f"images. Choose a start and press <b>train</b>.")

    def clear(self):
        self.runs = []
        self._draw()

    def train(self):
        """Train one run with the current settings; the figure grows after every epoch."""
        from .experiments import train_network

        self.button.disabled = True
        try:
            base = _initializers.get(self.init.value)
            factor = float(self.scale.value)

            def scaled(fan_in, fan_out, rng=None):
                return factor * base(fan_in, fan_out, rng)

            label = f"{self.init.value} × {factor:.3g}, {self.hidden.value} hidden"
            epochs = self.epochs.value
            self.progress.max, self.progress.value = epochs, 0
            accuracies = []
            self.runs = (self.runs + [(label, accuracies)])[-MAX_RUNS:]

            def after_epoch(epoch, history):
                accuracies.append(history.validation_accuracy[-1])
                self.progress.value = epoch
                self.status.value = f"<b>{label}</b>: epoch {epoch}/{epochs}, validation accuracy " \
                                    f"{accuracies[-1]:.1%}"
                self._draw()

            train_network(self.data, scaled, hidden=self.hidden.value, epochs=epochs, rng=self.rng,
                          callback=after_epoch)
            self.last_error = None
        except Exception as error:  # never raise into the notebook
            self._report("Training failed", error)
        finally:
            self.button.disabled = False

    def _draw(self):
        from .reference import MNIST_PUBLISHED

        fig = self.figure
        fig.clear()
        with matplotlib.rc_context(_plots.style(self.presenting)):
            ax = fig.add_subplot(1, 1, 1)
            longest = max([len(a) for _, a in self.runs] + [self.epochs.value, 5])
            epochs = np.array(MNIST_PUBLISHED["epochs"])
            shown = epochs <= longest
            hidden = self.hidden.value
            for k, start in enumerate(("old", "new")):  # the colours of notebook 06's figures
                if (hidden, start) not in MNIST_PUBLISHED:
                    continue
                values = np.array(MNIST_PUBLISHED[(hidden, start)]) / 100.0
                ax.plot(epochs[shown], values[shown], "s:", color=_plots.COLORS[k], markerfacecolor="white",
                        markeredgewidth=2, label=f"published, full MNIST, {hidden} hidden, {start} start")
            for k, (label, accuracies) in enumerate(self.runs):
                if accuracies:
                    ax.plot(np.arange(1, len(accuracies) + 1), 100 * np.array(accuracies), "o-",
                            color=_plots.COLORS[(k + 2) % len(_plots.COLORS)], label=label)
            lowest = min([min(a) for _, a in self.runs if a] + [0.5])
            ax.set_xlim(0.5, longest + 0.5)
            ax.set_ylim(40 if lowest >= 0.45 else 0, 100)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel("epoch")
            ax.set_ylabel("validation accuracy (%)")
            ax.set_title(f"[784, {hidden}, 10] sigmoid network, mini-batch 10, eta 0.1, lambda 5")
            ax.legend(loc="lower right", fontsize=10)
            fig.subplots_adjust(left=0.09, right=0.98, bottom=0.12, top=0.9)
        self.canvas.draw()
        self.png = _encode_png(self.canvas)
        self.image.value = self.png

    def summary(self) -> str:
        finished = [f"{label}: {acc[-1]:.1%} after {len(acc)} epochs" for label, acc in self.runs if acc]
        return "TrainingExplorer(" + ("; ".join(finished) or "no run yet") + ")"


def training_explorer(data=None, hidden=30, epochs=10, init="lecun_normal", scale=1.0, rng=0,
                      present=None) -> TrainingExplorer:
    """A "train" button for the course's MNIST network, with live accuracy curves.

    Parameters
    ----------
    data : MnistData, optional
        Default ``initlab.data.load_mnist()``, the offline sample (10 epochs take
        well under a second of training here).
    hidden : int, the hidden layer's width (30 or 100 in the course)
    epochs : int, 1..30
    init : initializer name;  scale : float, 0.01..10, a factor on its weights
    rng : int, the seed of weights, biases and shuffling (the same for every run,
        so that runs differ only in their start)
    """
    return TrainingExplorer(data=data, hidden=hidden, epochs=epochs, init=init, scale=scale, rng=rng,
                            present=present)
