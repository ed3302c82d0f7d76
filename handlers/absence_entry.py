"""Absences by message: "vắng 6A1 20/11 sáng 3 5 12", preview, then Xác nhận."""

from datetime import date

from handlers.context import Context
from handlers.events import Button, Reply
from handlers.parse import ParseError, parse_absences
from handlers.texts import CANCEL, CONFIRM
from models import SchoolClass
from models.types import SESSION_LABELS
from models.types import Session as DaySession
from services import pending
from services.absences import AbsenceReport, record_absences
from services.directory import class_names, find_class, match_student
from services.errors import DomainError
from services.school import roster


def preview_absences(ctx: Context, text: str) -> list[Reply]:
    try:
        draft = parse_absences(text, ctx.today)
    except ParseError as error:
        return [Reply(error.message)]
    school_class = find_class(ctx.session, ctx.year.id, draft.class_text)
    if school_class is None:
        return [Reply(f"Không có lớp “{draft.class_text}”. Các lớp: "
                      f"{', '.join(class_names(ctx.session, ctx.year.id))}.")]
    lines = roster(ctx.session, school_class.id, draft.day)
    chosen, problems = [], []
    for who in draft.who:
        match = match_student(lines, who)
        if match.line is None:
            problems.append(f"• {who}: không rõ học sinh nào; ghi số thứ tự (gõ /lop "
                            f"{school_class.name} để xem).")
        elif match.line not in chosen:
            chosen.append(match.line)
    if problems:
        return [Reply("Chưa ghi vắng. Cần sửa:\n" + "\n".join(problems))]
    payload = {"class_id": school_class.id, "day": draft.day.isoformat(),
               "session": draft.session, "students": [line.student.id for line in chosen]}
    action = pending.save_preview(ctx.session, ctx.clock, ctx.staff.id, ctx.channel,
                                  ctx.chat_id, "absences", payload)
    names = "\n".join(f"{line.roll_number}. {line.student.full_name}" for line in chosen)
    label = SESSION_LABELS[DaySession(draft.session)]
    return [Reply(f"Xem trước: vắng buổi {label} {draft.day:%d/%m/%Y}, lớp {school_class.name}"
                  f" ({len(chosen)} học sinh):\n{names}\nBấm “{CONFIRM}” để ghi.",
                  [Button(CONFIRM, f"ok:{action.token}"), Button(CANCEL, f"no:{action.token}")])]


def confirm_absences_preview(ctx: Context, claimed: pending.Claimed) -> list[Reply]:
    payload = claimed.payload
    report = AbsenceReport(payload["class_id"], date.fromisoformat(payload["day"]),
                           DaySession(payload["session"]), tuple(payload["students"]))
    try:
        rows = pending.carry_out(ctx.session, ctx.clock, claimed, lambda: record_absences(
            ctx.session, ctx.clock, ctx.staff.id, report, via=ctx.via))
    except DomainError as error:
        return [Reply(f"Không ghi được: {error.message}", replace_original=True)]
    school_class = ctx.session.get(SchoolClass, report.class_id)
    return [Reply(f"Đã ghi {len(rows)} lượt vắng lớp {school_class.name} ngày "
                  f"{report.day:%d/%m/%Y}. GVCN sẽ xác nhận có phép/không phép đầu tháng sau.",
                  replace_original=True)]
