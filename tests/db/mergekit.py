"""What the import-merge tests share: a plan, a lead's Slack update, importing a file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.models import Action, ActionUpdate, Partnership
from storage.planfile import PlanFile, load_plan_text
from storage.spreadsheet import read_table
from storage.sync import ImportReport, apply_plan
from tests.kit import NOW, context, run

PLAN = """
partnership: {name: Test CSP, slug: test}
people:
  - {name: Cora Coordinator, role: coordinator, slack: U0CORA}
  - {name: Ann Lead, role: lead, slack: U0ANN}
  - {name: Ben Lead, role: lead, slack: U0BEN}
priorities:
  - code: P1
    title: Reduce ASB
    actions:
      - {ref: N-1, title: Launch the pledge, due: 31/03/2027, rag: green, owner: Ann Lead, note: Venue booked}
      - {ref: N-2, title: Train partners, due: 30/06/2027, owner: Ann Lead}
    measures:
      - {name: ASB incidents, baseline: 120, target: 100, direction: down}
groups:
  - {name: ASB Group, lead: Ann Lead, priorities: [P1]}
meetings:
  - {date: 21/01/2027, time: "10:00", title: Leadership Group}
"""

LATER = NOW + dt.timedelta(days=3)


def import_plan(
    factory: sessionmaker[Session],
    text: str = PLAN,
    name: str = "plan.yaml",
    *,
    prefer_file: bool = False,
) -> ImportReport:
    with transaction(factory) as s:
        plan = load_plan_text(text, name)
        when = NOW + dt.timedelta(days=7)
        return apply_plan(s, plan, source_name=name, now=when, prefer_file=prefer_file)


def import_table(factory: sessionmaker[Session], path: Path) -> ImportReport:
    table = read_table(path)
    assert not table.bad_rows
    plan: PlanFile = table.plan()
    with transaction(factory) as s:
        target = s.scalars(select(Partnership).where(Partnership.slug == "test")).one()
        return apply_plan(
            s,
            plan,
            source_name=str(path),
            partnership=target,
            now=NOW + dt.timedelta(days=7),
        )


def action(s: Session, ref: str) -> Action:
    return s.scalars(select(Action).where(Action.ref == ref)).one()


def history(factory: sessionmaker[Session]) -> int:
    with factory() as s:
        return s.scalar(select(func.count()).select_from(ActionUpdate)) or 0


def lead_moves_n2(factory: sessionmaker[Session], due: str = "30/09/2027") -> None:
    with factory() as s:
        outcome, text = run(
            context(s, "test", "Ann Lead", now=LATER), f"action update N-2 due:{due}"
        )
        assert outcome.ok, text
