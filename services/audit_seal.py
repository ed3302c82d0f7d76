"""The audit key and what it signs.

The SHA-256 chain alone proves nothing against someone who can write the database:
they can rewrite a row and recompute every later hash, or cut the newest rows off.
So every entry also carries an HMAC of its hash, and checkpoints of the chain's head
are signed, with a key that lives in the settings (or a file beside them), never in
the database. Whoever holds both the key and the database can still forge; the
printed checkpoints (confirmation sheets, archive index) are the last line then.
"""

import hashlib
import hmac
import secrets
from functools import lru_cache
from pathlib import Path

from core.config import get_settings


@lru_cache
def audit_key() -> bytes:
    settings = get_settings()
    if settings.audit_key:
        return settings.audit_key.encode("utf-8")
    path = Path(settings.data_dir) / "audit_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip().encode("utf-8")


def sign(text: str) -> str:
    return hmac.new(audit_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def valid(text: str, signature: str) -> bool:
    return hmac.compare_digest(sign(text), signature or "")
