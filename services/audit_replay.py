"""Replaying the audit log to rebuild every score cell and absence mark, and comparing
the result with the tables.

The services write a cell and its audit entry in one transaction, so the two always
agree; a row changed, added or removed directly in the database (SQL, a restored
backup, a tool) does not touch the log, and shows up here by name.
"""

import json
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models import Absence, AuditEntry, Enrolment, SchoolClass, ScoreEntry, Student, Subject, Term
from services.audit import LEGACY_CHAIN

SCORE_ACTIONS = ("score.enter", "score.correct")
ABSENCE_ACTIONS = ("absence.record", "absence.confirm", "absence.auto_unexcused",
                   "absence.correct")


@dataclass(frozen=True)
class Mismatch:
    """One cell where the table and the log disagree."""

    kind: str  # "score" or "absence"
    row_id: int
    student: str
    class_name: str
    where: str  # "Toán HK1 TX1" or "vắng sáng 16/11/2026"
    in_table: str  # "" when the row is missing from the table
    in_log: str  # "" when the log never recorded the row
    school_id: int | None = None  # the student's school

    def text(self) -> str:
        head = f"{self.student}, lớp {self.class_name}, {self.where}"
        if not self.in_log:
            return f"{head}: có trong bảng ({self.in_table}) nhưng nhật ký không ghi"
        if not self.in_table:
            return f"{head}: nhật ký ghi {self.in_log} nhưng bảng không còn dòng này"
        return f"{head}: bảng ghi {self.in_table}, nhật ký ghi {self.in_log}"


def replay(session: Session, school_id: int | None = None) -> list[Mismatch]:
    """Every mismatch of the deployment, or of one school's students. For one school only
    its chain (and chain 0, logged before chains were per school) and its students' rows
    are read: an archive of one school of a district does not read the district."""
    found = _score_mismatches(session, school_id) + _absence_mismatches(session, school_id)
    return [m for m in found if school_id is None or m.school_id == school_id]


def _log_states(session: Session, entity: str, actions: tuple[str, ...],
                school_id: int | None) -> dict[int, dict]:
    """entity id → the row as the log last described it. A row's entries are in its
    school's chain, after any in chain 0 (logged before chains were per school), so
    (chain, seq) is the order they were written in."""
    states: dict[int, dict] = {}
    query = (select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.new)
             .where(AuditEntry.entity == entity, AuditEntry.action.in_(actions))
             .order_by(AuditEntry.chain, AuditEntry.seq))
    if school_id is not None:
        query = query.where(AuditEntry.chain.in_([LEGACY_CHAIN, school_id]))
    rows = session.exec(query)
    for action, entity_id, new in rows:
        recorded = json.loads(new or "{}")
        if action.endswith(".correct"):
            if entity_id in states:
                states[entity_id] = {**states[entity_id], _value_key(entity):
                                     recorded.get("value")}
        else:
            states[entity_id] = recorded
    return states


def _value_key(entity: str) -> str:
    return "value" if entity == "score" else "status"


def _score_mismatches(session: Session, school_id: int | None) -> list[Mismatch]:
    logged = _log_states(session, "score", SCORE_ACTIONS, school_id)
    names = _Names(session)
    found = []
    query = (select(ScoreEntry, Subject.code, Term.number)
             .join(Subject, Subject.id == ScoreEntry.subject_id)
             .join(Term, Term.id == ScoreEntry.term_id))
    if school_id is not None:
        query = query.join(Student, Student.id == ScoreEntry.student_id).where(
            Student.school_id == school_id)
    rows = session.exec(query).all()
    for cell, subject_code, term_number in rows:
        table = {"student_id": cell.student_id, "subject": subject_code, "term": term_number,
                 "column": cell.column, "value": cell.display()}
        log = logged.pop(cell.id, None)
        if log is None or _score_key(log) != _score_key(table) or log.get("value") != \
                table["value"]:
            found.append(names.score(cell.id, table, log, names.class_of_id(cell.class_id)))
    for row_id, log in logged.items():
        found.append(names.score(row_id, None, log, log.get("class", "?")))
    return found


