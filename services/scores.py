"""Entering a batch of scores: one class × subject × term × column, all or nothing."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, bindparam, true
from sqlmodel import Session, select

from core.clock import Clock
from grading.vocabulary import CommentMark
from models import Enrolment, SchoolClass, ScoreEntry, Student, Subject, Term
from services import audit, transactions
from services.bulk_insert import insert_rows
from services.errors import DomainError, InvalidBatch, InvalidValue, LineProblem
from services.locks import refuse_if_locked, score_lock
from services.permissions import require_assigned_teacher
from services.school import columns_for, get_or_fail, keep
from services.score_values import parse_score


@dataclass(frozen=True)
class ScoreBatch:
    class_id: int
    subject_id: int
    term_id: int
    column: str
    values: Mapping[int, str]  # student id → what the teacher typed


@dataclass(frozen=True)
class BatchContext:
    school_class: SchoolClass
    subject: Subject
    term: Term
    column: str


def enter_scores(session: Session, clock: Clock, actor_id: int, batch: ScoreBatch,
                 via: str = "") -> list[ScoreEntry]:
    """Validate everything first, then write every score and its audit entry in one
    transaction, and commit. Any refusal raises before anything is written. Returns the
    cells stored, in the batch's order."""
    try:
        add_scores(session, clock, actor_id, batch, via)
        transactions.commit(session)
    except Exception:
        transactions.rollback(session)
        raise
    cells = {cell.student_id: cell for cell in session.exec(select(ScoreEntry).where(
        _cells_of(batch.subject_id, batch.term_id, _column_of(batch), batch.values)))}
    return [cells[student_id] for student_id in batch.values]


def add_scores(session: Session, clock: Clock, actor_id: int, batch: ScoreBatch,
               via: str = "") -> int:
    """`enter_scores` inside the caller's transaction. The bot's Xác nhận runs its two
    halves itself (`check_scores`, then `write_scores` with the preview's status)."""
    return write_scores(session, clock, actor_id, check_scores(session, clock, actor_id, batch),
                        via)


@dataclass(frozen=True)
class CheckedBatch:
    """A batch that passed every check: its context and its values as stored."""

    batch: ScoreBatch
    context: BatchContext
    parsed: dict


def check_scores(session: Session, clock: Clock, actor_id: int,
                 batch: ScoreBatch) -> CheckedBatch:
    """Every refusal of `add_scores` (DomainError), before anything is written."""
    context = _check_context(session, clock, actor_id, batch)
    return CheckedBatch(batch, context, _parse_values(session, context, batch))


def write_scores(session: Session, clock: Clock, actor_id: int, checked: CheckedBatch,
                 via: str = "") -> int:
    """Write a checked batch and its audit entries (uncommitted); refuses nothing.

    Rows go in through Core: 40 cells and their 40 audit entries as ORM objects cost
    more in object construction and flushing than the INSERTs themselves."""
    batch, context, parsed = checked.batch, checked.context, checked.parsed
    now = clock.now()
    table = ScoreEntry.__table__
    ids = dict(insert_rows(session, table, [
        _new_row(batch, context.column, student_id, value, actor_id, now)
        for student_id, value in parsed.items()], returning=(table.c.student_id, table.c.id)))
    changes = [audit.Change("score.enter", "score", ids[student_id], None,
                            _snapshot(student_id, value, context))
               for student_id, value in parsed.items()]
    audit.append_many(session, clock, actor_id=actor_id, changes=changes, via=via)
    return len(parsed)


def _new_row(batch: ScoreBatch, column: str, student_id: int, value, actor_id: int,
             now) -> dict:
    is_mark = isinstance(value, CommentMark)
    return {"student_id": student_id, "class_id": batch.class_id,
            "subject_id": batch.subject_id, "term_id": batch.term_id, "column": column,
            "value": None if is_mark else value, "mark": str(value) if is_mark else None,
            "entered_by_id": actor_id, "entered_at": now, "corrected": False}


def _check_context(session: Session, clock: Clock, actor_id: int,
                   batch: ScoreBatch) -> BatchContext:
    school_class, subject, term = _batch_rows(session, batch)
    if term.year_id != school_class.year_id:
        raise DomainError(f"Học kì đã chọn không thuộc năm học của lớp {school_class.name}.")
    require_assigned_teacher(session, actor_id, school_class, subject)
    column = _column_of(batch)
    refuse_if_locked(session, score_lock(session, clock.now(), school_class.year_id, term.id,
                                         school_class.id, subject.id, teacher_id=actor_id,
                                         column=column))
    columns = columns_for(session, subject, school_class)
    if column not in columns:
        raise InvalidValue(f"Môn {subject.name} khối {school_class.grade} không có cột "
                           f"“{batch.column}”. Các cột của môn: {', '.join(columns)}.")
    if not batch.values:
        raise InvalidValue("Chưa có điểm nào trong tin nhắn. Gửi ít nhất một điểm.")
    return BatchContext(school_class, subject, term, column)


# Built once: a Xác nhận runs them, and building cost about as much as running.
_BATCH_ROWS = (select(SchoolClass, Subject, Term)
               .select_from(SchoolClass).join(Subject, true())
               .join(Term, true())  # three rows by key, not a product
               .where(SchoolClass.id == bindparam("class_id"),
                      Subject.id == bindparam("subject_id"), Term.id == bindparam("term_id")))


_CELL_ID = select(ScoreEntry.id).where(  # one student's cell, by the unique index
    ScoreEntry.student_id == Enrolment.student_id,
    ScoreEntry.subject_id == bindparam("subject_id"),
    ScoreEntry.term_id == bindparam("term_id"),
    ScoreEntry.column == bindparam("column")).scalar_subquery()
