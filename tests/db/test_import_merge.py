"""Re-import merges, it never reverts: file, base (the file's last import) and bot, field by field.

Runs on SQLite and PostgreSQL (the db fixtures). A lead's Slack update is made
through the real ``/csp action update`` command; console-style edits (a group's
lead, a priority's title) are made on the rows directly, as the console does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.export import export_rows, write_csv, write_xlsx
from storage.import_base import record_export, source_key
from storage.models import (
    ImportBase,
    Partnership,
    Rag,
    Source,
)
from tests.db.mergekit import LATER, PLAN, action, history, import_plan, import_table, lead_moves_n2
from tests.kit import NOW, context, run


def test_unchanged_file_after_a_lead_update_changes_nothing_and_says_so(
    factory: sessionmaker[Session],
) -> None:
    """The issue's case: N-2 moved in Slack, the unchanged file imported again."""
    import_plan(factory)
    lead_moves_n2(factory)
    before = history(factory)
    report = import_plan(factory)
    assert report.changes == [] and report.conflicts == []
    assert report.summary().splitlines()[1] == (
        "No changes: the bot kept its newer values (below)."
    )
    (kept,) = report.kept
    assert (kept.kind, kept.key, kept.field) == ("action", "N-2", "due_date")
    assert (kept.file_value, kept.bot_value, kept.base_value) == (
        "2027-06-30",
        "2027-09-30",
        "2027-06-30",
    )
    assert kept.who == "Ann Lead" and kept.when == LATER and kept.via == "command"
    assert (
        "action N-2, Due: kept 30/09/2027 (changed by Ann Lead on 24/11/2026 at 10:00); "
        "the file still says 30/06/2027" in report.summary()
    )
    assert history(factory) == before  # no history rows either
    with factory() as s:
        assert action(s, "N-2").due_date == dt.date(2027, 9, 30)
    # A third import of the same file says the same and still writes nothing.
    again = import_plan(factory)
    assert again.changes == [] and len(again.kept) == 1 and history(factory) == before


def test_an_unchanged_file_with_no_updates_is_plain_no_changes(
    factory: sessionmaker[Session],
) -> None:
    """Nothing changed anywhere: the old sentence, and not one row written."""
    first = import_plan(factory)
    assert first.changed and not first.merged and first.file_name == "plan.yaml"
    with factory() as s:
        bases = s.scalar(select(func.max(ImportBase.at)))
    report = import_plan(factory)
    assert report.merged and not report.changed and not report.kept
    assert "No changes: the bot already holds everything in this file." in report.summary()
    with factory() as s:
        assert s.scalar(select(func.max(ImportBase.at))) == bases  # bases untouched


def test_a_change_in_the_file_only_is_applied_and_names_the_file(
    factory: sessionmaker[Session],
) -> None:
    """The file moved N-1's date and nobody touched it in the bot: the file's value."""
    import_plan(factory)
    lead_moves_n2(factory)
    report = import_plan(factory, PLAN.replace("due: 31/03/2027", "due: 30/04/2027"), "plan.yaml")
    assert [str(c) for c in report.changes] == ["updated action N-1 (due_date)"]
    assert len(report.kept) == 1 and report.conflicts == []  # N-2 still kept
    with factory() as s:
        n1 = action(s, "N-1")
        assert n1.due_date == dt.date(2027, 4, 30)
        entry = max(n1.updates, key=lambda u: u.id)
        assert entry.source is Source.IMPORT and entry.file_name == "plan.yaml"
        assert entry.changes == {"due_date": ["2027-03-31", "2027-04-30"]}
        assert action(s, "N-2").due_date == dt.date(2027, 9, 30)


