"""What recording a measure's reading says."""

from __future__ import annotations

WHICH_MEASURE = "Which measure? Give its reference (`M-1`) or its name in quotes"
WHAT_VALUE = "What value? Type the number after the measure"


def required(*, what: str, example: str) -> str:
    """A measure or value left out; ``what`` is :data:`WHICH_MEASURE` or :data:`WHAT_VALUE`."""
    return f"{what}, e.g. `{example}`."


def may_not_record(*, coordinator: str, partnership: str) -> str:
    """The refusal to record a reading."""
    return (
        f"Sorry, only {coordinator}, a chair or a lead can record measure readings in "
        f"{partnership}. Ask one of them to record it; you can see the measures "
        "with `/csp priority status`."
    )


QUOTE_THE_NAME = (
    ' A measure\'s name with spaces goes in quotes: `/csp measure record "ASB incidents" 36`.'
)


def not_a_number(*, text: str, example: str, quote: str) -> str:
    """A reading that is not a number; ``quote`` is :data:`QUOTE_THE_NAME` or nothing."""
    return (
        f"`{text[:30]}` is not a number. Type the value as a number, such as `38`, "
        f"`1,234` or `12.5%`, e.g. `{example}`.{quote}"
    )


def not_a_period(*, text: str) -> str:
    """A period that does not read."""
    return (
        f"`{text[:40]}` is not a period I can read. Write a quarter such as "
        '`period:"Q2 2026/27"`, a financial year (`period:2025/26`) or a year '
        "(`period:2025`)."
    )


def not_finished(*, label: str, end: str, last: str) -> str:
    """A period that has not ended."""
    return (
        f"{label} has not finished yet (it ends {end}), so it has no reading to "
        f'record. Record a finished period, such as `period:"{last}"`.'
    )


def not_over_field(*, label: str) -> str:
    """The form field's note for :func:`not_finished`."""
    return f"{label} is not over yet"


def not_yes_or_no(*, text: str) -> str:
    """A ``replace:`` that is neither yes nor no."""
    return (
        f"`replace:{text[:20]}` is not yes or no; write `replace:yes` to replace the "
        "reading already recorded for that period."
    )


def by(*, name: str | None, when: str) -> str:
    """`` recorded by X on dd/mm/yyyy``, as far as it is known."""
    return (f" recorded by {name}" if name else "") + (f" on {when}" if when else "")


def replaces(*, shown: str, by: str) -> str:
    """The note kept on a replaced reading."""
    return f"Replaces {shown}{by}."


def replaces_note(*, note: str | None, was: str) -> str:
    """A replaced reading's note: the note typed, then what it replaced."""
    return f"{note} ({was})" if note else was


def already(*, measure: str, shown: str, period: str, by: str, ref: str, typed: str) -> str:
    """A reading recorded already for the period, and how to replace it."""
    return (
        f"{measure} already has {shown} for {period}"
        f"{by}. Nothing was changed. To replace it, add `replace:yes`: "
        f'`/csp measure record {ref} {typed} period:"{period}" replace:yes`.'
    )


def recorded(*, measure: str, shown: str, label: str) -> str:
    """The fallback text of ``measure record``'s reply."""
    return f"{measure}: {shown} recorded for {label}"
