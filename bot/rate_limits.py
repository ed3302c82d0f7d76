"""PTB's rate limiter, with the deployment's message budget in front of it.

`AIORateLimiter` keeps one process within 30 messages/s and a chat within its limits,
and waits out a 429; it cannot see the other replicas nor the leader's broadcast. Every
new message an answer sends first takes a token from `services.send_budget`. The outbox
sender takes its own (at the broadcast's lower priority) before calling the bot, and
marks the call so that it is not counted twice.
"""

from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from telegram.ext import AIORateLimiter, BaseRateLimiter

from services.send_budget import REPLY_NEED, Budget, acquire

MESSAGE_ENDPOINTS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "copyMessage",
    "forwardMessage"})
already_budgeted: ContextVar[bool] = ContextVar("already_budgeted", default=False)


class DeploymentRateLimiter(BaseRateLimiter[dict]):
    def __init__(self, budget: Budget, max_retries: int = 3) -> None:
        self.budget = budget
        self.inner = AIORateLimiter(max_retries=max_retries)

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]],
                              args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: dict | None) -> Any:
        if endpoint in MESSAGE_ENDPOINTS and not already_budgeted.get():
            await acquire(self.budget, REPLY_NEED)
        return await self.inner.process_request(callback, args, kwargs, endpoint, data,
                                                rate_limit_args)
