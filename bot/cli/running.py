"""The ``csp-bot`` commands that run the bot: demo, console, serve, socket."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.common import CliError
from bot.cli.console import Console, ConsoleError, play, repl
from bot.cli.demo_year import YEAR_SCRIPT, DemoClock, YearScript
from bot.render.terminal import Style
from bot.settings import Settings
from storage.db import transaction
from storage.models import Partnership, Source
from storage.planfile import load_plan_file
from storage.sync import apply_plan

Out = Callable[[str], None]
DEMO_PARTNERSHIP = "stronger-safer-gloucester"
# The demo's own SQLite file, in the current directory: never DATABASE_URL, so
# trying the demo cannot put example plans into a real install's database.
DEMO_DATABASE = Path("csp-bot-demo.db")

# The scripted session `csp-bot demo` plays through the console: a lead logs
# progress, a member reads, bad input is refused, the coordinator chases.
DEMO_SCRIPT = """\
# Kath Rees leads the Vulnerable Women Project in the Stronger Safer Gloucester plan.
/as Kath Rees
/csp action list mine
# She logs progress in one line: RAG, new due date and a note.
/csp action update A-1 rag:amber due:31/05/2027 "venue confirmed, launch slips to May"
/csp action show A-1
# Anyone in the partnership may read; only the owner, the group lead or a coordinator may change.
/as Emily Bolland
/csp priority status P1
/csp action update A-1 rag:green
# Bad input gets a private answer that says what to type, and nothing is written.
/as Kath Rees
/csp action update A-1 due:31/02/2027
/csp action update A-1 rag:purple
# Give only the reference and Slack opens a form with the current values.
/csp action update A-1
# The coordinator chases the leads of overdue and stale actions.
/as operator
/csp chase
# ...and sees which sub-groups' quarterly returns are in (the scheduler reminds and chases them).
/csp return status
/csp help action
"""


def load_examples(factory: sessionmaker[Session], out: Out, plans: list[Path]) -> None:
    """Import the example plans (county boards first); say which were new."""
    for path in plans:
        plan = load_plan_file(path)
        with transaction(factory) as session:
            report = apply_plan(session, plan, source_name=path.name, source=Source.IMPORT)
        verb = "loaded" if report.changed else "already loaded"
        out(f"{path.name}: {verb} ({report.partnership})")


def _empty(factory: sessionmaker[Session]) -> bool:
    with factory() as session:
        return not session.scalar(select(func.count()).select_from(Partnership))


def _default_slug(factory: sessionmaker[Session], wanted: str | None) -> str:
    with factory() as session:
        slugs = list(session.scalars(select(Partnership.slug).order_by(Partnership.slug)))
    if wanted:
        return wanted
    return DEMO_PARTNERSHIP if DEMO_PARTNERSHIP in slugs else slugs[0]


def cmd_demo(
    settings: Settings,
    args: argparse.Namespace,
    sessions: Callable[[Settings], sessionmaker[Session]],
    examples: list[Path],
    out: Out,
) -> int:
    """Load the example plans into csp-bot-demo.db and play a short scripted session."""
    if args.database_url:
        # Asked for by name (tests do): played there as it stands, never wiped.
        where = "the database given with --database-url"
    else:
        # Its own file, started afresh each run, so the session plays the same again.
        for path in (DEMO_DATABASE, *(Path(f"{DEMO_DATABASE}{x}") for x in ("-wal", "-shm"))):
            path.unlink(missing_ok=True)
        settings = demo_settings(settings)
        where = f"{DEMO_DATABASE}, the demo's own database (made afresh each run)"
    factory = sessions(settings)
    style = Style.of(sys.stdout)
    if not args.database_url:
        out(f"Demo: {where}.")
        clock = DemoClock()
        YearScript(factory, clock, out, style).play(YEAR_SCRIPT.splitlines())
        out("\n# Part 2: the five example partnerships, as their documents describe them.")
    out(f"Demo: loading the example plans into {where}.")
    load_examples(factory, out, examples)
    console = Console(factory, _default_slug(factory, args.partnership), out=out, style=style)
    play(console, DEMO_SCRIPT.splitlines())
    out(
        '\nYour turn: csp-bot console --demo --as "Kath Rees"   (type /csp help; '
        "/as NAME to be someone else; Ctrl-D to leave). Without --demo the console "
        "uses your own database (DATABASE_URL)."
    )
    return 0


def demo_settings(settings: Settings) -> Settings:
    """The settings with the demo's own database in place of DATABASE_URL."""
    return settings.model_copy(update={"database_url": f"sqlite:///{DEMO_DATABASE}"})


def cmd_console(
    settings: Settings,
    args: argparse.Namespace,
    sessions: Callable[[Settings], sessionmaker[Session]],
    examples: list[Path],
    out: Out,
) -> int:
    """Type /csp commands as a person from the plan and read the replies (no Slack needed)."""
    factory = sessions(settings)
    slug = args.partnership
    if args.plan:
        plan = load_plan_file(Path(args.plan))
        with transaction(factory) as session:
            report = apply_plan(session, plan, source_name=Path(args.plan).name)
        out(report.summary())
        if plan.partnership is None:
            raise CliError(f"{args.plan} has no partnership: section; the console needs one")
        slug = slug or plan.partnership.resolved_slug
    elif _empty(factory):
        load_examples(factory, out, examples)
    try:
        slug = _default_slug(factory, slug)
        console = Console(factory, slug, args.as_person, out=out, style=Style.of(sys.stdout))
    except ConsoleError as exc:
        raise CliError(str(exc)) from None
    repl(console, sys.stdin)
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    """Serve Slack over HTTP (gunicorn + Bolt's WSGI adapter) at /slack/events."""
    from bot.slack.server import serve
    from storage.db import ensure_schema, make_engine

    ensure_schema(make_engine(settings.database_url))
    serve(settings, host=args.host, port=args.port, workers=args.workers, threads=args.threads)
    return 0


def cmd_socket(settings: Settings, _args: argparse.Namespace) -> int:
    """Connect to Slack over Socket Mode (no inbound traffic needed)."""
    from bot.slack.server import socket_mode
    from storage.db import ensure_schema, make_engine

    ensure_schema(make_engine(settings.database_url))
    socket_mode(settings)
    return 0


def add_arguments(parsers: dict[str, argparse.ArgumentParser]) -> None:
    """Options of the run commands."""
    demo = parsers["demo"]
    demo.add_argument("--partnership", help=f"which example (default: {DEMO_PARTNERSHIP})")
    console = parsers["console"]
    console.add_argument("--plan", help="import this plan file first and use its partnership")
    console.add_argument("--partnership", help="which partnership (slug)")
    console.add_argument(
        "--as", dest="as_person", help="act as this person (name, email or Slack id)"
    )
    serve = parsers["serve"]
    serve.add_argument(
        "--port", type=int, default=3000, help="port (default 3000; Procfile: $PORT)"
    )
    serve.add_argument("--host", default="0.0.0.0", help="address to bind (default 0.0.0.0)")
    serve.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    serve.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
