"""Walking a month with the clock: which messages each role gets, and when.

The jobs run at exactly the times their APScheduler triggers give, from 25
November to 12 December 2026, against a school with a few linked staff.
"""

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from core.clock import VN_TZ, FixedClock
from models import Absence, Delivery, Staff
from models.types import AbsenceStatus
from models.types import Session as DaySession
from scheduler import runtime
from services.absences import AbsenceReport, record_absences
from services.linking import create_invite, redeem_invite
from services.locks import LockScope, create_lock
from services.scores import ScoreBatch, enter_scores
from tests.helpers import class_named, student_ids, subject, teacher

START = datetime(2026, 11, 25, 0, 0, tzinfo=VN_TZ)
END = datetime(2026, 12, 12, 23, 59, tzinfo=VN_TZ)


def fire_times(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    times = []
    for spec in runtime.JOBS:
        previous, moment = None, spec.trigger.get_next_fire_time(None, start)
        while moment is not None and moment <= end:
            times.append((moment, spec.id))
            previous, moment = moment, spec.trigger.get_next_fire_time(moment, moment +
                                                                       timedelta(seconds=1))
            assert moment is None or moment > previous
    return sorted(times)


@pytest.fixture
def walked(db, session, school):
    engine, _ = db
    clock = FixedClock(START)
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    people = {"math": teacher(school, cls.id, math.id), "gvcn": school.homeroom[cls.id],
              "admin": school.admin_id, "principal": school.principal_id}
    for index, staff_id in enumerate(people.values()):
        code = create_invite(session, clock, school.admin_id, staff_id).code
        redeem_invite(session, clock, code, "telegram", str(9000 + index), str(9000 + index))
    ids = student_ids(session, cls.id)
    enter_scores(session, clock, people["math"], ScoreBatch(
        cls.id, math.id, school.term_ids[1], "TX1", {i: "8" for i in ids}))
    record_absences(session, clock, people["gvcn"], AbsenceReport(
        cls.id, date(2026, 11, 16), DaySession.MORNING, tuple(ids[:3])))
    create_lock(session, clock, executor_id=school.admin_id, decided_by_id=school.principal_id,
                scope=LockScope(school.year_id, class_id=cls.id),
                starts_at=datetime(2026, 12, 10, 17, 0, tzinfo=VN_TZ), reason="Khóa thử")
    runtime.Runtime.engine, runtime.Runtime.clock = engine, clock
    for moment, job_id in fire_times(START, END):
        clock.move_to(moment)
        runtime.run_job(job_id)
    with Session(engine) as check:
        rows = check.exec(select(Delivery).order_by(Delivery.id)).all()
        names = {s.id: s.full_name for s in check.exec(select(Staff))}
        statuses = check.exec(select(Absence.status)).all()
    return people, rows, names, statuses


def _for(rows, staff_id):
    return [(r.created_at.astimezone(VN_TZ), r.key, r.text, r.buttons) for r in rows
            if r.staff_id == staff_id]


def test_the_subject_teacher_is_reminded_on_the_last_two_days_of_the_month(walked):
    people, rows, _, _ = walked
    mine = [m for m in _for(rows, people["math"]) if m[1].startswith("remind:")]
    assert [m[0].date() for m in mine] == [date(2026, 11, 29), date(2026, 11, 30)]
    assert all(m[0].hour == 8 for m in mine)
    assert "Toán 6A1, cột TX2" in mine[0][2] and "Toán 6A1, cột TX1" not in mine[0][2]


def test_the_homeroom_teacher_gets_the_day_one_prompt_reminders_and_the_closing(walked):
    people, rows, _, statuses = walked
    mine = _for(rows, people["gvcn"])
    keys = [m[1].split(":")[0] for m in mine if m[1].startswith("absence")]
    assert keys == ["absence-prompt", "absence-remind", "absence-remind", "absence-closed"]
    prompt = next(m for m in mine if m[1].startswith("absence-prompt"))
    assert prompt[0] == datetime(2026, 12, 1, 7, 0, tzinfo=VN_TZ)
    assert '"ax:P:' in prompt[3] and "Tất cả có phép" in prompt[3]
    reminders = [m[0].date() for m in mine if m[1].startswith("absence-remind")]
    assert reminders == [date(2026, 12, 3), date(2026, 12, 5)]
    closing = next(m for m in mine if m[1].startswith("absence-closed"))
    assert closing[0] == datetime(2026, 12, 5, 23, 30, tzinfo=VN_TZ)
    assert "3 lượt chưa xác nhận" in closing[2]
    assert statuses == [AbsenceStatus.UNEXCUSED] * 3


def test_the_admin_sees_the_confirmation_status_on_days_5_to_10_and_hygiene(walked):
    people, rows, _, _ = walked
    mine = _for(rows, people["admin"])
    status_days = [m[0].day for m in mine if m[1].startswith("absence-status")]
    assert status_days == [5, 6, 7, 8, 9, 10]
    hygiene = [m for m in mine if m[1].startswith("hygiene")]
    assert len(hygiene) == 1 and "chưa liên kết bot" in hygiene[0][2]


def test_the_principal_gets_one_monthly_digest(walked):
    people, rows, names, _ = walked
    digests = [m for m in _for(rows, people["principal"]) if m[1].startswith("digest")]
    assert len(digests) == 1 and digests[0][0].date() == date(2026, 12, 1)
    assert names[people["math"]] in digests[0][2]


def test_lock_notices_come_once_before_and_once_at_the_lock(walked):
    people, rows, _, _ = walked
    notices = [m for m in _for(rows, people["math"]) if m[1].startswith("lock:")]
    assert [m[1].split(":")[2] for m in notices] == ["before", "at"]
    assert notices[0][0].date() == date(2026, 12, 7)
    assert notices[1][0] == datetime(2026, 12, 10, 17, 0, tzinfo=VN_TZ)


def test_running_every_job_again_sends_nothing_new(walked, db):
    engine, _ = db
    _, rows, _, _ = walked
    assert sum(runtime.catch_up().values()) == 0
    with Session(engine) as check:
        assert len(check.exec(select(Delivery)).all()) == len(rows)


async def test_jobs_are_registered_once_with_explicit_ids_and_grace(db):
    engine, _ = db
    scheduler = runtime.build_scheduler(engine, FixedClock(START))
    scheduler.start(paused=True)
    runtime.register_jobs(scheduler)  # as after a restart
    ids = [job.id for job in scheduler.get_jobs()]
    assert sorted(ids) == sorted(spec.id for spec in runtime.JOBS)
    assert all(job.misfire_grace_time == 3 * 24 * 3600 and job.coalesce
               for job in scheduler.get_jobs())
    assert all(job.func_ref == "scheduler.runtime:run_job" for job in scheduler.get_jobs())
    scheduler.shutdown(wait=False)


def test_admins_with_an_old_password_are_reminded_once_a_month(db, school):
    from services.accounts import set_password

    engine, _ = db
    clock = FixedClock(datetime(2026, 5, 20, 9, 0, tzinfo=VN_TZ))
    with Session(engine, expire_on_commit=False) as session:
        set_password(session, clock, school.admin_id, "mat-khau-rat-cu-123")
        code = create_invite(session, clock, school.admin_id, school.admin_id).code
        redeem_invite(session, clock, code, "telegram", "7001", "7001")
    runtime.Runtime.engine, runtime.Runtime.clock = engine, clock
    clock.move_to(datetime(2026, 12, 1, 8, 15, tzinfo=VN_TZ))
    runtime.run_job("account-hygiene")
    runtime.run_job("account-hygiene")
    with Session(engine) as check:
        reminders = check.exec(select(Delivery).where(Delivery.key.startswith("password-age")))
        texts = [r.text for r in reminders]
    assert len(texts) == 1 and "đổi lần cuối 20/05/2026" in texts[0]
