"""The county board's digest and Home tab carry its districts; each digest reaches its own chairs.

The Shire board and Northdale both meet on 10/12/2026 (tests/fixtures/plans/shire.yaml
and northdale.yaml), so their digests are due on the same day, 03/12/2026.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session, sessionmaker

from bot.render.blocks import to_text
from bot.render.environment import render_blocks
from bot.schedule import digests
from bot.schedule.run import context as sweep_context
from partnership.home import home
from tests import kit
from tests.db import boardkit, digestkit
from tests.db.boardkit import NORTHDALE_PRIVATE, SOUTHMERE_PRIVATE
from tests.sweepkit import RecordingSender, at, sweep

MEETING = dt.date(2026, 12, 10)
DIGEST_DAY = "2026-12-03 09:30"


def test_the_boards_digest_carries_each_districts_summary(session: Session) -> None:
    boardkit.load(session)
    data = digestkit.digest(session, MEETING, slug="shire")
    districts = data["districts"]
    assert [d["label"] for d in districts["districts"]] == ["Northdale CSP", "Southmere CSP"]
    text = digestkit.text_of(digestkit.slack(data))
    assert "2 districts under Shire Safer Board" in text
    assert "Northdale CSP (N1): *red* · 2 open, 1 overdue · returns 0 of 1 in, 1 missing" in text
    assert "Southmere CSP (S1): *green* · 1 open, 0 overdue" in text
    assert "Northdale CSP: N3 Northdale community cohesion" in text
    # Summary only: the view-model itself holds nothing of the districts' actions or people.
    dumped = json.dumps(districts)
    for private in (*NORTHDALE_PRIVATE, *SOUTHMERE_PRIVATE):
        assert private not in text and private not in dumped, private


def test_a_districts_own_digest_has_no_districts_section(session: Session) -> None:
    boardkit.load(session)
    assert digestkit.digest(session, MEETING, slug="northdale")["districts"] is None
    assert digestkit.digest(session, MEETING, slug="riverside")["districts"] is None


def test_each_digest_goes_to_its_own_chairs_and_board_channel(
    factory: sessionmaker[Session],
) -> None:
    with factory() as session:
        boardkit.load(session)
        found = {}
        for slug in ("shire", "northdale", "southmere"):
            ctx = sweep_context(session, kit.partnership(session, slug), at(DIGEST_DAY))
            found[slug] = {m.recipient.name for m in digests.due(ctx)}
    assert found["shire"] == {"Bea Boardchair", "the board channel"}
    assert found["northdale"] == {"Nia Northchair", "the board channel"}
    assert found["southmere"] == set()  # no meeting, so no digest
    sender = RecordingSender()
    sweep(factory, sender, DIGEST_DAY)
    digests_sent = [p for p in sender.posts if p.kind == "digest"]
    by_address = {p.address: p for p in digests_sent}
    assert {"U0BEA", "C0SBOARD", "U0NIA", "C0NBOARD"} <= set(by_address)
    assert "U0NORA" not in by_address and "U0BILL" not in by_address
    board = by_address["U0BEA"].text
    assert "2 districts under Shire Safer Board" in board
    for private in (*NORTHDALE_PRIVATE, *SOUTHMERE_PRIVATE):
        assert private not in board, private
    district = by_address["U0NIA"].text
    assert "Districts" not in district and "Shire" not in district


def test_the_boards_home_tab_shows_the_districts(session: Session) -> None:
    boardkit.load(session)
    reply = home(kit.context(session, "shire", "Bo Boardmember"))
    blocks = kit.valid_blocks(render_blocks("home", reply.data), limit=100)
    text = to_text(blocks)
    assert "2 districts under Shire Safer Board" in text
    assert "Northdale CSP (N2): *amber* · 1 open, 0 overdue" in text
    for private in (*NORTHDALE_PRIVATE, *SOUTHMERE_PRIVATE):
        assert private not in text, private
    # A district's own Home tab and an unlinked partnership's have no districts section.
    assert home(kit.context(session, "northdale", "Nora Northcoord")).data["districts"] is None
    assert home(kit.context(session, "riverside", "Mo Member")).data["districts"] is None
