"""A measure against its baseline and target: on track, slightly off, off track or no data.

The one rule that judges a measure, shared by the roll-up (a priority with an
off-track measure turns amber), the digest, the Home tab and ``/csp measure
record``; and how numbers and short titles are shown. The rule itself (the
straight path from baseline to target) is :mod:`partnership.measure_path`; a
measure read in parts (male / female, a district) is judged part by part and
stands as its worst part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from partnership.measure_path import (
    NO_DATA,
    OFF_TRACK,
    ON_TRACK,
    SLIGHTLY_OFF,
    Goal,
    better,
    judge,
    shown,
)
from partnership.messages import measures as say
from storage.dates import FinancialYear, uk
from storage.models import Measure, MeasurePart

__all__ = [
    "NO_DATA",
    "OFF_TRACK",
    "ON_TRACK",
    "SLIGHTLY_OFF",
    "MeasureStatus",
    "better",
    "judge_in_parts",
    "judge_measure",
    "number",
    "short",
]

# Worst first: a measure read in parts stands as its worst judged part.
_WORST_FIRST = (OFF_TRACK, SLIGHTLY_OFF, ON_TRACK, NO_DATA)

# A part's latest reading: its value, its period's last day and the period's label.
PartReading = tuple[float, dt.date, str]


@dataclass
class MeasureStatus:
    """A measure's (or one part's) latest reading against its baseline and target."""

    ref: str
    name: str
    unit: str
    baseline: float | None
    target: float | None
    target_date: dt.date | None
    direction: str
    latest: float | None
    period: str
    state: str  # ON_TRACK, SLIGHTLY_OFF, OFF_TRACK or NO_DATA
    reason: str
    wrong_way: bool = False
    expected: str = ""  # "expected 74.6 by now on the path to 55.2 by 31/12/2024"
    basis: str = ""  # "no target date, so judged against the baseline"
    parts: list[MeasureStatus] = field(default_factory=list)

    def view(self) -> dict[str, Any]:
        """The measure as a plain view-model row (with a row per part, if it has parts)."""
        return {
            "ref": self.ref,
            "name": short(self.name, 100),
            "latest": number(self.latest, self.unit) if self.latest is not None else "",
            "period": self.period,
            "baseline": number(self.baseline, self.unit) if self.baseline is not None else "",
            "target": number(self.target, self.unit) if self.target is not None else "",
            "target_date": uk(self.target_date),
            "direction": f"{self.direction} is better" if self.direction else "",
            "state": self.state,
            "reason": self.reason,
            "expected": self.expected,
            "basis": self.basis,
            "off": self.state == OFF_TRACK,
            "wrong_way": self.wrong_way,
            "slightly": self.state == SLIGHTLY_OFF,
            "parts": [p.view() for p in self.parts],
        }


def short(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def number(value: float, unit: str | None = None) -> str:
    """A value as people write it: ``1,234``, ``12.5``, ``12.5%``, ``81.5 per 1,000``."""
    return shown(value, unit)


def goal_of(measure: Measure, part: MeasurePart | None = None) -> Goal:
    """What a measure (or one of its parts, with the measure's values where it has none) aims at."""
    baseline = part.baseline if part is not None and part.baseline is not None else None
    target = part.target if part is not None and part.target is not None else None
    return Goal(
        baseline=baseline if baseline is not None else measure.baseline,
        target=target if target is not None else measure.target,
        direction=measure.direction,
        baseline_period=measure.baseline_period,
        target_date=measure.target_date,
        tolerance=measure.tolerance,
    )


def judge_measure(
    measure: Measure,
    latest: float | None,
    latest_end: dt.date | None,
    period: str,
    fy: FinancialYear,
    part: MeasurePart | None = None,
) -> MeasureStatus:
    """Judge a measure's (or one part's) latest reading: its state, and why.

    See :mod:`partnership.measure_path` for the rule: against the straight path
    from baseline to target when the measure has a target date, against the
    baseline alone when not (``basis`` then says why).
    """
    goal = goal_of(measure, part)
    verdict = judge(goal, latest, latest_end, fy, measure.unit)
    return MeasureStatus(
        ref=measure.ref or "",
        name=part.name if part is not None else measure.name,
        unit=measure.unit or "",
        baseline=goal.baseline,
        target=goal.target,
        target_date=measure.target_date,
        direction=measure.direction.value if measure.direction else "",
        latest=latest,
        period=period,
        state=verdict.state,
        reason=verdict.reason,
        wrong_way=verdict.wrong_way,
        expected=verdict.expected_words,
        basis=verdict.basis,
    )


def judge_in_parts(
    measure: Measure,
    latest: Mapping[str, PartReading],
    fy: FinancialYear,
    parts_of: Sequence[MeasurePart] | None = None,
) -> MeasureStatus:
    """Judge each part of a measure read in parts on its own; the measure stands as its worst.

    ``latest`` maps a part's name to its latest reading. A measure with no parts
    is judged whole, from ``latest[""]``. ``parts_of`` are the measure's parts when
    the caller has loaded them already (else ``measure.parts``).
    """
    declared = list(measure.parts if parts_of is None else parts_of)
    if not declared:
        value, end, period = latest.get("", (None, None, ""))
        return judge_measure(measure, value, end, period, fy)
    parts = []
    for part in declared:
        value, end, period = latest.get(part.name, (None, None, ""))
        parts.append(judge_measure(measure, value, end, period, fy, part))
    judged = [p for p in parts if p.state != NO_DATA]
    worst = min(judged or parts, key=lambda p: _WORST_FIRST.index(p.state))
    read = [latest[p.name] for p in parts if p.name in latest]
    newest = max(read, key=lambda r: r[1])[2] if read else ""
    ranked = sorted(judged, key=lambda p: _WORST_FIRST.index(p.state))
    return MeasureStatus(
        ref=measure.ref or "",
        name=measure.name,
        unit=measure.unit or "",
        baseline=measure.baseline,
        target=measure.target,
        target_date=measure.target_date,
        direction=measure.direction.value if measure.direction else "",
        latest=None,
        period=newest,
        state=worst.state,
        reason=(
            say.parts_summary(parts=[(p.name, p.state) for p in ranked])
            if judged
            else say.NO_READING
        ),
        wrong_way=any(p.wrong_way for p in parts),
        parts=parts,
    )
