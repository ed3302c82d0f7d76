"""What each scheduled job does. Every job is idempotent: it decides from the date
whether it is relevant, and the outbox key (job, period, recipient) makes a second
run — a retry, a catch-up after downtime, a second replica — add nothing."""

from collections.abc import Iterator
from datetime import date, timedelta

from sqlmodel import Session, select

from core.clock import VN_TZ, Clock, today
from handlers.absence_prompt import month_bounds, prompt, unconfirmed
from models import (
    ChatIdentity,
    Invite,
    LockWindow,
    School,
    SchoolClass,
    SchoolYear,
    Staff,
    StaffRole,
    Subject,
    TeachingAssignment,
    Term,
)
from models.types import Role
from printing.charts import progress_png
from services import audit_verification, corrections, outbox, unlocks
from services.absences import close_month, month_closing
from services.accounts import stale_passwords
from services.deadlines import owed_by_teacher
from services.errors import NotFound
from services.locks import describe
from services.progress import progress, totals_by_teacher
from services.school import current_year, term_for_date

DIGEST_LAST_DAY = 5  # monthly messages sent late (after downtime) only in the first days
PASSWORD_MAX_AGE_DAYS = 180


def _schools(session: Session) -> Iterator[tuple[School, SchoolYear]]:
    for school in session.exec(select(School)).all():
        try:
            yield school, current_year(session, school.id)
        except NotFound:
            continue


def _term(session: Session, year: SchoolYear, day: date) -> Term | None:
    try:
        return term_for_date(session, year.id, day)
    except NotFound:
        return None


def _previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def _staff_with(session: Session, school_id: int, roles: set[Role]) -> list[int]:
    return list(session.exec(select(Staff.id).join(StaffRole).where(
        Staff.school_id == school_id, Staff.active, StaffRole.role.in_(list(roles)))
        .distinct()))


# ---- score-entry reminders -------------------------------------------------------------

def entry_reminders(session: Session, clock: Clock, kind: str) -> int:
    """Monthly (last two days of the month) or weekly (Friday, Saturday) reminders."""
    day, sent = today(clock), 0
    if not _reminder_day(day, kind):
        return 0
    for school, year in _schools(session):
        if not (school.remind_monthly if kind == "monthly" else school.remind_weekly):
            continue
        term = _term(session, year, day)
        if term is None:
            continue
        horizon = _horizon(day, kind)
        for teacher_id, items in owed_by_teacher(session, term, day, horizon).items():
            text = (f"Nhắc nhập điểm ({'cuối tháng' if kind == 'monthly' else 'cuối tuần'}): "
                    "thầy/cô còn thiếu\n" + "\n".join(i.line(day) for i in items))
            sent += outbox.enqueue(session, clock, f"remind:{kind}:{day}:{teacher_id}",
                                   teacher_id, text)
    return sent


def _reminder_day(day: date, kind: str) -> bool:
    """Monthly: the last two days of the month (001). Weekly: Friday and Saturday (003)."""
    if kind == "monthly":
        return (day + timedelta(days=2)).month != day.month
    return day.weekday() in (4, 5)


def _horizon(day: date, kind: str) -> timedelta:
    if kind == "monthly":
        next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        return next_month - day - timedelta(days=1)
    return timedelta(days=(5 - day.weekday()) % 7)  # until Saturday


# ---- the absence confirmation cycle ------------------------------------------------------

def absence_prompts(session: Session, clock: Clock) -> int:
    """From day 1: each GVCN gets last month's unconfirmed absences with P/K buttons."""
    day, sent = today(clock), 0
    month = _previous_month(day)
    for school, year in _schools(session):
        if day.day > school.absence_confirm_days:
            continue
        for school_class in _classes(session, year):
            if school_class.homeroom_teacher_id is None or month_closing(
                    session, school_class.id, month) is not None:
                continue
            shown = prompt(session, school_class, month, school.absence_confirm_days)
            if shown is None:
                continue
            text, keyboard = shown
            rows = [[(b.label, b.data) for b in row] for row in keyboard]
            sent += outbox.enqueue(session, clock, f"absence-prompt:{month:%Y-%m}:"
                                   f"{school_class.id}", school_class.homeroom_teacher_id,
                                   text, rows)
    return sent


