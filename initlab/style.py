"""The course's look: colours, font sizes, and presentation mode for a projector.

Every figure of ``initlab.plots`` and of the explorers takes its sizes from here,
so that one switch, ``initlab.present()``, makes all of them readable from the
back of a room.  The colours are Okabe & Ito's (2008), which stay distinguishable
for the common kinds of colour blindness.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from .checks import ArgumentTypeError

__all__ = ["COLORS", "PRESENTATION_SCALE", "style", "course_style", "present", "is_presenting", "figsize"]

#: Okabe & Ito's (2008) colour-blind-safe palette, with its three light colours (orange,
#: sky blue, yellow: 1.3 to 2.3 : 1 on white) replaced by sienna, violet and grey, so that
#: every colour has at least WCAG's 3 : 1 contrast for graphics on a white background.
#: Under simulated protanopia, deuteranopia and tritanopia any two stay as far apart as
#: Okabe & Ito's did (tests/test_plots.py checks both).
COLORS = ["#0072B2", "#A0522D", "#009E73", "#D55E00", "#CC79A7", "#785EF0", "#5A5A5A", "#000000"]

#: Presentation mode enlarges fonts by about this factor (20 pt against 14 pt), and
#: the figures of ``plots`` and of the explorers by the same factor.
PRESENTATION_SCALE = 20 / 14

_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 14,
    "axes.titlesize": 15,
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "figure.titlesize": 16,
    "lines.linewidth": 2.5,
    "lines.markersize": 7,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_PRESENTATION = {
    "font.size": 20,
    "axes.titlesize": 22,
    "axes.labelsize": 20,
    "xtick.labelsize": 17,
    "ytick.labelsize": 17,
    "legend.fontsize": 17,
    "figure.titlesize": 22,
    "lines.linewidth": 3.5,
    "lines.markersize": 10,
}

_mode = {"presenting": False}


def style(presentation=False) -> dict:
    """The course's matplotlib settings as a dict, for ``matplotlib.rc_context(style())``."""
    settings = {**_STYLE, "axes.prop_cycle": plt.cycler(color=COLORS)}
    if presentation:
        settings.update(_PRESENTATION)
    return settings


def course_style(presentation=False) -> None:
    """Apply the course's style to every later figure (``plt.rcParams``)."""
    plt.rcParams.update(style(presentation))
    _mode["presenting"] = presentation


def present(on=True) -> None:
    """Presentation mode: bigger fonts, thicker lines, bigger figures; ``present(False)`` ends it.

    The slider explorers made afterwards read the same setting.
    """
    if not isinstance(on, bool):
        raise ArgumentTypeError(f"on must be True or False, got {on!r}")
    course_style(presentation=on)


def is_presenting() -> bool:
    """True while presentation mode is on."""
    return _mode["presenting"]


def figsize(width, height, presenting=None) -> tuple:
    """A figure size in inches, enlarged by PRESENTATION_SCALE in presentation mode."""
    factor = PRESENTATION_SCALE if (is_presenting() if presenting is None else presenting) else 1.0
    return (width * factor, height * factor)


# Importing initlab.plots or initlab.widgets gives every figure the course's look.
course_style()