def test_a_change_in_both_is_a_conflict_the_bot_keeps_with_who(
    factory: sessionmaker[Session],
) -> None:
    """Lead and file moved N-2 to different dates: the bot's stays, both are reported."""
    import_plan(factory)
    lead_moves_n2(factory)
    before = history(factory)
    report = import_plan(factory, PLAN.replace("due: 30/06/2027", "due: 31/12/2027"))
    (conflict,) = report.conflicts
    assert (conflict.key, conflict.field, conflict.applied) == ("N-2", "due_date", False)
    assert (conflict.file_value, conflict.bot_value, conflict.base_value) == (
        "2027-12-31",
        "2027-09-30",
        "2027-06-30",
    )
    assert conflict.who == "Ann Lead" and conflict.when == LATER
    text = report.summary()
    assert "1 conflict: changed in the file and in the bot" in text
    assert (
        "action N-2, Due: file 31/12/2027, bot 30/09/2027 (changed by Ann Lead on "
        "24/11/2026 at 10:00), was 30/06/2027; kept the bot's value" in text
    )
    assert not report.changed and history(factory) == before
    with factory() as s:
        assert action(s, "N-2").due_date == dt.date(2027, 9, 30)
    # The file's value is now its base: the same file again reports it as kept, not a conflict.
    again = import_plan(factory, PLAN.replace("due: 30/06/2027", "due: 31/12/2027"))
    assert again.conflicts == [] and [k.file_value for k in again.kept] == ["2027-12-31"]


def test_prefer_file_takes_the_files_value_in_a_conflict(factory: sessionmaker[Session]) -> None:
    """The importer chose the file: the conflict is still listed, and applied."""
    import_plan(factory)
    lead_moves_n2(factory)
    report = import_plan(
        factory, PLAN.replace("due: 30/06/2027", "due: 31/12/2027"), prefer_file=True
    )
    (conflict,) = report.conflicts
    assert conflict.applied and report.prefer_file
    assert "took the file's value, as asked" in report.summary()
    assert [str(c) for c in report.changes] == ["updated action N-2 (due_date)"]
    with factory() as s:
        assert action(s, "N-2").due_date == dt.date(2027, 12, 31)
    # prefer_file never reverts a change made in the bot only.
    lead_moves_n2(factory, "31/01/2028")
    kept = import_plan(
        factory, PLAN.replace("due: 30/06/2027", "due: 31/12/2027"), prefer_file=True
    )
    assert not kept.changed and [k.bot_value for k in kept.kept] == ["2028-01-31"]


def test_the_same_change_in_both_is_no_conflict(factory: sessionmaker[Session]) -> None:
    """Lead and file agree on the new date: nothing to do, nothing to report."""
    import_plan(factory)
    lead_moves_n2(factory)
    report = import_plan(factory, PLAN.replace("due: 30/06/2027", "due: 30/09/2027"))
    assert not report.changed and not report.kept and not report.conflicts


def test_a_first_import_without_a_base_applies_the_file_as_before(
    factory: sessionmaker[Session],
) -> None:
    """A database from before the merge (no bases): the file's stated values apply."""
    import_plan(factory)
    with transaction(factory) as s:
        s.execute(delete(ImportBase))
    lead_moves_n2(factory)
    report = import_plan(factory)
    assert not report.merged and not report.kept and not report.conflicts
    assert [str(c) for c in report.changes] == ["updated action N-2 (due_date)"]
    with factory() as s:
        assert action(s, "N-2").due_date == dt.date(2027, 6, 30)


def test_a_newer_note_from_a_lead_is_not_buried_by_the_files_older_one(
    factory: sessionmaker[Session],
) -> None:
    """The file's progress note is the one it had: no new history entry for it."""
    import_plan(factory)
    with factory() as s:
        outcome, text = run(
            context(s, "test", "Ann Lead", now=LATER), 'action update N-1 "pledge printed"'
        )
        assert outcome.ok, text
    before = history(factory)
    report = import_plan(factory)
    assert not report.changed and history(factory) == before
    (kept,) = report.kept
    assert (kept.field, kept.bot_value, kept.file_value) == (
        "note",
        "pledge printed",
        "Venue booked",
    )
    # A new note in the file while the lead wrote one too: a conflict, added only if preferred.
    newer = PLAN.replace("note: Venue booked", "note: Launched on 1/12")
    (conflict,) = import_plan(factory, newer).conflicts
    assert conflict.field == "note" and history(factory) == before
    assert import_plan(factory, newer.replace("1/12", "2/12"), prefer_file=True).changed
    assert history(factory) == before + 1


def test_a_copy_of_the_file_merges_against_what_was_imported(
    factory: sessionmaker[Session],
) -> None:
    """A renamed or downloaded-twice copy is not a first import: it merges too."""
    assert source_key("/tmp/Plan (1).yaml") == source_key("plan.YAML") == "plan"
    assert source_key(r"C:\Users\cora\Plan - Copy.xlsx") == "plan"
    import_plan(factory)
    lead_moves_n2(factory)
    assert len(import_plan(factory, name="Plan (1).yaml").kept) == 1
    other = import_plan(
        factory, name="march-plan.yaml"
    )  # never imported: the newest base of any file
    assert not other.changed and len(other.kept) == 1


