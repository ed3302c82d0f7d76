"""Signing in to the admin panel from tests."""

import re
import time
from io import BytesIO

from openpyxl import Workbook
from sqlmodel import Session

from core.clock import FixedClock
from services.accounts import set_password
from services.importing import COLUMNS

PASSWORD = "mat-khau-dai-123"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def give_passwords(engine, clock: FixedClock, *staff_ids: int) -> None:
    with Session(engine, expire_on_commit=False) as session:
        for staff_id in staff_ids:
            set_password(session, clock, staff_id, PASSWORD)


def csrf_of(client, path: str = "/admin/login") -> str:
    return CSRF.search(client.get(path).text).group(1)


def sign_in(client, code: str, password: str = PASSWORD):
    token = csrf_of(client)
    return client.post("/admin/login", data={"code": code, "password": password,
                                             "csrf": token, "next": "/admin/"},
                       follow_redirects=False)


def sheet_file(columns: list[str], rows: list[list]) -> bytes:
    """An .xlsx with a header row and data rows, as an office would fill a template."""
    workbook = Workbook()
    workbook.active.append(columns)
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def student_file(rows: list[list]) -> bytes:
    return sheet_file(COLUMNS, rows)


def good_rows(count: int = 3, class_name: str = "6A1") -> list[list]:
    return [[f"HSMOI{i:03d}", f"Nguyễn Thị Hương {i}", "05/09/2014", "Nữ", "Kinh",
             "Hà Nội", "12 Cộng Hòa", "Nguyễn Văn Hải", "Trần Thị Lan", "0901234567",
             class_name] for i in range(count)]


def downloaded_archive(client, job_url: str, seconds: float = 120):
    """Follow an archive build's page until it offers the file, then download it."""
    deadline = time.monotonic() + seconds
    while "Tải tệp lưu trữ" not in client.get(job_url).text:
        assert time.monotonic() < deadline, client.get(job_url).text
        time.sleep(0.5)
    return client.get(f"{job_url}/download")
