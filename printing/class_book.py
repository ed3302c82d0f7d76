"""Sổ theo dõi và đánh giá học sinh (theo lớp học), and the documents cut from it:
a teacher's book, a month's attendance sheet, a term's confirmation sheet."""

from io import BytesIO

from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
)

from grading.base import YEAR
from printing.layout import (
    MARGINS,
    PAGE,
    Styles,
    esc,
    grid_style,
    numbered_canvas,
    signature_row,
)
from services.book_data import Cell, ClassBook, MonthGrid, SubjectPage

WEEKDAYS = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]
MONTH_ORDER_NOTE = ("Cách ghi: P — nghỉ có phép, K — nghỉ không phép (gồm cả lượt chưa xác "
                    "nhận khi đã chốt tháng). Hai buổi trong ngày ghi liền nhau, ví dụ PK.")
USAGE_NOTES = [
    "Sổ được in từ phần mềm sổ điểm điện tử của nhà trường; mọi điểm và lượt vắng trong sổ "
    "trùng với dữ liệu đã khóa trên hệ thống.",
    "Điểm đã sửa theo thủ tục sửa chữa dữ liệu được in: giá trị cũ gạch ngang, giá trị mới "
    "bên cạnh, kèm số biên bản sửa (BB số …). Không tẩy xóa trên sổ in.",
    "Giáo viên bộ môn kiểm tra và ký dưới trang điểm của môn mình; giáo viên chủ nhiệm ký "
    "các trang tổng hợp; Hiệu trưởng ký, đóng dấu và đóng dấu giáp lai ở lề phải.",
    "Sổ in khi học kì chưa khóa mang chữ BẢN NHÁP và không có giá trị lưu trữ.",
]


