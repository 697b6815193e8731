"""``/csp export`` and ``/csp digest paper`` end to end: files uploaded to the asker's DM.

Signed HTTP into the real server; the fake Slack records each upload the way
``files_upload_v2`` makes it (get an upload URL, POST the bytes, complete),
and the tests parse the bytes back: the export holds exactly the
partnership's own actions, the board paper is the one ``csp-bot digest``
writes. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from storage.models import Action, Partnership
from tests.e2e import ACK_LIMIT, REPO, Response, Stack, all_text, running, validate
from tests.fakeslack import Upload

MO = "U0MO"  # a member of Riverside
CORA = "U0CORA"  # its coordinator


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def e2e(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The server on riverside and hillford, and the fake Slack, per backend."""
    workdir = tmp_path_factory.mktemp(f"export-{request.param}")
    with running(request, workdir) as stack:
        yield stack


@pytest.fixture(autouse=True)
def clean(e2e: Stack) -> Iterator[Stack]:
    """Each test starts from the imported plans; the server logs no traceback."""
    e2e.reset()
    seen = len(e2e.server.output())
    yield e2e
    time.sleep(0.05)  # let a lazy listener's last log line land
    new = e2e.server.output()[seen:]
    assert "Traceback" not in new, new[-4000:]


def slow(e2e: Stack, user: str, line: str) -> tuple[Response, dict[str, Any]]:
    """A slow command: a prompt "On it" ack, then its reply through the response URL."""
    response = e2e.server.command(user, line)
    assert response.status == 200 and response.elapsed < ACK_LIMIT, response.body
    assert "On it" in all_text(response.json), response.json
    [posted] = e2e.fake.wait_for("response_url", where=lambda c: c.path.endswith(response.token))
    validate(posted.params["blocks"])
    return response, posted.params


def refs(e2e: Stack, slug: str, column: Any = Action.ref) -> set[str]:
    """The refs (or another column) of a partnership's actions."""
    with e2e.db.session() as session:
        pid = select(Partnership.id).where(Partnership.slug == slug).scalar_subquery()
        return set(session.scalars(select(column).where(Action.partnership_id == pid)))


def uploaded(e2e: Stack, count: int = 1) -> list[Upload]:
    """The uploads completed, once ``count`` have been."""
    e2e.fake.wait_for("files.completeUploadExternal", count)
    return e2e.fake.uploads()


def test_a_member_gets_the_plan_as_xlsx_in_their_dm(e2e: Stack) -> None:
    _, reply = slow(e2e, MO, "export")
    [upload] = uploaded(e2e)
    assert upload.filename == "riverside-action-plan.xlsx"
    assert upload.channel == "D0MO"  # the DM conversations.open gave
    assert [c.params["users"] for c in e2e.fake.calls("conversations.open")] == [MO]
    [asked] = e2e.fake.calls("files.getUploadURLExternal")
    assert int(asked.params["length"]) == len(upload.data)
    sheet = load_workbook(io.BytesIO(upload.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Ref" and "Action" in rows[0]
    exported = {r[0] for r in rows[1:]}
    assert exported == refs(e2e, "riverside")
    titles = {r[rows[0].index("Action")] for r in rows[1:]}
    assert titles == refs(e2e, "riverside", Action.title)
    assert not titles & refs(e2e, "hillford", Action.title)  # Hillford shares the workspace
    assert "sent to your direct messages" in all_text(reply["blocks"])


def test_csv_export_holds_the_partnerships_own_plan(e2e: Stack) -> None:
    _, reply = slow(e2e, MO, "export csv")
    [upload] = uploaded(e2e)
    assert upload.filename == "riverside-action-plan.csv"
    assert upload.data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with the mark
    rows = list(csv.DictReader(io.StringIO(upload.data.decode("utf-8-sig"))))
    assert {r["Ref"] for r in rows} == refs(e2e, "riverside")
    first = e2e.db.action(rows[0]["Ref"])
    assert rows[0]["Action"] == first.title
    assert "riverside-action-plan.csv" in all_text(reply["blocks"])


def test_an_unknown_format_is_refused_and_nothing_uploaded(e2e: Stack) -> None:
    _, reply = slow(e2e, MO, "export pdf")
    assert "/csp export xlsx" in all_text(reply["blocks"])
    assert not e2e.fake.calls("files.getUploadURLExternal")


def test_a_failed_upload_says_so(e2e: Stack) -> None:
    e2e.fake.fail("files.getUploadURLExternal", "internal_error")
    _, reply = slow(e2e, MO, "export")
    assert "Slack would not take the file" in all_text(reply["blocks"])
    assert not e2e.fake.uploads()


def test_the_board_paper_as_html_and_markdown_the_same_as_the_cli(e2e: Stack) -> None:
    _, reply = slow(e2e, CORA, "digest paper")
    # The PDF comes third (tests/process/test_digest_charts_http.py looks at it).
    html, md, _ = uploaded(e2e, 3)
    assert html.filename.endswith(".html") and md.filename.endswith(".md")
    assert html.filename.startswith("riverside-board-paper-")
    assert {html.channel, md.channel} == {"D0CORA"}
    for upload, fmt in ((html, "html"), (md, "md")):
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "--database-url",
                e2e.url,
                "digest",
                "--partnership",
                "riverside",
                "--format",
                fmt,
            ],
            cwd=REPO,
            capture_output=True,
            check=True,
        )
        assert upload.data == cli.stdout, fmt
    assert b"<html" in html.data.lower()
    assert "board paper" in all_text(reply["blocks"]).lower()


def test_the_board_paper_is_for_chairs_and_coordinators(e2e: Stack) -> None:
    _, reply = slow(e2e, MO, "digest paper")
    assert "only the chairs and coordinators" in all_text(reply["blocks"])
    assert not e2e.fake.calls("files.getUploadURLExternal")
