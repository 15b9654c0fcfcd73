"""analytics: calls by workspace and time with the columns the charts count; spend rows with their cost

Revision ID: 1c3ff10aa70a
Revises: 488347e534da
Create Date: 2026-11-29 09:20:00

/analytics counts a period's calls per day, sentiment, failed step, agent and duration: on PostgreSQL
these are read from the index alone (an index-only scan of the period's entries, no table rows). The
spend per day and month reads (tenant_id, created_at) with the tokens and cost included, likewise.
SQLite gets the plain expression index (it has no INCLUDE).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1c3ff10aa70a'
down_revision = '488347e534da'
branch_labels = None
depends_on = None

FACTS = ['id', 'agent_pk', 'status', 'failed_step', 'sentiment', 'duration_s', 'started_at', 'created_at']
COSTS = ['input_tokens', 'output_tokens', 'cost_micros']


def upgrade():
    op.create_index(
        'ix_calls_tenant_time_facts',
        'calls',
        ['tenant_id', sa.text('coalesce(started_at, created_at)')],
        postgresql_include=FACTS,
    )
    op.drop_index('ix_provider_usage_tenant_created', table_name='provider_usage')
    op.create_index(
        'ix_provider_usage_tenant_created',
        'provider_usage',
        ['tenant_id', 'created_at'],
        postgresql_include=COSTS,
    )


def downgrade():
    op.drop_index('ix_provider_usage_tenant_created', table_name='provider_usage')
    op.create_index('ix_provider_usage_tenant_created', 'provider_usage', ['tenant_id', 'created_at'])
    op.drop_index('ix_calls_tenant_time_facts', table_name='calls')
