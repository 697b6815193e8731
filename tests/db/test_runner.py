"""One transaction per command: clashes with a concurrent change are run again, not lost."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from bot.slack.runner import ATTEMPTS, execute
from commands.framework.dispatch import Outcome, dispatch_text
from partnership.context import Context
from storage.models import Action, ActionUpdate, Rag
from tests import kit


def _as(person: str) -> Callable[[Session], Context]:
    return lambda session: kit.context(session, "riverside", person)


def _typed(line: str) -> Callable[[Context], Outcome]:
    """A call that types one command line."""
    return lambda ctx: dispatch_text(ctx, line)


def _a1(factory: sessionmaker[Session]) -> tuple[Action, list[str]]:
    with factory() as session:
        action = session.scalars(
            select(Action).where(
                Action.ref == "A-1", Action.partnership_id == kit.partnership(session).id
            )
        ).one()
        notes = [
            u.note or ""
            for u in session.scalars(
                select(ActionUpdate)
                .where(ActionUpdate.action_id == action.id)
                .order_by(ActionUpdate.id)
            )
        ]
        return action, notes


def test_a_clash_is_run_again_and_both_updates_are_kept(imported: sessionmaker[Session]) -> None:
    from sqlalchemy import event

    attempts = []
    interleaved: list[int] = []

    def cora_commits_first(state: ORMExecuteState) -> None:
        """Just before Lee's first write (the action's UPDATE), Cora's change to A-1 is committed."""
        if not state.is_update or interleaved:
            return
        interleaved.append(1)
        with imported() as other:
            cora = kit.context(other, "riverside", "Cora Coordinator")
            outcome, _ = kit.run(cora, 'action update A-1 rag:green "cora first"')
            assert outcome.ok

    def call(ctx: Context) -> Outcome:
        attempts.append(1)
        if len(attempts) == 1:
            event.listen(ctx.session, "do_orm_execute", cora_commits_first)
        return dispatch_text(ctx, 'action update A-1 rag:red "lee second"')

    outcome = execute(imported, _as("Lee Lead"), call)
    assert outcome.ok
    assert len(attempts) == 2  # Lee's first write hit the optimistic lock and was redone
    action, notes = _a1(imported)
    assert notes[-2:] == ["cora first", "lee second"]
    assert action.rag == Rag.RED


def test_concurrent_leads_all_end_up_in_the_history(imported: sessionmaker[Session]) -> None:
    rounds = 8
    barrier = threading.Barrier(2)
    outcomes: list[Outcome] = []

    def lead(person: str, rag: str) -> None:
        for n in range(rounds):
            barrier.wait()
            line = f'action update A-1 rag:{rag} "{person} {n}"'
            outcomes.append(execute(imported, _as(person), _typed(line)))

    threads = [
        threading.Thread(target=lead, args=("Lee Lead", "red")),
        threading.Thread(target=lead, args=("Cora Coordinator", "green")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]
    action, notes = _a1(imported)
    for person in ("Lee Lead", "Cora Coordinator"):
        assert [n for n in notes if n.startswith(person)] == [
            f"{person} {n}" for n in range(rounds)
        ]
    # The final state is one writer's, whole: the last note's RAG is the action's RAG.
    last = notes[-1]
    with imported() as session:
        dump = [
            (u.id, u.note, u.changes)
            for u in session.scalars(
                select(ActionUpdate)
                .where(ActionUpdate.action_id == action.id)
                .order_by(ActionUpdate.id)
            )
        ]
    assert action.rag == (Rag.RED if last.startswith("Lee") else Rag.GREEN), dump[-4:]


def test_a_clash_that_keeps_happening_asks_to_try_again_and_writes_nothing(
    imported: sessionmaker[Session],
) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    calls = []

    def call(ctx: Context) -> Outcome:
        calls.append(1)
        dispatch_text(ctx, 'action update A-1 "never saved"')
        raise StaleDataError("always clashing")

    before = _a1(imported)[1]
    outcome = execute(imported, _as("Lee Lead"), call)
    assert not outcome.ok and len(calls) == ATTEMPTS
    assert "same moment" in kit.shown(outcome)
    assert _a1(imported)[1] == before


def test_a_dropped_connection_is_retried_once(imported: sessionmaker[Session]) -> None:
    calls = []

    def call(ctx: Context) -> Outcome:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError(
                "SELECT 1", {}, Exception("server closed"), connection_invalidated=True
            )
        return dispatch_text(ctx, 'action update A-1 "after the restart"')

    outcome = execute(imported, _as("Lee Lead"), call)
    assert outcome.ok and len(calls) == 2
    assert _a1(imported)[1][-1] == "after the restart"


def test_a_connection_lost_twice_is_an_apology(imported: sessionmaker[Session]) -> None:
    def call(ctx: Context) -> Outcome:
        raise OperationalError("SELECT 1", {}, Exception("down"), connection_invalidated=True)

    outcome = execute(imported, _as("Lee Lead"), call)
    assert not outcome.ok and "reference" in kit.shown(outcome)


@pytest.mark.parametrize("n", [2])
def test_two_new_actions_at_once_get_different_refs(
    imported: sessionmaker[Session], n: int
) -> None:
    barrier = threading.Barrier(n)
    outcomes: list[Outcome] = []

    def add(k: int) -> None:
        barrier.wait()
        line = f'action add "Concurrent {k}" owner:"Lee Lead" due:+2w'
        outcomes.append(
            execute(imported, _as("Cora Coordinator"), lambda c: dispatch_text(c, line))
        )

    threads = [threading.Thread(target=add, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(o.ok for o in outcomes)
    with imported() as session:
        refs = session.scalars(select(Action.ref).where(Action.title.like("Concurrent %"))).all()
        assert len(set(refs)) == n
        assert session.scalar(select(func.count()).where(Action.title.like("Concurrent %"))) == n
