"""The isometry explorer: the singular values of a deep network's input-output Jacobian (notebook 08).

Drag depth, width and sigma_w, pick the activation and the weights (Gaussian or
orthogonal), and see every singular value of J = W_1 D_1 ... W_L D_L, its
condition number, and how mean(s^2) grows or shrinks layer by layer against
chi_1's prediction.  What keeps an update fast:

- the network is drawn once at unit scale per (weights, width) and extended
  layer by layer (``jacobian.unit_network``): sigma_w, the activation and the
  depth only rescale or reuse it;
- the figure is drawn once and then blitted (``render.Painter``).
"""

from __future__ import annotations

import math

import ipywidgets as w
import matplotlib
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import activations as _activations
from .. import jacobian as _jacobian
from .. import style as _style
from ..checks import check_choice, check_int
from .base import Explorer, in_range
from .render import Painter, log_axis, log_range, set_line

__all__ = ["IsometryExplorer", "isometry_explorer", "relative_variance"]

DEPTH_RANGE = (1, 100)
WIDTH_RANGE = (10, 400)
SIGMA_RANGE = (0.25, 3.0)


def relative_variance(values) -> float:
    """var(s^2) / mean(s^2)^2 of singular values ``values`` (largest first): 0 for an isometry.

    ``JacobianSpectra.relative_variance``, computed on s / s_max: the ratio does not
    change, and a deep, contracting network's s^2 (1e-240 at depth 100, sigmoid,
    sigma_w 0.25) no longer underflows to 0 / 0.
    """
    if values[0] == 0:
        return 0.0
    squares = (values / values[0]) ** 2
    return float(squares.var() / squares.mean() ** 2)


