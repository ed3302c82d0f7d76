"""Moving students: class changes, transfers and drop-outs close one enrolment
and (where the student stays) open another, so history is never overwritten."""

from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from core.clock import Clock
from models import Enrolment, SchoolClass, Student
from models.types import EnrolmentStatus, Role
from services import audit
from services.errors import DomainError
from services.permissions import require_any_role
from services.school import get_or_fail

LEAVING = {EnrolmentStatus.TRANSFERRED_OUT, EnrolmentStatus.DROPPED_OUT}


def current_enrolment(session: Session, student_id: int) -> Enrolment | None:
    return session.exec(select(Enrolment).where(Enrolment.student_id == student_id,
                                                Enrolment.end_date.is_(None))).first()


def enrol(session: Session, student_id: int, class_id: int, start: date,
          status: EnrolmentStatus = EnrolmentStatus.STUDYING, note: str = "") -> Enrolment:
    """Open an enrolment at the next free roll number (caller commits)."""
    last = session.exec(select(func.max(Enrolment.roll_number))
                        .where(Enrolment.class_id == class_id)).one()
    row = Enrolment(student_id=student_id, class_id=class_id, roll_number=(last or 0) + 1,
                    start_date=start, status=status, note=note)
    session.add(row)
    session.flush()
    return row


def move_student(session: Session, clock: Clock, actor_id: int, student_id: int, day: date,
                 status: EnrolmentStatus, to_class_id: int | None = None,
                 note: str = "") -> Enrolment | None:
    """Close the current enrolment the day before `day`; open the new class from `day`."""
    require_any_role(session, actor_id, {Role.ADMIN}, "chuyển lớp, chuyển trường học sinh")
    student = get_or_fail(session, Student, student_id, "học sinh")
    current = current_enrolment(session, student_id)
    if current is None:
        raise DomainError(f"{student.full_name} hiện không học lớp nào.")
    if day <= current.start_date:
        raise DomainError(f"Ngày chuyển phải sau ngày vào lớp ({current.start_date:%d/%m/%Y}).")
    if status == EnrolmentStatus.CHANGED_CLASS and to_class_id is None:
        raise DomainError("Chuyển lớp cần chọn lớp mới.")
    old = {"class_id": current.class_id, "status": current.status, "end_date": None}
    current.end_date, current.status, current.note = day - timedelta(days=1), status, note
    session.add(current)
    new = None
    if status not in LEAVING:
        get_or_fail(session, SchoolClass, to_class_id, "lớp")
        new = enrol(session, student_id, to_class_id, day, EnrolmentStatus.STUDYING, note)
    audit.append(session, clock, actor_id=actor_id, action=f"enrolment.{status}",
                 entity="enrolment", entity_id=current.id, old=old,
                 new={"end_date": current.end_date, "status": status,
                      "to_class_id": to_class_id})
    session.commit()
    return new
