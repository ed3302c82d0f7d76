"""subject aliases, reading settings, unlock requests

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 18:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "status = 'pending'"


def upgrade() -> None:
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scores_without_comma', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('afternoon_starts', sa.Integer(), nullable=False,
                                      server_default='12'))
        batch_op.add_column(sa.Column('unlock_days', sa.Integer(), nullable=False,
                                      server_default='3'))
    op.create_table(
        'subjectalias',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('alias', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['school.id']),
        sa.ForeignKeyConstraint(['subject_id'], ['subject.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('school_id', 'alias'))
    op.create_index(op.f('ix_subjectalias_school_id'), 'subjectalias', ['school_id'],
                    unique=False)
    op.create_table(
        'unlockrequest',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('teacher_id', sa.Integer(), nullable=False),
        sa.Column('class_id', sa.Integer(), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('term_id', sa.Integer(), nullable=False),
        sa.Column('column', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('lock_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('requested_at', models.types.UtcDateTime(), nullable=False),
        sa.Column('approver_id', sa.Integer(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', models.types.UtcDateTime(), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=False),
        sa.Column('open_until', models.types.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['approver_id'], ['staff.id']),
        sa.ForeignKeyConstraint(['class_id'], ['schoolclass.id']),
        sa.ForeignKeyConstraint(['decided_by_id'], ['staff.id']),
        sa.ForeignKeyConstraint(['lock_id'], ['lockwindow.id']),
        sa.ForeignKeyConstraint(['subject_id'], ['subject.id']),
        sa.ForeignKeyConstraint(['teacher_id'], ['staff.id']),
        sa.ForeignKeyConstraint(['term_id'], ['term.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token'))
    op.create_index(op.f('ix_unlockrequest_teacher_id'), 'unlockrequest', ['teacher_id'],
                    unique=False)
    op.create_index(op.f('ix_unlockrequest_status'), 'unlockrequest', ['status'], unique=False)
    op.create_index('uq_open_unlock', 'unlockrequest',
                    ['teacher_id', 'class_id', 'subject_id', 'term_id', 'column'], unique=True,
                    sqlite_where=sa.text(PENDING), postgresql_where=sa.text(PENDING))


def downgrade() -> None:
    op.drop_index('uq_open_unlock', table_name='unlockrequest')
    op.drop_index(op.f('ix_unlockrequest_status'), table_name='unlockrequest')
    op.drop_index(op.f('ix_unlockrequest_teacher_id'), table_name='unlockrequest')
    op.drop_table('unlockrequest')
    op.drop_index(op.f('ix_subjectalias_school_id'), table_name='subjectalias')
    op.drop_table('subjectalias')
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('unlock_days')
        batch_op.drop_column('afternoon_starts')
        batch_op.drop_column('scores_without_comma')
