"""One audit chain per school: each school's record verifies on its own, a system entry
lands in the chain of the school it concerns, and one school's appends never wait for
another's. Entries logged before chains were per school (chain 0) still verify."""

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from core.clock import VN_TZ, FixedClock
from models import AuditCheckpoint, AuditEntry, School, SchoolClass, ScoreEntry, Subject
from services import (
    audit,
    audit_checkpoints,
    audit_replay,
    audit_seal,
    audit_verification,
    audit_view,
)
from services.absences import AbsenceReport, close_month, record_absences
from services.demo_school import build_demo_school
from services.scores import ScoreBatch, enter_scores
from tests.helpers import student_ids


def _other_school(session):
    return build_demo_school(session, seed=9, classes_per_grade=1, class_size=5,
                             school_code="THCS-KHAC")


def _maths_6a1(session, demo):
    """A school's class 6A1 and its Toán (both schools have one)."""
    cls = session.exec(select(SchoolClass).where(SchoolClass.year_id == demo.year_id,
                                                 SchoolClass.name == "6A1")).one()
    maths = session.exec(select(Subject).where(Subject.school_id == demo.school_id,
                                               Subject.code == "TOAN")).one()
    return cls, maths


def _enter(session, clock, demo, cls, maths, column="TX1", value="6"):
    return enter_scores(session, clock, demo.teacher_of[(cls.id, maths.id)],
                        ScoreBatch(cls.id, maths.id, demo.term_ids[1], column,
                                   {i: value for i in student_ids(session, cls.id)[:3]}))


def test_each_school_counts_its_own_chain_from_one(session, school, clock):
    other = _other_school(session)
    _enter(session, clock, school, *_maths_6a1(session, school))
    _enter(session, clock, other, *_maths_6a1(session, other))
    _enter(session, clock, school, *_maths_6a1(session, school), column="TX2")
    ours = session.exec(select(AuditEntry.seq).where(AuditEntry.chain == school.school_id)
                        .order_by(AuditEntry.seq)).all()
    theirs = session.exec(select(AuditEntry.seq).where(AuditEntry.chain == other.school_id)
                          .order_by(AuditEntry.seq)).all()
    assert ours == [1, 2, 3, 4, 5, 6] and theirs == [1, 2, 3]
    assert audit.verify(session).ok and audit.verify(session).checked == 9
    assert audit.verify(session, other.school_id).checked == 3


def test_tampering_in_one_school_is_named_and_leaves_the_other_verified(session, school,
                                                                          clock):
    other = _other_school(session)
    _enter(session, clock, school, *_maths_6a1(session, school))
    _enter(session, clock, other, *_maths_6a1(session, other))
    session.exec(text("UPDATE auditentry SET new = REPLACE(new, '\"6,0\"', '\"9,0\"') "
                      "WHERE chain = :c AND seq = 2").bindparams(c=other.school_id))
    session.commit()
    whole = audit.verify(session)
    assert not whole.ok and [c.chain for c in whole.broken] == [other.school_id]
    other_name = session.get(School, other.school_id).name
    assert other_name in whole.message() and "bản ghi số 2" in whole.message()
    assert audit.verify(session, school.school_id).ok
    assert audit_verification.check(session, school.school_id).ok
    assert not audit_verification.check(session, other.school_id).ok


def test_replaying_one_school_reads_its_own_rows_and_catches_a_cell_moved_across(
        session, school, clock):
    other = _other_school(session)
    ours = _enter(session, clock, school, *_maths_6a1(session, school))
    _enter(session, clock, other, *_maths_6a1(session, other))
    assert audit_replay.replay(session, school.school_id) == []
    assert audit_replay.replay(session, other.school_id) == []
    theirs = student_ids(session, _maths_6a1(session, other)[0].id)[0]
    # A direct SQL change gives one of our cells to a student of the other school.
    row = session.get(ScoreEntry, ours[0].id)
    session.exec(text("UPDATE scoreentry SET student_id = :s WHERE id = :i").bindparams(
        s=theirs, i=row.id))
    session.commit()
    session.expire_all()
    at_ours = audit_replay.replay(session, school.school_id)
    at_theirs = audit_replay.replay(session, other.school_id)
    assert [m.row_id for m in at_ours] == [row.id] and "bảng không còn" in at_ours[0].text()
    assert [m.row_id for m in at_theirs] == [row.id] and "nhật ký không ghi" in \
        at_theirs[0].text()
    assert {m.row_id for m in audit_replay.replay(session)} == {row.id}


def test_a_system_entry_goes_to_the_chain_of_the_class_it_concerns(session, school):
    other = _other_school(session)
    cls, _ = _maths_6a1(session, other)
    clock = FixedClock(datetime(2026, 11, 10, 9, 0, tzinfo=VN_TZ))
    record_absences(session, clock, other.homeroom[cls.id],
                    AbsenceReport(cls.id, date(2026, 11, 9), "sang",
                                  [student_ids(session, cls.id)[0]]))
    close_month(session, FixedClock(datetime(2026, 12, 1, 0, 5, tzinfo=VN_TZ)), cls.id,
                date(2026, 11, 1))  # the scheduler: no actor
    closing = session.exec(select(AuditEntry).where(
        AuditEntry.action == "absence.close_month")).one()
    assert closing.actor_id is None and closing.chain == other.school_id
    checkpoint = audit_checkpoints.newest(session, other.school_id)
    assert checkpoint.chain == other.school_id and checkpoint.seq == closing.seq
    assert audit_checkpoints.newest(session, school.school_id) is None
    assert audit_verification.check(session).ok


