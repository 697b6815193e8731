"""The fuzz's command lines: Hypothesis strategies for what people might type at a sub-command."""

from __future__ import annotations

from hypothesis import strategies as st

from commands.framework.registry import Command

MENTIONS = [
    "<@U0LEE>",
    "<@U0LEE|lee>",
    "<@UXXXX|x>",
    "<@U0HANA>",
    "<@W0NOBODY>",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0123|@team>",
    "<#C123|x>",
    "<#C0RBOARD|board>",
    "<https://evil.example|click>",
    "<mailto:a@b.example|mail>",
    "@Lee Lead",
    "@Lee",
    "@Hana Hillford",
    "@Olive Offline",
    "@Nobody Atall",
    "@",
    "<@",
    "<@>",
    "<>",
    "<!channel",
    "<<!here>>",
]
MARKUP = [
    "*bold*",
    "_x_",
    "~x~",
    "`code`",
    "```block```",
    "&lt;",
    "&amp;",
    "&gt;!channel&lt;",
    "&lt;!channel&gt;",
    "> quote",
    "\n",
    ":warning:",
    "<b>html</b>",
    "\\",
    "%s",
    "%(x)s",
    "{0}",
    "${x}",
]
DATES = [
    "31/03/2027",
    "31/02/2027",
    "00/00/0000",
    "29/02/2027",
    "29/02/2028",
    "2027-13-01",
    "2027-02-30",
    "yesterday",
    "today",
    "tomorrow",
    "+999999w",
    "+3w",
    "-1d",
    "Q5 2026/27",
    "Q1 2026/27",
    "Q3 2026/27",
    "Q4 2099/00",
    "end of quarter",
    "31 March 2027",
    "10/12/2026",
    "11/03/2027",
    "01/01/1900",
    "31/12/9999",
    "1/1/1",
    "99/99/99",
    "next friday",
    "friday",
    "9999999999",
    "2026/27",
]
REFS = [
    "A-3",
    "A-1",
    "A-4",
    "A-999",
    "A-2",
    "A-5",
    "B-1",
    "",
    "a-1",
    "A-01",
    "A-1@hillford",
    "A-1@riverside",
    "A-0",
    "A--1",
    "A-99999999999999999999",
    "M-1",
    "M-2",
    "M-999",
    "P1",
    "P2",
    "P9",
    "P0",
]
INJECTION = [
    "{{ 7*7 }}",
    "{{ 12345*6789 }}",
    "{% for x in range(3) %}x{% endfor %}",
    "{% for %}",
    "{{ config }}",
    "{{ ''.__class__.__mro__ }}",
    "{# comment #}",
    "{{",
    "}}",
    "{%",
]
QUOTES = [
    '"',
    "“",
    "”",
    "'",
    "‘",
    "’",
    '"unbalanced',
    "“half",
    "O'Neill",
    '""',
    "''",
    "“”",
    "can't",
]
WORDS = [
    "mine",
    "overdue",
    "stale",
    "open",
    "all",
    "post",
    "yes",
    "no",
    "help",
    "red",
    "amber",
    "green",
    "done",
    "blocked",
    "in progress",
    "lead",
    "member",
    "chair",
    "coordinator",
    "admin",
    "38",
    "-1",
    "0",
    "1e309",
    "NaN",
    "inf",
    "1,000",
    "99999999999999999999",
    "12.5%",
    "18:00-09:00",
    "25:61-09:00",
    "10,5",
    "monday",
    "funday",
    "#csp-board",
    '"ASB Steering Group"',
    "ASB Steering Group",
    "Riverside Police",
    "a@b.example",
    "not-an-email",
    "P1=green",
    "P1=purple",
    "P9=red",
    "Hillford covert operation",
]
ODD_UNICODE = [
    "🚨🔥",
    "\u202eevil\u202c",
    "\u200b",
    "\u200d",
    "\ufeff",
    "e\u0301",
    "שלום",
    "مرحبا",
    "\x00",
    "\x1b[31m",
    "\r\n",
    "\t",
    "\u2028",
    "𝕳𝖎",
    "ﷺ",
]

# A typed ``{{ 12345*6789 }}`` must never show as its product.
EVALUATED = str(12345 * 6789)


