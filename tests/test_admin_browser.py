"""The admin panel in a real headless Chromium (Debian's), driven by Playwright."""

import os
import shutil
import threading
import time

import pytest
import uvicorn
from sqlmodel import Session, select

from admin.status_app import create_app
from core.config import Settings
from models import LockWindow, ScoreEntry, Staff, Student
from tests.admin_helpers import PASSWORD, give_passwords, good_rows, student_file
from tests.emulator.client import free_port
from tests.helpers import class_named, subject, teacher

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("SODIEM_REQUIRE_BROWSER"):
            pytest.fail("chromium is required in CI")
        pytest.skip("chưa cài chromium của Debian (apt-get install chromium): "
                    "bỏ qua phép thử trình duyệt")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def site(request, clock, tmp_path):
    """The whole web app on a free loopback port over a fresh copy of the demo school."""
    factory, path, school = request.getfixturevalue("sqlite_template")
    _, engine = factory.create(template=path)
    with Session(engine) as session:
        math_teacher = teacher(school, class_named(session, "6A1").id,
                               subject(session, "TOAN").id)
        admin_code = session.get(Staff, school.admin_id).code
    give_passwords(engine, clock, school.admin_id)
    settings = Settings(secret_key="khoa-kiem-thu-trinh-duyet", data_dir=tmp_path,
                        demo_mode=True)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(engine, settings, clock=clock),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", engine, school, admin_code, math_teacher
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture
def page(browser, site):
    url, _, _, admin_code, _ = site
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(f"{url}/admin/")
    page.fill("#code", admin_code)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Tiến độ nhập điểm")
    yield page
    context.close()


def test_sign_in_shows_the_progress_dashboard(page, tmp_path):
    assert "Toàn trường" in page.content() and "<svg" in page.content()
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)


def test_import_a_file_with_a_bad_row_then_the_fixed_one(page, site, tmp_path):
    url, engine, *_ = site
    rows = good_rows(3)
    rows[2][3] = "Khác"
    bad, good = tmp_path / "sai.xlsx", tmp_path / "dung.xlsx"
    bad.write_bytes(student_file(rows))
    good.write_bytes(student_file(good_rows(3)))
    page.goto(f"{url}/admin/import")
    page.set_input_files("#file", str(bad))
    page.click("#import-submit")
    assert "Dòng 4, cột “Giới tính”" in page.inner_text("#import-error")
    page.set_input_files("#file", str(good))
    page.click("#import-submit")
    assert "3 mới" in page.inner_text("#import-ok")
    with Session(engine) as session:
        assert session.exec(select(Student).where(Student.code == "HSMOI000")).one()


def test_create_an_invite_and_see_the_qr_sheet(page, site):
    url, engine, school, *_ = site
    with Session(engine) as session:
        principal = session.get(Staff, school.principal_id)
    page.goto(f"{url}/admin/invites")
    page.check(f"#pick-{principal.code}")
    page.click("#make-invites")
    page.wait_for_selector(".invite-card svg")
    assert principal.full_name in page.inner_text(".invite-card")


def test_lock_a_term(page, site):
    url, engine, school, *_ = site
    page.goto(f"{url}/admin/locks")
    page.select_option("#term_id", str(school.term_ids[1]))
    page.fill("#reason", "Khóa sổ học kì I")
    page.click("#lock-submit")
    page.wait_for_selector("text=Đã khóa sổ.")
    assert "đang khóa" in page.content()
    with Session(engine) as session:
        assert len(session.exec(select(LockWindow)).all()) == 1


def test_enter_and_confirm_scores_in_the_web_chat(page, site):
    url, engine, _, _, math_teacher = site
    page.goto(f"{url}/admin/chat")
    page.select_option("#as_staff", str(math_teacher))
    page.wait_for_selector("#chat-text")
    page.fill("#chat-text", "6A1 Toán TX1\n1 8\n2 7,5\n3 9")
    page.click("#chat-send")
    page.wait_for_selector("text=Xem trước")
    page.click("button.chat-button:has-text('Xác nhận')")
    page.wait_for_selector("text=Đã lưu 3 điểm TX1 môn Toán lớp 6A1")
    with Session(engine) as session:
        assert len(session.exec(select(ScoreEntry)).all()) == 3


def test_the_data_pages_still_save_through_the_csrf_gate(page, site):
    """sqladmin's own forms get the panel's CSRF token added (admin/static/csrf.js)."""
    url, engine, school, *_ = site
    page.goto(f"{url}/admin/data/department/create")
    page.fill("input[name=name]", "Tổ Thư viện")
    if page.locator("input[name=school_id]").count():
        page.fill("input[name=school_id]", str(school.school_id))
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")
    from models import Department
    with Session(engine) as session:
        assert session.exec(select(Department).where(Department.name == "Tổ Thư viện")).one()


