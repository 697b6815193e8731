"""One-time set-up codes: issued by ``csp-bot setup-code``, redeemed by ``/csp setup code:``.

A code is random (60 bits), valid for a day and stored only as its SHA-256
digest (a random code needs no slow hash: there is nothing to guess from).
The first person to type it redeems it for their workspace; it stays theirs
until it expires or they set a partnership up with it, when it is spent.
Typing it again is refused, for them and for everyone else, once it is spent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnership.context import UserError
from partnership.messages import setup as say
from storage.models import Partnership, SetupCode

LIFETIME = dt.timedelta(days=1)
# No 0/O or 1/I/L, so a code read aloud or copied by hand survives.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUPS, GROUP = 3, 4


def normalise(code: str) -> str:
    """A typed code without case, spaces or hyphens."""
    return "".join(c for c in code.upper() if c.isalnum())


def digest(code: str) -> str:
    """The stored form of a code."""
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def issue(session: Session, now: dt.datetime) -> str:
    """Store a new code (its digest) valid for a day; return the code to print."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP))
    code = "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))
    session.add(SetupCode(digest=digest(code), created_at=now, expires_at=now + LIFETIME))
    session.flush()
    return code


def redeem(session: Session, code: str, team: str | None, user: str, now: dt.datetime) -> None:
    """Make a code this user's, or a UserError saying why it cannot be."""
    row = session.scalar(select(SetupCode).where(SetupCode.digest == digest(code)))
    if row is None or not normalise(code):
        raise UserError(say.CODE_INVALID, fields={"code": say.CODE_INVALID})
    if row.partnership_id is not None or (
        row.redeemed_by is not None and (row.redeemed_by, row.redeemed_team) != (user, team)
    ):
        raise UserError(say.CODE_USED, fields={"code": say.CODE_USED})
    if row.expires_at <= now:
        raise UserError(say.CODE_EXPIRED, fields={"code": say.CODE_EXPIRED})
    if row.redeemed_by is None:
        row.redeemed_by, row.redeemed_team, row.redeemed_at = user, team, now
    session.flush()


def _held(session: Session, team: str | None, user: str, now: dt.datetime) -> SetupCode | None:
    """The unspent, unexpired code this user redeemed in this workspace, if any."""
    return session.scalar(
        select(SetupCode)
        .where(
            SetupCode.redeemed_by == user,
            SetupCode.redeemed_team == team
            if team is not None
            else SetupCode.redeemed_team.is_(None),
            SetupCode.partnership_id.is_(None),
            SetupCode.expires_at > now,
        )
        .order_by(SetupCode.id)
        .limit(1)
    )


def holds(session: Session, team: str | None, user: str, now: dt.datetime) -> bool:
    """Whether this user holds a redeemed code they have not spent yet."""
    return _held(session, team, user, now) is not None


def spend(
    session: Session, team: str | None, user: str, partnership: Partnership, now: dt.datetime
) -> bool:
    """Mark the user's held code as spent on ``partnership``; False if they held none."""
    row = _held(session, team, user, now)
    if row is None:
        return False
    row.partnership_id = partnership.id
    session.flush()
    return True
