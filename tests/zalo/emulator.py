"""A Zalo Bot API emulator, written from the published API (see issue 13): the bot's
methods under /bot<TOKEN>/<method>, the 2,000-character limit with the platform's error,
408 on an idle long poll, one update per getUpdates, https-only webhooks with the secret
header on delivery; and test routes to inject what a user sends and read what the bot sent.
"""

import asyncio
import itertools
import threading
import time
from collections import defaultdict, deque

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.emulator.client import free_port

TEXT_LIMIT = 2000
_ids = itertools.count(5000)


def _error(code: int, description: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error_code": code, "description": description},
                        status_code=code)


class ZaloEmulator:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.queues: dict[str, deque] = defaultdict(deque)
        self.sent: dict[str, list[dict]] = defaultdict(list)
        self.webhooks: dict[str, dict] = {}
        self.server: uvicorn.Server | None = None

    # ------------------------------------------------------------------ the bot's API
    async def method(self, request: Request) -> JSONResponse:
        token, name = request.path_params["token"], request.path_params["method"]
        params = await _params(request)
        handler = getattr(self, f"_{name}", None)
        if handler is None:
            return _error(404, f"Method {name} not found")
        return await handler(token, params)

    async def _getMe(self, token: str, params: dict) -> JSONResponse:
        return JSONResponse({"ok": True, "result": {"id": f"bot-{token[:6]}",
                                                    "account_name": "sodiem_bot",
                                                    "account_type": "BASIC",
                                                    "can_join_groups": False}})

    async def _getUpdates(self, token: str, params: dict) -> JSONResponse:
        if token in self.webhooks:
            return _error(400, "getUpdates is not available while a webhook is set")
        deadline = time.monotonic() + min(float(params.get("timeout", 30)), 30)
        while time.monotonic() < deadline:
            if self.queues[token]:
                return JSONResponse({"ok": True, "result": self.queues[token].popleft()})
            await asyncio.sleep(0.02)
        return _error(408, "Request timeout")

    async def _sendMessage(self, token: str, params: dict) -> JSONResponse:
        text = str(params.get("text", ""))
        if not 1 <= len(text) <= TEXT_LIMIT:
            return _error(400, "Text length must be between 1 and 2000 characters")
        record = {"chat_id": str(params.get("chat_id")), "text": text,
                  "message_id": f"bm{next(_ids)}", "date": int(time.time() * 1000)}
        self.sent[token].append(record)
        return JSONResponse({"ok": True, "result": {"message_id": record["message_id"],
                                                    "date": record["date"]}})

    async def _setWebhook(self, token: str, params: dict) -> JSONResponse:
        url, secret = str(params.get("url", "")), str(params.get("secret_token", ""))
        if not url.startswith("https://"):
            return _error(400, "Webhook url must be https")
        if not 8 <= len(secret) <= 256:
            return _error(400, "secret_token must be 8-256 characters")
        self.webhooks[token] = {"url": url, "secret_token": secret}
        return JSONResponse({"ok": True, "result": {"url": url}})

    async def _deleteWebhook(self, token: str, params: dict) -> JSONResponse:
        self.webhooks.pop(token, None)
        return JSONResponse({"ok": True, "result": {}})

    async def _getWebhookInfo(self, token: str, params: dict) -> JSONResponse:
        return JSONResponse({"ok": True, "result": {"url": self.webhooks.get(token, {})
                                                    .get("url", "")}})

    # ------------------------------------------------------------------ test routes
    async def inject(self, request: Request) -> JSONResponse:
        """What a user sends: queued for getUpdates, or POSTed to `deliver_to` with the
        registered secret (the real platform delivers to the https URL it was given)."""
        token = request.path_params["token"]
        body = await request.json()
        update = user_message(body["user_id"], body.get("text"), body.get("event_name"),
                              body.get("message_id"))
        target = body.get("deliver_to")
        if target:
            secret = body.get("secret", self.webhooks.get(token, {}).get("secret_token", ""))
            async with httpx.AsyncClient() as client:
                answer = await client.post(target, json=update,
                                           headers={"X-Bot-Api-Secret-Token": secret})
            return JSONResponse({"update": update, "status": answer.status_code})
        self.queues[token].append(update)
        return JSONResponse({"update": update})

    async def read_sent(self, request: Request) -> JSONResponse:
        token = request.path_params["token"]
        chat = request.query_params.get("chat_id")
        return JSONResponse([m for m in self.sent[token] if chat is None or
                             m["chat_id"] == chat])

    # ------------------------------------------------------------------ running
    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/bot{token}/{method}", self.method, methods=["GET", "POST"]),
            Route("/test/{token}/inject", self.inject, methods=["POST"]),
            Route("/test/{token}/sent", self.read_sent, methods=["GET"])])

    def start(self) -> None:
        self.server = uvicorn.Server(uvicorn.Config(self.app(), host="127.0.0.1",
                                                    port=self.port, log_level="warning"))
        threading.Thread(target=self.server.run, daemon=True).start()
        while not self.server.started:
            time.sleep(0.02)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True


def user_message(user_id: str, text: str | None, event_name: str | None = None,
                 message_id: str | None = None) -> dict:
    """A delivery as the platform reports it (unwrapped), `date` in milliseconds."""
    message = {"message_id": message_id or f"m{next(_ids)}", "date": int(time.time() * 1000),
               "from": {"id": str(user_id), "display_name": "Giáo viên", "is_bot": False},
               "chat": {"id": str(user_id), "chat_type": "PRIVATE"}}
    if text is not None:
        message["text"] = text
    return {"event_name": event_name or ("message.text.received" if text is not None else
                                         "message.unsupported.received"),
            "message": message}


async def _params(request: Request) -> dict:
    if request.method == "GET":
        return dict(request.query_params)
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class ZaloUser:
    """One Zalo account talking to the bot through the emulator."""

    def __init__(self, emulator: ZaloEmulator, token: str, user_id: str) -> None:
        self.emulator, self.token, self.user_id = emulator, token, user_id
        self.http = httpx.AsyncClient(base_url=emulator.url)

    async def say(self, text: str | None, message_id: str | None = None,
                  event_name: str | None = None) -> dict:
        answer = await self.http.post(f"/test/{self.token}/inject", json={
            "user_id": self.user_id, "text": text, "message_id": message_id,
            "event_name": event_name})
        return answer.json()["update"]

    async def messages(self) -> list[str]:
        answer = await self.http.get(f"/test/{self.token}/sent",
                                     params={"chat_id": self.user_id})
        return [m["text"] for m in answer.json()]

    async def wait_for(self, predicate, timeout: float = 10.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            said = await self.messages()
            if predicate(said):
                return said
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out; bot said: {await self.messages()}")

    async def close(self) -> None:
        await self.http.aclose()
