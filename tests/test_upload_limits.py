"""Hostile spreadsheets: refused quickly, within bounded memory, with a Vietnamese reason
and nothing imported. The files are made here, small on the wire, huge inside."""

import time
import tracemalloc
import zipfile
from io import BytesIO

import pytest

from services.errors import DomainError
from services.importing import COLUMNS, read_rows, template_xlsx

SHEET = "xl/worksheets/sheet1.xml"


def _with_sheet(xml: str) -> bytes:
    """The import template with its sheet replaced by `xml`, deflated."""
    source = zipfile.ZipFile(BytesIO(template_xlsx()))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = xml.encode() if item.filename == SHEET else source.read(item.filename)
            target.writestr(item.filename, data)
    return out.getvalue()


def _header() -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in COLUMNS)
    return f'<row r="1">{cells}</row>'


def _sheet(rows: str, dimension: str = "A1:M2") -> str:
    return ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{_header()}{rows}</sheetData>'
            '</worksheet>')


def _bounded(content: bytes, seconds: float = 5, megabytes: int = 60) -> str:
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(DomainError) as refused:
        read_rows(content)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < seconds, elapsed
    assert peak < megabytes * 2**20, peak
    return refused.value.message


def test_a_million_rows_claimed_in_a_small_file_is_refused():
    rows = "".join(f'<row r="{n}"/>' for n in range(2, 300_000))
    content = _with_sheet(_sheet(rows, "A1:M1048576"))
    assert len(content) < 2 * 2**20
    assert "quá giới hạn" in _bounded(content)


def test_a_zip_bomb_is_refused_before_parsing():
    padding = "<!--" + "A" * (60 * 2**20) + "-->"
    content = _with_sheet(_sheet(padding))
    assert len(content) < 1 * 2**20
    assert "giải nén lớn hơn" in _bounded(content, megabytes=200)


def test_a_row_sixteen_thousand_cells_wide_reads_only_the_template_columns():
    wide = "".join(f'<c r="{_col(i)}2" t="inlineStr"><is><t>x</t></is></c>'
                   for i in range(1, 16_385))
    content = _with_sheet(_sheet(f'<row r="2">{wide}</row>', "A1:XFD2"))
    started = time.perf_counter()
    rows = read_rows(content)
    assert time.perf_counter() - started < 5
    assert len(rows) == 1 and len(rows[0][1]) <= len(COLUMNS)


def test_a_file_that_is_not_a_spreadsheet_is_named_so():
    with pytest.raises(DomainError, match="không phải bảng tính Excel"):
        read_rows(b"%PDF-1.7 not a zip")


def _col(index: int) -> str:
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def test_work_in_the_worker_process_is_stopped_at_its_time_limit():
    import asyncio

    from admin.web.offload import in_process

    started = time.perf_counter()
    with pytest.raises(DomainError, match="đã dừng, chưa nhập gì"):
        asyncio.run(in_process(time.sleep, 30, seconds=1))
    assert time.perf_counter() - started < 10
    assert asyncio.run(in_process(len, "còn chạy", seconds=10)) == 8  # a fresh worker
