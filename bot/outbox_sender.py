"""Sending the outbox through Telegram within its limits, exactly once per key.

≤ 30 messages/s overall, answers to teachers included: every send first takes a token
from the deployment's budget (`services.send_budget`) at the broadcast's lower priority,
so busy conversations slow the broadcast, never the reverse; this process also paces
itself at 29/s. ≤ 1 message/s per chat; on 429 we
wait `retry_after` and go on; a user who blocked the bot (403) is marked
unreachable for the admin and the broadcast continues. Each row goes
pending → claimed (by this sender, under a lease) → sending → sent; rows a crashed sender
left in "sending" are never resent (they may have arrived) and become "uncertain" for the
admin once their lease has run out. Only the elected leader runs a sender (see
`scheduler.runtime.lead`), so the 30 messages/s hold across replicas; the leases make a
second sender harmless even if two ever ran at once.
"""

import asyncio
import logging
import time

from sqlalchemy import Engine
from sqlmodel import Session
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.rate_limits import already_budgeted
from core.clock import Clock
from models import Delivery
from services import outbox
from services.send_budget import BROADCAST_NEED, Budget, acquire, budget_for

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
IN_FLIGHT = 4  # sends overlapping in time; their starts stay paced


class OutboxSender:
    def __init__(self, bot: Bot, engine: Engine, clock: Clock, per_second: float = 29.0,
                 per_chat_interval: float = 1.0, budget: Budget | None = None) -> None:
        self.bot, self.engine, self.clock = bot, engine, clock
        self.per_second, self.per_chat = per_second, per_chat_interval
        self.interval = 1.0 / per_second
        self.budget = budget or budget_for(engine, "telegram")
        self.last_send = 0.0
        self.last_by_chat: dict[str, float] = {}
        self.sent = 0
        self.started = False
        self.in_flight = asyncio.Semaphore(IN_FLIGHT)
        self.owner = outbox.sender_id("telegram")

    def _db(self, action, *args):
        with Session(self.engine, expire_on_commit=False) as session:
            return action(session, *args)

    async def _mark(self, delivery: Delivery, status: str, at=None, error: str = "") -> None:
        await asyncio.to_thread(self._db, outbox.mark_detached, delivery, status, at, error)

    async def start(self, takeover: bool = False) -> int:
        """Settle what a previous crash left mid-send; returns how many were uncertain.
        `takeover`: this process just became the leader, so the previous sender is gone
        and its rows are settled now rather than when their leases run out."""
        self.started = True
        return await asyncio.to_thread(self._db, outbox.settle_interrupted, self.clock,
                                       takeover)

    async def drain(self) -> int:
        """Send everything pending now; returns the number sent."""
        if not self.started:
            await self.start()
        sent_before = self.sent
        await asyncio.to_thread(self._db, outbox.settle_interrupted, self.clock)
        while True:
            batch = await asyncio.to_thread(self._db, outbox.claim_batch, self.clock,
                                            self.owner, 100)
            if not batch:
                return self.sent - sent_before
            tasks, deferred = [], 0
            for delivery in batch:
                task = await self._start_one(delivery)
                if task is None:
                    deferred += 1
                else:
                    tasks.append(task)
            await asyncio.gather(*tasks)
            if deferred == len(batch):
                await asyncio.sleep(self.per_chat / 4)

    async def run_forever(self, idle: float = 1.0, takeover: bool = False) -> None:
        await self.start(takeover)
        while True:
            await self.drain()
            await asyncio.sleep(idle)

    async def _start_one(self, delivery: Delivery) -> asyncio.Task | None:
        """Wait for the next pace slot and start sending; None when the chat must wait
        (1 message/s per chat)."""
        now = time.monotonic()
        if now - self.last_by_chat.get(delivery.chat_id, -1e9) < self.per_chat:
            return None
        await self.in_flight.acquire()
        await acquire(self.budget, BROADCAST_NEED)
        await asyncio.sleep(max(0.0, self.last_send + self.interval - time.monotonic()))
        self.last_send = self.last_by_chat[delivery.chat_id] = time.monotonic()
        return asyncio.create_task(self._send_one(delivery))

    async def _send_one(self, delivery: Delivery) -> bool:
        try:
            return await self._deliver(delivery)
        finally:
            self.in_flight.release()

    async def _deliver(self, delivery: Delivery) -> bool:
        if not await asyncio.to_thread(self._db, outbox.start_sending, self.clock, delivery,
                                       self.owner):
            return True  # no longer ours: another sender settled it
        already_budgeted.set(True)  # this task's own context: the token is taken here
        while True:
            try:
                await self.bot.send_message(int(delivery.chat_id), delivery.text,
                                            reply_markup=_markup(delivery))
                if delivery.image:
                    await acquire(self.budget, BROADCAST_NEED)
                    await self.bot.send_photo(int(delivery.chat_id), delivery.image)
            except RetryAfter as error:
                await asyncio.sleep(_seconds(error.retry_after))
                self.last_send = time.monotonic()
                continue
            except Forbidden as error:
                await asyncio.to_thread(self._db, outbox.unreachable_detached, self.clock,
                                        delivery, str(error))
                return True
            except (BadRequest, TelegramError) as error:
                status = "failed" if delivery.attempts >= MAX_ATTEMPTS else "pending"
                await self._mark(delivery, status, None, str(error))
                log.warning("delivery %s: %s", delivery.key, error)
                return True
            break
        await self._mark(delivery, "sent", self.clock.now(), "")
        self.sent += 1
        return True


def _markup(delivery: Delivery) -> InlineKeyboardMarkup | None:
    rows = outbox.buttons_of(delivery)
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in rows])


def _seconds(value) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
