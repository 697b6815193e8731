"""The board's view of each district's returns follows that district's own reporting cycle.

The Shire board (tests/fixtures/plans/shire.yaml) over Northdale and Southmere; on
Saturday 21/11/2026 (kit.NOW) Northdale reports twice a year (September, March), so
its latest ended period is H1 2026/27, and a group it does not ask is never missing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnership import board, cycles
from storage import partnership_settings
from storage.models import QuarterlyReturn, SubGroup
from tests import kit
from tests.db import boardkit, digestkit

MEETING = dt.date(2026, 12, 10)
ROW = "*Northdale CSP*: returns for {period} {got} of 1 in"


def twice_yearly(session: Session) -> None:
    """Northdale on twice a year, with a second group that is not asked for reports."""
    boardkit.load(session)
    row = kit.partnership(session, "northdale")
    settings = partnership_settings.of(row)
    change = {"reporting_cycle": "twice a year: September, March"}
    partnership_settings.store(row, partnership_settings.change(settings, change))
    session.add(
        SubGroup(partnership_id=row.id, name="Northdale Forum", reporting_cycle="not asked")
    )
    session.commit()


def _status(session: Session) -> str:
    outcome, text = kit.run(kit.context(session, "shire", "Bo Boardmember"), "board status")
    assert outcome.ok, text
    return text


def test_a_twice_yearly_district_is_shown_by_its_latest_ended_half(session: Session) -> None:
    twice_yearly(session)
    text = _status(session)
    assert ROW.format(period="H1 2026/27", got=0) + ", *1 missing*" in text, text
    assert "Q2 2026/27" not in text.split("*Northdale CSP*")[1].split("\n")[0]
    # The district's group that is not asked is neither expected nor missing.
    data = board.districts(
        kit.context(session, "shire", "Bo Boardmember"), kit.partnership(session, "shire")
    )
    northdale = next(d for d in data["districts"] if d["label"] == "Northdale CSP")
    assert northdale["quarter"] == "H1 2026/27"
    assert northdale["returns"] == {"expected": 1, "in": 0, "missing": 1}
    # Southmere stays quarterly.
    southmere = next(d for d in data["districts"] if d["label"] == "Southmere CSP")
    assert southmere["quarter"] == "Q2 2026/27"


def test_its_half_year_report_counts_as_in_and_the_digest_says_so(session: Session) -> None:
    twice_yearly(session)
    northdale = kit.partnership(session, "northdale")
    group = session.scalars(
        select(SubGroup).where(
            SubGroup.partnership_id == northdale.id, SubGroup.name == "Northdale ASB Group"
        )
    ).one()
    h1 = cycles.half(2026, 1)
    session.add(
        QuarterlyReturn(
            partnership_id=northdale.id,
            subgroup_id=group.id,
            fy_start_year=h1[0],
            quarter=h1[1],
            submitted_at=dt.datetime(2026, 10, 14, 9, 0, tzinfo=dt.UTC),
            summary="Half-year summary",
        )
    )
    session.commit()
    assert ROW.format(period="H1 2026/27", got=1) in _status(session)
    data = digestkit.digest(session, MEETING, slug="shire")
    text = digestkit.text_of(digestkit.slack(data))
    assert "Northdale CSP (N1): *red* · 2 open, 1 overdue · returns 1 of 1 in" in text, text


def test_a_district_that_asks_no_reports_owes_none(session: Session) -> None:
    boardkit.load(session)
    row = kit.partnership(session, "northdale")
    session.scalars(
        select(SubGroup).where(SubGroup.partnership_id == row.id)
    ).one().reporting_cycle = "not asked"
    session.commit()
    text = _status(session)
    assert "*Northdale CSP*: no returns owed" in text, text
