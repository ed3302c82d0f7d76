"""Mounting the admin panel: state, templates, sign-in and the shared guards."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.middleware.sessions import SessionMiddleware

from admin.web.guard import Guard
from admin.web.security import (
    SESSION_USER,
    SESSION_VERSION,
    LoginLimiter,
    NotSignedIn,
    check_csrf,
    client_address,
    csrf_token,
    current_staff,
    require,
    secret_key,
    secure_cookies,
)
from core.clock import VN_TZ, Clock
from core.config import Settings
from models import Staff
from models.types import ROLE_LABELS, Role
from services.accounts import authenticate, end_sessions, normal_code
from services.errors import DomainError

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"
VIEWERS = {Role.ADMIN, Role.PRINCIPAL, Role.VICE_PRINCIPAL, Role.OFFICE}


def vietnamese_number(value) -> str:
    """17844 → "17.844" (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)


def vietnamese_date(moment) -> str:
    """A stored instant as school-time dd/mm/yyyy."""
    return f"{moment.astimezone(VN_TZ):%d/%m/%Y}" if moment else ""


@dataclass
class Panel:
    engine: Engine
    settings: Settings
    clock: Clock
    templates: Jinja2Templates
    limiter: LoginLimiter | None = None  # failed sign-ins, in the database

    def __post_init__(self) -> None:
        if self.limiter is None:
            self.limiter = LoginLimiter(self.engine, self.clock)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def user(self, request: Request, session: Session, allowed: set[Role], what: str):
        staff, roles = current_staff(request, session)
        require(roles, allowed, what)
        return staff, roles

    def page(self, request: Request, name: str, staff: Staff | None, roles: set[Role],
             status: int = 200, **context) -> HTMLResponse:
        return self.templates.TemplateResponse(request, name, {
            "staff": staff, "roles": roles, "role_labels": ROLE_LABELS, "Role": Role,
            "csrf": csrf_token(request), "demo_mode": self.settings.demo_mode, **context},
            status_code=status)


def mount_panel(app: FastAPI, engine: Engine, settings: Settings, clock: Clock) -> Panel:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["so"] = vietnamese_number
    templates.env.filters["ngay"] = vietnamese_date
    panel = Panel(engine, settings, clock, templates)
    app.add_middleware(Guard, engine=engine, settings=settings)  # inside the session
    app.add_middleware(SessionMiddleware, secret_key=secret_key(settings),
                       session_cookie="sodiem_session", same_site="strict",
                       https_only=secure_cookies(settings), max_age=8 * 3600)
    app.mount("/admin/static", StaticFiles(directory=str(STATIC)), name="admin-static")
    _errors(app, panel)
    _sign_in(app, panel)
    from admin.web import pages_district, pages_people, pages_records

    pages_records.register(app, panel)
    pages_people.register(app, panel)
    pages_district.register(app, panel)
    from admin.web.data_admin import mount_data_admin

    mount_data_admin(app, engine, clock)
    return panel


def _errors(app: FastAPI, panel: Panel) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_form(request: Request, _exc: RequestValidationError) -> Response:
        return panel.page(request, "error.html", None, set(), status=400,
                          message="Biểu mẫu thiếu hoặc sai dữ liệu. Quay lại, điền đủ rồi gửi "
                                  "lại.")

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _exc: NotSignedIn) -> Response:
        if request.method == "GET":
            return RedirectResponse(f"/admin/login?next={request.url.path}", status_code=303)
        return Response("Cần đăng nhập.", status_code=401)

    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: HTTPException) -> Response:
        if not request.url.path.startswith("/admin"):
            return Response(str(exc.detail), status_code=exc.status_code)
        return panel.page(request, "error.html", None, set(), status=exc.status_code,
                          message=exc.detail)


def _sign_in(app: FastAPI, panel: Panel) -> None:
    @app.get("/admin/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/admin/") -> Response:
        return panel.page(request, "login.html", None, set(), next=next, error="")

    @app.post("/admin/login")
    def login(request: Request, code: str = Form(...), password: str = Form(...),
              csrf: str = Form(""), next: str = Form("/admin/")) -> Response:
        check_csrf(request, csrf)
        address, code = client_address(request, panel.settings), normal_code(code)
        if panel.limiter.blocked(address, code):
            return panel.page(request, "login.html", None, set(), status=429, next=next,
                              error="Đăng nhập sai quá nhiều lần. Chờ 15 phút rồi thử lại.")
        with panel.session() as session:
            try:
                staff = authenticate(session, code, password)
            except DomainError as error:
                panel.limiter.failed(address, code)
                return panel.page(request, "login.html", None, set(), status=401, next=next,
                                  error=error.message)
        panel.limiter.succeeded(address, code)
        request.session.clear()
        request.session[SESSION_USER] = staff.id
        request.session[SESSION_VERSION] = staff.session_version
        target = next if next.startswith("/admin") else "/admin/"
        return RedirectResponse(target, status_code=303)

    @app.post("/admin/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        check_csrf(request, csrf)
        with panel.session() as session:
            end_sessions(session, request.session.get(SESSION_USER))
        request.session.clear()
        return RedirectResponse("/admin/login", status_code=303)
