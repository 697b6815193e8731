"""Test databases migrated once per session, then copied or emptied for each test.

Running Alembic on a new database costs far more than a test's own queries, and
the suite holds well over a thousand database tests. So each pytest session (each
xdist worker has its own) migrates once per backend:

* SQLite: one migrated file; a test's database is a byte copy of it.
* PostgreSQL: one migrated *template* database nobody connects to, from which
  ``CREATE DATABASE … TEMPLATE`` makes the databases that live longer than a test
  (a module's running server), and one *work* database that every test shares in
  turn: before each test it is emptied (``DELETE`` in foreign-key order, sequences
  restarted), which is what a freshly migrated database holds.

The tests of the migrations themselves ask for an empty database and run Alembic.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, MetaData, column, create_engine, func, select, table, text
from sqlalchemy.engine import make_url

from storage.db import head_revision, make_engine, normalise_url, upgrade


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


class SqliteTemplate:
    """A SQLite file migrated once; :meth:`copy` gives each test its own migrated file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        engine = make_engine(sqlite_url(path))
        try:
            upgrade(engine)
        finally:
            engine.dispose()  # the last connection checkpoints WAL into the file itself

    def copy(self, target: Path) -> str:
        """Copy the migrated file to ``target`` and return its URL."""
        shutil.copyfile(self.path, target)
        return sqlite_url(target)


def database_url_named(admin: Engine, name: str) -> str:
    """The URL of database ``name`` on the server ``admin`` is connected to."""
    return make_url(str(admin.url)).set(database=name).render_as_string(hide_password=False)


def create_database(admin: Engine, name: str, template: str | None = None) -> str:
    """Create database ``name`` (empty, or a copy of ``template``) and return its URL."""
    clause = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    return database_url_named(admin, name)


def drop_database(admin: Engine, name: str) -> None:
    """Drop database ``name``, ending whatever connections are still open to it."""
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


def fresh_postgres(
    admin: Engine, prefix: str = "csp_test", template: str | None = None
) -> Iterator[str]:
    """A new PostgreSQL database (empty, or a copy of ``template``), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    url = create_database(admin, name, template)
    try:
        yield url
    finally:
        drop_database(admin, name)


class PostgresTemplate:
    """A migrated template database and a work database every test empties and reuses."""

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        stem = f"csp_tmpl_{uuid.uuid4().hex[:12]}"
        self.name = stem
        self.work = f"{stem}_work"
        self._work_engine: Engine | None = None
        self._reset_sql = ""
        self._table_count = 0
        self.seeded = False
        engine = make_engine(create_database(admin, self.name))
        try:
            upgrade(engine)
            self.seeded = _holds_rows(engine)
        finally:
            engine.dispose()  # a template takes no connections while it is copied
        if not self.seeded:
            self._make_work()

    def copy(self, prefix: str = "csp_test") -> Iterator[str]:
        """A new database copied from the template, dropped afterwards."""
        yield from fresh_postgres(self.admin, prefix, self.name)

    def fresh(self) -> Iterator[str]:
        """A migrated, empty database for one test: the work database, emptied.

        A migration that seeds rows would make "emptied" wrong: then each test
        gets its own copy of the template instead.
        """
        if self.seeded:
            yield from self.copy()
            return
        try:
            self._reset()
        except Exception:  # a test changed the schema or the revision: start again
            self._drop_work()
            self._make_work()
        yield database_url_named(self.admin, self.work)

    def close(self) -> None:
        """Drop both databases."""
        self._drop_work()
        drop_database(self.admin, self.name)

    # -------------------------------------------------------------- private

    def _make_work(self) -> None:
        url = create_database(self.admin, self.work, self.name)
        # One connection, kept: the resets are the only thing it does.
        self._work_engine = create_engine(normalise_url(url), pool_size=1)
        meta = MetaData()
        with self._work_engine.connect() as conn:
            meta.reflect(conn)
            sequences = conn.scalars(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            ).all()
        tables = [t.name for t in reversed(meta.sorted_tables) if t.name != "alembic_version"]
        self._table_count = len(meta.sorted_tables)
        self._reset_sql = ";\n".join(
            [
                # Whatever the last test left open (an engine it never disposed) could
                # hold a lock the DELETEs would wait on for ever; it is finished.
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()",
                *(f'DELETE FROM "{name}"' for name in tables),
                *(f'ALTER SEQUENCE "{name}" RESTART' for name in sequences),
            ]
        )

    def _reset(self) -> None:
        assert self._work_engine is not None
        with self._work_engine.begin() as conn:
            versions = table("alembic_version", column("version_num"))
            version = conn.scalar(select(versions.c.version_num).limit(1))
            if version != head_revision():
                raise RuntimeError(f"the work database is at {version}")
            count = conn.scalar(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
            if count != self._table_count:
                raise RuntimeError(f"the work database holds {count} tables")
            # One round trip: psycopg sends a parameterless text as a simple query.
            cursor = conn.connection.cursor()
            cursor.execute(self._reset_sql)

    def _drop_work(self) -> None:
        if self._work_engine is not None:
            self._work_engine.dispose()
            self._work_engine = None
        drop_database(self.admin, self.work)


def _holds_rows(engine: Engine) -> bool:
    """Whether any table but Alembic's holds a row (a migration that seeds data)."""
    meta = MetaData()
    with engine.connect() as conn:
        meta.reflect(conn)
        for item in meta.sorted_tables:
            if item.name == "alembic_version":
                continue
            if conn.scalar(select(func.count()).select_from(item)):
                return True
    return False


@contextlib.contextmanager
def closing(template: PostgresTemplate) -> Iterator[PostgresTemplate]:
    """Drop the template's databases when the block ends."""
    try:
        yield template
    finally:
        template.close()
