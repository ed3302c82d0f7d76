"""Sending the outbox's Zalo deliveries within the platform's limits.

Zalo does not publish its quotas, so the pace is a setting. On 429 ("Quota exceeded")
the sender backs off and the delivery stays pending; a 403 marks the chat unreachable
for the admin. Buttons become numbered choices, remembered for the chat, so that a
digit answers the prompt. Like the Telegram sender, a row goes pending → sending →
sent and a row a crash left "sending" is never resent.
"""

import asyncio
import logging

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.zalo.client import ZaloClient, ZaloError
from core.clock import Clock
from handlers.capabilities import ZALO, fit
from handlers.events import Button, Reply
from models import ChatIdentity, Delivery
from services import outbox, pending

log = logging.getLogger(__name__)
CHANNEL = "zalo"
MAX_ATTEMPTS = 5


class ZaloOutboxSender:
    def __init__(self, client: ZaloClient, engine: Engine, clock: Clock,
                 per_second: float = 5.0, backoff_seconds: float = 30.0) -> None:
        self.client, self.engine, self.clock = client, engine, clock
        self.interval, self.backoff = 1.0 / per_second, backoff_seconds
        self.sent = 0
        self.owner = outbox.sender_id(CHANNEL)

    def _db(self, action, *args):
        with Session(self.engine, expire_on_commit=False) as session:
            return action(session, *args)

    async def _mark(self, delivery: Delivery, status: str, at=None, error: str = "") -> None:
        await asyncio.to_thread(self._db, outbox.mark_detached, delivery, status, at, error)

    async def drain(self) -> int:
        before = self.sent
        while True:
            batch = await asyncio.to_thread(self._db, outbox.claim_batch, self.clock,
                                            self.owner, 50, CHANNEL)
            if not batch:
                return self.sent - before
            for delivery in batch:
                if not await self._deliver(delivery):
                    return self.sent - before  # backing off: try again later
                await asyncio.sleep(self.interval)

    async def run_forever(self, idle: float = 1.0) -> None:
        """Run by the elected Zalo sender only: what an earlier sender held is settled at
        once (it is gone), then stale leases as they run out."""
        takeover = True
        while True:
            await asyncio.to_thread(self._db, outbox.settle_interrupted, self.clock, takeover)
            takeover = False
            await self.drain()
            await asyncio.sleep(idle)

    async def _deliver(self, delivery: Delivery) -> bool:
        """False when the platform asked us to slow down (the row stays pending)."""
        pieces = await asyncio.to_thread(self._db, _prepare, self.clock, delivery)
        if not await asyncio.to_thread(self._db, outbox.start_sending, self.clock, delivery,
                                       self.owner):
            return True  # no longer ours: another sender settled it
        try:
            for piece in pieces:
                await self.client.send_message(delivery.chat_id, piece)
        except ZaloError as error:
            if error.code == 429:
                await self._mark(delivery, "pending", None, str(error))
                await asyncio.sleep(self.backoff)
                return False
            if error.code == 403:
                await asyncio.to_thread(self._db, outbox.unreachable_detached, self.clock,
                                        delivery, str(error))
                return True
            status = "failed" if delivery.attempts >= MAX_ATTEMPTS else "pending"
            await self._mark(delivery, status, None, str(error))
            log.warning("zalo delivery %s: %s", delivery.key, error)
            return True
        await self._mark(delivery, "sent", self.clock.now(), "")
        self.sent += 1
        return True


def _prepare(session: Session, clock: Clock, delivery: Delivery) -> list[str]:
    """The texts to send: buttons as numbered choices (remembered for the chat), split
    at Zalo's 2,000 characters."""
    rows = [[Button(label, data) for label, data in row] for row in outbox.buttons_of(delivery)]
    reply = Reply(delivery.text, keyboard=rows or None)
    data = [b.data for row in rows for b in row]
    if data:
        identity = session.exec(select(ChatIdentity).where(
            ChatIdentity.channel == CHANNEL, ChatIdentity.chat_id == delivery.chat_id)).first()
        if identity is not None:
            pending.save_choices(session, clock, identity.staff_id, CHANNEL, delivery.chat_id,
                                 data)
    return [piece.text for piece in fit([reply], ZALO)]
