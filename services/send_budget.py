"""Telegram's 30 messages a second belong to the bot, across every replica.

Answers to teachers and the scheduler's broadcast draw on one token bucket: it refills
at RATE tokens a second up to CAPACITY, so no sliding second ever holds more than
CAPACITY + RATE = 30 messages, however many replicas send. An answer may take the last
token; the broadcast only takes one while BROADCAST_NEED are there, so when the
conversations are busy the broadcast slows down first and answers wait least.

On PostgreSQL the bucket is one row per channel, moved by a single conditional UPDATE
timed by the database's clock (replicas' clocks may differ); SQLite is one process, and
a writer there may hold the file for a while, so its bucket lives in memory.
"""

import asyncio
import logging
import threading
import time
import weakref
from typing import Protocol

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)
RATE = 28.0  # tokens a second
CAPACITY = 2.0  # so that any one second holds at most 30
REPLY_NEED = 1.0
BROADCAST_NEED = 2.0
_TAKE = text("""
    UPDATE sendbudget
       SET tokens = LEAST(:capacity, tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp())
                                                        - updated_at) * :rate) - 1,
           updated_at = EXTRACT(EPOCH FROM clock_timestamp())
     WHERE channel = :channel
       AND LEAST(:capacity, tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp())
                                              - updated_at) * :rate) >= :need
    RETURNING tokens""")
_CREATE = text("""
    INSERT INTO sendbudget (channel, tokens, updated_at)
    VALUES (:channel, :capacity, EXTRACT(EPOCH FROM clock_timestamp()))
    ON CONFLICT (channel) DO NOTHING""")


class Budget(Protocol):
    def take(self, need: float) -> bool:
        """One message's token, if `need` tokens are there; never waits."""


class LocalBudget:
    """The bucket of a single process (SQLite, tests)."""

    def __init__(self, rate: float = RATE, capacity: float = CAPACITY,
                 now=time.monotonic) -> None:
        self.rate, self.capacity, self.now = rate, capacity, now
        self.tokens, self.updated = capacity, now()
        self.lock = threading.Lock()

    def take(self, need: float) -> bool:
        with self.lock:
            now = self.now()
            self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.updated)
                              * self.rate)
            self.updated = now
            if self.tokens < need:
                return False
            self.tokens -= 1
            return True


class DatabaseBudget:
    """The deployment's bucket: one row per channel in PostgreSQL."""

    def __init__(self, engine: Engine, channel: str, rate: float = RATE,
                 capacity: float = CAPACITY) -> None:
        self.engine = engine
        self.params = {"channel": channel, "rate": rate, "capacity": capacity}
        self.row_exists = False

    def take(self, need: float) -> bool:
        with self.engine.begin() as connection:
            taken = connection.execute(_TAKE, {**self.params, "need": need}).first()
            if taken is None and not self.row_exists:  # the channel's first use, maybe
                connection.execute(_CREATE, self.params)
            self.row_exists = True
        return taken is not None


_budgets: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def budget_for(engine: Engine, channel: str) -> Budget:
    """The one budget of a channel in this process: the answers' limiter and the outbox
    sender must draw on the same bucket (it matters for the in-memory one)."""
    per_engine = _budgets.setdefault(engine, {})
    if channel not in per_engine:
        per_engine[channel] = (DatabaseBudget(engine, channel)
                               if engine.dialect.name == "postgresql" else LocalBudget())
    return per_engine[channel]


async def acquire(budget: Budget, need: float) -> None:
    """Wait for a token. Should the database fail, the message goes anyway: the process's
    own limiter still holds, and a teacher's answer matters more than the pace."""
    while True:
        try:
            if await asyncio.to_thread(budget.take, need):
                return
        except Exception:
            log.exception("send budget unavailable; sending without it")
            return
        await asyncio.sleep(1.0 / RATE)
