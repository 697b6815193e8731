"""The sweeps respect closed groups and removed people (both backends).

A closed group is not reminded, chased or listed as missing, and ``return
status`` no longer lists it as owing (while a return it did submit still
shows); someone removed is not nudged, chased or sent a return reminder — even
when a re-import names them again as an owner or lead with their Slack id.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from commands.framework.dispatch import dispatch_text
from partnership.context import Reply
from storage.models import Action, Partnership, Person, SubGroup
from tests import kit
from tests.db.returnskit import add_groups, asb_form, submit
from tests.sweepkit import RecordingSender, at, sweep

RETURNS = ("return_reminder", "return_chase", "returns_missing")
MONDAY = "2026-11-23 09:30"
DIGEST_DAY = "2026-12-03 09:30"  # the digest before Riverside's 10/12/2026 meeting (sweep_digests)  # Lee's are overdue: he is nudged (test_sweep_nudges)


def setup(session: Session) -> None:
    """Both fixture plans and Riverside's extra groups (test_cmd_returns.add_groups)."""
    kit.load_plans(session)
    add_groups(session)


def line(session: Session, text: str, person: str = "Cora Coordinator") -> str:
    """Run a command as of the fixtures' "now" (21/11/2026); it must succeed."""
    outcome, shown = kit.run(kit.context(session, person=person), text)
    assert outcome.ok, shown
    return shown


def returns_posts(sender: RecordingSender) -> list[tuple[str, str]]:
    """(kind, address) of the returns sweep's posts."""
    return [(p.kind, p.address) for p in sender.posts if p.kind in RETURNS]


def test_a_closed_group_is_not_reminded_chased_or_listed_missing(
    session: Session, factory: sessionmaker[Session]
) -> None:
    setup(session)
    line(session, "group close ASB Steering Group")
    sender = RecordingSender()
    sweep(factory, sender, "2027-01-15 09:30")  # reminders, 5 working days before
    assert ("return_reminder", "U0GINA") not in returns_posts(sender)
    assert ("return_reminder", "U0LEE") in returns_posts(sender)  # Night-time Economy still is
    for when in ("2027-01-22 09:05", "2027-01-25 09:30", "2027-02-01 09:30"):
        sweep(factory, sender, when)
    assert [p for p in returns_posts(sender) if p[1] == "U0GINA"] == []
    [missing] = [p for p in sender.posts if p.kind == "returns_missing"]
    assert "ASB Steering Group" not in missing.text
    assert "Night-time Economy Group" in missing.text
    # Nor does return status list it as owing.
    ctx = kit.context(session, now=at("2027-01-25 10:00"))
    _, text = kit.run(ctx, "return status Q3")
    assert "ASB Steering Group" not in text and "Night-time Economy Group" in text, text


def test_a_closed_groups_past_return_still_shows(
    session: Session, factory: sessionmaker[Session]
) -> None:
    setup(session)
    ctx = kit.context(session, now=at("2027-01-18 10:00"))
    assert submit(ctx, asb_form(ctx)).ok
    outcome, _ = kit.run(kit.context(session, now=at("2027-01-19 10:00")), "group close ASB")
    assert outcome.ok
    _, text = kit.run(kit.context(session, now=at("2027-01-25 10:00")), "return status Q3")
    assert "ASB Steering Group" in text, text


def test_a_removed_person_is_not_nudged_or_reminded(
    session: Session, factory: sessionmaker[Session]
) -> None:
    setup(session)
    line(session, "person remove @lee")
    sender = RecordingSender()
    sweep(factory, sender, MONDAY)
    assert sender.to("U0LEE") == []
    # The coordinator's weekly roll-up lists his open actions as having no owner.
    [rollup] = sender.to("U0CORA", "rollup")
    no_owner = rollup.text.split("*No owner*")[1]
    assert "*A-1*" in no_owner and "*A-4*" in no_owner
    sweep(factory, sender, "2027-01-15 09:30")
    assert sender.to("U0LEE") == []


def test_a_re_import_naming_them_again_does_not_chase_them(
    session: Session, factory: sessionmaker[Session]
) -> None:
    """As if a stale plan file put Lee back as owner and lead, with his Slack id."""
    setup(session)
    line(session, "person remove @lee")
    pid = kit.partnership(session).id
    lee = session.scalars(
        select(Person).where(Person.partnership_id == pid, Person.name == "Lee Lead")
    ).one()
    session.execute(update(Person).where(Person.id == lee.id).values(slack_user_id="U0LEE"))
    session.execute(
        update(Action)
        .where(Action.partnership_id == pid, Action.ref.in_(("A-1", "A-4")))
        .values(owner_id=lee.id)
    )
    session.execute(
        update(SubGroup)
        .where(SubGroup.partnership_id == pid, SubGroup.name == "Night-time Economy Group")
        .values(lead_id=lee.id)
    )
    session.commit()
    sender = RecordingSender()
    for when in (MONDAY, "2027-01-15 09:30", "2027-01-25 09:30"):
        sweep(factory, sender, when)
    assert sender.to("U0LEE") == []
    # A coordinator's chase messages nobody about his actions: they have no owner to chase.
    outcome = dispatch_text(kit.context(session), "chase")
    assert outcome.ok and isinstance(outcome.result, Reply)
    send = outcome.result.data["send"] or {"dms": []}
    assert f"person:{lee.id}" not in [dm["target"] for dm in send["dms"]]
    session.rollback()


def test_identity_refuses_a_removed_person(session: Session) -> None:
    """The Slack edge's lookup: a removed person relinked by a re-import is no one."""
    from bot.slack.identity import identify
    from partnership.context import UserError

    kit.load_plans(session)
    line(session, "person remove @gina")
    session.execute(
        update(Person).where(Person.name == "Gina Grouplead").values(slack_user_id="U0GINA")
    )
    session.commit()
    try:
        identify(session, "T0RIVER", "U0GINA")
    except UserError as exc:
        assert "I don't know you yet" in exc.message
    else:
        raise AssertionError("a removed person was identified")
    assert identify(session, "T0RIVER", "U0MO").partnership.slug == "riverside"
    assert session.scalar(select(Partnership.slug).where(Partnership.slug == "riverside"))


def test_a_removed_chair_gets_no_digest(session: Session, factory: sessionmaker[Session]) -> None:
    kit.load_plans(session)
    line(session, "person remove <@U0CHRIS|chris>")
    sender = RecordingSender()
    sweep(factory, sender, DIGEST_DAY)
    assert [p.address for p in sender.posts if p.kind == "digest"] == ["C0RBOARD"]
