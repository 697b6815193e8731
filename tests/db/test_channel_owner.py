"""A Slack channel belongs to at most one partnership: settings, imports, identity, the database.

Riverside and Hillford share a workspace (T0RIVER). Riverside holds C0RGEN
(general) and C0RBOARD (board); Hillford holds C0HBOARD (board). Lee Lead is in
both. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.slack import identity
from bot.slack.identity import identify
from bot.slack.runner import execute
from commands.framework.dispatch import Outcome, dispatch_text
from partnership.context import Context, UserError
from storage.db import transaction
from storage.models import Channel, Partnership, Person
from storage.planfile import PlanError, load_plan_text
from storage.sync import apply_plan
from tests import kit

TAKEN = "already used by another partnership"


@pytest.fixture
def loaded(session: Session) -> Session:
    kit.load_plans(session)
    return session


def channels(session: Session) -> list[tuple[str, str, str]]:
    """Every channel row as (partnership slug, purpose, channel id), sorted."""
    session.expire_all()
    rows = session.execute(
        select(Partnership.slug, Channel.purpose, Channel.slack_channel_id).join(
            Partnership, Partnership.id == Channel.partnership_id
        )
    ).all()
    return sorted((slug, purpose, channel) for slug, purpose, channel in rows)


AS_IMPORTED = [
    ("hillford", "board", "C0HBOARD"),
    ("riverside", "board", "C0RBOARD"),
    ("riverside", "general", "C0RGEN"),
]


# ------------------------------------------------------------------ /csp settings


@pytest.mark.parametrize("typed", ["<#C0RGEN|general>", "C0RGEN", "<#C0RBOARD>"])
def test_a_channel_of_another_partnership_is_refused(loaded: Session, typed: str) -> None:
    """Hana (Hillford) cannot point Hillford's board at a Riverside channel; nothing written."""
    hana = kit.context(loaded, "hillford", "Hana Hillford", channel_id="C0HBOARD")
    outcome, text = kit.run(hana, f"settings stale_days:45 board_channel:{typed}")
    assert not outcome.ok
    assert TAKEN in text and "Nothing was changed" in text
    assert "choose a different channel" in text
    assert "Riverside" not in text and "riverside" not in text
    assert channels(loaded) == AS_IMPORTED
    assert kit.partnership(loaded, "hillford").settings is None


def test_one_partnership_may_use_one_channel_for_two_purposes(loaded: Session) -> None:
    outcome, text = kit.run(kit.context(loaded), "settings board_channel:<#C0RGEN|general>")
    assert outcome.ok, text
    assert channels(loaded) == [
        ("hillford", "board", "C0HBOARD"),
        ("riverside", "board", "C0RGEN"),
        ("riverside", "general", "C0RGEN"),
    ]


def test_a_channel_let_go_may_be_taken_by_another(loaded: Session) -> None:
    """Once Riverside moves its board elsewhere, C0RBOARD is free for Hillford."""
    outcome, _ = kit.run(kit.context(loaded), "settings board_channel:C0RNEW")
    assert outcome.ok
    hana = kit.context(loaded, "hillford", "Hana Hillford")
    outcome, text = kit.run(hana, "settings board_channel:C0RBOARD")
    assert outcome.ok, text
    # Riverside's general channel is still its own.
    outcome, text = kit.run(hana, "settings board_channel:C0RGEN")
    assert not outcome.ok and TAKEN in text
    # And a board channel removed with `none` is let go too.
    outcome, _ = kit.run(kit.context(loaded), "settings board_channel:none")
    assert outcome.ok
    outcome, text = kit.run(hana, "settings board_channel:C0RNEW")
    assert outcome.ok, text
    assert channels(loaded) == [
        ("hillford", "board", "C0RNEW"),
        ("riverside", "general", "C0RGEN"),
    ]


