"""Scores by message: read, resolve, preview with buttons; write only on Xác nhận.

Everything that could make Xác nhận write the wrong cell is refused at preview, saying
why: a roll number and a name that disagree, a term that has not started or a column
that could belong to either term, a locked column (with the lock explained and a way to
ask it open), a student given two values.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from handlers.context import Context
from handlers.events import Button, Reply
from handlers.parse import ParseError, ScoreDraft, ScoreLine, parse_scores
from handlers.render import table
from handlers.texts import CANCEL, CONFIRM
from handlers.unlock_entry import locked_reply
from models import School, SchoolClass, Subject, Term
from services import pending
from services.directory import closest_classes, find_class, find_subjects, match_student
from services.errors import DomainError, InvalidValue, Locked
from services.locks import refuse_if_locked, score_lock
from services.permissions import own_assignments_text, teaches
from services.school import (
    RosterLine,
    columns_for,
    held,
    roster,
    roster_names,
    term_for_date,
    term_on,
    year_terms,
)
from services.score_values import parse_score, school_reading
from services.scores import (
    ScoreBatch,
    check_scores,
    filled_cells,
    filled_students,
    find_cell,
    write_scores,
)

LIST_MISSING_UP_TO = 5  # more missing students than this: a count and /chuaco


@dataclass
class Resolved:
    """The draft matched to the roster: who gets what, who missed the test, what is wrong."""

    values: dict[int, str] = field(default_factory=dict)  # student id → value as stored
    sources: dict[int, list] = field(default_factory=dict)  # student id → [line, index, text]
    absent: list[RosterLine] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


def preview_scores(ctx: Context, text: str) -> list[Reply]:
    try:
        draft = parse_scores(text)
        school_class, subject = target_of(ctx, draft)
    except (ParseError, DomainError) as error:
        return [Reply(error.message)]
    lines = roster_names(ctx.session, school_class.id)
    resolved = resolve(ctx, draft, lines, subject)
    try:
        term = term_of(ctx, draft, school_class, subject, list(resolved.values))
        refuse_if_locked(ctx.session, score_lock(
            ctx.session, ctx.clock.now(), ctx.year.id, term.id, school_class.id, subject.id,
            teacher_id=ctx.staff.id, column=draft.column))
    except Locked as lock:
        return locked_reply(ctx, lock, school_class, subject, term, draft.column)
    except DomainError as error:
        return [Reply(error.message)]
    problems = [*draft.problems, *resolved.problems,
                *_already_entered(ctx, resolved.values, lines, school_class, subject,
                                 term, draft.column)]
    if problems:
        return [_problems_reply(problems)]
    if not resolved.values:
        return [Reply("Không có điểm nào để lưu: mọi học sinh trong tin nhắn đều vắng kiểm tra. "
                      "Khi các em làm bài bù, gửi điểm như bình thường.")]
    payload = {"class_id": school_class.id, "subject_id": subject.id, "term_id": term.id,
               "column": draft.column, "values": {str(k): v for k, v in resolved.values.items()},
               "sources": {str(k): v for k, v in resolved.sources.items()}}
    action = pending.save_preview(ctx.session, ctx.clock, ctx.staff.id, ctx.channel,
                                  ctx.chat_id, "scores", payload)
    body = _preview_text(school_class, subject, term, draft, lines, resolved)
    return [Reply(body, [Button(CONFIRM, f"ok:{action.token}"),
                         Button(CANCEL, f"no:{action.token}")], preformatted=True)]


def _problems_reply(problems: list[tuple[str, str]]) -> Reply:
    details = "\n".join(f"• {line}: {problem}" for line, problem in problems)
    return Reply(f"Chưa lưu gì. Có {len(problems)} dòng cần sửa:\n{details}\n"
                 "Sửa các dòng trên rồi gửi lại cả tin nhắn.")


def target_of(ctx: Context, draft: ScoreDraft) -> tuple[SchoolClass, Subject]:
    year = ctx.year
    school_class = find_class(ctx.session, year.id, draft.class_text)
    if school_class is None:
        raise DomainError(f"Không có lớp {draft.class_text.upper()}. Có phải: "
                          f"{', '.join(closest_classes(ctx.session, year.id, draft.class_text))}?")
    subjects = find_subjects(ctx.session, ctx.staff.school_id, draft.subject_text)
    if not subjects:
        raise DomainError(f"Không hiểu môn “{draft.subject_text}”. "
                          f"{own_assignments_text(ctx.session, ctx.staff.id)}")
    mine = [s for s in subjects if teaches(ctx.session, ctx.staff.id, school_class.id, s.id)]
    if not mine:
        raise DomainError(f"Thầy/cô không dạy {subjects[0].name} lớp {school_class.name}. "
                          f"{own_assignments_text(ctx.session, ctx.staff.id)}")
    if len(mine) > 1:
        raise DomainError(f"“{draft.subject_text}” có thể là "
                          f"{' hoặc '.join(s.name for s in mine)}. Ghi rõ tên môn.")
    subject = mine[0]
    columns = columns_for(ctx.session, subject, school_class)
    if draft.column not in columns:
        raise InvalidValue(f"Môn {subject.name} lớp {school_class.name} không có cột "
                           f"{draft.column}. Các cột: {', '.join(columns)}.")
    return school_class, subject


def term_of(ctx: Context, draft: ScoreDraft, school_class: SchoolClass, subject: Subject,
            student_ids: list[int]) -> Term:
    """The term named, if it has started; without one, today's term — unless it is term II
    and term I's cell is still open and empty for one of these students: then ask."""
    known = year_terms(ctx.session, ctx.year.id)
    terms = {t.number: t for t in known}
    if draft.term is not None:
        term = terms[draft.term]
        if term.start_date > ctx.today:
            raise DomainError(f"Học kì {_roman(term)} bắt đầu từ {term.start_date:%d/%m/%Y}: "
                              "chưa nhập điểm học kì này được. Kiểm tra lại HK ở dòng đầu.")
        return term
    current = term_on(known, ctx.today)
    first = terms.get(1)
    if current.number == 2 and first is not None and _open_and_empty(
            ctx, first, school_class, subject, draft.column, student_ids):
        raise DomainError(f"Điểm {draft.column} này của học kì I (bài bù) hay học kì II? Học "
                          f"kì I môn {subject.name} lớp {school_class.name} còn mở và còn ô "
                          f"trống. Gửi lại, thêm HK1 hoặc HK2 ở dòng đầu, ví dụ “"
                          f"{school_class.name} {subject.name} {draft.column} HK2”.")
    return current


