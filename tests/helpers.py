"""Small look-ups tests share, and running threads at one instant."""

import threading
from collections.abc import Callable

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


OTHER_REASON = "Chấm nhầm bài kiểm tra"


def correction_in_another_school(session: Session, clock):
    """A second demo school in the same database (its year and class 6A1 named like ours),
    with one applied correction: (that school, its 6A1, the correction request)."""
    from services.corrections import decide, request_score_correction
    from services.demo_school import build_demo_school
    from services.scores import ScoreBatch, enter_scores

    other = build_demo_school(session, seed=9, classes_per_grade=1, class_size=5,
                              school_code="THCS-KHAC")
    cls = session.exec(select(SchoolClass).where(SchoolClass.year_id == other.year_id,
                                                 SchoolClass.name == "6A1")).one()
    maths = session.exec(select(Subject).where(Subject.school_id == other.school_id,
                                               Subject.code == "TOAN")).one()
    teacher_id = other.teacher_of[(cls.id, maths.id)]
    (cell,) = enter_scores(session, clock, teacher_id, ScoreBatch(
        cls.id, maths.id, other.term_ids[1], "TX1", {student_ids(session, cls.id)[0]: "6"}))
    request = request_score_correction(session, clock, teacher_id, cell.id, "7", OTHER_REASON)
    decide(session, clock, other.principal_id, request.token, approve=True)
    return other, cls, request


def at_once(count: int, act: Callable[[int], object]) -> list:
    """Run `act(i)` in `count` threads released at the same instant; outcomes in order."""
    barrier, outcomes = threading.Barrier(count), [None] * count

    def run(index: int) -> None:
        barrier.wait()
        outcomes[index] = act(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
