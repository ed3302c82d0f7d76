"""Corrections by chat: the teacher asks, the approver taps Duyệt / Từ chối, the admin
confirms where the school requires it; everyone concerned is told the outcome."""

import json
import re

from sqlmodel import select

from core.text import fold
from handlers.approvals import reach, sent_to_approver
from handlers.context import Context
from handlers.events import Button, Reply
from handlers.parse import ParseError, is_absence_message, parse_absences, parse_scores
from handlers.score_entry import student_of, target_of, term_of
from models import (
    CorrectionRequest,
    PendingAction,
    Staff,
    StaffRole,
)
from models.types import CorrectionStatus, Role
from services import corrections, pending
from services.absences import find_absence
from services.approval import APPROVER_ROLES
from services.correction_records import correction_facts
from services.directory import find_class, match_student
from services.errors import DomainError
from services.limits import REASON_MAX, too_long
from services.linking import chat_of
from services.permissions import roles_of
from services.school import roster
from services.score_values import parse_score
from services.scores import find_cell

REASON = re.compile(r"(?:^|\s)l[ýyíi]\s+d[oơ]\s*:?\s*", re.IGNORECASE)
SEND, CANCEL, APPROVE, REJECT, WITNESS = "Gửi yêu cầu", "Hủy", "Duyệt", "Từ chối", "Xác nhận sửa"
BACK, SEND_REJECT, EDIT_REASON = "Quay lại", "Gửi từ chối", "Sửa lý do"
REJECT_KINDS = ("reject_reason", "reject_confirm")


def is_correction_message(text: str) -> bool:
    first = text.split(maxsplit=1)[0].lower() if text.split() else ""
    return first in ("sửa", "sua")


def preview_correction(ctx: Context, text: str) -> list[Reply]:
    body = text.split(maxsplit=1)[1] if len(text.split(maxsplit=1)) > 1 else ""
    parts = REASON.split(body, maxsplit=1)
    reason = parts[1].strip() if len(parts) > 1 else ""
    if is_absence_message(parts[0]):
        return _preview_absence_correction(ctx, parts[0], reason)
    try:
        draft = parse_scores(parts[0])
        school_class, subject = target_of(ctx, draft)
        term = term_of(ctx, draft, school_class, subject, [])
    except (ParseError, DomainError) as error:
        return [Reply(error.message)]
    if len(draft.lines) != 1 or draft.lines[0].value is None:
        return [Reply("Mỗi yêu cầu sửa một ô. Ví dụ:\nsửa 6A1 Toán TX1\n3 9\nlý do: chấm nhầm")]
    line = draft.lines[0]
    student, problem = student_of(line, roster(ctx.session, school_class.id))
    if student is None:
        return [Reply(f"Chưa gửi được: {problem}")]
    cell = find_cell(ctx.session, student.student.id, subject.id, term.id, draft.column)
    if cell is None:
        return [Reply("Ô này chưa có điểm nên không cần sửa: nhập điểm như bình thường.")]
    if not reason:
        return [Reply("Cần ghi lý do sửa ở cuối, ví dụ “lý do: chấm nhầm bài”.")]
    try:
        new = str(parse_score(line.value, subject.kind)).replace(".", ",")
        route = corrections.approval_route(ctx.session, ctx.staff.id, school_class)
    except DomainError as error:
        return [Reply(error.message)]
    action = pending.save_preview(ctx.session, ctx.clock, ctx.staff.id, ctx.channel, ctx.chat_id,
                                  "correction", {"cell": cell.id, "new": new, "reason": reason})
    return [Reply(f"Yêu cầu sửa điểm {subject.name} lớp {school_class.name}, cột {draft.column}, "
                  f"học kì {'I' if term.number == 1 else 'II'}:\n"
                  f"{student.roll_number}. {student.student.full_name}: "
                  f"{cell.display()} → {new}\nLý do: {reason}\n"
                  f"{_approver_line(route)}",
                  [Button(SEND, f"ok:{action.token}"), Button(CANCEL, f"no:{action.token}")])]


def _approver_line(route: corrections.Route) -> str:
    line = f"Người duyệt: {route.approver.full_name}."
    return f"{line} {route.note}" if route.note else line


def _preview_absence_correction(ctx: Context, text: str, reason: str) -> list[Reply]:
    """"sửa vắng 6A1 16/11 sáng 3 P lý do: …" — after the month is closed (day 5)."""
    words = text.split()
    status = words[-1].upper() if words and fold(words[-1]) in ("p", "k") else None
    if status is None:
        return [Reply("Ghi trạng thái mới ở cuối: P (có phép) hoặc K (không phép), ví dụ "
                      "“sửa vắng 6A1 16/11 sáng 3 P lý do: có giấy phép”.")]
    try:
        draft = parse_absences(" ".join(words[:-1]), ctx.today)
    except ParseError as error:
        return [Reply(error.message)]
    school_class = find_class(ctx.session, ctx.year.id, draft.class_text)
    if school_class is None or len(draft.who) != 1:
        return [Reply("Mỗi yêu cầu sửa một lượt vắng của một học sinh trong một lớp có thật.")]
    match = match_student(roster(ctx.session, school_class.id, draft.day), draft.who[0])
    absence = match.line and _absence_of(ctx, match.line.student.id, draft)
    if isinstance(absence, str):
        return [Reply(absence)]
    if not absence:
        return [Reply(f"Không có lượt vắng của “{draft.who[0]}” buổi này; kiểm tra ngày, buổi.")]
    if not reason:
        return [Reply("Cần ghi lý do sửa ở cuối, ví dụ “lý do: phụ huynh nộp giấy phép”.")]
    try:
        route = corrections.approval_route(ctx.session, ctx.staff.id, school_class)
    except DomainError as error:
        return [Reply(error.message)]
    action = pending.save_preview(ctx.session, ctx.clock, ctx.staff.id, ctx.channel, ctx.chat_id,
                                  "absence_fix",
                                  {"absence": absence.id, "new": status, "reason": reason})
    return [Reply(f"Yêu cầu sửa điểm danh lớp {school_class.name}, {draft.day:%d/%m/%Y}: "
                  f"{match.line.student.full_name}: {absence.status} → {status}\n"
                  f"Lý do: {reason}\n{_approver_line(route)}",
                  [Button(SEND, f"ok:{action.token}"), Button(CANCEL, f"no:{action.token}")])]


def _absence_of(ctx: Context, student_id: int, draft):
    """The absence meant: the session named, or the only one that day (else ask)."""
    if draft.session:
        return find_absence(ctx.session, student_id, draft.day, draft.session)
    found = [a for part in ("sang", "chieu")
             if (a := find_absence(ctx.session, student_id, draft.day, part))]
    if len(found) > 1:
        return "Hôm đó học sinh vắng cả sáng và chiều: ghi rõ buổi (sáng hoặc chiều)."
    return found[0] if found else None


def send_absence_correction(ctx: Context, claimed: pending.Claimed) -> list[Reply]:
    payload = claimed.payload
    return _send(ctx, claimed, lambda: corrections.request_absence_correction(
        ctx.session, ctx.clock, ctx.staff.id, payload["absence"], payload["new"],
        payload["reason"], via=ctx.via))


def send_correction(ctx: Context, claimed: pending.Claimed) -> list[Reply]:
    payload = claimed.payload
    return _send(ctx, claimed, lambda: corrections.request_score_correction(
        ctx.session, ctx.clock, ctx.staff.id, payload["cell"], payload["new"],
        payload["reason"], via=ctx.via))


def _send(ctx: Context, claimed: pending.Claimed, ask) -> list[Reply]:
    try:
        request = pending.carry_out(ctx.session, ctx.clock, claimed, ask)
    except DomainError as error:
        return [Reply(f"Chưa gửi được: {error.message}", replace_original=True)]
    return sent_to_approver(ctx, "yêu cầu sửa", request.id, request.approver_id,
                            lambda chat: approval_message(ctx, request, chat), replace=True)


def changed_to(ctx: Context, request: CorrectionRequest) -> str:
    """"điểm đã sửa thành 9,0" or "vắng buổi sáng 16/11/2026 đã sửa thành có phép"."""
    if request.kind == "absence":
        facts = correction_facts(ctx.session, request.id)
        label = {"P": "có phép", "K": "không phép"}.get(request.new_value, request.new_value)
        return f"{facts.what} của {facts.student} đã sửa thành {label}"
    return f"điểm đã sửa thành {request.new_value}"


def describe(ctx: Context, request: CorrectionRequest) -> str:
    facts = correction_facts(ctx.session, request.id)
    return (f"Yêu cầu sửa số {facts.number} của {facts.requester}: {facts.subject} lớp "
            f"{facts.class_name}, {facts.what}, {facts.student}: {facts.old_value} → "
            f"{facts.new_value}. Lý do: {facts.reason}")


