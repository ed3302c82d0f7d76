"""The outbox: messages owed, stored (with their once-only key) before being sent."""

import json
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.clock import Clock
from models import ChatIdentity, Delivery
from services.linking import preferred_chat

Buttons = list[list[tuple[str, str]]]


def enqueue(session: Session, clock: Clock, key: str, staff_id: int, text: str,
            buttons: Buttons | None = None, channel: str | None = None,
            image: bytes | None = None) -> bool:
    """Add a message unless one with this key exists; False when unreachable or a repeat.
    Without a channel, it goes where the person is reached by default (the chat account
    linked most recently: Telegram or Zalo)."""
    if channel is None:
        target = preferred_chat(session, staff_id)
        if target is None:
            return False
        channel, chat_id = target
    else:
        chat_id = session.exec(select(ChatIdentity.chat_id).where(
            ChatIdentity.staff_id == staff_id, ChatIdentity.channel == channel,
            ChatIdentity.unlinked_at.is_(None))).first()
    if chat_id is None:
        return False
    if session.exec(select(Delivery.id).where(Delivery.key == key)).first() is not None:
        return False
    encoded = json.dumps(buttons, ensure_ascii=False) if buttons else ""
    session.add(Delivery(key=key, channel=channel, chat_id=chat_id, staff_id=staff_id,
                         text=text, buttons=encoded, image=image, created_at=clock.now()))
    try:
        session.commit()
    except IntegrityError:  # the same key added concurrently
        session.rollback()
        return False
    return True


def claim_batch(session: Session, limit: int = 50, channel: str = "telegram") -> list[Delivery]:
    return list(session.exec(select(Delivery).where(
        Delivery.status == "pending", Delivery.channel == channel)
        .order_by(Delivery.id).limit(limit)))


def mark(session: Session, delivery: Delivery, status: str, at: datetime | None = None,
         error: str = "") -> None:
    delivery.status = status
    delivery.attempts += status == "sending"
    if at is not None:
        delivery.sent_at = at
    delivery.last_error = error[:300]
    session.add(delivery)
    session.commit()


def interrupted(session: Session) -> list[Delivery]:
    """Rows a crash left in "sending": maybe delivered, so never resent; shown to the admin."""
    return list(session.exec(select(Delivery).where(Delivery.status == "sending")))


def settle_interrupted(session: Session) -> int:
    rows = interrupted(session)
    for row in rows:
        row.status = "uncertain"
        session.add(row)
    session.commit()
    return len(rows)


def mark_unreachable(session: Session, clock: Clock, delivery: Delivery, error: str) -> None:
    identity = session.exec(select(ChatIdentity).where(
        ChatIdentity.staff_id == delivery.staff_id, ChatIdentity.channel == delivery.channel,
        ChatIdentity.unlinked_at.is_(None))).first()
    if identity is not None and identity.unreachable_since is None:
        identity.unreachable_since = clock.now()
        session.add(identity)
    mark(session, delivery, "unreachable", error=error)


def buttons_of(delivery: Delivery) -> Buttons:
    return [[tuple(b) for b in row] for row in json.loads(delivery.buttons)] \
        if delivery.buttons else []


def mark_detached(session: Session, delivery: Delivery, status: str, at: datetime | None,
                  error: str) -> None:
    """`mark` for a row loaded in another session (the senders work across threads)."""
    mark(session, session.merge(delivery), status, at, error)


def unreachable_detached(session: Session, clock: Clock, delivery: Delivery,
                         error: str) -> None:
    mark_unreachable(session, clock, session.merge(delivery), error)
