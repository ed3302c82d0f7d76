"""Two panel replicas on one database (two apps, as two `serve` processes behind a proxy):
sign-in failures are counted across them and the web chat shows the same conversation
whichever replica answers."""

import pytest
from fastapi.testclient import TestClient

from admin.status_app import create_app
from core.config import Settings
from models import Staff
from tests.admin_helpers import csrf_of, give_passwords, sign_in


@pytest.fixture
def replicas(db, school, clock, tmp_path):
    engine, _ = db
    give_passwords(engine, clock, school.admin_id)
    settings = Settings(secret_key="khoa-chung-cua-cac-ban-sao", data_dir=tmp_path,
                        demo_mode=True)
    with TestClient(create_app(engine, settings, clock=clock)) as first, \
            TestClient(create_app(engine, settings, clock=clock)) as second:
        yield first, second


def _code(db, staff_id: int) -> str:
    from sqlmodel import Session

    with Session(db[0]) as session:
        return session.get(Staff, staff_id).code


def test_failed_sign_ins_are_counted_across_replicas(db, school, replicas):
    first, second = replicas
    code = _code(db, school.admin_id)
    for client in (first, second, first, second, first):
        assert sign_in(client, code, "sai-mat-khau").status_code == 401
    refused = sign_in(second, code)  # the right password, but five failures already
    assert refused.status_code == 429 and "Chờ 15 phút" in refused.text


def test_the_web_chat_transcript_is_shared_by_replicas(db, school, replicas):
    first, second = replicas
    code = _code(db, school.admin_id)
    assert sign_in(first, code).status_code == 303
    second.cookies.update(first.cookies)  # the proxy sends the next request elsewhere
    token = csrf_of(first, "/admin/chat")
    sent = first.post("/admin/chat", data={"csrf": token, "as_staff": school.principal_id,
                                           "text": "Tiến độ"}, follow_redirects=False)
    assert sent.status_code == 303
    page = second.get(f"/admin/chat?as_staff={school.principal_id}")
    assert page.status_code == 200 and "Tiến độ" in page.text
    assert "<strong>Bot:</strong>" in page.text  # the bot's answer, stored by the other one
