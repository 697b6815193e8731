"""Property-based fuzzing of every ``/csp`` sub-command against a real database.

Hypothesis throws generated command lines at every registered sub-command —
random unicode (control characters, emoji, right-to-left and zero-width
marks), very long text, unbalanced and curly quotes, the command's real keys
and misspelt ones, Slack mentions and markup, odd dates, refs that do not
exist or belong to the other partnership, and template-injection attempts —
typed by people of every role and by the console operator. For every line:

* :func:`commands.framework.dispatch.dispatch_text` never raises, and a successful
  command's writes flush cleanly (as the runner's commit would);
* the result renders: a reply's pages pass Block Kit validation, a form's
  modal passes ``slack_sdk``'s ``View`` validation;
* bad input gets a private reply with a message saying what to type, writes
  nothing (every table's rows are as imported) and sends no direct message;
* nothing rendered can ping: no ``<!channel>``/``<!here>``/``<!everyone>``/
  ``<!subteam>``, no link, and ``<@…>``/``<#…>`` only for ids the database holds;
* ``{{ … }}`` typed by a person is never evaluated; one partnership's plan
  never shows in another's replies.

Each backend has one database for the module, imported once; every example
runs in a session that is rolled back at its end, so examples are
independent and the run is repeatable (``derandomize``). Forged, replayed and
stale requests over HTTP are covered in ``tests/process/test_e2e_security.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.models.views import View
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.render.blocks import to_text
from bot.render.environment import render_blocks
from bot.render.replies import message, reply_pages
from bot.slack.views import form_view
from commands.framework.core import Form
from commands.framework.dispatch import Outcome, dispatch_text
from commands.framework.registry import Command, registry
from partnership.context import Context, Refused, Reply
from storage.db import make_engine, session_factory, upgrade
from storage.models import Base, Channel, Partnership, Person, Source
from tests import kit
from tests.conftest import _fresh_postgres

COMMANDS = sorted(registry())
# Examples per sub-command per backend: 17 sub-commands x 60 = 1,020 per backend.
EXAMPLES = 60
assert len(COMMANDS) * EXAMPLES >= 1000, "fewer than 1,000 fuzzed lines per run"
# Every fuzz here and over HTTP: repeatable (derandomized, no example database),
# and a slow example is a finding of its own test, not a health-check failure.
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ---------------------------------------------------------------- the database


@dataclass
class FuzzDB:
    """One imported database for the module, and what it holds as imported."""

    backend: str
    engine: Engine
    factory: sessionmaker[Session]
    baseline: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    users: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()


# Tables that record requests, not what a request changed.
LEDGERS = frozenset({"seen_request"})


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: what "nothing written" compares.

    The front door's ledger of requests seen (``seen_request``) is left out: it
    gains a key for every request that reaches a listener, refused or not, and
    holds nothing of the plan.
    """
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name in LEDGERS:
            continue
        rows = session.execute(select(table)).all()
        out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def held_ids(session: Session) -> tuple[frozenset[str], frozenset[str]]:
    """The Slack user and channel ids the database holds (the bot may mention these)."""
    users = session.scalars(select(Person.slack_user_id).where(Person.slack_user_id.is_not(None)))
    channels = session.scalars(select(Channel.slack_channel_id))
    return frozenset(u for u in users if u), frozenset(channels)


def _prepare(backend: str, url: str) -> Iterator[FuzzDB]:
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as session:
        kit.load_plans(session)
        db = FuzzDB(backend, engine, factory, snapshot(session), *held_ids(session))
    try:
        yield db
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzz_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FuzzDB]:
    """Riverside and Hillford imported once per backend, shared by the module's tests."""
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
        yield from _prepare("sqlite", f"sqlite:///{path}")
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    for url in _fresh_postgres(admin):
        yield from _prepare("postgresql", url)


# ---------------------------------------------------------------- who is asking

# (partnership, person); None is the console's own operator.
ASKERS: list[tuple[str, str | None]] = [
    ("riverside", "Cora Coordinator"),
    ("riverside", "Lee Lead"),
    ("riverside", "Gina Grouplead"),
    ("riverside", "Mo Member"),
    ("riverside", "Chris Chair"),
    ("riverside", None),
    ("hillford", "Hana Hillford"),
    ("hillford", "Lee Lead"),
]

