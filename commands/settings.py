"""``/csp settings``: show the partnership's scheduling settings; coordinators change them.

The same names work in the plan file's ``partnership: settings:`` section
(storage/partnership_settings.py validates both), so a coordinator can keep
them in the file they already import or set them here.
"""

from __future__ import annotations

import re
from typing import Any

from commands.framework.core import Result
from commands.framework.registry import Args, command
from partnership.context import Context, Reply, UserError
from partnership.lookup import BOARD, board_channel_id
from partnership.messages import settings as say
from partnership.perms import require_coordinator
from storage import channels
from storage import partnership_settings as ps

BOARD_KEY = "board_channel"
# <#C0123|board> as Slack sends a channel picked in the message box, or a bare id.
_CHANNEL = re.compile(r"^(?:<#([CG][A-Z0-9]{2,30})(?:\|[^>]*)?>|([CG][A-Z0-9]{2,30}))$")
EXAMPLES = {
    "reporting_cycle": '"twice a year: September, March"',
    "return_deadline": '"10 working days before review"',
    "return_reminders": "10,5",
    "return_chases": "3",
    "return_chase_every": "5",
    "digest_days": "5",
    "nudge_interval": "7",
    "stale_days": "30",
    "quiet_hours": "18:00-09:00",
    "rollup_day": "monday",
    "share_with_board": "summary",
    BOARD_KEY: "#csp-board",
}


@command(
    "settings",
    usage="[<setting>:<value> ...] [reset:<setting>]",
    examples=(
        "/csp settings",
        "/csp settings stale_days:45 nudge_interval:14",
        '/csp settings return_deadline:"10 working days before review" return_reminders:10,5',
        "/csp settings board_channel:#csp-board quiet_hours:18:00-08:30",
        "/csp settings reset:stale_days",
    ),
    keys=(*ps.KEYS, BOARD_KEY, "reset"),
    aliases={"board": BOARD_KEY, "channel": BOARD_KEY, "quiet": "quiet_hours"},
)
def settings(ctx: Context, args: Args) -> Result:
    """Show the reminder, digest and nudge settings; coordinators change them.

    With no values it shows every setting, what it does and its default.
    Coordinators change one or more at once (`stale_days:45`), point the
    digest at a channel no other partnership uses (`board_channel:#csp-board`)
    or go back to the default (`reset:stale_days`). Nothing is saved unless
    every value is right.
    """
    given = {k: v for k, v in args.values.items() if k in ps.KEYS and v is not None}
    board = args.get(BOARD_KEY)
    reset = args.get("reset")
    if not given and board is None and reset is None:
        return _show(ctx, [])
    require_coordinator(ctx, "change the partnership's settings")
    before = ctx.settings
    values: dict[str, Any] = dict(given)
    if reset is not None:
        for key in re.split(r"[\s,]+", reset.strip()):
            if key not in ps.KEYS:
                raise UserError(
                    say.no_setting(key=key, keys=list(ps.KEYS)),
                    fields={"reset": "Unknown setting"},
                )
            values[key] = ps.PartnershipSettings.model_fields[key].get_default(
                call_default_factory=True
            )
    try:
        after = ps.change(before, values)
    except ps.SettingError as exc:
        example = EXAMPLES.get(exc.key, "")
        hint = say.for_example(key=exc.key, example=example)
        raise UserError(
            say.bad_value(problem=str(exc), hint=hint), fields={exc.key: str(exc)}
        ) from None
    changed = [
        (key, _shown(getattr(before, key)), _shown(getattr(after, key)))
        for key in ps.KEYS
        if getattr(before, key) != getattr(after, key)
    ]
    ps.store(ctx.partnership, after)
    ctx.__dict__.pop("settings", None)  # the cached copy is now out of date
    ctx.__dict__.pop("calendar", None)
    if board is not None:
        old = board_channel_id(ctx)
        new = _set_board(ctx, board)
        if old != new:
            changed.append((BOARD_KEY, old or "", new or ""))
    ctx.session.flush()
    return _show(ctx, changed)


def _show(ctx: Context, changed: list[tuple[str, str, str]]) -> Reply:
    current = ctx.settings
    defaults = ps.PartnershipSettings()
    rows = [
        {
            "key": key,
            "value": _shown(getattr(current, key)),
            "about": ps.describe(key),
            "default": getattr(current, key) == getattr(defaults, key),
            "channel": "",
        }
        for key in ps.KEYS
    ]
    board = board_channel_id(ctx)
    rows.append(
        {
            "key": BOARD_KEY,
            "value": "" if board else "none",
            "channel": board or "",
            "about": say.BOARD_ABOUT,
            "default": board is None,
        }
    )
    text = (
        say.changed(keys=[k for k, _, _ in changed])
        if changed
        else say.shown(partnership=ctx.partnership.name)
    )
    return Reply(
        "settings",
        {
            "partnership": ctx.partnership.name,
            "rows": rows,
            "changed": [
                {"key": k, "old": o, "new": n, "channel": k == BOARD_KEY} for k, o, n in changed
            ],
            "may_change": ctx.is_coordinator,
        },
        text=text,
    )


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def _set_board(ctx: Context, text: str) -> str | None:
    """Point the board channel at a channel (``<#C1|name>`` or ``C1``), or ``none``."""
    if text.strip().lower() in ("none", "off", "-"):
        channels.release(ctx.session, ctx.partnership, BOARD)
        return None
    m = _CHANNEL.match(text.strip())
    if not m:
        raise UserError(
            say.not_a_channel(text=text),
            fields={BOARD_KEY: "Not a channel"},
        )
    channel_id = m[1] or m[2]
    try:
        channels.assign(ctx.session, ctx.partnership, BOARD, channel_id)
    except channels.ChannelTakenError:
        raise UserError(
            say.channel_taken(taken=channels.TAKEN),
            fields={BOARD_KEY: "Used by another partnership"},
        ) from None
    return channel_id
