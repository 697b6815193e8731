"""``/csp person add`` and ``/csp whoami``."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Partnership, Person, Role
from tests.kit import context, load_plans, rendered, run


@pytest.fixture
def plans(session: Session) -> Session:
    """Riverside and Hillford loaded."""
    load_plans(session)
    return session


def person(session: Session, name: str, slug: str = "riverside") -> Person:
    """A person by name in a partnership."""
    return session.scalars(
        select(Person)
        .join(Partnership, Partnership.id == Person.partnership_id)
        .where(Partnership.slug == slug, Person.name == name)
    ).one()


def snapshot(session: Session) -> list[tuple[object, ...]]:
    """Every person's details, to show that nothing was written."""
    session.expire_all()
    rows = session.execute(
        select(
            Person.partnership_id,
            Person.name,
            Person.role,
            Person.slack_user_id,
            Person.email,
            Person.organisation_id,
        ).order_by(Person.id)
    )
    return [tuple(r) for r in rows]


# ------------------------------------------------------------------ person add


def test_add_a_new_person_linked_to_slack(plans: Session) -> None:
    outcome, text = run(
        context(plans),
        'person add <@U0KATH|kath> name:"Kath Rees" role:lead org:police '
        "email:<mailto:kath@riverside.example|kath@riverside.example>",
    )
    assert outcome.ok, text
    kath = person(plans, "Kath Rees")
    assert kath.slack_user_id == "U0KATH"
    assert kath.role == Role.LEAD
    assert kath.organisation is not None and kath.organisation.name == "Riverside Police"
    assert kath.email == "kath@riverside.example"
    assert "Added *Kath Rees* to Riverside" in text
    blocks = rendered(outcome)
    assert "<@U0KATH>" in str(blocks)
    # Now a person in the plan: actions can be given to her by mention.
    outcome, text = run(context(plans), "action add Kath's job owner:<@U0KATH|kath>")
    assert outcome.ok, text


def test_add_by_name_only_defaults_to_member(plans: Session) -> None:
    outcome, text = run(context(plans), 'person add "Pat Partner" email:pat@example.org')
    assert outcome.ok, text
    pat = person(plans, "Pat Partner")
    assert pat.role == Role.MEMBER and pat.slack_user_id is None
    assert pat.email == "pat@example.org"
    assert "Slack: not linked" in text


def test_link_an_existing_person_by_name(plans: Session) -> None:
    before = plans.scalar(select(func.count(Person.id)))
    outcome, text = run(context(plans), 'person add <@U0OLIVE|olive> name:"olive offline"')
    assert outcome.ok, text
    assert person(plans, "Olive Offline").slack_user_id == "U0OLIVE"
    assert plans.scalar(select(func.count(Person.id))) == before
    assert "Updated *Olive Offline*" in text and "Slack account linked" in text


def test_update_someone_by_their_slack_account(plans: Session) -> None:
    outcome, text = run(context(plans), "person add <@U0MO|mo> role:lead")
    assert outcome.ok, text
    assert person(plans, "Mo Member").role == Role.LEAD
    assert "role: member → lead" in text
    outcome, text = run(context(plans), "person add <@U0MO|mo> role:lead")
    assert outcome.ok and "Nothing to change" in text


def test_slack_account_of_another_partnership_is_separate(plans: Session) -> None:
    outcome, text = run(
        context(plans, "hillford", "Hana Hillford"), 'person add <@U0CORA> name:"Cora Coordinator"'
    )
    assert outcome.ok, text
    hillford_cora = person(plans, "Cora Coordinator", "hillford")
    assert hillford_cora.role == Role.MEMBER
    assert person(plans, "Cora Coordinator").role == Role.COORDINATOR


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('person add <@U0LEE|lee> name:"Olive Offline"', "already linked to Lee Lead"),
        ('person add <@U0LEE|lee> name:"Kath Rees"', "already linked to Lee Lead"),
        ("person add <@U0NEW|new>", "give their full name"),
        ("person add", "Who?"),
        ('person add "Kath Rees" role:boss', "`boss` is not a role"),
        ('person add "Kath Rees" org:"Knife Angels"', "no organisation `Knife Angels`"),
        ('person add "Kath Rees" org:Riverside', "no organisation `Riverside`"),
        ('person add "Kath Rees" email:kath', "`kath` is not an email address"),
        ('person add name:"<!channel> boss"', "is not a name"),
        ('person add "Kath Rees" rol:lead', "Did you mean `role:lead`?"),
        ("person add <@U0CORA|cora> role:lead", "only coordinator"),
    ],
)
def test_bad_input_writes_nothing(plans: Session, line: str, says: str) -> None:
    before = snapshot(plans)
    outcome, text = run(context(plans), line)
    assert not outcome.ok
    assert says in text
    assert snapshot(plans) == before
    rendered(outcome)