def approval_message(ctx: Context, request: CorrectionRequest, chat_id: str) -> Reply:
    return Reply(describe(ctx, request), [Button(APPROVE, f"cy:{request.token}"),
                                          Button(REJECT, f"cn:{request.token}")], chat_id=chat_id)


def on_decision_button(ctx: Context, verb: str, token: str) -> list[Reply]:
    try:
        if verb == "cy":
            return _approved(ctx, token)
        if verb == "cn":
            return _ask_reject_reason(ctx, token)
        return _witnessed(ctx, token)
    except DomainError as error:
        return [Reply(error.message)]


def _approved(ctx: Context, token: str) -> list[Reply]:
    decision = corrections.decide(ctx.session, ctx.clock, ctx.staff.id, token, approve=True,
                                  via=ctx.via)
    request = decision.request
    text = describe(ctx, request)
    if decision.applied:
        return [Reply(f"{text}\nĐÃ DUYỆT — {changed_to(ctx, request)}.",
                      replace_original=True),
                *_tell_teacher(ctx, request, f"Yêu cầu sửa số {request.id} đã được duyệt; "
                                             f"{changed_to(ctx, request)}. Biên bản: gõ "
                                             f"/bienban {request.id}")]
    replies = [Reply(f"{text}\nĐÃ DUYỆT — chờ quản trị xác nhận.", replace_original=True),
               *_tell_teacher(ctx, request, f"Yêu cầu sửa số {request.id} đã được duyệt, "
                                            "đang chờ quản trị xác nhận.")]
    for admin_chat in _admin_chats(ctx):
        replies.append(Reply(f"{text}\nĐã được duyệt; cần quản trị xác nhận.",
                             [Button(WITNESS, f"cw:{request.token}")], chat_id=admin_chat))
    return replies


def _ask_reject_reason(ctx: Context, token: str) -> list[Reply]:
    """Step one of Từ chối: ask for the reason, with a way back to Duyệt / Từ chối."""
    request = corrections.by_token(ctx.session, token)
    corrections.check_decider(ctx.session, ctx.staff.id, request)
    action = pending.save_preview(ctx.session, ctx.clock, ctx.staff.id, ctx.channel,
                                  ctx.chat_id, "reject_reason", {"token": token})
    return [Reply(f"{describe(ctx, request)}\nĐang chờ lý do từ chối…", replace_original=True),
            Reply(f"Nhập lý do từ chối yêu cầu số {request.id} (một tin nhắn). Bấm "
                  f"“{BACK}” nếu bấm nhầm.", [Button(BACK, f"no:{action.token}")])]


def on_reject_text(ctx: Context, awaiting: PendingAction, text: str) -> list[Reply]:
    """Step two: the typed reason is shown back, never acted on at once. A prompt that
    has lapsed is answered with the request's state now and fresh buttons."""
    token = json.loads(awaiting.payload)["token"]
    try:
        claimed = pending.claim(ctx.session, ctx.clock, awaiting.token, ctx.staff.id)
    except DomainError:
        return [Reply("Lời mời nhập lý do từ chối đã quá hạn nên tin vừa rồi chưa được dùng."),
                *current_state(ctx, token)]
    if len(text.strip()) < 3 or too_long(text.strip(), REASON_MAX):
        problem = too_long(text.strip(), REASON_MAX) or ("quá ngắn. Ghi rõ để giáo viên biết "
                                                        "vì sao, ví dụ “không có bài làm để đối "
                                                        "chiếu”.")
        return [Reply(f"Lý do {problem}", [Button(BACK, f"no:{awaiting.token}")])]
    pending.close(ctx.session, ctx.clock, claimed.action, "replaced")
    action = pending.save_preview(ctx.session, ctx.clock, ctx.staff.id, ctx.channel,
                                  ctx.chat_id, "reject_confirm",
                                  {"token": token, "reason": text.strip()})
    request = corrections.by_token(ctx.session, token)
    return [Reply(f"Từ chối yêu cầu sửa số {request.id} với lý do:\n“{text.strip()}”",
                  keyboard=[[Button(SEND_REJECT, f"ok:{action.token}"),
                             Button(EDIT_REASON, f"re:{action.token}")],
                            [Button(BACK, f"no:{action.token}")]])]


