"""What every /csp sub-command returns besides a reply; nothing here knows about Slack.

A command gets a :class:`~partnership.context.Context` and its arguments, and
returns a :class:`~partnership.context.Reply` (a template and its view-model) or
a :class:`Form` (a modal to open because arguments were missing). Bad input
raises :class:`~partnership.context.UserError`; the dispatcher turns it into a
private reply and rolls back, so nothing is written. The Slack edge
(``bot/slack/``) and the console render the same replies with the same templates.
:class:`Delivery` is what sending one of them to one person gave.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from partnership.context import Reply


@dataclass(frozen=True)
class Delivery:
    """What happened when a message was sent to one person or channel."""

    person: str
    ok: bool
    error: str | None = None
    # A failure worth trying again later (rate limit or Slack unreachable after
    # the client's own retries), as opposed to one that will fail again
    # (deactivated user, archived channel).
    transient: bool = False


@dataclass
class Form:
    """A modal to open because the command needs more than was typed.

    ``name`` picks the form (``action_update``, ``action_add``); ``values`` are
    the current values, pre-filled; ``options`` are choices for select inputs;
    ``meta`` travels with the modal and comes back on submission.
    """

    name: str
    title: str
    values: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)


Result = Reply | Form