# Text only one partnership's plan holds: it must never show in the other's replies
# (unless the person typed it themselves).
_SECRETS = {
    "riverside": ("Hillford covert operation", "Secret Hillford priority", "Hana Hillford"),
    "hillford": (
        "youth diversion",
        "Street lighting",
        "ASB Steering Group",
        "domestic abuse",
        "Cora Coordinator",
        "Mo Member",
        "Gina Grouplead",
        "Repeat victimisation",
    ),
}
# The bot's own wording (help, usage examples) may name fixture things, e.g.
# `group:"ASB Steering Group"`: such text is no leak, so it is not checked.
_STATIC = "\n".join(
    p.read_text(encoding="utf-8")
    for folder in ("commands", "templates")
    for p in (kit.PLANS.parents[2] / folder).glob("*.*")
    if p.suffix in {".py", ".j2"}
)
SECRETS = {
    slug: tuple(s for s in secrets if s not in _STATIC) for slug, secrets in _SECRETS.items()
}


def requested_dms(outcome: Outcome) -> list[Reply]:
    """The direct messages a command asks the edge to send through the outbox (chase)."""
    result = outcome.result
    send = result.data.get("send") if isinstance(result, Reply) else None
    return [dm["reply"] for dm in send.get("dms", [])] if isinstance(send, dict) else []


def ask(session: Session, slug: str, who: str | None) -> Context:
    """A context for one asker, as Slack (a person) or the console (the operator) builds it."""
    partnership = session.scalars(select(Partnership).where(Partnership.slug == slug)).one()
    channel = session.scalars(
        select(Channel.slack_channel_id).where(Channel.partnership_id == partnership.id)
    ).first()
    return kit.context(
        session,
        slug,
        who,
        source=Source.CONSOLE if who is None else Source.COMMAND,
        channel_id=None if who is None else channel,
    )


# ---------------------------------------------------------------- what is typed

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


# ---------------------------------------------------------------- the checks

_ANGLE = re.compile(r"<([^<>]*)>")
# An error says what to do: an example in backticks, the usage line, or an instruction.
GUIDANCE = re.compile(r"\b(Shorten|Ask|Type|Add|Try|Use|Give|Put|Check|Wait|Pick|Quote)\b")


