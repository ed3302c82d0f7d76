"""Ký số: a finished year's archive is signed with the school's certificate (every final PDF
as PAdES, the manifest as detached CMS), validates with pyHanko, and a forger who changes a
PDF and rewrites its hash in manifest.json and index.txt is caught."""

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from core.clock import VN_TZ
from printing import signing
from printing.archive import ArchiveNotReady, build_archive, verify_archive
from services.locks import LockScope, create_lock
from tests.test_printing import close_year, make_full_year


@pytest.fixture(params=["sqlite"])
def backend(request) -> str:
    """Signing does not depend on the database; the archive's data is tested on both."""
    return request.param


@pytest.fixture
def certificate(tmp_path) -> tuple[str, str]:
    path = tmp_path / "truong.p12"
    signing.make_demo_certificate(path, "Trường THCS Ngô Sĩ Liên", "mật-khẩu")
    return str(path), "mật-khẩu"


@pytest.fixture
def full_year(session, school, clock):
    return make_full_year(session, school, clock)


@pytest.fixture
def finished_year(session, school, clock, full_year):
    for term in (1, 2):
        create_lock(session, clock, executor_id=school.admin_id,
                    decided_by_id=school.principal_id,
                    scope=LockScope(school.year_id, term_id=school.term_ids[term]))
    for class_id in school.class_ids:
        close_year(session, clock, class_id)
    return full_year


AT = datetime(2027, 6, 1, 9, 0, tzinfo=VN_TZ)


def test_an_unfinished_year_is_refused_unless_a_draft(db, school, tmp_path, full_year):
    engine, _ = db
    with pytest.raises(ArchiveNotReady, match=r"lớp 6A1: học kì I chưa khóa"):
        build_archive(engine, school.year_id, tmp_path, AT, workers=1)
    result = build_archive(engine, school.year_id, tmp_path, AT, workers=1, draft=True)
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["draft"] is True
    state = manifest["classes"]["6A1"]
    assert state["terms_locked"] == {"1": False, "2": False} and "09/2026" in state["open_months"]
    assert "BẢN NHÁP" in (result.folder / "index.txt").read_text(encoding="utf-8")


def test_a_signed_archive_verifies_and_its_pdfs_validate_in_pyhanko(
        db, school, tmp_path, finished_year, certificate):
    engine, _ = db
    result = build_archive(engine, school.year_id, tmp_path, AT, workers=2,
                           signer_key=certificate)
    check = verify_archive(result.folder)
    assert check.ok, check.problems
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["draft"] is False
    assert "so-theo-doi-lop/6A1.pdf" in manifest["signed"]
    assert f"sua-chua-du-lieu/bien-ban-{finished_year[3]}.pdf" in manifest["signed"]
    assert "xac-nhan-ket-qua/6A1-HK1.pdf" in manifest["signed"]
    pem = (result.folder / "certificate.pem").read_bytes()
    fingerprint = signing.fingerprint(pem)
    assert fingerprint in (result.folder / "index.txt").read_text(encoding="utf-8")
    book = (result.folder / "so-theo-doi-lop" / "6A1.pdf").read_bytes()
    embedded = PdfFileReader(__import__("io").BytesIO(book)).embedded_signatures[0]
    status = validate_pdf_signature(embedded, ValidationContext(
        trust_roots=[signing._asn1_certificate(pem)]))
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"  # "signed, unchanged since signing"
    assert "Trường THCS Ngô Sĩ Liên" in status.signing_cert.subject.human_friendly
    sheet = (result.folder / "xac-nhan-ket-qua" / "6A1-HK1.pdf").read_bytes()
    assert signing.verify_pdf(sheet, pem).ok
    assert verify_archive(result.folder, fingerprint=fingerprint).ok
    assert not verify_archive(result.folder, fingerprint="AA:BB:CC:DD").ok


def _rewrite_hash(folder: Path, name: str, content: bytes) -> None:
    """What the forger does: change the file, then its hash in manifest.json and index.txt."""
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    old_manifest_sha = hashlib.sha256(manifest_path.read_bytes()).hexdigest()
    old = manifest["files"][name]
    manifest["files"][name] = hashlib.sha256(content).hexdigest()
    (folder / name).write_bytes(content)
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                             encoding="utf-8")
    index = (folder / "index.txt").read_text(encoding="utf-8")
    index = index.replace(old, manifest["files"][name]).replace(
        old_manifest_sha, hashlib.sha256(manifest_path.read_bytes()).hexdigest())
    (folder / "index.txt").write_text(index, encoding="utf-8")


def test_a_rewritten_manifest_and_a_changed_signed_pdf_are_refused(
        db, school, tmp_path, finished_year, certificate):
    engine, _ = db
    result = build_archive(engine, school.year_id, tmp_path, AT, workers=1,
                           signer_key=certificate)
    folder = result.folder
    name = "so-theo-doi-lop/6A1.pdf"
    book = bytearray((folder / name).read_bytes())
    position = book.find(b"stream") + 40
    book[position] ^= 0x01
    _rewrite_hash(folder, name, bytes(book))
    problems = verify_archive(folder).problems
    assert "manifest.json: chữ ký không khớp nội dung (tệp đã bị sửa)" in problems
    assert any(p.startswith(f"tệp {name}: ") for p in problems)
    # and without the manifest's signature the archive proves nothing
    (folder / "manifest.json.p7s").unlink()
    assert any("không có chữ ký số" in p for p in verify_archive(folder).problems)
