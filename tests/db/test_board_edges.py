"""The county board's districts at their edges: import warnings, escaping, one priority, examples."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.render.environment import render_blocks
from partnership.context import Reply
from storage.models import Partnership, Priority
from storage.planfile import load_plan_file
from storage.sync import apply_plan
from tests import kit
from tests.conftest import EXAMPLES
from tests.db import boardkit
from tests.db.rowkit import HOSTILE


def test_an_import_warns_of_a_board_priority_the_board_does_not_have(session: Session) -> None:
    kit.load_plans(session, "shire")
    report = apply_plan(
        session, load_plan_file(kit.PLANS / "southmere.yaml"), source_name="s", now=kit.NOW
    )
    assert any("S2" in w and "'C9'" in w for w in report.warnings), report.warnings
    assert not any("S1" in w for w in report.warnings)


def test_district_text_is_escaped_in_the_boards_view(session: Session) -> None:
    boardkit.load(session)
    session.execute(update(Priority).where(Priority.code == "N3").values(title=HOSTILE))
    session.execute(
        update(Partnership).where(Partnership.slug == "northdale").values(short_name=HOSTILE)
    )
    session.commit()
    outcome, _ = kit.run(kit.context(session, "shire", "Bo Boardmember"), "board status")
    assert outcome.ok and isinstance(outcome.result, Reply)
    raw = str(render_blocks(outcome.result.template, outcome.result.data))
    assert "<!channel>" not in raw and "<https://evil" not in raw
    assert "&lt;!channel&gt;" in raw and "{{ 7*7 }}" in raw
    kit.rendered(outcome)


def test_one_countywide_priority_shows_only_its_districts_row(session: Session) -> None:
    boardkit.load(session)
    outcome, text = kit.run(kit.context(session, "shire", "Bo Boardmember"), "priority status C2")
    assert outcome.ok, text
    kit.rendered(outcome)
    assert "Northdale CSP (N2): *amber*" in text
    assert "*C1*" not in text and "*C3*" not in text


def test_the_shipped_county_board_shows_its_districts(session: Session) -> None:
    for name in ("safer-gloucestershire-2023", "stroud-2023", "stronger-safer-gloucester-2019"):
        apply_plan(session, load_plan_file(EXAMPLES / f"{name}.yaml"), source_name=name)
    session.commit()
    board = session.scalars(
        select(Partnership).where(Partnership.slug == "safer-gloucestershire")
    ).one()
    ctx = kit.context(session, board.slug, None)
    outcome, text = kit.run(ctx, "board status")
    assert outcome.ok, text
    kit.rendered(outcome)
    assert "2 districts under Safer Gloucestershire" in text
    outcome, text = kit.run(ctx, "board status stroud")
    assert outcome.ok, text
    assert "Stroud District Community Safety Partnership as Safer Gloucestershire sees it" in text
    # Nothing mapped yet in the examples: every district priority is listed as not mapped.
    assert "*Not mapped*" in text