class IsometryExplorer(Explorer):
    """Interactive view of the singular values of a deep network's Jacobian.

    Use :func:`isometry_explorer` to make one.  Attributes a program can use:
    ``depth``, ``width``, ``activation``, ``init``, ``sigma_w`` (the controls);
    ``spectra`` (the latest ``jacobian.JacobianSpectra``); ``condition`` (s_max /
    s_min, inf when J is singular to float64); ``png``; ``last_error``.
    """

    def __init__(self, depth=30, width=200, activation="tanh", init="orthogonal", sigma_w=1.05, rng=0, present=None):
        depth = in_range("depth", depth, *DEPTH_RANGE)
        width = in_range("width", width, *WIDTH_RANGE)
        sigma_w = in_range("sigma_w", sigma_w, *SIGMA_RANGE, kind="float")
        activation = check_choice("activation", activation, _activations.names())
        init = check_choice("init", init, _jacobian.WEIGHTS)
        self.seed = check_int("rng", rng, minimum=0)
        super().__init__(present)

        style = self.label_style("depth", "width", "sigma_w", "activation", "weights")
        layout, menu_layout = w.Layout(width="370px"), w.Layout(width="225px")
        self.depth = w.IntSlider(value=depth, min=DEPTH_RANGE[0], max=DEPTH_RANGE[1], description="depth",
                                 layout=layout, style=style)
        # a new width draws a new network: update on release only
        self.width = w.IntSlider(value=width, min=WIDTH_RANGE[0], max=WIDTH_RANGE[1], step=10, description="width",
                                 continuous_update=False, layout=layout, style=style)
        self.sigma_w = w.FloatSlider(value=sigma_w, min=SIGMA_RANGE[0], max=SIGMA_RANGE[1], step=0.005,
                                     description="sigma_w", readout_format=".3f", layout=layout, style=style)
        self.activation = w.Dropdown(options=_activations.names(), value=activation, description="activation",
                                     layout=menu_layout, style=style)
        self.init = w.Dropdown(options=list(_jacobian.WEIGHTS), value=init, description="weights",
                               layout=menu_layout, style=style)
        self.arrange(self.depth, self.width, self.sigma_w, self.activation, self.init)
        self._networks = {}  # (init, width) -> {"x", "weights", "biases"} at unit scale
        self._values_range = self._mean_range = None
        self.spectra = None
        self.condition = math.nan
        self._build_figure()
        self.refresh()
        self.watch(self.depth, self.width, self.sigma_w, self.activation, self.init)

    # ---------------------------------------------------------------- computing
    def _unit_network(self, init, width, depth):
        """The unit-scale network for (init, width), extended to ``depth`` layers; earlier layers are kept.

        The two latest (init, width) networks are kept, so that switching the weights
        back and forth draws nothing.
        """
        key = (init, width)
        cached = self._networks.pop(key, None) or {"x": None, "weights": [], "biases": []}
        self._networks[key] = cached  # most recent last
        while len(self._networks) > 2:
            del self._networks[next(iter(self._networks))]
        have = len(cached["weights"])
        if have < depth:
            x, weights, biases = _jacobian.unit_network(init, width, depth, first=have, rng=self.seed)
            cached["x"] = x
            cached["weights"] += weights
            cached["biases"] += biases
        return cached["x"], cached["weights"], cached["biases"]

    def compute(self):
        """J's singular values at the current controls; sets ``spectra`` and ``condition``."""
        depth, width, sigma_w = self.depth.value, self.width.value, self.sigma_w.value
        act = _activations.get(self.activation.value)
        init = self.init.value
        variance = _jacobian.fixed_point_input_variance(sigma_w, 0.0, act)
        self.spectra = _jacobian.spectra_of(self._unit_network(init, width, depth), init, act, (depth,), sigma_w, 0.0,
                                            variance)
        self.condition = self.spectra.condition(depth)
        return self.spectra

    # ---------------------------------------------------------------- drawing
    def _build_figure(self):
        fig = self.figure = self.new_figure()
        width, height = fig.get_size_inches() * 72
        with matplotlib.rc_context(_style.style(self.presenting)):
            colors = _style.COLORS
            # margins in points, like the fonts, so that the layout suits both modes
            self.ax_values = ax = self.axes_at(62, 46, width / 2 - 30, -50)
            self.line_values, = ax.plot([], [], "-", color=colors[0], label="singular values of J")
            self.one_values = ax.axhline(1.0, color="black", linewidth=1, linestyle=":")
            ax.set_yscale("log")
            log_axis(ax.yaxis)
            ax.set_xlim(0, 1)
            ax.set_xlabel("share of directions (largest first)")
            ax.set_ylabel("singular value (log scale)")
            ax.set_title("the spectrum of J", fontsize="medium")
            self.ax_mean = ax = self.axes_at(width / 2 + 50, 46, -12, -50)
            self.line_predicted, = ax.plot([], [], "-", color=colors[3], linewidth=9, alpha=0.25,
                                           label="predicted: product of chi_1")
            self.line_mean, = ax.plot([], [], "o-", color=colors[3], markersize=4, label="measured")
            self.one_mean = ax.axhline(1.0, color="black", linewidth=1, linestyle=":")
            ax.set_yscale("log")
            log_axis(ax.yaxis)
            ax.set_xlabel("layer")
            ax.set_ylabel("mean of s² (log scale)")
            ax.set_title("mean of s² after each layer", fontsize="medium")
            self.legend = ax.legend(loc="upper left", fontsize="small")
            self.title = fig.text(0.5, 1 - 13 / height, "", ha="center", va="center", fontsize="large")
            self.note = self.ax_values.text(0.97, 0.05, "", transform=self.ax_values.transAxes, ha="right",
                                            va="bottom", fontsize="small", color=colors[3])
        self._painter = Painter(fig)

    def update(self):
        spectra = self.compute()
        depth, width = self.depth.value, self.width.value
        values = spectra.singular_values[depth]
        resolved = values > _jacobian.tolerance(values, (width, width))
        share = np.arange(1, width + 1) / width
        self.line_values.set_data(share[resolved], values[resolved])
        lost = 1 - resolved.mean()
        self.note.set_text(f"{lost:.0%} of the directions are 0 to float64" if lost > 0 else "")
        layers = np.arange(1, depth + 1)
        set_line(self.line_mean, layers, spectra.mean_square_by_layer)
        set_line(self.line_predicted, layers, spectra.predicted_mean_square)
        # log axes in steps of three decades that stay put while the data fit (fewer background redraws)
        low_values, high_values = self._values_range = log_range(self._values_range, values[resolved], [0.1, 10.0])
        low_mean, high_mean = self._mean_range = log_range(self._mean_range, spectra.mean_square_by_layer,
                                                           spectra.predicted_mean_square)
        self.title.set_text(f"{self.init.value} weights × {self.sigma_w.value:.3f}, {spectra.activation}, "
                            f"depth {depth}, width {width}")

        shown_depth = 10 * math.ceil(depth / 10)  # the layer axis steps by 10: a depth drag rarely redraws it

        def set_axes():
            self.ax_values.set_ylim(low_values, high_values)
            self.ax_mean.set_xlim(0.5, shown_depth + 0.5)
            self.ax_mean.set_ylim(low_mean, high_mean)
            self.ax_mean.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))

        # in a full drawing's order, over the axes' grid lines: each plot's curves, its line at 1, its spines,
        # then the note and the legend
        dynamic = [self.line_values, self.one_values, *self.ax_values.spines.values(), self.note,
                   self.line_predicted, self.line_mean, self.one_mean, *self.ax_mean.spines.values(), self.legend,
                   self.title]
        # each axis whose limits move is drawn alone over the kept rest of the figure
        axes = [[self.ax_mean.xaxis], [self.ax_values.yaxis], [self.ax_mean.yaxis]]
        self.show(self._painter.render((shown_depth, (low_values, high_values), (low_mean, high_mean)), set_axes,
                                       dynamic, axes=axes))
        self.say(self._status())

    def _numbers(self) -> dict:
        """What the status line and the summary report, to three significant digits."""
        spectra, depth = self.spectra, self.depth.value
        return {"condition": "inf" if math.isinf(self.condition) else f"{self.condition:.3g}",
                "mean": f"{spectra.mean_square(depth):.3g}",
                "mean_predicted": f"{spectra.predicted_mean_square[-1]:.3g}",
                "spread": f"{relative_variance(spectra.singular_values[depth]):.3g}",
                "spread_predicted": f"{spectra.predicted_relative_variance[-1]:.3g}"}

    def _status(self) -> str:
        n, depth, width = self._numbers(), self.depth.value, self.width.value
        singular = " (J is singular to float64)" if n["condition"] == "inf" else ""
        return (f"condition number s_max / s_min = <b>{n['condition']}</b>{singular} · mean s² <b>{n['mean']}</b> "
                f"(predicted {n['mean_predicted']}) · var(s²)/mean² <b>{n['spread']}</b> (predicted "
                f"{n['spread_predicted']}) · rank {self.spectra.rank(depth)} of {width} <span style='color:#555'>"
                f"(depth {depth}, width {width}, sigma_w {self.sigma_w.value:.3f})</span>")

    def summary(self) -> str:
        n = self._numbers()
        return (f"IsometryExplorer({self.init.value}, {self.spectra.activation}, depth={self.depth.value}, "
                f"width={self.width.value}, sigma_w={self.sigma_w.value:.3f}): condition number {n['condition']}, "
                f"mean s^2 {n['mean']} (predicted {n['mean_predicted']}), var(s^2)/mean^2 {n['spread']} "
                f"(predicted {n['spread_predicted']})")


