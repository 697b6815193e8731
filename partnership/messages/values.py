"""What reading a typed value says: free text, RAG ratings, statuses and dates."""

from __future__ import annotations

DATE_HINT = "a date such as 31/03/2027, 31 March 2027, today, +2w or end of quarter"


def empty(*, field: str) -> str:
    """A required text left empty."""
    return f"The {field} can't be empty."


def text_too_long(*, field: str, length: int, limit: int) -> str:
    """A text over its limit."""
    return (
        f"The {field} is {length:,} characters long; keep it under {limit:,} "
        "(put long reports in the quarterly return or a linked document)."
    )


def keep_under(*, limit: int) -> str:
    """A form field's note for a text over its limit."""
    return f"Keep it under {limit:,} characters"


def not_a_rag(*, value: str) -> str:
    """A word that is not red, amber or green."""
    return f"`{value[:30]}` is not a RAG rating; use `rag:red`, `rag:amber` or `rag:green`."


def not_a_status(*, value: str) -> str:
    """A word that is not an action status."""
    return (
        f"`{value[:30]}` is not a status; use `status:not_started`, `status:in_progress`, "
        "`status:complete` or `status:dropped`."
    )


def not_a_sara(*, value: str) -> str:
    """A word that is not a SARA stage."""
    return (
        f"`{value[:30]}` is not a SARA stage; use `sara:scanning`, `sara:analysis`, "
        "`sara:response` or `sara:assessment` (or `sara:none` for work that is not "
        "problem-solving)."
    )


def not_a_date_hinted(*, value: str, hint: str) -> str:
    """A date that reads wrongly, with a guess at what was meant."""
    return (
        f"`{value[:40]}` is not a date I can read: {hint} Dates are day first: "
        f"03/04/2027 is 3 April. Or write {DATE_HINT}."
    )


def not_a_date(*, value: str) -> str:
    """A date that does not read."""
    return (
        f"`{value[:40]}` is not a date I can read; write {DATE_HINT}. "
        "Dates are day first: 03/04/2027 is 3 April."
    )
