"""A THPT school: subjects per combination, chuyên đề periods in the TX count, grading
over a class's own subjects, the bot's THPT subject names, a multi-level school."""

from decimal import Decimal
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session, select

from admin.status_app import create_app
from admin.web.pages_people import XLSX
from core.config import Settings
from grading.base import YEAR, SubjectSpec
from grading.registry import get_circular
from grading.vocabulary import CommentMark, SubjectKind
from models import (
    AuditEntry,
    School,
    SchoolClass,
    SchoolYear,
    ScoreEntry,
    Staff,
    SubjectCombination,
)
from models.db import migrate
from printing.class_book import class_book_pdf, teacher_book_pdf
from printing.excel_exports import statistics_workbook
from services.book_data import class_book, teacher_book
from services.conduct import rate_conduct
from services.demo_school import ALL_COLUMNS, build_demo_school, fill_scores
from services.errors import NotFound
from services.importing_classes import (
    CLASS_COLUMNS,
    COMBINATION_COLUMNS,
    import_classes,
    import_combinations,
)
from services.importing_staff import ASSIGNMENT_COLUMNS, import_assignments
from services.progress import ProgressFilter, progress
from services.results import class_report, year_reports
from services.school import class_subjects, columns_for
from tests.admin_helpers import csrf_of, give_passwords, sheet_file, sign_in
from tests.conversation_helpers import linked_phone
from tests.databases import SqliteFactory
from tests.helpers import class_named, student_ids, subject, teacher_named

ELECTIVES = {"DIA", "KTPL", "LY", "HOA", "SINH", "CN", "TIN", "AN", "MT"}
COMPULSORY = ["VAN", "TOAN", "NN", "SU", "GDTC", "GDQP", "HDTN", "GDDP"]


@pytest.fixture
def thpt(thpt_db):
    engine, demo = thpt_db
    with Session(engine, expire_on_commit=False) as session:
        yield engine, session, demo


def _codes(session, name):
    return [s.code for s, _ in class_subjects(session, class_named(session, name))]


def _combination(session, name):
    return session.get(SubjectCombination, class_named(session, name).combination_id).code


def test_each_class_studies_the_compulsory_subjects_and_its_combinations_four(thpt):
    _, session, _ = thpt
    for name in ("10A1", "10A2", "10A3", "11A1", "12A3"):
        codes = _codes(session, name)
        assert [c for c in codes if c not in ELECTIVES] == COMPULSORY, name
        assert len([c for c in codes if c in ELECTIVES]) == 4, name
    assert {_combination(session, n) for n in ("10A1", "10A2", "10A3")} == {"TN1", "XH1", "CN1"}
    assert {"LY", "HOA", "SINH", "TIN"} <= set(_codes(session, "10A1"))
    assert "DIA" not in _codes(session, "10A1") and "HOA" not in _codes(session, "10A2")


def test_tx_columns_count_the_combinations_chuyen_de_periods(thpt):
    _, session, _ = thpt
    tn, xh = class_named(session, "10A1"), class_named(session, "10A2")
    physics, history = subject(session, "LY"), subject(session, "SU")
    # Vật lí: 70 periods, + 35 of chuyên đề in TN1 = 105 → 4 TX; XH1 has no Lí chuyên đề.
    assert columns_for(session, physics, tn) == ("TX1", "TX2", "TX3", "TX4", "GK", "CK")
    assert columns_for(session, physics, xh) == ("TX1", "TX2", "TX3", "GK", "CK")
    # Lịch sử: 52 periods → 3 TX; with XH1's chuyên đề 87 → 4 TX.
    assert columns_for(session, history, tn) == ("TX1", "TX2", "TX3", "GK", "CK")
    assert len(columns_for(session, history, xh)) == 6
    assert columns_for(session, subject(session, "GDQP"), tn) == ("TX1", "TX2", "GK", "CK")
    # Assessed by comment: two TX whatever the periods.
    assert columns_for(session, subject(session, "GDTC"), tn) == ("TX1", "TX2", "GK", "CK")
    school = session.exec(select(School)).one()
    school.topic_periods_count = False
    session.add(school)
    session.commit()
    assert columns_for(session, physics, tn) == ("TX1", "TX2", "TX3", "GK", "CK")