def test_an_entry_no_one_can_place_in_a_school_is_refused(session, clock):
    with pytest.raises(ValueError):
        audit.append(session, clock, actor_id=None, action="x.y", entity="x", entity_id=1)


def test_a_schools_audit_trail_shows_only_its_own_system_entries(session, school):
    other = _other_school(session)
    cls, _ = _maths_6a1(session, other)
    close_month(session, FixedClock(datetime(2026, 12, 1, 0, 5, tzinfo=VN_TZ)), cls.id,
                date(2026, 11, 1))
    ours = audit_view.AuditFilter(school_id=school.school_id)
    theirs = audit_view.AuditFilter(school_id=other.school_id)
    assert audit_view.count(session, ours) == 0
    assert [row.action for row in audit_view.page(session, theirs)] == \
        ["Chốt điểm danh tháng"]


def _legacy_entry(seq: int, prev_hash: str, at: datetime) -> AuditEntry:
    """An entry as the software wrote it before chains were per school."""
    entry = AuditEntry(chain=0, seq=seq, at=at, actor_id=None, action="score.enter",
                       entity="score_legacy", entity_id=seq, old="", new='{"value": "7,0"}',
                       via="", prev_hash=prev_hash, hash="")
    entry.hash = audit.entry_hash(entry)
    entry.mac = audit.entry_mac(entry.hash)
    return entry


def test_entries_and_checkpoints_from_before_per_school_chains_still_verify(session, school,
                                                                              clock):
    at = datetime(2026, 10, 1, 3, 0, tzinfo=UTC)
    first = _legacy_entry(1, audit.GENESIS, at)
    second = _legacy_entry(2, first.hash, at)
    moment = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    legacy_checkpoint = AuditCheckpoint(
        chain=0, seq=2, hash=second.hash, at=at, reason="khóa sổ cũ",
        signature=audit_seal.sign(f"checkpoint:2:{second.hash}:{moment}:khóa sổ cũ"))
    session.add_all([first, second, legacy_checkpoint])
    session.commit()
    _enter(session, clock, school, *_maths_6a1(session, school))
    report = audit_verification.check(session)
    assert report.ok, report.lines()
    assert [c.chain for c in report.chain.each] == [0, school.school_id]
    assert audit.verify(session, school.school_id).checked == 5  # chain 0, then the school's
    session.exec(text("DELETE FROM auditentry WHERE chain = 0 AND seq = 2"))
    session.commit()
    assert any("khóa sổ cũ" in line for line in audit_verification.check(session).lines())


def _append_in_thread(engine, clock, school_id, results, barrier=None):
    if barrier is not None:
        barrier.wait()
    with Session(engine) as session:
        entry = audit.append(session, clock, actor_id=None, action="test.append",
                             entity="test", entity_id=school_id, school_id=school_id)
        session.commit()
        results.append((school_id, entry.seq))


def test_simultaneous_appends_number_each_chain_without_gaps(db, session, school, clock):
    engine, _ = db
    other = _other_school(session)
    results: list[tuple[int, int]] = []
    barrier = threading.Barrier(16)
    threads = [threading.Thread(target=_append_in_thread,
                                args=(engine, clock, (school.school_id, other.school_id)[i % 2],
                                      results, barrier)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 16
    for chain in (school.school_id, other.school_id):
        assert sorted(seq for c, seq in results if c == chain) == list(range(1, 9))
    assert audit.verify(session).ok


def test_one_school_appends_while_another_holds_its_chain(db, session, school, clock,
                                                          backend):
    """On PostgreSQL the chain lock is per school: a long transaction in school B does not
    hold up school A (SQLite has one writer per database, so it serialises anyway)."""
    if backend != "postgresql":
        pytest.skip("SQLite: một người ghi cho cả tệp, không có khóa theo trường")
    engine, _ = db
    other = _other_school(session)
    with Session(engine) as holding:
        audit.append(holding, clock, actor_id=None, action="test.hold", entity="test",
                     entity_id=1, school_id=other.school_id)  # B's chain locked, not committed
        results: list[tuple[int, int]] = []
        ours = threading.Thread(target=_append_in_thread,
                                args=(engine, clock, school.school_id, results))
        ours.start()
        ours.join(10)
        assert results == [(school.school_id, 1)], "school A waited for school B's lock"
        blocked: list[tuple[int, int]] = []
        theirs = threading.Thread(target=_append_in_thread,
                                  args=(engine, clock, other.school_id, blocked))
        theirs.start()
        theirs.join(1.5)
        assert blocked == []  # the same school's second appender waits its turn
        holding.commit()
    theirs.join(10)
    assert blocked == [(other.school_id, 2)]
