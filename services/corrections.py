"""The correction procedure (003 §II.2, 004 Điều 6.4, 001 §II.1).

Once entered, a score (or, after the month is closed, an absence's P/K) changes
only through a request that the assigned approver — the PHT in charge of the
class's grade, otherwise the HT — approves. Where the school requires it
(`School.correction_needs_admin_confirmation`), the admin confirms afterwards as
witness. The change is then applied under the requesting teacher's account, past
any lock, with an audit entry naming approver and witness.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from core.clock import Clock
from models import (
    Absence,
    CorrectionRequest,
    School,
    SchoolClass,
    ScoreEntry,
    Staff,
    StaffRole,
    Subject,
)
from models.types import AbsenceStatus, CorrectionStatus, Role
from services import audit
from services.absences import month_closing
from services.errors import DomainError, PermissionDenied
from services.permissions import is_homeroom_of, require_assigned_teacher, roles_of
from services.school import get_or_fail
from services.score_values import parse_score

OPEN = (CorrectionStatus.PENDING, CorrectionStatus.APPROVED)
APPROVER_ROLES = {Role.PRINCIPAL, Role.VICE_PRINCIPAL}


@dataclass(frozen=True)
class Decision:
    request: CorrectionRequest
    applied: bool  # False when approved but waiting for the admin's confirmation


def request_score_correction(session: Session, clock: Clock, teacher_id: int,
                             score_entry_id: int, new_value: str, reason: str,
                             via: str = "") -> CorrectionRequest:
    entry = get_or_fail(session, ScoreEntry, score_entry_id, "ô điểm")
    school_class = session.get(SchoolClass, entry.class_id)
    subject = session.get(Subject, entry.subject_id)
    require_assigned_teacher(session, teacher_id, school_class, subject)
    new = str(parse_score(new_value, subject.kind)).replace(".", ",")
    old = entry.display()
    if new == old:
        raise DomainError(f"Điểm mới ({new}) giống điểm đang có; không cần sửa.")
    _refuse_if_open(session, CorrectionRequest.score_entry_id == entry.id)
    request = CorrectionRequest(kind="score", score_entry_id=entry.id, old_value=old,
                                new_value=new, **_common(session, clock, teacher_id, reason,
                                                          school_class))
    return _save_request(session, clock, request, via)


def request_absence_correction(session: Session, clock: Clock, teacher_id: int,
                               absence_id: int, new_status: str, reason: str,
                               via: str = "") -> CorrectionRequest:
    absence = get_or_fail(session, Absence, absence_id, "buổi vắng")
    school_class = session.get(SchoolClass, absence.class_id)
    if not is_homeroom_of(session, teacher_id, school_class):
        raise PermissionDenied(f"Chỉ GVCN lớp {school_class.name} được xin sửa điểm danh.")
    status = AbsenceStatus(new_status.strip().upper())
    if status == AbsenceStatus.UNCONFIRMED or status == absence.status:
        raise DomainError("Chọn P (có phép) hoặc K (không phép), khác với trạng thái hiện có.")
    if month_closing(session, school_class.id, absence.day) is None:
        raise DomainError("Tháng này chưa chốt: thầy/cô tự xác nhận P/K, không cần xin sửa.")
    _refuse_if_open(session, CorrectionRequest.absence_id == absence.id)
    request = CorrectionRequest(kind="absence", absence_id=absence.id, old_value=absence.status,
                                new_value=status, **_common(session, clock, teacher_id, reason,
                                                            school_class))
    return _save_request(session, clock, request, via)


def _common(session: Session, clock: Clock, teacher_id: int, reason: str,
            school_class: SchoolClass) -> dict:
    if len(reason.strip()) < 5:
        raise DomainError("Cần ghi lý do sửa (ít nhất vài chữ), ví dụ “chấm nhầm bài”.")
    return {"reason": reason.strip(), "requested_by_id": teacher_id,
            "requested_at": clock.now(), "status": CorrectionStatus.PENDING,
            "approver_id": approver_for(session, teacher_id, school_class).id,
            "token": secrets.token_urlsafe(9)}


def _refuse_if_open(session: Session, condition) -> None:
    if session.exec(select(CorrectionRequest.id).where(
            condition, CorrectionRequest.status.in_(OPEN))).first() is not None:
        raise DomainError("Ô này đã có một yêu cầu sửa đang chờ duyệt. Chờ kết quả rồi mới "
                          "gửi yêu cầu khác.")


def approver_for(session: Session, teacher_id: int, school_class: SchoolClass) -> Staff:
    """The PHT in charge of the class's grade, else the HT of the school."""
    school_id = session.get(Staff, teacher_id).school_id
    rows = session.exec(select(Staff, StaffRole).join(StaffRole).where(
        Staff.school_id == school_id, Staff.active,
        StaffRole.role.in_([Role.VICE_PRINCIPAL, Role.PRINCIPAL]))).all()
    for staff, role in rows:
        if role.role == Role.VICE_PRINCIPAL and role.grade == school_class.grade:
            return staff
    for staff, role in rows:
        if role.role == Role.PRINCIPAL:
            return staff
    raise DomainError("Trường chưa khai báo Hiệu trưởng nên chưa ai duyệt được yêu cầu sửa. "
                      "Báo quản trị.")


