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
from scheduler.runtime import LEADER_LOCK_KEY, build_scheduler, catch_up, lead

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
    """The scheduler and the outbox sender, run by whichever replica holds the leader lock
    (every replica waits for it; one takes over within seconds when the leader dies)."""

    def __init__(self, application: Application, engine: Engine, clock: Clock) -> None:
        self.application, self.engine, self.clock = application, engine, clock
        self.scheduler = None
        self.task = asyncio.create_task(lead(engine, LEADER_LOCK_KEY, self._work))

    async def _work(self) -> None:
        self.scheduler = build_scheduler(self.engine, self.clock)
        self.scheduler.start()
        catch_up()
        log.info("this process leads: it runs the scheduler and the outbox sender")
        try:
            await OutboxSender(self.application.bot, self.engine, self.clock).run_forever(
                takeover=True)
        finally:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


def _start_background(application: Application, engine: Engine, clock: Clock) -> _Background:
    return _Background(application, engine, clock)
