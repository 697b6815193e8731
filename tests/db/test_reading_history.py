"""A replaced reading keeps what it held (value, note, who recorded it and when) in its
history, and ``/csp measure show`` lists a measure's readings with that history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Measure, MeasureReading, ReadingChange, Source
from storage.planfile import load_plan_file, load_plan_text
from storage.sync import apply_plan
from tests import kit
from tests.conftest import EXAMPLES
from tests.db.rowkit import HOSTILE, person_id, raw

LATER = kit.NOW + dt.timedelta(days=3)  # Tuesday 24/11/2026


def history(session: Session) -> list[ReadingChange]:
    """Every reading's history, oldest first, in every partnership."""
    return list(session.scalars(select(ReadingChange).order_by(ReadingChange.id)))


def test_a_replaced_reading_keeps_its_value_and_who_recorded_it(session: Session) -> None:
    kit.load_plans(session)
    lee = kit.context(session, "riverside", "Lee Lead")
    assert kit.run(lee, "measure record M-1 36 first count")[0].ok
    cora = kit.context(session, "riverside", "Cora Coordinator", now=LATER)
    outcome, text = kit.run(cora, 'measure record M-1 35 period:"Q2 2026/27" replace:yes recount')
    assert outcome.ok, text
    kit.rendered(outcome)
    assert "It was 36 before (recorded by Lee Lead on 21/11/2026)" in text
    assert "kept in the reading's history (`/csp measure show M-1`)" in text
    [kept] = history(session)
    assert (kept.value, kept.note) == (36, "first count")
    assert kept.recorded_by_id == person_id(session, "Lee Lead")
    assert kept.recorded_at == kit.NOW
    assert kept.replaced_by_id == person_id(session, "Cora Coordinator")
    assert (kept.replaced_at, kept.source) == (LATER, Source.COMMAND)
    row = session.get(MeasureReading, kept.reading_id)
    assert row is not None and (row.value, row.note) == (35, "recount")
    # A third value keeps the second too: the history grows, newest last.
    assert kit.run(cora, 'measure record M-1 34 period:"Q2 2026/27" replace:yes')[0].ok
    assert [h.value for h in history(session)] == [36, 35]


def test_measure_show_lists_readings_with_what_they_replaced(session: Session) -> None:
    kit.load_plans(session)
    lee = kit.context(session, "riverside", "Lee Lead")
    assert kit.run(lee, "measure record M-1 36")[0].ok
    cora = kit.context(session, "riverside", "Cora Coordinator", now=LATER)
    assert kit.run(cora, 'measure record M-1 35 period:"Q2 2026/27" replace:yes')[0].ok
    # Anyone in the partnership may look.
    outcome, text = kit.run(kit.context(session, "riverside", "Mo Member"), "measure show M-1")
    assert outcome.ok, text
    kit.rendered(outcome)
    assert "*M-1* ASB incidents per 1,000 population: 35 (Q2 2026/27)" in text
    assert "Priority P1" in text
    assert "*Q2 2026/27*: *35* · recorded by Cora Coordinator on 24/11/2026" in text
    assert (
        "• replaced 36 recorded by Lee Lead on 21/11/2026 — replaced by Cora Coordinator "
        "on 24/11/2026"
    ) in text
    # The plan file's reading: no one recorded it in Slack.
    assert "*Q1 2026/27*: *38*" in text
    assert text.index("Q2 2026/27*:") < text.index("Q1 2026/27*:")  # newest first


def test_show_says_when_there_is_nothing_and_refuses_an_unknown_measure(
    session: Session,
) -> None:
    kit.load_plans(session)
    ctx = kit.context(session, "riverside", "Mo Member")
    outcome, text = kit.run(ctx, "measure show M-2")
    assert outcome.ok and "No readings recorded yet." in text
    outcome, text = kit.run(ctx, "measure show M-99")
    assert not outcome.ok and "M-99" in text and "`M-1`" in text


