"""What every explorer shares: how it shows itself, updates, and reports a failure.

An explorer is a panel of controls over a figure.  Moving a control calls
``refresh()``, which runs the explorer's ``update()`` (compute, draw, set the
status line) and turns any exception into a readable message in the panel:
a slider callback must never raise into the notebook.

In Jupyter and Voila an explorer shows as its widget: its controls (as many to a
row as fit), its status line, and its figure, drawn at the size it is shown, pixel
for pixel (``arrange``).  An update that takes longer than BUSY_AFTER seconds says
"computing…" and dims the figure until it is done.  Static renders (GitHub,
nbviewer) get a PNG of its current state, and nbval compares the short, stable
text of ``summary()``.
"""

from __future__ import annotations

import math
import os
import threading
from contextlib import contextmanager
from html import escape

import ipywidgets as w
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextPath

from .. import style as _style
from ..checks import ArgumentError, ArgumentTypeError, check_float, check_int

__all__ = ["Explorer", "in_range", "presenting", "where", "text_px", "BUSY_AFTER", "LABEL_PX"]

#: An update that takes longer than this (seconds) shows the busy state.
BUSY_AFTER = 0.3
#: Font size of the controls' descriptions (JupyterLab's and Voila's 13 px), for sizing them.
LABEL_PX = 13
#: Room a control's label needs besides its text: its padding (8 px) and a margin.
LABEL_PADDING = 12
_LABEL_FONT = FontProperties(family="DejaVu Sans")
#: The page's style for the busy state: the figure dims, the pointer waits.
_CSS = ("<style>.initlab-busy {opacity: 0.35; transition: opacity 0.15s; cursor: progress}"
        " .initlab-computing {color: #D55E00; font-weight: bold; white-space: nowrap; padding-right: 0.5em}</style>")


def in_range(name, value, low, high, kind="int"):
    """An explorer's starting value, checked against its slider's range."""
    if kind == "int":
        return check_int(name, value, minimum=low, maximum=high)
    return check_float(name, value, minimum=low, maximum=high)


def presenting(present) -> bool:
    """The explorer's own ``present`` argument, or else the setting of ``initlab.present()``."""
    if present is None:
        return _style.is_presenting()
    if not isinstance(present, bool):
        raise ArgumentTypeError(f"present must be True, False or None, got {present!r}")
    return present


def text_px(text) -> int:
    """The width of ``text`` in pixels at LABEL_PX in DejaVu Sans, the widest of the usual sans-serif fonts."""
    return math.ceil(TextPath((0, 0), text, size=LABEL_PX, prop=_LABEL_FONT).get_extents().x1)


def where() -> str:
    """"voila" in a Voila dashboard (Voila puts VOILA_BASE_URL into its kernels' environment), else "lab"."""
    return "voila" if "VOILA_BASE_URL" in os.environ else "lab"


