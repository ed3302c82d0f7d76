"""Work that must not hold up the event loop (the bot shares it): parsing an uploaded
file in a worker process that is killed when it runs too long, then the database part
in a thread."""

import asyncio
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any

from services.errors import DomainError

_pool: ProcessPoolExecutor | None = None


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:  # spawned, not forked: the web process runs threads (and the bot)
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
    return _pool


def _kill() -> None:
    global _pool
    if _pool is not None:
        for process in list(getattr(_pool, "_processes", {}).values()):
            process.kill()
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


async def in_process(work: Callable[..., Any], *args, seconds: float) -> Any:
    """`work(*args)` in the worker process; a DomainError it raises comes back as it is,
    and running past `seconds` stops it with a Vietnamese refusal."""
    loop = asyncio.get_running_loop()
    try:
        return await asyncio.wait_for(loop.run_in_executor(_executor(), work, *args),
                                      timeout=seconds)
    except TimeoutError:
        _kill()
        raise DomainError(f"Đọc tệp quá {int(seconds)} giây nên đã dừng, chưa nhập gì. Tệp "
                          "có thể quá lớn hoặc hỏng: chép dữ liệu sang tệp mẫu mới rồi thử "
                          "lại.") from None
    except BrokenProcessPool:
        _kill()
        raise DomainError("Không đọc được tệp (bộ đọc bị dừng đột ngột), chưa nhập gì. Chép "
                          "dữ liệu sang tệp mẫu mới rồi thử lại.") from None
