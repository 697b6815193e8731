"""The chairs' digest as a board paper document, in Markdown or HTML.

Used by ``csp-bot digest`` (bot/cli/digest.py) and ``/csp digest paper`` (sent
as files by bot/slack/uploads.py), so both write the very same paper. Each
format has its own environment that escapes by construction, as the Block Kit
one does for Slack (bot/render/environment.py):

* HTML: Jinja's autoescaping, so user text is always text (``<script>`` shows
  as typed);
* Markdown: every expression goes through :func:`md_escape`, which backslash-
  escapes the characters Markdown reads as formatting, links or HTML and puts
  the text on one line, so a title can neither bold itself nor start a
  heading, a list or a table row.

The HTML paper carries its measure charts as PNG ``data:`` URIs
(:mod:`bot.render.charts`), so it is one file that works offline;
:func:`render_pdf` lays that page out on A4 (:mod:`bot.render.pdf`).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from bot.render import charts, pdf
from bot.render.environment import base_environment

FORMATS = ("md", "html")
# Characters Markdown reads as emphasis, code, links, HTML, tables, strike-through or entities.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# What starts a heading, list, quote, rule or setext underline when it opens a line.
_MD_LINE_START = re.compile(r"^([#+\-=>])|^(\d+)([.)])")


def md_escape(value: object) -> str:
    """Text for Markdown: one line, every formatting character backslash-escaped."""
    text = " ".join(str(value).split())
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(
        lambda m: "\\" + m[1] if m[1] else f"{m[2]}\\{m[3]}",
        text,
    )


def _md_finalize(value: Any) -> Any:
    """Escape every string a Markdown template outputs (numbers pass through)."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, str):
        return md_escape(value)
    return value


@cache
def _environment(fmt: str) -> Environment:
    """The environment for one document format, escaping as that format needs."""
    options: dict[str, Any] = (
        {"autoescape": True} if fmt == "html" else {"autoescape": False, "finalize": _md_finalize}
    )
    return base_environment(**options)


def render_document(data: dict[str, Any], fmt: str) -> str:
    """The digest view-model as a Markdown or HTML document (HTML with its charts inside)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use md or html")
    extra = {"pictures": charts.pictures(data.get("charts") or {})} if fmt == "html" else {}
    return _environment(fmt).get_template(f"digest.{fmt}.j2").render(**data, **extra)


def render_pdf(data: dict[str, Any]) -> bytes:
    """The digest view-model as a PDF board paper: the HTML paper on A4 pages."""
    return pdf.html_to_pdf(render_document(data, "html"))
