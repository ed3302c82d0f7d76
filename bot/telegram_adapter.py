"""The Telegram transport: python-telegram-bot 22 in front of the conversation handlers.

The adapter only translates: an Update becomes an `Incoming`, the handlers' replies
become sendMessage / editMessageText / setMyCommands calls. Database work runs in a
worker thread so the event loop keeps answering other teachers.
"""

import asyncio
import html
import logging

from sqlalchemy import Engine
from sqlmodel import Session
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.rate_limits import DeploymentRateLimiter
from core.clock import Clock
from handlers import texts
from handlers.capabilities import TELEGRAM, fit
from handlers.conversation import handle
from handlers.events import Incoming, Reply
from services.send_budget import budget_for

CHANNEL = "telegram"
log = logging.getLogger(__name__)


class TelegramBot:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock

    def _handle(self, event: Incoming) -> list[Reply]:
        """The handlers answer their own failures; this catches what happens around them
        (the database unreachable, say), so nobody is left without a reply."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                return fit(handle(session, self.clock, event), TELEGRAM)
        except Exception:
            log.exception("telegram update %s failed", event.update_key)
            return [Reply(texts.INTERNAL_ERROR.format(code=event.update_key or "?"))]

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.text is None or update.effective_user is None:
            return
        event = Incoming(CHANNEL, str(update.effective_user.id), str(message.chat_id),
                         text=message.text, update_key=str(update.update_id))
        replies = await asyncio.to_thread(self._handle, event)
        await self._send(context, message.chat_id, replies, None)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer()
        chat_id = query.message.chat.id if query.message else query.from_user.id
        event = Incoming(CHANNEL, str(query.from_user.id), str(chat_id),
                         button_data=query.data or "", update_key=str(update.update_id))
        replies = await asyncio.to_thread(self._handle, event)
        await self._send(context, chat_id, replies, query)

    async def _send(self, context, chat_id: int, replies: list[Reply], query) -> None:
        for reply in replies:
            text = f"<pre>{html.escape(reply.text)}</pre>" if reply.preformatted \
                else html.escape(reply.text)
            markup = _keyboard(reply)
            target = int(reply.chat_id) if reply.chat_id else chat_id
            if reply.replace_original and query is not None and query.message is not None:
                try:
                    await query.edit_message_text(text, parse_mode=ParseMode.HTML,
                                                  reply_markup=markup)
                    continue
                except BadRequest as error:  # too old to edit: say it as a new message
                    log.info("edit failed, sending instead: %s", error)
            await context.bot.send_message(target, text, parse_mode=ParseMode.HTML,
                                           reply_markup=markup)
            if reply.commands is not None:
                await context.bot.set_my_commands(
                    [BotCommand(name, description) for name, description in reply.commands],
                    scope=BotCommandScopeChat(chat_id))


def _keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = reply.button_rows()
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data)
                                  for b in row] for row in rows])


def build_application(token: str, engine: Engine, clock: Clock,
                      base_url: str | None = None, rate_limit: bool = True) -> Application:
    builder = ApplicationBuilder().token(token)
    if base_url:
        builder = builder.base_url(f"{base_url}/bot").base_file_url(f"{base_url}/file/bot")
    if rate_limit:
        builder = builder.rate_limiter(DeploymentRateLimiter(budget_for(engine, "telegram")))
    application = builder.build()
    bot = TelegramBot(engine, clock)
    application.add_handler(CallbackQueryHandler(bot.on_button))
    application.add_handler(MessageHandler(filters.TEXT, bot.on_message))
    return application
