"""One running end-to-end setup per backend: database, fake Slack and the real server."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from tests.databases import PostgresTemplate, SqliteTemplate
from tests.e2e.database import PLANS, Baseline, prepare_database
from tests.e2e.server import Server
from tests.fakeslack import Call, FakeSlack


@dataclass
class Stack:
    """One running end-to-end setup: database, fake Slack and the real server."""

    backend: str
    url: str
    fake: FakeSlack = field(repr=False)
    server: Server = field(repr=False)
    db: Baseline = field(repr=False)
    startup: list[Call] = field(default_factory=list, repr=False)

    def reset(self) -> None:
        """Put the database back as imported and forget what Slack was sent."""
        self.db.restore()
        self.fake.reset()

    @contextmanager
    def test(self) -> Iterator[Stack]:
        """One test: from the imported plans, and no traceback in the server's log after it."""
        self.reset()
        seen = len(self.server.output())
        yield self
        time.sleep(0.05)  # let a lazy listener's last log line land
        new = self.server.output()[seen:]
        assert "Traceback" not in new, new[-4000:]


def long_plan(path: Path, count: int = 120) -> Path:
    """Write a plan for a third partnership (its own team) holding ``count`` actions."""
    plan = {
        "version": 1,
        "partnership": {
            "name": "Longford Community Safety Partnership",
            "slug": "longford",
            "slack": {"team_id": "T0LONG", "channels": {"general": "C0LGEN"}},
        },
        "people": [
            {"name": "Lena Longford", "role": "coordinator", "slack": "U0LENA"},
            {"name": "Len Lead", "role": "lead", "slack": "U0LEN"},
        ],
        "priorities": [
            {
                "code": "P1",
                "title": "Keep the long plan on track",
                "actions": [
                    {
                        "ref": f"A-{i}",
                        "title": f"Long plan action number {i} with a reasonably long title",
                        "owner": "Len Lead",
                        "due": f"{1 + i % 28:02d}/{1 + i % 12:02d}/2027",
                    }
                    for i in range(1, count + 1)
                ],
            }
        ],
    }
    path.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
    return path


@contextmanager
def running(
    request: pytest.FixtureRequest, workdir: Path, extra_plans: Sequence[Path] = ()
) -> Iterator[Stack]:
    """A migrated database with the fixture plans, a FakeSlack and the server, on one backend."""
    backend = str(request.param)
    with ExitStack() as stack:
        # Copies of the session's migrated template: prepare_database's upgrade has nothing to do.
        if backend == "sqlite":
            sqlite: SqliteTemplate = request.getfixturevalue("sqlite_template")
            url = sqlite.copy(workdir / "bot.db")
        else:
            postgres: PostgresTemplate = request.getfixturevalue("postgres_template")
            url = stack.enter_context(contextmanager(postgres.copy)())
        prepare_database(url, [PLANS / "riverside.yaml", PLANS / "hillford.yaml", *extra_plans])
        fake = stack.enter_context(FakeSlack())
        server = stack.enter_context(Server(url, fake))
        db = Baseline(url)
        stack.callback(db.close)
        yield Stack(backend, url, fake, server, db, fake.calls())
