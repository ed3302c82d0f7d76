"""audit seal (mac, acting_as, checkpoints, verifications), demo schools, one open
correction per cell enforced by the database

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 17:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('pending', 'approved')"


def upgrade() -> None:
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acting_as_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('mac', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=False, server_default=''))
        batch_op.create_foreign_key('fk_auditentry_acting_as_id_staff', 'staff',
                                    ['acting_as_id'], ['id'])
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('demo', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        'auditcheckpoint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('at', models.types.UtcDateTime(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('signature', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index(op.f('ix_auditcheckpoint_seq'), 'auditcheckpoint', ['seq'], unique=False)
    op.create_table(
        'auditverification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', models.types.UtcDateTime(), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('checked', sa.Integer(), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('problems', sa.Text(), nullable=False),
        sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_index(op.f('ix_auditverification_at'), 'auditverification', ['at'],
                    unique=False)
    for column in ('score_entry_id', 'absence_id'):
        op.create_index(f'uq_open_correction_{column}', 'correctionrequest', [column],
                        unique=True, sqlite_where=sa.text(OPEN),
                        postgresql_where=sa.text(OPEN))
    _seal_existing_entries()


def _seal_existing_entries() -> None:
    """Entries written before this revision get their seal now, once, with the key the
    deployment is configured with: from here on an unsealed entry is a tampered one."""
    from services.audit import entry_mac

    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, hash FROM auditentry WHERE mac = ''")).all()
    for row_id, hash_hex in rows:
        connection.execute(sa.text("UPDATE auditentry SET mac = :mac WHERE id = :id"),
                           {"mac": entry_mac(hash_hex), "id": row_id})


def downgrade() -> None:
    for column in ('score_entry_id', 'absence_id'):
        op.drop_index(f'uq_open_correction_{column}', table_name='correctionrequest')
    op.drop_index(op.f('ix_auditverification_at'), table_name='auditverification')
    op.drop_table('auditverification')
    op.drop_index(op.f('ix_auditcheckpoint_seq'), table_name='auditcheckpoint')
    op.drop_table('auditcheckpoint')
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('demo')
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.drop_constraint('fk_auditentry_acting_as_id_staff', type_='foreignkey')
        batch_op.drop_column('mac')
        batch_op.drop_column('acting_as_id')
