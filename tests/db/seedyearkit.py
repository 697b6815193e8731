"""A seed partnership's year: its example plan, completed from tests data, run through ``run_due``.

Each of the five example plans (``examples/*.yaml``, transcribed from the seed
documents) names no Slack ids and few people or dates. A completion file,
``tests/fixtures/seed_years/<seed>.yaml``, gives it what a coordinator would
add in the first week, with obviously fictional people ("Test Lead Alpha"),
Slack ids (``U0SEED…``) and channels. It is several YAML documents:

1. the year's script: ``example`` (the plan in ``examples/``), ``year`` (the
   financial year's start year), ``until`` (the last day run, past the year's
   end so its last reports come in) and ``leads`` (how each lead answers a
   reminder: ``reminded`` — the default — submits the day the first reminder
   comes, ``chased`` only once chased, ``never`` not at all) and, optionally,
   ``skip``: the weekly sweeps (nudges, roll-up) a year with many partnerships
   leaves out because none of its assertions reads them;
2. a plan file (docs/plan-format.md) imported over the example: people,
   groups' leads, meetings, channels;
3. for the county board, each further document is a small fictional district
   plan, imported after it (``parent:`` links it to the board).

:func:`run_year` then plays the year as the clock process would, but jumping
the clock: the real sweeps (``run_due``), the real outbox and the real
``WebClient`` talking to the loopback fake Slack, once each day at 09:30 (a
closed day costs one calendar check), with every lead reminded pressing the
reminder's button and filling in the form the way the modal submits it
(``dispatch_button`` then ``dispatch_args``, the rules the Slack edge runs).
What Slack was sent comes back as :class:`Sent` rows, with each recipient's
name, plus every traceback logged and every outbox failure.

What a year sent is read by tests/db/seedyearread.py: the checks every
year shares, and readers for each document's cycle (districts, reports shown,
SARA counts, the periods asked). Every period and deadline the kit walks comes
from partnership/cycles.py, so a quarterly, twice-yearly or pre-meeting cycle
is run on the days its own rule gives.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule import returns
from bot.schedule import run as sweep_run
from bot.schedule.clock import scheduler_client
from bot.schedule.outbox import FAILED, RETRY
from bot.schedule.run import context as sweep_context
from bot.schedule.run import run_due
from bot.schedule.sender import SlackSender
from bot.settings import Settings
from commands.framework.core import Form
from commands.framework.dispatch import dispatch_args, dispatch_button
from commands.framework.registry import Args
from partnership import cycles
from partnership.context import Context, Reply
from partnership.digest_meetings import board_meetings, digest_day
from storage.cycles import NONE, Cycle, Period
from storage.dates import parse_date
from storage.db import make_engine, session_factory
from storage.models import (
    Partnership,
    QuarterlyReturn,
    Source,
    SubGroup,
)
from storage.planfile import load_plan_file, load_plan_text
from storage.sync import apply_plan
from tests import kit
from tests.conftest import EXAMPLES, FIXTURES
from tests.db.seedyearsent import Sent, names_of, pages_joined, with_slugs
from tests.fakeslack import FakeSlack

LONDON = ZoneInfo("Europe/London")
SEEDS = FIXTURES / "seed_years"
MORNING, REPLY = dt.time(9, 30), dt.time(11, 0)
# The kinds of message a lead answers by submitting a report.
ASKS = ("return_reminder", "return_chase")
BEHAVIOURS = ("reminded", "chased", "never")
# Sweeps a completion file may leave out (``skip:``): the weekly ones, which no year's
# assertion reads and which have tests of their own (tests/db/test_sweep_rollup.py,
# tests/db/test_sweep_nudges_*.py).
SKIPPABLE = ("nudges", "rollup")


@dataclass(frozen=True)
class Report:
    """A report a lead submitted through the form: whose, for what, on which day."""

    slug: str
    group: str
    period: str
    day: dt.date
    lead: str


@dataclass
class Year:
    """What a year sent and recorded; ``factory`` stays open for the tests' own queries."""

    script: Script
    sent: list[Sent]
    reports: list[Report]
    problems: list[str]
    factory: sessionmaker[Session]
    slugs: list[str] = field(default_factory=list)

    def of(self, kind: str, to: str | None = None) -> list[Sent]:
        """Every message of a kind (to one recipient, by name), in order."""
        return [s for s in self.sent if s.kind == kind and to in (None, s.to)]

    def days(self, kind: str, to: str | None = None) -> list[tuple[dt.date, str]]:
        """(day, recipient) of every message of a kind, in order."""
        return [(s.day, s.to) for s in self.of(kind, to)]


@dataclass(frozen=True)
class Script:
    """A completion file read: the example, the year, how leads answer, the plans' texts."""

    seed: str
    example: Path
    start: dt.date
    until: dt.date
    leads: dict[str, str]
    plans: list[str]
    skip: tuple[str, ...] = ()


def d(text: str) -> dt.date:
    """A UK date."""
    return parse_date(text)


