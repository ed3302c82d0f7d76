"""The sections of the class book (TT22's Sổ theo dõi và đánh giá học sinh theo lớp học),
each a list of flowables; `printing.class_book` puts them together into documents."""

from collections import Counter

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from grading.base import YEAR
from printing.layout import (
    CONTENT_WIDTH,
    Deferred,
    Styles,
    date_line,
    esc,
    grid_style,
    signature_row,
)
from printing.paginate import SignedTable, lay_out
from printing.trace import PrintTrace
from services.book_data import AttendanceRow, Cell, ClassBook, MonthGrid, SubjectPage

WEEKDAYS = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]
RED = "#cc0000"

# The form's abbreviations, printed in the legend; any other subject gets its initials.
ABBREVIATIONS = {
    "Ngữ văn": "Văn", "Toán": "Toán", "Tiếng Anh": "NN1", "Ngoại ngữ 1": "NN1",
    "Giáo dục công dân": "GDCD", "Lịch sử và Địa lí": "LS&ĐL", "Khoa học tự nhiên": "KHTN",
    "Công nghệ": "CN", "Tin học": "Tin", "Giáo dục thể chất": "GDTC", "Nghệ thuật": "NT",
    "Âm nhạc": "ÂN", "Mĩ thuật": "MT", "Hoạt động trải nghiệm, hướng nghiệp": "HĐTN-HN",
    "Nội dung giáo dục của địa phương": "NDGDĐP", "Lịch sử": "LS", "Địa lí": "ĐL",
    "Vật lí": "Lí", "Hóa học": "Hóa", "Sinh học": "Sinh",
    "Giáo dục kinh tế và pháp luật": "GDKT&PL", "Giáo dục quốc phòng và an ninh": "GDQP-AN",
}
TERMS_LEGEND = [
    ("TX1…TX4", "điểm đánh giá thường xuyên (ĐĐGtx)"), ("GK", "điểm đánh giá giữa kì (ĐĐGgk)"),
    ("CK", "điểm đánh giá cuối kì (ĐĐGck)"), ("ĐTBmhk", "điểm trung bình môn học kì"),
    ("ĐTBmcn", "điểm trung bình môn cả năm"), ("Đ / CĐ", "Đạt / Chưa đạt (môn nhận xét)"),
    ("KQHT", "kết quả học tập"), ("KQRL", "kết quả rèn luyện"), ("KT lại", "kiểm tra lại"),
    ("RL hè", "rèn luyện trong kì nghỉ hè"),
    ("TS, P, K", "tổng số buổi nghỉ, nghỉ có phép, nghỉ không phép"),
    ("?", "buổi vắng chưa được GVCN xác nhận (chỉ có ở tháng chưa chốt)"),
    ("BB số", "số biên bản sửa chữa dữ liệu (chữ đỏ, giá trị cũ gạch ngang)"),
]
# The form's own guidance (TT22 form; 002) and then how this software fills the book in.
FORM_GUIDANCE = [
    "Sổ do nhà trường quản lí, lưu giữ; giáo viên chủ nhiệm chịu trách nhiệm ghi các trang "
    "sơ yếu lý lịch, chuyên cần và tổng hợp kết quả của lớp.",
    "Mỗi giáo viên bộ môn ghi kết quả đánh giá của môn mình và ký xác nhận ở cuối danh sách "
    "của môn, trên cùng trang với các dòng cuối.",
    "Không dùng mực đỏ trong sổ, trừ khi sửa chữa. Sửa chữa: gạch ngang giá trị cũ bằng mực "
    "đỏ, ghi giá trị mới ở góc trên bên phải ô, ký xác nhận bên cạnh hoặc ở cột Ghi chú; "
    "không tẩy xóa, không dùng bút xóa.",
    "Hiệu trưởng kiểm tra sổ hằng tháng, ghi nhận xét và ký; cuối năm duyệt kết quả, ký tên, "
    "đóng dấu và xác nhận số trang; đóng dấu giáp lai ở lề đối diện gáy sổ.",
    "Kết quả học tập, rèn luyện chỉ được công bố cho học sinh và cha mẹ học sinh.",
]
SOFTWARE_GUIDANCE = [
    "Sổ được in từ sổ điểm điện tử của nhà trường; mỗi điểm, mỗi lượt vắng trùng với dữ liệu "
    "trên hệ thống tại thời điểm in (mốc nhật ký in ở bìa).",
    "Điểm hoặc lượt vắng đã sửa theo thủ tục sửa chữa dữ liệu (có biên bản, được Hiệu trưởng "
    "duyệt) in bằng chữ đỏ: giá trị cũ gạch ngang, giá trị mới và số biên bản (BB số); ô sửa "
    "nhiều lần ghi mọi số biên bản. Phụ lục cuối sổ liệt kê mọi lần sửa trong năm học.",
    "Mỗi trang có mã kiểm tra và mã QR ở chân trang: lệnh sodiem verify-print <mã> (hoặc "
    "trang quản trị) cho biết các ô trên trang còn đúng với dữ liệu hay đã được sửa sau khi in.",
    "Sổ chỉ là bản chính thức khi cả hai học kì đã khóa và mọi tháng đã chốt điểm danh; nếu "
    "không, mỗi trang mang chữ BẢN NHÁP và lí do ở đầu trang.",
    "Lề trái 30 mm để đóng gáy; lề phải 20 mm để đóng dấu giáp lai (đường chấm), không in "
    "chữ vào vùng này.",
]


