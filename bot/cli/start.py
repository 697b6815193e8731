"""A partnership started from a spreadsheet gets a first coordinator, or is told how to.

An action table names owners but no coordinator, and without one nobody can run
the partnership from Slack (chase, add people, change any action): Slack's
``/csp person add`` itself needs a coordinator. So ``csp-bot import TABLE``
takes ``--coordinator "Full Name"`` (with ``--coordinator-email`` and
``--coordinator-slack U…``), made a person of the plan with the coordinator
role, and when the partnership still has no coordinator (or theirs is not on
Slack) the import ends by printing the exact command to run next. Registered
by ``bot/cli/`` with :func:`add_arguments`; the import calls
:func:`coordinator` and :func:`next_steps`.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Partnership, Person, Role
from storage.planfile import PersonIn

MEMBER_ID = "in Slack: their profile > More > Copy member ID"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The import's coordinator options."""
    parser.add_argument(
        "--coordinator",
        metavar="NAME",
        help="with a table: make this person (full name) the partnership's coordinator",
    )
    parser.add_argument(
        "--coordinator-email", metavar="ADDRESS", help="the coordinator's email address"
    )
    parser.add_argument(
        "--coordinator-slack",
        metavar="U…",
        help=f"the coordinator's Slack member id ({MEMBER_ID})",
    )


def coordinator(args: argparse.Namespace) -> PersonIn | None:
    """The person ``--coordinator`` names, checked; None when not given.

    Raises ValueError (the caller's CliError) saying what to fix.
    """
    name = (args.coordinator or "").strip()
    if not name:
        if args.coordinator_email or args.coordinator_slack:
            raise ValueError(
                '--coordinator-email and --coordinator-slack need --coordinator "Full Name" too.'
            )
        return None
    slack = (args.coordinator_slack or "").strip().removeprefix("<@").removesuffix(">")
    given = {
        "email": (args.coordinator_email or "").strip(),
        "slack": slack.partition("|")[0],
    }
    try:
        return PersonIn(
            name=name,
            role=Role.COORDINATOR,
            **{key: value for key, value in given.items() if value},
        )
    except ValidationError as exc:
        where = {"email": "--coordinator-email", "slack": "--coordinator-slack"}
        shown = {
            "email": "is not an email address; write it as name@example.gov.uk",
            "slack": f"is not a Slack member id such as U0123ABCD ({MEMBER_ID})",
        }
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "name"
            value = getattr(args, f"coordinator_{field}", None) or name
            problems.append(
                f"{where.get(field, '--coordinator')} {value!r} "
                f"{shown.get(field, 'is not a name: ' + error['msg'])}"
            )
        raise ValueError("; ".join(problems) + ".") from None


def next_steps(
    session: Session, partnership: Partnership, path: Path, args: argparse.Namespace
) -> str:
    """What to do after importing a table: name a coordinator, link them, or start in Slack."""
    coordinators = list(
        session.scalars(
            select(Person)
            .where(Person.partnership_id == partnership.id, Person.role == Role.COORDINATOR)
            .order_by(Person.name)
        )
    )
    again = ["csp-bot", "import", str(path), "--partnership", partnership.slug]
    if args.sheet:
        again += ["--sheet", args.sheet]
    if args.skip_bad_rows:
        again.append("--skip-bad-rows")
    run = "Run, with the same --database-url:" if args.database_url else "Run:"
    if not coordinators:
        command = shlex.join([*again, "--coordinator", "Full Name"])
        return (
            f"Next: {partnership.name} has no coordinator yet, so nobody can run it from "
            "Slack (chase, add people, change any action). Name one, with their Slack "
            f"member id if they are on Slack ({MEMBER_ID}); importing the same table again "
            f"changes nothing else. {run}\n"
            f"  {command} --coordinator-slack U0123ABCD"
        )
    on_slack = [p for p in coordinators if p.slack_user_id]
    if not on_slack:
        first = coordinators[0]
        command = shlex.join([*again, "--coordinator", first.name])
        return (
            f"Next: {first.name} coordinates {partnership.name} but is not linked to Slack "
            f"yet. Give their Slack member id ({MEMBER_ID}). {run}\n"
            f"  {command} --coordinator-slack U0123ABCD"
        )
    if not args.create:
        return ""
    return (
        f"Next: in Slack, {on_slack[0].name} checks `/csp whoami` and adds everyone else: "
        '`/csp person add @name name:"Full Name" role:lead`.'
    )
