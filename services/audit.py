"""The append-only audit log: appending, and checking the chain itself.

Each entry's hash covers its own fields and the previous entry's hash, so an
edited, inserted or deleted row breaks the chain at that row. Each entry's `mac`
(HMAC of the hash under the audit key, `services.audit_seal`) makes a rewritten
chain with recomputed hashes fail too. Truncation of the newest rows is caught by
the signed checkpoints (`services.audit_checkpoints`), and changes to the score and
absence tables that bypass the log by the replay (`services.audit_replay`).

Every school has a chain of its own (`AuditEntry.chain` = the school's id): an
entry is appended to the chain of the school it concerns, named by the caller or,
failing that, the actor's school. Appends serialise per chain, so one school's
month-end rush never waits for another's, and each chain verifies on its own.
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session, select

from core.clock import Clock
from models import AuditEntry, School, Staff
from services import audit_seal
from services.bulk_insert import insert_rows

GENESIS = "0" * 64
LEGACY_CHAIN = 0  # entries logged before chains were per school
_ADVISORY_KEY = 0x50D1E3  # with the chain: serialises appends across PostgreSQL connections
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


def entry_hash(entry: "AuditEntry | NewEntry") -> str:
    at = entry.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = [entry.seq, at, entry.actor_id, entry.action, entry.entity, entry.entity_id,
              entry.old, entry.new, entry.via, entry.prev_hash]
    if entry.acting_as_id is not None:  # absent from older entries: their hashes stay valid
        fields.append({"acting_as": entry.acting_as_id})
    if entry.chain:  # likewise: chain 0 entries hash as they always did
        fields.append({"chain": entry.chain})
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def entry_mac(entry_hash_hex: str) -> str:
    return audit_seal.sign(f"entry:{entry_hash_hex}")


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:k, :c)")
_TAKE_WRITE_LOCK = text("UPDATE auditentry SET seq = seq WHERE 1 = 0")


def lock_chain(session: Session, chain: int) -> None:
    """Serialise with every other appender to this chain until this transaction ends.

    PostgreSQL: an advisory lock per chain. SQLite has one writer per file: a write that
    touches no row takes the write lock now, before the head is read, so two appenders
    never read the same head (the unique (chain, seq) index would refuse the second)."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(_ADVISORY_LOCK, params={"k": _ADVISORY_KEY, "c": chain})
    else:
        session.exec(_TAKE_WRITE_LOCK)


def head(session: Session, chain: int) -> AuditEntry | None:
    return session.exec(select(AuditEntry).where(AuditEntry.chain == chain)
                        .order_by(AuditEntry.seq.desc()).limit(1)).first()


def chain_of(session: Session, school_id: int | None, actor_id: int | None) -> int:
    """The chain an entry belongs to: the school named, else the actor's school.

    An entry nobody can place in a school is a programming error, not something to
    file under a default: the replay and each school's verification rely on every
    school's record being in that school's chain."""
    if school_id is not None:
        return school_id
    actor = session.get(Staff, actor_id) if actor_id is not None else None
    if actor is None:
        raise ValueError("an audit entry with no actor must name its school")
    return actor.school_id


def chains(session: Session) -> list[int]:
    """Every chain with entries, and every school's (an emptied chain is still checked)."""
    logged = set(session.exec(select(AuditEntry.chain).distinct()))
    return sorted(logged | set(session.exec(select(School.id))))


def chain_name(session: Session, chain: int) -> str:
    if chain == LEGACY_CHAIN:
        return "Nhật ký chung (trước khi tách theo trường)"
    school = session.get(School, chain)
    return school.name if school else f"Chuỗi nhật ký số {chain}"


@dataclass
class NewEntry:
    """An entry as appended: the columns of `AuditEntry` but its id."""

    chain: int
    seq: int
    at: datetime
    actor_id: int | None
    acting_as_id: int | None
    action: str
    entity: str
    entity_id: int | None
    old: str
    new: str
    via: str
    prev_hash: str
    hash: str = ""
    mac: str = ""


@dataclass(frozen=True)
class Change:
    """What one audit entry records."""

    action: str
    entity: str
    entity_id: int | None
    old: Any = None
    new: Any = None


def append(session: Session, clock: Clock, *, actor_id: int | None, action: str, entity: str,
           entity_id: int | None, old: Any = None, new: Any = None, via: str = "",
           school_id: int | None = None) -> NewEntry:
    """Add one entry inside the caller's transaction (committed with the change it records)."""
    change = Change(action, entity, entity_id, old, new)
    return append_many(session, clock, actor_id=actor_id, changes=[change], via=via,
                       school_id=school_id)[0]


