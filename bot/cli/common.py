"""What every ``csp-bot`` sub-command shares: its error, its output, its database.

Public so the command modules (``plans``, ``digest``, ``person``, ``running``)
use the same helpers without importing the parser that imports them.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings
from storage.db import (
    ensure_schema,
    make_engine,
    session_factory,
)
from storage.models import Partnership
from storage.sync import find_partnership


class CliError(Exception):
    """A problem the person can fix; printed without a traceback, exit status 1."""


def out(text: str) -> None:
    """Print a line (or lines) of the command's output, without a trailing blank line."""
    print(text.rstrip("\n"))


def sessions(settings: Settings, *, migrate: bool = True) -> sessionmaker[Session]:
    """A session factory on the configured database, its schema checked first."""
    engine = make_engine(settings.database_url)
    if migrate:
        ensure_schema(engine)
    return session_factory(engine)


def pick_partnership(session: Session, name: str | None) -> Partnership:
    """The partnership named, or the only one; otherwise say what to type."""
    if name:
        found = find_partnership(session, name)
        if found is None:
            raise CliError(f"No partnership called {name!r}. {known(session)}")
        return found
    all_ = list(session.scalars(select(Partnership).order_by(Partnership.name)))
    if len(all_) == 1:
        return all_[0]
    if not all_:
        raise CliError(
            "The bot holds no partnership yet. Import a plan first: csp-bot import PLAN.yaml"
        )
    raise CliError(f"Several partnerships are held; add --partnership NAME. {known(session)}")


def known(session: Session) -> str:
    """The partnerships held, as a sentence for an error message."""
    rows = session.scalars(select(Partnership).order_by(Partnership.name)).all()
    if not rows:
        return "None are held yet."
    return "Known: " + ", ".join(f"{p.slug} ({p.name})" for p in rows) + "."


def today(partnership: Partnership | None = None) -> dt.date:
    """Today's date where the partnership is (Europe/London by default)."""
    zone = ZoneInfo(partnership.timezone if partnership else "Europe/London")
    return dt.datetime.now(zone).date()
