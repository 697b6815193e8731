"""The ``csp-bot`` command line.

Every sub-command prints plain sentences and exits 0 on success, 1 when the input
or data is wrong (with what to do about it) and 2 on a usage error. No traceback
reaches the person at the terminal for a problem they can fix.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from collections.abc import Callable, Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot import cli_start
from bot.render import render
from bot.settings import Settings, SettingsError, load_settings
from commands.plan import plan_overview
from storage.dates import UK_FY, FinancialYear
from storage.db import (
    DatabaseError,
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
    session_factory,
    upgrade,
)
from storage.export import export_rows, write_csv, write_xlsx
from storage.models import Partnership
from storage.planfile import PlanError, PlanFile, load_plan_file
from storage.spreadsheet import SpreadsheetError, read_table
from storage.sync import ImportReport, apply_plan, find_partnership
from storage.words import nearest, plural, slugify

SPREADSHEET_SUFFIXES = {".csv", ".xlsx", ".xlsm"}
PLAN_SUFFIXES = {".yaml", ".yml"}


class CliError(Exception):
    """A problem the person can fix; printed without a traceback, exit status 1."""


def _out(text: str) -> None:
    print(text.rstrip("\n"))


# --------------------------------------------------------------------------- helpers


def _sessions(settings: Settings, *, migrate: bool = True) -> sessionmaker[Session]:
    """A session factory on the configured database, its schema checked first."""
    engine = make_engine(settings.database_url)
    if migrate:
        ensure_schema(engine)
    return session_factory(engine)


def _pick_partnership(session: Session, name: str | None) -> Partnership:
    """The partnership named, or the only one; otherwise say what to type."""
    if name:
        found = find_partnership(session, name)
        if found is None:
            raise CliError(f"No partnership called {name!r}. {_known(session)}")
        return found
    all_ = list(session.scalars(select(Partnership).order_by(Partnership.name)))
    if len(all_) == 1:
        return all_[0]
    if not all_:
        raise CliError(
            "The bot holds no partnership yet. Import a plan first: csp-bot import PLAN.yaml"
        )
    raise CliError(f"Several partnerships are held; add --partnership NAME. {_known(session)}")


def _known(session: Session) -> str:
    rows = session.scalars(select(Partnership).order_by(Partnership.name)).all()
    if not rows:
        return "None are held yet."
    return "Known: " + ", ".join(f"{p.slug} ({p.name})" for p in rows) + "."


def _today(partnership: Partnership | None = None) -> dt.date:
    """Today's date where the partnership is (Europe/London by default)."""
    zone = ZoneInfo(partnership.timezone if partnership else "Europe/London")
    return dt.datetime.now(zone).date()


def _print_report(report: ImportReport, verbose: bool) -> None:
    _out(report.summary())
    if verbose:
        for change in report.changes:
            _out(f"    {change}")


# --------------------------------------------------------------------------- commands


def cmd_db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    """Apply database migrations."""
    engine = make_engine(settings.database_url)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    if before == after:
        _out(f"Database already at the newest schema ({after}).")
    else:
        _out(f"Database upgraded from {before or 'empty'} to {after}.")
    return 0


def cmd_db_current(settings: Settings, _args: argparse.Namespace) -> int:
    """Show the database's schema revision."""
    engine = make_engine(settings.database_url)
    current, head = current_revision(engine), head_revision()
    state = "up to date" if current == head else f"newest is {head}: run csp-bot db upgrade"
    _out(f"Schema revision: {current or 'empty'} ({state}).")
    return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    """Import a YAML plan, or a CSV/XLSX action table, into a partnership."""
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file.")
    suffix = path.suffix.lower()
    if suffix not in PLAN_SUFFIXES | SPREADSHEET_SUFFIXES:
        raise CliError(
            f"{path}: csp-bot imports plan files (.yaml) and action tables (.csv, .xlsx); "
            "save a spreadsheet as .xlsx or .csv first."
        )
    factory = _sessions(settings)
    if suffix in PLAN_SUFFIXES:
        if args.coordinator:
            raise CliError(
                "--coordinator is for action tables; in a plan file, give the person "
                "`role: coordinator` under people:."
            )
        plan = load_plan_file(path)
        return _apply(factory, plan, str(path), args, partnership_name=args.partnership)
    return _import_table(factory, path, args)


