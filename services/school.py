"""Looking things up: the current year, terms, rosters, a subject's columns."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, or_, select

from grading.base import Circular, SubjectSpec
from grading.registry import get_circular
from grading.vocabulary import SubjectKind
from models import (
    CurriculumEntry,
    Enrolment,
    SchoolClass,
    SchoolYear,
    Student,
    Subject,
    Term,
)
from services.errors import NotFound


def get_or_fail(session: Session, model, key: int, what: str):
    row = session.get(model, key)
    if row is None:
        raise NotFound(f"Không tìm thấy {what} (mã {key}). Kiểm tra lại hoặc hỏi quản trị.")
    return row


def current_year(session: Session, school_id: int) -> SchoolYear:
    year = session.exec(select(SchoolYear).where(SchoolYear.school_id == school_id,
                                                 SchoolYear.is_current)).first()
    if year is None:
        raise NotFound("Trường chưa có năm học hiện hành. Quản trị cần tạo năm học trước.")
    return year


def term_for_date(session: Session, year_id: int, day: date) -> Term:
    terms = session.exec(select(Term).where(Term.year_id == year_id).order_by(Term.number)).all()
    for term in terms:
        if term.start_date <= day <= term.end_date:
            return term
    raise NotFound(f"Ngày {day:%d/%m/%Y} không thuộc học kì nào của năm học. "
                   "Ghi rõ học kì (HK1 hoặc HK2).")


def circular_of(year: SchoolYear) -> Circular:
    return get_circular(year.circular)


def subject_spec(session: Session, subject: Subject, school_class: SchoolClass) -> SubjectSpec:
    entry = session.exec(select(CurriculumEntry).where(
        CurriculumEntry.year_id == school_class.year_id,
        CurriculumEntry.grade == school_class.grade,
        CurriculumEntry.subject_id == subject.id)).first()
    if entry is None:
        raise NotFound(f"Môn {subject.name} không có trong kế hoạch dạy học khối "
                       f"{school_class.grade}. Quản trị cần khai báo số tiết của môn.")
    return SubjectSpec(subject.code, subject.name, SubjectKind(subject.kind),
                       entry.periods_per_year)


def columns_for(session: Session, subject: Subject, school_class: SchoolClass) -> tuple[str, ...]:
    year = session.get(SchoolYear, school_class.year_id)
    return circular_of(year).columns(subject_spec(session, subject, school_class))


@dataclass(frozen=True)
class RosterLine:
    roll_number: int
    student: Student
    enrolment: Enrolment


def roster(session: Session, class_id: int, on: date | None = None) -> list[RosterLine]:
    """Students of a class on a day (default: everyone currently enrolled), by roll number."""
    query = select(Enrolment, Student).join(Student).where(Enrolment.class_id == class_id)
    if on is None:
        query = query.where(Enrolment.end_date.is_(None))
    else:
        query = query.where(Enrolment.start_date <= on,
                            or_(Enrolment.end_date.is_(None), Enrolment.end_date >= on))
    rows = session.exec(query.order_by(Enrolment.roll_number)).all()
    return [RosterLine(e.roll_number, s, e) for e, s in rows]
