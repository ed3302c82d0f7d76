"""Running the Telegram application inside the FastAPI process: polling in the
background, or a webhook route that checks Telegram's secret header."""

import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from telegram import Update
from telegram.ext import Application

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"


def add_webhook_route(app: FastAPI, application: Application, secret: str) -> None:
    @app.post(WEBHOOK_PATH)
    async def telegram_webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)
        update = Update.de_json(await request.json(), application.bot)
        await application.process_update(update)
        return Response(status_code=200)


@asynccontextmanager
async def telegram_running(application: Application, mode: str, webhook_url: str = "",
                           secret: str = "") -> AsyncIterator[None]:
    async with application:
        await application.start()
        if mode == "webhook":
            await application.bot.set_webhook(f"{webhook_url.rstrip('/')}{WEBHOOK_PATH}",
                                              secret_token=secret)
        else:
            await application.updater.start_polling()
        try:
            yield
        finally:
            if mode != "webhook":
                await application.updater.stop()
            await application.stop()
