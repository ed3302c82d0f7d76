"""The school's structure: years, terms, departments, subjects, classes."""

from datetime import date

from sqlmodel import Field, SQLModel, UniqueConstraint

DISTRICT_OFFICE_LEVEL = "PGD"  # a district office's row: no classes, its officers' home
LEVEL_GRADES = {"THCS": range(6, 10), "THPT": range(10, 13)}
MULTI_LEVEL = "THCS+THPT"  # trường phổ thông nhiều cấp học: a class's level is its grade's


def level_of_grade(grade: int) -> str:
    """THCS for grades 6–9, THPT for 10–12: a class's level never depends on its school's."""
    return "THPT" if grade >= 10 else "THCS"


class School(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    district: str = Field(default="", max_length=100)
    province: str = Field(default="", max_length=100)
    level: str = Field(default="THCS", max_length=12)  # THCS, THPT, THCS+THPT or PGD
    correction_needs_admin_confirmation: bool = False
    correction_expiry_days: int = 14
    remind_monthly: bool = True  # 001: scores entered on the last days of each month
    remind_weekly: bool = False  # 003: regular scores before 15:00 on Saturday
    lock_notice_days: int = 3
    absence_confirm_days: int = 5  # the GVCN confirms last month's absences by this day
    demo: bool = False  # created by `sodiem demo`: the only school demo mode may run on
    scores_without_comma: bool = False  # "85" means 8,5 (then "10" must be written 10,0)
    afternoon_starts: int = 12  # hour: absences typed from then on default to the afternoon
    unlock_days: int = 3  # how long an approved "Xin mở khóa" window stays open
    # TT22 Điều 9.3 as this school reads it (grading.tt22: Adjustment, LoneSubject).
    learning_adjustment: str = Field(default="actual_plus_one", max_length=24)
    lone_subject_reading: str = Field(default="floor", max_length=16)
    comment_subject_counts: bool = False
    # Chuyên đề học tập periods added to their subject's periods when counting TX columns.
    topic_periods_count: bool = True


class SchoolYear(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("school_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    name: str = Field(max_length=16)  # "2026-2027"
    start_date: date
    end_date: date
    circular: str = Field(default="tt22", max_length=16)
    is_current: bool = False


class Term(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("year_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    year_id: int = Field(foreign_key="schoolyear.id", index=True)
    number: int  # 1 or 2
    start_date: date
    end_date: date


class Department(SQLModel, table=True):
    """Tổ chuyên môn. Its head is the member holding the TTCM role."""

    __table_args__ = (UniqueConstraint("school_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    name: str = Field(max_length=100)


class Subject(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("school_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    code: str = Field(max_length=16)
    name: str = Field(max_length=100)
    kind: str = Field(max_length=8)  # SubjectKind
    department_id: int | None = Field(default=None, foreign_key="department.id")
    order: int = 0


class SubjectAlias(SQLModel, table=True):
    """Another name a school's teachers use for a subject, stored folded ("su dia")."""

    __table_args__ = (UniqueConstraint("school_id", "alias"),)
    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    subject_id: int = Field(foreign_key="subject.id")
    alias: str = Field(max_length=60)


class CurriculumEntry(SQLModel, table=True):
    """Periods per year of a subject in a grade; decides how many TX columns it has.

    An elective entry (THPT: môn lựa chọn) belongs to a class only through the
    class's combination; every other entry belongs to every class of the grade."""

    __table_args__ = (UniqueConstraint("year_id", "grade", "subject_id"),)
    id: int | None = Field(default=None, primary_key=True)
    year_id: int = Field(foreign_key="schoolyear.id", index=True)
    grade: int
    subject_id: int = Field(foreign_key="subject.id")
    periods_per_year: int
    elective: bool = False


class SubjectCombination(SQLModel, table=True):
    """Tổ hợp môn lựa chọn và chuyên đề học tập of a school year (THPT), shared by the
    classes that study it."""

    __table_args__ = (UniqueConstraint("year_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    year_id: int = Field(foreign_key="schoolyear.id", index=True)
    code: str = Field(max_length=16)
    name: str = Field(default="", max_length=200)


class CombinationSubject(SQLModel, table=True):
    """One subject of a combination: an elective it takes, and/or the subject whose
    chuyên đề học tập it studies (`topic_periods` > 0)."""

    __table_args__ = (UniqueConstraint("combination_id", "subject_id"),)
    id: int | None = Field(default=None, primary_key=True)
    combination_id: int = Field(foreign_key="subjectcombination.id", index=True)
    subject_id: int = Field(foreign_key="subject.id")
    topic_periods: int = 0


class SchoolClass(SQLModel, table=True):
    __tablename__ = "schoolclass"
    __table_args__ = (UniqueConstraint("year_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    year_id: int = Field(foreign_key="schoolyear.id", index=True)
    name: str = Field(max_length=16)
    grade: int
    homeroom_teacher_id: int | None = Field(default=None, foreign_key="staff.id")
    combination_id: int | None = Field(default=None, foreign_key="subjectcombination.id")
