"""Finding what a command names — an action, a person, a priority, a group, a measure.

Every query here is scoped to the asker's partnership: a ref, a name or a
Slack id from another partnership is simply "not found", never a leak. Each
"not found" message says what to type instead.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, TypeVar

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from partnership.context import Context, UserError
from partnership.messages import actions, plan
from partnership.messages import group_people as say_groups
from partnership.messages import people as say_people
from storage.dates import uk
from storage.models import (
    Action,
    Channel,
    Measure,
    Organisation,
    Person,
    Priority,
    Role,
    SubGroup,
)
from storage.words import fold

# A reference as a plan file or an action table may hold one (storage.planfile).
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9./\-]{0,31}")
_REF_PARTS = re.compile(r"[A-Z]+|[0-9]+|[^A-Z0-9]+")


def ref_key(text: str) -> str:
    """What two spellings of one reference share: ``a17``, ``A-17``, ``A-017`` -> ``A17``.

    Case, a leading ``#``, a trailing dot (``1.``), leading zeros (``ASB-04`` is
    ``ASB-4``) and a separator between letters and digits (``A-17``/``A17``,
    ``2.3a``/``2.3-a``) do not matter; a separator between two numbers does
    (``1.1`` is not ``11``, nor ``1.10``).
    """
    parts = _REF_PARTS.findall(text.strip().upper().removeprefix("#").rstrip("."))
    out = []
    for i, part in enumerate(parts):
        if part.isdigit():
            out.append(part.lstrip("0") or "0")
        elif part.isalpha():
            out.append(part)
        elif 0 < i < len(parts) - 1 and parts[i - 1].isdigit() == parts[i + 1].isdigit():
            out.append(part)  # between two numbers (or two words): 1.1, 1-1
    return "".join(out)


Row = TypeVar("Row", Priority, SubGroup, Measure, Organisation, Person)


def rows_of(ctx: Context, model: type[Row], order: Any) -> list[Row]:
    """Every row of ``model`` in the asker's partnership, in ``order``: one query."""
    query = select(model).where(model.partnership_id == ctx.partnership.id).order_by(order)
    return list(ctx.session.scalars(query))


# Every command that finds an action shows its line (owner, priority, group,
# organisation): one joined query rather than a lazy load for each. Built once
# with bound parameters, as most commands start with it.
_ACTION_ROW = select(Action).options(
    joinedload(Action.owner),
    joinedload(Action.priority),
    joinedload(Action.subgroup),
    joinedload(Action.lead_organisation),
)
_ACTION = _ACTION_ROW.where(
    Action.partnership_id == bindparam("partnership"),
    func.upper(Action.ref) == bindparam("ref"),
)
_ACTION_BY_ID = _ACTION_ROW.where(Action.id == bindparam("id"))
_HISTORY = selectinload(Action.updates)
# (by ref, by id), without and with the action's history.
_QUERIES = {
    False: (_ACTION, _ACTION_BY_ID),
    True: (_ACTION.options(_HISTORY), _ACTION_BY_ID.options(_HISTORY)),
}


def find_action(ctx: Context, ref: str | None, *, history: bool = False) -> Action:
    """The action with this ref in the asker's partnership, or a UserError.

    The ref is matched as typed (any case) first, the one query of the common
    case, and then by :func:`ref_key`, so ``a17``, ``1.`` and ``ASB-4`` find
    ``A-17``, ``1`` and ``ASB-04``.
    """
    if ref is None or not ref.strip():
        raise UserError(
            actions.WHICH_ACTION,
            fields={"ref": "Required"},
        )
    typed = ref.strip()
    if not _REF.fullmatch(typed.removeprefix("#").rstrip(".")):
        raise UserError(
            actions.not_a_reference(typed=typed),
            fields={"ref": "Write a reference such as A-17"},
        )
    params = {"partnership": ctx.partnership.id, "ref": typed.upper()}
    action = ctx.session.scalars(_QUERIES[history][0], params).first()
    return action if action is not None else _by_key(ctx, typed, history=history)


