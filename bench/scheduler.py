"""Broadcast speed within Telegram's limits, and computing what every teacher owes.

1. 1,000 reminders to 1,000 chats through the real python-telegram-bot Bot and the
   Bot API emulator (tests/emulator): seconds, messages/s against the 30/s ceiling
   (target ≥ 27/s), duplicates and losses (target zero).
2. What each of ≈1,000 teachers owes on a reminder day (target ≤ 1 s).
Run: .venv/bin/python -m bench.scheduler   (needs node and `npm ci --prefix tests/emulator`)
"""

import asyncio
import time
from datetime import datetime

import httpx
from sqlmodel import Session, func, select
from telegram import Bot

from bench.common import fresh_database
from bot.outbox_sender import OutboxSender
from core.clock import VN_TZ, FixedClock
from models import ChatIdentity, Delivery, TeachingAssignment
from models.db import migrate
from services.deadlines import owed_by_teacher
from services.demo_school import build_demo_school
from services.school import term_for_date
from tests.emulator.client import Emulator

MESSAGES = 1000
CLOCK = FixedClock(datetime(2026, 11, 30, 8, 0, tzinfo=VN_TZ))


def broadcast() -> None:
    emulator = Emulator()
    emulator.start()
    try:
        with fresh_database("sqlite") as engine:
            migrate(engine)
            with Session(engine, expire_on_commit=False) as session:
                school = build_demo_school(session, seed=3, classes_per_grade=1, class_size=5)
                _queue(session, school.principal_id)
            token = "1:BENCH"
            took, sent = asyncio.run(_send(engine, emulator, token))
            received = httpx.post(f"{emulator.url}/test/botMessages", json={"token": token},
                                  timeout=30).json()["result"]
            per_chat: dict = {}
            for message in received:
                per_chat[message["chat"]["id"]] = per_chat.get(message["chat"]["id"], 0) + 1
            duplicates = sum(n - 1 for n in per_chat.values() if n > 1)
            lost = MESSAGES - len(per_chat)
            print(f"broadcast: {sent} messages to {MESSAGES} chats in {took:.1f} s = "
                  f"{sent / took:.1f} msg/s (ceiling 30/s); duplicates {duplicates}, lost {lost}")
    finally:
        emulator.stop()


def _queue(session: Session, staff_id: int) -> None:
    for index in range(MESSAGES):
        chat = str(100000 + index)
        session.add(ChatIdentity(channel="telegram", external_user_id=chat, chat_id=chat,
                                 staff_id=staff_id, linked_at=CLOCK.now()))
        session.add(Delivery(key=f"bench:{chat}", channel="telegram", chat_id=chat,
                             staff_id=staff_id, text=f"Nhắc nhập điểm số {index}",
                             created_at=CLOCK.now()))
    session.commit()


async def _send(engine, emulator, token) -> tuple[float, int]:
    async with Bot(token, base_url=f"{emulator.url}/bot") as bot:
        sender = OutboxSender(bot, engine, CLOCK)
        began = time.perf_counter()
        sent = await sender.drain()
        return time.perf_counter() - began, sent


def owed() -> None:
    with fresh_database("sqlite") as engine:
        migrate(engine)
        with Session(engine, expire_on_commit=False) as session:
            school = build_demo_school(session, seed=5, classes_per_grade=140, class_size=8)
            teachers = session.exec(select(func.count(TeachingAssignment.teacher_id.distinct())))
            count = teachers.one()
            term = term_for_date(session, school.year_id, CLOCK.now().date())
            best = float("inf")
            for _ in range(3):
                began = time.perf_counter()
                result = owed_by_teacher(session, term, CLOCK.now().date())
                best = min(best, time.perf_counter() - began)
        print(f"owed: {count} teachers, {sum(len(v) for v in result.values())} items owed, "
              f"computed in {best:.2f} s (best of 3)")


if __name__ == "__main__":
    owed()
    broadcast()
