"""The digest's pictures drawn with matplotlib's Agg backend: PNG for Slack, SVG for the papers.

What to draw comes from the view-model (:mod:`partnership.digest_charts`); this
module only draws it. The board papers and Slack carry the same PNGs; SVG is
there for a vector copy. matplotlib is imported inside bot/render/chart_canvas.py, on first
use: the web process never draws, so its start-up and memory do not pay for it.

Every picture reads in black and white: the latest reading is marked by a
shape *and* a word as well as a colour, the baseline, target and path differ
by line style, a grid cell says its state in words. The output is the same
bytes for the same data: the font is matplotlib's own DejaVu Sans at fixed
sizes, SVG ids come from a fixed salt and text is drawn as paths, and the
date and software metadata are left out.
"""

from __future__ import annotations

import base64
import datetime as dt
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from bot.render import chart_canvas
from bot.render.chart_canvas import save as _save

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FONT = "DejaVu Sans"  # shipped inside matplotlib, so no system font changes a picture
RC: dict[str, Any] = {
    "font.family": FONT,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 9,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8,
    "svg.hashsalt": "csp-bot",
    "svg.fonttype": "path",
    # FreeType's unhinted outlines: a quarter less time on text, which is half of a
    # chart's drawing, and at 150 dpi no visible difference.
    "text.hinting": "no_hinting",
    "axes.spines.top": False,
    "axes.spines.right": False,
}
INK = "#1b1b1b"
GREY = "#505a5f"
# A state's colour, marker shape and marker size (GOV.UK colours; the word says it too).
STATE_STYLE = {
    "on track": ("#00703c", "o", 9),
    "slightly off": ("#f47738", "^", 10),
    "off track": ("#b10e1e", "X", 10),
    "no data": ("#505a5f", "s", 8),
}
# The lines of a measure with parts differ by style and marker, not colour alone.
SERIES_STYLE = [
    ("#1d70b8", "-", "o"),
    ("#4c2c92", "--", "^"),
    ("#28a197", ":", "D"),
    ("#f47738", "-.", "v"),
    ("#6f72af", (0, (5, 1, 1, 1)), "P"),
]
# A grid cell's fill and text colour by state; the word in it says the state.
CELL_STYLE = {
    "red": ("#d4351c", "white"),
    "amber": ("#ffdd00", INK),
    "green": ("#00703c", "white"),
    "not rated": ("#dee0e2", INK),
    "in": ("#cce2d8", INK),
    "late": ("#fff7bf", INK),
    "missing": ("#d4351c", "white"),
    "due": ("#f3f2f1", INK),
}
BLANK_CELL = ("white", GREY)
MAX_TICKS = 6


# --------------------------------------------------------------------------- entry points


def measure_png(chart: dict[str, Any]) -> bytes:
    """A measure's chart as PNG bytes (for Slack)."""
    with _rc(chart["key"]):
        return _save(_measure_figure(chart), "png")


def measure_svg(chart: dict[str, Any]) -> bytes:
    """A measure's chart as SVG bytes (a vector copy)."""
    with _rc(chart["key"]):
        return _save(_measure_figure(chart), "svg")


def grid_png(grid: dict[str, Any]) -> bytes:
    """A grid (the RAG over time, the returns by group) as PNG bytes."""
    with _rc(grid["key"]):
        return _save(_grid_figure(grid), "png")


def grid_svg(grid: dict[str, Any]) -> bytes:
    """A grid as SVG bytes."""
    with _rc(grid["key"]):
        return _save(_grid_figure(grid), "svg")


def data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI, so a board paper is one file that works offline."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def pictures(charts: dict[str, Any]) -> dict[str, str]:
    """Every measure chart of a digest's ``charts`` as a PNG data URI, by its key.

    The papers carry the very PNGs Slack is sent (150 dpi prints well at A4's
    width); WeasyPrint lays out a PNG some fifteen times faster than the same
    chart as SVG, which keeps a sixty-chart PDF to seconds.
    """
    return {c["key"]: data_uri(measure_png(c)) for c in charts.get("measures", [])}


# --------------------------------------------------------------------------- drawing


@contextmanager
def _rc(key: str) -> Iterator[None]:
    """matplotlib's settings for one picture; the SVG ids are salted by its key."""
    from matplotlib import rc_context

    settings: Any = {**RC, "svg.hashsalt": f"csp-bot-{key}"}
    with rc_context(settings):
        yield


def _day(iso: str) -> float:
    return float(dt.date.fromisoformat(iso).toordinal())


def _measure_figure(chart: dict[str, Any]) -> Figure:
    board = chart_canvas.measure_board()
    figure, ax = board.figure, board.ax
    entries: list[tuple[str, dict[str, Any]]] = []
    # About 68 characters of 11 pt bold fit the width (78 ran off the right edge).
    title = textwrap.wrap(chart["title"], 68)
    figure.text(
        0.02,
        0.975,
        "\n".join(title[:2]),
        va="top",
        fontsize=11,
        fontweight="bold",
        color=INK,
    )
    figure.text(0.02, 0.84, chart["better"], fontsize=9.5, fontweight="bold", color=INK)
    if chart["unit"]:
        ax.set_ylabel(textwrap.shorten(chart["unit"], 30, placeholder="…"), color=GREY)
    ticks: dict[float, str] = {}
    many = len(chart["series"]) > 1
    for i, series in enumerate(chart["series"]):
        colour, style, marker = SERIES_STYLE[i % len(SERIES_STYLE)]
        xs = [_day(p["x"]) for p in series["points"]]
        ys = [p["value"] for p in series["points"]]
        look: dict[str, Any] = {
            "color": colour,
            "linestyle": style,
            "marker": marker,
            "markersize": 4,
        }
        ax.plot(xs, ys, linewidth=2, zorder=3, **look)
        entries.append((series["label"] or "Readings", {**look, "linewidth": 2}))
        ticks.update((_day(p["x"]), p["period"]) for p in series["points"])
    first = [max(ticks)]
    if chart["target"] is not None and chart["target"]["x"]:
        first.append(_day(chart["target"]["x"]))
        ticks.setdefault(first[-1], chart["target"]["date"])
    entries += _reference_lines(ax, chart)
    _latest(ax, chart, many)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.margins(x=0.05, y=0.22)
    _ticks(ax, ticks, first)
    chart_canvas.legend(figure, entries)
    return figure


