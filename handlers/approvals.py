"""Telling the requester their request went off, and sending it to the approver's chat
(or saying the approver cannot be reached yet): the same for corrections and unlocks."""

from collections.abc import Callable

from handlers.context import Context
from handlers.events import Reply
from models import Staff
from services.linking import chat_of


def sent_to_approver(ctx: Context, what: str, request_id: int, approver_id: int,
                     message_for: Callable[[str], Reply], replace: bool = False) -> list[Reply]:
    approver = ctx.session.get(Staff, approver_id)
    replies = [Reply(f"Đã gửi {what} số {request_id} tới {approver.full_name}. Thầy/cô sẽ "
                     "nhận tin khi có kết quả.", replace_original=replace)]
    target = chat_of(ctx.session, approver_id, ctx.channel)
    if target is None:
        replies.append(Reply(f"{approver.full_name} chưa liên kết bot nên chưa nhận được tin; "
                             "yêu cầu vẫn được lưu. Thầy/cô báo trực tiếp giúp."))
    else:
        replies.append(message_for(target))
    return replies
