"""The district office (Phòng GD&ĐT) over its schools: read-only progress and results.

A district office is a `School` row of level "PGD"; its officers (role CVP) see every
school of the same district and province, and nothing they see can be changed from
here. Nothing in a school's own pages is open to them: their access is these views.
"""

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, select

from core.text import nfc
from grading.base import YEAR
from models import School, SchoolYear, Staff, Term
from models.school import DISTRICT_OFFICE_LEVEL
from models.types import Role
from services import progress as progress_service
from services.accounts import create_staff_account
from services.errors import DomainError, NotFound, PermissionDenied
from services.permissions import roles_of
from services.results import year_reports
from services.school import current_year

OFFICE_LEVEL = DISTRICT_OFFICE_LEVEL
LEVELS = ("Tốt", "Khá", "Đạt", "Chưa đạt", "")
LEVEL_LABELS = ("Tốt", "Khá", "Đạt", "Chưa đạt", "Chưa đủ dữ liệu")


def office_of(session: Session, officer_id: int) -> School:
    """The officer's district office; anyone else is refused."""
    staff = session.get(Staff, officer_id)
    office = session.get(School, staff.school_id) if staff else None
    if (office is None or office.level != OFFICE_LEVEL
            or Role.DISTRICT_OFFICER not in roles_of(session, officer_id)):
        raise PermissionDenied("Chỉ chuyên viên Phòng GD&ĐT xem được số liệu toàn phòng.")
    return office


def schools_of(session: Session, office: School) -> list[School]:
    return list(session.exec(select(School).where(
        School.district == office.district, School.province == office.province,
        School.level != OFFICE_LEVEL).order_by(School.name)))


def _current_year(session: Session, school_id: int) -> SchoolYear | None:
    """The school's current year, or None: a school without one is left out."""
    try:
        return current_year(session, school_id)
    except NotFound:
        return None


@dataclass(frozen=True)
class SchoolProgress:
    school: School
    year: str
    term: int
    teachers_behind: int
    totals: progress_service.Totals


def district_progress(session: Session, officer_id: int, term_number: int
                      ) -> list[SchoolProgress]:
    """Per school of the district: cells required and filled this term."""
    rows = []
    for school in schools_of(session, office_of(session, officer_id)):
        year = _current_year(session, school.id)
        term = year and session.exec(select(Term).where(Term.year_id == year.id,
                                                        Term.number == term_number)).first()
        if not term:
            continue
        lines = progress_service.progress(session, term.id)
        behind = {r.teacher_id for r in lines if r.filled < r.required}
        rows.append(SchoolProgress(school, year.name, term_number, len(behind),
                                   progress_service.totals(lines)))
    return rows


@dataclass
class ClassCounts:
    grade: int
    class_name: str
    students: int = 0
    learning: Counter = field(default_factory=Counter)  # KQHT level (year) → students
    conduct: Counter = field(default_factory=Counter)  # KQRL level (year) → students

    def add(self, other: "ClassCounts") -> None:
        """Count another class's students in this total (a grade, a school, the district)."""
        self.students += other.students
        self.learning.update(other.learning)
        self.conduct.update(other.conduct)


@dataclass(frozen=True)
class SchoolResults:
    school: School
    year: str
    classes: list[ClassCounts]

    def total(self) -> ClassCounts:
        whole = ClassCounts(0, "Toàn trường")
        for counts in self.classes:
            whole.add(counts)
        return whole


def district_results(session: Session, officer_id: int) -> list[SchoolResults]:
    """Per school and class: how many students reach each year level, from the grading
    engine (so unfinished years count as "Chưa đủ dữ liệu", never as a guess)."""
    found = []
    for school in schools_of(session, office_of(session, officer_id)):
        year = _current_year(session, school.id)
        if year is None:
            continue
        classes = [ClassCounts(
            report.school_class.grade, report.school_class.name, len(report.students),
            Counter(r.learning[YEAR].value or "" for _, _, r in report.students),
            Counter(r.conduct[YEAR].value or "" for _, _, r in report.students))
            for report in year_reports(session, year.id)]
        found.append(SchoolResults(school, year.name, classes))
    return found


def create_office(session: Session, clock, *, code: str, name: str, district: str,
                  province: str, officer_code: str, officer_name: str,
                  demo: bool = False) -> tuple[School, Staff, str]:
    """A district office with its first officer; returns the officer's one-time password."""
    if session.exec(select(School).where(School.code == code.upper())).first() is not None:
        raise DomainError(f"Mã đơn vị {code.upper()} đã có.")
    office = School(code=code.upper(), name=nfc(name)[:200], district=nfc(district)[:100],
                    province=nfc(province)[:100], level=OFFICE_LEVEL, demo=demo)
    session.add(office)
    session.flush()
    officer, password = create_staff_account(session, clock, office.id, officer_name,
                                             officer_code, Role.DISTRICT_OFFICER,
                                             action="account.create_district_officer")
    return office, officer, password