def short_name(name: str) -> str:
    if name in ABBREVIATIONS:
        return ABBREVIATIONS[name]
    words = name.replace(",", "").split()
    return name if len(name) <= 8 else "".join(w[0].upper() for w in words)


class PageCountText(Flowable):
    """A line containing the page count ({total}), which reportlab only knows at the end."""

    def __init__(self, template: str, font: str, size: float = 10) -> None:
        super().__init__()
        self.template, self.font, self.size = template, font, size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return CONTENT_WIDTH, self.size * 1.5

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:
        canvas.deferred.append(Deferred(canvas.getPageNumber(), x, y + self.size * 0.4,
                                        self.font, self.size, self.template))


def _name_cell(name: str, styles: Styles, width_mm: float = 30, size: float = 6.8):
    """A name as plain text when it fits its column on one line (cheap to lay out), else a
    Paragraph that wraps inside the cell rather than running over the score columns."""
    if stringWidth(name, styles.fonts["regular"], size) <= width_mm * mm - 5:
        return name
    style = _name_styles.get(size)
    if style is None:
        style = _name_styles[size] = ParagraphStyle(f"name{size}", parent=styles.name,
                                                    fontSize=size, leading=size * 1.18)
    return Paragraph(esc(name), style)


_name_styles: dict[float, ParagraphStyle] = {}


def _headers(labels: list[str], styles: Styles) -> list:
    return [Paragraph(esc(label).replace("\n", "<br/>"), styles.header) for label in labels]


def cover(book: ClassBook, styles: Styles) -> list:
    fields = [("Tỉnh/Thành phố", book.province), ("Huyện/Quận", book.district),
              ("Trường", book.school)]
    lines = [Paragraph(f"{label}: <b>{esc(value.upper())}</b>", styles.body)
             for label, value in fields]
    size = f"{len(book.students)} học sinh"
    if book.boys or book.girls:
        size += f" (nam: {book.boys}, nữ: {book.girls})"
    details = [("Lớp", book.class_name), ("Sĩ số", size), ("Giáo viên chủ nhiệm", book.homeroom),
               ("NĂM HỌC", book.year)]
    return [*lines, Spacer(1, 22 * mm),
            Paragraph("SỔ THEO DÕI VÀ ĐÁNH GIÁ HỌC SINH", styles.title),
            Paragraph("(THEO LỚP HỌC)", styles.centre), Spacer(1, 4 * mm),
            Paragraph(f"<b>{esc(book.level_title)}</b>", styles.centre), Spacer(1, 14 * mm),
            *[Paragraph(f"{label}: <b>{esc(value)}</b>", styles.centre)
              for label, value in details],
            Spacer(1, 16 * mm), *checkpoint_lines(book, styles)]