def _open_and_empty(ctx: Context, term: Term, school_class: SchoolClass, subject: Subject,
                    column: str, student_ids: list[int]) -> bool:
    if score_lock(ctx.session, ctx.clock.now(), ctx.year.id, term.id, school_class.id,
                  subject.id) is not None:
        return False
    return any(find_cell(ctx.session, s, subject.id, term.id, column) is None
               for s in student_ids)


def _roman(term: Term) -> str:
    return "I" if term.number == 1 else "II"


def resolve(ctx: Context, draft: ScoreDraft, lines: list[RosterLine],
            subject: Subject) -> Resolved:
    school = held(ctx.session, School, ctx.staff.school_id)
    resolved, seen = Resolved(), set()
    for line in draft.lines:
        student, problem = student_of(line, lines)
        if student is None:
            resolved.problems.append((line.source, problem))
            continue
        label = f"số {student.roll_number} ({student.student.full_name})"
        if student.student.id in seen:
            resolved.problems.append((line.source, f"{label} có hai dòng trong tin nhắn."))
            continue
        seen.add(student.student.id)
        if line.value is None:
            resolved.absent.append(student)
            continue
        try:
            value = school_reading(line.value, subject.kind, school.scores_without_comma)
            parse_score(value, subject.kind)
        except InvalidValue as error:
            resolved.problems.append((line.source, error.message))
            continue
        resolved.values[student.student.id] = value
        token = line.token
        resolved.sources[student.student.id] = [token.line, token.index, token.text]
    return resolved


