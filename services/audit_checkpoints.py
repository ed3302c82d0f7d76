"""Signed checkpoints of the audit chain's head.

Written at the moments a school relies on the record — a month of attendance
closed, a lock, a book printed, the archive built — and printed on the
confirmation sheets and the archive index. A checkpoint's signature needs the audit
key, which is not in the database, so a log cut back behind a checkpoint, or
rewritten under it, no longer matches it.
"""

from dataclasses import dataclass
from datetime import UTC

from sqlmodel import Session, func, select

from core.clock import VN_TZ, Clock
from models import AuditCheckpoint, AuditEntry
from services import audit, audit_seal


def _signed_text(checkpoint: AuditCheckpoint) -> str:
    moment = checkpoint.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    text = f"checkpoint:{checkpoint.seq}:{checkpoint.hash}:{moment}:{checkpoint.reason}"
    # Chain 0 checkpoints were signed before chains were per school: same text as then.
    return f"{text}:chain={checkpoint.chain}" if checkpoint.chain else text


def write(session: Session, clock: Clock, reason: str, school_id: int) -> AuditCheckpoint:
    """A checkpoint of the school chain's head as this transaction sees it; the caller
    commits."""
    audit.lock_chain(session, school_id)
    last = audit.head(session, school_id)
    seq, hash_hex = (last.seq, last.hash) if last else (0, audit.GENESIS)
    checkpoint = AuditCheckpoint(chain=school_id, seq=seq, hash=hash_hex,
                                 at=clock.now().astimezone(UTC), reason=reason[:120],
                                 signature="")
    checkpoint.signature = audit_seal.sign(_signed_text(checkpoint))
    session.add(checkpoint)
    session.flush()
    return checkpoint


def write_now(session: Session, clock: Clock, reason: str,
              school_id: int) -> AuditCheckpoint:
    checkpoint = write(session, clock, reason, school_id)
    session.commit()
    return checkpoint


def label(checkpoint: AuditCheckpoint) -> str:
    """How a checkpoint is printed: enough to compare by eye with the database."""
    return (f"Điểm kiểm nhật ký: bản ghi số {checkpoint.seq}, mã {checkpoint.hash[:16]}, "
            f"chữ ký {checkpoint.signature[:16]}, lúc "
            f"{checkpoint.at.astimezone(VN_TZ):%H:%M %d/%m/%Y}")


@dataclass(frozen=True)
class CheckpointProblem:
    checkpoint_id: int
    seq: int
    text: str


def problems(session: Session, school_id: int | None = None) -> list[CheckpointProblem]:
    """Every checkpoint whose signature fails, whose entry is gone, or whose hash no
    longer matches the entry now stored under its number (in its own chain)."""
    heads = dict(session.exec(select(AuditEntry.chain, func.max(AuditEntry.seq))
                              .group_by(AuditEntry.chain)).all())
    query = select(AuditCheckpoint).order_by(AuditCheckpoint.id)
    if school_id is not None:
        query = query.where(AuditCheckpoint.chain == school_id)
    found = []
    for checkpoint in session.exec(query):
        text = _problem(session, checkpoint, heads.get(checkpoint.chain, 0))
        if text:
            found.append(CheckpointProblem(checkpoint.id, checkpoint.seq, text))
    return found


def _problem(session: Session, checkpoint: AuditCheckpoint, chain_head_seq: int) -> str:
    when = f"{checkpoint.at.astimezone(VN_TZ):%H:%M %d/%m/%Y} ({checkpoint.reason})"
    if checkpoint.chain:
        when += f", {audit.chain_name(session, checkpoint.chain)}"
    if not audit_seal.valid(_signed_text(checkpoint), checkpoint.signature):
        return f"điểm kiểm lúc {when} có chữ ký sai (bị sửa hoặc giả)"
    if checkpoint.seq == 0:
        return ""
    if checkpoint.seq > chain_head_seq:
        return (f"nhật ký bị cắt: điểm kiểm lúc {when} ghi tới bản ghi số {checkpoint.seq}, "
                f"nhưng nhật ký chỉ còn tới số {chain_head_seq}")
    entry = session.exec(select(AuditEntry).where(AuditEntry.chain == checkpoint.chain,
                                                  AuditEntry.seq == checkpoint.seq)).first()
    if entry is None or entry.hash != checkpoint.hash:
        return (f"bản ghi số {checkpoint.seq} không còn khớp điểm kiểm lúc {when}: "
                "nhật ký đã bị viết lại")
    return ""


def newest(session: Session, school_id: int) -> AuditCheckpoint | None:
    return session.exec(select(AuditCheckpoint).where(AuditCheckpoint.chain == school_id)
                        .order_by(AuditCheckpoint.id.desc()).limit(1)).first()
