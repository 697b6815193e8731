"""The YAML plan format: pydantic models, a line-aware loader and readable errors.

The format is documented in ``docs/plan-format.md``; the models here are its
single source of truth. Spreadsheet imports produce the same :class:`PlanFile`
(with no ``partnership`` section), so both paths share validation and syncing.

YAML scalars are all read as strings and converted by pydantic: this sidesteps
YAML 1.1's surprises (``10:00`` read as 600, ``no`` read as False, ``2027-03-31``
read as a date object) and lets every date go through one UK-aware parser.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from storage import partnership_settings
from storage.dates import (
    EXAMPLES,
    UK_FY,
    DateError,
    FinancialYear,
    InvalidDate,
    NotADate,
    parse_date,
    parse_fy_start,
    parse_period,
)
from storage.models import Direction, GroupKind, OrgKind, Rag, Role, Sara, Status
from storage.words import plural

Path_ = tuple[str | int, ...]

# Words people write for our enumerations, folded to lower case with spaces.
STATUS_WORDS: dict[str, Status] = {
    "not started": Status.NOT_STARTED,
    "not yet started": Status.NOT_STARTED,
    "planned": Status.NOT_STARTED,
    "in progress": Status.IN_PROGRESS,
    "ongoing": Status.IN_PROGRESS,
    "on going": Status.IN_PROGRESS,
    "started": Status.IN_PROGRESS,
    "underway": Status.IN_PROGRESS,
    "under way": Status.IN_PROGRESS,
    "complete": Status.COMPLETE,
    "completed": Status.COMPLETE,
    "done": Status.COMPLETE,
    "closed": Status.COMPLETE,
    "achieved": Status.COMPLETE,
    "dropped": Status.DROPPED,
    "cancelled": Status.DROPPED,
    "canceled": Status.DROPPED,
    "withdrawn": Status.DROPPED,
    "no longer required": Status.DROPPED,
}
RAG_WORDS: dict[str, Rag] = {
    "r": Rag.RED,
    "red": Rag.RED,
    "a": Rag.AMBER,
    "amber": Rag.AMBER,
    "g": Rag.GREEN,
    "green": Rag.GREEN,
}
ROLE_WORDS: dict[str, Role] = {
    "chair": Role.CHAIR,
    "vice chair": Role.CHAIR,
    "vice-chair": Role.CHAIR,
    "coordinator": Role.COORDINATOR,
    "co-ordinator": Role.COORDINATOR,
    "lead": Role.LEAD,
    "member": Role.MEMBER,
}
ORG_WORDS: dict[str, OrgKind] = {
    "responsible authority": OrgKind.RESPONSIBLE_AUTHORITY,
    "responsible_authority": OrgKind.RESPONSIBLE_AUTHORITY,
    "statutory": OrgKind.RESPONSIBLE_AUTHORITY,
    "co-opted": OrgKind.CO_OPTED,
    "co_opted": OrgKind.CO_OPTED,
    "coopted": OrgKind.CO_OPTED,
    "co opted": OrgKind.CO_OPTED,
    "other": OrgKind.OTHER,
}
GROUP_WORDS: dict[str, GroupKind] = {
    "standing": GroupKind.STANDING,
    "task and finish": GroupKind.TASK_AND_FINISH,
    "task_and_finish": GroupKind.TASK_AND_FINISH,
    "task-and-finish": GroupKind.TASK_AND_FINISH,
    "task to finish": GroupKind.TASK_AND_FINISH,
}
DIRECTION_WORDS: dict[str, Direction] = {
    "higher": Direction.HIGHER,
    "higher is better": Direction.HIGHER,
    "up": Direction.HIGHER,
    "increase": Direction.HIGHER,
    "lower": Direction.LOWER,
    "lower is better": Direction.LOWER,
    "down": Direction.LOWER,
    "decrease": Direction.LOWER,
    "reduce": Direction.LOWER,
}
SARA_WORDS: dict[str, Sara] = {s.value: s for s in Sara}


def fold(text: str) -> str:
    """Lower-case and collapse white space, for matching what people type."""
    return " ".join(text.replace("_", " ").strip().lower().split())


def _word(table: dict[str, Any], what: str) -> BeforeValidator:
    """A validator mapping people's words onto an enumeration, with the choices on error."""
    choices = sorted({str(v.value).replace("_", " ") for v in table.values()})

    def convert(value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        key = fold(str(value))
        if key in table:
            return table[key]
        raise ValueError(f"{value!r} is not a {what}; write one of: {', '.join(choices)}")

    return BeforeValidator(convert)


def _blank_to_none(value: Any) -> Any:
    """Treat empty strings as absent."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _fy(info: ValidationInfo) -> FinancialYear:
    """The financial year in force while validating (from the partnership section)."""
    context = info.context or {}
    fy = context.get("fy")
    return fy if isinstance(fy, FinancialYear) else UK_FY


def _date(value: Any, info: ValidationInfo) -> dt.date | None:
    """A strict date field: UK forms, ISO, months and financial quarters."""
    value = _blank_to_none(value)
    if value is None:
        return None
    try:
        return parse_date(value, fy=_fy(info))
    except DateError as exc:
        raise ValueError(str(exc)) from None


OptText = Annotated[str | None, BeforeValidator(_blank_to_none), Field(max_length=10_000)]


# Optional text no longer than the database column that will hold it.
Text32 = Annotated[str | None, BeforeValidator(_blank_to_none), Field(max_length=32)]
Text64 = Annotated[str | None, BeforeValidator(_blank_to_none), Field(max_length=64)]
Text200 = Annotated[str | None, BeforeValidator(_blank_to_none), Field(max_length=200)]
Text300 = Annotated[str | None, BeforeValidator(_blank_to_none), Field(max_length=300)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
OptDate = Annotated[dt.date | None, BeforeValidator(_date)]
StatusField = Annotated[Status | None, _word(STATUS_WORDS, "status")]
RagField = Annotated[Rag | None, _word(RAG_WORDS, "RAG rating")]


class PlanModel(BaseModel):
    """Base: unknown keys are errors (a typo must not be silently dropped)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class AdmittedIn(PlanModel):
    """A partner's Slack workspace whose members are recognised here (Slack Connect)."""

    team_id: str = Field(pattern=r"^T[A-Z0-9]{2,30}$")
    name: Text200 = None


def _admitted_item(value: Any) -> Any:
    """A bare team id is short for ``{team_id: T...}``."""
    return {"team_id": value} if isinstance(value, str) else value


class SlackIn(PlanModel):
    """Where the partnership lives in Slack."""

    team_id: OptText = Field(default=None, pattern=r"^[TE][A-Z0-9]{2,30}$")
    channels: dict[str, str] = Field(default_factory=dict)
    # Partner workspaces admitted through Slack Connect; None leaves the bot's list as it is.
    admitted: list[Annotated[AdmittedIn, BeforeValidator(_admitted_item)]] | None = None

    @field_validator("admitted")
    @classmethod
    def _admitted(cls, value: list[AdmittedIn] | None) -> list[AdmittedIn] | None:
        if value is not None:
            teams = [a.team_id for a in value]
            if len(set(teams)) != len(teams):
                raise ValueError("a workspace is admitted twice")
        return value

    @field_validator("channels")
    @classmethod
    def _channel_ids(cls, value: dict[str, str]) -> dict[str, str]:
        for purpose, channel in value.items():
            if not re.fullmatch(r"[CG][A-Z0-9]{2,30}", channel):
                raise ValueError(
                    f"channel {purpose!r}: {channel!r} is not a Slack channel id; "
                    "copy the id (it starts with C) from the channel's details"
                )
        return value


class PartnershipIn(PlanModel):
    """The partnership itself."""

    name: Name
    slug: OptText = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    short_name: Text64 = None
    timezone: str = "Europe/London"
    financial_year_start: str = "1 April"
    nation: str = Field(default="ENG", pattern=r"^(ENG|WLS)$")
    parent: OptText = None
    plan_title: Text300 = None
    plan_period: Text64 = None
    vision: OptText = None
    leadership_group: Text200 = None
    meeting_cadence: Text200 = None
    meetings_per_year: int | None = Field(default=None, ge=1, le=52)
    slack: SlackIn | None = None
    # Scheduling settings by name (storage/partnership_settings.py); only those given change.
    settings: dict[str, Any] | None = None

    @field_validator("settings")
    @classmethod
    def _settings(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            partnership_settings.change(partnership_settings.PartnershipSettings(), value)
        except partnership_settings.SettingError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone; write Europe/London") from None
        return value

    @field_validator("financial_year_start")
    @classmethod
    def _fy_start(cls, value: str) -> str:
        try:
            parse_fy_start(value)
        except DateError as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def fy(self) -> FinancialYear:
        """The financial year as a value."""
        return parse_fy_start(self.financial_year_start)

    @property
    def resolved_slug(self) -> str:
        """The slug given, or one made from the name."""
        return self.slug or slugify(self.short_name or self.name)


class OrganisationIn(PlanModel):
    """A partner agency."""

    name: Name
    kind: Annotated[OrgKind, _word(ORG_WORDS, "kind of organisation")] = OrgKind.OTHER


class PersonIn(PlanModel):
    """A person; give a Slack user id when they are on Slack, an email when not."""

    name: Name
    organisation: Text200 = None
    job_title: Text200 = None
    role: Annotated[Role, _word(ROLE_WORDS, "role")] = Role.MEMBER
    slack: OptText = Field(default=None, pattern=r"^[UW][A-Z0-9]{2,30}$")
    email: OptText = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)


class ReadingIn(PlanModel):
    """A measure's value for a period (a quarter such as ``Q1 2023/24``, or a date)."""

    period: str
    value: float
    note: OptText = None

    @field_validator("period")
    @classmethod
    def _period(cls, value: str, info: ValidationInfo) -> str:
        try:
            return parse_period(value, fy=_fy(info))[0]
        except DateError as exc:
            raise ValueError(
                f"{exc}; a period is a quarter (Q1 2023/24), a financial year (2022/23) "
                "or a calendar year (2022)"
            ) from None


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
    direction: Annotated[Direction | None, _word(DIRECTION_WORDS, "direction")] = None
    readings: list[ReadingIn] = Field(default_factory=list)

    @field_validator("baseline", "target", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        value = _blank_to_none(value)
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
    sara: Annotated[Sara | None, _word(SARA_WORDS, "SARA stage")] = None
    resources: OptText = None
    risks: OptText = None
    note: OptText = None

    @field_validator("due")
    @classmethod
    def _due(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            try:
                parse_date(value, fy=_fy(info))
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
    measures: list[MeasureIn] = Field(default_factory=list)
    actions: list[ActionIn] = Field(default_factory=list)


class GroupIn(PlanModel):
    """A sub-group: a standing action group or a task-and-finish group."""

    name: Name
    kind: Annotated[GroupKind, _word(GROUP_WORDS, "kind of group")] = GroupKind.STANDING
    purpose: OptText = None
    lead: Text200 = None
    priorities: list[str] = Field(default_factory=list)
    ends: OptDate = None
    actions: list[ActionIn] = Field(default_factory=list)


class MeetingIn(PlanModel):
    """A meeting of the Leadership Group (no ``group``) or of a sub-group."""

    date: Annotated[dt.date, BeforeValidator(_date)]
    time: dt.time | None = None
    group: Text200 = None
    title: Text200 = None
    location: Text200 = None

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        value = _blank_to_none(value)
        if isinstance(value, str):
            m = re.fullmatch(r"(\d{1,2})[:.](\d{2})\s*(am|pm)?", value.strip().lower())
            if not m:
                raise ValueError(f"{value!r} is not a time; write it as 10:00 or 14:30")
            hour = int(m[1]) % 12 + (12 if m[3] == "pm" else 0) if m[3] else int(m[1])
            if hour > 23 or int(m[2]) > 59:
                raise ValueError(f"{value!r} is not a time of day; write it as 10:00 or 14:30")
            return dt.time(hour, int(m[2]))
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


def slugify(text: str) -> str:
    """A short lower-case identifier made from a name."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:64].rstrip("-") or "partnership"


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a plan file, at a path, with what to write instead."""

    path: Path_
    message: str
    line: int | None = None

    def where(self) -> str:
        """``priorities[2].actions[0].due``."""
        return format_path(self.path)


def format_path(path: Path_) -> str:
    """Render a path the way the documentation writes it."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "(top level)"


class PlanError(Exception):
    """A plan file that cannot be imported; ``str()`` is the full report for a person."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        """One line per problem: file, line, path and how to fix it."""
        lines = [f"{self.source}: {plural(len(self.problems), 'problem')}; nothing was imported."]
        for p in self.problems:
            at = f"{self.source}:{p.line}" if p.line else self.source
            lines.append(f"  {at}: {p.where()}: {p.message}")
        return "\n".join(lines)


def _fields_of(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _model_at(path: Path_) -> type[BaseModel] | None:
    """The pydantic model that a path inside a plan file points into."""
    model: type[BaseModel] | None = PlanFile
    for part in path:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        model = _inner_model(field.annotation)
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel class inside ``list[X]`` / ``X | None`` annotations, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def problems_from(exc: ValidationError) -> list[Problem]:
    """Turn pydantic's errors into plain sentences that say what to write."""
    problems = []
    for err in exc.errors(include_url=False):
        path: Path_ = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(path[-1])
            allowed = _fields_of(_model_at(path[:-1]) or PlanFile)
            near = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            message = f"unknown field {key!r}; {hint}fields here: {', '.join(allowed)}"
        elif kind == "missing":
            message = f"{path[-1]!s} is required here"
        elif kind == "string_pattern_mismatch":
            message = _pattern_hint(str(path[-1]) if path else "", err.get("input"))
        elif kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
            message = f"{err.get('input')!r} is not a number; write digits such as 55.2"
        elif kind in ("list_type", "model_type", "dict_type", "model_attributes_type"):
            shape = "a list (lines starting with -)" if kind == "list_type" else "a mapping"
            message = f"this should be {shape}"
        elif kind == "string_too_short":
            message = "this must not be empty"
        elif kind == "string_too_long":
            message = f"too long: at most {err['ctx']['max_length']} characters"
        elif kind == "value_error":
            message = str(err["ctx"]["error"])
        else:
            message = err["msg"]
        problems.append(Problem(path, message))
    return problems


def _pattern_hint(field: str, value: Any) -> str:
    hints = {
        "slug": "lower-case letters, digits and dashes, such as safer-gloucester",
        "ref": "a short reference such as A-17 (letters, digits, dots, dashes)",
        "code": "a short code such as P1",
        "slack": "a Slack user id such as U0123ABCD (from their profile, 'Copy member ID')",
        "email": "an email address such as name@example.gov.uk",
        "team_id": "a Slack team id such as T0123ABCD",
        "nation": "ENG (England) or WLS (Wales)",
    }
    return f"{value!r} is not valid here; write {hints.get(field, 'a valid value')}"


# --------------------------------------------------------------------------- YAML


class _Located:
    """Plain Python data built from a YAML node tree, remembering each path's line."""

    def __init__(self) -> None:
        self.lines: dict[Path_, int] = {}
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(self.build(key_node, (*path, "<key>")))
                if key in out:
                    self.problems.append(
                        Problem(
                            (*path, key), "this key appears twice", key_node.start_mark.line + 1
                        )
                    )
                out[key] = self.build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.style is None and node.value in ("", "~", "null", "Null", "NULL"):
            return None
        return node.value

    def line_of(self, path: Path_) -> int | None:
        """The line of the deepest known path prefix."""
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                return self.lines[path[:n]]
        return None


def load_plan_text(text: str, source: str) -> PlanFile:
    """Parse and validate plan YAML; raise :class:`PlanError` naming every problem."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanError(
            source,
            [Problem((), f"not valid YAML ({problem}); check indentation and quotes", line)],
        ) from None
    if node is None:
        raise PlanError(source, [Problem((), "the file is empty; see docs/plan-format.md")])
    located = _Located()
    data = located.build(node, ())
    if not isinstance(data, dict):
        raise PlanError(
            source, [Problem((), "a plan file is a mapping with partnership:, priorities:, ...", 1)]
        )
    if located.problems:
        raise PlanError(source, located.problems)
    fy = UK_FY
    section = data.get("partnership")
    if isinstance(section, dict) and isinstance(section.get("financial_year_start"), str):
        with contextlib.suppress(DateError):  # reported by the model's validation below
            fy = parse_fy_start(section["financial_year_start"])
    try:
        plan = PlanFile.model_validate(data, context={"fy": fy})
    except ValidationError as exc:
        problems = [Problem(p.path, p.message, located.line_of(p.path)) for p in problems_from(exc)]
        raise PlanError(source, problems) from None
    problems = cross_check(plan)
    if problems:
        raise PlanError(
            source, [Problem(p.path, p.message, located.line_of(p.path)) for p in problems]
        )
    return plan


def load_plan_file(path: Path) -> PlanFile:
    """Read and validate a plan file from disk."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PlanError(
            str(path), [Problem((), "the file is not UTF-8 text; save it as UTF-8")]
        ) from None
    return load_plan_text(text, str(path))


def cross_check(plan: PlanFile) -> list[Problem]:
    """References between sections: unique keys, known priorities and groups."""
    problems: list[Problem] = []

    def unique(items: Iterable[tuple[Path_, str | None]], what: str) -> None:
        seen: dict[str, Path_] = {}
        for path, key in items:
            if key is None:
                continue
            folded = fold(key)
            if folded in seen:
                problems.append(
                    Problem(path, f"{what} {key!r} is already used at {format_path(seen[folded])}")
                )
            else:
                seen[folded] = path

    unique(((("priorities", i, "code"), p.code) for i, p in enumerate(plan.priorities)), "code")
    unique(((("groups", i, "name"), g.name) for i, g in enumerate(plan.groups)), "group")
    unique(((("people", i, "name"), p.name) for i, p in enumerate(plan.people)), "person")
    unique(((("people", i, "slack"), p.slack) for i, p in enumerate(plan.people)), "Slack id")
    unique(
        ((("organisations", i, "name"), o.name) for i, o in enumerate(plan.organisations)),
        "organisation",
    )
    unique((((*path, "ref"), a.ref) for path, a, _, _ in plan.all_actions()), "ref")
    unique((((*path, "name"), m.name) for path, m, _ in plan.all_measures()), "measure")

    codes = {fold(p.code) for p in plan.priorities}
    groups = {fold(g.name) for g in plan.groups}
    # A plan file without priorities may name ones the bot already holds (checked on sync).
    check_codes = bool(plan.priorities)
    check_groups = bool(plan.groups)

    def known_priority(path: Path_, code: str | None) -> None:
        if check_codes and code is not None and fold(code) not in codes:
            listed = ", ".join(p.code for p in plan.priorities)
            problems.append(
                Problem(path, f"no priority {code!r} in this plan; use one of: {listed}")
            )

    def known_group(path: Path_, name: str | None) -> None:
        if check_groups and name is not None and fold(name) not in groups:
            near = difflib.get_close_matches(name, [g.name for g in plan.groups], n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            problems.append(Problem(path, f"no group {name!r} in this plan{hint}"))

    for i, group in enumerate(plan.groups):
        for j, code in enumerate(group.priorities):
            known_priority(("groups", i, "priorities", j), code)
    for path, action, under_priority, under_group in plan.all_actions():
        if under_priority and action.priority and fold(action.priority) != fold(under_priority):
            problems.append(
                Problem(
                    (*path, "priority"),
                    f"this action sits under priority {under_priority}; "
                    "remove priority: or move the action",
                )
            )
        if under_group and action.group and fold(action.group) != fold(under_group):
            problems.append(
                Problem(
                    (*path, "group"),
                    f"this action sits under group {under_group!r}; remove group: or move it",
                )
            )
        known_priority((*path, "priority"), action.priority)
        known_group((*path, "group"), action.group)
    for j, measure in enumerate(plan.measures):
        known_priority(("measures", j, "priority"), measure.priority)
    for j, meeting in enumerate(plan.meetings):
        known_group(("meetings", j, "group"), meeting.group)
    return problems


__all__ = [
    "EXAMPLES",
    "ActionIn",
    "GroupIn",
    "MeasureIn",
    "MeetingIn",
    "OrganisationIn",
    "PartnershipIn",
    "PersonIn",
    "PlanError",
    "PlanFile",
    "PriorityIn",
    "Problem",
    "ReadingIn",
    "load_plan_file",
    "load_plan_text",
]