def test_a_race_past_the_check_is_stopped_by_the_database(
    imported: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hana's check sees C0NEW free; before she writes, Cora takes it. The database refuses
    Hana's write, the command runs again, and she gets the polite refusal."""
    from storage import channels as owned

    real = owned.owner_of
    seen: list[int | None] = []

    def stale_check(session: Session, channel_id: str) -> int | None:
        found = real(session, channel_id)
        seen.append(found)
        if len(seen) == 1:
            with imported() as other:
                outcome, text = kit.run(kit.context(other), f"settings board_channel:{channel_id}")
                assert outcome.ok, text
        return found

    monkeypatch.setattr(owned, "owner_of", stale_check)

    def build(session: Session) -> Context:
        return kit.context(session, "hillford", "Hana Hillford")

    def call(ctx: Context) -> Outcome:
        return dispatch_text(ctx, "settings board_channel:C0NEW")

    outcome = execute(imported, build, call)
    assert not outcome.ok
    assert TAKEN in kit.shown(outcome)
    assert seen[0] is None and seen[-1] is not None  # the first check was beaten, the next one not
    with imported() as session:
        assert ("riverside", "board", "C0NEW") in channels(session)
        assert ("hillford", "board", "C0HBOARD") in channels(session)


# ------------------------------------------------------------------ the database


def test_the_database_refuses_a_shared_channel_whatever_the_code(loaded: Session) -> None:
    """A channel row written past our code still cannot share another partnership's channel."""
    hillford = kit.partnership(loaded, "hillford")
    loaded.add(Channel(partnership_id=hillford.id, purpose="extra", slack_channel_id="C0RGEN"))
    with pytest.raises(IntegrityError):
        loaded.flush()
    loaded.rollback()
    assert channels(loaded) == AS_IMPORTED


# ------------------------------------------------------------------ imports

HILLFORD_TAKES = """\
version: 1
partnership:
  name: Hillford Safer Communities
  slug: hillford
  slack:
    team_id: T0RIVER
    channels:
      board: C0HBOARD
      main: {channel}
people:
  - {{name: Harry Newcomer, role: lead}}
"""

NEWCOMER_TAKES = """\
version: 1
partnership:
  name: Newtown CSP
  slug: newtown
  slack:
    team_id: T0RIVER
    channels:
      board: C0RBOARD
"""


def test_an_import_mapping_another_partnerships_channel_is_refused(
    imported: sessionmaker[Session],
) -> None:
    plan = load_plan_text(HILLFORD_TAKES.format(channel="C0RGEN"), "hillford.yaml")
    with pytest.raises(PlanError) as err, transaction(imported) as session:
        apply_plan(session, plan, source_name="hillford.yaml")
    report = err.value.render()
    assert "nothing was imported" in report
    assert "partnership.slack.channels.main" in report
    assert "C0RGEN" in report and TAKEN in report
    assert "Riverside" not in report and "riverside" not in report
    with imported() as session:
        assert channels(session) == AS_IMPORTED
        assert session.scalar(select(Person).where(Person.name == "Harry Newcomer")) is None


def test_an_import_creating_a_partnership_on_a_taken_channel_creates_nothing(
    imported: sessionmaker[Session],
) -> None:
    plan = load_plan_text(NEWCOMER_TAKES, "newtown.yaml")
    with pytest.raises(PlanError, match=TAKEN), transaction(imported) as session:
        apply_plan(session, plan, source_name="newtown.yaml")
    with imported() as session:
        assert session.scalar(select(Partnership).where(Partnership.slug == "newtown")) is None
        assert channels(session) == AS_IMPORTED


def test_an_import_may_use_its_own_channel_twice_and_let_one_go(
    imported: sessionmaker[Session],
) -> None:
    plan = load_plan_text(HILLFORD_TAKES.format(channel="C0HBOARD"), "hillford.yaml")
    with transaction(imported) as session:
        apply_plan(session, plan, source_name="hillford.yaml")
    moved = HILLFORD_TAKES.format(channel="C0HMAIN").replace("board: C0HBOARD", "board: C0HMAIN")
    with transaction(imported) as session:
        apply_plan(session, load_plan_text(moved, "hillford.yaml"), source_name="hillford.yaml")
    # C0HBOARD is no longer Hillford's, so a new partnership may have it.
    newcomer = NEWCOMER_TAKES.replace("C0RBOARD", "C0HBOARD")
    with transaction(imported) as session:
        apply_plan(session, load_plan_text(newcomer, "n.yaml"), source_name="n.yaml")
    with imported() as session:
        assert ("hillford", "board", "C0HMAIN") in channels(session)
        assert ("hillford", "main", "C0HMAIN") in channels(session)
        assert ("newtown", "board", "C0HBOARD") in channels(session)


# ------------------------------------------------------------------ identity


def test_a_take_over_attempt_leaves_identity_with_the_owner(loaded: Session) -> None:
    """After Hana's refused attempt, Lee in Riverside's channel is still Riverside's Lee
    (Hillford sorts first by name, so a shared channel would have made him Hillford's)."""
    kit.run(kit.context(loaded, "hillford", "Hana Hillford"), "settings board_channel:C0RGEN")
    assert identify(loaded, "T0RIVER", "U0LEE", "C0RGEN").partnership.slug == "riverside"
    assert identify(loaded, "T0RIVER", "U0LEE", "C0HBOARD").partnership.slug == "hillford"


@pytest.mark.parametrize("flip", [False, True])
def test_two_owners_would_be_asked_about_not_resolved_by_name(
    loaded: Session, monkeypatch: pytest.MonkeyPatch, flip: bool
) -> None:
    """Were the database ever to say two of the person's partnerships own the channel,
    the bot asks which one (whatever their order), rather than picking the first by name."""
    real: Callable[..., list[tuple[Person, bool]]] = identity.memberships

    def both_own(*args: object, **kwargs: object) -> list[tuple[Person, bool]]:
        found = [(person, True) for person, _ in real(*args, **kwargs)]
        return found[::-1] if flip else found

    monkeypatch.setattr(identity, "memberships", both_own)
    with pytest.raises(UserError) as err:
        identify(loaded, "T0RIVER", "U0LEE", "C0RGEN")
    assert "in:hillford" in str(err.value) or "in:riverside" in str(err.value)
    assert "`hillford`" in str(err.value) and "`riverside`" in str(err.value)
    # Saying which still works.
    assert identify(loaded, "T0RIVER", "U0LEE", "C0RGEN", "hillford").partnership.slug == (
        "hillford"
    )
