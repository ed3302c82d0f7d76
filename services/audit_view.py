"""The audit log as an office clerk reads it: Vietnamese action names, people, students
and classes by name, changes as "TX1: 7,5 → 8,0" — with filters and pages."""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, func, select

from core.clock import VN_TZ
from core.text import fold
from models import Absence, AuditEntry, SchoolClass, ScoreEntry, Staff, Student, Subject

ACTIONS = {
    "score.enter": "Nhập điểm", "score.correct": "Sửa điểm (đã duyệt)",
    "absence.record": "Ghi vắng", "absence.confirm": "Xác nhận vắng P/K",
    "absence.auto_unexcused": "Tự chuyển K khi chốt tháng",
    "absence.close_month": "Chốt điểm danh tháng", "absence.correct": "Sửa điểm danh (đã duyệt)",
    "correction.request": "Xin sửa", "correction.approve": "Duyệt sửa, chờ quản trị xác nhận",
    "correction.rejected": "Từ chối yêu cầu sửa", "correction.expired": "Yêu cầu sửa hết hạn",
    "correction.stale": "Yêu cầu sửa hết hiệu lực", "lock.create": "Khóa sổ",
    "lock.lift": "Mở sổ", "unlock.request": "Xin mở khóa", "unlock.approve": "Duyệt mở khóa",
    "unlock.reject": "Từ chối mở khóa", "unlock.close": "Đóng lại cột đã mở",
    "conduct.rate": "Xếp loại rèn luyện", "chat.link": "Liên kết bot",
    "chat.unlink": "Hủy liên kết bot", "chat.web_as": "Trò chuyện thử (nói thay)",
    "invite.create": "Tạo lời mời", "invite.revoke": "Thu hồi lời mời",
    "account.password": "Đổi mật khẩu", "account.create_admin": "Tạo tài khoản quản trị",
    "account.create_district_officer": "Tạo tài khoản chuyên viên Phòng",
    "student.import": "Nhập học sinh", "student.update": "Cập nhật học sinh",
    "staff.import": "Nhập cán bộ", "assignment.import": "Nhập phân công",
    "enrolment.import_move": "Chuyển lớp (nhập tệp)", "demo.forced": "Ép bật chế độ thử",
}
VERBS = {"create": "thêm", "update": "sửa", "delete": "xóa"}
PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: datetime
    who: str
    action: str
    subject: str  # whom or what it is about
    change: str
    via: str


@dataclass(frozen=True)
class AuditFilter:
    text: str = ""
    actor: str = ""
    since: date | None = None
    until: date | None = None  # inclusive
    school_id: int | None = None  # this school's chain (and its part of chain 0)


def action_label(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action]
    table, _, verb = action.rpartition(".")
    return f"Danh mục {table}: {VERBS.get(verb, verb)}" if verb in VERBS else action


def _query(session: Session, where: AuditFilter):
    query = select(AuditEntry)
    if where.text:
        query = query.where(AuditEntry.new.contains(where.text) |
                            AuditEntry.old.contains(where.text) |
                            AuditEntry.action.contains(where.text))
    if where.school_id is not None:
        # The school's chain; of chain 0 (before chains were per school), what its staff
        # or the system did.
        staff = select(Staff.id).where(Staff.school_id == where.school_id)
        query = query.where((AuditEntry.chain == where.school_id) | (
            (AuditEntry.chain == 0) &
            (AuditEntry.actor_id.in_(staff) | AuditEntry.actor_id.is_(None))))
    if where.actor:
        people = select(Staff)
        if where.school_id is not None:
            people = people.where(Staff.school_id == where.school_id)
        ids = [s.id for s in session.exec(people) if fold(where.actor) in s.folded_name
               or where.actor.strip().upper() == s.code]
        query = query.where(AuditEntry.actor_id.in_(ids or [0]))
    if where.since:
        query = query.where(AuditEntry.at >= _start(where.since))
    if where.until:
        query = query.where(AuditEntry.at < _start(where.until + timedelta(days=1)))
    return query


