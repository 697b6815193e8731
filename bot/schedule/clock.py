"""The one scheduler process (``csp-bot clock``) and ``csp-bot run-due``.

APScheduler 3.x only wakes the sweeps: a ``BlockingScheduler`` in
Europe/London with one job under a fixed id (``sweep``), every five minutes,
``replace_existing`` so a restart never adds a second copy, ``coalesce`` and
``max_instances=1`` so a slow sweep is never run twice at once, and no
persistent job store (APScheduler's stores cannot be shared between
processes; what is due lives in our own tables). Exactly-once sending is the
outbox's job, so a second clock by mistake, or ``run-due`` from a cron while
the clock runs, sends nothing twice.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import signal
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule.outbox import Tally
from bot.schedule.run import run_due
from bot.schedule.sender import PrintSender, SlackSender
from bot.settings import Settings, SettingsError
from bot.slack.client import web_client
from bot.slack.reach import Probe, check_of
from storage import dates
from storage.models import Partnership, utcnow
from storage.words import plural

log = logging.getLogger("csp_bot.clock")

ZONE = ZoneInfo("Europe/London")
JOB_ID = "sweep"
EVERY_MINUTES = 5
Out = Callable[[str], None]
Sessions = Callable[..., sessionmaker[Session]]


def scheduler_client(settings: Settings) -> WebClient:
    """The Web API client for scheduled sends: more retries, honouring Retry-After."""
    return web_client(settings, rate_limit_retries=3, connection_retries=2)


def parse_moment(text: str) -> dt.datetime:
    """``04/01/2027 09:30`` or ``2027-01-04T09:30`` (London time), or with an offset, as UTC."""
    today = dt.datetime.now(ZONE).date()
    return dates.parse_moment(text, ZONE, today=today).astimezone(dt.UTC)


def _moment(text: str) -> dt.datetime:
    """``--at``: argparse reports a bad moment (exit status 2), saying what to write."""
    try:
        return parse_moment(text)
    except dates.DateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def sweep(
    settings: Settings,
    factory: sessionmaker[Session],
    now: dt.datetime,
    *,
    partnership: str | None = None,
    dry_run: bool = False,
    out: Out | None = None,
) -> Tally:
    """One run of every sweep, sending through Slack (or printing, for a dry run)."""
    if dry_run:
        printer = PrintSender(out or print)
        return run_due(
            factory, printer, now, partnership=partnership, dry_run=True, out=printer.out
        )
    if settings.oauth_mode:
        return _sweep_each_workspace(settings, factory, now, partnership)
    if not settings.slack_bot_token:
        raise SettingsError(
            "SLACK_BOT_TOKEN: not set, so nothing can be sent "
            '(see the README\'s "Install the Slack app" section); '
            "add --dry-run to see what is due without sending"
        )
    sender = SlackSender(scheduler_client(settings))
    return run_due(factory, sender, now, partnership=partnership)


def _sweep_each_workspace(
    settings: Settings, factory: sessionmaker[Session], now: dt.datetime, only: str | None
) -> Tally:
    """OAuth mode: each partnership's messages go through the bot installed in its workspace."""
    from bot.slack import oauth

    store = oauth.installation_store(settings, oauth.engine_of(factory))
    with factory() as session:
        query = select(Partnership.slug, Partnership.slack_team_id).order_by(Partnership.id)
        if only is not None:
            query = query.where(Partnership.slug == only)
        targets = session.execute(query).all()
    tally = Tally()
    for slug, team_id in targets:
        client = oauth.client_for_team(settings, team_id, store)
        if client is None:
            log.warning("partnership %s: the app is not installed in its workspace", slug)
            continue
        part = run_due(factory, SlackSender(client), now, partnership=slug)
        tally.outcomes.extend(part.outcomes)
    return tally


def build_scheduler(job: Callable[[], Any], *, start_now: bool = True) -> BlockingScheduler:
    """The clock: one job with a fixed id, every five minutes, in Europe/London."""
    scheduler = BlockingScheduler(
        timezone=ZONE,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 240},
    )
    scheduler.add_job(
        job,
        CronTrigger(minute=f"*/{EVERY_MINUTES}", timezone=ZONE),
        id=JOB_ID,
        name="run every sweep that is due",
        replace_existing=True,
        # Catch up at once on start (a restart or deploy), then every five minutes.
        next_run_time=dt.datetime.now(ZONE) if start_now else None,
    )
    return scheduler


def cmd_run_due(
    settings: Settings, args: argparse.Namespace, sessions: Sessions, _plans: list[Path], out: Out
) -> int:
    """Run every sweep once, as if at --at (default now), and exit."""
    now = args.at or utcnow()
    factory = sessions(settings)
    tally = sweep(
        settings, factory, now, partnership=args.partnership, dry_run=args.dry_run, out=out
    )
    for key, outcome in tally.outcomes:
        out(f"{outcome:>9}  {key}")
    if args.dry_run:
        when = f"{now.astimezone(ZONE):%d/%m/%Y %H:%M}"
        out(f"{plural(len(tally.outcomes), 'message')} due at {when} (nothing sent)")
    else:
        out(f"At {now.astimezone(ZONE):%d/%m/%Y %H:%M}: {tally.summary()}")
    return 1 if tally.count("error") else 0


def cmd_clock(
    settings: Settings, _args: argparse.Namespace, sessions: Sessions, _plans: list[Path], out: Out
) -> int:
    """Run the scheduler: every sweep every five minutes (the Procfile's clock)."""
    if not settings.slack_bot_token and not settings.oauth_mode:
        raise SettingsError(
            "SLACK_BOT_TOKEN: not set (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for "
            'many workspaces; see the README\'s "Install the Slack app" section)'
        )
    factory = sessions(settings)

    def job() -> None:
        if not probe.ok:  # nothing is claimed while Slack is away; the probe wakes us
            log.debug("sweep skipped: Slack has not answered yet")
            return
        started = utcnow()
        try:
            tally = sweep(settings, factory, started)
        except Exception:  # the clock must outlive any one sweep's failure
            log.exception("sweep failed")
            return
        log.info("sweep at %s: %s", started.isoformat(timespec="seconds"), tally.summary())

    scheduler = build_scheduler(job)
    # Slack is not needed to start; once it answers, sweep at once rather than wait.
    probe = Probe(
        check_of(scheduler_client(settings)),
        on_ok=lambda: scheduler.modify_job(JOB_ID, next_run_time=dt.datetime.now(ZONE)),
    ).start()

    def stop(signum: int, _frame: FrameType | None) -> None:
        # A deploy sends SIGTERM: let the running sweep finish its current message.
        log.info("clock stopping (signal %d)", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    out(f"Clock started: every sweep every {EVERY_MINUTES} minutes, Europe/London.")
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C in a terminal: stop quietly
        scheduler.start()
    probe.stop()
    out("Clock stopped.")
    return 0


def add_arguments(parsers: dict[str, argparse.ArgumentParser]) -> None:
    """Options of run-due and clock."""
    run = parsers["run-due"]
    run.add_argument(
        "--at",
        type=_moment,
        metavar="WHEN",
        help="run as if at this moment (London time): 04/01/2027 09:30, 2027-01-04T09:30, "
        "or with an offset (+00:00); a date alone means 09:00",
    )
    run.add_argument("--partnership", help="only this partnership (slug)")
    run.add_argument(
        "--dry-run", action="store_true", help="print what is due; send and record nothing"
    )