def isometry_explorer(depth=30, width=200, activation="tanh", init="orthogonal", sigma_w=1.05, rng=0,
                      present=None) -> IsometryExplorer:
    """Sliders for depth, width and sigma_w over the Jacobian of a deep random network.

    Parameters
    ----------
    depth : int, 1..100
    width : int, 10..400
    activation : {"tanh", "sigmoid", "relu", "leaky_relu", "linear"}
    init : {"gaussian", "orthogonal"}
        W_l = sigma_w * (N(0, 1/width) entries) or sigma_w * (a Haar orthogonal matrix).
    sigma_w : float, 0.25..3
    rng : int
        Seed of the network (drawn once per weights and width, extended as depth grows).
    present : bool, optional
        Bigger figure and fonts for a projector.

    The input sits at the fixed point q* of the length map when there is one
    (``jacobian.fixed_point_input_variance``); there mean(s^2) = chi_1^L.  The
    view: J's singular values, largest first (log axis), and mean(s^2) after each
    layer against the product of chi_1; the status line gives the condition
    number, var(s^2) / mean(s^2)^2 against free probability's prediction, and the
    rank (ReLU switches off about half the directions).
    """
    return IsometryExplorer(depth=depth, width=width, activation=activation, init=init, sigma_w=sigma_w, rng=rng,
                            present=present)
