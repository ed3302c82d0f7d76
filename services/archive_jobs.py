"""Year-end archive jobs as rows, so that every replica shows the same progress.

One running job per school: a unique index over the school's unfinished job decides
between two presses (on two replicas, even), and the loser is shown the running one. The
process building a job moves `heartbeat_at` with every class; a job whose heartbeat has
stood still for `STALE` belonged to a process that died, and is closed as failed so the
school can start again. Finished jobs are forgotten after `KEEP`.
"""

import os
import secrets
import socket
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.clock import Clock
from models import ArchiveJob

STALE = timedelta(minutes=10)
KEEP = timedelta(days=1)
DIED = ("Không lập được lưu trữ: máy chủ đang lập đã dừng giữa chừng (mất kết nối hoặc khởi "
        "động lại). Bấm lập lại.")


def start(session: Session, clock: Clock, school_id: int, title: str,
          total: int) -> tuple[ArchiveJob, bool]:
    """A new job for the school, or (the running one, False)."""
    _close_dead(session, clock, school_id)
    now = clock.now()
    job = ArchiveJob(id=secrets.token_urlsafe(8), school_id=school_id, title=title,
                     total=total, owner=f"{socket.gethostname()[:60]}:{os.getpid()}",
                     started_at=now, heartbeat_at=now)
    try:
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:
        running = session.exec(select(ArchiveJob).where(
            ArchiveJob.school_id == school_id, ArchiveJob.finished_at.is_(None))).one()
        session.commit()
        return running, False
    session.commit()
    return job, True


def _close_dead(session: Session, clock: Clock, school_id: int) -> None:
    now = clock.now()
    session.execute(update(ArchiveJob).where(
        ArchiveJob.school_id == school_id, ArchiveJob.finished_at.is_(None),
        ArchiveJob.heartbeat_at < now - STALE).values(finished_at=now, error=DIED))


def advance(session: Session, clock: Clock, job_id: str) -> None:
    """One more class done; the job is alive."""
    session.execute(update(ArchiveJob).where(ArchiveJob.id == job_id,
                                             ArchiveJob.finished_at.is_(None))
                    .values(done=ArchiveJob.done + 1, heartbeat_at=clock.now()))
    session.commit()


def finish(session: Session, clock: Clock, job_id: str, result_path: str = "",
           error: str = "") -> None:
    session.execute(update(ArchiveJob).where(ArchiveJob.id == job_id,
                                             ArchiveJob.finished_at.is_(None))
                    .values(finished_at=clock.now(), result_path=result_path, error=error))
    session.commit()


def of_school(session: Session, school_id: int) -> list[ArchiveJob]:
    """The school's jobs, newest first."""
    return list(session.exec(select(ArchiveJob).where(ArchiveJob.school_id == school_id)
                             .order_by(ArchiveJob.started_at.desc())))


def find(session: Session, school_id: int, job_id: str) -> ArchiveJob | None:
    """The job named, if it is this school's (another school's is not found)."""
    job = session.get(ArchiveJob, job_id)
    return job if job is not None and job.school_id == school_id else None


def forget_old(session: Session, clock: Clock) -> list[str]:
    """Remove jobs finished more than KEEP ago; returns their ids (their folders go too)."""
    cutoff = clock.now() - KEEP
    old = list(session.exec(select(ArchiveJob.id).where(ArchiveJob.finished_at < cutoff)))
    session.execute(delete(ArchiveJob).where(ArchiveJob.id.in_(old)))
    session.commit()
    return old
