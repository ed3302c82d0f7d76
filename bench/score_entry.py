"""Entering 40-score batches through the service layer on a 1,600-student school.

Target (foundation issue): p95 ≤ 50 ms per confirmed batch, audit entries included.
Run: .venv/bin/python -m bench.score_entry   (SODIEM_BENCH_BACKENDS=sqlite to skip PostgreSQL)
"""

import random
import time

from sqlmodel import Session

from bench.common import backends, fresh_database, summary_ms
from core.clock import SystemClock
from grading.vocabulary import SubjectKind
from models import SchoolClass, Subject
from models.db import migrate
from services import audit
from services.demo_school import build_demo_school
from services.school import columns_for, roster
from services.scores import ScoreBatch, enter_scores

BATCHES = 400


def run(backend: str) -> None:
    with fresh_database(backend) as engine:
        migrate(engine)
        with Session(engine, expire_on_commit=False) as session:
            start = time.perf_counter()
            school = build_demo_school(session, seed=11, classes_per_grade=10, class_size=40)
            seeded = time.perf_counter() - start
            work = _work(session, school)
        rng = random.Random(5)
        clock, durations = SystemClock(), []
        with Session(engine, expire_on_commit=False) as session:
            for teacher_id, batch, kind in work[:BATCHES]:
                values = {sid: _value(rng, kind) for sid in batch.values}
                batch = ScoreBatch(batch.class_id, batch.subject_id, batch.term_id,
                                   batch.column, values)
                began = time.perf_counter()
                enter_scores(session, clock, teacher_id, batch, via="bench")
                durations.append(time.perf_counter() - began)
            chain = audit.verify(session)
        total = sum(durations)
        scores = sum(len(b.values) for _, b, _ in work[:BATCHES])
        print(f"[{backend}] school of 1,600 students seeded in {seeded:.1f} s")
        print(f"[{backend}] " + summary_ms("score batch (≈40 scores + audit)", durations))
        print(f"[{backend}] {len(durations) / total:.0f} batches/s, {scores / total:.0f} scores/s;"
              f" audit chain of {chain.checked} entries verified: {chain.ok}")


def _value(rng: random.Random, kind: str) -> str:
    if kind == SubjectKind.COMMENT:
        return rng.choice(["Đ", "Đ", "Đ", "CĐ"])
    return f"{rng.randint(0, 100) / 10:g}"


def _work(session: Session, school) -> list[tuple[int, ScoreBatch, str]]:
    work = []
    for (class_id, subject_id), teacher_id in sorted(school.teacher_of.items()):
        school_class = session.get(SchoolClass, class_id)
        subject = session.get(Subject, subject_id)
        ids = [line.student.id for line in roster(session, class_id)]
        for column in columns_for(session, subject, school_class):
            batch = ScoreBatch(class_id, subject_id, school.term_ids[1], column,
                               dict.fromkeys(ids, ""))
            work.append((teacher_id, batch, subject.kind))
    random.Random(3).shuffle(work)
    return work


if __name__ == "__main__":
    for name in backends():
        run(name)
