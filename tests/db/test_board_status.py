"""``/csp board status`` and ``/csp priority map``: the board's districts, summary by default.

The Shire board (tests/fixtures/plans/shire.yaml) has two districts: Northdale
maps N1 onto C1 and N2 onto C2 and leaves N3 unmapped; Southmere maps S1 onto
C1 and S2 onto C9, which the board does not have. Riverside is under no board.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from partnership.context import Reply
from storage.models import PlanChange, Priority
from tests import kit
from tests.db import boardkit
from tests.db.boardkit import NORTHDALE_PRIVATE, SOUTHMERE_PRIVATE


def _run(session: Session, slug: str, who: str | None, line: str) -> tuple[bool, str, str]:
    """(ok, text shown, the reply's data as JSON) for a typed line."""
    outcome, text = kit.run(kit.context(session, slug, who), line)
    data = ""
    if outcome.ok:
        kit.rendered(outcome)
        assert isinstance(outcome.result, Reply)
        data = json.dumps(outcome.result.data)
    return outcome.ok, text, data


def _mapping(session: Session, slug: str, code: str) -> str | None:
    pid = kit.partnership(session, slug).id
    return session.scalars(
        select(Priority.board_priority).where(Priority.partnership_id == pid, Priority.code == code)
    ).one()


def test_a_board_member_sees_each_district_side_by_side_summary_only(session: Session) -> None:
    boardkit.load(session)
    ok, text, data = _run(session, "shire", "Bo Boardmember", "board status")
    assert ok, text
    assert "2 districts under Shire Safer Board" in text
    assert (
        "*C1* Anti-social behaviour countywide — the board's own: *red*, 1 open, 1 overdue" in text
    )
    # The board's own overdue action, named: the board's own data.
    assert "*A-1* County ASB case review process — Bill Boardcoord" in text
    assert "Northdale CSP (N1): *red* · 2 open, 1 overdue · returns 0 of 1 in, 1 missing" in text
    assert "Southmere CSP (S1): *green* · 1 open, 0 overdue" in text
    assert "Northdale CSP (N2): *amber* · 1 open, 0 overdue" in text
    assert "*Northdale CSP*: returns for Q2 2026/27 0 of 1 in, *1 missing* · summary only" in text
    # Section 115: no district's action text, people's names or group names, anywhere in the reply.
    for private in NORTHDALE_PRIVATE + SOUTHMERE_PRIVATE:
        assert private not in text and private not in data, private
    # Only the board's own districts: Riverside is under no board.
    assert "Riverside" not in text and "Riverside" not in data


def test_unmapped_priorities_are_shown_as_not_mapped(session: Session) -> None:
    boardkit.load(session)
    ok, text, _ = _run(session, "shire", "Bo Boardmember", "board status")
    assert ok, text
    c3 = text.split("*C3*", 1)[1]
    assert "_no priority mapped_: Northdale CSP, Southmere CSP" in c3.split("*C", 1)[0]
    c2 = text.split("*C2*", 1)[1].split("*C3*", 1)[0]
    assert "_no priority mapped_: Southmere CSP" in c2 and "Northdale CSP (" in c2
    assert "Northdale CSP: N3 Northdale community cohesion" in text
    assert (
        "S2 Southmere night-time economy (names `C9`, which Shire Safer Board does not have)"
        in (text)
    )


def test_a_district_that_shares_its_actions_shows_them_to_the_board(session: Session) -> None:
    boardkit.load(session)
    ok, text, _ = _run(session, "northdale", "Nora Northcoord", "settings share_with_board:actions")
    assert ok, text
    ok, text, data = _run(session, "shire", "Bea Boardchair", "board status")
    assert ok, text
    assert (
        "*Northdale CSP*: returns for Q2 2026/27 0 of 1 in, *1 missing* · shares its actions"
        in text
    )
    assert (
        "*A-1* Northdale hotspot patrols on Elm Street — Ned Northlead, due 30/09/2026 (overdue)"
        in (text)
    )
    assert "*A-3* Northdale refuge referrals review — Ned Northlead" in text
    # Southmere did not share: still nothing of its actions or people.
    for private in SOUTHMERE_PRIVATE:
        assert private not in text and private not in data, private
    # Back to the summary.
    ok, text, _ = _run(session, "northdale", "Nora Northcoord", "settings reset:share_with_board")
    assert ok, text
    ok, text, data = _run(session, "shire", "Bea Boardchair", "board status")
    for private in NORTHDALE_PRIVATE:
        assert private not in text and private not in data, private


def test_the_sharing_setting_refuses_a_bad_value_and_only_coordinators_change_it(
    session: Session,
) -> None:
    boardkit.load(session)
    ok, text, _ = _run(session, "northdale", "Nora Northcoord", "settings share_with_board:all")
    assert not ok and "`summary`" in text and "`actions`" in text
    ok, text, _ = _run(session, "northdale", "Ned Northlead", "settings share_with_board:actions")
    assert not ok and "only" in text
    assert kit.partnership(session, "northdale").settings is None


def test_one_district_by_name_and_a_name_not_of_this_board(session: Session) -> None:
    boardkit.load(session)
    ok, text, _ = _run(session, "shire", "Bo Boardmember", "board status southmere csp")
    assert ok, text
    assert "Southmere Community Safety Partnership as Shire Safer Board sees it" in text
    assert "Northdale" not in text
    # Another partnership in the bot, or a made-up name: the same reply, naming only its districts.
    for forged in ("Riverside", "riverside community safety partnership", "Atlantis"):
        ok, text, _ = _run(session, "shire", "Bo Boardmember", f"board status {forged}")
        assert not ok
        assert "is not a district of Shire Safer Board" in text
        assert "Its districts: Northdale CSP, Southmere CSP" in text
        assert "Riverside Leadership" not in text and "Lee Lead" not in text


def test_a_district_coordinator_sees_only_their_own_district(session: Session) -> None:
    boardkit.load(session)
    ok, text, data = _run(session, "northdale", "Nora Northcoord", "board status")
    assert ok, text
    assert "Northdale Community Safety Partnership as Shire Safer Board sees it" in text
    assert "Northdale CSP (N1): *red*" in text
    for private in (*SOUTHMERE_PRIVATE, "Southmere"):
        assert private not in text and private not in data, private
    ok, text, _ = _run(session, "northdale", "Nora Northcoord", "board status Northdale CSP")
    assert ok, text
    # Another district, another partnership or a made-up name: one refusal, revealing nothing.
    replies = set()
    for other in ("Southmere", "southmere community safety partnership", "Riverside", "Nowhere"):
        ok, text, _ = _run(session, "northdale", "Nora Northcoord", f"board status {other}")
        assert not ok
        assert "you can see only Northdale Community Safety Partnership's own summary" in text
        replies.add(text)
    assert len(replies) == 1
    # A district's lead is not a coordinator.
    ok, text, _ = _run(session, "northdale", "Ned Northlead", "board status")
    assert not ok and "only a coordinator (Nora Northcoord) can" in text


def test_board_status_outside_a_board_says_how_to_link_one(session: Session) -> None:
    boardkit.load(session)
    ok, text, _ = _run(session, "riverside", "Cora Coordinator", "board status")
    assert not ok
    assert "has no districts and is under no county board" in text
    assert "parent:" in text


def test_a_district_coordinator_maps_a_priority_onto_the_boards(session: Session) -> None:
    boardkit.load(session)
    ok, text, _ = _run(session, "northdale", "Nora Northcoord", "priority map N3 to:C3")
    assert ok, text
    assert "*N3* Northdale community cohesion maps onto Shire Safer Board's *C3*" in text
    assert _mapping(session, "northdale", "N3") == "C3"
    entry = session.scalars(select(PlanChange).where(PlanChange.subject == "priority")).one()
    assert entry.changes == {"board_priority": [None, "C3"]} and entry.by is not None
    ok, text, _ = _run(session, "shire", "Bo Boardmember", "board status")
    assert "Northdale CSP (N3): *not rated* · 0 open, 0 overdue" in text.split("*C3*", 1)[1]
    assert "N3 Northdale community cohesion" not in text
    # By title, and again: nothing to change.
    ok, text, _ = _run(
        session,
        "northdale",
        "Nora Northcoord",
        'priority map N3 to:"Reducing reoffending countywide"',
    )
    assert ok and "Nothing to change" in text
    ok, text, _ = _run(session, "northdale", "Nora Northcoord", "priority map N3 to:none")
    assert ok and "is not mapped" in text
    assert _mapping(session, "northdale", "N3") is None


def test_priority_map_refuses_what_it_cannot_do_and_writes_nothing(session: Session) -> None:
    boardkit.load(session)
    cases = (
        ("northdale", "Nora Northcoord", "priority map N3 to:C9", "Its priorities: C1, C2, C3"),
        ("northdale", "Nora Northcoord", "priority map N3", "to:P9"),
        ("northdale", "Nora Northcoord", "priority map N7 to:C1", "no priority `N7`"),
        (
            "northdale",
            "Ned Northlead",
            "priority map N3 to:C1",
            "only a coordinator (Nora Northcoord) can",
        ),
        ("riverside", "Cora Coordinator", "priority map P1 to:C1", "under no county board"),
        # The board's priorities are the board's: a district cannot reach another's.
        ("southmere", "Sam Southcoord", "priority map N3 to:C1", "no priority `N3`"),
    )
    for slug, who, line, said in cases:
        ok, text, _ = _run(session, slug, who, line)
        assert not ok, line
        assert said in text, (line, text)
    assert _mapping(session, "northdale", "N3") is None
    assert session.scalars(select(PlanChange).where(PlanChange.subject == "priority")).all() == []


def test_the_plan_file_mapping_is_kept_when_the_file_leaves_it_out(session: Session) -> None:
    boardkit.load(session)
    assert _mapping(session, "northdale", "N1") == "C1"
    assert _mapping(session, "southmere", "S2") == "C9"
    ok, text, _ = _run(session, "northdale", "Nora Northcoord", "priority map N3 to:C2")
    assert ok, text
    kit.load_plans(session, "northdale")  # the file says nothing of N3's mapping
    assert _mapping(session, "northdale", "N3") == "C2"
    assert _mapping(session, "northdale", "N1") == "C1"
