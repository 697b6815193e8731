"""``/csp import`` end to end: signed HTTP into the real server, the fake Slack serving the file.

The coordinator opens the form, submits it with a file the fake Slack holds,
and gets a private preview (posted after the ack); Import writes exactly what
was previewed. Every refusal — a bad file, a missing or slow download, a
stale preview, someone not a coordinator — is checked with row counts that
prove nothing was written. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import delete, func, select

from storage.models import Action, ActionUpdate, Organisation, Partnership, PendingImport, Person
from tests.e2e import ACK_LIMIT, BOT_TOKEN, Response, Stack, all_text, running, validate
from tests.fakeslack import Call

CORA = "U0CORA"  # Riverside's coordinator
MO = "U0MO"  # a member
HEADER = "Ref,Action,Owner,Due date,Priority\n"
GOOD_CSV = (
    HEADER + "N-1,Open the new youth hub,Lee Lead,30/06/2027,P1\n"
    "N-2,Train door staff on spiking,Gina Grouplead,30/09/2027,P1\n"
)
WITH_BAD_ROW = GOOD_CSV + "N-3,Map the hotspots,Lee Lead,31/02/2027,P1\n"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server on riverside and hillford, and the fake Slack, per backend."""
    workdir = tmp_path_factory.mktemp(f"import-{request.param}")
    with running(request, workdir) as stack:
        yield stack


@pytest.fixture(autouse=True)
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the imported plans; the server logs no traceback."""
    with e2e.test():
        with e2e.db.session() as session:
            session.execute(delete(PendingImport))
            session.commit()
            orgs = set(session.scalars(select(Organisation.id)))
            people = set(session.scalars(select(Person.id)))
        yield e2e
    with e2e.db.session() as session:  # what an import added beyond the baseline's actions
        session.execute(delete(PendingImport))
        session.execute(delete(Person).where(Person.id.not_in(people)))
        session.execute(delete(Organisation).where(Organisation.id.not_in(orgs)))
        session.commit()


# --------------------------------------------------------------------------- helpers


def counts(e2e: Stack) -> tuple[int, int, int]:
    """Riverside's actions, all history entries, and previews kept."""
    with e2e.db.session() as session:
        pid = select(Partnership.id).where(Partnership.slug == "riverside").scalar_subquery()
        actions = session.scalar(
            select(func.count()).select_from(Action).where(Action.partnership_id == pid)
        )
        history = session.scalar(select(func.count()).select_from(ActionUpdate))
        kept = session.scalar(select(func.count()).select_from(PendingImport))
    return actions or 0, history or 0, kept or 0


def open_form(e2e: Stack, user: str = CORA) -> dict[str, Any]:
    """``/csp import``: the ack is empty and views.open got the import form."""
    response = e2e.server.command(user, "import")
    assert response.status == 200 and response.elapsed < ACK_LIMIT, response.body
    [call] = e2e.fake.wait_for("views.open")
    view = call.params["view"]
    assert isinstance(view, dict)
    return view


