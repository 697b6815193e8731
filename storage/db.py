"""Engines, sessions and migrations.

SQLite is the zero-configuration default; PostgreSQL is used when
``DATABASE_URL`` says so. Migrations are Alembic's, run programmatically so an
installed bot needs no ``alembic.ini`` on disk.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DEFAULT_DATABASE_URL = "sqlite:///csp-bot.db"


class DatabaseError(Exception):
    """A database problem worth a plain sentence to the operator (no traceback)."""


def normalise_url(url: str) -> str:
    """Accept Heroku's ``postgres://`` and plain ``postgresql://``; use the psycopg 3 driver."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Enforce foreign keys and let readers and a writer work side by side."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine for the URL with the settings each backend needs."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise DatabaseError(f"DATABASE_URL is not a database URL: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pool_pre_ping: a database restart under a long-lived process costs one retry,
    # not a failed request.
    # hide_parameters: a database error's message never carries the values (what
    # someone typed) into a log or an exception's text.
    return create_engine(
        url, pool_pre_ping=True, connect_args={"connect_timeout": 10}, hide_parameters=True
    )


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A sessionmaker whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls everything back on any error."""
    with factory() as session, session.begin():
        yield session


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at our migrations and reusing the given engine."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str | None:
    """The newest migration's revision id."""
    script = ScriptDirectory.from_config(alembic_config(create_engine("sqlite://")))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision``."""
    command.upgrade(alembic_config(engine), revision)


def downgrade_to_base(engine: Engine) -> None:
    """Undo every migration (tests use it to prove the downgrades work)."""
    command.downgrade(alembic_config(engine), "base")


def ensure_schema(engine: Engine) -> None:
    """Bring a SQLite file up to date on first use; insist on a migrated PostgreSQL.

    A local SQLite file belongs to the one person using it, so upgrading it in
    place is what they want. A shared PostgreSQL is migrated by the deployment's
    release step (``csp-bot db upgrade``), never as a side effect of a command.
    """
    current = current_revision(engine)
    if current == head_revision():
        return
    if engine.dialect.name == "sqlite":
        upgrade(engine)
        return
    if current is None and inspect(engine).get_table_names():
        raise DatabaseError("the database has tables but no migration record; is it csp-bot's?")
    raise DatabaseError(
        f"the database schema is at {current or 'nothing'}, not {head_revision()}: "
        "run `csp-bot db upgrade` first"
    )
