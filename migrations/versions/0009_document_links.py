"""short-lived document links

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 18:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'documentlink',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('ref', sa.Integer(), nullable=False),
        sa.Column('created_at', models.types.UtcDateTime(), nullable=False),
        sa.Column('expires_at', models.types.UtcDateTime(), nullable=False),
        sa.Column('downloaded_at', models.types.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token'))
    op.create_index(op.f('ix_documentlink_staff_id'), 'documentlink', ['staff_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_documentlink_staff_id'), table_name='documentlink')
    op.drop_table('documentlink')
