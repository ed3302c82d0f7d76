"""Lock windows: the principal decides, the admin (or the principal) executes.

Every direct write path asks `score_lock` or `attendance_lock` first. An
approved correction does not (the correction procedure is the way past a lock).
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam
from sqlmodel import Session, or_, select

from core.clock import VN_TZ, Clock
from models import LockWindow, SchoolClass, Staff, Subject, Term, UnlockRequest
from models.types import Role
from services import audit, audit_checkpoints
from services.errors import DomainError, Locked
from services.limits import SHORT_TEXT_MAX, require_length
from services.permissions import require_any_role
from services.school import get_or_fail
from services.scoping import school_of_year

DECIDERS = {Role.PRINCIPAL, Role.VICE_PRINCIPAL}
EXECUTORS = {Role.ADMIN, Role.PRINCIPAL}


@dataclass(frozen=True)
class LockScope:
    year_id: int
    term_id: int | None = None
    month: date | None = None  # first day of a month: locks that month's attendance
    class_id: int | None = None
    subject_id: int | None = None


def _matches(column, value):
    return or_(column.is_(None), column == value)


# The year's locks in force at `now` (parameters year_id, now).
_ACTIVE = select(LockWindow).where(
    LockWindow.year_id == bindparam("year_id"), LockWindow.starts_at <= bindparam("now"),
    LockWindow.lifted_at.is_(None))
# Built once: a score batch asks twice, and building this statement cost more than
# running it. A subject of None matches only class-wide locks, as `_matches` does.
_SCORE_LOCK = _ACTIVE.where(
    _matches(LockWindow.term_id, bindparam("term_id")), LockWindow.month.is_(None),
    _matches(LockWindow.class_id, bindparam("class_id")),
    _matches(LockWindow.subject_id, bindparam("subject_id"))).limit(1)


def score_lock(session: Session, now: datetime, year_id: int, term_id: int, class_id: int,
               subject_id: int | None, teacher_id: int | None = None,
               column: str | None = None) -> LockWindow | None:
    """The lock that forbids writing this term's cells (subject None: class-wide records).
    An approved "Xin mở khóa" window for this teacher and column lets them through."""
    lock = session.exec(_SCORE_LOCK, params={
        "year_id": year_id, "now": now, "term_id": term_id, "class_id": class_id,
        "subject_id": subject_id}).first()
    if lock is None or teacher_id is None or column is None or subject_id is None:
        return lock
    if open_window(session, now, teacher_id, class_id, subject_id, term_id, column):
        return None
    return lock


def open_window(session: Session, now: datetime, teacher_id: int, class_id: int,
                subject_id: int, term_id: int, column: str) -> UnlockRequest | None:
    return session.exec(select(UnlockRequest).where(
        UnlockRequest.teacher_id == teacher_id, UnlockRequest.class_id == class_id,
        UnlockRequest.subject_id == subject_id, UnlockRequest.term_id == term_id,
        UnlockRequest.column == column, UnlockRequest.status == "approved",
        UnlockRequest.open_until > now).limit(1)).first()


def attendance_lock(session: Session, now: datetime, year_id: int, term_id: int | None,
                    class_id: int, day: date) -> LockWindow | None:
    query = _ACTIVE.where(
        _matches(LockWindow.term_id, term_id), _matches(LockWindow.month, day.replace(day=1)),
        _matches(LockWindow.class_id, class_id), LockWindow.subject_id.is_(None))
    return session.exec(query.limit(1), params={"year_id": year_id, "now": now}).first()


def describe(session: Session, lock: LockWindow) -> str:
    parts = []
    if lock.term_id:
        parts.append(f"học kì {session.get(Term, lock.term_id).number}")
    if lock.month:
        parts.append(f"tháng {lock.month:%m/%Y}")
    if lock.class_id:
        parts.append(f"lớp {session.get(SchoolClass, lock.class_id).name}")
    if lock.subject_id:
        parts.append(f"môn {session.get(Subject, lock.subject_id).name}")
    return "sổ điểm " + (", ".join(parts) if parts else "cả năm học")


def explain(session: Session, lock: LockWindow) -> str:
    """Which lock, since when, decided and executed by whom, and why."""
    since = lock.starts_at.astimezone(VN_TZ)
    decided = session.get(Staff, lock.decided_by_id)
    executed = session.get(Staff, lock.executed_by_id)
    by = decided.full_name if decided else "Ban giám hiệu"
    done = f", {executed.full_name} thực hiện" if executed and executed.id != lock.decided_by_id \
        else ""
    why = f" Lý do: {lock.reason}." if lock.reason else ""
    return (f"Đã khóa {describe(session, lock)} từ {since:%H:%M %d/%m/%Y}, do {by} quyết định"
            f"{done}.{why}")


def refuse_if_locked(session: Session, lock: LockWindow | None) -> None:
    if lock is not None:
        raise Locked(f"{explain(session, lock)} Muốn đổi một điểm đã nhập: gửi yêu cầu sửa "
                     "điểm; muốn nhập tiếp cột này: xin mở khóa.", lock.id)


def create_lock(session: Session, clock: Clock, *, executor_id: int, decided_by_id: int,
                scope: LockScope, reason: str = "", starts_at: datetime | None = None,
                via: str = "") -> LockWindow:
    require_any_role(session, decided_by_id, DECIDERS, "quyết định khóa sổ")
    require_any_role(session, executor_id, EXECUTORS, "thực hiện khóa sổ")
    if scope.month is not None and scope.month.day != 1:
        raise DomainError("Khóa theo tháng cần ngày đầu tháng (ví dụ 01/10/2026).")
    if scope.term_id is not None:
        get_or_fail(session, Term, scope.term_id, "học kì")
    reason = require_length(reason, SHORT_TEXT_MAX, "lý do khóa sổ")
    lock = LockWindow(year_id=scope.year_id, term_id=scope.term_id, month=scope.month,
                      class_id=scope.class_id, subject_id=scope.subject_id, reason=reason,
                      decided_by_id=decided_by_id, executed_by_id=executor_id,
                      starts_at=starts_at or clock.now())
    session.add(lock)
    session.flush()
    audit.append(session, clock, actor_id=executor_id, action="lock.create", entity="lock",
                 entity_id=lock.id, new=_snapshot(lock), via=via)
    audit_checkpoints.write(session, clock, f"khóa sổ số {lock.id}",
                            school_of_year(session, scope.year_id))
    session.commit()
    return lock


def lift_lock(session: Session, clock: Clock, *, executor_id: int, decided_by_id: int,
              lock_id: int, via: str = "") -> LockWindow:
    require_any_role(session, decided_by_id, DECIDERS, "quyết định mở sổ")
    require_any_role(session, executor_id, EXECUTORS, "thực hiện mở sổ")
    lock = get_or_fail(session, LockWindow, lock_id, "đợt khóa sổ")
    if lock.lifted_at is not None:
        raise DomainError(f"Đợt khóa này đã được mở từ {lock.lifted_at:%d/%m/%Y}.")
    old = _snapshot(lock)
    lock.lifted_at, lock.lifted_by_id = clock.now(), executor_id
    session.add(lock)
    audit.append(session, clock, actor_id=executor_id, action="lock.lift", entity="lock",
                 entity_id=lock.id, old=old, new=_snapshot(lock) | {"decided_by": decided_by_id},
                 via=via)
    session.commit()
    return lock


def _snapshot(lock: LockWindow) -> dict:
    return {"term_id": lock.term_id, "month": lock.month, "class_id": lock.class_id,
            "subject_id": lock.subject_id, "reason": lock.reason,
            "starts_at": lock.starts_at, "lifted_at": lock.lifted_at,
            "decided_by": lock.decided_by_id}
