"""Reading what people type after ``/csp``: quotes, ``key:value``, mentions.

Rules, chosen for how people really type in Slack:

* ``"double"``, ``'single'`` and curly quotes (``“…”``, which macOS and phones
  substitute) group words. A quote only opens at the start of a word, so
  apostrophes in ``can't`` or ``O'Neill`` are just letters. An opening quote
  with no closing one is an error that says so, rather than a guess.
* ``key:value`` and ``key=value`` are the same. A key the command does not know
  is ordinary text (``Note: venue booked`` stays in the note) unless it is
  spelt close to one it does know, which is an error suggesting the right one
  (``rga:amber`` → ``rag:amber``) rather than a silent note.
* Slack sends a picked user as ``<@U123|name>`` (with "escape" on) or
  ``<@U123>``; people also type ``@Kath Rees``. A mention may be followed by
  more words of the person's name, and a date key by more words of the date
  (``due:end of quarter``, ``due:31 March 2027``): the parser asks the command
  whether the longer reading makes sense and takes the longest that does.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from commands.core import UserError
from commands.registry import Args, Command

OPEN_QUOTES = {'"': '"“”', "“": '"“”', "”": '"“”', "'": "'‘’", "‘": "'‘’", "’": "'‘’"}
_KEY = re.compile(r"([A-Za-z][A-Za-z_\-]*)[:=](.*)", re.S)
# How many extra words a date or a name may take (``end of the quarter``).
_MAX_EXTRA_WORDS = 3

Probe = Callable[[str, str], bool]  # (kind "date"|"person", text) -> makes sense?


@dataclass
class Token:
    """One word or quoted phrase as typed."""

    text: str
    quoted: bool = False
    key: str | None = None  # set when the word was key:value / key=value

    @property
    def is_mention(self) -> bool:
        """A Slack mention (``<@U1|x>``) or a typed ``@name``."""
        return not self.quoted and (self.text.startswith("<@") or self.text.startswith("@"))


def tokenize(text: str) -> list[Token]:
    """Split typed text into words, quoted phrases and key:value pairs."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        if text[i] in OPEN_QUOTES:
            value, i = _quoted(text, i)
            tokens.append(Token(value, quoted=True))
            continue
        if text.startswith("<", i) and (end := text.find(">", i)) != -1:
            # Slack's own markup (<@U1|name>, <#C1|chan>, <https://x|y>) is one word.
            tokens.append(Token(text[i : end + 1]))
            i = end + 1
            continue
        start = i
        while i < n and not text[i].isspace():
            i += 1
        word = text[start:i]
        m = _KEY.fullmatch(word)
        if m and m[2] == "" and i < n and _next_is_quote(text, i):
            # key:"quoted value" (or key: "quoted value")
            j = i
            while j < n and text[j].isspace():
                j += 1
            value, i = _quoted(text, j)
            tokens.append(Token(value, quoted=True, key=m[1]))
            continue
        if m and m[2] and m[2][0] in OPEN_QUOTES:
            # key:"quoted value": the quote opened inside the word; read on to its close.
            value, i = _quoted(text, start + len(m[1]) + 1)
            tokens.append(Token(value, quoted=True, key=m[1]))
            continue
        if m:
            tokens.append(Token(m[2], key=m[1]))
        else:
            tokens.append(Token(word))
    return tokens


def _next_is_quote(text: str, i: int) -> bool:
    j = i
    while j < len(text) and text[j] == " ":
        j += 1
    return j < len(text) and text[j] in OPEN_QUOTES and j - i <= 1


def _quoted(text: str, i: int) -> tuple[str, int]:
    """The phrase inside the quote opening at ``i``, and the index after its close."""
    closers = OPEN_QUOTES[text[i]]
    j = i + 1
    while j < len(text) and text[j] not in closers:
        j += 1
    if j >= len(text):
        shown = text[i : i + 30]
        raise UserError(
            f"The quote that starts `{shown}` is never closed. Put a matching quote at the "
            'end of the phrase (`"like this"`), or leave the quotes out.'
        )
    return text[i + 1 : j], j + 1


def parse(cmd: Command, text: str, probe: Probe | None = None) -> Args:
    """Read ``text`` (what follows the sub-command's name) into ``cmd``'s arguments."""
    tokens = tokenize(text)
    args = Args()
    free: list[str] = []
    positional = list(cmd.positional)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok.key is not None:
            name = cmd.key_for(tok.key)
            if name is None:
                _unknown_key(cmd, tok)
                free.append(_as_typed(tok))
                continue
            value = tok.text
            if not value and not tok.quoted and i < len(tokens) and tokens[i].key is None:
                value, i = tokens[i].text, i + 1  # "due: 03/04/2027"
            if name in args.values:
                raise UserError(f"`{tok.key}:` is given twice; give it once.")
            if not tok.quoted:
                kind = _kind(cmd, name)
                if kind:
                    value, i = _extend(kind, value, tokens, i, probe)
            args.values[name] = value
            continue
        if tok.is_mention and cmd.mention and cmd.mention not in args.values:
            value, i = _extend("person", tok.text, tokens, i, probe)
            args.values[cmd.mention] = value
            continue
        if not tok.quoted and not free and tok.text.lower() in cmd.flags:
            args.flags.add(tok.text.lower())
            continue
        if positional and not free:
            args.values[positional.pop(0)] = tok.text
            continue
        free.append(tok.text)
    if free:
        if cmd.rest is None:
            shown = " ".join(free)[:60]
            raise UserError(f"I didn't understand `{shown}`. Type it as: `{cmd.line}`")
        args.values[cmd.rest] = " ".join(free)
    return args


def _kind(cmd: Command, name: str) -> str | None:
    if name in cmd.date_keys:
        return "date"
    if name in cmd.person_keys:
        return "person"
    if name == "group":  # sub-group names have spaces: "group:ASB Steering Group"
        return "group"
    return None


def _extend(
    kind: str, value: str, tokens: list[Token], i: int, probe: Probe | None
) -> tuple[str, int]:
    """Take following plain words into ``value`` while the longer reading makes sense."""
    if probe is None:
        return value, i
    best, best_i = value, i
    words = value
    for j in range(i, min(i + _MAX_EXTRA_WORDS, len(tokens))):
        nxt = tokens[j]
        if nxt.key is not None or nxt.quoted:
            break
        words = f"{words} {nxt.text}"
        if probe(kind, words):
            best, best_i = words, j + 1
    if best_i == i and not probe(kind, value):
        return value, i  # the command reports the bad value with its own message
    return best, best_i


def _unknown_key(cmd: Command, tok: Token) -> None:
    """Refuse a key spelt close to a known one; let other ``word:`` text through."""
    known = list(cmd.keys) + [alias for alias, _ in cmd.aliases]
    if not known:
        return
    near = difflib.get_close_matches(tok.key.lower() if tok.key else "", known, n=1, cutoff=0.6)
    if near:
        raise UserError(
            f"`{tok.key}:` is not something `/csp {cmd.name}` understands. "
            f"Did you mean `{near[0]}:{tok.text}`? Type it as: `{cmd.line}`"
        )


def _as_typed(tok: Token) -> str:
    return f"{tok.key}:{tok.text}" if tok.key is not None else tok.text


_SLACK_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")


def split_mention(text: str) -> tuple[str | None, str]:
    """(Slack user id or None, name) from ``<@U1|kath>``, ``<@U1>`` or ``@Kath Rees``."""
    text = text.strip()
    if m := _SLACK_MENTION.fullmatch(text):
        return m[1], (m[2] or "")
    return None, text.removeprefix("@").strip()
