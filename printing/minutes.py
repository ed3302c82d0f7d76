"""Biên bản sửa chữa dữ liệu: one page per applied correction, three signatures."""

from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from printing.fonts import register_fonts
from services.correction_records import CorrectionFacts


def _time(moment) -> str:
    return f"{moment:%H:%M ngày %d/%m/%Y}" if moment else "—"


def _dated(facts: CorrectionFacts) -> str:
    moment = facts.applied_at or facts.requested_at
    return f"{facts.district}, ngày {moment:%d} tháng {moment:%m} năm {moment:%Y}"


def minutes_pdf(facts: CorrectionFacts) -> bytes:
    fonts = register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(f"Biên bản sửa dữ liệu số {facts.number}")
    width, height = A4
    y = height - 20 * mm
    canvas.setFont(fonts["bold"], 10)
    canvas.drawString(20 * mm, y, facts.school.upper())
    canvas.drawRightString(width - 20 * mm, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    canvas.setFont(fonts["regular"], 10)
    canvas.drawRightString(width - 20 * mm, y - 5 * mm, "Độc lập - Tự do - Hạnh phúc")
    canvas.drawString(20 * mm, y - 5 * mm, f"{facts.district}, {facts.province}")
    canvas.setFont(fonts["bold"], 15)
    canvas.drawCentredString(width / 2, y - 22 * mm, "BIÊN BẢN SỬA CHỮA DỮ LIỆU SỔ ĐIỂM ĐIỆN TỬ")
    canvas.setFont(fonts["regular"], 11)
    canvas.drawString(20 * mm, y - 11 * mm, f"Số: {facts.number}/BB")
    canvas.setFont(fonts["italic"], 10)
    canvas.drawRightString(width - 20 * mm, y - 11 * mm, _dated(facts))
    canvas.setFont(fonts["regular"], 11)
    canvas.drawCentredString(width / 2, y - 29 * mm, f"Năm học {facts.year}")
    rows = [("Lớp", facts.class_name), ("Môn / nội dung", facts.subject),
            ("Học sinh", facts.student), ("Ô được sửa", facts.what),
            ("Giá trị cũ", facts.old_value), ("Giá trị mới", facts.new_value),
            ("Lý do", facts.reason), ("Người đề nghị", facts.requester),
            ("Thời điểm đề nghị", _time(facts.requested_at)),
            ("Người duyệt", facts.approver), ("Thời điểm duyệt", _time(facts.decided_at)),
            ("Người chứng kiến", facts.witness or "—"),
            ("Thời điểm sửa", _time(facts.applied_at)),
            ("Mã nhật ký (SHA-256)", facts.audit_hash or "—")]
    line = y - 42 * mm
    for label, value in rows:
        canvas.setFont(fonts["bold"], 10)
        canvas.drawString(22 * mm, line, f"{label}:")
        canvas.setFont(fonts["regular"], 8 if label.startswith("Mã nhật ký") else 10)
        line = _wrapped(canvas, value, 70 * mm, line, width - 92 * mm, 5 * mm)
        line -= 2.5 * mm
    canvas.setFont(fonts["italic"], 9)
    line = _wrapped(canvas, "Việc sửa được thực hiện trên tài khoản của người đề nghị, sau khi "
                    "được duyệt; mọi bước được lưu trong nhật ký hệ thống.", 22 * mm,
                    line - 2 * mm, width - 44 * mm, 4.5 * mm)
    _signatures(canvas, fonts, facts, width, line - 14 * mm)
    canvas.setFont(fonts["regular"], 8)
    canvas.drawCentredString(width / 2, 10 * mm, "Trang 1/1")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _wrapped(canvas, text: str, x: float, y: float, max_width: float, leading: float) -> float:
    words, current = text.split(), ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if canvas.stringWidth(candidate) > max_width and current:
            canvas.drawString(x, y, current)
            y -= leading
            current = word
        else:
            current = candidate
    canvas.drawString(x, y, current)
    return y - leading


def _signatures(canvas, fonts, facts: CorrectionFacts, width: float, y: float) -> None:
    blocks = [("NGƯỜI ĐỀ NGHỊ", facts.requester), ("NGƯỜI CHỨNG KIẾN", facts.witness),
              (facts.approver_title, facts.approver)]
    column = (width - 40 * mm) / 3
    for index, (title, name) in enumerate(blocks):
        x = 20 * mm + column * index + column / 2
        canvas.setFont(fonts["bold"], 10)
        canvas.drawCentredString(x, y, title)
        canvas.setFont(fonts["italic"], 8)
        canvas.drawCentredString(x, y - 4 * mm, "(Ký, ghi rõ họ tên)")
        canvas.setFont(fonts["regular"], 10)
        canvas.drawCentredString(x, y - 28 * mm, name)
