"""The bot's 30 messages a second, shared by the answers and the broadcast, across
replicas: the token bucket in memory (simulated time) and in PostgreSQL (threads)."""

import threading
import time

import pytest

from services.send_budget import (
    BROADCAST_NEED,
    CAPACITY,
    RATE,
    REPLY_NEED,
    DatabaseBudget,
    LocalBudget,
)


def _peak(times: list[float]) -> int:
    """The most grants in any sliding window of one second."""
    times, best, start = sorted(times), 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_answers_at_40_a_second_and_a_broadcast_stay_within_30_together():
    clock = _Clock()
    budget = LocalBudget(now=clock)
    replies, broadcast, waiting, waits = [], [], [], []
    for step in range(10_000):  # ten seconds, a millisecond at a time
        clock.now = step / 1000
        if step % 25 == 0:
            waiting.append(clock.now)  # a teacher's update to answer
        while waiting and budget.take(REPLY_NEED):
            waits.append(clock.now - waiting.pop(0))
            replies.append(clock.now)
        if not waiting and budget.take(BROADCAST_NEED):
            broadcast.append(clock.now)
    assert _peak(replies + broadcast) <= CAPACITY + RATE == 30
    assert len(replies) >= 270 and not broadcast, "answers came first, the broadcast waited"
    assert max(waits) < 3.0


def test_a_quiet_hour_gives_the_broadcast_the_whole_budget():
    clock = _Clock()
    budget = LocalBudget(now=clock)
    sent = []
    for step in range(5_000):
        clock.now = step / 1000
        if budget.take(BROADCAST_NEED):
            sent.append(clock.now)
    assert _peak(sent) <= 30
    assert len(sent) >= 5 * RATE - 5


def test_with_a_few_answers_the_broadcast_sends_the_rest():
    clock = _Clock()
    budget = LocalBudget(now=clock)
    replies, broadcast = [], []
    for step in range(5_000):
        clock.now = step / 1000
        if step % 100 == 0 and budget.take(REPLY_NEED):  # ten answers a second
            replies.append(clock.now)
        elif budget.take(BROADCAST_NEED):
            broadcast.append(clock.now)
    assert _peak(replies + broadcast) <= 30
    assert len(replies) >= 45, "an answer finds a token almost every time"
    assert len(broadcast) >= 5 * (RATE - 10) - 10


def test_replicas_drawing_on_the_postgresql_budget_stay_within_30_a_second(backend, db):
    if backend != "postgresql":
        pytest.skip("the shared bucket is PostgreSQL's; SQLite is one process")
    engine, _ = db
    granted: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + 3.0

    def replica(index: int) -> None:
        budget = DatabaseBudget(engine, "telegram")  # one per replica, one shared row
        need = REPLY_NEED if index % 2 else BROADCAST_NEED
        while time.monotonic() < stop:
            if budget.take(need):
                with lock:
                    granted.append(time.monotonic())
            else:
                time.sleep(0.005)

    threads = [threading.Thread(target=replica, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert _peak(granted) <= 30, _peak(granted)
    assert len(granted) >= 3 * RATE * 0.8, "the budget was used, not starved"
