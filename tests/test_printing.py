"""The printed books read back as a person would: text extracted from the PDFs, a page
rasterised with pdftoppm, the Excel backups opened, the archive verified and tampered."""

import json
import re
import shutil
import subprocess
from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session, select

from core.clock import VN_TZ, FixedClock
from grading.base import YEAR
from models import AuditCheckpoint
from printing.archive import build_archive, verify_archive
from printing.class_book import (
    attendance_sheet_pdf,
    class_book_pdf,
    confirmation_sheet_pdf,
    teacher_book_pdf,
)
from printing.excel_exports import statistics_workbook, summary_workbook
from services import audit, audit_checkpoints
from services.absences import close_month
from services.book_data import class_book, printed_class_book
from services.conduct import rate_conduct
from services.corrections import decide, request_score_correction
from services.demo_school import ALL_COLUMNS, fill_scores, record_demo_absences
from services.locks import LockScope, create_lock
from services.scores import find_cell
from tests.helpers import class_named, student_ids, subject


def close_year(session, clock, class_id: int) -> None:
    """Close every month of the year's attendance for a class."""
    book = class_book(session, clock, class_id)
    for grid in book.attendance:
        close_month(session, clock, class_id, grid.month)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


@pytest.fixture
def full_year(session, school, clock):
    return make_full_year(session, school, clock)


def make_full_year(session, school, clock):
    """6A1 with every score of both terms, conduct, absences and one applied correction."""
    cls = class_named(session, "6A1")
    for term in (1, 2):
        fill_scores(session, school, seed=11, columns=ALL_COLUMNS, share=1.0, term=term,
                    class_ids=[cls.id])
        rate_conduct(session, clock, school.homeroom[cls.id], cls.id, school.term_ids[term],
                     {sid: "Tốt" for sid in student_ids(session, cls.id)})
    record_demo_absences(session, school)
    math = subject(session, "TOAN")
    pupil = student_ids(session, cls.id)[0]
    cell = find_cell(session, pupil, math.id, school.term_ids[1], "GK")
    teacher_id = school.teacher_of[(cls.id, math.id)]
    old = cell.display()
    new = "9,5" if old != "9,5" else "8,5"
    request = request_score_correction(session, clock, teacher_id, cell.id, new,
                                       "Cộng sót điểm câu 3")
    decide(session, clock, school.principal_id, request.token, approve=True)
    return cls, old, new, request.id


def test_the_class_book_shows_names_scores_averages_results_and_corrections(
        session, clock, full_year):
    cls, old, new, minutes = full_year
    book = class_book(session, clock, cls.id)
    text = _text(class_book_pdf(book))
    assert "SỔ THEO DÕI VÀ ĐÁNH GIÁ HỌC SINH" in text and "Lớp: 6A1" in text
    first = book.summary[0]
    assert first.name in text
    maths = next(p for p in book.subjects if p.name == "Toán")
    assert maths.rows[0].year_result and maths.rows[0].year_result in text
    # the old value struck through, the new one, the minutes number under them
    assert re.search(rf"{old}\s+{new}\s+BB{minutes}\b", text)
    assert "TỔNG HỢP KẾT QUẢ CẢ NĂM HỌC" in text and first.learning[YEAR] in text
    assert "THEO DÕI CHUYÊN CẦN — THÁNG 10/2026" in text
    assert "GIÁO VIÊN BỘ MÔN" in text and maths.teacher in text
    assert "NHẬN XÉT, KIỂM TRA CỦA HIỆU TRƯỞNG" in text
    assert "Trang 1/" in text
    assert "BẢN NHÁP" in PdfReader(BytesIO(class_book_pdf(book))).pages[0].extract_text()


