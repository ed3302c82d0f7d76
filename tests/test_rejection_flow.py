"""Từ chối is a two-step, recoverable flow; nothing the approver types is acted on at once,
and no failure leaves anyone without an answer."""

from datetime import timedelta

from sqlmodel import select

from handlers import conversation
from models import CorrectionRequest, ScoreEntry
from models.types import CorrectionStatus
from services.corrections import request_score_correction
from services.scores import ScoreBatch, enter_scores
from tests.conversation_helpers import linked_phone
from tests.helpers import (
    class_named,
    student_ids,
    subject,
    teacher,
    vice_principal_teaching_6a1,
)


def _pending_request(session, school, clock):
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    teacher_id = teacher(school, cls.id, math.id)
    (cell,) = enter_scores(session, clock, teacher_id, ScoreBatch(
        cls.id, math.id, school.term_ids[1], "TX1", {student_ids(session, cls.id)[0]: "7"}))
    request = request_score_correction(session, clock, teacher_id, cell.id, "9",
                                       "Chấm nhầm bài kiểm tra")
    return request, cell


def _approver_with_request(db, session, school, clock, user_id="801"):
    engine, _ = db
    request, cell = _pending_request(session, school, clock)
    principal = linked_phone(engine, clock, school, school.principal_id, user_id)
    return principal, request, cell


def _status(session, request_id):
    session.expire_all()
    return session.get(CorrectionRequest, request_id).status


def _buttons(reply):
    return [b.label for row in reply.button_rows() for b in row]


def test_a_typed_reason_is_shown_back_before_anything_is_rejected(db, session, school, clock):
    principal, request, _ = _approver_with_request(db, session, school, clock)
    asked = principal.press_data(f"cn:{request.token}")
    assert "Nhập lý do từ chối" in asked[-1].text and _buttons(asked[-1]) == ["Quay lại"]
    shown = principal.say("à nhầm, tôi định bấm Duyệt")
    assert "“à nhầm, tôi định bấm Duyệt”" in shown[-1].text
    assert _buttons(shown[-1]) == ["Gửi từ chối", "Sửa lý do", "Quay lại"]
    assert _status(session, request.id) == CorrectionStatus.PENDING
    back = principal.press("Quay lại", shown[-1])
    assert _buttons(back[-1]) == ["Duyệt", "Từ chối"]
    approved = principal.press("Duyệt", back[-1])
    assert "ĐÃ DUYỆT" in approved[0].text
    assert _status(session, request.id) == CorrectionStatus.APPLIED


def test_quay_lai_from_the_reason_prompt_restores_the_decision(db, session, school, clock):
    principal, request, _ = _approver_with_request(db, session, school, clock)
    asked = principal.press_data(f"cn:{request.token}")
    back = principal.press("Quay lại", asked[-1])
    assert _buttons(back[-1]) == ["Duyệt", "Từ chối"]
    # the next message is an ordinary one again, not a reason
    said = principal.say("xin chào")
    assert _status(session, request.id) == CorrectionStatus.PENDING
    assert not any("Từ chối yêu cầu" in r.text for r in said)


def test_sua_ly_do_then_gui_tu_choi_rejects_with_the_new_reason(db, session, school, clock):
    principal, request, cell = _approver_with_request(db, session, school, clock)
    principal.press_data(f"cn:{request.token}")
    shown = principal.say("ko")
    assert "quá ngắn" in shown[-1].text
    shown = principal.say("Không có bài")
    edit = principal.press("Sửa lý do", shown[-1])
    assert "Nhập lý do từ chối" in edit[-1].text
    shown = principal.say("Không có bài làm để đối chiếu")
    done = principal.press("Gửi từ chối", shown[-1])
    assert any("Đã từ chối yêu cầu sửa số" in r.text for r in done)
    session.expire_all()
    stored = session.get(CorrectionRequest, request.id)
    assert stored.status == CorrectionStatus.REJECTED
    assert stored.decision_reason == "Không có bài làm để đối chiếu"
    assert str(session.get(ScoreEntry, cell.id).value) == "7.0"
    again = principal.press("Gửi từ chối", shown[-1])
    assert "bị từ chối lúc" in again[-1].text and not _buttons(again[-1])


def test_an_hour_old_reason_prompt_is_answered_with_the_state_and_fresh_buttons(db, session,
                                                                                school, clock):
    principal, request, _ = _approver_with_request(db, session, school, clock)
    principal.press_data(f"cn:{request.token}")
    clock.move_to(clock.now() + timedelta(hours=1))
    said = principal.say("Không có bài làm để đối chiếu")
    assert "quá hạn" in said[0].text
    assert _buttons(said[-1]) == ["Duyệt", "Từ chối"]
    assert _status(session, request.id) == CorrectionStatus.PENDING


def test_an_hour_old_reason_confirmation_is_answered_too(db, session, school, clock):
    principal, request, _ = _approver_with_request(db, session, school, clock)
    principal.press_data(f"cn:{request.token}")
    shown = principal.say("Không có bài làm để đối chiếu")
    clock.move_to(clock.now() + timedelta(hours=1))
    late = principal.press("Gửi từ chối", shown[-1])
    assert "quá hạn" in late[0].text and _buttons(late[-1]) == ["Duyệt", "Từ chối"]
    assert _status(session, request.id) == CorrectionStatus.PENDING


def test_a_reason_typed_after_someone_else_decided_says_so(db, session, school, clock):
    principal, request, _ = _approver_with_request(db, session, school, clock)
    principal.press_data(f"cn:{request.token}")
    shown = principal.say("Không có bài làm để đối chiếu")
    principal.press_data(f"cy:{request.token}")  # e.g. from another device
    late = principal.press("Gửi từ chối", shown[-1])
    assert "đã được duyệt và sửa xong" in late[0].text
    assert _status(session, request.id) == CorrectionStatus.APPLIED


def test_an_unexpected_failure_is_answered_with_an_apology(db, session, school, clock,
                                                            monkeypatch):
    engine, _ = db
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    phone = linked_phone(engine, clock, school, teacher(school, cls.id, math.id), "802")

    def broken(ctx, text):
        raise RuntimeError("boom")
    monkeypatch.setattr(conversation, "preview_scores", broken)
    said = phone.say("6A1 Toán TX1: 8 9", update_key="upd-4242")
    assert len(said) == 1 and "Xin lỗi" in said[0].text and "upd-4242" in said[0].text
    assert session.exec(select(ScoreEntry)).all() == []


def test_a_vice_principals_own_request_says_it_goes_to_the_principal(db, session, school,
                                                                     clock):
    from models import Staff

    engine, _ = db
    vice = vice_principal_teaching_6a1(session, school)
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    enter_scores(session, clock, vice, ScoreBatch(cls.id, math.id, school.term_ids[1], "GK",
                                                  {student_ids(session, cls.id)[0]: "6"}))
    phone = linked_phone(engine, clock, school, vice, "803")
    preview = phone.say("sửa 6A1 Toán GK\n1 7\nlý do: cộng nhầm điểm")
    principal = session.get(Staff, school.principal_id).full_name
    assert f"Người duyệt: {principal}." in preview[-1].text
    assert "chuyển Hiệu trưởng duyệt" in preview[-1].text
