"""End to end: the real python-telegram-bot application talks HTTP on loopback to a
Bot API emulator (telegram-test-api, patched by tests/emulator/launch.js), and the test
plays the teachers."""

import httpx
from sqlmodel import Session, select

from bot.telegram_adapter import build_application
from models import Absence, ScoreEntry
from services.school import roster
from tests.emulator.client import TelegramUser
from tests.emulator.harness import invite as _invite
from tests.emulator.harness import running_bot
from tests.helpers import class_named, subject, teacher


def _count(engine, model) -> int:
    with Session(engine) as session:
        return len(session.exec(select(model)).all())


def _texts(messages):
    return [m.get("text") or "" for m in messages]


async def test_linking_an_unknown_chat_a_used_code_and_an_expired_code(e2e, clock):
    engine, school, emulator, token = e2e
    code = _invite(engine, clock, school, school.principal_id)
    expired = _invite(engine, clock, school, school.admin_id, days=-1)
    stranger, principal, late = (TelegramUser(emulator.url, token, uid) for uid in (7, 8, 9))
    async with running_bot(engine, clock, emulator, token):
        await stranger.say("xin chào")
        said = await stranger.wait_for(lambda m: len(m) == 1)
        assert "chưa được liên kết" in said[0]["text"]
        await principal.say(f"/start {code}")
        said = await principal.wait_for(lambda m: len(m) == 1)
        assert "Đã liên kết tài khoản với" in said[0]["text"]
        await stranger.say(f"/start {code}")
        said = await stranger.wait_for(lambda m: len(m) == 2)
        assert "đã được dùng" in said[1]["text"]
        await late.say(f"/start {expired}")
        said = await late.wait_for(lambda m: len(m) == 1)
        assert "hết hạn" in said[0]["text"]
    commands = httpx.post(f"{emulator.url}/test/commands", json={"token": token}).json()
    assert [c["command"] for c in commands["result"]["8"]][:2] == ["help", "choduyet"]
    for user in (stranger, principal, late):
        await user.close()


async def test_a_score_batch_from_typo_to_confirmed(e2e, clock):
    engine, school, emulator, token = e2e
    with Session(engine) as session:
        cls, math = class_named(session, "6A1"), subject(session, "TOAN")
        teacher_id = teacher(school, cls.id, math.id)
        lines = roster(session, cls.id)
    user = TelegramUser(emulator.url, token, 21)
    async with running_bot(engine, clock, emulator, token):
        await user.say(f"/start {_invite(engine, clock, school, teacher_id)}")
        await user.wait_for(lambda m: len(m) == 1)
        typo = lines[2].student.full_name.replace(" ", "  ") + "h"
        await user.say(f"6a1 toan tx1\n1 8\n2 12\n{typo} 7")
        said = await user.wait_for(lambda m: len(m) == 2)
        assert "2 dòng cần sửa" in said[1]["text"] and "lớn hơn 10" in said[1]["text"]
        assert not said[1].get("reply_markup")
        await user.say("6a1 toan tx1\n1 8\n2 9,5\n3 7")
        said = await user.wait_for(lambda m: len(m) == 3)
        preview = said[2]
        assert lines[1].student.full_name in preview["text"] and "9,5" in preview["text"]
        assert _count(engine, ScoreEntry) == 0
        await user.press(preview, "Xác nhận")
        said = await user.wait_for(lambda m: "Đã lưu 3 điểm" in m[2]["text"])
        assert said[2]["edited"] == 1 and not said[2].get("reply_markup")
        assert _count(engine, ScoreEntry) == 3
        await user.press(preview, "Xác nhận")  # a double tap replays the old button
        said = await user.wait_for(lambda m: len(m) == 4)
        assert "đã được lưu rồi" in said[3]["text"]
        assert _count(engine, ScoreEntry) == 3
    await user.close()


