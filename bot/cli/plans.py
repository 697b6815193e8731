"""The ``csp-bot`` sub-commands that read and write plans: db, import, export, plan."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import start
from bot.cli.common import CliError, out, pick_partnership, sessions, today
from bot.render.environment import render
from bot.settings import Settings
from partnership.plan import plan_overview
from partnership.plan_import import PLAN_SUFFIXES, SPREADSHEET_SUFFIXES, read_path
from storage.dates import UK_FY, FinancialYear
from storage.db import (
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)
from storage.export import export_rows, write_csv, write_xlsx
from storage.import_base import record_export
from storage.models import Partnership
from storage.planfile import PlanFile, load_plan_file
from storage.sync import ImportReport, apply_plan, find_partnership
from storage.words import plural, slugify


def _print_report(report: ImportReport, verbose: bool) -> None:
    out(report.summary())
    if verbose:
        for change in report.changes:
            out(f"    {change}")


# --------------------------------------------------------------------------- commands


def cmd_db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    """Apply database migrations."""
    engine = make_engine(settings.database_url)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    if before == after:
        out(f"Database already at the newest schema ({after}).")
    else:
        out(f"Database upgraded from {before or 'empty'} to {after}.")
    return 0


def cmd_db_current(settings: Settings, _args: argparse.Namespace) -> int:
    """Show the database's schema revision."""
    engine = make_engine(settings.database_url)
    current, head = current_revision(engine), head_revision()
    state = "up to date" if current == head else f"newest is {head}: run csp-bot db upgrade"
    out(f"Schema revision: {current or 'empty'} ({state}).")
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
    factory = sessions(settings)
    if suffix in PLAN_SUFFIXES:
        if args.coordinator:
            raise CliError(
                "--coordinator is for action tables; in a plan file, give the person "
                "`role: coordinator` under people:."
            )
        # The same reader /csp import uses (partnership/plan_import.py).
        plan = read_path(path).plan
        return _apply(factory, plan, str(path), args, partnership_name=args.partnership)
    return _import_table(factory, path, args)


def _import_table(factory: sessionmaker[Session], path: Path, args: argparse.Namespace) -> int:
    if args.create and not args.partnership:
        raise CliError("--create needs --partnership NAME for the new partnership.")
    try:
        first = start.coordinator(args)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    fy = UK_FY
    if not args.create:
        with factory() as session:
            target = pick_partnership(session, args.partnership)
            target_slug = target.slug
            fy = FinancialYear(target.fy_start_month, target.fy_start_day)
    incoming = read_path(path, sheet=args.sheet, fy=fy)
    table = incoming.table
    assert table is not None  # not a plan file's suffix: a table
    out(table.mapping_report())
    if table.bad_rows:
        out(f"{plural(len(table.bad_rows), 'row')} could not be read:")
        for bad in table.bad_rows:
            out(f"  {bad}")
        if not args.skip_bad_rows:
            out(
                "Nothing was imported. Fix these rows, or run again with --skip-bad-rows "
                f"to import the other {plural(len(table.actions), 'row')}."
            )
            return 1
        out(f"Skipping them; importing the other {plural(len(table.actions), 'row')}.")
    if not table.actions:
        raise CliError(f"{path}: no action rows to import.")
    plan = incoming.plan
    if first is not None:
        plan = plan.model_copy(update={"people": [first]})

    def after(session: Session, partnership: Partnership) -> str:
        return start.next_steps(session, partnership, path, args)

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
                target = pick_partnership(session, partnership_name)
        elif partnership_name and plan.partnership.resolved_slug != partnership_name:
            found = find_partnership(session, partnership_name)
            if found is None or found.slug != plan.partnership.resolved_slug:
                raise CliError(
                    f"{source} is the plan of {plan.partnership.name!r}, not {partnership_name!r}; "
                    "drop --partnership or import the right file."
                )
        report = apply_plan(
            session,
            plan,
            source_name=source,
            partnership=target,
            prefer_file=bool(getattr(args, "prefer_file", False)),
        )
        following = after(session, target) if after is not None and target is not None else ""
        if args.dry_run:
            session.rollback()
            out("Dry run: nothing was written. This is what the import would do:")
        _print_report(report, args.verbose)
        if following:
            out(following)
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
    factory = sessions(settings)
    with factory() as session, session.begin():
        partnership = pick_partnership(session, args.partnership)
        targets = export_targets(args.output, args.format, partnership.slug)
        rows = export_rows(session, partnership)
        title = partnership.plan_title or partnership.name
        slug = partnership.slug
        # What the file says becomes its base, so editing it and importing it
        # back keeps the updates made in the bot meanwhile.
        # (Written inside the transaction: a file that cannot be written records no base.)
        written = []
        for fmt, target in targets:
            record_export(session, partnership, target.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "csv":
                write_csv(target, rows)
            else:
                write_xlsx(target, rows, title=title)
            written.append(str(target))
    out(f"Exported {plural(len(rows), 'action')} of {slug} to {', '.join(written)}.")
    return 0


def cmd_plan_list(settings: Settings, _args: argparse.Namespace) -> int:
    """List the partnerships the bot holds."""
    factory = sessions(settings)
    with factory() as session:
        rows = session.scalars(select(Partnership).order_by(Partnership.name)).all()
        if not rows:
            out("No partnerships yet. Import a plan: csp-bot import PLAN.yaml")
        for p in rows:
            parent = f" (part of {p.parent.slug})" if p.parent else ""
            out(f"{p.slug:32} {p.name}{parent}")
    return 0


def cmd_plan_show(settings: Settings, args: argparse.Namespace) -> int:
    """Show what a partnership holds: priorities, groups, measures, meetings."""
    factory = sessions(settings)
    with factory() as session:
        partnership = pick_partnership(session, args.partnership)
        overview = plan_overview(session, partnership, today(partnership))
    out(render("plan_show.txt.j2", plan=overview))
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
