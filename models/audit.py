"""The append-only audit log, chained by SHA-256 and sealed with a key kept outside the
database; its signed checkpoints; and the results of its verification."""

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from models.types import UtcDateTime


class AuditEntry(SQLModel, table=True):
    """One change. `hash` covers every field and `prev_hash`, so editing or
    deleting any earlier entry breaks the chain from that point on. `mac` is an
    HMAC of `hash` under the audit key (not in the database), so a rewritten chain
    whose hashes were recomputed still fails. `acting_as_id` is set when a person
    spoke as someone else (the admin panel's web chat, demo mode only).

    Each school keeps its own chain (`chain` = the school's id, `seq` counting from 1
    within it), so one school's chain verifies on its own and appends wait only for
    the same school's. Chain 0 holds what was logged before chains were per school
    (and anything of no school); its hashes are unchanged."""

    __table_args__ = (Index("uq_auditentry_chain_seq", "chain", "seq", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    chain: int = Field(default=0)
    seq: int
    at: datetime = Field(sa_type=UtcDateTime)
    actor_id: int | None = Field(default=None, foreign_key="staff.id")
    acting_as_id: int | None = Field(default=None, foreign_key="staff.id")
    action: str = Field(max_length=40)
    entity: str = Field(max_length=40)
    entity_id: int | None = None
    old: str = Field(default="", sa_type=Text)
    new: str = Field(default="", sa_type=Text)
    via: str = Field(default="", max_length=120)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    mac: str = Field(default="", max_length=64)


class AuditCheckpoint(SQLModel, table=True):
    """The chain's head (sequence number and hash) at a moment that matters — a month
    closed, a lock, a print, an archive — signed with the audit key. A truncated or
    rewritten log no longer reaches or matches its newest checkpoint."""

    __table_args__ = (Index("ix_auditcheckpoint_chain_seq", "chain", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    chain: int = Field(default=0)  # the school's chain, as in AuditEntry
    seq: int
    hash: str = Field(max_length=64)
    at: datetime = Field(sa_type=UtcDateTime)
    reason: str = Field(max_length=120)
    signature: str = Field(max_length=64)


class AuditVerification(SQLModel, table=True):
    """One run of the full verification; the status page shows the newest."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UtcDateTime, index=True)
    ok: bool
    checked: int
    summary: str = Field(sa_type=Text)
    problems: str = Field(default="", sa_type=Text)  # one line each
    trigger: str = Field(default="", max_length=40)  # "schedule", "panel:<staff id>", "cli"