def read_script(seed: str) -> Script:
    """The completion file of one seed (``tests/fixtures/seed_years/<seed>.yaml``)."""
    text = (SEEDS / f"{seed}.yaml").read_text(encoding="utf-8")
    head, *plans = re.split(r"^---\s*$", text, flags=re.MULTILINE)
    meta: dict[str, Any] = yaml.safe_load(head)
    leads = {str(k): str(v) for k, v in (meta.get("leads") or {}).items()}
    assert set(leads.values()) <= set(BEHAVIOURS), leads
    return Script(
        seed=seed,
        example=EXAMPLES / str(meta["example"]),
        start=dt.date(int(meta["year"]), 4, 1),
        until=d(str(meta["until"])),
        leads=leads,
        plans=plans,
        skip=_skipped(meta),
    )


def _skipped(meta: dict[str, Any]) -> tuple[str, ...]:
    """The sweeps a year leaves out (``skip:``): only ones no seed test reads (nudges, rollup)."""
    skip = tuple(str(name) for name in meta.get("skip") or ())
    assert set(skip) <= set(SKIPPABLE), skip
    return skip


def moment(day: dt.date, at: dt.time) -> dt.datetime:
    """A London wall-clock moment as an aware UTC datetime."""
    return dt.datetime.combine(day, at, tzinfo=LONDON).astimezone(dt.UTC)


def complete(factory: sessionmaker[Session], script: Script) -> list[str]:
    """Import the example, then the completion over it (then any district plans); the slugs."""
    imported = moment(script.start, dt.time(7))
    slugs = []
    with factory() as session:
        names = [(script.example.stem, load_plan_file(script.example))]
        names += [
            (f"{script.seed}-{i}", load_plan_text(text, f"{script.seed}-{i}.yaml"))
            for i, text in enumerate(script.plans)
        ]
        for name, plan in names:
            apply_plan(session, plan, source_name=name, now=imported)
            session.flush()
            if plan.partnership is not None and plan.partnership.slug:
                slugs.append(plan.partnership.slug)
        year_before_is_in(session, script.start, imported)
        session.commit()
    return list(dict.fromkeys(slugs))


def year_before_is_in(session: Session, start: dt.date, at: dt.datetime) -> None:
    """Every group's report for its period before the year is in, so the year starts clean.

    The groups are new to the bot: their reports for the year before went to
    the partnership on paper. The period is the one the group's own cycle
    (partnership/cycles.py) asks for on the first day: Q4 or H2 of the year
    before; none for a cycle of meetings, whose first is in the year.
    """
    for group in session.scalars(select(SubGroup)):
        partnership = session.get(Partnership, group.partnership_id)
        assert partnership is not None
        ctx = sweep_context(session, partnership, moment(start, MORNING))
        cycle = cycles.cycle_of(ctx, group)
        period = cycles.reporting(ctx, cycle)
        if period is None or cycles.bounds(ctx, period)[1] >= start:
            continue
        session.add(
            QuarterlyReturn(
                partnership_id=group.partnership_id,
                subgroup_id=group.id,
                fy_start_year=period[0],
                quarter=period[1],
                submitted_at=at,
                submitted_by_id=group.lead_id,
                summary="Sent on paper before the bot",
            )
        )


# ------------------------------------------------------------------ the year


class ChartlessSender(SlackSender):
    """The Slack sender, with the digests' charts left out.

    Drawing them costs a second a digest; they have tests of their own
    (tests/process/test_year.py, tests/db/test_digest_charts_sent.py).
    """

    def prepare(self, reply: Reply, slug: str) -> dict[str, Any]:
        """The Slack sender's payload without the charts that would follow a digest."""
        payload = SlackSender.prepare(self, reply, slug)
        payload.pop("attach", None)
        return payload


def periods_of(ctx: Context, cycle: Cycle, start: dt.date, until: dt.date) -> list[Period]:
    """The periods of a cycle whose reports may be asked between ``start`` and ``until``.

    From the one asked for on the first day (the period before the year, or the
    first meeting's) to the last that begins by ``until``, walked with the
    cycle's own ``following`` (partnership/cycles.py), not by counting quarters.
    """
    if cycle.kind == NONE:
        return []
    period = cycles.reporting(ctx, cycle)
    found: list[Period] = []
    while period is not None and cycles.bounds(ctx, period)[0] <= until:
        found.append(period)
        period = cycles.following(ctx, period)
    return found


