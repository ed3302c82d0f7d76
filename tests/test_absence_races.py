"""P/K confirmations and month closing under races, on both backends."""

import threading
from datetime import date, datetime

from sqlmodel import Session, func, select

from core.clock import VN_TZ, FixedClock
from models import Absence, AbsenceMonthClosing, AuditCheckpoint, AuditEntry
from models.types import AbsenceStatus
from models.types import Session as DaySession
from services import audit_verification
from services.absences import AbsenceReport, close_month, confirm_absences, record_absences
from services.errors import DomainError, Locked
from tests.helpers import class_named, student_ids

NOVEMBER = date(2026, 11, 1)


def _race(engine, actions) -> list:
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(index: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            try:
                outcomes[index] = actions[index](session)
            except DomainError as error:
                outcomes[index] = error
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _november_absences(session, school, clock, count=5):
    cls = class_named(session, "6A1")
    ids = tuple(student_ids(session, cls.id)[:count])
    rows = record_absences(session, clock, school.homeroom[cls.id],
                           AbsenceReport(cls.id, date(2026, 11, 16), DaySession.MORNING, ids))
    return cls, rows


def _december(clock):
    return FixedClock(datetime(2026, 12, 5, 23, 30, tzinfo=VN_TZ))


def test_five_simultaneous_closings_close_the_month_once(db, session, school, clock):
    engine, _ = db
    cls, rows = _november_absences(session, school, clock)
    later = _december(clock)
    outcomes = _race(engine, [lambda s: close_month(s, later, cls.id, NOVEMBER)] * 5)
    assert all(isinstance(o, AbsenceMonthClosing) for o in outcomes), outcomes
    session.expire_all()
    assert len(session.exec(select(AbsenceMonthClosing)).all()) == 1
    turned = session.exec(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "absence.auto_unexcused")).one()
    assert turned == len(rows)
    assert len(session.exec(select(AuditCheckpoint)).all()) == 1
    assert audit_verification.check(session).ok


def test_a_confirmation_racing_the_closing_is_either_before_it_or_refused(db, session, school,
                                                                          clock):
    """Twelve trials: four classes × September, October, November."""
    engine, _ = db
    later = _december(clock)
    for name in ("6A1", "7A1", "8A1", "9A1"):
        cls = class_named(session, name)
        homeroom, pupil = school.homeroom[cls.id], student_ids(session, cls.id)[0]
        for day, first in ((date(2026, 9, 15), date(2026, 9, 1)),
                           (date(2026, 10, 15), date(2026, 10, 1)),
                           (date(2026, 11, 16), NOVEMBER)):
            (absence,) = record_absences(session, clock, homeroom, AbsenceReport(
                cls.id, day, DaySession.AFTERNOON, (pupil,)))
            outcomes = _race(engine, [
                lambda s, a=absence.id, h=homeroom: confirm_absences(
                    s, later, h, {a: AbsenceStatus.EXCUSED}),
                lambda s, c=cls.id, m=first: close_month(s, later, c, m)])
            session.expire_all()
            stored = session.get(Absence, absence.id)
            if isinstance(outcomes[0], Locked):
                assert stored.status == AbsenceStatus.UNEXCUSED
            else:
                assert not isinstance(outcomes[0], DomainError), outcomes
                assert stored.status == AbsenceStatus.EXCUSED
            assert isinstance(outcomes[1], AbsenceMonthClosing)
    assert audit_verification.check(session).ok


def test_confirmations_after_the_closing_are_refused(db, session, school, clock):
    cls, rows = _november_absences(session, school, clock)
    later = _december(clock)
    close_month(session, later, cls.id, NOVEMBER)
    try:
        confirm_absences(session, later, school.homeroom[cls.id],
                         {rows[0].id: AbsenceStatus.EXCUSED})
    except Locked as refusal:
        assert "đã chốt" in refusal.message
    else:
        raise AssertionError("a confirmation after closing was accepted")
    session.expire_all()
    assert session.get(Absence, rows[0].id).status == AbsenceStatus.UNEXCUSED
