"""The conversation on Zalo, end to end over real HTTP: the adapter long-polls (or takes
webhook deliveries from) a Zalo Bot API emulator written from the published API."""

import asyncio
import secrets
import threading
import time

import httpx
import pytest
import uvicorn
from sqlmodel import Session, select

from admin.status_app import create_app
from bot.zalo.adapter import WEBHOOK_PATH, ZaloBot, zalo_running
from bot.zalo.client import ZaloClient
from core.config import Settings
from models import Absence, ScoreEntry
from services.linking import create_invite
from tests.emulator.client import free_port
from tests.helpers import class_named, subject, teacher
from tests.zalo.emulator import ZaloEmulator, ZaloUser


@pytest.fixture(scope="module")
def zalo_emulator():
    emulator = ZaloEmulator()
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def zalo(request, zalo_emulator, clock):
    factory, path, demo = request.getfixturevalue("sqlite_template")
    _, engine = factory.create(template=path)
    yield engine, demo, zalo_emulator, f"zalo{secrets.token_hex(6)}"
    engine.dispose()


def _invite(engine, clock, school, staff_id) -> str:
    with Session(engine, expire_on_commit=False) as session:
        return create_invite(session, clock, school.admin_id, staff_id).code


def _math_teacher(engine, school) -> int:
    with Session(engine) as session:
        return teacher(school, class_named(session, "6A1").id, subject(session, "TOAN").id)


async def _running(engine, clock, emulator, token):
    bot = ZaloBot(engine, clock, ZaloClient(token, emulator.url))
    return zalo_running(bot, "polling")


async def test_link_enter_scores_fix_a_line_and_confirm_with_1(zalo, clock):
    engine, school, emulator, token = zalo
    teacher_id = _math_teacher(engine, school)
    user = ZaloUser(emulator, token, "z-teacher-1")
    async with await _running(engine, clock, emulator, token):
        await user.say(_invite(engine, clock, school, teacher_id))  # the code alone
        said = await user.wait_for(lambda m: len(m) == 1)
        assert "Đã liên kết tài khoản" in said[0]
        await user.say("6A1 Toán TX1\n1 8\n2 11")
        said = await user.wait_for(lambda m: len(m) == 2)
        assert "Chưa lưu gì" in said[1] and "lớn hơn 10" in said[1]
        await user.say("6A1 Toán TX1\n1 8\n2 7,5")
        said = await user.wait_for(lambda m: len(m) == 3)
        assert "Xem trước" in said[2] and "Trả lời bằng số: 1. Xác nhận, 2. Hủy" in said[2]
        await user.say("1")
        said = await user.wait_for(lambda m: len(m) == 4)
        assert "Đã lưu 2 điểm TX1 môn Toán lớp 6A1" in said[3]
    await user.close()
    with Session(engine) as session:
        assert len(session.exec(select(ScoreEntry)).all()) == 2


async def test_absences_a_redelivered_message_and_a_long_reply(zalo, clock):
    engine, school, emulator, token = zalo
    with Session(engine) as session:
        homeroom = school.homeroom[class_named(session, "6A1").id]
    user = ZaloUser(emulator, token, "z-gvcn-1")
    async with await _running(engine, clock, emulator, token):
        await user.say(f"/start {_invite(engine, clock, school, homeroom)}")
        await user.wait_for(lambda m: len(m) == 1)
        await user.say("vắng 6A1 sáng 3 5", message_id="m-same-1")
        await user.say("vắng 6A1 sáng 3 5", message_id="m-same-1")  # redelivered
        said = await user.wait_for(lambda m: len(m) >= 2)
        await user.say("1")
        said = await user.wait_for(lambda m: any("Đã ghi 2 lượt vắng" in x for x in m))
        assert sum("Xem trước" in x for x in said) == 1  # the redelivery did nothing
        bad = "6A1 GDCD TX1\n" + "\n".join(f"{n} 8" for n in range(100, 190))
        await user.say(bad)
        said = await user.wait_for(lambda m: any("Sửa các dòng trên" in x for x in m))
    await user.close()
    pieces = [x for x in said if "không có số thứ tự" in x or "Sửa các dòng" in x]
    assert len(pieces) >= 2 and all(len(x) <= 2000 for x in said)
    with Session(engine) as session:
        assert len(session.exec(select(Absence)).all()) == 2


async def test_a_protected_account_gets_a_note_not_a_crash(zalo, clock):
    engine, _, emulator, token = zalo
    user = ZaloUser(emulator, token, "z-child-1")
    async with await _running(engine, clock, emulator, token):
        await user.say(None)  # message.unsupported.received, no text
        said = await user.wait_for(lambda m: len(m) == 1)
        await user.say("xin chào")
        said = await user.wait_for(lambda m: len(m) == 2)
    await user.close()
    assert "không dùng được bot" in said[0] and "chưa được liên kết" in said[1]


