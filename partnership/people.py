"""People changed from Slack: their role, their removal, and linking them to a Slack account.

A *removed* person (``removed_at`` set) keeps their row, so every history entry
and past return that names them still does; but their Slack link is dropped
(they can no longer act), the lookups no longer find them (nobody can give them
an action or a group), and the sweeps do not chase them. Their open actions
lose their owner and their groups their lead, each change recorded, and the
coordinator is told which now need a new one. Each change writes a
:class:`~storage.models.PlanChange` entry (:func:`partnership.groups.record`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select

from partnership.context import Context, UserError
from partnership.edits import clear_owner
from partnership.groups import GROUP, PERSON, record
from partnership.lookup import find_person, match_person, rows_of, split_mention
from partnership.messages import group_people as say
from partnership.perms import coordinators
from storage.dates import uk
from storage.models import Action, Person, Role, Status, SubGroup
from storage.words import ROLE_WORDS, fold, nearest

# A Slack member id as a users_select gives it (and as the plan file takes it).
SLACK_ID = re.compile(r"[UW][A-Z0-9]{2,30}")


def is_active(person: Person | None) -> bool:
    """Whether someone is still in the partnership (not removed)."""
    return person is not None and person.removed_at is None


def removed_on(ctx: Context, person: Person) -> str:
    """The UK day someone was removed."""
    assert person.removed_at is not None
    return uk(person.removed_at.astimezone(ctx.zone).date())


def find(ctx: Context, text: str | None, *, field: str = "who") -> Person:
    """Someone still in the plan, by mention or name; a removed person is named as such."""
    if not text or not text.strip():
        raise UserError(say.PERSON_NEEDED, fields={field: "Required"})
    try:
        return find_person(ctx, text, field=field)
    except UserError as exc:
        everyone = rows_of(ctx, Person, Person.name)
        gone = [p for p in everyone if p.removed_at is not None]
        person = match_person(gone, text)
        if person is not None:
            raise UserError(
                say.removed_person(name=person.name, on=removed_on(ctx, person)),
                fields={field: "Removed from the partnership"},
            ) from None
        if "Did you mean" in exc.message:
            raise
        # A near miss of a first name ("@Moe" for Mo Member), which the lookup does not try.
        _, typed = split_mention(text)
        firsts = {fold(p.name).split(" ")[0]: p.name for p in everyone if p.removed_at is None}
        close = nearest(fold(typed), firsts, cutoff=0.6) if typed else None
        if close is None:
            raise
        raise UserError(
            say.not_found_near(message=exc.message, near=say.near(firsts[close])), fields=exc.fields
        ) from None


def read_role(text: str | None) -> Role:
    """A role word (``coordinator``, ``co-ordinator``, ``chair``, ``lead``, ``member``)."""
    role = ROLE_WORDS.get(fold(text or ""))
    if role is None:
        raise UserError(say.not_a_role(typed=text or ""), fields={"role": "Choose a role"})
    return role


def keep_a_coordinator(ctx: Context, person: Person, doing: str) -> None:
    """Refuse to take the partnership's only coordinator away."""
    if person.role == Role.COORDINATOR and coordinators(ctx) == [person.name]:
        raise UserError(
            say.only_coordinator(name=person.name, partnership=ctx.partnership.name, doing=doing),
            fields={"role": "The only coordinator"},
        )


def set_role(ctx: Context, person: Person, role: Role) -> Role | None:
    """Give someone a role; the role they had (None: unchanged). Records it."""
    before = person.role
    if before == role:
        return None
    if role != Role.COORDINATOR:
        keep_a_coordinator(ctx, person, f"make them {role.value}")
    person.role = role
    record(ctx, PERSON, person.id, person.name, {"role": [before.value, role.value]})
    return before


@dataclass(frozen=True)
class Removed:
    """What removing someone left without an owner or a lead."""

    actions: list[tuple[str, str]]  # (ref, title)
    groups: list[str]


def remove(ctx: Context, person: Person) -> Removed:
    """Take someone out of the partnership, keeping their name in the history."""
    if person.removed_at is not None:
        raise UserError(say.already_removed(name=person.name, on=removed_on(ctx, person)))
    keep_a_coordinator(ctx, person, "remove them")
    # No name in the note: notes are never rewritten, and an erasure relabels the changes.
    note = "Its owner left the partnership; it needs a new owner."
    owned = list(
        ctx.session.scalars(
            select(Action)
            .where(
                Action.partnership_id == ctx.partnership.id,
                Action.owner_id == person.id,
                Action.status.in_((Status.NOT_STARTED, Status.IN_PROGRESS)),
            )
            .order_by(Action.position, Action.id)
        )
    )
    listed = [(a.ref, a.title) for a in owned]
    clear_owner(ctx, person, owned, note)
    led = list(
        ctx.session.scalars(
            select(SubGroup)
            .where(
                SubGroup.partnership_id == ctx.partnership.id,
                SubGroup.lead_id == person.id,
                SubGroup.closed_on.is_(None),
            )
            .order_by(SubGroup.name)
        )
    )
    for group in led:
        group.lead = None
        record(ctx, GROUP, group.id, group.name, {"lead": [person.name, None]})
    changes: dict[str, list[object]] = {"removed": [None, ctx.today.isoformat()]}
    if person.slack_user_id:
        changes["slack"] = ["linked", "not linked"]
    person.removed_at = ctx.now.astimezone(dt.UTC)
    person.slack_user_id = None  # they can no longer act; the account may be linked again
    record(ctx, PERSON, person.id, person.name, changes)
    return Removed(listed, [g.name for g in led])


def unlinked(ctx: Context) -> list[Person]:
    """Everyone still in the plan who is not linked to a Slack account, by name."""
    return [
        p for p in rows_of(ctx, Person, Person.name) if p.removed_at is None and not p.slack_user_id
    ]


def by_id(ctx: Context, value: str | None) -> Person:
    """The person a link form was opened for (its metadata), in the asker's partnership."""
    found = None
    if value and value.strip().isdigit():
        found = ctx.session.scalars(
            select(Person).where(
                Person.partnership_id == ctx.partnership.id, Person.id == int(value)
            )
        ).first()
    if found is None or found.removed_at is not None:
        raise UserError(say.link_stale(partnership=ctx.partnership.name))
    return found


def read_slack_id(value: str | None) -> str:
    """The Slack user id a users_select gave (``<@U123>``), or a refusal."""
    slack_id, _ = split_mention(value or "")
    if slack_id is None and value and SLACK_ID.fullmatch(value.strip()):
        slack_id = value.strip()
    if slack_id is None or not SLACK_ID.fullmatch(slack_id):
        raise UserError(say.NOT_A_SLACK_USER, fields={"user": "Pick a person"})
    return slack_id


def link(ctx: Context, person: Person, slack_id: str) -> str | None:
    """Link someone to a Slack account; the previous state ("linked"/None: was not linked).

    Refused when that account is already someone else in this partnership
    (another partnership's person with the same account is theirs, not ours).
    """
    other = ctx.session.scalars(
        select(Person).where(
            Person.partnership_id == ctx.partnership.id,
            Person.slack_user_id == slack_id,
            Person.id != person.id,
        )
    ).first()
    if other is not None:
        raise UserError(
            say.slack_taken(other=other.name, partnership=ctx.partnership.name),
            fields={"user": f"Already linked to {other.name}"},
        )
    before = person.slack_user_id
    if before == slack_id:
        return before
    person.slack_user_id = slack_id
    was = "linked" if before else "not linked"
    record(ctx, PERSON, person.id, person.name, {"slack": [was, "linked"]})
    return before
