"""Several `serve` replicas on one database: deliveries are claimed under a lease (SKIP
LOCKED on PostgreSQL) so two senders never send one twice; a dead sender's rows are settled
only after its lease; the scheduler and sender run in one elected leader, and another
replica takes over when the leader's connection dies."""

import asyncio
import secrets
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session, select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.outbox_sender import OutboxSender
from core.clock import VN_TZ, FixedClock
from models import Delivery
from models.db import make_engine
from scheduler.runtime import lead
from services import outbox

AT = datetime(2026, 11, 20, 10, 0, tzinfo=VN_TZ)


class CountingBot(Bot):
    """The real library talking to the emulator, counting what it sends per chat."""

    def __init__(self, *args, sent: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sent = sent

    async def send_message(self, chat_id, text, *args, **kwargs):
        self._sent.append((str(chat_id), text))
        return await super().send_message(chat_id, text, *args, **kwargs)


def _deliveries(engine, staff_id: int, count: int) -> None:
    with Session(engine) as session:
        session.add_all(Delivery(key=f"replica-test:{i}", channel="telegram",
                                 chat_id=str(700_000 + i), staff_id=staff_id,
                                 text=f"Nhắc nhập điểm số {i}", created_at=AT)
                        for i in range(count))
        session.commit()


async def test_two_senders_on_one_outbox_never_send_a_delivery_twice(db, school, emulator):
    engine, _ = db
    _deliveries(engine, school.admin_id, 200)
    token = f"{secrets.randbelow(10**9)}:TEST{secrets.token_hex(4)}"
    sent: list = []
    clock = FixedClock(AT)
    bots = [CountingBot(token, base_url=f"{emulator.url}/bot", sent=sent,
                        request=HTTPXRequest(connection_pool_size=8)) for _ in range(2)]
    async with bots[0], bots[1]:
        senders = [OutboxSender(bot, engine, clock, per_second=400, per_chat_interval=0)
                   for bot in bots]
        counts = await asyncio.gather(*(sender.drain() for sender in senders))
    assert sum(counts) == 200 and len(sent) == 200
    assert len({chat for chat, _ in sent}) == 200  # each delivery exactly once
    assert all(count > 0 for count in counts) or engine.dialect.name == "sqlite"
    with Session(engine) as session:
        statuses = session.exec(select(Delivery.status)).all()
    assert set(statuses) == {"sent"}


def test_only_rows_whose_lease_ran_out_are_settled(db, school):
    engine, _ = db
    _deliveries(engine, school.admin_id, 4)
    clock = FixedClock(AT)
    with Session(engine, expire_on_commit=False) as session:
        dead = outbox.claim_batch(session, clock, "dead-replica", limit=2)
        outbox.start_sending(session, clock, dead[0], "dead-replica")  # was mid-send
        live = outbox.claim_batch(session, clock, "live-replica", limit=2)
        outbox.start_sending(session, clock, live[0], "live-replica")
        assert {d.id for d in dead}.isdisjoint(d.id for d in live)
        assert outbox.settle_interrupted(session, clock) == 0  # leases still running
        # the dead replica's lease runs out; the live one renewed its own just now
        clock.move_to(AT + outbox.LEASE + timedelta(seconds=1))
        session.execute(text("UPDATE delivery SET lease_until = :t WHERE claimed_by = "
                             "'live-replica'"), {"t": clock.now() + outbox.LEASE})
        session.commit()
        assert outbox.settle_interrupted(session, clock) == 1
        session.expire_all()
        rows = {d.id: (d.status, d.claimed_by) for d in session.exec(select(Delivery))}
    assert rows[dead[0].id] == ("uncertain", "dead-replica")  # maybe delivered: never resent
    assert rows[dead[1].id] == ("pending", "")  # never started: any sender may take it
    assert rows[live[0].id] == ("sending", "live-replica")
    assert rows[live[1].id] == ("claimed", "live-replica")
    with Session(engine, expire_on_commit=False) as session:
        # a sender whose claim was settled away does not send it
        assert not outbox.start_sending(session, clock, dead[1], "dead-replica")


async def test_a_replica_takes_over_when_the_leader_dies(db):
    engine, _ = db
    if engine.dialect.name != "postgresql":
        # SQLite is single-process: `serve` always leads there (and refuses replicas)
        return
    url = engine.url.render_as_string(hide_password=False)
    replicas = [make_engine(url) for _ in range(2)]
    running: list[str] = []  # every start of the leader's work, in order
    active: set[str] = set()
    most = 0

    def work(name: str):
        async def run() -> None:
            nonlocal most
            running.append(name)
            active.add(name)
            most = max(most, len(active))
            try:
                await asyncio.Event().wait()  # until cancelled
            finally:
                active.discard(name)
        return run

    tasks = [asyncio.create_task(lead(replicas[i], 4242, work(f"r{i}"), retry=0.2))
             for i in range(2)]
    try:
        for _ in range(50):
            if running:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.6)
        assert len(running) == 1 and len(active) == 1  # exactly one leader
        with engine.connect() as admin:  # the leader's connection dies (its host crashed)
            admin.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                "AND objid = 4242"))
            admin.commit()
        for _ in range(50):
            if len(running) == 2:
                break
            await asyncio.sleep(0.1)
        assert len(running) == 2 and len(active) == 1  # led again within seconds
        assert most == 1  # never two at once
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for replica in replicas:
            replica.dispose()


