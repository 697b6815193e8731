"""The digest's charts as files to share in its thread: names, titles, alt text.

The pictures are decided in :mod:`partnership.digest_charts`; this turns the
digest view-model's ``charts`` into the list the scheduler stores with the
digest's outbox entry and later uploads (bot/schedule/digest_charts.py). Each
file keeps its chart spec (drawn only when it is sent), a file name, a title,
the alt text as Slack will take it and the full words when that had to be cut.

A thread carries at most :data:`SLACK_FILES` pictures (:func:`slack_choice`): a
partnership with many measures gets its worst-off measures' charts there, and
the comment names the ones left out and points to the board paper, which has
every chart.
"""

from __future__ import annotations

from typing import Any

from partnership.messages import charts as words

# The kind (outbox and reply template) of the charts that follow a digest.
CHARTS = "digest_charts"
# Slack takes at most 1000 characters of a file's alt text.
ALT_CHARS = 1000
# Slack shows at most ten files in one message, and files.completeUploadExternal has
# been seen failing above fourteen (slackapi/python-slack-sdk#1653): ten, grids included.
SLACK_FILES = 10
# When not every measure's chart fits, the worst off go first (then plan order).
URGENCY = {"off track": 0, "slightly off": 1}


def slack_choice(charts: dict[str, Any]) -> dict[str, Any]:
    """Which measure charts the digest's thread carries, and which are left out.

    At most :data:`SLACK_FILES` files with the grids that have rows; off-track
    measures first, then slightly off, then the rest, each in plan order; the
    kept ones stay in plan order. ``left_out`` names the others (ref, or title).
    """
    measures = list(charts.get("measures") or [])
    grids = sum(1 for name in ("rag", "returns") if (charts.get(name) or {}).get("rows"))
    room = max(SLACK_FILES - grids, 0)

    def urgency(i: int) -> tuple[int, int]:
        state = str((measures[i].get("status") or {}).get("state") or "")
        return (URGENCY.get(state, len(URGENCY)), i)

    ranked = sorted(range(len(measures)), key=urgency)
    kept, dropped = sorted(ranked[:room]), sorted(ranked[room:])
    left_out = [str(measures[i].get("ref") or measures[i].get("title") or "") for i in dropped]
    return {
        "limit": SLACK_FILES,
        "keys": [measures[i]["key"] for i in kept],
        "left_out": left_out,
        "note": words.charts_left_out(shown=len(kept), left_out=left_out) if left_out else "",
    }


def cut(words: str, limit: int = ALT_CHARS) -> str:
    """``words`` within ``limit`` characters, cut at a word and ending in an ellipsis."""
    if len(words) <= limit:
        return words
    head = words[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return head + "…"


def chart_files(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each chart of a digest as a file to upload; none when it has no charts.

    Measures with readings come first, in plan order (those :func:`slack_choice`
    keeps), then the RAG grid and the returns grid when they have rows.
    """
    charts = data.get("charts") or {}
    meeting = data.get("meeting") or {}
    stem = f"digest-{meeting.get('iso') or meeting.get('date', '')}".replace("/", "-")
    chosen = set((charts.get("slack") or slack_choice(charts))["keys"])
    found = [("measure", c) for c in charts.get("measures") or [] if c["key"] in chosen]
    for name in ("rag", "returns"):
        grid = charts.get(name) or {}
        if grid.get("rows"):
            found.append(("grid", grid))
    files: list[dict[str, Any]] = []
    for draw, spec in found:
        said = str(spec.get("alt") or spec.get("title") or "")
        alt = cut(said)
        files.append(
            {
                "draw": draw,
                "spec": spec,
                "filename": f"{stem}-{spec['key']}.png",
                "title": str(spec.get("title") or spec["key"]),
                "alt": alt,
                # The full words, written in the thread when the alt text was cut.
                "words": said if alt != said else "",
            }
        )
    return files


def left_out(data: dict[str, Any]) -> list[str]:
    """The measures whose charts the digest's thread leaves out (by ref, or title)."""
    charts = data.get("charts") or {}
    return list((charts.get("slack") or slack_choice(charts))["left_out"])
