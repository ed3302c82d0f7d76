"""Passwords for the admin panel (argon2), sign-in checks and the first admin."""

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from core.clock import Clock
from core.text import fold, nfc
from models import School, Staff, StaffRole
from models.school import DISTRICT_OFFICE_LEVEL
from models.types import Role
from services import audit
from services.errors import DomainError

HASHER = PasswordHasher()
MIN_LENGTH = 10
PANEL_ROLES = {Role.ADMIN, Role.PRINCIPAL, Role.VICE_PRINCIPAL, Role.OFFICE, Role.DISTRICT_OFFICER}


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise DomainError(f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự.")
    return HASHER.hash(password)


SIGN_IN_REFUSED = ("Sai mã đăng nhập hoặc mật khẩu (hoặc tài khoản không dùng trang quản trị). "
                   "Kiểm tra lại rồi thử lần nữa.")


def set_password(session: Session, clock: Clock, staff_id: int, password: str,
                 actor_id: int | None = None) -> None:
    staff = session.get(Staff, staff_id)
    staff.password_hash, staff.password_changed_at = hash_password(password), clock.now()
    staff.session_version += 1  # every other signed-in session of this person ends
    session.add(staff)
    audit.append(session, clock, actor_id=actor_id or staff_id, action="account.password",
                 entity="staff", entity_id=staff_id)
    session.commit()


def _matches(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, code: str, password: str) -> Staff:
    """The staff member, if the code and password match and they may use the panel.
    Staff codes are unique within a school, not across a district: every active account
    with the code is tried, and the one whose password matches signs in."""
    candidates = [s for s in session.exec(select(Staff).where(Staff.code == normal_code(code)))
                  if s.password_hash and s.active]
    refusal = DomainError(SIGN_IN_REFUSED)
    if not candidates:
        HASHER.hash("timing-equaliser")  # do as much work as a real check
        raise refusal
    staff = next((s for s in candidates if _matches(s.password_hash, password)), None)
    if staff is None:
        raise refusal
    roles = set(session.exec(select(StaffRole.role).where(StaffRole.staff_id == staff.id)))
    if not roles & PANEL_ROLES:  # the same words as a wrong password: nothing is revealed
        raise refusal
    return staff


def normal_code(code: str) -> str:
    """" gv001 " and "GV001" are one account (and one rate-limit counter)."""
    return "".join(code.split()).upper()


def end_sessions(session: Session, staff_id: int) -> None:
    """Sign-out: the cookie in hand, and any copy of it, stop working."""
    staff = session.get(Staff, staff_id)
    if staff is not None:
        staff.session_version += 1
        session.add(staff)
        session.commit()


def create_admin(session: Session, clock: Clock, full_name: str, code: str,
                 password: str | None = None) -> tuple[Staff, str]:
    """A new admin account (the first one, from the command line); returns its password."""
    school = session.exec(select(School).where(School.level != DISTRICT_OFFICE_LEVEL)
                          .order_by(School.id)).first()
    if school is None:
        raise DomainError("Chưa có trường nào: chạy `sodiem demo` hoặc nhập dữ liệu trước.")
    return create_staff_account(session, clock, school.id, full_name, code, Role.ADMIN,
                                "account.create_admin", password)


def create_staff_account(session: Session, clock: Clock, school_id: int, full_name: str,
                         code: str, role: Role, action: str, password: str | None = None
                         ) -> tuple[Staff, str]:
    """An account with one role and a password, audited in the school's chain (committed)."""
    if session.exec(select(Staff).where(Staff.code == code.upper())).first() is not None:
        raise DomainError(f"Mã {code.upper()} đã có người dùng.")
    password = password or secrets.token_urlsafe(12)
    name = nfc(full_name)
    staff = Staff(school_id=school_id, code=code.upper(), full_name=name, folded_name=fold(name),
                  password_hash=hash_password(password), password_changed_at=clock.now())
    session.add(staff)
    session.flush()
    session.add(StaffRole(staff_id=staff.id, role=role))
    audit.append(session, clock, actor_id=None, action=action, entity="staff",
                 entity_id=staff.id, new={"code": staff.code}, school_id=school_id)
    session.commit()
    return staff, password


def stale_passwords(session: Session, clock: Clock, days: int) -> list[Staff]:
    """Panel users whose password is older than `days` (account hygiene, 002)."""
    limit = clock.now() - timedelta(days=days)
    rows = session.exec(select(Staff).join(StaffRole).where(
        StaffRole.role.in_(list(PANEL_ROLES)), Staff.password_hash != "")).all()
    unique = {s.id: s for s in rows}.values()  # a person with two panel roles comes twice
    return [s for s in unique if s.password_changed_at and s.password_changed_at < limit]
