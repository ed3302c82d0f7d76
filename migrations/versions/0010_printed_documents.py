"""printed documents, students' priority group and parents' occupations, summer conduct

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 20:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STUDENT_COLUMNS = ('priority_group', 'father_occupation', 'mother_occupation')


def upgrade() -> None:
    with op.batch_alter_table('student') as batch:
        for name in _STUDENT_COLUMNS:
            batch.add_column(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=80),
                                       nullable=False, server_default=''))
    op.create_table(
        'summerconduct',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('year_id', sa.Integer(), nullable=False),
        sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('rated_by_id', sa.Integer(), nullable=False),
        sa.Column('rated_at', models.types.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['student_id'], ['student.id']),
        sa.ForeignKeyConstraint(['year_id'], ['schoolyear.id']),
        sa.ForeignKeyConstraint(['rated_by_id'], ['staff.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('student_id', 'year_id'))
    op.create_index(op.f('ix_summerconduct_student_id'), 'summerconduct', ['student_id'])
    op.create_index(op.f('ix_summerconduct_year_id'), 'summerconduct', ['year_id'])
    op.create_table(
        'printeddocument',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('school_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('printed_at', models.types.UtcDateTime(), nullable=False),
        sa.Column('audit_seq', sa.Integer(), nullable=False),
        sa.Column('audit_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=False),
        sa.Column('cells', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['school.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'))
    op.create_index(op.f('ix_printeddocument_school_id'), 'printeddocument', ['school_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_printeddocument_school_id'), table_name='printeddocument')
    op.drop_table('printeddocument')
    op.drop_index(op.f('ix_summerconduct_year_id'), table_name='summerconduct')
    op.drop_index(op.f('ix_summerconduct_student_id'), table_name='summerconduct')
    op.drop_table('summerconduct')
    with op.batch_alter_table('student') as batch:
        for name in _STUDENT_COLUMNS:
            batch.drop_column(name)
