"""From typed text (or a modal's or button's values) to a command's result.

The Slack edge and the console both call :func:`dispatch_text` or
:func:`dispatch_args` and then render the result; neither knows how a command
reads its arguments. An :class:`Outcome` that is not ``ok`` means the caller
must roll back: bad input writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from commands.framework.args import UnknownKey, parse, refuse_keys
from commands.framework.core import Result
from commands.framework.registry import Args, Command, find, registry
from partnership.context import Context, Refused, Reply, UserError
from partnership.edits import is_date
from partnership.lookup import is_group, match_person, people
from partnership.messages import framework as say
from partnership.perms import require_coordinator
from storage.models import Person

# Slack caps a slash command's text at 4,000 characters; anything longer did
# not come from Slack and is refused before any parsing work.
MAX_COMMAND = 4000
# A line given back in a refusal is cut into pieces this long, each one code block
# inside one section (Block Kit allows 3,000 characters a section).
TYPED_PIECE = 2800


@dataclass
class Outcome:
    """A command's result, whether it succeeded, and which command ran."""

    result: Result
    ok: bool
    command: Command | None = None
    error: UserError | None = None
    # The partnership it ran in (set by the runner), so buttons and forms can say.
    partnership: str | None = None


def error_reply(error: UserError, cmd: Command | None = None, typed: str = "") -> Reply:
    """The private reply for bad input: what was wrong, how to type it, and what was typed."""
    if isinstance(error, Refused):
        cmd = None  # a refusal is not a typing mistake: no usage line
    pieces = [typed[i : i + TYPED_PIECE] for i in range(0, len(typed), TYPED_PIECE)]
    return Reply(
        "error",
        {
            "message": error.message,
            "line": cmd.line if cmd is not None else "",
            "example": cmd.examples[0] if cmd is not None and cmd.examples else "",
            "typed": pieces,
            "typed_back": say.TYPED_BACK,
        },
        text=error.message,
    )


def split_words(text: str, count: int) -> str:
    """``text`` with its first ``count`` words removed."""
    if not count:
        return text.strip()
    return re.sub(r"^\s*(?:\S+\s*){" + str(count) + "}", "", text, count=1)


def without_nul(text: str) -> str:
    """Text with NUL characters removed."""
    # A NUL means nothing to a person, and PostgreSQL refuses to store one (SQLite
    # would keep it): both backends must see the same text.
    return text.replace("\x00", "")


def dispatch_text(ctx: Context, text: str) -> Outcome:
    """Run what was typed after ``/csp``."""
    cmd: Command | None = None
    text = without_nul(text)
    try:
        if len(text) > MAX_COMMAND:
            raise UserError(say.too_long(length=len(text), limit=MAX_COMMAND))
        cmd, used = find(text.split()[:2])
        if cmd.coordinator_only:
            require_coordinator(ctx, f"use `/csp {cmd.name}`")

        everyone: list[Person] = []

        def probe(kind: str, value: str) -> bool:
            if kind == "date":
                return is_date(ctx, value)
            if kind == "group":
                return is_group(ctx, value)
            if not everyone:  # one query per command, however many words are tried
                everyone.extend(people(ctx))
            return match_person(everyone, value) is not None

        args = parse(cmd, split_words(text, used), probe)
        result = cmd.run(ctx, args)
        if args.kept:
            # A command that reads `word:value` itself (free_keys) took what it knew
            # out of `kept`; the rest is refused, and the caller rolls back its writes.
            refuse_keys(cmd, [(k, "") for k in args.kept])
        return Outcome(result, True, cmd)
    except UnknownKey as exc:
        # Given back as typed, so a long note is not lost to a mistyped key.
        return Outcome(error_reply(exc, cmd, f"/csp {text.strip()}"), False, cmd, exc)
    except UserError as exc:
        return Outcome(error_reply(exc, cmd), False, cmd, exc)


def dispatch_args(ctx: Context, name: str, args: Args) -> Outcome:
    """Run a command by name with values from a modal or a button."""
    cmd = registry()[name]
    args = Args({k: without_nul(v) for k, v in args.values.items()}, set(args.flags))
    try:
        if cmd.coordinator_only:
            require_coordinator(ctx, f"use `/csp {cmd.name}`")
        return Outcome(cmd.run(ctx, args), True, cmd)
    except UserError as exc:
        return Outcome(error_reply(exc, cmd), False, cmd, exc)


def dispatch_button(ctx: Context, name: str, value: str) -> Outcome:
    """Run a command by name with the arguments a button's value carries."""
    button = registry()[name].button
    if button is None:
        raise ValueError(f"/csp {name} takes no button value")
    return dispatch_args(ctx, name, button(value))