def test_a_second_coordinator_lets_the_first_step_down(plans: Session) -> None:
    assert run(context(plans), "person add <@U0MO|mo> role:coordinator")[0].ok
    outcome, text = run(context(plans), "person add <@U0CORA|cora> role:lead")
    assert outcome.ok, text
    assert person(plans, "Cora Coordinator").role == Role.LEAD


def test_all_bad_details_reported_together(plans: Session) -> None:
    outcome, _ = run(context(plans), 'person add "Kath Rees" role:boss org:nope email:x')
    assert not outcome.ok and outcome.error is not None
    assert set(outcome.error.fields) == {"role", "org", "email"}


@pytest.mark.parametrize("who", ["Lee Lead", "Gina Grouplead", "Mo Member", "Chris Chair"])
def test_only_coordinators_add_people(plans: Session, who: str) -> None:
    before = snapshot(plans)
    outcome, text = run(context(plans, person=who), 'person add <@U0KATH> name:"Kath Rees"')
    assert not outcome.ok
    assert "only a coordinator (Cora Coordinator) can use `/csp person add`" in text
    assert snapshot(plans) == before


def test_hillford_coordinator_cannot_touch_riverside(plans: Session) -> None:
    outcome, _ = run(
        context(plans, "hillford", "Hana Hillford"), "person add <@U0MO|mo> role:coordinator"
    )
    assert not outcome.ok  # Mo is not in Hillford, and a bare mention needs a name
    assert person(plans, "Mo Member").role == Role.MEMBER


def test_hostile_name_text_is_escaped(plans: Session) -> None:
    outcome, text = run(context(plans), 'person add name:"{{ 7*7 }} & Sons"')
    assert outcome.ok, text
    blocks = rendered(outcome)
    assert "{{ 7*7 }} &amp; Sons" in blocks[0]["text"]["text"]


# ------------------------------------------------------------------ whoami


@pytest.mark.parametrize(
    ("slug", "who", "shown"),
    [
        (
            "riverside",
            "Cora Coordinator",
            [
                "*Cora Coordinator* (coordinator, Riverside Council)",
                "add people",
                "You own no open actions.",
            ],
        ),
        (
            "riverside",
            "Lee Lead",
            [
                "*Lee Lead* (lead, Riverside Police)",
                "add actions you own",
                "You own 2 open actions",
            ],
        ),
        (
            "riverside",
            "Gina Grouplead",
            ["You lead: ASB Steering Group.", "update and add actions of the groups you lead"],
        ),
        (
            "riverside",
            "Mo Member",
            ["*Mo Member* (member)", "update the actions you own", "You own 1 open action:"],
        ),
        ("hillford", "Lee Lead", ["in *Hillford Safer Communities*", "You own no open actions."]),
        ("riverside", None, ["*the console operator* (coordinator rights)"]),
    ],
)
def test_whoami(plans: Session, slug: str, who: str | None, shown: list[str]) -> None:
    outcome, text = run(context(plans, slug, who), "whoami")
    assert outcome.ok
    for piece in shown:
        assert piece in text, piece
    if who == "Mo Member":
        assert "add actions" not in text and "add people" not in text
    if slug == "hillford":
        assert "Riverside" not in text
    rendered(outcome)
