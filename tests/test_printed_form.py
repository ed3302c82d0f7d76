"""The printed book measured as a clerk would bind, stamp and sign it: no text in the binding
margin or the giáp-lai stamp zone, every signature on a page with rows of what it signs,
long names kept inside their cell, corrected cells red and legible; for 40, 45 and 50
students. Geometry is read back from the PDFs with pdfplumber; one page is rasterised."""

import re
import shutil
import subprocess
from datetime import date
from io import BytesIO

import pdfplumber
import pytest
from reportlab.lib.units import mm

from core.text import fold
from models import Student
from models.types import EnrolmentStatus
from printing.class_book import class_book_pdf, confirmation_sheet_pdf, teacher_book_pdf
from printing.correction_summary import summary_pdf
from printing.layout import BINDING_MARGIN, FRAME_PADDING, PAGE, STAMP_MARGIN
from services.book_data import class_book
from services.conduct import rate_conduct
from services.correction_records import year_facts
from services.corrections import decide, request_score_correction
from services.demo_school import ALL_COLUMNS, fill_scores
from services.enrolments import enrol, move_student
from services.scores import find_cell
from tests.helpers import class_named, student_ids, subject

LONG_NAME = "Nguyễn Hoàng Phương Thảo Nguyên Khánh Linh Bảo Ngọc"
SIGNATURE_TITLES = ("GIÁO VIÊN BỘ MÔN", "GIÁO VIÊN CHỦ NHIỆM", "HIỆU TRƯỞNG")
STUDENT_TABLES = ("MÔN ", "TỔNG HỢP KẾT QUẢ", "SƠ YẾU LÝ LỊCH", "THEO DÕI CHUYÊN CẦN",
                  "BẢNG XÁC NHẬN")


@pytest.fixture(params=["sqlite"])
def backend(request) -> str:
    """Geometry does not depend on the database: these run on SQLite only (the data the
    book shows is checked on both backends in test_printing)."""
    return request.param


def _sized_class(session, school, clock, size: int):
    """6A1 (42 students) grown or shrunk to `size`, with a very long name, full scores of
    both terms, conduct, and one score corrected twice."""
    cls = class_named(session, "6A1")
    current = student_ids(session, cls.id)
    for index in range(size - len(current)):
        name = LONG_NAME if index == 0 else f"Trần Thị Thêm {index}"
        student = Student(school_id=school.school_id, code=f"X{size}{index}", full_name=name,
                          folded_name=fold(name), gender="Nữ")
        session.add(student)
        session.flush()
        enrol(session, student.id, cls.id, date(2026, 9, 5), EnrolmentStatus.TRANSFERRED_IN)
    session.commit()
    for sid in current[size:]:
        move_student(session, clock, school.admin_id, sid, date(2026, 10, 1),
                     EnrolmentStatus.DROPPED_OUT, note="Theo đơn của gia đình")
    for term in (1, 2):
        fill_scores(session, school, seed=5, columns=ALL_COLUMNS, share=1.0, term=term,
                    class_ids=[cls.id])
        rate_conduct(session, clock, school.homeroom[cls.id], cls.id, school.term_ids[term],
                     {sid: "Khá" for sid in student_ids(session, cls.id)})
    math = subject(session, "TOAN")
    cell = find_cell(session, student_ids(session, cls.id)[0], math.id, school.term_ids[1], "CK")
    teacher_id = school.teacher_of[(cls.id, math.id)]
    numbers = []
    first = "9,0" if cell.display() != "9,0" else "8,0"
    for new in (first, "9,5" if first != "9,5" else "10"):
        request = request_score_correction(session, clock, teacher_id, cell.id, new,
                                           "Chấm phúc khảo")
        decide(session, clock, school.principal_id, request.token, approve=True)
        numbers.append(request.id)
    return cls, numbers


@pytest.fixture(params=[40, 45, 50])
def sized(request, session, school, clock):
    cls, numbers = _sized_class(session, school, clock, request.param)
    book = class_book(session, clock, cls.id)
    _rendered.clear()
    return book, numbers, request.param


@pytest.fixture
def class45(session, school, clock):
    """One 45-student class, for what needs only one size (the long name is in it)."""
    cls, numbers = _sized_class(session, school, clock, 45)
    _rendered.clear()
    return class_book(session, clock, cls.id), numbers, 45


_rendered: dict[int, bytes] = {}


def _book_pdf(book) -> bytes:
    """The class book rendered once per fixture (rendering a 56-page book takes seconds)."""
    if id(book) not in _rendered:
        _rendered.clear()
        _rendered[id(book)] = class_book_pdf(book)
    return _rendered[id(book)]


def _pages(pdf: bytes) -> list:
    return pdfplumber.open(BytesIO(pdf)).pages


