"""Printed pages traceable to the log: each printing is recorded with the audit-chain head it
was printed from and, page by page, the score cells it showed; a page's code (on its footer
and in its QR code) says later whether those cells still hold the printed values."""

import json
import re
import secrets
from dataclasses import dataclass, field

from sqlmodel import Session, select

from core.clock import VN_TZ, Clock
from models import (
    AuditEntry,
    CorrectionRequest,
    PrintedDocument,
    ScoreEntry,
    Student,
    Subject,
    Term,
)
from models.types import CorrectionStatus
from services import audit
from services.errors import DomainError

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper and typed back
CODE = re.compile(r"^\s*([A-Z2-9]{8})-(\d{1,4})\s*$")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(8))


def record(session: Session, clock: Clock, school_id: int, kind: str, title: str, code: str,
           pages: dict[int, list[tuple[int, str]]], total: int) -> PrintedDocument:
    """Store what was printed (caller commits)."""
    head = audit.head(session, school_id)
    row = PrintedDocument(code=code, school_id=school_id, kind=kind, title=title[:200],
                          printed_at=clock.now(), audit_chain=school_id,
                          audit_seq=head.seq if head else 0,
                          audit_hash=head.hash if head else "", pages=total,
                          cells=json.dumps({str(p): cells for p, cells in pages.items()}))
    session.add(row)
    session.flush()
    return row


@dataclass
class ChangedCell:
    student: str
    what: str  # "Toán, CK học kì I"
    printed: str
    now: str
    minutes: list[int] = field(default_factory=list)


@dataclass
class PageCheck:
    document: PrintedDocument
    page: int
    cells: int
    changed: list[ChangedCell]

    @property
    def ok(self) -> bool:
        return not self.changed

    def lines(self) -> list[str]:
        doc = self.document
        printed = doc.printed_at.astimezone(VN_TZ)
        head = [f"{doc.title} — trang {self.page}/{doc.pages}, in lúc {printed:%H:%M %d/%m/%Y} "
                f"(nhật ký đến bản ghi số {doc.audit_seq}, mã {doc.audit_hash[:16]})."]
        if self.ok:
            return [*head, f"Trang còn đúng: {self.cells} ô điểm in trên trang vẫn giữ nguyên "
                           "giá trị đã in."]
        lines = [*head, f"{len(self.changed)} trong {self.cells} ô điểm đã thay đổi từ khi in:"]
        for cell in self.changed:
            reason = (f"sửa theo biên bản số {', '.join(f'{n}/BB' for n in cell.minutes)}"
                      if cell.minutes else "KHÔNG có biên bản sửa nào (cần kiểm tra)")
            lines.append(f"• {cell.student} — {cell.what}: in {cell.printed or '(trống)'}, "
                         f"nay {cell.now or '(đã xóa)'} — {reason}")
        return lines


def check_page(session: Session, code: str, school_id: int | None = None) -> PageCheck:
    """`school_id` scopes the look-up for the panel: another school's code is unknown."""
    match = CODE.match(code.upper().replace(" ", ""))
    if not match:
        raise DomainError(f"Mã «{code[:40]}» không đúng dạng: mã kiểm tra in ở chân trang có "
                          "8 chữ, gạch nối, rồi số trang, ví dụ K7QM2XRA-12.")
    query = select(PrintedDocument).where(PrintedDocument.code == match[1])
    if school_id is not None:
        query = query.where(PrintedDocument.school_id == school_id)
    document = session.exec(query).first()
    page = int(match[2])
    if document is None:
        raise DomainError(f"Không có tài liệu in nào mang mã {match[1]}.")
    if not 1 <= page <= document.pages:
        raise DomainError(f"Tài liệu {match[1]} chỉ có {document.pages} trang, không có trang "
                          f"{page}.")
    cells = [tuple(c) for c in json.loads(document.cells).get(str(page), [])]
    return PageCheck(document, page, len(cells), _changed(session, document, cells))


def _changed(session: Session, document: PrintedDocument,
             cells: list[tuple[int, str]]) -> list[ChangedCell]:
    ids = [entry_id for entry_id, _ in cells]
    entries = {e.id: e for e in session.exec(select(ScoreEntry).where(ScoreEntry.id.in_(ids)))}
    changed = []
    for entry_id, printed in cells:
        entry = entries.get(entry_id)
        now = entry.display() if entry else ""
        if now == printed:
            continue
        changed.append(_describe(session, document, entry_id, entry, printed, now))
    return changed


def _corrections_since(session: Session, document: PrintedDocument,
                       entry_id: int) -> list[int]:
    """Applied corrections of the cell whose audit entry comes after the printed head (the
    log's order, not clock times, which may be equal). A page printed before chains were
    per school counts in chain 0: all of its school's own chain came after it."""
    after = (AuditEntry.chain == document.audit_chain) & (AuditEntry.seq > document.audit_seq)
    if document.audit_chain == audit.LEGACY_CHAIN:
        after = after | (AuditEntry.chain == document.school_id)
    rows = session.exec(select(AuditEntry.via).where(
        after, AuditEntry.action == "score.correct",
        AuditEntry.entity_id == entry_id).order_by(AuditEntry.chain, AuditEntry.seq)).all()
    numbers = [int(via.split(":", 1)[1]) for via in rows
               if via and via.startswith("correction:") and via.split(":", 1)[1].isdigit()]
    applied = set(session.exec(select(CorrectionRequest.id).where(
        CorrectionRequest.id.in_(numbers), CorrectionRequest.status == CorrectionStatus.APPLIED)))
    return [n for n in numbers if n in applied]


def _describe(session: Session, document: PrintedDocument, entry_id: int,
              entry: ScoreEntry | None, printed: str, now: str) -> ChangedCell:
    minutes = _corrections_since(session, document, entry_id)
    if entry is None:
        return ChangedCell("(ô đã bị xóa)", f"ô số {entry_id}", printed, now, minutes)
    student = session.get(Student, entry.student_id).full_name
    subject = session.get(Subject, entry.subject_id).name
    term = session.get(Term, entry.term_id).number
    return ChangedCell(student, f"{subject}, {entry.column} học kì {'I' if term == 1 else 'II'}",
                       printed, now, minutes)
