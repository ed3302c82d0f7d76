"""Xác nhận under double taps, on both backends: several presses of one preview at once,
and one update delivered twice at once (Telegram retrying a slow webhook, or two replicas).
The press, the scores, their audit entries and the preview's status commit together, so
exactly one press writes and each other press is told the batch is saved."""

import pytest
from sqlmodel import Session, func, select

from handlers.conversation import handle
from handlers.events import Incoming
from models import AuditEntry, PendingAction, ProcessedUpdate, ScoreEntry
from services import audit, pending
from services.errors import DomainError
from tests.conversation_helpers import linked_phone
from tests.helpers import at_once, class_named, subject, teacher


def _preview(engine, session, school, clock, user: str):
    cls, maths = class_named(session, "6A1"), subject(session, "TOAN")
    phone = linked_phone(engine, clock, school, teacher(school, cls.id, maths.id), user)
    preview = phone.say("6A1 Toán TX3\n1 8\n2 7,5\n3 9")
    return phone, preview[0].buttons[0].data, cls, maths


def _press(engine, clock, user: str, data: str, update_key: str):
    with Session(engine, expire_on_commit=False) as session:
        return handle(session, clock, Incoming("telegram", user, user, button_data=data,
                                               update_key=update_key))


def _stored(engine, cls, maths) -> tuple[int, int]:
    with Session(engine) as session:
        cells = session.exec(select(func.count()).select_from(ScoreEntry).where(
            ScoreEntry.class_id == cls.id, ScoreEntry.subject_id == maths.id,
            ScoreEntry.column == "TX3")).one()
        entries = session.exec(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "score.enter")).one()
    return cells, entries


def test_six_presses_of_one_preview_at_once_store_the_batch_once(db, session, school, clock):
    engine, _ = db
    _, data, cls, maths = _preview(engine, session, school, clock, "701")
    _, entries_before = _stored(engine, cls, maths)
    replies = at_once(6, lambda i: _press(engine, clock, "701", data, f"tap-{i}"))
    texts = [r[0].text for r in replies]
    assert sum("Đã lưu 3 điểm" in t for t in texts) == 1, texts
    assert sum("đã được lưu rồi" in t for t in texts) == 5, texts
    cells, entries = _stored(engine, cls, maths)
    assert cells == 3 and entries - entries_before == 3
    with Session(engine) as check:
        assert check.exec(select(PendingAction.status).where(
            PendingAction.token == data.split(":")[1])).one() == "confirmed"
        assert audit.verify(check).ok


def test_one_update_delivered_twice_at_once_is_handled_once(db, session, school, clock):
    engine, _ = db
    _, data, cls, maths = _preview(engine, session, school, clock, "702")
    replies = at_once(2, lambda i: _press(engine, clock, "702", data, "same-update"))
    answered = [r for r in replies if r]
    assert len(answered) == 1 and "Đã lưu 3 điểm" in answered[0][0].text
    assert _stored(engine, cls, maths)[0] == 3
    with Session(engine) as check:
        assert check.exec(select(func.count()).select_from(ProcessedUpdate).where(
            ProcessedUpdate.update_key == "same-update")).one() == 1


def test_a_refused_confirm_closes_the_preview_with_the_update_recorded(db, session, school,
                                                                       clock):
    """The column got a value between preview and Xác nhận: the refusal is found before
    anything is written, and the press, its de-duplication and the failed preview commit."""
    engine, _ = db
    phone, _, cls, maths = _preview(engine, session, school, clock, "703")
    other = phone.say("6A1 Toán TX3\n1 6")  # a second preview replaces the first …
    phone.press("Xác nhận", other[0])  # … and is confirmed: student 1 now has TX3
    again = phone.say("6A1 Toán TX3\n2 7\n4 8")
    with Session(engine) as sneak:  # student 4 gets a TX3 behind the preview's back
        sneak.add(ScoreEntry(student_id=_student(sneak, cls, 4), class_id=cls.id,
                             subject_id=maths.id, term_id=_term(sneak, cls, maths),
                             column="TX3", value=5, entered_by_id=1,
                             entered_at=clock.now()))
        sneak.commit()
    refused = _press(engine, clock, "703", again[0].buttons[0].data, "late-press")
    assert "Không lưu được" in refused[0].text
    token = again[0].buttons[0].data.split(":")[1]
    with Session(engine) as check:
        assert check.exec(select(PendingAction.status).where(
            PendingAction.token == token)).one() == "failed"
        assert check.exec(select(ProcessedUpdate).where(
            ProcessedUpdate.update_key == "late-press")).first() is not None
    assert _stored(engine, cls, maths)[0] == 2  # students 1 and 4; nothing of the batch
    assert "Nút này không còn hiệu lực" in _press(engine, clock, "703",
                                                   again[0].buttons[0].data, "again")[0].text


def test_a_write_that_refuses_after_its_checks_leaves_the_preview_pending(db, session, school,
                                                                          clock):
    """`carry_out_checked` promises its write refuses nothing; should one refuse anyway,
    nothing of the press is kept: no status change, no half-written rows."""
    engine, _ = db
    _, data, cls, maths = _preview(engine, session, school, clock, "704")
    token = data.split(":")[1]
    with Session(engine, expire_on_commit=False) as press:
        staff_id = press.exec(select(PendingAction.staff_id).where(
            PendingAction.token == token)).one()
        claimed = pending.claim(press, clock, token, staff_id)

        def write(checked):
            press.add(ScoreEntry(student_id=_student(press, cls, 1), class_id=cls.id,
                                 subject_id=maths.id, term_id=school.term_ids[1],
                                 column="TX3", value=5, entered_by_id=staff_id,
                                 entered_at=clock.now()))
            press.flush()
            raise DomainError("từ chối muộn")

        with pytest.raises(DomainError):
            pending.carry_out_checked(press, clock, claimed, lambda: "checked", write)
    with Session(engine) as check:
        assert check.exec(select(PendingAction.status).where(
            PendingAction.token == token)).one() == "pending"
    assert _stored(engine, cls, maths)[0] == 0


def _student(session, cls, roll: int) -> int:
    from services.school import roster

    return roster(session, cls.id)[roll - 1].student.id


def _term(session, cls, maths) -> int:
    return session.exec(select(ScoreEntry.term_id).where(
        ScoreEntry.class_id == cls.id, ScoreEntry.subject_id == maths.id)).first()
