"""What the county board and its districts are told: board status and priority mapping."""

from __future__ import annotations


def not_linked(*, partnership: str) -> str:
    """Board status asked in a partnership that is neither a board nor under one."""
    return (
        f"{partnership} has no districts and is under no county board. A district names its "
        "board in its plan file (`partnership: parent: <board slug>`) and is imported after it."
    )


def no_district(*, text: str, board: str, names: str) -> str:
    """A district name that is not one of this board's districts."""
    return (
        f"`{text[:60]}` is not a district of {board}. Its districts: {names}. "
        "Quote a name with spaces."
    )


def own_district_only(*, district: str) -> str:
    """A district asking to see another district (whether or not that name exists)."""
    return (
        f"Sorry, from {district} you can see only {district}'s own summary: "
        "`/csp board status`. The county board's members see every district."
    )


def board_members_only(*, board: str) -> str:
    """Someone with no place in the board asking for its districts."""
    return f"Sorry, only people of {board} can see its districts."


DOING_BOARD_STATUS = "see what the county board sees of this district"
DOING_MAP = "map this partnership's priorities onto the county board's"


def not_a_district(*, partnership: str) -> str:
    """Priority mapping asked in a partnership with no county board over it."""
    return (
        f"{partnership} is under no county board, so its priorities have nothing to map "
        "onto. A district names its board in its plan file (`partnership: parent:`)."
    )


def no_board_priority(*, text: str, board: str, codes: str) -> str:
    """A board priority the board's plan does not have."""
    return f"{board} has no priority `{text[:40]}`. Its priorities: {codes}. Or write `to:none`."


MAP_USAGE = "Say which of the board's priorities it maps onto: `/csp priority map P1 to:P9`."


def mapped(*, code: str, board_code: str, board: str) -> str:
    """The fallback text after mapping a priority."""
    return f"{code} now maps onto {board}'s {board_code}"


def unmapped(*, code: str) -> str:
    """The fallback text after clearing a mapping."""
    return f"{code} is no longer mapped onto a county priority"


def board_status(*, board: str, districts: int) -> str:
    """The fallback text of board status."""
    return f"Board status for {board}: {districts} district{'s' if districts != 1 else ''}"