def usage(styles: Styles) -> list:
    story = [Paragraph("HƯỚNG DẪN SỬ DỤNG SỔ", styles.heading)]
    story += [Paragraph(f"{i}. {text}", styles.body) for i, text in enumerate(FORM_GUIDANCE, 1)]
    story += [Spacer(1, 3 * mm), Paragraph("Sổ in từ phần mềm", styles.heading)]
    story += [Paragraph(f"{i}. {text}", styles.body)
              for i, text in enumerate(SOFTWARE_GUIDANCE, 1)]
    return [*story, Spacer(1, 3 * mm), *abbreviations(styles)]


def abbreviations(styles: Styles, subjects: list[str] | None = None) -> list:
    pairs = [(short_name(n), n) for n in (subjects or ABBREVIATIONS) if short_name(n) != n]
    pairs = list(dict.fromkeys(pairs)) + TERMS_LEGEND
    text = "; ".join(f"<b>{esc(short)}</b>: {esc(full)}" for short, full in pairs)
    return [Paragraph(f"<b>Chữ viết tắt.</b> {text}.", styles.small)]


def teachers(book: ClassBook, styles: Styles) -> list:
    data = [["STT", "Môn học / hoạt động giáo dục", "Giáo viên giảng dạy", "Ghi chú"]]
    data += [[str(i), page.name, Paragraph(esc(page.teacher), styles.cell), ""]
             for i, page in enumerate(book.subjects, 1)]
    table = Table(data, colWidths=[12 * mm, 90 * mm, 80 * mm, CONTENT_WIDTH - 182 * mm],
                  repeatRows=1)
    table.setStyle(grid_style(styles.fonts, 8.5, padding=1.5))
    size = f"Sĩ số: {len(book.students)}"
    if book.boys or book.girls:
        size += f" (nam: {book.boys}, nữ: {book.girls})"
    return [Paragraph(f"LỚP {esc(book.class_name)} — {esc(size)}", styles.heading),
            Paragraph("DANH SÁCH GIÁO VIÊN BỘ MÔN", styles.heading), table,
            Spacer(1, 3 * mm),
            Paragraph(f"Giáo viên chủ nhiệm: <b>{esc(book.homeroom)}</b>. Hiệu trưởng: "
                      f"<b>{esc(book.principal)}</b>.", styles.body),
            PageCountText("Sổ này có {total} trang, đánh số từ trang 1 đến trang {total}.",
                          styles.fonts["regular"]),
            signature_row(styles, [("HIỆU TRƯỞNG", book.principal, "(Ký tên, đóng dấu)")],
                          date_line(book.district))]


def students(book: ClassBook, styles: Styles) -> list:
    header = [_headers(["STT", "Họ và tên", "Ngày sinh", "Nơi sinh", "Giới\ntính", "Dân\ntộc",
                        "Đối tượng\nưu tiên", "Chỗ ở", "Cha: họ tên,\nnghề nghiệp",
                        "Mẹ: họ tên,\nnghề nghiệp", "Điện thoại", "Những thay đổi\ntrong năm học"],
                       styles)]
    rows = []
    for roll, s, changes in book.records:
        def text(value: str) -> Paragraph:
            return Paragraph(esc(value), styles.cell)

        father = ", ".join(v for v in (s.father_name, s.father_occupation) if v)
        mother = ", ".join(v for v in (s.mother_name, s.mother_occupation) if v)
        rows.append([str(roll), _name_cell(s.full_name, styles, 32, 6.5),
                     f"{s.birth_date:%d/%m/%Y}" if s.birth_date else "", text(s.birthplace),
                     s.gender, text(s.ethnicity), text(s.priority_group), text(s.address),
                     text(father), text(mother), s.guardian_phone, text(changes)])
    widths = [7, 32, 15, 22, 9, 11, 17, 32, 26, 26, 17, 28]
    spec = SignedTable(
        [Paragraph(f"SƠ YẾU LÝ LỊCH HỌC SINH — lớp {esc(book.class_name)}", styles.heading)],
        header, rows, [w * mm for w in widths], grid_style(styles.fonts, 6.5, padding=0.8),
        [Spacer(1, 2 * mm), signature_row(styles, [("GIÁO VIÊN CHỦ NHIỆM", book.homeroom,
                                                     "(Đã kiểm tra; ký, ghi rõ họ tên)")])],
        [Paragraph(f"SƠ YẾU LÝ LỊCH HỌC SINH — lớp {esc(book.class_name)} (tiếp theo)",
                   styles.heading)])
    return lay_out(spec)


