"""The year-end archive's progress lives in the database: a replica other than the one
building it shows it, two presses at once (on two replicas) start one build, a build
whose process died is closed so the school can start again, and a school sees only its
own builds."""

import threading
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from admin.status_app import create_app
from core.clock import SystemClock
from core.config import Settings
from models import ArchiveJob, Staff
from services import archive_jobs
from services.demo_school import build_demo_school
from tests.admin_helpers import csrf_of, downloaded_archive, give_passwords, sign_in


def _code(engine, staff_id: int) -> str:
    with Session(engine) as session:
        return session.get(Staff, staff_id).code


def test_the_archive_started_on_one_replica_is_followed_on_another(db, school, clock,
                                                                     tmp_path):
    engine, _ = db
    give_passwords(engine, clock, school.office_id)
    settings = Settings(secret_key="khoa-chung-cua-cac-ban-sao", data_dir=tmp_path)
    with TestClient(create_app(engine, settings, clock=clock)) as first, \
            TestClient(create_app(engine, settings, clock=clock)) as second:
        sign_in(first, _code(engine, school.office_id))
        token = csrf_of(first, "/admin/printing")
        second.cookies.update(first.cookies)  # the proxy sends the next request elsewhere
        started = first.post("/admin/printing/archive", data={"csrf": token, "draft": "1"},
                             follow_redirects=False)
        job_url = started.headers["location"]
        again = second.post("/admin/printing/archive", data={"csrf": token, "draft": "1"},
                            follow_redirects=False)
        with Session(engine) as session:
            running = session.exec(select(ArchiveJob)).all()
        if running[0].finished_at is None:  # a second press while it runs: the same job
            assert again.headers["location"] == job_url
        assert "Lập lưu trữ cuối năm" in second.get(job_url).text
        assert job_url.rsplit("/", 1)[1] in second.get("/admin/printing").text
        archive = downloaded_archive(second, job_url)
    assert archive.status_code == 200 and archive.content[:2] == b"PK"


def test_two_presses_at_once_start_one_build(db, school):
    engine, _ = db
    clock, results, barrier = SystemClock(), [], threading.Barrier(8)

    def press() -> None:
        barrier.wait()
        with Session(engine, expire_on_commit=False) as session:
            job, new = archive_jobs.start(session, clock, school.school_id, "Lưu trữ", 4)
            results.append((job.id, new))

    threads = [threading.Thread(target=press) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(new for _, new in results) == 1
    assert len({job_id for job_id, _ in results}) == 1


def test_a_build_whose_process_died_is_closed_and_another_can_start(db, school):
    engine, _ = db
    clock = SystemClock()
    with Session(engine, expire_on_commit=False) as session:
        dead, _ = archive_jobs.start(session, clock, school.school_id, "Lưu trữ", 4)
        archive_jobs.advance(session, clock, dead.id)
        stalled = session.get(ArchiveJob, dead.id)
        stalled.heartbeat_at = clock.now() - archive_jobs.STALE - timedelta(seconds=1)
        session.add(stalled)
        session.commit()
        dead_id = dead.id
        fresh, new = archive_jobs.start(session, clock, school.school_id, "Lưu trữ", 4)
        session.expire_all()
        closed = session.get(ArchiveJob, dead_id)
        assert new and fresh.id != dead_id
    assert closed.finished_at is not None and "dừng giữa chừng" in closed.error
    assert closed.done == 1


def test_a_school_sees_only_its_own_builds(db, school):
    engine, _ = db
    clock = SystemClock()
    with Session(engine, expire_on_commit=False) as session:
        other = build_demo_school(session, seed=9, classes_per_grade=1, class_size=4,
                                  school_code="THCS-KHAC")
        theirs, _ = archive_jobs.start(session, clock, other.school_id, "Lưu trữ", 2)
        ours, _ = archive_jobs.start(session, clock, school.school_id, "Lưu trữ", 2)
        assert [j.id for j in archive_jobs.of_school(session, school.school_id)] == [ours.id]
        assert archive_jobs.find(session, school.school_id, theirs.id) is None
