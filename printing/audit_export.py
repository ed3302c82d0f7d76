"""The audit trail as an Excel file, as the office reads it (write-only: a year of
entries does not sit in memory)."""

from collections.abc import Iterable
from io import BytesIO

from openpyxl import Workbook

from printing.spreadsheet import append_row
from services.audit_view import AuditRow

HEADERS = ["Số", "Lúc", "Người làm", "Việc", "Về", "Thay đổi", "Qua"]


def audit_workbook(rows: Iterable[AuditRow]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Nhật ký"
    append_row(sheet, HEADERS)
    for row in rows:
        append_row(sheet, [row.seq, f"{row.at:%d/%m/%Y %H:%M}", row.who, row.action,
                           row.subject, row.change, row.via])
    for column, width in zip("ABCDEFG", (8, 17, 28, 30, 40, 40, 24), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
