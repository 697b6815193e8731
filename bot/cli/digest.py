"""``csp-bot digest``: the chairs' pre-meeting digest as board papers, in Markdown, HTML or PDF.

The same view-model as the Slack digest (partnership/digest.py), with every
list in full, rendered by bot/render/documents.py (which escapes for each
format), the same paper ``/csp digest paper`` sends in Slack.

The HTML paper carries the measure charts as PNG ``data:`` URIs
(:mod:`bot.render.charts`), so it is one file that works offline; the PDF is
that page laid out on A4 by WeasyPrint (:func:`bot.render.documents.render_pdf`).

Registered in ``bot/cli/`` with :func:`add_arguments` and :func:`cmd_digest`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.common import CliError, pick_partnership, sessions
from bot.render.documents import FORMATS as DOCUMENTS
from bot.render.documents import md_escape, render_document, render_pdf
from bot.settings import Settings
from partnership.context import Context, UserError
from partnership.digest import build
from partnership.digest_meetings import MeetingInfo, board_meetings, group_name, pick_meeting
from storage.dates import DateError, did_you_mean, parse_date, uk
from storage.models import Source

__all__ = ["FORMATS", "add_arguments", "cmd_digest", "md_escape", "render_document", "render_pdf"]

FORMATS = (*DOCUMENTS, "pdf")

LONDON = ZoneInfo("Europe/London")


def now() -> dt.datetime:
    """The current moment (tests replace it)."""
    return dt.datetime.now(dt.UTC)


def _meeting_date(text: str) -> dt.date:
    """``--meeting``: a UK date (day first) or a relative one; a bad one is exit status 2."""
    try:
        return parse_date(text, today=now().astimezone(LONDON).date())
    except DateError:
        hint = did_you_mean(text)
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date"
            + (f": {hint} Give" if hint else "; give")
            + " the meeting's date day first, such as 10/12/2026"
        ) from None


def _meeting(ctx: Context, day: dt.date | None, meetings: list[MeetingInfo]) -> MeetingInfo:
    """The meeting the board papers are for: one in the plan, or a day the plan lacks.

    Board papers may be for a meeting the plan does not record (an extraordinary
    one, or a plan with no ``meetings:`` yet), so a day given that is not a
    recorded meeting is taken as it is, if it has not passed; Slack's
    ``digest preview`` and ``digest send`` stay with the recorded meetings.
    """

    if day is not None and day < ctx.today and not any(m.date == day for m in meetings):
        raise CliError(
            f"{uk(day)} has passed; a digest shows where things stand before a meeting, "
            "so give the day of one to come (today or later)."
        )
    if day is None or any(m.date == day for m in meetings):
        try:
            return pick_meeting(ctx, uk(day) if day else None, meetings)
        except UserError as exc:
            hint = "" if day else " Or name the meeting's day: --meeting DD/MM/YYYY."
            raise CliError(exc.message.replace("`", "") + hint) from None
    print(
        f"Note: {uk(day)} is not a {group_name(ctx)} meeting in the plan; the digest is "
        "written for a meeting on that day. Add it to the plan's meetings: so the chairs "
        "get their digest from the clock.",
        file=sys.stderr,
    )
    return MeetingInfo(0, day, group_name(ctx), None, "")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``csp-bot digest``."""
    parser.add_argument("--partnership", help="which partnership (slug or name)")
    parser.add_argument(
        "--meeting",
        type=_meeting_date,
        metavar="DD/MM/YYYY",
        help="the Leadership Group meeting's date, such as 18/03/2027 or +2w (default: the "
        "next meeting in the plan; a day the plan does not hold is taken as given)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="md",
        help="md (default), html (one file, charts inside) or pdf (A4; needs -o FILE)",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    """Write the chairs' digest for a Leadership Group meeting as Markdown, HTML or PDF."""
    if args.format == "pdf" and not args.output:
        raise CliError("A PDF is not for the terminal: name a file for it, e.g. -o paper.pdf.")

    factory = sessions(settings)
    with factory() as session:
        partnership = pick_partnership(session, args.partnership)
        ctx = Context(session, partnership, None, now(), Source.CONSOLE, operator=True)
        meetings = board_meetings(ctx)
        meeting = _meeting(ctx, args.meeting, meetings)
        data = build(ctx, meeting, meetings).data
    if args.format == "pdf":
        content = render_pdf(data)
    else:
        text = render_document(data, args.format)
        if not args.output:
            sys.stdout.write(text)
            return 0
        content = text.encode("utf-8")
    target = Path(args.output)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    print(
        f"Wrote the digest for the {data['group']} on {data['meeting']['date']} "
        f"({partnership.slug}) to {target}."
    )
    return 0
