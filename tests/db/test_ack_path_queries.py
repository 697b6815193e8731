"""The ack's hot path sends no statement it need not (issue 17). Runs on SQLite and PostgreSQL.

Lee Lead (U0LEE) is in Riverside, the only partnership of team T0RIVER that
holds him in the fixture plans loaded here.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bot.slack.identity import StrangerError, identify
from partnership.context import UserError
from storage.seen import Ledger, request_key
from tests import kit


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every statement the engine sends inside the test."""
    sent: list[str] = []

    def before(*args: object) -> None:
        sent.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", before)
    yield sent
    event.remove(engine, "before_cursor_execute", before)


def test_identify_is_one_statement_and_keeps_the_partnership(
    session: Session, statements: list[str]
) -> None:
    kit.load_plans(session)
    session.commit()
    session.expunge_all()
    statements.clear()
    asker = identify(session, "T0RIVER", "U0LEE", "C0RGEN")
    gc.collect()  # nothing else holds the partnership: the person must
    assert asker.person.partnership.slug == asker.partnership.slug
    assert len(statements) == 1, statements


def test_a_stranger_is_told_so_by_a_user_error_the_edge_can_tell_apart(
    session: Session,
) -> None:
    kit.load_plans(session)
    with pytest.raises(StrangerError) as raised:
        identify(session, "T0RIVER", "U0NOBODY", "C0RGEN")
    assert isinstance(raised.value, UserError)


def test_the_ledger_claims_once_in_one_statement(
    factory: sessionmaker[Session], statements: list[str]
) -> None:
    ledger = Ledger(factory)
    ledger.purge()
    statements.clear()
    key = request_key("signature", "v0=ack-path")
    assert ledger.first_time(key)
    assert not ledger.first_time(key)
    assert [s.split()[0] for s in statements] == ["INSERT", "INSERT"]
