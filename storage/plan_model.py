"""The YAML plan format's pydantic models: the single source of truth of what a plan holds.

The format is documented in ``docs/plan-format.md``. Field types are in
:mod:`storage.plan_fields`, the ``partnership:`` section in
:mod:`storage.plan_partnership`; :mod:`storage.planfile` loads a file into these
models and :mod:`storage.plan_problems` says what is wrong with one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
)

from storage.cycles import parse_cycle
from storage.dates import (
    DateError,
    FinancialYear,
    InvalidDate,
    NotADate,
    TimeError,
    parse_date,
    parse_period,
    parse_time,
)
from storage.models import Direction, GroupKind, OrgKind, Role, Sara
from storage.plan_fields import (
    Name,
    OptDate,
    OptText,
    Path_,
    PlanModel,
    RagField,
    StatusField,
    Text32,
    Text64,
    Text200,
    Text300,
    blank_to_none,
    fy_in_force,
    strict_date,
    word_choice,
)
from storage.plan_partnership import PartnershipIn
from storage.words import DIRECTION_WORDS, GROUP_WORDS, ORG_WORDS, ROLE_WORDS, SARA_WORDS


class OrganisationIn(PlanModel):
    """A partner agency."""

    name: Name
    kind: Annotated[OrgKind, word_choice(ORG_WORDS, "kind of organisation")] = OrgKind.OTHER


class PersonIn(PlanModel):
    """A person; give a Slack user id when they are on Slack, an email when not."""

    name: Name
    organisation: Text200 = None
    job_title: Text200 = None
    role: Annotated[Role, word_choice(ROLE_WORDS, "role")] = Role.MEMBER
    slack: OptText = Field(default=None, pattern=r"^[UW][A-Z0-9]{2,30}$")
    email: OptText = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)


class ReadingIn(PlanModel):
    """A measure's value for a period (a month, a quarter such as ``Q1 2023/24``, a year).

    ``part`` names the part it is a reading of, for a measure read in parts.
    """

    period: str
    value: float
    part: Text64 = None
    note: OptText = None

    @field_validator("period")
    @classmethod
    def _period(cls, value: str, info: ValidationInfo) -> str:
        try:
            return parse_period(value, fy=fy_in_force(info))[0]
        except DateError as exc:
            raise ValueError(
                f"{exc}; a period is a quarter (Q1 2023/24), a month (Jan 2023), a "
                "financial year (2022/23) or a calendar year (2022)"
            ) from None


def _number_or_text(value: Any) -> Any:
    """``81.5``, ``"81.5"``, ``"1,234"`` or ``"12.5%"`` as a number; anything else as given."""
    value = blank_to_none(value)
    if isinstance(value, str):
        cleaned = value.replace(",", "").replace("%", "").strip()
        try:
            return float(cleaned)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a number; put text such as this in "
                "baseline_text or target_text instead"
            ) from None
    return value


class PartIn(PlanModel):
    """One part of a measure read in parts, with its own baseline and target if it has them."""

    name: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\s:=,;].*$")]
    baseline: float | None = None
    target: float | None = None

    @field_validator("baseline", "target", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        return _number_or_text(value)


def _part_name(value: Any) -> Any:
    """``parts: [male, female]``: a bare name is a part with the measure's baseline and target."""
    return {"name": value} if isinstance(value, str) else value


