"""A round-robin reverse proxy: what nginx's `upstream` block does in front of N `serve`
replicas (README, "District deployment"), small enough to start in a benchmark.

A replica that refuses the connection or drops it is skipped and the request goes to
the next one, like nginx's `proxy_next_upstream error`. Telegram's webhook updates are
safe to resend: every replica de-duplicates them by update id in the database.
Run: python -m bench.balancer PORT UPSTREAM [UPSTREAM …]
"""

import itertools
import sys

import httpx
import uvicorn

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class RoundRobin:
    def __init__(self, upstreams: list[str]) -> None:
        self.upstreams = [u.rstrip("/") for u in upstreams]
        self.turn = itertools.count()
        self.client: httpx.AsyncClient | None = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        body = await _body(receive)
        headers = [(k, v) for k, v in scope["headers"]
                   if k.decode("latin1").lower() not in HOP_BY_HOP]
        path = scope["path"] + (f"?{scope['query_string'].decode()}"
                                if scope["query_string"] else "")
        for _ in range(2 * len(self.upstreams)):
            target = self.upstreams[next(self.turn) % len(self.upstreams)]
            try:
                answer = await self.client.request(scope["method"], target + path,
                                                   content=body, headers=headers)
            except httpx.TransportError:
                continue
            await send({"type": "http.response.start", "status": answer.status_code,
                        "headers": [(k.encode(), v.encode()) for k, v in answer.headers.items()
                                    if k.lower() not in HOP_BY_HOP]})
            await send({"type": "http.response.body", "body": answer.content})
            return
        await send({"type": "http.response.start", "status": 502, "headers": []})
        await send({"type": "http.response.body", "body": b"no replica answered"})

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.client = httpx.AsyncClient(timeout=60, limits=httpx.Limits(
                    max_connections=200, max_keepalive_connections=50))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _body(receive) -> bytes:
    chunks, more = [], True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


if __name__ == "__main__":
    port, upstreams = int(sys.argv[1]), sys.argv[2:]
    uvicorn.run(RoundRobin(upstreams), host="127.0.0.1", port=port, log_level="warning")
