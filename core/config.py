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
    zalo_token: str = ""  # the Zalo Bot Platform's token; empty: no Zalo bot
    zalo_api_url: str = "https://bot-api.zaloplatforms.com"
    zalo_mode: str = "polling"  # or "webhook" (needs public https: public_url + /zalo/webhook)
    zalo_webhook_secret: str = ""  # 8–256 characters, sent back in X-Bot-Api-Secret-Token
    zalo_bot_name: str = ""  # how teachers find the bot on Zalo, printed on invite sheets
    zalo_messages_per_second: float = 5.0  # Zalo publishes no quota: keep it modest
    zalo_backoff_seconds: float = 30.0  # after a 429 "Quota exceeded"
    admin_host: str = "127.0.0.1"
    admin_port: int = 8000
    demo_seed: int = 2026
    demo_mode: bool = False  # the web chat may speak as any staff member (demo school only)
    secret_key: str = ""  # signs session cookies; empty: one is made and kept in data_dir
    data_dir: Path = Path("./data")
    # Seals the audit log (an HMAC on every entry, signed checkpoints). Keep it out of the
    # database and its backups. Empty: one is made once and kept in data_dir/audit_key.
    audit_key: str = ""
    # The school's certificate for ký số (PKCS#12). Empty: data_dir/school-signing.p12 when
    # `sodiem keygen` made one there; without any, PDFs are printed unsigned.
    signing_p12: str = ""
    signing_password: str = ""  # empty: data_dir/school-signing.pass, written by keygen
    audit_verify_hour: int = 2  # the scheduled full verification, every night at this hour
    # The panel's public address (https://…): session cookies are Secure when it is https.
    public_url: str = ""
    session_cookie_secure: bool | None = None  # None: on when public_url is https
    trusted_proxies: str = ""  # comma-separated addresses whose X-Forwarded-For is believed
    api_docs: bool = False  # /docs and /openapi.json (off: nothing to learn for an attacker)
    # Limits, enforced before any work is done.
    max_body_bytes: int = 64 * 1024  # any form post
    max_upload_bytes: int = 5 * 1024 * 1024  # an Excel file for the import
    max_xlsx_uncompressed_bytes: int = 40 * 1024 * 1024  # inside the xlsx (zip) archive
    max_xlsx_cells: int = 200_000
    import_seconds: int = 60  # an import that takes longer is stopped


@lru_cache
def get_settings() -> Settings:
    return Settings()
