"""The admin panel over HTTP: sign-in, roles on every route, CSRF, and each page's work."""

from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlmodel import Session, select

from admin.status_app import create_app
from core.config import Settings
from models import AuditEntry, Department, LockWindow, ScoreEntry, Staff, Student
from services import audit_verification
from tests.admin_helpers import (
    PASSWORD,
    csrf_of,
    downloaded_archive,
    give_passwords,
    good_rows,
    sheet_file,
    sign_in,
    student_file,
)
from tests.helpers import class_named, subject, teacher, teacher_named

GET_ROUTES = ["/admin/", "/admin/locks", "/admin/corrections", "/admin/audit",
              "/admin/invites", "/admin/import", "/admin/chat", "/admin/printing",
              "/admin/import/mau-hoc-sinh.xlsx", "/admin/invites/sheet"]
POST_ROUTES = ["/admin/locks", "/admin/locks/1/lift", "/admin/invites", "/admin/import",
               "/admin/chat", "/admin/printing/archive", "/admin/audit/verify",
               "/admin/corrections/x/witness"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def client(db, session, school, clock, tmp_path):
    engine, _ = db
    with Session(engine) as s:
        math_teacher = teacher(school, class_named(s, "6A1").id, subject(s, "TOAN").id)
    give_passwords(engine, clock, school.admin_id, school.office_id, school.principal_id,
                   math_teacher)
    settings = Settings(secret_key="khoa-bi-mat-cho-kiem-thu", data_dir=tmp_path, demo_mode=True)
    with TestClient(create_app(engine, settings, clock=clock)) as test_client:
        yield test_client


def _code(session, staff_id) -> str:
    return session.get(Staff, staff_id).code


def test_every_admin_route_refuses_anonymous_users(client):
    for path in GET_ROUTES:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and "/admin/login" in response.headers["location"]
    for path in POST_ROUTES:
        assert client.post(path, data={"csrf": "x"}).status_code in (401, 403)


def test_a_subject_teacher_has_no_admin_access(client, session, school):
    math_teacher = teacher_named(session, school, "6A1", "TOAN")
    response = sign_in(client, _code(session, math_teacher))
    # a right password of an account that may not sign in reads like a wrong one
    assert response.status_code == 401 and "Sai mã đăng nhập hoặc mật khẩu" in response.text


def test_the_office_prints_but_cannot_lift_locks_or_invite(client, session, school):
    assert sign_in(client, _code(session, school.office_id)).status_code == 303
    assert client.get("/admin/printing").status_code == 200
    assert client.get("/admin/invites").status_code == 403
    token = csrf_of(client, "/admin/locks")
    refused = client.post("/admin/locks", data={"csrf": token,
                                                "decided_by": school.principal_id})
    assert refused.status_code == 403 and "không có quyền" in refused.text


def test_forms_need_the_csrf_token(client, session, school):
    sign_in(client, _code(session, school.admin_id))
    refused = client.post("/admin/locks", data={"decided_by": school.principal_id})
    assert refused.status_code == 403 and "biểu mẫu không hợp lệ" in refused.text
    assert session.exec(select(LockWindow)).all() == []


def test_wrong_passwords_are_rate_limited(client, session, school):
    code = _code(session, school.admin_id)
    for _ in range(5):
        assert sign_in(client, code, "sai-mat-khau").status_code == 401
    assert sign_in(client, code, PASSWORD).status_code == 429


def test_import_with_a_bad_row_writes_nothing_then_the_fixed_file_imports_once(client,
                                                                                session,
                                                                                school):
    sign_in(client, _code(session, school.admin_id))
    rows = good_rows(3)
    rows[1][2], rows[2][10] = "31/02/2014", "6A9"
    before = len(session.exec(select(Student)).all())
    response = _upload(client, student_file(rows))
    assert response.status_code == 400
    assert "Dòng 3, cột “Ngày sinh”" in response.text and "Dòng 4, cột “Lớp”" in response.text
    assert len(session.exec(select(Student)).all()) == before
    fixed = student_file(good_rows(3))
    assert "3 mới" in _upload(client, fixed).text
    again = _upload(client, fixed)
    assert "0 mới, 0 cập nhật, 0 chuyển lớp, 3 không đổi" in again.text
    moved = good_rows(3)
    moved[0][10] = "7A1"
    assert "1 chuyển lớp" in _upload(client, student_file(moved)).text


def test_malformed_files_get_a_clear_message_and_write_nothing(client, session, school):
    sign_in(client, _code(session, school.admin_id))
    before = len(session.exec(select(Student)).all())
    pdf = b"%PDF-1.4 not a spreadsheet"
    assert "không phải bảng tính Excel" in _upload(client, pdf).text
    workbook = Workbook()
    workbook.active.append(["Tên", "Lớp"])
    buffer = BytesIO()
    workbook.save(buffer)
    assert "Các cột không đúng mẫu" in _upload(client, buffer.getvalue()).text
    assert "không có dòng dữ liệu" in _upload(client, student_file([])).text
    huge = student_file(good_rows(10_000))
    assert "quá giới hạn 5.000 dòng" in _upload(client, huge).text
    assert len(session.exec(select(Student)).all()) == before


def _upload(client, content: bytes, kind: str = "hoc-sinh"):
    token = csrf_of(client, "/admin/import")
    return client.post("/admin/import", data={"csrf": token, "kind": kind},
                       files={"file": ("hoc-sinh.xlsx", content, XLSX)})


def test_invites_print_a_sheet_with_a_qr_code(client, session, school):
    sign_in(client, _code(session, school.admin_id))
    token = csrf_of(client, "/admin/invites")
    sheet = client.post("/admin/invites", data={"csrf": token,
                                                "staff_ids": [school.principal_id]})
    assert sheet.status_code == 200 and "<svg" in sheet.text
    assert "https://t.me/SoDiemBot?start=" in sheet.text
    assert session.get(Staff, school.principal_id).full_name in sheet.text


def test_a_lock_made_in_the_panel_blocks_entry(client, session, school):
    sign_in(client, _code(session, school.admin_id))
    token = csrf_of(client, "/admin/locks")
    done = client.post("/admin/locks", data={"csrf": token, "decided_by": school.principal_id,
                                             "term_id": school.term_ids[1],
                                             "reason": "Khóa sổ học kì I"})
    assert "Đã khóa sổ" in done.text and "sổ điểm học kì 1" in done.text
    assert len(session.exec(select(LockWindow)).all()) == 1


def test_the_web_chat_enters_and_confirms_scores_as_a_teacher(client, session, school):
    sign_in(client, _code(session, school.admin_id))
    math_teacher = teacher_named(session, school, "6A1", "TOAN")
    token = csrf_of(client, f"/admin/chat?as_staff={math_teacher}")
    page = client.post("/admin/chat", data={"csrf": token, "as_staff": math_teacher,
                                            "text": "6A1 Toán TX1: 8 7 9"})
    assert "Xem trước" in page.text and "Xác nhận" in page.text
    data = next(part.split('"')[0] for part in page.text.split('name="button" value="')[1:]
                if part.startswith("ok:"))
    done = client.post("/admin/chat", data={"csrf": token, "as_staff": math_teacher,
                                            "button": data})
    assert "Đã lưu 3 điểm" in done.text
    assert len(session.exec(select(ScoreEntry)).all()) == 3
    assert "CHẾ ĐỘ THỬ" in done.text
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "score.enter")).all()
    assert len(entries) == 3
    assert {(e.actor_id, e.acting_as_id) for e in entries} == {(school.admin_id, math_teacher)}
    started = session.exec(select(AuditEntry).where(AuditEntry.action == "chat.web_as")).one()
    chat_id = started.via.removeprefix("web:")
    assert chat_id.startswith("wc-") and all(e.via.startswith(f"web:{chat_id}-")
                                             for e in entries)
    assert audit_verification.check(session).ok


