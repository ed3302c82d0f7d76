"""Shared page furniture: the page geometry of Nghị định 30/2020, fonts and styles,
"Trang x/y", each page's verification code and QR code, the draft watermark, the margin
kept free for the stamp across pages (giáp lai), signature blocks."""

from xml.sax.saxutils import escape as xml_escape

import qrcode
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from printing.fonts import register_fonts

PAGE = landscape(A4)
# Nghị định 30/2020: binding edge 30–35 mm, opposite edge 15–20 mm, top and bottom 20–25 mm.
# The book is bound on its left edge; the right margin is the giáp-lai stamp zone, where no
# text or table may go (the stamp straddles the sheets there).
BINDING_MARGIN = 30 * mm
STAMP_MARGIN = 20 * mm
TOP_MARGIN = 20 * mm
BOTTOM_MARGIN = 20 * mm
MARGINS = {"leftMargin": BINDING_MARGIN, "rightMargin": STAMP_MARGIN,
           "topMargin": TOP_MARGIN, "bottomMargin": BOTTOM_MARGIN}
FRAME_WIDTH = PAGE[0] - BINDING_MARGIN - STAMP_MARGIN
FRAME_HEIGHT = PAGE[1] - TOP_MARGIN - BOTTOM_MARGIN
FOOTER_Y = 12 * mm  # inside the bottom margin, between the binding edge and the stamp zone
# reportlab's Frame pads 6 pt on every side by default; the tables are measured inside it.
FRAME_PADDING = 6
CONTENT_WIDTH = FRAME_WIDTH - 2 * FRAME_PADDING
CONTENT_HEIGHT = FRAME_HEIGHT - 2 * FRAME_PADDING
CORRECTION_RED = colors.Color(0.8, 0, 0)


class Styles:
    def __init__(self) -> None:
        fonts = register_fonts()
        self.fonts = fonts
        self.title = ParagraphStyle("title", fontName=fonts["bold"], fontSize=16, leading=20,
                                    alignment=1, spaceAfter=6)
        self.heading = ParagraphStyle("heading", fontName=fonts["bold"], fontSize=12,
                                      leading=15, spaceAfter=4)
        self.body = ParagraphStyle("body", fontName=fonts["regular"], fontSize=10, leading=13)
        self.small = ParagraphStyle("small", fontName=fonts["regular"], fontSize=7, leading=8.5)
        self.cell = ParagraphStyle("cell", fontName=fonts["regular"], fontSize=7.5, leading=9)
        self.tiny = ParagraphStyle("tiny", fontName=fonts["regular"], fontSize=6, leading=6.8,
                                   alignment=1)
        self.name = ParagraphStyle("name", fontName=fonts["regular"], fontSize=6.8, leading=8)
        self.header = ParagraphStyle("header", fontName=fonts["bold"], fontSize=6,
                                     leading=7.2, alignment=1)
        self.centre = ParagraphStyle("centre", parent=self.body, alignment=1)
        self.date_line = ParagraphStyle("date_line", parent=self.centre, fontSize=8.5,
                                        leading=10.5)
        # room to sign: three empty lines of 12 pt under the title
        self.signature = ParagraphStyle("signature", parent=self.centre, fontSize=9.5,
                                        leading=12)


def grid_style(fonts: dict, size: float = 7.5, header_rows: int = 1,
               padding: float = 1.2) -> TableStyle:
    return TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts["regular"], size),
        ("FONT", (0, 0), (-1, header_rows - 1), fonts["bold"], size),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.black),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.Color(0.9, 0.9, 0.9)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (2, header_rows), (-1, -1), "CENTER"),
        ("ALIGN", (0, 0), (-1, header_rows - 1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ])


def esc(value) -> str:
    """Text from people or files, made inert for reportlab's Paragraph markup: a name like
    "<img src=/dev/zero>" prints as itself and never becomes a tag."""
    return xml_escape("" if value is None else str(value))


