"""``/csp import`` merges, over signed HTTP: a re-import from Slack never undoes a lead's update.

The real server and the fake Slack (the harness of test_import_http.py): a
coordinator imports a file, a lead moves a due date with ``/csp action
update``, and the coordinator sends a file again. An unchanged file says "No
changes" and offers no Import; a file that changed the same field lists the
conflict with both values and the lead's name, and offers keep-the-bot's and
take-the-file's buttons, each applying what it says. The Slack export, edited
with openpyxl and sent back, keeps a lead's update made after the export and
applies the edited cell. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from storage.models import ActionUpdate, ImportBase, Organisation, PendingImport, Person
from tests.e2e import ACK_LIMIT, BOT_TOKEN, Stack, all_text, running, validate
from tests.fakeslack import Call
from tests.process.test_import_http import (
    CORA,
    GOOD_CSV,
    HEADER,
    buttons,
    counts,
    press,
    send_file,
    submit,
)

LEE = "U0LEE"  # Lee Lead, who owns N-1 once the file is imported
NAME = "riverside-plan.csv"
# The same file with N-1's due date changed in the spreadsheet too.
CHANGED_CSV = (
    HEADER + "N-1,Open the new youth hub,Lee Lead,31/12/2027,P1\n"
    "N-2,Train door staff on spiking,Gina Grouplead,30/09/2027,P1\n"
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server on riverside and hillford, and the fake Slack, per backend."""
    workdir = tmp_path_factory.mktemp(f"import-merge-{request.param}")
    with running(request, workdir) as stack:
        yield stack


@pytest.fixture(autouse=True)
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the imported plans and their bases; no traceback is logged."""
    with e2e.test():
        with e2e.db.session() as session:
            session.execute(delete(PendingImport))
            session.commit()
            orgs = set(session.scalars(select(Organisation.id)))
            people = set(session.scalars(select(Person.id)))
            bases = session.scalar(select(func.max(ImportBase.id))) or 0
        yield e2e
    with e2e.db.session() as session:
        session.execute(delete(PendingImport))
        session.execute(delete(ImportBase).where(ImportBase.id > bases))
        session.execute(delete(Person).where(Person.id.not_in(people)))
        session.execute(delete(Organisation).where(Organisation.id.not_in(orgs)))
        session.commit()


def imported(e2e: Stack, data: bytes = GOOD_CSV.encode(), name: str = NAME) -> None:
    """Send a file and press its (only) Import."""
    _, call = send_file(e2e, data, name)
    assert set(buttons(call)) == {"import_apply", "import_cancel"}, buttons(call)
    done = press(e2e, "import_apply", buttons(call)["import_apply"])
    assert f"Imported {name}" in all_text(done["blocks"]), done


def lead_moves(e2e: Stack, ref: str, due: str) -> None:
    """The lead moves an action's due date with ``/csp action update``."""
    response = e2e.server.command(LEE, f"action update {ref} due:{due}")
    assert response.status == 200 and response.elapsed < ACK_LIMIT, response.body
    day, month, year = (int(p) for p in due.split("/"))
    assert e2e.db.action(ref).due_date == dt.date(year, month, day), all_text(response.json)


def again(e2e: Stack, data: bytes, name: str = NAME) -> tuple[Call, str]:
    """Send a file (again) through the form: its preview and the preview's text."""
    opened = len(e2e.fake.calls("views.open"))
    told = len(e2e.fake.calls("chat.postEphemeral"))
    file_id = e2e.fake.add_file(data, name, token=BOT_TOKEN)
    response = e2e.server.command(CORA, "import")
    assert response.status == 200, response.body
    call = e2e.fake.wait_for("views.open", opened + 1)[opened]
    submit(e2e, call.params["view"], file_id)
    preview = e2e.fake.wait_for("chat.postEphemeral", told + 1)[told]
    validate(preview.params["blocks"])
    return preview, all_text(preview.params["blocks"])


def history_of(e2e: Stack, ref: str) -> list[ActionUpdate]:
    """The history entries of an action written since the snapshot."""
    return [u for u in e2e.db.new_updates() if u.action.ref == ref]


# --------------------------------------------------------------------------- an unchanged file


def test_an_unchanged_file_after_a_leads_update_changes_nothing(e2e: Stack) -> None:
    imported(e2e)
    lead_moves(e2e, "N-1", "30/09/2027")
    before = counts(e2e)
    preview, text = again(e2e, GOOD_CSV.encode())
    assert "No changes" in text, text
    assert "the file's older value was ignored" in text, text
    assert "action N-1, Due: kept 30/09/2027 (changed by Lee Lead on " in text, text
    assert "the file still says 30/06/2027" in text, text
    assert not buttons(preview), preview.params["blocks"]
    assert counts(e2e) == before  # no history, no action, no preview kept
    assert e2e.db.action("N-1").due_date == dt.date(2027, 9, 30)


def test_history_names_the_file_who_and_when(e2e: Stack) -> None:
    imported(e2e)
    [entry] = history_of(e2e, "N-1")
    assert entry.file_name == NAME and entry.source.value == "import"
    assert entry.by is not None and entry.by.name == "Cora Coordinator"
    assert entry.at is not None


# --------------------------------------------------------------------------- a conflict