def _score_key(state: dict) -> tuple:
    return (state.get("student_id"), state.get("subject"), state.get("term"),
            state.get("column"))


def _absence_mismatches(session: Session, school_id: int | None) -> list[Mismatch]:
    logged = _log_states(session, "absence", ABSENCE_ACTIONS, school_id)
    names = _Names(session)
    found = []
    query = select(Absence)
    if school_id is not None:
        query = query.join(Student, Student.id == Absence.student_id).where(
            Student.school_id == school_id)
    for absence in session.exec(query).all():
        table = {"student_id": absence.student_id, "day": str(absence.day),
                 "session": absence.session, "status": absence.status}
        log = logged.pop(absence.id, None)
        if log is None or any(log.get(k) != v for k, v in table.items()):
            found.append(names.absence(absence.id, table, log,
                                       names.class_of_id(absence.class_id)))
    for row_id, log in logged.items():
        found.append(names.absence(row_id, None, log, names.class_of_student(
            log.get("student_id"), log.get("day"))))
    return found


class _Names:
    """Readable names for a mismatch, looked up only when there is one."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def student(self, student_id) -> str:
        student = self.session.get(Student, student_id) if student_id else None
        return student.full_name if student else f"HS mã {student_id}"

    def school(self, student_id) -> int | None:
        student = self.session.get(Student, student_id) if student_id else None
        return student.school_id if student else None

    def class_of_id(self, class_id: int) -> str:
        school_class = self.session.get(SchoolClass, class_id)
        return school_class.name if school_class else f"mã {class_id}"

    def class_of_student(self, student_id, iso_day: str | None) -> str:
        """The class the student was in that day (a deleted absence row names no class)."""
        query = select(SchoolClass.name).join(Enrolment, Enrolment.class_id == SchoolClass.id) \
            .where(Enrolment.student_id == student_id).order_by(Enrolment.start_date.desc())
        if iso_day:
            query = query.where(Enrolment.start_date <= date.fromisoformat(iso_day))
        return self.session.exec(query).first() or "?"

    def subject(self, code) -> str:
        subject = self.session.exec(select(Subject).where(Subject.code == code)).first()
        return subject.name if subject else str(code)

    def score(self, row_id: int, table: dict | None, log: dict | None,
              class_name: str) -> Mismatch:
        shown = table or log
        where = (f"{self.subject(shown.get('subject'))} HK{shown.get('term')} "
                 f"{shown.get('column')}")
        if table and log and _score_key(log) != _score_key(table):
            where += f" (nhật ký: ô {log.get('column')} HK{log.get('term')} của " \
                     f"{self.student(log.get('student_id'))})"
        return Mismatch("score", row_id, self.student(shown.get("student_id")), class_name,
                        where, table["value"] if table else "", log.get("value", "") if log
                        else "", self.school(shown.get("student_id")))

    def absence(self, row_id: int, table: dict | None, log: dict | None,
                class_name: str) -> Mismatch:
        shown = table or log
        part = "sáng" if shown.get("session") == "sang" else "chiều"
        where = f"vắng {part} {_day(shown.get('day'))}"
        in_log = log.get("status", "") if log else ""
        keys = ("student_id", "day", "session")
        if table and log and any(table[k] != log.get(k) for k in keys):
            log_part = "sáng" if log.get("session") == "sang" else "chiều"
            in_log = (f"{in_log} cho {self.student(log.get('student_id'))}, {log_part} "
                      f"{_day(log.get('day'))}")
        return Mismatch("absence", row_id, self.student(shown.get("student_id")), class_name,
                        where, table["status"] if table else "", in_log,
                        self.school(shown.get("student_id")))


def _day(iso: str | None) -> str:
    if not iso:
        return "?"
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"
