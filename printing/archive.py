"""The year-end archive: every book, the Excel backups, the audit log, the corrections,
a manifest of SHA-256 hashes and a readable index; and its verification years later.

This module is the one orchestrator in `printing/`: it asks the services for the
facts and hands them to the renderers. Class books render in parallel on all cores.
"""

import hashlib
import json
import os
import re
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, select

from core.clock import VN_TZ, FixedClock
from core.text import fold
from models import AuditEntry, School, SchoolClass, SchoolYear
from models.db import make_engine
from printing.class_book import class_book_pdf, confirmation_sheet_pdf, teacher_book_pdf
from printing.correction_summary import summary_pdf, summary_xlsx
from printing.excel_exports import statistics_workbook, summary_workbook
from printing.minutes import minutes_pdf
from services import audit_checkpoints, audit_verification
from services.book_data import ClassBook, class_book
from services.correction_records import year_facts

MANIFEST, INDEX = "manifest.json", "index.txt"


@dataclass
class ArchiveResult:
    folder: Path
    files: int
    pages_hint: str = ""
    seconds: float = 0.0


def _slug(text: str) -> str:
    """A path component from data ("../../../x" → "x"): letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "khong-ten"


_worker_engines: dict[str, Engine] = {}


def render_class(job: tuple) -> tuple[ClassBook, bytes, dict[int, bytes]]:
    """One class's book and confirmation sheets (runs in a worker process)."""
    url, class_id, moment, *rest = job
    if url not in _worker_engines:
        _worker_engines[url] = make_engine(url)
    clock = FixedClock(datetime.fromisoformat(moment))
    with Session(_worker_engines[url], expire_on_commit=False) as session:
        book = class_book(session, clock, class_id)
    book.checkpoint = rest[0] if rest else ""
    sheets = {term: confirmation_sheet_pdf(book, term) for term in (1, 2)}
    return book, class_book_pdf(book), sheets


def render_classes(url: str, class_ids: list[int], at: datetime, workers: int | None = None,
                   progress=None, checkpoint: str = "",
                   ) -> list[tuple[ClassBook, bytes, dict[int, bytes]]]:
    jobs = [(url, class_id, at.isoformat(), checkpoint) for class_id in class_ids]
    workers = workers or os.cpu_count() or 1
    results = []
    if workers == 1:
        for job in jobs:
            results.append(render_class(job))
            if progress:
                progress()
        return results
    with ProcessPoolExecutor(workers) as pool:
        for result in pool.map(render_class, jobs):
            results.append(result)
            if progress:
                progress()
    return results


def build_archive(engine: Engine, year_id: int, out_dir: Path, at: datetime,
                  workers: int | None = None, progress=None) -> ArchiveResult:
    url = engine.url.render_as_string(hide_password=False)
    with Session(engine, expire_on_commit=False) as session:
        report = audit_verification.check(session)
        year = session.get(SchoolYear, year_id)
        checkpoint = audit_checkpoints.write_now(session, FixedClock(at),
                                                 f"lưu trữ năm học {year.name}")
        school = session.get(School, year.school_id)
        class_ids = list(session.exec(select(SchoolClass.id).where(
            SchoolClass.year_id == year_id).order_by(SchoolClass.name)))
        corrections = year_facts(session, year_id)
        audit_lines = _audit_lines(session)
    folder = out_dir / f"sodiem-{_slug(school.code)}-{_slug(year.name)}"
    folder.mkdir(parents=True, exist_ok=True)
    rendered = render_classes(url, class_ids, at, workers, progress,
                              audit_checkpoints.label(checkpoint))
    files: dict[str, bytes] = {}
    for book, pdf, sheets in rendered:
        files[f"so-theo-doi-lop/{book.class_name}.pdf"] = pdf
        for term, sheet in sheets.items():
            files[f"xac-nhan-ket-qua/{book.class_name}-HK{term}.pdf"] = sheet
    files.update(_teacher_books([book for book, _, _ in rendered]))
    books = [book for book, _, _ in rendered]
    files["excel/bang-diem-tong-hop.xlsx"] = summary_workbook(books)
    files["excel/thong-ke-ket-qua.xlsx"] = statistics_workbook(books)
    files["nhat-ky/nhat-ky.jsonl"] = audit_lines
    for facts in corrections:
        if facts.applied_at is not None:
            files[f"sua-chua-du-lieu/bien-ban-{facts.number}.pdf"] = minutes_pdf(facts)
    files["sua-chua-du-lieu/tong-hop.pdf"] = summary_pdf(corrections, school.name, year.name)
    files["sua-chua-du-lieu/tong-hop.xlsx"] = summary_xlsx(corrections, school.name, year.name)
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    _write_manifest(folder, files, school, year, report, checkpoint, at, len(books))
    return ArchiveResult(folder, len(files) + 2)


