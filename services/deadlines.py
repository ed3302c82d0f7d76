"""When each score column is due, and what every teacher still owes.

The seeds fix only the rhythm (001: enter on the 30th/31st; 003: regular scores
weekly, periodic tests within two weeks), not per-column dates. We spread the
regular columns evenly over the term, put the midterm two weeks after the
term's middle and the final at the term's end; a column is "owed" once due.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from models import Term
from services.progress import ProgressRow, progress

MIDTERM_GRACE = timedelta(days=14)


def due_date(term: Term, column: str, regular_count: int) -> date:
    length = term.end_date - term.start_date
    if column == "CK":
        return term.end_date
    if column == "GK":
        return term.start_date + length / 2 + MIDTERM_GRACE
    index = int(column[2:])
    return term.start_date + length * index / (regular_count + 1)


@dataclass(frozen=True)
class OwedItem:
    class_name: str
    subject_name: str
    column: str
    missing: int
    due: date

    def line(self, today: date) -> str:
        late = " — quá hạn" if self.due < today else ""
        return (f"• {self.subject_name} {self.class_name}, cột {self.column}: còn thiếu "
                f"{self.missing} điểm (hạn {self.due:%d/%m}){late}")


def owed_by_teacher(session: Session, term: Term, on: date,
                    horizon: timedelta = timedelta(days=0)) -> dict[int, list[OwedItem]]:
    """Teacher id → columns due by `on + horizon` still missing scores (one query for all)."""
    owed: dict[int, list[OwedItem]] = defaultdict(list)
    for row in progress(session, term.id):
        owed_items = _owed_in_row(row, term, on + horizon)
        if owed_items:
            owed[row.teacher_id].extend(owed_items)
    return dict(owed)


def missing_with_due_dates(row: ProgressRow, term: Term) -> list[tuple[str, int, date]]:
    """(column, students missing, due date) for each column of a progress row still open."""
    regular = sum(1 for c in row.columns if c.startswith("TX"))
    return [(column, missing, due_date(term, column, regular))
            for column, missing in row.missing_by_column.items()]


def _owed_in_row(row: ProgressRow, term: Term, by: date) -> list[OwedItem]:
    items = []
    for column, missing, due in missing_with_due_dates(row, term):
        if due <= by:
            items.append(OwedItem(row.class_name, row.subject_name, column, missing, due))
    return items

