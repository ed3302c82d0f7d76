"""The correction procedure: request, approve or reject, applied under the teacher's name."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from models import Absence, AuditEntry, School, ScoreEntry, StaffRole
from models.types import AbsenceStatus, CorrectionStatus
from models.types import Session as DaySession
from services import audit
from services.absences import AbsenceReport, close_month, record_absences
from services.corrections import (
    confirm_as_witness,
    decide,
    expire_old,
    pending_for,
    request_absence_correction,
    request_score_correction,
)
from services.errors import DomainError, Locked, PermissionDenied
from services.locks import LockScope, create_lock
from services.scores import ScoreBatch, enter_scores
from tests.helpers import class_named, student_ids, subject, teacher


@pytest.fixture
def entered(session, school, clock):
    """Toán 6A1 TX1 entered for three students; returns (teacher id, first cell)."""
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    teacher_id = teacher(school, cls.id, math.id)
    ids = student_ids(session, cls.id)[:3]
    entries = enter_scores(session, clock, teacher_id, ScoreBatch(
        cls.id, math.id, school.term_ids[1], "TX1", {i: "7" for i in ids}))
    return teacher_id, entries[0]


def test_an_approved_correction_is_applied_under_the_teachers_account(session, school, clock,
                                                                       entered):
    teacher_id, cell = entered
    request = request_score_correction(session, clock, teacher_id, cell.id, "9",
                                       "Chấm nhầm bài kiểm tra")
    assert request.approver_id == school.principal_id
    assert pending_for(session, school.principal_id)[0].id == request.id
    decision = decide(session, clock, school.principal_id, request.token, approve=True)
    assert decision.applied and decision.request.status == CorrectionStatus.APPLIED
    session.expire_all()
    stored = session.get(ScoreEntry, cell.id)
    assert str(stored.value) == "9.0" and stored.corrected
    change = session.exec(select(AuditEntry).where(AuditEntry.action == "score.correct")).one()
    assert change.actor_id == teacher_id
    assert f'"approver": {school.principal_id}' in change.new
    assert '"value": "7,0"' in change.old
    assert audit.verify(session).ok


def test_a_rejected_request_changes_nothing_and_needs_a_reason(session, school, clock, entered):
    teacher_id, cell = entered
    request = request_score_correction(session, clock, teacher_id, cell.id, "9",
                                       "Chấm nhầm bài kiểm tra")
    with pytest.raises(DomainError, match="lý do từ chối"):
        decide(session, clock, school.principal_id, request.token, approve=False)
    decision = decide(session, clock, school.principal_id, request.token, approve=False,
                      reason="Không có bài làm đối chứng")
    assert decision.request.status == CorrectionStatus.REJECTED
    session.expire_all()
    assert str(session.get(ScoreEntry, cell.id).value) == "7.0"


def test_only_the_assigned_approver_decides_and_only_once(session, school, clock, entered):
    teacher_id, cell = entered
    request = request_score_correction(session, clock, teacher_id, cell.id, "9",
                                       "Chấm nhầm bài kiểm tra")
    with pytest.raises(PermissionDenied):
        decide(session, clock, school.vice_principal_ids[0], request.token, approve=True)
    with pytest.raises(PermissionDenied):
        decide(session, clock, teacher_id, request.token, approve=True)
    decide(session, clock, school.principal_id, request.token, approve=True)
    with pytest.raises(DomainError, match="đã được duyệt và sửa xong"):
        decide(session, clock, school.principal_id, request.token, approve=True)
    with pytest.raises(DomainError, match="Không tìm thấy"):
        decide(session, clock, school.principal_id, "giả-mạo", approve=True)


def test_the_vice_principal_of_the_grade_is_the_approver_when_assigned(session, school, clock,
                                                                        entered):
    teacher_id, cell = entered
    role = session.exec(select(StaffRole).where(
        StaffRole.staff_id == school.vice_principal_ids[0])).one()
    role.grade = 6
    session.add(role)
    session.commit()
    request = request_score_correction(session, clock, teacher_id, cell.id, "9",
                                       "Chấm nhầm bài kiểm tra")
    assert request.approver_id == school.vice_principal_ids[0]


def test_an_approver_who_lost_the_role_cannot_decide(session, school, clock, entered):
    teacher_id, cell = entered
    request = request_score_correction(session, clock, teacher_id, cell.id, "9",
                                       "Chấm nhầm bài kiểm tra")
    for role in session.exec(select(StaffRole).where(
            StaffRole.staff_id == school.principal_id)).all():
        session.delete(role)
    session.commit()
    with pytest.raises(PermissionDenied, match="không còn quyền"):
        decide(session, clock, school.principal_id, request.token, approve=True)


def test_one_open_request_per_cell(session, school, clock, entered):
    teacher_id, cell = entered
    request_score_correction(session, clock, teacher_id, cell.id, "9", "Chấm nhầm bài kiểm tra")
    with pytest.raises(DomainError, match="đang chờ duyệt"):
        request_score_correction(session, clock, teacher_id, cell.id, "8", "Lý do khác hẳn")


def test_a_stale_request_is_refused_when_the_cell_changed(session, school, clock, entered):
    teacher_id, cell = entered
    first = request_score_correction(session, clock, teacher_id, cell.id, "9",
                                     "Chấm nhầm bài kiểm tra")
    stored = session.get(ScoreEntry, cell.id)
    stored.value = stored.value + 1  # changed behind the procedure's back
    session.add(stored)
    session.commit()
    with pytest.raises(DomainError, match="không còn là 7,0"):
        decide(session, clock, school.principal_id, first.token, approve=True)
    session.expire_all()
    assert str(session.get(ScoreEntry, cell.id).value) == "8.0"


def test_a_lock_blocks_direct_entry_but_not_an_approved_correction(session, school, clock,
                                                                    entered):
    teacher_id, cell = entered
    create_lock(session, clock, executor_id=school.admin_id, decided_by_id=school.principal_id,
                scope=LockScope(school.year_id, term_id=school.term_ids[1]))
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    with pytest.raises(Locked):
        enter_scores(session, clock, teacher_id, ScoreBatch(
            cls.id, math.id, school.term_ids[1], "TX2", {cell.student_id: "5"}))
    request = request_score_correction(session, clock, teacher_id, cell.id, "9",
                                       "Chấm nhầm bài kiểm tra")
    assert decide(session, clock, school.principal_id, request.token, approve=True).applied


def test_with_admin_confirmation_the_change_waits_for_the_witness(session, school, clock,
                                                                   entered):
    teacher_id, cell = entered
    school_row = session.get(School, school.school_id)
    school_row.correction_needs_admin_confirmation = True
    session.add(school_row)
    session.commit()
    request = request_score_correction(session, clock, teacher_id, cell.id, "9",
                                       "Chấm nhầm bài kiểm tra")
    decision = decide(session, clock, school.principal_id, request.token, approve=True)
    assert not decision.applied and decision.request.status == CorrectionStatus.APPROVED
    with pytest.raises(PermissionDenied):
        confirm_as_witness(session, clock, school.office_id, request.token)
    applied = confirm_as_witness(session, clock, school.admin_id, request.token)
    assert applied.status == CorrectionStatus.APPLIED and applied.witness_id == school.admin_id
    session.expire_all()
    assert str(session.get(ScoreEntry, cell.id).value) == "9.0"


def test_old_requests_expire(session, school, clock, entered):
    teacher_id, cell = entered
    request_score_correction(session, clock, teacher_id, cell.id, "9", "Chấm nhầm bài kiểm tra")
    clock.move_to(clock.now() + timedelta(days=15))
    expired = expire_old(session, clock)
    assert len(expired) == 1 and expired[0].status == CorrectionStatus.EXPIRED


def test_a_closed_months_absence_is_corrected_through_the_procedure(session, school, clock):
    cls = class_named(session, "6A1")
    gvcn = school.homeroom[cls.id]
    row = record_absences(session, clock, gvcn, AbsenceReport(
        cls.id, date(2026, 11, 16), DaySession.MORNING, (student_ids(session, cls.id)[0],)))[0]
    close_month(session, clock, cls.id, date(2026, 11, 1))
    request = request_absence_correction(session, clock, gvcn, row.id, "P",
                                         "Phụ huynh nộp giấy phép muộn")
    decide(session, clock, school.principal_id, request.token, approve=True)
    session.expire_all()
    assert session.get(Absence, row.id).status == AbsenceStatus.EXCUSED


def test_a_reason_is_required(session, school, clock, entered):
    teacher_id, cell = entered
    with pytest.raises(DomainError, match="lý do"):
        request_score_correction(session, clock, teacher_id, cell.id, "9", "")


def test_only_the_assigned_teacher_may_request(session, school, clock, entered):
    _, cell = entered
    with pytest.raises(PermissionDenied):
        request_score_correction(session, clock, school.office_id, cell.id, "9",
                                 "Chấm nhầm bài kiểm tra")