def _fonts_rendering(page, selector: str) -> list[dict]:
    """The platform fonts Chromium actually used to draw a node's text (DevTools)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"][-1]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def test_the_web_chat_draws_double_marked_letters_in_one_font(page, site, tmp_path):
    """Debian's monospace lacks "ễ", "Ặ": the chat must not fall back letter by letter."""
    url, _, _, _, math_teacher = site
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{url}/admin/chat?as_staff={math_teacher}")
    text = "Nguyễn Thị Hương, Phạm Ặng, Lê Ẩn, Trần Thị Ỷ"
    page.fill("#chat-text", text)
    page.click("#chat-send")
    page.wait_for_selector(".chat-line")
    fonts = _fonts_rendering(page, ".msg .chat-line")  # what the teacher typed
    page.screenshot(path=str(tmp_path / "chat-phone.png"), full_page=True)
    assert len(fonts) == 1, fonts  # no fallback font drew some of the letters
    assert "mono" not in fonts[0]["familyName"].lower()
    # one glyph per letter: DejaVu Sans Mono draws "ễ" as e + two loose marks (35 for 33)
    assert fonts[0]["glyphCount"] == len(text), fonts


def test_the_audit_trail_pages_forward_and_back(page, site, clock):
    url, engine, school, _, math_teacher = site
    from services.school import roster
    from services.scores import ScoreBatch, enter_scores
    with Session(engine, expire_on_commit=False) as session:
        cls, math = class_named(session, "6A1"), subject(session, "TOAN")
        ids = [line.student.id for line in roster(session, cls.id)]
        for column in ("TX1", "TX2", "TX3"):
            enter_scores(session, clock, math_teacher, ScoreBatch(
                cls.id, math.id, school.term_ids[1], column, {i: "8" for i in ids}))
    page.goto(f"{url}/admin/audit")
    assert "trang 1/2" in page.inner_text("#audit-count")
    page.click("#audit-next")
    page.wait_for_selector("#audit-prev")
    assert "trang 2/2" in page.inner_text("#audit-count")
    assert "Nhập điểm" in page.inner_text("#audit-table")
    page.click("#audit-prev")
    page.wait_for_selector("#audit-next")
    assert "trang 1/2" in page.inner_text("#audit-count")


def test_a_table_reply_in_the_web_chat_is_an_aligned_table_on_a_phone(page, site, tmp_path):
    url, _, _, _, math_teacher = site
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{url}/admin/chat?as_staff={math_teacher}")
    page.fill("#chat-text", "/lop 6A1")
    page.click("#chat-send")
    page.wait_for_selector(".chat-table")
    first_cells = page.eval_on_selector_all(
        ".chat-table tr td:nth-child(2)", "cells => cells.map(c => c.getBoundingClientRect().x)")
    assert len(first_cells) > 40 and len(set(first_cells)) == 1  # one column, one left edge
    page.screenshot(path=str(os.environ.get("SODIEM_SCREENSHOTS", tmp_path)) + "/chat-lop.png",
                    full_page=False)
    page.goto(f"{url}/admin/")
    page.screenshot(path=str(os.environ.get("SODIEM_SCREENSHOTS", tmp_path)) + "/dashboard.png",
                    full_page=False)


def test_a_district_officer_reads_the_district_on_a_phone(browser, site, clock, tmp_path):
    from services.demo_school import build_demo_school
    from services.district import create_office

    url, engine, _, _, _ = site
    with Session(engine, expire_on_commit=False) as session:
        build_demo_school(session, seed=9, classes_per_grade=1, class_size=5,
                          school_code="THCS-LL",
                          school_name="Trường Trung học cơ sở Nguyễn Thị Minh Khai "
                                      "phân hiệu Phường Mười Lăm")
        _, officer, _ = create_office(
            session, clock, code="PGD-TB", name="Phòng GD&ĐT Quận Tân Bình",
            district="Quận Tân Bình", province="Thành phố Hồ Chí Minh", officer_code="CVP01",
            officer_name="Trần Thị Minh Châu")
    give_passwords(engine, clock, officer.id)
    context = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{url}/admin/")
    page.fill("#code", "CVP01")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=tiến độ nhập điểm học kì I")
    assert "Nguyễn Thị Minh Khai" in page.content() and "Ngô Sĩ Liên" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(os.environ.get("SODIEM_SCREENSHOTS", tmp_path)) +
                    "/district-phone.png", full_page=True)
    context.close()
