"""The /csp sub-commands, one module each, free of Slack imports.

A command takes a context (who, which partnership, now) and parsed arguments and
returns a reply (a template name and a view-model). The Slack listeners, the
console and the tests all call the same functions.

This is the one list of sub-commands: each module below registers itself with
:func:`commands.framework.registry.command` when imported, and Python runs this
file before any module under ``commands`` (the registry included), so the
registry is complete whenever it is read. A new sub-command is one new module
and one line here.
"""

from commands import (
    action_add,
    action_done,
    action_list,
    action_show,
    action_snooze,
    action_update,
    board_status,
    chase,
    digest,
    digest_paper,
    export,
    group_add,
    group_close,
    group_covers,
    group_cycle,
    group_lead,
    group_list,
    group_reopen,
    help,
    import_plan,
    measure_record,
    measure_show,
    meeting_add,
    meeting_cancel,
    meeting_list,
    meeting_move,
    person_add,
    person_link,
    person_remove,
    person_role,
    priority_map,
    priority_status,
    return_show,
    return_status,
    return_submit,
    settings,
    setup,
    whoami,
)

__all__ = [
    "action_add",
    "action_done",
    "action_list",
    "action_show",
    "action_snooze",
    "action_update",
    "board_status",
    "chase",
    "digest",
    "digest_paper",
    "export",
    "group_add",
    "group_close",
    "group_covers",
    "group_cycle",
    "group_lead",
    "group_list",
    "group_reopen",
    "help",
    "import_plan",
    "measure_record",
    "measure_show",
    "meeting_add",
    "meeting_cancel",
    "meeting_list",
    "meeting_move",
    "person_add",
    "person_link",
    "person_remove",
    "person_role",
    "priority_map",
    "priority_status",
    "return_show",
    "return_status",
    "return_submit",
    "settings",
    "setup",
    "whoami",
]
