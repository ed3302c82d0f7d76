"""Tổng hợp sửa chữa dữ liệu of a school year (004 Điều 10): PDF and Excel."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from printing.fonts import register_fonts
from printing.layout import esc
from printing.spreadsheet import append_row
from services.correction_records import CorrectionFacts

HEADERS = ["Số", "Lớp", "Môn / nội dung", "Học sinh", "Ô", "Cũ", "Mới", "Lý do",
           "Người đề nghị", "Người duyệt", "Người chứng kiến", "Ngày đề nghị", "Trạng thái"]


def _row(f: CorrectionFacts) -> list[str]:
    return [str(f.number), f.class_name, f.subject, f.student, f.what, f.old_value, f.new_value,
            f.reason, f.requester, f.approver, f.witness, f"{f.requested_at:%d/%m/%Y}", f.status]


def summary_pdf(facts: list[CorrectionFacts], school: str, year: str) -> bytes:
    fonts = register_fonts()
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm,
                            rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=14 * mm,
                            title=f"Tổng hợp sửa chữa dữ liệu {year}")
    cell = ParagraphStyle("cell", fontName=fonts["regular"], fontSize=7.5, leading=9)
    title = ParagraphStyle("title", fontName=fonts["bold"], fontSize=13, alignment=1)
    data = [[Paragraph(f"<b>{h}</b>", cell) for h in HEADERS]]
    data += [[Paragraph(esc(value), cell) for value in _row(f)] for f in facts]
    widths = [10, 14, 24, 32, 24, 12, 12, 44, 30, 30, 30, 20, 20]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [Paragraph(f"TỔNG HỢP SỬA CHỮA DỮ LIỆU SỔ ĐIỂM — {esc(school)} — năm học "
                       f"{esc(year)}", title),
             Spacer(1, 5 * mm), table]
    if not facts:
        story.append(Paragraph("Không có yêu cầu sửa nào trong năm học.", cell))

    def page_number(canvas, document) -> None:
        canvas.setFont(fonts["regular"], 8)
        canvas.drawRightString(landscape(A4)[0] - 12 * mm, 8 * mm, f"Trang {document.page}")

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
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
