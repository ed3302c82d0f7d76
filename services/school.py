"""Looking things up: the current year, terms, rosters, a subject's columns."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam
from sqlmodel import Session, or_, select

from grading.base import Circular, SubjectSpec
from grading.registry import get_circular
from grading.vocabulary import SubjectKind
from models import (
    CombinationSubject,
    CurriculumEntry,
    Enrolment,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Subject,
    Term,
)
from services.errors import NotFound


def held(session: Session, model, key: int):
    """`session.get`, with the row kept loaded for the rest of the session.

    The identity map holds rows weakly: the school of one update, looked up by three
    services in turn, was fetched from the database three times."""
    return keep(session, session.get(model, key))


def keep(session: Session, row):
    """Keep `row` (a mapped object, or None) loaded for the rest of the session."""
    if row is not None:
        session.info.setdefault("held_rows", {})[(type(row), row.id)] = row
    return row


def get_or_fail(session: Session, model, key: int, what: str):
    row = held(session, model, key)
    if row is None:
        raise NotFound(f"Không tìm thấy {what} (mã {key}). Kiểm tra lại hoặc hỏi quản trị.")
    return row


def current_year(session: Session, school_id: int) -> SchoolYear:
    year = session.info.get("current_years", {}).get(school_id)
    if year is None:
        year = session.exec(select(SchoolYear).where(SchoolYear.school_id == school_id,
                                                     SchoolYear.is_current)).first()
    if year is None:
        raise NotFound("Trường chưa có năm học hiện hành. Quản trị cần tạo năm học trước.")
    return year


def keep_current_year(session: Session, year: SchoolYear) -> None:
    """`current_year` of the year's school, for the rest of this session (a bot update
    reads it with the person it identifies; nothing in an update changes it)."""
    session.info.setdefault("current_years", {})[year.school_id] = keep(session, year)


def term_for_date(session: Session, year_id: int, day: date) -> Term:
    return term_on(year_terms(session, year_id), day)


_YEAR_TERMS = select(Term).where(Term.year_id == bindparam("year_id")).order_by(Term.number)


def year_terms(session: Session, year_id: int) -> list[Term]:
    return list(session.exec(_YEAR_TERMS, params={"year_id": year_id}))


def term_on(terms: list[Term], day: date) -> Term:
    for term in terms:
        if term.start_date <= day <= term.end_date:
            return term
    raise NotFound(f"Ngày {day:%d/%m/%Y} không thuộc học kì nào của năm học. "
                   "Ghi rõ học kì (HK1 hoặc HK2).")


def circular_of(session: Session, year: SchoolYear) -> Circular:
    """The year's circular as the school reads it (TT22 Điều 9.3 options)."""
    school = held(session, School, year.school_id)
    return get_circular(year.circular, {
        "adjustment": school.learning_adjustment,
        "lone_subject": school.lone_subject_reading,
        "comment_subject_counts": school.comment_subject_counts})


def curriculum_query(year_id: int):
    """(Subject, CurriculumEntry, combination id or None, chuyên đề periods or None) of
    every subject a class of the year may study: its grade's compulsory entries, and
    the electives and chuyên đề of each combination."""
    return (select(Subject, CurriculumEntry, CombinationSubject.combination_id,
                   CombinationSubject.topic_periods)
            .join(CurriculumEntry, CurriculumEntry.subject_id == Subject.id)
            .outerjoin(CombinationSubject, CombinationSubject.subject_id == Subject.id)
            .where(CurriculumEntry.year_id == year_id)
            .order_by(CurriculumEntry.grade, Subject.order))


def spec_of(subject: Subject, entry: CurriculumEntry, topic_periods: int | None,
            topics_count: bool) -> SubjectSpec:
    periods = entry.periods_per_year + (topic_periods or 0 if topics_count else 0)
    return SubjectSpec(subject.code, subject.name, SubjectKind(subject.kind), periods)


