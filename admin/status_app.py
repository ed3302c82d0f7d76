"""The web process `sodiem serve` starts: a status page saying what exists and what to do next.

The full admin panel (sign-in, import, invites, locks…) is a separate piece of
work; until it lands this page is honest about what the running system has.
"""

import asyncio
from contextlib import AsyncExitStack, asynccontextmanager
from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from telegram.ext import Application

from admin.web.documents import add_document_route
from admin.web.headers import SecurityHeaders
from admin.web.panel import mount_panel
from bot.webhook import add_webhook_route, telegram_running
from bot.zalo.adapter import ZaloBot, add_zalo_webhook, zalo_running
from core.clock import Clock, SystemClock
from core.config import Settings
from models import AuditEntry, School, SchoolClass, ScoreEntry, Staff, Student
from models.school import DISTRICT_OFFICE_LEVEL
from services import audit_verification


async def _cancel(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def create_app(engine: Engine, settings: Settings, telegram: Application | None = None,
               clock: Clock | None = None, zalo: ZaloBot | None = None,
               run_scheduler: bool = False) -> FastAPI:
    """The web process; with a Telegram application and/or a Zalo bot it also runs them
    (polling in the background, or their webhook routes), so one process serves all.
    `run_scheduler` (what `serve` asks for): without Telegram the scheduler still runs,
    in the one replica elected for it, for Zalo reminders, nightly checks and unlock closing
    (with Telegram it runs beside the Telegram sender)."""
    clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(_app):
        async with AsyncExitStack() as stack:
            if telegram is None and run_scheduler:
                from scheduler.runtime import LEADER_LOCK_KEY, lead
                from scheduler.runtime import run_scheduler as scheduler_work

                task = asyncio.create_task(lead(engine, LEADER_LOCK_KEY,
                                                lambda: scheduler_work(engine, clock)))
                stack.push_async_callback(_cancel, task)
            if telegram is not None:
                await stack.enter_async_context(telegram_running(
                    telegram, settings.telegram_mode, settings.telegram_webhook_url,
                    settings.telegram_webhook_secret, engine, clock))
            if zalo is not None:
                await stack.enter_async_context(zalo_running(
                    zalo, settings.zalo_mode, settings.public_url,
                    settings.zalo_webhook_secret, settings.zalo_messages_per_second,
                    settings.zalo_backoff_seconds))
            yield

    docs = settings.api_docs
    app = FastAPI(title="Sổ điểm điện tử", docs_url="/docs" if docs else None, redoc_url=None,
                  openapi_url="/openapi.json" if docs else None, lifespan=lifespan)
    mount_panel(app, engine, settings, clock)
    add_document_route(app, engine, clock)
    app.add_middleware(SecurityHeaders)
    if telegram is not None and settings.telegram_mode == "webhook":
        add_webhook_route(app, telegram, settings.telegram_webhook_secret)
    if zalo is not None and settings.zalo_mode == "webhook":
        add_zalo_webhook(app, zalo, settings.zalo_webhook_secret)

    @app.get("/healthz")
    def health() -> dict:
        with Session(engine) as session:
            session.exec(select(1)).one()
        return {"status": "ok"}

    @app.get("/", response_class=HTMLResponse)
    def status() -> str:
        with Session(engine) as session:
            return _page(session, settings)

    return app


def _count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _page(session: Session, settings: Settings) -> str:
    school = session.exec(select(School).where(School.level != DISTRICT_OFFICE_LEVEL)
                          .order_by(School.id).limit(1)).first()
    rows = [("Trường", school.name if school else "(chưa có)"),
            ("Giáo viên, nhân viên", _count(session, Staff)),
            ("Lớp", _count(session, SchoolClass)), ("Học sinh", _count(session, Student)),
            ("Điểm đã nhập", _count(session, ScoreEntry)),
            ("Bản ghi nhật ký", _count(session, AuditEntry)),
            ("Kiểm tra nhật ký gần nhất", audit_verification.latest_text(session))]
    table = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
                    for k, v in rows)
    bot = ("Bot Telegram đang chạy." if settings.telegram_token else
           "Chưa có mã bot Telegram: đặt SODIEM_TELEGRAM_TOKEN trong tệp .env "
           "(xem .env.example) để bật bot.")
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sổ điểm điện tử</title>
<style>body{{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}}
th{{text-align:left;padding:.3rem 1rem .3rem 0}}</style></head><body>
<h1>Sổ gọi tên và ghi điểm điện tử</h1><table>{table}</table>
<h2>Việc tiếp theo</h2><ul><li>{escape(bot)}</li>
<li><a href="/admin/">Trang quản trị</a> (đăng nhập bằng tài khoản quản trị; trường mẫu
in mã và mật khẩu khi tạo).</li>
<li>Kiểm tra nhật ký bằng lệnh <code>.venv/bin/sodiem audit-verify</code>
(trong thư mục dự án).</li></ul></body></html>"""
