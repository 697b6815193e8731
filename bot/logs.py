"""Structured logs: one JSON object per line, and never a token or a message's text.

The long-running processes (``serve``, ``socket``, ``clock``, ``run-due``) log
one line per request (``event: request``: partnership, command, ok, ms) and
one per scheduled send (``event: send``: partnership, kind, outcome, ms), as
JSON a log platform can index. Message text is never logged: partnership data
is sensitive (DOMAIN.md), so neither is anything that might quote it: a
library's message (Bolt logs whole request bodies) is cut where it starts
quoting data, and an exception is logged as its frames and type, without its
message. As a last line of defence, anything shaped like a Slack token that
reaches a log record is replaced by ``[redacted]``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import traceback
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
# Libraries that put request bodies into their messages (Bolt logs a request that
# failed its signature check, or that no listener took, with its whole body).
FOREIGN = ("csp_bot.bolt", "slack_bolt", "slack_sdk", "slack", "gunicorn", "sqlalchemy", "urllib3")
# A foreign message is kept up to the first character that starts quoted data.
_DATA_STARTS = re.compile(r"[({\[:<'\"\n=]")
WITHHELD = "[details withheld]"
# Slack bot/user/app tokens and the like; a secret in a URL or header looks the same.
_TOKEN = re.compile(r"\bx(?:ox[abposer]|app)-[A-Za-z0-9-]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with anything shaped like a Slack token replaced."""
    return _TOKEN.sub(REDACTED, text)


def withhold(message: str) -> str:
    """A library's message up to where it starts quoting data (bodies, payloads, values)."""
    match = _DATA_STARTS.search(message)
    if match is None:
        return message
    return f"{message[: match.start()].rstrip()} {WITHHELD}".lstrip()


def foreign(name: str) -> bool:
    """Whether a logger belongs to a library rather than to the bot."""
    return any(name == prefix or name.startswith(prefix + ".") for prefix in FOREIGN)


def traceback_without_text(exc: BaseException) -> str:
    """Where an exception came from (frames and types), without its message.

    An exception's message can quote what someone typed (a parser's error, a
    database error's parameters), so only the frames and the type are logged.
    """
    lines: list[str] = []
    for part in traceback.TracebackException.from_exception(exc).format():
        # format() yields the stack and, last of each exception, "Type: message".
        structure = part.startswith(("  ", "Traceback")) or not part.strip()
        if structure or part.strip().startswith(("During handling", "The above exception")):
            lines.append(part)
        else:
            lines.append(part.split(":", 1)[0].rstrip() + f": {WITHHELD}\n")
    return "".join(lines).rstrip()


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
        if foreign(record.name):
            data["msg"] = withhold(data["msg"])
        for name in FIELDS:
            if hasattr(record, name):
                data[name] = getattr(record, name)
        if record.exc_info and record.exc_info[1] is not None:
            data["exc"] = traceback_without_text(record.exc_info[1])
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
