"""Shared by the benchmarks: throw-away databases and percentile printing."""

import os
import statistics
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from tests.databases import PostgresFactory, SqliteFactory

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def backends() -> list[str]:
    wanted = os.environ.get("SODIEM_BENCH_BACKENDS", "sqlite,postgresql")
    return [b for b in wanted.split(",") if b]


@contextmanager
def fresh_database(backend: str) -> Iterator[Engine]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            _, engine = SqliteFactory(Path(folder)).create()
            yield engine
            engine.dispose()
        return
    url = os.environ.get("SODIEM_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    factory = PostgresFactory(url)
    _, engine = factory.create()
    try:
        yield engine
    finally:
        engine.dispose()
        factory.drop_all()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary_ms(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"{label}: n={len(ms)} p50={percentile(ms, .5):.1f} ms "
            f"p95={percentile(ms, .95):.1f} ms p99={percentile(ms, .99):.1f} ms "
            f"mean={statistics.fmean(ms):.1f} ms")


def timed(action: Callable[[], object]) -> tuple[float, object]:
    import time

    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result