def _text(page) -> str:
    """A page's text without the BẢN NHÁP watermark's letters, spaces folded."""
    plain = page.filter(lambda obj: obj.get("size", 0) < 40).extract_text() or ""
    return re.sub(r"[ \t]+", " ", plain)


def _inside_margins(pages) -> list[str]:
    """Every character (but the draft watermark) between the binding margin and the stamp
    zone, and every line or rectangle too, except the dashed stamp guide itself."""
    width = PAGE[0]
    left, right = BINDING_MARGIN - 0.5, width - STAMP_MARGIN + 0.5
    problems = []
    for page in pages:
        assert page.width == pytest.approx(width, abs=0.5)
        for char in page.chars:
            if char["size"] > 40:  # BẢN NHÁP watermark
                continue
            if char["x0"] < left or char["x1"] > right:
                problems.append(f"trang {page.page_number}: «{char['text']}» ở x={char['x0']:.0f}")
            if char["top"] < 5 * mm or char["bottom"] > page.height - 3 * mm:
                problems.append(f"trang {page.page_number}: «{char['text']}» ngoài lề trên/dưới")
        for shape in page.rects + page.lines:
            guide = shape["x0"] == shape["x1"] == pytest.approx(width - STAMP_MARGIN / 2)
            if not guide and (shape["x0"] < left or shape["x1"] > right):
                problems.append(f"trang {page.page_number}: đường kẻ ở x={shape['x0']:.0f}")
    return problems


def _signature_pages_have_rows(pages, names: list[str], texts: list[str]) -> list[str]:
    problems = []
    for page, text in zip(pages, texts, strict=True):
        heading = text.split("\n", 2)[:2]
        if not any(t in text for t in SIGNATURE_TITLES) or "(Ký" not in text:
            continue
        if not any(h.lstrip().startswith(STUDENT_TABLES) for h in heading
                   if h.strip() and not h.startswith("BẢN NHÁP")):
            continue
        if not any(name in text for name in names):
            problems.append(f"trang {page.page_number}: chữ ký đứng riêng, không có dòng nào "
                            "của bảng")
    return problems


def test_the_book_keeps_out_of_the_binding_and_stamp_margins(sized):
    book, _, size = sized
    assert len(book.students) == size
    pages = _pages(_book_pdf(book))
    assert _inside_margins(pages) == []
    names = [s.full_name for _, s in book.students]
    texts = [_text(p) for p in pages]
    assert _signature_pages_have_rows(pages, names, texts) == []
    # each subject's signature is on the last page of its list
    for page_spec in book.subjects:
        heading = f"MÔN {page_spec.name.upper()} —"
        own = [t for t in texts if heading in t]
        assert own and "GIÁO VIÊN BỘ MÔN" in own[-1]


def test_the_confirmation_sheet_keeps_its_signatures_with_the_results(sized):
    book, _, _ = sized
    pages = _pages(confirmation_sheet_pdf(book, 1))
    assert _inside_margins(pages) == []
    last = _text(pages[-1])
    for title in ("GIÁO VIÊN CHỦ NHIỆM", "CÁN BỘ PHỤ TRÁCH SỔ ĐIỂM", "HIỆU TRƯỞNG",
                  "(Ký tên, đóng dấu)"):
        assert title in last
    assert all(p.teacher in last for p in book.subjects)
    assert any(s.full_name in last for _, s in book.students)  # rows on the signing page


def test_long_names_wrap_inside_their_cell(class45):
    book, _, _ = class45
    pages = _pages(_book_pdf(book))
    maths = next(p for p in pages if "MÔN TOÁN" in _text(p))
    name_right = BINDING_MARGIN + FRAME_PADDING + (7 + 35) * mm
    words = maths.extract_words()
    long_words = [w for w in words if w["text"] in LONG_NAME.split()]
    assert {"Khánh", "Ngọc"} <= {w["text"] for w in long_words}
    assert all(w["x1"] <= name_right for w in long_words)


def test_a_cell_corrected_twice_cites_both_minutes_in_red_at_six_points(sized):
    book, numbers, _ = sized
    pages = _pages(_book_pdf(book))
    maths = next(p for p in pages if "MÔN TOÁN" in _text(p))
    text = maths.extract_text()
    assert f"BB{numbers[0]},{numbers[1]}" in text
    marks = [w for w in maths.extract_words(extra_attrs=["size", "non_stroking_color"])
             if w["text"].startswith("BB")]
    assert marks and all(w["size"] >= 6 for w in marks)
    assert all(w["non_stroking_color"] == pytest.approx((0.8, 0, 0)) for w in marks)
    annex = _text(pages[-1])
    assert "PHỤ LỤC: CÁC LẦN SỬA CHỮA DỮ LIỆU" in annex
    assert all(re.search(rf"^\s*{n}\s", annex, re.M) for n in numbers)


