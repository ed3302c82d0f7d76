"""The GVCN's monthly absence confirmation: the prompt with P/K buttons, and the presses.

Shared by the scheduler (which sends the day-1 prompt) and the conversation
(which handles the presses and redraws the prompt with what is left).
"""

from datetime import date, timedelta

from sqlmodel import Session, select

from handlers.context import Context
from handlers.events import Button, Reply
from models import Absence, School, SchoolClass, SchoolYear, Student
from models.types import SESSION_LABELS, AbsenceStatus
from models.types import Session as DaySession
from services.absences import confirm_absences
from services.errors import DomainError
from services.school import get_or_fail

MAX_ROWS = 40  # Telegram allows 100 buttons; two per absence plus the shortcut


def month_bounds(month: date) -> tuple[date, date]:
    """The first day of the month and the first day of the next."""
    start = month.replace(day=1)
    return start, (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def unconfirmed(session: Session, class_id: int, month: date) -> list[tuple[Absence, Student]]:
    start, end = month_bounds(month)
    return list(session.exec(select(Absence, Student).join(Student).where(
        Absence.class_id == class_id, Absence.day >= start, Absence.day < end,
        Absence.status == AbsenceStatus.UNCONFIRMED).order_by(Absence.day, Student.full_name)))


def prompt(session: Session, school_class: SchoolClass, month: date,
           deadline_day: int) -> tuple[str, list[list[Button]]] | None:
    rows = unconfirmed(session, school_class.id, month)
    if not rows:
        return None
    lines = [f"{a.day:%d/%m} {SESSION_LABELS[DaySession(a.session)]}: {s.full_name}"
             for a, s in rows]
    text = (f"Xác nhận vắng tháng {month:%m/%Y} lớp {school_class.name} ({len(rows)} lượt chưa "
            f"xác nhận). Hạn ngày {deadline_day}; sau đó các lượt chưa xác nhận tính là không "
            "phép (K).\n" + "\n".join(lines))
    buttons: list[list[Button]] = [
        [Button(f"{a.day:%d/%m} {s.full_name}: P", f"ax:P:{a.id}"),
         Button("K", f"ax:K:{a.id}")] for a, s in rows[:MAX_ROWS]]
    buttons.append([Button("Tất cả có phép", f"ax:all:{school_class.id}:{month:%Y%m}")])
    return text, buttons


def deadline_day(session: Session, school_class: SchoolClass) -> int:
    year = session.get(SchoolYear, school_class.year_id)
    return session.get(School, year.school_id).absence_confirm_days


def on_absence_button(ctx: Context, data: str) -> list[Reply]:
    parts = data.split(":")
    try:
        if parts[1] == "all":
            school_class = get_or_fail(ctx.session, SchoolClass, int(parts[2]), "lớp")
            month = date(int(parts[3][:4]), int(parts[3][4:]), 1)
            decisions = {a.id: AbsenceStatus.EXCUSED
                         for a, _ in unconfirmed(ctx.session, school_class.id, month)}
        else:
            absence = get_or_fail(ctx.session, Absence, int(parts[2]), "buổi vắng")
            school_class = ctx.session.get(SchoolClass, absence.class_id)
            month = absence.day.replace(day=1)
            decisions = {absence.id: AbsenceStatus(parts[1])}
        if not decisions:
            return [Reply("Không còn lượt vắng nào chờ xác nhận.", replace_original=True)]
        confirm_absences(ctx.session, ctx.clock, ctx.staff.id, decisions, via=ctx.via)
    except (DomainError, ValueError, IndexError) as error:
        return [Reply(getattr(error, "message", "Nút không hợp lệ."))]
    left = prompt(ctx.session, school_class, month, deadline_day(ctx.session, school_class))
    if left is None:
        return [Reply(f"Đã xác nhận xong vắng tháng {month:%m/%Y} lớp {school_class.name}. "
                      "Cảm ơn thầy/cô.", replace_original=True)]
    text, keyboard = left
    return [Reply(text, keyboard=keyboard, replace_original=True)]
