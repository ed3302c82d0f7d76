"""The Zalo transport in front of the conversation handlers.

Zalo has no buttons and no editing: the capability record turns buttons into numbered
choices ("1", "2") that `handlers.conversation` maps back to the latest preview, and texts
are split at 2,000 characters. An update has no id of its own: the message id
de-duplicates redeliveries. A protected account arrives without text
(`message.unsupported.received`) and gets a short note, never a crash.
"""

import asyncio
import hmac
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.zalo.client import ZaloClient, ZaloError
from bot.zalo.sender import ZaloOutboxSender
from core.clock import Clock
from handlers import texts
from handlers.capabilities import ZALO, fit
from handlers.conversation import handle
from handlers.events import Incoming, Reply
from models import ChatIdentity
from scheduler.runtime import ZALO_SENDER_LOCK_KEY, lead
from services import pending

CHANNEL = "zalo"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/zalo/webhook"
INVITE_CODE = re.compile(r"^[A-Za-z0-9_-]{16}$")  # secrets.token_urlsafe(12)
UNSUPPORTED = ("Tài khoản Zalo này không dùng được bot sổ điểm (Zalo không chuyển tin của "
               "tài khoản được bảo vệ). Thầy/cô dùng tài khoản Zalo khác hoặc Telegram.")
log = logging.getLogger(__name__)


def remember_choices(session: Session, clock: Clock, replies: list[Reply],
                     own_chat: str) -> None:
    """Buttons become "1. …, 2. …" on Zalo: record, per chat, what each digit presses."""
    for reply in replies:
        data = [b.data for row in reply.button_rows() for b in row]
        chat = reply.chat_id or own_chat
        identity = session.exec(select(ChatIdentity).where(
            ChatIdentity.channel == CHANNEL, ChatIdentity.chat_id == chat,
            ChatIdentity.unlinked_at.is_(None))).first()
        if data and identity is not None:
            pending.save_choices(session, clock, identity.staff_id, CHANNEL, chat, data)


def unwrap(payload: dict) -> dict:
    """The documentation wraps an update in {"ok": true, "result": …}; deliveries don't."""
    if isinstance(payload.get("result"), dict) and "event_name" not in payload:
        return payload["result"]
    return payload


class ZaloBot:
    def __init__(self, engine: Engine, clock: Clock, client: ZaloClient) -> None:
        self.engine, self.clock, self.client = engine, clock, client

    def to_incoming(self, update: dict) -> Incoming | None:
        message = update.get("message") or {}
        sender, chat = message.get("from") or {}, message.get("chat") or {}
        if not sender.get("id") or sender.get("is_bot"):
            return None
        text = (message.get("text") or "").strip()
        if INVITE_CODE.match(text):
            text = f"/start {text}"  # on Zalo the teacher sends the invite code alone
        return Incoming(CHANNEL, str(sender["id"]), str(chat.get("id") or sender["id"]),
                        text=text, update_key=f"m{message.get('message_id', '')}")

    def _handle(self, event: Incoming) -> list[Reply]:
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                replies = handle(session, self.clock, event)
                remember_choices(session, self.clock, replies, event.chat_id)
                return fit(replies, ZALO)
        except Exception:
            log.exception("zalo update %s failed", event.update_key)
            return [Reply(texts.INTERNAL_ERROR.format(code=event.update_key or "?"))]

    async def on_update(self, payload: dict) -> None:
        update = unwrap(payload)
        event_name = update.get("event_name", "")
        message = update.get("message") or {}
        chat_id = str((message.get("chat") or {}).get("id") or
                      (message.get("from") or {}).get("id") or "")
        if event_name != "message.text.received":
            if chat_id and event_name == "message.unsupported.received":
                await self._send(chat_id, [Reply(UNSUPPORTED)])
            elif chat_id:
                await self._send(chat_id, [Reply("Bot chỉ đọc tin nhắn chữ. Gõ /help để xem "
                                                 "cách dùng.")])
            return
        event = self.to_incoming(update)
        if event is None:
            return
        replies = await asyncio.to_thread(self._handle, event)
        await self._send(event.chat_id, replies)

    async def _send(self, chat_id: str, replies: list[Reply]) -> None:
        for reply in replies:
            target = reply.chat_id or chat_id
            try:
                await self.client.send_message(target, reply.text)
            except ZaloError as error:  # the user is told nothing more; the log keeps it
                log.warning("zalo send to %s failed: %s", target, error)

    async def poll_forever(self, timeout: int = 30) -> None:
        """Development mode: long polling (not while a webhook is set)."""
        while True:
            try:
                update = await self.client.get_update(timeout)
            except (ZaloError, OSError) as error:
                log.warning("zalo getUpdates failed: %s", error)
                await asyncio.sleep(3)
                continue
            if update:
                await self.on_update(update)


def add_zalo_webhook(app: FastAPI, bot: ZaloBot, secret: str) -> None:
    @app.post(WEBHOOK_PATH)
    async def zalo_webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            return Response("Nội dung không phải một cập nhật Zalo hợp lệ.", status_code=400)
        await bot.on_update(payload)
        return Response(status_code=200)


@asynccontextmanager
async def zalo_running(bot: ZaloBot, mode: str, public_url: str = "", secret: str = "",
                       per_second: float = 5.0, backoff: float = 30.0) -> AsyncIterator[None]:
    """Webhook mode registers `public_url` + /zalo/webhook; polling runs a background task
    (after removing any webhook, since Zalo refuses getUpdates while one is set)."""
    task, sender = None, None
    if bot.engine is not None:
        zalo_sender = ZaloOutboxSender(bot.client, bot.engine, bot.clock, per_second, backoff)
        # one replica sends at a time (Zalo's pace is per bot, not per process)
        sender = asyncio.create_task(lead(bot.engine, ZALO_SENDER_LOCK_KEY,
                                          zalo_sender.run_forever))
    if mode == "webhook":
        await bot.client.set_webhook(f"{public_url.rstrip('/')}{WEBHOOK_PATH}", secret)
    else:
        try:
            await bot.client.delete_webhook()
        except ZaloError as error:
            log.info("zalo deleteWebhook: %s", error)
        task = asyncio.create_task(bot.poll_forever())
    try:
        yield
    finally:
        for running in (task, sender):
            if running is not None:
                running.cancel()
                await asyncio.gather(running, return_exceptions=True)
        await bot.client.close()
