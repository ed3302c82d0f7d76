"""The audit chain verifies, and any edit or deletion of history is detected."""

from sqlalchemy import text

from services import audit
from services.scores import ScoreBatch, enter_scores
from tests.helpers import class_named, student_ids, subject, teacher


def _enter_some(session, school, clock):
    cls, subj = class_named(session, "6A1"), subject(session, "TOAN")
    ids = student_ids(session, cls.id)[:5]
    enter_scores(session, clock, teacher(school, cls.id, subj.id),
                 ScoreBatch(cls.id, subj.id, school.term_ids[1], "TX1", {i: "6" for i in ids}))


def test_the_audit_chain_verifies(session, school, clock):
    _enter_some(session, school, clock)
    result = audit.verify(session)
    assert result.ok and result.checked == 5
    assert "toàn vẹn" in result.message()


def test_an_edited_score_in_the_log_is_detected(session, school, clock):
    _enter_some(session, school, clock)
    session.exec(text("UPDATE auditentry SET new = REPLACE(new, '\"6,0\"', '\"9,0\"') "
                      "WHERE seq = 3"))
    session.commit()
    result = audit.verify(session)
    assert not result.ok and result.broken_at_seq == 3
    assert "bản ghi số 3" in result.message()


def test_a_deleted_entry_is_detected(session, school, clock):
    _enter_some(session, school, clock)
    session.exec(text("DELETE FROM auditentry WHERE seq = 2"))
    session.commit()
    result = audit.verify(session)
    assert not result.ok and result.broken_at_seq == 2


def test_a_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link(session, school, clock):
    _enter_some(session, school, clock)
    entry = session.exec(text("SELECT id FROM auditentry WHERE seq = 2")).one()
    row = session.get(audit.AuditEntry, entry[0])
    row.new = row.new.replace("6,0", "9,0")
    row.hash = audit.entry_hash(row)
    session.add(row)
    session.commit()
    result = audit.verify(session)
    assert not result.ok and result.broken_at_seq == 3
