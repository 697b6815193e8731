"""Stronger Safer Gloucester's measures as a coordinator would type them: the name
unquoted before the values, and the crime figure judged on its path wherever it is shown."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from storage.planfile import load_plan_file
from storage.sync import apply_plan
from tests import kit
from tests.conftest import EXAMPLES

SSG = "stronger-safer-gloucester"
NOW = dt.datetime(2021, 2, 21, 10, 0, tzinfo=dt.UTC)
PATH = (
    "expected 74.9 per 1,000 population by now on the path to "
    "55.2 per 1,000 population by 31/12/2024"
)


def load_ssg(session: Session) -> None:
    """The county board, then Stronger Safer Gloucester under it."""
    for name in ("safer-gloucestershire-2023", "stronger-safer-gloucester-2019"):
        apply_plan(session, load_plan_file(EXAMPLES / f"{name}.yaml"), source_name=name, now=NOW)
    session.commit()


def test_life_expectancy_male_and_female_typed_after_the_unquoted_name(session: Session) -> None:
    load_ssg(session)
    ctx = kit.context(session, SSG, None, now=NOW)
    outcome, text = kit.run(
        ctx, "measure record Life expectancy male 78.1, female 82.5 period:2020"
    )
    assert outcome.ok, text
    assert "Recorded *male 78.1 years, female 82.5 years* for 2020: *M-4* Life expectancy" in text
    # A whole measure's name unquoted, then its value and a note kept as typed.
    outcome, text = kit.run(
        ctx, 'measure record crime (per 1000 pop) 81.0 period:"Q2 2020/21" police  figures'
    )
    assert outcome.ok, text
    assert "> police  figures" in text


def test_crime_at_81_reads_off_track_in_status_and_show(session: Session) -> None:
    load_ssg(session)
    ctx = kit.context(session, SSG, None, now=NOW)
    assert kit.run(ctx, 'measure record M-5 81.0 period:"Q2 2020/21"')[0].ok
    for line in ("priority status", "measure show M-5", 'measure show "Crime (per 1000 pop)"'):
        outcome, text = kit.run(ctx, line)
        assert outcome.ok, text
        kit.rendered(outcome)
        assert "*M-5* Crime (per 1000 pop): 81 per 1,000 population (Q2 2020/21)" in text, line
        assert PATH in text, line
