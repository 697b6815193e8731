"""Reading what people type after ``/csp``: quotes, ``key:value``, mentions.

Rules, chosen for how people really type in Slack (the typing rules in the
README's "In Slack: `/csp`" section):

* ``"double"``, ``'single'`` and curly quotes (``“…”``, which macOS and phones
  substitute) group words. A quote only opens at the start of a word, so
  apostrophes in ``can't`` or ``O'Neill`` are just letters. An opening quote
  with no closing one is an error that says so, rather than a guess.
* ``key:value`` and ``key=value`` are the same. The first words that are not
  ``key:value`` fill the command's positional arguments, in order (an action's
  reference comes first: ``action update 7 7 people came`` is action ``7``).
* **Nothing typed is dropped.** Every other word is the command's free text
  (the note, or the title), kept as typed and in the order typed, with the
  spacing between neighbouring words. The note's own keys (``note:``,
  ``comment:``, ``progress:``, ``update:``) mark where the note is and their
  words join it in place.
* **A key the command does not know is refused, never saved as text.** An
  unquoted word of letters followed by ``:`` or ``=`` (``sara:analysis``,
  ``venue:``, ``x=3``) reads as a key; one the command has no key for is
  refused with the keys it has (and the nearest, ``rga:`` → ``rag:``), and the
  reply gives back the line as typed so nothing is lost. A link
  (``https://…``, ``mailto:…``) is no key, nor is a word that starts with a
  digit (``10:30``, ``3:1``) or holds one before its colon (``Q3:``, ``P1:``).
  Quoting keeps a colon in the text: ``"venue: town hall"`` or
  ``note:"venue: town hall"``. A command that reads ``word:value`` itself
  (``free_keys``: a measure's parts, ``male:78.1``) gets every unknown key in
  its free text and its ``kept`` list, removes those it read, and the
  dispatcher refuses what is left. A command with no free text refuses the
  words it did not understand, naming them.
* Slack sends a picked user as ``<@U123|name>`` (with "escape" on) or
  ``<@U123>``; people also type ``@Kath Rees``. A mention may be followed by
  more words of the person's name, and a date key by more words of the date
  (``due:end of quarter``, ``due:31 March 2027``): the parser asks the command
  whether the longer reading makes sense and takes the longest that does.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from commands.framework.registry import Args, Command
from partnership.context import UserError
from partnership.messages import framework as say

OPEN_QUOTES = {'"': '"“”', "“": '"“”', "”": '"“”', "'": "'‘’", "‘": "'‘’", "’": "'‘’"}
_KEY = re.compile(r"([A-Za-z][A-Za-z_\-]*)[:=](.*)", re.S)
# A `word:` this short (`Re:`, `NB:`) is refused without a "did you mean".
_NEAR_MISS_LENGTH = 3
# Link schemes written without `//` (`https://…` is a link by its slashes).
_SCHEMES = ("mailto", "tel")
# How many extra words a date or a name may take (``end of the quarter``).
_MAX_EXTRA_WORDS = 3

Probe = Callable[[str, str], bool]  # (kind "date"|"person", text) -> makes sense?


@dataclass
class Token:
    """One word or quoted phrase as typed, and where it sits in the text."""

    text: str
    quoted: bool = False
    key: str | None = None  # set when the word was key:value / key=value
    start: int = 0
    end: int = 0

    @property
    def is_mention(self) -> bool:
        """A Slack mention (``<@U1|x>``) or a typed ``@name``."""
        return not self.quoted and (self.text.startswith("<@") or self.text.startswith("@"))

    @property
    def is_link(self) -> bool:
        """``https://…`` or ``mailto:…`` typed as text: its scheme is no attempt at a key."""
        if self.key is None or self.quoted:
            return False
        return self.text.startswith("//") or (self.key.lower() in _SCHEMES and bool(self.text))


