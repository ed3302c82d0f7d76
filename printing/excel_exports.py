"""Excel backups: Bảng điểm tổng hợp per class (one sheet each) and the district statistics."""

from collections import Counter

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from grading.base import YEAR
from printing.spreadsheet import append_row, workbook_bytes
from services.book_data import ClassBook

PERIODS = [(1, "HKI"), (2, "HKII"), (YEAR, "CN")]


def summary_workbook(books: list[ClassBook]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for book in books:
        sheet = workbook.create_sheet(book.class_name)
        names = [page.name for page in book.subjects]
        append_row(sheet, [f"Bảng điểm tổng hợp lớp {book.class_name} — {book.school} — năm học "
                      f"{book.year}"])
        sheet["A1"].font = Font(bold=True, size=12)
        header = ["STT", "Họ và tên"]
        for name in names:
            header += [f"{name} {label}" for _, label in PERIODS]
        header += ["KQHT HKI", "KQHT HKII", "KQHT CN", "KQRL HKI", "KQRL HKII", "KQRL CN",
                   "Nghỉ (buổi)", "Lên lớp", "Danh hiệu"]
        append_row(sheet, header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in book.summary:
            values = [row.roll, row.name]
            for name in names:
                values += [_number(row.subjects[name][p]) for p, _ in PERIODS]
            values += [row.learning[p] for p, _ in PERIODS]
            values += [row.conduct[p] for p, _ in PERIODS]
            values += [row.absences, row.promotion, row.title]
            append_row(sheet, values)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0"
        sheet.column_dimensions["B"].width = 26
        sheet.freeze_panes = "C3"
    return workbook_bytes(workbook)


def _number(shown: str) -> float | str:
    """"8,5" as the number 8.5 (shown 8,5 by a Vietnamese Excel), so that the backup can be
    summed and sorted; a level ("Đ", "Tốt") or an empty cell stays text."""
    try:
        return float(shown.replace(",", "."))
    except ValueError:
        return shown


def statistics_workbook(books: list[ClassBook]) -> bytes:
    """Counts per KQHT and KQRL level (year) per class and per grade, for the district."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Thống kê"
    levels = ["Tốt", "Khá", "Đạt", "Chưa đạt", ""]
    labels = ["Tốt", "Khá", "Đạt", "Chưa đạt", "Chưa đủ dữ liệu"]
    append_row(sheet, ["Thống kê kết quả cả năm theo lớp và khối"])
    sheet["A1"].font = Font(bold=True, size=12)
    append_row(sheet, ["Khối", "Lớp", "Sĩ số", *[f"KQHT {x}" for x in labels],
                  *[f"KQRL {x}" for x in labels]])
    by_grade: dict[str, list[Counter]] = {}
    for book in books:
        learning = Counter(r.learning[YEAR] for r in book.summary)
        conduct = Counter(r.conduct[YEAR] for r in book.summary)
        grade = str(book.grade)
        append_row(sheet, [grade, book.class_name, len(book.summary),
                      *[learning[x] for x in levels], *[conduct[x] for x in levels]])
        totals = by_grade.setdefault(grade, [Counter(), Counter(), Counter()])
        totals[0].update(learning)
        totals[1].update(conduct)
        totals[2]["size"] += len(book.summary)
    for grade, (learning, conduct, size) in sorted(by_grade.items(),
                                                   key=lambda item: int(item[0])):
        append_row(sheet, [grade, f"Cả khối {grade}", size["size"],
                      *[learning[x] for x in levels], *[conduct[x] for x in levels]])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    return workbook_bytes(workbook)
