"""Structured logs: JSON lines with partnership, command and duration; no text, no tokens."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from bot.logs import REDACTED, JsonFormatter, redact


def _record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("csp_bot.test", logging.INFO, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_record_is_one_json_line_with_our_fields() -> None:
    line = JsonFormatter().format(
        _record(
            "request",
            event="request",
            partnership="riverside",
            command="action update",
            ms=3.2,
            ok=True,
        )
    )
    assert "\n" not in line
    data = json.loads(line)
    assert data["event"] == "request" and data["partnership"] == "riverside"
    assert data["command"] == "action update" and data["ms"] == 3.2 and data["ok"] is True
    assert data["level"] == "info" and data["ts"].endswith("+00:00")


@pytest.mark.parametrize(
    "secret",
    ["xoxb-1234-5678-abcdEFGH", "xoxp-1-2-3-abc", "xapp-1-A0-123-abc", "xoxe.xoxp-1-abc"],
)
def test_tokens_are_redacted_from_messages_arguments_and_tracebacks(secret: str) -> None:
    try:
        raise RuntimeError(f"Slack refused token {secret}")
    except RuntimeError:
        record = _record("calling with %s", secret)
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    bare = secret.split(".")[-1]
    assert bare not in line and REDACTED in line
    assert redact(f"Bearer {bare}") == f"Bearer {REDACTED}"
