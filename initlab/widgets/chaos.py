"""The chaos explorer: slide sigma_w and sigma_b of a deep tanh network between order and chaos.

Notebook 07 uses it.  Each position shows chi_1, c*, the depth scales, the predicted and
the measured correlation of two inputs layer by layer, the gradient's mean square layer
by layer, and the point on the (sigma_w^2, sigma_b^2) phase diagram.  What keeps an
update quick (about 0.1-0.3 s):

- the network is drawn once at unit scale, W ~ N(0, 1/width) and b ~ N(0, 1); a setting
  only multiplies them by sigma_w and sigma_b;
- the phase diagram is part of the background image; an update redraws the curves and
  the marker only (``render.Painter``).
"""

from __future__ import annotations

import math

import ipywidgets as w
import matplotlib
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from .. import meanfield as _meanfield
from .. import style as _style
from .. import theory as _theory
from ..checks import as_generator, check_float, check_int
from ..correlation import correlated_inputs, network_statistics
from ..phase_plots import draw_phase_diagram
from .base import Explorer, in_range
from .render import Painter, log_axis, log_range, set_line

__all__ = ["ChaosExplorer", "chaos_explorer", "PRESETS"]

SIGMA_W_RANGE = (0.1, 30.0)
SIGMA_B_RANGE = (0.0, 1.5)
#: The sliders' steps: sigma_w's in log10(sigma_w) (0.23% apart), sigma_b's in sigma_b.
LOG_SIGMA_W_STEP, SIGMA_B_STEP = 0.001, 0.01
ACTIVATION = "tanh"
#: chi_1 this near 1 is the edge of chaos as near as the sliders' steps get (a step of
#: sigma_w moves chi_1 by about 0.4% there; exactly 1 is ``meanfield.phase``'s "critical").
EDGE = 0.005


def on_sliders(sigma_w, sigma_b) -> tuple:
    """(sigma_w, sigma_b) moved onto the sliders' steps, where the browser would move them.

    A value between two steps is put on the nearest one by the page, which sends it back:
    a preset off the steps would be shown, then replaced by its neighbour.
    """
    low = math.log10(SIGMA_W_RANGE[0])
    steps = round((math.log10(sigma_w) - low) / LOG_SIGMA_W_STEP)
    return 10.0 ** (low + steps * LOG_SIGMA_W_STEP), round(sigma_b / SIGMA_B_STEP) * SIGMA_B_STEP


#: Settings of the earlier lessons, one button each: (sigma_w, sigma_b), on the sliders' steps.
PRESETS = {name: on_sliders(*setting) for name, setting in {
    "02: 0.01·N(0,1)": (0.01 * math.sqrt(500), 0.0),
    "04: LeCun": (1.0, 0.0),
    "05: gain 5/3": (5 / 3, 0.0),
    "02: N(0,1)": (math.sqrt(500), 0.0),
    "edge, σ_b=0.22": (float(_meanfield.critical_sigma_w(0.22)), 0.22),
}.items()}