def student_of(line: ScoreLine, lines: list[RosterLine]) -> tuple[RosterLine | None, str]:
    """A roll number and a name must agree; either alone must name one student."""
    by_roll = match_student(lines, str(line.roll)).line if line.roll is not None else None
    if line.roll is not None and by_roll is None:
        return None, f"lớp không có số thứ tự {line.roll}. Gõ /lop để xem danh sách."
    if line.name is None:
        return by_roll, ""
    by_name = match_student(lines, line.name)
    if by_roll is None:
        return by_name.line, _who_problem(line.name, by_name) if by_name.line is None else ""
    if by_name.line is not None and by_name.line is not by_roll:
        return None, (f"số {by_roll.roll_number} là {by_roll.student.full_name}, còn "
                      f"“{line.name}” là số {by_name.line.roll_number} "
                      f"({by_name.line.student.full_name}). Ghi lại cho khớp số và tên.")
    if by_name.line is None and by_roll not in by_name.candidates:
        return None, (f"số {by_roll.roll_number} là {by_roll.student.full_name}, không phải "
                      f"“{line.name}”. Ghi lại cho khớp số và tên.")
    return by_roll, ""


def _already_entered(ctx: Context, values: dict[int, str], lines: list[RosterLine],
                     school_class: SchoolClass, subject: Subject, term: Term,
                     column: str) -> list[tuple[str, str]]:
    """Cells already holding a value, found as the Xác nhận will look for them."""
    filled = filled_cells(ctx.session, school_class.id, subject.id, term.id, column, values)
    return [(f"{line.roll_number}. {line.student.full_name}",
             f"đã có điểm {column} = {filled[line.student.id]}. Muốn đổi, gửi "
             "“sửa …” (gõ /help để xem mẫu).")
            for line in lines if line.student.id in filled]


def _who_problem(who: str, match) -> str:
    if match.candidates:
        names = ", ".join(f"{c.roll_number}. {c.student.full_name}" for c in match.candidates)
        return f"có nhiều học sinh tên “{who}”: {names}. Ghi số thứ tự thay cho tên."
    hint = ""
    if match.suggestions:
        hint = " Có phải: " + ", ".join(f"{s.roll_number}. {s.student.full_name}"
                                        for s in match.suggestions) + "?"
    return f"không tìm thấy học sinh “{who}” trong lớp.{hint} Ghi số thứ tự cho chắc."


def _preview_text(school_class: SchoolClass, subject: Subject, term: Term, draft: ScoreDraft,
                  lines: list[RosterLine], resolved: Resolved) -> str:
    rows = [(f"{line.roll_number}.", line.student.full_name,
             _shown(resolved.values[line.student.id], subject))
            for line in lines if line.student.id in resolved.values]
    head = (f"Xem trước: {subject.name} — lớp {school_class.name} — cột {draft.column} — "
            f"học kì {_roman(term)}")
    parts = [head]
    if draft.roll_order:
        parts.append(f"Theo thứ tự danh sách: {len(draft.lines)} giá trị cho số 1 đến số "
                     f"{len(draft.lines)}.")
    parts.append(table(rows))
    if resolved.absent:
        parts.append("Vắng kiểm tra, để trống: " + ", ".join(
            f"{a.roll_number}. {a.student.full_name}" for a in resolved.absent) + ".")
    parts.append(_missing_line(lines, resolved))
    if draft.ignored:
        parts.append(f"Đã bỏ qua {draft.ignored} dòng tiêu đề.")
    parts.append(f"Bấm “{CONFIRM}” để lưu, “{CANCEL}” để bỏ.")
    return "\n".join(parts)


