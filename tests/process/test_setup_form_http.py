"""Setting up from Slack, end to end: one-time codes, bad values on their fields, districts.

The same stack as test_setup_http.py (tests/process/setupkit.py), both backends.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from storage.models import Partnership, SetupCode
from tests.e2e import Stack, all_text
from tests.process.setupkit import (
    ADMIN,
    EMPTY,
    FORM,
    GEN,
    NOBODY,
    RIVER,
    acked,
    clean,
    cli,
    counts,
    e2e,
    open_setup,
    submit,
)

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


def test_a_one_time_code_works_once(e2e: Stack) -> None:
    printed = cli(e2e, "setup-code")
    [code] = re.findall(r"code:([A-Z0-9-]+)", printed)
    with e2e.db.session() as session:
        [row] = session.scalars(select(SetupCode))
        assert code not in row.digest  # stored hashed
    before = counts(e2e)
    view = open_setup(e2e, "U0CODY", f"setup code:{code}")
    # Someone else typing the same code is refused: it is Cody's now.
    other = acked(e2e.server.command("U0OTHER", f"setup code:{code}", team=EMPTY, channel=GEN))
    assert "already been used" in all_text(other["blocks"])
    assert acked(submit(e2e, "U0CODY", view, {**FORM, "your_name": "Cody Code"})) == {}
    after = counts(e2e)
    assert after[0] == before[0] + 1 and after[-1] == 1  # made, and the code spent
    again = acked(e2e.server.command("U0CODY", f"setup code:{code}", team=EMPTY, channel=GEN))
    assert "already been used" in all_text(again["blocks"])
    wrong = acked(e2e.server.command(NOBODY, "setup code:AAAA-BBBB-CCCC", team=EMPTY, channel=GEN))
    assert "not one the bot issued" in all_text(wrong["blocks"])
    assert counts(e2e) == after


# --------------------------------------------------------------------------- bad values


def test_a_taken_short_name_and_another_partnerships_channel_go_back_on_their_fields(
    e2e: Stack,
) -> None:
    before = counts(e2e)
    view = open_setup(e2e, ADMIN)
    bad = {**FORM, "slug": "riverside", "main_channel": "C0RGEN", "board_channel": "C0HBOARD"}
    answer = acked(submit(e2e, ADMIN, view, bad))
    assert answer["response_action"] == "errors"
    errors = answer["errors"]
    assert set(errors) == {"slug", "main_channel", "board_channel"}
    assert "riverside-2" in errors["slug"]
    assert "another partnership" in errors["main_channel"]
    assert "Riverside" not in errors["main_channel"] and "Hillford" not in errors["board_channel"]
    junk = acked(
        submit(e2e, ADMIN, view, {**FORM, "slug": "Bad Slug", "name": "", "nation": "SCT"})
    )
    assert set(junk["errors"]) == {"slug", "name", "nation"}
    assert counts(e2e) == before
    assert e2e.fake.calls("chat.postEphemeral") == []


# --------------------------------------------------------------------------- county and district


def test_a_coordinator_sets_up_a_district_naming_its_county_board(e2e: Stack) -> None:
    view = open_setup(e2e, "U0CORA", team=RIVER)
    [county] = [b for b in view["blocks"] if b["block_id"] == "county"]
    assert [o["value"] for o in county["element"]["options"]] == ["hillford", "riverside"]
    district = {
        **FORM,
        "slug": "riverside-east",
        "name": "Riverside East",
        "county": "riverside",
        "your_name": "Cora Coordinator",
    }
    assert acked(submit(e2e, "U0CORA", view, district, team=RIVER)) == {}
    with e2e.db.session() as session:
        made = session.scalar(select(Partnership).where(Partnership.slug == "riverside-east"))
        assert made is not None and made.parent is not None and made.parent.slug == "riverside"
    assert "riverside-east" in cli(e2e, "plan", "list") and "(part of riverside)" in cli(
        e2e, "plan", "list"
    )
    # Cora is now in two partnerships: each channel picks its own, isolation intact.
    east = acked(e2e.server.command("U0CORA", "whoami", team=RIVER, channel="C0EMAIN"))
    assert "Riverside East" in all_text(east["blocks"])
    home = acked(e2e.server.command("U0CORA", "whoami", team=RIVER, channel="C0RGEN"))
    assert "Riverside Community Safety Partnership" in all_text(home["blocks"])
