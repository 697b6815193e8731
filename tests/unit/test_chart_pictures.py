"""The digest's pictures as drawn (bot/render/charts.py): same bytes twice, not blank, readable.

The specs are plain view-model dicts, as partnership.digest_charts builds them.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from bot.render import charts
from partnership.messages import charts as words


def spec(**over: Any) -> dict[str, Any]:
    """A measure chart spec: three readings, a baseline, a target by a date, its path."""
    base: dict[str, Any] = {
        "key": "measure-1",
        "ref": "M-1",
        "title": "M-1 Crime per 1,000",
        "unit": "per 1,000",
        "series": [
            {
                "label": "",
                "points": [
                    {"x": "2026-06-30", "period": "Q1 2026/27", "value": 82.0, "shown": "82"},
                    {"x": "2026-09-30", "period": "Q2 2026/27", "value": 81.0, "shown": "81"},
                ],
            }
        ],
        "baseline": {"value": 81.5, "x": "2026-03-31", "label": "Baseline 81.5 (2025/26)"},
        "target": {
            "value": 55.2,
            "x": "2028-03-31",
            "date": "31/03/2028",
            "label": "Target 55.2 by 31/03/2028",
        },
        "path": [{"x": "2026-03-31", "value": 81.5}, {"x": "2028-03-31", "value": 55.2}],
        "direction": "lower",
        "better": words.better_label("lower"),
        "status": {"state": "off track", "word": "OFF TRACK", "reason": "behind the path"},
        "alt": "",
    }
    return {**base, **over}


def grid() -> dict[str, Any]:
    return {
        "key": "rag-grid",
        "title": words.RAG_TITLE,
        "columns": ["10/09/2026", "10/12/2026", "Now"],
        "rows": [
            {
                "code": "P1",
                "label": "P1 Reduce anti-social behaviour",
                "cells": [
                    {"state": "", "word": words.NO_SNAPSHOT},
                    {"state": "amber", "word": "Amber"},
                    {"state": "red", "word": "Red"},
                ],
            }
        ],
        "alt": "",
    }


def image(png: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(png))
    picture.load()
    return picture


def ink(picture: Image.Image) -> int:
    """How many pixels are not white: a blank picture has none."""
    grey = picture.convert("L")
    return sum(grey.histogram()[:200])


def test_a_measure_chart_is_the_same_bytes_on_two_runs() -> None:
    first, second = charts.measure_png(spec()), charts.measure_png(spec())
    assert first.startswith(b"\x89PNG") and first == second
    assert charts.measure_svg(spec()) == charts.measure_svg(spec())
    assert charts.grid_png(grid()) == charts.grid_png(grid())


def test_the_pictures_carry_no_date_or_software_version() -> None:
    svg = charts.measure_svg(spec())
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg
    assert b"Software" not in charts.measure_png(spec())


def test_different_data_draws_a_different_picture() -> None:
    other = spec(series=[{**spec()["series"][0], "points": spec()["series"][0]["points"][:1]}])
    assert charts.measure_png(other) != charts.measure_png(spec())


def test_a_measure_chart_is_slack_sized_and_not_blank() -> None:
    picture = image(charts.measure_png(spec()))
    assert picture.size == (960, 600)
    assert ink(picture) > 5_000


@pytest.mark.parametrize("state", ["on track", "off track", "no data"])
def test_every_state_and_no_target_draws(state: str) -> None:
    plain = spec(
        baseline=None,
        target=None,
        path=None,
        direction="",
        better=words.better_label(""),
        status={"state": state, "word": words.STATE_WORDS[state], "reason": ""},
    )
    assert ink(image(charts.measure_png(plain))) > 2_000


def test_a_measure_with_parts_draws_a_line_for_each() -> None:
    points = spec()["series"][0]["points"]
    parts = [
        {"label": "Male", "points": points},
        {"label": "Female", "points": [{**p, "value": p["value"] - 10} for p in points]},
    ]
    one, two = charts.measure_png(spec()), charts.measure_png(spec(series=parts))
    assert one != two and ink(image(two)) > ink(image(one)) - 2_000


def test_the_svg_keeps_each_charts_ids_apart() -> None:
    """Two charts in one page must not share ids: the salt is the chart's key."""
    a = charts.measure_svg(spec())
    b = charts.measure_svg(spec(key="measure-2"))
    assert a != b


def test_a_grid_grows_with_its_rows_and_says_its_cells() -> None:
    small = image(charts.grid_png(grid()))
    many = grid()
    many["rows"] = many["rows"] * 8
    big = image(charts.grid_png(many))
    assert big.size[1] > small.size[1] and ink(big) > ink(small)


def test_a_data_uri_is_one_self_contained_picture() -> None:
    uri = charts.data_uri(charts.measure_png(spec()))
    assert uri.startswith("data:image/png;base64,")
    assert charts.pictures({"measures": [spec()]}) == {"measure-1": uri}
