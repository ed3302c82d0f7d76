"""A realistic THCS or THPT for demos, tests and benchmarks, deterministic from a seed.

Grades 6–9 (THCS) or 10–12 (THPT), `classes_per_grade` classes of about
`class_size` students, the subject list and periods per year of the 2018
curriculum (`services.curricula`) assessed under Thông tư 22 — for THPT each class
with its combination of electives and chuyên đề — a staff with departments, GVCN,
TTCM, BGH, admin, office and supervisors; optionally a partly entered first term,
written through the same services (and so the same audit trail) as real entries.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from core.clock import VN_TZ, FixedClock
from core.text import fold
from grading.vocabulary import SubjectKind
from models import (
    CombinationSubject,
    CurriculumEntry,
    Department,
    School,
    SchoolClass,
    SchoolYear,
    Staff,
    StaffRole,
    Student,
    Subject,
    SubjectCombination,
    TeachingAssignment,
    Term,
)
from models.types import Role
from models.types import Session as DaySession
from services.absences import AbsenceReport, record_absences
from services.curricula import LEVELS, THCS, TOPIC_PERIODS, LevelPlan
from services.enrolments import enrol
from services.errors import InvalidBatch
from services.school import columns_for, roster
from services.scores import ScoreBatch, enter_scores

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
          "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lương", "Mai"]
MIDDLE_MALE = ["Văn", "Minh", "Đức", "Quang", "Gia", "Hoàng", "Anh", "Hữu", "Thành", "Bảo"]
MIDDLE_FEMALE = ["Thị", "Ngọc", "Thu", "Thanh", "Khánh", "Phương", "Minh", "Bảo", "Mai", "Hải"]
GIVEN_MALE = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Huy", "Khang",
              "Khoa", "Kiên", "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Phúc", "Quân", "Sơn",
              "Tài", "Thắng", "Thịnh", "Trí", "Trung", "Tuấn", "Việt", "Vinh", "Vũ", "Duy"]
GIVEN_FEMALE = ["Anh", "Chi", "Diệp", "Dung", "Giang", "Hà", "Hân", "Hằng", "Hương", "Huyền",
                "Lan", "Linh", "Mai", "My", "Ngân", "Ngọc", "Nhi", "Nhung", "Oanh", "Phương",
                "Quỳnh", "Thảo", "Thư", "Trang", "Trâm", "Uyên", "Vân", "Vy", "Yến", "Hoa"]
ETHNIC = ["Kinh"] * 18 + ["Hoa", "Tày"]
WARDS = {"Quận Tân Bình": ["Phường 1", "Phường 2", "Phường 4", "Phường 10", "Phường 12",
                            "Phường 13"],
         "Huyện Cần Giờ": ["Xã Bình Khánh", "Xã An Thới Đông", "Thị trấn Cần Thạnh"]}
STREETS = ["Cộng Hòa", "Hoàng Văn Thụ", "Trường Chinh", "Lý Thường Kiệt", "Bàu Cát",
           "Phạm Văn Hai", "Âu Cơ", "Lạc Long Quân"]


YEAR_START, TERM1_END = date(2026, 9, 5), date(2027, 1, 16)
TERM2_START, YEAR_END = date(2027, 1, 18), date(2027, 5, 31)


@dataclass
class DemoSchool:
    """Ids a test or benchmark needs to find its way around the generated school."""

    school_id: int
    year_id: int
    term_ids: dict[int, int]
    class_ids: list[int]
    subject_ids: dict[str, int]
    principal_id: int
    vice_principal_ids: list[int]
    admin_id: int
    office_id: int
    supervisor_ids: list[int]
    homeroom: dict[int, int] = field(default_factory=dict)  # class id → GVCN id
    teacher_of: dict[tuple[int, int], int] = field(default_factory=dict)  # (class, subject)
    department_heads: dict[int, int] = field(default_factory=dict)  # department → staff


def _person(rng: random.Random, female: bool) -> str:
    middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    return f"{rng.choice(FAMILY)} {middle} {given}"


class _Builder:
    def __init__(self, session: Session, seed: int, classes_per_grade: int,
                 class_size: int, plans: tuple[LevelPlan, ...] = (THCS,)) -> None:
        self.session, self.rng = session, random.Random(seed)
        self.classes_per_grade, self.class_size = classes_per_grade, class_size
        self.plans = plans
        self.staff_count = 0

    def add(self, row):
        self.session.add(row)
        self.session.flush()
        return row

    def staff(self, school_id: int, roles: list[Role], department_id: int | None = None,
              name: str | None = None) -> Staff:
        self.staff_count += 1
        female = self.rng.random() < 0.7
        full_name = name or _person(self.rng, female)
        row = self.add(Staff(school_id=school_id, code=f"GV{self.staff_count:03d}",
                             full_name=full_name, folded_name=fold(full_name),
                             gender="Nữ" if female else "Nam",
                             phone=f"09{self.rng.randrange(10**7, 10**8)}",
                             department_id=department_id))
        for role in roles:
            self.session.add(StaffRole(staff_id=row.id, role=role))
        return row

    def build(self, school_code: str, school_name: str, district: str) -> DemoSchool:
        self.district = district
        level = "+".join(plan.level for plan in self.plans)
        school = self.add(School(code=school_code, name=school_name, level=level,
                                 district=district, province="Thành phố Hồ Chí Minh",
                                 demo=True))
        year = self.add(SchoolYear(school_id=school.id, name="2026-2027", start_date=YEAR_START,
                                   end_date=YEAR_END, circular="tt22", is_current=True))
        term1 = self.add(Term(year_id=year.id, number=1, start_date=YEAR_START,
                              end_date=TERM1_END))
        term2 = self.add(Term(year_id=year.id, number=2, start_date=TERM2_START,
                              end_date=YEAR_END))
        leaders = self._leadership(school.id)
        departments = self._departments(school.id)
        subjects = self._subjects(school.id, year.id, departments)
        combinations = self._combinations(year.id, subjects)
        demo = DemoSchool(school.id, year.id, {1: term1.id, 2: term2.id}, [],
                          {code: s.id for code, s in subjects.items()}, **leaders)
        self._classes_and_teachers(school.id, year.id, departments, subjects,
                                   combinations, demo)
        self.session.commit()
        return demo

    def _leadership(self, school_id: int) -> dict:
        principal = self.staff(school_id, [Role.PRINCIPAL])
        vices = [self.staff(school_id, [Role.VICE_PRINCIPAL]) for _ in range(2)]
        admin = self.staff(school_id, [Role.ADMIN])
        office = self.staff(school_id, [Role.OFFICE])
        supervisors = [self.staff(school_id, [Role.SUPERVISOR]) for _ in range(2)]
        return {"principal_id": principal.id, "vice_principal_ids": [v.id for v in vices],
                "admin_id": admin.id, "office_id": office.id,
                "supervisor_ids": [s.id for s in supervisors]}

    def _departments(self, school_id: int) -> dict[str, Department]:
        names = sorted({p.department for plan in self.plans for p in plan.subjects
                        if p.department})
        return {n: self.add(Department(school_id=school_id, name=n)) for n in names}

    def _subjects(self, school_id: int, year_id: int, departments) -> dict[str, Subject]:
        """One subject row per code for the school; each level's grades get their own
        entries (a multi-level school shares Ngữ văn, Toán… between THCS and THPT)."""
        result: dict[str, Subject] = {}
        for level in self.plans:
            for plan in level.subjects:
                if plan.code not in result:
                    dept = departments[plan.department].id if plan.department else None
                    result[plan.code] = self.add(Subject(
                        school_id=school_id, code=plan.code, name=plan.name, kind=plan.kind,
                        department_id=dept, order=len(result)))
                for grade in level.grades:
                    self.session.add(CurriculumEntry(
                        year_id=year_id, grade=grade, subject_id=result[plan.code].id,
                        elective=plan.elective, periods_per_year=plan.periods_in(grade)))
        return result

    def _combinations(self, year_id: int, subjects: dict[str, Subject]) -> list:
        """The year's combinations; returns (row, subject codes it adds) per combination."""
        found = []
        for plan in (c for level in self.plans for c in level.combinations):
            row = self.add(SubjectCombination(year_id=year_id, code=plan.code, name=plan.name))
            for code in dict.fromkeys(plan.electives + plan.topics):
                topics = TOPIC_PERIODS if code in plan.topics else 0
                self.session.add(CombinationSubject(combination_id=row.id,
                                                    subject_id=subjects[code].id,
                                                    topic_periods=topics))
            found.append((row, set(plan.electives)))
        return found

    def _classes_and_teachers(self, school_id, year_id, departments, subjects, combinations,
                              demo) -> None:
        classes, studies = [], {}
        for level in self.plans:
            for grade in level.grades:
                for index in range(1, self.classes_per_grade + 1):
                    combination, electives = (combinations[(index - 1) % len(combinations)]
                                              if level.combinations else (None, set()))
                    row = self.add(SchoolClass(year_id=year_id, name=f"{grade}A{index}",
                                               grade=grade,
                                               combination_id=combination and combination.id))
                    classes.append(row)
                    studies[row.id] = electives
                    demo.class_ids.append(row.id)
        head_seen: set[int] = set()
        homeroom_pool: list[Staff] = []
        for level, plan in ((lv, p) for lv in self.plans for p in lv.subjects):
            if plan.department is None:
                continue
            dept = departments[plan.department]
            taught = [c for c in classes if c.grade in level.grades
                      and (not plan.elective or plan.code in studies[c.id])]
            for start in range(0, len(taught), plan.classes_per_teacher):
                first = dept.id not in head_seen
                roles = [Role.SUBJECT_TEACHER] + ([Role.DEPARTMENT_HEAD] if first else [])
                teacher = self.staff(school_id, roles, dept.id)
                if first:
                    head_seen.add(dept.id)
                    demo.department_heads[dept.id] = teacher.id
                else:
                    homeroom_pool.append(teacher)
                for school_class in taught[start:start + plan.classes_per_teacher]:
                    self._assign(year_id, teacher.id, school_class.id, subjects[plan.code].id)
                    demo.teacher_of[(school_class.id, subjects[plan.code].id)] = teacher.id
        self.rng.shuffle(homeroom_pool)
        for school_class, teacher in zip(classes, homeroom_pool, strict=False):
            school_class.homeroom_teacher_id = teacher.id
            demo.homeroom[school_class.id] = teacher.id
            self.session.add(StaffRole(staff_id=teacher.id, role=Role.HOMEROOM_TEACHER))
            for code in ("HDTN", "GDDP"):
                self._assign(year_id, teacher.id, school_class.id, subjects[code].id)
                demo.teacher_of[(school_class.id, subjects[code].id)] = teacher.id
            self._students(school_id, school_class)

    def _assign(self, year_id: int, teacher_id: int, class_id: int, subject_id: int) -> None:
        self.session.add(TeachingAssignment(year_id=year_id, teacher_id=teacher_id,
                                            class_id=class_id, subject_id=subject_id))

    def _students(self, school_id: int, school_class: SchoolClass) -> None:
        size = self.class_size + self.rng.randint(-2, 2)
        people = []
        for _ in range(size):
            female = self.rng.random() < 0.5
            name = _person(self.rng, female)
            people.append((name, female))
        # Roll order: by given name, then the whole name, as class lists are kept.
        people.sort(key=lambda p: (fold(p[0].split()[-1]), fold(p[0])))
        born = 2026 - school_class.grade - 5
        for name, female in people:
            code = f"HS{school_class.grade}{self.rng.randrange(10**7, 10**8)}"
            student = self.add(Student(
                school_id=school_id, code=code, full_name=name, folded_name=fold(name),
                birth_date=date(born, 1, 1) + timedelta(days=self.rng.randrange(365)),
                gender="Nữ" if female else "Nam", ethnicity=self.rng.choice(ETHNIC),
                birthplace="Thành phố Hồ Chí Minh",
                address=f"{self.rng.randint(1, 400)} {self.rng.choice(STREETS)}, "
                        f"{self.rng.choice(WARDS[self.district])}, {self.district}",
                father_name=_person(self.rng, False), mother_name=_person(self.rng, True),
                guardian_phone=f"09{self.rng.randrange(10**7, 10**8)}"))
            enrol(self.session, student.id, school_class.id, YEAR_START)


