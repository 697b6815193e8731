"""``csp-bot person export|erase``: one person's data, for a subject access or erasure request.

The work is in :mod:`storage.people`; this module is the command line around it.
Registered in ``bot/cli/`` with :func:`add_arguments`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from bot.cli.common import CliError, pick_partnership, sessions
from bot.settings import Settings
from storage.people import erase_person, export_person, find_exact
from storage.words import plural

HELP = "One person's data, for subject access and erasure requests: export, erase."


def cmd_person_export(settings: Settings, args: argparse.Namespace) -> int:
    """Write everything the bot holds about one person as JSON (a subject access request)."""

    factory = sessions(settings)
    with factory() as session:
        partnership = pick_partnership(session, args.partnership)
        person = find_exact(session, partnership, args.person)
        if person is None:
            raise CliError(_not_found(args.person, partnership.slug))
        text = json.dumps(export_person(session, person), indent=2, ensure_ascii=False) + "\n"
    if not args.output:
        sys.stdout.write(text)
        return 0
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"Wrote what the bot holds about {args.person} ({partnership.slug}) to {args.output}.")
    return 0


def cmd_person_erase(settings: Settings, args: argparse.Namespace) -> int:
    """Erase what identifies one person; what they wrote stays, as "Former member N"."""

    factory = sessions(settings)
    with factory() as session, session.begin():
        partnership = pick_partnership(session, args.partnership)
        person = find_exact(session, partnership, args.person)
        if person is None:
            raise CliError(_not_found(args.person, partnership.slug))
        if not args.yes:
            raise CliError(
                f"This erases {person.name}'s name, email, Slack id and organisation from "
                f"{partnership.slug} and cannot be undone (export first: csp-bot person export). "
                "Run again with --yes to erase."
            )
        done = erase_person(session, person, dt.datetime.now(dt.UTC))
    print(
        f"Erased {done.name} from {partnership.slug}: now {done.new_name!r}; "
        f"{plural(done.actions_unassigned, 'action')} left without an owner, "
        f"{plural(done.groups_unled, 'sub-group')} without a lead, "
        f"{plural(done.history_relabelled, 'history entry')} relabelled, "
        f"{plural(done.messages_dropped, 'sent message')} dropped."
    )
    if done.mentions_kept:
        print(
            f"{plural(done.mentions_kept, 'note')} in action histories "
            f"{'mentions' if done.mentions_kept == 1 else 'mention'} them and "
            f"{'is' if done.mentions_kept == 1 else 'are'} kept "
            "(history is append-only); `csp-bot person export` lists them under mentioned_in."
        )
    print("Take them out of the plan file or spreadsheet too, or the next import adds them back.")
    return 0


def _not_found(key: str, slug: str) -> str:
    return (
        f"Nobody in {slug} has the full name, email or Slack id {key!r}; "
        "give it as the plan file or spreadsheet has it."
    )


def add_arguments(export: argparse.ArgumentParser, erase: argparse.ArgumentParser) -> None:
    """The options of ``person export`` and ``person erase``."""
    for parser in (export, erase):
        parser.add_argument("person", help="their full name, email or Slack id, exactly")
        parser.add_argument("--partnership", help="which partnership (slug or name)")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    erase.add_argument("--yes", action="store_true", help="really erase (it cannot be undone)")
