"""Stronger Safer Gloucester 2019's long-term measures, as its coordinator would record them:
read in parts, monthly, judged against the path to the 2024 goals, and shown though they
belong to no priority."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.render.environment import render_blocks
from partnership.context import Reply
from partnership.digest import build
from partnership.digest_meetings import MeetingInfo
from partnership.home import home
from partnership.measure_status import own_measures
from storage.models import Measure, MeasurePart, MeasureReading
from storage.planfile import PlanError, load_plan_file, load_plan_text
from storage.sync import apply_plan
from tests import kit
from tests.conftest import EXAMPLES

SSG = "stronger-safer-gloucester"
# February 2021, nearly two years along the path from April 2019 to the end of 2024.
NOW = dt.datetime(2021, 2, 21, 10, 0, tzinfo=dt.UTC)


def load_ssg(session: Session) -> None:
    """The county board, then Stronger Safer Gloucester under it."""
    for name in ("safer-gloucestershire-2023", "stronger-safer-gloucester-2019"):
        apply_plan(session, load_plan_file(EXAMPLES / f"{name}.yaml"), source_name=name, now=NOW)
    session.commit()


def readings(session: Session, ref: str) -> dict[tuple[str, str], float]:
    """A Stronger Safer Gloucester measure's readings by (part, period)."""
    pid = kit.partnership(session, SSG).id
    return {
        (part, period): value
        for part, period, value in session.execute(
            select(MeasureReading.part, MeasureReading.period, MeasureReading.value)
            .join(Measure, Measure.id == MeasureReading.measure_id)
            .where(Measure.partnership_id == pid, Measure.ref == ref)
        )
    }


def count(session: Session) -> int:
    """Every reading in every partnership."""
    return session.scalar(select(func.count()).select_from(MeasureReading)) or 0


def test_the_example_plan_carries_the_documents_measures(session: Session) -> None:
    load_ssg(session)
    pid = kit.partnership(session, SSG).id
    measures = {
        m.ref: m for m in session.scalars(select(Measure).where(Measure.partnership_id == pid))
    }
    assert len(measures) == 11 and all(m.priority_id is None for m in measures.values())
    crime = measures["M-5"]
    assert (crime.baseline, crime.target, crime.baseline_period) == (81.5, 55.2, "Apr 2019")
    assert crime.target_date == dt.date(2024, 12, 31)
    parts = session.scalars(
        select(MeasurePart)
        .where(MeasurePart.measure_id == measures["M-4"].id)
        .order_by(MeasurePart.position)
    ).all()
    assert [(p.name, p.baseline, p.target) for p in parts] == [
        ("male", 77.9, 79.5),
        ("female", 82.2, 83.1),
    ]


def test_crime_at_81_is_off_track_and_the_reply_shows_the_path(session: Session) -> None:
    load_ssg(session)
    ctx = kit.context(session, SSG, None, now=NOW)
    outcome, text = kit.run(ctx, 'measure record M-5 81.0 period:"Q2 2020/21"')
    assert outcome.ok, text
    kit.rendered(outcome)
    assert readings(session, "M-5") == {("", "Q2 2020/21"): 81.0}
    assert "*off track*: expected 74.9 per 1,000 population by now" in text
    assert (
        "expected 74.9 per 1,000 population by now on the path to 55.2 per 1,000 population "
        "by 31/12/2024"
    ) in text


@pytest.mark.parametrize(
    "typed",
    [
        "measure record M-4 male:78.1 female:82.5 period:2020",
        'measure record M-4 "male 78.1, female 82.5" period:2020',
        "measure record M-4 male 78.1, female 82.5 period:2020",
        'measure record "Life expectancy" Male=78.1 and FEMALE 82.5 period:2020',
    ],
)
def test_life_expectancy_is_recorded_in_parts(session: Session, typed: str) -> None:
    load_ssg(session)
    ctx = kit.context(session, SSG, None, now=NOW)
    outcome, text = kit.run(ctx, typed)
    assert outcome.ok, text
    kit.rendered(outcome)
    assert readings(session, "M-4") == {("male", "2020"): 78.1, ("female", "2020"): 82.5}
    assert "Recorded *male 78.1 years, female 82.5 years* for 2020" in text
    # 31/12/2020 is 611 of 2,072 days: male expects 78.37, and 78.1 is 0.27 behind, past
    # the 0.16 tolerance (off track); female expects 82.47, and 82.5 is ahead (on track).
    assert "*male* 78.1 years" in text and "*female* 82.5 years" in text
    assert "expected 78.4 years by now on the path to 79.5 years by 31/12/2024" in text
    assert "— *off track*: expected 78.4 years by now" in text
    assert "— *on track*: expected 82.5 years by now on the path to 83.1 years" in text
    assert "kept in the note" not in text and "Nothing" not in text