DEMO_SCHOOLS = [("THCS-NSL", "Trường THCS Ngô Sĩ Liên"), ("THCS-TVO", "Trường THCS Trần Văn Ơn"),
                ("THCS-LQD", "Trường THCS Lê Quý Đôn"), ("THCS-NDC", "Trường THCS Nguyễn Du"),
                ("THCS-CVA", "Trường THCS Chu Văn An")]


THPT_SCHOOL = ("THPT-BK", "Trường THPT Bình Khánh")  # the school of seed 001
DEMO_LEVELS = ("THCS", "THPT", "THCS+THPT")


def build_demo_school(session: Session, seed: int = 2026, classes_per_grade: int = 4,
                      class_size: int = 40, school_code: str = "", school_name: str = "",
                      level: str = "THCS") -> DemoSchool:
    """A demo school of `level`: THCS, THPT or both (THCS+THPT, a multi-level school)."""
    plans = tuple(LEVELS[part] for part in level.split("+"))
    default_code, default_name = DEMO_SCHOOLS[0] if level == "THCS" else THPT_SCHOOL
    code = school_code or default_code
    name = school_name or dict(DEMO_SCHOOLS).get(code, default_name)
    district = "Quận Tân Bình" if level == "THCS" else "Huyện Cần Giờ"
    return _Builder(session, seed, classes_per_grade, class_size, plans).build(code, name,
                                                                               district)


