"""Indexes that serve the staff lists: each list's order (and each filter before it) read in index
order, so a page costs the same at row 20 as at row 2,000,000 and nothing is sorted (issue 9).

Expressions here must be the very ones the list queries order by (app/dashboard/queries.py):
PostgreSQL uses an expression index only for an identical expression. tests/test_list_indexes.py
runs EXPLAIN on every list query and filter.
"""

from __future__ import annotations

from sqlalchemy import Index, func, literal_column

from .call import Call
from .callback import Callback
from .webhook_event import WebhookEvent


def newest():
    """When a call happened: its start, else when it arrived."""
    return func.coalesce(Call.started_at, Call.created_at)


def longest():
    """A call's duration for "longest first", unknown ones last (an inline -1.0, as in the index)."""
    return func.coalesce(Call.duration_s, literal_column("-1.0"))


def tried():
    """When a call was last tried (failed calls), else when it arrived."""
    return func.coalesce(Call.last_attempt_at, Call.created_at)


def finished():
    """When a callback was done, else when it last changed (never NULL, for keyset cursors)."""
    return func.coalesce(Callback.done_at, Callback.updated_at)


# Calls: newest first (or oldest: the same index read backwards), per filter.
Index("ix_calls_tenant_newest", Call.tenant_id, newest().desc(), Call.id.desc())
Index("ix_calls_tenant_status_newest", Call.tenant_id, Call.status, newest().desc(), Call.id.desc())
Index(
    "ix_calls_tenant_callback_newest", Call.tenant_id, Call.callback_needed, newest().desc(), Call.id.desc()
)
Index("ix_calls_tenant_agent_newest", Call.tenant_id, Call.agent_pk, newest().desc(), Call.id.desc())
# Longest first, unknown durations last. /analytics' p90 duration walks it too, from the longest call
# down to the rank it needs, skipping calls outside the period (and agent) from the index alone.
Index(
    "ix_calls_tenant_duration",
    Call.tenant_id,
    longest().desc(),
    Call.id.desc(),
    postgresql_include=["duration_s", "started_at", "created_at", "agent_pk"],
)
# Processing page: failed calls, most recently tried first.
Index(
    "ix_calls_tenant_status_tried",
    Call.tenant_id,
    Call.status,
    tried().desc(),
    Call.id.desc(),
)

# Callbacks: the open queue (urgent first, then soonest due), whose ("mine", "unassigned"), and done.
Index(
    "ix_callbacks_tenant_state_queue",
    Callback.tenant_id,
    Callback.state,
    Callback.priority.desc(),
    Callback.due_at,
    Callback.id,
)
Index(
    "ix_callbacks_tenant_assignee_queue",
    Callback.tenant_id,
    Callback.assignee_id,
    Callback.state,
    Callback.priority.desc(),
    Callback.due_at,
    Callback.id,
)
Index(
    "ix_callbacks_tenant_state_done",
    Callback.tenant_id,
    Callback.state,
    finished().desc(),
    Callback.id.desc(),
)

# Deliveries: newest first, all or by outcome.
Index(
    "ix_webhook_events_tenant_received",
    WebhookEvent.tenant_id,
    WebhookEvent.received_at.desc(),
    WebhookEvent.id.desc(),
)
Index(
    "ix_webhook_events_tenant_outcome_received",
    WebhookEvent.tenant_id,
    WebhookEvent.outcome,
    WebhookEvent.received_at.desc(),
    WebhookEvent.id.desc(),
)
