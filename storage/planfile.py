"""The YAML plan format: pydantic models, a line-aware loader and readable errors.

The format is documented in ``docs/plan-format.md``; its models are in
:mod:`storage.plan_model` (re-exported here, the plan format's public face), and
what can be wrong in a file, placed on its line, in :mod:`storage.plan_problems`.
Spreadsheet imports produce the same :class:`PlanFile` (with no ``partnership``
section), so both paths share validation and syncing.

YAML scalars are all read as strings and converted by pydantic: this sidesteps
YAML 1.1's surprises (``10:00`` read as 600, ``no`` read as False, ``2027-03-31``
read as a date object) and lets every date go through one UK-aware parser.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import yaml
from pydantic import (
    ValidationError,
)

from storage.dates import (
    EXAMPLES,
    UK_FY,
    DateError,
    parse_fy_start,
)
from storage.plan_model import (
    ActionIn,
    GroupIn,
    MeasureIn,
    MeetingIn,
    OrganisationIn,
    PersonIn,
    PlanFile,
    PriorityIn,
    ReadingIn,
)
from storage.plan_partnership import AdmittedIn, PartnershipIn, SlackIn
from storage.plan_problems import Located, PlanError, Problem, cross_check, problems_from


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
    located = Located()
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
        problems = [
            Problem(p.path, p.message, located.line_of(p.path))
            for p in problems_from(exc, PlanFile)
        ]
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


__all__ = [
    "EXAMPLES",
    "ActionIn",
    "AdmittedIn",
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
    "SlackIn",
    "load_plan_file",
    "load_plan_text",
]
