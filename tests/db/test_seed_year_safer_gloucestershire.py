"""The Safer Gloucestershire Board's year 2023/24 (seed 001), over six district CSPs.

The presentation: "The Safer Gloucestershire Board is … the umbrella strategy
group bringing together the district CSPs and county agencies", with six
district CSPs under it. The example completed by
tests/fixtures/seed_years/safer-gloucestershire-2023.yaml (fictional people,
four Board meetings, six small fictional district plans naming the Board as
their parent, one Slack workspace for all seven) runs from 1 April 2023 to
31 May 2024 through ``run_due`` (tests/db/seedyearkit.py). The Board's
digest goes to the Board's chairs and each district's to its own; nothing of
one district reaches another.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from storage.models import Partnership
from tests.db.seedyearkit import (
    Year,
    backend,
    d,
    year_of,
)
from tests.db.seedyearread import (
    clean,
    digest_for,
    digests,
    districts_named,
    periods_asked,
    reports_in,
    unanswered,
)

__all__ = ["backend"]  # the fixture, shared through the kit

BOARD = "safer-gloucestershire"
BOARD_CHAIRS = ["Test Chair Board", "Test Vice Chair Board", f"{BOARD} board channel"]
DISTRICTS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]
# The Board's priority each district's one priority maps onto (board_priority:); Foxtrot's none.
MAPPED = {"Alpha": "P9", "Bravo": "P4", "Charlie": "P5", "Delta": "P1", "Echo": "P9"}
QUARTERS = ["Q1 2023/24", "Q2 2023/24", "Q3 2023/24", "Q4 2023/24"]
BOARD_MEETINGS = {
    d("13/07/2023"): d("06/07/2023"),
    d("12/10/2023"): d("05/10/2023"),
    d("11/01/2024"): d("04/01/2024"),
    d("11/04/2024"): d("04/04/2024"),  # Good Friday and Easter Monday skipped
}
DISTRICT_MEETINGS = {
    d("29/06/2023"): d("22/06/2023"),
    d("28/09/2023"): d("21/09/2023"),
    d("04/01/2024"): d("27/12/2023"),  # Christmas, Boxing Day and New Year's Day skipped
    d("28/03/2024"): d("21/03/2024"),
}


def slug(district: str) -> str:
    """A fictional district's slug."""
    return f"test-district-{district.lower()}"


@pytest.fixture(scope="module")
def year(backend: str) -> Iterator[Year]:
    """The Board's and its districts' year, once per backend."""
    yield from year_of("safer-gloucestershire-2023", backend)


def test_the_year_runs_clean(year: Year) -> None:
    assert not clean(year)
    assert year.slugs == [BOARD, *(slug(n) for n in DISTRICTS)]


def test_every_district_sits_under_the_board(year: Year) -> None:
    with year.factory() as session:
        rows = {s: p for s, p in session.execute(select(Partnership.slug, Partnership.parent_id))}
        board = session.scalars(select(Partnership.id).where(Partnership.slug == BOARD)).one()
    assert rows == {BOARD: None, **{slug(n): board for n in DISTRICTS}}


def test_the_boards_digest_goes_to_the_boards_chairs(year: Year) -> None:
    assert digests(year, BOARD) == {
        meeting: [(day, to) for to in BOARD_CHAIRS] for meeting, day in BOARD_MEETINGS.items()
    }


def test_each_districts_digest_goes_to_its_own_chair_and_channel(year: Year) -> None:
    for name in DISTRICTS:
        own = [f"Test Chair District {name}", f"{slug(name)} board channel"]
        assert digests(year, slug(name)) == {
            meeting: [(day, to) for to in own] for meeting, day in DISTRICT_MEETINGS.items()
        }, name
    # Nobody gets a digest of a partnership they are not a chair of.
    chairs = {BOARD: set(BOARD_CHAIRS)}
    for name in DISTRICTS:
        chairs[slug(name)] = {f"Test Chair District {name}", f"{slug(name)} board channel"}
    assert [s for s in year.of("digest") if s.to not in chairs[s.slug]] == []


def test_nothing_of_one_district_reaches_another(year: Year) -> None:
    for name in DISTRICTS:
        for meeting in DISTRICT_MEETINGS:
            text = digest_for(year, slug(name), meeting).text
            others = [n for n in DISTRICTS if n != name and f"Test District {n}" in text]
            assert not others, (name, meeting, others)
            assert "Combatting Drugs Partnership" not in text
    # What the Board sees of a district is at most its summary, never its actions' text.
    for meeting in BOARD_MEETINGS:
        text = digest_for(year, BOARD, meeting).text
        assert not [n for n in DISTRICTS if f"Test District {n} action" in text]


def test_each_district_group_reports_every_quarter(year: Year) -> None:
    for name in DISTRICTS:
        group = f"Test District {name} Action Group"
        assert reports_in(year, slug(name)) == {group: QUARTERS}, name
        assert periods_asked(year, f"Test Lead District {name}") == QUARTERS
    assert not unanswered(year)
    # Foxtrot's lead answers only once chased; the coordinator hears of it, no one else's.
    chased = year.of("return_chase", "Test Lead District Foxtrot")
    assert [s.day for s in chased] == [
        d("24/07/2023"),
        d("23/10/2023"),
        d("23/01/2024"),
        d("23/04/2024"),
    ]
    told = {(s.slug, s.to) for s in year.of("returns_missing")}
    assert told == {
        (BOARD, "Test Coordinator Board"),
        (slug("Foxtrot"), "Test Coordinator District Foxtrot"),
    }


def test_the_boards_groups_with_leads_are_asked_and_the_work_streams_are_not(year: Year) -> None:
    held = reports_in(year, BOARD)
    assert held == {"Combatting Drugs Partnership": QUARTERS}
    # The Reducing Reoffending Board's lead never reports: chased three times a quarter.
    assert len(year.of("return_chase", "Test Lead Board Bravo")) == 3 * 4
    asked = {s.to for s in year.sent if s.slug == BOARD and s.kind.startswith("return_")}
    assert asked == {"Test Lead Board Alpha", "Test Lead Board Bravo"}


def test_every_board_digest_carries_all_six_districts_summaries(year: Year) -> None:
    names = [f"Test District {n} CSP" for n in DISTRICTS]
    for meeting in BOARD_MEETINGS:
        text = digest_for(year, BOARD, meeting).text
        assert districts_named(digest_for(year, BOARD, meeting), names) == names, meeting
        assert "*Districts* — 6 districts under Safer Gloucestershire" in text, meeting
        # Each mapped district sits under the Board's priority it maps onto, with its summary.
        for name, code in MAPPED.items():
            assert f"Test District {name} CSP (P1): *" in text, (meeting, name, code)
        # The unmapped one is shown as such, with its own priority's code and title.
        assert "*Not mapped* onto a countywide priority — Test District Foxtrot CSP: " in text
        assert "P1 Test District Foxtrot local priority" in text
        assert not [n for n in MAPPED if f"Test District {n} local priority" in text], meeting


def test_the_board_sees_no_districts_action_text_group_or_people(year: Year) -> None:
    for meeting in BOARD_MEETINGS:
        text = digest_for(year, BOARD, meeting).text
        for name in DISTRICTS:
            for secret in (
                f"Test District {name} action",
                f"Test District {name} Action Group",
                f"Test Lead District {name}",
                f"Test Chair District {name}",
                f"Test Coordinator District {name}",
                "D-1",
            ):
                assert secret not in text, (meeting, secret)
