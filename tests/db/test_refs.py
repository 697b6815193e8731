"""A council's own action numbers are the refs people type, everywhere.

Most councils number their action tables ``1``, ``2``, ``7`` or ``1.1``,
``2.3a``, ``1a``, ``ASB-04``. After importing such a table (CSV or XLSX), the
actions are updated, completed, shown and snoozed by those refs: typed in
Slack or the console, from buttons and forms, named in nudges and exported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from openpyxl import Workbook, load_workbook
from slack_sdk import WebClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.console import Console
from bot.cli.parser import main
from bot.slack import payload as slack_payload
from bot.slack.listeners import Edge
from commands.framework.core import Form
from commands.framework.dispatch import dispatch_args
from commands.framework.registry import Args
from partnership.lookup import ref_key
from storage.db import session_factory
from storage.models import Action, ActionUpdate, Partnership, Person, Rag, Status
from tests import kit
from tests.conftest import FIXTURES
from tests.db.nudgekit import StubSlack, press
from tests.sweepkit import RecordingSender, at, sweep

TABLE = FIXTURES / "spreadsheets" / "council-numbered.csv"
REFS = ["1", "1.1", "1.2", "1a", "2", "2.1", "2.3a", "7", "ASB-04", "A-17"]
SLUG = "numbered-csp"


def write_xlsx(path: Path) -> Path:
    """The same table as an .xlsx, its plain numbers stored as numbers, as Excel does."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells: list[Any] = line.split(",")
        first = cells[0]
        if first.isdigit():
            cells[0] = int(first)
        elif first.replace(".", "", 1).isdigit():
            cells[0] = float(first)
        ws.append(cells)
    wb.save(path)
    return path


@pytest.fixture(params=["csv", "xlsx"])
def numbered(
    request: pytest.FixtureRequest, engine: Engine, database_url: str, tmp_path: Path
) -> Iterator[sessionmaker[Session]]:
    """A partnership started from the council's numbered table, on each backend."""
    table = TABLE if request.param == "csv" else write_xlsx(tmp_path / "council.xlsx")
    assert main(["--database-url", database_url, "import", str(table), "--partnership",
                 "Numbered CSP", "--create"]) == 0  # fmt: skip
    factory = session_factory(engine)
    with factory() as session:
        for name, user in (("Kath Rees", "U0KATH"), ("Lee Lead", "U0LEEN")):
            person = session.scalars(select(Person).where(Person.name == name)).one()
            person.slack_user_id = user
        session.commit()
    yield factory


def action(session: Session, ref: str) -> Action:
    """An action of the numbered partnership by its exact ref."""
    return session.scalars(select(Action).where(Action.ref == ref)).one()


def latest_note(session: Session, ref: str) -> str | None:
    """The newest history entry's note for an action."""
    return session.scalars(
        select(ActionUpdate.note)
        .where(ActionUpdate.action_id == action(session, ref).id)
        .order_by(ActionUpdate.id.desc())
    ).first()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("A-17", "A17"),
        ("a17", "A17"),
        ("A-017", "A17"),
        ("asb-4", "ASB4"),
        ("ASB04", "ASB4"),
        ("1", "1"),
        ("1.", "1"),
        ("01", "1"),
        ("#7", "7"),
        ("1.1", "1.1"),
        ("2.3A", "2.3A"),
        ("2.3-a", "2.3A"),
        ("1.10", "1.10"),
        ("11", "11"),
    ],
)
def test_ref_key(typed: str, stored: str) -> None:
    """Spellings of one ref share a key; different numbers never do (1.1, 11, 1.10)."""
    assert ref_key(typed) == stored


def test_the_tables_refs_are_kept_and_offered(numbered: sessionmaker[Session]) -> None:
    """The import keeps every ref as the table has it; no `A-n` is made up for them."""
    with numbered() as session:
        refs = set(session.scalars(select(Action.ref)))
        assert refs == set(REFS)
        _, text = kit.run(kit.context(session, SLUG, None), "action list all")
    for ref in REFS:
        assert f"/csp action update {ref}  ·  /csp action done {ref}" in text