def _day_mark(row: AttendanceRow, day: int, styles: Styles):
    mark = row.marks.get(day, "")
    if day not in row.corrected:
        return mark
    minutes = ",".join(str(n) for n in row.corrected[day])
    return Paragraph(f"<font color='{RED}'><b>{esc(mark)}</b><br/>{minutes}</font>",
                     styles.tiny)


def attendance_table(book: ClassBook, grid: MonthGrid, styles: Styles,
                     tail: list) -> list:
    days = list(range(1, grid.days + 1))
    weekday = [WEEKDAYS[grid.month.replace(day=d).weekday()] for d in days]
    header = [["STT", "Họ và tên", *[str(d) for d in days], "TS", "P", "K"],
              ["", "", *weekday, "", "", ""]]
    rows = [[str(r.roll), _name_cell(r.name, styles, 35, 6.3),
             *[_day_mark(r, d, styles) for d in days],
             str(r.total or ""), str(r.excused or ""), str(r.unexcused or "")]
            for r in grid.rows]
    fixed = 7 + 35 + 3 * 6.5
    day_width = (CONTENT_WIDTH / mm - fixed) / grid.days
    style = grid_style(styles.fonts, 6.3, header_rows=2, padding=0.4)
    for column in (0, 1, grid.days + 2, grid.days + 3, grid.days + 4):
        style.add("SPAN", (column, 0), (column, 1))
    style.add("FONT", (grid.days + 2, 2), (grid.days + 2, -1), styles.fonts["bold"], 6.3)
    title = f"THEO DÕI CHUYÊN CẦN — THÁNG {grid.month:%m/%Y} — lớp {esc(book.class_name)}"
    heading = [Paragraph(title, styles.heading)]
    if not grid.closed:
        heading.append(Paragraph("<b>Tháng chưa chốt điểm danh</b>: «?» là buổi vắng GVCN "
                                 "chưa xác nhận, tính vào TS nhưng chưa tính là K.", styles.small))
    spec = SignedTable(
        heading, header, rows,
        [7 * mm, 35 * mm, *[day_width * mm] * grid.days, *[6.5 * mm] * 3], style,
        [Paragraph(MONTH_NOTE, styles.small), Spacer(1, 1 * mm), *tail],
        [Paragraph(title + " (tiếp theo)", styles.heading)])
    return lay_out(spec)


MONTH_NOTE = ("Cách ghi: P — nghỉ có phép, K — nghỉ không phép (khi chốt tháng, buổi chưa xác "
              "nhận thành K); hai buổi trong ngày ghi liền nhau, ví dụ PK; TS — tổng số buổi "
              "nghỉ. Chữ đỏ: lượt vắng đã sửa, số bên dưới là số biên bản sửa chữa.")


def attendance_section(book: ClassBook, grid: MonthGrid, styles: Styles) -> list:
    return attendance_table(book, grid, styles, [signature_row(
        styles, [("GIÁO VIÊN CHỦ NHIỆM", book.homeroom)])])


def score_cell(cell: Cell | None, styles: Styles):
    if cell is None:
        return ""
    if cell.original is None:
        return cell.value
    minutes = ",".join(str(n) for n in cell.minutes)
    return Paragraph(f"<font color='{RED}'><strike>{esc(cell.original)}</strike> "
                     f"<b>{esc(cell.value)}</b><br/>BB{minutes}</font>", styles.tiny)


