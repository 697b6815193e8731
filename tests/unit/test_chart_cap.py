"""A digest's Slack thread carries ten pictures at most: the worst-off measures first."""

from __future__ import annotations

from typing import Any

from partnership.digest_uploads import SLACK_FILES, chart_files, left_out, slack_choice
from partnership.messages import charts as words


def measure(n: int, state: str = "on track") -> dict[str, Any]:
    return {
        "key": f"measure-{n}",
        "ref": f"M-{n}",
        "title": f"M-{n} Measure {n}",
        "alt": f"M-{n}: 1 in Q2.",
        "status": {"state": state},
    }


def grid(key: str) -> dict[str, Any]:
    return {"key": key, "title": key, "rows": [{"label": "x"}], "alt": key}


def data(measures: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "meeting": {"date": "10/12/2026"},
        "charts": {"measures": measures, "rag": grid("rag-grid"), "returns": grid("returns-grid")},
    }


def test_a_small_digest_keeps_every_chart() -> None:
    few = data([measure(n) for n in range(3)])
    assert [f["spec"]["key"] for f in chart_files(few)][:3] == [
        "measure-0",
        "measure-1",
        "measure-2",
    ]
    assert left_out(few) == [] and slack_choice(few["charts"])["note"] == ""


def test_hundreds_of_measures_upload_ten_files_the_worst_off_first() -> None:
    many = [measure(n) for n in range(300)]
    many[250]["status"]["state"] = "off track"
    many[120]["status"]["state"] = "slightly off"
    files = chart_files(data(many))
    assert len(files) == SLACK_FILES == 10
    kept = [f["spec"]["key"] for f in files if f["draw"] == "measure"]
    # Eight measures beside the two grids: the off-track one, the slightly-off one, then
    # the first six in plan order, shown in plan order.
    assert kept == [f"measure-{n}" for n in (0, 1, 2, 3, 4, 5, 120, 250)]
    assert [f["draw"] for f in files][-2:] == ["grid", "grid"]
    dropped = left_out(data(many))
    assert len(dropped) == 292 and "M-250" not in dropped and dropped[0] == "M-6"


def test_the_comment_names_the_left_out_and_where_to_see_them() -> None:
    said = words.charts_comment(n=10, left_out=[f"M-{n}" for n in range(20)])
    assert said.startswith("10 charts for this digest.")
    assert "20 measure charts are not posted in Slack (M-0, M-1" in said
    assert "M-11 and 8 more)" in said and "`/csp digest paper`" in said
    note = slack_choice(data([measure(n) for n in range(12)])["charts"])["note"]
    assert note.startswith("The digest's Slack thread carries 8 of these charts")
    assert "4 measure charts are not posted in Slack (M-8, M-9, M-10, M-11)" in note
    assert words.charts_comment(n=3) == words.charts_comment(n=3, left_out=[])
