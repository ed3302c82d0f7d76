"""Everything the printed class book shows, gathered from the database in one place.

The renderers in `printing/` only lay these facts out; they never query.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from core.clock import Clock
from core.text import fold
from grading.base import YEAR, Computed, StudentReport
from models import (
    Absence,
    AbsenceMonthClosing,
    CorrectionRequest,
    Enrolment,
    School,
    SchoolClass,
    SchoolYear,
    ScoreEntry,
    Staff,
    StaffRole,
    Student,
    Subject,
    SummerConduct,
    TeachingAssignment,
    Term,
)
from models.school import level_of_grade
from models.types import CorrectionStatus, EnrolmentStatus, Role
from services import audit_checkpoints
from services.correction_records import CorrectionFacts, year_facts
from services.locks import score_lock
from services.results import class_report
from services.school import class_subjects, columns_for, get_or_fail, roster
from services.scoping import school_of_class

TERM_NAMES = {1: "Học kì I", 2: "Học kì II"}


LEVEL_TITLES = {"THCS": "CẤP TRUNG HỌC CƠ SỞ", "THPT": "CẤP TRUNG HỌC PHỔ THÔNG"}


@dataclass(frozen=True)
class Cell:
    value: str
    original: str | None = None  # the value before the first correction, printed struck
    minutes: tuple[int, ...] = ()  # every applied correction's number (its minutes), in order
    entry_id: int | None = None


@dataclass
class SubjectRow:
    roll: int
    name: str
    cells: dict[int, dict[str, Cell]]  # term → column → cell
    term_result: dict[int, str]  # term → ĐTBmhk or Đ/CĐ ("" when not computable)
    year_result: str
    retest: str = ""  # the result of the re-test (kiểm tra lại), when there was one


@dataclass
class SubjectPage:
    name: str
    comment: bool
    teacher: str
    columns: tuple[str, ...]
    rows: list[SubjectRow]
    teacher_id: int | None = None  # two teachers may share a full name: group by this


@dataclass
class AttendanceRow:
    roll: int
    name: str
    marks: dict[int, str]  # day → "P", "K", "PK", "?" (not yet confirmed) …
    excused: int
    unexcused: int
    unconfirmed: int  # "?" in a month not yet closed: neither P nor K yet
    corrected: dict[int, tuple[int, ...]] = field(default_factory=dict)  # day → minutes

    @property
    def total(self) -> int:
        return self.excused + self.unexcused + self.unconfirmed


@dataclass
class MonthGrid:
    month: date
    days: int
    rows: list[AttendanceRow]
    closed: bool = False


@dataclass
class SummaryRow:
    roll: int
    name: str
    learning: dict[int, str]  # 1, 2, YEAR
    conduct: dict[int, str]
    after_retest: str
    summer_conduct: str
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
    grade: int = 0  # the class's; "10A1" is grade 10, never read from the name's first digit
    boys: int = 0
    girls: int = 0
    records: list[tuple[int, Student, str]] = field(default_factory=list)  # + changes
    certificate: str = ""  # fingerprint of the school's signing certificate, when it signs
    corrections: list[CorrectionFacts] = field(default_factory=list)  # applied, this class
    school_id: int = 0

    @property
    def level(self) -> str:
        """THCS or THPT from the class's grade: a multi-level school prints each its own."""
        return level_of_grade(self.grade)

    @property
    def level_title(self) -> str:
        return LEVEL_TITLES[self.level]

    @property
    def open_months(self) -> list[date]:
        return [grid.month for grid in self.attendance if not grid.closed]

    def draft_reasons(self) -> list[str]:
        return unfinished(self.terms, self.open_months)


def unfinished(terms_locked: dict[int, bool], open_months: list[date]) -> list[str]:
    """Why a class's book is not final yet: a term not locked, a month not closed."""
    reasons = [f"học kì {'I' if n == 1 else 'II'} chưa khóa"
               for n, locked in sorted(terms_locked.items()) if not locked]
    if len(open_months) == 1:
        reasons.append(f"chưa chốt điểm danh tháng {open_months[0]:%m/%Y}")
    elif open_months:
        reasons.append(f"chưa chốt điểm danh {len(open_months)} tháng "
                       f"({', '.join(f'{m:%m/%Y}' for m in open_months)})")
    return reasons