def test_a_note_follows_the_parts(session: Session) -> None:
    load_ssg(session)
    ctx = kit.context(session, SSG, None, now=NOW)
    outcome, text = kit.run(ctx, "measure record M-4 male:78.1 female:82.5 period:2020 ONS 2018-20")
    assert outcome.ok, text
    notes = set(session.scalars(select(MeasureReading.note).where(MeasureReading.part != "")))
    assert notes == {"ONS 2018-20"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "measure record M-4 mael:78.1 female:82.5 period:2020",
            "`mael` is not a part of M-4. Did you mean `male`?",
        ),
        ("measure record M-4 male:78.1 north:3 period:2020", "`north` is not a part of M-4"),
        (
            "measure record M-4 male:abc female:82.5 period:2020",
            "male of M-4 needs a number after it; `abc` is not a number",
        ),
        ("measure record M-4 male:78.1 male:79 period:2020", "male of M-4 is given twice"),
        (
            "measure record M-4 78.1 period:2020",
            "M-4 is read in parts (male, female): give a value for each",
        ),
        ("measure record M-5 male:78.1 period:2020", "M-5 is read as one number, not in parts"),
        ('measure record M-5 "male 78.1, female 82.5" period:2020', "is not a number"),
        ("measure record M-4 male:78.1 period:Smarch 2020", "is not a period I can read"),
        ("measure record M-5 81 perod:2020", "`perod:` is not something `/csp measure record`"),
        ("measure record M-4 male:78.1 replce:yes", "Did you mean `replace:`?"),
        ("measure record M-4 male:78.1 period:Mar 2021", "Mar 2021 has not finished yet"),
    ],
)
def test_bad_parts_are_refused_and_nothing_is_written(
    session: Session, line: str, message: str
) -> None:
    load_ssg(session)
    ctx = kit.context(session, SSG, None, now=NOW)
    before = count(session)
    outcome, text = kit.run(ctx, line)
    assert not outcome.ok and message in text, text
    assert count(session) == before


def test_a_part_already_recorded_is_replaced_only_when_told(session: Session) -> None:
    load_ssg(session)
    ctx = kit.context(session, SSG, None, now=NOW)
    assert kit.run(ctx, "measure record M-4 male:78.1 period:2019")[0].ok
    outcome, text = kit.run(ctx, "measure record M-4 male:78.3 female:82.4 period:2019")
    assert not outcome.ok and "M-4 already has male 78.1 years for 2019" in text
    assert readings(session, "M-4") == {("male", "2019"): 78.1}  # female not written either
    outcome, text = kit.run(ctx, "measure record M-4 male:78.3 female:82.4 period:2019 replace:yes")
    assert outcome.ok, text
    assert readings(session, "M-4") == {("male", "2019"): 78.3, ("female", "2019"): 82.4}
    assert "(was 78.1 years)" in text


def test_monthly_readings(session: Session) -> None:
    load_ssg(session)
    ctx = kit.context(session, SSG, None, now=NOW)
    for month, value in (("Aug 2020", 80.2), ("September 2020", 79.0), ("2020-10", 74.0)):
        outcome, text = kit.run(ctx, f'measure record M-5 {value} period:"{month}"')
        assert outcome.ok, text
    assert readings(session, "M-5") == {
        ("", "Aug 2020"): 80.2,
        ("", "Sep 2020"): 79.0,
        ("", "Oct 2020"): 74.0,
    }
    row = session.scalars(select(MeasureReading).where(MeasureReading.period == "Oct 2020")).one()
    assert row.period_end == dt.date(2020, 10, 31)
    # The latest month is the one judged: 74.0 against the 74.5 the path expects at 31/10/2020.
    crime = next(
        m for m in own_measures(kit.context(session, SSG, None, now=NOW)) if m.ref == "M-5"
    )
    assert (crime.period, crime.state) == ("Oct 2020", "on track")
    assert "Previous reading: 79 per 1,000 population (Sep 2020)" in text


