"""Running the real bot against the emulator inside a test."""

from contextlib import asynccontextmanager

from sqlmodel import Session

from bot.telegram_adapter import build_application
from services.linking import create_invite


@asynccontextmanager
async def running_bot(engine, clock, emulator, token):
    application = build_application(token, engine, clock, base_url=emulator.url)
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()


def invite(engine, clock, school, staff_id, days=14) -> str:
    with Session(engine, expire_on_commit=False) as session:
        return create_invite(session, clock, school.admin_id, staff_id, days).code
