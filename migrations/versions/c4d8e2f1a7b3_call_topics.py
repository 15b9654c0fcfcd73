"""call topics: one row per (call, topic) for /analytics' top topics, backfilled from calls.topics

Only a JSON array's non-empty string elements count, each once per call, clipped to 200 characters
(app/models/call_topic.py keeps the table in step from then on).

Revision ID: c4d8e2f1a7b3
Revises: a7c41e2b9d10
Create Date: 2026-11-29 10:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d8e2f1a7b3'
down_revision = 'a7c41e2b9d10'
branch_labels = None
depends_on = None

BACKFILL = {
    "postgresql": """
        INSERT INTO call_topics (tenant_id, call_id, topic, agent_pk, at)
        SELECT DISTINCT c.tenant_id, c.id, left(e.value #>> '{}', 200), c.agent_pk, coalesce(c.started_at, c.created_at)
        FROM calls c
        CROSS JOIN LATERAL json_array_elements(CASE WHEN json_typeof(c.topics) = 'array' THEN c.topics END) e
        WHERE json_typeof(e.value) = 'string' AND e.value #>> '{}' <> ''
    """,
    "sqlite": """
        INSERT INTO call_topics (tenant_id, call_id, topic, agent_pk, at)
        SELECT DISTINCT c.tenant_id, c.id, substr(e.value, 1, 200), c.agent_pk, coalesce(c.started_at, c.created_at)
        FROM calls c, json_each(c.topics) e
        WHERE json_type(c.topics) = 'array' AND e.type = 'text' AND e.value <> ''
    """,
}


def upgrade():
    op.create_table(
        'call_topics',
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=200), nullable=False),
        sa.Column('agent_pk', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['agent_pk'], ['agents.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('call_id', 'topic'),
    )
    op.create_index('ix_call_topics_tenant_id', 'call_topics', ['tenant_id'], unique=False)
    bind = op.get_bind()
    op.execute(BACKFILL[bind.dialect.name])
    # After the backfill: one sorted build instead of 100,000s of insertions.
    op.create_index(
        'ix_call_topics_tenant_at_topic', 'call_topics', ['tenant_id', 'at', 'topic'], unique=False,
        postgresql_include=['agent_pk'],
    )


def downgrade():
    op.drop_index('ix_call_topics_tenant_at_topic', table_name='call_topics')
    op.drop_index('ix_call_topics_tenant_id', table_name='call_topics')
    op.drop_table('call_topics')