def absence_reminders(session: Session, clock: Clock) -> int:
    """Days 3 and 5: GVCN who still have unconfirmed absences of last month."""
    day, sent = today(clock), 0
    month = _previous_month(day)
    for school, year in _schools(session):
        if day.day not in (3, school.absence_confirm_days):
            continue
        for school_class in _classes(session, year):
            left = unconfirmed(session, school_class.id, month)
            if not left or school_class.homeroom_teacher_id is None:
                continue
            text = (f"Nhắc: lớp {school_class.name} còn {len(left)} lượt vắng tháng "
                    f"{month:%m/%Y} chưa xác nhận P/K. Hạn hết ngày "
                    f"{school.absence_confirm_days}/{day:%m}; sau đó tính là không phép.")
            sent += outbox.enqueue(session, clock, f"absence-remind:{month:%Y-%m}:{day.day}:"
                                   f"{school_class.id}", school_class.homeroom_teacher_id, text)
    return sent


def close_absence_months(session: Session, clock: Clock) -> int:
    """After the deadline day: unconfirmed → K for every class, and the GVCN is told."""
    day, closed = today(clock), 0
    month = _previous_month(day)
    for school, year in _schools(session):
        if day.day < school.absence_confirm_days:
            continue
        start, end = month_bounds(month)
        if end <= year.start_date or start > year.end_date:
            continue
        for school_class in _classes(session, year):
            if month_closing(session, school_class.id, month) is not None:
                continue
            left = len(unconfirmed(session, school_class.id, month))
            close_month(session, clock, school_class.id, month, via="scheduler")
            closed += 1
            if school_class.homeroom_teacher_id and left:
                outbox.enqueue(session, clock, f"absence-closed:{month:%Y-%m}:{school_class.id}",
                               school_class.homeroom_teacher_id,
                               f"Đã chốt điểm danh tháng {month:%m/%Y} lớp {school_class.name}: "
                               f"{left} lượt chưa xác nhận được tính là không phép (K). Muốn "
                               "đổi, gửi yêu cầu sửa để Ban giám hiệu duyệt.")
    return closed


def admin_absence_status(session: Session, clock: Clock) -> int:
    """Days 5–10: the admin sees every class's confirmation state."""
    day, sent = today(clock), 0
    month = _previous_month(day)
    for school, year in _schools(session):
        if not school.absence_confirm_days <= day.day <= 10:
            continue
        lines = []
        for school_class in _classes(session, year):
            left = len(unconfirmed(session, school_class.id, month))
            closed = month_closing(session, school_class.id, month) is not None
            lines.append(f"{school_class.name}: {'đã chốt' if closed else 'chưa chốt'}"
                         f"{f', còn {left} lượt chưa xác nhận' if left else ''}")
        text = f"Tình hình xác nhận vắng tháng {month:%m/%Y}:\n" + "\n".join(lines)
        for admin in _staff_with(session, school.id, {Role.ADMIN}):
            sent += outbox.enqueue(session, clock, f"absence-status:{month:%Y-%m}:{day.day}:"
                                   f"{admin}", admin, text)
    return sent


def _classes(session: Session, year: SchoolYear) -> list[SchoolClass]:
    return list(session.exec(select(SchoolClass).where(SchoolClass.year_id == year.id)
                             .order_by(SchoolClass.name)))


# ---- locks, digests, hygiene, expiry ------------------------------------------------------

