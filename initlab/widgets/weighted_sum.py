"""The weighted-sum explorer: one neuron's inputs, fraction on and weight std (notebook 03).

It shows the histogram of z = w · x + b over 4000 simulated neurons, the
predicted N(0, n_on * weight_std^2 + bias_std^2) over it, the sigmoid, and the
share of neurons whose sigmoid is saturated (|z| > 4.6).
"""

from __future__ import annotations

import math

import ipywidgets as w
import matplotlib
import numpy as np

from .. import activations as _activations
from .. import style as _style
from .. import theory as _theory
from ..checks import as_generator, check_float
from .base import Explorer, in_range
from .render import Painter

__all__ = ["WeightedSumExplorer", "weighted_sum_explorer", "x_limit"]

N_INPUTS_RANGE = (1, 2000)
TRIALS = 4000
#: The x axis is +-limit, with limit a round number: one of these times a power of ten, at least 6.
ROUND_LIMITS = (1, 1.5, 2, 3, 4, 6, 8)


def x_limit(needed, current=None) -> float:
    """The half-width of the x axis for values up to ``needed`` (4.5 predicted stds of z).

    The smallest round number (ROUND_LIMITS x 10^k, at least 6) that holds ``needed``.
    The ``current`` limit is kept while it holds ``needed`` and is at most 2.5 times
    it, so that a drag back and forth rarely redraws the axes (the background image).
    """
    if current is not None and needed <= current <= 2.5 * needed:
        return current
    power = 10.0 ** math.floor(math.log10(max(needed, 6.0)))
    return max(6.0, min(step * scale for scale in (power, 10 * power) for step in ROUND_LIMITS
                        if step * scale >= needed))