def _teacher_books(books: list[ClassBook]) -> dict[str, bytes]:
    parts: dict[str, list] = defaultdict(list)
    for book in books:
        for page in book.subjects:
            if page.teacher:
                parts[page.teacher].append((book, page))
    return {f"so-giao-vien/{_slug(teacher)}.pdf": teacher_book_pdf(teacher, items)
            for teacher, items in sorted(parts.items())}


def _audit_lines(session: Session) -> bytes:
    rows = session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()
    return "".join(json.dumps({"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor_id,
                               "action": e.action, "entity": e.entity,
                               "entity_id": e.entity_id, "old": e.old, "new": e.new,
                               "via": e.via, "acting_as": e.acting_as_id,
                               "prev_hash": e.prev_hash, "hash": e.hash, "mac": e.mac},
                              ensure_ascii=False) + "\n" for e in rows).encode()


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _write_manifest(folder: Path, files: dict[str, bytes], school, year, report, checkpoint,
                    at, classes: int) -> None:
    chain = report.chain
    manifest = {"school": school.name, "school_code": school.code, "year": year.name,
                "created_at": at.isoformat(), "audit_entries": chain.checked,
                "audit_chain_ok": chain.ok, "audit_verified_ok": report.ok,
                "audit_head_hash": chain.head_hash,
                "audit_checkpoint": {"seq": checkpoint.seq, "hash": checkpoint.hash,
                                     "at": checkpoint.at.isoformat(),
                                     "reason": checkpoint.reason,
                                     "signature": checkpoint.signature},
                "files": {name: _sha(content) for name, content in sorted(files.items())}}
    encoded = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    (folder / MANIFEST).write_bytes(encoded)
    lines = [f"LƯU TRỮ SỔ ĐIỂM ĐIỆN TỬ — {school.name} — năm học {year.name}",
             f"Lập lúc {at.astimezone(VN_TZ):%H:%M ngày %d/%m/%Y}; {classes} lớp; "
             f"{len(files)} tệp.",
             f"Nhật ký: {chain.checked} bản ghi, "
             f"{'toàn vẹn' if report.ok else 'CÓ DẤU HIỆU BỊ SỬA'}; mã cuối chuỗi: "
             f"{chain.head_hash}",
             f"{audit_checkpoints.label(checkpoint)} (chữ ký đầy đủ: {checkpoint.signature})",
             f"Mã SHA-256 của manifest.json: {_sha(encoded)}",
             "Kiểm tra lại bằng lệnh: sodiem archive-verify <thư mục này>", "",
             "Danh mục tệp:"]
    lines += [f"  {name}  {_sha(content)}" for name, content in sorted(files.items())]
    (folder / INDEX).write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class ArchiveCheck:
    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)

    def message(self) -> str:
        if self.ok:
            return f"Lưu trữ nguyên vẹn: {self.checked} tệp khớp mã SHA-256."
        return "Lưu trữ KHÔNG nguyên vẹn:\n" + "\n".join(f"• {p}" for p in self.problems)


def verify_archive(folder: Path) -> ArchiveCheck:
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        return ArchiveCheck(False, 0, [f"không có {MANIFEST} trong {folder}"])
    encoded = manifest_path.read_bytes()
    manifest = json.loads(encoded)
    problems = []
    index = folder / INDEX
    if not index.exists() or _sha(encoded) not in index.read_text(encoding="utf-8"):
        problems.append(f"{MANIFEST} không khớp mã ghi trong {INDEX} (manifest bị sửa?)")
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.exists():
            problems.append(f"thiếu tệp {name}")
        elif _sha(path.read_bytes()) != expected:
            problems.append(f"tệp {name} đã bị thay đổi")
    known = set(manifest["files"]) | {MANIFEST, INDEX}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.relative_to(folder).as_posix() not in known:
            problems.append(f"tệp lạ không có trong danh mục: {path.relative_to(folder)}")
    return ArchiveCheck(not problems, len(manifest["files"]), problems)