CSV = """Ref,Action,Owner,Due date,RAG,Priority
N-1,Launch the pledge,Ann Lead,31/03/2027,Green,P1
N-2,Train partners,Ann Lead,30/06/2027,,P1
"""


def test_a_spreadsheet_reimport_keeps_slack_updates(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """The same rule for a CSV tracker: unchanged → no changes; edited → applied."""
    import_plan(factory)
    sheet = tmp_path / "tracker.csv"
    sheet.write_text(CSV)
    first = import_table(factory, sheet)
    assert not first.merged and not first.changed
    with factory() as s:
        outcome, text = run(context(s, "test", "Ann Lead", now=LATER), "action update N-1 rag:red")
        assert outcome.ok, text
    lead_moves_n2(factory)
    before = history(factory)
    report = import_table(factory, sheet)
    assert not report.changed and report.merged
    assert {(k.key, k.field) for k in report.kept} == {("N-1", "rag"), ("N-2", "due_date")}
    assert "No changes" in report.summary() and history(factory) == before
    sheet.write_text(CSV.replace("Train partners", "Train all partners"))
    edited = import_table(factory, sheet)
    assert [str(c) for c in edited.changes] == ["updated action N-2 (title)"]
    with factory() as s:
        n2 = action(s, "N-2")
        assert n2.title == "Train all partners" and n2.due_date == dt.date(2027, 9, 30)
        assert action(s, "N-1").rag is Rag.RED


def _export(factory: sessionmaker[Session], path: Path) -> None:
    """Export as ``csp-bot export`` does: the rows, the file, and the file's base."""
    with transaction(factory) as s:
        p = s.scalars(select(Partnership).where(Partnership.slug == "test")).one()
        rows = export_rows(s, p)
        record_export(s, p, path.name, now=NOW + dt.timedelta(days=1))
        if path.suffix == ".csv":
            write_csv(path, rows)
        else:
            write_xlsx(path, rows, title=p.name)


def test_export_edit_in_excel_reimport_keeps_the_leads_updates(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """Export, a lead updates in Slack, the coordinator edits the .xlsx, imports it back."""
    import_plan(factory)
    path = tmp_path / "test-action-plan.xlsx"
    _export(factory, path)
    lead_moves_n2(factory)
    with factory() as s:
        outcome, text = run(
            context(s, "test", "Ann Lead", now=LATER), 'action update N-1 "pledge printed"'
        )
        assert outcome.ok, text
    book = load_workbook(path)
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    title_col = header.index("Action") + 1
    rag_col = header.index("RAG") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value == "N-1":
            sheet.cell(row, rag_col).value = "Amber"  # the coordinator's edit
        if sheet.cell(row, 1).value == "N-2":
            sheet.cell(row, title_col).value = "Train every partner"
    book.save(path)
    before = history(factory)
    report = import_table(factory, path)
    assert sorted(str(c) for c in report.changes) == [
        "updated action N-1 (rag)",
        "updated action N-2 (title)",
    ]
    assert report.conflicts == []
    assert {(k.key, k.field) for k in report.kept} == {("N-1", "note"), ("N-2", "due_date")}
    assert history(factory) == before + 2
    with factory() as s:
        n1, n2 = action(s, "N-1"), action(s, "N-2")
        assert n1.rag is Rag.AMBER and n2.title == "Train every partner"
        assert n2.due_date == dt.date(2027, 9, 30)  # the lead's update survived
        notes = [u.note for u in sorted(n1.updates, key=lambda u: u.id) if u.note]
        assert notes == ["Venue booked", "pledge printed"]  # the export's older note not re-added
    # And the edited file imported once more is "No changes".
    assert not import_table(factory, path).changed


def test_an_unedited_csv_export_reimports_as_no_changes_after_updates(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """The CSV round trip with nothing edited in the file: every update made since is kept."""
    import_plan(factory)
    path = tmp_path / "test-action-plan.csv"
    _export(factory, path)
    lead_moves_n2(factory)
    before = history(factory)
    report = import_table(factory, path)
    assert not report.changed and [k.key for k in report.kept] == ["N-2"]
    assert history(factory) == before
