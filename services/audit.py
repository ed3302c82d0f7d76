"""The append-only audit log and its verification.

Each entry's hash covers its own fields and the previous entry's hash, so an
edited, inserted or deleted row breaks the chain at that row. The head hash is
also written into the year-end archive manifest, which is what detects a
truncation of the newest entries.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from core.clock import Clock
from models import AuditEntry

GENESIS = "0" * 64
_ADVISORY_KEY = 0x50D1E3  # serialises appends across PostgreSQL connections


def _canonical(value: Any) -> str:
    if value is None or value == "":
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def entry_hash(entry: AuditEntry) -> str:
    at = entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [entry.seq, at, entry.actor_id, entry.action, entry.entity, entry.entity_id,
              entry.old, entry.new, entry.via, entry.prev_hash]
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _head(session: Session) -> AuditEntry | None:
    return session.exec(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()


@dataclass(frozen=True)
class Change:
    """What one audit entry records."""

    action: str
    entity: str
    entity_id: int | None
    old: Any = None
    new: Any = None


def append(session: Session, clock: Clock, *, actor_id: int | None, action: str, entity: str,
           entity_id: int | None, old: Any = None, new: Any = None, via: str = "") -> AuditEntry:
    """Add one entry inside the caller's transaction (committed with the change it records)."""
    change = Change(action, entity, entity_id, old, new)
    return append_many(session, clock, actor_id=actor_id, changes=[change], via=via)[0]


def append_many(session: Session, clock: Clock, *, actor_id: int | None,
                changes: list[Change], via: str = "") -> list[AuditEntry]:
    """Chain several entries at once: one head look-up for a whole batch."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=_ADVISORY_KEY))
    head = _head(session)
    seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS)
    at = clock.now().astimezone(UTC)
    entries = []
    for change in changes:
        seq += 1
        entry = AuditEntry(seq=seq, at=at, actor_id=actor_id, action=change.action,
                           entity=change.entity, entity_id=change.entity_id,
                           old=_canonical(change.old), new=_canonical(change.new),
                           via=via[:120], prev_hash=prev_hash, hash="")
        entry.hash = prev_hash = entry_hash(entry)
        entries.append(entry)
    session.add_all(entries)
    session.flush()
    return entries


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    head_hash: str
    broken_at_seq: int | None = None
    problem: str = ""

    def message(self) -> str:
        if self.ok:
            return (f"Nhật ký toàn vẹn: đã kiểm {self.checked} bản ghi, "
                    f"mã cuối {self.head_hash[:16]}…")
        return (f"Nhật ký bị thay đổi tại bản ghi số {self.broken_at_seq}: {self.problem}. "
                "Báo ngay cho Hiệu trưởng và quản trị; đối chiếu với bản lưu trữ.")


def verify(session: Session, batch: int = 5000) -> ChainCheck:
    """Walk the whole chain in order, recomputing every hash."""
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    last_id = 0
    while True:
        rows = session.exec(select(AuditEntry).where(AuditEntry.id > last_id)
                            .order_by(AuditEntry.id).limit(batch)).all()
        if not rows:
            return ChainCheck(True, checked, prev_hash)
        for entry in sorted(rows, key=lambda e: e.seq):
            problem = _problem(entry, expected_seq, prev_hash)
            if problem:
                return ChainCheck(False, checked, prev_hash, expected_seq, problem)
            expected_seq, prev_hash, checked = entry.seq + 1, entry.hash, checked + 1
        last_id = rows[-1].id


def _problem(entry: AuditEntry, expected_seq: int, prev_hash: str) -> str:
    if entry.seq != expected_seq:
        return f"thiếu bản ghi (gặp số {entry.seq})"
    if entry.prev_hash != prev_hash:
        return "không nối với bản ghi trước"
    if entry_hash(entry) != entry.hash:
        return "nội dung không khớp mã băm"
    return ""
