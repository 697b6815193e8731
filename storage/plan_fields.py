"""The field types of the plan format: blank cells, bounded text, strict dates, people's words.

:mod:`storage.planfile` builds its models from these. Every text field is
bounded by the database column that will hold it; a blank value is "not
stated"; a date goes through the UK-aware parser with the financial year in
force; an enumeration takes the words people write for it (:mod:`storage.words`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

from storage.dates import UK_FY, DateError, FinancialYear, parse_date
from storage.models import Rag, Status
from storage.words import RAG_WORDS, STATUS_WORDS, fold

# Where in a plan file something sits: keys and list indexes from the top.
Path_ = tuple[str | int, ...]


def word_choice(table: dict[str, Any], what: str) -> BeforeValidator:
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


def blank_to_none(value: Any) -> Any:
    """Treat empty strings as absent."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def fy_in_force(info: ValidationInfo) -> FinancialYear:
    """The financial year in force while validating (from the partnership section)."""
    context = info.context or {}
    fy = context.get("fy")
    return fy if isinstance(fy, FinancialYear) else UK_FY


def strict_date(value: Any, info: ValidationInfo) -> dt.date | None:
    """A strict date field: UK forms, ISO, months and financial quarters."""
    value = blank_to_none(value)
    if value is None:
        return None
    try:
        return parse_date(value, fy=fy_in_force(info))
    except DateError as exc:
        raise ValueError(str(exc)) from None


OptText = Annotated[str | None, BeforeValidator(blank_to_none), Field(max_length=10_000)]


# Optional text no longer than the database column that will hold it.
Text32 = Annotated[str | None, BeforeValidator(blank_to_none), Field(max_length=32)]
Text64 = Annotated[str | None, BeforeValidator(blank_to_none), Field(max_length=64)]
Text200 = Annotated[str | None, BeforeValidator(blank_to_none), Field(max_length=200)]
Text300 = Annotated[str | None, BeforeValidator(blank_to_none), Field(max_length=300)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
OptDate = Annotated[dt.date | None, BeforeValidator(strict_date)]
StatusField = Annotated[Status | None, word_choice(STATUS_WORDS, "status")]
RagField = Annotated[Rag | None, word_choice(RAG_WORDS, "RAG rating")]


class PlanModel(BaseModel):
    """Base: unknown keys are errors (a typo must not be silently dropped)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)