def class_subjects(session: Session,
                   school_class: SchoolClass) -> list[tuple[Subject, SubjectSpec]]:
    """The class's own subjects in book order (see `pick_subjects`)."""
    query = (curriculum_query(school_class.year_id)
             .where(CurriculumEntry.grade == school_class.grade))
    return pick_subjects(session.exec(query).all(), school_class,
                         topics_count(session, school_class.year_id))


def pick_subjects(rows, school_class: SchoolClass,
                  topics_count: bool) -> list[tuple[Subject, SubjectSpec]]:
    """From `curriculum_query` rows: the grade's compulsory subjects and the class's
    combination's electives, with the combination's chuyên đề periods added where the
    school counts them (TT22 Điều 7: "bao gồm cả chuyên đề học tập")."""
    picked: dict[int, tuple[Subject, CurriculumEntry, int | None]] = {}
    for subject, entry, combination, topics in rows:
        if entry.grade != school_class.grade:
            continue
        if combination is not None and combination != school_class.combination_id:
            combination = topics = None  # another combination's row: as if absent
        if entry.elective and combination is None:
            continue
        if subject.id not in picked or combination is not None:
            picked[subject.id] = (subject, entry, topics)
    return [(subject, spec_of(subject, entry, topics, topics_count))
            for subject, entry, topics in picked.values()]


def topics_count(session: Session, year_id: int) -> bool:
    """Through the identity map: on the score-entry path the year and school are loaded."""
    return held(session, School, held(session, SchoolYear, year_id).school_id).topic_periods_count


_SUBJECT_CURRICULUM = curriculum_query(bindparam("year_id")).where(
    CurriculumEntry.grade == bindparam("grade"), Subject.id == bindparam("subject_id"))


def subject_spec(session: Session, subject: Subject, school_class: SchoolClass) -> SubjectSpec:
    """The subject's spec in this class: `class_subjects` narrowed to the subject's own
    rows (picking is per subject), so a score batch does not load the grade's curriculum."""
    rows = session.exec(_SUBJECT_CURRICULUM, params={
        "year_id": school_class.year_id, "grade": school_class.grade,
        "subject_id": subject.id}).all()
    for _, spec in pick_subjects(rows, school_class, topics_count(session, school_class.year_id)):
        return spec
    raise NotFound(f"Môn {subject.name} không có trong kế hoạch dạy học của lớp "
                   f"{school_class.name} (khối {school_class.grade}"
                   f"{', tổ hợp của lớp' if school_class.combination_id else ''}). "
                   "Quản trị cần khai báo môn và số tiết cho khối hoặc tổ hợp.")


def columns_for(session: Session, subject: Subject, school_class: SchoolClass) -> tuple[str, ...]:
    year = held(session, SchoolYear, school_class.year_id)
    return circular_of(session, year).columns(subject_spec(session, subject, school_class))


@dataclass(frozen=True)
class RosterLine:
    roll_number: int
    student: "Student | StudentName"
    enrolment: Enrolment | None  # None from `roster_names`


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


@dataclass(frozen=True)
class StudentName:
    """What a score message needs of a student: who, and how their name is typed."""

    id: int
    full_name: str
    folded_name: str


_ROSTER_NAMES = (select(Enrolment.roll_number, Student.id, Student.full_name,
                        Student.folded_name).join(Student)
                 .where(Enrolment.class_id == bindparam("class_id"),
                        Enrolment.end_date.is_(None))
                 .order_by(Enrolment.roll_number))


def roster_names(session: Session, class_id: int) -> list[RosterLine]:
    """`roster` for reading a score message: the same lines in the same order, the
    student as a `StudentName` and no enrolment. Plain rows: 40 students and their
    enrolments as ORM objects cost more than the rest of the preview's look-ups."""
    rows = session.exec(_ROSTER_NAMES, params={"class_id": class_id})
    return [RosterLine(roll, StudentName(student_id, name, folded), None)
            for roll, student_id, name, folded in rows]
