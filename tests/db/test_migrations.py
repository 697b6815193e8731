"""The migrations and the models describe the same schema, on both backends."""

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from bot.cli.parser import main as cli_main
from storage.db import (
    DatabaseError,
    current_revision,
    downgrade_to_base,
    head_revision,
    make_engine,
    upgrade,
)
from storage.models import Base


# SQLite cannot reflect an expression index (0015's upper(ref)), so there it is
# skipped with a warning; PostgreSQL compares it.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
def test_no_drift_between_migrations_and_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert current_revision(engine) == head_revision()


def test_every_model_table_is_created(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_downgrade_then_upgrade_again(empty_database_url: str) -> None:
    database_url = empty_database_url
    engine = make_engine(database_url)
    upgrade(engine)
    downgrade_to_base(engine)
    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def _partnership(conn: Connection, pid: int, slug: str) -> None:
    conn.execute(
        text(
            "INSERT INTO partnership (id, slug, name, timezone, fy_start_month, fy_start_day, "
            "nation, created_at) VALUES (:id, :slug, :slug, 'Europe/London', 4, 1, 'ENG', "
            ":now)"
        ),
        {"id": pid, "slug": slug, "now": dt.datetime(2026, 4, 1)},
    )


def _channel(conn: Connection, pid: int, purpose: str, channel: str) -> None:
    conn.execute(
        text(
            "INSERT INTO channel (partnership_id, purpose, slack_channel_id) "
            "VALUES (:pid, :purpose, :channel)"
        ),
        {"pid": pid, "purpose": purpose, "channel": channel},
    )


def test_0006_refuses_a_channel_two_partnerships_share_then_runs_once_fixed(
    empty_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Data from before 0006 with C0SHARED in two partnerships: the upgrade stops, names the
    channel and both slugs and says what to do, and changes nothing; fixed, it goes through."""
    database_url = empty_database_url
    engine = make_engine(database_url)
    upgrade(engine, "0005")
    with engine.begin() as conn:
        _partnership(conn, 1, "beta")
        _partnership(conn, 2, "alpha")
        _channel(conn, 1, "main", "C0SHARED")
        _channel(conn, 2, "board", "C0SHARED")
        _channel(conn, 2, "main", "C0ALPHA")
        _channel(conn, 2, "extra", "C0ALPHA")  # one partnership, two purposes: fine
    with pytest.raises(DatabaseError) as err:
        upgrade(engine)
    message = str(err.value)
    assert "C0SHARED (partnerships alpha, beta)" in message
    assert "C0ALPHA" not in message
    assert "csp-bot db upgrade" in message and "Nothing was changed" in message
    assert current_revision(engine) == "0005"
    assert "channel_owner" not in inspect(engine).get_table_names()
    # The operator's command says the same in one line, with no traceback.
    assert cli_main(["--database-url", database_url, "db", "upgrade"]) == 1
    said = capsys.readouterr().err
    assert said.startswith("csp-bot: cannot upgrade to 0006") and "Traceback" not in said
    assert said.count("\n") == 1

    with engine.begin() as conn:
        conn.execute(
            text("UPDATE channel SET slack_channel_id = 'C0BETA' WHERE partnership_id = 1")
        )
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        owners = conn.execute(
            text("SELECT slack_channel_id, partnership_id FROM channel_owner ORDER BY 1")
        ).all()
    assert [tuple(r) for r in owners] == [("C0ALPHA", 2), ("C0BETA", 1), ("C0SHARED", 2)]
    # From now on the database itself refuses a second partnership on a channel.
    with pytest.raises(IntegrityError), engine.begin() as conn:
        _channel(conn, 1, "board", "C0SHARED")
    engine.dispose()
