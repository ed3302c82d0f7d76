"""Time is injected: every service asks a Clock, so tests can travel in time."""

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time in Vietnam, always timezone-aware."""

    def now(self) -> datetime:
        return datetime.now(VN_TZ)


class FixedClock:
    """A clock that stands still until moved; for tests and demos."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def move_to(self, at: datetime) -> None:
        self._at = at


def today(clock: Clock) -> date:
    return clock.now().astimezone(VN_TZ).date()
