"""Dashboard, locks, corrections and the audit trail."""

from datetime import date, datetime
from urllib.parse import urlencode

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import select

from admin.web.charts import bar_chart
from admin.web.panel import VIEWERS, Panel
from admin.web.security import check_csrf, current_staff
from core.clock import VN_TZ, today
from models import (
    CorrectionRequest,
    LockWindow,
    SchoolClass,
    Staff,
    StaffRole,
    Subject,
    Term,
)
from models.types import Role
from printing.audit_export import audit_workbook
from printing.minutes import minutes_pdf
from services import audit_verification, audit_view, corrections, locks, scoping
from services.correction_records import applied_facts, correction_facts
from services.deadlines import owed_by_teacher
from services.errors import DomainError, NotFound
from services.progress import progress, totals, totals_by_teacher
from services.school import current_year, term_for_date

LOCK_EXECUTORS = {Role.ADMIN, Role.PRINCIPAL}


def register(app: FastAPI, panel: Panel) -> None:
    _dashboard(app, panel)
    _locks(app, panel)
    _corrections(app, panel)
    _audit(app, panel)


def _dashboard(app: FastAPI, panel: Panel) -> None:
    @app.get("/admin/", response_class=HTMLResponse)
    def dashboard(request: Request) -> Response:
        with panel.session() as session:
            if Role.DISTRICT_OFFICER in current_staff(request, session)[1]:
                return RedirectResponse("/admin/district", status_code=303)
            staff, roles = panel.user(request, session, VIEWERS, "xem trang quản trị")
            year = current_year(session, staff.school_id)
            try:
                term = term_for_date(session, year.id, today(panel.clock))
            except NotFound:
                term = None
            rows = progress(session, term.id) if term else []
            owed = owed_by_teacher(session, term, today(panel.clock)) if term else {}
            by_teacher = totals_by_teacher(rows)
            names = {r.teacher_id: r.teacher_name for r in rows}
            by_class: dict[str, list] = {}
            for row in rows:
                by_class.setdefault(row.class_name, []).append(row)
            class_chart = bar_chart([(name, totals(items).percent)
                                     for name, items in sorted(by_class.items())])
            teachers = sorted(((names[t], v, len(owed.get(t, [])))
                               for t, v in by_teacher.items()), key=lambda x: x[1].percent)
            return panel.page(request, "dashboard.html", staff, roles, year=year, term=term,
                              total=totals(rows), chart=class_chart, teachers=teachers,
                              rows=rows)


def _locks(app: FastAPI, panel: Panel) -> None:
    @app.get("/admin/locks", response_class=HTMLResponse)
    def lock_list(request: Request, message: str = "") -> Response:
        with panel.session() as session:
            staff, roles = panel.user(request, session, VIEWERS, "xem khóa sổ")
            year = current_year(session, staff.school_id)
            rows = session.exec(select(LockWindow).where(LockWindow.year_id == year.id)
                                .order_by(LockWindow.starts_at.desc())).all()
            described = [(lock, locks.explain(session, lock)) for lock in rows]
            deciders = session.exec(select(Staff).join(StaffRole).where(
                Staff.school_id == staff.school_id,
                StaffRole.role.in_([Role.PRINCIPAL, Role.VICE_PRINCIPAL]))).all()
            return panel.page(
                request, "locks.html", staff, roles, locks=described, deciders=deciders,
                terms=session.exec(select(Term).where(Term.year_id == year.id)).all(),
                classes=session.exec(select(SchoolClass).where(SchoolClass.year_id == year.id)
                                     .order_by(SchoolClass.name)).all(),
                subjects=session.exec(select(Subject).order_by(Subject.order)).all(),
                can_execute=bool(roles & LOCK_EXECUTORS), message=message)

    @app.post("/admin/locks")
    def lock_create(request: Request, csrf: str = Form(""), decided_by: int = Form(...),
                    term_id: str = Form(""), class_id: str = Form(""),
                    subject_id: str = Form(""), month: str = Form(""),
                    starts_at: str = Form(""), reason: str = Form("")) -> Response:
        check_csrf(request, csrf)
        with panel.session() as session:
            staff, _ = panel.user(request, session, LOCK_EXECUTORS, "thực hiện khóa sổ")
            year = current_year(session, staff.school_id)
            try:
                scope = locks.LockScope(year.id, _int(term_id), _month(month), _int(class_id),
                                        _int(subject_id))
                locks.create_lock(session, panel.clock, executor_id=staff.id,
                                  decided_by_id=decided_by, scope=scope, reason=reason,
                                  starts_at=_moment(starts_at), via="admin")
                message = "Đã khóa sổ."
            except DomainError as error:
                message = error.message
        return RedirectResponse(f"/admin/locks?message={message}", status_code=303)

    @app.post("/admin/locks/{lock_id}/lift")
    def lock_lift(request: Request, lock_id: int, csrf: str = Form(""),
                  decided_by: int = Form(...)) -> Response:
        check_csrf(request, csrf)
        with panel.session() as session:
            staff, _ = panel.user(request, session, LOCK_EXECUTORS, "mở sổ")
            lock = session.get(LockWindow, lock_id)
            if scoping.school_of_lock(session, lock) != staff.school_id:
                raise HTTPException(404, "Không có lần khóa này.")
            try:
                locks.lift_lock(session, panel.clock, executor_id=staff.id,
                                decided_by_id=decided_by, lock_id=lock_id, via="admin")
                message = "Đã mở sổ."
            except DomainError as error:
                message = error.message
        return RedirectResponse(f"/admin/locks?message={message}", status_code=303)