def _save_request(session: Session, clock: Clock, request: CorrectionRequest,
                  via: str) -> CorrectionRequest:
    session.add(request)
    session.flush()
    audit.append(session, clock, actor_id=request.requested_by_id, action="correction.request",
                 entity="correction", entity_id=request.id, via=via,
                 new={"kind": request.kind, "old": request.old_value, "new": request.new_value,
                      "reason": request.reason, "approver": request.approver_id})
    session.commit()
    return request


def by_token(session: Session, token: str) -> CorrectionRequest:
    request = session.exec(select(CorrectionRequest)
                           .where(CorrectionRequest.token == token)).first()
    if request is None:
        raise DomainError("Không tìm thấy yêu cầu này (nút đã cũ hoặc không hợp lệ).")
    return request


def decide(session: Session, clock: Clock, approver_id: int, token: str, approve: bool,
           reason: str = "", via: str = "") -> Decision:
    """Approve or reject, after checking who presses, the state, and the cell itself."""
    request = by_token(session, token)
    check_decider(session, approver_id, request)
    if not approve:
        if len(reason.strip()) < 3:
            raise DomainError("Cần ghi lý do từ chối để giáo viên biết.")
        return Decision(_close(session, clock, request, CorrectionStatus.REJECTED, approver_id,
                               reason, via), False)
    _refuse_if_stale(session, clock, request, via)
    school = _school_of(session, request)
    request.decided_by_id, request.decided_at = approver_id, clock.now()
    if school.correction_needs_admin_confirmation:
        request.status = CorrectionStatus.APPROVED
        session.add(request)
        audit.append(session, clock, actor_id=approver_id, action="correction.approve",
                     entity="correction", entity_id=request.id, via=via)
        session.commit()
        return Decision(request, False)
    return Decision(_apply(session, clock, request, witness_id=None, via=via), True)


def confirm_as_witness(session: Session, clock: Clock, admin_id: int, token: str,
                       via: str = "") -> CorrectionRequest:
    request = by_token(session, token)
    if Role.ADMIN not in roles_of(session, admin_id):
        raise PermissionDenied("Chỉ quản trị xác nhận (làm chứng) việc sửa dữ liệu.")
    if request.status != CorrectionStatus.APPROVED:
        raise DomainError(_status_text(request))
    _refuse_if_stale(session, clock, request, via)
    return _apply(session, clock, request, witness_id=admin_id, via=via)


def check_decider(session: Session, approver_id: int, request: CorrectionRequest) -> None:
    if request.approver_id != approver_id:
        raise PermissionDenied("Yêu cầu này do người khác duyệt; thầy/cô không cần làm gì.")
    if not roles_of(session, approver_id) & APPROVER_ROLES:
        raise PermissionDenied("Thầy/cô không còn quyền duyệt yêu cầu sửa.")
    if request.status != CorrectionStatus.PENDING:
        raise DomainError(_status_text(request))


def _status_text(request: CorrectionRequest) -> str:
    return {
        CorrectionStatus.APPROVED: "Yêu cầu đã được duyệt, đang chờ quản trị xác nhận.",
        CorrectionStatus.APPLIED: "Yêu cầu này đã được duyệt và sửa xong.",
        CorrectionStatus.REJECTED: "Yêu cầu này đã bị từ chối trước đó.",
        CorrectionStatus.EXPIRED: "Yêu cầu này đã hết hạn.",
        CorrectionStatus.STALE: "Yêu cầu này không còn hiệu lực vì ô đã thay đổi.",
    }.get(CorrectionStatus(request.status), "Yêu cầu này không còn chờ duyệt.")


