"""Every list query and filter reads its rows in index order (app/models/list_indexes.py).

The database's own planner is asked (EXPLAIN on PostgreSQL, EXPLAIN QUERY PLAN on SQLite) about the
exact statements the pages run: first page, a page after a cursor, and the capped count. Test tables
are tiny, where scanning and sorting everything is honestly cheaper, so the PostgreSQL session
sets `enable_seqscan`, `enable_sort` and `enable_incremental_sort` off (a disabled plan is only
priced out, still chosen when nothing else exists): the question answered is "can this index give
this query its rows in order", which is what fails when a query's expression drifts from its index's.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask import g
from helpers import gen_workspace
from list_data import T0, gen_callbacks, gen_deliveries
from sqlalchemy import select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable

from app.dashboard.queries import call_list, callback_list, delivery_list, failed_list
from app.extensions import db
from app.models import Call, Callback, User
from app.pagination import Key, count_query, page_query
from app.services.callbacks import open_counts_query

DAY = T0 - timedelta(minutes=10)  # a cursor inside the rows made below


class Explain(Executable, ClauseElement):
    inherit_cache = False

    def __init__(self, stmt):
        self.stmt = stmt


@compiles(Explain, "postgresql")
def _explain_pg(element, compiler, **kw):
    return "EXPLAIN " + compiler.process(element.stmt, **kw)


@compiles(Explain, "sqlite")
def _explain_sqlite(element, compiler, **kw):
    return "EXPLAIN QUERY PLAN " + compiler.process(element.stmt, **kw)


def plan(stmt) -> str:
    rows = db.session.execute(Explain(stmt)).all()
    return "\n".join(str(row[-1]) for row in rows)


def cursor_for(keys: list[Key]) -> list:
    """A plausible cursor: a datetime, number or text for each key, by its type."""
    samples = {datetime: DAY, int: 7, float: 30.0, str: "normal"}
    return [samples[getattr(key.expr.type, "impl", key.expr.type).python_type] for key in keys]


@pytest.fixture
def session_as_owner(app, client, auth):
    gen_workspace(auth)
    user = db.session.execute(select(User)).scalars().first()
    for i, callback_id in enumerate(gen_callbacks(30)):  # two in three assigned: each filter selects
        if i % 3:
            db.session.get(Callback, callback_id).assignee_id = user.id
    db.session.commit()
    gen_deliveries(30)
    with app.test_request_context():
        g._login_user = user  # Flask-Login's request user: the builders scope to its workspace
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.execute(db.text("SET enable_seqscan = off"))
            db.session.execute(db.text("SET enable_sort = off"))
            db.session.execute(db.text("SET enable_incremental_sort = off"))
        yield user


CALL_FILTERS = {
    "newest": ({}, "ix_calls_tenant_newest"),
    "oldest": ({"sort": "oldest"}, "ix_calls_tenant_newest"),
    "duration": ({"sort": "duration"}, "ix_calls_tenant_duration"),
    "status": ({"status": "processed"}, "ix_calls_tenant_status_newest"),
    "callback yes": ({"callback": "yes"}, "ix_calls_tenant_callback_newest"),
    "callback no": ({"callback": "no"}, "ix_calls_tenant_callback_newest"),
    "agent": ({"agent": 1}, "ix_calls_tenant_agent_newest"),
    "date range": ({"start": T0 - timedelta(days=1), "end": T0}, "ix_calls_tenant_newest"),
}


def assert_served(listing: tuple, index: str | tuple[str, ...]) -> None:
    stmt, keys = listing
    for query in (page_query(stmt, keys, 25), page_query(stmt, keys, 25, cursor_for(keys))):
        text = plan(query)
        assert any(name in text for name in ([index] if isinstance(index, str) else index)), text
        assert "Seq Scan" not in text and "SCAN calls\n" not in text + "\n", text
        assert "Sort" not in text and "TEMP B-TREE" not in text, text  # the index gives the order


@pytest.mark.parametrize("name", list(CALL_FILTERS))
def test_calls_list_uses_its_index(session_as_owner, name):
    filters, index = CALL_FILTERS[name]
    assert_served(call_list(**filters), index)


@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({}, "ix_callbacks_tenant_state_queue"),
        ({"agent": 1}, "ix_callbacks_tenant_state_queue"),
        ({"who": "mine"}, "ix_callbacks_tenant_assignee_queue"),
        # Both give the queue order; which is cheaper depends on how many are unassigned.
        ({"who": "unassigned"}, ("ix_callbacks_tenant_assignee_queue", "ix_callbacks_tenant_state_queue")),
        ({"state": "done"}, "ix_callbacks_tenant_state_done"),
    ],
)
def test_callback_queue_uses_its_index(session_as_owner, filters, index):
    assert_served(callback_list(session_as_owner.id, **filters), index)


def test_failed_calls_use_their_index(session_as_owner):
    assert_served(failed_list(), "ix_calls_tenant_status_tried")


@pytest.mark.parametrize(
    ("outcome", "index"),
    [(None, "ix_webhook_events_tenant_received"), ("rejected", "ix_webhook_events_tenant_outcome_received")],
)
def test_deliveries_use_their_index(session_as_owner, outcome, index):
    assert_served(delivery_list(outcome), index)


def _selective(table, column: str, value: str) -> None:
    """Half the rows get another `column` value, then fresh statistics: with every row matching, any
    index that starts with tenant_id costs the same on a one-page table and a tie picks one."""
    db.session.execute(db.text(f"UPDATE {table} SET {column} = :v WHERE id % 2 = 0"), {"v": value})
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text(f"ANALYZE {table}"))


def test_the_capped_count_reads_an_index_only(session_as_owner):
    _selective("calls", "status", "failed")
    stmt, _ = call_list(status="processed")
    text = plan(count_query(stmt, Call.id))
    assert "ix_calls_tenant_status" in text and "Seq Scan" not in text, text


def test_the_navigation_count_reads_an_index_only(session_as_owner):
    """Open and overdue callbacks, counted on every page, read through an index on (tenant_id, state):
    ix_callbacks_tenant_state_due covers the count (an index-only scan at 100,000 calls; a table of
    30 rows may be read through another index starting with the same two columns, or as a bitmap).
    Half the callbacks are done, so that an index without `state` in front (/analytics' covering
    ix_callbacks_tenant_call_at) is not as cheap as the right one."""
    _selective("callbacks", "state", "done")
    text = plan(open_counts_query(session_as_owner.tenant_id, T0))
    assert "Seq Scan" not in text, text
    if db.engine.dialect.name == "postgresql":
        scan = r"(Index (Only )?Scan using|Bitmap Index Scan on) ix_callbacks_tenant_state_\w+"
        assert re.search(scan, text), text
        assert re.search(r"Index Cond: \(\(tenant_id = \d+\) AND \(\(state\)::text = 'open'", text), text
    else:
        assert "COVERING INDEX ix_callbacks_tenant_state_due" in text, text


@pytest.mark.parametrize("listing", ["calls", "failed", "callbacks", "deliveries"])
def test_lists_leave_wide_columns_in_the_table(session_as_owner, listing):
    """A list row never needs the transcript, metadata, embedding or a delivery's body."""
    stmt, keys = {
        "calls": lambda: call_list(),
        "failed": failed_list,
        "callbacks": lambda: callback_list(session_as_owner.id),
        "deliveries": delivery_list,
    }[listing]()
    sql = str(page_query(stmt, keys, 25).compile(db.engine))
    selected = sql.split(" FROM ")[0]
    wide = re.findall(r"\.(transcript|transcript_text|call_metadata|embedding|body|headers)\b", selected)
    assert not wide
