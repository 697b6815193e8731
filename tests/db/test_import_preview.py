"""The preview behind ``/csp import``: a dry run that keeps nothing, and its button's refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partnership import import_preview
from partnership.context import Refused, UserError
from storage.models import Action, ActionUpdate, PendingImport, Source
from tests.kit import NOW, context, load_plans, run

CSV = b"Ref,Action,Owner,Due date\nN-1,Open the hub,Lee Lead,30/06/2027\n"


@pytest.fixture
def plans(session: Session) -> Session:
    load_plans(session)
    return session


def counts(session: Session) -> tuple[int, int, int]:
    """Actions, history entries and kept previews."""
    return (
        session.scalar(select(func.count()).select_from(Action)) or 0,
        session.scalar(select(func.count()).select_from(ActionUpdate)) or 0,
        session.scalar(select(func.count()).select_from(PendingImport)) or 0,
    )


def test_the_dry_run_keeps_nothing_but_the_preview(plans: Session) -> None:
    before = counts(plans)
    reply = import_preview.preview(context(plans), "plan.csv", CSV)
    plans.commit()
    assert reply.data["created"]["lines"] == ["action N-1"] and reply.data["token"]
    assert counts(plans) == (before[0], before[1], 1)
    done = import_preview.apply_pending(context(plans), reply.data["token"], readable=False)
    plans.commit()
    assert done.data["by"] == "Cora Coordinator"
    assert counts(plans)[:2] == (before[0] + 1, before[1] + 1)


def test_an_unchanged_file_offers_no_button(plans: Session) -> None:
    first = import_preview.preview(context(plans), "plan.csv", CSV)
    import_preview.apply_pending(context(plans), first.data["token"], readable=False)
    plans.commit()
    again = import_preview.preview(context(plans), "plan.csv", CSV)
    assert again.data["nothing"] and not again.data["token"]


def test_only_a_coordinator_previews(plans: Session) -> None:
    with pytest.raises(Refused):
        import_preview.preview(context(plans, person="Mo Member"), "plan.csv", CSV)


def test_another_partnerships_preview_is_refused(plans: Session) -> None:
    reply = import_preview.preview(context(plans), "plan.csv", CSV)
    plans.commit()
    hillford = context(plans, "hillford", person="Hana Hillford")
    with pytest.raises(UserError):
        import_preview.apply_pending(hillford, reply.data["token"], readable=False)


def test_a_plan_file_may_not_move_the_partnership_to_another_workspace(plans: Session) -> None:
    plan = b"version: 1\npartnership:\n  name: Riverside CSP\n  slug: riverside\n  slack:\n    team_id: T0ELSE\n"
    with pytest.raises(Refused) as raised:
        import_preview.preview(context(plans), "riverside.yaml", plan)
    assert "only the bot's operator" in raised.value.message


def test_old_previews_are_purged(plans: Session) -> None:
    reply = import_preview.preview(context(plans), "plan.csv", CSV)
    plans.commit()
    import_preview.purge(plans, NOW + dt.timedelta(days=2))
    plans.commit()
    assert plans.get(PendingImport, reply.data["token"]) is None


def test_the_console_is_sent_to_the_cli(plans: Session) -> None:
    ctx = context(plans, person=None, source=Source.CONSOLE)
    for line, says in (
        ("import", "csp-bot import FILE"),
        ("export", "csp-bot export"),
        ("digest paper", "csp-bot digest"),
    ):
        outcome, text = run(ctx, line)
        assert not outcome.ok and says in text, text
