"""Property-based fuzzing of every ``/csp`` sub-command against a real database (see fuzzkit)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.environment import render_blocks
from commands.framework.dispatch import dispatch_text
from commands.framework.registry import registry
from tests.db.fuzzkit import (
    ASKERS,
    COMMANDS,
    EXAMPLES,
    FUZZ,
    FuzzDB,
    ask,
    assert_no_ping,
    check_line,
    fuzz_db,
    mrkdwn_texts,
    snapshot,
)
from tests.db.fuzzlines import lines

__all__ = ["fuzz_db"]  # fixtures shared through the kit


@pytest.mark.parametrize("name", COMMANDS)
def test_fuzzed_lines_are_handled(fuzz_db: FuzzDB, name: str) -> None:
    """Any line typed at any sub-command, by anyone: a valid result or a private, useful error."""
    cmd = registry()[name]

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(line=lines(cmd), asker=st.sampled_from(ASKERS))
    def fuzz(line: str, asker: tuple[str, str | None]) -> None:
        check_line(fuzz_db, asker[0], asker[1], line)

    fuzz()
    with fuzz_db.factory() as session:
        assert snapshot(session) == fuzz_db.baseline, "the fuzz left something in the database"


def test_the_fuzz_covers_every_sub_command() -> None:
    """Every registered sub-command is fuzzed, and the run is at least 1,000 lines per backend."""
    assert set(COMMANDS) == set(registry())
    assert len(COMMANDS) * EXAMPLES >= 1000


def test_forged_replayed_and_stale_requests_are_covered_elsewhere() -> None:
    """The HTTP edge's refusals are tested against the real server in test_e2e_signatures.py."""
    source = (Path(__file__).parents[1] / "process" / "test_e2e_signatures.py").read_text()
    for word in ("forged", "replay", "stale"):
        assert word in source.lower(), word


def test_snapshot_sees_a_write(fuzz_db: FuzzDB) -> None:
    """The "nothing written" check would notice a write (it is not vacuous)."""
    with fuzz_db.factory() as session:
        ctx = ask(session, "riverside", "Cora Coordinator")
        outcome = dispatch_text(ctx, "action update A-3 rag:red progress slipping")
        assert outcome.ok
        session.flush()
        assert snapshot(session) != fuzz_db.baseline
        session.rollback()
        assert snapshot(session) == fuzz_db.baseline


def test_rendered_text_helper_finds_mrkdwn() -> None:
    """The ping check reads mrkdwn text wherever it sits in a block tree."""
    blocks = render_blocks(
        "error", {"message": "<!channel> typed", "line": "/csp x", "example": ""}
    )
    texts = list(mrkdwn_texts(blocks))
    assert texts and all("<!channel>" not in t for t in texts)
    with pytest.raises(AssertionError):
        assert_no_ping("hi <!here>", frozenset(), frozenset(), "test")
    assert_no_ping("hi <@U0LEE> in <#C0RBOARD>", frozenset({"U0LEE"}), frozenset({"C0RBOARD"}), "")
