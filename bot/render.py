"""Jinja2 rendering. Templates hold no logic; user text is escaped by one filter.

Plain-text templates (``*.txt.j2``) are for the terminal. The ``mrkdwn`` filter is
the single place Slack's control characters (&, <, >) are escaped, so a title
containing ``<!channel>`` can never ping anyone once Slack templates arrive.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


def mrkdwn(value: object) -> str:
    """Escape text for Slack mrkdwn: &, < and > become entities (Slack's own rule)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@cache
def environment() -> Environment:
    """The one Jinja environment, loading from the ``templates`` package."""
    env = Environment(
        loader=PackageLoader("templates", ""),
        undefined=StrictUndefined,  # a misspelt variable is an error, not a blank
        autoescape=False,  # text and mrkdwn are escaped explicitly with |mrkdwn
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["mrkdwn"] = mrkdwn
    return env


def render(template: str, **context: Any) -> str:
    """Render a template by name with a view-model."""
    return environment().get_template(template).render(**context)
