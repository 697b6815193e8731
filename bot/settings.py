"""Configuration, read once from the environment into one pydantic-settings object.

Tests build their own :class:`Settings` instead of patching the environment.
"""

from __future__ import annotations

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
