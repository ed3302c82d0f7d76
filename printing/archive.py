"""The year-end archive: every book, the Excel backups, the audit log, the corrections,
a manifest of SHA-256 hashes and a readable index; and its verification years later.

This module is the one orchestrator in `printing/`: it asks the services for the
facts and hands them to the renderers. Class books render in parallel on all cores.
"""

import hashlib
import json
import multiprocessing
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
from printing import signing
from printing.class_book import class_book_pdf, confirmation_sheet_pdf, teacher_book_pdf
from printing.correction_summary import summary_pdf, summary_xlsx
from printing.excel_exports import statistics_workbook, summary_workbook
from printing.minutes import minutes_pdf
from printing.traced import signed_if_final as _signed
from printing.traced import traced_pdf
from services import audit_checkpoints, audit_verification
from services.book_data import ClassBook, class_book, year_readiness
from services.correction_records import year_facts

MANIFEST, INDEX = "manifest.json", "index.txt"
SIGNATURE, CERTIFICATE = "manifest.json.p7s", "certificate.pem"


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
_worker_signers: dict[tuple, signing.SchoolSigner] = {}


def _signer(key: tuple | None) -> signing.SchoolSigner | None:
    """The school's signer, loaded once per worker process from (p12 path, password)."""
    if key is None:
        return None
    if key not in _worker_signers:
        _worker_signers[key] = signing.load(Path(key[0]), key[1])
    return _worker_signers[key]


def render_class(job: tuple) -> tuple[ClassBook, bytes, dict[int, bytes]]:
    """One class's book and confirmation sheets (runs in a worker process), each page with
    its verification code, recorded in the database."""
    url, class_id, moment, checkpoint, signer_key = (*job, None, None)[:5]
    if url not in _worker_engines:
        _worker_engines[url] = make_engine(url)
    clock = FixedClock(datetime.fromisoformat(moment))
    signer = _signer(signer_key)
    with Session(_worker_engines[url], expire_on_commit=False) as session:
        book = class_book(session, clock, class_id)
        book.checkpoint = checkpoint or ""
        book.certificate = signer.fingerprint if signer else ""
        sheets = {}
        for term in (1, 2):
            pdf = traced_pdf(session, clock, book.school_id, "confirmation",
                             f"Bảng xác nhận kết quả lớp {book.class_name} học kì {term}",
                             lambda trace, term=term: confirmation_sheet_pdf(book, term, trace))
            sheets[term] = _signed(pdf, signer, book.terms.get(term, False),
                                   f"Xác nhận kết quả học kì {term}", book.district)
        pdf = traced_pdf(session, clock, book.school_id, "class_book",
                         f"Sổ theo dõi và đánh giá học sinh lớp {book.class_name}",
                         lambda trace: class_book_pdf(book, trace))
    return book, _signed(pdf, signer, not book.draft, "Sổ theo dõi và đánh giá học sinh",
                         book.district), sheets


def render_classes(url: str, class_ids: list[int], at: datetime, workers: int | None = None,
                   progress=None, checkpoint: str = "", signer_key: tuple | None = None,
                   ) -> list[tuple[ClassBook, bytes, dict[int, bytes]]]:
    jobs = [(url, class_id, at.isoformat(), checkpoint, signer_key) for class_id in class_ids]
    workers = workers or os.cpu_count() or 1
    results = []
    if workers == 1:
        for job in jobs:
            results.append(render_class(job))
            if progress:
                progress()
        return results
    # spawned, not forked: the archive runs from a thread of a multi-threaded server, and a
    # fork taken while another thread holds a lock leaves the child waiting on it forever
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for result in pool.map(render_class, jobs):
            results.append(result)
            if progress:
                progress()
    return results


class ArchiveNotReady(RuntimeError):
    """The year is not finished: terms not locked or months not closed."""


