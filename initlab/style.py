"""The course's look: colours, font sizes, and presentation mode for a projector.

Every figure of ``initlab.plots`` and of the explorers takes its sizes from here,
so that one switch, ``initlab.present()``, makes all of them readable from the
back of a room.  The colours are Okabe & Ito's (2008), which stay distinguishable
for the common kinds of colour blindness.

Presentation mode keeps each figure's size on screen, in pixels, and draws it with
PRESENTATION_SCALE times the dots per inch: text, lines and markers, whose sizes are
in points, come out that much bigger, and the layout makes room for them.  (Making
the figure bigger with its fonts would change nothing on screen: a notebook column
shows a wide figure shrunk to its width.)
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from .checks import ArgumentTypeError

__all__ = ["COLORS", "PRESENTATION_SCALE", "DPI", "SCREEN_DPI", "style", "course_style", "present", "is_presenting",
           "figsize", "pixels"]

#: Okabe & Ito's (2008) colour-blind-safe palette, with its three light colours (orange,
#: sky blue, yellow: 1.3 to 2.3 : 1 on white) replaced by sienna, violet and grey, so that
#: every colour has at least WCAG's 3 : 1 contrast for graphics on a white background.
#: Under simulated protanopia, deuteranopia and tritanopia any two stay as far apart as
#: Okabe & Ito's did (tests/test_plots.py checks both).
COLORS = ["#0072B2", "#A0522D", "#009E73", "#D55E00", "#CC79A7", "#785EF0", "#5A5A5A", "#000000"]

#: Presentation mode draws text, lines and markers about this much bigger on screen
#: (a 14 pt label looks like 20 pt), in figures of the same size in pixels.
PRESENTATION_SCALE = 20 / 14
#: Dots per inch of the course's figures (a 13 x 5.4 inch figure is 1300 x 540 pixels).
DPI = 100
#: Dots per inch of the explorers' figures, which are shown pixel for pixel: a 14 pt font is 14 px on screen.
SCREEN_DPI = 72
#: matplotlib's default figure size, in inches at DPI.
_DEFAULT_FIGSIZE = (6.4, 4.8)

_STYLE = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.figsize": _DEFAULT_FIGSIZE,
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

_mode = {"presenting": False}


def _scale(presenting) -> float:
    """PRESENTATION_SCALE while presenting (``presenting=None``: the mode of ``initlab.present()``), else 1."""
    return PRESENTATION_SCALE if (is_presenting() if presenting is None else presenting) else 1.0


def style(presentation=False) -> dict:
    """The course's matplotlib settings as a dict, for ``matplotlib.rc_context(style())``.

    In presentation mode a figure has PRESENTATION_SCALE times the dots per inch and
    PRESENTATION_SCALE times fewer inches: the same pixels, bigger text, lines and markers.
    """
    settings = {**_STYLE, "axes.prop_cycle": plt.cycler(color=COLORS)}
    if presentation:
        settings.update({"figure.dpi": DPI * PRESENTATION_SCALE, "savefig.dpi": DPI * PRESENTATION_SCALE,
                         "figure.figsize": figsize(*_DEFAULT_FIGSIZE, presenting=True)})
    return settings


def course_style(presentation=False) -> None:
    """Apply the course's style to every later figure (``plt.rcParams``)."""
    plt.rcParams.update(style(presentation))
    _mode["presenting"] = presentation


def present(on=True) -> None:
    """Presentation mode: text, lines and markers PRESENTATION_SCALE x bigger on screen; ``present(False)`` ends it.

    Figures keep their size in pixels (see the module).  The slider explorers made
    afterwards read the same setting.
    """
    if not isinstance(on, bool):
        raise ArgumentTypeError(f"on must be True or False, got {on!r}")
    course_style(presentation=on)


def is_presenting() -> bool:
    """True while presentation mode is on."""
    return _mode["presenting"]


def figsize(width, height, presenting=None) -> tuple:
    """The inches of a ``width`` x ``height`` inch figure (at DPI): PRESENTATION_SCALE x fewer in presentation mode.

    The figure's pixels stay the same, since presentation mode raises the dpi by as much.
    """
    return (width / _scale(presenting), height / _scale(presenting))


def pixels(width, height, presenting=None) -> dict:
    """``Figure(**pixels(w, h))``: a figure of exactly w x h pixels, for an explorer shown pixel for pixel.

    At SCREEN_DPI (a 14 pt font is 14 px), times PRESENTATION_SCALE in presentation mode.
    """
    dpi = SCREEN_DPI * _scale(presenting)
    # the 0.01 px keeps w / dpi * dpi from rounding down to w - 1
    return {"figsize": ((width + 0.01) / dpi, (height + 0.01) / dpi), "dpi": dpi}


# Importing initlab.plots or initlab.widgets gives every figure the course's look.
course_style()