def subject_section(book: ClassBook, page: SubjectPage, styles: Styles,
                    trace: PrintTrace | None = None, remark_column: str = "Ghi chú") -> list:
    columns = list(page.columns)
    result = "Mức ĐG" if page.comment else "ĐTB\nmhk"
    width = len(columns) + 1
    header = [_headers(["STT", "Họ và tên", "HỌC KÌ I", *[""] * (width - 1), "HỌC KÌ II",
                        *[""] * (width - 1), "CẢ NĂM", "", remark_column], styles),
              _headers(["", "", *columns, result, *columns, result,
                        "Mức ĐG" if page.comment else "ĐTB\nmcn", "KT lại", ""], styles)]
    rows, row_cells = [], []
    for row in page.rows:
        line = [str(row.roll), _name_cell(row.name, styles, 35, 6.8)]
        cells: list[tuple[int, str]] = []
        for term in (1, 2):
            for column in columns:
                cell = row.cells.get(term, {}).get(column)
                line.append(score_cell(cell, styles))
                if cell is not None and cell.entry_id is not None:
                    cells.append((cell.entry_id, cell.value))
            line.append(row.term_result[term])
        line += [row.year_result, row.retest, ""]
        rows.append(line)
        row_cells.append(cells)
    remark = 40 if remark_column != "Ghi chú" else 16
    fixed = 7 + 35 + 2 * 11 + 11 + 10 + remark
    score = (CONTENT_WIDTH / mm - fixed) / (2 * len(columns))
    widths = [7, 35, *[score] * len(columns), 11, *[score] * len(columns), 11, 11, 10, remark]
    style = grid_style(styles.fonts, 6.8, header_rows=2, padding=0.4)
    first_two = 2 + width
    style.add("SPAN", (2, 0), (1 + width, 0))
    style.add("SPAN", (first_two, 0), (first_two + width - 1, 0))
    style.add("SPAN", (first_two + width, 0), (first_two + width + 1, 0))
    for column in (0, 1, len(widths) - 1):
        style.add("SPAN", (column, 0), (column, 1))
    for column in (1 + width, first_two + width - 1, first_two + width):
        style.add("FONT", (column, 2), (column, -1), styles.fonts["bold"], 6.8)
    title = f"MÔN {esc(page.name.upper())} — lớp {esc(book.class_name)}"
    spec = SignedTable(
        [Paragraph(title, styles.heading)], header, rows, [w * mm for w in widths], style,
        [Spacer(1, 1 * mm), signature_row(styles, [("GIÁO VIÊN BỘ MÔN", page.teacher)])],
        [Paragraph(f"{title} (tiếp theo)", styles.heading)], row_cells)
    return lay_out(spec, trace)


def term_table(book: ClassBook, term: int, styles: Styles, heading: list,
               tail: list) -> list:
    names = [page.name for page in book.subjects]
    header = [_headers(["STT", "Họ và tên", *[short_name(n) for n in names], "KQHT", "KQRL"],
                       styles)]
    rows = [[str(r.roll), _name_cell(r.name, styles, 37, 6.8),
             *[r.subjects[n][term] for n in names],
             r.learning[term], r.conduct[term]] for r in book.summary]
    subject_width = (CONTENT_WIDTH / mm - 7 - 37 - 2 * 13) / max(len(names), 1)
    style = grid_style(styles.fonts, 6.8, padding=0.4)
    spec = SignedTable(heading, header, rows,
                       [7 * mm, 37 * mm, *[subject_width * mm] * len(names), 13 * mm, 13 * mm],
                       style, tail, [Paragraph(f"TỔNG HỢP KẾT QUẢ {_term_name(term)} — lớp "
                                               f"{esc(book.class_name)} (tiếp theo)",
                                               styles.heading)])
    return lay_out(spec)


def _term_name(term: int) -> str:
    return "HỌC KÌ I" if term == 1 else "HỌC KÌ II"


