"""Files sent from Slack are checked for what they are before anything opens them."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from partnership.context import UserError
from partnership.plan_import import MAX_UPLOAD, check_upload, read_upload, safe_name


def workbook() -> bytes:
    wb = Workbook()
    wb.active.append(["Ref", "Action", "Owner"])
    wb.active.append(["A-1", "Open the hub", "Lee Lead"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("plan.csv", b"", "is empty"),
        ("plan.csv", b"  \n", "is empty"),
        ("plan.xlsm", b"PK\x03\x04", "macro-enabled"),
        ("plan.pdf", b"%PDF", "imports action tables"),
        ("plan.xlsx", b"<html><body>no</body></html>", "web page"),
        ("plan.xlsx", b"\xd0\xcf\x11\xe0rest", "97-2003"),
        ("plan.xlsx", b"PK\x03\x04garbage", "damaged"),
        ("plan.csv", b"a" * (MAX_UPLOAD + 1), "up to 10 MB"),
    ],
)
def test_bad_files_are_refused(name: str, data: bytes, says: str) -> None:
    with pytest.raises(UserError) as raised:
        check_upload(name, data)
    assert says in raised.value.message


def test_a_zip_declaring_an_absurd_size_is_refused_before_it_is_opened() -> None:
    data = bytearray(workbook())
    at = data.index(b"PK\x01\x02")
    data[at + 24 : at + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    with pytest.raises(UserError) as raised:
        check_upload("plan.xlsx", bytes(data))
    assert "far more than any action plan" in raised.value.message


def test_a_good_workbook_reads_as_the_cli_reads_it() -> None:
    incoming = read_upload("../../etc/plan.xlsx", workbook())
    assert incoming.name == "plan.xlsx"  # folders dropped
    assert incoming.table is not None
    assert [a.ref for a in incoming.plan.actions] == ["A-1"]


def test_a_table_of_one_column_is_refused() -> None:
    with pytest.raises(UserError) as raised:
        read_upload("plan.csv", b"Action\nOpen the hub\n")
    assert "only one column" in raised.value.message


def test_a_broken_plan_file_names_its_problem_without_the_temporary_folder() -> None:
    with pytest.raises(UserError) as raised:
        read_upload("plan.yaml", b"version: 1\npriorities: [\n")
    assert "plan.yaml" in raised.value.message and "csp-import-" not in raised.value.message


def test_safe_name() -> None:
    assert safe_name("C:\\Users\\me\\plan.csv") == "plan.csv"
    assert safe_name("  ") == "file"