def _doc(buffer: BytesIO, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(buffer, pagesize=PAGE, title=title, author="Sổ điểm", **MARGINS)


def class_book_pdf(book: ClassBook) -> bytes:
    styles = Styles()
    story = [*_cover(book, styles), PageBreak(), *_usage(styles), PageBreak(),
             *_teachers(book, styles), PageBreak(), *_students(book, styles)]
    for grid in book.attendance:
        story += [PageBreak(), *attendance_section(book, grid, styles)]
    for page in book.subjects:
        story += [PageBreak(), *subject_section(book, page, styles)]
    for term in (1, 2):
        story += [PageBreak(), *term_summary(book, term, styles)]
    story += [PageBreak(), *_year_summary(book, styles), PageBreak(),
              *_principal_reviews(book, styles)]
    return _build(story, book, f"Sổ theo dõi và đánh giá học sinh lớp {book.class_name}")


def _build(story: list, book: ClassBook, title: str) -> bytes:
    buffer = BytesIO()
    footer = f"{book.school} — lớp {book.class_name} — năm học {book.year} — in lúc " \
             f"{book.printed_at:%H:%M %d/%m/%Y}"
    _doc(buffer, title).build(story, canvasmaker=numbered_canvas(book.draft, footer))
    return buffer.getvalue()


def _cover(book: ClassBook, styles: Styles) -> list:
    lines = [esc(book.province.upper()), esc(book.district.upper()),
             f"<b>{esc(book.school.upper())}</b>"]
    return [Paragraph("<br/>".join(lines), styles.centre), Spacer(1, 25 * mm),
            Paragraph("SỔ THEO DÕI VÀ ĐÁNH GIÁ HỌC SINH", styles.title),
            Paragraph("(Theo lớp học)", styles.centre), Spacer(1, 18 * mm),
            Paragraph(f"Lớp: <b>{esc(book.class_name)}</b>", styles.centre),
            Paragraph(f"Giáo viên chủ nhiệm: <b>{esc(book.homeroom)}</b>", styles.centre),
            Paragraph(f"Năm học: <b>{esc(book.year)}</b>", styles.centre), Spacer(1, 30 * mm),
            *_checkpoint(book, styles)]


def _usage(styles: Styles) -> list:
    return [Paragraph("HƯỚNG DẪN SỬ DỤNG", styles.heading),
            *[Paragraph(f"{i}. {text}", styles.body) for i, text in enumerate(USAGE_NOTES, 1)]]


def _teachers(book: ClassBook, styles: Styles) -> list:
    data = [["STT", "Môn học / hoạt động giáo dục", "Giáo viên giảng dạy", "Ghi chú"]]
    data += [[str(i), page.name, page.teacher, ""] for i, page in enumerate(book.subjects, 1)]
    table = Table(data, colWidths=[12 * mm, 90 * mm, 80 * mm, 60 * mm], repeatRows=1)
    table.setStyle(grid_style(styles.fonts, 9))
    return [Paragraph("DANH SÁCH GIÁO VIÊN BỘ MÔN", styles.heading), table,
            Spacer(1, 4 * mm),
            Paragraph(f"Giáo viên chủ nhiệm: {esc(book.homeroom)}. Hiệu trưởng: "
                      f"{esc(book.principal)}.", styles.body)]


def _students(book: ClassBook, styles: Styles) -> list:
    data = [["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Nơi sinh", "Chỗ ở",
             "Họ tên cha", "Họ tên mẹ", "Điện thoại"]]
    for roll, s in book.students:
        def text(value: str) -> Paragraph:
            return Paragraph(esc(value), styles.cell)
        data.append([str(roll), text(s.full_name),
                     f"{s.birth_date:%d/%m/%Y}" if s.birth_date else "", s.gender, s.ethnicity,
                     text(s.birthplace), text(s.address), text(s.father_name),
                     text(s.mother_name), s.guardian_phone])
    widths = [8, 36, 17, 12, 12, 28, 52, 30, 30, 18]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(grid_style(styles.fonts, 7))
    return [Paragraph("SƠ YẾU LÝ LỊCH HỌC SINH", styles.heading), table]


def attendance_section(book: ClassBook, grid: MonthGrid, styles: Styles) -> list:
    days = list(range(1, grid.days + 1))
    weekday = [WEEKDAYS[grid.month.replace(day=d).weekday()] for d in days]
    data = [["STT", "Họ và tên", *[str(d) for d in days], "P", "K"],
            ["", "", *weekday, "", ""]]
    for roll, name, marks, excused, unexcused in grid.rows:
        data.append([str(roll), name, *[marks.get(d, "") for d in days],
                     str(excused or ""), str(unexcused or "")])
    day_width = min(6.2, 190 / grid.days) * mm
    table = Table(data, colWidths=[7 * mm, 40 * mm, *[day_width] * grid.days, 7 * mm, 7 * mm],
                  repeatRows=2)
    table.setStyle(grid_style(styles.fonts, 6.3, header_rows=2, padding=0.5))
    return [Paragraph(f"THEO DÕI CHUYÊN CẦN — THÁNG {grid.month:%m/%Y}", styles.heading), table,
            Paragraph(MONTH_ORDER_NOTE, styles.small)]


def _cell(cell: Cell | None, styles: Styles):
    if cell is None:
        return ""
    if cell.original is None:
        return cell.value
    return Paragraph(f"<strike>{esc(cell.original)}</strike><br/>{esc(cell.value)}"
                     f"<super><font size=4.5>BB{cell.minutes}</font></super>", styles.tiny)


def subject_section(book: ClassBook, page: SubjectPage, styles: Styles) -> list:
    columns = list(page.columns)
    result_label = "Mức ĐG" if page.comment else "ĐTBmhk"
    header = ["STT", "Họ và tên", *[f"{c}\nHKI" for c in columns], f"{result_label}\nHKI",
              *[f"{c}\nHKII" for c in columns], f"{result_label}\nHKII",
              "Mức ĐG\ncả năm" if page.comment else "ĐTBmcn", "KT lại", "Ghi chú"]
    data = [header]
    for row in page.rows:
        data.append([str(row.roll), row.name,
                     *[_cell(row.cells.get(1, {}).get(c), styles) for c in columns],
                     row.term_result[1],
                     *[_cell(row.cells.get(2, {}).get(c), styles) for c in columns],
                     row.term_result[2], row.year_result, "", ""])
    fixed = 7 + 40 + 13 + 13 + 14 + 12 + 20
    free = (PAGE[0] / mm) - 14 - 22 - fixed - 2
    score_width = free / (2 * len(columns))
    widths = [7, 40, *[score_width] * len(columns), 13, *[score_width] * len(columns), 13, 14,
              12, 20]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(grid_style(styles.fonts, 6.8, padding=0.5))
    return [Paragraph(f"MÔN {esc(page.name.upper())} — lớp {esc(book.class_name)}", styles.heading),
            table, CondPageBreak(24 * mm),
            KeepTogether([Spacer(1, 1 * mm), signature_row(
                styles, [("GIÁO VIÊN BỘ MÔN", page.teacher)])])]


def term_summary(book: ClassBook, term: int, styles: Styles) -> list:
    names = [page.name for page in book.subjects]
    short = [_short(n) for n in names]
    data = [["STT", "Họ và tên", *short, "KQHT", "KQRL"]]
    for row in book.summary:
        data.append([str(row.roll), row.name, *[row.subjects[n][term] for n in names],
                     row.learning[term], row.conduct[term]])
    widths = [7, 42, *[13.5] * len(names), 16, 16]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(grid_style(styles.fonts, 6.8, padding=0.5))
    return [Paragraph(f"TỔNG HỢP KẾT QUẢ {'HỌC KÌ I' if term == 1 else 'HỌC KÌ II'} — lớp "
                      f"{esc(book.class_name)}", styles.heading), table, CondPageBreak(24 * mm),
            signature_row(styles, [("GIÁO VIÊN CHỦ NHIỆM", book.homeroom)])]


def _short(name: str) -> str:
    words = name.replace(",", "").split()
    return name if len(name) <= 10 else "".join(w[0].upper() for w in words)


def _year_summary(book: ClassBook, styles: Styles) -> list:
    names = [page.name for page in book.subjects]
    data = [["STT", "Họ và tên", *[_short(n) for n in names], "KQRL", "KQHT",
             "Sau KT lại", "Nghỉ", "Lên lớp / KT lại / RL hè", "Danh hiệu"]]
    for row in book.summary:
        data.append([str(row.roll), Paragraph(esc(row.name), styles.cell),
                     *[row.subjects[n][YEAR] for n in names], row.conduct[YEAR],
                     row.learning[YEAR], row.after_retest, str(row.absences),
                     Paragraph(esc(row.promotion), styles.cell),
                     Paragraph(esc(row.title), styles.cell)])
    widths = [7, 36, *[11] * len(names), 13, 13, 13, 9, 26, 22]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(grid_style(styles.fonts, 6.5, padding=0.4))
    return [Paragraph(f"TỔNG HỢP KẾT QUẢ CẢ NĂM HỌC — lớp {esc(book.class_name)}",
                      styles.heading),
            table, CondPageBreak(24 * mm),
            signature_row(styles, [("GIÁO VIÊN CHỦ NHIỆM", book.homeroom),
                                   ("HIỆU TRƯỞNG", book.principal)])]


def _principal_reviews(book: ClassBook, styles: Styles) -> list:
    data = [["Tháng", "Nhận xét, kiểm tra của Hiệu trưởng", "Ký tên"]]
    data += [[f"{grid.month:%m/%Y}", "", ""] for grid in book.attendance]
    table = Table(data, colWidths=[25 * mm, 190 * mm, 40 * mm],
                  rowHeights=[7 * mm] + [15 * mm] * len(book.attendance))
    table.setStyle(grid_style(styles.fonts, 9))
    return [Paragraph("NHẬN XÉT, KIỂM TRA CỦA HIỆU TRƯỞNG", styles.heading), table]


def teacher_book_pdf(teacher: str, parts: list[tuple[ClassBook, SubjectPage]]) -> bytes:
    """Sổ theo dõi và đánh giá học sinh của giáo viên: every class × subject they teach."""
    styles = Styles()
    first = parts[0][0]
    story = [Paragraph("SỔ THEO DÕI VÀ ĐÁNH GIÁ HỌC SINH CỦA GIÁO VIÊN", styles.title),
             Paragraph(f"Giáo viên: <b>{esc(teacher)}</b> — {esc(first.school)} — năm học "
                       f"{esc(first.year)}",
                       styles.centre),
             Paragraph("Các lớp, môn: " + ", ".join(esc(f"{p.name} {b.class_name}")
                                                    for b, p in parts), styles.centre)]
    for book, page in parts:
        story += [PageBreak(), *subject_section(book, page, styles)]
    draft = any(book.draft for book, _ in parts)
    buffer = BytesIO()
    footer = f"{first.school} — sổ của giáo viên {teacher} — năm học {first.year}"
    _doc(buffer, f"Sổ của giáo viên {teacher}").build(
        story, canvasmaker=numbered_canvas(draft, footer))
    return buffer.getvalue()


def attendance_sheet_pdf(book: ClassBook, grid: MonthGrid) -> bytes:
    styles = Styles()
    story = [*attendance_section(book, grid, styles), Spacer(1, 4 * mm),
             signature_row(styles, [("GIÁO VIÊN CHỦ NHIỆM", book.homeroom)])]
    return _build(story, book, f"Chuyên cần tháng {grid.month:%m/%Y} lớp {book.class_name}")


def confirmation_sheet_pdf(book: ClassBook, term: int) -> bytes:
    """Bảng xác nhận kết quả học tập, rèn luyện: results, then every teacher's signature."""
    styles = Styles()
    term_name = "HỌC KÌ I" if term == 1 else "HỌC KÌ II"
    story = [Paragraph(f"BẢNG XÁC NHẬN KẾT QUẢ HỌC TẬP, RÈN LUYỆN — {term_name}", styles.title),
             *term_summary(book, term, styles)[1:2], Spacer(1, 4 * mm)]
    data = [["STT", "Môn học", "Giáo viên", "Đã kiểm tra, xác nhận (ký)"]]
    data += [[str(i), p.name, p.teacher, ""] for i, p in enumerate(book.subjects, 1)]
    data.append([str(len(book.subjects) + 1), "Chủ nhiệm lớp", book.homeroom, ""])
    table = Table(data, colWidths=[10 * mm, 75 * mm, 70 * mm, 80 * mm],
                  rowHeights=[7 * mm] + [11 * mm] * (len(data) - 1))
    table.setStyle(grid_style(styles.fonts, 9))
    story += [CondPageBreak(90 * mm), table, *_checkpoint(book, styles)]
    return _build(story, book, f"Bảng xác nhận kết quả lớp {book.class_name} HK{term}")


def _checkpoint(book: ClassBook, styles: Styles) -> list:
    """The signed audit checkpoint taken at printing: what the signatures vouch for."""
    if not book.checkpoint:
        return []
    return [Spacer(1, 3 * mm), Paragraph(esc(book.checkpoint), styles.small)]