class Explorer:
    """Base of the explorers.  A subclass builds ``self.widget`` (``arrange``) and defines ``update()``.

    ``FIGURE_PX`` is the figure's size on screen in CSS pixels, in a JupyterLab notebook
    and in a Voila dashboard.  Both are made for a 1280 x 720 screen (a projector),
    where JupyterLab's notebook column, file browser open, is 848 x 599 px and Voila's
    page 1250 x 720 px: the controls, the status line and the figure fit in one view.
    """

    FIGURE_PX = {"lab": (836, 410), "voila": (1236, 560)}

    def __init__(self, present):
        self.presenting = presenting(present)
        self.status = w.HTML()
        # "computing…" while an update is slow, and the page style of the busy state; after the
        # status line in the page, shown before it (flex order)
        self.computing = w.HTML(_CSS, layout=w.Layout(order="-1"))
        self.image = w.Image(format="png")
        self.png = b""
        self.last_error = None
        self.updates = 0
        self.busy = False
        self._busy_lock = threading.Lock()
        self._update_lock = threading.RLock()  # an update that moves a control may refresh again

    # ---------------------------------------------------------------- layout
    @property
    def figure_px(self) -> tuple:
        """(width, height) of the figure in pixels, for where it is shown (``where()``)."""
        return self.FIGURE_PX[where()]

    def new_figure(self) -> Figure:
        """An empty figure of ``figure_px`` pixels, at the mode's dpi (``style.pixels``)."""
        return Figure(**_style.pixels(*self.figure_px, self.presenting))

    def axes_at(self, left, bottom, right, top, **kwargs):
        """New axes whose edges are ``left``, ``bottom``, ``right``, ``top`` points from the figure's left and bottom.

        Negative values count from the right and top edges.  Font sizes are in points
        too, so margins given in points suit both modes.
        """
        width, height = self.figure.get_size_inches() * 72
        left, right = (width + x if x < 0 else x for x in (left, right))
        bottom, top = (height + y if y < 0 else y for y in (bottom, top))
        return self.figure.add_axes((left / width, bottom / height, (right - left) / width, (top - bottom) / height),
                                    **kwargs)

    def arrange(self, *controls):
        """``self.widget``: the controls, as many to a row as fit, the status line, then the figure.

        The figure is shown at its size in pixels (no scaling by the browser, so no
        blur), shrunk only if the page is narrower than the figure.
        """
        self.image.layout = w.Layout(width=f"{self.figure_px[0]}px", flex="0 0 auto")
        rows = w.Box(list(controls), layout=w.Layout(flex_flow="row wrap", align_items="center"))
        line = w.HBox([self.status, self.computing], layout=w.Layout(align_items="baseline"))
        self.widget = w.VBox([rows, line, self.image])
        return self.widget

    @staticmethod
    def label_style(*descriptions) -> dict:
        """The ``style`` of controls whose descriptions are ``descriptions``: wide enough for the longest."""
        return {"description_width": f"{max(text_px(text) for text in descriptions) + LABEL_PADDING}px"}

    def watch(self, *controls):
        """Refresh whenever one of ``controls`` changes.

        The update runs inside the control's message, on purpose: while the kernel
        is busy, the browser holds back further positions and sends only the
        newest one when the kernel is idle again (the "message throttle" of Jupyter
        Widgets), so a drag never piles up a backlog of stale positions.
        """
        for control in controls:
            control.observe(lambda change: self.refresh(), names="value")

    def refresh(self):
        """Recompute and redraw; an error is shown in the panel, never raised.

        One update at a time: ipykernel 7 may handle two widget messages on two threads
        at once, and matplotlib's drawing (FreeType's above all) is not thread-safe: two
        updates drawing the same figure sent half-drawn images, or failed with
        "FT_Render_Glyph ... raster overflow".  The second waits for the first.
        """
        try:
            with self._update_lock, self.busy_while_slow():
                self.update()
        except Exception as error:  # a callback must never raise into the notebook
            self.report("Could not update", error)
            return
        self.last_error = None
        self.updates += 1

    def update(self):
        raise NotImplementedError

    @contextmanager
    def busy_while_slow(self):
        """Show the busy state if the work inside takes longer than BUSY_AFTER seconds; clear it after.

        A timer thread switches it on: the update itself runs in the kernel's main
        thread, and the browser gets the message at once.  Quick updates send nothing.
        """
        finished = False

        def show():
            with self._busy_lock:
                if not finished:
                    self._show_busy(True)

        timer = threading.Timer(BUSY_AFTER, show)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            with self._busy_lock:
                finished = True
                if self.busy:
                    self._show_busy(False)

    def _show_busy(self, on):
        self.busy = on
        note = f"<span class='initlab-computing' style='font-size:{self.status_px}px'>computing…</span>" if on else ""
        self.computing.value = _CSS + note
        (self.image.add_class if on else self.image.remove_class)("initlab-busy")

    def show(self, png: bytes):
        self.png = png
        self.image.value = png

    @property
    def status_px(self) -> int:
        """The status line's font size: 15 px, 18 px in presentation mode (a long verdict stays within three lines)."""
        return 18 if self.presenting else 15

    def say(self, html: str):
        """Set the status line under the controls, in the mode's font size.

        Its ``data-axis-label-px`` is the size of the figure's axis labels in the PNG's
        pixels, for a test of what the audience sees.
        """
        label = self.figure.axes[0].xaxis.label.get_fontsize() * self.figure.dpi / 72
        # a block of its own line height: the widget's 28 px lines would make a long verdict tall
        self.status.value = (f"<div class='initlab-status' data-axis-label-px='{label:.2f}' "
                             f"style='font-size:{self.status_px}px; line-height:1.35'>{html}</div>")

    def report(self, what, error):
        """Show an error in the explorer instead of raising it into the notebook.

        A refusal (``ArgumentError``, ``ArgumentTypeError``) shows its message, which says
        what to change; any other error its type as well ("StopIteration" has no message).
        """
        self.last_error = error
        message = str(error) if isinstance(error, (ArgumentError, ArgumentTypeError)) else \
            f"{type(error).__name__}: {error}".rstrip(": ")
        self.status.value = f"<b style='color:#D55E00'>{what}: {escape(message, quote=False)}</b>"

    def summary(self) -> str:
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = self.png
        bundle["text/plain"] = self.summary()
        return bundle
