"""What each printed page showed, collected while reportlab lays the pages out, so that a
page's verification code can later be checked against the database (`verify-print`)."""

from dataclasses import dataclass, field

from reportlab.platypus import Flowable


@dataclass
class PrintTrace:
    """One document's code and, page by page, the score cells drawn on it."""

    code: str
    pages: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    total: int = 0

    def page_code(self, page: int) -> str:
        return f"{self.code}-{page}"


class PageCells(Flowable):
    """Draws nothing; tells the trace which cells (entry id, printed value) are on the page
    where reportlab put it. Placed just before the rows it describes."""

    def __init__(self, trace: PrintTrace | None, cells: list[tuple[int, str]]) -> None:
        super().__init__()
        self.trace, self.cells = trace, cells
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        if self.trace is not None and self.cells:
            page = self.canv.getPageNumber()
            self.trace.pages.setdefault(page, []).extend(self.cells)