def test_a_locked_year_prints_without_the_draft_mark(session, school, clock, full_year):
    cls = full_year[0]
    for term in (1, 2):
        create_lock(session, clock, executor_id=school.admin_id,
                    decided_by_id=school.principal_id,
                    scope=LockScope(school.year_id, term_id=school.term_ids[term]))
    assert class_book(session, clock, cls.id).draft  # locked, but months still open
    close_year(session, clock, cls.id)
    book = class_book(session, clock, cls.id)
    cover = PdfReader(BytesIO(class_book_pdf(book))).pages[0].extract_text()
    assert not book.draft and "BẢN NHÁP" not in cover


def test_a_page_rasterised_is_not_blank(session, clock, full_year, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("chưa cài pdftoppm (apt-get install poppler-utils): "
                    "bỏ qua phép thử ảnh trang in")
    from PIL import Image, ImageStat

    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(class_book_pdf(class_book(session, clock, full_year[0].id)))
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "15", "-l", "15", str(pdf),
                    str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    assert ImageStat.Stat(image).stddev[0] > 10  # text and grid lines, not an empty page


def test_the_other_documents(session, clock, full_year):
    cls = full_year[0]
    book = class_book(session, clock, cls.id)
    sheet = _text(confirmation_sheet_pdf(book, 1))
    assert "BẢNG XÁC NHẬN KẾT QUẢ HỌC TẬP, RÈN LUYỆN — HỌC KÌ I" in sheet
    assert all(page.teacher in sheet for page in book.subjects) and book.homeroom in sheet
    october = next(g for g in book.attendance if g.month.month == 10)
    assert "THÁNG 10/2026" in _text(attendance_sheet_pdf(book, october))
    maths = next(p for p in book.subjects if p.name == "Toán")
    assert f"Giáo viên: {maths.teacher}" in _text(teacher_book_pdf(maths.teacher, [(book,
                                                                                     maths)]))


def test_the_excel_backups(session, clock, full_year):
    book = class_book(session, clock, full_year[0].id)
    sheet = load_workbook(BytesIO(summary_workbook([book])))["6A1"]
    assert sheet["A3"].value == 1 and sheet["B3"].value == book.summary[0].name
    header = [c.value for c in sheet[2]]
    assert "Toán CN" in header and "KQHT CN" in header
    maths = sheet.cell(row=3, column=header.index("Toán CN") + 1)
    assert isinstance(maths.value, float) and maths.number_format == "0.0"  # a number
    stats = load_workbook(BytesIO(statistics_workbook([book]))).active
    row = [c.value for c in stats[3]]
    assert row[1] == "6A1" and row[2] == len(book.summary) and sum(row[3:8]) == len(book.summary)


def test_the_archive_verifies_and_names_an_altered_or_missing_file(db, school, full_year,
                                                                   tmp_path):
    engine, _ = db
    at = datetime(2027, 6, 1, 9, 0, tzinfo=VN_TZ)
    result = build_archive(engine, school.year_id, tmp_path, at, workers=2, draft=True)
    check = verify_archive(result.folder, allow_unsigned=True)
    assert check.ok, check.problems
    book = result.folder / "so-theo-doi-lop" / "6A1.pdf"
    content = bytearray(book.read_bytes())
    content[len(content) // 2] ^= 0x01
    book.write_bytes(bytes(content))
    (result.folder / "excel" / "thong-ke-ket-qua.xlsx").unlink()
    check = verify_archive(result.folder, allow_unsigned=True)
    assert not check.ok
    assert "tệp so-theo-doi-lop/6A1.pdf đã bị thay đổi" in check.problems
    assert "thiếu tệp excel/thong-ke-ket-qua.xlsx" in check.problems
    assert (result.folder / "sua-chua-du-lieu" / f"bien-ban-{full_year[3]}.pdf").exists()
    index = (result.folder / "index.txt").read_text(encoding="utf-8")
    assert "toàn vẹn" in index
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    checkpoint = manifest["audit_checkpoint"]
    assert manifest["audit_verified_ok"] is True
    assert f"Điểm kiểm nhật ký: bản ghi số {checkpoint['seq']}" in index
    assert checkpoint["signature"] in index
    with Session(engine) as session:
        stored = session.exec(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())).first()
        assert (stored.seq, stored.signature) == (checkpoint["seq"], checkpoint["signature"])
    sheet = _text((result.folder / "xac-nhan-ket-qua" / "6A1-HK1.pdf").read_bytes())
    assert f"Điểm kiểm nhật ký: bản ghi số {checkpoint['seq']}" in sheet


def test_a_printed_book_carries_a_signed_checkpoint_of_the_log(session, school, clock,
                                                                full_year):
    book = printed_class_book(session, clock, full_year[0].id, "bảng xác nhận HK1")
    newest = audit_checkpoints.newest(session, school.school_id)
    assert newest.reason == "in bảng xác nhận HK1 lớp 6A1"
    assert newest.seq == audit.head(session, school.school_id).seq
    sheet = _text(confirmation_sheet_pdf(book, 1))
    assert f"bản ghi số {newest.seq}, mã {newest.hash[:16]}" in sheet
    assert "Điểm kiểm nhật ký" in _text(class_book_pdf(book))


def test_a_lock_writes_a_checkpoint(session, school, clock):
    lock = create_lock(session, clock, executor_id=school.admin_id,
                       decided_by_id=school.principal_id,
                       scope=LockScope(school.year_id, term_id=school.term_ids[1]))
    newest = audit_checkpoints.newest(session, school.school_id)
    assert newest.reason == f"khóa sổ số {lock.id}" and newest.chain == school.school_id


def test_the_clock_is_used_for_the_print_time(session, full_year):
    clock = FixedClock(datetime(2027, 1, 20, 14, 5, tzinfo=VN_TZ))
    book = class_book(session, clock, full_year[0].id)
    assert "in lúc 14:05 20/01/2027" in _text(class_book_pdf(book))


def test_conduct_is_required_before_results_print(session, clock, school):
    book = class_book(session, clock, class_named(session, "7A1").id)
    assert all(row.learning[YEAR] == "" for row in book.summary)
    assert class_book_pdf(book)[:4] == b"%PDF"


def test_summer_training_result_is_stored_audited_and_printed(session, school, clock):
    from services.conduct import rate_summer_conduct
    from services.errors import InvalidBatch, PermissionDenied
    from services.results import class_report

    cls = class_named(session, "7A1")
    for term in (1, 2):
        fill_scores(session, school, seed=3, columns=ALL_COLUMNS, share=1.0, term=term,
                    class_ids=[cls.id])
    report = class_report(session, cls.id)
    passing = next(s.id for _, s, r in report.students
                   if r.learning[YEAR].ok and r.learning[YEAR].value in ("Tốt", "Khá", "Đạt"))
    for term in (1, 2):
        rate_conduct(session, clock, school.homeroom[cls.id], cls.id, school.term_ids[term],
                     {sid: ("Chưa đạt" if sid == passing else "Tốt")
                      for sid in student_ids(session, cls.id)})

    def row():
        return next(r for r in class_book(session, clock, cls.id).summary
                    if r.roll == next(roll for roll, s, _ in class_report(session, cls.id)
                                      .students if s.id == passing))

    assert row().promotion == "Rèn luyện trong hè" and row().summer_conduct == ""
    with pytest.raises(PermissionDenied):
        rate_summer_conduct(session, clock, school.principal_id, cls.id, {passing: "Đạt"})
    before = audit.head(session, school.school_id).seq
    rate_summer_conduct(session, clock, school.homeroom[cls.id], cls.id, {passing: "Đạt"})
    head = audit.head(session, school.school_id)
    assert head.action == "conduct.summer" and head.seq > before
    assert row().summer_conduct == "Đạt" and row().promotion == "Lên lớp"
    with pytest.raises(InvalidBatch):  # once only: a change goes through a correction
        rate_summer_conduct(session, clock, school.homeroom[cls.id], cls.id, {passing: "Tốt"})
