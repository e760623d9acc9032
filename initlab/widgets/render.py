"""How the explorers turn a matplotlib figure into an image quickly.

A full matplotlib draw of an explorer's figure takes about 70 ms; an update that
only redraws what changed ("blitting") takes under 10 ms.  ``Painter`` does that,
``encode_png`` turns the pixels into the PNG that an ``ipywidgets.Image`` shows,
and ``Ridges`` is the stacked-histogram view of the signal explorer.

The PNG has a palette of 256 colours (``palette_of``): an explorer's figure has a
few colours and their anti-aliased edges, so it looks the same, and an 8-bit PNG
takes a quarter of the time of a 24-bit one to make (about 6 ms instead of 25 ms at
960 x 672 pixels) and half the bytes to send.  The palette is taken from a full
drawing (when the background changes) and reused for the blitted updates.
"""

from __future__ import annotations

import io
import math

import matplotlib
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ticker import FuncFormatter, NullFormatter
from matplotlib.transforms import offset_copy

__all__ = ["Painter", "Ridges", "encode_png", "palette_of", "set_line", "log_range", "log_axis", "power_of_ten"]

BINS = 40
HISTOGRAM_VALUES = 20_000  # values per histogram (a fixed subset)


def _pixels(canvas) -> PIL.Image.Image:
    width, height = canvas.get_width_height()
    image = PIL.Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    return image.convert("RGB")


def palette_of(canvas) -> PIL.Image.Image:
    """The 256 colours that best cover the canvas's pixels (a "P" image, for ``encode_png``)."""
    return _pixels(canvas).quantize(256, method=PIL.Image.Quantize.FASTOCTREE, dither=PIL.Image.Dither.NONE)


