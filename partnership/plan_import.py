"""Reading a file to import, the one way for the CLI and Slack: a plan (YAML) or an action table.

``csp-bot import FILE`` and ``/csp import`` both read through :func:`read_path`
(which reader a file's name picks, the table's good rows as a plan) and apply
through ``storage.sync.apply_plan``, so the two cannot drift. A file sent from
Slack is first checked for what it is (:func:`check_upload`: empty, too big, a
web page or a zip bomb named .xlsx, a macro-enabled workbook, a table of one
column) and then read from a private temporary copy (:func:`read_upload`).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from partnership.context import UserError
from partnership.messages import files as say
from storage.dates import UK_FY, FinancialYear
from storage.plan_problems import PlanError
from storage.planfile import PlanFile, load_plan_file
from storage.spreadsheet import read_table
from storage.table_read import SpreadsheetError, TableRead

SPREADSHEET_SUFFIXES = {".csv", ".xlsx", ".xlsm"}
PLAN_SUFFIXES = {".yaml", ".yml"}
# What Slack's file_input takes, and so what a file sent from Slack may be.
UPLOAD_SUFFIXES = {".csv", ".xlsx", ".yaml", ".yml"}
# Slack's own limit on a file_input's file; the download stops reading here.
MAX_UPLOAD = 10 * 1024 * 1024
# A real action plan workbook unpacks to a few MB; a zip bomb to gigabytes.
MAX_UNPACKED = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
_ZIP = b"PK\x03\x04"


@dataclass
class Incoming:
    """A file read for import: the plan to apply, and the table it came from (if a table)."""

    name: str
    plan: PlanFile
    table: TableRead | None = None

    @property
    def is_table(self) -> bool:
        """Whether the file was an action table (CSV/XLSX) rather than a plan file."""
        return self.table is not None


def read_path(path: Path, *, sheet: str | None = None, fy: FinancialYear = UK_FY) -> Incoming:
    """Read a plan file or an action table; raise PlanError or SpreadsheetError if unreadable."""
    if path.suffix.lower() in PLAN_SUFFIXES:
        return Incoming(path.name, load_plan_file(path))
    table = read_table(path, sheet=sheet, fy=fy)
    return Incoming(path.name, table.plan(), table)


def safe_name(name: str) -> str:
    """A file name from Slack reduced to its last part (no folders), never empty."""
    base = PurePosixPath(name.replace("\\", "/")).name.strip()
    return base[:200] or "file"


def check_upload(name: str, data: bytes) -> None:
    """Refuse a file sent from Slack that is not what its name says; raise UserError."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in (".xlsm", ".xltm", ".xlam"):
        raise UserError(say.macro_workbook(name=name))
    if suffix not in UPLOAD_SUFFIXES:
        raise UserError(say.wrong_kind(name=name))
    if not data.strip():
        raise UserError(say.EMPTY.format(name=name))
    if len(data) > MAX_UPLOAD:
        raise UserError(say.too_big(name=name, size=len(data)))
    if suffix == ".xlsx":
        _check_workbook(name, data)


def _check_workbook(name: str, data: bytes) -> None:
    """An .xlsx must be a zip whose declared sizes are sane, holding no macros."""
    if not data.startswith(_ZIP):
        head = data[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
            looks_like = "it is a web page saved with an .xlsx name"
        elif data.startswith(b"\xd0\xcf\x11\xe0"):
            looks_like = "it is an old Excel 97-2003 .xls file"
        else:
            looks_like = "it is not a workbook inside"
        raise UserError(say.not_a_workbook(name=name, looks_like=looks_like))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UserError(say.not_a_workbook(name=name, looks_like="it is damaged")) from None
    # Read from the zip's own directory before anything is unpacked: zipfile
    # (and so openpyxl) never inflates an entry past its declared size, so the
    # declared sizes bound what opening the workbook can cost.
    unpacked = sum(max(e.file_size, 0) for e in entries)
    if unpacked > MAX_UNPACKED or len(entries) > MAX_ZIP_ENTRIES:
        raise UserError(say.zip_bomb(name=name, size=unpacked))
    if any(PurePosixPath(e.filename).name.lower() == "vbaproject.bin" for e in entries):
        raise UserError(say.macro_workbook(name=name))


def read_upload(name: str, data: bytes, *, fy: FinancialYear = UK_FY) -> Incoming:
    """Check and read a file sent from Slack, as the CLI reads one; raise UserError if bad."""
    name = safe_name(name)
    check_upload(name, data)
    with tempfile.TemporaryDirectory(prefix="csp-import-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            incoming = read_path(path, fy=fy)
        except SpreadsheetError as exc:
            raise UserError(str(exc).replace(folder + "/", "")) from None
        except PlanError as exc:
            raise UserError(
                say.plan_problems(name=name, problems=exc.render().replace(str(path), name))
            ) from None
    incoming.name = name
    table = incoming.table
    if table is not None:
        used = [c for c in table.columns if c.field is not None]
        if len(table.columns) == 1 and len(used) == 1:
            raise UserError(say.one_column(name=name, label=used[0].label))
        if not table.actions and not table.bad_rows:
            raise UserError(say.no_rows(name=name))
    return incoming
