"""THPT: subject combinations of a school year, elective curriculum entries, a class's
combination, and the school's reading of TT22 Điều 9.3 and chuyên đề periods

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 02:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'subjectcombination',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year_id', sa.Integer(), nullable=False),
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(['year_id'], ['schoolyear.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('year_id', 'code'))
    op.create_index(op.f('ix_subjectcombination_year_id'), 'subjectcombination', ['year_id'])
    op.create_table(
        'combinationsubject',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('combination_id', sa.Integer(), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('topic_periods', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['combination_id'], ['subjectcombination.id']),
        sa.ForeignKeyConstraint(['subject_id'], ['subject.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('combination_id', 'subject_id'))
    op.create_index(op.f('ix_combinationsubject_combination_id'), 'combinationsubject',
                    ['combination_id'])
    with op.batch_alter_table('curriculumentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('elective', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('schoolclass', schema=None) as batch_op:
        batch_op.add_column(sa.Column('combination_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_schoolclass_combination_id', 'subjectcombination',
                                    ['combination_id'], ['id'])
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.alter_column('level', type_=sqlmodel.sql.sqltypes.AutoString(length=12),
                              existing_type=sqlmodel.sql.sqltypes.AutoString(length=8),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('learning_adjustment',
                                      sqlmodel.sql.sqltypes.AutoString(length=24),
                                      nullable=False, server_default='actual_plus_one'))
        batch_op.add_column(sa.Column('lone_subject_reading',
                                      sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=False, server_default='floor'))
        batch_op.add_column(sa.Column('comment_subject_counts', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('topic_periods_count', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('topic_periods_count')
        batch_op.drop_column('comment_subject_counts')
        batch_op.drop_column('lone_subject_reading')
        batch_op.drop_column('learning_adjustment')
        batch_op.alter_column('level', type_=sqlmodel.sql.sqltypes.AutoString(length=8),
                              existing_type=sqlmodel.sql.sqltypes.AutoString(length=12),
                              existing_nullable=False)
    with op.batch_alter_table('schoolclass', schema=None) as batch_op:
        batch_op.drop_constraint('fk_schoolclass_combination_id', type_='foreignkey')
        batch_op.drop_column('combination_id')
    with op.batch_alter_table('curriculumentry', schema=None) as batch_op:
        batch_op.drop_column('elective')
    op.drop_index(op.f('ix_combinationsubject_combination_id'), table_name='combinationsubject')
    op.drop_table('combinationsubject')
    op.drop_index(op.f('ix_subjectcombination_year_id'), table_name='subjectcombination')
    op.drop_table('subjectcombination')
