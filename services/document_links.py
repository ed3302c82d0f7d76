"""Documents by link: a random, single-use token for one staff member, valid at most a
day. The download is a conditional UPDATE (two taps download once) with an audit entry."""

import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from core.clock import Clock
from models import DocumentLink
from services import audit
from services.errors import DomainError

MAX_HOURS = 24


def create(session: Session, clock: Clock, staff_id: int, kind: str, ref: int,
           hours: int = MAX_HOURS) -> DocumentLink:
    now = clock.now()
    link = DocumentLink(token=secrets.token_urlsafe(24), staff_id=staff_id, kind=kind, ref=ref,
                        created_at=now, expires_at=now + timedelta(hours=min(hours, MAX_HOURS)))
    session.add(link)
    session.commit()
    return link


def redeem(session: Session, clock: Clock, token: str, via: str = "") -> DocumentLink:
    """The link's document, once: a used, expired or unknown link is refused in words."""
    link = session.exec(select(DocumentLink).where(DocumentLink.token == token)).first()
    if link is None:
        raise DomainError("Đường dẫn tài liệu không đúng. Xin lại đường dẫn mới trong bot.")
    if link.expires_at < clock.now():
        raise DomainError("Đường dẫn tài liệu đã hết hạn (dùng trong 24 giờ). Xin lại đường "
                          "dẫn mới trong bot.")
    used = session.execute(update(DocumentLink).where(
        DocumentLink.id == link.id, DocumentLink.downloaded_at.is_(None))
        .values(downloaded_at=clock.now()).execution_options(synchronize_session=False))
    if used.rowcount != 1:
        session.rollback()
        raise DomainError("Đường dẫn này đã được dùng để tải rồi (mỗi đường dẫn dùng một lần). "
                          "Xin lại đường dẫn mới trong bot.")
    audit.append(session, clock, actor_id=link.staff_id, action="document.download",
                 entity=link.kind, entity_id=link.ref, via=via or "link")
    session.commit()
    return link
