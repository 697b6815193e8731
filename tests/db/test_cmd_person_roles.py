"""``/csp person role|remove|link`` on both backends: what each writes, and refusals.

Removal keeps the person's row (history names them) and every row pointing at
it; the link form's submission (as the edge hands it over) links by the id in
its metadata, scoped to the asker's partnership.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from commands.framework.core import Form
from commands.framework.dispatch import dispatch_args
from commands.framework.registry import Args
from storage.models import (
    Action,
    ActionUpdate,
    Partnership,
    Person,
    PlanChange,
    Role,
    Status,
    SubGroup,
)
from tests.kit import context, load_plans, rendered, run


@pytest.fixture
def plans(session: Session) -> Session:
    """Riverside and Hillford loaded."""
    load_plans(session)
    return session


def person(session: Session, name: str, slug: str = "riverside") -> Person:
    """A person by name in a partnership."""
    session.expire_all()
    return session.scalars(
        select(Person)
        .join(Partnership, Partnership.id == Person.partnership_id)
        .where(Partnership.slug == slug, Person.name == name)
    ).one()


def snapshot(session: Session) -> tuple[Any, ...]:
    """People, action owners, group leads and history counts: proof nothing was written."""
    session.expire_all()
    people = session.execute(
        select(
            Person.id, Person.name, Person.role, Person.slack_user_id, Person.removed_at
        ).order_by(Person.id)
    ).all()
    owners = session.execute(select(Action.id, Action.owner_id).order_by(Action.id)).all()
    leads = session.execute(select(SubGroup.id, SubGroup.lead_id).order_by(SubGroup.id)).all()
    counts = (
        session.scalar(select(func.count()).select_from(PlanChange)),
        session.scalar(select(func.count()).select_from(ActionUpdate)),
    )
    return tuple(map(tuple, people)), tuple(map(tuple, owners)), tuple(map(tuple, leads)), counts


def changes(session: Session, name: str) -> list[dict[str, Any]]:
    """A person's history entries' changes, oldest first."""
    who = person(session, name)
    return [
        e.changes
        for e in session.scalars(
            select(PlanChange)
            .where(PlanChange.subject == "person", PlanChange.subject_id == who.id)
            .order_by(PlanChange.id)
        )
    ]


# ------------------------------------------------------------------ person role


def test_role_by_mention_and_by_name(plans: Session) -> None:
    outcome, text = run(context(plans), "person role <@U0MO|mo> coordinator")
    assert outcome.ok, text
    assert person(plans, "Mo Member").role == Role.COORDINATOR
    assert "role: member → coordinator" in text
    rendered(outcome)
    outcome, text = run(context(plans), 'person role "Olive Offline" vice chair')
    assert outcome.ok, text
    assert person(plans, "Olive Offline").role == Role.CHAIR
    assert changes(plans, "Mo Member") == [{"role": ["member", "coordinator"]}]
    outcome, text = run(context(plans), "person role @mo co-ordinator")
    assert outcome.ok and "Nothing to change" in text
    assert len(changes(plans, "Mo Member")) == 1


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("person role @mo boss", "`boss` is not a role"),
        ("person role coordinator", "Who?"),
        ("person role @Moe member", "Did you mean Mo Member?"),
        ("person role <@U0CORA|cora> lead", "only coordinator"),
        ('person role "Hana Hillford" lead', "not in Riverside"),
    ],
)
def test_bad_role_writes_nothing(plans: Session, line: str, says: str) -> None:
    before = snapshot(plans)
    outcome, text = run(context(plans), line)
    assert not outcome.ok
    assert says in text, text
    assert snapshot(plans) == before
    rendered(outcome)


@pytest.mark.parametrize(
    "line",
    ["person role @mo coordinator", "person remove @mo", 'person link "Olive Offline"'],
)
def test_only_coordinators_change_people(plans: Session, line: str) -> None:
    before = snapshot(plans)
    outcome, text = run(context(plans, person="Lee Lead"), line)
    assert not outcome.ok and "only a coordinator (Cora Coordinator)" in text, text
    assert snapshot(plans) == before


# ------------------------------------------------------------------ person remove


def test_remove_keeps_the_name_and_lists_what_needs_a_new_owner(plans: Session) -> None:
    assert run(context(plans), "action done A-1")[0].ok  # history Lee's name appears in
    lee = person(plans, "Lee Lead")
    run(context(plans), "group lead ASB Steering Group @lee")
    outcome, text = run(context(plans), "person remove <@U0LEE|lee>")
    assert outcome.ok, text
    rendered(outcome)
    lee = person(plans, "Lee Lead")
    assert lee.removed_at is not None and lee.slack_user_id is None
    assert "Removed *Lee Lead*" in text
    # A-1 was done: it keeps its owner; A-4 is open: it needs a new one.
    assert "1 open action they owned now needs a new owner" in text and "*A-4*" in text
    assert "/csp action update A-4 owner:@person" in text
    assert "1 sub-group they led now needs a new lead:* ASB Steering Group" in text
    a1, a4 = (
        plans.scalars(
            select(Action).where(Action.ref == r, Action.partnership_id == lee.partnership_id)
        ).one()
        for r in ("A-1", "A-4")
    )
    assert a1.status == Status.COMPLETE and a1.owner_id == lee.id
    assert a4.owner_id is None
    assert a4.updates[-1].changes == {"owner": ["Lee Lead", None]}
    assert "needs a new owner" in (a4.updates[-1].note or "")
    assert "Lee" not in (a4.updates[-1].note or "")
    asb = plans.scalars(
        select(SubGroup).where(
            SubGroup.name == "ASB Steering Group", SubGroup.partnership_id == lee.partnership_id
        )
    ).one()
    assert asb.lead_id is None
    assert changes(plans, "Lee Lead")[-1] == {
        "removed": [None, "2026-11-21"],
        "slack": ["linked", "not linked"],
    }
    # They can be named no more; the refusal says they were removed.
    for line in ("action update A-4 owner:@lee", "person role @lee member"):
        before = snapshot(plans)
        outcome, text = run(context(plans), line)
        assert not outcome.ok, line
        assert snapshot(plans) == before
    outcome, text = run(context(plans), 'person role "Lee Lead" member')
    assert "Lee Lead was removed from the partnership on 21/11/2026" in text, text
    # Removing them again says so.
    outcome, text = run(context(plans), 'person remove "Lee Lead"')
    assert not outcome.ok and "was removed" in text


def test_the_only_coordinator_cannot_be_removed(plans: Session) -> None:
    before = snapshot(plans)
    outcome, text = run(context(plans), "person remove <@U0CORA|cora>")
    assert not outcome.ok and "only coordinator" in text, text
    assert snapshot(plans) == before


def test_person_add_puts_a_removed_person_back(plans: Session) -> None:
    assert run(context(plans), "person remove @mo")[0].ok
    outcome, text = run(context(plans), 'person add <@U0MO|mo> name:"Mo Member"')
    assert outcome.ok, text
    mo = person(plans, "Mo Member")
    assert mo.removed_at is None and mo.slack_user_id == "U0MO"
    assert "back in the partnership" in text
    assert changes(plans, "Mo Member")[-1] == {"removed": [True, False]}


def test_a_removed_coordinator_is_no_coordinator(plans: Session) -> None:
    assert run(context(plans), "person role @mo coordinator")[0].ok
    assert run(context(plans), "person remove @mo")[0].ok
    outcome, text = run(context(plans, person="Lee Lead"), "person role @gina member")
    assert not outcome.ok and "only a coordinator (Cora Coordinator)" in text, text


# ------------------------------------------------------------------ person link


def test_link_opens_the_people_picker_then_links(plans: Session) -> None:
    outcome, _ = run(context(plans), 'person link "olive offline"')
    form = outcome.result
    assert isinstance(form, Form) and form.name == "person_link"
    olive = person(plans, "Olive Offline")
    assert form.meta == {"person": str(olive.id)}
    values = {"user": "<@U0OLIVE>", **form.meta}
    done = dispatch_args(context(plans), "person link", Args(values))
    assert done.ok, done.result
    plans.commit()
    assert person(plans, "Olive Offline").slack_user_id == "U0OLIVE"
    assert changes(plans, "Olive Offline") == [{"slack": ["not linked", "linked"]}]
    rendered(done)


def test_link_bare_lists_who_is_not_linked_with_buttons(plans: Session) -> None:
    outcome, text = run(context(plans), "person link")
    assert outcome.ok, text
    blocks = rendered(outcome)
    assert "1 person in Riverside" in text and "Olive Offline" in text
    [button] = [b["accessory"] for b in blocks if "accessory" in b]
    assert button["action_id"] == "person_link"
    assert button["value"] == 'in:riverside person link "Olive Offline"'


def test_person_add_without_slack_offers_the_picker(plans: Session) -> None:
    outcome, text = run(context(plans), 'person add "Pat Partner"')
    assert outcome.ok, text
    buttons = [e for b in rendered(outcome) if b["type"] == "actions" for e in b["elements"]]
    assert [b["value"] for b in buttons] == ['in:riverside person link "Pat Partner"']


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"user": "<@U0LEE>"}, "already linked to Lee Lead"),
        ({"user": ""}, "not a Slack account I can link"),
        ({"user": "<!channel>"}, "not a Slack account I can link"),
        ({"user": "<@U0OLIVE>", "person": "999999"}, "no longer in Riverside"),
        ({"user": "<@U0OLIVE>", "person": "hana"}, "no longer in Riverside"),
    ],
)
def test_bad_link_submission_writes_nothing(
    plans: Session, values: dict[str, str], says: str
) -> None:
    olive = person(plans, "Olive Offline")
    before = snapshot(plans)
    done = dispatch_args(context(plans), "person link", Args({"person": str(olive.id), **values}))
    plans.rollback()
    assert not done.ok
    assert done.error is not None and says in done.error.message, done.error
    assert snapshot(plans) == before


def test_a_link_form_cannot_reach_another_partnership(plans: Session) -> None:
    hana = person(plans, "Hana Hillford", "hillford")
    before = snapshot(plans)
    done = dispatch_args(
        context(plans), "person link", Args({"person": str(hana.id), "user": "<@U0NEW>"})
    )
    plans.rollback()
    assert not done.ok and "no longer in Riverside" in (done.error.message if done.error else "")
    assert snapshot(plans) == before


def test_the_same_slack_account_may_be_someone_in_another_partnership(plans: Session) -> None:
    """U0CORA is Cora in Riverside; Hillford may link its own person to that account."""
    assert run(context(plans, "hillford", "Hana Hillford"), 'person add "Cora Coordinator"')[0].ok
    cora = person(plans, "Cora Coordinator", "hillford")
    done = dispatch_args(
        context(plans, "hillford", "Hana Hillford"),
        "person link",
        Args({"person": str(cora.id), "user": "<@U0CORA>"}),
    )
    assert done.ok, done.result


def test_erasure_relabels_the_group_and_person_history(plans: Session) -> None:
    """``csp-bot person erase`` leaves no name of theirs in the plan_change history."""
    import datetime as dt

    from storage.people import erase_person

    run(context(plans), "group lead ASB Steering Group @mo")
    run(context(plans), "person role @mo lead")
    assert run(context(plans), "person remove @mo")[0].ok
    mo = person(plans, "Mo Member")
    done = erase_person(plans, mo, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    plans.commit()
    plans.expire_all()
    text = str([(e.name, e.changes, e.note) for e in plans.scalars(select(PlanChange))])
    assert "Mo Member" not in text, text
    assert done.new_name in text


def test_the_coordinators_home_tab_offers_the_picker(plans: Session) -> None:
    from bot.render.environment import render_blocks
    from partnership.home import home
    from tests.kit import valid_blocks

    reply = home(context(plans))
    blocks = valid_blocks(render_blocks(reply.template, reply.data), 100)
    [button] = [b["accessory"] for b in blocks if "accessory" in b]
    assert button == {
        "type": "button",
        "text": {"type": "plain_text", "text": "Pick their Slack account", "emoji": True},
        "action_id": "person_link",
        "value": 'in:riverside person link "Olive Offline"',
    }
    member = home(context(plans, person="Mo Member"))
    assert member.data["unlinked"] == []
    assert "person_link" not in str(render_blocks(member.template, member.data))
