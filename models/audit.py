"""The append-only audit log, chained by SHA-256."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class AuditEntry(SQLModel, table=True):
    """One change. `hash` covers every field and `prev_hash`, so editing or
    deleting any earlier entry breaks the chain from that point on."""

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True, index=True)
    at: datetime = Field(sa_type=UtcDateTime)
    actor_id: int | None = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=40)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    old: str = Field(default="", sa_type=Text)
    new: str = Field(default="", sa_type=Text)
    via: str = Field(default="", max_length=120)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
