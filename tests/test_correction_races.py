"""Corrections under double taps and races: threads pressing at once, on both backends.

Each thread has its own connection, as two phones (or one phone tapping twice over a
slow network) reach two workers of the server.
"""

from collections import Counter
from collections.abc import Callable

import pytest
from sqlmodel import Session, func, select

from models import AuditEntry, CorrectionRequest, ScoreEntry, StaffRole, TeachingAssignment
from models.types import CorrectionStatus, Role
from services import audit_verification
from services.corrections import (
    approval_route,
    confirm_as_witness,
    decide,
    request_score_correction,
)
from services.errors import AlreadyDecided, DomainError, PermissionDenied
from services.scores import ScoreBatch, enter_scores
from tests.helpers import (
    at_once,
    class_named,
    student_ids,
    subject,
    teacher,
    vice_principal_teaching_6a1,
)


def _race(engine, count: int, action: Callable[[Session, int], object]) -> list:
    """Run `action` in `count` threads released at the same instant, each with its own
    session; outcomes (or the refusal raised) in order."""
    def run(index: int) -> object:
        with Session(engine, expire_on_commit=False) as session:
            try:
                return action(session, index)
            except DomainError as error:
                return error
    return at_once(count, run)


@pytest.fixture
def cells(session, school, clock):
    """Toán 6A1 TX1 and TX2 entered as 5 for the whole class: (teacher id, cell ids)."""
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    teacher_id = teacher(school, cls.id, math.id)
    ids = student_ids(session, cls.id)
    cell_ids = []
    for column in ("TX1", "TX2"):
        entries = enter_scores(session, clock, teacher_id, ScoreBatch(
            cls.id, math.id, school.term_ids[1], column, {i: "5" for i in ids}))
        cell_ids += [e.id for e in entries]
    return teacher_id, cell_ids


def _count(session, action: str) -> int:
    return session.exec(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.action == action)).one()


def test_twenty_simultaneous_approvals_apply_the_correction_once(db, session, school, clock,
                                                                 cells):
    engine, _ = db
    teacher_id, cell_ids = cells
    request = request_score_correction(session, clock, teacher_id, cell_ids[0], "9",
                                       "Chấm nhầm bài kiểm tra")
    outcomes = _race(engine, 20, lambda s, _: decide(s, clock, school.principal_id,
                                                      request.token, approve=True))
    refusals = [o for o in outcomes if isinstance(o, AlreadyDecided)]
    applied = [o for o in outcomes if not isinstance(o, DomainError)]
    assert len(applied) == 1 and len(refusals) == 19, outcomes
    principal = school_staff_name(session, school.principal_id)
    assert all("đã được duyệt và sửa xong lúc 10:00 20/11/2026 bởi " + principal in r.message
               for r in refusals)
    session.expire_all()
    assert _count(session, "score.correct") == 1
    assert str(session.get(ScoreEntry, cell_ids[0]).value) == "9.0"
    assert audit_verification.check(session).ok


def test_approve_and_reject_raced_fifty_times_end_with_exactly_one_outcome(db, session, school,
                                                                            clock, cells):
    engine, _ = db
    teacher_id, cell_ids = cells
    tally = Counter()
    for cell_id in cell_ids[:50]:
        request = request_score_correction(session, clock, teacher_id, cell_id, "9",
                                           "Chấm nhầm bài kiểm tra")

        def press(s, index, token=request.token):
            return decide(s, clock, school.principal_id, token, approve=index == 0,
                          reason="" if index == 0 else "Không có bài đối chứng")
        outcomes = _race(engine, 2, press)
        winners = [o for o in outcomes if not isinstance(o, DomainError)]
        assert len(winners) == 1, outcomes
        assert all(isinstance(o, AlreadyDecided) for o in outcomes if o not in winners)
        session.expire_all()
        stored = session.get(CorrectionRequest, request.id)
        value = str(session.get(ScoreEntry, cell_id).value)
        if stored.status == CorrectionStatus.APPLIED:
            assert value == "9.0"
        else:
            assert stored.status == CorrectionStatus.REJECTED and value == "5.0"
        tally[stored.status] += 1
    assert sum(tally.values()) == 50
    assert _count(session, "score.correct") == tally[CorrectionStatus.APPLIED]
    assert _count(session, "correction.rejected") == tally[CorrectionStatus.REJECTED]
    assert audit_verification.check(session).ok


