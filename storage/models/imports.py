"""What each import file last said: the base a re-import is merged against.

One :class:`ImportBase` row per (partnership, source, kind, key) holds the
values that source stated for that row the last time it was imported (or
exported: an export is a file the coordinator may bring back), as plain JSON.
``storage.import_base`` reads and writes them; ``storage.sync_held`` compares
file, base and bot field by field (docs/plan-format.md, "Re-importing").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, utcnow


class ImportBase(Base):
    """The values one source file last stated for one row (an action, a group, a person...)."""

    __tablename__ = "import_base"
    __table_args__ = (UniqueConstraint("partnership_id", "source", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnership.id"), index=True)
    # The file's name folded to a key (storage.import_base.source_key): the same
    # spreadsheet saved again, as .csv or .xlsx, is the same source.
    source: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(300))
    # {field: value} as plain JSON, in the form an action's history writes.
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    file_name: Mapped[str | None] = mapped_column(String(300))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
