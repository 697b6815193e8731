"""Each sub-group's latest report reaches the chairs: cut in Slack with the line to read it, whole on paper."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from bot.render.documents import render_document
from storage.models import QuarterlyReturn, SubGroup
from tests import kit
from tests.db.digestkit import HOSTILE, add_return, digest, group, plans, slack

__all__ = ["plans"]  # fixtures shared through the kit

SUBMITTED = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)
LONG = "Hotspot patrols ran every weekend in the town centre and the park. " * 12


def reported(session: Session, **texts: str) -> None:
    """The ASB Steering Group's Q2 2026/27 report, with the texts given."""
    add_return(session, "ASB Steering Group", submitted=SUBMITTED)
    ret = session.query(QuarterlyReturn).one()
    for name, value in texts.items():
        setattr(ret, name, value)
    session.commit()


def all_text(data: dict[str, object]) -> str:
    return json.dumps([b for page in slack(data) for b in page], ensure_ascii=False)


def test_the_digest_carries_each_groups_latest_report_cut_with_the_line_to_read_it(
    plans: Session,
) -> None:
    reported(plans, summary=LONG, achievements="Panel set up", issues_risks="Funding ends")
    data = digest(plans)
    (row,) = data["reports"]
    assert row["group"] == "ASB Steering Group" and row["quarter"] == "Q2 2026/27"
    assert row["summary"] == [LONG.strip()] and row["achievements"] == ["Panel set up"]
    (shown,) = data["shown"]["reports"]["rows"]
    assert shown["cut"] and shown["parts"]["summary"]["text"].endswith("…")
    assert len(shown["parts"]["summary"]["text"]) <= 281
    text = all_text(data)
    assert "Reports from the sub-groups" in text and "_Issues and risks:_ Funding ends" in text
    assert '`/csp return show group:\\"ASB Steering Group\\" Q2 2026/27`' in text
    assert "Read it all" in text
    # Its button runs the same line for whoever presses it (bot/slack/app.py LINE_BUTTONS).
    (button,) = [
        e
        for page in slack(data)
        for b in page
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "return_show"
    ]
    assert button["value"] == 'in:riverside return show group:"ASB Steering Group" Q2 2026/27'
    pressed, said = kit.run(kit.context(plans, person="Chris Chair"), button["value"][13:])
    assert pressed.ok and "Hotspot patrols ran every weekend" in said, said
    # The board papers print it whole.
    for fmt in ("md", "html"):
        paper = render_document(data, fmt)
        assert "Reports from the sub-groups" in paper
        assert "Hotspot patrols ran every weekend" in paper and paper.count("the park") >= 12


def test_a_later_quarter_is_the_one_shown_and_closed_groups_are_left_out(plans: Session) -> None:
    add_return(plans, "ASB Steering Group", submitted=SUBMITTED, quarter=(2026, 1))
    add_return(plans, "ASB Steering Group", submitted=SUBMITTED, quarter=(2026, 2))
    plans.commit()
    (row,) = digest(plans)["reports"]
    assert row["quarter"] == "Q2 2026/27"
    group(plans).closed_on = dt.date(2026, 11, 1)
    plans.commit()
    assert digest(plans)["reports"] == []


def test_many_huge_hostile_reports_page_within_block_kit(plans: Session) -> None:
    pid = kit.partnership(plans).id
    huge = (HOSTILE + "\n" + "word " * 390)[:2000]
    for i in range(30):
        g = SubGroup(partnership_id=pid, name=f"Group {i:02d} {HOSTILE}")
        plans.add(g)
        plans.flush()
        plans.add(
            QuarterlyReturn(
                partnership_id=pid,
                subgroup_id=g.id,
                fy_start_year=2026,
                quarter=2,
                submitted_at=SUBMITTED,
                summary=huge,
                achievements=huge,
                issues_risks=huge,
                escalations=huge,
            )
        )
    plans.commit()
    data = digest(plans)
    assert len(data["reports"]) == 30
    assert data["shown"]["reports"]["more"] == 30 - len(data["shown"]["reports"]["rows"])
    text = all_text(data)  # slack() checks every page against Block Kit's limits
    assert "<!channel>" not in text and "<script>" not in text and "&lt;!channel&gt;" in text
    assert "more groups' reports" in text
    md = render_document(data, "md")
    assert md.count(": Q2 2026/27 report, submitted") == 30 and "<script>" not in md
    html = render_document(data, "html")
    assert "<script>" not in html and html.count(": Q2 2026/27 report, submitted") == 30
