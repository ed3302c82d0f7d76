"""Every printed page traces back to the log: its footer code (and QR code) identifies the
document, the page and the audit head; `verify-print` says whether the page's cells still
hold the printed values and names the minutes of any correction since."""

import re
from io import BytesIO

import pdfplumber
from sqlalchemy import text
from typer.testing import CliRunner

from admin.cli import app
from models import PrintedDocument
from printing.traced import class_book_document
from services import audit
from services.corrections import decide, request_score_correction
from services.print_records import check_page
from services.scores import find_cell
from tests.helpers import student_ids, subject
from tests.test_printing import full_year  # noqa: F401  (the fixture)

CODE = re.compile(r"Mã kiểm tra trang: ([A-Z2-9]{8}-\d+)")


def _maths_page_code(pdf: bytes) -> str:
    for page in pdfplumber.open(BytesIO(pdf)).pages:
        text_ = page.extract_text() or ""
        if "MÔN TOÁN" in text_ and "(tiếp theo)" not in text_:
            return CODE.search(text_)[1]
    raise AssertionError("không thấy trang môn Toán")


def test_a_page_verifies_then_names_the_correction_that_changed_it(
        db, session, school, clock, full_year):  # noqa: F811
    cls = full_year[0]
    _, pdf = class_book_document(session, clock, cls.id, "sổ theo dõi")
    code = _maths_page_code(pdf)
    document = session.get(PrintedDocument, 1)
    head = audit.head(session, school.school_id)  # the head it was printed from:
    assert (document.audit_chain, document.audit_seq) == (school.school_id, head.seq)
    unchanged = check_page(session, code)
    assert unchanged.ok and unchanged.cells > 100
    assert "Trang còn đúng" in unchanged.lines()[-1]

    maths = subject(session, "TOAN")
    pupil = student_ids(session, cls.id)[1]
    cell = find_cell(session, pupil, maths.id, school.term_ids[2], "CK")
    printed = cell.display()
    new = "10" if printed != "10,0" else "9,0"
    request = request_score_correction(session, clock, school.teacher_of[(cls.id, maths.id)],
                                       cell.id, new, "Cộng sót điểm")
    decide(session, clock, school.principal_id, request.token, approve=True)
    changed = check_page(session, code)
    assert not changed.ok and len(changed.changed) == 1
    line = changed.lines()[-1]
    assert f"in {printed}, nay {session.get(type(cell), cell.id).display()}" in line
    assert f"biên bản số {request.id}/BB" in line
    assert "Toán, CK học kì II" in line


def test_a_change_made_behind_the_software_is_flagged(db, session, school, clock,
                                                      full_year):  # noqa: F811
    engine, _ = db
    cls = full_year[0]
    _, pdf = class_book_document(session, clock, cls.id, "sổ theo dõi")
    code = _maths_page_code(pdf)
    maths = subject(session, "TOAN")
    cell = find_cell(session, student_ids(session, cls.id)[2], maths.id, school.term_ids[1],
                     "TX1")
    session.close()
    with engine.begin() as connection:
        connection.execute(text("UPDATE scoreentry SET value = 0 WHERE id = :id"),
                           {"id": cell.id})
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["verify-print", code, "--database-url", url])
    assert result.exit_code == 1, result.output
    assert "KHÔNG có biên bản sửa nào" in result.output
    unknown = CliRunner().invoke(app, ["verify-print", "ZZZZ2222-1", "--database-url", url])
    assert unknown.exit_code == 2 and "Không có tài liệu in nào" in unknown.output
    malformed = CliRunner().invoke(app, ["verify-print", "abc", "--database-url", url])
    assert malformed.exit_code == 2 and "không đúng dạng" in malformed.output