def _import_table(factory: sessionmaker[Session], path: Path, args: argparse.Namespace) -> int:
    if args.create and not args.partnership:
        raise CliError("--create needs --partnership NAME for the new partnership.")
    try:
        first = cli_start.coordinator(args)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    fy = UK_FY
    if not args.create:
        with factory() as session:
            target = _pick_partnership(session, args.partnership)
            target_slug = target.slug
            fy = FinancialYear(target.fy_start_month, target.fy_start_day)
    table = read_table(path, sheet=args.sheet, fy=fy)
    _out(table.mapping_report())
    if table.bad_rows:
        _out(f"{plural(len(table.bad_rows), 'row')} could not be read:")
        for bad in table.bad_rows:
            _out(f"  {bad}")
        if not args.skip_bad_rows:
            _out(
                "Nothing was imported. Fix these rows, or run again with --skip-bad-rows "
                f"to import the other {plural(len(table.actions), 'row')}."
            )
            return 1
        _out(f"Skipping them; importing the other {plural(len(table.actions), 'row')}.")
    if not table.actions:
        raise CliError(f"{path}: no action rows to import.")
    plan = table.plan()
    if first is not None:
        plan = plan.model_copy(update={"people": [first]})

    def after(session: Session, partnership: Partnership) -> str:
        return cli_start.next_steps(session, partnership, path, args)

    if args.create:
        return _apply(factory, plan, str(path), args, new_name=args.partnership, after=after)
    return _apply(factory, plan, str(path), args, partnership_name=target_slug, after=after)


def _apply(
    factory: sessionmaker[Session],
    plan: PlanFile,
    source: str,
    args: argparse.Namespace,
    *,
    partnership_name: str | None = None,
    new_name: str | None = None,
    after: Callable[[Session, Partnership], str] | None = None,
) -> int:
    """Apply a plan in one transaction; roll back on a dry run or any problem.

    ``after`` says what to do next, given the partnership as imported.
    """
    with factory() as session, session.begin():
        target: Partnership | None = None
        if plan.partnership is None:
            if new_name is not None:
                slug = slugify(new_name)
                if find_partnership(session, new_name) or find_partnership(session, slug):
                    raise CliError(f"A partnership called {new_name!r} exists; drop --create.")
                target = Partnership(slug=slug, name=new_name)
                session.add(target)
                session.flush()
            else:
                target = _pick_partnership(session, partnership_name)
        elif partnership_name and plan.partnership.resolved_slug != partnership_name:
            found = find_partnership(session, partnership_name)
            if found is None or found.slug != plan.partnership.resolved_slug:
                raise CliError(
                    f"{source} is the plan of {plan.partnership.name!r}, not {partnership_name!r}; "
                    "drop --partnership or import the right file."
                )
        report = apply_plan(session, plan, source_name=source, partnership=target)
        following = after(session, target) if after is not None and target is not None else ""
        if args.dry_run:
            session.rollback()
            _out("Dry run: nothing was written. This is what the import would do:")
        _print_report(report, args.verbose)
        if following:
            _out(following)
    return 0


EXPORT_FORMATS = ("csv", "xlsx")


def export_targets(output: str | None, fmt: str | None, slug: str) -> list[tuple[str, Path]]:
    """The files an export writes, as (format, path): only what was asked for.

    An output name ending in .csv or .xlsx decides the format; --format decides
    for a name without one (or no name); with neither, both files are written.
    """
    out = Path(output) if output else None
    suffix = out.suffix.lower().lstrip(".") if out is not None else ""
    if out is not None and suffix and suffix not in EXPORT_FORMATS:
        raise CliError(
            f"{out}: an export is written as .csv or .xlsx; name the file so, or give a "
            "name without an extension for both."
        )
    if suffix and fmt == "both":
        raise CliError(
            f"--format both writes two files; give -o a name without an extension "
            f"({out.with_suffix('') if out else ''}), or drop --format."
        )
    if suffix and fmt and fmt != suffix:
        raise CliError(
            f"{out} ends in .{suffix} but --format is {fmt}; drop one of them, or make them agree."
        )
    if suffix:
        assert out is not None
        return [(suffix, out)]
    formats = list(EXPORT_FORMATS) if fmt in (None, "both") else [fmt]
    base = out if out is not None else Path(f"{slug}-action-plan")
    return [(f, base.with_name(f"{base.name}.{f}")) for f in formats]


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    """Write the action plan as CSV and/or XLSX in the standard template columns."""
    factory = _sessions(settings)
    with factory() as session:
        partnership = _pick_partnership(session, args.partnership)
        targets = export_targets(args.output, args.format, partnership.slug)
        rows = export_rows(session, partnership)
        title = partnership.plan_title or partnership.name
        slug = partnership.slug
    written = []
    for fmt, target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            write_csv(target, rows)
        else:
            write_xlsx(target, rows, title=title)
        written.append(str(target))
    _out(f"Exported {plural(len(rows), 'action')} of {slug} to {', '.join(written)}.")
    return 0