_HEAD_LINK = (select(AuditEntry.seq, AuditEntry.hash)  # built once: every append reads it
              .where(AuditEntry.chain == bindparam("chain"))
              .order_by(AuditEntry.seq.desc()).limit(1))


def append_many(session: Session, clock: Clock, *, actor_id: int | None,
                changes: list[Change], via: str = "",
                school_id: int | None = None) -> list[NewEntry]:
    """Chain several entries at once: one head look-up and one multi-row INSERT for a
    whole batch. The rows go in through Core, not as ORM objects: a Xác nhận writes 40
    of them, and building and flushing 40 mapped instances cost more than the INSERT."""
    chain = chain_of(session, school_id, actor_id)
    lock_chain(session, chain)
    last = session.exec(_HEAD_LINK, params={"chain": chain}).first()
    seq, prev_hash = tuple(last) if last else (0, GENESIS)
    at = clock.now().astimezone(UTC)
    actor, acting_as = _attribution(actor_id)
    entries = []
    for change in changes:
        seq += 1
        entry = NewEntry(chain=chain, seq=seq, at=at, actor_id=actor, acting_as_id=acting_as,
                         action=change.action, entity=change.entity,
                         entity_id=change.entity_id, old=_canonical(change.old),
                         new=_canonical(change.new), via=via[:120], prev_hash=prev_hash)
        entry.hash = prev_hash = entry_hash(entry)
        entry.mac = entry_mac(entry.hash)
        entries.append(entry)
    insert_rows(session, AuditEntry.__table__, [dict(vars(entry)) for entry in entries])
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
    chain: int = LEGACY_CHAIN
    name: str = ""  # the school's name, for the message

    def message(self) -> str:
        if self.ok:
            return (f"Chuỗi nhật ký liền mạch: đã kiểm {self.checked} bản ghi, "
                    f"mã cuối {self.head_hash[:16]}…")
        where = f"{self.name}: nhật ký" if self.name else "Nhật ký"
        return (f"{where} bị thay đổi tại bản ghi số {self.broken_at_seq}: "
                f"{self.problem}. Báo ngay cho Hiệu trưởng và quản trị; đối chiếu với bản "
                "lưu trữ.")


@dataclass(frozen=True)
class ChainsCheck:
    """Every chain of the deployment, each verified on its own."""

    each: list[ChainCheck]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.each)

    @property
    def checked(self) -> int:
        return sum(check.checked for check in self.each)

    @property
    def broken(self) -> list[ChainCheck]:
        return [check for check in self.each if not check.ok]

    @property
    def broken_at_seq(self) -> int | None:
        return self.broken[0].broken_at_seq if self.broken else None

    @property
    def problem(self) -> str:
        return self.broken[0].problem if self.broken else ""

    @property
    def head_hash(self) -> str:
        """The last chain's head: the school's own, when one school was verified."""
        return self.each[-1].head_hash if self.each else GENESIS

    def messages(self) -> list[str]:
        return [check.message() for check in self.broken]

    def message(self) -> str:
        if self.broken:
            return " ".join(self.messages())
        return f"Mọi chuỗi nhật ký liền mạch: đã kiểm {self.checked} bản ghi."


def verify(session: Session, school_id: int | None = None) -> ChainsCheck:
    """Verify every chain on its own, or the school's (after chain 0, where the school's
    older entries are, if the deployment has any)."""
    if school_id is None:
        chosen = chains(session)
    else:
        legacy = session.exec(select(AuditEntry.id).where(AuditEntry.chain == LEGACY_CHAIN)
                              .limit(1)).first()
        chosen = ([LEGACY_CHAIN] if legacy is not None else []) + [school_id]
    return ChainsCheck([verify_chain(session, chain) for chain in chosen])


def verify_chain(session: Session, chain: int, batch: int = 5000) -> ChainCheck:
    """Walk one chain in order, recomputing every hash and checking every seal."""
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    last_seq, name = 0, chain_name(session, chain)
    while True:
        rows = session.exec(select(AuditEntry).where(AuditEntry.chain == chain,
                                                     AuditEntry.seq > last_seq)
                            .order_by(AuditEntry.seq).limit(batch)).all()
        if not rows:
            return ChainCheck(True, checked, prev_hash, head_seq=expected_seq - 1,
                              chain=chain, name=name)
        for entry in rows:
            problem = _problem(entry, expected_seq, prev_hash)
            if problem:
                return ChainCheck(False, checked, prev_hash, expected_seq, problem,
                                  head_seq=expected_seq - 1, chain=chain, name=name)
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
