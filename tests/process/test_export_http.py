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
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from storage.models import Action, Partnership
from tests.e2e import REPO, Stack, all_text
from tests.fakeslack import Upload
from tests.process.fileskit import CORA, MO, clean, e2e, slow

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


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
