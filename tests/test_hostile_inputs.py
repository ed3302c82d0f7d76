"""Every string that came from a person or a file is hostile until escaped where it lands:
reportlab markup, spreadsheet formulas, file paths, lengths. And what the web app shows
an outsider: no API docs, security headers, private files."""

import os
import stat
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import select

from admin.status_app import create_app
from core.config import Settings
from handlers import conversation
from models import CorrectionRequest, SchoolYear, Student
from models.db import make_engine
from printing.archive import build_archive
from printing.class_book import class_book_pdf
from printing.correction_summary import summary_pdf, summary_xlsx
from printing.excel_exports import summary_workbook
from services.book_data import class_book
from services.correction_records import year_facts
from services.corrections import decide, request_score_correction
from services.errors import DomainError
from services.importing import import_students
from services.scores import ScoreBatch, enter_scores
from tests.admin_helpers import good_rows, student_file
from tests.conversation_helpers import linked_phone
from tests.helpers import class_named, student_ids, subject, teacher

MARKUP_NAME = 'Nguyễn <b>Văn</b> <img src="/dev/zero"/> An & Co'
FORMULA_NAME = '=HYPERLINK("http://evil.example","Bấm")'


def _rename_first_student(session, school, name):
    pupil = session.get(Student, student_ids(session, class_named(session, "6A1").id)[0])
    pupil.full_name = name
    session.add(pupil)
    session.commit()
    return pupil


def test_a_student_name_with_markup_prints_as_text(session, school, clock):
    _rename_first_student(session, school, MARKUP_NAME)
    pdf = class_book_pdf(class_book(session, clock, class_named(session, "6A1").id))
    from pypdf import PdfReader
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages[:6])
    assert "<img" in text and "Văn" in text


def test_a_reason_with_an_image_tag_does_not_reach_reportlab_as_markup(session, school, clock):
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    teacher_id = teacher(school, cls.id, math.id)
    (cell,) = enter_scores(session, clock, teacher_id, ScoreBatch(
        cls.id, math.id, school.term_ids[1], "TX1", {student_ids(session, cls.id)[0]: "6"}))
    request = request_score_correction(session, clock, teacher_id, cell.id, "7",
                                       '<img src="/dev/zero" width=9999> chấm nhầm')
    decide(session, clock, school.principal_id, request.token, approve=True)
    facts = year_facts(session, school.year_id)
    pdf = summary_pdf(facts, "Trường <THCS>", "2026-2027")
    assert pdf[:4] == b"%PDF" and len(pdf) < 200_000


def test_names_that_look_like_formulas_stay_text_in_every_export(session, school, clock):
    _rename_first_student(session, school, FORMULA_NAME)
    book = class_book(session, clock, class_named(session, "6A1").id)
    sheet = load_workbook(BytesIO(summary_workbook([book])))["6A1"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == FORMULA_NAME]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    summary = load_workbook(BytesIO(summary_xlsx([], "=cmd|' /C calc'!A0", "2026")))
    title = summary.active["A1"]
    assert title.data_type == "s"


def test_over_long_names_and_reasons_are_refused_with_the_limit(session, school, clock):
    year = session.get(SchoolYear, school.year_id)
    rows = good_rows(1)
    rows[0][1] = "Nguyễn " + "Văn " * 40 + "An"
    result = import_students(session, clock, school.admin_id, year, student_file(rows))
    assert not result.ok and "quá giới hạn 100" in result.errors[0].text()
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    teacher_id = teacher(school, cls.id, math.id)
    (cell,) = enter_scores(session, clock, teacher_id, ScoreBatch(
        cls.id, math.id, school.term_ids[1], "TX2", {student_ids(session, cls.id)[0]: "6"}))
    with pytest.raises(DomainError, match="quá giới hạn 1000"):
        request_score_correction(session, clock, teacher_id, cell.id, "7", "x" * 1001)
    assert session.exec(select(CorrectionRequest)).all() == []


def test_a_year_named_like_a_path_cannot_write_outside_the_archive_folder(db, session, school,
                                                                          tmp_path):
    engine, _ = db
    year = session.get(SchoolYear, school.year_id)
    year.name = "../../../x"
    session.add(year)
    session.commit()
    from datetime import datetime

    from core.clock import VN_TZ
    out = tmp_path / "out"
    result = build_archive(engine, school.year_id, out, datetime(2027, 6, 1, tzinfo=VN_TZ),
                           workers=1, draft=True)
    assert result.folder.resolve().parent == out.resolve()
    assert not (tmp_path / "x").exists() and not any(tmp_path.parent.glob("x*"))


def test_an_update_that_fails_midway_is_handled_again_when_redelivered(db, school, clock,
                                                                       monkeypatch):
    engine, _ = db
    with_math = teacher(school, school.class_ids[0], school.subject_ids["TOAN"])
    phone = linked_phone(engine, clock, school, with_math, "hostile-1")
    original = conversation.preview_scores

    def fails_once(ctx, text):
        monkeypatch.setattr(conversation, "preview_scores", original)
        raise RuntimeError("database went away")
    monkeypatch.setattr(conversation, "preview_scores", fails_once)
    assert "Xin lỗi" in phone.say("6A1 Toán TX1\n1 8", update_key="redelivered-9")[0].text
    again = phone.say("6A1 Toán TX1\n1 8", update_key="redelivered-9")
    assert again and "Xem trước" in again[0].text


def test_no_api_docs_and_security_headers_on_every_page(db, tmp_path):
    engine, _ = db
    client = TestClient(create_app(engine, Settings(secret_key="k" * 40, data_dir=tmp_path)))
    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404
    for path in ("/", "/admin/login"):
        headers = client.get(path).headers
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "'unsafe-inline'" not in headers["content-security-policy"].split(
            "script-src")[1].split(";")[0]
    with_docs = TestClient(create_app(engine, Settings(secret_key="k" * 40, data_dir=tmp_path,
                                                       api_docs=True)))
    assert with_docs.get("/openapi.json").status_code == 200


def test_the_sqlite_file_and_its_folder_are_private(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'moi' / 'sodiem.db'}")
    engine.dispose()
    assert stat.S_IMODE(os.stat(tmp_path / "moi").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "moi" / "sodiem.db").st_mode) == 0o600


def test_the_student_import_takes_the_records_columns_and_the_older_template(
        session, school, clock):
    from openpyxl import Workbook

    from models import Student
    from services.importing import COLUMNS

    year = session.get(SchoolYear, school.year_id)
    rows = good_rows(2)
    rows[0] += ["Con thương binh", "Kỹ sư", "Giáo viên"]
    result = import_students(session, clock, school.admin_id, year, student_file(rows))
    assert result.ok, [e.text() for e in result.errors]
    first = session.exec(select(Student).where(Student.code == "HSMOI000")).one()
    assert (first.priority_group, first.father_occupation, first.mother_occupation) == (
        "Con thương binh", "Kỹ sư", "Giáo viên")
    workbook = Workbook()  # a file made from the template before these columns existed
    workbook.active.append(COLUMNS[:11])
    workbook.active.append([*good_rows(1)[0][:1], "Lê Văn Cũ", *good_rows(1)[0][2:]])
    buffer = BytesIO()
    workbook.save(buffer)
    assert import_students(session, clock, school.admin_id, year, buffer.getvalue()).ok
    long_job = good_rows(1)
    long_job[0] += ["", "x" * 81, ""]
    refused = import_students(session, clock, school.admin_id, year, student_file(long_job))
    assert not refused.ok and "Nghề nghiệp cha" in refused.errors[0].text()
