"""Every database test runs on SQLite and on a real PostgreSQL.

Each test gets its own fresh copy of a small seeded demo school: a copied
SQLite file, or a PostgreSQL database cloned from a template created once per
run. PostgreSQL runs are skipped, with the reason shown, when
SODIEM_TEST_POSTGRES_URL is unset; CI sets it.
"""

import os
import secrets
from collections.abc import Iterator
from datetime import datetime

import pytest

# Every test process seals the audit log with the same key (the CLI tests inherit it).
os.environ.setdefault("SODIEM_AUDIT_KEY", "test-audit-key-0123456789abcdef")
os.environ.pop("SODIEM_DEMO_MODE", None)
from sqlmodel import Session

from core.clock import VN_TZ, FixedClock
from services.demo_school import DemoSchool, build_demo_school
from tests.databases import PostgresFactory, SqliteFactory, postgres_admin_url, seeded_template
from tests.emulator.client import Emulator, require_emulator

CLASSES_PER_GRADE, CLASS_SIZE = 1, 40


def _seed(engine) -> DemoSchool:
    with Session(engine, expire_on_commit=False) as session:
        return build_demo_school(session, seed=7, classes_per_grade=CLASSES_PER_GRADE,
                                 class_size=CLASS_SIZE)


def _seed_thpt(engine) -> DemoSchool:
    """A THPT school: grades 10–12, three classes a grade with three combinations."""
    with Session(engine, expire_on_commit=False) as session:
        return build_demo_school(session, seed=11, classes_per_grade=3, class_size=12,
                                 level="THPT")


def _sqlite(tmp_path_factory, seed):
    factory = SqliteFactory(tmp_path_factory.mktemp("sqlite"))
    path, engine = factory.create()
    return factory, path, seeded_template(engine, seed)


def _postgres(seed):
    url = postgres_admin_url()
    if url is None and os.environ.get("SODIEM_REQUIRE_POSTGRES"):
        pytest.fail("SODIEM_REQUIRE_POSTGRES is set but SODIEM_TEST_POSTGRES_URL is not")
    if url is None:
        pytest.skip("SODIEM_TEST_POSTGRES_URL chưa đặt: bỏ qua các phép thử trên PostgreSQL")
    factory = PostgresFactory(url)
    name, engine = factory.create()
    demo = seeded_template(engine, seed)
    yield factory, name, demo
    factory.drop_all()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    return _sqlite(tmp_path_factory, _seed)


@pytest.fixture(scope="session")
def postgres_template():
    yield from _postgres(_seed)


@pytest.fixture(scope="session")
def thpt_sqlite_template(tmp_path_factory):
    return _sqlite(tmp_path_factory, _seed_thpt)


@pytest.fixture(scope="session")
def thpt_postgres_template():
    yield from _postgres(_seed_thpt)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


def _copy(request, backend: str, prefix: str = "") -> Iterator[tuple]:
    if backend == "sqlite":
        factory, path, demo = request.getfixturevalue(f"{prefix}sqlite_template")
        _, engine = factory.create(template=path)
        yield engine, demo
        engine.dispose()
    else:
        factory, template, demo = request.getfixturevalue(f"{prefix}postgres_template")
        name, engine = factory.create(template=template)
        yield engine, demo
        engine.dispose()
        factory.drop(name)


@pytest.fixture
def db(request, backend) -> Iterator[tuple]:
    """(engine, demo) for a fresh copy of the seeded school on the chosen backend."""
    yield from _copy(request, backend)


@pytest.fixture
def thpt_db(request, backend) -> Iterator[tuple]:
    """(engine, demo) for a fresh copy of the seeded THPT school on the chosen backend."""
    yield from _copy(request, backend, "thpt_")


@pytest.fixture
def session(db) -> Iterator[Session]:
    engine, _ = db
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def school(db) -> DemoSchool:
    return db[1]


@pytest.fixture
def clock() -> FixedClock:
    """Friday 20 November 2026, 10:00 in Hà Nội time: inside term I."""
    return FixedClock(datetime(2026, 11, 20, 10, 0, tzinfo=VN_TZ))


@pytest.fixture(scope="session")
def emulator():
    """The Bot API emulator, one per test run; skipped (failed in CI) without node."""
    reason = Emulator.unavailable()
    if reason and require_emulator():
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)
    emulator = Emulator()
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def e2e(request, emulator, clock):
    """(engine, demo school, emulator, a fresh bot token) on a copy of the SQLite school."""
    factory, path, demo = request.getfixturevalue("sqlite_template")
    _, engine = factory.create(template=path)
    yield engine, demo, emulator, f"{secrets.randbelow(10**9)}:TEST{secrets.token_hex(4)}"
    engine.dispose()


def pytest_terminal_summary(terminalreporter) -> None:
    """One line per reason a test was skipped, not one per test."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items()):
        terminalreporter.write_line(f"bỏ qua {count} phép thử — {reason}")
