"""What is wrong in a plan file, said plainly and placed on its line.

A :class:`Problem` is one thing wrong at a path (``priorities[2].actions[0].due``)
with what to write instead; :class:`PlanError` is the report of all of them.
Pydantic's errors become such sentences (:func:`problems_from`), references
between sections are checked (:func:`cross_check`), and :class:`Located` keeps
the YAML line of every path so each problem names its line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ValidationError

from storage.plan_fields import Path_
from storage.words import fold, plural

if TYPE_CHECKING:
    from storage.plan_model import MeasureIn, PlanFile


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


def _model_at(root: type[BaseModel], path: Path_) -> type[BaseModel] | None:
    """The pydantic model that a path inside ``root`` points into."""
    model: type[BaseModel] | None = root
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


def problems_from(exc: ValidationError, root: type[BaseModel]) -> list[Problem]:
    """Turn pydantic's errors into plain sentences that say what to write.

    ``root`` is the model the error paths start from (a whole plan file).
    """
    problems = []
    for err in exc.errors(include_url=False):
        path: Path_ = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(path[-1])
            allowed = _fields_of(_model_at(root, path[:-1]) or root)
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


class Located:
    """Plain Python data built from a YAML node tree, remembering each path's line."""

    def __init__(self) -> None:
        self.lines: dict[Path_, int] = {}
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: Path_) -> Any:
        """Plain data for ``node`` at ``path``; a key given twice is recorded as a problem."""
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


# --------------------------------------------------------------------------- references


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
    for path, measure, _ in plan.all_measures():
        problems += _part_problems(path, measure)
    for j, meeting in enumerate(plan.meetings):
        known_group(("meetings", j, "group"), meeting.group)
    return problems


def _part_problems(path: Path_, measure: MeasureIn) -> list[Problem]:
    """A measure's parts are named once, and each reading names one of them (or none, if none)."""
    problems: list[Problem] = []
    names: dict[str, int] = {}
    for k, part in enumerate(measure.parts):
        if fold(part.name) in names:
            problems.append(
                Problem((*path, "parts", k, "name"), f"part {part.name!r} is named twice")
            )
        names.setdefault(fold(part.name), k)
    listed = ", ".join(p.name for p in measure.parts)
    for k, reading in enumerate(measure.readings):
        where = (*path, "readings", k, "part")
        if names and reading.part is None:
            problems.append(Problem(where, f"this measure is read in parts; name one: {listed}"))
        elif reading.part is not None and not names:
            problems.append(
                Problem(where, "this measure has no parts; list them under parts: first")
            )
        elif reading.part is not None and fold(reading.part) not in names:
            problems.append(Problem(where, f"no part {reading.part!r}; the parts are: {listed}"))
    return problems
