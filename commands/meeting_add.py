"""``/csp meeting add``: one meeting, or a series typed the way people say it.

A single meeting is saved at once. A series (``every third Thursday of Jan,
Mar, May, Jul, Sep and Nov``, ``every 2 months from 21/01/2027 for 6
meetings``; partnership/series.py reads it) is first shown back as dates with
a Confirm button; the button (or the same line typed with ``confirm``) saves
exactly the dates shown, since what it runs has the start and end written in.
"""

from __future__ import annotations

import datetime as dt
import re

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import meetings
from partnership.context import Context, Reply, UserError
from partnership.lookup import find_open_group
from partnership.meetings import Details, MeetingError
from partnership.messages import meetings as say
from partnership.series import Series, SeriesError, is_series, parse_series
from storage.dates import uk

# Slack keeps a button's value to 2,000 characters; a longer line is confirmed by typing.
MAX_BUTTON = 2000
# "at 10:00" inside a series line: the meetings' time.
_AT = re.compile(r"\s+at\s+(\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?)(?=\s|$)", re.I)
# How many words a meeting's day may take ("21 January 2027" is three).
_DAY_WORDS = 4


@command(
    "meeting add",
    usage="<date> [<time>] [group:<name>] [<title>] [location:<place>]  ·  every …",
    examples=(
        '/csp meeting add 21/01/2027 10:00 Quarterly review location:"Town Hall"',
        '/csp meeting add 04/02/2027 14:00 group:"ASB Steering Group"',
        "/csp meeting add every third Thursday of Jan, Mar, May, Jul, Sep and Nov at 10:00",
        "/csp meeting add every 2 months from 21/01/2027 until 30/11/2027",
    ),
    rest="text",
    keys=("group", "time", "title", "location"),
    aliases={"where": "location", "venue": "location", "place": "location", "at": "location"},
    flags=("confirm",),
    coordinator_only=True,
)
def meeting_add(ctx: Context, args: Args) -> Result:
    """Add a Leadership Group or sub-group meeting, or a series of them.

    Without `group:` it is a Leadership Group / Board meeting, whose digest goes
    to the chairs before it. A series starts with `every` and ends `until` a
    date or `for` a number of meetings (a year when neither is said); it is
    shown as dates to confirm before anything is saved.
    """
    text = (args.get("text") or "").strip()
    confirmed = "confirm" in args.flags
    if text.lower().endswith(" confirm"):
        text, confirmed = text[: -len(" confirm")].rstrip(), True
    if not text:
        raise UserError(say.GIVE_DATE)
    try:
        group = (
            find_open_group(ctx, args.get("group") or "", what=say.NEW_MEETING)
            if args.get("group")
            else None
        )
        time = meetings.read_time(args.get("time") or "") if args.get("time") else None
        if is_series(text):
            if (m := _AT.search(text)) and meetings.is_time(m[1]) and time is None:
                time, text = meetings.read_time(m[1]), text[: m.start()] + text[m.end() :]
            series = parse_series(text, today=ctx.today)
            details = Details(group, time, args.get("title"), args.get("location"))
            if not confirmed:
                return _preview(ctx, series, details)
            days = series.dates
        else:
            day, time_typed, title = _single(ctx, text)
            time = time or time_typed
            details = Details(group, time, args.get("title") or title, args.get("location"))
            days = [day]
        added, taken = meetings.add(ctx.session, ctx.partnership, days, details)
    except (MeetingError, SeriesError) as exc:
        raise UserError(say.nothing_saved(problem=str(exc))) from None
    except UserError as exc:  # no such sub-group
        raise UserError(say.nothing_saved(problem=exc.message), fields=exc.fields) from None
    if not added:
        label = meetings.group_label(ctx.partnership, group)
        raise UserError(say.already_meets(label=label, dates=", ".join(uk(d) for d in taken)))
    return Reply(
        "meeting_changed",
        {
            "verb": "added",
            "meetings": [meetings.view(ctx.partnership, m, _closed(ctx, m.date)) for m in added],
            "taken": [uk(d) for d in taken],
            "past": any(m.date < ctx.today for m in added),
            "told": [],
        },
        text=say.added(n=len(added)),
    )


def _single(ctx: Context, text: str) -> tuple[dt.date, dt.time | None, str | None]:
    """A single meeting's day, then its time if one follows, then its title (as typed)."""
    words = text.split()
    used = next(
        (
            n
            for n in range(min(_DAY_WORDS, len(words)), 0, -1)
            if meetings.is_day(" ".join(words[:n]))
        ),
        0,
    )
    if not used:
        raise MeetingError(
            f"`{' '.join(words[:3])[:40]}` is not a day I can read. Start with the meeting's day, "
            "day first (`21/01/2027`), or a series (`every third Thursday of Jan, Mar and May`)."
        )
    day = meetings.read_day(" ".join(words[:used]), ctx.today)
    time = None
    if len(words) > used + 1 and words[used].lower() == "at" and meetings.is_time(words[used + 1]):
        used += 1  # "21/01/2027 at 10:00"
    if len(words) > used and meetings.is_time(words[used]):
        time = meetings.read_time(words[used])
        used += 1
    rest = text.split(None, used)[used].strip() if len(words) > used else ""
    return day, time, rest or None


def _closed(ctx: Context, day: dt.date) -> str:
    """Why ``day`` is no working day (a bank holiday's name, or the weekend), else empty."""
    if ctx.calendar.is_working_day(day):
        return ""
    return ctx.calendar.holiday(day) or day.strftime("a %A")


def _preview(ctx: Context, series: Series, details: Details) -> Reply:
    """The series' dates shown back, with the line (and button) that saves them."""
    taken = meetings.taken_days(ctx.session, ctx.partnership, details.group, series.dates)
    line = "meeting add " + series.anchored + _keys(details)
    button = f"in:{ctx.partnership.slug} meeting add confirm {series.anchored}{_keys(details)}"
    new = [d for d in series.dates if d not in taken]
    return Reply(
        "meeting_series",
        {
            "group": meetings.group_label(ctx.partnership, details.group),
            "words": series.words,
            "ends": series.ends,
            "open_ended": series.open_ended,
            "dates": [
                {
                    "date": uk(d),
                    "weekday": d.strftime("%A"),
                    "taken": d in taken,
                    "closed": _closed(ctx, d),
                    "past": d < ctx.today,
                }
                for d in series.dates
            ],
            "count": len(new),
            "time": details.time.strftime("%H:%M") if details.time else "",
            "title": details.title or "",
            "location": details.location or "",
            "confirm": f"/csp {line} confirm",
            "button": button if len(button) <= MAX_BUTTON and new else "",
        },
        text=say.to_confirm(n=len(new)),
    )


def _keys(details: Details) -> str:
    """The series' details as ``key:"value"`` words, so the confirmation saves the same."""
    out = ""
    for key, value in (
        ("group", details.group.name if details.group else None),
        ("time", details.time.strftime("%H:%M") if details.time else None),
        ("title", details.title),
        ("location", details.location),
    ):
        if value is None:
            continue
        quote = '"' if not set(value) & set('"“”') else "'"
        out += f" {key}:{quote}{value}{quote}"
    return out
