"""What every /csp sub-command takes and returns; nothing here knows about Slack.

A command gets a :class:`Context` (who is asking, in which partnership, when,
through what) and a dict of arguments, and returns a :class:`Reply` (a template
and its view-model) or a :class:`Form` (a modal to open because arguments were
missing). Bad input raises :class:`UserError`, whose message says what to type
instead; the dispatcher turns it into a private reply and rolls back, so
nothing is written. The Slack edge (``bot/``) and the console render the same
replies with the same templates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from storage import partnership_settings
from storage.dates import FinancialYear
from storage.models import Partnership, Person, Role, Source
from storage.partnership_settings import PartnershipSettings
from storage.workdays import WorkingCalendar

# Longest free text a command accepts in one field. Slack allows 4,000
# characters in a slash command; a section block shows 3,000, and a note that
# long is a paste accident, not an update.
MAX_TEXT = 2000
MAX_TITLE = 300


class UserError(Exception):
    """Input the person can fix. ``message`` says what to type instead.

    ``fields`` maps argument names to per-field messages, so a modal can show
    each message on its own input (Slack's ``response_action: errors``).
    """

    def __init__(self, message: str, *, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, str] = dict(fields or {})


class Refused(UserError):  # noqa: N818 (reads as the outcome it is)
    """The person may not do this; the message says who can."""


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
class Context:
    """Who is asking, in which partnership, when and through what."""

    session: Session
    partnership: Partnership
    person: Person | None
    now: dt.datetime  # aware, any zone
    source: Source
    # The console's own operator (no Person row) acts with coordinator rights,
    # like the CLI's import; no Slack request can ever set this.
    operator: bool = False
    channel_id: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        """The partnership's time zone."""
        return ZoneInfo(self.partnership.timezone or "Europe/London")

    @property
    def today(self) -> dt.date:
        """Today's date where the partnership is."""
        return self.now.astimezone(self.zone).date()

    @property
    def fy(self) -> FinancialYear:
        """The partnership's financial year."""
        return FinancialYear(self.partnership.fy_start_month, self.partnership.fy_start_day)

    @cached_property
    def settings(self) -> PartnershipSettings:
        """The partnership's scheduling settings (deadlines, lead times, quiet hours)."""
        return partnership_settings.of(self.partnership)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        """The partnership's working days and sending hours."""
        return partnership_settings.calendar(self.partnership, self.settings)

    @property
    def is_coordinator(self) -> bool:
        """Coordinator rights: a coordinator in this partnership, or the console operator."""
        return self.operator or (self.person is not None and self.person.role == Role.COORDINATOR)

    @property
    def who(self) -> str:
        """The asker's name as shown in replies."""
        return self.person.name if self.person is not None else "the console operator"


@dataclass
class Reply:
    """A template (under ``templates/``) and its view-model.

    ``public`` replies are posted in the channel; all others go only to the
    person who asked. ``continuation`` replies follow on (a long list paged).
    """

    template: str
    data: dict[str, Any] = field(default_factory=dict)
    public: bool = False
    # A short plain-text line for notifications and the console's summary.
    text: str = ""


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
