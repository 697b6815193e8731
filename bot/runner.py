"""One transaction per command, the same for Slack and the console.

A command that succeeds is committed; bad input (an outcome that is not ok)
is rolled back, so it writes nothing. Two last-resort guards live here rather
than in every listener: a concurrent change to the same action (the optimistic
lock on ``Action.version``) becomes a polite "try again", and any unexpected
error becomes a private apology with a reference that matches the log line —
never a traceback in Slack, never a 500.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from commands.core import Context, Reply, UserError
from commands.dispatch import Outcome, error_reply

log = logging.getLogger("csp_bot.runner")


def apology(reference: str) -> Reply:
    """The reply for an error that is ours, not the person's."""
    return Reply(
        "error",
        {
            "message": "Sorry, something went wrong on our side and nothing was saved. "
            f"Please try again in a minute; if it keeps happening, tell your coordinator "
            f"(reference {reference}).",
            "line": "",
            "example": "",
        },
        text="Sorry, something went wrong",
    )


def execute(
    factory: sessionmaker[Session],
    build: Callable[[Session], Context],
    call: Callable[[Context], Outcome],
    *,
    label: str = "command",
) -> Outcome:
    """Build a context, run ``call`` in one transaction, and always return an outcome."""
    try:
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
    except StaleDataError:
        return _try_again(
            "Someone else changed that action at the same moment, so nothing was saved. "
            "Look at it again (`/csp action show <ref>`) and repeat your update."
        )
    except IntegrityError:
        log.warning("integrity conflict in %s", label)
        return _try_again(
            "That clashed with a change made at the same moment, so nothing was saved. "
            "Please try again."
        )
    except DBAPIError:
        reference = uuid.uuid4().hex[:8]
        log.exception("database error in %s (ref %s)", label, reference)
        return Outcome(apology(reference), False)
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("unexpected error in %s (ref %s)", label, reference)
        return Outcome(apology(reference), False)


def _try_again(message: str) -> Outcome:
    """The outcome for a clash with a concurrent change: nothing saved, say so."""
    error = UserError(message)
    return Outcome(error_reply(error), False, None, error)
