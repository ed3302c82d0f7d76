"""The append-only audit log: appending, and checking the chain itself.

Each entry's hash covers its own fields and the previous entry's hash, so an
edited, inserted or deleted row breaks the chain at that row. Each entry's `mac`
(HMAC of the hash under the audit key, `services.audit_seal`) makes a rewritten
chain with recomputed hashes fail too. Truncation of the newest rows is caught by
the signed checkpoints (`services.audit_checkpoints`), and changes to the score and
absence tables that bypass the log by the replay (`services.audit_replay`).
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from core.clock import Clock
from models import AuditEntry
from services import audit_seal

GENESIS = "0" * 64
_ADVISORY_KEY = 0x50D1E3  # serialises appends across PostgreSQL connections
_speaker: ContextVar[int | None] = ContextVar("audit_speaker", default=None)


@contextmanager
def spoken_by(person_id: int) -> Iterator[None]:
    """Within this block, entries name `person_id` as the actor and the staff member
    the services acted for as `acting_as_id` (the web chat's "speak as", demo only)."""
    token = _speaker.set(person_id)
    try:
        yield
    finally:
        _speaker.reset(token)


def _canonical(value: Any) -> str:
    if value is None or value == "":
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def entry_hash(entry: AuditEntry) -> str:
    at = entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [entry.seq, at, entry.actor_id, entry.action, entry.entity, entry.entity_id,
              entry.old, entry.new, entry.via, entry.prev_hash]
    if entry.acting_as_id is not None:  # absent from older entries: their hashes stay valid
        fields.append({"acting_as": entry.acting_as_id})
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def entry_mac(entry_hash_hex: str) -> str:
    return audit_seal.sign(f"entry:{entry_hash_hex}")


def lock_chain(session: Session) -> None:
    """Serialise with every other appender until this transaction ends (PostgreSQL; on
    SQLite the write lock and the unique sequence number do it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=_ADVISORY_KEY))


def head(session: Session) -> AuditEntry | None:
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
    lock_chain(session)
    last = head(session)
    seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS)
    at = clock.now().astimezone(UTC)
    actor, acting_as = _attribution(actor_id)
    entries = []
    for change in changes:
        seq += 1
        entry = AuditEntry(seq=seq, at=at, actor_id=actor, acting_as_id=acting_as,
                           action=change.action, entity=change.entity,
                           entity_id=change.entity_id, old=_canonical(change.old),
                           new=_canonical(change.new), via=via[:120], prev_hash=prev_hash,
                           hash="")
        entry.hash = prev_hash = entry_hash(entry)
        entry.mac = entry_mac(entry.hash)
        entries.append(entry)
    session.add_all(entries)
    session.flush()
    return entries


def _attribution(actor_id: int | None) -> tuple[int | None, int | None]:
    speaker = _speaker.get()
    if speaker is None or speaker == actor_id:
        return actor_id, None
    return speaker, actor_id


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    head_hash: str
    broken_at_seq: int | None = None
    problem: str = ""
    head_seq: int = 0

    def message(self) -> str:
        if self.ok:
            return (f"Chuỗi nhật ký liền mạch: đã kiểm {self.checked} bản ghi, "
                    f"mã cuối {self.head_hash[:16]}…")
        return (f"Nhật ký bị thay đổi tại bản ghi số {self.broken_at_seq}: {self.problem}. "
                "Báo ngay cho Hiệu trưởng và quản trị; đối chiếu với bản lưu trữ.")


def verify(session: Session, batch: int = 5000) -> ChainCheck:
    """Walk the whole chain in order, recomputing every hash and checking every seal."""
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    last_seq = 0
    while True:
        rows = session.exec(select(AuditEntry).where(AuditEntry.seq > last_seq)
                            .order_by(AuditEntry.seq).limit(batch)).all()
        if not rows:
            return ChainCheck(True, checked, prev_hash, head_seq=expected_seq - 1)
        for entry in rows:
            problem = _problem(entry, expected_seq, prev_hash)
            if problem:
                return ChainCheck(False, checked, prev_hash, expected_seq, problem,
                                  head_seq=expected_seq - 1)
            expected_seq, prev_hash, checked = entry.seq + 1, entry.hash, checked + 1
        last_seq = rows[-1].seq


def _problem(entry: AuditEntry, expected_seq: int, prev_hash: str) -> str:
    if entry.seq != expected_seq:
        return f"thiếu bản ghi (gặp số {entry.seq})"
    if entry.prev_hash != prev_hash:
        return "không nối với bản ghi trước"
    if entry_hash(entry) != entry.hash:
        return "nội dung không khớp mã băm"
    if not audit_seal.valid(f"entry:{entry.hash}", entry.mac):
        return "dấu niêm phong (HMAC) sai: bản ghi được viết lại không qua phần mềm"
    return ""