def test_a_subject_outside_the_combination_has_no_columns_and_says_why(thpt):
    _, session, _ = thpt
    with pytest.raises(NotFound) as refusal:
        columns_for(session, subject(session, "HOA"), class_named(session, "10A2"))
    assert "không có trong kế hoạch dạy học của lớp 10A2" in refusal.value.message
    assert "tổ hợp" in refusal.value.message


def _complete(session, demo, clock, name):
    cls = class_named(session, name)
    for term in (1, 2):
        fill_scores(session, demo, seed=5, columns=ALL_COLUMNS, share=1.0, term=term,
                    class_ids=[cls.id])
        levels = {sid: "Tốt" for sid in student_ids(session, cls.id)}
        rate_conduct(session, clock, demo.homeroom[cls.id], cls.id, demo.term_ids[term], levels)
    return cls


def test_a_thpt_class_is_graded_over_its_own_subjects(thpt, clock):
    _, session, demo = thpt
    cls = _complete(session, demo, clock, "10A2")
    report = class_report(session, cls.id)
    assert report.students
    for _, _, result in report.students:
        assert [r.subject.code for r in result.subjects] == _codes(session, "10A2")
        assert result.learning[YEAR].ok, result.learning[YEAR].missing
    by_class = {r.school_class.id: r for r in year_reports(session, demo.year_id)}
    for school_class in session.exec(select(SchoolClass)).all():
        whole = by_class[school_class.id].students
        alone = class_report(session, school_class.id).students
        assert [(roll, r) for roll, _, r in whole] == [(roll, r) for roll, _, r in alone]


def test_the_six_subject_conditions_count_the_combinations_subjects(thpt):
    _, session, _ = thpt
    specs = [spec for _, spec in class_subjects(session, class_named(session, "10A1"))]
    scored = [s for s in specs if s.kind == SubjectKind.SCORED]
    assert len(scored) == 9  # Văn, Toán, NN, Sử, GDQP + four scored electives
    circular = get_circular("tt22")

    def level(high: int) -> str:
        results = [(s, Decimal("8.0") if i < high else Decimal("7.0"))
                   for i, s in enumerate(scored)]
        results += [(s, CommentMark.PASS) for s in specs if s.kind == SubjectKind.COMMENT]
        return circular.learning_level(results)

    assert level(6) == "Tốt" and level(5) == "Khá"


def test_the_schools_reading_of_9_3_reaches_its_reports(thpt, clock):
    _, session, demo = thpt
    cls = _complete(session, demo, clock, "10A1")
    sid = student_ids(session, cls.id)[0]
    scored = [s for s, spec in class_subjects(session, cls) if spec.kind == SubjectKind.SCORED]
    # The example on eight subjects and a ninth at 7,0 (a combination has nine
    # scored subjects): every column of a subject gets the same value, so both term
    # averages equal it.
    values = ["8.5", "8.6", "8.5", "7.9", "8.9", "7.6", "4.8", "9.1", "7.0"]
    for sub, value in zip(scored, values, strict=True):
        for row in session.exec(select(ScoreEntry).where(ScoreEntry.student_id == sid,
                                                         ScoreEntry.subject_id == sub.id)):
            row.value = Decimal(value)
            session.add(row)
    for row in session.exec(select(ScoreEntry).where(ScoreEntry.student_id == sid,
                                                     ScoreEntry.value.is_(None))):
        row.mark = CommentMark.PASS
        session.add(row)
    session.commit()

    def learning() -> str:
        report = class_report(session, cls.id)
        return next(r for _, s, r in report.students if s.id == sid).learning[YEAR].value

    # Six ≥ 8,0 would need the 4,8 to rise: the floor reading stays at Đạt.
    assert learning() == "Đạt"
    school = session.exec(select(School)).one()
    school.lone_subject_reading = "any_value"
    session.add(school)
    session.commit()
    assert learning() == "Khá"


