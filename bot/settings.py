"""Configuration, read once from the environment into one pydantic-settings object.

Tests build their own :class:`Settings` instead of patching the environment.
"""

from __future__ import annotations

import re

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import DEFAULT_DATABASE_URL, normalise_url


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    """Every setting the bot reads, with its environment variable name."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: str = Field(default=DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    slack_bot_token: str | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    # OAuth mode (many workspaces): on with a client id and secret and no bot token.
    slack_client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: str | None = Field(
        default=None, validation_alias="SLACK_CLIENT_SECRET", repr=False
    )
    # Who may set up a partnership from Slack besides installers and admins:
    # Slack user ids, comma-separated (docs/setup.md).
    csp_setup_users: str = Field(default="", validation_alias="CSP_SETUP_USERS")

    @property
    def setup_users(self) -> frozenset[str]:
        """The Slack user ids CSP_SETUP_USERS names."""
        return frozenset(u.strip() for u in self.csp_setup_users.split(",") if u.strip())

    @property
    def oauth_mode(self) -> bool:
        """True when the bot is installed per workspace through Slack's OAuth flow."""
        return bool(self.slack_client_id and self.slack_client_secret and not self.slack_bot_token)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        value = normalise_url(value)
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError("must start with sqlite:/// or postgres:// (or postgresql://)")
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xoxb-"):
            raise ValueError("a bot token starts with xoxb- (OAuth & Permissions page)")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xapp-"):
            raise ValueError("an app-level token starts with xapp- (Basic Information page)")
        return value

    @field_validator("csp_setup_users")
    @classmethod
    def _setup_users(cls, value: str) -> str:
        for user in (u.strip() for u in value.split(",")):
            if user and not re.fullmatch(r"[UW][A-Z0-9]{2,30}", user):
                raise ValueError(
                    f"{user[:40]!r} is not a Slack user id; copy it from the person's "
                    "profile (⋮ → Copy member ID, it starts with U)"
                )
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"


def load_settings(**overrides: str) -> Settings:
    """Read settings from the environment (and overrides), or raise SettingsError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        names = {
            "database_url": "DATABASE_URL",
            "slack_bot_token": "SLACK_BOT_TOKEN",
            "slack_signing_secret": "SLACK_SIGNING_SECRET",
            "slack_app_token": "SLACK_APP_TOKEN",
            "slack_api_url": "SLACK_API_URL",
            "slack_client_id": "SLACK_CLIENT_ID",
            "slack_client_secret": "SLACK_CLIENT_SECRET",
            "csp_setup_users": "CSP_SETUP_USERS",
        }
        lines = []
        for err in exc.errors(include_url=False, include_input=False):
            field = str(err["loc"][0]) if err["loc"] else ""
            variable = names.get(field, field.upper())
            reason = (
                str(err["ctx"]["error"]) if "ctx" in err and "error" in err["ctx"] else err["msg"]
            )
            lines.append(f"{variable}: {reason}")
        raise SettingsError("; ".join(lines)) from None