@pytest.mark.parametrize("ref", REFS)
def test_update_show_snooze_done_by_the_tables_own_ref(
    numbered: sessionmaker[Session], ref: str
) -> None:
    """Every typed action command takes the table's ref, as a lead and as the console."""
    with numbered() as session:
        owner = action(session, ref).owner
        assert owner is not None
        lead = kit.context(session, SLUG, owner.name)
        outcome, text = kit.run(lead, f'action update {ref} rag:amber "venue: town hall, 10:30"')
        assert outcome.ok, text
        assert f"*{ref}* updated" in text
        assert latest_note(session, ref) == "venue: town hall, 10:30"
        outcome, text = kit.run(lead, f"action show {ref}")
        assert outcome.ok and f"Action {ref}" in text and "venue: town hall, 10:30" in text
        outcome, text = kit.run(lead, f"action snooze {ref}")
        assert outcome.ok, text
        assert action(session, ref).snoozed_until == kit.NOW.date() + dt.timedelta(weeks=1)
        outcome, text = kit.run(lead, f'action done {ref} "all sessions delivered"')
        assert outcome.ok, text
        assert action(session, ref).status == Status.COMPLETE
        assert latest_note(session, ref) == "all sessions delivered"


@pytest.mark.parametrize(
    ("typed", "ref"),
    [
        ("1.", "1"),
        ("01", "1"),
        ("#7", "7"),
        ("asb-4", "ASB-04"),
        ("ASB04", "ASB-04"),
        ("2.3A", "2.3a"),
        ("1A", "1a"),
        ("a17", "A-17"),
        ("a-017", "A-17"),
    ],
)
def test_refs_are_matched_however_they_are_spelt(
    numbered: sessionmaker[Session], typed: str, ref: str
) -> None:
    """Case, a trailing dot, a leading `#`, leading zeros and a letter-digit dash do not matter."""
    with numbered() as session:
        outcome, text = kit.run(kit.context(session, SLUG, None), f"action show {typed}")
    assert outcome.ok, text
    assert f"Action {ref}" in text


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("11", "There is no action `11` in Numbered CSP. Its references look like `1`, `1.1`"),
        ("1.10", "There is no action `1.10`"),
        ("3", "There is no action `3`"),
        ("1,1", "`1,1` is not an action reference"),
    ],
)
def test_different_numbers_are_different_actions(
    numbered: sessionmaker[Session], typed: str, says: str
) -> None:
    """`1.1` is not `11` nor `1.10`; a miss shows what this partnership's refs look like."""
    with numbered() as session:
        outcome, text = kit.run(kit.context(session, SLUG, None), f"action update {typed} x")
    assert not outcome.ok and says in text


def test_two_spellings_of_one_ref_are_asked_about(numbered: sessionmaker[Session]) -> None:
    """A table holding both `01` and `1` gets `1` exactly, and `001` is asked about."""
    with numbered() as session:
        partnership = session.scalars(select(Partnership).where(Partnership.slug == SLUG)).one()
        session.add(Action(partnership_id=partnership.id, ref="01", title="A second numbering"))
        session.commit()
        ctx = kit.context(session, SLUG, None)
        _, text = kit.run(ctx, "action show 1")
        assert "Launch the town centre PSPO consultation" in text
        _, text = kit.run(ctx, "action show 01")
        assert "A second numbering" in text
        outcome, text = kit.run(ctx, "action show 001")
        assert not outcome.ok and "could be `01` or `1`" in text


def test_the_ref_is_the_first_word_whatever_follows(numbered: sessionmaker[Session]) -> None:
    """A number after the ref is the note's; `ref:` names the action anywhere in the line."""
    with numbered() as session:
        ctx = kit.context(session, SLUG, None)
        outcome, text = kit.run(ctx, "action update 7 7 people attended")
        assert outcome.ok, text
        assert latest_note(session, "7") == "7 people attended"
        outcome, text = kit.run(ctx, "action update rag:green ref:2.1 2 schools left")
        assert outcome.ok, text
        assert latest_note(session, "2.1") == "2 schools left"
        assert action(session, "2.1").rag == Rag.GREEN
        outcome, text = kit.run(ctx, "action update ref:7 ref:2")
        assert not outcome.ok and "given twice" in text