def term_summary(book: ClassBook, term: int, styles: Styles) -> list:
    heading = [Paragraph(f"TỔNG HỢP KẾT QUẢ {_term_name(term)} — lớp {esc(book.class_name)}",
                         styles.heading)]
    tail = [*abbreviations(styles, [p.name for p in book.subjects]), Spacer(1, 1 * mm),
            signature_row(styles, [("GIÁO VIÊN CHỦ NHIỆM", book.homeroom)])]
    return term_table(book, term, styles, heading, tail)


def class_totals(book: ClassBook, styles: Styles) -> Table:
    """Tổng hợp chung: how many students reached each level, for the principal's approval."""
    size = len(book.summary) or 1
    learning = Counter(r.learning[YEAR] for r in book.summary)
    conduct = Counter(r.conduct[YEAR] for r in book.summary)
    promotion = Counter(r.promotion for r in book.summary)
    titles = Counter(r.title for r in book.summary if r.title)

    def count(counter: Counter, key: str) -> str:
        return f"{counter[key]} ({100 * counter[key] / size:.1f}%)".replace(".", ",")

    levels = ["Tốt", "Khá", "Đạt", "Chưa đạt"]
    outcomes = ["Lên lớp", "Kiểm tra lại", "Rèn luyện trong hè",
                "Kiểm tra lại và rèn luyện trong hè", "Ở lại lớp"]
    data = [["", *levels], ["Kết quả học tập", *[count(learning, x) for x in levels]],
            ["Kết quả rèn luyện", *[count(conduct, x) for x in levels]]]
    data.append([Paragraph("Lên lớp / kiểm tra lại / rèn luyện hè / ở lại", styles.cell),
                 Paragraph("; ".join(f"{x}: {promotion[x]}" for x in outcomes), styles.cell),
                 "", "", ""])
    data.append(["Danh hiệu", Paragraph("; ".join(f"{k}: {v}" for k, v in sorted(
        titles.items())) or "—", styles.cell), "", "", ""])
    table = Table(data, colWidths=[45 * mm, *[40 * mm] * 4])
    style = grid_style(styles.fonts, 7, padding=0.8)
    style.add("SPAN", (1, 3), (-1, 3))
    style.add("SPAN", (1, 4), (-1, 4))
    style.add("FONT", (0, 0), (0, -1), styles.fonts["bold"], 7)
    table.setStyle(style)
    return table


def year_summary(book: ClassBook, styles: Styles) -> list:
    names = [page.name for page in book.subjects]
    header = [_headers(["STT", "Họ và tên", *[short_name(n) for n in names], "KQRL", "KQHT",
                        "KQRL sau\nRL hè", "KQHT sau\nKT lại", "Số buổi\nnghỉ",
                        "Lên lớp /\nKT lại / RL hè", "Danh hiệu"], styles)]
    rows = [[str(r.roll), _name_cell(r.name, styles, 31, 6.5),
             *[r.subjects[n][YEAR] for n in names],
             r.conduct[YEAR], r.learning[YEAR], r.summer_conduct, r.after_retest,
             str(r.absences), Paragraph(esc(r.promotion), styles.cell),
             Paragraph(esc(r.title), styles.cell)] for r in book.summary]
    fixed = 7 + 31 + 10 + 10 + 11 + 11 + 8 + 17 + 16
    subject_width = (CONTENT_WIDTH / mm - fixed) / max(len(names), 1)
    widths = [7, 31, *[subject_width] * len(names), 10, 10, 11, 11, 8, 17, 16]
    title = f"TỔNG HỢP KẾT QUẢ CẢ NĂM HỌC — lớp {esc(book.class_name)}"
    tail = [Spacer(1, 1 * mm), Paragraph("<b>TỔNG HỢP CHUNG</b>", styles.body),
            class_totals(book, styles), Spacer(1, 2 * mm),
            signature_row(styles, [("GIÁO VIÊN CHỦ NHIỆM", book.homeroom),
                                   ("DUYỆT CỦA HIỆU TRƯỞNG", book.principal,
                                    "(Ký tên, đóng dấu)")], date_line(book.district))]
    spec = SignedTable([Paragraph(title, styles.heading)], header, rows,
                       [w * mm for w in widths], grid_style(styles.fonts, 6.5, padding=0.4),
                       tail, [Paragraph(f"{title} (tiếp theo)", styles.heading)], keep=2)
    return lay_out(spec)


