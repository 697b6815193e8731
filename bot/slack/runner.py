"""One transaction per command, the same for Slack and the console.

A command that succeeds is committed; bad input (an outcome that is not ok)
is rolled back, so it writes nothing. The last-resort guards live here rather
than in every listener:

* a concurrent change to the same action (the optimistic lock on
  ``Action.version``) or a clash on a unique key (two new actions taking the
  same ref) rolls back and **runs the command again** on fresh data, a few
  times: two leads updating the same action at the same moment both end up in
  its history, one after the other, and the action is left as the later one
  set it — never a mix. Only if the clash keeps happening is the person asked
  to try again;
* a connection the database dropped (a restart under the web process) is
  retried once on a fresh connection;
* any other error becomes a private apology with a reference that matches the
  log line — never a traceback in Slack, never a 500.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from commands.framework.dispatch import Outcome, error_reply
from partnership.context import Context, Reply, UserError
from partnership.messages import edge as say

log = logging.getLogger("csp_bot.runner")


def apology(reference: str) -> Reply:
    """The reply for an error that is ours, not the person's."""
    return Reply(
        "error",
        {
            "message": say.apology(reference=reference),
            "line": "",
            "example": "",
        },
        text=say.APOLOGY_TEXT,
    )


# How many times a command clashing with a concurrent change is run in all.
ATTEMPTS = 4


def execute(
    factory: sessionmaker[Session],
    build: Callable[[Session], Context],
    call: Callable[[Context], Outcome],
    *,
    label: str = "command",
) -> Outcome:
    """Build a context, run ``call`` in one transaction, and always return an outcome."""
    reconnected = False
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _once(factory, build, call)
        except (StaleDataError, IntegrityError) as exc:
            if attempt < ATTEMPTS:
                log.info("%s clashed with a concurrent change; running it again", label)
                # A short random pause lets the other writer finish first.
                time.sleep(random.uniform(0.005, 0.05) * attempt)
                continue
            log.warning("%s still clashing after %d attempts", label, ATTEMPTS)
            if isinstance(exc, StaleDataError):
                return _try_again(say.ACTION_CLASHED)
            return _try_again(say.CLASHED)
        except DBAPIError as exc:
            if exc.connection_invalidated and not reconnected:
                # The database restarted under us: nothing was committed; go again.
                reconnected = True
                log.warning("%s lost its database connection; retrying once", label)
                continue
            reference = uuid.uuid4().hex[:8]
            log.exception("database error in %s (ref %s)", label, reference)
            return Outcome(apology(reference), False)
        except Exception:
            reference = uuid.uuid4().hex[:8]
            log.exception("unexpected error in %s (ref %s)", label, reference)
            return Outcome(apology(reference), False)
    reference = uuid.uuid4().hex[:8]
    log.error("%s gave up after reconnecting (ref %s)", label, reference)
    return Outcome(apology(reference), False)


def _once(
    factory: sessionmaker[Session],
    build: Callable[[Session], Context],
    call: Callable[[Context], Outcome],
) -> Outcome:
    """One attempt: a fresh session, the context, the call, commit or roll back."""
    with factory() as session:
        try:
            ctx = build(session)
        except UserError as exc:
            return Outcome(error_reply(exc), False, None, exc)
        outcome = call(ctx)
        outcome.partnership = ctx.partnership.slug
        if outcome.ok:
            session.commit()
        else:
            session.rollback()
        return outcome


def _try_again(message: str) -> Outcome:
    """The outcome for a clash with a concurrent change: nothing saved, say so."""
    error = UserError(message)
    return Outcome(error_reply(error), False, None, error)
