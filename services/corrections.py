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

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from core.clock import VN_TZ, Clock
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
from services.approval import check_presser, insert_once
from services.errors import AlreadyDecided, DomainError, PermissionDenied
from services.limits import REASON_MAX, require_length
from services.permissions import is_homeroom_of, require_assigned_teacher, roles_of
from services.school import get_or_fail
from services.scoping import school_of_correction
from services.score_values import parse_score

OPEN = (CorrectionStatus.PENDING, CorrectionStatus.APPROVED)
OPEN_ALREADY = ("Ô này đã có một yêu cầu sửa đang chờ duyệt. Chờ kết quả rồi mới gửi yêu cầu "
                "khác.")


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
    require_length(reason, REASON_MAX, "lý do sửa")
    return {"reason": reason.strip(), "requested_by_id": teacher_id,
            "requested_at": clock.now(), "status": CorrectionStatus.PENDING,
            "approver_id": approver_for(session, teacher_id, school_class).id,
            "token": secrets.token_urlsafe(9)}


def _refuse_if_open(session: Session, condition) -> None:
    if session.exec(select(CorrectionRequest.id).where(
            condition, CorrectionRequest.status.in_(OPEN))).first() is not None:
        raise DomainError(OPEN_ALREADY)


@dataclass(frozen=True)
class Route:
    approver: Staff
    note: str  # why it is not the usual approver, or ""


def approval_route(session: Session, teacher_id: int, school_class: SchoolClass) -> Route:
    """The PHT in charge of the class's grade, else the HT — never the requester: a PHT's
    own request goes to the HT, the HT's own to a PHT (the grade's first)."""
    school_id = session.get(Staff, teacher_id).school_id
    rows = session.exec(select(Staff, StaffRole).join(StaffRole).where(
        Staff.school_id == school_id, Staff.active,
        StaffRole.role.in_([Role.VICE_PRINCIPAL, Role.PRINCIPAL])).order_by(Staff.id)).all()
    grade_vps = [s for s, r in rows if r.role == Role.VICE_PRINCIPAL and
                 r.grade == school_class.grade]
    principals = [s for s, r in rows if r.role == Role.PRINCIPAL]
    other_vps = [s for s, r in rows if r.role == Role.VICE_PRINCIPAL and s not in grade_vps]
    for candidates, note in ((grade_vps, ""), (principals, _note_to_principal(grade_vps,
                                                                              teacher_id)),
                             (other_vps, "Thầy/cô là Hiệu trưởng nên yêu cầu chuyển Phó "
                                         "Hiệu trưởng duyệt.")):
        for staff in candidates:
            if staff.id != teacher_id:
                return Route(staff, note)
    raise DomainError("Trường chưa có ai khác (Hiệu trưởng, Phó Hiệu trưởng) để duyệt yêu cầu "
                      "sửa này; không ai tự duyệt yêu cầu của mình. Báo quản trị.")


def _note_to_principal(grade_vps: list[Staff], teacher_id: int) -> str:
    if any(s.id == teacher_id for s in grade_vps):
        return ("Thầy/cô là Phó Hiệu trưởng phụ trách khối này nên yêu cầu chuyển Hiệu "
                "trưởng duyệt.")
    return ""


def approver_for(session: Session, teacher_id: int, school_class: SchoolClass) -> Staff:
    return approval_route(session, teacher_id, school_class).approver


def _save_request(session: Session, clock: Clock, request: CorrectionRequest,
                  via: str) -> CorrectionRequest:
    def record(saved: CorrectionRequest) -> None:
        audit.append(session, clock, actor_id=saved.requested_by_id,
                     action="correction.request", entity="correction", entity_id=saved.id,
                     via=via, new={"kind": saved.kind, "old": saved.old_value,
                                   "new": saved.new_value, "reason": saved.reason,
                                   "approver": saved.approver_id})
    return insert_once(session, request, record, OPEN_ALREADY)


