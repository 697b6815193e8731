"""Property-based fuzzing of ``/csp`` over signed HTTP, into the real server process.

The command lines are ``tests/db/fuzzlines.py``'s, generated per sub-command by
its strategies, but here each is sent as a Slack-signed slash command to
``csp-bot serve`` (gunicorn, Bolt's WSGI adapter, the real app) talking to a
fake Slack, typed by people of every role, by Lee in each of his two
partnerships, by someone the plan does not hold and by a user of another
workspace. What Slack would get back is checked, for every line:

* HTTP 200 (never a 5xx) inside Slack's 3 seconds, with a JSON body that is a
  valid Slack message (text, Block Kit blocks) or, for a form, an empty ack
  after a valid modal was opened with ``views.open``;
* the answer is private (``ephemeral``) unless the line asked for ``post`` on
  ``priority status``, the one sub-command that posts in the channel;
* never the bot's apology for an error of its own; an error reply (the
  ``:warning:`` block) writes nothing: every table is as imported;
* nothing in any answer pings or links, by ``tests/db/fuzzkit.py``'s checks;
  typed ``{{ … }}`` is never evaluated and the other partnership's plan never
  shows;
* the server stays up and logs no traceback.

The slow sub-commands (``chase``, ``digest send``) are included: their ack is
checked, then their real answer is awaited at the response URL, and what they
sent (direct messages, the digest) is checked too. One server per backend
serves the module; after every example whatever a successful command wrote is
put back, so examples are independent and the run is repeatable
(``derandomize``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.views import View
from sqlalchemy import Engine, Table, insert, select
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update

from commands.framework.registry import registry
from storage.models import Base
from tests.db.fuzzkit import (
    COMMANDS,
    FUZZ,
    SECRETS,
    assert_no_ping,
    held_ids,
    mrkdwn_texts,
    snapshot,
)
from tests.db.fuzzlines import EVALUATED, lines
from tests.e2e import Stack, running, validate
from tests.process.httpkit import acked

# Examples per sub-command per backend: 21 sub-commands x 11 = 231 lines per backend.
EXAMPLES = 7
# How a slow command (chase, digest send) is acknowledged before it runs.
SLOW_ACK = ":hourglass_flowing_sand: On it"
# The bot's own words for an error that is its fault: a 500 in all but status.
APOLOGY = "went wrong on our side"


@dataclass(frozen=True)
class Asker:
    """Who types the line, in which workspace and channel; ``slug`` owns the channel."""

    user: str
    team: str
    channel: str
    slug: str | None

    def __str__(self) -> str:
        return f"{self.user}@{self.team}/{self.channel}"


ASKERS = [
    Asker("U0CORA", "T0RIVER", "C0RGEN", "riverside"),  # coordinator
    Asker("U0LEE", "T0RIVER", "C0RGEN", "riverside"),  # lead (also in Hillford)
    Asker("U0GINA", "T0RIVER", "C0RGEN", "riverside"),  # lead of the ASB Steering Group
    Asker("U0MO", "T0RIVER", "C0RGEN", "riverside"),  # member
    Asker("U0CHRIS", "T0RIVER", "C0RGEN", "riverside"),  # chair
    Asker("U0HANA", "T0RIVER", "C0HBOARD", "hillford"),  # Hillford's coordinator
    Asker("U0LEE", "T0RIVER", "C0HBOARD", "hillford"),  # Lee, in Hillford's channel
    Asker("U0NOBODY", "T0RIVER", "C0RGEN", "riverside"),  # in no plan
    Asker("U0CORA", "T0ELSEWHERE", "C0ELSE", None),  # Cora's id, from another workspace
]


# ---------------------------------------------------------------- the server


Rows = dict[str, list[dict[str, Any]]]


def table_rows(engine: Engine) -> Rows:
    """Every row of every table, as column -> value (what :func:`restore` puts back)."""
    with engine.connect() as conn:
        return {
            table.name: [dict(row) for row in conn.execute(select(table)).mappings()]
            for table in Base.metadata.sorted_tables
        }


def _key(table: Table, row: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c.name] for c in table.primary_key.columns)


def restore(engine: Engine, baseline: Rows) -> None:
    """Put every table back as imported: missing rows in, changed rows back, new rows out."""
    current = table_rows(engine)
    tables = Base.metadata.sorted_tables
    with engine.begin() as conn:
        for table in tables:  # parents first: a row's references exist before it
            now = {_key(table, r): r for r in current[table.name]}
            for row in baseline[table.name]:
                key = _key(table, row)
                if key not in now:
                    conn.execute(insert(table).values(**row))
                elif now[key] != row:
                    where = [c == v for c, v in zip(table.primary_key.columns, key, strict=True)]
                    conn.execute(sql_update(table).where(*where).values(**row))
        for table in reversed(tables):  # children first: nothing refers to a deleted row
            kept = {_key(table, r) for r in baseline[table.name]}
            for row in current[table.name]:
                key = _key(table, row)
                if key not in kept:
                    where = [c == v for c, v in zip(table.primary_key.columns, key, strict=True)]
                    conn.execute(sql_delete(table).where(*where))


@dataclass
class Fuzzed:
    """The module's server, with its database as imported and the ids it held then."""

    stack: Stack
    rows: Rows
    baseline: dict[str, list[tuple[Any, ...]]]
    users: frozenset[str]
    channels: frozenset[str]

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table now, as ``tests/db/test_fuzz.py`` compares them."""
        with self.stack.db.session() as session:
            return snapshot(session)

    def held(self) -> tuple[frozenset[str], frozenset[str]]:
        """The user and channel ids the database holds now (the bot may mention these)."""
        with self.stack.db.session() as session:
            return held_ids(session)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fuzzed]:
    """One real server per backend for the module, riverside and hillford imported."""
    workdir = tmp_path_factory.mktemp(f"fuzz-http-{request.param}")
    with running(request, workdir) as stack:
        with stack.db.session() as session:
            baseline = snapshot(session)
            users, channels = held_ids(session)
        yield Fuzzed(stack, table_rows(stack.db.engine), baseline, users, channels)


@pytest.fixture(autouse=True)
def server_survives(fuzzed: Fuzzed) -> Iterator[None]:
    """After each test the server is still up and has logged no traceback."""
    server = fuzzed.stack.server
    seen = len(server.output())
    yield
    time.sleep(0.05)  # let a late log line from after the ack land
    assert server.process is not None and server.process.poll() is None, server.output()[-4000:]
    new = server.output()[seen:]
    assert "Traceback" not in new, new[-4000:]


# ---------------------------------------------------------------- the checks


def is_error(message: Mapping[str, Any]) -> bool:
    """Whether a message is the bot's error reply (its first block is the ``:warning:``)."""
    blocks = message.get("blocks") or [{}]
    first = blocks[0]
    text = first.get("text") or {}
    return first.get("type") == "section" and str(text.get("text", "")).startswith(":warning:")


