"""provider usage (tokens and cost per call and step), monthly budget, summary language

Revision ID: 6bbbc6b10e21
Revises: 81c120aa5cff
Create Date: 2026-11-29 07:26:06.889751

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6bbbc6b10e21'
down_revision = '81c120aa5cff'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('provider_usage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('operation', sa.String(length=16), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('input_tokens', sa.Integer(), nullable=False),
    sa.Column('output_tokens', sa.Integer(), nullable=False),
    sa.Column('cost_micros', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_provider_usage_call_id_calls'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_provider_usage_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_usage'))
    )
    with op.batch_alter_table('provider_usage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_usage_call_id'), ['call_id'], unique=False)
        batch_op.create_index('ix_provider_usage_tenant_created', ['tenant_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_usage_tenant_id'), ['tenant_id'], unique=False)

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting_for', sa.String(length=16), nullable=True))

    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_language', sa.String(length=8), server_default='en', nullable=False))
        batch_op.add_column(sa.Column('monthly_budget_micros', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('budget_reached_month', sa.String(length=7), nullable=True))



def downgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('budget_reached_month')
        batch_op.drop_column('monthly_budget_micros')
        batch_op.drop_column('summary_language')

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('waiting_for')

    with op.batch_alter_table('provider_usage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_usage_tenant_id'))
        batch_op.drop_index('ix_provider_usage_tenant_created')
        batch_op.drop_index(batch_op.f('ix_provider_usage_call_id'))

    op.drop_table('provider_usage')
