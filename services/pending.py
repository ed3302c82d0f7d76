"""Previews waiting for confirmation, and the once-only processing of updates."""

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from core.clock import Clock
from models import PendingAction, ProcessedUpdate
from services import transactions
from services.errors import DomainError

PREVIEW_MINUTES = 30
T = TypeVar("T")
C = TypeVar("C")


# The statements every score message and Xác nhận run, built once: building them cost
# about as much as running them.
_LAPSE_PREVIEWS = (update(PendingAction).where(
    PendingAction.staff_id == bindparam("b_staff_id"), PendingAction.kind != "choices",
    PendingAction.status == "pending")
    .values(status="replaced", decided_at=bindparam("b_decided_at"))
    .execution_options(synchronize_session="fetch"))
_BY_TOKEN = select(PendingAction).where(PendingAction.token == bindparam("token"))
_MOVE = (update(PendingAction).where(PendingAction.id == bindparam("b_id"),
                                     PendingAction.status == bindparam("b_expected"))
         .values(status=bindparam("b_status"), decided_at=bindparam("b_decided_at"))
         .execution_options(synchronize_session=False))
_LATEST_PENDING = (select(PendingAction).where(
    PendingAction.staff_id == bindparam("staff_id"), PendingAction.chat_id == bindparam("chat_id"),
    PendingAction.kind != "choices", PendingAction.status == "pending")
    .order_by(PendingAction.id.desc()).limit(1))
_NEW_PREVIEW = insert(PendingAction.__table__).returning(PendingAction.__table__.c.id)
_RECORD_UPDATE = insert(ProcessedUpdate.__table__)  # a table: no ORM bulk-insert machinery


def save_preview(session: Session, clock: Clock, staff_id: int, channel: str, chat_id: str,
                 kind: str, payload: dict[str, Any]) -> PendingAction:
    """Store a preview; any older pending preview of the same person lapses. The row is
    inserted through Core (a unit-of-work flush cost more than the INSERT); the object
    returned is not in the session, and callers need only its token."""
    now = clock.now()
    session.execute(_LAPSE_PREVIEWS, {"b_staff_id": staff_id, "b_decided_at": now})
    row = {"token": secrets.token_urlsafe(9), "staff_id": staff_id, "channel": channel,
           "chat_id": chat_id, "kind": kind, "payload": json.dumps(payload), "created_at": now,
           "expires_at": now + timedelta(minutes=PREVIEW_MINUTES), "status": "pending"}
    new_id = session.connection().execute(_NEW_PREVIEW, row).scalar_one()
    session.commit()
    return PendingAction(id=new_id, **row)


@dataclass(frozen=True)
class Claimed:
    action: PendingAction
    payload: dict[str, Any]


STATUS_TEXT = {
    "confirmed": "Bảng này đã được lưu rồi; không cần bấm lại.",
    "cancelled": "Bảng này đã hủy. Gửi lại tin nhắn nếu muốn nhập.",
    "replaced": "Bảng này đã được thay bằng tin nhắn mới hơn của thầy/cô.",
    "expired": "Bảng xem trước đã quá hạn. Gửi lại tin nhắn để nhập.",
}


def claim(session: Session, clock: Clock, token: str, staff_id: int) -> Claimed:
    """The pending preview behind a button, if this person may still act on it."""
    action = session.exec(_BY_TOKEN, params={"token": token}).first()
    if action is None or action.staff_id != staff_id:
        raise DomainError("Nút này không dành cho thầy/cô hoặc không còn hiệu lực.")
    if action.status == "pending" and action.expires_at < clock.now():
        _set_status(session, action, "expired", "pending", clock)
        session.commit()
    if action.status != "pending":
        raise DomainError(status_text(action))
    return Claimed(action, json.loads(action.payload))


def carry_out(session: Session, clock: Clock, claimed: Claimed, write: Callable[[], T]) -> T:
    """Do what the preview promised, in one transaction with the preview's move out of
    "pending" (and the update's de-duplication, flushed before): the preview leaves
    "pending" by a conditional UPDATE, so of two presses at once exactly one writes.
    A refusal is undone to a savepoint and the preview closed as failed, so that a
    second press cannot try again; the refusal is re-raised."""
    take(session, clock, claimed.action, "confirmed")
    try:
        with transactions.held(session), session.begin_nested():
            result = write()
    except DomainError:
        _set_status(session, claimed.action, "failed", "confirmed", clock)
        session.commit()
        raise
    session.commit()
    return result