def _int(value: str) -> int | None:
    return int(value) if value.strip() else None


def _month(value: str):
    if not value.strip():
        return None
    year, month = (int(p) for p in value.split("-")[:2])
    return datetime(year, month, 1).date()


def _moment(value: str):
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=VN_TZ)
    except ValueError:
        raise DomainError("Thời điểm khóa không hợp lệ; chọn ngày giờ trong ô lịch.") from None


def _corrections(app: FastAPI, panel: Panel) -> None:
    @app.get("/admin/corrections", response_class=HTMLResponse)
    def correction_list(request: Request, message: str = "") -> Response:
        with panel.session() as session:
            staff, roles = panel.user(request, session, VIEWERS, "xem yêu cầu sửa")
            rows = [r for r in session.exec(select(CorrectionRequest)
                                            .order_by(CorrectionRequest.id.desc())).all()
                    if scoping.school_of_correction(session, r) == staff.school_id]
            facts = [(r, correction_facts(session, r.id)) for r in rows]
            return panel.page(request, "corrections.html", staff, roles, facts=facts,
                              message=message)

    @app.post("/admin/corrections/{token}/witness")
    def witness(request: Request, token: str, csrf: str = Form("")) -> Response:
        check_csrf(request, csrf)
        with panel.session() as session:
            staff, _ = panel.user(request, session, {Role.ADMIN}, "xác nhận sửa dữ liệu")
            try:
                corrections.confirm_as_witness(session, panel.clock, staff.id, token, "admin")
                message = "Đã xác nhận; điểm đã được sửa."
            except DomainError as error:
                message = error.message
        return RedirectResponse(f"/admin/corrections?message={message}", status_code=303)

    @app.get("/admin/corrections/{request_id}/minutes.pdf")
    def minutes(request: Request, request_id: int) -> Response:
        with panel.session() as session:
            staff, _ = panel.user(request, session, VIEWERS, "in biên bản")
            found = session.get(CorrectionRequest, request_id)
            if scoping.school_of_correction(session, found) != staff.school_id:
                return Response("Không có biên bản này.", status_code=404)
            try:
                pdf = minutes_pdf(applied_facts(session, request_id))
            except DomainError as error:
                return Response(error.message, status_code=404)
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="bien-ban-{request_id}.pdf"'})


def _audit(app: FastAPI, panel: Panel) -> None:
    @app.get("/admin/audit", response_class=HTMLResponse)
    def audit_trail(request: Request, text: str = "", actor: str = "", since: str = "",
                    until: str = "", trang: int = 1) -> Response:
        with panel.session() as session:
            staff, roles = panel.user(request, session, VIEWERS, "xem nhật ký")
            where = _audit_filter(text, actor, since, until, staff.school_id)
            total = audit_view.count(session, where)
            pages = max(1, -(-total // audit_view.PAGE_SIZE))
            number = min(max(trang, 1), pages)
            return panel.page(request, "audit.html", staff, roles,
                              rows=audit_view.page(session, where, number), total=total,
                              number=number, pages=pages, query=_query_string(
                                  text, actor, since, until),
                              last=audit_verification.latest(session),
                              last_text=audit_verification.latest_text(session),
                              filters={"text": text, "actor": actor, "since": since,
                                       "until": until})

    @app.get("/admin/audit/nhat-ky.xlsx")
    def audit_export(request: Request, text: str = "", actor: str = "", since: str = "",
                     until: str = "") -> Response:
        with panel.session() as session:
            staff, _ = panel.user(request, session, VIEWERS, "tải nhật ký")
            content = audit_workbook(audit_view.all_rows(
                session, _audit_filter(text, actor, since, until, staff.school_id)))
        return Response(content, media_type=XLSX_TYPE, headers={
            "Content-Disposition": 'attachment; filename="nhat-ky.xlsx"'})

    @app.post("/admin/audit/verify")
    def audit_verify(request: Request, csrf: str = Form("")) -> Response:
        """The full verification on demand; the page then shows it as the latest run."""
        check_csrf(request, csrf)
        with panel.session() as session:
            staff, _ = panel.user(request, session, VIEWERS, "kiểm tra nhật ký")
            audit_verification.run(session, panel.clock, f"panel:{staff.id}")
        return RedirectResponse("/admin/audit#verify-result", status_code=303)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _audit_filter(text: str, actor: str, since: str, until: str,
                  school_id: int | None = None) -> audit_view.AuditFilter:
    """The user's filters, always within their school's entries."""
    return audit_view.AuditFilter(text.strip(), actor.strip(), _date_or_none(since),
                                  _date_or_none(until), school_id)


def _date_or_none(value: str):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _query_string(text: str, actor: str, since: str, until: str) -> str:
    return urlencode({k: v for k, v in {"text": text, "actor": actor, "since": since,
                                        "until": until}.items() if v})
