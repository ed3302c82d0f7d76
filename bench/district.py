"""A district's month-end evening: N `serve` replicas on one PostgreSQL behind a
round-robin proxy, the Telegram emulator calling the webhook over real HTTP.

Every teacher sends a few score batches from their phone and confirms each one, at times
spread over a few minutes; meanwhile the month-end reminder job enqueues a reminder for
each of them, the elected leader sends them, and the leader is killed mid-broadcast.
Afterwards: was every batch stored once, every reminder delivered at most once (and
which are "uncertain"), did the sends stay under 30 msg/s, does every school's audit
chain verify. The latencies are the teachers': from posting the update to the emulator to
the bot's answer being there (preview; Xác nhận's edited message).

Run: .venv/bin/python -m bench.district          (20 schools × 1,000 students, 800 teachers)
     .venv/bin/python -m bench.district --ci     (3 schools, 60 teachers: what the test runs)
"""

import asyncio
import functools
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, text
from sqlmodel import Session, select

from bench.common import fresh_database, summary_ms
from core.clock import VN_TZ, FixedClock, SystemClock, today
from grading.vocabulary import SubjectKind
from handlers.conversation import handle
from handlers.events import Incoming
from models import AuditEntry, Delivery, SchoolClass, ScoreEntry, Subject
from models.db import migrate
from scheduler.jobs import entry_reminders
from scheduler.runtime import LEADER_LOCK_KEY
from services import audit
from services.demo_school import build_demo_school
from services.linking import create_invite
from services.school import columns_for, roster, term_for_date
from tests.emulator.client import Emulator, free_port

ROOT = Path(__file__).resolve().parent.parent
REMINDER = "Nhắc nhập điểm"
MONTH_END = datetime(2026, 12, 30, 19, 0, tzinfo=VN_TZ)  # a day the monthly reminder runs
WAIT_SECONDS = 20.0  # a teacher who sees no answer this long sends again


@dataclass(frozen=True)
class Plan:
    schools: int = 20
    classes_per_grade: int = 6  # 4 grades × 6 classes × 42 = 1,008 students a school
    class_size: int = 42
    teachers_per_school: int = 40
    batches_per_teacher: int = 3
    replicas: int = 3
    spread_seconds: float = 180.0  # teachers start within this long
    think_seconds: tuple[float, float] = (2.0, 6.0)  # between one batch and the next
    kill_leader: bool = True


FULL = Plan()
CI = Plan(schools=3, classes_per_grade=3, class_size=16, teachers_per_school=20,
          batches_per_teacher=2, spread_seconds=8.0, think_seconds=(0.5, 1.5))


@dataclass
class TeacherPlan:
    staff_id: int
    user_id: int
    messages: list[str]
    targets: list[tuple[int, int, str, int]]  # class, subject, column, values sent
    start_at: float


