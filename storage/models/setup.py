"""One-time set-up codes: how a single-workspace operator lets someone set up from Slack.

``csp-bot setup-code`` prints a code and stores only its SHA-256 digest; the
first person to type ``/csp setup code:XXXX`` redeems it (``redeemed_by``),
and it is spent when their partnership is created (``partnership_id``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class SetupCode(Base):
    """A one-time code that lets whoever redeems it set up one partnership."""

    __tablename__ = "setup_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Hex SHA-256 of the code: the code itself is never stored.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    redeemed_team: Mapped[str | None] = mapped_column(String(32))
    redeemed_by: Mapped[str | None] = mapped_column(String(32), index=True)
    redeemed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The partnership it was spent on; set once, and the code is then used up.
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnership.id", ondelete="SET NULL")
    )
