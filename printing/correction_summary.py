"""Tổng hợp sửa chữa dữ liệu of a school year (004 Điều 10): PDF and Excel."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from printing.layout import (
    MARGINS,
    PAGE,
    Styles,
    date_line,
    esc,
    numbered_canvas,
    signature_row,
)
from printing.spreadsheet import append_row
from services.correction_records import CorrectionFacts

HEADERS = ["Số", "Lớp", "Môn / nội dung", "Học sinh", "Ô", "Cũ", "Mới", "Lý do",
           "Người đề nghị", "Người duyệt", "Người chứng kiến", "Ngày đề nghị", "Trạng thái"]


def _row(f: CorrectionFacts) -> list[str]:
    return [str(f.number), f.class_name, f.subject, f.student, f.what, f.old_value, f.new_value,
            f.reason, f.requester, f.approver, f.witness, f"{f.requested_at:%d/%m/%Y}", f.status]


def summary_pdf(facts: list[CorrectionFacts], school: str, year: str) -> bytes:
    """The year's corrections on landscape A4 inside the book's margins (binding edge and
    stamp zone kept free), signed by whoever drew it up and by the principal."""
    styles = Styles()
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=PAGE, title=f"Tổng hợp sửa chữa dữ liệu {year}",
                            **MARGINS)
    cell = ParagraphStyle("cell", fontName=styles.fonts["regular"], fontSize=7, leading=8.4)
    data = [[Paragraph(f"<b>{h}</b>", cell) for h in HEADERS]]
    data += [[Paragraph(esc(value), cell) for value in _row(f)] for f in facts]
    widths = [9, 11, 20, 26, 18, 10, 10, 36, 22, 22, 22, 17, 18]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [Paragraph(f"TỔNG HỢP SỬA CHỮA DỮ LIỆU SỔ ĐIỂM — {esc(school)} — năm học "
                       f"{esc(year)}", styles.title), Spacer(1, 3 * mm), table]
    if not facts:
        story.append(Paragraph("Không có yêu cầu sửa nào trong năm học.", cell))
    story += [Spacer(1, 4 * mm), KeepTogether([signature_row(
        styles, [("NGƯỜI LẬP BIỂU", ""), ("HIỆU TRƯỞNG", "", "(Ký tên, đóng dấu)")],
        date_line(""))])]
    doc.build(story, canvasmaker=numbered_canvas(False, f"{school} — tổng hợp sửa chữa dữ "
                                                        f"liệu năm học {year}"))
    return buffer.getvalue()


def summary_xlsx(facts: list[CorrectionFacts], school: str, year: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sửa chữa dữ liệu"
    append_row(sheet, [f"Tổng hợp sửa chữa dữ liệu — {school} — năm học {year}"])
    sheet["A1"].font = Font(bold=True, size=13)
    append_row(sheet, HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for f in facts:
        append_row(sheet, _row(f))
    for column, width in zip("ABCDEFGHIJKLM", [6, 8, 20, 24, 16, 8, 8, 40, 22, 22, 22, 12, 14],
                             strict=True):
        sheet.column_dimensions[column].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
