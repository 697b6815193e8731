"""``/csp person add`` and ``/csp whoami``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.slack.directory import lookup_email
from partnership.context import Found
from storage.models import Partnership, Person, Role
from tests.fakeslack import FakeSlack
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


# ------------------------------------------- linking however the account is written


class Directory:
    """A stand-in for Slack's users.lookupByEmail: known addresses, or one failure for all."""

    def __init__(self, known: dict[str, str] | None = None, problem: str = "") -> None:
        self.known = known or {}
        self.problem = problem
        self.asked: list[str] = []

    def user_by_email(self, partnership: Partnership, email: str) -> Found:
        self.asked.append(email)
        if self.problem:
            return Found(None, self.problem)
        user_id = self.known.get(email)
        return Found(user_id, "" if user_id else f"no one in this Slack workspace has {email}")


@pytest.mark.parametrize(
    "who",
    [
        "U0ANN12345",
        "W0ANN12345",
        "<@U0ANN12345>",
        "<@U0ANN12345|ann>",
        "slack:U0ANN12345",
        "user:<@U0ANN12345|ann>",
    ],
)
def test_a_slack_account_links_however_it_is_written(plans: Session, who: str) -> None:
    outcome, text = run(context(plans), f'person add {who} name:"Ann Example" role:coordinator')
    assert outcome.ok, text
    ann = person(plans, "Ann Example")
    assert ann.slack_user_id == who.split(":")[-1].strip("<@>").split("|")[0]
    assert ann.role == Role.COORDINATOR
    assert "not linked" not in text
    assert f"<@{ann.slack_user_id}>" in str(rendered(outcome))


def test_a_bare_id_then_the_name_without_a_key(plans: Session) -> None:
    outcome, text = run(context(plans), 'person add U0ANN12345 "Ann Example"')
    assert outcome.ok, text
    assert person(plans, "Ann Example").slack_user_id == "U0ANN12345"


def test_a_capitalised_word_is_a_name_not_an_id(plans: Session) -> None:
    outcome, text = run(context(plans), "person add UNISON Rep")
    assert outcome.ok, text
    assert person(plans, "UNISON Rep").slack_user_id is None


def test_an_email_is_looked_up_in_slack_and_links(plans: Session) -> None:
    directory = Directory({"ann@riverside.example": "U0ANN12345"})
    outcome, text = run(
        context(plans, directory=directory),
        'person add <mailto:ann@riverside.example|ann@riverside.example> name:"Ann Example"',
    )
    assert outcome.ok, text
    ann = person(plans, "Ann Example")
    assert (ann.slack_user_id, ann.email) == ("U0ANN12345", "ann@riverside.example")
    assert directory.asked == ["ann@riverside.example"]
    assert "found by their email address" in text


def test_an_email_key_links_someone_not_yet_on_slack(plans: Session) -> None:
    directory = Directory({"olive@victimsupport.example": "U0OLIVE"})
    outcome, text = run(
        context(plans, directory=directory),
        'person add "Olive Offline" email:olive@victimsupport.example',
    )
    assert outcome.ok, text
    assert person(plans, "Olive Offline").slack_user_id == "U0OLIVE"
    # Someone already linked is not looked up again for a change of address.
    outcome, _ = run(
        context(plans, directory=directory), 'person add "Lee Lead" email:lee@x.example'
    )
    assert outcome.ok and directory.asked == ["olive@victimsupport.example"]
    assert person(plans, "Lee Lead").slack_user_id == "U0LEE"


def test_an_address_alone_finds_the_person_in_the_plan(plans: Session) -> None:
    directory = Directory({"cora@riverside.example": "U0CORA"})
    outcome, text = run(
        context(plans, directory=directory), "person add cora@riverside.example role:coordinator"
    )
    assert outcome.ok, text
    assert "Nothing to change" in text and "Cora Coordinator" in text


@pytest.mark.parametrize(
    "problem",
    ["Slack could not be reached to look the address up", "no one in this Slack workspace has x"],
)
def test_a_failed_lookup_says_why_and_keeps_the_rest(plans: Session, problem: str) -> None:
    directory = Directory(problem=problem)
    outcome, text = run(
        context(plans, directory=directory),
        'person add ann@riverside.example name:"Ann Example" role:lead org:police',
    )
    assert outcome.ok, text
    ann = person(plans, "Ann Example")
    assert ann.slack_user_id is None and ann.role == Role.LEAD
    assert ann.email == "ann@riverside.example"
    assert ann.organisation is not None and ann.organisation.name == "Riverside Police"
    assert f"Not linked to Slack: {problem}" in text and "Everything else is saved" in text
    assert text.count(":warning:") == 1  # the address was typed to link them
    rendered(outcome)


def test_an_address_whose_account_is_someone_else_is_refused(plans: Session) -> None:
    before = snapshot(plans)
    directory = Directory({"lee@x.example": "U0LEE"})
    outcome, text = run(
        context(plans, directory=directory), 'person add lee@x.example name:"Kath Rees"'
    )
    assert not outcome.ok and "already linked to Lee Lead" in text
    assert snapshot(plans) == before


def test_a_name_given_twice_differently_is_refused(plans: Session) -> None:
    before = snapshot(plans)
    outcome, text = run(context(plans), 'person add U0ANN12345 Ann name:"Ann Example"')
    assert not outcome.ok and "I didn't understand `Ann`" in text
    assert snapshot(plans) == before


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """The loopback fake of Slack's Web API."""
    with FakeSlack() as fake:
        yield fake


def test_lookup_through_the_web_api(slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=slack.base_url)
    slack.add_user("Ann@Riverside.example", "U0ANN12345")
    assert lookup_email(client, "ann@riverside.example") == Found("U0ANN12345")
    [call] = slack.calls("users.lookupByEmail")
    assert call.params["email"] == "ann@riverside.example"
    missing = lookup_email(client, "nobody@riverside.example")
    assert missing.user_id is None and "no one in this Slack workspace" in missing.problem
    slack.fail("users.lookupByEmail", "missing_scope")
    assert "users:read.email" in lookup_email(client, "ann@riverside.example").problem
    slack.add_user("gone@riverside.example", "U0GONE", deleted=True)
    assert "deactivated" in lookup_email(client, "gone@riverside.example").problem


def test_lookup_when_slack_cannot_be_reached() -> None:
    with FakeSlack() as fake:
        url = fake.base_url  # a port that was just free, now closed
    found = lookup_email(WebClient(token="xoxb-test", base_url=url), "ann@riverside.example")
    assert found == Found(None, "Slack could not be reached to look the address up")


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
