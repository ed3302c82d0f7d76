"""Corrections end to end over the Bot API emulator: the teacher asks, the approver taps."""

import pytest
from sqlmodel import Session, select

from models import AuditEntry, ScoreEntry
from services.locks import LockScope, create_lock
from services.scores import ScoreBatch, enter_scores
from tests.emulator.client import TelegramUser
from tests.emulator.harness import invite as _invite
from tests.emulator.harness import running_bot
from tests.helpers import class_named, student_ids, subject, teacher

TEACHER_ID, PRINCIPAL_ID, OTHER_ID = 71, 72, 73


def _prepare(engine, clock, school):
    with Session(engine, expire_on_commit=False) as session:
        cls, math = class_named(session, "6A1"), subject(session, "TOAN")
        teacher_id = teacher(school, cls.id, math.id)
        ids = student_ids(session, cls.id)[:3]
        enter_scores(session, clock, teacher_id, ScoreBatch(
            cls.id, math.id, school.term_ids[1], "TX1", {i: "7" for i in ids}))
        cell = session.exec(select(ScoreEntry).where(ScoreEntry.student_id == ids[2])).one()
    return teacher_id, cell.id


async def _teacher_and_principal(e2e, clock, teacher_id):
    engine, school, emulator, token = e2e
    return (await _linked(emulator, token, engine, clock, school, TEACHER_ID, teacher_id),
            await _linked(emulator, token, engine, clock, school, PRINCIPAL_ID,
                          school.principal_id))


async def _linked(emulator, token, engine, clock, school, user_id, staff_id):
    user = TelegramUser(emulator.url, token, user_id)
    await user.say(f"/start {_invite(engine, clock, school, staff_id)}")
    await user.wait_for(lambda m: len(m) == 1)
    return user


def _value(engine, cell_id) -> str:
    with Session(engine) as session:
        return session.get(ScoreEntry, cell_id).display()


async def _ask(teacher_user, approver):
    await teacher_user.say("sửa 6A1 Toán TX1\n3 9\nlý do: chấm nhầm bài kiểm tra")
    said = await teacher_user.wait_for(lambda m: len(m) == 2)
    assert "7,0 → 9,0" in said[1]["text"] and "Người duyệt" in said[1]["text"]
    await teacher_user.press(said[1], "Gửi yêu cầu")
    await teacher_user.wait_for(lambda m: "Đã gửi yêu cầu sửa số" in m[1]["text"])
    return await approver.wait_for(lambda m: len(m) == 2)


@pytest.mark.parametrize("locked", [False, True])
async def test_request_approve_applied_audited_and_both_told(e2e, clock, locked):
    engine, school, emulator, token = e2e
    teacher_id, cell_id = _prepare(engine, clock, school)
    if locked:
        with Session(engine, expire_on_commit=False) as session:
            create_lock(session, clock, executor_id=school.admin_id,
                        decided_by_id=school.principal_id,
                        scope=LockScope(school.year_id, term_id=school.term_ids[1]))
    async with running_bot(engine, clock, emulator, token):
        teacher_user, principal = await _teacher_and_principal(e2e, clock, teacher_id)
        if locked:
            await teacher_user.say("6A1 Toán TX2: 8 8")
            said = await teacher_user.wait_for(lambda m: len(m) == 2)
            assert "Đã khóa" in said[1]["text"] and "yêu cầu sửa" in said[1]["text"]
            teacher_user_base = 2
        else:
            teacher_user_base = 1
        await teacher_user.say("sửa 6A1 Toán TX1\n3 9\nlý do: chấm nhầm bài kiểm tra")
        said = await teacher_user.wait_for(lambda m: len(m) == teacher_user_base + 1)
        await teacher_user.press(said[-1], "Gửi yêu cầu")
        asked = await principal.wait_for(lambda m: len(m) == 2)
        assert "7,0 → 9,0" in asked[1]["text"] and "chấm nhầm" in asked[1]["text"]
        await principal.press(asked[1], "Duyệt")
        decided = await principal.wait_for(lambda m: "ĐÃ DUYỆT" in m[1]["text"])
        assert not decided[1].get("reply_markup")
        told = await teacher_user.wait_for(lambda m: any("đã được duyệt" in (x["text"] or "")
                                                         for x in m))
        assert any("9,0" in (x["text"] or "") for x in told)
        await principal.press(asked[1], "Duyệt")  # a double tap
        again = await principal.wait_for(lambda m: len(m) == 3)
        assert "đã được duyệt và sửa xong" in again[2]["text"]
    assert _value(engine, cell_id) == "9,0"
    with Session(engine) as session:
        change = session.exec(select(AuditEntry).where(
            AuditEntry.action == "score.correct")).one()
        assert change.actor_id == teacher_id
    await teacher_user.close()
    await principal.close()


