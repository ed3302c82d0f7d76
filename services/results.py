"""Wiring the grading engine to the book: load a class's records, ask the circular.

The circular is chosen by the school year (`SchoolYear.circular`), so the
callers — bot views, digests, printing — never name a circular themselves.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Integer, String, cast, func, literal, type_coerce
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
    SummerConduct,
    Term,
)
from services.absences import absence_counts
from services.school import circular_of, get_or_fail, roster

TENTHS = [(Decimal(n) / 10).quantize(Decimal("0.1")) for n in range(101)]
MARKS = {m.value: m for m in CommentMark}


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
    summer = dict(session.exec(select(SummerConduct.student_id, SummerConduct.level).where(
        SummerConduct.year_id == year.id, SummerConduct.student_id.in_(student_ids))).all())
    reports = []
    for line in lines:
        sid = line.student.id
        records = [SubjectRecord(spec, scores[sid][subject.id]) for subject, spec in subjects]
        record = StudentRecord(sid, records, conduct[sid], absences.get(sid, 0),
                               summer.get(sid))
        reports.append((line.roll_number, line.student, circular.report(record)))
    return ClassReport(school_class, reports)


def _scores(session: Session, year_id: int, student_ids: list[int]) -> dict:
    """student → subject → term number → column → value.

    The cells of one student × subject × term come back as one string
    ("TX1:85,GK:70,CK:CĐ", values in tenths): a whole district is over a million
    cells, and one row per cell costs more than the grading itself.
    """
    result: dict = defaultdict(lambda: defaultdict(dict))
    tenths = cast(type_coerce(ScoreEntry.value, Integer), String)
    cell = ScoreEntry.column + literal(":") + func.coalesce(tenths, ScoreEntry.mark)
    query = (select(ScoreEntry.student_id, ScoreEntry.subject_id, Term.number,
                    func.aggregate_strings(cell, ","))
             .join(Term, Term.id == ScoreEntry.term_id)
             .where(Term.year_id == year_id, ScoreEntry.student_id.in_(student_ids))
             .group_by(ScoreEntry.student_id, ScoreEntry.subject_id, Term.number))
    for student_id, subject_id, term_number, cells in session.connection().execute(query):
        result[student_id][subject_id][term_number] = _parse_cells(cells)
    return result


def _parse_cells(cells: str) -> dict:
    parsed = {}
    for piece in cells.split(","):
        column, _, value = piece.partition(":")
        parsed[column] = TENTHS[int(value)] if value[0].isdigit() else MARKS[value]
    return parsed


def _conduct(session: Session, year_id: int, student_ids: list[int]) -> dict:
    result: dict = defaultdict(dict)
    rows = session.exec(select(ConductRating, Term.number)
                        .join(Term, Term.id == ConductRating.term_id)
                        .where(Term.year_id == year_id,
                               ConductRating.student_id.in_(student_ids))).all()
    for rating, term_number in rows:
        result[rating.student_id][term_number] = rating.level
    return result
