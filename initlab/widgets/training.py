"""The training explorer: train notebook 06's MNIST network from a chosen start.

Pick an initializer and a scale (a factor on its weights), press "train", and the
validation accuracy is drawn epoch by epoch next to the earlier runs and the
published full-MNIST curves.
"""

from __future__ import annotations

import ipywidgets as w
import matplotlib
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import data as _data
from .. import style as _style
from ..checks import ArgumentTypeError, check_choice, check_int
from ..experiments import SETUP, train_network
from ..reference import MNIST_PUBLISHED
from .base import Explorer, in_range
from .render import Painter
from .signal import INITIALIZERS

__all__ = ["TrainingExplorer", "training_explorer"]

MAX_RUNS = 6


class TrainingExplorer(Explorer):
    """Train the course's MNIST network from a chosen start and watch it learn.

    ``train()`` does from code what the "train" button does.
    """

    def __init__(self, data=None, hidden=30, epochs=10, init="lecun_normal", scale=1.0, rng=0, present=None):
        self.data = _data.load_mnist() if data is None else data
        if not isinstance(self.data, _data.MnistData):
            raise ArgumentTypeError(f"data must be the result of initlab.data.load_mnist(), got {type(data).__name__}")
        hidden = check_int("hidden", hidden, minimum=1, maximum=1000)
        epochs = in_range("epochs", epochs, 1, 30)
        init = check_choice("init", init, INITIALIZERS)
        scale = in_range("scale", scale, 1e-2, 1e1, kind="float")
        self.rng = check_int("rng", rng, minimum=0)
        super().__init__(present)
        self.setup = SETUP

        style = self.label_style("initializer", "weight scale", "hidden units", "epochs", "progress")
        slider_layout, menu_layout = w.Layout(width="370px"), w.Layout(width="225px")
        self.init = w.Dropdown(options=list(INITIALIZERS), value=init, description="initializer", style=style,
                               layout=menu_layout)
        self.scale = w.FloatLogSlider(value=scale, base=10, min=-2, max=1, step=0.05, description="weight scale",
                                      readout_format=".3g", style=style, layout=slider_layout)
        self.hidden = w.Dropdown(options=sorted({30, 100, hidden}), value=hidden, description="hidden units",
                                 style=style, layout=menu_layout)
        self.epochs = w.IntSlider(value=epochs, min=1, max=30, description="epochs", style=style, layout=slider_layout)
        self.button = w.Button(description="train", button_style="primary", icon="play", layout=w.Layout(width="auto"))
        self.clear_button = w.Button(description="clear runs", layout=w.Layout(width="auto"))
        self.progress = w.IntProgress(value=0, min=0, max=epochs, description="progress", style=style,
                                      layout=w.Layout(width="225px"))
        self.arrange(self.init, self.scale, self.hidden, self.epochs, self.button, self.clear_button, self.progress)
        self.runs = []  # (label, accuracies)
        self.button.on_click(lambda _: self.train())
        self.clear_button.on_click(lambda _: self.clear())
        self.figure = self.new_figure()
        self._painter = Painter(self.figure)
        self._run_lines = []  # the runs' curves in the current drawing
        self.refresh()
        self.watch(self.hidden)  # its published curves
        self.say(f"{len(self.data.x_train)} training and {len(self.data.x_validation)} validation images. "
                 f"Choose a start and press <b>train</b>.")

    def clear(self):
        self.runs = []
        self.refresh()

    def train(self):
        """Train one run with the current settings; the figure grows after every epoch."""
        self.button.disabled = True
        try:
            base, factor = INITIALIZERS[self.init.value], float(self.scale.value)

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
                self.say(f"<b>{label}</b>: epoch {epoch}/{epochs}, validation accuracy {accuracies[-1]:.1%}")
                self.update()

            train_network(self.data, scaled, hidden=self.hidden.value, epochs=epochs, rng=self.rng,
                          callback=after_epoch)
            self.last_error = None
        except Exception as error:  # never raise into the notebook
            self.report("Training failed", error)
        finally:
            self.button.disabled = False

    def update(self):
        """Draw the runs' curves over the axes: blitted, the axes redrawn only when they change.

        An epoch of a run only lengthens its curve, so after the first epoch an update
        draws one line over the saved background (``render.Painter``); the axes, the
        published curves and the legend are redrawn when a run is added or cleared,
        the hidden units or the epochs change, or an accuracy falls below 45%.
        """
        longest = max([len(a) for _, a in self.runs] + [self.epochs.value, 5])
        lowest = min([min(a) for _, a in self.runs if a] + [0.5])
        bottom = 40 if lowest >= 0.45 else 0
        for line, (_, accuracies) in zip(self._run_lines, self.runs):
            line.set_data(np.arange(1, len(accuracies) + 1), 100 * np.array(accuracies))
        key = (self.hidden.value, longest, bottom, tuple(label for label, _ in self.runs))
        self.show(self._painter.render(key, lambda: self._draw_axes(longest, bottom), self._run_lines))

    def _draw_axes(self, longest, bottom):
        """The figure from scratch: axes, published curves, one line per run (in ``_run_lines``), legend."""
        fig = self.figure
        fig.clear()
        with matplotlib.rc_context(_style.style(self.presenting)):
            ax = self.axes_at(64, 46, -12, -30)  # margins in points, like the fonts: they suit both modes
            epochs = np.array(MNIST_PUBLISHED["epochs"])
            shown = epochs <= longest
            hidden = self.hidden.value
            for k, start in enumerate(("old", "new")):  # the colours of notebook 06's figures
                if (hidden, start) not in MNIST_PUBLISHED:
                    continue
                values = np.array(MNIST_PUBLISHED[(hidden, start)]) / 100.0
                ax.plot(epochs[shown], values[shown], "s:", color=_style.COLORS[k], markerfacecolor="white",
                        markeredgewidth=2, label=f"published, full MNIST, {hidden} hidden, {start} start")
            self._run_lines[:] = [
                ax.plot(np.arange(1, len(accuracies) + 1), 100 * np.array(accuracies), "o-",
                        color=_style.COLORS[(k + 2) % len(_style.COLORS)], label=label)[0]
                for k, (label, accuracies) in enumerate(self.runs)]
            ax.set_xlim(0.5, longest + 0.5)
            ax.set_ylim(bottom, 100)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel("epoch")
            ax.set_ylabel("validation accuracy (%)")
            ax.set_title(f"[784, {hidden}, 10] sigmoid network, mini-batch 10, eta 0.1, lambda 5", fontsize="medium")
            ax.legend(loc="lower right", fontsize="small")

    def summary(self) -> str:
        finished = [f"{label}: {acc[-1]:.1%} after {len(acc)} epochs" for label, acc in self.runs if acc]
        return "TrainingExplorer(" + ("; ".join(finished) or "no run yet") + ")"


def training_explorer(data=None, hidden=30, epochs=10, init="lecun_normal", scale=1.0, rng=0,
                      present=None) -> TrainingExplorer:
    """A "train" button for the course's MNIST network, with live accuracy curves.

    Parameters
    ----------
    data : MnistData, optional
        Default ``initlab.data.load_mnist()``, the offline sample.
    hidden : int, the hidden layer's width (30 or 100 in the course)
    epochs : int, 1..30
    init : a name of the signal explorer's ``INITIALIZERS``;  scale : float, 0.01..10, a factor on its weights
    rng : int, the seed of weights, biases and shuffling (the same for every run,
        so that runs differ only in their start)
    """
    return TrainingExplorer(data=data, hidden=hidden, epochs=epochs, init=init, scale=scale, rng=rng,
                            present=present)
