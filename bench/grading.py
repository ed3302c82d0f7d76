"""Classifying a whole school (both terms and the year) with the grading engine.

Targets (grading issue): a 1,600-student school ≤ 0.5 s on this machine; a
10,000-student district on PostgreSQL ≤ 3 s including the queries.

The scores are bulk-loaded straight into the tables (a benchmark fixture, not
a product path: it bypasses the audited service on purpose, to seed 1.4 million
cells in seconds).

Run: .venv/bin/python -m bench.grading [--district]
"""

import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from decimal import Decimal

from sqlalchemy import insert, text
from sqlmodel import Session, select

from bench.common import backends, fresh_database
from core.clock import VN_TZ
from grading.base import YEAR
from grading.registry import get_circular
from grading.vocabulary import SubjectKind
from models import ConductRating, SchoolClass, ScoreEntry
from models.db import make_engine, migrate
from services.demo_school import build_demo_school
from services.results import class_report, year_reports
from services.school import class_subjects, roster

AT = datetime(2027, 5, 20, 9, 0, tzinfo=VN_TZ)
REPEATS = 3


def bulk_fill(session: Session, school) -> int:
    """Every column of both terms for every student, and conduct for both terms."""
    rng = random.Random(9)
    circular = get_circular("tt22")
    scores, conduct = [], []
    for class_id in school.class_ids:
        school_class = session.get(SchoolClass, class_id)
        subjects = class_subjects(session, school_class)
        for line in roster(session, class_id):
            ability = rng.gauss(7.0, 1.4)
            for term_id in school.term_ids.values():
                conduct.append({"student_id": line.student.id, "term_id": term_id,
                                "level": rng.choice(["Tốt", "Tốt", "Khá", "Đạt"]),
                                "entered_by_id": school.homeroom[class_id], "entered_at": AT})
                for subject, spec in subjects:
                    teacher = school.teacher_of[(class_id, subject.id)]
                    for column in circular.columns(spec):
                        scores.append(_cell(rng, ability, line.student.id, class_id,
                                            subject, term_id, column, teacher))
    for start in range(0, len(scores), 50_000):
        session.execute(insert(ScoreEntry), scores[start:start + 50_000])
    session.execute(insert(ConductRating), conduct)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        # What autovacuum does within a minute of a bulk load: without statistics the
        # planner takes a million cells for a few hundred and sorts them on disk.
        session.execute(text("ANALYZE"))
        session.commit()
    return len(scores)


def _cell(rng, ability, student_id, class_id, subject, term_id, column, teacher) -> dict:
    row = {"student_id": student_id, "class_id": class_id, "subject_id": subject.id,
           "term_id": term_id, "column": column, "entered_by_id": teacher, "entered_at": AT,
           "value": None, "mark": None, "corrected": False}
    if subject.kind == SubjectKind.COMMENT:
        row["mark"] = "Đ" if rng.random() < 0.97 else "CĐ"
    else:
        row["value"] = Decimal(str(round(min(10.0, max(0.0, rng.gauss(ability, 1.3))), 1)))
    return row


def classify_school(session: Session, school) -> tuple[int, dict]:
    levels: dict[str, int] = {}
    count = 0
    for class_id in school.class_ids:
        for _, _, report in class_report(session, class_id).students:
            count += 1
            level = report.learning[YEAR].value or "chưa đủ"
            levels[level] = levels.get(level, 0) + 1
    return count, levels


_WORKER_ENGINES: dict = {}


def _classify_chunk(job: tuple[str, list[int]]) -> int:
    url, class_ids = job
    if url not in _WORKER_ENGINES:
        _WORKER_ENGINES[url] = make_engine(url)
    with Session(_WORKER_ENGINES[url]) as session:
        return sum(len(class_report(session, c).students) for c in class_ids)


def classify_in_parallel(url: str, class_ids: list[int], workers: int) -> tuple[int, float]:
    """Both cores: each worker process classifies every other class on its own connection."""
    chunks = [class_ids[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_classify_chunk, [(url, c[:1]) for c in chunks]))  # start and warm
        took = float("inf")
        for _ in range(REPEATS):
            began = time.perf_counter()
            students = sum(pool.map(_classify_chunk, [(url, c) for c in chunks]))
            took = min(took, time.perf_counter() - began)
    return students, took


def run(backend: str, classes_per_grade: int) -> None:
    with fresh_database(backend) as engine:
        migrate(engine)
        with Session(engine, expire_on_commit=False) as session:
            school = build_demo_school(session, seed=21, classes_per_grade=classes_per_grade,
                                       class_size=40)
            began = time.perf_counter()
            cells = bulk_fill(session, school)
            loaded = time.perf_counter() - began
        took = float("inf")
        for _ in range(REPEATS):
            with Session(engine) as session:
                session.exec(select(ScoreEntry.id).limit(1)).all()  # warm the connection
                began = time.perf_counter()
                students, levels = classify_school(session, school)
                took = min(took, time.perf_counter() - began)
        whole_year = float("inf")
        for _ in range(REPEATS):
            with Session(engine) as session:
                session.exec(select(ScoreEntry.id).limit(1)).all()
                began = time.perf_counter()
                graded = sum(len(r.students) for r in year_reports(session, school.year_id))
                whole_year = min(whole_year, time.perf_counter() - began)
        assert graded == students
        url = engine.url.render_as_string(hide_password=False)
        _, parallel = classify_in_parallel(url, school.class_ids, 2)
        print(f"[{backend}] {students} students, {cells} score cells (loaded in {loaded:.1f} s)")
        print(f"[{backend}] classified both terms and the year, queries included: {took:.2f} s "
              f"best of {REPEATS} "
              f"({students / took:.0f} students/s); KQHT cả năm: {levels}")
        print(f"[{backend}] the whole year at once (year_reports, one query per kind of "
              f"fact): {whole_year:.2f} s ({students / whole_year:.0f} students/s)")
        print(f"[{backend}] class by class on 2 worker processes: {parallel:.2f} s "
              f"({students / parallel:.0f} students/s)")


def engine_only(classes_per_grade: int) -> None:
    """The pure engine on in-memory records: what the rules cost without the database."""
    from tests.grading_fixtures import student

    circular = get_circular("tt22")
    rng = random.Random(4)
    records = [student(circular, [f"{rng.randint(30, 100) / 10}" for _ in range(8)],
                       rng.choice(["ĐĐĐĐ", "ĐĐĐC"]))
               for _ in range(classes_per_grade * 4 * 40)]
    took = float("inf")
    for _ in range(REPEATS):
        began = time.perf_counter()
        for record in records:
            circular.report(record)
        took = min(took, time.perf_counter() - began)
    print(f"[engine only] {len(records)} students, both terms and the year: {took:.2f} s "
          f"(best of {REPEATS})")


if __name__ == "__main__":
    engine_only(10)
    for name in backends():
        run(name, 10)
    if "--district" in sys.argv:
        run("postgresql", 63)
