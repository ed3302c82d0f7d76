"""Roll call: recording absences, the GVCN's P/K confirmation, closing a month.

The seeds' cycle (001, §II.2): absences are recorded during the month; from the
1st to the 5th the GVCN confirms each as P (có phép) or K (không phép); at the
end of the 5th the month is closed and what is still unconfirmed counts as K.
After closing, a change needs the correction procedure.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from core.clock import Clock, today
from models import Absence, AbsenceMonthClosing, SchoolClass, SchoolYear, Term
from models.types import AbsenceStatus, Role
from models.types import Session as DaySession
from services import audit, audit_checkpoints, transactions
from services.errors import DomainError, InvalidBatch, LineProblem, Locked, PermissionDenied
from services.locks import attendance_lock, refuse_if_locked
from services.permissions import active_staff, is_homeroom_of, roles_of, teaches
from services.school import get_or_fail, roster
from services.scoping import school_of_class

_CLASS_LOCK_KEY = 0x50D1E5  # with a class id: one class's attendance, on PostgreSQL


@dataclass(frozen=True)
class AbsenceReport:
    class_id: int
    day: date
    session: DaySession
    student_ids: tuple[int, ...]


def record_absences(session: Session, clock: Clock, actor_id: int, report: AbsenceReport,
                    via: str = "") -> list[Absence]:
    school_class = get_or_fail(session, SchoolClass, report.class_id, "lớp")
    _require_recorder(session, actor_id, school_class)
    _check_day(session, clock, school_class, report.day)
    _refuse_if_closed(session, school_class, report.day)
    problems = _absence_problems(session, school_class, report)
    if problems:
        raise InvalidBatch(f"Chưa ghi vắng: {len(problems)} dòng cần sửa.", problems)
    now = clock.now()
    rows = [Absence(student_id=s, class_id=school_class.id, day=report.day,
                    session=report.session, status=AbsenceStatus.UNCONFIRMED,
                    recorded_by_id=actor_id, recorded_at=now) for s in report.student_ids]
    session.add_all(rows)
    session.flush()
    changes = [audit.Change("absence.record", "absence", a.id, None, _snapshot(a)) for a in rows]
    audit.append_many(session, clock, actor_id=actor_id, changes=changes, via=via)
    session.commit()
    return rows


def _require_recorder(session: Session, actor_id: int, school_class: SchoolClass) -> None:
    active_staff(session, actor_id)
    if is_homeroom_of(session, actor_id, school_class) or teaches(session, actor_id,
                                                                  school_class.id):
        return
    if Role.SUPERVISOR in roles_of(session, actor_id):
        return
    raise PermissionDenied(f"Chỉ GVCN, giáo viên dạy lớp {school_class.name} hoặc giám thị "
                            "được ghi vắng cho lớp này.")


def _check_day(session: Session, clock: Clock, school_class: SchoolClass, day: date) -> None:
    year = session.get(SchoolYear, school_class.year_id)
    if day > today(clock):
        raise DomainError(f"Ngày {day:%d/%m/%Y} chưa tới. Chỉ ghi vắng cho hôm nay hoặc "
                          "những ngày đã qua.")
    if not (year.start_date <= day <= year.end_date):
        raise DomainError(f"Ngày {day:%d/%m/%Y} nằm ngoài năm học {year.name}.")
    term = _term_of(session, year.id, day)
    refuse_if_locked(session, attendance_lock(session, clock.now(), year.id,
                                              term.id if term else None, school_class.id, day))


def _term_of(session: Session, year_id: int, day: date) -> Term | None:
    return session.exec(select(Term).where(Term.year_id == year_id, Term.start_date <= day,
                                           Term.end_date >= day)).first()


def _refuse_if_closed(session: Session, school_class: SchoolClass, day: date) -> None:
    if month_closing(session, school_class.id, day) is not None:
        raise Locked(f"Điểm danh tháng {day:%m/%Y} của lớp {school_class.name} đã chốt. "
                     "Muốn thay đổi, gửi yêu cầu sửa để Ban giám hiệu duyệt.")


def month_closing(session: Session, class_id: int, day: date) -> AbsenceMonthClosing | None:
    return session.exec(select(AbsenceMonthClosing).where(
        AbsenceMonthClosing.class_id == class_id,
        AbsenceMonthClosing.month == day.replace(day=1))).first()


def _absence_problems(session: Session, school_class: SchoolClass,
                      report: AbsenceReport) -> list[LineProblem]:
    if not report.student_ids:
        return [LineProblem("Danh sách", "chưa có học sinh nào vắng.")]
    enrolled = {line.student.id: line for line in roster(session, school_class.id, report.day)}
    recorded = set(session.exec(select(Absence.student_id).where(
        Absence.day == report.day, Absence.session == report.session,
        Absence.student_id.in_(report.student_ids))).all())
    problems = []
    for student_id in report.student_ids:
        line = enrolled.get(student_id)
        if line is None:
            problems.append(LineProblem(f"HS mã {student_id}",
                                        f"không học lớp {school_class.name} ngày "
                                        f"{report.day:%d/%m/%Y}."))
        elif student_id in recorded:
            problems.append(LineProblem(f"{line.roll_number}. {line.student.full_name}",
                                        "đã được ghi vắng buổi này rồi."))
    return problems


def confirm_absences(session: Session, clock: Clock, actor_id: int,
                     decisions: Mapping[int, AbsenceStatus], via: str = "") -> list[Absence]:
    """The GVCN marks absences of their own class P or K (before the month closes).

    Against a month being closed at the same moment: on PostgreSQL the class's lock
    serialises the two; on SQLite the closed check is repeated after the writes, when
    this transaction holds the database's write lock."""
    if not decisions:
        raise DomainError("Chưa chọn buổi vắng nào để xác nhận.")
    rows = [get_or_fail(session, Absence, absence_id, "buổi vắng") for absence_id in decisions]
    for class_id in sorted({a.class_id for a in rows}):
        _lock_class(session, class_id)
    changes = []
    for absence in rows:
        school_class = session.get(SchoolClass, absence.class_id)
        if not is_homeroom_of(session, actor_id, school_class):
            raise _not_homeroom(school_class)
        _refuse_if_closed(session, school_class, absence.day)
        status = AbsenceStatus(decisions[absence.id])
        if status == AbsenceStatus.UNCONFIRMED:
            raise DomainError("Chỉ xác nhận được P (có phép) hoặc K (không phép).")
        old = _snapshot(absence)
        absence.status, absence.confirmed_by_id = status, actor_id
        absence.confirmed_at = clock.now()
        changes.append(audit.Change("absence.confirm", "absence", absence.id, old,
                                    _snapshot(absence)))
    session.add_all(rows)
    _commit_unless_closed(session, clock, actor_id, changes, via,
                          {(a.class_id, a.day) for a in rows})
    return rows