def lock_notices(session: Session, clock: Clock) -> int:
    """N days before a scheduled lock, and when it takes effect, to the teachers concerned."""
    now, sent = clock.now(), 0
    for school, year in _schools(session):
        locks = session.exec(select(LockWindow).where(LockWindow.year_id == year.id,
                                                      LockWindow.lifted_at.is_(None))).all()
        for lock in locks:
            phase = _lock_phase(lock, now, school.lock_notice_days)
            if phase is None:
                continue
            what = describe(session, lock)
            at = lock.starts_at.astimezone(VN_TZ)
            text = (f"Sắp khóa {what} vào {at:%H:%M %d/%m/%Y}. Thầy/cô hoàn tất nhập điểm "
                    "trước thời điểm này." if phase == "before" else
                    f"Đã khóa {what}. Muốn thay đổi, gửi yêu cầu sửa để Ban giám hiệu duyệt.")
            for teacher_id in _teachers_under(session, lock):
                sent += outbox.enqueue(session, clock, f"lock:{lock.id}:{phase}:{teacher_id}",
                                       teacher_id, text)
    return sent


def _lock_phase(lock: LockWindow, now, days: int) -> str | None:
    if lock.starts_at > now and lock.starts_at - now <= timedelta(days=days):
        return "before"
    if lock.starts_at <= now < lock.starts_at + timedelta(days=1):
        return "at"
    return None


def _teachers_under(session: Session, lock: LockWindow) -> set[int]:
    query = select(TeachingAssignment.teacher_id).where(TeachingAssignment.year_id == lock.year_id)
    if lock.class_id:
        query = query.where(TeachingAssignment.class_id == lock.class_id)
    if lock.subject_id:
        query = query.where(TeachingAssignment.subject_id == lock.subject_id)
    return set(session.exec(query))


def progress_digests(session: Session, clock: Clock) -> int:
    """Monthly: each TTCM gets their department's teachers, the BGH the whole school."""
    day, sent = today(clock), 0
    if day.day > DIGEST_LAST_DAY:
        return 0
    for school, year in _schools(session):
        term = _term(session, year, day)
        if term is None:
            continue
        rows = progress(session, term.id)
        by_teacher = totals_by_teacher(rows)
        names = {r.teacher_id: r.teacher_name for r in rows}
        owed = owed_by_teacher(session, term, day)
        heads = session.exec(select(Staff).join(StaffRole).where(
            Staff.school_id == school.id, StaffRole.role == Role.DEPARTMENT_HEAD)).all()
        for head in heads:
            members = set(session.exec(select(Staff.id).where(
                Staff.department_id == head.department_id)))
            mine = {t: v for t, v in by_teacher.items() if t in members}
            sent += outbox.enqueue(session, clock, f"digest:{day:%Y-%m}:{head.id}", head.id,
                                   _digest_text("tổ", mine, names, owed),
                                   image=_digest_chart("tổ", mine, names))
        text = _digest_text("trường", by_teacher, names, owed)
        chart = _digest_chart("trường", by_teacher, names)
        for leader in _staff_with(session, school.id, {Role.PRINCIPAL, Role.VICE_PRINCIPAL}):
            sent += outbox.enqueue(session, clock, f"digest:{day:%Y-%m}:{leader}", leader, text,
                                   image=chart)
    return sent


def _digest_chart(scope: str, by_teacher: dict, names: dict) -> bytes | None:
    """The same figures as a bar chart, for channels that show pictures."""
    if not by_teacher:
        return None
    rows = sorted(((names[t], v.percent) for t, v in by_teacher.items()), key=lambda r: r[1])
    return progress_png(f"Tiến độ nhập điểm của {scope}", rows)


def _digest_text(scope: str, by_teacher: dict, names: dict, owed: dict) -> str:
    lines = []
    for teacher_id, total in sorted(by_teacher.items(), key=lambda kv: kv[1].percent):
        late = sum(1 for item in owed.get(teacher_id, []))
        lines.append(f"{names[teacher_id]}: {total.filled}/{total.required} ({total.percent}%)"
                     f"{f', {late} cột đến hạn chưa đủ' if late else ''}")
    return f"Tiến độ nhập điểm của {scope}:\n" + "\n".join(lines)


