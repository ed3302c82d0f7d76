"""A small async client for the Zalo Bot API: `https://<host>/bot<TOKEN>/<method>`, JSON
over POST, answers `{"ok": true, "result": …}` or `{"ok": false, "error_code", …}`."""

from dataclasses import dataclass
from typing import Any

import httpx

DEFAULT_API_URL = "https://bot-api.zaloplatforms.com"
TEXT_LIMIT = 2000


@dataclass
class ZaloError(Exception):
    code: int
    description: str

    def __str__(self) -> str:
        return f"Zalo {self.code}: {self.description}"


class ZaloClient:
    def __init__(self, token: str, base_url: str = DEFAULT_API_URL,
                 http: httpx.AsyncClient | None = None) -> None:
        self.url = f"{base_url.rstrip('/')}/bot{token}"
        self.http = http or httpx.AsyncClient(timeout=httpx.Timeout(40.0))

    async def call(self, method: str, **params: Any) -> Any:
        response = await self.http.post(f"{self.url}/{method}", json=params)
        try:
            body = response.json()
        except ValueError:
            raise ZaloError(response.status_code, response.text[:200]) from None
        if response.status_code >= 400 or not body.get("ok"):
            raise ZaloError(int(body.get("error_code") or response.status_code),
                            str(body.get("description", "")))
        return body.get("result")

    async def get_me(self) -> dict:
        return await self.call("getMe")

    async def get_update(self, timeout: int = 30) -> dict | None:
        """One update, or None when the long poll ended idle (HTTP 408)."""
        try:
            return await self.call("getUpdates", timeout=timeout)
        except ZaloError as error:
            if error.code == 408:
                return None
            raise

    async def send_message(self, chat_id: str, text: str) -> dict:
        return await self.call("sendMessage", chat_id=chat_id, text=text)

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self.call("setWebhook", url=url, secret_token=secret_token)

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook")

    async def close(self) -> None:
        await self.http.aclose()
