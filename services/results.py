"""Wiring the grading engine to the book: load a class's records, ask the circular.

The circular is chosen by the school year (`SchoolYear.circular`), so the
callers — bot views, digests, printing — never name a circular themselves.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, select

from grading.base import StudentRecord, StudentReport, SubjectRecord, SubjectSpec
from grading.vocabulary import CommentMark, SubjectKind
from models import (
    ConductRating,
    CurriculumEntry,
    SchoolClass,
    SchoolYear,
    ScoreEntry,
    Student,
    Subject,
    Term,
)
from services.absences import absence_counts
from services.school import circular_of, get_or_fail, roster


@dataclass(frozen=True)
class ClassReport:
    school_class: SchoolClass
    students: list[tuple[int, Student, StudentReport]]  # roll number, student, report


def class_subjects(session: Session,
                   school_class: SchoolClass) -> list[tuple[Subject, SubjectSpec]]:
    rows = session.exec(select(Subject, CurriculumEntry)
                        .join(CurriculumEntry, CurriculumEntry.subject_id == Subject.id)
                        .where(CurriculumEntry.year_id == school_class.year_id,
                               CurriculumEntry.grade == school_class.grade)
                        .order_by(Subject.order)).all()
    return [(s, SubjectSpec(s.code, s.name, SubjectKind(s.kind), c.periods_per_year))
            for s, c in rows]


def class_report(session: Session, class_id: int,
                 subject_ids: set[int] | None = None) -> ClassReport:
    """Every current student's report; `subject_ids` restricts the subjects considered
    (a teacher's view of one subject), which makes the overall levels meaningless there."""
    school_class = get_or_fail(session, SchoolClass, class_id, "lớp")
    year = session.get(SchoolYear, school_class.year_id)
    circular = circular_of(year)
    subjects = [(s, spec) for s, spec in class_subjects(session, school_class)
                if subject_ids is None or s.id in subject_ids]
    lines = roster(session, class_id)
    student_ids = [line.student.id for line in lines]
    scores = _scores(session, year.id, student_ids)
    conduct = _conduct(session, year.id, student_ids)
    absences = absence_counts(session, student_ids, year.start_date, year.end_date)
    reports = []
    for line in lines:
        sid = line.student.id
        records = [SubjectRecord(spec, scores[sid][subject.id]) for subject, spec in subjects]
        record = StudentRecord(sid, records, conduct[sid], absences.get(sid, 0))
        reports.append((line.roll_number, line.student, circular.report(record)))
    return ClassReport(school_class, reports)


def _scores(session: Session, year_id: int, student_ids: list[int]) -> dict:
    """student → subject → term number → column → value."""
    result: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    rows = session.exec(select(ScoreEntry, Term.number)
                        .join(Term, Term.id == ScoreEntry.term_id)
                        .where(Term.year_id == year_id,
                               ScoreEntry.student_id.in_(student_ids))).all()
    for entry, term_number in rows:
        value = CommentMark(entry.mark) if entry.mark is not None else entry.value
        result[entry.student_id][entry.subject_id][term_number][entry.column] = value
    return result


def _conduct(session: Session, year_id: int, student_ids: list[int]) -> dict:
    result: dict = defaultdict(dict)
    rows = session.exec(select(ConductRating, Term.number)
                        .join(Term, Term.id == ConductRating.term_id)
                        .where(Term.year_id == year_id,
                               ConductRating.student_id.in_(student_ids))).all()
    for rating, term_number in rows:
        result[rating.student_id][term_number] = rating.level
    return result