@dataclass
class Report:
    plan: Plan
    teachers: int = 0
    students: int = 0
    batches: int = 0
    stored: int = 0
    duplicate_cells: int = 0
    previews: list[float] = field(default_factory=list)
    confirms: list[float] = field(default_factory=list)
    webhook: list[float] = field(default_factory=list)
    resent: int = 0
    took: float = 0.0
    reminders: Counter = field(default_factory=Counter)  # delivery status → count
    reminder_chats: Counter = field(default_factory=Counter)  # chat → reminders received
    reminder_peak: int = 0  # most reminders in any one second
    overall_peak: int = 0  # most messages of any kind in any one second
    replies_peak: int = 0  # most answers to teachers (not reminders) in any one second
    broadcast_seconds: float = 0.0  # first reminder to last
    killed: str = ""
    takeover: float | None = None
    chains_ok: bool = False
    chains_checked: int = 0
    chain_count: int = 0

    @property
    def duplicate_reminders(self) -> int:
        return sum(count - 1 for count in self.reminder_chats.values() if count > 1)

    def lines(self) -> list[str]:
        p95 = _p95(self.previews + self.confirms)
        return [
            f"{self.plan.schools} schools, {self.students} students, {self.teachers} teachers, "
            f"{self.plan.replicas} replicas; {self.batches} batches in {self.took:.0f} s "
            f"({self.batches / max(self.took, 1e-9):.1f} batches/s offered by the teachers)",
            f"stored {self.stored}/{self.batches} batches once; duplicate cells "
            f"{self.duplicate_cells}; updates sent again after {WAIT_SECONDS:.0f} s without an "
            f"answer: {self.resent}",
            _summary("update → preview shown", self.previews),
            _summary("Xác nhận → “Đã lưu” shown", self.confirms),
            f"p95 update → answer (both): {p95 * 1000:.0f} ms (target ≤ 300 ms)",
            _summary("webhook call (the emulator's view)", self.webhook),
            f"reminders: {dict(self.reminders)}; received by {len(self.reminder_chats)} chats, "
            f"duplicates {self.duplicate_reminders}",
            f"send rate in any one second: reminders ≤ {self.reminder_peak}/s, answers ≤ "
            f"{self.replies_peak}/s, all messages ≤ {self.overall_peak}/s (Telegram: 30/s); "
            f"the broadcast took {self.broadcast_seconds:.0f} s",
            f"leader killed: {self.killed or 'no'}; next reminder sent "
            f"{'—' if self.takeover is None else f'{self.takeover:.1f} s'} later",
            f"audit chains: {self.chain_count} verified, {self.chains_checked} entries, "
            f"{'all intact' if self.chains_ok else 'BROKEN'}",
        ]


def _summary(label: str, seconds: list[float]) -> str:
    return summary_ms(label, seconds) if seconds else f"{label}: none"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))] if ordered else 0.0


def run(plan: Plan, engine: Engine | None = None) -> Report:
    """The whole evening on a fresh PostgreSQL database (or `engine`'s, already empty)."""
    os.environ.setdefault("SODIEM_AUDIT_KEY", "khoa-nhat-ky-cua-ca-phong")
    from core.config import get_settings
    get_settings.cache_clear()
    if engine is not None:
        return _run(plan, engine)
    with fresh_database("postgresql") as fresh:
        return _run(plan, fresh)


def _run(plan: Plan, engine: Engine) -> Report:
    migrate(engine)
    report = Report(plan)
    teachers = _seed(engine, plan, report)
    emulator = Emulator()
    emulator.start()
    token = f"{secrets.randbelow(10**9)}:DISTRICT{secrets.token_hex(4)}"
    try:
        with _replicas(engine, emulator, token, plan.replicas) as replicas:
            asyncio.run(_evening(engine, emulator, token, teachers, replicas, report))
        _tally(engine, emulator, token, teachers, report)
    finally:
        emulator.stop()
    return report


# ---- the district ----------------------------------------------------------------------

def _seed(engine: Engine, plan: Plan, report: Report) -> list[TeacherPlan]:
    clock, rng, teachers = SystemClock(), random.Random(16), []
    with Session(engine, expire_on_commit=False) as session:
        for number in range(plan.schools):
            school = build_demo_school(session, seed=300 + number,
                                       classes_per_grade=plan.classes_per_grade,
                                       class_size=plan.class_size,
                                       school_code=f"THCS-Q{number + 1:02d}",
                                       school_name=f"Trường THCS Số {number + 1}")
            report.students += sum(len(roster(session, c)) for c in school.class_ids)
            chosen = sorted(set(school.teacher_of.values()))[:plan.teachers_per_school]
            for staff_id in chosen:
                teacher = _teacher_plan(session, school, staff_id, plan, rng)
                _link(session, clock, school.admin_id, teacher)
                teachers.append(teacher)
    report.teachers = len(teachers)
    report.batches = sum(len(t.messages) for t in teachers)
    return teachers