def _missing_line(lines: list[RosterLine], resolved: Resolved) -> str:
    absent = {a.student.id for a in resolved.absent}
    missing = [line for line in lines if line.student.id not in resolved.values
               and line.student.id not in absent]
    tail = f"Có {len(resolved.values)}/{len(lines)} điểm."
    if not missing:
        return tail
    if len(missing) > LIST_MISSING_UP_TO:
        return f"{tail} Chưa có: {len(missing)} học sinh (gửi /chuaco để xem)."
    return tail + " Chưa có: " + ", ".join(f"{m.roll_number}. {m.student.full_name}"
                                           for m in missing) + "."


def _shown(raw: str, subject: Subject) -> str:
    value = parse_score(raw, subject.kind)
    return str(value).replace(".", ",") if isinstance(value, Decimal) else str(value)


def confirm_scores(ctx: Context, claimed: pending.Claimed) -> list[Reply]:
    payload = claimed.payload
    batch = ScoreBatch(payload["class_id"], payload["subject_id"], payload["term_id"],
                       payload["column"], {int(k): v for k, v in payload["values"].items()})
    try:
        stored = pending.carry_out_checked(
            ctx.session, ctx.clock, claimed,
            lambda: check_scores(ctx.session, ctx.clock, ctx.staff.id, batch),
            lambda checked: write_scores(ctx.session, ctx.clock, ctx.staff.id, checked,
                                         via=ctx.via))
    except DomainError as error:
        return [Reply(f"Không lưu được: {error.message}", replace_original=True)]
    school_class = held(ctx.session, SchoolClass, batch.class_id)
    subject = held(ctx.session, Subject, batch.subject_id)
    return [Reply(f"Đã lưu {stored} điểm {batch.column} môn {subject.name} lớp "
                  f"{school_class.name}.", replace_original=True)]


def missing_students(ctx: Context, args: str) -> list[Reply]:
    """/chuaco: who has no value yet — in the latest preview, or in a column named."""
    action = pending.latest_pending(ctx.session, ctx.staff.id, ctx.chat_id)
    if args.strip():
        try:
            draft = parse_scores(f"{args}\n1 0")
            school_class, subject = target_of(ctx, draft)
            term = term_of(ctx, ScoreDraft(draft.class_text, draft.subject_text, draft.column,
                                           draft.term or _term_now(ctx)), school_class,
                           subject, [])
        except (ParseError, DomainError) as error:
            return [Reply(error.message)]
        done = filled_students(ctx.session, school_class.id, subject.id, term.id, draft.column)
        return [_missing_list(ctx, school_class, subject, draft.column, done)]
    if action is None or action.kind != "scores":
        return [Reply("Gõ /chuaco lớp môn cột, ví dụ /chuaco 6A1 Toán TX2; hoặc gõ ngay sau "
                      "bảng xem trước.")]
    payload = pending.payload_of(action)
    school_class = ctx.session.get(SchoolClass, payload["class_id"])
    subject = ctx.session.get(Subject, payload["subject_id"])
    return [_missing_list(ctx, school_class, subject, payload["column"],
                          {int(k) for k in payload["values"]})]


def _term_now(ctx: Context) -> int:
    return term_for_date(ctx.session, ctx.year.id, ctx.today).number


def _missing_list(ctx: Context, school_class: SchoolClass, subject: Subject, column: str,
                  done: set[int]) -> Reply:
    missing = [line for line in roster(ctx.session, school_class.id)
               if line.student.id not in done]
    if not missing:
        return Reply(f"{subject.name} {school_class.name} {column}: đã đủ điểm cả lớp.")
    names = "\n".join(f"{m.roll_number}. {m.student.full_name}" for m in missing)
    return Reply(f"{subject.name} {school_class.name} {column}: {len(missing)} học sinh chưa có "
                 f"điểm:\n{names}")
