"""``/csp measure record``: a reading per period, replaced only when asked."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from partnership.context import Reply
from storage.models import Measure, MeasureReading
from tests import kit
from tests.db.rowkit import HOSTILE, person_id, raw


def readings(session: Session, ref: str = "M-1") -> dict[str, float]:
    """A Riverside measure's readings by period."""
    return dict(
        session.execute(
            select(MeasureReading.period, MeasureReading.value)
            .join(Measure, Measure.id == MeasureReading.measure_id)
            .where(Measure.ref == ref, Measure.name.not_like("%Hillford%"))
        ).all()
    )


def total(session: Session) -> int:
    """How many readings exist in any partnership."""
    return session.scalar(select(func.count()).select_from(MeasureReading)) or 0


def test_lead_records_last_quarter_by_default(session: Session) -> None:
    kit.load_plans(session)
    ctx = kit.context(session, "riverside", "Lee Lead")
    outcome, text = kit.run(ctx, "measure record M-1 36 new police recording from July")
    assert outcome.ok, text
    kit.rendered(outcome)
    assert readings(session) == {"Q1 2026/27": 38, "Q2 2026/27": 36}
    row = session.scalars(select(MeasureReading).where(MeasureReading.period == "Q2 2026/27")).one()
    assert row.period_end == dt.date(2026, 9, 30)
    assert row.recorded_by_id == person_id(session, "Lee Lead")
    assert row.note == "new police recording from July"
    assert "Recorded *36* for Q2 2026/27: *M-1* ASB incidents per 1,000 population" in text
    assert "Previous reading: 38 (Q1 2026/27) · change -2, *improving*" in text
    assert "Baseline 40 · target 32 (lower is better)" in text
    assert "*on track*" in text and "recorded by Lee Lead" in text
    assert isinstance(outcome.result, Reply) and not outcome.result.public


@pytest.mark.parametrize(
    ("typed", "value"),
    [("1,234", 1234.0), ("12.5", 12.5), ("12.5%", 12.5), ("-3", -3.0), ("0.75", 0.75)],
)
def test_numbers_as_people_type_them(session: Session, typed: str, value: float) -> None:
    kit.load_plans(session)
    ctx = kit.context(session, "riverside", "Chris Chair")
    outcome, text = kit.run(ctx, f'measure record "Repeat victimisation after MARAC" {typed}')
    assert outcome.ok, text
    assert readings(session, "M-2") == {"Q2 2026/27": value}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("measure record M-1 lots", "`lots` is not a number. Type the value as a number"),
        ("measure record M-1 12.5.3", "is not a number"),
        ("measure record ASB incidents 3", "name with spaces goes in quotes: `/csp measure"),
        ("measure record M-1 1,23", "is not a number"),
        ("measure record M-1", "What value? Type the number after the measure"),
        ("measure record", "Which measure? Give its reference"),
        ("measure record M-9 3", "`M-9` is not a measure in Riverside"),
        ("measure record M-1 36 period:Q9 2026/27", "is not a period I can read"),
        ("measure record M-1 36 period:soon", "is not a period I can read"),
        ("measure record M-1 36 period:Q3 2026/27", "Q3 2026/27 has not finished yet"),
        ("measure record M-1 36 period:2026/27", "2026/27 has not finished yet"),
        ("measure record M-1 36 replace:maybe", "is not yes or no"),
        ("measure record M-1 36 period:Q1 2026/27", "M-1 already has 38 for Q1 2026/27"),
        ("measure record M-1 36 period:Q1 2026/27 replace:no", "add `replace:yes`"),
        ("measure record M-1 36 " + "x" * 2100, "keep it under 2,000"),
    ],
)
def test_bad_input_says_what_to_type_and_writes_nothing(
    session: Session, line: str, message: str
) -> None:
    kit.load_plans(session)
    before = (total(session), readings(session))
    outcome, text = kit.run(kit.context(session, "riverside", "Cora Coordinator"), line)
    assert not outcome.ok
    assert message in text, text
    kit.rendered(outcome)
    assert (total(session), readings(session)) == before


