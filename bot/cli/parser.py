"""The ``csp-bot`` command line.

Every sub-command prints plain sentences and exits 0 on success, 1 when the input
or data is wrong (with what to do about it) and 2 on a usage error. No traceback
reaches the person at the terminal for a problem they can fix.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import NoReturn

from sqlalchemy.exc import IntegrityError, OperationalError

from bot.cli import start
from bot.cli.common import CliError, out, sessions
from bot.cli.plans import (
    cmd_db_current,
    cmd_db_upgrade,
    cmd_export,
    cmd_import,
    cmd_plan_list,
    cmd_plan_show,
    example_plans,
)
from bot.settings import Settings, SettingsError, load_settings
from storage.db import (
    DatabaseError,
)
from storage.planfile import PlanError
from storage.spreadsheet import SpreadsheetError
from storage.words import nearest

# Commands that take no --demo: the demo itself (it always uses its own database),
# and the servers and the clock, which run a real install.
NO_DEMO_OPTION = ("demo", "serve", "socket", "clock")
# The long-running commands, which log JSON lines (bot/logs.py) to stderr.
LOGGED = ("serve", "socket", "clock", "run-due")


def _bound(func: Callable[..., int]) -> Callable[[Settings, argparse.Namespace], int]:
    """A run command, given the command line's database and output helpers."""

    def run(settings: Settings, args: argparse.Namespace) -> int:
        return func(settings, args, sessions, example_plans(), out)

    run.__doc__ = func.__doc__
    return run


def runners() -> dict[str, Callable[[Settings, argparse.Namespace], int]]:
    """The commands that run the bot, in help order (imported when the parser is built)."""
    from bot.cli import running
    from bot.schedule import clock

    return {
        "demo": _bound(running.cmd_demo),
        "console": _bound(running.cmd_console),
        "serve": running.cmd_serve,
        "socket": running.cmd_socket,
        "run-due": _bound(clock.cmd_run_due),
        "clock": _bound(clock.cmd_clock),
    }


# --------------------------------------------------------------------------- parser


