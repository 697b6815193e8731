"""Over signed HTTP: the board paper's PDF in the asker's DM, and the charts of ``/csp digest send``.

The real server and the fake Slack, on SQLite and PostgreSQL. ``/csp digest
paper`` uploads the PDF after the HTML and Markdown papers; ``/csp digest
send`` posts the digest through the outbox and its charts follow into each
digest's thread, once, however often it is asked.
"""

from __future__ import annotations

from tests.e2e import Stack, all_text
from tests.process.fileskit import CORA, clean, e2e, slow

__all__ = ["clean", "e2e"]  # fixtures shared through the kit


def test_the_board_paper_comes_as_a_pdf_too(e2e: Stack) -> None:
    _, reply = slow(e2e, CORA, "digest paper")
    uploads = e2e.fake.uploads()
    assert [u.filename.rsplit(".", 1)[1] for u in uploads] == ["html", "md", "pdf"]
    pdf = uploads[2]
    assert pdf.filename.startswith("riverside-board-paper-") and pdf.channel == "D0CORA"
    assert pdf.data.startswith(b"%PDF") and len(pdf.data) > 5000
    assert pdf.title == "Board paper (PDF)"
    assert pdf.filename in all_text(reply["blocks"])


def test_digest_send_puts_the_charts_in_each_digests_thread_once(e2e: Stack) -> None:
    slow(e2e, CORA, "digest send")
    uploads = e2e.fake.uploads()
    for conversation in ("D0CHRIS", "C0RBOARD"):
        [digest] = [m for m in e2e.fake.messages(conversation) if not m["thread_ts"]]
        mine = [u for u in uploads if u.channel == conversation]
        assert len(mine) >= 3, conversation
        assert {u.thread_ts for u in mine} == {digest["ts"]}
        assert all(u.data.startswith(b"\x89PNG") for u in mine)
    asked = e2e.fake.calls("files.getUploadURLExternal")
    assert len(asked) == len(uploads) and all(c.params.get("alt_txt") for c in asked)
    # Asked again: the digest is not sent again, nor are its charts.
    slow(e2e, CORA, "digest send")
    assert len(e2e.fake.uploads()) == len(uploads)
