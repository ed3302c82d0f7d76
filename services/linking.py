"""Linking a chat account to a staff record with a one-time, expiring invite."""

import secrets
from datetime import timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, and_, select

from core.clock import Clock
from models import ChatIdentity, Invite, School, SchoolYear, Staff
from models.types import Role
from services import audit
from services.errors import DomainError, NotFound
from services.permissions import require_any_role
from services.school import get_or_fail, keep, keep_current_year

INVITE_DAYS = 14


def create_invite(session: Session, clock: Clock, actor_id: int, staff_id: int,
                  days: int = INVITE_DAYS) -> Invite:
    require_any_role(session, actor_id, {Role.ADMIN, Role.PRINCIPAL}, "tạo lời mời")
    staff = get_or_fail(session, Staff, staff_id, "cán bộ")
    now = clock.now()
    invite = Invite(staff_id=staff.id, code=secrets.token_urlsafe(12), created_at=now,
                    expires_at=now + timedelta(days=days))
    session.add(invite)
    session.flush()
    audit.append(session, clock, actor_id=actor_id, action="invite.create", entity="invite",
                 entity_id=invite.id, new={"staff_id": staff.id, "expires_at": invite.expires_at})
    session.commit()
    return invite


def redeem_invite(session: Session, clock: Clock, code: str, channel: str,
                  external_user_id: str, chat_id: str) -> Staff:
    """Use an invite once: the chat account becomes that staff member's."""
    invite = session.exec(select(Invite).where(Invite.code == code.strip())).first()
    now = clock.now()
    if invite is None:
        raise NotFound("Mã mời không đúng. Kiểm tra lại đường dẫn hoặc xin quản trị mã mới.")
    if invite.used_at is not None:
        raise DomainError("Mã mời này đã được dùng. Mỗi mã chỉ dùng một lần; xin quản trị "
                          "mã mới nếu thầy/cô đổi điện thoại.")
    if invite.revoked_at is not None or invite.expires_at < now:
        raise DomainError("Mã mời đã hết hạn hoặc bị thu hồi. Xin quản trị gửi mã mới.")
    staff = get_or_fail(session, Staff, invite.staff_id, "cán bộ")
    for old in _identities(session, channel, external_user_id, staff.id):
        old.unlinked_at = now
        session.add(old)
    session.flush()
    identity = session.exec(select(ChatIdentity).where(
        ChatIdentity.channel == channel,
        ChatIdentity.external_user_id == external_user_id)).first()
    identity = identity or ChatIdentity(channel=channel, external_user_id=external_user_id,
                                        chat_id=chat_id, staff_id=staff.id, linked_at=now)
    identity.staff_id, identity.chat_id, identity.linked_at = staff.id, chat_id, now
    identity.unlinked_at = identity.unreachable_since = None
    invite.used_at = now
    session.add_all([identity, invite])
    session.flush()
    audit.append(session, clock, actor_id=staff.id, action="chat.link", entity="chat_identity",
                 entity_id=identity.id, new={"channel": channel, "user": external_user_id})
    session.commit()
    return staff


def _identities(session: Session, channel: str, external_user_id: str, staff_id: int):
    """Links to replace: this chat account's, and the staff member's other one on the channel."""
    return session.exec(select(ChatIdentity).where(
        ChatIdentity.channel == channel, ChatIdentity.unlinked_at.is_(None),
        (ChatIdentity.external_user_id == external_user_id)
        | (ChatIdentity.staff_id == staff_id))).all()


_IDENTIFY = (select(Staff, School, SchoolYear)
             .join(ChatIdentity, ChatIdentity.staff_id == Staff.id)
             .join(School, School.id == Staff.school_id)
             .outerjoin(SchoolYear, and_(SchoolYear.school_id == School.id,
                                         SchoolYear.is_current))
             .where(ChatIdentity.channel == bindparam("channel"),
                    ChatIdentity.external_user_id == bindparam("external_user_id"),
                    ChatIdentity.unlinked_at.is_(None), Staff.active))


def identify(session: Session, channel: str, external_user_id: str) -> Staff | None:
    """The active staff member behind a chat account. Their school and its current year
    come in the same query and stay loaded for the session: every update needs them."""
    row = session.exec(_IDENTIFY, params={"channel": channel,
                                          "external_user_id": external_user_id}).first()
    if row is None:
        return None
    staff, school, year = row
    keep(session, school)
    if year is not None:
        keep_current_year(session, year)
    return staff


def unlink(session: Session, clock: Clock, channel: str, external_user_id: str) -> bool:
    identity = session.exec(select(ChatIdentity).where(
        ChatIdentity.channel == channel, ChatIdentity.external_user_id == external_user_id,
        ChatIdentity.unlinked_at.is_(None))).first()
    if identity is None:
        return False
    identity.unlinked_at = clock.now()
    session.add(identity)
    audit.append(session, clock, actor_id=identity.staff_id, action="chat.unlink",
                 entity="chat_identity", entity_id=identity.id)
    session.commit()
    return True


def chat_of(session: Session, staff_id: int, channel: str) -> str | None:
    """Where to reach a staff member on a channel, if they linked one."""
    return session.exec(select(ChatIdentity.chat_id).where(
        ChatIdentity.staff_id == staff_id, ChatIdentity.channel == channel,
        ChatIdentity.unlinked_at.is_(None))).first()


def preferred_chat(session: Session, staff_id: int) -> tuple[str, str] | None:
    """(channel, chat id) to reach a staff member by default: the chat account they linked
    most recently and that still receives (Telegram, Zalo — never the panel's web chat)."""
    identity = session.exec(select(ChatIdentity).where(
        ChatIdentity.staff_id == staff_id, ChatIdentity.unlinked_at.is_(None),
        ChatIdentity.unreachable_since.is_(None), ChatIdentity.channel != "web")
        .order_by(ChatIdentity.linked_at.desc(), ChatIdentity.id.desc())).first()
    return (identity.channel, identity.chat_id) if identity else None