def months_of(year: SchoolYear) -> list[date]:
    """The first day of every month of the school year."""
    months, month = [], year.start_date.replace(day=1)
    while month <= year.end_date:
        months.append(month)
        month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months


def terms_locked(session: Session, clock: Clock, year: SchoolYear, terms: dict[int, Term],
                 class_id: int) -> dict[int, bool]:
    """Term number → whether the whole term is locked for this class now."""
    return {n: score_lock(session, clock.now(), year.id, t.id, class_id, None) is not None
            for n, t in sorted(terms.items())}


def class_book(session: Session, clock: Clock, class_id: int) -> ClassBook:
    school_class = get_or_fail(session, SchoolClass, class_id, "lớp")
    year = session.get(SchoolYear, school_class.year_id)
    school = session.get(School, year.school_id)
    terms = {t.number: t for t in session.exec(select(Term).where(Term.year_id == year.id))}
    locked = terms_locked(session, clock, year, terms, class_id)
    report = class_report(session, class_id)
    lines = roster(session, class_id)
    grids = attendance_grids(session, school_class, year)
    summary = _summary(report, _summer(session, year.id))
    for row in summary:
        row.absences = sum(r.total for grid in grids for r in grid.rows if r.roll == row.roll)
    students = [(line.roll_number, line.student) for line in lines]
    book = ClassBook(
        school.name, school.district, school.province, year.name, school_class.name,
        _name(session, school_class.homeroom_teacher_id), _principal(session, school.id),
        students, subject_pages(session, school_class, report, terms), grids, summary,
        True, clock.now(), locked, grade=school_class.grade,
        boys=sum(1 for _, s in students if fold(s.gender) == "nam"),
        girls=sum(1 for _, s in students if fold(s.gender) == "nu"),
        records=student_records(session, school_class.id), school_id=school.id,
        corrections=[f for f in year_facts(session, year.id)
                     if f.class_name == school_class.name and f.applied_at is not None])
    book.draft = bool(book.draft_reasons())
    return book


def student_records(session: Session, class_id: int) -> list[tuple[int, Student, str]]:
    """Everyone who was in the class this year, with what changed (transfers, drop-outs)."""
    rows = session.exec(select(Enrolment, Student).join(Student)
                        .where(Enrolment.class_id == class_id)
                        .order_by(Enrolment.roll_number)).all()
    return [(e.roll_number, s, _changes(session, e)) for e, s in rows]


def _changes(session: Session, enrolment: Enrolment) -> str:
    notes = []
    earlier = session.exec(select(Enrolment).where(
        Enrolment.student_id == enrolment.student_id,
        Enrolment.end_date == enrolment.start_date - timedelta(days=1))).first()
    if enrolment.status == EnrolmentStatus.TRANSFERRED_IN:
        notes.append(f"Chuyển đến ngày {enrolment.start_date:%d/%m/%Y}")
    elif earlier is not None:
        came_from = session.get(SchoolClass, earlier.class_id)
        notes.append(f"Chuyển từ lớp {came_from.name} ngày {enrolment.start_date:%d/%m/%Y}")
    if enrolment.end_date is not None:
        day = enrolment.end_date + timedelta(days=1)
        notes.append(_leaving(session, enrolment, day))
    if enrolment.note:
        notes.append(enrolment.note)
    return "; ".join(notes)


def _leaving(session: Session, enrolment: Enrolment, day: date) -> str:
    if enrolment.status == EnrolmentStatus.DROPPED_OUT:
        return f"Nghỉ học từ ngày {day:%d/%m/%Y}"
    if enrolment.status == EnrolmentStatus.CHANGED_CLASS:
        after = session.exec(select(Enrolment).where(
            Enrolment.student_id == enrolment.student_id, Enrolment.start_date == day)).first()
        target = session.get(SchoolClass, after.class_id).name if after else "khác"
        return f"Chuyển sang lớp {target} ngày {day:%d/%m/%Y}"
    return f"Chuyển trường ngày {day:%d/%m/%Y}"