class MeasureIn(PlanModel):
    """A performance indicator. Numbers where the document gives them, text where not."""

    name: Annotated[str, Field(min_length=1, max_length=300)]
    ref: Text32 = None
    priority: Text200 = None
    description: OptText = None
    unit: Text64 = None
    baseline: float | None = None
    baseline_text: Text300 = None
    baseline_period: Text32 = None
    target: float | None = None
    target_text: Text300 = None
    target_date: OptDate = None
    direction: Annotated[Direction | None, word_choice(DIRECTION_WORDS, "direction")] = None
    tolerance: Annotated[float | None, Field(ge=0)] = None
    parts: list[Annotated[PartIn, BeforeValidator(_part_name)]] = Field(default_factory=list)
    readings: list[ReadingIn] = Field(default_factory=list)

    @field_validator("baseline", "target", "tolerance", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        return _number_or_text(value)


class ActionIn(PlanModel):
    """One action. ``due`` takes a date, or free text such as ``Ongoing`` kept as a timescale."""

    ref: OptText = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9./\-]{0,31}$")
    title: Annotated[str, Field(min_length=1, max_length=2000)]
    objective: OptText = None
    measure_of_success: OptText = None
    priority: Text200 = None
    group: Text200 = None
    lead_organisation: Text200 = None
    owner: Text200 = None
    partners: OptText = None
    due: OptText = None
    status: StatusField = None
    rag: RagField = None
    sara: Annotated[Sara | None, word_choice(SARA_WORDS, "SARA stage")] = None
    resources: OptText = None
    risks: OptText = None
    note: OptText = None

    @field_validator("due")
    @classmethod
    def _due(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            try:
                parse_date(value, fy=fy_in_force(info))
            except InvalidDate as exc:
                raise ValueError(str(exc)) from None
            except NotADate:
                if len(value) > 300:
                    raise ValueError("a timescale is at most 300 characters") from None
        return value

    def due_parts(self, fy: FinancialYear) -> tuple[dt.date | None, str | None]:
        """(due date, free-text timescale): a date when ``due`` reads as one, else the text."""
        if self.due is None:
            return None, None
        try:
            return parse_date(self.due, fy=fy), None
        except NotADate:
            return None, self.due


class PriorityIn(PlanModel):
    """A numbered priority with its measures and actions."""

    code: Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9][\w.\-]*$")]
    title: Annotated[str, Field(min_length=1, max_length=2000)]
    aims: OptText = None
    rationale: OptText = None
    lead_organisation: Text200 = None
    # A district's priority: the code of the county board's priority it maps onto.
    board_priority: OptText = Field(default=None, pattern=r"^[A-Za-z0-9][\w.\-]{0,15}$")
    measures: list[MeasureIn] = Field(default_factory=list)
    actions: list[ActionIn] = Field(default_factory=list)


class GroupIn(PlanModel):
    """A sub-group: a standing action group or a task-and-finish group."""

    name: Name
    kind: Annotated[GroupKind, word_choice(GROUP_WORDS, "kind of group")] = GroupKind.STANDING
    purpose: OptText = None
    lead: Text200 = None
    priorities: list[str] = Field(default_factory=list)
    ends: OptDate = None
    # Its own reporting cycle (storage/cycles.py), over the partnership's `reporting_cycle`.
    cycle: OptText = None
    actions: list[ActionIn] = Field(default_factory=list)

    @field_validator("cycle")
    @classmethod
    def _cycle(cls, value: str | None) -> str | None:
        return str(parse_cycle(value, group=True)) if value else None


class MeetingIn(PlanModel):
    """A meeting of the Leadership Group (no ``group``) or of a sub-group."""

    date: Annotated[dt.date, BeforeValidator(strict_date)]
    time: dt.time | None = None
    group: Text200 = None
    title: Text200 = None
    location: Text200 = None

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        value = blank_to_none(value)
        if isinstance(value, str):
            try:
                return parse_time(value)
            except TimeError as exc:
                what = "a time" if exc.why == "shape" else "a time of day"
                raise ValueError(f"{value!r} is not {what}; write it as 10:00 or 14:30") from None
        return value


class PlanFile(PlanModel):
    """A whole plan file, or (without ``partnership``) a batch of actions for an existing one."""

    version: int = Field(default=1, ge=1, le=1)
    partnership: PartnershipIn | None = None
    organisations: list[OrganisationIn] = Field(default_factory=list)
    people: list[PersonIn] = Field(default_factory=list)
    priorities: list[PriorityIn] = Field(default_factory=list)
    groups: list[GroupIn] = Field(default_factory=list)
    actions: list[ActionIn] = Field(default_factory=list)
    measures: list[MeasureIn] = Field(default_factory=list)
    meetings: list[MeetingIn] = Field(default_factory=list)
    # From an action table, not a plan file: the title of each priority the table
    # names (its cell, folded -> title), for a priority the import creates.
    _priority_titles: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def priority_titles(self) -> dict[str, str]:
        """Titles for the priorities an action table names, by their folded cell text."""
        return self._priority_titles

    def all_actions(self) -> Iterable[tuple[Path_, ActionIn, str | None, str | None]]:
        """Every action with its path and the priority/group it sits under."""
        for i, pri in enumerate(self.priorities):
            for j, action in enumerate(pri.actions):
                yield ("priorities", i, "actions", j), action, pri.code, None
        for i, grp in enumerate(self.groups):
            for j, action in enumerate(grp.actions):
                yield ("groups", i, "actions", j), action, None, grp.name
        for j, action in enumerate(self.actions):
            yield ("actions", j), action, None, None

    def all_measures(self) -> Iterable[tuple[Path_, MeasureIn, str | None]]:
        """Every measure with its path and the priority it sits under."""
        for i, pri in enumerate(self.priorities):
            for j, measure in enumerate(pri.measures):
                yield ("priorities", i, "measures", j), measure, pri.code
        for j, measure in enumerate(self.measures):
            yield ("measures", j), measure, measure.priority
