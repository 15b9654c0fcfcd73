"""conversation ids unique per workspace

A workspace could block (409) or probe another's conversation ids while they were unique across all
workspaces. The downgrade fails when two workspaces already share a conversation id.

Revision ID: dc66f4fd928b
Revises: 5f3c2a9d7e41
Create Date: 2026-11-29 05:46:07.642967

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'dc66f4fd928b'
down_revision = '5f3c2a9d7e41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_calls_conversation_id'), type_='unique')
        batch_op.create_unique_constraint('uq_calls_tenant_conversation', ['tenant_id', 'conversation_id'])


def downgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_constraint('uq_calls_tenant_conversation', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_calls_conversation_id'), ['conversation_id'])