def mrkdwn_texts(value: Any) -> Iterator[str]:
    """Every mrkdwn string in a block tree (where Slack turns ``<…>`` into pings and links)."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            yield value["text"]
        for item in value.values():
            yield from mrkdwn_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from mrkdwn_texts(item)


def assert_no_ping(text: str, users: frozenset[str], channels: frozenset[str], where: str) -> None:
    """No broadcast, no link, and user/channel mentions only of ids the bot holds."""
    for m in _ANGLE.finditer(text):
        inner = m[1]
        if inner.startswith("@") and inner[1:] in users:
            continue
        if inner.startswith("#") and inner[1:] in channels:
            continue
        raise AssertionError(f"{where}: {m[0]!r} would ping or link: {text[:500]!r}")
    for word in ("<!channel", "<!here", "<!everyone", "<!subteam", "<http", "<mailto"):
        assert word not in text, (where, text[:500])


@dataclass
class Shown:
    """What one outcome showed, as Slack would get it."""

    mrkdwn: list[str] = field(default_factory=list)
    text: str = ""


def show(outcome: Outcome, partnership: str) -> Shown:
    """Render an outcome as the Slack edge does, validating every page or the modal."""
    shown = Shown()
    result = outcome.result
    if isinstance(result, Reply):
        pages = reply_pages(result, partnership)
        assert pages, "a reply with no blocks"
        for page in pages:
            kit.valid_blocks(page)
            shown.mrkdwn += list(mrkdwn_texts(page))
            shown.mrkdwn.append(message(page, result)["text"])
            shown.text += to_text(page) + "\n"
        return shown
    assert isinstance(result, Form), result
    view = form_view(result, {"partnership": partnership})
    View(**view).validate_json()
    kit.valid_blocks(view["blocks"], 100)
    shown.mrkdwn += list(mrkdwn_texts(view["blocks"]))
    shown.text = to_text(view["blocks"]) + "\n" + str(view)
    return shown


def check_line(db: FuzzDB, slug: str, who: str | None, line: str) -> Outcome:
    """Run one typed line and assert every property; the database is left as imported."""
    with db.factory() as session:
        ctx = ask(session, slug, who)
        outcome = dispatch_text(ctx, line)  # must not raise
        dms = requested_dms(outcome)
        if outcome.ok:
            session.flush()  # what the runner's commit would write must be writable
        if outcome.ok:
            users, channels = held_ids(session)
        else:
            session.rollback()
            users, channels = db.users, db.channels
        where = f"[{slug}/{who}] {line[:200]!r}"
        shown = show(outcome, slug)
        for text_ in shown.mrkdwn:
            assert_no_ping(text_, users, channels, where)
        for dm in dms:
            for page in reply_pages(dm, slug):
                kit.valid_blocks(page)
                for text_ in [*mrkdwn_texts(page), message(page, dm)["text"]]:
                    assert_no_ping(text_, users, channels, f"DM for {where}")
        everything = shown.text + "".join(str(dm.data) for dm in dms)
        assert EVALUATED not in everything, f"{where}: a typed template was evaluated"
        for secret in SECRETS[slug]:
            if secret.lower() not in line.lower():
                assert secret not in everything, f"{where}: shows {secret!r} from another plan"
        if not outcome.ok:
            assert isinstance(outcome.result, Reply), where
            assert not outcome.result.public, f"{where}: an error was posted in the channel"
            assert outcome.result.template == "error", where
            msg = outcome.result.data["message"]
            assert msg.strip(), f"{where}: an empty error message"
            if not isinstance(outcome.error, Refused):  # a refusal says who can instead
                guided = "`" in msg or outcome.result.data["line"] or GUIDANCE.search(msg)
                assert guided, f"{where}: no guidance in {msg!r}"
            assert not dms, f"{where}: refused, but asked to message {len(dms)}"
            assert snapshot(session) == db.baseline, f"{where}: bad input wrote something"
        session.rollback()
    return outcome


# ---------------------------------------------------------------- the fuzz


@pytest.mark.parametrize("name", COMMANDS)
def test_fuzzed_lines_are_handled(fuzz_db: FuzzDB, name: str) -> None:
    """Any line typed at any sub-command, by anyone: a valid result or a private, useful error."""
    cmd = registry()[name]

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(line=lines(cmd), asker=st.sampled_from(ASKERS))
    def fuzz(line: str, asker: tuple[str, str | None]) -> None:
        check_line(fuzz_db, asker[0], asker[1], line)

    fuzz()
    with fuzz_db.factory() as session:
        assert snapshot(session) == fuzz_db.baseline, "the fuzz left something in the database"


# ---------------------------------------------------------------- fixed cases

INJECTIONS = [
    "{{ 7*7 }}",
    "{% for x in range(3) %}x{% endfor %}",
    "{{ config.items() }}",
    "{{ self.__init__.__globals__ }}",
    "{# hidden #}",
    "{{ 7*7 }}{% raw %}",
]


def _run_kept(db: FuzzDB, line: str, then: Callable[[Session], str]) -> tuple[Outcome, str]:
    """Run ``line`` as Cora, render it, then render ``then``'s line in the same transaction."""
    with db.factory() as session:
        ctx = ask(session, "riverside", "Cora Coordinator")
        outcome = dispatch_text(ctx, line)
        assert outcome.ok, kit.shown(outcome)
        session.flush()
        first = to_text(kit.rendered(outcome))
        follow = dispatch_text(ctx, then(session))
        assert follow.ok, kit.shown(follow)
        shown = first + "\n" + to_text(kit.rendered(follow))
        session.rollback()
    return outcome, shown


@pytest.mark.parametrize("typed", INJECTIONS)
def test_template_in_a_title_shows_literally(fuzz_db: FuzzDB, typed: str) -> None:
    """A title of ``{{ 7*7 }}`` is shown as typed when added and when shown, never as 49."""

    def newest(session: Session) -> str:
        from storage.models import Action

        action = session.scalars(select(Action).order_by(Action.id.desc())).first()
        assert action is not None and action.title == typed
        return f"action show {action.ref}"

    _, shown = _run_kept(fuzz_db, f'action add "{typed}" due:31/03/2027', newest)
    assert shown.count(typed) >= 2, shown
    if "7*7" in typed:
        assert "49" not in shown.replace(typed, ""), shown