def _by_key(ctx: Context, typed: str, *, history: bool) -> Action:
    """The action whose ref is another spelling of ``typed``, or a UserError saying so."""
    rows = ctx.session.execute(
        select(Action.id, Action.ref)
        .where(Action.partnership_id == ctx.partnership.id)
        .order_by(Action.id)
    ).all()
    key = ref_key(typed)
    hits = [(id_, ref) for id_, ref in rows if ref_key(ref) == key]
    if len(hits) == 1:
        return ctx.session.scalars(_QUERIES[history][1], {"id": hits[0][0]}).one()
    if hits:
        which = " or ".join(f"`{ref}`" for _, ref in sorted(hits, key=lambda h: h[1]))
        raise UserError(
            actions.ambiguous_reference(typed=typed, which=which, partnership=ctx.partnership.name),
            fields={"ref": "Type the reference exactly"},
        )
    shown = ", ".join(f"`{ref}`" for _, ref in rows[:3])
    like = actions.references_look_like(shown=shown) if rows else ""
    raise UserError(
        actions.no_such_action(typed=typed, partnership=ctx.partnership.name, like=like),
        fields={"ref": f"No action {typed[:40]}"},
    )


def people(ctx: Context) -> list[Person]:
    """Everyone in the asker's partnership, by name (not those removed from it)."""
    return [p for p in rows_of(ctx, Person, Person.name) if p.removed_at is None]


def _name_keys(person: Person) -> set[str]:
    name = fold(person.name)
    keys = {name, name.replace(" ", ""), name.replace(" ", "."), name.replace(" ", "_")}
    if person.email:
        keys.add(fold(person.email.split("@")[0]))
    return keys


def match_person(candidates: list[Person], text: str) -> Person | None:
    """The one person ``text`` names (mention, full name, first name, email), or None."""
    slack_id, name = split_mention(text)
    if slack_id is not None:
        hits = [p for p in candidates if p.slack_user_id == slack_id]
        if hits:
            return hits[0]
    if not name:
        return None
    key = fold(name)
    exact = [p for p in candidates if key in _name_keys(p)]
    if len(exact) == 1:
        return exact[0]
    first = [p for p in candidates if fold(p.name).split(" ")[0] == key]
    if len(first) == 1:
        return first[0]
    return None


def find_person(ctx: Context, text: str, *, field: str = "owner") -> Person:
    """The person ``text`` names in the asker's partnership, or a UserError."""
    everyone = people(ctx)
    person = match_person(everyone, text)
    if person is not None:
        return person
    slack_id, name = split_mention(text)
    shown = name or text
    near = difflib.get_close_matches(fold(shown), [fold(p.name) for p in everyone], n=1)
    hint = say_people.did_you_mean(
        name=next(p.name for p in everyone if fold(p.name) == near[0]) if near else None
    )
    who = say_people.SLACK_USER_IS if slack_id and not name else say_people.named_is(shown=shown)
    raise UserError(
        say_people.not_in_plan(who=who, partnership=ctx.partnership.name, hint=hint),
        fields={field: "Not a person in this plan"},
    )


def find_priority(ctx: Context, text: str) -> Priority:
    """A priority by code (``P2``, ``2``) or title, or a UserError listing the codes."""
    rows = rows_of(ctx, Priority, Priority.position)
    key = fold(text)
    for p in rows:
        if (
            fold(p.code) == key
            or fold(p.code).lstrip("p") == key.lstrip("p")
            or fold(p.title) == key
        ):
            return p
    starts = [p for p in rows if fold(p.title).startswith(key)] if len(key) >= 3 else []
    if len(starts) == 1:
        return starts[0]
    codes = ", ".join(f"`{p.code}`" for p in rows) or "none yet"
    raise UserError(
        plan.no_priority(text=text, partnership=ctx.partnership.name, codes=codes),
        fields={"priority": "Not a priority in this plan"},
    )


Named = TypeVar("Named", SubGroup, Organisation)