def carry_out_checked(session: Session, clock: Clock, claimed: Claimed,
                      check: Callable[[], C], write: Callable[[C], T]) -> T:
    """`carry_out` for a write whose every refusal can be found before it writes: `check`
    reads and refuses (DomainError), `write` only writes. A refusal closes the preview as
    failed straight from "pending"; otherwise the preview is taken (the same conditional
    UPDATE: of two presses at once exactly one writes) and the write commits with it.

    No savepoint is needed, which saves the Xác nhận two round trips. Should `write`
    refuse after all, everything is rolled back, the preview stays pending and nothing is
    written; the refusal is re-raised."""
    try:
        checked = check()
    except DomainError:
        if not _set_status(session, claimed.action, "failed", "pending", clock):
            # Another press took the preview while this one checked (and may have found
            # its own cells filled): say what became of the preview, not the refusal.
            session.commit()
            raise DomainError(status_text(claimed.action)) from None
        session.commit()
        raise
    take(session, clock, claimed.action, "confirmed")
    try:
        with transactions.held(session):
            result = write(checked)
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return result


def take(session: Session, clock: Clock, action: PendingAction, status: str) -> None:
    """Move a pending preview to `status` (uncommitted), or say why it cannot be."""
    if not _set_status(session, action, status, "pending", clock):
        raise DomainError(status_text(action))


def _set_status(session: Session, action: PendingAction, status: str, expected: str,
                clock: Clock) -> bool:
    """Move `action` from `expected` to `status` (uncommitted); when it was no longer
    `expected`, it is reloaded so that `status_text` says what happened to it."""
    now = clock.now()
    moved = session.execute(_MOVE, {"b_id": action.id, "b_expected": expected,
                                    "b_status": status, "b_decided_at": now}).rowcount
    if moved != 1:
        session.refresh(action)
        return False
    set_committed_value(action, "status", status)
    set_committed_value(action, "decided_at", now)
    return True


def close(session: Session, clock: Clock, action: PendingAction, status: str) -> bool:
    """Close a pending preview (cancelled, replaced, …) and commit. False, and nothing
    changed, when another press closed it first (`status_text` says how)."""
    moved = _set_status(session, action, status, "pending", clock)
    session.commit()
    return moved


def status_text(action: PendingAction) -> str:
    return STATUS_TEXT.get(action.status, "Nút này không còn hiệu lực.")


def payload_of(action: PendingAction) -> dict[str, Any]:
    return json.loads(action.payload)


def latest_pending(session: Session, staff_id: int, chat_id: str) -> PendingAction | None:
    return session.exec(_LATEST_PENDING, params={"staff_id": staff_id,
                                                 "chat_id": chat_id}).first()


def first_time(session: Session, clock: Clock, channel: str, update_key: str) -> bool:
    """Record an update, uncommitted: it commits with what handling it writes. False
    when it was seen before (a retry or a duplicate); on PostgreSQL a copy arriving
    while the first is being handled waits for it, then is refused."""
    row = {"channel": channel, "update_key": update_key, "at": clock.now()}
    try:  # through Core: an ORM object here costs a unit-of-work flush on every update
        session.connection().execute(_RECORD_UPDATE, row)
    except IntegrityError:
        session.rollback()
        return False
    return True


def forget(session: Session, channel: str, update_key: str) -> None:
    """Un-record an update whose handling failed, so that a redelivery is handled."""
    for row in session.exec(select(ProcessedUpdate).where(
            ProcessedUpdate.channel == channel, ProcessedUpdate.update_key == update_key)):
        session.delete(row)
    session.commit()


CHOICE_HOURS = 12


def save_choices(session: Session, clock: Clock, staff_id: int, channel: str, chat_id: str,
                 button_data: list[str]) -> PendingAction:
    """For a transport without buttons: what "1", "2", … will press in this chat (the
    latest list wins; it lapses after CHOICE_HOURS). Other previews stay open."""
    now = clock.now()
    action = PendingAction(token=secrets.token_urlsafe(9), staff_id=staff_id, channel=channel,
                           chat_id=chat_id, kind="choices",
                           payload=json.dumps({"choices": button_data}), created_at=now,
                           expires_at=now + timedelta(hours=CHOICE_HOURS))
    session.add(action)
    session.commit()
    return action


def chosen(session: Session, clock: Clock, staff_id: int, chat_id: str,
           digit: int) -> tuple[str | None, PendingAction | None]:
    """The button data a digit stands for, if the newest open list in this chat is newer
    than its newest preview; (None, list) when the digit is not on the list."""
    choices = session.exec(select(PendingAction).where(
        PendingAction.staff_id == staff_id, PendingAction.chat_id == chat_id,
        PendingAction.kind == "choices", PendingAction.status == "pending",
        PendingAction.expires_at > clock.now()).order_by(PendingAction.id.desc())).first()
    preview = latest_pending(session, staff_id, chat_id)
    if choices is None or (preview is not None and preview.id > choices.id):
        return None, None
    data = json.loads(choices.payload)["choices"]
    return (data[digit - 1] if 1 <= digit <= len(data) else None), choices
