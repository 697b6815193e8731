"""Safer Gloucester's year 2011/12 (seed 000): six Leadership Group meetings, six action groups.

The plan: "The Safer Gloucester Leadership Group meets six times a year";
six "themed based multi agency action groups which meet at least quarterly"
report to it, and task-and-finish groups come and go. The example completed
by tests/fixtures/seed_years/safer-gloucester-2011.yaml (fictional people,
six meetings, a task-and-finish group from April to September) runs from
1 April 2011 to 31 May 2012 through ``run_due`` (tests/db/seedyearkit.py);
one lead answers only once chased.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.db.seedyearkit import (
    Year,
    backend,
    d,
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
    unanswered,
)

__all__ = ["backend"]  # the fixture, shared through the kit

SLUG = "safer-gloucester"
CHAIRS = ["Test Chair Gloucester", "Test Vice Chair Gloucester", "safer-gloucester board channel"]
ACTION_GROUPS = {
    "Crime Reduction Action Group": "Test Lead Alpha",
    "Substance Action Group": "Test Lead Bravo",
    "Neighbourhood Management Action Group": "Test Lead Charlie",
    "Anti Social Behaviour Steering Group": "Test Lead Delta",
    "Domestic Abuse and Sexual Violence Forum": "Test Lead Echo",
    "Forest and Gloucester Hate Crime Action Group": "Test Lead Foxtrot",
}
TASK_GROUP = "Test Night-Time Economy Task Group"  # April to September 2011
QUARTERS = ["Q1 2011/12", "Q2 2011/12", "Q3 2011/12", "Q4 2011/12"]
# The six meetings, and the day each digest goes (five working days before).
MEETINGS = {
    d("26/05/2011"): d("19/05/2011"),
    d("28/07/2011"): d("21/07/2011"),
    d("29/09/2011"): d("22/09/2011"),
    d("24/11/2011"): d("17/11/2011"),
    d("26/01/2012"): d("19/01/2012"),
    d("22/03/2012"): d("15/03/2012"),
}


@pytest.fixture(scope="module")
def year(backend: str) -> Iterator[Year]:
    """Safer Gloucester's year, once per backend."""
    yield from year_of("safer-gloucester-2011", backend)


def test_the_year_runs_clean(year: Year) -> None:
    assert not clean(year)


def test_six_leadership_group_digests_each_once_to_the_chairs(year: Year) -> None:
    assert digests(year, SLUG) == {
        meeting: [(day, to) for to in CHAIRS] for meeting, day in MEETINGS.items()
    }
    assert {s.to for s in year.of("digest")} == set(CHAIRS)


def test_the_six_action_groups_report_every_quarter(year: Year) -> None:
    held = reports_in(year, SLUG)
    assert {group: held.get(group) for group in ACTION_GROUPS} == {
        group: QUARTERS for group in ACTION_GROUPS
    }
    for lead in ACTION_GROUPS.values():
        assert periods_asked(year, lead) == QUARTERS, lead
    assert not unanswered(year)


def test_the_task_and_finish_group_reports_only_while_it_runs(year: Year) -> None:
    assert reports_in(year, SLUG)[TASK_GROUP] == QUARTERS[:2]
    assert periods_asked(year, "Test Lead Golf") == QUARTERS[:2]
    assert [s.day for s in year.sent if s.to == "Test Lead Golf"] == [
        d("14/07/2011"),
        d("14/10/2011"),
    ]
    # Nobody is asked for a report of a group that does not owe one, nor told it is missing.
    asked = {s.to for s in year.sent if s.kind in ("return_reminder", "return_chase")}
    assert asked == {*ACTION_GROUPS.values(), "Test Lead Golf"}
    assert not [
        s for s in year.of("returns_missing") if TASK_GROUP in s.text and s.day.year == 2012
    ]


def test_the_late_group_is_chased_and_the_coordinator_told(year: Year) -> None:
    chased = [s.day for s in year.of("return_chase")]
    assert chased == [d("22/07/2011"), d("24/10/2011"), d("24/01/2012"), d("25/04/2012")]
    assert {s.to for s in year.of("return_chase")} == {"Test Lead Echo"}
    told = year.of("returns_missing")
    assert [(s.day, s.to) for s in told] == [(day, "Test Coordinator Gloucester") for day in chased]
    assert all("Domestic Abuse and Sexual Violence Forum" in s.text for s in told)


