"""The straight path from a measure's baseline to its target, and where a reading stands on it.

A measure with a baseline (at the end of its baseline period), a target and a
target date is expected to move in a straight line from one to the other. A
reading is judged against where that line stands at the end of the reading's
period, in the measure's direction of better:

* at or ahead of the path: **on track**;
* behind it by no more than the tolerance: **slightly off** (the measure's
  ``tolerance``, in its unit; by default a tenth of the whole way from baseline
  to target);
* further behind: **off track**.

Before the path is drawn, three things win: a reading worse than the baseline
is off track *the wrong way*; one that meets the target is on track; and once
the target date has passed unmet it is off track. Without a target date (or a
baseline period to start from) a measure is judged against its baseline alone,
and the verdict's ``basis`` says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from partnership.messages import measures as say
from storage.dates import DateError, FinancialYear, parse_period, uk
from storage.models import Direction

ON_TRACK = "on track"
SLIGHTLY_OFF = "slightly off"
OFF_TRACK = "off track"
NO_DATA = "no data"

# Behind the path by at most this share of the whole baseline-to-target change is
# "slightly off": the rule when the plan gives a measure no tolerance of its own.
DEFAULT_TOLERANCE_SHARE = 0.1


@dataclass(frozen=True)
class Goal:
    """What a reading is judged against: one measure, or one part of it."""

    baseline: float | None
    target: float | None
    direction: Direction | None
    baseline_period: str | None
    target_date: dt.date | None
    tolerance: float | None = None


@dataclass
class Verdict:
    """A reading against its goal: the state, why, and what the path expects."""

    state: str
    reason: str
    wrong_way: bool = False
    expected: float | None = None  # where the path stands at the reading's date
    expected_words: str = ""  # "expected 74.6 by now on the path to 55.2 by 31/12/2024"
    basis: str = ""  # why the baseline alone was the yardstick, when it was


def better(a: float, b: float, direction: Direction) -> bool:
    """Whether ``a`` is strictly better than ``b`` for a measure going ``direction``."""
    return a < b if direction == Direction.LOWER else a > b


def shown(value: float, unit: str | None = None) -> str:
    """A value as people write it: ``1,234``, ``12.5``, ``12.5%``, ``81.5 per 1,000``."""
    if value == int(value) and abs(value) < 1e15:
        text = f"{int(value):,}"
    else:
        text = f"{value:,.3f}".rstrip("0").rstrip(".")
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def path_start(goal: Goal, fy: FinancialYear) -> dt.date | None:
    """The baseline's date: the last day of its period, when it names one we can read."""
    if not goal.baseline_period:
        return None
    try:
        return parse_period(goal.baseline_period, fy=fy)[1]
    except DateError:
        return None


def expected_at(goal: Goal, start: dt.date, day: dt.date) -> float | None:
    """Where the straight path from (baseline, start) to (target, target date) is on ``day``."""
    if goal.baseline is None or goal.target is None or goal.target_date is None:
        return None
    if goal.target_date <= start:
        return None
    share = (day - start).days / (goal.target_date - start).days
    share = min(max(share, 0.0), 1.0)
    return goal.baseline + (goal.target - goal.baseline) * share


def tolerance(goal: Goal) -> float:
    """How far behind the path is still slightly off, in the measure's unit."""
    if goal.tolerance is not None:
        return goal.tolerance
    if goal.baseline is None or goal.target is None:
        return 0.0
    return abs(goal.target - goal.baseline) * DEFAULT_TOLERANCE_SHARE


def judge(
    goal: Goal,
    latest: float | None,
    latest_end: dt.date | None,
    fy: FinancialYear,
    unit: str | None = None,
) -> Verdict:
    """Judge a reading (the module docstring's rule): on track, slightly off, off track, no data."""
    baseline, target, direction = goal.baseline, goal.target, goal.direction
    if latest is None:
        return Verdict(NO_DATA, say.NO_READING)
    if direction is None or (baseline is None and target is None):
        return Verdict(NO_DATA, say.NOTHING_TO_JUDGE_BY)
    start = path_start(goal, fy)
    expected = (
        expected_at(goal, start, latest_end)
        if start is not None and latest_end is not None
        else None
    )
    words = (
        say.expected_by_now(
            expected=shown(round(expected, 1), unit),
            target=shown(target, unit),
            target_date=uk(goal.target_date),
        )
        if expected is not None and target is not None
        else ""
    )
    if baseline is not None and better(baseline, latest, direction):
        return Verdict(OFF_TRACK, say.WORSE_THAN_BASELINE, True, expected, words)
    if target is not None and not better(target, latest, direction):
        return Verdict(ON_TRACK, say.TARGET_MET)
    due = goal.target_date
    if target is not None and due is not None and latest_end is not None and latest_end >= due:
        return Verdict(OFF_TRACK, say.TARGET_DATE_PASSED)
    if expected is not None:
        behind = latest - expected if direction == Direction.LOWER else expected - latest
        # A hair's breadth from the path (float rounding) is on it.
        if behind <= 1e-9:
            return Verdict(ON_TRACK, say.ON_THE_PATH, expected=expected, expected_words=words)
        slightly = behind <= tolerance(goal) + 1e-9
        reason = say.behind_path(expected=shown(round(expected, 1)), slightly=slightly)
        state = SLIGHTLY_OFF if slightly else OFF_TRACK
        return Verdict(state, reason, expected=expected, expected_words=words)
    basis = _basis(goal, start)
    if baseline is None:
        return Verdict(NO_DATA, say.NO_BASELINE, basis=basis)
    if better(latest, baseline, direction):
        return Verdict(ON_TRACK, say.BETTER_THAN_BASELINE, basis=basis)
    return Verdict(OFF_TRACK, say.SAME_AS_BASELINE, basis=basis)


def _basis(goal: Goal, start: dt.date | None) -> str:
    """Why there is no path to judge by, so the baseline is the yardstick."""
    if goal.target is None:
        return say.NO_TARGET
    if goal.target_date is None:
        return say.NO_TARGET_DATE
    if not goal.baseline_period:
        return say.NO_BASELINE_PERIOD
    if start is not None:
        return say.TARGET_DATE_NOT_AFTER_BASELINE
    return say.unreadable_baseline_period(period=goal.baseline_period)