def by_name(rows: list[Named], text: str) -> Named | None:
    """The row whose name is ``text`` (any case), else the only one containing it."""
    key = fold(text)
    exact = [r for r in rows if fold(r.name) == key]
    if exact:
        return exact[0]
    partial = [r for r in rows if key and key in fold(r.name)]
    return partial[0] if len(partial) == 1 else None


def find_group(ctx: Context, text: str) -> SubGroup:
    """A sub-group by name (or the start of it), or a UserError listing the groups."""
    rows = rows_of(ctx, SubGroup, SubGroup.name)
    found = by_name(rows, text)
    if found is not None:
        return found
    names = ", ".join(f"`{g.name}`" for g in rows) or "none"
    raise UserError(
        plan.no_group(text=text, partnership=ctx.partnership.name, names=names),
        fields={"group": "Not a sub-group in this plan"},
    )


def find_open_group(ctx: Context, text: str, *, what: str) -> SubGroup:
    """A sub-group by name as :func:`find_group`, refused if closed (``what``: a meeting …)."""
    found = find_group(ctx, text)
    if found.closed_on is not None:
        raise UserError(
            say_groups.closed_for(name=found.name, on=uk(found.closed_on), what=what),
            fields={"group": "Closed"},
        )
    return found


def is_group(ctx: Context, text: str) -> bool:
    """Whether ``text`` names exactly one sub-group (used to read multi-word names)."""
    try:
        find_group(ctx, text)
    except UserError:
        return False
    return True


def find_measure(ctx: Context, text: str) -> Measure:
    """A measure by ref (``M-3``) or name (or a unique part of it), or a UserError."""
    rows = rows_of(ctx, Measure, Measure.position)
    key = fold(text)
    for m in rows:
        if (m.ref and fold(m.ref) == key) or fold(m.name) == key:
            return m
    partial = [m for m in rows if key and key in fold(m.name)]
    if len(partial) == 1:
        return partial[0]
    listed = ", ".join(f"`{m.ref or m.name}`" for m in rows[:10]) or "none"
    raise UserError(
        plan.no_measure(
            text=text,
            several=bool(partial),
            partnership=ctx.partnership.name,
            listed=listed,
            more=max(len(rows) - 10, 0),
        ),
        fields={"measure": "Not a measure in this plan"},
    )


# The channel purpose that receives the pre-meeting digest (plan file: slack.channels.board).
BOARD = "board"


def board_channel_id(ctx: Context) -> str | None:
    """The Slack id of the partnership's board channel, if it has one."""
    return ctx.session.scalar(
        select(Channel.slack_channel_id).where(
            Channel.partnership_id == ctx.partnership.id, Channel.purpose == BOARD
        )
    )


def people_with_role(ctx: Context, role: Role) -> list[Person]:
    """Everyone in the partnership with a role, by name (on Slack or not)."""
    return list(
        ctx.session.scalars(
            select(Person)
            .where(
                Person.partnership_id == ctx.partnership.id,
                Person.role == role,
                Person.removed_at.is_(None),
            )
            .order_by(Person.name)
        )
    )


_SLACK_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")


def split_mention(text: str) -> tuple[str | None, str]:
    """(Slack user id or None, name) from ``<@U1|kath>``, ``<@U1>`` or ``@Kath Rees``."""
    text = text.strip()
    if m := _SLACK_MENTION.fullmatch(text):
        return m[1], (m[2] or "")
    return None, text.removeprefix("@").strip()


def find_organisation(ctx: Context, text: str) -> Organisation:
    """A partner organisation by name (or a unique part of it), or a UserError listing them."""
    rows = rows_of(ctx, Organisation, Organisation.name)
    found = by_name(rows, text)
    if found is not None:
        return found
    names = ", ".join(f"`{o.name}`" for o in rows) or "none yet"
    raise UserError(
        plan.no_organisation(text=text, partnership=ctx.partnership.name, names=names),
        fields={"org": "Not an organisation in this plan"},
    )
