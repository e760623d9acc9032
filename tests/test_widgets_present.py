"""How the explorers present themselves: figures drawn at their size on screen, text that
grows in presentation mode, labels that fit, no text over another panel, and the busy state
of a slow update.  (tests/test_browser_present.py checks the same in a real browser.)"""

import time

import ipywidgets as w
import pytest

from initlab import widgets
from initlab.widgets import base
from initlab.widgets.base import LABEL_PADDING, Explorer, text_px

# Each explorer at small, quick settings.
MAKERS = {
    "signal": lambda present: widgets.signal_explorer(depth=3, width=20, n_samples=100, present=present),
    "weighted_sum": lambda present: widgets.weighted_sum_explorer(present=present),
    "training": lambda present: widgets.training_explorer(present=present),
    "chaos": lambda present: widgets.chaos_explorer(depth=5, width=20, present=present),
    "isometry": lambda present: widgets.isometry_explorer(depth=2, width=20, present=present),
}


@pytest.fixture(scope="module")
def explorers():
    return {(name, present): make(present) for name, make in MAKERS.items() for present in (False, True)}


def _label_px(explorer):
    return float(explorer.status.value.split("data-axis-label-px='")[1].split("'")[0])


@pytest.mark.parametrize("name", list(MAKERS))
def test_figure_is_drawn_at_its_size_on_screen_and_its_text_grows_when_presenting(explorers, name):
    normal, presenting = explorers[name, False], explorers[name, True]
    for explorer in (normal, presenting):
        png_size = explorer.figure.canvas.get_width_height()
        assert png_size == explorer.FIGURE_PX["lab"]
        # the image is shown at the PNG's own width: the browser does not scale it
        assert explorer.image.layout.width == f"{png_size[0]}px"
    # what the browser shows: the axis labels 20/14 as big (14 px and 20 px), the same for titles and legends
    assert _label_px(normal) == pytest.approx(14) and _label_px(presenting) == pytest.approx(20)
    for normal_text, presenting_text in zip(_texts(normal), _texts(presenting)):
        assert _px(presenting_text) == pytest.approx(_px(normal_text) * 20 / 14)


def _texts(explorer):
    """The figure's titles, legend entries and free texts."""
    figure = explorer.figure
    texts = list(figure.texts) + [text for legend in figure.legends for text in legend.get_texts()]
    for ax in figure.axes:
        texts += [ax.title] + list(ax.texts)
        texts += ax.get_legend().get_texts() if ax.get_legend() else []
    assert texts
    return texts


def _px(text):
    return text.get_fontsize() * text.figure.dpi / 72  # the explorers' figures have no subfigures


def test_a_voila_dashboard_gets_a_bigger_figure(monkeypatch):
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    assert base.where() == "voila"
    explorer = widgets.signal_explorer(depth=3, width=20, n_samples=100, present=True)
    assert explorer.figure.canvas.get_width_height() == explorer.FIGURE_PX["voila"] == (1236, 560)
    monkeypatch.delenv("VOILA_BASE_URL")
    assert base.where() == "lab"


@pytest.mark.parametrize("name, present", [(name, present) for name in MAKERS for present in (False, True)])
def test_no_text_runs_into_another_panel_or_off_the_figure(explorers, name, present):
    # e.g. the gradient histograms' "layer 30" over the activation histograms piled up at +1
    figure = explorers[name, present].figure
    renderer = figure.canvas.get_renderer()
    frame = figure.bbox
    for ax in figure.axes:
        labels = [ax.title, ax.xaxis.label, ax.yaxis.label] + _shown_ticks(ax.xaxis) + _shown_ticks(ax.yaxis) + ax.texts
        for label in labels:
            if not label.get_visible() or not label.get_text():
                continue
            box = label.get_window_extent(renderer)
            assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1 and box.y0 >= frame.y0 - 1, label
            assert box.y1 <= frame.y1 + 1, label
            for other in figure.axes:
                if other is not ax and not _twins(ax, other):
                    assert not box.overlaps(other.bbox), (label.get_text(), "runs into another panel")


def _shown_ticks(axis):
    """The tick labels drawn: those inside the axis's view."""
    low, high = sorted(axis.get_view_interval())
    return [tick.label1 for tick in axis.get_major_ticks() if low <= tick.get_loc() <= high] + \
        [tick.label2 for tick in axis.get_major_ticks() if low <= tick.get_loc() <= high and tick.label2.get_visible()]


def _twins(ax, other):
    return ax.bbox.bounds == other.bbox.bounds


@pytest.mark.parametrize("name", list(MAKERS))
def test_every_control_label_fits(explorers, name):
    # notebook 03's button read "weight std = 1/sq..."
    explorer = explorers[name, False]
    controls = _controls(explorer.widget)
    assert controls
    for control in controls:
        if isinstance(control, w.Button):
            assert control.layout.width == "auto", control.description
        elif control.description:
            width = int(control.style.description_width.removesuffix("px"))
            assert width >= text_px(control.description) + LABEL_PADDING, control.description


def _controls(widget):
    found = [widget] if isinstance(widget, w.ValueWidget | w.Button) and hasattr(widget, "description") else []
    for child in getattr(widget, "children", ()):
        found += _controls(child)
    return found


class Slow(Explorer):
    """An explorer whose update takes ``seconds``."""

    def __init__(self, seconds):
        super().__init__(present=False)
        self.seconds = seconds
        self.seen = []  # (busy, "computing…" shown, figure dimmed), looked at during each update

    def update(self):
        time.sleep(self.seconds)
        self.seen.append((self.busy, "computing…" in self.computing.value, "initlab-busy" in self.image._dom_classes))


def test_a_slow_update_shows_the_busy_state_and_clears_it():
    explorer = Slow(base.BUSY_AFTER + 0.25)
    changes = []
    explorer.image.observe(lambda change: changes.append(change["new"]), names="_dom_classes")
    explorer.refresh()
    assert explorer.seen == [(True, True, True)]
    assert not explorer.busy and "computing…" not in explorer.computing.value and "initlab-busy" not in explorer.image._dom_classes
    assert changes == [("initlab-busy",), ()]


def test_a_quick_update_sends_no_busy_state():
    explorer = Slow(0.0)
    changes = []
    explorer.image.observe(lambda change: changes.append(change["new"]), names="_dom_classes")
    explorer.computing.observe(lambda change: changes.append(change["new"]), names="value")
    explorer.refresh()
    time.sleep(base.BUSY_AFTER + 0.05)  # the timer was cancelled: nothing comes later either
    assert explorer.seen == [(False, False, False)] and changes == []
