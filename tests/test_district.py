"""The district office: its officer sees the progress and results of the district's
schools (and of no other district), can change nothing, and opens no school's pages."""

from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from admin.status_app import create_app
from core.config import Settings
from models import School, Staff
from printing.district_exports import _sheet_name
from services.demo_school import build_demo_school, fill_scores
from services.district import create_office, district_progress, district_results
from services.errors import PermissionDenied
from services.school import roster
from tests.admin_helpers import give_passwords, sign_in

HOSTILE = "Trường THCS <b>Lê Lợi</b> =HYPERLINK(\"x\")"


@pytest.fixture
def district(db, school, clock):
    """Our demo school and a second one in Quận Tân Bình, a third school in another
    district, and Tân Bình's office with its officer."""
    engine, _ = db
    with Session(engine, expire_on_commit=False) as session:
        neighbour = build_demo_school(session, seed=9, classes_per_grade=1, class_size=6,
                                      school_code="THCS-LL", school_name=HOSTILE)
        fill_scores(session, neighbour)
        elsewhere = build_demo_school(session, seed=11, classes_per_grade=1, class_size=4,
                                      school_code="THCS-XA", school_name="Trường THCS Xa Xôi")
        far = session.get(School, elsewhere.school_id)
        far.district = "Huyện Cần Giờ"
        session.add(far)
        session.commit()
        _, officer, _ = create_office(
            session, clock, code="PGD-TB", name="Phòng GD&ĐT Quận Tân Bình",
            district="Quận Tân Bình", province="Thành phố Hồ Chí Minh", officer_code="CVP01",
            officer_name="Trần Thị Minh Châu")
    return engine, neighbour, elsewhere, officer


def test_the_officer_sees_the_districts_schools_and_no_other(session, school, district):
    _, neighbour, _, officer = district
    rows = district_progress(session, officer.id, 1)
    assert {r.school.id for r in rows} == {school.school_id, neighbour.school_id}
    theirs = next(r for r in rows if r.school.id == neighbour.school_id)
    assert 0 < theirs.totals.filled < theirs.totals.required  # fill_scores entered 80 %
    results = district_results(session, officer.id)
    sizes = {r.school.id: r.total().students for r in results}
    assert sizes == {school.school_id: _students(session, school),
                     neighbour.school_id: _students(session, neighbour)}


def _students(session, demo) -> int:
    """Current students of a demo school (the demo moves a few between classes)."""
    return sum(len(roster(session, class_id)) for class_id in demo.class_ids)


def test_nobody_but_an_officer_of_an_office_sees_the_district(session, school, district):
    with pytest.raises(PermissionDenied):
        district_progress(session, school.admin_id, 1)
    with pytest.raises(PermissionDenied):
        district_results(session, school.principal_id)


@pytest.fixture
def officer_client(district, school, clock, tmp_path):
    engine, _, _, officer = district
    give_passwords(engine, clock, officer.id, school.admin_id)
    settings = Settings(secret_key="khoa-bi-mat-cho-kiem-thu", data_dir=tmp_path)
    with TestClient(create_app(engine, settings, clock=clock)) as client:
        yield client


def test_the_officer_lands_on_the_district_page_and_can_open_nothing_else(officer_client):
    client = officer_client
    assert sign_in(client, "CVP01").status_code == 303
    landing = client.get("/admin/", follow_redirects=False)
    assert landing.status_code == 303 and landing.headers["location"] == "/admin/district"
    page = client.get("/admin/district")
    assert page.status_code == 200 and "Trường THCS Ngô Sĩ Liên" in page.text
    assert "&lt;b&gt;Lê Lợi&lt;/b&gt;" in page.text and "<b>Lê Lợi" not in page.text
    assert "Xa Xôi" not in page.text
    for path in ("/admin/corrections", "/admin/locks", "/admin/audit", "/admin/printing",
                 "/admin/printing/class/1.pdf", "/admin/invites"):
        assert client.get(path).status_code == 403, path


def test_the_statistics_workbook_has_a_summary_and_a_sheet_per_school(officer_client,
                                                                     district, school):
    client, (engine, neighbour, _, _) = officer_client, district
    with Session(engine) as session:
        ours_size, theirs_size = _students(session, school), _students(session, neighbour)
    sign_in(client, "CVP01")
    response = client.get("/admin/district/thong-ke.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Tổng hợp", "THCS-LL", "THCS-NSL"]
    summary = [row for row in workbook["Tổng hợp"].iter_rows(values_only=True)]
    assert summary[2][0] == HOSTILE and workbook["Tổng hợp"]["A3"].data_type == "s"
    assert summary[-1][0] == "Toàn phòng" and summary[-1][3] == ours_size + theirs_size
    ours = [row for row in workbook["THCS-NSL"].iter_rows(values_only=True)]
    assert ours[-1][1] == "Toàn trường" and ours[-1][2] == ours_size
    assert sum(ours[-1][3:8]) == ours_size  # each student in one KQHT column, finished or not


def test_a_school_admin_cannot_open_the_district_page(officer_client, district, school):
    client, engine = officer_client, district[0]
    with Session(engine) as session:
        admin_code = session.get(Staff, school.admin_id).code
    assert sign_in(client, admin_code).status_code == 303
    assert client.get("/admin/district").status_code == 403
    assert client.get("/admin/district/thong-ke.xlsx").status_code == 403


def test_sheet_names_are_what_excel_accepts():
    used: set[str] = set()
    assert _sheet_name("THCS/LL:1*?", used) == "THCS-LL-1--"
    assert _sheet_name("THCS/LL:1*?", used) == "THCS-LL-1-- (2)"
    assert len(_sheet_name("X" * 40, used)) == 31
