"""Starting the Bot API emulator and playing Telegram users against it over HTTP."""

import asyncio
import itertools
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

HERE = Path(__file__).parent
_message_ids = itertools.count(1000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    """telegram-test-api, patched by launch.js, as a child process on loopback."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    @staticmethod
    def unavailable() -> str | None:
        if shutil.which("node") is None:
            return "không có node trên máy này"
        if not (HERE / "node_modules" / "telegram-test-api").exists():
            return "telegram-test-api chưa cài (chạy npm install trong tests/emulator)"
        return None

    def start(self) -> None:
        self.process = subprocess.Popen(["node", str(HERE / "launch.js"), str(self.port)],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/botX/getMe", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the Bot API emulator did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)


class TelegramUser:
    """One person with a Telegram account, talking to one bot through the emulator."""

    def __init__(self, emulator_url: str, token: str, user_id: int,
                 first_name: str = "Giáo viên") -> None:
        self.url, self.token, self.user_id = emulator_url, token, user_id
        self.first_name = first_name
        self.http = httpx.AsyncClient(timeout=10)

    def _common(self) -> dict:
        return {"botToken": self.token, "date": int(time.time()), "message_id": next(_message_ids),
                "from": {"id": self.user_id, "is_bot": False, "first_name": self.first_name},
                "chat": {"id": self.user_id, "type": "private", "first_name": self.first_name}}

    async def say(self, text: str) -> None:
        message = {**self._common(), "text": text}
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"offset": 0, "length": len(command), "type": "bot_command"}]
            await self.http.post(f"{self.url}/sendCommand", json=message)
        else:
            await self.http.post(f"{self.url}/sendMessage", json=message)

    async def press(self, bot_message: dict, label: str) -> None:
        keyboard = bot_message["reply_markup"]["inline_keyboard"]
        data = next(b["callback_data"] for row in keyboard for b in row if b["text"] == label)
        await self.press_data(bot_message, data)

    async def press_data(self, bot_message: dict, data: str) -> None:
        # A button can only be pressed in one's own chat (a forwarded copy, if not ours).
        message = {k: bot_message[k] for k in ("message_id", "date", "text")}
        message["chat"] = self._common()["chat"]
        await self.http.post(f"{self.url}/sendCallback", json={
            **self._common(), "message": message, "data": data})

    async def bot_messages(self) -> list[dict]:
        response = await self.http.post(f"{self.url}/test/botMessages", json={"token": self.token})
        return [m for m in response.json()["result"] if str(m["chat"]["id"]) == str(self.user_id)]

    async def wait_for(self, predicate, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = await self.bot_messages()
            if predicate(messages):
                return messages
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out; bot said: {[m.get('text') for m in messages]}")

    async def close(self) -> None:
        await self.http.aclose()


def require_emulator() -> bool:
    return bool(os.environ.get("SODIEM_REQUIRE_EMULATOR"))
