"""Everything the printed class book shows, gathered from the database in one place.

The renderers in `printing/` only lay these facts out; they never query.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from core.clock import Clock
from grading.base import YEAR, Computed, StudentReport
from models import (
    Absence,
    CorrectionRequest,
    School,
    SchoolClass,
    SchoolYear,
    ScoreEntry,
    Staff,
    StaffRole,
    Student,
    TeachingAssignment,
    Term,
)
from models.types import CorrectionStatus, Role
from services import audit_checkpoints
from services.locks import score_lock
from services.results import class_report, class_subjects
from services.school import columns_for, get_or_fail, roster

TERM_NAMES = {1: "Học kì I", 2: "Học kì II"}


@dataclass(frozen=True)
class Cell:
    value: str
    original: str | None = None  # the value before a correction, printed struck through
    minutes: int | None = None  # the correction's number, i.e. its minutes


@dataclass
class SubjectRow:
    roll: int
    name: str
    cells: dict[int, dict[str, Cell]]  # term → column → cell
    term_result: dict[int, str]  # term → ĐTBmhk or Đ/CĐ ("" when not computable)
    year_result: str


@dataclass
class SubjectPage:
    name: str
    comment: bool
    teacher: str
    columns: tuple[str, ...]
    rows: list[SubjectRow]


@dataclass
class MonthGrid:
    month: date
    days: int
    rows: list[tuple[int, str, dict[int, str], int, int]]  # roll, name, day→mark, P, K


@dataclass
class SummaryRow:
    roll: int
    name: str
    learning: dict[int, str]  # 1, 2, YEAR
    conduct: dict[int, str]
    after_retest: str
    absences: int
    promotion: str
    title: str
    subjects: dict[str, dict[int, str]]  # subject name → period → result


@dataclass
class ClassBook:
    school: str
    district: str
    province: str
    year: str
    class_name: str
    homeroom: str
    principal: str
    students: list[tuple[int, Student]]
    subjects: list[SubjectPage]
    attendance: list[MonthGrid]
    summary: list[SummaryRow]
    draft: bool
    printed_at: datetime
    terms: dict[int, bool] = field(default_factory=dict)  # term → locked
    checkpoint: str = ""  # the signed audit checkpoint taken when it was printed


def class_book(session: Session, clock: Clock, class_id: int) -> ClassBook:
    school_class = get_or_fail(session, SchoolClass, class_id, "lớp")
    year = session.get(SchoolYear, school_class.year_id)
    school = session.get(School, year.school_id)
    terms = {t.number: t for t in session.exec(select(Term).where(Term.year_id == year.id))}
    locked = {n: score_lock(session, clock.now(), year.id, t.id, class_id, None) is not None
              for n, t in terms.items()}
    report = class_report(session, class_id)
    lines = roster(session, class_id)
    grids = attendance_grids(session, school_class, year)
    summary = _summary(report)
    for row in summary:
        row.absences = sum(p + k for grid in grids for roll, _, _, p, k in grid.rows
                           if roll == row.roll)
    return ClassBook(
        school.name, school.district, school.province, year.name, school_class.name,
        _name(session, school_class.homeroom_teacher_id), _principal(session, school.id),
        [(line.roll_number, line.student) for line in lines],
        subject_pages(session, school_class, report, terms), grids, summary,
        not all(locked.values()), clock.now(), locked)


def printed_class_book(session: Session, clock: Clock, class_id: int, what: str) -> ClassBook:
    """The book, with a signed checkpoint of the audit log taken now and printed on it:
    the paper then says how far the log reached when it was signed."""
    book = class_book(session, clock, class_id)
    checkpoint = audit_checkpoints.write_now(session, clock, f"in {what} lớp {book.class_name}")
    book.checkpoint = audit_checkpoints.label(checkpoint)
    return book


def _name(session: Session, staff_id: int | None) -> str:
    return session.get(Staff, staff_id).full_name if staff_id else ""


def _principal(session: Session, school_id: int) -> str:
    row = session.exec(select(Staff).join(StaffRole).where(
        Staff.school_id == school_id, StaffRole.role == Role.PRINCIPAL)).first()
    return row.full_name if row else ""


def _shown(value) -> str:
    return str(value).replace(".", ",") if value is not None else ""


def _result(computed: Computed) -> str:
    return _shown(computed.value) if computed.ok else ""


def subject_pages(session: Session, school_class: SchoolClass, report, terms,
                  only_subjects: set[int] | None = None) -> list[SubjectPage]:
    cells = _cells(session, school_class.id, terms)
    teachers = _teachers(session, school_class.id)
    pages = []
    for index, (subject, spec) in enumerate(class_subjects(session, school_class)):
        if only_subjects is not None and subject.id not in only_subjects:
            continue
        rows = []
        for roll, student, result in report.students:
            subject_result = result.subjects[index]
            rows.append(SubjectRow(
                roll, student.full_name, cells[student.id][subject.id],
                {t: _result(subject_result.term[t]) for t in (1, 2)},
                _result(subject_result.year)))
        pages.append(SubjectPage(subject.name, spec.kind == "comment",
                                 teachers.get(subject.id, ""),
                                 columns_for(session, subject, school_class), rows))
    return pages


def _cells(session: Session, class_id: int, terms: dict[int, Term]) -> dict:
    """student → subject → term → column → Cell, with corrections' original values."""
    number_of = {t.id: n for n, t in terms.items()}
    students = [line.student.id for line in roster(session, class_id)]
    entries = session.exec(select(ScoreEntry).where(ScoreEntry.student_id.in_(students),
                                                    ScoreEntry.term_id.in_(number_of))).all()
    corrections = _applied_corrections(session, [e.id for e in entries if e.corrected])
    result: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for entry in entries:
        first = corrections.get(entry.id)
        cell = Cell(entry.display(), first.old_value if first else None,
                    first.id if first else None)
        result[entry.student_id][entry.subject_id][number_of[entry.term_id]][entry.column] = cell
    return result