def test_without_demo_mode_the_web_chat_is_refused_and_no_banner_shows(db, session, school,
                                                                       clock, tmp_path):
    engine, _ = db
    give_passwords(engine, clock, school.admin_id)
    settings = Settings(secret_key="khoa-bi-mat-cho-kiem-thu", data_dir=tmp_path)
    assert settings.demo_mode is False
    with TestClient(create_app(engine, settings, clock=clock)) as plain:
        sign_in(plain, _code(session, school.admin_id))
        token = csrf_of(plain, "/admin/chat")
        refused = plain.post("/admin/chat", data={"csrf": token, "as_staff": school.office_id,
                                                  "text": "/help"})
        assert refused.status_code == 403
        assert "CHẾ ĐỘ THỬ" not in plain.get("/admin/").text


def test_audit_trail_verifies_and_printing_downloads(client, session, school):
    sign_in(client, _code(session, school.admin_id))
    assert "Chưa kiểm tra" in client.get("/admin/audit").text
    token = csrf_of(client, "/admin/audit")
    assert client.post("/admin/audit/verify", data={"csrf": "sai"}).status_code in (400, 403)
    checked = client.post("/admin/audit/verify", data={"csrf": token})
    assert "Nhật ký toàn vẹn" in checked.text and "kiểm lúc" in checked.text
    pdf = client.get(f"/admin/printing/class/{class_named(session, '6A1').id}.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert "Tiến độ nhập điểm" in client.get("/admin/").text


def test_the_archive_runs_in_the_background_with_progress_and_a_download(client, session,
                                                                        school):
    sign_in(client, _code(session, school.office_id))
    token = csrf_of(client, "/admin/printing")
    started = client.post("/admin/printing/archive", data={"csrf": token, "draft": "1"},
                          follow_redirects=False)
    job_url = started.headers["location"]
    assert "Lập lưu trữ cuối năm" in client.get(job_url).text
    archive = downloaded_archive(client, job_url)
    assert archive.status_code == 200 and archive.content[:2] == b"PK"


def test_reference_data_crud_is_for_admins_and_audited(client, session, school):
    sign_in(client, _code(session, school.office_id))
    assert client.get("/admin/data/student/list").status_code == 403
    client.cookies.clear()
    sign_in(client, _code(session, school.admin_id))
    listing = client.get("/admin/data/student/list")
    assert listing.status_code == 200 and "Học sinh" in listing.text
    token = csrf_of(client, "/admin/")
    refused = client.post("/admin/data/department/create", data={
        "name": "Tổ Văn phòng", "school_id": school.school_id})  # no CSRF token
    assert refused.status_code == 403
    assert session.exec(select(Department).where(Department.name == "Tổ Văn phòng")).first() \
        is None
    client.post("/admin/data/department/create", data={"name": "Tổ Văn phòng",
                                                        "school_id": school.school_id,
                                                        "csrf": token})
    session.expire_all()
    assert session.exec(select(Department).where(Department.name == "Tổ Văn phòng")).one()
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "department.create")).one()