def conflict_preview(e2e: Stack) -> dict[str, str]:
    """Import, the lead's update, then a file changing the same field: the preview's buttons."""
    imported(e2e)
    lead_moves(e2e, "N-1", "30/09/2027")
    before = counts(e2e)
    preview, text = again(e2e, CHANGED_CSV.encode())
    assert "Conflicts: changed both in the file and in the bot" in text, text
    assert "action N-1, Due: file 31/12/2027, bot 30/09/2027 (changed by Lee Lead on " in text, text
    assert "was 30/06/2027" in text, text
    assert "Taking the file's values would also change (1)" in text, text
    values = buttons(preview)
    assert set(values) == {"import_apply", "import_apply_file", "import_cancel"}, values
    labels = all_text(preview.params["blocks"])
    assert "Import (keep the bot's values)" in labels, labels
    assert "Import, taking the file's values" in labels, labels
    assert values["import_apply"].endswith(":keep") and values["import_apply_file"].endswith(
        ":file"
    )
    assert counts(e2e)[:2] == before[:2]  # a preview writes nothing
    return values


def test_taking_the_files_values_applies_the_file(e2e: Stack) -> None:
    values = conflict_preview(e2e)
    done = press(e2e, "import_apply_file", values["import_apply_file"])
    text = all_text(done["blocks"])
    assert "Imported riverside-plan.csv" in text and "took the file's value, as asked" in text
    assert e2e.db.action("N-1").due_date == dt.date(2027, 12, 31)
    latest = history_of(e2e, "N-1")[-1]
    assert latest.file_name == NAME and latest.by is not None
    assert latest.by.name == "Cora Coordinator"
    assert latest.changes == {"due_date": ["2027-09-30", "2027-12-31"]}


def test_keeping_the_bots_values_keeps_the_leads(e2e: Stack) -> None:
    values = conflict_preview(e2e)
    entries = len(history_of(e2e, "N-1"))
    done = press(e2e, "import_apply", values["import_apply"])
    assert "kept the bot's value" in all_text(done["blocks"]), done
    assert e2e.db.action("N-1").due_date == dt.date(2027, 9, 30)
    assert len(history_of(e2e, "N-1")) == entries  # nothing of N-1's changed
    # The file is now the base: the same file again is "No changes", the lead's kept.
    preview, text = again(e2e, CHANGED_CSV.encode())
    assert "No changes" in text and "kept 30/09/2027" in text, text
    assert not buttons(preview)


def test_a_forged_choice_is_refused_and_writes_nothing(e2e: Stack) -> None:
    values = conflict_preview(e2e)
    token = values["import_apply"].partition(":")[0]
    before = counts(e2e)
    answer = press(e2e, "import_apply", f"{token}:everything")
    assert "does not match its preview" in all_text(answer["blocks"]), answer
    assert counts(e2e) == before
    assert e2e.db.action("N-1").due_date == dt.date(2027, 9, 30)


def test_taking_the_file_on_a_preview_without_conflicts_is_refused(e2e: Stack) -> None:
    _, call = send_file(e2e, GOOD_CSV.encode(), NAME)
    values = buttons(call)
    assert set(values) == {"import_apply", "import_cancel"}
    token = values["import_apply"].partition(":")[0]
    before = counts(e2e)
    answer = press(e2e, "import_apply_file", f"{token}:file")  # no such button was offered
    assert "does not match its preview" in all_text(answer["blocks"]), answer
    assert counts(e2e) == before  # no action, no history; the preview still kept
    done = press(e2e, "import_apply", values["import_apply"])  # the real button still works
    assert "Imported" in all_text(done["blocks"])


# --------------------------------------------------------------------------- export round trip


def test_export_edit_import_keeps_a_leads_update_made_after_the_export(e2e: Stack) -> None:
    response = e2e.server.command(CORA, "export")
    assert response.status == 200 and response.elapsed < ACK_LIMIT, response.body
    e2e.fake.wait_for("files.completeUploadExternal")
    [upload] = e2e.fake.uploads()
    assert upload.filename == "riverside-action-plan.xlsx"
    # After the export, the lead moves A-1's due date in Slack.
    lead_moves(e2e, "A-1", "31/01/2027")
    # The coordinator edits another action's status in Excel and sends the file back.
    wb = load_workbook(io.BytesIO(upload.data))
    ws = wb.active
    header = [c.value for c in ws[1]]
    ref_col, status_col = header.index("Ref"), header.index("Status")
    [row] = [r for r in ws.iter_rows(min_row=2) if r[ref_col].value == "A-2"]
    assert str(row[status_col].value).lower() != "complete"
    row[status_col].value = "Complete"
    out = io.BytesIO()
    wb.save(out)
    preview, text = again(e2e, out.getvalue(), name=upload.filename)
    assert "action A-1, Due: kept 31/01/2027 (changed by Lee Lead on " in text, text
    assert "action A-2 (status)" in text, text
    values = buttons(preview)
    assert set(values) == {"import_apply", "import_cancel"}, values  # no conflict
    done = press(e2e, "import_apply", values["import_apply"])
    assert "Imported riverside-action-plan.xlsx" in all_text(done["blocks"]), done
    assert e2e.db.action("A-1").due_date == dt.date(2027, 1, 31)  # the lead's, kept
    assert e2e.db.action("A-2").status.value == "complete"  # the edited cell, applied
    [entry] = history_of(e2e, "A-2")
    assert entry.file_name == "riverside-action-plan.xlsx"
    assert list(entry.changes) == ["status"]
