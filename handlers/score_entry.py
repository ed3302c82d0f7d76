"""Scores by message: parse, resolve, preview with buttons; write only on Xác nhận."""

from decimal import Decimal

from sqlmodel import select

from handlers.context import Context
from handlers.events import Button, Reply
from handlers.parse import ParseError, ScoreDraft, parse_scores
from handlers.render import table
from handlers.texts import CANCEL, CONFIRM
from models import SchoolClass, Subject, Term
from services import pending
from services.directory import class_names, find_class, find_subjects, match_student
from services.errors import DomainError, InvalidValue
from services.locks import refuse_if_locked, score_lock
from services.permissions import own_assignments_text, teaches
from services.school import RosterLine, columns_for, roster, term_for_date
from services.score_values import parse_score
from services.scores import ScoreBatch, enter_scores, find_cell


def preview_scores(ctx: Context, text: str) -> list[Reply]:
    try:
        draft = parse_scores(text)
        school_class, subject, term = target_of(ctx, draft)
        refuse_if_locked(ctx.session, score_lock(ctx.session, ctx.clock.now(), ctx.year.id,
                                                 term.id, school_class.id, subject.id))
    except (ParseError, DomainError) as error:
        return [Reply(error.message)]
    lines = roster(ctx.session, school_class.id)
    values, problems = _resolve_lines(draft, lines, subject)
    problems = [*draft.problems, *problems, *_already_entered(ctx, values, lines, subject, term,
                                                              draft.column)]
    if problems:
        details = "\n".join(f"• {line}: {problem}" for line, problem in problems)
        return [Reply(f"Chưa lưu gì. Có {len(problems)} dòng cần sửa:\n{details}\n"
                      "Sửa các dòng trên rồi gửi lại cả tin nhắn.")]
    payload = {"class_id": school_class.id, "subject_id": subject.id, "term_id": term.id,
               "column": draft.column, "values": {str(k): v for k, v in values.items()}}
    action = pending.save_preview(ctx.session, ctx.clock, ctx.staff.id, ctx.channel,
                                  ctx.chat_id, "scores", payload)
    body = _preview_text(school_class, subject, term, draft.column, lines, values)
    return [Reply(body, [Button(CONFIRM, f"ok:{action.token}"),
                         Button(CANCEL, f"no:{action.token}")], preformatted=True)]


def target_of(ctx: Context, draft: ScoreDraft) -> tuple[SchoolClass, Subject, Term]:
    year = ctx.year
    school_class = find_class(ctx.session, year.id, draft.class_text)
    if school_class is None:
        raise DomainError(f"Không có lớp “{draft.class_text}”. Các lớp: "
                          f"{', '.join(class_names(ctx.session, year.id))}.")
    subjects = find_subjects(ctx.session, ctx.staff.school_id, draft.subject_text)
    mine = [s for s in subjects if teaches(ctx.session, ctx.staff.id, school_class.id, s.id)]
    if not subjects:
        raise DomainError(f"Không hiểu môn “{draft.subject_text}”. "
                          f"{own_assignments_text(ctx.session, ctx.staff.id)}")
    if not mine:
        raise DomainError(f"Thầy/cô không dạy {subjects[0].name} lớp {school_class.name}. "
                          f"{own_assignments_text(ctx.session, ctx.staff.id)}")
    subject = mine[0]
    columns = columns_for(ctx.session, subject, school_class)
    if draft.column not in columns:
        raise InvalidValue(f"Môn {subject.name} khối {school_class.grade} không có cột "
                           f"{draft.column}. Các cột: {', '.join(columns)}.")
    term = _term(ctx, draft)
    return school_class, subject, term


def _term(ctx: Context, draft: ScoreDraft) -> Term:
    if draft.term is None:
        return term_for_date(ctx.session, ctx.year.id, ctx.today)
    return ctx.session.exec(select(Term).where(Term.year_id == ctx.year.id,
                                               Term.number == draft.term)).one()


