"""The web application built from the settings: what `sodiem serve` runs, in one process or
in each of its `--workers` processes (uvicorn imports `app_from_settings` in every one)."""

from sqlalchemy import Engine

from core.clock import SystemClock
from core.config import Settings, get_settings
from models.db import make_engine


def build_app(settings: Settings, engine: Engine):
    from admin.status_app import create_app

    telegram = None
    if settings.telegram_token:
        from bot.telegram_adapter import build_application

        telegram = build_application(settings.telegram_token, engine, SystemClock(),
                                     base_url=settings.telegram_api_url or None)
    zalo = None
    if settings.zalo_token:
        from bot.zalo.adapter import ZaloBot
        from bot.zalo.client import ZaloClient

        zalo = ZaloBot(engine, SystemClock(), ZaloClient(settings.zalo_token,
                                                         settings.zalo_api_url))
    return create_app(engine, settings, telegram, zalo=zalo, run_scheduler=True)


def app_from_settings():
    """One replica's app (uvicorn's factory): its own engine on the shared database."""
    settings = get_settings()
    return build_app(settings, make_engine(settings.database_url))
