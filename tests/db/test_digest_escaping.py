"""Hostile text in a plan stays text in the digest's Slack, Markdown and HTML forms."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cli.digest import md_escape, render_document
from storage.models import Action, Measure, Priority
from tests import kit
from tests.db.digestkit import HOSTILE, add_return, digest, group, person, plans, slack
from tests.sweepkit import at

__all__ = ["plans"]  # fixtures shared through the kit


def hostile_plan(session: Session) -> None:
    pid = kit.partnership(session).id
    session.scalars(select(Priority).where(Priority.partnership_id == pid)).first().title = HOSTILE  # type: ignore[union-attr]
    for action in session.scalars(select(Action).where(Action.partnership_id == pid)):
        action.title = HOSTILE
    person(session, "Lee Lead").name = "Lee " + HOSTILE
    group(session).name = "ASB " + HOSTILE
    session.scalars(select(Measure).where(Measure.partnership_id == pid)).first().name = HOSTILE  # type: ignore[union-attr]
    add_return(
        session,
        "ASB " + HOSTILE,
        submitted=at("2026-10-15 11:00"),
        escalations=f"{HOSTILE}\n# not a heading\n- not a list\n1. not numbered\n===\n| not | a table |",
    )
    session.commit()


class Tags(HTMLParser):
    """Every element an HTML document really contains."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def test_hostile_text_is_only_text_in_slack_markdown_and_html(plans: Session) -> None:
    hostile_plan(plans)
    data = digest(plans)

    blocks = json.dumps([b for page in slack(data) for b in page], ensure_ascii=False)
    assert "<!channel>" not in blocks and "<https://evil" not in blocks and "<script>" not in blocks
    assert "&lt;!channel&gt; &lt;https://evil|x&gt; {{ 7*7 }}" in blocks
    assert "49" not in blocks

    md = render_document(data, "md")
    assert "<" not in md.replace("\\<", "")
    assert "\\<!channel\\> \\<https://evil\\|x\\> {{ 7\\*7 }} \\*bold\\* \\<script\\>" in md
    assert "49" not in md
    # Escalation lines cannot start a heading, a list, a numbered list, a rule or a table.
    for line in (
        "> \\# not a heading",
        "> \\- not a list",
        "> 1\\. not numbered",
        "> \\===",
        "> \\| not \\| a table \\|",
    ):
        assert line in md, line
    for line in md.splitlines():
        assert not line.startswith(("# not", "- not", "> # ", "> - ", "> 1. ")), line

    html = render_document(data, "html")
    tags = Tags()
    tags.feed(html)
    assert "script" not in tags.tags and "a" not in tags.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;!channel&gt; &lt;https://evil|x&gt; {{ 7*7 }} *bold*" in html
    # The charts' pictures are base64 inside the page: look for 49 in its text only.
    assert "49" not in re.sub(r'"data:image/[^"]*"', '""', html)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain words, 1,234 and 12.5%", "plain words, 1,234 and 12.5%"),
        (
            "*a* _b_ `c` [d](e) <f> a|b ~g~ & \\",
            "\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\<f\\> a\\|b \\~g\\~ \\& \\\\",
        ),
        ("# head", "\\# head"),
        ("+ item", "\\+ item"),
        ("12) item", "12\\) item"),
        ("two\nlines\n# no", "two lines # no"),  # mid-line, "#" starts nothing
    ],
)
def test_markdown_escaping(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped
