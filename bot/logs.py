"""Structured logs: one JSON object per line, and never a token or a message's text.

The long-running processes (``serve``, ``socket``, ``clock``, ``run-due``) log
one line per request (``event: request``: partnership, command, ok, ms) and
one per scheduled send (``event: send``: partnership, kind, outcome, ms), as
JSON a log platform can index. Message text is never logged: partnership data
is sensitive (DOMAIN.md). As a last line of defence, anything shaped like a
Slack token that reaches a log record is replaced by ``[redacted]``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from typing import Any

# Extra fields a record may carry (``log.info("request", extra={...})``).
FIELDS = (
    "event",
    "partnership",
    "command",
    "kind",
    "ok",
    "outcome",
    "ms",
    "attempts",
    "error",
    "path",
    "status",
)
# Slack bot/user/app tokens and the like; a secret in a URL or header looks the same.
_TOKEN = re.compile(r"\bx(?:ox[abposer]|app)-[A-Za-z0-9-]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with anything shaped like a Slack token replaced."""
    return _TOKEN.sub(REDACTED, text)


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON with our extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record; tokens are redacted from every string in it."""
        data: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in FIELDS:
            if hasattr(record, name):
                data[name] = getattr(record, name)
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(data, default=str, ensure_ascii=False))


def setup(level: str = "INFO") -> None:
    """Send every log record to stderr as JSON lines, at ``level`` and above."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    # slack_sdk logs request bodies at DEBUG; they hold message text and tokens.
    logging.getLogger("slack_sdk").setLevel(max(root.level, logging.INFO))
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    # Alembic announces its context on every start; only its problems matter here.
    logging.getLogger("alembic").setLevel(logging.WARNING)