async def test_reject_with_a_reason(e2e, clock):
    engine, school, emulator, token = e2e
    teacher_id, cell_id = _prepare(engine, clock, school)
    async with running_bot(engine, clock, emulator, token):
        teacher_user, principal = await _teacher_and_principal(e2e, clock, teacher_id)
        asked = await _ask(teacher_user, principal)
        await principal.press(asked[1], "Từ chối")
        said = await principal.wait_for(lambda m: len(m) == 3)
        assert "Nhập lý do từ chối" in said[2]["text"]
        await principal.press(said[2], "Quay lại")  # pressed by mistake: back to the choice
        said = await principal.wait_for(lambda m: len(m) == 4)
        assert "Chưa từ chối" in said[2]["text"]
        await principal.press(said[3], "Từ chối")
        said = await principal.wait_for(lambda m: len(m) == 5)
        await principal.say("Không có bài làm để đối chiếu")
        said = await principal.wait_for(lambda m: len(m) == 6)
        assert "“Không có bài làm để đối chiếu”" in said[5]["text"]
        assert _value(engine, cell_id) == "7,0"  # shown back, not acted on
        await principal.press(said[5], "Gửi từ chối")
        await principal.wait_for(lambda m: any("Đã từ chối" in (x["text"] or "") for x in m))
        told = await teacher_user.wait_for(lambda m: any("bị từ chối" in (x["text"] or "")
                                                         for x in m))
        assert any("Không có bài làm để đối chiếu" in (x["text"] or "") for x in told)
    assert _value(engine, cell_id) == "7,0"
    await teacher_user.close()
    await principal.close()


async def test_someone_else_pressing_and_a_stale_request_do_nothing(e2e, clock):
    engine, school, emulator, token = e2e
    teacher_id, cell_id = _prepare(engine, clock, school)
    async with running_bot(engine, clock, emulator, token):
        teacher_user, principal = await _teacher_and_principal(e2e, clock, teacher_id)
        intruder = await _linked(emulator, token, engine, clock, school, OTHER_ID,
                                 school.vice_principal_ids[0])
        asked = await _ask(teacher_user, principal)
        await intruder.press(asked[1], "Duyệt")  # a forwarded message's button
        said = await intruder.wait_for(lambda m: len(m) == 2)
        assert "người khác duyệt" in said[1]["text"]
        await intruder.press_data(asked[1], "cy:gia-mao-123")
        said = await intruder.wait_for(lambda m: len(m) == 3)
        assert "Không tìm thấy yêu cầu" in said[2]["text"]
        with Session(engine) as session:  # changed behind the procedure's back
            cell = session.get(ScoreEntry, cell_id)
            cell.value = cell.value + 2
            session.add(cell)
            session.commit()
        await principal.press(asked[1], "Duyệt")
        said = await principal.wait_for(lambda m: len(m) == 3)
        assert "không còn là 7,0" in said[2]["text"]
    assert _value(engine, cell_id) == "9,0"
    for user in (teacher_user, principal, intruder):
        await user.close()


async def test_a_lock_explains_itself_and_is_asked_open_over_the_emulator(e2e, clock):
    engine, school, emulator, token = e2e
    teacher_id, _ = _prepare(engine, clock, school)
    with Session(engine, expire_on_commit=False) as session:
        create_lock(session, clock, executor_id=school.admin_id,
                    decided_by_id=school.principal_id, reason="Hết hạn nhập điểm",
                    scope=LockScope(school.year_id, term_id=school.term_ids[1]))
    async with running_bot(engine, clock, emulator, token):
        teacher_user, principal = await _teacher_and_principal(e2e, clock, teacher_id)
        await teacher_user.say("6A1 Toán TX2 HK1\n1 8")
        said = await teacher_user.wait_for(lambda m: len(m) == 2)
        assert "Đã khóa sổ điểm học kì 1" in said[1]["text"]
        assert "quyết định" in said[1]["text"] and "Hết hạn nhập điểm" in said[1]["text"]
        await teacher_user.press(said[1], "Xin mở khóa")
        said = await teacher_user.wait_for(lambda m: len(m) == 3)
        assert "Nhập lý do xin mở khóa cột TX2" in said[2]["text"]
        await teacher_user.say("Hai em kiểm tra bù")
        await teacher_user.wait_for(lambda m: any("Đã gửi yêu cầu mở khóa" in (x["text"] or "")
                                                  for x in m))
        asked = await principal.wait_for(lambda m: len(m) == 2)
        assert "Hai em kiểm tra bù" in asked[1]["text"]
        await principal.press(asked[1], "Duyệt mở khóa")
        await principal.wait_for(lambda m: "ĐÃ DUYỆT" in (m[1]["text"] or ""))
        told = await teacher_user.wait_for(lambda m: any("nhập được cột TX2" in (x["text"] or "")
                                                         for x in m))
        await teacher_user.say("6A1 Toán TX2 HK1\n1 8")
        said = await teacher_user.wait_for(lambda m: len(m) == len(told) + 1)
        assert "Xem trước" in said[-1]["text"]
        await teacher_user.press(said[-1], "Xác nhận")
        await teacher_user.wait_for(lambda m: any("Đã lưu 1 điểm" in (x["text"] or "")
                                                  for x in m))
    await teacher_user.close()
    await principal.close()
