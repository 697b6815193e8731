"""The digest's charts as files to share in its thread: names, titles, alt text.

The pictures are decided in :mod:`partnership.digest_charts`; this turns the
digest view-model's ``charts`` into the list the scheduler stores with the
digest's outbox entry and later uploads (bot/schedule/digest_charts.py). Each
file keeps its chart spec (drawn only when it is sent), a file name, a title,
the alt text as Slack will take it and the full words when that had to be cut.
"""

from __future__ import annotations

from typing import Any

# The kind (outbox and reply template) of the charts that follow a digest.
CHARTS = "digest_charts"
# Slack takes at most 1000 characters of a file's alt text.
ALT_CHARS = 1000


def cut(words: str, limit: int = ALT_CHARS) -> str:
    """``words`` within ``limit`` characters, cut at a word and ending in an ellipsis."""
    if len(words) <= limit:
        return words
    head = words[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return head + "…"


def chart_files(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each chart of a digest as a file to upload; none when it has no charts.

    Measures with readings come first, in plan order, then the RAG grid and the
    returns grid when they have rows.
    """
    charts = data.get("charts") or {}
    meeting = data.get("meeting") or {}
    stem = f"digest-{meeting.get('iso') or meeting.get('date', '')}".replace("/", "-")
    found = [("measure", c) for c in charts.get("measures") or []]
    for name in ("rag", "returns"):
        grid = charts.get(name) or {}
        if grid.get("rows"):
            found.append(("grid", grid))
    files: list[dict[str, Any]] = []
    for draw, spec in found:
        words = str(spec.get("alt") or spec.get("title") or "")
        alt = cut(words)
        files.append(
            {
                "draw": draw,
                "spec": spec,
                "filename": f"{stem}-{spec['key']}.png",
                "title": str(spec.get("title") or spec["key"]),
                "alt": alt,
                # The full words, written in the thread when the alt text was cut.
                "words": words if alt != words else "",
            }
        )
    return files