@pytest.mark.parametrize(("typed", "code"), [
    ("lí", "LY"), ("Vật lý", "LY"), ("hoá", "HOA"), ("Hóa học", "HOA"), ("sinh", "SINH"),
    ("gdqp", "GDQP"), ("GDQP-AN", "GDQP"), ("ktpl", "KTPL"), ("sử", "SU"), ("địa", "DIA"),
])
def test_the_bot_takes_thpt_subject_names_and_aliases(thpt, clock, typed, code):
    engine, session, demo = thpt
    cls = next(c for c in session.exec(select(SchoolClass).where(SchoolClass.grade == 10))
               if code in _codes(session, c.name))
    teacher_id = teacher_named(session, demo, cls.name, code)
    phone = linked_phone(engine, clock, demo, teacher_id, f"thpt-{code}-{len(typed)}")
    preview = phone.say(f"{cls.name} {typed} TX1\n1 8\n2 7,5")
    assert [b.label for b in preview[0].buttons] == ["Xác nhận", "Hủy"], preview[0].text
    done = phone.press("Xác nhận", preview[0])
    assert f"Đã lưu 2 điểm TX1 môn {subject(session, code).name} lớp {cls.name}" in done[0].text


def test_a_column_only_the_chuyen_de_gives_is_refused_in_a_class_without_it(thpt, clock):
    engine, session, demo = thpt
    teacher_id = teacher_named(session, demo, "10A2", "LY")
    phone = linked_phone(engine, clock, demo, teacher_id, "thpt-ly-tx4")
    reply = phone.say("10A2 lí TX4\n1 8")[0].text
    assert "Môn Vật lí lớp 10A2 không có cột TX4" in reply and "TX3" in reply
    with Session(engine) as check:
        assert check.exec(select(ScoreEntry).where(ScoreEntry.column == "TX4")).all() == []


def test_a_multi_level_school_gives_each_class_its_levels_subjects(tmp_path, clock):
    _, engine = SqliteFactory(tmp_path).create()
    migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        build_demo_school(session, seed=3, classes_per_grade=1, class_size=5,
                          level="THCS+THPT")
        assert session.exec(select(School)).one().level == "THCS+THPT"
        assert "KHTN" in _codes(session, "9A1") and "LY" not in _codes(session, "9A1")
        assert "LY" in _codes(session, "10A1") and "KHTN" not in _codes(session, "10A1")
        assert class_named(session, "9A1").combination_id is None
        assert class_book(session, clock, class_named(session, "9A1").id).level == "THCS"
        book = class_book(session, clock, class_named(session, "10A1").id)
        assert book.level == "THPT" and book.level_title == "CẤP TRUNG HỌC PHỔ THÔNG"


def test_the_specs_carry_the_periods_the_class_studies(thpt):
    _, session, _ = thpt
    specs = dict((s.code, spec) for s, spec in class_subjects(session, class_named(session,
                                                                                  "10A1")))
    assert specs["TOAN"] == SubjectSpec("TOAN", "Toán", SubjectKind.SCORED, 140)
    assert specs["SINH"].periods_per_year == 70 and specs["GDQP"].periods_per_year == 35


def _year(session, demo):
    return session.get(SchoolYear, demo.year_id)


def test_combinations_import_with_errors_per_row_and_nothing_saved(thpt, clock):
    _, session, demo = thpt
    before = len(session.exec(select(SubjectCombination)).all())
    rows = [
        ["TN2", "Lí – Hóa – Sinh – Công nghệ", "lí", "hoá", "sinh", "công nghệ", "toán", "lí",
         "hoá"],
        ["XH2", "", "Địa lí", "Toán", "KTPL", "Tin học", "Văn", "Sử", "Địa"],  # Toán compulsory
        ["TN2", "", "Lí", "Hóa", "Sinh", "Tin", "Toán", "Lí", "Hóa"],  # same code twice
        ["KT1", "", "Địa", "KTPL", "Tin", "Công nghệ", "Toán", "Sinh", ""],  # Sinh not taken
    ]
    result = import_combinations(session, clock, demo.admin_id, _year(session, demo),
                                 sheet_file(COMBINATION_COLUMNS, rows))
    messages = [e.text() for e in result.errors]
    assert any(m.startswith("Dòng 3, cột “Môn lựa chọn 2”") and "không phải môn lựa chọn" in m
               for m in messages), messages
    assert any(m.startswith("Dòng 4, cột “Mã tổ hợp”: trùng mã với dòng 2") for m in messages)
    assert any(m.startswith("Dòng 5, cột “Chuyên đề 2”") and "Sinh học" in m for m in messages)
    assert any(m.startswith("Dòng 5, cột “Chuyên đề 3”: ô trống") for m in messages)
    assert len(session.exec(select(SubjectCombination)).all()) == before
    good = import_combinations(session, clock, demo.admin_id, _year(session, demo),
                               sheet_file(COMBINATION_COLUMNS, rows[:1]))
    assert good.ok and good.created == 1
    again = import_combinations(session, clock, demo.admin_id, _year(session, demo),
                                sheet_file(COMBINATION_COLUMNS, rows[:1]))
    assert again.ok and again.unchanged == 1


