"""year-end archive jobs in the database (progress seen by every replica)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 03:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'archivejob',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('result_path', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('started_at', models.types.UtcDateTime(), nullable=False),
        sa.Column('heartbeat_at', models.types.UtcDateTime(), nullable=False),
        sa.Column('finished_at', models.types.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['school_id'], ['school.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_archivejob_school_id', 'archivejob', ['school_id'])
    op.create_index('uq_archivejob_running', 'archivejob', ['school_id'], unique=True,
                    sqlite_where=sa.text('finished_at IS NULL'),
                    postgresql_where=sa.text('finished_at IS NULL'))


def downgrade() -> None:
    op.drop_index('uq_archivejob_running', table_name='archivejob')
    op.drop_index('ix_archivejob_school_id', table_name='archivejob')
    op.drop_table('archivejob')
