"""The fuzz of every ``/csp`` sub-command (test_fuzz.py): its database, askers and checks.

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
stale requests over HTTP are covered in ``tests/process/test_e2e_signatures.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from slack_sdk.models.views import View
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.render.blocks import to_text
from bot.render.replies import message, reply_pages
from bot.slack.views import form_view
from commands.framework.core import Form
from commands.framework.dispatch import Outcome, dispatch_text
from commands.framework.registry import registry
from partnership.context import Context, Refused, Reply
from storage.db import make_engine, session_factory, upgrade
from storage.models import Base, Channel, Partnership, Person, Source
from tests import kit
from tests.conftest import _fresh_postgres
from tests.db.fuzzlines import EVALUATED

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


# ---------------------------------------------------------------- the checks

ANGLE = re.compile(r"<([^<>]*)>")
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
    for m in ANGLE.finditer(text):
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