def test_an_admin_adds_a_subject_alias_and_the_bot_understands_it(client, session, school,
                                                                  clock):
    from services.directory import find_subjects

    sign_in(client, _code(session, school.admin_id))
    math = subject(session, "TOAN")
    assert find_subjects(session, school.school_id, "Đại số") == []
    client.post("/admin/data/subject-alias/create", data={
        "alias": "Đại số", "school_id": school.school_id, "subject_id": math.id,
        "csrf": csrf_of(client, "/admin/")})
    session.expire_all()
    assert [s.code for s in find_subjects(session, school.school_id, "dai so")] == ["TOAN"]
    assert session.exec(select(AuditEntry).where(
        AuditEntry.action == "subjectalias.create")).one()


def test_staff_and_teaching_assignments_import_all_or_nothing_and_idempotent(client, session,
                                                                            school):
    from services.importing_staff import ASSIGNMENT_COLUMNS, STAFF_COLUMNS

    sign_in(client, _code(session, school.admin_id))
    staff_rows = [["GV901", "Trần Văn Bình", "Nam", "0912345678", "", "Tổ Toán – Tin",
                   "GVBM, gvcn"],
                  ["GV902", "Lê Thị Hoa", "Nữ", "", "", "Tổ Bơi lội", "GVBM"]]
    bad = _upload(client, sheet_file(STAFF_COLUMNS, staff_rows), "can-bo")
    assert "Dòng 3, cột “Tổ chuyên môn”" in bad.text
    assert session.exec(select(Staff).where(Staff.code == "GV901")).first() is None
    staff_rows[1][5] = "Tổ Ngoại ngữ"
    assert "2 mới" in _upload(client, sheet_file(STAFF_COLUMNS, staff_rows), "can-bo").text
    assert "2 không đổi" in _upload(client, sheet_file(STAFF_COLUMNS, staff_rows), "can-bo").text
    rows = [["GV901", "6A1", "Toán"], ["GV902", "7A1", "Tiếng Anh"]]
    assert "2 mới" in _upload(client, sheet_file(ASSIGNMENT_COLUMNS, rows), "phan-cong").text
    assert "2 không đổi" in _upload(client, sheet_file(ASSIGNMENT_COLUMNS, rows), "phan-cong").text
    wrong = _upload(client, sheet_file(ASSIGNMENT_COLUMNS, [["GV999", "6A1", "Hóa"]]), "phan-cong")
    assert "không có cán bộ mã “GV999”" in wrong.text and "không rõ môn “Hóa”" in wrong.text


