"""Who commits a unit of work.

A service commits its own work when it is called on its own (the panel, the CLI, the
scheduler). The bot's Xác nhận holds the transaction instead: the update's
de-duplication, the preview's move out of "pending", the rows written and their audit
entries are committed together or not at all, so a crash between two commits can
neither drop a press as a duplicate nor leave a preview "pending" over stored scores.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

_HELD = "sodiem.transaction_held"


@contextmanager
def held(session: Session) -> Iterator[None]:
    """Within this block, `commit` only flushes and `rollback` leaves the undoing to the
    holder (who wraps the block in a savepoint)."""
    session.info[_HELD] = session.info.get(_HELD, 0) + 1
    try:
        yield
    finally:
        session.info[_HELD] -= 1


def is_held(session: Session) -> bool:
    return session.info.get(_HELD, 0) > 0


def commit(session: Session) -> None:
    if is_held(session):
        session.flush()
    else:
        session.commit()


def rollback(session: Session) -> None:
    if not is_held(session):
        session.rollback()
