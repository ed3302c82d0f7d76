"""SQLModel tables. Importing this package registers every table on `SQLModel.metadata`."""

from models.audit import AuditCheckpoint, AuditEntry, AuditVerification
from models.people import (
    ChatIdentity,
    Enrolment,
    Invite,
    Staff,
    StaffRole,
    Student,
    TeachingAssignment,
)
from models.records import (
    Absence,
    AbsenceMonthClosing,
    ConductRating,
    CorrectionRequest,
    Delivery,
    LockWindow,
    PendingAction,
    ProcessedUpdate,
    ScoreEntry,
)
from models.school import (
    CurriculumEntry,
    Department,
    School,
    SchoolClass,
    SchoolYear,
    Subject,
    Term,
)

__all__ = [
    "Absence",
    "AbsenceMonthClosing",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditVerification",
    "ChatIdentity",
    "ConductRating",
    "CorrectionRequest",
    "CurriculumEntry",
    "Delivery",
    "Department",
    "Enrolment",
    "Invite",
    "LockWindow",
    "PendingAction",
    "ProcessedUpdate",
    "School",
    "SchoolClass",
    "SchoolYear",
    "ScoreEntry",
    "Staff",
    "StaffRole",
    "Student",
    "Subject",
    "TeachingAssignment",
    "Term",
]
