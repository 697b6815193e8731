"""Scaffold: replaced by the returns sweep in this same change."""

from __future__ import annotations

from bot.sweeps.base import Message
from commands.core import Context


def due(ctx: Context) -> list[Message]:
    """Nothing yet."""
    return []
