"""Running the Telegram application inside the FastAPI process: polling in the
background, or a webhook route that checks Telegram's secret header."""

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from sqlalchemy import Engine
from telegram import Update
from telegram.ext import Application

from bot.outbox_sender import OutboxSender
from core.clock import Clock
from scheduler.runtime import acquire_leadership, build_scheduler, catch_up

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"


def add_webhook_route(app: FastAPI, application: Application, secret: str) -> None:
    @app.post(WEBHOOK_PATH)
    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)
        try:
            payload = await request.json()
            update = Update.de_json(payload, application.bot) if isinstance(payload, dict) \
                else None
        except (ValueError, TypeError, KeyError):
            update = None
        if update is None:
            return Response("Nội dung không phải một cập nhật Telegram hợp lệ.", status_code=400)
        await application.process_update(update)
        return Response(status_code=200)


@asynccontextmanager
async def telegram_running(application: Application, mode: str, webhook_url: str = "",
                           secret: str = "", engine: Engine | None = None,
                           clock: Clock | None = None) -> AsyncIterator[None]:
    """The bot, the outbox sender and — in the one process holding the lock — the scheduler."""
    async with application:
        await application.start()
        if mode == "webhook":
            await application.bot.set_webhook(f"{webhook_url.rstrip('/')}{WEBHOOK_PATH}",
                                              secret_token=secret)
        else:
            await application.updater.start_polling()
        background = _start_background(application, engine, clock) if engine else None
        try:
            yield
        finally:
            if background:
                await background.stop()
            if mode != "webhook":
                await application.updater.stop()
            await application.stop()


class _Background:
    def __init__(self, scheduler, sender_task: asyncio.Task, leadership) -> None:
        self.scheduler, self.sender_task, self.leadership = scheduler, sender_task, leadership

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        self.sender_task.cancel()
        await asyncio.gather(self.sender_task, return_exceptions=True)
        if self.leadership is not None:
            self.leadership.close()


def _start_background(application: Application, engine: Engine, clock: Clock) -> _Background:
    leadership = acquire_leadership(engine)
    scheduler = None
    if leadership is not None:
        scheduler = build_scheduler(engine, clock)
        scheduler.start()
        catch_up()
        log.info("this process runs the scheduler")
    sender = OutboxSender(application.bot, engine, clock)
    return _Background(scheduler, asyncio.create_task(sender.run_forever()), leadership)
