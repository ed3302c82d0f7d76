"""Refusals a user can cause. Each carries a Vietnamese message saying what was
wrong and how to fix it; the transports show `message` as it is."""

from dataclasses import dataclass


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class Locked(DomainError):
    """Refused by a lock; `lock_id` lets a transport offer to ask it open."""

    def __init__(self, message: str, lock_id: int | None = None) -> None:
        super().__init__(message)
        self.lock_id = lock_id


class AlreadyRecorded(DomainError):
    pass


class AlreadyDecided(DomainError):
    """Someone else (or an earlier tap) moved the request first; nothing was changed."""


@dataclass(frozen=True)
class LineProblem:
    """One bad line of a batch: which line and what is wrong with it."""

    line: str
    problem: str


class InvalidBatch(DomainError):
    """A batch refused as a whole because some lines are wrong; nothing was written."""

    def __init__(self, message: str, problems: list[LineProblem]) -> None:
        details = "\n".join(f"• {p.line}: {p.problem}" for p in problems)
        super().__init__(f"{message}\n{details}" if details else message)
        self.problems = problems


class InvalidValue(DomainError):
    pass