def _version() -> str:
    """The installed package's version (pyproject.toml's)."""
    try:
        return metadata.version("csp-bot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


class Parser(argparse.ArgumentParser):
    """argparse, with errors in every other error's style (``csp-bot: ...``) and the
    nearest command suggested for a mistyped one."""

    def error(self, message: str) -> NoReturn:
        """Print ``csp-bot: <message>`` (with "did you mean") and the usage; exit with 2."""
        typed = re.search(r"invalid choice: '?([^'\s]*)'?", message)
        choices = [
            name
            for action in self._actions
            if isinstance(action, argparse._SubParsersAction)
            for name in action.choices
        ]
        if typed and choices:
            near = nearest(typed[1].lower(), choices, cutoff=0.5)
            if near:
                message = f"{message}; did you mean '{near}'?"
        self.exit(2, f"csp-bot: {message}\n{self.format_usage()}")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with --help on every sub-command."""
    parser = Parser(
        prog="csp-bot",
        description="Run a Community Safety Partnership's action plan: import, show, export.",
    )
    parser.add_argument(
        "--database-url", help="database to use (default: DATABASE_URL, else ./csp-bot.db)"
    )
    parser.add_argument(
        "--version", action="version", version=f"csp-bot {_version()}", help="show the version"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(
        name: str,
        func: Callable[[Settings, argparse.Namespace], int],
        parent: argparse._SubParsersAction[Parser] = sub,
    ) -> argparse.ArgumentParser:
        doc = (func.__doc__ or "").strip()
        p = parent.add_parser(name, help=doc, description=doc)
        p.set_defaults(func=func)
        if name not in NO_DEMO_OPTION:
            p.add_argument(
                "--demo",
                action="store_true",
                help="use the demo's own database (csp-bot-demo.db) instead of DATABASE_URL",
            )
        return p

    db = sub.add_parser(
        "db", help="Database schema: upgrade, current.", description="Database schema."
    )
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    add("upgrade", cmd_db_upgrade, db_sub)
    add("current", cmd_db_current, db_sub)

    imp = add("import", cmd_import)
    imp.add_argument("file", help="a plan file (.yaml) or an action table (.csv, .xlsx)")
    imp.add_argument("--partnership", help="which partnership (slug or name) a table is for")
    imp.add_argument(
        "--create",
        action="store_true",
        help="with a table: start a new partnership called --partnership",
    )
    imp.add_argument("--sheet", help="which worksheet of an .xlsx file to read")
    imp.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="import the readable rows even when some rows cannot be read",
    )
    imp.add_argument(
        "--dry-run", action="store_true", help="report what would change; write nothing"
    )
    imp.add_argument(
        "--prefer-file",
        action="store_true",
        help="where the file and the bot both changed a value since this file was last "
        "imported, take the file's (the bot's is kept otherwise)",
    )
    imp.add_argument("-v", "--verbose", action="store_true", help="list every change")
    start.add_arguments(imp)

    exp = add("export", cmd_export)
    exp.add_argument("--partnership", help="which partnership (slug or name)")
    exp.add_argument(
        "--format",
        choices=["csv", "xlsx", "both"],
        help="csv, xlsx or both (default: what -o's extension says, else both)",
    )
    exp.add_argument(
        "-o",
        "--output",
        help="file to write: NAME.csv or NAME.xlsx for one, NAME for both "
        "(default: SLUG-action-plan.csv and .xlsx)",
    )

    plan = sub.add_parser(
        "plan",
        help="What a partnership holds: list, show.",
        description="What a partnership holds.",
    )
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    add("list", cmd_plan_list, plan_sub)
    show = add("show", cmd_plan_show, plan_sub)
    show.add_argument("--partnership", help="which partnership (slug or name)")

    from bot.cli import digest as cli_digest
    from bot.cli import person as cli_person
    from bot.cli import running
    from bot.schedule import clock

    cli_digest.add_arguments(add("digest", cli_digest.cmd_digest))
    person = sub.add_parser("person", help=cli_person.HELP, description=cli_person.HELP)
    person_sub = person.add_subparsers(dest="person_command", metavar="ACTION", required=True)
    cli_person.add_arguments(
        add("export", cli_person.cmd_person_export, person_sub),
        add("erase", cli_person.cmd_person_erase, person_sub),
    )

    run_parsers = {name: add(name, func) for name, func in runners().items()}
    running.add_arguments(run_parsers)
    clock.add_arguments(run_parsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``csp-bot`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run(parser, args)
    except BrokenPipeError:
        # `csp-bot plan show | head`: the reader left. Point stdout at nothing so
        # the interpreter's final flush cannot raise again, and end quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command in LOGGED:
        from bot import logs

        logs.setup(os.environ.get("LOG_LEVEL", "INFO"))
    if getattr(args, "demo", False):
        if args.database_url:
            parser.error("--demo and --database-url name different databases; give one of them")
        from bot.cli.running import DEMO_DATABASE

        args.database_url = f"sqlite:///{DEMO_DATABASE}"
    try:
        overrides = {"database_url": args.database_url} if args.database_url else {}
        settings = load_settings(**overrides)
        status: int = args.func(settings, args)
        return status
    except (SettingsError, CliError, DatabaseError) as exc:
        print(f"csp-bot: {exc}", file=sys.stderr)
        return 1
    except PlanError as exc:
        print(f"csp-bot: {exc}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        # Connection refused, missing file permissions...: one line, no traceback.
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(f"csp-bot: cannot use the database: {reason}", file=sys.stderr)
        return 1
    except SpreadsheetError as exc:
        print(f"csp-bot: {exc}", file=sys.stderr)
        return 1
    except IntegrityError as exc:
        # Validation should have caught it; say so plainly rather than dump SQL.
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "a uniqueness rule"
        print(
            f"csp-bot: nothing was written: this conflicts with what the bot holds "
            f"({reason}). Please report it with the file you imported.",
            file=sys.stderr,
        )
        return 1
