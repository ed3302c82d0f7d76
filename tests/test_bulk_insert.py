"""Many rows in one INSERT of a fixed text: the same rows, the same stored values and the
same audit chain on both backends, whatever the batch's size."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import select

from core.clock import VN_TZ
from models import ScoreEntry, Term
from services.bulk_insert import insert_rows
from services.school import roster
from tests.helpers import class_named, score_count, subject


def _rows(session, school, column: str, count: int, term_number: int = 1) -> list[dict]:
    school_class = class_named(session, "6A1")
    math = subject(session, "TOAN")
    term = session.exec(select(Term).where(Term.year_id == school_class.year_id,
                                           Term.number == term_number)).one()
    lines = roster(session, school_class.id)[:count]
    at = datetime(2026, 11, 20, 21, 5, 7, 123456, tzinfo=VN_TZ)
    return [{"student_id": line.student.id, "class_id": school_class.id,
             "subject_id": math.id, "term_id": term.id, "column": column,
             "value": Decimal("7.5") if i % 2 else None, "mark": None if i % 2 else "Đ",
             "entered_by_id": school.admin_id, "entered_at": at, "corrected": False}
            for i, line in enumerate(lines)]


def test_rows_are_stored_with_their_types_and_each_id_comes_back(session, school):
    rows = _rows(session, school, "TX1", 40)
    table = ScoreEntry.__table__
    ids = dict(insert_rows(session, table, rows, returning=(table.c.student_id, table.c.id)))
    session.commit()
    stored = {cell.id: cell for cell in session.exec(
        select(ScoreEntry).where(ScoreEntry.column == "TX1"))}
    assert sorted(ids) == sorted(row["student_id"] for row in rows)
    assert set(ids.values()) == set(stored)
    for row in rows:
        cell = stored[ids[row["student_id"]]]
        assert (cell.value, cell.mark, cell.column) == (row["value"], row["mark"], "TX1")
        assert cell.entered_at == datetime(2026, 11, 20, 14, 5, 7, 123456, tzinfo=UTC)


def test_batches_of_any_size_share_one_prepared_statement(session, school):
    """Twelve batches of six sizes: on PostgreSQL one statement text, which psycopg
    prepares (after five runs) and the server keeps for the connection."""
    table, sizes = ScoreEntry.__table__, (2, 40, 17, 3, 40, 9)
    for term_number in (1, 2):
        for column, count in zip(("TX1", "TX2", "TX3", "TX4", "GK", "CK"), sizes, strict=True):
            insert_rows(session, table, _rows(session, school, column, count, term_number))
    if session.get_bind().dialect.name == "postgresql":
        prepared = session.exec(text("SELECT statement FROM pg_prepared_statements "
                                     "WHERE statement LIKE 'INSERT INTO scoreentry%'")).all()
        assert len(prepared) == 1, prepared
        assert "unnest" in prepared[0][0]
    session.commit()
    assert score_count(session) == 2 * sum(sizes)


def test_no_rows_is_no_statement(session):
    assert insert_rows(session, ScoreEntry.__table__, []) == []