def _serve(app) -> tuple[uvicorn.Server, str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{port}"


async def test_the_webhook_checks_the_secret_and_answers_on_zalo(zalo, clock, tmp_path):
    engine, _, emulator, token = zalo
    settings = Settings(secret_key="k" * 40, data_dir=tmp_path, zalo_token=token,
                        zalo_api_url=emulator.url, zalo_mode="webhook",
                        zalo_webhook_secret="bi-mat-zalo-123",
                        public_url="https://sodiem.example.edu.vn")
    bot = ZaloBot(engine, clock, ZaloClient(token, emulator.url))
    server, url = _serve(create_app(engine, settings, clock=clock, zalo=bot))
    try:
        async with httpx.AsyncClient(base_url=emulator.url) as http:
            async def deliver(secret: str) -> int:
                answer = await http.post(f"/test/{token}/inject", json={
                    "user_id": "z-web-1", "text": "xin chào", "deliver_to": url + WEBHOOK_PATH,
                    "secret": secret})
                return answer.json()["status"]
            assert emulator.webhooks[token]["url"] == \
                "https://sodiem.example.edu.vn" + WEBHOOK_PATH
            assert await deliver("doan-mo") == 403
            assert await deliver("bi-mat-zalo-123") == 200
        async with httpx.AsyncClient() as raw:
            garbled = await raw.post(url + WEBHOOK_PATH, content=b"{x",
                                     headers={"X-Bot-Api-Secret-Token": "bi-mat-zalo-123",
                                              "content-type": "application/json"})
        assert garbled.status_code == 400
        user = ZaloUser(emulator, token, "z-web-1")
        said = await user.wait_for(lambda m: len(m) == 1)
        assert "chưa được liên kết" in said[0]
        await user.close()
    finally:
        server.should_exit = True
        await asyncio.sleep(0.2)


async def test_the_emulator_enforces_the_platform_limits(zalo_emulator):
    client = ZaloClient("limits-token", zalo_emulator.url)
    from bot.zalo.client import ZaloError
    with pytest.raises(ZaloError) as too_long:
        await client.send_message("x", "a" * 2001)
    assert too_long.value.code == 400
    assert await client.get_update(timeout=1) is None  # 408 when idle
    with pytest.raises(ZaloError):
        await client.set_webhook("http://not-https.example", "12345678")
    await client.close()


async def test_a_p_k_prompt_from_the_scheduler_is_answered_with_digits(zalo, clock):
    from datetime import date, datetime

    from core.clock import VN_TZ, FixedClock
    from models.types import Session as DaySession
    from scheduler import jobs
    from services.absences import AbsenceReport, record_absences
    from tests.helpers import student_ids

    engine, school, emulator, token = zalo
    with Session(engine, expire_on_commit=False) as session:
        cls = class_named(session, "6A1")
        homeroom = school.homeroom[cls.id]
        (absence,) = record_absences(session, clock, homeroom, AbsenceReport(
            cls.id, date(2026, 11, 16), DaySession.MORNING, (student_ids(session, cls.id)[2],)))
    user = ZaloUser(emulator, token, "z-gvcn-2")
    december = FixedClock(datetime(2026, 12, 1, 7, 0, tzinfo=VN_TZ))
    async with await _running(engine, december, emulator, token):
        await user.say(_invite(engine, december, school, homeroom))
        await user.wait_for(lambda m: len(m) == 1)
        with Session(engine, expire_on_commit=False) as session:
            assert jobs.absence_prompts(session, december) == 1  # goes to Zalo: linked last
        said = await user.wait_for(lambda m: len(m) == 2, timeout=15)
        assert "Trả lời bằng số: 1." in said[1] and "16/11" in said[1]
        await user.say("1")  # the first choice: P for that absence
        await user.wait_for(lambda m: len(m) == 3)
        await user.say("9")  # not on the list
        said = await user.wait_for(lambda m: len(m) == 4)
        assert "không có trong danh sách" in said[3]
    await user.close()
    with Session(engine) as session:
        assert session.get(Absence, absence.id).status == "P"


async def test_a_correction_approved_on_zalo_reaches_the_teacher_on_telegram(zalo, clock):
    from models import Delivery
    from services.linking import redeem_invite
    from services.scores import ScoreBatch, enter_scores
    from tests.conversation_helpers import Phone
    from tests.helpers import student_ids

    engine, school, emulator, token = zalo
    teacher_id = _math_teacher(engine, school)
    with Session(engine, expire_on_commit=False) as session:
        cls, math = class_named(session, "6A1"), subject(session, "TOAN")
        enter_scores(session, clock, teacher_id, ScoreBatch(
            cls.id, math.id, school.term_ids[1], "TX1", {student_ids(session, cls.id)[0]: "7"}))
        redeem_invite(session, clock, _invite(engine, clock, school, teacher_id), "telegram",
                      "tg-teacher-1", "tg-teacher-1")
    teacher_phone = Phone(engine, clock, "tg-teacher-1")  # on Telegram
    principal = ZaloUser(emulator, token, "z-principal-1")
    async with await _running(engine, clock, emulator, token):
        await principal.say(_invite(engine, clock, school, school.principal_id))
        await principal.wait_for(lambda m: len(m) == 1)
        preview = teacher_phone.say("sửa 6A1 Toán TX1\n1 9\nlý do: chấm nhầm bài")
        sent = teacher_phone.press("Gửi yêu cầu", preview[-1])
        assert "Đã gửi yêu cầu sửa số" in sent[0].text
        asked = await principal.wait_for(lambda m: len(m) == 2, timeout=15)
        assert "7,0 → 9,0" in asked[1] and "1. Duyệt, 2. Từ chối" in asked[1]
        await principal.say("1")
        decided = await principal.wait_for(lambda m: len(m) == 3)
        assert "ĐÃ DUYỆT" in decided[2]
    await principal.close()
    with Session(engine) as session:
        told = session.exec(select(Delivery).where(Delivery.channel == "telegram",
                                                   Delivery.staff_id == teacher_id)).all()
        assert any("đã được duyệt" in d.text and "9,0" in d.text for d in told)
        assert session.exec(select(ScoreEntry)).first().display() == "9,0"


async def test_a_document_goes_as_a_link_downloaded_once_and_audited(zalo, clock, tmp_path):
    from fastapi.testclient import TestClient

    from models import AuditEntry

    engine, school, emulator, token = zalo
    with Session(engine) as session:
        homeroom = school.homeroom[class_named(session, "6A1").id]
    user = ZaloUser(emulator, token, "z-gvcn-doc")
    async with await _running(engine, clock, emulator, token):
        await user.say(_invite(engine, clock, school, homeroom))
        await user.wait_for(lambda m: len(m) == 1)
        await user.say("/so 6A1")
        said = await user.wait_for(lambda m: len(m) == 2)
    await user.close()
    assert "dùng một lần trong 24 giờ" in said[1]
    path = said[1].split("/d/", 1)[1].strip()
    web = TestClient(create_app(engine, Settings(secret_key="k" * 40, data_dir=tmp_path),
                                clock=clock))
    first = web.get(f"/d/{path}")
    assert first.status_code == 200 and first.content[:4] == b"%PDF"
    again = web.get(f"/d/{path}")
    assert again.status_code == 410 and "đã được dùng" in again.text
    assert web.get("/d/khong-co").status_code == 410
    with Session(engine) as session:
        assert session.exec(select(AuditEntry).where(
            AuditEntry.action == "document.download")).one().actor_id == homeroom


def test_serve_with_a_zalo_token_runs_the_bot_on_zalo(zalo_emulator, tmp_path):
    """The real command, as a school would start it: demo school, Zalo token, polling."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    port = free_port()
    env = dict(os.environ, SODIEM_ZALO_TOKEN="serve-token", SODIEM_ZALO_API_URL=zalo_emulator.url,
               SODIEM_DATABASE_URL=f"sqlite:///{tmp_path / 'd.db'}",
               SODIEM_DATA_DIR=str(tmp_path), SODIEM_TELEGRAM_TOKEN="")
    command = [sys.executable, "-m", "admin.cli"]
    subprocess.run([*command, "demo", "--classes-per-grade", "1", "--class-size", "5"],
                   env=env, cwd=root, check=True, capture_output=True)
    server = subprocess.Popen([*command, "serve", "--port", str(port)], env=env, cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        sent: list = []
        while time.monotonic() < deadline and not sent:
            httpx.post(f"{zalo_emulator.url}/test/serve-token/inject",
                       json={"user_id": "z-serve-1", "text": "xin chào"})
            time.sleep(1)
            sent = httpx.get(f"{zalo_emulator.url}/test/serve-token/sent",
                             params={"chat_id": "z-serve-1"}).json()
        assert sent and "chưa được liên kết" in sent[0]["text"]
    finally:
        server.terminate()
        output = server.communicate(timeout=15)[0]
    assert "Bot Zalo chạy ở chế độ polling" in output
