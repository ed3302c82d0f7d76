"""The scheduler's messages through the real Telegram library and the emulator."""

import asyncio
from datetime import date, datetime

import httpx
from sqlmodel import Session, select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.outbox_sender import IN_FLIGHT, OutboxSender
from core.clock import VN_TZ, FixedClock
from models import Absence, ChatIdentity, Delivery
from models.types import AbsenceStatus
from models.types import Session as DaySession
from scheduler import jobs
from services import outbox
from services.absences import AbsenceReport, record_absences
from services.linking import create_invite, redeem_invite
from tests.emulator.client import TelegramUser
from tests.emulator.harness import running_bot
from tests.helpers import class_named, student_ids, teacher_named


def _bot(emulator, token) -> Bot:
    return Bot(token, base_url=f"{emulator.url}/bot",
               request=HTTPXRequest(connection_pool_size=8))


def _link(engine, clock, school, staff_id, user_id):
    with Session(engine, expire_on_commit=False) as session:
        code = create_invite(session, clock, school.admin_id, staff_id).code
        redeem_invite(session, clock, code, "telegram", str(user_id), str(user_id))


async def test_the_day_one_prompt_buttons_confirm_and_day_five_closes(e2e):
    engine, school, emulator, token = e2e
    clock = FixedClock(datetime(2026, 11, 20, 10, 0, tzinfo=VN_TZ))
    with Session(engine, expire_on_commit=False) as session:
        cls = class_named(session, "6A1")
        gvcn = school.homeroom[cls.id]
        ids = student_ids(session, cls.id)
        record_absences(session, clock, gvcn, AbsenceReport(
            cls.id, date(2026, 11, 16), DaySession.MORNING, tuple(ids[:4])))
    _link(engine, clock, school, gvcn, 81)
    user = TelegramUser(emulator.url, token, 81)
    clock.move_to(datetime(2026, 12, 1, 7, 0, tzinfo=VN_TZ))
    with Session(engine, expire_on_commit=False) as session:
        assert jobs.absence_prompts(session, clock) == 1
    async with running_bot(engine, clock, emulator, token), _bot(emulator, token) as bot:
        assert await OutboxSender(bot, engine, clock).drain() == 1
        said = await user.wait_for(lambda m: len(m) == 1)
        assert "Xác nhận vắng tháng 11/2026 lớp 6A1 (4 lượt" in said[0]["text"]
        keyboard = said[0]["reply_markup"]["inline_keyboard"]
        await user.press_data(said[0], keyboard[0][1]["callback_data"])  # K for the first
        said = await user.wait_for(lambda m: "3 lượt" in m[0]["text"])
        await user.press(said[0], "Tất cả có phép")
        await user.wait_for(lambda m: "Đã xác nhận xong" in m[0]["text"])
    with Session(engine) as session:
        statuses = session.exec(select(Absence.status).order_by(Absence.id)).all()
    assert statuses == [AbsenceStatus.UNEXCUSED] + [AbsenceStatus.EXCUSED] * 3
    await user.close()


async def test_day_five_turns_the_rest_into_unexcused_and_tells_the_gvcn(e2e):
    engine, school, emulator, token = e2e
    clock = FixedClock(datetime(2026, 11, 20, 10, 0, tzinfo=VN_TZ))
    with Session(engine, expire_on_commit=False) as session:
        cls = class_named(session, "6A1")
        gvcn = school.homeroom[cls.id]
        pupils = tuple(student_ids(session, cls.id)[:2])
        record_absences(session, clock, gvcn, AbsenceReport(
            cls.id, date(2026, 11, 16), DaySession.MORNING, pupils))
    _link(engine, clock, school, gvcn, 82)
    user = TelegramUser(emulator.url, token, 82)
    clock.move_to(datetime(2026, 12, 5, 23, 30, tzinfo=VN_TZ))
    with Session(engine, expire_on_commit=False) as session:
        assert jobs.close_absence_months(session, clock) == 4  # every class of the school
    async with _bot(emulator, token) as bot:
        await OutboxSender(bot, engine, clock).drain()
    said = await user.wait_for(lambda m: len(m) == 1)
    assert "2 lượt chưa xác nhận được tính là không phép (K)" in said[0]["text"]
    await user.close()


async def test_reminders_arrive_with_what_each_teacher_owes(e2e):
    engine, school, emulator, token = e2e
    clock = FixedClock(datetime(2026, 11, 29, 8, 0, tzinfo=VN_TZ))
    with Session(engine, expire_on_commit=False) as session:
        math_teacher = teacher_named(session, school, "6A1", "TOAN")
    _link(engine, clock, school, math_teacher, 83)
    with Session(engine, expire_on_commit=False) as session:
        assert jobs.entry_reminders(session, clock, "monthly") == 1
    async with _bot(emulator, token) as bot:
        await OutboxSender(bot, engine, clock).drain()
    user = TelegramUser(emulator.url, token, 83)
    said = await user.wait_for(lambda m: len(m) == 1)
    assert "Nhắc nhập điểm (cuối tháng)" in said[0]["text"]
    assert "Toán 6A1, cột TX1: còn thiếu" in said[0]["text"]
    await user.close()


