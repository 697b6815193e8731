"""``csp-bot person export|erase``: a subject access request and an erasure, on both backends."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import bot.cli.parser
from storage.models import Action, ActionUpdate, Notification, NotificationState, Person, SubGroup
from tests import kit


@pytest.fixture
def held(imported: sessionmaker[Session]) -> sessionmaker[Session]:
    """Riverside with a note by Lee, a note naming him, and a sent nudge and roll-up."""
    with imported() as session:
        kit.run(kit.context(session, person="Lee Lead"), 'action update A-1 "survey booked"')
        kit.run(kit.context(session), 'action update A-2 "Lee Lead to confirm the venue"')
        rp = kit.partnership(session)
        lee = riverside_lee(session)
        # (kind, target, period, address, text) of messages already sent.
        sent = [
            ("nudge", f"person:{lee.id}", "2026-11-20", "U0LEE", "Lee, A-1 is overdue"),
            ("rollup", "person:999", "2026-W47", "U0CORA", "Chase by email: Lee Lead"),
            ("rollup", "person:998", "2026-W47", "U0CORA", "Nothing overdue"),
        ]
        session.add_all(
            Notification(
                partnership_id=rp.id,
                kind=kind,
                target=target,
                period=period,
                state=NotificationState.SENT,
                address=address,
                payload={"text": text},
            )
            for kind, target, period, address, text in sent
        )
        session.commit()
    return imported


def riverside_lee(session: Session) -> Person:
    """Lee Lead of Riverside (Hillford has a Lee Lead too, who must be left alone)."""
    lee = kit.context(session, person="Lee Lead").person
    assert lee is not None
    return lee


def cli(url: str, *args: str) -> int:
    return bot.cli.parser.main(["--database-url", url, "person", *args])


def test_export_lists_everything_about_the_person(
    held: sessionmaker[Session], database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(database_url, "export", "lee lead", "--partnership", "riverside") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["person"]["slack_user_id"] == "U0LEE"
    assert data["person"]["organisation"] == "Riverside Police"
    assert {"A-1"} <= {a["ref"] for a in data["owns"]}
    assert any(h["note"] == "survey booked" and h["as"] == "by" for h in data["history"])
    assert [m["note"] for m in data["mentioned_in"]] == ["Lee Lead to confirm the venue"]
    assert [m["payload"] for m in data["messages"]] == [{"text": "Lee, A-1 is overdue"}]


def test_erase_needs_yes_and_an_exact_name(
    held: sessionmaker[Session], database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(database_url, "erase", "Lee Lead", "--partnership", "riverside") == 1
    assert "Run again with --yes" in capsys.readouterr().err
    # A first name alone is a guess: an erasure takes the full name, email or Slack id.
    assert cli(database_url, "erase", "Lee", "--partnership", "riverside", "--yes") == 1
    assert "Nobody in riverside has the full name, email or Slack id 'Lee'" in (
        capsys.readouterr().err
    )
    with held() as session:
        assert riverside_lee(session).slack_user_id == "U0LEE"


def test_erase_removes_what_identifies_them_and_keeps_the_record(
    held: sessionmaker[Session], database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with held() as session:
        lee = riverside_lee(session)
        lee_id, owned = (
            lee.id,
            set(session.scalars(select(Action.ref).where(Action.owner_id == lee.id))),
        )
    assert cli(database_url, "erase", "U0LEE", "--partnership", "riverside", "--yes") == 0
    out = capsys.readouterr().out
    assert f"Erased Lee Lead from riverside: now 'Former member {lee_id}'" in out
    assert "1 note in action histories mentions them and is kept" in out
    with held() as session:
        person = session.get(Person, lee_id)
        assert person is not None
        assert (person.name, person.email, person.slack_user_id, person.organisation_id) == (
            f"Former member {lee_id}",
            None,
            None,
            None,
        )
        assert not session.scalars(select(Action).where(Action.owner_id == lee_id)).all()
        assert not session.scalars(select(SubGroup).where(SubGroup.lead_id == lee_id)).all()
        entries = session.scalars(select(ActionUpdate)).all()
        # What he wrote stays, attributed to the new label; his name is in no change.
        assert any(e.by_id == lee_id and e.note == "survey booked" for e in entries)
        assert not any(
            "Lee Lead" in json.dumps(e.changes)
            for e in entries
            if e.partnership_id == person.partnership_id
        )
        erased = [e for e in entries if e.note == "Owner's personal data erased on request."]
        assert {e.action.ref for e in erased} == owned
        payloads = {n.period + n.target: n.payload for n in session.scalars(select(Notification))}
        assert payloads == {
            f"2026-11-20person:{lee_id}": None,
            "2026-W47person:999": None,
            "2026-W47person:998": {"text": "Nothing overdue"},
        }
    # The console shows the action with no owner and the history under the new label.
    with held() as session:
        outcome, text = kit.run(kit.context(session), "action show A-1")
        hillford = kit.context(session, "hillford", person="Lee Lead").person
        assert hillford is not None and hillford.name == "Lee Lead"
    assert outcome.ok and "Lee Lead" not in text and f"Former member {lee_id}" in text