def encode_png(canvas, palette=None) -> bytes:
    """The canvas's current pixels as PNG bytes (light compression: quick to make).

    With ``palette`` (``palette_of``) each pixel is stored as the index of its
    nearest palette colour, without dithering: 8 bits a pixel instead of 24.
    """
    image = _pixels(canvas)
    if palette is not None:
        image = image.quantize(palette=palette, dither=PIL.Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


class Painter:
    """Render a figure to PNG, redrawing only what changes (matplotlib "blitting").

    The figure is drawn in layers, each kept as an image and redrawn only when its
    key changes, onto the layer below it:

    1. the frame: everything not in a layer above (titles, legends, axes whose limits
       do not move), drawn in full by ``canvas.draw()`` (about 70 ms for the signal
       explorer) when ``frame_key`` changes;
    2. ``axes``: what depends on the axis limits (an axes' ``xaxis`` or ``yaxis``,
       with its ticks, labels and grid), one layer per element of ``key``: layer i
       (a list of artists) is drawn, after ``set_axes()``, when ``key[i]`` or a key
       below it changes.  About 11 ms an axis, most of it the tick labels, so an
       axis whose limits stay is not drawn again when the other's change.
       Without ``axes``, ``key`` is the frame's key and ``set_axes()`` comes before
       the full drawing;
    3. ``steady``: artists that change seldom during a drag (the signal explorer's
       layer labels change with the depth, not with the weight scale), when
       ``steady_key`` changes.  Drawing a text costs about 1 ms, much of an update.
       With ``steady_region`` (display pixels that hold the steady artists and that no
       axes layer reaches), a new axes layer keeps them: that region of the last
       image is copied over it instead of drawing them again;
    4. ``dynamic``: drawn at every update (under 10 ms).

    The PNG's palette is taken anew when the frame or the axes change.
    """

    def __init__(self, figure):
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.keys, self.images = (), []  # the frame's and axes layers' keys, and the image after each layer
        self.steady_key = self.background = self.palette = None

    def render(self, key, set_axes, dynamic, axes=(), frame_key=None, steady=(), steady_key=None,
               steady_region=None) -> bytes:
        keys = (frame_key, *key) if axes else (key,)
        # the lowest layer whose key changed: 0 the frame, i the axes layer axes[i - 1]; None: none changed
        changed = 0 if not self.images or keys[0] != self.keys[0] else \
            next((i for i in range(1, len(keys)) if keys[i] != self.keys[i]), None)
        if changed is not None:
            set_axes()
            if changed == 0:
                upper = (*(artist for layer in axes for artist in layer), *steady, *dynamic)
                for artist in upper:
                    artist.set_visible(False)
                self.canvas.draw()
                self.images = [self.canvas.copy_from_bbox(self.figure.bbox)]
                for artist in upper:
                    artist.set_visible(True)
            del self.images[max(changed, 1):]  # the layers from the changed one up are drawn again
            for layer in axes[len(self.images) - 1:]:
                self.canvas.restore_region(self.images[-1])
                for artist in layer:
                    self.figure.draw_artist(artist)
                self.images.append(self.canvas.copy_from_bbox(self.figure.bbox))
            self.keys, self.palette = keys, None
        if changed is not None or steady_key != self.steady_key:
            self.canvas.restore_region(self.images[-1])
            if changed and steady_key == self.steady_key and steady_region is not None:
                self._paste(self.background, steady_region)  # the steady artists as they were
            else:
                for artist in steady:
                    self.figure.draw_artist(artist)
            self.background, self.steady_key = self.canvas.copy_from_bbox(self.figure.bbox), steady_key
        self.canvas.restore_region(self.background)
        for artist in dynamic:
            self.figure.draw_artist(artist)
        if self.palette is None:
            self.palette = palette_of(self.canvas)
        return encode_png(self.canvas, self.palette)

    def _paste(self, image, region):
        """Copy ``region`` (display pixels, origin at the bottom left) of ``image`` onto the canvas."""
        height = self.canvas.get_width_height()[1]
        left, right = math.floor(region.x0), math.ceil(region.x1)
        top, bottom = height - math.ceil(region.y1), height - math.floor(region.y0)  # Agg's rows run downwards
        self.canvas.restore_region(image, bbox=(left, top, right, bottom), xy=(0, 0))


class Ridges:
    """Up to four histograms stacked in one axes (a "ridgeline" plot).

    Each layer's values are divided by their largest magnitude, so that every
    histogram fills the same [-1, 1] range whatever its scale: the shape (Gaussian,
    piled up at +-1, a spike at 0) is what matters here; the std curve above shows
    the scale.  The layer numbers are texts at the right of the axes, drawn with the
    histograms: ``Painter`` draws them onto its background when the layers change
    (``steady``), so that a new depth needs no redrawn axes.
    """

    def __init__(self, ax, color, title):
        self.ax = ax
        edges = np.linspace(-1.0, 1.0, BINS + 1)
        self.stairs = [ax.stairs(np.zeros(BINS), edges, baseline=float(k), fill=True, color=color, alpha=0.85)
                       for k in range(4)]
        right = offset_copy(ax.get_yaxis_transform(), fig=ax.figure, x=4, units="points")
        size = matplotlib.rcParams["ytick.labelsize"]
        self.labels = [ax.text(1.0, k + 0.35, "", transform=right, ha="left", va="center", fontsize=size)
                       for k in range(4)]
        ax.set_xlim(-1.0, 1.0)
        ax.set_ylim(0, 4.0)
        ax.set_yticks([])
        ax.grid(False)
        ax.set_xticks([-1, -0.5, 0, 0.5, 1])
        ax.set_xlabel("value / largest |value| of the layer")
        ax.set_title(title)

    def update(self, layers, values_by_layer):
        edges = np.linspace(-1.0, 1.0, BINS + 1)
        for k in range(4):
            self.labels[k].set_text(f"layer {layers[k]}" if k < len(layers) else "")
            values = values_by_layer.get(layers[k]) if k < len(layers) else None
            if values is None:  # fewer than four layers, or nothing computed (exploded)
                self.stairs[k].set_data(np.full(BINS, float(k)), edges, baseline=float(k))
                continue
            values = np.asarray(values).ravel()[:HISTOGRAM_VALUES]
            largest = float(np.abs(values).max())
            scaled = values / largest if largest > 0 else values
            counts, _ = np.histogram(scaled, bins=BINS, range=(-1.0, 1.0))
            heights = 0.8 * counts / max(counts.max(), 1)
            self.stairs[k].set_data(k + heights, edges, baseline=float(k))


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(value, position=None) -> str:
    """The label of a decade on a log axis in plain text, "10³" for 1000 ("" between decades).

    matplotlib writes it as mathtext ($10^{3}$) by default, and parsing mathtext took
    a third of a full drawing of the signal explorer when a drag moved the decades
    on its axis (every step of a weight-scale drag at depth 50).
    """
    exponent = round(math.log10(value)) if value > 0 else 0
    if value <= 0 or not math.isclose(value, 10.0 ** exponent, rel_tol=1e-6):
        return ""
    return "10" + str(exponent).translate(_SUPERSCRIPTS)


def log_axis(axis):
    """Label a log axis's decades with ``power_of_ten`` and leave its minor ticks unlabelled."""
    axis.set_major_formatter(FuncFormatter(power_of_ten))
    axis.set_minor_formatter(NullFormatter())


def set_line(line, layers, values):
    """Show the finite, positive values of a per-layer curve (a log axis cannot show the rest)."""
    values = np.asarray(values, dtype=np.float64)
    good = np.isfinite(values) & (values > 0)
    line.set_data(layers[good], values[good])


def log_range(current, *arrays):
    """Limits of a log axis for ``arrays``, in whole steps of three decades.

    The ``current`` limits are kept while they hold the data and are at most six
    decades too wide, so that during a slider drag the axes (and the background
    image of the blitting) rarely change.
    """
    values = np.concatenate([np.asarray(a, dtype=np.float64) for a in arrays])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return current or (1e-3, 1e1)
    low = max(3 * math.floor(math.log10(values.min() / 1.5) / 3), -200)
    high = min(max(3 * math.ceil(math.log10(values.max() * 1.5) / 3), low + 3), 200)
    if current is not None:
        current_low, current_high = (round(math.log10(limit)) for limit in current)
        if current_low <= low and current_high >= high and (current_high - current_low) - (high - low) <= 6:
            return current
    return 10.0 ** low, 10.0 ** high
