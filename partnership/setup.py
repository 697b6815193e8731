"""Setting a partnership up from Slack: who may, the form's choices, creating it.

A workspace's partnerships are those whose Slack team is the workspace, and in
a single-workspace install those with no team too (as :mod:`bot.slack.identity`
reads them); with many workspaces (OAuth) a partnership with no team is no
workspace's, so it is never listed to, or named as a county board by, another.
Anyone with one of the :class:`Grounds` may set up another; the one who
does becomes its first coordinator. :func:`create` checks every value of the
form first and writes nothing unless all are right, so a refusal lists each
wrong field on its own input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from partnership.context import Refused, Reply, UserError
from partnership.messages import setup as say
from storage import channels
from storage.models import Partnership, Person, Role

NATIONS = (("England", "ENG"), ("Wales", "WLS"))
DEFAULT_BOARD = "Leadership Group"
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
CHANNEL = re.compile(r"[CG][A-Z0-9]{2,30}")
MAIN, BOARD = "main", "board"
# The form's fields (its input blocks' ids), in the order the form shows them.
FIELDS = (
    "name",
    "slug",
    "nation",
    "leadership_group",
    "main_channel",
    "board_channel",
    "county",
    "your_name",
)
LIMITS = {"name": 200, "leadership_group": 200, "your_name": 200}
LABELS = {
    "name": "The name",
    "leadership_group": "The Leadership Group's name",
    "your_name": "Your name",
}


@dataclass(frozen=True)
class Grounds:
    """Why someone may set up a partnership in a workspace; any one is enough."""

    installer: bool = False
    admin: bool = False
    named: bool = False
    code: bool = False
    coordinator: bool = False

    @property
    def may(self) -> bool:
        """Whether any ground holds."""
        return self.installer or self.admin or self.named or self.code or self.coordinator


def require_may(grounds: Grounds) -> None:
    """Refuse, saying who may, unless ``grounds`` allow setting up."""
    if not grounds.may:
        raise Refused(say.refused())


@dataclass(frozen=True)
class Workspace:
    """A Slack workspace, and whether partnerships with no team count as its own."""

    team: str | None
    # True in a single-workspace (token mode) install, where a plan with no team is
    # this workspace's; False with many workspaces (OAuth), where it is nobody's.
    unassigned: bool = True


def _here(where: Workspace) -> ColumnElement[bool]:
    """The partnerships a workspace holds."""
    if where.team is None:
        return Partnership.slack_team_id.is_(None)
    if not where.unassigned:
        return Partnership.slack_team_id == where.team
    return or_(Partnership.slack_team_id.is_(None), Partnership.slack_team_id == where.team)


def workspace_partnerships(session: Session, where: Workspace) -> list[Partnership]:
    """The partnerships this workspace holds, by name."""
    return list(session.scalars(select(Partnership).where(_here(where)).order_by(Partnership.name)))


def coordinates_here(session: Session, where: Workspace, user: str) -> bool:
    """Whether this Slack user coordinates a partnership this workspace holds."""
    found = session.scalar(
        select(Person.id)
        .join(Partnership, Partnership.id == Person.partnership_id)
        .where(Person.slack_user_id == user, Person.role == Role.COORDINATOR, _here(where))
        .limit(1)
    )
    return found is not None


def choices(session: Session, where: Workspace) -> dict[str, list[tuple[str, str]]]:
    """The form's select options: nations, and the county boards it may name."""
    boards = [(f"{p.name} ({p.slug})", p.slug) for p in workspace_partnerships(session, where)]
    return {"nation": list(NATIONS), "county": boards[:100]}


def initial_values() -> dict[str, str]:
    """What the form starts with."""
    return {"nation": "ENG", "leadership_group": DEFAULT_BOARD}


def welcome(
    session: Session, where: Workspace, *, may: bool, home: bool, unknown: bool = False
) -> Reply:
    """What someone in no partnership here sees: what the bot is, and how to start."""
    held = workspace_partnerships(session, where)
    coordinators: dict[int, list[Person]] = {}
    if held:
        for person in session.scalars(
            select(Person)
            .where(
                Person.partnership_id.in_([p.id for p in held]),
                Person.role == Role.COORDINATOR,
            )
            .order_by(Person.name)
        ):
            coordinators.setdefault(person.partnership_id, []).append(person)
    data = {
        "home": home,
        "may": may,
        "unknown": unknown,
        "who_may": say.WHO_MAY,
        "partnerships": [
            {
                "name": p.name,
                "slug": p.slug,
                "coordinators": [
                    {"name": c.name, "user": c.slack_user_id or ""}
                    for c in coordinators.get(p.id, [])
                ],
            }
            for p in held[:20]
        ],
        "more": max(0, len(held) - 20),
    }
    return Reply("welcome", data, text=say.WELCOME_TEXT)


