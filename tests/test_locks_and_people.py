"""Locks decided by the BGH, transfers that keep history, progress figures."""

from datetime import date

import pytest
from sqlmodel import select

from models import AuditEntry, Enrolment, ScoreEntry
from models.types import EnrolmentStatus
from services.enrolments import current_enrolment, move_student
from services.errors import DomainError, PermissionDenied
from services.locks import LockScope, create_lock, lift_lock
from services.progress import ProgressFilter, progress, totals
from services.school import roster
from services.scores import ScoreBatch, enter_scores
from tests.helpers import class_named, student_ids, subject, teacher


def test_only_the_principal_or_a_vice_principal_decides_a_lock(session, school, clock):
    with pytest.raises(PermissionDenied) as refusal:
        create_lock(session, clock, executor_id=school.admin_id, decided_by_id=school.admin_id,
                    scope=LockScope(school.year_id, term_id=school.term_ids[1]))
    assert "Hiệu trưởng" in refusal.value.message


def test_the_office_cannot_lift_a_lock(session, school, clock):
    lock = create_lock(session, clock, executor_id=school.admin_id,
                       decided_by_id=school.vice_principal_ids[0],
                       scope=LockScope(school.year_id, term_id=school.term_ids[1]))
    with pytest.raises(PermissionDenied):
        lift_lock(session, clock, executor_id=school.office_id,
                  decided_by_id=school.principal_id, lock_id=lock.id)


def test_lock_and_unlock_are_audited_and_unlocking_twice_is_refused(session, school, clock):
    lock = create_lock(session, clock, executor_id=school.admin_id,
                       decided_by_id=school.principal_id,
                       scope=LockScope(school.year_id, term_id=school.term_ids[1]))
    lift_lock(session, clock, executor_id=school.principal_id,
              decided_by_id=school.principal_id, lock_id=lock.id)
    actions = session.exec(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
    assert actions == ["lock.create", "lock.lift"]
    with pytest.raises(DomainError):
        lift_lock(session, clock, executor_id=school.admin_id,
                  decided_by_id=school.principal_id, lock_id=lock.id)


def test_a_class_change_keeps_the_old_enrolment_and_its_scores(session, school, clock):
    old_class, new_class = class_named(session, "6A1"), class_named(session, "7A1")
    math = subject(session, "TOAN")
    pupil = student_ids(session, old_class.id)[0]
    enter_scores(session, clock, teacher(school, old_class.id, math.id),
                 ScoreBatch(old_class.id, math.id, school.term_ids[1], "TX1", {pupil: "9"}))
    move_student(session, clock, school.admin_id, pupil, date(2026, 11, 20),
                 EnrolmentStatus.CHANGED_CLASS, new_class.id, "Theo nguyện vọng gia đình")
    history = session.exec(select(Enrolment).where(Enrolment.student_id == pupil)
                           .order_by(Enrolment.start_date)).all()
    assert [(h.class_id, h.status) for h in history] == [
        (old_class.id, EnrolmentStatus.CHANGED_CLASS), (new_class.id, EnrolmentStatus.STUDYING)]
    assert history[0].end_date == date(2026, 11, 19)
    assert current_enrolment(session, pupil).class_id == new_class.id
    assert pupil in [line.student.id for line in roster(session, old_class.id, date(2026, 10, 1))]
    assert pupil not in [line.student.id for line in roster(session, old_class.id)]
    assert session.exec(select(ScoreEntry).where(ScoreEntry.student_id == pupil)).one()


def test_a_transfer_out_closes_the_enrolment_without_a_new_one(session, school, clock):
    cls = class_named(session, "6A1")
    pupil = student_ids(session, cls.id)[1]
    assert move_student(session, clock, school.admin_id, pupil, date(2026, 11, 1),
                        EnrolmentStatus.TRANSFERRED_OUT) is None
    assert current_enrolment(session, pupil) is None


def test_a_teacher_cannot_move_students(session, school, clock):
    cls = class_named(session, "6A1")
    with pytest.raises(PermissionDenied):
        move_student(session, clock, school.homeroom[cls.id], student_ids(session, cls.id)[0],
                     date(2026, 11, 1), EnrolmentStatus.DROPPED_OUT)


def test_progress_counts_required_and_filled_cells(session, school, clock):
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    ids = student_ids(session, cls.id)
    teacher_id = teacher(school, cls.id, math.id)
    enter_scores(session, clock, teacher_id,
                 ScoreBatch(cls.id, math.id, school.term_ids[1], "TX1", {i: "7" for i in ids}))
    rows = progress(session, school.term_ids[1], ProgressFilter(class_id=cls.id,
                                                                subject_id=math.id))
    assert len(rows) == 1
    row = rows[0]
    assert row.required == len(ids) * 6  # TX1–TX4, GK, CK
    assert row.filled == len(ids)
    assert row.missing_by_column == {c: len(ids) for c in ("TX2", "TX3", "TX4", "GK", "CK")}
    school_rows = progress(session, school.term_ids[1])
    assert totals(school_rows).filled == len(ids)
    mine = progress(session, school.term_ids[1], ProgressFilter(teacher_id=teacher_id))
    assert {r.teacher_id for r in mine} == {teacher_id}
