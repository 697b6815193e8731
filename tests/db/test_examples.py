"""The example plans transcribed from the seed documents import cleanly, and only once."""

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.plans import example_plans
from storage.db import transaction
from storage.models import Action, Partnership
from storage.planfile import load_plan_file
from storage.sync import apply_plan
from tests.conftest import EXAMPLES

FILES = sorted(EXAMPLES.glob("*.yaml"))


def test_there_is_one_example_per_seed_document() -> None:
    assert [f.name for f in FILES] == [
        "safer-gloucester-2011.yaml",
        "safer-gloucestershire-2023.yaml",
        "south-gloucestershire-2017.yaml",
        "stronger-safer-gloucester-2019.yaml",
        "stroud-2023.yaml",
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_examples_copy_no_contact_details(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), "no email addresses"
    assert not re.search(r"\b0\d{4}\s?\d{6}\b", text), "no phone numbers"


def test_all_examples_import_then_reimport_with_no_changes(factory: sessionmaker[Session]) -> None:
    ordered = example_plans()
    assert {p.name for p in ordered} == {f.name for f in FILES}
    for path in ordered:
        with transaction(factory) as s:
            report = apply_plan(s, load_plan_file(path), source_name=path.name)
        assert report.changed and not report.warnings, (path.name, report.warnings)
    for path in ordered:
        with transaction(factory) as s:
            report = apply_plan(s, load_plan_file(path), source_name=path.name)
        assert not report.changed, (path.name, [str(c) for c in report.changes])
    with factory() as s:
        stroud = s.scalars(select(Partnership).where(Partnership.slug == "stroud")).one()
        assert stroud.parent is not None and stroud.parent.slug == "safer-gloucestershire"
        counts = dict(
            s.execute(
                select(Partnership.slug, func.count(Action.id))
                .join(Action, Action.partnership_id == Partnership.id)
                .group_by(Partnership.slug)
            ).all()
        )
    assert set(counts) == {
        "safer-gloucester",
        "safer-gloucestershire",
        "south-gloucestershire",
        "stronger-safer-gloucester",
        "stroud",
    }
    assert all(n >= 10 for n in counts.values()), counts