def test_second_reading_replaces_only_when_told(session: Session) -> None:
    kit.load_plans(session)
    ctx = kit.context(session, "riverside", "Lee Lead")
    assert kit.run(ctx, "measure record M-1 36")[0].ok
    outcome, text = kit.run(ctx, "measure record M-1 35")
    assert not outcome.ok
    assert "M-1 already has 36 for Q2 2026/27 recorded by Lee Lead on 21/11/2026" in text
    assert '`/csp measure record M-1 35 period:"Q2 2026/27" replace:yes`' in text
    assert readings(session) == {"Q1 2026/27": 38, "Q2 2026/27": 36}
    outcome, text = kit.run(
        kit.context(session, "riverside", "Cora Coordinator"),
        'measure record M-1 35 period:"Q2 2026/27" replace:yes corrected figure',
    )
    assert outcome.ok, text
    assert "Replaced *35* for Q2 2026/27" in text and "It was 36 before" in text
    assert readings(session) == {"Q1 2026/27": 38, "Q2 2026/27": 35}
    row = session.scalars(select(MeasureReading).where(MeasureReading.period == "Q2 2026/27")).one()
    assert row.note == "corrected figure"  # the value it replaced is in its history
    assert row.recorded_by_id == person_id(session, "Cora Coordinator")


def test_periods_years_and_the_default_quarter(session: Session) -> None:
    kit.load_plans(session)
    ctx = kit.context(session, "riverside", None)  # the console operator
    assert kit.run(ctx, "measure record M-2 29% period:2025/26")[0].ok
    assert kit.run(ctx, "measure record M-2 31 period:2024")[0].ok
    outcome, text = kit.run(ctx, "measure record M-2 28 quarter:Q1 2026/27")
    assert outcome.ok, text
    assert "Previous reading: 29% (2025/26) · change -1%, *improving*" in text
    # On 10 April 2027 the last complete quarter is Q4 of the year before.
    april = kit.context(session, "riverside", None, now=dt.datetime(2027, 4, 10, 9, tzinfo=dt.UTC))
    outcome, text = kit.run(april, "measure record M-2 26")
    assert outcome.ok, text
    assert readings(session, "M-2") == {
        "2025/26": 29,
        "2024": 31,
        "Q1 2026/27": 28,
        "Q4 2026/27": 26,
    }
    # Worse than the previous reading and the baseline.
    outcome, text = kit.run(april, 'measure record M-1 44 period:"Q3 2026/27"')
    assert outcome.ok, text
    assert "change +6, *worsening*" in text and "worse than the baseline" in text


def test_members_may_not_record(session: Session) -> None:
    kit.load_plans(session)
    before = total(session)
    outcome, text = kit.run(kit.context(session, "riverside", "Mo Member"), "measure record M-1 3")
    assert not outcome.ok
    assert "only a coordinator (Cora Coordinator), a chair or a lead can record" in text
    assert "Usage" not in text
    assert total(session) == before
    for who in ("Chris Chair", "Olive Offline", "Gina Grouplead"):
        ctx = kit.context(session, "riverside", who)
        outcome, text = kit.run(ctx, f"measure record M-1 3 period:{2000 + len(who)}")
        assert outcome.ok, (who, text)


def test_hillford_cannot_see_or_write_riverside_measures(session: Session) -> None:
    kit.load_plans(session)
    before = (total(session), readings(session))
    for who in ("Hana Hillford", "Lee Lead"):
        ctx = kit.context(session, "hillford", who)
        for line in ("measure record M-1 3", 'measure record "ASB incidents per 1,000" 3'):
            outcome, text = kit.run(ctx, line)
            assert not outcome.ok
            assert "is not a measure in Hillford Safer Communities. Measures: none." in text
            assert "ASB incidents per 1,000 population" not in text
    assert (total(session), readings(session)) == before


def test_hostile_measure_name_is_shown_as_text(session: Session) -> None:
    kit.load_plans(session)
    m1 = session.scalars(select(Measure).where(Measure.ref == "M-1")).one()
    m1.name, m1.unit = HOSTILE, "<!here>"
    session.commit()
    ctx = kit.context(session, "riverside", "Lee Lead")
    outcome, text = kit.run(ctx, "measure record M-1 36 <!channel> see <https://evil|this>")
    assert outcome.ok, text
    out = raw(kit.rendered(outcome))
    for bad in ("<!channel>", "<!here>", "<https://evil"):
        assert bad not in out
    assert "&lt;!channel&gt; &lt;https://evil|click&gt; {{ 7*7 }}" in out
    assert "&lt;!here&gt;" in out and "49" not in out
