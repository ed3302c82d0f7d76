"""What the book records: scores, absences, conduct, locks, corrections."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, LargeBinary, Text, text
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.types import TenthsDecimal, UtcDateTime


class ScoreEntry(SQLModel, table=True):
    """One cell of the book: a student's score in one column of one subject and term."""

    __table_args__ = (UniqueConstraint("student_id", "subject_id", "term_id", "column"),)
    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    class_id: int = Field(foreign_key="schoolclass.id", index=True)
    subject_id: int = Field(foreign_key="subject.id", index=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    column: str = Field(max_length=8)  # TX1..TX4, GK, CK
    value: Decimal | None = Field(default=None, sa_type=TenthsDecimal)
    mark: str | None = Field(default=None, max_length=4)  # CommentMark for comment subjects
    entered_by_id: int = Field(foreign_key="staff.id")
    entered_at: datetime = Field(sa_type=UtcDateTime)
    corrected: bool = False

    def display(self) -> str:
        return self.mark if self.mark is not None else f"{self.value}".replace(".", ",")


class Absence(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("student_id", "day", "session"),)
    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    class_id: int = Field(foreign_key="schoolclass.id", index=True)
    day: date = Field(index=True)
    session: str = Field(max_length=8)  # models.types.Session
    status: str = Field(max_length=2)  # AbsenceStatus
    recorded_by_id: int = Field(foreign_key="staff.id")
    recorded_at: datetime = Field(sa_type=UtcDateTime)
    confirmed_by_id: int | None = Field(default=None, foreign_key="staff.id")
    confirmed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class AbsenceMonthClosing(SQLModel, table=True):
    """A class's month of attendance closed: its unconfirmed absences became K."""

    __table_args__ = (UniqueConstraint("class_id", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    class_id: int = Field(foreign_key="schoolclass.id", index=True)
    month: date  # first day of the month
    closed_at: datetime = Field(sa_type=UtcDateTime)
    closed_by_id: int | None = Field(default=None, foreign_key="staff.id")


class ConductRating(SQLModel, table=True):
    """Kết quả rèn luyện of a term, entered by the GVCN."""

    __table_args__ = (UniqueConstraint("student_id", "term_id"),)
    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    term_id: int = Field(foreign_key="term.id")
    level: str = Field(max_length=16)
    entered_by_id: int = Field(foreign_key="staff.id")
    entered_at: datetime = Field(sa_type=UtcDateTime)


class LockWindow(SQLModel, table=True):
    """A lock of part of the book, decided by HT/PHT and executed by the admin or HT.

    Empty scope fields mean "all": a lock with only `term_id` locks the whole
    term for every class and subject. `month` (first day) locks the attendance
    of that month.
    """

    id: int | None = Field(default=None, primary_key=True)
    year_id: int = Field(foreign_key="schoolyear.id", index=True)
    term_id: int | None = Field(default=None, foreign_key="term.id")
    month: date | None = None
    class_id: int | None = Field(default=None, foreign_key="schoolclass.id")
    subject_id: int | None = Field(default=None, foreign_key="subject.id")
    reason: str = Field(default="", max_length=200)
    decided_by_id: int = Field(foreign_key="staff.id")
    executed_by_id: int = Field(foreign_key="staff.id")
    starts_at: datetime = Field(sa_type=UtcDateTime)
    lifted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    lifted_by_id: int | None = Field(default=None, foreign_key="staff.id")


OPEN_CORRECTION = "status IN ('pending', 'approved')"


class CorrectionRequest(SQLModel, table=True):
    """A teacher's request to change a recorded score or absence (the correction procedure).

    At most one open (pending or approved) request per cell: a partial unique index
    on each kind of cell, so that simultaneous requests cannot both get in."""

    __table_args__ = tuple(
        Index(f"uq_open_correction_{column}", column, unique=True,
              sqlite_where=text(OPEN_CORRECTION), postgresql_where=text(OPEN_CORRECTION))
        for column in ("score_entry_id", "absence_id"))
    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=16, unique=True)  # what buttons carry, never the id
    kind: str = Field(max_length=8)  # "score" or "absence"
    score_entry_id: int | None = Field(default=None, foreign_key="scoreentry.id", index=True)
    absence_id: int | None = Field(default=None, foreign_key="absence.id", index=True)
    old_value: str = Field(max_length=8)
    new_value: str = Field(max_length=8)
    reason: str = Field(sa_type=Text)
    requested_by_id: int = Field(foreign_key="staff.id")
    requested_at: datetime = Field(sa_type=UtcDateTime)
    approver_id: int | None = Field(default=None, foreign_key="staff.id")
    status: str = Field(max_length=12, index=True)  # CorrectionStatus
    decided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    decision_reason: str = Field(default="", sa_type=Text)
    witness_id: int | None = Field(default=None, foreign_key="staff.id")
    applied_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class UnlockRequest(SQLModel, table=True):
    """A teacher's "Xin mở khóa": one column of one class and subject, past a lock. An
    approval opens it for that teacher until `open_until`; nothing else is unlocked."""

    __table_args__ = (Index("uq_open_unlock", "teacher_id", "class_id", "subject_id",
                            "term_id", "column", unique=True,
                            sqlite_where=text("status = 'pending'"),
                            postgresql_where=text("status = 'pending'")),)
    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=16, unique=True)
    teacher_id: int = Field(foreign_key="staff.id", index=True)
    class_id: int = Field(foreign_key="schoolclass.id")
    subject_id: int = Field(foreign_key="subject.id")
    term_id: int = Field(foreign_key="term.id")
    column: str = Field(max_length=8)
    lock_id: int = Field(foreign_key="lockwindow.id")
    reason: str = Field(sa_type=Text)
    requested_at: datetime = Field(sa_type=UtcDateTime)
    approver_id: int = Field(foreign_key="staff.id")
    status: str = Field(max_length=12, index=True)  # pending/approved/rejected/closed/expired
    decided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    decision_reason: str = Field(default="", sa_type=Text)
    open_until: datetime | None = Field(default=None, sa_type=UtcDateTime)


class DocumentLink(SQLModel, table=True):
    """A short-lived link to one document for one staff member (transports that cannot
    send files, or where a link beats a 10 MB upload). Used once, audited on download."""

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=32, unique=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    kind: str = Field(max_length=16)  # "minutes", "class_book"
    ref: int  # the correction request's or the class's id
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    downloaded_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class SummerConduct(SQLModel, table=True):
    """Kết quả rèn luyện after summer training (rèn luyện trong hè), rated by the GVCN."""

    __table_args__ = (UniqueConstraint("student_id", "year_id"),)
    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    year_id: int = Field(foreign_key="schoolyear.id", index=True)
    level: str = Field(max_length=16)
    rated_by_id: int = Field(foreign_key="staff.id")
    rated_at: datetime = Field(sa_type=UtcDateTime)


class PrintedDocument(SQLModel, table=True):
    """One printing of a document: the code on its pages' footers, the audit-chain head it
    was printed from and, page by page, the cells it showed (JSON: page → [[entry, value]]),
    so that `verify-print` can say years later whether a page still holds what it printed."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    school_id: int = Field(foreign_key="school.id", index=True)
    kind: str = Field(max_length=24)  # "class_book", "confirmation", "teacher_book", …
    title: str = Field(max_length=200)
    printed_at: datetime = Field(sa_type=UtcDateTime)
    audit_chain: int = 0  # the chain `audit_seq` counts in (0: printed before per-school chains)
    audit_seq: int
    audit_hash: str = Field(max_length=64)
    pages: int = 0
    cells: str = Field(default="{}", sa_type=Text)


class SignInFailure(SQLModel, table=True):
    """A failed panel sign-in, kept in the database so that every replica counts the same
    attempts (five per address and account in fifteen minutes)."""

    __table_args__ = (Index("ix_signinfailure_address_code", "address", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=64)
    code: str = Field(max_length=32)
    at: datetime = Field(sa_type=UtcDateTime)


class WebChatLine(SQLModel, table=True):
    """One line of the panel's web chat (demo mode), in the database so that any replica
    shows the same conversation."""

    __table_args__ = (Index("ix_webchatline_admin_staff", "admin_id", "as_staff_id"),)
    id: int | None = Field(default=None, primary_key=True)
    admin_id: int = Field(foreign_key="staff.id")
    as_staff_id: int
    speaker: str = Field(max_length=8)  # "user" or "bot"
    text: str = Field(sa_type=Text)
    buttons: str = Field(default="", sa_type=Text)  # JSON rows of [label, data]
    table: str = Field(default="", sa_type=Text)  # JSON cells of a monospace reply
    at: datetime = Field(sa_type=UtcDateTime)


class PendingAction(SQLModel, table=True):
    """A preview waiting for the user's Xác nhận / Hủy, kept in the database so that a
    restart mid-conversation loses nothing. Buttons carry only `token`."""

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=16, unique=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    kind: str = Field(max_length=16)  # "scores", "absences"
    payload: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    status: str = Field(default="pending", max_length=12)  # pending/confirmed/cancelled/expired
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ProcessedUpdate(SQLModel, table=True):
    """An incoming update already handled: Telegram retries must not act twice."""

    __table_args__ = (UniqueConstraint("channel", "update_key"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    update_key: str = Field(max_length=64)
    at: datetime = Field(sa_type=UtcDateTime)


class Delivery(SQLModel, table=True):
    """One message the scheduler owes someone: the outbox.

    The key (job, period, recipient) is stored before anything is sent, so a job
    that runs twice, or again after a restart, adds nothing. `status` moves
    pending → sending → sent; a row left in "sending" by a crash is not sent
    again (it may have reached Telegram) but is listed for the admin.
    """

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    text: str = Field(sa_type=Text)
    buttons: str = Field(default="", sa_type=Text)  # JSON rows of [label, data]
    image: bytes | None = Field(default=None, sa_type=LargeBinary)  # a PNG sent after the text
    created_at: datetime = Field(sa_type=UtcDateTime)
    status: str = Field(default="pending", max_length=12, index=True)
    attempts: int = 0
    sent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str = Field(default="", max_length=300)
    # pending → claimed (by one sender, under a lease) → sending → sent: two senders never
    # hold the same row, and only rows whose lease ran out are settled by another one.
    claimed_by: str = Field(default="", max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ArchiveJob(SQLModel, table=True):
    """A year-end archive being built, in the database so that any replica shows its
    progress and refuses a second one for the school while it runs. `heartbeat_at` moves
    with the progress: a job whose process died stops moving and is closed as failed."""

    __table_args__ = (Index("uq_archivejob_running", "school_id", unique=True,
                            sqlite_where=text("finished_at IS NULL"),
                            postgresql_where=text("finished_at IS NULL")),)
    id: str = Field(primary_key=True, max_length=16)
    school_id: int = Field(foreign_key="school.id", index=True)
    title: str = Field(max_length=120)
    total: int
    done: int = 0
    error: str = Field(default="", sa_type=Text)
    result_path: str = Field(default="", max_length=500)
    owner: str = Field(default="", max_length=80)  # host:pid of the process building it
    started_at: datetime = Field(sa_type=UtcDateTime)
    heartbeat_at: datetime = Field(sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)

    @property
    def percent(self) -> int:
        return 100 if self.result_path else int(self.done * 100 / max(self.total, 1))


class SendBudget(SQLModel, table=True):
    """The bot's message budget across replicas: a token bucket per channel, moved by
    `services.send_budget` (times are the database's, in seconds since the epoch)."""

    channel: str = Field(primary_key=True, max_length=16)
    tokens: float
    updated_at: float