def _summer(session: Session, year_id: int) -> dict[int, str]:
    rows = session.exec(select(SummerConduct).where(SummerConduct.year_id == year_id)).all()
    return {row.student_id: row.level for row in rows}


def printed_class_book(session: Session, clock: Clock, class_id: int, what: str) -> ClassBook:
    """The book, with a signed checkpoint of the audit log taken now and printed on it:
    the paper then says how far the log reached when it was signed."""
    book = class_book(session, clock, class_id)
    checkpoint = audit_checkpoints.write_now(session, clock, f"in {what} lớp {book.class_name}",
                                             school_of_class(session, class_id))
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
                _result(subject_result.year), _shown(subject_result.after_retest)))
        teacher_id, teacher = teachers.get(subject.id, (None, ""))
        pages.append(SubjectPage(subject.name, spec.kind == "comment", teacher,
                                 columns_for(session, subject, school_class), rows, teacher_id))
    return pages


def _cells(session: Session, class_id: int, terms: dict[int, Term]) -> dict:
    """student → subject → term → column → Cell, with corrections' original values."""
    number_of = {t.id: n for n, t in terms.items()}
    students = [line.student.id for line in roster(session, class_id)]
    entries = session.exec(select(ScoreEntry).where(ScoreEntry.student_id.in_(students),
                                                    ScoreEntry.term_id.in_(number_of))).all()
    corrections = _applied_corrections(session, CorrectionRequest.score_entry_id,
                                       [e.id for e in entries if e.corrected])
    result: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    for entry in entries:
        applied = corrections.get(entry.id, [])
        cell = Cell(entry.display(), applied[0].old_value if applied else None,
                    tuple(r.id for r in applied), entry.id)
        result[entry.student_id][entry.subject_id][number_of[entry.term_id]][entry.column] = cell
    return result


def _applied_corrections(session: Session, column, ids: list[int],
                         ) -> dict[int, list[CorrectionRequest]]:
    """target id → its applied corrections, oldest first (a cell corrected twice cites both)."""
    if not ids:
        return {}
    rows = session.exec(select(CorrectionRequest).where(
        column.in_(ids), CorrectionRequest.status == CorrectionStatus.APPLIED)
        .order_by(CorrectionRequest.applied_at, CorrectionRequest.id)).all()
    applied: dict[int, list[CorrectionRequest]] = defaultdict(list)
    for row in rows:
        applied[getattr(row, column.key)].append(row)
    return applied


def _teachers(session: Session, class_id: int) -> dict[int, tuple[int, str]]:
    rows = session.exec(select(TeachingAssignment.subject_id, Staff.id, Staff.full_name).join(
        Staff, Staff.id == TeachingAssignment.teacher_id).where(
        TeachingAssignment.class_id == class_id)).all()
    return {subject_id: (staff_id, name) for subject_id, staff_id, name in rows}


