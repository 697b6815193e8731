"""A spreadsheet or plan file sent from Slack, kept between its preview and the Import button.

The bytes stay on the server (a button's value cannot carry a file): the
preview stores them under a random token with a fingerprint of what the
partnership held when it was previewed, and the button applies exactly those
bytes only if the fingerprint still matches. An applied row is deleted (the
history records who imported which file, and when); rows never
applied are purged after a day.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class PendingImport(Base):
    """A previewed file waiting for its coordinator's Import or Cancel."""

    __tablename__ = "pending_import"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # sha256 of the partnership's plan as it stood at the preview.
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # No longer set (an applied row is deleted); kept until a migration drops them.
    applied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
