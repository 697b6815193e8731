"""``/csp person add``: add someone to the plan, or link them to their Slack account."""

from __future__ import annotations

import re
from typing import Any

from commands.args import split_mention
from commands.core import Context, Reply, Result, UserError
from commands.edits import read_text
from commands.lookup import by_name, people, rows_of
from commands.perms import coordinators
from commands.registry import Args, command
from storage.models import Organisation, Person, Role
from storage.planfile import ROLE_WORDS, fold

_EMAIL = re.compile(r"[^@\s<>|]+@[^@\s<>|]+\.[^@\s<>|]+")
# Slack sends a typed address as <mailto:kath@example.org|kath@example.org>.
_MAILTO = re.compile(r"<mailto:([^|>]*)(?:\|[^>]*)?>")
USAGE = '`/csp person add @kath name:"Kath Rees" role:lead org:"Riverside Police"`'


@command(
    "person add",
    usage='<@user|"Full Name"> [name:"Full Name"] [role:lead|member|chair|coordinator] '
    "[org:<organisation>] [email:<address>]",
    examples=(
        '/csp person add @kath name:"Kath Rees" role:lead org:"Riverside Police"',
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

    Mention them (`@kath`) to link their Slack account; give `name:` with
    their full name as the plan writes it. Someone already in the plan (by
    name, or by Slack account) is updated rather than added twice.
    """
    slack_id, name = read_who(args)
    everyone = people(ctx)
    linked = next((p for p in everyone if slack_id and p.slack_user_id == slack_id), None)
    if linked is not None and name is not None and fold(linked.name) != fold(name):
        raise UserError(
            f"That Slack account is already linked to {linked.name} in {ctx.partnership.name}. "
            "One Slack account is one person: check whom you mentioned.",
            fields={"user": f"Already linked to {linked.name}"},
        )
    person = linked or next((p for p in everyone if name and fold(p.name) == fold(name)), None)
    if person is None and name is None:
        raise UserError(
            f"That Slack account is not linked to anyone yet; give their full name: {USAGE}",
            fields={"name": "Required"},
        )
    wanted = read_details(ctx, args)
    keep_a_coordinator(ctx, person, wanted.get("role"))
    created = person is None
    if person is None:
        assert name is not None
        person = Person(partnership_id=ctx.partnership.id, name=name, role=Role.MEMBER)
        ctx.session.add(person)
    changes = apply(person, {**wanted, **({"slack_user_id": slack_id} if slack_id else {})})
    return Reply(
        "person",
        {
            "name": person.name,
            "created": created,
            "role": person.role.value,
            "organisation": person.organisation.name if person.organisation else "",
            "email": person.email or "",
            "slack": person.slack_user_id,
            "changes": [] if created else changes,
            "partnership": ctx.partnership.name,
        },
        text=f"{person.name} {'added' if created else 'updated'}",
    )


def read_who(args: Args) -> tuple[str | None, str | None]:
    """(Slack user id, full name) from the mention, the free text and ``name:``."""
    slack_id, mention_name = split_mention(args.get("user") or "")
    words = args.get("who") or ""
    if slack_id is None and mention_name:
        words = f"{mention_name} {words}"  # a typed "@Kath Rees" names, it doesn't link
    elif words.startswith("<@"):
        raise UserError(f"Mention one person at a time: {USAGE}", fields={"user": "One person"})
    name = read_text(args.get("name") or words or None, "name", limit=200)
    if name is not None and re.search(r"[<>@|]", name):
        raise UserError(
            f"`{name[:60]}` is not a name; write it as the plan does, in quotes: {USAGE}",
            fields={"name": "A person's full name"},
        )
    if slack_id is None and name is None:
        raise UserError(f"Who? Mention them or give their name: {USAGE}", fields={"user": "Who"})
    return slack_id, name


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
            messages.append(
                f"`{text[:30]}` is not a role; use `role:lead`, `role:member`, "
                "`role:chair` or `role:coordinator`."
            )
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
            messages.append(
                f"`{text[:60]}` is not an email address; write `email:name@example.gov.uk`."
            )
    if errors:
        raise UserError(" ".join(messages), fields=errors)
    return wanted


def keep_a_coordinator(ctx: Context, person: Person | None, role: Role | None) -> None:
    """Refuse to take the coordinator role from the partnership's only coordinator."""
    if person is None or role is None or role == Role.COORDINATOR:
        return
    if person.role == Role.COORDINATOR and coordinators(ctx) == [person.name]:
        raise UserError(
            f"{person.name} is {ctx.partnership.name}'s only coordinator. Make someone else "
            "a coordinator first (`role:coordinator`), then change this role.",
            fields={"role": "The only coordinator"},
        )


def find_organisation(ctx: Context, text: str) -> Organisation:
    """A partner organisation by name (or a unique part of it), or a UserError listing them."""
    rows = rows_of(ctx, Organisation, Organisation.name)
    found = by_name(rows, text)
    if found is not None:
        return found
    names = ", ".join(f"`{o.name}`" for o in rows) or "none yet"
    raise UserError(
        f"There is no organisation `{text[:60]}` in {ctx.partnership.name}. Its organisations: "
        f'{names}. Quote a name with spaces: `org:"Riverside Police"`; new partners are '
        "added through the plan file.",
        fields={"org": "Not an organisation in this plan"},
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
