"""The district office's pages: progress of every school and the statistics workbook.
Read-only: nothing here changes a record, and no school page is open to an officer."""

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from admin.web.pages_records import XLSX_TYPE
from admin.web.panel import Panel
from models.types import Role
from printing.district_exports import district_workbook
from services import district

OFFICERS = {Role.DISTRICT_OFFICER}


def register(app: FastAPI, panel: Panel) -> None:
    @app.get("/admin/district", response_class=HTMLResponse)
    def district_page(request: Request, hk: int = 1) -> Response:
        term = 2 if hk == 2 else 1
        with panel.session() as session:
            staff, roles = panel.user(request, session, OFFICERS, "xem số liệu toàn phòng")
            office = district.office_of(session, staff.id)
            rows = district.district_progress(session, staff.id, term)
        return panel.page(request, "district.html", staff, roles, office=office, rows=rows,
                          term=term)

    @app.get("/admin/district/thong-ke.xlsx")
    def district_statistics(request: Request) -> Response:
        with panel.session() as session:
            staff, _ = panel.user(request, session, OFFICERS, "tải thống kê toàn phòng")
            office = district.office_of(session, staff.id)
            content = district_workbook(office.name, district.district_results(session,
                                                                               staff.id))
        return Response(content, media_type=XLSX_TYPE, headers={
            "Content-Disposition": 'attachment; filename="thong-ke-toan-phong.xlsx"'})
