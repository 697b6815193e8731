"""OAuth's parts on their own: the scopes, the store's tables, redaction, token mode."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
import yaml
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from bot.settings import Settings
from bot.slack import oauth
from storage import models
from tests.conftest import REPO
from tests.process.oauthkit import CLIENT_ID, CLIENT_SECRET, TOKEN


def test_scopes_are_the_manifests() -> None:
    """The install link asks for exactly the bot scopes manifest.yml declares."""
    manifest = yaml.safe_load((REPO / "manifest.yml").read_text())
    assert list(oauth.BOT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]


@pytest.mark.parametrize(
    "dialect",
    [sqlite.dialect(), postgresql.dialect()],  # type: ignore[no-untyped-call]
    ids=["sqlite", "pg"],
)
def test_our_tables_are_the_stores_tables(dialect: Any) -> None:
    """storage.models declares slack-sdk's store tables exactly (the migration makes them)."""
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
    from sqlalchemy import MetaData

    theirs = MetaData()
    SQLAlchemyInstallationStore.build_installations_table(theirs, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(theirs, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(theirs, "slack_oauth_states")
    for name, table in theirs.tables.items():
        ours = models.Base.metadata.tables[name]

        def ddl(t: Any) -> str:
            text = str(CreateTable(t).compile(dialect=dialect))
            return re.sub(r"CONSTRAINT \w+ PRIMARY KEY", "PRIMARY KEY", text)

        assert ddl(ours) == ddl(table), name
        assert sorted(str(CreateIndex(i).compile(dialect=dialect)) for i in ours.indexes) == sorted(
            str(CreateIndex(i).compile(dialect=dialect)) for i in table.indexes
        )


def test_redaction_blanks_tokens_and_secrets() -> None:
    """The log filter removes tokens, secret fields and the configured secrets."""
    redact = oauth.RedactSecrets(("s3cr3t",)).redact
    text = redact(
        "body: {'access_token': 'abc', 'client_secret': 'zzz', 'x': 'xoxb-1-2-abc', "
        "'y': 'xoxp-9', 'z': 's3cr3t'}"
    )
    for secret in ("abc", "zzz", "xoxb-1-2", "xoxp-9", "s3cr3t"):
        assert secret not in text
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token %s", (TOKEN,), None)
    assert oauth.RedactSecrets().filter(record)
    assert TOKEN not in record.getMessage()


def test_token_mode_is_unchanged() -> None:
    """A bot token keeps single-workspace token mode even with a client id and secret."""
    settings = Settings(
        SLACK_BOT_TOKEN="xoxb-single", SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET="s"
    )
    assert not settings.oauth_mode
    assert CLIENT_SECRET not in repr(Settings(SLACK_CLIENT_SECRET=CLIENT_SECRET))