def valid_message(message: Mapping[str, Any], where: str) -> list[str]:
    """Assert a message is one Slack takes (text or valid blocks); return its mrkdwn texts."""
    blocks = message.get("blocks")
    text = message.get("text")
    assert blocks or text, f"{where}: neither text nor blocks: {message!r}"
    assert text is None or isinstance(text, str), f"{where}: text {text!r}"
    if blocks is not None:
        assert isinstance(blocks, list) and blocks, f"{where}: blocks {blocks!r}"
        validate(blocks)
    return [*mrkdwn_texts(blocks or []), *([text] if text else [])]


def private(message: Mapping[str, Any], line: str, where: str) -> None:
    """Assert a reply is ephemeral unless it is a ``priority status … post`` shared in channel."""
    kind = message.get("response_type", "ephemeral")
    assert kind in ("ephemeral", "in_channel"), f"{where}: response_type {kind!r}"
    if kind == "in_channel":
        words = line.lower().split()
        asked = words[:2] == ["priority", "status"] and "post" in words[2:]
        assert asked and not is_error(message), f"{where}: posted in the channel: {message!r}"


def check_line(fuzzed: Fuzzed, asker: Asker, line: str) -> None:
    """Send one line as a signed ``/csp`` and assert every property of what comes back."""
    stack = fuzzed.stack
    server, fake = stack.server, stack.fake
    where = f"[{stack.backend} {asker}] {line[:200]!r}"
    fake.reset()
    seen = len(server.output())
    response = server.command(asker.user, line, team=asker.team, channel=asker.channel)
    assert response.status == 200, f"{where}: HTTP {response.status} {response.body!r}"
    ack = acked(response)

    answers: list[dict[str, Any]] = []  # what the person sees: the ack and response URL posts
    views: list[dict[str, Any]] = []  # modals opened
    if not ack:  # an empty ack: a form was opened instead of answering
        opened = fake.calls("views.open")
        assert len(opened) == 1, f"{where}: an empty ack, {len(opened)} views opened"
        views.append(opened[0].params["view"])
    else:
        answers.append(ack)
        if "blocks" not in ack and str(ack.get("text", "")).startswith(SLOW_ACK):
            # A slow command: its answer comes at the response URL, after its work.
            # Fails at once if the server dies; otherwise only a hung server reaches the net.
            fake.wait_for("response_url", where=lambda c: c.path.endswith(response.token))
    answers += fake.responses(response.token)  # a slow command's answer, later pages

    erred = any(is_error(a) for a in answers)
    after = fuzzed.snapshot()
    users, channels = fuzzed.held() if after != fuzzed.baseline else (fuzzed.users, fuzzed.channels)
    texts: list[str] = []
    for answer in answers:
        texts += valid_message(answer, where)
        private(answer, line, where)
        assert APOLOGY not in json.dumps(answer), f"{where}: the bot apologised: {answer!r}"
    for view in views:
        View(**view).validate_json()
        validate(view["blocks"], 100)
        texts += mrkdwn_texts(view["blocks"])
    sent: list[dict[str, Any]] = [  # messages posted: direct messages, the digest
        c.params for c in fake.calls() if c.method.startswith("chat.")
    ]
    for message in sent:
        texts += valid_message(message, f"{where} (sent to {message.get('channel')})")
    for text in texts:
        assert_no_ping(text, users, channels, where)
    everything = json.dumps([answers, views, sent], ensure_ascii=False)
    assert EVALUATED not in everything, f"{where}: a typed template was evaluated"
    slugs = [asker.slug] if asker.slug else list(SECRETS)
    for secret in (s for slug in slugs for s in SECRETS[slug]):
        if secret.lower() not in line.lower():
            assert secret not in everything, f"{where}: shows {secret!r} from another plan"
    if erred:
        assert after == fuzzed.baseline, f"{where}: an error reply, but something was written"
        assert not sent, f"{where}: an error reply, but {len(sent)} message(s) sent"
    assert server.process is not None and server.process.poll() is None, f"{where}: server died"
    new = server.output()[seen:]
    assert "Traceback" not in new, f"{where}: the server logged\n{new[-4000:]}"


