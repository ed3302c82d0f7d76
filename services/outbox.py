"""The outbox: messages owed, stored (with their once-only key) before being sent."""

import json
import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, update
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


def sender_id(channel: str) -> str:
    """Who holds a claimed row: host, process and a random part (a restart is a new one)."""
    return f"{channel}:{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


LEASE = timedelta(seconds=120)  # a claimed or sending row belongs to its sender this long


def claim_batch(session: Session, clock: Clock, owner: str, limit: int = 50,
                channel: str = "telegram", lease: timedelta = LEASE) -> list[Delivery]:
    """Claim up to `limit` pending deliveries for the sender `owner` and return everything it
    holds. One transaction: on PostgreSQL the candidate rows are locked with SKIP LOCKED, so
    concurrent senders (several `serve` replicas) take disjoint rows; the UPDATE is
    conditional on status = 'pending', which keeps it exact on SQLite as well."""
    query = (select(Delivery.id).where(Delivery.status == "pending", Delivery.channel == channel)
             .order_by(Delivery.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.exec(query))
    if ids:
        session.execute(update(Delivery).where(Delivery.id.in_(ids),
                                               Delivery.status == "pending")
                        .values(status="claimed", claimed_by=owner,
                                lease_until=clock.now() + lease))
    session.commit()
    return list(session.exec(select(Delivery).where(
        Delivery.status == "claimed", Delivery.claimed_by == owner,
        Delivery.channel == channel).order_by(Delivery.id).limit(limit)))


def start_sending(session: Session, clock: Clock, delivery: Delivery, owner: str,
                  lease: timedelta = LEASE) -> bool:
    """claimed → sending, only if this sender still holds the row (its lease may have run
    out and another sender settled it): False means do not send."""
    result = session.execute(update(Delivery).where(
        Delivery.id == delivery.id, Delivery.status == "claimed",
        Delivery.claimed_by == owner).values(status="sending", attempts=Delivery.attempts + 1,
                                             lease_until=clock.now() + lease))
    session.commit()
    if result.rowcount == 1:
        delivery.attempts += 1
    return result.rowcount == 1


def mark(session: Session, delivery: Delivery, status: str, at: datetime | None = None,
         error: str = "") -> None:
    delivery.status = status
    if at is not None:
        delivery.sent_at = at
    if status == "pending":  # given back: any sender may take it again
        delivery.claimed_by, delivery.lease_until = "", None
    delivery.last_error = error[:300]
    session.add(delivery)
    session.commit()


def interrupted(session: Session) -> list[Delivery]:
    """Rows a crash left in "sending": maybe delivered, so never resent; shown to the admin."""
    return list(session.exec(select(Delivery).where(Delivery.status == "sending")))


def settle_interrupted(session: Session, clock: Clock, takeover: bool = False) -> int:
    """Rows whose sender's lease ran out: "sending" ones may have been delivered, so they
    become "uncertain" for the admin (never resent); "claimed" ones were never started and go
    back to "pending". A live sender's rows, within their lease, are left alone — unless
    `takeover`: the new leader knows the previous one is gone (it holds its lock now), so
    every row a sender held is settled at once instead of after the lease."""
    now = clock.now()
    stale = or_(Delivery.lease_until.is_(None), Delivery.lease_until < now)
    if takeover:
        stale = or_(stale, Delivery.claimed_by != "")
    uncertain = session.execute(update(Delivery).where(Delivery.status == "sending", stale)
                                .values(status="uncertain"))
    session.execute(update(Delivery).where(Delivery.status == "claimed", stale)
                    .values(status="pending", claimed_by="", lease_until=None))
    session.commit()
    return uncertain.rowcount


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
