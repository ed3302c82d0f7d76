"""Invites with QR codes, the Excel import, the web chat and printing."""

import re
import secrets
from html import escape
from pathlib import Path

import qrcode
import qrcode.image.svg
from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlmodel import select

from admin.web.documents import document_signer
from admin.web.jobs import archives_root, start_archive_job
from admin.web.offload import in_process
from admin.web.panel import Panel
from admin.web.security import check_csrf
from core.text import vietnamese_key
from handlers.capabilities import WEB, fit
from handlers.conversation import handle
from handlers.events import Incoming
from models import ChatIdentity, Invite, SchoolClass, Staff
from models.types import Role
from printing.traced import class_book_document
from services import archive_jobs, audit, scoping, web_chat
from services.errors import DomainError
from services.importing import COLUMNS, EXAMPLE, FIELDS, import_students, read_rows, template_xlsx
from services.importing_classes import (
    CLASS_COLUMNS,
    CLASS_EXAMPLE,
    CLASS_FIELDS,
    COMBINATION_COLUMNS,
    COMBINATION_EXAMPLE,
    COMBINATION_FIELDS,
    import_classes,
    import_combinations,
)
from services.importing_staff import (
    ASSIGNMENT_COLUMNS,
    ASSIGNMENT_EXAMPLE,
    ASSIGNMENT_FIELDS,
    STAFF_COLUMNS,
    STAFF_EXAMPLE,
    STAFF_FIELDS,
    import_assignments,
    import_staff,
)
from services.linking import create_invite
from services.school import current_year

ADMINS = {Role.ADMIN}
PRINTERS = {Role.ADMIN, Role.OFFICE, Role.PRINCIPAL, Role.VICE_PRINCIPAL}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def register(app: FastAPI, panel: Panel) -> None:
    _invites(app, panel)
    _import(app, panel)
    _chat(app, panel)
    _printing(app, panel)


def _invite_link(panel: Panel, code: str) -> str:
    return f"https://t.me/{panel.settings.telegram_bot_username}?start={code}"


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def _invites(app: FastAPI, panel: Panel) -> None:
    @app.get("/admin/invites", response_class=HTMLResponse)
    def invites(request: Request) -> Response:
        with panel.session() as session:
            staff, roles = panel.user(request, session, ADMINS, "quản lý lời mời")
            people = sorted(session.exec(select(Staff).where(
                Staff.school_id == staff.school_id)).all(),
                key=lambda p: vietnamese_key(p.full_name))
            linked = {i.staff_id for i in session.exec(select(ChatIdentity).where(
                ChatIdentity.unlinked_at.is_(None), ChatIdentity.channel == "telegram"))}
            latest = {}
            for invite in session.exec(select(Invite).order_by(Invite.id)):
                latest[invite.staff_id] = invite
            return panel.page(request, "invites.html", staff, roles, people=people,
                              linked=linked, latest=latest, now=panel.clock.now())

    @app.post("/admin/invites")
    def make_invites(request: Request, csrf: str = Form(""),
                     staff_ids: list[int] = Form(default=[])) -> Response:
        check_csrf(request, csrf)
        with panel.session() as session:
            staff, _ = panel.user(request, session, ADMINS, "tạo lời mời")
            made = [create_invite(session, panel.clock, staff.id, sid).id for sid in staff_ids]
        if not made:
            return RedirectResponse("/admin/invites", status_code=303)
        return RedirectResponse("/admin/invites/sheet?ids=" + ",".join(map(str, made)),
                                status_code=303)

    @app.post("/admin/invites/{invite_id}/revoke")
    def revoke(request: Request, invite_id: int, csrf: str = Form("")) -> Response:
        check_csrf(request, csrf)
        with panel.session() as session:
            staff, _ = panel.user(request, session, ADMINS, "thu hồi lời mời")
            invite = session.get(Invite, invite_id)
            if scoping.school_of_invite(session, invite) != staff.school_id:
                raise HTTPException(404, "Không có lời mời này.")
            if invite.used_at is None:
                invite.revoked_at = panel.clock.now()
                session.add(invite)
                audit.append(session, panel.clock, actor_id=staff.id, action="invite.revoke",
                             entity="invite", entity_id=invite.id)
                session.commit()
        return RedirectResponse("/admin/invites", status_code=303)

    @app.get("/admin/invites/sheet", response_class=HTMLResponse)
    def sheet(request: Request, ids: str = "") -> Response:
        with panel.session() as session:
            staff, roles = panel.user(request, session, ADMINS, "in phiếu mời")
            wanted = [int(i) for i in ids.split(",") if i.strip().isdigit()]
            invites = session.exec(select(Invite).join(Staff, Staff.id == Invite.staff_id).where(
                Invite.id.in_(wanted or [0]), Staff.school_id == staff.school_id)).all()
            cards = [(session.get(Staff, i.staff_id), i, _invite_link(panel, i.code),
                      _qr_svg(_invite_link(panel, i.code))) for i in invites]
            return panel.page(request, "invite_sheet.html", staff, roles, cards=cards,
                              zalo_bot=panel.settings.zalo_bot_name)


