"""Shared page furniture: fonts and styles, "Trang x/y", the draft watermark, the
margin kept free for the stamp across pages (giáp lai), signature blocks."""

from xml.sax.saxutils import escape as xml_escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from printing.fonts import register_fonts

PAGE = landscape(A4)
STAMP_MARGIN = 22 * mm  # right edge kept free for the cross-page stamp
MARGINS = {"leftMargin": 14 * mm, "rightMargin": STAMP_MARGIN, "topMargin": 12 * mm,
           "bottomMargin": 14 * mm}


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
        self.tiny = ParagraphStyle("tiny", fontName=fonts["regular"], fontSize=6, leading=6.5,
                                   alignment=1)
        self.centre = ParagraphStyle("centre", parent=self.body, alignment=1)


def grid_style(fonts: dict, size: float = 7.5, header_rows: int = 1,
               padding: float = 1.2) -> TableStyle:
    return TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts["regular"], size),
        ("FONT", (0, 0), (-1, header_rows - 1), fonts["bold"], size),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.black),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.Color(0.9, 0.9, 0.9)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (2, header_rows), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ])


def esc(value) -> str:
    """Text from people or files, made inert for reportlab's Paragraph markup: a name like
    "<img src=/dev/zero>" prints as itself and never becomes a tag."""
    return xml_escape("" if value is None else str(value))


def signature_row(styles: Styles, blocks: list[tuple[str, str]]) -> Table:
    """Titles, "(Ký, ghi rõ họ tên)", room to sign, and the printed name under it."""
    cells = [[Paragraph(f"<b>{title}</b><br/><font size=7>(Ký, ghi rõ họ tên)</font>"
                        f"<br/><br/><br/>{esc(name)}", styles.centre)
              for title, name in blocks]]
    table = Table(cells, colWidths=[(PAGE[0] - 40 * mm) / len(blocks)] * len(blocks))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def numbered_canvas(draft: bool, footer: str):
    """A canvas class that writes "Trang x/y", the footer and, on drafts, BẢN NHÁP."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._furniture(total)
                super().showPage()
            super().save()

        def _furniture(self, total: int) -> None:
            fonts = register_fonts()
            width, height = self._pagesize
            self.setFont(fonts["regular"], 7.5)
            self.drawString(14 * mm, 7 * mm, footer)
            self.drawRightString(width - STAMP_MARGIN, 7 * mm,
                                 f"Trang {self._pageNumber}/{total}")
            self.setStrokeColor(colors.Color(0.8, 0.8, 0.8))
            self.setDash(2, 3)
            self.line(width - STAMP_MARGIN + 4 * mm, 10 * mm, width - STAMP_MARGIN + 4 * mm,
                      height - 10 * mm)
            self.setDash()
            if draft:
                self.saveState()
                self.setFont(fonts["bold"], 90)
                self.setFillColor(colors.Color(0.85, 0.2, 0.2, alpha=0.18))
                self.translate(width / 2, height / 2)
                self.rotate(30)
                self.drawCentredString(0, -30, "BẢN NHÁP")
                self.restoreState()

    return NumberedCanvas
