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
