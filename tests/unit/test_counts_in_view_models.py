"""The counts and limits templates show come from their view-models, and say what they count.

``templates/digest.json.j2`` is given the digest cut to fit Slack
(:mod:`partnership.digest_shown`); these check each count it shows against
lists long enough to be cut, and the small filters and counts other templates
were given instead of computing them.
"""

from __future__ import annotations

from typing import Any

from bot.render.environment import and_list, render_blocks, slack_environment
from partnership import digest_shown, reports, sara
from partnership.digest_shown import first, shown


def _act(i: int) -> dict[str, Any]:
    return {
        "ref": f"A-{i}",
        "title": f"Action {i}",
        "owner": f"Owner {i}",
        "on": "01/11/2026",
        "reasons": ["due date moved"],
        "days": i + 1,
    }


def digest_data(n: int) -> dict[str, Any]:
    """A digest view-model whose every list holds ``n`` (or more) rows."""
    returns = {
        "quarter": "Q2 2026/27",
        "deadline": "31/10/2026",
        "expected": 3 * n,
        "in": [{"group": f"In {i}", "late": i % 2 == 0} for i in range(n)],
        "missing": [
            {"group": f"Group {i}", "lead": "", "overdue": i < n + 2, "deadline": "31/10/2026"}
            for i in range(2 * n)
        ],
    }
    data: dict[str, Any] = {
        "short_name": "RCSP",
        "meeting": {
            "date": "10/12/2026",
            "title": "Board",
            "weekday": "Thursday",
            "time": "",
            "location": "",
        },
        "as_of": "01/12/2026",
        "since": {"date": "01/09/2026", "meeting": True, "text": "then", "future": False},
        "changes_known": True,
        "headline": {
            "priorities": 3 * n,
            "rag": {"red": 0, "amber": 0, "green": 0, "not_rated": 0},
            "open": 0,
            "overdue": 0,
            "completed": n,
            "slipped": n,
            "worse": 0,
            "better": 0,
            "returns_in": n,
            "escalations": n,
            "measures": {"on_track": 0, "slightly_off": 0, "off_track": 0, "no_data": 0},
        },
        "priorities": [
            {
                "code": f"P{i}",
                "title": "T",
                "rag": "red",
                "icon": "",
                "open": 0,
                "overdue": 0,
                "complete": 0,
                "change": {"word": "", "mark": "", "before": ""},
            }
            for i in range(3 * n)
        ],
        "completed": [_act(i) for i in range(n)],
        "slipped": [_act(i) for i in range(n)],
        "overdue": {
            "count": n * n,
            "by_owner": [
                {"name": f"O{i}", "count": i + 1, "actions": [_act(j) for j in range(i + 1)]}
                for i in range(n)
            ],
            "by_org": [{"name": f"Org {i}", "count": 1} for i in range(n)],
        },
        "returns": returns,
        "escalations": [{"group": "G", "quarter": "Q2", "submitted": "x", "text": "Help"}] * n,
        "measures": [
            {
                "ref": "",
                "name": "M",
                "state": "on track",
                "latest": "",
                "target": "",
                "trend": {},
                "parts": [],
            }
            for _ in range(2 * n)
        ],
        "preview": None,
        "reports": [_report(i) for i in range(n)],
        "sara": sara.empty(),
    }
    data["shown"] = shown(data)
    data["shown"]["reports"] = reports.shown(data["reports"], "rcsp")
    return data


def _report(i: int) -> dict[str, Any]:
    return {
        "group": f"Group {i}",
        "quarter": "Q2 2026/27",
        "submitted": "20/10/2026",
        "by": "",
        "version": 1,
        "late": False,
        "show": f'/csp return show group:"Group {i}" Q2 2026/27',
        "summary": ["Summary"],
        "achievements": [],
        "issues": [],
        "escalations": [],
    }


def slack_text(data: dict[str, Any]) -> str:
    return "\n".join(str(block) for block in render_blocks("digest", data))


