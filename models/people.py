"""Staff, their roles and chat identities; students and their enrolments."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import UtcDateTime


class Staff(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("school_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    code: str = Field(max_length=32)
    full_name: str = Field(max_length=120)
    folded_name: str = Field(max_length=120, index=True)
    gender: str = Field(default="", max_length=4)
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=120)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    password_hash: str = Field(default="", max_length=255)
    password_changed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    active: bool = True
    session_version: int = 0  # a sign-in cookie carries it; logout or a new password bumps it


class StaffRole(SQLModel, table=True):
    """One role of a staff member; a person may hold several at once."""

    __table_args__ = (UniqueConstraint("staff_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    role: str = Field(max_length=8)  # Role
    grade: int | None = None  # a PHT in charge of one grade, when the school splits the work


class ChatIdentity(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("channel", "external_user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)  # "telegram", "zalo", "web"
    external_user_id: str = Field(max_length=64)
    chat_id: str = Field(max_length=64)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    linked_at: datetime = Field(sa_type=UtcDateTime)
    unlinked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    unreachable_since: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Invite(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    code: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class Student(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("school_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    code: str = Field(max_length=32)
    full_name: str = Field(max_length=120)
    folded_name: str = Field(max_length=120, index=True)
    birth_date: date | None = None
    gender: str = Field(default="", max_length=4)
    ethnicity: str = Field(default="Kinh", max_length=40)
    birthplace: str = Field(default="", max_length=120)
    address: str = Field(default="", max_length=200)
    father_name: str = Field(default="", max_length=120)
    mother_name: str = Field(default="", max_length=120)
    guardian_phone: str = Field(default="", max_length=20)
    priority_group: str = Field(default="", max_length=80)  # đối tượng ưu tiên, chính sách
    father_occupation: str = Field(default="", max_length=80)
    mother_occupation: str = Field(default="", max_length=80)


class Enrolment(SQLModel, table=True):
    """A student's stay in one class; a transfer closes one row and opens another."""

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    class_id: int = Field(foreign_key="schoolclass.id", index=True)
    roll_number: int
    start_date: date
    end_date: date | None = None
    status: str = Field(max_length=16)  # EnrolmentStatus
    note: str = Field(default="", max_length=200)


class TeachingAssignment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("class_id", "subject_id", "teacher_id"),)
    id: int | None = Field(default=None, primary_key=True)
    year_id: int = Field(foreign_key="schoolyear.id", index=True)
    teacher_id: int = Field(foreign_key="staff.id", index=True)
    class_id: int = Field(foreign_key="schoolclass.id", index=True)
    subject_id: int = Field(foreign_key="subject.id")
