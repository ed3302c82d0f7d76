"""The one gate every request passes, before any route reads anything (pure ASGI, so that
the body it reads is handed on intact).

- Size: a body larger than its limit (the Excel import's, or the default for any form or
  webhook) is refused with 413 before it is read, or as soon as it passes the limit.
- /admin, anonymous: GET → the sign-in page, anything else → 401.
- /admin, signed in: the staff member must still be active, and the cookie's session
  version theirs now (a logout or a new password ends every older cookie).
- /admin, every POST, PUT, PATCH or DELETE carries its session's CSRF token, as a form
  field `csrf` or an `X-CSRF-Token` header (the sqladmin pages get both added).
- The data pages (sqladmin) are for admins.
"""

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from admin.web.security import SESSION_USER, SESSION_VERSION, csrf_matches, csrf_token
from core.config import Settings
from models import Staff
from models.types import Role
from services.permissions import roles_of

LOGIN, STATIC = "/admin/login", "/admin/static/"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
WEBHOOK_LIMIT = 1024 * 1024


class TooLarge(Exception):
    pass


class Guard:
    def __init__(self, app: ASGIApp, engine: Engine, settings: Settings) -> None:
        self.app, self.engine, self.settings = app, engine, settings

    def limit(self, path: str) -> int:
        if path.startswith("/admin/import"):
            return self.settings.max_upload_bytes
        if path.endswith("/webhook"):
            return WEBHOOK_LIMIT
        return self.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, limit = scope["path"], self.limit(scope["path"])
        try:
            body = await _read_body(scope, receive, limit)
        except TooLarge:
            await _too_large(limit)(scope, receive, send)
            return
        replay = _replay(body, receive)
        if path.startswith("/admin") and not path.startswith(STATIC):
            refusal = await self.refusal(Request(scope, replay()), path)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, replay(), send)

    async def refusal(self, request: Request, path: str) -> Response | None:
        if request.method in UNSAFE and not await _csrf_ok(request):
            return PlainTextResponse("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                                     "Tải lại trang rồi thử lại.", status_code=403)
        if path == LOGIN:
            return None
        refused = self._signed_in_refusal(request, path)
        if refused is None:
            csrf_token(request)  # every signed-in page can embed it (sqladmin's included)
        return refused

    def _signed_in_refusal(self, request: Request, path: str) -> Response | None:
        staff_id = request.session.get(SESSION_USER)
        with Session(self.engine) as session:
            staff = session.get(Staff, staff_id) if staff_id else None
            if staff is None or not staff.active or \
                    request.session.get(SESSION_VERSION) != staff.session_version:
                request.session.clear()
                if request.method == "GET":
                    return RedirectResponse(f"/admin/login?next={path}", status_code=303)
                return PlainTextResponse("Cần đăng nhập.", status_code=401)
            if path.startswith("/admin/data") and \
                    Role.ADMIN not in roles_of(session, staff.id):
                return PlainTextResponse("Chỉ quản trị sửa danh mục.", status_code=403)
        return None


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    declared = dict(scope.get("headers", [])).get(b"content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge()
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge()
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, original: Receive):
    """Receives that hand on the body already read, then wait on the real connection (so
    a streamed download still notices a client that really went away)."""
    def make() -> Receive:
        sent = False

        async def receive() -> dict:
            nonlocal sent
            if sent:
                return await original()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return receive
    return make


def _too_large(limit: int) -> Response:
    return PlainTextResponse(f"Dữ liệu gửi lên quá lớn (tối đa {limit // 1024:,} KB)."
                             .replace(",", ".") + " Chia nhỏ tệp hoặc nội dung rồi gửi lại.",
                             status_code=413)


async def _csrf_ok(request: Request) -> bool:
    submitted = request.headers.get("x-csrf-token", "")
    if not submitted and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        submitted = str(form.get("csrf", ""))
    return csrf_matches(request, submitted)
