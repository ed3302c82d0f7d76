"""Wiring the grading engine to the book: load a class's records, ask the circular.

The circular is chosen by the school year (`SchoolYear.circular`), so the
callers — bot views, digests, printing — never name a circular themselves.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Integer, String, cast, func, literal, type_coerce
from sqlmodel import Session, select

from core.gc_pause import collector_paused
from grading.base import StudentRecord, StudentReport, SubjectRecord
from grading.vocabulary import CommentMark
from models import (
    Absence,
    ConductRating,
    Enrolment,
    SchoolClass,
    SchoolYear,
    ScoreEntry,
    Student,
    SummerConduct,
    Term,
)
from services.absences import absence_counts
from services.school import (
    circular_of,
    class_subjects,
    curriculum_query,
    get_or_fail,
    pick_subjects,
    roster,
    topics_count,
    year_terms,
)

TENTHS = [(Decimal(n) / 10).quantize(Decimal("0.1")) for n in range(101)]
MARKS = {m.value: m for m in CommentMark}
STREAM_ROWS = 5_000


@dataclass(frozen=True)
class ClassReport:
    school_class: SchoolClass
    students: list[tuple[int, Student, StudentReport]]  # roll number, student, report


def class_report(session: Session, class_id: int,
                 subject_ids: set[int] | None = None) -> ClassReport:
    """Every current student's report; `subject_ids` restricts the subjects considered
    (a teacher's view of one subject), which makes the overall levels meaningless there."""
    school_class = get_or_fail(session, SchoolClass, class_id, "lớp")
    year = session.get(SchoolYear, school_class.year_id)
    circular = circular_of(session, year)
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


def year_reports(session: Session, year_id: int) -> list[ClassReport]:
    """Every class of a school year, with one query per kind of fact for the whole year
    (classes, rosters, subjects, scores, conduct, absences, summer training) instead of
    one set per class: the district's statistics and the benchmarks grade thousands of
    students at once."""
    with collector_paused():
        return _year_reports(session, year_id)


def _year_reports(session: Session, year_id: int) -> list[ClassReport]:
    year = get_or_fail(session, SchoolYear, year_id, "năm học")
    circular = circular_of(session, year)
    classes = session.exec(select(SchoolClass).where(SchoolClass.year_id == year_id)
                           .order_by(SchoolClass.grade, SchoolClass.name)).all()
    rosters = _rosters(session, [c.id for c in classes])
    subjects = _subjects_by_class(session, year, classes)
    scores = _scores(session, year_id, None)
    conduct = _conduct(session, year_id, None)
    absences = _absences_of_year(session, year)
    summer = dict(session.exec(select(SummerConduct.student_id, SummerConduct.level).where(
        SummerConduct.year_id == year_id)).all())
    reports = []
    for school_class in classes:
        students = []
        for roll, student in rosters.get(school_class.id, []):
            sid = student.id
            records = [SubjectRecord(spec, scores[sid][subject.id])
                       for subject, spec in subjects[school_class.id]]
            record = StudentRecord(sid, records, conduct[sid], absences.get(sid, 0),
                                   summer.get(sid))
            students.append((roll, student, circular.report(record)))
        reports.append(ClassReport(school_class, students))
    return reports


def _rosters(session: Session, class_ids: list[int]) -> dict[int, list[tuple[int, Student]]]:
    """Current students of each class, by roll number (as `roster` gives one class)."""
    found: dict[int, list] = defaultdict(list)
    rows = session.exec(select(Enrolment.class_id, Enrolment.roll_number, Student)
                        .join(Student, Student.id == Enrolment.student_id)
                        .where(Enrolment.class_id.in_(class_ids), Enrolment.end_date.is_(None))
                        .order_by(Enrolment.class_id, Enrolment.roll_number)).all()
    for class_id, roll, student in rows:
        found[class_id].append((roll, student))
    return found


def _subjects_by_class(session: Session, year: SchoolYear,
                       classes: list[SchoolClass]) -> dict[int, list]:
    """Each class's subjects as `class_subjects` gives them, from one query for the year."""
    rows = session.exec(curriculum_query(year.id)).all()
    counts = topics_count(session, year.id)
    return {c.id: pick_subjects(rows, c, counts) for c in classes}


def _absences_of_year(session: Session, year: SchoolYear) -> dict[int, int]:
    """Sessions missed per student of the school, within the year (as `absence_counts`)."""
    rows = session.exec(select(Absence.student_id, func.count())
                        .join(SchoolClass, SchoolClass.id == Absence.class_id)
                        .where(SchoolClass.year_id == year.id, Absence.day >= year.start_date,
                               Absence.day <= year.end_date)
                        .group_by(Absence.student_id)).all()
    return dict(rows)


def _scores(session: Session, year_id: int, student_ids: list[int] | None) -> dict:
    """student → subject → term number → column → value.

    The cells of one student × subject × term come back as one string
    ("TX1:85,GK:70,CK:CĐ", values in tenths): a whole district is over a million
    cells, and one row per cell costs more than the grading itself. No `student_ids`:
    every student of the year.
    """
    result: dict = defaultdict(lambda: defaultdict(dict))
    term_numbers = {term.id: term.number for term in year_terms(session, year_id)}
    if not term_numbers:
        return result
    tenths = cast(type_coerce(ScoreEntry.value, Integer), String)
    cell = ScoreEntry.column + literal(":") + func.coalesce(tenths, ScoreEntry.mark)
    # Grouped by the unique key's own columns, so PostgreSQL aggregates straight off
    # the unique index without sorting; a whole year is streamed, so the parsing here
    # overlaps the server's work instead of waiting for the last row.
    query = (select(ScoreEntry.student_id, ScoreEntry.subject_id, ScoreEntry.term_id,
                    func.aggregate_strings(cell, ","))
             .where(ScoreEntry.term_id.in_(list(term_numbers)))
             .group_by(ScoreEntry.student_id, ScoreEntry.subject_id, ScoreEntry.term_id))
    if student_ids is not None:
        query = query.where(ScoreEntry.student_id.in_(student_ids))
    else:
        query = query.execution_options(stream_results=True, yield_per=STREAM_ROWS)
    rows = session.connection().execute(query)
    for student_id, subject_id, term_id, cells in rows:
        result[student_id][subject_id][term_numbers[term_id]] = _parse_cells(cells)
    return result


class _Pieces(dict):
    """"TX1:85" → ("TX1", Decimal("8.5")): a district has a million cells but only a few
    hundred different pieces, so each is parsed once."""

    def __missing__(self, piece: str) -> tuple:
        column, _, value = piece.partition(":")
        parsed = (column, TENTHS[int(value)] if value[0].isdigit() else MARKS[value])
        self[piece] = parsed
        return parsed


_PIECES = _Pieces()


def _parse_cells(cells: str) -> dict:
    return dict(map(_PIECES.__getitem__, cells.split(",")))


def _conduct(session: Session, year_id: int, student_ids: list[int] | None) -> dict:
    result: dict = defaultdict(dict)
    query = (select(ConductRating.student_id, Term.number, ConductRating.level)
             .join(Term, Term.id == ConductRating.term_id).where(Term.year_id == year_id))
    if student_ids is not None:
        query = query.where(ConductRating.student_id.in_(student_ids))
    for student_id, term_number, level in session.connection().execute(query):
        result[student_id][term_number] = level
    return result
