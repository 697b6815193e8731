"""The measure charts share one figure (bot/render/chart_canvas.py): nothing of one chart
shows in the next, so a chart is the same bytes whatever was drawn before it."""

from __future__ import annotations

import io
import threading
from typing import Any

from PIL import Image

from bot.render import chart_canvas, charts
from partnership.messages import charts as words
from tests.unit.test_chart_pictures import spec


def others() -> list[dict[str, Any]]:
    """Charts unlike spec(): in parts, no target, a unit-less one with big values."""
    points = spec()["series"][0]["points"]
    parts = [
        {"label": "Male", "points": points},
        {"label": "Female", "points": [{**p, "value": p["value"] - 30} for p in points]},
        {"label": "Stroud", "points": [{**p, "value": p["value"] + 400} for p in points]},
    ]
    return [
        spec(key="measure-2", series=parts, title="M-2 In parts"),
        spec(
            key="measure-3",
            unit="",
            baseline=None,
            target=None,
            path=None,
            better=words.better_label(""),
            status={"state": "no data", "word": words.STATE_WORDS["no data"], "reason": ""},
            series=[{"label": "", "points": [{**p, "value": p["value"] * 1e4} for p in points]}],
        ),
    ]


def test_a_chart_is_the_same_bytes_after_other_charts_as_on_a_new_figure() -> None:
    chart_canvas.forget_boards()
    fresh = charts.measure_png(spec())
    for other in others():
        chart_canvas.forget_boards()
        alone = charts.measure_png(other)
        # The other chart after spec(), and spec() after it: as each drawn on its own.
        chart_canvas.forget_boards()
        charts.measure_png(spec())
        assert charts.measure_png(other) == alone
        assert charts.measure_png(spec()) == fresh
    # And the SVG copy between PNGs leaves nothing behind either.
    charts.measure_svg(others()[0])
    assert charts.measure_png(spec()) == fresh


def test_the_png_is_opaque_256_colours_with_no_text_chunks() -> None:
    png = charts.measure_png(spec())
    picture = Image.open(io.BytesIO(png))
    assert picture.mode == "P" and picture.size == (960, 600)
    assert not picture.info.get("transparency") and not getattr(picture, "text", {})
    assert b"tEXt" not in png and b"iTXt" not in png


def test_each_thread_draws_on_a_figure_of_its_own() -> None:
    """The sender may draw in threads: each has its own board, the pictures are the same."""
    expected = charts.measure_png(spec())
    got: list[bytes] = []
    seen: list[int] = []

    def draw() -> None:
        got.append(charts.measure_png(spec()))
        seen.append(id(chart_canvas.measure_board().figure))

    worker = threading.Thread(target=draw)
    worker.start()
    worker.join(timeout=60)
    assert got == [expected]
    assert seen and seen[0] != id(chart_canvas.measure_board().figure)