async def test_cancel_another_teachers_class_and_absences(e2e, clock):
    engine, school, emulator, token = e2e
    with Session(engine) as session:
        cls, math = class_named(session, "6A1"), subject(session, "TOAN")
        teacher_id = teacher(school, cls.id, math.id)
        gvcn = school.homeroom[cls.id]
    user, homeroom = TelegramUser(emulator.url, token, 31), TelegramUser(emulator.url, token, 32)
    async with running_bot(engine, clock, emulator, token):
        await user.say(f"/start {_invite(engine, clock, school, teacher_id)}")
        await homeroom.say(f"/start {_invite(engine, clock, school, gvcn)}")
        await user.wait_for(lambda m: len(m) == 1)
        await user.say("6A1 Ngữ văn TX1\n1 8")
        said = await user.wait_for(lambda m: len(m) == 2)
        assert "không dạy Ngữ văn lớp 6A1" in said[1]["text"]
        await user.say("6A1 Toán TX1: 8 7 9")
        said = await user.wait_for(lambda m: len(m) == 3)
        await user.press(said[2], "Hủy")
        said = await user.wait_for(lambda m: "Đã hủy" in m[2]["text"])
        assert _count(engine, ScoreEntry) == 0
        await homeroom.wait_for(lambda m: len(m) == 1)
        await homeroom.say("vắng 6A1 sáng 2 4")
        said = await homeroom.wait_for(lambda m: len(m) == 2)
        await homeroom.press(said[1], "Xác nhận")
        await homeroom.wait_for(lambda m: "Đã ghi 2 lượt vắng" in m[1]["text"])
        assert _count(engine, Absence) == 2
    await user.close()
    await homeroom.close()


async def test_a_redelivered_update_is_processed_once(e2e, clock):
    engine, school, emulator, token = e2e
    user = TelegramUser(emulator.url, token, 41)
    async with running_bot(engine, clock, emulator, token):
        await user.say(f"/start {_invite(engine, clock, school, school.principal_id)}")
        await user.wait_for(lambda m: len(m) == 1)
        await user.say("/help")
        await user.wait_for(lambda m: len(m) == 2)
        history = httpx.post(f"{emulator.url}/getUpdatesHistory", json={"token": token}).json()
        help_update = max(u["updateId"] for u in history["result"] if "botToken" in u
                          and u.get("message", {}).get("text") == "/help")
        httpx.post(f"{emulator.url}/test/redeliver", json={"update_id": help_update})
        await user.say("/lop 6A1")
        said = await user.wait_for(lambda m: len(m) >= 3)
    assert sum("Cách dùng" in t for t in _texts(said)) == 1
    await user.close()


async def test_a_restart_in_the_middle_of_a_conversation_loses_nothing(e2e, clock):
    engine, school, emulator, token = e2e
    with Session(engine) as session:
        cls, math = class_named(session, "6A1"), subject(session, "TOAN")
        teacher_id = teacher(school, cls.id, math.id)
    user = TelegramUser(emulator.url, token, 51)
    async with running_bot(engine, clock, emulator, token):
        await user.say(f"/start {_invite(engine, clock, school, teacher_id)}")
        await user.wait_for(lambda m: len(m) == 1)
        await user.say("6A1 Toán TX1: 8 7")
        said = await user.wait_for(lambda m: len(m) == 2)
    engine.dispose()
    async with running_bot(engine, clock, emulator, token):
        await user.press(said[1], "Xác nhận")
        await user.wait_for(lambda m: "Đã lưu 2 điểm" in m[1]["text"])
    assert _count(engine, ScoreEntry) == 2
    await user.close()


async def test_the_webhook_checks_telegrams_secret_and_answers_through_the_bot(e2e, clock):
    from fastapi import FastAPI

    from bot.webhook import SECRET_HEADER, WEBHOOK_PATH, add_webhook_route

    engine, _, emulator, token = e2e
    application = build_application(token, engine, clock, base_url=emulator.url)
    app = FastAPI()
    add_webhook_route(app, application, "bi-mat-123")
    update = {"update_id": 777, "message": {
        "message_id": 5, "date": 1795371673, "text": "xin chào",
        "chat": {"id": 61, "type": "private", "first_name": "Hương"},
        "from": {"id": 61, "is_bot": False, "first_name": "Hương"}}}
    user = TelegramUser(emulator.url, token, 61)
    async with application:
        await application.start()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                   base_url="http://sodiem")
        refused = await client.post(WEBHOOK_PATH, json=update,
                                    headers={SECRET_HEADER: "doan-mo"})
        missing = await client.post(WEBHOOK_PATH, json=update)
        accepted = await client.post(WEBHOOK_PATH, json=update,
                                     headers={SECRET_HEADER: "bi-mat-123"})
        garbled = await client.post(WEBHOOK_PATH, content=b"{khong phai json",
                                    headers={SECRET_HEADER: "bi-mat-123",
                                             "content-type": "application/json"})
        not_an_update = await client.post(WEBHOOK_PATH, json=[1, 2],
                                          headers={SECRET_HEADER: "bi-mat-123"})
        await client.aclose()
        await application.stop()
    assert (refused.status_code, missing.status_code, accepted.status_code) == (403, 403, 200)
    assert (garbled.status_code, not_an_update.status_code) == (400, 400)
    said = await user.wait_for(lambda m: len(m) == 1)
    assert "chưa được liên kết" in said[0]["text"]
    await user.close()
