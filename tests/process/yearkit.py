"""The Stroud year of test_year.py: the people and meetings it adds, the script, the run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.schedule.clock import scheduler_client
from bot.schedule.run import run_due
from bot.schedule.sender import EVENT_TYPE, SlackSender
from bot.settings import Settings
from storage import channels
from storage.models import (
    Action,
    Meeting,
    Partnership,
    Person,
    Priority,
    QuarterlyReturn,
    Role,
    SubGroup,
)
from storage.planfile import load_plan_file
from storage.sync import apply_plan
from tests import kit
from tests.conftest import _fresh_postgres
from tests.fakeslack import FakeSlack, Upload

LONDON = ZoneInfo("Europe/London")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "stroud-2023.yaml"
START, END = dt.date(2026, 4, 1), dt.date(2027, 5, 14)
SWEEP_HOURS = (8, 9, 12, 17, 20)
# The moments a second clock ran again straight after a sweep that sent something.
SECOND_CLOCK: list[dt.datetime] = []
EVENT_HOUR = 11

CORA, CHAIR, VICE = "U0SCORA", "U0SCHAIR", "U0SVICE"
DAN, EVE, FINN = "U0SDAN", "U0SEVE", "U0SFINN"
BOARD = "C0SBOARD"
GROUPS = {
    "ASB Action Group": ("Dan Lead", ["P1"]),
    "Domestic Abuse Forum": ("Eve Lead", ["P2", "P3"]),
    "Reducing Reoffending Group": ("Finn Lead", ["P5"]),
    "Serious Violence Group": ("Gail Offline", ["P4"]),
}
MEETINGS = [
    dt.date(2026, 5, 28),
    dt.date(2026, 7, 16),
    dt.date(2026, 9, 17),
    dt.date(2026, 11, 19),
    dt.date(2027, 1, 7),
    dt.date(2027, 3, 18),
]
OWNED = {
    "A-1": ("Dan Lead", dt.date(2026, 6, 30)),
    "A-2": ("Dan Lead", dt.date(2026, 9, 30)),
    "A-10": ("Eve Lead", dt.date(2026, 7, 31)),
    "A-11": ("Eve Lead", dt.date(2026, 12, 31)),
    "A-31": ("Finn Lead", dt.date(2026, 10, 30)),
    "A-25": ("Gail Offline", dt.date(2026, 8, 31)),
}


def d(text: str) -> dt.date:
    """A UK date."""
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


@dataclass(frozen=True)
class Sent:
    """One message as the fake Slack holds it, with the day it went out."""

    day: dt.date
    hour: int
    kind: str
    address: str
    key: str
    text: str


def setup_stroud(factory: sessionmaker[Session]) -> None:
    """The Stroud plan plus what a coordinator adds in the first week."""
    imported = dt.datetime(2026, 4, 1, 7, 0, tzinfo=dt.UTC)
    with factory() as session:
        apply_plan(session, load_plan_file(EXAMPLE), source_name="stroud", now=imported)
        p = session.scalars(select(Partnership).where(Partnership.slug == "stroud")).one()
        p.slack_team_id = "T0STROUD"
        channels.assign(session, p, "board", BOARD)
        people = {
            "Cora Coordinator": (Role.COORDINATOR, CORA, None),
            "Chris Chair": (Role.CHAIR, CHAIR, None),
            "Vic Vicechair": (Role.CHAIR, VICE, None),
            "Dan Lead": (Role.LEAD, DAN, None),
            "Eve Lead": (Role.LEAD, EVE, None),
            "Finn Lead": (Role.LEAD, FINN, None),
            "Gail Offline": (Role.LEAD, None, "gail@stroud.example"),
        }
        rows = {}
        for name, (role, slack, email) in people.items():
            rows[name] = Person(
                partnership_id=p.id, name=name, role=role, slack_user_id=slack, email=email
            )
            session.add(rows[name])
        session.flush()
        priorities = {pr.code: pr for pr in p_priorities(session, p.id)}
        for name, (lead, codes) in GROUPS.items():
            group = SubGroup(partnership_id=p.id, name=name, lead_id=rows[lead].id)
            group.priorities = [priorities[c] for c in codes]
            session.add(group)
            session.flush()
            # Last year's Q4 return is in, so the year starts clean.
            session.add(
                QuarterlyReturn(
                    partnership_id=p.id,
                    subgroup_id=group.id,
                    fy_start_year=2025,
                    quarter=4,
                    submitted_at=imported,
                    submitted_by_id=rows[lead].id,
                    summary="Q4 2025/26",
                )
            )
        for day in MEETINGS:
            session.add(Meeting(partnership_id=p.id, date=day, title="Leadership Group"))
        for ref, (owner, due) in OWNED.items():
            action = session.scalars(
                select(Action).where(Action.partnership_id == p.id, Action.ref == ref)
            ).one()
            action.owner_id = rows[owner].id
            action.due_date = due
            action.updated_at = imported
        session.commit()


def p_priorities(session: Session, pid: int) -> list[Priority]:
    """The partnership's priorities."""
    return list(session.scalars(select(Priority).where(Priority.partnership_id == pid)))


# ---------------------------------------------------------------- the script


def command(person: str, line: str) -> Callable[[Session, dt.datetime], None]:
    """A /csp command typed by a person at the event's moment."""

    def run(session: Session, now: dt.datetime) -> None:
        ctx = kit.context(session, "stroud", person, now=now)
        outcome, text = kit.run(ctx, line)
        assert outcome.ok, (line, text)

    return run


