"""The Shire board and its two districts (tests/fixtures/plans/shire.yaml and neighbours)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests import kit

PLANS = ("shire", "northdale", "southmere", "riverside")
# What a board must never see of a district that shares only its summary.
NORTHDALE_PRIVATE = (
    "Northdale hotspot patrols",
    "Elm Street",
    "Northdale refuge referrals",
    "Ned Northlead",
    "Nora Northcoord",
    "Northdale ASB Group",
)
SOUTHMERE_PRIVATE = ("Southmere covert youth work", "Sue Southlead", "Sam Southcoord")


def load(session: Session) -> Session:
    """The board first (a district names it as its parent), its districts, and Riverside."""
    kit.load_plans(session, *PLANS)
    return session