def _text(values: Mapping[str, str], name: str) -> str:
    """A value with its spaces tidied and any NUL dropped (PostgreSQL stores none)."""
    return " ".join((values.get(name) or "").replace("\x00", "").split())


def check(session: Session, where: Workspace, values: Mapping[str, str]) -> dict[str, str]:
    """The form's values as they will be saved; a UserError naming each wrong field."""
    errors: dict[str, str] = {}
    clean = {name: _text(values, name) for name in FIELDS}
    clean["slug"] = clean["slug"].lower()
    for name, missing in (
        ("name", say.NAME_MISSING),
        ("leadership_group", say.BOARD_NAME_MISSING),
        ("your_name", say.YOUR_NAME_MISSING),
    ):
        if not clean[name]:
            errors[name] = missing
        elif len(clean[name]) > LIMITS[name]:
            errors[name] = say.too_long(label=LABELS[name], limit=LIMITS[name])
    slug = clean["slug"]
    if not slug:
        errors["slug"] = say.SLUG_MISSING
    elif not SLUG.fullmatch(slug):
        errors["slug"] = say.SLUG_BAD
    elif session.scalar(select(Partnership.id).where(Partnership.slug == slug)) is not None:
        errors["slug"] = say.slug_taken(slug=slug)
    if clean["nation"] not in dict((v, k) for k, v in NATIONS):
        errors["nation"] = say.NATION_BAD
    for name, required in (("main_channel", True), ("board_channel", False)):
        channel = clean[name]
        if not channel:
            if required:
                errors[name] = say.MAIN_MISSING
        elif not CHANNEL.fullmatch(channel):
            errors[name] = say.CHANNEL_BAD
        elif channels.owner_of(session, channel) is not None:
            # A brand-new partnership owns nothing yet: any owner is another partnership.
            errors[name] = say.channel_taken()
    county = clean["county"]
    if county and county not in {p.slug for p in workspace_partnerships(session, where)}:
        errors["county"] = say.COUNTY_BAD
    if errors:
        raise UserError(say.FIX_FIELDS, fields=errors)
    return clean


def create(session: Session, where: Workspace, user: str, values: Mapping[str, str]) -> Partnership:
    """Create the partnership the form describes, with its channels and first coordinator.

    Checks everything first (:func:`check`), so on any error nothing is written.
    """
    clean = check(session, where, values)
    parent = None
    if clean["county"]:
        parent = session.scalar(select(Partnership).where(Partnership.slug == clean["county"]))
    partnership = Partnership(
        slug=clean["slug"],
        name=clean["name"],
        nation=clean["nation"],
        leadership_group=clean["leadership_group"],
        slack_team_id=where.team,
        parent=parent,
    )
    session.add(partnership)
    session.flush()
    channels.assign(session, partnership, MAIN, clean["main_channel"])
    if clean["board_channel"]:
        channels.assign(session, partnership, BOARD, clean["board_channel"])
    session.add(
        Person(
            partnership_id=partnership.id,
            name=clean["your_name"],
            role=Role.COORDINATOR,
            slack_user_id=user,
        )
    )
    session.flush()
    return partnership


def done(partnership: Partnership) -> Reply:
    """The confirmation once a partnership is set up: what next."""
    board = next((c.slack_channel_id for c in partnership.channels if c.purpose == BOARD), "")
    main = next((c.slack_channel_id for c in partnership.channels if c.purpose == MAIN), "")
    data = {
        "name": partnership.name,
        "slug": partnership.slug,
        "main": main,
        "board": board if board != main else "",
        "leadership_group": partnership.leadership_group or DEFAULT_BOARD,
        "county": partnership.parent.name if partnership.parent else "",
    }
    return Reply("setup_done", data, text=say.set_up(name=partnership.name, slug=partnership.slug))
