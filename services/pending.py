"""Previews waiting for confirmation, and the once-only processing of updates."""

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.clock import Clock
from models import PendingAction, ProcessedUpdate
from services.errors import DomainError

PREVIEW_MINUTES = 30
T = TypeVar("T")


def save_preview(session: Session, clock: Clock, staff_id: int, channel: str, chat_id: str,
                 kind: str, payload: dict[str, Any]) -> PendingAction:
    """Store a preview; any older pending preview of the same person lapses."""
    now = clock.now()
    for old in session.exec(select(PendingAction).where(PendingAction.staff_id == staff_id,
                                                        PendingAction.kind != "choices",
                                                        PendingAction.status == "pending")):
        old.status, old.decided_at = "replaced", now
        session.add(old)
    action = PendingAction(token=secrets.token_urlsafe(9), staff_id=staff_id, channel=channel,
                           chat_id=chat_id, kind=kind, payload=json.dumps(payload),
                           created_at=now, expires_at=now + timedelta(minutes=PREVIEW_MINUTES))
    session.add(action)
    session.commit()
    return action


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
    action = session.exec(select(PendingAction).where(PendingAction.token == token)).first()
    if action is None or action.staff_id != staff_id:
        raise DomainError("Nút này không dành cho thầy/cô hoặc không còn hiệu lực.")
    if action.status == "pending" and action.expires_at < clock.now():
        action.status = "expired"
        session.add(action)
        session.commit()
    if action.status != "pending":
        raise DomainError(STATUS_TEXT.get(action.status, "Nút này không còn hiệu lực."))
    return Claimed(action, json.loads(action.payload))


def carry_out(session: Session, clock: Clock, claimed: Claimed, write: Callable[[], T]) -> T:
    """Do what the preview promised; the preview is closed as confirmed, or as failed
    (and the refusal re-raised) so that a second press cannot try again."""
    try:
        result = write()
    except DomainError:
        close(session, clock, claimed.action, "failed")
        raise
    close(session, clock, claimed.action, "confirmed")
    return result


def close(session: Session, clock: Clock, action: PendingAction, status: str) -> None:
    action.status, action.decided_at = status, clock.now()
    session.add(action)
    session.commit()


def payload_of(action: PendingAction) -> dict[str, Any]:
    return json.loads(action.payload)


def latest_pending(session: Session, staff_id: int, chat_id: str) -> PendingAction | None:
    return session.exec(select(PendingAction).where(
        PendingAction.staff_id == staff_id, PendingAction.chat_id == chat_id,
        PendingAction.kind != "choices", PendingAction.status == "pending")
        .order_by(PendingAction.id.desc())).first()


def first_time(session: Session, clock: Clock, channel: str, update_key: str) -> bool:
    """Record an update; False when it was seen before (a retry or a duplicate)."""
    session.add(ProcessedUpdate(channel=channel, update_key=update_key, at=clock.now()))
    try:
        session.commit()
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
    preview = session.exec(select(PendingAction).where(
        PendingAction.staff_id == staff_id, PendingAction.chat_id == chat_id,
        PendingAction.kind != "choices", PendingAction.status == "pending")
        .order_by(PendingAction.id.desc())).first()
    if choices is None or (preview is not None and preview.id > choices.id):
        return None, None
    data = json.loads(choices.payload)["choices"]
    return (data[digit - 1] if 1 <= digit <= len(data) else None), choices
