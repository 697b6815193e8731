"""The digest cut to fit one Slack message: the first few of each list, and how many more.

Block Kit allows 50 blocks and 3,000 characters a section, and chat.postMessage
refuses a message whose text adds up to about 12,000 characters
(msg_blocks_too_long, slackapi/bolt-js#2509), so the Slack digest
(``templates/digest.json.j2``) shows the first few rows of each list and keeps
the whole near 10,000 characters for a plan of any size. The Markdown and HTML
board papers (``csp-bot digest``) carry every row and every word, from the
same view-model's full lists.
"""

from __future__ import annotations

from typing import Any

# How many rows of each list the Slack digest shows.
PRIORITIES = 20
MEASURES = 10
# How many of a measure's (or a part's) latest readings its trend shows, oldest first.
TREND = 4
LIST = 8  # completed and slipped actions
OWNERS = 8
REFS = 4  # an owner's overdue actions named
ORGS = 8
GROUPS = 10  # missing and not-yet-due returns, each
ESCALATIONS = 3
# The longest text the Slack digest shows before "…".
CUT = {"title": 60, "name": 40, "measure": 50, "escalation": 220}


def first(rows: list[Any], n: int) -> dict[str, Any]:
    """The first ``n`` rows, how many more there are, and how many in all."""
    return {"rows": rows[:n], "more": max(len(rows) - n, 0), "count": len(rows)}


def shown(data: dict[str, Any]) -> dict[str, Any]:
    """What the Slack digest shows of a digest's view-model (see the module docstring)."""
    overdue = data["overdue"]
    owners = first(overdue["by_owner"], OWNERS)
    owners["rows"] = [
        o | {"first": o["actions"][:REFS], "more": max(o["count"] - REFS, 0)}
        for o in owners["rows"]
    ]
    returns = data["returns"]
    if returns is not None:
        missing = returns["missing"]
        returns = {
            "late": first([r for r in missing if r["overdue"]], GROUPS),
            "waiting": first([r for r in missing if not r["overdue"]], GROUPS),
            "in_late": sum(1 for r in returns["in"] if r["late"]),
        }
    return {
        "papers": f"csp-bot digest --format html --meeting {data['meeting']['date']}",
        "cut": CUT,
        "priorities": first(data["priorities"], PRIORITIES),
        "measures": first(data["measures"], MEASURES),
        "completed": first(data["completed"], LIST),
        "slipped": first(data["slipped"], LIST),
        "owners": owners,
        "orgs": first(overdue["by_org"], ORGS),
        "returns": returns,
        "escalations": first(data["escalations"], ESCALATIONS),
    }