def test_ten_simultaneous_requests_for_one_cell_leave_one_open(db, session, school, clock,
                                                               cells):
    engine, _ = db
    teacher_id, cell_ids = cells
    outcomes = _race(engine, 10, lambda s, i: request_score_correction(
        s, clock, teacher_id, cell_ids[0], str(6 + i % 4), f"Chấm nhầm lần {i}"))
    created = [o for o in outcomes if isinstance(o, CorrectionRequest)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(created) == 1 and len(refused) == 9, outcomes
    assert all("đang chờ duyệt" in r.message for r in refused)
    session.expire_all()
    open_requests = session.exec(select(CorrectionRequest).where(
        CorrectionRequest.score_entry_id == cell_ids[0])).all()
    assert len(open_requests) == 1
    assert _count(session, "correction.request") == 1


def test_the_witness_confirmation_raced_applies_once(db, session, school, clock, cells):
    engine, _ = db
    teacher_id, cell_ids = cells
    _require_witness(session, school)
    request = request_score_correction(session, clock, teacher_id, cell_ids[0], "9",
                                       "Chấm nhầm bài kiểm tra")
    decide(session, clock, school.principal_id, request.token, approve=True)
    outcomes = _race(engine, 8, lambda s, _: confirm_as_witness(s, clock, school.admin_id,
                                                                 request.token))
    assert sum(not isinstance(o, DomainError) for o in outcomes) == 1
    assert all(isinstance(o, AlreadyDecided) for o in outcomes if isinstance(o, DomainError))
    session.expire_all()
    assert _count(session, "score.correct") == 1


def _require_witness(session, school):
    from models import School
    school_row = session.get(School, school.school_id)
    school_row.correction_needs_admin_confirmation = True
    session.add(school_row)
    session.commit()


def test_a_vice_principals_own_request_goes_to_the_principal(session, school, clock):
    vice = vice_principal_teaching_6a1(session, school)
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    (cell,) = enter_scores(session, clock, vice, ScoreBatch(
        cls.id, math.id, school.term_ids[1], "GK", {student_ids(session, cls.id)[0]: "6"}))
    route = approval_route(session, vice, cls)
    assert route.approver.id == school.principal_id
    assert "Phó Hiệu trưởng phụ trách khối" in route.note
    request = request_score_correction(session, clock, vice, cell.id, "7", "Cộng nhầm điểm")
    assert request.approver_id == school.principal_id
    with pytest.raises(PermissionDenied):
        decide(session, clock, vice, request.token, approve=True)
    assert decide(session, clock, school.principal_id, request.token, approve=True).applied


def test_the_principals_own_request_goes_to_a_vice_principal(session, school, clock):
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    session.add(TeachingAssignment(year_id=school.year_id, teacher_id=school.principal_id,
                                   class_id=cls.id, subject_id=math.id))
    session.commit()
    route = approval_route(session, school.principal_id, cls)
    assert route.approver.id in school.vice_principal_ids
    assert "Hiệu trưởng" in route.note


def test_an_admin_cannot_witness_a_correction_they_asked_for_or_approved(session, school, clock,
                                                                         cells):
    teacher_id, cell_ids = cells
    _require_witness(session, school)
    session.add(StaffRole(staff_id=school.principal_id, role=Role.ADMIN))
    session.commit()
    request = request_score_correction(session, clock, teacher_id, cell_ids[0], "9",
                                       "Chấm nhầm bài kiểm tra")
    decide(session, clock, school.principal_id, request.token, approve=True)
    with pytest.raises(PermissionDenied, match="người khác"):
        confirm_as_witness(session, clock, school.principal_id, request.token)
    assert confirm_as_witness(session, clock, school.admin_id, request.token).status == \
        CorrectionStatus.APPLIED


def school_staff_name(session, staff_id: int) -> str:
    from models import Staff
    return session.get(Staff, staff_id).full_name
