"""Sổ theo dõi và đánh giá học sinh (theo lớp học), and the documents cut from it:
a teacher's book, a month's attendance sheet, a term's confirmation sheet.

Each renderer takes an optional `PrintTrace`: given one, every page carries its verification
code and QR code, and the trace records which score cells each page showed."""

from io import BytesIO

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

from printing import book_pages as pages
from printing.layout import MARGINS, PAGE, Styles, date_line, esc, numbered_canvas, signature_row
from printing.trace import PageCells, PrintTrace
from services.book_data import ClassBook, MonthGrid, SubjectPage


def _doc(buffer: BytesIO, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(buffer, pagesize=PAGE, title=title, author="Sổ điểm", **MARGINS)


def class_book_pdf(book: ClassBook, trace: PrintTrace | None = None) -> bytes:
    styles = Styles()
    story = [*pages.cover(book, styles), PageBreak(), *pages.usage(styles), PageBreak(),
             *pages.teachers(book, styles), PageBreak(), *pages.students(book, styles)]
    for grid in book.attendance:
        story += [PageBreak(), *pages.attendance_section(book, grid, styles)]
    for page in book.subjects:
        story += [PageBreak(), *pages.subject_section(book, page, styles, trace)]
    for term in (1, 2):
        story += [PageBreak(), *pages.term_summary(book, term, styles)]
    story += [PageBreak(), *pages.year_summary(book, styles), PageBreak(),
              *pages.principal_reviews(book, styles), PageBreak(),
              *pages.corrections_annex(book, styles)]
    return _build(story, book, f"Sổ theo dõi và đánh giá học sinh lớp {book.class_name}", trace)


def _footer(book: ClassBook) -> str:
    return (f"{book.school} — lớp {book.class_name} — năm học {book.year} — in lúc "
            f"{book.printed_at:%H:%M %d/%m/%Y}")


def _build(story: list, book: ClassBook, title: str, trace: PrintTrace | None,
           footer: str | None = None, draft: bool | None = None, note: str = "") -> bytes:
    buffer = BytesIO()
    draft = book.draft if draft is None else draft
    note = (note or "; ".join(book.draft_reasons())) if draft else ""
    _doc(buffer, title).build(story, canvasmaker=numbered_canvas(
        draft, footer or _footer(book), trace, note))
    return buffer.getvalue()


def teacher_book_pdf(teacher: str, parts: list[tuple[ClassBook, SubjectPage]],
                     trace: PrintTrace | None = None) -> bytes:
    """Sổ theo dõi và đánh giá học sinh của giáo viên: every class × subject they teach,
    with the form's "Nhận xét sự tiến bộ" column; printable from the first day of the year."""
    styles = Styles()
    first = parts[0][0]
    subjects = sorted({page.name for _, page in parts})
    classes = [book.class_name for book, _ in parts]
    fields = [("Trường", first.school), ("Giáo viên", teacher), ("Môn", ", ".join(subjects)),
              ("Lớp", ", ".join(dict.fromkeys(classes))), ("Năm học", first.year)]
    story = [Paragraph(f"Tỉnh/Thành phố: <b>{esc(first.province.upper())}</b>", styles.body),
             Paragraph(f"Huyện/Quận: <b>{esc(first.district.upper())}</b>", styles.body),
             Spacer(1, 25 * mm),
             Paragraph("SỔ THEO DÕI VÀ ĐÁNH GIÁ HỌC SINH", styles.title),
             Paragraph("(DÙNG CHO GIÁO VIÊN)", styles.centre), Spacer(1, 4 * mm),
             *[Paragraph(f"<b>{esc(title)}</b>", styles.centre)  # a multi-level teacher: both
               for title in dict.fromkeys(book.level_title for book, _ in parts)],
             Spacer(1, 14 * mm),
             *[Paragraph(f"{label}: <b>{esc(value)}</b>", styles.centre)
               for label, value in fields]]
    for book, page in parts:
        story += [PageBreak(), *pages.subject_section(book, page, styles, trace,
                                                      "Nhận xét sự tiến bộ")]
    draft = any(book.draft for book, _ in parts)
    footer = f"{first.school} — sổ của giáo viên {teacher} — năm học {first.year}"
    return _build(story, first, f"Sổ của giáo viên {teacher}", trace, footer, draft)


def attendance_sheet_pdf(book: ClassBook, grid: MonthGrid,
                         trace: PrintTrace | None = None) -> bytes:
    """The month's attendance, signed by the GVCN and submitted to the leadership."""
    styles = Styles()
    tail = [signature_row(styles, [("GIÁO VIÊN CHỦ NHIỆM", book.homeroom),
                                   ("BAN GIÁM HIỆU DUYỆT", book.principal,
                                    "(Ký, ghi rõ họ tên)")], date_line(book.district))]
    story = [PageCells(trace, []), *pages.attendance_table(book, grid, styles, tail)]
    return _build(story, book, f"Chuyên cần tháng {grid.month:%m/%Y} lớp {book.class_name}",
                  trace, draft=not grid.closed,
                  note=f"chưa chốt điểm danh tháng {grid.month:%m/%Y}")


def confirmation_sheet_pdf(book: ClassBook, term: int,
                           trace: PrintTrace | None = None) -> bytes:
    """Bảng xác nhận kết quả học tập, rèn luyện: the results, then every subject teacher's
    signature, the GVCN's, the responsible staff member's and the principal's."""
    if term not in (1, 2):
        raise ValueError(f"Học kì {term} không có (chỉ có học kì 1 và 2).")
    styles = Styles()
    term_name = "HỌC KÌ I" if term == 1 else "HỌC KÌ II"
    heading = [Paragraph(f"BẢNG XÁC NHẬN KẾT QUẢ HỌC TẬP, RÈN LUYỆN — {term_name}", styles.title),
               Paragraph(f"Lớp {esc(book.class_name)} — {esc(book.school)} — năm học "
                         f"{esc(book.year)}", styles.centre), Spacer(1, 2 * mm)]
    tail = [Spacer(1, 2 * mm), pages.signature_table(book, styles), Spacer(1, 1 * mm),
            signature_row(styles, [("GIÁO VIÊN CHỦ NHIỆM", book.homeroom),
                                   ("CÁN BỘ PHỤ TRÁCH SỔ ĐIỂM", ""),
                                   ("HIỆU TRƯỞNG", book.principal, "(Ký tên, đóng dấu)")],
                          date_line(book.district)),
            *pages.checkpoint_lines(book, styles)]
    story = pages.term_table(book, term, styles, heading, tail)
    return _build(story, book, f"Bảng xác nhận kết quả lớp {book.class_name} HK{term}", trace,
                  draft=not book.terms.get(term, False),
                  note=f"{term_name.lower()} chưa khóa")
