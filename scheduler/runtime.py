"""APScheduler 3 wiring: one scheduler per deployment, idempotent jobs, catch-up at start.

- Exactly one scheduler runs: with several web replicas on PostgreSQL, the one
  holding an advisory lock runs it (APScheduler 3 cannot share a job store
  between processes). Every job is idempotent anyway (outbox keys).
- Jobs have explicit ids and `replace_existing=True` (a restart does not add
  copies), are referenced by import path, coalesce missed runs and keep a grace
  of three days. Their triggers fire on every day that may be relevant; the job
  decides from the date (e.g. "the last two days of the month").
- At start-up every job runs once ("catch-up"): a fire time missed while the
  service was down is made good if still relevant, and never twice.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Connection, Engine, text
from sqlmodel import Session

from core.clock import VN_TZ, Clock
from core.config import get_settings
from scheduler import jobs

log = logging.getLogger(__name__)
LEADER_LOCK_KEY = 0x50D1E4  # the scheduler and the Telegram outbox sender
ZALO_SENDER_LOCK_KEY = 0x50D1E5  # the Zalo outbox sender (may lead in another replica)
LEADER_RETRY_SECONDS = 3.0


@dataclass(frozen=True)
class JobSpec:
    id: str
    run: Callable[[Session, Clock], int]
    trigger: CronTrigger


def _cron(**fields) -> CronTrigger:
    return CronTrigger(timezone=VN_TZ, **fields)


JOBS = [
    JobSpec("reminders-monthly", lambda s, c: jobs.entry_reminders(s, c, "monthly"),
            _cron(day="28-31", hour=8)),
    JobSpec("reminders-weekly-friday", lambda s, c: jobs.entry_reminders(s, c, "weekly"),
            _cron(day_of_week="fri", hour=15)),
    JobSpec("reminders-weekly-saturday", lambda s, c: jobs.entry_reminders(s, c, "weekly"),
            _cron(day_of_week="sat", hour=8)),
    JobSpec("absence-prompts", jobs.absence_prompts, _cron(day="1-5", hour=7)),
    JobSpec("absence-reminders", jobs.absence_reminders, _cron(day="3-10", hour=7, minute=30)),
    JobSpec("absence-close", jobs.close_absence_months, _cron(day="5-10", hour=23, minute=30)),
    JobSpec("absence-status", jobs.admin_absence_status, _cron(day="5-10", hour=9)),
    JobSpec("lock-notices", jobs.lock_notices, _cron(hour="7,12,17")),
    JobSpec("digests", jobs.progress_digests, _cron(day=1, hour=7, minute=15)),
    JobSpec("account-hygiene", jobs.account_hygiene, _cron(day=1, hour=8, minute=15)),
    JobSpec("expire-corrections", jobs.expire_corrections, _cron(hour=6)),
    JobSpec("unlock-close", jobs.close_unlock_windows, _cron(minute=5)),
    JobSpec("audit-verify", jobs.verify_audit,
            _cron(hour=get_settings().audit_verify_hour, minute=10)),
]
BY_ID = {spec.id: spec for spec in JOBS}


class Runtime:
    """What the job functions need, set once per process by `start`."""

    engine: Engine | None = None
    clock: Clock | None = None


def run_job(job_id: str) -> int:
    """The function APScheduler calls (by import path), with the job's id."""
    with Session(Runtime.engine, expire_on_commit=False) as session:
        return BY_ID[job_id].run(session, Runtime.clock)


def catch_up() -> dict[str, int]:
    """Run every job once now; each does only what is still relevant today."""
    return {spec.id: run_job(spec.id) for spec in JOBS}


def build_scheduler(engine: Engine, clock: Clock) -> AsyncIOScheduler:
    Runtime.engine, Runtime.clock = engine, clock
    scheduler = AsyncIOScheduler(timezone=VN_TZ, job_defaults={
        "coalesce": True, "misfire_grace_time": 3 * 24 * 3600, "max_instances": 1})
    register_jobs(scheduler)
    return scheduler


def register_jobs(scheduler: AsyncIOScheduler) -> None:
    """Add or replace every job: running this again (a restart) adds no copies."""
    for spec in JOBS:
        scheduler.add_job("scheduler.runtime:run_job", spec.trigger, args=[spec.id], id=spec.id,
                          name=spec.id, replace_existing=True)


def acquire_leadership(engine: Engine, key: int = LEADER_LOCK_KEY) -> Connection | None:
    """The connection holding the advisory lock `key`, or None when another process has it.

    SQLite deployments are single-process, so they always lead.
    """
    if engine.dialect.name != "postgresql":
        return engine.connect()
    connection = engine.connect()
    got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
    connection.commit()
    if got:
        return connection
    connection.close()
    return None


def _alive(connection: Connection) -> bool:
    try:
        connection.execute(text("SELECT 1"))
        connection.commit()
        return True
    except Exception:  # the lock went with the connection
        return False


async def lead(engine: Engine, key: int, work: Callable[[], Awaitable[None]],
               retry: float = LEADER_RETRY_SECONDS, on_lead: Callable[[], None] | None = None,
               ) -> None:
    """Run `work()` only while this process holds the advisory lock `key`: replicas wait,
    trying every `retry` seconds, and one takes over within three times that when the
    leader dies (PostgreSQL releases a session lock with its connection).

    A leader checks its lock connection every `retry` seconds and stops its work when the
    connection is gone. A new leader can get the lock the moment the old connection dies,
    before the old leader's next check: so it waits two check intervals before starting,
    and the old leader has stopped by then. A process stalled longer than that (a frozen
    VM) could still overlap; what must happen once is fenced by the database itself
    (outbox leases, conditional updates), not by this wait."""
    while True:
        connection = await asyncio.to_thread(acquire_leadership, engine, key)
        if connection is None:
            await asyncio.sleep(retry)
            continue
        if engine.dialect.name == "postgresql":
            await asyncio.sleep(2 * retry)
            if not await asyncio.to_thread(_alive, connection):
                await asyncio.to_thread(connection.close)
                continue
        if on_lead is not None:
            on_lead()
        task = asyncio.create_task(work())
        try:
            while not task.done() and await asyncio.to_thread(_alive, connection):
                await asyncio.wait({task}, timeout=retry)
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            await asyncio.to_thread(connection.close)
        if task.done() and not task.cancelled() and task.exception() is None:
            return
        log.warning("leadership %s lost; waiting to lead again", key)


async def run_scheduler(engine: Engine, clock: Clock) -> None:
    """The scheduler alone (no Telegram bot in this deployment), until cancelled; run it
    through `lead` so that one replica does."""
    scheduler = build_scheduler(engine, clock)
    scheduler.start()
    catch_up()
    log.info("this process leads: it runs the scheduler")
    try:
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