def test_student_records_show_changes_and_the_form_fields(session, school, clock):
    cls, _ = _sized_class(session, school, clock, 40)
    book = class_book(session, clock, cls.id)
    pages = _pages(_book_pdf(book))[3:8]
    changes_left = BINDING_MARGIN + FRAME_PADDING + (243 - 28) * mm  # the last column
    column = " ".join(" ".join((p.crop((changes_left, 0, p.width - STAMP_MARGIN, p.height))
                                .extract_text() or "").split()) for p in pages)
    assert "Nghỉ học từ ngày 01/10/2026; Theo đơn của gia đình" in column
    text = " ".join(_text(p) for p in pages)
    assert "Đối tượng" in text and "nghề nghiệp" in text
    cover = _text(_pages(_book_pdf(book))[0])
    for label in ("Tỉnh/Thành phố:", "Huyện/Quận:", "Trường:", "CẤP TRUNG HỌC CƠ SỞ",
                  "Lớp: 6A1", "Sĩ số: 40", "Giáo viên chủ nhiệm:", "NĂM HỌC: 2026-2027"):
        assert label in cover
    assert re.search(r"Sổ này có (\d+) trang, đánh số từ trang 1 đến trang \1\.",
                     _text(_pages(_book_pdf(book))[2]))


def test_the_corrections_summary_fits_the_paper(session, school, clock):
    _sized_class(session, school, clock, 40)
    facts = year_facts(session, school.year_id)
    pages = _pages(summary_pdf(facts, "Trường THCS Ngô Sĩ Liên", "2026-2027"))
    for page in pages:
        assert _inside_margins([page]) == []


def test_the_teachers_book_prints_from_the_first_day_with_a_progress_column(
        session, school, clock):
    cls = class_named(session, "7A1")  # no scores in term II yet
    book = class_book(session, clock, cls.id)
    page = next(p for p in book.subjects if p.name == "Toán")
    text = "\n".join(_text(p) for p in _pages(teacher_book_pdf(page.teacher, [(book, page)])))
    assert "Nhận xét sự tiến bộ" in text and f"Giáo viên: {page.teacher}" in text


def test_a_rasterised_page_leaves_the_stamp_zone_blank_and_shows_red(class45, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("chưa cài pdftoppm (apt-get install poppler-utils): bỏ qua ảnh trang in")
    from PIL import Image

    book, _, _ = class45
    pdf = tmp_path / "book.pdf"
    content = _book_pdf(book)
    pdf.write_bytes(content)
    number = next(p.page_number for p in _pages(content) if "MÔN TOÁN" in _text(p))
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", str(number), "-l", str(number),
                    str(pdf), str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    dots_per_mm = image.width / (PAGE[0] / mm)
    zone = image.crop((int(image.width - STAMP_MARGIN / mm * dots_per_mm) + 2, 0,
                       int(image.width - (STAMP_MARGIN / mm / 2 + 1) * dots_per_mm), image.height))
    assert min(zone.tobytes()) > 200  # nothing printed there
    data = image.tobytes()
    reds = sum(1 for i in range(0, len(data), 3)
               if data[i] > 150 and data[i + 1] < 80 and data[i + 2] < 80)
    assert reds > 20  # the corrected cell, in red


def test_a_corrected_absence_is_marked_red_with_its_minutes(session, school, clock):
    from models.types import Session as DaySession
    from services.absences import AbsenceReport, close_month, record_absences
    from services.corrections import request_absence_correction

    cls = class_named(session, "6A1")
    gvcn = school.homeroom[cls.id]
    pupil = student_ids(session, cls.id)[0]
    row = record_absences(session, clock, gvcn, AbsenceReport(
        cls.id, date(2026, 11, 16), DaySession.MORNING, (pupil,)))[0]
    close_month(session, clock, cls.id, date(2026, 11, 1))
    request = request_absence_correction(session, clock, gvcn, row.id, "P",
                                         "Phụ huynh nộp giấy phép muộn")
    decide(session, clock, school.principal_id, request.token, approve=True)
    book = class_book(session, clock, cls.id)
    november = next(g for g in book.attendance if g.month.month == 11)
    line = next(r for r in november.rows if r.marks.get(16))
    assert line.corrected == {16: (request.id,)} and line.excused >= 1
    assert november.closed
    page = next(p for p in _pages(_book_pdf(book)) if "THÁNG 11/2026" in _text(p))
    marks = [w for w in page.extract_words(extra_attrs=["non_stroking_color", "size"])
             if w["text"] == str(request.id) and w["size"] >= 6]
    assert any(w["non_stroking_color"] == pytest.approx((0.8, 0, 0)) for w in marks)
