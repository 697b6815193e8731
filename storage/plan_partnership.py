"""The ``partnership:`` section of a plan file: the partnership, its Slack home, its settings.

:class:`PartnershipIn` is the partnership itself (name, slug, time zone,
financial year, nation, parent board, scheduling settings); :class:`SlackIn`
is where it lives in Slack (its team, channels by purpose, and the partner
workspaces admitted through Slack Connect). :mod:`storage.planfile` puts this
section at the top of a :class:`~storage.planfile.PlanFile`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, Field, field_validator

from storage import partnership_settings
from storage.dates import DateError, FinancialYear, parse_fy_start
from storage.plan_fields import Name, OptText, PlanModel, Text64, Text200, Text300
from storage.words import slugify


class AdmittedIn(PlanModel):
    """A partner's Slack workspace whose members are recognised here (Slack Connect)."""

    team_id: str = Field(pattern=r"^T[A-Z0-9]{2,30}$")
    name: Text200 = None


def _admitted_item(value: Any) -> Any:
    """A bare team id is short for ``{team_id: T...}``."""
    return {"team_id": value} if isinstance(value, str) else value


class SlackIn(PlanModel):
    """Where the partnership lives in Slack."""

    team_id: OptText = Field(default=None, pattern=r"^[TE][A-Z0-9]{2,30}$")
    channels: dict[str, str] = Field(default_factory=dict)
    # Partner workspaces admitted through Slack Connect; None leaves the bot's list as it is.
    admitted: list[Annotated[AdmittedIn, BeforeValidator(_admitted_item)]] | None = None

    @field_validator("admitted")
    @classmethod
    def _admitted(cls, value: list[AdmittedIn] | None) -> list[AdmittedIn] | None:
        if value is not None:
            teams = [a.team_id for a in value]
            if len(set(teams)) != len(teams):
                raise ValueError("a workspace is admitted twice")
        return value

    @field_validator("channels")
    @classmethod
    def _channel_ids(cls, value: dict[str, str]) -> dict[str, str]:
        for purpose, channel in value.items():
            if not re.fullmatch(r"[CG][A-Z0-9]{2,30}", channel):
                raise ValueError(
                    f"channel {purpose!r}: {channel!r} is not a Slack channel id; "
                    "copy the id (it starts with C) from the channel's details"
                )
        return value


class PartnershipIn(PlanModel):
    """The partnership itself."""

    name: Name
    slug: OptText = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    short_name: Text64 = None
    timezone: str = "Europe/London"
    financial_year_start: str = "1 April"
    nation: str = Field(default="ENG", pattern=r"^(ENG|WLS)$")
    parent: OptText = None
    plan_title: Text300 = None
    plan_period: Text64 = None
    vision: OptText = None
    leadership_group: Text200 = None
    meeting_cadence: Text200 = None
    meetings_per_year: int | None = Field(default=None, ge=1, le=52)
    slack: SlackIn | None = None
    # Scheduling settings by name (storage/partnership_settings.py); only those given change.
    settings: dict[str, Any] | None = None

    @field_validator("settings")
    @classmethod
    def _settings(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            partnership_settings.change(partnership_settings.PartnershipSettings(), value)
        except partnership_settings.SettingError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone; write Europe/London") from None
        return value

    @field_validator("financial_year_start")
    @classmethod
    def _fy_start(cls, value: str) -> str:
        try:
            parse_fy_start(value)
        except DateError as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def fy(self) -> FinancialYear:
        """The financial year as a value."""
        return parse_fy_start(self.financial_year_start)

    @property
    def resolved_slug(self) -> str:
        """The slug given, or one made from the name."""
        return self.slug or slugify(self.short_name or self.name)
