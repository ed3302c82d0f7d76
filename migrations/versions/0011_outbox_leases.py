"""outbox leases: a delivery claimed by one sender at a time

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 21:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('delivery') as batch:
        batch.add_column(sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=64),
                                   nullable=False, server_default=''))
        batch.add_column(sa.Column('lease_until', models.types.UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('delivery') as batch:
        batch.drop_column('lease_until')
        batch.drop_column('claimed_by')
