"""What every request that an approver decides has in common (corrections, Xin mở khóa):
who may press, and saving a request that the database allows only once."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from models.types import Role
from services import transactions
from services.errors import DomainError, PermissionDenied
from services.permissions import roles_of

APPROVER_ROLES = {Role.PRINCIPAL, Role.VICE_PRINCIPAL}
T = TypeVar("T")


def check_presser(session: Session, presser_id: int, approver_id: int | None,
                  requester_id: int) -> None:
    """The assigned approver, still HT/PHT, and never the person who asked."""
    if approver_id != presser_id:
        raise PermissionDenied("Yêu cầu này do người khác duyệt; thầy/cô không cần làm gì.")
    if presser_id == requester_id:
        raise PermissionDenied("Không ai tự duyệt yêu cầu của chính mình.")
    if not roles_of(session, presser_id) & APPROVER_ROLES:
        raise PermissionDenied("Thầy/cô không còn quyền duyệt yêu cầu.")


def insert_once(session: Session, row: T, record: Callable[[T], None], refusal: str) -> T:
    """Insert `row` and its audit entry (`record`) in one transaction; a unique index
    that refuses it (an open request already there) becomes `refusal`. The insert is
    tried under a savepoint, so a refusal undoes only it, not the caller's transaction
    (the bot's Xác nhận holds one: `services.transactions`)."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise DomainError(refusal) from None
    record(row)
    transactions.commit(session)
    return row
