"""Documents in chat as links: /bienban N (the minutes of a correction) and /so LỚP (the
class book, for its GVCN and the leadership)."""

from core.config import get_settings
from handlers.context import Context
from handlers.events import Reply
from handlers.views import LEADERS
from models import CorrectionRequest
from models.types import Role
from services import document_links
from services.directory import closest_classes, find_class
from services.permissions import is_homeroom_of, roles_of


def _url(token: str) -> str:
    settings = get_settings()
    base = settings.public_url or f"http://{settings.admin_host}:{settings.admin_port}"
    return f"{base.rstrip('/')}/d/{token}"


def minutes_link(ctx: Context, args: str) -> list[Reply]:
    request = ctx.session.get(CorrectionRequest, int(args)) if args.strip().isdigit() else None
    if request is None:
        return [Reply("Gõ /bienban và số yêu cầu sửa, ví dụ /bienban 12.")]
    involved = ctx.staff.id in (request.requested_by_id, request.decided_by_id,
                                request.witness_id)
    if not involved and not roles_of(ctx.session, ctx.staff.id) & (LEADERS | {Role.OFFICE}):
        return [Reply("Chỉ người xin sửa, người duyệt, người làm chứng và Ban giám hiệu tải "
                      "được biên bản này.")]
    if request.applied_at is None:
        return [Reply(f"Yêu cầu số {request.id} chưa được sửa nên chưa có biên bản.")]
    link = document_links.create(ctx.session, ctx.clock, ctx.staff.id, "minutes", request.id)
    return [Reply(f"Biên bản sửa chữa dữ liệu số {request.id} (PDF, dùng một lần trong 24 "
                  f"giờ):\n{_url(link.token)}")]


def class_book_link(ctx: Context, args: str) -> list[Reply]:
    school_class = find_class(ctx.session, ctx.year.id, args) if args.strip() else None
    if school_class is None:
        near = ", ".join(closest_classes(ctx.session, ctx.year.id, args or ""))
        return [Reply(f"Gõ /so và tên lớp, ví dụ /so 6A1. Có phải: {near}?")]
    allowed = is_homeroom_of(ctx.session, ctx.staff.id, school_class) or \
        roles_of(ctx.session, ctx.staff.id) & (LEADERS | {Role.OFFICE})
    if not allowed:
        return [Reply(f"Sổ theo dõi lớp {school_class.name} chỉ GVCN và Ban giám hiệu tải.")]
    link = document_links.create(ctx.session, ctx.clock, ctx.staff.id, "class_book",
                                 school_class.id)
    return [Reply(f"Sổ theo dõi và đánh giá học sinh lớp {school_class.name} (PDF, dùng một "
                  f"lần trong 24 giờ):\n{_url(link.token)}")]
