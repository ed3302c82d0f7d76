"""Tables laid out page by page by us rather than split by reportlab, so that a signature
block always stands on a page together with the last rows of the table it signs, and every
page repeats the table's header."""

from dataclasses import dataclass

from reportlab.platypus import Flowable, KeepTogether, PageBreak, Table, TableStyle

from printing.layout import CONTENT_HEIGHT, CONTENT_WIDTH
from printing.trace import PageCells, PrintTrace

SLACK = 6  # points kept free per page against rounding in reportlab's own measurements


@dataclass
class SignedTable:
    """A table (header rows + body rows) with what follows it on its last page."""

    heading: list[Flowable]  # on the first page, above the table
    header: list[list]
    rows: list[list]
    widths: list[float]
    style: TableStyle
    tail: list[Flowable]  # the signatures (and anything that must stay with them)
    continued: list[Flowable] | None = None  # above the table on later pages
    row_cells: list[list[tuple[int, str]]] | None = None  # per row, for the page trace
    keep: int = 3  # body rows that go with the tail onto its page


class SparseTable(Table):
    """A Table that skips drawing empty cells: an attendance month is mostly empty days, and
    reportlab would otherwise position and write an empty string for each of them."""

    def _drawCell(self, cellval, cellstyle, pos, size) -> None:
        if cellval is None or (isinstance(cellval, str) and not cellval):
            return
        super()._drawCell(cellval, cellstyle, pos, size)


def _height(flowables: list[Flowable]) -> float:
    total = 0.0
    for item in flowables:
        _, height = item.wrap(CONTENT_WIDTH, CONTENT_HEIGHT)
        total += height + item.getSpaceBefore() + item.getSpaceAfter()
    return total


def _row_heights(spec: SignedTable) -> tuple[list[float], list[float]]:
    probe = Table(spec.header + spec.rows, colWidths=spec.widths)
    probe.setStyle(spec.style)
    probe.wrap(CONTENT_WIDTH, 1e7)  # all rows measured (long tables stop at the height)
    heights = list(probe._rowHeights)
    count = len(spec.header)
    return heights[:count], heights[count:]


def _greedy(heights: list[float], first: float, later: float) -> list[list[int]]:
    chunks: list[list[int]] = [[]]
    room = first
    for index, height in enumerate(heights):
        if chunks[-1] and height > room:
            chunks.append([])
            room = later
        chunks[-1].append(index)
        room -= height
    return chunks


def _room_left(chunks: list[list[int]], heights: list[float], first: float,
               later: float) -> float:
    capacity = first if len(chunks) == 1 else later
    return capacity - sum(heights[i] for i in chunks[-1])


def lay_out(spec: SignedTable, trace: PrintTrace | None = None) -> list[Flowable]:
    """The flowables of the table's pages, page breaks included, ending with the tail."""
    header_heights, heights = _row_heights(spec)
    header_height = sum(header_heights)
    continued = spec.continued if spec.continued is not None else spec.heading
    first = CONTENT_HEIGHT - _height(spec.heading) - header_height - SLACK
    later = CONTENT_HEIGHT - _height(continued) - header_height - SLACK
    tail_height = _height(spec.tail)
    keep = min(spec.keep, len(heights))
    body = list(range(len(heights) - keep))
    chunks = _greedy([heights[i] for i in body], first, later) if body else [[]]
    last = list(range(len(heights) - keep, len(heights)))
    if _room_left(chunks, heights, first, later) >= sum(heights[i] for i in last) + tail_height:
        chunks[-1] += last
    elif sum(heights[i] for i in last) + tail_height <= later:
        chunks.append(last)
    else:  # a tail taller than a page: it follows on its own and may split
        chunks[-1] += last
    story: list[Flowable] = []
    for number, chunk in enumerate(chunks):
        if number:
            story += [PageBreak(), *continued]
        else:
            story += spec.heading
        cells = [cell for i in chunk for cell in (spec.row_cells or [[]] * len(heights))[i]]
        # the measured heights, so that reportlab does not wrap every cell a second time
        table = SparseTable(spec.header + [spec.rows[i] for i in chunk], colWidths=spec.widths,
                      rowHeights=header_heights + [heights[i] for i in chunk],
                      repeatRows=len(spec.header))
        table.setStyle(spec.style)
        story += [PageCells(trace, cells), table]
    fits = tail_height <= later
    story.append(KeepTogether(spec.tail) if fits else spec.tail[0])
    if not fits:
        story += spec.tail[1:]
    return story
