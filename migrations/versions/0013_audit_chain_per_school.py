"""one audit chain per school: auditentry.chain, auditcheckpoint.chain and the chain a
printed document's audit head counts in

Existing entries and checkpoints stay in chain 0 with their hashes and seals
unchanged (rewriting them would orphan every printed checkpoint); new entries go to
their school's chain.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 01:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.drop_index('ix_auditentry_seq')
        batch_op.create_index('uq_auditentry_chain_seq', ['chain', 'seq'], unique=True)
    with op.batch_alter_table('auditcheckpoint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.drop_index('ix_auditcheckpoint_seq')
        batch_op.create_index('ix_auditcheckpoint_chain_seq', ['chain', 'seq'])
    with op.batch_alter_table('printeddocument', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_chain', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('printeddocument', schema=None) as batch_op:
        batch_op.drop_column('audit_chain')
    with op.batch_alter_table('auditcheckpoint', schema=None) as batch_op:
        batch_op.drop_index('ix_auditcheckpoint_chain_seq')
        batch_op.create_index('ix_auditcheckpoint_seq', ['seq'])
        batch_op.drop_column('chain')
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.drop_index('uq_auditentry_chain_seq')
        batch_op.create_index('ix_auditentry_seq', ['seq'], unique=True)
        batch_op.drop_column('chain')
