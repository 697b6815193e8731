"""Setting a partnership up (partnership/setup.py, setup_codes.py): checks, creation, codes.

Riverside and Hillford share workspace T0RIVER (Riverside holds C0RGEN and
C0RBOARD, Hillford C0HBOARD); T0EMPTY holds nothing. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.slack.identity import identify
from partnership import setup, setup_codes
from partnership.context import Refused, UserError
from storage.models import Channel, ChannelOwner, Partnership, Person, Role, SetupCode
from tests import kit

NOW = dt.datetime(2026, 11, 21, 10, 0, tzinfo=dt.UTC)
GOOD = {
    "name": "Northvale Community Safety Partnership",
    "slug": "northvale",
    "nation": "WLS",
    "leadership_group": "Northvale Board",
    "main_channel": "C0NMAIN",
    "board_channel": "C0NBOARD",
    "county": "",
    "your_name": "Nia Northvale",
}


@pytest.fixture
def loaded(session: Session) -> Session:
    kit.load_plans(session)
    return session


def rows(session: Session) -> tuple[int, int, int, int]:
    """How many partnerships, people, channels and channel owners there are."""
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(table)) or 0
        for table in (Partnership, Person, Channel, ChannelOwner)
    )


def test_grounds_any_one_is_enough_and_none_is_refused() -> None:
    assert not setup.Grounds().may
    for name in ("installer", "admin", "named", "code", "coordinator"):
        assert setup.Grounds(**{name: True}).may
    with pytest.raises(Refused, match="installed csp-bot"):
        setup.require_may(setup.Grounds())


def test_create_makes_the_partnership_its_channels_and_first_coordinator(
    loaded: Session,
) -> None:
    made = setup.create(loaded, setup.Workspace("T0EMPTY"), "U0NIA", GOOD)
    loaded.commit()
    assert (made.slug, made.name, made.nation, made.leadership_group, made.slack_team_id) == (
        "northvale",
        GOOD["name"],
        "WLS",
        "Northvale Board",
        "T0EMPTY",
    )
    assert sorted((c.purpose, c.slack_channel_id) for c in made.channels) == [
        ("board", "C0NBOARD"),
        ("main", "C0NMAIN"),
    ]
    [nia] = loaded.scalars(select(Person).where(Person.partnership_id == made.id))
    assert (nia.name, nia.role, nia.slack_user_id) == ("Nia Northvale", Role.COORDINATOR, "U0NIA")
    asker = identify(loaded, "T0EMPTY", "U0NIA", "C0NMAIN")
    assert asker.partnership.slug == "northvale" and asker.person.id == nia.id
    # Isolation: the same user id in another workspace is nobody.
    with pytest.raises(UserError):
        identify(loaded, "T0OTHER", "U0NIA")


def test_every_wrong_field_is_named_and_nothing_is_written(loaded: Session) -> None:
    before = rows(loaded)
    bad = {
        **GOOD,
        "name": " ",
        "slug": "Not A Slug!",
        "nation": "SCT",
        "leadership_group": "x" * 201,
        "main_channel": "C0RGEN",  # Riverside's
        "board_channel": "#board",
        "county": "nowhere",
        "your_name": "",
    }
    with pytest.raises(UserError) as caught:
        setup.create(loaded, setup.Workspace("T0RIVER"), "U0NEW", bad)
    assert set(caught.value.fields) == set(setup.FIELDS)
    assert "another partnership" in caught.value.fields["main_channel"]
    assert "riverside" not in caught.value.fields["main_channel"].lower()  # never names it
    loaded.rollback()
    assert rows(loaded) == before


def test_a_taken_short_name_and_a_taken_board_channel_are_refused(loaded: Session) -> None:
    before = rows(loaded)
    with pytest.raises(UserError) as caught:
        setup.create(
            loaded,
            setup.Workspace("T0RIVER"),
            "U0NEW",
            {**GOOD, "slug": "Riverside", "board_channel": "C0HBOARD"},
        )
    assert set(caught.value.fields) == {"slug", "board_channel"}
    assert "riverside-2" in caught.value.fields["slug"]
    loaded.rollback()
    assert rows(loaded) == before


def test_one_channel_for_both_purposes_is_allowed(loaded: Session) -> None:
    made = setup.create(
        loaded, setup.Workspace("T0EMPTY"), "U0NIA", {**GOOD, "board_channel": "C0NMAIN"}
    )
    assert sorted(c.purpose for c in made.channels) == ["board", "main"]
    assert setup.done(made).data["board"] == ""  # said once


def test_a_district_names_its_county_board_from_this_workspace_only(loaded: Session) -> None:
    county = setup.create(
        loaded, setup.Workspace("T0RIVER"), "U0CORA", {**GOOD, "slug": "shire", "name": "Shire"}
    )
    assert [s for _, s in setup.choices(loaded, setup.Workspace("T0RIVER"))["county"]] == [
        "hillford",
        "riverside",
        "shire",
    ]
    assert setup.choices(loaded, setup.Workspace("T0EMPTY"))["county"] == []
    district = setup.create(
        loaded,
        setup.Workspace("T0RIVER"),
        "U0CORA",
        {**GOOD, "slug": "east", "main_channel": "C0EAST", "board_channel": "", "county": "shire"},
    )
    assert district.parent is county
    assert setup.done(district).data["county"] == "Shire"
    with pytest.raises(UserError) as caught:
        setup.create(
            loaded,
            setup.Workspace("T0EMPTY"),
            "U0X",
            {**GOOD, "slug": "west", "main_channel": "C0W", "board_channel": "", "county": "shire"},
        )
    assert set(caught.value.fields) == {"county"}


def test_coordinators_here_and_the_welcome(loaded: Session) -> None:
    assert setup.coordinates_here(loaded, setup.Workspace("T0RIVER"), "U0CORA")
    assert not setup.coordinates_here(loaded, setup.Workspace("T0RIVER"), "U0LEE")  # a lead
    assert not setup.coordinates_here(
        loaded, setup.Workspace("T0EMPTY"), "U0CORA"
    )  # another workspace
    empty = setup.welcome(loaded, setup.Workspace("T0EMPTY"), may=True, home=True).data
    assert (empty["partnerships"], empty["may"], empty["home"]) == ([], True, True)
    here = setup.welcome(loaded, setup.Workspace("T0RIVER"), may=False, home=False).data
    assert [p["slug"] for p in here["partnerships"]] == ["hillford", "riverside"]
    assert here["partnerships"][1]["coordinators"] == [
        {"name": "Cora Coordinator", "user": "U0CORA"}
    ]


def test_a_code_is_stored_hashed_redeemed_once_and_spent(loaded: Session) -> None:
    code = setup_codes.issue(loaded, NOW)
    [row] = loaded.scalars(select(SetupCode))
    assert code not in row.digest and row.digest == setup_codes.digest(code.lower())
    with pytest.raises(UserError, match="not one the bot issued"):
        setup_codes.redeem(loaded, "ABCD-EFGH-JKMN", "T0EMPTY", "U0NIA", NOW)
    assert not setup_codes.holds(loaded, "T0EMPTY", "U0NIA", NOW)
    setup_codes.redeem(loaded, code.lower().replace("-", " "), "T0EMPTY", "U0NIA", NOW)
    assert setup_codes.holds(loaded, "T0EMPTY", "U0NIA", NOW)
    setup_codes.redeem(loaded, code, "T0EMPTY", "U0NIA", NOW)  # the same person again: still theirs
    with pytest.raises(UserError, match="already been used"):
        setup_codes.redeem(loaded, code, "T0EMPTY", "U0SOMEONE", NOW)
    made = setup.create(loaded, setup.Workspace("T0EMPTY"), "U0NIA", GOOD)
    assert setup_codes.spend(loaded, "T0EMPTY", "U0NIA", made, NOW)
    assert not setup_codes.holds(loaded, "T0EMPTY", "U0NIA", NOW)
    with pytest.raises(UserError, match="already been used"):
        setup_codes.redeem(loaded, code, "T0EMPTY", "U0NIA", NOW)


def test_a_code_expires_after_a_day(loaded: Session) -> None:
    code = setup_codes.issue(loaded, NOW)
    later = NOW + setup_codes.LIFETIME
    with pytest.raises(UserError, match="expired"):
        setup_codes.redeem(loaded, code, "T0EMPTY", "U0NIA", later)
    setup_codes.redeem(loaded, code, "T0EMPTY", "U0NIA", NOW)
    assert not setup_codes.holds(loaded, "T0EMPTY", "U0NIA", later)


def test_a_plan_with_no_team_is_only_a_single_workspace_installs_own(loaded: Session) -> None:
    """Token mode: a teamless plan is this workspace's; OAuth: nobody's, never listed."""
    hillford = loaded.scalar(select(Partnership).where(Partnership.slug == "hillford"))
    assert hillford is not None
    hillford.slack_team_id = None
    loaded.flush()
    single = setup.Workspace("T0EMPTY")
    many = setup.Workspace("T0EMPTY", unassigned=False)
    assert [p.slug for p in setup.workspace_partnerships(loaded, single)] == ["hillford"]
    assert setup.workspace_partnerships(loaded, many) == []
    assert setup.welcome(loaded, many, may=False, home=False).data["partnerships"] == []
    assert setup.coordinates_here(loaded, single, "U0HANA")
    assert not setup.coordinates_here(loaded, many, "U0HANA")
    with pytest.raises(UserError) as caught:
        setup.create(loaded, many, "U0X", {**GOOD, "county": "hillford"})
    assert set(caught.value.fields) == {"county"}


def test_nul_and_runs_of_spaces_are_tidied_as_typed_commands_are(loaded: Session) -> None:
    """A forged NUL would be refused by PostgreSQL: it is dropped, on both backends alike."""
    made = setup.create(
        loaded,
        setup.Workspace("T0EMPTY"),
        "U0NIA",
        {**GOOD, "name": "North\x00vale   CSP", "slug": " NorthVale "},
    )
    loaded.flush()
    assert (made.name, made.slug) == ("Northvale CSP", "northvale")
