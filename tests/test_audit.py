"""The audit log proves the record: every kind of tampering is detected and named.

Each test plays an attacker with write access to the database (but not the audit key),
doing one thing behind the services' back, then runs the full verification.
"""

from datetime import date

from sqlalchemy import text
from sqlmodel import select

from core.clock import VN_TZ
from models import AuditCheckpoint, AuditEntry
from models.types import Session as DaySession
from services import audit, audit_checkpoints, audit_verification
from services.absences import AbsenceReport, record_absences
from services.scores import ScoreBatch, enter_scores
from tests.helpers import class_named, student_ids, subject, teacher


def _enter_some(session, school, clock, column="TX1", count=5, value="6"):
    cls, subj = class_named(session, "6A1"), subject(session, "TOAN")
    ids = student_ids(session, cls.id)[:count]
    return enter_scores(session, clock, teacher(school, cls.id, subj.id),
                        ScoreBatch(cls.id, subj.id, school.term_ids[1], column,
                                   {i: value for i in ids}))


def _check(session):
    session.expire_all()
    return audit_verification.check(session)


def test_the_untouched_record_verifies(session, school, clock):
    _enter_some(session, school, clock)
    result = audit.verify(session)
    assert result.ok and result.checked == 5
    report = audit_verification.run(session, clock, "test")
    assert report.ok and "toàn vẹn" in report.summary() and report.lines() == []
    assert "toàn vẹn" in audit_verification.latest_text(session)


def test_an_edited_score_in_the_log_is_detected(session, school, clock):
    _enter_some(session, school, clock)
    session.exec(text("UPDATE auditentry SET new = REPLACE(new, '\"6,0\"', '\"9,0\"') "
                      "WHERE seq = 3"))
    session.commit()
    result = audit.verify(session)
    assert not result.ok and result.broken_at_seq == 3
    assert "bản ghi số 3" in result.message()


def test_a_deleted_middle_entry_is_detected(session, school, clock):
    _enter_some(session, school, clock)
    session.exec(text("DELETE FROM auditentry WHERE seq = 2"))
    session.commit()
    result = audit.verify(session)
    assert not result.ok and result.broken_at_seq == 2


def test_a_rewritten_chain_with_every_hash_recomputed_is_detected(session, school, clock):
    """The attacker edits entry 2 and recomputes 2…5 with the project's own function:
    the links hold, the seals (HMAC under a key the database does not have) do not."""
    _enter_some(session, school, clock)
    rows = session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()
    prev = rows[0].hash
    for row in rows[1:]:
        if row.seq == 2:
            row.new = row.new.replace("6,0", "9,0")
        row.prev_hash = prev
        row.hash = prev = audit.entry_hash(row)
        session.add(row)
    session.commit()
    result = audit.verify(session)
    assert not result.ok and result.broken_at_seq == 2
    assert "niêm phong" in result.problem


def test_a_truncated_tail_is_detected_by_the_newest_checkpoint(session, school, clock):
    _enter_some(session, school, clock)
    audit_checkpoints.write_now(session, clock, "in sổ lớp 6A1", school.school_id)
    head = audit.head(session, school.school_id).seq
    session.exec(text("DELETE FROM auditentry WHERE seq = :s").bindparams(s=head))
    session.commit()
    report = _check(session)
    assert report.chain.ok  # what is left still chains
    assert not report.ok
    assert any(f"ghi tới bản ghi số {head}" in line and f"chỉ còn tới số {head - 1}" in line
               for line in report.lines())


def test_five_hundred_newest_rows_deleted_are_detected(session, school, clock):
    for cls_name in ("6A1", "7A1", "8A1", "9A1"):
        cls, subj = class_named(session, cls_name), subject(session, "TOAN")
        ids = student_ids(session, cls.id)
        for column in ("TX1", "TX2", "GK", "CK"):
            enter_scores(session, clock, teacher(school, cls.id, subj.id),
                         ScoreBatch(cls.id, subj.id, school.term_ids[1], column,
                                    {i: "7" for i in ids}))
    audit_checkpoints.write_now(session, clock, "khóa học kì I", school.school_id)
    head = audit.head(session, school.school_id).seq
    assert head >= 500
    session.exec(text("DELETE FROM auditentry WHERE seq > :s").bindparams(s=head - 500))
    session.commit()
    report = _check(session)
    assert not report.ok
    assert any("nhật ký bị cắt" in line for line in report.lines())
    # the scores those rows recorded are still in the table, now unexplained by the log
    assert sum("nhật ký không ghi" in line for line in report.lines()) == 500


def test_a_truncation_past_the_last_checkpoint_is_caught_by_the_replay(session, school, clock):
    _enter_some(session, school, clock)
    head = audit.head(session, school.school_id).seq
    session.exec(text("DELETE FROM auditentry WHERE seq = :s").bindparams(s=head))
    session.commit()
    lines = _check(session).lines()
    assert len(lines) == 1 and "nhật ký không ghi" in lines[0] and "Toán HK1 TX1" in lines[0]


def test_a_forged_checkpoint_is_detected(session, school, clock):
    _enter_some(session, school, clock)
    checkpoint = audit_checkpoints.write_now(session, clock, "chốt tháng 11",
                                             school.school_id)
    session.exec(text("UPDATE auditcheckpoint SET seq = 3 WHERE id = :i")
                 .bindparams(i=checkpoint.id))
    session.commit()
    assert any("chữ ký sai" in line for line in _check(session).lines())


