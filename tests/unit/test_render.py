"""Block Kit rendering: escaping by construction, limits, text for the console."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.render.blocks import SECTION_CHARS, cap, fit, pages, to_text
from bot.render.environment import render_blocks, slack_environment
from tests.conftest import REPO
from tests.kit import valid_blocks

HOSTILE = "<!channel> <https://evil.example|click> <@U0MO> & {{ 7*7 }}"
ROW = {
    "ref": "A-1",
    "title": HOSTILE,
    "complete": False,
    "rag": "red",
    "owner": HOSTILE,
    "due": "",
    "organisation": "",
    "status": "in progress",
    "overdue": False,
}


def test_expressions_are_escaped_once_in_templates_and_macros() -> None:
    env = slack_environment()
    out = env.from_string(
        '{% import "_action.j2" as act %}{{ act.line(a) }} / {{ a.title }}'
    ).render(a=ROW)
    escaped = "&lt;!channel&gt; &lt;https://evil.example|click&gt; &lt;@U0MO&gt; &amp; {{ 7*7 }}"
    assert out.count(escaped) == 3  # title and owner in the line, title after it
    assert "&amp;lt;" not in out and "<!channel>" not in out and "49" not in out


def test_no_template_marks_output_safe() -> None:
    """`| safe` would bypass escaping; macros are escaped where used instead."""
    for path in Path(REPO / "templates").glob("*.j2"):
        assert "safe" not in path.read_text().replace("unsafe", ""), path.name


def test_error_template_escapes_the_message() -> None:
    blocks = valid_blocks(render_blocks("error", {"message": HOSTILE, "line": "", "example": ""}))
    text = json.dumps(blocks)
    assert "<!channel>" not in text and "<@U0MO>" not in text


def test_long_sections_are_split_under_the_limit() -> None:
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(200))
    blocks = fit([{"type": "section", "text": {"type": "mrkdwn", "text": text}}])
    assert len(blocks) > 1
    assert all(len(b["text"]["text"]) <= SECTION_CHARS for b in blocks)
    assert "\n".join(b["text"]["text"] for b in blocks) == text
    one_line = fit([{"type": "section", "text": {"type": "mrkdwn", "text": "&amp; " * 2000}}])
    assert all(len(b["text"]["text"]) <= SECTION_CHARS for b in one_line)
    assert all(not b["text"]["text"].endswith("&am") for b in one_line)


@pytest.mark.parametrize("count", [1, 49, 50, 51, 120, 1000])
def test_pages_hold_at_most_fifty_blocks_and_lose_nothing(count: int) -> None:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"row {i}"}} for i in range(count)
    ]
    result = pages(blocks)
    assert all(len(p) <= 50 for p in result)
    assert [b["text"]["text"] for p in result for b in p] == [f"row {i}" for i in range(count)]


def test_buttons_stay_with_their_section_across_pages() -> None:
    blocks = []
    for i in range(60):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"row {i}"}})
        blocks.append({"type": "actions", "elements": []})
    for page in pages(blocks):
        assert page[0]["type"] == "section"


def test_cap_ends_with_a_note_saying_how_to_see_the_rest() -> None:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"row {i}"}} for i in range(150)
    ]
    capped = cap(blocks, more="Type `/csp action list`.")
    assert len(capped) == 100
    assert "/csp action list" in capped[-1]["elements"][0]["text"]


def test_console_text_unescapes_and_shows_buttons_as_commands() -> None:
    blocks = render_blocks(
        "action_changed",
        {
            "action": ROW,
            "changes": ["RAG: amber → red"],
            "note": "a & b",
            "changed": True,
            "by": "Lee",
            "on_behalf_of": "",
            "already": None,
        },
    )
    text = to_text(blocks)
    assert "<!channel>" in text  # the console shows what was typed
    assert "a & b" in text
