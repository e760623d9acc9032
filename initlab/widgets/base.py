"""What every explorer shares: how it shows itself, updates, and reports a failure.

An explorer is a panel of controls over a figure.  Moving a control calls
``refresh()``, which runs the explorer's ``update()`` (compute, draw, set the
status line) and turns any exception into a readable message in the panel:
a slider callback must never raise into the notebook.

In Jupyter and Voila an explorer shows as its widget; static renders (GitHub,
nbviewer) get a PNG of its current state, and nbval compares the short, stable
text of ``summary()``.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

from .. import style as _style
from ..checks import ArgumentError, ArgumentTypeError, check_float, check_int

__all__ = ["Explorer", "in_range", "presenting"]


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


class Explorer:
    """Base of the explorers.  A subclass builds ``self.widget`` and defines ``update()``."""

    def __init__(self, present):
        self.presenting = presenting(present)
        self.status = w.HTML()
        self.image = w.Image(format="png")
        self.png = b""
        self.last_error = None
        self.updates = 0

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
        """Recompute and redraw; an error is shown in the panel, never raised."""
        try:
            self.update()
        except Exception as error:  # a callback must never raise into the notebook
            self.report("Could not update", error)
            return
        self.last_error = None
        self.updates += 1

    def update(self):
        raise NotImplementedError

    def show(self, png: bytes):
        self.png = png
        self.image.value = png

    def say(self, html: str):
        """Set the status line under the controls, in the mode's font size."""
        self.status.value = f"<span style='font-size:{20 if self.presenting else 15}px'>{html}</span>"

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
