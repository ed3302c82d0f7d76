"""Entering scores through the service: who, when, what values, all or nothing."""

from decimal import Decimal

import pytest
from sqlmodel import select

from models import ScoreEntry
from services.errors import InvalidBatch, InvalidValue, Locked, PermissionDenied
from services.locks import LockScope, create_lock, lift_lock
from services.school import roster
from services.scores import ScoreBatch, enter_scores
from tests.helpers import (
    audit_count,
    class_named,
    score_count,
    student_ids,
    subject,
    teacher,
)


def _batch(session, school, class_name="6A1", code="TOAN", column="TX1", values=None):
    cls, subj = class_named(session, class_name), subject(session, code)
    ids = student_ids(session, cls.id)
    values = values if values is not None else {sid: "8" for sid in ids}
    return cls, subj, ScoreBatch(cls.id, subj.id, school.term_ids[1], column, values)


def test_the_assigned_teacher_enters_a_class_batch_with_its_audit_entries(session, school, clock):
    cls, subj, batch = _batch(session, school)
    values = {sid: ("8,5" if i % 2 else "7") for i, sid in enumerate(batch.values)}
    batch = ScoreBatch(cls.id, subj.id, batch.term_id, "TX1", values)
    before = audit_count(session)
    entries = enter_scores(session, clock, teacher(school, cls.id, subj.id), batch)
    assert len(entries) == len(values) >= 38
    stored = session.exec(select(ScoreEntry).where(ScoreEntry.subject_id == subj.id)).all()
    assert sorted({e.value for e in stored}) == [Decimal("7.0"), Decimal("8.5")]
    assert audit_count(session) == before + len(values)


def test_a_teacher_cannot_enter_scores_for_another_teachers_class(session, school, clock):
    cls, subj, batch = _batch(session, school, "7A1")
    other_class = class_named(session, "6A1")
    intruder = teacher(school, other_class.id, subject(session, "VAN").id)
    if intruder == teacher(school, cls.id, subj.id):
        pytest.skip("same teacher")
    with pytest.raises(PermissionDenied) as refusal:
        enter_scores(session, clock, intruder, batch)
    assert "không được phân công dạy Toán lớp 7A1" in refusal.value.message
    assert "Các lớp/môn của thầy/cô" in refusal.value.message
    assert score_count(session) == 0


def test_a_homeroom_teacher_cannot_enter_a_subject_they_do_not_teach(session, school, clock):
    cls, subj, batch = _batch(session, school, code="KHTN")
    gvcn = school.homeroom[cls.id]
    assert gvcn != teacher(school, cls.id, subj.id)
    with pytest.raises(PermissionDenied):
        enter_scores(session, clock, gvcn, batch)


def test_one_bad_value_in_forty_stores_nothing(session, school, clock):
    cls, subj, batch = _batch(session, school)
    ids = list(batch.values)
    values = {sid: "7,5" for sid in ids}
    values[ids[17]] = "11"
    before = audit_count(session)
    with pytest.raises(InvalidBatch) as refusal:
        enter_scores(session, clock, teacher(school, cls.id, subj.id),
                     ScoreBatch(cls.id, subj.id, batch.term_id, "TX1", values))
    assert len(refusal.value.problems) == 1
    assert "lớn hơn 10" in refusal.value.message
    assert "Chưa lưu điểm nào" in refusal.value.message
    assert score_count(session) == 0 and audit_count(session) == before


def test_every_bad_line_is_reported_with_how_to_fix_it(session, school, clock):
    cls, subj, batch = _batch(session, school)
    ids = list(batch.values)
    values = {ids[0]: "8,25", ids[1]: "-1", ids[2]: "tám", ids[3]: "Đ", ids[4]: "9"}
    with pytest.raises(InvalidBatch) as refusal:
        enter_scores(session, clock, teacher(school, cls.id, subj.id),
                     ScoreBatch(cls.id, subj.id, batch.term_id, "TX1", values))
    problems = [p.problem for p in refusal.value.problems]
    assert len(problems) == 4
    assert "một chữ số thập phân" in problems[0]
    assert "số âm" in problems[1]
    assert "không phải điểm" in problems[2]
    assert "chấm bằng điểm số" in problems[3]