def _commit_unless_closed(session: Session, clock: Clock, actor_id: int,
                          changes: list[audit.Change], via: str,
                          class_days: set[tuple[int, date]]) -> None:
    """Flush, check again that no month was closed meanwhile (this transaction now holds
    the write lock), audit and commit — or roll everything back."""
    try:
        session.flush()
        for class_id, day in class_days:
            _refuse_if_closed(session, session.get(SchoolClass, class_id), day)
        audit.append_many(session, clock, actor_id=actor_id, changes=changes, via=via)
        transactions.commit(session)
    except Exception:
        transactions.rollback(session)
        raise


def _lock_class(session: Session, class_id: int) -> None:
    """Serialise attendance changes of one class until this transaction ends (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:k, :c)")
                     .bindparams(k=_CLASS_LOCK_KEY, c=class_id))


def _not_homeroom(school_class: SchoolClass) -> PermissionDenied:
    return PermissionDenied(f"Chỉ GVCN lớp {school_class.name} được xác nhận vắng có phép/"
                            "không phép của lớp này.")


def close_month(session: Session, clock: Clock, class_id: int, month: date,
                actor_id: int | None = None, via: str = "") -> AbsenceMonthClosing:
    """Unconfirmed absences of the month become K; idempotent (a second call, or one
    racing this one, changes nothing). The closing row is written first: its unique key
    decides the race, and the unconfirmed absences are read after it, under the lock."""
    month = month.replace(day=1)
    existing = month_closing(session, class_id, month)
    if existing is not None:
        return existing
    _lock_class(session, class_id)
    closing = AbsenceMonthClosing(class_id=class_id, month=month, closed_at=clock.now(),
                                  closed_by_id=actor_id)
    try:
        session.add(closing)
        session.flush()
    except IntegrityError:
        session.rollback()
        return month_closing(session, class_id, month)
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    pending = session.exec(select(Absence).where(
        Absence.class_id == class_id, Absence.day >= month, Absence.day < next_month,
        Absence.status == AbsenceStatus.UNCONFIRMED)
        .execution_options(populate_existing=True)).all()
    changes = []
    for absence in pending:
        old = _snapshot(absence)
        absence.status, absence.confirmed_at = AbsenceStatus.UNEXCUSED, clock.now()
        changes.append(audit.Change("absence.auto_unexcused", "absence", absence.id, old,
                                    _snapshot(absence)))
    session.add_all(pending)
    changes.append(audit.Change("absence.close_month", "absence_month", closing.id, None,
                                {"class_id": class_id, "month": month,
                                 "auto_unexcused": len(pending)}))
    school_id = school_of_class(session, class_id)
    audit.append_many(session, clock, actor_id=actor_id, changes=changes, via=via,
                      school_id=school_id)
    audit_checkpoints.write(session, clock, f"chốt điểm danh tháng {month:%m/%Y} lớp mã "
                                            f"{class_id}", school_id)
    session.commit()
    return closing


def absence_counts(session: Session, student_ids: Iterable[int], start: date,
                   end: date) -> dict[int, int]:
    """Sessions missed per student (P and K together), as promotion counts them."""
    rows = session.exec(select(Absence.student_id, func.count()).where(
        Absence.student_id.in_(list(student_ids)), Absence.day >= start, Absence.day <= end)
        .group_by(Absence.student_id)).all()
    return dict(rows)


def _snapshot(absence: Absence) -> dict:
    return {"student_id": absence.student_id, "day": absence.day,
            "session": absence.session, "status": absence.status}



def find_absence(session: Session, student_id: int, day: date, part: str) -> Absence | None:
    return session.exec(select(Absence).where(Absence.student_id == student_id,
                                              Absence.day == day,
                                              Absence.session == part)).first()


@dataclass(frozen=True)
class AbsenceMarks:
    """One message's absences: each student, with P/K when the GVCN gives it (None: only
    recorded, to be confirmed by the GVCN at the start of next month)."""

    class_id: int
    day: date
    session: DaySession
    marks: Mapping[int, AbsenceStatus | None]


def check_day(session: Session, clock: Clock, class_id: int, day: date) -> None:
    """A day absences may be recorded for: in the school year, not ahead, not a Sunday,
    not locked or closed."""
    school_class = get_or_fail(session, SchoolClass, class_id, "lớp")
    _check_day(session, clock, school_class, day)
    if day.weekday() == 6:
        raise DomainError(f"Ngày {day:%d/%m/%Y} là Chủ nhật, không có buổi học.")


def absence_problems(session: Session, clock: Clock, actor_id: int,
                     request: AbsenceMarks) -> list[LineProblem]:
    """Everything that would refuse these marks, found before anything is written (the
    preview asks this too, so the teacher hears it before pressing Xác nhận)."""
    school_class = get_or_fail(session, SchoolClass, request.class_id, "lớp")
    _require_recorder(session, actor_id, school_class)
    check_day(session, clock, school_class.id, request.day)
    homeroom = is_homeroom_of(session, actor_id, school_class)
    if any(request.marks.values()) and not homeroom:
        raise _not_homeroom(school_class)
    _refuse_if_closed(session, school_class, request.day)
    enrolled = {line.student.id: line for line in roster(session, school_class.id, request.day)}
    existing = {a.student_id: a for a in session.exec(select(Absence).where(
        Absence.day == request.day, Absence.session == request.session,
        Absence.student_id.in_(list(request.marks))))}
    problems = []
    for student_id, status in request.marks.items():
        line = enrolled.get(student_id)
        if line is None:
            problems.append(LineProblem(f"HS mã {student_id}", f"không học lớp "
                                        f"{school_class.name} ngày {request.day:%d/%m/%Y}."))
        elif student_id in existing and status in (None, existing[student_id].status):
            shown = existing[student_id].status
            problems.append(LineProblem(f"{line.roll_number}. {line.student.full_name}",
                                        f"đã ghi vắng buổi này rồi ({shown})."))
    return problems


def mark_absences(session: Session, clock: Clock, actor_id: int, request: AbsenceMarks,
                  via: str = "") -> list[Absence]:
    """New absences are recorded (with P/K if given); already recorded ones get their P/K.
    All in one transaction, audited, or nothing."""
    problems = absence_problems(session, clock, actor_id, request)
    if problems:
        raise InvalidBatch(f"Chưa ghi vắng: {len(problems)} dòng cần sửa.", problems)
    _lock_class(session, request.class_id)
    now, changes, rows = clock.now(), [], []
    existing = {a.student_id: a for a in session.exec(select(Absence).where(
        Absence.day == request.day, Absence.session == request.session,
        Absence.student_id.in_(list(request.marks))))}
    try:
        for student_id, status in request.marks.items():
            row = existing.get(student_id)
            if row is None:
                row = Absence(student_id=student_id, class_id=request.class_id, day=request.day,
                              session=request.session, status=status or
                              AbsenceStatus.UNCONFIRMED, recorded_by_id=actor_id,
                              recorded_at=now, confirmed_by_id=actor_id if status else None,
                              confirmed_at=now if status else None)
                session.add(row)
                session.flush()
                changes.append(audit.Change("absence.record", "absence", row.id, None,
                                            _snapshot(row)))
            else:
                old = _snapshot(row)
                row.status, row.confirmed_by_id, row.confirmed_at = status, actor_id, now
                session.add(row)
                changes.append(audit.Change("absence.confirm", "absence", row.id, old,
                                            _snapshot(row)))
            rows.append(row)
    except Exception:
        transactions.rollback(session)
        raise
    _commit_unless_closed(session, clock, actor_id, changes, via,
                          {(request.class_id, request.day)})
    return rows
