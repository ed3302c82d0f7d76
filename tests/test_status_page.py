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
