"""Sign-in state, CSRF tokens, login rate limiting and role checks for every route."""

import hmac
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from fastapi import HTTPException, Request
from sqlalchemy import Engine, delete, func
from sqlmodel import Session, select

from core.clock import Clock
from core.config import Settings
from models import SignInFailure, Staff, StaffRole
from models.types import Role

SESSION_USER, SESSION_CSRF, SESSION_VERSION = "staff_id", "csrf", "version"
LOGIN_WINDOW, LOGIN_ATTEMPTS = 15 * 60, 5


def secret_key(settings: Settings) -> str:
    """The configured key, else one made once and kept beside the database."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def secure_cookies(settings: Settings) -> bool:
    """Secure cookies unless told otherwise — on whenever the public address is https."""
    if settings.session_cookie_secure is not None:
        return settings.session_cookie_secure
    return settings.public_url.startswith("https://") or \
        settings.telegram_webhook_url.startswith("https://")


def client_address(request: Request, settings: Settings) -> str:
    """The peer, or the last X-Forwarded-For hop when the peer is a configured proxy."""
    peer = request.client.host if request.client else "?"
    proxies = {p.strip() for p in settings.trusted_proxies.split(",") if p.strip()}
    forwarded = request.headers.get("x-forwarded-for", "")
    if peer in proxies and forwarded:
        return forwarded.split(",")[-1].strip() or peer
    return peer


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF)
    if not token:
        token = request.session[SESSION_CSRF] = secrets.token_urlsafe(24)
    return token


def csrf_matches(request: Request, submitted: str) -> bool:
    """The session's token, compared in constant time (the gate and the routes agree)."""
    expected = request.session.get(SESSION_CSRF, "")
    return bool(expected) and hmac.compare_digest(expected, submitted or "")


def check_csrf(request: Request, submitted: str) -> None:
    if not csrf_matches(request, submitted):
        raise HTTPException(403, "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                                 "Tải lại trang rồi thử lại.")


class LoginLimiter:
    """At most five failed sign-ins per address and account in fifteen minutes, counted in
    the database so that every replica behind the proxy sees the same attempts."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock

    def _since(self) -> datetime:
        return self.clock.now() - timedelta(seconds=LOGIN_WINDOW)

    def blocked(self, address: str, code: str) -> bool:
        with Session(self.engine) as session:
            count = session.exec(select(func.count()).select_from(SignInFailure).where(
                SignInFailure.address == address[:64], SignInFailure.code == code.upper()[:32],
                SignInFailure.at >= self._since())).one()
        return count >= LOGIN_ATTEMPTS

    def failed(self, address: str, code: str) -> None:
        with Session(self.engine) as session:
            session.execute(delete(SignInFailure).where(SignInFailure.at < self._since()))
            session.add(SignInFailure(address=address[:64], code=code.upper()[:32],
                                      at=self.clock.now()))
            session.commit()

    def succeeded(self, address: str, code: str) -> None:
        with Session(self.engine) as session:
            session.execute(delete(SignInFailure).where(
                SignInFailure.address == address[:64], SignInFailure.code == code.upper()[:32]))
            session.commit()


class NotSignedIn(Exception):
    pass


def current_staff(request: Request, session: Session) -> tuple[Staff, set[Role]]:
    staff_id = request.session.get(SESSION_USER)
    staff = session.get(Staff, staff_id) if staff_id else None
    if staff is None or not staff.active:
        raise NotSignedIn()
    roles = {Role(r) for r in session.exec(select(StaffRole.role)
                                           .where(StaffRole.staff_id == staff.id))}
    return staff, roles


def require(roles: set[Role], allowed: set[Role], what: str) -> None:
    if not roles & allowed:
        raise HTTPException(403, f"Tài khoản của thầy/cô không có quyền {what}.")
