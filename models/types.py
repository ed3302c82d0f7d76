"""Column types and enumerations shared by the tables."""

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import DateTime, Integer
from sqlalchemy.types import TypeDecorator

from grading.vocabulary import CommentMark, SubjectKind  # noqa: F401  (re-exported)


class TenthsDecimal(TypeDecorator):
    """A score 0.0–10.0 stored exactly as an integer count of tenths.

    SQLite has no exact decimal type; storing tenths keeps scores exact on
    every backend while the Python side only ever sees `Decimal`.
    """

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        tenths = Decimal(value) * 10
        if tenths != tenths.to_integral_value():
            raise ValueError(f"score {value} has more than one decimal")
        return int(tenths)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(value) / 10).quantize(Decimal("0.1"))


class UtcDateTime(TypeDecorator):
    """A timezone-aware instant, stored in UTC, read back aware on every backend.

    SQLite drops the offset of `DateTime(timezone=True)` and returns naive
    values; comparing those with aware clock times would fail or lie.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use core.clock")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Role(StrEnum):
    PRINCIPAL = "HT"
    VICE_PRINCIPAL = "PHT"
    ADMIN = "QT"
    SUBJECT_TEACHER = "GVBM"
    HOMEROOM_TEACHER = "GVCN"
    DEPARTMENT_HEAD = "TTCM"
    OFFICE = "VT"
    SUPERVISOR = "GT"
    DISTRICT_OFFICER = "CVP"  # chuyên viên Phòng GD&ĐT: read-only, across the district


ROLE_LABELS = {
    Role.PRINCIPAL: "Hiệu trưởng",
    Role.VICE_PRINCIPAL: "Phó hiệu trưởng",
    Role.ADMIN: "Quản trị",
    Role.SUBJECT_TEACHER: "Giáo viên bộ môn",
    Role.HOMEROOM_TEACHER: "Giáo viên chủ nhiệm",
    Role.DEPARTMENT_HEAD: "Tổ trưởng chuyên môn",
    Role.OFFICE: "Văn thư",
    Role.SUPERVISOR: "Giám thị",
    Role.DISTRICT_OFFICER: "Chuyên viên Phòng GD&ĐT",
}


class EnrolmentStatus(StrEnum):
    STUDYING = "studying"
    TRANSFERRED_IN = "transferred_in"
    TRANSFERRED_OUT = "transferred_out"
    CHANGED_CLASS = "changed_class"
    DROPPED_OUT = "dropped_out"


class Session(StrEnum):
    MORNING = "sang"
    AFTERNOON = "chieu"


SESSION_LABELS = {Session.MORNING: "sáng", Session.AFTERNOON: "chiều"}


class AbsenceStatus(StrEnum):
    UNCONFIRMED = "?"
    EXCUSED = "P"
    UNEXCUSED = "K"


class Gender(StrEnum):
    MALE = "Nam"
    FEMALE = "Nữ"


class CorrectionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"  # approved by BGH, awaiting the admin's confirmation
    APPLIED = "applied"
    REJECTED = "rejected"
    EXPIRED = "expired"
    STALE = "stale"  # the cell changed after the request: refused on decision
    WITHDRAWN = "withdrawn"
