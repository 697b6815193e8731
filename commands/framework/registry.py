"""The sub-command registry: adding a sub-command is one new file in ``commands/``
plus one line in ``commands/__init__.py``.

A module registers its function with :func:`command`. ``commands/__init__.py``
imports every sub-command module by name, and Python runs it before any module
under ``commands`` (this one included), so the registry is complete whenever it
can be read. ``/csp help`` is built from what is registered (each function's
docstring is its help text).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from commands.framework.core import Result
from partnership.context import Context, UserError
from partnership.messages import framework as say
from storage.words import nearest

Runner = Callable[[Context, "Args"], Result]


@dataclass
class Args:
    """A command's arguments, from typed text, a modal or a button: names to text."""

    values: dict[str, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    # ``word:`` typed that is no key of a ``free_keys`` command, kept in its free text
    # as typed; the command removes those it read, and the dispatcher refuses the rest.
    kept: list[str] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        """The value of an argument, or None when it was not given (or blank)."""
        value = self.values.get(name)
        return value if value is not None and value.strip() else None

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None


@dataclass(frozen=True)
class Command:
    """One sub-command: how it is typed, who may run it, and its function."""

    name: str
    run: Runner
    usage: str
    examples: tuple[str, ...]
    summary: str
    details: str
    positional: tuple[str, ...] = ()
    rest: str | None = None
    keys: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()
    flags: tuple[str, ...] = ()
    mention: str | None = None
    date_keys: tuple[str, ...] = ()
    person_keys: tuple[str, ...] = ()
    slow: bool = False
    coordinator_only: bool = False
    # Every other ``word:value`` is the command's own to read from its free text (a
    # measure's parts: ``male:78.1``); what it does not read is refused after it runs.
    free_keys: bool = False
    # The arguments a button's value carries, for commands a button runs by value.
    button: Callable[[str], Args] | None = None

    @property
    def topic(self) -> str:
        """The first word (``action`` for ``action update``), for grouping help."""
        return self.name.split()[0]

    @property
    def line(self) -> str:
        """The usage line as typed in Slack."""
        return f"/csp {self.name} {self.usage}".rstrip()

    def key_for(self, word: str) -> str | None:
        """The argument a typed key names (``by`` -> ``due``), or None."""
        word = word.lower().replace("-", "_")
        if word in self.keys:
            return word
        return dict(self.aliases).get(word)


# Words a lead naturally writes before a note: each is the ``note:`` key.
NOTE_KEYS = {word: "note" for word in ("notes", "comment", "comments", "progress", "update")}

_REGISTRY: dict[str, Command] = {}


def command(
    name: str,
    *,
    usage: str = "",
    examples: tuple[str, ...] = (),
    positional: tuple[str, ...] = (),
    rest: str | None = None,
    keys: tuple[str, ...] = (),
    aliases: dict[str, str] | None = None,
    flags: tuple[str, ...] = (),
    mention: str | None = None,
    date_keys: tuple[str, ...] = (),
    person_keys: tuple[str, ...] = (),
    slow: bool = False,
    coordinator_only: bool = False,
    button: Callable[[str], Args] | None = None,
    free_keys: bool = False,
) -> Callable[[Runner], Runner]:
    """Register a sub-command; its docstring's first line is its summary in help."""

    def register(func: Runner) -> Runner:
        doc = inspect.getdoc(func) or ""
        summary, _, details = doc.partition("\n")
        _REGISTRY[name] = Command(
            name=name,
            run=func,
            usage=usage,
            examples=examples,
            summary=summary.strip(),
            details=details.strip(),
            positional=positional,
            rest=rest,
            keys=keys,
            aliases=tuple(sorted((aliases or {}).items())),
            flags=flags,
            mention=mention,
            date_keys=date_keys,
            person_keys=person_keys,
            slow=slow,
            coordinator_only=coordinator_only,
            button=button,
            free_keys=free_keys,
        )
        return func

    return register


def registry() -> dict[str, Command]:
    """Every registered sub-command by name."""
    return dict(sorted(_REGISTRY.items()))


def find(words: list[str]) -> tuple[Command, int]:
    """The command named by the leading words, and how many words named it.

    Raises UserError with the nearest names when nothing matches.
    """
    commands = registry()
    lowered = [w.lower() for w in words]
    for length in (2, 1):
        name = " ".join(lowered[:length])
        if len(lowered) >= length and name in commands:
            return commands[name], length
    if not lowered:
        return commands["help"], 0
    topic = lowered[0]
    in_topic = [c for c in commands.values() if c.topic == topic]
    if in_topic:
        typed = " ".join(lowered[:2])
        near = nearest(typed, [c.name for c in in_topic], cutoff=0.6)
        names = ", ".join(f"`{c.name}`" for c in in_topic)
        raise UserError(
            say.not_a_command_in_topic(
                typed=typed, hint=say.did_you_mean(near=near), topic=topic, names=names
            )
        )
    typed = " ".join(lowered[:2])
    candidates = [c.name for c in commands.values()] + sorted({c.topic for c in commands.values()})
    near = nearest(typed, candidates, cutoff=0.5) or nearest(topic, candidates, cutoff=0.5)
    raise UserError(say.not_a_command(typed=words[0], hint=say.did_you_mean(near=near)))


def is_slow(text: str) -> bool:
    """Whether the command ``text`` names runs after the ack (``/csp chase``); False if none."""
    try:
        cmd, _ = find(text.split()[:2])
    except UserError:
        return False
    return cmd.slow


def describe(cmd: Command) -> dict[str, Any]:
    """A command as a plain view-model for the help templates."""
    return {
        "name": cmd.name,
        "line": cmd.line,
        "summary": cmd.summary,
        "details": cmd.details,
        "examples": list(cmd.examples),
        "coordinator_only": cmd.coordinator_only,
    }