def test_a_combination_in_use_cannot_lose_its_subjects(thpt, clock):
    _, session, demo = thpt
    result = import_combinations(session, clock, demo.admin_id, _year(session, demo),
                                 sheet_file(COMBINATION_COLUMNS, [
                                     ["TN1", "", "Lí", "Hóa", "Sinh", "Công nghệ", "Toán", "Lí",
                                      "Hóa"]]))
    assert not result.ok
    assert "đã gán cho lớp 10A1, 11A1, 12A1" in result.errors[0].text()


def test_classes_import_with_their_combination(thpt, clock):
    _, session, demo = thpt
    year = _year(session, demo)
    rows = [["10A4", 10, "XH1", ""], ["10A5", "10", "", ""], ["10A6", 10, "ZZ9", ""],
            ["10A7", 13, "TN1", ""], ["10A8", 10, "TN1", "GV999"]]
    result = import_classes(session, clock, demo.admin_id, year, sheet_file(CLASS_COLUMNS, rows))
    messages = [e.text() for e in result.errors]
    assert any(m.startswith("Dòng 3, cột “Mã tổ hợp”: khối 10 có môn lựa chọn") for m in messages)
    assert any(m.startswith("Dòng 4, cột “Mã tổ hợp”: không có tổ hợp “ZZ9”") for m in messages)
    assert any(m.startswith("Dòng 5, cột “Khối”") and "10, 11, 12" in m for m in messages)
    assert any(m.startswith("Dòng 6, cột “GVCN (mã cán bộ)”") for m in messages)
    assert session.exec(select(SchoolClass).where(SchoolClass.name == "10A4")).first() is None
    gvcn = session.get(Staff, demo.homeroom[class_named(session, "10A1").id]).code
    ok = import_classes(session, clock, demo.admin_id, year,
                        sheet_file(CLASS_COLUMNS, [["10a4", 10, "xh1", gvcn]]))
    assert ok.ok and ok.created == 1
    assert "DIA" in _codes(session, "10A4") and "HOA" not in _codes(session, "10A4")
    # Classes scored in a subject the new combination lacks keep their combination.
    _complete(session, demo, clock, "10A1")
    refused = import_classes(session, clock, demo.admin_id, year,
                             sheet_file(CLASS_COLUMNS, [["10A1", 10, "XH1"]]))
    assert not refused.ok and "đã có điểm môn" in refused.errors[0].text()
    assert _combination(session, "10A1") == "TN1"


def test_an_assignment_outside_the_classs_subjects_is_refused(thpt, clock):
    _, session, demo = thpt
    teacher = teacher_named(session, demo, "10A1", "HOA")
    code = session.get(Staff, teacher).code
    result = import_assignments(session, clock, demo.admin_id, _year(session, demo),
                                sheet_file(ASSIGNMENT_COLUMNS, [[code, "10A2", "Hóa học"]]))
    assert not result.ok
    assert "lớp 10A2 không học môn Hóa học" in result.errors[0].text()