def test_the_console_takes_the_tables_refs(numbered: sessionmaker[Session]) -> None:
    """The console runs the same code: update, done, show and snooze by the table's refs."""
    lines: list[str] = []
    console = Console(numbered, SLUG, "Kath Rees", out=lines.append, clock=lambda: kit.NOW)
    console.handle('/csp action update 2.3a rag:green "funding agreed"')
    assert "2.3a" in lines[-1] and "updated" in lines[-1], lines[-1]
    console.handle("/csp action done 1 comment: consultation closed")
    assert "updated" in lines[-1], lines[-1]
    console.handle("/csp action snooze 7")
    assert "snoozed until" in lines[-1].lower(), lines[-1]
    console.handle("/csp action show 1")
    assert "consultation closed" in lines[-1], lines[-1]
    with numbered() as session:
        assert action(session, "2.3a").rag is not None
        assert latest_note(session, "2.3a") == "funding agreed"
        assert action(session, "1").status == Status.COMPLETE
        assert action(session, "7").snoozed_until is not None


def test_the_update_form_round_trip_by_the_tables_ref(numbered: sessionmaker[Session]) -> None:
    """The form opened for `1.1` carries `1.1`; submitting it saves on that action."""
    with numbered() as session:
        ctx = kit.context(session, SLUG, "Lee Lead")
        outcome, _ = kit.run(ctx, "action update 1.1")
        form = outcome.result
        assert isinstance(form, Form) and form.title == "Update 1.1" and form.meta["ref"] == "1.1"
        values = {**form.meta, "rag": "green", "note": "hotspot map shared"}
        saved = dispatch_args(ctx, "action update", Args(values))
        assert saved.ok, kit.shown(saved)
        session.commit()
        assert latest_note(session, "1.1") == "hotspot map shared"


MONDAY = "2026-11-23 09:30"


def test_nudges_and_their_buttons_use_the_tables_refs(
    numbered: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Action `7` is overdue: its nudge names `7`, and its buttons act on `7`."""
    sender = RecordingSender()
    sweep(numbered, sender, MONDAY)
    [nudge] = [p for p in sender.to("U0KATH") if p.kind == "nudge"]
    assert "*7*" in nudge.text
    values = {
        e["value"]
        for page in nudge.pages
        for block in page
        for e in block.get("elements", [])
        if e.get("type") == "button"
    }
    assert values == {f"7@{SLUG}"}
    slack = StubSlack()
    monkeypatch.setattr(slack_payload, "respond", slack.respond)
    edge = Edge(
        numbered,
        cast(WebClient, slack),
        lambda: at("2026-11-23 10:00"),
        after_ack=lambda job: job(),
    )
    done = {"type": "button", "action_id": "action_done", "value": f"7@{SLUG}"}
    answered = press(edge, slack, done, user="U0KATH")
    assert "*7* updated" in str(answered.calls), answered.calls
    menu = {
        "type": "overflow",
        "action_id": "action_menu",
        "selected_option": {"value": f"done:2.3a@{SLUG}"},
    }
    press(edge, slack, menu, user="U0KATH")
    with numbered() as session:
        assert action(session, "7").status == Status.COMPLETE
        assert action(session, "2.3a").status == Status.COMPLETE


def test_the_export_keeps_the_refs_and_imports_back_unchanged(
    numbered: sessionmaker[Session], database_url: str, tmp_path: Path
) -> None:
    """The export's Ref column is the table's refs; importing it back changes nothing."""
    out = tmp_path / "plan.xlsx"
    url = ["--database-url", database_url]
    assert main([*url, "export", "--partnership", SLUG, "-o", str(out)]) == 0
    ws = load_workbook(out).active
    assert ws is not None
    header = [c.value for c in ws[1]]
    column = header.index("Ref")
    exported = [row[column] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert sorted(map(str, exported)) == sorted(REFS)
    with numbered() as session:
        before = session.scalars(select(ActionUpdate.id)).all()
    assert main([*url, "import", str(out), "--partnership", SLUG]) == 0
    with numbered() as session:
        assert session.scalars(select(ActionUpdate.id)).all() == before
        assert set(session.scalars(select(Action.ref))) == set(REFS)
