"""sign-in failures and web chat lines in the database (shared by replicas)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 21:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'signinfailure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('at', models.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_signinfailure_address_code', 'signinfailure', ['address', 'code'])
    op.create_table(
        'webchatline',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('admin_id', sa.Integer(), nullable=False),
        sa.Column('as_staff_id', sa.Integer(), nullable=False),
        sa.Column('speaker', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('buttons', sa.Text(), nullable=False),
        sa.Column('table', sa.Text(), nullable=False),
        sa.Column('at', models.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['admin_id'], ['staff.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_webchatline_admin_staff', 'webchatline', ['admin_id', 'as_staff_id'])


def downgrade() -> None:
    op.drop_index('ix_webchatline_admin_staff', table_name='webchatline')
    op.drop_table('webchatline')
    op.drop_index('ix_signinfailure_address_code', table_name='signinfailure')
    op.drop_table('signinfailure')
