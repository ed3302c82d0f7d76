"""Locks explain themselves, and one column can be asked open ("Xin mở khóa")."""

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models import AuditEntry, ScoreEntry, UnlockRequest
from scheduler import jobs
from services import unlocks
from services.errors import AlreadyDecided, DomainError, Locked, PermissionDenied
from services.locks import LockScope, create_lock
from services.scores import ScoreBatch, enter_scores
from tests.conversation_helpers import linked_phone
from tests.helpers import class_named, student_ids, subject, teacher


@pytest.fixture
def locked_term(session, school, clock):
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    lock = create_lock(session, clock, executor_id=school.admin_id,
                       decided_by_id=school.principal_id,
                       scope=LockScope(school.year_id, term_id=school.term_ids[1]),
                       reason="Hết hạn nhập điểm học kì I")
    return cls, math, teacher(school, cls.id, math.id), lock


def _batch(session, school, cls, math, column="TX1"):
    return ScoreBatch(cls.id, math.id, school.term_ids[1], column,
                      {student_ids(session, cls.id)[0]: "8"})


def test_an_approved_request_opens_one_column_for_one_teacher_for_a_few_days(
        session, school, clock, locked_term):
    cls, math, teacher_id, lock = locked_term
    with pytest.raises(Locked) as refused:
        enter_scores(session, clock, teacher_id, _batch(session, school, cls, math))
    assert refused.value.lock_id == lock.id
    principal = _name(session, school.principal_id)
    assert f"do {principal} quyết định" in refused.value.message
    assert "Hết hạn nhập điểm học kì I" in refused.value.message
    request = unlocks.request_unlock(session, clock, teacher_id, cls.id, math.id,
                                     school.term_ids[1], "TX1", "Học sinh kiểm tra bù")
    assert request.approver_id == school.principal_id
    with pytest.raises(PermissionDenied):
        unlocks.decide_unlock(session, clock, teacher_id, request.token, approve=True)
    unlocks.decide_unlock(session, clock, school.principal_id, request.token, approve=True)
    enter_scores(session, clock, teacher_id, _batch(session, school, cls, math))
    with pytest.raises(Locked):  # another column stays locked
        enter_scores(session, clock, teacher_id, _batch(session, school, cls, math, "TX2"))
    clock.move_to(clock.now() + timedelta(days=3, minutes=1))
    with pytest.raises(Locked):  # the window has closed by itself
        enter_scores(session, clock, teacher_id, ScoreBatch(
            cls.id, math.id, school.term_ids[1], "TX1", {student_ids(session, cls.id)[1]: "7"}))
    assert jobs.close_unlock_windows(session, clock) == 0  # teacher not linked: no message
    session.expire_all()
    assert session.get(UnlockRequest, request.id).status == "closed"
    actions = [e.action for e in session.exec(select(AuditEntry).where(
        AuditEntry.entity == "unlock").order_by(AuditEntry.seq))]
    assert actions == ["unlock.request", "unlock.approve", "unlock.close"]


def test_an_unlock_decision_raced_decides_once(db, session, school, clock, locked_term):
    engine, _ = db
    cls, math, teacher_id, _ = locked_term
    request = unlocks.request_unlock(session, clock, teacher_id, cls.id, math.id,
                                     school.term_ids[1], "TX1", "Học sinh kiểm tra bù")
    barrier, outcomes = threading.Barrier(10), []

    def press(approve: bool) -> None:
        with Session(engine) as own:
            barrier.wait()
            try:
                unlocks.decide_unlock(own, clock, school.principal_id, request.token, approve)
                outcomes.append("decided")
            except AlreadyDecided:
                outcomes.append("refused")
    threads = [threading.Thread(target=press, args=(i % 2 == 0,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["decided"] + ["refused"] * 9
    session.expire_all()
    assert len(session.exec(select(AuditEntry).where(
        AuditEntry.action.in_(["unlock.approve", "unlock.reject"]))).all()) == 1


def test_one_pending_request_per_column_and_none_without_a_lock(session, school, clock,
                                                                locked_term):
    cls, math, teacher_id, _ = locked_term
    unlocks.request_unlock(session, clock, teacher_id, cls.id, math.id, school.term_ids[1],
                           "TX1", "Học sinh kiểm tra bù")
    with pytest.raises(DomainError, match="đang chờ duyệt"):
        unlocks.request_unlock(session, clock, teacher_id, cls.id, math.id,
                               school.term_ids[1], "TX1", "Lần nữa cho chắc")
    with pytest.raises(DomainError, match="không bị khóa"):
        unlocks.request_unlock(session, clock, teacher_id, cls.id, math.id,
                               school.term_ids[2], "TX1", "Học kì II chưa khóa")


def test_in_chat_the_lock_is_explained_and_asked_open(db, session, school, clock, locked_term):
    engine, _ = db
    _, _, teacher_id, _ = locked_term
    phone = linked_phone(engine, clock, school, teacher_id, "901")
    principal = linked_phone(engine, clock, school, school.principal_id, "902")
    refused = phone.say("6A1 Toán TX1 HK1\n1 8")
    assert "Đã khóa sổ điểm học kì 1" in refused[0].text
    assert f"do {_name(session, school.principal_id)} quyết định" in refused[0].text
    asked = phone.press("Xin mở khóa", refused[0])
    assert "Nhập lý do xin mở khóa cột TX1" in asked[0].text
    sent = phone.say("Em Hương kiểm tra bù hôm qua")
    assert "Đã gửi yêu cầu mở khóa số" in sent[0].text
    to_principal = next(r for r in sent if r.chat_id == "902")
    assert "Em Hương kiểm tra bù" in to_principal.text and "Đã khóa" in to_principal.text
    decided = principal.press("Duyệt mở khóa", to_principal)
    assert "ĐÃ DUYỆT" in decided[0].text
    told = next(r for r in decided if r.chat_id == "901")
    assert "nhập được cột TX1" in told.text
    preview = phone.say("6A1 Toán TX1 HK1\n1 8")
    done = phone.press("Xác nhận", preview[0])
    assert "Đã lưu 1 điểm" in done[0].text
    again = principal.press("Duyệt mở khóa", to_principal)
    assert "đã được duyệt lúc" in again[0].text
    assert len(session.exec(select(ScoreEntry)).all()) == 1


def _name(session, staff_id):
    from models import Staff
    return session.get(Staff, staff_id).full_name
