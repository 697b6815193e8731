"""A group on its own cycle: the group list says so, and the digest lists it under its own deadline.

Riverside (tests/fixtures/plans/riverside.yaml) reports twice a year after September
and March; its Night-time Economy Group (Lee) after December and June. Before the
10/12/2026 meeting the partnership's H1 2026/27 deadline has passed, the group's has not.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from partnership import cycles
from storage.cycles import parse_cycle
from storage.dates import uk
from tests import kit
from tests.db import digestkit
from tests.db.returnskit import ctx_at
from tests.db.test_cycles import setup, typed
from tests.sweepkit import at

NTE = "Night-time Economy Group"
OWN = "twice a year: December, June"
MEETING = dt.date(2026, 12, 10)
DIGEST = at("2026-12-03 09:30")


def own_months(session: Session) -> None:
    """Riverside on September and March; the Night-time Economy Group on December and June."""
    setup(session, reporting_cycle="twice a year: September, March")
    cora = ctx_at(session, "Cora Coordinator", DIGEST)
    done = typed(cora, f'group cycle "{NTE}" cycle:"{OWN}"')
    assert done.ok, done.error


def test_the_group_list_names_a_groups_own_cycle(session: Session) -> None:
    own_months(session)
    outcome, text = kit.run(ctx_at(session, "Mo Member", DIGEST), "group list")
    assert outcome.ok, text
    line = next(x for x in text.splitlines() if NTE in x)
    assert f"reports on its own cycle: {OWN}" in line, line
    asb = next(x for x in text.splitlines() if "ASB Steering Group" in x)
    assert "own cycle" not in asb, asb
    # Back on the partnership's cycle, nothing is said.
    assert typed(
        ctx_at(session, "Cora Coordinator", DIGEST), f'group cycle "{NTE}" cycle:partnership'
    ).ok
    outcome, text = kit.run(ctx_at(session, "Mo Member", DIGEST), "group list")
    assert "own cycle" not in text, text


def test_the_digest_lists_it_under_its_own_deadline(session: Session) -> None:
    own_months(session)
    ctx = ctx_at(session, "Cora Coordinator", DIGEST)
    half = cycles.half(2026, 1)
    partnership_due = cycles.deadline(ctx, half).day
    own_due = cycles.deadline(ctx, half, parse_cycle(OWN)).day
    assert partnership_due < DIGEST.date() < own_due
    data = digestkit.digest(session, MEETING, now=DIGEST)
    returns = data["returns"]
    assert returns["quarter"] == "H1 2026/27" and returns["deadline"] == uk(partnership_due)
    missing = {r["group"]: r for r in returns["missing"]}
    assert missing[NTE]["deadline"] == uk(own_due) and not missing[NTE]["overdue"]
    assert missing["ASB Steering Group"]["overdue"]
    text = digestkit.text_of(digestkit.slack(data))
    assert f"Not due yet: {NTE} (due {uk(own_due)})" in text, text
    missing_line = next(x for x in text.splitlines() if x.startswith("Missing:"))
    assert NTE not in missing_line