def test_a_column_the_subject_does_not_have_is_refused(session, school, clock):
    cls, subj, batch = _batch(session, school, code="GDCD", column="TX3")
    with pytest.raises(InvalidValue) as refusal:
        enter_scores(session, clock, teacher(school, cls.id, subj.id), batch)
    assert "TX1, TX2, GK, CK" in refusal.value.message


def test_technology_in_grade_nine_has_three_regular_columns(session, school, clock):
    cls, subj, batch = _batch(session, school, "9A1", "CN", "TX3")
    assert len(enter_scores(session, clock, teacher(school, cls.id, subj.id), batch)) > 0


def test_comment_subjects_take_pass_or_fail_typed_any_way(session, school, clock):
    cls, subj, batch = _batch(session, school, code="GDTC")
    ids = list(batch.values)
    values = {sid: ["Đ", "d", "CĐ", "cd", "đ"][i % 5] for i, sid in enumerate(ids)}
    enter_scores(session, clock, teacher(school, cls.id, subj.id),
                 ScoreBatch(cls.id, subj.id, batch.term_id, "TX1", values))
    marks = session.exec(select(ScoreEntry.mark).where(ScoreEntry.subject_id == subj.id)).all()
    assert set(marks) == {"Đ", "CĐ"}


def test_a_recorded_score_cannot_be_entered_again(session, school, clock):
    cls, subj, batch = _batch(session, school)
    teacher_id = teacher(school, cls.id, subj.id)
    enter_scores(session, clock, teacher_id, batch)
    first = next(iter(batch.values))
    second = list(batch.values)[1]
    with pytest.raises(InvalidBatch) as refusal:
        enter_scores(session, clock, teacher_id,
                     ScoreBatch(cls.id, subj.id, batch.term_id, "TX1", {first: "5", second: "6"}))
    assert "yêu cầu sửa điểm" in refusal.value.message
    assert [p.line for p in refusal.value.problems] == [
        line for line in (f"{n}. {name}" for n, name in _roll_and_names(session, cls.id)[:2])]
    assert all("đã có điểm TX1 = 8,0;" in p.problem for p in refusal.value.problems)


def _roll_and_names(session, class_id):
    return [(line.roll_number, line.student.full_name) for line in roster(session, class_id)]


def test_a_student_of_another_class_is_refused(session, school, clock):
    cls, subj, batch = _batch(session, school)
    stranger = student_ids(session, class_named(session, "7A1").id)[0]
    with pytest.raises(InvalidBatch) as refusal:
        enter_scores(session, clock, teacher(school, cls.id, subj.id),
                     ScoreBatch(cls.id, subj.id, batch.term_id, "TX1", {stranger: "5"}))
    assert "không có trong danh sách lớp 6A1" in refusal.value.message


def test_a_locked_term_refuses_entry_until_the_lock_is_lifted(session, school, clock):
    cls, subj, batch = _batch(session, school)
    lock = create_lock(session, clock, executor_id=school.admin_id,
                       decided_by_id=school.principal_id,
                       scope=LockScope(school.year_id, term_id=school.term_ids[1]),
                       reason="Khóa sổ học kì I")
    with pytest.raises(Locked) as refusal:
        enter_scores(session, clock, teacher(school, cls.id, subj.id), batch)
    assert "yêu cầu sửa điểm" in refusal.value.message
    assert score_count(session) == 0
    lift_lock(session, clock, executor_id=school.admin_id, decided_by_id=school.principal_id,
              lock_id=lock.id)
    assert enter_scores(session, clock, teacher(school, cls.id, subj.id), batch)


def test_a_class_lock_leaves_other_classes_open(session, school, clock):
    cls, subj, batch = _batch(session, school)
    create_lock(session, clock, executor_id=school.admin_id, decided_by_id=school.principal_id,
                scope=LockScope(school.year_id, class_id=class_named(session, "7A1").id))
    assert enter_scores(session, clock, teacher(school, cls.id, subj.id), batch)


def test_a_scheduled_lock_takes_effect_at_its_time(session, school, clock):
    from datetime import timedelta

    cls, subj, batch = _batch(session, school)
    create_lock(session, clock, executor_id=school.admin_id, decided_by_id=school.principal_id,
                scope=LockScope(school.year_id, subject_id=subj.id),
                starts_at=clock.now() + timedelta(days=1))
    assert enter_scores(session, clock, teacher(school, cls.id, subj.id), batch)
