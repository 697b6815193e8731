"""``/csp digest preview`` and ``/csp digest send``: the chairs' pre-meeting digest on demand.

The digest itself (partnership/digest.py) goes out by schedule a few working
days before each Leadership Group meeting (bot/schedule/digests.py). Here a
chair or coordinator can read it any time, privately, and a coordinator can
send it early.

Sending goes through the outbox, which needs a database session factory and a
Slack sender — things a command does not hold (``commands/`` never touches
Slack). So ``/csp digest send`` checks everything the person can fix (who is
asking, which meeting, that it has not gone already, that someone will
receive it) and returns a reply asking for the send; the Slack edge then
calls :func:`bot.schedule.digests.finish_send`, which claims and sends under
the very keys the schedule uses, and shows the person what happened to each
recipient. A digest sent early is therefore never sent again on the day.
"""

from __future__ import annotations

from typing import Any

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership.context import Context, Refused, Reply, UserError
from partnership.digest import build, summary
from partnership.digest_meetings import (
    MeetingInfo,
    board_meetings,
    chairs,
    digest_day,
    group_name,
    pick_meeting,
    sent_log,
)
from partnership.lookup import board_channel_id
from partnership.messages import digest as say
from partnership.perms import coordinators
from storage.dates import uk
from storage.models import Role, Source


def _words(args: Args) -> str | None:
    """The meeting date as typed, which may be several words (``10 December 2026``)."""
    words = " ".join(w for w in (args.get("meeting"), args.get("more")) if w)
    return words or None


def _require_reader(ctx: Context) -> None:
    """Only the chairs and coordinators read the digest before it is sent."""
    if ctx.is_coordinator or (ctx.person is not None and ctx.person.role == Role.CHAIR):
        return
    raise Refused(say.may_not_preview(names=coordinators(ctx), partnership=ctx.partnership.name))


def _audience(ctx: Context) -> tuple[list[str], list[str]]:
    """Who would receive the digest, and the chairs it cannot reach on Slack."""
    people = chairs(ctx)
    to = [say.by_dm(name=p.name) for p in people if p.slack_user_id]
    if board_channel_id(ctx):
        to.append(say.THE_BOARD_CHANNEL)
    return to, [p.name for p in people if not p.slack_user_id]


def _sent_phrase(log: list[dict[str, Any]]) -> str:
    """``on 03/12/2026 at 09:00 to Chris Chair (sent) and ...`` for an outbox log."""
    parts = [say.sent_to(name=row["name"], when=row["when"], state=row["state"]) for row in log]
    return "; ".join(parts)


@command(
    "digest preview",
    usage="[<meeting date>]",
    examples=("/csp digest preview", "/csp digest preview 11/03/2027"),
    positional=("meeting",),
    rest="more",
)
def digest_preview(ctx: Context, args: Args) -> Result:
    """Preview the chairs' digest for the next Leadership Group meeting, only for you.

    Chairs and coordinators only. Give a meeting's date for a later one
    (`/csp digest preview 11/03/2027`). The digest shows every priority's RAG
    and its change since the last meeting, what was completed and what
    slipped, overdue actions by owner and organisation, quarterly returns in
    and missing, escalations and measures against their targets. It is sent
    to the chairs and the board channel a few working days before the meeting.
    """
    _require_reader(ctx)
    meetings = board_meetings(ctx)
    meeting = pick_meeting(ctx, _words(args), meetings)
    digest = build(ctx, meeting, meetings)
    to, offline = _audience(ctx)
    log = sent_log(ctx, meeting.id)
    day = digest_day(ctx, meeting)
    digest.data["preview"] = {
        "to": to,
        "sends_on": f"{day:%A} {uk(day)}",
        "days": ctx.settings.digest_days,
        "early": not log and bool(to) and _is_next(ctx, meeting, meetings),
        "sent": _sent_phrase(log),
        "not_on_slack": offline,
    }
    return Reply("digest", digest.data, text=say.preview(summary=summary(digest.data)))


def _is_next(ctx: Context, meeting: MeetingInfo, meetings: list[MeetingInfo]) -> bool:
    """Whether ``meeting`` is the next one to be held."""
    upcoming = [m for m in meetings if m.date >= ctx.today]
    return bool(upcoming) and upcoming[0].id == meeting.id


@command(
    "digest send",
    usage="[<meeting date>]",
    examples=("/csp digest send", "/csp digest send 10/12/2026"),
    positional=("meeting",),
    rest="more",
    slow=True,
    coordinator_only=True,
)
def digest_send(ctx: Context, args: Args) -> Result:
    """Send the chairs' digest for the next meeting now, instead of waiting for its day.

    It goes to each chair on Slack and to the board channel, exactly as the
    scheduled digest would, and is not sent again on the day. If it has gone
    already, you are told when and to whom, and nothing is sent. Preview it
    first with `/csp digest preview`.
    """
    if ctx.source == Source.CONSOLE:
        raise UserError(say.SEND_IN_SLACK_ONLY)
    meetings = board_meetings(ctx)
    meeting = pick_meeting(ctx, _words(args), meetings)
    if not _is_next(ctx, meeting, meetings):
        first = next(m for m in meetings if m.date >= ctx.today)
        raise UserError(say.next_one_first(first=uk(first.date), asked=uk(meeting.date)))
    to, offline = _audience(ctx)
    data: dict[str, Any] = {
        "partnership": ctx.partnership.name,
        "group": group_name(ctx),
        "meeting": meeting.view(),
        "to": to,
        "not_on_slack": offline,
        "already": sent_log(ctx, meeting.id),
        "send": None,
        "done": False,
        "results": [],
    }
    when = f"{meeting.date:%A} {uk(meeting.date)}"
    if data["already"]:
        return Reply("digest_send", data, text=say.sent_already(when=when))
    if not to:
        raise UserError(say.nobody_to_send_to(offline=offline, partnership=ctx.partnership.name))
    data["send"] = {"partnership": ctx.partnership.slug, "meeting_id": meeting.id}
    return Reply("digest_send", data, text=say.sending(when=when))