def by_token(session: Session, token: str) -> CorrectionRequest:
    request = session.exec(select(CorrectionRequest)
                           .where(CorrectionRequest.token == token)).first()
    if request is None:
        raise DomainError("Không tìm thấy yêu cầu này (nút đã cũ hoặc không hợp lệ).")
    return request


def decide(session: Session, clock: Clock, approver_id: int, token: str, approve: bool,
           reason: str = "", via: str = "") -> Decision:
    """Approve or reject. The request leaves "pending" by one conditional UPDATE in the
    same transaction as the score change and its audit entry: of two presses at once,
    exactly one moves it; the other is told who did what, when, and nothing changes."""
    request = by_token(session, token)
    check_decider(session, approver_id, request)
    if not approve:
        if len(reason.strip()) < 3:
            raise DomainError("Cần ghi lý do từ chối để giáo viên biết.")
        require_length(reason, REASON_MAX, "lý do từ chối")
        _transition(session, clock, request, CorrectionStatus.PENDING, CorrectionStatus.REJECTED,
                    decided_by_id=approver_id, decision_reason=reason.strip())
        return Decision(_record_close(session, clock, request, approver_id, reason, via), False)
    waits = _school_of(session, request).correction_needs_admin_confirmation
    target = CorrectionStatus.APPROVED if waits else CorrectionStatus.APPLIED
    _transition(session, clock, request, CorrectionStatus.PENDING, target,
                decided_by_id=approver_id)
    _refuse_if_stale(session, clock, request, via)
    if waits:
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
    if admin_id in (request.requested_by_id, request.decided_by_id):
        raise PermissionDenied("Người làm chứng phải là người khác với người xin sửa và "
                               "người duyệt. Nhờ một quản trị khác xác nhận.")
    if request.status != CorrectionStatus.APPROVED:
        raise AlreadyDecided(status_text(session, request))
    _transition(session, clock, request, CorrectionStatus.APPROVED, CorrectionStatus.APPLIED,
                witness_id=admin_id)
    _refuse_if_stale(session, clock, request, via)
    return _apply(session, clock, request, witness_id=admin_id, via=via)


def check_decider(session: Session, approver_id: int, request: CorrectionRequest) -> None:
    check_presser(session, approver_id, request.approver_id, request.requested_by_id)
    if request.status != CorrectionStatus.PENDING:
        raise AlreadyDecided(status_text(session, request))