def cmd_plan_list(settings: Settings, _args: argparse.Namespace) -> int:
    """List the partnerships the bot holds."""
    factory = _sessions(settings)
    with factory() as session:
        rows = session.scalars(select(Partnership).order_by(Partnership.name)).all()
        if not rows:
            _out("No partnerships yet. Import a plan: csp-bot import PLAN.yaml")
        for p in rows:
            parent = f" (part of {p.parent.slug})" if p.parent else ""
            _out(f"{p.slug:32} {p.name}{parent}")
    return 0


def cmd_plan_show(settings: Settings, args: argparse.Namespace) -> int:
    """Show what a partnership holds: priorities, groups, measures, meetings."""
    factory = _sessions(settings)
    with factory() as session:
        partnership = _pick_partnership(session, args.partnership)
        overview = plan_overview(session, partnership, _today(partnership))
    _out(render("plan_show.txt.j2", plan=overview))
    return 0


def example_plans() -> list[Path]:
    """The bundled example plans, county boards before their districts."""
    folder = resources.files("examples")
    paths = sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))
    plans = [(load_plan_file(p), p) for p in paths]
    return [
        p
        for plan, p in sorted(
            plans, key=lambda t: bool(t[0].partnership and t[0].partnership.parent)
        )
    ]


# Commands that take no --demo: the demo itself (it always uses its own database),
# and the servers and the clock, which run a real install.
NO_DEMO_OPTION = ("demo", "serve", "socket", "clock")
# The long-running commands, which log JSON lines (bot/logs.py) to stderr.
LOGGED = ("serve", "socket", "clock", "run-due")
# The commands that run the bot, by the module that holds ``cmd_<name>``.
RUNNERS = {
    "demo": "bot.cli_bot",
    "console": "bot.cli_bot",
    "serve": "bot.cli_bot",
    "socket": "bot.cli_bot",
    "run-due": "bot.clock",
    "clock": "bot.clock",
}


def _runner(name: str) -> Callable[[Settings, argparse.Namespace], int]:
    """A run command, bound to this module's database and output helpers."""
    import importlib

    func = getattr(importlib.import_module(RUNNERS[name]), "cmd_" + name.replace("-", "_"))
    if name in ("serve", "socket"):
        return func  # type: ignore[no-any-return]

    def run(settings: Settings, args: argparse.Namespace) -> int:
        return func(settings, args, _sessions, example_plans(), _out)  # type: ignore[no-any-return]

    run.__doc__ = func.__doc__
    return run


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
    imp.add_argument("-v", "--verbose", action="store_true", help="list every change")
    cli_start.add_arguments(imp)

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

    from bot import cli_bot, cli_digest, cli_person, clock

    cli_digest.add_arguments(add("digest", cli_digest.cmd_digest))
    person = sub.add_parser("person", help=cli_person.HELP, description=cli_person.HELP)
    person_sub = person.add_subparsers(dest="person_command", metavar="ACTION", required=True)
    cli_person.add_arguments(
        add("export", cli_person.cmd_person_export, person_sub),
        add("erase", cli_person.cmd_person_erase, person_sub),
    )

    runners = {name: add(name, _runner(name)) for name in RUNNERS}
    cli_bot.add_arguments(runners)
    clock.add_arguments(runners)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``csp-bot`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in LOGGED:
        from bot import logs

        logs.setup(os.environ.get("LOG_LEVEL", "INFO"))
    if getattr(args, "demo", False):
        if args.database_url:
            parser.error("--demo and --database-url name different databases; give one of them")
        from bot.cli_bot import DEMO_DATABASE

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


if __name__ == "__main__":
    raise SystemExit(main())
