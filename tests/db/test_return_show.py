"""`/csp return show`: a sub-group's report in full with its earlier versions, for anyone in it."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from tests import kit
from tests.db.digestkit import HOSTILE
from tests.db.returnskit import asb_form, ctx_at, plans, submit
from tests.sweepkit import at

__all__ = ["plans"]  # fixtures shared through the kit


def amended(session: Session) -> None:
    """Gina submits Q3 on 18/01/2027; Cora amends it on 22/01/2027 (summary and RAG)."""
    gina = ctx_at(session, "Gina Grouplead", at("2027-01-18 11:00"))
    assert submit(gina, asb_form(gina, issues="Funding ends in March")).ok
    cora = ctx_at(session, "Cora Coordinator", at("2027-01-22 17:30"))
    changed = asb_form(
        cora, summary="Revised after the panel", rag_P1="green", version="1", issues="Funding ends"
    )
    assert submit(cora, changed).ok


def test_a_member_reads_the_latest_report_with_its_earlier_version(plans: Session) -> None:
    amended(plans)
    outcome, text = kit.run(ctx_at(plans, "Mo Member"), 'return show group:"ASB Steering Group"')
    assert outcome.ok, text
    assert "ASB Steering Group: Q3 2026/27 report" in text
    assert "version 2, submitted 22/01/2027 by Cora Coordinator" in text and "P1 green" in text
    assert "Revised after the panel" in text and "Community trigger panel set up" in text
    assert "Issues and risks" in text and "Funding ends" in text
    assert "Version 1*, saved 18/01/2027 11:00 by Gina Grouplead; version 2 changed:" in text
    assert "_Summary_, was: Hotspot patrols ran all quarter. ASB down in the town centre." in text
    assert "_RAG P1_, was: amber (then green)" in text
    assert "_Issues and risks_, was: Funding ends in March" in text


def test_the_lead_needs_no_group_and_a_quarter_may_be_named(plans: Session) -> None:
    amended(plans)
    outcome, text = kit.run(ctx_at(plans, "Gina Grouplead"), "return show")
    assert outcome.ok and "Q3 2026/27 report" in text, text
    outcome, text = kit.run(ctx_at(plans, "Gina Grouplead"), "return show Q3 2026/27")
    assert outcome.ok and "Revised after the panel" in text, text
    outcome, text = kit.run(ctx_at(plans, "Gina Grouplead"), "return show Q2 2026/27")
    assert not outcome.ok and "has not submitted a report for Q2 2026/27" in text
    assert "/csp return status Q2 2026/27" in text


def test_without_a_group_someone_who_leads_none_is_told_which_there_are(plans: Session) -> None:
    amended(plans)
    outcome, text = kit.run(ctx_at(plans, "Mo Member"), "return show")
    assert not outcome.ok and 'group:"ASB Steering Group"' in text, text
    outcome, text = kit.run(ctx_at(plans, "Mo Member"), 'return show group:"Youth Forum"')
    assert not outcome.ok and "Youth Forum has not submitted a report yet" in text


def test_another_partnership_cannot_read_it(plans: Session) -> None:
    amended(plans)
    hillford = kit.context(plans, "hillford", None)
    outcome, text = kit.run(hillford, 'return show group:"ASB Steering Group"')
    assert not outcome.ok and "Revised after the panel" not in text


def test_a_report_never_amended_says_so(plans: Session) -> None:
    gina = ctx_at(plans, "Gina Grouplead")
    assert submit(gina, asb_form(gina)).ok
    outcome, text = kit.run(ctx_at(plans, "Chris Chair"), "return show group:ASB Steering Group")
    assert outcome.ok and "No earlier versions" in text, text


def test_hostile_and_huge_reports_fit_and_stay_text(plans: Session) -> None:
    gina = ctx_at(plans, "Gina Grouplead")
    huge = "\n".join([HOSTILE] + [f"Line {i} " + "word " * 60 for i in range(6)])[:2000]
    values = asb_form(gina, summary=huge, achievements=huge, issues=huge, escalations=huge)
    assert submit(gina, values).ok
    for n in range(2, 14):  # thirteen versions: the reply shows the newest earlier ones
        cora = ctx_at(plans, "Cora Coordinator")
        again = asb_form(cora, summary=f"{n} {huge}"[:2000], version=str(n - 1))
        again.update(achievements=huge, issues=huge, escalations=huge)
        assert submit(cora, again).ok
    outcome, text = kit.run(ctx_at(plans, "Mo Member"), 'return show group:"ASB Steering Group"')
    assert outcome.ok, text
    blocks = kit.rendered(outcome)  # every page valid Block Kit, sections under 3,000
    raw = json.dumps(blocks, ensure_ascii=False)
    assert "<!channel>" not in raw and "&lt;!channel&gt;" in raw and "<script>" not in raw
    assert "older versions, kept in the history" in text