@pytest.mark.parametrize("typed", INJECTIONS)
def test_template_in_a_note_shows_literally(fuzz_db: FuzzDB, typed: str) -> None:
    """A note of ``{{ 7*7 }}`` shows as typed in the action's history."""
    _, shown = _run_kept(fuzz_db, f"action update A-3 {typed}", lambda _s: "action show A-3")
    assert typed in shown, shown


@pytest.mark.parametrize(
    "line",
    [
        "action add <!channel> wake up due:31/03/2027",
        "action update A-3 <!here> <!everyone> <@UXXXX|x> <#C123|x> <https://evil.example|click>",
        "measure record M-1 37 <!channel> look",
    ],
)
def test_mentions_typed_in_text_are_kept_but_ping_nobody(fuzz_db: FuzzDB, line: str) -> None:
    """Typed mentions are saved as text and shown escaped: no ping, no link."""
    outcome = check_line(fuzz_db, "riverside", "Cora Coordinator", line)
    assert outcome.ok, kit.shown(outcome)
    mrkdwn = "\n".join(mrkdwn_texts(kit.rendered(outcome)))
    assert "&lt;!" in mrkdwn, mrkdwn  # shown, as text
    assert "<!" not in mrkdwn, mrkdwn
    assert "<!" in kit.shown(outcome)  # the console shows it as typed


# Free text holding a NUL character (U+0000), as a fuzzed or pasted line can.
NUL_LINES = [
    "action add Check\x00lighting due:31/03/2027",
    "action update A-3 venue \x00 booked",
    "measure record M-1 37 counted\x00twice",
    'person add "Nia\x00Null" role:member',
    'return submit group:"ASB Steering Group" rag:P1=green summary:"Good\x00quarter"',
]


@pytest.mark.parametrize("line", NUL_LINES, ids=lambda line: line.split("\x00")[0][:20])
def test_nul_in_free_text_is_handled(fuzz_db: FuzzDB, line: str) -> None:
    """A NUL in free text is dropped, so it is saved on both backends, never a database error."""
    outcome = check_line(fuzz_db, "riverside", "Cora Coordinator", line)
    assert outcome.ok, kit.shown(outcome)


def test_help_topic_placeholder_is_escaped(fuzz_db: FuzzDB) -> None:
    """``/csp help`` shows `<topic>` as text: no raw angle brackets in its mrkdwn."""
    with fuzz_db.factory() as session:
        ctx = ask(session, "riverside", "Cora Coordinator")
        outcome = dispatch_text(ctx, "help")
        texts = list(mrkdwn_texts(kit.rendered(outcome)))
        session.rollback()
    assert not any(_ANGLE.search(t) for t in texts), [t for t in texts if _ANGLE.search(t)]


def test_the_fuzz_covers_every_sub_command() -> None:
    """Every registered sub-command is fuzzed, and the run is at least 1,000 lines per backend."""
    assert set(COMMANDS) == set(registry())
    assert len(COMMANDS) * EXAMPLES >= 1000


def test_forged_replayed_and_stale_requests_are_covered_elsewhere() -> None:
    """The HTTP edge's refusals are tested against the real server in test_e2e_security.py."""
    source = (Path(__file__).parents[1] / "process" / "test_e2e_security.py").read_text()
    for word in ("forged", "replay", "stale"):
        assert word in source.lower(), word


def test_snapshot_sees_a_write(fuzz_db: FuzzDB) -> None:
    """The "nothing written" check would notice a write (it is not vacuous)."""
    with fuzz_db.factory() as session:
        ctx = ask(session, "riverside", "Cora Coordinator")
        outcome = dispatch_text(ctx, "action update A-3 rag:red progress slipping")
        assert outcome.ok
        session.flush()
        assert snapshot(session) != fuzz_db.baseline
        session.rollback()
        assert snapshot(session) == fuzz_db.baseline


def test_rendered_text_helper_finds_mrkdwn() -> None:
    """The ping check reads mrkdwn text wherever it sits in a block tree."""
    blocks = render_blocks(
        "error", {"message": "<!channel> typed", "line": "/csp x", "example": ""}
    )
    texts = list(mrkdwn_texts(blocks))
    assert texts and all("<!channel>" not in t for t in texts)
    with pytest.raises(AssertionError):
        assert_no_ping("hi <!here>", frozenset(), frozenset(), "test")
    assert_no_ping("hi <@U0LEE> in <#C0RBOARD>", frozenset({"U0LEE"}), frozenset({"C0RBOARD"}), "")