def build_archive(engine: Engine, year_id: int, out_dir: Path, at: datetime,
                  workers: int | None = None, progress=None,
                  signer_key: tuple[str, str] | None = None, draft: bool = False,
                  ) -> ArchiveResult:
    """`signer_key` is (PKCS#12 path, password): the final PDFs and the manifest are signed.
    A year not yet finished is refused unless `draft` (then it says so everywhere)."""
    url = engine.url.render_as_string(hide_password=False)
    with Session(engine, expire_on_commit=False) as session:
        states = year_readiness(session, FixedClock(at), year_id)
        unfinished = {name: s["reasons"] for name, s in states.items() if s["reasons"]}
        if unfinished and not draft:
            raise ArchiveNotReady(
                "Năm học chưa kết thúc, chưa lập lưu trữ chính thức được:\n" +
                "\n".join(f"• lớp {name}: {'; '.join(reasons)}"
                           for name, reasons in sorted(unfinished.items())) +
                "\nKhóa sổ và chốt điểm danh các tháng còn thiếu, hoặc lập bản nháp bằng "
                "--draft.")
        year = session.get(SchoolYear, year_id)
        report = audit_verification.check(session, year.school_id)
        checkpoint = audit_checkpoints.write_now(session, FixedClock(at),
                                                 f"lưu trữ năm học {year.name}", year.school_id)
        school = session.get(School, year.school_id)
        class_ids = list(session.exec(select(SchoolClass.id).where(
            SchoolClass.year_id == year_id).order_by(SchoolClass.name)))
        corrections = year_facts(session, year_id)
        audit_lines = _audit_lines(session, year.school_id)
    folder = out_dir / f"sodiem-{_slug(school.code)}-{_slug(year.name)}"
    folder.mkdir(parents=True, exist_ok=True)
    rendered = render_classes(url, class_ids, at, workers, progress,
                              audit_checkpoints.label(checkpoint), signer_key)
    signer = _signer(signer_key)
    files: dict[str, bytes] = {}
    for book, pdf, sheets in rendered:
        files[f"so-theo-doi-lop/{book.class_name}.pdf"] = pdf
        for term, sheet in sheets.items():
            files[f"xac-nhan-ket-qua/{book.class_name}-HK{term}.pdf"] = sheet
    files.update(_teacher_books([book for book, _, _ in rendered], signer))
    books = [book for book, _, _ in rendered]
    files["excel/bang-diem-tong-hop.xlsx"] = summary_workbook(books)
    files["excel/thong-ke-ket-qua.xlsx"] = statistics_workbook(books)
    files["nhat-ky/nhat-ky.jsonl"] = audit_lines
    for facts in corrections:
        if facts.applied_at is not None:
            files[f"sua-chua-du-lieu/bien-ban-{facts.number}.pdf"] = _signed(
                minutes_pdf(facts), signer, True, f"Biên bản số {facts.number}/BB",
                school.district)
    files["sua-chua-du-lieu/tong-hop.pdf"] = _signed(
        summary_pdf(corrections, school.name, year.name), signer, not unfinished,
        "Tổng hợp sửa chữa dữ liệu", school.district)
    files["sua-chua-du-lieu/tong-hop.xlsx"] = summary_xlsx(corrections, school.name, year.name)
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    extra = {"draft": bool(unfinished), "classes": states,
             "signed": sorted(name for name, content in files.items()
                              if name.endswith(".pdf") and _has_signature(content)),
             "certificate_fingerprint": signer.fingerprint if signer else ""}
    _write_manifest(folder, files, school, year, report, checkpoint, at, len(books), extra,
                    signer)
    return ArchiveResult(folder, len(files) + (4 if signer else 2))


def _has_signature(pdf: bytes) -> bool:
    return signing.FIELD.encode() in pdf


def _teacher_books(books: list[ClassBook],
                   signer: signing.SchoolSigner | None = None) -> dict[str, bytes]:
    """One book per teacher, keyed by staff id: namesakes get a book each."""
    parts: dict[tuple[str, int], list] = defaultdict(list)
    for book in books:
        for page in book.subjects:
            if page.teacher_id is not None:
                parts[(page.teacher, page.teacher_id)].append((book, page))
    return {f"so-giao-vien/{_slug(teacher)}-{staff_id}.pdf": _signed(
                teacher_book_pdf(teacher, items), signer,
                not any(book.draft for book, _ in items), "Sổ của giáo viên",
                items[0][0].district)
            for (teacher, staff_id), items in sorted(parts.items())}


