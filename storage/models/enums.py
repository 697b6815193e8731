"""The enumerations stored in the tables: what each value means to a partnership.

Each value is the string stored and the word people type (see
:mod:`storage.words` for the other words they may write for it).
"""

from __future__ import annotations

import enum


class StrEnum(enum.StrEnum):
    """Base for our enumerations; the value is what is stored and typed."""

    @classmethod
    def values(cls) -> list[str]:
        """All stored values, in declaration order."""
        return [m.value for m in cls]


class OrgKind(StrEnum):
    """Whether an organisation is a statutory member of the partnership."""

    RESPONSIBLE_AUTHORITY = "responsible_authority"
    CO_OPTED = "co_opted"
    OTHER = "other"


class Role(StrEnum):
    """What a person does in the bot (DOMAIN.md, 'Who the users are')."""

    CHAIR = "chair"
    COORDINATOR = "coordinator"
    LEAD = "lead"
    MEMBER = "member"


class GroupKind(StrEnum):
    """A standing themed group, or a time-limited task-and-finish group."""

    STANDING = "standing"
    TASK_AND_FINISH = "task_and_finish"


class Status(StrEnum):
    """Where an action is in its life."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    DROPPED = "dropped"


class Rag(StrEnum):
    """Red (off track), amber (slipping or at risk), green (on track)."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class Sara(StrEnum):
    """Stage of the SARA problem-solving model."""

    SCANNING = "scanning"
    ANALYSIS = "analysis"
    RESPONSE = "response"
    ASSESSMENT = "assessment"


class Direction(StrEnum):
    """Which way a measure should move."""

    HIGHER = "higher"
    LOWER = "lower"


class Source(StrEnum):
    """Where a change to an action came from."""

    IMPORT = "import"
    COMMAND = "command"
    MODAL = "modal"
    BUTTON = "button"
    CONSOLE = "console"
    SCHEDULER = "scheduler"


class NotificationState(StrEnum):
    """Life of a scheduled message in the outbox."""

    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
