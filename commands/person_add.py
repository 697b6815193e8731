"""``/csp person add``: add someone to the plan, or link them to their Slack account."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership.context import Context, Reply, UserError
from partnership.edits import read_text
from partnership.groups import PERSON, record
from partnership.lookup import find_organisation, rows_of, split_mention
from partnership.messages import people as say
from partnership.perms import coordinators
from storage.models import Organisation, Person, Role
from storage.words import ROLE_WORDS, fold

_EMAIL = re.compile(r"[^@\s<>|]+@[^@\s<>|]+\.[^@\s<>|]+")
# Slack sends a typed address as <mailto:kath@example.org|kath@example.org>.
_MAILTO = re.compile(r"<mailto:([^|>]*)(?:\|[^>]*)?>")
USAGE = '`/csp person add @kath name:"Kath Rees" role:lead org:"Riverside Police"`'
# A Slack member id typed bare (``U0ANN12345``, ``W012A3CDE``): the form the plan file takes.
SLACK_ID = re.compile(r"[UW][A-Z0-9]{5,30}")


@command(
    "person add",
    usage='<@user|U…id|email|"Full Name"> [name:"Full Name"] '
    "[role:lead|member|chair|coordinator] [org:<organisation>] [email:<address>]",
    examples=(
        '/csp person add @kath name:"Kath Rees" role:lead org:"Riverside Police"',
        '/csp person add U0KATH123 name:"Kath Rees"',
        '/csp person add kath@riverside.example name:"Kath Rees"',
        '/csp person add "Olive Offline" email:olive@victimsupport.example',
        "/csp person add @kath role:chair",
    ),
    rest="who",
    keys=("name", "role", "org", "email", "user"),
    aliases={"organisation": "org", "organization": "org", "slack": "user"},
    mention="user",
    coordinator_only=True,
)
def person_add(ctx: Context, args: Args) -> Result:
    """Add a person to the plan, or link someone already in it to their Slack account.

    Name their Slack account by mentioning them (`@kath`), by its member id
    (`U0KATH123`, from their profile's "Copy member ID") or by their email
    address, which is looked up in Slack; give `name:` with their full name as
    the plan writes it. Someone already in the plan (by name, address or Slack
    account) is updated rather than added twice. If Slack cannot find the
    address, the person is still added, and the reply says why they are not linked.
    """
    who = read_who(args)
    wanted = read_details(ctx, args)
    if who.address and "email" not in wanted:
        wanted["email"] = who.address
    # Those removed too: naming one again puts them back (partnership/people.py).
    everyone = rows_of(ctx, Person, Person.name)
    slack_id, problem = who.slack_id, ""
    if slack_id is None:
        slack_id, problem = look_up(ctx, who, wanted.get("email"), everyone)
    linked = next((p for p in everyone if slack_id and p.slack_user_id == slack_id), None)
    if linked is not None and who.name is not None and fold(linked.name) != fold(who.name):
        raise UserError(
            say.already_linked(name=linked.name, partnership=ctx.partnership.name),
            fields={"user": say.already_linked_field(name=linked.name)},
        )
    person = linked or named(everyone, who.name, wanted.get("email"))
    if person is None and who.name is None:
        raise UserError(
            say.give_full_name(slack=bool(slack_id), usage=USAGE),
            fields={"name": "Required"},
        )
    keep_a_coordinator(ctx, person, wanted.get("role"))
    created = person is None
    if person is None:
        assert who.name is not None
        person = Person(partnership_id=ctx.partnership.id, name=who.name, role=Role.MEMBER)
        ctx.session.add(person)
    changes = apply(person, {**wanted, **({"slack_user_id": slack_id} if slack_id else {})})
    if person.removed_at is not None:
        person.removed_at = None
        changes.insert(0, "back in the partnership")
        record(ctx, PERSON, person.id, person.name, {"removed": [True, False]})
    return Reply(
        "person",
        {
            "name": person.name,
            "created": created,
            "role": person.role.value,
            "organisation": person.organisation.name if person.organisation else "",
            "email": person.email or "",
            "slack": person.slack_user_id,
            "found_by_email": bool(slack_id) and who.slack_id is None,
            "not_linked_because": "" if person.slack_user_id else problem,
            "link_asked": who.address is not None,
            "changes": [] if created else changes,
            "partnership": ctx.partnership.name,
            "slug": ctx.partnership.slug,
        },
        text=say.added(name=person.name, created=created),
    )


@dataclass(frozen=True)
class Who:
    """Whom ``person add`` names: a Slack id, an address to look up, a full name."""

    slack_id: str | None
    name: str | None
    address: str | None = None


def read_who(args: Args) -> Who:
    """The Slack id (mention or bare id), address and full name from what was typed.

    The first word of the free text (or ``slack:``) may be a bare Slack member id
    (``U0ANN12345``) or an email address; the rest is the name.
    """
    slack_id, mention_name = split_mention(args.get("user") or "")
    words = (args.get("who") or "").strip()
    if slack_id is None and mention_name:
        words = f"{mention_name} {words}".strip()  # a typed "@Kath Rees" names, it doesn't link
    elif words.startswith("<@"):
        raise UserError(say.one_at_a_time(usage=USAGE), fields={"user": "One person"})
    first, _, others = words.partition(" ")
    address = None
    if slack_id is None and SLACK_ID.fullmatch(first) and re.search(r"\d", first):
        slack_id, words = first, others.strip()
    elif _EMAIL.fullmatch(plain := _MAILTO.sub(lambda m: m[1], first)):
        if len(plain) > 254:
            raise UserError(say.EMAIL_TOO_LONG, fields={"email": "Too long"})
        address, words = plain, others.strip()
    if words and args.get("name") and fold(words) != fold(args.get("name") or ""):
        raise UserError(
            say.name_twice(words=words, usage=USAGE),
            fields={"name": "Give the name once"},
        )
    name = read_text(args.get("name") or words or None, "name", limit=200)
    if name is not None and re.search(r"[<>@|]", name):
        raise UserError(
            say.not_a_name(name=name, usage=USAGE),
            fields={"name": "A person's full name"},
        )
    if slack_id is None and name is None and address is None:
        raise UserError(say.who(usage=USAGE), fields={"user": "Who"})
    return Who(slack_id, name, address)


def look_up(
    ctx: Context, who: Who, email: str | None, everyone: list[Person]
) -> tuple[str | None, str]:
    """(Slack id, or why there is none) for an address: typed, or given as ``email:``.

    A typed address is always looked up; an ``email:`` only for someone not yet
    linked. With no address, or no Slack to ask, there is nothing to say.
    """
    address = who.address or email
    if address is None:
        return None, ""
    existing = named(everyone, who.name, address)
    if who.address is None and existing is not None and existing.slack_user_id:
        return None, ""
    if ctx.directory is None:
        return None, say.NO_SLACK_TO_ASK
    found = ctx.directory.user_by_email(ctx.partnership, address)
    return found.user_id, found.problem


def named(everyone: list[Person], name: str | None, email: str | None) -> Person | None:
    """Someone in the plan by full name, else by email address."""
    if name is not None:
        return next((p for p in everyone if fold(p.name) == fold(name)), None)
    if email is not None:
        return next((p for p in everyone if p.email and p.email.lower() == email.lower()), None)
    return None


def read_details(ctx: Context, args: Args) -> dict[str, Any]:
    """Role, organisation and email, each checked, all problems reported together."""
    wanted: dict[str, Any] = {}
    errors: dict[str, str] = {}
    messages: list[str] = []
    if (text := args.get("role")) is not None:
        if (role := ROLE_WORDS.get(fold(text))) is not None:
            wanted["role"] = role
        else:
            errors["role"] = "Choose lead, member, chair or coordinator"
            messages.append(say.not_a_role(text=text))
    if (text := args.get("org")) is not None:
        try:
            wanted["organisation"] = find_organisation(ctx, text)
        except UserError as exc:
            errors.update(exc.fields)
            messages.append(exc.message)
    if (text := args.get("email")) is not None:
        address = _MAILTO.sub(lambda m: m[1], text).strip()
        if _EMAIL.fullmatch(address) and len(address) <= 254:
            wanted["email"] = address
        else:
            errors["email"] = "An address such as name@example.gov.uk"
            messages.append(say.not_an_email(text=text))
    if errors:
        raise UserError(" ".join(messages), fields=errors)
    return wanted


def keep_a_coordinator(ctx: Context, person: Person | None, role: Role | None) -> None:
    """Refuse to take the coordinator role from the partnership's only coordinator."""
    if person is None or role is None or role == Role.COORDINATOR:
        return
    if person.role == Role.COORDINATOR and coordinators(ctx) == [person.name]:
        raise UserError(
            say.only_coordinator(name=person.name, partnership=ctx.partnership.name),
            fields={"role": "The only coordinator"},
        )


def apply(person: Person, wanted: dict[str, Any]) -> list[str]:
    """Set the values that differ; return what changed, as people read it."""
    changes = []
    for name, value in wanted.items():
        before = getattr(person, name)
        if before == value:
            continue
        setattr(person, name, value)
        if name == "slack_user_id":
            changes.append("Slack account linked" if before is None else "Slack account changed")
        else:
            changes.append(f"{name}: {_shown(before)} → {_shown(value)}")
    return changes


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, Organisation):
        return value.name
    return str(value.value if isinstance(value, Role) else value)
