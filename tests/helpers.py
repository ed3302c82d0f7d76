"""Small look-ups tests share."""

from sqlmodel import Session, func, select

from models import AuditEntry, SchoolClass, ScoreEntry, Subject
from services.demo_school import DemoSchool
from services.school import roster


def class_named(session: Session, name: str) -> SchoolClass:
    return session.exec(select(SchoolClass).where(SchoolClass.name == name)).one()


def subject(session: Session, code: str) -> Subject:
    return session.exec(select(Subject).where(Subject.code == code)).one()


def student_ids(session: Session, class_id: int) -> list[int]:
    return [line.student.id for line in roster(session, class_id)]


def teacher(school: DemoSchool, class_id: int, subject_id: int) -> int:
    return school.teacher_of[(class_id, subject_id)]


def teacher_named(session: Session, school: DemoSchool, class_name: str, code: str) -> int:
    """The teacher assigned to a class and subject, by their names ("6A1", "TOAN")."""
    return teacher(school, class_named(session, class_name).id, subject(session, code).id)


def count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def audit_count(session: Session) -> int:
    return count(session, AuditEntry)


def score_count(session: Session) -> int:
    return count(session, ScoreEntry)


def vice_principal_teaching_6a1(session: Session, school: DemoSchool) -> int:
    """The first PHT, put in charge of grade 6 and given 6A1's Toán as well."""
    from models import StaffRole, TeachingAssignment
    from models.types import Role

    vice = school.vice_principal_ids[0]
    role = session.exec(select(StaffRole).where(StaffRole.staff_id == vice,
                                                StaffRole.role == Role.VICE_PRINCIPAL)).one()
    role.grade = 6
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    session.add(role)
    session.add(TeachingAssignment(year_id=school.year_id, teacher_id=vice, class_id=cls.id,
                                   subject_id=math.id))
    session.commit()
    return vice
