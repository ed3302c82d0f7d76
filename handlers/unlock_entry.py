"""A lock met in chat explains itself and can be asked open ("Xin mở khóa"): the teacher
gives a reason, the approver taps Duyệt / Từ chối, an approval opens that one column for
the teacher for a few days. Transport-free, like every handler."""

from core.clock import VN_TZ
from handlers.approvals import reach, sent_to_approver
from handlers.context import Context
from handlers.events import Button, Reply
from models import PendingAction, SchoolClass, Subject, Term, UnlockRequest
from services import pending, unlocks
from services.errors import DomainError, Locked
from services.locks import explain

ASK, NOT_NOW, APPROVE, REJECT = "Xin mở khóa", "Thôi", "Duyệt mở khóa", "Từ chối"
UNLOCK_KINDS = ("unlock_ask", "unlock_reason")


def locked_reply(ctx: Context, lock: Locked, school_class: SchoolClass, subject: Subject,
                 term: Term, column: str) -> list[Reply]:
    if lock.lock_id is None:
        return [Reply(lock.message)]
    action = pending.save_preview(ctx.session, ctx.clock, ctx.staff.id, ctx.channel,
                                  ctx.chat_id, "unlock_ask",
                                  {"class_id": school_class.id, "subject_id": subject.id,
                                   "term_id": term.id, "column": column})
    return [Reply(f"{lock.message}\nBấm “{ASK}” để xin mở riêng cột {column} môn "
                  f"{subject.name} lớp {school_class.name} cho thầy/cô.",
                  [Button(ASK, f"ok:{action.token}"), Button(NOT_NOW, f"no:{action.token}")])]


def ask_reason(ctx: Context, claimed: pending.Claimed) -> list[Reply]:
    pending.close(ctx.session, ctx.clock, claimed.action, "confirmed")
    action = pending.save_preview(ctx.session, ctx.clock, ctx.staff.id, ctx.channel,
                                  ctx.chat_id, "unlock_reason", claimed.payload)
    return [Reply(f"Nhập lý do xin mở khóa cột {claimed.payload['column']} (một tin nhắn), ví "
                  "dụ “3 học sinh kiểm tra bù ngày 10/01”.", [Button(NOT_NOW,
                                                                   f"no:{action.token}")])]


def on_reason_text(ctx: Context, awaiting: PendingAction, text: str) -> list[Reply]:
    try:
        claimed = pending.claim(ctx.session, ctx.clock, awaiting.token, ctx.staff.id)
    except DomainError as error:
        return [Reply(f"{error.message} Gửi lại bảng điểm để xin mở khóa lại.")]
    payload = claimed.payload
    try:
        request = pending.carry_out(ctx.session, ctx.clock, claimed, lambda: (
            unlocks.request_unlock(ctx.session, ctx.clock, ctx.staff.id, payload["class_id"],
                                   payload["subject_id"], payload["term_id"],
                                   payload["column"], text, via=ctx.via)))
    except DomainError as error:
        return [Reply(f"Chưa gửi được: {error.message}")]
    return sent_to_approver(ctx, "yêu cầu mở khóa", request.id, request.approver_id,
                            lambda chat: approval_message(ctx, request, chat))


def approval_message(ctx: Context, request: UnlockRequest, chat_id: str | None) -> Reply:
    lock = unlocks.lock_of(ctx.session, request)
    return Reply(f"{unlocks.describe(ctx.session, request)}\n{explain(ctx.session, lock)}",
                 [Button(APPROVE, f"uy:{request.token}"), Button(REJECT, f"un:{request.token}")],
                 chat_id=chat_id)


def on_decision(ctx: Context, verb: str, token: str) -> list[Reply]:
    try:
        request = unlocks.decide_unlock(ctx.session, ctx.clock, ctx.staff.id, token,
                                        approve=verb == "uy", via=ctx.via)
    except DomainError as error:
        return [Reply(error.message)]
    text = unlocks.describe(ctx.session, request)
    outcome = unlocks.status_text(ctx.session, request)
    replies = [Reply(f"{text}\n{'ĐÃ DUYỆT' if verb == 'uy' else 'ĐÃ TỪ CHỐI'}. {outcome}",
                     replace_original=True)]
    told = (f"Yêu cầu mở khóa số {request.id} đã được duyệt: thầy/cô nhập được cột "
            f"{request.column} đến {_until(request)}. Gửi lại bảng điểm như bình thường."
            if verb == "uy" else f"Yêu cầu mở khóa số {request.id} bị từ chối.")
    return replies + (reach(ctx, request.teacher_id, Reply(told),
                            f"unlock-told:{request.id}") or [])


def _until(request: UnlockRequest) -> str:
    return f"{request.open_until.astimezone(VN_TZ):%H:%M %d/%m/%Y}"