def tokenize(text: str) -> list[Token]:
    """Split typed text into words, quoted phrases and key:value pairs."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] in OPEN_QUOTES:
            value, i = _quoted(text, i)
            tokens.append(Token(value, quoted=True, start=start, end=i))
            continue
        if text.startswith("<", i) and (end := text.find(">", i)) != -1:
            # Slack's own markup (<@U1|name>, <#C1|chan>, <https://x|y>) is one word.
            i = end + 1
            tokens.append(Token(text[start:i], start=start, end=i))
            continue
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
            tokens.append(Token(value, quoted=True, key=m[1], start=start, end=i))
            continue
        if m and m[2] and m[2][0] in OPEN_QUOTES:
            # key:"quoted value": the quote opened inside the word; read on to its close.
            value, i = _quoted(text, start + len(m[1]) + 1)
            tokens.append(Token(value, quoted=True, key=m[1], start=start, end=i))
            continue
        if m:
            tokens.append(Token(m[2], key=m[1], start=start, end=i))
        else:
            tokens.append(Token(word, start=start, end=i))
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
        raise UserError(say.quote_not_closed(shown=shown))
    return text[i + 1 : j], j + 1


@dataclass
class _Free:
    """A piece of the free text: what it adds, and the token it came from."""

    text: str
    token: Token
    index: int  # the token's position, to tell neighbouring words apart


def parse(cmd: Command, text: str, probe: Probe | None = None) -> Args:
    """Read ``text`` (what follows the sub-command's name) into ``cmd``'s arguments.

    Every word ends up somewhere: in a known argument, in the free text (kept as
    typed, in order), or in a refusal that names it.
    """
    tokens = tokenize(text)
    args = Args()
    free: list[_Free] = []
    positional = list(cmd.positional)
    in_rest = False  # once the free text has begun, plain words belong to it
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        i += 1
        if tok.key is not None:
            name = cmd.key_for(tok.key)
            if name is None:
                if not tok.is_link:
                    _unknown_key(cmd, tok)  # refuses, unless the command reads keys itself
                    args.kept.append(tok.key)
                free.append(_Free(text[tok.start : tok.end], tok, i - 1))
                continue
            if name == cmd.rest:
                # `note:` says where the note is; its words join the rest in place.
                if tok.text:
                    free.append(_Free(tok.text, tok, i - 1))
                in_rest = True
                continue
            value = tok.text
            if not value and not tok.quoted:
                if i >= len(tokens) or tokens[i].key is not None:
                    raise UserError(say.key_without_value(key=tok.key))
                value, i = tokens[i].text, i + 1  # "due: 03/04/2027"
            if name in args.values:
                raise UserError(say.key_twice(key=tok.key))
            if not tok.quoted:
                kind = _kind(cmd, name)
                if kind:
                    value, i = _extend(kind, value, tokens, i, probe)
            if name in positional:  # `ref:7` fills the ref: the next word is not it
                positional.remove(name)
            args.values[name] = value
            continue
        if tok.is_mention and cmd.mention and cmd.mention not in args.values:
            value, i = _extend("person", tok.text, tokens, i, probe)
            args.values[cmd.mention] = value
            continue
        plain = not free and not in_rest
        if plain and not tok.quoted and tok.text.lower() in cmd.flags:
            args.flags.add(tok.text.lower())
            continue
        if plain and positional:
            args.values[positional.pop(0)] = tok.text
            continue
        free.append(_Free(tok.text, tok, i - 1))
    if free:
        if cmd.rest is None:
            shown = " ".join(f.text for f in free)[:60]
            raise UserError(say.not_understood(shown=shown, line=cmd.line))
        args.values[cmd.rest] = _join(text, free)
    return args


def _join(text: str, free: list[_Free]) -> str:
    """The free pieces as one text: neighbouring words keep the spacing typed between them."""
    out = free[0].text
    for before, piece in itertools.pairwise(free):
        adjacent = piece.index == before.index + 1
        out += (text[before.token.end : piece.token.start] if adjacent else " ") + piece.text
    return out


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


class UnknownKey(UserError):  # noqa: N818 (reads as the outcome it is)
    """A ``key:`` the command does not know: the reply gives back the line as typed."""


def _unknown_key(cmd: Command, tok: Token) -> None:
    """Refuse a ``key:`` the command does not know (a ``free_keys`` command reads its own)."""
    if cmd.free_keys:
        return
    refuse_keys(cmd, [(tok.key or "", tok.text)])


def refuse_keys(cmd: Command, typed: list[tuple[str, str]]) -> None:
    """Raise :class:`UnknownKey` for ``(key, value)`` pairs typed that ``cmd`` has no key for."""
    key, value = typed[0]
    shown = list(dict.fromkeys(k if len(k) <= 30 else k[:29] + "…" for k, _ in typed))
    known = list(cmd.keys) + [alias for alias, _ in cmd.aliases]
    near: list[str] = []
    if len(key) >= _NEAR_MISS_LENGTH and known:
        near = difflib.get_close_matches(key.lower(), known, n=1, cutoff=0.6)
    guess = cmd.key_for(near[0]) if near else None
    raise UnknownKey(
        say.unknown_key(
            keys_typed=", ".join(f"`{k}:`" for k in shown),
            one=len(shown) == 1,
            command=cmd.name,
            near=f"{guess}:{value[:40]}" if guess else "",
            keys=", ".join(f"`{k}:`" for k in cmd.keys),
            keep=say.keep_as_words(key=shown[0], rest=cmd.rest) if cmd.rest else "",
            line=cmd.line,
        )
    )