def test_measures_under_no_priority_are_shown(session: Session) -> None:
    load_ssg(session)
    ctx = kit.context(session, SSG, None, now=NOW)
    assert kit.run(ctx, 'measure record M-5 81.0 period:"Q2 2020/21"')[0].ok
    assert kit.run(ctx, "measure record M-4 male:78.1 female:82.5 period:2020")[0].ok
    # /csp priority status: an "Other measures" section after the priorities.
    outcome, text = kit.run(ctx, "priority status")
    assert outcome.ok, text
    blocks = kit.rendered(outcome)
    assert "*Other measures* — Stronger Safer Gloucester Partnership's own" in text
    assert "*M-5* Crime (per 1000 pop): 81 per 1,000 population (Q2 2020/21)" in text
    assert "*M-11* Annual Homeless Count: no reading yet" in text
    assert "male: 78.1 years (2020)" in text and "female: 82.5 years (2020)" in text
    assert len(blocks) <= 50
    # One priority's status leaves them out: they belong to none.
    outcome, text = kit.run(ctx, "priority status P1")
    assert outcome.ok and "Other measures" not in text
    # The Home tab's read model.
    reply = home(ctx)
    assert isinstance(reply, Reply)
    shown = json.dumps(kit.valid_blocks(render_blocks("home", reply.data)), ensure_ascii=False)
    assert "*Other measures* (under no priority)" in shown
    assert "Life expectancy — off track (male 78.1 years, female 82.5 years)" in shown
    own = {m["ref"]: m for m in reply.data["own_measures"]}
    assert set(own) == {f"M-{i}" for i in range(1, 12)}
    assert own["M-5"]["state"] == "off track"
    assert [(p["name"], p["state"]) for p in own["M-4"]["parts"]] == [
        ("male", "off track"),
        ("female", "on track"),
    ]
    # The digest's view-model: every measure, the partnership's own marked as such.
    meeting = MeetingInfo(id=0, date=dt.date(2020, 12, 3), title="SSGP", time=None, location="")
    data = build(ctx, meeting, [meeting]).data
    rows = {m["ref"]: m for m in data["measures"]}
    assert rows["M-5"]["own"] and rows["M-5"]["state"] == "off track"
    assert [p["latest"] for p in rows["M-4"]["parts"]] == ["78.1 years", "82.5 years"]
    assert data["headline"]["measures"]["off_track"] == 2


def test_a_plan_file_names_parts_and_their_readings(session: Session) -> None:
    text = """
version: 1
partnership: {name: Partsville CSP, slug: partsville}
measures:
  - ref: M-1
    name: ASB incidents by district
    baseline: 40
    target: 32
    baseline_period: 2025/26
    target_date: 31/03/2027
    direction: lower
    parts: [Stroud, Forest of Dean, {name: Cotswold, baseline: 20, target: 18}]
    readings:
      - {part: stroud, period: Q1 2026/27, value: 37}
      - {part: Forest of Dean, period: Jul 2026, value: 44}
"""
    apply_plan(session, load_plan_text(text, "partsville"), source_name="partsville", now=kit.NOW)
    session.commit()
    pid = kit.partnership(session, "partsville").id
    got = dict(
        session.execute(
            select(MeasureReading.part, MeasureReading.value).where(
                MeasureReading.partnership_id == pid
            )
        ).all()
    )
    assert got == {"Stroud": 37.0, "Forest of Dean": 44.0}
    ctx = kit.context(session, "partsville", None)
    outcome, text_ = kit.run(
        ctx, "measure record M-1 Forest of Dean 39, Cotswold 18.5 period:Q2 2026/27"
    )
    assert outcome.ok, text_
    assert "*Forest of Dean* 39" in text_ and "*Cotswold* 18.5" in text_
    with pytest.raises(PlanError) as bad:
        load_plan_text(text.replace("part: stroud", "part: Stroude"), "partsville")
    assert "no part 'Stroude'; the parts are: Stroud, Forest of Dean, Cotswold" in str(bad.value)
