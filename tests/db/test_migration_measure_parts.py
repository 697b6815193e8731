"""Migration 0011: readings from before it are a measure's whole readings (part ""), and the
database keeps one reading per measure, part and period."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from storage.db import current_revision, head_revision, make_engine, upgrade


def _reading(conn: Connection, period: str, value: float, part: str | None = None) -> None:
    columns = "partnership_id, measure_id, period, period_end, value, recorded_at"
    values = ":pid, :mid, :period, :end, :value, :at"
    if part is not None:
        columns, values = columns + ", part", values + ", :part"
    conn.execute(
        text(f"INSERT INTO measure_reading ({columns}) VALUES ({values})"),
        {
            "pid": 1,
            "mid": 1,
            "period": period,
            "end": dt.date(2026, 9, 30),
            "value": value,
            "at": dt.datetime(2026, 10, 1),
            "part": part,
        },
    )


def test_old_readings_become_whole_readings_and_parts_are_kept_apart(
    empty_database_url: str,
) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine, "0006")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO partnership (id, slug, name, timezone, fy_start_month, "
                "fy_start_day, nation, created_at) VALUES (1, 'p', 'P', 'Europe/London', 4, 1, "
                "'ENG', :now)"
            ),
            {"now": dt.datetime(2026, 4, 1)},
        )
        conn.execute(
            text(
                "INSERT INTO measure (id, partnership_id, name, position) "
                "VALUES (1, 1, 'Life expectancy', 0)"
            )
        )
        _reading(conn, "Q2 2026/27", 78.0)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT part, period, value FROM measure_reading")).all()
    assert [tuple(r) for r in rows] == [("", "Q2 2026/27", 78.0)]
    with engine.begin() as conn:
        _reading(conn, "Q2 2026/27", 78.1, "male")  # a part beside the whole: allowed
        _reading(conn, "Q2 2026/27", 82.5, "female")
    with pytest.raises(IntegrityError), engine.begin() as conn:
        _reading(conn, "Q2 2026/27", 79.0, "male")  # the same part twice: refused
    with pytest.raises(IntegrityError), engine.begin() as conn:
        _reading(conn, "Q2 2026/27", 77.0)  # the whole twice: refused ("" is a value)
    engine.dispose()
