"""Partnerships and workspaces kept apart end to end: what others may see, change or take."""

from __future__ import annotations

from sqlalchemy import select, update

from storage.models import Channel, Partnership, Rag, Status
from tests.e2e import Stack, all_text, button, validate
from tests.process.securitykit import acked, clean, e2e

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


def test_other_partnership_cannot_see_or_change(e2e: Stack) -> None:
    """Hana (Hillford only) gets "not found" for Riverside's A-4, even in Riverside's channel."""
    for text in ("action show A-4", "action update A-4 rag:red", "action done A-4"):
        body = acked(e2e.server.command("U0HANA", text, channel="C0RGEN"))
        shown = all_text(body)
        assert "not found" in shown.lower() or "no action" in shown.lower(), shown
        assert "Map ASB hotspots" not in shown
    refused = all_text(acked(e2e.server.command("U0HANA", "in:riverside action show A-4")))
    assert "not in a partnership called `riverside`" in refused
    assert "Map ASB hotspots" not in refused
    action = e2e.db.action("A-4")
    assert action.rag is None and action.status != Status.COMPLETE
    assert e2e.db.new_updates() == []


def test_other_partnership_list_shows_only_its_own(e2e: Stack) -> None:
    """Hana's list is Hillford's plan only."""
    text = all_text(acked(e2e.server.command("U0HANA", "action list all", channel="C0RGEN")))
    assert "Hillford covert operation" in text
    assert "youth diversion" not in text and "Map ASB hotspots" not in text


def test_person_in_two_partnerships_acts_where_asked(e2e: Stack) -> None:
    """Lee acts in Riverside in Riverside's channel, and in Hillford with `in:hillford`."""
    riverside = all_text(acked(e2e.server.command("U0LEE", "action show A-1", channel="C0RGEN")))
    assert "youth diversion" in riverside and "Hillford covert" not in riverside
    hillford = all_text(
        acked(e2e.server.command("U0LEE", "in:hillford action show A-1", channel="C0RGEN"))
    )
    assert "Hillford covert operation" in hillford and "youth diversion" not in hillford

    acked(e2e.server.command("U0LEE", "action update A-1 rag:green", channel="C0RGEN"))
    assert e2e.db.action("A-1").rag == Rag.GREEN
    assert e2e.db.action("A-1", "hillford").rag is None
    # Hillford's A-1 is Hana's: Lee may read it there but not change it.
    refused = all_text(acked(e2e.server.command("U0LEE", "in:hillford action update A-1 rag:red")))
    assert "can't change A-1" in refused and "Hana Hillford" in refused
    assert e2e.db.action("A-1", "hillford").rag is None
    [entry] = e2e.db.new_updates()
    assert entry.action.ref == "A-1" and entry.partnership_id == e2e.db.action("A-1").partnership_id


def test_dm_button_for_person_in_two_partnerships(e2e: Stack) -> None:
    """Lee presses Done on Riverside's A-1 in a DM (no partnership owns it): Riverside's A-1.

    Our buttons carry their partnership (``A-1@riverside``); one without it asks which.
    """
    acked(e2e.server.block_action("U0LEE", button("action_done", "A-1"), channel="D0LEE"))
    [asked] = e2e.fake.wait_for("response_url")
    assert "several partnerships" in all_text(asked.params)
    assert e2e.db.action("A-1").status != Status.COMPLETE
    e2e.fake.reset()
    acked(e2e.server.block_action("U0LEE", button("action_done", "A-1@riverside"), channel="D0LEE"))
    [posted] = e2e.fake.wait_for("response_url")
    assert e2e.db.action("A-1").status == Status.COMPLETE, all_text(posted.params)
    assert e2e.db.action("A-1", "hillford").status != Status.COMPLETE


def test_person_in_two_partnerships_elsewhere_is_asked_which(e2e: Stack) -> None:
    """Lee in a channel neither partnership owns is asked to say which partnership."""
    text = all_text(acked(e2e.server.command("U0LEE", "action show A-1", channel="C0ELSE")))
    assert "in:" in text and "hillford" in text and "riverside" in text
    assert "youth diversion" not in text and "Hillford covert" not in text


def test_user_from_another_workspace_is_unknown(e2e: Stack) -> None:
    """U0LEE from team T0OTHER is not Riverside's Lee: refused as unknown, nothing written."""
    for text in ("action show A-1", "action update A-1 rag:red", "action list all"):
        body = acked(e2e.server.command("U0LEE", text, team="T0OTHER", channel="C0RGEN"))
        shown = all_text(body)
        assert "don't know you" in shown, shown
        assert "youth diversion" not in shown
    acked(e2e.server.event("U0LEE", team="T0OTHER"))
    for call in e2e.fake.wait_for("views.publish"):
        assert "youth diversion" not in all_text(call.params)
    assert e2e.db.action("A-1").rag == Rag.AMBER
    assert e2e.db.new_updates() == []


def test_button_from_another_workspace_is_unknown(e2e: Stack) -> None:
    """A Done button pressed by U0LEE from T0OTHER changes nothing."""
    acked(e2e.server.block_action("U0LEE", button("action_done", "A-1"), team="T0OTHER"))
    [posted] = e2e.fake.wait_for("response_url")
    assert "don't know you" in all_text(posted.params)
    assert e2e.db.action("A-1").status != Status.COMPLETE
    assert e2e.db.new_updates() == []


def _hillford_board(e2e: Stack) -> str | None:
    with e2e.db.session() as session:
        return session.scalar(
            select(Channel.slack_channel_id)
            .join(Partnership, Partnership.id == Channel.partnership_id)
            .where(Partnership.slug == "hillford", Channel.purpose == "board")
        )


def test_another_partnerships_channel_cannot_be_taken(e2e: Stack) -> None:
    """Hana (Hillford's coordinator) names Riverside's channel as Hillford's board: refused
    privately, nothing written, and Lee in that channel is still Riverside's Lee."""
    try:
        body = acked(e2e.server.command("U0HANA", "settings board_channel:<#C0RGEN|general>"))
        assert body["response_type"] == "ephemeral"
        text = all_text(body)
        assert "already used by another partnership" in text, text
        assert "Riverside" not in text
        validate(body["blocks"])
        assert _hillford_board(e2e) == "C0HBOARD"
        shown = all_text(acked(e2e.server.command("U0LEE", "action show A-1", channel="C0RGEN")))
        assert "youth diversion" in shown and "Hillford covert" not in shown
    finally:
        if _hillford_board(e2e) != "C0HBOARD":  # only before the fix: undo the take-over
            with e2e.db.session() as session:
                session.execute(
                    update(Channel)
                    .where(Channel.slack_channel_id == "C0RGEN", Channel.purpose == "board")
                    .values(slack_channel_id="C0HBOARD")
                )
                session.commit()