def test_first_counts_what_is_left_out() -> None:
    assert first([1, 2, 3], 2) == {"rows": [1, 2], "more": 1, "count": 3}
    assert first([1], 2) == {"rows": [1], "more": 0, "count": 1}


def test_the_slack_digest_shows_the_first_rows_and_counts_the_rest() -> None:
    n = 25
    data = digest_data(n)
    cut = data["shown"]
    assert len(cut["priorities"]["rows"]) == digest_shown.PRIORITIES
    assert cut["priorities"]["more"] == 3 * n - digest_shown.PRIORITIES
    assert cut["owners"]["more"] == n - digest_shown.OWNERS
    last_owner = cut["owners"]["rows"][-1]
    assert len(last_owner["first"]) == digest_shown.REFS
    assert last_owner["more"] == digest_shown.OWNERS - digest_shown.REFS
    assert cut["returns"]["late"]["count"] == n + 2
    assert cut["returns"]["waiting"]["count"] == n - 2
    assert cut["returns"]["late"]["more"] == n + 2 - digest_shown.GROUPS
    assert cut["returns"]["in_late"] == 13  # the even ones of 25
    text = slack_text(data)
    assert f"…and {3 * n - digest_shown.PRIORITIES} more priorities" in text
    assert f"…and {2 * n - digest_shown.MEASURES} more measures" in text
    assert f"…and {n - digest_shown.LIST} more — the full list" in text
    assert f"…and {n - digest_shown.OWNERS} more owners" in text
    assert f"…and {n - digest_shown.ORGS} more organisations" in text
    assert f"…and {n - digest_shown.ESCALATIONS} more — all of them" in text
    assert f"*{n + 2}* missing, {n - 2} not due yet" in text
    assert f"{n} of {3 * n} in, 13 of them late" in text
    assert f"; and {n + 2 - digest_shown.GROUPS} more" in text
    assert "+4 more" in text  # the eighth owner: 8 overdue, 4 named
    assert f"…and {n - reports.GROUPS_SHOWN} more groups' reports" in text
    assert "csp-bot digest --format html --meeting 10/12/2026" in text


def test_a_short_digest_says_no_more() -> None:
    data = digest_data(2)
    assert all(data["shown"][k]["more"] == 0 for k in ("priorities", "completed", "owners"))
    text = slack_text(data)
    assert "…and" not in text and "more" not in text.replace("more_", "")


def test_and_list_joins_as_a_sentence_does() -> None:
    assert and_list([]) == ""
    assert and_list(["Kath"]) == "Kath"
    assert and_list(["Kath", "Lee"]) == "Kath and Lee"
    assert and_list(["Kath", "Lee", "the board channel"]) == "Kath, Lee and the board channel"
    rendered = slack_environment().from_string("{{ to | and_list }}").render(to=["A & B", "<C>"])
    assert rendered == "A &amp; B and &lt;C&gt;"  # the joined text escaped, as each part was


def test_undelivered_lists_what_it_is_given_and_counts_the_rest() -> None:
    items = [
        {"what": "a nudge", "to": f"P{i}", "email": "", "reason": "gone", "period": ""}
        for i in range(30)
    ]
    text = str(
        render_blocks("undelivered", {"partnership": "R", "items": items, "count": 34, "more": 4})
    )
    assert "34 scheduled messages" in text and "…and 4 more." in text and "P29" in text
    assert "more." not in str(
        render_blocks(
            "undelivered", {"partnership": "R", "items": items[:1], "count": 1, "more": 0}
        )
    )


def test_the_series_button_counts_its_meetings() -> None:
    for count, label in ((1, "Confirm 1 meeting"), (3, "Confirm 3 meetings")):
        blocks = render_blocks(
            "meeting_series",
            {
                "count": count,
                "button": "x",
                "confirm": "/csp meeting add … confirm",
                "dates": [],
                "group": "Board",
                "words": "every Thursday",
                "ends": "until 31/03/2027",
                "time": "",
                "title": "",
                "location": "",
                "open_ended": False,
            },
        )
        buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
        assert [b["text"]["text"] for b in buttons] == [label]
