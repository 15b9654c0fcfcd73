"""analytics at 100,000 calls: callbacks carry their call's time and agent; calls by duration

/analytics counted a period's callbacks through a join of every call of the period (hash join of
100,000 calls with the workspace's callbacks: ~85 ms of its ~150 ms at 90 days). Each callback now
copies its call's time (coalesce(started_at, created_at)) and agent (app/models/callback.py keeps
them in step), so the counts are one index range of callbacks. The p90 duration walks the "longest
first" list index from the longest call down instead of sorting the period's durations: on
PostgreSQL it now carries the columns that decide whether a call is in the period (INCLUDE).

Revision ID: d5e9f3a2b8c4
Revises: c4d8e2f1a7b3
Create Date: 2026-11-29 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e9f3a2b8c4'
down_revision = 'c4d8e2f1a7b3'
branch_labels = None
depends_on = None

BACKFILL = {
    "postgresql": """
        UPDATE callbacks SET call_at = coalesce(c.started_at, c.created_at), agent_pk = c.agent_pk
        FROM calls c WHERE c.id = callbacks.call_id
    """,
    "sqlite": """
        UPDATE callbacks SET
            call_at = (SELECT coalesce(c.started_at, c.created_at) FROM calls c WHERE c.id = callbacks.call_id),
            agent_pk = (SELECT c.agent_pk FROM calls c WHERE c.id = callbacks.call_id)
    """,
}

# The key of the "longest first" list index (a7c41e2b9d10), unchanged.
LONGEST = ['tenant_id', sa.text('coalesce(duration_s, -1.0) DESC'), sa.text('id DESC')]
# SQLite's batch mode rebuilds `callbacks` from reflection, which skips expression indexes and drops
# the DESC of a column: the list indexes of a7c41e2b9d10 on callbacks are made again after a rebuild.
REBUILT = [
    ('ix_callbacks_tenant_state_queue', ['tenant_id', 'state', 'priority DESC', 'due_at', 'id']),
    ('ix_callbacks_tenant_assignee_queue', ['tenant_id', 'assignee_id', 'state', 'priority DESC', 'due_at', 'id']),
    ('ix_callbacks_tenant_state_done', ['tenant_id', 'state', 'coalesce(done_at, updated_at) DESC', 'id DESC']),
]


def _list_indexes_again():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name, parts in REBUILT:
        op.execute(f'DROP INDEX IF EXISTS {name}')
        columns = [part if part.isidentifier() else sa.text(part) for part in parts]
        op.create_index(name, 'callbacks', columns, unique=False)


def upgrade():
    with op.batch_alter_table('callbacks') as batch:
        batch.add_column(sa.Column('call_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('agent_pk', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_callbacks_agent_pk_agents', 'agents', ['agent_pk'], ['id'], ondelete='SET NULL')
    op.execute(BACKFILL[op.get_bind().dialect.name])
    with op.batch_alter_table('callbacks') as batch:
        batch.alter_column('call_at', existing_type=sa.DateTime(timezone=True), nullable=False)
    _list_indexes_again()
    op.create_index(
        'ix_callbacks_tenant_call_at', 'callbacks', ['tenant_id', 'call_at'], unique=False,
        postgresql_include=['agent_pk', 'state', 'outcome', 'due_at', 'created_at', 'done_at'],
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_calls_tenant_duration', table_name='calls')
        op.create_index(
            'ix_calls_tenant_duration', 'calls', LONGEST, unique=False,
            postgresql_include=['duration_s', 'started_at', 'created_at', 'agent_pk'],
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_calls_tenant_duration', table_name='calls')
        op.create_index('ix_calls_tenant_duration', 'calls', LONGEST, unique=False)
    op.drop_index('ix_callbacks_tenant_call_at', table_name='callbacks')
    with op.batch_alter_table('callbacks') as batch:
        batch.drop_constraint('fk_callbacks_agent_pk_agents', type_='foreignkey')
        batch.drop_column('agent_pk')
        batch.drop_column('call_at')
    _list_indexes_again()
