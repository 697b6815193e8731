"""Slack mrkdwn rendered for a terminal (bot/render/terminal.py): what the console prints."""

from __future__ import annotations

import io

import pytest

from bot.render.environment import render_blocks
from bot.render.terminal import PLAIN, Style, encodable, inline, terminal_text

TTY = Style(emoji=True, ansi=True)


@pytest.mark.parametrize(
    ("mrkdwn", "plain"),
    [
        ("*A-1* updated", "A-1 updated"),
        ("_Kath Rees · due 31/05/2027_", "Kath Rees · due 31/05/2027"),
        ("~old~ new", "old new"),
        ("see <https://example.org/guide|the guide>", "see the guide (https://example.org/guide)"),
        ("<https://example.org>", "https://example.org"),
        ("<mailto:kath@x.example|kath@x.example>", "kath@x.example"),
        ("Slack: <@U0KATH>", "Slack: @U0KATH"),
        ("<@U0KATH|kath> and <#C0BOARD|board> <#C0X>", "@kath and #board #C0X"),
        ("<!here> <!date^1700000000^{date}|14 Nov>", "@here 14 Nov"),
        ("a &amp; b &lt;!channel&gt;", "a & b <!channel>"),
        # What people type stays as typed: Slack's emphasis needs word edges.
        ("snake_case_name and 5 * 3 * 2", "snake_case_name and 5 * 3 * 2"),
        ("met at 10:30:15, :custom_thing: stays", "met at 10:30:15, :custom_thing: stays"),
        ("`/csp action show A-1`", "`/csp action show A-1`"),
    ],
)
def test_markup_becomes_plain_text(mrkdwn: str, plain: str) -> None:
    assert inline(mrkdwn, PLAIN) == plain


def test_emoji_are_words_when_plain_and_emoji_on_a_terminal() -> None:
    line = ":large_orange_circle: *A-1* Walkabout"
    assert inline(line, PLAIN) == "[amber] A-1 Walkabout"
    assert inline(line, TTY) == "🟠 \x1b[1mA-1\x1b[22m Walkabout"
    assert inline(":warning: Sorry", PLAIN) == "[!] Sorry"
    assert inline(":white_check_mark: done", PLAIN) == "[ok] done"
    # Decorative ones go, with their space: the heading says the same.
    assert inline(":bust_in_silhouette: Added *Kath*", PLAIN) == "Added Kath"
    assert inline(":bust_in_silhouette: Added", TTY) == "👤 Added"


def test_a_whole_reply_has_no_raw_mrkdwn() -> None:
    row = {
        "ref": "A-1",
        "title": "Walkabout & <b>survey</b>",
        "rag": "amber",
        "complete": False,
        "owner": "Kath Rees",
        "due": "31/05/2027",
        "status": "in progress",
        "overdue": False,
        "timescale": "",
        "snoozed": "",
        "days_overdue": 0,
    }
    blocks = render_blocks(
        "action_changed",
        {
            "action": row,
            "changes": ["RAG: none → amber"],
            "note": "a & b",
            "changed": True,
            "by": "Kath",
            "on_behalf_of": "",
            "already": None,
        },
    )
    text = terminal_text(blocks)
    assert "[ok] A-1 updated." in text
    assert "[amber] A-1 Walkabout & <b>survey</b>" in text
    for raw in ("*", ":white_check_mark:", ":large_orange_circle:", "&amp;", "&lt;"):
        assert raw not in text, raw


class _Stream(io.StringIO):
    def __init__(self, encoding: str, tty: bool) -> None:
        super().__init__()
        self._encoding, self._tty = encoding, tty

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    def isatty(self) -> bool:
        return self._tty


def test_style_follows_the_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert Style.of(_Stream("UTF-8", tty=True)) == Style(True, True, "UTF-8")
    assert Style.of(_Stream("utf-8", tty=False)) == Style(False, False, "utf-8")  # piped
    assert Style.of(_Stream("ascii", tty=True)) == Style(False, True, "ascii")
    monkeypatch.setenv("NO_COLOR", "1")
    assert Style.of(_Stream("UTF-8", tty=True)) == Style(True, False, "UTF-8")


@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "cp1252"])
def test_text_fits_an_encoding_that_is_not_utf8(encoding: str) -> None:
    style = Style(encoding=encoding)
    text = encodable("  ↳ /csp action show A-1  ·  due → 31/05 “quoted” … 🟠 ✅", style)
    text.encode(encoding)  # never raises
    assert "/csp action show A-1" in text and "31/05" in text
    if encoding == "ascii":
        assert text.startswith("  -> /csp")