def _teacher_plan(session: Session, school, staff_id: int, plan: Plan,
                  rng: random.Random) -> TeacherPlan:
    targets = []
    for (class_id, subject_id), teacher_id in sorted(school.teacher_of.items()):
        if teacher_id != staff_id:
            continue
        subject = session.get(Subject, subject_id)
        school_class = session.get(SchoolClass, class_id)
        targets += [(class_id, subject_id, column)
                    for column in columns_for(session, subject, school_class)[:3]]
    messages, sent = [], []
    for class_id, subject_id, column in targets[:plan.batches_per_teacher]:
        subject, school_class = session.get(Subject, subject_id), session.get(SchoolClass,
                                                                               class_id)
        size = len(roster(session, class_id))
        values = [rng.choice(["Đ", "Đ", "CĐ"]) if subject.kind == SubjectKind.COMMENT
                  else f"{rng.randint(0, 100) / 10:g}".replace(".", ",") for _ in range(size)]
        messages.append(f"{school_class.name} {subject.code} {column}: " + " ".join(values))
        sent.append((class_id, subject_id, column, size))
    return TeacherPlan(staff_id, 800_000_000 + staff_id, messages, sent,
                       rng.uniform(0, plan.spread_seconds))


def _link(session: Session, clock, admin_id: int, teacher: TeacherPlan) -> None:
    code = create_invite(session, clock, admin_id, teacher.staff_id).code
    user = str(teacher.user_id)
    handle(session, clock, Incoming("telegram", user, user, text=f"/start {code}",
                                    update_key=f"link{teacher.staff_id}"))


# ---- the replicas ----------------------------------------------------------------------

@dataclass
class Replicas:
    processes: list[subprocess.Popen]
    ports: list[int]
    logs: list[Path]


@contextmanager
def _replicas(engine: Engine, emulator: Emulator, token: str, count: int) -> Iterator[Replicas]:
    """`count` × `sodiem serve` on their own ports, and the proxy the webhook points at."""
    folder = Path(tempfile.mkdtemp(prefix="sodiem-district-"))
    proxy_port, ports = free_port(), [free_port() for _ in range(count)]
    env = dict(os.environ, SODIEM_DATABASE_URL=engine.url.render_as_string(hide_password=False),
               SODIEM_DATA_DIR=str(folder), SODIEM_TELEGRAM_TOKEN=token,
               SODIEM_TELEGRAM_MODE="webhook", SODIEM_TELEGRAM_API_URL=emulator.url,
               SODIEM_TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{proxy_port}",
               SODIEM_TELEGRAM_WEBHOOK_SECRET=secrets.token_urlsafe(16),
               SODIEM_SECRET_KEY="khoa-phien-chung-cua-cac-ban-sao", SODIEM_ZALO_TOKEN="")
    logs = [folder / f"replica-{i}.log" for i in range(count)]
    processes = [subprocess.Popen(
        [sys.executable, "-m", "admin.cli", "serve", "--port", str(port)], env=env, cwd=ROOT,
        stdout=log.open("w"), stderr=subprocess.STDOUT)
        for port, log in zip(ports, logs, strict=True)]
    proxy = subprocess.Popen([sys.executable, "-m", "bench.balancer", str(proxy_port),
                              *(f"http://127.0.0.1:{p}" for p in ports)], cwd=ROOT)
    try:
        _wait_ready(engine, ports, processes, logs)
        yield Replicas(processes, ports, logs)
    finally:
        for process in [*processes, proxy]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*processes, proxy]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_ready(engine: Engine, ports: list[int], processes, logs: list[Path]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            raise RuntimeError("a replica stopped: " + " | ".join(
                log.read_text()[-800:] for log in logs))
        if all(_healthy(port) for port in ports) and _leaders(engine) == 1:
            return
        time.sleep(0.5)
    raise RuntimeError("the replicas did not come up: " + " | ".join(
        log.read_text()[-800:] for log in logs))


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _leaders(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
            "objid = :k AND database = (SELECT oid FROM pg_database WHERE datname = "
            "current_database())"), {"k": LEADER_LOCK_KEY}).scalar()


# ---- the evening -----------------------------------------------------------------------

async def _evening(engine: Engine, emulator: Emulator, token: str,
                   teachers: list[TeacherPlan], replicas: Replicas, report: Report) -> None:
    limits = httpx.Limits(max_connections=2000, max_keepalive_connections=2000)
    async with httpx.AsyncClient(base_url=emulator.url, timeout=60, limits=limits) as http:
        phone = Phone(http, token)
        started = time.monotonic()
        broadcast = asyncio.create_task(_broadcast(engine, replicas, report,
                                                   report.plan.spread_seconds / 3))
        await asyncio.gather(*(phone.teacher(t, report) for t in teachers))
        report.took = time.monotonic() - started
        await broadcast
        await _drained(engine)