def signature_row(styles: Styles, blocks: list[tuple], date_line: str = "") -> Table:
    """Titles, "(Ký, ghi rõ họ tên)" or the block's own note, room to sign, the printed name;
    `date_line` ("Quận Tân Bình, ngày … tháng … năm …") over the last block."""
    cells = []
    for title, name, *note in blocks:
        hint = note[0] if note else "(Ký, ghi rõ họ tên)"
        cells.append(Paragraph(f"<b>{esc(title)}</b><br/><font size=7>{esc(hint)}</font>"
                               f"<br/><br/><br/>{esc(name)}", styles.signature))
    rows = [cells]
    if date_line:
        rows.insert(0, [""] * (len(blocks) - 1) + [Paragraph(f"<i>{esc(date_line)}</i>",
                                                             styles.date_line)])
    table = Table(rows, colWidths=[CONTENT_WIDTH / len(blocks)] * len(blocks))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("TOPPADDING", (0, 0), (-1, -1), 1)]))
    return table


def date_line(place: str) -> str:
    """The form's blank date line, filled in by hand when the book is signed."""
    return f"{place or '…'}, ngày …… tháng …… năm 20……"


class Deferred:
    """Text that needs the page count ("Sổ này có … trang"): drawn when the canvas knows it."""

    def __init__(self, page: int, x: float, y: float, font: str, size: float,
                 template: str) -> None:
        self.page, self.x, self.y, self.font, self.size = page, x, y, font, size
        self.template = template


def numbered_canvas(draft: bool, footer: str, trace=None, draft_note: str = ""):
    """A canvas class that writes "Trang x/y", the footer, each page's verification code
    with its QR code (when `trace` is given) and, on drafts, BẢN NHÁP and why."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []
            self.deferred: list[Deferred] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            if trace is not None:
                trace.total = total
            for state in self._pages:
                self.__dict__.update(state)
                self._furniture(total)
                super().showPage()
            super().save()

        def _furniture(self, total: int) -> None:
            fonts = register_fonts()
            width, height = self._pagesize
            left, right = BINDING_MARGIN, width - STAMP_MARGIN
            text_left = left
            if trace is not None:
                code = trace.page_code(self._pageNumber)
                _qr(self, code, left, 3 * mm, 13 * mm)
                text_left = left + 15 * mm
                self.setFont(fonts["regular"], 7)
                self.drawString(text_left, FOOTER_Y - 4 * mm,
                                f"Mã kiểm tra trang: {code} (sodiem verify-print {code})")
            self.setFont(fonts["regular"], 7.5)
            self.drawString(text_left, FOOTER_Y, footer)
            self.drawRightString(right, FOOTER_Y, f"Trang {self._pageNumber}/{total}")
            for item in self.deferred:
                if item.page == self._pageNumber:
                    self.setFont(item.font, item.size)
                    self.drawString(item.x, item.y, item.template.format(total=total))
            self.setStrokeColor(colors.Color(0.8, 0.8, 0.8))
            self.setDash(2, 3)
            guide = width - STAMP_MARGIN / 2
            self.line(guide, 10 * mm, guide, height - 10 * mm)
            self.setDash()
            if draft:
                self._watermark(fonts, width, height)

        def _watermark(self, fonts: dict, width: float, height: float) -> None:
            self.saveState()
            if draft_note:
                self.setFont(fonts["bold"], 8)
                self.setFillColor(CORRECTION_RED)
                self.drawString(BINDING_MARGIN, height - TOP_MARGIN + 4 * mm,
                                _fit(self, f"BẢN NHÁP — {draft_note}", fonts["bold"], 8))
            self.setFont(fonts["bold"], 90)
            self.setFillColor(colors.Color(0.85, 0.2, 0.2, alpha=0.18))
            self.translate(BINDING_MARGIN + FRAME_WIDTH / 2, height / 2)
            self.rotate(30)
            self.drawCentredString(0, -30, "BẢN NHÁP")
            self.restoreState()

    return NumberedCanvas


def _fit(canvas: Canvas, text: str, font: str, size: float) -> str:
    """The text cut (with "…") to the width between the binding and the stamp zone."""
    if canvas.stringWidth(text, font, size) <= FRAME_WIDTH:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > FRAME_WIDTH:
        text = text[:-1]
    return text + "…"


def _qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """A QR code drawn as filled runs of modules (reportlab's own widget builds a shape per
    module and cost half the time of printing a book)."""
    code = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    cell = size / len(matrix)
    canvas.saveState()
    canvas.setFillColor(colors.black)
    path = canvas.beginPath()
    for row, modules in enumerate(matrix):
        top = y + size - (row + 1) * cell
        column = 0
        while column < len(modules):
            if not modules[column]:
                column += 1
                continue
            start = column
            while column < len(modules) and modules[column]:
                column += 1
            path.rect(x + start * cell, top, (column - start) * cell, cell)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