def _audit_lines(session: Session, school_id: int) -> bytes:
    """The school's chain, after chain 0 (what was logged before chains were per school)."""
    rows = session.exec(select(AuditEntry).where(AuditEntry.chain.in_([0, school_id]))
                        .order_by(AuditEntry.chain, AuditEntry.seq)).all()
    return "".join(json.dumps({"chain": e.chain, "seq": e.seq, "at": e.at.isoformat(),
                               "actor": e.actor_id,
                               "action": e.action, "entity": e.entity,
                               "entity_id": e.entity_id, "old": e.old, "new": e.new,
                               "via": e.via, "acting_as": e.acting_as_id,
                               "prev_hash": e.prev_hash, "hash": e.hash, "mac": e.mac},
                              ensure_ascii=False) + "\n" for e in rows).encode()


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _write_manifest(folder: Path, files: dict[str, bytes], school, year, report, checkpoint,
                    at, classes: int, extra: dict,
                    signer: signing.SchoolSigner | None) -> None:
    chain = report.chain
    manifest = {"school": school.name, "school_code": school.code, "year": year.name,
                "created_at": at.isoformat(), "audit_entries": chain.checked,
                "audit_chain_ok": chain.ok, "audit_verified_ok": report.ok,
                "audit_head_hash": chain.head_hash,
                "audit_checkpoint": {"seq": checkpoint.seq, "hash": checkpoint.hash,
                                     "at": checkpoint.at.isoformat(),
                                     "reason": checkpoint.reason,
                                     "signature": checkpoint.signature},
                **extra,
                "files": {name: _sha(content) for name, content in sorted(files.items())}}
    encoded = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    (folder / MANIFEST).write_bytes(encoded)
    if signer is not None:
        (folder / SIGNATURE).write_bytes(signing.sign_detached(encoded, signer))
        (folder / CERTIFICATE).write_bytes(signer.certificate_pem)
    lines = [f"LƯU TRỮ SỔ ĐIỂM ĐIỆN TỬ — {school.name} — năm học {year.name}",
             f"Lập lúc {at.astimezone(VN_TZ):%H:%M ngày %d/%m/%Y}; {classes} lớp; "
             f"{len(files)} tệp.",
             f"Nhật ký: {chain.checked} bản ghi, "
             f"{'toàn vẹn' if report.ok else 'CÓ DẤU HIỆU BỊ SỬA'}; mã cuối chuỗi: "
             f"{chain.head_hash}",
             f"{audit_checkpoints.label(checkpoint)} (chữ ký đầy đủ: {checkpoint.signature})",
             f"Mã SHA-256 của manifest.json: {_sha(encoded)}",
             (f"Ký số bằng chứng thư của trường, dấu vân tay SHA-256: "
              f"{signer.fingerprint} (chữ ký manifest: {SIGNATURE})" if signer else
              "CHƯA KÝ SỐ: chưa cấu hình chứng thư số của trường (sodiem keygen)."),
             *(["BẢN NHÁP: năm học chưa kết thúc (" + "; ".join(
                 f"{name}: {', '.join(state['reasons'])}"
                 for name, state in sorted(extra["classes"].items()) if state["reasons"]) +
               ")"] if extra["draft"] else []),
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


def verify_archive(folder: Path, fingerprint: str = "",
                   allow_unsigned: bool = False) -> ArchiveCheck:
    """Every file against the manifest, the manifest against its signature, every signed PDF
    against its signature; `fingerprint` (as printed on the index sheet and the confirmation
    sheets) pins the certificate, so a forger's own certificate is refused too."""
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        return ArchiveCheck(False, 0, [f"không có {MANIFEST} trong {folder}"])
    encoded = manifest_path.read_bytes()
    manifest = json.loads(encoded)
    problems = _signature_problems(folder, encoded, manifest, fingerprint, allow_unsigned)
    index = folder / INDEX
    if not index.exists() or _sha(encoded) not in index.read_text(encoding="utf-8"):
        problems.append(f"{MANIFEST} không khớp mã ghi trong {INDEX} (manifest bị sửa?)")
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.exists():
            problems.append(f"thiếu tệp {name}")
        elif _sha(path.read_bytes()) != expected:
            problems.append(f"tệp {name} đã bị thay đổi")
    known = set(manifest["files"]) | {MANIFEST, INDEX, SIGNATURE, CERTIFICATE}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.relative_to(folder).as_posix() not in known:
            problems.append(f"tệp lạ không có trong danh mục: {path.relative_to(folder)}")
    return ArchiveCheck(not problems, len(manifest["files"]), problems)


def _signature_problems(folder: Path, encoded: bytes, manifest: dict, fingerprint: str,
                        allow_unsigned: bool) -> list[str]:
    certificate_path, signature_path = folder / CERTIFICATE, folder / SIGNATURE
    if not signature_path.exists() or not certificate_path.exists():
        if allow_unsigned:
            return []
        return [f"lưu trữ không có chữ ký số ({SIGNATURE}, {CERTIFICATE}): không chứng minh "
                "được manifest là của nhà trường"]
    certificate = certificate_path.read_bytes()
    problems = []
    actual = signing.fingerprint(certificate)
    if fingerprint and _bare(fingerprint) not in _bare(actual) and \
            _bare(actual).split("…")[0] not in _bare(fingerprint):
        problems.append(f"chứng thư trong lưu trữ ({actual}) không phải chứng thư đã in "
                        f"({fingerprint})")
    check = signing.verify_detached(encoded, signature_path.read_bytes(), certificate)
    if not check.ok:
        problems.append(f"{MANIFEST}: {check.problem}")
    for name in manifest.get("signed", []):
        path = folder / name
        if path.exists():
            result = signing.verify_pdf(path.read_bytes(), certificate)
            if not result.ok:
                problems.append(f"tệp {name}: {result.problem}")
    return problems


def _bare(fingerprint: str) -> str:
    return fingerprint.replace(":", "").replace(" ", "").upper()
