"""Apply a validated plan to the database: create what is new, update what changed.

Rules (documented for coordinators in docs/plan-format.md):

* Things are matched by their natural key within the partnership: priorities by
  code, groups, people, organisations and measures by name (case and spacing
  ignored), meetings by group and date, readings by period, actions by ``ref``
  or, when a row has no ref, by title.
* A value the file leaves empty is "not stated": it never clears what the bot
  holds.
* A re-import merges, it never reverts: a field changed in the bot since the
  same file was last imported (a lead's update) keeps the bot's value, and a
  field changed in both is a conflict that keeps the bot's value unless the
  importer prefers the file's (:mod:`storage.sync_held`, :mod:`storage.import_base`).
* Every change to an action is an entry in its history (source ``import``), and
  a new progress note is appended only when it differs from the latest one, so
  importing the same file twice changes nothing.
* Nothing here commits: the caller's transaction makes the whole import one
  unit, and any problem raises :class:`PlanError` before anything is kept.

This module is the entry point (:func:`apply_plan`) and syncs the partnership
section itself (its row, channels and admitted workspaces);
:mod:`storage.sync_held` indexes what the bot holds and reports what changed,
:mod:`storage.sync_sections` applies the plan's other sections.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import channels, partnership_settings
from storage.dates import FinancialYear
from storage.models import Partnership, PartnershipWorkspace, Person, Priority, Source, utcnow
from storage.plan_partnership import AdmittedIn
from storage.plan_problems import PlanError, Problem
from storage.planfile import PlanFile
from storage.sync_held import Change, Conflict, ImportReport, Kept
from storage.sync_sections import Syncer
from storage.words import fold


def find_partnership(session: Session, key: str) -> Partnership | None:
    """A partnership by slug, name or short name (case ignored)."""
    for p in session.scalars(select(Partnership)):
        if fold(key) in {fold(p.slug), fold(p.name), fold(p.short_name or "")}:
            return p
    return None


def _sync_partnership(
    session: Session, plan: PlanFile, report_warnings: list[str], source_name: str
) -> tuple[Partnership, bool, list[str]]:
    """Create or update the partnership row from the plan's partnership section."""
    section = plan.partnership
    assert section is not None
    slug = section.resolved_slug
    partnership = session.scalars(select(Partnership).where(Partnership.slug == slug)).first()
    created = partnership is None
    if partnership is None:
        partnership = Partnership(slug=slug, name=section.name)
        session.add(partnership)
    fy = section.fy
    values: dict[str, Any] = {
        "name": section.name,
        "short_name": section.short_name,
        "timezone": section.timezone,
        "fy_start_month": fy.month,
        "fy_start_day": fy.day,
        "nation": section.nation,
        "plan_title": section.plan_title,
        "plan_period": section.plan_period,
        "vision": section.vision,
        "leadership_group": section.leadership_group,
        "meeting_cadence": section.meeting_cadence,
        "meetings_per_year": section.meetings_per_year,
        "slack_team_id": section.slack.team_id if section.slack else None,
    }
    changed = [n for n, v in values.items() if v is not None and getattr(partnership, n) != v]
    for n in changed:
        setattr(partnership, n, values[n])
    if section.parent:
        parent = session.scalars(
            select(Partnership).where(Partnership.slug == section.parent)
        ).first()
        if parent is None:
            report_warnings.append(
                f"parent partnership {section.parent!r} is not in the bot yet; import its plan "
                "and then this one again to link them"
            )
        elif partnership.parent_id != parent.id:
            partnership.parent = parent
            changed.append("parent")
    if section.settings:
        before = partnership_settings.of(partnership)
        after = partnership_settings.change(before, section.settings)
        if after != before:
            partnership_settings.store(partnership, after)
            changed.append("settings")
    session.flush()
    if section.slack:
        taken: list[Problem] = []
        for purpose, channel_id in section.slack.channels.items():
            try:
                if channels.assign(session, partnership, purpose, channel_id):
                    changed.append(f"channel {purpose}")
            except channels.ChannelTakenError as exc:
                taken.append(Problem(("partnership", "slack", "channels", purpose), str(exc)))
        if taken:
            raise PlanError(source_name, taken)
        if section.slack.admitted is not None:
            changed += _sync_admitted(session, partnership, section.slack.admitted)
    return partnership, created, changed