def test_serve_refuses_replicas_on_sqlite_and_with_polling_bots(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from admin.cli import app

    url = f"sqlite:///{tmp_path / 'mot.db'}"
    result = CliRunner().invoke(app, ["serve", "--workers", "2", "--database-url", url])
    assert result.exit_code == 2 and "SQLite chỉ phục vụ một tiến trình" in result.output
    monkeypatch.setenv("SODIEM_TELEGRAM_TOKEN", "1:TEST")
    monkeypatch.setenv("SODIEM_TELEGRAM_MODE", "polling")
    from core.config import get_settings
    get_settings.cache_clear()
    try:
        pg = "postgresql+psycopg://postgres@127.0.0.1:1/none"  # refused before connecting
        result = CliRunner().invoke(app, ["serve", "--workers", "3", "--database-url", pg])
        assert result.exit_code == 2 and "SODIEM_TELEGRAM_MODE=webhook" in result.output
    finally:
        get_settings.cache_clear()


def test_serve_with_two_workers_elects_one_scheduler(db, tmp_path):
    """The real command with --workers 2 on PostgreSQL: both answer, one holds the lock."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    import httpx

    from scheduler.runtime import LEADER_LOCK_KEY
    from tests.emulator.client import free_port

    engine, _ = db
    if engine.dialect.name != "postgresql":
        return
    root = Path(__file__).resolve().parent.parent
    port = free_port()
    url = engine.url.render_as_string(hide_password=False)
    env = dict(os.environ, SODIEM_DATABASE_URL=url, SODIEM_DATA_DIR=str(tmp_path),
               SODIEM_TELEGRAM_TOKEN="", SODIEM_ZALO_TOKEN="",
               SODIEM_SECRET_KEY="khoa-chung-cua-cac-ban-sao")
    server = subprocess.Popen([sys.executable, "-m", "admin.cli", "serve", "--workers", "2",
                               "--port", str(port)], env=env, cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def leaders() -> int:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND objid = :k AND database = (SELECT oid FROM pg_database WHERE datname = "
                "current_database())"), {"k": LEADER_LOCK_KEY}).scalar()

    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200 \
                        and leaders() == 1:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        answers = [httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code
                   for _ in range(10)]
        assert answers == [200] * 10
        time.sleep(1.5)  # the other worker has tried for the lock more than once by now
        assert leaders() == 1
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    assert "2 tiến trình phục vụ" in output, output
