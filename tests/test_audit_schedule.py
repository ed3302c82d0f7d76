"""The nightly verification: stored for the status page, an alert when the record lies."""

from datetime import timedelta

from sqlalchemy import text
from sqlmodel import select

from models import AuditVerification, Delivery
from scheduler import jobs, runtime
from services.linking import create_invite, redeem_invite
from services.scores import ScoreBatch, enter_scores
from tests.helpers import class_named, student_ids, subject, teacher


def _link(session, clock, school, staff_id, user_id):
    code = create_invite(session, clock, school.admin_id, staff_id).code
    redeem_invite(session, clock, code, "telegram", user_id, user_id)


def test_the_verification_job_is_scheduled_nightly():
    spec = runtime.BY_ID["audit-verify"]
    assert "hour='2'" in str(spec.trigger) and "minute='10'" in str(spec.trigger)


def test_tampering_found_at_night_alerts_the_admin_and_principal_once(session, school, clock):
    _link(session, clock, school, school.admin_id, "7001")
    _link(session, clock, school, school.principal_id, "7002")
    cls, math = class_named(session, "6A1"), subject(session, "TOAN")
    (cell,) = enter_scores(session, clock, teacher(school, cls.id, math.id), ScoreBatch(
        cls.id, math.id, school.term_ids[1], "TX1", {student_ids(session, cls.id)[0]: "4"}))
    assert jobs.verify_audit(session, clock) == 0  # clean: stored, nobody told
    session.exec(text("UPDATE scoreentry SET value = 90 WHERE id = :i").bindparams(i=cell.id))
    session.commit()
    assert jobs.verify_audit(session, clock) == 0  # ran less than 20 h ago: skipped
    clock.move_to(clock.now() + timedelta(days=1))
    assert jobs.verify_audit(session, clock) == 2
    alerts = session.exec(select(Delivery).where(Delivery.key.startswith("audit-alert"))).all()
    assert {d.staff_id for d in alerts} == {school.admin_id, school.principal_id}
    assert all("bảng ghi 9,0, nhật ký ghi 4,0" in d.text for d in alerts)
    runs = session.exec(select(AuditVerification)).all()
    assert [r.ok for r in runs] == [True, False]
