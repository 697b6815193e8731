"""A measure against its baseline and target: on track, off track or no data.

The one rule that judges a measure, shared by the roll-up (a priority with an
off-track measure turns amber), the digest and ``/csp measure record``; and how
numbers and short titles are shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from storage.dates import DateError, FinancialYear, parse_period, uk
from storage.models import Direction, Measure

ON_TRACK = "on track"
OFF_TRACK = "off track"
NO_DATA = "no data"


@dataclass
class MeasureStatus:
    """A measure's latest reading against its baseline and target."""

    ref: str
    name: str
    unit: str
    baseline: float | None
    target: float | None
    target_date: dt.date | None
    direction: str
    latest: float | None
    period: str
    state: str  # ON_TRACK, OFF_TRACK or NO_DATA
    reason: str
    wrong_way: bool = False

    def view(self) -> dict[str, Any]:
        """The measure as a plain view-model row."""
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
            "off": self.state == OFF_TRACK,
        }


def short(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def number(value: float, unit: str | None = None) -> str:
    """A value as people write it: ``1,234``, ``12.5``, ``12.5%``, ``81.5 per 1,000``."""
    if value == int(value) and abs(value) < 1e15:
        shown = f"{int(value):,}"
    else:
        shown = f"{value:,.3f}".rstrip("0").rstrip(".")
    if not unit:
        return shown
    return f"{shown}{unit}" if unit == "%" else f"{shown} {unit}"


def better(a: float, b: float, direction: Direction) -> bool:
    """Whether ``a`` is strictly better than ``b`` for a measure going ``direction``."""
    return a < b if direction == Direction.LOWER else a > b


def judge_measure(
    measure: Measure,
    latest: float | None,
    latest_end: dt.date | None,
    period: str,
    fy: FinancialYear,
) -> MeasureStatus:
    """Judge a measure's latest reading: on track, off track or no data, and why.

    Off track *the wrong way* when worse than the baseline. On track when the
    target is met. Off track when the target date has passed unmet. When the
    baseline's period and the target date are known, the reading is compared
    with a straight line from baseline to target; otherwise with the baseline
    (better is on track, no change is off track).
    """
    status = MeasureStatus(
        ref=measure.ref or "",
        name=measure.name,
        unit=measure.unit or "",
        baseline=measure.baseline,
        target=measure.target,
        target_date=measure.target_date,
        direction=measure.direction.value if measure.direction else "",
        latest=latest,
        period=period,
        state=NO_DATA,
        reason="",
    )
    baseline, target, direction = measure.baseline, measure.target, measure.direction
    if latest is None:
        status.reason = "no reading yet"
        return status
    if direction is None or (baseline is None and target is None):
        status.reason = "no baseline, target or direction to judge it by"
        return status
    if baseline is not None and better(baseline, latest, direction):
        status.state, status.wrong_way = OFF_TRACK, True
        status.reason = "worse than the baseline"
        return status
    if target is not None and not better(target, latest, direction):
        status.state, status.reason = ON_TRACK, "target met"
        return status
    if (
        target is not None
        and measure.target_date is not None
        and latest_end is not None
        and latest_end >= measure.target_date
    ):
        status.state, status.reason = OFF_TRACK, "target date passed, target not met"
        return status
    start = _baseline_end(measure, fy)
    if (
        baseline is not None
        and target is not None
        and measure.target_date is not None
        and start is not None
        and latest_end is not None
        and measure.target_date > start
    ):
        span = (measure.target_date - start).days
        share = min(max((latest_end - start).days / span, 0.0), 1.0)
        expected = baseline + (target - baseline) * share
        if better(expected, latest, direction):
            status.state = OFF_TRACK
            status.reason = f"behind the path to target (expected {number(round(expected, 1))})"
        else:
            status.state, status.reason = ON_TRACK, "on the path to target"
        return status
    if baseline is None:
        status.reason = "no baseline to measure progress from"
        return status
    if better(latest, baseline, direction):
        status.state, status.reason = ON_TRACK, "better than the baseline"
    else:
        status.state, status.reason = OFF_TRACK, "no change from the baseline"
    return status


def _baseline_end(measure: Measure, fy: FinancialYear) -> dt.date | None:
    """The last day of the baseline's period, when it names one we can read."""
    if not measure.baseline_period:
        return None
    try:
        return parse_period(measure.baseline_period, fy=fy)[1]
    except DateError:
        return None