def current_value(session: Session, request: CorrectionRequest) -> str:
    if request.kind == "score":
        return session.get(ScoreEntry, request.score_entry_id).display()
    return session.get(Absence, request.absence_id).status


def _refuse_if_stale(session: Session, clock: Clock, request: CorrectionRequest,
                     via: str) -> None:
    now_value = current_value(session, request)
    if now_value != request.old_value:
        _close(session, clock, request, CorrectionStatus.STALE, None,
               f"ô đã đổi thành {now_value}", via)
        raise DomainError(f"Không sửa được: ô này giờ là {now_value}, không còn là "
                          f"{request.old_value} như lúc gửi yêu cầu. Giáo viên cần gửi lại.")


def _close(session: Session, clock: Clock, request: CorrectionRequest, status: CorrectionStatus,
           decided_by: int | None, reason: str, via: str) -> CorrectionRequest:
    request.status, request.decided_by_id = status, decided_by
    request.decided_at, request.decision_reason = clock.now(), reason.strip()
    session.add(request)
    audit.append(session, clock, actor_id=decided_by, action=f"correction.{status}",
                 entity="correction", entity_id=request.id, new={"reason": reason}, via=via)
    session.commit()
    return request


def _apply(session: Session, clock: Clock, request: CorrectionRequest, witness_id: int | None,
           via: str) -> CorrectionRequest:
    """Write the new value under the requesting teacher's account, past any lock."""
    entity, entity_id = _write_value(session, request)
    request.status, request.witness_id = CorrectionStatus.APPLIED, witness_id
    request.applied_at = clock.now()
    session.add(request)
    audit.append(session, clock, actor_id=request.requested_by_id,
                 action=f"{entity}.correct", entity=entity, entity_id=entity_id,
                 old={"value": request.old_value},
                 new={"value": request.new_value, "correction": request.id,
                      "approver": request.decided_by_id, "witness": witness_id},
                 via=via or f"correction:{request.id}")
    session.commit()
    return request


def _write_value(session: Session, request: CorrectionRequest) -> tuple[str, int]:
    if request.kind == "absence":
        absence = session.get(Absence, request.absence_id)
        absence.status = request.new_value
        session.add(absence)
        return "absence", absence.id
    entry = session.get(ScoreEntry, request.score_entry_id)
    subject = session.get(Subject, entry.subject_id)
    value = parse_score(request.new_value, subject.kind)
    if subject.kind == "comment":
        entry.mark = str(value)
    else:
        entry.value = value
    entry.corrected = True
    session.add(entry)
    return "score", entry.id


def _school_of(session: Session, request: CorrectionRequest) -> School:
    return session.get(School, session.get(Staff, request.requested_by_id).school_id)


def expire_old(session: Session, clock: Clock) -> list[CorrectionRequest]:
    """Close requests left pending longer than the school allows; the caller tells the teachers."""
    expired = []
    for request in session.exec(select(CorrectionRequest).where(
            CorrectionRequest.status == CorrectionStatus.PENDING)).all():
        days = _school_of(session, request).correction_expiry_days
        if request.requested_at + timedelta(days=days) < clock.now():
            expired.append(_close(session, clock, request, CorrectionStatus.EXPIRED, None,
                                  f"quá {days} ngày chưa duyệt", "expiry"))
    return expired


def pending_for(session: Session, approver_id: int) -> list[CorrectionRequest]:
    return list(session.exec(select(CorrectionRequest).where(
        CorrectionRequest.approver_id == approver_id,
        CorrectionRequest.status == CorrectionStatus.PENDING)
        .order_by(CorrectionRequest.requested_at)))


def awaiting_witness(session: Session, school_id: int) -> list[CorrectionRequest]:
    return list(session.exec(select(CorrectionRequest).join(
        Staff, Staff.id == CorrectionRequest.requested_by_id).where(
        Staff.school_id == school_id, CorrectionRequest.status == CorrectionStatus.APPROVED)))