def _reference_lines(ax: Axes, chart: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The baseline (dashed), the target (dotted) and the path between them (dash-dot);
    their legend entries."""
    baseline, target, path = chart["baseline"], chart["target"], chart["path"]
    entries: list[tuple[str, dict[str, Any]]] = []
    look: dict[str, Any]
    if baseline is not None:
        look = {"color": GREY, "linestyle": "--", "linewidth": 1.2}
        _level(ax, baseline, look, marker="D", size=5)
        entries.append((baseline["label"], look))
    if target is not None:
        look = {"color": INK, "linestyle": ":", "linewidth": 1.6}
        _level(ax, target, look, marker="*", size=10)
        entries.append((target["label"], look))
    if path is not None:
        look = {"color": INK, "linestyle": "-.", "linewidth": 1.2}
        ax.plot([_day(p["x"]) for p in path], [p["value"] for p in path], zorder=2, **look)
        entries.append(("Path to target", look))
    return entries


def _level(
    ax: Axes, level: dict[str, Any], look: dict[str, Any], *, marker: str, size: int
) -> None:
    """A level across the chart (baseline or target), marked at its own date when it has one."""
    ax.axhline(level["value"], zorder=1, **look)
    if level["x"]:
        ax.plot(
            [_day(level["x"])],
            [level["value"]],
            marker=marker,
            color=look["color"],
            markersize=size,
            linestyle="none",
            zorder=2,
        )


def _latest(ax: Axes, chart: dict[str, Any], many: bool) -> None:
    """Mark each line's latest reading by its state: a shape, a colour and a word."""
    status = chart["status"]
    colour, marker, size = STATE_STYLE.get(status["state"], STATE_STYLE["no data"])
    for series in chart["series"]:
        last = series["points"][-1]
        x, y = _day(last["x"]), last["value"]
        ax.plot(
            [x],
            [y],
            marker=marker,
            color=colour,
            markersize=size,
            markeredgecolor=INK,
            markeredgewidth=0.8,
            linestyle="none",
            zorder=4,
        )
        if not many:
            ax.annotate(
                f"{last['shown']}\n{status['word']}",
                (x, y),
                xytext=(0, 12),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8.5,
                fontweight="bold",
                color=INK,
                zorder=5,
                bbox={
                    "boxstyle": "round,pad=0.25",
                    "facecolor": "white",
                    "edgecolor": colour,
                    "linewidth": 1.4,
                },
            )
    if many:
        ax.text(
            0.99,
            0.02,
            status["word"],
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=9,
            fontweight="bold",
            color=colour,
        )


def _ticks(ax: Axes, ticks: dict[float, str], first: list[float]) -> None:
    """The periods under the axis: ``first`` always (the latest, the target date), then
    the other readings from the latest back, none crowding another."""
    low, high = ax.get_xlim()
    gap = (high - low) / MAX_TICKS
    keep = list(first)
    for x in sorted(ticks, reverse=True):
        if all(abs(k - x) >= gap for k in keep):
            keep.append(x)
    keep.sort()
    # "Q4 2025/26" on two lines: half as wide.
    ax.set_xticks(keep, [ticks[x].replace(" ", "\n", 1) for x in keep])
    ax.set_xlim(low, high)


def _grid_figure(grid: dict[str, Any]) -> Figure:
    rows, columns = grid["rows"], grid["columns"]
    height = 1.05 + 0.32 * max(len(rows), 1)
    figure = chart_canvas.figure(height)
    figure.text(
        0.02, 1 - 0.12 / height, grid["title"], va="top", fontsize=11, fontweight="bold", color=INK
    )
    top = 1 - 0.72 / height
    # Columns about a word wide each: a grid of one column is not one long bar.
    ax = figure.add_axes((0.36, 0.02, min(0.62, 0.14 * len(columns)), top - 0.02))
    ax.set_xlim(0, len(columns))
    ax.set_ylim(max(len(rows), 1), 0)
    ax.axis("off")
    for j, col in enumerate(columns):
        ax.text(
            j + 0.5,
            -0.15,
            col,
            ha="center",
            va="bottom",
            fontsize=8.5,
            fontweight="bold",
            color=INK,
        )
    for i, row in enumerate(rows):
        ax.text(-0.08, i + 0.5, row["label"], ha="right", va="center", fontsize=8.5, color=INK)
        for j, cell in enumerate(row["cells"]):
            fill, ink = CELL_STYLE.get(cell["state"], BLANK_CELL)
            ax.add_patch(_cell(j, i, fill))
            ax.text(
                j + 0.5,
                i + 0.5,
                cell["word"],
                ha="center",
                va="center",
                fontsize=8.5,
                fontweight="bold",
                color=ink,
            )
    if not rows:
        ax.text(len(columns) / 2, 0.5, "Nothing to show", ha="center", va="center", color=GREY)
    return figure


def _cell(x: int, y: int, fill: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x + 0.03, y + 0.06), 0.94, 0.88, facecolor=fill, edgecolor=INK, linewidth=0.6)