def submit(e2e: Stack, view: dict[str, Any], file_id: str | None, user: str = CORA) -> Response:
    """Submit the import form holding the file ``file_id`` (none when None)."""
    files = [{"id": file_id, "name": "whatever"}] if file_id else []
    payload = {
        "type": "view_submission",
        "team": {"id": "T0RIVER", "domain": "riverside"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0RIVER"},
        "api_app_id": "A0CSP",
        "token": "verification-token-unused",
        "trigger_id": f"trigger.{uuid.uuid4().hex}",
        "view": {
            "id": "V1",
            "team_id": "T0RIVER",
            "type": "modal",
            "hash": "1.abc",
            **view,
            "state": {"values": {"file": {"file": {"type": "file_input", "files": files}}}},
        },
        "response_urls": [],
    }
    response = e2e.server.interactive(payload, label="submit import")
    assert response.status == 200 and response.elapsed < ACK_LIMIT, response.body
    return response


def told(e2e: Stack, count: int = 1) -> Call:
    """The private message the import posted after the ack (the latest of ``count``)."""
    calls = e2e.fake.wait_for("chat.postEphemeral", count)
    call = calls[count - 1]
    validate(call.params["blocks"])
    assert call.params["user"] == CORA or call.params["user"], call.params
    return call


def send_file(
    e2e: Stack, data: bytes, name: str, *, token: str = BOT_TOKEN, **kwargs: Any
) -> tuple[str, Call]:
    """Open the form, submit ``data`` as ``name``, and return the file id and the reply."""
    file_id = e2e.fake.add_file(data, name, token=token, **kwargs)
    view = open_form(e2e)
    submit(e2e, view, file_id)
    return file_id, told(e2e)


def buttons(call: Call) -> dict[str, str]:
    """A preview's buttons: action id -> value."""
    found: dict[str, str] = {}
    for block in call.params["blocks"]:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("type") == "button":
                found[element["action_id"]] = element["value"]
    return found


def press(e2e: Stack, action_id: str, token: str, user: str = CORA) -> dict[str, Any]:
    """Press a preview's button; the reply it posted to the response URL."""
    response = e2e.server.block_action(
        user, {"type": "button", "action_id": action_id, "value": token}
    )
    assert response.status == 200 and response.elapsed < ACK_LIMIT, response.body
    [posted] = e2e.fake.wait_for("response_url", where=lambda c: c.path.endswith(response.token))
    validate(posted.params["blocks"])
    return posted.params


def workbook(rows: list[list[Any]]) -> bytes:
    """An .xlsx holding ``rows`` on its first sheet."""
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def refused(e2e: Stack, data: bytes, name: str, expect: str, **kwargs: Any) -> str:
    """Send a bad file: the private reply says ``expect`` and nothing is written or kept."""
    before = counts(e2e)
    _, call = send_file(e2e, data, name, **kwargs)
    text = all_text(call.params["blocks"])
    assert expect in text, text
    assert not buttons(call), call.params["blocks"]
    assert counts(e2e) == before
    return text


# --------------------------------------------------------------------------- the form


def test_the_form_opens_with_a_file_input(e2e: Stack) -> None:
    view = open_form(e2e)
    assert view["callback_id"] == "import_plan"
    assert view["submit"]["text"] == "Preview"
    validate(view["blocks"])
    [element] = [b["element"] for b in view["blocks"] if b["type"] == "input"]
    assert element["type"] == "file_input" and element["max_files"] == 1
    assert set(element["filetypes"]) == {"csv", "xlsx", "yaml", "yml"}


def test_someone_not_a_coordinator_is_refused_and_told_who_may(e2e: Stack) -> None:
    response = e2e.server.command(MO, "import")
    text = all_text(response.json)
    assert "only a coordinator (Cora Coordinator)" in text, text
    assert not e2e.fake.calls("views.open")


def test_a_form_without_a_file_says_so_on_the_field(e2e: Stack) -> None:
    view = open_form(e2e)
    response = submit(e2e, view, None)
    assert response.json["response_action"] == "errors"
    assert "Choose one file" in response.json["errors"]["file"]


# --------------------------------------------------------------------------- good files


def test_a_csv_is_previewed_then_imported_exactly(e2e: Stack) -> None:
    before = counts(e2e)
    file_id, call = send_file(e2e, GOOD_CSV.encode(), "riverside-plan.csv")
    text = all_text(call.params["blocks"])
    assert "How the columns were read" in text and 'D: "Due date" -&gt; due date' in text, text
    assert "action N-1" in text and "action N-2" in text, text
    assert counts(e2e) == (before[0], before[1], 1)  # nothing written; the preview kept
    downloads = e2e.fake.calls("file_download")
    assert [d.authorization for d in downloads] == [f"Bearer {BOT_TOKEN}"]
    assert file_id in downloads[0].path
    values = buttons(call)
    assert set(values) == {"import_apply", "import_cancel"}
    done = press(e2e, "import_apply", values["import_apply"])
    assert "Imported riverside-plan.csv" in all_text(done["blocks"]), done
    assert done["replace_original"] is True
    actions, history, _ = counts(e2e)
    assert history == before[1] + 2  # one entry per new action
    assert actions == before[0] + 2
    new = e2e.db.new_updates()
    assert {u.action.ref for u in new} == {"N-1", "N-2"}
    assert {u.by.name if u.by else None for u in new} == {"Cora Coordinator"}
    assert {u.source.value for u in new} == {"import"}
    assert e2e.db.action("N-1").owner is not None
    assert {u.file_name for u in new} == {"riverside-plan.csv"}  # history names the file
    with e2e.db.session() as session:  # the preview is done: history is the import's record
        assert not list(session.scalars(select(PendingImport)))
    # Pressed again: already used, nothing more written.
    again = press(e2e, "import_apply", values["import_apply"])
    assert "expired or was already used" in all_text(again["blocks"])
    assert counts(e2e)[0] == actions


def test_an_xlsx_is_previewed_then_imported(e2e: Stack) -> None:
    data = workbook(
        [
            ["Ref", "Key action", "Lead Officer", "When by?", "Priority"],
            ["X-1", "Run a knife amnesty week", "Lee Lead", "31/03/2027", "P1"],
        ]
    )
    before = counts(e2e)
    _, call = send_file(e2e, data, "plan.xlsx")
    assert "action X-1" in all_text(call.params["blocks"])
    done = press(e2e, "import_apply", buttons(call)["import_apply"])
    assert "Imported plan.xlsx" in all_text(done["blocks"])
    assert counts(e2e)[0] == before[0] + 1
    assert e2e.db.action("X-1").title == "Run a knife amnesty week"


def test_a_refused_row_then_the_readable_rows(e2e: Stack) -> None:
    before = counts(e2e)
    _, call = send_file(e2e, WITH_BAD_ROW.encode(), "plan.csv")
    text = all_text(call.params["blocks"])
    assert "Rows that cannot be read" in text and "row 4" in text, text
    values = buttons(call)
    assert set(values) == {"import_readable", "import_cancel"}
    done = press(e2e, "import_readable", values["import_readable"])
    assert "Imported plan.csv" in all_text(done["blocks"])
    assert counts(e2e)[0] == before[0] + 2
    assert {a.ref for a in e2e.db.new_actions()} == {"N-1", "N-2"}


def test_import_is_refused_for_a_file_with_refused_rows(e2e: Stack) -> None:
    before = counts(e2e)
    _, call = send_file(e2e, WITH_BAD_ROW.encode(), "plan.csv")
    # A forged Import on a preview that offered only the readable rows.
    answer = press(e2e, "import_apply", buttons(call)["import_readable"])
    assert "Some rows cannot be read" in all_text(answer["blocks"])
    assert counts(e2e)[:2] == before[:2]


def test_cancel_writes_nothing_and_forgets_the_file(e2e: Stack) -> None:
    before = counts(e2e)
    _, call = send_file(e2e, GOOD_CSV.encode(), "plan.csv")
    done = press(e2e, "import_cancel", buttons(call)["import_cancel"])
    assert "Import cancelled" in all_text(done["blocks"])
    assert counts(e2e) == (before[0], before[1], 0)


def test_a_stale_preview_is_refused_and_asks_for_a_new_one(e2e: Stack) -> None:
    before = counts(e2e)
    _, call = send_file(e2e, GOOD_CSV.encode(), "plan.csv")
    # Meanwhile a lead updates an action from Slack.
    response = e2e.server.command("U0LEE", "action update A-1 note: Venue booked")
    assert response.status == 200, response.body
    after_update = counts(e2e)
    assert after_update[1] == before[1] + 1
    answer = press(e2e, "import_apply", buttons(call)["import_apply"])
    assert "The plan has changed since this preview" in all_text(answer["blocks"])
    assert counts(e2e)[:2] == after_update[:2]


def test_an_expired_preview_is_refused(e2e: Stack) -> None:
    _, call = send_file(e2e, GOOD_CSV.encode(), "plan.csv")
    with e2e.db.session() as session:
        row = session.scalars(select(PendingImport)).one()
        row.created_at = row.created_at.replace(year=row.created_at.year - 1)
        session.commit()
    before = counts(e2e)
    answer = press(e2e, "import_apply", buttons(call)["import_apply"])
    assert "expired or was already used" in all_text(answer["blocks"])
    assert counts(e2e)[:2] == before[:2]


def test_a_member_cannot_press_a_coordinators_import(e2e: Stack) -> None:
    _, call = send_file(e2e, GOOD_CSV.encode(), "plan.csv")
    before = counts(e2e)
    answer = press(e2e, "import_apply", buttons(call)["import_apply"], user=MO)
    assert "only a coordinator" in all_text(answer["blocks"])
    assert counts(e2e) == before


# --------------------------------------------------------------------------- bad files


def test_html_renamed_xlsx(e2e: Stack) -> None:
    page = b"<!DOCTYPE html><html><body><table><tr><td>Action</td></tr></table></body></html>"
    refused(e2e, page, "plan.xlsx", "web page saved with an .xlsx name")


def test_a_zip_bomb(e2e: Stack) -> None:
    data = bytearray(workbook([["Ref", "Action"], ["B-1", "Boom"]]))
    # Declare an absurd uncompressed size for the first entry in the central directory.
    at = data.index(b"PK\x01\x02")
    data[at + 24 : at + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        assert archive.infolist()[0].file_size == 0xFFFFFFF0
    refused(e2e, bytes(data), "plan.xlsx", "far more than any action plan")


def test_a_macro_enabled_workbook(e2e: Stack) -> None:
    refused(e2e, workbook([["Action"], ["x"]]), "plan.xlsm", "macro-enabled workbook")


def test_an_xlsx_holding_a_vba_project(e2e: Stack) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        with zipfile.ZipFile(io.BytesIO(workbook([["Action"], ["x"]]))) as source:
            for item in source.infolist():
                archive.writestr(item, source.read(item))
        archive.writestr("xl/vbaProject.bin", b"\x00" * 16)
    refused(e2e, out.getvalue(), "plan.xlsx", "macro-enabled workbook")


def test_an_empty_file(e2e: Stack) -> None:
    refused(e2e, b"", "plan.csv", "plan.csv is empty")


def test_a_csv_of_one_column(e2e: Stack) -> None:
    refused(e2e, b"Action\nOpen the hub\nTrain staff\n", "plan.csv", "has only one column")


def test_eleven_megabytes(e2e: Stack) -> None:
    data = HEADER.encode() + b"x" * (11 * 1024 * 1024)
    refused(e2e, data, "plan.csv", "up to 10 MB")
    assert not e2e.fake.calls("file_download")  # files.info said so: never downloaded


def test_eleven_megabytes_that_slack_said_were_small(e2e: Stack) -> None:
    data = HEADER.encode() + b"x" * (11 * 1024 * 1024)
    refused(e2e, data, "plan.csv", "up to 10 MB", size=1000)


def test_a_file_of_another_workspace(e2e: Stack) -> None:
    text = refused(
        e2e, GOOD_CSV.encode(), "plan.csv", "could not find that file", token="xoxb-other"
    )
    assert not e2e.fake.calls("file_download"), text


def test_a_file_that_is_not_there(e2e: Stack) -> None:
    before = counts(e2e)
    submit(e2e, open_form(e2e), "FNOTTHERE")
    assert "could not find that file" in all_text(told(e2e).params["blocks"])
    assert counts(e2e) == before


def test_a_download_that_fails(e2e: Stack) -> None:
    before = counts(e2e)
    file_id = e2e.fake.add_file(GOOD_CSV.encode(), "plan.csv", token=BOT_TOKEN)
    e2e.fake.fail_download(file_id, 500)
    submit(e2e, open_form(e2e), file_id)
    assert "could not download your file" in all_text(told(e2e).params["blocks"])
    assert counts(e2e) == before


def test_a_download_that_times_out(e2e: Stack) -> None:
    before = counts(e2e)
    file_id = e2e.fake.add_file(GOOD_CSV.encode(), "plan.csv", token=BOT_TOKEN)
    e2e.fake.slow_download(file_id, 60)
    submit(e2e, open_form(e2e), file_id)
    assert "took too long" in all_text(told(e2e).params["blocks"])
    assert counts(e2e) == before


def test_a_plan_file_of_another_partnership(e2e: Stack) -> None:
    plan = {"version": 1, "partnership": {"name": "Hillford CSP", "slug": "hillford"}}
    refused(e2e, json.dumps(plan).encode(), "hillford.yaml", "not Riverside")
