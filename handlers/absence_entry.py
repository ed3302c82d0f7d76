"""Absences by message: read, check everything at preview, then Xác nhận writes.

The session (sáng/chiều) defaults from the time of day — afternoon from the school's
`afternoon_starts` hour. Sundays, future days, a class the person does not teach, an
absence already recorded: all refused in the preview, never after Xác nhận.
"""

from datetime import date

from sqlmodel import select

from handlers.absence_reading import AbsenceDraft, ParseError, parse_absences
from handlers.context import Context
from handlers.events import Button, Reply
from handlers.texts import CANCEL, CONFIRM
from models import School, SchoolClass
from models.types import SESSION_LABELS, AbsenceStatus
from models.types import Session as DaySession
from services import pending
from services.absences import AbsenceMarks, absence_problems, check_day, mark_absences
from services.directory import closest_classes, find_class, match_student
from services.errors import DomainError
from services.school import RosterLine, roster

STATUS_LABELS = {"P": "có phép", "K": "không phép", None: "chưa xác nhận P/K"}


def preview_absences(ctx: Context, text: str) -> list[Reply]:
    try:
        draft = parse_absences(text, ctx.today)
        school_class = _class_of(ctx, draft)
        check_day(ctx.session, ctx.clock, school_class.id, draft.day)
    except (ParseError, DomainError) as error:
        return [Reply(error.message)]
    part = draft.session or _session_now(ctx)
    lines = roster(ctx.session, school_class.id, draft.day)
    marks, problems = _resolve(draft, lines, school_class)
    if problems:
        return [Reply("Chưa ghi vắng. Cần sửa:\n" + "\n".join(problems))]
    request = AbsenceMarks(school_class.id, draft.day, DaySession(part),
                           {line.student.id: status for line, status in marks})
    try:
        found = absence_problems(ctx.session, ctx.clock, ctx.staff.id, request)
    except DomainError as error:
        return [Reply(error.message)]
    if found:
        return [Reply("Chưa ghi vắng. Cần sửa:\n" + "\n".join(f"• {p.line}: {p.problem}"
                                                              for p in found))]
    payload = {"class_id": school_class.id, "day": draft.day.isoformat(), "session": part,
               "marks": {str(line.student.id): status for line, status in marks}}
    action = pending.save_preview(ctx.session, ctx.clock, ctx.staff.id, ctx.channel,
                                  ctx.chat_id, "absences", payload)
    names = "\n".join(f"{line.roll_number}. {line.student.full_name}"
                      f"{' — ' + STATUS_LABELS[status] if status else ''}"
                      for line, status in marks)
    label = SESSION_LABELS[DaySession(part)]
    said = "" if draft.session else f" (buổi {label} theo giờ gửi; ghi “sáng”/“chiều” để đổi)"
    return [Reply(f"Xem trước: vắng buổi {label} {_weekday(draft.day)} {draft.day:%d/%m/%Y}, "
                  f"lớp {school_class.name} ({len(marks)} học sinh){said}:\n{names}\n"
                  f"Bấm “{CONFIRM}” để ghi.",
                  [Button(CONFIRM, f"ok:{action.token}"), Button(CANCEL, f"no:{action.token}")])]


def _class_of(ctx: Context, draft: AbsenceDraft) -> SchoolClass:
    """The class named; without one, the class this person is GVCN of, if just one."""
    if draft.class_text:
        school_class = find_class(ctx.session, ctx.year.id, draft.class_text)
        if school_class is None:
            near = closest_classes(ctx.session, ctx.year.id, draft.class_text)
            raise DomainError(f"Không có lớp {draft.class_text.upper()}. Có phải: "
                              f"{', '.join(near)}?")
        return school_class
    mine = ctx.session.exec(select(SchoolClass).where(
        SchoolClass.year_id == ctx.year.id,
        SchoolClass.homeroom_teacher_id == ctx.staff.id)).all()
    if len(mine) == 1:
        return mine[0]
    raise DomainError("Vắng lớp nào? Ghi tên lớp, ví dụ “vắng 6A1 sáng 3 5”.")


def _session_now(ctx: Context) -> str:
    school = ctx.session.get(School, ctx.staff.school_id)
    return "chieu" if ctx.clock.now().hour >= school.afternoon_starts else "sang"


def _weekday(day: date) -> str:
    return ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"][
        day.weekday()]


def _resolve(draft: AbsenceDraft, lines: list[RosterLine],
             school_class: SchoolClass) -> tuple[list[tuple[RosterLine, str | None]], list[str]]:
    marks: list[tuple[RosterLine, str | None]] = []
    problems = []
    for group in draft.groups:
        for who in group.who:
            match = match_student(lines, who)
            if match.line is None:
                problems.append(f"• {who}: {_who_problem(who, match, school_class)}")
            elif any(line is match.line for line, _ in marks):
                problems.append(f"• {who}: {match.line.student.full_name} được ghi hai lần.")
            else:
                marks.append((match.line, group.status))
    return marks, problems


def _who_problem(who: str, match, school_class: SchoolClass) -> str:
    if who.isdigit():
        return f"lớp {school_class.name} không có số thứ tự {who}."
    if match.candidates:
        names = ", ".join(f"{c.roll_number}. {c.student.full_name}" for c in match.candidates)
        return f"có nhiều học sinh tên “{who}”: {names}. Ghi số thứ tự."
    return f"không rõ học sinh nào; ghi số thứ tự (gõ /lop {school_class.name} để xem)."


def confirm_absences_preview(ctx: Context, claimed: pending.Claimed) -> list[Reply]:
    payload = claimed.payload
    marks = payload.get("marks") or {str(s): None for s in payload.get("students", [])}
    request = AbsenceMarks(payload["class_id"], date.fromisoformat(payload["day"]),
                           DaySession(payload["session"]),
                           {int(k): AbsenceStatus(v) if v else None for k, v in marks.items()})
    try:
        rows = pending.carry_out(ctx.session, ctx.clock, claimed, lambda: mark_absences(
            ctx.session, ctx.clock, ctx.staff.id, request, via=ctx.via))
    except DomainError as error:
        return [Reply(f"Không ghi được: {error.message}", replace_original=True)]
    school_class = ctx.session.get(SchoolClass, request.class_id)
    decided = sum(1 for v in request.marks.values() if v)
    tail = ("GVCN sẽ xác nhận có phép/không phép đầu tháng sau." if decided < len(rows)
            else "Đã ghi kèm có phép/không phép.")
    return [Reply(f"Đã ghi {len(rows)} lượt vắng lớp {school_class.name} ngày "
                  f"{request.day:%d/%m/%Y}. {tail}", replace_original=True)]