async def _broadcast(engine: Engine, replicas: Replicas, report: Report, after: float) -> None:
    """The month-end reminder job, a third of the way into the evening; the leader is
    killed once a third of the reminders are out."""
    await asyncio.sleep(after)
    with Session(engine) as session:
        queued = await asyncio.to_thread(entry_reminders, session, FixedClock(MONTH_END),
                                         "monthly")
    if not report.plan.kill_leader or queued == 0:
        return
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        sent, owner = await asyncio.to_thread(_sending_state, engine)
        if sent >= queued // 3 and owner:
            pid = int(owner.split(":")[2])
            victim = next((p for p in replicas.processes if p.pid == pid), None)
            if victim is not None:
                victim.kill()
                report.killed = f"pid {pid} after {sent}/{queued} reminders"
                report.takeover = time.time()  # turned into seconds in _tally
                return
        await asyncio.sleep(0.2)


def _sending_state(engine: Engine) -> tuple[int, str]:
    with Session(engine) as session:
        sent = session.exec(select(func.count()).select_from(Delivery).where(
            Delivery.status == "sent")).one()
        owner = session.exec(select(Delivery.claimed_by).where(
            Delivery.claimed_by != "").limit(1)).first()
    return sent, owner or ""


async def _drained(engine: Engine, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with Session(engine) as session:
            waiting = session.exec(select(func.count()).select_from(Delivery).where(
                Delivery.status.in_(["pending", "claimed"]))).one()
        if waiting == 0:
            return
        await asyncio.sleep(0.5)


class Phone:
    """Teachers' phones: messages and button presses posted to the emulator, answers
    awaited through its per-chat long poll."""

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http, self.token = http, token
        self.message_ids = iter(range(10_000_000, 99_999_999))

    async def teacher(self, teacher: TeacherPlan, report: Report) -> None:
        await asyncio.sleep(teacher.start_at)
        rng = random.Random(teacher.staff_id)
        for text_ in teacher.messages:
            preview = await self._until(teacher, report, functools.partial(
                self._say, teacher, text_), _preview_in, report.previews)
            if preview is None:
                continue
            data = next(b["callback_data"] for row in preview["reply_markup"]["inline_keyboard"]
                        for b in row if b["callback_data"].startswith("ok:"))
            await self._until(teacher, report, functools.partial(
                self._press, teacher, preview, data), _saved_in(preview["message_id"]),
                report.confirms)
            await asyncio.sleep(rng.uniform(*report.plan.think_seconds))

    async def _until(self, teacher: TeacherPlan, report: Report, act, found, latencies):
        """Act, then wait for the answer `found` picks out of the chat; act once more if
        none comes (what a teacher does when the phone shows nothing)."""
        chat = await self._chat(teacher, 0, 0, 0)
        for attempt in range(2):
            began = time.monotonic()
            await act()
            seen, edits = len(chat["messages"]), chat["edits"]
            deadline = began + WAIT_SECONDS
            while time.monotonic() < deadline:
                chat = await self._chat(teacher, seen, edits, deadline - time.monotonic())
                answer = found(chat["messages"][seen:], chat["messages"])
                if answer is not None:
                    latencies.append(time.monotonic() - began)
                    return answer
                seen, edits = len(chat["messages"]), chat["edits"]
            report.resent += attempt == 0
        return None

    async def _chat(self, teacher: TeacherPlan, count: int, edits: int, timeout: float) -> dict:
        answer = await self.http.post("/test/waitChat", json={
            "token": self.token, "chat_id": str(teacher.user_id), "count": count,
            "edits": edits, "timeout": int(max(timeout, 0) * 1000)})
        return answer.json()["result"]

    def _person(self, teacher: TeacherPlan) -> dict:
        user = {"id": teacher.user_id, "is_bot": False, "first_name": "Giáo viên"}
        return {"botToken": self.token, "date": int(time.time()),
                "message_id": next(self.message_ids), "from": user,
                "chat": {**user, "type": "private"}}

    async def _say(self, teacher: TeacherPlan, text_: str) -> None:
        await self.http.post("/sendMessage", json={**self._person(teacher), "text": text_})

    async def _press(self, teacher: TeacherPlan, message: dict, data: str) -> None:
        person = self._person(teacher)
        shown = {"message_id": message["message_id"], "date": message["date"],
                 "text": message["text"], "chat": person["chat"]}
        await self.http.post("/sendCallback", json={**person, "message": shown, "data": data})


def _preview_in(new: list[dict], _all: list[dict]) -> dict | None:
    return next((m for m in new if "Xem trước" in m.get("text", "")
                 and m.get("reply_markup")), None)


def _saved_in(message_id: int):
    def found(new: list[dict], every: list[dict]) -> dict | None:
        edited = next((m for m in every if m["message_id"] == message_id
                       and "Đã lưu" in m.get("text", "")), None)
        already = next((m for m in new if "đã được lưu" in m.get("text", "")), None)
        return edited or already
    return found


# ---- what happened ---------------------------------------------------------------------

def _tally(engine: Engine, emulator: Emulator, token: str, teachers: list[TeacherPlan],
           report: Report) -> None:
    sends = httpx.post(f"{emulator.url}/test/botSends", json={"token": token},
                       timeout=60).json()["result"]
    calls = httpx.post(f"{emulator.url}/test/webhookCalls", timeout=60).json()["result"]
    report.webhook = [(c["finished"] - c["started"]) / 1000 for c in calls if c["finished"]]
    reminders = sorted(s["time"] for s in sends if s["text"].startswith(REMINDER))
    report.reminder_chats = Counter(s["chat_id"] for s in sends
                                    if s["text"].startswith(REMINDER))
    report.reminder_peak = _peak(reminders)
    report.overall_peak = _peak(sorted(s["time"] for s in sends))
    report.replies_peak = _peak(sorted(s["time"] for s in sends
                                       if not s["text"].startswith(REMINDER)))
    report.broadcast_seconds = (reminders[-1] - reminders[0]) / 1000 if reminders else 0.0
    if report.takeover is not None:  # the first reminder the next leader sent
        killed_at = report.takeover * 1000
        later = [t for t in reminders if t > killed_at + 500]
        report.takeover = (later[0] - killed_at) / 1000 if later else None
    with Session(engine) as session:
        report.reminders = Counter(dict(session.exec(
            select(Delivery.status, func.count()).where(Delivery.key.like("remind:%"))
            .group_by(Delivery.status)).all()))
        report.stored = sum(_stored(session, teacher) for teacher in teachers)
        report.duplicate_cells = len(session.exec(
            select(AuditEntry.entity_id).where(AuditEntry.action == "score.enter")
            .group_by(AuditEntry.entity_id).having(func.count() > 1)).all())
        check = audit.verify(session)
        report.chains_ok, report.chains_checked = check.ok, check.checked
        report.chain_count = len(check.each)


def _stored(session: Session, teacher: TeacherPlan) -> int:
    """Batches whose every cell is there."""
    stored = 0
    for class_id, subject_id, column, size in teacher.targets:
        year_id = session.get(SchoolClass, class_id).year_id
        term = term_for_date(session, year_id, today(SystemClock()))
        cells = session.exec(select(func.count()).select_from(ScoreEntry).where(
            ScoreEntry.class_id == class_id, ScoreEntry.subject_id == subject_id,
            ScoreEntry.term_id == term.id, ScoreEntry.column == column)).one()
        stored += cells == size
    return stored


def _peak(times_ms: list[int]) -> int:
    """The most events in any window of one second."""
    best, start = 0, 0
    for end, at in enumerate(times_ms):
        while at - times_ms[start] >= 1000:
            start += 1
        best = max(best, end - start + 1)
    return best


if __name__ == "__main__":
    chosen = CI if "--ci" in sys.argv else FULL
    for line in run(chosen).lines():
        print(f"[district] {line}")
