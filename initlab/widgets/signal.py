"""The signal explorer: drag depth, width and weight scale over a deep random network.

Notebooks 02, 04 and 05 use it to show a signal collapse, stay healthy, saturate
or explode.  What keeps an update fast enough to feel immediate:

- the network (``network.SignalNetwork``) keeps its random draws and its latest
  passes: changing the weight scale or the activation reuses the same weights,
  adding a layer computes only that layer forward, and for relu, leaky_relu and
  linear a scale change needs no pass at all (they are positively homogeneous);
- arithmetic is float32, with powers of two keeping the numbers near 1;
- wide layers get fewer samples (``samples_for``: 1000 at width 500, 32 at 2000);
- the figure is drawn once and then blitted (``render.Painter``).
"""

from __future__ import annotations

import math

import ipywidgets as w
import matplotlib
import numpy as np
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox

from .. import activations as _activations
from .. import style as _style
from .. import theory as _theory
from ..checks import as_generator, check_choice, check_int
from ..diagnosis import diagnose
from ..propagation import PropagationResult
from .base import Explorer, in_range
from .network import INITIALIZERS, SignalNetwork
from .render import Painter, Ridges, log_axis, log_range, set_line

__all__ = ["SignalExplorer", "signal_explorer", "axis_end", "INITIALIZERS"]

