"""indexes for the staff lists: each list's order and filters (keyset pagination)

Revision ID: a7c41e2b9d10
Revises: a9e4e75bb8ca
Create Date: 2026-11-29 09:30:00

The expressions are those of app/models/list_indexes.py, character for character: PostgreSQL uses
an expression index only for the identical expression in a query.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c41e2b9d10'
down_revision = 'a9e4e75bb8ca'
branch_labels = None
depends_on = None

NEWEST = 'coalesce(started_at, created_at) DESC'
INDEXES = [
    ('ix_calls_tenant_newest', 'calls', ['tenant_id', NEWEST, 'id DESC']),
    ('ix_calls_tenant_status_newest', 'calls', ['tenant_id', 'status', NEWEST, 'id DESC']),
    ('ix_calls_tenant_callback_newest', 'calls', ['tenant_id', 'callback_needed', NEWEST, 'id DESC']),
    ('ix_calls_tenant_agent_newest', 'calls', ['tenant_id', 'agent_pk', NEWEST, 'id DESC']),
    ('ix_calls_tenant_duration', 'calls', ['tenant_id', 'coalesce(duration_s, -1.0) DESC', 'id DESC']),
    ('ix_calls_tenant_status_tried', 'calls',
     ['tenant_id', 'status', 'coalesce(last_attempt_at, created_at) DESC', 'id DESC']),
    ('ix_callbacks_tenant_state_queue', 'callbacks', ['tenant_id', 'state', 'priority DESC', 'due_at', 'id']),
    ('ix_callbacks_tenant_assignee_queue', 'callbacks',
     ['tenant_id', 'assignee_id', 'state', 'priority DESC', 'due_at', 'id']),
    ('ix_callbacks_tenant_state_done', 'callbacks',
     ['tenant_id', 'state', 'coalesce(done_at, updated_at) DESC', 'id DESC']),
    ('ix_webhook_events_tenant_received', 'webhook_events', ['tenant_id', 'received_at DESC', 'id DESC']),
    ('ix_webhook_events_tenant_outcome_received', 'webhook_events',
     ['tenant_id', 'outcome', 'received_at DESC', 'id DESC']),
]


def _columns(parts):
    return [part if part.isidentifier() else sa.text(part) for part in parts]


def upgrade():
    for name, table, parts in INDEXES:
        op.create_index(name, table, _columns(parts), unique=False)


def downgrade():
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