def _sync_admitted(
    session: Session, partnership: Partnership, admitted: list[AdmittedIn]
) -> list[str]:
    """Make the partnership's admitted workspaces exactly the plan's list; say what changed."""
    rows = {
        w.team_id: w
        for w in session.scalars(
            select(PartnershipWorkspace).where(
                PartnershipWorkspace.partnership_id == partnership.id
            )
        )
    }
    wanted = {a.team_id: a for a in admitted}
    changed: list[str] = []
    for team_id, row in rows.items():
        if team_id not in wanted:
            session.delete(row)
            changed.append(f"workspace {team_id} no longer admitted")
    for team_id, item in wanted.items():
        found = rows.get(team_id)
        if found is None:
            session.add(
                PartnershipWorkspace(partnership_id=partnership.id, team_id=team_id, name=item.name)
            )
            changed.append(f"workspace {team_id} admitted")
        elif item.name is not None and found.name != item.name:
            found.name = item.name
            changed.append(f"workspace {team_id}")
    session.flush()
    return changed


def apply_plan(
    session: Session,
    plan: PlanFile,
    *,
    source_name: str,
    partnership: Partnership | None = None,
    by: Person | None = None,
    source: Source = Source.IMPORT,
    now: dt.datetime | None = None,
    prefer_file: bool = False,
) -> ImportReport:
    """Merge ``plan`` into the database; raise PlanError (nothing kept) on problems.

    ``source_name`` is the file's name (a path will do): it says which earlier
    import this one merges against. A field changed both in the file and in
    the bot since then keeps the bot's value unless ``prefer_file``.
    """
    warnings: list[str] = []
    created = False
    changed: list[str] = []
    if plan.partnership is not None:
        partnership, created, changed = _sync_partnership(session, plan, warnings, source_name)
    elif partnership is None:
        raise PlanError(
            source_name, [Problem(("partnership",), "say which partnership this is for")]
        )
    fy = FinancialYear(partnership.fy_start_month, partnership.fy_start_day)
    when = now or utcnow()
    syncer = Syncer(
        session,
        partnership,
        source,
        by,
        when,
        fy,
        source_name=source_name,
        prefer_file=prefer_file,
    )
    syncer.report.warnings.extend(warnings)
    # The plan file that brings a partnership in describes groups that already
    # existed: they owe what they always did. A group a later import adds is new.
    syncer.groups_from = None if created else syncer.today
    syncer._record("partnership", partnership.slug, created, changed)
    syncer.sync(plan)
    if syncer.problems:
        raise PlanError(source_name, syncer.problems)
    syncer.bases.save(by, when)
    session.flush()
    syncer.report.warnings.extend(_unknown_board_priorities(session, partnership, plan))
    return syncer.report


def _unknown_board_priorities(
    session: Session, partnership: Partnership, plan: PlanFile
) -> list[str]:
    """A warning for each ``board_priority`` the county board's plan does not have."""
    named = [(p.code, p.board_priority) for p in plan.priorities if p.board_priority]
    if not named:
        return []
    if partnership.parent_id is None:
        return [
            "board_priority is set but the partnership names no parent board; "
            "it is kept and shown once the plan names its board"
        ]
    held = {
        fold(code)
        for code in session.scalars(
            select(Priority.code).where(Priority.partnership_id == partnership.parent_id)
        )
    }
    return [
        f"priority {code}: board_priority {to!r} is not a priority of the county board; "
        "it is shown as not mapped until the board has it"
        for code, to in named
        if fold(to) not in held
    ]


__all__ = ["Change", "Conflict", "ImportReport", "Kept", "apply_plan", "find_partnership"]
