"""``/csp priority status``: where every priority (or one) stands, with what is overdue."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership import board as county
from partnership import sara
from partnership.context import Context, Reply
from partnership.lookup import find_priority
from partnership.measure_status import in_blocks, own_measures
from partnership.messages import plan as say
from partnership.rollup import rollup

# One priority asked for by name shows more of its overdue actions than the list of all.
OVERDUE_ONE = 10
OVERDUE_ALL = 5


@command(
    "priority status",
    usage="[<priority>] [post]",
    examples=(
        "/csp priority status",
        "/csp priority status P2",
        "/csp priority status P1 post",
    ),
    positional=("priority",),
    rest="more",
    flags=("post",),
)
def priority_status(ctx: Context, args: Args) -> Result:
    """Show each priority's RAG rolled up from its actions and measures; `post` shares it.

    Give a priority's code (`P2`) or title for just that one. The reply is
    only for you unless you add `post`, which posts it in the channel. A
    priority is red when an open action is red, more than a quarter of its
    dated open actions are overdue, or a measure is worse than its baseline;
    amber when an action is amber or overdue or a measure is off track. A
    measure with a target date is judged against the straight path from its
    baseline to its target; the partnership's own measures (under no priority)
    are listed after the priorities. Problem-solving actions are counted by
    their SARA stage (scanning, analysis, response, assessment).
    """
    post = "post" in args.flags
    words = " ".join(w for w in (args.get("priority"), args.get("more")) if w)
    if words.lower().endswith(" post"):  # an unquoted title followed by `post`
        words, post = words[: -len(" post")].rstrip(), True
    chosen = find_priority(ctx, words) if words else None
    cap = OVERDUE_ONE if chosen is not None else OVERDUE_ALL
    statuses = rollup(ctx, chosen.id if chosen is not None else None, overdue_cap=cap)
    stages = sara.counts(ctx)
    data = {
        "partnership": ctx.partnership.name,
        "single": chosen is not None,
        "code": chosen.code if chosen is not None else "",
        "as_of": ctx.today,
        "priorities": [
            s.view(ctx.today) | {"sara": stages.get(s.id, sara.empty())} for s in statuses
        ],
        "sara": stages.get(chosen.id if chosen is not None else sara.ALL, sara.empty()),
        # The partnership's own measures (under no priority), with the whole list only.
        "own_measures": (
            [] if chosen is not None else in_blocks([m.view() for m in own_measures(ctx)])
        ),
        "posted_by": ctx.who if post else "",
        # A county board's districts under each of these priorities (None elsewhere).
        "districts": county.for_board(ctx, statuses),
    }
    summary = ", ".join(f"{s.code} {s.rag}" for s in statuses)
    return Reply("priority_status", data, public=post, text=say.priority_status(summary=summary))
