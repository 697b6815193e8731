"""Helpers for command tests: load the fixture plans, build a context, run a line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.render.blocks import to_text
from bot.render.environment import render_blocks
from commands.framework.core import Form
from commands.framework.dispatch import Outcome, dispatch_text
from partnership.context import Context, Reply
from storage.models import Partnership, Person, Source
from storage.planfile import load_plan_file
from storage.sync import apply_plan

PLANS = Path(__file__).resolve().parent / "fixtures" / "plans"
# A fixed "now": Saturday 21 November 2026, 10:00 in London (GMT).
NOW = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)


def load_plans(session: Session, *names: str) -> None:
    """Import fixture plans (default: riverside and hillford) and commit."""
    for name in names or ("riverside", "hillford"):
        apply_plan(session, load_plan_file(PLANS / f"{name}.yaml"), source_name=name, now=NOW)
    session.commit()


def partnership(session: Session, slug: str = "riverside") -> Partnership:
    """A partnership by its slug."""
    return session.scalars(select(Partnership).where(Partnership.slug == slug)).one()


def context(
    session: Session,
    slug: str = "riverside",
    person: str | None = "Cora Coordinator",
    *,
    now: dt.datetime = NOW,
    source: Source = Source.COMMAND,
    **extra: Any,
) -> Context:
    """A context for ``person`` (by name) in partnership ``slug``; None = console operator."""
    partnership = session.scalars(select(Partnership).where(Partnership.slug == slug)).one()
    who = None
    if person is not None:
        who = session.scalars(
            select(Person).where(Person.partnership_id == partnership.id, Person.name == person)
        ).one()
    return Context(
        session=session,
        partnership=partnership,
        person=who,
        now=now,
        source=source,
        operator=person is None,
        **extra,
    )


def run(ctx: Context, line: str) -> tuple[Outcome, str]:
    """Dispatch a typed line (after ``/csp``), commit or roll back, return the text shown."""
    outcome = dispatch_text(ctx, line)
    if outcome.ok:
        ctx.session.commit()
    else:
        ctx.session.rollback()
    return outcome, shown(outcome)


def shown(outcome: Outcome) -> str:
    """The console text of an outcome's reply (forms show their fields)."""
    result = outcome.result
    if isinstance(result, Reply):
        return to_text(render_blocks(result.template, result.data))
    assert isinstance(result, Form)
    return f"FORM {result.name}: {result.values}"


def valid_blocks(blocks: list[dict[str, Any]], limit: int = 50) -> list[dict[str, Any]]:
    """Assert blocks pass slack_sdk's Block Kit validation and Slack's size limits."""
    from slack_sdk.models.blocks import Block

    assert len(blocks) <= limit, f"{len(blocks)} blocks > {limit}"
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, raw
        block.validate_json()
        if raw["type"] == "section" and "text" in raw:
            assert len(raw["text"]["text"]) <= 3000
    return blocks


def rendered(outcome: Outcome) -> list[dict[str, Any]]:
    """The blocks of an outcome's reply, fitted to Slack's limits and validated page by page."""
    from bot.render.blocks import pages

    result = outcome.result
    assert isinstance(result, Reply)
    out: list[dict[str, Any]] = []
    for page in pages(render_blocks(result.template, result.data)):
        out += valid_blocks(page)
    return out
