"""Xin mở khóa: a teacher who meets a lock asks for one column to be opened for them.

The request goes to the same approver as a correction (the PHT in charge of the grade,
else the HT, never the teacher themself); each state change is one conditional UPDATE,
so two presses at once decide once. An approval opens that teacher × class × subject ×
term × column for the school's `unlock_days`; the window then closes by itself (and the
scheduler records the closing). Every step is audited.
"""

import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from core.clock import VN_TZ, Clock
from models import LockWindow, School, SchoolClass, Staff, Subject, Term, UnlockRequest
from services import audit
from services.approval import check_presser, insert_once
from services.corrections import approval_route
from services.errors import AlreadyDecided, DomainError
from services.limits import REASON_MAX, require_length
from services.locks import score_lock
from services.permissions import require_assigned_teacher
from services.school import get_or_fail
from services.scoping import school_of_class

OPEN_ALREADY = "Cột này đã có một yêu cầu mở khóa đang chờ duyệt; chờ kết quả nhé."


def request_unlock(session: Session, clock: Clock, teacher_id: int, class_id: int,
                   subject_id: int, term_id: int, column: str, reason: str,
                   via: str = "") -> UnlockRequest:
    school_class = get_or_fail(session, SchoolClass, class_id, "lớp")
    subject = get_or_fail(session, Subject, subject_id, "môn học")
    require_assigned_teacher(session, teacher_id, school_class, subject)
    lock = score_lock(session, clock.now(), school_class.year_id, term_id, class_id,
                      subject_id, teacher_id=teacher_id, column=column)
    if lock is None:
        raise DomainError(f"Cột {column} môn {subject.name} lớp {school_class.name} không bị "
                          "khóa (hoặc đang mở cho thầy/cô): nhập điểm như bình thường.")
    if len(reason.strip()) < 5:
        raise DomainError("Cần ghi lý do xin mở khóa (ít nhất vài chữ), ví dụ “học sinh "
                          "kiểm tra bù”.")
    require_length(reason, REASON_MAX, "lý do xin mở khóa")
    route = approval_route(session, teacher_id, school_class)
    request = UnlockRequest(token=secrets.token_urlsafe(9), teacher_id=teacher_id,
                            class_id=class_id, subject_id=subject_id, term_id=term_id,
                            column=column, lock_id=lock.id, reason=reason.strip(),
                            requested_at=clock.now(), approver_id=route.approver.id,
                            status="pending")
    def record(saved: UnlockRequest) -> None:
        audit.append(session, clock, actor_id=teacher_id, action="unlock.request",
                     entity="unlock", entity_id=saved.id, via=via,
                     new={"class": school_class.name, "subject": subject.code,
                          "term_id": term_id, "column": column, "lock": lock.id,
                          "reason": saved.reason, "approver": saved.approver_id})
    return insert_once(session, request, record, OPEN_ALREADY)


def by_token(session: Session, token: str) -> UnlockRequest:
    request = session.exec(select(UnlockRequest).where(UnlockRequest.token == token)).first()
    if request is None:
        raise DomainError("Không tìm thấy yêu cầu mở khóa này (nút đã cũ hoặc không hợp lệ).")
    return request


def decide_unlock(session: Session, clock: Clock, approver_id: int, token: str,
                  approve: bool, via: str = "") -> UnlockRequest:
    request = by_token(session, token)
    check_presser(session, approver_id, request.approver_id, request.teacher_id)
    now = clock.now()
    school = session.get(School, session.get(Staff, request.teacher_id).school_id)
    values = {"status": "approved" if approve else "rejected", "decided_by_id": approver_id,
              "decided_at": now,
              "open_until": now + timedelta(days=school.unlock_days) if approve else None}
    moved = session.execute(update(UnlockRequest).where(
        UnlockRequest.id == request.id, UnlockRequest.status == "pending").values(**values)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        session.rollback()
        session.refresh(request)
        raise AlreadyDecided(status_text(session, request))
    for name, value in values.items():
        set_committed_value(request, name, value)
    audit.append(session, clock, actor_id=approver_id,
                 action=f"unlock.{'approve' if approve else 'reject'}", entity="unlock",
                 entity_id=request.id, via=via,
                 new={"open_until": values["open_until"]} if approve else None)
    session.commit()
    return request


def close_expired(session: Session, clock: Clock) -> list[UnlockRequest]:
    """Windows past their time become "closed" (audited); the caller tells the teachers."""
    closed = []
    for request in session.exec(select(UnlockRequest).where(
            UnlockRequest.status == "approved", UnlockRequest.open_until <= clock.now())).all():
        moved = session.execute(update(UnlockRequest).where(
            UnlockRequest.id == request.id, UnlockRequest.status == "approved")
            .values(status="closed").execution_options(synchronize_session=False)).rowcount
        if moved != 1:
            session.rollback()
            continue
        set_committed_value(request, "status", "closed")
        audit.append(session, clock, actor_id=None, action="unlock.close", entity="unlock",
                     entity_id=request.id, via="schedule",
                     school_id=school_of_class(session, request.class_id))
        session.commit()
        closed.append(request)
    return closed


def describe(session: Session, request: UnlockRequest) -> str:
    school_class = session.get(SchoolClass, request.class_id)
    subject = session.get(Subject, request.subject_id)
    term = session.get(Term, request.term_id)
    teacher = session.get(Staff, request.teacher_id)
    return (f"Yêu cầu mở khóa số {request.id} của {teacher.full_name}: cột {request.column} "
            f"môn {subject.name} lớp {school_class.name}, học kì "
            f"{'I' if term.number == 1 else 'II'}. Lý do: {request.reason}")


def status_text(session: Session, request: UnlockRequest) -> str:
    by = session.get(Staff, request.decided_by_id).full_name if request.decided_by_id else ""
    when = f"{request.decided_at.astimezone(VN_TZ):%H:%M %d/%m/%Y}" if request.decided_at \
        else ""
    until = f"{request.open_until.astimezone(VN_TZ):%H:%M %d/%m/%Y}" if request.open_until \
        else ""
    return {
        "approved": f"Yêu cầu mở khóa này đã được duyệt lúc {when} bởi {by}; cột mở đến "
                    f"{until}.",
        "rejected": f"Yêu cầu mở khóa này đã bị từ chối lúc {when} bởi {by}.",
        "closed": f"Yêu cầu mở khóa này đã được duyệt; cột đã đóng lại lúc {until}.",
    }.get(request.status, "Yêu cầu mở khóa này không còn chờ duyệt.")


def lock_of(session: Session, request: UnlockRequest) -> LockWindow:
    return session.get(LockWindow, request.lock_id)
