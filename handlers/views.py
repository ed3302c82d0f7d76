"""Read-only views: class list, a teacher's progress, averages and results."""

from sqlmodel import select

from grading.base import YEAR
from handlers.context import Context
from handlers.events import Reply
from handlers.render import table
from models import Absence, Student
from models.types import SESSION_LABELS, Role
from models.types import Session as DaySession
from services.deadlines import missing_with_due_dates
from services.directory import class_names, closest_classes, find_class, find_subjects
from services.permissions import is_homeroom_of, roles_of, teaches
from services.progress import ProgressFilter, progress, totals
from services.results import class_report
from services.school import roster, term_for_date

LEADERS = {Role.PRINCIPAL, Role.VICE_PRINCIPAL, Role.ADMIN}


def class_list(ctx: Context, args: str) -> list[Reply]:
    school_class = find_class(ctx.session, ctx.year.id, args) if args else None
    if school_class is None and args:
        return [Reply(f"Không có lớp {args.upper()}. Có phải: "
                      f"{', '.join(closest_classes(ctx.session, ctx.year.id, args))}?")]
    if school_class is None:
        return [Reply("Gõ /lop và tên lớp, ví dụ /lop 6A1. Các lớp: "
                      f"{', '.join(class_names(ctx.session, ctx.year.id))}.")]
    rows = [(f"{line.roll_number}.", line.student.full_name,
             f"{line.student.birth_date:%d/%m/%Y}" if line.student.birth_date else "")
            for line in roster(ctx.session, school_class.id)]
    return [Reply(f"Lớp {school_class.name} — {len(rows)} học sinh\n{table(rows)}",
                  preformatted=True)]


def my_progress(ctx: Context, args: str) -> list[Reply]:
    """Rows of at most 40 characters: one per class and subject, one per missing column."""
    term = term_for_date(ctx.session, ctx.year.id, ctx.today)
    leader = bool(roles_of(ctx.session, ctx.staff.id) & LEADERS)
    where = ProgressFilter() if leader else ProgressFilter(teacher_id=ctx.staff.id)
    rows = progress(ctx.session, term.id, where)
    if not rows:
        return [Reply("Thầy/cô chưa có phân công giảng dạy nào trong học kì này.")]
    lines = []
    for r in rows:
        lines.append(f"{r.class_name} {short_subject(r.subject_name)} {r.percent}% "
                     f"({r.filled}/{r.required})")
        for column, missing, due in missing_with_due_dates(r, term):
            late = " QUÁ HẠN" if due < ctx.today else ""
            lines.append(f"  {column}: thiếu {missing}, hạn {due:%d/%m}{late}")
    total = totals(rows)
    head = (f"Tiến độ nhập điểm học kì {'I' if term.number == 1 else 'II'}"
            f"{' toàn trường' if leader else ''}: {total.filled}/{total.required} "
            f"({total.percent}%).")
    return [Reply(head + "\n" + "\n".join(lines), preformatted=True)]


def short_subject(name: str, limit: int = 18) -> str:
    """"Hoạt động trải nghiệm, hướng nghiệp" → "HĐTNHN": long names by their initials."""
    if len(name) <= limit:
        return name
    return "".join(word[0].upper() for word in name.replace(",", " ").split())


def absences_of_day(ctx: Context, class_text: str, day) -> list[Reply]:
    """"lớp 6a1 ai vắng hôm nay": the day's absences of a class, for those who keep them."""
    school_class = find_class(ctx.session, ctx.year.id, class_text)
    if school_class is None:
        return [Reply(f"Không có lớp {class_text.upper()}. Có phải: "
                      f"{', '.join(closest_classes(ctx.session, ctx.year.id, class_text))}?")]
    allowed = is_homeroom_of(ctx.session, ctx.staff.id, school_class) or \
        teaches(ctx.session, ctx.staff.id, school_class.id) or \
        roles_of(ctx.session, ctx.staff.id) & (LEADERS | {Role.SUPERVISOR})
    if not allowed:
        return [Reply(f"Thầy/cô không dạy lớp {school_class.name} nên không xem được điểm danh "
                      "của lớp.")]
    rows = ctx.session.exec(select(Absence, Student).join(Student).where(
        Absence.class_id == school_class.id, Absence.day == day)
        .order_by(Absence.session, Student.full_name)).all()
    if not rows:
        return [Reply(f"Lớp {school_class.name} ngày {day:%d/%m/%Y}: không ai vắng (chưa ghi "
                      "lượt vắng nào).")]
    lines = [f"{SESSION_LABELS[DaySession(a.session)]}: {s.full_name} ({a.status})"
             for a, s in rows]
    return [Reply(f"Lớp {school_class.name} vắng ngày {day:%d/%m/%Y} (P có phép, K không "
                  "phép, ? chưa xác nhận):\n" + "\n".join(lines))]


def results(ctx: Context, args: str) -> list[Reply]:
    words = args.split()
    school_class = find_class(ctx.session, ctx.year.id, words[0]) if words else None
    if school_class is None:
        return [Reply("Gõ /ketqua lớp [môn], ví dụ /ketqua 6A1 Toán.")]
    if len(words) > 1:
        return _subject_results(ctx, school_class, " ".join(words[1:]))
    allowed = is_homeroom_of(ctx.session, ctx.staff.id, school_class) or \
        roles_of(ctx.session, ctx.staff.id) & LEADERS
    if not allowed:
        return [Reply(f"Kết quả cả lớp {school_class.name} chỉ GVCN và Ban giám hiệu xem được. "
                      f"Thầy/cô xem môn mình dạy: /ketqua {school_class.name} <môn>.")]
    report = class_report(ctx.session, school_class.id)
    rows = [(f"{roll}.", student.full_name, _level(r.learning[1]), _level(r.learning[2]),
             _level(r.learning[YEAR]), _level(r.conduct[YEAR]))
            for roll, student, r in report.students]
    head = ("Kết quả lớp " + school_class.name +
            " (KQHT HKI, HKII, cả năm; rèn luyện cả năm; “–”: chưa đủ điểm)")
    return [Reply(f"{head}\n{table(rows)}", preformatted=True)]


def _subject_results(ctx: Context, school_class, subject_text: str) -> list[Reply]:
    subjects = find_subjects(ctx.session, ctx.staff.school_id, subject_text)
    if not subjects:
        return [Reply(f"Không hiểu môn “{subject_text}”.")]
    subject = subjects[0]
    may = teaches(ctx.session, ctx.staff.id, school_class.id, subject.id) or \
        is_homeroom_of(ctx.session, ctx.staff.id, school_class) or \
        roles_of(ctx.session, ctx.staff.id) & LEADERS
    if not may:
        return [Reply(f"Thầy/cô không dạy {subject.name} lớp {school_class.name}.")]
    report = class_report(ctx.session, school_class.id, {subject.id})
    rows = []
    for roll, student, r in report.students:
        result = r.subjects[0]
        rows.append((f"{roll}.", student.full_name, _value(result.term[1]),
                     _value(result.term[2]), _value(result.year)))
    return [Reply(f"{subject.name} lớp {school_class.name}: ĐTB HKI, HKII, cả năm "
                  f"(“–”: chưa đủ điểm)\n{table(rows)}", preformatted=True)]


def _value(computed) -> str:
    if not computed.ok:
        return "–"
    return str(computed.value).replace(".", ",")


def _level(computed) -> str:
    return computed.value if computed.ok else "–"