def account_hygiene(session: Session, clock: Clock) -> int:
    """Monthly, to the admins: staff who never linked the bot or cannot be reached."""
    day, sent = today(clock), 0
    if day.day > DIGEST_LAST_DAY:
        return 0
    for school, _ in _schools(session):
        linked = set(session.exec(select(ChatIdentity.staff_id).where(
            ChatIdentity.unlinked_at.is_(None), ChatIdentity.unreachable_since.is_(None))))
        missing = session.exec(select(Staff).where(Staff.school_id == school.id, Staff.active,
                                                   Staff.id.not_in(linked or {0}))).all()
        if not missing:
            continue
        invited = set(session.exec(select(Invite.staff_id).where(Invite.used_at.is_(None))))
        lines = [f"• {s.full_name}{' (đã có mã mời, chưa dùng)' if s.id in invited else ''}"
                 for s in missing]
        text = (f"{len(missing)} người chưa liên kết bot hoặc không nhận được tin nhắn "
                "(chưa bấm Start hoặc đã chặn bot):\n" + "\n".join(lines))
        for admin in _staff_with(session, school.id, {Role.ADMIN}):
            sent += outbox.enqueue(session, clock, f"hygiene:{day:%Y-%m}:{admin}", admin, text)
    return sent + _stale_password_reminders(session, clock, day)


def _stale_password_reminders(session: Session, clock: Clock, day: date) -> int:
    """002: remind panel users who have kept the same password too long."""
    sent = 0
    for staff in stale_passwords(session, clock, PASSWORD_MAX_AGE_DAYS):
        sent += outbox.enqueue(
            session, clock, f"password-age:{day:%Y-%m}:{staff.id}", staff.id,
            f"Mật khẩu trang quản trị của thầy/cô đã dùng hơn {PASSWORD_MAX_AGE_DAYS} ngày "
            f"(đổi lần cuối {staff.password_changed_at.astimezone(VN_TZ):%d/%m/%Y}). "
            "Xin đổi mật khẩu mới.")
    return sent


def expire_corrections(session: Session, clock: Clock) -> int:
    sent = 0
    for request in corrections.expire_old(session, clock):
        sent += outbox.enqueue(session, clock, f"correction-expired:{request.id}",
                               request.requested_by_id,
                               f"Yêu cầu sửa số {request.id} đã hết hạn vì quá lâu chưa được "
                               "duyệt. Thầy/cô có thể gửi lại.")
    return sent


VERIFY_MIN_GAP = timedelta(hours=20)


def verify_audit(session: Session, clock: Clock) -> int:
    """Nightly: the full verification of the record (chain, seals, checkpoints, replay),
    stored for the status page. When it finds tampering, every admin and principal is
    told that day. Skipped if a scheduled run happened in the last 20 hours (catch-up)."""
    last = audit_verification.latest(session)
    if last is not None and last.trigger == "schedule" and \
            clock.now() - last.at < VERIFY_MIN_GAP:
        return 0
    report = audit_verification.run(session, clock, "schedule")
    if report.ok:
        return 0
    day, sent = today(clock), 0
    lines = report.lines()
    text = (f"CẢNH BÁO: kiểm tra nhật ký đêm qua phát hiện {len(lines)} thay đổi trái phép:\n"
            + "\n".join(f"• {line}" for line in lines[:10])
            + ("\n…" if len(lines) > 10 else "")
            + "\nXem chi tiết ở trang Nhật ký của trang quản trị; đối chiếu với bản lưu trữ.")
    for school, _ in _schools(session):
        for person in _staff_with(session, school.id, {Role.ADMIN, Role.PRINCIPAL}):
            sent += outbox.enqueue(session, clock, f"audit-alert:{day:%Y-%m-%d}:{person}",
                                   person, text)
    return sent


def close_unlock_windows(session: Session, clock: Clock) -> int:
    """Hourly: "Xin mở khóa" windows past their time close (audited); the teacher is told."""
    sent = 0
    for request in unlocks.close_expired(session, clock):
        subject = session.get(Subject, request.subject_id)
        school_class = session.get(SchoolClass, request.class_id)
        sent += outbox.enqueue(session, clock, f"unlock-closed:{request.id}", request.teacher_id,
                               f"Cột {request.column} môn {subject.name} lớp {school_class.name} "
                               "đã khóa lại (hết thời gian mở theo yêu cầu số "
                               f"{request.id}). Muốn đổi điểm đã nhập: gửi yêu cầu sửa điểm.")
    return sent
