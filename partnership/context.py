"""What the partnership's rules take and give back; nothing here knows about Slack.

Every rule runs in a :class:`Context` (who is asking, in which partnership,
when, through what). Bad input raises :class:`UserError`, whose message says
what to type instead; :class:`Refused` says who may. A read model answers with
a :class:`Reply`: a template name and its view-model, rendered by whichever edge
asked (Slack, the console, the scheduler).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol
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
class Found:
    """What looking a person up in Slack by email gave: their user id, or why not."""

    user_id: str | None
    # Why there is no id, as a sentence for the reply ("no one in this Slack
    # workspace has that address", "Slack could not be reached").
    problem: str = ""


class Directory(Protocol):
    """Finds a Slack account by email address (``users.lookupByEmail`` in Slack)."""

    def user_by_email(self, partnership: Partnership, email: str) -> Found:
        """The Slack user with this address in ``partnership``'s workspace; never raises."""
        ...


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
    # Where a person can be looked up by email; None where there is no Slack (CLI, tests).
    directory: Directory | None = None

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


# A reply's ``data`` key for short lines added under any template's own blocks.
NOTICES = "notices"


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
