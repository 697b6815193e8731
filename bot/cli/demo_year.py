"""The demo's calendar: a clock the script sets, and the scheduler fast-forwarded.

``csp-bot demo`` plays a year in a few seconds. Two script lines do it:
``/date 01/04/2027 09:30`` sets the clock every command then runs at, and
``/until 30/06/2027`` runs the scheduler (the same ``run_due`` the clock
process runs) once each working morning up to that day, printing every message
as its recipient would read it, under the recipient's name. Messages go through
the outbox as they would to Slack, so nothing is printed twice.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections import Counter
from collections.abc import Callable, Iterable
from importlib import resources
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.console import Console
from bot.render.replies import reply_pages
from bot.render.terminal import PLAIN, Style, terminal_text
from bot.schedule.run import run_due
from bot.schedule.sender import PrintSender
from partnership import import_preview, setup
from partnership.context import Context, Reply, UserError
from storage.dates import DateError, parse_date
from storage.db import transaction
from storage.models import Channel, Partnership, Person

LONDON = ZoneInfo("Europe/London")
Out = Callable[[str], None]
# The scheduler's morning run in the demo: the clock process runs every few
# minutes in working hours; once a day at this time shows the same messages.
MORNING = dt.time(9, 30)
DM = " (direct message)"


class DemoClock:
    """The time the demo's commands run at: set by ``/date``, moved by ``/until``."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        """The demo's present moment (aware)."""
        return self.now

    def set(self, text: str) -> None:
        """Set the clock from ``dd/mm/yyyy [hh:mm]`` in London time."""
        day_text, _, time_text = text.strip().partition(" ")
        day = parse_date(day_text)
        hours, _, minutes = (time_text.strip() or "09:30").partition(":")
        moment = dt.datetime.combine(day, dt.time(int(hours), int(minutes or 0)), LONDON)
        self.now = moment.astimezone(dt.UTC)


class NamedSender(PrintSender):
    """Prints each message under its recipient's name and the day it arrives."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        clock: DemoClock,
        out: Out,
        style: Style = PLAIN,
    ) -> None:
        super().__init__(out, style)
        self.factory = factory
        self.clock = clock
        self.sent: Counter[str] = Counter()

    def heading(self, address: str, key: str) -> str:
        """The day it arrives and who gets it, by name; counted for the summary."""
        day = self.clock().astimezone(LONDON).strftime("%a %d/%m/%Y")
        name = self.name_of(address)
        self.sent[name.removesuffix(DM)] += 1
        return f"{day}, to {name}"

    def name_of(self, address: str) -> str:
        """A person's name (a direct message) or a channel's role, for a Slack id."""
        with self.factory() as session:
            person = session.scalars(
                select(Person.name).where(Person.slack_user_id == address)
            ).first()
            if person is not None:
                return f"{person}{DM}"
            channel = session.execute(
                select(Partnership.name, Channel.purpose)
                .join(Channel, Channel.partnership_id == Partnership.id)
                .where(Channel.slack_channel_id == address)
            ).first()
            if channel is not None:
                return f"{channel.name}'s {channel.purpose} channel"
        return address


def fast_forward(
    factory: sessionmaker[Session],
    clock: DemoClock,
    until_text: str,
    out: Out,
    style: Style = PLAIN,
) -> None:
    """Run the scheduler each morning from the clock's day to ``until_text``'s."""
    try:
        last = parse_date(until_text.strip())
    except DateError as exc:
        out(f"demo: {exc}")
        return
    sender = NamedSender(factory, clock, out, style)
    day = clock().astimezone(LONDON).date()
    start = day
    while day <= last:
        moment = dt.datetime.combine(day, MORNING, LONDON).astimezone(dt.UTC)
        if moment >= clock():
            clock.now = moment
            run_due(factory, sender, moment)
        day += dt.timedelta(days=1)
    clock.now = max(clock.now, dt.datetime.combine(last, MORNING, LONDON).astimezone(dt.UTC))
    span = f"{start:%d/%m/%Y} to {last:%d/%m/%Y}"
    each = ", ".join(f"{name} {count}" for name, count in sorted(sender.sent.items()))
    total = sum(sender.sent.values())
    out(f"(the scheduler ran each working morning from {span}: {total} messages: {each or 'none'})")