def _broadcast(engine, clock, school, count: int, first_chat: int) -> None:
    """`count` linked chats (one staff member each, reused round-robin) with one message each."""
    with Session(engine, expire_on_commit=False) as session:
        staff = [school.principal_id, school.admin_id, school.office_id,
                 *school.vice_principal_ids, *school.supervisor_ids]
        for index in range(count):
            chat = str(first_chat + index)
            session.add(ChatIdentity(channel="telegram", external_user_id=chat, chat_id=chat,
                                     staff_id=staff[index % len(staff)], linked_at=clock.now()))
            session.commit()
            session.add(Delivery(key=f"test:{chat}", channel="telegram", chat_id=chat,
                                 staff_id=staff[index % len(staff)], text=f"Tin số {index}",
                                 created_at=clock.now()))
        session.commit()


async def _received(emulator, token, chats) -> dict[str, int]:
    response = httpx.post(f"{emulator.url}/test/botMessages", json={"token": token}).json()
    counts = {str(c): 0 for c in chats}
    for message in response["result"]:
        if str(message["chat"]["id"]) in counts:
            counts[str(message["chat"]["id"])] += 1
    return counts


async def test_a_restart_in_the_middle_of_a_broadcast_sends_nothing_twice(e2e):
    engine, school, emulator, token = e2e
    clock = FixedClock(datetime(2026, 11, 20, 10, 0, tzinfo=VN_TZ))
    chats = range(5000, 5060)
    _broadcast(engine, clock, school, len(chats), chats.start)
    async with _bot(emulator, token) as bot:
        first = OutboxSender(bot, engine, clock)
        task = asyncio.create_task(first.drain())
        while first.sent < 20:
            await asyncio.sleep(0.01)
        task.cancel()  # the process dies mid-broadcast
        await asyncio.gather(task, return_exceptions=True)
        second = OutboxSender(bot, engine, clock)
        uncertain = await second.start(takeover=True)  # the restarted process leads
        await second.drain()
    counts = await _received(emulator, token, chats)
    assert max(counts.values()) == 1, "a message was sent twice"
    assert sum(counts.values()) + uncertain >= len(chats) and uncertain <= IN_FLIGHT
    with Session(engine) as session:
        assert {d.status for d in session.exec(select(Delivery))} <= {"sent", "uncertain"}


async def test_429_is_waited_out_and_a_blocked_user_does_not_stop_the_broadcast(e2e):
    engine, school, emulator, token = e2e
    clock = FixedClock(datetime(2026, 11, 20, 10, 0, tzinfo=VN_TZ))
    chats = range(6000, 6010)
    _broadcast(engine, clock, school, len(chats), chats.start)
    httpx.post(f"{emulator.url}/test/throttle", json={"token": token, "count": 2})
    httpx.post(f"{emulator.url}/test/block", json={"chat_id": "6003"})
    async with _bot(emulator, token) as bot:
        sent = await OutboxSender(bot, engine, clock).drain()
    assert sent == 9
    counts = await _received(emulator, token, chats)
    assert counts["6003"] == 0 and sum(counts.values()) == 9
    with Session(engine) as session:
        blocked = session.exec(select(ChatIdentity).where(ChatIdentity.chat_id == "6003")).one()
        assert blocked.unreachable_since is not None
        assert outbox.interrupted(session) == []


async def test_serve_runs_the_bot_the_scheduler_and_the_sender_together(e2e):
    from fastapi.testclient import TestClient

    from admin.status_app import create_app
    from bot.telegram_adapter import build_application
    from core.config import Settings
    from tests.emulator.harness import invite

    engine, school, emulator, token = e2e
    clock = FixedClock(datetime(2026, 11, 30, 9, 0, tzinfo=VN_TZ))  # a reminder day
    with Session(engine, expire_on_commit=False) as session:
        math_teacher = teacher_named(session, school, "6A1", "TOAN")
    code = invite(engine, clock, school, math_teacher)
    settings = Settings(telegram_token=token, telegram_api_url=emulator.url)
    app = create_app(engine, settings, build_application(token, engine, clock,
                                                         base_url=emulator.url), clock)
    user = TelegramUser(emulator.url, token, 91)
    with TestClient(app) as client:
        assert client.get("/").status_code == 200
        await user.say(f"/start {code}")
        await user.wait_for(lambda m: len(m) == 1)
        client.portal.call(_run_catch_up)  # as the next start-up would
        said = await user.wait_for(lambda m: any("Nhắc nhập điểm" in (x["text"] or "")
                                                 for x in m), timeout=15)
    assert "Đã liên kết" in said[0]["text"]
    await user.close()


async def _run_catch_up() -> None:
    from scheduler.runtime import catch_up

    await asyncio.to_thread(catch_up)


async def test_the_monthly_digest_comes_with_a_bar_chart_picture(e2e):
    engine, school, emulator, token = e2e
    clock = FixedClock(datetime(2026, 12, 1, 7, 15, tzinfo=VN_TZ))
    _link(engine, clock, school, school.principal_id, 95)
    with Session(engine, expire_on_commit=False) as session:
        assert jobs.progress_digests(session, clock) >= 1
        digest = session.exec(select(Delivery).where(Delivery.chat_id == "95")).one()
        assert digest.image[:8] == b"\x89PNG\r\n\x1a\n"
    async with _bot(emulator, token) as bot:
        await OutboxSender(bot, engine, clock).drain()
    user = TelegramUser(emulator.url, token, 95)
    said = await user.wait_for(lambda m: len(m) == 2)
    assert "Tiến độ nhập điểm của trường" in said[0]["text"]
    documents = httpx.post(f"{emulator.url}/test/documents").json()["result"]
    assert any(d.get("photo") and d["png"] and d["chat_id"] == "95" for d in documents)
    await user.close()