_CLASS_CELLS = (select(Enrolment.student_id, Enrolment.roll_number, Student.full_name,
                       _CELL_ID)
                .join(Student, Student.id == Enrolment.student_id)
                .where(Enrolment.class_id == bindparam("class_id"),
                       Enrolment.end_date.is_(None)))


def _batch_rows(session: Session, batch: ScoreBatch) -> tuple[SchoolClass, Subject, Term]:
    """The class, subject and term of a batch in one query (each kept for the session);
    a missing one is named as `get_or_fail` would."""
    found = session.exec(_BATCH_ROWS, params={
        "class_id": batch.class_id, "subject_id": batch.subject_id,
        "term_id": batch.term_id}).first()
    if found is None:
        get_or_fail(session, SchoolClass, batch.class_id, "lớp")
        get_or_fail(session, Subject, batch.subject_id, "môn học")
        get_or_fail(session, Term, batch.term_id, "học kì")
    school_class, subject, term = found
    return keep(session, school_class), keep(session, subject), keep(session, term)


def _parse_values(session: Session, context: BatchContext, batch: ScoreBatch) -> dict:
    students = _class_cells(session, batch.class_id, context.subject.id, context.term.id,
                            context.column)
    filled = _filled(session, students, batch.values)
    problems: list[LineProblem] = []
    parsed = {}
    for student_id, raw in batch.values.items():
        if student_id not in students:
            problems.append(LineProblem(f"HS mã {student_id}", f"không có trong danh sách lớp "
                                        f"{context.school_class.name} hiện nay."))
            continue
        label, _ = students[student_id]
        if student_id in filled:
            problems.append(LineProblem(label, f"đã có điểm {context.column} = "
                                               f"{filled[student_id]}; muốn đổi phải gửi yêu "
                                               "cầu sửa điểm."))
            continue
        try:
            parsed[student_id] = parse_score(raw, context.subject.kind)
        except InvalidValue as error:
            problems.append(LineProblem(label, error.message))
    if problems:
        raise InvalidBatch(f"Chưa lưu điểm nào: {len(problems)} dòng cần sửa "
                           f"(lớp {context.school_class.name}, {context.subject.name}, "
                           f"{context.column}).", problems)
    return parsed


def filled_cells(session: Session, class_id: int, subject_id: int, term_id: int, column: str,
                 student_ids) -> dict[int, str]:
    """Of these current students of the class, those whose cell in the column already
    holds a value: student id → the value as shown (one query, two when any is filled)."""
    return _filled(session, _class_cells(session, class_id, subject_id, term_id, column),
                   student_ids)


def filled_students(session: Session, class_id: int, subject_id: int, term_id: int,
                    column: str) -> set[int]:
    """The class's current students whose cell in the column holds a value (one query)."""
    cells = _class_cells(session, class_id, subject_id, term_id, column)
    return {student_id for student_id, (_, cell_id) in cells.items() if cell_id is not None}


def _filled(session: Session, cells: dict[int, tuple[str, int | None]],
            student_ids) -> dict[int, str]:
    """Of `_class_cells`, these students' filled cells: student id → the value as shown."""
    wanted = {cells[s][1]: s for s in student_ids if s in cells and cells[s][1] is not None}
    return {wanted[cell_id]: shown for cell_id, shown in _shown(session, list(wanted)).items()}


def _class_cells(session: Session, class_id: int, subject_id: int, term_id: int,
                 column: str) -> dict[int, tuple[str, int | None]]:
    """Student id → ("roll. name", the id of the column's cell, or None when empty) for
    the class's current students: the roster and the cells a Xác nhận must find empty, in
    one query. Each student's cell is a correlated look-up by the unique index, whatever
    the planner's statistics say (a join may scan the subject's every cell)."""
    rows = session.exec(_CLASS_CELLS, params={
        "class_id": class_id, "subject_id": subject_id, "term_id": term_id, "column": column})
    return {student_id: (f"{roll}. {name}", cell_id) for student_id, roll, name, cell_id in rows}


def _shown(session: Session, cell_ids: list[int]) -> dict[int, str]:
    """Cell id → its value as shown, for the refusal's message (no query when none)."""
    if not cell_ids:
        return {}
    cells = session.exec(select(ScoreEntry).where(ScoreEntry.id.in_(cell_ids)))
    return {cell.id: cell.display() for cell in cells}


def _column_of(batch: ScoreBatch) -> str:
    return batch.column.strip().upper()


def _cells_of(subject_id: int, term_id: int, column: str, student_ids) -> ColumnElement[bool]:
    """These students' cells of one column (one query for a whole batch)."""
    return and_(ScoreEntry.subject_id == subject_id, ScoreEntry.term_id == term_id,
                ScoreEntry.column == column, ScoreEntry.student_id.in_(list(student_ids)))


def _snapshot(student_id: int, value, context: BatchContext) -> dict:
    shown = str(value) if isinstance(value, CommentMark) else f"{value}".replace(".", ",")
    return {"student_id": student_id, "class": context.school_class.name,
            "subject": context.subject.code, "term": context.term.number,
            "column": context.column, "value": shown}


def find_cell(session: Session, student_id: int, subject_id: int, term_id: int,
              column: str) -> ScoreEntry | None:
    return session.exec(select(ScoreEntry).where(
        ScoreEntry.student_id == student_id, ScoreEntry.subject_id == subject_id,
        ScoreEntry.term_id == term_id, ScoreEntry.column == column)).first()