def _applied_corrections(session: Session, entry_ids: list[int]) -> dict[int, CorrectionRequest]:
    if not entry_ids:
        return {}
    rows = session.exec(select(CorrectionRequest).where(
        CorrectionRequest.score_entry_id.in_(entry_ids),
        CorrectionRequest.status == CorrectionStatus.APPLIED)
        .order_by(CorrectionRequest.applied_at)).all()
    first: dict[int, CorrectionRequest] = {}
    for row in rows:
        first.setdefault(row.score_entry_id, row)
    return first


def _teachers(session: Session, class_id: int) -> dict[int, str]:
    rows = session.exec(select(TeachingAssignment.subject_id, Staff.full_name).join(
        Staff, Staff.id == TeachingAssignment.teacher_id).where(
        TeachingAssignment.class_id == class_id)).all()
    return dict(rows)


def attendance_grids(session: Session, school_class: SchoolClass,
                     year: SchoolYear) -> list[MonthGrid]:
    lines = roster(session, school_class.id)
    absences = session.exec(select(Absence).where(Absence.class_id == school_class.id)).all()
    marks: dict = defaultdict(lambda: defaultdict(str))
    for absence in absences:
        marks[(absence.day.year, absence.day.month)][(absence.student_id, absence.day.day)] += \
            absence.status
    grids, month = [], year.start_date.replace(day=1)
    while month <= year.end_date:
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        days = (following - month).days
        month_marks = marks[(month.year, month.month)]
        rows = []
        for line in lines:
            by_day = {d: month_marks.get((line.student.id, d), "") for d in range(1, days + 1)}
            flat = "".join(by_day.values())
            rows.append((line.roll_number, line.student.full_name,
                         {d: m for d, m in by_day.items() if m}, flat.count("P"),
                         flat.count("K") + flat.count("?")))
        grids.append(MonthGrid(month, days, rows))
        month = following
    return grids


def _summary(report) -> list[SummaryRow]:
    rows = []
    for roll, student, result in report.students:
        rows.append(_summary_row(roll, student, result))
    return rows


def _summary_row(roll: int, student: Student, result: StudentReport) -> SummaryRow:
    def level(computed: Computed) -> str:
        return computed.value if computed.ok else ""

    subjects = {r.subject.name: {1: _result(r.term[1]), 2: _result(r.term[2]),
                                 YEAR: _result(r.year)} for r in result.subjects}
    return SummaryRow(
        roll, student.full_name, {p: level(result.learning[p]) for p in (1, 2, YEAR)},
        {p: level(result.conduct[p]) for p in (1, 2, YEAR)}, result.learning_after_retest or "",
        0, result.promotion.status.value if result.learning[YEAR].ok else "",
        result.title or "", subjects)
