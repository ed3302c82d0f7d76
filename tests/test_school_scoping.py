"""Two schools in one deployment: an admin of school A gets 404 (or nothing) for school B's
classes, invites, minutes, corrections, locks and archive jobs."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from admin.status_app import create_app
from core.config import Settings
from models import Invite, SchoolClass, Staff
from services.linking import create_invite
from services.locks import LockScope, create_lock
from tests.admin_helpers import csrf_of, give_passwords, sign_in
from tests.helpers import OTHER_REASON, correction_in_another_school


@pytest.fixture
def two_schools(db, school, clock, tmp_path):
    engine, _ = db
    with Session(engine, expire_on_commit=False) as session:
        other, cls, request = correction_in_another_school(session, clock)
        invite = create_invite(session, clock, other.admin_id, other.principal_id)
        lock = create_lock(session, clock, executor_id=other.admin_id,
                           decided_by_id=other.principal_id,
                           scope=LockScope(other.year_id, term_id=other.term_ids[1]))
        code = session.get(Staff, school.admin_id).code
        facts = {"class": cls.id, "request": request.id, "invite": invite.id,
                 "invite_code": invite.code, "lock": lock.id}
    give_passwords(engine, clock, school.admin_id)
    settings = Settings(secret_key="khoa-bi-mat-cho-kiem-thu", data_dir=tmp_path)
    with TestClient(create_app(engine, settings, clock=clock)) as client:
        assert sign_in(client, code).status_code == 303
        yield client, facts, engine


def test_another_schools_records_are_not_found(two_schools):
    client, theirs, engine = two_schools
    assert client.get(f"/admin/printing/class/{theirs['class']}.pdf").status_code == 404
    assert client.get(f"/admin/corrections/{theirs['request']}/minutes.pdf").status_code == 404
    sheet = client.get(f"/admin/invites/sheet?ids={theirs['invite']}")
    assert theirs["invite_code"] not in sheet.text
    listing = client.get("/admin/corrections").text
    assert OTHER_REASON not in listing
    token = csrf_of(client, "/admin/invites")
    revoked = client.post(f"/admin/invites/{theirs['invite']}/revoke", data={"csrf": token},
                          follow_redirects=False)
    assert revoked.status_code == 404
    with Session(engine) as session:
        assert session.get(Invite, theirs["invite"]).revoked_at is None
    token = csrf_of(client, "/admin/locks")
    lifted = client.post(f"/admin/locks/{theirs['lock']}/lift",
                         data={"csrf": token, "decided_by": 1}, follow_redirects=False)
    assert lifted.status_code == 404


def test_the_audit_trail_shows_this_schools_entries_only(two_schools):
    client, theirs, engine = two_schools
    from services import audit_view

    reason = OTHER_REASON
    with Session(engine) as session:  # school B's own view finds the entry
        other = session.exec(select(SchoolClass).where(SchoolClass.id == theirs["class"])).one()
        from models import SchoolYear

        school_b = session.get(SchoolYear, other.year_id).school_id
        assert audit_view.count(session, audit_view.AuditFilter(reason, school_id=school_b))
    page = client.get("/admin/audit", params={"text": reason})
    assert page.status_code == 200 and page.text.count(reason) == 1  # the search box only
    ours = client.get("/admin/audit")
    assert ours.status_code == 200 and "Trần Văn Ơn" not in ours.text