def test_the_audit_trail_reads_in_words_pages_and_exports(client, session, school, clock):
    from openpyxl import load_workbook

    from services.corrections import decide, request_score_correction
    from services.school import roster
    from services.scores import ScoreBatch, enter_scores

    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    teacher_id = teacher(school, cls.id, math.id)
    ids = [line.student.id for line in roster(session, cls.id)]
    for column in ("TX1", "TX2", "TX3", "GK", "CK"):
        entries = enter_scores(session, clock, teacher_id, ScoreBatch(
            cls.id, math.id, school.term_ids[1], column, {i: "7" for i in ids}))
    request = request_score_correction(session, clock, teacher_id, entries[0].id, "9",
                                       "Chấm nhầm bài")
    decide(session, clock, school.principal_id, request.token, approve=True)
    sign_in(client, _code(session, school.admin_id))
    first = client.get("/admin/audit").text
    pupil = session.get(Student, ids[0]).full_name
    assert "Sửa điểm (đã duyệt)" in first and "CK: 7,0 → 9,0" in first
    assert f"{pupil}, lớp 6A1 — Toán" in first and '"value"' not in first
    assert "trang 1/3" in first and 'id="audit-next"' in first
    second = client.get("/admin/audit?trang=2").text
    assert "trang 2/3" in second and 'id="audit-prev"' in second and "Nhập điểm" in second
    only = client.get("/admin/audit?text=correction").text
    assert "Xin sửa" in only and "trang 1/1" in only
    export = client.get("/admin/audit/nhat-ky.xlsx")
    sheet = load_workbook(BytesIO(export.content)).active
    assert sheet["D1"].value == "Việc" and sheet.max_row > 200
    assert any(row[3] == "Sửa điểm (đã duyệt)" for row in sheet.iter_rows(values_only=True))
    empty = client.get("/admin/audit?text=khong-co-gi-nhu-vay").text
    assert "Không có bản ghi nào" in empty


def test_a_printed_page_is_checked_from_the_panel_within_the_school(client, session, school):
    import re as regex
    from datetime import UTC, datetime

    import pdfplumber

    from models import PrintedDocument, School

    sign_in(client, _code(session, school.office_id))
    cls = class_named(session, "6A1")
    pdf = client.get(f"/admin/printing/class/{cls.id}.pdf")
    assert pdf.status_code == 200
    first = pdfplumber.open(BytesIO(pdf.content)).pages[0].extract_text()
    code = regex.search(r"Mã kiểm tra trang: ([A-Z2-9]{8}-1)\b", first)[1]
    page = client.get("/admin/verify-print", params={"code": code})
    assert page.status_code == 200 and "Trang còn đúng" in page.text
    other = School(code="KHAC", name="Trường THCS Khác")
    session.add(other)
    session.flush()
    session.add(PrintedDocument(code="ZZZZ2222", school_id=other.id, kind="class_book",
                                title="Sổ của trường khác", printed_at=datetime.now(UTC),
                                audit_seq=0, audit_hash="", pages=1, cells="{}"))
    session.commit()
    foreign = client.get("/admin/verify-print", params={"code": "ZZZZ2222-1"})
    assert "Không có tài liệu in nào" in foreign.text and "trường khác" not in foreign.text
    bad = client.get("/admin/verify-print", params={"code": "<script>alert(1)</script>"})
    assert "<script>alert" not in bad.text and "không đúng dạng" in bad.text
