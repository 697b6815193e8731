"""Slack replies as terminal text: what the console (and ``run-due --dry-run``) prints.

The replies are Block Kit with mrkdwn, made for Slack. A terminal gets them
readable instead of raw: ``*bold*`` in bold (ANSI, on a terminal that shows
it) or plain, ``_italic_`` likewise, ``<https://x|the guide>`` as
``the guide (https://x)``, ``<@U0KATH>`` as ``@U0KATH``, entities (``&amp;``)
unescaped, and Slack's emoji names as Unicode emoji on a UTF-8 terminal, or,
where output is piped or the encoding cannot show them, as words for the ones
that carry meaning (``:large_orange_circle:`` → ``[amber]``) and nothing for
the decorative ones. Text that cannot be encoded in the output's encoding is
replaced by ASCII look-alikes, so a non-UTF-8 terminal never raises.

Typed text reaches here escaped (``&lt;`` for ``<``), so every ``<...>`` is
markup the bot made; ``*`` and ``_`` follow Slack's rule (at word edges only), so
``snake_case`` and ``5 * 3`` stay as typed. Only known emoji names are
replaced, so ``10:30:15`` stays too.
"""

from __future__ import annotations

import codecs
import html
import os
import re
from dataclasses import dataclass
from typing import Any, TextIO

from bot.render.blocks import to_text

# Emoji with a meaning: (Unicode, words for plain output).
MEANINGFUL = {
    "white_check_mark": ("✅", "[ok]"),
    "warning": ("⚠️", "[!]"),
    "grey_question": ("❔", "[?]"),
    "red_circle": ("🔴", "[red]"),
    "large_orange_circle": ("🟠", "[amber]"),
    "large_green_circle": ("🟢", "[green]"),
    "large_blue_circle": ("🔵", "[done]"),
    "white_circle": ("⚪", "[-]"),
    "heavy_minus_sign": ("➖", "[ ]"),
    "rotating_light": ("🚨", "[!]"),
}
# Decorative emoji, before a heading that says the same: dropped from plain output.
DECORATIVE = {
    "alarm_clock": "⏰",
    "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳",
    "email": "📧",
    "incoming_envelope": "📨",
    "bust_in_silhouette": "👤",
    "wave": "👋",
    "office": "🏢",
    "clipboard": "📋",
    "calendar": "📆",
    "loudspeaker": "📢",
    "inbox_tray": "📥",
    "heavy_plus_sign": "➕",
    "eyes": "👀",
    "information_source": "ℹ️",
}
_EMOJI = re.compile(r":([a-z0-9_+-]+):( ?)")
_MARKUP = re.compile(r"<([^<>\n]+)>")
# Slack's rule: a marker opens after a non-word character and closes before one.
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])")
# What the console's own layout uses, for an output encoding that lacks it.
ASCII = {
    "↳": "->",
    "→": "->",
    "·": "-",
    "•": "*",
    "…": "...",
    "—": "-",
    "–": "-",
    "┌": "+",
    "│": "|",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "£": "GBP ",
}


@dataclass(frozen=True)
class Style:
    """How a terminal shows text: emoji or words, ANSI bold or none, which encoding."""

    emoji: bool = False
    ansi: bool = False
    encoding: str = "utf-8"

    @classmethod
    def of(cls, stream: TextIO) -> Style:
        """The style for ``stream``: emoji and bold only on an interactive UTF-8 terminal."""
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            utf8 = codecs.lookup(encoding).name == "utf-8"
        except LookupError:
            utf8 = False
        isatty = getattr(stream, "isatty", None)
        tty = bool(isatty and isatty())
        # NO_COLOR (https://no-color.org) and TERM=dumb turn escape codes off.
        ansi = tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
        return cls(emoji=tty and utf8, ansi=ansi, encoding=encoding)


PLAIN = Style()
NO_ANSI = (("", ""), ("", ""))


def _link(inner: str) -> str:
    """One ``<...>`` of Slack markup as text."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):  # a user: <@U1> or <@U1|kath>
        return "@" + (label or target[1:])
    if target.startswith("#"):  # a channel
        return "#" + (label or target[1:])
    if target.startswith("!"):  # <!here>, <!date^...|fallback>
        return label or "@" + target[1:].partition("^")[0]
    if target.startswith("mailto:"):
        return label or target.removeprefix("mailto:")
    if label and label != target:
        return f"{label} ({target})"
    return target


def _emoji(match: re.Match[str], style: Style) -> str:
    name, space = match[1], match[2]
    if name in MEANINGFUL:
        emoji, words = MEANINGFUL[name]
        return (emoji if style.emoji else words) + space
    if name in DECORATIVE:
        return DECORATIVE[name] + space if style.emoji else ""
    return match[0]  # not ours: as typed


def inline(text: str, style: Style = PLAIN) -> str:
    """One piece of mrkdwn as terminal text (links, emoji, emphasis, entities)."""
    text = _MARKUP.sub(lambda m: _link(m[1]), text)
    text = _EMOJI.sub(lambda m: _emoji(m, style), text)
    bold, italic = (("\x1b[1m", "\x1b[22m"), ("\x1b[3m", "\x1b[23m")) if style.ansi else NO_ANSI
    text = _BOLD.sub(lambda m: f"{bold[0]}{m[1]}{bold[1]}", text)
    text = _ITALIC.sub(lambda m: f"{italic[0]}{m[1]}{italic[1]}", text)
    text = _STRIKE.sub(lambda m: m[1], text)
    return html.unescape(text)


def encodable(text: str, style: Style = PLAIN) -> str:
    """``text`` as the output's encoding can show it: look-alikes, else ``?``."""
    try:
        text.encode(style.encoding)
        return text
    except UnicodeEncodeError:
        pass
    except LookupError:
        style = PLAIN
    text = "".join(ASCII.get(c, c) for c in text)
    return text.encode(style.encoding, "replace").decode(style.encoding)


def terminal_text(blocks: list[dict[str, Any]], style: Style = PLAIN) -> str:
    """Blocks as terminal text: the one way the console shows a Slack reply."""
    return encodable(to_text(blocks, inline=lambda t: inline(t, style)), style)