def test_another_partnerships_history_is_never_shown(session: Session) -> None:
    kit.load_plans(session)
    for name in ("safer-gloucestershire-2023", "stronger-safer-gloucester-2019"):
        plan = load_plan_file(EXAMPLES / f"{name}.yaml")
        apply_plan(session, plan, source_name=name, now=kit.NOW)
    session.commit()
    ssg = kit.context(session, "stronger-safer-gloucester", None)
    assert kit.run(ssg, "measure record M-1 12")[0].ok
    assert kit.run(ssg, "measure record M-1 11 replace:yes")[0].ok
    outcome, text = kit.run(kit.context(session, "riverside", "Mo Member"), "measure show M-1")
    assert outcome.ok and "replaced" not in text and "*Q2 2026/27*" not in text
    outcome, text = kit.run(ssg, "measure show M-1")
    assert (
        "• replaced 12 rank of 326 recorded on 21/11/2026 — replaced by the console operator"
        in text
    )
    assert "The partnership's own measure (under no priority)" in text


def test_user_text_in_the_history_is_escaped(session: Session) -> None:
    kit.load_plans(session)
    lee = kit.context(session, "riverside", "Lee Lead")
    assert kit.run(lee, f"measure record M-1 36 {HOSTILE}")[0].ok
    assert kit.run(lee, 'measure record M-1 35 period:"Q2 2026/27" replace:yes')[0].ok
    outcome, _ = kit.run(lee, "measure show M-1")
    shown = raw(kit.rendered(outcome))
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown


def test_parts_keep_their_own_history(session: Session) -> None:
    text = (kit.PLANS / "riverside.yaml").read_text()
    text = text.replace(
        "      - ref: M-2\n",
        "      - ref: M-3\n"
        "        name: Life expectancy\n"
        "        unit: years\n"
        "        direction: higher\n"
        "        parts: [{name: male}, {name: female}]\n"
        "      - ref: M-2\n",
    )
    apply_plan(session, load_plan_text(text, "riverside"), source_name="riverside", now=kit.NOW)
    session.commit()
    lee = kit.context(session, "riverside", "Lee Lead")
    assert kit.run(lee, "measure record M-3 male:78.0 female:82.0")[0].ok
    outcome, text = kit.run(lee, "measure record M-3 male 78.1, female 82.5 replace:yes")
    assert outcome.ok, text
    assert "(was 78 years)" in text and "(recorded by Lee Lead on 21/11/2026)" in text
    assert sorted(h.value for h in history(session)) == [78.0, 82.0]
    outcome, text = kit.run(lee, "measure show M-3")
    assert "*Q2 2026/27* · male: *78.1 years*" in text
    assert "• replaced 82 years recorded by Lee Lead" in text


def test_a_plan_file_replacing_a_value_keeps_the_old_one(session: Session) -> None:
    kit.load_plans(session)
    text = (kit.PLANS / "riverside.yaml").read_text().replace("value: 38", "value: 37")
    assert text != (kit.PLANS / "riverside.yaml").read_text()
    apply_plan(session, load_plan_text(text, "riverside"), source_name="riverside", now=LATER)
    session.commit()
    [kept] = history(session)
    assert (kept.value, kept.source, kept.replaced_by_id) == (38, Source.IMPORT, None)
    _, shown = kit.run(kit.context(session, "riverside", "Mo Member"), "measure show M-1")
    assert "*Q1 2026/27*: *37* · recorded on 24/11/2026" in shown
    assert "• replaced 38 recorded on 21/11/2026 — replaced by a plan file on 24/11/2026" in shown
    # The same file again changes nothing and keeps no more history.
    apply_plan(session, load_plan_text(text, "riverside"), source_name="riverside", now=LATER)
    session.commit()
    assert len(history(session)) == 1


def test_history_is_append_only(session: Session) -> None:
    kit.load_plans(session)
    lee = kit.context(session, "riverside", "Lee Lead")
    assert kit.run(lee, "measure record M-1 36")[0].ok
    assert kit.run(lee, 'measure record M-1 35 period:"Q2 2026/27" replace:yes')[0].ok
    [kept] = history(session)
    kept.value = 99
    with pytest.raises(ValueError, match="append-only"):
        session.flush()
    session.rollback()
    session.delete(history(session)[0])
    with pytest.raises(ValueError, match="append-only"):
        session.flush()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(ReadingChange)) == 1
    assert (session.scalar(select(func.count()).select_from(Measure)) or 0) > 0
