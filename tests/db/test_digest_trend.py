"""The digest shows each measure's last few readings as a trend, a part's as well."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from partnership import digest as digest_data
from partnership.digest_meetings import MeetingInfo
from partnership.digest_shown import TREND
from storage.planfile import load_plan_file
from storage.sync import apply_plan
from tests import kit
from tests.conftest import EXAMPLES
from tests.db.digestkit import digest, slack, text_of

SSG = "stronger-safer-gloucester"


def test_a_measure_shows_its_last_four_readings(session: Session) -> None:
    kit.load_plans(session)
    ctx = kit.context(session, "riverside", "Lee Lead")
    # With the plan's 38 for Q1 2026/27: five readings, of which the digest shows four.
    for value, period in (("42", "Q2 2025/26"), ("41", "Q3 2025/26"), ("40", "Q4 2025/26")):
        assert kit.run(ctx, f'measure record M-1 {value} period:"{period}"')[0].ok
    assert kit.run(ctx, 'measure record M-1 36 period:"Q2 2026/27"')[0].ok
    data = digest(session)
    m1, m2 = data["measures"]
    assert TREND == 4
    assert m1["recent"] == "41 → 40 → 38 → 36"
    assert m1["trend"] == {"arrow": "↓", "word": "better"}
    assert (m1["previous"], m1["previous_period"]) == ("38", "Q1 2026/27")
    assert m2["recent"] == "" and m2["trend"] == {"arrow": "", "word": ""}
    text = text_of(slack(data))
    assert "ASB incidents per 1,000 population: 41 → 40 → 38 → 36 (Q2 2026/27) ↓ better" in text
    assert "42 →" not in text


def test_one_reading_is_shown_alone_and_the_unit_once(session: Session) -> None:
    kit.load_plans(session)
    ctx = kit.context(session, "riverside", "Lee Lead")
    assert kit.run(ctx, 'measure record M-2 29% period:"Q1 2026/27"')[0].ok
    assert kit.run(ctx, 'measure record M-2 28% period:"Q2 2026/27"')[0].ok
    _, m2 = digest(session)["measures"]
    assert m2["recent"] == "29 → 28%"
    assert kit.run(ctx, 'measure record M-1 36 period:"Q2 2026/27"')[0].ok
    m1, _ = digest(session)["measures"]
    assert m1["recent"] == "38 → 36"


def test_each_part_shows_its_own_trend(session: Session) -> None:
    now = dt.datetime(2022, 2, 21, 10, 0, tzinfo=dt.UTC)
    for name in ("safer-gloucestershire-2023", "stronger-safer-gloucester-2019"):
        apply_plan(session, load_plan_file(EXAMPLES / f"{name}.yaml"), source_name=name, now=now)
    session.commit()
    ctx = kit.context(session, SSG, None, now=now)
    for line in (
        "measure record M-4 male:77.9 female:82.2 period:2019",
        "measure record M-4 male 78.0, female 82.6 period:2020",
        "measure record M-4 male 78.1, female 82.5 period:2021",
    ):
        outcome, text = kit.run(ctx, line)
        assert outcome.ok, text
    meeting = MeetingInfo(id=0, date=dt.date(2022, 3, 3), title="SSGP", time=None, location="")
    data = digest_data.build(ctx, meeting, [meeting]).data
    m4 = next(m for m in data["measures"] if m["ref"] == "M-4")
    assert [(p["name"], p["recent"], p["trend"]["word"]) for p in m4["parts"]] == [
        ("male", "77.9 → 78 → 78.1 years", "better"),
        ("female", "82.2 → 82.6 → 82.5 years", "worse"),
    ]
    text = text_of(slack(data))
    assert "male 77.9 → 78 → 78.1 years ↑ (" in text
    assert "female 82.2 → 82.6 → 82.5 years ↓ (" in text
