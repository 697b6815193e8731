"""Where the digest's pictures are drawn: the Agg figure, reused, and its PNG encoding.

A digest draws a chart for every measure with readings, all of one size and
layout, so the measure charts share one figure and one set of axes per thread
(:func:`measure_board`), wiped between charts, instead of building a figure,
its axes and a dozen tick objects for each: building them was a third of a
chart's time. The wipe leaves nothing of one chart in the next (the axes'
data limits, autoscaling and every added artist go), so a chart is the same
bytes whichever chart came before it (tests/unit/test_chart_reuse.py checks).
The Agg renderer is kept with the figure, and with it matplotlib's cache of
text measurements.

The legend is laid out here at fixed places rather than by matplotlib's
legend, whose box packing measured every label twice on every chart.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Slack shows an image about 360-480 px wide (720-960 on a high-density screen):
# 960 x 600 px at 150 dpi, large type; it prints sharp at A4's width too.
SIZE = (6.4, 4.0)
DPI = 150
# Where a measure chart's axes sit (left, bottom, width, height, in figure fractions).
AXES = (0.1, 0.27, 0.87, 0.53)
# The PNGs hold at most 256 colours (a chart has a few colours and their anti-aliased
# edges; no difference to see), which is a quarter of the bytes of RGB and quicker
# to compress; zlib level 3 takes two thirds of the default 6's time.
PNG_LEVEL = 3
# Ticks on the value axis: at most five steps reads at Slack's size and draws less.
Y_STEPS = 5
# The legend under the axes: two columns, rows from the top (figure fractions).
LEGEND_COLUMNS = (0.1, 0.55)
LEGEND_TOP = 0.13
LEGEND_ROW = 0.036
LEGEND_HANDLE = 0.045  # 2.6 em of 8 pt type, as matplotlib's legend drew it
LEGEND_GAP = 0.014


def figure(height: float = SIZE[1]) -> Figure:
    """A new figure on the Agg canvas, outside pyplot (no global figure, no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    made = Figure(figsize=(SIZE[0], height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(made)
    return made


@dataclass
class Board:
    """A measure chart's figure and axes, reused from one chart to the next."""

    figure: Figure
    ax: Axes


_boards = threading.local()  # one per thread: the sender may draw in more than one


def measure_board() -> Board:
    """This thread's measure-chart figure and axes, wiped clean (made on first use)."""
    from matplotlib.ticker import MaxNLocator

    board: Board | None = getattr(_boards, "measure", None)
    if board is None:
        made = figure()
        board = Board(made, made.add_axes(AXES))
        board.ax.yaxis.set_major_locator(MaxNLocator(nbins=Y_STEPS, steps=[1, 2, 2.5, 5, 10]))
        _boards.measure = board
    else:
        wipe(board)
    # Fixed places for the axis titles: not worked out from the tick labels' sizes.
    board.ax.yaxis.set_label_coords(-0.075, 0.5)
    board.ax.xaxis.set_label_coords(0.5, -0.1)
    return board


def forget_boards() -> None:
    """Drop this thread's reused figure (tests draw on a new one to compare)."""
    _boards.measure = None


def wipe(board: Board) -> None:
    """Remove everything the last chart added, and reset what it changed."""
    ax = board.ax
    for artist in [*board.figure.texts, *board.figure.artists]:
        artist.remove()
    for artist in [*ax.lines, *ax.texts, *ax.patches, *ax.collections]:
        artist.remove()
    ax.set_ylabel("")
    # No data, limits from the next chart's data alone (relim with nothing drawn).
    ax.relim()
    ax.set_autoscale_on(True)


def legend(fig: Figure, entries: list[tuple[str, dict[str, Any]]]) -> None:
    """Each entry's line sample and label, two to a row, down the columns."""
    from matplotlib.lines import Line2D

    rows = (len(entries) + 1) // 2
    for n, (label, style) in enumerate(entries):
        x = LEGEND_COLUMNS[n // rows]
        y = LEGEND_TOP - (n % rows) * LEGEND_ROW
        sample = [x, x + LEGEND_HANDLE / 2, x + LEGEND_HANDLE]
        fig.add_artist(Line2D(sample, [y, y, y], markevery=[1], **style))
        fig.text(x + LEGEND_HANDLE + LEGEND_GAP, y, label, va="center", fontsize=8)


def save(fig: Figure, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes, the same bytes for the same drawing."""
    out = io.BytesIO()
    if fmt == "png":
        # Agg's pixels straight to PIL, without the alpha channel (a chart is opaque),
        # in 256 colours (the octree's choice is fixed by the pixels) and with no text
        # chunks at all (no software version, no date).
        from PIL import Image

        canvas: Any = fig.canvas  # always Agg: made by figure()
        canvas.draw()
        size = canvas.get_width_height()
        rgba = Image.frombuffer("RGBA", size, canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        rgb = rgba.convert("RGB")
        rgb.quantize(256, method=Image.Quantize.FASTOCTREE).save(
            out, format="png", compress_level=PNG_LEVEL
        )
        return out.getvalue()
    fig.savefig(out, format=fmt, dpi=DPI, metadata={"Date": None, "Creator": None})
    return out.getvalue()