def test_the_panel_imports_combinations_then_classes(thpt, clock, tmp_path):
    engine, session, demo = thpt
    give_passwords(engine, clock, demo.admin_id)
    settings = Settings(secret_key="khoa-bi-mat-cho-kiem-thu", data_dir=tmp_path)
    with TestClient(create_app(engine, settings, clock=clock)) as client:
        sign_in(client, session.get(Staff, demo.admin_id).code)
        for kind in ("to-hop", "lop"):
            assert client.get(f"/admin/import/mau-{kind}.xlsx").status_code == 200

        def upload(kind, content):
            token = csrf_of(client, "/admin/import")
            return client.post("/admin/import", data={"csrf": token, "kind": kind},
                               files={"file": ("x.xlsx", content, XLSX)})

        combos = upload("to-hop", sheet_file(COMBINATION_COLUMNS, [
            ["XH2", "Sử – Địa – <b>KTPL</b>", "Địa", "KTPL", "Tin", "Âm nhạc", "Văn", "Sử",
             "Địa"]]))
        assert combos.status_code == 200, combos.text
        bad = upload("lop", sheet_file(CLASS_COLUMNS[:3], [["11A9", 11, ""]]))
        assert bad.status_code == 400 and "khối 11 có môn lựa chọn" in bad.text
        done = upload("lop", sheet_file(CLASS_COLUMNS[:3], [["11A9", 11, "XH2"]]))
        assert done.status_code == 200, done.text
    session.expire_all()
    assert "AN" in _codes(session, "11A9") and "LY" not in _codes(session, "11A9")
    actions = session.exec(select(AuditEntry.action).where(
        AuditEntry.action.in_(["combination.import", "class.import"]))).all()
    assert sorted(actions) == ["class.import", "combination.import"]


def test_a_thpt_class_book_prints_its_level_and_its_combinations_subjects(thpt, clock,
                                                                         tmp_path):
    _, session, demo = thpt
    cls = _complete(session, demo, clock, "10A2")
    book = class_book(session, clock, cls.id)
    pdf = class_book_pdf(book)
    reader = PdfReader(BytesIO(pdf))
    cover = reader.pages[0].extract_text()
    assert "CẤP TRUNG HỌC PHỔ THÔNG" in cover and "10A2" in cover
    # Page 2 on: the usage page's legend names every subject of the programme.
    text = "\n".join(page.extract_text() for page in reader.pages[2:])
    for name in ("Địa lí", "Giáo dục kinh tế và pháp luật", "Giáo dục quốc phòng và an ninh",
                 "Lịch sử"):
        assert name in text, name
    assert "Hóa học" not in text and "Sinh học" not in text
    # Lịch sử with XH1's chuyên đề has four TX columns on its page.
    history = next(p for p in book.subjects if p.name == "Lịch sử")
    assert history.columns == ("TX1", "TX2", "TX3", "TX4", "GK", "CK")
    (tmp_path / "book.pdf").write_bytes(pdf)


def test_progress_counts_each_classs_own_columns(thpt):
    _, session, demo = thpt
    physics = subject(session, "LY")
    rows = {r.class_name: r for r in progress(session, demo.term_ids[1],
                                              ProgressFilter(subject_id=physics.id))}
    assert rows["10A1"].columns == ("TX1", "TX2", "TX3", "TX4", "GK", "CK")
    assert rows["10A2"].columns == ("TX1", "TX2", "TX3", "GK", "CK")
    assert rows["10A2"].required == rows["10A2"].students * 5
    assert "10A2" in rows and not any(r.subject_name == "Hóa học" and r.class_name == "10A2"
                                      for r in progress(session, demo.term_ids[1]))


def test_the_statistics_workbook_groups_grades_10_to_12(thpt, clock):
    _, session, _ = thpt
    classes = session.exec(select(SchoolClass).order_by(SchoolClass.name)).all()
    books = [class_book(session, clock, c.id) for c in classes]
    sheet = load_workbook(BytesIO(statistics_workbook(books))).active
    grades = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    totals = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)
              if str(row[1]).startswith("Cả khối")]
    assert set(grades) == {"10", "11", "12"}
    assert totals == ["Cả khối 10", "Cả khối 11", "Cả khối 12"]


def test_a_teachers_book_gives_each_class_its_own_columns(thpt, clock):
    _, session, demo = thpt
    teacher_id = teacher_named(session, demo, "10A1", "LY")
    code = session.get(Staff, teacher_id).code
    _, parts = teacher_book(session, clock, demo.school_id, code)
    columns = {book.class_name: page.columns for book, page in parts}
    assert columns["10A1"] == ("TX1", "TX2", "TX3", "TX4", "GK", "CK")
    assert columns["10A2"] == ("TX1", "TX2", "TX3", "GK", "CK")  # XH1: no Lí chuyên đề
    pdf = PdfReader(BytesIO(teacher_book_pdf(session.get(Staff, teacher_id).full_name, parts)))
    assert "CẤP TRUNG HỌC PHỔ THÔNG" in pdf.pages[0].extract_text()
