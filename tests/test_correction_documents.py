"""The minutes of a correction and the yearly summary, read back as a person would."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from admin.cli import app
from printing.correction_summary import summary_pdf, summary_xlsx
from printing.minutes import minutes_pdf
from services.correction_records import applied_facts, year_facts
from services.corrections import decide, request_score_correction
from services.errors import DomainError
from services.scores import ScoreBatch, enter_scores
from tests.helpers import class_named, student_ids, subject, teacher


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def _requested(session, school, clock):
    """Toán 6A1 GK entered as 6,5 for one pupil, and a request to make it 8,5."""
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    teacher_id = teacher(school, cls.id, math.id)
    pupil = student_ids(session, cls.id)[0]
    cell = enter_scores(session, clock, teacher_id, ScoreBatch(
        cls.id, math.id, school.term_ids[1], "GK", {pupil: "6,5"}))[0]
    return request_score_correction(session, clock, teacher_id, cell.id, "8,5",
                                    "Cộng sót điểm câu 4")


@pytest.fixture
def applied(session, school, clock):
    request = _requested(session, school, clock)
    decide(session, clock, school.principal_id, request.token, approve=True)
    return request.id


def test_the_minutes_name_everyone_and_both_values(session, applied):
    facts = applied_facts(session, applied)
    text = _text(minutes_pdf(facts))
    assert "BIÊN BẢN SỬA CHỮA DỮ LIỆU SỔ ĐIỂM ĐIỆN TỬ" in text
    for expected in (facts.student, facts.requester, facts.approver, "6,5", "8,5",
                     "Cộng sót điểm câu 4", "TRƯỜNG THCS NGÔ SĨ LIÊN", "GK học kì I",
                     "NGƯỜI ĐỀ NGHỊ", facts.approver_title, f"Số: {facts.number}/BB",
                     facts.audit_hash[:16]):
        assert expected in text, expected
    assert len(facts.audit_hash) == 64


def test_no_minutes_for_a_request_not_applied(session, school, clock):
    request = _requested(session, school, clock)
    with pytest.raises(DomainError, match="chưa được sửa"):
        applied_facts(session, request.id)


def test_the_yearly_summary_as_pdf_and_excel(session, school, applied):
    facts = year_facts(session, school.year_id)
    assert [f.number for f in facts] == [applied]
    text = _text(summary_pdf(facts, "Trường THCS Ngô Sĩ Liên", "2026-2027"))
    assert "TỔNG HỢP SỬA CHỮA DỮ LIỆU" in text and facts[0].student in text
    sheet = load_workbook(BytesIO(summary_xlsx(facts, "Trường", "2026-2027"))).active
    assert sheet["A2"].value == "Số" and sheet["F3"].value == "6,5" and sheet["G3"].value == "8,5"
    assert sheet["M3"].value == "Đã sửa"


def test_the_cli_writes_the_minutes_and_the_summary(db, session, applied, tmp_path):
    engine, _ = db
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    result = runner.invoke(app, ["correction-minutes", str(applied), "-o",
                                 str(tmp_path / "bb.pdf"), "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "8,5" in _text((tmp_path / "bb.pdf").read_bytes())
    result = runner.invoke(app, ["corrections-summary", "-o", str(tmp_path / "th"),
                                 "--database-url", url])
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in (tmp_path / "th").iterdir()) == [".pdf", ".xlsx"]


def test_another_schools_corrections_never_reach_this_schools_book(session, school, clock):
    """Two schools in one deployment, both with a year 2026-2027 and a class 6A1."""
    from services.book_data import class_book
    from tests.helpers import correction_in_another_school

    ours = class_named(session, "6A1")  # before a second 6A1 exists
    other, _, request = correction_in_another_school(session, clock)
    assert [f.number for f in year_facts(session, other.year_id)] == [request.id]
    assert request.id not in [f.number for f in year_facts(session, school.year_id)]
    assert class_book(session, clock, ours.id).corrections == []