class WeightedSumExplorer(Explorer):
    """One neuron z = sum_j w_j x_j + b, with x_j in {0, 1}, simulated many times.

    Each trial draws fresh weights w_j ~ N(0, weight_std^2) and a bias
    b ~ N(0, bias_std^2).  Only the inputs that are on contribute, so
    z = weight_std * (sum of n_on standard normals) + bias_std * N(0, 1).  The
    running sums of a cached (TRIALS, n_inputs_max) standard-normal matrix give
    every n_on at once, so a slider move costs O(TRIALS), not a new simulation.
    """

    def __init__(self, n_inputs=1000, fraction_on=0.5, weight_std=1.0, bias_std=1.0, rng=0, present=None):
        n_inputs = in_range("n_inputs", n_inputs, *N_INPUTS_RANGE)
        fraction_on = check_float("fraction_on", fraction_on, minimum=0.0, maximum=1.0)
        weight_std = check_float("weight_std", weight_std, minimum=1e-3, maximum=10.0)
        self.bias_std = check_float("bias_std", bias_std, minimum=0.0, maximum=100.0)
        super().__init__(present)
        rng = as_generator(rng)
        normals = rng.standard_normal((TRIALS, N_INPUTS_RANGE[1]), dtype=np.float32)
        self._running_sums = np.cumsum(normals, axis=1, dtype=np.float64)
        self._bias_draws = rng.standard_normal(TRIALS)

        style = self.label_style("inputs n", "fraction on", "weight std")
        layout = w.Layout(width="370px")
        self.n_inputs = w.IntSlider(value=n_inputs, min=N_INPUTS_RANGE[0], max=N_INPUTS_RANGE[1],
                                    description="inputs n", style=style, layout=layout)
        self.fraction_on = w.FloatSlider(value=fraction_on, min=0.0, max=1.0, step=0.01,
                                         description="fraction on", style=style, layout=layout)
        self.weight_std = w.FloatLogSlider(value=weight_std, base=10, min=-3, max=1, step=0.05,
                                           description="weight std", readout_format=".3g", style=style,
                                           layout=layout)
        # buttons as wide as their labels (ipywidgets' fixed width cut "weight std = 1/sqrt(n)" short)
        self.buttons = w.HBox([w.Button(description="weight std = 1", layout=w.Layout(width="auto")),
                               w.Button(description="weight std = 1/sqrt(n)", layout=w.Layout(width="auto"))])
        self.buttons.children[0].on_click(lambda _: setattr(self.weight_std, "value", 1.0))
        self.buttons.children[1].on_click(
            lambda _: setattr(self.weight_std, "value", max(1e-3, 1 / math.sqrt(self.n_inputs.value))))
        self.arrange(self.n_inputs, self.fraction_on, self.weight_std, self.buttons)
        self._limit = None
        self._build_figure()
        self.refresh()
        self.watch(self.n_inputs, self.fraction_on, self.weight_std)

    @property
    def n_on(self) -> int:
        return int(round(self.fraction_on.value * self.n_inputs.value))

    def simulate(self) -> np.ndarray:
        """The TRIALS simulated values of z at the current settings."""
        n_on = self.n_on
        sums = self._running_sums[:, n_on - 1] if n_on > 0 else np.zeros(TRIALS)
        return self.weight_std.value * sums + self.bias_std * self._bias_draws

    def _build_figure(self):
        self.figure = self.new_figure()
        width, height = self.figure.get_size_inches() * 72
        with matplotlib.rc_context(_style.style(self.presenting)):
            # margins in points, like the fonts, so that the layout suits both modes; a narrow
            # figure (presentation mode in JupyterLab) gets its title on two lines
            self._title_lines = 1 if width >= 760 else 2
            ax = self.ax = self.axes_at(30, 46, -62, -(10 + 22 * self._title_lines))
            self.shades = [ax.axvspan(-2.0, -1.0, color="grey", alpha=0.2, label="sigmoid saturated"),
                           ax.axvspan(1.0, 2.0, color="grey", alpha=0.2)]
            self.stairs = ax.stairs(np.zeros(60), np.linspace(-1, 1, 61), fill=True, color=_style.COLORS[5],
                                    alpha=0.85, label="simulated z")
            self.curve, = ax.plot([], [], color="black", linewidth=2.5, label="predicted N(0, std²)")
            ax.set_yticks([])
            ax.grid(False, axis="y")
            ax.set_xlabel("z = w · x + b")
            ax.set_ylabel("density")
            self.ax_sigmoid = ax.twinx()
            self.sigmoid_curve, = self.ax_sigmoid.plot([], [], color=_style.COLORS[3], linewidth=2,
                                                       label="sigmoid(z)")
            self.ax_sigmoid.set_ylim(0, 1.02)
            self.ax_sigmoid.set_yticks([0, 0.5, 1])
            self.ax_sigmoid.set_ylabel("sigmoid(z)", color=_style.COLORS[3])
            self.ax_sigmoid.grid(False)
            handles = [self.stairs, self.curve, self.sigmoid_curve, self.shades[0]]
            ax.legend(handles, [h.get_label() for h in handles], loc="upper left", fontsize="small")
            self.title = self.figure.text(0.5, 1 - 6 / height, "", ha="center", va="top", fontsize="large")
        self._painter = Painter(self.figure)

    def update(self):
        z = self.simulate()
        n_on = self.n_on
        s = self.predicted_std = _theory.weighted_sum_std(n_on, self.weight_std.value, self.bias_std)
        self.measured_std = float(z.std())
        limit = self._limit = x_limit(4.5 * s, self._limit)
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
            f"{self.bias_std:g}:{' ' if self._title_lines == 1 else chr(10)}predicted std(z) = {s:.3g}, "
            f"simulated {self.measured_std:.3g}"
        )
        self.ax.set_ylim(0, max(counts.max(), density.max()) * 1.1)  # no y ticks: needs no new background
        dynamic = self.shades + [self.stairs, self.curve, self.sigmoid_curve, self.title]
        self.show(self._painter.render(limit, lambda: self.ax.set_xlim(-limit, limit), dynamic))
        self.say(f"std(z) = sqrt({n_on} × {self.weight_std.value:.3g}² + {self.bias_std:g}²) = <b>{s:.3g}</b> · "
                 f"sigmoid saturated (|z| > 4.6, shaded): <b>{self.saturated:.1%}</b> of neurons (predicted "
                 f"{self.predicted_saturated:.1%})")

    def summary(self) -> str:
        return (f"WeightedSumExplorer(n_on={self.n_on}, weight_std={self.weight_std.value:.3g}, "
                f"bias_std={self.bias_std:g}): predicted std(z) {self.predicted_std:.3g}, "
                f"sigmoid saturated {self.predicted_saturated:.1%}")


def weighted_sum_explorer(n_inputs=1000, fraction_on=0.5, weight_std=1.0, bias_std=1.0, rng=0,
                          present=None) -> WeightedSumExplorer:
    """Sliders for one neuron's number of inputs, fraction on and weight std (see the module)."""
    return WeightedSumExplorer(n_inputs=n_inputs, fraction_on=fraction_on, weight_std=weight_std,
                               bias_std=bias_std, rng=rng, present=present)
