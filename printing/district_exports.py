"""The district office's statistics workbook (M14): a summary sheet with one row per
school and the district's total, then one sheet per school with its classes."""

import re

from openpyxl import Workbook
from openpyxl.styles import Font

from printing.spreadsheet import append_row, workbook_bytes
from services.district import LEVEL_LABELS, LEVELS, ClassCounts, SchoolResults

HEADER = ["Sĩ số", *[f"KQHT {x}" for x in LEVEL_LABELS], *[f"KQRL {x}" for x in LEVEL_LABELS]]
SHEET_NAME_MAX = 31  # Excel's limit


def district_workbook(office_name: str, results: list[SchoolResults]) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Tổng hợp"
    append_row(summary, [f"{office_name}: thống kê kết quả cả năm theo trường"])
    summary["A1"].font = Font(bold=True, size=12)
    append_row(summary, ["Trường", "Mã trường", "Năm học", *HEADER])
    district = ClassCounts(0, "Toàn phòng")
    for school in results:
        whole = school.total()
        append_row(summary, [school.school.name, school.school.code, school.year,
                             *_counts(whole)])
        district.add(whole)
    append_row(summary, ["Toàn phòng", "", "", *_counts(district)])
    _bold(summary, 2, summary.max_row)
    used: set[str] = {summary.title}
    for school in results:
        _school_sheet(workbook, school, used)
    return workbook_bytes(workbook)


def _school_sheet(workbook: Workbook, school: SchoolResults, used: set[str]) -> None:
    sheet = workbook.create_sheet(_sheet_name(school.school.code, used))
    append_row(sheet, [f"{school.school.name}: năm học {school.year}"])
    sheet["A1"].font = Font(bold=True, size=12)
    append_row(sheet, ["Khối", "Lớp", *HEADER])
    grades: dict[int, ClassCounts] = {}
    for counts in school.classes:
        append_row(sheet, [counts.grade, counts.class_name, *_counts(counts)])
        grades.setdefault(counts.grade, ClassCounts(counts.grade, "")).add(counts)
    for number, grade in sorted(grades.items()):
        append_row(sheet, [number, f"Cả khối {number}", *_counts(grade)])
    append_row(sheet, ["", "Toàn trường", *_counts(school.total())])
    _bold(sheet, 2, sheet.max_row)


def _counts(counts: ClassCounts) -> list[int]:
    return [counts.students, *[counts.learning[x] for x in LEVELS],
            *[counts.conduct[x] for x in LEVELS]]


def _bold(sheet, *rows: int) -> None:
    for row in rows:
        for cell in sheet[row]:
            cell.font = Font(bold=True)


def _sheet_name(code: str, used: set[str]) -> str:
    """A school code as a sheet title: Excel refuses []:*?/\\ and more than 31 characters,
    and two schools must not share one."""
    base = re.sub(r"[\[\]:*?/\\']", "-", code).strip() or "Truong"
    name, number = base[:SHEET_NAME_MAX], 2
    while name in used:
        suffix = f" ({number})"
        name, number = base[:SHEET_NAME_MAX - len(suffix)] + suffix, number + 1
    used.add(name)
    return name