def test_each_digest_counts_the_reports_in_and_quotes_their_escalations(year: Year) -> None:
    # (meeting, the digest's line on the reports, whether it quotes reports' escalations)
    expected = [
        (d("26/05/2011"), "Q4 2010/11* (due 21/04/2011): 7 of 7 in", False),
        (d("28/07/2011"), "Q1 2011/12* (due 21/07/2011): 6 of 7 in", True),
        # The forum's report came in on 22/07, after July's digest: September's quotes it.
        (d("29/09/2011"), "Q1 2011/12* (due 21/07/2011): 7 of 7 in, 1 of them late", True),
        (d("24/11/2011"), "Q2 2011/12* (due 21/10/2011): 7 of 7 in, 1 of them late", True),
        (d("26/01/2012"), "Q3 2011/12* (due 23/01/2012): 5 of 6 in", True),
        # Likewise the Q3 report that came in late, after January's digest.
        (d("22/03/2012"), "Q3 2011/12* (due 23/01/2012): 6 of 6 in, 1 of them late", True),
    ]
    for meeting, line, quotes in expected:
        digest = digest_for(year, SLUG, meeting)
        assert f"Quarterly returns for {line}" in digest.text, meeting
        shown = reports_shown(year, digest)
        quoted = {g for g, parts in shown.items() if "escalations" in parts}
        assert bool(quoted) == quotes, (meeting, shown)
        assert set(shown) <= set(ACTION_GROUPS) | {TASK_GROUP}
    # Not yet in on the digest day: the group is named as not due yet.
    july = digest_for(year, SLUG, d("28/07/2011"))
    assert "Not due yet: Domestic Abuse and Sexual Violence Forum" in july.text


def latest_before(year: Year, group: str, day: dt.date) -> str | None:
    """The period of a group's latest report in before ``day``'s digest (None: only paper ones).

    A report submitted on a digest's day comes in after it (11:00, the digest at 09:30).
    """
    periods = [r.period for r in year.reports if r.group == group and r.day < day]
    return periods[-1] if periods else None


def test_the_six_action_groups_reports_reach_the_chairs_in_each_digest(year: Year) -> None:
    for meeting, sent in MEETINGS.items():
        digest = digest_for(year, SLUG, meeting)
        shown = reports_shown(year, digest)
        for group in ACTION_GROUPS:
            period = latest_before(year, group, sent)
            if period is None:
                # May: every report in is the year before's, sent on paper; July: Echo's too.
                assert group not in shown, (meeting, group)
                continue
            for part, text in report_texts(group, period).items():
                if part != "escalations":
                    assert text in digest.text, (meeting, group, part)
    # Only May's digest (all six) and July's (Echo, in once chased) lack a report in the bot.
    paper_only = {
        meeting: {g for g in ACTION_GROUPS if latest_before(year, g, sent) is None}
        for meeting, sent in MEETINGS.items()
    }
    assert paper_only == {
        **{meeting: set() for meeting in MEETINGS},
        d("26/05/2011"): set(ACTION_GROUPS),
        d("28/07/2011"): {"Domestic Abuse and Sexual Violence Forum"},
    }
    # From September every action group has a report in the bot, and each reaches the chairs.
    for meeting in list(MEETINGS)[2:]:
        shown = reports_shown(year, digest_for(year, SLUG, meeting))
        assert {
            g
            for g in ACTION_GROUPS
            if {"summary", "achievements", "issues"} <= set(shown.get(g, []))
        } == set(ACTION_GROUPS), meeting


def test_a_report_in_after_the_digest_reaches_the_next_digest(year: Year) -> None:
    # Echo's Q1 report comes in on 22/07/2011 once chased: after the 21/07 digest, before
    # the 28/07 meeting. Its escalation must reach the chairs in the next digest (29/09).
    [late] = [r for r in year.reports if r.lead == "Test Lead Echo" and r.period == QUARTERS[0]]
    assert late.day == d("22/07/2011")
    september = digest_for(year, SLUG, d("29/09/2011"))
    assert report_texts(late.group, late.period)["escalations"] in september.text