class YearScript:
    """Plays the year's script: console lines, plus the demo's own lines.

    ``/date`` and ``/until`` move time (above). Three more stand in for what a
    person does in Slack's forms and buttons, calling the very rules those run:
    ``/setup slack:U… name:"…" …`` submits ``/csp setup``'s form,
    ``/upload FILE`` attaches a file to ``/csp import``'s form (from the bundled
    examples), and ``/press import|readable|cancel`` presses a button of the
    preview it showed.
    """

    def __init__(
        self, factory: sessionmaker[Session], clock: DemoClock, out: Out, style: Style = PLAIN
    ) -> None:
        self.factory = factory
        self.clock = clock
        self.out = out
        self.style = style
        self.console: Console | None = None
        self.token = ""  # the last preview's, for /press

    def play(self, script: Iterable[str]) -> None:
        """Play every line, printing as it goes."""
        for line in script:
            self.line(line)

    def line(self, line: str) -> None:
        """One line of the script."""
        text = line.strip()
        if not text:
            return
        if text.startswith("#"):
            self.out(text)
            return
        self.out(f"\n> {text}")
        word, _, rest = text.partition(" ")
        if word == "/date":
            self._date(rest)
        elif word == "/until":
            fast_forward(self.factory, self.clock, rest, self.out, self.style)
        elif word == "/setup":
            self._setup(rest)
        elif word == "/upload":
            self._upload(rest.strip())
        elif word == "/press":
            self._press(rest.strip())
        elif self.console is None:
            self.out("demo: set a partnership up first (/setup)")
        else:
            self.console.handle(line)

    def _date(self, text: str) -> None:
        try:
            self.clock.set(text)
        except (DateError, ValueError) as exc:
            self.out(f"demo: {exc}")
            return
        self.out(f"(it is now {self.clock().astimezone(LONDON):%A %d/%m/%Y %H:%M})")

    def _setup(self, text: str) -> None:
        values = dict(tok.partition(":")[::2] for tok in shlex.split(text))
        user = values.pop("slack", "")
        with transaction(self.factory) as session:
            try:
                made = setup.create(session, setup.Workspace(team=None), user, values)
            except UserError as exc:
                problems = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
                self.out(f"demo: {exc.message} {problems}")
                return
            reply, slug, name = setup.done(made), made.slug, values.get("your_name", "")
            shown = "\n".join(terminal_text(p, self.style) for p in reply_pages(reply, slug))
        self.out(shown)
        self.console = Console(
            self.factory, slug, name, out=self.out, clock=self.clock, style=self.style
        )

    def _upload(self, name: str) -> None:
        if self.console is None:
            self.out("demo: set a partnership up first (/setup)")
            return
        data = (resources.files("examples") / name).read_bytes()
        shown: dict[str, str] = {}

        def run(ctx: Context) -> Reply:
            reply = import_preview.preview(ctx, name, data)
            shown["token"] = str(reply.data.get("token") or "")
            return reply

        self.out(self.console.call(run, label="import preview"))
        self.token = shown.get("token", "")

    def _press(self, which: str) -> None:
        if self.console is None or not self.token:
            self.out("demo: there is no preview to press a button of (/upload first)")
            return
        token = self.token
        if which == "cancel":
            self.out(self.console.call(lambda ctx: import_preview.cancel_pending(ctx, token)))
            return
        readable = which == "readable"

        def run(ctx: Context) -> Reply:
            return import_preview.apply_pending(ctx, token, readable=readable)

        self.out(self.console.call(run, label="import"))


# The first part of `csp-bot demo`: a new partnership's first months, from an
# empty database, with the scheduler fast-forwarded so its messages show.
YEAR_SCRIPT = """\
# Part 1: a partnership's first months, from an empty database, on fixed dates.
/date 01/03/2027 09:30
# Cora Coordinator installed the app. /csp setup opens a form; the demo submits it:
/setup slack:U0DEMOCORA your_name:"Cora Coordinator" \
name:"Severnvale Community Safety Partnership" slug:severnvale nation:ENG \
leadership_group:"Severnvale Leadership Group" main_channel:C0SEVERN board_channel:C0SVBOARD
# She attaches the spreadsheet she keeps to /csp import's form: a preview, nothing written.
/upload severnvale-action-plan.csv
# One row's date is 31/02/2027. She imports the readable rows and fixes that one later.
/press readable
# The Leadership Group meets each quarter; the series is shown back before it is saved.
/csp meeting add every third Thursday of Apr, Jul, Oct and Jan from 01/04/2027
/csp meeting add every third Thursday of Apr, Jul, Oct and Jan from 01/04/2027 \
until 31/03/2028 confirm
# She links the spreadsheet's leads to Slack, adds the chair, and names the groups' leads.
/csp person add U0DEMOKATH name:"Kath Rees"
/csp person add U0DEMOLEE name:"Lee Hart"
/csp person add U0DEMOANNE name:"Anne Brinkhoff"
/csp person add U0DEMOSAM name:"Sam Chair" role:chair
/csp group lead ASB Action Group Kath Rees
/csp group lead Domestic Abuse Forum Anne Brinkhoff
/csp group covers ASB Action Group P1
/csp group covers Domestic Abuse Forum P2
# A lead updates an action in one line.
/as Lee Hart
/csp action update 1.1 rag:green "hotspot map shared with the neighbourhood teams"
# The scheduler runs each working morning; below is what each person received, as they read it.
/until 16/04/2027
# Kath sends her group's return for the quarter, and brings two actions up to date.
/as Kath Rees
/csp return submit group:"ASB Action Group" quarter:"Q4 2026/27" rag:amber \
summary:"Hotspot map agreed; PSPO consultation ready" issues:"Legal review of the draft order"
/csp action update 3 due:30/09/2027 "waiting for the needs assessment; new date to the board"
/csp action update 1 rag:green "consultation opens 03/05/2027"
/until 30/06/2027
"""
