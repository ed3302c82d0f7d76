"""Telling the requester their request went off, and sending it to the approver's chat
(or saying the approver cannot be reached yet): the same for corrections and unlocks.

People may be on different transports (the teacher on Telegram, the principal on Zalo):
a message for someone not on this conversation's channel goes through the outbox to the
chat account they are reached on by default."""

from collections.abc import Callable
from dataclasses import replace

from handlers.context import Context
from handlers.events import Reply
from models import Staff
from services import outbox
from services.linking import chat_of, preferred_chat


def sent_to_approver(ctx: Context, what: str, request_id: int, approver_id: int,
                     message_for: Callable[[str | None], Reply],
                     replace: bool = False) -> list[Reply]:
    approver = ctx.session.get(Staff, approver_id)
    replies = [Reply(f"Đã gửi {what} số {request_id} tới {approver.full_name}. Thầy/cô sẽ "
                     "nhận tin khi có kết quả.", replace_original=replace)]
    reached = reach(ctx, approver_id, message_for(None), f"ask:{what}:{request_id}")
    if reached is None:
        replies.append(Reply(f"{approver.full_name} chưa liên kết bot nên chưa nhận được tin; "
                             "yêu cầu vẫn được lưu. Thầy/cô báo trực tiếp giúp."))
    return replies + (reached or [])


def reach(ctx: Context, staff_id: int, reply: Reply, purpose: str) -> list[Reply] | None:
    """`reply` for `staff_id`: to their chat on this channel, or queued in the outbox for
    the chat account they are reached on ([] then); None when they linked none."""
    chat = chat_of(ctx.session, staff_id, ctx.channel)
    if chat is not None:
        return [replace(reply, chat_id=chat)]
    buttons = [[(b.label, b.data) for b in row] for row in reply.button_rows()]
    queued = outbox.enqueue(ctx.session, ctx.clock, f"chat:{ctx.channel}:{ctx.update_key}:"
                            f"{staff_id}:{purpose}", staff_id, reply.text, buttons or None)
    return [] if queued or preferred_chat(ctx.session, staff_id) else None
