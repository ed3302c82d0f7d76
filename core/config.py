"""All settings in one class, read from the environment or `.env` (see `.env.example`)."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SODIEM_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./data/sodiem.db"
    timezone: str = "Asia/Ho_Chi_Minh"
    telegram_token: str = ""
    telegram_mode: str = "polling"  # or "webhook"
    telegram_webhook_url: str = ""  # public https base URL, for webhook mode
    telegram_webhook_secret: str = ""
    telegram_api_url: str = ""  # another Bot API server (a local one, or the test emulator)
    telegram_bot_username: str = "SoDiemBot"  # for invite links t.me/<bot>?start=<code>
    admin_host: str = "127.0.0.1"
    admin_port: int = 8000
    demo_seed: int = 2026
    demo_mode: bool = False  # the web chat may speak as any staff member (demo school only)
    secret_key: str = ""  # signs session cookies; empty: one is made and kept in data_dir
    data_dir: Path = Path("./data")
    # Seals the audit log (an HMAC on every entry, signed checkpoints). Keep it out of the
    # database and its backups. Empty: one is made once and kept in data_dir/audit_key.
    audit_key: str = ""
    audit_verify_hour: int = 2  # the scheduled full verification, every night at this hour


@lru_cache
def get_settings() -> Settings:
    return Settings()
