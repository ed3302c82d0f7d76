"""Roll call: who records, who confirms P/K, and the month closing on day 5."""

from datetime import date

import pytest
from sqlmodel import select

from models import Absence, AuditEntry
from models.types import AbsenceStatus, Session
from services.absences import AbsenceReport, close_month, confirm_absences, record_absences
from services.errors import DomainError, InvalidBatch, Locked, PermissionDenied
from services.locks import LockScope, create_lock
from tests.helpers import class_named, student_ids, subject, teacher

DAY = date(2026, 11, 16)


def _report(session, class_name="6A1", count=2, day=DAY):
    cls = class_named(session, class_name)
    return cls, AbsenceReport(cls.id, day, Session.MORNING,
                              tuple(student_ids(session, cls.id)[:count]))


def test_the_homeroom_teacher_records_absences(session, school, clock):
    cls, report = _report(session)
    rows = record_absences(session, clock, school.homeroom[cls.id], report)
    assert [r.status for r in rows] == [AbsenceStatus.UNCONFIRMED] * 2


def test_a_subject_teacher_of_the_class_and_a_supervisor_may_record(session, school, clock):
    cls, report = _report(session)
    math_teacher = teacher(school, cls.id, subject(session, "TOAN").id)
    record_absences(session, clock, math_teacher, report)
    _, other = _report(session, count=3)
    later = AbsenceReport(other.class_id, other.day, Session.AFTERNOON, other.student_ids)
    assert len(record_absences(session, clock, school.supervisor_ids[0], later)) == 3


def test_the_office_clerk_who_teaches_no_class_cannot_record(session, school, clock):
    _, report = _report(session, "9A1")
    with pytest.raises(PermissionDenied):
        record_absences(session, clock, school.office_id, report)


def test_the_same_absence_is_not_recorded_twice(session, school, clock):
    cls, report = _report(session)
    record_absences(session, clock, school.homeroom[cls.id], report)
    with pytest.raises(InvalidBatch) as refusal:
        record_absences(session, clock, school.homeroom[cls.id], report)
    assert "đã được ghi vắng" in refusal.value.message


def test_absences_in_the_future_are_refused(session, school, clock):
    cls, report = _report(session, day=date(2026, 11, 25))
    with pytest.raises(DomainError) as refusal:
        record_absences(session, clock, school.homeroom[cls.id], report)
    assert "chưa tới" in refusal.value.message


def test_a_subject_teacher_cannot_confirm_absences(session, school, clock):
    cls, report = _report(session)
    rows = record_absences(session, clock, school.homeroom[cls.id], report)
    math_teacher = teacher(school, cls.id, subject(session, "TOAN").id)
    with pytest.raises(PermissionDenied) as refusal:
        confirm_absences(session, clock, math_teacher, {rows[0].id: AbsenceStatus.EXCUSED})
    assert "Chỉ GVCN lớp 6A1" in refusal.value.message


def test_a_gvcn_cannot_confirm_absences_of_another_class(session, school, clock):
    cls, report = _report(session)
    rows = record_absences(session, clock, school.homeroom[cls.id], report)
    other_gvcn = school.homeroom[class_named(session, "7A1").id]
    with pytest.raises(PermissionDenied):
        confirm_absences(session, clock, other_gvcn, {rows[0].id: AbsenceStatus.EXCUSED})


def test_the_gvcn_confirms_excused_and_unexcused(session, school, clock):
    cls, report = _report(session)
    gvcn = school.homeroom[cls.id]
    rows = record_absences(session, clock, gvcn, report)
    confirm_absences(session, clock, gvcn, {rows[0].id: AbsenceStatus.EXCUSED,
                                            rows[1].id: AbsenceStatus.UNEXCUSED})
    statuses = session.exec(select(Absence.status).order_by(Absence.id)).all()
    assert statuses == [AbsenceStatus.EXCUSED, AbsenceStatus.UNEXCUSED]


def test_closing_the_month_turns_unconfirmed_into_unexcused_and_locks_it(session, school, clock):
    cls, report = _report(session, count=3)
    gvcn = school.homeroom[cls.id]
    rows = record_absences(session, clock, gvcn, report)
    confirm_absences(session, clock, gvcn, {rows[0].id: AbsenceStatus.EXCUSED})
    close_month(session, clock, cls.id, DAY)
    statuses = session.exec(select(Absence.status).order_by(Absence.id)).all()
    assert statuses == [AbsenceStatus.EXCUSED, AbsenceStatus.UNEXCUSED, AbsenceStatus.UNEXCUSED]
    automatic = session.exec(select(AuditEntry).where(
        AuditEntry.action == "absence.auto_unexcused")).all()
    assert len(automatic) == 2 and all(e.actor_id is None for e in automatic)
    with pytest.raises(Locked) as refusal:
        confirm_absences(session, clock, gvcn, {rows[1].id: AbsenceStatus.EXCUSED})
    assert "đã chốt" in refusal.value.message
    with pytest.raises(Locked):
        record_absences(session, clock, gvcn, AbsenceReport(
            cls.id, date(2026, 11, 2), Session.MORNING, report.student_ids))
    again = close_month(session, clock, cls.id, DAY)
    assert again.month == date(2026, 11, 1)


def test_a_month_lock_blocks_attendance_of_that_month_only(session, school, clock):
    cls, report = _report(session)
    create_lock(session, clock, executor_id=school.principal_id,
                decided_by_id=school.principal_id,
                scope=LockScope(school.year_id, month=date(2026, 10, 1)))
    with pytest.raises(Locked):
        record_absences(session, clock, school.homeroom[cls.id], AbsenceReport(
            cls.id, date(2026, 10, 12), Session.MORNING, report.student_ids))
    assert record_absences(session, clock, school.homeroom[cls.id], report)
