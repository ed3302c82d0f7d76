"""The page `sodiem serve` shows a newcomer."""

from fastapi.testclient import TestClient

from admin.status_app import create_app
from core.config import Settings


def test_the_status_page_tells_what_to_do_next_without_a_token(db):
    engine, _ = db
    client = TestClient(create_app(engine, Settings(telegram_token="")))
    page = client.get("/")
    assert page.status_code == 200
    assert "Trường THCS Ngô Sĩ Liên" in page.text
    assert "SODIEM_TELEGRAM_TOKEN" in page.text
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_status_page_shows_the_last_verification_without_scanning(db, school, clock):
    """An anonymous visit reads the stored result; it never runs a full scan itself."""
    from sqlmodel import Session, text

    from services import audit_verification
    from services.scores import ScoreBatch, enter_scores
    from tests.helpers import class_named, student_ids, subject, teacher

    engine, _ = db
    with Session(engine) as session:
        cls, math = class_named(session, "6A1"), subject(session, "TOAN")
        enter_scores(session, clock, teacher(school, cls.id, math.id), ScoreBatch(
            cls.id, math.id, school.term_ids[1], "TX1", {student_ids(session, cls.id)[0]: "8"}))
    client = TestClient(create_app(engine, Settings(telegram_token="")))
    assert "Chưa kiểm tra lần nào" in client.get("/").text
    with Session(engine) as session:
        audit_verification.run(session, clock, "schedule")
        session.exec(text("UPDATE auditentry SET via = 'sửa lén' WHERE seq = 1"))
        session.commit()
    page = client.get("/").text
    assert "Nhật ký toàn vẹn" in page and "kiểm lúc 10:00 20/11/2026" in page
    with Session(engine) as session:
        audit_verification.run(session, clock, "schedule")
    assert "PHÁT HIỆN THAY ĐỔI TRÁI PHÉP" in client.get("/").text