def test_a_checkpointed_entry_rewritten_under_it_is_detected(session, school, clock):
    _enter_some(session, school, clock)
    audit_checkpoints.write_now(session, clock, "chốt tháng 11", school.school_id)
    session.exec(text("UPDATE auditentry SET hash = :h WHERE seq = 5").bindparams(h="f" * 64))
    session.commit()
    lines = _check(session).lines()
    assert any("không còn khớp điểm kiểm" in line for line in lines)


def _score_line(report, needle):
    return [line for line in report.lines() if needle in line]


def test_a_score_changed_in_sql_is_named_with_both_values(session, school, clock):
    entries = _enter_some(session, school, clock)
    session.exec(text("UPDATE scoreentry SET value = 95 WHERE id = :i")
                 .bindparams(i=entries[1].id))
    session.commit()
    report = _check(session)
    assert report.chain.ok and not report.ok
    (line,) = report.lines()
    student = student_name(session, entries[1].student_id)
    assert student in line and "lớp 6A1" in line and "Toán HK1 TX1" in line
    assert "bảng ghi 9,5" in line and "nhật ký ghi 6,0" in line


def test_a_score_inserted_in_sql_is_named(session, school, clock):
    entries = _enter_some(session, school, clock)
    cls = class_named(session, "6A1")
    other = student_ids(session, cls.id)[10]
    session.exec(text(
        "INSERT INTO scoreentry (student_id, class_id, subject_id, term_id, \"column\", value, "
        "entered_by_id, entered_at, corrected) SELECT :s, class_id, subject_id, term_id, "
        "\"column\", 100, entered_by_id, entered_at, corrected FROM scoreentry WHERE id = :i")
        .bindparams(s=other, i=entries[0].id))
    session.commit()
    (line,) = _check(session).lines()
    assert student_name(session, other) in line and "nhật ký không ghi" in line
    assert "10,0" in line


def test_a_score_deleted_in_sql_is_named(session, school, clock):
    entries = _enter_some(session, school, clock)
    gone = entries[2].student_id
    session.exec(text("DELETE FROM scoreentry WHERE id = :i").bindparams(i=entries[2].id))
    session.commit()
    (line,) = _check(session).lines()
    assert student_name(session, gone) in line
    assert "bảng không còn dòng này" in line and "6,0" in line


def test_a_score_moved_to_another_student_in_sql_is_named(session, school, clock):
    entries = _enter_some(session, school, clock)
    first = entries[0].student_id
    cls = class_named(session, "6A1")
    other = student_ids(session, cls.id)[20]
    session.exec(text("UPDATE scoreentry SET student_id = :s WHERE id = :i")
                 .bindparams(s=other, i=entries[0].id))
    session.commit()
    (line,) = _check(session).lines()
    assert student_name(session, other) in line
    assert student_name(session, first) in line


def _absences(session, school, clock):
    cls = class_named(session, "6A1")
    homeroom = school.homeroom[cls.id]
    ids = student_ids(session, cls.id)[:3]
    return record_absences(session, clock, homeroom,
                           AbsenceReport(cls.id, date(2026, 11, 16), DaySession.MORNING,
                                         tuple(ids)))


def test_absences_changed_added_or_removed_in_sql_are_named(session, school, clock):
    rows = _absences(session, school, clock)
    assert _check(session).ok
    session.exec(text("UPDATE absence SET status = 'P' WHERE id = :i").bindparams(i=rows[0].id))
    gone = rows[1].student_id
    session.exec(text("DELETE FROM absence WHERE id = :i").bindparams(i=rows[1].id))
    cls = class_named(session, "6A1")
    fourth = student_ids(session, cls.id)[3]
    session.exec(text(
        "INSERT INTO absence (student_id, class_id, day, session, status, recorded_by_id, "
        "recorded_at) SELECT :s, class_id, day, session, 'K', recorded_by_id, recorded_at "
        "FROM absence WHERE id = :i").bindparams(s=fourth, i=rows[2].id))
    session.commit()
    lines = _check(session).lines()
    assert len(lines) == 3
    joined = "\n".join(lines)
    assert "vắng sáng 16/11/2026" in joined
    assert "bảng ghi P, nhật ký ghi ?" in joined
    assert "lớp ?" not in joined
    assert student_name(session, gone) in joined
    assert student_name(session, fourth) in joined


def test_the_status_page_text_reports_the_last_run_and_its_time(session, school, clock):
    assert "Chưa kiểm tra" in audit_verification.latest_text(session)
    entries = _enter_some(session, school, clock)
    session.exec(text("UPDATE scoreentry SET value = 10 WHERE id = :i")
                 .bindparams(i=entries[0].id))
    session.commit()
    audit_verification.run(session, clock, "schedule")
    shown = audit_verification.latest_text(session)
    assert "PHÁT HIỆN THAY ĐỔI" in shown
    assert f"{clock.now().astimezone(VN_TZ):%H:%M %d/%m/%Y}" in shown


def test_checkpoints_are_signed_and_listed(session, school, clock):
    _enter_some(session, school, clock)
    checkpoint = audit_checkpoints.write_now(session, clock, "lưu trữ cuối năm",
                                             school.school_id)
    assert checkpoint.seq == audit.head(session, school.school_id).seq
    assert session.exec(select(AuditCheckpoint)).one().signature == checkpoint.signature
    assert f"bản ghi số {checkpoint.seq}" in audit_checkpoints.label(checkpoint)


def student_name(session, student_id):
    from models import Student
    return session.get(Student, student_id).full_name
