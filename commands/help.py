"""``/csp help``: usage built from the registered commands themselves."""

from __future__ import annotations

from commands.framework.core import Result
from commands.framework.registry import Args, command, describe, registry
from partnership.context import Context, Reply, UserError
from partnership.messages import framework as say


@command(
    "help",
    usage="[topic]",
    examples=("/csp help", "/csp help action", "/csp help action update"),
    rest="topic",
)
def help_(ctx: Context, args: Args) -> Result:
    """Show what you can type, with examples; `help <topic>` for one area."""
    commands = registry()
    topic = (args.get("topic") or "").lower().strip()
    if topic.startswith("/csp "):
        topic = topic[5:]
    if not topic:
        chosen = list(commands.values())
    elif topic in commands:
        chosen = [commands[topic]]
    else:
        chosen = [c for c in commands.values() if c.topic == topic]
    if not chosen:
        topics = ", ".join(sorted({c.topic for c in commands.values()}))
        raise UserError(say.no_help_topic(topic=topic, topics=topics))
    return Reply(
        "help",
        {
            "topic": topic,
            "commands": [describe(c) for c in chosen],
            "detailed": len(chosen) == 1,
            "partnership": ctx.partnership.name,
            "coordinator": ctx.is_coordinator,
        },
        text=say.HELP_TEXT,
    )
