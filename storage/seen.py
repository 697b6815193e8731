"""Requests already handled: a redelivered Slack request is acknowledged, not run again.

Slack redelivers an Events API request it thinks timed out (``X-Slack-Retry-Num``),
and any proxy or client on the way may send a request twice. Each request's
key is claimed here, in its own committed transaction, before it runs; a
second claim of the same key fails on the primary key, so across several web
workers sharing one database exactly one of them runs it. The claim comes
first, so a request is applied at most once: a worker that dies while
running it leaves the key taken, and Slack's redelivery is not run either —
for a command that is the right failure (the person sees no answer and types
it again; they never get it twice).

Keys are digests, never the request's text. Rows older than :data:`WINDOW`
are deleted as new ones arrive: a signed request is refused once its
timestamp is five minutes old, and Slack gives up redelivering an event well
within an hour.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from functools import cached_property

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from storage.models import SeenRequest

WINDOW = dt.timedelta(hours=1)
# Seconds between two clean-ups in one process: one DELETE a minute is enough.
PURGE_EVERY = 60.0


_CLAIM = insert(SeenRequest)


def request_key(kind: str, value: str) -> str:
    """The stored key for a request: a digest of what identifies it (never its text)."""
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


class Ledger:
    """Claims request keys in the database; one per web process."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self._lock = threading.Lock()
        self._last_purge = 0.0

    @cached_property
    def _claims(self) -> Engine:
        """The engine the claims run on: the factory's, in autocommit.

        The claim is one INSERT, committed by itself: on a plain connection, without
        a session's unit of work around it and without the BEGIN and COMMIT round
        trips of a transaction (it runs before every request).
        """
        engine: Engine = self.factory.kw["bind"]
        return engine.execution_options(isolation_level="AUTOCOMMIT")

    def first_time(self, key: str, now: dt.datetime | None = None) -> bool:
        """Claim ``key``: True the first time it is seen (within the window), else False."""
        now = now or dt.datetime.now(dt.UTC)
        self._maybe_purge(now)
        try:
            with self._claims.connect() as conn:
                conn.execute(_CLAIM, {"key": key, "seen_at": now})
        except IntegrityError:  # the key is taken; in autocommit nothing is left open
            return False
        return True

    def _maybe_purge(self, now: dt.datetime) -> None:
        """Delete keys older than the window, at most once a minute per process."""
        with self._lock:
            if time.monotonic() - self._last_purge < PURGE_EVERY:
                return
            self._last_purge = time.monotonic()
        self.purge(now)

    def purge(self, now: dt.datetime | None = None) -> None:
        """Delete the keys older than the window."""
        now = now or dt.datetime.now(dt.UTC)
        with self._lock:
            self._last_purge = time.monotonic()
        with self.factory() as session:
            session.execute(delete(SeenRequest).where(SeenRequest.seen_at < now - WINDOW))
            session.commit()
