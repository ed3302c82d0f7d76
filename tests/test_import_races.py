"""The same new combinations and classes imported twice at once (a double-submitted form,
two admins with one file): each row is written once, both imports get an answer, and
the school's audit chain still verifies."""

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models import SchoolClass, SchoolYear, Staff, Student, SubjectCombination
from services.audit import verify
from services.errors import DomainError
from services.import_conflicts import CONFLICT, retried_on_conflict
from services.importing import import_students
from services.importing_classes import (
    CLASS_COLUMNS,
    COMBINATION_COLUMNS,
    import_classes,
    import_combinations,
)
from services.importing_staff import STAFF_COLUMNS, import_staff
from tests.admin_helpers import good_rows, sheet_file, student_file
from tests.helpers import at_once

COMBINATIONS = [["TN7", "Lí – Hóa – Sinh – Tin", "lí", "hoá", "sinh", "tin", "toán", "lí", "hoá"],
                ["XH7", "Sử – Địa – KTPL – Tin", "địa", "ktpl", "tin", "công nghệ", "văn",
                 "sử", "địa"]]
CLASSES = [["10A8", 10, "TN1", ""], ["10A9", 10, "XH1", ""], ["11A9", 11, "TN1", ""]]


def _twice_at_once(engine, demo, clock, importer, content):
    def one(_):
        with Session(engine, expire_on_commit=False) as session:
            year = session.get(SchoolYear, demo.year_id)
            target = demo.school_id if importer is import_staff else year
            try:
                return importer(session, clock, demo.admin_id, target, content)
            except Exception as error:  # the outcome under test, whatever it is
                return error
    return at_once(2, one)


def _assert_both_answered(outcomes, rows: int) -> None:
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert all(o.ok for o in outcomes), [e.text() for o in outcomes for e in o.errors]
    assert sorted(o.created for o in outcomes) == [0, rows], outcomes


STAFF = [[f"GV9{i:02d}", f"Lê Thị Mai {i}", "Nữ", "", "", "", "GVBM"] for i in range(3)]
CASES = {
    "combinations": (import_combinations, lambda: sheet_file(COMBINATION_COLUMNS, COMBINATIONS),
                     SubjectCombination.code, ["TN7", "XH7"]),
    "classes": (import_classes, lambda: sheet_file(CLASS_COLUMNS, CLASSES), SchoolClass.name,
                ["10A8", "10A9", "11A9"]),
    "students": (import_students, lambda: student_file(good_rows(4, "10A1")), Student.code,
                 [f"HSMOI{i:03d}" for i in range(4)]),
    "staff": (import_staff, lambda: sheet_file(STAFF_COLUMNS, STAFF), Staff.code,
              ["GV900", "GV901", "GV902"]),
}


@pytest.mark.parametrize("kind", CASES)
def test_the_same_new_rows_imported_twice_at_once_are_written_once(thpt_db, clock, kind):
    engine, demo = thpt_db
    importer, content, key, expected = CASES[kind]
    outcomes = _twice_at_once(engine, demo, clock, importer, content())
    _assert_both_answered(outcomes, len(expected))
    with Session(engine) as session:
        assert sorted(session.exec(select(key).where(key.in_(expected))).all()) == expected
        assert verify(session, school_id=demo.school_id).ok


def test_an_import_that_keeps_losing_says_so_and_keeps_nothing(thpt_db):
    engine, demo = thpt_db
    attempts = []

    @retried_on_conflict
    def always_conflicting(session):
        attempts.append(1)
        session.add(SubjectCombination(year_id=demo.year_id, code="ZZ1", name="ZZ1"))
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    with Session(engine) as session:
        with pytest.raises(DomainError) as refused:
            always_conflicting(session)
        assert refused.value.message == CONFLICT
        assert len(attempts) == 2
        assert session.exec(select(SubjectCombination).where(
            SubjectCombination.code == "ZZ1")).first() is None