def principal_reviews(book: ClassBook, styles: Styles) -> list:
    data = [["Tháng", "Nhận xét, kiểm tra của Hiệu trưởng", "Ký tên"]]
    data += [[f"{grid.month:%m/%Y}", "", ""] for grid in book.attendance]
    table = Table(data, colWidths=[25 * mm, CONTENT_WIDTH - 70 * mm, 45 * mm],
                  rowHeights=[7 * mm] + [13 * mm] * len(book.attendance), repeatRows=1)
    table.setStyle(grid_style(styles.fonts, 9))
    return [Paragraph("NHẬN XÉT, KIỂM TRA CỦA HIỆU TRƯỞNG", styles.heading), table]


def corrections_annex(book: ClassBook, styles: Styles) -> list:
    """Every correction of the year in this class: what the red cells refer to."""
    header = [_headers(["BB số", "Môn / nội dung", "Học sinh", "Ô", "Cũ → mới", "Ngày sửa",
                        "Người duyệt", "Lý do"], styles)]
    rows = [[str(f.number), Paragraph(esc(f.subject), styles.cell),
             _name_cell(f.student, styles, 36, 7), Paragraph(esc(f.what), styles.cell),
             Paragraph(f"<strike>{esc(f.old_value)}</strike> → <b>{esc(f.new_value)}</b>",
                       styles.cell),
             f"{f.applied_at:%d/%m/%Y}" if f.applied_at else "",
             _name_cell(f.approver, styles, 34, 7), Paragraph(esc(f.reason), styles.cell)]
            for f in book.corrections]
    if not rows:
        rows = [["", Paragraph("Không có lần sửa nào trong năm học.", styles.cell),
                 "", "", "", "", "", ""]]
    widths = [12, 32, 36, 30, 22, 18, 34, CONTENT_WIDTH / mm - 184]
    title = f"PHỤ LỤC: CÁC LẦN SỬA CHỮA DỮ LIỆU TRONG NĂM HỌC — lớp {esc(book.class_name)}"
    spec = SignedTable([Paragraph(title, styles.heading)], header, rows,
                       [w * mm for w in widths], grid_style(styles.fonts, 7, padding=0.8),
                       [Spacer(1, 2 * mm), signature_row(
                           styles, [("HIỆU TRƯỞNG", book.principal, "(Ký tên, đóng dấu)")])],
                       [Paragraph(f"{title} (tiếp theo)", styles.heading)])
    return lay_out(spec)


def checkpoint_lines(book: ClassBook, styles: Styles) -> list:
    """The signed audit checkpoint taken at printing and the signing certificate."""
    lines = []
    if book.checkpoint:
        lines.append(Paragraph(esc(book.checkpoint), styles.small))
    if book.certificate:
        lines.append(Paragraph(f"Chứng thư số ký sổ (SHA-256): {esc(book.certificate)}",
                               styles.small))
    return [Spacer(1, 2 * mm), *lines] if lines else []


def signature_table(book: ClassBook, styles: Styles) -> Table:
    """Every subject teacher's signature, two to a row so that they stay with the results."""
    entries = [(p.name, p.teacher) for p in book.subjects]
    data = [["Môn học", "Giáo viên bộ môn", "Ký xác nhận"] * 2]
    for i in range(0, len(entries), 2):
        pair = entries[i:i + 2] + [("", "")] * (2 - len(entries[i:i + 2]))
        row = []
        for subject, teacher in pair:
            row += [Paragraph(esc(subject), styles.cell), Paragraph(esc(teacher), styles.cell),
                    ""]
        data.append(row)
    third = CONTENT_WIDTH / 2
    table = Table(data, colWidths=[third * 0.38, third * 0.34, third * 0.28] * 2,
                  rowHeights=[5 * mm] + [8.5 * mm] * (len(data) - 1))
    table.setStyle(TableStyle(grid_style(styles.fonts, 7).getCommands()))
    return table
