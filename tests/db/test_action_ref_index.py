"""Finding an action by its ref is an index lookup, not a read of the whole plan.

``find_action`` matches ``upper(ref)`` within the partnership (a ref typed in
any case finds its action); migration 0015's index on ``(partnership_id,
upper(ref))`` is what serves it. The planner is asked about the very statement
``find_action`` runs, with sequential scans priced out on PostgreSQL (a test
database is small enough for a scan to look cheaper), so the test fails if the
index no longer matches the query's expression.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from partnership.lookup import _QUERIES
from tests import kit

INDEX = "ix_action_partnership_ref_upper"


def _plan(engine: Engine, partnership_id: int) -> str:
    """The query plan of find_action's statement for ``A-1``, as one string."""
    compiled = _QUERIES[False][0].compile(dialect=engine.dialect)
    params = compiled.construct_params({"partnership": partnership_id, "ref": "A-1"})
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")
            rows = conn.exec_driver_sql(f"EXPLAIN {compiled}", params).all()
        else:
            positional = tuple(params[name] for name in compiled.positiontup or ())
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", positional).all()
    return "\n".join(" ".join(str(part) for part in row) for row in rows)


def test_find_action_uses_the_ref_index(imported: sessionmaker[Session]) -> None:
    """The plan names the index, on SQLite and on PostgreSQL."""
    with imported() as session:
        pid = kit.partnership(session).id
    plan = _plan(imported.kw["bind"], pid)
    assert INDEX in plan, plan
