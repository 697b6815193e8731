"""Reading a seed's year (tests/db/seedyearkit.py): the checks every year shares, and readers.

The readers pick out of what Slack was sent what each seed's document asks
for: a board's districts in its digest, sub-groups' reports reaching the
chairs, SARA counts, and the periods a reporting cycle names.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from bot.schedule.run import context as sweep_context
from partnership import cycles
from storage.models import Meeting, QuarterlyReturn, SubGroup
from storage.workdays import WorkingCalendar
from tests import kit
from tests.db.seedyearkit import ASKS, MORNING, Year, moment, report_texts
from tests.db.seedyearsent import Sent

# ------------------------------------------------------------------ checks every year shares


def clean(year: Year) -> list[str]:
    """What went wrong in a year: tracebacks, failed sends, a key sent twice, a closed day."""
    keys = [s.key for s in year.sent]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    calendar = WorkingCalendar()
    closed = [f"{s.day}: {s.key}" for s in year.sent if not calendar.is_working_day(s.day)]
    return year.problems + [f"sent twice: {k}" for k in twice] + closed


def unanswered(year: Year) -> list[Sent]:
    """Reminders and chases to a lead who answers reminders that got no report that day."""
    by_day = {(r.lead, r.day) for r in year.reports}
    return [
        s
        for s in year.sent
        if s.kind in ASKS
        and (s.to, s.day) not in by_day
        and year.script.leads.get(s.to, "reminded") == "reminded"
    ]


def _meetings(year: Year, slug: str) -> dict[str, dt.date]:
    """A partnership's outbox periods of meetings (``meeting:<id>``) -> the meeting's date."""
    with year.factory() as session:
        pid = kit.partnership(session, slug).id
        rows = session.execute(
            select(Meeting.id, Meeting.date).where(Meeting.partnership_id == pid)
        )
        return {f"meeting:{mid}": day for mid, day in rows}


def digests(year: Year, slug: str) -> dict[dt.date, list[tuple[dt.date, str]]]:
    """One partnership's digests by meeting date: (day sent, recipient) of each, in order."""
    dates = _meetings(year, slug)
    out: dict[dt.date, list[tuple[dt.date, str]]] = {}
    for s in year.of("digest"):
        if s.slug == slug:
            out.setdefault(dates[s.key.split("|", 2)[2]], []).append((s.day, s.to))
    return out


def reports_in(year: Year, slug: str) -> dict[str, list[str]]:
    """Each group's reports held for the year (not the year before's), by period, in order.

    Periods are named and bounded the way their cycle does (partnership/cycles.py):
    ``Q1 2023/24``, ``H1 2017/18``, ``the 23/05/2019 meeting``.
    """
    start = year.script.start
    with year.factory() as session:
        partnership = kit.partnership(session, slug)
        ctx = sweep_context(session, partnership, moment(start, MORNING))
        rows = session.execute(
            select(SubGroup.name, QuarterlyReturn.fy_start_year, QuarterlyReturn.quarter)
            .join(SubGroup, SubGroup.id == QuarterlyReturn.subgroup_id)
            .where(
                QuarterlyReturn.partnership_id == partnership.id,
                QuarterlyReturn.submitted_at.is_not(None),
            )
            .order_by(SubGroup.name, QuarterlyReturn.fy_start_year, QuarterlyReturn.quarter)
        )
        found: dict[str, list[str]] = {}
        for name, fy, number in rows:
            if cycles.bounds(ctx, (fy, number))[1] >= start:
                found.setdefault(name, []).append(cycles.label((fy, number)))
    return found


def digest_for(year: Year, slug: str, meeting: dt.date) -> Sent:
    """The digest for one meeting as the partnership's board channel got it."""
    dates = _meetings(year, slug)
    [found] = [
        s
        for s in year.of("digest", f"{slug} board channel")
        if s.slug == slug and dates[s.key.split("|", 2)[2]] == meeting
    ]
    return found


# ------------------------------------------------------------------ readers of the features


def reports_shown(year: Year, message: Sent) -> dict[str, list[str]]:
    """Per group, which of its reports' fields (summary, achievements…) a message quotes.

    The digest carries each group's latest report's summary, achievements and
    issues (partnership/reports.py), and the escalations of reports in since the
    last meeting; a field counts when its whole text (report_texts) is there.
    """
    found: dict[str, list[str]] = {}
    for r in year.reports:
        for name, text in report_texts(r.group, r.period).items():
            if text in message.text:
                found.setdefault(r.group, []).append(name)
    return found


def districts_named(message: Sent, districts: list[str]) -> list[str]:
    """The districts (by name) a message names: the board's digest should show every one."""
    return [name for name in districts if name in message.text]


def sara_counts(message: Sent) -> dict[str, int]:
    """Open problem-solving actions per SARA stage as a message counts them.

    The digest's wording (templates/_sara.j2): ``Problem-solving (SARA), open:
    1 scanning · 2 analysis · 1 response · 0 assessment``.
    """
    line = re.search(r"Problem-solving \(SARA\), open: ([^\\'\"]*)", message.text)
    if line is None:
        return {}
    found = re.findall(r"(\d+) (scanning|analysis|response|assessment)\b", line[1])
    return {stage: int(n) for n, stage in found}


def periods_asked(year: Year, lead: str) -> list[str]:
    """The periods a lead's reminders and chases named, in order, each once.

    The periods' names follow the reporting cycle ("Q1 2026/27", "H1 2027/28",
    "the 18/03/2027 meeting"): a cycle's test compares them with the document's.
    """
    found: list[str] = []
    for s in year.sent:
        if s.kind in ASKS and s.to == lead:
            m = re.search(r"return for \*([^*]+)\*", s.text)
            if m and m[1] not in found:
                found.append(m[1])
    return found


def asked_not_held(year: Year, slug: str, groups: dict[str, str]) -> list[str]:
    """Where a group's reports held differ from what its lead (``groups[name]``) was asked.

    Cycle-agnostic: it holds for quarterly, twice-yearly or pre-meeting
    reports alike, as long as every lead answers when asked.
    """
    held = reports_in(year, slug)
    wrong = [f"reports of a group not asked: {g}" for g in set(held) - set(groups)]
    for group, lead in groups.items():
        asked = periods_asked(year, lead)
        if not asked or held.get(group) != asked:
            wrong.append(f"{group}: asked {asked}, held {held.get(group)}")
    return wrong + [f"not answered: {s.day} {s.key}" for s in unanswered(year)]
