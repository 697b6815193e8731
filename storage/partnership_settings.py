"""A partnership's scheduling settings: deadlines, lead times, nudges, quiet hours.

Stored as JSON on ``partnership.settings`` holding only what differs from the
defaults, so a default changed in a later release reaches every partnership
that never chose otherwise. Coordinators change them with ``/csp settings`` and
in the plan file's ``settings:`` section; both go through :func:`change`, so
the same text gives the same value and the same message when it is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from storage.cycles import Cycle, parse_cycle
from storage.models import Partnership
from storage.workdays import WEEKDAYS, WorkingCalendar

DEADLINE_RULE = re.compile(
    r"^\s*(\d{1,2})\s+working\s+days?\s+(after|before)\s+(?:the\s+)?"
    r"(quarter[\s-]*end|end\s+of\s+(?:the\s+)?quarter|review|meeting|quarterly\s+review)\s*$",
    re.IGNORECASE,
)
# What a county board sees of a district (partnership/board.py).
SHARE_SUMMARY, SHARE_ACTIONS = "summary", "actions"
SHARE_CHOICES = (SHARE_SUMMARY, SHARE_ACTIONS)
TIME_RANGE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*(?:-|–|to)\s*(\d{1,2})[:.](\d{2})\s*$")


@dataclass(frozen=True)
class DeadlineRule:
    """When a quarter's return is due: N working days after quarter end, or before review."""

    days: int
    anchor: str  # "quarter_end" or "review"

    def __str__(self) -> str:
        where = "after quarter end" if self.anchor == "quarter_end" else "before review"
        return f"{self.days} working day{'s' if self.days != 1 else ''} {where}"


def parse_deadline(text: str) -> DeadlineRule:
    """``15 working days after quarter end`` or ``10 working days before review``."""
    m = DEADLINE_RULE.match(text)
    if not m:
        raise ValueError(
            f"{text!r} is not a deadline rule; write `15 working days after quarter end` "
            "or `10 working days before review`"
        )
    days, side, anchor = int(m[1]), m[2].lower(), m[3].lower()
    is_review = "review" in anchor or "meeting" in anchor
    if is_review and side != "before":
        raise ValueError("a return is due *before* the review: `10 working days before review`")
    if not is_review and side != "after":
        raise ValueError(
            "a return is due *after* its quarter ends: `15 working days after quarter end`"
        )
    if not 0 < days <= 40:
        raise ValueError("give between 1 and 40 working days")
    return DeadlineRule(days, "review" if is_review else "quarter_end")


def parse_quiet_hours(text: str) -> tuple[dt.time, dt.time]:
    """``18:00-09:00`` (quiet from 6pm to 9am) -> (opens 09:00, closes 18:00)."""
    m = TIME_RANGE.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a time range; write quiet hours as `18:00-09:00`")
    try:
        start = dt.time(int(m[1]), int(m[2]))
        end = dt.time(int(m[3]), int(m[4]))
    except ValueError:
        raise ValueError(f"{text!r} holds a time that does not exist; use 00:00 to 23:59") from None
    if start <= end:
        raise ValueError(
            "quiet hours run overnight, from the evening to the morning: `18:00-09:00`"
        )
    if (start.hour * 60 + start.minute) - (end.hour * 60 + end.minute) < 120:
        raise ValueError("leave at least two working hours a day for messages to go out")
    return end, start


def _number_list(value: Any) -> Any:
    if isinstance(value, str):
        parts = [p for p in re.split(r"[\s,;]+", value.strip()) if p]
        if not all(p.isdigit() for p in parts):
            raise ValueError(f"{value!r} is not a list of numbers; write them as `10,5`")
        return [int(p) for p in parts]
    if isinstance(value, int):
        return [value]
    return value