def reject_with_reason(ctx: Context, claimed: pending.Claimed) -> list[Reply]:
    """Gửi từ chối: the decision itself (atomic in the service)."""
    try:
        decision = corrections.decide(ctx.session, ctx.clock, ctx.staff.id,
                                      claimed.payload["token"], approve=False,
                                      reason=claimed.payload["reason"], via=ctx.via)
    except DomainError as error:
        pending.close(ctx.session, ctx.clock, claimed.action, "failed")
        return [Reply(error.message, replace_original=True)]
    pending.close(ctx.session, ctx.clock, claimed.action, "confirmed")
    request = decision.request
    return [Reply(f"{describe(ctx, request)}\nĐÃ TỪ CHỐI. Lý do: {request.decision_reason}",
                  replace_original=True),
            Reply(f"Đã từ chối yêu cầu sửa số {request.id}."),
            *_tell_teacher(ctx, request, f"Yêu cầu sửa số {request.id} bị từ chối. "
                                         f"Lý do: {request.decision_reason}")]


def edit_reject_reason(ctx: Context, claimed: pending.Claimed) -> list[Reply]:
    pending.close(ctx.session, ctx.clock, claimed.action, "replaced")
    return _ask_reject_reason(ctx, claimed.payload["token"])


def back_to_decision(ctx: Context, claimed: pending.Claimed) -> list[Reply]:
    """Quay lại: nothing was decided; the Duyệt / Từ chối buttons again."""
    pending.close(ctx.session, ctx.clock, claimed.action, "cancelled")
    return [Reply("Chưa từ chối; yêu cầu vẫn chờ thầy/cô quyết định.", replace_original=True),
            *current_state(ctx, claimed.payload["token"])]


def lapsed_reject_prompt(ctx: Context, button_token: str) -> list[Reply]:
    """A lapsed Quay lại / Gửi từ chối button still leads back to the request."""
    action = ctx.session.exec(select(PendingAction).where(
        PendingAction.token == button_token)).first()
    if action is None or action.staff_id != ctx.staff.id or action.kind not in REJECT_KINDS:
        return []
    return current_state(ctx, json.loads(action.payload)["token"])


def current_state(ctx: Context, token: str) -> list[Reply]:
    """The request as it stands: with Duyệt / Từ chối if still this person's to decide."""
    request = corrections.by_token(ctx.session, token)
    if request.status == CorrectionStatus.PENDING and request.approver_id == ctx.staff.id:
        return [approval_message(ctx, request, None)]
    return [Reply(f"{describe(ctx, request)}\n{corrections.status_text(ctx.session, request)}")]


def _witnessed(ctx: Context, token: str) -> list[Reply]:
    request = corrections.confirm_as_witness(ctx.session, ctx.clock, ctx.staff.id, token,
                                             via=ctx.via)
    message = (f"Yêu cầu sửa số {request.id} đã được quản trị xác nhận; "
               f"{changed_to(ctx, request)}.")
    replies = [Reply(f"{describe(ctx, request)}\nĐÃ SỬA.", replace_original=True),
               *_tell_teacher(ctx, request, message)]
    approver_chat = chat_of(ctx.session, request.decided_by_id, ctx.channel)
    if approver_chat:
        replies.append(Reply(message, chat_id=approver_chat))
    return replies


def _tell_teacher(ctx: Context, request: CorrectionRequest, text: str) -> list[Reply]:
    return reach(ctx, request.requested_by_id, Reply(text),
                 f"told:{request.id}:{request.status}") or []


def _admin_chats(ctx: Context) -> list[str]:
    admins = ctx.session.exec(select(Staff.id).join(StaffRole).where(
        StaffRole.role == Role.ADMIN, Staff.school_id == ctx.staff.school_id, Staff.active))
    return [c for a in admins if (c := chat_of(ctx.session, a, ctx.channel))]


def list_pending(ctx: Context, args: str) -> list[Reply]:
    if not roles_of(ctx.session, ctx.staff.id) & APPROVER_ROLES:
        return [Reply("Chỉ Ban giám hiệu duyệt yêu cầu sửa.")]
    requests = corrections.pending_for(ctx.session, ctx.staff.id)
    if not requests:
        return [Reply("Không có yêu cầu sửa nào đang chờ thầy/cô duyệt.")]
    return [Reply(f"{len(requests)} yêu cầu đang chờ duyệt:"),
            *(approval_message(ctx, r, None) for r in requests)]
