"""The panel against a hostile user: forged posts, stolen cookies, guessed passwords,
oversized bodies. Each test is one attack that once worked."""

import asyncio

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from admin.status_app import create_app
from admin.web.guard import Guard
from core.config import Settings
from models import Staff, StaffRole
from models.types import Role
from services.accounts import set_password
from tests.admin_helpers import PASSWORD, csrf_of, give_passwords, sign_in
from tests.helpers import teacher_named


def _client(engine, clock, tmp_path, **settings) -> TestClient:
    return TestClient(create_app(engine, Settings(secret_key="k" * 40, data_dir=tmp_path,
                                                  **settings), clock=clock))


@pytest.fixture
def admin_client(db, school, clock, tmp_path):
    engine, _ = db
    give_passwords(engine, clock, school.admin_id)
    with _client(engine, clock, tmp_path) as client:
        yield client


def _code(session, staff_id):
    return session.get(Staff, staff_id).code


def test_a_post_to_the_data_pages_without_csrf_cannot_make_a_teacher_admin(
        admin_client, session, school):
    teacher_id = teacher_named(session, school, "6A1", "TOAN")
    sign_in(admin_client, _code(session, school.admin_id))
    forged = admin_client.post("/admin/data/staff-role/create",
                               data={"staff_id": teacher_id, "role": Role.ADMIN})
    assert forged.status_code == 403
    session.expire_all()
    assert Role.ADMIN not in {r.role for r in session.exec(
        select(StaffRole).where(StaffRole.staff_id == teacher_id))}


def test_a_deactivated_admin_loses_every_page_at_once(admin_client, session, school):
    sign_in(admin_client, _code(session, school.admin_id))
    token = csrf_of(admin_client, "/admin/")
    admin = session.get(Staff, school.admin_id)
    admin.active = False
    session.add(admin)
    session.commit()
    assert "/admin/login" in admin_client.get("/admin/data/staff/list",
                                              follow_redirects=False).headers["location"]
    back_on = admin_client.post(f"/admin/data/staff/edit/{admin.id}",
                                data={"active": "y", "csrf": token})
    assert back_on.status_code in (401, 403)
    session.expire_all()
    assert session.get(Staff, school.admin_id).active is False


def test_a_cookie_saved_before_logout_no_longer_works(admin_client, session, school):
    sign_in(admin_client, _code(session, school.admin_id))
    saved = dict(admin_client.cookies)
    token = csrf_of(admin_client, "/admin/")
    admin_client.post("/admin/logout", data={"csrf": token})
    admin_client.cookies.clear()
    for name, value in saved.items():
        admin_client.cookies.set(name, value)
    replayed = admin_client.get("/admin/", follow_redirects=False)
    assert replayed.status_code == 303 and "/admin/login" in replayed.headers["location"]


def test_a_password_change_ends_the_other_sessions(db, admin_client, session, school, clock):
    sign_in(admin_client, _code(session, school.admin_id))
    assert admin_client.get("/admin/", follow_redirects=False).status_code == 200
    set_password(session, clock, school.admin_id, "mat-khau-moi-456789")
    assert admin_client.get("/admin/", follow_redirects=False).status_code == 303


def test_spaces_around_the_code_do_not_reset_the_rate_limit(admin_client, session, school):
    code = _code(session, school.admin_id)
    for variant in (code, f" {code}", f"{code} ", code.lower(), f"  {code.lower()}"):
        sign_in(admin_client, variant, "sai-mat-khau")
    assert sign_in(admin_client, code).status_code == 429


def test_forwarded_for_is_believed_only_from_a_configured_proxy(db, session, school, clock,
                                                                tmp_path):
    engine, _ = db
    give_passwords(engine, clock, school.admin_id)
    code = _code(session, school.admin_id)
    with _client(engine, clock, tmp_path) as client:  # no proxy configured
        for n in range(5):
            token = csrf_of(client)
            client.post("/admin/login", data={"code": code, "password": "sai", "csrf": token},
                        headers={"X-Forwarded-For": f"10.0.0.{n}"})
        assert sign_in(client, code).status_code == 429  # one peer, whatever it claims
    with _client(engine, clock, tmp_path, trusted_proxies="testclient") as client:
        for _ in range(5):
            token = csrf_of(client)
            client.post("/admin/login", data={"code": code, "password": "sai", "csrf": token},
                        headers={"X-Forwarded-For": "10.0.0.9"})
        token = csrf_of(client)
        other = client.post("/admin/login", data={"code": code, "password": PASSWORD,
                                                  "csrf": token},
                            headers={"X-Forwarded-For": "10.0.0.10"}, follow_redirects=False)
        assert other.status_code == 303  # the proxy's word decides who was limited


def test_session_cookies_are_secure_when_the_panel_is_public_over_https(db, session, school,
                                                                        clock, tmp_path):
    engine, _ = db
    give_passwords(engine, clock, school.admin_id)
    with _client(engine, clock, tmp_path, public_url="https://sodiem.example.edu.vn") as client:
        assert "; secure" in client.get("/admin/login").headers["set-cookie"].lower()
    with _client(engine, clock, tmp_path) as client:
        assert "; secure" not in client.get("/admin/login").headers["set-cookie"].lower()


def test_an_oversized_body_is_refused_before_it_is_read(db, tmp_path):
    """A 1 GiB anonymous post to /admin/login: refused after the limit, never held."""
    engine, _ = db
    reached, sent = [], []

    async def app(scope, receive, send):  # never reached
        reached.append(scope["path"])

    async def receive():
        sent.append(1)
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    async def send(message):
        if message["type"] == "http.response.start":
            sent.append(("status", message["status"]))

    guard = Guard(app, engine, Settings(data_dir=tmp_path))
    for headers in ([], [(b"content-length", str(2**30).encode())]):
        sent.clear()
        scope = {"type": "http", "method": "POST", "path": "/admin/login", "headers": headers,
                 "query_string": b""}
        asyncio.run(guard(scope, receive, send))
        assert ("status", 413) in sent and len(sent) <= 3  # at most two 64 KiB chunks read
    assert reached == []
