"""Sentences about measures: how one is judged against its path, and recording readings.

See the package docstring for the convention. Numbers and dates arrive already
formatted (``81.5 per 1,000 population``, ``31/12/2024``).
"""

from __future__ import annotations

# How a reading stands against the straight path from baseline to target.
ON_THE_PATH = "on the path to target"
WORSE_THAN_BASELINE = "worse than the baseline"
TARGET_MET = "target met"
NO_READING = "no reading yet"
NOTHING_TO_JUDGE_BY = "no baseline, target or direction to judge it by"
NO_BASELINE = "no baseline to measure progress from"
BETTER_THAN_BASELINE = "better than the baseline"
SAME_AS_BASELINE = "no change from the baseline"
TARGET_DATE_PASSED = "target date passed, target not met"

# Why a measure is judged against its baseline alone, not against the path.
NO_TARGET_DATE = "no target date, so judged against the baseline"
NO_TARGET = "no numeric target, so judged against the baseline"
NO_BASELINE_PERIOD = "no baseline period to start the path from, so judged against the baseline"
TARGET_DATE_NOT_AFTER_BASELINE = (
    "the target date is not after the baseline period, so judged against the baseline"
)


def behind_path(*, expected: str, slightly: bool) -> str:
    """A reading behind the path: ``behind the path to target, expected 74.9 by now``."""
    return f"{'slightly ' if slightly else ''}behind the path to target, expected {expected} by now"


def expected_by_now(*, expected: str, target: str, target_date: str) -> str:
    """What the path expects at the reading's date: ``expected 74.6 by now on the path to …``."""
    return f"expected {expected} by now on the path to {target} by {target_date}"


def unreadable_baseline_period(*, period: str) -> str:
    """The baseline's period is free text no path can start from."""
    return (
        f"the baseline period {period!r} is not a month, quarter or year I can read, "
        "so judged against the baseline"
    )


def parts_summary(*, parts: list[tuple[str, str]]) -> str:
    """Each part's state, worst first: ``female: off track; male: on track``."""
    return "; ".join(f"{name}: {state}" for name, state in parts)


def part_example(*, ref: str, parts: list[str]) -> str:
    """``/csp measure record M-4 male:78.1 female:82.5`` for a measure's own parts."""
    sample = list(zip(parts, _SAMPLE, strict=False))
    if any(" " in p for p in parts):  # a name with spaces reads as "Forest of Dean 41, …"
        return f"/csp measure record {ref} " + ", ".join(f"{p} {n}" for p, n in sample)
    return f"/csp measure record {ref} " + " ".join(f"{p}:{n}" for p, n in sample)


_SAMPLE = ("78.1", "82.5", "41", "36", "12", "9", "27", "18")


def in_parts_give_each(*, ref: str, parts: list[str]) -> str:
    """A measure read in parts was given one number."""
    return (
        f"{ref} is read in parts ({', '.join(parts)}): give a value for each part you are "
        f"recording, e.g. `{part_example(ref=ref, parts=parts)}`. Nothing was recorded."
    )


def not_a_part(*, ref: str, typed: str, parts: list[str], near: str | None) -> str:
    """A part the measure does not have."""
    hint = f" Did you mean `{near}`?" if near else ""
    return (
        f"`{typed}` is not a part of {ref}.{hint} Its parts are {', '.join(parts)}, e.g. "
        f"`{part_example(ref=ref, parts=parts)}`. Nothing was recorded."
    )


def part_needs_number(*, ref: str, part: str, typed: str, parts: list[str]) -> str:
    """A part named with no number (or not a number) after it."""
    shown = f"`{typed}` is not a number" if typed else "it has no value"
    return (
        f"{part} of {ref} needs a number after it; {shown}. "
        f"Type it as `{part_example(ref=ref, parts=parts)}`. Nothing was recorded."
    )


def part_twice(*, ref: str, part: str) -> str:
    """A part given two values in one line."""
    return f"{part} of {ref} is given twice; give each part once. Nothing was recorded."


def no_parts(*, ref: str, typed: str) -> str:
    """Parts given for a measure read as one number."""
    return (
        f"{ref} is read as one number, not in parts, so `{typed}` cannot be recorded. "
        f"Type one value, e.g. `/csp measure record {ref} 36`; a measure's parts are listed "
        "under `parts:` in the plan file. Nothing was recorded."
    )


def parts_already(*, ref: str, period: str, held: list[str]) -> str:
    """Some of the parts already have a reading for the period."""
    return (
        f"{ref} already has {', '.join(held)} for {period}. Nothing was changed. To replace "
        "them, add `replace:yes`."
    )


def misspelt_key(*, typed: str, near: str) -> str:
    """A ``word:`` that is neither a part nor a key, but spelt like a key."""
    return (
        f"`{typed}:` is not something `/csp measure record` understands. Did you mean "
        f"`{near}:`? Its keys are `period:`, `replace:` and `note:`; a measure read in parts "
        "also takes its parts' names. Nothing was recorded."
    )


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
        '`period:"Q2 2026/27"`, a month (`period:"Jan 2027"`), a financial year '
        "(`period:2025/26`) or a year (`period:2025`)."
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


def recorded_when(*, name: str | None, when: str) -> str:
    """``recorded by X on dd/mm/yyyy`` (or ``recorded on dd/mm/yyyy``), as far as it is known."""
    if name:
        return by(name=name, when=when).strip()
    return f"recorded on {when}" if when else ""


# Who replaced a reading when no person did, by where the change came from.
REPLACED_BY_NOBODY = {
    "import": "a plan file",
    "console": "the console operator",
    "command": "the console operator",
    "modal": "someone since removed",
    "button": "someone since removed",
    "scheduler": "the bot",
}


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


def measure_shown(*, measure: str, count: int) -> str:
    """The fallback text of ``measure show``'s reply."""
    return f"{measure}: {count} reading{'' if count == 1 else 's'}"