def misspell(key: str) -> st.SearchStrategy[str]:
    """A key with one letter dropped, doubled or swapped (``rag`` -> ``rga``)."""
    options = {key[:i] + key[i + 1 :] for i in range(len(key))}
    options |= {key[:i] + key[i] + key[i:] for i in range(len(key))}
    options |= {key[:i] + key[i + 1] + key[i] + key[i + 2 :] for i in range(len(key) - 1)}
    options |= {key.upper(), key.replace("_", "-")}
    return st.sampled_from(sorted(o for o in options if o))


def long_text() -> st.SearchStrategy[str]:
    """Text around the lengths that matter: titles (300), notes (2,000), Slack (4,000)."""
    unit = st.sampled_from(["x", "word ", "<!channel> ", "é", "&", "{{ 7*7 }} ", "🚨", "\u200b"])
    length = st.sampled_from([299, 300, 301, 1999, 2000, 2001, 2999, 3001, 3990, 5000])
    return st.builds(lambda u, n: (u * n)[:n], unit, length)


def value_text() -> st.SearchStrategy[str]:
    """Something to put after ``key:``."""
    return st.one_of(
        st.sampled_from(DATES + REFS + WORDS + MENTIONS + MARKUP + INJECTION + ODD_UNICODE),
        st.text(max_size=30),
        long_text(),
    )


def pair(cmd: Command) -> st.SearchStrategy[str]:
    """``key:value`` with one of the command's keys (or an alias), maybe misspelt or quoted."""
    keys = list(cmd.keys) + [alias for alias, _ in cmd.aliases]
    key = st.sampled_from(keys).flatmap(lambda k: st.one_of(st.just(k), misspell(k)))
    if not keys:
        key = st.sampled_from(["due", "rag", "note", "group", "by", "x"])
    shape = st.sampled_from(["{k}:{v}", "{k}={v}", "{k}: {v}", '{k}:"{v}"', "{k}:“{v}”", "{k}:"])
    return st.builds(lambda s, k, v: s.format(k=k, v=v), shape, key, value_text())


def token(cmd: Command) -> st.SearchStrategy[str]:
    """One word, phrase or pair of a fuzzed line."""
    return st.one_of(
        pair(cmd),
        pair(cmd),
        st.sampled_from(REFS[:8] + DATES + MENTIONS + MARKUP + INJECTION + QUOTES + WORDS),
        st.sampled_from(list(cmd.flags) or ["mine"]),
        st.sampled_from(ODD_UNICODE),
        st.text(max_size=20),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    )


# Plausible first words for a command's positional arguments, so that many lines
# get past "which action?" and exercise the command itself.
HEADS: dict[str, list[str]] = {
    "ref": REFS,
    "measure": ["M-1", "M-2", "M-999", "m-1", "A-1", ""],
    "value": ["38", "36.5", "-1", "0", "1e309", "NaN", "inf", "1,000", "12%", "lots"],
    "meeting": DATES,
    "priority": ["P1", "P2", "P9", "p1", "P1 Reduce"],
    "topic": ["action", "chase", "digest", "settings", "nonsense", "ACTION"],
    "who": ["<@U0NEW|newbie>", "<@U0LEE>", '"Nia New"', "@Nobody Atall", '"<!channel>"'],
}


def lines(cmd: Command) -> st.SearchStrategy[str]:
    """A whole line as typed after ``/csp``: the command's name, then tokens.

    Most lines start with plausible positional values; at most one very long
    piece is added, so most lines stay under Slack's 4,000 characters.
    """
    name = st.sampled_from([cmd.name, cmd.name.upper(), cmd.name.replace(" ", "  "), cmd.name])
    sep = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "\u00a0"])
    wanted = [*cmd.positional, *([cmd.rest] if cmd.rest in HEADS else [])]
    heads = [st.sampled_from(HEADS.get(p, WORDS)) for p in wanted]
    head = st.tuples(*heads).map(lambda words: "".join(" " + w for w in words))
    body = st.lists(st.tuples(sep, token(cmd)), max_size=6).map(
        lambda parts: "".join(s + t for s, t in parts)
    )
    tail = st.one_of(st.just(""), st.just(""), st.just(""), long_text().map(" ".join))
    raw = st.builds(lambda sp, t: sp + t, st.sampled_from([" ", ""]), st.text(max_size=60))
    rest = st.one_of(
        st.tuples(head, body, tail).map("".join),
        st.tuples(head, body, tail).map("".join),
        st.tuples(body, tail).map("".join),
        raw,
    )
    return st.builds(lambda n, b: n + b, name, rest)
