"""Printing the class books of a whole school: 32 classes × 40 students, a full year.

Targets (printing issue): the whole school ≤ 20 s using both cores; one class ≤ 1 s.
Run: .venv/bin/python -m bench.printing
"""

import os
import time
from datetime import datetime
from io import BytesIO

from pypdf import PdfReader
from sqlmodel import Session

from bench.common import fresh_database
from bench.grading import bulk_fill
from core.clock import VN_TZ
from models.db import migrate
from printing.archive import render_class, render_classes
from services.demo_school import build_demo_school, record_demo_absences

AT = datetime(2027, 6, 1, 9, 0, tzinfo=VN_TZ)


def main() -> None:
    with fresh_database("sqlite") as engine:
        migrate(engine)
        with Session(engine, expire_on_commit=False) as session:
            school = build_demo_school(session, seed=8, classes_per_grade=8, class_size=40)
            cells = bulk_fill(session, school)
            record_demo_absences(session, school)
        url = engine.url.render_as_string(hide_password=False)
        render_class((url, school.class_ids[0], AT.isoformat()))  # warm fonts and imports
        began = time.perf_counter()
        _, one, _ = render_class((url, school.class_ids[1], AT.isoformat()))
        single = time.perf_counter() - began
        one_pages = _pages(one)
        workers = os.cpu_count() or 1
        began = time.perf_counter()
        rendered = render_classes(url, school.class_ids, AT, workers)
        whole = time.perf_counter() - began
        pages = sum(_pages(pdf) + sum(_pages(s) for s in extra.values())
                    for _, pdf, extra in rendered)
    print(f"one class: {single:.2f} s for the book ({one_pages} pages) and its 2 confirmation "
          f"sheets")
    print(f"whole school: {len(rendered)} classes, {cells} score cells, {pages} pages in "
          f"{whole:.1f} s on {workers} processes = {pages / whole:.0f} pages/s")


def _pages(pdf: bytes) -> int:
    return len(PdfReader(BytesIO(pdf)).pages)


if __name__ == "__main__":
    main()
