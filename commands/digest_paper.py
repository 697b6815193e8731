"""``/csp digest paper [<meeting date>]``: the board paper (PDF, HTML and Markdown) in your DMs."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership.context import Context, Refused, UserError
from partnership.digest import build
from partnership.digest_meetings import board_meetings, pick_meeting
from partnership.exports import paper_file, upload_reply
from partnership.messages import files as say
from partnership.perms import coordinators
from storage.models import Role, Source


@command(
    "digest paper",
    usage="[<meeting date>]",
    examples=("/csp digest paper", "/csp digest paper 11/03/2027"),
    positional=("meeting",),
    rest="more",
    slow=True,
)
def digest_paper(ctx: Context, args: Args) -> Result:
    """Get the board paper for the next Leadership Group meeting as files, in your DMs.

    Chairs and coordinators only. The chairs' digest written out in full as a
    PDF to file with the agenda, an HTML page and a Markdown file — the same
    paper `csp-bot digest` writes — to attach to the meeting's papers. Give a
    meeting's date for a later one.
    """
    if not (ctx.is_coordinator or (ctx.person is not None and ctx.person.role == Role.CHAIR)):
        names = coordinators(ctx)
        raise Refused(
            say.paper_refused(partnership=ctx.partnership.name, coordinators=", ".join(names))
        )
    if ctx.source == Source.CONSOLE:
        raise UserError(say.ONLY_IN_SLACK.format(instead="csp-bot digest --format html"))
    words = " ".join(w for w in (args.get("meeting"), args.get("more")) if w) or None
    meetings = board_meetings(ctx)
    meeting = pick_meeting(ctx, words, meetings)
    data = build(ctx, meeting, meetings).data
    name = f"{ctx.partnership.slug}-board-paper-{meeting.date:%Y-%m-%d}"
    files = [paper_file(data, fmt, name) for fmt in ("html", "md", "pdf")]
    return upload_reply("The board paper", files)
