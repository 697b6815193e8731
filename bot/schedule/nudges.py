"""Overdue and stale nudges: one direct message a day per owner, bundling their actions.

On a working morning (the orchestrator refuses weekends, bank holidays and
quiet hours) each action owner on Slack gets at most one message: their open
actions past their due date, firmly worded, then those with no update for the
partnership's ``stale_days`` (30 by default), more gently, each with buttons to
update, mark done or snooze it (a week, or until a date). What counts as
overdue, stale and snoozed is :mod:`commands.chase`'s, so ``/csp chase`` and the
nudges agree.

An action named in a nudge is remembered in ``action_nudge`` (never on the
action row, whose version a nudge must not bump) when the message is claimed,
and is not nudged again for ``nudge_interval`` days. The message is keyed by
(``nudge``, ``person:<id>``, today), so however often the sweep runs in a day
the outbox sends each owner one message. Owners who are not on Slack get no
message: the coordinators' weekly roll-up lists them to chase by email.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.schedule.base import Message, Recipient
from partnership.chasing import MAX_LISTED, Owed, collect, listing
from partnership.context import Context, Reply
from partnership.messages import delivery as say
from storage.models import Action, ActionNudge

KIND = "nudge"
OVERDUE, STALE = "overdue", "stale"


def due(ctx: Context) -> list[Message]:
    """Today's nudge for each owner on Slack with overdue or stale actions not nudged lately.

    Two queries whatever the number of owners and actions: the owed actions
    with everything they show, and the partnership's recent nudges.
    """
    owed, _no_owner, _snoozed = collect(ctx)
    on_slack = [item for item in owed if item.person.slack_user_id]
    if not on_slack:
        return []
    recent = last_nudged(ctx)
    interval = ctx.settings.nudge_interval

    def due_again(actions: list[Action], kind: str) -> list[Action]:
        return [a for a in actions if nudge_again(recent.get(a.id), kind, ctx.today, interval)]

    messages: list[Message] = []
    for item in on_slack:
        fresh = Owed(item.person, due_again(item.overdue, OVERDUE), due_again(item.stale, STALE))
        if fresh.actions:
            messages.append(message(ctx, fresh))
    return messages


def last_nudged(ctx: Context) -> dict[int, tuple[str, dt.date]]:
    """Action id -> (kind, local day) of its last nudge, for nudges recent enough to matter."""
    # A day's margin: the interval is counted in local days, not hours.
    since = ctx.now.astimezone(dt.UTC) - dt.timedelta(days=ctx.settings.nudge_interval + 1)
    rows = ctx.session.execute(
        select(ActionNudge.action_id, ActionNudge.kind, ActionNudge.last_at).where(
            ActionNudge.partnership_id == ctx.partnership.id, ActionNudge.last_at >= since
        )
    )
    return {row.action_id: (row.kind, row.last_at.astimezone(ctx.zone).date()) for row in rows}


def nudge_again(last: tuple[str, dt.date] | None, kind: str, today: dt.date, interval: int) -> bool:
    """Whether an action last nudged as ``last`` may be nudged as ``kind`` today.

    The interval is counted in days of the calendar, not hours, so an action
    nudged at 11:00 one Monday is due again at the first sweep a week later,
    not only after 11:00. That holds whatever the kind: an action nudged as
    stale that goes overdue a day later waits out the interval too (the rule
    is "the same action is not nudged again within the interval"; its owner
    heard about it days ago, and the roll-up shows it overdue at once).
    """
    if last is None:
        return True
    _, last_day = last
    return (today - last_day).days >= interval


def message(ctx: Context, item: Owed) -> Message:
    """One owner's nudge for today, remembering its actions when it is claimed."""
    data = {
        **listing(ctx, item, MAX_LISTED),
        "overdue_total": len(item.overdue),
        "stale_total": len(item.stale),
        "interval": ctx.settings.nudge_interval,
    }
    if item.overdue:
        text = say.nudge_overdue(n=len(item.overdue), partnership=ctx.partnership.name)
    else:
        text = say.nudge_stale(
            n=len(item.stale), days=ctx.settings.stale_days, partnership=ctx.partnership.name
        )
    # Every action in the message, the counted ones too: the owner has been told
    # about them (and where to see them), so they wait out the interval as well.
    nudged = [(a.id, OVERDUE) for a in item.overdue] + [(a.id, STALE) for a in item.stale]
    return Message(
        KIND,
        Recipient.person(item.person),
        ctx.today.isoformat(),
        Reply("nudge", data, text=text),
        on_claim=remember(ctx.partnership.id, nudged, ctx.now),
        meta={
            "overdue": [a.ref for a in item.overdue],
            "stale": [a.ref for a in item.stale],
        },
    )


def remember(
    partnership_id: int, nudged: list[tuple[int, str]], now: dt.datetime
) -> Callable[[Session], None]:
    """The claim's work: upsert each action's last nudge (ids and kinds only, no ORM rows)."""
    at = now.astimezone(dt.UTC)

    def upsert(claim: Session) -> None:
        rows = [
            {"action_id": action_id, "partnership_id": partnership_id, "kind": kind, "last_at": at}
            for action_id, kind in nudged
        ]
        if not rows:
            return
        dialect = claim.get_bind().dialect.name
        if dialect in ("postgresql", "sqlite"):
            # One statement, and no lost update if two claims ever name the same action.
            insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
            statement = insert(ActionNudge).values(rows)
            claim.execute(
                statement.on_conflict_do_update(
                    index_elements=[ActionNudge.action_id],
                    set_={"kind": statement.excluded.kind, "last_at": statement.excluded.last_at},
                )
            )
            return
        for row in rows:  # any other database: the ORM's slower, portable merge
            claim.merge(ActionNudge(**row))

    return upsert
