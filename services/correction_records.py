"""What the minutes of a correction say, gathered in one place for the printers."""

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from core.clock import VN_TZ
from models import (
    Absence,
    AuditEntry,
    CorrectionRequest,
    School,
    SchoolClass,
    SchoolYear,
    ScoreEntry,
    Staff,
    StaffRole,
    Student,
    Subject,
    Term,
)
from models.types import CorrectionStatus, Role
from services.errors import DomainError
from services.school import get_or_fail

STATUS_LABELS = {
    CorrectionStatus.PENDING: "Chờ duyệt", CorrectionStatus.APPROVED: "Chờ quản trị xác nhận",
    CorrectionStatus.APPLIED: "Đã sửa", CorrectionStatus.REJECTED: "Từ chối",
    CorrectionStatus.EXPIRED: "Hết hạn", CorrectionStatus.STALE: "Không còn hiệu lực",
    CorrectionStatus.WITHDRAWN: "Rút lại",
}


@dataclass(frozen=True)
class CorrectionFacts:
    number: int
    school: str
    district: str
    province: str
    year: str
    class_name: str
    subject: str
    student: str
    what: str  # "TX1 học kì I" or "vắng buổi sáng 16/11/2026"
    old_value: str
    new_value: str
    reason: str
    requester: str
    approver: str
    witness: str
    requested_at: datetime
    decided_at: datetime | None
    applied_at: datetime | None
    status: str
    decision_reason: str
    audit_hash: str
    approver_title: str = "NGƯỜI DUYỆT"  # HIỆU TRƯỞNG / PHÓ HIỆU TRƯỞNG, as they sign


def correction_facts(session: Session, request_id: int) -> CorrectionFacts:
    request = get_or_fail(session, CorrectionRequest, request_id, "yêu cầu sửa")
    return _facts(session, request)


def applied_facts(session: Session, request_id: int) -> CorrectionFacts:
    facts = correction_facts(session, request_id)
    if facts.applied_at is None:
        raise DomainError(f"Yêu cầu số {request_id} chưa được sửa ({facts.status}), "
                          "nên chưa có biên bản.")
    return facts


def year_facts(session: Session, year_id: int) -> list[CorrectionFacts]:
    """The year's corrections of this school only (another school's year has the same
    name in a district deployment, and its classes the same names)."""
    get_or_fail(session, SchoolYear, year_id, "năm học")
    by_score = (select(CorrectionRequest)
                .join(ScoreEntry, ScoreEntry.id == CorrectionRequest.score_entry_id)
                .join(SchoolClass, SchoolClass.id == ScoreEntry.class_id)
                .where(SchoolClass.year_id == year_id))
    by_absence = (select(CorrectionRequest)
                  .join(Absence, Absence.id == CorrectionRequest.absence_id)
                  .join(SchoolClass, SchoolClass.id == Absence.class_id)
                  .where(SchoolClass.year_id == year_id))
    requests = {r.id: r for query in (by_score, by_absence) for r in session.exec(query)}
    return [_facts(session, requests[key]) for key in sorted(requests)]


def _facts(session: Session, request: CorrectionRequest) -> CorrectionFacts:
    school_class, subject, student, what = _target(session, request)
    year = session.get(SchoolYear, school_class.year_id)
    school = session.get(School, year.school_id)
    return CorrectionFacts(
        request.id, school.name, school.district, school.province, year.name,
        school_class.name, subject, student.full_name, what, request.old_value,
        request.new_value, request.reason, _name(session, request.requested_by_id),
        _name(session, request.decided_by_id or request.approver_id),
        _name(session, request.witness_id), _local(request.requested_at),
        _local(request.decided_at), _local(request.applied_at),
        STATUS_LABELS[CorrectionStatus(request.status)], request.decision_reason,
        _audit_hash(session, request),
        _title(session, request.decided_by_id or request.approver_id))


def _title(session: Session, staff_id: int | None) -> str:
    roles = set(session.exec(select(StaffRole.role).where(StaffRole.staff_id == staff_id)))
    if Role.PRINCIPAL in roles:
        return "HIỆU TRƯỞNG"
    if Role.VICE_PRINCIPAL in roles:
        return "PHÓ HIỆU TRƯỞNG"
    return "NGƯỜI DUYỆT"


def _target(session: Session, request: CorrectionRequest):
    if request.kind == "score":
        cell = session.get(ScoreEntry, request.score_entry_id)
        term = session.get(Term, cell.term_id)
        what = f"{cell.column} học kì {'I' if term.number == 1 else 'II'}"
        return (session.get(SchoolClass, cell.class_id), session.get(Subject, cell.subject_id).name,
                session.get(Student, cell.student_id), what)
    absence = session.get(Absence, request.absence_id)
    what = f"vắng buổi {'sáng' if absence.session == 'sang' else 'chiều'} {absence.day:%d/%m/%Y}"
    return (session.get(SchoolClass, absence.class_id), "Điểm danh",
            session.get(Student, absence.student_id), what)


def _name(session: Session, staff_id: int | None) -> str:
    return session.get(Staff, staff_id).full_name if staff_id else ""


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(VN_TZ) if moment else None


def _audit_hash(session: Session, request: CorrectionRequest) -> str:
    entries = session.exec(select(AuditEntry).where(AuditEntry.action.in_(
        ["score.correct", "absence.correct"])).order_by(AuditEntry.chain, AuditEntry.seq)).all()
    for entry in entries:
        if json.loads(entry.new or "{}").get("correction") == request.id:
            return entry.hash
    return ""