def _start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=VN_TZ)


def count(session: Session, where: AuditFilter) -> int:
    return session.exec(select(func.count()).select_from(_query(session, where).subquery())
                        ).one()


def page(session: Session, where: AuditFilter, number: int = 1,
         size: int = PAGE_SIZE) -> list[AuditRow]:
    entries = session.exec(_query(session, where).order_by(AuditEntry.id.desc())
                           .offset((max(number, 1) - 1) * size).limit(size)).all()
    return describe(session, entries)


def all_rows(session: Session, where: AuditFilter, batch: int = 2000):
    """Every matching row, newest first, in batches (for the Excel export)."""
    offset = 0
    while True:
        entries = session.exec(_query(session, where).order_by(AuditEntry.id.desc())
                               .offset(offset).limit(batch)).all()
        if not entries:
            return
        yield from describe(session, entries)
        offset += batch


def describe(session: Session, entries: list[AuditEntry]) -> list[AuditRow]:
    names = _Lookups(session)
    return [AuditRow(e.seq, e.at.astimezone(VN_TZ), names.who(e), action_label(e.action),
                     names.about(e), _change(e, names.column(e)), e.via) for e in entries]


def _load(raw: str) -> dict:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {"": raw}
    return value if isinstance(value, dict) else {"": value}


def _change(entry: AuditEntry, cell_column: str = "") -> str:
    old, new = _load(entry.old), _load(entry.new)
    if entry.entity == "score":
        column = new.get("column") or cell_column
        before, after = old.get("value", ""), new.get("value", "")
        prefix = f"{column}: " if column else ""
        return f"{prefix}{before} → {after}" if before else f"{prefix}{after}"
    if entry.entity == "absence":
        before, after = old.get("status") or old.get("value"), new.get("status") or \
            new.get("value")
        day = new.get("day") or old.get("day") or ""
        when = f"{_day(day)} {'sáng' if new.get('session') == 'sang' else 'chiều'}: " if day \
            else ""
        return f"{when}{before} → {after}" if before else f"{when}{after}"
    keys = [k for k in new if k not in ("student_id",)][:4]
    return "; ".join(f"{k}: {new[k]}" for k in keys if new[k] not in (None, ""))


def _day(iso: str) -> str:
    try:
        return f"{date.fromisoformat(str(iso)[:10]):%d/%m/%Y}"
    except ValueError:
        return str(iso)


class _Lookups:
    """Names for ids, each looked up once per page."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.staff = {s.id: s.full_name for s in session.exec(select(Staff))}

    def who(self, entry: AuditEntry) -> str:
        actor = self.staff.get(entry.actor_id, "Hệ thống") if entry.actor_id else "Hệ thống"
        if entry.acting_as_id:
            return f"{actor} (nói thay {self.staff.get(entry.acting_as_id, '?')})"
        return actor

    def column(self, entry: AuditEntry) -> str:
        if entry.entity != "score" or not entry.entity_id:
            return ""
        cell = self.session.get(ScoreEntry, entry.entity_id)
        return cell.column if cell else ""

    def about(self, entry: AuditEntry) -> str:
        if entry.entity == "score" and entry.entity_id:
            cell = self.session.get(ScoreEntry, entry.entity_id)
            if cell is not None:
                student = self.session.get(Student, cell.student_id)
                subject = self.session.get(Subject, cell.subject_id)
                school_class = self.session.get(SchoolClass, cell.class_id)
                return f"{student.full_name}, lớp {school_class.name} — {subject.name}"
        if entry.entity == "absence" and entry.entity_id:
            absence = self.session.get(Absence, entry.entity_id)
            if absence is not None:
                student = self.session.get(Student, absence.student_id)
                school_class = self.session.get(SchoolClass, absence.class_id)
                return f"{student.full_name}, lớp {school_class.name}"
        if entry.entity == "staff" and entry.entity_id in self.staff:
            return self.staff[entry.entity_id]
        return f"{entry.entity} số {entry.entity_id}" if entry.entity_id else entry.entity
