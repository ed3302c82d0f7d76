"""Two imports writing the same new rows at once.

A double-submitted form, or two admins with one file: both imports check their rows
against the database before either has written, both find "TN7" or "10A8" new, and
the unique index lets only the first insert through. The loser's transaction is rolled
back whole (imports commit once, at the end) and it runs once more: it now sees the
rows the other import wrote, and re-importing what is already there changes nothing,
so the admin gets the ordinary answer. Should it lose again, nothing of the file is
saved and the admin is told so in Vietnamese, never shown a database error.
"""

import functools
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.errors import DomainError

R = TypeVar("R")
CONFLICT = ("Cùng lúc đó có người khác cũng đang nhập những dòng này, nên chưa lưu gì từ "
            "tệp của thầy/cô. Chờ một lát, xem lại danh sách rồi nhập lại tệp.")


def retried_on_conflict(importer: Callable[..., R]) -> Callable[..., R]:
    @functools.wraps(importer)
    def run(session: Session, *args, **kwargs) -> R:
        try:
            return importer(session, *args, **kwargs)
        except IntegrityError:
            session.rollback()
        try:
            return importer(session, *args, **kwargs)
        except IntegrityError as error:
            session.rollback()
            raise DomainError(CONFLICT) from error
    return run
