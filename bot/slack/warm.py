"""Warming a web worker when it boots, so the first person's command is not the slow one.

A fresh worker paid, on its first request, for importing every sub-command,
compiling the templates it rendered, opening a database connection and
compiling SQLAlchemy's statements for identification and for an update: over
a second on a loaded host, against 10-20 ms for every later request. All of
that is done here, before the worker takes traffic:

* the command registry (every ``commands/*`` module) is loaded;
* every template is compiled in both environments (Block Kit and plain text);
* the redelivery ledger's first clean-up runs (and opens the pool's first connection);
* one synthetic slash command from nobody goes through Bolt and the listener,
  answered in the ack without touching Slack (nobody is in any plan);
* one action's update is run as its owner and rolled back, so the statements
  an update flushes are compiled and cached — nothing is committed, nothing
  is sent (no notifier), no history is kept.

A failure here is logged and ignored: warming is an optimisation, never a
reason for a worker not to start.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import time
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.front import FrontDoor, signature_of

log = logging.getLogger("csp_bot.warm")

# A user and team no plan holds: the synthetic command gets the welcome (bot/slack/setup.py).
NOBODY = {"user": "UWARMUP00", "team": "TWARMUP00"}


def warm(door: FrontDoor, factory: sessionmaker[Session]) -> float:
    """Warm everything a first request would pay for; the seconds it took."""
    started = time.perf_counter()
    steps = (
        _registry,
        _templates,
        door.ledger.purge,  # the first clean-up, and the connection pool's first connection
        lambda: _command(door),
        lambda: _update(factory),
    )
    for step in steps:
        try:
            step()
        except Exception as exc:  # never a reason not to boot
            log.warning("warming step failed: %s", type(exc).__name__)
    seconds = time.perf_counter() - started
    log.info("worker warmed", extra={"event": "warmed", "ms": round(seconds * 1000, 1)})
    return seconds


def _registry() -> None:
    from commands.framework.registry import registry

    registry()


def _templates() -> None:
    from bot.render.environment import environment, slack_environment

    for env in (slack_environment(), environment()):
        for name in env.list_templates():
            env.get_template(name)


def signed_environ(secret: str, body: bytes) -> dict[str, Any]:
    """A WSGI environ for a slash command's form body, signed now with ``secret``."""
    stamp = str(int(time.time()))
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": stamp,
        "HTTP_X_SLACK_SIGNATURE": signature_of(secret, stamp, body),
        "wsgi.input": io.BytesIO(body),
    }


def _command(door: FrontDoor) -> None:
    """A signed ``/csp help`` from nobody, through Bolt and the listener (not the ledger)."""
    body = urlencode(
        {
            "command": "/csp",
            "text": "help",
            "user_id": NOBODY["user"],
            "team_id": NOBODY["team"],
            "channel_id": "CWARMUP00",
            "trigger_id": "warmup",
        }
    ).encode()
    environ = signed_environ(door.secret, body)

    # Straight to Bolt: the front door's own code is warm already, and the
    # ledger must not keep a key for a request Slack never sent.
    def ignore(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return lambda _data: None

    b"".join(door.bolt(environ, ignore))


def _update(factory: sessionmaker[Session]) -> None:
    """Run one action's update as its owner and roll it back."""
    from commands.framework.dispatch import dispatch_text
    from partnership.context import Context
    from storage.models import Action, Partnership, Source, Status

    with factory() as session:
        try:
            action = session.scalars(
                select(Action)
                .where(Action.owner_id.is_not(None), Action.status != Status.COMPLETE)
                .limit(1)
            ).first()
            if action is None or action.owner is None:
                return
            ctx = Context(
                session=session,
                partnership=session.get_one(Partnership, action.partnership_id),
                person=action.owner,
                now=dt.datetime.now(dt.UTC),
                source=Source.COMMAND,
            )
            # The commands people type most: the reads first, then the write.
            for line in ("action list mine", f"action show {action.ref}"):
                dispatch_text(ctx, line)
            dispatch_text(ctx, f"action update {action.ref} warming up")
            session.flush()
        finally:
            session.rollback()