def days_that_matter(
    factory: sessionmaker[Session], start: dt.date, until: dt.date
) -> dict[dt.date, list[str]]:
    """The days the year jumps to, each with the partnerships it matters to.

    Each reminder, deadline and chase day of every period of every cycle the
    partnership's groups follow, and each digest day. A stage's day comes from
    the rules that send it (partnership/cycles.py's deadline, the sweep's
    stages), so a test's dates, written out by hand, still catch a rule that
    moves; no other day can send a reminder, chase or digest, so the days
    between (weekly nudges and roll-ups, which no assertion reads) are skipped.
    """
    days: dict[dt.date, set[str]] = {}
    with factory() as session:
        for partnership in session.scalars(select(Partnership)):
            ctx = sweep_context(session, partnership, moment(start, MORNING))
            found = {start}
            followed = {str(ctx.settings.cycle): ctx.settings.cycle}
            for group in session.scalars(
                select(SubGroup).where(SubGroup.partnership_id == partnership.id)
            ):
                cycle = cycles.cycle_of(ctx, group)
                followed.setdefault(str(cycle), cycle)
            for cycle in followed.values():
                for period in periods_of(ctx, cycle, start, until):
                    due = cycles.deadline(ctx, period, cycle)
                    found.update(s.day for s in returns.stages(ctx.calendar, due.day, ctx.settings))
            found.update(digest_day(ctx, meeting) for meeting in board_meetings(ctx))
            for day in found:
                days.setdefault(day, set()).add(partnership.slug)
    return {day: sorted(days[day]) for day in sorted(days) if start <= day <= until}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database of the module's own, on each backend."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        yield template.copy(tmp_path_factory.mktemp("seedyear") / "year.db")
    else:
        yield from request.getfixturevalue("postgres_template").copy()


def year_of(seed: str, url: str) -> Iterator[Year]:
    """Run one seed's year on a migrated database; hand back what it sent (engine disposed after)."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        # A year commits a thousand times; a test's database need not survive a power cut.
        event.listen(engine, "connect", _no_fsync)
    try:
        yield run_year(session_factory(engine), read_script(seed))
    finally:
        engine.dispose()


def _no_fsync(dbapi_connection: Any, _record: Any) -> None:
    """SQLite without waiting for the disk on each commit (a fifth of a county year's time)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


class _Tracebacks(logging.Handler):
    """Keeps every log record that carries a traceback or is an error."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.found.append(f"{record.name}: {record.getMessage()} {record.exc_text or ''}")


def run_year(factory: sessionmaker[Session], script: Script) -> Year:
    """Complete the plan, then run each day from 1 April to ``until``, leads answering."""
    slugs = complete(factory, script)
    caught = _Tracebacks()
    logging.getLogger().addHandler(caught)
    problems: list[str] = []
    sent: list[Sent] = []
    reports: list[Report] = []
    try:
        with FakeSlack() as slack, pytest.MonkeyPatch.context() as patch:
            kept = tuple((n, sweep) for n, sweep in sweep_run.SWEEPS if n not in script.skip)
            patch.setattr(sweep_run, "SWEEPS", kept)
            settings = Settings(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.base_url)
            sender = ChartlessSender(scheduler_client(settings))
            seen = 0
            names = names_of(factory)
            for day, matter in days_that_matter(factory, script.start, script.until).items():
                for slug in matter:
                    tally = run_due(factory, sender, moment(day, MORNING), partnership=slug)
                    problems += [
                        f"{day}: {k} {o}"
                        for k, o in tally.outcomes
                        if o in (FAILED, RETRY, "error")
                    ]
                calls = slack.calls("chat.postMessage")
                today = pages_joined(day, [c.params for c in calls[seen:]], names)
                seen = len(calls)
                sent += today
                for message in today:
                    report = _answer(factory, script, message, day)
                    if report is not None:
                        reports.append(report)
    finally:
        logging.getLogger().removeHandler(caught)
    problems += caught.found
    return Year(script, with_slugs(factory, sent), reports, problems, factory, slugs)


def _answer(
    factory: sessionmaker[Session], script: Script, message: Sent, day: dt.date
) -> Report | None:
    """A lead asked for a report answers as the script says: press the button, fill the form."""
    if message.kind not in ASKS or not message.button:
        return None
    behaviour = script.leads.get(message.to, "reminded")
    if behaviour == "never" or (behaviour == "chased" and message.kind != "return_chase"):
        return None
    value, _, slug = message.button.rpartition("@")
    with factory() as session:
        ctx = kit.context(session, slug, message.to, now=moment(day, REPLY), source=Source.BUTTON)
        opened = dispatch_button(ctx, "return submit", value)
        form = opened.result
        assert opened.ok and isinstance(form, Form), (message, kit.shown(opened))
        group, period = form.values["group"], form.values["quarter"]
        values = {
            **report_texts(group, period),
            **{k: "green" for k in form.values if k.startswith("rag_")},
            **form.meta,
        }
        ctx = kit.context(session, slug, message.to, now=moment(day, REPLY), source=Source.MODAL)
        outcome = dispatch_args(ctx, "return submit", Args(values))
        assert outcome.ok, (message, kit.shown(outcome))
        session.commit()
    return Report(slug, group, period, day, message.to)


def report_texts(group: str, period: str) -> dict[str, str]:
    """What a lead writes in a group's report: each field names the group and the period."""
    return {
        "summary": f"{group} summary for {period}",
        "achievements": f"{group} achievements in {period}",
        "issues": f"{group} issues and risks in {period}",
        "escalations": f"{group} escalation for {period}",
    }