DEPTH_RANGE = (1, 50)
WIDTH_RANGE = (10, 2000)
SCALE_RANGE = (1e-3, 1e2)
#: Samples per update: at most ``n_samples``, fewer for wide layers.  A layer costs
#: samples x width^2 multiply-adds, and BLAS does fewer of them a second on a few dozen
#: rows than on hundreds: 50 tanh layers of 2.5e8 multiply-adds took 309 ms at width 500
#: (1000 samples) and 506 ms at width 2000 (64 samples).  So the samples fall as
#: width^-2.5 rather than width^-2, from the course's reference run (1000 samples of
#: width 500): 176 at width 1000, 64 at 1500 and 32 at 2000, still 64,000 values per
#: statistic.  A tanh update at depth 50 then takes 0.25-0.33 s at every width from 500 to
#: 2000 (``benchmarks/widget_speed.py``: 0.31 s at width 2000).
#: The count depends on the width only, so that moving the depth slider leaves the
#: earlier layers as they were.
REFERENCE_WIDTH, REFERENCE_SAMPLES = 500, 1000
SAMPLES_POWER = 2.5
MIN_SAMPLES = 32


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

        self.network = SignalNetwork(self._seed, self.max_samples)
        self.result = None
        self.verdict = ""
        self._std_range = None
        self._last_layer = None
        self._build_figure()
        self.refresh()
        self.watch(self.depth, self.width, self.scale, self.activation, self.init)

    # ---------------------------------------------------------------- computing
    def samples_for(self, width) -> int:
        """Samples used: 1000 (500 / width)^2.5, at least 32, at most max_samples (see SAMPLES_POWER)."""
        rule = REFERENCE_SAMPLES * (REFERENCE_WIDTH / width) ** SAMPLES_POWER
        return int(min(self.max_samples, max(MIN_SAMPLES, rule)))

    def compute(self):
        """Run the network at the current control values; sets ``result`` and ``verdict``."""
        depth, width, scale = self.depth.value, self.width.value, self.scale.value
        act = _activations.get(self.activation.value)
        _, power = self.network.weights(self.init.value, width, depth)
        self.n_samples = self.samples_for(width)
        sigma = np.sqrt(np.array(power) * width) * scale  # inputs are N(0, 1): E[x^2] = 1
        with np.errstate(over="ignore", invalid="ignore"):
            predicted = _theory.mean_field(depth, np.minimum(sigma, 1e150), activation=act)
        self.shown_layers = sorted({1, max(1, round(depth / 3)), max(1, round(2 * depth / 3)), depth})
        stats, grad_std, kept_h, kept_dz, exploded_at, grad_exploded_at = self.network.run(
            self.init.value, act, width, depth, scale, self.n_samples, self.shown_layers)
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
            log_axis(ax.yaxis)
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
                ridge_ax.title.set_fontsize("medium")
            # the title: its words are part of the frame (they change with the activation, width and
            # initializer), only the weight scale and depth after them are drawn at each update (a
            # whole title took 3-10 ms)
            self.title = fig.text(0.5, 1 - 12 / height, "", ha="right", va="center", fontsize="large")
            self.title_scale = fig.text(0.5, 1 - 12 / height, "", ha="left", va="center", fontsize="large")
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
        heading = f"{result.activation}, width {result.widths[1]}, {self.n_samples} samples: {result.init} "
        self.title_scale.set_text(f"× {self.scale.value:.3g}, depth {depth}")
        last = self._last_layer = axis_end(self._last_layer, depth)

        def set_axes():
            self.ax_std.set_xlim(0.5, last + 0.5)
            self.ax_std.set_ylim(low, high)
            self.ax_std.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=10))
            if self.title.get_text() != heading:
                self.title.set_text(heading)
                self._center_title()

        # in the order a full drawing has them: the pale prediction bands under the measured points, the std
        # plot's frame (spines) over points at its edge
        dynamic = [self.line_std_pred, self.line_grad_pred, self.line_std, self.line_grad,
                   *self.ax_std.spines.values(), self.message, *self.ridges_h.stairs, *self.ridges_g.stairs,
                   self.title_scale]
        # the std plot's ticks and grid change with its limits, each axis with its own (a weight-scale drag
        # moves the std's range, not the layers'); the rest of the figure with the heading
        axes = [[self.ax_std.xaxis], [self.ax_std.yaxis]]
        # the histograms' layer labels, right of their axes: far from the std plot's axes
        labels = Bbox.from_extents(self.ridges_h.ax.bbox.x1, 0, *self.figure.bbox.p1)
        self.show(self._painter.render((last, (low, high)), set_axes, dynamic, axes=axes, frame_key=heading,
                                       steady=self.ridges_h.labels + self.ridges_g.labels,
                                       steady_key=tuple(self.shown_layers), steady_region=labels))
        colour = {"healthy": "#009E73"}.get(self.verdict.split(":")[0], "#D55E00")
        self.say(f"<b style='color:{colour}'>{self.verdict}</b> <span style='color:#555'>(depth {depth}, "
                 f"width {result.widths[1]}, scale {self.scale.value:.3g})</span>")

    def _center_title(self):
        """Put the title's two parts (words, then scale and depth) side by side, centred together, in a
        font small enough that the longest second part ("× 0.001, depth 50") still fits in the figure's width."""
        renderer = self._painter.canvas.get_renderer()
        scale_text = self.title_scale.get_text()
        self.title_scale.set_text("× 0.001, depth 50")
        for text in (self.title, self.title_scale):
            text.set_fontsize("large")
        words, scale = (text.get_window_extent(renderer).width for text in (self.title, self.title_scale))
        room = 0.98 * self.figure.bbox.width
        if words + scale > room:
            for text in (self.title, self.title_scale):
                text.set_fontsize(text.get_fontsize() * room / (words + scale))
            words, scale = words * room / (words + scale), scale * room / (words + scale)
        self.title_scale.set_text(scale_text)
        x = 0.5 + (words - scale) / 2 / self.figure.bbox.width
        self.title.set_x(x)
        self.title_scale.set_x(x)

    def summary(self) -> str:
        return (f"SignalExplorer({self.init.value}, {self.activation.value}, depth={self.depth.value}, "
                f"width={self.width.value}, scale={self.scale.value:.3g}): {self.verdict}")


def axis_end(current, depth) -> int:
    """The last layer of the layer axis: ``current`` while it holds ``depth`` and is less than 10 layers longer,
    else the depth itself up to 10 and the next multiple of 5 beyond.

    Dragging the depth then mostly keeps the axes, and an update draws only what changed
    (10-20 ms) instead of the whole figure (about 70 ms).
    """
    if current is not None and depth <= current < depth + 10:
        return current
    return depth if depth <= 10 else 5 * math.ceil(depth / 5)


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
    n_samples : int, 32..10000
        Inputs per update: fewer for wide layers, to keep updates fast (32 at width 2000,
        ``SignalExplorer.samples_for``).
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