def _transition(session: Session, clock: Clock, request: CorrectionRequest,
                expected: CorrectionStatus, target: CorrectionStatus, **values) -> None:
    """Move the request from `expected` to `target`, or raise AlreadyDecided. Opens the
    write transaction (the row stays locked until commit on PostgreSQL)."""
    now = clock.now()
    stamps = {"applied_at": now} if target == CorrectionStatus.APPLIED else {}
    if expected == CorrectionStatus.PENDING:
        stamps["decided_at"] = now
    moved = session.execute(
        update(CorrectionRequest)
        .where(CorrectionRequest.id == request.id, CorrectionRequest.status == expected)
        .values(status=target, **stamps, **values)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        session.rollback()
        session.refresh(request)
        raise AlreadyDecided(status_text(session, request))
    for name, value in {"status": target, **stamps, **values}.items():
        set_committed_value(request, name, value)


def status_text(session: Session, request: CorrectionRequest) -> str:
    """Where the request stands, with who moved it and when: what a late press is told."""
    when = f"{request.decided_at.astimezone(VN_TZ):%H:%M %d/%m/%Y}" if request.decided_at \
        else ""
    by = session.get(Staff, request.decided_by_id).full_name if request.decided_by_id else ""
    at_by = f" lúc {when}" + (f" bởi {by}" if by else "")
    applied = request.applied_at and f"{request.applied_at.astimezone(VN_TZ):%H:%M %d/%m/%Y}"
    return {
        CorrectionStatus.APPROVED: f"Yêu cầu này đã được duyệt{at_by}, đang chờ quản trị "
                                   "xác nhận.",
        CorrectionStatus.APPLIED: f"Yêu cầu này đã được duyệt và sửa xong{at_by}"
                                  + (f" (sửa lúc {applied})" if applied and applied != when
                                     else "") + ".",
        CorrectionStatus.REJECTED: f"Yêu cầu này đã bị từ chối{at_by}.",
        CorrectionStatus.EXPIRED: f"Yêu cầu này đã hết hạn{at_by}.",
        CorrectionStatus.STALE: f"Yêu cầu này không còn hiệu lực (ô đã thay đổi){at_by}.",
        CorrectionStatus.WITHDRAWN: f"Yêu cầu này đã được rút lại{at_by}.",
    }.get(CorrectionStatus(request.status), "Yêu cầu này không còn chờ duyệt.")


def current_value(session: Session, request: CorrectionRequest) -> str:
    if request.kind == "score":
        return session.get(ScoreEntry, request.score_entry_id).display()
    return session.get(Absence, request.absence_id).status


def _refuse_if_stale(session: Session, clock: Clock, request: CorrectionRequest,
                     via: str) -> None:
    """Inside the decision's transaction: if the cell no longer holds the value the
    teacher saw, the request becomes stale instead (committed) and nothing is written."""
    now_value = current_value(session, request)
    if now_value == request.old_value:
        return
    reason = f"ô đã đổi thành {now_value}"
    request.status, request.decision_reason = CorrectionStatus.STALE, reason
    request.applied_at, request.witness_id = None, None
    session.add(request)
    audit.append(session, clock, actor_id=None, action="correction.stale", entity="correction",
                 entity_id=request.id, new={"reason": reason}, via=via,
                 school_id=school_of_correction(session, request))
    session.commit()
    raise DomainError(f"Không sửa được: ô này giờ là {now_value}, không còn là "
                      f"{request.old_value} như lúc gửi yêu cầu. Giáo viên cần gửi lại.")


def _record_close(session: Session, clock: Clock, request: CorrectionRequest,
                  decided_by: int | None, reason: str, via: str) -> CorrectionRequest:
    """The audit entry of a transition already made; commits both."""
    audit.append(session, clock, actor_id=decided_by, action=f"correction.{request.status}",
                 entity="correction", entity_id=request.id, new={"reason": reason}, via=via,
                 school_id=school_of_correction(session, request))
    session.commit()
    return request


def _apply(session: Session, clock: Clock, request: CorrectionRequest, witness_id: int | None,
           via: str) -> CorrectionRequest:
    """Write the new value under the requesting teacher's account, past any lock; the
    request is already "applied" in this transaction."""
    try:
        entity, entity_id = _write_value(session, request)
        audit.append(session, clock, actor_id=request.requested_by_id,
                     action=f"{entity}.correct", entity=entity, entity_id=entity_id,
                     old={"value": request.old_value},
                     new={"value": request.new_value, "correction": request.id,
                          "approver": request.decided_by_id, "witness": witness_id},
                     via=via or f"correction:{request.id}")
        session.commit()
    except Exception:
        session.rollback()
        raise
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
    """Close requests left pending longer than the school allows; the caller tells the
    teachers. A request decided meanwhile is left as it is."""
    expired = []
    for request in session.exec(select(CorrectionRequest).where(
            CorrectionRequest.status == CorrectionStatus.PENDING)).all():
        days = _school_of(session, request).correction_expiry_days
        if request.requested_at + timedelta(days=days) >= clock.now():
            continue
        reason = f"quá {days} ngày chưa duyệt"
        try:
            _transition(session, clock, request, CorrectionStatus.PENDING,
                        CorrectionStatus.EXPIRED, decision_reason=reason)
        except AlreadyDecided:
            continue
        expired.append(_record_close(session, clock, request, None, reason, "expiry"))
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
