"""Files sent out to Slack: the action plan as ``csp-bot export`` writes it, and the board paper.

A command asks for a file by returning a reply whose ``data["upload"]`` lists
what to send (see :func:`upload_reply`); the Slack edge uploads each to the
asker's direct messages after the ack (bot/slack/uploads.py) and says what
happened. The plan's bytes are made here with the CLI's own writers
(``storage.export``), so the file is the one ``csp-bot export`` writes; the
board paper travels as its view-model and format, rendered by the edge with
the CLI's renderer (bot/render/documents.py).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from partnership.context import Context, Reply
from partnership.messages import files as files_say
from storage.export import export_rows, write_csv, write_xlsx
from storage.import_base import record_export

FILE_SENT = "file_sent"
EXPORT_FORMATS = ("csv", "xlsx")


def plan_file(ctx: Context, fmt: str) -> dict[str, Any]:
    """The partnership's action plan as one file to upload: its name, title and bytes.

    As ``csp-bot export`` does, what the file says is recorded as its base (in
    the command's transaction), so the coordinator who edits it in Excel and
    sends it back with ``/csp import`` keeps the updates made in the bot meanwhile.
    """
    partnership = ctx.partnership
    rows = export_rows(ctx.session, partnership)
    title = partnership.plan_title or partnership.name
    name = f"{partnership.slug}-action-plan.{fmt}"
    record_export(ctx.session, partnership, name, by=ctx.person, now=ctx.now)
    with tempfile.TemporaryDirectory(prefix="csp-export-") as folder:
        path = Path(folder) / name
        if fmt == "csv":
            write_csv(path, rows)
        else:
            write_xlsx(path, rows, title=title)
        data = path.read_bytes()
    return {
        "filename": name,
        "title": f"{title} ({fmt.upper()})",
        "content": data,
        "rows": len(rows),
    }


def paper_file(data: dict[str, Any], fmt: str, name: str) -> dict[str, Any]:
    """The board paper in one format, to be rendered by the edge (``render``: pdf, md or html)."""
    return {
        "filename": f"{name}.{fmt}",
        "title": f"Board paper ({fmt.upper()})",
        "render": fmt,
        "model": data,
    }


def upload_reply(what: str, files: list[dict[str, Any]]) -> Reply:
    """The reply asking the edge to send ``files`` to the asker's direct messages."""
    names = ", ".join(str(f["filename"]) for f in files)
    return Reply(
        FILE_SENT,
        {"what": what, "names": names, "upload": files, "message": ""},
        text=files_say.file_sent(what=what, names=names),
    )