def _resolve_lines(draft: ScoreDraft, lines: list[RosterLine],
                   subject: Subject) -> tuple[dict[int, str], list[tuple[str, str]]]:
    values: dict[int, str] = {}
    problems: list[tuple[str, str]] = []
    for line in draft.lines:
        match = match_student(lines, line.who)
        if match.line is None:
            problems.append((line.source, _who_problem(line.who, match)))
            continue
        try:
            parse_score(line.value, subject.kind)
        except InvalidValue as error:
            problems.append((line.source, error.message))
            continue
        if match.line.student.id in values:
            problems.append((line.source, f"số {match.line.roll_number} "
                                          f"({match.line.student.full_name}) có hai điểm."))
            continue
        values[match.line.student.id] = line.value
    return values, problems


def _already_entered(ctx: Context, values: dict[int, str], lines: list[RosterLine],
                     subject: Subject, term: Term, column: str) -> list[tuple[str, str]]:
    problems = []
    for line in lines:
        if line.student.id not in values:
            continue
        cell = find_cell(ctx.session, line.student.id, subject.id, term.id, column)
        if cell is not None:
            problems.append((f"{line.roll_number}. {line.student.full_name}",
                             f"đã có điểm {column} = {cell.display()}. Muốn đổi, gửi “sửa …” "
                             "(gõ /help để xem mẫu)."))
    return problems


def _who_problem(who: str, match) -> str:
    if who.isdigit():
        return f"lớp không có số thứ tự {who}. Gõ /lop để xem danh sách."
    if match.candidates:
        names = ", ".join(f"{c.roll_number}. {c.student.full_name}" for c in match.candidates)
        return f"có nhiều học sinh tên “{who}”: {names}. Ghi số thứ tự thay cho tên."
    hint = ""
    if match.suggestions:
        hint = " Có phải: " + ", ".join(f"{s.roll_number}. {s.student.full_name}"
                                        for s in match.suggestions) + "?"
    return f"không tìm thấy học sinh “{who}” trong lớp.{hint} Ghi số thứ tự cho chắc."


def _preview_text(school_class, subject, term, column, lines, values) -> str:
    rows = []
    for line in lines:
        if line.student.id in values:
            shown = _shown(values[line.student.id], subject)
            rows.append((f"{line.roll_number}.", line.student.full_name, shown))
    missing = [f"{line.roll_number}. {line.student.full_name}" for line in lines
               if line.student.id not in values]
    head = (f"Xem trước: {subject.name} — lớp {school_class.name} — cột {column} — "
            f"học kì {'I' if term.number == 1 else 'II'}")
    tail = f"Có {len(values)}/{len(lines)} điểm."
    if missing:
        tail += " Chưa có: " + ", ".join(missing) + "."
    return f"{head}\n{table(rows)}\n{tail}\nBấm “{CONFIRM}” để lưu, “{CANCEL}” để bỏ."


def _shown(raw: str, subject: Subject) -> str:
    value = parse_score(raw, subject.kind)
    return str(value).replace(".", ",") if isinstance(value, Decimal) else str(value)


def confirm_scores(ctx: Context, claimed: pending.Claimed) -> list[Reply]:
    payload = claimed.payload
    batch = ScoreBatch(payload["class_id"], payload["subject_id"], payload["term_id"],
                       payload["column"], {int(k): v for k, v in payload["values"].items()})
    try:
        entries = pending.carry_out(ctx.session, ctx.clock, claimed, lambda: enter_scores(
            ctx.session, ctx.clock, ctx.staff.id, batch, via=ctx.via))
    except DomainError as error:
        return [Reply(f"Không lưu được: {error.message}", replace_original=True)]
    school_class = ctx.session.get(SchoolClass, batch.class_id)
    subject = ctx.session.get(Subject, batch.subject_id)
    return [Reply(f"Đã lưu {len(entries)} điểm {batch.column} môn {subject.name} lớp "
                  f"{school_class.name}.", replace_original=True)]
