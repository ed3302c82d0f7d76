"""A document rendered with page codes and recorded in the database, so that each printed
page can later be checked against the cells it showed (`sodiem verify-print`)."""

from collections.abc import Callable

from sqlmodel import Session

from core.clock import Clock
from printing.trace import PrintTrace
from services import print_records


def traced_pdf(session: Session, clock: Clock, school_id: int, kind: str, title: str,
               render: Callable[[PrintTrace], bytes]) -> bytes:
    trace = PrintTrace(print_records.new_code())
    pdf = render(trace)
    print_records.record(session, clock, school_id, kind, title, trace.code, trace.pages,
                         trace.total)
    session.commit()
    return pdf


def signed_if_final(pdf: bytes, signer, final: bool, reason: str, place: str) -> bytes:
    """Final documents are signed with the school's certificate; drafts never are."""
    from printing import signing

    if signer is None or not final:
        return pdf
    return signing.sign_pdf(pdf, signer, reason, place)


def class_book_document(session: Session, clock: Clock, class_id: int, what: str,
                        signer=None):
    """The class book as printed from the CLI, the panel or a link: a fresh checkpoint on
    its cover, a code on every page, recorded, and signed when final."""
    from printing.class_book import class_book_pdf
    from services.book_data import printed_class_book

    book = printed_class_book(session, clock, class_id, what)
    book.certificate = signer.fingerprint if signer else ""
    pdf = traced_pdf(session, clock, book.school_id, "class_book",
                     f"Sổ theo dõi và đánh giá học sinh lớp {book.class_name}",
                     lambda trace: class_book_pdf(book, trace))
    return book, signed_if_final(pdf, signer, not book.draft,
                                 "Sổ theo dõi và đánh giá học sinh", book.district)
