"""Shared fixtures: a migrated database on SQLite, and on PostgreSQL when one answers.

Each session migrates once per backend (``tests/databases.py``): ``database_url``
and ``engine`` are migrated and hold no rows; ``empty_database_url`` is for the
tests of the migrations. Every test is marked with its tier (``unit``, ``db``,
``process``), ``postgres`` if it runs there, and ``slow`` outside the fast loop.

PostgreSQL tests use ``TEST_DATABASE_URL``, or else a local server at
``postgresql://postgres@127.0.0.1:5432/test`` if one answers; otherwise they skip.
With ``CSP_REQUIRE_POSTGRES=1`` (CI sets it) a missing or unreachable server fails
the run instead, so CI cannot pass by quietly testing SQLite alone.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, normalise_url, session_factory
from tests import databases

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"

# Loggers whose level ``bot.logs.setup`` sets; a test that runs ``csp-bot`` in process
# calls it, and without this the next test inherits its handler and its levels.
TUNED_LOGGERS = ("slack_sdk", "urllib3", "alembic")


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """Put the root logger's handlers and the tuned loggers' levels back after each test.

    ``logs.setup`` swaps the root handler for one writing to the ``sys.stderr`` of that
    moment (pytest's capture, closed after the test), and raises ``slack_sdk`` to INFO;
    a later test then logs into a closed file, or misses the client's DEBUG lines.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in TUNED_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or LOCAL_POSTGRES
    return normalise_url(url)


def _require_postgres() -> bool:
    return os.environ.get("CSP_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the server's maintenance database, for creating test databases."""
    url = _postgres_url()
    engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        if _require_postgres():
            pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is not answering: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    yield engine
    engine.dispose()


def _fresh_postgres(admin: Engine, prefix: str = "csp_test") -> Iterator[str]:
    """A new, empty PostgreSQL database for one test (or benchmark), dropped afterwards."""
    yield from databases.fresh_postgres(admin, prefix)


@pytest.fixture(scope="session")
def postgres_template(postgres_admin: Engine) -> Iterator[databases.PostgresTemplate]:
    """PostgreSQL migrated once for the session (per xdist worker): template and work copy."""
    with databases.closing(databases.PostgresTemplate(postgres_admin)) as template:
        yield template


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> databases.SqliteTemplate:
    """A SQLite file migrated once for the session (per xdist worker)."""
    return databases.SqliteTemplate(tmp_path_factory.mktemp("template") / "migrated.db")


@pytest.fixture
def postgres_url(postgres_admin: Engine) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    yield from _fresh_postgres(postgres_admin)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database on each backend: for tests of the migrations."""
    if request.param == "sqlite":
        yield databases.sqlite_url(tmp_path / "test.db")
        return
    yield request.getfixturevalue("postgres_url")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database holding no rows, on each backend (from the session's template)."""
    if request.param == "sqlite":
        template: databases.SqliteTemplate = request.getfixturevalue("sqlite_template")
        yield template.copy(tmp_path / "test.db")
        return
    yield from request.getfixturevalue("postgres_template").fresh()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated engine on each backend."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    """A sessionmaker on the migrated engine."""
    return session_factory(engine)


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session; tests commit or not as they need."""
    with factory() as s:
        yield s


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite URL for tests that only need one backend (CLI, file handling)."""
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def imported(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """A session factory on a database holding both fixture plans (Riverside, Hillford)."""
    from tests import kit

    with factory() as session:
        kit.load_plans(session)
    return factory


# ------------------------------------------------------------------ tiers and markers

TIERS = ("unit", "db", "process")
# Fixtures that give a test a database: a test asking for one is at least in the db tier.
DATABASE_FIXTURES = frozenset(
    {
        "database_url",
        "empty_database_url",
        "engine",
        "factory",
        "session",
        "imported",
        "sqlite_url",
        "postgres_url",
        "postgres_admin",
    }
)


def tier_of(item: pytest.Item) -> str:
    """A test's tier: its folder's, raised to ``db`` if it asks for a database.

    A test elsewhere that runs a process says so with ``@pytest.mark.process``.
    """
    if item.get_closest_marker("process") is not None:
        return "process"
    folder = item.path.parent.name
    tier = folder if folder in TIERS else "unit"
    if tier == "unit" and DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return "db"
    return tier


def on_postgres(item: pytest.Item) -> bool:
    """Whether a test runs on PostgreSQL (a ``postgresql`` parameter or a PostgreSQL fixture)."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "postgresql" in callspec.params.values():
        return True
    return bool({"postgres_url", "postgres_admin"} & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test with its tier, ``postgres`` if it needs the server, ``slow`` if either.

    ``pytest -m "not slow"`` is the fast loop: the unit and db tiers on SQLite.
    """
    for item in items:
        tier = tier_of(item)
        if item.get_closest_marker(tier) is None:
            item.add_marker(tier)
        postgres = on_postgres(item)
        if postgres:
            item.add_marker("postgres")
        if tier == "process" or postgres:
            item.add_marker("slow")