ALL_COLUMNS = ("TX1", "TX2", "TX3", "TX4", "GK", "CK")


def fill_scores(session: Session, demo: DemoSchool, seed: int = 2026,
                columns: tuple[str, ...] = ("TX1", "TX2", "GK"), share: float = 0.8,
                term: int = 1, class_ids: list[int] | None = None) -> int:
    """Enter some columns of a term for `share` of the teaching assignments, through
    the score service as the assigned teachers; returns the number of batches."""
    rng = random.Random(seed + term)
    clock = FixedClock(datetime.combine(date(2026, 11, 14), time(14, 0), VN_TZ))
    term_id, batches = demo.term_ids[term], 0
    ability: dict[int, float] = {}
    for (class_id, subject_id), teacher_id in sorted(demo.teacher_of.items()):
        if rng.random() > share or (class_ids is not None and class_id not in class_ids):
            continue
        school_class, subject = session.get(SchoolClass, class_id), session.get(Subject, subject_id)
        lines = roster(session, class_id)
        for column in columns_for(session, subject, school_class):
            if column not in columns:
                continue
            values = {line.student.id: _score(rng, ability, line.student.id, subject.kind)
                      for line in lines}
            enter_scores(session, clock, teacher_id,
                         ScoreBatch(class_id, subject_id, term_id, column, values), via="demo")
            batches += 1
    return batches


