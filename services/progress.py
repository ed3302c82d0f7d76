"""Entry progress: required score cells against filled ones.

Required = every column of the subject for every student currently in the
class. The same rows serve a teacher, a class, a subject, a department or the
whole school — the caller filters.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from models import (
    Enrolment,
    SchoolClass,
    ScoreEntry,
    Staff,
    Subject,
    TeachingAssignment,
    Term,
)
from services.school import columns_for


@dataclass(frozen=True)
class ProgressRow:
    teacher_id: int
    teacher_name: str
    class_id: int
    class_name: str
    subject_id: int
    subject_name: str
    students: int
    required: int
    filled: int
    missing_by_column: dict[str, int] = field(default_factory=dict)
    columns: tuple[str, ...] = ()

    @property
    def percent(self) -> int:
        return 100 if self.required == 0 else self.filled * 100 // self.required


@dataclass(frozen=True)
class ProgressFilter:
    teacher_id: int | None = None
    class_id: int | None = None
    subject_id: int | None = None
    department_id: int | None = None


def progress(session: Session, term_id: int, where: ProgressFilter | None = None,
             columns: tuple[str, ...] | None = None) -> list[ProgressRow]:
    """One row per teaching assignment; `columns` narrows to some columns (e.g. TX only)."""
    where = where or ProgressFilter()
    term = session.get(Term, term_id)
    assignments = _assignments(session, term.year_id, where)
    if not assignments:
        return []
    class_ids = {a.class_id for a, *_ in assignments}
    sizes = _class_sizes(session, class_ids)
    filled = _filled(session, term_id, class_ids)
    rows = []
    column_cache: dict[tuple, tuple[str, ...]] = {}
    for _assignment, staff, school_class, subject in assignments:
        # A THPT combination changes a subject's columns (chuyên đề periods) within a grade.
        key = (subject.id, school_class.grade, school_class.combination_id)
        if key not in column_cache:
            column_cache[key] = columns_for(session, subject, school_class)
        wanted = [c for c in column_cache[key] if columns is None or c in columns]
        size = sizes.get(school_class.id, 0)
        counts = {c: filled.get((school_class.id, subject.id, c), 0) for c in wanted}
        rows.append(ProgressRow(
            staff.id, staff.full_name, school_class.id, school_class.name, subject.id,
            subject.name, size, size * len(wanted), sum(min(n, size) for n in counts.values()),
            {c: size - n for c, n in counts.items() if n < size}, tuple(wanted)))
    return rows


def _assignments(session: Session, year_id: int, where: ProgressFilter):
    query = (select(TeachingAssignment, Staff, SchoolClass, Subject)
             .join(Staff, Staff.id == TeachingAssignment.teacher_id)
             .join(SchoolClass, SchoolClass.id == TeachingAssignment.class_id)
             .join(Subject, Subject.id == TeachingAssignment.subject_id)
             .where(TeachingAssignment.year_id == year_id))
    if where.teacher_id is not None:
        query = query.where(TeachingAssignment.teacher_id == where.teacher_id)
    if where.class_id is not None:
        query = query.where(TeachingAssignment.class_id == where.class_id)
    if where.subject_id is not None:
        query = query.where(TeachingAssignment.subject_id == where.subject_id)
    if where.department_id is not None:
        query = query.where(Staff.department_id == where.department_id)
    return session.exec(query.order_by(SchoolClass.name, Subject.order)).all()


def _class_sizes(session: Session, class_ids: set[int]) -> dict[int, int]:
    rows = session.exec(select(Enrolment.class_id, func.count()).where(
        Enrolment.class_id.in_(class_ids), Enrolment.end_date.is_(None))
        .group_by(Enrolment.class_id)).all()
    return dict(rows)


def _filled(session: Session, term_id: int, class_ids: set[int]) -> dict:
    """Cells filled for students still in the class (a departed student's scores stay
    in the book but no longer count towards what is owed)."""
    rows = session.exec(
        select(ScoreEntry.class_id, ScoreEntry.subject_id, ScoreEntry.column, func.count())
        .join(Enrolment, (Enrolment.student_id == ScoreEntry.student_id)
              & (Enrolment.class_id == ScoreEntry.class_id) & Enrolment.end_date.is_(None))
        .where(ScoreEntry.term_id == term_id, ScoreEntry.class_id.in_(class_ids))
        .group_by(ScoreEntry.class_id, ScoreEntry.subject_id, ScoreEntry.column)).all()
    return {(c, s, col): n for c, s, col, n in rows}


@dataclass(frozen=True)
class Totals:
    required: int
    filled: int

    @property
    def percent(self) -> int:
        return 100 if self.required == 0 else self.filled * 100 // self.required


def totals(rows: list[ProgressRow]) -> Totals:
    return Totals(sum(r.required for r in rows), sum(r.filled for r in rows))


def totals_by_teacher(rows: list[ProgressRow]) -> dict[int, Totals]:
    grouped: dict[int, list[ProgressRow]] = defaultdict(list)
    for row in rows:
        grouped[row.teacher_id].append(row)
    return {teacher: totals(items) for teacher, items in grouped.items()}
