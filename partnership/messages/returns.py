"""What the quarterly returns say: choosing the group and quarter, the return's content."""

from __future__ import annotations

QUARTER_HINT = "write `Q3` or `Q3 2026/27` (Q1 is April–June, Q4 January–March)"


def not_a_quarter(*, typed: str) -> str:
    """Text that is not a quarter."""
    return f"`{typed[:40]}` is not a quarter; {QUARTER_HINT}."


def not_started(*, quarter: str, current: str) -> str:
    """A quarter that has not begun."""
    return f"{quarter} has not started yet, so it has no return; the current quarter is {current}."


def group_twice(*, named: str, words: str) -> str:
    """A group named both as ``group:`` and as words."""
    return f'Name the group once: `group:"{named[:60]}"`; I didn\'t understand `{words[:60]}`.'


def group_gone(*, partnership: str) -> str:
    """A button's group that has left the plan."""
    return (
        f"That sub-group is no longer in {partnership}'s plan; "
        "`/csp return status` lists the groups that owe a return."
    )


def which_of_yours(*, n: int, names: str) -> str:
    """A lead of several groups who did not say which."""
    return f"You lead {n} sub-groups; say which return: {names}."


def which_group(*, partnership: str, names: str) -> str:
    """A coordinator who did not say which group."""
    return (
        'Which sub-group\'s return? Name it: `/csp return submit group:"Name"`. '
        f"{partnership}'s groups: {names}."
    )


def no_group_of_yours(*, partnership: str, coordinator: str) -> str:
    """Someone who leads no group asking to submit."""
    return (
        f"You don't lead a sub-group in {partnership}, so there is no return for you "
        f"to submit: a group's lead or {coordinator} submits it. "
        "`/csp return status` shows which are in."
    )


def its_lead(*, name: str) -> str:
    """``its lead (Kath Rees) or ``, the start of who may submit."""
    return f"its lead ({name}) or "


def may_not_submit(*, group: str, lead: str, coordinator: str) -> str:
    """The refusal to submit another group's return."""
    return (
        f"Sorry, you can't submit {group}'s quarterly return: only {lead}"
        f"{coordinator} can. `/csp return status` shows whether it is in."
    )


def group_ended(*, group: str, ended: str, quarter: str) -> str:
    """A group that ended before the quarter began."""
    return (
        f"{group} ended on {ended}, before {quarter} began, so it owes no return for that quarter."
    )


def put_it_in(*, quarter: str | None, code: str) -> str:
    """Where to put anything new: a named later quarter's return, or next quarter's."""
    if quarter is None:
        return " Put anything new in next quarter's return"
    return f" Put anything new in the {quarter} return (`/csp return submit quarter:{code}`)"


def closed(
    *, group: str, quarter: str, submitted: str, deadline: str, nxt: str, coordinator: str
) -> str:
    """Why a submitted return can no longer be amended, and what to do instead."""
    return (
        f"{group}'s {quarter} return was submitted on "
        f"{submitted} and its deadline ({deadline}) has passed, "
        f"so it can no longer be amended.{nxt}, or tell {coordinator}."
    )


def text_empty(*, words: str, example: str) -> str:
    """The summary left empty."""
    return f"The {words} can't be empty: say in a line or two how the quarter went (`{example}`)."


def text_too_long(*, words: str, length: int, limit: int) -> str:
    """A return's text over the limit."""
    return (
        f"The {words} is {length:,} characters long; keep it under {limit:,} "
        "and link to a longer report if there is one."
    )


def rag_missing(*, missing: list[str]) -> str:
    """Priorities with no RAG given."""
    pairs = ",".join(f"{c}=green" for c in missing)
    return (
        "Give a RAG (red, amber or green) for each priority the group covers: "
        f"{', '.join(missing)} (typed: `rag:{pairs}`)."
    )


def rag_pairs(*, text: str, codes: str) -> str:
    """A ``rag:`` that is not in pairs."""
    return (
        f"`rag:{text[:60]}`: give each priority and its RAG in pairs, such as "
        f"`rag:P1=green,P2=amber`. This group covers {codes}."
    )


def not_covered(*, name: str, codes: str) -> str:
    """A priority the group does not cover."""
    return f"`{name[:20]}` is not a priority this group covers; it covers {codes}."


def not_a_rag(*, word: str, code: str) -> str:
    """A RAG word that is not one."""
    return f"`{word[:20]}` is not a RAG rating for {code}; use red, amber or green."


SOMEONE_ELSE = "someone else"


def saved_meanwhile(*, who: str) -> str:
    """A form submitted after someone else saved the return."""
    return (
        f"{who} saved this return while your form was open, so nothing was saved. "
        "Open it again with `/csp return submit` to see their version, then amend it."
    )


def submitted(*, group: str, quarter: str, version: int | None) -> str:
    """The fallback text of ``return submit``'s reply; ``version`` the new one, if amended."""
    what = f"amended (version {version})" if version is not None else "submitted"
    return f"{group}'s {quarter} return {what}"


def form_title(*, quarter: str) -> str:
    """The return form's title (at most 24 characters: a meeting is named by its date)."""
    title = f"Return {quarter}"
    return title if len(title) <= 24 else f"Return {quarter.split()[1]}"


def no_report(*, group: str, quarter: str | None, status: str) -> str:
    """A group with no submitted report (for a quarter, or at all)."""
    when = f" for {quarter}" if quarter else " yet"
    return f"{group} has not submitted a report{when}. `{status}` shows which returns are in."


def which_report(*, partnership: str, names: str) -> str:
    """``/csp return show`` with no group, from someone who leads none."""
    return (
        'Whose report? Name the group: `/csp return show group:"Name"` (and a quarter, '
        f"`Q3 2026/27`, for an earlier one). {partnership}'s groups with a report: {names}."
    )


def report_shown(*, group: str, quarter: str, version: int) -> str:
    """The fallback text of a report shown."""
    return f"{group}'s {quarter} report (version {version})"


def group_closed(*, group: str, on: str) -> str:
    """A closed group's return is refused (an old reminder's button, a form opened before)."""
    return (
        f"{group} was closed on {on}; its returns are no longer asked, so nothing was saved. "
        "Its past returns stay (`/csp return show`). If it was closed by mistake, a "
        f'coordinator can reopen it with `/csp group reopen "{group}"`.'
    )