class ChaosExplorer(Explorer):
    """Sliders for sigma_w and sigma_b over a deep tanh network; theory and measurement side by side.

    Attributes after an update: ``phase`` (``meanfield.Phase``), ``curve``
    (``meanfield.CorrelationCurve``), ``predicted_grad``, and the measured ``q``,
    ``distance`` (1 - c per layer) and ``grad`` of the network.
    """

    def __init__(self, sigma_w=1.0, sigma_b=0.05, depth=50, width=300, c0=0.5, n_inputs=6, rng=0, present=None):
        sigma_w = in_range("sigma_w", sigma_w, *SIGMA_W_RANGE, kind="float")
        sigma_b = in_range("sigma_b", sigma_b, *SIGMA_B_RANGE, kind="float")
        self.depth = check_int("depth", depth, minimum=2, maximum=200)
        width = check_int("width", width, minimum=10, maximum=2000)
        self.c0 = check_float("c0", c0, minimum=0.0, maximum=1.0)
        n_inputs = check_int("n_inputs", n_inputs, minimum=2, maximum=min(50, width - 1))
        super().__init__(present)
        # one network at unit scale, drawn once: W ~ N(0, 1/width), b ~ N(0, 1)
        rng = as_generator(rng)
        self._x = correlated_inputs(n_inputs, width, self.c0, rng)
        self._unit_weights = rng.standard_normal((self.depth, width, width)) / math.sqrt(width)
        self._unit_biases = rng.standard_normal((self.depth, width))
        self._grad_output = rng.standard_normal((n_inputs, width))
        self.width = width

        style = self.label_style("σ_w", "σ_b")
        layout = w.Layout(width="410px")
        self.sigma_w = w.FloatLogSlider(value=sigma_w, base=10, min=math.log10(SIGMA_W_RANGE[0]),
                                        max=math.log10(SIGMA_W_RANGE[1]), step=LOG_SIGMA_W_STEP, description="σ_w",
                                        readout_format=".3g", layout=layout, style=style)
        self.sigma_b = w.FloatSlider(value=sigma_b, min=SIGMA_B_RANGE[0], max=SIGMA_B_RANGE[1], step=SIGMA_B_STEP,
                                     description="σ_b", readout_format=".2f", layout=layout, style=style)
        self.buttons = [w.Button(description=name, layout=w.Layout(width="auto")) for name in PRESETS]
        for button in self.buttons:
            button.on_click(lambda b: self.choose(b.description))
        self.arrange(self.sigma_w, self.sigma_b, *self.buttons)
        self._grad_range = None
        self._holding = False
        self._build_figure()
        self.refresh()
        self.watch(self.sigma_w, self.sigma_b)

    def choose(self, preset):
        """Move both sliders to one of ``PRESETS``: one update, not two (no other thread's in between)."""
        with self._update_lock:
            self._holding = True
            try:
                self.sigma_w.value, self.sigma_b.value = PRESETS[preset]
            finally:
                self._holding = False
            self.refresh()

    def refresh(self):
        if not self._holding:
            super().refresh()

    # ---------------------------------------------------------------- computing
    def compute(self):
        """Theory and measurement at the sliders' values."""
        sw, sb = float(self.sigma_w.value), float(self.sigma_b.value)
        self.phase = _meanfield.phase(sw, sb, ACTIVATION)
        self.curve = _meanfield.correlation_curve(self.depth, self.c0, sw, sb, ACTIVATION)
        self.predicted_grad = _theory.mean_field(self.depth, sw, sb, ACTIVATION).grad_std ** 2
        self.q, self.distance, self.grad = network_statistics(self._x, sw * self._unit_weights, sb * self._unit_biases,
                                                              ACTIVATION, self._grad_output)

    # ---------------------------------------------------------------- drawing
    def _build_figure(self):
        """The phase diagram on the left; the correlation and the gradient per layer stacked on the right.

        Margins are in points, like the fonts, so the layout suits both modes.  One
        legend above the right column: pale bands are the mean field, points the network.
        """
        fig = self.figure = self.new_figure()
        width, height = fig.get_size_inches() * 72
        colors = _style.COLORS
        with matplotlib.rc_context(_style.style(self.presenting)):
            split, top, middle = 0.45 * width, 50, 46 + (height - 50 - 46) / 2
            self.ax_phase = self.axes_at(56, 46, split, -top)
            self.ax_c = self.axes_at(split + 66, middle + 6, -12, -top)
            self.ax_g = self.axes_at(split + 66, 46, -12, middle - 6, sharex=self.ax_c)
            draw_phase_diagram(self.ax_phase, ACTIVATION)
            self.ax_phase.set_title(f"{ACTIVATION}: the phase diagram", fontsize="medium")
            self.marker, = self.ax_phase.plot([], [], "o", color=colors[4], markersize=14, markeredgecolor="black",
                                              clip_on=False, zorder=5)
            self.line_c_pred, = self.ax_c.plot([], [], "-", color=colors[0], linewidth=8, alpha=0.3)
            self.line_c, = self.ax_c.plot([], [], "o", color=colors[0], markersize=5)
            self.line_c_star, = self.ax_c.plot([], [], ":", color="black", linewidth=1.5)
            self.ax_c.set_ylim(-0.1, 1.05)
            self.ax_c.tick_params(labelbottom=False)
            self.ax_c.set_ylabel("correlation")
            self.line_g_pred, = self.ax_g.plot([], [], "-", color=colors[3], linewidth=8, alpha=0.3)
            self.line_g, = self.ax_g.plot([], [], "s", color=colors[3], markersize=5)
            self.ax_g.set_yscale("log")
            log_axis(self.ax_g.yaxis)
            self.ax_g.set_ylabel("(dL/dz_l)²")
            self.ax_g.set_xlabel(f"layer (width {self.width})")
            self.ax_g.set_xlim(0.5, self.depth + 0.5)
            self.ax_g.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
            keys = [Line2D([], [], color="0.5", linewidth=8, alpha=0.4), Line2D([], [], color="0.3", marker="o",
                    linestyle=""), Line2D([], [], color="black", linestyle=":", linewidth=1.5)]
            right = self.ax_c.get_position()
            fig.legend(keys, ["mean field", "network", "c*"], loc="lower center", ncols=3, fontsize="small",
                       bbox_to_anchor=((right.x0 + right.x1) / 2, right.y1), frameon=False, borderaxespad=0.1,
                       handlelength=1.5, columnspacing=1.2)
            self.title = fig.text(0.5, 1 - 13 / height, "", ha="center", va="center", fontsize="large")
        self._painter = Painter(fig)

    def update(self):
        self.compute()
        phase, layers = self.phase, np.arange(1, self.depth + 1)
        sw, sb = float(self.sigma_w.value), float(self.sigma_b.value)
        with np.errstate(all="ignore"):
            self.marker.set_data([min(max(sw**2, 0.01), 1000.0)], [sb**2])
            self.line_c_pred.set_data(layers, self.curve.c)
            self.line_c.set_data(layers, 1.0 - self.distance)
            c_star = phase.c_star if math.isfinite(phase.c_star) else np.nan
            self.line_c_star.set_data([0.5, self.depth + 0.5], [c_star, c_star])
            set_line(self.line_g_pred, layers, self.predicted_grad)
            set_line(self.line_g, layers, self.grad)
            low, high = self._grad_range = log_range(self._grad_range, self.predicted_grad, self.grad)
        self.title.set_text(f"depth {self.depth}: σ_w² = {sw**2:.3g}, σ_b² = {sb**2:.3g} → {phase.name}, "
                            f"χ₁ = {phase.chi_1:.3g}")

        def set_axes():
            self.ax_g.set_ylim(low, high)

        # the curves' spines over their points, as in a full drawing
        dynamic = [self.marker, self.line_c_pred, self.line_c, self.line_c_star, self.line_g_pred, self.line_g,
                   *self.ax_c.spines.values(), *self.ax_g.spines.values(), self.title]
        # a new range of the gradients draws their axis alone, over the kept rest of the figure
        self.show(self._painter.render(((low, high),), set_axes, dynamic, axes=[[self.ax_g.yaxis]]))
        self.say(self.describe())

    def describe(self) -> str:
        """The status line: the phase at the sliders' sigma_w and sigma_b, chi_1, q*, c* and what the depth scales mean.

        It names sigma_w and sigma_b as the sliders' readouts round them, so a page shows which
        position its figure is of (the browser test waits on that).
        """
        p = self.phase
        colour = {"ordered": _style.COLORS[0], "chaotic": _style.COLORS[3]}.get(p.name, "black")
        if p.name == "critical":
            scales = "ξ_c and ξ_∇ are infinite: correlations and gradients neither die out nor blow up"
        elif abs(p.chi_1 - 1) < EDGE:
            scales = (f"the edge of chaos, as near as the sliders' steps get: ξ_c = {p.xi_c:.3g} layers, and the "
                      f"gradient changes e-fold only every {abs(p.xi_grad):.3g} layers")
        else:
            grad = (f"the gradient shrinks e-fold every {p.xi_grad:.3g} layers going back" if p.xi_grad > 0 else
                    f"the gradient grows e-fold every {-p.xi_grad:.3g} layers going back")
            scales = f"ξ_c = {p.xi_c:.3g} layers (Schoenholz et al.: trainable to about 6ξ_c = {6 * p.xi_c:.3g}); {grad}"
        settings = f"<span style='color:#555'>(σ_w {self.sigma_w.value:.3g}, σ_b {self.sigma_b.value:.2f})</span>"
        return (f"<b style='color:{colour}'>{p.name}</b> {settings}: χ₁ = {p.chi_1:.3g}, q* = {p.q_star:.3g}, "
                f"c* = {p.c_star:.3g}; {scales}")

    def summary(self) -> str:
        p = self.phase
        return (f"ChaosExplorer(sigma_w={self.sigma_w.value:.3g}, sigma_b={self.sigma_b.value:.3g}): {p.name}, "
                f"chi_1 = {p.chi_1:.3g}, xi_c = {p.xi_c:.3g} layers")


def chaos_explorer(sigma_w=1.0, sigma_b=0.05, depth=50, width=300, c0=0.5, n_inputs=6, rng=0,
                   present=None) -> ChaosExplorer:
    """Sliders for sigma_w and sigma_b of a deep tanh network, between order and chaos.

    Parameters
    ----------
    sigma_w : float, 0.1..30;  sigma_b : float, 0..1.5
        Var(W) = sigma_w^2 / fan_in, Var(b) = sigma_b^2 (the starting slider values).
    depth : int, 2..200;  width : int, 10..2000
        The simulated network (its weights are drawn once).
    c0 : float, the correlation of every pair of the ``n_inputs`` inputs
    rng : seed or Generator of the network and the inputs
    present : bool, optional, bigger figure and fonts for a projector

    Shows chi_1, q*, c* and the depth scales (``meanfield.phase``), the phase diagram
    with the setting marked, and per layer the correlation of the inputs and the
    gradient's mean square: mean field (wide pale lines) and the network (points).
    """
    return ChaosExplorer(sigma_w=sigma_w, sigma_b=sigma_b, depth=depth, width=width, c0=c0, n_inputs=n_inputs,
                         rng=rng, present=present)