# ---------------------------------------------------------------- the fuzz


@pytest.mark.parametrize("name", COMMANDS)
def test_fuzzed_lines_over_http(fuzzed: Fuzzed, name: str) -> None:
    """Any line at any sub-command, signed, by anyone: a 200 with a valid, private, safe answer."""
    cmd = registry()[name]

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(line=lines(cmd), asker=st.sampled_from(ASKERS))
    def fuzz(line: str, asker: Asker) -> None:
        try:
            check_line(fuzzed, asker, line)
        finally:  # a successful command's writes are undone: examples stay independent
            if fuzzed.snapshot() != fuzzed.baseline:
                restore(fuzzed.stack.db.engine, fuzzed.rows)

    fuzz()
    assert fuzzed.snapshot() == fuzzed.baseline, "the fuzz left something in the database"


def test_restore_undoes_a_write(fuzzed: Fuzzed) -> None:
    """The "nothing written" check sees a real write, and restoring puts the plans back."""
    server = fuzzed.stack.server
    body = acked(server.command("U0CORA", 'action add "Fuzz probe" due:31/03/2027'))
    assert not is_error(body), body
    assert fuzzed.snapshot() != fuzzed.baseline
    restore(fuzzed.stack.db.engine, fuzzed.rows)
    assert fuzzed.snapshot() == fuzzed.baseline


def test_the_http_fuzz_covers_every_sub_command() -> None:
    """Every registered sub-command is fuzzed over HTTP, 150 to 300 lines per backend."""
    assert set(COMMANDS) == set(registry())
    # 39 sub-commands x 7 lines: the bound keeps the run bounded as commands are added.
    assert 150 <= len(COMMANDS) * EXAMPLES <= 300


def test_server_is_alive_after_the_fuzz(fuzzed: Fuzzed) -> None:
    """After every fuzzed line the server still answers and has logged no traceback."""
    server = fuzzed.stack.server
    assert server.process is not None and server.process.poll() is None
    assert server.health() == 200
    assert "Traceback" not in server.output(), server.output()[-4000:]