def submit(group: str, fy: int, quarter: int) -> Callable[[Session, dt.datetime], None]:
    """The group's lead submits its return (as the modal's submission would record it)."""

    def run(session: Session, now: dt.datetime) -> None:
        row = session.scalars(select(SubGroup).where(SubGroup.name == group)).one()
        session.add(
            QuarterlyReturn(
                partnership_id=row.partnership_id,
                subgroup_id=row.id,
                fy_start_year=fy,
                quarter=quarter,
                submitted_at=now,
                submitted_by_id=row.lead_id,
                summary=f"{group} Q{quarter}",
                escalations="Funding for the CCTV refresh" if quarter == 2 else None,
            )
        )
        session.commit()

    return run


SCRIPT: dict[dt.date, list[Callable[[Session, dt.datetime], None]]] = {
    # Dan keeps A-1 fresh, finishes it late (overdue from 1 July).
    d("20/04/2026"): [command("Dan Lead", 'action update A-1 rag:green "scoping done"')],
    d("15/05/2026"): [command("Dan Lead", 'action update A-1 "venue booked"')],
    d("10/07/2026"): [
        command("Dan Lead", 'action done A-1 "launched"'),
        submit("ASB Action Group", 2026, 1),
    ],
    # Q1: Eve submits on the deadline day after the morning reminder, Finn after the
    # first chase; Gail (not on Slack) never does.
    d("21/07/2026"): [submit("Domestic Abuse Forum", 2026, 1)],
    d("23/07/2026"): [submit("Reducing Reoffending Group", 2026, 1)],
    # Eve snoozes A-10 for two weeks, then finishes it.
    d("05/08/2026"): [command("Eve Lead", "action snooze A-10 until:19/08/2026")],
    d("24/08/2026"): [command("Eve Lead", 'action done A-10 "all staff trained"')],
    # Dan moves A-2's date (it slips), then finishes it.
    d("28/09/2026"): [command("Dan Lead", 'action update A-2 due:18/12/2026 "contractor late"')],
    d("15/12/2026"): [command("Dan Lead", "action done A-2")],
    # Q2: three return early; Finn never does.
    d("12/10/2026"): [
        submit("ASB Action Group", 2026, 2),
        submit("Domestic Abuse Forum", 2026, 2),
    ],
    d("13/10/2026"): [submit("Serious Violence Group", 2026, 2)],
    # Eve finishes A-11 on time.
    d("10/12/2026"): [command("Eve Lead", 'action done A-11 "policy adopted"')],
    # Q3: everyone on Slack early; Gail never.
    d("08/01/2027"): [
        submit("ASB Action Group", 2026, 3),
        submit("Domestic Abuse Forum", 2026, 3),
        submit("Reducing Reoffending Group", 2026, 3),
    ],
    # Q4: Eve on the reminder day, Dan later; Finn and Gail never.
    d("14/04/2027"): [submit("Domestic Abuse Forum", 2026, 4)],
    d("20/04/2027"): [submit("ASB Action Group", 2026, 4)],
}


# ------------------------------------------------------------------ running


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def year(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Sent]]:
    """Run the whole year once per backend and hand every message sent to the tests."""
    if request.param == "sqlite":
        yield from _year(f"sqlite:///{tmp_path_factory.mktemp('year') / 'year.db'}")
    else:
        for url in _fresh_postgres(request.getfixturevalue("postgres_admin")):
            yield from _year(url)


def _year(url: str) -> Iterator[list[Sent]]:
    from storage.db import make_engine, session_factory, upgrade

    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    setup_stroud(factory)
    with FakeSlack() as slack:
        settings = Settings(SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=slack.base_url)
        sender = SlackSender(scheduler_client(settings))
        seen = 0
        stamped: list[tuple[dt.date, int]] = []
        # Files shared (the digests' charts), with the day and hour they went.
        shared: list[tuple[dt.date, int, Upload]] = []
        day = START
        while day <= END:
            for hour in SWEEP_HOURS:
                if hour == 12:
                    for event in SCRIPT.get(day, []):
                        with factory() as session:
                            event(session, _moment(day, EVENT_HOUR))
                moment = _moment(day, hour)
                done = (len(slack.calls("chat.postMessage")), len(slack.uploads()))
                run_due(factory, sender, moment)
                if (len(slack.calls("chat.postMessage")), len(slack.uploads())) != done:
                    # A second clock at the same moment (a restarted process, a client of
                    # its own): the outbox lets it send nothing, digests and charts alike.
                    run_due(factory, SlackSender(scheduler_client(settings)), moment)
                    SECOND_CLOCK.append(moment)
                posts = slack.calls("chat.postMessage")
                stamped += [(day, hour)] * (len(posts) - seen)
                seen = len(posts)
                shared += [(day, hour, u) for u in slack.uploads()[len(shared) :]]
            day += dt.timedelta(days=1)
        sent = []
        for (when, hour), call in zip(stamped, slack.calls("chat.postMessage"), strict=True):
            meta = call.params.get("metadata")
            if not meta:  # a continuation page in a thread
                continue
            assert meta["event_type"] == EVENT_TYPE
            key = meta["event_payload"]["key"]
            text = " ".join(str(b) for b in call.params.get("blocks") or [])
            sent.append(Sent(when, hour, key.split("|")[0], call.params["channel"], key, text))
        for when, hour, upload in shared:
            # Keyed by thread and file: a chart uploaded twice into a thread would repeat it.
            key = f"digest_charts|{upload.channel}|{upload.thread_ts}|{upload.filename}"
            sent.append(Sent(when, hour, "digest_charts", upload.channel, key, upload.title))
        yield sent
    engine.dispose()


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON).astimezone(dt.UTC)


def of(sent: list[Sent], kind: str, address: str | None = None) -> list[tuple[dt.date, str]]:
    """(day, address) of every message of a kind, in order."""
    return [(s.day, s.address) for s in sent if s.kind == kind and address in (None, s.address)]
