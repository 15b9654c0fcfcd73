"""SQLite (development, and the default test database): a transaction that writes takes the write
lock when it starts, waiting for it, so concurrent writers queue instead of failing.

Why: left to itself, Python's sqlite3 (3.11: "legacy transaction control") starts a DEFERRED
transaction before an INSERT/UPDATE/DELETE and none before a SAVEPOINT. A SAVEPOINT outside a
transaction then starts one itself, DEFERRED, and its RELEASE commits on its own (the savepoint is
not part of the enclosing transaction). Worse, a DEFERRED transaction that has read and then writes
must upgrade its shared lock while another connection holds the write lock: SQLite answers
SQLITE_BUSY at once, without waiting busy_timeout (waiting could deadlock). Webhook ingest, while
it had a savepoint around the call insert, got "database is locked", a 503, whenever two
deliveries, or a delivery and the worker, wrote at the same moment; any begin_nested() still could.

What: SQLAlchemy's documented pysqlite recipe (dialects/sqlite "Enabling Non-Legacy SQLite
Transactional Modes"): `isolation_level = None` so sqlite3 emits no BEGIN of its own (the
`autocommit` attribute is Python 3.12+), and we emit `BEGIN IMMEDIATE`, which takes the write lock
at the start and waits busy_timeout for it. Nothing is ever upgraded, so nothing deadlocks.

When: at the first statement that writes (INSERT, UPDATE, DELETE, REPLACE) or at a SAVEPOINT, not
at SQLAlchemy's "begin" event, which fires at the first statement of any kind. Every request reads
first (the signed-in user) and Flask-SQLAlchemy keeps that transaction until the request ends:
taking the write lock there made every page, poll and CSV download hold it for its whole length,
the worker hold it across provider calls, and a second session in the same thread wait on its own
thread's lock until busy_timeout (tried: tests/test_webhook_privacy.py took 50 s instead of 4 s,
two deliveries answering 503 after waiting 15 s for the test's own session). Reads before a
transaction's first write each run on their own, as with sqlite3's default and as under
PostgreSQL's READ COMMITTED; from the first write to the commit everything holds the write lock.
DDL is left as sqlite3 leaves it.
"""

from __future__ import annotations

import re

from sqlalchemy import event
from sqlalchemy.engine import Engine

# How long a writer waits for another's transaction to end. Write transactions are short (a
# delivery's is milliseconds), but a bulk seed or a slow disk may hold the lock for seconds; a
# delivery that still times out gets 503 + Retry-After and the sender retries.
BUSY_TIMEOUT_MS = 15_000

_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|SAVEPOINT)\b", re.IGNORECASE)


def configure(engine: Engine) -> None:
    """Make an SQLite engine's writing transactions BEGIN IMMEDIATE; other engines are left alone."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # sqlite3 emits no BEGIN; we do, below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_a_write(conn, cursor, statement, parameters, context, executemany) -> None:
        raw = cursor.connection
        if raw.in_transaction:
            return
        # Core/ORM DML, also behind a CTE; text() statements and SAVEPOINT by their first word.
        dml = context is not None and (context.isinsert or context.isupdate or context.isdelete)
        if dml or _WRITES.match(statement):
            raw.execute("BEGIN IMMEDIATE")  # errors (busy after the timeout) reach SQLAlchemy wrapped
