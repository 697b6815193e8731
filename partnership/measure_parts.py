"""Reading a measure's parts as people type them: ``male:78.1 female:82.5`` or
``male 78.1, female 82.5`` (districts with spaces too: ``Forest of Dean 41``).

The parts a measure has come from the plan file (``parts:``); a name is matched
without regard to case, and the longest name that fits wins, so ``Forest of
Dean`` is not read as ``Forest``. What follows the last part is the note.
"""

from __future__ import annotations

import difflib
import re

from partnership.context import UserError
from partnership.messages import measures as say

# 38, -3, 1,234, 1234.5, .5, 12.5%
NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|\.\d+)(?:\.\d+)?%?"
_NUMBER_HERE = re.compile(rf"\s*[:=]?\s*({NUMBER})(?=$|[\s,;])")
_SEPARATOR = re.compile(r"(?:\s*[,;]\s*|\s+and\s+|\s+)")
# A word with a colon and a number (``mael:78``, ``north 12``): meant as a part.
_LOOKS_LIKE_PART = re.compile(
    rf"([^\s:=,;\"]+)\s*[:=]\s*({NUMBER})?(?=$|[\s,;])|([^\s:=,;]+)\s+({NUMBER})(?=$|[\s,;])"
)


def to_number(text: str) -> float:
    """``1,234`` -> 1234.0, ``12.5%`` -> 12.5."""
    return float(text.rstrip("%").replace(",", ""))


def read_parts(text: str, parts: list[str], ref: str) -> tuple[list[tuple[str, float]], str]:
    """The (part, value) pairs at the start of ``text``, and the rest of it (the note).

    Raises :class:`UserError`, writing nothing, for a part the measure does not
    have, a part with no number, or a part given twice.
    """
    names = sorted(parts, key=len, reverse=True)
    found: list[tuple[str, float]] = []
    i = 0
    while True:
        sep = _SEPARATOR.match(text, i) if found else re.compile(r"\s*").match(text, i)
        j = sep.end() if sep else i
        name = next((n for n in names if text[j : j + len(n)].casefold() == n.casefold()), None)
        if name is None or (j + len(name) < len(text) and text[j + len(name)].isalnum()):
            break
        after = j + len(name)
        m = _NUMBER_HERE.match(text, after)
        if m is None:
            typed = text[after:].lstrip(" :=").split(" ")[0].rstrip(",;")
            raise UserError(say.part_needs_number(ref=ref, part=name, typed=typed, parts=parts))
        if any(n == name for n, _ in found):
            raise UserError(say.part_twice(ref=ref, part=name))
        found.append((name, to_number(m[1])))
        i = m.end()
    rest = text[i:].strip().lstrip(",;").strip()
    if m := _LOOKS_LIKE_PART.match(rest):
        typed = m[1] or m[3] or ""
        near = difflib.get_close_matches(typed.casefold(), [p.casefold() for p in parts], n=1)
        shown = next((p for p in parts if near and p.casefold() == near[0]), None)
        keyed = m[1] is not None
        # `word:number`, `word:` spelt like a part, or a first `word number`: meant as a
        # part; a note that merely starts "venue: town hall" is left alone.
        if (keyed and (m[2] is not None or shown)) or (not keyed and not found):
            raise UserError(say.not_a_part(ref=ref, typed=typed, parts=parts, near=shown))
    return found, rest


def typed_parts(text: str) -> str | None:
    """The first ``word:number`` in ``text``, if there is one (parts given to a whole measure)."""
    m = _LOOKS_LIKE_PART.match(text.strip())
    if m and m[1] is not None and m[2] is not None:
        return m[0]
    return None