class PartnershipSettings(BaseModel):
    """Every scheduling setting a coordinator may change, with its default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reporting_cycle: str = Field(
        default="quarterly",
        description="how often sub-groups report (a group may have its own)",
    )
    return_deadline: str = Field(
        default="15 working days after quarter end",
        description="when each quarter's return is due",
    )
    return_reminders: list[int] = Field(
        default_factory=lambda: [5],
        description="working days before the deadline when leads are reminded (and on the day)",
    )
    return_chases: int = Field(
        default=3, ge=0, le=10, description="how many times a missing return is chased"
    )
    return_chase_every: int = Field(
        default=5, ge=1, le=20, description="working days between chases of a missing return"
    )
    digest_days: int = Field(
        default=5, ge=1, le=30, description="working days before a meeting the digest goes out"
    )
    nudge_interval: int = Field(
        default=7, ge=1, le=90, description="days before the same action is nudged again"
    )
    stale_days: int = Field(
        default=30, ge=7, le=365, description="days without an update before an action is stale"
    )
    quiet_hours: str = Field(
        default="18:00-09:00", description="when nothing is sent (local time, overnight)"
    )
    rollup_day: str = Field(
        default="monday", description="weekday the coordinators' weekly roll-up goes out"
    )
    share_with_board: str = Field(
        default=SHARE_SUMMARY,
        description="what the county board sees of this district: summary, or actions too",
    )

    @field_validator("return_deadline")
    @classmethod
    def _deadline(cls, value: str) -> str:
        return str(parse_deadline(value))

    @field_validator("reporting_cycle")
    @classmethod
    def _cycle(cls, value: str) -> str:
        return str(parse_cycle(value))

    @field_validator("return_reminders", mode="before")
    @classmethod
    def _reminders_text(cls, value: Any) -> Any:
        return _number_list(value)

    @field_validator("return_reminders")
    @classmethod
    def _reminders(cls, value: list[int]) -> list[int]:
        if len(value) > 5 or any(not 1 <= n <= 30 for n in value):
            raise ValueError("give up to five numbers of working days, each from 1 to 30")
        return sorted(set(value), reverse=True)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        opens, closes = parse_quiet_hours(value)
        return f"{closes:%H:%M}-{opens:%H:%M}"

    @field_validator("rollup_day", mode="before")
    @classmethod
    def _weekday(cls, value: Any) -> Any:
        text = str(value).strip().lower()
        for day in WEEKDAYS[:5]:
            if len(text) >= 3 and day.startswith(text):
                return day
        raise ValueError(f"{value!r} is not a weekday; write Monday to Friday")

    @field_validator("share_with_board", mode="before")
    @classmethod
    def _share(cls, value: Any) -> Any:
        # Section 115: the board sees counts only unless the district says otherwise.
        text = str(value).strip().lower()
        if text in SHARE_CHOICES:
            return text
        raise ValueError(
            f"{value!r} is not a choice; write `summary` (counts only) or `actions` "
            "(the board also sees action titles and owners)"
        )

    @property
    def deadline_rule(self) -> DeadlineRule:
        """The return deadline rule as a value."""
        return parse_deadline(self.return_deadline)

    @property
    def cycle(self) -> Cycle:
        """The partnership's reporting cycle as a value."""
        return parse_cycle(self.reporting_cycle)

    @property
    def rollup_weekday(self) -> int:
        """The roll-up's weekday, Monday = 0."""
        return WEEKDAYS.index(self.rollup_day)

    @property
    def hours(self) -> tuple[dt.time, dt.time]:
        """(opens, closes): the local hours when messages may be sent."""
        return parse_quiet_hours(self.quiet_hours)


KEYS = tuple(PartnershipSettings.model_fields)


def describe(key: str) -> str:
    """A setting's one-line description."""
    return PartnershipSettings.model_fields[key].description or key


def of(partnership: Partnership) -> PartnershipSettings:
    """A partnership's settings (stored ones over the defaults; bad stored ones are ignored)."""
    stored = partnership.settings or {}
    try:
        return PartnershipSettings.model_validate(stored)
    except ValidationError:
        # A value stored by an older release that no longer validates must not stop
        # the scheduler: keep the valid keys, default the rest.
        good = {}
        for key, value in stored.items():
            try:
                PartnershipSettings.model_validate({key: value})
            except ValidationError:
                continue
            good[key] = value
        return PartnershipSettings.model_validate(good)


class SettingError(ValueError):
    """A setting given a value it cannot take; the message says what to write."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def change(current: PartnershipSettings, values: dict[str, Any]) -> PartnershipSettings:
    """``current`` with ``values`` applied and validated; raise :class:`SettingError`."""
    for key in values:
        if key not in KEYS:
            raise SettingError(
                key, f"there is no setting `{key}`; the settings are {', '.join(KEYS)}"
            )
    try:
        return PartnershipSettings.model_validate({**current.model_dump(), **values})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else next(iter(values))
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingError(key, f"`{key}`: {message}") from None


def store(partnership: Partnership, settings: PartnershipSettings) -> None:
    """Save only what differs from the defaults."""
    partnership.settings = settings.model_dump(exclude_defaults=True) or None


def calendar(
    partnership: Partnership, settings: PartnershipSettings | None = None
) -> WorkingCalendar:
    """The partnership's working calendar: its nation's bank holidays, zone and hours."""
    opens, closes = (settings or of(partnership)).hours
    return WorkingCalendar(partnership.nation, partnership.timezone, opens, closes)
