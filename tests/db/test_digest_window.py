"""The digest's returns window starts at the previous digest's sending when it went before its meeting.

Riverside (tests/fixtures/plans/riverside.yaml): Leadership Group meetings on
10/12/2026 and 11/03/2027, each digest sent a week before (03/12/2026). A report
with escalations submitted on 05/12/2026, between that digest and its meeting, was
never shown to the chairs; the 11/03/2027 digest must carry it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import DigestSnapshot
from tests import kit
from tests.db import digestkit
from tests.db.returnskit import add_groups
from tests.sweepkit import RecordingSender, at, sweep

SPRING = dt.date(2027, 3, 11)
BETWEEN = at("2026-12-05 14:00")  # after the 03/12 digest, before the 10/12 meeting
ON_THE_DAY = at("2026-12-10 08:00")  # the meeting's own morning: also after the digest


def test_a_report_between_a_digest_and_its_meeting_reaches_the_next_digest(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session:
        kit.load_plans(session)
        add_groups(session)
    sender = RecordingSender()
    sweep(factory, sender, "2026-12-03 09:30")
    assert [p for p in sender.posts if p.kind == "digest"], "the 10/12 digest went out"
    with factory() as session:
        taken = session.scalar(select(func.min(DigestSnapshot.taken_at)))
        assert taken is not None and taken.date() == dt.date(2026, 12, 3)
        digestkit.add_return(
            session,
            "ASB Steering Group",
            submitted=BETWEEN,
            escalations="Funding for the hotspot patrols ends in March",
        )
        digestkit.add_return(
            session,
            "Night-time Economy Group",
            submitted=ON_THE_DAY,
            escalations="Taxi marshals withdrawn",
            by="Lee Lead",
        )
        session.commit()
        data = digestkit.digest(session, SPRING, now=at("2027-03-04 09:30"))
    texts = [e["text"] for e in data["escalations"]]
    assert "Funding for the hotspot patrols ends in March" in texts
    assert "Taxi marshals withdrawn" in texts
    # "Since" is still the meeting for actions and RAGs; escalations count from the digest.
    assert data["since"]["text"] == "the last meeting on 10/12/2026"
    assert data["escalations_since"] == "03/12/2026"
    shown = digestkit.text_of(digestkit.slack(data))
    assert "Funding for the hotspot patrols ends in March" in shown
    assert "Escalations in returns since 03/12/2026: *2*" in shown
    # The digest the sweep sends says the same.
    sweep(factory, sender, "2027-03-04 09:30")
    spring = [p for p in sender.posts if p.kind == "digest" and "11/03/2027" in p.text]
    assert spring and "Funding for the hotspot patrols ends in March" in spring[0].text


def test_without_an_earlier_digest_the_window_is_the_meeting_day(session: Session) -> None:
    kit.load_plans(session)
    add_groups(session)
    digestkit.add_return(
        session, "ASB Steering Group", submitted=BETWEEN, escalations="Shown before its meeting"
    )
    session.commit()
    data = digestkit.digest(session, SPRING, now=at("2027-03-04 09:30"))
    # No digest was sent for 10/12, so "since" is that meeting, as before.
    assert data["since"]["text"] == "the last meeting on 10/12/2026"
    assert data["escalations_since"] == "10/12/2026"
    assert [e["text"] for e in data["escalations"]] == []
