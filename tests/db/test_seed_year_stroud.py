"""Stroud District CSP's year 2023/24 (seed 004): quarterly reviews, sub-groups' reports.

The plan: "the sub-group Chairs … presenting a progress report to the SDCSP
meeting on a quarterly basis", and the Partnership "undertaking quarterly
reviews of progress". The example completed by
tests/fixtures/seed_years/stroud-2023.yaml (fictional people, four reviews,
reports due ten working days before each) runs from 1 April 2023 to 31 May 2024
through ``run_due`` (tests/db/seedyearkit.py); one lead answers only once
chased.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import yaml

from tests.db.seedyearkit import (
    Year,
    backend,
    d,
    read_script,
    report_texts,
    year_of,
)
from tests.db.seedyearread import (
    clean,
    digest_for,
    digests,
    periods_asked,
    reports_in,
    reports_shown,
    sara_counts,
    unanswered,
)

__all__ = ["backend"]  # the fixture, shared through the kit

SLUG = "stroud"
CHAIRS = ["Test Chair Stroud", "Test Vice Chair Stroud", "stroud board channel"]
GROUPS = [
    "Community Engagement Subgroup",
    "Domestic Abuse Subgroup",
    "Prevent and Hate Crime Subgroup",
    "Reducing Reoffending Subgroup",
    "Serious Violence Subgroup",
]
QUARTERS = ["Q1 2023/24", "Q2 2023/24", "Q3 2023/24", "Q4 2023/24"]
# Each quarterly review, and the day its digest goes (five working days before).
REVIEWS = {
    d("27/07/2023"): d("20/07/2023"),
    d("26/10/2023"): d("19/10/2023"),
    d("25/01/2024"): d("18/01/2024"),
    d("25/04/2024"): d("18/04/2024"),
}
# The reports' deadlines: ten working days before each review (Easter 2024 skipped).
DEADLINES = [d("13/07/2023"), d("12/10/2023"), d("11/01/2024"), d("11/04/2024")]


@pytest.fixture(scope="module")
def year(backend: str) -> Iterator[Year]:
    """Stroud's year, once per backend."""
    yield from year_of("stroud-2023", backend)


def test_the_year_runs_clean(year: Year) -> None:
    assert not clean(year)


def test_each_quarterly_review_gets_its_digest_once_to_both_chairs_and_the_board(
    year: Year,
) -> None:
    assert digests(year, SLUG) == {
        meeting: [(day, to) for to in CHAIRS] for meeting, day in REVIEWS.items()
    }


def test_every_sub_group_reports_every_quarter(year: Year) -> None:
    assert reports_in(year, SLUG) == {group: QUARTERS for group in GROUPS}
    # The leads were asked for each quarter, in order, and nothing else.
    for n in "Alpha", "Bravo", "Charlie", "Delta", "Echo":
        assert periods_asked(year, f"Test Lead {n}") == QUARTERS
    assert not unanswered(year)


def test_reminders_a_week_before_the_deadline_and_the_late_lead_chased(year: Year) -> None:
    reminded = {s.day for s in year.of("return_reminder", "Test Lead Alpha")}
    # Five working days before each deadline (the Easter bank holidays skipped in April).
    assert reminded == {d("06/07/2023"), d("05/10/2023"), d("04/01/2024"), d("04/04/2024")}
    # Charlie answers only a chase: reminded, reminded on the day, chased the day after.
    charlie = [(s.day, s.kind) for s in year.sent if s.to == "Test Lead Charlie"]
    for deadline in DEADLINES:
        assert (deadline, "return_reminder") in charlie
    chased = [day for day, kind in charlie if kind == "return_chase"]
    assert chased == [d("14/07/2023"), d("13/10/2023"), d("12/01/2024"), d("12/04/2024")]
    late = [r for r in year.reports if r.lead == "Test Lead Charlie"]
    assert [r.day for r in late] == chased


def test_the_coordinator_hears_once_a_quarter_of_the_one_report_missing(year: Year) -> None:
    told = year.of("returns_missing")
    assert [(s.day, s.to) for s in told] == [
        (day, "Test Coordinator Stroud")
        for day in (d("14/07/2023"), d("13/10/2023"), d("12/01/2024"), d("12/04/2024"))
    ]
    for s in told:
        assert "Prevent and Hate Crime Subgroup" in s.text
        assert not [g for g in GROUPS[:1] + GROUPS[3:] if g in s.text], s.text


def test_each_review_digest_counts_the_quarters_reports_and_quotes_escalations(
    year: Year,
) -> None:
    for (meeting, _), quarter, deadline in zip(REVIEWS.items(), QUARTERS, DEADLINES, strict=True):
        digest = digest_for(year, SLUG, meeting)
        # All five are in by the digest day, Charlie's a day late.
        due = deadline.strftime("%d/%m/%Y")
        assert f"Quarterly returns for {quarter}* (due {due}): 5 of 5 in, 1 of them late" in (
            digest.text
        ), meeting
        # The reports reach the chairs' digest (today: their escalations, the first few).
        shown = reports_shown(year, digest)
        assert "escalations" in shown.get("Community Engagement Subgroup", []), (meeting, shown)
        assert set(shown) <= set(GROUPS)


def test_each_review_digest_carries_each_sub_groups_latest_report(year: Year) -> None:
    for meeting, quarter in zip(REVIEWS, QUARTERS, strict=True):
        digest = digest_for(year, SLUG, meeting)
        shown = reports_shown(year, digest)
        for group in GROUPS:
            assert {"summary", "achievements", "issues"} <= set(shown.get(group, [])), (
                meeting,
                group,
                shown,
            )
            # The quarter's report, not an earlier one.
            for part, text in report_texts(group, quarter).items():
                if part != "escalations":
                    assert text in digest.text, (meeting, group, part)
        assert "/csp return show group:" in digest.text


def sara_in_the_plan() -> dict[str, int]:
    """The SARA stage of each T-action the completion file gives, counted by stage."""
    plan = yaml.safe_load(read_script("stroud-2023").plans[0])
    stages = Counter(a["sara"] for a in plan["actions"] if a["ref"].startswith("T-"))
    return {stage: stages.get(stage, 0) for stage in SARA}


SARA = ["scanning", "analysis", "response", "assessment"]


def test_each_review_digest_counts_problem_solving_actions_by_sara_stage(year: Year) -> None:
    expected = sara_in_the_plan()
    assert expected == {"scanning": 1, "analysis": 2, "response": 1, "assessment": 0}
    for meeting in REVIEWS:
        digest = digest_for(year, SLUG, meeting)
        assert sara_counts(digest) == expected, meeting
        assert "Problem-solving (SARA), open: 1 scanning · 2 analysis · 1 response" in digest.text