def _score(rng: random.Random, ability: dict[int, float], student_id: int, kind: str) -> str:
    if kind == SubjectKind.COMMENT:
        return "Đ" if rng.random() < 0.96 else "CĐ"
    level = ability.setdefault(student_id, rng.gauss(7.0, 1.3))
    value = min(10.0, max(0.0, rng.gauss(level, 1.2)))
    step = 0.5 if rng.random() < 0.7 else 0.1
    rounded = round(round(value / step) * step, 1)
    return f"{rounded:g}".replace(".", ",")


def record_demo_absences(session: Session, demo: DemoSchool, seed: int = 2026) -> int:
    """A few absences per class in October and November, recorded by the GVCN."""
    rng = random.Random(seed + 2)
    clock = FixedClock(datetime(2026, 11, 20, 17, 0, tzinfo=VN_TZ))
    count = 0
    for class_id in demo.class_ids:
        students = [line.student.id for line in roster(session, class_id)]
        for _ in range(6):
            day = date(2026, rng.choice([10, 11]), rng.randint(1, 19))
            if day.weekday() == 6:
                continue
            picked = tuple(sorted(set(rng.sample(students, rng.randint(1, 3)))))
            try:
                record_absences(session, clock, demo.homeroom[class_id],
                                AbsenceReport(class_id, day, DaySession.MORNING, picked), "demo")
                count += len(picked)
            except InvalidBatch:
                session.rollback()  # the same student drawn twice for one session: skip
    return count


def demo_exists(session: Session) -> bool:
    return session.exec(select(School.id).limit(1)).first() is not None
