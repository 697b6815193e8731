"""``csp-bot digest``: the chairs' pre-meeting digest as board papers, in Markdown, HTML or PDF.

The same view-model as the Slack digest (partnership/digest.py), with every
list in full. Each format has its own environment that escapes by
construction, as the Block Kit one does for Slack (bot/render/environment.py):

* HTML: Jinja's autoescaping, so user text is always text (``<script>`` shows
  as typed);
* Markdown: every expression goes through :func:`md_escape`, which backslash-
  escapes the characters Markdown reads as formatting, links or HTML and puts
  the text on one line, so a title can neither bold itself nor start a
  heading, a list or a table row.

The HTML paper carries the measure charts as PNG ``data:`` URIs
(:mod:`bot.render.charts`), so it is one file that works offline; the PDF is
that page laid out on A4 by WeasyPrint (:mod:`bot.render.pdf`).

Registered in ``bot/cli/`` with :func:`add_arguments` and :func:`cmd_digest`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment
from markupsafe import Markup

from bot.cli.common import CliError, pick_partnership, sessions
from bot.render import charts, pdf
from bot.render.environment import base_environment
from bot.settings import Settings
from partnership.context import Context, UserError
from partnership.digest import build
from partnership.digest_meetings import MeetingInfo, board_meetings, group_name, pick_meeting
from storage.dates import DateError, did_you_mean, parse_date, uk
from storage.models import Source

FORMATS = ("md", "html", "pdf")
LONDON = ZoneInfo("Europe/London")
# Characters Markdown reads as emphasis, code, links, HTML, tables, strike-through or entities.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# What starts a heading, list, quote, rule or setext underline when it opens a line.
_MD_LINE_START = re.compile(r"^([#+\-=>])|^(\d+)([.)])")


def now() -> dt.datetime:
    """The current moment (tests replace it)."""
    return dt.datetime.now(dt.UTC)


def md_escape(value: object) -> str:
    """Text for Markdown: one line, every formatting character backslash-escaped."""
    text = " ".join(str(value).split())
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(
        lambda m: "\\" + m[1] if m[1] else f"{m[2]}\\{m[3]}",
        text,
    )


def _md_finalize(value: Any) -> Any:
    """Escape every string a Markdown template outputs (numbers pass through)."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, str):
        return md_escape(value)
    return value


@cache
def _environment(fmt: str) -> Environment:
    """The environment for one document format, escaping as that format needs."""
    options: dict[str, Any] = (
        {"autoescape": True} if fmt == "html" else {"autoescape": False, "finalize": _md_finalize}
    )
    return base_environment(**options)


def render_document(data: dict[str, Any], fmt: str) -> str:
    """The digest view-model as a Markdown or HTML document (HTML with its charts inside)."""
    if fmt not in ("md", "html"):
        raise ValueError(f"unknown format {fmt!r}; use md or html")
    extra = {"pictures": charts.pictures(data.get("charts") or {})} if fmt == "html" else {}
    return _environment(fmt).get_template(f"digest.{fmt}.j2").render(**data, **extra)


def render_pdf(data: dict[str, Any]) -> bytes:
    """The digest view-model as a PDF board paper: the HTML paper on A4 pages."""
    return pdf.html_to_pdf(render_document(data, "html"))


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
