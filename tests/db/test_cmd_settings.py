"""``/csp settings`` and the plan file's ``settings:`` section."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from partnership.context import Context
from storage import partnership_settings as ps
from storage.models import Channel, Partnership
from storage.planfile import PlanError, load_plan_text
from storage.sync import apply_plan
from tests import kit


@pytest.fixture
def loaded(session: Session) -> Session:
    kit.load_plans(session)
    return session


def _riverside(session: Session) -> Partnership:
    return session.scalars(select(Partnership).where(Partnership.slug == "riverside")).one()


def _board(session: Session) -> str | None:
    return session.scalar(
        select(Channel.slack_channel_id).where(
            Channel.partnership_id == _riverside(session).id, Channel.purpose == "board"
        )
    )


def test_anyone_sees_the_settings_with_defaults_marked(loaded: Session) -> None:
    outcome, text = kit.run(kit.context(loaded, person="Mo Member"), "settings")
    assert outcome.ok
    kit.rendered(outcome)
    for key in ps.KEYS:
        assert key in text
    assert "30 _(default)_" in text
    assert "Only a coordinator can change these" in text


def test_a_coordinator_changes_several_at_once(loaded: Session) -> None:
    outcome, text = kit.run(
        kit.context(loaded),
        'settings stale_days:45 return_reminders:10,5 return_deadline:"10 working days before review" '
        "quiet_hours:19:00-08:30 rollup_day:Fri board_channel:<#C0NEWBOARD|board>",
    )
    assert outcome.ok, text
    loaded.expire_all()
    saved = ps.of(_riverside(loaded))
    assert saved.stale_days == 45
    assert saved.return_reminders == [10, 5]
    assert saved.deadline_rule == ps.DeadlineRule(10, "review")
    assert saved.hours[0].hour == 8 and saved.hours[1].hour == 19
    assert saved.rollup_weekday == 4
    assert _board(loaded) == "C0NEWBOARD"
    assert "`stale_days`: 30 → *45*" in text
    # Only what differs from the defaults is stored.
    assert "digest_days" not in (_riverside(loaded).settings or {})


def test_reset_goes_back_to_the_default(loaded: Session) -> None:
    kit.run(kit.context(loaded), "settings stale_days:45")
    outcome, text = kit.run(kit.context(loaded), "settings reset:stale_days")
    assert outcome.ok
    loaded.expire_all()
    assert _riverside(loaded).settings is None
    assert "45 → *30*" in text


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("settings stale_days:3", "greater than or equal to 7"),
        ("settings stale_days:lots", "stale_days"),
        ("settings quiet_hours:09:00-18:00", "overnight"),
        ("settings quiet_hours:25:00-09:00", "does not exist"),
        ("settings return_deadline:soon", "15 working days after quarter end"),
        ('settings return_deadline:"5 working days after review"', "before"),
        ("settings rollup_day:sunday", "Monday to Friday"),
        ("settings return_reminders:10,x", "list of numbers"),
        ("settings return_reminders:1,2,3,4,5,6", "up to five"),
        ("settings board_channel:general", "not a channel"),
        ("settings reset:everything", "no setting `everything`"),
        ("settings stale_days:45 quiet_hours:nonsense", "quiet hours"),
    ],
)
def test_bad_values_explain_and_change_nothing(loaded: Session, line: str, says: str) -> None:
    outcome, text = kit.run(kit.context(loaded), line)
    assert not outcome.ok
    assert says in text
    assert "Nothing was changed" in text
    loaded.expire_all()
    assert _riverside(loaded).settings is None
    assert _board(loaded) == "C0RBOARD"


def test_only_coordinators_change_them(loaded: Session) -> None:
    outcome, text = kit.run(kit.context(loaded, person="Gina Grouplead"), "settings stale_days:45")
    assert not outcome.ok
    assert "Cora Coordinator" in text
    loaded.expire_all()
    assert _riverside(loaded).settings is None


def test_the_board_channel_can_be_removed(loaded: Session) -> None:
    outcome, text = kit.run(kit.context(loaded), "settings board_channel:none")
    assert outcome.ok and "→ *none*" in text
    assert _board(loaded) is None


def test_hostile_text_is_escaped(loaded: Session) -> None:
    outcome, _ = kit.run(kit.context(loaded), 'settings return_deadline:"<!channel> {{ 7*7 }}"')
    assert not outcome.ok
    shown = json.dumps(kit.rendered(outcome))
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert "{{ 7*7 }}" in shown


def test_changed_settings_take_effect_in_the_same_context(loaded: Session) -> None:
    ctx: Context = kit.context(loaded)
    assert ctx.settings.stale_days == 30
    kit.run(ctx, "settings stale_days:60")
    assert ctx.settings.stale_days == 60


PLAN = """\
version: 1
partnership:
  name: Settings Test CSP
  slug: settings-test
  settings:
{settings}
"""


def test_the_plan_file_sets_them(session: Session) -> None:
    plan = load_plan_text(
        PLAN.format(settings="    stale_days: 21\n    quiet_hours: 18:30-08:00\n"), "p.yaml"
    )
    apply_plan(session, plan, source_name="p.yaml", now=kit.NOW)
    session.commit()
    p = session.scalars(select(Partnership).where(Partnership.slug == "settings-test")).one()
    assert ps.of(p).stale_days == 21
    assert ps.of(p).quiet_hours == "18:30-08:00"
    # A later import without those keys leaves them (and Slack-made changes) alone.
    plan = load_plan_text(PLAN.format(settings="    digest_days: 3\n"), "p.yaml")
    apply_plan(session, plan, source_name="p.yaml", now=kit.NOW)
    session.commit()
    assert ps.of(p).stale_days == 21 and ps.of(p).digest_days == 3


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ("    stale_days: 2\n", "stale_days"),
        ("    holidays: none\n", "no setting `holidays`"),
        ("    return_deadline: whenever\n", "not a deadline rule"),
    ],
)
def test_the_plan_file_refuses_bad_settings(settings: str, says: str) -> None:
    with pytest.raises(PlanError) as err:
        load_plan_text(PLAN.format(settings=settings), "p.yaml")
    assert says in err.value.render()


def test_stored_values_that_no_longer_validate_fall_back_to_defaults() -> None:
    partnership = Partnership(slug="x", name="X", settings={"stale_days": 1, "digest_days": 4})
    settings = ps.of(partnership)
    assert settings.stale_days == 30 and settings.digest_days == 4