def attendance_grids(session: Session, school_class: SchoolClass,
                     year: SchoolYear) -> list[MonthGrid]:
    lines = roster(session, school_class.id)
    absences = session.exec(select(Absence).where(Absence.class_id == school_class.id)
                            .order_by(Absence.day, Absence.session.desc())).all()
    corrected = _applied_corrections(session, CorrectionRequest.absence_id,
                                     [a.id for a in absences])
    closed = set(session.exec(select(AbsenceMonthClosing.month).where(
        AbsenceMonthClosing.class_id == school_class.id)))
    marks: dict = defaultdict(lambda: defaultdict(str))
    fixes: dict = defaultdict(dict)
    for absence in absences:
        key = (absence.student_id, absence.day.day)
        marks[(absence.day.year, absence.day.month)][key] += absence.status
        if absence.id in corrected:
            fixes[(absence.day.year, absence.day.month)].setdefault(key, ())
            fixes[(absence.day.year, absence.day.month)][key] += tuple(
                r.id for r in corrected[absence.id])
    grids = []
    for month in months_of(year):
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        days = (following - month).days
        month_marks, month_fixes = marks[(month.year, month.month)], fixes[(month.year,
                                                                             month.month)]
        rows = []
        for line in lines:
            sid = line.student.id
            by_day = {d: month_marks[(sid, d)] for d in range(1, days + 1)
                      if month_marks.get((sid, d))}
            flat = "".join(by_day.values())
            rows.append(AttendanceRow(
                line.roll_number, line.student.full_name, by_day, flat.count("P"),
                flat.count("K"), flat.count("?"),
                {d: month_fixes[(sid, d)] for d in by_day if (sid, d) in month_fixes}))
        grids.append(MonthGrid(month, days, rows, month in closed))
    return grids


def _summary(report, summer: dict[int, str]) -> list[SummaryRow]:
    return [_summary_row(roll, student, result, summer.get(student.id, ""))
            for roll, student, result in report.students]


def _summary_row(roll: int, student: Student, result: StudentReport,
                 summer: str) -> SummaryRow:
    def level(computed: Computed) -> str:
        return computed.value if computed.ok else ""

    subjects = {r.subject.name: {1: _result(r.term[1]), 2: _result(r.term[2]),
                                 YEAR: _result(r.year)} for r in result.subjects}
    return SummaryRow(
        roll, student.full_name, {p: level(result.learning[p]) for p in (1, 2, YEAR)},
        {p: level(result.conduct[p]) for p in (1, 2, YEAR)}, result.learning_after_retest or "",
        summer, 0, result.promotion.status.value if result.learning[YEAR].ok else "",
        result.title or "", subjects)


def teacher_book(session: Session, clock: Clock, school_id: int, code: str,
                 ) -> tuple[str, list[tuple[ClassBook, SubjectPage]]] | None:
    """A teacher's classes and subjects of the current year, found by staff code (so two
    teachers with the same full name are never merged)."""
    from services.school import current_year

    staff = session.exec(select(Staff).where(Staff.school_id == school_id,
                                             Staff.code == code.strip())).first()
    if staff is None:
        return None
    year = current_year(session, school_id)
    rows = session.exec(select(TeachingAssignment).join(
        SchoolClass, SchoolClass.id == TeachingAssignment.class_id).where(
        TeachingAssignment.teacher_id == staff.id, SchoolClass.year_id == year.id)
        .order_by(SchoolClass.name)).all()
    parts, books = [], {}
    for row in rows:
        if row.class_id not in books:
            books[row.class_id] = class_book(session, clock, row.class_id)
        book = books[row.class_id]
        name = session.get(Subject, row.subject_id).name
        parts += [(book, page) for page in book.subjects if page.name == name]
    return (staff.full_name, parts) if parts else None


def year_readiness(session: Session, clock: Clock, year_id: int) -> dict[str, dict]:
    """Per class: which terms are locked, which months are closed, and why the year is not
    final yet (nothing when it is). Read cheaply, before anything is rendered."""
    year = session.get(SchoolYear, year_id)
    terms = {t.number: t for t in session.exec(select(Term).where(Term.year_id == year.id))}
    months = months_of(year)
    states = {}
    for school_class in session.exec(select(SchoolClass).where(SchoolClass.year_id == year_id)
                                     .order_by(SchoolClass.name)):
        locked = terms_locked(session, clock, year, terms, school_class.id)
        closed = set(session.exec(select(AbsenceMonthClosing.month).where(
            AbsenceMonthClosing.class_id == school_class.id)))
        open_months = [m for m in months if m not in closed]
        states[school_class.name] = {
            "terms_locked": {str(n): v for n, v in locked.items()},
            "closed_months": [f"{m:%m/%Y}" for m in months if m in closed],
            "open_months": [f"{m:%m/%Y}" for m in open_months],
            "reasons": unfinished(locked, open_months)}
    return states