def _import(app: FastAPI, panel: Panel) -> None:
    @app.get("/admin/import", response_class=HTMLResponse)
    def import_form(request: Request) -> Response:
        with panel.session() as session:
            staff, roles = panel.user(request, session, ADMINS, "nhập dữ liệu")
            return panel.page(request, "import.html", staff, roles, result=None, error="")

    @app.get("/admin/import/mau-{kind}.xlsx")
    def template(request: Request, kind: str) -> Response:
        with panel.session() as session:
            panel.user(request, session, ADMINS, "tải mẫu nhập")
        if kind not in TEMPLATES:
            return Response("Không có mẫu này.", status_code=404)
        return Response(template_xlsx(*TEMPLATES[kind]), media_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="mau-{kind}.xlsx"'})

    @app.post("/admin/import", response_class=HTMLResponse)
    async def import_file(request: Request, csrf: str = Form(""), kind: str = Form("hoc-sinh"),
                          file: UploadFile = File(...)) -> Response:
        check_csrf(request, csrf)
        with panel.session() as session:
            staff, roles = panel.user(request, session, ADMINS, "nhập dữ liệu")
        content = await file.read(panel.settings.max_upload_bytes + 1)
        if kind not in TEMPLATES:
            kind = "hoc-sinh"
        try:
            _, columns, _ = TEMPLATES[kind]
            rows = await in_process(read_rows, content, columns, FIELDS_OF[kind],
                                    OPTIONAL_OF.get(kind), seconds=panel.settings.import_seconds)
            result = await run_in_threadpool(_import_rows, panel, staff.id, kind, rows)
        except DomainError as error:
            return panel.page(request, "import.html", staff, roles, result=None,
                              error=error.message, status=400)
        return panel.page(request, "import.html", staff, roles, result=result, error="",
                          status=200 if result.ok else 400)


TEMPLATES = {
    "hoc-sinh": ("Học sinh", COLUMNS, EXAMPLE),
    "can-bo": ("Cán bộ", STAFF_COLUMNS, STAFF_EXAMPLE),
    "phan-cong": ("Phân công", ASSIGNMENT_COLUMNS, ASSIGNMENT_EXAMPLE),
    "to-hop": ("Tổ hợp", COMBINATION_COLUMNS, COMBINATION_EXAMPLE),
    "lop": ("Lớp", CLASS_COLUMNS, CLASS_EXAMPLE),
}
FIELDS_OF = {"hoc-sinh": FIELDS, "can-bo": STAFF_FIELDS, "phan-cong": ASSIGNMENT_FIELDS,
             "to-hop": COMBINATION_FIELDS, "lop": CLASS_FIELDS}
OPTIONAL_OF = {"lop": 1}


def _import_rows(panel: Panel, staff_id: int, kind: str, rows):
    """The database half of an import, in a worker thread (its own session)."""
    with panel.session() as session:
        return _run_import(session, panel, session.get(Staff, staff_id), kind, rows)


def _run_import(session, panel: Panel, staff: Staff, kind: str, content):
    year = current_year(session, staff.school_id)
    if kind == "can-bo":
        return import_staff(session, panel.clock, staff.id, staff.school_id, content)
    if kind == "phan-cong":
        return import_assignments(session, panel.clock, staff.id, year, content)
    if kind == "to-hop":
        return import_combinations(session, panel.clock, staff.id, year, content)
    if kind == "lop":
        return import_classes(session, panel.clock, staff.id, year, content)
    return import_students(session, panel.clock, staff.id, year, content)


def _chat(app: FastAPI, panel: Panel) -> None:
    """A third transport: the same conversation handlers, buttons included, in a web page."""

    @app.get("/admin/chat", response_class=HTMLResponse)
    def chat_page(request: Request, as_staff: int = 0) -> Response:
        with panel.session() as session:
            staff, roles = panel.user(request, session, ADMINS, "dùng thử trò chuyện")
            people = sorted(session.exec(select(Staff).where(
                Staff.school_id == staff.school_id)).all(),
                key=lambda p: vietnamese_key(p.full_name))
            transcript = web_chat.transcript(session, staff.id, as_staff)
            return panel.page(request, "chat.html", staff, roles, people=people,
                              as_staff=as_staff, transcript=transcript,
                              enabled=panel.settings.demo_mode)

    @app.post("/admin/chat")
    def chat_send(request: Request, csrf: str = Form(""), as_staff: int = Form(...),
                  text: str = Form(""), button: str = Form("")) -> Response:
        check_csrf(request, csrf)
        with panel.session() as session:
            staff, _ = panel.user(request, session, ADMINS, "dùng thử trò chuyện")
            if not panel.settings.demo_mode:
                return Response("Trò chuyện thử chỉ bật ở chế độ trường mẫu.", status_code=403)
            user_id = _web_identity(panel, session, staff.id, as_staff)
            chat_id = _chat_session(request, panel, session, staff.id, as_staff)
            if text.strip():
                web_chat.add(session, panel.clock, staff.id, as_staff, "user", text[:4000])
                session.commit()
            event = Incoming("web", user_id, user_id, text=text, button_data=button or None,
                             update_key=f"{chat_id}-{secrets.token_hex(4)}")
            with audit.spoken_by(staff.id):  # every entry names the admin and whom they spoke as
                replies = handle(session, panel.clock, event)
            for reply in fit(replies, WEB):
                rows = [[{"label": b.label, "data": b.data} for b in row]
                        for row in reply.button_rows()]
                web_chat.add(session, panel.clock, staff.id, as_staff, "bot", reply.text, rows,
                             chat_table(reply.text) if reply.preformatted else None)
            session.commit()
        return RedirectResponse(f"/admin/chat?as_staff={as_staff}#cuoi", status_code=303)


def chat_table(text: str) -> list[list[str]]:
    """A monospace reply (a table padded with spaces) as cells for an HTML table, so it
    stays aligned in a font that has every Vietnamese letter."""
    return [re.split(r" {2,}", line.strip()) for line in text.splitlines() if line.strip()]


def _web_identity(panel: Panel, session, admin_id: int, staff_id: int) -> str:
    """The web chat speaks as the chosen staff member (demo mode only)."""
    user_id = f"web-{admin_id}-{staff_id}"
    if session.exec(select(ChatIdentity).where(ChatIdentity.channel == "web",
                                               ChatIdentity.external_user_id == user_id)).first():
        return user_id
    session.add(ChatIdentity(channel="web", external_user_id=user_id, chat_id=user_id,
                             staff_id=staff_id, linked_at=panel.clock.now()))
    session.commit()
    return user_id


def _chat_session(request: Request, panel: Panel, session, admin_id: int,
                  staff_id: int) -> str:
    """A readable id for this sign-in's conversation as `staff_id` ("wc-<hex>"): what the
    audit entries' `via` carry. Each new one is audited as the start of speaking as."""
    sessions = request.session.setdefault("web_chats", {})
    chat_id = sessions.get(str(staff_id))
    if chat_id:
        return chat_id
    chat_id = f"wc-{secrets.token_hex(6)}"
    request.session["web_chats"] = {**sessions, str(staff_id): chat_id}
    audit.append(session, panel.clock, actor_id=admin_id, action="chat.web_as",
                 entity="staff", entity_id=staff_id, new={"chat": chat_id},
                 via=f"web:{chat_id}")
    session.commit()
    return chat_id


def _printing(app: FastAPI, panel: Panel) -> None:
    @app.get("/admin/verify-print", response_class=HTMLResponse)
    def verify_print(request: Request, code: str = "") -> Response:
        """What `sodiem verify-print` says, for the page codes of this school only."""
        from services.print_records import check_page

        with panel.session() as session:
            staff, roles = panel.user(request, session, PRINTERS, "kiểm tra trang in")
            context = {"code": code[:20], "lines": [], "ok": False, "error": ""}
            if code:
                try:
                    result = check_page(session, code[:40], staff.school_id)
                    context.update(lines=result.lines(), ok=result.ok)
                except DomainError as error:
                    context["error"] = error.message
            return panel.page(request, "verify_print.html", staff, roles, **context)

    @app.get("/admin/printing", response_class=HTMLResponse)
    def printing(request: Request) -> Response:
        with panel.session() as session:
            staff, roles = panel.user(request, session, PRINTERS, "in sổ")
            year = current_year(session, staff.school_id)
            classes = session.exec(select(SchoolClass).where(SchoolClass.year_id == year.id)
                                   .order_by(SchoolClass.name)).all()
            jobs = archive_jobs.of_school(session, staff.school_id)
            return panel.page(request, "printing.html", staff, roles, classes=classes,
                              jobs=jobs)

    @app.get("/admin/printing/class/{class_id}.pdf")
    def class_pdf(request: Request, class_id: int) -> Response:
        with panel.session() as session:
            staff, _ = panel.user(request, session, PRINTERS, "in sổ")
            if scoping.school_of_class(session, class_id) != staff.school_id:
                raise HTTPException(404, "Không có lớp này.")
            book, pdf = class_book_document(session, panel.clock, class_id, "sổ theo dõi",
                                            document_signer())
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="so-{escape(book.class_name)}.pdf"'})

    @app.post("/admin/printing/archive")
    def archive(request: Request, csrf: str = Form(""), draft: str = Form("")) -> Response:
        check_csrf(request, csrf)
        with panel.session() as session:
            staff, _ = panel.user(request, session, PRINTERS, "lập lưu trữ")
            year = current_year(session, staff.school_id)
            count = len(session.exec(select(SchoolClass.id)
                                     .where(SchoolClass.year_id == year.id)).all())
        job = start_archive_job(panel.engine, panel.settings.data_dir, year.id,
                                panel.clock.now(), count, staff.school_id, draft=bool(draft))
        return RedirectResponse(f"/admin/jobs/{job.id}", status_code=303)

    @app.get("/admin/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(request: Request, job_id: str) -> Response:
        with panel.session() as session:
            staff, roles = panel.user(request, session, PRINTERS, "xem tiến trình")
            job = archive_jobs.find(session, staff.school_id, job_id)
            if job is None:
                return Response("Không có công việc này.", status_code=404)
            return panel.page(request, "job.html", staff, roles, job=job)

    @app.get("/admin/jobs/{job_id}/download")
    def job_download(request: Request, job_id: str) -> Response:
        with panel.session() as session:
            staff, _ = panel.user(request, session, PRINTERS, "tải lưu trữ")
            job = archive_jobs.find(session, staff.school_id, job_id)
        if job is None or not job.result_path:
            return Response("Lưu trữ này chưa lập xong (hoặc không có).", status_code=404)
        result = Path(job.result_path)
        if not result.is_relative_to(archives_root(panel.settings.data_dir) / job.id) \
                or not result.is_file():
            return Response("Tệp lưu trữ không có trên máy chủ này: nó được lập ở máy chủ "
                            f"{job.owner.split(':')[0]}. Cấu hình SODIEM_DATA_DIR dùng chung "
                            "cho các máy chủ, hoặc lập lại.", status_code=404)
        return FileResponse(result, filename=result.name, media_type="application/zip")
