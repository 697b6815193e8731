"""SQLAlchemy 2 models for everything a partnership keeps (see ../shared/brief/DOMAIN.md).

The tables are grouped by what they hold: :mod:`~storage.models.plan` (the
partnership and its plan), :mod:`~storage.models.reporting` (quarterly returns
and digest snapshots), :mod:`~storage.models.messaging` (the outbox and the
bot's Slack records), :mod:`~storage.models.pending` (a file sent from Slack
between its preview and its import), :mod:`~storage.models.readings` (a replaced reading's
earlier values); :mod:`~storage.models.enums` has the enumerations and
:mod:`~storage.models.base` the declarative base and column types. Import them
from here: ``from storage.models import Action``. Importing this package
declares every table, so ``Base.metadata`` is the whole schema (Alembic's env
relies on that).

Conventions that matter for the rest of the code:

* Every row that belongs to a partnership carries ``partnership_id`` directly, even
  where it could be reached through a parent, so that every query can be scoped
  to one partnership with a plain ``WHERE`` — the isolation rule is then easy to
  see in each query rather than hidden in joins.
* Enumerations are stored as short strings (``native_enum=False``) so SQLite and
  PostgreSQL hold identical data and adding a value needs no ``ALTER TYPE``.
* Timestamps are stored in UTC (see :class:`UTCDateTime`); calendar dates (due
  dates, meeting days) are plain ``Date`` values in the partnership's own zone.
* ``ActionUpdate`` rows (and a reading's ``ReadingChange`` history) are append-only: the ORM
  refuses to update or delete them.
"""

from storage.models.base import NAMING_CONVENTION, Base, UTCDateTime, enum_column, utcnow
from storage.models.enums import (
    Direction,
    GroupKind,
    NotificationState,
    OrgKind,
    Rag,
    Role,
    Sara,
    Source,
    Status,
    StrEnum,
)
from storage.models.imports import ImportBase
from storage.models.messaging import (
    ActionNudge,
    Notification,
    PartnershipWorkspace,
    SeenRequest,
    slack_bots,
    slack_installations,
    slack_oauth_states,
)
from storage.models.pending import PendingImport
from storage.models.plan import (
    Action,
    ActionUpdate,
    Channel,
    ChannelOwner,
    Measure,
    MeasurePart,
    MeasureReading,
    Meeting,
    Organisation,
    Partnership,
    Person,
    PlanChange,
    Priority,
    SubGroup,
    subgroup_priority,
)
from storage.models.readings import ReadingChange
from storage.models.reporting import (
    DigestSnapshot,
    QuarterlyReturn,
    ReturnPriorityRag,
    ReturnRevision,
)
from storage.models.setup import SetupCode

__all__ = [
    "NAMING_CONVENTION",
    "Action",
    "ActionNudge",
    "ActionUpdate",
    "Base",
    "Channel",
    "ChannelOwner",
    "DigestSnapshot",
    "Direction",
    "GroupKind",
    "ImportBase",
    "Measure",
    "MeasurePart",
    "MeasureReading",
    "Meeting",
    "Notification",
    "NotificationState",
    "OrgKind",
    "Organisation",
    "Partnership",
    "PartnershipWorkspace",
    "PendingImport",
    "Person",
    "PlanChange",
    "Priority",
    "QuarterlyReturn",
    "Rag",
    "ReadingChange",
    "ReturnPriorityRag",
    "ReturnRevision",
    "Role",
    "Sara",
    "SeenRequest",
    "SetupCode",
    "Source",
    "Status",
    "StrEnum",
    "SubGroup",
    "UTCDateTime",
    "enum_column",
    "slack_bots",
    "slack_installations",
    "slack_oauth_states",
    "subgroup_priority",
    "utcnow",
]
